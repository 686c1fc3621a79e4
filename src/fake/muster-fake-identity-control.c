/* muster-fake-identity-control.c: the identity platform's control API, /_fake/identity
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What tests use to steer the identity platform: register apps, expire or revoke tokens,
 * move the clock, require MFA.
 *
 * The endpoints are documented at the top of muster-fake-identity.c.
 */

#define G_LOG_DOMAIN "muster-fake-identity"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "muster-fake-identity-private.h"
#include "muster-fake-http.h"

/* ---- control API -------------------------------------------------------------------------- */

static void
reply_control_error (SoupServerMessage *msg,
                     const char        *message)
{
  GString *body = g_string_new ("{\"error\":");

  _muster_fake_json_append_string (body, message);
  g_string_append_c (body, '}');
  _muster_fake_identity_reply_json (msg, 400, body);
}

static JsonObject *
read_json_object (SoupServerMessage *msg)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  JsonNode *root;

  if (size == 0)
    return json_object_new ();
  if (!json_parser_load_from_data (parser, data, size, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

static gboolean
read_string_list (JsonObject  *object,
                  const char  *member,
                  GPtrArray   *out,
                  gboolean     canonical_permissions,
                  char       **bad)
{
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      *bad = g_strdup_printf ("%s must be an array of strings", member);
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *s;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          *bad = g_strdup_printf ("%s must be an array of strings", member);
          return FALSE;
        }
      s = json_node_get_string (element);
      if (canonical_permissions)
        {
          const char *permission = strrchr (s, '/') ? strrchr (s, '/') + 1 : s;
          const KnownPermission *known = _muster_fake_identity_lookup_permission (permission);

          if (known == NULL)
            {
              *bad = g_strdup_printf ("unknown permission '%s'", s);
              return FALSE;
            }
          s = known->name;
        }
      _muster_fake_identity_strings_add_unique (out, s);
    }
  return TRUE;
}

static void
append_string_array (GString    *body,
                     GPtrArray  *array)
{
  g_string_append_c (body, '[');
  for (guint i = 0; i < array->len; i++)
    {
      if (i > 0)
        g_string_append_c (body, ',');
      _muster_fake_json_append_string (body, g_ptr_array_index (array, i));
    }
  g_string_append_c (body, ']');
}

static void
control_register_app (MusterFakeIdentity *self,
                      SoupServerMessage  *msg,
                      JsonObject         *object)
{
  const char *client_id = json_object_get_string_member_with_default (object, "clientId", NULL);
  const char *name = json_object_get_string_member_with_default (object, "displayName", NULL);
  const char *secret = json_object_get_string_member_with_default (object, "secret", NULL);
  const char *pem = json_object_get_string_member_with_default (object, "certificatePem", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = NULL;
  App *app;

  if (client_id == NULL || !g_uuid_string_is_valid (client_id))
    {
      reply_control_error (msg, "clientId must be a GUID");
      return;
    }
  app = _muster_fake_identity_app_new (client_id, name ? name : client_id);
  app->public_client = json_object_get_boolean_member_with_default (object, "publicClient", FALSE);
  app->multi_tenant = json_object_get_boolean_member_with_default (object, "multiTenant", FALSE);
  app->secret = g_strdup (secret);
  if ((pem != NULL && !_muster_fake_identity_app_set_certificate (app, pem, &error)) ||
      !read_string_list (object, "roles", app->roles, TRUE, &bad) ||
      !read_string_list (object, "scopes", app->required_scopes, TRUE, &bad) ||
      !read_string_list (object, "redirectUris", app->redirect_uris, FALSE, &bad))
    {
      reply_control_error (msg, error ? error->message : bad);
      _muster_fake_identity_app_free (app);
      return;
    }
  if (app->redirect_uris->len == 0)
    g_ptr_array_add (app->redirect_uris, g_strdup ("http://localhost"));
  g_hash_table_replace (self->apps, g_strdup (app->client_id), app);
  soup_server_message_set_status (msg, 204, NULL);
}

static void
control_list_apps (MusterFakeIdentity *self,
                   SoupServerMessage  *msg)
{
  GString *body = g_string_new ("{\"value\":[");
  GHashTableIter iter;
  gpointer value;
  gboolean first = TRUE;

  g_hash_table_iter_init (&iter, self->apps);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      App *app = value;
      g_autoptr(GPtrArray) consented = g_ptr_array_new ();
      GHashTableIter scope_iter;
      gpointer scope;

      g_hash_table_iter_init (&scope_iter, app->consented);
      while (g_hash_table_iter_next (&scope_iter, &scope, NULL))
        g_ptr_array_add (consented, scope);
      g_ptr_array_sort (consented, (GCompareFunc) g_strcmp0);
      if (!first)
        g_string_append_c (body, ',');
      first = FALSE;
      g_string_append (body, "{\"clientId\":");
      _muster_fake_json_append_string (body, app->client_id);
      g_string_append (body, ",\"displayName\":");
      _muster_fake_json_append_string (body, app->display_name);
      g_string_append_printf (body, ",\"publicClient\":%s,\"multiTenant\":%s,\"hasSecret\":%s,"
                              "\"hasCertificate\":%s,\"consentedScopes\":",
                              app->public_client ? "true" : "false", app->multi_tenant ? "true" : "false",
                              app->secret ? "true" : "false", app->cert_key ? "true" : "false");
      append_string_array (body, consented);
      g_string_append (body, ",\"roles\":");
      append_string_array (body, app->roles);
      g_string_append (body, ",\"redirectUris\":");
      append_string_array (body, app->redirect_uris);
      g_string_append_c (body, '}');
    }
  g_string_append (body, "]}");
  _muster_fake_identity_reply_json (msg, 200, body);
}

static void
control_whoami (MusterFakeIdentity *self,
                SoupServerMessage  *msg)
{
  const MusterFakeGrant *grant = _muster_fake_identity_check_bearer (self, msg);
  GString *body;

  if (grant == NULL)
    return;
  body = g_string_new ("{\"clientId\":");
  _muster_fake_json_append_string (body, grant->client_id);
  g_string_append (body, ",\"userId\":");
  _muster_fake_json_append_string (body, grant->user_id);
  g_string_append_printf (body, ",\"appOnly\":%s,\"expiresAt\":%" G_GINT64_FORMAT ",\"scopes\":[",
                          grant->app_only ? "true" : "false", grant->expires_at);
  for (guint i = 0; grant->scopes != NULL && grant->scopes[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (body, ',');
      _muster_fake_json_append_string (body, grant->scopes[i]);
    }
  g_string_append (body, "]}");
  _muster_fake_identity_reply_json (msg, 200, body);
}

static void
control_stats (MusterFakeIdentity *self,
               SoupServerMessage  *msg)
{
  GString *body = g_string_new (NULL);
  const Stats *s = &self->stats;

  g_string_append_printf (body,
                          "{\"codesIssued\":%" G_GUINT64_FORMAT ",\"codesRedeemed\":%" G_GUINT64_FORMAT
                          ",\"accessTokensIssued\":%" G_GUINT64_FORMAT ",\"refreshTokensIssued\":%" G_GUINT64_FORMAT
                          ",\"idTokensIssued\":%" G_GUINT64_FORMAT ",\"deviceCodesIssued\":%" G_GUINT64_FORMAT
                          ",\"tokenRequests\":%" G_GUINT64_FORMAT ",\"tokenErrors\":%" G_GUINT64_FORMAT
                          ",\"consentsAccepted\":%" G_GUINT64_FORMAT ",\"consentsDeclined\":%" G_GUINT64_FORMAT
                          ",\"bearerRejected\":%" G_GUINT64_FORMAT ",\"tokenLifetime\":%u,\"deviceInterval\":%u"
                          ",\"mfaRequired\":%s,\"clockOffset\":%" G_GINT64_FORMAT "}",
                          s->codes_issued, s->codes_redeemed, s->access_tokens_issued, s->refresh_tokens_issued,
                          s->id_tokens_issued, s->device_codes_issued, s->token_requests, s->token_errors,
                          s->consents_accepted, s->consents_declined, s->bearer_rejected,
                          self->token_lifetime, self->device_interval,
                          self->mfa_required ? "true" : "false", self->clock_offset);
  _muster_fake_identity_reply_json (msg, 200, body);
}

/* Test plumbing on loopback, for the secrets check: every secret the identity platform handed
 * out (access and refresh tokens still known, codes) or was sent (verifiers, refresh tokens,
 * client secrets and assertions), so a test can look for them where they must not be. */
static void
control_secrets (MusterFakeIdentity *self,
                 SoupServerMessage  *msg)
{
  GString *body = g_string_new ("{\"secrets\":[");
  GHashTable *tables[] = { self->access_tokens, self->refresh_tokens, self->codes };
  gboolean first = TRUE;

  for (guint i = 0; i < self->secrets_seen->len; i++, first = FALSE)
    {
      if (!first)
        g_string_append_c (body, ',');
      _muster_fake_json_append_string (body, g_ptr_array_index (self->secrets_seen, i));
    }
  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, tables[t]);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          if (!first)
            g_string_append_c (body, ',');
          first = FALSE;
          _muster_fake_json_append_string (body, key);
        }
    }
  g_string_append (body, "]}");
  _muster_fake_identity_reply_json (msg, 200, body);
}

static gboolean
read_uint_member (JsonObject *object,
                  const char *member,
                  gint64      max,
                  gint64     *out)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return *out >= 0 && *out <= max;
}

void
_muster_fake_identity_control_handler (MusterFakeContext *ctx,
                                       SoupServerMessage *msg,
                                       const char        *path,
                                       GHashTable        *query,
                                       gpointer           user_data)
{
  MusterFakeIdentity *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  const char *action = path + strlen ("/_fake/identity");
  g_autoptr(JsonObject) object = NULL;
  gint64 number = 0;

  if (g_str_equal (method, "GET"))
    {
      if (g_str_equal (action, "/stats"))
        control_stats (self, msg);
      else if (g_str_equal (action, "/whoami"))
        control_whoami (self, msg);
      else if (g_str_equal (action, "/apps"))
        control_list_apps (self, msg);
      else if (g_str_equal (action, "/secrets"))
        control_secrets (self, msg);
      else
        soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  if (!g_str_equal (method, "POST"))
    {
      soup_server_message_set_status (msg, 405, NULL);
      return;
    }
  object = read_json_object (msg);
  if (object == NULL)
    {
      reply_control_error (msg, "the body must be a JSON object");
      return;
    }

  if (g_str_equal (action, "/expire-tokens"))
    _muster_fake_identity_expire_tokens (self);
  else if (g_str_equal (action, "/token-lifetime"))
    {
      if (!read_uint_member (object, "seconds", 28 * 3600, &number) || number == 0)
        {
          reply_control_error (msg, "seconds must be an integer from 1 to 100800");
          return;
        }
      self->token_lifetime = number;
    }
  else if (g_str_equal (action, "/apps"))
    {
      control_register_app (self, msg, object);
      return;
    }
  else if (g_str_equal (action, "/consent"))
    {
      const char *client_id = json_object_get_string_member_with_default (object, "clientId", NULL);
      App *app = _muster_fake_identity_lookup_app (self, client_id);
      g_autoptr(GPtrArray) scopes = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *bad = NULL;

      if (app == NULL)
        {
          reply_control_error (msg, "clientId names no registered app");
          return;
        }
      if (!read_string_list (object, "scopes", scopes, TRUE, &bad))
        {
          reply_control_error (msg, bad);
          return;
        }
      g_hash_table_remove_all (app->consented);
      _muster_fake_identity_app_consent (app, scopes);
    }
  else if (g_str_equal (action, "/refresh-inactive"))
    {
      GHashTableIter iter;
      gpointer value;

      if (!read_uint_member (object, "days", 100000, &number))
        {
          reply_control_error (msg, "days must be a non-negative integer");
          return;
        }
      g_hash_table_iter_init (&iter, self->refresh_tokens);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          RefreshToken *rt = value;

          rt->last_used -= number * 86400;
          rt->issued_at = MIN (rt->issued_at, rt->last_used);
        }
    }
  else if (g_str_equal (action, "/revoke"))
    {
      const char *user_id = json_object_get_string_member_with_default (object, "userId", NULL);
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->refresh_tokens);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          RefreshToken *rt = value;

          if (user_id == NULL || g_strcmp0 (rt->user_id, user_id) == 0)
            rt->revoked = TRUE;
        }
    }
  else if (g_str_equal (action, "/device"))
    {
      if (!read_uint_member (object, "interval", 3600, &number))
        {
          reply_control_error (msg, "interval must be a non-negative integer");
          return;
        }
      self->device_interval = number;
      if (json_object_has_member (object, "slowDown"))
        {
          if (!read_uint_member (object, "slowDown", 100, &number))
            {
              reply_control_error (msg, "slowDown must be a non-negative integer");
              return;
            }
          self->device_slow_down = number;
        }
    }
  else if (g_str_equal (action, "/device-approve"))
    {
      const char *user_code = json_object_get_string_member_with_default (object, "userCode", NULL);
      DeviceCode *device = _muster_fake_identity_lookup_user_code (self, user_code);

      if (device == NULL || device->state != DEVICE_PENDING)
        {
          reply_control_error (msg, "userCode names no pending device code");
          return;
        }
      _muster_fake_identity_device_decide (self, device, self->ctx->directory->admin_id,
                                           json_object_get_boolean_member_with_default (object, "approve", TRUE));
    }
  else if (g_str_equal (action, "/require-mfa"))
    self->mfa_required = json_object_get_boolean_member_with_default (object, "on", TRUE);
  else if (g_str_equal (action, "/auto-consent"))
    {
      const char *mode = json_object_get_string_member_with_default (object, "mode", "");

      if (g_str_equal (mode, "accept"))
        self->auto_consent = AUTO_CONSENT_ACCEPT;
      else if (g_str_equal (mode, "cancel"))
        self->auto_consent = AUTO_CONSENT_CANCEL;
      else if (g_str_equal (mode, "off"))
        self->auto_consent = AUTO_CONSENT_OFF;
      else
        {
          reply_control_error (msg, "mode must be accept, cancel or off");
          return;
        }
    }
  else if (g_str_equal (action, "/advance-clock"))
    {
      if (!read_uint_member (object, "seconds", G_GINT64_CONSTANT (10) * 365 * 86400, &number))
        {
          reply_control_error (msg, "seconds must be a non-negative integer");
          return;
        }
      self->clock_offset += number;
    }
  else
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  soup_server_message_set_status (msg, 204, NULL);
}
