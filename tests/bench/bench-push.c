/* bench-push.c: what the push's journal costs on 100,000 new users into an empty SQLite store
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/resource.h>

#include "bench-util.h"
#include "muster-push.h"
#include "muster-sqlite-target.h"

/* Measures in the same run, on 100,000 CREATE_USER operations with the attributes a tenant has:
 *
 *   target   muster_target_apply_async() of the operations in batches, one after another: the
 *            store's own cost (bench-sqlite-push compares it with the sqlite3 tool)
 *   push     MusterPush of the same operations into another empty store: the same batches, plus
 *            the run, the lock and the journal in history.db (pending before each batch,
 *            done/failed after, written while the store applies the next batch)
 *
 * and prints wall-clock and CPU times (user + system of this process: on a shared machine the
 * CPU times say more) and push / target. The journal should cost well under half the store's
 * time, so that the push stays within issue 8's 1.5× of a bare sqlite3 import. */

#define N_USERS 100000
#define BATCH 1000
#define RUNS 3

typedef struct
{
  double wall;
  double cpu;
} Timing;

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static GPtrArray *
make_operations (void)
{
  GPtrArray *ops = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  GRand *rand = g_rand_new_with_seed (8);

  for (guint i = 0; i < N_USERS; i++)
    {
      g_autoptr(MusterTargetUser) user = muster_target_user_new ();
      const char *first = bench_first_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_first_names))];
      const char *last = bench_surnames[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_surnames))];
      g_autofree char *display = g_strdup_printf ("%s %s", first, last);
      g_autofree char *employee = g_strdup_printf ("E%06u", i);
      g_autofree char *key = NULL;
      MusterOperation *op;

      user->external_id = bench_random_guid (rand);
      user->user_name = g_strdup_printf ("user%u@contoso.com", i);
      user->active = TRUE;
      muster_target_user_set_attribute (user, MUSTER_ATTR_DISPLAY_NAME, display);
      muster_target_user_set_attribute (user, MUSTER_ATTR_GIVEN_NAME, first);
      muster_target_user_set_attribute (user, MUSTER_ATTR_FAMILY_NAME, last);
      muster_target_user_set_attribute (user, MUSTER_ATTR_EMAIL, user->user_name);
      muster_target_user_set_attribute (user, MUSTER_ATTR_TITLE, bench_titles[i % G_N_ELEMENTS (bench_titles)]);
      muster_target_user_set_attribute (user, MUSTER_ATTR_DEPARTMENT, bench_departments[i % G_N_ELEMENTS (bench_departments)]);
      muster_target_user_set_attribute (user, MUSTER_ATTR_EMPLOYEE_NUMBER, employee);

      key = g_strconcat ("create-user:", user->external_id, NULL);
      op = muster_operation_new (MUSTER_OPERATION_CREATE_USER, key);
      op->user = g_steal_pointer (&user);
      g_ptr_array_add (ops, op);
    }
  g_rand_free (rand);
  return ops;
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

static Timing
apply_alone (const char *path,
             GPtrArray  *ops)
{
  g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (path);
  g_autoptr(GError) error = NULL;
  double start, cpu;

  bench_check (muster_sqlite_target_open (target, &error), error);
  start = bench_now ();
  cpu = cpu_seconds ();
  for (guint first = 0; first < ops->len; first += BATCH)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) results = NULL;

      for (guint i = first; i < MIN (first + BATCH, ops->len); i++)
        g_ptr_array_add (batch, g_ptr_array_index (ops, i));
      muster_target_apply_async (MUSTER_TARGET (target), "bench-run", batch, NULL, store_result_cb, &result);
      results = muster_target_apply_finish (MUSTER_TARGET (target), wait_for (&result), &error);
      bench_check (results != NULL, error);
    }
  return (Timing) { bench_now () - start, cpu_seconds () - cpu };
}

static Timing
push (const char *path,
      const char *history_path,
      GPtrArray  *ops)
{
  g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (path);
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(MusterPush) job = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  double start, cpu;

  bench_check (muster_sqlite_target_open (target, &error), error);
  history = muster_history_open (history_path, &error);
  bench_check (history != NULL, error);
  job = muster_push_new_for_operations (MUSTER_TARGET (target), ops, 0, history, "bench", "bench");
  muster_push_set_batch_size (job, BATCH);

  start = bench_now ();
  cpu = cpu_seconds ();
  muster_push_run_async (job, NULL, store_result_cb, &result);
  summary = muster_push_run_finish (job, wait_for (&result), &error);
  bench_check (summary != NULL, error);
  if (summary->done != N_USERS)
    g_error ("%u of %u creates done", summary->done, N_USERS);
  return (Timing) { bench_now () - start, cpu_seconds () - cpu };
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) ops = make_operations ();
  g_autoptr(GError) error = NULL;
  Timing best_target = { G_MAXDOUBLE, G_MAXDOUBLE }, best_push = { G_MAXDOUBLE, G_MAXDOUBLE };

  for (guint run = 0; run < RUNS; run++)
    {
      g_autofree char *dir = g_dir_make_tmp ("muster-bench-push-XXXXXX", &error);
      g_autofree char *store = NULL;
      g_autofree char *other = NULL;
      g_autofree char *history = NULL;
      Timing target, pushed;

      bench_check (dir != NULL, error);
      store = g_build_filename (dir, "alone.db", NULL);
      other = g_build_filename (dir, "pushed.db", NULL);
      history = g_build_filename (dir, "data", "history.db", NULL);

      target = apply_alone (store, ops);
      pushed = push (other, history, ops);
      g_print ("run %u: target %.3f s (cpu %.3f s), push %.3f s (cpu %.3f s)\n",
               run + 1, target.wall, target.cpu, pushed.wall, pushed.cpu);
      best_target.wall = MIN (best_target.wall, target.wall);
      best_target.cpu = MIN (best_target.cpu, target.cpu);
      best_push.wall = MIN (best_push.wall, pushed.wall);
      best_push.cpu = MIN (best_push.cpu, pushed.cpu);
      remove_tree (dir);
    }

  g_print ("%u users, batches of %u, best of %u:\n", N_USERS, BATCH, RUNS);
  g_print ("  target alone  %.3f s  (cpu %.3f s)\n", best_target.wall, best_target.cpu);
  g_print ("  push          %.3f s  (cpu %.3f s)\n", best_push.wall, best_push.cpu);
  g_print ("  push / target %.2f×   (cpu %.2f×)\n", best_push.wall / best_target.wall, best_push.cpu / best_target.cpu);
  return 0;
}
