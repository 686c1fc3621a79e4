/* muster-fake-jwt.c: JSON Web Tokens for the fake identity platform
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Client assertions (learn.microsoft.com/entra/identity-platform/certificate-credentials) arrive as compact
 * JWS signed with RS256 (MSAL's older form, with "x5t") or PS256 (the 2025 form, with "x5t#S256"); id_tokens
 * the fake hands out are RS256 like the real ones
 * (learn.microsoft.com/entra/identity-platform/id-token-claims-reference).
 */

#define G_LOG_DOMAIN "muster-fake-jwt"

#include "config.h"

#include <gio/gio.h>
#include <gnutls/crypto.h>

#include "muster-fake-jwt.h"

void
_muster_fake_jwt_free (MusterFakeJwt *jwt)
{
  g_clear_pointer (&jwt->header, json_object_unref);
  g_clear_pointer (&jwt->claims, json_object_unref);
  g_clear_pointer (&jwt->signature, g_bytes_unref);
  g_free (jwt->signing_input);
  g_free (jwt);
}

char *
_muster_fake_base64url_encode (const guchar *data,
                               gsize         len)
{
  char *b64 = g_base64_encode (data, len);

  for (char *p = b64; *p; p++)
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
  return b64;
}

guchar *
_muster_fake_base64url_decode (const char *text,
                               gsize      *out_len)
{
  gsize len = strlen (text);
  g_autoptr(GString) std = g_string_sized_new (len + 3);

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
      g_string_append_c (std, c);
    }
  if (std->len % 4 == 1)
    return NULL;
  while (std->len % 4 != 0)
    g_string_append_c (std, '=');
  return g_base64_decode (std->str, out_len);
}

static JsonObject *
decode_json_segment (const char *segment,
                     const char *what,
                     GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree guchar *raw = NULL;
  gsize raw_len = 0;
  JsonNode *root;

  raw = _muster_fake_base64url_decode (segment, &raw_len);
  if (raw == NULL || raw_len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The JWT %s is not base64url.", what);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, (const char *) raw, raw_len, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The JWT %s is not JSON.", what);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The JWT %s is not a JSON object.", what);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

MusterFakeJwt *
_muster_fake_jwt_parse (const char *compact,
                        GError    **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(MusterFakeJwt) jwt = g_new0 (MusterFakeJwt, 1);
  g_autofree guchar *sig = NULL;
  gsize sig_len = 0;

  if (compact == NULL || strlen (compact) > 64 * 1024)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The JWT is missing or too long.");
      return NULL;
    }
  parts = g_strsplit (compact, ".", 0);
  if (g_strv_length (parts) != 3)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The JWT does not have three segments (JWE is not supported here).");
      return NULL;
    }

  jwt->header = decode_json_segment (parts[0], "header", error);
  if (jwt->header == NULL)
    return NULL;
  jwt->claims = decode_json_segment (parts[1], "payload", error);
  if (jwt->claims == NULL)
    return NULL;
  sig = _muster_fake_base64url_decode (parts[2], &sig_len);
  if (sig == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The JWT signature is not base64url.");
      return NULL;
    }
  jwt->signature = g_bytes_new_take (g_steal_pointer (&sig), sig_len);
  jwt->signing_input = g_strconcat (parts[0], ".", parts[1], NULL);
  return g_steal_pointer (&jwt);
}

gboolean
_muster_fake_jwt_verify (MusterFakeJwt   *jwt,
                         gnutls_pubkey_t  key,
                         GError         **error)
{
  const char *alg = json_object_get_string_member_with_default (jwt->header, "alg", NULL);
  gnutls_sign_algorithm_t sign_algorithm;
  gnutls_datum_t data, signature;
  gsize sig_len;
  int rc;

  if (g_strcmp0 (alg, "RS256") == 0)
    sign_algorithm = GNUTLS_SIGN_RSA_SHA256;
  else if (g_strcmp0 (alg, "PS256") == 0)
    sign_algorithm = GNUTLS_SIGN_RSA_PSS_RSAE_SHA256;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The JWT algorithm '%s' is not supported.", alg ? alg : "");
      return FALSE;
    }

  data.data = (unsigned char *) jwt->signing_input;
  data.size = strlen (jwt->signing_input);
  signature.data = (unsigned char *) g_bytes_get_data (jwt->signature, &sig_len);
  signature.size = sig_len;

  rc = gnutls_pubkey_verify_data2 (key, sign_algorithm, 0, &data, &signature);
  if (rc < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "The provided signature value did not match the expected signature value.");
      return FALSE;
    }
  return TRUE;
}

char *
_muster_fake_jwt_sign (gnutls_privkey_t key,
                       gboolean         pss,
                       const char      *kid,
                       const char      *x5t,
                       const char      *x5t_s256,
                       const char      *claims_json)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *header_json = NULL;
  g_autofree char *header_b64 = NULL;
  g_autofree char *claims_b64 = NULL;
  g_autofree char *input = NULL;
  g_autofree char *sig_b64 = NULL;
  gnutls_datum_t data, signature = { NULL, 0 };
  int rc;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "typ");
  json_builder_add_string_value (builder, "JWT");
  json_builder_set_member_name (builder, "alg");
  json_builder_add_string_value (builder, pss ? "PS256" : "RS256");
  if (kid != NULL)
    {
      json_builder_set_member_name (builder, "kid");
      json_builder_add_string_value (builder, kid);
    }
  if (x5t != NULL)
    {
      json_builder_set_member_name (builder, "x5t");
      json_builder_add_string_value (builder, x5t);
    }
  if (x5t_s256 != NULL)
    {
      json_builder_set_member_name (builder, "x5t#S256");
      json_builder_add_string_value (builder, x5t_s256);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  header_json = json_generator_to_data (generator, NULL);

  header_b64 = _muster_fake_base64url_encode ((const guchar *) header_json, strlen (header_json));
  claims_b64 = _muster_fake_base64url_encode ((const guchar *) claims_json, strlen (claims_json));
  input = g_strconcat (header_b64, ".", claims_b64, NULL);

  data.data = (unsigned char *) input;
  data.size = strlen (input);
  rc = gnutls_privkey_sign_data2 (key,
                                  pss ? GNUTLS_SIGN_RSA_PSS_RSAE_SHA256 : GNUTLS_SIGN_RSA_SHA256,
                                  0, &data, &signature);
  if (rc < 0)
    g_error ("Signing a JWT failed: %s", gnutls_strerror (rc));

  sig_b64 = _muster_fake_base64url_encode (signature.data, signature.size);
  gnutls_free (signature.data);
  return g_strconcat (input, ".", sig_b64, NULL);
}

char *
_muster_fake_jwt_thumbprint (const gnutls_datum_t     *der,
                             gnutls_digest_algorithm_t algorithm)
{
  guchar digest[64];
  int rc;

  g_assert (gnutls_hash_get_len (algorithm) <= sizeof digest);
  rc = gnutls_hash_fast (algorithm, der->data, der->size, digest);
  if (rc < 0)
    g_error ("Hashing a certificate failed: %s", gnutls_strerror (rc));
  return _muster_fake_base64url_encode (digest, gnutls_hash_get_len (algorithm));
}
