/* bench-snapshot-load.c: loading a 100,000-user snapshot from cache.db, and filtering it
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "bench-util.h"
#include "muster-snapshot-store.h"
#include "muster-user-filter.h"
#include "muster-user-private.h"

/* Writes a generated tenant (100,000 users, 2,000 groups of which 100 hold the others, two
 * memberships and a manager per user, licences) into a fresh cache.db, then measures in the
 * same run:
 *
 *   load     muster_snapshot_store_load(): SQLite rows → users, groups, sorted models,
 *            transitive memberships, resolved names
 *   peer 1   a bare sqlite3_step() loop reading the same user rows and columns as text
 *   peer 2   the sqlite3 command-line tool printing SELECT * FROM users (when installed)
 *   filter   one pass of muster_user_filter_match() over every row for a search keystroke
 *   peer 3   the same search done the way a plain string filter does it, folding each row's
 *            text on every pass
 *
 * and prints times and ratios. Goals (issue 5): load well under a second; a keystroke ≤ 50 ms. */

#define N_USERS 100000
#define N_GROUPS 2000
#define N_TOP 100
#define RUNS 3


static gint64
write_tenant (MusterSnapshotStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = muster_snapshot_store_begin (store, "bench", "tenant", &error);
  MusterSku e3 = { (char *) "sku-e3", (char *) "SPE_E3", NULL, N_USERS, N_USERS };
  MusterSku e5 = { (char *) "sku-e5", (char *) "SPE_E5", NULL, 100, 200 };
  GRand *rand = g_rand_new_with_seed (42);
  gint64 id;

  bench_check (writer != NULL, error);
  bench_check (muster_snapshot_writer_put_sku (writer, &e3, &error), error);
  bench_check (muster_snapshot_writer_put_sku (writer, &e5, &error), error);

  for (guint g = 0; g < N_GROUPS; g++)
    {
      g_autofree char *json = g_strdup_printf ("{\"id\":\"group-%04u\",\"displayName\":\"%s %u\",\"groupTypes\":%s,"
                                               "\"mailEnabled\":%s,\"securityEnabled\":%s}",
                                               g, bench_departments[g % G_N_ELEMENTS (bench_departments)], g,
                                               g % 3 == 0 ? "[\"Unified\"]" : "[]",
                                               g % 3 == 1 ? "false" : "true", g % 3 == 2 ? "false" : "true");
      g_autoptr(JsonNode) node = json_from_string (json, NULL);
      g_autoptr(MusterGroup) group = muster_group_new_from_json (json_node_get_object (node));

      bench_check (muster_snapshot_writer_put_group (writer, group, &error), error);
      if (g >= N_TOP)
        {
          g_autofree char *parent = g_strdup_printf ("group-%04u", g % N_TOP);
          bench_check (muster_snapshot_writer_add_member (writer, parent, muster_group_get_id (group), &error), error);
        }
    }

  for (guint i = 0; i < N_USERS; i++)
    {
      const char *first = bench_first_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_first_names))];
      const char *last = bench_surnames[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_surnames))];
      g_autofree char *id_ = g_strdup_printf ("00000000-0000-0000-0000-%012u", i);
      g_autofree char *name = g_strdup_printf ("%s %s %u", first, last, i);
      g_autofree char *upn = g_strdup_printf ("user%u@contoso.com", i);
      g_autofree char *manager = g_strdup_printf ("00000000-0000-0000-0000-%012u", i / 10);
      g_autofree char *phone = g_strdup_printf ("+1 555 %04u", i % 10000);
      g_autofree char *proxy = g_strdup_printf ("SMTP:%s", upn);
      const char *phones[] = { phone, NULL };
      const char *proxies[] = { proxy, NULL };
      const char *licences[] = { "sku-e3", i % 50 == 0 ? "sku-e5" : NULL, NULL };
      const char *no_licences[] = { NULL };
      MusterUserFields fields = { 0 };
      g_autoptr(MusterUser) user = NULL;
      g_autofree char *group_a = g_strdup_printf ("group-%04u", N_TOP + i % (N_GROUPS - N_TOP));
      g_autofree char *group_b = g_strdup_printf ("group-%04u", N_TOP + (i * 7 + 3) % (N_GROUPS - N_TOP));

      fields.id = id_;
      fields.display_name = name;
      fields.given_name = first;
      fields.surname = last;
      fields.user_principal_name = upn;
      fields.mail = upn;
      fields.job_title = bench_titles[i % G_N_ELEMENTS (bench_titles)];
      fields.department = bench_departments[i % G_N_ELEMENTS (bench_departments)];
      fields.company_name = "Contoso";
      fields.office_location = "Building 1";
      fields.business_phones = phones;
      fields.proxy_addresses = proxies;
      fields.assigned_licenses = i % 9 == 0 ? no_licences : licences;
      fields.account_enabled = i % 13 != 0;
      fields.user_type = i % 17 == 0 ? "Guest" : "Member";
      fields.created = "2024-01-02T03:04:05Z";
      fields.manager_id = i > 0 ? manager : NULL;
      user = _muster_user_new (&fields);

      bench_check (muster_snapshot_writer_put_user (writer, user, &error), error);
      bench_check (muster_snapshot_writer_add_member (writer, group_a, id_, &error), error);
      bench_check (muster_snapshot_writer_add_member (writer, group_b, id_, &error), error);
    }

  id = muster_snapshot_writer_commit (writer, &error);
  bench_check (id > 0, error);
  g_rand_free (rand);
  return id;
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

/* Peer 1: every user row and column, as text, and nothing else. */
static double
bare_step_loop (const char *path,
                gint64      snapshot_id,
                guint      *n_rows)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gsize bytes = 0;
  double start = bench_now ();

  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  sqlite3_prepare_v2 (db, "SELECT u.*, m.manager_id FROM users u LEFT JOIN managers m"
                      " ON m.snapshot_id = u.snapshot_id AND m.user_id = u.id WHERE u.snapshot_id = ?1",
                      -1, &stmt, NULL);
  sqlite3_bind_int64 (stmt, 1, snapshot_id);
  *n_rows = 0;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        if (sqlite3_column_text (stmt, c) != NULL)
          bytes += sqlite3_column_bytes (stmt, c);
      (*n_rows)++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert (bytes > 0);
  return bench_now () - start;
}

/* Peer 2: the sqlite3 tool, when installed. Negative when it is not. */
static double
sqlite3_cli (const char *path)
{
  g_autofree char *program = g_find_program_in_path ("sqlite3");
  g_autoptr(GSubprocess) process = NULL;
  double start;

  if (program == NULL)
    return -1;
  start = bench_now ();
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, NULL, program, path, "SELECT * FROM users", NULL);
  if (process == NULL || !g_subprocess_wait_check (process, NULL, NULL))
    return -1;
  return bench_now () - start;
}

static guint
filter_pass (MusterUserFilter *filter,
             MusterSnapshot   *snapshot)
{
  GListModel *users = muster_snapshot_get_users (snapshot);
  guint n_items = g_list_model_get_n_items (users);
  guint n = 0;

  /* Like GtkFilterListModel: get each item, match, drop it. */
  for (guint i = 0; i < n_items; i++)
    {
      MusterUser *user = g_list_model_get_item (users, i);

      n += muster_user_filter_match (filter, snapshot, user);
      g_object_unref (user);
    }
  return n;
}

/* The cost of walking the model alone, as GtkFilterListModel does around each match. */
static double
walk_pass (MusterSnapshot *snapshot)
{
  GListModel *users = muster_snapshot_get_users (snapshot);
  guint n_items = g_list_model_get_n_items (users);
  double start = bench_now ();

  for (guint i = 0; i < n_items; i++)
    g_object_unref (g_list_model_get_item (users, i));
  return bench_now () - start;
}

static gboolean
naive_contains (const char *haystack,
                const char *needle)
{
  g_autofree char *normal = NULL;
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;
  normal = g_utf8_normalize (haystack, -1, G_NORMALIZE_DEFAULT_COMPOSE);
  folded = g_utf8_casefold (normal, -1);
  return strstr (folded, needle) != NULL;
}

/* Peer 3: a string filter folding each row's text per keystroke. */
static guint
naive_pass (MusterSnapshot *snapshot,
            const char     *needle)
{
  GListModel *users = muster_snapshot_get_users (snapshot);
  guint n_items = g_list_model_get_n_items (users);
  guint n = 0;

  for (guint i = 0; i < n_items; i++)
    {
      MusterUser *user = g_list_model_get_item (users, i);

      n += naive_contains (muster_user_get_display_name (user), needle) ||
           naive_contains (muster_user_get_user_principal_name (user), needle) ||
           naive_contains (muster_user_get_mail (user), needle) ||
           naive_contains (muster_user_get_job_title (user), needle) ||
           naive_contains (muster_user_get_department (user), needle);
      g_object_unref (user);
    }
  return n;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("muster-bench-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  g_autoptr(MusterSnapshot) snapshot = NULL;
  double load_times[RUNS], step_times[RUNS], filter_times[RUNS], naive_times[RUNS], complex_times[RUNS];
  double write_time, load, step, cli, filtered, naive, complex, walk;
  const char *groups[] = { "group-0007", NULL };
  guint n_rows = 0, n_search = 0, n_naive = 0, n_complex = 0;
  gint64 id;
  struct stat info;

  store = muster_snapshot_store_open (path, &error);
  bench_check (store != NULL, error);

  write_time = bench_now ();
  id = write_tenant (store);
  write_time = bench_now () - write_time;

  for (guint r = 0; r < RUNS; r++)
    {
      double start = bench_now ();

      g_clear_object (&snapshot);
      snapshot = muster_snapshot_store_load (store, id, &error);
      bench_check (snapshot != NULL, error);
      load_times[r] = bench_now () - start;
      step_times[r] = bare_step_loop (path, id, &n_rows);
    }
  load = median (load_times, RUNS);
  step = median (step_times, RUNS);
  cli = sqlite3_cli (path);
  g_assert_cmpuint (g_list_model_get_n_items (muster_snapshot_get_users (snapshot)), ==, N_USERS);
  g_assert_cmpuint (n_rows, ==, N_USERS);

  /* A keystroke: search "ann" (names such as Ann, Hanna, Hansen match). */
  muster_user_filter_set_search (filter, "ann");
  for (guint r = 0; r < RUNS; r++)
    {
      double start = bench_now ();

      n_search = filter_pass (filter, snapshot);
      filter_times[r] = bench_now () - start;
      start = bench_now ();
      n_naive = naive_pass (snapshot, "ann");
      naive_times[r] = bench_now () - start;
    }
  filtered = median (filter_times, RUNS);
  walk = walk_pass (snapshot);
  naive = median (naive_times, RUNS);
  g_assert_cmpuint (n_search, ==, n_naive);

  /* Everything at once: a nested group, exclusions, a deny domain and the search. */
  {
    const char *deny[] = { "@fabrikam.com", "user42@contoso.com", NULL };

    muster_user_filter_set_groups (filter, groups);
    muster_user_filter_set_nested (filter, TRUE);
    muster_user_filter_set_exclude_disabled (filter, TRUE);
    muster_user_filter_set_exclude_guests (filter, TRUE);
    muster_user_filter_set_exclude_unlicensed (filter, TRUE);
    muster_user_filter_set_deny_list (filter, deny);
    muster_user_filter_set_search (filter, NULL);
  }
  for (guint r = 0; r < RUNS; r++)
    {
      double start = bench_now ();

      n_complex = filter_pass (filter, snapshot);
      complex_times[r] = bench_now () - start;
    }
  complex = median (complex_times, RUNS);

  g_stat (path, &info);
  g_print ("cache.db: %u users, %u groups, %.1f MB; written and committed in %.2f s\n",
           N_USERS, N_GROUPS, info.st_size / 1e6, write_time);
  g_print ("load snapshot:            %7.1f ms (median of %d)\n", load * 1000, RUNS);
  g_print ("peer bare sqlite3_step:   %7.1f ms  → ratio load/peer %.2f\n", step * 1000, load / step);
  if (cli >= 0)
    g_print ("peer sqlite3 CLI:         %7.1f ms  → ratio load/peer %.2f\n", cli * 1000, load / cli);
  else
    g_print ("peer sqlite3 CLI:         not installed\n");
  g_print ("search keystroke “ann”:   %7.2f ms over %u rows, %u match (goal ≤ 50 ms)\n",
           filtered * 1000, N_USERS, n_search);
  g_print ("  of which walking the model (get_item + unref): %.2f ms\n", walk * 1000);
  g_print ("peer fold-per-row filter: %7.2f ms  → ratio muster/peer %.3f\n", naive * 1000, filtered / naive);
  g_print ("nested group + exclusions + deny list: %.2f ms, %u match\n", complex * 1000, n_complex);

  g_clear_object (&snapshot);
  g_clear_object (&store);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
        g_unlink (file);
      }
    g_rmdir (dir);
  }
  return 0;
}
