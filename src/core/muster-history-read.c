/* muster-history-read.c: reading past pushes and their operations back from history.db
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file and its schema are described in muster-history.c and docs/push-history.md.
 */

#define G_LOG_DOMAIN "muster-history"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-history-private.h"

/* Reading ------------------------------------------------------------------------------------- */

static MusterHistoryRun *
run_from_row (sqlite3_stmt *stmt)
{
  MusterHistoryRun *run = g_new0 (MusterHistoryRun, 1);

  run->id = _muster_history_column_dup (stmt, 0);
  run->profile = _muster_history_column_dup (stmt, 1);
  run->target_uri = _muster_history_column_dup (stmt, 2);
  run->target_description = _muster_history_column_dup (stmt, 3);
  run->who = _muster_history_column_dup (stmt, 4);
  run->started_at = sqlite3_column_int64 (stmt, 5);
  run->finished_at = sqlite3_column_int64 (stmt, 6);
  if (!muster_run_state_from_string ((const char *) sqlite3_column_text (stmt, 7), &run->state))
    run->state = MUSTER_RUN_STATE_FAILED;
  run->counts.create = sqlite3_column_int (stmt, 8);
  run->counts.update = sqlite3_column_int (stmt, 9);
  run->counts.disable = sqlite3_column_int (stmt, 10);
  run->counts.delete = sqlite3_column_int (stmt, 11);
  run->counts.groups_create = sqlite3_column_int (stmt, 12);
  run->counts.members_add = sqlite3_column_int (stmt, 13);
  run->counts.members_remove = sqlite3_column_int (stmt, 14);
  run->total = sqlite3_column_int (stmt, 15);
  run->done = sqlite3_column_int (stmt, 16);
  run->failed = sqlite3_column_int (stmt, 17);
  run->resumes = _muster_history_column_dup (stmt, 18);
  run->message = _muster_history_column_dup (stmt, 19);
  run->scheduled = sqlite3_column_int (stmt, 20) != 0;

  return run;
}

GPtrArray *
muster_history_list_runs (MusterHistory  *self,
                          const char     *profile,
                          guint           limit,
                          GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_history_run_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MUSTER_IS_HISTORY (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  _muster_history_reap_dead_runs (self);

  stmt = _muster_history_prepare (self, "SELECT " RUN_COLUMNS " FROM runs WHERE ?1 IS NULL OR profile = ?1"
                                        " ORDER BY started_at DESC, seq DESC LIMIT ?2", error);
  if (stmt == NULL)
    return NULL;
  muster_sqlite_bind_text (stmt, 1, profile);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (runs, run_from_row (stmt));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _muster_history_set_sqlite_error (error, self->db, rc, self->path);
      return NULL;
    }
  return g_steal_pointer (&runs);
}

static gboolean
load_results (MusterHistory     *self,
              MusterHistoryRun  *run,
              GError           **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _muster_history_prepare (self, "SELECT " RESULT_COLUMNS " FROM results WHERE run = (SELECT seq FROM runs WHERE id = ?1)"
                                        " ORDER BY rowid", error);
  if (stmt == NULL)
    return FALSE;
  muster_sqlite_bind_text (stmt, 1, run->id);

  run->results = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_history_result_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      MusterHistoryResult *result = g_new0 (MusterHistoryResult, 1);

      result->key = _muster_history_column_dup (stmt, 0);
      result->kind = _muster_history_column_dup (stmt, 1);
      result->action = _muster_history_column_dup (stmt, 2);
      result->user_id = _muster_history_column_dup (stmt, 3);
      result->user_principal_name = _muster_history_column_dup (stmt, 4);
      result->display_name = _muster_history_column_dup (stmt, 5);
      result->group_name = _muster_history_column_dup (stmt, 6);
      result->status = _muster_history_result_status_from_string ((const char *) sqlite3_column_text (stmt, 7));
      result->error = _muster_history_column_dup (stmt, 8);
      result->target_id = _muster_history_column_dup (stmt, 9);
      result->retried_by = _muster_history_column_dup (stmt, 10);
      result->updated_at = sqlite3_column_int64 (stmt, 11);
      g_ptr_array_add (run->results, result);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _muster_history_set_sqlite_error (error, self->db, rc, self->path);
  return TRUE;
}

MusterHistoryRun *
muster_history_get_run (MusterHistory  *self,
                        const char     *run_id,
                        GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autofree char *pattern = NULL;
  sqlite3_stmt *stmt;
  guint found = 0;
  int rc;

  g_return_val_if_fail (MUSTER_IS_HISTORY (self), NULL);
  g_return_val_if_fail (run_id != NULL, NULL);

  if (strlen (run_id) < 4 || strpbrk (run_id, "%_") != NULL)
    {
      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_NOT_FOUND,
                   _("“%s” is not a run id: give the id muster-cli history lists, or at least its first 4 characters."),
                   run_id);
      return NULL;
    }

  locker = g_mutex_locker_new (&self->lock);
  _muster_history_reap_dead_runs (self);

  /* An exact id, or else a unique prefix of one. */
  pattern = g_strconcat (run_id, "%", NULL);
  stmt = _muster_history_prepare (self, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1 OR id LIKE ?2"
                                        " ORDER BY id = ?1 DESC LIMIT 2", error);
  if (stmt == NULL)
    return NULL;
  muster_sqlite_bind_text (stmt, 1, run_id);
  muster_sqlite_bind_text (stmt, 2, pattern);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (found++ == 0)
        run = run_from_row (stmt);
      else if (g_str_equal (run->id, run_id))
        break;
      else
        g_clear_pointer (&run, muster_history_run_free);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      _muster_history_set_sqlite_error (error, self->db, rc, self->path);
      return NULL;
    }
  if (run == NULL)
    {
      if (found > 1)
        g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_NOT_FOUND,
                     _("More than one run starts with “%s”: give more of its id."), run_id);
      else
        g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_NOT_FOUND,
                     _("The push history has no run “%s”."), run_id);
      return NULL;
    }

  if (!load_results (self, run, error))
    return NULL;
  return g_steal_pointer (&run);
}
