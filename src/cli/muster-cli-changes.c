/* muster-cli-changes.c: muster-cli changes — who joined, left or changed in the tenant, and
 * group membership changes, between the latest snapshot and an earlier one
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-cli-private.h"
#include "muster-snapshot-diff.h"
#include "muster-snapshot-store.h"

static void
print_summary (MusterCliContext   *cli,
               MusterSnapshotDiff *diff)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GDateTime) t1 = g_date_time_new_from_unix_local (diff->before->created_at);
  g_autoptr(GDateTime) t2 = g_date_time_new_from_unix_local (diff->after->created_at);

  before = g_date_time_format (t1, "%Y-%m-%d %H:%M");
  after = g_date_time_format (t2, "%Y-%m-%d %H:%M");
  fprintf (cli->out, _("Snapshot %" G_GINT64_FORMAT " (%s) → snapshot %" G_GINT64_FORMAT " (%s)\n"),
           diff->before->id, before, diff->after->id, after);
  fprintf (cli->out, _("%u joined, %u left, %u changed; %u added to groups, %u removed from groups\n"),
           diff->joined, diff->left, diff->changed, diff->members_added, diff->members_removed);
}

static int
write_report (MusterCliContext   *cli,
              MusterSnapshotDiff *diff,
              int                 format,
              const char         *output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) stream = NULL;
  g_autoptr(GFile) file = NULL;
  gboolean ok;

  if (format == MUSTER_EXPORT_FORMAT_XLSX)
    {
#if HAVE_XLSXWRITER
      g_autoptr(GPtrArray) rows = muster_snapshot_diff_to_rows (diff);

      ok = muster_export_write_table_xlsx (output, _("Changes"), muster_snapshot_diff_row_headers (), 6, rows, &error);
      return ok ? MUSTER_EXIT_OK : _muster_cli_fail (cli, error);
#else
      g_assert_not_reached ();  /* _muster_cli_check_output refused it */
#endif
    }
  if (output != NULL)
    {
      file = g_file_new_for_commandline_arg (output);
      stream = G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                                cli->cancellable, &error));
      if (stream == NULL)
        return _muster_cli_fail (cli, error);
    }
  else
    stream = _muster_cli_stdout_stream (cli);
  ok = muster_snapshot_diff_write (diff, format, stream, cli->cancellable, &error);
  if (ok)
    ok = g_output_stream_close (stream, cli->cancellable, &error);
  return ok ? MUSTER_EXIT_OK : _muster_cli_fail (cli, error);
}

int
_muster_cli_changes (MusterCliContext *cli,
                     int               argc,
                     char            **argv)
{
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshot) before = NULL;
  g_autoptr(MusterSnapshot) after = NULL;
  g_autoptr(MusterSnapshotDiff) diff = NULL;
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GError) error = NULL;
  const MusterSnapshotInfo *base;
  const char *since = NULL, *output = NULL;
  int format = cli->json ? MUSTER_EXPORT_FORMAT_JSON : MUSTER_CLI_FORMAT_TABLE;
  MusterProfile *profile;
  int status;

  for (int i = 1; i < argc; i++)
    {
      const char *value;
      gboolean missing = FALSE;

      if ((value = _muster_cli_option_value (argc, argv, &i, "--since", &missing)) != NULL)
        since = value;
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--format", &missing)) != NULL)
        {
          if (!_muster_cli_parse_format (value, &format))
            return _muster_cli_usage (cli, _("unknown format “%s”: use table, csv, json or xlsx"), value);
        }
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--output", &missing)) != NULL)
        output = value;
      else if (missing)
        return _muster_cli_usage (cli, _("%s needs a value (see muster-cli --help)"), argv[i]);
      else
        return _muster_cli_usage (cli, _("changes does not know “%s” (see muster-cli changes --help)"), argv[i]);
    }
  status = _muster_cli_check_output (cli, format, output);
  if (status != MUSTER_EXIT_OK)
    return status;

  profile = _muster_cli_open_profile (cli, &profiles, &error);
  if (profile == NULL)
    return _muster_cli_fail (cli, error);
  store = muster_snapshot_store_open (NULL, &error);
  if (store == NULL)
    return _muster_cli_fail (cli, error);
  snapshots = muster_snapshot_store_list (store, muster_profile_get_name (profile), &error);
  if (snapshots == NULL)
    return _muster_cli_fail (cli, error);
  base = muster_snapshot_diff_find_base (snapshots, since, &error);
  if (base == NULL)
    {
      if (g_error_matches (error, MUSTER_SNAPSHOT_DIFF_ERROR, MUSTER_SNAPSHOT_DIFF_ERROR_INVALID))
        return _muster_cli_usage (cli, "%s", error->message);
      fprintf (cli->err, "muster-cli: %s\n", error->message);
      return MUSTER_EXIT_ERROR;
    }

  before = muster_snapshot_store_load (store, base->id, &error);
  if (before != NULL)
    after = muster_snapshot_store_load (store, ((MusterSnapshotInfo *) snapshots->pdata[0])->id, &error);
  if (after == NULL)
    return _muster_cli_fail (cli, error);
  diff = muster_snapshot_diff_new (before, after);

  if (format != MUSTER_CLI_FORMAT_TABLE)
    return write_report (cli, diff, format, output);

  print_summary (cli, diff);
  if (diff->users->len + diff->memberships->len > 0)
    {
      g_autoptr(GPtrArray) rows = muster_snapshot_diff_to_rows (diff);

      fputc ('\n', cli->out);
      _muster_cli_print_table (cli, muster_snapshot_diff_row_headers (), 6, rows);
    }
  return MUSTER_EXIT_OK;
}
