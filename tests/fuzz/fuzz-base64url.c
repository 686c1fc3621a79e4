/* fuzz-base64url.c: base64url decoding (JWT segments) and its round trip with the encoder
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Properties: decode(encode(x)) == x for any bytes; whatever decodes re-encodes to text that
 * decodes to the same bytes; the encoder's text is [A-Za-z0-9_-] only (RFC 4648 §5, no padding).
 */

#include "config.h"

#include "fuzz-common.h"
#include "muster-pkce.h"

static void
check_round_trip (const guint8 *bytes,
                  gsize         length)
{
  g_autofree char *text = muster_base64url_encode (bytes, length);
  g_autofree guchar *back = NULL;
  gsize back_length = 0;

  g_assert_nonnull (text);
  for (const char *p = text; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  back = muster_base64url_decode (text, &back_length);
  g_assert_nonnull (back);
  g_assert_cmpmem (back, back_length, bytes, length);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autofree guchar *decoded = NULL;
  gsize length = 0;

  fuzz_init ();

  check_round_trip (data, size);

  text = fuzz_dup_string (data, size);
  decoded = muster_base64url_decode (text, &length);
  if (decoded != NULL)
    {
      g_assert_cmpuint (length, <=, strlen (text) * 3 / 4 + 3);
      check_round_trip (decoded, length);
    }
  return 0;
}
