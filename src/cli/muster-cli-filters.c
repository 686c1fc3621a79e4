/* muster-cli-filters.c: FILTERS (muster-cli(1)) and the snapshot they apply to, for users, preview and push
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gunixoutputstream.h>
#include <string.h>

#include "muster-cli-private.h"
#include "muster-export.h"
#include "muster-snapshot-store.h"

void
_muster_cli_filters_init (MusterCliFilters *filters)
{
  *filters = (MusterCliFilters) {
    .groups = g_ptr_array_new_with_free_func (g_free),
    .group_kind = -1,
    .email_method = MUSTER_EMAIL_METHOD_MAIL_OR_UPN,
  };
}

void
_muster_cli_filters_clear (MusterCliFilters *filters)
{
  g_clear_pointer (&filters->groups, g_ptr_array_unref);
  g_clear_pointer (&filters->deny_file, g_free);
  g_clear_pointer (&filters->search, g_free);
}

/* "--name VALUE" or "--name=VALUE": the value, or NULL when @arg is another option. */
const char *
_muster_cli_option_value (int          argc,
                          char       **argv,
                          int         *i,
                          const char  *name,
                          gboolean    *missing)
{
  const char *arg = argv[*i];
  gsize len = strlen (name);

  *missing = FALSE;
  if (strncmp (arg, name, len) != 0)
    return NULL;
  if (arg[len] == '=')
    return arg + len + 1;
  if (arg[len] != '\0')
    return NULL;
  if (*i + 1 >= argc)
    {
      *missing = TRUE;
      return NULL;
    }
  return argv[++*i];
}

gboolean
_muster_cli_filters_parse (MusterCliContext  *cli,
                           MusterCliFilters  *filters,
                           int                argc,
                           char             **argv,
                           int               *i,
                           int               *status)
{
  static const char * const valued[] = { "--group", "--group-type", "--deny-file", "--search", "--email-method" };
  const char *arg = argv[*i];
  const char *value = NULL;
  const char *name = NULL;
  gboolean missing = FALSE;

  *status = MUSTER_EXIT_OK;

  if (g_str_equal (arg, "--nested"))
    filters->nested = TRUE;
  else if (g_str_equal (arg, "--exclude-unlicensed"))
    filters->exclude_unlicensed = TRUE;
  else if (g_str_equal (arg, "--exclude-disabled"))
    filters->exclude_disabled = TRUE;
  else if (g_str_equal (arg, "--exclude-guests"))
    filters->exclude_guests = TRUE;
  else
    {
      for (guint k = 0; k < G_N_ELEMENTS (valued) && value == NULL && !missing; k++)
        {
          value = _muster_cli_option_value (argc, argv, i, valued[k], &missing);
          name = valued[k];
        }
      if (missing)
        {
          *status = _muster_cli_usage (cli, _("%s needs a value (see muster-cli --help)"), name);
          return TRUE;
        }
      if (value == NULL)
        return FALSE;

      if (g_str_equal (name, "--group"))
        {
          if (value[0] == '\0')
            *status = _muster_cli_usage (cli, _("--group needs a group name or ID"));
          else
            g_ptr_array_add (filters->groups, g_strdup (value));
        }
      else if (g_str_equal (name, "--group-type"))
        {
          MusterGroupKind kind;

          if (!muster_group_kind_from_string (value, &kind))
            *status = _muster_cli_usage (cli, _("unknown group type “%s”: use security, mail-security, "
                                                "distribution or microsoft365"), value);
          else
            filters->group_kind = kind;
        }
      else if (g_str_equal (name, "--email-method"))
        {
          if (!muster_email_method_from_string (value, &filters->email_method))
            *status = _muster_cli_usage (cli, _("unknown email method “%s”: use upn, mail or mail-or-upn"), value);
        }
      else if (g_str_equal (name, "--deny-file"))
        {
          g_free (filters->deny_file);
          filters->deny_file = g_strdup (value);
        }
      else if (g_str_equal (name, "--search"))
        {
          g_free (filters->search);
          filters->search = g_strdup (value);
        }
    }
  filters->given = TRUE;
  return TRUE;
}

MusterUserFilter *
_muster_cli_filters_build (MusterCliContext *cli,
                           MusterCliFilters *filters,
                           MusterSnapshot   *snapshot,
                           int              *status)
{
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  g_autoptr(GPtrArray) groups = g_ptr_array_new ();

  *status = MUSTER_EXIT_OK;

  /* A typo in a group name would otherwise quietly match nobody. */
  for (guint i = 0; i < filters->groups->len; i++)
    {
      const char *wanted = g_ptr_array_index (filters->groups, i);
      MusterGroup *group = muster_snapshot_lookup_group (snapshot, wanted);

      if (group == NULL)
        {
          *status = _muster_cli_usage (cli, _("no group “%s” in the snapshot (see muster-cli groups)"), wanted);
          return NULL;
        }
      g_ptr_array_add (groups, (gpointer) muster_group_get_id (group));
    }
  g_ptr_array_add (groups, NULL);

  muster_user_filter_set_groups (filter, (const char * const *) groups->pdata);
  muster_user_filter_set_nested (filter, filters->nested);
  muster_user_filter_set_group_kind (filter, filters->group_kind);
  muster_user_filter_set_exclude_unlicensed (filter, filters->exclude_unlicensed);
  muster_user_filter_set_exclude_disabled (filter, filters->exclude_disabled);
  muster_user_filter_set_exclude_guests (filter, filters->exclude_guests);
  muster_user_filter_set_search (filter, filters->search);
  muster_user_filter_set_email_method (filter, filters->email_method);
  if (filters->deny_file != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!muster_user_filter_load_deny_file (filter, filters->deny_file, &error))
        {
          *status = _muster_cli_usage (cli, _("cannot use the deny list: %s"), error->message);
          return NULL;
        }
    }
  return g_steal_pointer (&filter);
}

MusterSnapshot *
_muster_cli_load_snapshot (MusterCliContext        *cli,
                           const char              *snapshot_arg,
                           MusterSnapshotLoadFlags  flags,
                           int                     *status)
{
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshotInfo) info = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  *status = MUSTER_EXIT_OK;

  if (snapshot_arg != NULL)
    {
      guint64 parsed;

      if (!g_ascii_string_to_unsigned (snapshot_arg, 10, 1, G_MAXINT64, &parsed, NULL))
        {
          *status = _muster_cli_usage (cli, _("--snapshot needs a snapshot number, not “%s”"), snapshot_arg);
          return NULL;
        }
      id = parsed;
    }

  store = muster_snapshot_store_open (NULL, &error);
  if (store == NULL)
    {
      *status = _muster_cli_fail (cli, error);
      return NULL;
    }

  if (id == 0)
    {
      g_autoptr(MusterProfileStore) profiles = NULL;
      MusterProfile *profile = _muster_cli_open_profile (cli, &profiles, &error);

      if (profile == NULL)
        {
          *status = _muster_cli_fail (cli, error);
          return NULL;
        }
      info = muster_snapshot_store_get_latest (store, muster_profile_get_name (profile), &error);
      if (info == NULL && error != NULL)
        {
          *status = _muster_cli_fail (cli, error);
          return NULL;
        }
      if (info == NULL)
        {
          fprintf (cli->err, "muster-cli: ");
          fprintf (cli->err, _("There is no snapshot of the directory for profile “%s” yet. "
                               "Run “muster-cli fetch” first."), muster_profile_get_name (profile));
          fputc ('\n', cli->err);
          *status = MUSTER_EXIT_ERROR;
          return NULL;
        }
      id = info->id;
    }

  snapshot = muster_snapshot_store_load_with_flags (store, id, flags, &error);
  if (snapshot == NULL)
    {
      if (g_error_matches (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_NOT_FOUND))
        {
          g_autofree char *message = g_strdup_printf (_("There is no snapshot %lld in the cache. "
                                                        "Run “muster-cli fetch” to make one."), (long long) id);
          fprintf (cli->err, "muster-cli: %s\n", message);
          *status = MUSTER_EXIT_ERROR;
        }
      else
        *status = _muster_cli_fail (cli, error);
      return NULL;
    }
  return g_steal_pointer (&snapshot);
}

gboolean
_muster_cli_parse_format (const char *value,
                          int        *format)
{
  MusterExportFormat export_format;

  if (g_ascii_strcasecmp (value, "table") == 0)
    {
      *format = MUSTER_CLI_FORMAT_TABLE;
      return TRUE;
    }
  if (!muster_export_format_from_string (value, &export_format))
    return FALSE;
  *format = export_format;
  return TRUE;
}

int
_muster_cli_check_output (MusterCliContext *cli,
                          int               format,
                          const char       *output)
{
  if (format == MUSTER_EXPORT_FORMAT_XLSX && output == NULL)
    return _muster_cli_usage (cli, _("an XLSX workbook needs --output FILE"));
  if (format == MUSTER_CLI_FORMAT_TABLE && output != NULL)
    return _muster_cli_usage (cli, _("--output needs --format csv, json or xlsx"));
  if (format != MUSTER_CLI_FORMAT_TABLE && !muster_export_format_is_available (format))
    {
      fprintf (cli->err, "muster-cli: %s\n", _("This build of muster-cli cannot write XLSX workbooks. "
                                               "Use --format csv instead."));
      return MUSTER_EXIT_ERROR;
    }
  return MUSTER_EXIT_OK;
}

GOutputStream *
_muster_cli_stdout_stream (MusterCliContext *cli)
{
  /* Export writers stream straight to the descriptor; what stdio still holds goes first. */
  fflush (cli->out);
  return g_unix_output_stream_new (fileno (cli->out), FALSE);
}
