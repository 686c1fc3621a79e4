/* test-fake-control.c: the fake tenant's control API over HTTP
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fake-test-util.h"
#include "muster-fake-directory.h"

static const char * const JSON = "application/json";

static JsonObject *
object_of (FakeResponse *r)
{
  g_assert_nonnull (r->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  return json_node_get_object (r->json);
}

static gint64
state_int (MusterFakeTenant *tenant,
           const char       *name)
{
  g_autoptr(FakeResponse) r = fake_test_request (tenant, "GET", "/_fake/state", NULL, NULL, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  return json_object_get_int_member (object_of (r), name);
}

/* Graph's error shape: {"error":{"code","message","innerError":{…}}} */
static void
assert_graph_error (FakeResponse *r,
                    guint         status,
                    const char   *code)
{
  JsonObject *error;

  g_assert_cmpuint (r->status, ==, status);
  error = json_object_get_object_member (object_of (r), "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_nonnull (json_object_get_string_member (error, "message"));
  g_assert_true (json_object_has_member (error, "innerError"));
}

static FakeResponse *
get_user (MusterFakeTenant *tenant,
          const char       *id)
{
  g_autofree char *path = g_strconcat ("/_fake/users/", id, NULL);

  return fake_test_request (tenant, "GET", path, NULL, NULL, NULL);
}

static void
test_state (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) r = fake_test_request (tenant, "GET", "/_fake/state", NULL, NULL, NULL);
  JsonObject *state;
  g_autoptr(FakeResponse) admin = NULL;

  g_assert_cmpuint (r->status, ==, 200);
  state = object_of (r);
  g_assert_cmpstr (json_object_get_string_member (state, "tenantId"), ==, muster_fake_tenant_get_tenant_id (tenant));
  g_assert_cmpstr (json_object_get_string_member (state, "domain"), ==, muster_fake_tenant_get_domain (tenant));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (state, "domain"), ".onmicrosoft.com"));
  g_assert_nonnull (json_object_get_string_member (state, "defaultDomain"));
  g_assert_nonnull (json_object_get_string_member (state, "organization"));
  g_assert_cmpint (json_object_get_int_member (state, "users"), ==, 250);
  g_assert_cmpint (json_object_get_int_member (state, "groups"), >=, 20);
  g_assert_cmpint (json_object_get_int_member (state, "seq"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (state, "requests"), >=, 1);

  admin = get_user (tenant, json_object_get_string_member (state, "adminId"));
  g_assert_cmpuint (admin->status, ==, 200);
  g_assert_cmpstr (fake_response_get_string (admin, "userPrincipalName"), ==,
                   json_object_get_string_member (state, "adminUserPrincipalName"));

  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "DELETE", "/_fake/state", NULL, NULL, NULL);
  assert_graph_error (r, 405, "Request_BadRequest");
  g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Allow"), ==, "GET");

  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "GET", "/_fake/nothing-here", NULL, NULL, NULL);
  assert_graph_error (r, 404, "Request_ResourceNotFound");
}

static void
test_generated_state (void)
{
  MusterFakeOptions options;
  g_autoptr(MusterFakeTenant) tenant = NULL;

  muster_fake_options_init (&options);
  options.dataset = "generated";
  options.users = 3000;
  options.groups = 45;
  tenant = fake_test_start_tenant (&options);
  g_assert_cmpint (state_int (tenant, "users"), ==, 3000);
  g_assert_cmpint (state_int (tenant, "groups"), ==, 45);
}

static void
test_user_lifecycle (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) r = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *admin_id = NULL;
  gint64 seq;
  JsonObject *user;

  r = fake_test_request (tenant, "POST", "/_fake/users", NULL, JSON,
                         "{\"displayName\":\"Rowan Ashby\",\"userPrincipalName\":\"rowan.ashby@larkfield-instruments.example\","
                         "\"jobTitle\":\"Buyer\",\"department\":\"Operations\",\"usageLocation\":\"GB\","
                         "\"assignedLicenses\":[{\"skuId\":\"05e9a617-0261-4cee-bb44-138d3ef5d965\",\"disabledPlans\":[]}],"
                         "\"businessPhones\":[\"+44 117 496 0999\"],\"accountEnabled\":true,"
                         "\"mailNickname\":\"rowan.ashby\",\"passwordProfile\":{\"password\":\"x\"}}");
  g_assert_cmpuint (r->status, ==, 201);
  user = object_of (r);
  id = g_strdup (json_object_get_string_member (user, "id"));
  g_assert_cmpuint (strlen (id), ==, 36);
  g_assert_cmpstr (json_object_get_string_member (user, "displayName"), ==, "Rowan Ashby");
  g_assert_cmpstr (json_object_get_string_member (user, "userPrincipalName"), ==, "rowan.ashby@larkfield-instruments.example");
  g_assert_cmpstr (json_object_get_string_member (user, "jobTitle"), ==, "Buyer");
  g_assert_cmpstr (json_object_get_string_member (user, "userType"), ==, "Member");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (user, "assignedLicenses")), ==, 1);
  g_assert_cmpint (state_int (tenant, "users"), ==, 251);
  seq = state_int (tenant, "seq");
  g_assert_cmpint (seq, >, 1);

  /* the same UPN again, in other case */
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "POST", "/_fake/users", NULL, JSON,
                         "{\"displayName\":\"Twin\",\"userPrincipalName\":\"ROWAN.ashby@larkfield-instruments.example\"}");
  assert_graph_error (r, 400, "Request_BadRequest");
  g_assert_cmpint (state_int (tenant, "users"), ==, 251);

  /* rename and disable */
  path = g_strconcat ("/_fake/users/", id, NULL);
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "PATCH", path, NULL, JSON,
                         "{\"displayName\":\"Rowan Ashby-Kerr\",\"accountEnabled\":false,\"mobilePhone\":null}");
  g_assert_cmpuint (r->status, ==, 204);
  g_assert_cmpint (state_int (tenant, "seq"), >, seq);
  g_clear_pointer (&r, fake_response_free);
  r = get_user (tenant, id);
  g_assert_cmpstr (fake_response_get_string (r, "displayName"), ==, "Rowan Ashby-Kerr");
  g_assert_false (json_object_get_boolean_member (object_of (r), "accountEnabled"));

  /* manager by id; a UPN in the path works too */
  admin_id = g_strdup_printf ("{\"manager\":\"%s\"}", muster_fake_tenant_get_tenant_id (tenant));
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "PATCH", "/_fake/users/rowan.ashby@larkfield-instruments.example", NULL, JSON, admin_id);
  assert_graph_error (r, 404, "Request_ResourceNotFound");  /* the tenant id is no user */

  /* refused requests change nothing, not even the part that was fine */
  seq = state_int (tenant, "seq");
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "PATCH", path, NULL, JSON, "{\"jobTitle\":\"Lead\",\"accountEnabled\":\"no\"}");
  assert_graph_error (r, 400, "Request_BadRequest");
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "PATCH", path, NULL, JSON, "{\"jobTitle\":\"Lead\",\"shoeSize\":\"44\"}");
  assert_graph_error (r, 400, "Request_BadRequest");
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "PATCH", path, NULL, JSON, "{\"jobTitle\":42}");
  assert_graph_error (r, 400, "Request_BadRequest");
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "PATCH", path, NULL, JSON, "{\"jobTitle\":");
  assert_graph_error (r, 400, "BadRequest");
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "PATCH", path, NULL, JSON, "[\"jobTitle\"]");
  assert_graph_error (r, 400, "BadRequest");
  g_assert_cmpint (state_int (tenant, "seq"), ==, seq);
  g_clear_pointer (&r, fake_response_free);
  r = get_user (tenant, id);
  g_assert_cmpstr (fake_response_get_string (r, "jobTitle"), ==, "Buyer");

  /* delete */
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "DELETE", path, NULL, NULL, NULL);
  g_assert_cmpuint (r->status, ==, 204);
  g_assert_cmpint (state_int (tenant, "users"), ==, 250);
  g_assert_cmpint (state_int (tenant, "seq"), >, seq);
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "DELETE", path, NULL, NULL, NULL);
  assert_graph_error (r, 404, "Request_ResourceNotFound");
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "PATCH", path, NULL, JSON, "{\"jobTitle\":\"Ghost\"}");
  assert_graph_error (r, 404, "Request_ResourceNotFound");
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "PATCH", "/_fake/users/00000000-0000-4000-8000-000000000000", NULL, JSON, "{}");
  assert_graph_error (r, 404, "Request_ResourceNotFound");
}

static void
test_create_refused (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  static const char * const bodies[] = {
    "{\"userPrincipalName\":\"a@larkfield-instruments.example\"}",                    /* no displayName */
    "{\"displayName\":\"A\"}",                                                         /* no UPN */
    "{\"displayName\":\"A\",\"userPrincipalName\":\"a@unverified.example\"}",          /* domain */
    "{\"displayName\":7,\"userPrincipalName\":\"a@larkfield-instruments.example\"}",   /* type */
    "{\"displayName\":\"A\",\"userPrincipalName\":\"a@larkfield-instruments.example\",\"accountEnabled\":1}",
    "{\"displayName\":\"A\",\"userPrincipalName\":\"a@larkfield-instruments.example\","
    "\"assignedLicenses\":[\"05e9a617-0261-4cee-bb44-138d3ef5d965\"]}",               /* no usageLocation */
    "{\"displayName\":\"A\",\"userPrincipalName\":\"a@larkfield-instruments.example\",\"usageLocation\":\"GB\","
    "\"assignedLicenses\":[\"11111111-2222-4333-8444-555555555555\"]}",               /* unknown SKU */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(FakeResponse) r = fake_test_request (tenant, "POST", "/_fake/users", NULL, JSON, bodies[i]);

      g_test_message ("body %u: %s", i, bodies[i]);
      assert_graph_error (r, 400, "Request_BadRequest");
    }
  g_assert_cmpint (state_int (tenant, "users"), ==, 250);
  g_assert_cmpint (state_int (tenant, "seq"), ==, 1);
}

static const char *
find_group (MusterFakeTenant *tenant,
            const char       *name)
{
  /* the control API has no group listing; the directory is generated from the tenant's seed */
  MusterFakeDirectory *dir = muster_fake_directory_new_demo (42);
  static char id[40];

  for (guint i = 0; i < dir->groups->len; i++)
    {
      MusterFakeGroup *group = dir->groups->pdata[i];

      if (g_str_equal (group->display_name, name))
        g_strlcpy (id, group->id, sizeof id);
    }
  muster_fake_directory_free (dir);
  return id;
}

static void
test_membership (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *vpn = g_strdup (find_group (tenant, "VPN Users"));
  g_autofree char *all_company = g_strdup (find_group (tenant, "All Company"));
  g_autofree char *members = g_strconcat ("/_fake/groups/", vpn, "/members", NULL);
  g_autofree char *body = NULL;
  g_autofree char *one = NULL;
  g_autofree char *admin_id = NULL;
  g_autoptr(FakeResponse) r = NULL;
  gint64 seq;

  {
    g_autoptr(FakeResponse) state = fake_test_request (tenant, "GET", "/_fake/state", NULL, NULL, NULL);
    admin_id = g_strdup (json_object_get_string_member (object_of (state), "adminId"));
  }
  body = g_strdup_printf ("{\"id\":\"%s\"}", admin_id);
  one = g_strconcat (members, "/", admin_id, NULL);

  /* the admin may already be in VPN Users: start from "not a member" */
  r = fake_test_request (tenant, "DELETE", one, NULL, NULL, NULL);
  g_assert_true (r->status == 204 || r->status == 404);

  seq = state_int (tenant, "seq");
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "POST", members, NULL, JSON, body);
  g_assert_cmpuint (r->status, ==, 204);
  g_assert_cmpint (state_int (tenant, "seq"), ==, seq + 1);

  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "POST", members, NULL, JSON, body);
  assert_graph_error (r, 400, "Request_BadRequest");
  g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (object_of (r), "error"), "message"),
                            "already exist"));

  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "DELETE", one, NULL, NULL, NULL);
  g_assert_cmpuint (r->status, ==, 204);
  g_assert_cmpint (state_int (tenant, "seq"), ==, seq + 2);
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "DELETE", one, NULL, NULL, NULL);
  assert_graph_error (r, 404, "Request_ResourceNotFound");

  /* wrong bodies, unknown ids, dynamic groups */
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "POST", members, NULL, JSON, "{\"id\":5}");
  assert_graph_error (r, 400, "Request_BadRequest");
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "POST", members, NULL, JSON, "{\"id\":\"00000000-0000-4000-8000-000000000000\"}");
  assert_graph_error (r, 404, "Request_ResourceNotFound");
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "POST", "/_fake/groups/00000000-0000-4000-8000-000000000000/members", NULL, JSON, body);
  assert_graph_error (r, 404, "Request_ResourceNotFound");
  g_clear_pointer (&members, g_free);
  members = g_strconcat ("/_fake/groups/", all_company, "/members", NULL);
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "POST", members, NULL, JSON, body);
  assert_graph_error (r, 400, "Request_BadRequest");
  g_assert_cmpint (state_int (tenant, "seq"), ==, seq + 2);
}

static void
test_resync_and_reset (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) r = NULL;
  g_autofree char *id = NULL;
  gint64 seq;

  r = fake_test_request (tenant, "POST", "/_fake/delta/resync", NULL, NULL, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (object_of (r), "resyncBefore"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object_of (r), "seq"), ==, 2);
  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "GET", "/_fake/delta/resync", NULL, NULL, NULL);
  assert_graph_error (r, 405, "Request_BadRequest");

  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "POST", "/_fake/users", NULL, JSON,
                         "{\"displayName\":\"Temp\",\"userPrincipalName\":\"temp@larkfield-instruments.example\"}");
  g_assert_cmpuint (r->status, ==, 201);
  id = g_strdup (fake_response_get_string (r, "id"));
  g_assert_cmpint (state_int (tenant, "users"), ==, 251);
  seq = state_int (tenant, "seq");

  g_clear_pointer (&r, fake_response_free);
  r = fake_test_request (tenant, "POST", "/_fake/reset", NULL, NULL, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (object_of (r), "users"), ==, 250);
  /* numbering goes on, and every earlier delta token is stale */
  g_assert_cmpint (json_object_get_int_member (object_of (r), "seq"), ==, seq + 1);
  g_assert_cmpint (json_object_get_int_member (object_of (r), "resyncBefore"), ==, seq + 1);
  g_assert_cmpstr (json_object_get_string_member (object_of (r), "tenantId"), ==,
                   muster_fake_tenant_get_tenant_id (tenant));

  g_clear_pointer (&r, fake_response_free);
  r = get_user (tenant, id);
  assert_graph_error (r, 404, "Request_ResourceNotFound");
  g_clear_pointer (&r, fake_response_free);
  r = get_user (tenant, "temp@larkfield-instruments.example");
  assert_graph_error (r, 404, "Request_ResourceNotFound");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fake/control/state", test_state);
  g_test_add_func ("/fake/control/generated-state", test_generated_state);
  g_test_add_func ("/fake/control/user-lifecycle", test_user_lifecycle);
  g_test_add_func ("/fake/control/create-refused", test_create_refused);
  g_test_add_func ("/fake/control/membership", test_membership);
  g_test_add_func ("/fake/control/resync-and-reset", test_resync_and_reset);
  return g_test_run ();
}
