/* test-cli-changes.c: muster-cli changes on two snapshots made around a directory change
 * through the fake's control API — a joiner, a leaver, a changed field and a new group member
 * are listed, exactly, in every format
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "cli-test-util.h"
#include "fake-test-util.h"
#include "muster-fake-directory.h"

#define JSON "application/json"

typedef struct
{
  MusterFakeTenant *tenant;
  char             *dir;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->tenant = fake_test_start_tenant (NULL);
  f->dir = g_dir_make_tmp ("muster-cli-changes-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  cli_test_keyring_clear ("changes-cli");
  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
  g_clear_object (&f->tenant);
}

/* The control API has no group listing; the directory is generated from the tenant's seed. */
static char *
find_group (const char *name)
{
  MusterFakeDirectory *dir = muster_fake_directory_new_demo (42);
  char *id = NULL;

  for (guint i = 0; i < dir->groups->len && id == NULL; i++)
    {
      MusterFakeGroup *group = dir->groups->pdata[i];

      if (g_str_equal (group->display_name, name))
        id = g_strdup (group->id);
    }
  muster_fake_directory_free (dir);
  g_assert_nonnull (id);
  return id;
}

static JsonObject *
find_user (JsonArray  *users,
           const char *id)
{
  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonObject *user = json_array_get_object_element (users, i);

      if (g_strcmp0 (json_object_get_string_member (user, "id"), id) == 0)
        return user;
    }
  return NULL;
}

static void
test_changes (Fixture *f, gconstpointer data)
{
  g_autoptr(Run) add = NULL, login = NULL, only_one = NULL, first = NULL, second = NULL;
  g_autoptr(Run) json = NULL, table = NULL, csv = NULL, by_number = NULL, by_date = NULL, too_old = NULL, bad = NULL;
  g_autoptr(FakeResponse) state = NULL, created = NULL, patched = NULL, deleted = NULL, joined_group = NULL;
  g_autofree char *admin_id = NULL, *joiner_id = NULL, *leaver_id = NULL, *vpn = find_group ("VPN Users");
  g_autofree char *path = NULL, *members = NULL, *body = NULL, *old_title = NULL;
  JsonObject *root, *totals, *admin, *joiner, *leaver;
  JsonArray *users, *memberships;
  gboolean found_membership = FALSE;

  if (!cli_test_keyring_usable ())
    return;
  add = CLI (f, "profile", "add", "changes-cli");
  g_assert_cmpint (add->status, ==, 0);
  login = CLI (f, "login");
  g_assert_cmpint (login->status, ==, 0);
  first = CLI (f, "fetch", "--json");
  g_assert_cmpint (first->status, ==, 0);

  /* one snapshot: nothing to compare with, said so */
  only_one = CLI (f, "changes");
  g_assert_cmpint (only_one->status, ==, 1);
  g_assert_nonnull (strstr (only_one->err, "only one snapshot"));

  /* the tenant changes: one joins (and a group), one leaves, the admin gets a new title */
  state = fake_test_request (f->tenant, "GET", "/_fake/state", NULL, NULL, NULL);
  admin_id = g_strdup (json_object_get_string_member (json_node_get_object (state->json), "adminId"));
  created = fake_test_request (f->tenant, "POST", "/_fake/users", NULL, JSON,
                               "{\"displayName\":\"Rowan Ashby\",\"userPrincipalName\":\"rowan.ashby@larkfield-instruments.example\","
                               "\"jobTitle\":\"Buyer\",\"department\":\"Operations\",\"accountEnabled\":true,"
                               "\"mailNickname\":\"rowan.ashby\",\"passwordProfile\":{\"password\":\"x\"}}");
  g_assert_cmpuint (created->status, ==, 201);
  joiner_id = g_strdup (json_object_get_string_member (json_node_get_object (created->json), "id"));
  members = g_strconcat ("/_fake/groups/", vpn, "/members", NULL);
  body = g_strdup_printf ("{\"id\":\"%s\"}", joiner_id);
  joined_group = fake_test_request (f->tenant, "POST", members, NULL, JSON, body);
  g_assert_cmpuint (joined_group->status, ==, 204);
  path = g_strdup_printf ("/_fake/users/%s", admin_id);
  {
    g_autoptr(FakeResponse) before = fake_test_request (f->tenant, "GET", path, NULL, NULL, NULL);

    old_title = g_strdup (json_object_get_string_member_with_default (json_node_get_object (before->json), "jobTitle", ""));
  }
  patched = fake_test_request (f->tenant, "PATCH", path, NULL, JSON, "{\"jobTitle\":\"Chief Changer\"}");
  g_assert_cmpuint (patched->status, ==, 204);
  /* the leaver: someone with no reports, so nobody else's manager changes */
  {
    MusterFakeDirectory *dir = muster_fake_directory_new_demo (42);

    for (guint i = dir->users->len; i-- > 0 && leaver_id == NULL;)
      {
        MusterFakeUser *user = dir->users->pdata[i];
        gboolean manages = FALSE;

        for (guint j = 0; j < dir->users->len && !manages; j++)
          manages = g_strcmp0 (((MusterFakeUser *) dir->users->pdata[j])->manager_id, user->id) == 0;
        if (!manages && g_strcmp0 (user->id, admin_id) != 0)
          leaver_id = g_strdup (user->id);
      }
    muster_fake_directory_free (dir);
  }
  g_free (path);
  path = g_strdup_printf ("/_fake/users/%s", leaver_id);
  deleted = fake_test_request (f->tenant, "DELETE", path, NULL, NULL, NULL);
  g_assert_cmpuint (deleted->status, ==, 204);

  second = CLI (f, "fetch", "--json");
  g_assert_cmpint (second->status, ==, 0);

  /* JSON: exactly what changed */
  json = CLI (f, "changes", "--format", "json");
  g_assert_cmpint (json->status, ==, 0);
  g_assert_nonnull (json->json);
  root = json_node_get_object (json->json);
  totals = json_object_get_object_member (root, "totals");
  g_assert_cmpint (json_object_get_int_member (totals, "joined"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (totals, "left"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (totals, "changed"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (totals, "membersAdded"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "after"), "id"), ==,
                   json_object_get_int_member (json_node_get_object (second->json), "snapshotId"));
  users = json_object_get_array_member (root, "users");
  g_assert_cmpuint (json_array_get_length (users), ==, 3);
  joiner = find_user (users, joiner_id);
  g_assert_nonnull (joiner);
  g_assert_cmpstr (json_object_get_string_member (joiner, "change"), ==, "joined");
  g_assert_cmpstr (json_object_get_string_member (joiner, "displayName"), ==, "Rowan Ashby");
  leaver = find_user (users, leaver_id);
  g_assert_nonnull (leaver);
  g_assert_cmpstr (json_object_get_string_member (leaver, "change"), ==, "left");
  admin = find_user (users, admin_id);
  g_assert_nonnull (admin);
  g_assert_cmpstr (json_object_get_string_member (admin, "change"), ==, "changed");
  {
    JsonArray *fields = json_object_get_array_member (admin, "fields");
    JsonObject *field;

    g_assert_cmpuint (json_array_get_length (fields), ==, 1);
    field = json_array_get_object_element (fields, 0);
    g_assert_cmpstr (json_object_get_string_member (field, "field"), ==, "jobTitle");
    if (*old_title != '\0')
      g_assert_cmpstr (json_object_get_string_member (field, "before"), ==, old_title);
    g_assert_cmpstr (json_object_get_string_member (field, "after"), ==, "Chief Changer");
  }
  memberships = json_object_get_array_member (root, "memberships");
  for (guint i = 0; i < json_array_get_length (memberships); i++)
    {
      JsonObject *m = json_array_get_object_element (memberships, i);

      /* (a dynamic group such as All Company may take the joiner in as well) */
      if (g_strcmp0 (json_object_get_string_member (m, "userId"), joiner_id) == 0)
        g_assert_cmpstr (json_object_get_string_member (m, "change"), ==, "added");
      if (g_strcmp0 (json_object_get_string_member (m, "userId"), joiner_id) == 0 &&
          g_strcmp0 (json_object_get_string_member (m, "group"), "VPN Users") == 0)
        found_membership = TRUE;
      /* the leaver left their groups with them */
      if (g_strcmp0 (json_object_get_string_member (m, "userId"), leaver_id) == 0)
        g_assert_cmpstr (json_object_get_string_member (m, "change"), ==, "removed");
    }
  g_assert_true (found_membership);

  /* the table says it in words */
  table = CLI (f, "changes");
  g_assert_cmpint (table->status, ==, 0);
  g_assert_nonnull (strstr (table->out, "1 joined, 1 left, 1 changed"));
  g_assert_nonnull (strstr (table->out, "Chief Changer"));
  g_assert_nonnull (strstr (table->out, "Rowan Ashby"));

  /* CSV: one row per change */
  csv = CLI (f, "changes", "--format", "csv");
  g_assert_cmpint (csv->status, ==, 0);
  g_assert_true (g_str_has_prefix (csv->out, "Change,Name,User principal name,Field or group,Before,After\r\n"));
  g_assert_nonnull (strstr (csv->out, "Joined,Rowan Ashby,rowan.ashby@larkfield-instruments.example,,,\r\n"));
  g_assert_nonnull (strstr (csv->out, ",Job title,"));
  g_assert_nonnull (strstr (csv->out, "Added to group,Rowan Ashby,,VPN Users,,\r\n"));

  /* --since: the first snapshot by number, and by a date after it; none that old */
  by_number = CLI (f, "changes", "--since", "1", "--format", "json");
  g_assert_cmpint (by_number->status, ==, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_node_get_object (by_number->json),
                                                                              "totals"), "joined"), ==, 1);
  by_date = CLI (f, "changes", "--since", "2999-01-01", "--format", "json");
  g_assert_cmpint (by_date->status, ==, 0);
  /* the newest made by then is the latest itself: nothing changed */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_node_get_object (by_date->json),
                                                                              "totals"), "joined"), ==, 0);
  too_old = CLI (f, "changes", "--since", "2000-01-01");
  g_assert_cmpint (too_old->status, ==, 1);
  g_assert_nonnull (strstr (too_old->err, "No snapshot is as old as 2000-01-01"));
  bad = CLI (f, "changes", "--since", "last tuesday");
  g_assert_cmpint (bad->status, ==, 2);

#if HAVE_XLSXWRITER
  {
    g_autofree char *xlsx = g_build_filename (f->dir, "changes.xlsx", NULL);
    g_autoptr(Run) workbook = CLI (f, "changes", "--format", "xlsx", "--output", xlsx);
    g_autofree char *bytes = NULL;
    gsize length = 0;

    g_assert_cmpint (workbook->status, ==, 0);
    g_assert_true (g_file_get_contents (xlsx, &bytes, &length, NULL));
    g_assert_cmpuint (length, >, 4);
    g_assert_true (memcmp (bytes, "PK\x03\x04", 4) == 0);  /* a zip, as XLSX is */
  }
#endif
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cli/changes/report", Fixture, NULL, fixture_set_up, test_changes, fixture_tear_down);
  return g_test_run ();
}
