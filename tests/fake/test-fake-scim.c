/* test-fake-scim.c: the fake's SCIM 2.0 service provider behaves like a strict RFC 7644 server
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fake-test-util.h"

#define SCIM_TYPE   "application/scim+json"
#define URN_USER    "urn:ietf:params:scim:schemas:core:2.0:User"
#define URN_GROUP   "urn:ietf:params:scim:schemas:core:2.0:Group"
#define URN_ENT     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define URN_ERROR   "urn:ietf:params:scim:api:messages:2.0:Error"
#define URN_PATCH   "urn:ietf:params:scim:api:messages:2.0:PatchOp"

static FakeResponse *
scim (MusterFakeTenant *tenant,
      const char       *method,
      const char       *path,
      const char       *body,
      const char       *header,
      const char       *value)
{
  g_autofree char *auth = g_strconcat ("Bearer ", muster_fake_tenant_get_scim_token (tenant), NULL);
  const char *headers[] = { "Authorization", auth, header, value, NULL };

  return fake_test_request (tenant, method, path, headers, body ? SCIM_TYPE : NULL, body);
}

static MusterFakeTenant *
start_in_mode (MusterFakeScimMode mode)
{
  MusterFakeOptions options;

  muster_fake_options_init (&options);
  options.scim_mode = mode;
  return fake_test_start_tenant (&options);
}

static JsonObject *
root (FakeResponse *r)
{
  g_assert_nonnull (r->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  return json_node_get_object (r->json);
}

/* Asserts a SCIM error body (RFC 7644 §3.12) with "status" as a string. */
static void
assert_scim_error (FakeResponse *r,
                   guint         status,
                   const char   *scim_type)
{
  g_autofree char *status_text = g_strdup_printf ("%u", status);
  JsonObject *object;

  g_assert_cmpuint (r->status, ==, status);
  object = root (r);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (object, "schemas"), 0), ==,
                   URN_ERROR);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "status")), ==, G_TYPE_STRING);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, status_text);
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "scimType", NULL), ==, scim_type);
  g_assert_nonnull (json_object_get_string_member (object, "detail"));
}

static char *
create_user (MusterFakeTenant *tenant,
             const char       *user_name,
             const char       *external_id)
{
  g_autofree char *body = g_strdup_printf ("{\"schemas\":[\"" URN_USER "\"],\"userName\":\"%s\","
                                           "\"externalId\":\"%s\",\"active\":true,"
                                           "\"name\":{\"givenName\":\"G\",\"familyName\":\"F\"},"
                                           "\"emails\":[{\"value\":\"%s\",\"type\":\"work\",\"primary\":true}]}",
                                           user_name, external_id, user_name);
  g_autoptr(FakeResponse) r = scim (tenant, "POST", "/scim/v2/Users", body, NULL, NULL);

  g_assert_cmpuint (r->status, ==, 201);
  return g_strdup (json_object_get_string_member (root (r), "id"));
}

static FakeResponse *
get_filtered (MusterFakeTenant *tenant,
              const char       *endpoint,
              const char       *filter,
              const char       *extra)
{
  g_autofree char *escaped = g_uri_escape_string (filter, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/scim/v2/%s?filter=%s%s", endpoint, escaped, extra ? extra : "");

  return scim (tenant, "GET", path, NULL, NULL, NULL);
}

static void
test_create_user (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) r = scim (tenant, "POST", "/scim/v2/Users",
                                    "{\"schemas\":[\"" URN_USER "\",\"" URN_ENT "\"],"
                                    "\"userName\":\"ada@example.com\",\"externalId\":\"e-1\",\"active\":true,"
                                    "\"meta\":{\"resourceType\":\"User\"},\"roles\":[],"
                                    "\"" URN_ENT "\":{\"employeeNumber\":\"701984\",\"department\":\"Tour\"}}",
                                    NULL, NULL);
  const char *etag = soup_message_headers_get_one (r->headers, "ETag");
  const char *location = soup_message_headers_get_one (r->headers, "Location");
  g_autofree char *expected_location = NULL;
  JsonObject *user, *meta, *enterprise;

  g_assert_cmpuint (r->status, ==, 201);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, SCIM_TYPE);
  user = root (r);
  meta = json_object_get_object_member (user, "meta");
  expected_location = g_strconcat (muster_fake_tenant_get_base_url (tenant), "/scim/v2/Users/",
                                   json_object_get_string_member (user, "id"), NULL);

  g_assert_nonnull (etag);
  g_assert_true (g_str_has_prefix (etag, "W/\""));
  g_assert_cmpstr (json_object_get_string_member (meta, "version"), ==, etag);
  g_assert_cmpstr (location, ==, expected_location);
  g_assert_cmpstr (json_object_get_string_member (meta, "location"), ==, expected_location);
  g_assert_cmpstr (json_object_get_string_member (meta, "resourceType"), ==, "User");
  g_assert_nonnull (json_object_get_string_member (meta, "created"));
  g_assert_nonnull (json_object_get_string_member (meta, "lastModified"));
  g_assert_true (json_object_get_boolean_member (user, "active"));
  g_assert_false (json_object_has_member (user, "roles"));
  enterprise = json_object_get_object_member (user, URN_ENT);
  g_assert_cmpstr (json_object_get_string_member (enterprise, "employeeNumber"), ==, "701984");
  g_assert_cmpstr (json_object_get_string_member (enterprise, "department"), ==, "Tour");
}

static void
test_filter (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *id = create_user (tenant, "Ada.Lovelace@Example.com", "Ext-ABC");
  g_autoptr(FakeResponse) by_name = NULL;
  g_autoptr(FakeResponse) by_external = NULL;
  g_autoptr(FakeResponse) by_external_case = NULL;
  g_autoptr(FakeResponse) both = NULL;
  g_autoptr(FakeResponse) none = NULL;
  g_autoptr(FakeResponse) unsupported = NULL;
  JsonObject *list;

  g_free (create_user (tenant, "grace@example.com", "Ext-DEF"));

  /* userName is caseExact false (RFC 7643 §4.1.1), and attribute names are case-insensitive */
  by_name = get_filtered (tenant, "Users", "USERNAME eq \"ada.lovelace@example.com\"", NULL);
  g_assert_cmpuint (by_name->status, ==, 200);
  list = root (by_name);
  g_assert_cmpint (json_object_get_int_member (list, "totalResults"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (list, "Resources"), 0), "id"),
                   ==, id);

  by_external = get_filtered (tenant, "Users", "externalId eq \"Ext-ABC\"", NULL);
  g_assert_cmpint (json_object_get_int_member (root (by_external), "totalResults"), ==, 1);
  /* externalId is caseExact */
  by_external_case = get_filtered (tenant, "Users", "externalId eq \"ext-abc\"", NULL);
  g_assert_cmpint (json_object_get_int_member (root (by_external_case), "totalResults"), ==, 0);

  both = get_filtered (tenant, "Users", "userName eq \"ada.lovelace@example.com\" and externalId eq \"Ext-DEF\"", NULL);
  g_assert_cmpint (json_object_get_int_member (root (both), "totalResults"), ==, 0);

  none = get_filtered (tenant, "Users", "userName eq \"nobody@example.com\"", NULL);
  g_assert_cmpuint (none->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (root (none), "totalResults"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root (none), "Resources")), ==, 0);

  unsupported = get_filtered (tenant, "Users", "userName eq ada", NULL);
  assert_scim_error (unsupported, 400, "invalidFilter");
}

static char *
post_user (MusterFakeTenant *tenant,
           const char       *json)
{
  g_autoptr(FakeResponse) r = scim (tenant, "POST", "/scim/v2/Users", json, NULL, NULL);

  g_assert_cmpuint (r->status, ==, 201);
  return g_strdup (json_object_get_string_member (root (r), "id"));
}

/* The userNames a filter selects, in creation order, joined by ','. */
static char *
filter_user_names (MusterFakeTenant *tenant,
                   const char       *filter)
{
  g_autoptr(FakeResponse) r = get_filtered (tenant, "Users", filter, "&count=200");
  g_autoptr(GString) names = g_string_new (NULL);
  JsonArray *resources;

  if (r->status != 200)
    g_error ("filter %s: HTTP %u", filter, r->status);
  resources = json_object_get_array_member (root (r), "Resources");
  g_assert_cmpint (json_object_get_int_member (root (r), "totalResults"), ==, json_array_get_length (resources));
  for (guint i = 0; i < json_array_get_length (resources); i++)
    {
      if (i > 0)
        g_string_append_c (names, ',');
      g_string_append (names, json_object_get_string_member (json_array_get_object_element (resources, i),
                                                             "userName"));
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static void
assert_filter (MusterFakeTenant *tenant,
               const char       *filter,
               const char       *expected)
{
  g_autofree char *names = filter_user_names (tenant, filter);

  if (g_strcmp0 (names, expected) != 0)
    g_error ("filter %s selected \"%s\", expected \"%s\"", filter, names, expected);
}

static void
assert_invalid_filter (MusterFakeTenant *tenant,
                       const char       *filter)
{
  g_autoptr(FakeResponse) r = get_filtered (tenant, "Users", filter, NULL);

  if (r->status != 400)
    g_error ("filter %s: HTTP %u, expected 400 invalidFilter", filter, r->status);
  assert_scim_error (r, 400, "invalidFilter");
}

/* RFC 7644 §3.4.2.2 in full: every operator, and/or/not, grouping, value paths, case rules, types. */
static void
test_filter_grammar (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *ada = post_user (tenant, "{\"schemas\":[\"" URN_USER "\",\"" URN_ENT "\"],"
                                    "\"userName\":\"Ada@Example.com\",\"externalId\":\"Ext-1\",\"title\":\"Engineer\","
                                    "\"active\":true,\"userType\":\"Administrator\","
                                    "\"emails\":[{\"value\":\"ada@x.example\",\"type\":\"work\"},"
                                    "{\"value\":\"ada@home.example\",\"type\":\"home\"}],"
                                    "\"" URN_ENT "\":{\"department\":\"Tour\",\"employeeNumber\":\"7\"}}");
  g_autofree char *grace_json = NULL;
  g_autofree char *grace = NULL;
  g_autofree char *lin = NULL;
  g_autofree char *manager_filter = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) past = g_date_time_add_days (now, -1);
  g_autoptr(GDateTime) future = g_date_time_add_days (now, 1);
  g_autoptr(GTimeZone) plus_one = g_time_zone_new_offset (3600);
  g_autoptr(GDateTime) past_offset = g_date_time_to_timezone (past, plus_one);
  g_autofree char *past_text = g_date_time_format_iso8601 (past_offset);
  g_autofree char *future_text = g_date_time_format_iso8601 (future);
  g_autofree char *created_after = NULL;
  g_autofree char *created_before = NULL;
  g_autofree char *modified_window = NULL;

  grace_json = g_strdup_printf ("{\"schemas\":[\"" URN_USER "\",\"" URN_ENT "\"],"
                                "\"userName\":\"grace@example.com\",\"externalId\":\"ext-2\","
                                "\"active\":false,\"emails\":[{\"value\":\"grace@x.example\","
                                "\"type\":\"home\"}],\"" URN_ENT "\":{\"department\":\"Lab\","
                                "\"manager\":{\"value\":\"%s\"}}}", ada);
  grace = post_user (tenant, grace_json);
  lin = post_user (tenant, "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"lin@corp.example\",\"active\":true,"
                           "\"title\":\"\",\"emails\":[{\"value\":\"LIN@X.EXAMPLE\",\"type\":\"work\"}]}");

  /* every attribute operator */
  assert_filter (tenant, "userName ne \"ada@example.com\"", "grace@example.com,lin@corp.example");
  assert_filter (tenant, "userName co \"EXAMPLE.COM\"", "Ada@Example.com,grace@example.com");
  assert_filter (tenant, "userName sw \"g\"", "grace@example.com");
  assert_filter (tenant, "userName ew \"corp.example\"", "lin@corp.example");
  assert_filter (tenant, "userName gt \"b\"", "grace@example.com,lin@corp.example");
  assert_filter (tenant, "userName ge \"grace@example.com\"", "grace@example.com,lin@corp.example");
  assert_filter (tenant, "userName lt \"grace@example.com\"", "Ada@Example.com");
  assert_filter (tenant, "userName le \"GRACE@example.com\"", "Ada@Example.com,grace@example.com");
  /* "" is no value (RFC 7644 §3.4.2.2 "pr") */
  assert_filter (tenant, "title pr", "Ada@Example.com");
  assert_filter (tenant, "emails pr", "Ada@Example.com,grace@example.com,lin@corp.example");
  assert_filter (tenant, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr", "grace@example.com");

  /* logic: not binds tighter than and, and tighter than or; parentheses group */
  assert_filter (tenant, "userName sw \"a\" or userName sw \"l\"", "Ada@Example.com,lin@corp.example");
  assert_filter (tenant, "userName sw \"a\" or userName sw \"g\" and active eq true", "Ada@Example.com");
  assert_filter (tenant, "active eq false or userName sw \"a\" and title pr", "Ada@Example.com,grace@example.com");
  assert_filter (tenant, "title pr and userName sw \"a\" or active eq false", "Ada@Example.com,grace@example.com");
  assert_filter (tenant, "(userName sw \"a\" or userName sw \"g\") and active eq false", "grace@example.com");
  assert_filter (tenant, "not (active eq true)", "grace@example.com");
  assert_filter (tenant, "not(title pr) and not (userName co \"corp\")", "grace@example.com");
  assert_filter (tenant, "((userName eq \"lin@corp.example\"))", "lin@corp.example");

  /* value paths, with and inside, and Entra's trailing form */
  assert_filter (tenant, "emails[type eq \"work\" and value co \"@x\"]", "Ada@Example.com,lin@corp.example");
  assert_filter (tenant, "emails[type eq \"home\" or value sw \"lin\"]",
                 "Ada@Example.com,grace@example.com,lin@corp.example");
  assert_filter (tenant, "emails[not (type eq \"work\")] and active eq true", "Ada@Example.com");
  assert_filter (tenant, "emails[type eq \"work\"].value eq \"lin@x.example\"", "lin@corp.example");
  assert_filter (tenant, "emails.value ew \"@home.example\"", "Ada@Example.com");

  /* case: attribute names, operators and logical words are case-insensitive; values follow
   * caseExact (userName and emails.value false, externalId true) */
  assert_filter (tenant, "USERNAME EQ \"ada@example.com\" OR Emails[TYPE Eq \"home\"].Value Co \"GRACE\"",
                 "Ada@Example.com,grace@example.com");
  assert_filter (tenant, "externalId sw \"ext\"", "grace@example.com");
  assert_filter (tenant, "externalId eq \"EXT-1\"", "");
  assert_filter (tenant, "id eq \"no-such-id\" or externalId ew \"-1\"", "Ada@Example.com");

  /* extension attributes by their URN; userType */
  assert_filter (tenant, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq \"tour\"",
                 "Ada@Example.com");
  manager_filter = g_strdup_printf (URN_ENT ":manager.value eq \"%s\"", ada);
  assert_filter (tenant, manager_filter, "grace@example.com");
  assert_filter (tenant, "userType eq \"administrator\"", "Ada@Example.com");

  /* types: booleans by value, dates chronologically whatever their offset */
  assert_filter (tenant, "active eq false", "grace@example.com");
  assert_filter (tenant, "active ne false", "Ada@Example.com,lin@corp.example");
  created_after = g_strdup_printf ("meta.created gt \"%s\"", past_text);
  assert_filter (tenant, created_after, "Ada@Example.com,grace@example.com,lin@corp.example");
  created_before = g_strdup_printf ("meta.created lt \"%s\"", past_text);
  assert_filter (tenant, created_before, "");
  modified_window = g_strdup_printf ("meta.lastModified ge \"%s\" and meta.lastModified le \"%s\" and "
                                     "userName sw \"l\"", past_text, future_text);
  assert_filter (tenant, modified_window, "lin@corp.example");
  assert_filter (tenant, "meta.resourceType eq \"User\" and title eq \"Engineer\"", "Ada@Example.com");

  /* and what the grammar or the types forbid */
  assert_invalid_filter (tenant, "active eq \"false\"");
  assert_invalid_filter (tenant, "active gt false");
  assert_invalid_filter (tenant, "userName eq 5");
  assert_invalid_filter (tenant, "userName co null");
  assert_invalid_filter (tenant, "meta.created gt \"yesterday\"");
  assert_invalid_filter (tenant, "userName eq True");
  assert_invalid_filter (tenant, "userName eq \"a\" or");
  assert_invalid_filter (tenant, "(userName eq \"a\"");
  assert_invalid_filter (tenant, "userName eq \"a\")");
  assert_invalid_filter (tenant, "not userName eq \"a\"");
  assert_invalid_filter (tenant, "userName xx \"a\"");
  assert_invalid_filter (tenant, "userName");
  assert_invalid_filter (tenant, "shoeSize eq 44");
  assert_invalid_filter (tenant, "emails[type eq \"work\"");
  assert_invalid_filter (tenant, "emails[shoe eq \"x\"]");
  assert_invalid_filter (tenant, "title[value eq \"x\"]");
  assert_invalid_filter (tenant, "emails[type eq \"work\" and emails[type eq \"home\"]]");
  assert_invalid_filter (tenant, "name eq \"Ada\"");
  assert_invalid_filter (tenant, "userName eq \"unterminated");
}

static void
test_paging (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) page = NULL;
  g_autoptr(FakeResponse) past = NULL;
  JsonObject *list;
  JsonArray *resources;

  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("user%u@example.com", i);
      g_autofree char *ext = g_strdup_printf ("ext-%u", i);

      g_free (create_user (tenant, name, ext));
    }

  page = scim (tenant, "GET", "/scim/v2/Users?startIndex=2&count=2", NULL, NULL, NULL);
  g_assert_cmpuint (page->status, ==, 200);
  list = root (page);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (list, "schemas"), 0), ==,
                   "urn:ietf:params:scim:api:messages:2.0:ListResponse");
  g_assert_cmpint (json_object_get_int_member (list, "totalResults"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (list, "itemsPerPage"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (list, "startIndex"), ==, 2);
  resources = json_object_get_array_member (list, "Resources");
  g_assert_cmpuint (json_array_get_length (resources), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (resources, 0), "userName"), ==,
                   "user2@example.com");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (resources, 1), "userName"), ==,
                   "user3@example.com");

  past = scim (tenant, "GET", "/scim/v2/Users?startIndex=5&count=10", NULL, NULL, NULL);
  g_assert_cmpint (json_object_get_int_member (root (past), "itemsPerPage"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (root (past), "totalResults"), ==, 5);
}

static void
test_patch_active (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *id = create_user (tenant, "ada@example.com", "e-1");
  g_autofree char *path = g_strconcat ("/scim/v2/Users/", id, NULL);
  g_autoptr(FakeResponse) patch = NULL;
  g_autoptr(FakeResponse) get = NULL;
  g_autoptr(FakeResponse) email = NULL;
  JsonObject *user;

  patch = scim (tenant, "PATCH", path,
                "{\"schemas\":[\"" URN_PATCH "\"],"
                "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false},"
                "{\"op\":\"replace\",\"path\":\"name.givenName\",\"value\":\"Augusta\"}]}",
                NULL, NULL);
  g_assert_cmpuint (patch->status, ==, 200);
  g_assert_false (json_object_get_boolean_member (root (patch), "active"));

  get = scim (tenant, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint (get->status, ==, 200);
  user = root (get);
  g_assert_true (json_object_has_member (user, "active"));
  g_assert_false (json_object_get_boolean_member (user, "active"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (user, "name"), "givenName"), ==,
                   "Augusta");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (user, "name"), "familyName"), ==,
                   "F");
  g_assert_cmpstr (soup_message_headers_get_one (get->headers, "ETag"), ==,
                   soup_message_headers_get_one (patch->headers, "ETag"));

  email = scim (tenant, "PATCH", path,
                "{\"schemas\":[\"" URN_PATCH "\"],\"Operations\":[{\"op\":\"replace\","
                "\"path\":\"emails[type eq \\\"work\\\"].value\",\"value\":\"augusta@example.com\"},"
                "{\"op\":\"add\",\"path\":\"" URN_ENT ":manager\",\"value\":{\"value\":\"m-1\"}}]}",
                NULL, NULL);
  g_assert_cmpuint (email->status, ==, 200);
  user = root (email);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (user, "emails"), 0), "value"),
                   ==, "augusta@example.com");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_object_get_object_member (user, URN_ENT), "manager"), "value"),
                   ==, "m-1");
}

static void
test_stale_if_match (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *id = create_user (tenant, "ada@example.com", "e-1");
  g_autofree char *path = g_strconcat ("/scim/v2/Users/", id, NULL);
  g_autoptr(FakeResponse) first = scim (tenant, "GET", path, NULL, NULL, NULL);
  g_autofree char *etag = g_strdup (soup_message_headers_get_one (first->headers, "ETag"));
  const char *body = "{\"schemas\":[\"" URN_PATCH "\"],"
                     "\"Operations\":[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Ada\"}]}";
  g_autoptr(FakeResponse) fresh = scim (tenant, "PATCH", path, body, "If-Match", etag);
  g_autoptr(FakeResponse) stale = NULL;
  g_autoptr(FakeResponse) not_modified = NULL;

  g_assert_cmpuint (fresh->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (fresh->headers, "ETag"), !=, etag);

  stale = scim (tenant, "PATCH", path, body, "If-Match", etag);
  assert_scim_error (stale, 412, NULL);

  not_modified = scim (tenant, "GET", path, NULL, "If-None-Match",
                       soup_message_headers_get_one (fresh->headers, "ETag"));
  g_assert_cmpuint (not_modified->status, ==, 304);
}

static void
test_duplicate_user_name (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) dup = NULL;
  g_autoptr(FakeResponse) dup_external = NULL;

  g_free (create_user (tenant, "ada@example.com", "e-1"));
  dup = scim (tenant, "POST", "/scim/v2/Users",
              "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"ADA@example.COM\"}", NULL, NULL);
  assert_scim_error (dup, 409, "uniqueness");

  dup_external = scim (tenant, "POST", "/scim/v2/Users",
                       "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"other@example.com\",\"externalId\":\"e-1\"}",
                       NULL, NULL);
  assert_scim_error (dup_external, 409, "uniqueness");
}

static void
test_strict_types (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *id = create_user (tenant, "ada@example.com", "e-1");
  g_autofree char *path = g_strconcat ("/scim/v2/Users/", id, NULL);
  g_autoptr(FakeResponse) string_bool = NULL;
  g_autoptr(FakeResponse) patch_string_bool = NULL;
  g_autoptr(FakeResponse) number_name = NULL;
  g_autoptr(FakeResponse) unknown_schema = NULL;
  g_autoptr(FakeResponse) malformed = NULL;
  g_autoptr(FakeResponse) unknown_attr = NULL;
  g_autoptr(FakeResponse) still = NULL;

  string_bool = scim (tenant, "POST", "/scim/v2/Users",
                      "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"b@example.com\",\"active\":\"False\"}",
                      NULL, NULL);
  assert_scim_error (string_bool, 400, "invalidValue");

  /* Entra's legacy PATCH value: rejected whole, the user stays active */
  patch_string_bool = scim (tenant, "PATCH", path,
                            "{\"schemas\":[\"" URN_PATCH "\"],"
                            "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":\"False\"}]}",
                            NULL, NULL);
  assert_scim_error (patch_string_bool, 400, "invalidValue");
  still = scim (tenant, "GET", path, NULL, NULL, NULL);
  g_assert_true (json_object_get_boolean_member (root (still), "active"));

  number_name = scim (tenant, "POST", "/scim/v2/Users",
                      "{\"schemas\":[\"" URN_USER "\"],\"userName\":42}", NULL, NULL);
  assert_scim_error (number_name, 400, "invalidValue");

  unknown_schema = scim (tenant, "POST", "/scim/v2/Groups",
                         "{\"schemas\":[\"" URN_GROUP "\",\"http://schemas.microsoft.com/2006/11/"
                         "ResourceManagement/ADSCIM/2.0/Group\"],\"displayName\":\"G\"}",
                         NULL, NULL);
  assert_scim_error (unknown_schema, 400, "invalidSyntax");

  malformed = scim (tenant, "POST", "/scim/v2/Users", "{\"schemas\":[", NULL, NULL);
  assert_scim_error (malformed, 400, "invalidSyntax");

  unknown_attr = scim (tenant, "POST", "/scim/v2/Users",
                       "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"c@example.com\",\"shoeSize\":44}",
                       NULL, NULL);
  assert_scim_error (unknown_attr, 400, "invalidSyntax");
}

static FakeResponse *
control (MusterFakeTenant *tenant,
         const char       *path,
         const char       *body)
{
  return fake_test_request (tenant, body ? "POST" : "GET", path, NULL, body ? "application/json" : NULL, body);
}

static gsize
body_length (FakeResponse *r)
{
  return r->body ? g_bytes_get_size (r->body) : 0;
}

/* RFC 7644 §3.5.2 writes the op values "add", "remove", "replace" and gives them no case rule
 * (§3.4.2.2 makes only filter operators case-insensitive): strict mode refuses Entra's "Replace",
 * field mode takes it; "False" for a boolean likewise. */
static void
test_op_case_and_string_booleans (gconstpointer data)
{
  MusterFakeScimMode mode = GPOINTER_TO_INT (data);
  gboolean field = mode == MUSTER_FAKE_SCIM_MODE_FIELD;
  g_autoptr(MusterFakeTenant) tenant = start_in_mode (mode);
  g_autofree char *id = create_user (tenant, "ada@example.com", "e-1");
  g_autofree char *path = g_strconcat ("/scim/v2/Users/", id, NULL);
  g_autoptr(FakeResponse) capitalised = NULL, string_bool = NULL, post_string = NULL, get = NULL;
  g_autoptr(FakeResponse) get_after = NULL, created = NULL, group_add = NULL;

  capitalised = scim (tenant, "PATCH", path,
                      "{\"schemas\":[\"" URN_PATCH "\"],"
                      "\"Operations\":[{\"op\":\"Replace\",\"path\":\"displayName\",\"value\":\"Ada\"}]}",
                      NULL, NULL);
  if (field)
    g_assert_cmpuint (capitalised->status, ==, 204);
  else
    assert_scim_error (capitalised, 400, "invalidSyntax");

  string_bool = scim (tenant, "PATCH", path,
                      "{\"schemas\":[\"" URN_PATCH "\"],"
                      "\"Operations\":[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}]}",
                      NULL, NULL);
  get = scim (tenant, "GET", path, NULL, NULL, NULL);
  if (field)
    {
      g_assert_cmpuint (string_bool->status, ==, 204);
      /* stored as the boolean it means */
      g_assert_cmpint (json_node_get_value_type (json_object_get_member (root (get), "active")), ==, G_TYPE_BOOLEAN);
      g_assert_false (json_object_get_boolean_member (root (get), "active"));
      g_assert_cmpstr (json_object_get_string_member (root (get), "displayName"), ==, "Ada");
    }
  else
    {
      g_assert_cmpuint (string_bool->status, ==, 400);
      g_assert_true (json_object_get_boolean_member (root (get), "active"));
      g_assert_false (json_object_has_member (root (get), "displayName"));
    }

  post_string = scim (tenant, "POST", "/scim/v2/Users",
                      "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"b@example.com\",\"active\":\"True\","
                      "\"emails\":[{\"value\":\"b@example.com\",\"primary\":\"true\"}]}",
                      NULL, NULL);
  if (field)
    {
      JsonObject *email;

      g_assert_cmpuint (post_string->status, ==, 201);
      g_assert_true (json_object_get_boolean_member (root (post_string), "active"));
      email = json_array_get_object_element (json_object_get_array_member (root (post_string), "emails"), 0);
      g_assert_true (json_object_get_boolean_member (email, "primary"));
    }
  else
    assert_scim_error (post_string, 400, "invalidValue");

  /* not every string passes: "no" is no boolean in either mode */
  get_after = scim (tenant, "PATCH", path,
                    "{\"schemas\":[\"" URN_PATCH "\"],"
                    "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":\"no\"}]}",
                    NULL, NULL);
  assert_scim_error (get_after, 400, "invalidValue");

  /* capitalised ops on groups too, the way Entra adds members */
  created = scim (tenant, "POST", "/scim/v2/Groups",
                  "{\"schemas\":[\"" URN_GROUP "\"],\"displayName\":\"G\"}", NULL, NULL);
  g_assert_cmpuint (created->status, ==, 201);
  {
    g_autofree char *group_path = g_strconcat ("/scim/v2/Groups/", json_object_get_string_member (root (created), "id"),
                                               NULL);
    g_autofree char *add = g_strdup_printf ("{\"schemas\":[\"" URN_PATCH "\"],\"Operations\":[{\"op\":\"Add\","
                                            "\"path\":\"members\",\"value\":[{\"value\":\"%s\"}]}]}", id);

    group_add = scim (tenant, "PATCH", group_path, add, NULL, NULL);
    if (field)
      g_assert_cmpuint (group_add->status, ==, 204);
    else
      assert_scim_error (group_add, 400, "invalidSyntax");
  }
}

/* Field mode: no Location on 201, no ETags, PATCH 204 with no body. */
static void
test_field_mode_writes (void)
{
  g_autoptr(MusterFakeTenant) tenant = start_in_mode (MUSTER_FAKE_SCIM_MODE_FIELD);
  g_autoptr(FakeResponse) created = scim (tenant, "POST", "/scim/v2/Users",
                                          "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"ada@example.com\","
                                          "\"active\":true}", NULL, NULL);
  g_autoptr(FakeResponse) spc = NULL, get = NULL, patch = NULL, after = NULL, not_modified = NULL, put = NULL;
  g_autoptr(FakeResponse) deleted = NULL, group = NULL, group_patch = NULL;
  g_autofree char *path = NULL;
  g_autofree char *group_path = NULL;
  JsonObject *meta;

  g_assert_cmpuint (created->status, ==, 201);
  g_assert_null (soup_message_headers_get_one (created->headers, "Location"));
  g_assert_null (soup_message_headers_get_one (created->headers, "ETag"));
  meta = json_object_get_object_member (root (created), "meta");
  g_assert_false (json_object_has_member (meta, "version"));
  g_assert_nonnull (json_object_get_string_member (meta, "location"));
  path = g_strconcat ("/scim/v2/Users/", json_object_get_string_member (root (created), "id"), NULL);

  spc = scim (tenant, "GET", "/scim/v2/ServiceProviderConfig", NULL, NULL, NULL);
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (root (spc), "etag"), "supported"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (root (spc), "patch"), "supported"));

  get = scim (tenant, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint (get->status, ==, 200);
  g_assert_null (soup_message_headers_get_one (get->headers, "ETag"));

  /* a precondition the service cannot evaluate is ignored, not 412 */
  patch = scim (tenant, "PATCH", path,
                "{\"schemas\":[\"" URN_PATCH "\"],"
                "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}",
                "If-Match", "W/\"no-such-version\"");
  g_assert_cmpuint (patch->status, ==, 204);
  g_assert_cmpuint (body_length (patch), ==, 0);
  g_assert_null (soup_message_headers_get_one (patch->headers, "ETag"));
  after = scim (tenant, "GET", path, NULL, NULL, NULL);
  g_assert_false (json_object_get_boolean_member (root (after), "active"));
  not_modified = scim (tenant, "GET", path, NULL, "If-None-Match", "*");
  g_assert_cmpuint (not_modified->status, ==, 200);

  put = scim (tenant, "PUT", path,
              "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"ada@example.com\",\"active\":true}",
              "If-Match", "W/\"stale\"");
  g_assert_cmpuint (put->status, ==, 200);
  g_assert_null (soup_message_headers_get_one (put->headers, "ETag"));

  group = scim (tenant, "POST", "/scim/v2/Groups", "{\"schemas\":[\"" URN_GROUP "\"],\"displayName\":\"G\"}",
                NULL, NULL);
  g_assert_cmpuint (group->status, ==, 201);
  g_assert_null (soup_message_headers_get_one (group->headers, "Location"));
  group_path = g_strconcat ("/scim/v2/Groups/", json_object_get_string_member (root (group), "id"), NULL);
  group_patch = scim (tenant, "PATCH", group_path,
                      "{\"schemas\":[\"" URN_PATCH "\"],"
                      "\"Operations\":[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"H\"}]}",
                      "If-Match", "W/\"1\"");
  g_assert_cmpuint (group_patch->status, ==, 204);
  g_assert_cmpuint (body_length (group_patch), ==, 0);

  deleted = scim (tenant, "DELETE", path, NULL, "If-Match", "W/\"stale\"");
  g_assert_cmpuint (deleted->status, ==, 204);
}

static void
assert_page (FakeResponse *r,
             gint64        total,
             guint         first,
             guint         n)
{
  JsonArray *resources;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (root (r), "totalResults"), ==, total);
  g_assert_cmpint (json_object_get_int_member (root (r), "itemsPerPage"), ==, n);
  resources = json_object_get_array_member (root (r), "Resources");
  g_assert_cmpuint (json_array_get_length (resources), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *expected = g_strdup_printf ("user%02u@example.com", first + i);

      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (resources, i), "userName"), ==,
                       expected);
    }
}

/* Field mode pages by 20 without "count" and repeats the last page past the end. */
static void
test_field_mode_paging (gconstpointer data)
{
  MusterFakeScimMode mode = GPOINTER_TO_INT (data);
  gboolean field = mode == MUSTER_FAKE_SCIM_MODE_FIELD;
  g_autoptr(MusterFakeTenant) tenant = start_in_mode (mode);
  g_autoptr(FakeResponse) first = NULL, second = NULL, past = NULL, past_small = NULL, filtered = NULL;

  for (guint i = 1; i <= 25; i++)
    {
      g_autofree char *name = g_strdup_printf ("user%02u@example.com", i);
      g_autofree char *ext = g_strdup_printf ("ext-%u", i);

      g_free (create_user (tenant, name, ext));
    }

  first = scim (tenant, "GET", "/scim/v2/Users", NULL, NULL, NULL);
  assert_page (first, 25, 1, field ? 20 : 25);
  second = scim (tenant, "GET", "/scim/v2/Users?startIndex=21", NULL, NULL, NULL);
  assert_page (second, 25, 21, 5);

  past = scim (tenant, "GET", "/scim/v2/Users?startIndex=41&count=20", NULL, NULL, NULL);
  if (field)
    assert_page (past, 25, 21, 5);
  else
    assert_page (past, 25, 1, 0);
  past_small = scim (tenant, "GET", "/scim/v2/Users?startIndex=26&count=10", NULL, NULL, NULL);
  if (field)
    assert_page (past_small, 25, 21, 5);
  else
    assert_page (past_small, 25, 1, 0);

  filtered = get_filtered (tenant, "Users", "userName sw \"user0\"", "&startIndex=100&count=4");
  if (field)
    assert_page (filtered, 9, 9, 1);
  else
    assert_page (filtered, 9, 1, 0);
}

/* POST /_fake/scim/mode switches at run time; GET reads it. */
static void
test_mode_control (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) initial = control (tenant, "/_fake/scim/mode", NULL);
  g_autoptr(FakeResponse) to_field = control (tenant, "/_fake/scim/mode", "{\"mode\":\"field\"}");
  g_autoptr(FakeResponse) now_field = control (tenant, "/_fake/scim/mode", NULL);
  g_autoptr(FakeResponse) bogus = control (tenant, "/_fake/scim/mode", "{\"mode\":\"lax\"}");
  g_autoptr(FakeResponse) not_json = control (tenant, "/_fake/scim/mode", "field");
  g_autoptr(FakeResponse) field_post = NULL, field_spc = NULL, to_strict = NULL, strict_post = NULL;

  g_assert_cmpstr (fake_response_get_string (initial, "mode"), ==, "strict");
  g_assert_cmpuint (to_field->status, ==, 204);
  g_assert_cmpstr (fake_response_get_string (now_field, "mode"), ==, "field");
  g_assert_cmpuint (bogus->status, ==, 400);
  g_assert_cmpuint (not_json->status, ==, 400);

  field_post = scim (tenant, "POST", "/scim/v2/Users",
                     "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"a@example.com\"}", NULL, NULL);
  g_assert_cmpuint (field_post->status, ==, 201);
  g_assert_null (soup_message_headers_get_one (field_post->headers, "Location"));
  field_spc = scim (tenant, "GET", "/scim/v2/ServiceProviderConfig", NULL, NULL, NULL);
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (root (field_spc), "etag"),
                                                  "supported"));

  to_strict = control (tenant, "/_fake/scim/mode", "{\"mode\":\"strict\"}");
  g_assert_cmpuint (to_strict->status, ==, 204);
  strict_post = scim (tenant, "POST", "/scim/v2/Users",
                      "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"b@example.com\"}", NULL, NULL);
  g_assert_cmpuint (strict_post->status, ==, 201);
  g_assert_nonnull (soup_message_headers_get_one (strict_post->headers, "Location"));
  g_assert_nonnull (soup_message_headers_get_one (strict_post->headers, "ETag"));
}

/* POST /_fake/scim/latency holds every SCIM request back by N ms. */
static void
test_latency (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) set = control (tenant, "/_fake/scim/latency", "{\"ms\":400}");
  g_autoptr(FakeResponse) read = control (tenant, "/_fake/scim/latency", NULL);
  g_autoptr(FakeResponse) slow = NULL, bad = NULL, negative = NULL, off = NULL, read_off = NULL;
  gint64 start;

  g_assert_cmpuint (set->status, ==, 204);
  g_assert_cmpint (json_object_get_int_member (root (read), "ms"), ==, 400);

  start = g_get_monotonic_time ();
  slow = scim (tenant, "GET", "/scim/v2/Users", NULL, NULL, NULL);
  g_assert_cmpuint (slow->status, ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 400 * 1000);
  /* writes too, and they still take effect */
  start = g_get_monotonic_time ();
  g_free (create_user (tenant, "ada@example.com", "e-1"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 400 * 1000);

  bad = control (tenant, "/_fake/scim/latency", "{\"ms\":\"400\"}");
  g_assert_cmpuint (bad->status, ==, 400);
  negative = control (tenant, "/_fake/scim/latency", "{\"ms\":-1}");
  g_assert_cmpuint (negative->status, ==, 400);
  off = control (tenant, "/_fake/scim/latency", "{\"ms\":0}");
  g_assert_cmpuint (off->status, ==, 204);
  read_off = control (tenant, "/_fake/scim/latency", NULL);
  g_assert_cmpint (json_object_get_int_member (root (read_off), "ms"), ==, 0);
}

static FakeResponse *
patch_display_name (MusterFakeTenant *tenant,
                    const char       *id,
                    const char       *display_name)
{
  g_autofree char *path = g_strconcat ("/scim/v2/Users/", id, NULL);
  g_autofree char *body = g_strdup_printf ("{\"schemas\":[\"" URN_PATCH "\"],\"Operations\":[{\"op\":\"replace\","
                                           "\"path\":\"displayName\",\"value\":\"%s\"}]}", display_name);

  return scim (tenant, "PATCH", path, body, NULL, NULL);
}

static const char *
display_name_of (MusterFakeTenant *tenant,
                 const char       *id,
                 FakeResponse    **keep)
{
  g_autofree char *path = g_strconcat ("/scim/v2/Users/", id, NULL);

  *keep = scim (tenant, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint ((*keep)->status, ==, 200);
  return json_object_get_string_member_with_default (root (*keep), "displayName", NULL);
}

/* POST /_fake/scim/fail-users makes writes touching one user fail, in either mode. */
static void
test_fail_users (gconstpointer data)
{
  MusterFakeScimMode mode = GPOINTER_TO_INT (data);
  guint patch_ok = mode == MUSTER_FAKE_SCIM_MODE_FIELD ? 204 : 200;
  g_autoptr(MusterFakeTenant) tenant = start_in_mode (mode);
  g_autofree char *ada = create_user (tenant, "ada@example.com", "e-1");
  g_autofree char *grace = create_user (tenant, "grace@example.com", "e-2");
  g_autofree char *grace_path = g_strconcat ("/scim/v2/Users/", grace, NULL);
  g_autoptr(FakeResponse) rule = NULL, r1 = NULL, r2 = NULL, r3 = NULL, g1 = NULL, other = NULL, get = NULL;
  g_autoptr(FakeResponse) always = NULL, d1 = NULL, d2 = NULL, still = NULL, group = NULL, add_grace = NULL;
  g_autoptr(FakeResponse) add_ada = NULL, new_rule = NULL, create = NULL, none = NULL, busy = NULL, b1 = NULL;
  g_autoptr(FakeResponse) b2 = NULL, bad = NULL, bad_status = NULL, clear = NULL, d3 = NULL;
  g_autoptr(FakeResponse) keep1 = NULL, keep2 = NULL, keep3 = NULL;
  g_autofree char *group_path = NULL;
  g_autofree char *add_grace_body = NULL;
  g_autofree char *add_ada_body = NULL;

  /* twice 409, then through; userName compares case-insensitively */
  rule = control (tenant, "/_fake/scim/fail-users", "{\"userName\":\"ADA@example.com\",\"status\":409,\"times\":2}");
  g_assert_cmpuint (rule->status, ==, 204);
  r1 = patch_display_name (tenant, ada, "Ada");
  assert_scim_error (r1, 409, "uniqueness");
  g1 = scim (tenant, "GET", "/scim/v2/Users?filter=userName%20eq%20%22ada%40example.com%22", NULL, NULL, NULL);
  g_assert_cmpuint (g1->status, ==, 200);
  g_assert_null (display_name_of (tenant, ada, &keep1));
  r2 = patch_display_name (tenant, ada, "Ada");
  assert_scim_error (r2, 409, "uniqueness");
  other = patch_display_name (tenant, grace, "Grace");
  g_assert_cmpuint (other->status, ==, patch_ok);
  r3 = patch_display_name (tenant, ada, "Ada");
  g_assert_cmpuint (r3->status, ==, patch_ok);
  g_assert_cmpstr (display_name_of (tenant, ada, &keep2), ==, "Ada");

  /* every time, for deletes and for group memberships too */
  always = control (tenant, "/_fake/scim/fail-users",
                    "{\"userName\":\"grace@example.com\",\"status\":500,\"times\":0}");
  g_assert_cmpuint (always->status, ==, 204);
  d1 = scim (tenant, "DELETE", grace_path, NULL, NULL, NULL);
  assert_scim_error (d1, 500, NULL);
  d2 = scim (tenant, "DELETE", grace_path, NULL, NULL, NULL);
  assert_scim_error (d2, 500, NULL);
  g_assert_cmpstr (display_name_of (tenant, grace, &keep3), ==, "Grace");
  group = scim (tenant, "POST", "/scim/v2/Groups", "{\"schemas\":[\"" URN_GROUP "\"],\"displayName\":\"G\"}",
                NULL, NULL);
  g_assert_cmpuint (group->status, ==, 201);
  group_path = g_strconcat ("/scim/v2/Groups/", json_object_get_string_member (root (group), "id"), NULL);
  add_grace_body = g_strdup_printf ("{\"schemas\":[\"" URN_PATCH "\"],\"Operations\":[{\"op\":\"add\","
                                    "\"path\":\"members\",\"value\":[{\"value\":\"%s\"}]}]}", grace);
  add_grace = scim (tenant, "PATCH", group_path, add_grace_body, NULL, NULL);
  assert_scim_error (add_grace, 500, NULL);
  add_ada_body = g_strdup_printf ("{\"schemas\":[\"" URN_PATCH "\"],\"Operations\":[{\"op\":\"add\","
                                  "\"path\":\"members\",\"value\":[{\"value\":\"%s\"}]}]}", ada);
  add_ada = scim (tenant, "PATCH", group_path, add_ada_body, NULL, NULL);
  g_assert_cmpuint (add_ada->status, ==, 204);

  /* a create: 400 invalidValue, and nothing is made */
  new_rule = control (tenant, "/_fake/scim/fail-users", "{\"userName\":\"lin@example.com\",\"status\":400}");
  g_assert_cmpuint (new_rule->status, ==, 204);
  create = scim (tenant, "POST", "/scim/v2/Users", "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"Lin@Example.com\"}",
                 NULL, NULL);
  assert_scim_error (create, 400, "invalidValue");
  none = get_filtered (tenant, "Users", "userName eq \"lin@example.com\"", NULL);
  g_assert_cmpint (json_object_get_int_member (root (none), "totalResults"), ==, 0);

  /* a new rule replaces the old one for the same user; Retry-After on request */
  busy = control (tenant, "/_fake/scim/fail-users",
                  "{\"userName\":\"ada@example.com\",\"status\":503,\"times\":1,\"retryAfter\":2}");
  g_assert_cmpuint (busy->status, ==, 204);
  b1 = patch_display_name (tenant, ada, "Augusta");
  assert_scim_error (b1, 503, NULL);
  g_assert_cmpstr (soup_message_headers_get_one (b1->headers, "Retry-After"), ==, "2");
  b2 = patch_display_name (tenant, ada, "Augusta");
  g_assert_cmpuint (b2->status, ==, patch_ok);

  bad = control (tenant, "/_fake/scim/fail-users", "{\"status\":500}");
  g_assert_cmpuint (bad->status, ==, 400);
  bad_status = control (tenant, "/_fake/scim/fail-users", "{\"userName\":\"x@example.com\",\"status\":302}");
  g_assert_cmpuint (bad_status->status, ==, 400);

  clear = fake_test_request (tenant, "DELETE", "/_fake/scim/fail-users", NULL, NULL, NULL);
  g_assert_cmpuint (clear->status, ==, 204);
  d3 = scim (tenant, "DELETE", grace_path, NULL, NULL, NULL);
  g_assert_cmpuint (d3->status, ==, 204);
  still = scim (tenant, "GET", grace_path, NULL, NULL, NULL);
  assert_scim_error (still, 404, NULL);

  /* reset drops the rules too */
  get = control (tenant, "/_fake/scim/fail-users", "{\"userName\":\"ada@example.com\",\"status\":500}");
  g_assert_cmpuint (get->status, ==, 204);
  g_clear_pointer (&clear, fake_response_free);
  clear = control (tenant, "/_fake/scim/reset", "{}");
  g_assert_cmpuint (clear->status, ==, 204);
  g_free (create_user (tenant, "ada@example.com", "e-1"));
}

/* muster-fake-tenant --scim-mode field|strict, as a program */
static void
test_mode_option (void)
{
  const char *build_dir = g_getenv ("MUSTER_BUILD_DIR");
  g_autofree char *program = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) bad = NULL;
  g_autoptr(GSubprocess) fake = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *first_line = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *url = NULL;
  g_autofree char *text = NULL;

  if (build_dir == NULL)
    {
      g_test_skip ("MUSTER_BUILD_DIR is not set (run through meson test)");
      return;
    }
  program = g_build_filename (build_dir, "src", "fake", "muster-fake-tenant", NULL);

  bad = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, program, "--scim-mode", "lenient", NULL);
  g_assert_no_error (error);
  g_subprocess_wait (bad, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (bad), ==, 2);

  fake = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, program, "--scim-mode", "field", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fake));
  first_line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (first_line, "listening on "));

  url = g_strconcat (first_line + strlen ("listening on "), "/_fake/scim/mode", NULL);
  msg = soup_message_new ("GET", url);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  /* a GBytes body is not NUL-terminated */
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  json = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "mode"), ==, "field");

  g_subprocess_send_signal (fake, SIGTERM);
  g_subprocess_wait (fake, NULL, NULL);
}

static void
test_authentication (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  const char *wrong[] = { "Authorization", "Bearer not-the-token", NULL };
  g_autoptr(FakeResponse) missing = fake_test_request (tenant, "GET", "/scim/v2/Users", NULL, NULL, NULL);
  g_autoptr(FakeResponse) bad = fake_test_request (tenant, "GET", "/scim/v2/Users", wrong, NULL, NULL);
  g_autoptr(FakeResponse) good = scim (tenant, "GET", "/scim/v2/Users", NULL, NULL, NULL);

  g_assert_cmpuint (strlen (muster_fake_tenant_get_scim_token (tenant)), >=, 32);
  assert_scim_error (missing, 401, NULL);
  assert_scim_error (bad, 401, NULL);
  g_assert_nonnull (soup_message_headers_get_one (bad->headers, "WWW-Authenticate"));
  g_assert_cmpuint (good->status, ==, 200);
}

static JsonArray *
group_members (MusterFakeTenant *tenant,
               const char       *path,
               FakeResponse    **keep)
{
  *keep = scim (tenant, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint ((*keep)->status, ==, 200);
  if (!json_object_has_member (root (*keep), "members"))
    return NULL;
  return json_object_get_array_member (root (*keep), "members");
}

static void
test_group_members (gconstpointer data)
{
  g_autoptr(MusterFakeTenant) tenant = start_in_mode (GPOINTER_TO_INT (data));
  g_autofree char *u1 = create_user (tenant, "ada@example.com", "e-1");
  g_autofree char *u2 = create_user (tenant, "grace@example.com", "e-2");
  g_autoptr(FakeResponse) created = scim (tenant, "POST", "/scim/v2/Groups",
                                          "{\"schemas\":[\"" URN_GROUP "\"],\"displayName\":\"Engineers\","
                                          "\"externalId\":\"g-1\"}",
                                          NULL, NULL);
  g_autofree char *gid = g_strdup (json_object_get_string_member (root (created), "id"));
  g_autofree char *path = g_strconcat ("/scim/v2/Groups/", gid, NULL);
  g_autofree char *user_path = g_strconcat ("/scim/v2/Users/", u1, NULL);
  g_autofree char *add = g_strdup_printf ("{\"schemas\":[\"" URN_PATCH "\"],\"Operations\":[{\"op\":\"add\","
                                          "\"path\":\"members\",\"value\":[{\"$ref\":null,\"value\":\"%s\"},"
                                          "{\"value\":\"%s\"}]}]}", u1, u2);
  g_autofree char *remove = g_strdup_printf ("{\"schemas\":[\"" URN_PATCH "\"],\"Operations\":[{\"op\":\"remove\","
                                             "\"path\":\"members[value eq \\\"%s\\\"]\"}]}", u1);
  g_autofree char *remove_legacy = g_strdup_printf ("{\"schemas\":[\"" URN_PATCH "\"],\"Operations\":[{\"op\":"
                                                    "\"remove\",\"path\":\"members\",\"value\":[{\"value\":\"%s\"}]}]}",
                                                    u2);
  g_autofree char *bogus = g_strdup ("{\"schemas\":[\"" URN_PATCH "\"],\"Operations\":[{\"op\":\"add\","
                                     "\"path\":\"members\",\"value\":[{\"value\":\"no-such-id\"}]}]}");
  g_autoptr(FakeResponse) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL, r5 = NULL, r6 = NULL, r7 = NULL, r8 = NULL;
  g_autoptr(FakeResponse) by_name = NULL;
  JsonArray *members;

  g_assert_cmpuint (created->status, ==, 201);

  r1 = scim (tenant, "PATCH", path, add, NULL, NULL);
  g_assert_cmpuint (r1->status, ==, 204);
  members = group_members (tenant, path, &r2);
  g_assert_cmpuint (json_array_get_length (members), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (members, 0), "value"), ==, u1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (members, 0), "type"), ==, "User");

  /* the user's readOnly groups follow */
  r3 = scim (tenant, "GET", user_path, NULL, NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (root (r3), "groups"), 0), "value"),
                   ==, gid);

  /* Entra reads groups without members */
  by_name = get_filtered (tenant, "Groups", "displayName eq \"engineers\"", "&excludedAttributes=members");
  g_assert_cmpint (json_object_get_int_member (root (by_name), "totalResults"), ==, 1);
  g_assert_false (json_object_has_member (
                    json_array_get_object_element (json_object_get_array_member (root (by_name), "Resources"), 0),
                    "members"));

  r4 = scim (tenant, "PATCH", path, remove, NULL, NULL);
  g_assert_cmpuint (r4->status, ==, 204);
  members = group_members (tenant, path, &r5);
  g_assert_cmpuint (json_array_get_length (members), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (members, 0), "value"), ==, u2);

  r6 = scim (tenant, "PATCH", path, remove_legacy, NULL, NULL);
  g_assert_cmpuint (r6->status, ==, 204);
  g_assert_null (group_members (tenant, path, &r7));

  r8 = scim (tenant, "PATCH", path, bogus, NULL, NULL);
  assert_scim_error (r8, 400, "invalidValue");
}

static JsonObject *
find_element (JsonArray  *array,
              const char *value)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *element = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (element, "value", NULL), value) == 0)
        return element;
    }
  return NULL;
}

/* userType, roles (value, display, type, primary) and the enterprise extension (employeeNumber,
 * department, manager.value), written by POST, PATCH and PUT and read back, in either mode. */
static void
test_enterprise_roles (gconstpointer data)
{
  MusterFakeScimMode mode = GPOINTER_TO_INT (data);
  guint patch_ok = mode == MUSTER_FAKE_SCIM_MODE_FIELD ? 204 : 200;
  g_autoptr(MusterFakeTenant) tenant = start_in_mode (mode);
  g_autofree char *boss = create_user (tenant, "boss@example.com", "e-0");
  g_autofree char *other_boss = create_user (tenant, "other@example.com", "e-9");
  g_autofree char *body = g_strdup_printf ("{\"schemas\":[\"" URN_USER "\",\"" URN_ENT "\"],"
                                           "\"userName\":\"ada@example.com\",\"displayName\":\"Ada\","
                                           "\"userType\":\"Administrator\","
                                           "\"roles\":[{\"value\":\"editor\",\"display\":\"Editor\",\"type\":\"app\","
                                           "\"primary\":true},{\"value\":\"viewer\"}],"
                                           "\"" URN_ENT "\":{\"employeeNumber\":\"701984\",\"department\":\"Tour\","
                                           "\"manager\":{\"value\":\"%s\"}}}", boss);
  g_autoptr(FakeResponse) created = scim (tenant, "POST", "/scim/v2/Users", body, NULL, NULL);
  g_autofree char *path = NULL;
  g_autofree char *patch = NULL;
  g_autofree char *put = NULL;
  g_autoptr(FakeResponse) got = NULL, patched = NULL, after = NULL, by_role = NULL, by_manager = NULL;
  g_autoptr(FakeResponse) removed = NULL, after_remove = NULL, replaced = NULL;
  g_autofree char *manager_filter = NULL;
  JsonObject *user, *enterprise, *manager, *role;
  JsonArray *roles;

  g_assert_cmpuint (created->status, ==, 201);
  user = root (created);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (user, "schemas"), 1), ==, URN_ENT);
  path = g_strconcat ("/scim/v2/Users/", json_object_get_string_member (user, "id"), NULL);

  got = scim (tenant, "GET", path, NULL, NULL, NULL);
  user = root (got);
  g_assert_cmpstr (json_object_get_string_member (user, "userType"), ==, "Administrator");
  roles = json_object_get_array_member (user, "roles");
  g_assert_cmpuint (json_array_get_length (roles), ==, 2);
  role = find_element (roles, "editor");
  g_assert_cmpstr (json_object_get_string_member (role, "display"), ==, "Editor");
  g_assert_cmpstr (json_object_get_string_member (role, "type"), ==, "app");
  g_assert_true (json_object_get_boolean_member (role, "primary"));
  enterprise = json_object_get_object_member (user, URN_ENT);
  g_assert_cmpstr (json_object_get_string_member (enterprise, "employeeNumber"), ==, "701984");
  g_assert_cmpstr (json_object_get_string_member (enterprise, "department"), ==, "Tour");
  manager = json_object_get_object_member (enterprise, "manager");
  g_assert_cmpstr (json_object_get_string_member (manager, "value"), ==, boss);
  /* the service fills in the manager's reference and display name (RFC 7643 §4.3) */
  g_assert_cmpstr (json_object_get_string_member (manager, "displayName"), ==, "boss@example.com");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (manager, "$ref"), boss));

  by_role = get_filtered (tenant, "Users", "roles[value eq \"viewer\"] and userType eq \"administrator\"", NULL);
  g_assert_cmpint (json_object_get_int_member (root (by_role), "totalResults"), ==, 1);
  manager_filter = g_strdup_printf (URN_ENT ":manager.value eq \"%s\"", boss);
  by_manager = get_filtered (tenant, "Users", manager_filter, NULL);
  g_assert_cmpint (json_object_get_int_member (root (by_manager), "totalResults"), ==, 1);

  /* the PATCH a client sends for a changed type, roles and enterprise fields */
  patch = g_strdup_printf ("{\"schemas\":[\"" URN_PATCH "\"],\"Operations\":["
                           "{\"op\":\"replace\",\"path\":\"userType\",\"value\":\"Billing Administrator\"},"
                           "{\"op\":\"add\",\"path\":\"roles\",\"value\":[{\"value\":\"auditor\",\"primary\":true}]},"
                           "{\"op\":\"remove\",\"path\":\"roles[value eq \\\"viewer\\\"]\"},"
                           "{\"op\":\"replace\",\"path\":\"" URN_ENT ":department\",\"value\":\"Lab\"},"
                           "{\"op\":\"replace\",\"path\":\"" URN_ENT ":manager.value\",\"value\":\"%s\"},"
                           "{\"op\":\"replace\",\"value\":{\"" URN_ENT ":employeeNumber\":\"42\"}}]}",
                           other_boss);
  patched = scim (tenant, "PATCH", path, patch, NULL, NULL);
  g_assert_cmpuint (patched->status, ==, patch_ok);
  after = scim (tenant, "GET", path, NULL, NULL, NULL);
  user = root (after);
  g_assert_cmpstr (json_object_get_string_member (user, "userType"), ==, "Billing Administrator");
  roles = json_object_get_array_member (user, "roles");
  g_assert_cmpuint (json_array_get_length (roles), ==, 2);
  g_assert_null (find_element (roles, "viewer"));
  /* one primary at most (RFC 7643 §2.4): the new one */
  g_assert_true (json_object_get_boolean_member (find_element (roles, "auditor"), "primary"));
  g_assert_false (json_object_get_boolean_member_with_default (find_element (roles, "editor"), "primary", FALSE));
  enterprise = json_object_get_object_member (user, URN_ENT);
  g_assert_cmpstr (json_object_get_string_member (enterprise, "department"), ==, "Lab");
  g_assert_cmpstr (json_object_get_string_member (enterprise, "employeeNumber"), ==, "42");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (enterprise, "manager"), "value"), ==,
                   other_boss);

  removed = scim (tenant, "PATCH", path,
                  "{\"schemas\":[\"" URN_PATCH "\"],\"Operations\":["
                  "{\"op\":\"remove\",\"path\":\"" URN_ENT ":manager\"},{\"op\":\"remove\",\"path\":\"roles\"}]}",
                  NULL, NULL);
  g_assert_cmpuint (removed->status, ==, patch_ok);
  after_remove = scim (tenant, "GET", path, NULL, NULL, NULL);
  g_assert_false (json_object_has_member (root (after_remove), "roles"));
  enterprise = json_object_get_object_member (root (after_remove), URN_ENT);
  g_assert_false (json_object_has_member (enterprise, "manager"));
  g_assert_cmpstr (json_object_get_string_member (enterprise, "department"), ==, "Lab");

  put = g_strdup ("{\"schemas\":[\"" URN_USER "\",\"" URN_ENT "\"],\"userName\":\"ada@example.com\","
                  "\"userType\":\"User\",\"roles\":[{\"value\":\"viewer\",\"type\":\"app\"}],"
                  "\"" URN_ENT "\":{\"employeeNumber\":\"7\"}}");
  replaced = scim (tenant, "PUT", path, put, NULL, NULL);
  g_assert_cmpuint (replaced->status, ==, 200);
  user = root (replaced);
  g_assert_cmpstr (json_object_get_string_member (user, "userType"), ==, "User");
  g_assert_cmpstr (json_object_get_string_member (find_element (json_object_get_array_member (user, "roles"), "viewer"),
                                                  "type"), ==, "app");
  enterprise = json_object_get_object_member (user, URN_ENT);
  g_assert_cmpstr (json_object_get_string_member (enterprise, "employeeNumber"), ==, "7");
  g_assert_false (json_object_has_member (enterprise, "department"));
}

static void
test_delete (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *id = create_user (tenant, "ada@example.com", "e-1");
  g_autofree char *path = g_strconcat ("/scim/v2/Users/", id, NULL);
  g_autoptr(FakeResponse) deleted = scim (tenant, "DELETE", path, NULL, NULL, NULL);
  g_autoptr(FakeResponse) gone = scim (tenant, "GET", path, NULL, NULL, NULL);
  g_autoptr(FakeResponse) again = NULL;

  g_assert_cmpuint (deleted->status, ==, 204);
  assert_scim_error (gone, 404, NULL);
  /* the userName is free again */
  g_free (create_user (tenant, "ada@example.com", "e-1"));
  again = scim (tenant, "DELETE", path, NULL, NULL, NULL);
  assert_scim_error (again, 404, NULL);
}

static void
test_put_replaces (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *id = create_user (tenant, "ada@example.com", "e-1");
  g_autofree char *path = g_strconcat ("/scim/v2/Users/", id, NULL);
  g_autoptr(FakeResponse) put = scim (tenant, "PUT", path,
                                      "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"ada@example.com\","
                                      "\"active\":false}", NULL, NULL);
  JsonObject *user;

  g_assert_cmpuint (put->status, ==, 200);
  user = root (put);
  g_assert_cmpstr (json_object_get_string_member (user, "id"), ==, id);
  g_assert_false (json_object_get_boolean_member (user, "active"));
  /* PUT replaces: what was not sent is gone */
  g_assert_false (json_object_has_member (user, "emails"));
  g_assert_false (json_object_has_member (user, "externalId"));
}

static void
test_service_provider_config (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) spc = scim (tenant, "GET", "/scim/v2/ServiceProviderConfig", NULL, NULL, NULL);
  g_autoptr(FakeResponse) schemas = scim (tenant, "GET", "/scim/v2/Schemas", NULL, NULL, NULL);
  g_autoptr(FakeResponse) types = scim (tenant, "GET", "/scim/v2/ResourceTypes", NULL, NULL, NULL);
  JsonObject *config, *user_type;
  JsonArray *schemes;

  g_assert_cmpuint (spc->status, ==, 200);
  config = root (spc);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (config, "schemas"), 0), ==,
                   "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (config, "patch"), "supported"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (config, "filter"), "supported"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (config, "filter"), "maxResults"), ==,
                   200);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (config, "etag"), "supported"));
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (config, "bulk"), "supported"));
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (config, "sort"), "supported"));
  schemes = json_object_get_array_member (config, "authenticationSchemes");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (schemes, 0), "type"), ==,
                   "oauthbearertoken");

  g_assert_cmpuint (schemas->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (root (schemas), "totalResults"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (root (schemas), "Resources"), 2),
                     "id"),
                   ==, URN_ENT);

  g_assert_cmpuint (types->status, ==, 200);
  user_type = json_array_get_object_element (json_object_get_array_member (root (types), "Resources"), 0);
  g_assert_cmpstr (json_object_get_string_member (user_type, "endpoint"), ==, "/Users");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (user_type, "schemaExtensions"), 0),
                     "schema"),
                   ==, URN_ENT);
}

static void
test_control_api (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) token = fake_test_request (tenant, "GET", "/_fake/scim/token", NULL, NULL, NULL);
  g_autoptr(FakeResponse) fail = fake_test_request (tenant, "POST", "/_fake/scim/fail", NULL, "application/json",
                                                    "{\"path\":\"/scim/v2/Users\",\"status\":503,\"count\":2,"
                                                    "\"retryAfter\":3}");
  g_autoptr(FakeResponse) f1 = NULL, f2 = NULL, f3 = NULL, log = NULL, reset = NULL, after = NULL, log2 = NULL;
  JsonArray *requests;
  JsonObject *entry;

  g_assert_cmpstr (fake_response_get_string (token, "token"), ==, muster_fake_tenant_get_scim_token (tenant));
  g_assert_cmpuint (fail->status, ==, 204);

  f1 = scim (tenant, "GET", "/scim/v2/Users", NULL, NULL, NULL);
  assert_scim_error (f1, 503, NULL);
  g_assert_cmpstr (soup_message_headers_get_one (f1->headers, "Retry-After"), ==, "3");
  f2 = scim (tenant, "POST", "/scim/v2/Users", "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"a@example.com\"}",
             NULL, NULL);
  assert_scim_error (f2, 503, NULL);
  f3 = scim (tenant, "POST", "/scim/v2/Users", "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"a@example.com\"}",
             NULL, NULL);
  g_assert_cmpuint (f3->status, ==, 201);

  log = fake_test_request (tenant, "GET", "/_fake/scim/requests", NULL, NULL, NULL);
  requests = json_object_get_array_member (root (log), "requests");
  g_assert_cmpuint (json_array_get_length (requests), ==, 3);
  entry = json_array_get_object_element (requests, 2);
  g_assert_cmpstr (json_object_get_string_member (entry, "method"), ==, "POST");
  g_assert_cmpstr (json_object_get_string_member (entry, "path"), ==, "/scim/v2/Users");
  g_assert_cmpint (json_object_get_int_member (entry, "status"), ==, 201);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "body"), "userName"), ==,
                   "a@example.com");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (requests, 0), "status"), ==, 503);

  reset = fake_test_request (tenant, "POST", "/_fake/scim/reset", NULL, NULL, NULL);
  g_assert_cmpuint (reset->status, ==, 204);
  after = scim (tenant, "GET", "/scim/v2/Users", NULL, NULL, NULL);
  g_assert_cmpint (json_object_get_int_member (root (after), "totalResults"), ==, 0);
  log2 = fake_test_request (tenant, "GET", "/_fake/scim/requests", NULL, NULL, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root (log2), "requests")), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fake/scim/users/create", test_create_user);
  g_test_add_func ("/fake/scim/users/filter", test_filter);
  g_test_add_func ("/fake/scim/users/filter-grammar", test_filter_grammar);
  g_test_add_func ("/fake/scim/users/paging", test_paging);
  g_test_add_func ("/fake/scim/users/patch-active", test_patch_active);
  g_test_add_func ("/fake/scim/users/stale-if-match", test_stale_if_match);
  g_test_add_func ("/fake/scim/users/duplicate-user-name", test_duplicate_user_name);
  g_test_add_func ("/fake/scim/users/strict-types", test_strict_types);
  g_test_add_func ("/fake/scim/users/delete", test_delete);
  g_test_add_func ("/fake/scim/users/put-replaces", test_put_replaces);
  g_test_add_func ("/fake/scim/auth/bearer-token", test_authentication);
  g_test_add_data_func ("/fake/scim/strict/groups/members", GINT_TO_POINTER (MUSTER_FAKE_SCIM_MODE_STRICT),
                        test_group_members);
  g_test_add_data_func ("/fake/scim/field/groups/members", GINT_TO_POINTER (MUSTER_FAKE_SCIM_MODE_FIELD),
                        test_group_members);
  g_test_add_data_func ("/fake/scim/strict/users/enterprise-roles", GINT_TO_POINTER (MUSTER_FAKE_SCIM_MODE_STRICT),
                        test_enterprise_roles);
  g_test_add_data_func ("/fake/scim/field/users/enterprise-roles", GINT_TO_POINTER (MUSTER_FAKE_SCIM_MODE_FIELD),
                        test_enterprise_roles);
  g_test_add_func ("/fake/scim/discovery/service-provider-config", test_service_provider_config);
  g_test_add_func ("/fake/scim/control/requests-fail-reset", test_control_api);
  g_test_add_data_func ("/fake/scim/strict/op-case-string-booleans", GINT_TO_POINTER (MUSTER_FAKE_SCIM_MODE_STRICT),
                        test_op_case_and_string_booleans);
  g_test_add_data_func ("/fake/scim/field/op-case-string-booleans", GINT_TO_POINTER (MUSTER_FAKE_SCIM_MODE_FIELD),
                        test_op_case_and_string_booleans);
  g_test_add_func ("/fake/scim/field/writes", test_field_mode_writes);
  g_test_add_data_func ("/fake/scim/strict/paging", GINT_TO_POINTER (MUSTER_FAKE_SCIM_MODE_STRICT),
                        test_field_mode_paging);
  g_test_add_data_func ("/fake/scim/field/paging", GINT_TO_POINTER (MUSTER_FAKE_SCIM_MODE_FIELD),
                        test_field_mode_paging);
  g_test_add_func ("/fake/scim/control/mode", test_mode_control);
  g_test_add_func ("/fake/scim/control/mode-option", test_mode_option);
  g_test_add_func ("/fake/scim/control/latency", test_latency);
  g_test_add_data_func ("/fake/scim/strict/fail-users", GINT_TO_POINTER (MUSTER_FAKE_SCIM_MODE_STRICT),
                        test_fail_users);
  g_test_add_data_func ("/fake/scim/field/fail-users", GINT_TO_POINTER (MUSTER_FAKE_SCIM_MODE_FIELD),
                        test_fail_users);
  return g_test_run ();
}
