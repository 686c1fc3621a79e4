/* test-snapshot-diff.c: the tenant changes between two snapshots of a real SQLite cache — a
 * joiner, a leaver, a changed field with its values before and after, a group member added
 * and removed; and which snapshot "--since" picks
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "muster-group.h"
#include "muster-snapshot-diff.h"
#include "muster-snapshot-store.h"

static MusterUser *
user (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return muster_user_new_from_json (json_node_get_object (json_parser_get_root (parser)));
}

static MusterGroup *
group (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return muster_group_new_from_json (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_diff (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("muster-diff-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  g_autoptr(MusterSnapshotStore) store = muster_snapshot_store_open (path, &error);
  g_autoptr(MusterUser) ada = user ("{\"id\":\"u1\",\"displayName\":\"Ada\",\"userPrincipalName\":\"ada@x.example\","
                                    "\"jobTitle\":\"Engineer\",\"accountEnabled\":true}");
  g_autoptr(MusterUser) ada2 = user ("{\"id\":\"u1\",\"displayName\":\"Ada\",\"userPrincipalName\":\"ada@x.example\","
                                     "\"jobTitle\":\"Lead Engineer\",\"accountEnabled\":false}");
  g_autoptr(MusterUser) bob = user ("{\"id\":\"u2\",\"displayName\":\"Bob\",\"userPrincipalName\":\"bob@x.example\"}");
  g_autoptr(MusterUser) cy = user ("{\"id\":\"u3\",\"displayName\":\"Cy\",\"userPrincipalName\":\"cy@x.example\"}");
  g_autoptr(MusterGroup) staff = group ("{\"id\":\"g1\",\"displayName\":\"Staff\",\"securityEnabled\":true}");
  g_autoptr(MusterSnapshot) before = NULL, after = NULL;
  g_autoptr(MusterSnapshotDiff) diff = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  MusterSnapshotWriter *writer;
  MusterUserChange *change;
  MusterChangedField *field;
  gint64 first, second;
  const char *csv;

  g_assert_no_error (error);
  writer = muster_snapshot_store_begin (store, "p", "t", &error);
  g_assert_true (muster_snapshot_writer_put_user (writer, ada, &error));
  g_assert_true (muster_snapshot_writer_put_user (writer, bob, &error));
  g_assert_true (muster_snapshot_writer_put_group (writer, staff, &error));
  g_assert_true (muster_snapshot_writer_add_member (writer, "g1", "u2", &error));
  first = muster_snapshot_writer_commit (writer, &error);
  g_assert_no_error (error);
  muster_snapshot_writer_free (writer);

  /* Ada is promoted and disabled, Bob leaves, Cy joins Staff */
  writer = muster_snapshot_store_begin_from (store, first, &error);
  g_assert_true (muster_snapshot_writer_put_user (writer, ada2, &error));
  g_assert_true (muster_snapshot_writer_remove_object (writer, "u2", &error));
  g_assert_true (muster_snapshot_writer_put_user (writer, cy, &error));
  g_assert_true (muster_snapshot_writer_add_member (writer, "g1", "u3", &error));
  second = muster_snapshot_writer_commit (writer, &error);
  g_assert_no_error (error);
  muster_snapshot_writer_free (writer);

  before = muster_snapshot_store_load (store, first, &error);
  after = muster_snapshot_store_load (store, second, &error);
  g_assert_no_error (error);
  diff = muster_snapshot_diff_new (before, after);
  g_assert_cmpuint (diff->joined, ==, 1);
  g_assert_cmpuint (diff->left, ==, 1);
  g_assert_cmpuint (diff->changed, ==, 1);
  g_assert_cmpuint (diff->members_added, ==, 1);
  g_assert_cmpuint (diff->members_removed, ==, 1);
  g_assert_cmpuint (diff->users->len, ==, 3);
  /* joined, left, changed: in that order */
  g_assert_cmpstr (((MusterUserChange *) diff->users->pdata[0])->id, ==, "u3");
  g_assert_cmpstr (((MusterUserChange *) diff->users->pdata[1])->id, ==, "u2");
  change = diff->users->pdata[2];
  g_assert_cmpstr (change->id, ==, "u1");
  g_assert_cmpint (change->kind, ==, MUSTER_USER_CHANGE_CHANGED);
  g_assert_cmpuint (change->fields->len, ==, 2);
  field = change->fields->pdata[0];
  g_assert_cmpstr (field->field, ==, "jobTitle");
  g_assert_cmpstr (field->before, ==, "Engineer");
  g_assert_cmpstr (field->after, ==, "Lead Engineer");
  field = change->fields->pdata[1];
  g_assert_cmpstr (field->field, ==, "accountEnabled");
  g_assert_cmpstr (field->before, ==, "true");
  g_assert_cmpstr (field->after, ==, "false");
  g_assert_true (((MusterMembershipChange *) diff->memberships->pdata[0])->added ^
                 ((MusterMembershipChange *) diff->memberships->pdata[1])->added);

  /* the CSV says the same, one row per change */
  g_assert_true (muster_snapshot_diff_write (diff, MUSTER_EXPORT_FORMAT_CSV, out, NULL, &error));
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  csv = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_nonnull (strstr (csv, "Changed,Ada,ada@x.example,Job title,Engineer,Lead Engineer\r\n"));
  g_assert_nonnull (strstr (csv, "Joined,Cy,cy@x.example,,,\r\n"));
  g_assert_nonnull (strstr (csv, "Left,Bob,bob@x.example,,,\r\n"));
  g_assert_nonnull (strstr (csv, "Added to group,Cy,,Staff,,\r\n"));
  g_assert_nonnull (strstr (csv, "Removed from group,Bob,,Staff,,\r\n"));

  /* --since */
  infos = muster_snapshot_store_list (store, "p", &error);
  g_assert_no_error (error);
  g_assert_cmpint (muster_snapshot_diff_find_base (infos, NULL, &error)->id, ==, first);
  g_assert_cmpint (muster_snapshot_diff_find_base (infos, "1", &error)->id, ==, first);
  g_assert_cmpint (muster_snapshot_diff_find_base (infos, "2999-12-31", &error)->id, ==, second);
  g_assert_null (muster_snapshot_diff_find_base (infos, "2001-01-01", &error));
  g_assert_error (error, MUSTER_SNAPSHOT_DIFF_ERROR, MUSTER_SNAPSHOT_DIFF_ERROR_NO_SNAPSHOT);
  g_clear_error (&error);
  g_assert_null (muster_snapshot_diff_find_base (infos, "yesterday-ish", &error));
  g_assert_error (error, MUSTER_SNAPSHOT_DIFF_ERROR, MUSTER_SNAPSHOT_DIFF_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (muster_snapshot_diff_find_base (infos, "99", &error));
  g_assert_error (error, MUSTER_SNAPSHOT_DIFF_ERROR, MUSTER_SNAPSHOT_DIFF_ERROR_NO_SNAPSHOT);
  g_clear_error (&error);

  g_clear_object (&store);
  g_unlink (path);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

    g_assert_cmpint (system (command), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/snapshot-diff/report", test_diff);
  return g_test_run ();
}
