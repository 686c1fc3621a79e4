/* test-cli-preview-file.c: muster-cli preview --save / --compare and push --preview against the
 * fake tenant, into a SQLite file
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue 12's "push later": a preview saved by muster-cli is pushed afterwards exactly as saved;
 * a user changed in the target in between is left alone, listed, and the exit status is 4. What
 * the target holds is read with SQL on the file, never from anything muster-cli printed.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "cli-test-util.h"
#include "fake-test-util.h"

#define PROFILE "preview-file-cli"

typedef struct
{
  MusterFakeTenant *tenant;
  char             *dir;
  char             *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  MusterFakeOptions options;

  muster_fake_options_init (&options);
  f->tenant = fake_test_start_tenant (&options);
  f->dir = g_dir_make_tmp ("muster-cli-preview-file-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->store = g_build_filename (f->dir, "people.db", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  cli_test_keyring_clear (PROFILE);
  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
  g_free (f->store);
  g_clear_object (&f->tenant);
}

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
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
assert_contains (const char *text,
                 const char *words)
{
  if (text == NULL || strstr (text, words) == NULL)
    g_error ("“%s” does not say “%s”", text, words);
}

/* Signs in, fetches and fills the store with a first push. */
static gboolean
prepare (Fixture *f)
{
  g_autofree char *uri = g_strconcat ("sqlite:", f->store, NULL);

  if (!cli_test_keyring_usable ())
    return FALSE;
  CLI_OK (f, "profile", "add", PROFILE);
  CLI_OK (f, "login");
  CLI_OK (f, "fetch");
  CLI_OK (f, "target", "add", "people", uri);
  CLI_OK (f, "push", "--target", "people", "--yes");
  return TRUE;
}

static void
test_push_later (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *file = NULL;
  g_autofree char *first = NULL, *second = NULL, *first_name = NULL;
  g_autofree char *sql = NULL, *name_after = NULL, *second_after = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(Run) save = NULL, same = NULL, later = NULL, compare = NULL, refused = NULL;
  gsize length;
  GStatBuf st;

  if (!prepare (f))
    return;

  /* two users renamed behind Muster's back: the preview puts their names back */
  first = query_text (f->store, "SELECT user_name FROM users WHERE external_id IS NOT NULL ORDER BY user_name LIMIT 1");
  second = query_text (f->store, "SELECT user_name FROM users WHERE external_id IS NOT NULL ORDER BY user_name LIMIT 1 OFFSET 1");
  first_name = query_text (f->store, "SELECT display_name FROM users WHERE external_id IS NOT NULL ORDER BY user_name LIMIT 1");
  g_assert_nonnull (second);
  sql = g_strdup_printf ("UPDATE users SET display_name = 'Renamed By Hand' WHERE user_name IN ('%s', '%s')", first, second);
  exec_sql (f->store, sql);

  file = g_build_filename (f->dir, "sync.muster-preview", NULL);
  save = CLI (f, "preview", "--target", "people", "--save", file);
  g_assert_cmpint (save->status, ==, 0);
  assert_contains (save->err, "Preview saved to");
  assert_contains (save->out, "Update 2 ");
  g_assert_true (g_file_get_contents (file, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 2);
  g_assert_true ((guchar) contents[0] == 0x1f && (guchar) contents[1] == 0x8b);  /* gzip */
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* nothing happened yet: a comparison finds nothing */
  same = CLI (f, "preview", "--compare", file);
  g_assert_cmpint (same->status, ==, 0);
  assert_contains (same->out, "Saved preview — read only, made on ");
  assert_contains (same->out, "Nothing differs");

  /* someone changes the second user again, then the preview is pushed */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("UPDATE users SET title = 'Changed Meanwhile' WHERE user_name = '%s'", second);
  exec_sql (f->store, sql);
  later = CLI (f, "push", "--preview", file, "--yes");
  g_assert_cmpint (later->status, ==, 4);
  assert_contains (later->err, "1 user changed in the target since the preview was made and was left alone");
  assert_contains (later->err, second);
  assert_contains (later->err, "Partial push");
  g_assert_null (strstr (later->err, first));

  {
    g_autofree char *q1 = g_strdup_printf ("SELECT display_name FROM users WHERE user_name = '%s'", first);
    g_autofree char *q2 = g_strdup_printf ("SELECT display_name || '/' || title FROM users WHERE user_name = '%s'", second);

    name_after = query_text (f->store, q1);
    second_after = query_text (f->store, q2);
  }
  g_assert_cmpstr (name_after, ==, first_name);
  g_assert_cmpstr (second_after, ==, "Renamed By Hand/Changed Meanwhile");

  /* now the first user is done: compared with a fresh plan, it no longer needs its update */
  compare = CLI (f, "--json", "preview", "--compare", file);
  g_assert_cmpint (compare->status, ==, 0);
  g_assert_nonnull (compare->json);
  {
    JsonArray *differences = json_object_get_array_member (json_node_get_object (compare->json), "differences");
    gboolean found = FALSE;

    for (guint i = 0; i < json_array_get_length (differences); i++)
      {
        JsonObject *difference = json_array_get_object_element (differences, i);

        if (g_strcmp0 (json_object_get_string_member (difference, "userPrincipalName"), first) == 0)
          {
            g_assert_cmpstr (json_object_get_string_member (difference, "saved"), ==, "update");
            g_assert_cmpstr (json_object_get_string_member (difference, "now"), ==, "unchanged");
            found = TRUE;
          }
      }
    g_assert_true (found);
  }

  /* a saved preview is not planned again: filters do not go with it */
  refused = CLI (f, "push", "--preview", file, "--exclude-guests", "--yes");
  g_assert_cmpint (refused->status, ==, 2);
}

static void
test_damaged (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *file = g_build_filename (f->dir, "cut.muster-preview", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *store_before = NULL, *store_after = NULL;
  g_autoptr(Run) save = NULL, cut = NULL, compare = NULL, garbage = NULL;
  gsize length;

  if (!prepare (f))
    return;
  save = CLI (f, "preview", "--target", "people", "--save", file);
  g_assert_cmpint (save->status, ==, 0);
  g_assert_true (g_file_get_contents (file, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (file, contents, length / 2, NULL));

  store_before = query_text (f->store, "SELECT group_concat(user_name || display_name || active) FROM users");
  cut = CLI (f, "push", "--preview", file, "--yes");
  g_assert_cmpint (cut->status, ==, 1);
  assert_contains (cut->err, "incomplete");
  store_after = query_text (f->store, "SELECT group_concat(user_name || display_name || active) FROM users");
  g_assert_cmpstr (store_before, ==, store_after);

  compare = CLI (f, "preview", "--compare", file);
  g_assert_cmpint (compare->status, ==, 1);
  assert_contains (compare->err, "incomplete");

  g_assert_true (g_file_set_contents (file, "{\"not\": \"a preview\"}", -1, NULL));
  garbage = CLI (f, "push", "--preview", file, "--yes");
  g_assert_cmpint (garbage->status, ==, 1);
  assert_contains (garbage->err, "not a preview file");
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/preview-file/push-later", Fixture, NULL, fixture_set_up, test_push_later, fixture_tear_down);
  g_test_add ("/cli/preview-file/damaged", Fixture, NULL, fixture_set_up, test_damaged, fixture_tear_down);
  return g_test_run ();
}
