/* muster-demo.h: the built-in demo tenant — a fake Microsoft 365 in-process and a private profile
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "muster-profile-store.h"

G_BEGIN_DECLS

#define MUSTER_DEMO_PROFILE_NAME "demo"

#define MUSTER_TYPE_DEMO (muster_demo_get_type ())
G_DECLARE_FINAL_TYPE (MusterDemo, muster_demo, MUSTER, DEMO, GObject)

MusterDemo         *muster_demo_new          (void);
/* Starts the fake tenant on a loopback port (in a thread), points the engine's clouds at it and
 * creates a profile store in a private temporary folder holding one profile, "demo", for the
 * fake's domain with browser sign-in. Starting a started demo completes at once. */
void                muster_demo_start_async  (MusterDemo           *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean            muster_demo_start_finish (MusterDemo           *self,
                                              GAsyncResult         *result,
                                              GError              **error);
gboolean            muster_demo_is_running   (MusterDemo           *self);
MusterProfileStore *muster_demo_get_store    (MusterDemo           *self);
MusterProfile      *muster_demo_get_profile  (MusterDemo           *self);
/* The demo's private temporary folder (its profiles and its snapshot cache), or NULL. */
const char         *muster_demo_get_folder   (MusterDemo           *self);
/* The demo's two ready targets: a SQLite store in its folder (made on first use), and the fake
 * tenant's SCIM service with the bearer token it accepts — kept in memory only, never saved. */
char               *muster_demo_dup_sqlite_path (MusterDemo        *self);
char               *muster_demo_dup_scim_url    (MusterDemo        *self);
const char         *muster_demo_get_scim_token  (MusterDemo        *self);
/* Signs out of the demo profile (clearing its keyring items), stops the fake, restores the real
 * clouds and deletes the temporary folder. Waits for the keyring at most a few seconds: it is
 * meant for shutdown, when no main loop runs any more. */
void                muster_demo_shutdown     (MusterDemo           *self);

G_END_DECLS
