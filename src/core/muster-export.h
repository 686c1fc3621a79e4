/* muster-export.h: users and groups of a snapshot written as CSV, JSON or XLSX
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "muster-snapshot.h"
#include "muster-user-filter.h"

G_BEGIN_DECLS

#define MUSTER_EXPORT_ERROR (muster_export_error_quark ())

/* What the user can do about a failed export. Cancellation stays G_IO_ERROR_CANCELLED so callers
 * can tell it apart from a failure with g_error_matches(). Whatever the error, nothing is left
 * at the destination: a file that existed before keeps its old content. */
typedef enum
{
  MUSTER_EXPORT_ERROR_NO_SPACE,     /* the disk is full: free space and try again */
  MUSTER_EXPORT_ERROR_PERMISSION,   /* the folder is not writable: choose another */
  MUSTER_EXPORT_ERROR_WRITE,        /* any other write failure */
  MUSTER_EXPORT_ERROR_UNSUPPORTED,  /* the format is not built in (XLSX without libxlsxwriter),
                                     * or it cannot go to a stream (XLSX) */
} MusterExportError;

GQuark muster_export_error_quark (void);

typedef enum
{
  MUSTER_EXPORT_FORMAT_CSV,
  MUSTER_EXPORT_FORMAT_JSON,
  MUSTER_EXPORT_FORMAT_XLSX,
} MusterExportFormat;

/* A user column. The order of MUSTER_EXPORT_DEFAULT_COLUMNS is the default column set. */
typedef enum
{
  MUSTER_EXPORT_COLUMN_DISPLAY_NAME,
  MUSTER_EXPORT_COLUMN_EMAIL,            /* per the email method */
  MUSTER_EXPORT_COLUMN_USER_PRINCIPAL_NAME,
  MUSTER_EXPORT_COLUMN_JOB_TITLE,
  MUSTER_EXPORT_COLUMN_DEPARTMENT,
  MUSTER_EXPORT_COLUMN_COMPANY,
  MUSTER_EXPORT_COLUMN_EMPLOYEE_ID,
  MUSTER_EXPORT_COLUMN_OFFICE,
  MUSTER_EXPORT_COLUMN_MOBILE_PHONE,
  MUSTER_EXPORT_COLUMN_BUSINESS_PHONES,  /* multi-valued */
  MUSTER_EXPORT_COLUMN_MANAGER,
  MUSTER_EXPORT_COLUMN_LICENCES,         /* multi-valued (friendly names) */
  MUSTER_EXPORT_COLUMN_ACCOUNT_STATE,
  MUSTER_EXPORT_COLUMN_USER_TYPE,
  MUSTER_EXPORT_COLUMN_CREATED,
  MUSTER_EXPORT_COLUMN_ID,
  /* Not in the default set */
  MUSTER_EXPORT_COLUMN_GIVEN_NAME,
  MUSTER_EXPORT_COLUMN_SURNAME,
  MUSTER_EXPORT_COLUMN_MAIL,
  MUSTER_EXPORT_COLUMN_OTHER_MAILS,      /* multi-valued */
  MUSTER_EXPORT_COLUMN_PROXY_ADDRESSES,  /* multi-valued */
  MUSTER_EXPORT_COLUMN_MANAGER_ID,
  MUSTER_EXPORT_COLUMN_ACCOUNT_ENABLED,
  MUSTER_EXPORT_COLUMN_ON_PREMISES_SYNC,
  MUSTER_EXPORT_N_COLUMNS
} MusterExportColumn;

#define MUSTER_EXPORT_N_DEFAULT_COLUMNS (MUSTER_EXPORT_COLUMN_ID + 1)

/* The stable key of a column ("displayName", "email", "businessPhones", …): JSON member names and
 * the CLI's --columns words. */
const char *muster_export_column_to_key    (MusterExportColumn  column);
gboolean    muster_export_column_from_key  (const char         *key,
                                            MusterExportColumn *column);
/* The header a person reads (translated). */
const char *muster_export_column_get_title (MusterExportColumn  column);

const char *muster_export_format_to_string   (MusterExportFormat  format);
gboolean    muster_export_format_from_string (const char         *name,
                                              MusterExportFormat *format);
/* FALSE for XLSX when this build has no libxlsxwriter. */
gboolean    muster_export_format_is_available (MusterExportFormat format);

#define MUSTER_TYPE_EXPORT (muster_export_get_type ())
G_DECLARE_FINAL_TYPE (MusterExport, muster_export, MUSTER, EXPORT, GObject)

/* One export job's settings. Properties: "format", "email-method", "csv-bom" (a UTF-8 byte order
 * mark so Excel reads the file as UTF-8), "csv-filter-row" (a first row stating the filter;
 * off by default because CSV readers expect the header first), "filter-description", "tenant",
 * "snapshot-id", "snapshot-time" (unix time). Set them, then call a write function; a job may be
 * reused for several writes. */
MusterExport      *muster_export_new                    (MusterExportFormat   format);
void               muster_export_set_columns            (MusterExport        *self,
                                                         const MusterExportColumn *columns,
                                                         guint                n_columns);
const MusterExportColumn *muster_export_get_columns     (MusterExport        *self,
                                                         guint               *n_columns);
void               muster_export_set_email_method       (MusterExport        *self,
                                                         MusterEmailMethod    method);
void               muster_export_set_csv_bom            (MusterExport        *self,
                                                         gboolean             bom);
void               muster_export_set_csv_filter_row     (MusterExport        *self,
                                                         gboolean             filter_row);
void               muster_export_set_filter_description (MusterExport        *self,
                                                         const char          *description);
void               muster_export_set_tenant             (MusterExport        *self,
                                                         const char          *tenant);
void               muster_export_set_snapshot_info      (MusterExport        *self,
                                                         gint64               snapshot_id,
                                                         gint64               snapshot_time);
/* Fills tenant, snapshot id and time from @snapshot, and (when @filter is not NULL) the filter
 * description (muster_user_filter_describe) and the email method from @filter. */
void               muster_export_set_context            (MusterExport        *self,
                                                         MusterSnapshot      *snapshot,
                                                         MusterUserFilter    *filter);

/* The text of one cell as the CSV and XLSX exports write it (multi-valued fields joined with
 * "; "), before any formula neutralisation; for tables and previews. */
char     *muster_export_dup_user_text          (MusterExport       *self,
                                                MusterUser         *user,
                                                MusterExportColumn  column);

/* Writes @users (a GListModel of MusterUser: the filtered view or a selection) to @stream, in
 * CSV or JSON, streaming: nothing close to the whole text is held in memory. The stream is not
 * closed. XLSX cannot go to a stream (MUSTER_EXPORT_ERROR_UNSUPPORTED). */
gboolean  muster_export_write_users_to_stream  (MusterExport   *self,
                                                GListModel     *users,
                                                GOutputStream  *stream,
                                                GCancellable   *cancellable,
                                                GError        **error);
gboolean  muster_export_write_groups_to_stream (MusterExport   *self,
                                                GListModel     *groups,
                                                GOutputStream  *stream,
                                                GCancellable   *cancellable,
                                                GError        **error);

/* Writes to a temporary file beside @file and renames it over @file only once complete, so a
 * failure (a full disk, cancellation) never leaves a half-written export. Blocking: for the CLI
 * and worker threads. @file must be a local file (a path). */
gboolean  muster_export_write_users            (MusterExport   *self,
                                                GListModel     *users,
                                                GFile          *file,
                                                GCancellable   *cancellable,
                                                GError        **error);
gboolean  muster_export_write_groups           (MusterExport   *self,
                                                GListModel     *groups,
                                                GFile          *file,
                                                GCancellable   *cancellable,
                                                GError        **error);

/* The same in a GTask thread, for the GUI. The items of @users are taken when the call
 * is made (a filter model may change afterwards); the settings too. */
void      muster_export_write_users_async      (MusterExport        *self,
                                                GListModel          *users,
                                                GFile               *file,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* Finishes muster_export_write_users_async(). */
gboolean  muster_export_write_finish           (MusterExport        *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Appends @value to @out as one CSV field (RFC 4180 quoting, formula starts neutralised as in
 * the exports), for CSV tables the exports do not cover (previews). NULL or "" is an empty field. */
void      muster_export_append_csv_cell        (GString            *out,
                                                const char         *value);

/* One sheet @sheet_name of @rows (GStrv, @n_columns each, every cell a typed string) under bold
 * @headers, written to a temporary file renamed over @output, mode 0600. Blocking. Only where
 * libxlsxwriter is built in (muster_export_format_is_available()). */
gboolean muster_export_write_table_xlsx (const char         *output,
                                         const char         *sheet_name,
                                         const char * const *headers,
                                         guint               n_columns,
                                         GPtrArray          *rows,
                                         GError            **error);

G_END_DECLS
