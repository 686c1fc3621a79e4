/* muster-report.h: a report — header details, totals and a table — of a plan or of users, and
 * its CSV and XLSX writers (the PDF pages are in muster-report-pdf.h)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "muster-export.h"
#include "muster-plan.h"

G_BEGIN_DECLS

typedef enum
{
  MUSTER_REPORT_FORMAT_CSV,
  MUSTER_REPORT_FORMAT_XLSX,
  MUSTER_REPORT_FORMAT_PDF,
} MusterReportFormat;

/* "csv", "xlsx", "pdf" */
const char *muster_report_format_to_string   (MusterReportFormat  format);
gboolean    muster_report_format_from_string (const char         *name,
                                              MusterReportFormat *format);
/* FALSE for XLSX when this build has no libxlsxwriter. */
gboolean    muster_report_format_is_available (MusterReportFormat format);

typedef enum
{
  MUSTER_REPORT_PAPER_A4,      /* 210 × 297 mm */
  MUSTER_REPORT_PAPER_LETTER,  /* 8.5 × 11 in */
} MusterReportPaper;

/* "a4", "letter" */
const char *muster_report_paper_to_string   (MusterReportPaper  paper);
gboolean    muster_report_paper_from_string (const char        *name,
                                             MusterReportPaper *paper);
/* The paper's portrait size in PostScript points (1/72 in). */
void        muster_report_paper_get_size    (MusterReportPaper  paper,
                                             double            *width,
                                             double            *height);

/* Who and what a plan report is about: the words of its header. Any member may be NULL. */
typedef struct
{
  const char *tenant;       /* the tenant's name (or id) */
  const char *profile;
  const char *target;       /* the target's description, never its token */
  const char *made_by;      /* who made the plan */
} MusterReportPlanContext;

#define MUSTER_TYPE_REPORT (muster_report_get_type ())
G_DECLARE_FINAL_TYPE (MusterReport, muster_report, MUSTER, REPORT, GObject)

/* An empty report titled @title; fill it with the functions below. */
MusterReport *muster_report_new                (const char         *title);
/* A plan: details (tenant, profile, target, snapshot, rules, filter, made), totals, and a row per
 * user — every user in CSV and XLSX, all but the unchanged ones in print — plus a Changes table
 * of each field an update changes. */
MusterReport *muster_report_new_for_plan       (MusterPlan                    *plan,
                                                const MusterReportPlanContext *context);
/* The users of @users (MusterUser) with @export's columns, tenant, snapshot and filter. */
MusterReport *muster_report_new_for_users      (MusterExport       *export,
                                                GListModel         *users);

const char   *muster_report_get_title          (MusterReport       *self);
/* Printed pages for a right-to-left reader: columns from the right, text aligned to the right.
 * By default TRUE when Muster's translation says the language is written right to left. */
void          muster_report_set_right_to_left  (MusterReport       *self,
                                                gboolean            rtl);
gboolean      muster_report_get_right_to_left  (MusterReport       *self);
/* A "Label: value" line of the header (NULL @value: "—"). */
void          muster_report_add_detail         (MusterReport       *self,
                                                const char         *label,
                                                const char         *value);
guint         muster_report_get_n_details      (MusterReport       *self);
void          muster_report_get_detail         (MusterReport       *self,
                                                guint               index,
                                                const char        **label,
                                                const char        **value);
void          muster_report_add_total          (MusterReport       *self,
                                                const char         *label,
                                                guint               value);
guint         muster_report_get_n_totals       (MusterReport       *self);
void          muster_report_get_total          (MusterReport       *self,
                                                guint               index,
                                                const char        **label,
                                                guint              *value);
/* The main table's name (a sheet name: "Actions", "Users"), its columns and, per column, its
 * share of the printed width (0: not printed). */
void          muster_report_set_columns        (MusterReport       *self,
                                                const char         *table_name,
                                                const char * const *titles,
                                                const double       *weights,
                                                guint               n_columns);
const char   *muster_report_get_table_name     (MusterReport       *self);
guint         muster_report_get_n_columns      (MusterReport       *self);
const char   *muster_report_get_column_title   (MusterReport       *self,
                                                guint               column);
double        muster_report_get_column_weight  (MusterReport       *self,
                                                guint               column);
/* @cells holds one string per column (NULL: empty). @printed: FALSE to keep the row out of the
 * printed pages (unchanged users), while CSV and XLSX keep it. */
void          muster_report_add_row            (MusterReport       *self,
                                                const char * const *cells,
                                                gboolean            printed);
guint         muster_report_get_n_rows         (MusterReport       *self);
const char * const *muster_report_get_row      (MusterReport       *self,
                                                guint               row,
                                                gboolean           *printed);
guint         muster_report_get_n_printed_rows (MusterReport       *self);
/* The Changes sheet: user, user principal name, field, before, after. */
void          muster_report_add_change         (MusterReport       *self,
                                                const char         *display_name,
                                                const char         *user_principal_name,
                                                const char         *field,
                                                const char         *before,
                                                const char         *after);
guint         muster_report_get_n_changes      (MusterReport       *self);

/* Writes the report to the local @file: CSV (the main table, RFC 4180, formula starts
 * neutralised as in muster-export.h), XLSX (a Summary sheet, the main table, and a Changes
 * sheet when there are changes) or PDF (@paper). Through a temporary file renamed over @file
 * once complete, so a failure leaves nothing half-written. Errors are MUSTER_EXPORT_ERROR.
 * Blocking: for the CLI and worker threads. */
gboolean      muster_report_write              (MusterReport       *self,
                                                MusterReportFormat  format,
                                                MusterReportPaper   paper,
                                                GFile              *file,
                                                GCancellable       *cancellable,
                                                GError            **error);
/* The same in a GTask thread, for the GUI (the report must not change meanwhile). */
void          muster_report_write_async        (MusterReport        *self,
                                                MusterReportFormat   format,
                                                MusterReportPaper    paper,
                                                GFile               *file,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean      muster_report_write_finish       (MusterReport        *self,
                                                GAsyncResult        *result,
                                                GError             **error);

G_END_DECLS
