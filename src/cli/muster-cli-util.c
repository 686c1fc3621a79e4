/* muster-cli-util.c: waiting, errors and exit codes, shared by the commands
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <termios.h>
#include <unistd.h>

#include "muster-auth-error.h"
#include "muster-cli-private.h"
#include "muster-graph-client.h"
#include "muster-keyring.h"
#include "muster-secret.h"

void
_muster_cli_store_result_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

void
_muster_cli_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

int
_muster_cli_fail (MusterCliContext *cli,
                  const GError     *error)
{
  fprintf (cli->err, "muster-cli: %s\n", error->message);

  if (error->domain == MUSTER_AUTH_ERROR &&
      (error->code == MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED ||
       error->code == MUSTER_AUTH_ERROR_INTERACTION_REQUIRED ||
       error->code == MUSTER_AUTH_ERROR_CONSENT_REQUIRED))
    return MUSTER_EXIT_SIGN_IN_NEEDED;
  if (g_error_matches (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_UNAUTHORIZED))
    return MUSTER_EXIT_SIGN_IN_NEEDED;
  if (error->domain == MUSTER_PROFILE_ERROR &&
      (error->code == MUSTER_PROFILE_ERROR_NOT_FOUND || error->code == MUSTER_PROFILE_ERROR_NO_DEFAULT ||
       error->code == MUSTER_PROFILE_ERROR_INVALID))
    return MUSTER_EXIT_USAGE;
  return MUSTER_EXIT_ERROR;
}

int
_muster_cli_usage (MusterCliContext *cli,
                   const char       *format,
                   ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (cli->err, "muster-cli: %s\n", message);
  return MUSTER_EXIT_USAGE;
}

MusterProfileStore *
_muster_cli_load_store (MusterCliContext  *cli,
                        GError           **error)
{
  return muster_profile_store_load (NULL, error);
}

MusterProfile *
_muster_cli_open_profile (MusterCliContext    *cli,
                          MusterProfileStore **store,
                          GError             **error)
{
  *store = _muster_cli_load_store (cli, error);
  if (*store == NULL)
    return NULL;
  return muster_profile_store_resolve (*store, cli->profile, error);
}

void
_muster_cli_print_json (MusterCliContext *cli,
                        JsonNode         *node)
{
  g_autofree char *text = json_to_string (node, TRUE);

  fprintf (cli->out, "%s\n", text);
}

char *
_muster_cli_read_secret (MusterCliContext  *cli,
                         const char        *prompt,
                         GError           **error)
{
  /* A fixed buffer, wiped before it goes: a growing string would leave copies of the secret behind. */
  char buffer[MUSTER_SECRET_MAX_LENGTH + 1];
  struct termios saved, hidden;
  gboolean terminal = isatty (STDIN_FILENO);
  gboolean too_long = FALSE;
  gsize length = 0;
  char *secret;
  int c;

  if (terminal)
    {
      fprintf (cli->err, "%s", prompt);
      fflush (cli->err);
      tcgetattr (STDIN_FILENO, &saved);
      hidden = saved;
      hidden.c_lflag &= ~ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &hidden);
    }
  while ((c = fgetc (stdin)) != EOF && c != '\n')
    {
      if (length < MUSTER_SECRET_MAX_LENGTH)
        buffer[length++] = (char) c;
      else
        too_long = TRUE;
    }
  if (terminal)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fputc ('\n', cli->err);
    }
  if (length > 0 && buffer[length - 1] == '\r')
    length--;
  buffer[length] = '\0';

  if (too_long)
    {
      muster_secret_wipe (buffer, sizeof buffer);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The secret on standard input is longer than %d bytes"), MUSTER_SECRET_MAX_LENGTH);
      return NULL;
    }
  if (length == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("No secret was given on standard input"));
      return NULL;
    }
  secret = g_strndup (buffer, length);
  muster_secret_wipe (buffer, sizeof buffer);
  return secret;
}
