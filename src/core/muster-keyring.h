/* muster-keyring.h: secrets (tokens, client secrets, SCIM tokens) in the Secret Service
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

#define MUSTER_KEYRING_ERROR (muster_keyring_error_quark ())

typedef enum
{
  MUSTER_KEYRING_ERROR_NO_SERVICE, /* no Secret Service on the session bus: start one */
  MUSTER_KEYRING_ERROR_LOCKED,     /* the keyring is locked and could not be unlocked */
  MUSTER_KEYRING_ERROR_FAILED,     /* anything else the service reported */
} MusterKeyringError;

/* What a secret is, stored as the schema's `kind` attribute. */
typedef enum
{
  MUSTER_SECRET_REFRESH_TOKEN,
  MUSTER_SECRET_ACCESS_TOKEN,
  MUSTER_SECRET_CLIENT_SECRET,
  MUSTER_SECRET_SCIM_TOKEN,
} MusterSecretKind;

GQuark             muster_keyring_error_quark (void);
const SecretSchema *muster_keyring_get_schema (void);
const char        *muster_secret_kind_to_string (MusterSecretKind kind);

void      muster_keyring_store_async   (const char          *profile,
                                        const char          *tenant_id,
                                        MusterSecretKind     kind,
                                        const char          *secret,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  muster_keyring_store_finish  (GAsyncResult        *result,
                                        GError             **error);

/* Looks up the secret of @kind for @profile (any tenant). Returns NULL with no error when there
 * is none. */
void      muster_keyring_lookup_async  (const char          *profile,
                                        MusterSecretKind     kind,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
char     *muster_keyring_lookup_finish (GAsyncResult        *result,
                                        GError             **error);

/* Removes every secret of @profile (sign-out), or only those of @kind when @kind ≥ 0. */
void      muster_keyring_clear_async   (const char          *profile,
                                        int                  kind,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  muster_keyring_clear_finish  (GAsyncResult        *result,
                                        GError             **error);

/* The bearer token of the SCIM target @target of @profile: kind "scim-token" with the extra
 * attribute `target`. Removing a profile (clear with kind -1) removes these too. Lookup returns
 * NULL with no error when there is none. */
void      muster_keyring_store_target_token_async   (const char          *profile,
                                                     const char          *target,
                                                     const char          *token,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean  muster_keyring_store_target_token_finish  (GAsyncResult        *result,
                                                     GError             **error);
void      muster_keyring_lookup_target_token_async  (const char          *profile,
                                                     const char          *target,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
char     *muster_keyring_lookup_target_token_finish (GAsyncResult        *result,
                                                     GError             **error);
void      muster_keyring_clear_target_token_async   (const char          *profile,
                                                     const char          *target,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean  muster_keyring_clear_target_token_finish  (GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
