/* test-plan-tenant.c: plans of the fake tenant's demo directory, read the real way, pushed into a
 * real SQLite store
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Muster signs in to the in-process fake (browser flow through tests/muster-test-browser, keyring
 * in the test's own D-Bus session) and fetches the demo directory into a temporary cache.db; the
 * plan's counts are checked against the snapshot's users counted here independently.
 */

#include "config.h"

#include <string.h>

#include "core-test-util.h"
#include "fake-test-util.h"
#include "muster-directory-fetch.h"
#include "muster-keyring.h"
#include "muster-plan.h"
#include "muster-session.h"
#include "muster-snapshot-store.h"
#include "muster-sqlite-target.h"

typedef struct
{
  MusterFakeTenant    *tenant;
  char                *dir;
  MusterProfileStore  *profiles;
  MusterProfile       *profile;
  MusterSession       *session;
  MusterGraphClient   *graph;
  MusterSnapshotStore *store;
  MusterSnapshot      *snapshot;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *cache = NULL;
  g_autoptr(GError) error = NULL;

  f->tenant = fake_test_start_tenant (NULL);
  muster_cloud_set_override (muster_fake_tenant_get_base_url (f->tenant),
                             muster_fake_tenant_get_base_url (f->tenant));
  f->dir = g_dir_make_tmp ("muster-plan-tenant-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "profiles.ini", NULL);
  f->profiles = muster_profile_store_load (path, &error);
  g_assert_no_error (error);
  f->profile = muster_profile_new ("plan-tenant");
  g_assert_true (muster_profile_store_add (f->profiles, f->profile, NULL));
  f->session = muster_session_new (f->profiles, f->profile);
  f->graph = muster_graph_client_new (f->session);
  cache = g_build_filename (f->dir, "cache.db", NULL);
  f->store = muster_snapshot_store_open (cache, &error);
  g_assert_no_error (error);
  g_setenv ("MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);
  g_unsetenv ("MUSTER_TEST_BROWSER_ACTION");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_keyring_clear_async ("plan-tenant", -1, NULL, core_test_store_result_cb, &result);
  muster_keyring_clear_finish (core_test_wait (&result), NULL);

  g_clear_object (&f->snapshot);
  g_clear_object (&f->store);
  g_clear_object (&f->graph);
  g_clear_object (&f->session);
  g_clear_object (&f->profile);
  g_clear_object (&f->profiles);
  g_clear_object (&f->tenant);
  muster_cloud_set_override (NULL, NULL);
  if (f->dir != NULL)
    core_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* Signs in and fetches the directory; FALSE (test skipped) without a keyring. */
static gboolean
fetch_snapshot (Fixture *f)
{
  g_autoptr(MusterDirectoryFetch) fetcher = muster_directory_fetch_new ();
  g_autoptr(GAsyncResult) signed_in = NULL;
  g_autoptr(GAsyncResult) fetched = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  if (!core_test_keyring_usable ())
    return FALSE;
  muster_session_sign_in_async (f->session, FALSE, NULL, core_test_store_result_cb, &signed_in);
  g_assert_true (muster_session_sign_in_finish (f->session, core_test_wait (&signed_in), &error));
  g_assert_no_error (error);

  muster_directory_fetch_run_async (fetcher, f->graph, f->store, "plan-tenant", TRUE, NULL,
                                    core_test_store_result_cb, &fetched);
  id = muster_directory_fetch_run_finish (fetcher, core_test_wait (&fetched), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  f->snapshot = muster_snapshot_store_load (f->store, id, &error);
  g_assert_no_error (error);
  return TRUE;
}

static MusterTargetState *
read_target (MusterTarget *target)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MusterTargetState *state;

  muster_target_read_state_async (target, NULL, core_test_store_result_cb, &result);
  state = muster_target_read_state_finish (target, core_test_wait (&result), &error);
  g_assert_no_error (error);
  return state;
}

static void
apply_plan (MusterTarget *target,
            MusterPlan   *plan)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  muster_target_apply_async (target, "demo-run", muster_plan_get_operations (plan), NULL,
                             core_test_store_result_cb, &result);
  results = muster_target_apply_finish (target, core_test_wait (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < results->len; i++)
    {
      MusterOperationResult *one = results->pdata[i];

      if (!one->ok)
        g_error ("%s failed: %s", one->operation->key, one->error->message);
    }
}

static void
test_demo_directory (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(MusterSqliteTarget) store = NULL;
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) empty = NULL;
  g_autoptr(MusterTargetState) filled = NULL;
  g_autoptr(MusterPlan) first = NULL;
  g_autoptr(MusterPlan) second = NULL;
  g_autoptr(MusterPlan) stricter = NULL;
  GListModel *users;
  guint n_users, n_enabled = 0, n_guests_enabled = 0, n_disabled = 0;
  const MusterPlanTotals *totals;
  MusterTarget *target;
  MusterTargetFeatures features;

  if (!fetch_snapshot (f))
    return;

  users = muster_snapshot_get_users (f->snapshot);
  n_users = g_list_model_get_n_items (users);
  g_assert_cmpuint (n_users, >, 20);
  for (guint i = 0; i < n_users; i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (users, i);
      const char *email = muster_user_get_email (user, MUSTER_EMAIL_METHOD_MAIL_OR_UPN);

      g_assert_true (email != NULL && *email != '\0');
      if (!muster_user_get_account_enabled (user))
        n_disabled++;
      else
        {
          n_enabled++;
          n_guests_enabled += muster_user_is_guest (user);
        }
    }
  g_assert_cmpuint (n_disabled, >, 0);
  g_assert_cmpuint (n_guests_enabled, >, 0);

  path = g_build_filename (f->dir, "people.db", NULL);
  store = muster_sqlite_target_new (path);
  target = MUSTER_TARGET (store);
  features = muster_target_get_features (target);

  /* Everyone enabled is created; disabled accounts are not. */
  empty = read_target (target);
  first = muster_plan_new (f->snapshot, rules, empty, features, NULL);
  totals = muster_plan_get_totals (first);
  g_assert_cmpuint (totals->create, ==, n_enabled);
  g_assert_cmpuint (totals->skipped, ==, n_disabled);
  g_assert_cmpuint (muster_plan_get_operations (first)->len, ==, n_enabled);
  apply_plan (target, first);

  /* Pushed, the directory plans to no change at all. */
  filled = read_target (target);
  g_assert_cmpuint (muster_target_state_get_users (filled)->len, ==, n_enabled);
  second = muster_plan_new (f->snapshot, rules, filled, features, NULL);
  totals = muster_plan_get_totals (second);
  g_assert_cmpuint (totals->unchanged, ==, n_enabled);
  g_assert_cmpuint (muster_plan_get_operations (second)->len, ==, 0);

  /* Leaving guests out disables exactly the guests the store has, in words. */
  muster_rules_set_exclude_guests (rules, TRUE);
  stricter = muster_plan_new (f->snapshot, rules, filled, features, NULL);
  totals = muster_plan_get_totals (stricter);
  g_assert_cmpuint (totals->disable, ==, n_guests_enabled);
  for (guint i = 0; i < muster_plan_get_items (stricter)->len; i++)
    {
      MusterPlanItem *item = muster_plan_get_items (stricter)->pdata[i];

      if (item->action == MUSTER_PLAN_ACTION_DISABLE)
        {
          g_assert_true (muster_user_is_guest (item->user));
          g_assert_cmpstr (item->reason, ==, "guest account");
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/plan/tenant/demo-directory", Fixture, NULL, fixture_set_up, test_demo_directory, fixture_tear_down);

  return g_test_run ();
}
