/* bench-sqlite-push.c: pushing 100,000 new users into an empty SQLite store
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>

#include "bench-util.h"
#include "muster-sqlite-target.h"

/* Generates 100,000 users with the attributes a tenant has (names, mail, title, department,
 * manager, employee number, phone, office; a tenth administrators, most with a role), then
 * measures in the same run:
 *
 *   push     muster_target_apply_async() of 100,000 CREATE_USER operations into an empty store,
 *            in batches of BATCH as the push sends them; each batch one transaction with its
 *            sync_runs/sync_results journal rows
 *   read     muster_target_read_state_async() of the store the push made
 *   peer     the sqlite3 command-line tool running one transaction of INSERTs of the same users
 *            and user_roles rows into an empty store of the same schema (when installed)
 *   peer+j   the same, with the journal rows the push writes as well
 *
 * and prints times and ratios, wall-clock and CPU (user + system, of this process or of the
 * sqlite3 child): on a machine shared with other work the CPU times say more. Goals (issue 8):
 * push ≤ 2 s and ≤ 1.5× the peer; read well under 0.3 s. */

#define N_USERS 100000
#define BATCH 1000
#define RUNS 3

static const char * const offices[] = { "Building 1", "Building 7", "Remote", "Paris", "Tokyo" };
static const char * const roles_offered[] = { "member", "editor", "reviewer" };

/* CPU seconds used so far by this process (RUSAGE_SELF) or its waited-for children. */
static double
cpu_seconds (int who)
{
  struct rusage usage;

  getrusage (who, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

typedef struct
{
  double wall;
  double cpu;
} Timing;

static GPtrArray *
generate_users (void)
{
  GPtrArray *users = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_target_user_unref);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  GRand *rand = g_rand_new_with_seed (8);

  for (guint i = 0; i < N_USERS; i++)
    g_ptr_array_add (ids, bench_random_guid (rand));

  for (guint i = 0; i < N_USERS; i++)
    {
      MusterTargetUser *user = muster_target_user_new ();
      const char *first = bench_first_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_first_names))];
      const char *last = bench_surnames[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_surnames))];
      g_autofree char *display = g_strdup_printf ("%s %s", first, last);
      g_autofree char *mail = g_strdup_printf ("user%u@contoso.com", i);
      g_autofree char *employee = g_strdup_printf ("E%06u", i);
      g_autofree char *phone = g_strdup_printf ("+1 555 %04u", i % 10000);
      const char *roles[3] = { NULL };

      user->external_id = g_strdup (g_ptr_array_index (ids, i));
      user->user_name = g_strdup (mail);
      user->user_type = i % 10 == 0 ? MUSTER_USER_TYPE_ADMINISTRATOR : MUSTER_USER_TYPE_USER;
      muster_target_user_set_attribute (user, MUSTER_ATTR_DISPLAY_NAME, display);
      muster_target_user_set_attribute (user, MUSTER_ATTR_GIVEN_NAME, first);
      muster_target_user_set_attribute (user, MUSTER_ATTR_FAMILY_NAME, last);
      muster_target_user_set_attribute (user, MUSTER_ATTR_EMAIL, mail);
      muster_target_user_set_attribute (user, MUSTER_ATTR_TITLE, bench_titles[i % G_N_ELEMENTS (bench_titles)]);
      muster_target_user_set_attribute (user, MUSTER_ATTR_DEPARTMENT,
                                        bench_departments[i % G_N_ELEMENTS (bench_departments)]);
      if (i >= 10)
        muster_target_user_set_attribute (user, MUSTER_ATTR_MANAGER, g_ptr_array_index (ids, i / 10));
      muster_target_user_set_attribute (user, MUSTER_ATTR_EMPLOYEE_NUMBER, employee);
      muster_target_user_set_attribute (user, MUSTER_ATTR_MOBILE_PHONE, phone);
      muster_target_user_set_attribute (user, MUSTER_ATTR_OFFICE_LOCATION, offices[i % G_N_ELEMENTS (offices)]);
      /* most users one role, some two, a few none */
      if (i % 20 != 0)
        roles[0] = roles_offered[0];
      if (i % 4 == 1)
        roles[roles[0] ? 1 : 0] = roles_offered[1 + i % 2];
      muster_target_user_set_roles (user, roles);
      g_ptr_array_add (users, user);
    }
  g_rand_free (rand);
  return users;
}

static GPtrArray *
make_operations (GPtrArray *users)
{
  GPtrArray *ops = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);

  for (guint i = 0; i < users->len; i++)
    {
      MusterTargetUser *user = g_ptr_array_index (users, i);
      g_autofree char *key = g_strdup_printf ("create-user:%s", user->external_id);
      MusterOperation *op = muster_operation_new (MUSTER_OPERATION_CREATE_USER, key);

      op->user = muster_target_user_ref (user);
      g_ptr_array_add (ops, op);
    }
  return ops;
}

static void
remove_store (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
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

/* The push: batches one after another, as MusterPush sends them. */
static Timing
push (const char *path,
      GPtrArray  *ops)
{
  g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (path);
  double start = bench_now ();
  double cpu = cpu_seconds (RUSAGE_SELF);
  guint failed = 0;

  for (guint first = 0; first < ops->len; first += BATCH)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) results = NULL;
      g_autoptr(GError) error = NULL;

      for (guint i = first; i < MIN (first + BATCH, ops->len); i++)
        g_ptr_array_add (batch, g_ptr_array_index (ops, i));
      muster_target_apply_async (MUSTER_TARGET (target), "bench-run", batch, NULL, store_result_cb, &result);
      results = muster_target_apply_finish (MUSTER_TARGET (target), wait_for (&result), &error);
      bench_check (results != NULL, error);
      for (guint i = 0; i < results->len; i++)
        failed += !((MusterOperationResult *) g_ptr_array_index (results, i))->ok;
    }
  if (failed > 0)
    g_error ("%u creates failed", failed);
  return (Timing) { bench_now () - start, cpu_seconds (RUSAGE_SELF) - cpu };
}

static Timing
read_back (const char *path,
           guint      *n_users)
{
  g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GError) error = NULL;
  double start, cpu;

  /* open first, so only the read is timed */
  bench_check (muster_sqlite_target_open (target, &error), error);
  start = bench_now ();
  cpu = cpu_seconds (RUSAGE_SELF);
  muster_target_read_state_async (MUSTER_TARGET (target), NULL, store_result_cb, &result);
  state = muster_target_read_state_finish (MUSTER_TARGET (target), wait_for (&result), &error);
  bench_check (state != NULL, error);
  *n_users = muster_target_state_get_users (state)->len;
  return (Timing) { bench_now () - start, cpu_seconds (RUSAGE_SELF) - cpu };
}

static void
append_sql_text (GString    *sql,
                 const char *text)
{
  if (text == NULL)
    {
      g_string_append (sql, "NULL");
      return;
    }
  g_string_append_c (sql, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append_c (sql, '\'');
      g_string_append_c (sql, *p);
    }
  g_string_append_c (sql, '\'');
}

/* The same rows as SQL for the sqlite3 tool: one transaction of INSERTs. */
static char *
write_sql (const char *dir,
           GPtrArray  *users,
           gboolean    with_journal)
{
  g_autoptr(GString) sql = g_string_new ("BEGIN;\n");
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, with_journal ? "import-journal.sql" : "import.sql", NULL);
  const char *now = "2026-12-03T12:00:00Z";
  static const char * const attributes[] = {
    MUSTER_ATTR_DISPLAY_NAME, MUSTER_ATTR_GIVEN_NAME, MUSTER_ATTR_FAMILY_NAME, MUSTER_ATTR_EMAIL,
    MUSTER_ATTR_TITLE, MUSTER_ATTR_DEPARTMENT, MUSTER_ATTR_MANAGER, MUSTER_ATTR_EMPLOYEE_NUMBER,
    MUSTER_ATTR_MOBILE_PHONE, MUSTER_ATTR_OFFICE_LOCATION,
  };

  for (guint r = 0; r < G_N_ELEMENTS (roles_offered); r++)
    g_string_append_printf (sql, "INSERT INTO roles VALUES ('%s', '%s');\n", roles_offered[r], now);
  if (with_journal)
    g_string_append_printf (sql, "INSERT INTO sync_runs VALUES ('bench-run', '%s', '%s', %u);\n", now, now,
                            N_USERS / BATCH);

  for (guint i = 0; i < users->len; i++)
    {
      MusterTargetUser *user = g_ptr_array_index (users, i);

      g_string_append_printf (sql, "INSERT INTO users VALUES (%u, ", i + 1);
      append_sql_text (sql, user->external_id);
      g_string_append_c (sql, ',');
      append_sql_text (sql, user->user_name);
      g_string_append_printf (sql, ",%d,'%s'", user->active, muster_user_type_to_string (user->user_type));
      for (guint a = 0; a < G_N_ELEMENTS (attributes); a++)
        {
          g_string_append_c (sql, ',');
          append_sql_text (sql, muster_target_user_get_attribute (user, attributes[a]));
        }
      g_string_append_printf (sql, ",'%s','%s');\n", now, now);
      for (guint r = 0; user->roles[r] != NULL; r++)
        g_string_append_printf (sql, "INSERT INTO user_roles VALUES (%u,'%s');\n", i + 1, user->roles[r]);
      if (with_journal)
        g_string_append_printf (sql, "INSERT INTO sync_results VALUES (%u,'bench-run',%u,'create-user:%s','create-user','%s','%u',1,NULL,'%s');\n",
                                i + 1, i / BATCH + 1, user->external_id, user->external_id, i + 1, now);
    }
  g_string_append (sql, "COMMIT;\n");
  g_file_set_contents (path, sql->str, sql->len, &error);
  bench_check (error == NULL, error);
  return path;
}

/* The sqlite3 tool importing @sql_path into a new empty store. Negative when not installed. */
static Timing
sqlite3_import (const char *program,
                const char *store_path,
                const char *sql_path)
{
  g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (store_path);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  double start, cpu;

  /* the same schema, empty, made the way Muster makes it */
  remove_store (store_path);
  bench_check (muster_sqlite_target_open (target, &error), error);
  g_clear_object (&target);

  g_subprocess_launcher_set_stdin_file_path (launcher, sql_path);
  start = bench_now ();
  cpu = cpu_seconds (RUSAGE_CHILDREN);
  process = g_subprocess_launcher_spawn (launcher, &error, program, "-bail", store_path, NULL);
  bench_check (process != NULL, error);
  bench_check (g_subprocess_wait_check (process, NULL, &error), error);
  return (Timing) { bench_now () - start, cpu_seconds (RUSAGE_CHILDREN) - cpu };
}

static double
median (double *values,
        guint   n)
{
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && values[j - 1] > values[j]; j--)
      {
        double swap = values[j];

        values[j] = values[j - 1];
        values[j - 1] = swap;
      }
  return values[n / 2];
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-sqlite-push-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *peer_path = NULL;
  g_autofree char *program = g_find_program_in_path ("sqlite3");
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  double walls[4][RUNS], cpus[4][RUNS];
  Timing t[4] = { { 0 } };  /* push, read, peer, peer with journal */
  double start;
  guint n_read = 0;
  GStatBuf info;

  bench_check (dir != NULL, error);
  path = g_build_filename (dir, "push.db", NULL);
  peer_path = g_build_filename (dir, "peer.db", NULL);

  start = bench_now ();
  users = generate_users ();
  ops = make_operations (users);
  g_print ("generated %u users and their operations in %.2f s (not timed below)\n", N_USERS, bench_now () - start);

  for (guint r = 0; r < RUNS; r++)
    {
      Timing one;

      remove_store (path);
      one = push (path, ops);
      walls[0][r] = one.wall;
      cpus[0][r] = one.cpu;
      one = read_back (path, &n_read);
      walls[1][r] = one.wall;
      cpus[1][r] = one.cpu;
      g_assert_cmpuint (n_read, ==, N_USERS);
    }
  g_stat (path, &info);

  if (program != NULL)
    {
      g_autofree char *sql = write_sql (dir, users, FALSE);
      g_autofree char *sql_journal = write_sql (dir, users, TRUE);

      for (guint r = 0; r < RUNS; r++)
        {
          Timing one = sqlite3_import (program, peer_path, sql);

          walls[2][r] = one.wall;
          cpus[2][r] = one.cpu;
          one = sqlite3_import (program, peer_path, sql_journal);
          walls[3][r] = one.wall;
          cpus[3][r] = one.cpu;
        }
    }
  for (guint k = 0; k < (program != NULL ? 4u : 2u); k++)
    {
      t[k].wall = median (walls[k], RUNS);
      t[k].cpu = median (cpus[k], RUNS);
    }

  g_print ("store: %u users, %.1f MB after the push; medians of %d runs, wall (CPU)\n",
           N_USERS, info.st_size / 1e6, RUNS);
  g_print ("push 100,000 creates (batches of %d): %7.1f ms (%7.1f ms CPU); goal ≤ 2000 ms\n",
           BATCH, t[0].wall * 1000, t[0].cpu * 1000);
  g_print ("read_state of the store:              %7.1f ms (%7.1f ms CPU); goal well under 300 ms\n",
           t[1].wall * 1000, t[1].cpu * 1000);
  if (program != NULL)
    {
      g_print ("peer sqlite3 import, same rows:       %7.1f ms (%7.1f ms CPU) → ratio push/peer %.2f (CPU %.2f); goal ≤ 1.5\n",
               t[2].wall * 1000, t[2].cpu * 1000, t[0].wall / t[2].wall, t[0].cpu / t[2].cpu);
      g_print ("peer sqlite3 import + journal rows:   %7.1f ms (%7.1f ms CPU) → ratio push/peer %.2f (CPU %.2f)\n",
               t[3].wall * 1000, t[3].cpu * 1000, t[0].wall / t[3].wall, t[0].cpu / t[3].cpu);
    }
  else
    {
      g_print ("peer sqlite3 import:                  not installed\n");
    }

  remove_store (path);
  remove_store (peer_path);
  {
    g_autofree char *sql = g_build_filename (dir, "import.sql", NULL);
    g_autofree char *sql_journal = g_build_filename (dir, "import-journal.sql", NULL);

    g_unlink (sql);
    g_unlink (sql_journal);
  }
  g_rmdir (dir);
  return 0;
}
