/* test-preview-file.c: .muster-preview files — round trip, damaged files, push later, compare
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plans are made by the real engine against real SQLite stores, from a real snapshot cache.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "core-test-util.h"
#include "muster-preview-file.h"
#include "muster-sqlite-target.h"
#include "push-test-util.h"

#define N_USERS 20

typedef struct
{
  char               *dir;
  char               *store_path;
  MusterSqliteTarget *target;
  MusterHistory      *history;
  MusterSnapshot     *snapshot;
} Fixture;

static void
exec_sql (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static char *
query_text (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* A target that holds all the snapshot's users, then: users 1 and 2 renamed (updates), user 3
 * deactivated (an update that reactivates), and a user Muster made whose Entra user is gone
 * (a disable). */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *cache = NULL;
  g_autofree char *history_path = NULL;
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("muster-preview-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store_path = g_build_filename (fixture->dir, "people.db", NULL);
  cache = g_build_filename (fixture->dir, "cache.db", NULL);
  history_path = g_build_filename (fixture->dir, "history.db", NULL);
  fixture->target = muster_sqlite_target_new (fixture->store_path);
  g_assert_true (muster_sqlite_target_open (fixture->target, &error));
  g_assert_no_error (error);
  fixture->history = muster_history_open (history_path, &error);
  g_assert_no_error (error);
  push_test_write_snapshot (cache, "test", N_USERS);
  fixture->snapshot = push_test_load_snapshot (cache, "test");

  plan = push_test_make_plan (fixture->snapshot, MUSTER_TARGET (fixture->target));
  push = muster_push_new (MUSTER_TARGET (fixture->target), plan, fixture->history, "test", "tester");
  summary = push_test_run (push, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->done, ==, N_USERS);

  exec_sql (fixture->store_path,
            "UPDATE users SET display_name = 'Old Name 1' WHERE user_name = 'user1@example.com';"
            "UPDATE users SET display_name = 'Old Name 2' WHERE user_name = 'user2@example.com';"
            "UPDATE users SET active = 0 WHERE user_name = 'user3@example.com';"
            "INSERT INTO users (external_id, user_name, display_name, created_at, updated_at) VALUES "
            "('6e3f0c2a-0000-4000-8000-999999999999', 'gone@example.com', 'Gone User', '2026-01-01', '2026-01-01');");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->snapshot);
  g_clear_object (&fixture->history);
  g_clear_object (&fixture->target);
  core_test_remove_tree (fixture->dir);
  g_free (fixture->store_path);
  g_free (fixture->dir);
}

static MusterPreviewFile *
make_preview (Fixture     *fixture,
              MusterPlan **plan_out)
{
  g_autoptr(MusterPlan) plan = push_test_make_plan (fixture->snapshot, MUSTER_TARGET (fixture->target));
  g_autofree char *uri = muster_target_get_uri (MUSTER_TARGET (fixture->target));
  g_autofree char *description = muster_target_describe (MUSTER_TARGET (fixture->target));
  MusterPreviewFileInfo info = {
    .profile = "test",
    .tenant_name = "Contoso Test",
    .made_by = "ann@example.com",
    .target_uri = uri,
    .target_name = "people",
    .target_description = description,
  };

  if (plan_out != NULL)
    *plan_out = g_object_ref (plan);
  return muster_preview_file_new (plan, &info);
}

static char *
describe_item (const MusterPlanItem *item)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "%s|%s|%s|%s|%s|%s|", item->id, item->user_principal_name, item->display_name,
                          muster_plan_action_to_string (item->action), item->reason,
                          muster_user_type_to_string (item->user_type));
  for (guint i = 0; item->roles != NULL && item->roles[i] != NULL; i++)
    g_string_append_printf (text, "role=%s,", item->roles[i]);
  for (guint i = 0; i < item->changes->len; i++)
    {
      const MusterFieldChange *change = item->changes->pdata[i];

      g_string_append_printf (text, "%s:%s>%s,", change->field, change->before, change->after);
    }
  for (guint i = 0; i < item->explanation->len; i++)
    g_string_append_printf (text, "[%s]", (const char *) item->explanation->pdata[i]);
  g_string_append_printf (text, "|current=%s/%s", item->current ? item->current->user_name : "-",
                          item->current ? item->current->id : "-");
  /* what the target holds is kept for the users the plan changes; of the others, which user it is */
  if (item->action != MUSTER_PLAN_ACTION_UNCHANGED && item->action != MUSTER_PLAN_ACTION_SKIPPED)
    g_string_append_printf (text, "/%s|desired=%s/%s",
                            item->current ? muster_target_user_get_attribute (item->current, MUSTER_ATTR_DISPLAY_NAME) : "-",
                            item->desired ? item->desired->user_name : "-",
                            item->desired ? muster_target_user_get_attribute (item->desired, MUSTER_ATTR_DISPLAY_NAME) : "-");
  return g_string_free (text, FALSE);
}

static void
assert_same_plan (MusterPlan *a,
                  MusterPlan *b)
{
  GPtrArray *items_a = muster_plan_get_items (a);
  GPtrArray *items_b = muster_plan_get_items (b);
  GPtrArray *ops_a = muster_plan_get_operations (a);
  GPtrArray *ops_b = muster_plan_get_operations (b);

  g_assert_cmpmem (muster_plan_get_totals (a), sizeof (MusterPlanTotals),
                   muster_plan_get_totals (b), sizeof (MusterPlanTotals));
  g_assert_cmpuint (items_a->len, ==, items_b->len);
  for (guint i = 0; i < items_a->len; i++)
    {
      g_autofree char *text_a = describe_item (items_a->pdata[i]);
      g_autofree char *text_b = describe_item (items_b->pdata[i]);

      g_assert_cmpstr (text_a, ==, text_b);
    }
  g_assert_cmpuint (ops_a->len, ==, ops_b->len);
  for (guint i = 0; i < ops_a->len; i++)
    g_assert_cmpstr (((MusterOperation *) ops_a->pdata[i])->key, ==, ((MusterOperation *) ops_b->pdata[i])->key);
  g_assert_cmpuint (muster_plan_get_target_user_count (a), ==, muster_plan_get_target_user_count (b));
  g_assert_cmpint (muster_plan_get_mode (a), ==, muster_plan_get_mode (b));
}

static MusterPreviewFile *
load (GBytes  *bytes,
      GError **error)
{
  return muster_preview_file_load_from_bytes (bytes, error);
}

/* Tests ---------------------------------------------------------------------------------------- */

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPreviewFile) preview = make_preview (fixture, &plan);
  const MusterPlanTotals *totals = muster_plan_get_totals (plan);

  /* the plan the target calls for: 2 renames + 1 reactivation, 1 disable, the rest unchanged */
  g_assert_cmpuint (totals->update, ==, 3);
  g_assert_cmpuint (totals->disable, ==, 1);
  g_assert_cmpuint (totals->unchanged, ==, N_USERS - 3);

  for (guint compress = 0; compress < 2; compress++)
    {
      g_autoptr(GBytes) bytes = muster_preview_file_to_bytes (preview, compress);
      g_autoptr(MusterPreviewFile) loaded = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *notice = NULL;
      const guint8 *raw = g_bytes_get_data (bytes, NULL);

      g_assert_cmpint (raw[0] == 0x1f && raw[1] == 0x8b, ==, compress);
      loaded = load (bytes, &error);
      g_assert_no_error (error);
      g_assert_true (muster_plan_is_saved (muster_preview_file_get_plan (loaded)));
      g_assert_false (muster_plan_is_saved (plan));
      assert_same_plan (plan, muster_preview_file_get_plan (loaded));

      g_assert_cmpuint (muster_preview_file_get_format_version (loaded), ==, MUSTER_PREVIEW_FILE_FORMAT_VERSION);
      g_assert_cmpstr (muster_preview_file_get_app_version (loaded), ==, PACKAGE_VERSION);
      g_assert_cmpstr (muster_preview_file_get_profile (loaded), ==, "test");
      g_assert_cmpstr (muster_preview_file_get_tenant_id (loaded), ==, "11111111-2222-3333-4444-555555555555");
      g_assert_cmpstr (muster_preview_file_get_tenant_name (loaded), ==, "Contoso Test");
      g_assert_cmpstr (muster_preview_file_get_made_by (loaded), ==, "ann@example.com");
      g_assert_cmpstr (muster_preview_file_get_target_uri (loaded), ==, muster_preview_file_get_target_uri (preview));
      g_assert_cmpstr (muster_preview_file_get_target_name (loaded), ==, "people");
      g_assert_cmpint (muster_preview_file_get_snapshot_id (loaded), ==,
                       muster_snapshot_get_info (fixture->snapshot)->id);
      g_assert_cmpint (muster_preview_file_get_snapshot_time (loaded), ==,
                       muster_snapshot_get_info (fixture->snapshot)->created_at);
      g_assert_cmpint (g_date_time_to_unix (muster_preview_file_get_created (loaded)), ==,
                       g_date_time_to_unix (muster_preview_file_get_created (preview)));
      notice = muster_preview_file_describe (loaded);
      g_assert_true (g_str_has_prefix (notice, "Saved preview — read only, made on "));
      g_assert_nonnull (strstr (notice, " for Contoso Test by ann@example.com"));

      /* saving what was loaded gives the same file again */
      {
        g_autoptr(GBytes) again = muster_preview_file_to_bytes (loaded, FALSE);
        g_autoptr(GBytes) plain = muster_preview_file_to_bytes (preview, FALSE);

        g_assert_true (g_bytes_equal (again, plain));
      }
    }

  /* through a real file, in a worker thread, and no token or secret in it */
  {
    g_autofree char *path = g_build_filename (fixture->dir, "plan.muster-preview", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(MusterPreviewFile) loaded = NULL;
    g_autoptr(GError) error = NULL;
    GStatBuf buf;

    muster_preview_file_save_async (preview, file, TRUE, NULL, core_test_store_result_cb, &result);
    g_assert_true (muster_preview_file_save_finish (preview, core_test_wait (&result), &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_stat (path, &buf), ==, 0);
    g_assert_cmpint (buf.st_mode & 0077, ==, 0);
    g_clear_object (&result);
    muster_preview_file_load_async (file, NULL, core_test_store_result_cb, &result);
    loaded = muster_preview_file_load_finish (core_test_wait (&result), &error);
    g_assert_no_error (error);
    assert_same_plan (plan, muster_preview_file_get_plan (loaded));
  }
}

static void
assert_load_fails (const char *data,
                   gsize       length,
                   int         code,
                   const char *words)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, length);
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterPreviewFile) loaded = load (bytes, &error);

  g_assert_null (loaded);
  g_assert_error (error, MUSTER_PREVIEW_FILE_ERROR, code);
  if (words != NULL && strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
}

static char *
replace_once (const char *text,
              const char *old,
              const char *new)
{
  const char *at = strstr (text, old);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, new, at + strlen (old));
}

static void
test_damaged (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(MusterPreviewFile) preview = make_preview (fixture, NULL);
  g_autoptr(GBytes) plain = muster_preview_file_to_bytes (preview, FALSE);
  g_autoptr(GBytes) packed = muster_preview_file_to_bytes (preview, TRUE);
  const char *text = g_bytes_get_data (plain, NULL);
  gsize length = g_bytes_get_size (plain);
  const char *packed_data = g_bytes_get_data (packed, NULL);
  g_autofree char *text0 = g_strndup (text, length);

  /* cut short anywhere: plain and compressed */
  for (guint i = 1; i < 16; i++)
    assert_load_fails (text, length * i / 16, MUSTER_PREVIEW_FILE_ERROR_TRUNCATED, "incomplete");
  assert_load_fails (text, length - 3, MUSTER_PREVIEW_FILE_ERROR_TRUNCATED, "incomplete");
  assert_load_fails (packed_data, g_bytes_get_size (packed) / 2, MUSTER_PREVIEW_FILE_ERROR_TRUNCATED, "incomplete");
  assert_load_fails (packed_data, g_bytes_get_size (packed) - 4, MUSTER_PREVIEW_FILE_ERROR_TRUNCATED, NULL);

  /* damaged inside */
  {
    g_autofree char *bad = replace_once (text0, "\"action\":\"update\"", "\"action\":\"explode\"");

    assert_load_fails (bad, strlen (bad), MUSTER_PREVIEW_FILE_ERROR_INVALID, "unknown action “explode”");
  }
  {
    /* an edited action no longer matches the totals */
    g_autofree char *bad = replace_once (text0, "\"action\":\"update\"", "\"action\":\"unchanged\"");

    assert_load_fails (bad, strlen (bad), MUSTER_PREVIEW_FILE_ERROR_INVALID, "totals do not match");
  }
  {
    g_autofree char *bad = replace_once (text0, "\"users\":[", "\"users\":[7,");

    assert_load_fails (bad, strlen (bad), MUSTER_PREVIEW_FILE_ERROR_INVALID, "user 1 is not an object");
  }
  {
    g_autofree char *bad = replace_once (text0, "\"format\":\"muster-preview\"", "\"format\":\"something\"");

    assert_load_fails (bad, strlen (bad), MUSTER_PREVIEW_FILE_ERROR_INVALID, "does not say it is a Muster preview");
  }
  {
    g_autofree char *bad = g_strdup (text0);

    bad[length / 2] = '\x01';
    assert_load_fails (bad, length, MUSTER_PREVIEW_FILE_ERROR_INVALID, NULL);
  }
  {
    g_autofree char *bad = g_memdup2 (packed_data, g_bytes_get_size (packed));

    bad[g_bytes_get_size (packed) / 2] ^= 0x55;
    assert_load_fails (bad, g_bytes_get_size (packed), MUSTER_PREVIEW_FILE_ERROR_INVALID, NULL);
  }
  assert_load_fails ("", 0, MUSTER_PREVIEW_FILE_ERROR_INVALID, "empty");
  assert_load_fails ("PK\x03\x04 not json", 14, MUSTER_PREVIEW_FILE_ERROR_INVALID, "not JSON");
  assert_load_fails ("{\"format\":\"muster-preview\",\"version\":1}", 39, MUSTER_PREVIEW_FILE_ERROR_INVALID, NULL);

  /* from a newer Muster */
  {
    g_autofree char *newer = replace_once (text0, "\"version\":1,", "\"version\":2,");
    g_autofree char *app = replace_once (newer, "\"appVersion\":\"" PACKAGE_VERSION "\"", "\"appVersion\":\"9.0\"");

    assert_load_fails (app, strlen (app), MUSTER_PREVIEW_FILE_ERROR_NEWER_FORMAT, "newer Muster (9.0, file format 2)");
  }
}

static void
test_push_later (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(MusterPreviewFile) preview = make_preview (fixture, NULL);
  g_autoptr(GBytes) bytes = muster_preview_file_to_bytes (preview, TRUE);
  g_autoptr(MusterPreviewFile) loaded = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GPtrArray) operations = NULL;
  g_autoptr(GPtrArray) left_out = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name1 = NULL;
  g_autofree char *name2 = NULL;
  g_autofree char *active3 = NULL;
  g_autofree char *gone = NULL;

  /* someone renames user 2 in the target between the preview and the push */
  exec_sql (fixture->store_path, "UPDATE users SET display_name = 'Renamed Meanwhile' WHERE user_name = 'user2@example.com';");

  loaded = load (bytes, &error);
  g_assert_no_error (error);
  state = push_test_read_state (MUSTER_TARGET (fixture->target), &error);
  g_assert_no_error (error);
  operations = muster_preview_file_get_operations_for (loaded, state, &left_out);
  g_assert_cmpuint (left_out->len, ==, 1);
  g_assert_cmpstr (((MusterPlanItem *) left_out->pdata[0])->user_principal_name, ==, "user2@example.com");
  g_assert_cmpuint (operations->len, ==, muster_plan_get_operations (muster_preview_file_get_plan (loaded))->len - 1);
  for (guint i = 0; i < operations->len; i++)
    g_assert_null (strstr (((MusterOperation *) operations->pdata[i])->key, "-000000000002"));

  push = muster_push_new_for_operations (MUSTER_TARGET (fixture->target), operations,
                                         muster_plan_get_target_user_count (muster_preview_file_get_plan (loaded)),
                                         fixture->history, "test", "tester");
  summary = push_test_run (push, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->done, ==, 3);
  g_assert_cmpuint (summary->failed, ==, 0);

  name1 = query_text (fixture->store_path, "SELECT display_name FROM users WHERE user_name = 'user1@example.com'");
  name2 = query_text (fixture->store_path, "SELECT display_name FROM users WHERE user_name = 'user2@example.com'");
  active3 = query_text (fixture->store_path, "SELECT active FROM users WHERE user_name = 'user3@example.com'");
  gone = query_text (fixture->store_path, "SELECT active FROM users WHERE user_name = 'gone@example.com'");
  g_assert_cmpstr (name1, ==, "User 1");
  g_assert_cmpstr (name2, ==, "Renamed Meanwhile");
  g_assert_cmpstr (active3, ==, "1");
  g_assert_cmpstr (gone, ==, "0");

  /* pushed once, the same preview has nothing left to do but the user it never touched */
  {
    g_autoptr(MusterTargetState) after = push_test_read_state (MUSTER_TARGET (fixture->target), &error);
    g_autoptr(GPtrArray) again_left_out = NULL;
    g_autoptr(GPtrArray) again = muster_preview_file_get_operations_for (loaded, after, &again_left_out);

    g_assert_cmpuint (again->len, ==, 0);
    g_assert_cmpuint (again_left_out->len, ==, 4);
  }
}

static void
test_compare (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(MusterPreviewFile) preview = make_preview (fixture, NULL);
  g_autoptr(GBytes) bytes = muster_preview_file_to_bytes (preview, FALSE);
  g_autoptr(MusterPreviewFile) loaded = NULL;
  g_autoptr(MusterPlan) fresh = NULL;
  g_autoptr(GPtrArray) differences = NULL;
  g_autoptr(GError) error = NULL;
  MusterPreviewDifference *difference;

  loaded = load (bytes, &error);
  g_assert_no_error (error);

  /* nothing changed: nothing differs */
  fresh = push_test_make_plan (fixture->snapshot, MUSTER_TARGET (fixture->target));
  differences = muster_preview_file_compare (loaded, fresh);
  g_assert_cmpuint (differences->len, ==, 0);
  g_clear_object (&fresh);
  g_clear_pointer (&differences, g_ptr_array_unref);

  /* user 1 fixed by hand, user 4 renamed: one update less, one more */
  exec_sql (fixture->store_path,
            "UPDATE users SET display_name = 'User 1' WHERE user_name = 'user1@example.com';"
            "UPDATE users SET display_name = 'Someone Else' WHERE user_name = 'user4@example.com';");
  fresh = push_test_make_plan (fixture->snapshot, MUSTER_TARGET (fixture->target));
  differences = muster_preview_file_compare (loaded, fresh);
  g_assert_cmpuint (differences->len, ==, 2);
  difference = differences->pdata[0];
  g_assert_cmpstr (difference->user_principal_name, ==, "user1@example.com");
  g_assert_cmpint (difference->saved_action, ==, MUSTER_PLAN_ACTION_UPDATE);
  g_assert_cmpint (difference->fresh_action, ==, MUSTER_PLAN_ACTION_UNCHANGED);
  g_assert_cmpstr (difference->summary, ==, "Was Update, now Unchanged");
  difference = differences->pdata[1];
  g_assert_cmpstr (difference->user_principal_name, ==, "user4@example.com");
  g_assert_cmpint (difference->saved_action, ==, MUSTER_PLAN_ACTION_UNCHANGED);
  g_assert_cmpint (difference->fresh_action, ==, MUSTER_PLAN_ACTION_UPDATE);
  g_assert_cmpstr (difference->fresh_changes, ==, "displayName: Someone Else → User 4");
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/preview-file/round-trip", Fixture, NULL, fixture_set_up, test_round_trip, fixture_tear_down);
  g_test_add ("/preview-file/damaged", Fixture, NULL, fixture_set_up, test_damaged, fixture_tear_down);
  g_test_add ("/preview-file/push-later", Fixture, NULL, fixture_set_up, test_push_later, fixture_tear_down);
  g_test_add ("/preview-file/compare", Fixture, NULL, fixture_set_up, test_compare, fixture_tear_down);
  return g_test_run ();
}
