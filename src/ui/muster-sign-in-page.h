/* muster-sign-in-page.h: what the admin sees while signing in — the browser, a device code
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-profile.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_SIGN_IN_PAGE (muster_sign_in_page_get_type ())
G_DECLARE_FINAL_TYPE (MusterSignInPage, muster_sign_in_page, MUSTER, SIGN_IN_PAGE, AdwBin)

/* Shows the waiting state for @profile's sign-in method. */
void        muster_sign_in_page_begin              (MusterSignInPage *self,
                                                    MusterProfile    *profile);
void        muster_sign_in_page_set_authorize_url  (MusterSignInPage *self,
                                                    const char       *url,
                                                    gboolean          opened,
                                                    const char       *problem);
void        muster_sign_in_page_set_device_code    (MusterSignInPage *self,
                                                    const char       *user_code,
                                                    const char       *verification_uri,
                                                    gint64            expires_at);
/* Stops the countdown; the page keeps what it shows. */
void        muster_sign_in_page_stop               (MusterSignInPage *self);
/* The page to open: the consent page, or the device-login page; NULL before it is known. */
const char *muster_sign_in_page_get_url            (MusterSignInPage *self);
const char *muster_sign_in_page_get_user_code      (MusterSignInPage *self);

G_END_DECLS
