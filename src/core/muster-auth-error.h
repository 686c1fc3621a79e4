/* muster-auth-error.h: what went wrong while signing in, as something the admin can act on
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MUSTER_AUTH_ERROR (muster_auth_error_quark ())

typedef enum
{
  MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED,     /* no token, or the refresh token expired or was revoked: sign in again */
  MUSTER_AUTH_ERROR_CONSENT_REQUIRED,     /* an administrator must grant the permissions (admin consent) */
  MUSTER_AUTH_ERROR_INTERACTION_REQUIRED, /* MFA or Conditional Access: sign in again in the browser */
  MUSTER_AUTH_ERROR_WRONG_TENANT,         /* unknown tenant or another national cloud: check both */
  MUSTER_AUTH_ERROR_TENANT_REQUIRED,      /* a single-tenant app cannot use /common or /organizations */
  MUSTER_AUTH_ERROR_ACCESS_DENIED,        /* the admin cancelled or declined */
  MUSTER_AUTH_ERROR_STATE_MISMATCH,       /* the answer did not belong to this sign-in */
  MUSTER_AUTH_ERROR_TIMED_OUT,            /* nobody finished signing in in time */
  MUSTER_AUTH_ERROR_EXPIRED,              /* the device code expired */
  MUSTER_AUTH_ERROR_INVALID_CLIENT,       /* wrong client ID, secret or certificate */
  MUSTER_AUTH_ERROR_BAD_REDIRECT,         /* the app registration lacks http://localhost */
  MUSTER_AUTH_ERROR_NETWORK,              /* could not reach the sign-in service */
  MUSTER_AUTH_ERROR_PROTOCOL,             /* an answer we could not understand */
  MUSTER_AUTH_ERROR_FAILED,               /* anything else; the message carries Microsoft's code */
  MUSTER_AUTH_ERROR_PENDING,              /* device code: not yet approved, poll again */
  MUSTER_AUTH_ERROR_SLOW_DOWN,            /* device code: polling too fast */
} MusterAuthError;

GQuark  muster_auth_error_quark          (void);

/* The error for an identity-platform error answer
 * (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow, "Error response"): @error is the
 * OAuth `error`, @description its `error_description`, @codes the AADSTS numbers (may be empty). The message
 * is a translated sentence saying what to do; Microsoft's code follows it. */
GError *muster_auth_error_from_response  (const char *error,
                                          const char *description,
                                          const gint64 *codes,
                                          guint       n_codes);

G_END_DECLS
