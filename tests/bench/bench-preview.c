/* bench-preview.c: the preview (plan) of 100,000 users against a SQLite store that holds them
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "bench-util.h"
#include "muster-plan.h"
#include "muster-snapshot-store.h"
#include "muster-sqlite-target.h"
#include "muster-user-private.h"

/* Writes a generated tenant (100,000 users in 200 groups, a manager each) into a fresh cache.db
 * and loads it, pushes it once into a new SQLite store, changes the job title of a few hundred
 * rows behind Muster's back, then measures in the same run, after the snapshot is loaded:
 *
 *   read     MusterSqliteTarget's read_state: every user, group and role of the store
 *   plan     muster_plan_new() over the snapshot, the rules (two group rules) and that state
 *   preview  the two together: what `muster-cli preview` costs once the snapshot is loaded
 *   peer     the sqlite3 command-line tool printing SELECT * FROM users of the same store
 *
 * and prints times and the ratio preview/peer. Goals (issue 8): preview ≤ 0.5 s, ≤ 2× the peer. */

#define N_USERS 100000
#define N_GROUPS 200
#define N_CHANGED 400
#define RUNS 3

static gint64
write_tenant (MusterSnapshotStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = muster_snapshot_store_begin (store, "bench", "tenant", &error);
  MusterSku e3 = { (char *) "sku-e3", (char *) "SPE_E3", NULL, N_USERS, N_USERS };
  GRand *rand = g_rand_new_with_seed (8);
  gint64 id;

  bench_check (writer != NULL, error);
  bench_check (muster_snapshot_writer_put_sku (writer, &e3, &error), error);

  for (guint g = 0; g < N_GROUPS; g++)
    {
      g_autofree char *json = g_strdup_printf ("{\"id\":\"10000000-0000-4000-8000-%012u\",\"displayName\":\"%s %u\","
                                               "\"groupTypes\":[],\"mailEnabled\":false,\"securityEnabled\":true}",
                                               g, bench_departments[g % G_N_ELEMENTS (bench_departments)], g);
      g_autoptr(JsonNode) node = json_from_string (json, NULL);
      g_autoptr(MusterGroup) group = muster_group_new_from_json (json_node_get_object (node));

      bench_check (muster_snapshot_writer_put_group (writer, group, &error), error);
    }

  for (guint i = 0; i < N_USERS; i++)
    {
      const char *first = bench_first_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_first_names))];
      const char *last = bench_surnames[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_surnames))];
      g_autofree char *user_id = g_strdup_printf ("00000000-0000-4000-8000-%012u", i);
      g_autofree char *name = g_strdup_printf ("%s %s %u", first, last, i);
      g_autofree char *upn = g_strdup_printf ("user%u@contoso.com", i);
      g_autofree char *manager = g_strdup_printf ("00000000-0000-4000-8000-%012u", i / 10);
      g_autofree char *employee = g_strdup_printf ("E%06u", i);
      g_autofree char *phone = g_strdup_printf ("+1 555 %04u", i % 10000);
      g_autofree char *group = g_strdup_printf ("10000000-0000-4000-8000-%012u", i % N_GROUPS);
      const char *licences[] = { "sku-e3", NULL };
      MusterUserFields fields = { 0 };
      g_autoptr(MusterUser) user = NULL;

      fields.id = user_id;
      fields.display_name = name;
      fields.given_name = first;
      fields.surname = last;
      fields.user_principal_name = upn;
      fields.mail = upn;
      fields.job_title = bench_titles[i % G_N_ELEMENTS (bench_titles)];
      fields.department = bench_departments[i % G_N_ELEMENTS (bench_departments)];
      fields.employee_id = employee;
      fields.mobile_phone = phone;
      fields.office_location = "Building 1";
      fields.assigned_licenses = licences;
      fields.account_enabled = TRUE;
      fields.user_type = "Member";
      fields.created = "2024-01-02T03:04:05Z";
      fields.manager_id = i > 0 ? manager : NULL;
      user = _muster_user_new (&fields);

      bench_check (muster_snapshot_writer_put_user (writer, user, &error), error);
      bench_check (muster_snapshot_writer_add_member (writer, group, user_id, &error), error);
    }

  id = muster_snapshot_writer_commit (writer, &error);
  bench_check (id > 0, error);
  g_rand_free (rand);
  return id;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static MusterTargetState *
read_state (const char *path)
{
  g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MusterTargetState *state;

  muster_target_read_state_async (MUSTER_TARGET (target), NULL, store_result_cb, &result);
  state = muster_target_read_state_finish (MUSTER_TARGET (target), wait_for (&result), &error);
  bench_check (state != NULL, error);
  return state;
}

/* The first push: every user created, in one batch. */
static void
fill_store (const char     *path,
            MusterSnapshot *snapshot,
            MusterRules    *rules)
{
  g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (path);
  g_autoptr(MusterTargetState) empty = muster_target_state_new ();
  g_autoptr(MusterPlan) plan = muster_plan_new (snapshot, rules, empty, muster_target_get_features (MUSTER_TARGET (target)),
                                                NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (muster_plan_get_totals (plan)->create, ==, N_USERS);
  muster_target_apply_async (MUSTER_TARGET (target), "bench-run", muster_plan_get_operations (plan), NULL,
                             store_result_cb, &result);
  results = muster_target_apply_finish (MUSTER_TARGET (target), wait_for (&result), &error);
  bench_check (results != NULL, error);
  for (guint i = 0; i < results->len; i++)
    {
      MusterOperationResult *one = results->pdata[i];
      bench_check (one->ok, one->error);
    }
}

/* A few hundred rows changed behind Muster's back. */
static void
change_rows (const char *path)
{
  sqlite3 *db = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE users SET title = 'Changed by hand' WHERE id %% %d = 0",
                                          N_USERS / N_CHANGED);
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s", message);
  g_assert_cmpint (sqlite3_changes (db), ==, N_CHANGED);
  sqlite3_close (db);
}

/* The sqlite3 tool reading the users table; negative when it is not installed. */
static double
sqlite3_cli (const char *path)
{
  g_autofree char *program = g_find_program_in_path ("sqlite3");
  g_autoptr(GSubprocess) process = NULL;
  double start;

  if (program == NULL)
    return -1;
  start = bench_now ();
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, NULL, program, path, "select * from users", NULL);
  if (process == NULL || !g_subprocess_wait_check (process, NULL, NULL))
    return -1;
  return bench_now () - start;
}

/* CPU seconds of the whole process (worker threads too): on a loaded machine the wall clock
 * says more about the neighbours than about Muster. */
static double
cpu_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
median (double *values,
        guint   n)
{
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && values[j - 1] > values[j]; j--)
      {
        double t = values[j];
        values[j] = values[j - 1];
        values[j - 1] = t;
      }
  return values[n / 2];
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("muster-bench-preview-XXXXXX", &error);
  g_autofree char *cache = g_build_filename (dir, "cache.db", NULL);
  g_autofree char *path = g_build_filename (dir, "people.db", NULL);
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterRules) rules = muster_rules_new ();
  double read_times[RUNS], plan_times[RUNS], preview_times[RUNS], memory_times[RUNS], peer_times[RUNS];
  double preview_cpu[RUNS], plan_cpu[RUNS];
  double start, load_time, fill_time, read, plan_time, preview, memory, peer;
  MusterUserType administrator = MUSTER_USER_TYPE_ADMINISTRATOR;
  const char *ops[] = { "ops", NULL };
  const char *readers[] = { "reader", NULL };
  gboolean have_peer = TRUE;
  g_autoptr(MusterTargetState) kept = NULL;
  MusterTargetFeatures features;
  struct stat info;

  bench_check (dir != NULL, error);
  store = muster_snapshot_store_open (cache, &error);
  bench_check (store != NULL, error);
  start = bench_now ();
  snapshot = muster_snapshot_store_load (store, write_tenant (store), &error);
  bench_check (snapshot != NULL, error);
  load_time = bench_now () - start;

  /* Two group rules, so the type and roles are worked out as a profile with rules would. */
  muster_rules_set_group_rule (rules, "10000000-0000-4000-8000-000000000001", TRUE, &administrator, ops);
  muster_rules_set_group_rule (rules, "10000000-0000-4000-8000-000000000002", TRUE, NULL, readers);

  {
    g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (path);
    features = muster_target_get_features (MUSTER_TARGET (target));
  }
  start = bench_now ();
  fill_store (path, snapshot, rules);
  fill_time = bench_now () - start;
  change_rows (path);

  for (guint r = 0; r < RUNS; r++)
    {
      g_autoptr(MusterTargetState) state = NULL;
      g_autoptr(MusterPlan) plan = NULL;
      const MusterPlanTotals *totals;
      double c0 = cpu_now (), t0 = bench_now (), t1, t2, c1, c2;

      state = read_state (path);
      t1 = bench_now ();
      c1 = cpu_now ();
      plan = muster_plan_new (snapshot, rules, state, features, NULL);
      t2 = bench_now ();
      c2 = cpu_now ();
      preview_cpu[r] = c2 - c0;
      plan_cpu[r] = c2 - c1;
      read_times[r] = t1 - t0;
      plan_times[r] = t2 - t1;
      preview_times[r] = t2 - t0;

      totals = muster_plan_get_totals (plan);
      g_assert_cmpuint (totals->update, ==, N_CHANGED);
      g_assert_cmpuint (totals->unchanged, ==, N_USERS - N_CHANGED);
      g_assert_cmpuint (totals->create + totals->disable + totals->delete + totals->skipped, ==, 0);
      if (kept == NULL)
        kept = muster_target_state_ref (state);

      peer_times[r] = sqlite3_cli (path);
      have_peer = have_peer && peer_times[r] >= 0;
    }

  /* The plan alone against a state already in memory (what the window does on a rule change). */
  for (guint r = 0; r < RUNS; r++)
    {
      double t0 = bench_now ();
      g_autoptr(MusterPlan) plan = muster_plan_new (snapshot, rules, kept, features, NULL);

      memory_times[r] = bench_now () - t0;
      g_assert_cmpuint (muster_plan_get_totals (plan)->update, ==, N_CHANGED);
    }

  read = median (read_times, RUNS);
  plan_time = median (plan_times, RUNS);
  preview = median (preview_times, RUNS);
  memory = median (memory_times, RUNS);

  g_stat (path, &info);
  g_print ("snapshot: %u users, %u groups, loaded in %.0f ms (not counted below)\n", N_USERS, N_GROUPS, load_time * 1000);
  g_print ("SQLite store: %u users, %.1f MB, filled by one push in %.2f s; %u rows then changed by hand\n",
           N_USERS, info.st_size / 1e6, fill_time, N_CHANGED);
  g_print ("read the store (read_state):  %7.1f ms (median of %d)\n", read * 1000, RUNS);
  g_print ("plan:                         %7.1f ms (CPU %.1f ms) → %u updates, %u unchanged\n", plan_time * 1000,
           median (plan_cpu, RUNS) * 1000, N_CHANGED, N_USERS - N_CHANGED);
  g_print ("preview after the snapshot:   %7.1f ms (CPU %.1f ms; goal ≤ 500 ms)\n", preview * 1000,
           median (preview_cpu, RUNS) * 1000);
  g_print ("plan on an in-memory state:   %7.1f ms\n", memory * 1000);
  if (have_peer)
    {
      peer = median (peer_times, RUNS);
      g_print ("peer sqlite3 'select * from users': %7.1f ms → ratio preview/peer %.2f (goal ≤ 2)\n",
               peer * 1000, preview / peer);
    }
  else
    g_print ("peer sqlite3 CLI: not installed\n");

  g_clear_pointer (&kept, muster_target_state_unref);
  g_clear_object (&snapshot);
  g_clear_object (&store);
  {
    const char *files[] = { "cache.db", "cache.db-wal", "cache.db-shm", "people.db", "people.db-wal", "people.db-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *file = g_build_filename (dir, files[i], NULL);
        g_unlink (file);
      }
    g_rmdir (dir);
  }
  return 0;
}
