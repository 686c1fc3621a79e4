/* muster-fake-identity.c: the fake Microsoft identity platform (login.microsoftonline.com)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Served on the fake's one origin, under /{tenant}/ where {tenant} is `organizations`,
 * `common`, `consumers`, the tenant GUID or a verified domain
 * (learn.microsoft.com/entra/identity-platform/v2-protocols):
 *
 *   GET|POST /{tenant}/oauth2/v2.0/authorize     consent page, then 302 to redirect_uri
 *   POST     /{tenant}/oauth2/v2.0/token         authorization_code, refresh_token,
 *                                                device_code, client_credentials
 *   POST     /{tenant}/oauth2/v2.0/devicecode    device authorization
 *   GET|POST /devicelogin                        where the person types the user code
 *   GET|POST /{tenant}/v2.0/adminconsent         admin consent
 *   GET      /{tenant}/v2.0/.well-known/openid-configuration, /{tenant}/discovery/v2.0/keys
 *   GET      /error?code=N                       what error_uri points at
 *
 * Device authorization and admin consent as learn.microsoft.com/entra/identity-platform/
 * v2-oauth2-device-code and v2-admin-consent describe them.
 *
 * Control API (JSON bodies; 204 on success, 400 {"error": "..."} on bad input):
 *
 *   POST /_fake/identity/expire-tokens                   every access token issued so far expires now
 *   POST /_fake/identity/token-lifetime   {"seconds":N}  lifetime of access tokens issued from now (default 3599)
 *   POST /_fake/identity/apps             {"clientId","displayName","secret"?,"certificatePem"?,
 *                                          "roles"?:[…],"scopes"?:[…],"redirectUris"?:[…],
 *                                          "publicClient"?:false,"multiTenant"?:false}
 *        registers (or replaces) an app. Confidential unless publicClient; roles are admin-consented
 *        application permissions; scopes are the delegated permissions its registration lists
 *        (what /.default means); redirectUris default to ["http://localhost"].
 *   GET  /_fake/identity/apps                            every app with its consented scopes and roles
 *   POST /_fake/identity/consent          {"clientId","scopes":[…]}  replaces the tenant-wide consented
 *        delegated scopes of that app
 *   POST /_fake/identity/refresh-inactive {"days":N}     every refresh token was last used N days earlier
 *   POST /_fake/identity/revoke           {"userId"?}    revokes refresh tokens (of one user, or all):
 *        AADSTS50173 on their next use, like revokeSignInSessions
 *   POST /_fake/identity/device           {"interval":N, "slowDown"?:K} polling interval of device codes
 *        issued from now; the next K polls answer slow_down whatever their timing
 *   POST /_fake/identity/device-approve   {"userCode","approve":true}  what the device-login page does
 *   POST /_fake/identity/require-mfa      {"on":true}    Conditional Access now requires MFA: refresh tokens
 *        obtained before fail with AADSTS50076 (suberror basic_action, a claims challenge) until the
 *        person signs in interactively again, which the fake counts as passing MFA
 *   POST /_fake/identity/auto-consent     {"mode":"accept"|"cancel"|"off"}  the authorize endpoint answers
 *        at once as if the person had pressed Accept or Cancel (for clients driven by a plain HTTP "browser")
 *   POST /_fake/identity/advance-clock    {"seconds":N}  moves the identity platform's clock forward
 *        (code, device-code, token and refresh-token lifetimes all follow it)
 *   GET  /_fake/identity/stats                           counters: codes issued and redeemed, tokens issued…
 *   GET  /_fake/identity/whoami                          the grant behind "Authorization: Bearer …"
 *   GET  /_fake/identity/secrets                         every code, token, verifier and client secret it saw
 *
 * Consent model: each app has a set of delegated scopes consented tenant-wide. The default public
 * client (Microsoft Graph Command Line Tools) starts with openid, profile, offline_access, User.Read
 * consented. Accepting a consent page grants the requested scopes (an administrator for the whole
 * organisation; a non-administrator only when nothing requested needs admin consent, else the page
 * says "Need admin approval", AADSTS90094). Tokens carry exactly the granted scopes.
 *
 * The parts live in files named after them, behind muster-fake-identity-private.h: this file
 * holds the state, apps, tokens, tenants, scopes, redirect URIs, sessions, issuing tokens,
 * discovery, the request dispatch and the module's entry points;
 * muster-fake-identity-authorize.c /authorize and admin consent,
 * muster-fake-identity-token.c client authentication and the /token grants,
 * muster-fake-identity-device.c the device code flow and the device-login page,
 * muster-fake-identity-control.c the control API.
 */

#define G_LOG_DOMAIN "muster-fake-identity"

#include "config.h"

#include <string.h>

#include <gnutls/x509.h>

#include "muster-fake-identity-private.h"
#include "muster-fake-http.h"
#include "muster-fake-jwt.h"
#include "muster-fake-pages.h"

#define GRAPH_APP_ID            "00000003-0000-0000-c000-000000000000"
#define DEFAULT_PUBLIC_CLIENT   "14d82eec-204b-4c2f-b7e8-296a70dab67e"
#define SESSION_COOKIE          "ESTSAUTH"
#define ID_TOKEN_LIFETIME       3600

/* The delegated permissions the fake's Graph knows, with their admin-consent flag
 * (learn.microsoft.com/graph/permissions-reference). The first four are OpenID Connect
 * scopes (learn.microsoft.com/entra/identity-platform/scopes-oidc). Names compare case-insensitively, as on
 * the real service. */
static const KnownPermission known_permissions[] = {
  { "openid", "Sign you in", FALSE },
  { "profile", "View your basic profile", FALSE },
  { "email", "View your email address", FALSE },
  { "offline_access", "Maintain access to data you have given it access to", FALSE },
  { "User.Read", "Sign you in and read your profile", FALSE },
  { "User.ReadBasic.All", "Read all users' basic profiles", FALSE },
  { "User.Read.All", "Read all users' full profiles", TRUE },
  { "User.ReadWrite", "Read and update your profile", FALSE },
  { "User.ReadWrite.All", "Read and write all users' full profiles", TRUE },
  { "GroupMember.Read.All", "Read group memberships", TRUE },
  { "GroupMember.ReadWrite.All", "Read and write group memberships", TRUE },
  { "Group.Read.All", "Read all groups", TRUE },
  { "Group.ReadWrite.All", "Read and write all groups", TRUE },
  { "Organization.Read.All", "Read organization information", TRUE },
  { "Organization.ReadWrite.All", "Read and write organization information", TRUE },
  { "LicenseAssignment.Read.All", "Read all license assignments", TRUE },
  { "Directory.Read.All", "Read directory data", TRUE },
  { "Directory.ReadWrite.All", "Read and write directory data", TRUE },
  { "ProfilePhoto.Read.All", "Read all profile photos", TRUE },
  { "AuditLog.Read.All", "Read audit log data", TRUE },
  { "Application.Read.All", "Read applications", TRUE },
  { "Mail.Read", "Read your mail", FALSE },
  { "Mail.Send", "Send mail as you", FALSE },
  { "Calendars.Read", "Read your calendars", FALSE },
};
#define N_OIDC_SCOPES 4

/* ---- small helpers ---------------------------------------------------------------------- */

gint64
_muster_fake_identity_now (MusterFakeIdentity *self)
{
  return g_get_real_time () / G_USEC_PER_SEC + self->clock_offset;
}

static char *
sts_timestamp (MusterFakeIdentity *self)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (_muster_fake_identity_now (self));

  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%SZ");
}

void G_GNUC_PRINTF (5, 6)
_muster_fake_identity_error_set (StsError   *err,
                                 guint       status,
                                 const char *error,
                                 guint       code,
                                 const char *format,
                                 ...)
{
  va_list args;

  g_free (err->text);
  err->status = status;
  err->error = error;
  err->code = code;
  err->suberror = NULL;
  va_start (args, format);
  err->text = g_strdup_vprintf (format, args);
  va_end (args);
}

void
_muster_fake_identity_error_clear (StsError *err)
{
  g_clear_pointer (&err->text, g_free);
}

gboolean
_muster_fake_identity_strings_contain (GPtrArray  *array,
                                       const char *s)
{
  for (guint i = 0; i < array->len; i++)
    if (g_str_equal (g_ptr_array_index (array, i), s))
      return TRUE;
  return FALSE;
}

void
_muster_fake_identity_strings_add_unique (GPtrArray  *array,
                                          const char *s)
{
  if (!_muster_fake_identity_strings_contain (array, s))
    g_ptr_array_add (array, g_strdup (s));
}

const KnownPermission *
_muster_fake_identity_lookup_permission (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_permissions); i++)
    if (g_ascii_strcasecmp (known_permissions[i].name, name) == 0)
      return &known_permissions[i];
  return NULL;
}

gboolean
_muster_fake_identity_is_oidc_scope (const char *canonical)
{
  for (guint i = 0; i < N_OIDC_SCOPES; i++)
    if (g_str_equal (known_permissions[i].name, canonical))
      return TRUE;
  return FALSE;
}

void
_muster_fake_identity_add_no_cache_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* RFC 6749 §5.1 */
  soup_message_headers_replace (headers, "Cache-Control", "no-store, no-cache");
  soup_message_headers_replace (headers, "Pragma", "no-cache");
}

void
_muster_fake_identity_reply_html (SoupServerMessage *msg,
                                  guint              status,
                                  char              *html)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  _muster_fake_identity_add_no_cache_headers (msg);
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
  _muster_fake_reply_take (msg, status, "text/html; charset=utf-8", html, strlen (html));
}

void
_muster_fake_identity_reply_json (SoupServerMessage *msg,
                                  guint              status,
                                  GString           *body)
{
  gsize len = body->len;

  _muster_fake_reply_take (msg, status, "application/json; charset=utf-8",
                           g_string_free (body, FALSE), len);
}

/* The request's correlation id: MSAL sends client-request-id and the STS echoes it back. */
static char *
request_correlation_id (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *client_request_id = soup_message_headers_get_one (headers, "client-request-id");

  if (client_request_id != NULL && g_uuid_string_is_valid (client_request_id))
    return g_ascii_strdown (client_request_id, -1);
  return g_uuid_string_random ();
}

/* "AADSTS54005: …\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …"
 * (learn.microsoft.com/entra/identity-platform/reference-error-codes) */
static char *
sts_error_description (const StsError *err,
                       const char     *trace_id,
                       const char     *correlation_id,
                       const char     *timestamp)
{
  return g_strdup_printf ("AADSTS%u: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
                          err->code, err->text, trace_id, correlation_id, timestamp);
}

/* The token endpoint's error body with every field of the sample in
 * learn.microsoft.com/entra/identity-platform/reference-error-codes. */
void
_muster_fake_identity_reply_error (MusterFakeIdentity *self,
                                   SoupServerMessage  *msg,
                                   const StsError     *err,
                                   const char         *claims)
{
  g_autofree char *trace_id = g_uuid_string_random ();
  g_autofree char *correlation_id = request_correlation_id (msg);
  g_autofree char *timestamp = sts_timestamp (self);
  g_autofree char *description = sts_error_description (err, trace_id, correlation_id, timestamp);
  g_autofree char *error_uri = g_strdup_printf ("%s/error?code=%u", self->ctx->base_url, err->code);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  GString *body = g_string_new ("{\"error\":");

  self->stats.token_errors++;
  _muster_fake_json_append_string (body, err->error);
  g_string_append (body, ",\"error_description\":");
  _muster_fake_json_append_string (body, description);
  g_string_append_printf (body, ",\"error_codes\":[%u],\"timestamp\":", err->code);
  _muster_fake_json_append_string (body, timestamp);
  g_string_append (body, ",\"trace_id\":");
  _muster_fake_json_append_string (body, trace_id);
  g_string_append (body, ",\"correlation_id\":");
  _muster_fake_json_append_string (body, correlation_id);
  g_string_append (body, ",\"error_uri\":");
  _muster_fake_json_append_string (body, error_uri);
  if (err->suberror != NULL)
    {
      g_string_append (body, ",\"suberror\":");
      _muster_fake_json_append_string (body, err->suberror);
    }
  if (claims != NULL)
    {
      g_string_append (body, ",\"claims\":");
      _muster_fake_json_append_string (body, claims);
    }
  g_string_append_c (body, '}');

  _muster_fake_identity_add_no_cache_headers (msg);
  soup_message_headers_replace (headers, "x-ms-request-id", trace_id);
  soup_message_headers_replace (headers, "client-request-id", correlation_id);
  _muster_fake_identity_reply_json (msg, err->status, body);
}

/* Errors that cannot go back to the app (unknown app, unverified redirect_uri: RFC 6749
 * §4.1.2.1 forbids redirecting there) are shown on the page. */
void
_muster_fake_identity_reply_error_page (MusterFakeIdentity *self,
                                        SoupServerMessage  *msg,
                                        const StsError     *err)
{
  g_autofree char *trace_id = g_uuid_string_random ();
  g_autofree char *correlation_id = request_correlation_id (msg);
  g_autofree char *timestamp = sts_timestamp (self);
  g_autofree char *line = g_strdup_printf ("AADSTS%u: %s", err->code, err->text);

  _muster_fake_identity_reply_html (msg, err->status,
                                    _muster_fake_page_error (line, trace_id, correlation_id, timestamp));
}

const char *
_muster_fake_identity_param (GHashTable *params,
                             const char *name)
{
  const char *value = params ? g_hash_table_lookup (params, name) : NULL;

  return value != NULL && *value != '\0' ? value : NULL;
}

/* ---- apps ------------------------------------------------------------------------------- */

void
_muster_fake_identity_app_free (App *app)
{
  g_free (app->client_id);
  g_free (app->display_name);
  g_ptr_array_unref (app->redirect_uris);
  g_free (app->secret);
  g_clear_pointer (&app->cert_key, gnutls_pubkey_deinit);
  g_free (app->cert_x5t);
  g_free (app->cert_x5t_s256);
  g_free (app->cert_sha1_hex);
  g_ptr_array_unref (app->roles);
  g_ptr_array_unref (app->required_scopes);
  g_hash_table_unref (app->consented);
  g_free (app);
}

App *
_muster_fake_identity_app_new (const char *client_id,
                               const char *display_name)
{
  App *app = g_new0 (App, 1);

  app->client_id = g_ascii_strdown (client_id, -1);
  app->display_name = g_strdup (display_name);
  app->redirect_uris = g_ptr_array_new_with_free_func (g_free);
  app->roles = g_ptr_array_new_with_free_func (g_free);
  app->required_scopes = g_ptr_array_new_with_free_func (g_free);
  app->consented = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return app;
}

App *
_muster_fake_identity_lookup_app (MusterFakeIdentity *self,
                                  const char         *client_id)
{
  g_autofree char *lower = NULL;

  if (client_id == NULL)
    return NULL;
  lower = g_ascii_strdown (client_id, -1);
  return g_hash_table_lookup (self->apps, lower);
}

void
_muster_fake_identity_app_consent (App       *app,
                                   GPtrArray *scopes)
{
  for (guint i = 0; i < scopes->len; i++)
    {
      const char *scope = g_ptr_array_index (scopes, i);

      if (!g_hash_table_contains (app->consented, scope))
        g_hash_table_add (app->consented, g_strdup (scope));
    }
}

gboolean
_muster_fake_identity_app_has_consent (App       *app,
                                       GPtrArray *scopes)
{
  for (guint i = 0; i < scopes->len; i++)
    {
      const char *scope = g_ptr_array_index (scopes, i);

      /* OpenID Connect scopes need no consent from anyone
       * (learn.microsoft.com/entra/identity-platform/scopes-oidc) */
      if (!_muster_fake_identity_is_oidc_scope (scope) && !g_hash_table_contains (app->consented, scope))
        return FALSE;
    }
  return TRUE;
}

gboolean
_muster_fake_identity_app_set_certificate (App        *app,
                                           const char *pem,
                                           GError    **error)
{
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum = { (unsigned char *) pem, strlen (pem) };
  gnutls_datum_t der = { NULL, 0 };
  guchar sha1[20];
  size_t sha1_len = sizeof sha1;
  GString *hex;
  int rc;

  gnutls_x509_crt_init (&crt);
  rc = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM);
  if (rc >= 0)
    rc = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &der);
  if (rc >= 0)
    rc = gnutls_pubkey_init (&app->cert_key);
  if (rc >= 0)
    rc = gnutls_pubkey_import_x509 (app->cert_key, crt, 0);
  if (rc >= 0)
    rc = gnutls_x509_crt_get_fingerprint (crt, GNUTLS_DIG_SHA1, sha1, &sha1_len);
  if (rc < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "certificatePem is not a PEM certificate: %s", gnutls_strerror (rc));
      g_clear_pointer (&app->cert_key, gnutls_pubkey_deinit);
      gnutls_free (der.data);
      gnutls_x509_crt_deinit (crt);
      return FALSE;
    }

  app->cert_x5t = _muster_fake_jwt_thumbprint (&der, GNUTLS_DIG_SHA1);
  app->cert_x5t_s256 = _muster_fake_jwt_thumbprint (&der, GNUTLS_DIG_SHA256);
  hex = g_string_new (NULL);
  for (gsize i = 0; i < sha1_len; i++)
    g_string_append_printf (hex, "%02X", sha1[i]);
  app->cert_sha1_hex = g_string_free (hex, FALSE);
  app->cert_not_before = gnutls_x509_crt_get_activation_time (crt);
  app->cert_not_after = gnutls_x509_crt_get_expiration_time (crt);
  gnutls_free (der.data);
  gnutls_x509_crt_deinit (crt);
  return TRUE;
}

/* ---- tokens and grants ------------------------------------------------------------------ */

static void
access_token_free (AccessToken *token)
{
  g_free (token->grant.client_id);
  g_free (token->grant.user_id);
  g_strfreev (token->grant.scopes);
  g_free (token);
}

static void
refresh_token_free (RefreshToken *token)
{
  g_free (token->client_id);
  g_free (token->user_id);
  g_strfreev (token->scopes);
  g_free (token);
}

static void
auth_code_free (AuthCode *code)
{
  g_free (code->client_id);
  g_free (code->user_id);
  g_free (code->redirect_uri);
  g_free (code->challenge);
  g_free (code->method);
  g_free (code->nonce);
  g_strfreev (code->scopes);
  g_free (code);
}

static void
device_code_free (DeviceCode *device)
{
  g_free (device->device_code);
  g_free (device->user_code);
  g_free (device->client_id);
  g_free (device->user_id);
  g_strfreev (device->scopes);
  g_free (device);
}

void
_muster_fake_identity_transaction_free (Transaction *txn)
{
  g_free (txn->client_id);
  g_free (txn->user_id);
  g_free (txn->redirect_base);
  g_free (txn->redirect_uri);
  g_free (txn->response_mode);
  g_free (txn->state);
  g_free (txn->challenge);
  g_free (txn->method);
  g_free (txn->nonce);
  g_free (txn->device_code);
  g_clear_pointer (&txn->scopes, g_ptr_array_unref);
  g_free (txn);
}

/* ---- tenants ---------------------------------------------------------------------------- */

gboolean
_muster_fake_identity_is_verified_domain (MusterFakeDirectory *directory,
                                          const char          *name)
{
  if (directory->initial_domain != NULL && g_ascii_strcasecmp (directory->initial_domain, name) == 0)
    return TRUE;
  if (directory->default_domain != NULL && g_ascii_strcasecmp (directory->default_domain, name) == 0)
    return TRUE;
  for (guint i = 0; directory->verified_domains != NULL && i < directory->verified_domains->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (directory->verified_domains, i), name) == 0)
      return TRUE;
  return FALSE;
}

static TenantKind
resolve_tenant (MusterFakeIdentity *self,
                const char         *segment)
{
  MusterFakeDirectory *directory = self->ctx->directory;

  if (g_ascii_strcasecmp (segment, "common") == 0)
    return TENANT_COMMON;
  if (g_ascii_strcasecmp (segment, "organizations") == 0)
    return TENANT_ORGANIZATIONS;
  if (g_ascii_strcasecmp (segment, "consumers") == 0)
    return TENANT_CONSUMERS;
  if (g_ascii_strcasecmp (segment, directory->tenant_id) == 0 ||
      _muster_fake_identity_is_verified_domain (directory, segment))
    return TENANT_SPECIFIC;
  return TENANT_UNKNOWN;
}

void
_muster_fake_identity_set_unknown_tenant_error (StsError   *err,
                                                const char *segment)
{
  /* learn.microsoft.com/entra/identity-platform/reference-error-codes AADSTS90002 InvalidTenantName */
  _muster_fake_identity_error_set (err, 400, "invalid_request", 90002,
                                   "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are "
                                   "signing into the correct cloud. Check with your subscription administrator, this "
                                   "may happen if there are no active subscriptions for the tenant.", segment);
}

/* Checks that @app may be used on this tenant segment. */
gboolean
_muster_fake_identity_check_app_for_tenant (MusterFakeIdentity *self,
                                            App                *app,
                                            TenantKind          kind,
                                            StsError           *err)
{
  if (kind == TENANT_CONSUMERS)
    {
      _muster_fake_identity_error_set (err, 400, "invalid_request", 9002332,
                                       "Application '%s'(%s) is configured for use by Azure Active Directory users "
                                       "only. Please do not use the /consumers endpoint to serve this request.",
                                       app->client_id, app->display_name);
      return FALSE;
    }
  if (kind == TENANT_COMMON && !app->multi_tenant)
    {
      _muster_fake_identity_error_set (err, 400, "invalid_request", 50194,
                                       "Application '%s'(%s) is not configured as a multi-tenant application. "
                                       "Usage of the /common endpoint is not supported for such applications "
                                       "created after '10/15/2018'. Use a tenant-specific endpoint or configure "
                                       "the application to be multi-tenant.", app->client_id, app->display_name);
      return FALSE;
    }
  return TRUE;
}

void
_muster_fake_identity_set_unknown_app_error (MusterFakeIdentity *self,
                                             StsError           *err,
                                             const char         *client_id)
{
  _muster_fake_identity_error_set (err, 400, "unauthorized_client", 700016,
                                   "Application with identifier '%s' was not found in the directory "
                                   "'%s'. This can happen if the application has not been installed "
                                   "by the administrator of the tenant or consented to by any user "
                                   "in the tenant. You may have sent your authentication request to "
                                   "the wrong tenant.", client_id, self->ctx->directory->display_name);
}

/* ---- scopes ----------------------------------------------------------------------------- */

/* Returns the permission part of @scope when its resource is Microsoft Graph (or has no
 * resource: "scope=User.Read ≡ https://graph.microsoft.com/User.Read",
 * learn.microsoft.com/entra/identity-platform/scopes-oidc), NULL when it names another resource. */
const char *
_muster_fake_identity_graph_permission_part (MusterFakeIdentity *self,
                                             const char         *scope)
{
  const char *prefixes[] = { GRAPH_RESOURCE "/", GRAPH_APP_ID "/", NULL, NULL };
  g_autofree char *own = g_strconcat (self->ctx->base_url, "/", NULL);

  prefixes[2] = own;
  for (guint i = 0; prefixes[i] != NULL; i++)
    {
      gsize len = strlen (prefixes[i]);

      if (g_ascii_strncasecmp (scope, prefixes[i], len) == 0)
        return scope + len;
    }
  if (strchr (scope, '/') != NULL || strchr (scope, ':') != NULL)
    return NULL;
  return scope;
}

/* Parses a scope parameter into canonical names (OIDC scopes and Graph permissions);
 * "/.default" expands to @default_scopes. */
GPtrArray *
_muster_fake_identity_parse_scopes (MusterFakeIdentity *self,
                                    const char         *param,
                                    GPtrArray          *default_scopes,
                                    gboolean           *out_is_default,
                                    StsError           *err)
{
  g_autoptr(GPtrArray) scopes = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) tokens = NULL;
  gboolean is_default = FALSE;
  guint n_explicit = 0;

  if (param == NULL || *param == '\0')
    {
      _muster_fake_identity_error_set (err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'scope'.");
      return NULL;
    }

  tokens = g_strsplit_set (param, " ", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      const char *token = tokens[i];
      const char *permission;
      const KnownPermission *known;

      if (*token == '\0')
        continue;
      permission = _muster_fake_identity_graph_permission_part (self, token);
      if (permission == NULL)
        {
          _muster_fake_identity_error_set (err, 400, "invalid_resource", 500011,
                                           "The resource principal named %s was not found in the tenant named %s. "
                                           "This can happen if the application has not been installed by the "
                                           "administrator of the tenant or consented to by any user in the tenant. "
                                           "You might have sent your authentication request to the wrong tenant.",
                                           token, self->ctx->directory->display_name);
          return NULL;
        }
      if (g_ascii_strcasecmp (permission, ".default") == 0)
        {
          is_default = TRUE;
          continue;
        }
      known = _muster_fake_identity_lookup_permission (permission);
      if (known == NULL)
        {
          _muster_fake_identity_error_set (err, 400, "invalid_scope", 70011,
                                           "The provided value for the input parameter 'scope' is not valid. "
                                           "The scope '%s' does not exist on the resource '" GRAPH_APP_ID "'.", token);
          return NULL;
        }
      if (!_muster_fake_identity_is_oidc_scope (known->name))
        n_explicit++;
      _muster_fake_identity_strings_add_unique (scopes, known->name);
    }

  if (is_default && n_explicit > 0)
    {
      _muster_fake_identity_error_set (err, 400, "invalid_scope", 70011,
                                       "The provided value for the input parameter 'scope' is not valid. "
                                       "The scope '%s' is not valid. .default scope can't be combined with "
                                       "resource-specific scopes.", param);
      return NULL;
    }
  if (is_default)
    for (guint i = 0; default_scopes != NULL && i < default_scopes->len; i++)
      _muster_fake_identity_strings_add_unique (scopes, g_ptr_array_index (default_scopes, i));

  if (scopes->len == 0 && !is_default)
    {
      _muster_fake_identity_error_set (err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'scope'.");
      return NULL;
    }
  if (out_is_default != NULL)
    *out_is_default = is_default;
  return g_steal_pointer (&scopes);
}

/* What /.default means for a delegated request: the permissions the registration lists plus
 * whatever was consented (learn.microsoft.com/entra/identity-platform/v2-admin-consent, "static" consent). */
GPtrArray *
_muster_fake_identity_app_default_scopes (App *app)
{
  GPtrArray *scopes = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < app->required_scopes->len; i++)
    _muster_fake_identity_strings_add_unique (scopes, g_ptr_array_index (app->required_scopes, i));
  g_hash_table_iter_init (&iter, app->consented);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!_muster_fake_identity_is_oidc_scope (key))
      _muster_fake_identity_strings_add_unique (scopes, key);
  return scopes;
}

/* The token response's "scope": Graph permissions first, then the OpenID Connect ones, like
 * "User.Read profile openid email" (learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code). */
static char *
scope_string (const char * const *scopes)
{
  GString *out = g_string_new (NULL);
  static const char * const oidc_order[] = { "profile", "openid", "email" };

  for (guint i = 0; scopes[i] != NULL; i++)
    if (!_muster_fake_identity_is_oidc_scope (scopes[i]))
      g_string_append_printf (out, "%s%s", out->len ? " " : "", scopes[i]);
  for (guint j = 0; j < G_N_ELEMENTS (oidc_order); j++)
    if (g_strv_contains (scopes, oidc_order[j]))
      g_string_append_printf (out, "%s%s", out->len ? " " : "", oidc_order[j]);
  return g_string_free (out, FALSE);
}

/* ---- redirect URIs (learn.microsoft.com/entra/identity-platform/reply-url) ------------------------- */

static gboolean
is_loopback_host (const char *host)
{
  return host != NULL && (g_ascii_strcasecmp (host, "localhost") == 0 || g_str_equal (host, "127.0.0.1"));
}

static gboolean
redirect_matches (const char *registered,
                  GUri       *requested)
{
  g_autoptr(GUri) reg = g_uri_parse (registered, G_URI_FLAGS_NONE, NULL);
  const char *reg_path, *req_path;

  if (reg == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (g_uri_get_scheme (reg), g_uri_get_scheme (requested)) != 0)
    return FALSE;
  if (g_ascii_strcasecmp (g_uri_get_host (reg) ? g_uri_get_host (reg) : "",
                          g_uri_get_host (requested) ? g_uri_get_host (requested) : "") != 0)
    return FALSE;
  /* "Port is ignored for matching" for loopback redirects only */
  if (!is_loopback_host (g_uri_get_host (reg)) && g_uri_get_port (reg) != g_uri_get_port (requested))
    return FALSE;
  /* the path is significant and case-sensitive; "" and "/" are the same path */
  reg_path = *g_uri_get_path (reg) ? g_uri_get_path (reg) : "/";
  req_path = *g_uri_get_path (requested) ? g_uri_get_path (requested) : "/";
  if (!g_str_equal (reg_path, req_path))
    return FALSE;
  return g_strcmp0 (g_uri_get_query (reg), g_uri_get_query (requested)) == 0;
}

/* Validates @requested against @app's registrations; returns where answers go, with the "/"
 * the service adds to a URI without a path, or NULL with AADSTS50011 in @err. */
char *
_muster_fake_identity_check_redirect_uri (App        *app,
                                          const char *requested,
                                          StsError   *err)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (requested == NULL || *requested == '\0')
    {
      if (app->redirect_uris->len == 1)
        requested = g_ptr_array_index (app->redirect_uris, 0);
      else
        {
          _muster_fake_identity_error_set (err, 400, "invalid_request", 900971, "No reply address provided.");
          return NULL;
        }
    }

  uri = g_uri_parse (requested, G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_fragment (uri) != NULL ||
      (g_ascii_strcasecmp (scheme, "https") != 0 &&
       !(g_ascii_strcasecmp (scheme, "http") == 0 && is_loopback_host (g_uri_get_host (uri)))))
    goto mismatch;

  for (guint i = 0; i < app->redirect_uris->len; i++)
    if (redirect_matches (g_ptr_array_index (app->redirect_uris, i), uri))
      {
        if (*g_uri_get_path (uri) == '\0')
          {
            g_autoptr(GUri) fixed = g_uri_build (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL,
                                                 g_uri_get_host (uri), g_uri_get_port (uri), "/",
                                                 g_uri_get_query (uri), NULL);
            return g_uri_to_string (fixed);
          }
        return g_strdup (requested);
      }

mismatch:
  _muster_fake_identity_error_set (err, 400, "invalid_request", 50011,
                                   "The redirect URI '%s' specified in the request does not match the redirect URIs "
                                   "configured for the application '%s'. Make sure the redirect URI sent in the "
                                   "request matches one added to your application in the Azure portal. Navigate to "
                                   "https://aka.ms/redirectUriMismatchError to learn more about how to fix this.",
                                   requested, app->client_id);
  return NULL;
}

/* 302 to @base with @params (name, value, …, NULL) in the query or fragment, or a self-posting
 * form for response_mode=form_post. */
void
_muster_fake_identity_reply_redirect (SoupServerMessage  *msg,
                                      const char         *base,
                                      const char         *response_mode,
                                      const char * const *params)
{
  GString *location;

  if (g_strcmp0 (response_mode, "form_post") == 0)
    {
      _muster_fake_identity_reply_html (msg, 200, _muster_fake_page_form_post (base, params));
      return;
    }

  location = g_string_new (base);
  if (g_strcmp0 (response_mode, "fragment") == 0)
    g_string_append_c (location, '#');
  else
    g_string_append_c (location, strchr (base, '?') ? '&' : '?');
  for (guint i = 0; params[i] != NULL; i += 2)
    {
      if (params[i + 1] == NULL)
        continue;
      if (location->str[location->len - 1] != '?' && location->str[location->len - 1] != '#' &&
          location->str[location->len - 1] != '&')
        g_string_append_c (location, '&');
      g_string_append_uri_escaped (location, params[i], NULL, FALSE);
      g_string_append_c (location, '=');
      g_string_append_uri_escaped (location, params[i + 1], NULL, FALSE);
    }

  _muster_fake_identity_add_no_cache_headers (msg);
  soup_server_message_set_redirect (msg, 302, location->str);
  g_string_free (location, TRUE);
}

void
_muster_fake_identity_reply_redirect_error (MusterFakeIdentity *self,
                                            SoupServerMessage  *msg,
                                            const char         *base,
                                            const char         *response_mode,
                                            const char         *state,
                                            gboolean            admin_consent,
                                            const char         *subcode,
                                            const StsError     *err)
{
  g_autofree char *trace_id = g_uuid_string_random ();
  g_autofree char *correlation_id = request_correlation_id (msg);
  g_autofree char *timestamp = sts_timestamp (self);
  g_autofree char *description = sts_error_description (err, trace_id, correlation_id, timestamp);
  const char *params[13];
  guint n = 0;

  if (admin_consent)
    {
      /* admin_consent=True is present on errors too
       * (learn.microsoft.com/entra/identity-platform/v2-admin-consent) */
      params[n++] = "admin_consent";
      params[n++] = "True";
    }
  params[n++] = "error";
  params[n++] = err->error;
  if (subcode != NULL)
    {
      params[n++] = "error_subcode";
      params[n++] = subcode;
    }
  params[n++] = "error_description";
  params[n++] = description;
  params[n++] = "state";
  params[n++] = state;
  params[n] = NULL;
  _muster_fake_identity_reply_redirect (msg, base, response_mode, params);
}

/* ---- users and sessions ----------------------------------------------------------------- */

MusterFakeUser *
_muster_fake_identity_lookup_live_user (MusterFakeIdentity *self,
                                        const char         *id)
{
  MusterFakeUser *user = id ? muster_fake_directory_lookup_user (self->ctx->directory, id) : NULL;

  return user != NULL && !user->deleted ? user : NULL;
}

gboolean
_muster_fake_identity_user_is_admin (MusterFakeIdentity *self,
                                     MusterFakeUser     *user)
{
  return g_strcmp0 (user->id, self->ctx->directory->admin_id) == 0;
}

const char *
_muster_fake_identity_session_user_id (MusterFakeIdentity *self,
                                       SoupServerMessage  *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Cookie");
  GHashTable *cookies;
  const char *value, *user_id = NULL;

  if (header == NULL)
    return NULL;
  cookies = soup_header_parse_semi_param_list (header);
  value = g_hash_table_lookup (cookies, SESSION_COOKIE);
  if (value != NULL)
    user_id = g_hash_table_lookup (self->sessions, value);
  soup_header_free_param_list (cookies);
  return user_id;
}

void
_muster_fake_identity_start_session (MusterFakeIdentity *self,
                                     SoupServerMessage  *msg,
                                     const char         *user_id)
{
  char *value = _muster_fake_random_token (32);
  g_autofree char *header = g_strdup_printf (SESSION_COOKIE "=%s; Path=/; HttpOnly", value);

  g_hash_table_insert (self->sessions, value, g_strdup (user_id));
  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie", header);
}

/* ---- issuing tokens --------------------------------------------------------------------- */

static void
ensure_signing_key (MusterFakeIdentity *self)
{
  gnutls_pubkey_t pub = NULL;
  guchar id[64];
  size_t id_len = sizeof id;
  int rc;

  if (self->signing_key != NULL)
    return;
  gnutls_privkey_init (&self->signing_key);
  rc = gnutls_privkey_generate (self->signing_key, GNUTLS_PK_RSA, 2048, 0);
  if (rc >= 0)
    rc = gnutls_pubkey_init (&pub);
  if (rc >= 0)
    rc = gnutls_pubkey_import_privkey (pub, self->signing_key, 0, 0);
  if (rc >= 0)
    rc = gnutls_pubkey_get_key_id (pub, GNUTLS_KEYID_USE_SHA1, id, &id_len);
  if (rc < 0)
    g_error ("Could not make the id_token signing key: %s", gnutls_strerror (rc));
  self->signing_kid = _muster_fake_base64url_encode (id, id_len);
  gnutls_pubkey_deinit (pub);
}

static char *
issuer_url (MusterFakeIdentity *self)
{
  return g_strdup_printf ("%s/%s/v2.0", self->ctx->base_url, self->ctx->directory->tenant_id);
}

/* learn.microsoft.com/entra/identity-platform/id-token-claims-reference: name, preferred_username and oid
 * need `profile`; email needs `email`; sub is pairwise per app. */
static char *
make_id_token (MusterFakeIdentity *self,
               App                *app,
               MusterFakeUser     *user,
               const char * const *scopes,
               const char         *nonce)
{
  g_autofree char *issuer = issuer_url (self);
  g_autofree char *sub_input = g_strconcat (user->id, ":", app->client_id, NULL);
  g_autofree char *sub_hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, sub_input, -1);
  g_autofree char *uti = _muster_fake_random_token (16);
  gint64 now = _muster_fake_identity_now (self);
  GString *claims = g_string_new ("{\"aud\":");

  ensure_signing_key (self);
  _muster_fake_json_append_string (claims, app->client_id);
  g_string_append (claims, ",\"iss\":");
  _muster_fake_json_append_string (claims, issuer);
  g_string_append_printf (claims, ",\"iat\":%" G_GINT64_FORMAT ",\"nbf\":%" G_GINT64_FORMAT
                          ",\"exp\":%" G_GINT64_FORMAT, now, now, now + ID_TOKEN_LIFETIME);
  if (g_strv_contains (scopes, "email") && user->mail != NULL)
    {
      g_string_append (claims, ",\"email\":");
      _muster_fake_json_append_string (claims, user->mail);
    }
  if (g_strv_contains (scopes, "profile"))
    {
      g_string_append (claims, ",\"name\":");
      _muster_fake_json_append_string (claims, user->display_name);
      g_string_append (claims, ",\"oid\":");
      _muster_fake_json_append_string (claims, user->id);
      g_string_append (claims, ",\"preferred_username\":");
      _muster_fake_json_append_string (claims, user->user_principal_name);
    }
  if (nonce != NULL)
    {
      g_string_append (claims, ",\"nonce\":");
      _muster_fake_json_append_string (claims, nonce);
    }
  g_string_append (claims, ",\"sub\":");
  sub_hex[43] = '\0';
  _muster_fake_json_append_string (claims, sub_hex);
  g_string_append (claims, ",\"tid\":");
  _muster_fake_json_append_string (claims, self->ctx->directory->tenant_id);
  g_string_append (claims, ",\"uti\":");
  _muster_fake_json_append_string (claims, uti);
  g_string_append (claims, ",\"ver\":\"2.0\"}");

  self->stats.id_tokens_issued++;
  {
    g_autofree char *json = g_string_free (claims, FALSE);
    return _muster_fake_jwt_sign (self->signing_key, FALSE, self->signing_kid, NULL, NULL, json);
  }
}

char *
_muster_fake_identity_issue_access_token (MusterFakeIdentity *self,
                                          const char         *client_id,
                                          const char         *user_id,
                                          GStrv               scopes,
                                          gboolean            app_only)
{
  AccessToken *token = g_new0 (AccessToken, 1);
  char *value = _muster_fake_random_token (96);

  token->grant.client_id = g_strdup (client_id);
  token->grant.user_id = g_strdup (user_id);
  token->grant.scopes = scopes;
  token->grant.app_only = app_only;
  token->issued_at = _muster_fake_identity_now (self);
  token->grant.expires_at = token->issued_at + self->token_lifetime;
  g_hash_table_insert (self->access_tokens, g_strdup (value), token);
  self->stats.access_tokens_issued++;
  return value;
}

/* The success body of learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow, "Successful
 * response": refresh_token only with offline_access, id_token only with openid. */
void
_muster_fake_identity_reply_user_tokens (MusterFakeIdentity *self,
                                         SoupServerMessage  *msg,
                                         App                *app,
                                         MusterFakeUser     *user,
                                         const char * const *scopes,
                                         const char         *nonce,
                                         gboolean            mfa)
{
  g_autoptr(GPtrArray) access_scopes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *scope_text = scope_string (scopes);
  g_autofree char *access_token = NULL;
  g_autofree char *refresh_token = NULL;
  g_autofree char *id_token = NULL;
  GString *body;

  for (guint i = 0; scopes[i] != NULL; i++)
    if (!g_str_equal (scopes[i], "offline_access"))
      g_ptr_array_add (access_scopes, g_strdup (scopes[i]));
  g_ptr_array_add (access_scopes, NULL);
  access_token = _muster_fake_identity_issue_access_token (self, app->client_id, user->id,
                                                           (GStrv) g_ptr_array_free (g_steal_pointer (&access_scopes),
                                                                                     FALSE),
                                                           FALSE);

  if (g_strv_contains (scopes, "offline_access"))
    {
      RefreshToken *rt = g_new0 (RefreshToken, 1);

      rt->client_id = g_strdup (app->client_id);
      rt->user_id = g_strdup (user->id);
      rt->scopes = g_strdupv ((GStrv) scopes);
      rt->issued_at = rt->last_used = _muster_fake_identity_now (self);
      rt->mfa = mfa;
      refresh_token = _muster_fake_random_token (128);
      g_hash_table_insert (self->refresh_tokens, g_strdup (refresh_token), rt);
      self->stats.refresh_tokens_issued++;
    }
  if (g_strv_contains (scopes, "openid"))
    id_token = make_id_token (self, app, user, scopes, nonce);

  body = g_string_new ("{\"token_type\":\"Bearer\",\"scope\":");
  _muster_fake_json_append_string (body, scope_text);
  g_string_append_printf (body, ",\"expires_in\":%u,\"ext_expires_in\":%u,\"access_token\":",
                          self->token_lifetime, self->token_lifetime);
  _muster_fake_json_append_string (body, access_token);
  if (refresh_token != NULL)
    {
      g_string_append (body, ",\"refresh_token\":");
      _muster_fake_json_append_string (body, refresh_token);
    }
  if (id_token != NULL)
    {
      g_string_append (body, ",\"id_token\":");
      _muster_fake_json_append_string (body, id_token);
    }
  g_string_append_c (body, '}');
  _muster_fake_identity_add_no_cache_headers (msg);
  _muster_fake_identity_reply_json (msg, 200, body);
}

/* Conditional Access demanding MFA (AADSTS50076 in
 * learn.microsoft.com/entra/identity-platform/reference-error-codes; the error and suberror as
 * github.com/microsoftgraph/microsoft-graph-docs/issues/6311 shows them) */
void
_muster_fake_identity_reply_mfa_required (MusterFakeIdentity *self,
                                          SoupServerMessage  *msg)
{
  StsError err = { 0 };

  _muster_fake_identity_error_set (&err, 400, "invalid_grant", 50076,
                                   "Due to a configuration change made by your "
                                   "administrator, or because you moved to a new location, "
                                   "you must use multi-factor authentication to access '" GRAPH_APP_ID "'.");
  err.suberror = "basic_action";
  _muster_fake_identity_reply_error (self, msg, &err,
                                     "{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":"
                                     "[\"8d7d5a72-4e0e-4e3a-9a3b-6c1f0e2b9a11\"]}}}");
  _muster_fake_identity_error_clear (&err);
}

/* ---- discovery ---------------------------------------------------------------------------- */

static void
handle_openid_configuration (MusterFakeIdentity *self,
                             SoupServerMessage  *msg,
                             const char         *segment)
{
  const char *base = self->ctx->base_url;
  g_autofree char *issuer = issuer_url (self);
  GString *body = g_string_new (NULL);

  g_string_append_printf (body,
                          "{\"token_endpoint\":\"%s/%s/oauth2/v2.0/token\","
                          "\"token_endpoint_auth_methods_supported\":[\"client_secret_post\",\"private_key_jwt\",\"client_secret_basic\"],"
                          "\"jwks_uri\":\"%s/%s/discovery/v2.0/keys\","
                          "\"response_modes_supported\":[\"query\",\"fragment\",\"form_post\"],"
                          "\"subject_types_supported\":[\"pairwise\"],"
                          "\"id_token_signing_alg_values_supported\":[\"RS256\"],"
                          "\"response_types_supported\":[\"code\"],"
                          "\"scopes_supported\":[\"openid\",\"profile\",\"email\",\"offline_access\"],"
                          "\"issuer\":",
                          base, segment, base, segment);
  _muster_fake_json_append_string (body, issuer);
  g_string_append_printf (body,
                          ",\"authorization_endpoint\":\"%s/%s/oauth2/v2.0/authorize\","
                          "\"device_authorization_endpoint\":\"%s/%s/oauth2/v2.0/devicecode\","
                          "\"code_challenge_methods_supported\":[\"plain\",\"S256\"],"
                          "\"tenant_region_scope\":\"EU\",\"cloud_instance_name\":\"microsoftonline.com\","
                          "\"msgraph_host\":\"graph.microsoft.com\"}",
                          base, segment, base, segment);
  _muster_fake_identity_reply_json (msg, 200, body);
}

static void
handle_jwks (MusterFakeIdentity *self,
             SoupServerMessage  *msg)
{
  gnutls_pubkey_t pub = NULL;
  gnutls_datum_t n = { NULL, 0 }, e = { NULL, 0 };
  g_autofree char *n_b64 = NULL;
  g_autofree char *e_b64 = NULL;
  GString *body;

  ensure_signing_key (self);
  gnutls_pubkey_init (&pub);
  gnutls_pubkey_import_privkey (pub, self->signing_key, 0, 0);
  gnutls_pubkey_export_rsa_raw2 (pub, &n, &e, GNUTLS_EXPORT_FLAG_NO_LZ);
  n_b64 = _muster_fake_base64url_encode (n.data, n.size);
  e_b64 = _muster_fake_base64url_encode (e.data, e.size);
  gnutls_free (n.data);
  gnutls_free (e.data);
  gnutls_pubkey_deinit (pub);

  body = g_string_new ("{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":");
  _muster_fake_json_append_string (body, self->signing_kid);
  g_string_append (body, ",\"n\":");
  _muster_fake_json_append_string (body, n_b64);
  g_string_append (body, ",\"e\":");
  _muster_fake_json_append_string (body, e_b64);
  g_string_append (body, "}]}");
  _muster_fake_identity_reply_json (msg, 200, body);
}

static void
handle_error_lookup (MusterFakeIdentity *self,
                     SoupServerMessage  *msg,
                     GHashTable         *query)
{
  const char *code = _muster_fake_identity_param (query, "code");
  g_autofree char *text = g_strdup_printf ("AADSTS%s: see https://learn.microsoft.com/entra/identity-platform/"
                                           "reference-error-codes for what this code means.",
                                           code ? code : "");

  _muster_fake_identity_reply_html (msg, 200, _muster_fake_page_message ("Error lookup", text));
}

/* Every path under / that no other module claimed: the identity platform's /{tenant}/… */
static void
identity_handler (MusterFakeContext *ctx,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  MusterFakeIdentity *self = user_data;
  g_auto(GStrv) parts = g_strsplit (path + 1, "/", 0);
  guint n = g_strv_length (parts);
  const char *rest;
  TenantKind kind;

  if (g_str_equal (path, "/devicelogin"))
    {
      _muster_fake_identity_handle_devicelogin (self, msg);
      return;
    }
  if (g_str_equal (path, "/error"))
    {
      handle_error_lookup (self, msg, query);
      return;
    }
  if (n < 2 || *parts[0] == '\0')
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }

  rest = path + 1 + strlen (parts[0]);
  kind = resolve_tenant (self, parts[0]);
  if (g_str_equal (rest, "/oauth2/v2.0/authorize"))
    _muster_fake_identity_handle_authorize (self, msg, parts[0], kind, query);
  else if (g_str_equal (rest, "/oauth2/v2.0/token"))
    _muster_fake_identity_handle_token (self, msg, parts[0], kind);
  else if (g_str_equal (rest, "/oauth2/v2.0/devicecode"))
    _muster_fake_identity_handle_devicecode (self, msg, parts[0], kind);
  else if (g_str_equal (rest, "/v2.0/adminconsent"))
    _muster_fake_identity_handle_admin_consent (self, msg, parts[0], kind, query);
  else if (kind != TENANT_UNKNOWN && g_str_equal (rest, "/v2.0/.well-known/openid-configuration"))
    handle_openid_configuration (self, msg, parts[0]);
  else if (kind != TENANT_UNKNOWN && g_str_equal (rest, "/discovery/v2.0/keys"))
    handle_jwks (self, msg);
  else
    soup_server_message_set_status (msg, 404, NULL);
}

/* ---- module entry points ------------------------------------------------------------------ */

MusterFakeIdentity *
_muster_fake_identity_new (MusterFakeContext *ctx)
{
  MusterFakeIdentity *self = g_new0 (MusterFakeIdentity, 1);

  self->secrets_seen = g_ptr_array_new_with_free_func (g_free);
  App *cli;
  static const char * const cli_consented[] = { "openid", "profile", "offline_access", "User.Read" };

  self->ctx = ctx;
  self->apps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) _muster_fake_identity_app_free);
  self->access_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) access_token_free);
  self->refresh_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) refresh_token_free);
  self->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) auth_code_free);
  self->transactions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) _muster_fake_identity_transaction_free);
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) device_code_free);
  self->user_codes = g_hash_table_new (g_str_hash, g_str_equal);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->assertion_jtis = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->token_lifetime = 3599;
  self->device_interval = 5;

  /* Microsoft Graph Command Line Tools: a multi-tenant public client allowing http://localhost
   * (the default client of README.md, "Signing in to a real tenant"). */
  cli = _muster_fake_identity_app_new (DEFAULT_PUBLIC_CLIENT, "Microsoft Graph Command Line Tools");
  cli->public_client = TRUE;
  cli->multi_tenant = TRUE;
  g_ptr_array_add (cli->redirect_uris, g_strdup ("http://localhost"));
  for (guint i = 0; i < G_N_ELEMENTS (cli_consented); i++)
    g_hash_table_add (cli->consented, g_strdup (cli_consented[i]));
  g_hash_table_insert (self->apps, g_strdup (cli->client_id), cli);

  _muster_fake_context_add_handler (ctx, "/", identity_handler, self);
  _muster_fake_context_add_handler (ctx, "/_fake/identity", _muster_fake_identity_control_handler, self);
  return self;
}

void
_muster_fake_identity_free (MusterFakeIdentity *self)
{
  g_clear_pointer (&self->secrets_seen, g_ptr_array_unref);
  g_hash_table_unref (self->user_codes);
  g_hash_table_unref (self->devices);
  g_hash_table_unref (self->apps);
  g_hash_table_unref (self->access_tokens);
  g_hash_table_unref (self->refresh_tokens);
  g_hash_table_unref (self->codes);
  g_hash_table_unref (self->transactions);
  g_hash_table_unref (self->sessions);
  g_hash_table_unref (self->assertion_jtis);
  g_clear_pointer (&self->signing_key, gnutls_privkey_deinit);
  g_free (self->signing_kid);
  g_free (self);
}

/* 401 InvalidAuthenticationToken (learn.microsoft.com/graph/errors) with a WWW-Authenticate header
 * (RFC 6750 §3). */
const MusterFakeGrant *
_muster_fake_identity_check_bearer (MusterFakeIdentity *self,
                                    SoupServerMessage  *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  const char *message;
  AccessToken *token = NULL;

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0 ||
      authorization[7] == '\0')
    message = "Access token is empty.";
  else
    {
      token = g_hash_table_lookup (self->access_tokens, authorization + 7);
      if (token == NULL)
        message = "CompactToken parsing failed with error code: 80049217";
      else if (_muster_fake_identity_now (self) >= token->grant.expires_at)
        message = "Access token has expired or is not yet valid.";
      else
        return &token->grant;
    }

  self->stats.bearer_rejected++;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "WWW-Authenticate",
                                "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", "
                                "client_id=\"" GRAPH_APP_ID "\"");
  _muster_fake_reply_graph_error (msg, 401, "InvalidAuthenticationToken", message);
  return NULL;
}

gboolean
_muster_fake_grant_has_scope (const MusterFakeGrant *grant,
                              const char            *scope)
{
  g_return_val_if_fail (grant != NULL, FALSE);
  g_return_val_if_fail (scope != NULL, FALSE);

  /* permission names compare case-insensitively on the real service */
  for (guint i = 0; grant->scopes != NULL && grant->scopes[i] != NULL; i++)
    if (g_ascii_strcasecmp (grant->scopes[i], scope) == 0)
      return TRUE;
  return FALSE;
}

void
_muster_fake_identity_expire_tokens (MusterFakeIdentity *self)
{
  GHashTableIter iter;
  gpointer value;
  gint64 now = _muster_fake_identity_now (self);

  g_hash_table_iter_init (&iter, self->access_tokens);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      AccessToken *token = value;

      token->grant.expires_at = MIN (token->grant.expires_at, now);
    }
}
