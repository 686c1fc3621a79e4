/* muster-connection.h: one profile's live state — the profile, its session and Graph client, the
 * snapshot store and the snapshot shown, the fetch running, the target chosen, the plan shown,
 * the push running and the push history — as properties a window binds to
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-directory-fetch.h"
#include "muster-graph-client.h"
#include "muster-history.h"
#include "muster-plan.h"
#include "muster-profile-store.h"
#include "muster-push.h"
#include "muster-session.h"
#include "muster-snapshot-store.h"
#include "muster-snapshot.h"
#include "muster-target.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_CONNECTION (muster_connection_get_type ())
G_DECLARE_FINAL_TYPE (MusterConnection, muster_connection, MUSTER, CONNECTION, GObject)

/* Properties, each notified on a real change:
 * - "profile-store", "profile" (construct-only), "session" (read-only, made with the connection);
 * - "graph-client" (read-only): made on first use by muster_connection_ensure_graph_client();
 * - "snapshot-store", "snapshot": the profile's cache.db once opened, and the snapshot shown;
 * - "fetch": the directory fetch running, or NULL; "fetching" (read-only): whether one runs;
 * - "target": the sync target chosen, opened; "plan": the preview shown, planned against it;
 * - "push": the push running, or NULL; "pushing" (read-only): whether one runs;
 * - "history": the push history (history.db) once opened;
 * - "signed-in" (read-only): the profile has tokens (it was signed in and not signed out). */

MusterConnection     *muster_connection_new                  (MusterProfileStore   *store,
                                                              MusterProfile        *profile);
MusterProfileStore   *muster_connection_get_profile_store    (MusterConnection     *self);
MusterProfile        *muster_connection_get_profile          (MusterConnection     *self);
MusterSession        *muster_connection_get_session          (MusterConnection     *self);
/* NULL until muster_connection_ensure_graph_client() made one. */
MusterGraphClient    *muster_connection_get_graph_client     (MusterConnection     *self);
MusterGraphClient    *muster_connection_ensure_graph_client  (MusterConnection     *self);
/* Forgets the Graph client (signed out: the next one starts with new tokens). */
void                  muster_connection_reset_graph_client   (MusterConnection     *self);
gboolean              muster_connection_get_signed_in        (MusterConnection     *self);
/* Tells the connection the profile's sign-in state changed (signed in or out). */
void                  muster_connection_profile_changed      (MusterConnection     *self);

MusterSnapshotStore  *muster_connection_get_snapshot_store   (MusterConnection     *self);
void                  muster_connection_set_snapshot_store   (MusterConnection     *self,
                                                              MusterSnapshotStore  *store);
MusterSnapshot       *muster_connection_get_snapshot         (MusterConnection     *self);
void                  muster_connection_set_snapshot         (MusterConnection     *self,
                                                              MusterSnapshot       *snapshot);
MusterDirectoryFetch *muster_connection_get_fetch            (MusterConnection     *self);
void                  muster_connection_set_fetch            (MusterConnection     *self,
                                                              MusterDirectoryFetch *fetch);
gboolean              muster_connection_get_fetching         (MusterConnection     *self);

MusterTarget         *muster_connection_get_target           (MusterConnection     *self);
void                  muster_connection_set_target           (MusterConnection     *self,
                                                              MusterTarget         *target);
MusterPlan           *muster_connection_get_plan             (MusterConnection     *self);
void                  muster_connection_set_plan             (MusterConnection     *self,
                                                              MusterPlan           *plan);
MusterPush           *muster_connection_get_push             (MusterConnection     *self);
void                  muster_connection_set_push             (MusterConnection     *self,
                                                              MusterPush           *push);
gboolean              muster_connection_get_pushing          (MusterConnection     *self);
MusterHistory        *muster_connection_get_history          (MusterConnection     *self);
void                  muster_connection_set_history          (MusterConnection     *self,
                                                              MusterHistory        *history);

G_END_DECLS
