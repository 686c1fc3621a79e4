/* test-rules.c: sync rules — defaults, the JSON form and its validation, the per-profile file
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core-test-util.h"
#include "muster-rules.h"
#include "muster-target.h"

static char *
to_text (MusterRules *rules)
{
  return muster_rules_to_data (rules, NULL);
}

static void
test_defaults (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  GPtrArray *mapping = muster_rules_get_field_mapping (rules);
  g_autoptr(GString) pairs = g_string_new (NULL);
  guint count = 0, percent = 0;

  g_assert_true (muster_rules_get_safety_limit (rules, &count, &percent));
  g_assert_cmpuint (count, ==, 50);
  g_assert_cmpuint (percent, ==, 5);
  g_assert_cmpint (muster_rules_get_default_user_type (rules), ==, MUSTER_USER_TYPE_USER);
  g_assert_null (muster_rules_get_default_roles (rules)[0]);
  g_assert_cmpint (muster_rules_get_email_method (rules), ==, MUSTER_EMAIL_METHOD_MAIL_OR_UPN);
  g_assert_cmpint (muster_rules_get_group_kind (rules), ==, -1);
  g_assert_false (muster_rules_get_only_new (rules));
  g_assert_cmpuint (muster_rules_get_group_rules (rules)->len, ==, 0);

  for (guint i = 0; i < mapping->len; i++)
    {
      const MusterFieldMapping *entry = mapping->pdata[i];
      g_string_append_printf (pairs, "%s%s>%s", i > 0 ? " " : "", entry->source, entry->attribute);
    }
  g_assert_cmpstr (pairs->str, ==, "displayName>displayName givenName>givenName surname>familyName email>email "
                                   "jobTitle>title department>department manager>manager employeeId>employeeNumber "
                                   "mobilePhone>mobilePhone officeLocation>officeLocation");
}

static MusterRules *
make_full_rules (void)
{
  MusterRules *rules = muster_rules_new ();
  const char *groups[] = { "Staff", "10000000-0000-4000-8000-000000000002", NULL };
  const char *deny[] = { "@fabrikam.example", "eve@contoso.example", NULL };
  const char *roles[] = { "staff", NULL };
  const char *ops[] = { "ops", "audit", NULL };
  const char *none[] = { NULL };
  MusterUserType administrator = MUSTER_USER_TYPE_ADMINISTRATOR;
  MusterUserType billing = MUSTER_USER_TYPE_BILLING_ADMINISTRATOR;
  MusterFieldMapping mapping[] = {
    { (char *) "displayName", (char *) MUSTER_ATTR_DISPLAY_NAME },
    { (char *) "userPrincipalName", (char *) MUSTER_ATTR_EMAIL },
    { (char *) "businessPhone", (char *) MUSTER_ATTR_MOBILE_PHONE },
  };

  muster_rules_set_groups (rules, groups);
  muster_rules_set_nested (rules, TRUE);
  muster_rules_set_group_kind (rules, MUSTER_GROUP_KIND_SECURITY);
  muster_rules_set_exclude_unlicensed (rules, TRUE);
  muster_rules_set_exclude_disabled (rules, TRUE);
  muster_rules_set_exclude_guests (rules, TRUE);
  muster_rules_set_deny_list (rules, deny);
  muster_rules_set_search (rules, "engineer");
  muster_rules_set_email_method (rules, MUSTER_EMAIL_METHOD_UPN);
  muster_rules_set_only_new (rules, TRUE);
  muster_rules_set_default_user_type (rules, MUSTER_USER_TYPE_USER);
  muster_rules_set_default_roles (rules, roles);
  muster_rules_set_group_rule (rules, "Admins", TRUE, &administrator, ops);
  muster_rules_set_group_rule (rules, "Billing", FALSE, &billing, NULL);
  muster_rules_set_group_rule (rules, "Readers", TRUE, NULL, roles);
  muster_rules_set_user_override (rules, "00000000-0000-4000-8000-000000000002", NULL, none,
                                  MUSTER_USER_SCOPE_ALWAYS_EXCLUDE);
  muster_rules_set_user_override (rules, "00000000-0000-4000-8000-000000000001", &billing, NULL,
                                  MUSTER_USER_SCOPE_ALWAYS_INCLUDE);
  g_assert_true (muster_rules_set_field_mapping (rules, mapping, G_N_ELEMENTS (mapping), NULL));
  muster_rules_set_group_mapping (rules, "Staff", "staff", TRUE);
  muster_rules_set_group_mapping (rules, "Admins", "Administrators", FALSE);
  muster_rules_set_safety_limit (rules, 20, 10);
  return rules;
}

static void
test_round_trip (void)
{
  g_autoptr(MusterRules) rules = make_full_rules ();
  g_autoptr(MusterRules) again = NULL;
  g_autoptr(MusterRules) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = to_text (rules);
  g_autofree char *text_again = NULL;
  g_autofree char *text_copy = NULL;
  const MusterGroupRule *billing;
  const MusterUserOverride *override;
  GPtrArray *overrides;

  again = muster_rules_new_from_data (text, -1, &error);
  g_assert_no_error (error);
  text_again = to_text (again);
  g_assert_cmpstr (text_again, ==, text);
  copy = muster_rules_copy (rules);
  text_copy = to_text (copy);
  g_assert_cmpstr (text_copy, ==, text);

  /* What came back is what was set, not only the same text. */
  g_assert_true (muster_rules_get_nested (again));
  g_assert_cmpint (muster_rules_get_group_kind (again), ==, MUSTER_GROUP_KIND_SECURITY);
  g_assert_cmpstr (muster_rules_get_search (again), ==, "engineer");
  g_assert_cmpstr (muster_rules_get_deny_list (again)[0], ==, "@fabrikam.example");
  g_assert_cmpint (muster_rules_get_email_method (again), ==, MUSTER_EMAIL_METHOD_UPN);
  g_assert_true (muster_rules_get_only_new (again));
  g_assert_cmpuint (muster_rules_get_group_rules (again)->len, ==, 3);
  g_assert_cmpstr (((MusterGroupRule *) muster_rules_get_group_rules (again)->pdata[0])->group, ==, "Admins");
  /* roles are sorted */
  g_assert_cmpstr (((MusterGroupRule *) muster_rules_get_group_rules (again)->pdata[0])->roles[0], ==, "audit");
  billing = muster_rules_lookup_group_rule (again, "Billing");
  g_assert_false (billing->nested);
  g_assert_true (billing->has_user_type);
  g_assert_cmpint (billing->user_type, ==, MUSTER_USER_TYPE_BILLING_ADMINISTRATOR);
  g_assert_false (muster_rules_lookup_group_rule (again, "Readers")->has_user_type);

  overrides = muster_rules_get_user_overrides (again);
  g_assert_cmpuint (overrides->len, ==, 2);
  /* sorted by id */
  g_assert_cmpstr (((MusterUserOverride *) overrides->pdata[0])->user_id, ==, "00000000-0000-4000-8000-000000000001");
  override = muster_rules_lookup_user_override (again, "00000000-0000-4000-8000-000000000002");
  g_assert_nonnull (override->roles);
  g_assert_null (override->roles[0]);  /* no roles at all, not "the rules' roles" */
  g_assert_false (override->has_user_type);
  g_assert_cmpint (override->scope, ==, MUSTER_USER_SCOPE_ALWAYS_EXCLUDE);
  override = muster_rules_lookup_user_override (again, "00000000-0000-4000-8000-000000000001");
  g_assert_null (override->roles);
  g_assert_cmpint (override->scope, ==, MUSTER_USER_SCOPE_ALWAYS_INCLUDE);

  g_assert_cmpuint (muster_rules_get_field_mapping (again)->len, ==, 3);
  g_assert_cmpstr (((MusterGroupMapping *) muster_rules_get_group_mapping (again)->pdata[1])->target_group, ==,
                   "Administrators");
  {
    guint count, percent;

    muster_rules_get_safety_limit (again, &count, &percent);
    g_assert_cmpuint (count, ==, 20);
    g_assert_cmpuint (percent, ==, 10);
  }

  g_assert_nonnull (strstr (text, "\"version\" : 1"));
}

static void
test_partial_document (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterRules) rules = muster_rules_new_from_data ("{\"version\": 1, \"filter\": {\"excludeGuests\": true}}",
                                                             -1, &error);

  g_assert_no_error (error);
  g_assert_true (muster_rules_get_exclude_guests (rules));
  g_assert_false (muster_rules_get_exclude_disabled (rules));
  g_assert_cmpuint (muster_rules_get_field_mapping (rules)->len, ==, 10);
}

static void
test_validation (void)
{
  static const struct
  {
    const char *json;
    const char *message;
  } cases[] = {
    { "[]", "the document: must be an object" },
    { "{}", "version: is missing" },
    { "{\"version\": \"1\"}", "version: must be a whole number" },
    { "{\"version\": 0}", "version: must be 1" },
    { "{\"version\": 1, \"filtr\": {}}", "filtr: there is no such setting" },
    { "{\"version\": 1, \"filter\": []}", "filter: must be an object" },
    { "{\"version\": 1, \"filter\": {\"excludeGuest\": true}}", "filter.excludeGuest: there is no such setting" },
    { "{\"version\": 1, \"filter\": {\"nested\": \"yes\"}}", "filter.nested: must be true or false" },
    { "{\"version\": 1, \"filter\": {\"groups\": \"Staff\"}}", "filter.groups: must be a list of strings" },
    { "{\"version\": 1, \"filter\": {\"groups\": [\"Staff\", 7]}}", "filter.groups[1]: must be a string" },
    { "{\"version\": 1, \"filter\": {\"denyList\": [\"\"]}}", "filter.denyList[0]: must not be empty" },
    { "{\"version\": 1, \"filter\": {\"groupKind\": \"team\"}}", "filter.groupKind: “team” is not a group kind" },
    { "{\"version\": 1, \"filter\": {\"emailMethod\": \"email\"}}", "filter.emailMethod: “email” is not an email method" },
    { "{\"version\": 1, \"filter\": {\"search\": 3}}", "filter.search: must be a string" },
    { "{\"version\": 1, \"onlyNew\": 1}", "onlyNew: must be true or false" },
    { "{\"version\": 1, \"defaults\": {\"userType\": \"boss\"}}", "defaults.userType: “boss” is not a user type" },
    { "{\"version\": 1, \"defaults\": {\"roles\": \"ops\"}}", "defaults.roles: must be a list of strings" },
    { "{\"version\": 1, \"defaults\": {\"role\": []}}", "defaults.role: there is no such setting" },
    { "{\"version\": 1, \"groupRules\": {}}", "groupRules: must be a list" },
    { "{\"version\": 1, \"groupRules\": [{\"group\": \"A\"}, {\"group\": \"B\", \"userType\": \"boss\"}]}",
      "groupRules[1].userType: “boss” is not a user type" },
    { "{\"version\": 1, \"groupRules\": [{\"userType\": \"user\"}]}", "groupRules[0].group: is missing" },
    { "{\"version\": 1, \"groupRules\": [{\"group\": \"\"}]}", "groupRules[0].group: must not be empty" },
    { "{\"version\": 1, \"groupRules\": [{\"group\": \"A\"}, {\"group\": \"A\"}]}",
      "groupRules[1].group: “A” already has a rule above" },
    { "{\"version\": 1, \"groupRules\": [{\"group\": \"A\", \"colour\": \"red\"}]}",
      "groupRules[0].colour: there is no such setting" },
    { "{\"version\": 1, \"groupRules\": [{\"group\": \"A\", \"nested\": null}]}", "groupRules[0].nested: must be true or false" },
    { "{\"version\": 1, \"groupRules\": [7]}", "groupRules[0]: must be an object" },
    { "{\"version\": 1, \"userOverrides\": [{\"userType\": \"user\"}]}", "userOverrides[0].user: is missing" },
    { "{\"version\": 1, \"userOverrides\": [{\"user\": \"u1\", \"always\": \"sometimes\"}]}",
      "userOverrides[0].always: “sometimes” is neither include nor exclude" },
    { "{\"version\": 1, \"userOverrides\": [{\"user\": \"u1\"}, {\"user\": \"u1\"}]}",
      "userOverrides[1].user: “u1” already has an override above" },
    { "{\"version\": 1, \"userOverrides\": [{\"user\": \"u1\", \"roles\": [1]}]}", "userOverrides[0].roles[0]: must be a string" },
    { "{\"version\": 1, \"fieldMapping\": [{\"source\": \"shoeSize\", \"attribute\": \"title\"}]}",
      "fieldMapping[0].source: “shoeSize” is not a field Muster reads" },
    { "{\"version\": 1, \"fieldMapping\": [{\"source\": \"mail\", \"attribute\": \"nickname\"}]}",
      "fieldMapping[0].attribute: “nickname” is not a target attribute" },
    { "{\"version\": 1, \"fieldMapping\": [{\"source\": \"mail\", \"attribute\": \"email\"}, "
      "{\"source\": \"userPrincipalName\", \"attribute\": \"email\"}]}",
      "fieldMapping[1].attribute: “email” is already filled by fieldMapping[0]" },
    { "{\"version\": 1, \"fieldMapping\": [{\"source\": \"mail\"}]}", "fieldMapping[0].attribute: is missing" },
    { "{\"version\": 1, \"groupMapping\": [{\"group\": \"Staff\"}]}", "groupMapping[0].targetGroup: is missing" },
    { "{\"version\": 1, \"groupMapping\": [{\"group\": \"Staff\", \"targetGroup\": \"s\"}, "
      "{\"group\": \"Staff\", \"targetGroup\": \"t\"}]}", "groupMapping[1].group: “Staff” is already mapped above" },
    { "{\"version\": 1, \"safetyLimit\": {\"percent\": 150}}", "safetyLimit.percent: must be a whole number from 0 to 100" },
    { "{\"version\": 1, \"safetyLimit\": {\"count\": -1}}", "safetyLimit.count: must be a whole number from 0 to" },
    { "{\"version\": 1, \"safetyLimit\": {\"count\": 1.5}}", "safetyLimit.count: must be a whole number from 0 to" },
    { "{\"version\": 1, \"safetyLimit\": {\"limit\": 1}}", "safetyLimit.limit: there is no such setting" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MusterRules) rules = muster_rules_new_from_data (cases[i].json, -1, &error);

      g_test_message ("%s", cases[i].json);
      g_assert_null (rules);
      g_assert_error (error, MUSTER_RULES_ERROR, MUSTER_RULES_ERROR_INVALID);
      if (!g_str_has_prefix (error->message, cases[i].message))
        g_error ("%s: “%s” does not start with “%s”", cases[i].json, error->message, cases[i].message);
    }
}

static void
test_version_and_syntax (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterRules) newer = muster_rules_new_from_data ("{\"version\": 2}", -1, &error);

  g_assert_null (newer);
  g_assert_error (error, MUSTER_RULES_ERROR, MUSTER_RULES_ERROR_VERSION);
  g_assert_nonnull (strstr (error->message, "newer Muster"));
  g_clear_error (&error);

  g_assert_null (muster_rules_new_from_data ("{\"version\": 1,", -1, &error));
  g_assert_error (error, MUSTER_RULES_ERROR, MUSTER_RULES_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "The rules are not valid JSON"));
}

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("muster-rules-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  g_setenv ("MUSTER_DATA_DIR", f->dir, TRUE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_unsetenv ("MUSTER_DATA_DIR");
  core_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
test_file (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(MusterRules) rules = make_full_rules ();
  g_autoptr(MusterRules) loaded = NULL;
  g_autoptr(MusterRules) missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "rules", "work.json", NULL);
  g_autofree char *expected = to_text (rules);
  g_autofree char *contents = NULL;
  g_autofree char *loaded_text = NULL;
  g_autofree char *missing_text = NULL;
  g_autoptr(MusterRules) defaults = muster_rules_new ();
  g_autofree char *defaults_text = to_text (defaults);
  GStatBuf info;

  /* No file: the defaults. */
  missing = muster_rules_load ("work", &error);
  g_assert_no_error (error);
  missing_text = to_text (missing);
  g_assert_cmpstr (missing_text, ==, defaults_text);

  g_assert_true (muster_rules_save (rules, "work", &error));
  g_assert_no_error (error);
  {
    g_autofree char *reported = muster_rules_get_path ("work");
    g_assert_cmpstr (reported, ==, path);
  }
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);

  loaded = muster_rules_load ("work", &error);
  g_assert_no_error (error);
  loaded_text = to_text (loaded);
  g_assert_cmpstr (loaded_text, ==, expected);

  /* A broken file names itself and the field. */
  g_assert_true (g_file_set_contents (path, "{\"version\": 1, \"groupRules\": [{\"group\": \"A\", \"userType\": \"boss\"}]}",
                                      -1, NULL));
  g_assert_null (muster_rules_load ("work", &error));
  g_assert_error (error, MUSTER_RULES_ERROR, MUSTER_RULES_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "work.json"));
  g_assert_nonnull (strstr (error->message, "groupRules[0].userType"));
  g_clear_error (&error);

  /* A profile name that is not one never becomes a path. */
  g_assert_false (muster_rules_save (rules, "../escape", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (muster_rules_load ("../escape", &error));
  g_assert_nonnull (error);
}

static void
test_file_async (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(MusterRules) rules = make_full_rules ();
  g_autoptr(MusterRules) loaded = NULL;
  g_autoptr(GAsyncResult) saved = NULL;
  g_autoptr(GAsyncResult) read = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = to_text (rules);
  g_autofree char *loaded_text = NULL;

  muster_rules_save_async (rules, "async", NULL, core_test_store_result_cb, &saved);
  /* a change after the call belongs to the next save */
  muster_rules_set_only_new (rules, FALSE);
  g_assert_true (muster_rules_save_finish (rules, core_test_wait (&saved), &error));
  g_assert_no_error (error);

  muster_rules_load_async ("async", NULL, core_test_store_result_cb, &read);
  loaded = muster_rules_load_finish (core_test_wait (&read), &error);
  g_assert_no_error (error);
  loaded_text = to_text (loaded);
  g_assert_cmpstr (loaded_text, ==, expected);
  g_assert_true (muster_rules_get_only_new (loaded));
}

static void
test_setters (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterUserFilter) filter = NULL;
  g_autoptr(MusterUserFilter) source = muster_user_filter_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *described = NULL;
  const char *groups[] = { "Staff", NULL };
  const char *deny[] = { "@fabrikam.example", NULL };
  MusterFieldMapping twice[] = {
    { (char *) "mail", (char *) MUSTER_ATTR_EMAIL },
    { (char *) "userPrincipalName", (char *) MUSTER_ATTR_EMAIL },
  };
  MusterUserType administrator = MUSTER_USER_TYPE_ADMINISTRATOR;
  const char *roles[] = { " b ", "a", "b", "", NULL };
  guint changes = 0;

  g_signal_connect_swapped (rules, "changed", G_CALLBACK (g_atomic_int_inc), &changes);

  /* The filter both ways. */
  muster_user_filter_set_groups (source, groups);
  muster_user_filter_set_exclude_guests (source, TRUE);
  muster_user_filter_set_deny_list (source, deny);
  muster_user_filter_set_email_method (source, MUSTER_EMAIL_METHOD_MAIL);
  muster_rules_set_filter (rules, source);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_true (muster_rules_get_exclude_guests (rules));
  g_assert_cmpstr (muster_rules_get_groups (rules)[0], ==, "Staff");
  filter = muster_rules_build_filter (rules);
  described = muster_user_filter_describe (filter, NULL);
  g_assert_cmpstr (described, ==, "Groups: Staff · Excluding: guests · Deny list: 1 entry · Email: mail");

  /* Setting what is already there is no change. */
  muster_rules_set_exclude_guests (rules, TRUE);
  g_assert_cmpuint (changes, ==, 1);

  /* A group rule is replaced where it stands; roles are trimmed, sorted and unique. */
  muster_rules_set_group_rule (rules, "A", TRUE, NULL, NULL);
  muster_rules_set_group_rule (rules, "B", TRUE, NULL, NULL);
  muster_rules_set_group_rule (rules, "A", FALSE, &administrator, roles);
  g_assert_cmpuint (muster_rules_get_group_rules (rules)->len, ==, 2);
  g_assert_cmpstr (((MusterGroupRule *) muster_rules_get_group_rules (rules)->pdata[0])->group, ==, "A");
  g_assert_cmpstr (muster_rules_lookup_group_rule (rules, "A")->roles[0], ==, "a");
  g_assert_cmpstr (muster_rules_lookup_group_rule (rules, "A")->roles[1], ==, "b");
  g_assert_null (muster_rules_lookup_group_rule (rules, "A")->roles[2]);
  g_assert_true (muster_rules_remove_group_rule (rules, "A"));
  g_assert_false (muster_rules_remove_group_rule (rules, "A"));
  g_assert_true (muster_rules_remove_user_override (rules, "x") == FALSE);

  /* A mapping that fills one attribute twice is refused and changes nothing. */
  g_assert_false (muster_rules_set_field_mapping (rules, twice, G_N_ELEMENTS (twice), &error));
  g_assert_error (error, MUSTER_RULES_ERROR, MUSTER_RULES_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "fieldMapping[1].attribute"));
  g_assert_cmpuint (muster_rules_get_field_mapping (rules)->len, ==, 10);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rules/defaults", test_defaults);
  g_test_add_func ("/rules/json/round-trip", test_round_trip);
  g_test_add_func ("/rules/json/partial", test_partial_document);
  g_test_add_func ("/rules/json/validation-names-the-field", test_validation);
  g_test_add_func ("/rules/json/version-and-syntax", test_version_and_syntax);
  g_test_add_func ("/rules/setters", test_setters);
  g_test_add ("/rules/file/save-load", Fixture, NULL, fixture_set_up, test_file, fixture_tear_down);
  g_test_add ("/rules/file/async", Fixture, NULL, fixture_set_up, test_file_async, fixture_tear_down);

  return g_test_run ();
}
