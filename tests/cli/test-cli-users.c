/* test-cli-users.c: muster-cli users and groups on a snapshot written straight into cache.db
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cli-test-util.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "muster-snapshot-store.h"

typedef struct
{
  MusterFakeTenant *tenant;      /* always NULL: these commands read cache.db only */
  char             *dir;
  gint64            snapshot_id;
} Fixture;


static void
put_user (MusterSnapshotWriter *writer,
          const char           *id,
          const char           *name,
          const char           *mail,
          const char           *user_type,
          gboolean              enabled,
          gboolean              licensed)
{
  g_autofree char *upn = g_strdup_printf ("%s@contoso.example", id);
  g_autofree char *json = g_strdup_printf (
    "{\"id\":\"%s\",\"displayName\":\"%s\",\"userPrincipalName\":\"%s\",%s%s%s"
    "\"userType\":\"%s\",\"accountEnabled\":%s,\"jobTitle\":\"Engineer\",\"assignedLicenses\":[%s]}",
    id, name, upn, mail ? "\"mail\":\"" : "", mail ? mail : "", mail ? "\"," : "", user_type,
    enabled ? "true" : "false", licensed ? "{\"skuId\":\"c7df2760-2c81-4ef7-b578-5b5392b571df\"}" : "");
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(MusterUser) user = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (node);
  user = muster_user_new_from_json (json_node_get_object (node));
  g_assert_true (muster_snapshot_writer_put_user (writer, user, &error));
  g_assert_no_error (error);
}

static void
put_group (MusterSnapshotWriter *writer,
           const char           *id,
           const char           *name,
           const char           *flags)
{
  g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"displayName\":\"%s\",%s}", id, name, flags);
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(MusterGroup) group = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (node);
  group = muster_group_new_from_json (json_node_get_object (node));
  g_assert_true (muster_snapshot_writer_put_group (writer, group, &error));
  g_assert_no_error (error);
}

static void
add_member (MusterSnapshotWriter *writer,
            const char           *group,
            const char           *member)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (muster_snapshot_writer_add_member (writer, group, member, &error));
  g_assert_no_error (error);
}

#define SECURITY "\"groupTypes\":[],\"mailEnabled\":false,\"securityEnabled\":true"
#define MAIL_SECURITY "\"groupTypes\":[],\"mailEnabled\":true,\"securityEnabled\":true"
#define DISTRIBUTION "\"groupTypes\":[],\"mailEnabled\":true,\"securityEnabled\":false"
#define UNIFIED "\"groupTypes\":[\"Unified\"],\"mailEnabled\":true,\"securityEnabled\":false"

/* The directory:
 *   Alice    member, enabled, licensed     in Staff (security)
 *   Bob      member, disabled              in Staff
 *   Carol    guest                         in All Company (Microsoft 365)
 *   Dave     member, enabled, licensed     in Engineering (security), which is in Staff
 *   Erin     member, enabled, unlicensed   in All Company, no mail
 *   Frank    member, enabled, licensed     in Newsletter (distribution)
 *   "=Mallory" member, enabled, licensed   in Admins (mail-enabled security) */
static gint64
write_snapshot (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "cache.db", NULL);
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  store = muster_snapshot_store_open (path, &error);
  g_assert_no_error (error);
  writer = muster_snapshot_store_begin (store, "work", "11111111-2222-3333-4444-555555555555", &error);
  g_assert_no_error (error);

  put_user (writer, "alice", "Alice Archer", "alice@contoso.example", "Member", TRUE, TRUE);
  put_user (writer, "bob", "Bob Baker", "bob@contoso.example", "Member", FALSE, TRUE);
  put_user (writer, "carol", "Carol Cooper", "carol@fabrikam.example", "Guest", TRUE, FALSE);
  put_user (writer, "dave", "Dave Dyer", "dave@contoso.example", "Member", TRUE, TRUE);
  put_user (writer, "erin", "Erin Evans", NULL, "Member", TRUE, FALSE);
  put_user (writer, "frank", "Frank Fisher", "frank@contoso.example", "Member", TRUE, TRUE);
  put_user (writer, "mallory", "=Mallory", "mallory@contoso.example", "Member", TRUE, TRUE);

  put_group (writer, "g-staff", "Staff", SECURITY);
  put_group (writer, "g-eng", "Engineering", SECURITY);
  put_group (writer, "g-all", "All Company", UNIFIED);
  put_group (writer, "g-news", "Newsletter", DISTRIBUTION);
  put_group (writer, "g-admins", "Admins", MAIL_SECURITY);

  add_member (writer, "g-staff", "alice");
  add_member (writer, "g-staff", "bob");
  add_member (writer, "g-staff", "g-eng");
  add_member (writer, "g-eng", "dave");
  add_member (writer, "g-all", "carol");
  add_member (writer, "g-all", "erin");
  add_member (writer, "g-news", "frank");
  add_member (writer, "g-admins", "mallory");

  id = muster_snapshot_writer_commit (writer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(Run) add = NULL;

  f->dir = g_dir_make_tmp ("muster-cli-users-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  add = CLI (f, "profile", "add", "work", "--tenant", "contoso.example");
  g_assert_cmpint (add->status, ==, 0);
  if (data == NULL)
    f->snapshot_id = write_snapshot (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* Display names in the first column of a CSV with no quoted newlines, in byte order (the
 * snapshot's collation is not this test's business). */
static char *
csv_names (const char *csv)
{
  g_auto(GStrv) lines = g_strsplit (csv, "\r\n", -1);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  g_assert_cmpstr (lines[0], !=, NULL);
  g_assert_true (g_str_has_prefix (lines[0], "Display name,Email,"));
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      char *comma = strchr (lines[i], ',');

      g_assert_nonnull (comma);
      *comma = '\0';
      g_ptr_array_add (names, lines[i]);
    }
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv ("|", (char **) names->pdata);
}

static void
test_no_snapshot (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Run) users = CLI (f, "users");
  g_autoptr(Run) groups = CLI (f, "groups", "--format", "json");

  g_assert_cmpint (users->status, ==, 1);
  g_assert_nonnull (strstr (users->err, "muster-cli fetch"));
  g_assert_cmpstr (users->out, ==, "");
  g_assert_cmpint (groups->status, ==, 1);
  g_assert_nonnull (strstr (groups->err, "muster-cli fetch"));
}

static void
test_exclusions_csv (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(Run) run = CLI (f, "users", "--exclude-guests", "--exclude-disabled", "--format", "csv");
  g_autoptr(Run) unlicensed = CLI (f, "users", "--exclude-unlicensed", "--format=csv");
  g_autoptr(Run) all = CLI (f, "users", "--format", "csv");
  g_autofree char *names = NULL;
  g_autofree char *unlicensed_names = NULL;
  g_autofree char *all_names = NULL;

  g_assert_cmpint (run->status, ==, 0);
  names = csv_names (run->out);
  g_assert_cmpstr (names, ==, "\"'=Mallory\"|Alice Archer|Dave Dyer|Erin Evans|Frank Fisher");
  /* The email per the default method (mail, else UPN), and the counts on stderr. */
  g_assert_nonnull (strstr (run->out, "\r\nAlice Archer,alice@contoso.example,alice@contoso.example,Engineer,"));
  g_assert_nonnull (strstr (run->out, "\r\nErin Evans,erin@contoso.example,erin@contoso.example,"));
  g_assert_nonnull (strstr (run->err, "5 of 7 users"));

  g_assert_cmpint (unlicensed->status, ==, 0);
  unlicensed_names = csv_names (unlicensed->out);
  g_assert_cmpstr (unlicensed_names, ==, "\"'=Mallory\"|Alice Archer|Bob Baker|Dave Dyer|Frank Fisher");

  g_assert_cmpint (all->status, ==, 0);
  all_names = csv_names (all->out);
  g_assert_cmpstr (all_names, ==, "\"'=Mallory\"|Alice Archer|Bob Baker|Carol Cooper|Dave Dyer|Erin Evans|Frank Fisher");
}

static void
test_groups_filter (Fixture       *f,
                    gconstpointer  data)
{
  struct {
    const char *args[6];
    const char *names;
  } cases[] = {
    { { "--group", "Staff" }, "Alice Archer|Bob Baker" },
    { { "--group", "Staff", "--nested" }, "Alice Archer|Bob Baker|Dave Dyer" },
    { { "--group", "g-eng" }, "Dave Dyer" },
    { { "--group=Newsletter", "--group", "g-eng" }, "Dave Dyer|Frank Fisher" },
    { { "--group-type", "microsoft365" }, "Carol Cooper|Erin Evans" },
    { { "--group-type", "distribution" }, "Frank Fisher" },
    { { "--group-type", "mail-security" }, "\"'=Mallory\"" },
    { { "--group-type", "security", "--exclude-disabled" }, "Alice Archer|Dave Dyer" },
    { { "--search", "dyer" }, "Dave Dyer" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autoptr(Run) run = NULL;
      g_autofree char *names = NULL;

      g_ptr_array_add (args, "users");
      g_ptr_array_add (args, "--format");
      g_ptr_array_add (args, "csv");
      for (guint k = 0; cases[i].args[k] != NULL; k++)
        g_ptr_array_add (args, (char *) cases[i].args[k]);
      g_ptr_array_add (args, NULL);

      run = cli_test_run (NULL, f->dir, NULL, (const char * const *) args->pdata);
      g_assert_cmpint (run->status, ==, 0);
      names = csv_names (run->out);
      g_assert_cmpstr (names, ==, cases[i].names);
    }
}

static void
test_bad_filters (Fixture       *f,
                  gconstpointer  data)
{
  const char *cases[][4] = {
    { "users", "--group", "Nobody", NULL },
    { "users", "--group-type", "unicorn", NULL },
    { "users", "--email-method", "fax", NULL },
    { "users", "--deny-file", "/nonexistent/deny.txt", NULL },
    { "users", "--format", "pdf", NULL },
    { "users", "--format", "xlsx", NULL },
    { "users", "--only-new", NULL, NULL },
    { "users", "--group", NULL, NULL },
    { "users", "--snapshot", "abc", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Run) run = cli_test_run (NULL, f->dir, NULL, cases[i]);

      g_assert_cmpint (run->status, ==, 2);
      g_assert_true (g_str_has_prefix (run->err, "muster-cli: "));
      g_assert_cmpstr (run->out, ==, "");
    }
}

static void
test_snapshot_option (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, f->snapshot_id);
  g_autoptr(Run) run = CLI (f, "users", "--snapshot", id, "--format", "json");
  g_autoptr(Run) missing = CLI (f, "users", "--snapshot", "999999");

  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (run->json);
  g_assert_cmpint (missing->status, ==, 1);
  g_assert_nonnull (strstr (missing->err, "999999"));
}

static void
test_json (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(Run) run = CLI (f, "users", "--exclude-guests", "--email-method", "upn", "--format", "json");
  g_autoptr(Run) global = CLI (f, "--json", "users", "--group", "Staff");
  JsonObject *root;
  JsonArray *users;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (run->json);
  root = json_node_get_object (run->json);
  g_assert_cmpint (json_object_get_int_member (root, "count"), ==, 6);
  g_assert_cmpstr (json_object_get_string_member (root, "tenant"), ==, "11111111-2222-3333-4444-555555555555");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "snapshot"), "id"), ==,
                   f->snapshot_id);
  /* The filter is stated in the file, in words. */
  g_assert_cmpstr (json_object_get_string_member (root, "filter"), !=, "");
  users = json_object_get_array_member (root, "users");
  g_assert_cmpuint (json_array_get_length (users), ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      JsonObject *user = json_array_get_object_element (users, i);
      const char *id = json_object_get_string_member (user, "id");

      g_assert_cmpstr (id, !=, "carol");
      if (g_str_equal (id, "mallory"))
        g_assert_cmpstr (json_object_get_string_member (user, "displayName"), ==, "=Mallory");  /* no prefix in JSON */
      if (g_str_equal (id, "frank"))
        {
          g_assert_cmpstr (json_object_get_string_member (user, "email"), ==, "frank@contoso.example");
          g_assert_cmpstr (json_object_get_string_member (user, "accountState"), ==, "enabled");
        }
      if (g_str_equal (id, "bob"))
        g_assert_cmpstr (json_object_get_string_member (user, "accountState"), ==, "disabled");
    }

  /* --json alone means JSON output. */
  g_assert_cmpint (global->status, ==, 0);
  g_assert_nonnull (global->json);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (global->json), "count"), ==, 2);
}

static void
test_xlsx_output (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "file.xlsx", NULL);
  g_autofree char *csv_path = g_build_filename (f->dir, "out.csv", NULL);
  g_autoptr(Run) run = CLI (f, "users", "--exclude-guests", "--format", "xlsx", "--output", path);
  g_autoptr(Run) csv = CLI (f, "users", "--format", "csv", "--bom", "--output", csv_path);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (length > 4 && memcmp (contents, "PK\x03\x04", 4) == 0);
  g_free (g_steal_pointer (&contents));

  g_assert_cmpint (csv->status, ==, 0);
  g_assert_true (g_file_get_contents (csv_path, &contents, &length, NULL));
  g_assert_true (g_str_has_prefix (contents, "\xEF\xBB\xBF" "Display name,"));
}

static void
test_table (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(Run) run = CLI (f, "users", "--exclude-disabled");
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (run->status, ==, 0);
  lines = g_strsplit (run->out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 6 + 1);
  g_assert_true (g_str_has_prefix (lines[0], "Display name"));
  /* Aligned: the email column starts at the same place on every line. */
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      const char *header_email = strstr (lines[0], "Email");
      const char *row_email = strstr (lines[i], "@");

      g_assert_nonnull (row_email);
      while (row_email > lines[i] && row_email[-1] != ' ')
        row_email--;
      g_assert_cmpint (header_email - lines[0], ==, row_email - lines[i]);
    }
  g_assert_nonnull (strstr (run->err, "6 of 7 users"));
}

static void
test_groups_command (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(Run) table = CLI (f, "groups");
  g_autoptr(Run) json = CLI (f, "groups", "--format", "json");
  g_autoptr(Run) csv = CLI (f, "groups", "--format", "csv", "--group-type", "security");
  JsonArray *groups;
  gboolean seen_staff = FALSE;

  g_assert_cmpint (table->status, ==, 0);
  g_assert_nonnull (strstr (table->out, "Staff"));
  g_assert_nonnull (strstr (table->out, "Newsletter"));
  g_assert_nonnull (strstr (table->err, "5 groups"));

  g_assert_cmpint (json->status, ==, 0);
  g_assert_nonnull (json->json);
  groups = json_object_get_array_member (json_node_get_object (json->json), "groups");
  g_assert_cmpuint (json_array_get_length (groups), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      JsonObject *group = json_array_get_object_element (groups, i);
      const char *name = json_object_get_string_member (group, "displayName");

      if (g_str_equal (name, "Staff"))
        {
          seen_staff = TRUE;
          g_assert_cmpstr (json_object_get_string_member (group, "kind"), ==, "security");
          g_assert_cmpint (json_object_get_int_member (group, "memberCount"), ==, 2);
          g_assert_cmpint (json_object_get_int_member (group, "transitiveMemberCount"), ==, 3);
        }
      else if (g_str_equal (name, "All Company"))
        g_assert_cmpstr (json_object_get_string_member (group, "kind"), ==, "microsoft365");
      else if (g_str_equal (name, "Newsletter"))
        g_assert_cmpstr (json_object_get_string_member (group, "kind"), ==, "distribution");
      else if (g_str_equal (name, "Admins"))
        g_assert_cmpstr (json_object_get_string_member (group, "kind"), ==, "mail-security");
    }
  g_assert_true (seen_staff);

  g_assert_cmpint (csv->status, ==, 0);
  g_assert_nonnull (strstr (csv->out, "\r\nEngineering,"));
  g_assert_nonnull (strstr (csv->out, "\r\nStaff,"));
  g_assert_null (strstr (csv->out, "Newsletter"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("MUSTER_CLI"));

  g_test_add ("/cli/users/no-snapshot", Fixture, "empty", fixture_set_up, test_no_snapshot, fixture_tear_down);
  g_test_add ("/cli/users/exclusions-csv", Fixture, NULL, fixture_set_up, test_exclusions_csv, fixture_tear_down);
  g_test_add ("/cli/users/groups", Fixture, NULL, fixture_set_up, test_groups_filter, fixture_tear_down);
  g_test_add ("/cli/users/bad-filters", Fixture, NULL, fixture_set_up, test_bad_filters, fixture_tear_down);
  g_test_add ("/cli/users/snapshot-option", Fixture, NULL, fixture_set_up, test_snapshot_option, fixture_tear_down);
  g_test_add ("/cli/users/json", Fixture, NULL, fixture_set_up, test_json, fixture_tear_down);
  g_test_add ("/cli/users/xlsx", Fixture, NULL, fixture_set_up, test_xlsx_output, fixture_tear_down);
  g_test_add ("/cli/users/table", Fixture, NULL, fixture_set_up, test_table, fixture_tear_down);
  g_test_add ("/cli/groups", Fixture, NULL, fixture_set_up, test_groups_command, fixture_tear_down);

  return g_test_run ();
}
