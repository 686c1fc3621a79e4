/* fuzz-deny-file.c: a deny list file (one address or @domain per line, or a CSV's first column)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * muster_user_filter_load_deny_file() reads a path, so each input is written to one temporary
 * file per process first. Properties: a file that is not UTF-8 text is refused with
 * G_IO_ERROR_INVALID_DATA and leaves the list as it was; an accepted file yields only non-empty,
 * trimmed entries that are not comments, and a user whose UPN is an address entry is denied.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "muster-user-filter.h"
#include "muster-user-private.h"

static char *deny_path;

static void
remove_deny_file (void)
{
  g_unlink (deny_path);
}

static const char *
get_deny_path (void)
{
  if (deny_path == NULL)
    {
      g_autoptr(GError) error = NULL;
      int fd = g_file_open_tmp ("muster-fuzz-deny-XXXXXX.csv", &deny_path, &error);

      g_assert_no_error (error);
      close (fd);
      atexit (remove_deny_file);
    }
  return deny_path;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(MusterUserFilter) filter = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) entries = NULL;
  static const char * const before[] = { "kept@example.com", NULL };
  const char *path;

  fuzz_init ();

  path = get_deny_path ();
  g_file_set_contents (path, (const char *) data, size, &error);
  g_assert_no_error (error);

  filter = muster_user_filter_new ();
  muster_user_filter_set_deny_list (filter, before);
  if (!muster_user_filter_load_deny_file (filter, path, &error))
    {
      g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
      g_assert_true (memchr (data, '\0', size) != NULL || !g_utf8_validate ((const char *) data, size, NULL));
      g_object_get (filter, "deny-list", &entries, NULL);
      g_assert_true (g_strv_equal ((const char * const *) entries, before));
      return 0;
    }
  g_assert_no_error (error);
  g_assert_true (g_utf8_validate ((const char *) data, size, NULL));

  g_object_get (filter, "deny-list", &entries, NULL);
  for (guint i = 0; entries != NULL && entries[i] != NULL; i++)
    {
      const char *entry = entries[i];
      g_autofree char *stripped = g_strstrip (g_strdup (entry));
      MusterUserFields fields = { 0 };
      g_autoptr(MusterUser) user = NULL;

      g_assert_cmpstr (entry, !=, "");
      g_assert_cmpstr (entry, ==, stripped);
      g_assert_true (entry[0] != '#');
      g_assert_true (g_utf8_validate (entry, -1, NULL));

      /* an address entry denies the user of that address, whatever its case */
      if (entry[0] != '@' && strchr (entry, '@') != NULL)
        {
          g_autofree char *upper = g_ascii_strup (entry, -1);

          fields.user_principal_name = upper;
          fields.mail = upper;
          user = _muster_user_new (&fields);
          g_assert_false (muster_user_filter_match (filter, NULL, user));
        }
    }
  {
    g_autofree char *described = muster_user_filter_describe (filter, NULL);

    g_assert_nonnull (described);
  }
  return 0;
}
