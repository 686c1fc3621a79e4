/* muster-cli-users.c: muster-cli users — the snapshot's users through FILTERS, as a table or an export
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-cli-private.h"
#include "muster-cli-report.h"
#include "muster-export.h"

static const MusterExportColumn table_columns[] = {
  MUSTER_EXPORT_COLUMN_DISPLAY_NAME,
  MUSTER_EXPORT_COLUMN_EMAIL,
  MUSTER_EXPORT_COLUMN_JOB_TITLE,
  MUSTER_EXPORT_COLUMN_DEPARTMENT,
  MUSTER_EXPORT_COLUMN_ACCOUNT_STATE,
};

static gboolean
parse_columns (const char *value,
               GArray     *columns)
{
  g_auto(GStrv) keys = g_strsplit (value, ",", -1);

  for (guint i = 0; keys[i] != NULL; i++)
    {
      MusterExportColumn column;

      if (!muster_export_column_from_key (g_strstrip (keys[i]), &column))
        return FALSE;
      g_array_append_val (columns, column);
    }
  return columns->len > 0;
}

static void
print_table (MusterCliContext *cli,
             MusterExport     *export,
             GListModel       *users,
             GArray           *columns)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree const char **headers = g_new0 (const char *, columns->len);
  guint n = g_list_model_get_n_items (users);

  for (guint c = 0; c < columns->len; c++)
    headers[c] = muster_export_column_get_title (g_array_index (columns, MusterExportColumn, c));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (users, i);
      char **row = g_new0 (char *, columns->len + 1);

      for (guint c = 0; c < columns->len; c++)
        row[c] = muster_export_dup_user_text (export, user, g_array_index (columns, MusterExportColumn, c));
      g_ptr_array_add (rows, row);
    }
  _muster_cli_print_table (cli, headers, columns->len, rows);
}

int
_muster_cli_users (MusterCliContext *cli,
                   int               argc,
                   char            **argv)
{
  g_auto(MusterCliFilters) filters = { 0 };
  g_autoptr(GArray) columns = g_array_new (FALSE, FALSE, sizeof (MusterExportColumn));
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterUserFilter) filter = NULL;
  g_autoptr(MusterExport) export = NULL;
  g_autoptr(GListStore) matched = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  const char *output = NULL;
  const char *snapshot_arg = NULL;
  gboolean bom = FALSE;
  gboolean filter_row = FALSE;
  int format = cli->json ? MUSTER_EXPORT_FORMAT_JSON : MUSTER_CLI_FORMAT_TABLE;
  MusterReportPaper paper = MUSTER_REPORT_PAPER_A4;
  gboolean paper_given = FALSE;
  GListModel *all;
  int status;
  guint n_all;

  _muster_cli_filters_init (&filters);

  for (int i = 1; i < argc; i++)
    {
      const char *value;
      gboolean missing = FALSE;

      if (_muster_cli_filters_parse (cli, &filters, argc, argv, &i, &status))
        {
          if (status != MUSTER_EXIT_OK)
            return status;
        }
      else if (_muster_cli_parse_paper (cli, argc, argv, &i, &paper, &status))
        {
          if (status != MUSTER_EXIT_OK)
            return status;
          paper_given = TRUE;
        }
      else if ((value = _muster_cli_option_value (argc, argv, &i, "--format", &missing)) != NULL)
        {
          if (!_muster_cli_parse_report_format (value, &format))
            return _muster_cli_usage (cli, _("unknown format “%s”: use table, csv, json, xlsx or pdf"), value);
        }
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--output", &missing)) != NULL)
        output = value;
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--snapshot", &missing)) != NULL)
        snapshot_arg = value;
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--columns", &missing)) != NULL)
        {
          if (!parse_columns (value, columns))
            return _muster_cli_usage (cli, _("unknown column in “%s” (columns are named as in the JSON export: "
                                             "displayName, email, jobTitle, …)"), value);
        }
      else if (missing)
        return _muster_cli_usage (cli, _("%s needs a value (see muster-cli --help)"), argv[i]);
      else if (g_str_equal (argv[i], "--bom"))
        bom = TRUE;
      else if (g_str_equal (argv[i], "--filter-row"))
        filter_row = TRUE;
      else
        return _muster_cli_usage (cli, _("users does not know “%s” (see muster-cli --help)"), argv[i]);
    }

  status = _muster_cli_check_report_output (cli, format, output, paper_given);
  if (status != MUSTER_EXIT_OK)
    return status;

  /* only a group filter needs the memberships, most of a big snapshot */
  snapshot = _muster_cli_load_snapshot (cli, snapshot_arg,
                                        filters.groups->len > 0 || filters.group_kind >= 0 ? MUSTER_SNAPSHOT_LOAD_ALL
                                                                : MUSTER_SNAPSHOT_LOAD_NO_MEMBERSHIPS,
                                        &status);
  if (snapshot == NULL)
    return status;
  filter = _muster_cli_filters_build (cli, &filters, snapshot, &status);
  if (filter == NULL)
    return status;

  all = muster_snapshot_get_users (snapshot);
  n_all = g_list_model_get_n_items (all);
  items = g_ptr_array_new_full (n_all, g_object_unref);
  for (guint i = 0; i < n_all; i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (all, i);

      if (muster_user_filter_match (filter, snapshot, user))
        g_ptr_array_add (items, g_steal_pointer (&user));
    }
  matched = g_list_store_new (MUSTER_TYPE_USER);
  g_list_store_splice (matched, 0, 0, items->pdata, items->len);

  export = muster_export_new (format == MUSTER_CLI_FORMAT_TABLE || format == MUSTER_CLI_FORMAT_PDF
                              ? MUSTER_EXPORT_FORMAT_CSV : format);
  muster_export_set_context (export, snapshot, filter);
  muster_export_set_csv_bom (export, bom);
  muster_export_set_csv_filter_row (export, filter_row);
  if (columns->len > 0)
    muster_export_set_columns (export, (const MusterExportColumn *) (gpointer) columns->data, columns->len);

  if (format == MUSTER_CLI_FORMAT_TABLE)
    {
      if (columns->len == 0)
        g_array_append_vals (columns, table_columns, G_N_ELEMENTS (table_columns));
      print_table (cli, export, G_LIST_MODEL (matched), columns);
    }
  else if (format == MUSTER_CLI_FORMAT_PDF)
    {
      status = _muster_cli_write_users_report (cli, export, G_LIST_MODEL (matched), paper, output);
      if (status != MUSTER_EXIT_OK)
        return status;
    }
  else if (output != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (output);

      if (!muster_export_write_users (export, G_LIST_MODEL (matched), file, cli->cancellable, &error))
        return _muster_cli_fail (cli, error);
    }
  else
    {
      g_autoptr(GOutputStream) stream = _muster_cli_stdout_stream (cli);

      if (!muster_export_write_users_to_stream (export, G_LIST_MODEL (matched), stream, cli->cancellable, &error))
        return _muster_cli_fail (cli, error);
    }

  fprintf (cli->err, g_dngettext (GETTEXT_PACKAGE, "%u of %u user", "%u of %u users", n_all),
           items->len, n_all);
  fputc ('\n', cli->err);
  return MUSTER_EXIT_OK;
}
