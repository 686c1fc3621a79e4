/* cli-test-util.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsecret/secret.h>

#include "cli-test-util.h"

/* The app's schema, written out again on purpose: the tests check what Muster stores under it. */
static const SecretSchema token_schema = {
  "io.github.muster.Token", SECRET_SCHEMA_NONE,
  { { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING }, { "tenant-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } }
};

/* …and with the attribute SCIM target tokens add. */
static const SecretSchema target_token_schema = {
  "io.github.muster.Token", SECRET_SCHEMA_NONE,
  { { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING }, { "tenant-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING }, { "target", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } }
};

void
run_free (Run *run)
{
  g_free (run->out);
  g_free (run->err);
  g_clear_pointer (&run->json, json_node_unref);
  g_free (run);
}

Run *
cli_test_run (MusterFakeTenant   *tenant,
              const char         *data_dir,
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

  if (tenant != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "MUSTER_AUTHORITY_HOST", muster_fake_tenant_get_base_url (tenant), TRUE);
      g_subprocess_launcher_setenv (launcher, "MUSTER_GRAPH_HOST", muster_fake_tenant_get_base_url (tenant), TRUE);
      g_subprocess_launcher_setenv (launcher, "MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);
    }
  else
    g_subprocess_launcher_setenv (launcher, "MUSTER_GRAPH_HOST", "http://127.0.0.1:9", TRUE);
  g_subprocess_launcher_setenv (launcher, "MUSTER_DATA_DIR", data_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "COLUMNS");

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
  if (run->status != 0)
    g_test_message ("muster-cli exited %d: %s", run->status, run->err);
  return run;
}

gboolean
cli_test_keyring_usable (void)
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

char *
cli_test_keyring_lookup (const char *profile,
                         const char *kind)
{
  return secret_password_lookup_sync (&token_schema, NULL, NULL, "profile", profile, "kind", kind, NULL);
}

void
cli_test_keyring_clear (const char *profile)
{
  secret_password_clear_sync (&token_schema, NULL, NULL, "profile", profile, NULL);
}

char *
cli_test_keyring_lookup_target (const char *profile,
                                const char *target)
{
  return secret_password_lookup_sync (&target_token_schema, NULL, NULL, "profile", profile, "kind", "scim-token",
                                      "target", target, NULL);
}
