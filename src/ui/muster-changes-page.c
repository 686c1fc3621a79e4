/* muster-changes-page.c: Changes — who joined, left or changed in the tenant between two
 * snapshots, and group membership changes, with an export
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The snapshots are listed, loaded and compared in a worker thread (muster-snapshot-diff); the
 * page shows the totals and one row per change, as `muster-cli changes` prints them.
 */

#define G_LOG_DOMAIN "muster-changes-page"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-changes-page.h"

/* Rows drawn at most; the export has them all. */
#define MAX_ROWS 2000

struct _MusterChangesPage
{
  AdwBin               parent_instance;

  MusterSnapshotStore *store;
  char                *profile;
  GCancellable        *cancellable;
  MusterSnapshotDiff  *diff;
  GPtrArray           *bases;      /* of gint64: the snapshot ids "Compare with" offers */
  char                *summary;
  gboolean             loading;
  gboolean             filling;

  GtkStack            *stack;
  AdwStatusPage       *empty_page;
  GtkSpinner          *spinner;
  GtkDropDown         *base_dropdown;
  GtkStringList       *base_list;
  GtkLabel            *summary_label;
  GtkListBox          *list;
  GtkLabel            *more_label;
};

G_DEFINE_FINAL_TYPE (MusterChangesPage, muster_changes_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void load (MusterChangesPage *self,
                  gint64             base_id);

static void
set_loading (MusterChangesPage *self,
             gboolean           loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "changes.export", !loading && self->diff != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Loading ------------------------------------------------------------------------------------ */

typedef struct
{
  MusterSnapshotStore *store;
  char                *profile;
  gint64               base_id;    /* 0: the one before the latest */
} LoadData;

typedef struct
{
  GPtrArray          *snapshots;   /* of MusterSnapshotInfo, newest first */
  MusterSnapshotDiff *diff;        /* NULL with fewer than two */
} LoadResult;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->store);
  g_free (data->profile);
  g_free (data);
}

static void
load_result_free (LoadResult *result)
{
  g_clear_pointer (&result->snapshots, g_ptr_array_unref);
  g_clear_pointer (&result->diff, muster_snapshot_diff_free);
  g_free (result);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  LoadResult *result = g_new0 (LoadResult, 1);
  g_autoptr(MusterSnapshot) before = NULL;
  g_autoptr(MusterSnapshot) after = NULL;
  const MusterSnapshotInfo *base = NULL;
  GError *error = NULL;

  result->snapshots = muster_snapshot_store_list (data->store, data->profile, &error);
  if (result->snapshots == NULL)
    {
      load_result_free (result);
      g_task_return_error (task, error);
      return;
    }
  if (result->snapshots->len < 2)
    {
      g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
      return;
    }
  for (guint i = 1; i < result->snapshots->len && base == NULL; i++)
    if (data->base_id == 0 || ((MusterSnapshotInfo *) result->snapshots->pdata[i])->id == data->base_id)
      base = result->snapshots->pdata[i];
  if (base == NULL)
    base = result->snapshots->pdata[1];
  before = muster_snapshot_store_load (data->store, base->id, &error);
  if (before != NULL)
    after = muster_snapshot_store_load (data->store, ((MusterSnapshotInfo *) result->snapshots->pdata[0])->id, &error);
  if (after == NULL)
    {
      load_result_free (result);
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      load_result_free (result);
      return;
    }
  result->diff = muster_snapshot_diff_new (before, after);
  g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
}

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);

  /* Translators: a date and time, see the format of g_date_time_format() */
  return g_date_time_format (time, _("%-d %b %Y, %H:%M"));
}

static GtkWidget *
change_row_new (char **cells)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = NULL;

  /* cells: change, name, UPN, field or group, before, after */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), *cells[1] ? cells[1] : cells[2]);
  if (*cells[4] != '\0' || *cells[5] != '\0')
    /* Translators: a change of a user's field: "Changed · Job title: Buyer → Head Buyer" */
    subtitle = g_strdup_printf (_("%s · %s: %s → %s"), cells[0], cells[3], *cells[4] ? cells[4] : _("(empty)"),
                                *cells[5] ? cells[5] : _("(empty)"));
  else if (*cells[3] != '\0')
    subtitle = g_strdup_printf (_("%s · %s"), cells[0], cells[3]);
  else if (*cells[2] != '\0')
    subtitle = g_strdup_printf (_("%s · %s"), cells[0], cells[2]);
  else
    subtitle = g_strdup (cells[0]);
  {
    g_autofree char *escaped = g_markup_escape_text (subtitle, -1);

    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  }
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  return row;
}

static void
show_diff (MusterChangesPage *self)
{
  MusterSnapshotDiff *diff = self->diff;
  g_autoptr(GPtrArray) rows = muster_snapshot_diff_to_rows (diff);
  g_autofree char *before = format_time (diff->before->created_at);
  g_autofree char *after = format_time (diff->after->created_at);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  g_free (self->summary);
  self->summary = g_strdup_printf (_("From %s to %s: %u joined, %u left, %u changed; %u added to groups, "
                                     "%u removed from groups"),
                                   before, after, diff->joined, diff->left, diff->changed, diff->members_added,
                                   diff->members_removed);
  gtk_label_set_text (self->summary_label, self->summary);
  for (guint i = 0; i < rows->len && i < MAX_ROWS; i++)
    gtk_list_box_append (self->list, change_row_new (rows->pdata[i]));
  gtk_widget_set_visible (GTK_WIDGET (self->list), rows->len > 0);
  if (rows->len > MAX_ROWS)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("And %u more change: Export… writes them all.",
                                                         "And %u more changes: Export… writes them all.",
                                                         rows->len - MAX_ROWS), rows->len - MAX_ROWS);

      gtk_label_set_text (self->more_label, more);
    }
  else if (rows->len == 0)
    gtk_label_set_text (self->more_label, _("Nothing changed in the directory between these snapshots."));
  gtk_widget_set_visible (GTK_WIDGET (self->more_label), rows->len > MAX_ROWS || rows->len == 0);
  gtk_stack_set_visible_child_name (self->stack, "changes");
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  MusterChangesPage *self = MUSTER_CHANGES_PAGE (source);
  g_autoptr(GError) error = NULL;
  LoadResult *loaded = g_task_propagate_pointer (G_TASK (result), &error);
  gint64 base_id;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (loaded == NULL)
    {
      g_clear_pointer (&self->diff, muster_snapshot_diff_free);
      set_loading (self, FALSE);
      adw_status_page_set_title (self->empty_page, _("Could Not Compare the Snapshots"));
      adw_status_page_set_description (self->empty_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  /* "Compare with": every snapshot but the latest */
  self->filling = TRUE;
  g_ptr_array_set_size (self->bases, 0);
  gtk_string_list_splice (self->base_list, 0, g_list_model_get_n_items (G_LIST_MODEL (self->base_list)), NULL);
  for (guint i = 1; i < loaded->snapshots->len; i++)
    {
      MusterSnapshotInfo *info = loaded->snapshots->pdata[i];
      g_autofree char *when = format_time (info->created_at);
      g_autofree char *label = g_strdup_printf (_("Snapshot %" G_GINT64_FORMAT " of %s"), info->id, when);
      gint64 *id = g_new (gint64, 1);

      *id = info->id;
      g_ptr_array_add (self->bases, id);
      gtk_string_list_append (self->base_list, label);
    }
  base_id = loaded->diff != NULL ? loaded->diff->before->id : 0;
  for (guint i = 0; i < self->bases->len; i++)
    if (*(gint64 *) self->bases->pdata[i] == base_id)
      gtk_drop_down_set_selected (self->base_dropdown, i);
  self->filling = FALSE;

  g_clear_pointer (&self->diff, muster_snapshot_diff_free);
  self->diff = g_steal_pointer (&loaded->diff);
  load_result_free (loaded);
  set_loading (self, FALSE);
  if (self->diff == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("No Changes to Show Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("Read the directory again later: this page shows who joined, left or "
                                         "changed between two snapshots."));
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  show_diff (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "changes.export", TRUE);
}

static void
load (MusterChangesPage *self,
      gint64             base_id)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store == NULL || self->profile == NULL)
    {
      g_clear_pointer (&self->diff, muster_snapshot_diff_free);
      set_loading (self, FALSE);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  self->cancellable = g_cancellable_new ();
  data = g_new0 (LoadData, 1);
  data->store = g_object_ref (self->store);
  data->profile = g_strdup (self->profile);
  data->base_id = base_id;
  task = g_task_new (self, self->cancellable, loaded_cb, NULL);
  g_task_set_source_tag (task, load);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  set_loading (self, TRUE);
  if (self->diff == NULL)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  g_task_run_in_thread (task, load_thread);
}

static void
base_selected_cb (MusterChangesPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->base_dropdown);

  if (self->filling || selected == GTK_INVALID_LIST_POSITION || selected >= self->bases->len)
    return;
  load (self, *(gint64 *) self->bases->pdata[selected]);
}

/* Export ---------------------------------------------------------------------------------- */

static void
replaced_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

typedef struct
{
  char      *path;
  GPtrArray *rows;
} XlsxData;

static void
xlsx_data_free (XlsxData *data)
{
  g_free (data->path);
  g_clear_pointer (&data->rows, g_ptr_array_unref);
  g_free (data);
}

static void
write_xlsx_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  XlsxData *data = task_data;
  GError *error = NULL;

  if (muster_export_write_table_xlsx (data->path, _("Changes"), muster_snapshot_diff_row_headers (), 6, data->rows,
                                      &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
muster_changes_page_export_async (MusterChangesPage   *self,
                                  GFile               *file,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GOutputStream) memory = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;
  GError *error = NULL;
  MusterExportFormat format;

  g_return_if_fail (MUSTER_IS_CHANGES_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_changes_page_export_async);
  if (self->diff == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There are no changes to export."));
      return;
    }
  name = g_file_get_basename (file);
  if (name != NULL && g_str_has_suffix (name, ".xlsx"))
    {
      XlsxData *data = g_new0 (XlsxData, 1);

      if (!muster_export_format_is_available (MUSTER_EXPORT_FORMAT_XLSX) || (data->path = g_file_get_path (file)) == NULL)
        {
          xlsx_data_free (data);
          g_task_return_new_error (task, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_UNSUPPORTED,
                                   _("This copy of Muster cannot write Excel workbooks to “%s”."), name);
          return;
        }
      /* the rows are taken now (the page may show other changes meanwhile), written in a thread */
      data->rows = muster_snapshot_diff_to_rows (self->diff);
      g_task_set_task_data (task, data, (GDestroyNotify) xlsx_data_free);
      g_task_run_in_thread (task, write_xlsx_thread);
      return;
    }
  format = name != NULL && g_str_has_suffix (name, ".json") ? MUSTER_EXPORT_FORMAT_JSON : MUSTER_EXPORT_FORMAT_CSV;
  /* the text is made here (the report is the page's, and it may be replaced meanwhile); the
   * file is written asynchronously */
  memory = g_memory_output_stream_new_resizable ();
  if (!muster_snapshot_diff_write (self->diff, format, memory, NULL, &error) ||
      !g_output_stream_close (memory, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, replaced_cb, g_steal_pointer (&task));
}

gboolean
muster_changes_page_export_finish (MusterChangesPage  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  MusterChangesPage *self = MUSTER_CHANGES_PAGE (source);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = g_file_get_parse_name (file);

  if (!muster_changes_page_export_finish (self, result, &error))
    text = g_strdup_printf (_("Could not export the changes: %s"), error->message);
  else
    text = g_strdup_printf (_("The changes were exported to %s"), path);
  gtk_label_set_text (self->more_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->more_label), TRUE);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  MusterChangesPage *self = MUSTER_CHANGES_PAGE (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      muster_changes_page_export_async (self, file, NULL, exported_cb, g_object_ref (file));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) csv = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) json = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Export the Changes"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_filter_set_name (csv, _("CSV"));
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_filter_set_name (json, _("JSON"));
  gtk_file_filter_add_suffix (json, "json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), csv);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), json);
  if (muster_export_format_is_available (MUSTER_EXPORT_FORMAT_XLSX))
    {
      g_autoptr(GtkFileFilter) xlsx = gtk_file_filter_new ();

      gtk_file_filter_set_name (xlsx, _("Excel Workbook"));
      gtk_file_filter_add_suffix (xlsx, "xlsx");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), xlsx);
    }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("changes.csv"));
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* GObject --------------------------------------------------------------------------------- */

static void
muster_changes_page_dispose (GObject *object)
{
  MusterChangesPage *self = MUSTER_CHANGES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  /* no gtk_widget_dispose_template (): AdwBin drops its child, the stack, and with it every
   * bound widget; GTK clears the pointers when the page is finalized */
  G_OBJECT_CLASS (muster_changes_page_parent_class)->dispose (object);
}

static void
muster_changes_page_finalize (GObject *object)
{
  MusterChangesPage *self = MUSTER_CHANGES_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_free (self->profile);
  g_free (self->summary);
  g_clear_pointer (&self->diff, muster_snapshot_diff_free);
  g_clear_pointer (&self->bases, g_ptr_array_unref);
  G_OBJECT_CLASS (muster_changes_page_parent_class)->finalize (object);
}

static void
muster_changes_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, MUSTER_CHANGES_PAGE (object)->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_changes_page_class_init (MusterChangesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_changes_page_dispose;
  object_class->finalize = muster_changes_page_finalize;
  object_class->get_property = muster_changes_page_get_property;

  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-changes-page.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, MusterChangesPage, name)
  CHILD (stack);
  CHILD (empty_page);
  CHILD (spinner);
  CHILD (base_dropdown);
  CHILD (summary_label);
  CHILD (list);
  CHILD (more_label);
#undef CHILD
  gtk_widget_class_install_action (widget_class, "changes.export", NULL, export_action);
}

static void
muster_changes_page_init (MusterChangesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* the drop-down's model, not a bound child: disposing the template would drop a reference
   * that is the drop-down's */
  self->base_list = GTK_STRING_LIST (gtk_drop_down_get_model (self->base_dropdown));
  self->bases = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "changes.export", FALSE);
  g_signal_connect_swapped (self->base_dropdown, "notify::selected", G_CALLBACK (base_selected_cb), self);
}

void
muster_changes_page_set_store (MusterChangesPage   *self,
                               MusterSnapshotStore *store,
                               const char          *profile)
{
  g_return_if_fail (MUSTER_IS_CHANGES_PAGE (self));

  if (store == self->store && g_strcmp0 (profile, self->profile) == 0)
    return;
  g_set_object (&self->store, store);
  g_free (self->profile);
  self->profile = g_strdup (profile);
  g_clear_pointer (&self->diff, muster_snapshot_diff_free);
  load (self, 0);
}

void
muster_changes_page_reload (MusterChangesPage *self)
{
  g_return_if_fail (MUSTER_IS_CHANGES_PAGE (self));
  load (self, 0);
}

gboolean
muster_changes_page_get_loading (MusterChangesPage *self)
{
  g_return_val_if_fail (MUSTER_IS_CHANGES_PAGE (self), FALSE);
  return self->loading;
}

MusterSnapshotDiff *
muster_changes_page_get_diff (MusterChangesPage *self)
{
  g_return_val_if_fail (MUSTER_IS_CHANGES_PAGE (self), NULL);
  return self->diff;
}

const char *
muster_changes_page_get_summary_text (MusterChangesPage *self)
{
  g_return_val_if_fail (MUSTER_IS_CHANGES_PAGE (self), NULL);
  return self->diff != NULL ? self->summary : NULL;
}
