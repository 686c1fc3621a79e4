/* muster-snapshot-private.h: how the store builds a MusterSnapshot, and the fast paths filters use
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-snapshot.h"

G_BEGIN_DECLS

/* Building: add every user and group, then memberships and SKUs, then finish once. */
MusterSnapshot *_muster_snapshot_new                (const MusterSnapshotInfo *info);
void            _muster_snapshot_add_user           (MusterSnapshot           *self,
                                                     MusterUser               *user);   /* transfer full */
void            _muster_snapshot_add_group          (MusterSnapshot           *self,
                                                     MusterGroup              *group);  /* transfer full */
/* A direct membership; members that are neither a user nor a group of the snapshot (devices,
 * contacts, objects outside it) are ignored in memory. */
void            _muster_snapshot_add_member         (MusterSnapshot           *self,
                                                     const char               *group_id,
                                                     const char               *member_id);
/* The same for @n_members members of one group, looking the group up once. */
void            _muster_snapshot_add_members        (MusterSnapshot           *self,
                                                     const char               *group_id,
                                                     const char * const       *member_ids,
                                                     guint                     n_members);
void            _muster_snapshot_add_sku            (MusterSnapshot           *self,
                                                     const char               *sku_id,
                                                     const char               *part_number,
                                                     gint64                    consumed,
                                                     gint64                    enabled);
void            _muster_snapshot_set_delta_link     (MusterSnapshot           *self,
                                                     const char               *kind,
                                                     const char               *link);
/* Sorts, computes transitive memberships and member counts, resolves manager and licence names
 * into each user and fills the list models. */
void            _muster_snapshot_finish             (MusterSnapshot           *self);

/* For filters: unique per loaded snapshot (a pointer may be reused after a free; this is not). */
guint           _muster_snapshot_get_serial         (MusterSnapshot           *self);
/* Position of a group (by id, else exact display name) in the sorted groups. */
gboolean        _muster_snapshot_find_group_index   (MusterSnapshot           *self,
                                                     const char               *id_or_name,
                                                     guint                    *index);
MusterGroup    *_muster_snapshot_get_group_at       (MusterSnapshot           *self,
                                                     guint                     index);
/* The sorted group positions @user is in (a user of another snapshot is found by id). */
const guint32  *_muster_snapshot_get_user_group_indices (MusterSnapshot       *self,
                                                         MusterUser           *user,
                                                         gboolean              transitive,
                                                         guint                *n_indices);

G_END_DECLS
