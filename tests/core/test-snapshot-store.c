/* test-snapshot-store.c: snapshots written to and read from real cache.db files
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "core-test-util.h"
#include "muster-enums.h"
#include "muster-snapshot-private.h"
#include "muster-snapshot-store.h"
#include "muster-tenant-status.h"

#define E3_SKU "05e9a617-0261-4cee-bb44-138d3ef5d965"

typedef struct
{
  char                *dir;
  char                *path;
  MusterSnapshotStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("muster-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "cache.db", NULL);
  fixture->store = muster_snapshot_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&fixture->store);
  dir = g_dir_open (fixture->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (fixture->dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static MusterUser *
user_from_json (const char *json)
{
  g_autoptr(JsonObject) object = parse_object (json);

  return muster_user_new_from_json (object);
}

static MusterGroup *
group_from_json (const char *json)
{
  g_autoptr(JsonObject) object = parse_object (json);

  return muster_group_new_from_json (object);
}

static MusterUser *
simple_user (const char *id,
             const char *name)
{
  g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"displayName\":\"%s\",\"userPrincipalName\":\"%s@contoso.com\","
                                           "\"accountEnabled\":true,\"userType\":\"Member\"}", id, name, id);
  return user_from_json (json);
}

static void
put_simple_user (MusterSnapshotWriter *writer,
                 const char           *id,
                 const char           *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterUser) user = simple_user (id, name);

  g_assert_true (muster_snapshot_writer_put_user (writer, user, &error));
  g_assert_no_error (error);
}

static void
put_group (MusterSnapshotWriter *writer,
           const char           *id,
           const char           *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"displayName\":\"%s\",\"groupTypes\":[],"
                                           "\"mailEnabled\":false,\"securityEnabled\":true}", id, name);
  g_autoptr(MusterGroup) group = group_from_json (json);

  g_assert_true (muster_snapshot_writer_put_group (writer, group, &error));
  g_assert_no_error (error);
}

static void
add_member (MusterSnapshotWriter *writer,
            const char           *group_id,
            const char           *member_id)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (muster_snapshot_writer_add_member (writer, group_id, member_id, &error));
  g_assert_no_error (error);
}

static gint64
commit (MusterSnapshotWriter *writer)
{
  g_autoptr(GError) error = NULL;
  gint64 id = muster_snapshot_writer_commit (writer, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static MusterSnapshot *
load (MusterSnapshotStore *store,
      gint64               id)
{
  g_autoptr(GError) error = NULL;
  MusterSnapshot *snapshot = muster_snapshot_store_load (store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (snapshot);
  return snapshot;
}

/* Display names of a GPtrArray of users or groups, joined with "," for one assertion. */
static char *
names_of (GPtrArray *objects)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < objects->len; i++)
    {
      g_autofree char *name = NULL;

      g_object_get (objects->pdata[i], "display-name", &name, NULL);
      if (i > 0)
        g_string_append_c (names, ',');
      g_string_append (names, name);
    }
  return g_strdup (names->str);
}

/* The hostile user: every kind of string a spreadsheet or terminal would misread. */
static const char hostile_json[] =
  "{\"id\":\"1a2b-hostile\","
  " \"displayName\":\"=HYPERLINK(\\\"http://evil\\\",\\\"click\\\")\","
  " \"givenName\":\"\\u202eevil\\u202c RTL \\u05e9\\u05dc\\u05d5\\u05dd\","
  " \"surname\":\"O'Brien \\\"the\\\" \\\\ back\","
  " \"userPrincipalName\":\"hostile@contoso.com\","
  " \"mail\":\"Hostile@Contoso.com\","
  " \"otherMails\":[\"+cmd@x.org\",\"line\\nbreak@x.org\",\"tab\\t@x.org\",\"\"],"
  " \"proxyAddresses\":[\"SMTP:Hostile@Contoso.com\",\"smtp:h@contoso.net\"],"
  " \"jobTitle\":\"-2+3\\r\\nSUM(A1)\","
  " \"department\":\"@Dept\\u0001\\u001f\","
  " \"companyName\":\"Contoso \\ud83d\\ude00 Ltd\","
  " \"employeeId\":\"00042\","
  " \"officeLocation\":null,"
  " \"businessPhones\":[\"+1 555 0100\",\"=1+1\"],"
  " \"mobilePhone\":\"+44 7700 900000\","
  " \"accountEnabled\":false,"
  " \"userType\":\"Member\","
  " \"assignedLicenses\":[{\"disabledPlans\":[],\"skuId\":\"" E3_SKU "\"},{\"skuId\":\"ffffffff-unknown\"}],"
  " \"createdDateTime\":\"2023-04-05T06:07:08Z\","
  " \"onPremisesSyncEnabled\":true,"
  " \"manager\":{\"id\":\"boss\",\"displayName\":\"The Boss\"}}";

static void
assert_strv (const char * const *actual,
             const char * const *expected)
{
  g_assert_nonnull (actual);
  g_assert_cmpuint (g_strv_length ((char **) actual), ==, g_strv_length ((char **) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_cmpstr (actual[i], ==, expected[i]);
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(MusterUser) hostile = user_from_json (hostile_json);
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(MusterSnapshotInfo) latest = NULL;
  g_autoptr(MusterGroup) m365 = NULL;
  g_autofree char *expected_licences = NULL;
  MusterSku e3 = { (char *) E3_SKU, (char *) "SPE_E3", NULL, 40, 50 };
  const MusterSnapshotInfo *info;
  MusterUser *user;
  MusterGroup *group;
  const char *e3_title;
  static const char * const other_mails[] = { "+cmd@x.org", "line\nbreak@x.org", "tab\t@x.org", "", NULL };
  static const char * const proxies[] = { "SMTP:Hostile@Contoso.com", "smtp:h@contoso.net", NULL };
  static const char * const phones[] = { "+1 555 0100", "=1+1", NULL };
  static const char * const licences[] = { E3_SKU, "ffffffff-unknown", NULL };
  static const char * const m365_types[] = { "Unified", "DynamicMembership", NULL };

  writer = muster_snapshot_store_begin (fixture->store, "contoso", "tenant-guid", &error);
  g_assert_no_error (error);
  g_assert_true (muster_snapshot_writer_put_user (writer, hostile, &error));
  g_assert_no_error (error);
  put_simple_user (writer, "boss", "The Boss");
  m365 = group_from_json ("{\"id\":\"g-m365\",\"displayName\":\"Marketing \\\"all\\\"\",\"description\":\"=cmd\\n2\","
                          "\"mail\":\"marketing@contoso.com\",\"groupTypes\":[\"Unified\",\"DynamicMembership\"],"
                          "\"mailEnabled\":true,\"securityEnabled\":false,\"membershipRule\":\"user.department -eq \\\"Marketing\\\"\"}");
  g_assert_true (muster_snapshot_writer_put_group (writer, m365, &error));
  g_assert_no_error (error);
  add_member (writer, "g-m365", "1a2b-hostile");
  add_member (writer, "g-m365", "1a2b-hostile");          /* idempotent */
  add_member (writer, "g-m365", "device-not-a-user");     /* stored, ignored in memory */
  g_assert_true (muster_snapshot_writer_put_sku (writer, &e3, &error));
  g_assert_no_error (error);
  g_assert_true (muster_snapshot_writer_set_delta_link (writer, "users", "http://127.0.0.1/v1.0/users/delta?$deltatoken=abc", &error));
  g_assert_no_error (error);
  commit (writer);

  list = muster_snapshot_store_list (fixture->store, "contoso", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  latest = muster_snapshot_store_get_latest (fixture->store, "contoso", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (latest->n_users, ==, 2);
  g_assert_cmpuint (latest->n_groups, ==, 1);
  g_assert_false (latest->from_delta);
  g_assert_null (muster_snapshot_store_get_latest (fixture->store, "fabrikam", &error));
  g_assert_no_error (error);

  snapshot = load (fixture->store, latest->id);
  info = muster_snapshot_get_info (snapshot);
  g_assert_cmpstr (info->profile, ==, "contoso");
  g_assert_cmpstr (info->tenant_id, ==, "tenant-guid");
  g_assert_cmpuint (g_list_model_get_n_items (muster_snapshot_get_users (snapshot)), ==, 2);

  user = muster_snapshot_lookup_user (snapshot, "1a2b-hostile");
  g_assert_nonnull (user);
  g_assert_cmpstr (muster_user_get_display_name (user), ==, "=HYPERLINK(\"http://evil\",\"click\")");
  g_assert_cmpstr (muster_user_get_given_name (user), ==, "\u202eevil\u202c RTL \u05e9\u05dc\u05d5\u05dd");
  g_assert_cmpstr (muster_user_get_surname (user), ==, "O'Brien \"the\" \\ back");
  g_assert_cmpstr (muster_user_get_user_principal_name (user), ==, "hostile@contoso.com");
  g_assert_cmpstr (muster_user_get_mail (user), ==, "Hostile@Contoso.com");
  assert_strv (muster_user_get_other_mails (user), other_mails);
  assert_strv (muster_user_get_proxy_addresses (user), proxies);
  g_assert_cmpstr (muster_user_get_job_title (user), ==, "-2+3\r\nSUM(A1)");
  g_assert_cmpstr (muster_user_get_department (user), ==, "@Dept\001\037");
  g_assert_cmpstr (muster_user_get_company_name (user), ==, "Contoso \U0001F600 Ltd");
  g_assert_cmpstr (muster_user_get_employee_id (user), ==, "00042");
  g_assert_null (muster_user_get_office_location (user));
  assert_strv (muster_user_get_business_phones (user), phones);
  g_assert_cmpstr (muster_user_get_mobile_phone (user), ==, "+44 7700 900000");
  g_assert_false (muster_user_get_account_enabled (user));
  g_assert_cmpint (muster_user_get_state (user), ==, MUSTER_ACCOUNT_STATE_DISABLED);
  g_assert_cmpstr (muster_user_get_user_type (user), ==, "Member");
  assert_strv (muster_user_get_assigned_licenses (user), licences);
  g_assert_cmpstr (muster_user_get_created (user), ==, "2023-04-05T06:07:08Z");
  g_assert_true (muster_user_get_on_premises_sync_enabled (user));
  g_assert_cmpstr (muster_user_get_manager_id (user), ==, "boss");
  g_assert_cmpstr (muster_user_get_manager_name (user), ==, "The Boss");

  /* Licence names: the friendly name of a known SKU, the id of one the snapshot lacks. */
  e3_title = muster_licence_get_friendly_name ("SPE_E3");
  expected_licences = g_strdup_printf ("%s; ffffffff-unknown", e3_title != NULL ? e3_title : "SPE_E3");
  g_assert_cmpstr (muster_user_get_licence_names (user), ==, expected_licences);
  g_assert_cmpuint (muster_snapshot_get_skus (snapshot)->len, ==, 1);
  g_assert_cmpint (((MusterSku *) muster_snapshot_get_skus (snapshot)->pdata[0])->consumed, ==, 40);

  group = muster_snapshot_lookup_group (snapshot, "Marketing \"all\"");
  g_assert_nonnull (group);
  g_assert_true (group == muster_snapshot_lookup_group (snapshot, "g-m365"));
  g_assert_cmpstr (muster_group_get_description (group), ==, "=cmd\n2");
  g_assert_cmpint (muster_group_get_kind (group), ==, MUSTER_GROUP_KIND_MICROSOFT365);
  g_assert_true (muster_group_get_dynamic (group));
  assert_strv (muster_group_get_group_types (group), m365_types);
  g_assert_cmpstr (muster_group_get_membership_rule (group), ==, "user.department -eq \"Marketing\"");
  g_assert_cmpuint (muster_group_get_member_count (group), ==, 1);
  g_assert_true (muster_snapshot_user_in_group (snapshot, "1a2b-hostile", "g-m365", FALSE));
  g_assert_false (muster_snapshot_user_in_group (snapshot, "boss", "g-m365", TRUE));

  g_assert_cmpstr (muster_snapshot_get_delta_link (snapshot, "users"), ==,
                   "http://127.0.0.1/v1.0/users/delta?$deltatoken=abc");
  g_assert_null (muster_snapshot_get_delta_link (snapshot, "groups"));
}

static int
count_users (MusterSnapshotStore *store,
             const char          *profile)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotInfo) latest = muster_snapshot_store_get_latest (store, profile, &error);
  g_autoptr(MusterSnapshot) snapshot = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (latest);
  snapshot = load (store, latest->id);
  return g_list_model_get_n_items (muster_snapshot_get_users (snapshot));
}

static void
test_abandoned_writer (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) first = NULL;
  g_autoptr(MusterSnapshotWriter) aborted = NULL;
  g_autoptr(MusterSnapshotStore) other = NULL;
  g_autoptr(GPtrArray) list = NULL;
  MusterSnapshotWriter *dropped;
  gint64 kept_id;

  first = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
  g_assert_no_error (error);
  put_simple_user (first, "u1", "Ann");
  put_simple_user (first, "u2", "Bob");
  kept_id = commit (first);

  /* A refresh that fails midway: users written, then the writer is dropped. While it is open,
   * another connection still sees only the committed snapshot. */
  dropped = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
  g_assert_no_error (error);
  put_simple_user (dropped, "u3", "Cem");
  put_simple_user (dropped, "u1", "Ann Renamed");
  other = muster_snapshot_store_open (fixture->path, &error);
  g_assert_no_error (error);
  list = muster_snapshot_store_list (other, "contoso", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (count_users (other, "contoso"), ==, 2);
  muster_snapshot_writer_free (dropped);

  /* A cancelled refresh: aborted explicitly; the writer refuses more work. */
  aborted = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
  g_assert_no_error (error);
  put_simple_user (aborted, "u4", "Dee");
  muster_snapshot_writer_abort (aborted);
  {
    g_autoptr(MusterUser) late = simple_user ("u5", "Eve");

    g_assert_false (muster_snapshot_writer_put_user (aborted, late, &error));
    g_assert_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_FAILED);
    g_clear_error (&error);
    g_assert_cmpint (muster_snapshot_writer_commit (aborted, &error), ==, 0);
    g_assert_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_FAILED);
    g_clear_error (&error);
  }

  {
    g_autoptr(MusterSnapshotInfo) latest = muster_snapshot_store_get_latest (fixture->store, "contoso", &error);
    g_autoptr(MusterSnapshot) snapshot = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (latest->id, ==, kept_id);
    snapshot = load (fixture->store, kept_id);
    g_assert_cmpuint (g_list_model_get_n_items (muster_snapshot_get_users (snapshot)), ==, 2);
    g_assert_cmpstr (muster_user_get_display_name (muster_snapshot_lookup_user (snapshot, "u1")), ==, "Ann");
    g_assert_null (muster_snapshot_lookup_user (snapshot, "u3"));
  }

  /* A user without an id is refused with a sentence, not stored half-way. */
  {
    g_autoptr(MusterSnapshotWriter) writer = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
    g_autoptr(MusterUser) anonymous = user_from_json ("{\"displayName\":\"No Id\"}");

    g_assert_no_error (error);
    g_assert_false (muster_snapshot_writer_put_user (writer, anonymous, &error));
    g_assert_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_FAILED);
  }
}

static void
test_begin_from (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) base_writer = NULL;
  g_autoptr(MusterSnapshotWriter) delta = NULL;
  g_autoptr(MusterSnapshot) base = NULL;
  g_autoptr(MusterSnapshot) next = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GPtrArray) base_members = NULL;
  g_autofree char *names = NULL;
  gint64 base_id, next_id;

  base_writer = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
  g_assert_no_error (error);
  put_simple_user (base_writer, "u1", "Ann");
  put_simple_user (base_writer, "u2", "Bob");
  put_simple_user (base_writer, "u3", "Cem");
  put_group (base_writer, "g1", "Sales");
  add_member (base_writer, "g1", "u1");
  add_member (base_writer, "g1", "u2");
  g_assert_true (muster_snapshot_writer_set_manager (base_writer, "u2", "u1", &error));
  g_assert_true (muster_snapshot_writer_set_manager (base_writer, "u3", "u2", &error));
  g_assert_true (muster_snapshot_writer_set_delta_link (base_writer, "users", "link-1", &error));
  g_assert_no_error (error);
  base_id = commit (base_writer);

  delta = muster_snapshot_store_begin_from (fixture->store, base_id, &error);
  g_assert_no_error (error);
  put_simple_user (delta, "u2", "Bob Renamed");
  put_simple_user (delta, "u4", "Dee");
  g_assert_true (muster_snapshot_writer_remove_object (delta, "u1", &error));
  add_member (delta, "g1", "u4");
  g_assert_true (muster_snapshot_writer_set_delta_link (delta, "users", "link-2", &error));
  g_assert_no_error (error);
  next_id = commit (delta);
  g_assert_cmpint (next_id, !=, base_id);

  next = load (fixture->store, next_id);
  g_assert_true (muster_snapshot_get_info (next)->from_delta);
  g_assert_cmpuint (g_list_model_get_n_items (muster_snapshot_get_users (next)), ==, 3);
  g_assert_null (muster_snapshot_lookup_user (next, "u1"));
  g_assert_cmpstr (muster_user_get_display_name (muster_snapshot_lookup_user (next, "u2")), ==, "Bob Renamed");
  /* u2's manager was removed with u1; u3's manager stays. */
  g_assert_null (muster_user_get_manager_id (muster_snapshot_lookup_user (next, "u2")));
  g_assert_cmpstr (muster_user_get_manager_name (muster_snapshot_lookup_user (next, "u3")), ==, "Bob Renamed");
  members = muster_snapshot_get_group_members (next, "g1", FALSE);
  names = names_of (members);
  g_assert_cmpstr (names, ==, "Bob Renamed,Dee");
  g_assert_cmpstr (muster_snapshot_get_delta_link (next, "users"), ==, "link-2");

  /* The base is untouched. */
  base = load (fixture->store, base_id);
  g_assert_false (muster_snapshot_get_info (base)->from_delta);
  g_assert_cmpuint (g_list_model_get_n_items (muster_snapshot_get_users (base)), ==, 3);
  g_assert_cmpstr (muster_user_get_display_name (muster_snapshot_lookup_user (base, "u2")), ==, "Bob");
  g_assert_cmpstr (muster_user_get_manager_name (muster_snapshot_lookup_user (base, "u2")), ==, "Ann");
  base_members = muster_snapshot_get_group_members (base, "g1", FALSE);
  g_clear_pointer (&names, g_free);
  names = names_of (base_members);
  g_assert_cmpstr (names, ==, "Ann,Bob");
  g_assert_cmpstr (muster_snapshot_get_delta_link (base, "users"), ==, "link-1");

  /* A base that is gone cannot be refreshed from. */
  g_assert_null (muster_snapshot_store_begin_from (fixture->store, 9999, &error));
  g_assert_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_NOT_FOUND);
}

/* The two delta links an incremental refresh needs, read without loading the snapshot; a
 * snapshot still being written has none yet. */
static void
test_delta_link (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(MusterSnapshotWriter) pending = NULL;
  g_autofree char *users = NULL;
  g_autofree char *groups = NULL;
  g_autofree char *unfinished = NULL;
  gint64 id;

  writer = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
  g_assert_no_error (error);
  put_simple_user (writer, "u1", "Ann");
  g_assert_true (muster_snapshot_writer_set_delta_link (writer, "users", "https://graph/users/delta?t=1", &error));
  id = commit (writer);

  users = muster_snapshot_store_get_delta_link (fixture->store, id, "users", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (users, ==, "https://graph/users/delta?t=1");
  groups = muster_snapshot_store_get_delta_link (fixture->store, id, "groups", &error);
  g_assert_no_error (error);
  g_assert_null (groups);

  pending = muster_snapshot_store_begin_from (fixture->store, id, &error);
  g_assert_no_error (error);
  g_assert_true (muster_snapshot_writer_set_delta_link (pending, "users", "https://graph/users/delta?t=2", &error));
  unfinished = muster_snapshot_store_get_delta_link (fixture->store, id + 1, "users", &error);
  g_assert_no_error (error);
  g_assert_null (unfinished);
}

/* Members change in memory and are written per group on commit: removals, clears, an object
 * deleted and then added to one group again, duplicates. */
static void
test_member_changes (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) base_writer = NULL;
  g_autoptr(MusterSnapshotWriter) delta = NULL;
  g_autoptr(MusterSnapshot) next = NULL;
  g_autoptr(GPtrArray) g1 = NULL;
  g_autoptr(GPtrArray) g2 = NULL;
  g_autoptr(GPtrArray) g3 = NULL;
  g_autofree char *names1 = NULL;
  g_autofree char *names2 = NULL;
  g_autofree char *names3 = NULL;
  gint64 base_id;

  base_writer = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
  g_assert_no_error (error);
  put_simple_user (base_writer, "u1", "Ann");
  put_simple_user (base_writer, "u2", "Bob");
  put_simple_user (base_writer, "u3", "Cem");
  put_group (base_writer, "g1", "Sales");
  put_group (base_writer, "g2", "Legal");
  put_group (base_writer, "g3", "Board");
  add_member (base_writer, "g1", "u1");
  add_member (base_writer, "g1", "u2");
  add_member (base_writer, "g1", "u2");
  add_member (base_writer, "g2", "u1");
  add_member (base_writer, "g2", "u3");
  add_member (base_writer, "g3", "u3");
  base_id = commit (base_writer);

  delta = muster_snapshot_store_begin_from (fixture->store, base_id, &error);
  g_assert_no_error (error);
  /* u1 is deleted and comes back (Graph reuses no ids, but the writer must not care) in g2 only */
  g_assert_true (muster_snapshot_writer_remove_object (delta, "u1", &error));
  put_simple_user (delta, "u1", "Ann Again");
  add_member (delta, "g2", "u1");
  g_assert_true (muster_snapshot_writer_remove_member (delta, "g2", "u3", &error));
  g_assert_true (muster_snapshot_writer_clear_members (delta, "g3", &error));
  g_assert_no_error (error);
  commit (delta);

  next = load (fixture->store, base_id + 1);
  g1 = muster_snapshot_get_group_members (next, "g1", FALSE);
  names1 = names_of (g1);
  g_assert_cmpstr (names1, ==, "Bob");
  g2 = muster_snapshot_get_group_members (next, "g2", FALSE);
  names2 = names_of (g2);
  g_assert_cmpstr (names2, ==, "Ann Again");
  g3 = muster_snapshot_get_group_members (next, "g3", FALSE);
  names3 = names_of (g3);
  g_assert_cmpstr (names3, ==, "");
}

/* A cache written by format 1 (one row per membership) opens and keeps its snapshots. */
static void
test_migrate_v1 (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(MusterSnapshotStore) again = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autofree char *names = NULL;
  sqlite3 *db = NULL;
  gint64 id;

  writer = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
  g_assert_no_error (error);
  put_simple_user (writer, "u1", "Ann");
  put_simple_user (writer, "u2", "Bob");
  put_group (writer, "g1", "Sales");
  id = commit (writer);
  g_clear_object (&fixture->store);

  /* Turn the file back into format 1, as Muster 1 wrote it. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "DROP TABLE memberships;"
                                 "CREATE TABLE memberships ("
                                 "  snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,"
                                 "  group_id TEXT NOT NULL, member_id TEXT NOT NULL,"
                                 "  PRIMARY KEY (snapshot_id, group_id, member_id)) WITHOUT ROWID;"
                                 "CREATE INDEX memberships_by_member ON memberships (snapshot_id, member_id);"
                                 "INSERT INTO memberships VALUES (1, 'g1', 'u2'), (1, 'g1', 'u1');"
                                 "PRAGMA user_version = 1;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  again = muster_snapshot_store_open (fixture->path, &error);
  g_assert_no_error (error);
  snapshot = load (again, id);
  members = muster_snapshot_get_group_members (snapshot, "g1", FALSE);
  names = names_of (members);
  g_assert_cmpstr (names, ==, "Ann,Bob");
  fixture->store = g_steal_pointer (&again);
}

/* A users export without a group filter loads no memberships: the same users and groups, and
 * groups without members; the whole load still has them. */
static void
test_load_without_memberships (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(MusterSnapshot) light = NULL;
  g_autoptr(MusterSnapshot) whole = NULL;
  g_autoptr(GPtrArray) light_members = NULL;
  g_autoptr(GPtrArray) whole_members = NULL;
  g_autofree char *names = NULL;
  gint64 id;

  writer = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
  g_assert_no_error (error);
  put_simple_user (writer, "u1", "Ann");
  put_simple_user (writer, "u2", "Bob");
  put_group (writer, "g1", "Sales");
  add_member (writer, "g1", "u1");
  id = commit (writer);

  light = muster_snapshot_store_load_with_flags (fixture->store, id, MUSTER_SNAPSHOT_LOAD_NO_MEMBERSHIPS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (muster_snapshot_get_users (light)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (muster_snapshot_get_groups (light)), ==, 1);
  light_members = muster_snapshot_get_group_members (light, "g1", FALSE);
  g_assert_cmpuint (light_members->len, ==, 0);

  whole = load (fixture->store, id);
  whole_members = muster_snapshot_get_group_members (whole, "g1", FALSE);
  names = names_of (whole_members);
  g_assert_cmpstr (names, ==, "Ann");
}

static void
test_prune (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) other = NULL;
  gint64 ids[7];
  gint64 other_id;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(MusterSnapshotWriter) writer = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
      g_autofree char *id = g_strdup_printf ("u%u", i);

      g_assert_no_error (error);
      put_simple_user (writer, id, "Someone");
      ids[i] = commit (writer);
      if (i == 0)
        {
          g_autoptr(MusterSnapshotWriter) fabrikam = muster_snapshot_store_begin (fixture->store, "fabrikam", "t2", &error);

          g_assert_no_error (error);
          put_simple_user (fabrikam, "f1", "Fay");
          other_id = commit (fabrikam);
        }
    }

  list = muster_snapshot_store_list (fixture->store, "contoso", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, MUSTER_SNAPSHOTS_KEPT);
  for (guint i = 0; i < MUSTER_SNAPSHOTS_KEPT; i++)
    g_assert_cmpint (((MusterSnapshotInfo *) list->pdata[i])->id, ==, ids[G_N_ELEMENTS (ids) - 1 - i]);

  g_assert_null (muster_snapshot_store_load (fixture->store, ids[0], &error));
  g_assert_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Another profile's snapshots are not counted against this one. */
  other = muster_snapshot_store_list (fixture->store, "fabrikam", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other->len, ==, 1);
  g_assert_cmpint (((MusterSnapshotInfo *) other->pdata[0])->id, ==, other_id);

  /* The rows of pruned snapshots are gone from the file, not just hidden. */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM users", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, MUSTER_SNAPSHOTS_KEPT + 1);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
}

static void
test_newer_version (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotStore) again = NULL;
  sqlite3 *db = NULL;

  g_clear_object (&fixture->store);
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  again = muster_snapshot_store_open (fixture->path, &error);
  g_assert_null (again);
  g_assert_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_VERSION);
  g_assert_nonnull (strstr (error->message, "newer version of Muster"));
  g_assert_nonnull (strstr (error->message, fixture->path));
}

static void
test_not_a_cache (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_build_filename (fixture->dir, "notes.txt", NULL);
  g_autofree char *foreign = g_build_filename (fixture->dir, "other.db", NULL);
  g_autofree char *contents = NULL;
  MusterSnapshotStore *store;
  sqlite3 *db = NULL;

  g_assert_true (g_file_set_contents (text, "This is not a database, it is a shopping list.\n"
                                      "Milk, eggs, flour, more text to fill a page of SQLite header.\n", -1, NULL));
  store = muster_snapshot_store_open (text, &error);
  g_assert_null (store);
  g_assert_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, text));
  g_clear_error (&error);
  /* … and the file is left as it was. */
  g_assert_true (g_file_get_contents (text, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "This is not a database"));

  g_assert_cmpint (sqlite3_open (foreign, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE recipes (name TEXT)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = muster_snapshot_store_open (foreign, &error);
  g_assert_null (store);
  g_assert_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, "not Muster"));
}

static void
test_photos (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) jpeg = g_bytes_new_static ("\xff\xd8\xff\xe0\0\x10JFIF\0", 11);
  g_autoptr(GBytes) read_back = NULL;
  g_autoptr(GBytes) none = NULL;

  g_assert_false (muster_snapshot_store_get_photo (fixture->store, "contoso", "u1", &read_back));
  g_assert_null (read_back);

  g_assert_true (muster_snapshot_store_put_photo (fixture->store, "contoso", "u1", jpeg, &error));
  g_assert_no_error (error);
  g_assert_true (muster_snapshot_store_put_photo (fixture->store, "contoso", "u2", NULL, &error));
  g_assert_no_error (error);

  g_assert_true (muster_snapshot_store_get_photo (fixture->store, "contoso", "u1", &read_back));
  g_assert_nonnull (read_back);
  g_assert_true (g_bytes_equal (read_back, jpeg));
  g_assert_true (muster_snapshot_store_get_photo (fixture->store, "contoso", "u2", &none));
  g_assert_null (none);
  /* Photos are per profile. */
  g_clear_pointer (&read_back, g_bytes_unref);
  g_assert_false (muster_snapshot_store_get_photo (fixture->store, "fabrikam", "u1", &read_back));
}

static void
test_load_async (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) missing_result = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterSnapshot) missing = NULL;
  GListModel *users;
  gint64 id;

  writer = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
  g_assert_no_error (error);
  put_simple_user (writer, "u2", "bob");
  put_simple_user (writer, "u1", "Émile");
  put_simple_user (writer, "u3", "Ann");
  id = commit (writer);

  muster_snapshot_store_load_async (fixture->store, id, NULL, core_test_store_result_cb, &result);
  muster_snapshot_store_load_async (fixture->store, id + 100, NULL, core_test_store_result_cb, &missing_result);
  core_test_wait (&result);
  core_test_wait (&missing_result);

  snapshot = muster_snapshot_store_load_finish (fixture->store, result, &error);
  g_assert_no_error (error);
  users = muster_snapshot_get_users (snapshot);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 3);
  /* Sorted by display name for people, not by byte value. */
  {
    g_autoptr(MusterUser) first = g_list_model_get_item (users, 0);
    g_autoptr(MusterUser) last = g_list_model_get_item (users, 2);

    g_assert_cmpstr (muster_user_get_display_name (first), ==, "Ann");
    g_assert_cmpstr (muster_user_get_display_name (last), ==, "Émile");
  }

  missing = muster_snapshot_store_load_finish (fixture->store, missing_result, &error);
  g_assert_null (missing);
  g_assert_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_NOT_FOUND);
}

static void
test_load_cancelled (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  gint64 id;

  g_assert_no_error (error);
  put_simple_user (writer, "u1", "Ann");
  id = commit (writer);

  g_cancellable_cancel (cancellable);
  muster_snapshot_store_load_async (fixture->store, id, cancellable, core_test_store_result_cb, &result);
  core_test_wait (&result);
  snapshot = muster_snapshot_store_load_finish (fixture->store, result, &error);
  g_assert_null (snapshot);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static GBytes *
file_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static guint
file_mode (const char *path)
{
  GStatBuf info;

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  return info.st_mode & 07777;
}

/* Another program's database is refused without a byte of it changed: neither journal_mode
 * (which rewrites the header) nor a checkpoint of its WAL on close may touch it. */
static void
test_foreign_left_alone (Fixture       *fixture,
                         gconstpointer  data)
{
  static const char * const modes[] = { "DELETE", "WAL" };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *foreign = g_strdup_printf ("%s/other-%s.db", fixture->dir, modes[i]);
      g_autofree char *foreign_wal = g_strconcat (foreign, "-wal", NULL);
      g_autofree char *sql = g_strdup_printf ("PRAGMA journal_mode = %s; CREATE TABLE recipes (name TEXT);"
                                              "INSERT INTO recipes VALUES ('bread'), ('soup');", modes[i]);
      g_autoptr(GBytes) before = NULL, after = NULL, wal_before = NULL, wal_after = NULL;
      g_autoptr(GError) error = NULL;
      MusterSnapshotStore *store;
      sqlite3 *db = NULL;

      g_assert_cmpint (sqlite3_open (foreign, &db), ==, SQLITE_OK);
      /* a WAL database as its program leaves it while running: the rows still in the WAL */
      sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *) NULL);
      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);
      g_chmod (foreign, 0644);
      before = file_bytes (foreign);
      if (i == 1)
        wal_before = file_bytes (foreign_wal);

      store = muster_snapshot_store_open (foreign, &error);
      g_assert_null (store);
      g_assert_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_OPEN);
      g_assert_nonnull (strstr (error->message, "not Muster"));

      after = file_bytes (foreign);
      g_assert_true (g_bytes_equal (before, after));
      g_assert_cmpuint (file_mode (foreign), ==, 0644);
      if (i == 1)
        {
          wal_after = file_bytes (foreign_wal);
          g_assert_true (g_bytes_equal (wal_before, wal_after));
        }
    }
}

/* A cache that an older version, a copy or a restore left readable by others is made private,
 * with SQLite's files beside it. */
static void
test_tighten_permissions (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GBytes) jpeg = g_bytes_new_static ("\xff\xd8\xff\xe0", 4);
  g_autoptr(MusterSnapshotStore) second = NULL;
  g_autoptr(GError) error = NULL;
  const char *suffixes[] = { "", "-wal", "-shm" };

  /* the fixture's store stays open, so the WAL and its index exist */
  g_assert_true (muster_snapshot_store_put_photo (fixture->store, "contoso", "u1", jpeg, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);

      g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));
      g_assert_cmpint (g_chmod (file, 0644), ==, 0);
    }

  second = muster_snapshot_store_open (fixture->path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);

      g_assert_cmpuint (file_mode (file), ==, 0600);
    }
}

static void
test_default_path (void)
{
  g_autoptr(GError) error = NULL;
  const char *data_dir = g_getenv ("MUSTER_DATA_DIR");
  g_autofree char *nested = g_path_get_dirname (data_dir);
  g_autofree char *dir = g_path_get_dirname (nested);
  g_autofree char *expected = g_build_filename (data_dir, "cache.db", NULL);
  g_autoptr(MusterSnapshotStore) store = NULL;
  GStatBuf info;

  /* main() pointed MUSTER_DATA_DIR at a folder that does not exist yet. */
  store = muster_snapshot_store_open (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (muster_snapshot_store_get_path (store), ==, expected);

  /* The cache holds the tenant's directory: readable by its owner only. */
  g_assert_cmpint (g_stat (expected, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);

  g_clear_object (&store);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (expected, suffixes[i], NULL);
        g_unlink (file);
      }
  }
  g_rmdir (data_dir);
  g_rmdir (nested);
  g_rmdir (dir);
}

/* Groups A ⊃ B ⊃ C and C ⊃ A (a cycle Graph allows through nesting), D on its own. */
static MusterSnapshot *
build_nested_snapshot (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);

  g_assert_no_error (error);
  put_simple_user (writer, "u1", "Ann");
  put_simple_user (writer, "u2", "Bob");
  put_simple_user (writer, "u3", "Cem");
  put_simple_user (writer, "u4", "Dee");
  put_group (writer, "ga", "A");
  put_group (writer, "gb", "B");
  put_group (writer, "gc", "C");
  put_group (writer, "gd", "D");
  add_member (writer, "ga", "gb");
  add_member (writer, "gb", "gc");
  add_member (writer, "gc", "ga");
  add_member (writer, "ga", "u1");
  add_member (writer, "gc", "u3");
  add_member (writer, "gd", "u4");
  add_member (writer, "gd", "gd");   /* a group inside itself must not hang anything */
  return load (fixture->store, commit (writer));
}

static void
test_transitive (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(MusterSnapshot) snapshot = build_nested_snapshot (fixture);
  g_autoptr(GPtrArray) direct = muster_snapshot_get_user_groups (snapshot, "u3", FALSE);
  g_autoptr(GPtrArray) nested = muster_snapshot_get_user_groups (snapshot, "u3", TRUE);
  g_autoptr(GPtrArray) members_b = muster_snapshot_get_group_members (snapshot, "gb", FALSE);
  g_autoptr(GPtrArray) all_b = muster_snapshot_get_group_members (snapshot, "gb", TRUE);
  g_autofree char *direct_names = names_of (direct);
  g_autofree char *nested_names = names_of (nested);
  g_autofree char *b_names = names_of (members_b);
  g_autofree char *all_b_names = names_of (all_b);
  MusterGroup *a = muster_snapshot_lookup_group (snapshot, "A");

  g_assert_cmpstr (direct_names, ==, "C");
  g_assert_cmpstr (nested_names, ==, "A,B,C");
  g_assert_cmpstr (b_names, ==, "");
  g_assert_cmpstr (all_b_names, ==, "Ann,Cem");

  g_assert_false (muster_snapshot_user_in_group (snapshot, "u3", "ga", FALSE));
  g_assert_true (muster_snapshot_user_in_group (snapshot, "u3", "ga", TRUE));
  g_assert_true (muster_snapshot_user_in_group (snapshot, "u1", "gc", TRUE));
  g_assert_false (muster_snapshot_user_in_group (snapshot, "u2", "ga", TRUE));
  g_assert_false (muster_snapshot_user_in_group (snapshot, "u4", "ga", TRUE));
  g_assert_true (muster_snapshot_user_in_group (snapshot, "u4", "gd", TRUE));
  g_assert_false (muster_snapshot_user_in_group (snapshot, "nobody", "gd", TRUE));

  g_assert_cmpuint (muster_group_get_member_count (a), ==, 1);
  g_assert_cmpuint (muster_group_get_transitive_member_count (a), ==, 2);
  g_assert_cmpuint (muster_group_get_transitive_member_count (muster_snapshot_lookup_group (snapshot, "gd")), ==, 1);
}

/* Members named by GUID go through the load's flat GUID table, other ids through the id table:
 * both must match exactly as the ids are written (Graph's ids are lowercase GUIDs). */
static void
test_guid_members (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) staff = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autofree char *staff_names = NULL;
  g_autofree char *all_names = NULL;
  g_autofree char *group_names = NULL;
  const char *ann = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const char *bob_upper = "7C9E6679-7425-40DE-944B-E07FC1F90AE7";
  const char *bob_lower = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  const char *cem_long = "1b4e28ba-2fa1-11d2-883f-0016d3cca427x";
  const char *dee = "6fa459ea-ee8a-3ca4-894e-db77e160355e";
  const char *staff_id = "c2d29867-3d0b-4497-9dcb-3bf8b2b9a4a1";
  const char *all_id = "9b2e1c4d-5f6a-4b7c-8d9e-0a1b2c3d4e5f";

  g_assert_no_error (error);
  put_simple_user (writer, ann, "Ann");
  put_simple_user (writer, bob_upper, "Bob");
  put_simple_user (writer, cem_long, "Cem");
  put_simple_user (writer, dee, "Dee");
  put_group (writer, staff_id, "Staff");
  put_group (writer, all_id, "All");
  add_member (writer, staff_id, ann);
  add_member (writer, staff_id, bob_lower);    /* not Bob's id as written: no one */
  add_member (writer, staff_id, cem_long);     /* not a GUID: the id table finds Cem */
  add_member (writer, staff_id, "0f8fad5b-d9cb-469f-a165-70867728950f");  /* no one */
  add_member (writer, all_id, bob_upper);
  add_member (writer, all_id, staff_id);       /* a GUID that is a group: nesting */
  snapshot = load (fixture->store, commit (writer));

  staff = muster_snapshot_get_group_members (snapshot, staff_id, FALSE);
  all = muster_snapshot_get_group_members (snapshot, all_id, TRUE);
  groups = muster_snapshot_get_user_groups (snapshot, ann, TRUE);
  staff_names = names_of (staff);
  all_names = names_of (all);
  group_names = names_of (groups);
  g_assert_cmpstr (staff_names, ==, "Ann,Cem");
  g_assert_cmpstr (all_names, ==, "Ann,Bob,Cem");
  g_assert_cmpstr (group_names, ==, "All,Staff");
  g_assert_false (muster_snapshot_user_in_group (snapshot, dee, staff_id, TRUE));
  g_assert_cmpuint (muster_group_get_member_count (muster_snapshot_lookup_group (snapshot, staff_id)), ==, 2);
  g_assert_cmpuint (muster_group_get_transitive_member_count (muster_snapshot_lookup_group (snapshot, all_id)), ==, 3);
}

/* Without nested groups a user's groups through nesting are its direct groups. */
static void
test_flat_members (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) direct = NULL;
  g_autoptr(GPtrArray) nested = NULL;
  g_autofree char *direct_names = NULL;
  g_autofree char *nested_names = NULL;
  MusterGroup *sales;

  g_assert_no_error (error);
  put_simple_user (writer, "u1", "Ann");
  put_simple_user (writer, "u2", "Bob");
  put_group (writer, "g1", "Sales");
  put_group (writer, "g2", "Legal");
  add_member (writer, "g1", "u1");
  add_member (writer, "g1", "u2");
  add_member (writer, "g2", "u1");
  snapshot = load (fixture->store, commit (writer));

  direct = muster_snapshot_get_user_groups (snapshot, "u1", FALSE);
  nested = muster_snapshot_get_user_groups (snapshot, "u1", TRUE);
  direct_names = names_of (direct);
  nested_names = names_of (nested);
  g_assert_cmpstr (direct_names, ==, "Legal,Sales");
  g_assert_cmpstr (nested_names, ==, "Legal,Sales");
  g_assert_true (muster_snapshot_user_in_group (snapshot, "u2", "g1", TRUE));
  g_assert_false (muster_snapshot_user_in_group (snapshot, "u2", "g2", TRUE));
  sales = muster_snapshot_lookup_group (snapshot, "g1");
  g_assert_cmpuint (muster_group_get_member_count (sales), ==, 2);
  g_assert_cmpuint (muster_group_get_transitive_member_count (sales), ==, 2);
}

static void
test_manager_chain (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotWriter) writer = muster_snapshot_store_begin (fixture->store, "contoso", "t", &error);
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GPtrArray) loop = NULL;
  g_autoptr(GPtrArray) orphan = NULL;
  g_autoptr(GPtrArray) top = NULL;
  g_autofree char *chain_names = NULL;
  g_autofree char *loop_names = NULL;

  g_assert_no_error (error);
  put_simple_user (writer, "ceo", "Cara CEO");
  put_simple_user (writer, "vp", "Vic VP");
  put_simple_user (writer, "dev", "Dev Eloper");
  put_simple_user (writer, "x", "Xia");
  put_simple_user (writer, "y", "Yan");
  put_simple_user (writer, "z", "Zed");
  put_simple_user (writer, "lost", "Lost");
  muster_snapshot_writer_set_manager (writer, "dev", "vp", &error);
  muster_snapshot_writer_set_manager (writer, "vp", "ceo", &error);
  muster_snapshot_writer_set_manager (writer, "x", "y", &error);
  muster_snapshot_writer_set_manager (writer, "y", "z", &error);
  muster_snapshot_writer_set_manager (writer, "z", "x", &error);
  muster_snapshot_writer_set_manager (writer, "lost", "someone-deleted", &error);
  g_assert_no_error (error);
  snapshot = load (fixture->store, commit (writer));

  chain = muster_snapshot_get_manager_chain (snapshot, "dev");
  chain_names = names_of (chain);
  g_assert_cmpstr (chain_names, ==, "Vic VP,Cara CEO");
  loop = muster_snapshot_get_manager_chain (snapshot, "x");
  loop_names = names_of (loop);
  g_assert_cmpstr (loop_names, ==, "Yan,Zed");
  orphan = muster_snapshot_get_manager_chain (snapshot, "lost");
  g_assert_cmpuint (orphan->len, ==, 0);
  g_assert_cmpstr (muster_user_get_manager_id (muster_snapshot_lookup_user (snapshot, "lost")), ==, "someone-deleted");
  g_assert_null (muster_user_get_manager_name (muster_snapshot_lookup_user (snapshot, "lost")));
  top = muster_snapshot_get_manager_chain (snapshot, "ceo");
  g_assert_cmpuint (top->len, ==, 0);
}

static void
test_user_json_tolerant (void)
{
  g_autoptr(MusterUser) odd = user_from_json ("{\"id\":42,\"displayName\":null,\"mail\":[\"x\"],"
                                              "\"otherMails\":\"not-a-list\",\"businessPhones\":[1,null,\"+1\",{}],"
                                              "\"assignedLicenses\":[\"raw\",{\"skuId\":7},{\"skuId\":\"s1\"},null],"
                                              "\"accountEnabled\":\"false\",\"userType\":\"guest\","
                                              "\"manager\":\"boss\",\"onPremisesSyncEnabled\":null}");
  g_autoptr(MusterUser) empty = user_from_json ("{}");
  g_autoptr(MusterGroup) group = group_from_json ("{\"groupTypes\":\"Unified\",\"mailEnabled\":1,\"securityEnabled\":true}");
  static const char * const phones[] = { "+1", NULL };
  static const char * const licences[] = { "s1", NULL };
  static const char * const none[] = { NULL };
  g_autofree char *label = NULL;

  g_assert_null (muster_user_get_id (odd));
  g_assert_null (muster_user_get_display_name (odd));
  g_assert_null (muster_user_get_mail (odd));
  assert_strv (muster_user_get_other_mails (odd), none);
  assert_strv (muster_user_get_business_phones (odd), phones);
  assert_strv (muster_user_get_assigned_licenses (odd), licences);
  g_assert_true (muster_user_is_licensed (odd));
  g_assert_true (muster_user_get_account_enabled (odd));   /* a string is not a boolean: absent */
  g_assert_true (muster_user_is_guest (odd));
  g_assert_cmpint (muster_user_get_state (odd), ==, MUSTER_ACCOUNT_STATE_GUEST);
  g_object_get (odd, "state-label", &label, NULL);
  g_assert_nonnull (label);
  g_assert_null (muster_user_get_manager_id (odd));
  g_assert_null (muster_user_get_email (odd, MUSTER_EMAIL_METHOD_MAIL));

  g_assert_false (muster_user_is_licensed (empty));
  g_assert_null (muster_user_get_email (empty, MUSTER_EMAIL_METHOD_MAIL_OR_UPN));

  /* groupTypes of the wrong type: not Unified; mailEnabled not a boolean: false. */
  g_assert_cmpint (muster_group_get_kind (group), ==, MUSTER_GROUP_KIND_SECURITY);
}

static void
test_group_kinds (void)
{
  MusterGroupKind kind;

  /* learn.microsoft.com/graph/api/resources/groups-overview */
  g_assert_cmpint (muster_group_kind_from_graph (TRUE, TRUE, FALSE), ==, MUSTER_GROUP_KIND_MICROSOFT365);
  g_assert_cmpint (muster_group_kind_from_graph (TRUE, TRUE, TRUE), ==, MUSTER_GROUP_KIND_MICROSOFT365);
  g_assert_cmpint (muster_group_kind_from_graph (FALSE, FALSE, TRUE), ==, MUSTER_GROUP_KIND_SECURITY);
  g_assert_cmpint (muster_group_kind_from_graph (FALSE, TRUE, TRUE), ==, MUSTER_GROUP_KIND_MAIL_SECURITY);
  g_assert_cmpint (muster_group_kind_from_graph (FALSE, TRUE, FALSE), ==, MUSTER_GROUP_KIND_DISTRIBUTION);

  for (int k = MUSTER_GROUP_KIND_MICROSOFT365; k <= MUSTER_GROUP_KIND_DISTRIBUTION; k++)
    {
      g_assert_true (muster_group_kind_from_string (muster_group_kind_to_string (k), &kind));
      g_assert_cmpint (kind, ==, k);
      g_assert_nonnull (muster_group_kind_get_title (k));
    }
  g_assert_false (muster_group_kind_from_string ("team", &kind));

  {
    g_autoptr(MusterGroup) distribution = group_from_json ("{\"id\":\"d\",\"displayName\":\"Golf Discussion\",\"groupTypes\":[],"
                                                           "\"mailEnabled\":true,\"securityEnabled\":false,\"mail\":\"golftalk@contoso.com\"}");
    g_assert_cmpint (muster_group_get_kind (distribution), ==, MUSTER_GROUP_KIND_DISTRIBUTION);
    g_assert_false (muster_group_get_dynamic (distribution));
  }
}

/* "kind" and "state" are enum properties, so bindings and sorters see the enum type. */
static void
test_enum_properties (void)
{
  g_autoptr(MusterUser) disabled = user_from_json ("{\"id\":\"u\",\"accountEnabled\":false}");
  g_autoptr(MusterGroup) distribution = group_from_json ("{\"id\":\"d\",\"groupTypes\":[],"
                                                         "\"mailEnabled\":true,\"securityEnabled\":false}");
  GParamSpec *pspec;
  MusterAccountState state = MUSTER_ACCOUNT_STATE_ENABLED;
  MusterGroupKind kind = MUSTER_GROUP_KIND_SECURITY;

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (disabled), "state");
  g_assert_nonnull (pspec);
  g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
  g_assert_true (pspec->value_type == MUSTER_TYPE_ACCOUNT_STATE);
  g_object_get (disabled, "state", &state, NULL);
  g_assert_cmpint (state, ==, MUSTER_ACCOUNT_STATE_DISABLED);

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (distribution), "kind");
  g_assert_nonnull (pspec);
  g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
  g_assert_true (pspec->value_type == MUSTER_TYPE_GROUP_KIND);
  g_object_get (distribution, "kind", &kind, NULL);
  g_assert_cmpint (kind, ==, MUSTER_GROUP_KIND_DISTRIBUTION);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_root = g_dir_make_tmp ("muster-data-XXXXXX", NULL);
  g_autofree char *data_dir = g_build_filename (data_root, "nested", "muster", NULL);

  /* Before any thread starts: setenv() is not thread-safe. */
  g_setenv ("MUSTER_DATA_DIR", data_dir, TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/snapshot-store/round-trip/hostile", test_round_trip);
  ADD ("/snapshot-store/writer/abandoned", test_abandoned_writer);
  ADD ("/snapshot-store/writer/begin-from", test_begin_from);
  ADD ("/snapshot-store/writer/member-changes", test_member_changes);
  ADD ("/snapshot-store/delta-link", test_delta_link);
  ADD ("/snapshot-store/open/migrate-v1", test_migrate_v1);
  ADD ("/snapshot-store/prune", test_prune);
  ADD ("/snapshot-store/load/without-memberships", test_load_without_memberships);
  ADD ("/snapshot-store/open/newer-version", test_newer_version);
  ADD ("/snapshot-store/open/not-a-cache", test_not_a_cache);
  ADD ("/snapshot-store/open/foreign-left-alone", test_foreign_left_alone);
  ADD ("/snapshot-store/open/tighten-permissions", test_tighten_permissions);
  ADD ("/snapshot-store/photos", test_photos);
  ADD ("/snapshot-store/load-async", test_load_async);
  ADD ("/snapshot-store/load-async/cancelled", test_load_cancelled);
  ADD ("/snapshot/membership/transitive-and-cycles", test_transitive);
  ADD ("/snapshot/membership/guid-ids", test_guid_members);
  ADD ("/snapshot/membership/flat", test_flat_members);
  ADD ("/snapshot/manager-chain", test_manager_chain);
#undef ADD
  g_test_add_func ("/snapshot-store/open/default-path", test_default_path);
  g_test_add_func ("/user/json/tolerant", test_user_json_tolerant);
  g_test_add_func ("/group/kinds", test_group_kinds);
  g_test_add_func ("/snapshot/properties/enums", test_enum_properties);

  return g_test_run ();
}
