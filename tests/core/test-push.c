/* test-push.c: pushes into real SQLite stores — journal, limits, failures, cancel and crashes
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "core-test-util.h"
#include "muster-sqlite-target.h"
#include "push-test-util.h"

typedef struct
{
  char               *dir;
  char               *store_path;
  char               *history_path;
  MusterSqliteTarget *target;
  MusterHistory      *history;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("muster-push-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store_path = g_build_filename (fixture->dir, "people.db", NULL);
  fixture->history_path = g_build_filename (fixture->dir, "data", "history.db", NULL);
  fixture->target = muster_sqlite_target_new (fixture->store_path);
  g_assert_true (muster_sqlite_target_open (fixture->target, &error));
  g_assert_no_error (error);
  fixture->history = muster_history_open (fixture->history_path, &error);
  g_assert_no_error (error);
}

/* Drops @object and waits until the worker thread that may still hold it lets go, so its files
 * are closed (SQLite removes -wal and -shm on close) before the folder is removed. */
static void
release_and_wait (gpointer object)
{
  GObject **slot = object;
  gpointer watch = *slot;

  if (watch == NULL)
    return;
  g_object_add_weak_pointer (watch, &watch);
  g_clear_object (slot);
  for (guint i = 0; watch != NULL && i < 10000; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_null (watch);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  release_and_wait (&fixture->target);
  release_and_wait (&fixture->history);
  core_test_remove_tree (fixture->dir);
  g_free (fixture->store_path);
  g_free (fixture->history_path);
  g_free (fixture->dir);
}

/* Helpers -------------------------------------------------------------------------------------- */

static void
exec_sql (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
assert_integrity (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* An unmanaged row holding user @i's user name: creating user @i fails until it goes. */
static void
block_user (Fixture *fixture,
            guint    i)
{
  g_autofree char *sql = g_strdup_printf ("INSERT INTO users (user_name, created_at, updated_at)"
                                          " VALUES ('user%u@example.com', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                                          i);
  exec_sql (fixture->store_path, sql);
}

static void
unblock_users (Fixture *fixture)
{
  exec_sql (fixture->store_path, "DELETE FROM users WHERE external_id IS NULL");
}

static MusterPush *
plan_push (Fixture   *fixture,
           MusterTarget *target,
           GPtrArray *desired)
{
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GPtrArray) operations = NULL;
  g_autoptr(GError) error = NULL;

  state = push_test_read_state (target, &error);
  g_assert_no_error (error);
  operations = push_test_plan (desired, state);
  return muster_push_new_for_operations (target, operations, push_test_managed_count (state),
                                         fixture->history, "contoso", "ann@contoso.example");
}

static guint
count_managed (Fixture *fixture,
               gboolean active_only)
{
  return (guint) query_int (fixture->store_path,
                            active_only ? "SELECT count(*) FROM users WHERE external_id IS NOT NULL AND active = 1"
                                        : "SELECT count(*) FROM users WHERE external_id IS NOT NULL");
}

/* The store holds exactly users 0 … n-1 of push_test_desired_users(), once each. */
static void
assert_store_holds (Fixture *fixture,
                    guint    n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTargetState) state = push_test_read_state (MUSTER_TARGET (fixture->target), &error);
  GPtrArray *users;

  g_assert_no_error (error);
  users = muster_target_state_get_users (state);
  g_assert_cmpuint (users->len, ==, n);
  g_assert_cmpint (query_int (fixture->store_path, "SELECT count(DISTINCT external_id) FROM users"), ==, n);
  g_assert_cmpint (query_int (fixture->store_path, "SELECT count(DISTINCT lower(user_name)) FROM users"), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = push_test_user_id (i);
      MusterTargetUser *user = muster_target_state_lookup_user_by_external_id (state, id);
      g_autofree char *name = g_strdup_printf ("user%u@example.com", i);

      g_assert_nonnull (user);
      g_assert_cmpstr (user->user_name, ==, name);
      g_assert_true (user->active);
    }
}

static void
count_progress_cb (MusterPush *push,
                   guint       done,
                   guint       failed,
                   guint       total,
                   gpointer    user_data)
{
  guint *calls = user_data;

  (*calls)++;
}

/* Tests ---------------------------------------------------------------------------------------- */

static void
test_push_and_rerun (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) desired = push_test_desired_users (45, NULL);
  g_autoptr(MusterPush) push = plan_push (fixture, MUSTER_TARGET (fixture->target), desired);
  g_autoptr(MusterPush) again = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(MusterPushSummary) second = NULL;
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autoptr(GError) error = NULL;
  guint calls = 0;

  muster_push_set_batch_size (push, 10);
  g_signal_connect (push, "progress", G_CALLBACK (count_progress_cb), &calls);
  summary = push_test_run (push, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->state, ==, MUSTER_RUN_STATE_COMPLETED);
  g_assert_cmpuint (summary->total, ==, 45);
  g_assert_cmpuint (summary->done, ==, 45);
  g_assert_cmpuint (summary->failed, ==, 0);
  g_assert_cmpuint (summary->results->len, ==, 45);
  g_assert_cmpuint (calls, ==, 5);  /* a progress report per batch */
  assert_store_holds (fixture, 45);

  run = muster_history_get_run (fixture->history, summary->run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->state, ==, MUSTER_RUN_STATE_COMPLETED);
  g_assert_cmpstr (run->who, ==, "ann@contoso.example");
  g_assert_cmpstr (run->profile, ==, "contoso");
  g_assert_true (g_str_has_prefix (run->target_uri, "sqlite:"));
  g_assert_cmpuint (run->counts.create, ==, 45);
  g_assert_cmpuint (run->done, ==, 45);
  g_assert_cmpuint (run->results->len, ==, 45);
  for (guint i = 0; i < run->results->len; i++)
    g_assert_cmpint (((MusterHistoryResult *) g_ptr_array_index (run->results, i))->status, ==, MUSTER_RESULT_STATUS_DONE);

  /* The same plan again changes nothing. */
  again = plan_push (fixture, MUSTER_TARGET (fixture->target), desired);
  g_assert_cmpuint (muster_push_get_operations (again)->len, ==, 0);
  second = push_test_run (again, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second->state, ==, MUSTER_RUN_STATE_COMPLETED);
  g_assert_cmpuint (second->total, ==, 0);
  assert_store_holds (fixture, 45);
}

static void
test_safety_limit (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) everyone = push_test_desired_users (100, NULL);
  g_autoptr(GPtrArray) few = push_test_desired_users (10, NULL);
  g_autoptr(MusterPush) first = plan_push (fixture, MUSTER_TARGET (fixture->target), everyone);
  g_autoptr(MusterPush) over = NULL;
  g_autoptr(MusterPush) forced = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = NULL;

  summary = push_test_run (first, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&summary, muster_push_summary_free);

  /* 90 of 100 disabled: far over 50 users or 5 %. */
  over = plan_push (fixture, MUSTER_TARGET (fixture->target), few);
  g_assert_cmpuint (muster_push_get_operations (over)->len, ==, 90);
  summary = push_test_run (over, NULL, &error);
  g_assert_error (error, MUSTER_PUSH_ERROR, MUSTER_PUSH_ERROR_SAFETY_LIMIT);
  g_assert_null (summary);
  g_assert_nonnull (strstr (error->message, "90 of 100"));
  g_assert_nonnull (strstr (error->message, "50 users or 5 %"));
  g_clear_error (&error);

  /* Nothing changed, and the history says it was refused. */
  g_assert_cmpuint (count_managed (fixture, TRUE), ==, 100);
  run = muster_history_get_run (fixture->history, muster_push_get_summary (over)->run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->state, ==, MUSTER_RUN_STATE_REFUSED);
  g_assert_nonnull (strstr (run->message, "90 of 100"));
  g_assert_cmpuint (run->results->len, ==, 0);
  g_assert_cmpuint (run->counts.disable, ==, 90);

  /* A limit high enough, or force, lets it through. */
  forced = plan_push (fixture, MUSTER_TARGET (fixture->target), few);
  muster_push_set_force_limit (forced, TRUE);
  summary = push_test_run (forced, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->done, ==, 90);
  g_assert_cmpuint (count_managed (fixture, TRUE), ==, 10);
  g_assert_cmpuint (count_managed (fixture, FALSE), ==, 100);  /* disabled, never deleted */

  runs = muster_history_list_runs (fixture->history, "contoso", 0, &error);
  g_assert_cmpuint (runs->len, ==, 3);
}

static void
test_failures_retried (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) desired = push_test_desired_users (20, NULL);
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPush) retry = NULL;
  g_autoptr(MusterPush) last = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(MusterPushSummary) retried = NULL;
  g_autoptr(MusterPushSummary) nothing = NULL;
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key3 = NULL;
  guint failed_seen = 0;

  block_user (fixture, 3);
  block_user (fixture, 7);

  push = plan_push (fixture, MUSTER_TARGET (fixture->target), desired);
  muster_push_set_batch_size (push, 5);
  summary = push_test_run (push, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->state, ==, MUSTER_RUN_STATE_PARTIAL);
  g_assert_cmpuint (summary->done, ==, 18);
  g_assert_cmpuint (summary->failed, ==, 2);
  g_assert_cmpuint (count_managed (fixture, FALSE), ==, 18);

  /* Each failure is in the history with the target's words. */
  run = muster_history_get_run (fixture->history, summary->run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->state, ==, MUSTER_RUN_STATE_PARTIAL);
  g_assert_cmpuint (run->failed, ==, 2);
  g_assert_nonnull (strstr (run->message, "2 of 20"));
  for (guint i = 0; i < run->results->len; i++)
    {
      MusterHistoryResult *result = g_ptr_array_index (run->results, i);

      if (result->status != MUSTER_RESULT_STATUS_FAILED)
        continue;
      failed_seen++;
      g_assert_true (g_str_equal (result->user_principal_name, "user3@example.com") ||
                     g_str_equal (result->user_principal_name, "user7@example.com"));
      g_assert_nonnull (strstr (result->error, result->user_principal_name));
      g_assert_null (result->retried_by);
    }
  g_assert_cmpuint (failed_seen, ==, 2);
  g_clear_pointer (&run, muster_history_run_free);

  /* The failed users are still different, so the next plan has them again. */
  unblock_users (fixture);
  retry = plan_push (fixture, MUSTER_TARGET (fixture->target), desired);
  g_assert_cmpuint (muster_push_get_operations (retry)->len, ==, 2);
  retried = push_test_run (retry, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (retried->state, ==, MUSTER_RUN_STATE_COMPLETED);
  g_assert_cmpuint (retried->done, ==, 2);
  assert_store_holds (fixture, 20);

  run = muster_history_get_run (fixture->history, summary->run_id, &error);
  g_assert_no_error (error);
  key3 = g_strconcat ("create-user:", ((MusterTargetUser *) g_ptr_array_index (desired, 3))->external_id, NULL);
  for (guint i = 0; i < run->results->len; i++)
    {
      MusterHistoryResult *result = g_ptr_array_index (run->results, i);

      if (g_str_equal (result->key, key3))
        g_assert_cmpstr (result->retried_by, ==, retried->run_id);
      else if (result->status == MUSTER_RESULT_STATUS_DONE)
        g_assert_null (result->retried_by);
    }

  last = plan_push (fixture, MUSTER_TARGET (fixture->target), desired);
  g_assert_cmpuint (muster_push_get_operations (last)->len, ==, 0);
  nothing = push_test_run (last, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nothing->total, ==, 0);
}

static void
test_mass_failure_stops (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) desired = push_test_desired_users (40, NULL);
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autoptr(GError) error = NULL;
  guint calls = 0;

  /* The first batch all fails (10 attempts: too few to judge), the second half: 15 of 20. */
  for (guint i = 0; i < 15; i++)
    block_user (fixture, i);

  push = plan_push (fixture, MUSTER_TARGET (fixture->target), desired);
  muster_push_set_batch_size (push, 10);
  g_signal_connect (push, "progress", G_CALLBACK (count_progress_cb), &calls);
  summary = push_test_run (push, NULL, &error);
  g_assert_error (error, MUSTER_PUSH_ERROR, MUSTER_PUSH_ERROR_STOPPED);
  g_assert_null (summary);
  g_assert_nonnull (strstr (error->message, "15 of 20"));
  g_assert_nonnull (strstr (error->message, "40 %"));
  g_clear_error (&error);
  g_assert_cmpuint (calls, ==, 2);

  /* Nothing after the second batch was sent. */
  g_assert_cmpuint (count_managed (fixture, FALSE), ==, 5);
  g_assert_cmpuint (muster_push_get_summary (push)->done, ==, 5);
  g_assert_cmpuint (muster_push_get_summary (push)->failed, ==, 15);
  g_assert_cmpint (muster_push_get_summary (push)->state, ==, MUSTER_RUN_STATE_STOPPED);

  run = muster_history_get_run (fixture->history, muster_push_get_summary (push)->run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->state, ==, MUSTER_RUN_STATE_STOPPED);
  g_assert_cmpuint (run->results->len, ==, 20);
  g_assert_cmpuint (run->failed, ==, 15);
  g_assert_nonnull (strstr (run->message, "15 of 20"));
}

static void
cancel_after_first_cb (MusterPush *push,
                       guint       done,
                       guint       failed,
                       guint       total,
                       gpointer    user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) desired = push_test_desired_users (60, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPush) rest = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autoptr(GError) error = NULL;

  push = plan_push (fixture, MUSTER_TARGET (fixture->target), desired);
  muster_push_set_batch_size (push, 10);
  g_signal_connect (push, "progress", G_CALLBACK (cancel_after_first_cb), cancellable);
  summary = push_test_run (push, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (summary);
  g_clear_error (&error);
  g_assert_cmpuint (count_managed (fixture, FALSE), ==, 10);

  run = muster_history_get_run (fixture->history, muster_push_get_summary (push)->run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->state, ==, MUSTER_RUN_STATE_CANCELLED);
  g_assert_cmpuint (run->done, ==, 10);

  /* The next push does the rest, and only the rest. */
  rest = plan_push (fixture, MUSTER_TARGET (fixture->target), desired);
  g_assert_cmpuint (muster_push_get_operations (rest)->len, ==, 50);
  g_clear_pointer (&summary, muster_push_summary_free);
  summary = push_test_run (rest, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (summary->resumes);  /* cancelled is not interrupted */
  assert_store_holds (fixture, 60);
}

static void
test_lock (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) desired = push_test_desired_users (5, NULL);
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPush) later = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(MusterHistory) other = NULL;
  g_autoptr(MusterHistoryRun) running = NULL;
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = muster_target_get_uri (MUSTER_TARGET (fixture->target));

  /* Another push (here: another history handle, as another process has) holds the target. */
  other = muster_history_open (fixture->history_path, &error);
  g_assert_no_error (error);
  running = muster_history_begin_run (other, "contoso", uri, NULL, NULL, none, &error);
  g_assert_no_error (error);

  push = plan_push (fixture, MUSTER_TARGET (fixture->target), desired);
  summary = push_test_run (push, NULL, &error);
  g_assert_error (error, MUSTER_PUSH_ERROR, MUSTER_PUSH_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "Another push"));
  g_assert_null (summary);
  g_clear_error (&error);
  g_assert_cmpuint (count_managed (fixture, FALSE), ==, 0);

  g_assert_true (muster_history_finish_run (other, running->id, MUSTER_RUN_STATE_COMPLETED, NULL, &error));
  later = plan_push (fixture, MUSTER_TARGET (fixture->target), desired);
  summary = push_test_run (later, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (summary->resumes);
  assert_store_holds (fixture, 5);

  runs = muster_history_list_runs (fixture->history, NULL, 0, &error);
  g_assert_cmpuint (runs->len, ==, 2);  /* the refused second push left no run */
}

static void
test_plan (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *cache = g_build_filename (fixture->dir, "cache.db", NULL);
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterSnapshot) smaller = NULL;
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  /* A plan of the real engine, pushed. */
  push_test_write_snapshot (cache, "contoso", 30);
  snapshot = push_test_load_snapshot (cache, "contoso");
  plan = push_test_make_plan (snapshot, MUSTER_TARGET (fixture->target));
  g_assert_cmpuint (muster_plan_get_totals (plan)->create, ==, 30);
  push = muster_push_new (MUSTER_TARGET (fixture->target), plan, fixture->history, "contoso", NULL);
  summary = push_test_run (push, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->state, ==, MUSTER_RUN_STATE_COMPLETED);
  g_assert_cmpuint (summary->done, ==, 30);
  assert_store_holds (fixture, 30);
  g_clear_object (&push);
  g_clear_object (&plan);
  g_clear_pointer (&summary, muster_push_summary_free);

  /* Planned again: nothing to do. */
  plan = push_test_make_plan (snapshot, MUSTER_TARGET (fixture->target));
  g_assert_cmpuint (muster_plan_get_operations (plan)->len, ==, 0);
  g_clear_object (&plan);

  /* 25 of the 30 gone from the directory: disabled, over the limit, refused. */
  push_test_write_snapshot (cache, "contoso", 5);
  smaller = push_test_load_snapshot (cache, "contoso");
  plan = push_test_make_plan (smaller, MUSTER_TARGET (fixture->target));
  g_assert_cmpuint (muster_plan_get_totals (plan)->disable, ==, 25);
  push = muster_push_new (MUSTER_TARGET (fixture->target), plan, fixture->history, "contoso", NULL);
  summary = push_test_run (push, NULL, &error);
  g_assert_error (error, MUSTER_PUSH_ERROR, MUSTER_PUSH_ERROR_SAFETY_LIMIT);
  g_assert_nonnull (strstr (error->message, "25 of 30"));
  g_clear_error (&error);
  g_assert_cmpuint (count_managed (fixture, TRUE), ==, 30);
  g_clear_object (&push);

  /* "Add users" only: the disables are not part of it, so nothing is refused. */
  push = muster_push_new (MUSTER_TARGET (fixture->target), plan, fixture->history, "contoso", NULL);
  muster_push_set_mode (push, MUSTER_PLAN_MODE_ADD_ONLY);
  g_assert_cmpuint (muster_push_get_operations (push)->len, ==, 0);
  summary = push_test_run (push, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->total, ==, 0);
  g_assert_cmpuint (count_managed (fixture, TRUE), ==, 30);
  g_clear_object (&push);
  g_clear_pointer (&summary, muster_push_summary_free);

  /* Forced: disabled, not deleted. */
  push = muster_push_new (MUSTER_TARGET (fixture->target), plan, fixture->history, "contoso", NULL);
  muster_push_set_force_limit (push, TRUE);
  summary = push_test_run (push, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->done, ==, 25);
  g_assert_cmpuint (count_managed (fixture, TRUE), ==, 5);
  g_assert_cmpuint (count_managed (fixture, FALSE), ==, 30);
}

/* Crashes -------------------------------------------------------------------------------------- */

#define CRASH_USERS 1500
#define CRASH_BATCH 50

static const char *
push_child_path (void)
{
  const char *path = g_getenv ("MUSTER_PUSH_CHILD");

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;
  return path;
}

/* Waits until the child has recorded its run (it is `running` in the history). FALSE if it
 * ended first. */
static gboolean
wait_for_running (Fixture     *fixture,
                  GSubprocess *child)
{
  for (guint i = 0; i < 20000; i++)
    {
      g_autoptr(GPtrArray) runs = muster_history_list_runs (fixture->history, "crash", 1, NULL);

      if (runs != NULL && runs->len > 0 &&
          ((MusterHistoryRun *) g_ptr_array_index (runs, 0))->state == MUSTER_RUN_STATE_RUNNING)
        return TRUE;
      if (g_subprocess_get_identifier (child) == NULL)  /* it has exited */
        return FALSE;
      g_usleep (500);
    }
  g_assert_not_reached ();
}

/* Kills a push of CRASH_USERS users into the store, after @progress_lines progress reports
 * when that is not 0, or else @delay_us after its run began; then checks that the next push
 * makes the store hold exactly the planned users. TRUE if the kill interrupted the run. */
static gboolean
crash_and_resume (Fixture *fixture,
                  guint    progress_lines,
                  gulong   delay_us)
{
  gboolean interrupted = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *batch = g_strdup_printf ("%u", CRASH_BATCH);
  g_autofree char *cache = g_build_filename (fixture->dir, "cache.db", NULL);
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(MusterPush) again = NULL;
  g_autoptr(MusterPushSummary) nothing = NULL;
  g_autoptr(MusterSqliteTarget) target = NULL;
  MusterHistoryRun *killed = NULL;
  gboolean began;
  guint before;

  push_test_write_snapshot (cache, "crash", CRASH_USERS);
  snapshot = push_test_load_snapshot (cache, "crash");

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, push_child_path (),
                            fixture->store_path, fixture->history_path, cache, batch, NULL);
  g_assert_no_error (error);

  began = wait_for_running (fixture, child);
  if (began && progress_lines > 0)
    {
      lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
      for (guint i = 0; i < progress_lines; i++)
        {
          g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, NULL);

          if (line == NULL || !g_str_has_prefix (line, "progress "))
            break;
        }
    }
  else if (began)
    {
      g_usleep (delay_us);
    }
  g_subprocess_force_exit (child);  /* SIGKILL */
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("after %u progress reports / %lu µs: %s, %u users in the store", progress_lines, delay_us,
                  g_subprocess_get_if_signaled (child) ? "killed" : "finished first",
                  (guint) query_int (fixture->store_path, "SELECT count(*) FROM users"));

  assert_integrity (fixture->store_path);
  assert_integrity (fixture->history_path);
  before = (guint) query_int (fixture->store_path, "SELECT count(*) FROM users");

  /* Whatever it managed, nothing is there twice. */
  g_assert_cmpint (query_int (fixture->store_path, "SELECT count(*) FROM users"), ==,
                   query_int (fixture->store_path, "SELECT count(DISTINCT external_id) FROM users"));

  /* The next push plans against what the store holds now, as the CLI would. A fresh target
   * object, as a new process would have. */
  target = muster_sqlite_target_new (fixture->store_path);
  plan = push_test_make_plan (snapshot, MUSTER_TARGET (target));
  g_assert_cmpuint (muster_plan_get_totals (plan)->create, ==, CRASH_USERS - before);
  g_assert_cmpuint (muster_plan_get_totals (plan)->update, ==, 0);
  push = muster_push_new (MUSTER_TARGET (target), plan, fixture->history, "crash", NULL);
  summary = push_test_run (push, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->state, ==, MUSTER_RUN_STATE_COMPLETED);
  g_assert_cmpuint (summary->failed, ==, 0);
  g_assert_cmpuint (summary->total, ==, CRASH_USERS - before);  /* exactly what was missing */
  assert_store_holds (fixture, CRASH_USERS);
  assert_integrity (fixture->store_path);
  assert_integrity (fixture->history_path);

  runs = muster_history_list_runs (fixture->history, "crash", 0, &error);
  g_assert_no_error (error);
  if (began)
    {
      g_assert_cmpuint (runs->len, ==, 2);
      killed = g_ptr_array_index (runs, 1);
    }
  else
    {
      g_assert_cmpuint (runs->len, ==, 1);
    }
  if (killed != NULL && killed->state != MUSTER_RUN_STATE_COMPLETED)
    {
      /* The killed run shows as interrupted, and the new one says it resumed it. */
      g_assert_cmpint (killed->state, ==, MUSTER_RUN_STATE_INTERRUPTED);
      g_assert_cmpstr (summary->resumes, ==, killed->id);
      g_assert_cmpstr (((MusterHistoryRun *) g_ptr_array_index (runs, 0))->resumes, ==, killed->id);
      /* The journal may lag the store (killed between a batch's commit and its `done`), never
       * lead it. */
      g_assert_cmpuint (killed->done, <=, before);
      interrupted = TRUE;
    }
  else
    {
      /* It had finished before the signal landed: nothing to resume. */
      g_assert_null (summary->resumes);
    }

  /* And once more: nothing left to do. */
  g_clear_object (&plan);
  plan = push_test_make_plan (snapshot, MUSTER_TARGET (target));
  g_assert_cmpuint (muster_plan_get_operations (plan)->len, ==, 0);
  g_assert_cmpuint (muster_plan_get_totals (plan)->unchanged, ==, CRASH_USERS);
  again = muster_push_new (MUSTER_TARGET (target), plan, fixture->history, "crash", NULL);
  nothing = push_test_run (again, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nothing->total, ==, 0);
  g_assert_cmpint (nothing->state, ==, MUSTER_RUN_STATE_COMPLETED);

  g_clear_object (&again);
  g_clear_object (&push);
  release_and_wait (&target);
  return interrupted;
}

static void
test_crash_sqlite (Fixture       *fixture,
                   gconstpointer  data)
{
  guint interrupted = 0;

  if (push_child_path () == NULL)
    {
      g_test_skip ("MUSTER_PUSH_CHILD does not name the push-child program");
      return;
    }

  /* Random points; --seed replays a failure. Four rounds kill after a number of batches
   * (always mid-run), two after a delay (anywhere, even before the first batch). */
  for (guint round = 0; round < 6; round++)
    {
      /* Fresh files for each round. */
      release_and_wait (&fixture->target);
      release_and_wait (&fixture->history);
      core_test_remove_tree (fixture->dir);
      g_assert_cmpint (g_mkdir_with_parents (fixture->dir, 0700), ==, 0);
      fixture->target = muster_sqlite_target_new (fixture->store_path);
      fixture->history = muster_history_open (fixture->history_path, NULL);
      g_assert_nonnull (fixture->history);

      if (round < 4)
        interrupted += crash_and_resume (fixture, (guint) g_test_rand_int_range (1, CRASH_USERS / CRASH_BATCH - 4), 0);
      else
        interrupted += crash_and_resume (fixture, 0, (gulong) g_test_rand_int_range (0, 60000));
    }
  g_assert_cmpuint (interrupted, >=, 4);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/push/sqlite/push-and-rerun", test_push_and_rerun);
  ADD ("/push/sqlite/safety-limit", test_safety_limit);
  ADD ("/push/sqlite/failures-retried", test_failures_retried);
  ADD ("/push/sqlite/mass-failure-stops", test_mass_failure_stops);
  ADD ("/push/sqlite/cancel", test_cancel);
  ADD ("/push/sqlite/lock", test_lock);
  ADD ("/push/sqlite/plan", test_plan);
  ADD ("/push/sqlite/crash-and-resume", test_crash_sqlite);
#undef ADD

  return g_test_run ();
}
