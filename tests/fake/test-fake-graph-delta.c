/* test-fake-graph-delta.c: the fake Graph's delta queries see exactly what the control API
 * changed (learn.microsoft.com/graph/delta-query-overview), and page tokens only work for their own query
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fake-test-util.h"

typedef struct
{
  MusterFakeTenant *tenant;
  char             *auth;
} Fixture;

static void
setup (Fixture       *fixture,
       gconstpointer  data)
{
  g_autofree char *token = NULL;

  fixture->tenant = fake_test_start_tenant (NULL);
  token = fake_test_sign_in (fixture->tenant, "User.Read.All GroupMember.Read.All");
  fixture->auth = g_strconcat ("Bearer ", token, NULL);
}

static void
teardown (Fixture       *fixture,
          gconstpointer  data)
{
  g_clear_object (&fixture->tenant);
  g_clear_pointer (&fixture->auth, g_free);
}

static FakeResponse *
graph_get (Fixture    *fixture,
           const char *path)
{
  const char *headers[] = { "Authorization", fixture->auth, "ConsistencyLevel", "eventual", NULL };

  return fake_test_request (fixture->tenant, "GET", path, headers, NULL, NULL);
}

static FakeResponse *
control (Fixture    *fixture,
         const char *method,
         const char *path,
         const char *json)
{
  return fake_test_request (fixture->tenant, method, path, NULL, json ? "application/json" : NULL, json);
}

static JsonObject *
root_object (FakeResponse *response)
{
  g_assert_nonnull (response->json);
  return json_node_get_object (response->json);
}

/* Follows a delta round to its deltaLink; collects the items; returns the deltaLink. */
static char *
delta_round (Fixture    *fixture,
             const char *first,
             GPtrArray  *items)
{
  g_autofree char *url = g_strdup (first);

  for (guint pages = 0; pages < 1000; pages++)
    {
      g_autoptr(FakeResponse) page = graph_get (fixture, url);
      JsonArray *value;
      const char *next, *delta;

      g_assert_cmpuint (page->status, ==, 200);
      value = json_object_get_array_member (root_object (page), "value");
      for (guint i = 0; i < json_array_get_length (value); i++)
        g_ptr_array_add (items, json_object_ref (json_array_get_object_element (value, i)));
      next = fake_response_get_string (page, "@odata.nextLink");
      delta = fake_response_get_string (page, "@odata.deltaLink");
      /* one or the other, never both */
      g_assert_true ((next == NULL) != (delta == NULL));
      if (delta != NULL)
        {
          g_assert_true (g_str_has_prefix (delta, muster_fake_tenant_get_base_url (fixture->tenant)));
          g_assert_nonnull (strstr (delta, "$deltatoken="));
          return g_strdup (delta);
        }
      g_assert_nonnull (strstr (next, "$skiptoken="));
      g_free (url);
      url = g_strdup (next);
    }
  g_assert_not_reached ();
}

static JsonObject *
find_item (GPtrArray  *items,
           const char *id)
{
  for (guint i = 0; i < items->len; i++)
    if (g_strcmp0 (json_object_get_string_member (g_ptr_array_index (items, i), "id"), id) == 0)
      return g_ptr_array_index (items, i);
  return NULL;
}

static void
test_users_delta (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) initial = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) quiet = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) after = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(FakeResponse) count = graph_get (fixture, "/v1.0/users/$count");
  g_autoptr(FakeResponse) created = NULL;
  g_autoptr(FakeResponse) patched = NULL;
  g_autoptr(FakeResponse) deleted = NULL;
  g_autofree char *link1 = NULL, *link2 = NULL, *link3 = NULL, *link4 = NULL;
  g_autofree char *count_text = g_strndup (g_bytes_get_data (count->body, NULL), g_bytes_get_size (count->body));
  g_autofree char *new_user = NULL;
  g_autofree char *body = NULL;
  g_autofree char *patch_path = NULL, *delete_path = NULL;
  const char *patched_id, *deleted_id;
  JsonObject *item;

  link1 = delta_round (fixture, "/v1.0/users/delta?$select=displayName,jobTitle,accountEnabled", initial);
  g_assert_cmpuint (initial->len, ==, g_ascii_strtoull (count_text, NULL, 10));
  item = g_ptr_array_index (initial, 0);
  /* id always comes back; nothing beyond the selection */
  g_assert_true (json_object_has_member (item, "id"));
  g_assert_false (json_object_has_member (item, "userPrincipalName"));

  /* nothing changed: an empty round */
  link2 = delta_round (fixture, link1, quiet);
  g_assert_cmpuint (quiet->len, ==, 0);

  body = g_strdup_printf ("{\"displayName\":\"Delta Person\",\"userPrincipalName\":\"delta.person@%s\","
                          "\"jobTitle\":\"Tester\",\"accountEnabled\":true}",
                          muster_fake_tenant_get_domain (fixture->tenant));
  created = control (fixture, "POST", "/_fake/users", body);
  g_assert_cmpuint (created->status, ==, 201);
  new_user = g_strdup (fake_response_get_string (created, "id"));
  g_assert_nonnull (new_user);

  patched_id = json_object_get_string_member (g_ptr_array_index (initial, 3), "id");
  patch_path = g_strdup_printf ("/_fake/users/%s", patched_id);
  patched = control (fixture, "PATCH", patch_path, "{\"jobTitle\":\"Chief Delta Officer\"}");
  g_assert_cmpuint (patched->status, ==, 204);

  /* someone who manages nobody: a manager's deletion also changes their reports */
  deleted_id = NULL;
  for (guint i = 7; i < initial->len && deleted_id == NULL; i++)
    {
      const char *id = json_object_get_string_member (g_ptr_array_index (initial, i), "id");
      g_autofree char *reports_path = g_strdup_printf ("/v1.0/users/%s/directReports", id);
      g_autoptr(FakeResponse) reports = graph_get (fixture, reports_path);

      g_assert_cmpuint (reports->status, ==, 200);
      if (json_array_get_length (json_object_get_array_member (root_object (reports), "value")) == 0
          && g_strcmp0 (id, patched_id) != 0)
        deleted_id = id;
    }
  g_assert_nonnull (deleted_id);
  delete_path = g_strdup_printf ("/_fake/users/%s", deleted_id);
  deleted = control (fixture, "DELETE", delete_path, NULL);
  g_assert_cmpuint (deleted->status, ==, 204);

  link3 = delta_round (fixture, link2, changes);
  g_assert_cmpuint (changes->len, ==, 3);
  item = find_item (changes, new_user);
  g_assert_nonnull (item);
  g_assert_cmpstr (json_object_get_string_member (item, "displayName"), ==, "Delta Person");
  g_assert_false (json_object_has_member (item, "@removed"));
  item = find_item (changes, patched_id);
  g_assert_nonnull (item);
  g_assert_cmpstr (json_object_get_string_member (item, "jobTitle"), ==, "Chief Delta Officer");
  item = find_item (changes, deleted_id);
  g_assert_nonnull (item);
  /* soft delete: "changed" (delta-query-overview.md) */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (item, "@removed"), "reason"),
                   ==, "changed");
  g_assert_cmpuint (json_object_get_size (item), ==, 2);

  link4 = delta_round (fixture, link3, after);
  g_assert_cmpuint (after->len, ==, 0);
}

static void
test_groups_delta_members (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) initial = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(FakeResponse) users = graph_get (fixture, "/v1.0/users?$top=999&$select=id");
  g_autoptr(FakeResponse) added = NULL;
  g_autoptr(FakeResponse) removed = NULL;
  g_autofree char *link1 = NULL, *link2 = NULL;
  g_autofree char *add_path = NULL, *remove_path = NULL, *add_body = NULL;
  JsonObject *group = NULL, *item;
  JsonArray *members, *delta_members, *all_users;
  const char *group_id, *old_member = NULL, *new_member = NULL;
  gboolean saw_added = FALSE, saw_removed = FALSE;

  link1 = delta_round (fixture, "/v1.0/groups/delta", initial);
  for (guint i = 0; i < initial->len && group == NULL; i++)
    {
      JsonObject *g = g_ptr_array_index (initial, i);
      JsonArray *types = json_object_get_array_member (g, "groupTypes");
      gboolean dynamic = FALSE;

      /* Entra manages the members of dynamic groups itself */
      for (guint t = 0; t < json_array_get_length (types); t++)
        dynamic |= g_str_equal (json_array_get_string_element (types, t), "DynamicMembership");
      if (!dynamic && json_object_has_member (g, "members@delta")
          && json_array_get_length (json_object_get_array_member (g, "members@delta")) > 0
          && g_strcmp0 (json_object_get_string_member (json_array_get_object_element (
                          json_object_get_array_member (g, "members@delta"), 0), "@odata.type"),
                        "#microsoft.graph.user") == 0)
        group = g;
    }
  g_assert_nonnull (group);
  group_id = json_object_get_string_member (group, "id");
  g_assert_nonnull (json_object_get_string_member (group, "displayName"));
  members = json_object_get_array_member (group, "members@delta");
  old_member = json_object_get_string_member (json_array_get_object_element (members, 0), "id");

  /* a user not yet in the group */
  all_users = json_object_get_array_member (root_object (users), "value");
  for (guint i = 0; i < json_array_get_length (all_users) && new_member == NULL; i++)
    {
      const char *id = json_object_get_string_member (json_array_get_object_element (all_users, i), "id");
      gboolean member = FALSE;

      for (guint m = 0; m < json_array_get_length (members); m++)
        member |= g_strcmp0 (json_object_get_string_member (json_array_get_object_element (members, m), "id"), id) == 0;
      if (!member)
        new_member = id;
    }
  g_assert_nonnull (new_member);

  add_path = g_strdup_printf ("/_fake/groups/%s/members", group_id);
  add_body = g_strdup_printf ("{\"id\":\"%s\"}", new_member);
  added = control (fixture, "POST", add_path, add_body);
  g_assert_cmpuint (added->status, ==, 204);
  remove_path = g_strdup_printf ("/_fake/groups/%s/members/%s", group_id, old_member);
  removed = control (fixture, "DELETE", remove_path, NULL);
  g_assert_cmpuint (removed->status, ==, 204);

  link2 = delta_round (fixture, link1, changes);
  g_assert_cmpuint (changes->len, ==, 1);
  item = g_ptr_array_index (changes, 0);
  g_assert_cmpstr (json_object_get_string_member (item, "id"), ==, group_id);
  delta_members = json_object_get_array_member (item, "members@delta");
  g_assert_cmpuint (json_array_get_length (delta_members), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *m = json_array_get_object_element (delta_members, i);
      const char *id = json_object_get_string_member (m, "id");

      g_assert_cmpstr (json_object_get_string_member (m, "@odata.type"), ==, "#microsoft.graph.user");
      if (g_strcmp0 (id, new_member) == 0)
        {
          g_assert_false (json_object_has_member (m, "@removed"));
          saw_added = TRUE;
        }
      else if (g_strcmp0 (id, old_member) == 0)
        {
          g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (m, "@removed"), "reason"),
                           ==, "deleted");
          saw_removed = TRUE;
        }
    }
  g_assert_true (saw_added && saw_removed);
}

static void
test_resync (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) again = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(FakeResponse) resync = NULL;
  g_autoptr(FakeResponse) gone = NULL;
  g_autoptr(FakeResponse) garbage = graph_get (fixture, "/v1.0/users/delta?$deltatoken=bm90LWEtdG9rZW4");
  g_autofree char *link = delta_round (fixture, "/v1.0/users/delta?$select=displayName", items);
  g_autofree char *fresh = NULL;
  const char *location;
  JsonObject *error;

  resync = control (fixture, "POST", "/_fake/delta/resync", "{}");
  g_assert_cmpuint (resync->status, <, 300);
  gone = graph_get (fixture, link);
  g_assert_cmpuint (gone->status, ==, 410);
  error = json_object_get_object_member (root_object (gone), "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "resyncRequired");
  /* delta-query-overview.md: Location names the initial query with an empty $deltatoken */
  location = soup_message_headers_get_one (gone->headers, "Location");
  g_assert_nonnull (location);
  g_assert_true (g_str_has_suffix (location, "$deltatoken="));
  g_assert_nonnull (strstr (location, "/v1.0/users/delta?"));

  fresh = delta_round (fixture, location, again);
  g_assert_cmpuint (again->len, ==, items->len);
  g_assert_false (json_object_has_member (g_ptr_array_index (again, 0), "jobTitle"));

  g_assert_cmpuint (garbage->status, ==, 410);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root_object (garbage), "error"), "code"),
                   ==, "syncStateNotFound");
}

static void
test_latest (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(FakeResponse) latest = graph_get (fixture, "/v1.0/users/delta?$deltatoken=latest");
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(FakeResponse) patched = NULL;
  g_autofree char *path = NULL;
  g_autofree char *next = NULL;
  g_autoptr(FakeResponse) someone = graph_get (fixture, "/v1.0/users?$top=2&$select=id");
  const char *id = json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (root_object (someone), "value"), 1), "id");

  g_assert_cmpuint (latest->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root_object (latest), "value")), ==, 0);
  g_assert_nonnull (fake_response_get_string (latest, "@odata.deltaLink"));

  path = g_strdup_printf ("/_fake/users/%s", id);
  patched = control (fixture, "PATCH", path, "{\"accountEnabled\":false}");
  g_assert_cmpuint (patched->status, ==, 204);
  next = delta_round (fixture, fake_response_get_string (latest, "@odata.deltaLink"), changes);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (changes, 0), "id"), ==, id);
}

static void
test_skiptoken_bound_to_query (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(FakeResponse) first = graph_get (fixture, "/v1.0/users?$top=5&$select=id");
  const char *next = fake_response_get_string (first, "@odata.nextLink");
  const char *token = strstr (next, "$skiptoken=");
  g_autofree char *other = g_strdup_printf ("/v1.0/users?$top=5&$select=displayName&%s", token);
  g_autoptr(FakeResponse) reused = graph_get (fixture, other);
  g_autoptr(FakeResponse) own = graph_get (fixture, next);

  g_assert_cmpuint (own->status, ==, 200);
  g_assert_cmpuint (reused->status, ==, 400);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root_object (reused), "error"), "code"),
                   ==, "Directory_ExpiredPageToken");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/fake/graph/delta/users", Fixture, NULL, setup, test_users_delta, teardown);
  g_test_add ("/fake/graph/delta/group-members", Fixture, NULL, setup, test_groups_delta_members, teardown);
  g_test_add ("/fake/graph/delta/resync", Fixture, NULL, setup, test_resync, teardown);
  g_test_add ("/fake/graph/delta/latest", Fixture, NULL, setup, test_latest, teardown);
  g_test_add ("/fake/graph/paging/skiptoken-bound-to-query", Fixture, NULL, setup, test_skiptoken_bound_to_query, teardown);
  return g_test_run ();
}
