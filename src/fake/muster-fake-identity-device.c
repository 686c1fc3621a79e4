/* muster-fake-identity-device.c: the device code flow and the device-login page
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * POST /{tenant}/oauth2/v2.0/devicecode hands out a user code
 * (learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code); /devicelogin is where the person types
 * it and consents. The /token side of the flow is in muster-fake-identity-token.c.
 *
 * The endpoints are documented at the top of muster-fake-identity.c.
 */

#define G_LOG_DOMAIN "muster-fake-identity"

#include "config.h"

#include <string.h>

#include "muster-fake-identity-private.h"
#include "muster-fake-http.h"
#include "muster-fake-pages.h"

/* learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code: expires_in defaults to 900 s */
#define DEVICE_CODE_LIFETIME    900

/* ---- device code (learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code) --------------- */

static char *
new_user_code (MusterFakeIdentity *self)
{
  /* nine characters without look-alikes (no 0/O, 1/I) */
  static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

  for (;;)
    {
      g_autofree char *random = _muster_fake_random_token (12);
      char *code = g_new0 (char, 10);

      for (guint i = 0; i < 9; i++)
        code[i] = alphabet[(guchar) random[i] % (sizeof alphabet - 1)];
      if (!g_hash_table_contains (self->user_codes, code))
        return code;
      g_free (code);
    }
}

void
_muster_fake_identity_handle_devicecode (MusterFakeIdentity *self,
                                         SoupServerMessage  *msg,
                                         const char         *segment,
                                         TenantKind          kind)
{
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GPtrArray) defaults = NULL;
  g_autoptr(GPtrArray) scopes = NULL;
  g_autofree char *verification_uri = NULL;
  g_autofree char *message = NULL;
  StsError err = { 0 };
  DeviceCode *device;
  GString *body;
  App *app;

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
  form = _muster_fake_read_form (msg);
  if (_muster_fake_identity_param (form, "client_id") == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'client_id'.");
      goto error;
    }
  app = _muster_fake_identity_lookup_app (self, _muster_fake_identity_param (form, "client_id"));
  if (app == NULL)
    {
      _muster_fake_identity_set_unknown_app_error (self, &err, _muster_fake_identity_param (form, "client_id"));
      goto error;
    }
  if (!_muster_fake_identity_check_app_for_tenant (self, app, kind, &err))
    goto error;
  defaults = _muster_fake_identity_app_default_scopes (app);
  scopes = _muster_fake_identity_parse_scopes (self, _muster_fake_identity_param (form, "scope"),
                                               defaults, NULL, &err);
  if (scopes == NULL)
    goto error;

  device = g_new0 (DeviceCode, 1);
  device->device_code = _muster_fake_random_token (96);
  device->user_code = new_user_code (self);
  device->client_id = g_strdup (app->client_id);
  g_ptr_array_add (scopes, NULL);
  device->scopes = g_strdupv ((GStrv) scopes->pdata);
  device->expires_at = _muster_fake_identity_now (self) + DEVICE_CODE_LIFETIME;
  device->interval = self->device_interval;
  device->state = DEVICE_PENDING;
  g_hash_table_insert (self->devices, device->device_code, device);
  g_hash_table_insert (self->user_codes, device->user_code, device);
  self->stats.device_codes_issued++;

  verification_uri = g_strconcat (self->ctx->base_url, "/devicelogin", NULL);
  message = g_strdup_printf ("To sign in, use a web browser to open the page %s and enter the code %s "
                             "to authenticate.", verification_uri, device->user_code);
  body = g_string_new ("{\"user_code\":");
  _muster_fake_json_append_string (body, device->user_code);
  g_string_append (body, ",\"device_code\":");
  _muster_fake_json_append_string (body, device->device_code);
  g_string_append (body, ",\"verification_uri\":");
  _muster_fake_json_append_string (body, verification_uri);
  g_string_append_printf (body, ",\"expires_in\":%d,\"interval\":%u,\"message\":",
                          DEVICE_CODE_LIFETIME, device->interval);
  _muster_fake_json_append_string (body, message);
  g_string_append_c (body, '}');
  _muster_fake_identity_add_no_cache_headers (msg);
  _muster_fake_identity_reply_json (msg, 200, body);
  return;

error:
  _muster_fake_identity_reply_error (self, msg, &err, NULL);
  _muster_fake_identity_error_clear (&err);
}

DeviceCode *
_muster_fake_identity_lookup_user_code (MusterFakeIdentity *self,
                                        const char         *typed)
{
  GString *normal = g_string_new (NULL);
  DeviceCode *device;

  /* people type codes in any case, with spaces or dashes */
  for (const char *p = typed ? typed : ""; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (normal, g_ascii_toupper (*p));
  device = g_hash_table_lookup (self->user_codes, normal->str);
  g_string_free (normal, TRUE);
  return device;
}

void
_muster_fake_identity_device_decide (MusterFakeIdentity *self,
                                     DeviceCode         *device,
                                     const char         *user_id,
                                     gboolean            approve)
{
  App *app = _muster_fake_identity_lookup_app (self, device->client_id);

  device->user_id = g_strdup (user_id);
  device->mfa = self->mfa_required;
  if (approve)
    {
      g_autoptr(GPtrArray) scopes = g_ptr_array_new ();

      for (guint i = 0; device->scopes[i] != NULL; i++)
        g_ptr_array_add (scopes, device->scopes[i]);
      _muster_fake_identity_app_consent (app, scopes);
      device->state = DEVICE_APPROVED;
      self->stats.consents_accepted++;
    }
  else
    {
      device->state = DEVICE_DECLINED;
      self->stats.consents_declined++;
    }
}

void
_muster_fake_identity_handle_devicelogin (MusterFakeIdentity *self,
                                          SoupServerMessage  *msg)
{
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(GHashTable) form = NULL;
  DeviceCode *device;

  if (g_str_equal (method, "GET"))
    {
      _muster_fake_identity_reply_html (msg, 200, _muster_fake_page_device_code ("/devicelogin", NULL));
      return;
    }
  if (!g_str_equal (method, "POST"))
    {
      soup_server_message_set_status (msg, 405, NULL);
      return;
    }

  form = _muster_fake_read_form (msg);
  if (_muster_fake_identity_param (form, "txn") != NULL)
    {
      Transaction *txn = _muster_fake_identity_take_transaction (self, msg, form, TXN_DEVICE);
      gboolean approve;

      if (txn == NULL)
        return;
      device = g_hash_table_lookup (self->devices, txn->device_code);
      approve = g_strcmp0 (_muster_fake_identity_param (form, "action"), "accept") == 0 && !txn->needs_admin;
      if (device == NULL || device->state != DEVICE_PENDING || _muster_fake_identity_now (self) >= device->expires_at)
        _muster_fake_identity_reply_html (msg, 400, _muster_fake_page_device_code ("/devicelogin",
                                          "AADSTS90120: The request was already "
                                          "authorized or declined, or it expired."));
      else
        {
          App *app = _muster_fake_identity_lookup_app (self, device->client_id);
          g_autofree char *text = NULL;

          _muster_fake_identity_device_decide (self, device, txn->user_id, approve);
          text = approve
            ? g_strdup_printf ("You have signed in to the %s application on your device. You may now "
                               "close this window.", app->display_name)
            : g_strdup_printf ("You declined to sign in to %s on your device. You may now close this "
                               "window.", app->display_name);
          _muster_fake_identity_reply_html (msg, 200,
                                            _muster_fake_page_message (approve ? "Signed in" : "Sign-in declined",
                                                                       text));
        }
      _muster_fake_identity_transaction_free (txn);
      return;
    }

  device = _muster_fake_identity_lookup_user_code (self, _muster_fake_identity_param (form, "otc"));
  if (device == NULL || _muster_fake_identity_now (self) >= device->expires_at)
    {
      _muster_fake_identity_reply_html (msg, 400, _muster_fake_page_device_code ("/devicelogin",
                                        "AADSTS70018: Invalid verification code due to User typing in wrong "
                                        "user code for device code flow. Check the code and try again."));
      return;
    }
  if (device->state != DEVICE_PENDING)
    {
      _muster_fake_identity_reply_html (msg, 400, _muster_fake_page_device_code ("/devicelogin",
                                        "AADSTS90120: The request was already authorized or declined."));
      return;
    }

  {
    Transaction *txn = g_new0 (Transaction, 1);
    g_autofree char *txn_id = NULL;
    MusterFakeUser *user = _muster_fake_identity_lookup_live_user (self,
                                                                   _muster_fake_identity_session_user_id (self, msg));
    App *app = _muster_fake_identity_lookup_app (self, device->client_id);

    if (user == NULL)
      user = muster_fake_directory_get_admin (self->ctx->directory);
    txn->kind = TXN_DEVICE;
    txn->client_id = g_strdup (device->client_id);
    txn->user_id = g_strdup (user->id);
    txn->device_code = g_strdup (device->device_code);
    txn->scopes = g_ptr_array_new_with_free_func (g_free);
    for (guint i = 0; device->scopes[i] != NULL; i++)
      g_ptr_array_add (txn->scopes, g_strdup (device->scopes[i]));
    txn->needs_admin = _muster_fake_identity_needs_admin_approval (self, app, user, txn->scopes);
    txn_id = _muster_fake_identity_new_transaction (self, txn);
    _muster_fake_identity_render_consent_page (self, msg, txn, txn_id, "/devicelogin",
                                               "Are you trying to sign in?", "Continue", "Cancel");
  }
}
