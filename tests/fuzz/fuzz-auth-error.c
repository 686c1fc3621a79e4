/* fuzz-auth-error.c: the identity platform's error answers (RFC 6749 §4.1.2.1, §5.2)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `error` and `error_description` come from the token endpoint's JSON or, percent-decoded, from
 * the query of the browser's redirect to the loopback listener, so they may hold any bytes.
 * Input: the error, a NUL, the description, a NUL, then AADSTS codes as little-endian 64-bit
 * numbers. Properties: always a MUSTER_AUTH_ERROR whose message is valid UTF-8, on one line,
 * without control characters, so it can be shown in a label or a terminal as it is.
 */

#include "config.h"

#include "fuzz-common.h"
#include "muster-auth-error.h"

static void
check_message (const char *message)
{
  g_assert_nonnull (message);
  g_assert_cmpstr (message, !=, "");
  g_assert_true (g_utf8_validate (message, -1, NULL));
  for (const char *p = message; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_false (g_unichar_iscntrl (g_utf8_get_char (p)));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_malloc0 (size + 2);
  const char *error = text, *description = NULL;
  g_autofree gint64 *codes = NULL;
  guint n_codes = 0;
  gsize used;

  fuzz_init ();
  if (size > 0)
    memcpy (text, data, size);

  used = strlen (error) + 1;
  if (used <= size)
    {
      description = text + used;
      used += strlen (description) + 1;
    }
  if (used < size)
    {
      n_codes = (size - used) / sizeof (gint64);
      codes = g_new0 (gint64, MAX (n_codes, 1));
      memcpy (codes, data + used, n_codes * sizeof (gint64));
      for (guint i = 0; i < n_codes; i++)
        codes[i] = GINT64_FROM_LE (codes[i]);
    }

  {
    g_autoptr(GError) e = muster_auth_error_from_response (error, description, codes, n_codes);

    g_assert_nonnull (e);
    g_assert_true (e->domain == MUSTER_AUTH_ERROR);
    check_message (e->message);
  }
  /* an answer without a description, and one without an error code at all */
  {
    g_autoptr(GError) e = muster_auth_error_from_response (error, NULL, NULL, 0);

    check_message (e->message);
  }
  {
    g_autoptr(GError) e = muster_auth_error_from_response (NULL, description, NULL, 0);

    check_message (e->message);
  }
  return 0;
}
