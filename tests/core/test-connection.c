/* test-connection.c: MusterConnection holds one profile's live state and says when it changes
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "muster-connection.h"
#include "muster-snapshot-private.h"
#include "muster-sqlite-target.h"

typedef struct
{
  char               *dir;
  MusterProfileStore *store;
  MusterProfile      *profile;
  MusterConnection   *connection;
  GHashTable         *notified;   /* property name → times notified */
} Fixture;

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           Fixture    *f)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (f->notified, pspec->name));

  g_hash_table_insert (f->notified, (gpointer) pspec->name, GUINT_TO_POINTER (n + 1));
}

static guint
times_notified (Fixture    *f,
                const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (f->notified, name));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("muster-connection-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "profiles.ini", NULL);
  f->store = muster_profile_store_load (path, &error);
  g_assert_no_error (error);
  f->profile = muster_profile_new ("Contoso");
  muster_profile_set_tenant (f->profile, "contoso.onmicrosoft.com");
  muster_profile_store_add (f->store, f->profile, &error);
  g_assert_no_error (error);
  f->connection = muster_connection_new (f->store, f->profile);
  f->notified = g_hash_table_new (g_str_hash, g_str_equal);
  g_signal_connect (f->connection, "notify", G_CALLBACK (notify_cb), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->connection);
  g_clear_object (&f->profile);
  g_clear_object (&f->store);
  g_hash_table_unref (f->notified);
  {
    g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (f->dir, name, NULL);

        g_remove (path);
      }
  }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
}

static void
test_profile_and_session (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(MusterProfile) profile = NULL;

  g_assert_true (muster_connection_get_profile (f->connection) == f->profile);
  g_assert_true (muster_connection_get_profile_store (f->connection) == f->store);
  /* the session signs in the connection's own profile */
  g_assert_nonnull (muster_connection_get_session (f->connection));
  g_assert_true (muster_session_get_profile (muster_connection_get_session (f->connection)) == f->profile);
  g_object_get (f->connection, "profile", &profile, NULL);
  g_assert_true (profile == f->profile);

  /* the Graph client: made once, on demand; forgotten on sign-out */
  g_assert_null (muster_connection_get_graph_client (f->connection));
  {
    MusterGraphClient *graph = muster_connection_ensure_graph_client (f->connection);

    g_assert_nonnull (graph);
    g_assert_true (muster_graph_client_get_session (graph) == muster_connection_get_session (f->connection));
    g_assert_true (muster_connection_ensure_graph_client (f->connection) == graph);
    g_assert_cmpuint (times_notified (f, "graph-client"), ==, 1);
  }
  muster_connection_reset_graph_client (f->connection);
  muster_connection_reset_graph_client (f->connection);
  g_assert_null (muster_connection_get_graph_client (f->connection));
  g_assert_cmpuint (times_notified (f, "graph-client"), ==, 2);
}

static void
test_signed_in (Fixture       *f,
                gconstpointer  data)
{
  g_assert_false (muster_connection_get_signed_in (f->connection));
  muster_profile_set_signed_in (f->profile, "tenant-id", "admin@contoso.example", "Contoso", g_get_real_time () / G_USEC_PER_SEC);
  muster_connection_profile_changed (f->connection);
  muster_connection_profile_changed (f->connection);
  g_assert_true (muster_connection_get_signed_in (f->connection));
  g_assert_cmpuint (times_notified (f, "signed-in"), ==, 1);

  muster_profile_clear_signed_in (f->profile);
  muster_connection_profile_changed (f->connection);
  g_assert_false (muster_connection_get_signed_in (f->connection));
  g_assert_cmpuint (times_notified (f, "signed-in"), ==, 2);
}

static void
test_snapshot_and_fetch (Fixture       *f,
                         gconstpointer  data)
{
  MusterSnapshotInfo info = { 0 };
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterDirectoryFetch) fetch = muster_directory_fetch_new ();

  info.id = 7;
  info.created_at = 1700000000;
  snapshot = _muster_snapshot_new (&info);

  /* a snapshot shown: notified once, not again for the same one */
  muster_connection_set_snapshot (f->connection, snapshot);
  muster_connection_set_snapshot (f->connection, snapshot);
  g_assert_true (muster_connection_get_snapshot (f->connection) == snapshot);
  g_assert_cmpuint (times_notified (f, "snapshot"), ==, 1);

  /* a fetch running: "fetching" follows it */
  g_assert_false (muster_connection_get_fetching (f->connection));
  muster_connection_set_fetch (f->connection, fetch);
  g_assert_true (muster_connection_get_fetching (f->connection));
  g_assert_true (muster_connection_get_fetch (f->connection) == fetch);
  g_assert_cmpuint (times_notified (f, "fetching"), ==, 1);
  g_object_set (f->connection, "fetch", NULL, NULL);
  g_assert_false (muster_connection_get_fetching (f->connection));
  g_assert_cmpuint (times_notified (f, "fetch"), ==, 2);
  g_assert_cmpuint (times_notified (f, "fetching"), ==, 2);

  /* showing nothing lets the snapshot go */
  muster_connection_set_snapshot (f->connection, NULL);
  g_assert_null (muster_connection_get_snapshot (f->connection));
  g_assert_cmpuint (times_notified (f, "snapshot"), ==, 2);
}

static void
test_target_push_and_history (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *store_path = g_build_filename (f->dir, "people.db", NULL);
  g_autofree char *history_path = g_build_filename (f->dir, "history.db", NULL);
  g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (store_path);
  g_autoptr(MusterHistory) history = muster_history_open (history_path, &error);
  g_autoptr(GPtrArray) operations = g_ptr_array_new ();
  g_autoptr(MusterPush) push = NULL;

  g_assert_no_error (error);
  push = muster_push_new_for_operations (MUSTER_TARGET (target), operations, 0, history, "Contoso", NULL);

  /* the target and history the window shows: notified once per change */
  muster_connection_set_target (f->connection, MUSTER_TARGET (target));
  muster_connection_set_target (f->connection, MUSTER_TARGET (target));
  muster_connection_set_history (f->connection, history);
  g_assert_true (muster_connection_get_target (f->connection) == MUSTER_TARGET (target));
  g_assert_true (muster_connection_get_history (f->connection) == history);
  g_assert_cmpuint (times_notified (f, "target"), ==, 1);
  g_assert_cmpuint (times_notified (f, "history"), ==, 1);
  g_assert_null (muster_connection_get_plan (f->connection));

  /* a push running: "pushing" follows it, and the window's Push and Preview go by it */
  g_assert_false (muster_connection_get_pushing (f->connection));
  muster_connection_set_push (f->connection, push);
  muster_connection_set_push (f->connection, push);
  g_assert_true (muster_connection_get_pushing (f->connection));
  g_assert_true (muster_connection_get_push (f->connection) == push);
  g_assert_cmpuint (times_notified (f, "push"), ==, 1);
  g_assert_cmpuint (times_notified (f, "pushing"), ==, 1);
  muster_connection_set_push (f->connection, NULL);
  g_assert_false (muster_connection_get_pushing (f->connection));
  g_assert_cmpuint (times_notified (f, "pushing"), ==, 2);

  /* the connection lets go of all of it when it goes */
  muster_connection_set_target (f->connection, NULL);
  g_assert_cmpuint (times_notified (f, "target"), ==, 2);
  g_clear_object (&push);
  g_assert_finalize_object (g_steal_pointer (&target));
  g_assert_true (muster_connection_get_history (f->connection) == history);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/connection/profile-and-session", Fixture, NULL, fixture_set_up, test_profile_and_session,
              fixture_tear_down);
  g_test_add ("/connection/signed-in", Fixture, NULL, fixture_set_up, test_signed_in, fixture_tear_down);
  g_test_add ("/connection/snapshot-and-fetch", Fixture, NULL, fixture_set_up, test_snapshot_and_fetch,
              fixture_tear_down);
  g_test_add ("/connection/target-push-and-history", Fixture, NULL, fixture_set_up, test_target_push_and_history,
              fixture_tear_down);
  return g_test_run ();
}
