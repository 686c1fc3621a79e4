/* muster-pkce.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-pkce"

#include "config.h"

#include <errno.h>
#include <sys/random.h>

#include "muster-pkce.h"

char *
muster_base64url_encode (const guchar *data,
                         gsize         length)
{
  char *text = g_base64_encode (data, length);

  for (char *p = text; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return text;
}

guchar *
muster_base64url_decode (const char *text,
                         gsize      *length)
{
  gsize len = strlen (text);
  g_autoptr(GString) standard = g_string_sized_new (len + 3);

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (c == '=')
        break;
      else if (!g_ascii_isalnum (c))
        return NULL;
      g_string_append_c (standard, c);
    }
  if (standard->len % 4 == 1)
    return NULL;
  while (standard->len % 4 != 0)
    g_string_append_c (standard, '=');
  return g_base64_decode (standard->str, length);
}

char *
muster_random_urlsafe (gsize n_bytes)
{
  g_autofree guchar *buffer = g_malloc (n_bytes);
  gsize got = 0;
  char *text;

  /* Never GLib's PRNG: verifiers and state must be unguessable (RFC 7636 §7.1). */
  while (got < n_bytes)
    {
      gssize r = getrandom (buffer + got, n_bytes - got, 0);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        g_error ("The kernel's random number generator failed: %s", g_strerror (errno));
      got += r;
    }
  text = muster_base64url_encode (buffer, n_bytes);
  explicit_bzero (buffer, n_bytes);
  return text;
}

char *
muster_pkce_new_verifier (void)
{
  return muster_random_urlsafe (32);
}

char *
muster_pkce_challenge_s256 (const char *verifier)
{
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_return_val_if_fail (verifier != NULL, NULL);

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &digest_len);
  return muster_base64url_encode (digest, digest_len);
}
