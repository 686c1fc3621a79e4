/* muster-report-private.h: what the report writers share
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-report.h"

G_BEGIN_DECLS

/* One row of the Changes table: display name, user principal name, field, before, after. */
const char * const *_muster_report_get_change (MusterReport *self,
                                               guint         index);

#if HAVE_XLSXWRITER
/* Writes the workbook at @path (a temporary file the caller renames). */
gboolean  _muster_report_write_xlsx (MusterReport  *self,
                                     const char    *path,
                                     GCancellable  *cancellable,
                                     GError       **error);
#endif

G_END_DECLS
