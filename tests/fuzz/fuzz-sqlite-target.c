/* fuzz-sqlite-target.c: users made of arbitrary text, through a SQLite store and back; and
 * arbitrary files opened as a store
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input, made valid UTF-8, is split at 0x1F (unit separator) into a user name, the ten target attributes in
 * muster_target_attribute_names() order and roles. Properties: a create with a user name is
 * ok and read_state gives the user back byte for byte (empty attributes absent, roles sorted and
 * unique); a create without one is rejected and leaves the store without users; creating the
 * same Entra id again still leaves one user; the store passes integrity_check. Then the input
 * itself is written to a file and opened as a store: it is refused with the file unchanged, or
 * (an empty file) becomes a store. SQLite's own parsing of damaged files is fuzzed upstream
 * (OSS-Fuzz); this checks Muster's side of the store.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "muster-sqlite-target.h"

static char *folder;

static void
remove_folder (void)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);

      g_unlink (path);
    }
  g_rmdir (folder);
}

static char *
fresh_path (const char *name)
{
  static GHashTable *previous;  /* name → the path handed out for it last */
  static guint counter;
  char *path = NULL;
  const char *suffixes[] = { "", "-wal", "-shm" };

  if (folder == NULL)
    {
      g_autoptr(GError) error = NULL;

      folder = g_dir_make_tmp ("muster-fuzz-sqlite-XXXXXX", &error);
      g_assert_no_error (error);
      atexit (remove_folder);
    }
  /* A name of its own for every input: the previous input's target may still be closing its
   * connection in a worker thread, and a file removed and made again under it reads as an I/O
   * error. That store is removed now, one input later. */
  if (previous == NULL)
    previous = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if ((path = g_strdup (g_hash_table_lookup (previous, name))) != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

        g_unlink (file);
      }
  g_free (path);
  {
    g_autofree char *unique = g_strdup_printf ("%u-%s", counter++, name);

    path = g_build_filename (folder, unique, NULL);
  }
  g_hash_table_replace (previous, g_strdup (name), g_strdup (path));
  return g_steal_pointer (&path);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static GPtrArray *
apply (MusterSqliteTarget *target,
       MusterTargetUser   *user)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MusterOperation *op = muster_operation_new (MUSTER_OPERATION_CREATE_USER, "create-user:fuzz");
  GPtrArray *results;

  op->user = muster_target_user_ref (user);
  g_ptr_array_add (ops, op);
  muster_target_apply_async (MUSTER_TARGET (target), "fuzz-run", ops, NULL, store_result_cb, &result);
  results = muster_target_apply_finish (MUSTER_TARGET (target), wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  return results;
}

static MusterTargetState *
read_state (MusterSqliteTarget *target)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MusterTargetState *state;

  muster_target_read_state_async (MUSTER_TARGET (target), NULL, store_result_cb, &result);
  state = muster_target_read_state_finish (MUSTER_TARGET (target), wait_for (&result), &error);
  g_assert_no_error (error);
  return state;
}

static void
assert_integrity (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
round_trip (const uint8_t *data,
            size_t         size)
{
  g_autofree char *raw = fuzz_dup_string (data, size);
  /* Plans hand the store UTF-8 (what Graph sends); read_state gives back only UTF-8. */
  g_autofree char *text = g_utf8_make_valid (raw, -1);
  g_auto(GStrv) fields = g_strsplit (text, "\x1f", -1);
  g_autofree char *path = fresh_path ("store.db");
  g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (path);
  g_autoptr(MusterTargetUser) user = muster_target_user_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  const char * const *names = muster_target_attribute_names ();
  guint n_fields = g_strv_length (fields);
  MusterOperationResult *result;
  MusterTargetUser *stored;

  user->external_id = g_strdup ("fuzz-entra-id");
  user->user_name = g_strdup (n_fields > 0 ? fields[0] : "");
  for (guint i = 0; names[i] != NULL; i++)
    muster_target_user_set_attribute (user, names[i], 1 + i < n_fields ? fields[1 + i] : NULL);
  if (n_fields > 11)
    muster_target_user_set_roles (user, (const char * const *) fields + 11);
  user->user_type = size % MUSTER_N_USER_TYPES;
  user->active = size % 2 == 0;

  results = apply (target, user);
  result = g_ptr_array_index (results, 0);
  state = read_state (target);

  if (user->user_name[0] == '\0')
    {
      g_assert_false (result->ok);
      g_assert_true (g_error_matches (result->error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED));
      g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 0);
      assert_integrity (path);
      return;
    }

  g_assert_no_error (result->error);
  g_assert_true (result->ok);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 1);
  stored = muster_target_state_lookup_user_by_id (state, result->target_id);
  g_assert_nonnull (stored);
  g_assert_cmpstr (stored->external_id, ==, user->external_id);
  g_assert_cmpstr (stored->user_name, ==, user->user_name);
  g_assert_cmpint (stored->active, ==, user->active);
  g_assert_cmpint (stored->user_type, ==, user->user_type);
  g_assert_cmpstrv (stored->roles, user->roles);
  g_assert_cmpstrv (muster_target_state_get_roles (state), user->roles);
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_cmpstr (muster_target_user_get_attribute (stored, names[i]), ==,
                     muster_target_user_get_attribute (user, names[i]));
  g_assert_true (muster_target_state_lookup_user_by_user_name (state, user->user_name) == stored);

  /* The same create again is the same user. */
  again = apply (target, user);
  g_assert_true (((MusterOperationResult *) g_ptr_array_index (again, 0))->ok);
  g_assert_cmpstr (((MusterOperationResult *) g_ptr_array_index (again, 0))->target_id, ==, result->target_id);
  g_clear_pointer (&state, muster_target_state_unref);
  state = read_state (target);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 1);
  assert_integrity (path);
}

static void
open_as_store (const uint8_t *data,
               size_t         size)
{
  g_autofree char *path = fresh_path ("input.db");
  g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  gsize after_size = 0;

  g_file_set_contents (path, size > 0 ? (const char *) data : "", size, &error);
  g_assert_no_error (error);

  if (muster_sqlite_target_open (target, &error))
    {
      /* Only an empty file becomes a store: anything else is another program's or damaged. */
      g_assert_cmpuint (size, ==, 0);
      return;
    }
  g_assert_true (error->domain == MUSTER_TARGET_ERROR);
  g_clear_object (&target);

  g_file_get_contents (path, &after, &after_size, NULL);
  g_assert_cmpuint (after_size, ==, size);
  g_assert_true (size == 0 || memcmp (after, data, size) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_init ();

  round_trip (data, size);
  open_as_store (data, size);
  return 0;
}
