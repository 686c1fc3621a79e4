/* muster-history-export.c: the push history as JSON and CSV, for the CLI and the History
 * page's export
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Works on MusterHistoryRun values only; reading them from history.db is muster-history.c's.
 */

#define G_LOG_DOMAIN "muster-history"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-export-private.h"
#include "muster-history.h"

/* Exports ------------------------------------------------------------------------------------- */

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_time_member (JsonBuilder *builder,
                 const char  *name,
                 gint64       unix_time)
{
  g_autofree char *text = _muster_export_format_time (unix_time);

  add_string_member (builder, name, text);
}

static void
add_int_member (JsonBuilder *builder,
                const char  *name,
                gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
build_run (JsonBuilder            *builder,
           const MusterHistoryRun *run)
{
  json_builder_begin_object (builder);
  add_string_member (builder, "id", run->id);
  add_string_member (builder, "profile", run->profile);
  add_string_member (builder, "target", run->target_uri);
  add_string_member (builder, "targetDescription", run->target_description);
  add_string_member (builder, "who", run->who);
  add_time_member (builder, "startedAt", run->started_at);
  add_time_member (builder, "finishedAt", run->finished_at);
  add_string_member (builder, "state", muster_run_state_to_string (run->state));
  json_builder_set_member_name (builder, "counts");
  json_builder_begin_object (builder);
  add_int_member (builder, "create", run->counts.create);
  add_int_member (builder, "update", run->counts.update);
  add_int_member (builder, "disable", run->counts.disable);
  add_int_member (builder, "delete", run->counts.delete);
  add_int_member (builder, "groupsCreate", run->counts.groups_create);
  add_int_member (builder, "membersAdd", run->counts.members_add);
  add_int_member (builder, "membersRemove", run->counts.members_remove);
  json_builder_end_object (builder);
  add_int_member (builder, "total", run->total);
  add_int_member (builder, "done", run->done);
  add_int_member (builder, "failed", run->failed);
  add_string_member (builder, "resumes", run->resumes);
  add_string_member (builder, "message", run->message);
  json_builder_set_member_name (builder, "scheduled");
  json_builder_add_boolean_value (builder, run->scheduled);

  if (run->results != NULL)
    {
      json_builder_set_member_name (builder, "results");
      json_builder_begin_array (builder);
      for (guint i = 0; i < run->results->len; i++)
        {
          MusterHistoryResult *result = g_ptr_array_index (run->results, i);

          json_builder_begin_object (builder);
          add_string_member (builder, "key", result->key);
          add_string_member (builder, "kind", result->kind);
          add_string_member (builder, "action", result->action);
          add_string_member (builder, "userId", result->user_id);
          add_string_member (builder, "userPrincipalName", result->user_principal_name);
          add_string_member (builder, "displayName", result->display_name);
          add_string_member (builder, "groupName", result->group_name);
          add_string_member (builder, "status", muster_result_status_to_string (result->status));
          add_string_member (builder, "error", result->error);
          add_string_member (builder, "targetId", result->target_id);
          add_string_member (builder, "retriedBy", result->retried_by);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
}

JsonNode *
muster_history_run_to_json (const MusterHistoryRun *run)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (run != NULL, NULL);

  build_run (builder, run);
  return json_builder_get_root (builder);
}

static gboolean
write_json (JsonNode       *root,
            GOutputStream  *stream,
            GCancellable   *cancellable,
            GError        **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  gsize length = 0;
  MusterExportSink sink;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);

  _muster_export_sink_init (&sink, stream, cancellable);
  g_string_append_len (sink.buffer, text, length);
  g_string_append_c (sink.buffer, '\n');
  return _muster_export_sink_finish (&sink, error);
}

static gboolean
check_stream_format (MusterExportFormat   format,
                     GError             **error)
{
  if (format == MUSTER_EXPORT_FORMAT_CSV || format == MUSTER_EXPORT_FORMAT_JSON)
    return TRUE;
  g_set_error_literal (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_UNSUPPORTED,
                       _("The push history can be exported as CSV or JSON."));
  return FALSE;
}

static void
append_row (GString            *out,
            const char * const *cells,
            guint               n_cells)
{
  for (guint c = 0; c < n_cells; c++)
    {
      if (c > 0)
        g_string_append_c (out, ',');
      _muster_export_csv_append_cell (out, cells[c]);
    }
  g_string_append (out, "\r\n");
}

gboolean
muster_history_write_runs (GPtrArray           *runs,
                           MusterExportFormat   format,
                           GOutputStream       *stream,
                           GCancellable        *cancellable,
                           GError             **error)
{
  MusterExportSink sink;

  g_return_val_if_fail (runs != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  if (!check_stream_format (format, error))
    return FALSE;

  if (format == MUSTER_EXPORT_FORMAT_JSON)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "runs");
      json_builder_begin_array (builder);
      for (guint i = 0; i < runs->len; i++)
        build_run (builder, g_ptr_array_index (runs, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      return write_json (root, stream, cancellable, error);
    }

  _muster_export_sink_init (&sink, stream, cancellable);
  {
    const char * const header[] = {
      _("Run"), _("Started"), _("Finished"), _("State"), _("Profile"), _("Target"), _("Who"),
      _("Create"), _("Update"), _("Disable"), _("Delete"), _("Create groups"), _("Add members"),
      _("Remove members"), _("Operations"), _("Done"), _("Failed"), _("Resumes"), _("Message"),
    };
    append_row (sink.buffer, header, G_N_ELEMENTS (header));
  }
  for (guint i = 0; i < runs->len; i++)
    {
      MusterHistoryRun *run = g_ptr_array_index (runs, i);
      g_autofree char *started = _muster_export_format_time (run->started_at);
      g_autofree char *finished = _muster_export_format_time (run->finished_at);
      g_autofree char *n_create = g_strdup_printf ("%u", run->counts.create);
      g_autofree char *n_update = g_strdup_printf ("%u", run->counts.update);
      g_autofree char *n_disable = g_strdup_printf ("%u", run->counts.disable);
      g_autofree char *n_delete = g_strdup_printf ("%u", run->counts.delete);
      g_autofree char *n_groups = g_strdup_printf ("%u", run->counts.groups_create);
      g_autofree char *n_add = g_strdup_printf ("%u", run->counts.members_add);
      g_autofree char *n_remove = g_strdup_printf ("%u", run->counts.members_remove);
      g_autofree char *total = g_strdup_printf ("%u", run->total);
      g_autofree char *done = g_strdup_printf ("%u", run->done);
      g_autofree char *failed = g_strdup_printf ("%u", run->failed);
      const char * const row[] = {
        run->id, started, finished, muster_run_state_to_string (run->state), run->profile,
        run->target_uri, run->who, n_create, n_update, n_disable, n_delete, n_groups, n_add,
        n_remove, total, done, failed, run->resumes, run->message,
      };

      append_row (sink.buffer, row, G_N_ELEMENTS (row));
      if (!_muster_export_sink_maybe_flush (&sink))
        break;
    }
  return _muster_export_sink_finish (&sink, error);
}

gboolean
muster_history_write_results (const MusterHistoryRun  *run,
                              MusterExportFormat       format,
                              GOutputStream           *stream,
                              GCancellable            *cancellable,
                              GError                 **error)
{
  MusterExportSink sink;

  g_return_val_if_fail (run != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  if (!check_stream_format (format, error))
    return FALSE;

  if (format == MUSTER_EXPORT_FORMAT_JSON)
    {
      g_autoptr(JsonNode) root = muster_history_run_to_json (run);
      return write_json (root, stream, cancellable, error);
    }

  _muster_export_sink_init (&sink, stream, cancellable);
  {
    const char * const header[] = {
      _("Run"), _("Action"), _("Status"), _("User principal name"), _("Display name"),
      _("Group"), _("User ID"), _("Target ID"), _("Error"), _("Retried by"), _("Key"),
    };
    append_row (sink.buffer, header, G_N_ELEMENTS (header));
  }
  for (guint i = 0; run->results != NULL && i < run->results->len; i++)
    {
      MusterHistoryResult *result = g_ptr_array_index (run->results, i);
      const char * const row[] = {
        run->id, result->action, muster_result_status_to_string (result->status),
        result->user_principal_name, result->display_name, result->group_name, result->user_id,
        result->target_id, result->error, result->retried_by, result->key,
      };

      append_row (sink.buffer, row, G_N_ELEMENTS (row));
      if (!_muster_export_sink_maybe_flush (&sink))
        break;
    }
  return _muster_export_sink_finish (&sink, error);
}

typedef struct
{
  GPtrArray          *runs;
  MusterHistoryRun   *run;
  MusterExportFormat  format;
  GFile              *file;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_pointer (&data->runs, g_ptr_array_unref);
  g_clear_pointer (&data->run, muster_history_run_free);
  g_clear_object (&data->file);
  g_free (data);
}

/* The folder of @file, as the export errors name it. */
static char *
folder_name (GFile *file)
{
  g_autoptr(GFile) parent = g_file_get_parent (file);

  return parent != NULL ? g_file_get_parse_name (parent) : g_file_get_parse_name (file);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *data = task_data;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!check_stream_format (data->format, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* GIO writes beside the file and renames it over the file on a successful close. */
  stream = g_file_replace (data->file, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                           cancellable, &error);
  if (stream == NULL)
    {
      g_autofree char *name = folder_name (data->file);
      g_autoptr(GError) cause = g_steal_pointer (&error);

      _muster_export_set_write_error (&error, cause, name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (data->run != NULL)
    ok = muster_history_write_results (data->run, data->format, G_OUTPUT_STREAM (stream), cancellable, &error);
  else
    ok = muster_history_write_runs (data->runs, data->format, G_OUTPUT_STREAM (stream), cancellable, &error);

  if (ok)
    {
      g_autoptr(GError) cause = NULL;

      if (!g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, &cause))
        {
          g_autofree char *name = folder_name (data->file);

          _muster_export_set_write_error (&error, cause, name);
          ok = FALSE;
        }
    }
  else
    {
      /* Closing with a cancelled cancellable drops the half-written file and keeps the old one. */
      g_autoptr(GCancellable) abandon = g_cancellable_new ();

      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (stream), abandon, NULL);
    }

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
muster_history_export_async (GPtrArray              *runs,
                             const MusterHistoryRun *run,
                             MusterExportFormat      format,
                             GFile                  *file,
                             GCancellable           *cancellable,
                             GAsyncReadyCallback     callback,
                             gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportData *data;

  g_return_if_fail (runs != NULL || run != NULL);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_history_export_async);
  data = g_new0 (ExportData, 1);
  if (run != NULL)
    {
      data->run = muster_history_run_copy (run);
    }
  else
    {
      data->runs = g_ptr_array_new_full (runs->len, (GDestroyNotify) muster_history_run_free);
      for (guint i = 0; i < runs->len; i++)
        g_ptr_array_add (data->runs, muster_history_run_copy (g_ptr_array_index (runs, i)));
    }
  data->format = format;
  data->file = g_object_ref (file);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
muster_history_export_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
