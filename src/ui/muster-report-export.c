/* muster-report-export.c: the Export Report… file dialog of a plan's report, shared by the main
 * window's Preview page and the saved-preview window
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-report"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "muster-report-export.h"
#include "muster-report-print.h"

static const MusterReportChoice plan_choices[] = {
  { "pdf-a4", N_("PDF, A4"), MUSTER_REPORT_FORMAT_PDF, MUSTER_REPORT_PAPER_A4, ".pdf" },
  { "pdf-letter", N_("PDF, Letter"), MUSTER_REPORT_FORMAT_PDF, MUSTER_REPORT_PAPER_LETTER, ".pdf" },
  { "xlsx", N_("Excel Workbook (XLSX)"), MUSTER_REPORT_FORMAT_XLSX, MUSTER_REPORT_PAPER_A4, ".xlsx" },
  { "csv", N_("CSV"), MUSTER_REPORT_FORMAT_CSV, MUSTER_REPORT_PAPER_A4, ".csv" },
};

const MusterReportChoice *
muster_report_plan_choice (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (plan_choices); i++)
    if (g_strcmp0 (id, plan_choices[i].id) == 0)
      return &plan_choices[i];
  return NULL;
}

const MusterReportChoice *
muster_report_choice_for_file (const MusterReportChoice *choices,
                               guint                     n_choices,
                               GFile                    *file,
                               const MusterReportChoice *chosen,
                               GFile                   **out_file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr(GFile) parent = g_file_get_parent (file);
  const char *dot = name != NULL ? strrchr (name, '.') : NULL;

  if (dot == NULL)
    {
      g_autofree char *fixed = g_strconcat (name, chosen->extension, NULL);

      *out_file = parent != NULL ? g_file_get_child (parent, fixed) : g_object_ref (file);
      return chosen;
    }
  *out_file = g_object_ref (file);
  if (g_ascii_strcasecmp (dot, chosen->extension) == 0)
    return chosen;
  for (guint i = 0; i < n_choices; i++)
    if (g_ascii_strcasecmp (dot, choices[i].extension) == 0 && muster_report_format_is_available (choices[i].format))
      return &choices[i];
  return chosen;
}

typedef struct
{
  MusterReportExportFunc func;
  gpointer               user_data;
  GDestroyNotify         destroy;
} ChooseData;

static void
chosen_cb (GtkNativeDialog *dialog,
           int              response,
           gpointer         user_data)
{
  ChooseData *data = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) chosen = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      const char *id = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "format");
      const MusterReportChoice *choice = muster_report_plan_choice (id);
      g_autoptr(GFile) file = NULL;

      if (choice == NULL)
        choice = &plan_choices[0];
      if (chosen != NULL)
        {
          choice = muster_report_choice_for_file (plan_choices, G_N_ELEMENTS (plan_choices), chosen, choice, &file);
          data->func (file, choice, data->user_data);
        }
    }
  if (data->destroy != NULL)
    data->destroy (data->user_data);
  g_free (data);
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

void
muster_report_export_choose (GtkWindow              *parent,
                             MusterReportExportFunc  func,
                             gpointer                user_data,
                             GDestroyNotify          destroy)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  const char *preferred = muster_report_default_paper () == MUSTER_REPORT_PAPER_LETTER ? "pdf-letter" : "pdf-a4";
  GtkFileChooserNative *chooser;
  ChooseData *data;

  g_return_if_fail (func != NULL);

  chooser = gtk_file_chooser_native_new (_("Export Report"), parent, GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  for (guint i = 0; i < G_N_ELEMENTS (plan_choices); i++)
    if (muster_report_format_is_available (plan_choices[i].format))
      {
        g_ptr_array_add (ids, (gpointer) plan_choices[i].id);
        g_ptr_array_add (labels, (gpointer) _(plan_choices[i].label));
      }
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (labels, NULL);
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (chooser), "format", _("Format"),
                               (const char **) ids->pdata, (const char **) labels->pdata);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (chooser), "format", preferred);
  /* Translators: the suggested file name of a preview's report; keep the extension */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("sync-preview.pdf"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  data = g_new0 (ChooseData, 1);
  data->func = func;
  data->user_data = user_data;
  data->destroy = destroy;
  g_signal_connect (chooser, "response", G_CALLBACK (chosen_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
