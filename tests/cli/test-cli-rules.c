/* test-cli-rules.c: muster-cli rules show|export|import and assign, on a snapshot written into cache.db
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cli-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "muster-snapshot-store.h"

#define ALICE "00000000-0000-4000-8000-00000000000a"
#define BOB   "00000000-0000-4000-8000-00000000000b"
#define STAFF "10000000-0000-4000-8000-00000000000a"

typedef struct
{
  MusterFakeTenant *tenant;  /* always NULL: these commands read cache.db and the rules file only */
  char             *dir;
} Fixture;

static void
put_json (MusterSnapshotWriter *writer,
          const char           *json,
          gboolean              is_user)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (node);
  if (is_user)
    {
      g_autoptr(MusterUser) user = muster_user_new_from_json (json_node_get_object (node));
      g_assert_true (muster_snapshot_writer_put_user (writer, user, &error));
    }
  else
    {
      g_autoptr(MusterGroup) group = muster_group_new_from_json (json_node_get_object (node));
      g_assert_true (muster_snapshot_writer_put_group (writer, group, &error));
    }
  g_assert_no_error (error);
}

static void
write_snapshot (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "cache.db", NULL);
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(GError) error = NULL;

  store = muster_snapshot_store_open (path, &error);
  g_assert_no_error (error);
  writer = muster_snapshot_store_begin (store, "work", "11111111-2222-3333-4444-555555555555", &error);
  g_assert_no_error (error);
  put_json (writer, "{\"id\":\"" ALICE "\",\"displayName\":\"Alice Archer\",\"userPrincipalName\":\"alice@contoso.example\","
                    "\"mail\":\"alice@contoso.example\",\"userType\":\"Member\",\"accountEnabled\":true}", TRUE);
  put_json (writer, "{\"id\":\"" BOB "\",\"displayName\":\"Bob Baker\",\"userPrincipalName\":\"bob@contoso.example\","
                    "\"mail\":\"Robert.Baker@contoso.example\",\"userType\":\"Member\",\"accountEnabled\":true}", TRUE);
  put_json (writer, "{\"id\":\"" STAFF "\",\"displayName\":\"Staff\",\"groupTypes\":[],\"mailEnabled\":false,"
                    "\"securityEnabled\":true}", FALSE);
  g_assert_true (muster_snapshot_writer_add_member (writer, STAFF, ALICE, &error));
  g_assert_cmpint (muster_snapshot_writer_commit (writer, &error), >, 0);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(Run) add = NULL;

  f->dir = g_dir_make_tmp ("muster-cli-rules-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  add = CLI (f, "profile", "add", "work", "--tenant", "contoso.example");
  g_assert_cmpint (add->status, ==, 0);
  if (data == NULL)
    write_snapshot (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
}

static char *
rules_path (Fixture *f)
{
  return g_build_filename (f->dir, "rules", "work.json", NULL);
}

static JsonObject *
shown (Fixture *f)
{
  g_autoptr(Run) run = CLI (f, "rules", "show", "--json");

  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (run->json);
  return json_object_ref (json_node_get_object (run->json));
}

static void
test_show_defaults (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(Run) text = CLI (f, "rules", "show");
  g_autoptr(Run) json = CLI (f, "--json", "rules", "show");
  g_autoptr(Run) help = CLI (f, "rules", "--help");
  g_autoptr(Run) wrong = CLI (f, "rules", "list");
  g_autofree char *path = rules_path (f);
  JsonObject *limit;

  g_assert_cmpint (text->status, ==, 0);
  g_assert_nonnull (strstr (text->out, "Rules of profile “work”"));
  g_assert_nonnull (strstr (text->out, "All users"));
  g_assert_nonnull (strstr (text->out, "50 users or 5 % of the target"));
  g_assert_nonnull (strstr (text->out, "jobTitle             → title"));

  g_assert_cmpint (json->status, ==, 0);
  g_assert_nonnull (json->json);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (json->json), "version"), ==, 1);
  limit = json_object_get_object_member (json_node_get_object (json->json), "safetyLimit");
  g_assert_cmpint (json_object_get_int_member (limit, "count"), ==, 50);

  /* showing writes nothing */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  {
    g_autofree char *cache = g_build_filename (f->dir, "cache.db", NULL);
    g_assert_false (g_file_test (cache, G_FILE_TEST_EXISTS));
  }

  g_assert_cmpint (help->status, ==, 0);
  g_assert_nonnull (strstr (help->out, "rules import FILE"));
  g_assert_cmpint (wrong->status, ==, 2);
}

static void
test_export_import (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *exported = g_build_filename (f->dir, "exported.json", NULL);
  g_autofree char *edited = g_build_filename (f->dir, "edited.json", NULL);
  g_autofree char *path = rules_path (f);
  g_autoptr(Run) export = CLI (f, "rules", "export", "--output", exported);
  g_autoptr(Run) to_stdout = CLI (f, "rules", "export");
  g_autoptr(Run) import = NULL;
  g_autoptr(Run) shown_text = NULL;
  g_autoptr(JsonObject) rules = NULL;
  g_autofree char *contents = NULL;
  GStatBuf info;

  g_assert_cmpint (export->status, ==, 0);
  g_assert_true (g_file_get_contents (exported, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, to_stdout->out);
  g_assert_true (g_str_has_prefix (contents, "{\n  \"version\" : 1,"));

  g_assert_true (g_file_set_contents (edited,
                                      "{\"version\": 1,\n"
                                      " \"filter\": {\"groups\": [\"Staff\"], \"excludeGuests\": true},\n"
                                      " \"defaults\": {\"userType\": \"user\", \"roles\": [\"staff\"]},\n"
                                      " \"groupRules\": [{\"group\": \"Staff\", \"userType\": \"administrator\"}],\n"
                                      " \"safetyLimit\": {\"count\": 10, \"percent\": 2}}\n", -1, NULL));
  import = CLI (f, "rules", "import", edited);
  g_assert_cmpint (import->status, ==, 0);
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);

  rules = shown (f);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (rules, "filter"), "excludeGuests"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (rules, "safetyLimit"), "count"), ==, 10);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (rules, "groupRules"), 0), "userType"),
                   ==, "administrator");

  /* Standard input works too; the document round-trips through export. */
  {
    g_autoptr(Run) from_stdin = cli_test_run (NULL, f->dir, "{\"version\": 1, \"onlyNew\": true}",
                                              (const char * const[]) { "rules", "import", "-", NULL });
    g_autoptr(Run) again = NULL;
    g_autoptr(Run) back = NULL;

    g_assert_cmpint (from_stdin->status, ==, 0);
    g_assert_nonnull (strstr (from_stdin->err, "standard input"));
    again = CLI (f, "rules", "export");
    g_assert_nonnull (strstr (again->out, "\"onlyNew\" : true"));
    /* and back to the edited rules for what follows */
    back = CLI (f, "rules", "import", edited);
    g_assert_cmpint (back->status, ==, 0);
  }

  shown_text = CLI (f, "rules", "show");
  g_assert_nonnull (strstr (shown_text->out, "1. Staff (nested): Administrator"));
  g_assert_nonnull (strstr (shown_text->out, "Groups: Staff"));
  g_assert_nonnull (strstr (shown_text->out, "10 users or 2 % of the target"));
}

static void
test_import_refuses_errors (Fixture       *f,
                            gconstpointer  data)
{
  static const struct
  {
    const char *json;
    const char *field;
  } cases[] = {
    { "{\"version\": 1, \"groupRules\": [{\"group\": \"Staff\"}, {\"group\": \"X\", \"userType\": \"boss\"}]}",
      "groupRules[1].userType: “boss” is not a user type" },
    { "{\"version\": 1, \"filter\": {\"excludeGuest\": true}}", "filter.excludeGuest: there is no such setting" },
    { "{\"version\": 1, \"safetyLimit\": {\"percent\": 500}}", "safetyLimit.percent" },
    { "{\"version\": 1, \"fieldMapping\": [{\"source\": \"mail\", \"attribute\": \"nick\"}]}", "fieldMapping[0].attribute" },
    { "{\"version\": 9}", "newer Muster" },
    { "not json", "not valid JSON" },
  };
  g_autofree char *path = rules_path (f);
  g_autofree char *file = g_build_filename (f->dir, "bad.json", NULL);
  g_autofree char *good = g_build_filename (f->dir, "good.json", NULL);
  g_autofree char *before = NULL;
  g_autoptr(Run) setup = NULL;
  g_autoptr(Run) missing = NULL;

  /* rules that are there before each refused import */
  g_assert_true (g_file_set_contents (good, "{\"version\": 1, \"onlyNew\": true}", -1, NULL));
  setup = CLI (f, "rules", "import", good);
  g_assert_cmpint (setup->status, ==, 0);
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Run) run = NULL;
      g_autofree char *after = NULL;

      g_assert_true (g_file_set_contents (file, cases[i].json, -1, NULL));
      run = CLI (f, "rules", "import", file);
      g_assert_cmpint (run->status, ==, 2);
      if (strstr (run->err, cases[i].field) == NULL)
        g_error ("“%s” does not name “%s”", run->err, cases[i].field);
      g_assert_nonnull (strstr (run->err, "Nothing was changed"));
      g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
      g_assert_cmpstr (after, ==, before);
    }

  missing = CLI (f, "rules", "import", "/nonexistent/rules.json");
  g_assert_cmpint (missing->status, ==, 1);
}

static void
test_assign_users (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(Run) assign = CLI (f, "assign", "--user", "alice@contoso.example", "--user", "robert.baker@contoso.example",
                               "--type", "administrator", "--roles", "ops, audit");
  g_autoptr(Run) roles_only = NULL;
  g_autoptr(Run) exclude = NULL;
  g_autoptr(Run) clear = NULL;
  g_autoptr(Run) clear_again = NULL;
  g_autoptr(Run) unknown = NULL;
  g_autoptr(Run) bad_type = NULL;
  g_autoptr(Run) nothing = NULL;
  g_autoptr(Run) show = NULL;
  g_autoptr(JsonObject) rules = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(JsonObject) cleared = NULL;
  JsonArray *overrides;
  JsonObject *alice;

  g_assert_cmpint (assign->status, ==, 0);
  g_assert_nonnull (strstr (assign->out, "alice@contoso.example: Administrator; roles: audit, ops"));
  g_assert_nonnull (strstr (assign->out, "bob@contoso.example: Administrator"));

  rules = shown (f);
  overrides = json_object_get_array_member (rules, "userOverrides");
  g_assert_cmpuint (json_array_get_length (overrides), ==, 2);
  alice = json_array_get_object_element (overrides, 0);
  g_assert_cmpstr (json_object_get_string_member (alice, "user"), ==, ALICE);  /* resolved to the Entra id */
  g_assert_cmpstr (json_object_get_string_member (alice, "userType"), ==, "administrator");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (alice, "roles"), 0), ==, "audit");

  /* Only what is given changes. */
  roles_only = CLI (f, "assign", "--user", ALICE, "--roles", "");
  g_assert_cmpint (roles_only->status, ==, 0);
  exclude = CLI (f, "assign", "--user", "BOB@contoso.example", "--always", "exclude");
  g_assert_cmpint (exclude->status, ==, 0);
  g_assert_nonnull (strstr (exclude->out, "always excluded"));
  after = shown (f);
  overrides = json_object_get_array_member (after, "userOverrides");
  alice = json_array_get_object_element (overrides, 0);
  g_assert_cmpstr (json_object_get_string_member (alice, "userType"), ==, "administrator");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (alice, "roles")), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (overrides, 1), "always"), ==, "exclude");

  show = CLI (f, "rules", "show");
  g_assert_nonnull (strstr (show->out, "alice@contoso.example (" ALICE "): Administrator; roles: none"));

  clear = CLI (f, "assign", "--user", "alice@contoso.example", "--clear");
  g_assert_cmpint (clear->status, ==, 0);
  cleared = shown (f);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (cleared, "userOverrides")), ==, 1);
  clear_again = CLI (f, "assign", "--user", "alice@contoso.example", "--clear");
  g_assert_cmpint (clear_again->status, ==, 2);

  unknown = CLI (f, "assign", "--user", "nobody@contoso.example", "--type", "user");
  g_assert_cmpint (unknown->status, ==, 2);
  g_assert_nonnull (strstr (unknown->err, "nobody@contoso.example"));
  bad_type = CLI (f, "assign", "--user", ALICE, "--type", "boss");
  g_assert_cmpint (bad_type->status, ==, 2);
  nothing = CLI (f, "assign", "--user", ALICE);
  g_assert_cmpint (nothing->status, ==, 2);
}

static void
test_assign_group (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(Run) assign = CLI (f, "assign", "--group", "Staff", "--type", "billing-administrator", "--roles", "finance");
  g_autoptr(Run) direct = NULL;
  g_autoptr(Run) clear = NULL;
  g_autoptr(Run) unknown = NULL;
  g_autoptr(Run) both = NULL;
  g_autoptr(JsonObject) rules = NULL;
  g_autoptr(JsonObject) changed = NULL;
  g_autoptr(JsonObject) cleared = NULL;
  JsonObject *rule;

  g_assert_cmpint (assign->status, ==, 0);
  g_assert_nonnull (strstr (assign->out, "Staff: Billing Administrator; roles: finance"));
  rules = shown (f);
  rule = json_array_get_object_element (json_object_get_array_member (rules, "groupRules"), 0);
  g_assert_cmpstr (json_object_get_string_member (rule, "group"), ==, STAFF);
  g_assert_true (json_object_get_boolean_member (rule, "nested"));
  g_assert_cmpstr (json_object_get_string_member (rule, "userType"), ==, "billing-administrator");

  /* Replaced in place, keeping what is not given. */
  direct = CLI (f, "assign", "--group", STAFF, "--roles", "finance,audit", "--direct");
  g_assert_cmpint (direct->status, ==, 0);
  changed = shown (f);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (changed, "groupRules")), ==, 1);
  rule = json_array_get_object_element (json_object_get_array_member (changed, "groupRules"), 0);
  g_assert_false (json_object_get_boolean_member (rule, "nested"));
  g_assert_cmpstr (json_object_get_string_member (rule, "userType"), ==, "billing-administrator");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (rule, "roles")), ==, 2);

  clear = CLI (f, "assign", "--group", "Staff", "--clear");
  g_assert_cmpint (clear->status, ==, 0);
  cleared = shown (f);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (cleared, "groupRules")), ==, 0);

  unknown = CLI (f, "assign", "--group", "Nobody", "--type", "user");
  g_assert_cmpint (unknown->status, ==, 2);
  g_assert_nonnull (strstr (unknown->err, "Nobody"));
  both = CLI (f, "assign", "--group", "Staff", "--user", ALICE, "--type", "user");
  g_assert_cmpint (both->status, ==, 2);
}

static void
test_assign_needs_snapshot (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(Run) run = CLI (f, "assign", "--user", ALICE, "--type", "user");
  g_autofree char *path = rules_path (f);

  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (strstr (run->err, "muster-cli fetch"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/rules/show-defaults", Fixture, "no snapshot", fixture_set_up, test_show_defaults, fixture_tear_down);
  g_test_add ("/cli/rules/export-import", Fixture, NULL, fixture_set_up, test_export_import, fixture_tear_down);
  g_test_add ("/cli/rules/import-refuses-errors", Fixture, NULL, fixture_set_up, test_import_refuses_errors,
              fixture_tear_down);
  g_test_add ("/cli/assign/users", Fixture, NULL, fixture_set_up, test_assign_users, fixture_tear_down);
  g_test_add ("/cli/assign/group", Fixture, NULL, fixture_set_up, test_assign_group, fixture_tear_down);
  g_test_add ("/cli/assign/needs-snapshot", Fixture, "no snapshot", fixture_set_up, test_assign_needs_snapshot,
              fixture_tear_down);

  return g_test_run ();
}
