/* muster-saved-preview-window.h: a saved .muster-preview opened read-only, on any computer
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-preview-file.h"
#include "muster-preview-page.h"
#include "muster-report.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_SAVED_PREVIEW_WINDOW (muster_saved_preview_window_get_type ())
G_DECLARE_FINAL_TYPE (MusterSavedPreviewWindow, muster_saved_preview_window, MUSTER, SAVED_PREVIEW_WINDOW,
                      AdwApplicationWindow)

/* A window showing @preview (loaded from @file, which may be NULL) read-only, with the notice
 * "Saved preview — read only, made on DATE for TENANT by WHO". It needs no profile, no sign-in
 * and no network. */
MusterSavedPreviewWindow *muster_saved_preview_window_new        (GtkApplication    *application,
                                                                  GFile             *file,
                                                                  MusterPreviewFile *preview);
MusterPreviewFile        *muster_saved_preview_window_get_preview (MusterSavedPreviewWindow *self);
MusterPreviewPage        *muster_saved_preview_window_get_page    (MusterSavedPreviewWindow *self);
const char               *muster_saved_preview_window_get_notice  (MusterSavedPreviewWindow *self);
/* The report Print… and Export Report… give: the saved plan with the file's tenant, profile,
 * target and author in its header. */
MusterReport             *muster_saved_preview_window_new_report  (MusterSavedPreviewWindow *self);
/* Writes the report to @file as @choice_id ("pdf-a4", "pdf-letter", "xlsx", "csv": the Export
 * Report dialog's choices) in a worker thread; a toast says when it is saved. FALSE for an
 * unknown or unavailable choice. */
gboolean                  muster_saved_preview_window_export      (MusterSavedPreviewWindow *self,
                                                                   GFile                    *file,
                                                                   const char               *choice_id);
/* TRUE while an export is being written. */
gboolean                  muster_saved_preview_window_get_exporting (MusterSavedPreviewWindow *self);

/* Compare With Now (win.compare-preview) and Push (win.push-preview, after a question) run one
 * at a time; busy until the one running ends, then the runs-finished count goes up. */
gboolean                  muster_saved_preview_window_get_busy    (MusterSavedPreviewWindow *self);
guint                     muster_saved_preview_window_get_runs_finished (MusterSavedPreviewWindow *self);
/* What the window says about the last or running comparison or push. */
const char               *muster_saved_preview_window_get_status  (MusterSavedPreviewWindow *self);
/* The last comparison's (of MusterPreviewDifference), or NULL. */
GPtrArray                *muster_saved_preview_window_get_differences (MusterSavedPreviewWindow *self);
/* The users the last push left alone because the target changed since (of MusterPlanItem). */
GPtrArray                *muster_saved_preview_window_get_left_out (MusterSavedPreviewWindow *self);

/* Loads @file in a worker thread and presents a window for it, or a dialog saying what is
 * wrong with the file (transient for @parent when given). */
void                      muster_saved_preview_window_open       (GtkApplication    *application,
                                                                  GtkWindow         *parent,
                                                                  GFile             *file);
/* Asks for a .muster-preview file and opens it. */
void                      muster_saved_preview_window_choose     (GtkApplication    *application,
                                                                  GtkWindow         *parent);
/* Files dropped on @window open as saved previews. */
void                      muster_saved_preview_window_add_drop_target (GtkWidget    *window);

G_END_DECLS
