/* test-fake-tenant.c: the fake starts on loopback and answers with Graph's error shape
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fake-test-util.h"

static void
test_listens_on_loopback (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  const char *url = muster_fake_tenant_get_base_url (tenant);

  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));
  g_assert_cmpuint (strlen (muster_fake_tenant_get_tenant_id (tenant)), ==, 36);
}

static void
test_unknown_path_is_404 (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) r = fake_test_request (tenant, "GET", "/no/such/thing", NULL, NULL, NULL);

  g_assert_cmpuint (r->status, ==, 404);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fake/tenant/listens-on-loopback", test_listens_on_loopback);
  g_test_add_func ("/fake/tenant/unknown-path-is-404", test_unknown_path_is_404);
  return g_test_run ();
}
