/* core-test-util.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>

#include "core-test-util.h"
#include "muster-keyring.h"

void
core_test_store_result_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
core_test_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

gboolean
core_test_keyring_usable (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  muster_keyring_lookup_async ("muster-test-probe", MUSTER_SECRET_REFRESH_TOKEN, NULL,
                               core_test_store_result_cb, &result);
  secret = muster_keyring_lookup_finish (core_test_wait (&result), &error);
  if (error == NULL)
    return TRUE;
  if (g_strcmp0 (g_getenv ("MUSTER_REQUIRE_KEYRING"), "1") == 0)
    g_error ("MUSTER_REQUIRE_KEYRING=1 but the keyring is not usable: %s", error->message);
  g_test_skip_printf ("no Secret Service: %s", error->message);
  return FALSE;
}

void
core_test_remove_tree (const char *path)
{
  /* SQLite's worker threads may still be closing a store (its -wal and -shm files come and go)
   * when a test ends: a folder that fills up again while it is emptied is emptied again */
  for (guint tries = 0; ; tries++)
    {
      g_autoptr(GDir) dir = NULL;
      const char *name;

      /* a link is removed, never followed */
      if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        dir = g_dir_open (path, 0, NULL);

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          core_test_remove_tree (child);
        }
      if (g_remove (path) == 0)
        return;
      g_assert_cmpint (errno, ==, ENOTEMPTY);
      g_assert_cmpuint (tries, <, 50);
      g_usleep (20 * 1000);
    }
}
