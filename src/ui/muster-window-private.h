/* muster-window-private.h: the window's state, shared by muster-window.c (flows) and
 * muster-window-actions.c (the commands it offers)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-graph-client.h"
#include "muster-profile-switcher.h"
#include "muster-session.h"
#include "muster-sign-in-page.h"
#include "muster-tenant-page.h"
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
  MusterSession         *session;
  MusterGraphClient     *graph;

  gboolean               closed;
  gboolean               in_demo;
  gboolean               starting_demo;
  gboolean               signing_in;
  gboolean               loading_status;
  gboolean               signing_out;

  /* template children */
  AdwHeaderBar          *header_bar;
  AdwWindowTitle        *window_title;
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
  MusterTenantPage      *tenant_page;
  AdwStatusPage         *error_page;
};

/* muster-window-actions.c */
void  _muster_window_class_install_actions (GtkWidgetClass *widget_class);
void  _muster_window_actions_update        (MusterWindow   *self);

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
