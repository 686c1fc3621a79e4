/* muster-pkce.h: Proof Key for Code Exchange (RFC 7636) and other random strings for sign-in
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @n_bytes from the kernel's CSPRNG (getrandom), base64url without padding. */
char *muster_random_urlsafe       (gsize       n_bytes);
/* 43 characters of [A-Za-z0-9-_]: 32 random bytes, as MSAL does (RFC 7636 §4.1). */
char *muster_pkce_new_verifier    (void);
/* base64url(SHA-256(verifier)) without padding: the S256 challenge. */
char *muster_pkce_challenge_s256  (const char *verifier);
/* base64url encoding without padding of any bytes (JWTs use it too). */
char *muster_base64url_encode     (const guchar *data,
                                   gsize         length);
/* Decodes base64url with or without padding; NULL when malformed. */
guchar *muster_base64url_decode   (const char   *text,
                                   gsize        *length);

G_END_DECLS
