/* muster-cli-groups.c: muster-cli groups — the snapshot's groups by kind, with member counts
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-cli-private.h"
#include "muster-export.h"

#define N_KINDS (MUSTER_GROUP_KIND_DISTRIBUTION + 1)

static int
compare_groups (gconstpointer a,
                gconstpointer b)
{
  MusterGroup *group_a = *(MusterGroup **) a;
  MusterGroup *group_b = *(MusterGroup **) b;
  int kind_a = muster_group_get_kind (group_a);
  int kind_b = muster_group_get_kind (group_b);

  if (kind_a != kind_b)
    return kind_a - kind_b;
  return g_utf8_collate (muster_group_get_display_name (group_a) ? muster_group_get_display_name (group_a) : "",
                         muster_group_get_display_name (group_b) ? muster_group_get_display_name (group_b) : "");
}

static void
print_table (MusterCliContext *cli,
             GPtrArray        *groups)
{
  const char *headers[] = { _("Name"), _("Kind"), _("Members"), _("With nesting"), _("Mail") };
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint i = 0; i < groups->len; i++)
    {
      MusterGroup *group = g_ptr_array_index (groups, i);
      char **row = g_new0 (char *, G_N_ELEMENTS (headers) + 1);

      row[0] = g_strdup (muster_group_get_display_name (group));
      row[1] = g_strdup (muster_group_kind_get_title (muster_group_get_kind (group)));
      row[2] = g_strdup_printf ("%u", muster_group_get_member_count (group));
      row[3] = g_strdup_printf ("%u", muster_group_get_transitive_member_count (group));
      row[4] = g_strdup (muster_group_get_mail (group));
      g_ptr_array_add (rows, row);
    }
  _muster_cli_print_table (cli, headers, G_N_ELEMENTS (headers), rows);
}

static void
print_summary (MusterCliContext *cli,
               GPtrArray        *groups)
{
  guint counts[N_KINDS] = { 0 };
  gboolean first = TRUE;

  for (guint i = 0; i < groups->len; i++)
    counts[muster_group_get_kind (g_ptr_array_index (groups, i))]++;

  fprintf (cli->err, g_dngettext (GETTEXT_PACKAGE, "%u group", "%u groups", groups->len), groups->len);
  for (guint k = 0; k < N_KINDS; k++)
    {
      if (counts[k] == 0)
        continue;
      fprintf (cli->err, "%s%s: %u", first ? " (" : ", ", muster_group_kind_get_title (k), counts[k]);
      first = FALSE;
    }
  fprintf (cli->err, "%s\n", first ? "" : ")");
}

int
_muster_cli_groups (MusterCliContext *cli,
                    int               argc,
                    char            **argv)
{
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GListStore) store = NULL;
  g_autoptr(MusterExport) export = NULL;
  g_autoptr(GError) error = NULL;
  const char *output = NULL;
  const char *snapshot_arg = NULL;
  int format = cli->json ? MUSTER_EXPORT_FORMAT_JSON : MUSTER_CLI_FORMAT_TABLE;
  int kind = -1;
  GListModel *all;
  int status;

  for (int i = 1; i < argc; i++)
    {
      const char *value;
      gboolean missing = FALSE;

      if ((value = _muster_cli_option_value (argc, argv, &i, "--format", &missing)) != NULL)
        {
          if (!_muster_cli_parse_format (value, &format))
            return _muster_cli_usage (cli, _("unknown format “%s”: use table, csv, json or xlsx"), value);
        }
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--output", &missing)) != NULL)
        output = value;
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--snapshot", &missing)) != NULL)
        snapshot_arg = value;
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--group-type", &missing)) != NULL)
        {
          MusterGroupKind group_kind;

          if (!muster_group_kind_from_string (value, &group_kind))
            return _muster_cli_usage (cli, _("unknown group type “%s”: use security, mail-security, "
                                             "distribution or microsoft365"), value);
          kind = group_kind;
        }
      else if (missing)
        return _muster_cli_usage (cli, _("%s needs a value (see muster-cli --help)"), argv[i]);
      else
        return _muster_cli_usage (cli, _("groups does not know “%s” (see muster-cli --help)"), argv[i]);
    }

  status = _muster_cli_check_output (cli, format, output);
  if (status != MUSTER_EXIT_OK)
    return status;

  snapshot = _muster_cli_load_snapshot (cli, snapshot_arg, MUSTER_SNAPSHOT_LOAD_ALL, &status);
  if (snapshot == NULL)
    return status;

  all = muster_snapshot_get_groups (snapshot);
  groups = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0, n = g_list_model_get_n_items (all); i < n; i++)
    {
      g_autoptr(MusterGroup) group = g_list_model_get_item (all, i);

      if (kind < 0 || (int) muster_group_get_kind (group) == kind)
        g_ptr_array_add (groups, g_steal_pointer (&group));
    }
  g_ptr_array_sort (groups, compare_groups);

  if (format == MUSTER_CLI_FORMAT_TABLE)
    print_table (cli, groups);
  else
    {
      export = muster_export_new (format);
      muster_export_set_context (export, snapshot, NULL);
      store = g_list_store_new (MUSTER_TYPE_GROUP);
      g_list_store_splice (store, 0, 0, groups->pdata, groups->len);

      if (output != NULL)
        {
          g_autoptr(GFile) file = g_file_new_for_commandline_arg (output);

          if (!muster_export_write_groups (export, G_LIST_MODEL (store), file, cli->cancellable, &error))
            return _muster_cli_fail (cli, error);
        }
      else
        {
          g_autoptr(GOutputStream) stream = _muster_cli_stdout_stream (cli);

          if (!muster_export_write_groups_to_stream (export, G_LIST_MODEL (store), stream, cli->cancellable,
                                                     &error))
            return _muster_cli_fail (cli, error);
        }
    }

  print_summary (cli, groups);
  return MUSTER_EXIT_OK;
}
