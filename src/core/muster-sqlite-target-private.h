/* muster-sqlite-target-private.h: what only the engine and its tests may call on a SQLite target
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "muster-sqlite-target.h"

G_BEGIN_DECLS

/* Lets the store grow by at most @extra_pages database pages on the target's own connection
 * (PRAGMA max_page_count), so tests can make the disk "full" in the middle of a batch. */
gboolean _muster_sqlite_target_limit_growth (MusterSqliteTarget  *self,
                                             guint                extra_pages,
                                             GError             **error);

/* Shared by muster-sqlite-target.c, muster-sqlite-target-apply.c and -state.c ------------------- */

/* Statements kept prepared on the connection. Those writing a whole user bind ?1 (external_id
 * or id), ?2 user_name, ?3 active, ?4 user_type, ?5–?14 the attribute columns, ?15 the time. */
enum
{
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_FIND_USER_BY_EXTERNAL_ID,
  STMT_FIND_USER_BY_ID,
  STMT_INSERT_USER,
  STMT_SET_USER,
  STMT_DISABLE_USER,
  STMT_DELETE_USER,
  STMT_CLEAR_USER_ROLES,
  STMT_ADD_ROLE,
  STMT_ADD_USER_ROLE,
  STMT_FIND_GROUP_BY_EXTERNAL_ID,
  STMT_FIND_GROUP_BY_ID,
  STMT_INSERT_GROUP,
  STMT_RENAME_GROUP,
  STMT_ADD_MEMBER,
  STMT_REMOVE_MEMBER,
  STMT_PUT_RUN,
  STMT_PUT_RESULT,
  N_STMTS
};

/* One attribute column of users: the MUSTER_ATTR_* it holds and its name, in table order. */
typedef struct
{
  const char *attribute;
  const char *column;
} MusterSqliteTargetColumn;

#define N_ATTRIBUTES 10
extern const MusterSqliteTargetColumn _muster_sqlite_target_attribute_columns[N_ATTRIBUTES];

#define ATTRIBUTE_COLUMNS \
  "display_name, given_name, family_name, email, title, department, manager_external_id, " \
  "employee_number, mobile_phone, office_location"

struct _MusterSqliteTarget
{
  GObject       parent_instance;

  char         *path;
  GMutex        lock;        /* guards everything below: one worker uses the connection at a time */
  sqlite3      *db;          /* opened on first use, in a worker thread */
  sqlite3_stmt *stmts[N_STMTS];
  GHashTable   *update_stmts; /* mask of changed columns → prepared UPDATE */
};

/* Opens the connection on first use (with @self->lock held). */
gboolean  _muster_sqlite_target_ensure_open_locked      (MusterSqliteTarget  *self,
                                                         GError             **error);
/* A SQLite failure @rc as the target's error; always FALSE. */
gboolean  _muster_sqlite_target_fail                    (GError             **error,
                                                         sqlite3             *db,
                                                         int                  rc,
                                                         const char          *path);
gboolean  _muster_sqlite_target_exec                    (sqlite3             *db,
                                                         const char          *sql,
                                                         const char          *path,
                                                         GError             **error);
gboolean  _muster_sqlite_target_query_int               (sqlite3             *db,
                                                         const char          *sql,
                                                         const char          *path,
                                                         gint64              *value,
                                                         GError             **error);
/* A row id in decimal. */
char     *_muster_sqlite_target_id_to_string            (gint64               id);
/* The current time as the store records it: ISO 8601 UTC. */
char     *_muster_sqlite_target_now_text                (void);

/* The GTaskThreadFunc of read_state_async: a MusterTargetState, or an error. */
void      _muster_sqlite_target_read_state_thread       (GTask               *task,
                                                         gpointer             source_object,
                                                         gpointer             task_data,
                                                         GCancellable        *cancellable);

/* MusterTarget's apply_async and apply_finish. */
void      _muster_sqlite_target_apply_async             (MusterTarget        *target,
                                                         const char          *run_id,
                                                         GPtrArray           *operations,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
GPtrArray *_muster_sqlite_target_apply_finish           (MusterTarget        *target,
                                                         GAsyncResult        *result,
                                                         GError             **error);

G_END_DECLS
