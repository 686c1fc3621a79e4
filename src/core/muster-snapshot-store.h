/* muster-snapshot-store.h: cache.db — every snapshot of every profile's directory, on disk
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "muster-snapshot.h"

G_BEGIN_DECLS

#define MUSTER_STORE_ERROR (muster_store_error_quark ())

typedef enum
{
  MUSTER_STORE_ERROR_OPEN,       /* the file cannot be opened or is not Muster's */
  MUSTER_STORE_ERROR_VERSION,    /* written by a newer Muster */
  MUSTER_STORE_ERROR_CORRUPT,    /* SQLite says the file is damaged */
  MUSTER_STORE_ERROR_FULL,       /* the disk is full: nothing was changed */
  MUSTER_STORE_ERROR_NOT_FOUND,  /* no such snapshot */
  MUSTER_STORE_ERROR_FAILED,
} MusterStoreError;

GQuark muster_store_error_quark (void);

/* How many snapshots per profile are kept; older ones are pruned after each commit. */
#define MUSTER_SNAPSHOTS_KEPT 5

#define MUSTER_TYPE_SNAPSHOT_STORE (muster_snapshot_store_get_type ())
G_DECLARE_FINAL_TYPE (MusterSnapshotStore, muster_snapshot_store, MUSTER, SNAPSHOT_STORE, GObject)

/* Opens (creating and migrating) @path, or cache.db in the data folder when NULL. Thread-safe:
 * each call below uses its own connection or a lock, so readers and one writer may run in
 * worker threads at the same time (WAL). */
MusterSnapshotStore *muster_snapshot_store_open          (const char          *path,
                                                          GError             **error);
const char          *muster_snapshot_store_get_path      (MusterSnapshotStore *self);

/* Newest first. */
GPtrArray           *muster_snapshot_store_list          (MusterSnapshotStore *self,
                                                          const char          *profile,
                                                          GError             **error);
/* NULL without error when the profile has no snapshot yet. */
MusterSnapshotInfo  *muster_snapshot_store_get_latest    (MusterSnapshotStore *self,
                                                          const char          *profile,
                                                          GError             **error);

/* Loads a whole snapshot (users, groups, memberships, managers, SKUs, delta links). Blocking:
 * the _async form runs it in a GTask thread for the GUI. */
MusterSnapshot      *muster_snapshot_store_load          (MusterSnapshotStore *self,
                                                          gint64               snapshot_id,
                                                          GError             **error);
typedef enum
{
  MUSTER_SNAPSHOT_LOAD_ALL            = 0,
  MUSTER_SNAPSHOT_LOAD_NO_MEMBERSHIPS = 1 << 0,  /* groups without members: no group filter works */
} MusterSnapshotLoadFlags;

/* muster_snapshot_store_load() leaving out what @flags say, for a reader that needs less. */
MusterSnapshot      *muster_snapshot_store_load_with_flags (MusterSnapshotStore     *self,
                                                            gint64                   snapshot_id,
                                                            MusterSnapshotLoadFlags  flags,
                                                            GError                 **error);
void                 muster_snapshot_store_load_async    (MusterSnapshotStore *self,
                                                          gint64               snapshot_id,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
MusterSnapshot      *muster_snapshot_store_load_finish   (MusterSnapshotStore *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* The @odata.deltaLink of @kind ("users" or "groups") stored with a complete snapshot, read
 * without loading the snapshot. NULL without error when the snapshot has none. Blocking. */
char                *muster_snapshot_store_get_delta_link (MusterSnapshotStore *self,
                                                           gint64               snapshot_id,
                                                           const char          *kind,
                                                           GError             **error);

/* Photo thumbnails are cached per profile and user, apart from snapshots (photos do not show in
 * delta, learn.microsoft.com/graph/api/profilephoto-get). NULL bytes record "this user has no photo". */
gboolean             muster_snapshot_store_put_photo     (MusterSnapshotStore *self,
                                                          const char          *profile,
                                                          const char          *user_id,
                                                          GBytes              *bytes,
                                                          GError             **error);
/* FALSE when nothing is cached; TRUE with *@bytes NULL when the user has no photo. */
gboolean             muster_snapshot_store_get_photo     (MusterSnapshotStore *self,
                                                          const char          *profile,
                                                          const char          *user_id,
                                                          GBytes             **bytes);

/* Writing a snapshot ---------------------------------------------------------------------------
 *
 * A writer is one SQLite transaction on its own connection. Nothing it writes is visible until
 * commit; abort, an error or dropping the last reference rolls everything back, so a failed or
 * cancelled fetch leaves the previous snapshot as it was. Use it from one thread. */

typedef struct _MusterSnapshotWriter MusterSnapshotWriter;

/* A new, empty snapshot (full fetch). */
MusterSnapshotWriter *muster_snapshot_store_begin         (MusterSnapshotStore *self,
                                                           const char          *profile,
                                                           const char          *tenant_id,
                                                           GError             **error);
/* A new snapshot that starts as a copy of @base_id (incremental refresh: then apply the delta). */
MusterSnapshotWriter *muster_snapshot_store_begin_from    (MusterSnapshotStore *self,
                                                           gint64               base_id,
                                                           GError             **error);

/* Adds or replaces (same id) a user / group. */
gboolean  muster_snapshot_writer_put_user      (MusterSnapshotWriter *writer,
                                                MusterUser           *user,
                                                GError              **error);
gboolean  muster_snapshot_writer_put_group     (MusterSnapshotWriter *writer,
                                                MusterGroup          *group,
                                                GError              **error);
/* Removes a user or group and every membership it takes part in. */
gboolean  muster_snapshot_writer_remove_object (MusterSnapshotWriter *writer,
                                                const char           *id,
                                                GError              **error);
/* A direct membership; @member_id is a user or a nested group. Idempotent. */
gboolean  muster_snapshot_writer_add_member    (MusterSnapshotWriter *writer,
                                                const char           *group_id,
                                                const char           *member_id,
                                                GError              **error);
/* muster_snapshot_writer_add_member() for @n_members ids, each @stride pointers after the one
 * before it in @member_ids (2 for a list of group, member pairs), the group looked up once. */
gboolean  muster_snapshot_writer_add_members   (MusterSnapshotWriter *writer,
                                                const char           *group_id,
                                                const char * const   *member_ids,
                                                guint                 n_members,
                                                guint                 stride,
                                                GError              **error);
gboolean  muster_snapshot_writer_remove_member (MusterSnapshotWriter *writer,
                                                const char           *group_id,
                                                const char           *member_id,
                                                GError              **error);
/* Removes every direct member of @group_id (before writing a fresh member list). */
gboolean  muster_snapshot_writer_clear_members (MusterSnapshotWriter *writer,
                                                const char           *group_id,
                                                GError              **error);
gboolean  muster_snapshot_writer_set_manager   (MusterSnapshotWriter *writer,
                                                const char           *user_id,
                                                const char           *manager_id,   /* NULL clears */
                                                GError              **error);
gboolean  muster_snapshot_writer_put_sku       (MusterSnapshotWriter *writer,
                                                const MusterSku      *sku,
                                                GError              **error);
gboolean  muster_snapshot_writer_set_delta_link (MusterSnapshotWriter *writer,
                                                 const char           *kind,        /* "users" or "groups" */
                                                 const char           *link,
                                                 GError              **error);
/* Makes the snapshot visible, prunes old ones, and returns its id (0 on error). */
gint64    muster_snapshot_writer_commit        (MusterSnapshotWriter *writer,
                                                GError              **error);
void      muster_snapshot_writer_abort         (MusterSnapshotWriter *writer);
void      muster_snapshot_writer_free          (MusterSnapshotWriter *writer); /* aborts if not committed */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterSnapshotWriter, muster_snapshot_writer_free)

G_END_DECLS
