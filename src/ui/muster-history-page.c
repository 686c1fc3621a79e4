/* muster-history-page.c: every push into every target — time, target, counts, outcome — with
 * each run's per-user results and an export
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-history-page"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-history-page.h"

struct _MusterHistoryPage
{
  AdwBin          parent_instance;

  MusterHistory  *history;
  char           *profile;
  GPtrArray      *runs;          /* of MusterHistoryRun, newest first */
  GPtrArray      *rows;          /* of AdwExpanderRow, as runs */
  GCancellable   *cancellable;
  gboolean        loading;
  gboolean        exporting;
  char           *export_name;   /* the file the last export went to */

  /* template children */
  GtkStack       *stack;
  GtkLabel       *count_label;
  GtkListBox     *runs_list;
};

G_DEFINE_FINAL_TYPE (MusterHistoryPage, muster_history_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Helpers ------------------------------------------------------------------------------- */

static void
update_actions (MusterHistoryPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.refresh", self->history != NULL && !self->loading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.export",
                                 self->runs != NULL && self->runs->len > 0 && !self->exporting);
}

static void
set_loading (MusterHistoryPage *self,
             gboolean           loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
append_count (GString    *text,
              guint       n,
              const char *part)
{
  if (n == 0)
    return;
  if (text->len > 0)
    g_string_append (text, ", ");
  g_string_append (text, part);
}

static char *
format_counts (const MusterHistoryRun *run)
{
  g_autoptr(GString) text = g_string_new (NULL);
  /* Translators: counts of a push in the history */
  g_autofree char *created = g_strdup_printf (_("%u created"), run->counts.create);
  g_autofree char *updated = g_strdup_printf (_("%u updated"), run->counts.update);
  g_autofree char *disabled = g_strdup_printf (_("%u disabled"), run->counts.disable);
  g_autofree char *deleted = g_strdup_printf (_("%u deleted"), run->counts.delete);

  append_count (text, run->counts.create, created);
  append_count (text, run->counts.update, updated);
  append_count (text, run->counts.disable, disabled);
  append_count (text, run->counts.delete, deleted);
  if (text->len == 0)
    g_string_append (text, _("no user changes"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static const char *
result_status_title (MusterResultStatus status)
{
  switch (status)
    {
    case MUSTER_RESULT_STATUS_DONE:
      return _("Done");
    case MUSTER_RESULT_STATUS_FAILED:
      return _("Failed");
    case MUSTER_RESULT_STATUS_PENDING:
    default:
      return _("Not applied");
    }
}

static void
fill_results (AdwExpanderRow         *row,
              const MusterHistoryRun *run)
{
  guint shown = 0;

  for (guint i = 0; run->results != NULL && i < run->results->len; i++)
    {
      const MusterHistoryResult *result = run->results->pdata[i];
      GtkWidget *child = adw_action_row_new ();
      GtkWidget *status = gtk_label_new (result_status_title (result->status));
      const char *name = result->display_name ? result->display_name
                         : result->user_principal_name ? result->user_principal_name
                         : result->group_name ? result->group_name : result->key;
      g_autofree char *subtitle = NULL;

      /* Translators: one result in the history: the action and, when it failed, the target's words */
      if (result->error != NULL)
        subtitle = g_strdup_printf (_("%s: %s"), result->action, result->error);
      else
        subtitle = g_strdup (result->action);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (child), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (child), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (child), subtitle);
      gtk_widget_add_css_class (status, result->status == MUSTER_RESULT_STATUS_FAILED ? "error"
                                        : result->status == MUSTER_RESULT_STATUS_DONE ? "success" : "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (child), status);
      adw_expander_row_add_row (row, child);
      shown++;
    }
  if (shown == 0)
    {
      GtkWidget *child = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (child), _("Nothing was applied in this run"));
      adw_expander_row_add_row (row, child);
    }
}

/* Reading ------------------------------------------------------------------------------- */

static void
run_loaded_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(AdwExpanderRow) row = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterHistoryRun) run = muster_history_get_run_finish (MUSTER_HISTORY (source), result, &error);

  if (run == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GtkWidget *child = adw_action_row_new ();

          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (child), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (child), error->message);
          adw_expander_row_add_row (row, child);
        }
      g_object_set_data (G_OBJECT (row), "muster-loaded", NULL);
      return;
    }
  fill_results (row, run);
}

static void
row_expanded_cb (AdwExpanderRow    *row,
                 GParamSpec        *pspec,
                 MusterHistoryPage *self)
{
  const char *run_id = g_object_get_data (G_OBJECT (row), "muster-run-id");

  if (!adw_expander_row_get_expanded (row) || g_object_get_data (G_OBJECT (row), "muster-loaded") != NULL ||
      self->history == NULL)
    return;
  g_object_set_data (G_OBJECT (row), "muster-loaded", GINT_TO_POINTER (TRUE));
  muster_history_get_run_async (self->history, run_id, self->cancellable, run_loaded_cb, g_object_ref (row));
}

static void
show_runs (MusterHistoryPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->runs_list))) != NULL)
    gtk_list_box_remove (self->runs_list, child);
  g_ptr_array_set_size (self->rows, 0);

  for (guint i = 0; self->runs != NULL && i < self->runs->len; i++)
    {
      const MusterHistoryRun *run = self->runs->pdata[i];
      GtkWidget *row = adw_expander_row_new ();
      GtkWidget *state = gtk_label_new (muster_run_state_get_title (run->state));
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (run->started_at);
      g_autofree char *time = g_date_time_format (when, "%x %X");
      g_autofree char *counts = format_counts (run);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;

      /* Translators: a push in the history: when, and into which target */
      title = g_strdup_printf (_("%s — %s"), time, run->target_description ? run->target_description : run->target_uri);
      if (run->failed > 0)
        /* Translators: counts, then how many operations failed */
        subtitle = g_strdup_printf (_("%s; %u of %u changes failed"), counts, run->failed, run->total);
      else
        subtitle = g_strdup_printf (_("%s; %u of %u changes made"), counts, run->done, run->total);
      if (run->message != NULL)
        {
          g_autofree char *with_message = g_strdup_printf ("%s\n%s", subtitle, run->message);

          g_free (subtitle);
          subtitle = g_steal_pointer (&with_message);
        }
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
      gtk_widget_add_css_class (state, run->state == MUSTER_RUN_STATE_COMPLETED ? "success"
                                       : run->state == MUSTER_RUN_STATE_RUNNING ? "accent" : "warning");
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row), state);
      g_object_set_data_full (G_OBJECT (row), "muster-run-id", g_strdup (run->id), g_free);
      g_signal_connect_object (row, "notify::expanded", G_CALLBACK (row_expanded_cb), self, 0);
      gtk_list_box_append (self->runs_list, row);
      g_ptr_array_add (self->rows, row);
    }

  if (self->runs != NULL && self->runs->len > 0)
    {
      g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u push", "%u pushes", self->runs->len),
                                                self->runs->len);

      gtk_label_set_text (self->count_label, count);
      gtk_stack_set_visible_child_name (self->stack, "runs");
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
runs_listed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(MusterHistoryPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = muster_history_list_runs_finish (MUSTER_HISTORY (source), result, &error);

  if (MUSTER_HISTORY (source) != self->history)
    return;
  if (runs == NULL)
    {
      set_loading (self, FALSE);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the push history: %s", error->message);
      return;
    }
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  self->runs = g_steal_pointer (&runs);
  show_runs (self);
  /* "loading" turns off once the rows are there to open */
  set_loading (self, FALSE);
  update_actions (self);
}

/* Export -------------------------------------------------------------------------------- */

typedef struct
{
  MusterHistory *history;
  char          *profile;
  GFile         *file;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->history);
  g_free (data->profile);
  g_clear_object (&data->file);
  g_free (data);
}

static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *data = task_data;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) full = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_history_run_free);
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autofree char *name = g_file_get_basename (data->file);
  MusterExportFormat format = g_str_has_suffix (name, ".json") ? MUSTER_EXPORT_FORMAT_JSON : MUSTER_EXPORT_FORMAT_CSV;
  GError *error = NULL;

  runs = muster_history_list_runs (data->history, data->profile, 0, &error);
  if (runs == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < runs->len; i++)
    {
      const MusterHistoryRun *run = runs->pdata[i];
      MusterHistoryRun *loaded = muster_history_get_run (data->history, run->id, &error);

      if (loaded == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (full, loaded);
    }

  stream = g_file_replace (data->file, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                           cancellable, &error);
  if (stream == NULL
      || !muster_history_write_runs (full, format, G_OUTPUT_STREAM (stream), cancellable, &error)
      || !g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  MusterHistoryPage *self = MUSTER_HISTORY_PAGE (source);
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (muster_history_page_export_finish (self, result, &error) || !GTK_IS_WINDOW (root))
    return;
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (root), _("Could Not Export the History"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
export_chosen_cb (GtkNativeDialog   *chooser,
                  int                response,
                  MusterHistoryPage *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  if (file != NULL)
    muster_history_page_export_async (self, file, self->cancellable, exported_cb, NULL);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MusterHistoryPage *self = MUSTER_HISTORY_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) csv = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) json = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Export the Push History"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_filter_set_name (csv, _("CSV (spreadsheets)"));
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_filter_set_name (json, _("JSON, with every user’s result"));
  gtk_file_filter_add_suffix (json, "json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), csv);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), json);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "muster-history.csv");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  muster_history_page_reload (MUSTER_HISTORY_PAGE (widget));
}

/* Overrides ----------------------------------------------------------------------------- */

static void
muster_history_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, MUSTER_HISTORY_PAGE (object)->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_history_page_dispose (GObject *object)
{
  MusterHistoryPage *self = MUSTER_HISTORY_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_HISTORY_PAGE);
  g_clear_object (&self->history);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (muster_history_page_parent_class)->dispose (object);
}

static void
muster_history_page_finalize (GObject *object)
{
  MusterHistoryPage *self = MUSTER_HISTORY_PAGE (object);

  g_free (self->profile);
  g_free (self->export_name);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (muster_history_page_parent_class)->finalize (object);
}

static void
muster_history_page_class_init (MusterHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_history_page_dispose;
  object_class->finalize = muster_history_page_finalize;
  object_class->get_property = muster_history_page_get_property;

  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterHistoryPage, stack);
  gtk_widget_class_bind_template_child (widget_class, MusterHistoryPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, MusterHistoryPage, runs_list);

  gtk_widget_class_install_action (widget_class, "history.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "history.export", NULL, export_action);
}

static void
muster_history_page_init (MusterHistoryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();
  gtk_stack_set_visible_child_name (self->stack, "empty");
  update_actions (self);
}

/* Public API ---------------------------------------------------------------------------- */

void
muster_history_page_set_history (MusterHistoryPage *self,
                                 MusterHistory     *history,
                                 const char        *profile)
{
  g_return_if_fail (MUSTER_IS_HISTORY_PAGE (self));
  g_return_if_fail (history == NULL || MUSTER_IS_HISTORY (history));

  g_set_object (&self->history, history);
  g_free (self->profile);
  self->profile = g_strdup (profile);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  show_runs (self);
  muster_history_page_reload (self);
}

void
muster_history_page_reload (MusterHistoryPage *self)
{
  g_return_if_fail (MUSTER_IS_HISTORY_PAGE (self));

  update_actions (self);
  if (self->history == NULL)
    return;
  set_loading (self, TRUE);
  muster_history_list_runs_async (self->history, self->profile, 0, self->cancellable, runs_listed_cb,
                                  g_object_ref (self));
}

gboolean
muster_history_page_get_loading (MusterHistoryPage *self)
{
  g_return_val_if_fail (MUSTER_IS_HISTORY_PAGE (self), FALSE);
  return self->loading;
}

guint
muster_history_page_get_n_runs (MusterHistoryPage *self)
{
  g_return_val_if_fail (MUSTER_IS_HISTORY_PAGE (self), 0);
  return self->runs ? self->runs->len : 0;
}

const MusterHistoryRun *
muster_history_page_get_run (MusterHistoryPage *self,
                             guint              index)
{
  g_return_val_if_fail (MUSTER_IS_HISTORY_PAGE (self), NULL);
  g_return_val_if_fail (self->runs != NULL && index < self->runs->len, NULL);
  return self->runs->pdata[index];
}

void
muster_history_page_expand_run (MusterHistoryPage *self,
                                guint              index)
{
  g_return_if_fail (MUSTER_IS_HISTORY_PAGE (self));
  g_return_if_fail (index < self->rows->len);
  adw_expander_row_set_expanded (self->rows->pdata[index], TRUE);
  /* brought into view, and the keyboard there */
  gtk_widget_grab_focus (self->rows->pdata[index]);
}

gboolean
muster_history_page_get_run_expanded (MusterHistoryPage *self,
                                      guint              index)
{
  g_return_val_if_fail (MUSTER_IS_HISTORY_PAGE (self), FALSE);
  g_return_val_if_fail (index < self->rows->len, FALSE);
  return adw_expander_row_get_expanded (self->rows->pdata[index]);
}

void
muster_history_page_export_async (MusterHistoryPage   *self,
                                  GFile               *file,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportData *data;

  g_return_if_fail (MUSTER_IS_HISTORY_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_history_page_export_async);
  if (self->history == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("There is no history to export"));
      return;
    }
  data = g_new0 (ExportData, 1);
  data->history = g_object_ref (self->history);
  data->profile = g_strdup (self->profile);
  data->file = g_object_ref (file);
  g_free (self->export_name);
  self->export_name = g_file_get_basename (file);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  self->exporting = TRUE;
  update_actions (self);
  g_task_run_in_thread (task, export_thread);
}

gboolean
muster_history_page_export_finish (MusterHistoryPage  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  gboolean exported;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  self->exporting = FALSE;
  update_actions (self);
  exported = g_task_propagate_boolean (G_TASK (result), error);
  if (exported)
    {
      /* Translators: after an export of the history; %s is the file's name */
      g_autofree char *done = g_strdup_printf (_("History exported to “%s”"), self->export_name);

      gtk_label_set_text (self->count_label, done);
    }
  return exported;
}
