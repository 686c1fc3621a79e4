/* muster-preview-page.h: what a push would change in a target — totals, the safety limit, the
 * per-user list with reasons, field changes and explanations, and the push's progress and result
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-plan.h"
#include "muster-push.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_PREVIEW_PAGE (muster_preview_page_get_type ())
G_DECLARE_FINAL_TYPE (MusterPreviewPage, muster_preview_page, MUSTER, PREVIEW_PAGE, AdwBin)

/* The page shows; its buttons activate the window's actions (win.push-add, win.push-update,
 * win.push-sync, win.push-anyway, win.cancel-push, win.retry-failed, win.refresh-preview,
 * win.cancel-preview). Property "selected-target" (guint): the target chosen in the dropdown;
 * notified only when the admin picks one. */
void        muster_preview_page_set_targets         (MusterPreviewPage   *self,
                                                     const char * const  *labels,
                                                     guint                selected);
guint       muster_preview_page_get_selected_target (MusterPreviewPage   *self);
/* Off while a push runs: its target stays the one shown. */
void        muster_preview_page_set_target_sensitive (MusterPreviewPage  *self,
                                                      gboolean            sensitive);

/* Nothing to preview: @title and @description say why. */
void        muster_preview_page_show_empty          (MusterPreviewPage   *self,
                                                     const char          *title,
                                                     const char          *description);
/* "No Targets", with a button that opens the setup assistant (win.setup-sync). */
void                muster_preview_page_show_no_targets (MusterPreviewPage *self);
/* Reading the target or planning: @fraction < 0 pulses. */
void        muster_preview_page_show_progress       (MusterPreviewPage   *self,
                                                     const char          *title,
                                                     const char          *description,
                                                     double               fraction);
/* The plan, the limit it is held to, the users it was made for (NULL: everyone; the list then
 * shows only them) and, when it is over the limit, the engine's refusal. */
void        muster_preview_page_set_plan            (MusterPreviewPage   *self,
                                                     MusterPlan          *plan,
                                                     guint                limit_count,
                                                     guint                limit_percent,
                                                     const char * const  *only_ids,
                                                     const GError        *refusal);
MusterPlan *muster_preview_page_get_plan            (MusterPreviewPage   *self);
/* "12 to create, 3 to update, …" as shown. */
const char *muster_preview_page_get_summary_text    (MusterPreviewPage   *self);
/* The refusal shown, or NULL. */
const char *muster_preview_page_get_refusal_text    (MusterPreviewPage   *self);
/* The users the list shows after the search and filters. */
GListModel *muster_preview_page_get_shown           (MusterPreviewPage   *self);
void        muster_preview_page_set_search          (MusterPreviewPage   *self,
                                                     const char          *text);
void        muster_preview_page_set_only_new        (MusterPreviewPage   *self,
                                                     gboolean             only_new);
/* -1: every action. */
void        muster_preview_page_set_action_filter   (MusterPreviewPage   *self,
                                                     int                  action);

/* A push under way. */
void        muster_preview_page_set_push_progress   (MusterPreviewPage   *self,
                                                     guint                done,
                                                     guint                failed,
                                                     guint                total);
/* How it ended: @title, @description and the failed operations (of MusterOperationResult). */
void        muster_preview_page_set_push_result     (MusterPreviewPage   *self,
                                                     const char          *title,
                                                     const char          *description,
                                                     GPtrArray           *failures);
const char *muster_preview_page_get_push_text       (MusterPreviewPage   *self);

/* A saved preview: no target to choose and nothing to push from the page itself (the window
 * around it offers that). Its Save Preview… button (win.save-preview) is in the push bar. */
void        muster_preview_page_set_read_only       (MusterPreviewPage   *self,
                                                     gboolean             read_only);
gboolean    muster_preview_page_get_read_only       (MusterPreviewPage   *self);

G_END_DECLS
