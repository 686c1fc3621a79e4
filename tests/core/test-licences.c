/* test-licences.c: what the tenant page and `muster-cli status` say about licence seats
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "muster-tenant-status.h"

static void
test_usage_words (void)
{
  MusterLicence active = { .consumed = 89, .enabled = 100 };
  MusterLicence warning = { .consumed = 47, .enabled = 0, .warning = 50 };
  MusterLicence suspended = { .consumed = 3, .enabled = 0, .suspended = 5 };
  g_autofree char *a = muster_licence_describe_usage (&active);
  g_autofree char *w = muster_licence_describe_usage (&warning);
  g_autofree char *s = muster_licence_describe_usage (&suspended);

  g_assert_cmpstr (a, ==, "89 of 100 assigned");
  g_assert_cmpstr (w, ==, "47 assigned, 50 in warning (subscription expired)");
  g_assert_cmpstr (s, ==, "3 assigned, subscription suspended");
}

static void
test_friendly_names (void)
{
  g_assert_cmpstr (muster_licence_get_friendly_name ("SPE_E3"), ==, "Microsoft 365 E3");
  g_assert_cmpstr (muster_licence_get_friendly_name ("ENTERPRISEPACK"), ==, "Office 365 E3");
  g_assert_null (muster_licence_get_friendly_name ("SOMETHING_NEW"));
  g_assert_null (muster_licence_get_friendly_name (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/licences/usage-words", test_usage_words);
  g_test_add_func ("/licences/friendly-names", test_friendly_names);
  return g_test_run ();
}
