/* bench-export-csv.c: exporting 100,000 users to CSV, against the sqlite3 tool on the same cache.db
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "bench-util.h"
#include "muster-export.h"
#include "muster-snapshot-store.h"
#include "muster-group-private.h"
#include "muster-user-private.h"

/* Writes a generated tenant of 100,000 users (managers, licences, phones; some names with
 * commas and quotes) into a fresh cache.db, then measures in the same run, best of three:
 *
 *   export   muster_export_write_users() of the loaded snapshot, default columns (temporary
 *            file, fsync, rename included)
 *   cli      `muster-cli users --format csv --output FILE`: open cache.db, load the snapshot
 *            (without its memberships), filter, export — what a script runs
 *   peer     `sqlite3 -csv -header cache.db SELECT …` writing the same sixteen columns (manager
 *            name by a join, email as mail-or-UPN, state as a CASE) in the same order to a file
 *
 * and prints the times and the ratios export/peer and cli/peer. Goal (issue 5): ≤ 1.0×. */

#define N_USERS 100000
/* Memberships are most of a real snapshot (the generated 100,000-user tenant of issue 14 has
 * 13.2 million); 2,000 groups of 1,000 members each make the 2 million here, which muster-cli
 * users without a group filter leaves on disk. */
#define N_GROUPS 2000
#define GROUPS_PER_USER 20
#define RUNS 3

static const char *surnames[] = {
  "Anderson", "Brown", "Çelik", "Dubois", "Evans", "Fischer", "García", "Hansen", "Ivanova", "Jones",
  "Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Petrov", "Quist", "Rossi", "Smith, Jr.", "Tanaka",
  "山田", "\"Doc\" Holliday",
};

static const char peer_query[] =
  "SELECT u.display_name AS \"Display name\","
  " COALESCE(NULLIF(u.mail, ''), u.user_principal_name) AS \"Email\","
  " u.user_principal_name AS \"User principal name\", u.job_title AS \"Job title\","
  " u.department AS \"Department\", u.company_name AS \"Company\", u.employee_id AS \"Employee ID\","
  " u.office_location AS \"Office\", u.mobile_phone AS \"Mobile phone\","
  " u.business_phones AS \"Business phones\", m.display_name AS \"Manager\","
  " u.assigned_licenses AS \"Licences\","
  " CASE WHEN u.user_type = 'Guest' THEN 'Guest' WHEN u.account_enabled THEN 'Enabled' ELSE 'Disabled' END"
  "   AS \"Account state\","
  " u.user_type AS \"User type\", u.created AS \"Created\", u.id AS \"Object ID\""
  " FROM users u"
  " LEFT JOIN managers mg ON mg.snapshot_id = u.snapshot_id AND mg.user_id = u.id"
  " LEFT JOIN users m ON m.snapshot_id = u.snapshot_id AND m.id = mg.manager_id"
  " WHERE u.snapshot_id = %" G_GINT64_FORMAT " ORDER BY u.display_name;";

static gint64
write_tenant (MusterSnapshotStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = muster_snapshot_store_begin (store, "bench", "tenant", &error);
  MusterSku e3 = { (char *) "sku-e3", (char *) "SPE_E3", NULL, N_USERS, N_USERS };
  MusterSku e5 = { (char *) "sku-e5", (char *) "SPE_E5", NULL, 100, 200 };
  GRand *rand = g_rand_new_with_seed (7);
  gint64 id;

  bench_check (writer != NULL, error);
  bench_check (muster_snapshot_writer_put_sku (writer, &e3, &error), error);
  bench_check (muster_snapshot_writer_put_sku (writer, &e5, &error), error);
  for (guint g = 0; g < N_GROUPS; g++)
    {
      g_autofree char *group_id = g_strdup_printf ("11111111-0000-0000-0000-%012u", g);
      g_autofree char *group_name = g_strdup_printf ("Team %u", g);
      const char *no_types[] = { NULL };
      MusterGroupFields group_fields = { group_id, group_name, NULL, NULL, NULL, no_types, FALSE, TRUE };
      g_autoptr(MusterGroup) group = _muster_group_new (&group_fields);

      bench_check (muster_snapshot_writer_put_group (writer, group, &error), error);
    }

  for (guint i = 0; i < N_USERS; i++)
    {
      const char *first = bench_first_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_first_names))];
      const char *last = surnames[g_rand_int_range (rand, 0, G_N_ELEMENTS (surnames))];
      g_autofree char *id_ = g_strdup_printf ("00000000-0000-0000-0000-%012u", i);
      g_autofree char *name = g_strdup_printf ("%s %s %u", first, last, i);
      g_autofree char *upn = g_strdup_printf ("user%u@contoso.com", i);
      g_autofree char *manager = g_strdup_printf ("00000000-0000-0000-0000-%012u", i / 10);
      g_autofree char *phone = g_strdup_printf ("+1 555 %04u", i % 10000);
      g_autofree char *mobile = g_strdup_printf ("+44 7700 9%05u", i % 100000);
      g_autofree char *employee = g_strdup_printf ("E%06u", i);
      const char *phones[] = { phone, NULL };
      const char *licences[] = { "sku-e3", i % 50 == 0 ? "sku-e5" : NULL, NULL };
      const char *no_licences[] = { NULL };
      MusterUserFields fields = { 0 };
      g_autoptr(MusterUser) user = NULL;

      fields.id = id_;
      fields.display_name = name;
      fields.given_name = first;
      fields.surname = last;
      fields.user_principal_name = upn;
      fields.mail = i % 11 == 0 ? NULL : upn;
      fields.job_title = bench_titles[i % G_N_ELEMENTS (bench_titles)];
      fields.department = bench_departments[i % G_N_ELEMENTS (bench_departments)];
      fields.company_name = "Contoso";
      fields.employee_id = employee;
      fields.office_location = "Building 1, Floor 2";
      fields.mobile_phone = mobile;
      fields.business_phones = phones;
      fields.assigned_licenses = i % 9 == 0 ? no_licences : licences;
      fields.account_enabled = i % 13 != 0;
      fields.user_type = i % 17 == 0 ? "Guest" : "Member";
      fields.created = "2024-01-02T03:04:05Z";
      fields.manager_id = i > 0 ? manager : NULL;
      user = _muster_user_new (&fields);

      bench_check (muster_snapshot_writer_put_user (writer, user, &error), error);
      if (i > 0)
        bench_check (muster_snapshot_writer_set_manager (writer, id_, manager, &error), error);
      for (guint k = 0; k < GROUPS_PER_USER; k++)
        {
          g_autofree char *group_id = g_strdup_printf ("11111111-0000-0000-0000-%012u",
                                                       (i * 7 + k * (N_GROUPS / GROUPS_PER_USER)) % N_GROUPS);

          bench_check (muster_snapshot_writer_add_member (writer, group_id, id_, &error), error);
        }
    }

  id = muster_snapshot_writer_commit (writer, &error);
  bench_check (id > 0, error);
  g_rand_free (rand);
  return id;
}

static double
run_process (const char * const *argv,
             const char         *stdout_path,
             const char         *data_dir)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  double start;

  if (stdout_path != NULL)
    g_subprocess_launcher_set_stdout_file_path (launcher, stdout_path);
  if (data_dir != NULL)
    g_subprocess_launcher_setenv (launcher, "MUSTER_DATA_DIR", data_dir, TRUE);
  start = bench_now ();
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  bench_check (process != NULL, error);
  bench_check (g_subprocess_wait_check (process, NULL, &error), error);
  return bench_now () - start;
}

static gsize
file_size (const char *path)
{
  GStatBuf buf;

  if (g_stat (path, &buf) != 0)
    g_error ("%s was not written", path);
  return buf.st_size;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("muster-bench-export-XXXXXX", &error);
  g_autofree char *db = NULL;
  g_autofree char *muster_csv = NULL;
  g_autofree char *cli_csv = NULL;
  g_autofree char *peer_csv = NULL;
  g_autofree char *query = NULL;
  g_autofree char *sqlite3 = g_find_program_in_path ("sqlite3");
  g_autofree char *cli = NULL;
  g_autofree char *command = NULL;
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterExport) export = muster_export_new (MUSTER_EXPORT_FORMAT_CSV);
  g_autoptr(GFile) file = NULL;
  double best_export = G_MAXDOUBLE, best_cli = G_MAXDOUBLE, best_peer = G_MAXDOUBLE, start;
  gint64 id;

  bench_check (dir != NULL, error);
  db = g_build_filename (dir, "cache.db", NULL);
  muster_csv = g_build_filename (dir, "muster.csv", NULL);
  cli_csv = g_build_filename (dir, "cli.csv", NULL);
  peer_csv = g_build_filename (dir, "sqlite3.csv", NULL);
  if (g_getenv ("MUSTER_BUILD_DIR") != NULL)
    cli = g_build_filename (g_getenv ("MUSTER_BUILD_DIR"), "src", "cli", "muster-cli", NULL);

  start = bench_now ();
  store = muster_snapshot_store_open (db, &error);
  bench_check (store != NULL, error);
  id = write_tenant (store);
  g_print ("# generated %d users in %.2f s\n", N_USERS, bench_now () - start);

  start = bench_now ();
  snapshot = muster_snapshot_store_load (store, id, &error);
  bench_check (snapshot != NULL, error);
  g_print ("# snapshot loaded in %.3f s (with %d memberships)\n", bench_now () - start, N_USERS * GROUPS_PER_USER);
  {
    g_autoptr(MusterSnapshot) light = NULL;

    start = bench_now ();
    light = muster_snapshot_store_load_with_flags (store, id, MUSTER_SNAPSHOT_LOAD_NO_MEMBERSHIPS, &error);
    bench_check (light != NULL, error);
    g_print ("# snapshot loaded without memberships in %.3f s (what muster-cli users loads)\n",
             bench_now () - start);
  }
  muster_export_set_context (export, snapshot, NULL);
  file = g_file_new_for_path (muster_csv);

  if (cli != NULL && g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    {
      const char *add[] = { cli, "profile", "add", "bench", NULL };
      run_process (add, NULL, dir);
    }
  else
    g_clear_pointer (&cli, g_free);

  query = g_strdup_printf (peer_query, id);
  for (guint run = 0; run < RUNS; run++)
    {
      start = bench_now ();
      bench_check (muster_export_write_users (export, muster_snapshot_get_users (snapshot), file, NULL, &error), error);
      best_export = MIN (best_export, bench_now () - start);

      if (cli != NULL)
        {
          const char *args[] = { cli, "users", "--format", "csv", "--output", cli_csv, NULL };
          best_cli = MIN (best_cli, run_process (args, NULL, dir));
        }
      if (sqlite3 != NULL)
        {
          const char *args[] = { sqlite3, "-csv", "-header", db, query, NULL };
          best_peer = MIN (best_peer, run_process (args, peer_csv, NULL));
        }
    }

  g_print ("muster export (loaded snapshot):       %.3f s  %" G_GSIZE_FORMAT " bytes\n", best_export,
           file_size (muster_csv));
  if (cli != NULL)
    g_print ("muster-cli users --format csv:         %.3f s  %" G_GSIZE_FORMAT " bytes\n", best_cli,
             file_size (cli_csv));
  if (sqlite3 != NULL)
    {
      g_print ("sqlite3 -csv, same columns:            %.3f s  %" G_GSIZE_FORMAT " bytes\n", best_peer,
               file_size (peer_csv));
      g_print ("ratio export / sqlite3:                %.2fx (goal <= 1.0x)\n", best_export / best_peer);
      if (cli != NULL)
        g_print ("ratio muster-cli / sqlite3:            %.2fx\n", best_cli / best_peer);
    }
  else
    g_print ("# sqlite3 is not installed (build-aux/install-deps installs it): no peer measured\n");

  command = g_strdup_printf ("rm -rf '%s'", dir);
  if (system (command) != 0)
    g_printerr ("could not remove %s\n", dir);
  return 0;
}
