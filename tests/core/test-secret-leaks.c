/* test-secret-leaks.c: after a whole working session, no token, code or secret is anywhere
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs what an admin does in a day against the fake tenant: signs in with the browser (code and
 * PKCE verifier), refreshes the token, reads the directory, pushes users into a SCIM service
 * (with its bearer token), exports the users, signs an app-only profile in with a client
 * secret, and has a refresh, a token renewal and a push fail. Meanwhile a thread reads every
 * /proc/PID/cmdline it can, and every log message (debug included) is kept. Then every secret
 * of the session — what the fake identity platform handed out or was sent
 * (GET /_fake/identity/secrets), the SCIM token, the client secret, what the keyring holds —
 * must be in no file under the data, config and cache folders (the Secret Service's own
 * keyrings folder aside: keeping secrets is its job), in no log message and in no process's
 * arguments (proc(5)).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core-test-util.h"
#include "fake-test-util.h"
#include "muster-directory-fetch.h"
#include "muster-export.h"
#include "muster-keyring.h"
#include "muster-scim-target.h"
#include "muster-session.h"
#include "muster-snapshot-store.h"
#include "push-test-util.h"

#define PROFILE "secrets-delegated"
#define APP_PROFILE "secrets-app-only"
#define SECRETS_APP_ID "5b7e2c1d-3f4a-4b6c-9d8e-0f1a2b3c4d5e"
#define APP_SECRET "Qx8~vT3.nR6_pL2-zK9wY4mB7cF1hJ5dS0gA"

/* Every process's arguments, seen while the session ran ------------------------------------- */

typedef struct
{
  GMutex      lock;
  GHashTable *seen;   /* cmdline, NULs as spaces */
  gint        stop;
  guint       scans;
} CmdlineWatch;

static gpointer
watch_thread (gpointer data)
{
  CmdlineWatch *watch = data;

  while (!g_atomic_int_get (&watch->stop))
    {
      g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
      const char *name;

      while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
        {
          g_autofree char *path = NULL;
          g_autofree char *contents = NULL;
          gsize length;

          if (!g_ascii_isdigit (name[0]))
            continue;
          path = g_build_filename ("/proc", name, "cmdline", NULL);
          if (!g_file_get_contents (path, &contents, &length, NULL) || length == 0)
            continue;
          for (gsize i = 0; i < length; i++)
            if (contents[i] == '\0')
              contents[i] = ' ';
          g_mutex_lock (&watch->lock);
          if (!g_hash_table_contains (watch->seen, contents))
            g_hash_table_add (watch->seen, g_steal_pointer (&contents));
          g_mutex_unlock (&watch->lock);
        }
      g_atomic_int_inc ((gint *) &watch->scans);
      g_usleep (2000);
    }
  return NULL;
}

/* Every log message ------------------------------------------------------------------------- */

static GString *log_text;
static GMutex log_lock;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_mutex_lock (&log_lock);
  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].length < 0)
        g_string_append (log_text, fields[i].value);
      else
        g_string_append_len (log_text, fields[i].value, fields[i].length);
      g_string_append_c (log_text, ' ');
    }
  g_string_append_c (log_text, '\n');
  g_mutex_unlock (&log_lock);
  /* fatal messages still reach the test harness */
  if (level & (G_LOG_FLAG_FATAL | G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

/* Helpers ----------------------------------------------------------------------------------- */

static void
control (MusterFakeTenant *tenant,
         const char       *path,
         const char       *body)
{
  g_autoptr(FakeResponse) r = fake_test_request (tenant, "POST", path, NULL, body ? "application/json" : NULL, body);

  g_assert_cmpuint (r->status / 100, ==, 2);
}

static void
add_secret (GPtrArray  *secrets,
            const char *secret)
{
  /* long enough that finding it anywhere is no coincidence */
  if (secret != NULL && strlen (secret) >= 16 && !g_ptr_array_find_with_equal_func (secrets, secret, g_str_equal, NULL))
    g_ptr_array_add (secrets, g_strdup (secret));
}

static void
add_keyring_secrets (GPtrArray  *secrets,
                     const char *profile)
{
  for (MusterSecretKind kind = MUSTER_SECRET_REFRESH_TOKEN; kind <= MUSTER_SECRET_SCIM_TOKEN; kind++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autofree char *secret = NULL;

      muster_keyring_lookup_async (profile, kind, NULL, core_test_store_result_cb, &result);
      secret = muster_keyring_lookup_finish (core_test_wait (&result), NULL);
      add_secret (secrets, secret);
    }
}

static void
keyring_clear (const char *profile)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_keyring_clear_async (profile, -1, NULL, core_test_store_result_cb, &result);
  muster_keyring_clear_finish (core_test_wait (&result), NULL);
}

static gboolean
sign_in (MusterSession *session,
         GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_session_sign_in_async (session, FALSE, NULL, core_test_store_result_cb, &result);
  return muster_session_sign_in_finish (session, core_test_wait (&result), error);
}

static MusterToken *
get_token (MusterSession *session,
           gboolean       force,
           GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_session_get_token_async (session, force, NULL, core_test_store_result_cb, &result);
  return muster_session_get_token_finish (session, core_test_wait (&result), error);
}

static gint64
fetch (MusterGraphClient   *graph,
       MusterSnapshotStore *store,
       GError             **error)
{
  g_autoptr(MusterDirectoryFetch) fetcher = muster_directory_fetch_new ();
  g_autoptr(GAsyncResult) result = NULL;

  muster_directory_fetch_run_async (fetcher, graph, store, PROFILE, TRUE, NULL, core_test_store_result_cb, &result);
  return muster_directory_fetch_run_finish (fetcher, core_test_wait (&result), NULL, error);
}

static void
set_faults (MusterFakeTenant *tenant,
            const char       *spec)
{
  g_autofree char *body = g_strdup_printf ("{\"spec\":\"%s\"}", spec);

  control (tenant, "/_fake/faults", body);
}

/* The first of @secrets in a file under @dir (but @skip), or NULL; *@where says which file. */
static const char *
find_in_tree (const char *dir,
              const char *skip,
              GPtrArray  *secrets,
              char      **where,
              guint      *n_files)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (skip != NULL && g_str_equal (path, skip))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        {
          const char *found = find_in_tree (path, skip, secrets, where, n_files);
          if (found != NULL)
            return found;
          continue;
        }
      if (!g_file_get_contents (path, &contents, &length, NULL))
        continue;
      (*n_files)++;
      for (guint i = 0; i < secrets->len; i++)
        if (g_strstr_len (contents, length, g_ptr_array_index (secrets, i)) != NULL)
          {
            *where = g_steal_pointer (&path);
            return g_ptr_array_index (secrets, i);
          }
    }
  return NULL;
}

/* Just enough of @secret to recognise it in a failure message, never all of it. */
static char *
hint (const char *secret)
{
  return g_strdup_printf ("%.6s… (%zu characters)", secret, strlen (secret));
}

/* The test ---------------------------------------------------------------------------------- */

static void
test_no_leaks (void)
{
  CmdlineWatch watch = { 0 };
  GThread *thread;
  MusterFakeOptions options;
  g_autoptr(MusterFakeTenant) tenant = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_dir = g_build_filename (g_get_user_config_dir (), "muster-secrets-test", NULL);
  g_autofree char *cache_dir = g_build_filename (g_get_user_cache_dir (), "muster-secrets-test", NULL);
  g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "muster-secrets-test", NULL);
  g_autofree char *keyrings = g_build_filename (g_get_user_data_dir (), "keyrings", NULL);
  g_autofree char *profiles_path = g_build_filename (config_dir, "profiles.ini", NULL);
  g_autofree char *cache_path = g_build_filename (cache_dir, "cache.db", NULL);
  g_autofree char *history_path = g_build_filename (data_dir, "history.db", NULL);
  g_autofree char *export_path = g_build_filename (data_dir, "users.csv", NULL);
  g_autofree char *scim_url = NULL;
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(MusterProfile) profile = NULL;
  g_autoptr(MusterProfile) app_profile = NULL;
  g_autoptr(MusterSession) session = NULL;
  g_autoptr(MusterSession) app_session = NULL;
  g_autoptr(MusterGraphClient) graph = NULL;
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterToken) token = NULL;
  g_autoptr(MusterToken) refreshed = NULL;
  g_autoptr(MusterToken) app_token = NULL;
  g_autoptr(MusterToken) failed_token = NULL;
  g_autoptr(MusterScimTarget) target = NULL;
  g_autoptr(MusterScimTarget) wrong_target = NULL;
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPush) failed_push = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(MusterPushSummary) failed_summary = NULL;
  g_autoptr(MusterExport) export = NULL;
  g_autoptr(GFile) export_file = NULL;
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) desired = NULL;
  g_autoptr(GPtrArray) operations = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(FakeResponse) seen = NULL;
  g_autofree char *wrong_token = NULL;
  g_autofree char *where = NULL;
  const char *found;
  JsonArray *issued;
  GHashTableIter iter;
  gpointer key;
  guint n_files = 0;
  gint64 id;

  if (!core_test_keyring_usable ())
    return;

  log_text = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_mutex_init (&watch.lock);
  watch.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  thread = g_thread_new ("cmdline-watch", watch_thread, &watch);

  g_setenv ("MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);
  g_unsetenv ("MUSTER_TEST_BROWSER_ACTION");
  muster_fake_options_init (&options);
  options.dataset = "generated";
  options.users = 60;
  options.groups = 6;
  tenant = fake_test_start_tenant (&options);
  muster_cloud_set_override (muster_fake_tenant_get_base_url (tenant), muster_fake_tenant_get_base_url (tenant));
  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (cache_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0700), ==, 0);

  /* sign in in the browser (a code and a PKCE verifier), and renew the token */
  profiles = muster_profile_store_load (profiles_path, &error);
  g_assert_no_error (error);
  profile = muster_profile_new (PROFILE);
  g_assert_true (muster_profile_store_add (profiles, profile, NULL));
  session = muster_session_new (profiles, profile);
  g_assert_true (sign_in (session, &error));
  g_assert_no_error (error);
  token = get_token (session, FALSE, &error);
  g_assert_no_error (error);
  add_secret (secrets, token->access_token);
  refreshed = get_token (session, TRUE, &error);
  g_assert_no_error (error);
  add_secret (secrets, refreshed->access_token);
  add_secret (secrets, refreshed->refresh_token);

  /* read the directory, and export it */
  graph = muster_graph_client_new (session);
  store = muster_snapshot_store_open (cache_path, &error);
  g_assert_no_error (error);
  id = fetch (graph, store, &error);
  g_assert_no_error (error);
  snapshot = muster_snapshot_store_load (store, id, &error);
  g_assert_no_error (error);
  export = muster_export_new (MUSTER_EXPORT_FORMAT_CSV);
  export_file = g_file_new_for_path (export_path);
  g_assert_true (muster_export_write_users (export, muster_snapshot_get_users (snapshot), export_file, NULL, &error));
  g_assert_no_error (error);

  /* push into the SCIM service, its token kept in the keyring as the app does */
  {
    g_autoptr(GAsyncResult) result = NULL;

    muster_keyring_store_async (PROFILE, NULL, MUSTER_SECRET_SCIM_TOKEN, muster_fake_tenant_get_scim_token (tenant), NULL,
                                core_test_store_result_cb, &result);
    g_assert_true (muster_keyring_store_finish (core_test_wait (&result), NULL));
  }
  add_secret (secrets, muster_fake_tenant_get_scim_token (tenant));
  scim_url = g_strconcat (muster_fake_tenant_get_base_url (tenant), "/scim/v2", NULL);
  target = muster_scim_target_new (scim_url, muster_fake_tenant_get_scim_token (tenant), &error);
  g_assert_no_error (error);
  history = muster_history_open (history_path, &error);
  g_assert_no_error (error);
  desired = push_test_desired_users (15, NULL);
  state = push_test_read_state (MUSTER_TARGET (target), &error);
  g_assert_no_error (error);
  operations = push_test_plan (desired, state);
  push = muster_push_new_for_operations (MUSTER_TARGET (target), operations, 0, history, PROFILE, "admin");
  summary = push_test_run (push, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->state, ==, MUSTER_RUN_STATE_COMPLETED);

  /* an app-only profile with a client secret */
  control (tenant, "/_fake/identity/apps",
           "{\"clientId\":\"" SECRETS_APP_ID "\",\"displayName\":\"Muster sync\",\"secret\":\"" APP_SECRET "\","
           "\"roles\":[\"User.Read.All\",\"GroupMember.Read.All\",\"Organization.Read.All\"]}");
  add_secret (secrets, APP_SECRET);
  app_profile = muster_profile_new (APP_PROFILE);
  muster_profile_set_tenant (app_profile, muster_fake_tenant_get_domain (tenant));
  muster_profile_set_client_id (app_profile, SECRETS_APP_ID);
  muster_profile_set_auth_mode (app_profile, MUSTER_AUTH_MODE_SECRET);
  g_assert_true (muster_profile_store_add (profiles, app_profile, NULL));
  {
    g_autoptr(GAsyncResult) result = NULL;

    muster_keyring_store_async (APP_PROFILE, NULL, MUSTER_SECRET_CLIENT_SECRET, APP_SECRET, NULL,
                                core_test_store_result_cb, &result);
    g_assert_true (muster_keyring_store_finish (core_test_wait (&result), NULL));
  }
  app_session = muster_session_new (profiles, app_profile);
  g_assert_true (sign_in (app_session, &error));
  g_assert_no_error (error);
  app_token = get_token (app_session, FALSE, &error);
  g_assert_no_error (error);
  add_secret (secrets, app_token->access_token);

  /* failures: a token renewal the service garbles, a refresh Graph fails, a push with a token
   * the service refuses */
  {
    g_autofree char *by_id = g_strdup_printf ("invalid@/%s/oauth2/v2.0/token/once", muster_fake_tenant_get_tenant_id (tenant));
    g_autofree char *spec = g_strdup_printf ("invalid@/organizations/oauth2/v2.0/token/once,%s", by_id);
    set_faults (tenant, spec);
  }
  failed_token = get_token (session, TRUE, &error);
  g_assert_null (failed_token);
  g_assert_nonnull (error);
  g_clear_error (&error);
  set_faults (tenant, "500@/v1.0/users/exact");
  g_assert_cmpint (fetch (graph, store, &error), ==, 0);
  g_assert_nonnull (error);
  g_clear_error (&error);
  set_faults (tenant, "");
  wrong_token = g_strdup ("Wr0ngScimToken-3e1f9a7c5b2d8e4f6a0c");
  add_secret (secrets, wrong_token);
  wrong_target = muster_scim_target_new (scim_url, wrong_token, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) more = push_test_desired_users (20, NULL);
    g_autoptr(GPtrArray) ops = push_test_plan (more, state);

    failed_push = muster_push_new_for_operations (MUSTER_TARGET (wrong_target), ops, 0, history, PROFILE, "admin");
    failed_summary = push_test_run (failed_push, NULL, &error);
    g_assert_true (failed_summary == NULL || failed_summary->state != MUSTER_RUN_STATE_COMPLETED);
    g_clear_error (&error);
  }

  /* every secret of the session */
  g_assert_cmpuint (g_atomic_int_get ((gint *) &watch.scans), >, 0);
  g_atomic_int_set (&watch.stop, 1);
  g_thread_join (thread);
  seen = fake_test_request (tenant, "GET", "/_fake/identity/secrets", NULL, NULL, NULL);
  g_assert_cmpuint (seen->status, ==, 200);
  issued = json_object_get_array_member (json_node_get_object (seen->json), "secrets");
  for (guint i = 0; i < json_array_get_length (issued); i++)
    add_secret (secrets, json_array_get_string_element (issued, i));
  add_keyring_secrets (secrets, PROFILE);
  add_keyring_secrets (secrets, APP_PROFILE);
  g_test_message ("looking for %u secrets in files, %zu bytes of log and %u process arguments",
                  secrets->len, log_text->len, g_hash_table_size (watch.seen));
  /* codes, verifiers, refresh tokens, access tokens, the client secret, the SCIM tokens */
  g_assert_cmpuint (secrets->len, >=, 8);

  /* in no file Muster writes */
  g_clear_object (&history);
  g_clear_object (&store);
  g_clear_object (&push);
  g_clear_object (&failed_push);
  g_clear_object (&target);
  g_clear_object (&wrong_target);
  {
    const char *dirs[] = { g_get_user_config_dir (), g_get_user_cache_dir (), g_get_user_data_dir () };

    for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
      {
        found = find_in_tree (dirs[d], keyrings, secrets, &where, &n_files);
        if (found != NULL)
          {
            g_autofree char *h = hint (found);
            g_error ("a secret (%s) is in %s", h, where);
          }
      }
  }
  g_assert_cmpuint (n_files, >=, 4);  /* profiles.ini, cache.db, history.db, users.csv at least */

  /* in no log message */
  for (guint i = 0; i < secrets->len; i++)
    if (strstr (log_text->str, g_ptr_array_index (secrets, i)) != NULL)
      {
        g_autofree char *h = hint (g_ptr_array_index (secrets, i));
        g_error ("a secret (%s) is in the log", h);
      }

  /* in no process's arguments */
  g_hash_table_iter_init (&iter, watch.seen);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    for (guint i = 0; i < secrets->len; i++)
      if (strstr (key, g_ptr_array_index (secrets, i)) != NULL)
        {
          g_autofree char *h = hint (g_ptr_array_index (secrets, i));
          g_error ("a secret (%s) is in a process's arguments", h);
        }

  keyring_clear (PROFILE);
  keyring_clear (APP_PROFILE);
  muster_cloud_set_override (NULL, NULL);
  core_test_remove_tree (config_dir);
  core_test_remove_tree (cache_dir);
  core_test_remove_tree (data_dir);
  g_hash_table_unref (watch.seen);
  g_mutex_clear (&watch.lock);
  g_string_free (log_text, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/secret/no-leaks", test_no_leaks);
  return g_test_run ();
}
