/* muster-fake-jwt.h: JSON Web Tokens for the fake identity platform (RFC 7515, RFC 7519)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

G_BEGIN_DECLS

/* A parsed compact JWS: header and claims as JSON objects, the bytes that were signed and
 * the signature. */
typedef struct
{
  JsonObject *header;
  JsonObject *claims;
  char       *signing_input;  /* "<b64 header>.<b64 claims>" */
  GBytes     *signature;
} MusterFakeJwt;

void           _muster_fake_jwt_free             (MusterFakeJwt *jwt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterFakeJwt, _muster_fake_jwt_free)

/* base64url without padding (RFC 7515 §2) */
char          *_muster_fake_base64url_encode     (const guchar  *data,
                                                  gsize          len);
/* Accepts input with or without padding; NULL when it is not base64url. */
guchar        *_muster_fake_base64url_decode     (const char    *text,
                                                  gsize         *out_len);

/* Splits and decodes a compact JWS; NULL with a reason in @error when malformed. */
MusterFakeJwt *_muster_fake_jwt_parse            (const char    *compact,
                                                  GError       **error);
/* Verifies the signature with @key for the header's "alg" (RS256 or PS256 only). */
gboolean       _muster_fake_jwt_verify           (MusterFakeJwt *jwt,
                                                  gnutls_pubkey_t key,
                                                  GError       **error);
/* Signs @claims_json with @key (RS256, or PS256 when @pss) and returns the compact JWS.
 * @kid, @x5t and @x5t_s256 go into the header when not NULL. */
char          *_muster_fake_jwt_sign             (gnutls_privkey_t key,
                                                  gboolean       pss,
                                                  const char    *kid,
                                                  const char    *x5t,
                                                  const char    *x5t_s256,
                                                  const char    *claims_json);

/* SHA-1 and SHA-256 certificate thumbprints, base64url (the JWS "x5t" and "x5t#S256"). */
char          *_muster_fake_jwt_thumbprint       (const gnutls_datum_t *der,
                                                  gnutls_digest_algorithm_t algorithm);

G_END_DECLS
