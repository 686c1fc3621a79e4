/* muster-profile.h: one tenant connection — where to sign in, how, and what we learnt there
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "muster-cloud.h"

G_BEGIN_DECLS

/* Microsoft Graph Command Line Tools: a public client that allows http://localhost, so an admin
 * can sign in without registering an app (README.md, "Signing in to a real tenant"). */
#define MUSTER_DEFAULT_CLIENT_ID "14d82eec-204b-4c2f-b7e8-296a70dab67e"

typedef enum
{
  MUSTER_AUTH_MODE_BROWSER,      /* authorization code + PKCE in the system browser */
  MUSTER_AUTH_MODE_DEVICE_CODE,  /* code typed on another device */
  MUSTER_AUTH_MODE_SECRET,       /* app-only, client secret (kept in the keyring) */
  MUSTER_AUTH_MODE_CERTIFICATE,  /* app-only, certificate + private key files */
} MusterAuthMode;

#define MUSTER_TYPE_PROFILE (muster_profile_get_type ())
G_DECLARE_FINAL_TYPE (MusterProfile, muster_profile, MUSTER, PROFILE, GObject)

MusterProfile  *muster_profile_new                  (const char     *name);
const char     *muster_profile_get_name             (MusterProfile  *self);
const char     *muster_profile_get_tenant           (MusterProfile  *self);
void            muster_profile_set_tenant           (MusterProfile  *self,
                                                     const char     *tenant);
const char     *muster_profile_get_client_id        (MusterProfile  *self);
void            muster_profile_set_client_id        (MusterProfile  *self,
                                                     const char     *client_id);
MusterCloud     muster_profile_get_cloud            (MusterProfile  *self);
void            muster_profile_set_cloud            (MusterProfile  *self,
                                                     MusterCloud     cloud);
MusterAuthMode  muster_profile_get_auth_mode        (MusterProfile  *self);
void            muster_profile_set_auth_mode        (MusterProfile  *self,
                                                     MusterAuthMode  mode);
const char     *muster_profile_get_certificate_file (MusterProfile  *self);
const char     *muster_profile_get_key_file         (MusterProfile  *self);
void            muster_profile_set_certificate      (MusterProfile  *self,
                                                     const char     *certificate_file,
                                                     const char     *key_file);

/* Learnt at sign-in; none of it is secret. */
const char     *muster_profile_get_tenant_id        (MusterProfile  *self);
const char     *muster_profile_get_username         (MusterProfile  *self);
const char     *muster_profile_get_organization     (MusterProfile  *self);
gint64          muster_profile_get_signed_in_at     (MusterProfile  *self);
/* When the refresh token was last used: it expires after 90 days of inactivity. */
gint64          muster_profile_get_refreshed_at     (MusterProfile  *self);
void            muster_profile_set_signed_in        (MusterProfile  *self,
                                                     const char     *tenant_id,
                                                     const char     *username,
                                                     const char     *organization,
                                                     gint64          signed_in_at);
void            muster_profile_set_refreshed_at     (MusterProfile  *self,
                                                     gint64          refreshed_at);
void            muster_profile_clear_signed_in      (MusterProfile  *self);
/* What the last access token allowed, and until when (the token itself is in the keyring). */
const char * const *muster_profile_get_scopes       (MusterProfile  *self);
gint64          muster_profile_get_token_expires_at (MusterProfile  *self);
void            muster_profile_set_token_info       (MusterProfile  *self,
                                                     const char * const *scopes,
                                                     gint64          expires_at);
gboolean        muster_profile_is_app_only          (MusterProfile  *self);

const char     *muster_auth_mode_to_string          (MusterAuthMode  mode);
gboolean        muster_auth_mode_from_string        (const char     *name,
                                                     MusterAuthMode *mode);

G_END_DECLS
