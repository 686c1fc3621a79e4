/* muster-auth-error.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-auth-error"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "muster-auth-error.h"

G_DEFINE_QUARK (muster-auth-error-quark, muster_auth_error)

/* AADSTS codes from learn.microsoft.com/entra/identity-platform/reference-error-codes. Microsoft says
 * never to branch on error_description, so the numbers and `error` decide. */
static const struct
{
  gint64          code;
  MusterAuthError error;
  const char     *message;
} aadsts[] = {
  { 65001, MUSTER_AUTH_ERROR_CONSENT_REQUIRED,
    N_("An administrator has not granted Muster the permissions it needs. Grant admin consent and sign in again.") },
  { 90094, MUSTER_AUTH_ERROR_CONSENT_REQUIRED,
    N_("Admin consent is required. Sign in as an administrator and grant the permissions.") },
  { 90095, MUSTER_AUTH_ERROR_CONSENT_REQUIRED,
    N_("Admin consent is required. Ask an administrator to approve Muster’s request.") },
  { 50076, MUSTER_AUTH_ERROR_INTERACTION_REQUIRED,
    N_("Your organisation requires multi-factor authentication. Sign in again in the browser.") },
  { 50078, MUSTER_AUTH_ERROR_INTERACTION_REQUIRED,
    N_("Your multi-factor authentication has expired. Sign in again in the browser.") },
  { 50079, MUSTER_AUTH_ERROR_INTERACTION_REQUIRED,
    N_("You must register for multi-factor authentication first. Sign in again in the browser.") },
  { 53003, MUSTER_AUTH_ERROR_INTERACTION_REQUIRED,
    N_("A Conditional Access policy blocked the sign-in. Sign in again from a device your organisation allows.") },
  { 70043, MUSTER_AUTH_ERROR_INTERACTION_REQUIRED,
    N_("Your organisation’s sign-in frequency policy requires you to sign in again.") },
  { 700082, MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED,
    N_("The sign-in expired after 90 days without use. Sign in again to re-authorise Muster.") },
  { 700084, MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED,
    N_("The sign-in has expired. Sign in again to re-authorise Muster.") },
  { 50173, MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED,
    N_("The sign-in was revoked, for example after a password change. Sign in again.") },
  { 70008, MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED,
    N_("The sign-in has expired or was revoked. Sign in again.") },
  { 54005, MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED,
    N_("That sign-in answer was already used. Sign in again.") },
  { 501481, MUSTER_AUTH_ERROR_PROTOCOL,
    N_("The sign-in answer did not match this request. Sign in again.") },
  { 90002, MUSTER_AUTH_ERROR_WRONG_TENANT,
    N_("Microsoft does not know this tenant. Check the tenant name or ID, and the cloud.") },
  { 90038, MUSTER_AUTH_ERROR_WRONG_TENANT,
    N_("This tenant belongs to another national cloud. Choose the right cloud in the connection settings.") },
  { 50194, MUSTER_AUTH_ERROR_TENANT_REQUIRED,
    N_("This app registration serves one tenant only. Enter the tenant’s domain or ID instead of “organizations”.") },
  { 9001023, MUSTER_AUTH_ERROR_TENANT_REQUIRED,
    N_("App-only sign-in needs the tenant’s domain or ID, not “organizations” or “common”.") },
  { 700016, MUSTER_AUTH_ERROR_INVALID_CLIENT,
    N_("No application with this client ID exists in the tenant. Check the client ID.") },
  { 7000215, MUSTER_AUTH_ERROR_INVALID_CLIENT,
    N_("The client secret is wrong. Enter the secret’s value (not its ID) again.") },
  { 7000222, MUSTER_AUTH_ERROR_INVALID_CLIENT,
    N_("The client secret has expired. Create a new one in the app registration.") },
  { 700027, MUSTER_AUTH_ERROR_INVALID_CLIENT,
    N_("The certificate was not accepted. Upload it to the app registration, or check the private key.") },
  { 700025, MUSTER_AUTH_ERROR_INVALID_CLIENT,
    N_("This is a public client: sign in without a secret or certificate.") },
  { 50011, MUSTER_AUTH_ERROR_BAD_REDIRECT,
    N_("The app registration does not allow Muster’s redirect. Add “http://localhost” under “Mobile and desktop applications”.") },
  { 70019, MUSTER_AUTH_ERROR_EXPIRED,
    N_("The code expired before it was entered. Start again to get a new one.") },
  { 70018, MUSTER_AUTH_ERROR_PROTOCOL,
    N_("The code was not recognised. Start again to get a new one.") },
  { 50196, MUSTER_AUTH_ERROR_FAILED,
    N_("Too many sign-in requests in a short time. Wait a minute and try again.") },
};

GError *
muster_auth_error_from_response (const char   *error,
                                 const char   *description,
                                 const gint64 *codes,
                                 guint         n_codes)
{
  g_autofree char *first_line = NULL;

  if (g_strcmp0 (error, "authorization_pending") != 0 && g_strcmp0 (error, "slow_down") != 0)
  for (guint i = 0; i < n_codes; i++)
    for (guint j = 0; j < G_N_ELEMENTS (aadsts); j++)
      if (aadsts[j].code == codes[i])
        return g_error_new (MUSTER_AUTH_ERROR, aadsts[j].error, "%s (AADSTS%" G_GINT64_FORMAT ")",
                            _(aadsts[j].message), codes[i]);

  g_debug ("identity platform error %s: %s", error, description ? description : "");

  /* RFC 8628 §3.5: not failures, the poll goes on */
  if (g_strcmp0 (error, "authorization_pending") == 0)
    return g_error_new_literal (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_PENDING, "authorization_pending");
  if (g_strcmp0 (error, "slow_down") == 0)
    return g_error_new_literal (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_SLOW_DOWN, "slow_down");

  if (g_strcmp0 (error, "access_denied") == 0 || g_strcmp0 (error, "authorization_declined") == 0)
    return g_error_new_literal (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_ACCESS_DENIED,
                                _("The sign-in was cancelled or declined."));
  if (g_strcmp0 (error, "expired_token") == 0)
    return g_error_new_literal (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_EXPIRED,
                                _("The code expired before it was entered. Start again to get a new one."));
  if (g_strcmp0 (error, "consent_required") == 0)
    return g_error_new_literal (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_CONSENT_REQUIRED,
                                _("An administrator must grant Muster’s permissions. Grant admin consent and sign in again."));
  if (g_strcmp0 (error, "interaction_required") == 0 || g_strcmp0 (error, "login_required") == 0)
    return g_error_new_literal (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_INTERACTION_REQUIRED,
                                _("Microsoft needs you to sign in again in the browser."));
  if (g_strcmp0 (error, "invalid_grant") == 0)
    return g_error_new_literal (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED,
                                _("The sign-in is no longer valid. Sign in again."));
  if (g_strcmp0 (error, "invalid_client") == 0 || g_strcmp0 (error, "unauthorized_client") == 0)
    return g_error_new_literal (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_INVALID_CLIENT,
                                _("Microsoft did not accept the app’s client ID or credentials."));
  if (g_strcmp0 (error, "temporarily_unavailable") == 0 || g_strcmp0 (error, "server_error") == 0)
    return g_error_new_literal (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_NETWORK,
                                _("The sign-in service is temporarily unavailable. Try again in a few minutes."));

  /* Unknown: keep Microsoft's first line, which names the AADSTS code an admin can look up. */
  if (description != NULL)
    first_line = g_strndup (description, strcspn (description, "\r\n"));
  return g_error_new (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_FAILED, _("Sign-in failed: %s"),
                      first_line ? first_line : (error ? error : _("unknown error")));
}
