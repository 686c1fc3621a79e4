/* muster-history-page.h: every push into every target — time, target, counts, outcome — with
 * each run's per-user results and an export
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-history.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_HISTORY_PAGE (muster_history_page_get_type ())
G_DECLARE_FINAL_TYPE (MusterHistoryPage, muster_history_page, MUSTER, HISTORY_PAGE, AdwBin)

/* Shows @profile's runs in @history (NULL: nothing), read in a worker thread. Actions:
 * history.refresh, history.export (CSV or JSON by the file's name, with every run's results).
 * Property "loading" (read-only). */
void                    muster_history_page_set_history (MusterHistoryPage *self,
                                                         MusterHistory     *history,
                                                         const char        *profile);
void                    muster_history_page_reload      (MusterHistoryPage *self);
gboolean                muster_history_page_get_loading (MusterHistoryPage *self);
guint                   muster_history_page_get_n_runs  (MusterHistoryPage *self);
/* Newest first. */
const MusterHistoryRun *muster_history_page_get_run     (MusterHistoryPage *self,
                                                         guint              index);
/* Opens a run's row and reads its per-user results. */
void                    muster_history_page_expand_run  (MusterHistoryPage *self,
                                                         guint              index);
gboolean                muster_history_page_get_run_expanded (MusterHistoryPage *self,
                                                              guint              index);
/* Writes every run with its results to @file in a worker thread (no file chooser); the page
 * then says where it went. */
void                    muster_history_page_export_async  (MusterHistoryPage   *self,
                                                           GFile               *file,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean                muster_history_page_export_finish (MusterHistoryPage   *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

G_END_DECLS
