/* muster-sqlite-target.h: a SQLite file the admin picks, as a target Muster pushes people into
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The schema, its versions and what Muster writes when are documented in docs/sqlite-store.md.
 * Features: groups, delete, roles, user type and the enterprise attributes. A role given to a
 * user that the store does not offer yet is added to its roles table, never refused. Each apply
 * is one transaction with its sync_runs/sync_results rows: a full disk or another store failure
 * rolls the whole batch back (finish returns NULL with MUSTER_TARGET_ERROR_FAILED), and so does
 * cancellation (every operation then G_IO_ERROR_CANCELLED).
 */

#pragma once

#include <gio/gio.h>

#include "muster-target.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_SQLITE_TARGET (muster_sqlite_target_get_type ())
G_DECLARE_FINAL_TYPE (MusterSqliteTarget, muster_sqlite_target, MUSTER, SQLITE_TARGET, GObject)

/* The store at @path (made absolute). Nothing touches the file until it is first used: then it
 * is created (mode 0600, its folder 0700) or checked, and migrated. A file that is not a Muster
 * store, or that a newer Muster wrote, is refused with MUSTER_TARGET_ERROR_INVALID or
 * _UNSUPPORTED and left exactly as it was. */
MusterSqliteTarget *muster_sqlite_target_new         (const char          *path);
const char         *muster_sqlite_target_get_path    (MusterSqliteTarget  *self);

/* The calls below block on the file (and wait up to 10 s for another writer): call them from a
 * worker thread, or use the _async variants. Each may create the store. */

/* Creates, checks or migrates the store now, so that a bad file is reported before a push. */
gboolean            muster_sqlite_target_open        (MusterSqliteTarget  *self,
                                                      GError             **error);
/* The roles the store offers, sorted by name; never NULL on success. */
char              **muster_sqlite_target_list_roles  (MusterSqliteTarget  *self,
                                                      GError             **error);
/* Adds a role the store offers; adding one it already offers succeeds. */
gboolean            muster_sqlite_target_add_role    (MusterSqliteTarget  *self,
                                                      const char          *role,
                                                      GError             **error);
/* Removes a role and takes it from every user who has it. MUSTER_TARGET_ERROR_INVALID when the
 * store does not offer @role. */
gboolean            muster_sqlite_target_remove_role (MusterSqliteTarget  *self,
                                                      const char          *role,
                                                      GError             **error);

void                muster_sqlite_target_open_async        (MusterSqliteTarget   *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean            muster_sqlite_target_open_finish       (MusterSqliteTarget   *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
void                muster_sqlite_target_list_roles_async  (MusterSqliteTarget   *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
char              **muster_sqlite_target_list_roles_finish (MusterSqliteTarget   *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
void                muster_sqlite_target_add_role_async    (MusterSqliteTarget   *self,
                                                            const char           *role,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean            muster_sqlite_target_add_role_finish   (MusterSqliteTarget   *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
void                muster_sqlite_target_remove_role_async (MusterSqliteTarget   *self,
                                                            const char           *role,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean            muster_sqlite_target_remove_role_finish (MusterSqliteTarget  *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

G_END_DECLS
