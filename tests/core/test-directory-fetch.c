/* test-directory-fetch.c: reading the directory into snapshots, against the fake tenant
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fake runs in-process on 127.0.0.1 and Muster signs in to it the real way (browser flow,
 * tests/muster-test-browser, keyring in the test's own D-Bus session). What a fetch wrote is
 * compared with what the fake's Graph answers to plain, independent requests.
 */

#include "config.h"

#include "core-test-util.h"
#include "muster-photo-loader.h"

#include "fake-test-util.h"
#include "muster-directory-fetch.h"
#include "muster-keyring.h"
#include "muster-session.h"
#include "muster-snapshot-store.h"

typedef struct
{
  const char *dataset;
  guint       users;
  guint       groups;
  const char *faults;
} Setup;

typedef struct
{
  MusterFakeTenant    *tenant;
  char                *dir;
  MusterProfileStore  *profiles;
  MusterProfile       *profile;
  MusterSession       *session;
  MusterGraphClient   *graph;
  MusterSnapshotStore *store;
  char                *token;   /* the test's own, for independent requests to the fake */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const Setup *setup = data;
  MusterFakeOptions options;
  g_autofree char *path = NULL;
  g_autofree char *cache = NULL;
  g_autoptr(GError) error = NULL;

  muster_fake_options_init (&options);
  options.dataset = setup->dataset;
  options.users = setup->users;
  options.groups = setup->groups;
  options.faults = setup->faults;
  f->tenant = fake_test_start_tenant (&options);
  muster_cloud_set_override (muster_fake_tenant_get_base_url (f->tenant),
                             muster_fake_tenant_get_base_url (f->tenant));
  f->dir = g_dir_make_tmp ("muster-fetch-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "profiles.ini", NULL);
  f->profiles = muster_profile_store_load (path, &error);
  g_assert_no_error (error);
  f->profile = muster_profile_new ("fetch-core");
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

  muster_keyring_clear_async ("fetch-core", -1, NULL, core_test_store_result_cb, &result);
  muster_keyring_clear_finish (core_test_wait (&result), NULL);

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
  g_free (f->token);
}

/* Signs Muster in like an admin would; FALSE (test skipped) without a keyring. */
static gboolean
sign_in (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (!core_test_keyring_usable ())
    return FALSE;
  muster_session_sign_in_async (f->session, FALSE, NULL, core_test_store_result_cb, &result);
  g_assert_true (muster_session_sign_in_finish (f->session, core_test_wait (&result), &error));
  g_assert_no_error (error);
  f->token = fake_test_sign_in (f->tenant, "User.Read.All GroupMember.Read.All");
  return TRUE;
}

static gint64
fetch (Fixture            *f,
       gboolean            full,
       GCancellable       *cancellable,
       MusterFetchSummary *summary,
       GError            **error)
{
  g_autoptr(MusterDirectoryFetch) fetcher = muster_directory_fetch_new ();
  g_autoptr(GAsyncResult) result = NULL;

  muster_directory_fetch_run_async (fetcher, f->graph, f->store, "fetch-core", full, cancellable,
                                    core_test_store_result_cb, &result);
  return muster_directory_fetch_run_finish (fetcher, core_test_wait (&result), summary, error);
}

static MusterSnapshot *
load (Fixture *f,
      gint64   id)
{
  g_autoptr(GError) error = NULL;
  MusterSnapshot *snapshot = muster_snapshot_store_load (f->store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (snapshot);
  return snapshot;
}

/* GET on the fake's Graph with the test's own token, every page; the "value" objects. */
static GPtrArray *
graph_list (Fixture    *f,
            const char *path)
{
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *authorization = g_strconcat ("Bearer ", f->token, NULL);
  const char *headers[] = { "Authorization", authorization, NULL };
  g_autofree char *url = g_strconcat ("/v1.0", path, NULL);

  while (url != NULL)
    {
      g_autoptr(FakeResponse) r = fake_test_request (f->tenant, "GET", url, headers, NULL, NULL);
      JsonObject *root;
      JsonArray *values;

      g_assert_cmpuint (r->status, ==, 200);
      root = json_node_get_object (r->json);
      values = json_object_get_array_member (root, "value");
      for (guint i = 0; i < json_array_get_length (values); i++)
        g_ptr_array_add (objects, json_object_ref (json_array_get_object_element (values, i)));
      g_free (url);
      url = g_strdup (fake_response_get_string (r, "@odata.nextLink"));
    }
  return objects;
}

static void
control (Fixture    *f,
         const char *method,
         const char *path,
         const char *json)
{
  g_autoptr(FakeResponse) r = fake_test_request (f->tenant, method, path, NULL, json ? "application/json" : NULL, json);

  if (r->status < 200 || r->status >= 300)
    g_error ("%s %s: %u %.*s", method, path, r->status, (int) g_bytes_get_size (r->body),
             (const char *) g_bytes_get_data (r->body, NULL));
}

static GHashTable *
id_set (GPtrArray *objects)
{
  GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < objects->len; i++)
    g_hash_table_add (set, (gpointer) json_object_get_string_member (objects->pdata[i], "id"));
  return set;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static char *
sorted_ids (GPtrArray  *items,
            const char *(*get_id) (gpointer))
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();

  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (ids, (gpointer) get_id (items->pdata[i]));
  g_ptr_array_sort (ids, compare_strings);
  g_ptr_array_add (ids, NULL);
  return g_strjoinv (",", (char **) ids->pdata);
}

static char *
sorted_json_ids (GPtrArray  *objects,
                 const char *type)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();

  for (guint i = 0; i < objects->len; i++)
    {
      JsonObject *object = objects->pdata[i];

      if (type == NULL || g_strcmp0 (json_object_get_string_member_with_default (object, "@odata.type", ""), type) == 0)
        g_ptr_array_add (ids, (gpointer) json_object_get_string_member (object, "id"));
    }
  g_ptr_array_sort (ids, compare_strings);
  g_ptr_array_add (ids, NULL);
  return g_strjoinv (",", (char **) ids->pdata);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void
progress_cb (MusterDirectoryFetch *fetcher,
             int                   phase,
             guint                 objects,
             guint                 pages,
             double                fraction,
             gpointer              user_data)
{
  double *last = user_data;

  /* the bar never goes backwards */
  g_assert_cmpfloat (fraction, >=, *last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  *last = fraction;
}

static void
test_paging (Fixture *f, gconstpointer data)
{
  g_autoptr(MusterDirectoryFetch) fetcher = muster_directory_fetch_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GHashTable) expected_ids = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  MusterFetchSummary summary = { 0 };
  GListModel *users;
  double last = 0.0;
  gint64 id;

  if (!sign_in (f))
    return;

  g_signal_connect (fetcher, "progress", G_CALLBACK (progress_cb), &last);
  muster_directory_fetch_run_async (fetcher, f->graph, f->store, "fetch-core", FALSE, NULL, core_test_store_result_cb, &result);
  id = muster_directory_fetch_run_finish (fetcher, core_test_wait (&result), &summary, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_false (summary.incremental);
  g_assert_cmpuint (summary.users, ==, 2500);
  /* 3 pages of users at $top=999, at least one of groups, plus the rest */
  g_assert_cmpuint (muster_directory_fetch_get_pages (fetcher), >=, 4);
  g_assert_cmpfloat (last, >=, 0.9);

  snapshot = load (f, id);
  users = muster_snapshot_get_users (snapshot);
  expected = graph_list (f, "/users?$select=id&$top=999");
  expected_ids = id_set (expected);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, expected->len);
  for (guint i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (users, i);
      const char *user_id = muster_user_get_id (user);

      /* every user exactly once */
      g_assert_false (g_hash_table_contains (seen, user_id));
      g_hash_table_add (seen, (gpointer) user_id);
      g_assert_true (g_hash_table_contains (expected_ids, user_id));
    }
}

static void
test_groups_and_managers (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autofree char *authorization = NULL;
  guint nested = 0, with_manager = 0;
  gint64 id;

  if (!sign_in (f))
    return;
  id = fetch (f, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  snapshot = load (f, id);

  groups = graph_list (f, "/groups?$select=id,displayName,groupTypes,mailEnabled,securityEnabled&$top=999");
  g_assert_cmpuint (g_list_model_get_n_items (muster_snapshot_get_groups (snapshot)), ==, groups->len);
  for (guint i = 0; i < groups->len; i++)
    {
      JsonObject *object = groups->pdata[i];
      const char *group_id = json_object_get_string_member (object, "id");
      MusterGroup *group = muster_snapshot_lookup_group (snapshot, group_id);
      JsonArray *types = json_object_get_array_member (object, "groupTypes");
      gboolean unified = FALSE;
      g_autofree char *path = NULL;
      g_autoptr(GPtrArray) direct = NULL;
      g_autoptr(GPtrArray) transitive = NULL;
      g_autoptr(GPtrArray) ours = NULL;
      g_autofree char *want = NULL, *got = NULL;

      g_assert_nonnull (group);
      for (guint t = 0; t < json_array_get_length (types); t++)
        unified |= g_str_equal (json_array_get_string_element (types, t), "Unified");
      /* learn.microsoft.com/graph/api/resources/groups-overview */
      g_assert_cmpint (muster_group_get_kind (group), ==,
                       muster_group_kind_from_graph (unified, json_object_get_boolean_member (object, "mailEnabled"),
                                                     json_object_get_boolean_member (object, "securityEnabled")));
      g_assert_cmpstr (muster_group_get_display_name (group), ==, json_object_get_string_member (object, "displayName"));

      path = g_strdup_printf ("/groups/%s/members?$top=999", group_id);
      direct = graph_list (f, path);
      ours = muster_snapshot_get_group_members (snapshot, group_id, FALSE);
      want = sorted_json_ids (direct, "#microsoft.graph.user");
      got = sorted_ids (ours, (const char *(*) (gpointer)) muster_user_get_id);
      g_assert_cmpstr (got, ==, want);
      for (guint m = 0; m < direct->len; m++)
        if (g_strcmp0 (json_object_get_string_member (direct->pdata[m], "@odata.type"), "#microsoft.graph.group") == 0)
          nested++;

      g_clear_pointer (&path, g_free);
      g_clear_pointer (&want, g_free);
      g_clear_pointer (&got, g_free);
      g_clear_pointer (&ours, g_ptr_array_unref);
      path = g_strdup_printf ("/groups/%s/transitiveMembers?$top=999", group_id);
      transitive = graph_list (f, path);
      ours = muster_snapshot_get_group_members (snapshot, group_id, TRUE);
      want = sorted_json_ids (transitive, "#microsoft.graph.user");
      got = sorted_ids (ours, (const char *(*) (gpointer)) muster_user_get_id);
      g_assert_cmpstr (got, ==, want);
    }
  /* the demo tenant nests groups: the test would prove little otherwise */
  g_assert_cmpuint (nested, >, 0);

  authorization = g_strconcat ("Bearer ", f->token, NULL);
  users = graph_list (f, "/users?$select=id&$top=999");
  for (guint i = 0; i < users->len; i++)
    {
      const char *user_id = json_object_get_string_member (users->pdata[i], "id");
      const char *headers[] = { "Authorization", authorization, NULL };
      g_autofree char *path = g_strdup_printf ("/v1.0/users/%s/manager", user_id);
      g_autoptr(FakeResponse) r = fake_test_request (f->tenant, "GET", path, headers, NULL, NULL);
      MusterUser *user = muster_snapshot_lookup_user (snapshot, user_id);

      g_assert_nonnull (user);
      if (r->status == 404)
        g_assert_null (muster_user_get_manager_id (user));
      else
        {
          g_assert_cmpuint (r->status, ==, 200);
          g_assert_cmpstr (muster_user_get_manager_id (user), ==, fake_response_get_string (r, "id"));
          with_manager++;
        }
    }
  g_assert_cmpuint (with_manager, >, 0);
  g_assert_cmpuint (muster_snapshot_get_skus (snapshot)->len, >, 0);
}

static void
test_retry_after (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  MusterFetchSummary summary = { 0 };
  gint64 start, id;

  if (!sign_in (f))
    return;
  /* the fault answers the first /v1.0/users request with 429 and Retry-After: 2 */
  start = g_get_monotonic_time ();
  id = fetch (f, TRUE, NULL, &summary, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpuint (summary.users, ==, 250);
  /* the one timing assertion allowed: Muster waited as long as the header said */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2 * G_USEC_PER_SEC);
}

static void
test_refresh_on_401 (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FakeResponse) before = NULL, after = NULL;
  MusterFetchSummary summary = { 0 };
  gint64 id;

  if (!sign_in (f))
    return;
  before = fake_test_request (f->tenant, "GET", "/_fake/identity/stats", NULL, NULL, NULL);
  /* Muster's cached token still looks valid to it; Graph refuses it */
  control (f, "POST", "/_fake/identity/expire-tokens", "{}");
  id = fetch (f, TRUE, NULL, &summary, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpuint (summary.users, ==, 250);
  after = fake_test_request (f->tenant, "GET", "/_fake/identity/stats", NULL, NULL, NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (after->json), "accessTokensIssued"), >,
                   json_object_get_int_member (json_node_get_object (before->json), "accessTokensIssued"));
}

static void
cancel_on_progress_cb (MusterDirectoryFetch *fetcher,
                       int                   phase,
                       guint                 objects,
                       guint                 pages,
                       double                fraction,
                       gpointer              user_data)
{
  if (pages >= 2)
    g_cancellable_cancel (user_data);
}

static void
assert_latest_is (Fixture *f,
                  gint64   id,
                  guint    users,
                  guint    groups)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotInfo) latest = muster_snapshot_store_get_latest (f->store, "fetch-core", &error);
  g_autoptr(GPtrArray) all = muster_snapshot_store_list (f->store, "fetch-core", &error);

  g_assert_no_error (error);
  g_assert_nonnull (latest);
  g_assert_cmpint (latest->id, ==, id);
  g_assert_cmpuint (latest->n_users, ==, users);
  g_assert_cmpuint (latest->n_groups, ==, groups);
  g_assert_cmpuint (all->len, ==, 1);
}

static void
test_cancel_keeps_previous (Fixture *f, gconstpointer data)
{
  g_autoptr(MusterDirectoryFetch) fetcher = muster_directory_fetch_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MusterFetchSummary summary = { 0 };
  gint64 id;

  if (!sign_in (f))
    return;
  id = fetch (f, TRUE, NULL, &summary, &error);
  g_assert_no_error (error);

  g_signal_connect (fetcher, "progress", G_CALLBACK (cancel_on_progress_cb), cancellable);
  muster_directory_fetch_run_async (fetcher, f->graph, f->store, "fetch-core", TRUE, cancellable, core_test_store_result_cb,
                                    &result);
  g_assert_cmpint (muster_directory_fetch_run_finish (fetcher, core_test_wait (&result), NULL, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "previous snapshot is unchanged"));
  assert_latest_is (f, id, summary.users, summary.groups);
}

static void
test_truncated_keeps_previous (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  MusterFetchSummary summary = { 0 };
  gint64 id;

  if (!sign_in (f))
    return;
  /* the fault passes the first fetch's five /v1.0/users requests ($count, delta, 3 pages) */
  id = fetch (f, TRUE, NULL, &summary, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary.users, ==, 2500);

  g_assert_cmpint (fetch (f, TRUE, NULL, NULL, &error), ==, 0);
  g_assert_error (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE);
  g_assert_nonnull (strstr (error->message, "previous snapshot is unchanged"));
  assert_latest_is (f, id, summary.users, summary.groups);
}

static void
assert_same_directory (MusterSnapshot *a,
                       MusterSnapshot *b)
{
  GListModel *users = muster_snapshot_get_users (a);
  GListModel *groups = muster_snapshot_get_groups (a);

  g_assert_cmpuint (g_list_model_get_n_items (users), ==, g_list_model_get_n_items (muster_snapshot_get_users (b)));
  g_assert_cmpuint (g_list_model_get_n_items (groups), ==, g_list_model_get_n_items (muster_snapshot_get_groups (b)));
  for (guint i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (users, i);
      MusterUser *other = muster_snapshot_lookup_user (b, muster_user_get_id (user));

      g_assert_nonnull (other);
      g_assert_cmpstr (muster_user_get_display_name (user), ==, muster_user_get_display_name (other));
      g_assert_cmpstr (muster_user_get_user_principal_name (user), ==, muster_user_get_user_principal_name (other));
      g_assert_cmpstr (muster_user_get_job_title (user), ==, muster_user_get_job_title (other));
      g_assert_cmpint (muster_user_get_account_enabled (user), ==, muster_user_get_account_enabled (other));
      g_assert_cmpstr (muster_user_get_manager_id (user), ==, muster_user_get_manager_id (other));
    }
  for (guint i = 0; i < g_list_model_get_n_items (groups); i++)
    {
      g_autoptr(MusterGroup) group = g_list_model_get_item (groups, i);
      const char *group_id = muster_group_get_id (group);

      g_assert_nonnull (muster_snapshot_lookup_group (b, group_id));
      for (int transitive = 0; transitive < 2; transitive++)
        {
          g_autoptr(GPtrArray) ma = muster_snapshot_get_group_members (a, group_id, transitive);
          g_autoptr(GPtrArray) mb = muster_snapshot_get_group_members (b, group_id, transitive);
          g_autofree char *ia = sorted_ids (ma, (const char *(*) (gpointer)) muster_user_get_id);
          g_autofree char *ib = sorted_ids (mb, (const char *(*) (gpointer)) muster_user_get_id);

          g_assert_cmpstr (ia, ==, ib);
        }
    }
}

static void
test_delta (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshot) first = NULL, incremental = NULL, fresh = NULL;
  g_autoptr(FakeResponse) created = NULL;
  g_autofree char *patch = NULL, *path = NULL, *body = NULL;
  MusterFetchSummary summary = { 0 };
  MusterUser *renamed, *disabled, *deleted, *managed, *new_manager;
  const char *new_id, *group_id;
  GListModel *users;
  gint64 id;

  if (!sign_in (f))
    return;
  id = fetch (f, TRUE, NULL, &summary, &error);
  g_assert_no_error (error);
  first = load (f, id);
  users = muster_snapshot_get_users (first);
  renamed = g_list_model_get_item (users, 10);
  disabled = g_list_model_get_item (users, 20);
  deleted = g_list_model_get_item (users, 30);
  managed = g_list_model_get_item (users, 40);
  new_manager = g_list_model_get_item (users, 50);

  /* what an admin does in the Entra admin center between two refreshes */
  body = g_strdup_printf ("{\"displayName\":\"Zoë Newcomer\",\"userPrincipalName\":\"zoe.newcomer@%s\","
                          "\"accountEnabled\":true,\"jobTitle\":\"Apprentice\"}",
                          muster_fake_tenant_get_domain (f->tenant));
  created = fake_test_request (f->tenant, "POST", "/_fake/users", NULL, "application/json", body);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (created->status, ==, 201);
  new_id = fake_response_get_string (created, "id");
  path = g_strdup_printf ("/_fake/users/%s", muster_user_get_id (renamed));
  control (f, "PATCH", path, "{\"displayName\":\"Renamed Person\",\"jobTitle\":\"Chief Renamer\"}");
  g_free (path);
  path = g_strdup_printf ("/_fake/users/%s", muster_user_get_id (disabled));
  control (f, "PATCH", path, "{\"accountEnabled\":false}");
  g_free (path);
  path = g_strdup_printf ("/_fake/users/%s", muster_user_get_id (deleted));
  control (f, "DELETE", path, NULL);
  g_free (path);
  path = g_strdup_printf ("/_fake/users/%s", muster_user_get_id (managed));
  patch = g_strdup_printf ("{\"manager\":\"%s\"}", muster_user_get_id (new_manager));
  control (f, "PATCH", path, patch);
  g_free (path);

  /* a group with assigned (not rule-based) members, some of them users */
  group_id = NULL;
  for (guint i = 0; group_id == NULL && i < g_list_model_get_n_items (muster_snapshot_get_groups (first)); i++)
    {
      g_autoptr(MusterGroup) group = g_list_model_get_item (muster_snapshot_get_groups (first), i);
      g_autoptr(GPtrArray) members = muster_snapshot_get_group_members (first, muster_group_get_id (group), FALSE);

      if (!muster_group_get_dynamic (group) && members->len > 0)
        group_id = muster_group_get_id (group);
    }
  g_assert_nonnull (group_id);
  path = g_strdup_printf ("/_fake/groups/%s/members", group_id);
  body = g_strdup_printf ("{\"id\":\"%s\"}", new_id);
  control (f, "POST", path, body);
  g_free (path);
  {
    g_autoptr(GPtrArray) members = muster_snapshot_get_group_members (first, group_id, FALSE);

    g_assert_cmpuint (members->len, >, 0);
    path = g_strdup_printf ("/_fake/groups/%s/members/%s", group_id,
                            muster_user_get_id (g_ptr_array_index (members, 0)));
    control (f, "DELETE", path, NULL);
  }

  id = fetch (f, FALSE, NULL, &summary, &error);
  g_assert_no_error (error);
  g_assert_true (summary.incremental);
  incremental = load (f, id);
  g_assert_true (muster_snapshot_get_info (incremental)->from_delta);
  g_assert_cmpstr (muster_user_get_display_name (muster_snapshot_lookup_user (incremental, muster_user_get_id (renamed))),
                   ==, "Renamed Person");
  g_assert_false (muster_user_get_account_enabled (muster_snapshot_lookup_user (incremental,
                                                                                muster_user_get_id (disabled))));
  g_assert_null (muster_snapshot_lookup_user (incremental, muster_user_get_id (deleted)));
  g_assert_nonnull (muster_snapshot_lookup_user (incremental, new_id));
  g_assert_true (muster_snapshot_user_in_group (incremental, new_id, group_id, FALSE));
  g_assert_cmpstr (muster_user_get_manager_id (muster_snapshot_lookup_user (incremental, muster_user_get_id (managed))),
                   ==, muster_user_get_id (new_manager));

  /* and exactly what a fresh full read sees */
  id = fetch (f, TRUE, NULL, &summary, &error);
  g_assert_no_error (error);
  g_assert_false (summary.incremental);
  fresh = load (f, id);
  assert_same_directory (incremental, fresh);
  assert_same_directory (fresh, incremental);

  g_object_unref (renamed);
  g_object_unref (disabled);
  g_object_unref (deleted);
  g_object_unref (managed);
  g_object_unref (new_manager);
}

static void
test_resync (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  MusterFetchSummary first = { 0 }, second = { 0 };
  gint64 id;

  if (!sign_in (f))
    return;
  id = fetch (f, FALSE, NULL, &first, &error);
  g_assert_no_error (error);
  g_assert_false (first.incremental);

  /* every delta token now answers 410: the refresh reads everything again */
  control (f, "POST", "/_fake/delta/resync", "{}");
  g_assert_cmpint (fetch (f, FALSE, NULL, &second, &error), >, id);
  g_assert_no_error (error);
  g_assert_false (second.incremental);
  g_assert_cmpuint (second.users, ==, first.users);
  g_assert_cmpuint (second.groups, ==, first.groups);
  g_assert_cmpuint (second.memberships, ==, first.memberships);

  /* and the one after that is incremental again */
  g_assert_cmpint (fetch (f, FALSE, NULL, &second, &error), >, id);
  g_assert_no_error (error);
  g_assert_true (second.incremental);
}

/* Photos ------------------------------------------------------------------------------------ */

static guint
photo_status (Fixture    *f,
              const char *user_id)
{
  g_autofree char *authorization = g_strconcat ("Bearer ", f->token, NULL);
  const char *headers[] = { "Authorization", authorization, NULL };
  g_autofree char *path = g_strdup_printf ("/v1.0/users/%s/photos/48x48/$value", user_id);
  g_autoptr(FakeResponse) r = fake_test_request (f->tenant, "GET", path, headers, NULL, NULL);

  return r->status;
}

static GBytes *
load_photo (MusterPhotoLoader *loader,
            const char        *user_id,
            GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_photo_loader_load_async (loader, user_id, NULL, core_test_store_result_cb, &result);
  return muster_photo_loader_load_finish (loader, core_test_wait (&result), error);
}

static gint64
graph_requests (Fixture *f)
{
  g_autoptr(FakeResponse) stats = fake_test_request (f->tenant, "GET", "/_fake/graph/stats", NULL, NULL, NULL);

  return json_object_get_int_member (json_node_get_object (stats->json), "requests");
}

static void
test_photos_lazy_and_cached (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(MusterPhotoLoader) online = NULL, offline = NULL;
  g_autoptr(GBytes) photo = NULL, again = NULL, cached = NULL, none = NULL, none_offline = NULL;
  g_autoptr(GError) error = NULL;
  const char *with_photo = NULL, *without_photo = NULL;
  gint64 before;

  if (!sign_in (f))
    return;
  users = graph_list (f, "/users?$select=id&$top=999");
  for (guint i = 0; i < users->len && (with_photo == NULL || without_photo == NULL); i++)
    {
      const char *id = json_object_get_string_member (g_ptr_array_index (users, i), "id");
      guint status = photo_status (f, id);
      if (status == 200 && with_photo == NULL)
        with_photo = id;
      else if (status == 404 && without_photo == NULL)
        without_photo = id;
    }
  g_assert_nonnull (with_photo);
  g_assert_nonnull (without_photo);

  online = muster_photo_loader_new (f->store, "fetch-core", f->graph);
  photo = load_photo (online, with_photo, &error);
  g_assert_no_error (error);
  g_assert_nonnull (photo);
  /* the bytes are an image (PNG or JPEG), as Graph sent them */
  g_assert_true (g_bytes_get_size (photo) > 8);
  g_assert_true (memcmp (g_bytes_get_data (photo, NULL), "\x89PNG", 4) == 0 ||
                 memcmp (g_bytes_get_data (photo, NULL), "\xff\xd8", 2) == 0);
  none = load_photo (online, without_photo, &error);
  g_assert_no_error (error);
  g_assert_null (none);

  /* asked again: answered from cache.db, Graph is not asked */
  before = graph_requests (f);
  again = load_photo (online, with_photo, &error);
  g_assert_true (g_bytes_equal (photo, again));
  g_assert_null (load_photo (online, without_photo, &error));
  g_assert_cmpint (graph_requests (f), ==, before);

  /* offline (no Graph client at all): what was cached is still there */
  offline = muster_photo_loader_new (f->store, "fetch-core", NULL);
  cached = load_photo (offline, with_photo, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (photo, cached));
  none_offline = load_photo (offline, json_object_get_string_member (g_ptr_array_index (users, users->len - 1), "id"),
                             &error);
  g_assert_no_error (error);
}

/* Passing failures --------------------------------------------------------------------------- */

static void
set_faults (Fixture    *f,
            const char *spec)
{
  g_autofree char *body = g_strdup_printf ("{\"spec\":\"%s\"}", spec);

  control (f, "POST", "/_fake/faults", body);
}

/* How often the rules in force have fired, in all. */
static guint
faults_fired (Fixture *f)
{
  g_autoptr(FakeResponse) r = fake_test_request (f->tenant, "GET", "/_fake/faults", NULL, NULL, NULL);
  JsonArray *rules;
  guint fired = 0;

  g_assert_cmpuint (r->status, ==, 200);
  rules = json_object_get_array_member (json_node_get_object (r->json), "rules");
  for (guint i = 0; i < json_array_get_length (rules); i++)
    fired += json_object_get_int_member (json_array_get_object_element (rules, i), "fired");
  return fired;
}

typedef struct
{
  const char *spec;
  int         code;   /* -1: the fetch succeeds */
  guint       fired;  /* how often the fault fires; 0: at least MUSTER_GRAPH_MAX_ATTEMPTS */
} Passing;

/* Reads a clean snapshot, then one through @cases->spec: a failure that passes is retried and
 * the snapshot is the same, one that stays gives up after MUSTER_GRAPH_MAX_ATTEMPTS tries with
 * a clear error and the first snapshot kept; wrong JSON types and writes are never retried. */
static void
run_passing (Fixture       *f,
             const Passing *cases,
             guint          n_cases)
{
  g_autoptr(GError) error = NULL;
  MusterFetchSummary clean = { 0 };
  gint64 last;

  if (!sign_in (f))
    return;
  muster_graph_client_set_retry_delay (f->graph, 20);
  last = fetch (f, TRUE, NULL, &clean, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clean.memberships, >, 0);

  for (guint i = 0; i < n_cases; i++)
    {
      MusterFetchSummary summary = { 0 };
      g_autoptr(MusterSnapshotInfo) latest = NULL;
      g_autoptr(GPtrArray) before = muster_snapshot_store_list (f->store, "fetch-core", &error);
      g_autoptr(GPtrArray) all = NULL;
      gint64 id;
      guint fired;

      g_assert_no_error (error);
      g_test_message ("%s", cases[i].spec);
      set_faults (f, cases[i].spec);
      id = fetch (f, TRUE, NULL, &summary, &error);
      fired = faults_fired (f);
      set_faults (f, "");
      if (cases[i].fired > 0)
        g_assert_cmpuint (fired, ==, cases[i].fired);
      else
        g_assert_cmpuint (fired, >=, MUSTER_GRAPH_MAX_ATTEMPTS);

      if (cases[i].code < 0)
        {
          /* as if nothing had happened */
          g_assert_no_error (error);
          g_assert_cmpint (id, >, 0);
          g_assert_cmpuint (summary.users, ==, clean.users);
          g_assert_cmpuint (summary.groups, ==, clean.groups);
          g_assert_cmpuint (summary.memberships, ==, clean.memberships);
          g_assert_cmpuint (summary.managers, ==, clean.managers);
          last = id;
          continue;
        }
      g_assert_error (error, MUSTER_GRAPH_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, "previous snapshot is unchanged"));
      g_assert_null (strstr (error->message, "(null)"));
      g_clear_error (&error);
      latest = muster_snapshot_store_get_latest (f->store, "fetch-core", &error);
      g_assert_no_error (error);
      g_assert_cmpint (latest->id, ==, last);
      all = muster_snapshot_store_list (f->store, "fetch-core", &error);
      g_assert_no_error (error);
      g_assert_cmpuint (all->len, ==, before->len);
    }
}

static void
test_passing_retried (Fixture *f, gconstpointer data)
{
  static const Passing cases[] = {
    { "500@/v1.0/users/exact/method=GET/times=2", -1, 2 },
    { "502@/v1.0/groups/exact/times=2", -1, 2 },
    { "504@/v1.0/$batch/method=POST/times=2", -1, 2 },
    { "reset@/v1.0/users/exact/times=2", -1, 2 },
    { "truncate@/v1.0/users/exact/times=2", -1, 2 },
    { "invalid@/v1.0/groups/exact/times=2", -1, 2 },
    { "invalid@/v1.0/$batch/method=POST/times=2", -1, 2 },
    /* calls inside a batch: each of them tried again on its own */
    { "500@/v1.0/groups/batch/times=5", -1, 5 },
    { "504@/v1.0/groups/batch/times=2", -1, 2 },
  };

  run_passing (f, cases, G_N_ELEMENTS (cases));
}

static void
test_passing_gives_up (Fixture *f, gconstpointer data)
{
  static const Passing cases[] = {
    { "500@/v1.0/users/exact/method=GET", MUSTER_GRAPH_ERROR_SERVER, MUSTER_GRAPH_MAX_ATTEMPTS },
    /* batches go several at a time: each gives up after its own tries */
    { "502@/v1.0/$batch/method=POST", MUSTER_GRAPH_ERROR_SERVER, 0 },
    { "reset@/v1.0/groups/exact", MUSTER_GRAPH_ERROR_NETWORK, MUSTER_GRAPH_MAX_ATTEMPTS },
    { "truncate@/v1.0/users/exact", MUSTER_GRAPH_ERROR_INVALID_RESPONSE, MUSTER_GRAPH_MAX_ATTEMPTS },
    { "invalid@/v1.0/$batch/method=POST", MUSTER_GRAPH_ERROR_INVALID_RESPONSE, 0 },
    { "500@/v1.0/groups/batch", MUSTER_GRAPH_ERROR_SERVER, 0 },
    /* well-formed JSON of the wrong types would come again: not asked twice */
    { "types@/v1.0/users/exact", MUSTER_GRAPH_ERROR_INVALID_RESPONSE, 1 },
  };

  run_passing (f, cases, G_N_ELEMENTS (cases));
}

static GBytes *
graph_bytes (Fixture    *f,
             const char *method,
             const char *path,
             const char *body,
             GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) request = body ? g_bytes_new (body, strlen (body)) : NULL;

  muster_graph_client_request_bytes_async (f->graph, method, path, request, NULL, core_test_store_result_cb, &result);
  return muster_graph_client_request_bytes_finish (f->graph, core_test_wait (&result), error);
}

/* A write is sent once, whatever happens to it; so is a read refused with a 4xx. */
static void
test_writes_not_retried (Fixture *f, gconstpointer data)
{
  static const char * const methods[] = { "PATCH", "POST", "DELETE" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gint64 before;

  if (!sign_in (f))
    return;
  muster_graph_client_set_retry_delay (f->graph, 20);
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autofree char *spec = g_strdup_printf ("500@/v1.0/users/method=%s", methods[i]);

      set_faults (f, spec);
      bytes = graph_bytes (f, methods[i], "/users/00000000-0000-0000-0000-000000000001", "{\"jobTitle\":\"x\"}",
                           &error);
      g_assert_null (bytes);
      g_assert_error (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_SERVER);
      g_clear_error (&error);
      g_assert_cmpuint (faults_fired (f), ==, 1);
      set_faults (f, "reset@/v1.0/users/method=POST");
      bytes = graph_bytes (f, "POST", "/users", "{}", &error);
      g_assert_null (bytes);
      g_assert_error (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_NETWORK);
      g_clear_error (&error);
      g_assert_cmpuint (faults_fired (f), ==, 1);
    }
  set_faults (f, "");

  before = graph_requests (f);
  bytes = graph_bytes (f, "GET", "/users/00000000-0000-0000-0000-00000000dead", NULL, &error);
  g_assert_null (bytes);
  g_assert_error (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_NOT_FOUND);
  g_assert_cmpint (graph_requests (f), ==, before + 1);
}

static const Setup demo = { "demo", 0, 0, NULL };
static const Setup generated = { "generated", 2500, 40, NULL };
static const Setup throttled = { "demo", 0, 0, "429@/v1.0/users/once/retry-after=2" };
static const Setup truncating = { "generated", 2500, 40, "truncate@/v1.0/users/after=5" };

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, setup, func) \
  g_test_add (path, Fixture, &setup, fixture_set_up, func, fixture_tear_down)
  ADD ("/fetch/paging/every-user-once", generated, test_paging);
  ADD ("/fetch/groups/kinds-memberships-managers", demo, test_groups_and_managers);
  ADD ("/fetch/graph/retry-after", throttled, test_retry_after);
  ADD ("/fetch/graph/refresh-on-401", demo, test_refresh_on_401);
  ADD ("/fetch/failure/cancel-keeps-previous", generated, test_cancel_keeps_previous);
  ADD ("/fetch/failure/truncated-keeps-previous", truncating, test_truncated_keeps_previous);
  ADD ("/fetch/delta/changes", demo, test_delta);
  ADD ("/fetch/delta/resync-410", demo, test_resync);
  ADD ("/fetch/photos/lazy-and-cached", demo, test_photos_lazy_and_cached);
  ADD ("/fetch/passing/retried", demo, test_passing_retried);
  ADD ("/fetch/passing/gives-up", demo, test_passing_gives_up);
  ADD ("/fetch/passing/writes-not-retried", demo, test_writes_not_retried);
#undef ADD

  return g_test_run ();
}
