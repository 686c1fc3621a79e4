/* muster-report-print.c: printing a report through GtkPrintOperation — the engine's pages
 * (muster-report-pdf.h), so paper and "Print to File" give what muster-cli's PDF gives
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-report-print"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "muster-report-pdf.h"
#include "muster-report-print.h"

typedef struct
{
  MusterReport      *report;
  MusterReportPages *pages;
} PrintData;

static void
print_data_free (PrintData *data)
{
  g_clear_object (&data->report);
  g_clear_pointer (&data->pages, muster_report_pages_free);
  g_free (data);
}

/* With GTK_UNIT_POINTS the context's cairo user space is points and its width and height are
 * given in points too (GtkPrintContext scales device pixels by the unit). */
static void
begin_print_cb (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                PrintData         *data)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double width = gtk_print_context_get_width (context);
  double height = gtk_print_context_get_height (context);

  g_clear_pointer (&data->pages, muster_report_pages_free);
  data->pages = muster_report_pages_new (data->report, cr, width, height);
  g_debug ("Printing %s on %.0f × %.0f pt: %u pages", muster_report_get_title (data->report), width, height,
           muster_report_pages_get_n_pages (data->pages));
  gtk_print_operation_set_n_pages (operation, muster_report_pages_get_n_pages (data->pages));
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              PrintData         *data)
{
  muster_report_pages_draw (data->pages, gtk_print_context_get_cairo_context (context), page_nr);
}

MusterReportPaper
muster_report_default_paper (void)
{
  g_autoptr(GtkPaperSize) size = gtk_paper_size_new (NULL);

  return g_strcmp0 (gtk_paper_size_get_name (size), GTK_PAPER_NAME_LETTER) == 0
         ? MUSTER_REPORT_PAPER_LETTER : MUSTER_REPORT_PAPER_A4;
}

GtkPrintOperation *
muster_report_print_operation_new (MusterReport      *report,
                                   MusterReportPaper  paper,
                                   const char        *name)
{
  GtkPrintOperation *operation;
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) size = NULL;
  g_autoptr(GtkPrintSettings) settings = gtk_print_settings_new ();
  PrintData *data;

  g_return_val_if_fail (MUSTER_IS_REPORT (report), NULL);

  size = gtk_paper_size_new (paper == MUSTER_REPORT_PAPER_LETTER ? GTK_PAPER_NAME_LETTER : GTK_PAPER_NAME_A4);
  gtk_page_setup_set_paper_size_and_default_margins (setup, size);
  gtk_print_settings_set_paper_size (settings, size);
  if (name != NULL)
    gtk_print_settings_set (settings, GTK_PRINT_SETTINGS_OUTPUT_BASENAME, name);

  operation = gtk_print_operation_new ();
  gtk_print_operation_set_job_name (operation, name != NULL ? name : muster_report_get_title (report));
  gtk_print_operation_set_default_page_setup (operation, setup);
  gtk_print_operation_set_print_settings (operation, settings);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);

  data = g_new0 (PrintData, 1);
  data->report = g_object_ref (report);
  g_signal_connect_data (operation, "begin-print", G_CALLBACK (begin_print_cb), data,
                         (GClosureNotify) (void (*) (void)) print_data_free, 0);
  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_page_cb), data);
  return operation;
}

static void
show_error (GtkWindow    *parent,
            const GError *error)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, _("Could Not Print"), error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
done_cb (GtkPrintOperation       *operation,
         GtkPrintOperationResult  result,
         GtkWindow               *parent)
{
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_autoptr(GError) error = NULL;

      gtk_print_operation_get_error (operation, &error);
      g_debug ("Printing failed: %s", error != NULL ? error->message : "?");
      if (error != NULL && parent != NULL && gtk_widget_get_visible (GTK_WIDGET (parent)))
        show_error (parent, error);
    }
  g_clear_object (&parent);
  g_object_unref (operation);
}

void
muster_report_print (GtkWindow    *parent,
                     MusterReport *report,
                     const char   *name)
{
  GtkPrintOperation *operation;
  g_autoptr(GError) error = NULL;
  GtkPrintOperationResult result;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (MUSTER_IS_REPORT (report));

  operation = muster_report_print_operation_new (report, muster_report_default_paper (), name);
  /* the dialog and the job run without blocking the main loop; "done" ends it */
  gtk_print_operation_set_allow_async (operation, TRUE);
  g_signal_connect (operation, "done", G_CALLBACK (done_cb), parent != NULL ? g_object_ref (parent) : NULL);
  result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, parent, &error);
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR && error != NULL && parent != NULL)
    show_error (parent, error);
  /* a synchronous run (no async backend, or cancelled at once) emits "done" too */
}
