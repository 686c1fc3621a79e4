/* test-plan.c: what a plan says a push would do, rule by rule and combined
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The snapshot is written into a temporary cache.db from Graph-shaped JSON through the same
 * writer a fetch uses, then loaded back; target states are built by hand (they are plain data).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core-test-util.h"
#include "muster-plan.h"
#include "muster-snapshot-store.h"
#include "muster-sqlite-target.h"

#define ANN "00000000-0000-4000-8000-000000000001"
#define BOB "00000000-0000-4000-8000-000000000002"
#define CAT "00000000-0000-4000-8000-000000000003"
#define DAN "00000000-0000-4000-8000-000000000004"
#define EVE "00000000-0000-4000-8000-000000000005"
#define FAY "00000000-0000-4000-8000-000000000006"
#define GUS "00000000-0000-4000-8000-000000000007"
#define HAL "00000000-0000-4000-8000-000000000008"
#define GONE "00000000-0000-4000-8000-0000000000ff"  /* deleted in Entra */

#define G_STAFF   "10000000-0000-4000-8000-000000000001"
#define G_ENG     "10000000-0000-4000-8000-000000000002"
#define G_ADMINS  "10000000-0000-4000-8000-000000000003"
#define G_BILLING "10000000-0000-4000-8000-000000000004"
#define G_ALL     "10000000-0000-4000-8000-000000000005"

#define E3 "{\"skuId\":\"c7df2760-2c81-4ef7-b578-5b5392b571df\"}"

/* The directory:
 *   ann   enabled, licensed    Staff, Admins            manager dan   R&D   E1
 *   bob   enabled, licensed    Engineering (⊂ Staff), Billing
 *   cat   disabled, licensed   Staff
 *   dan   enabled, unlicensed  Staff
 *   eve   guest, licensed      All Company
 *   fay   enabled, licensed    Staff                    no mail
 *   gus   enabled, licensed    no group
 *   hal   enabled, licensed    Staff                    (deny-listed in some tests) */
static const char * const users_json[] = {
  "{\"id\":\"" ANN "\",\"displayName\":\"Ann Archer\",\"givenName\":\"Ann\",\"surname\":\"Archer\","
  "\"userPrincipalName\":\"ann@contoso.example\",\"mail\":\"Ann.Archer@contoso.example\",\"jobTitle\":\"Engineer\","
  "\"department\":\"R&D\",\"employeeId\":\"E1\",\"mobilePhone\":\"+1 555 0101\",\"officeLocation\":\"Building 1\","
  "\"userType\":\"Member\",\"accountEnabled\":true,\"assignedLicenses\":[" E3 "]}",
  "{\"id\":\"" BOB "\",\"displayName\":\"Bob Baker\",\"userPrincipalName\":\"bob@contoso.example\","
  "\"mail\":\"bob@contoso.example\",\"jobTitle\":\"Engineer\",\"userType\":\"Member\",\"accountEnabled\":true,"
  "\"assignedLicenses\":[" E3 "]}",
  "{\"id\":\"" CAT "\",\"displayName\":\"Cat Cole\",\"userPrincipalName\":\"cat@contoso.example\","
  "\"mail\":\"cat@contoso.example\",\"userType\":\"Member\",\"accountEnabled\":false,\"assignedLicenses\":[" E3 "]}",
  "{\"id\":\"" DAN "\",\"displayName\":\"Dan Dyer\",\"userPrincipalName\":\"dan@contoso.example\","
  "\"mail\":\"dan@contoso.example\",\"userType\":\"Member\",\"accountEnabled\":true,\"assignedLicenses\":[]}",
  "{\"id\":\"" EVE "\",\"displayName\":\"Eve Evans\",\"userPrincipalName\":\"eve_fabrikam.example#EXT#@contoso.example\","
  "\"mail\":\"eve@fabrikam.example\",\"userType\":\"Guest\",\"accountEnabled\":true,\"assignedLicenses\":[" E3 "]}",
  "{\"id\":\"" FAY "\",\"displayName\":\"Fay Fox\",\"userPrincipalName\":\"fay@contoso.example\","
  "\"userType\":\"Member\",\"accountEnabled\":true,\"assignedLicenses\":[" E3 "]}",
  "{\"id\":\"" GUS "\",\"displayName\":\"Gus Gray\",\"userPrincipalName\":\"gus@contoso.example\","
  "\"mail\":\"gus@contoso.example\",\"userType\":\"Member\",\"accountEnabled\":true,\"assignedLicenses\":[" E3 "]}",
  "{\"id\":\"" HAL "\",\"displayName\":\"Hal Hill\",\"userPrincipalName\":\"hal@contoso.example\","
  "\"mail\":\"hal@contoso.example\",\"userType\":\"Member\",\"accountEnabled\":true,\"assignedLicenses\":[" E3 "]}",
};

#define SECURITY "\"groupTypes\":[],\"mailEnabled\":false,\"securityEnabled\":true"
#define UNIFIED "\"groupTypes\":[\"Unified\"],\"mailEnabled\":true,\"securityEnabled\":false"

static const char * const groups_json[] = {
  "{\"id\":\"" G_STAFF "\",\"displayName\":\"Staff\"," SECURITY "}",
  "{\"id\":\"" G_ENG "\",\"displayName\":\"Engineering\"," SECURITY "}",
  "{\"id\":\"" G_ADMINS "\",\"displayName\":\"Admins\"," SECURITY "}",
  "{\"id\":\"" G_BILLING "\",\"displayName\":\"Billing\"," SECURITY "}",
  "{\"id\":\"" G_ALL "\",\"displayName\":\"All Company\"," UNIFIED "}",
};

static const char * const memberships[][2] = {
  { G_STAFF, ANN }, { G_ADMINS, ANN }, { G_STAFF, G_ENG }, { G_ENG, BOB }, { G_BILLING, BOB },
  { G_STAFF, CAT }, { G_STAFF, DAN }, { G_ALL, EVE }, { G_STAFF, FAY }, { G_STAFF, HAL },
};

static MusterSnapshot *tenant;
static char *tenant_dir;

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

static MusterSnapshot *
write_and_load_tenant (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  MusterSnapshot *snapshot;
  gint64 id;

  store = muster_snapshot_store_open (path, &error);
  g_assert_no_error (error);
  writer = muster_snapshot_store_begin (store, "plan", "11111111-2222-3333-4444-555555555555", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (users_json); i++)
    {
      g_autoptr(JsonObject) object = parse_object (users_json[i]);
      g_autoptr(MusterUser) user = muster_user_new_from_json (object);

      g_assert_true (muster_snapshot_writer_put_user (writer, user, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (groups_json); i++)
    {
      g_autoptr(JsonObject) object = parse_object (groups_json[i]);
      g_autoptr(MusterGroup) group = muster_group_new_from_json (object);

      g_assert_true (muster_snapshot_writer_put_group (writer, group, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (memberships); i++)
    {
      g_assert_true (muster_snapshot_writer_add_member (writer, memberships[i][0], memberships[i][1], &error));
      g_assert_no_error (error);
    }
  g_assert_true (muster_snapshot_writer_set_manager (writer, ANN, DAN, &error));
  g_assert_no_error (error);

  id = muster_snapshot_writer_commit (writer, &error);
  g_assert_no_error (error);
  snapshot = muster_snapshot_store_load (store, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (snapshot);
  return snapshot;
}

/* Target states ------------------------------------------------------------------------------ */

/* A target user as Muster would have made it from @entra_id with the default rules. */
static MusterTargetUser *
managed_user (const char *target_id,
              const char *entra_id)
{
  MusterUser *user = muster_snapshot_lookup_user (tenant, entra_id);
  MusterTargetUser *target = muster_target_user_new ();

  g_assert_nonnull (user);
  target->id = g_strdup (target_id);
  target->external_id = g_strdup (entra_id);
  target->user_name = g_strdup (muster_user_get_email (user, MUSTER_EMAIL_METHOD_MAIL_OR_UPN));
  muster_target_user_set_attribute (target, MUSTER_ATTR_DISPLAY_NAME, muster_user_get_display_name (user));
  muster_target_user_set_attribute (target, MUSTER_ATTR_GIVEN_NAME, muster_user_get_given_name (user));
  muster_target_user_set_attribute (target, MUSTER_ATTR_FAMILY_NAME, muster_user_get_surname (user));
  muster_target_user_set_attribute (target, MUSTER_ATTR_EMAIL, muster_user_get_email (user, MUSTER_EMAIL_METHOD_MAIL_OR_UPN));
  muster_target_user_set_attribute (target, MUSTER_ATTR_TITLE, muster_user_get_job_title (user));
  muster_target_user_set_attribute (target, MUSTER_ATTR_DEPARTMENT, muster_user_get_department (user));
  muster_target_user_set_attribute (target, MUSTER_ATTR_MANAGER, muster_user_get_manager_id (user));
  muster_target_user_set_attribute (target, MUSTER_ATTR_EMPLOYEE_NUMBER, muster_user_get_employee_id (user));
  muster_target_user_set_attribute (target, MUSTER_ATTR_MOBILE_PHONE, muster_user_get_mobile_phone (user));
  muster_target_user_set_attribute (target, MUSTER_ATTR_OFFICE_LOCATION, muster_user_get_office_location (user));
  return target;
}

static void
add_user (MusterTargetState *state,
          MusterTargetUser  *user)
{
  muster_target_state_add_user (state, user);
  muster_target_user_unref (user);
}

#define ALL_FEATURES (MUSTER_TARGET_FEATURE_GROUPS | MUSTER_TARGET_FEATURE_DELETE | MUSTER_TARGET_FEATURE_ROLES | \
                      MUSTER_TARGET_FEATURE_USER_TYPE | MUSTER_TARGET_FEATURE_ENTERPRISE)

/* Assertions --------------------------------------------------------------------------------- */

static MusterPlanItem *
item (MusterPlan *plan,
      const char *id)
{
  MusterPlanItem *found = muster_plan_lookup_item (plan, id);

  if (found == NULL)
    g_error ("no plan item for %s", id);
  return found;
}

#define assert_action(plan, id, expected) \
  g_assert_cmpstr (muster_plan_action_to_string (item ((plan), (id))->action), ==, (expected))
#define assert_reason(plan, id, expected) \
  g_assert_cmpstr (item ((plan), (id))->reason, ==, (expected))

/* The changes of @id as "field:before>after|…" (NULL shown as -). */
static char *
changes (MusterPlan *plan,
         const char *id)
{
  GPtrArray *list = item (plan, id)->changes;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    {
      const MusterFieldChange *change = list->pdata[i];

      if (i > 0)
        g_string_append_c (text, '|');
      g_string_append_printf (text, "%s:%s>%s", change->field, change->before ? change->before : "-",
                              change->after ? change->after : "-");
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

#define assert_changes(plan, id, expected) G_STMT_START { \
    g_autofree char *_c = changes ((plan), (id));         \
    g_assert_cmpstr (_c, ==, (expected));                 \
  } G_STMT_END

static gboolean
explains (MusterPlan *plan,
          const char *id,
          const char *needle)
{
  GPtrArray *steps = item (plan, id)->explanation;

  for (guint i = 0; i < steps->len; i++)
    if (strstr (steps->pdata[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

#define assert_explains(plan, id, needle) G_STMT_START {                             \
    if (!explains ((plan), (id), (needle)))                                          \
      {                                                                              \
        GPtrArray *_s = item ((plan), (id))->explanation;                            \
        for (guint _i = 0; _i < _s->len; _i++)                                       \
          g_printerr ("  step: %s\n", (char *) _s->pdata[_i]);                       \
        g_error ("%s's explanation does not say “%s”", (id), (needle));              \
      }                                                                              \
  } G_STMT_END

/* Operation keys in order, joined with " ". */
static char *
operation_keys (MusterPlan *plan)
{
  GPtrArray *operations = muster_plan_get_operations (plan);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < operations->len; i++)
    {
      const MusterOperation *operation = operations->pdata[i];

      if (i > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, operation->key);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
roles_of (MusterPlan *plan,
          const char *id)
{
  return g_strjoinv (",", (char **) item (plan, id)->roles);
}

/* Tests -------------------------------------------------------------------------------------- */

static void
test_create_into_empty_target (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) plan = muster_plan_new (tenant, rules, state, MUSTER_TARGET_FEATURE_GROUPS, NULL);
  g_autoptr(MusterPlan) enterprise = muster_plan_new (tenant, rules, state, ALL_FEATURES, NULL);
  const MusterPlanTotals *totals = muster_plan_get_totals (plan);
  MusterTargetUser *ann;
  g_autofree char *keys = NULL;

  /* Everyone with an address and an enabled account; cat is disabled in Entra. */
  g_assert_cmpuint (totals->create, ==, 7);
  g_assert_cmpuint (totals->skipped, ==, 1);
  g_assert_cmpuint (totals->update + totals->disable + totals->delete + totals->unchanged, ==, 0);
  assert_action (plan, CAT, "skipped");
  assert_reason (plan, CAT, "account disabled");
  assert_action (plan, FAY, "create");
  assert_reason (plan, ANN, "not in the target yet");
  assert_explains (plan, ANN, "Not found in the target");
  assert_explains (plan, ANN, "In scope");
  assert_explains (plan, ANN, "User type User (the profile default)");
  g_assert_null (item (plan, CAT)->desired);
  g_assert_null (item (plan, ANN)->current);

  /* The default field mapping; without the enterprise extension no department, manager or
   * employee number. */
  ann = item (plan, ANN)->desired;
  g_assert_cmpstr (ann->external_id, ==, ANN);
  g_assert_cmpstr (ann->user_name, ==, "Ann.Archer@contoso.example");
  g_assert_true (ann->active);
  g_assert_cmpstr (muster_target_user_get_attribute (ann, MUSTER_ATTR_DISPLAY_NAME), ==, "Ann Archer");
  g_assert_cmpstr (muster_target_user_get_attribute (ann, MUSTER_ATTR_GIVEN_NAME), ==, "Ann");
  g_assert_cmpstr (muster_target_user_get_attribute (ann, MUSTER_ATTR_FAMILY_NAME), ==, "Archer");
  g_assert_cmpstr (muster_target_user_get_attribute (ann, MUSTER_ATTR_EMAIL), ==, "Ann.Archer@contoso.example");
  g_assert_cmpstr (muster_target_user_get_attribute (ann, MUSTER_ATTR_TITLE), ==, "Engineer");
  g_assert_cmpstr (muster_target_user_get_attribute (ann, MUSTER_ATTR_MOBILE_PHONE), ==, "+1 555 0101");
  g_assert_cmpstr (muster_target_user_get_attribute (ann, MUSTER_ATTR_OFFICE_LOCATION), ==, "Building 1");
  g_assert_null (muster_target_user_get_attribute (ann, MUSTER_ATTR_DEPARTMENT));
  g_assert_null (muster_target_user_get_attribute (ann, MUSTER_ATTR_MANAGER));
  g_assert_null (muster_target_user_get_attribute (ann, MUSTER_ATTR_EMPLOYEE_NUMBER));
  /* fay has no mail: the default method falls back to the UPN */
  g_assert_cmpstr (item (plan, FAY)->desired->user_name, ==, "fay@contoso.example");

  ann = item (enterprise, ANN)->desired;
  g_assert_cmpstr (muster_target_user_get_attribute (ann, MUSTER_ATTR_DEPARTMENT), ==, "R&D");
  g_assert_cmpstr (muster_target_user_get_attribute (ann, MUSTER_ATTR_MANAGER), ==, DAN);
  g_assert_cmpstr (muster_target_user_get_attribute (ann, MUSTER_ATTR_EMPLOYEE_NUMBER), ==, "E1");

  /* Operations in snapshot order (by display name), keyed by Entra id. */
  keys = operation_keys (plan);
  g_assert_cmpstr (keys, ==, "create-user:" ANN " create-user:" BOB " create-user:" DAN " create-user:" EVE
                             " create-user:" FAY " create-user:" GUS " create-user:" HAL);
  g_assert_true (((MusterOperation *) muster_plan_get_operations (plan)->pdata[0])->user == item (plan, ANN)->desired);
  g_assert_cmpuint (muster_plan_get_target_user_count (plan), ==, 0);
}

static void
test_filter_reasons (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) direct = NULL;
  g_autoptr(MusterPlan) nested = NULL;
  const char *groups[] = { "Staff", NULL };
  const char *deny[] = { "hal@contoso.example", NULL };

  muster_rules_set_groups (rules, groups);
  muster_rules_set_exclude_unlicensed (rules, TRUE);
  muster_rules_set_exclude_disabled (rules, TRUE);
  muster_rules_set_exclude_guests (rules, TRUE);
  muster_rules_set_deny_list (rules, deny);
  direct = muster_plan_new (tenant, rules, state, 0, NULL);

  assert_action (direct, ANN, "create");
  assert_explains (direct, ANN, "In scope: the filter lets the user through (Groups: Staff");
  assert_action (direct, BOB, "skipped");
  assert_reason (direct, BOB, "not in the selected groups");
  assert_explains (direct, BOB, "Out of scope: not in the selected groups");
  assert_reason (direct, CAT, "account disabled");
  assert_reason (direct, DAN, "no licence");
  assert_reason (direct, EVE, "guest account; not in the selected groups");
  assert_action (direct, FAY, "create");
  assert_reason (direct, GUS, "not in the selected groups");
  assert_reason (direct, HAL, "on the deny list");
  g_assert_cmpuint (muster_plan_get_totals (direct)->create, ==, 2);
  g_assert_cmpuint (muster_plan_get_totals (direct)->skipped, ==, 6);

  /* Nested: bob is in Staff through Engineering. */
  muster_rules_set_nested (rules, TRUE);
  nested = muster_plan_new (tenant, rules, state, 0, NULL);
  assert_action (nested, BOB, "create");
  g_assert_cmpuint (muster_plan_get_totals (nested)->create, ==, 3);
}

static void
test_email_methods (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) by_mail = NULL;
  g_autoptr(MusterPlan) by_upn = NULL;

  muster_rules_set_email_method (rules, MUSTER_EMAIL_METHOD_MAIL);
  by_mail = muster_plan_new (tenant, rules, state, 0, NULL);
  assert_action (by_mail, FAY, "skipped");
  assert_reason (by_mail, FAY, "no email address under the chosen email method");
  g_assert_cmpstr (item (by_mail, ANN)->desired->user_name, ==, "Ann.Archer@contoso.example");

  muster_rules_set_email_method (rules, MUSTER_EMAIL_METHOD_UPN);
  by_upn = muster_plan_new (tenant, rules, state, 0, NULL);
  assert_action (by_upn, FAY, "create");
  g_assert_cmpstr (item (by_upn, ANN)->desired->user_name, ==, "ann@contoso.example");
  g_assert_cmpstr (muster_target_user_get_attribute (item (by_upn, ANN)->desired, MUSTER_ATTR_EMAIL), ==,
                   "ann@contoso.example");
}

static void
test_types_and_roles (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPlan) direct = NULL;
  g_autoptr(MusterPlan) overridden = NULL;
  g_autoptr(MusterPlan) untyped = NULL;
  MusterUserType administrator = MUSTER_USER_TYPE_ADMINISTRATOR;
  MusterUserType billing = MUSTER_USER_TYPE_BILLING_ADMINISTRATOR;
  MusterUserType user = MUSTER_USER_TYPE_USER;
  const char *staff_roles[] = { "staff", NULL };
  const char *ops[] = { "ops", NULL };
  const char *reader[] = { "reader", "ops", NULL };
  const char *billing_roles[] = { "billing", NULL };
  const char *own[] = { "auditor", NULL };
  const char *none[] = { NULL };
  g_autofree char *ann_roles = NULL;
  g_autofree char *bob_roles = NULL;
  g_autofree char *gus_roles = NULL;
  g_autofree char *bob_direct = NULL;
  g_autofree char *ann_own = NULL;
  g_autofree char *bob_none = NULL;

  muster_rules_set_default_roles (rules, staff_roles);
  muster_rules_set_group_rule (rules, "Admins", TRUE, &administrator, ops);
  muster_rules_set_group_rule (rules, G_STAFF, TRUE, &billing, reader);
  muster_rules_set_group_rule (rules, "Billing", TRUE, NULL, billing_roles);
  plan = muster_plan_new (tenant, rules, state, MUSTER_TARGET_FEATURE_USER_TYPE | MUSTER_TARGET_FEATURE_ROLES, NULL);

  /* ann: Admins is the first match with a type; roles add up with the default's. */
  g_assert_cmpint (item (plan, ANN)->user_type, ==, MUSTER_USER_TYPE_ADMINISTRATOR);
  ann_roles = roles_of (plan, ANN);
  g_assert_cmpstr (ann_roles, ==, "ops,reader,staff");
  assert_explains (plan, ANN, "User type Administrator (group rule 1 “Admins”)");
  assert_explains (plan, ANN, "Roles: ops, reader, staff (from the profile default, group rule 1 “Admins”, group rule 2 “Staff”)");
  g_assert_cmpint (item (plan, ANN)->desired->user_type, ==, MUSTER_USER_TYPE_ADMINISTRATOR);
  g_assert_cmpstr (item (plan, ANN)->desired->roles[0], ==, "ops");

  /* bob: in Staff only through Engineering; Billing has roles but no type. */
  g_assert_cmpint (item (plan, BOB)->user_type, ==, MUSTER_USER_TYPE_BILLING_ADMINISTRATOR);
  bob_roles = roles_of (plan, BOB);
  g_assert_cmpstr (bob_roles, ==, "billing,ops,reader,staff");
  assert_explains (plan, BOB, "group rule 2 “Staff”");

  /* gus matches no rule. */
  g_assert_cmpint (item (plan, GUS)->user_type, ==, MUSTER_USER_TYPE_USER);
  gus_roles = roles_of (plan, GUS);
  g_assert_cmpstr (gus_roles, ==, "staff");
  assert_explains (plan, GUS, "User type User (the profile default)");

  /* A direct-only rule does not see bob's nested membership. */
  muster_rules_set_group_rule (rules, G_STAFF, FALSE, &billing, reader);
  direct = muster_plan_new (tenant, rules, state, MUSTER_TARGET_FEATURE_USER_TYPE | MUSTER_TARGET_FEATURE_ROLES, NULL);
  g_assert_cmpint (item (direct, BOB)->user_type, ==, MUSTER_USER_TYPE_USER);
  bob_direct = roles_of (direct, BOB);
  g_assert_cmpstr (bob_direct, ==, "billing,staff");

  /* Overrides win over every rule: the type and the roles are replaced. */
  muster_rules_set_user_override (rules, ANN, &user, own, MUSTER_USER_SCOPE_RULES);
  muster_rules_set_user_override (rules, BOB, NULL, none, MUSTER_USER_SCOPE_RULES);
  overridden = muster_plan_new (tenant, rules, state, MUSTER_TARGET_FEATURE_USER_TYPE | MUSTER_TARGET_FEATURE_ROLES, NULL);
  g_assert_cmpint (item (overridden, ANN)->user_type, ==, MUSTER_USER_TYPE_USER);
  ann_own = roles_of (overridden, ANN);
  g_assert_cmpstr (ann_own, ==, "auditor");
  assert_explains (overridden, ANN, "User type User (set for this user)");
  assert_explains (overridden, ANN, "Roles: auditor (set for this user)");
  /* bob keeps the rules' type, but has no roles at all */
  g_assert_cmpint (item (overridden, BOB)->user_type, ==, MUSTER_USER_TYPE_USER);
  bob_none = roles_of (overridden, BOB);
  g_assert_cmpstr (bob_none, ==, "");

  /* A target without user types or roles gets neither. */
  untyped = muster_plan_new (tenant, rules, state, 0, NULL);
  g_assert_cmpint (item (untyped, ANN)->desired->user_type, ==, MUSTER_USER_TYPE_USER);
  g_assert_null (item (untyped, ANN)->desired->roles[0]);
}

static void
test_scope_overrides (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPlan) in_target = NULL;
  const char *groups[] = { "Staff", NULL };
  const char *deny[] = { "@contoso.example", NULL };

  muster_rules_set_groups (rules, groups);
  muster_rules_set_email_method (rules, MUSTER_EMAIL_METHOD_MAIL);
  muster_rules_set_deny_list (rules, deny);
  /* gus is in no group and deny-listed, fay has no mail, ann would be in scope */
  muster_rules_set_user_override (rules, GUS, NULL, NULL, MUSTER_USER_SCOPE_ALWAYS_INCLUDE);
  muster_rules_set_user_override (rules, FAY, NULL, NULL, MUSTER_USER_SCOPE_ALWAYS_INCLUDE);
  muster_rules_set_user_override (rules, ANN, NULL, NULL, MUSTER_USER_SCOPE_ALWAYS_EXCLUDE);
  plan = muster_plan_new (tenant, rules, state, 0, NULL);

  assert_action (plan, GUS, "create");
  assert_explains (plan, GUS, "always included for this user");
  assert_action (plan, FAY, "skipped");
  assert_reason (plan, FAY, "no email address under the chosen email method");
  assert_action (plan, ANN, "skipped");
  assert_reason (plan, ANN, "always excluded for this user");
  assert_reason (plan, HAL, "on the deny list");

  /* An excluded user in the target is disabled, even though it would pass the filter. */
  muster_rules_set_deny_list (rules, NULL);
  add_user (state, managed_user ("t-ann", ANN));
  in_target = muster_plan_new (tenant, rules, state, 0, NULL);
  assert_action (in_target, ANN, "disable");
  assert_reason (in_target, ANN, "always excluded for this user");
  assert_changes (in_target, ANN, "active:true>false");
  g_assert_false (item (in_target, ANN)->desired->active);
}

static void
test_matching (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) plan = NULL;
  MusterTargetUser *bob = managed_user ("t-bob", BOB);
  MusterTargetUser *zed = muster_target_user_new ();
  MusterTargetUser *relinked = managed_user ("t-dan", DAN);
  MusterTargetUser *impostor = managed_user ("t-gus", GUS);

  add_user (state, managed_user ("t-ann", ANN));
  /* bob was made by hand: no externalId, a userName in other case */
  g_clear_pointer (&bob->external_id, g_free);
  g_free (bob->user_name);
  bob->user_name = g_strdup ("BOB@Contoso.EXAMPLE");
  add_user (state, bob);
  /* zed: someone the target has that Muster did not make */
  zed->id = g_strdup ("t-zed");
  zed->user_name = g_strdup ("zed@contoso.example");
  add_user (state, zed);
  /* dan's record names an Entra user that is gone: matched by userName, relinked */
  g_free (relinked->external_id);
  relinked->external_id = g_strdup (GONE);
  add_user (state, relinked);
  /* a record with gus's address but hal's Entra id is hal's: gus is not matched to it by name */
  g_free (impostor->external_id);
  impostor->external_id = g_strdup (HAL);
  add_user (state, impostor);

  plan = muster_plan_new (tenant, rules, state, ALL_FEATURES, NULL);

  assert_action (plan, ANN, "unchanged");
  assert_reason (plan, ANN, "up to date");
  assert_explains (plan, ANN, "Found in the target by externalId");
  g_assert_true (item (plan, ANN)->desired == item (plan, ANN)->current);

  assert_action (plan, BOB, "update");
  assert_explains (plan, BOB, "Found in the target by userName");
  assert_changes (plan, BOB, "externalId:->" BOB);
  g_assert_cmpstr (item (plan, BOB)->desired->id, ==, "t-bob");
  g_assert_cmpstr (item (plan, BOB)->desired->external_id, ==, BOB);

  assert_action (plan, DAN, "update");
  assert_changes (plan, DAN, "externalId:" GONE ">" DAN);

  /* gus's address is on hal's record, which hal claims by externalId */
  assert_action (plan, GUS, "create");
  assert_action (plan, HAL, "update");
  assert_changes (plan, HAL, "userName:gus@contoso.example>hal@contoso.example|"
                             "displayName:Gus Gray>Hal Hill|email:gus@contoso.example>hal@contoso.example");

  /* zed is not the plan's business, nor counted against the limit */
  for (guint i = 0; i < muster_plan_get_items (plan)->len; i++)
    g_assert_cmpstr (((MusterPlanItem *) muster_plan_get_items (plan)->pdata[i])->user_principal_name, !=,
                     "zed@contoso.example");
  /* managed and active: ann, dan's relinked record, hal's */
  g_assert_cmpuint (muster_plan_get_target_user_count (plan), ==, 3);
  g_assert_cmpuint (muster_plan_get_items (plan)->len, ==, 8);
}

static void
test_field_changes (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) basic = NULL;
  g_autoptr(MusterPlan) full = NULL;
  g_autoptr(MusterPlan) remapped = NULL;
  MusterTargetUser *ann = managed_user ("t-ann", ANN);
  MusterTargetUser *bob = managed_user ("t-bob", BOB);
  const char *ops[] = { "ops", NULL };
  MusterUserType administrator = MUSTER_USER_TYPE_ADMINISTRATOR;
  MusterFieldMapping mapping[] = {
    { (char *) "displayName", (char *) MUSTER_ATTR_DISPLAY_NAME },
    { (char *) "userPrincipalName", (char *) MUSTER_ATTR_EMAIL },
  };
  g_autoptr(GError) error = NULL;
  GPtrArray *operations;
  MusterOperation *update;

  /* ann: another title, department and manager in the target, an attribute Muster does not map
   * (kept), and inactive */
  muster_target_user_set_attribute (ann, MUSTER_ATTR_TITLE, "Intern");
  muster_target_user_set_attribute (ann, MUSTER_ATTR_DEPARTMENT, "Sales");
  muster_target_user_set_attribute (ann, MUSTER_ATTR_MANAGER, NULL);
  ann->active = FALSE;
  ann->version = g_strdup ("W/\"3\"");
  add_user (state, ann);
  /* bob: a phone number Entra does not have */
  muster_target_user_set_attribute (bob, MUSTER_ATTR_MOBILE_PHONE, "+1 555 9999");
  add_user (state, bob);

  basic = muster_plan_new (tenant, rules, state, MUSTER_TARGET_FEATURE_GROUPS, NULL);
  assert_action (basic, ANN, "update");
  assert_changes (basic, ANN, "active:false>true|title:Intern>Engineer");
  assert_action (basic, BOB, "update");
  assert_changes (basic, BOB, "mobilePhone:+1 555 9999>-");
  g_assert_cmpstr (item (basic, ANN)->desired->version, ==, "W/\"3\"");
  g_assert_cmpstr (item (basic, ANN)->desired->id, ==, "t-ann");
  /* not mapped without the extension: the target's value stays in the desired user */
  g_assert_cmpstr (muster_target_user_get_attribute (item (basic, ANN)->desired, MUSTER_ATTR_DEPARTMENT), ==, "Sales");
  operations = muster_plan_get_operations (basic);
  update = operations->pdata[0];
  g_assert_cmpint (update->kind, ==, MUSTER_OPERATION_UPDATE_USER);
  g_assert_cmpstr (update->key, ==, "update-user:" ANN);
  g_assert_cmpuint (update->changes->len, ==, 2);

  muster_rules_set_group_rule (rules, "Admins", TRUE, &administrator, ops);
  full = muster_plan_new (tenant, rules, state, ALL_FEATURES, NULL);
  assert_changes (full, ANN, "active:false>true|title:Intern>Engineer|department:Sales>R&D|manager:->" DAN
                             "|userType:user>administrator|roles:->ops");
  assert_action (full, DAN, "create");

  /* Only what the mapping names is compared. */
  g_assert_true (muster_rules_set_field_mapping (rules, mapping, G_N_ELEMENTS (mapping), &error));
  g_assert_no_error (error);
  muster_rules_remove_group_rule (rules, "Admins");
  remapped = muster_plan_new (tenant, rules, state, ALL_FEATURES, NULL);
  assert_changes (remapped, ANN, "active:false>true|email:Ann.Archer@contoso.example>ann@contoso.example");
  assert_action (remapped, BOB, "unchanged");
}

static void
test_disable_and_delete (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPlan) no_delete_feature = NULL;
  g_autoptr(MusterPlan) deleting = NULL;
  MusterPlanOptions allow = { MUSTER_PLAN_MODE_SYNC, TRUE };
  const char *groups[] = { "Staff", NULL };
  MusterTargetUser *gone = muster_target_user_new ();
  MusterTargetUser *foreign = muster_target_user_new ();
  MusterTargetUser *inactive = managed_user ("t-hal", HAL);
  g_autofree char *keys = NULL;

  muster_rules_set_groups (rules, groups);
  add_user (state, managed_user ("t-ann", ANN));
  add_user (state, managed_user ("t-cat", CAT));   /* disabled in Entra */
  add_user (state, managed_user ("t-gus", GUS));   /* not in Staff */
  inactive->active = FALSE;
  muster_rules_set_user_override (rules, HAL, NULL, NULL, MUSTER_USER_SCOPE_ALWAYS_EXCLUDE);
  add_user (state, inactive);                      /* excluded, already disabled */
  gone->id = g_strdup ("t-gone");
  gone->external_id = g_strdup (GONE);
  gone->user_name = g_strdup ("gone@contoso.example");
  muster_target_user_set_attribute (gone, MUSTER_ATTR_DISPLAY_NAME, "Gone Away");
  add_user (state, gone);
  foreign->id = g_strdup ("t-foreign");
  foreign->external_id = g_strdup ("EMP-1234");    /* another tool's externalId */
  foreign->user_name = g_strdup ("foreign@contoso.example");
  add_user (state, foreign);

  plan = muster_plan_new (tenant, rules, state, ALL_FEATURES, NULL);
  assert_action (plan, ANN, "unchanged");
  assert_action (plan, CAT, "disable");
  assert_reason (plan, CAT, "account disabled");
  assert_explains (plan, CAT, "disabled in Entra ID");
  assert_action (plan, GUS, "disable");
  assert_reason (plan, GUS, "not in the selected groups");
  assert_action (plan, HAL, "skipped");
  assert_explains (plan, HAL, "Already disabled in the target");
  assert_action (plan, GONE, "disable");
  assert_reason (plan, GONE, "deleted in Entra ID");
  g_assert_cmpstr (item (plan, GONE)->display_name, ==, "Gone Away");
  g_assert_cmpstr (item (plan, GONE)->user_principal_name, ==, "gone@contoso.example");
  g_assert_null (muster_plan_lookup_item (plan, "EMP-1234"));
  g_assert_cmpuint (muster_plan_get_totals (plan)->disable, ==, 3);
  g_assert_cmpuint (muster_plan_get_totals (plan)->delete, ==, 0);
  /* active managed users: ann, cat, gus, gone, foreign (hal is inactive) */
  g_assert_cmpuint (muster_plan_get_target_user_count (plan), ==, 5);
  keys = operation_keys (plan);
  g_assert_cmpstr (keys, ==, "create-user:" DAN " create-user:" FAY
                             " disable-user:" CAT " disable-user:" GUS " disable-user:" GONE);

  /* allow-delete needs a target that can delete */
  no_delete_feature = muster_plan_new (tenant, rules, state, ALL_FEATURES & ~MUSTER_TARGET_FEATURE_DELETE, &allow);
  assert_action (no_delete_feature, GUS, "disable");
  assert_action (no_delete_feature, GONE, "disable");

  deleting = muster_plan_new (tenant, rules, state, ALL_FEATURES, &allow);
  assert_action (deleting, CAT, "delete");
  assert_action (deleting, GUS, "delete");
  assert_action (deleting, HAL, "delete");
  assert_action (deleting, GONE, "delete");
  g_assert_null (item (deleting, GUS)->desired);
  g_assert_cmpuint (muster_plan_get_totals (deleting)->delete, ==, 4);
  g_assert_cmpuint (muster_plan_get_totals (deleting)->disable, ==, 0);
  g_clear_pointer (&keys, g_free);
  keys = operation_keys (deleting);
  g_assert_true (g_str_has_suffix (keys, " delete-user:" CAT " delete-user:" GUS " delete-user:" HAL
                                         " delete-user:" GONE));
}

static void
test_modes (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) add_only = NULL;
  g_autoptr(MusterPlan) update_only = NULL;
  g_autoptr(MusterPlan) only_new = NULL;
  MusterPlanOptions add = { MUSTER_PLAN_MODE_ADD_ONLY, FALSE };
  MusterPlanOptions update = { MUSTER_PLAN_MODE_UPDATE_ONLY, FALSE };
  MusterTargetUser *ann = managed_user ("t-ann", ANN);
  MusterTargetUser *gone = managed_user ("t-gone", GUS);
  const char *groups[] = { "Staff", NULL };
  const MusterPlanTotals *totals;

  muster_rules_set_groups (rules, groups);
  muster_rules_set_nested (rules, TRUE);
  muster_target_user_set_attribute (ann, MUSTER_ATTR_TITLE, "Intern");
  add_user (state, ann);
  add_user (state, managed_user ("t-gus", GUS));  /* out of scope */
  g_free (gone->external_id);
  gone->external_id = g_strdup (GONE);
  g_free (gone->user_name);
  gone->user_name = g_strdup ("gone@contoso.example");
  add_user (state, gone);

  /* "Add N users": only creates */
  add_only = muster_plan_new (tenant, rules, state, 0, &add);
  totals = muster_plan_get_totals (add_only);
  assert_action (add_only, ANN, "skipped");
  assert_reason (add_only, ANN, "already in the target");
  assert_action (add_only, BOB, "create");
  assert_action (add_only, GUS, "skipped");
  g_assert_null (muster_plan_lookup_item (add_only, GONE));
  g_assert_cmpuint (totals->create, ==, 4);  /* bob, dan, fay, hal */
  g_assert_cmpuint (totals->update + totals->disable + totals->delete, ==, 0);

  /* "Update existing users": no creates */
  update_only = muster_plan_new (tenant, rules, state, 0, &update);
  totals = muster_plan_get_totals (update_only);
  assert_action (update_only, ANN, "update");
  assert_changes (update_only, ANN, "title:Intern>Engineer");
  assert_action (update_only, BOB, "skipped");
  assert_reason (update_only, BOB, "not in the target, and only existing users are updated");
  assert_action (update_only, GUS, "disable");
  assert_action (update_only, GONE, "disable");
  g_assert_cmpuint (totals->create, ==, 0);
  g_assert_cmpuint (totals->update, ==, 1);
  g_assert_cmpuint (totals->disable, ==, 2);

  /* The rules' "only users not yet in the target" leaves existing users as they are. */
  muster_rules_set_only_new (rules, TRUE);
  only_new = muster_plan_new (tenant, rules, state, 0, NULL);
  assert_action (only_new, ANN, "skipped");
  assert_reason (only_new, ANN, "already in the target");
  assert_explains (only_new, ANN, "only users not yet in the target");
  assert_action (only_new, BOB, "create");
  assert_action (only_new, GUS, "skipped");
  g_assert_cmpuint (muster_plan_get_totals (only_new)->disable, ==, 0);
}

static void
test_group_mapping (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterTargetGroup) staff = muster_target_group_new ();
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPlan) direct = NULL;
  g_autoptr(MusterPlan) no_groups = NULL;
  g_autoptr(MusterPlan) add_only = NULL;
  MusterPlanOptions add = { MUSTER_PLAN_MODE_ADD_ONLY, FALSE };
  MusterTargetUser *zed = muster_target_user_new ();
  const char *deny[] = { "hal@contoso.example", NULL };
  const MusterPlanTotals *totals;
  g_autofree char *keys = NULL;
  g_autofree char *direct_keys = NULL;
  g_autofree char *add_keys = NULL;

  muster_rules_set_deny_list (rules, deny);
  muster_rules_set_group_mapping (rules, "Staff", "staff", TRUE);
  muster_rules_set_group_mapping (rules, G_ADMINS, "admins", TRUE);
  muster_rules_set_group_mapping (rules, "Nobody", "nobody", TRUE);

  add_user (state, managed_user ("t-ann", ANN));
  add_user (state, managed_user ("t-cat", CAT));
  add_user (state, managed_user ("t-fay", FAY));
  add_user (state, managed_user ("t-gus", GUS));
  zed->id = g_strdup ("t-zed");
  zed->user_name = g_strdup ("zed@contoso.example");
  add_user (state, zed);
  staff->id = g_strdup ("tg-staff");
  staff->display_name = g_strdup ("Staff");  /* found by name, case-insensitively */
  g_hash_table_add (staff->members, g_strdup ("t-ann"));
  g_hash_table_add (staff->members, g_strdup ("t-cat"));  /* disabled in Entra */
  g_hash_table_add (staff->members, g_strdup ("t-gus"));  /* not in Staff */
  g_hash_table_add (staff->members, g_strdup ("t-zed"));  /* not Muster's */
  muster_target_state_add_group (state, staff);

  plan = muster_plan_new (tenant, rules, state, ALL_FEATURES, NULL);
  totals = muster_plan_get_totals (plan);
  /* Staff should hold ann, bob (nested, created), dan, fay — not cat (disabled), hal (denied),
   * gus (not a member); zed is left alone. Admins is created with ann. */
  g_assert_cmpuint (totals->groups_create, ==, 1);
  g_assert_cmpuint (totals->members_add, ==, 4);
  g_assert_cmpuint (totals->members_remove, ==, 2);
  keys = operation_keys (plan);
  g_assert_cmpstr (keys, ==, "create-user:" BOB " create-user:" DAN " create-user:" EVE
                             " create-group:" G_ADMINS
                             " add-member:" G_STAFF ":" BOB " add-member:" G_STAFF ":" DAN
                             " add-member:" G_STAFF ":" FAY
                             " remove-member:" G_STAFF ":" CAT " remove-member:" G_STAFF ":" GUS
                             " add-member:" G_ADMINS ":" ANN
                             " disable-user:" CAT);
  {
    GPtrArray *operations = muster_plan_get_operations (plan);
    MusterOperation *create_group = operations->pdata[3];
    MusterOperation *add_bob = operations->pdata[4];
    MusterOperation *add_fay = operations->pdata[6];
    MusterOperation *add_ann = operations->pdata[9];

    g_assert_cmpstr (create_group->group->display_name, ==, "admins");
    g_assert_cmpstr (create_group->group->external_id, ==, G_ADMINS);
    g_assert_null (create_group->group->id);
    g_assert_cmpstr (add_bob->group->id, ==, "tg-staff");
    g_assert_null (add_bob->member_id);  /* being created */
    g_assert_cmpstr (add_fay->member_id, ==, "t-fay");
    g_assert_true (add_ann->group == create_group->group);
  }
  g_assert_cmpuint (muster_plan_get_warnings (plan)->len, ==, 1);
  g_assert_nonnull (strstr (muster_plan_get_warnings (plan)->pdata[0], "“Nobody”"));

  /* Direct membership only: bob (through Engineering) is not added. */
  muster_rules_set_group_mapping (rules, "Staff", "staff", FALSE);
  direct = muster_plan_new (tenant, rules, state, ALL_FEATURES, NULL);
  direct_keys = operation_keys (direct);
  g_assert_null (strstr (direct_keys, "add-member:" G_STAFF ":" BOB));
  g_assert_cmpuint (muster_plan_get_totals (direct)->members_add, ==, 3);

  /* Add-only gives the users it creates their groups, and leaves everyone else alone. */
  add_only = muster_plan_new (tenant, rules, state, ALL_FEATURES, &add);
  add_keys = operation_keys (add_only);
  g_assert_null (strstr (add_keys, "remove-member"));
  g_assert_nonnull (strstr (add_keys, "add-member:" G_STAFF ":" DAN));
  g_assert_null (strstr (add_keys, "add-member:" G_STAFF ":" FAY));
  g_assert_null (strstr (add_keys, "add-member:" G_ADMINS ":" ANN));

  /* A target without groups: nothing, and a warning. */
  no_groups = muster_plan_new (tenant, rules, state, ALL_FEATURES & ~MUSTER_TARGET_FEATURE_GROUPS, NULL);
  g_assert_cmpuint (muster_plan_get_totals (no_groups)->members_add, ==, 0);
  g_assert_cmpuint (muster_plan_get_totals (no_groups)->groups_create, ==, 0);
  g_assert_cmpuint (muster_plan_get_warnings (no_groups)->len, ==, 1);
}

static void
test_safety_limit (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterTargetState) calm_state = muster_target_state_new ();
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPlan) calm = NULL;
  g_autoptr(GError) error = NULL;
  const char *groups[] = { "Admins", NULL };
  const char *everyone[] = { ANN, BOB, CAT, DAN, EVE, FAY, GUS, HAL };

  /* Only ann stays in scope: the 7 others are disabled. */
  muster_rules_set_groups (rules, groups);
  for (guint i = 0; i < G_N_ELEMENTS (everyone); i++)
    add_user (state, managed_user (everyone[i], everyone[i]));
  plan = muster_plan_new (tenant, rules, state, ALL_FEATURES, NULL);
  g_assert_cmpuint (muster_plan_get_totals (plan)->disable, ==, 7);
  g_assert_cmpuint (muster_plan_get_target_user_count (plan), ==, 8);

  g_assert_false (muster_plan_check_safety_limit (plan, 50, 5, &error));
  g_assert_error (error, MUSTER_PLAN_ERROR, MUSTER_PLAN_ERROR_SAFETY_LIMIT);
  g_assert_cmpstr (error->message, ==, "The plan disables or deletes 7 of 8 users (88 %); the limit is 50 users or 5 %.");
  g_clear_error (&error);
  /* over the count alone */
  g_assert_false (muster_plan_check_safety_limit (plan, 6, 0, &error));
  g_assert_cmpstr (error->message, ==, "The plan disables or deletes 7 of 8 users (88 %); the limit is 6 users.");
  g_clear_error (&error);
  /* over the percentage alone */
  g_assert_false (muster_plan_check_safety_limit (plan, 0, 80, &error));
  g_assert_cmpstr (error->message, ==, "The plan disables or deletes 7 of 8 users (88 %); the limit is 80 %.");
  g_clear_error (&error);
  /* within both */
  g_assert_true (muster_plan_check_safety_limit (plan, 7, 90, &error));
  g_assert_no_error (error);
  g_assert_true (muster_plan_check_safety_limit (plan, 0, 0, &error));

  /* No removals always pass, even with the tightest limit or an empty target. */
  muster_rules_set_groups (rules, NULL);
  calm = muster_plan_new (tenant, rules, calm_state, ALL_FEATURES, NULL);
  g_assert_cmpuint (muster_plan_get_removal_count (calm), ==, 0);
  g_assert_true (muster_plan_check_safety_limit (calm, 1, 1, &error));
  g_assert_no_error (error);
}

static void
test_json (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  MusterTargetUser *ann = managed_user ("t-ann", ANN);
  JsonObject *root, *totals, *first;
  JsonArray *users, *changes_array, *groups;

  muster_rules_set_group_mapping (rules, "Admins", "admins", TRUE);
  muster_target_user_set_attribute (ann, MUSTER_ATTR_TITLE, NULL);
  add_user (state, ann);
  plan = muster_plan_new (tenant, rules, state, ALL_FEATURES, NULL);
  text = muster_plan_to_json_text (plan, NULL);
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  root = json_node_get_object (node);

  totals = json_object_get_object_member (root, "totals");
  g_assert_cmpint (json_object_get_int_member (totals, "create"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (totals, "update"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (totals, "disable"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (totals, "delete"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (totals, "unchanged"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (totals, "skipped"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (totals, "groupsCreate"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (totals, "membersAdd"), ==, 1);

  users = json_object_get_array_member (root, "users");
  g_assert_cmpuint (json_array_get_length (users), ==, 8);
  first = json_array_get_object_element (users, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, ANN);
  g_assert_cmpstr (json_object_get_string_member (first, "userPrincipalName"), ==, "ann@contoso.example");
  g_assert_cmpstr (json_object_get_string_member (first, "displayName"), ==, "Ann Archer");
  g_assert_cmpstr (json_object_get_string_member (first, "action"), ==, "update");
  g_assert_cmpstr (json_object_get_string_member (first, "userType"), ==, "user");
  g_assert_true (json_object_has_member (first, "reason"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (first, "roles")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (first, "explanation")), >=, 3);
  changes_array = json_object_get_array_member (first, "changes");
  g_assert_cmpuint (json_array_get_length (changes_array), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (changes_array, 0), "field"), ==, "title");
  g_assert_true (json_object_get_null_member (json_array_get_object_element (changes_array, 0), "before"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (changes_array, 0), "after"), ==,
                   "Engineer");
  g_assert_nonnull (strstr (text, "\"reason\":\"account disabled\""));

  groups = json_object_get_array_member (root, "groups");
  g_assert_cmpuint (json_array_get_length (groups), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (groups, 0), "action"), ==, "create-group");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (groups, 0), "group"), ==, "admins");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (groups, 1), "action"), ==, "add-member");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (groups, 1), "user"), ==, ANN);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (groups, 1), "userPrincipalName"), ==,
                   "ann@contoso.example");
}

/* Everything at once: a filter, rules, overrides and a mapping over one target. */
static void
test_combined (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) plan = NULL;
  MusterUserType administrator = MUSTER_USER_TYPE_ADMINISTRATOR;
  MusterUserType billing = MUSTER_USER_TYPE_BILLING_ADMINISTRATOR;
  const char *groups[] = { "Staff", NULL };
  const char *ops[] = { "ops", NULL };
  const char *finance[] = { "finance", NULL };
  MusterTargetUser *ann = managed_user ("t-ann", ANN);
  g_autofree char *bob_roles = NULL;
  const MusterPlanTotals *totals;

  muster_rules_set_groups (rules, groups);
  muster_rules_set_nested (rules, TRUE);
  muster_rules_set_exclude_unlicensed (rules, TRUE);
  muster_rules_set_group_rule (rules, "Admins", TRUE, &administrator, ops);
  muster_rules_set_group_rule (rules, "Billing", TRUE, &billing, finance);
  /* gus is outside Staff but always included, as an administrator */
  muster_rules_set_user_override (rules, GUS, &administrator, NULL, MUSTER_USER_SCOPE_ALWAYS_INCLUDE);
  /* ann is in the target as a plain user with the right fields */
  add_user (state, ann);

  plan = muster_plan_new (tenant, rules, state, ALL_FEATURES, NULL);
  totals = muster_plan_get_totals (plan);
  assert_action (plan, ANN, "update");
  assert_changes (plan, ANN, "userType:user>administrator|roles:->ops");
  assert_action (plan, BOB, "create");
  g_assert_cmpint (item (plan, BOB)->desired->user_type, ==, MUSTER_USER_TYPE_BILLING_ADMINISTRATOR);
  bob_roles = roles_of (plan, BOB);
  g_assert_cmpstr (bob_roles, ==, "finance");
  assert_reason (plan, DAN, "no licence");
  assert_action (plan, GUS, "create");
  g_assert_cmpint (item (plan, GUS)->desired->user_type, ==, MUSTER_USER_TYPE_ADMINISTRATOR);
  assert_explains (plan, GUS, "User type Administrator (set for this user)");
  assert_reason (plan, EVE, "not in the selected groups");
  g_assert_cmpuint (totals->create, ==, 4);  /* bob, fay, gus, hal */
  g_assert_cmpuint (totals->update, ==, 1);
  g_assert_cmpuint (totals->skipped, ==, 3);  /* cat, dan, eve */
}

/* A preview of chosen users: the others are skipped, never disabled nor moved between groups. */
static void
test_only_ids (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterTargetGroup) staff = muster_target_group_new ();
  g_autoptr(MusterPlan) everyone = NULL;
  g_autoptr(MusterPlan) chosen = NULL;
  g_auto(GStrv) ids = g_new0 (char *, 3);
  MusterPlanOptions options = { MUSTER_PLAN_MODE_SYNC, FALSE, NULL };
  const char *groups[] = { "Staff", NULL };
  MusterTargetUser *gone = muster_target_user_new ();
  const MusterPlanTotals *totals;
  g_autofree char *keys = NULL;
  g_autofree char *everyone_keys = NULL;

  muster_rules_set_groups (rules, groups);
  muster_rules_set_group_mapping (rules, "Staff", "staff", TRUE);
  add_user (state, managed_user ("t-ann", ANN));
  add_user (state, managed_user ("t-cat", CAT));   /* disabled in Entra */
  add_user (state, managed_user ("t-gus", GUS));   /* not in Staff */
  gone->id = g_strdup ("t-gone");
  gone->external_id = g_strdup (GONE);
  gone->user_name = g_strdup ("gone@contoso.example");
  add_user (state, gone);
  staff->id = g_strdup ("tg-staff");
  staff->display_name = g_strdup ("Staff");
  g_hash_table_add (staff->members, g_strdup ("t-ann"));
  g_hash_table_add (staff->members, g_strdup ("t-gus"));
  muster_target_state_add_group (state, staff);

  /* without a choice, gus and the deleted user are disabled and gus leaves the group */
  everyone = muster_plan_new (tenant, rules, state, ALL_FEATURES, NULL);
  assert_action (everyone, GUS, "disable");
  assert_action (everyone, GONE, "disable");
  everyone_keys = operation_keys (everyone);
  g_assert_nonnull (strstr (everyone_keys, "remove-member:" G_STAFF ":" GUS));

  /* the caller's array may go away: the plan keeps its own copy */
  ids[0] = g_strdup (DAN);
  ids[1] = g_strdup (CAT);
  options.only_ids = (const char * const *) ids;
  chosen = muster_plan_new (tenant, rules, state, ALL_FEATURES, &options);
  g_clear_pointer (&ids, g_strfreev);

  assert_action (chosen, DAN, "create");
  assert_action (chosen, CAT, "disable");
  assert_action (chosen, ANN, "skipped");
  assert_reason (chosen, ANN, "not among the chosen users");
  assert_explains (chosen, ANN, "made for other users");
  assert_action (chosen, GUS, "skipped");
  assert_reason (chosen, GUS, "not among the chosen users");
  assert_action (chosen, FAY, "skipped");
  g_assert_null (muster_plan_lookup_item (chosen, GONE));

  totals = muster_plan_get_totals (chosen);
  g_assert_cmpuint (totals->create, ==, 1);
  g_assert_cmpuint (totals->disable, ==, 1);
  g_assert_cmpuint (totals->update + totals->unchanged + totals->delete, ==, 0);
  g_assert_cmpuint (totals->skipped, ==, G_N_ELEMENTS (users_json) - 2);
  g_assert_cmpuint (totals->members_remove, ==, 0);
  /* the limit is still measured on the whole target */
  g_assert_cmpuint (muster_plan_get_target_user_count (chosen), ==, 4);

  keys = operation_keys (chosen);
  g_assert_cmpstr (keys, ==, "create-user:" DAN " add-member:" G_STAFF ":" DAN " disable-user:" CAT);
}

/* Managers: a target links a report to a manager it already holds, so managers are written
 * first; a manager who will never be in the target is not sent, or every push would try again. */
static void
test_managers (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) empty = muster_target_state_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPlan) unlicensed = NULL;
  g_autoptr(MusterPlan) again = NULL;
  g_autofree char *keys = NULL;
  MusterTargetUser *ann;

  /* Ann sorts before her manager Dan, yet Dan is created first */
  plan = muster_plan_new (tenant, rules, empty, ALL_FEATURES, NULL);
  ann = item (plan, ANN)->desired;
  g_assert_cmpstr (muster_target_user_get_attribute (ann, MUSTER_ATTR_MANAGER), ==, DAN);
  keys = operation_keys (plan);
  g_assert_nonnull (strstr (keys, "create-user:" DAN));
  g_assert_true (strstr (keys, "create-user:" DAN) < strstr (keys, "create-user:" ANN));

  /* Dan has no licence: with unlicensed users out of scope he is never created, and Ann is
   * created without a manager */
  muster_rules_set_exclude_unlicensed (rules, TRUE);
  unlicensed = muster_plan_new (tenant, rules, empty, ALL_FEATURES, NULL);
  assert_action (unlicensed, DAN, "skipped");
  assert_action (unlicensed, ANN, "create");
  g_assert_null (muster_target_user_get_attribute (item (unlicensed, ANN)->desired, MUSTER_ATTR_MANAGER));

  /* …and once Ann is there, the next plan leaves her alone instead of sending the manager again */
  add_user (state, managed_user ("t-ann", ANN));
  muster_target_user_set_attribute (g_ptr_array_index (muster_target_state_get_users (state), 0),
                                    MUSTER_ATTR_MANAGER, NULL);
  again = muster_plan_new (tenant, rules, state, ALL_FEATURES, NULL);
  assert_action (again, ANN, "unchanged");
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
  g_assert_nonnull (state);
  return state;
}

static void
apply_plan (MusterTarget *target,
            MusterPlan   *plan,
            const char   *run_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  muster_target_apply_async (target, run_id, muster_plan_get_operations (plan), NULL, core_test_store_result_cb, &result);
  results = muster_target_apply_finish (target, core_test_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, muster_plan_get_operations (plan)->len);
  for (guint i = 0; i < results->len; i++)
    {
      MusterOperationResult *one = results->pdata[i];

      if (!one->ok)
        g_error ("%s failed: %s", one->operation->key, one->error->message);
    }
}

/* What a plan asks of a real SQLite store is what the store then holds: planning again against
 * what it reads back changes nothing. */
static void
test_sqlite_round_trip (void)
{
  g_autofree char *path = g_build_filename (tenant_dir, "round-trip.db", NULL);
  g_autoptr(MusterSqliteTarget) store = muster_sqlite_target_new (path);
  MusterTarget *target = MUSTER_TARGET (store);
  MusterTargetFeatures features = muster_target_get_features (target);
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) empty = NULL;
  g_autoptr(MusterTargetState) filled = NULL;
  g_autoptr(MusterTargetState) changed = NULL;
  g_autoptr(MusterPlan) first = NULL;
  g_autoptr(MusterPlan) second = NULL;
  g_autoptr(MusterPlan) third = NULL;
  g_autoptr(MusterPlan) fourth = NULL;
  MusterUserType administrator = MUSTER_USER_TYPE_ADMINISTRATOR;
  const char *ops[] = { "ops", NULL };
  const char *billing[] = { "billing", NULL };
  const char *deny[] = { "hal@contoso.example", NULL };
  const MusterPlanTotals *totals;

  muster_rules_set_deny_list (rules, deny);
  muster_rules_set_group_rule (rules, "Admins", TRUE, &administrator, ops);
  muster_rules_set_group_rule (rules, "Billing", TRUE, NULL, billing);
  muster_rules_set_group_mapping (rules, "Staff", "staff", TRUE);

  empty = read_target (target);
  first = muster_plan_new (tenant, rules, empty, features, NULL);
  totals = muster_plan_get_totals (first);
  g_assert_cmpuint (totals->create, ==, 6);  /* everyone but cat (disabled) and hal (denied) */
  g_assert_cmpuint (totals->groups_create, ==, 1);
  g_assert_cmpuint (totals->members_add, ==, 4);  /* ann, bob (nested), dan, fay */
  apply_plan (target, first, "run-1");

  /* A second run changes nothing. */
  filled = read_target (target);
  second = muster_plan_new (tenant, rules, filled, features, NULL);
  totals = muster_plan_get_totals (second);
  g_assert_cmpuint (totals->unchanged, ==, 6);
  g_assert_cmpuint (totals->create + totals->update + totals->disable + totals->delete, ==, 0);
  g_assert_cmpuint (totals->groups_create + totals->members_add + totals->members_remove, ==, 0);
  g_assert_cmpuint (muster_plan_get_operations (second)->len, ==, 0);
  g_assert_cmpint (item (second, ANN)->current->user_type, ==, MUSTER_USER_TYPE_ADMINISTRATOR);
  g_assert_cmpstr (muster_target_user_get_attribute (item (second, ANN)->current, MUSTER_ATTR_MANAGER), ==, DAN);

  /* Ann gets roles of her own and Gus is excluded: one update, one disable; applied, the next
   * plan is quiet again. */
  muster_rules_set_user_override (rules, ANN, NULL, billing, MUSTER_USER_SCOPE_RULES);
  muster_rules_set_user_override (rules, GUS, NULL, NULL, MUSTER_USER_SCOPE_ALWAYS_EXCLUDE);
  third = muster_plan_new (tenant, rules, filled, features, NULL);
  assert_changes (third, ANN, "roles:ops>billing");
  assert_action (third, GUS, "disable");
  apply_plan (target, third, "run-2");
  changed = read_target (target);
  fourth = muster_plan_new (tenant, rules, changed, features, NULL);
  g_assert_cmpuint (muster_plan_get_operations (fourth)->len, ==, 0);
  assert_action (fourth, GUS, "skipped");
  g_assert_false (item (fourth, GUS)->current->active);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tenant_dir = g_dir_make_tmp ("muster-plan-XXXXXX", &error);
  g_assert_no_error (error);
  tenant = write_and_load_tenant (tenant_dir);

  g_test_add_func ("/plan/create/empty-target", test_create_into_empty_target);
  g_test_add_func ("/plan/scope/filter-reasons", test_filter_reasons);
  g_test_add_func ("/plan/scope/email-methods", test_email_methods);
  g_test_add_func ("/plan/scope/overrides", test_scope_overrides);
  g_test_add_func ("/plan/rules/types-and-roles", test_types_and_roles);
  g_test_add_func ("/plan/match/external-id-then-user-name", test_matching);
  g_test_add_func ("/plan/update/field-changes", test_field_changes);
  g_test_add_func ("/plan/remove/disable-and-delete", test_disable_and_delete);
  g_test_add_func ("/plan/modes", test_modes);
  g_test_add_func ("/plan/only-chosen-users", test_only_ids);
  g_test_add_func ("/plan/groups/mapping", test_group_mapping);
  g_test_add_func ("/plan/safety-limit", test_safety_limit);
  g_test_add_func ("/plan/json", test_json);
  g_test_add_func ("/plan/combined", test_combined);
  g_test_add_func ("/plan/managers", test_managers);
  g_test_add_func ("/plan/sqlite-round-trip", test_sqlite_round_trip);

  status = g_test_run ();
  g_clear_object (&tenant);
  core_test_remove_tree (tenant_dir);
  g_free (tenant_dir);
  return status;
}
