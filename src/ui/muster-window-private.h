/* muster-window-private.h: the window's state, shared by muster-window.c (flows) and
 * muster-window-actions.c (the commands it offers)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-connection.h"
#include "muster-directory-fetch.h"
#include "muster-fetch-indicator.h"
#include "muster-graph-client.h"
#include "muster-groups-page.h"
#include "muster-history-page.h"
#include "muster-plan.h"
#include "muster-preview-page.h"
#include "muster-push.h"
#include "muster-rules.h"
#include "muster-target-store.h"
#include "muster-profile-switcher.h"
#include "muster-session.h"
#include "muster-sign-in-page.h"
#include "muster-snapshot-store.h"
#include "muster-tenant-page.h"
#include "muster-users-page.h"
#include "muster-window.h"

G_BEGIN_DECLS

struct _MusterWindow
{
  AdwApplicationWindow   parent_instance;

  GSettings             *settings;
  GCancellable          *cancellable;          /* cancelled when the window closes */
  GCancellable          *sign_in_cancellable;  /* Cancel on the waiting page */
  GCancellable          *status_cancellable;

  MusterProfileStore    *own_store;            /* the admin's profiles */
  MusterProfileStore    *store;                /* the profiles shown: own_store, or the demo's */
  MusterProfile         *profile;              /* the connection shown, or NULL */
  MusterConnection      *connection;           /* its live state: session, Graph client, the snapshot
                                                * shown, the fetch running, the target chosen, the
                                                * plan shown, the push running and the history
                                                * (the demo's own in the demo); or NULL */

  gboolean               closed;
  gboolean               in_demo;
  gboolean               starting_demo;
  gboolean               signing_in;
  gboolean               loading_status;
  gboolean               signing_out;

  /* the directory: muster-window-directory.c */
  MusterSnapshotStore   *snapshot_store;       /* cache.db (the demo's own while in the demo) */
  char                  *snapshot_store_path;  /* NULL: cache.db in the data folder */
  GCancellable          *snapshot_cancellable;
  GCancellable          *fetch_cancellable;
  gboolean               loading_snapshot;
  gboolean               exporting;
  MusterRules           *rules;                /* the profile's sync rules, once loaded */
  char                  *rules_profile;        /* whose they are (or are being loaded) */
  GCancellable          *rules_cancellable;

  /* previews and pushes: muster-window-sync.c */
  GPtrArray             *sync_targets;         /* of SyncTarget; NULL until listed */
  gboolean               listing_targets;
  MusterTargetStore     *target_store;         /* targets.ini (not in the demo) */
  guint                  target_index;
  MusterRules           *plan_rules;           /* the saved rules, as read for the last plan */
  MusterTargetState     *target_state;         /* as read for the last plan */
  GError                *plan_refusal;         /* over the safety limit, or NULL */
  char                 **preview_only_ids;     /* Preview Sync of some users, or NULL: everyone */
  GCancellable          *preview_cancellable;
  gboolean               previewing;           /* opening, reading the target, planning */
  gboolean               preview_stale;        /* the snapshot or target changed since */
  GCancellable          *history_cancellable;
  gboolean               opening_history;
  GCancellable          *push_cancellable;
  MusterPlanMode         push_mode;
  gboolean               push_force;
  gboolean               push_waiting;         /* planning the push, or opening the history */
  gboolean               retry_pending;        /* Retry Failed: push once the new plan is ready */
  gboolean               retrying;             /* …and until that push ends */
  char                 **ids_before_retry;     /* preview_only_ids to go back to after it */
  GPtrArray             *push_failures;        /* of MusterOperationResult: the last push's */
  guint                  pushes_finished;

  /* template children */
  AdwHeaderBar          *header_bar;
  AdwViewSwitcherTitle  *switcher_title;
  MusterFetchIndicator  *fetch_indicator;
  MusterProfileSwitcher *profile_switcher;
  GtkMenuButton         *primary_menu_button;
  GtkButton             *refresh_button;
  AdwToastOverlay       *toast_overlay;
  GtkStack              *main_stack;
  AdwStatusPage         *welcome_page;
  GtkButton             *connect_button;
  GtkButton             *demo_button;
  MusterSignInPage      *sign_in_page;
  AdwStatusPage         *loading_page;
  GtkSpinner            *loading_spinner;
  AdwViewStack          *view_stack;
  MusterTenantPage      *tenant_page;
  MusterUsersPage       *users_page;
  MusterGroupsPage      *groups_page;
  MusterPreviewPage     *preview_page;
  MusterHistoryPage     *history_page;
  GtkBox                *push_indicator;
  GtkLabel              *push_indicator_label;
  GtkProgressBar        *push_indicator_bar;
  AdwStatusPage         *error_page;
};

/* The shown profile's session and Graph client (NULL: no profile shown, or no client yet). */
static inline MusterSession *
_muster_window_get_session (MusterWindow *self)
{
  return self->connection != NULL ? muster_connection_get_session (self->connection) : NULL;
}

static inline MusterGraphClient *
_muster_window_get_graph (MusterWindow *self)
{
  return self->connection != NULL ? muster_connection_get_graph_client (self->connection) : NULL;
}

/* The snapshot shown on the Users and Groups pages, and the fetch Refresh runs (or NULL). */
static inline MusterSnapshot *
_muster_window_get_snapshot (MusterWindow *self)
{
  return self->connection != NULL ? muster_connection_get_snapshot (self->connection) : NULL;
}

static inline MusterDirectoryFetch *
_muster_window_get_fetch (MusterWindow *self)
{
  return self->connection != NULL ? muster_connection_get_fetch (self->connection) : NULL;
}

/* The chosen target (opened), the preview shown, the push running and history.db (or NULL). */
static inline MusterTarget *
_muster_window_get_target (MusterWindow *self)
{
  return self->connection != NULL ? muster_connection_get_target (self->connection) : NULL;
}

static inline MusterPlan *
_muster_window_get_plan (MusterWindow *self)
{
  return self->connection != NULL ? muster_connection_get_plan (self->connection) : NULL;
}

static inline MusterPush *
_muster_window_get_push (MusterWindow *self)
{
  return self->connection != NULL ? muster_connection_get_push (self->connection) : NULL;
}

static inline MusterHistory *
_muster_window_get_history (MusterWindow *self)
{
  return self->connection != NULL ? muster_connection_get_history (self->connection) : NULL;
}

/* muster-window-actions.c */
void  _muster_window_class_install_actions (GtkWidgetClass *widget_class);
/* muster-window-preview-file.c: win.save-preview, and saved previews dropped on the window */
void  _muster_window_preview_file_class_init (GtkWidgetClass *widget_class);
void  _muster_window_preview_file_init     (MusterWindow   *self);
void  _muster_window_preview_file_update   (MusterWindow   *self);
void  _muster_window_save_preview          (MusterWindow   *self,
                                            GFile          *file);
void  _muster_window_actions_update        (MusterWindow   *self);

/* muster-window-directory.c: snapshots, Refresh, exports */
void  _muster_window_directory_init        (MusterWindow   *self);
void  _muster_window_directory_dispose     (MusterWindow   *self);
/* Forgets the snapshot shown and stops loading or fetching one (another profile is shown). */
void  _muster_window_directory_reset       (MusterWindow   *self);
/* Opens the profile's latest snapshot from cache.db, without the network. */
void  _muster_window_load_snapshot         (MusterWindow   *self);
void  _muster_window_refresh_directory     (MusterWindow   *self);
void  _muster_window_cancel_refresh        (MusterWindow   *self);
void  _muster_window_export_users          (MusterWindow   *self,
                                            gboolean        selection);
void  _muster_window_open_export           (MusterWindow   *self,
                                            const char     *uri);
void  _muster_window_find                  (MusterWindow   *self);
/* The header bar follows the page: view switcher, status Refresh, snapshot age. */
void  _muster_window_update_header         (MusterWindow   *self);

/* muster-window-rules.c: the rules file watched for changes made elsewhere; call once the rules
 * of a profile are loaded (or forgotten) */
void  _muster_window_watch_rules           (MusterWindow   *self);

/* muster-window-changes.c: the Changes page */
void  _muster_window_changes_init          (MusterWindow   *self);

/* muster-window-sync.c: previews, pushes and their history */
void  _muster_window_sync_init             (MusterWindow   *self);
void  _muster_window_sync_dispose          (MusterWindow   *self);
/* Forgets targets, plans and history shown (another profile is shown). */
void  _muster_window_sync_reset            (MusterWindow   *self);
/* Reads the chosen target and plans (again) from the snapshot and the profile's rules. */
void  _muster_window_start_preview         (MusterWindow   *self);
void  _muster_window_cancel_preview        (MusterWindow   *self);
/* The Preview page for the users selected on the Users page, or those it shows. */
void  _muster_window_preview_users         (MusterWindow   *self);
void  _muster_window_push                  (MusterWindow   *self,
                                            MusterPlanMode  mode,
                                            gboolean        force);
void  _muster_window_confirm_push_anyway   (MusterWindow   *self);
void  _muster_window_cancel_push           (MusterWindow   *self);
void  _muster_window_retry_failed          (MusterWindow   *self);

/* muster-window-report.c: Export Report… and Print… of the preview and the users */
void  _muster_window_report_install_actions (GtkWidgetClass *widget_class);
void  _muster_window_report_update_actions (MusterWindow   *self);
/* The users export's PDF choices, appended to @ids and @labels. */
void  _muster_window_report_add_choices    (GPtrArray      *ids,
                                            GPtrArray      *labels);
/* Writes @users as a PDF report when @choice_id (or @chosen's extension) asks for one. */
gboolean _muster_window_report_export_users (MusterWindow  *self,
                                             const char    *choice_id,
                                             GFile         *chosen,
                                             GListModel    *users,
                                             gboolean       selection);
/* muster-window.c */
void  _muster_window_show_page             (MusterWindow       *self,
                                            const char         *name);
void  _muster_window_toast                 (MusterWindow       *self,
                                            const char         *text);
void  _muster_window_report_error          (MusterWindow       *self,
                                            const char         *heading,
                                            const GError       *error);
void  _muster_window_use_store             (MusterWindow       *self,
                                            MusterProfileStore *store,
                                            gboolean            in_demo);
/* Shows @profile: its status when signed in, else starts signing in when @sign_in. */
void  _muster_window_open_profile          (MusterWindow       *self,
                                            MusterProfile      *profile,
                                            gboolean            sign_in);
void  _muster_window_sign_in               (MusterWindow       *self,
                                            gboolean            admin_consent);
void  _muster_window_load_status           (MusterWindow       *self);
void  _muster_window_sign_out              (MusterWindow       *self,
                                            gboolean            remove_profile);

G_END_DECLS
