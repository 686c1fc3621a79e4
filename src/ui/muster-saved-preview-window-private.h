/* muster-saved-preview-window-private.h: the saved-preview window's state, shared by
 * muster-saved-preview-window.c (showing, reports, opening) and muster-saved-preview-sync.c
 * (Compare With Now and Push)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-push.h"
#include "muster-saved-preview-window.h"
#include "muster-target.h"

G_BEGIN_DECLS

struct _MusterSavedPreviewWindow
{
  AdwApplicationWindow  parent_instance;

  MusterPreviewFile    *preview;
  GFile                *file;
  char                 *notice;
  GCancellable         *cancellable;       /* cancelled when the window closes */
  gboolean              exporting;

  /* muster-saved-preview-sync.c */
  GCancellable         *sync_cancellable;  /* Cancel of a comparison or push */
  gboolean              comparing;
  gboolean              pushing;           /* opening the target, reading it, pushing */
  MusterTarget         *target;            /* opened for the last comparison or push */
  MusterPush           *push;              /* while a push runs */
  GPtrArray            *differences;       /* the last comparison's, of MusterPreviewDifference */
  GPtrArray            *left_out;          /* the last push's untouched users, of MusterPlanItem */
  char                 *sync_text;
  guint                 syncs_finished;

  /* template children */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkLabel             *notice_label;
  GtkLabel             *details_label;
  GtkLabel             *command_label;
  MusterPreviewPage    *preview_page;
  GtkLabel             *sync_label;
  GtkProgressBar       *sync_progress;
  GtkButton            *cancel_button;
};

void _muster_saved_preview_sync_class_init (GtkWidgetClass           *widget_class);
void _muster_saved_preview_sync_dispose    (MusterSavedPreviewWindow *self);
void _muster_saved_preview_update_actions  (MusterSavedPreviewWindow *self);

G_END_DECLS
