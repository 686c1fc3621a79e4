/* muster-browser.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-browser"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "muster-browser.h"

static void
launch_default_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_debug ("No default browser: %s", error->message);
      g_clear_error (&error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("No web browser is set up on this computer. Copy the link and open it in a browser."));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
muster_browser_open_async (const char          *uri,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  const char *command = g_getenv ("MUSTER_BROWSER");

  g_task_set_source_tag (task, muster_browser_open_async);

  if (command != NULL && *command != '\0')
    {
      g_auto(GStrv) argv = NULL;
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_autoptr(GSubprocess) process = NULL;
      g_auto(GStrv) full = NULL;
      GError *error = NULL;

      if (!g_shell_parse_argv (command, NULL, &argv, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      g_strv_builder_addv (builder, (const char **) argv);
      g_strv_builder_add (builder, uri);
      full = g_strv_builder_end (builder);
      /* the browser lives on after sign-in; nobody waits for it */
      process = g_subprocess_newv ((const char * const *) full, G_SUBPROCESS_FLAGS_NONE, &error);
      if (process == NULL)
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }

  g_app_info_launch_default_for_uri_async (uri, NULL, cancellable, launch_default_cb, g_steal_pointer (&task));
}

gboolean
muster_browser_open_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
