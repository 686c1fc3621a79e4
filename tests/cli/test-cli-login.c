/* test-cli-login.c: muster-cli profile, login, status and logout as a script runs them
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real muster-cli binary against the fake tenant in this process, with the test browser
 * pressing Accept, and the real keyring of the test's D-Bus session.
 */

#include "config.h"

#include <json-glib/json-glib.h>

#include "cli-test-util.h"
#include "fake-test-util.h"

typedef struct
{
  MusterFakeTenant *tenant;
  char             *dir;
} Fixture;


static void
control (Fixture    *f,
         const char *path,
         const char *json)
{
  g_autoptr(FakeResponse) r = fake_test_request (f->tenant, "POST", path, NULL, "application/json", json);
  g_assert_cmpuint (r->status / 100, ==, 2);
}

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

  cli_test_keyring_clear ("contoso");
  cli_test_keyring_clear ("app");
  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
  g_clear_object (&f->tenant);
}

static gboolean
file_tree_contains (const char *dir,
                    const char *needle)
{
  g_autofree char *command = g_strdup_printf ("grep -rqF -- '%s' '%s'", needle, dir);

  return system (command) == 0;
}

static void
test_login_and_status (Fixture *f, gconstpointer data)
{
  g_autoptr(Run) add = NULL, login = NULL, status = NULL, list = NULL;
  g_autoptr(FakeResponse) state = NULL;
  g_autofree char *refresh = NULL, *access = NULL;
  JsonObject *object, *signed_in;
  JsonArray *scopes;
  gboolean has_user_read_all = FALSE;

  if (!cli_test_keyring_usable ())
    return;

  add = CLI (f, "profile", "add", "contoso");
  g_assert_cmpint (add->status, ==, 0);
  login = CLI (f, "login");
  g_assert_cmpint (login->status, ==, 0);
  g_assert_nonnull (strstr (login->err, "Signed in as"));

  status = CLI (f, "status", "--json");
  g_assert_cmpint (status->status, ==, 0);
  g_assert_nonnull (status->json);
  object = json_node_get_object (status->json);
  state = fake_test_request (f->tenant, "GET", "/_fake/state", NULL, NULL, NULL);

  g_assert_cmpstr (json_object_get_string_member (object, "tenantId"), ==, muster_fake_tenant_get_tenant_id (f->tenant));
  g_assert_cmpstr (json_object_get_string_member (object, "organization"), ==,
                   fake_response_get_string (state, "organization"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "domains")), >=, 2);
  signed_in = json_object_get_object_member (object, "signedIn");
  g_assert_cmpstr (json_object_get_string_member (signed_in, "userPrincipalName"), ==,
                   fake_response_get_string (state, "adminUserPrincipalName"));
  scopes = json_object_get_array_member (object, "scopes");
  for (guint i = 0; i < json_array_get_length (scopes); i++)
    has_user_read_all |= g_str_equal (json_array_get_string_element (scopes, i), "User.Read.All");
  g_assert_true (has_user_read_all);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "missingPermissions")), ==, 0);
  g_assert_nonnull (json_object_get_string_member (object, "tokenExpires"));
  /* nothing fetched yet */
  g_assert_true (json_node_is_null (json_object_get_member (object, "lastSnapshot")));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "licences")), >, 0);

  /* the tokens are in the keyring, and in no file the CLI wrote */
  refresh = cli_test_keyring_lookup ("contoso", "refresh-token");
  access = cli_test_keyring_lookup ("contoso", "access-token");
  g_assert_nonnull (refresh);
  g_assert_nonnull (access);
  g_assert_false (file_tree_contains (f->dir, refresh));
  g_assert_false (file_tree_contains (f->dir, access));
  g_assert_null (strstr (login->err, access));

  list = CLI (f, "--json", "profile", "list");
  g_assert_cmpint (list->status, ==, 0);
  g_assert_nonnull (strstr (list->out, "\"signedIn\" : true"));
}

static void
test_expired_refresh_token (Fixture *f, gconstpointer data)
{
  g_autoptr(Run) add = NULL, login = NULL, status = NULL;

  if (!cli_test_keyring_usable ())
    return;
  add = CLI (f, "profile", "add", "contoso");
  login = CLI (f, "login");
  g_assert_cmpint (login->status, ==, 0);

  /* 91 days without use, and the stored access token is dead too */
  control (f, "/_fake/identity/refresh-inactive", "{\"days\":91}");
  control (f, "/_fake/identity/expire-tokens", "{}");

  status = CLI (f, "status");
  g_assert_cmpint (status->status, ==, 3);
  g_assert_nonnull (strstr (status->err, "90 days"));
  g_assert_nonnull (strstr (status->err, "Sign in again"));
}

static void
test_not_signed_in_and_logout (Fixture *f, gconstpointer data)
{
  g_autoptr(Run) add = NULL, before = NULL, login = NULL, logout = NULL, after = NULL;
  g_autofree char *refresh = NULL;

  if (!cli_test_keyring_usable ())
    return;
  add = CLI (f, "profile", "add", "contoso");
  before = CLI (f, "status");
  g_assert_cmpint (before->status, ==, 3);
  g_assert_nonnull (strstr (before->err, "Sign in first"));

  login = CLI (f, "--profile", "contoso", "login");
  g_assert_cmpint (login->status, ==, 0);
  logout = CLI (f, "logout");
  g_assert_cmpint (logout->status, ==, 0);
  refresh = cli_test_keyring_lookup ("contoso", "refresh-token");
  g_assert_null (refresh);
  after = CLI (f, "status", "--profile", "contoso");
  g_assert_cmpint (after->status, ==, 3);
}

/* A secret longer than the fixed buffer is refused with a clear error, and no profile is saved. */
static void
test_secret_too_long (Fixture *f, gconstpointer data)
{
  g_autoptr(Run) add = NULL;
  g_autofree char *letters = g_strnfill (5000, 's');
  g_autofree char *input = g_strconcat (letters, "\n", NULL);
  g_autofree char *profiles = NULL;

  if (!cli_test_keyring_usable ())
    return;
  add = cli_test_run (f->tenant, f->dir, input, (const char * const[]) {
               "profile", "add", "long", "--tenant", muster_fake_tenant_get_domain (f->tenant),
               "--client-id", "5a6b7c8d-0000-4000-8000-00000000a11e", "--auth", "secret", NULL });
  g_assert_cmpint (add->status, !=, 0);
  g_assert_nonnull (strstr (add->err, "longer than 4096 bytes"));
  g_assert_null (cli_test_keyring_lookup ("long", "client-secret"));
  profiles = g_build_filename (f->dir, "profiles.ini", NULL);
  if (g_file_test (profiles, G_FILE_TEST_EXISTS))
    {
      g_autofree char *text = NULL;
      g_assert_true (g_file_get_contents (profiles, &text, NULL, NULL));
      g_assert_null (strstr (text, "[profile long]"));
    }
}

/* An organisation without a name is shown as such, never as "(null)". */
static void
test_status_without_organisation_name (Fixture *f, gconstpointer data)
{
  g_autoptr(Run) add = NULL, login = NULL, status = NULL;

  if (!cli_test_keyring_usable ())
    return;
  add = CLI (f, "profile", "add", "contoso");
  g_assert_cmpint (add->status, ==, 0);
  login = CLI (f, "login");
  g_assert_cmpint (login->status, ==, 0);
  control (f, "/_fake/organization", "{\"displayName\":null}");

  status = CLI (f, "status");
  g_assert_cmpint (status->status, ==, 0);
  g_assert_null (strstr (status->out, "(null)"));
  g_assert_nonnull (strstr (status->out, "(no name given)"));
}

static void
test_app_only_secret_from_stdin (Fixture *f, gconstpointer data)
{
  g_autoptr(Run) add = NULL, login = NULL, status = NULL;
  g_autofree char *secret = NULL;

  if (!cli_test_keyring_usable ())
    return;
  control (f, "/_fake/identity/apps",
           "{\"clientId\":\"5a6b7c8d-0000-4000-8000-00000000a11e\",\"displayName\":\"Muster sync\","
           "\"secret\":\"from-stdin-secret\",\"roles\":[\"User.Read.All\",\"GroupMember.Read.All\","
           "\"Organization.Read.All\"]}");
  add = cli_test_run (f->tenant, f->dir, "from-stdin-secret\n", (const char * const[]) {
               "profile", "add", "app", "--tenant", muster_fake_tenant_get_domain (f->tenant),
               "--client-id", "5a6b7c8d-0000-4000-8000-00000000a11e", "--auth", "secret", NULL });
  g_assert_cmpint (add->status, ==, 0);
  secret = cli_test_keyring_lookup ("app", "client-secret");
  g_assert_cmpstr (secret, ==, "from-stdin-secret");
  /* the secret is in no file */
  g_assert_false (file_tree_contains (f->dir, "from-stdin-secret"));

  login = CLI (f, "--profile", "app", "login");
  g_assert_cmpint (login->status, ==, 0);
  status = CLI (f, "--profile", "app", "--json", "status");
  g_assert_cmpint (status->status, ==, 0);
  g_assert_true (json_object_get_boolean_member (
    json_object_get_object_member (json_node_get_object (status->json), "signedIn"), "appOnly"));
}

/* A sign-in service whose token endpoint answers 200 with 200,000 '[': json-glib's recursive
 * parser would overflow the stack on it. The device-code endpoint answers properly. */
static void
deep_token_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  static const char device_code[] = "{\"device_code\":\"dc\",\"user_code\":\"ABCD-EFGH\","
    "\"verification_uri\":\"https://microsoft.com/devicelogin\",\"interval\":1,\"expires_in\":60}";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (g_str_has_suffix (path, "/devicecode"))
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, device_code,
                                      strlen (device_code));
  else
    {
      gsize size = 200000;
      char *deep = g_malloc (size);

      memset (deep, '[', size);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, deep, size);
    }
}

static void
test_deep_json_token (Fixture *f, gconstpointer data)
{
  g_autoptr(CliTestServer) authority = cli_test_server_new (NULL, deep_token_cb, NULL);
  g_autofree char *authority_env = g_strconcat ("MUSTER_AUTHORITY_HOST=", cli_test_server_get_url (authority), NULL);
  const char * const env[] = { authority_env, NULL };
  g_autoptr(Run) add_app = NULL, login_app = NULL, add = NULL, login = NULL;

  if (!cli_test_keyring_usable ())
    return;

  /* app-only: the first answer is the token */
  add_app = cli_test_run (f->tenant, f->dir, "a-secret\n", (const char * const[]) {
               "profile", "add", "app", "--tenant", "contoso.example",
               "--client-id", "5a6b7c8d-0000-4000-8000-00000000a11e", "--auth", "secret", NULL });
  g_assert_cmpint (add_app->status, ==, 0);
  login_app = cli_test_run_env (f->tenant, f->dir, NULL, env, (const char * const[]) { "--profile", "app", "login", NULL });
  /* cli_test_run_env() has already asserted that muster-cli exited rather than crashed */
  g_assert_cmpint (login_app->status, ==, 1);
  g_assert_nonnull (strstr (login_app->err, "levels deep"));

  /* a person with a device code: the poll's answer is the token */
  add = CLI (f, "profile", "add", "contoso");
  g_assert_cmpint (add->status, ==, 0);
  login = cli_test_run_env (f->tenant, f->dir, NULL, env, (const char * const[]) { "--profile", "contoso", "login", "--device-code", NULL });
  g_assert_cmpint (login->status, ==, 1);
  g_assert_nonnull (strstr (login->err, "levels deep"));
}

static void
test_usage_errors (Fixture *f, gconstpointer data)
{
  g_autoptr(Run) bad_name = NULL, bad_cloud = NULL, no_profile = NULL, app_only_common = NULL;

  bad_name = CLI (f, "profile", "add", "../evil");
  g_assert_cmpint (bad_name->status, ==, 2);
  bad_cloud = CLI (f, "profile", "add", "x", "--cloud", "mars");
  g_assert_cmpint (bad_cloud->status, ==, 2);
  g_assert_nonnull (strstr (bad_cloud->err, "mars"));
  no_profile = CLI (f, "--profile", "nobody", "status");
  g_assert_cmpint (no_profile->status, ==, 2);
  app_only_common = CLI (f, "profile", "add", "x", "--auth", "secret");
  g_assert_cmpint (app_only_common->status, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("MUSTER_CLI"));
  g_test_add ("/cli/login/browser-then-status", Fixture, NULL, fixture_set_up, test_login_and_status, fixture_tear_down);
  g_test_add ("/cli/login/expired-refresh-token-exit-3", Fixture, NULL, fixture_set_up, test_expired_refresh_token,
              fixture_tear_down);
  g_test_add ("/cli/login/not-signed-in-and-logout", Fixture, NULL, fixture_set_up, test_not_signed_in_and_logout,
              fixture_tear_down);
  g_test_add ("/cli/status/organisation-without-name", Fixture, NULL, fixture_set_up,
              test_status_without_organisation_name, fixture_tear_down);
  g_test_add ("/cli/login/secret-too-long", Fixture, NULL, fixture_set_up, test_secret_too_long, fixture_tear_down);
  g_test_add ("/cli/login/app-only-secret-from-stdin", Fixture, NULL, fixture_set_up, test_app_only_secret_from_stdin,
              fixture_tear_down);
  g_test_add ("/cli/login/deep-json-token-answer", Fixture, NULL, fixture_set_up, test_deep_json_token,
              fixture_tear_down);
  g_test_add ("/cli/profile/usage-errors", Fixture, NULL, fixture_set_up, test_usage_errors, fixture_tear_down);
  return g_test_run ();
}
