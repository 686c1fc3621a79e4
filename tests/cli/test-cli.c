/* test-cli.c: muster-cli as a script sees it — the real binary, its output and exit codes
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

static const char *cli_path;

static int
run_cli (const char * const *args,
         char              **out,
         char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) cli_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_version (void)
{
  g_autofree char *out = NULL, *err = NULL;
  const char *args[] = { "--version", NULL };

  g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "muster-cli " PACKAGE_VERSION "\n");
}

static void
test_help (void)
{
  g_autofree char *out = NULL, *err = NULL;
  const char *args[] = { "--help", NULL };

  g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Usage: muster-cli"));
  g_assert_nonnull (strstr (out, "3 sign-in needed"));
}

static void
test_command_help (void)
{
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  const char *users[] = { "users", "--help", NULL };
  const char *login[] = { "--help", "login", NULL };

  /* each command explains its own options, whether --help stands before or after it */
  g_assert_cmpint (run_cli (users, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "--exclude-guests"));
  g_assert_nonnull (strstr (out, "--email-method"));
  g_assert_cmpint (run_cli (login, &out2, &err2), ==, 0);
  g_assert_nonnull (strstr (out2, "--device-code"));
  g_assert_null (strstr (out2, "--exclude-guests"));
}

static void
test_usage_errors (void)
{
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  const char *unknown[] = { "frobnicate", NULL };
  const char *none[] = { NULL };

  g_assert_cmpint (run_cli (unknown, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "frobnicate"));
  g_assert_cmpint (run_cli (none, &out2, &err2), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cli_path = g_getenv ("MUSTER_CLI");
  g_assert_nonnull (cli_path);
  g_test_add_func ("/cli/version", test_version);
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/command-help", test_command_help);
  return g_test_run ();
}
