/* muster-token.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-token"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "muster-auth-error.h"
#include "muster-http.h"
#include "muster-pkce.h"
#include "muster-secret.h"
#include "muster-token.h"

G_DEFINE_BOXED_TYPE (MusterToken, muster_token, muster_token_copy, muster_token_free)

static void
free_secret (char *secret)
{
  muster_secret_free (secret);
}

MusterToken *
muster_token_copy (const MusterToken *token)
{
  MusterToken *copy = g_new0 (MusterToken, 1);

  copy->access_token = g_strdup (token->access_token);
  copy->refresh_token = g_strdup (token->refresh_token);
  copy->scopes = g_strdupv (token->scopes);
  copy->expires_at = token->expires_at;
  copy->tenant_id = g_strdup (token->tenant_id);
  copy->object_id = g_strdup (token->object_id);
  copy->name = g_strdup (token->name);
  copy->username = g_strdup (token->username);
  return copy;
}

void
muster_token_free (MusterToken *token)
{
  if (token == NULL)
    return;
  free_secret (token->access_token);
  free_secret (token->refresh_token);
  g_strfreev (token->scopes);
  g_free (token->tenant_id);
  g_free (token->object_id);
  g_free (token->name);
  g_free (token->username);
  g_free (token);
}

/* "https://graph.microsoft.com/User.Read.All openid" → "User.Read.All", "openid" */
static GStrv
parse_scopes (const char *text)
{
  g_auto(GStrv) words = g_strsplit_set (text ? text : "", " +", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *scope = words[i];
      const char *slash;

      if (*scope == '\0')
        continue;
      /* the service may send the scope URL-encoded (the sample in
       * learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow) */
      if (strchr (scope, '%') != NULL)
        {
          g_autofree char *decoded = g_uri_unescape_string (scope, NULL);
          const char *name;

          slash = decoded ? strrchr (decoded, '/') : NULL;
          name = slash ? slash + 1 : (decoded ? decoded : scope);
          /* a bare resource ("https://graph.microsoft.com/") grants no named scope */
          if (*name != '\0')
            g_strv_builder_add (builder, name);
          continue;
        }
      slash = strrchr (scope, '/');
      if (slash == NULL || slash[1] != '\0')
        g_strv_builder_add (builder, slash ? slash + 1 : scope);
    }
  return g_strv_builder_end (builder);
}

static JsonObject *
decode_jwt_claims (const char *jwt,
                   JsonNode  **node_out)
{
  g_auto(GStrv) parts = jwt ? g_strsplit (jwt, ".", 4) : NULL;
  g_autofree guchar *payload = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;

  if (parts == NULL || g_strv_length (parts) != 3)
    return NULL;
  payload = muster_base64url_decode (parts[1], &length);
  if (payload == NULL)
    return NULL;
  bytes = g_bytes_new_take (g_steal_pointer (&payload), length);
  *node_out = muster_http_parse_json (bytes, "id_token", NULL);
  if (*node_out == NULL || !JSON_NODE_HOLDS_OBJECT (*node_out))
    return NULL;
  return json_node_get_object (*node_out);
}

MusterToken *
muster_token_parse (JsonNode  *body,
                    gint64     now,
                    GError   **error)
{
  g_autoptr(MusterToken) token = g_new0 (MusterToken, 1);
  g_autoptr(JsonNode) claims_node = NULL;
  JsonObject *object, *claims;
  const char *type;
  gint64 expires_in;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    goto malformed;
  object = json_node_get_object (body);

  type = muster_json_get_string (object, "token_type");
  if (muster_json_get_string (object, "access_token") == NULL ||
      (type != NULL && g_ascii_strcasecmp (type, "Bearer") != 0))
    goto malformed;

  token->access_token = g_strdup (muster_json_get_string (object, "access_token"));
  token->refresh_token = g_strdup (muster_json_get_string (object, "refresh_token"));
  token->scopes = parse_scopes (muster_json_get_string (object, "scope"));
  expires_in = muster_json_get_int (object, "expires_in", 3599);
  token->expires_at = now + CLAMP (expires_in, 0, 60 * 60 * 48);

  claims = decode_jwt_claims (muster_json_get_string (object, "id_token"), &claims_node);
  if (claims != NULL)
    {
      token->tenant_id = g_strdup (muster_json_get_string (claims, "tid"));
      token->object_id = g_strdup (muster_json_get_string (claims, "oid"));
      token->name = g_strdup (muster_json_get_string (claims, "name"));
      token->username = g_strdup (muster_json_get_string (claims, "preferred_username"));
    }
  return g_steal_pointer (&token);

malformed:
  g_set_error_literal (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_PROTOCOL,
                       _("The sign-in service answered without a usable access token."));
  return NULL;
}

gboolean
muster_token_has_scope (const MusterToken *token,
                        const char        *scope)
{
  if (token == NULL || token->scopes == NULL)
    return FALSE;
  for (guint i = 0; token->scopes[i] != NULL; i++)
    if (g_ascii_strcasecmp (token->scopes[i], scope) == 0)
      return TRUE;
  return FALSE;
}
