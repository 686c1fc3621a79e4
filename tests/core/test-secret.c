/* test-secret.c: secrets are wiped before their memory goes back
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "muster-secret.h"

static gboolean
all_zero (const char *data,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (data[i] != '\0')
      return FALSE;
  return TRUE;
}

static void
test_wipe (void)
{
  char buffer[] = "refresh-token-0123456789";

  muster_secret_wipe (buffer, sizeof buffer);
  g_assert_true (all_zero (buffer, sizeof buffer));
  muster_secret_wipe (NULL, 10);
}

/* muster_secret_bytes_wipe_unref wipes what it drops; the test holds a second reference to look. */
static void
test_bytes_wipe_unref (void)
{
  g_autofree char *copy = g_strdup ("client_secret=s3cr3t&code=abc");
  gsize length = strlen (copy);
  GBytes *bytes = g_bytes_new (copy, length);
  const char *data = g_bytes_get_data (bytes, NULL);

  g_assert_false (all_zero (data, length));
  muster_secret_bytes_wipe_unref (g_bytes_ref (bytes));
  g_assert_true (all_zero (data, length));
  g_bytes_unref (bytes);
  muster_secret_bytes_wipe_unref (NULL);
}

static void
test_bytes_take (void)
{
  char *data = g_strdup ("grant_type=refresh_token&refresh_token=rt-abc");
  gsize length = strlen (data);
  GBytes *bytes = muster_secret_bytes_new_take (data, length);
  gsize got = 0;

  g_assert_true (g_bytes_get_data (bytes, &got) == data);
  g_assert_cmpuint (got, ==, length);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), length, "grant_type=refresh_token&refresh_token=rt-abc", length);
  g_bytes_unref (bytes);
}

static void
test_free (void)
{
  muster_secret_free (g_strdup ("a-secret"));
  muster_secret_free (NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/secret/wipe", test_wipe);
  g_test_add_func ("/secret/bytes-wipe-unref", test_bytes_wipe_unref);
  g_test_add_func ("/secret/bytes-take", test_bytes_take);
  g_test_add_func ("/secret/free", test_free);
  return g_test_run ();
}
