/* bench-snapshot-write.c: writing a full 100,000-user, 2,000-group snapshot into cache.db, then
 * an incremental one on top of it
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The shape is the fake tenant's generated dataset: GUID ids, about 1.4 million direct
 * memberships written group by group (as the fetcher receives them), a manager per user. Measures
 * in one run:
 *
 *   full     muster_snapshot_store_begin() … commit() of everything, in one transaction
 *   peer     the same rows inserted by bare sqlite3 into one table per kind with no index and no
 *            foreign key (the floor: SQLite's own insert speed on this machine)
 *   link     muster_snapshot_store_get_delta_link() of the newest snapshot
 *   copy     muster_snapshot_store_begin_from() + changing 1 % of users + commit()
 *
 * and the sizes of cache.db and its WAL. Run: meson test -C BUILD --benchmark bench-snapshot-write
 * (or the binary directly; `N_SNAPSHOTS=6` writes more full snapshots to show pruning's cost).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "bench-util.h"
#include "muster-snapshot-store.h"
#include "muster-user-private.h"

#define N_USERS 100000
#define N_GROUPS 2000
#define PER_GROUP 700

typedef struct
{
  char   **user_ids;
  char   **group_ids;
  GArray **members;  /* per group: user indexes, ascending */
} Tenant;

static void
tenant_init (Tenant *t)
{
  GRand *rand = g_rand_new_with_seed (7);

  t->user_ids = g_new0 (char *, N_USERS + 1);
  t->group_ids = g_new0 (char *, N_GROUPS + 1);
  t->members = g_new0 (GArray *, N_GROUPS);
  for (guint i = 0; i < N_USERS; i++)
    t->user_ids[i] = bench_random_guid (rand);
  for (guint g = 0; g < N_GROUPS; g++)
    {
      guint step = 2 * N_USERS / PER_GROUP;

      t->group_ids[g] = bench_random_guid (rand);
      t->members[g] = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint k = g_rand_int_range (rand, 0, step); k < N_USERS; k += 1 + g_rand_int_range (rand, 0, step))
        g_array_append_val (t->members[g], k);
    }
  g_rand_free (rand);
}

static MusterUser *
make_user (Tenant     *t,
           guint       i,
           const char *title)
{
  static const char *departments[] = { "Sales", "Engineering", "Finance", "Marketing", "Support", "Legal" };
  g_autofree char *name = g_strdup_printf ("User Number %u", i);
  g_autofree char *upn = g_strdup_printf ("user%u@contoso.example", i);
  g_autofree char *proxy = g_strdup_printf ("SMTP:%s", upn);
  g_autofree char *phone = g_strdup_printf ("+1 555 %04u", i % 10000);
  const char *phones[] = { phone, NULL };
  const char *proxies[] = { proxy, NULL };
  const char *licences[] = { "c7df2760-2c81-4ef7-b578-5b5392b571df", NULL };
  MusterUserFields fields = { 0 };

  fields.id = t->user_ids[i];
  fields.display_name = name;
  fields.given_name = "User";
  fields.surname = "Number";
  fields.user_principal_name = upn;
  fields.mail = upn;
  fields.job_title = title;
  fields.department = departments[i % G_N_ELEMENTS (departments)];
  fields.company_name = "Contoso";
  fields.office_location = "Building 1";
  fields.business_phones = phones;
  fields.proxy_addresses = proxies;
  fields.assigned_licenses = licences;
  fields.account_enabled = TRUE;
  fields.user_type = "Member";
  fields.created = "2024-01-02T03:04:05Z";
  fields.manager_id = i > 0 ? t->user_ids[i / 10] : NULL;
  return _muster_user_new (&fields);
}

static gint64
write_full (MusterSnapshotStore *store,
            Tenant              *t)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = muster_snapshot_store_begin (store, "bench", "tenant", &error);
  gint64 id;

  bench_check (writer != NULL, error);
  for (guint i = 0; i < N_USERS; i++)
    {
      g_autoptr(MusterUser) user = make_user (t, i, "Engineer");

      bench_check (muster_snapshot_writer_put_user (writer, user, &error), error);
    }
  for (guint g = 0; g < N_GROUPS; g++)
    {
      g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"displayName\":\"Group %u\",\"groupTypes\":[],"
                                               "\"mailEnabled\":false,\"securityEnabled\":true}",
                                               t->group_ids[g], g);
      g_autoptr(JsonNode) node = json_from_string (json, NULL);
      g_autoptr(MusterGroup) group = muster_group_new_from_json (json_node_get_object (node));

      bench_check (muster_snapshot_writer_put_group (writer, group, &error), error);
    }
  for (guint g = 0; g < N_GROUPS; g++)
    for (guint k = 0; k < t->members[g]->len; k++)
      bench_check (muster_snapshot_writer_add_member (writer, t->group_ids[g],
                                                      t->user_ids[g_array_index (t->members[g], guint, k)], &error),
                   error);
  bench_check (muster_snapshot_writer_set_delta_link (writer, "users",
                                                      "http://127.0.0.1/v1.0/users/delta?$deltatoken=u", &error),
               error);
  bench_check (muster_snapshot_writer_set_delta_link (writer, "groups",
                                                      "http://127.0.0.1/v1.0/groups/delta?$deltatoken=g", &error),
               error);
  id = muster_snapshot_writer_commit (writer, &error);
  bench_check (id > 0, error);
  return id;
}

/* The floor: the same rows into bare tables, one transaction, no index, no foreign key. */
static double
write_bare (const char *path,
            Tenant     *t)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *users = NULL, *members = NULL;
  double start = bench_now ();

  sqlite3_open (path, &db);
  sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -131072;"
                "CREATE TABLE users (snapshot_id, id, display_name, upn, mail, proxy, job_title, department,"
                " company, office, phones, licences, created, manager_id);"
                "CREATE TABLE memberships (snapshot_id, group_id, member_id); BEGIN", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO users VALUES (1, ?1, ?2, ?3, ?3, ?4, 'Engineer', 'Sales', 'Contoso',"
                      " 'Building 1', ?5, '[\"c7df2760-2c81-4ef7-b578-5b5392b571df\"]', '2024-01-02T03:04:05Z', ?6)",
                      -1, &users, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO memberships VALUES (1, ?1, ?2)", -1, &members, NULL);
  for (guint i = 0; i < N_USERS; i++)
    {
      g_autofree char *name = g_strdup_printf ("User Number %u", i);
      g_autofree char *upn = g_strdup_printf ("user%u@contoso.example", i);
      g_autofree char *proxy = g_strdup_printf ("[\"SMTP:%s\"]", upn);
      g_autofree char *phone = g_strdup_printf ("[\"+1 555 %04u\"]", i % 10000);

      sqlite3_bind_text (users, 1, t->user_ids[i], -1, SQLITE_STATIC);
      sqlite3_bind_text (users, 2, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (users, 3, upn, -1, SQLITE_STATIC);
      sqlite3_bind_text (users, 4, proxy, -1, SQLITE_STATIC);
      sqlite3_bind_text (users, 5, phone, -1, SQLITE_STATIC);
      sqlite3_bind_text (users, 6, t->user_ids[i / 10], -1, SQLITE_STATIC);
      sqlite3_step (users);
      sqlite3_reset (users);
    }
  for (guint g = 0; g < N_GROUPS; g++)
    for (guint k = 0; k < t->members[g]->len; k++)
      {
        sqlite3_bind_text (members, 1, t->group_ids[g], -1, SQLITE_STATIC);
        sqlite3_bind_text (members, 2, t->user_ids[g_array_index (t->members[g], guint, k)], -1, SQLITE_STATIC);
        sqlite3_step (members);
        sqlite3_reset (members);
      }
  sqlite3_finalize (users);
  sqlite3_finalize (members);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close (db);
  return bench_now () - start;
}

static double
file_mb (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? st.st_size / 1048576.0 : 0;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("muster-bench-write-XXXXXX", &error);
  g_autofree char *path = NULL, *wal = NULL, *bare = NULL;
  g_autoptr(MusterSnapshotStore) store = NULL;
  const char *n_env = g_getenv ("N_SNAPSHOTS");
  guint n_snapshots = n_env != NULL ? (guint) g_ascii_strtoull (n_env, NULL, 10) : 1;
  g_autofree char *link = NULL;
  Tenant t = { 0 };
  guint n_members = 0;
  double start, t_full = 0, t_bare, t_link, t_copy, t_delta;
  gint64 id = 0;

  bench_check (dir != NULL, error);
  path = g_build_filename (dir, "cache.db", NULL);
  wal = g_build_filename (dir, "cache.db-wal", NULL);
  bare = g_build_filename (dir, "bare.db", NULL);
  tenant_init (&t);
  for (guint g = 0; g < N_GROUPS; g++)
    n_members += t.members[g]->len;

  store = muster_snapshot_store_open (path, &error);
  bench_check (store != NULL, error);

  for (guint s = 0; s < MAX (n_snapshots, 1); s++)
    {
      start = bench_now ();
      id = write_full (store, &t);
      t_full = bench_now () - start;
      g_print ("full snapshot %u: %.2f s (%u users, %u groups, %u memberships); cache.db %.0f MB, WAL %.0f MB\n",
               s + 1, t_full, N_USERS, N_GROUPS, n_members, file_mb (path), file_mb (wal));
    }
  t_bare = write_bare (bare, &t);
  g_print ("peer: bare sqlite3 inserts of the same rows, no index: %.2f s  ratio %.2f\n", t_bare, t_full / t_bare);

  start = bench_now ();
  link = muster_snapshot_store_get_delta_link (store, id, "users", &error);
  t_link = bench_now () - start;
  bench_check (link != NULL, error);
  g_print ("delta link of snapshot %" G_GINT64_FORMAT ": %.2f ms\n", id, t_link * 1000);

  start = bench_now ();
  {
    g_autoptr(MusterSnapshotWriter) writer = muster_snapshot_store_begin_from (store, id, &error);

    bench_check (writer != NULL, error);
    t_copy = bench_now () - start;
    for (guint i = 0; i < N_USERS; i += 100)
      {
        g_autoptr(MusterUser) user = make_user (&t, i, "Changed");

        bench_check (muster_snapshot_writer_put_user (writer, user, &error), error);
      }
    bench_check (muster_snapshot_writer_commit (writer, &error) > 0, error);
  }
  t_delta = bench_now () - start;
  g_print ("incremental: begin_from (copy) %.2f s, with 1 %% of users changed and commit %.2f s"
           "  ratio to full %.3f\n", t_copy, t_delta, t_delta / t_full);
  g_print ("cache.db %.0f MB, WAL %.0f MB\n", file_mb (path), file_mb (wal));

  g_clear_object (&store);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
    if (system (command) != 0)
      g_warning ("could not remove %s", dir);
  }
  return 0;
}
