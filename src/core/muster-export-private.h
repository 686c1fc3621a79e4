/* muster-export-private.h: what the per-format export writers share
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-export.h"

G_BEGIN_DECLS

/* A buffered writer over a GOutputStream: writers append to @buffer and call
 * _muster_export_sink_maybe_flush() after each row, so memory stays bounded whatever the row
 * count. The first error sticks. */
typedef struct
{
  GOutputStream *stream;
  GCancellable  *cancellable;
  GString       *buffer;
  GError        *error;
} MusterExportSink;

void      _muster_export_sink_init        (MusterExportSink *sink,
                                           GOutputStream    *stream,
                                           GCancellable     *cancellable);
gboolean  _muster_export_sink_flush       (MusterExportSink *sink);
gboolean  _muster_export_sink_maybe_flush (MusterExportSink *sink);
/* Flushes what is left, frees the buffer, and hands over the first error. */
gboolean  _muster_export_sink_finish      (MusterExportSink *sink,
                                           GError          **error);

/* Converts a GIO error into MUSTER_EXPORT_ERROR with a sentence (cancellation is kept). */
void      _muster_export_set_write_error  (GError          **error,
                                           const GError     *cause,
                                           const char       *where);

/* The text of a user's cell: multi-valued fields joined with "; ". May return a static or a
 * user-owned string; @scratch is used when the value has to be built. NULL or "" when empty. */
const char *_muster_export_user_text      (MusterExport       *self,
                                           MusterUser         *user,
                                           MusterExportColumn  column,
                                           GString            *scratch);
/* The values of a multi-valued column (NULL-terminated), or NULL for single-valued columns.
 * *@owned receives an array to free with g_strfreev when one had to be built. */
const char * const *_muster_export_user_values (MusterUser        *user,
                                                MusterExportColumn column,
                                                char            ***owned);
gboolean  _muster_export_column_is_multi  (MusterExportColumn  column);

/* Appends one CSV cell (RFC 4180 quoting, formula starts neutralised) to @out; NULL or "" is an
 * empty cell. For other CSV writers of the engine (the push history). */
void      _muster_export_csv_append_cell  (GString          *out,
                                           const char       *value);

/* Group columns, the same for every format. */
typedef enum
{
  MUSTER_EXPORT_GROUP_COLUMN_DISPLAY_NAME,
  MUSTER_EXPORT_GROUP_COLUMN_KIND,
  MUSTER_EXPORT_GROUP_COLUMN_MAIL,
  MUSTER_EXPORT_GROUP_COLUMN_DESCRIPTION,
  MUSTER_EXPORT_GROUP_COLUMN_DYNAMIC,
  MUSTER_EXPORT_GROUP_COLUMN_MEMBERS,
  MUSTER_EXPORT_GROUP_COLUMN_NESTED_MEMBERS,
  MUSTER_EXPORT_GROUP_COLUMN_ID,
  MUSTER_EXPORT_N_GROUP_COLUMNS
} MusterExportGroupColumn;

const char *_muster_export_group_column_title (MusterExportGroupColumn column);
const char *_muster_export_group_text         (MusterGroup            *group,
                                               MusterExportGroupColumn column,
                                               GString                *scratch);

/* Settings as the writers read them. */
const MusterExportColumn *_muster_export_columns (MusterExport *self,
                                                  guint        *n_columns);
gboolean     _muster_export_get_csv_bom         (MusterExport *self);
gboolean     _muster_export_get_csv_filter_row  (MusterExport *self);
const char  *_muster_export_get_filter_description (MusterExport *self);
const char  *_muster_export_get_tenant          (MusterExport *self);
gint64       _muster_export_get_snapshot_id     (MusterExport *self);
gint64       _muster_export_get_snapshot_time   (MusterExport *self);
/* "2026-11-23T15:26:47Z", or NULL for 0. */
char        *_muster_export_format_time         (gint64        unix_time);

/* The per-format writers; @users and @groups are arrays of MusterUser / MusterGroup. */
gboolean  _muster_export_csv_users    (MusterExport  *self,
                                       GPtrArray     *users,
                                       GOutputStream *stream,
                                       GCancellable  *cancellable,
                                       GError       **error);
gboolean  _muster_export_csv_groups   (MusterExport  *self,
                                       GPtrArray     *groups,
                                       GOutputStream *stream,
                                       GCancellable  *cancellable,
                                       GError       **error);
gboolean  _muster_export_json_users   (MusterExport  *self,
                                       GPtrArray     *users,
                                       GOutputStream *stream,
                                       GCancellable  *cancellable,
                                       GError       **error);
gboolean  _muster_export_json_groups  (MusterExport  *self,
                                       GPtrArray     *groups,
                                       GOutputStream *stream,
                                       GCancellable  *cancellable,
                                       GError       **error);
#if HAVE_XLSXWRITER
/* Writes a complete workbook at @path (a temporary file the caller renames). */
gboolean  _muster_export_xlsx_users   (MusterExport  *self,
                                       GPtrArray     *users,
                                       const char    *path,
                                       GCancellable  *cancellable,
                                       GError       **error);
gboolean  _muster_export_xlsx_groups  (MusterExport  *self,
                                       GPtrArray     *groups,
                                       const char    *path,
                                       GCancellable  *cancellable,
                                       GError       **error);
#endif

G_END_DECLS
