/* muster-oauth.h: requests to the Microsoft identity platform
 * (learn.microsoft.com/entra/identity-platform/v2-protocols)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "muster-profile.h"
#include "muster-token.h"

G_BEGIN_DECLS

typedef struct
{
  char   *device_code;      /* secret: only ever sent back to the token endpoint */
  char   *user_code;
  char   *verification_uri;
  char   *message;
  guint   interval;         /* seconds between polls */
  gint64  expires_at;       /* unix time */
} MusterDeviceCode;

void              muster_device_code_free              (MusterDeviceCode *code);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterDeviceCode, muster_device_code_free)

/* The delegated scopes Muster asks for: OIDC + offline_access + what reading the directory
 * needs (learn.microsoft.com/graph/permissions-reference), written against the profile's cloud. */
char             *muster_oauth_get_delegated_scopes    (MusterProfile    *profile);
/* The permissions tenant status checks, without prefixes. */
const char * const *muster_oauth_get_required_permissions (void);

char             *muster_oauth_get_token_url           (MusterProfile    *profile);
char             *muster_oauth_build_authorize_url     (MusterProfile    *profile,
                                                        const char       *redirect_uri,
                                                        const char       *state,
                                                        const char       *code_challenge,
                                                        const char       *login_hint);
char             *muster_oauth_build_admin_consent_url (MusterProfile    *profile,
                                                        const char       *redirect_uri,
                                                        const char       *state);

/* POSTs @form (taken) to the token endpoint and parses the answer. */
void              muster_oauth_post_token_async        (SoupSession      *session,
                                                        MusterProfile    *profile,
                                                        GHashTable       *form,
                                                        GCancellable     *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer          user_data);
MusterToken      *muster_oauth_post_token_finish       (GAsyncResult     *result,
                                                        GError          **error);

void              muster_oauth_request_device_code_async  (SoupSession      *session,
                                                           MusterProfile    *profile,
                                                           GCancellable     *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer          user_data);
MusterDeviceCode *muster_oauth_request_device_code_finish (GAsyncResult     *result,
                                                           GError          **error);

/* The client-assertion JWT for certificate credentials
 * (learn.microsoft.com/entra/identity-platform/certificate-credentials): RS256 over the private key in
 * @key_file, x5t and x5t#S256 thumbprints of the certificate in @certificate_file, iss = sub = @client_id,
 * aud = @token_url. Reads files and signs: call it from a worker thread in the GUI. */
char             *muster_oauth_make_client_assertion   (const char       *client_id,
                                                        const char       *certificate_file,
                                                        const char       *key_file,
                                                        const char       *token_url,
                                                        GError          **error);

/* Forms for each grant (new tables the caller hands to post_token). */
GHashTable       *muster_oauth_form_new                (MusterProfile    *profile,
                                                        const char       *grant_type);

G_END_DECLS
