/* muster-report-pdf.h: a report's printed pages, laid out with Pango and drawn with cairo — the
 * same pages for a PDF file and for GtkPrintOperation
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>

#include "muster-report.h"

G_BEGIN_DECLS

/* A report cut into pages of one size. The first page starts with the header (title, details,
 * totals); every page has the table's header row, then as many rows as fit, and a footer with
 * the page number. Cells wrap (long names break even without spaces); right-to-left text is
 * laid out and aligned right to left within its cell. */
typedef struct _MusterReportPages MusterReportPages;

/* Lays @report out on pages @width × @height points, measuring text through @cr (any cairo
 * context whose user space is points: a PDF surface's, or a print context's set to points). */
MusterReportPages *muster_report_pages_new      (MusterReport      *report,
                                                 cairo_t           *cr,
                                                 double             width,
                                                 double             height);
guint              muster_report_pages_get_n_pages (MusterReportPages *pages);
/* Draws page @page (from 0) on @cr, its top left corner at the origin. */
void               muster_report_pages_draw     (MusterReportPages *pages,
                                                 cairo_t           *cr,
                                                 guint              page);
void               muster_report_pages_free     (MusterReportPages *pages);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterReportPages, muster_report_pages_free)

/* Writes every page to a PDF at @path (the caller makes it atomic). */
gboolean           muster_report_write_pdf_path (MusterReport      *report,
                                                 MusterReportPaper  paper,
                                                 const char        *path,
                                                 GCancellable      *cancellable,
                                                 GError           **error);

G_END_DECLS
