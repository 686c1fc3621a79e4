/* test-keyring.c: secrets round-trip through a real Secret Service with Muster's schema
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "core-test-util.h"

#include "muster-keyring.h"

/* Runs under build-aux/run-headless, which starts an unlocked gnome-keyring in the test's own
 * D-Bus session. Without one the test skips, unless MUSTER_REQUIRE_KEYRING=1 (CI) says it must
 * not. */


static void
test_round_trip (void)
{
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(GAsyncResult) other = NULL;
  g_autoptr(GAsyncResult) cleared = NULL;
  g_autoptr(GAsyncResult) gone = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *other_secret = NULL;
  g_autofree char *after = NULL;
  const char *token = "0.AXwA-refresh-token-for-the-keyring-test_é";

  if (!core_test_keyring_usable ())
    return;

  muster_keyring_store_async ("contoso", "9188040d-6c67-4c5b-b112-36a304b66dad",
                              MUSTER_SECRET_REFRESH_TOKEN, token, NULL, core_test_store_result_cb, &stored);
  core_test_wait (&stored);
  g_assert_true (muster_keyring_store_finish (stored, &error));
  g_assert_no_error (error);

  muster_keyring_lookup_async ("contoso", MUSTER_SECRET_REFRESH_TOKEN, NULL, core_test_store_result_cb, &found);
  core_test_wait (&found);
  secret = muster_keyring_lookup_finish (found, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, token);

  /* another profile's secret is not this one's */
  muster_keyring_lookup_async ("fabrikam", MUSTER_SECRET_REFRESH_TOKEN, NULL, core_test_store_result_cb, &other);
  core_test_wait (&other);
  other_secret = muster_keyring_lookup_finish (other, &error);
  g_assert_no_error (error);
  g_assert_null (other_secret);

  muster_keyring_clear_async ("contoso", -1, NULL, core_test_store_result_cb, &cleared);
  core_test_wait (&cleared);
  g_assert_true (muster_keyring_clear_finish (cleared, &error));
  g_assert_no_error (error);

  muster_keyring_lookup_async ("contoso", MUSTER_SECRET_REFRESH_TOKEN, NULL, core_test_store_result_cb, &gone);
  core_test_wait (&gone);
  after = muster_keyring_lookup_finish (gone, &error);
  g_assert_no_error (error);
  g_assert_null (after);
}

static void
test_schema_name (void)
{
  g_assert_cmpstr (muster_keyring_get_schema ()->name, ==, "io.github.muster.Token");
  g_assert_cmpstr (muster_secret_kind_to_string (MUSTER_SECRET_SCIM_TOKEN), ==, "scim-token");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/keyring/schema", test_schema_name);
  g_test_add_func ("/keyring/round-trip", test_round_trip);
  return g_test_run ();
}
