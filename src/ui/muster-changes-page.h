/* muster-changes-page.h: Changes — who joined, left or changed in the tenant, and group
 * membership changes, between the latest snapshot and an earlier one, with an export
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-snapshot-diff.h"
#include "muster-snapshot-store.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_CHANGES_PAGE (muster_changes_page_get_type ())
G_DECLARE_FINAL_TYPE (MusterChangesPage, muster_changes_page, MUSTER, CHANGES_PAGE, AdwBin)

/* Lists @profile's snapshots in @store and compares the latest with the one before it (or
 * the one chosen in "Compare with"), in worker threads. NULL: nothing. Property "loading"
 * (read-only). Action changes.export (CSV or JSON by the file's name). */
void                muster_changes_page_set_store   (MusterChangesPage   *self,
                                                     MusterSnapshotStore *store,
                                                     const char          *profile);
void                muster_changes_page_reload      (MusterChangesPage   *self);
gboolean            muster_changes_page_get_loading (MusterChangesPage   *self);
/* The report shown, or NULL. */
MusterSnapshotDiff *muster_changes_page_get_diff    (MusterChangesPage   *self);
const char         *muster_changes_page_get_summary_text (MusterChangesPage *self);
/* Writes the report shown to @file (CSV, or JSON for a .json name) in a worker thread. */
void                muster_changes_page_export_async  (MusterChangesPage   *self,
                                                       GFile               *file,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            muster_changes_page_export_finish (MusterChangesPage   *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
