/* test-history.c: the push history in real history.db files
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core-test-util.h"
#include "muster-history.h"

#define TARGET_URI "sqlite:/srv/people.db"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("muster-history-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "data", "history.db", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  core_test_remove_tree (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* Helpers -------------------------------------------------------------------------------------- */

static MusterOperation *
create_operation (guint       i,
                  const char *display_name)
{
  g_autofree char *id = g_strdup_printf ("0f3d6a00-0000-4000-8000-%012u", i);
  g_autofree char *key = g_strconcat ("create-user:", id, NULL);
  MusterOperation *operation = muster_operation_new (MUSTER_OPERATION_CREATE_USER, key);

  operation->user = muster_target_user_new ();
  operation->user->external_id = g_strdup (id);
  operation->user->user_name = g_strdup_printf ("user%u@example.com", i);
  muster_target_user_set_attribute (operation->user, MUSTER_ATTR_DISPLAY_NAME, display_name);
  return operation;
}

static GPtrArray *
operations_new (guint n)
{
  GPtrArray *operations = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("User %u", i);
      g_ptr_array_add (operations, create_operation (i, name));
    }
  return operations;
}

/* ok for the operations whose bit is set in @ok_mask. */
static GPtrArray *
results_new (GPtrArray *operations,
             guint      ok_mask)
{
  GPtrArray *results = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_result_free);
  g_autoptr(GError) rejected = g_error_new_literal (MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED,
                                                    "userName is already taken");

  for (guint i = 0; i < operations->len; i++)
    {
      MusterOperation *operation = g_ptr_array_index (operations, i);
      g_autofree char *target_id = g_strdup_printf ("%u", i + 1);

      if (ok_mask & (1u << i))
        g_ptr_array_add (results, muster_operation_result_new_ok (operation, target_id));
      else
        g_ptr_array_add (results, muster_operation_result_new_failed (operation, rejected));
    }
  return results;
}

static MusterHistoryResult *
find_result (MusterHistoryRun *run,
             const char       *key)
{
  for (guint i = 0; i < run->results->len; i++)
    {
      MusterHistoryResult *result = g_ptr_array_index (run->results, i);

      if (g_str_equal (result->key, key))
        return result;
    }
  return NULL;
}

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

static char *
write_to_string (MusterHistoryRun   *run,
                 GPtrArray          *runs,
                 MusterExportFormat  format)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (run != NULL)
    ok = muster_history_write_results (run, format, stream, NULL, &error);
  else
    ok = muster_history_write_runs (runs, format, stream, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_output_stream_write_all (stream, "", 1, NULL, NULL, NULL);
  g_output_stream_close (stream, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (stream));
}

/* Drops @object and waits until the worker thread that may still hold it lets go, so the
 * database is closed before the folder is removed. */
static void
release_and_wait (gpointer object)
{
  GObject **slot = object;
  gpointer watch = *slot;

  if (watch == NULL)
    return;
  g_object_add_weak_pointer (watch, &watch);
  g_clear_object (slot);
  for (guint i = 0; watch != NULL && i < 10000; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_null (watch);
}

/* Tests ---------------------------------------------------------------------------------------- */

static void
test_journal (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autoptr(MusterHistoryRun) loaded = NULL;
  g_autoptr(GPtrArray) operations = operations_new (3);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  history = muster_history_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  run = muster_history_begin_run (history, "contoso", TARGET_URI, "SQLite store /srv/people.db",
                                  "ann@contoso.example", operations, &error);
  g_assert_no_error (error);
  g_assert_nonnull (run);
  g_assert_true (g_uuid_string_is_valid (run->id));
  g_assert_cmpint (run->state, ==, MUSTER_RUN_STATE_RUNNING);
  g_assert_cmpuint (run->counts.create, ==, 3);
  g_assert_null (run->resumes);

  /* Before the batch reaches the target: every operation pending. */
  g_assert_true (muster_history_journal_pending (history, run->id, operations, &error));
  g_assert_no_error (error);
  loaded = muster_history_get_run (history, run->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->results->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      MusterHistoryResult *result = g_ptr_array_index (loaded->results, i);
      MusterOperation *operation = g_ptr_array_index (operations, i);

      g_assert_cmpstr (result->key, ==, operation->key);
      g_assert_cmpint (result->status, ==, MUSTER_RESULT_STATUS_PENDING);
      g_assert_cmpstr (result->action, ==, "create");
      g_assert_cmpstr (result->user_id, ==, operation->user->external_id);
      g_assert_cmpstr (result->user_principal_name, ==, operation->user->user_name);
    }
  g_assert_cmpstr (((MusterHistoryResult *) g_ptr_array_index (loaded->results, 1))->display_name, ==, "User 1");
  g_clear_pointer (&loaded, muster_history_run_free);

  /* After: done and failed, with the target's words. */
  results = results_new (operations, 0x5);
  g_assert_true (muster_history_journal_results (history, run->id, results, &error));
  g_assert_no_error (error);
  g_assert_true (muster_history_finish_run (history, run->id, MUSTER_RUN_STATE_PARTIAL, "1 of 3 failed", &error));
  g_assert_no_error (error);

  loaded = muster_history_get_run (history, run->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->state, ==, MUSTER_RUN_STATE_PARTIAL);
  g_assert_cmpuint (loaded->done, ==, 2);
  g_assert_cmpuint (loaded->failed, ==, 1);
  g_assert_cmpuint (loaded->total, ==, 3);
  g_assert_cmpstr (loaded->who, ==, "ann@contoso.example");
  g_assert_cmpstr (loaded->target_description, ==, "SQLite store /srv/people.db");
  g_assert_cmpint (loaded->finished_at, >=, loaded->started_at);
  g_assert_cmpstr (loaded->message, ==, "1 of 3 failed");
  g_assert_cmpint (((MusterHistoryResult *) g_ptr_array_index (loaded->results, 0))->status, ==, MUSTER_RESULT_STATUS_DONE);
  g_assert_cmpstr (((MusterHistoryResult *) g_ptr_array_index (loaded->results, 0))->target_id, ==, "1");
  g_assert_cmpint (((MusterHistoryResult *) g_ptr_array_index (loaded->results, 1))->status, ==, MUSTER_RESULT_STATUS_FAILED);
  g_assert_cmpstr (((MusterHistoryResult *) g_ptr_array_index (loaded->results, 1))->error, ==, "userName is already taken");

  runs = muster_history_list_runs (history, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_null (((MusterHistoryRun *) g_ptr_array_index (runs, 0))->results);
}

static void
test_retried (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(MusterHistoryRun) first = NULL;
  g_autoptr(MusterHistoryRun) second = NULL;
  g_autoptr(MusterHistoryRun) loaded = NULL;
  g_autoptr(GPtrArray) operations = operations_new (3);
  g_autoptr(GPtrArray) retry = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  history = muster_history_open (fixture->path, &error);
  g_assert_no_error (error);

  first = muster_history_begin_run (history, "contoso", TARGET_URI, NULL, NULL, operations, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first->who, ==, g_get_user_name ());
  g_assert_true (muster_history_journal_pending (history, first->id, operations, &error));
  results = results_new (operations, 0x1);
  g_assert_true (muster_history_journal_results (history, first->id, results, &error));
  g_assert_true (muster_history_finish_run (history, first->id, MUSTER_RUN_STATE_PARTIAL, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* The next run does the second one; the third fails again. */
  g_ptr_array_add (retry, muster_operation_ref (g_ptr_array_index (operations, 1)));
  g_ptr_array_add (retry, muster_operation_ref (g_ptr_array_index (operations, 2)));
  second = muster_history_begin_run (history, "contoso", TARGET_URI, NULL, NULL, retry, &error);
  g_assert_no_error (error);
  g_assert_null (second->resumes);  /* the first run finished: nothing to resume */
  g_assert_true (muster_history_journal_pending (history, second->id, retry, &error));
  results = results_new (retry, 0x1);
  g_assert_true (muster_history_journal_results (history, second->id, results, &error));
  g_assert_true (muster_history_finish_run (history, second->id, MUSTER_RUN_STATE_PARTIAL, NULL, &error));
  g_assert_no_error (error);

  loaded = muster_history_get_run (history, first->id, &error);
  g_assert_no_error (error);
  g_assert_null (find_result (loaded, ((MusterOperation *) g_ptr_array_index (operations, 0))->key)->retried_by);
  g_assert_cmpstr (find_result (loaded, ((MusterOperation *) g_ptr_array_index (operations, 1))->key)->retried_by, ==, second->id);
  g_assert_null (find_result (loaded, ((MusterOperation *) g_ptr_array_index (operations, 2))->key)->retried_by);
}

static void
test_interrupted (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(MusterHistoryRun) dead = NULL;
  g_autoptr(MusterHistoryRun) other = NULL;
  g_autoptr(MusterHistoryRun) next = NULL;
  g_autoptr(MusterHistoryRun) loaded = NULL;
  g_autoptr(GPtrArray) operations = operations_new (2);
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;

  {
    /* A process that began a run and vanished: its history closed, its lock gone, its run
     * still `running`. */
    g_autoptr(MusterHistory) gone = muster_history_open (fixture->path, &error);

    g_assert_no_error (error);
    dead = muster_history_begin_run (gone, "contoso", TARGET_URI, NULL, NULL, operations, &error);
    g_assert_no_error (error);
    g_assert_true (muster_history_journal_pending (gone, dead->id, operations, &error));
    g_assert_no_error (error);
    other = muster_history_begin_run (gone, "contoso", "sqlite:/srv/other.db", NULL, NULL, operations, &error);
    g_assert_no_error (error);
  }

  history = muster_history_open (fixture->path, &error);
  g_assert_no_error (error);
  next = muster_history_begin_run (history, "contoso", TARGET_URI, NULL, NULL, operations, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (next->resumes, ==, dead->id);

  loaded = muster_history_get_run (history, dead->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->state, ==, MUSTER_RUN_STATE_INTERRUPTED);
  g_assert_cmpint (loaded->finished_at, >, 0);
  g_assert_nonnull (loaded->message);
  /* What it had sent stays pending: unknown, until the next run does it. */
  g_assert_cmpint (((MusterHistoryResult *) g_ptr_array_index (loaded->results, 0))->status, ==, MUSTER_RESULT_STATUS_PENDING);
  g_clear_pointer (&loaded, muster_history_run_free);

  /* The dead run into the other target shows as interrupted as soon as the history is read
   * (no push holds its lock), and a push into that target resumes it. */
  loaded = muster_history_get_run (history, other->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->state, ==, MUSTER_RUN_STATE_INTERRUPTED);
  g_clear_pointer (&loaded, muster_history_run_free);
  {
    g_autoptr(MusterHistoryRun) picked_up = muster_history_begin_run (history, "contoso", "sqlite:/srv/other.db",
                                                                      NULL, NULL, operations, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (picked_up->resumes, ==, other->id);
    g_assert_true (muster_history_finish_run (history, picked_up->id, MUSTER_RUN_STATE_COMPLETED, NULL, &error));
  }

  {
    g_autoptr(GPtrArray) results = results_new (operations, 0x3);

    g_assert_true (muster_history_journal_pending (history, next->id, operations, &error));
    g_assert_true (muster_history_journal_results (history, next->id, results, &error));
    g_assert_true (muster_history_finish_run (history, next->id, MUSTER_RUN_STATE_COMPLETED, NULL, &error));
    g_assert_no_error (error);
  }
  loaded = muster_history_get_run (history, dead->id, &error);
  g_assert_cmpstr (((MusterHistoryResult *) g_ptr_array_index (loaded->results, 0))->retried_by, ==, next->id);

  runs = muster_history_list_runs (history, "contoso", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 4);
  /* newest first: the run into the other target began last */
  g_assert_cmpstr (((MusterHistoryRun *) g_ptr_array_index (runs, 1))->id, ==, next->id);
  g_assert_cmpint (((MusterHistoryRun *) g_ptr_array_index (runs, 1))->state, ==, MUSTER_RUN_STATE_COMPLETED);
  g_assert_cmpstr (((MusterHistoryRun *) g_ptr_array_index (runs, 3))->id, ==, dead->id);
}

static void
test_lock (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(MusterHistory) first = NULL;
  g_autoptr(MusterHistory) second = NULL;
  g_autoptr(MusterHistoryRun) running = NULL;
  g_autoptr(MusterHistoryRun) refused = NULL;
  g_autoptr(MusterHistoryRun) elsewhere = NULL;
  g_autoptr(MusterHistoryRun) after = NULL;
  g_autoptr(MusterHistoryRun) loaded = NULL;
  g_autoptr(GPtrArray) operations = operations_new (1);
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = g_strdup_printf ("process %d", (int) getpid ());

  first = muster_history_open (fixture->path, &error);
  g_assert_no_error (error);
  second = muster_history_open (fixture->path, &error);
  g_assert_no_error (error);

  running = muster_history_begin_run (first, "contoso", TARGET_URI, "SQLite store /srv/people.db", NULL, operations, &error);
  g_assert_no_error (error);

  /* The second push into the same target fails at once, and says why. */
  refused = muster_history_begin_run (second, "contoso", TARGET_URI, "SQLite store /srv/people.db", NULL, operations, &error);
  g_assert_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_BUSY);
  g_assert_null (refused);
  g_assert_nonnull (strstr (error->message, "SQLite store /srv/people.db"));
  g_assert_nonnull (strstr (error->message, pid));
  g_clear_error (&error);
  /* … and does not mistake the live run for a dead one. */
  loaded = muster_history_get_run (second, running->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->state, ==, MUSTER_RUN_STATE_RUNNING);

  /* Another target, or another profile, is free. */
  elsewhere = muster_history_begin_run (second, "fabrikam", TARGET_URI, NULL, NULL, operations, &error);
  g_assert_no_error (error);
  g_assert_true (muster_history_finish_run (second, elsewhere->id, MUSTER_RUN_STATE_COMPLETED, NULL, &error));

  g_assert_true (muster_history_finish_run (first, running->id, MUSTER_RUN_STATE_COMPLETED, NULL, &error));
  g_assert_no_error (error);
  after = muster_history_begin_run (second, "contoso", TARGET_URI, NULL, NULL, operations, &error);
  g_assert_no_error (error);
  g_assert_null (after->resumes);

  runs = muster_history_list_runs (second, "contoso", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 2);
}

static void
test_refuses_foreign (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *folder = g_path_get_dirname (fixture->path);
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);

  /* Another program's database. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  before = file_checksum (fixture->path);
  history = muster_history_open (fixture->path, &error);
  g_assert_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_FOREIGN);
  g_assert_null (history);
  g_clear_error (&error);
  after = file_checksum (fixture->path);
  g_assert_cmpstr (before, ==, after);
  {
    g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
    g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  }
  g_clear_pointer (&before, g_free);
  g_clear_pointer (&after, g_free);

  /* Not a database at all. */
  g_assert_true (g_file_set_contents (fixture->path, "name,mail\nann,ann@example.com\n", -1, NULL));
  before = file_checksum (fixture->path);
  history = muster_history_open (fixture->path, &error);
  g_assert_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_CORRUPT);
  g_clear_error (&error);
  after = file_checksum (fixture->path);
  g_assert_cmpstr (before, ==, after);
  g_unlink (fixture->path);

  /* A newer Muster's history. */
  history = muster_history_open (fixture->path, &error);
  g_assert_no_error (error);
  g_clear_object (&history);
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  history = muster_history_open (fixture->path, &error);
  g_assert_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_VERSION);
  g_assert_null (history);
}

static void
test_find_and_export (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(MusterHistoryRun) first = NULL;
  g_autoptr(MusterHistoryRun) second = NULL;
  g_autoptr(MusterHistoryRun) loaded = NULL;
  g_autoptr(GPtrArray) operations = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *json = NULL;
  JsonObject *object;
  JsonObject *result;

  history = muster_history_open (fixture->path, &error);
  g_assert_no_error (error);

  /* A display name someone set to a formula, and a name with a comma. */
  g_ptr_array_add (operations, create_operation (0, "=HYPERLINK(\"http://evil.example\")"));
  g_ptr_array_add (operations, create_operation (1, "Doe, Jane"));

  first = muster_history_begin_run (history, "contoso", TARGET_URI, "SQLite store /srv/people.db", "ann", operations, &error);
  g_assert_no_error (error);
  g_assert_true (muster_history_journal_pending (history, first->id, operations, &error));
  results = results_new (operations, 0x1);
  g_assert_true (muster_history_journal_results (history, first->id, results, &error));
  g_assert_true (muster_history_finish_run (history, first->id, MUSTER_RUN_STATE_PARTIAL, NULL, &error));
  second = muster_history_begin_run (history, "fabrikam", TARGET_URI, NULL, "bob", operations, &error);
  g_assert_no_error (error);
  g_assert_true (muster_history_finish_run (history, second->id, MUSTER_RUN_STATE_REFUSED, "over the limit", &error));
  g_assert_no_error (error);

  /* Newest first, and per profile. */
  runs = muster_history_list_runs (history, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 2);
  g_assert_cmpstr (((MusterHistoryRun *) g_ptr_array_index (runs, 0))->id, ==, second->id);
  g_clear_pointer (&runs, g_ptr_array_unref);
  runs = muster_history_list_runs (history, NULL, 1, &error);
  g_assert_cmpuint (runs->len, ==, 1);
  g_clear_pointer (&runs, g_ptr_array_unref);
  runs = muster_history_list_runs (history, "contoso", 0, &error);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_cmpstr (((MusterHistoryRun *) g_ptr_array_index (runs, 0))->id, ==, first->id);

  /* A run by the first characters of its id; a wrong one named. */
  prefix = g_strndup (first->id, 8);
  loaded = muster_history_get_run (history, prefix, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->id, ==, first->id);
  g_assert_null (muster_history_get_run (history, "ffffffff-no-such-run", &error));
  g_assert_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "ffffffff-no-such-run"));
  g_clear_error (&error);
  g_assert_null (muster_history_get_run (history, "%", &error));
  g_assert_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* CSV of results: RFC 4180 quoting, the formula made text. */
  csv = write_to_string (loaded, NULL, MUSTER_EXPORT_FORMAT_CSV);
  g_assert_true (g_str_has_prefix (csv, "Run,Action,Status,"));
  g_assert_nonnull (strstr (csv, "\"'=HYPERLINK(\"\"http://evil.example\"\")\""));
  g_assert_nonnull (strstr (csv, ",\"Doe, Jane\","));
  g_assert_nonnull (strstr (csv, ",failed,user1@example.com,"));
  g_assert_nonnull (strstr (csv, "userName is already taken"));
  g_assert_nonnull (strstr (csv, "\r\n"));
  g_clear_pointer (&csv, g_free);

  /* CSV of runs: one row each after the header. */
  csv = write_to_string (NULL, runs, MUSTER_EXPORT_FORMAT_CSV);
  g_assert_nonnull (strstr (csv, first->id));
  g_assert_nonnull (strstr (csv, ",partial,contoso,sqlite:/srv/people.db,ann,2,0,0,0,0,0,0,2,1,1,"));

  /* JSON round trip. */
  json = write_to_string (loaded, NULL, MUSTER_EXPORT_FORMAT_JSON);
  node = json_from_string (json, &error);
  g_assert_no_error (error);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, first->id);
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "partial");
  g_assert_cmpstr (json_object_get_string_member (object, "who"), ==, "ann");
  g_assert_cmpstr (json_object_get_string_member (object, "target"), ==, TARGET_URI);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "counts"), "create"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "failed"), ==, 1);
  g_assert_true (json_object_get_null_member (object, "resumes"));
  result = json_array_get_object_element (json_object_get_array_member (object, "results"), 0);
  g_assert_cmpstr (json_object_get_string_member (result, "displayName"), ==, "=HYPERLINK(\"http://evil.example\")");
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (result, "targetId"), ==, "1");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "startedAt"), "Z"));

  {
    g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();

    g_assert_false (muster_history_write_runs (runs, MUSTER_EXPORT_FORMAT_XLSX, stream, NULL, &error));
    g_assert_error (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_UNSUPPORTED);
  }
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(GAsyncResult) got = NULL;
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autoptr(MusterHistoryRun) loaded = NULL;
  g_autoptr(GPtrArray) operations = operations_new (2);
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;

  muster_history_open_async (fixture->path, NULL, core_test_store_result_cb, &opened);
  history = muster_history_open_finish (core_test_wait (&opened), &error);
  g_assert_no_error (error);

  run = muster_history_begin_run (history, "contoso", TARGET_URI, NULL, NULL, operations, &error);
  g_assert_no_error (error);
  g_assert_true (muster_history_journal_pending (history, run->id, operations, &error));

  muster_history_list_runs_async (history, "contoso", 0, NULL, core_test_store_result_cb, &listed);
  runs = muster_history_list_runs_finish (history, core_test_wait (&listed), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 1);

  muster_history_get_run_async (history, run->id, NULL, core_test_store_result_cb, &got);
  loaded = muster_history_get_run_finish (history, core_test_wait (&got), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->results->len, ==, 2);

  g_clear_object (&opened);
  g_clear_object (&listed);
  g_clear_object (&got);
  release_and_wait (&history);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/history/journal", test_journal);
  ADD ("/history/retried", test_retried);
  ADD ("/history/interrupted", test_interrupted);
  ADD ("/history/lock", test_lock);
  ADD ("/history/refuses-foreign", test_refuses_foreign);
  ADD ("/history/find-and-export", test_find_and_export);
  ADD ("/history/async", test_async);
#undef ADD

  return g_test_run ();
}
