/* test-push-scim.c: pushes into the fake tenant's SCIM service — failures, the stop, crashes
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fake runs in its own thread in this process (libmuster-fake); the push children killed
 * by the crash test talk to it over real HTTP.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "core-test-util.h"
#include "fake-test-util.h"
#include "muster-scim-target.h"
#include "push-test-util.h"

typedef struct
{
  MusterFakeTenant *tenant;
  char             *base_url;
  char             *dir;
  char             *history_path;
  char             *cache_path;
  MusterScimTarget *target;
  MusterHistory    *history;
} Fixture;

static void
control (Fixture    *fixture,
         const char *method,
         const char *path,
         const char *body)
{
  g_autoptr(FakeResponse) response = fake_test_request (fixture->tenant, method, path, NULL,
                                                        body != NULL ? "application/json" : NULL, body);

  g_assert_cmpuint (response->status / 100, ==, 2);
}

/* @data: "strict" or "field", the fake's SCIM mode */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mode = g_strdup_printf ("{\"mode\":\"%s\"}", (const char *) data);

  fixture->tenant = fake_test_start_tenant (NULL);
  control (fixture, "POST", "/_fake/scim/mode", mode);
  fixture->base_url = g_strconcat (muster_fake_tenant_get_base_url (fixture->tenant), "/scim/v2", NULL);
  fixture->target = muster_scim_target_new (fixture->base_url, muster_fake_tenant_get_scim_token (fixture->tenant),
                                            &error);
  g_assert_no_error (error);

  fixture->dir = g_dir_make_tmp ("muster-push-scim-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->history_path = g_build_filename (fixture->dir, "data", "history.db", NULL);
  fixture->cache_path = g_build_filename (fixture->dir, "cache.db", NULL);
  fixture->history = muster_history_open (fixture->history_path, &error);
  g_assert_no_error (error);
}

/* Drops @object and waits until the worker thread that may still hold it lets go. */
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
  if (fixture->tenant != NULL)
    muster_fake_tenant_stop (fixture->tenant);
  g_clear_object (&fixture->tenant);
  core_test_remove_tree (fixture->dir);
  g_free (fixture->base_url);
  g_free (fixture->dir);
  g_free (fixture->history_path);
  g_free (fixture->cache_path);
}

/* Helpers -------------------------------------------------------------------------------------- */

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

/* How many users the service holds, by its own count. */
static guint
service_user_count (Fixture *fixture)
{
  g_autofree char *auth = g_strconcat ("Bearer ", muster_fake_tenant_get_scim_token (fixture->tenant), NULL);
  const char *headers[] = { "Authorization", auth, NULL };
  g_autoptr(FakeResponse) response = fake_test_request (fixture->tenant, "GET", "/scim/v2/Users?count=1",
                                                        headers, NULL, NULL);

  g_assert_cmpuint (response->status, ==, 200);
  return (guint) json_object_get_int_member (json_node_get_object (response->json), "totalResults");
}

/* The service holds exactly users 0 … n-1, once each, active. */
static void
assert_service_holds (Fixture *fixture,
                      guint    n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTargetState) state = push_test_read_state (MUSTER_TARGET (fixture->target), &error);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *users;

  g_assert_no_error (error);
  users = muster_target_state_get_users (state);
  g_assert_cmpuint (users->len, ==, n);
  g_assert_cmpuint (service_user_count (fixture), ==, n);
  for (guint i = 0; i < users->len; i++)
    {
      MusterTargetUser *user = g_ptr_array_index (users, i);

      g_assert_nonnull (user->external_id);
      g_assert_true (g_hash_table_add (seen, user->external_id));  /* no duplicates */
    }
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

static MusterPush *
plan_push (Fixture   *fixture,
           GPtrArray *desired)
{
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GPtrArray) operations = NULL;
  g_autoptr(GError) error = NULL;

  state = push_test_read_state (MUSTER_TARGET (fixture->target), &error);
  g_assert_no_error (error);
  operations = push_test_plan (desired, state);
  return muster_push_new_for_operations (MUSTER_TARGET (fixture->target), operations,
                                         push_test_managed_count (state), fixture->history, "contoso", NULL);
}

static void
fail_user (Fixture *fixture,
           guint    i)
{
  g_autofree char *body = g_strdup_printf ("{\"userName\":\"user%u@example.com\",\"status\":400}", i);

  control (fixture, "POST", "/_fake/scim/fail-users", body);
}

/* Tests ---------------------------------------------------------------------------------------- */

static void
test_plan_and_rerun (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPlan) again = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPush) second = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(MusterPushSummary) nothing = NULL;
  g_autoptr(GError) error = NULL;

  push_test_write_snapshot (fixture->cache_path, "contoso", 30);
  snapshot = push_test_load_snapshot (fixture->cache_path, "contoso");
  plan = push_test_make_plan (snapshot, MUSTER_TARGET (fixture->target));
  g_assert_cmpuint (muster_plan_get_totals (plan)->create, ==, 30);
  push = muster_push_new (MUSTER_TARGET (fixture->target), plan, fixture->history, "contoso", NULL);
  muster_push_set_batch_size (push, 7);
  summary = push_test_run (push, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->state, ==, MUSTER_RUN_STATE_COMPLETED);
  g_assert_cmpuint (summary->done, ==, 30);
  assert_service_holds (fixture, 30);

  again = push_test_make_plan (snapshot, MUSTER_TARGET (fixture->target));
  g_assert_cmpuint (muster_plan_get_operations (again)->len, ==, 0);
  second = muster_push_new (MUSTER_TARGET (fixture->target), again, fixture->history, "contoso", NULL);
  nothing = push_test_run (second, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nothing->total, ==, 0);
}

static void
test_failures_retried (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) desired = push_test_desired_users (20, NULL);
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPush) retry = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(MusterPushSummary) retried = NULL;
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autoptr(GError) error = NULL;
  guint failed = 0;

  fail_user (fixture, 3);
  fail_user (fixture, 7);

  push = plan_push (fixture, desired);
  muster_push_set_batch_size (push, 5);
  summary = push_test_run (push, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->state, ==, MUSTER_RUN_STATE_PARTIAL);
  g_assert_cmpuint (summary->done, ==, 18);
  g_assert_cmpuint (summary->failed, ==, 2);
  g_assert_cmpuint (service_user_count (fixture), ==, 18);

  run = muster_history_get_run (fixture->history, summary->run_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < run->results->len; i++)
    {
      MusterHistoryResult *result = g_ptr_array_index (run->results, i);

      if (result->status != MUSTER_RESULT_STATUS_FAILED)
        continue;
      failed++;
      g_assert_true (g_str_equal (result->user_principal_name, "user3@example.com") ||
                     g_str_equal (result->user_principal_name, "user7@example.com"));
      g_assert_nonnull (result->error);
    }
  g_assert_cmpuint (failed, ==, 2);
  g_clear_pointer (&run, muster_history_run_free);

  /* The service accepts them again: the next push has exactly those two. */
  control (fixture, "DELETE", "/_fake/scim/fail-users", NULL);
  retry = plan_push (fixture, desired);
  g_assert_cmpuint (muster_push_get_operations (retry)->len, ==, 2);
  retried = push_test_run (retry, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (retried->state, ==, MUSTER_RUN_STATE_COMPLETED);
  assert_service_holds (fixture, 20);

  run = muster_history_get_run (fixture->history, summary->run_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < run->results->len; i++)
    {
      MusterHistoryResult *result = g_ptr_array_index (run->results, i);

      if (result->status == MUSTER_RESULT_STATUS_FAILED)
        g_assert_cmpstr (result->retried_by, ==, retried->run_id);
    }
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

  for (guint i = 0; i < 15; i++)
    fail_user (fixture, i);

  push = plan_push (fixture, desired);
  muster_push_set_batch_size (push, 10);
  summary = push_test_run (push, NULL, &error);
  g_assert_error (error, MUSTER_PUSH_ERROR, MUSTER_PUSH_ERROR_STOPPED);
  g_assert_nonnull (strstr (error->message, "15 of 20"));
  g_clear_error (&error);
  g_assert_null (summary);

  /* The users of the batches after the stop were never sent. */
  g_assert_cmpuint (service_user_count (fixture), ==, 5);
  run = muster_history_get_run (fixture->history, muster_push_get_summary (push)->run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->state, ==, MUSTER_RUN_STATE_STOPPED);
  g_assert_cmpuint (run->results->len, ==, 20);
}

/* Crashes -------------------------------------------------------------------------------------- */

#define CRASH_USERS 400
#define CRASH_BATCH 25

static const char *
push_child_path (void)
{
  const char *path = g_getenv ("MUSTER_PUSH_CHILD");

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;
  return path;
}

static gboolean
wait_for_running (Fixture     *fixture,
                  GSubprocess *child)
{
  for (guint i = 0; i < 40000; i++)
    {
      g_autoptr(GPtrArray) runs = muster_history_list_runs (fixture->history, "crash", 1, NULL);

      if (runs != NULL && runs->len > 0 &&
          ((MusterHistoryRun *) g_ptr_array_index (runs, 0))->state == MUSTER_RUN_STATE_RUNNING)
        return TRUE;
      if (g_subprocess_get_identifier (child) == NULL)
        return FALSE;
      g_usleep (500);
    }
  g_assert_not_reached ();
}

/* One round: a push child killed after @progress_lines progress reports (or @delay_us after
 * its run began), then the push in this process that makes the service hold exactly the
 * planned users. TRUE if the kill interrupted the run. */
static gboolean
crash_and_resume (Fixture *fixture,
                  guint    progress_lines,
                  gulong   delay_us)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPlan) last = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPush) again = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(MusterPushSummary) nothing = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autofree char *target = g_strconcat ("scim:", fixture->base_url, NULL);
  g_autofree char *batch = g_strdup_printf ("%u", CRASH_BATCH);
  g_autofree char *token_line = g_strconcat (muster_fake_tenant_get_scim_token (fixture->tenant), "\n", NULL);
  MusterHistoryRun *killed = NULL;
  gboolean interrupted = FALSE;
  gboolean began;
  guint before;

  snapshot = push_test_load_snapshot (fixture->cache_path, "crash");

  /* The token goes through a pipe, never the command line. */
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            push_child_path (), target, fixture->history_path, fixture->cache_path, batch, NULL);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (child), token_line, strlen (token_line),
                                            NULL, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (g_subprocess_get_stdin_pipe (child), NULL, NULL);

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
  g_subprocess_force_exit (child);  /* SIGKILL, requests in flight or not */
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  before = service_user_count (fixture);
  g_test_message ("after %u progress reports / %lu µs: %s, %u users in the service", progress_lines, delay_us,
                  g_subprocess_get_if_signaled (child) ? "killed" : "finished first", before);
  assert_integrity (fixture->history_path);

  /* The next push plans against what the service holds now. */
  plan = push_test_make_plan (snapshot, MUSTER_TARGET (fixture->target));
  push = muster_push_new (MUSTER_TARGET (fixture->target), plan, fixture->history, "crash", NULL);
  summary = push_test_run (push, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->state, ==, MUSTER_RUN_STATE_COMPLETED);
  g_assert_cmpuint (summary->failed, ==, 0);
  assert_service_holds (fixture, CRASH_USERS);
  assert_integrity (fixture->history_path);

  runs = muster_history_list_runs (fixture->history, "crash", 0, &error);
  g_assert_no_error (error);
  if (began && runs->len >= 2)
    killed = g_ptr_array_index (runs, 1);
  if (killed != NULL && killed->state != MUSTER_RUN_STATE_COMPLETED)
    {
      g_assert_cmpint (killed->state, ==, MUSTER_RUN_STATE_INTERRUPTED);
      g_assert_cmpstr (summary->resumes, ==, killed->id);
      interrupted = TRUE;
    }

  /* Nothing left to do. */
  last = push_test_make_plan (snapshot, MUSTER_TARGET (fixture->target));
  g_assert_cmpuint (muster_plan_get_operations (last)->len, ==, 0);
  again = muster_push_new (MUSTER_TARGET (fixture->target), last, fixture->history, "crash", NULL);
  nothing = push_test_run (again, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nothing->total, ==, 0);

  return interrupted;
}

static void
test_crash (Fixture       *fixture,
            gconstpointer  data)
{
  guint interrupted = 0;

  if (push_child_path () == NULL)
    {
      g_test_skip ("MUSTER_PUSH_CHILD does not name the push-child program");
      return;
    }

  push_test_write_snapshot (fixture->cache_path, "crash", CRASH_USERS);

  /* Random points (--seed replays a failure); each round starts from an empty service. */
  for (guint round = 0; round < 4; round++)
    {
      control (fixture, "POST", "/_fake/scim/reset", NULL);
      if (round < 3)
        interrupted += crash_and_resume (fixture, (guint) g_test_rand_int_range (1, CRASH_USERS / CRASH_BATCH - 4), 0);
      else
        interrupted += crash_and_resume (fixture, 0, (gulong) g_test_rand_int_range (0, 100000));
    }
  g_assert_cmpuint (interrupted, >=, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, mode, func) g_test_add (path, Fixture, mode, fixture_set_up, func, fixture_tear_down)
  ADD ("/push/scim/strict/plan-and-rerun", "strict", test_plan_and_rerun);
  ADD ("/push/scim/field/plan-and-rerun", "field", test_plan_and_rerun);
  ADD ("/push/scim/strict/failures-retried", "strict", test_failures_retried);
  ADD ("/push/scim/field/failures-retried", "field", test_failures_retried);
  ADD ("/push/scim/strict/mass-failure-stops", "strict", test_mass_failure_stops);
  ADD ("/push/scim/strict/crash-and-resume", "strict", test_crash);
  ADD ("/push/scim/field/crash-and-resume", "field", test_crash);
#undef ADD

  return g_test_run ();
}
