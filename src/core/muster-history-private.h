/* muster-history-private.h: what muster-history.c, -record.c and -read.c share
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "muster-history.h"
#include "muster-sqlite-util.h"

G_BEGIN_DECLS

#define RUN_COLUMNS \
  "id, profile, target_uri, target_description, who, started_at, finished_at, state, " \
  "n_create, n_update, n_disable, n_delete, n_groups_create, n_members_add, n_members_remove, " \
  "total, done, failed, resumes, message, scheduled"

#define RESULT_COLUMNS \
  "key, kind, action, user_id, user_principal_name, display_name, group_name, status, error, " \
  "target_id, retried_by, updated_at"

struct _MusterHistory
{
  GObject     parent_instance;

  char       *path;
  char       *lock_dir;
  GMutex      lock;   /* guards db, run_locks and open_keys */
  sqlite3    *db;
  GHashTable *run_locks;  /* run id → GINT_TO_POINTER (fd) of its held lock file */
  GHashTable *open_keys;  /* run id → set of the keys earlier runs into its target left failed
                           * (or, in the run it resumes, pending): the only ones a success of
                           * this run has to mark as retried */
};

/* SQLite --------------------------------------------------------------------------------------- */

/* A SQLite failure @rc on @db as the history's error; always FALSE. */
gboolean            _muster_history_set_sqlite_error          (GError             **error,
                                                               sqlite3             *db,
                                                               int                  rc,
                                                               const char          *path);
gboolean            _muster_history_exec                      (MusterHistory       *self,
                                                               const char          *sql,
                                                               GError             **error);
sqlite3_stmt       *_muster_history_prepare                   (MusterHistory       *self,
                                                               const char          *sql,
                                                               GError             **error);
/* Steps @stmt once, then resets it and clears its bindings. */
gboolean            _muster_history_step_done                 (MusterHistory       *self,
                                                               sqlite3_stmt        *stmt,
                                                               GError             **error);
void                _muster_history_rollback                  (MusterHistory       *self);
/* For values that outlive the statement's next step: no copy. */
void                _muster_history_bind_static               (sqlite3_stmt        *stmt,
                                                               int                  column,
                                                               const char          *text);
char               *_muster_history_column_dup                (sqlite3_stmt        *stmt,
                                                               int                  column);
MusterResultStatus  _muster_history_result_status_from_string (const char          *name);

/* Push locks (muster-history.c) ---------------------------------------------------------------- */

gboolean            _muster_history_lock_is_held              (MusterHistory       *self,
                                                               const char          *profile,
                                                               const char          *target_uri);
/* The fd of the held lock file of (@profile, @target_uri), or -1 with @error. */
int                 _muster_history_take_lock                 (MusterHistory       *self,
                                                               const char          *profile,
                                                               const char          *target_uri,
                                                               const char          *target_description,
                                                               GError             **error);
void                _muster_history_release_lock              (int                  fd);

/* Recording (muster-history-record.c) ---------------------------------------------------------- */

/* Marks the runs whose process died as interrupted (with @self->lock held). */
void                _muster_history_reap_dead_runs            (MusterHistory       *self);

G_END_DECLS
