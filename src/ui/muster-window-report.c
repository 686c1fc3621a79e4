/* muster-window-report.c: the window's reports — Export Report… and Print… of the preview,
 * Print… and the PDF choices of the users export
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "muster-export.h"
#include "muster-report.h"
#include "muster-report-export.h"
#include "muster-report-print.h"
#include "muster-window-private.h"

/* The users export offers these beside its own formats. */
static const MusterReportChoice users_choices[] = {
  { "report-pdf-a4", N_("PDF Report, A4"), MUSTER_REPORT_FORMAT_PDF, MUSTER_REPORT_PAPER_A4, ".pdf" },
  { "report-pdf-letter", N_("PDF Report, Letter"), MUSTER_REPORT_FORMAT_PDF, MUSTER_REPORT_PAPER_LETTER, ".pdf" },
};

/* Helpers ------------------------------------------------------------------------------- */

/* Printed pages run the way the window does. */
static MusterReport *
follow_direction (MusterReport *report)
{
  muster_report_set_right_to_left (report, gtk_widget_get_default_direction () == GTK_TEXT_DIR_RTL);
  return report;
}

static MusterReport *
plan_report (MusterWindow *self)
{
  MusterTarget *shown = _muster_window_get_target (self);
  g_autofree char *target = shown != NULL ? muster_target_describe (shown) : NULL;
  MusterReportPlanContext context = { 0 };

  if (self->profile != NULL)
    {
      context.tenant = muster_profile_get_display_name (self->profile);
      context.profile = muster_profile_get_name (self->profile);
      context.made_by = muster_profile_get_username (self->profile);
    }
  context.target = target;
  return follow_direction (muster_report_new_for_plan (muster_preview_page_get_plan (self->preview_page), &context));
}

static MusterReport *
users_report (MusterWindow *self,
              GListModel   *users)
{
  g_autoptr(MusterExport) export = muster_export_new (MUSTER_EXPORT_FORMAT_CSV);

  muster_export_set_context (export, _muster_window_get_snapshot (self), muster_users_page_get_filter (self->users_page));
  if (self->profile != NULL)
    muster_export_set_tenant (export, muster_profile_get_display_name (self->profile));
  return follow_direction (muster_report_new_for_users (export, users));
}

typedef struct
{
  MusterWindow *window;
  MusterReport *report;
  GFile        *file;
} WriteData;

static void
write_data_free (WriteData *data)
{
  g_clear_object (&data->window);
  g_clear_object (&data->report);
  g_clear_object (&data->file);
  g_free (data);
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  WriteData *data = user_data;
  MusterWindow *self = data->window;
  g_autoptr(GError) error = NULL;

  if (!muster_report_write_finish (MUSTER_REPORT (source), result, &error))
    {
      g_debug ("Report failed: %s", error->message);
      if (!self->closed)
        {
          self->exporting = FALSE;
          _muster_window_actions_update (self);
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            _muster_window_report_error (self, _("Could Not Save the Report"), error);
        }
      write_data_free (data);
      return;
    }
  if (!self->closed)
    {
      g_autofree char *name = g_file_get_basename (data->file);
      g_autofree char *uri = g_file_get_uri (data->file);
      /* Translators: a toast after Export Report…; %s is the file's name */
      g_autofree char *text = g_strdup_printf (_("Saved the report as %s"), name);
      g_autofree char *escaped = g_markup_escape_text (text, -1);
      AdwToast *toast = adw_toast_new (escaped);

      self->exporting = FALSE;
      _muster_window_actions_update (self);
      adw_toast_set_timeout (toast, 8);
      adw_toast_set_button_label (toast, _("_Open"));
      adw_toast_set_action_name (toast, "win.open-export");
      adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
  write_data_free (data);
}

static void
write_report (MusterWindow       *self,
              MusterReport       *report,
              const MusterReportChoice *choice,
              GFile              *file)
{
  WriteData *data = g_new0 (WriteData, 1);

  g_debug ("Saving the report as %s", choice->id);
  data->window = g_object_ref (self);
  data->report = g_object_ref (report);
  data->file = g_object_ref (file);
  self->exporting = TRUE;
  _muster_window_actions_update (self);
  muster_report_write_async (report, choice->format, choice->paper, file, self->cancellable, written_cb, data);
}

static void
export_report_chosen_cb (GFile                    *file,
                         const MusterReportChoice *choice,
                         gpointer                  user_data)
{
  MusterWindow *self = user_data;
  g_autoptr(MusterReport) report = NULL;

  if (self->closed || muster_preview_page_get_plan (self->preview_page) == NULL)
    return;
  report = plan_report (self);
  write_report (self, report, choice, file);
}

/* Actions -------------------------------------------------------------------------------- */

static void
export_report_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);

  if (muster_preview_page_get_plan (self->preview_page) == NULL)
    return;
  muster_report_export_choose (GTK_WINDOW (self), export_report_chosen_cb, g_object_ref (self), g_object_unref);
}

static void
print_report_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);
  g_autoptr(MusterReport) report = NULL;

  if (muster_preview_page_get_plan (self->preview_page) == NULL)
    return;
  report = plan_report (self);
  /* Translators: the print job's name and "Print to File"'s file name */
  muster_report_print (GTK_WINDOW (self), report, _("sync-preview"));
}

static void
print_users_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);
  g_autoptr(MusterReport) report = NULL;

  if (_muster_window_get_snapshot (self) == NULL)
    return;
  report = users_report (self, muster_users_page_get_shown (self->users_page));
  /* Translators: the print job's name and "Print to File"'s file name */
  muster_report_print (GTK_WINDOW (self), report, _("users"));
}

/* Ctrl+P: what the window shows — the preview's report on the Preview page, else the users. */
static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);
  const char *view = adw_view_stack_get_visible_child_name (self->view_stack);

  if (g_strcmp0 (view, "preview") == 0)
    gtk_widget_activate_action (widget, "win.print-report", NULL);
  else
    gtk_widget_activate_action (widget, "win.print-users", NULL);
}

/* Private API ---------------------------------------------------------------------------- */

void
_muster_window_report_install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export-report", NULL, export_report_action);
  gtk_widget_class_install_action (widget_class, "win.print-report", NULL, print_report_action);
  gtk_widget_class_install_action (widget_class, "win.print-users", NULL, print_users_action);
  gtk_widget_class_install_action (widget_class, "win.print", NULL, print_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.print", NULL);
}

void
_muster_window_report_update_actions (MusterWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_plan = muster_preview_page_get_plan (self->preview_page) != NULL && !self->previewing;

  gtk_widget_action_set_enabled (widget, "win.export-report", has_plan && !self->exporting);
  gtk_widget_action_set_enabled (widget, "win.print-report", has_plan);
  gtk_widget_action_set_enabled (widget, "win.print", _muster_window_get_snapshot (self) != NULL);
  gtk_widget_action_set_enabled (widget, "win.print-users",
                                 _muster_window_get_snapshot (self) != NULL && !muster_users_page_get_filtering (self->users_page));
}

void
_muster_window_report_add_choices (GPtrArray *ids,
                                   GPtrArray *labels)
{
  for (guint i = 0; i < G_N_ELEMENTS (users_choices); i++)
    {
      g_ptr_array_add (ids, (gpointer) users_choices[i].id);
      g_ptr_array_add (labels, (gpointer) _(users_choices[i].label));
    }
}

gboolean
_muster_window_report_export_users (MusterWindow *self,
                                    const char   *choice_id,
                                    GFile        *chosen,
                                    GListModel   *users,
                                    gboolean      selection)
{
  const MusterReportChoice *choice = NULL;
  g_autoptr(MusterReport) report = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *name = g_file_get_basename (chosen);
  const char *dot = name != NULL ? strrchr (name, '.') : NULL;

  for (guint i = 0; i < G_N_ELEMENTS (users_choices); i++)
    if (g_strcmp0 (choice_id, users_choices[i].id) == 0)
      choice = &users_choices[i];
  /* a typed .pdf makes a report whatever the choice */
  if (choice == NULL && dot != NULL && g_ascii_strcasecmp (dot, ".pdf") == 0)
    choice = &users_choices[muster_report_default_paper () == MUSTER_REPORT_PAPER_LETTER ? 1 : 0];
  if (choice == NULL)
    return FALSE;

  muster_report_choice_for_file (users_choices, G_N_ELEMENTS (users_choices), chosen, choice, &file);
  report = users_report (self, users);
  if (selection)
    {
      g_autoptr(MusterExport) export = muster_export_new (MUSTER_EXPORT_FORMAT_CSV);

      muster_export_set_context (export, _muster_window_get_snapshot (self), NULL);
      muster_export_set_filter_description (export, _("Users selected by hand in Muster"));
      if (self->profile != NULL)
        muster_export_set_tenant (export, muster_profile_get_display_name (self->profile));
      g_clear_object (&report);
      report = follow_direction (muster_report_new_for_users (export, users));
    }
  write_report (self, report, choice, file);
  return TRUE;
}
