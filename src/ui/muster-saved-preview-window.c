/* muster-saved-preview-window.c: a saved .muster-preview opened read-only, on any computer
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opening a preview needs nothing but the file: no profile, no sign-in, no network. The file is
 * read in a worker thread (muster_preview_file_load_async()); a damaged one gives a dialog that
 * says what is wrong, and nothing else.
 */

#define G_LOG_DOMAIN "muster-saved-preview"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-report-export.h"
#include "muster-report-print.h"
#include "muster-saved-preview-window-private.h"


G_DEFINE_FINAL_TYPE (MusterSavedPreviewWindow, muster_saved_preview_window, ADW_TYPE_APPLICATION_WINDOW)

static char *
format_unix_time (gint64 unix_time)
{
  g_autoptr(GDateTime) utc = unix_time > 0 ? g_date_time_new_from_unix_utc (unix_time) : NULL;
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  char *text;

  if (local == NULL)
    return g_strdup (_("an unknown time"));
  /* Translators: a date and time, see strftime(3) */
  text = g_date_time_format (local, _("%-d %B %Y, %H:%M"));
  return g_strstrip (text);
}

static void
show_preview (MusterSavedPreviewWindow *self)
{
  MusterPlan *plan = muster_preview_file_get_plan (self->preview);
  g_autoptr(GError) refusal = NULL;
  g_autofree char *snapshot_time = format_unix_time (muster_preview_file_get_snapshot_time (self->preview));
  g_autofree char *details = NULL;
  g_autofree char *name = self->file != NULL ? g_file_get_basename (self->file) : NULL;
  guint count = 0, percent = 0;

  self->notice = muster_preview_file_describe (self->preview);
  gtk_label_set_text (self->notice_label, self->notice);
  /* Translators: under the saved preview's notice: the target, then when the snapshot was taken */
  details = g_strdup_printf (_("Target: %s · from the directory as it was on %s"),
                             muster_preview_file_get_target_description (self->preview), snapshot_time);
  gtk_label_set_text (self->details_label, details);
  if (name != NULL)
    adw_window_title_set_subtitle (self->window_title, name);
  gtk_widget_set_visible (GTK_WIDGET (self->command_label), self->file != NULL);
  if (self->file != NULL)
    {
      g_autofree char *path = g_file_get_path (self->file);
      g_autofree char *quoted = g_shell_quote (path != NULL ? path : name);
      /* Translators: %s is the file, twice, as a shell would take it */
      g_autofree char *command = g_strdup_printf (_("On a computer signed in to this target: "
                                                    "“muster-cli preview --compare %s” shows what changed since, "
                                                    "“muster-cli push --preview %s” pushes it."), quoted, quoted);

      gtk_label_set_text (self->command_label, command);
    }

  muster_rules_get_safety_limit (muster_plan_get_rules (plan), &count, &percent);
  muster_plan_check_safety_limit (plan, count, percent, &refusal);
  muster_preview_page_set_read_only (self->preview_page, TRUE);
  muster_preview_page_set_plan (self->preview_page, plan, count, percent, NULL, refusal);
}

/* Reports ------------------------------------------------------------------------------------ */

MusterReport *
muster_saved_preview_window_new_report (MusterSavedPreviewWindow *self)
{
  MusterReportPlanContext context = { 0 };
  MusterReport *report;

  g_return_val_if_fail (MUSTER_IS_SAVED_PREVIEW_WINDOW (self), NULL);

  context.tenant = muster_preview_file_get_tenant_name (self->preview);
  if (context.tenant == NULL)
    context.tenant = muster_preview_file_get_tenant_id (self->preview);
  context.profile = muster_preview_file_get_profile (self->preview);
  context.target = muster_preview_file_get_target_description (self->preview);
  context.made_by = muster_preview_file_get_made_by (self->preview);
  report = muster_report_new_for_plan (muster_preview_file_get_plan (self->preview), &context);
  /* printed pages run the way the window does */
  muster_report_set_right_to_left (report, gtk_widget_get_default_direction () == GTK_TEXT_DIR_RTL);
  return report;
}

void
_muster_saved_preview_update_actions (MusterSavedPreviewWindow *self)
{
  gboolean busy = self->comparing || self->pushing;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-report", !self->exporting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-preview", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.push-preview", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-sync", busy);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), busy);
}

gboolean
muster_saved_preview_window_get_exporting (MusterSavedPreviewWindow *self)
{
  g_return_val_if_fail (MUSTER_IS_SAVED_PREVIEW_WINDOW (self), FALSE);
  return self->exporting;
}

typedef struct
{
  MusterSavedPreviewWindow *window;
  GFile                    *file;
} WriteData;

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  WriteData *data = user_data;
  MusterSavedPreviewWindow *self = data->window;
  g_autoptr(GError) error = NULL;

  if (!muster_report_write_finish (MUSTER_REPORT (source), result, &error))
    g_debug ("Report failed: %s", error->message);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->exporting = FALSE;
      _muster_saved_preview_update_actions (self);
      if (error != NULL)
        {
          GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Could Not Save the Report"), error->message);

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
      else
        {
          g_autofree char *name = g_file_get_basename (data->file);
          g_autofree char *uri = g_file_get_uri (data->file);
          /* Translators: a toast after Export Report…; %s is the file's name */
          g_autofree char *text = g_strdup_printf (_("Saved the report as %s"), name);
          g_autofree char *escaped = g_markup_escape_text (text, -1);
          AdwToast *toast = adw_toast_new (escaped);

          adw_toast_set_timeout (toast, 8);
          adw_toast_set_button_label (toast, _("_Open"));
          adw_toast_set_action_name (toast, "win.open-report");
          adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
          adw_toast_overlay_add_toast (self->toast_overlay, toast);
        }
    }
  g_object_unref (data->window);
  g_object_unref (data->file);
  g_free (data);
}

static void
write_report (MusterSavedPreviewWindow *self,
              GFile                    *file,
              const MusterReportChoice *choice)
{
  g_autoptr(MusterReport) report = muster_saved_preview_window_new_report (self);
  WriteData *data = g_new0 (WriteData, 1);

  g_debug ("Saving the report as %s", choice->id);
  data->window = g_object_ref (self);
  data->file = g_object_ref (file);
  self->exporting = TRUE;
  _muster_saved_preview_update_actions (self);
  muster_report_write_async (report, choice->format, choice->paper, file, self->cancellable, written_cb, data);
}

gboolean
muster_saved_preview_window_export (MusterSavedPreviewWindow *self,
                                    GFile                    *file,
                                    const char               *choice_id)
{
  const MusterReportChoice *choice;

  g_return_val_if_fail (MUSTER_IS_SAVED_PREVIEW_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  choice = muster_report_plan_choice (choice_id);
  if (choice == NULL || !muster_report_format_is_available (choice->format) || self->exporting)
    return FALSE;
  write_report (self, file, choice);
  return TRUE;
}

static void
export_chosen_cb (GFile                    *file,
                  const MusterReportChoice *choice,
                  gpointer                  user_data)
{
  MusterSavedPreviewWindow *self = user_data;

  if (!self->exporting && !g_cancellable_is_cancelled (self->cancellable))
    write_report (self, file, choice);
}

static void
export_report_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  muster_report_export_choose (GTK_WINDOW (widget), export_chosen_cb, g_object_ref (widget), g_object_unref);
}

static void
report_opened_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(MusterSavedPreviewWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
}

/* The toast's Open: the saved report in the app the desktop opens such files with. */
static void
open_report_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MusterSavedPreviewWindow *self = MUSTER_SAVED_PREVIEW_WINDOW (widget);

  g_app_info_launch_default_for_uri_async (g_variant_get_string (parameter, NULL), NULL, self->cancellable,
                                           report_opened_cb, g_object_ref (self));
}

static void
print_report_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_autoptr(MusterReport) report = muster_saved_preview_window_new_report (MUSTER_SAVED_PREVIEW_WINDOW (widget));

  /* Translators: the print job's name and "Print to File"'s file name */
  muster_report_print (GTK_WINDOW (widget), report, _("sync-preview"));
}

/* Class -------------------------------------------------------------------------------------- */

static void
muster_saved_preview_window_dispose (GObject *object)
{
  MusterSavedPreviewWindow *self = MUSTER_SAVED_PREVIEW_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  _muster_saved_preview_sync_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (object), MUSTER_TYPE_SAVED_PREVIEW_WINDOW);
  G_OBJECT_CLASS (muster_saved_preview_window_parent_class)->dispose (object);
}

static void
muster_saved_preview_window_finalize (GObject *object)
{
  MusterSavedPreviewWindow *self = MUSTER_SAVED_PREVIEW_WINDOW (object);

  g_clear_object (&self->preview);
  g_clear_object (&self->file);
  g_free (self->notice);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (muster_saved_preview_window_parent_class)->finalize (object);
}

static void
muster_saved_preview_window_class_init (MusterSavedPreviewWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_saved_preview_window_dispose;
  object_class->finalize = muster_saved_preview_window_finalize;

  g_type_ensure (MUSTER_TYPE_PREVIEW_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-saved-preview-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterSavedPreviewWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MusterSavedPreviewWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, MusterSavedPreviewWindow, notice_label);
  gtk_widget_class_bind_template_child (widget_class, MusterSavedPreviewWindow, details_label);
  gtk_widget_class_bind_template_child (widget_class, MusterSavedPreviewWindow, command_label);
  gtk_widget_class_bind_template_child (widget_class, MusterSavedPreviewWindow, preview_page);
  gtk_widget_class_bind_template_child (widget_class, MusterSavedPreviewWindow, sync_label);
  gtk_widget_class_bind_template_child (widget_class, MusterSavedPreviewWindow, sync_progress);
  gtk_widget_class_bind_template_child (widget_class, MusterSavedPreviewWindow, cancel_button);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_install_action (widget_class, "win.export-report", NULL, export_report_action);
  gtk_widget_class_install_action (widget_class, "win.print-report", NULL, print_report_action);
  gtk_widget_class_install_action (widget_class, "win.open-report", "s", open_report_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.print-report", NULL);
  _muster_saved_preview_sync_class_init (widget_class);
}

static void
muster_saved_preview_window_init (MusterSavedPreviewWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  _muster_saved_preview_update_actions (self);
}

MusterSavedPreviewWindow *
muster_saved_preview_window_new (GtkApplication    *application,
                                 GFile             *file,
                                 MusterPreviewFile *preview)
{
  MusterSavedPreviewWindow *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (preview), NULL);

  self = g_object_new (MUSTER_TYPE_SAVED_PREVIEW_WINDOW, "application", application, NULL);
  self->preview = g_object_ref (preview);
  self->file = file != NULL ? g_object_ref (file) : NULL;
  show_preview (self);
  return self;
}

MusterPreviewFile *
muster_saved_preview_window_get_preview (MusterSavedPreviewWindow *self)
{
  g_return_val_if_fail (MUSTER_IS_SAVED_PREVIEW_WINDOW (self), NULL);
  return self->preview;
}

MusterPreviewPage *
muster_saved_preview_window_get_page (MusterSavedPreviewWindow *self)
{
  g_return_val_if_fail (MUSTER_IS_SAVED_PREVIEW_WINDOW (self), NULL);
  return self->preview_page;
}

const char *
muster_saved_preview_window_get_notice (MusterSavedPreviewWindow *self)
{
  g_return_val_if_fail (MUSTER_IS_SAVED_PREVIEW_WINDOW (self), NULL);
  return self->notice;
}

/* Opening ------------------------------------------------------------------------------------ */

typedef struct
{
  GtkApplication *application;
  GtkWindow      *parent;  /* weak */
  GFile          *file;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_clear_weak_pointer (&data->parent);
  g_object_unref (data->file);
  g_application_release (G_APPLICATION (data->application));
  g_object_unref (data->application);
  g_free (data);
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  OpenData *data = user_data;
  g_autoptr(MusterPreviewFile) preview = NULL;
  g_autoptr(GError) error = NULL;

  preview = muster_preview_file_load_finish (result, &error);
  if (preview != NULL)
    {
      MusterSavedPreviewWindow *window = muster_saved_preview_window_new (data->application, data->file, preview);

      gtk_window_present (GTK_WINDOW (window));
    }
  else
    {
      g_autofree char *name = g_file_get_basename (data->file);
      /* Translators: %s is a file name */
      g_autofree char *heading = g_strdup_printf (_("Cannot Open “%s”"), name);
      GtkWidget *dialog = adw_message_dialog_new (data->parent, heading, error->message);

      /* with no other window (muster FILE), the dialog keeps the application running */
      gtk_window_set_application (GTK_WINDOW (dialog), data->application);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
  open_data_free (data);
}

void
muster_saved_preview_window_open (GtkApplication *application,
                                  GtkWindow      *parent,
                                  GFile          *file)
{
  OpenData *data;

  g_return_if_fail (GTK_IS_APPLICATION (application));
  g_return_if_fail (G_IS_FILE (file));

  data = g_new0 (OpenData, 1);
  data->application = g_object_ref (application);
  g_set_weak_pointer (&data->parent, parent);
  data->file = g_object_ref (file);
  /* the application stays while the file loads, also when no window is open yet */
  g_application_hold (G_APPLICATION (application));
  muster_preview_file_load_async (file, NULL, loaded_cb, data);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  GtkApplication *application = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        muster_saved_preview_window_open (application, gtk_native_dialog_get_transient_for (chooser), file);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  g_object_unref (application);
}

void
muster_saved_preview_window_choose (GtkApplication *application,
                                    GtkWindow      *parent)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) previews = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  g_return_if_fail (GTK_IS_APPLICATION (application));

  chooser = gtk_file_chooser_native_new (_("Open Saved Preview"), parent, GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                         _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (previews, _("Saved Previews"));
  gtk_file_filter_add_mime_type (previews, MUSTER_PREVIEW_FILE_MIME_TYPE);
  gtk_file_filter_add_suffix (previews, "muster-preview");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), previews);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (application));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         gpointer       user_data)
{
  GtkWidget *window = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target));
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (window));
  GSList *files;

  if (application == NULL || !G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = g_value_get_boxed (value);
  for (GSList *l = files; l != NULL; l = l->next)
    muster_saved_preview_window_open (application, GTK_WINDOW (window), l->data);
  return files != NULL;
}

void
muster_saved_preview_window_add_drop_target (GtkWidget *window)
{
  GtkDropTarget *target;

  g_return_if_fail (GTK_IS_WINDOW (window));

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), NULL);
  gtk_widget_add_controller (window, GTK_EVENT_CONTROLLER (target));
}
