/* test-profile-store.c: profiles.ini written from worker threads keeps the newest state
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "core-test-util.h"
#include "muster-profile-store.h"

static void
test_async_saves_keep_the_newest (void)
{
  g_autofree char *dir = g_dir_make_tmp ("muster-profiles-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "profiles.ini", NULL);
  g_autoptr(MusterProfileStore) store = muster_profile_store_load (path, NULL);
  g_autoptr(MusterProfileStore) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *results[20] = { NULL };
  g_autoptr(MusterProfile) profile = muster_profile_new ("contoso");

  g_assert_true (muster_profile_store_add (store, profile, NULL));
  /* twenty saves in flight, each after a change: the file must end with the last change */
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autofree char *tenant = g_strdup_printf ("tenant-%u.example", i);
      muster_profile_set_tenant (profile, tenant);
      muster_profile_store_save_async (store, NULL, core_test_store_result_cb, &results[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_assert_true (muster_profile_store_save_finish (store, core_test_wait (&results[i]), &error));
      g_assert_no_error (error);
      g_object_unref (results[i]);
    }

  reloaded = muster_profile_store_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (muster_profile_get_tenant (muster_profile_store_lookup (reloaded, "contoso")), ==,
                   "tenant-19.example");
  g_assert_cmpstr (muster_profile_store_get_default (reloaded), ==, "contoso");
  core_test_remove_tree (dir);
}

static void
test_failed_save_reports (void)
{
  g_autoptr(MusterProfileStore) store = muster_profile_store_load ("/proc/muster-cannot-write/profiles.ini", NULL);
  g_autoptr(MusterProfile) profile = muster_profile_new ("contoso");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (muster_profile_store_add (store, profile, NULL));
  muster_profile_store_save_async (store, NULL, core_test_store_result_cb, &result);
  g_assert_false (muster_profile_store_save_finish (store, core_test_wait (&result), &error));
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/profile-store/async-saves-keep-the-newest", test_async_saves_keep_the_newest);
  g_test_add_func ("/profile-store/failed-save-reports", test_failed_save_reports);
  return g_test_run ();
}
