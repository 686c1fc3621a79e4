/* muster-fake-identity-authorize.c: the identity platform's /authorize and admin consent
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /authorize asks who signs in and for what, shows the consent page and answers the app
 * with a code (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow); /v2.0/adminconsent
 * grants an app's permissions for the whole organisation
 * (learn.microsoft.com/entra/identity-platform/v2-admin-consent).
 *
 * The endpoints are documented at the top of muster-fake-identity.c.
 */

#define G_LOG_DOMAIN "muster-fake-identity"

#include "config.h"

#include <string.h>

#include "muster-fake-identity-private.h"
#include "muster-fake-http.h"
#include "muster-fake-pages.h"

/* learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow: codes live "about 10 minutes" */
#define CODE_LIFETIME           (10 * 60)
#define TRANSACTION_LIFETIME    (60 * 60)

/* ---- /authorize ------------------------------------------------------------------------- */

gboolean
_muster_fake_identity_is_pkce_text (const char *s,
                                    gsize       min,
                                    gsize       max)
{
  gsize len = strlen (s);

  if (len < min || len > max)
    return FALSE;
  /* RFC 7636 §4.1: unreserved characters */
  for (const char *p = s; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '_' && *p != '~')
      return FALSE;
  return TRUE;
}

char *
_muster_fake_identity_new_transaction (MusterFakeIdentity *self,
                                       Transaction        *txn)
{
  char *id = _muster_fake_random_token (32);

  txn->expires_at = _muster_fake_identity_now (self) + TRANSACTION_LIFETIME;
  g_hash_table_insert (self->transactions, g_strdup (id), txn);
  return id;
}

static GPtrArray *
page_permissions (App       *app,
                  GPtrArray *scopes)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < scopes->len; i++)
    {
      const KnownPermission *known = _muster_fake_identity_lookup_permission (g_ptr_array_index (scopes, i));
      MusterFakePagePermission *line = g_new0 (MusterFakePagePermission, 1);

      line->name = known->name;
      line->description = known->description;
      line->admin_only = known->admin_only;
      line->consented = !_muster_fake_identity_is_oidc_scope (known->name) &&
                        g_hash_table_contains (app->consented, known->name);
      g_ptr_array_add (lines, line);
    }
  return lines;
}

gboolean
_muster_fake_identity_needs_admin_approval (MusterFakeIdentity *self,
                                            App                *app,
                                            MusterFakeUser     *user,
                                            GPtrArray          *scopes)
{
  if (_muster_fake_identity_user_is_admin (self, user))
    return FALSE;
  for (guint i = 0; i < scopes->len; i++)
    {
      const KnownPermission *known = _muster_fake_identity_lookup_permission (g_ptr_array_index (scopes, i));

      if (known->admin_only && !g_hash_table_contains (app->consented, known->name))
        return TRUE;
    }
  return FALSE;
}

void
_muster_fake_identity_render_consent_page (MusterFakeIdentity *self,
                                           SoupServerMessage  *msg,
                                           Transaction        *txn,
                                           const char         *txn_id,
                                           const char         *form_action,
                                           const char         *heading,
                                           const char         *accept_label,
                                           const char         *cancel_label)
{
  App *app = _muster_fake_identity_lookup_app (self, txn->client_id);
  MusterFakeUser *user = _muster_fake_identity_lookup_live_user (self, txn->user_id);
  g_autoptr(GPtrArray) lines = page_permissions (app, txn->scopes);
  g_autofree char *needs_admin_text = NULL;
  MusterFakeConsentPage page = { 0 };

  if (txn->needs_admin)
    needs_admin_text = g_strdup_printf ("AADSTS90094: %s needs permission to access resources in your "
                                        "organization that only an admin can grant. Please ask an admin "
                                        "to grant permission to this app before you can use it.",
                                        app->display_name);
  page.heading = heading;
  page.form_action = form_action;
  page.transaction = txn_id;
  page.app_name = app->display_name;
  page.app_id = app->client_id;
  page.org_name = self->ctx->directory->display_name;
  page.user_name = user->display_name;
  page.user_upn = user->user_principal_name;
  page.permissions = lines;
  page.on_behalf_of_org = _muster_fake_identity_user_is_admin (self, user);
  page.needs_admin = txn->needs_admin;
  page.needs_admin_text = needs_admin_text;
  page.mfa_prompt = self->mfa_required;
  page.accept_label = accept_label;
  page.cancel_label = cancel_label;
  _muster_fake_identity_reply_html (msg, 200, _muster_fake_page_consent (&page));
}

static void
authorize_issue_code (MusterFakeIdentity *self,
                      SoupServerMessage  *msg,
                      Transaction        *txn)
{
  AuthCode *code = g_new0 (AuthCode, 1);
  g_autofree char *value = _muster_fake_random_token (96);
  const char *params[5];

  code->client_id = g_strdup (txn->client_id);
  code->user_id = g_strdup (txn->user_id);
  code->redirect_uri = g_strdup (txn->redirect_uri);
  code->challenge = g_strdup (txn->challenge);
  code->method = g_strdup (txn->method);
  code->nonce = g_strdup (txn->nonce);
  g_ptr_array_add (txn->scopes, NULL);
  code->scopes = g_strdupv ((GStrv) txn->scopes->pdata);
  g_ptr_array_remove_index (txn->scopes, txn->scopes->len - 1);
  code->tenant_kind = txn->tenant_kind;
  code->expires_at = _muster_fake_identity_now (self) + CODE_LIFETIME;
  /* the person just signed in interactively: when MFA is required the fake counts the sign-in
   * as having passed it */
  code->mfa = self->mfa_required;
  g_hash_table_insert (self->codes, g_strdup (value), code);
  self->stats.codes_issued++;

  params[0] = "code";
  params[1] = value;
  params[2] = "state";
  params[3] = txn->state;
  params[4] = NULL;
  _muster_fake_identity_reply_redirect (msg, txn->redirect_base, txn->response_mode, params);
}

static void
authorize_decline (MusterFakeIdentity *self,
                   SoupServerMessage  *msg,
                   Transaction        *txn)
{
  StsError err = { 0 };

  self->stats.consents_declined++;
  /* learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow error response; AADSTS65004
   * UserDeclinedConsent */
  _muster_fake_identity_error_set (&err, 400, "access_denied", 65004,
                                   "User declined to consent to access the app.");
  _muster_fake_identity_reply_redirect_error (self, msg, txn->redirect_base, txn->response_mode, txn->state, FALSE,
                                              "cancel", &err);
  _muster_fake_identity_error_clear (&err);
}

static void
authorize_accept (MusterFakeIdentity *self,
                  SoupServerMessage  *msg,
                  Transaction        *txn)
{
  App *app = _muster_fake_identity_lookup_app (self, txn->client_id);

  self->stats.consents_accepted++;
  _muster_fake_identity_app_consent (app, txn->scopes);
  _muster_fake_identity_start_session (self, msg, txn->user_id);
  authorize_issue_code (self, msg, txn);
}

static void
handle_authorize_request (MusterFakeIdentity *self,
                          SoupServerMessage  *msg,
                          const char         *segment,
                          TenantKind          kind,
                          GHashTable         *params)
{
  const char *client_id = _muster_fake_identity_param (params, "client_id");
  const char *response_type = _muster_fake_identity_param (params, "response_type");
  const char *response_mode = _muster_fake_identity_param (params, "response_mode");
  const char *state = _muster_fake_identity_param (params, "state");
  const char *challenge = _muster_fake_identity_param (params, "code_challenge");
  const char *method = _muster_fake_identity_param (params, "code_challenge_method");
  const char *prompt = _muster_fake_identity_param (params, "prompt");
  const char *login_hint = _muster_fake_identity_param (params, "login_hint");
  StsError err = { 0 };
  App *app;
  g_autofree char *redirect_base = NULL;
  g_autoptr(GPtrArray) defaults = NULL;
  g_autoptr(GPtrArray) scopes = NULL;
  MusterFakeUser *user = NULL;
  gboolean prompt_none = FALSE;
  Transaction *txn;
  g_autofree char *txn_id = NULL;
  g_autofree char *form_action = NULL;

  if (kind == TENANT_UNKNOWN)
    {
      _muster_fake_identity_set_unknown_tenant_error (&err, segment);
      goto page_error;
    }
  if (client_id == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'client_id'.");
      goto page_error;
    }
  app = _muster_fake_identity_lookup_app (self, client_id);
  if (app == NULL)
    {
      _muster_fake_identity_set_unknown_app_error (self, &err, client_id);
      goto page_error;
    }
  if (!_muster_fake_identity_check_app_for_tenant (self, app, kind, &err))
    goto page_error;
  redirect_base = _muster_fake_identity_check_redirect_uri (app,
                                                            _muster_fake_identity_param (params, "redirect_uri"), &err);
  if (redirect_base == NULL)
    goto page_error;

  /* From here on the redirect URI is trusted: errors go back to the app. */
  if (response_mode != NULL && !g_str_equal (response_mode, "query") &&
      !g_str_equal (response_mode, "fragment") && !g_str_equal (response_mode, "form_post"))
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 70007,
                                       "The response_mode '%s' is not supported.", response_mode);
      response_mode = NULL;
      goto redirect_error;
    }
  if (response_type == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'response_type'.");
      goto redirect_error;
    }
  if (!g_str_equal (response_type, "code"))
    {
      g_auto(GStrv) types = g_strsplit (response_type, " ", -1);

      if (g_strv_contains ((const char * const *) types, "code") &&
          g_strv_contains ((const char * const *) types, "id_token"))
        _muster_fake_identity_error_set (&err, 400, "unsupported_response_type", 700054,
                                         "response_type 'id_token' is not enabled for the application.");
      else
        _muster_fake_identity_error_set (&err, 400, "unsupported_response_type", 70005,
                                         "The provided value for the input parameter 'response_type' is not allowed "
                                         "for this request. Expected value: 'code'.");
      goto redirect_error;
    }

  defaults = _muster_fake_identity_app_default_scopes (app);
  scopes = _muster_fake_identity_parse_scopes (self, _muster_fake_identity_param (params, "scope"),
                                               defaults, NULL, &err);
  if (scopes == NULL)
    goto redirect_error;

  if (challenge != NULL)
    {
      /* omitted ⇒ plain (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow) */
      if (method == NULL)
        method = "plain";
      if (!g_str_equal (method, "S256") && !g_str_equal (method, "plain"))
        {
          _muster_fake_identity_error_set (&err, 400, "invalid_request", 90100,
                                           "The parameter 'code_challenge_method' is empty or not valid.");
          goto redirect_error;
        }
      /* S256 challenges are base64url of 32 bytes: 43 characters */
      if (!(g_str_equal (method, "S256") ? _muster_fake_identity_is_pkce_text (challenge, 43, 43)
                                         : _muster_fake_identity_is_pkce_text (challenge, 43, 128)))
        {
          _muster_fake_identity_error_set (&err, 400, "invalid_request", 501491,
                                           "Invalid size of Code_Challenge parameter.");
          goto redirect_error;
        }
    }
  else
    method = NULL;

  if (prompt != NULL)
    {
      g_auto(GStrv) values = g_strsplit (prompt, " ", -1);

      for (guint i = 0; values[i] != NULL; i++)
        {
          if (g_str_equal (values[i], "none"))
            prompt_none = TRUE;
          else if (!g_str_equal (values[i], "login") && !g_str_equal (values[i], "consent") &&
                   !g_str_equal (values[i], "select_account") && *values[i] != '\0')
            {
              _muster_fake_identity_error_set (&err, 400, "invalid_request", 90100,
                                               "The parameter 'prompt' is empty or not valid: '%s'.", values[i]);
              goto redirect_error;
            }
        }
    }

  /* Who signs in: login_hint when it names a member of the directory, else the browser's
   * session, else the directory's administrator. */
  if (login_hint != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (login_hint, -1);
      MusterFakeUser *hinted = g_hash_table_lookup (self->ctx->directory->users_by_upn, lower);

      if (hinted != NULL && !hinted->deleted && g_strcmp0 (hinted->user_type, "Guest") != 0)
        {
          if (!hinted->account_enabled)
            {
              _muster_fake_identity_error_set (&err, 400, "invalid_request", 50057,
                                               "The user account is disabled.");
              goto page_error;
            }
          user = hinted;
        }
    }
  if (user == NULL)
    user = _muster_fake_identity_lookup_live_user (self, _muster_fake_identity_session_user_id (self, msg));
  if (prompt_none)
    {
      /* No interaction allowed: only a browser session with everything consented gets a code
       * (OpenID Connect Core §3.1.2.1;
       * learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow). */
      if (user == NULL)
        {
          _muster_fake_identity_error_set (&err, 400, "login_required", 50058,
                                           "A silent sign-in request was sent but no user is signed in.");
          goto redirect_error;
        }
      if (!_muster_fake_identity_app_has_consent (app, scopes))
        {
          _muster_fake_identity_error_set (&err, 400, "consent_required", 65001,
                                           "The user or administrator has not consented to use the application "
                                           "with ID '%s' named '%s'. Send an interactive authorization request "
                                           "for this user and resource.", app->client_id, app->display_name);
          goto redirect_error;
        }
    }
  if (user == NULL)
    user = muster_fake_directory_get_admin (self->ctx->directory);

  txn = g_new0 (Transaction, 1);
  txn->kind = TXN_AUTHORIZE;
  txn->client_id = g_strdup (app->client_id);
  txn->user_id = g_strdup (user->id);
  txn->redirect_base = g_strdup (redirect_base);
  txn->redirect_uri = g_strdup (_muster_fake_identity_param (params, "redirect_uri")
                                ? _muster_fake_identity_param (params, "redirect_uri")
                                : redirect_base);
  txn->response_mode = g_strdup (response_mode);
  txn->state = g_strdup (state);
  txn->challenge = g_strdup (challenge);
  txn->method = g_strdup (method);
  txn->nonce = g_strdup (_muster_fake_identity_param (params, "nonce"));
  txn->scopes = g_steal_pointer (&scopes);
  txn->tenant_kind = kind;
  txn->needs_admin = _muster_fake_identity_needs_admin_approval (self, app, user, txn->scopes);

  if (prompt_none)
    {
      authorize_issue_code (self, msg, txn);
      _muster_fake_identity_transaction_free (txn);
      return;
    }
  if (self->auto_consent != AUTO_CONSENT_OFF)
    {
      if (self->auto_consent == AUTO_CONSENT_ACCEPT && !txn->needs_admin)
        authorize_accept (self, msg, txn);
      else
        authorize_decline (self, msg, txn);
      _muster_fake_identity_transaction_free (txn);
      return;
    }

  txn_id = _muster_fake_identity_new_transaction (self, txn);
  form_action = g_strdup_printf ("/%s/oauth2/v2.0/authorize", segment);
  _muster_fake_identity_render_consent_page (self, msg, txn, txn_id, form_action, "Permissions requested",
                                             "Accept", "Cancel");
  return;

page_error:
  _muster_fake_identity_reply_error_page (self, msg, &err);
  _muster_fake_identity_error_clear (&err);
  return;

redirect_error:
  _muster_fake_identity_reply_redirect_error (self, msg, redirect_base, response_mode, state, FALSE, NULL, &err);
  _muster_fake_identity_error_clear (&err);
}

/* Removes and returns the live transaction named by the form's txn field, or NULL after
 * answering with AADSTS50089 (the page was too old or already used). */
Transaction *
_muster_fake_identity_take_transaction (MusterFakeIdentity *self,
                                        SoupServerMessage  *msg,
                                        GHashTable         *form,
                                        TxnKind             kind)
{
  const char *id = _muster_fake_identity_param (form, "txn");
  gpointer key = NULL, value = NULL;
  Transaction *txn;

  if (id == NULL || !g_hash_table_steal_extended (self->transactions, id, &key, &value))
    txn = NULL;
  else
    {
      g_free (key);
      txn = value;
      if (txn->kind != kind || txn->expires_at < _muster_fake_identity_now (self))
        g_clear_pointer (&txn, _muster_fake_identity_transaction_free);
    }

  if (txn == NULL)
    {
      StsError err = { 0 };

      _muster_fake_identity_error_set (&err, 400, "invalid_request", 50089,
                                       "Authentication failed due to flow token expired. Sign in again.");
      _muster_fake_identity_reply_error_page (self, msg, &err);
      _muster_fake_identity_error_clear (&err);
    }
  return txn;
}

void
_muster_fake_identity_handle_authorize (MusterFakeIdentity *self,
                                        SoupServerMessage  *msg,
                                        const char         *segment,
                                        TenantKind          kind,
                                        GHashTable         *query)
{
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(GHashTable) form = NULL;
  Transaction *txn;
  const char *action;

  if (g_str_equal (method, "GET"))
    {
      handle_authorize_request (self, msg, segment, kind, query);
      return;
    }
  if (!g_str_equal (method, "POST"))
    {
      soup_server_message_set_status (msg, 405, NULL);
      return;
    }

  form = _muster_fake_read_form (msg);
  if (_muster_fake_identity_param (form, "txn") == NULL)
    {
      /* OpenID Connect allows the authorization request itself as a form POST */
      handle_authorize_request (self, msg, segment, kind, form);
      return;
    }

  txn = _muster_fake_identity_take_transaction (self, msg, form, TXN_AUTHORIZE);
  if (txn == NULL)
    return;
  action = _muster_fake_identity_param (form, "action");
  if (g_strcmp0 (action, "accept") == 0 && !txn->needs_admin)
    authorize_accept (self, msg, txn);
  else
    authorize_decline (self, msg, txn);
  _muster_fake_identity_transaction_free (txn);
}

/* ---- /v2.0/adminconsent (learn.microsoft.com/entra/identity-platform/v2-admin-consent) ---------- */

static char *
full_scope_names (GPtrArray *scopes)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < scopes->len; i++)
    {
      const char *scope = g_ptr_array_index (scopes, i);

      if (out->len > 0)
        g_string_append_c (out, ' ');
      if (_muster_fake_identity_is_oidc_scope (scope))
        g_string_append (out, scope);
      else
        g_string_append_printf (out, GRAPH_RESOURCE "/%s", scope);
    }
  return g_string_free (out, FALSE);
}

void
_muster_fake_identity_handle_admin_consent (MusterFakeIdentity *self,
                                            SoupServerMessage  *msg,
                                            const char         *segment,
                                            TenantKind          kind,
                                            GHashTable         *query)
{
  const char *method = soup_server_message_get_method (msg);
  StsError err = { 0 };
  App *app;
  g_autofree char *redirect_base = NULL;
  g_autoptr(GPtrArray) defaults = NULL;
  g_autoptr(GPtrArray) scopes = NULL;
  g_autoptr(GHashTable) form = NULL;
  Transaction *txn;
  g_autofree char *txn_id = NULL;
  g_autofree char *form_action = NULL;

  if (g_str_equal (method, "POST"))
    {
      form = _muster_fake_read_form (msg);
      txn = _muster_fake_identity_take_transaction (self, msg, form, TXN_ADMIN_CONSENT);
      if (txn == NULL)
        return;
      app = _muster_fake_identity_lookup_app (self, txn->client_id);
      if (g_strcmp0 (_muster_fake_identity_param (form, "action"), "accept") == 0)
        {
          g_autofree char *granted = full_scope_names (txn->scopes);
          const char *params[9] = { "admin_consent", "True",
                                    "tenant", self->ctx->directory->tenant_id,
                                    "scope", granted,
                                    "state", txn->state, NULL };

          self->stats.consents_accepted++;
          _muster_fake_identity_app_consent (app, txn->scopes);
          _muster_fake_identity_reply_redirect (msg, txn->redirect_base, NULL, params);
        }
      else
        {
          self->stats.consents_declined++;
          _muster_fake_identity_error_set (&err, 400, "consent_required", 65004,
                                           "The resource owner or authorization server denied the request.");
          _muster_fake_identity_reply_redirect_error (self, msg, txn->redirect_base, NULL,
                                                      txn->state, TRUE, NULL, &err);
          _muster_fake_identity_error_clear (&err);
        }
      _muster_fake_identity_transaction_free (txn);
      return;
    }
  if (!g_str_equal (method, "GET"))
    {
      soup_server_message_set_status (msg, 405, NULL);
      return;
    }

  if (kind == TENANT_UNKNOWN)
    {
      _muster_fake_identity_set_unknown_tenant_error (&err, segment);
      goto page_error;
    }
  if (kind == TENANT_COMMON || kind == TENANT_CONSUMERS)
    {
      /* "Do not use 'common', as personal accounts cannot provide admin consent" */
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 90100,
                                       "The tenant '%s' cannot be used for admin consent. Use "
                                       "the tenant ID, a verified domain or 'organizations'.", segment);
      goto page_error;
    }
  if (_muster_fake_identity_param (query, "client_id") == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'client_id'.");
      goto page_error;
    }
  app = _muster_fake_identity_lookup_app (self, _muster_fake_identity_param (query, "client_id"));
  if (app == NULL)
    {
      _muster_fake_identity_set_unknown_app_error (self, &err, _muster_fake_identity_param (query, "client_id"));
      goto page_error;
    }
  if (_muster_fake_identity_param (query, "redirect_uri") == NULL)
    {
      _muster_fake_identity_error_set (&err, 400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'redirect_uri'.");
      goto page_error;
    }
  redirect_base = _muster_fake_identity_check_redirect_uri (app,
                                                            _muster_fake_identity_param (query, "redirect_uri"), &err);
  if (redirect_base == NULL)
    goto page_error;

  defaults = _muster_fake_identity_app_default_scopes (app);
  scopes = _muster_fake_identity_parse_scopes (self, _muster_fake_identity_param (query, "scope"),
                                               defaults, NULL, &err);
  if (scopes == NULL)
    {
      _muster_fake_identity_reply_redirect_error (self, msg, redirect_base, NULL,
                                                  _muster_fake_identity_param (query, "state"), TRUE, NULL, &err);
      _muster_fake_identity_error_clear (&err);
      return;
    }

  txn = g_new0 (Transaction, 1);
  txn->kind = TXN_ADMIN_CONSENT;
  txn->client_id = g_strdup (app->client_id);
  txn->user_id = g_strdup (self->ctx->directory->admin_id);
  txn->redirect_base = g_strdup (redirect_base);
  txn->redirect_uri = g_strdup (_muster_fake_identity_param (query, "redirect_uri"));
  txn->state = g_strdup (_muster_fake_identity_param (query, "state"));
  txn->scopes = g_steal_pointer (&scopes);
  txn->tenant_kind = kind;
  txn_id = _muster_fake_identity_new_transaction (self, txn);
  form_action = g_strdup_printf ("/%s/v2.0/adminconsent", segment);
  _muster_fake_identity_render_consent_page (self, msg, txn, txn_id, form_action,
                                             "Permissions requested — Accept "
                                             "for your organization", "Accept", "Cancel");
  return;

page_error:
  _muster_fake_identity_reply_error_page (self, msg, &err);
  _muster_fake_identity_error_clear (&err);
}
