/* test-cli-target.c: muster-cli target add|list|remove|roles, against the fake's SCIM service
 * and real SQLite files
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli-test-util.h"
#include "fake-test-util.h"

#define PROFILE "target-cli"

typedef struct
{
  MusterFakeTenant *tenant;
  char             *dir;
  char             *scim_url;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->tenant = fake_test_start_tenant (NULL);
  f->dir = g_dir_make_tmp ("muster-cli-target-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->scim_url = g_strconcat ("scim:", muster_fake_tenant_get_base_url (f->tenant), "/scim/v2", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  cli_test_keyring_clear (PROFILE);
  cli_test_keyring_clear ("other");
  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
  g_free (f->scim_url);
  g_clear_object (&f->tenant);
}

static Run *
cli_with_input (Fixture    *f,
                const char *input,
                const char * const *args)
{
  return cli_test_run (f->tenant, f->dir, input, args);
}

static char *
read_targets_ini (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "targets.ini", NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

/* The names in `--json target list`. */
static char *
listed_names (Fixture *f)
{
  g_autoptr(Run) list = CLI (f, "--json", "target", "list");
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  JsonArray *array;

  g_assert_cmpint (list->status, ==, 0);
  root = json_from_string (list->out, NULL);
  g_assert_nonnull (root);
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (names, (char *) json_object_get_string_member (json_array_get_object_element (array, i), "name"));
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

static void
test_scim (Fixture       *f,
           gconstpointer  data)
{
  const char *token = muster_fake_tenant_get_scim_token (f->tenant);
  g_autofree char *input = g_strconcat (token, "\n", NULL);
  g_autofree char *stored = NULL, *gone = NULL, *ini = NULL, *names = NULL, *ini_path = NULL;
  g_autoptr(Run) add = NULL, wrong = NULL, again = NULL, list = NULL, roles = NULL, remove = NULL;
  g_autoptr(Run) role_add = NULL, role_add2 = NULL, role_remove = NULL, role_missing = NULL, bad = NULL;
  g_autoptr(Run) no_token = NULL;
  GStatBuf st;

  if (!cli_test_keyring_usable ())
    return;
  CLI_OK (f, "profile", "add", PROFILE);

  /* A token the service refuses: the test fails and nothing is kept. */
  wrong = cli_with_input (f, "not-the-token\n", (const char * const[]) { "target", "add", "app", f->scim_url, NULL });
  g_assert_cmpint (wrong->status, ==, 1);
  g_assert_nonnull (strstr (wrong->err, "Nothing was saved"));
  names = listed_names (f);
  g_assert_cmpstr (names, ==, "");
  g_assert_null (cli_test_keyring_lookup_target (PROFILE, "app"));

  /* No token at all is a usage error. */
  no_token = cli_with_input (f, "", (const char * const[]) { "target", "add", "app", f->scim_url, NULL });
  g_assert_cmpint (no_token->status, ==, 2);

  add = cli_with_input (f, input, (const char * const[]) { "target", "add", "app", f->scim_url, NULL });
  g_assert_cmpint (add->status, ==, 0);
  g_assert_nonnull (strstr (add->err, "Added SCIM target"));
  stored = cli_test_keyring_lookup_target (PROFILE, "app");
  g_assert_cmpstr (stored, ==, token);

  /* the token is in the keyring and nowhere else */
  ini = read_targets_ini (f);
  g_assert_nonnull (strstr (ini, "[target " PROFILE "/app]"));
  g_assert_null (strstr (ini, token));
  g_assert_null (strstr (add->out, token));
  g_assert_null (strstr (add->err, token));
  ini_path = g_build_filename (f->dir, "targets.ini", NULL);
  g_assert_cmpint (g_stat (ini_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  again = cli_with_input (f, input, (const char * const[]) { "target", "add", "app", f->scim_url, NULL });
  g_assert_cmpint (again->status, ==, 2);

  list = CLI (f, "target", "list");
  g_assert_cmpint (list->status, ==, 0);
  g_assert_nonnull (strstr (list->out, "app"));
  g_assert_nonnull (strstr (list->out, "SCIM"));

  /* roles a SCIM service offers live with the target */
  role_add = CLI (f, "target", "roles", "app", "add", "Editor");
  g_assert_cmpint (role_add->status, ==, 0);
  role_add2 = CLI (f, "target", "roles", "app", "add", "Approver");
  g_assert_cmpint (role_add2->status, ==, 0);
  {
    g_autoptr(Run) listed = CLI (f, "target", "list");
    g_assert_nonnull (strstr (listed->out, "Approver, Editor"));
  }
  role_remove = CLI (f, "target", "roles", "app", "remove", "Editor");
  g_assert_cmpint (role_remove->status, ==, 0);
  role_missing = CLI (f, "target", "roles", "app", "remove", "Editor");
  g_assert_cmpint (role_missing->status, ==, 2);
  roles = CLI (f, "target", "roles", "app", "list");
  g_assert_cmpint (roles->status, ==, 0);
  g_assert_cmpstr (roles->out, ==, "Approver\n");
  bad = CLI (f, "target", "roles", "nothing", "list");
  g_assert_cmpint (bad->status, ==, 2);

  remove = CLI (f, "target", "remove", "app");
  g_assert_cmpint (remove->status, ==, 0);
  gone = cli_test_keyring_lookup_target (PROFILE, "app");
  g_assert_null (gone);
  g_free (names);
  names = listed_names (f);
  g_assert_cmpstr (names, ==, "");
}

static char *
query_roles (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *roles = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM roles ORDER BY name", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (roles, "%s;", (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (roles, FALSE);
}

static void
test_sqlite (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "people.db", NULL);
  g_autofree char *uri = g_strconcat ("sqlite:", path, NULL);
  g_autofree char *not_a_store = g_build_filename (f->dir, "notes.txt", NULL);
  g_autofree char *bad_uri = g_strconcat ("sqlite:", not_a_store, NULL);
  g_autofree char *roles = NULL, *after = NULL, *names = NULL, *ini = NULL;
  g_autoptr(Run) add = NULL, role_add = NULL, role_add2 = NULL, list = NULL, role_remove = NULL;
  g_autoptr(Run) bad_name = NULL, bad_kind = NULL, plain_http = NULL, bad_file = NULL, remove = NULL;
  g_autoptr(Run) missing = NULL, other = NULL, profile_remove = NULL;

  CLI_OK (f, "profile", "add", PROFILE);

  add = CLI (f, "target", "add", "people", uri);
  g_assert_cmpint (add->status, ==, 0);
  /* the store exists as soon as the target does */
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  role_add = CLI (f, "target", "roles", "people", "add", "Editor");
  g_assert_cmpint (role_add->status, ==, 0);
  role_add2 = CLI (f, "target", "roles", "people", "add", "Viewer");
  g_assert_cmpint (role_add2->status, ==, 0);
  /* in the store's own roles table, where other programs read them */
  roles = query_roles (path);
  g_assert_cmpstr (roles, ==, "Editor;Viewer;");
  list = CLI (f, "--json", "target", "roles", "people", "list");
  g_assert_cmpint (list->status, ==, 0);
  g_assert_nonnull (strstr (list->out, "\"Editor\""));
  g_assert_nonnull (strstr (list->out, "\"Viewer\""));
  role_remove = CLI (f, "target", "roles", "people", "remove", "Editor");
  g_assert_cmpint (role_remove->status, ==, 0);
  after = query_roles (path);
  g_assert_cmpstr (after, ==, "Viewer;");
  /* roles of a SQLite store are not copied into targets.ini */
  ini = read_targets_ini (f);
  g_assert_null (strstr (ini, "roles="));

  bad_name = CLI (f, "target", "add", "two words", uri);
  g_assert_cmpint (bad_name->status, ==, 2);
  bad_kind = CLI (f, "target", "add", "ftp", "ftp://example.com");
  g_assert_cmpint (bad_kind->status, ==, 2);
  plain_http = cli_with_input (f, "token\n", (const char * const[]) { "target", "add", "remote",
                                                                     "scim:http://scim.example.com/v2", NULL });
  g_assert_cmpint (plain_http->status, ==, 2);
  g_assert_nonnull (strstr (plain_http->err, "https"));

  /* a file that is not a store is refused and left alone */
  g_assert_true (g_file_set_contents (not_a_store, "shopping list\n", -1, NULL));
  bad_file = CLI (f, "target", "add", "notes", bad_uri);
  g_assert_cmpint (bad_file->status, ==, 1);
  {
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (not_a_store, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "shopping list\n");
  }
  names = listed_names (f);
  g_assert_cmpstr (names, ==, "people");

  missing = CLI (f, "target", "remove", "nothing");
  g_assert_cmpint (missing->status, ==, 2);

  /* targets belong to their profile, and go with it (removing a profile clears its keyring items) */
  if (!cli_test_keyring_usable ())
    return;
  CLI_OK (f, "profile", "add", "other");
  other = CLI (f, "--profile", "other", "target", "add", "people", uri);
  g_assert_cmpint (other->status, ==, 0);
  profile_remove = CLI (f, "profile", "remove", PROFILE);
  g_assert_cmpint (profile_remove->status, ==, 0);
  g_free (ini);
  ini = read_targets_ini (f);
  g_assert_null (strstr (ini, "[target " PROFILE "/"));
  g_assert_nonnull (strstr (ini, "[target other/people]"));

  /* removing a target leaves the admin's file where it is */
  remove = CLI (f, "--profile", "other", "target", "remove", "people");
  g_assert_cmpint (remove->status, ==, 0);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

static void
test_profile_remove_clears_tokens (Fixture       *f,
                                   gconstpointer  data)
{
  const char *token = muster_fake_tenant_get_scim_token (f->tenant);
  g_autofree char *input = g_strconcat (token, "\n", NULL);
  g_autofree char *before = NULL, *after = NULL, *ini = NULL;
  g_autoptr(Run) add = NULL, remove = NULL;

  if (!cli_test_keyring_usable ())
    return;
  CLI_OK (f, "profile", "add", PROFILE);
  add = cli_with_input (f, input, (const char * const[]) { "target", "add", "app", f->scim_url, "--no-test", NULL });
  g_assert_cmpint (add->status, ==, 0);
  before = cli_test_keyring_lookup_target (PROFILE, "app");
  g_assert_cmpstr (before, ==, token);

  remove = CLI (f, "profile", "remove", PROFILE);
  g_assert_cmpint (remove->status, ==, 0);
  after = cli_test_keyring_lookup_target (PROFILE, "app");
  g_assert_null (after);
  ini = read_targets_ini (f);
  g_assert_null (strstr (ini, "app"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cli/target/scim", Fixture, NULL, fixture_set_up, test_scim, fixture_tear_down);
  g_test_add ("/cli/target/sqlite", Fixture, NULL, fixture_set_up, test_sqlite, fixture_tear_down);
  g_test_add ("/cli/target/profile-remove", Fixture, NULL, fixture_set_up, test_profile_remove_clears_tokens,
              fixture_tear_down);
  return g_test_run ();
}
