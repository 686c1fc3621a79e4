/* muster-window-preview-file.c: the window's Save Preview… and saved previews dropped on it
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-window"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-preview-file.h"
#include "muster-saved-preview-window.h"
#include "muster-window-private.h"

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!muster_preview_file_save_finish (MUSTER_PREVIEW_FILE (source), result, &error))
    {
      if (!self->closed && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _muster_window_report_error (self, _("Cannot Save the Preview"), error);
      return;
    }
  if (!self->closed)
    _muster_window_toast (self, _("Preview saved"));
  g_signal_emit_by_name (self, "preview-saved");
}

void
_muster_window_save_preview (MusterWindow *self,
                             GFile        *file)
{
  g_autoptr(MusterPreviewFile) preview = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *description = NULL;
  MusterPreviewFileInfo info = { 0 };

  g_return_if_fail (_muster_window_get_plan (self) != NULL && _muster_window_get_target (self) != NULL);

  uri = muster_target_get_uri (_muster_window_get_target (self));
  description = muster_target_describe (_muster_window_get_target (self));
  info.profile = self->profile != NULL ? muster_profile_get_name (self->profile) : NULL;
  info.tenant_id = self->profile != NULL ? muster_profile_get_tenant_id (self->profile) : NULL;
  info.tenant_name = self->profile != NULL ? muster_profile_get_organization (self->profile) : NULL;
  info.made_by = self->profile != NULL ? muster_profile_get_username (self->profile) : NULL;
  info.target_uri = uri;
  info.target_description = description;
  preview = muster_preview_file_new (_muster_window_get_plan (self), &info);
  muster_preview_file_save_async (preview, file, TRUE, self->cancellable, saved_cb, g_object_ref (self));
}

static void
save_chosen_cb (GtkNativeDialog *chooser,
                int              response,
                gpointer         user_data)
{
  g_autoptr(MusterWindow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && _muster_window_get_plan (self) != NULL
      && _muster_window_get_target (self) != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        _muster_window_save_preview (self, file);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
save_preview_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *name = NULL;

  if (_muster_window_get_plan (self) == NULL || _muster_window_get_target (self) == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Save Preview"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Saved Previews"));
  gtk_file_filter_add_mime_type (filter, MUSTER_PREVIEW_FILE_MIME_TYPE);
  gtk_file_filter_add_suffix (filter, "muster-preview");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  /* Translators: the suggested file name of a saved preview; %s is today's date. Keep the extension */
  name = g_strdup_printf (_("preview-%s.muster-preview"), date);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (save_chosen_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
_muster_window_preview_file_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.save-preview", NULL, save_preview_action);
  /* "preview-saved": a Save Preview… finished writing its file */
  g_signal_new ("preview-saved", G_TYPE_FROM_CLASS (widget_class), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 0);
}

void
_muster_window_preview_file_init (MusterWindow *self)
{
  muster_saved_preview_window_add_drop_target (GTK_WIDGET (self));
}

void
_muster_window_preview_file_update (MusterWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-preview",
                                 _muster_window_get_plan (self) != NULL && _muster_window_get_target (self) != NULL
                                 && !self->previewing);
}
