/* muster-session.h: being signed in to one profile's tenant — sign-in flows, tokens, sign-out
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "muster-profile-store.h"
#include "muster-token.h"

G_BEGIN_DECLS

/* Refresh when this little is left (seconds), so a long fetch never starts on a dying token. */
#define MUSTER_TOKEN_REFRESH_MARGIN (10 * 60)
/* Refresh tokens die after 90 days without use (learn.microsoft.com/entra/identity-platform/refresh-tokens);
 * remind this many days before. */
#define MUSTER_REAUTHORIZE_REMINDER_DAYS 14

#define MUSTER_TYPE_SESSION (muster_session_get_type ())
G_DECLARE_FINAL_TYPE (MusterSession, muster_session, MUSTER, SESSION, GObject)

/* Signals:
 * - "authorize-url" (const char *url, gboolean opened, const char *problem): the page the admin
 *   must visit; @opened says whether a browser was started, @problem why not.
 * - "device-code" (const char *user_code, const char *verification_uri, const char *message,
 *   gint64 expires_at): show these to the admin. */

MusterSession *muster_session_new                (MusterProfileStore   *store,
                                                  MusterProfile        *profile);
MusterProfile *muster_session_get_profile        (MusterSession        *self);
SoupSession   *muster_session_get_http           (MusterSession        *self);
/* Seconds the loopback listener waits for the browser (default 5 minutes; tests shorten it). */
void           muster_session_set_browser_timeout (MusterSession       *self,
                                                   guint                seconds);

/* Runs the profile's sign-in method; with @admin_consent, first asks for tenant-wide admin
 * consent in the browser. Stores the tokens in the keyring and the profile (no secret) on disk. */
void           muster_session_sign_in_async      (MusterSession        *self,
                                                  gboolean              admin_consent,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean       muster_session_sign_in_finish     (MusterSession        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* A valid access token, refreshed when MUSTER_TOKEN_REFRESH_MARGIN or less remains or when
 * @force_refresh (after a 401). MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED when nothing can refresh it. */
void           muster_session_get_token_async    (MusterSession        *self,
                                                  gboolean              force_refresh,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
MusterToken   *muster_session_get_token_finish   (MusterSession        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Removes the profile's tokens (and client secret) from the keyring and forgets who signed in. */
void           muster_session_sign_out_async     (MusterSession        *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean       muster_session_sign_out_finish    (MusterSession        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Days until the refresh token expires from inactivity (negative: expired), or G_MAXINT when
 * the profile signs in app-only or never signed in. */
int            muster_session_get_days_until_reauthorize (MusterSession *self,
                                                          gint64         now);

G_END_DECLS
