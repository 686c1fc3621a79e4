/* test-crash-safety.c: SIGKILL at 50 random points of a push, and a full disk, lose nothing
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /crash/kill: tests/core/push-child pushes users into a SQLite store (25 rounds) and into the
 * fake tenant's SCIM service (25 rounds) and is killed with SIGKILL at a random point: after a
 * random number of batches, or a random time after its run began. After each kill: PRAGMA
 * integrity_check is ok for the store and the history, nobody is there twice, the next push
 * does exactly what is missing (0 lost, 0 duplicated), the history says the killed run was
 * interrupted and that the next one resumed it. --seed replays a failing round.
 *
 * /crash/disk-full: tests/core/disk-full-child writes a snapshot, an export and a push with
 * RLIMIT_FSIZE (setrlimit(2)) a little above the files' sizes, as a disk that fills up while
 * they run: each fails with a clear error, and nothing half-written is left (the previous
 * snapshot is the newest still, no export or temporary file, the store holds whole users only);
 * the same work without the limit then succeeds.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "core-test-util.h"
#include "fake-test-util.h"
#include "muster-scim-target.h"
#include "muster-sqlite-target.h"
#include "push-test-util.h"

#define KILL_USERS 120
#define KILL_BATCH 10
#define KILL_ROUNDS 25  /* per target: 50 kills in all */

typedef struct
{
  char             *dir;
  char             *store_path;    /* SQLite rounds */
  char             *history_path;
  char             *cache_path;
  MusterFakeTenant *tenant;        /* SCIM rounds */
  char             *scim_url;
  MusterTarget     *target;
  MusterHistory    *history;
} Fixture;

/* Helpers --------------------------------------------------------------------------------------- */

static const char *
child_path (const char *variable)
{
  const char *path = g_getenv (variable);

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;
  return path;
}

static void
control (Fixture    *f,
         const char *path)
{
  g_autoptr(FakeResponse) r = fake_test_request (f->tenant, "POST", path, NULL, NULL, NULL);

  g_assert_cmpuint (r->status / 100, ==, 2);
}

static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
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
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Drops @object and waits until a worker thread that may still hold it lets go. */
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
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("muster-crash-XXXXXX", &error);
  g_assert_no_error (error);
  f->store_path = g_build_filename (f->dir, "people.db", NULL);
  f->history_path = g_build_filename (f->dir, "data", "history.db", NULL);
  f->cache_path = g_build_filename (f->dir, "cache.db", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  release_and_wait (&f->target);
  release_and_wait (&f->history);
  if (f->tenant != NULL)
    muster_fake_tenant_stop (f->tenant);
  g_clear_object (&f->tenant);
  core_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->store_path);
  g_free (f->history_path);
  g_free (f->cache_path);
  g_free (f->scim_url);
}

/* Users in the target, all of them, and how many distinct external ids they have. */
static guint
target_users (Fixture *f,
              guint   *distinct)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTargetState) state = push_test_read_state (f->target, &error);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *users;

  g_assert_no_error (error);
  users = muster_target_state_get_users (state);
  for (guint i = 0; i < users->len; i++)
    {
      MusterTargetUser *user = g_ptr_array_index (users, i);

      if (user->external_id != NULL)
        g_hash_table_add (seen, user->external_id);
    }
  *distinct = g_hash_table_size (seen);
  return users->len;
}

/* The target holds exactly users 0 … n-1 of the snapshot, once each, active. */
static void
assert_target_holds (Fixture *f,
                     guint    n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTargetState) state = push_test_read_state (f->target, &error);
  guint distinct;

  g_assert_no_error (error);
  g_assert_cmpuint (target_users (f, &distinct), ==, n);
  g_assert_cmpuint (distinct, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = push_test_user_id (i);
      g_autofree char *name = g_strdup_printf ("user%u@example.com", i);
      MusterTargetUser *user = muster_target_state_lookup_user_by_external_id (state, id);

      g_assert_nonnull (user);
      g_assert_cmpstr (user->user_name, ==, name);
      g_assert_true (user->active);
    }
}

/* SIGKILL --------------------------------------------------------------------------------------- */

/* Waits until the child's run is `running` in the history. FALSE if the child ended first. */
static gboolean
wait_for_running (Fixture     *f,
                  GSubprocess *child)
{
  for (guint i = 0; i < 40000; i++)
    {
      g_autoptr(GPtrArray) runs = muster_history_list_runs (f->history, "crash", 1, NULL);

      if (runs != NULL && runs->len > 0 &&
          ((MusterHistoryRun *) g_ptr_array_index (runs, 0))->state == MUSTER_RUN_STATE_RUNNING)
        return TRUE;
      if (g_subprocess_get_identifier (child) == NULL)
        return FALSE;
      g_usleep (250);
    }
  g_assert_not_reached ();
}

/* One round: kill a push after @progress_lines batches (or @delay_us after its run began), then
 * resume. TRUE if the kill interrupted the run. */
static gboolean
kill_and_resume (Fixture  *f,
                 gboolean  scim,
                 guint     progress_lines,
                 gulong    delay_us)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(MusterSnapshot) snapshot = push_test_load_snapshot (f->cache_path, "crash");
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPlan) last = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autofree char *location = scim ? g_strconcat ("scim:", f->scim_url, NULL) : g_strdup (f->store_path);
  g_autofree char *batch = g_strdup_printf ("%u", KILL_BATCH);
  MusterHistoryRun *killed = NULL;
  gboolean interrupted = FALSE;
  gboolean began;
  guint before, distinct;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            child_path ("MUSTER_PUSH_CHILD"), location, f->history_path, f->cache_path, batch, NULL);
  g_assert_no_error (error);
  if (scim)
    {
      /* the token through a pipe, never on the command line */
      g_autofree char *line = g_strconcat (muster_fake_tenant_get_scim_token (f->tenant), "\n", NULL);

      g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (child), line, strlen (line),
                                                NULL, NULL, &error));
      g_assert_no_error (error);
    }
  g_output_stream_close (g_subprocess_get_stdin_pipe (child), NULL, NULL);

  began = wait_for_running (f, child);
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
    g_usleep (delay_us);
  g_subprocess_force_exit (child);  /* SIGKILL, wherever it is */
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);

  assert_integrity (f->history_path);
  if (!scim)
    assert_integrity (f->store_path);
  before = target_users (f, &distinct);
  g_assert_cmpuint (distinct, ==, before);  /* nobody twice, whatever it managed */
  g_test_message ("%s after %u batches / %lu us: %s, %u users there", scim ? "SCIM" : "SQLite", progress_lines,
                  delay_us, g_subprocess_get_if_signaled (child) ? "killed" : "finished first", before);

  /* the next push, as a new process would make it: plans what is missing, does only that */
  plan = push_test_make_plan (snapshot, f->target);
  g_assert_cmpuint (muster_plan_get_totals (plan)->create, ==, KILL_USERS - before);
  g_assert_cmpuint (muster_plan_get_totals (plan)->update, ==, 0);
  push = muster_push_new (f->target, plan, f->history, "crash", NULL);
  summary = push_test_run (push, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->state, ==, MUSTER_RUN_STATE_COMPLETED);
  g_assert_cmpuint (summary->failed, ==, 0);
  g_assert_cmpuint (summary->done, ==, KILL_USERS - before);
  assert_target_holds (f, KILL_USERS);
  assert_integrity (f->history_path);
  if (!scim)
    assert_integrity (f->store_path);

  /* the history says what happened */
  runs = muster_history_list_runs (f->history, "crash", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, began ? 2 : 1);
  if (began)
    killed = g_ptr_array_index (runs, 1);
  if (killed != NULL && killed->state != MUSTER_RUN_STATE_COMPLETED)
    {
      g_assert_cmpint (killed->state, ==, MUSTER_RUN_STATE_INTERRUPTED);
      g_assert_cmpstr (summary->resumes, ==, killed->id);
      g_assert_cmpstr (((MusterHistoryRun *) g_ptr_array_index (runs, 0))->resumes, ==, killed->id);
      g_assert_cmpuint (killed->done, <=, before);  /* the journal may lag the target, never lead it */
      interrupted = TRUE;
    }
  else
    g_assert_null (summary->resumes);

  /* and nothing is left to do */
  last = push_test_make_plan (snapshot, f->target);
  g_assert_cmpuint (muster_plan_get_operations (last)->len, ==, 0);
  g_assert_cmpuint (muster_plan_get_totals (last)->unchanged, ==, KILL_USERS);
  return interrupted;
}

static void
fresh_round (Fixture  *f,
             gboolean  scim)
{
  g_autoptr(GError) error = NULL;

  release_and_wait (&f->target);
  release_and_wait (&f->history);
  g_unlink (f->store_path);
  {
    g_autofree char *dir = g_path_get_dirname (f->history_path);

    if (g_file_test (dir, G_FILE_TEST_IS_DIR))
      core_test_remove_tree (dir);
  }
  if (scim)
    {
      control (f, "/_fake/scim/reset");
      f->target = MUSTER_TARGET (muster_scim_target_new (f->scim_url, muster_fake_tenant_get_scim_token (f->tenant),
                                                         &error));
      g_assert_no_error (error);
    }
  else
    f->target = MUSTER_TARGET (muster_sqlite_target_new (f->store_path));
  f->history = muster_history_open (f->history_path, &error);
  g_assert_no_error (error);
}

static void
test_kill (Fixture       *f,
           gconstpointer  data)
{
  guint interrupted[2] = { 0, 0 };

  if (child_path ("MUSTER_PUSH_CHILD") == NULL)
    {
      g_test_skip ("MUSTER_PUSH_CHILD does not name the push-child program");
      return;
    }

  f->tenant = fake_test_start_tenant (NULL);
  f->scim_url = g_strconcat (muster_fake_tenant_get_base_url (f->tenant), "/scim/v2", NULL);
  push_test_write_snapshot (f->cache_path, "crash", KILL_USERS);

  for (int scim = 0; scim < 2; scim++)
    for (guint round = 0; round < KILL_ROUNDS; round++)
      {
        fresh_round (f, scim);
        /* four in five after a number of batches (always mid-run), the rest after a delay
         * (anywhere, even before the first batch) */
        if (round % 5 != 4)
          interrupted[scim] += kill_and_resume (f, scim, (guint) g_test_rand_int_range (1, KILL_USERS / KILL_BATCH - 2), 0);
        else
          interrupted[scim] += kill_and_resume (f, scim, 0, (gulong) g_test_rand_int_range (0, 30000));
      }
  g_test_message ("interrupted: %u of %u SQLite pushes, %u of %u SCIM pushes", interrupted[0], KILL_ROUNDS,
                  interrupted[1], KILL_ROUNDS);
  g_assert_cmpuint (interrupted[0], >=, KILL_ROUNDS * 4 / 5);
  g_assert_cmpuint (interrupted[1], >=, KILL_ROUNDS * 4 / 5);
}

/* A full disk ----------------------------------------------------------------------------------- */

static goffset
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? st.st_size : 0;
}

/* Runs disk-full-child with files limited to @limit bytes; returns its standard error, and
 * asserts it failed (exit status 1, not a signal) when @must_fail. */
static char *
run_limited (goffset     limit,
             gboolean    must_fail,
             const char *first,
             ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  char *err = NULL;
  va_list ap;

  g_ptr_array_add (args, g_strdup (child_path ("MUSTER_DISK_FULL_CHILD")));
  g_ptr_array_add (args, g_strdup_printf ("%" G_GOFFSET_FORMAT, limit));
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, NULL);

  child = g_subprocess_newv ((const char * const *) args->pdata,
                             G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (child, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_if_signaled (child));
  if (must_fail)
    {
      g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 1);
      g_strstrip (err);
      g_test_message ("%s with files limited to %" G_GOFFSET_FORMAT " bytes: %s", first, limit, err);
      /* a sentence about the disk, not a crash or an assertion */
      g_assert_cmpuint (strlen (err), >=, 10);
      g_assert_null (strstr (err, "assertion"));
      g_assert_null (strstr (err, "CRITICAL"));
    }
  else
    g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  return err;
}

/* Nothing in @dir but the files in @allowed (NULL-terminated). */
static void
assert_only_files (const char         *dir,
                   const char * const *allowed)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      if (!g_strv_contains (allowed, name))
        g_error ("a file was left behind in %s: %s (%" G_GOFFSET_FORMAT " bytes)", dir, name, file_size (path));
    }
}

static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshotInfo) latest = NULL;
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autofree char *err = NULL;
  g_autofree char *export_path = g_build_filename (f->dir, "export", "users.csv", NULL);
  g_autofree char *export_dir = g_path_get_dirname (export_path);
  g_autofree char *wal = g_strconcat (f->cache_path, "-wal", NULL);
  const char *cache_files[] = { "cache.db", "cache.db-wal", "cache.db-shm", "people.db", NULL };
  const char *no_files[] = { NULL };
  gint64 first;
  goffset limit;
  guint distinct;

  if (child_path ("MUSTER_DISK_FULL_CHILD") == NULL)
    {
      g_test_skip ("MUSTER_DISK_FULL_CHILD does not name the disk-full-child program");
      return;
    }

  /* a first snapshot of 200 users, then one of 6,000 that does not fit */
  g_free (run_limited (G_MAXINT32, FALSE, "snapshot", f->cache_path, "200", NULL));
  limit = MAX (file_size (f->cache_path), file_size (wal)) + 256 * 1024;
  err = run_limited (limit, TRUE, "snapshot", f->cache_path, "6000", NULL);
  g_clear_pointer (&err, g_free);

  /* the store is whole, and the first snapshot is the newest still: no half of the second */
  assert_integrity (f->cache_path);
  store = muster_snapshot_store_open (f->cache_path, &error);
  g_assert_no_error (error);
  latest = muster_snapshot_store_get_latest (store, "disk", &error);
  g_assert_no_error (error);
  g_assert_nonnull (latest);
  g_assert_cmpuint (latest->n_users, ==, 200);
  snapshots = muster_snapshot_store_list (store, "disk", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (snapshots->len, ==, 1);
  first = latest->id;
  g_clear_object (&store);
  assert_only_files (f->dir, cache_files);

  /* without the limit, the same snapshot is written */
  g_free (run_limited (G_MAXINT32, FALSE, "snapshot", f->cache_path, "6000", NULL));
  snapshot = push_test_load_snapshot (f->cache_path, "disk");
  g_assert_cmpint (muster_snapshot_get_info (snapshot)->id, >, first);
  g_assert_cmpuint (g_list_model_get_n_items (muster_snapshot_get_users (snapshot)), ==, 6000);

  /* an export that does not fit leaves neither the file nor its temporary */
  g_assert_cmpint (g_mkdir_with_parents (export_dir, 0700), ==, 0);
  err = run_limited (64 * 1024, TRUE, "export", f->cache_path, export_path, NULL);
  g_clear_pointer (&err, g_free);
  g_assert_false (g_file_test (export_path, G_FILE_TEST_EXISTS));
  assert_only_files (export_dir, no_files);
  g_free (run_limited (G_MAXINT32, FALSE, "export", f->cache_path, export_path, NULL));
  g_assert_cmpint (file_size (export_path), >, 64 * 1024);

  /* a push that fills the disk: a clear error, the store whole with whole users only */
  f->target = MUSTER_TARGET (muster_sqlite_target_new (f->store_path));
  g_assert_true (muster_sqlite_target_open (MUSTER_SQLITE_TARGET (f->target), &error));
  g_assert_no_error (error);
  f->history = muster_history_open (f->history_path, &error);
  g_assert_no_error (error);
  release_and_wait (&f->target);
  release_and_wait (&f->history);
  limit = MAX (file_size (f->store_path), file_size (f->history_path)) + 256 * 1024;
  err = run_limited (limit, TRUE, "push", f->store_path, f->history_path, f->cache_path, NULL);
  g_clear_pointer (&err, g_free);
  assert_integrity (f->store_path);
  assert_integrity (f->history_path);
  f->target = MUSTER_TARGET (muster_sqlite_target_new (f->store_path));
  g_assert_cmpuint (target_users (f, &distinct), <, 6000);
  g_assert_cmpuint (distinct, ==, (guint) query_int (f->store_path, "SELECT count(*) FROM users"));
  g_test_message ("the full disk stopped the push at %u users", distinct);
  release_and_wait (&f->target);

  /* without the limit the next push does the rest */
  g_free (run_limited (G_MAXINT32, FALSE, "push", f->store_path, f->history_path, f->cache_path, NULL));
  g_assert_cmpint (query_int (f->store_path, "SELECT count(DISTINCT external_id) FROM users"), ==, 6000);
  g_assert_cmpint (query_int (f->store_path, "SELECT count(*) FROM users"), ==, 6000);
  assert_integrity (f->store_path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/crash/kill", Fixture, NULL, fixture_set_up, test_kill, fixture_tear_down);
  g_test_add ("/crash/disk-full", Fixture, NULL, fixture_set_up, test_disk_full, fixture_tear_down);
  return g_test_run ();
}
