/* muster-report-export.h: the Export Report… file dialog of a plan's report, shared by the main
 * window's Preview page and the saved-preview window
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "muster-report.h"

G_BEGIN_DECLS

/* One entry of the dialog's Format choice. */
typedef struct
{
  const char         *id;         /* the choice's id: "pdf-a4", "pdf-letter", "xlsx", "csv" */
  const char         *label;      /* untranslated, N_() */
  MusterReportFormat  format;
  MusterReportPaper   paper;
  const char         *extension;  /* ".pdf" */
} MusterReportChoice;

/* The plan choice named @id, or NULL. */
const MusterReportChoice *muster_report_plan_choice     (const char               *id);
/* A typed .pdf, .xlsx or .csv in @file's name decides the format (among @choices); a name
 * without an extension gains @chosen's, in *@out_file. */
const MusterReportChoice *muster_report_choice_for_file (const MusterReportChoice *choices,
                                                         guint                     n_choices,
                                                         GFile                    *file,
                                                         const MusterReportChoice *chosen,
                                                         GFile                   **out_file);

/* Called when the user accepted the dialog: the file to write and its format. */
typedef void (*MusterReportExportFunc) (GFile                    *file,
                                        const MusterReportChoice *choice,
                                        gpointer                  user_data);

/* Shows the Export Report dialog over @parent with the plan choices (the locale's paper first);
 * @func runs if a file is chosen; @destroy frees @user_data either way. */
void muster_report_export_choose (GtkWindow              *parent,
                                  MusterReportExportFunc  func,
                                  gpointer                user_data,
                                  GDestroyNotify          destroy);

G_END_DECLS
