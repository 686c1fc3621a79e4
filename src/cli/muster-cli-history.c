/* muster-cli-history.c: muster-cli history — every push, and one push's per-user results
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#if HAVE_XLSXWRITER
#include <xlsxwriter.h>
#endif

#include "muster-cli-plan.h"
#include "muster-export.h"

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = NULL;

  if (unix_time == 0)
    return g_strdup ("");
  time = g_date_time_new_from_unix_local (unix_time);
  return g_date_time_format (time, "%Y-%m-%d %H:%M:%S");
}

static char *
short_id (const char *id)
{
  /* muster-cli history --run takes a unique prefix of at least 4 characters */
  return g_strndup (id, 8);
}

/* The columns of the run list and of one run's results, shared by the table and the workbook. */
/* Who ran it, and whether a timer started it. */
static char *
who_of (const MusterHistoryRun *run)
{
  /* Translators: who ran a push, when a timer started it */
  if (run->scheduled)
    return g_strdup_printf (_("%s (scheduled)"), run->who ? run->who : "");
  return g_strdup (run->who ? run->who : "");
}

static GPtrArray *
runs_to_rows (GPtrArray *runs,
              gboolean   full)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint i = 0; i < runs->len; i++)
    {
      MusterHistoryRun *run = g_ptr_array_index (runs, i);
      char **row = g_new0 (char *, 12);

      row[0] = full ? g_strdup (run->id) : short_id (run->id);
      row[1] = format_time (run->started_at);
      row[2] = g_strdup (muster_run_state_get_title (run->state));
      row[3] = g_strdup (run->target_description);
      row[4] = g_strdup_printf ("%u", run->counts.create);
      row[5] = g_strdup_printf ("%u", run->counts.update);
      row[6] = g_strdup_printf ("%u", run->counts.disable + run->counts.delete);
      row[7] = g_strdup_printf ("%u", run->done);
      row[8] = g_strdup_printf ("%u", run->failed);
      row[9] = who_of (run);
      row[10] = g_strdup (run->message);
      g_ptr_array_add (rows, row);
    }
  return rows;
}

static const char *
result_user (MusterHistoryResult *result)
{
  if (result->user_principal_name != NULL)
    return result->user_principal_name;
  return result->user_id;
}

static GPtrArray *
results_to_rows (MusterHistoryRun *run)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint i = 0; run->results != NULL && i < run->results->len; i++)
    {
      MusterHistoryResult *result = g_ptr_array_index (run->results, i);
      char **row = g_new0 (char *, 7);

      row[0] = g_strdup (muster_result_status_to_string (result->status));
      row[1] = g_strdup (result->action);
      row[2] = g_strdup (result_user (result));
      row[3] = g_strdup (result->display_name);
      row[4] = g_strdup (result->group_name);
      row[5] = g_strdup (result->error);
      g_ptr_array_add (rows, row);
    }
  return rows;
}

static void
print_run (MusterCliContext *cli,
           MusterHistoryRun *run)
{
  const char *headers[] = { _("Status"), _("Action"), _("User"), _("Name"), _("Group"), _("Error") };
  g_autoptr(GPtrArray) rows = results_to_rows (run);
  g_autofree char *started = format_time (run->started_at);
  g_autofree char *finished = format_time (run->finished_at);
  g_autofree char *who = who_of (run);

  fprintf (cli->out, _("Run %s\n"), run->id);
  fprintf (cli->out, _("Target: %s (%s)\n"), run->target_description, run->target_uri);
  fprintf (cli->out, _("Started %s by %s; finished %s\n"), started, who,
           run->finished_at != 0 ? finished : _("not yet"));
  fprintf (cli->out, _("State: %s — %u of %u done, %u failed\n"), muster_run_state_get_title (run->state),
           run->done, run->total, run->failed);
  if (run->resumes != NULL)
    fprintf (cli->out, _("Picked up the interrupted run %s\n"), run->resumes);
  if (run->message != NULL)
    fprintf (cli->out, "%s\n", run->message);
  if (rows->len > 0)
    {
      fputc ('\n', cli->out);
      _muster_cli_print_table (cli, headers, G_N_ELEMENTS (headers), rows);
    }
}


static int
write_export (MusterCliContext  *cli,
              int                format,
              const char        *output,
              GPtrArray         *runs,
              MusterHistoryRun  *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) stream = NULL;
  g_autoptr(GFile) file = NULL;
  gboolean ok;

  if (format == MUSTER_EXPORT_FORMAT_XLSX)
    {
#if HAVE_XLSXWRITER
      if (run != NULL)
        {
          const char *headers[] = { _("Status"), _("Action"), _("User"), _("Name"), _("Group"), _("Error") };
          g_autoptr(GPtrArray) rows = results_to_rows (run);

          ok = muster_export_write_table_xlsx (output, _("Results"), headers, G_N_ELEMENTS (headers), rows, &error);
        }
      else
        {
          const char *headers[] = { _("Run"), _("Started"), _("State"), _("Target"), _("Create"), _("Update"),
                                    _("Disable or delete"), _("Done"), _("Failed"), _("Who"), _("Message") };
          g_autoptr(GPtrArray) rows = runs_to_rows (runs, TRUE);

          ok = muster_export_write_table_xlsx (output, _("History"), headers, G_N_ELEMENTS (headers), rows, &error);
        }
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

  if (run != NULL)
    ok = muster_history_write_results (run, format, stream, cli->cancellable, &error);
  else
    ok = muster_history_write_runs (runs, format, stream, cli->cancellable, &error);
  if (ok)
    ok = g_output_stream_close (stream, cli->cancellable, &error);
  return ok ? MUSTER_EXIT_OK : _muster_cli_fail (cli, error);
}

MusterHistory *
_muster_cli_open_history (MusterCliContext  *cli,
                          GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_history_open_async (NULL, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  return muster_history_open_finish (result, error);
}

int
_muster_cli_history (MusterCliContext *cli,
                     int               argc,
                     char            **argv)
{
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;
  const char *run_id = NULL, *output = NULL;
  int format = cli->json ? MUSTER_EXPORT_FORMAT_JSON : MUSTER_CLI_FORMAT_TABLE;
  MusterProfile *profile;
  int status;

  for (int i = 1; i < argc; i++)
    {
      const char *value;
      gboolean missing = FALSE;

      if ((value = _muster_cli_option_value (argc, argv, &i, "--run", &missing)) != NULL)
        run_id = value;
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
        return _muster_cli_usage (cli, _("history does not know “%s” (see muster-cli history --help)"), argv[i]);
    }
  status = _muster_cli_check_output (cli, format, output);
  if (status != MUSTER_EXIT_OK)
    return status;

  profile = _muster_cli_open_profile (cli, &profiles, &error);
  if (profile == NULL)
    return _muster_cli_fail (cli, error);
  history = _muster_cli_open_history (cli, &error);
  if (history == NULL)
    return _muster_cli_fail (cli, error);

  if (run_id != NULL)
    {
      g_autoptr(GAsyncResult) result = NULL;

      muster_history_get_run_async (history, run_id, cli->cancellable, _muster_cli_store_result_cb, &result);
      _muster_cli_wait (&result);
      run = muster_history_get_run_finish (history, result, &error);
      if (run == NULL)
        {
          if (g_error_matches (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_NOT_FOUND))
            return _muster_cli_usage (cli, "%s", error->message);
          return _muster_cli_fail (cli, error);
        }
      if (format == MUSTER_CLI_FORMAT_TABLE)
        {
          print_run (cli, run);
          return MUSTER_EXIT_OK;
        }
      return write_export (cli, format, output, NULL, run);
    }

  {
    g_autoptr(GAsyncResult) result = NULL;

    muster_history_list_runs_async (history, muster_profile_get_name (profile), 0, cli->cancellable,
                                    _muster_cli_store_result_cb, &result);
    _muster_cli_wait (&result);
    runs = muster_history_list_runs_finish (history, result, &error);
  }
  if (runs == NULL)
    return _muster_cli_fail (cli, error);
  if (format != MUSTER_CLI_FORMAT_TABLE)
    return write_export (cli, format, output, runs, NULL);

  if (runs->len == 0)
    {
      fprintf (cli->err, "%s\n", _("No pushes yet. Preview one with “muster-cli preview --target TARGET”."));
      return MUSTER_EXIT_OK;
    }
  {
    const char *headers[] = { _("Run"), _("Started"), _("State"), _("Target"), _("Create"), _("Update"),
                              _("Disable"), _("Done"), _("Failed"), _("Who"), _("Message") };
    g_autoptr(GPtrArray) rows = runs_to_rows (runs, FALSE);

    _muster_cli_print_table (cli, headers, 10, rows);
  }
  return MUSTER_EXIT_OK;
}
