/* muster-snapshot.h: one directory snapshot loaded into memory — what every page and export reads
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "muster-group.h"
#include "muster-user.h"

G_BEGIN_DECLS

typedef struct
{
  gint64    id;
  char     *profile;
  char     *tenant_id;
  gint64    created_at;   /* unix time the fetch finished */
  guint     n_users;
  guint     n_groups;
  gboolean  from_delta;   /* made by an incremental refresh */
} MusterSnapshotInfo;

MusterSnapshotInfo *muster_snapshot_info_copy (const MusterSnapshotInfo *info);
void                muster_snapshot_info_free (MusterSnapshotInfo       *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterSnapshotInfo, muster_snapshot_info_free)

typedef struct
{
  char   *sku_id;
  char   *part_number;
  char   *title;        /* friendly name, else the part number */
  gint64  consumed;
  gint64  enabled;
} MusterSku;

#define MUSTER_TYPE_SNAPSHOT (muster_snapshot_get_type ())
G_DECLARE_FINAL_TYPE (MusterSnapshot, muster_snapshot, MUSTER, SNAPSHOT, GObject)

const MusterSnapshotInfo *muster_snapshot_get_info         (MusterSnapshot *self);
/* GListModel of MusterUser sorted by display name; of MusterGroup sorted by display name. */
GListModel         *muster_snapshot_get_users              (MusterSnapshot *self);
GListModel         *muster_snapshot_get_groups             (MusterSnapshot *self);
GPtrArray          *muster_snapshot_get_skus               (MusterSnapshot *self); /* of MusterSku */
MusterUser         *muster_snapshot_lookup_user            (MusterSnapshot *self,
                                                            const char     *id);
MusterGroup        *muster_snapshot_lookup_group           (MusterSnapshot *self,
                                                            const char     *id_or_name);
/* Groups @user_id is in: directly, or also through nesting (each once). Of MusterGroup*. */
GPtrArray          *muster_snapshot_get_user_groups        (MusterSnapshot *self,
                                                            const char     *user_id,
                                                            gboolean        transitive);
/* Users in @group_id: direct members, or everyone reached through nested groups. Of MusterUser*. */
GPtrArray          *muster_snapshot_get_group_members      (MusterSnapshot *self,
                                                            const char     *group_id,
                                                            gboolean        transitive);
/* O(1): used per row by filters over 100,000 users. */
gboolean            muster_snapshot_user_in_group          (MusterSnapshot *self,
                                                            const char     *user_id,
                                                            const char     *group_id,
                                                            gboolean        transitive);
/* Manager, manager's manager, … up to the top; stops at a cycle. Of MusterUser*. */
GPtrArray          *muster_snapshot_get_manager_chain      (MusterSnapshot *self,
                                                            const char     *user_id);
/* The @odata.deltaLink saved with the snapshot for "users" or "groups", or NULL. */
const char         *muster_snapshot_get_delta_link         (MusterSnapshot *self,
                                                            const char     *kind);

G_END_DECLS
