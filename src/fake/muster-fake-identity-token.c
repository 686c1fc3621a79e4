/* muster-fake-identity-token.c: client authentication and the /token grants
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * POST /{tenant}/oauth2/v2.0/token: who the client is (a secret, HTTP Basic or a certificate
 * assertion, learn.microsoft.com/entra/identity-platform/certificate-credentials) and the authorization_code,
 * refresh_token, device_code and client_credentials grants.
 *
 * The endpoints are documented at the top of muster-fake-identity.c.
 */

#define G_LOG_DOMAIN "muster-fake-identity"

#include "config.h"

#include <string.h>

#include "muster-fake-identity-private.h"
#include "muster-fake-http.h"
#include "muster-fake-jwt.h"

#define JWT_BEARER_TYPE         "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#define DEVICE_CODE_GRANT       "urn:ietf:params:oauth:grant-type:device_code"
/* learn.microsoft.com/entra/identity-platform/configurable-token-lifetimes: MaxInactiveTime of refresh
 * tokens, 90 days */
#define REFRESH_MAX_INACTIVE    (90 * 24 * 3600)
/* clock skew tolerated on client assertions (MSAL makes them valid for 600 s) */
#define ASSERTION_SKEW          300

/* ---- client authentication (learn.microsoft.com/entra/identity-platform/certificate-credentials) */

static char *
format_cert_time (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return g_date_time_format (dt, "%m/%d/%Y %H:%M:%S");
}

static char *
hex_of_b64url (const char *b64)
{
  g_autofree guchar *raw = NULL;
  gsize len = 0;
  GString *hex = g_string_new (NULL);

  raw = _muster_fake_base64url_decode (b64, &len);
  for (gsize i = 0; raw != NULL && i < len; i++)
    g_string_append_printf (hex, "%02X", raw[i]);
  return g_string_free (hex, FALSE);
}

static gboolean
audience_is_token_endpoint (MusterFakeIdentity *self,
                            const char         *aud,
                            const char         *segment)
{
  MusterFakeDirectory *directory = self->ctx->directory;
  gsize base_len = strlen (self->ctx->base_url);
  g_autofree char *tenant = NULL;

  if (aud == NULL || strncmp (aud, self->ctx->base_url, base_len) != 0 || aud[base_len] != '/' ||
      !g_str_has_suffix (aud, "/oauth2/v2.0/token"))
    return FALSE;
  tenant = g_strndup (aud + base_len + 1, strlen (aud) - base_len - 1 - strlen ("/oauth2/v2.0/token"));
  return g_ascii_strcasecmp (tenant, segment) == 0 ||
         g_ascii_strcasecmp (tenant, directory->tenant_id) == 0 ||
         _muster_fake_identity_is_verified_domain (directory, tenant);
}

static gboolean
verify_client_assertion (MusterFakeIdentity *self,
                         App                *app,
                         GHashTable         *form,
                         const char         *segment,
                         StsError           *err)
{
  const char *type = _muster_fake_identity_param (form, "client_assertion_type");
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterFakeJwt) jwt = NULL;
  const char *x5t, *x5t_s256, *iss, *sub, *aud, *jti;
  g_autofree char *used_hex = NULL;
  gint64 now = _muster_fake_identity_now (self), exp, nbf;
  gboolean key_matches;

  if (g_strcmp0 (type, JWT_BEARER_TYPE) != 0)
    {
      _muster_fake_identity_error_set (err, 400, "invalid_request", 90100,
                                       "The parameter 'client_assertion_type' is empty or not valid. Expected '"
                                       JWT_BEARER_TYPE "'.");
      return FALSE;
    }
  jwt = _muster_fake_jwt_parse (_muster_fake_identity_param (form, "client_assertion"), &error);
  if (jwt == NULL)
    {
      _muster_fake_identity_error_set (err, 401, "invalid_client", 50027, "Invalid JWT token. %s", error->message);
      return FALSE;
    }

  x5t = json_object_get_string_member_with_default (jwt->header, "x5t", NULL);
  x5t_s256 = json_object_get_string_member_with_default (jwt->header, "x5t#S256", NULL);
  if (x5t == NULL && x5t_s256 == NULL)
    {
      _muster_fake_identity_error_set (err, 401, "invalid_client", 50027,
                                       "Invalid JWT token. No certificate thumbprint specified in token header.");
      return FALSE;
    }
  used_hex = hex_of_b64url (x5t_s256 ? x5t_s256 : x5t);
  key_matches = app->cert_key != NULL &&
                (x5t_s256 ? g_str_equal (x5t_s256, app->cert_x5t_s256) : g_str_equal (x5t, app->cert_x5t));
  if (!key_matches)
    {
      _muster_fake_identity_error_set (err, 401, "invalid_client", 700027,
                                       "Client assertion contains an invalid signature. [Reason - The "
                                       "key was not found., Thumbprint of key used by client: '%s', "
                                       "Please visit the Azure Portal, Graph Explorer or directly use "
                                       "MS Graph to see configured keys for app Id '%s'.]",
                                       used_hex, app->client_id);
      return FALSE;
    }
  if (!_muster_fake_jwt_verify (jwt, app->cert_key, &error))
    {
      g_autofree char *start = format_cert_time (app->cert_not_before);
      g_autofree char *end = format_cert_time (app->cert_not_after);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
        _muster_fake_identity_error_set (err, 401, "invalid_client", 50027, "Invalid JWT token. %s", error->message);
      else
        _muster_fake_identity_error_set (err, 401, "invalid_client", 700027,
                                         "Client assertion contains an invalid signature. [Reason - %s, Thumbprint of "
                                         "key used by client: '%s', Found key 'Start=%s, End=%s']",
                                         error->message, used_hex, start, end);
      return FALSE;
    }

  iss = json_object_get_string_member_with_default (jwt->claims, "iss", NULL);
  sub = json_object_get_string_member_with_default (jwt->claims, "sub", NULL);
  aud = json_object_get_string_member_with_default (jwt->claims, "aud", NULL);
  jti = json_object_get_string_member_with_default (jwt->claims, "jti", NULL);
  exp = json_object_get_int_member_with_default (jwt->claims, "exp", 0);
  nbf = json_object_get_int_member_with_default (jwt->claims, "nbf", 0);

  if (iss == NULL || g_ascii_strcasecmp (iss, app->client_id) != 0)
    {
      _muster_fake_identity_error_set (err, 401, "invalid_client", 50027,
                                       "Invalid JWT token. The issuer '%s' of the "
                                       "client assertion is not the client '%s'.",
                                       iss ? iss : "", app->client_id);
      return FALSE;
    }
  if (sub == NULL || g_ascii_strcasecmp (sub, iss) != 0)
    {
      _muster_fake_identity_error_set (err, 401, "invalid_client", 50048,
                                       "Subject mismatches Issuer claim in the client assertion for application '%s'.",
                                       app->client_id);
      return FALSE;
    }
  if (!audience_is_token_endpoint (self, aud, segment))
    {
      _muster_fake_identity_error_set (err, 401, "invalid_client", 50027,
                                       "Invalid JWT token. The audience '%s' is not "
                                       "the token endpoint '%s/%s/oauth2/v2.0/token'.",
                                       aud ? aud : "", self->ctx->base_url, segment);
      return FALSE;
    }
  if (exp == 0 || now >= exp + ASSERTION_SKEW || (nbf != 0 && nbf > now + ASSERTION_SKEW))
    {
      g_autofree char *now_text = format_cert_time (now);
      g_autofree char *nbf_text = format_cert_time (nbf);
      g_autofree char *exp_text = format_cert_time (exp);

      _muster_fake_identity_error_set (err, 401, "invalid_client", 700024,
                                       "Client assertion is not within its valid "
                                       "time range. Current time: %s, assertion "
                                       "valid from %s, expiry time of assertion %s.", now_text, nbf_text, exp_text);
      return FALSE;
    }
  if (jti == NULL || *jti == '\0')
    {
      _muster_fake_identity_error_set (err, 401, "invalid_client", 50027,
                                       "Invalid JWT token. The 'jti' claim is missing.");
      return FALSE;
    }
  if (g_hash_table_contains (self->assertion_jtis, jti))
    {
      _muster_fake_identity_error_set (err, 401, "invalid_client", 50027,
                                       "Invalid JWT token. The client assertion with jti '%s' was already used.", jti);
      return FALSE;
    }
  g_hash_table_add (self->assertion_jtis, g_strdup (jti));
  return TRUE;
}

/* Checks the client's credentials for any grant. Public clients must present none
 * (AADSTS700025); confidential ones a secret (form or HTTP Basic) or an assertion. */
static gboolean
authenticate_client (MusterFakeIdentity *self,
                     App                *app,
                     GHashTable         *form,
                     const char         *basic_secret,
                     const char         *segment,
                     StsError           *err)
{
  const char *secret = _muster_fake_identity_param (form, "client_secret")
                       ? _muster_fake_identity_param (form, "client_secret")
                       : basic_secret;
  gboolean has_assertion = _muster_fake_identity_param (form, "client_assertion") != NULL;

  if (app->public_client)
    {
      if (secret != NULL || has_assertion)
        {
          _muster_fake_identity_error_set (err, 401, "invalid_client", 700025,
                                           "Client is public so neither 'client_assertion' "
                                           "nor 'client_secret' should be presented.");
          return FALSE;
        }
      return TRUE;
    }
  if (secret == NULL && !has_assertion)
    {
      _muster_fake_identity_error_set (err, 401, "invalid_client", 7000218,
                                       "The request body must contain the following "
                                       "parameter: 'client_assertion' or 'client_secret'.");
      return FALSE;
    }
  if (has_assertion)
    {
      if (secret != NULL)
        {
          _muster_fake_identity_error_set (err, 400, "invalid_request", 9002313,
                                           "Invalid request. Request is malformed or invalid: send either "
                                           "'client_assertion' or 'client_secret', not both.");
          return FALSE;
        }
      return verify_client_assertion (self, app, form, segment, err);
    }
  if (app->secret == NULL || !g_str_equal (app->secret, secret))
    {
      _muster_fake_identity_error_set (err, 401, "invalid_client", 7000215,
                                       "Invalid client secret provided. Ensure the secret being "
                                       "sent in the request is the client secret value, not the "
                                       "client secret ID, for a secret added to app '%s'.",
                                       app->client_id);
      return FALSE;
    }
  return TRUE;
}

/* ---- /token grants ---------------------------------------------------------------------- */

static void
token_authorization_code (MusterFakeIdentity *self,
                          SoupServerMessage  *msg,
                          App                *app,
                          TenantKind          kind,
                          GHashTable         *form)
{
  const char *value = _muster_fake_identity_param (form, "code");
  const char *redirect_uri = _muster_fake_identity_param (form, "redirect_uri");
  const char *verifier = _muster_fake_identity_param (form, "code_verifier");
  StsError err = { 0 };
  AuthCode *code;
  MusterFakeUser *user;

  if (value == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'code'.");
      goto error;
    }
  code = g_hash_table_lookup (self->codes, value);
  if (code == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 9002313,
                                       "Invalid request. Request is malformed or invalid.");
      goto error;
    }
  if (!g_str_equal (code->client_id, app->client_id))
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 70000,
                                       "The provided value for the 'code' parameter is not valid. The code was issued "
                                       "to another client.");
      goto error;
    }
  if ((code->tenant_kind == TENANT_COMMON) != (kind == TENANT_COMMON))
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 700005,
                                       "Provided Authorization Code is intended to "
                                       "use against other tenant, thus rejected.");
      goto error;
    }
  if (code->redeemed)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 54005,
                                       "OAuth2 Authorization code was already redeemed, please retry with a new valid "
                                       "code or use an existing refresh token.");
      goto error;
    }
  if (_muster_fake_identity_now (self) >= code->expires_at)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 70008,
                                       "The provided authorization code or refresh token has "
                                       "expired due to inactivity. Send a new interactive "
                                       "authorization request for this user and resource.");
      goto error;
    }
  if (redirect_uri == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'redirect_uri'.");
      goto error;
    }
  if (!g_str_equal (redirect_uri, code->redirect_uri))
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 50011,
                                       "The reply address '%s' does not match the reply address '%s' provided when "
                                       "requesting Authorization code.", redirect_uri, code->redirect_uri);
      goto error;
    }
  if (code->challenge != NULL && verifier == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'code_verifier'.");
      goto error;
    }
  if (verifier != NULL)
    {
      gboolean ok = FALSE;

      if (code->challenge != NULL && _muster_fake_identity_is_pkce_text (verifier, 43, 128))
        {
          if (g_str_equal (code->method, "S256"))
            {
              guchar digest[32];
              gsize digest_len = sizeof digest;
              g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
              g_autofree char *computed = NULL;

              g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
              g_checksum_get_digest (checksum, digest, &digest_len);
              computed = _muster_fake_base64url_encode (digest, digest_len);
              ok = g_str_equal (computed, code->challenge);
            }
          else
            ok = g_str_equal (verifier, code->challenge);
        }
      if (!ok)
        {
          _muster_fake_identity_error_set (&err, 400, "invalid_grant", 501481,
                                           "The Code_Verifier does not match the code_challenge supplied in the "
                                           "authorization request.");
          goto error;
        }
    }

  user = _muster_fake_identity_lookup_live_user (self, code->user_id);
  if (user == NULL || !user->account_enabled)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 50057, "The user account is disabled.");
      goto error;
    }

  if (self->mfa_required && !code->mfa)
    {
      /* signed in before Conditional Access began to demand MFA */
      _muster_fake_identity_reply_mfa_required (self, msg);
      return;
    }

  code->redeemed = TRUE;
  self->stats.codes_redeemed++;
  _muster_fake_identity_reply_user_tokens (self, msg, app, user, (const char * const *) code->scopes,
                                           code->nonce, code->mfa);
  return;

error:
  _muster_fake_identity_reply_error (self, msg, &err, NULL);
  _muster_fake_identity_error_clear (&err);
}

static void
token_refresh (MusterFakeIdentity *self,
               SoupServerMessage  *msg,
               App                *app,
               GHashTable         *form)
{
  const char *value = _muster_fake_identity_param (form, "refresh_token");
  StsError err = { 0 };
  RefreshToken *rt;
  MusterFakeUser *user;
  g_autoptr(GPtrArray) scopes = NULL;
  gint64 now = _muster_fake_identity_now (self);

  if (value == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'refresh_token'.");
      goto error;
    }
  rt = g_hash_table_lookup (self->refresh_tokens, value);
  if (rt == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 9002313,
                                       "Invalid request. Request is malformed or invalid.");
      goto error;
    }
  if (!g_str_equal (rt->client_id, app->client_id))
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 70000,
                                       "Provided grant is invalid or malformed. The "
                                       "refresh token was issued to another client.");
      goto error;
    }
  if (rt->revoked)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 50173,
                                       "The provided grant has expired due to it being revoked, a fresh auth token is "
                                       "needed. The user might have changed or reset their password.");
      goto error;
    }
  if (now - rt->last_used > REFRESH_MAX_INACTIVE)
    {
      g_autofree char *issued = _muster_fake_iso8601 (rt->issued_at);
      gint64 inactive = now - rt->last_used;

      /* "issued on {date} and was inactive for {time}"
       * (learn.microsoft.com/entra/identity-platform/reference-error-codes) */
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 700082,
                                       "The refresh token has expired due to inactivity. The token was "
                                       "issued on %s and was inactive for %" G_GINT64_FORMAT ".%02d:%02d:%02d.", issued,
                                       inactive / 86400, (int) (inactive % 86400 / 3600), (int) (inactive % 3600 / 60),
                                       (int) (inactive % 60));
      goto error;
    }
  user = _muster_fake_identity_lookup_live_user (self, rt->user_id);
  if (user == NULL || !user->account_enabled)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 50057, "The user account is disabled.");
      goto error;
    }
  if (self->mfa_required && !rt->mfa)
    {
      _muster_fake_identity_reply_mfa_required (self, msg);
      return;
    }

  if (_muster_fake_identity_param (form, "scope") != NULL)
    {
      g_autoptr(GPtrArray) defaults = _muster_fake_identity_app_default_scopes (app);

      scopes = _muster_fake_identity_parse_scopes (self, _muster_fake_identity_param (form, "scope"),
                                                   defaults, NULL, &err);
      if (scopes == NULL)
        goto error;
      /* "valid for all permissions already consented"
       * (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow) */
      for (guint i = 0; i < scopes->len; i++)
        {
          const char *scope = g_ptr_array_index (scopes, i);

          if (!_muster_fake_identity_is_oidc_scope (scope) &&
              !g_strv_contains ((const char * const *) rt->scopes, scope) &&
              !g_hash_table_contains (app->consented, scope))
            {
              _muster_fake_identity_error_set (&err, 400, "invalid_grant", 65001,
                                               "The user or administrator has not consented to use the application "
                                               "with ID '%s' named '%s'. Send an interactive authorization request "
                                               "for this user and resource.", app->client_id, app->display_name);
              err.suberror = "consent_required";
              goto error;
            }
        }
      /* the new refresh token stays a refresh token of the same grant */
      if (!_muster_fake_identity_strings_contain (scopes, "offline_access"))
        g_ptr_array_add (scopes, g_strdup ("offline_access"));
    }
  else
    {
      scopes = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; rt->scopes[i] != NULL; i++)
        g_ptr_array_add (scopes, g_strdup (rt->scopes[i]));
    }

  /* Rotation: a new refresh token each time; the old one is not revoked
   * (learn.microsoft.com/entra/identity-platform/refresh-tokens) */
  rt->last_used = now;
  g_ptr_array_add (scopes, NULL);
  _muster_fake_identity_reply_user_tokens (self, msg, app, user, (const char * const *) scopes->pdata, NULL, rt->mfa);
  return;

error:
  _muster_fake_identity_reply_error (self, msg, &err, NULL);
  _muster_fake_identity_error_clear (&err);
}

static void
token_device_code (MusterFakeIdentity *self,
                   SoupServerMessage  *msg,
                   App                *app,
                   GHashTable         *form)
{
  const char *value = _muster_fake_identity_param (form, "device_code");
  StsError err = { 0 };
  DeviceCode *device;
  MusterFakeUser *user;
  gint64 now = _muster_fake_identity_now (self);

  if (value == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'device_code'.");
      goto error;
    }
  device = g_hash_table_lookup (self->devices, value);
  if (device == NULL || !g_str_equal (device->client_id, app->client_id))
    {
      _muster_fake_identity_error_set (&err, 400, "bad_verification_code", 70018,
                                       "Invalid verification code. The device_code was not recognized.");
      goto error;
    }
  if (device->state == DEVICE_REDEEMED)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 70000,
                                       "Provided grant is invalid or malformed. The device code was already redeemed.");
      goto error;
    }
  if (now >= device->expires_at)
    {
      _muster_fake_identity_error_set (&err, 400, "expired_token", 70019,
                                       "Verification code expired. Have the user retry the sign-in.");
      goto error;
    }
  if (device->state == DEVICE_DECLINED)
    {
      _muster_fake_identity_error_set (&err, 400, "authorization_declined", 65004,
                                       "User declined to consent to access the app.");
      goto error;
    }
  /* RFC 8628 §3.5 slow_down: not among the errors Microsoft lists
   * (learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code), but MSAL handles it;
   * the interval grows by 5 seconds for this device code. */
  if ((device->last_poll != 0 && now - device->last_poll < device->interval) || self->device_slow_down > 0)
    {
      if (self->device_slow_down > 0)
        self->device_slow_down--;
      device->last_poll = now;
      device->interval += 5;
      _muster_fake_identity_error_set (&err, 400, "slow_down", 70016,
                                       "OAuth 2.0 device flow error. Authorization is pending. Polling too often: wait "
                                       "at least %u seconds between requests.", device->interval);
      goto error;
    }
  device->last_poll = now;
  if (device->state == DEVICE_PENDING)
    {
      _muster_fake_identity_error_set (&err, 400, "authorization_pending", 70016,
                                       "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
      goto error;
    }

  user = _muster_fake_identity_lookup_live_user (self, device->user_id);
  if (user == NULL || !user->account_enabled)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_grant", 50057, "The user account is disabled.");
      goto error;
    }
  if (self->mfa_required && !device->mfa)
    {
      _muster_fake_identity_reply_mfa_required (self, msg);
      return;
    }
  device->state = DEVICE_REDEEMED;
  _muster_fake_identity_reply_user_tokens (self, msg, app, user, (const char * const *) device->scopes,
                                           NULL, device->mfa);
  return;

error:
  _muster_fake_identity_reply_error (self, msg, &err, NULL);
  _muster_fake_identity_error_clear (&err);
}

static void
token_client_credentials (MusterFakeIdentity *self,
                          SoupServerMessage  *msg,
                          App                *app,
                          TenantKind          kind,
                          GHashTable         *form)
{
  const char *scope = _muster_fake_identity_param (form, "scope");
  const char *permission;
  StsError err = { 0 };
  g_autofree char *access_token = NULL;
  GString *body;

  if (kind == TENANT_COMMON)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 9001023,
                                       "The grant type is not supported over the /common or /consumers "
                                       "endpoints. Please use the /organizations or tenant-specific endpoint.");
      goto error;
    }
  if (kind == TENANT_ORGANIZATIONS)
    {
      /* an app alone names no tenant: the service cannot tell whose tenant is meant */
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 50059,
                                       "No tenant-identifying information found in either "
                                       "the request or implied by any provided credentials.");
      goto error;
    }
  if (scope == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'scope'.");
      goto error;
    }
  permission = _muster_fake_identity_graph_permission_part (self, scope);
  if (permission == NULL || permission == scope)
    {
      if (permission == NULL)
        _muster_fake_identity_error_set (&err, 400, "invalid_resource", 500011,
                                         "The resource principal named %s was not found in the tenant named %s.",
                                         scope, self->ctx->directory->display_name);
      else
        _muster_fake_identity_error_set (&err, 400, "invalid_scope", 1002012,
                                         "The provided value for scope %s is not valid. Client "
                                         "credential flows must have a scope value with /.default "
                                         "suffixed to the resource identifier (application ID URI).",
                                         scope);
      goto error;
    }
  if (g_ascii_strcasecmp (permission, ".default") != 0)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_scope", 1002012,
                                       "The provided value for scope %s is not valid. Client "
                                       "credential flows must have a scope value with /.default "
                                       "suffixed to the resource identifier (application ID URI).",
                                       scope);
      goto error;
    }

  g_ptr_array_add (app->roles, NULL);
  access_token = _muster_fake_identity_issue_access_token (self, app->client_id, NULL,
                                                           g_strdupv ((GStrv) app->roles->pdata), TRUE);
  g_ptr_array_remove_index (app->roles, app->roles->len - 1);

  /* no refresh token and no scope for this flow
   * (learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow) */
  body = g_string_new ("{\"token_type\":\"Bearer\"");
  g_string_append_printf (body, ",\"expires_in\":%u,\"ext_expires_in\":%u,\"access_token\":",
                          self->token_lifetime, self->token_lifetime);
  _muster_fake_json_append_string (body, access_token);
  g_string_append_c (body, '}');
  _muster_fake_identity_add_no_cache_headers (msg);
  _muster_fake_identity_reply_json (msg, 200, body);
  return;

error:
  _muster_fake_identity_reply_error (self, msg, &err, NULL);
  _muster_fake_identity_error_clear (&err);
}

/* Reads "Authorization: Basic" client credentials (RFC 6749 §2.3.1). */
static void
read_basic_auth (SoupServerMessage *msg,
                 char             **client_id,
                 char             **secret)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");
  g_autofree guchar *decoded = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  char *colon;

  if (header == NULL || g_ascii_strncasecmp (header, "Basic ", 6) != 0)
    return;
  decoded = g_base64_decode (header + 6, &len);
  text = g_strndup ((const char *) decoded, len);
  colon = strchr (text, ':');
  if (colon == NULL)
    return;
  *colon = '\0';
  *client_id = g_uri_unescape_string (text, NULL);
  *secret = g_uri_unescape_string (colon + 1, NULL);
}

void
_muster_fake_identity_handle_token (MusterFakeIdentity *self,
                                    SoupServerMessage  *msg,
                                    const char         *segment,
                                    TenantKind          kind)
{
  g_autoptr(GHashTable) form = NULL;
  g_autofree char *basic_id = NULL;
  g_autofree char *basic_secret = NULL;
  const char *grant_type, *client_id;
  StsError err = { 0 };
  App *app;

  self->stats.token_requests++;
  if (!g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900561,
                                       "The endpoint only accepts POST, OPTIONS requests. Received a %s request.",
                                       soup_server_message_get_method (msg));
      goto error;
    }
  if (kind == TENANT_UNKNOWN)
    {
      _muster_fake_identity_set_unknown_tenant_error (&err, segment);
      goto error;
    }
  /* The token endpoint reads only application/x-www-form-urlencoded (RFC 6749 §3.2): a JSON
   * body looks like one without any parameter. */
  form = _muster_fake_read_form (msg);
  {
    static const char * const secret_params[] = { "code", "code_verifier", "refresh_token", "client_secret",
                                                  "client_assertion", "device_code", NULL };

    for (guint i = 0; secret_params[i] != NULL; i++)
      {
        const char *secret = _muster_fake_identity_param (form, secret_params[i]);

        if (secret != NULL && *secret != '\0')
          _muster_fake_identity_strings_add_unique (self->secrets_seen, secret);
      }
  }
  grant_type = _muster_fake_identity_param (form, "grant_type");
  if (grant_type == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'grant_type'.");
      goto error;
    }
  read_basic_auth (msg, &basic_id, &basic_secret);
  client_id = _muster_fake_identity_param (form, "client_id") ? _muster_fake_identity_param (form, "client_id")
                                                              : basic_id;
  if (client_id == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'client_id'.");
      goto error;
    }
  app = _muster_fake_identity_lookup_app (self, client_id);
  if (app == NULL)
    {
      _muster_fake_identity_set_unknown_app_error (self, &err, client_id);
      goto error;
    }
  if (!_muster_fake_identity_check_app_for_tenant (self, app, kind, &err))
    goto error;

  if (!g_str_equal (grant_type, "authorization_code") && !g_str_equal (grant_type, "refresh_token") &&
      !g_str_equal (grant_type, DEVICE_CODE_GRANT) && !g_str_equal (grant_type, "client_credentials"))
    {
      _muster_fake_identity_error_set (&err, 400, "unsupported_grant_type", 70003,
                                       "The app requested an unsupported grant type '%s'.", grant_type);
      goto error;
    }
  if (g_str_equal (grant_type, "client_credentials") && app->public_client &&
      _muster_fake_identity_param (form, "client_secret") == NULL && basic_secret == NULL &&
      _muster_fake_identity_param (form, "client_assertion") == NULL)
    {
      _muster_fake_identity_error_set (&err, 401, "invalid_client", 7000218,
                                       "The request body must contain the following "
                                       "parameter: 'client_assertion' or 'client_secret'.");
      goto error;
    }
  if (!authenticate_client (self, app, form, basic_secret, segment, &err))
    goto error;

  if (g_str_equal (grant_type, "authorization_code"))
    token_authorization_code (self, msg, app, kind, form);
  else if (g_str_equal (grant_type, "refresh_token"))
    token_refresh (self, msg, app, form);
  else if (g_str_equal (grant_type, DEVICE_CODE_GRANT))
    token_device_code (self, msg, app, form);
  else
    token_client_credentials (self, msg, app, kind, form);
  return;

error:
  _muster_fake_identity_reply_error (self, msg, &err, NULL);
  _muster_fake_identity_error_clear (&err);
}
