/* test-cli-fetch.c: muster-cli fetch as a script or a timer runs it
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real muster-cli binary against the fake tenant in this process, signed in through the
 * test browser, with the real keyring of the test's D-Bus session and cache.db in a temporary
 * data folder.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "fake-test-util.h"

typedef struct
{
  MusterFakeTenant *tenant;
  char             *dir;
} Fixture;

typedef struct
{
  int       status;
  char     *out;
  char     *err;
  JsonNode *json;
} Run;

static void
run_free (Run *run)
{
  g_free (run->out);
  g_free (run->err);
  g_clear_pointer (&run->json, json_node_unref);
  g_free (run);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static const SecretSchema token_schema = {
  "io.github.muster.Token", SECRET_SCHEMA_NONE,
  { { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING }, { "tenant-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } }
};

static gboolean
keyring_usable (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *probe = secret_password_lookup_sync (&token_schema, NULL, &error, "profile", "probe", NULL);

  if (error == NULL)
    return TRUE;
  if (g_strcmp0 (g_getenv ("MUSTER_REQUIRE_KEYRING"), "1") == 0)
    g_error ("the keyring is required but unusable: %s", error->message);
  g_test_skip_printf ("no Secret Service: %s", error->message);
  return FALSE;
}

static Run *
cli (Fixture            *f,
     const char         *input,
     const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);

  g_subprocess_launcher_setenv (launcher, "MUSTER_AUTHORITY_HOST", muster_fake_tenant_get_base_url (f->tenant), TRUE);
  g_subprocess_launcher_setenv (launcher, "MUSTER_GRAPH_HOST", muster_fake_tenant_get_base_url (f->tenant), TRUE);
  g_subprocess_launcher_setenv (launcher, "MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);
  g_subprocess_launcher_setenv (launcher, "MUSTER_DATA_DIR", f->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);

  g_ptr_array_add (argv, (char *) g_getenv ("MUSTER_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  if (run->out != NULL && run->out[0] == '{')
    run->json = json_from_string (run->out, NULL);
  return run;
}

#define CLI(f, ...) cli ((f), NULL, (const char * const[]) { __VA_ARGS__, NULL })

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->tenant = fake_test_start_tenant (NULL);
  f->dir = g_dir_make_tmp ("muster-cli-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  secret_password_clear_sync (&token_schema, NULL, NULL, "profile", "fetch-cli", NULL);
  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
  g_clear_object (&f->tenant);
}

static gint64
member_int (Run        *run,
            const char *name)
{
  g_assert_nonnull (run->json);
  return json_object_get_int_member (json_node_get_object (run->json), name);
}

static gboolean
member_bool (Run        *run,
             const char *name)
{
  g_assert_nonnull (run->json);
  return json_object_get_boolean_member (json_node_get_object (run->json), name);
}

static void
test_fetch_then_incremental (Fixture *f, gconstpointer data)
{
  g_autoptr(Run) add = NULL, login = NULL, first = NULL, second = NULL, full = NULL;
  g_autoptr(FakeResponse) state = NULL, patched = NULL;
  g_autofree char *path = NULL;
  JsonObject *object;

  if (!keyring_usable ())
    return;
  add = CLI (f, "profile", "add", "fetch-cli");
  g_assert_cmpint (add->status, ==, 0);
  login = CLI (f, "login");
  g_assert_cmpint (login->status, ==, 0);

  first = CLI (f, "fetch", "--json");
  g_assert_cmpint (first->status, ==, 0);
  state = fake_test_request (f->tenant, "GET", "/_fake/state", NULL, NULL, NULL);
  object = json_node_get_object (state->json);
  g_assert_cmpint (member_int (first, "users"), ==, json_object_get_int_member (object, "users"));
  g_assert_cmpint (member_int (first, "groups"), ==, json_object_get_int_member (object, "groups"));
  g_assert_cmpint (member_int (first, "memberships"), >, 0);
  g_assert_cmpint (member_int (first, "snapshotId"), >, 0);
  g_assert_false (member_bool (first, "incremental"));
  /* progress and the summary go to standard error, in words */
  g_assert_nonnull (strstr (first->err, "Users: "));
  g_assert_nonnull (strstr (first->err, "Snapshot "));

  /* someone is renamed; the next fetch reads only the changes */
  path = g_strdup_printf ("/_fake/users/%s", json_object_get_string_member (object, "adminId"));
  patched = fake_test_request (f->tenant, "PATCH", path, NULL, "application/json", "{\"jobTitle\":\"Chief Fetcher\"}");
  g_assert_cmpuint (patched->status / 100, ==, 2);
  second = CLI (f, "fetch", "--json");
  g_assert_cmpint (second->status, ==, 0);
  g_assert_true (member_bool (second, "incremental"));
  g_assert_cmpint (member_int (second, "snapshotId"), >, member_int (first, "snapshotId"));
  g_assert_cmpint (member_int (second, "users"), ==, member_int (first, "users"));
  g_assert_nonnull (strstr (second->err, "incremental"));

  full = CLI (f, "fetch", "--full", "--json");
  g_assert_cmpint (full->status, ==, 0);
  g_assert_false (member_bool (full, "incremental"));
  g_assert_cmpint (member_int (full, "memberships"), ==, member_int (first, "memberships"));
}

static void
test_fetch_needs_sign_in (Fixture *f, gconstpointer data)
{
  g_autoptr(Run) add = NULL, fetch = NULL, usage = NULL;

  if (!keyring_usable ())
    return;
  add = CLI (f, "profile", "add", "fetch-cli");
  g_assert_cmpint (add->status, ==, 0);
  fetch = CLI (f, "fetch");
  g_assert_cmpint (fetch->status, ==, 3);
  usage = CLI (f, "fetch", "--everything");
  g_assert_cmpint (usage->status, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cli/fetch/full-then-incremental", Fixture, NULL, fixture_set_up, test_fetch_then_incremental,
              fixture_tear_down);
  g_test_add ("/cli/fetch/sign-in-needed-exit-3", Fixture, NULL, fixture_set_up, test_fetch_needs_sign_in,
              fixture_tear_down);
  return g_test_run ();
}
