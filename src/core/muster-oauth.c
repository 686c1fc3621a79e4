/* muster-oauth.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-oauth"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "muster-auth-error.h"
#include "muster-graph-client.h"
#include "muster-http.h"
#include "muster-oauth.h"
#include "muster-pkce.h"
#include "muster-secret.h"

static const char * const required_permissions[] = {
  "User.Read.All", "GroupMember.Read.All", "Organization.Read.All", NULL
};

void
muster_device_code_free (MusterDeviceCode *code)
{
  if (code == NULL)
    return;
  if (code->device_code != NULL)
    explicit_bzero (code->device_code, strlen (code->device_code));
  g_free (code->device_code);
  g_free (code->user_code);
  g_free (code->verification_uri);
  g_free (code->message);
  g_free (code);
}

const char * const *
muster_oauth_get_required_permissions (void)
{
  return required_permissions;
}

char *
muster_oauth_get_delegated_scopes (MusterProfile *profile)
{
  MusterCloud cloud = muster_profile_get_cloud (profile);
  g_autoptr(GString) scopes = g_string_new ("openid profile offline_access");

  /* A scope without a resource means Microsoft Graph, but only the global cloud's: the other
   * clouds need their own Graph resource written out (learn.microsoft.com/graph/deployments). */
  for (guint i = 0; required_permissions[i] != NULL; i++)
    {
      g_string_append_c (scopes, ' ');
      if (cloud != MUSTER_CLOUD_GLOBAL)
        g_string_append_printf (scopes, "%s/", muster_cloud_get_graph_resource (cloud));
      g_string_append (scopes, required_permissions[i]);
    }
  return g_string_free (g_steal_pointer (&scopes), FALSE);
}

static char *
endpoint (MusterProfile *profile,
          const char    *path)
{
  g_autofree char *authority = muster_cloud_get_authority (muster_profile_get_cloud (profile));
  g_autofree char *tenant = g_uri_escape_string (muster_profile_get_tenant (profile), NULL, FALSE);

  return g_strdup_printf ("%s/%s/%s", authority, tenant, path);
}

char *
muster_oauth_get_token_url (MusterProfile *profile)
{
  return endpoint (profile, "oauth2/v2.0/token");
}

static void
append_param (GString    *url,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_c (url, strchr (url->str, '?') ? '&' : '?');
  g_string_append_printf (url, "%s=%s", name, escaped);
}

char *
muster_oauth_build_authorize_url (MusterProfile *profile,
                                  const char    *redirect_uri,
                                  const char    *state,
                                  const char    *code_challenge,
                                  const char    *login_hint)
{
  g_autofree char *base = endpoint (profile, "oauth2/v2.0/authorize");
  g_autofree char *scopes = muster_oauth_get_delegated_scopes (profile);
  g_autoptr(GString) url = g_string_new (base);

  append_param (url, "client_id", muster_profile_get_client_id (profile));
  append_param (url, "response_type", "code");
  append_param (url, "redirect_uri", redirect_uri);
  append_param (url, "response_mode", "query");
  append_param (url, "scope", scopes);
  append_param (url, "state", state);
  append_param (url, "code_challenge", code_challenge);
  append_param (url, "code_challenge_method", "S256");
  /* an admin tool signs in on purpose: always let the admin pick the account */
  append_param (url, "prompt", "select_account");
  if (login_hint != NULL)
    append_param (url, "login_hint", login_hint);
  return g_string_free (g_steal_pointer (&url), FALSE);
}

char *
muster_oauth_build_admin_consent_url (MusterProfile *profile,
                                      const char    *redirect_uri,
                                      const char    *state)
{
  g_autofree char *base = endpoint (profile, "v2.0/adminconsent");
  g_autofree char *scopes = muster_oauth_get_delegated_scopes (profile);
  g_autoptr(GString) url = g_string_new (base);

  append_param (url, "client_id", muster_profile_get_client_id (profile));
  append_param (url, "redirect_uri", redirect_uri);
  append_param (url, "state", state);
  append_param (url, "scope", scopes);
  return g_string_free (g_steal_pointer (&url), FALSE);
}

GHashTable *
muster_oauth_form_new (MusterProfile *profile,
                       const char    *grant_type)
{
  GHashTable *form = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) muster_secret_free);

  g_hash_table_insert (form, "client_id", g_strdup (muster_profile_get_client_id (profile)));
  g_hash_table_insert (form, "grant_type", g_strdup (grant_type));
  return form;
}

/* An error answer of the identity platform
 * (learn.microsoft.com/entra/identity-platform/reference-error-codes), or NULL if @node is not one. */
static GError *
error_from_body (JsonNode *node)
{
  JsonObject *object = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonArray *codes_array = muster_json_get_array (object, "error_codes");
  g_autoptr(GArray) codes = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *error = muster_json_get_string (object, "error");

  if (error == NULL)
    return NULL;
  for (guint i = 0; codes_array != NULL && i < json_array_get_length (codes_array); i++)
    {
      JsonNode *element = json_array_get_element (codes_array, i);
      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_INT64)
        {
          gint64 code = json_node_get_int (element);
          g_array_append_val (codes, code);
        }
    }
  return muster_auth_error_from_response (error, muster_json_get_string (object, "error_description"),
                                          (const gint64 *) codes->data, codes->len);
}

/* Retries of a token request the service answers 429, 503 or 504, as Graph's are retried;
 * Retry-After is honoured up to a few seconds, so a cancelled sign-in does not wait long. */
#define TOKEN_RETRIES 2
#define TOKEN_RETRY_MAX_MS 5000

typedef struct
{
  SoupMessage         *msg;
  gint64               sent_at;
  SoupSession         *session;
  char                *url;
  GBytes              *body;      /* wiped when freed: it holds the code, verifier or secret */
  GAsyncReadyCallback  callback;
  guint                attempt;
} PostData;

static void
post_data_free (PostData *data)
{
  g_clear_object (&data->msg);
  g_clear_object (&data->session);
  g_free (data->url);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_free (data);
}

static gboolean post_retry_cb (gpointer user_data);

static GError *
network_error (GError *error)
{
  GError *translated;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;
  translated = g_error_new (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_NETWORK,
                            _("Could not reach the Microsoft sign-in service: %s"), error->message);
  g_error_free (error);
  return translated;
}

static void
post_token_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PostData *data = g_task_get_task_data (task);
  g_autoptr(MusterSecretBytes) bytes = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) parse_error = NULL;
  GError *error = NULL;
  guint status;
  MusterToken *token;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, network_error (error));
      return;
    }

  status = soup_message_get_status (data->msg);
  if ((status == 429 || status == 503 || status == 504) && data->attempt < TOKEN_RETRIES)
    {
      const char *retry_after = soup_message_headers_get_one (soup_message_get_response_headers (data->msg),
                                                              "Retry-After");
      guint delay = muster_graph_parse_retry_after (retry_after, g_get_real_time () / G_USEC_PER_SEC,
                                                    1000u << data->attempt);

      data->attempt++;
      g_debug ("The token endpoint answered %u; retry %u in %u ms", status, data->attempt,
               MIN (delay, TOKEN_RETRY_MAX_MS));
      g_timeout_add (MIN (delay, TOKEN_RETRY_MAX_MS), post_retry_cb, g_steal_pointer (&task));
      return;
    }
  node = muster_http_parse_json (bytes, "sign-in", &parse_error);
  if (status == SOUP_STATUS_OK && node == NULL)
    {
      g_task_return_new_error (task, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_PROTOCOL, "%s", parse_error->message);
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      error = error_from_body (node);
      if (error == NULL)
        error = g_error_new (MUSTER_AUTH_ERROR, status >= 500 ? MUSTER_AUTH_ERROR_NETWORK : MUSTER_AUTH_ERROR_PROTOCOL,
                             _("The sign-in service answered with HTTP %u."), status);
      g_task_return_error (task, error);
      return;
    }

  token = muster_token_parse (node, data->sent_at, &error);
  if (token == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, token, (GDestroyNotify) muster_token_free);
}

static SoupMessage *
new_form_message (const char *url,
                  GError    **error)
{
  SoupMessage *msg;

  if (!muster_url_is_acceptable (url, error))
    return NULL;
  msg = soup_message_new (SOUP_METHOD_POST, url);
  if (msg == NULL)
    {
      g_set_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_FAILED, _("“%s” is not a web address"), url);
      return NULL;
    }
  return msg;
}

/* The body holds the code, verifier, refresh token or client secret: wiped when the last
 * holder (libsoup, a retry) lets it go. */
static GBytes *
encode_form (GHashTable *form)
{
  char *body = soup_form_encode_hash (form);
  gsize length = strlen (body);

  return muster_secret_bytes_new_take (body, length);
}

static void
post_send (GTask *task)
{
  PostData *data = g_task_get_task_data (task);

  soup_message_set_request_body_from_bytes (data->msg, "application/x-www-form-urlencoded", data->body);
  soup_message_headers_replace (soup_message_get_request_headers (data->msg), "Accept", "application/json");
  data->sent_at = g_get_real_time () / G_USEC_PER_SEC;
  soup_session_send_and_read_async (data->session, data->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), data->callback, task);
}

static gboolean
post_retry_cb (gpointer user_data)
{
  GTask *task = user_data;
  PostData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  g_clear_object (&data->msg);
  data->msg = new_form_message (data->url, &error);
  if (data->msg == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  post_send (task);
  return G_SOURCE_REMOVE;
}

static void
post_form_async (SoupSession         *session,
                 const char          *url,
                 GHashTable          *form,
                 GTask               *task,
                 GAsyncReadyCallback  callback)
{
  PostData *data = g_new0 (PostData, 1);
  GError *error = NULL;

  data->session = g_object_ref (session);
  data->url = g_strdup (url);
  data->callback = callback;
  data->msg = new_form_message (url, &error);
  g_task_set_task_data (task, data, (GDestroyNotify) post_data_free);
  if (data->msg == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  data->body = encode_form (form);
  post_send (task);
}

void
muster_oauth_post_token_async (SoupSession         *session,
                               MusterProfile       *profile,
                               GHashTable          *form,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GHashTable) owned_form = form;
  g_autofree char *url = muster_oauth_get_token_url (profile);
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, muster_oauth_post_token_async);
  post_form_async (session, url, owned_form, task, post_token_cb);
}

MusterToken *
muster_oauth_post_token_finish (GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
device_code_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PostData *data = g_task_get_task_data (task);
  g_autoptr(MusterSecretBytes) bytes = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(MusterDeviceCode) code = NULL;
  g_autoptr(GError) parse_error = NULL;
  GError *error = NULL;
  JsonObject *object;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, network_error (error));
      return;
    }
  node = muster_http_parse_json (bytes, "sign-in", &parse_error);
  if (soup_message_get_status (data->msg) == SOUP_STATUS_OK && node == NULL)
    {
      g_task_return_new_error (task, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_PROTOCOL, "%s", parse_error->message);
      return;
    }
  if (soup_message_get_status (data->msg) != SOUP_STATUS_OK)
    {
      error = error_from_body (node);
      g_task_return_error (task, error ? error : g_error_new (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_PROTOCOL,
                                                              _("The sign-in service answered with HTTP %u."),
                                                              soup_message_get_status (data->msg)));
      return;
    }

  object = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (muster_json_get_string (object, "device_code") == NULL ||
      muster_json_get_string (object, "user_code") == NULL ||
      muster_json_get_string (object, "verification_uri") == NULL)
    {
      g_task_return_new_error (task, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_PROTOCOL,
                               _("The sign-in service did not send a device code."));
      return;
    }

  /* the admin types the code at this address: it gets the same rule as the others */
  if (!muster_url_is_acceptable (muster_json_get_string (object, "verification_uri"), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  code = g_new0 (MusterDeviceCode, 1);
  code->device_code = g_strdup (muster_json_get_string (object, "device_code"));
  code->user_code = g_strdup (muster_json_get_string (object, "user_code"));
  code->verification_uri = g_strdup (muster_json_get_string (object, "verification_uri"));
  code->message = g_strdup (muster_json_get_string (object, "message"));
  /* MSAL's defaults when absent (learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code) */
  code->interval = CLAMP (muster_json_get_int (object, "interval", 5), 1, 60);
  code->expires_at = data->sent_at + CLAMP (muster_json_get_int (object, "expires_in", 1800), 30, 3600);
  g_task_return_pointer (task, g_steal_pointer (&code), (GDestroyNotify) muster_device_code_free);
}

void
muster_oauth_request_device_code_async (SoupSession         *session,
                                        MusterProfile       *profile,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autofree char *url = endpoint (profile, "oauth2/v2.0/devicecode");
  g_autoptr(GHashTable) form = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) muster_secret_free);
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, muster_oauth_request_device_code_async);
  g_hash_table_insert (form, "client_id", g_strdup (muster_profile_get_client_id (profile)));
  g_hash_table_insert (form, "scope", muster_oauth_get_delegated_scopes (profile));
  post_form_async (session, url, form, task, device_code_cb);
}

MusterDeviceCode *
muster_oauth_request_device_code_finish (GAsyncResult  *result,
                                         GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Client assertion ---------------------------------------------------------------------- */

static char *
thumbprint (const gnutls_datum_t  *der,
            gnutls_digest_algorithm_t algorithm)
{
  guchar digest[64];
  gsize length = gnutls_hash_get_len (algorithm);

  gnutls_hash_fast (algorithm, der->data, der->size, digest);
  return muster_base64url_encode (digest, length);
}

static char *
encode_json_part (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *json = json_to_string (root, FALSE);

  return muster_base64url_encode ((const guchar *) json, strlen (json));
}

char *
muster_oauth_make_client_assertion (const char  *client_id,
                                    const char  *certificate_file,
                                    const char  *key_file,
                                    const char  *token_url,
                                    GError     **error)
{
  g_autofree char *certificate_pem = NULL, *key_pem = NULL;
  gsize certificate_len = 0, key_len = 0;
  gnutls_x509_crt_t certificate = NULL;
  gnutls_privkey_t key = NULL;
  gnutls_datum_t der = { NULL, 0 }, signature = { NULL, 0 };
  g_autoptr(JsonBuilder) header = json_builder_new ();
  g_autoptr(JsonBuilder) claims = json_builder_new ();
  g_autofree char *x5t = NULL, *x5t256 = NULL, *jti = NULL, *signing_input = NULL, *signature_b64 = NULL;
  g_autofree char *header_b64 = NULL, *claims_b64 = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  char *assertion = NULL;
  int r;

  if (certificate_file == NULL || key_file == NULL)
    {
      g_set_error_literal (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_INVALID_CLIENT,
                           _("Certificate sign-in needs a certificate file and a private key file."));
      return NULL;
    }
  if (!g_file_get_contents (certificate_file, &certificate_pem, &certificate_len, error) ||
      !g_file_get_contents (key_file, &key_pem, &key_len, error))
    return NULL;

  {
    gnutls_datum_t cert_datum = { (unsigned char *) certificate_pem, certificate_len };
    gnutls_datum_t key_datum = { (unsigned char *) key_pem, key_len };

    if ((r = gnutls_x509_crt_init (&certificate)) < 0 ||
        (r = gnutls_x509_crt_import (certificate, &cert_datum, GNUTLS_X509_FMT_PEM)) < 0 ||
        (r = gnutls_x509_crt_export2 (certificate, GNUTLS_X509_FMT_DER, &der)) < 0)
      {
        g_set_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_INVALID_CLIENT,
                     _("“%s” is not a PEM certificate: %s"), certificate_file, gnutls_strerror (r));
        goto out;
      }
    if ((r = gnutls_privkey_init (&key)) < 0 ||
        (r = gnutls_privkey_import_x509_raw (key, &key_datum, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
      {
        g_set_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_INVALID_CLIENT,
                     _("“%s” is not an unencrypted PEM private key: %s"), key_file, gnutls_strerror (r));
        goto out;
      }
    explicit_bzero (key_pem, key_len);
  }

  x5t = thumbprint (&der, GNUTLS_DIG_SHA1);
  x5t256 = thumbprint (&der, GNUTLS_DIG_SHA256);
  jti = g_uuid_string_random ();

  /* RS256 with both thumbprints: the form MSAL sends when it knows only the certificate
   * (learn.microsoft.com/entra/identity-platform/certificate-credentials); Entra still accepts it beside
   * PS256. */
  json_builder_begin_object (header);
  json_builder_set_member_name (header, "alg");
  json_builder_add_string_value (header, "RS256");
  json_builder_set_member_name (header, "typ");
  json_builder_add_string_value (header, "JWT");
  json_builder_set_member_name (header, "x5t");
  json_builder_add_string_value (header, x5t);
  json_builder_set_member_name (header, "x5t#S256");
  json_builder_add_string_value (header, x5t256);
  json_builder_end_object (header);

  json_builder_begin_object (claims);
  json_builder_set_member_name (claims, "aud");
  json_builder_add_string_value (claims, token_url);
  json_builder_set_member_name (claims, "iss");
  json_builder_add_string_value (claims, client_id);
  json_builder_set_member_name (claims, "sub");
  json_builder_add_string_value (claims, client_id);
  json_builder_set_member_name (claims, "jti");
  json_builder_add_string_value (claims, jti);
  json_builder_set_member_name (claims, "nbf");
  json_builder_add_int_value (claims, now);
  json_builder_set_member_name (claims, "iat");
  json_builder_add_int_value (claims, now);
  json_builder_set_member_name (claims, "exp");
  json_builder_add_int_value (claims, now + 600);
  json_builder_end_object (claims);

  header_b64 = encode_json_part (header);
  claims_b64 = encode_json_part (claims);
  signing_input = g_strconcat (header_b64, ".", claims_b64, NULL);
  {
    gnutls_datum_t data = { (unsigned char *) signing_input, strlen (signing_input) };
    r = gnutls_privkey_sign_data (key, GNUTLS_DIG_SHA256, 0, &data, &signature);
  }
  if (r < 0)
    {
      g_set_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_INVALID_CLIENT,
                   _("Could not sign with the private key: %s"), gnutls_strerror (r));
      goto out;
    }
  signature_b64 = muster_base64url_encode (signature.data, signature.size);
  assertion = g_strconcat (signing_input, ".", signature_b64, NULL);

out:
  if (key_pem != NULL)
    explicit_bzero (key_pem, key_len);
  gnutls_free (der.data);
  gnutls_free (signature.data);
  if (certificate != NULL)
    gnutls_x509_crt_deinit (certificate);
  if (key != NULL)
    gnutls_privkey_deinit (key);
  return assertion;
}
