/* muster-report-print.h: printing a report through GtkPrintOperation — the engine's pages
 * (muster-report-pdf.h), so paper and "Print to File" give what muster-cli's PDF gives
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "muster-report.h"

G_BEGIN_DECLS

/* A print operation drawing @report's pages: in points, on the whole paper (the report keeps its
 * own margins), on @paper's size by default (the print dialog may choose another), named @name
 * for "Print to File". Run it with gtk_print_operation_run(). */
GtkPrintOperation *muster_report_print_operation_new (MusterReport      *report,
                                                      MusterReportPaper  paper,
                                                      const char        *name);
/* The paper the locale prefers: Letter in the US and Canada (as GTK's default paper), else A4. */
MusterReportPaper  muster_report_default_paper       (void);

/* Shows the print dialog for @report over @parent and prints asynchronously; a failure is shown
 * through @parent's gtk_print_operation "done" handling (an alert). */
void               muster_report_print               (GtkWindow         *parent,
                                                      MusterReport      *report,
                                                      const char        *name);

G_END_DECLS
