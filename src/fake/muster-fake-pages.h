/* muster-fake-pages.h: the HTML a person (or a headless browser) sees on the fake sign-in pages
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;         /* "User.Read.All" */
  const char *description;  /* "Read all users' full profiles" */
  gboolean    admin_only;   /* needs an administrator's consent */
  gboolean    consented;    /* already granted tenant-wide */
} MusterFakePagePermission;

typedef struct
{
  const char *heading;          /* "Permissions requested" */
  const char *form_action;      /* path the form posts to */
  const char *transaction;      /* server-side id of the pending request */
  const char *app_name;
  const char *app_id;
  const char *org_name;
  const char *user_name;        /* display name of who signs in */
  const char *user_upn;
  GPtrArray  *permissions;      /* of MusterFakePagePermission* */
  gboolean    on_behalf_of_org; /* an administrator consents for the whole organisation */
  gboolean    needs_admin;      /* a non-admin asked for admin-only permissions: no Accept */
  const char *needs_admin_text; /* the AADSTS line shown then */
  gboolean    mfa_prompt;       /* the tenant requires multifactor authentication */
  const char *accept_label;
  const char *cancel_label;
} MusterFakeConsentPage;

char *_muster_fake_page_consent     (const MusterFakeConsentPage *page);
/* "Sorry, but we're having trouble signing you in." with the AADSTS line and diagnostics. */
char *_muster_fake_page_error       (const char *aadsts_message,
                                     const char *trace_id,
                                     const char *correlation_id,
                                     const char *timestamp);
/* The device-login page asking for the code; @error_text (AADSTS line) may be NULL. */
char *_muster_fake_page_device_code (const char *form_action,
                                     const char *error_text);
/* A page with a title and a sentence, nothing to submit. */
char *_muster_fake_page_message     (const char *title,
                                     const char *text);
/* response_mode=form_post: a form that posts @fields (name, value, name, value, …, NULL) to
 * @action as soon as the page loads (OpenID Connect Form Post Response Mode). */
char *_muster_fake_page_form_post   (const char         *action,
                                     const char * const *fields);

G_END_DECLS
