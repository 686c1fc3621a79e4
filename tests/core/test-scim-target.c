/* test-scim-target.c: MusterScimTarget against the fake's SCIM 2.0 service, over real HTTP
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "core-test-util.h"
#include "fake-test-util.h"
#include "muster-scim-target.h"

#define URN_USER  "urn:ietf:params:scim:schemas:core:2.0:User"
#define URN_ENT   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define URN_PATCH "urn:ietf:params:scim:api:messages:2.0:PatchOp"

typedef struct
{
  MusterFakeTenant *tenant;
  MusterScimTarget *target;
  char             *base_url;
  const char       *mode;  /* "strict" (the RFC to the letter) or "field" (what services do) */
} Fixture;

/* --- talking to the fake ---------------------------------------------------------------------- */

static FakeResponse *
scim_request (MusterFakeTenant *tenant,
              const char       *method,
              const char       *path,
              const char       *body)
{
  g_autofree char *auth = g_strconcat ("Bearer ", muster_fake_tenant_get_scim_token (tenant), NULL);
  const char *headers[] = { "Authorization", auth, NULL };

  return fake_test_request (tenant, method, path, headers, body ? "application/scim+json" : NULL, body);
}

static void
control (MusterFakeTenant *tenant,
         const char       *path,
         const char       *body)
{
  g_autoptr(FakeResponse) r = fake_test_request (tenant, "POST", path, NULL, "application/json", body);

  g_assert_cmpuint (r->status / 100, ==, 2);
}

/* What the fake received, as {"requests":[{method,path,query,body,status}]} */
static FakeResponse *
received (MusterFakeTenant *tenant)
{
  FakeResponse *r = fake_test_request (tenant, "GET", "/_fake/scim/requests", NULL, NULL, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  return r;
}

static JsonArray *
requests_of (FakeResponse *r)
{
  return json_object_get_array_member (json_node_get_object (r->json), "requests");
}

static guint
count_requests (MusterFakeTenant *tenant)
{
  g_autoptr(FakeResponse) r = received (tenant);

  return json_array_get_length (requests_of (r));
}

/* The requests from index @from on with @method (NULL: any), newest last. */
static GPtrArray *
requests_since (FakeResponse *r,
                guint         from,
                const char   *method)
{
  JsonArray *all = requests_of (r);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = from; i < json_array_get_length (all); i++)
    {
      JsonObject *entry = json_array_get_object_element (all, i);

      if (method == NULL || g_str_equal (json_object_get_string_member (entry, "method"), method))
        g_ptr_array_add (out, entry);
    }
  return out;
}

/* What every request Muster sent must look like, whatever the test did. */
static void
assert_well_behaved (MusterFakeTenant *tenant)
{
  g_autoptr(FakeResponse) r = received (tenant);
  JsonArray *all = requests_of (r);

  for (guint i = 0; i < json_array_get_length (all); i++)
    {
      JsonObject *entry = json_array_get_object_element (all, i);
      const char *method = json_object_get_string_member (entry, "method");
      const char *query = json_object_get_string_member_with_default (entry, "query", NULL);
      JsonNode *body = json_object_get_member (entry, "body");

      if (!g_str_equal (method, "GET"))
        g_assert_true (query == NULL || strstr (query, "attributes=") == NULL);
      if (g_str_equal (method, "GET") && query != NULL && strstr (query, "startIndex=") != NULL)
        {
          const char *count = strstr (query, "count=");

          g_assert_nonnull (count);
          g_assert_cmpint (atoi (count + 6), <=, 200);
        }
      if (g_str_equal (method, "PATCH") && body != NULL && JSON_NODE_HOLDS_OBJECT (body))
        {
          JsonArray *ops = json_object_get_array_member (json_node_get_object (body), "Operations");

          for (guint j = 0; j < json_array_get_length (ops); j++)
            {
              const char *op = json_object_get_string_member (json_array_get_object_element (ops, j), "op");

              g_assert_true (g_str_equal (op, "add") || g_str_equal (op, "replace") || g_str_equal (op, "remove"));
            }
        }
    }
}

/* --- the target ------------------------------------------------------------------------------- */

static gboolean
is_strict (Fixture *fixture)
{
  return g_str_equal (fixture->mode, "strict");
}

static void
fixture_start (Fixture                 *fixture,
               const MusterFakeOptions *options,
               const char              *mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = g_strdup_printf ("{\"mode\":\"%s\"}", mode);

  fixture->mode = mode;
  fixture->tenant = fake_test_start_tenant (options);
  if (!is_strict (fixture))
    control (fixture->tenant, "/_fake/scim/mode", body);
  fixture->base_url = g_strconcat (muster_fake_tenant_get_base_url (fixture->tenant), "/scim/v2", NULL);
  fixture->target = muster_scim_target_new (fixture->base_url, muster_fake_tenant_get_scim_token (fixture->tenant),
                                            &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->target);
}

/* @data: the mode */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture_start (fixture, NULL, data);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->target);
  if (fixture->tenant != NULL)
    assert_well_behaved (fixture->tenant);
  g_clear_object (&fixture->tenant);
  g_free (fixture->base_url);
}

static MusterTargetState *
read_state (MusterScimTarget *target,
            GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_target_read_state_async (MUSTER_TARGET (target), NULL, core_test_store_result_cb, &result);
  return muster_target_read_state_finish (MUSTER_TARGET (target), core_test_wait (&result), error);
}

static MusterTargetState *
read_state_ok (MusterScimTarget *target)
{
  g_autoptr(GError) error = NULL;
  MusterTargetState *state = read_state (target, &error);

  g_assert_no_error (error);
  g_assert_nonnull (state);
  return state;
}

static GPtrArray *
apply (MusterScimTarget *target,
       GPtrArray        *operations,
       GCancellable     *cancellable,
       GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_target_apply_async (MUSTER_TARGET (target), "run-1", operations, cancellable, core_test_store_result_cb,
                             &result);
  return muster_target_apply_finish (MUSTER_TARGET (target), core_test_wait (&result), error);
}

/* Applies and asserts every operation succeeded. */
static GPtrArray *
apply_ok (MusterScimTarget *target,
          GPtrArray        *operations)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *results = apply (target, operations, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (results);
  g_assert_cmpuint (results->len, ==, operations->len);
  for (guint i = 0; i < results->len; i++)
    {
      MusterOperationResult *result = g_ptr_array_index (results, i);

      if (!result->ok)
        g_error ("%s failed: %s", result->operation->key, result->error->message);
      g_assert_true (result->operation == g_ptr_array_index (operations, i));
      g_assert_nonnull (result->target_id);
    }
  return results;
}

static GPtrArray *
operations_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
}

static MusterTargetUser *
person (const char *entra_id,
        const char *user_name,
        const char *display_name)
{
  MusterTargetUser *user = muster_target_user_new ();
  g_auto(GStrv) names = g_strsplit (display_name, " ", 2);

  user->external_id = g_strdup (entra_id);
  user->user_name = g_strdup (user_name);
  muster_target_user_set_attribute (user, MUSTER_ATTR_DISPLAY_NAME, display_name);
  muster_target_user_set_attribute (user, MUSTER_ATTR_GIVEN_NAME, names[0]);
  muster_target_user_set_attribute (user, MUSTER_ATTR_FAMILY_NAME, names[1]);
  muster_target_user_set_attribute (user, MUSTER_ATTR_EMAIL, user_name);
  return user;
}

static void
add_create (GPtrArray        *operations,
            MusterTargetUser *user)
{
  g_autofree char *key = g_strconcat ("create-user:", user->external_id, NULL);
  MusterOperation *op = muster_operation_new (MUSTER_OPERATION_CREATE_USER, key);

  op->user = muster_target_user_ref (user);
  g_ptr_array_add (operations, op);
}

/* An update of @current to @desired, with a change for each named field. */
static MusterOperation *
update_op (MusterTargetUser   *current,
           MusterTargetUser   *desired,
           const char * const *fields)
{
  g_autofree char *key = g_strconcat ("update-user:", current->external_id, NULL);
  MusterOperation *op = muster_operation_new (MUSTER_OPERATION_UPDATE_USER, key);

  op->user = muster_target_user_ref (desired);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      const char *field = fields[i];

      if (g_str_equal (field, MUSTER_FIELD_USER_TYPE))
        g_ptr_array_add (op->changes, muster_field_change_new (field, muster_user_type_to_string (current->user_type),
                                                               muster_user_type_to_string (desired->user_type)));
      else if (g_str_equal (field, MUSTER_FIELD_ROLES))
        {
          g_autofree char *before = g_strjoinv (", ", current->roles);
          g_autofree char *after = g_strjoinv (", ", desired->roles);

          g_ptr_array_add (op->changes, muster_field_change_new (field, before, after));
        }
      else
        g_ptr_array_add (op->changes, muster_field_change_new (field, muster_target_user_get_attribute (current, field),
                                                               muster_target_user_get_attribute (desired, field)));
    }
  return op;
}

static MusterOperation *
user_op (MusterOperationKind  kind,
         MusterTargetUser    *current)
{
  g_autofree char *key = g_strconcat (muster_operation_kind_to_string (kind), ":", current->external_id, NULL);
  MusterOperation *op = muster_operation_new (kind, key);

  op->user = muster_target_user_ref (current);
  return op;
}

static MusterTargetUser *
copy_with (MusterTargetUser *user,
           const char       *field,
           const char       *value)
{
  MusterTargetUser *copy = muster_target_user_copy (user);

  muster_target_user_set_attribute (copy, field, value);
  return copy;
}

/* The fake's copy of a user, as JSON. */
static FakeResponse *
fake_user (MusterFakeTenant *tenant,
           const char       *id)
{
  g_autofree char *path = g_strconcat ("/scim/v2/Users/", id, NULL);
  FakeResponse *r = scim_request (tenant, "GET", path, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  return r;
}

/* --- tests ------------------------------------------------------------------------------------ */

static void
test_features_and_uri (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(MusterTargetState) state = NULL;
  g_autofree char *uri = muster_target_get_uri (MUSTER_TARGET (fixture->target));
  g_autofree char *expected_uri = g_strconcat ("scim:", fixture->base_url, NULL);
  g_autofree char *description = muster_target_describe (MUSTER_TARGET (fixture->target));
  const char *roles[] = { "Viewer", "Editor", "Editor", NULL };
  MusterTargetFeatures features;

  g_assert_cmpstr (uri, ==, expected_uri);
  g_assert_nonnull (strstr (description, fixture->base_url));
  g_assert_null (strstr (description, muster_fake_tenant_get_scim_token (fixture->tenant)));
  /* nothing is known before the service has been asked */
  g_assert_cmpint (muster_target_get_features (MUSTER_TARGET (fixture->target)), ==, 0);

  muster_scim_target_set_roles (fixture->target, roles);
  state = read_state_ok (fixture->target);
  features = muster_target_get_features (MUSTER_TARGET (fixture->target));
  g_assert_true (features & MUSTER_TARGET_FEATURE_GROUPS);
  g_assert_true (features & MUSTER_TARGET_FEATURE_DELETE);
  g_assert_true (features & MUSTER_TARGET_FEATURE_ROLES);
  g_assert_true (features & MUSTER_TARGET_FEATURE_USER_TYPE);
  g_assert_true (features & MUSTER_TARGET_FEATURE_ENTERPRISE);
  g_assert_false (features & MUSTER_TARGET_FEATURE_BULK);
  if (is_strict (fixture))
    g_assert_true (features & MUSTER_TARGET_FEATURE_ETAGS);
  else
    g_assert_false (features & MUSTER_TARGET_FEATURE_ETAGS);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 0);
  g_assert_cmpstrv (muster_target_state_get_roles (state), ((const char *[]) { "Editor", "Viewer", NULL }));
}

static void
test_create (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(MusterTargetUser) ada = person ("e-ada", "ada@example.com", "Ada Lovelace");
  g_autoptr(MusterTargetUser) boss = person ("e-boss", "boss@example.com", "Charles Babbage");
  g_autoptr(FakeResponse) stored = NULL;
  const char *ada_roles[] = { "Editor", "Auditor", NULL };
  MusterTargetUser *read_ada, *read_boss;
  MusterOperationResult *ada_result;
  JsonObject *object, *enterprise;
  JsonArray *roles;

  ada->user_type = MUSTER_USER_TYPE_BILLING_ADMINISTRATOR;
  muster_target_user_set_roles (ada, ada_roles);
  muster_target_user_set_attribute (ada, MUSTER_ATTR_TITLE, "Analyst");
  muster_target_user_set_attribute (ada, MUSTER_ATTR_DEPARTMENT, "Engines");
  muster_target_user_set_attribute (ada, MUSTER_ATTR_EMPLOYEE_NUMBER, "1815");
  muster_target_user_set_attribute (ada, MUSTER_ATTR_MOBILE_PHONE, "+44 20 7946 0000");
  muster_target_user_set_attribute (ada, MUSTER_ATTR_OFFICE_LOCATION, "London");
  /* her manager comes later in the batch: the target waits for him */
  muster_target_user_set_attribute (ada, MUSTER_ATTR_MANAGER, "e-boss");
  boss->user_type = MUSTER_USER_TYPE_ADMINISTRATOR;
  add_create (operations, ada);
  add_create (operations, boss);

  results = apply_ok (fixture->target, operations);
  ada_result = g_ptr_array_index (results, 0);

  state = read_state_ok (fixture->target);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 2);
  read_ada = muster_target_state_lookup_user_by_external_id (state, "e-ada");
  read_boss = muster_target_state_lookup_user_by_user_name (state, "BOSS@example.com");
  g_assert_nonnull (read_ada);
  g_assert_nonnull (read_boss);
  g_assert_cmpstr (read_ada->id, ==, ada_result->target_id);
  g_assert_cmpstr (read_ada->user_name, ==, "ada@example.com");
  g_assert_true (read_ada->active);
  g_assert_cmpint (read_ada->user_type, ==, MUSTER_USER_TYPE_BILLING_ADMINISTRATOR);
  g_assert_cmpint (read_boss->user_type, ==, MUSTER_USER_TYPE_ADMINISTRATOR);
  g_assert_cmpstrv (read_ada->roles, ((const char *[]) { "Auditor", "Editor", NULL }));
  g_assert_cmpstr (muster_target_user_get_attribute (read_ada, MUSTER_ATTR_DISPLAY_NAME), ==, "Ada Lovelace");
  g_assert_cmpstr (muster_target_user_get_attribute (read_ada, MUSTER_ATTR_GIVEN_NAME), ==, "Ada");
  g_assert_cmpstr (muster_target_user_get_attribute (read_ada, MUSTER_ATTR_FAMILY_NAME), ==, "Lovelace");
  g_assert_cmpstr (muster_target_user_get_attribute (read_ada, MUSTER_ATTR_EMAIL), ==, "ada@example.com");
  g_assert_cmpstr (muster_target_user_get_attribute (read_ada, MUSTER_ATTR_TITLE), ==, "Analyst");
  g_assert_cmpstr (muster_target_user_get_attribute (read_ada, MUSTER_ATTR_DEPARTMENT), ==, "Engines");
  g_assert_cmpstr (muster_target_user_get_attribute (read_ada, MUSTER_ATTR_EMPLOYEE_NUMBER), ==, "1815");
  g_assert_cmpstr (muster_target_user_get_attribute (read_ada, MUSTER_ATTR_MOBILE_PHONE), ==, "+44 20 7946 0000");
  g_assert_cmpstr (muster_target_user_get_attribute (read_ada, MUSTER_ATTR_OFFICE_LOCATION), ==, "London");
  /* the manager reads back as his Entra id */
  g_assert_cmpstr (muster_target_user_get_attribute (read_ada, MUSTER_ATTR_MANAGER), ==, "e-boss");

  /* what the service holds, in SCIM's own terms */
  stored = fake_user (fixture->tenant, read_ada->id);
  object = json_node_get_object (stored->json);
  g_assert_cmpstr (json_object_get_string_member (object, "userType"), ==, "Billing Administrator");
  g_assert_cmpstr (json_object_get_string_member (object, "externalId"), ==, "e-ada");
  roles = json_object_get_array_member (object, "roles");
  g_assert_cmpuint (json_array_get_length (roles), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (roles, 0), "value"), ==, "Auditor");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (roles, 0), "display"), ==, "Auditor");
  enterprise = json_object_get_object_member (object, URN_ENT);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (enterprise, "manager"), "value"),
                   ==, read_boss->id);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (object, "emails"), 0), "type"),
                   ==, "work");
}

static MusterTargetUser *
create_one (Fixture          *fixture,
            MusterTargetUser *user)
{
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  MusterTargetUser *read;

  add_create (operations, user);
  results = apply_ok (fixture->target, operations);
  state = read_state_ok (fixture->target);
  read = muster_target_state_lookup_user_by_external_id (state, user->external_id);
  g_assert_nonnull (read);
  return muster_target_user_ref (read);
}

static void
test_update_patch (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(MusterTargetUser) ada = person ("e-ada", "ada@example.com", "Ada Lovelace");
  g_autoptr(MusterTargetUser) current = NULL;
  g_autoptr(MusterTargetUser) desired = NULL;
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(FakeResponse) log = NULL;
  g_autoptr(GPtrArray) patches = NULL;
  g_autoptr(GPtrArray) all = NULL;
  const char *fields[] = { MUSTER_ATTR_DISPLAY_NAME, MUSTER_ATTR_EMAIL, MUSTER_ATTR_DEPARTMENT,
                           MUSTER_FIELD_USER_TYPE, MUSTER_FIELD_ROLES, NULL };
  const char *roles[] = { "Viewer", NULL };
  MusterTargetUser *after;
  JsonArray *ops;
  guint before;

  current = create_one (fixture, ada);
  desired = muster_target_user_copy (current);
  muster_target_user_set_attribute (desired, MUSTER_ATTR_DISPLAY_NAME, "Augusta Ada King");
  muster_target_user_set_attribute (desired, MUSTER_ATTR_EMAIL, "augusta@example.com");
  muster_target_user_set_attribute (desired, MUSTER_ATTR_DEPARTMENT, "Analytical Engines");
  desired->user_type = MUSTER_USER_TYPE_ADMINISTRATOR;
  muster_target_user_set_roles (desired, roles);
  g_ptr_array_add (operations, update_op (current, desired, fields));

  before = count_requests (fixture->tenant);
  results = apply_ok (fixture->target, operations);
  g_assert_cmpstr (((MusterOperationResult *) g_ptr_array_index (results, 0))->target_id, ==, current->id);

  /* one PATCH with exactly the five changed fields, nothing else */
  log = received (fixture->tenant);
  patches = requests_since (log, before, "PATCH");
  all = requests_since (log, before, NULL);
  g_assert_cmpuint (patches->len, ==, 1);
  g_assert_cmpuint (all->len, ==, 1);
  ops = json_object_get_array_member (json_object_get_object_member (g_ptr_array_index (patches, 0), "body"),
                                      "Operations");
  g_assert_cmpuint (json_array_get_length (ops), ==, 5);
  {
    const char *expected_paths[] = { "displayName", "emails[type eq \"work\"].value", URN_ENT ":department",
                                     "userType", "roles" };

    for (guint i = 0; i < 5; i++)
      {
        JsonObject *op = json_array_get_object_element (ops, i);

        g_assert_cmpstr (json_object_get_string_member (op, "path"), ==, expected_paths[i]);
      }
    /* the department was empty: a replace all the same (RFC 7644 §3.5.2.3 makes it an add) */
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (ops, 2), "op"), ==, "replace");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (ops, 3), "value"), ==,
                     "Administrator");
  }
  g_ptr_array_unref (g_steal_pointer (&results));

  state = read_state_ok (fixture->target);
  after = muster_target_state_lookup_user_by_external_id (state, "e-ada");
  g_assert_cmpstr (muster_target_user_get_attribute (after, MUSTER_ATTR_DISPLAY_NAME), ==, "Augusta Ada King");
  g_assert_cmpstr (muster_target_user_get_attribute (after, MUSTER_ATTR_EMAIL), ==, "augusta@example.com");
  g_assert_cmpstr (muster_target_user_get_attribute (after, MUSTER_ATTR_DEPARTMENT), ==, "Analytical Engines");
  /* untouched fields stay */
  g_assert_cmpstr (muster_target_user_get_attribute (after, MUSTER_ATTR_GIVEN_NAME), ==, "Ada");
  g_assert_cmpint (after->user_type, ==, MUSTER_USER_TYPE_ADMINISTRATOR);
  g_assert_cmpstrv (after->roles, roles);
}

static void
test_disable_delete (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(MusterTargetUser) ada = person ("e-ada", "ada@example.com", "Ada Lovelace");
  g_autoptr(MusterTargetUser) bob = person ("e-bob", "bob@example.com", "Bob Smith");
  g_autoptr(MusterTargetUser) read_ada = NULL;
  g_autoptr(MusterTargetUser) read_bob = NULL;
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(FakeResponse) log = NULL;
  g_autoptr(GPtrArray) patches = NULL;
  g_autoptr(GPtrArray) deletes = NULL;
  JsonObject *op;
  MusterTargetUser *after;
  guint before;

  read_ada = create_one (fixture, ada);
  read_bob = create_one (fixture, bob);
  g_ptr_array_add (operations, user_op (MUSTER_OPERATION_DISABLE_USER, read_ada));
  g_ptr_array_add (operations, user_op (MUSTER_OPERATION_DELETE_USER, read_bob));
  before = count_requests (fixture->tenant);
  results = apply_ok (fixture->target, operations);

  log = received (fixture->tenant);
  patches = requests_since (log, before, "PATCH");
  deletes = requests_since (log, before, "DELETE");
  g_assert_cmpuint (patches->len, ==, 1);
  g_assert_cmpuint (deletes->len, ==, 1);
  op = json_array_get_object_element (json_object_get_array_member (
                                        json_object_get_object_member (g_ptr_array_index (patches, 0), "body"),
                                        "Operations"), 0);
  g_assert_cmpstr (json_object_get_string_member (op, "op"), ==, "replace");
  g_assert_cmpstr (json_object_get_string_member (op, "path"), ==, "active");
  /* a JSON boolean, not Entra's old "False" */
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (op, "value")), ==, G_TYPE_BOOLEAN);
  g_assert_false (json_object_get_boolean_member (op, "value"));

  state = read_state_ok (fixture->target);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 1);
  after = muster_target_state_lookup_user_by_external_id (state, "e-ada");
  g_assert_nonnull (after);
  g_assert_false (after->active);
  g_assert_null (muster_target_state_lookup_user_by_external_id (state, "e-bob"));
}

static MusterOperation *
group_op (MusterOperationKind  kind,
          const char          *group_entra_id,
          const char          *group_name,
          const char          *member_entra_id)
{
  g_autofree char *key = g_strdup_printf ("%s:%s:%s", muster_operation_kind_to_string (kind), group_entra_id,
                                          member_entra_id ? member_entra_id : "");
  MusterOperation *op = muster_operation_new (kind, key);

  op->group = muster_target_group_new ();
  op->group->external_id = g_strdup (group_entra_id);
  op->group->display_name = g_strdup (group_name);
  op->member_external_id = g_strdup (member_entra_id);
  return op;
}

static void
test_groups (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(MusterTargetUser) ada = person ("e-ada", "ada@example.com", "Ada Lovelace");
  g_autoptr(MusterTargetUser) bob = person ("e-bob", "bob@example.com", "Bob Smith");
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) again = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) results2 = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(FakeResponse) log = NULL;
  g_autoptr(FakeResponse) stored = NULL;
  g_autoptr(GPtrArray) patches = NULL;
  MusterTargetGroup *group;
  g_autofree char *bob_id = NULL;
  JsonObject *created_body;
  guint before;

  /* users, the group and its members in one batch: the target resolves the Entra ids itself */
  add_create (operations, ada);
  add_create (operations, bob);
  g_ptr_array_add (operations, group_op (MUSTER_OPERATION_CREATE_GROUP, "g-eng", "Engineers", NULL));
  g_ptr_array_add (operations, group_op (MUSTER_OPERATION_ADD_MEMBER, "g-eng", "Engineers", "e-ada"));
  g_ptr_array_add (operations, group_op (MUSTER_OPERATION_ADD_MEMBER, "g-eng", "Engineers", "e-bob"));
  results = apply_ok (fixture->target, operations);

  stored = scim_request (fixture->tenant, "GET", "/scim/v2/Groups", NULL);
  {
    g_autoptr(FakeResponse) all = received (fixture->tenant);
    g_autoptr(GPtrArray) posts = requests_since (all, 0, "POST");

    created_body = NULL;
    for (guint i = 0; i < posts->len; i++)
      if (g_str_equal (json_object_get_string_member (g_ptr_array_index (posts, i), "path"), "/scim/v2/Groups"))
        created_body = json_object_get_object_member (g_ptr_array_index (posts, i), "body");
    /* the group was made with its display name and externalId only; members come by PATCH */
    g_assert_nonnull (created_body);
    g_assert_cmpstr (json_object_get_string_member (created_body, "displayName"), ==, "Engineers");
    g_assert_cmpstr (json_object_get_string_member (created_body, "externalId"), ==, "g-eng");
    g_assert_false (json_object_has_member (created_body, "members"));
  }

  /* remove Bob; add Ada, who is there already: no request for her */
  g_ptr_array_add (again, group_op (MUSTER_OPERATION_ADD_MEMBER, "g-eng", "Engineers", "e-ada"));
  g_ptr_array_add (again, group_op (MUSTER_OPERATION_REMOVE_MEMBER, "g-eng", "Engineers", "e-bob"));
  state = read_state_ok (fixture->target);
  group = muster_target_state_lookup_group_by_external_id (state, "g-eng");
  g_assert_nonnull (group);
  g_assert_cmpuint (g_hash_table_size (group->members), ==, 2);
  bob_id = g_strdup (muster_target_state_lookup_user_by_external_id (state, "e-bob")->id);
  ((MusterOperation *) g_ptr_array_index (again, 1))->member_id = g_strdup (bob_id);
  ((MusterOperation *) g_ptr_array_index (again, 1))->group->id = g_strdup (group->id);
  g_clear_pointer (&state, muster_target_state_unref);

  before = count_requests (fixture->tenant);
  results2 = apply_ok (fixture->target, again);
  log = received (fixture->tenant);
  patches = requests_since (log, before, "PATCH");
  g_assert_cmpuint (patches->len, ==, 1);
  {
    JsonObject *op = json_array_get_object_element (json_object_get_array_member (
                                                      json_object_get_object_member (g_ptr_array_index (patches, 0),
                                                                                     "body"), "Operations"), 0);
    g_autofree char *expected = g_strdup_printf ("members[value eq \"%s\"]", bob_id);

    g_assert_cmpstr (json_object_get_string_member (op, "op"), ==, "remove");
    g_assert_cmpstr (json_object_get_string_member (op, "path"), ==, expected);
  }

  state = read_state_ok (fixture->target);
  group = muster_target_state_lookup_group_by_name (state, "ENGINEERS");
  g_assert_nonnull (group);
  g_assert_cmpuint (g_hash_table_size (group->members), ==, 1);
  g_assert_true (g_hash_table_contains (group->members,
                                        muster_target_state_lookup_user_by_external_id (state, "e-ada")->id));
}

static void
test_conflict_matches (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(FakeResponse) made = NULL;
  g_autoptr(MusterTargetUser) ada = person ("e-ada", "ada@example.com", "Ada Lovelace");
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  const char *id;
  MusterTargetUser *read;

  /* someone made Ada behind Muster's back, with another case and no externalId */
  made = scim_request (fixture->tenant, "POST", "/scim/v2/Users",
                       "{\"schemas\":[\"" URN_USER "\"],\"userName\":\"ADA@example.com\",\"displayName\":\"A. L.\"}");
  g_assert_cmpuint (made->status, ==, 201);
  id = fake_response_get_string (made, "id");

  add_create (operations, ada);
  results = apply_ok (fixture->target, operations);
  g_assert_cmpstr (((MusterOperationResult *) g_ptr_array_index (results, 0))->target_id, ==, id);

  state = read_state_ok (fixture->target);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 1);
  read = muster_target_state_lookup_user_by_external_id (state, "e-ada");
  g_assert_nonnull (read);
  g_assert_cmpstr (read->id, ==, id);
  g_assert_cmpstr (read->user_name, ==, "ada@example.com");
  g_assert_cmpstr (muster_target_user_get_attribute (read, MUSTER_ATTR_DISPLAY_NAME), ==, "Ada Lovelace");
  g_assert_cmpstr (muster_target_user_get_attribute (read, MUSTER_ATTR_EMAIL), ==, "ada@example.com");
}

static void
test_precondition_refetch (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(MusterTargetUser) ada = person ("e-ada", "ada@example.com", "Ada Lovelace");
  g_autoptr(MusterTargetUser) current = NULL;
  g_autoptr(MusterTargetUser) desired = NULL;
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(FakeResponse) sneaky = NULL;
  g_autoptr(FakeResponse) log = NULL;
  g_autoptr(FakeResponse) stored = NULL;
  g_autoptr(GPtrArray) since = NULL;
  g_autofree char *path = NULL;
  const char *fields[] = { MUSTER_ATTR_TITLE, NULL };
  JsonObject *object;
  guint before;

  if (!is_strict (fixture))
    {
      g_test_skip ("the field mode advertises no ETags");
      return;
    }

  current = create_one (fixture, ada);
  g_assert_nonnull (current->version);
  /* someone changes her behind Muster's back: the version Muster holds is stale */
  path = g_strconcat ("/scim/v2/Users/", current->id, NULL);
  sneaky = scim_request (fixture->tenant, "PATCH", path,
                         "{\"schemas\":[\"" URN_PATCH "\"],\"Operations\":[{\"op\":\"replace\","
                         "\"path\":\"displayName\",\"value\":\"Countess of Lovelace\"}]}");
  g_assert_cmpuint (sneaky->status, ==, 200);

  desired = copy_with (current, MUSTER_ATTR_TITLE, "Mathematician");
  g_ptr_array_add (operations, update_op (current, desired, fields));
  before = count_requests (fixture->tenant);
  results = apply_ok (fixture->target, operations);

  /* PATCH → 412, GET, PATCH → 200 */
  log = received (fixture->tenant);
  since = requests_since (log, before, NULL);
  g_assert_cmpuint (since->len, ==, 3);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (since, 0), "method"), ==, "PATCH");
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (since, 0), "status"), ==, 412);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (since, 1), "method"), ==, "GET");
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (since, 2), "status"), ==, 200);

  /* both changes hold: Muster sent only its own field */
  stored = fake_user (fixture->tenant, current->id);
  object = json_node_get_object (stored->json);
  g_assert_cmpstr (json_object_get_string_member (object, "title"), ==, "Mathematician");
  g_assert_cmpstr (json_object_get_string_member (object, "displayName"), ==, "Countess of Lovelace");
}

static void
test_retries (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(MusterTargetUser) ada = person ("e-ada", "ada@example.com", "Ada Lovelace");
  g_autoptr(MusterTargetUser) bob = person ("e-bob", "bob@example.com", "Bob Smith");
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(FakeResponse) log = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  double started;
  guint before;

  /* the first two creates get 429 (Retry-After 1), the next 503, the next 500 without one */
  control (fixture->tenant, "/_fake/scim/fail",
           "{\"path\":\"/scim/v2/Users\",\"method\":\"POST\",\"status\":429,\"count\":2,\"retryAfter\":1}");
  control (fixture->tenant, "/_fake/scim/fail",
           "{\"path\":\"/scim/v2/Users\",\"method\":\"POST\",\"status\":503,\"count\":1,\"retryAfter\":1}");
  control (fixture->tenant, "/_fake/scim/fail",
           "{\"path\":\"/scim/v2/Users\",\"method\":\"POST\",\"status\":500,\"count\":1}");
  add_create (operations, ada);
  add_create (operations, bob);
  before = count_requests (fixture->tenant);
  started = g_get_monotonic_time () / 1e6;
  results = apply_ok (fixture->target, operations);
  /* Retry-After was honoured, not ignored */
  g_assert_cmpfloat (g_get_monotonic_time () / 1e6 - started, >=, 1.0);

  log = received (fixture->tenant);
  posts = requests_since (log, before, "POST");
  g_assert_cmpuint (posts->len, ==, 6);
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (posts, 0), "status"), ==, 429);
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (posts, posts->len - 1), "status"), ==, 201);

  state = read_state_ok (fixture->target);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 2);
}

static void
test_faults_option (gconstpointer data)
{
  MusterFakeOptions options;
  Fixture fixture = { NULL, };
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetUser) ada = person ("e-ada", "ada@example.com", "Ada Lovelace");

  /* every third SCIM request fails with 502 (--faults), reads and writes alike */
  muster_fake_options_init (&options);
  options.faults = "502@/scim/v2/every=3";
  fixture_start (&fixture, &options, data);
  add_create (operations, ada);
  results = apply_ok (fixture.target, operations);
  state = read_state_ok (fixture.target);
  g_assert_nonnull (muster_target_state_lookup_user_by_external_id (state, "e-ada"));
  fixture_tear_down (&fixture, NULL);
}

static void
test_paging (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(FakeResponse) log = NULL;
  g_autoptr(GPtrArray) gets = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *users;
  guint before, pages = 0;

  for (guint i = 0; i < 450; i++)
    {
      g_autofree char *entra = g_strdup_printf ("e-%03u", i);
      g_autofree char *name = g_strdup_printf ("user%03u@example.com", i);
      g_autoptr(MusterTargetUser) user = person (entra, name, "Some One");

      add_create (operations, user);
    }
  results = apply_ok (fixture->target, operations);

  before = count_requests (fixture->tenant);
  state = read_state_ok (fixture->target);
  users = muster_target_state_get_users (state);
  g_assert_cmpuint (users->len, ==, 450);
  for (guint i = 0; i < users->len; i++)
    g_assert_true (g_hash_table_add (ids, ((MusterTargetUser *) g_ptr_array_index (users, i))->id));

  log = received (fixture->tenant);
  gets = requests_since (log, before, "GET");
  for (guint i = 0; i < gets->len; i++)
    if (g_str_equal (json_object_get_string_member (g_ptr_array_index (gets, i), "path"), "/scim/v2/Users"))
      pages++;
  /* strict: 200 + 200 + 50, and no request past the end; a service capping pages needs more */
  if (is_strict (fixture))
    g_assert_cmpuint (pages, ==, 3);
  else
    g_assert_cmpuint (pages, <=, 450 / 20 + 2);
}

static void
test_dead_server (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterScimTarget) target = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetUser) ada = person ("e-ada", "ada@example.com", "Ada Lovelace");
  g_autofree char *url = NULL;

  /* a port that was free a moment ago and that nobody listens on */
  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u/scim/v2", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  target = muster_scim_target_new (url, "a-token", &error);
  g_assert_no_error (error);
  state = read_state (target, &error);
  g_assert_null (state);
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_clear_error (&error);

  add_create (operations, ada);
  results = apply (target, operations, NULL, &error);
  g_assert_null (results);
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_UNREACHABLE);
}

static void
test_refused_token (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterScimTarget) target = muster_scim_target_new (fixture->base_url, "not-the-token", &error);
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetUser) ada = person ("e-ada", "ada@example.com", "Ada Lovelace");
  g_autoptr(GAsyncResult) tested = NULL;
  g_autoptr(GAsyncResult) tested_good = NULL;

  g_assert_no_error (error);
  state = read_state (target, &error);
  g_assert_null (state);
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_AUTH);
  g_assert_null (strstr (error->message, "not-the-token"));
  g_clear_error (&error);

  add_create (operations, ada);
  results = apply (target, operations, NULL, &error);
  g_assert_null (results);
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_AUTH);
  g_clear_error (&error);

  muster_scim_target_test_connection_async (target, NULL, core_test_store_result_cb, &tested);
  g_assert_false (muster_scim_target_test_connection_finish (target, core_test_wait (&tested), &error));
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_AUTH);
  g_clear_error (&error);

  muster_scim_target_test_connection_async (fixture->target, NULL, core_test_store_result_cb, &tested_good);
  g_assert_true (muster_scim_target_test_connection_finish (fixture->target, core_test_wait (&tested_good), &error));
  g_assert_no_error (error);
}

static void
test_plain_http_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterScimTarget) remote = muster_scim_target_new ("http://scim.example.com/scim/v2", "t", &error);
  g_autoptr(MusterScimTarget) secure = NULL;
  g_autoptr(MusterScimTarget) local = NULL;

  g_assert_null (remote);
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "https"));
  g_clear_error (&error);

  secure = muster_scim_target_new ("https://scim.example.com/scim/v2/", "t", &error);
  g_assert_no_error (error);
  g_assert_nonnull (secure);
  local = muster_scim_target_new ("http://localhost:8080/scim/v2", "t", &error);
  g_assert_no_error (error);
  g_assert_nonnull (local);
}

static void
cancel_soon_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_cancel (gconstpointer data)
{
  MusterFakeOptions options;
  Fixture fixture = { NULL, };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GError) error = NULL;
  guint ok = 0, cancelled = 0;

  muster_fake_options_init (&options);
  options.latency_ms = 100;
  fixture_start (&fixture, &options, data);
  muster_scim_target_set_concurrency (fixture.target, 2);
  g_assert_cmpuint (muster_scim_target_get_concurrency (fixture.target), ==, 2);
  g_clear_pointer (&state, muster_target_state_unref);
  state = read_state_ok (fixture.target);
  g_clear_pointer (&state, muster_target_state_unref);

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *entra = g_strdup_printf ("e-%u", i);
      g_autofree char *name = g_strdup_printf ("user%u@example.com", i);
      g_autoptr(MusterTargetUser) user = person (entra, name, "Some One");

      add_create (operations, user);
    }
  g_timeout_add_once (450, cancel_soon_cb, cancellable);
  results = apply (fixture.target, operations, cancellable, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 40);
  for (guint i = 0; i < results->len; i++)
    {
      MusterOperationResult *result = g_ptr_array_index (results, i);

      if (result->ok)
        ok++;
      else
        {
          g_assert_error (result->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          cancelled++;
        }
    }
  g_assert_cmpuint (ok, >, 0);
  g_assert_cmpuint (cancelled, >, 0);
  g_assert_cmpuint (ok + cancelled, ==, 40);

  /* nobody Muster reported made is missing; at most the two in flight were made unreported */
  state = read_state_ok (fixture.target);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, >=, ok);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, <=, ok + 2);
  fixture_tear_down (&fixture, NULL);
}


static void
test_cancel_while_waiting (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTargetUser) ada = person ("e-ada", "ada@example.com", "Ada Lovelace");
  MusterOperationResult *result;
  double started;

  /* the service asks for 20 s; Cancel must not wait for them */
  control (fixture->tenant, "/_fake/scim/fail",
           "{\"path\":\"/scim/v2/Users\",\"method\":\"POST\",\"status\":503,\"count\":5,\"retryAfter\":20}");
  add_create (operations, ada);
  g_timeout_add_once (300, cancel_soon_cb, cancellable);
  started = g_get_monotonic_time () / 1e6;
  results = apply (fixture->target, operations, cancellable, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (g_get_monotonic_time () / 1e6 - started, <, 5.0);
  result = g_ptr_array_index (results, 0);
  g_assert_false (result->ok);
  g_assert_error (result->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static char *captured_token;
static guint token_leaks;
static guint debug_lines;

static void
capture_log (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
  debug_lines++;
  if (captured_token != NULL && strstr (message, captured_token) != NULL)
    token_leaks++;
}

static void
test_token_never_logged (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(MusterTargetUser) ada = person ("e-ada", "ada@example.com", "Ada Lovelace");
  g_autoptr(MusterTargetUser) current = NULL;
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  guint handlers[2];

  captured_token = g_strdup (muster_fake_tenant_get_scim_token (fixture->tenant));
  handlers[0] = g_log_set_handler ("muster-scim-target", G_LOG_LEVEL_MASK, capture_log, NULL);
  handlers[1] = g_log_set_handler ("muster-scim-client", G_LOG_LEVEL_MASK, capture_log, NULL);

  control (fixture->tenant, "/_fake/scim/fail", "{\"path\":\"/scim/v2/Users\",\"status\":503,\"count\":1}");
  current = create_one (fixture, ada);
  g_ptr_array_add (operations, user_op (MUSTER_OPERATION_DISABLE_USER, current));
  results = apply_ok (fixture->target, operations);

  g_log_remove_handler ("muster-scim-target", handlers[0]);
  g_log_remove_handler ("muster-scim-client", handlers[1]);
  g_clear_pointer (&captured_token, g_free);
  g_assert_cmpuint (debug_lines, >, 0);
  g_assert_cmpuint (token_leaks, ==, 0);
}


static void
test_failing_users (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(MusterTargetUser) ada = person ("e-ada", "ada@example.com", "Ada Lovelace");
  g_autoptr(MusterTargetUser) bob = person ("e-bob", "bob@example.com", "Bob Smith");
  g_autoptr(MusterTargetUser) cy = person ("e-cy", "cy@example.com", "Cy Young");
  g_autoptr(GPtrArray) operations = operations_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GError) error = NULL;
  MusterOperationResult *refused, *flaky, *fine;

  /* Bob is refused for good; Cy fails twice with 500, then goes through */
  control (fixture->tenant, "/_fake/scim/fail-users", "{\"userName\":\"bob@example.com\",\"status\":400}");
  control (fixture->tenant, "/_fake/scim/fail-users", "{\"userName\":\"cy@example.com\",\"status\":500,\"times\":2}");
  add_create (operations, ada);
  add_create (operations, bob);
  add_create (operations, cy);
  results = apply (fixture->target, operations, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 3);
  fine = g_ptr_array_index (results, 0);
  refused = g_ptr_array_index (results, 1);
  flaky = g_ptr_array_index (results, 2);
  g_assert_true (fine->ok);
  g_assert_true (flaky->ok);
  g_assert_false (refused->ok);
  g_assert_error (refused->error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED);
  /* the admin reads who and why, in the service's words */
  g_assert_nonnull (strstr (refused->error->message, "bob@example.com"));
  g_assert_nonnull (strstr (refused->error->message, "400"));

  state = read_state_ok (fixture->target);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 2);
  g_assert_null (muster_target_state_lookup_user_by_external_id (state, "e-bob"));
  g_assert_nonnull (muster_target_state_lookup_user_by_external_id (state, "e-cy"));
}

/* A service that pages the way some do in the field: no totalResults, at most two users a page
 * whatever count asks, and past the end the last page again, forever. */
static void
repeating_pages_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  GString *body = g_string_new (NULL);
  const char *start_text = query ? g_hash_table_lookup (query, "startIndex") : NULL;
  guint start = start_text ? (guint) atoi (start_text) : 1;
  guint *pages = user_data;

  if (g_str_has_suffix (path, "/ServiceProviderConfig"))
    g_string_append (body, "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig\"],"
                           "\"patch\":{\"supported\":true},\"etag\":{\"supported\":false},"
                           "\"bulk\":{\"supported\":false},\"filter\":{\"supported\":true,\"maxResults\":500}}");
  else if (g_str_has_suffix (path, "/ResourceTypes"))
    g_string_append (body, "[{\"name\":\"User\",\"endpoint\":\"Users\","
                           "\"schema\":\"urn:ietf:params:scim:schemas:core:2.0:User\"}]");
  else if (g_str_has_suffix (path, "/Users"))
    {
      guint first;

      (*pages)++;
      /* five users; a start past the end gets the last page once more */
      start = MAX (start, 1);
      first = start > 5 ? 4 : start;
      g_string_append (body, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],"
                             "\"Resources\":[");
      for (guint i = first; i < first + 2 && i <= 5; i++)
        g_string_append_printf (body, "%s{\"id\":\"u%u\",\"userName\":\"user%u@example.com\",\"active\":\"True\"}",
                                i > first ? "," : "", i, i);
      g_string_append (body, "]}");
    }
  else
    {
      soup_server_message_set_status (msg, 404, NULL);
      g_string_free (body, TRUE);
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/scim+json", SOUP_MEMORY_TAKE, body->str, body->len);
  g_string_free (body, FALSE);
}

static void
test_repeated_pages (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterScimTarget) target = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autofree char *url = NULL;
  GSList *uris;
  guint pages = 0;

  soup_server_add_handler (server, "/scim/v2", repeating_pages_cb, &pages, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d/scim/v2", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  target = muster_scim_target_new (url, "t", &error);
  g_assert_no_error (error);
  state = read_state (target, &error);
  g_assert_no_error (error);
  /* every user once, "True" read as a boolean, and the read stopped */
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 5);
  g_assert_true (muster_target_state_lookup_user_by_id (state, "u5")->active);
  g_assert_cmpuint (pages, <=, 4);
  /* no Groups resource type advertised: no groups feature, and no request for them */
  g_assert_false (muster_target_get_features (MUSTER_TARGET (target)) & MUSTER_TARGET_FEATURE_GROUPS);
  g_assert_false (muster_target_get_features (MUSTER_TARGET (target)) & MUSTER_TARGET_FEATURE_ENTERPRISE);
}

static void
add_tests (const char *mode)
{
  struct { const char *name; void (*func) (Fixture *, gconstpointer); } tests[] = {
    { "features", test_features_and_uri },
    { "create", test_create },
    { "update-patch", test_update_patch },
    { "disable-delete", test_disable_delete },
    { "groups", test_groups },
    { "conflict-matches", test_conflict_matches },
    { "precondition-refetch", test_precondition_refetch },
    { "retries", test_retries },
    { "paging", test_paging },
    { "refused-token", test_refused_token },
    { "failing-users", test_failing_users },
    { "cancel-while-waiting", test_cancel_while_waiting },
    { "token-never-logged", test_token_never_logged },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      g_autofree char *path = g_strdup_printf ("/scim-target/%s/%s", mode, tests[i].name);

      g_test_add (path, Fixture, mode, fixture_set_up, tests[i].func, fixture_tear_down);
    }
  {
    g_autofree char *faults = g_strdup_printf ("/scim-target/%s/faults-option", mode);
    g_autofree char *cancel = g_strdup_printf ("/scim-target/%s/cancel", mode);

    g_test_add_data_func (faults, mode, test_faults_option);
    g_test_add_data_func (cancel, mode, test_cancel);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add_tests ("strict");
  add_tests ("field");
  g_test_add_func ("/scim-target/dead-server", test_dead_server);
  g_test_add_func ("/scim-target/repeated-pages", test_repeated_pages);
  g_test_add_func ("/scim-target/plain-http-refused", test_plain_http_refused);
  return g_test_run ();
}
