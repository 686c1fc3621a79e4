/* muster-history-record.c: journaling a push: beginning a run, its pending and finished operations, its end
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file and its schema are described in muster-history.c and docs/push-history.md.
 */

#define G_LOG_DOMAIN "muster-history"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <unistd.h>

#include "muster-history-private.h"

/* Recording ----------------------------------------------------------------------------------- */

static const char *
operation_action (MusterOperationKind kind)
{
  switch (kind)
    {
    case MUSTER_OPERATION_CREATE_USER:  return "create";
    case MUSTER_OPERATION_UPDATE_USER:  return "update";
    case MUSTER_OPERATION_DISABLE_USER: return "disable";
    case MUSTER_OPERATION_DELETE_USER:  return "delete";
    case MUSTER_OPERATION_CREATE_GROUP:
    case MUSTER_OPERATION_ADD_MEMBER:
    case MUSTER_OPERATION_REMOVE_MEMBER:
    default:
      return muster_operation_kind_to_string (kind);
    }
}

static void
count_operations (GPtrArray           *operations,
                  MusterHistoryCounts *counts)
{
  memset (counts, 0, sizeof *counts);

  for (guint i = 0; operations != NULL && i < operations->len; i++)
    {
      MusterOperation *operation = g_ptr_array_index (operations, i);

      switch (operation->kind)
        {
        case MUSTER_OPERATION_CREATE_USER:   counts->create++; break;
        case MUSTER_OPERATION_UPDATE_USER:   counts->update++; break;
        case MUSTER_OPERATION_DISABLE_USER:  counts->disable++; break;
        case MUSTER_OPERATION_DELETE_USER:   counts->delete++; break;
        case MUSTER_OPERATION_CREATE_GROUP:  counts->groups_create++; break;
        case MUSTER_OPERATION_ADD_MEMBER:    counts->members_add++; break;
        case MUSTER_OPERATION_REMOVE_MEMBER: counts->members_remove++; break;
        default: g_assert_not_reached ();
        }
    }
}

/* Marks runs of the pair still `running` as interrupted: the caller holds the pair's lock, so
 * whoever ran them is gone. */
static gboolean
interrupt_dead_runs (MusterHistory  *self,
                     const char     *profile,
                     const char     *target_uri,
                     gint64          now,
                     GError        **error)
{
  sqlite3_stmt *mark;
  gboolean ok;

  mark = _muster_history_prepare (self, "UPDATE runs SET state = 'interrupted', finished_at = ?3, message = ?4"
                                        " WHERE profile = ?1 AND target_uri = ?2 AND state = 'running'", error);
  if (mark == NULL)
    return FALSE;
  muster_sqlite_bind_text (mark, 1, profile);
  muster_sqlite_bind_text (mark, 2, target_uri);
  sqlite3_bind_int64 (mark, 3, now);
  muster_sqlite_bind_text (mark, 4, _("The push ended before it finished: Muster was closed or stopped. The next push picks up where it left off."));
  ok = _muster_history_step_done (self, mark, error);
  sqlite3_finalize (mark);

  if (ok && sqlite3_changes (self->db) > 0)
    g_debug ("%d run(s) of %s into %s were interrupted", sqlite3_changes (self->db), profile, target_uri);
  return ok;
}

/* The run a new push into the pair picks up: the last one that applied anything (a refused
 * run applied nothing), if it was interrupted. */
static gboolean
find_resumable_run (MusterHistory  *self,
                    const char     *profile,
                    const char     *target_uri,
                    char          **resumes,
                    GError        **error)
{
  sqlite3_stmt *find;
  int rc;

  *resumes = NULL;
  find = _muster_history_prepare (self, "SELECT id, state FROM runs WHERE profile = ?1 AND target_uri = ?2 AND state != 'refused'"
                                        " ORDER BY started_at DESC, seq DESC LIMIT 1", error);
  if (find == NULL)
    return FALSE;
  muster_sqlite_bind_text (find, 1, profile);
  muster_sqlite_bind_text (find, 2, target_uri);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW && g_strcmp0 ((const char *) sqlite3_column_text (find, 1), "interrupted") == 0)
    *resumes = _muster_history_column_dup (find, 0);
  sqlite3_finalize (find);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _muster_history_set_sqlite_error (error, self->db, rc, self->path);
  return TRUE;
}

/* Runs still `running` whose push holds no lock any more belonged to a process that died: say
 * so, so that the history never shows a dead push as running. Race-free because a push takes
 * its lock before its run is written and changes the run's state before it lets go: a run seen
 * running whose lock is free is dead, or has just finished (then its state is not `running`
 * and the update below leaves it alone). */
void
_muster_history_reap_dead_runs (MusterHistory *self)
{
  g_autoptr(GPtrArray) running = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  stmt = _muster_history_prepare (self, "SELECT id, profile, target_uri FROM runs WHERE state = 'running'", NULL);
  if (stmt == NULL)
    return;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_ptr_array_add (running, _muster_history_column_dup (stmt, 0));
      g_ptr_array_add (running, _muster_history_column_dup (stmt, 1));
      g_ptr_array_add (running, _muster_history_column_dup (stmt, 2));
    }
  sqlite3_finalize (stmt);
  if (running->len == 0)
    return;

  stmt = _muster_history_prepare (self, "UPDATE runs SET state = 'interrupted', finished_at = ?2, message = ?3"
                                        " WHERE id = ?1 AND state = 'running'", NULL);
  if (stmt == NULL)
    return;
  for (guint i = 0; i + 2 < running->len; i += 3)
    {
      const char *id = g_ptr_array_index (running, i);
      g_autoptr(GError) error = NULL;

      if (_muster_history_lock_is_held (self, g_ptr_array_index (running, i + 1), g_ptr_array_index (running, i + 2)))
        continue;
      muster_sqlite_bind_text (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
      muster_sqlite_bind_text (stmt, 3, _("The push ended before it finished: Muster was closed or stopped. The next push picks up where it left off."));
      if (!_muster_history_step_done (self, stmt, &error))
        g_debug ("Could not mark run %s interrupted: %s", id, error->message);
      else
        g_debug ("Run %s was interrupted", id);
    }
  sqlite3_finalize (stmt);
}

/* The keys a success of @run marks as retried: failed in an earlier run into the same target
 * and not redone since (through results_failed, which holds only those), or left pending by
 * the interrupted run it resumes. */
static GHashTable *
load_open_keys (MusterHistory     *self,
                MusterHistoryRun  *run,
                GError           **error)
{
  g_autoptr(GHashTable) open = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _muster_history_prepare (self, "SELECT key FROM results INDEXED BY results_failed"
                                        " WHERE status = 'failed' AND retried_by IS NULL"
                                        " AND run IN (SELECT seq FROM runs WHERE profile = ?1 AND target_uri = ?2 AND id != ?3)"
                                        " UNION ALL"
                                        " SELECT key FROM results WHERE run = (SELECT seq FROM runs WHERE id = ?4) AND status = 'pending'",
                                  error);
  if (stmt == NULL)
    return NULL;
  muster_sqlite_bind_text (stmt, 1, run->profile);
  muster_sqlite_bind_text (stmt, 2, run->target_uri);
  muster_sqlite_bind_text (stmt, 3, run->id);
  muster_sqlite_bind_text (stmt, 4, run->resumes);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (open, _muster_history_column_dup (stmt, 0));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _muster_history_set_sqlite_error (error, self->db, rc, self->path);
      return NULL;
    }
  return g_steal_pointer (&open);
}

MusterHistoryRun *
muster_history_begin_run (MusterHistory  *self,
                          const char     *profile,
                          const char     *target_uri,
                          const char     *target_description,
                          const char     *who,
                          GPtrArray      *operations,
                          GError        **error)
{
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GHashTable) open = NULL;
  sqlite3_stmt *insert = NULL;
  int fd;

  g_return_val_if_fail (MUSTER_IS_HISTORY (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);
  g_return_val_if_fail (target_uri != NULL, NULL);

  run = g_new0 (MusterHistoryRun, 1);
  run->id = g_uuid_string_random ();
  run->profile = g_strdup (profile);
  run->target_uri = g_strdup (target_uri);
  run->target_description = g_strdup (target_description);
  run->who = g_strdup (who != NULL ? who : g_get_user_name ());
  run->started_at = g_get_real_time () / G_USEC_PER_SEC;
  run->state = MUSTER_RUN_STATE_RUNNING;
  count_operations (operations, &run->counts);
  run->total = operations != NULL ? operations->len : 0;

  locker = g_mutex_locker_new (&self->lock);

  fd = _muster_history_take_lock (self, profile, target_uri, target_description, error);
  if (fd < 0)
    return NULL;

  if (!_muster_history_exec (self, "BEGIN IMMEDIATE", error))
    goto fail;
  if (!interrupt_dead_runs (self, profile, target_uri, run->started_at, error) ||
      !find_resumable_run (self, profile, target_uri, &run->resumes, error))
    goto fail_rollback;
  if (run->resumes != NULL)
    g_debug ("Run %s resumes interrupted run %s", run->id, run->resumes);

  insert = _muster_history_prepare (self, "INSERT INTO runs (id, profile, target_uri, target_description, who, started_at,"
                                          " state, n_create, n_update, n_disable, n_delete, n_groups_create, n_members_add,"
                                          " n_members_remove, total, resumes, pid)"
                                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                                    error);
  if (insert == NULL)
    goto fail_rollback;
  muster_sqlite_bind_text (insert, 1, run->id);
  muster_sqlite_bind_text (insert, 2, run->profile);
  muster_sqlite_bind_text (insert, 3, run->target_uri);
  muster_sqlite_bind_text (insert, 4, run->target_description);
  muster_sqlite_bind_text (insert, 5, run->who);
  sqlite3_bind_int64 (insert, 6, run->started_at);
  sqlite3_bind_int (insert, 7, run->counts.create);
  sqlite3_bind_int (insert, 8, run->counts.update);
  sqlite3_bind_int (insert, 9, run->counts.disable);
  sqlite3_bind_int (insert, 10, run->counts.delete);
  sqlite3_bind_int (insert, 11, run->counts.groups_create);
  sqlite3_bind_int (insert, 12, run->counts.members_add);
  sqlite3_bind_int (insert, 13, run->counts.members_remove);
  sqlite3_bind_int (insert, 14, run->total);
  muster_sqlite_bind_text (insert, 15, run->resumes);
  sqlite3_bind_int64 (insert, 16, getpid ());
  if (!_muster_history_step_done (self, insert, error))
    goto fail_rollback;
  g_clear_pointer (&insert, sqlite3_finalize);

  open = load_open_keys (self, run, error);
  if (open == NULL)
    goto fail_rollback;

  if (!_muster_history_exec (self, "COMMIT", error))
    goto fail_rollback;

  g_hash_table_insert (self->open_keys, g_strdup (run->id), g_steal_pointer (&open));
  g_hash_table_insert (self->run_locks, g_strdup (run->id), GINT_TO_POINTER (fd));
  return g_steal_pointer (&run);

fail_rollback:
  g_clear_pointer (&insert, sqlite3_finalize);
  _muster_history_rollback (self);
fail:
  _muster_history_release_lock (fd);
  return NULL;
}

/* What the journal needs to know of a run. */
typedef struct
{
  gint64  seq;
  char   *profile;
  char   *target_uri;
} RunKeys;

#define RUN_KEYS_INIT { 0, NULL, NULL }

static void
run_keys_clear (RunKeys *keys)
{
  g_clear_pointer (&keys->profile, g_free);
  g_clear_pointer (&keys->target_uri, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunKeys, run_keys_clear)

/* Looks @run_id up, and (when @resumed is not NULL) the run it resumes. */
static gboolean
find_run (MusterHistory  *self,
          const char     *run_id,
          RunKeys        *run,
          RunKeys        *resumed,
          GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _muster_history_prepare (self, "SELECT r.seq, r.profile, r.target_uri, p.seq FROM runs r"
                                        " LEFT JOIN runs p ON p.id = r.resumes WHERE r.id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  muster_sqlite_bind_text (stmt, 1, run_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      run->seq = sqlite3_column_int64 (stmt, 0);
      run->profile = _muster_history_column_dup (stmt, 1);
      run->target_uri = _muster_history_column_dup (stmt, 2);
      if (resumed != NULL)
        resumed->seq = sqlite3_column_int64 (stmt, 3);
    }
  sqlite3_finalize (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_NOT_FOUND,
                   _("The push history has no run “%s”."), run_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return _muster_history_set_sqlite_error (error, self->db, rc, self->path);
  return TRUE;
}

/* Part of a journal transaction: @operations written `pending`. */
static gboolean
write_pending (MusterHistory  *self,
               RunKeys        *run,
               GPtrArray      *operations,
               gint64          now,
               GError        **error)
{
  sqlite3_stmt *insert;
  gboolean ok = TRUE;

  insert = _muster_history_prepare (self, "INSERT OR REPLACE INTO results (run, key, kind, action, user_id, user_principal_name,"
                                          " display_name, group_name, status, updated_at)"
                                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9)", error);
  if (insert == NULL)
    return FALSE;

  for (guint i = 0; ok && i < operations->len; i++)
    {
      MusterOperation *operation = g_ptr_array_index (operations, i);
      MusterTargetUser *user = operation->user;
      const char *user_id = user != NULL ? user->external_id : operation->member_external_id;

      sqlite3_bind_int64 (insert, 1, run->seq);
      _muster_history_bind_static (insert, 2, operation->key);
      _muster_history_bind_static (insert, 3, muster_operation_kind_to_string (operation->kind));
      _muster_history_bind_static (insert, 4, operation_action (operation->kind));
      _muster_history_bind_static (insert, 5, user_id);
      _muster_history_bind_static (insert, 6, user != NULL ? user->user_name : NULL);
      _muster_history_bind_static (insert, 7, user != NULL ? muster_target_user_get_attribute (user, MUSTER_ATTR_DISPLAY_NAME) : NULL);
      _muster_history_bind_static (insert, 8, operation->group != NULL ? operation->group->display_name : NULL);
      sqlite3_bind_int64 (insert, 9, now);
      ok = _muster_history_step_done (self, insert, error);
    }
  sqlite3_finalize (insert);
  return ok;
}

/* Part of a journal transaction: @results written `done`/`failed`, counted, and the retries
 * they are marked. */
static gboolean
write_results (MusterHistory  *self,
               const char     *run_id,
               RunKeys        *run,
               RunKeys        *resumed,
               GPtrArray      *results,
               gint64          now,
               GError        **error)
{
  sqlite3_stmt *update = NULL, *retried = NULL, *resumed_stmt = NULL, *counts = NULL;
  GHashTable *open;
  guint done = 0, failed = 0;
  gboolean ok = FALSE;

  /* NULL when another MusterHistory began the run: then every success is checked. */
  open = g_hash_table_lookup (self->open_keys, run_id);

  update = _muster_history_prepare (self, "UPDATE results SET status = ?3, error = ?4, target_id = ?5, updated_at = ?6"
                                          " WHERE run = ?1 AND key = ?2", error);
  /* Through results_failed: only rows that failed and were not redone yet are looked at. */
  retried = _muster_history_prepare (self, "UPDATE results INDEXED BY results_failed SET retried_by = ?1"
                                           " WHERE key = ?2 AND status = 'failed' AND retried_by IS NULL AND run != ?3"
                                           " AND run IN (SELECT seq FROM runs WHERE profile = ?4 AND target_uri = ?5)", error);
  resumed_stmt = _muster_history_prepare (self, "UPDATE results SET retried_by = ?1 WHERE run = ?2 AND key = ?3 AND status = 'pending'",
                                          error);
  counts = _muster_history_prepare (self, "UPDATE runs SET done = done + ?2, failed = failed + ?3 WHERE seq = ?1", error);
  if (update == NULL || retried == NULL || resumed_stmt == NULL || counts == NULL)
    goto out;

  for (guint i = 0; i < results->len; i++)
    {
      MusterOperationResult *result = g_ptr_array_index (results, i);

      sqlite3_bind_int64 (update, 1, run->seq);
      _muster_history_bind_static (update, 2, result->operation->key);
      _muster_history_bind_static (update, 3, result->ok ? "done" : "failed");
      _muster_history_bind_static (update, 4, result->ok || result->error == NULL ? NULL : result->error->message);
      _muster_history_bind_static (update, 5, result->target_id);
      sqlite3_bind_int64 (update, 6, now);
      if (!_muster_history_step_done (self, update, error))
        goto out;

      if (result->ok)
        done++;
      else
        failed++;

      if (result->ok && (open == NULL || g_hash_table_remove (open, result->operation->key)))
        {
          _muster_history_bind_static (retried, 1, run_id);
          _muster_history_bind_static (retried, 2, result->operation->key);
          sqlite3_bind_int64 (retried, 3, run->seq);
          _muster_history_bind_static (retried, 4, run->profile);
          _muster_history_bind_static (retried, 5, run->target_uri);
          if (!_muster_history_step_done (self, retried, error))
            goto out;
          /* What the interrupted run had sent but not seen finish. */
          if (resumed->seq != 0)
            {
              _muster_history_bind_static (resumed_stmt, 1, run_id);
              sqlite3_bind_int64 (resumed_stmt, 2, resumed->seq);
              _muster_history_bind_static (resumed_stmt, 3, result->operation->key);
              if (!_muster_history_step_done (self, resumed_stmt, error))
                goto out;
            }
        }
    }

  sqlite3_bind_int64 (counts, 1, run->seq);
  sqlite3_bind_int (counts, 2, done);
  sqlite3_bind_int (counts, 3, failed);
  ok = _muster_history_step_done (self, counts, error);

out:
  g_clear_pointer (&update, sqlite3_finalize);
  g_clear_pointer (&retried, sqlite3_finalize);
  g_clear_pointer (&resumed_stmt, sqlite3_finalize);
  g_clear_pointer (&counts, sqlite3_finalize);
  return ok;
}

/* Part of a journal transaction: the `pending` rows of @operations, which were never sent,
 * removed again. */
static gboolean
forget_unsent (MusterHistory  *self,
               RunKeys        *run,
               GPtrArray      *operations,
               GError        **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;

  stmt = _muster_history_prepare (self, "DELETE FROM results WHERE run = ?1 AND key = ?2 AND status = 'pending'", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; ok && i < operations->len; i++)
    {
      sqlite3_bind_int64 (stmt, 1, run->seq);
      _muster_history_bind_static (stmt, 2, ((MusterOperation *) g_ptr_array_index (operations, i))->key);
      ok = _muster_history_step_done (self, stmt, error);
    }
  sqlite3_finalize (stmt);
  return ok;
}

gboolean
muster_history_journal (MusterHistory  *self,
                        const char     *run_id,
                        GPtrArray      *results,
                        GPtrArray      *pending,
                        GPtrArray      *unsent,
                        GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(RunKeys) run = RUN_KEYS_INIT;
  g_auto(RunKeys) resumed = RUN_KEYS_INIT;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (MUSTER_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (run_id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  if (!_muster_history_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!find_run (self, run_id, &run, &resumed, error) ||
      (results != NULL && !write_results (self, run_id, &run, &resumed, results, now, error)) ||
      (pending != NULL && !write_pending (self, &run, pending, now, error)) ||
      (unsent != NULL && !forget_unsent (self, &run, unsent, error)) ||
      !_muster_history_exec (self, "COMMIT", error))
    {
      _muster_history_rollback (self);
      return FALSE;
    }
  return TRUE;
}

gboolean
muster_history_journal_pending (MusterHistory  *self,
                                const char     *run_id,
                                GPtrArray      *operations,
                                GError        **error)
{
  g_return_val_if_fail (operations != NULL, FALSE);
  return muster_history_journal (self, run_id, NULL, operations, NULL, error);
}

gboolean
muster_history_journal_results (MusterHistory  *self,
                                const char     *run_id,
                                GPtrArray      *results,
                                GError        **error)
{
  g_return_val_if_fail (results != NULL, FALSE);
  return muster_history_journal (self, run_id, results, NULL, NULL, error);
}

gboolean
muster_history_finish_run (MusterHistory  *self,
                           const char     *run_id,
                           MusterRunState  state,
                           const char     *message,
                           GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *update;
  gpointer key = NULL, fd = NULL;
  gboolean ok;

  g_return_val_if_fail (MUSTER_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (run_id != NULL, FALSE);
  g_return_val_if_fail (state != MUSTER_RUN_STATE_RUNNING, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  update = _muster_history_prepare (self, "UPDATE runs SET state = ?2, finished_at = ?3, message = ?4 WHERE id = ?1", error);
  ok = update != NULL;
  if (ok)
    {
      muster_sqlite_bind_text (update, 1, run_id);
      muster_sqlite_bind_text (update, 2, muster_run_state_to_string (state));
      sqlite3_bind_int64 (update, 3, g_get_real_time () / G_USEC_PER_SEC);
      muster_sqlite_bind_text (update, 4, message);
      ok = _muster_history_step_done (self, update, error);
      sqlite3_finalize (update);
    }

  /* Released whatever happened: the run is over either way. */
  g_hash_table_remove (self->open_keys, run_id);
  if (g_hash_table_steal_extended (self->run_locks, run_id, &key, &fd))
    {
      _muster_history_release_lock (GPOINTER_TO_INT (fd));
      g_free (key);
    }

  return ok;
}

gboolean
muster_history_mark_scheduled (MusterHistory  *self,
                               const char     *run_id,
                               GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *update;
  gboolean ok;

  g_return_val_if_fail (MUSTER_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (run_id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  update = _muster_history_prepare (self, "UPDATE runs SET scheduled = 1 WHERE id = ?1", error);
  if (update == NULL)
    return FALSE;
  muster_sqlite_bind_text (update, 1, run_id);
  ok = _muster_history_step_done (self, update, error);
  sqlite3_finalize (update);
  return ok;
}
