/* test-fake-graph.c: the fake Microsoft Graph answers like the documented service
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fake-test-util.h"

#define ALL_SCOPES "User.Read.All GroupMember.Read.All Organization.Read.All"

typedef struct
{
  MusterFakeTenant *tenant;
  char             *token;
  char             *auth;
} Fixture;

static void
fixture_start (Fixture                 *fixture,
               const MusterFakeOptions *options,
               const char              *scopes)
{
  fixture->tenant = fake_test_start_tenant (options);
  fixture->token = fake_test_sign_in (fixture->tenant, scopes ? scopes : ALL_SCOPES);
  fixture->auth = g_strconcat ("Bearer ", fixture->token, NULL);
}

static void
fixture_stop (Fixture *fixture)
{
  g_clear_object (&fixture->tenant);
  g_clear_pointer (&fixture->token, g_free);
  g_clear_pointer (&fixture->auth, g_free);
}

static void
demo_setup (Fixture       *fixture,
            gconstpointer  data)
{
  fixture_start (fixture, NULL, NULL);
}

static void
generated_setup (Fixture       *fixture,
                 gconstpointer  data)
{
  MusterFakeOptions options;

  muster_fake_options_init (&options);
  options.dataset = "generated";
  options.users = 2500;
  options.groups = 40;
  fixture_start (fixture, &options, NULL);
}

static void
teardown (Fixture       *fixture,
          gconstpointer  data)
{
  fixture_stop (fixture);
}

/* GET with the fixture's token and optionally ConsistencyLevel: eventual */
static FakeResponse *
graph_get (Fixture    *fixture,
           const char *path,
           gboolean    eventual)
{
  const char *headers[] = { "Authorization", fixture->auth, eventual ? "ConsistencyLevel" : NULL, "eventual", NULL };

  return fake_test_request (fixture->tenant, "GET", path, headers, NULL, NULL);
}

static FakeResponse *
graph_post (Fixture    *fixture,
            const char *path,
            const char *json)
{
  const char *headers[] = { "Authorization", fixture->auth, NULL };

  return fake_test_request (fixture->tenant, "POST", path, headers, "application/json", json);
}

static JsonObject *
root_object (FakeResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

static JsonArray *
value_of (FakeResponse *response)
{
  return json_object_get_array_member (root_object (response), "value");
}

static void
assert_graph_error (FakeResponse *response,
                    guint         status,
                    const char   *code,
                    const char   *message)
{
  JsonObject *error;

  g_assert_cmpuint (response->status, ==, status);
  error = json_object_get_object_member (root_object (response), "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  if (message != NULL)
    g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, message);
  g_assert_true (json_object_has_member (json_object_get_object_member (error, "innerError"), "request-id"));
}

static char *
body_text (FakeResponse *response)
{
  return g_strndup (g_bytes_get_data (response->body, NULL), g_bytes_get_size (response->body));
}

/* Every object of a collection, following nextLinks; returns the number of pages. */
static guint
collect_all (Fixture    *fixture,
             const char *first,
             GPtrArray  *objects)
{
  g_autofree char *url = g_strdup (first);
  guint pages = 0;

  while (url != NULL)
    {
      g_autoptr(FakeResponse) page = graph_get (fixture, url, FALSE);
      JsonArray *value;

      g_assert_cmpuint (page->status, ==, 200);
      value = value_of (page);
      for (guint i = 0; i < json_array_get_length (value); i++)
        g_ptr_array_add (objects, json_object_ref (json_array_get_object_element (value, i)));
      g_free (url);
      url = g_strdup (fake_response_get_string (page, "@odata.nextLink"));
      pages++;
      g_assert_cmpuint (pages, <, 1000);
    }
  return pages;
}

/* ---- users ------------------------------------------------------------------------------- */

static void
test_users_paging (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(FakeResponse) count = graph_get (fixture, "/v1.0/users/$count", TRUE);
  g_autoptr(FakeResponse) first = graph_get (fixture, "/v1.0/users?$top=999&$select=id,displayName", FALSE);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *raw = body_text (first);
  g_autofree char *count_text = body_text (count);
  const char *next = fake_response_get_string (first, "@odata.nextLink");
  g_autofree char *url = g_strdup (next);
  guint pages = 1, total = json_array_get_length (value_of (first));

  g_assert_cmpuint (count->status, ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (count->headers, NULL), "text/plain"));
  g_assert_cmpuint (g_ascii_strtoull (count_text, NULL, 10), ==, 2500);

  /* absolute, and before "value" in the raw body as the real service writes it */
  g_assert_nonnull (next);
  g_assert_true (g_str_has_prefix (next, muster_fake_tenant_get_base_url (fixture->tenant)));
  g_assert_nonnull (strstr (next, "$skiptoken="));
  g_assert_nonnull (strstr (next, "$top=999"));
  g_assert_true (strstr (raw, "\"@odata.nextLink\"") < strstr (raw, "\"value\""));
  g_assert_cmpuint (total, ==, 999);

  for (guint i = 0; i < json_array_get_length (value_of (first)); i++)
    g_assert_true (g_hash_table_add (seen, g_strdup (json_object_get_string_member (
                     json_array_get_object_element (value_of (first), i), "id"))));
  while (url != NULL)
    {
      g_autoptr(FakeResponse) page = graph_get (fixture, url, FALSE);
      JsonArray *value;

      g_assert_cmpuint (page->status, ==, 200);
      value = value_of (page);
      total += json_array_get_length (value);
      for (guint i = 0; i < json_array_get_length (value); i++)
        {
          const char *id = json_object_get_string_member (json_array_get_object_element (value, i), "id");
          /* each user exactly once */
          g_assert_true (g_hash_table_add (seen, g_strdup (id)));
        }
      g_free (url);
      url = g_strdup (fake_response_get_string (page, "@odata.nextLink"));
      pages++;
    }
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (total, ==, 2500);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 2500);
}

static void
test_users_top_limits (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(FakeResponse) too_big = graph_get (fixture, "/v1.0/users?$top=1000", FALSE);
  g_autoptr(FakeResponse) zero = graph_get (fixture, "/v1.0/users?$top=0", FALSE);
  g_autoptr(FakeResponse) max = graph_get (fixture, "/v1.0/users?$top=999", FALSE);
  g_autoptr(FakeResponse) dflt = graph_get (fixture, "/v1.0/users", FALSE);
  g_autoptr(FakeResponse) skip = graph_get (fixture, "/v1.0/users?$skip=10", FALSE);

  assert_graph_error (too_big, 400, "Request_UnsupportedQuery",
                      "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
  assert_graph_error (zero, 400, "Request_UnsupportedQuery",
                      "Invalid page size specified: '0'. Must be between 1 and 999 inclusive.");
  assert_graph_error (skip, 400, "Request_BadRequest", NULL);
  g_assert_cmpuint (max->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (value_of (dflt)), ==, 100);
}

static void
test_users_default_vs_select (Fixture       *fixture,
                              gconstpointer  data)
{
  static const char *defaults[] = { "businessPhones", "displayName", "givenName", "jobTitle", "mail",
                                    "mobilePhone", "officeLocation", "preferredLanguage", "surname",
                                    "userPrincipalName", "id" };
  g_autoptr(FakeResponse) plain = graph_get (fixture, "/v1.0/users?$top=50", FALSE);
  g_autoptr(FakeResponse) selected = graph_get (fixture, "/v1.0/users?$top=50&$select=displayName,accountEnabled,assignedLicenses", FALSE);
  g_autoptr(FakeResponse) unknown = graph_get (fixture, "/v1.0/users?$select=shoeSize", FALSE);
  g_autoptr(FakeResponse) single_only = graph_get (fixture, "/v1.0/users?$select=skills", FALSE);
  JsonObject *user = json_array_get_object_element (value_of (plain), 0);
  JsonObject *small = json_array_get_object_element (value_of (selected), 0);
  gboolean saw_null = FALSE;

  g_assert_cmpstr (fake_response_get_string (plain, "@odata.context"), ==,
                   g_strconcat (muster_fake_tenant_get_base_url (fixture->tenant), "/v1.0/$metadata#users", NULL));
  g_assert_cmpuint (json_object_get_size (user), ==, G_N_ELEMENTS (defaults));
  for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
    g_assert_true (json_object_has_member (user, defaults[i]));
  g_assert_false (json_object_has_member (user, "accountEnabled"));
  /* empty default properties are null, not missing */
  for (guint u = 0; u < json_array_get_length (value_of (plain)); u++)
    {
      JsonObject *other = json_array_get_object_element (value_of (plain), u);

      g_assert_cmpuint (json_object_get_size (other), ==, G_N_ELEMENTS (defaults));
      for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
        saw_null |= JSON_NODE_HOLDS_NULL (json_object_get_member (other, defaults[i]));
    }
  g_assert_true (saw_null);

  /* only what was selected, not even id */
  g_assert_cmpuint (json_object_get_size (small), ==, 3);
  g_assert_true (json_object_has_member (small, "accountEnabled"));
  g_assert_false (json_object_has_member (small, "id"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (small, "assignedLicenses")));
  g_assert_nonnull (strstr (fake_response_get_string (selected, "@odata.context"),
                            "#users(displayName,accountEnabled,assignedLicenses)"));

  assert_graph_error (unknown, 400, "BadRequest",
                      "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.");
  assert_graph_error (single_only, 501, "NotImplemented", NULL);
}

static void
test_users_filters (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) guests = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) disabled = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) starts = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(FakeResponse) unsupported = graph_get (fixture, "/v1.0/users?$filter=shoeSize eq 'x'", FALSE);
  g_autoptr(FakeResponse) ne_plain = graph_get (fixture, "/v1.0/users?$filter=userType ne 'Guest'", FALSE);
  g_autoptr(FakeResponse) licensed = NULL;
  g_autoptr(FakeResponse) by_upn = NULL;
  g_autoptr(FakeResponse) by_ids = NULL;
  g_autofree char *upn_url = NULL;
  g_autofree char *ids_url = NULL;
  g_autofree char *escaped = NULL;
  guint n_guests = 0, n_disabled = 0, n_licensed = 0;
  JsonObject *someone;

  collect_all (fixture, "/v1.0/users?$top=999&$select=id,displayName,userPrincipalName,userType,accountEnabled,assignedLicenses", all);
  collect_all (fixture, "/v1.0/users?$top=999&$select=id,userType&$filter=userType eq 'Guest'", guests);
  collect_all (fixture, "/v1.0/users?$top=999&$select=id&$filter=accountEnabled eq false", disabled);
  collect_all (fixture, "/v1.0/users?$top=999&$select=id,displayName&$filter=startswith(displayName,'a')", starts);

  for (guint i = 0; i < all->len; i++)
    {
      JsonObject *user = g_ptr_array_index (all, i);

      n_guests += g_strcmp0 (json_object_get_string_member (user, "userType"), "Guest") == 0;
      n_disabled += !json_object_get_boolean_member (user, "accountEnabled");
      n_licensed += json_array_get_length (json_object_get_array_member (user, "assignedLicenses")) > 0;
    }
  g_assert_cmpuint (guests->len, ==, n_guests);
  g_assert_cmpuint (disabled->len, ==, n_disabled);
  g_assert_cmpuint (n_guests, >, 0);
  g_assert_cmpuint (n_disabled, >, 0);
  g_assert_cmpuint (starts->len, >, 0);
  for (guint i = 0; i < starts->len; i++)
    g_assert_true (g_ascii_tolower (*json_object_get_string_member (g_ptr_array_index (starts, i), "displayName")) == 'a');

  /* assignedLicenses/$count ne 0 is an advanced query (aad-advanced-queries.md) */
  licensed = graph_get (fixture, "/v1.0/users?$filter=assignedLicenses/$count ne 0&$count=true&$top=1&$select=id", TRUE);
  g_assert_cmpuint (licensed->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (root_object (licensed), "@odata.count"), ==, n_licensed);
  assert_graph_error (ne_plain, 400, "Request_UnsupportedQuery", NULL);
  assert_graph_error (unsupported, 400, "Request_UnsupportedQuery",
                      "Unsupported or invalid query filter clause specified for property 'shoeSize' of resource 'User'.");

  someone = g_ptr_array_index (all, 3);
  escaped = g_uri_escape_string (json_object_get_string_member (someone, "userPrincipalName"), NULL, FALSE);
  upn_url = g_strdup_printf ("/v1.0/users?$filter=userPrincipalName%%20eq%%20'%s'", escaped);
  by_upn = graph_get (fixture, upn_url, FALSE);
  g_assert_cmpuint (json_array_get_length (value_of (by_upn)), ==, 1);
  ids_url = g_strdup_printf ("/v1.0/users?$filter=id in ('%s','%s')&$select=id",
                             json_object_get_string_member (g_ptr_array_index (all, 0), "id"),
                             json_object_get_string_member (g_ptr_array_index (all, 5), "id"));
  by_ids = graph_get (fixture, ids_url, FALSE);
  g_assert_cmpuint (json_array_get_length (value_of (by_ids)), ==, 2);
}

static void
test_users_consistency_level (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(FakeResponse) count_plain = graph_get (fixture, "/v1.0/users/$count", FALSE);
  g_autoptr(FakeResponse) count_true_plain = graph_get (fixture, "/v1.0/users?$count=true&$top=5", FALSE);
  g_autoptr(FakeResponse) count_true = graph_get (fixture, "/v1.0/users?$count=true&$top=5&$select=id", TRUE);
  g_autoptr(FakeResponse) search_plain = graph_get (fixture, "/v1.0/users?$search=\"displayName:a\"", FALSE);
  g_autoptr(FakeResponse) search = NULL;
  g_autoptr(FakeResponse) second = NULL;
  g_autoptr(FakeResponse) ordered = graph_get (fixture, "/v1.0/users?$orderby=displayName&$top=999&$select=displayName", FALSE);
  g_autoptr(FakeResponse) bad_order = graph_get (fixture, "/v1.0/users?$orderby=jobTitle", FALSE);
  JsonArray *sorted;

  assert_graph_error (count_plain, 400, "Request_BadRequest", "$count is not currently supported.");
  /* silently ignored without the header */
  g_assert_cmpuint (count_true_plain->status, ==, 200);
  g_assert_false (json_object_has_member (root_object (count_true_plain), "@odata.count"));
  g_assert_cmpint (json_object_get_int_member (root_object (count_true), "@odata.count"), >, 5);
  /* only on the first page */
  second = graph_get (fixture, fake_response_get_string (count_true, "@odata.nextLink"), TRUE);
  g_assert_cmpuint (second->status, ==, 200);
  g_assert_false (json_object_has_member (root_object (second), "@odata.count"));

  assert_graph_error (search_plain, 400, "Request_UnsupportedQuery",
                      "Request with $search query parameter only works through MSGraph with a special request "
                      "header: 'ConsistencyLevel: eventual'");
  search = graph_get (fixture, "/v1.0/users?$search=\"displayName:a\"&$select=displayName", TRUE);
  g_assert_cmpuint (search->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (value_of (search)), >, 0);

  g_assert_cmpuint (ordered->status, ==, 200);
  sorted = value_of (ordered);
  for (guint i = 1; i < json_array_get_length (sorted); i++)
    {
      g_autofree char *a = g_utf8_casefold (json_object_get_string_member (json_array_get_object_element (sorted, i - 1), "displayName"), -1);
      g_autofree char *b = g_utf8_casefold (json_object_get_string_member (json_array_get_object_element (sorted, i), "displayName"), -1);
      g_assert_cmpstr (a, <=, b);
    }
  assert_graph_error (bad_order, 400, "Request_UnsupportedQuery", "Sorting not supported for current query.");
}

/* Users of the demo organisation, with their manager ids */
static GPtrArray *
all_users (Fixture *fixture)
{
  GPtrArray *users = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  collect_all (fixture, "/v1.0/users?$top=999&$select=id,displayName&$expand=manager($select=id,displayName)", users);
  return users;
}

static void
test_users_manager_and_photo (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) users = all_users (fixture);
  const char *with_manager = NULL, *without_manager = NULL, *manager_id = NULL;
  const char *with_photo = NULL, *without_photo = NULL;
  g_autofree char *missing = g_strdup_printf ("/v1.0/users/%s", "00000000-0000-4000-8000-000000000000");
  g_autoptr(FakeResponse) not_found = graph_get (fixture, missing, FALSE);

  assert_graph_error (not_found, 404, "Request_ResourceNotFound",
                      "Resource '00000000-0000-4000-8000-000000000000' does not exist or one of its queried "
                      "reference-property objects are not present.");

  for (guint i = 0; i < users->len; i++)
    {
      JsonObject *user = g_ptr_array_index (users, i);

      if (json_object_has_member (user, "manager") && with_manager == NULL)
        {
          with_manager = json_object_get_string_member (user, "id");
          manager_id = json_object_get_string_member (json_object_get_object_member (user, "manager"), "id");
        }
      else if (!json_object_has_member (user, "manager") && without_manager == NULL)
        without_manager = json_object_get_string_member (user, "id");
    }
  g_assert_nonnull (with_manager);
  g_assert_nonnull (without_manager);

  {
    g_autofree char *url = g_strdup_printf ("/v1.0/users/%s/manager", with_manager);
    g_autofree char *none_url = g_strdup_printf ("/v1.0/users/%s/manager", without_manager);
    g_autoptr(FakeResponse) manager = graph_get (fixture, url, FALSE);
    g_autoptr(FakeResponse) none = graph_get (fixture, none_url, FALSE);

    g_assert_cmpuint (manager->status, ==, 200);
    g_assert_cmpstr (fake_response_get_string (manager, "id"), ==, manager_id);
    g_assert_cmpstr (fake_response_get_string (manager, "@odata.type"), ==, "#microsoft.graph.user");
    assert_graph_error (none, 404, "Request_ResourceNotFound",
                        "Resource 'manager' does not exist or one of its queried reference-property objects "
                        "are not present.");
  }

  for (guint i = 0; i < users->len && (with_photo == NULL || without_photo == NULL); i++)
    {
      const char *id = json_object_get_string_member (g_ptr_array_index (users, i), "id");
      g_autofree char *url = g_strdup_printf ("/v1.0/users/%s/photo/$value", id);
      g_autoptr(FakeResponse) photo = graph_get (fixture, url, FALSE);

      if (photo->status == 200 && with_photo == NULL)
        {
          const char *type = soup_message_headers_get_content_type (photo->headers, NULL);

          g_assert_true (g_str_has_prefix (type, "image/"));
          g_assert_cmpuint (g_bytes_get_size (photo->body), >, 16);
          with_photo = id;
        }
      else if (photo->status != 200 && without_photo == NULL)
        {
          assert_graph_error (photo, 404, "ImageNotFound",
                              "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.");
          without_photo = id;
        }
    }
  g_assert_nonnull (with_photo);
  g_assert_nonnull (without_photo);
  {
    g_autofree char *meta_url = g_strdup_printf ("/v1.0/users/%s/photo", with_photo);
    g_autofree char *sized_url = g_strdup_printf ("/v1.0/users/%s/photos/48x48/$value", with_photo);
    g_autoptr(FakeResponse) meta = graph_get (fixture, meta_url, FALSE);
    g_autoptr(FakeResponse) sized = graph_get (fixture, sized_url, FALSE);

    g_assert_cmpuint (meta->status, ==, 200);
    g_assert_true (g_str_has_prefix (fake_response_get_string (meta, "@odata.mediaContentType"), "image/"));
    g_assert_cmpint (json_object_get_int_member (root_object (meta), "width"), >, 0);
    g_assert_cmpuint (sized->status, ==, 200);
  }
}

static gboolean
has_id (JsonArray  *value,
        const char *id)
{
  for (guint i = 0; i < json_array_get_length (value); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (value, i), "id"), id) == 0)
      return TRUE;
  return FALSE;
}

/* Member pages: small pages through @odata.nextLink hold the same members, in the same order, as
 * one big page, and a member removed between two pages leaves the next page right. */
static void
test_members_paging (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) paged = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(FakeResponse) whole = NULL;
  g_autoptr(FakeResponse) first = NULL;
  g_autoptr(FakeResponse) second = NULL;
  g_autofree char *url = NULL;
  const char *gid = NULL;
  JsonArray *all = NULL;
  guint pages;

  collect_all (fixture, "/v1.0/groups?$top=999&$select=id,groupTypes", groups);
  /* the largest assigned (not dynamic) group that fits one page of 999 */
  for (guint i = 0, most = 0; i < groups->len; i++)
    {
      JsonObject *group = g_ptr_array_index (groups, i);
      const char *id = json_object_get_string_member (group, "id");
      JsonArray *types = json_object_get_array_member (group, "groupTypes");
      gboolean dynamic = FALSE;
      g_autofree char *members_url = g_strdup_printf ("/v1.0/groups/%s/members?$top=999&$select=id", id);
      g_autoptr(FakeResponse) members = NULL;

      for (guint t = 0; t < json_array_get_length (types); t++)
        dynamic |= g_strcmp0 (json_array_get_string_element (types, t), "DynamicMembership") == 0;
      if (dynamic)
        continue;
      members = graph_get (fixture, members_url, FALSE);
      if (json_array_get_length (value_of (members)) > most
          && fake_response_get_string (members, "@odata.nextLink") == NULL)
        {
          most = json_array_get_length (value_of (members));
          gid = id;
          g_clear_pointer (&whole, fake_response_free);
          whole = g_steal_pointer (&members);
        }
    }
  g_assert_nonnull (gid);
  all = value_of (whole);
  g_assert_cmpuint (json_array_get_length (all), >, 50);
  g_assert_null (fake_response_get_string (whole, "@odata.nextLink"));

  url = g_strdup_printf ("/v1.0/groups/%s/members?$top=7&$select=id", gid);
  pages = collect_all (fixture, url, paged);
  g_assert_cmpuint (pages, ==, (json_array_get_length (all) + 6) / 7);
  g_assert_cmpuint (paged->len, ==, json_array_get_length (all));
  for (guint i = 0; i < paged->len; i++)
    g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (paged, i), "id"), ==,
                     json_object_get_string_member (json_array_get_object_element (all, i), "id"));

  /* the first page, then the first member of the second page leaves the group: the second page
   * starts after it with the member after it */
  first = graph_get (fixture, url, FALSE);
  {
    const char *leaving = json_object_get_string_member (json_array_get_object_element (all, 7), "id");
    g_autofree char *path = g_strdup_printf ("/_fake/groups/%s/members/%s", gid, leaving);
    g_autoptr(FakeResponse) removed = fake_test_request (fixture->tenant, "DELETE", path, NULL, NULL, NULL);

    g_assert_cmpuint (removed->status, ==, 204);
  }
  second = graph_get (fixture, fake_response_get_string (first, "@odata.nextLink"), FALSE);
  g_assert_cmpuint (second->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (value_of (second), 0), "id"), ==,
                   json_object_get_string_member (json_array_get_object_element (all, 8), "id"));
}

static void
test_member_of_nesting (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  const char *outer = NULL, *inner = NULL, *user = NULL;

  collect_all (fixture, "/v1.0/groups?$top=999&$select=id,displayName", groups);
  g_assert_cmpuint (groups->len, >, 0);

  /* find a group B nested in a group A, and a user U of B */
  for (guint i = 0; i < groups->len && user == NULL; i++)
    {
      const char *gid = json_object_get_string_member (g_ptr_array_index (groups, i), "id");
      g_autofree char *url = g_strdup_printf ("/v1.0/groups/%s/members?$top=999", gid);
      g_autoptr(FakeResponse) members = graph_get (fixture, url, FALSE);
      JsonArray *value = value_of (members);

      for (guint m = 0; m < json_array_get_length (value) && user == NULL; m++)
        {
          JsonObject *member = json_array_get_object_element (value, m);
          g_autofree char *inner_url = NULL;
          g_autoptr(FakeResponse) inner_members = NULL;
          JsonArray *inner_value;

          if (g_strcmp0 (json_object_get_string_member (member, "@odata.type"), "#microsoft.graph.group") != 0)
            continue;
          outer = gid;
          inner = json_object_get_string_member (member, "id");
          inner_url = g_strdup_printf ("/v1.0/groups/%s/members/microsoft.graph.user?$top=999", inner);
          inner_members = graph_get (fixture, inner_url, FALSE);
          inner_value = value_of (inner_members);
          for (guint k = 0; k < json_array_get_length (inner_value); k++)
            g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (inner_value, k), "@odata.type"),
                             ==, "#microsoft.graph.user");
          if (json_array_get_length (inner_value) > 0)
            user = g_strdup (json_object_get_string_member (json_array_get_object_element (inner_value, 0), "id"));
        }
      if (user != NULL)
        {
          g_autofree char *direct_url = g_strdup_printf ("/v1.0/users/%s/memberOf?$top=999", user);
          g_autofree char *trans_url = g_strdup_printf ("/v1.0/users/%s/transitiveMemberOf?$top=999", user);
          g_autofree char *outer_trans = g_strdup_printf ("/v1.0/groups/%s/transitiveMembers?$top=999", outer);
          g_autoptr(FakeResponse) direct = graph_get (fixture, direct_url, FALSE);
          g_autoptr(FakeResponse) transitive = graph_get (fixture, trans_url, FALSE);
          g_autoptr(FakeResponse) flattened = graph_get (fixture, outer_trans, FALSE);
          JsonArray *tvalue = value_of (transitive);

          g_assert_cmpuint (direct->status, ==, 200);
          g_assert_true (has_id (value_of (direct), inner));
          g_assert_true (has_id (tvalue, inner));
          g_assert_true (has_id (tvalue, outer));
          g_assert_cmpuint (json_array_get_length (tvalue), >=, json_array_get_length (value_of (direct)));
          for (guint k = 0; k < json_array_get_length (tvalue); k++)
            g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tvalue, k), "@odata.type"),
                             ==, "#microsoft.graph.group");
          g_assert_true (has_id (value_of (flattened), user));
          g_free ((char *) user);
          return;
        }
    }
  g_test_fail_printf ("the demo organisation has no user in a nested group");
}

/* ---- groups ----------------------------------------------------------------------------- */

static void
test_group_kinds (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) unified = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) security = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) mail = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(FakeResponse) first = graph_get (fixture, "/v1.0/groups?$top=1", FALSE);
  JsonObject *group;
  guint n_unified = 0, n_security = 0, n_mail = 0;

  collect_all (fixture, "/v1.0/groups?$top=999&$select=id,groupTypes,mailEnabled,securityEnabled,mail", all);
  collect_all (fixture, "/v1.0/groups?$top=999&$select=id,groupTypes&$filter=groupTypes/any(c:c eq 'Unified')", unified);
  collect_all (fixture, "/v1.0/groups?$top=999&$select=id&$filter=mailEnabled eq false and securityEnabled eq true", security);
  collect_all (fixture, "/v1.0/groups?$top=999&$select=id&$filter=mailEnabled eq true", mail);
  for (guint i = 0; i < all->len; i++)
    {
      JsonObject *g = g_ptr_array_index (all, i);
      JsonArray *types = json_object_get_array_member (g, "groupTypes");
      gboolean is_unified = FALSE;

      for (guint t = 0; t < json_array_get_length (types); t++)
        is_unified |= g_str_equal (json_array_get_string_element (types, t), "Unified");
      n_unified += is_unified;
      n_security += !json_object_get_boolean_member (g, "mailEnabled") && json_object_get_boolean_member (g, "securityEnabled");
      n_mail += json_object_get_boolean_member (g, "mailEnabled");
      /* mail-enabled groups have an address, security groups none */
      g_assert_true (json_object_get_boolean_member (g, "mailEnabled") == !JSON_NODE_HOLDS_NULL (json_object_get_member (g, "mail")));
    }
  g_assert_cmpuint (n_unified, >, 0);
  g_assert_cmpuint (n_security, >, 0);
  g_assert_cmpuint (unified->len, ==, n_unified);
  g_assert_cmpuint (security->len, ==, n_security);
  g_assert_cmpuint (mail->len, ==, n_mail);
  g_assert_cmpuint (n_mail, >, n_unified);  /* distribution and mail-enabled security groups too */

  group = json_array_get_object_element (value_of (first), 0);
  g_assert_true (json_object_has_member (group, "membershipRule"));
  g_assert_true (json_object_has_member (group, "membershipRuleProcessingState"));
  g_assert_true (json_object_has_member (group, "groupTypes"));
  g_assert_nonnull (fake_response_get_string (first, "@odata.nextLink"));
}

static void
test_members_need_group_member_read (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *token = fake_test_sign_in (tenant, "User.Read.All");
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  const char *headers[] = { "Authorization", auth, NULL };
  const char *full[] = { "Authorization", fixture->auth, NULL };
  g_autoptr(FakeResponse) groups = fake_test_request (fixture->tenant, "GET", "/v1.0/groups?$top=1&$select=id", full, NULL, NULL);
  g_autoptr(FakeResponse) own_groups = NULL;
  g_autoptr(FakeResponse) users = fake_test_request (tenant, "GET", "/v1.0/users?$top=1", headers, NULL, NULL);
  g_autoptr(FakeResponse) members = NULL;
  g_autofree char *url = NULL;

  g_assert_cmpuint (users->status, ==, 200);
  own_groups = fake_test_request (tenant, "GET", "/v1.0/groups?$top=1", headers, NULL, NULL);
  assert_graph_error (own_groups, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
  /* same seed, same directory: the group exists there too */
  url = g_strdup_printf ("/v1.0/groups/%s/members",
                         json_object_get_string_member (json_array_get_object_element (value_of (groups), 0), "id"));
  members = fake_test_request (tenant, "GET", url, headers, NULL, NULL);
  assert_graph_error (members, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
}

/* ---- organization, skus, me ---------------------------------------------------------------- */

static void
test_organization_and_skus (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(FakeResponse) org = graph_get (fixture, "/v1.0/organization", FALSE);
  g_autoptr(FakeResponse) skus = graph_get (fixture, "/v1.0/subscribedSkus", FALSE);
  g_autoptr(FakeResponse) me = graph_get (fixture, "/v1.0/me", FALSE);
  JsonObject *o = json_array_get_object_element (value_of (org), 0);
  JsonArray *domains = json_object_get_array_member (o, "verifiedDomains");
  const char *tenant_id = muster_fake_tenant_get_tenant_id (fixture->tenant);
  guint initial = 0, dflt = 0;

  g_assert_cmpuint (org->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, tenant_id);
  g_assert_nonnull (json_object_get_string_member (o, "displayName"));
  g_assert_nonnull (json_object_get_string_member (o, "countryLetterCode"));
  g_assert_true (json_object_has_member (o, "assignedPlans"));
  for (guint i = 0; i < json_array_get_length (domains); i++)
    {
      JsonObject *d = json_array_get_object_element (domains, i);

      initial += json_object_get_boolean_member (d, "isInitial");
      dflt += json_object_get_boolean_member (d, "isDefault");
      g_assert_cmpstr (json_object_get_string_member (d, "type"), ==, "Managed");
      g_assert_nonnull (json_object_get_string_member (d, "capabilities"));
      if (json_object_get_boolean_member (d, "isInitial"))
        g_assert_true (g_str_has_suffix (json_object_get_string_member (d, "name"), ".onmicrosoft.com"));
    }
  g_assert_cmpuint (initial, ==, 1);
  g_assert_cmpuint (dflt, ==, 1);

  g_assert_cmpuint (skus->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (value_of (skus)), >, 0);
  for (guint i = 0; i < json_array_get_length (value_of (skus)); i++)
    {
      JsonObject *sku = json_array_get_object_element (value_of (skus), i);
      JsonObject *prepaid = json_object_get_object_member (sku, "prepaidUnits");
      g_autofree char *id = g_strdup_printf ("%s_%s", tenant_id, json_object_get_string_member (sku, "skuId"));

      g_assert_cmpstr (json_object_get_string_member (sku, "id"), ==, id);
      g_assert_nonnull (json_object_get_string_member (sku, "skuPartNumber"));
      g_assert_true (json_object_has_member (prepaid, "lockedOut"));
      g_assert_cmpint (json_object_get_int_member (sku, "consumedUnits"), <=,
                       json_object_get_int_member (prepaid, "enabled") + json_object_get_int_member (prepaid, "warning")
                       + json_object_get_int_member (prepaid, "suspended"));
      g_assert_true (json_object_has_member (sku, "servicePlans"));
    }

  g_assert_cmpuint (me->status, ==, 200);
  g_assert_nonnull (fake_response_get_string (me, "userPrincipalName"));
  g_assert_true (json_object_has_member (root_object (me), "businessPhones"));
}

static void
test_expired_token (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(FakeResponse) before = graph_get (fixture, "/v1.0/users?$top=1", FALSE);
  g_autoptr(FakeResponse) expire = fake_test_request (fixture->tenant, "POST", "/_fake/identity/expire-tokens",
                                                      NULL, "application/json", "{}");
  g_autoptr(FakeResponse) after = graph_get (fixture, "/v1.0/users?$top=1", FALSE);
  g_autoptr(FakeResponse) none = fake_test_request (fixture->tenant, "GET", "/v1.0/users", NULL, NULL, NULL);

  g_assert_cmpuint (before->status, ==, 200);
  g_assert_cmpuint (expire->status, <, 300);
  assert_graph_error (after, 401, "InvalidAuthenticationToken", NULL);
  g_assert_nonnull (soup_message_headers_get_one (after->headers, "WWW-Authenticate"));
  g_assert_cmpuint (none->status, ==, 401);
}

static void
test_basic_profile (Fixture       *fixture,
                    gconstpointer  data)
{
  /* a tenant of its own where only User.ReadBasic.All was ever consented */
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *token = fake_test_sign_in (tenant, "User.ReadBasic.All");
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  const char *headers[] = { "Authorization", auth, NULL };
  g_autoptr(FakeResponse) basic = fake_test_request (tenant, "GET", "/v1.0/users?$top=999&$select=id,displayName,jobTitle",
                                                     headers, NULL, NULL);
  g_autoptr(FakeResponse) full = graph_get (fixture, "/v1.0/users?$top=999&$select=id,displayName,jobTitle", FALSE);
  JsonArray *b = value_of (basic), *f = value_of (full);
  guint titled = 0, basic_titled = 0;

  g_assert_cmpuint (basic->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (b), ==, json_array_get_length (f));
  for (guint i = 0; i < json_array_get_length (f); i++)
    {
      JsonObject *bu = json_array_get_object_element (b, i), *fu = json_array_get_object_element (f, i);

      g_assert_cmpstr (json_object_get_string_member (bu, "displayName"), ==, json_object_get_string_member (fu, "displayName"));
      titled += !JSON_NODE_HOLDS_NULL (json_object_get_member (fu, "jobTitle"));
      basic_titled += !JSON_NODE_HOLDS_NULL (json_object_get_member (bu, "jobTitle"));
    }
  /* permissions-reference.md: User.ReadBasic.All reads the basic profile only (and one's own) */
  g_assert_cmpuint (titled, >, 1);
  g_assert_cmpuint (basic_titled, <=, 1);
}

static void
test_app_only (Fixture       *fixture,
               gconstpointer  data)
{
  const char *tenant_id = muster_fake_tenant_get_tenant_id (fixture->tenant);
  g_autoptr(FakeResponse) app = fake_test_request (fixture->tenant, "POST", "/_fake/identity/apps", NULL, "application/json",
                                                   "{\"clientId\":\"0d5c4f3e-1a2b-4c3d-8e9f-001122334455\","
                                                   "\"displayName\":\"Nightly sync\",\"secret\":\"not-a-real-secret\","
                                                   "\"roles\":[\"User.Read.All\"]}");
  g_autofree char *token_path = g_strdup_printf ("/%s/oauth2/v2.0/token", tenant_id);
  g_autofree char *form = soup_form_encode ("client_id", "0d5c4f3e-1a2b-4c3d-8e9f-001122334455",
                                            "client_secret", "not-a-real-secret",
                                            "grant_type", "client_credentials",
                                            "scope", "https://graph.microsoft.com/.default", NULL);
  g_autoptr(FakeResponse) token = NULL;
  g_autoptr(FakeResponse) me = NULL;
  g_autoptr(FakeResponse) users = NULL;
  g_autoptr(FakeResponse) groups = NULL;
  g_autofree char *auth = NULL;
  const char *headers[] = { "Authorization", NULL, NULL };

  g_assert_cmpuint (app->status, <, 300);
  token = fake_test_request (fixture->tenant, "POST", token_path, NULL, "application/x-www-form-urlencoded", form);
  g_assert_cmpuint (token->status, ==, 200);
  auth = g_strconcat ("Bearer ", fake_response_get_string (token, "access_token"), NULL);
  headers[1] = auth;

  me = fake_test_request (fixture->tenant, "GET", "/v1.0/me", headers, NULL, NULL);
  users = fake_test_request (fixture->tenant, "GET", "/v1.0/users?$top=2", headers, NULL, NULL);
  groups = fake_test_request (fixture->tenant, "GET", "/v1.0/groups?$top=2", headers, NULL, NULL);
  /* github.com/microsoftgraph/msgraph-sdk-php/issues/1163: /me has no meaning without a signed-in user */
  assert_graph_error (me, 400, "BadRequest", "/me request is only valid with delegated authentication flow.");
  g_assert_cmpuint (users->status, ==, 200);
  assert_graph_error (groups, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
}

/* ---- $batch ---------------------------------------------------------------------------------- */

static void
test_batch_limits (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GString) body = g_string_new ("{\"requests\":[");
  g_autoptr(FakeResponse) too_many = NULL;
  g_autoptr(FakeResponse) duplicate = graph_post (fixture, "/v1.0/$batch",
                                                  "{\"requests\":[{\"id\":\"a\",\"method\":\"GET\",\"url\":\"/me\"},"
                                                  "{\"id\":\"A\",\"method\":\"GET\",\"url\":\"/me\"}]}");
  g_autoptr(FakeResponse) garbage = graph_post (fixture, "/v1.0/$batch", "{\"requests\":");

  for (guint i = 1; i <= 21; i++)
    g_string_append_printf (body, "%s{\"id\":\"%u\",\"method\":\"GET\",\"url\":\"/users?$top=1\"}", i > 1 ? "," : "", i);
  g_string_append (body, "]}");
  too_many = graph_post (fixture, "/v1.0/$batch", body->str);

  assert_graph_error (too_many, 400, "BadRequest", NULL);
  assert_graph_error (duplicate, 400, "BadRequest", NULL);
  assert_graph_error (garbage, 400, "BadRequest", NULL);
}

static void
test_batch_depends_on (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(FakeResponse) batch = graph_post (fixture, "/v1.0/$batch",
    "{\"requests\":["
    "{\"id\":\"1\",\"method\":\"GET\",\"url\":\"/users/00000000-0000-4000-8000-000000000000\"},"
    "{\"id\":\"2\",\"method\":\"GET\",\"url\":\"/users?$top=2&$select=id\",\"dependsOn\":[\"1\"]},"
    "{\"id\":\"3\",\"method\":\"GET\",\"url\":\"users?$top=3&$select=id,displayName&$count=true\","
    " \"headers\":{\"ConsistencyLevel\":\"eventual\"}},"
    "{\"id\":\"4\",\"method\":\"GET\",\"url\":\"/organization\",\"dependsOn\":[\"3\"]}"
    "]}");
  JsonArray *responses;
  gboolean seen[5] = { FALSE };

  g_assert_cmpuint (batch->status, ==, 200);
  responses = json_object_get_array_member (root_object (batch), "responses");
  g_assert_cmpuint (json_array_get_length (responses), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *r = json_array_get_object_element (responses, i);
      guint id = g_ascii_strtoull (json_object_get_string_member (r, "id"), NULL, 10);
      gint64 status = json_object_get_int_member (r, "status");
      JsonObject *body = json_object_get_object_member (r, "body");

      seen[id] = TRUE;
      switch (id)
        {
        case 1:
          g_assert_cmpint (status, ==, 404);
          g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (body, "error"), "code"),
                           ==, "Request_ResourceNotFound");
          break;
        case 2:
          g_assert_cmpint (status, ==, 424);
          break;
        case 3:
          g_assert_cmpint (status, ==, 200);
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body, "value")), ==, 3);
          g_assert_true (json_object_has_member (body, "@odata.count"));
          g_assert_nonnull (json_object_get_string_member (json_object_get_object_member (r, "headers"), "Content-Type"));
          break;
        case 4:
          g_assert_cmpint (status, ==, 200);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  g_assert_true (seen[1] && seen[2] && seen[3] && seen[4]);
}

/* ---- throttling ----------------------------------------------------------------------------- */

static void
fill_throttle (Fixture    *fixture,
               const char *used)
{
  g_autofree char *path = g_strconcat ("/_fake/graph/throttle?used=", used, NULL);
  g_autoptr(FakeResponse) filled = fake_test_request (fixture->tenant, "POST", path, NULL, NULL, NULL);

  g_assert_cmpuint (filled->status, ==, 204);
}

static void
test_throttle (void)
{
  MusterFakeOptions options;
  Fixture fixture = { NULL };
  g_autoptr(GString) body = g_string_new ("{\"requests\":[");
  g_autoptr(FakeResponse) stats = NULL;
  g_autoptr(FakeResponse) single = NULL;
  g_autoptr(FakeResponse) groups = NULL;
  g_autofree char *group_url = NULL;
  gboolean throttled = FALSE;
  gboolean saw_percentage = FALSE;
  const char *retry_after;

  muster_fake_options_init (&options);
  options.throttle = TRUE;
  fixture_start (&fixture, &options, NULL);

  groups = graph_get (&fixture, "/v1.0/groups?$top=1&$select=id", FALSE);
  group_url = g_strdup_printf ("/groups/%s/transitiveMembers?$expand=x",
                               json_object_get_string_member (json_array_get_object_element (value_of (groups), 0), "id"));
  /* transitiveMembers costs 5 resource units, $expand one more (throttling-limits.md) */
  for (guint i = 1; i <= 20; i++)
    g_string_append_printf (body, "%s{\"id\":\"%u\",\"method\":\"GET\",\"url\":\"%s\"}", i > 1 ? "," : "", i, group_url);
  g_string_append (body, "]}");

  /* The bucket refills as time passes, so how fast this machine sends batches (ASan, a loaded
   * CI) must not decide the test: the budget is spent through the control API first. 95 %
   * spent: the first batch (120 units) still fits, and its answers say how much is used; then
   * over the limit: the next batch is refused. */
  fill_throttle (&fixture, "0.95");
  for (guint round = 0; round < 200 && !throttled; round++)
    {
      g_autoptr(FakeResponse) batch = NULL;
      JsonArray *responses;

      if (round == 1)
        fill_throttle (&fixture, "1.5");
      batch = graph_post (&fixture, "/v1.0/$batch", body->str);
      responses = json_object_get_array_member (root_object (batch), "responses");

      g_assert_cmpuint (batch->status, ==, 200);
      for (guint i = 0; i < json_array_get_length (responses); i++)
        {
          JsonObject *r = json_array_get_object_element (responses, i);

          if (json_object_get_int_member (r, "status") == 200
              && json_object_has_member (json_object_get_object_member (r, "headers"), "x-ms-throttle-limit-percentage"))
            saw_percentage = TRUE;
          if (json_object_get_int_member (r, "status") == 429)
            {
              JsonObject *headers = json_object_get_object_member (r, "headers");

              g_assert_cmpint (g_ascii_strtoll (json_object_get_string_member (headers, "Retry-After"), NULL, 10), >=, 1);
              g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                                 json_object_get_object_member (r, "body"), "error"), "code"), ==, "TooManyRequests");
              throttled = TRUE;
            }
        }
    }
  g_assert_true (throttled);
  /* throttling-limits.md: past 80 % of the budget, answers say how much is used */
  g_assert_true (saw_percentage);

  /* over the limit (as when other clients of the app overspent it): a direct request gets 429
   * too, with a Retry-After */
  fill_throttle (&fixture, "1.5");
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *url = g_strconcat ("/v1.0", group_url, NULL);

      g_clear_pointer (&single, fake_response_free);
      single = graph_get (&fixture, url, FALSE);
      if (single->status == 429)
        break;
      g_assert_cmpuint (single->status, ==, 200);
    }
  assert_graph_error (single, 429, "TooManyRequests", NULL);
  retry_after = soup_message_headers_get_one (single->headers, "Retry-After");
  g_assert_nonnull (retry_after);
  g_assert_cmpint (g_ascii_strtoll (retry_after, NULL, 10), >=, 1);
  g_assert_cmpint (g_ascii_strtoll (retry_after, NULL, 10), <=, 10);

  stats = fake_test_request (fixture.tenant, "GET", "/_fake/graph/stats", NULL, NULL, NULL);
  g_assert_cmpuint (stats->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (root_object (stats), "throttled"), >=, 2);
  g_assert_cmpint (json_object_get_int_member (root_object (stats), "requests"), >,
                   json_object_get_int_member (root_object (stats), "throttled"));
  fixture_stop (&fixture);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/fake/graph/users/paging", Fixture, NULL, generated_setup, test_users_paging, teardown);
  g_test_add ("/fake/graph/users/top-limits", Fixture, NULL, demo_setup, test_users_top_limits, teardown);
  g_test_add ("/fake/graph/users/default-vs-select", Fixture, NULL, demo_setup, test_users_default_vs_select, teardown);
  g_test_add ("/fake/graph/users/filters", Fixture, NULL, demo_setup, test_users_filters, teardown);
  g_test_add ("/fake/graph/users/consistency-level", Fixture, NULL, demo_setup, test_users_consistency_level, teardown);
  g_test_add ("/fake/graph/users/manager-and-photo", Fixture, NULL, demo_setup, test_users_manager_and_photo, teardown);
  g_test_add ("/fake/graph/groups/members-paging", Fixture, NULL, generated_setup, test_members_paging, teardown);
  g_test_add ("/fake/graph/users/member-of-nesting", Fixture, NULL, demo_setup, test_member_of_nesting, teardown);
  g_test_add ("/fake/graph/groups/kinds", Fixture, NULL, demo_setup, test_group_kinds, teardown);
  g_test_add ("/fake/graph/groups/members-need-scope", Fixture, NULL, demo_setup, test_members_need_group_member_read, teardown);
  g_test_add ("/fake/graph/organization-and-skus", Fixture, NULL, demo_setup, test_organization_and_skus, teardown);
  g_test_add ("/fake/graph/auth/basic-profile", Fixture, NULL, demo_setup, test_basic_profile, teardown);
  g_test_add ("/fake/graph/auth/app-only", Fixture, NULL, demo_setup, test_app_only, teardown);
  g_test_add ("/fake/graph/auth/expired-token", Fixture, NULL, demo_setup, test_expired_token, teardown);
  g_test_add ("/fake/graph/batch/limits", Fixture, NULL, demo_setup, test_batch_limits, teardown);
  g_test_add ("/fake/graph/batch/depends-on", Fixture, NULL, demo_setup, test_batch_depends_on, teardown);
  g_test_add_func ("/fake/graph/throttle/too-many-requests", test_throttle);
  return g_test_run ();
}
