/* fuzz-token.c: the token endpoint's answer, including the id_token's JWT payload
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is used twice: as the whole token endpoint body, and as the decoded payload of an
 * id_token inside an otherwise valid body (so the fuzzer reaches the claims without having to
 * find base64url by chance). Properties: a parsed token always has an access token, expires
 * within 48 hours of the request, and has scopes without a resource prefix.
 */

#include "config.h"

#include "fuzz-common.h"
#include "muster-http.h"
#include "muster-pkce.h"
#include "muster-token.h"

#define NOW G_GINT64_CONSTANT (1800000000)

static void
check_token (MusterToken *token)
{
  g_assert_nonnull (token->access_token);
  g_assert_cmpint (token->expires_at, >=, NOW);
  g_assert_cmpint (token->expires_at, <=, NOW + 48 * 3600);
  g_assert_nonnull (token->scopes);
  for (guint i = 0; token->scopes[i] != NULL; i++)
    {
      g_assert_cmpstr (token->scopes[i], !=, "");
      muster_token_has_scope (token, token->scopes[i]);
    }
  muster_token_free (muster_token_copy (token));
}

static void
parse_body (GBytes *bytes)
{
  g_autoptr(JsonNode) body = muster_http_parse_json (bytes, "token", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterToken) token = NULL;

  token = muster_token_parse (body, NOW, &error);
  g_assert_true ((token == NULL) == (error != NULL));
  if (token != NULL)
    check_token (token);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GString) body = NULL;
  g_autofree char *payload = NULL;
  g_autoptr(GBytes) body_bytes = NULL;

  fuzz_init ();

  bytes = g_bytes_new (data, size);
  parse_body (bytes);

  /* The same bytes as the claims of an id_token. */
  payload = muster_base64url_encode (data, size);
  body = g_string_new ("{\"token_type\":\"Bearer\",\"access_token\":\"eyJ0\",\"expires_in\":\"3599\","
                       "\"scope\":\"https://graph.microsoft.com/User.Read.All%20openid profile\","
                       "\"id_token\":\"eyJhbGciOiJub25lIn0.");
  g_string_append (body, payload);
  g_string_append (body, ".c2ln\"}");
  body_bytes = g_string_free_to_bytes (g_steal_pointer (&body));
  parse_body (body_bytes);
  return 0;
}
