/* test-sqlite-target.c: pushing users, roles and groups into real SQLite store files
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "core-test-util.h"
#include "muster-sqlite-target-private.h"
#include "muster-sqlite-target.h"

typedef struct
{
  char               *dir;
  char               *path;
  MusterSqliteTarget *target;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("muster-sqlite-target-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "store", "people.db", NULL);
  fixture->target = muster_sqlite_target_new (fixture->path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->target);
  core_test_remove_tree (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* Helpers -------------------------------------------------------------------------------------- */

static GPtrArray *
apply (MusterSqliteTarget  *target,
       const char          *run_id,
       GPtrArray           *operations,
       GCancellable        *cancellable,
       GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_target_apply_async (MUSTER_TARGET (target), run_id, operations, cancellable,
                             core_test_store_result_cb, &result);
  return muster_target_apply_finish (MUSTER_TARGET (target), core_test_wait (&result), error);
}

/* Applies @operations and asserts that the batch as a whole worked. */
static GPtrArray *
apply_ok (MusterSqliteTarget *target,
          const char         *run_id,
          GPtrArray          *operations)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *results = apply (target, run_id, operations, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (results);
  g_assert_cmpuint (results->len, ==, operations->len);
  for (guint i = 0; i < results->len; i++)
    g_assert_true (((MusterOperationResult *) g_ptr_array_index (results, i))->operation ==
                   g_ptr_array_index (operations, i));
  return results;
}

static MusterOperationResult *
result_at (GPtrArray *results,
           guint      i)
{
  return g_ptr_array_index (results, i);
}

static void
assert_all_ok (GPtrArray *results)
{
  for (guint i = 0; i < results->len; i++)
    {
      MusterOperationResult *result = result_at (results, i);

      g_assert_no_error (result->error);
      g_assert_true (result->ok);
    }
}

static MusterTargetState *
read_state (MusterSqliteTarget  *target,
            GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_target_read_state_async (MUSTER_TARGET (target), NULL, core_test_store_result_cb, &result);
  return muster_target_read_state_finish (MUSTER_TARGET (target), core_test_wait (&result), error);
}

static MusterTargetState *
read_state_ok (MusterSqliteTarget *target)
{
  g_autoptr(GError) error = NULL;
  MusterTargetState *state = read_state (target, &error);

  g_assert_no_error (error);
  g_assert_nonnull (state);
  return state;
}

static MusterTargetUser *
make_user (const char *external_id,
           const char *user_name,
           const char *display_name)
{
  MusterTargetUser *user = muster_target_user_new ();

  user->external_id = g_strdup (external_id);
  user->user_name = g_strdup (user_name);
  muster_target_user_set_attribute (user, MUSTER_ATTR_DISPLAY_NAME, display_name);
  return user;
}

static MusterOperation *
create_op (MusterTargetUser *user)
{
  g_autofree char *key = g_strdup_printf ("create-user:%s", user->external_id);
  MusterOperation *op = muster_operation_new (MUSTER_OPERATION_CREATE_USER, key);

  op->user = muster_target_user_ref (user);
  return op;
}

static MusterOperation *
user_op (MusterOperationKind  kind,
         MusterTargetUser    *user)
{
  g_autofree char *key = g_strdup_printf ("%s:%s", muster_operation_kind_to_string (kind), user->external_id);
  MusterOperation *op = muster_operation_new (kind, key);

  op->user = muster_target_user_ref (user);
  return op;
}

static MusterOperation *
group_op (const char *external_id,
          const char *display_name)
{
  g_autofree char *key = g_strdup_printf ("create-group:%s", external_id);
  MusterOperation *op = muster_operation_new (MUSTER_OPERATION_CREATE_GROUP, key);

  op->group = muster_target_group_new ();
  op->group->external_id = g_strdup (external_id);
  op->group->display_name = g_strdup (display_name);
  return op;
}

static MusterOperation *
member_op (MusterOperationKind  kind,
           const char          *group_external_id,
           const char          *user_external_id)
{
  g_autofree char *key = g_strdup_printf ("%s:%s:%s", muster_operation_kind_to_string (kind),
                                          group_external_id, user_external_id);
  MusterOperation *op = muster_operation_new (kind, key);

  op->group = muster_target_group_new ();
  op->group->external_id = g_strdup (group_external_id);
  op->member_external_id = g_strdup (user_external_id);
  return op;
}

static GPtrArray *
ops_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
}

static sqlite3 *
open_direct (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  return db;
}

/* The first column of the first row of @sql on a connection of its own, as text ("" for NULL,
 * NULL without a row). */
static char *
query (const char *path,
       const char *sql)
{
  sqlite3 *db = open_direct (path);
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  rc = sqlite3_step (stmt);
  g_assert_true (rc == SQLITE_ROW || rc == SQLITE_DONE);
  if (rc == SQLITE_ROW)
    value = g_strdup (sqlite3_column_text (stmt, 0) ? (const char *) sqlite3_column_text (stmt, 0) : "");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
assert_query (const char *path,
              const char *sql,
              const char *expected)
{
  g_autofree char *value = query (path, sql);

  g_assert_cmpstr (value, ==, expected);
}

static void
assert_integrity (const char *path)
{
  assert_query (path, "PRAGMA integrity_check", "ok");
  assert_query (path, "SELECT count(*) FROM pragma_foreign_key_check", "0");
}

/* Everything the store holds, as one text, to compare a store before and after. */
static char *
dump_store (const char *path)
{
  static const char * const tables[] = {
    "SELECT * FROM users ORDER BY id",
    "SELECT * FROM roles ORDER BY name",
    "SELECT * FROM user_roles ORDER BY user_id, role",
    "SELECT * FROM groups ORDER BY id",
    "SELECT * FROM group_members ORDER BY group_id, user_id",
    "SELECT * FROM sync_runs ORDER BY run_id",
    "SELECT * FROM sync_results ORDER BY run_id, operation_key",
  };
  GString *out = g_string_new (NULL);
  sqlite3 *db = open_direct (path);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      sqlite3_stmt *stmt = NULL;

      g_string_append_printf (out, "%s\n", tables[t]);
      g_assert_cmpint (sqlite3_prepare_v2 (db, tables[t], -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            {
              const char *text = (const char *) sqlite3_column_text (stmt, c);

              g_string_append_printf (out, "%s|", text ? text : "<null>");
            }
          g_string_append_c (out, '\n');
        }
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static MusterTargetUser *
full_user (const char *external_id,
           const char *user_name)
{
  MusterTargetUser *user = make_user (external_id, user_name, "Ann Example");
  const char *roles[] = { "reviewer", "editor", NULL };

  user->user_type = MUSTER_USER_TYPE_ADMINISTRATOR;
  muster_target_user_set_roles (user, roles);
  muster_target_user_set_attribute (user, MUSTER_ATTR_GIVEN_NAME, "Ann");
  muster_target_user_set_attribute (user, MUSTER_ATTR_FAMILY_NAME, "Example");
  muster_target_user_set_attribute (user, MUSTER_ATTR_EMAIL, "ann@contoso.com");
  muster_target_user_set_attribute (user, MUSTER_ATTR_TITLE, "Engineer");
  muster_target_user_set_attribute (user, MUSTER_ATTR_DEPARTMENT, "Research");
  muster_target_user_set_attribute (user, MUSTER_ATTR_MANAGER, "manager-entra-id");
  muster_target_user_set_attribute (user, MUSTER_ATTR_EMPLOYEE_NUMBER, "E-1001");
  muster_target_user_set_attribute (user, MUSTER_ATTR_MOBILE_PHONE, "+1 555 0100");
  muster_target_user_set_attribute (user, MUSTER_ATTR_OFFICE_LOCATION, "Building 7");
  return user;
}

static void
assert_same_user (const MusterTargetUser *expected,
                  const MusterTargetUser *actual)
{
  const char * const *names = muster_target_attribute_names ();

  g_assert_nonnull (actual);
  g_assert_cmpstr (actual->external_id, ==, expected->external_id);
  g_assert_cmpstr (actual->user_name, ==, expected->user_name);
  g_assert_cmpint (actual->active, ==, expected->active);
  g_assert_cmpint (actual->user_type, ==, expected->user_type);
  g_assert_cmpstrv (actual->roles, expected->roles);
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_cmpstr (muster_target_user_get_attribute (actual, names[i]), ==,
                     muster_target_user_get_attribute (expected, names[i]));
  g_assert_cmpuint (g_hash_table_size (actual->attributes), ==, g_hash_table_size (expected->attributes));
}

static void
progress_cb (MusterTarget *target,
             guint         done,
             guint         total,
             gpointer      user_data)
{
  guint *last = user_data;

  g_assert_cmpuint (done, <=, total);
  last[0] = done;
  last[1] = total;
  last[2]++;
}

/* Tests ---------------------------------------------------------------------------------------- */

static void
test_create (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(MusterTargetUser) ann = full_user ("entra-ann", "ann@contoso.com");
  g_autoptr(MusterTargetUser) bob = make_user ("entra-bob", "bob@contoso.com", "Bob");
  g_autoptr(GPtrArray) ops = ops_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *description = NULL;
  const char *expected_roles[] = { "editor", "reviewer", NULL };
  GStatBuf st;
  guint progress[3] = { 0 };

  /* Nothing is made before the store is used. */
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
  uri = muster_target_get_uri (MUSTER_TARGET (fixture->target));
  g_assert_true (g_str_has_prefix (uri, "sqlite:/"));
  g_assert_true (g_str_has_suffix (uri, "/store/people.db"));
  description = muster_target_describe (MUSTER_TARGET (fixture->target));
  g_assert_nonnull (strstr (description, fixture->path));
  g_assert_cmpint (muster_target_get_features (MUSTER_TARGET (fixture->target)), ==,
                   MUSTER_TARGET_FEATURE_GROUPS | MUSTER_TARGET_FEATURE_DELETE | MUSTER_TARGET_FEATURE_ROLES |
                   MUSTER_TARGET_FEATURE_USER_TYPE | MUSTER_TARGET_FEATURE_ENTERPRISE);

  bob->active = FALSE;
  g_ptr_array_add (ops, create_op (ann));
  g_ptr_array_add (ops, create_op (bob));
  results = apply_ok (fixture->target, "run-1", ops);
  assert_all_ok (results);
  g_assert_cmpstr (result_at (results, 0)->target_id, ==, "1");
  g_assert_cmpstr (result_at (results, 1)->target_id, ==, "2");

  /* Private to the user, in WAL mode, marked as Muster's. */
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  {
    g_autofree char *folder = g_path_get_dirname (fixture->path);
    g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);

    g_assert_cmpint (g_stat (folder, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0700);
    /* SQLite gives the WAL the database's mode. */
    g_assert_cmpint (g_stat (wal, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
  assert_query (fixture->path, "PRAGMA journal_mode", "wal");
  assert_query (fixture->path, "PRAGMA user_version", "1");
  assert_query (fixture->path, "PRAGMA application_id", "1297437522");
  assert_integrity (fixture->path);

  /* A person with sqlite3 reads plain columns. */
  assert_query (fixture->path,
                "SELECT external_id || '|' || user_name || '|' || active || '|' || user_type || '|' || "
                "display_name || '|' || given_name || '|' || family_name || '|' || email || '|' || title || '|' || "
                "department || '|' || manager_external_id || '|' || employee_number || '|' || mobile_phone || '|' || "
                "office_location FROM users WHERE id = 1",
                "entra-ann|ann@contoso.com|1|administrator|Ann Example|Ann|Example|ann@contoso.com|Engineer|"
                "Research|manager-entra-id|E-1001|+1 555 0100|Building 7");
  assert_query (fixture->path, "SELECT active || user_type || coalesce (title, 'none') FROM users WHERE id = 2",
                "0usernone");
  assert_query (fixture->path, "SELECT group_concat (role, ',') FROM (SELECT role FROM user_roles WHERE user_id = 1 ORDER BY role)",
                "editor,reviewer");
  assert_query (fixture->path, "SELECT group_concat (name, ',') FROM (SELECT name FROM roles ORDER BY name)",
                "editor,reviewer");
  assert_query (fixture->path, "SELECT length (created_at) = 20 AND created_at = updated_at AND created_at LIKE '20%Z' FROM users WHERE id = 1",
                "1");

  /* The overview a person reads first. */
  assert_query (fixture->path,
                "SELECT user_name || '|' || user_type || '|' || active || '|' || roles || '|' || coalesce (manager, '-')"
                " FROM user_overview WHERE id = 1",
                "ann@contoso.com|administrator|1|editor, reviewer|-");

  /* The journal committed with the data. */
  assert_query (fixture->path, "SELECT run_id || ' ' || batches || ' ' || (started_at <= finished_at) FROM sync_runs",
                "run-1 1 1");
  assert_query (fixture->path, "SELECT group_concat (DISTINCT batch) FROM sync_results", "1");
  assert_query (fixture->path,
                "SELECT group_concat (operation_key || ',' || kind || ',' || external_id || ',' || target_id || ',' || ok, ';')"
                " FROM (SELECT * FROM sync_results ORDER BY operation_key)",
                "create-user:entra-ann,create-user,entra-ann,1,1;create-user:entra-bob,create-user,entra-bob,2,1");

  /* Read back, with progress on this thread. */
  g_signal_connect (fixture->target, "progress", G_CALLBACK (progress_cb), progress);
  state = read_state_ok (fixture->target);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 2);
  g_assert_cmpstrv (muster_target_state_get_roles (state), expected_roles);
  assert_same_user (ann, muster_target_state_lookup_user_by_external_id (state, "entra-ann"));
  assert_same_user (bob, muster_target_state_lookup_user_by_external_id (state, "entra-bob"));
  g_assert_cmpstr (muster_target_state_lookup_user_by_user_name (state, "ANN@Contoso.com")->id, ==, "1");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (progress[2], >=, 1);
  g_assert_cmpuint (progress[0], ==, 2);
  g_assert_cmpuint (progress[1], ==, 2);
}

static void
test_empty_file (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autofree char *folder = g_path_get_dirname (fixture->path);

  /* An admin may create the file first (touch, a file chooser): an empty file is a new store. */
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_file_set_contents (fixture->path, "", 0, &error);
  g_assert_no_error (error);

  g_assert_true (muster_sqlite_target_open (fixture->target, &error));
  g_assert_no_error (error);
  state = read_state_ok (fixture->target);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 0);
  g_assert_cmpuint (muster_target_state_get_groups (state)->len, ==, 0);
  g_assert_cmpuint (g_strv_length ((char **) muster_target_state_get_roles (state)), ==, 0);
  assert_query (fixture->path, "PRAGMA user_version", "1");
  assert_integrity (fixture->path);
}

static void
test_update_changes (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(MusterTargetUser) ann = full_user ("entra-ann", "ann@contoso.com");
  g_autoptr(MusterTargetUser) desired = NULL;
  g_autoptr(GPtrArray) ops = ops_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) update = ops_new ();
  g_autoptr(MusterTargetState) state = NULL;
  MusterOperation *op;
  MusterTargetUser *stored;
  const char *new_roles[] = { "owner", NULL };
  const char *offered[] = { "editor", "owner", "reviewer", NULL };

  g_ptr_array_add (ops, create_op (ann));
  results = apply_ok (fixture->target, "run-1", ops);
  assert_all_ok (results);
  /* Make updated_at visibly older, to see which rows an update touches. */
  g_clear_pointer (&results, g_ptr_array_unref);
  {
    sqlite3 *db = open_direct (fixture->path);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE users SET updated_at = '2000-01-01T00:00:00Z'", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }

  /* The desired user differs in more than the changes say: only the changes are written. */
  desired = muster_target_user_copy (ann);
  g_free (desired->id);
  desired->id = g_strdup ("1");
  muster_target_user_set_attribute (desired, MUSTER_ATTR_TITLE, "Principal Engineer");
  muster_target_user_set_attribute (desired, MUSTER_ATTR_DEPARTMENT, "Not sent");
  muster_target_user_set_attribute (desired, MUSTER_ATTR_MOBILE_PHONE, NULL);
  muster_target_user_set_roles (desired, new_roles);
  desired->user_type = MUSTER_USER_TYPE_BILLING_ADMINISTRATOR;
  g_free (desired->user_name);
  desired->user_name = g_strdup ("ann.example@contoso.com");
  op = user_op (MUSTER_OPERATION_UPDATE_USER, desired);
  g_ptr_array_add (op->changes, muster_field_change_new (MUSTER_ATTR_TITLE, "Engineer", "Principal Engineer"));
  g_ptr_array_add (op->changes, muster_field_change_new (MUSTER_ATTR_MOBILE_PHONE, "+1 555 0100", NULL));
  g_ptr_array_add (op->changes, muster_field_change_new (MUSTER_FIELD_ROLES, "editor, reviewer", "owner"));
  g_ptr_array_add (op->changes, muster_field_change_new (MUSTER_FIELD_USER_TYPE, "administrator", "billing-administrator"));
  g_ptr_array_add (op->changes, muster_field_change_new (MUSTER_FIELD_USER_NAME, "ann@contoso.com", "ann.example@contoso.com"));
  g_ptr_array_add (update, op);
  results = apply_ok (fixture->target, "run-2", update);
  assert_all_ok (results);
  g_assert_cmpstr (result_at (results, 0)->target_id, ==, "1");
  g_clear_pointer (&results, g_ptr_array_unref);
  /* An empty batch is no batch; a second batch of a run is counted and keeps started_at. */
  {
    g_autoptr(GPtrArray) none = ops_new ();

    results = apply_ok (fixture->target, "run-2", none);
    g_assert_cmpuint (results->len, ==, 0);
    g_clear_pointer (&results, g_ptr_array_unref);
    results = apply_ok (fixture->target, "run-2", update);
    assert_all_ok (results);
  }
  assert_query (fixture->path, "SELECT batches FROM sync_runs WHERE run_id = 'run-2'", "2");
  assert_query (fixture->path, "SELECT group_concat (batch) FROM sync_results WHERE run_id = 'run-2'", "1,2");

  state = read_state_ok (fixture->target);
  stored = muster_target_state_lookup_user_by_external_id (state, "entra-ann");
  g_assert_nonnull (stored);
  g_assert_cmpstr (muster_target_user_get_attribute (stored, MUSTER_ATTR_TITLE), ==, "Principal Engineer");
  g_assert_cmpstr (muster_target_user_get_attribute (stored, MUSTER_ATTR_DEPARTMENT), ==, "Research");
  g_assert_null (muster_target_user_get_attribute (stored, MUSTER_ATTR_MOBILE_PHONE));
  g_assert_cmpstr (muster_target_user_get_attribute (stored, MUSTER_ATTR_EMAIL), ==, "ann@contoso.com");
  g_assert_cmpstrv (stored->roles, new_roles);
  g_assert_cmpint (stored->user_type, ==, MUSTER_USER_TYPE_BILLING_ADMINISTRATOR);
  g_assert_cmpstr (stored->user_name, ==, "ann.example@contoso.com");
  /* Roles given are offered from then on; the old ones stay offered. */
  g_assert_cmpstrv (muster_target_state_get_roles (state), offered);
  assert_query (fixture->path, "SELECT updated_at > '2000-01-01T00:00:00Z' FROM users WHERE id = 1", "1");
  assert_query (fixture->path, "SELECT mobile_phone IS NULL FROM users WHERE id = 1", "1");
  assert_integrity (fixture->path);
}

static void
test_update_adopts_and_conflicts (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(MusterTargetUser) cyd = make_user ("entra-cyd", "cyd@contoso.com", "Cyd");
  g_autoptr(MusterTargetUser) matched = make_user ("entra-dee", "dee@contoso.com", "Dee");
  g_autoptr(MusterTargetUser) gone = make_user ("entra-gone", "gone@contoso.com", "Gone");
  g_autoptr(GPtrArray) ops = ops_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  MusterOperation *op;
  sqlite3 *db;

  g_assert_true (muster_sqlite_target_open (fixture->target, NULL));
  /* dee was there before Muster: no external_id. */
  db = open_direct (fixture->path);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO users (user_name, display_name, created_at, updated_at) VALUES"
                                 " ('dee@contoso.com', 'Dee', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_ptr_array_add (ops, create_op (cyd));
  g_clear_pointer (&results, g_ptr_array_unref);
  results = apply_ok (fixture->target, "run-1", ops);
  assert_all_ok (results);
  g_clear_pointer (&results, g_ptr_array_unref);
  g_ptr_array_set_size (ops, 0);

  /* Matched by userName: the update carries the Entra id, which the row takes. */
  matched->id = g_strdup ("1");
  op = user_op (MUSTER_OPERATION_UPDATE_USER, matched);
  g_ptr_array_add (op->changes, muster_field_change_new (MUSTER_FIELD_EXTERNAL_ID, NULL, "entra-dee"));
  g_ptr_array_add (op->changes, muster_field_change_new (MUSTER_ATTR_TITLE, NULL, "Chef"));
  g_ptr_array_add (ops, op);
  /* Renaming dee to cyd's name (differing in case only) is a conflict and changes nothing. */
  op = user_op (MUSTER_OPERATION_UPDATE_USER, matched);
  g_ptr_array_add (op->changes, muster_field_change_new (MUSTER_FIELD_USER_NAME, "dee@contoso.com", "CYD@contoso.com"));
  g_ptr_array_add (op->changes, muster_field_change_new (MUSTER_ATTR_DEPARTMENT, NULL, "Never written"));
  g_free (op->key);
  op->key = g_strdup ("update-user:entra-dee:2");
  g_ptr_array_add (ops, op);
  /* A user no longer in the store. */
  gone->id = g_strdup ("999");
  op = user_op (MUSTER_OPERATION_UPDATE_USER, gone);
  g_ptr_array_add (op->changes, muster_field_change_new (MUSTER_ATTR_TITLE, NULL, "Ghost"));
  g_ptr_array_add (ops, op);
  op = user_op (MUSTER_OPERATION_DISABLE_USER, gone);
  g_ptr_array_add (ops, op);
  /* Taking an Entra id another user has. */
  op = user_op (MUSTER_OPERATION_UPDATE_USER, cyd);
  g_ptr_array_add (op->changes, muster_field_change_new (MUSTER_FIELD_EXTERNAL_ID, "entra-cyd", "entra-dee"));
  g_free (op->key);
  op->key = g_strdup ("update-user:entra-cyd:steal");
  g_ptr_array_add (ops, op);
  /* A field the store does not have. */
  op = user_op (MUSTER_OPERATION_UPDATE_USER, cyd);
  g_ptr_array_add (op->changes, muster_field_change_new ("shoeSize", NULL, "44"));
  g_free (op->key);
  op->key = g_strdup ("update-user:entra-cyd:shoes");
  g_ptr_array_add (ops, op);

  before = query (fixture->path, "SELECT count(*) FROM users");
  results = apply_ok (fixture->target, "run-2", ops);
  g_assert_true (result_at (results, 0)->ok);
  g_assert_cmpstr (result_at (results, 0)->target_id, ==, "1");
  g_assert_error (result_at (results, 1)->error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_CONFLICT);
  g_assert_error (result_at (results, 2)->error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_CONFLICT);
  g_assert_error (result_at (results, 3)->error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_CONFLICT);
  g_assert_error (result_at (results, 4)->error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_CONFLICT);
  g_assert_nonnull (strstr (result_at (results, 4)->error->message, "entra-dee"));
  g_assert_error (result_at (results, 5)->error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_UNSUPPORTED);
  after = query (fixture->path, "SELECT count(*) FROM users");
  g_assert_cmpstr (before, ==, after);

  assert_query (fixture->path, "SELECT external_id || ' ' || user_name || ' ' || title || ' ' || coalesce (department, '-') FROM users WHERE id = 1",
                "entra-dee dee@contoso.com Chef -");
  /* Failures are in the journal too, with the store's words. */
  assert_query (fixture->path, "SELECT ok || ' ' || (error LIKE '%CYD@contoso.com%') FROM sync_results WHERE operation_key = 'update-user:entra-dee:2'",
                "0 1");
  assert_query (fixture->path, "SELECT count(*) FROM sync_results WHERE run_id = 'run-2'", "6");
  assert_query (fixture->path, "SELECT external_id FROM users WHERE user_name = 'cyd@contoso.com'", "entra-cyd");
  assert_integrity (fixture->path);
}

static void
test_disable_delete (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(MusterTargetUser) ann = full_user ("entra-ann", "ann@contoso.com");
  g_autoptr(MusterTargetUser) bob = make_user ("entra-bob", "bob@contoso.com", "Bob");
  g_autoptr(MusterTargetUser) nobody = make_user ("entra-nobody", "nobody@contoso.com", "Nobody");
  g_autoptr(GPtrArray) ops = ops_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  MusterTargetGroup *group;

  g_ptr_array_add (ops, create_op (ann));
  g_ptr_array_add (ops, create_op (bob));
  g_ptr_array_add (ops, group_op ("entra-group", "Research"));
  g_ptr_array_add (ops, member_op (MUSTER_OPERATION_ADD_MEMBER, "entra-group", "entra-ann"));
  g_ptr_array_add (ops, member_op (MUSTER_OPERATION_ADD_MEMBER, "entra-group", "entra-bob"));
  g_clear_pointer (&results, g_ptr_array_unref);
  results = apply_ok (fixture->target, "run-1", ops);
  assert_all_ok (results);
  g_clear_pointer (&results, g_ptr_array_unref);
  g_ptr_array_set_size (ops, 0);

  /* Ops reference users by Entra id alone here: the store resolves them. */
  g_ptr_array_add (ops, user_op (MUSTER_OPERATION_DISABLE_USER, bob));
  g_ptr_array_add (ops, user_op (MUSTER_OPERATION_DELETE_USER, ann));
  g_ptr_array_add (ops, user_op (MUSTER_OPERATION_DELETE_USER, nobody));
  results = apply_ok (fixture->target, "run-2", ops);
  assert_all_ok (results);
  g_assert_cmpstr (result_at (results, 0)->target_id, ==, "2");
  g_assert_cmpstr (result_at (results, 1)->target_id, ==, "1");
  g_assert_null (result_at (results, 2)->target_id);

  state = read_state_ok (fixture->target);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 1);
  g_assert_null (muster_target_state_lookup_user_by_external_id (state, "entra-ann"));
  g_assert_false (muster_target_state_lookup_user_by_external_id (state, "entra-bob")->active);
  /* A disabled user keeps everything else, and stays a member. */
  g_assert_cmpstr (muster_target_user_get_attribute (muster_target_state_lookup_user_by_id (state, "2"),
                                                     MUSTER_ATTR_DISPLAY_NAME), ==, "Bob");
  group = muster_target_state_lookup_group_by_external_id (state, "entra-group");
  g_assert_cmpuint (g_hash_table_size (group->members), ==, 1);
  g_assert_true (g_hash_table_contains (group->members, "2"));
  assert_query (fixture->path, "SELECT groups || ' ' || active FROM user_overview WHERE id = 2", "Research 0");
  /* The deleted user's roles and memberships went with it. */
  assert_query (fixture->path, "SELECT count(*) FROM user_roles", "0");
  assert_query (fixture->path, "SELECT count(*) FROM group_members WHERE user_id = 1", "0");
  assert_integrity (fixture->path);
}

static void
test_roles (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) roles = NULL;
  g_autoptr(MusterTargetUser) ann = full_user ("entra-ann", "ann@contoso.com");
  g_autoptr(GPtrArray) ops = ops_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GAsyncResult) async_result = NULL;
  const char *two[] = { "Approver", "editor", NULL };
  const char *three[] = { "Approver", "editor", "reviewer", NULL };
  const char *after_remove[] = { "Approver", "reviewer", NULL };
  const char *ann_after[] = { "reviewer", NULL };

  roles = muster_sqlite_target_list_roles (fixture->target, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (roles), ==, 0);
  g_clear_pointer (&roles, g_strfreev);

  g_assert_true (muster_sqlite_target_add_role (fixture->target, "editor", &error));
  g_assert_true (muster_sqlite_target_add_role (fixture->target, "Approver", &error));
  g_assert_true (muster_sqlite_target_add_role (fixture->target, "editor", &error));
  g_assert_no_error (error);
  g_assert_false (muster_sqlite_target_add_role (fixture->target, " padded ", &error));
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (muster_sqlite_target_add_role (fixture->target, "tab\there", &error));
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (muster_sqlite_target_add_role (fixture->target, "", &error));
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID);
  g_clear_error (&error);

  muster_sqlite_target_list_roles_async (fixture->target, NULL, core_test_store_result_cb, &async_result);
  roles = muster_sqlite_target_list_roles_finish (fixture->target, core_test_wait (&async_result), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (roles, two);
  g_clear_pointer (&roles, g_strfreev);
  g_clear_object (&async_result);

  /* A role the store did not offer yet ("reviewer") becomes offered. */
  g_ptr_array_add (ops, create_op (ann));
  results = apply_ok (fixture->target, "run-1", ops);
  assert_all_ok (results);
  roles = muster_sqlite_target_list_roles (fixture->target, &error);
  g_assert_cmpstrv (roles, three);
  g_clear_pointer (&roles, g_strfreev);

  /* Removing a role takes it from its users. */
  muster_sqlite_target_remove_role_async (fixture->target, "editor", NULL, core_test_store_result_cb, &async_result);
  g_assert_true (muster_sqlite_target_remove_role_finish (fixture->target, core_test_wait (&async_result), &error));
  g_assert_no_error (error);
  g_clear_object (&async_result);
  g_assert_false (muster_sqlite_target_remove_role (fixture->target, "editor", &error));
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID);
  g_clear_error (&error);

  state = read_state_ok (fixture->target);
  g_assert_cmpstrv (muster_target_state_get_roles (state), after_remove);
  g_assert_cmpstrv (muster_target_state_lookup_user_by_external_id (state, "entra-ann")->roles, ann_after);
  assert_integrity (fixture->path);
}

static void
test_groups (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(MusterTargetUser) ann = make_user ("entra-ann", "ann@contoso.com", "Ann");
  g_autoptr(MusterTargetUser) bob = make_user ("entra-bob", "bob@contoso.com", "Bob");
  g_autoptr(GPtrArray) ops = ops_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  MusterTargetGroup *group;
  MusterOperation *op;

  /* Users and a group made in the same batch as the memberships that refer to them. */
  g_ptr_array_add (ops, create_op (ann));
  g_ptr_array_add (ops, create_op (bob));
  g_ptr_array_add (ops, group_op ("entra-research", "Research"));
  g_ptr_array_add (ops, member_op (MUSTER_OPERATION_ADD_MEMBER, "entra-research", "entra-ann"));
  g_ptr_array_add (ops, member_op (MUSTER_OPERATION_ADD_MEMBER, "entra-research", "entra-bob"));
  /* Adding a member twice is one membership. */
  op = member_op (MUSTER_OPERATION_ADD_MEMBER, "entra-research", "entra-bob");
  g_free (op->key);
  op->key = g_strdup ("add-member:again");
  g_ptr_array_add (ops, op);
  /* A member the store does not have fails alone. */
  g_ptr_array_add (ops, member_op (MUSTER_OPERATION_ADD_MEMBER, "entra-research", "entra-nobody"));
  g_ptr_array_add (ops, member_op (MUSTER_OPERATION_ADD_MEMBER, "entra-nogroup", "entra-ann"));
  /* Another Entra group under a name already taken (case aside) is a conflict. */
  g_ptr_array_add (ops, group_op ("entra-other", "RESEARCH"));
  results = apply_ok (fixture->target, "run-1", ops);
  for (guint i = 0; i < 6; i++)
    {
      g_assert_no_error (result_at (results, i)->error);
      g_assert_true (result_at (results, i)->ok);
    }
  g_assert_cmpstr (result_at (results, 2)->target_id, ==, "1");
  g_assert_cmpstr (result_at (results, 3)->target_id, ==, "1");
  g_assert_error (result_at (results, 6)->error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED);
  g_assert_error (result_at (results, 7)->error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED);
  g_assert_error (result_at (results, 8)->error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_CONFLICT);
  assert_query (fixture->path, "SELECT count(*) FROM group_members", "2");
  assert_query (fixture->path, "SELECT count(*) FROM groups", "1");
  g_clear_pointer (&results, g_ptr_array_unref);
  g_ptr_array_set_size (ops, 0);

  /* Creating the same Entra group again finds it (and takes the new name); removing a member
   * twice, or one that never was, is done. Target ids work as well as Entra ids. */
  g_ptr_array_add (ops, group_op ("entra-research", "Research & Development"));
  op = member_op (MUSTER_OPERATION_REMOVE_MEMBER, "entra-research", "entra-ann");
  g_free (op->group->external_id);
  op->group->external_id = NULL;
  op->group->id = g_strdup ("1");
  op->member_id = g_strdup ("1");
  g_ptr_array_add (ops, op);
  op = member_op (MUSTER_OPERATION_REMOVE_MEMBER, "entra-research", "entra-ann");
  g_free (op->key);
  op->key = g_strdup ("remove-member:again");
  g_ptr_array_add (ops, op);
  g_ptr_array_add (ops, member_op (MUSTER_OPERATION_REMOVE_MEMBER, "entra-research", "entra-nobody"));
  results = apply_ok (fixture->target, "run-2", ops);
  assert_all_ok (results);
  g_assert_cmpstr (result_at (results, 0)->target_id, ==, "1");

  state = read_state_ok (fixture->target);
  g_assert_cmpuint (muster_target_state_get_groups (state)->len, ==, 1);
  group = muster_target_state_lookup_group_by_name (state, "research & development");
  g_assert_nonnull (group);
  g_assert_cmpstr (group->id, ==, "1");
  g_assert_cmpstr (group->external_id, ==, "entra-research");
  g_assert_cmpuint (g_hash_table_size (group->members), ==, 1);
  g_assert_true (g_hash_table_contains (group->members, "2"));
  assert_integrity (fixture->path);
}

static void
test_idempotent_create (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(MusterTargetUser) ann = full_user ("entra-ann", "ann@contoso.com");
  g_autoptr(MusterTargetUser) again = NULL;
  g_autoptr(MusterTargetUser) clash = make_user ("entra-other", "Ann@Contoso.COM", "Other Ann");
  g_autoptr(MusterTargetUser) nameless = make_user ("entra-nameless", NULL, "Nameless");
  g_autoptr(GPtrArray) ops = ops_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  const char *roles[] = { "viewer", NULL };

  g_ptr_array_add (ops, create_op (ann));
  results = apply_ok (fixture->target, "run-1", ops);
  assert_all_ok (results);
  g_clear_pointer (&results, g_ptr_array_unref);
  g_ptr_array_set_size (ops, 0);

  /* The same create again (a rerun after a crash, say): the row is brought up to date. */
  again = muster_target_user_copy (ann);
  muster_target_user_set_attribute (again, MUSTER_ATTR_TITLE, "Director");
  muster_target_user_set_attribute (again, MUSTER_ATTR_EMPLOYEE_NUMBER, NULL);
  muster_target_user_set_roles (again, roles);
  g_ptr_array_add (ops, create_op (again));
  g_ptr_array_add (ops, create_op (clash));
  g_ptr_array_add (ops, create_op (nameless));
  results = apply_ok (fixture->target, "run-2", ops);
  g_assert_true (result_at (results, 0)->ok);
  g_assert_cmpstr (result_at (results, 0)->target_id, ==, "1");
  g_assert_error (result_at (results, 1)->error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_CONFLICT);
  g_assert_false (result_at (results, 1)->ok);
  g_assert_null (result_at (results, 1)->target_id);
  g_assert_error (result_at (results, 2)->error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED);

  state = read_state_ok (fixture->target);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 1);
  assert_same_user (again, muster_target_state_lookup_user_by_id (state, "1"));
  assert_query (fixture->path, "SELECT count(*) FROM users", "1");
  assert_query (fixture->path, "SELECT group_concat (role) FROM user_roles", "viewer");
  assert_integrity (fixture->path);
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char * const hostile[] = {
    "\u202Eevil\u202C \u05E9\u05DC\u05D5\u05DD \u0645\u0631\u062D\u0628\u0627",  /* RTL override, Hebrew, Arabic */
    "bell\x07 esc\x1b[31m tab\t cr\r lf\n del\x7f",
    "=HYPERLINK(\"http://example.com\",\"click\")",
    "+1 555 0100",
    "-2+3",
    "@SUM(A1:A9)",
    "'; DROP TABLE users; --",
    "\"quoted\" and 'single' and \\backslash%_",
    "e\xCC\x81 \xF0\x9F\x98\x80 \xEF\xBB\xBF zero\xE2\x80\x8Bwidth",
    " leading and trailing ",
  };
  g_autoptr(GPtrArray) ops = ops_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_target_user_unref);
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GString) big = g_string_new (NULL);
  const char * const *names = muster_target_attribute_names ();

  while (big->len < 10 * 1024)
    g_string_append (big, "10 kB of \u00E9t\u00E9 \u202E ");

  for (guint u = 0; u < G_N_ELEMENTS (hostile) + 1; u++)
    {
      g_autofree char *external_id = g_strdup_printf ("entra-%u", u);
      g_autofree char *user_name = g_strdup_printf ("user%u+\u00C9mile@contoso.com", u);
      MusterTargetUser *user = make_user (external_id, user_name, NULL);
      const char *roles[] = { u < G_N_ELEMENTS (hostile) ? hostile[u] : big->str, "plain", NULL };

      /* every attribute of user u gets hostile text; the last user gets 10 kB values */
      for (guint a = 0; names[a] != NULL; a++)
        {
          g_autofree char *value = u < G_N_ELEMENTS (hostile)
                                     ? g_strdup_printf ("%s%s", hostile[(u + a) % G_N_ELEMENTS (hostile)], names[a])
                                     : g_strdup_printf ("%s%s", big->str, names[a]);

          muster_target_user_set_attribute (user, names[a], value);
        }
      user->user_type = u % MUSTER_N_USER_TYPES;
      user->active = u % 2 == 0;
      muster_target_user_set_roles (user, roles);
      g_ptr_array_add (users, user);
      g_ptr_array_add (ops, create_op (user));
    }
  results = apply_ok (fixture->target, "run \u202E 1", ops);
  assert_all_ok (results);

  state = read_state_ok (fixture->target);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, users->len);
  for (guint u = 0; u < users->len; u++)
    {
      MusterTargetUser *expected = g_ptr_array_index (users, u);
      g_autofree char *shouted = g_utf8_strup (expected->user_name, -1);

      assert_same_user (expected, muster_target_state_lookup_user_by_external_id (state, expected->external_id));
      g_assert_true (muster_target_state_lookup_user_by_user_name (state, shouted) ==
                     muster_target_state_lookup_user_by_external_id (state, expected->external_id));
    }
  assert_query (fixture->path, "SELECT max (length (CAST (display_name AS BLOB))) >= 10240 FROM users", "1");
  assert_integrity (fixture->path);
}

static void
test_hand_edited (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(MusterTargetState) state = NULL;
  MusterTargetUser *user;
  sqlite3 *db;

  /* Rows another program wrote: bytes that are not UTF-8, no external_id. */
  g_assert_true (muster_sqlite_target_open (fixture->target, NULL));
  db = open_direct (fixture->path);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO users (user_name, display_name, title, created_at, updated_at) VALUES"
                                 " ('bad' || char (0xDC) || x'ff' || '@contoso.com', CAST (x'41c328' AS TEXT),"
                                 " CAST (x'e282' AS TEXT), '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');"
                                 "INSERT INTO groups (display_name, created_at, updated_at) VALUES"
                                 " (CAST (x'ff' AS TEXT), '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  state = read_state_ok (fixture->target);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 1);
  user = g_ptr_array_index (muster_target_state_get_users (state), 0);
  g_assert_null (user->external_id);
  g_assert_true (g_utf8_validate (user->user_name, -1, NULL));
  g_assert_cmpstr (muster_target_user_get_attribute (user, MUSTER_ATTR_DISPLAY_NAME), ==, "A\uFFFD(");
  g_assert_cmpstr (muster_target_user_get_attribute (user, MUSTER_ATTR_TITLE), ==, "\uFFFD\uFFFD");
  g_assert_cmpstr (((MusterTargetGroup *) g_ptr_array_index (muster_target_state_get_groups (state), 0))->display_name,
                   ==, "\uFFFD");
}

static void
test_foreign_file (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GPtrArray) ops = ops_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterTargetUser) ann = make_user ("entra-ann", "ann@contoso.com", "Ann");
  g_autofree char *folder = g_path_get_dirname (fixture->path);
  g_autofree char *text_path = g_build_filename (folder, "notes.txt", NULL);
  g_autoptr(MusterSqliteTarget) text_target = NULL;
  sqlite3 *db = NULL;

  /* Another program's database, with a users table of its own. */
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE users (login TEXT, shell TEXT);"
                                 "INSERT INTO users VALUES ('root', '/bin/sh');", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  before = read_bytes (fixture->path);

  state = read_state (fixture->target, &error);
  g_assert_null (state);
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "not a Muster store"));
  g_clear_error (&error);
  g_ptr_array_add (ops, create_op (ann));
  results = apply (fixture->target, "run-1", ops, NULL, &error);
  g_assert_null (results);
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (muster_sqlite_target_list_roles (fixture->target, &error));
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID);
  g_clear_error (&error);

  after = read_bytes (fixture->path);
  g_assert_true (g_bytes_equal (before, after));
  assert_query (fixture->path, "PRAGMA journal_mode", "delete");
  g_clear_pointer (&before, g_bytes_unref);
  g_clear_pointer (&after, g_bytes_unref);

  /* Not a database at all. */
  g_file_set_contents (text_path, "name,email\nann,ann@contoso.com\n", -1, &error);
  g_assert_no_error (error);
  before = read_bytes (text_path);
  text_target = muster_sqlite_target_new (text_path);
  g_assert_false (muster_sqlite_target_open (text_target, &error));
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID);
  after = read_bytes (text_path);
  g_assert_true (g_bytes_equal (before, after));
}

static void
test_newer_version (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(MusterSqliteTarget) newer = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  sqlite3 *db;

  g_assert_true (muster_sqlite_target_open (fixture->target, &error));
  g_assert_no_error (error);
  g_clear_object (&fixture->target);

  /* What a future Muster would leave. */
  db = open_direct (fixture->path);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 7; CREATE TABLE future (x);", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  before = read_bytes (fixture->path);

  newer = muster_sqlite_target_new (fixture->path);
  state = read_state (newer, &error);
  g_assert_null (state);
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "newer version"));
  g_clear_object (&newer);

  after = read_bytes (fixture->path);
  g_assert_true (g_bytes_equal (before, after));
  assert_query (fixture->path, "PRAGMA user_version", "7");
}

static GPtrArray *
many_creates (guint       first,
              guint       n,
              guint       value_size)
{
  GPtrArray *ops = ops_new ();
  g_autofree char *padding = g_strnfill (value_size, 'x');

  for (guint i = first; i < first + n; i++)
    {
      g_autofree char *external_id = g_strdup_printf ("entra-%06u", i);
      g_autofree char *user_name = g_strdup_printf ("user%06u@contoso.com", i);
      g_autoptr(MusterTargetUser) user = make_user (external_id, user_name, padding);
      const char *roles[] = { "member", NULL };

      muster_target_user_set_roles (user, roles);
      g_ptr_array_add (ops, create_op (user));
    }
  return ops;
}

static void
test_disk_full (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = many_creates (0, 50, 100);
  g_autoptr(GPtrArray) second = many_creates (50, 2000, 1000);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(MusterSqliteTarget) reopened = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  results = apply_ok (fixture->target, "run-1", first);
  assert_all_ok (results);
  g_clear_pointer (&results, g_ptr_array_unref);
  before = dump_store (fixture->path);

  /* Room for a few hundred of the 2,000 users: the disk fills in the middle of the batch. */
  g_assert_true (_muster_sqlite_target_limit_growth (fixture->target, 200, &error));
  g_assert_no_error (error);
  results = apply (fixture->target, "run-2", second, NULL, &error);
  g_assert_null (results);
  g_assert_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "disk is full"));
  g_clear_error (&error);

  /* Exactly as before: no user of the batch, and no journal of it. */
  after = dump_store (fixture->path);
  g_assert_cmpstr (before, ==, after);
  assert_query (fixture->path, "SELECT count(*) FROM sync_runs WHERE run_id = 'run-2'", "0");
  assert_integrity (fixture->path);

  /* With room again, the same batch goes through. */
  g_clear_object (&fixture->target);
  reopened = muster_sqlite_target_new (fixture->path);
  results = apply_ok (reopened, "run-2", second);
  assert_all_ok (results);
  assert_query (fixture->path, "SELECT count(*) FROM users", "2050");
  assert_query (fixture->path, "SELECT count(*) FROM sync_results WHERE run_id = 'run-2' AND ok = 1", "2000");
  assert_integrity (fixture->path);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
assert_all_cancelled (GPtrArray *results,
                      guint      n)
{
  g_assert_nonnull (results);
  g_assert_cmpuint (results->len, ==, n);
  for (guint i = 0; i < results->len; i++)
    {
      g_assert_false (result_at (results, i)->ok);
      g_assert_error (result_at (results, i)->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = many_creates (0, 10, 10);
  g_autoptr(GPtrArray) big = many_creates (10, 50000, 10);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  results = apply_ok (fixture->target, "run-1", first);
  g_clear_pointer (&results, g_ptr_array_unref);
  before = dump_store (fixture->path);

  /* Cancelled before it starts. */
  g_cancellable_cancel (cancellable);
  results = apply (fixture->target, "run-2", first, cancellable, &error);
  g_assert_no_error (error);
  assert_all_cancelled (results, first->len);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Cancelled while 50,000 creates are being made: none of them is kept. */
  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  g_timeout_add (5, cancel_cb, cancellable);
  results = apply (fixture->target, "run-3", big, cancellable, &error);
  g_assert_no_error (error);
  assert_all_cancelled (results, big->len);

  after = dump_store (fixture->path);
  g_assert_cmpstr (before, ==, after);
  assert_integrity (fixture->path);
}

static void
test_concurrent_stores (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(MusterSqliteTarget) second = muster_sqlite_target_new (fixture->path);
  g_autoptr(GPtrArray) a = many_creates (0, 500, 10);
  g_autoptr(GPtrArray) b = many_creates (500, 500, 10);
  g_autoptr(GAsyncResult) result_a = NULL;
  g_autoptr(GAsyncResult) result_b = NULL;
  g_autoptr(GPtrArray) results_a = NULL;
  g_autoptr(GPtrArray) results_b = NULL;
  g_autoptr(GError) error = NULL;

  /* Two targets on one file (two windows, or the CLI beside the app) write in turn. */
  muster_target_apply_async (MUSTER_TARGET (fixture->target), "run-a", a, NULL, core_test_store_result_cb, &result_a);
  muster_target_apply_async (MUSTER_TARGET (second), "run-b", b, NULL, core_test_store_result_cb, &result_b);
  results_a = muster_target_apply_finish (MUSTER_TARGET (fixture->target), core_test_wait (&result_a), &error);
  g_assert_no_error (error);
  results_b = muster_target_apply_finish (MUSTER_TARGET (second), core_test_wait (&result_b), &error);
  g_assert_no_error (error);
  assert_all_ok (results_a);
  assert_all_ok (results_b);
  assert_query (fixture->path, "SELECT count(*) FROM users", "1000");
  assert_integrity (fixture->path);
}

#define WRITER_BATCHES 20
#define WRITER_BATCH 500

static const char *test_program;

/* The child of /sqlite-target/killed: pushes WRITER_BATCHES batches of creates as one run. */
static int
run_writer (const char *path)
{
  g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (path);

  for (guint b = 0; b < WRITER_BATCHES; b++)
    {
      g_autoptr(GPtrArray) ops = many_creates (b * WRITER_BATCH, WRITER_BATCH, 50);
      g_autoptr(GPtrArray) results = apply_ok (target, "kill-run", ops);

      assert_all_ok (results);
    }
  return 0;
}

static void
assert_whole_batches (const char *path)
{
  g_autofree char *users = NULL;
  g_autofree char *journal = NULL;
  guint64 n;

  assert_integrity (path);
  users = query (path, "SELECT count(*) FROM users");
  journal = query (path, "SELECT count(DISTINCT external_id) FROM sync_results WHERE ok = 1");
  /* Every user has its journal row and no journal row lacks its user. */
  g_assert_cmpstr (users, ==, journal);
  assert_query (path, "SELECT count(*) FROM sync_results r LEFT JOIN users u ON u.external_id = r.external_id"
                " WHERE u.id IS NULL", "0");
  /* Only whole batches. */
  n = g_ascii_strtoull (users, NULL, 10);
  g_assert_cmpuint (n % WRITER_BATCH, ==, 0);
}

static void
test_killed (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  for (guint round = 0; round < 4; round++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      g_autoptr(GSubprocess) writer = NULL;
      gint32 delay = g_test_rand_int_range (20, 600);
      const char *suffixes[] = { "", "-wal", "-shm" };

      /* Each round on a new store, but the last: its leftovers are what the final run finds. */
      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);

          g_unlink (file);
        }

      g_subprocess_launcher_setenv (launcher, "MUSTER_TEST_SQLITE_WRITER", fixture->path, TRUE);
      writer = g_subprocess_launcher_spawn (launcher, &error, test_program, NULL);
      g_assert_no_error (error);
      g_usleep (delay * G_TIME_SPAN_MILLISECOND);
      g_subprocess_send_signal (writer, SIGKILL);
      g_subprocess_wait (writer, NULL, &error);
      g_assert_no_error (error);
      if (g_file_test (fixture->path, G_FILE_TEST_EXISTS))
        {
          g_autofree char *tables = query (fixture->path, "SELECT count(*) FROM sqlite_master");
          g_autofree char *users = NULL;

          /* Killed before the schema was committed: an empty file, a new store next time. */
          if (g_str_equal (tables, "0"))
            {
              g_test_message ("round %u: killed after %d ms, before the schema", round, delay);
              assert_query (fixture->path, "PRAGMA user_version", "0");
              continue;
            }
          users = query (fixture->path, "SELECT count(*) FROM users");

          g_test_message ("round %u: %s after %d ms with %s users", round,
                          g_subprocess_get_if_signaled (writer) ? "killed" : "finished", delay, users);
          assert_whole_batches (fixture->path);
        }
    }

  /* A run to the end makes every user once, whatever the killed runs left. */
  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
    g_autoptr(GSubprocess) writer = NULL;

    g_subprocess_launcher_setenv (launcher, "MUSTER_TEST_SQLITE_WRITER", fixture->path, TRUE);
    writer = g_subprocess_launcher_spawn (launcher, &error, test_program, NULL);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_wait_check (writer, NULL, &error));
    g_assert_no_error (error);
  }
  assert_whole_batches (fixture->path);
  assert_query (fixture->path, "SELECT count(*) FROM users", "10000");
  assert_query (fixture->path, "SELECT count(DISTINCT user_name) FROM users", "10000");
  assert_query (fixture->path, "SELECT count(*) FROM sync_results WHERE ok = 0", "0");
}

int
main (int   argc,
      char *argv[])
{
  const char *writer_path = g_getenv ("MUSTER_TEST_SQLITE_WRITER");

  if (writer_path != NULL)
    return run_writer (writer_path);

  test_program = argv[0];
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/sqlite-target/create", test_create);
  ADD ("/sqlite-target/empty-file", test_empty_file);
  ADD ("/sqlite-target/update/changed-fields-only", test_update_changes);
  ADD ("/sqlite-target/update/adopt-and-conflicts", test_update_adopts_and_conflicts);
  ADD ("/sqlite-target/disable-delete", test_disable_delete);
  ADD ("/sqlite-target/roles", test_roles);
  ADD ("/sqlite-target/groups", test_groups);
  ADD ("/sqlite-target/create/idempotent", test_idempotent_create);
  ADD ("/sqlite-target/round-trip/hostile", test_round_trip);
  ADD ("/sqlite-target/read/hand-edited", test_hand_edited);
  ADD ("/sqlite-target/refuse/foreign-file", test_foreign_file);
  ADD ("/sqlite-target/refuse/newer-version", test_newer_version);
  ADD ("/sqlite-target/disk-full", test_disk_full);
  ADD ("/sqlite-target/cancel", test_cancel);
  ADD ("/sqlite-target/two-targets-one-file", test_concurrent_stores);
  ADD ("/sqlite-target/killed", test_killed);
#undef ADD

  return g_test_run ();
}
