/* muster-user.h: one person in a directory snapshot, as the table, filters and exports see it
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  MUSTER_EMAIL_METHOD_UPN,          /* userPrincipalName */
  MUSTER_EMAIL_METHOD_MAIL,         /* mail (may be empty) */
  MUSTER_EMAIL_METHOD_MAIL_OR_UPN,  /* mail, falling back to userPrincipalName */
} MusterEmailMethod;

typedef enum
{
  MUSTER_ACCOUNT_STATE_ENABLED,
  MUSTER_ACCOUNT_STATE_DISABLED,
  MUSTER_ACCOUNT_STATE_GUEST,       /* userType Guest (enabled or not) */
} MusterAccountState;

#define MUSTER_TYPE_USER (muster_user_get_type ())
G_DECLARE_FINAL_TYPE (MusterUser, muster_user, MUSTER, USER, GObject)

/* Immutable once built: a snapshot never changes. One property per column:
 * "id", "display-name", "given-name", "surname", "user-principal-name", "mail", "job-title",
 * "department", "company-name", "employee-id", "office-location", "mobile-phone",
 * "business-phones" (strv), "other-mails" (strv), "proxy-addresses" (strv), "user-type",
 * "account-enabled", "on-premises-sync-enabled", "created" (ISO 8601 string),
 * "assigned-licenses" (strv of skuIds), "licence-names" (string, "; "-joined friendly names),
 * "manager-id", "manager-name", "state" (MusterAccountState), "state-label". */
MusterUser        *muster_user_new_from_json           (JsonObject *object); /* Graph's user JSON */

const char        *muster_user_get_id                  (MusterUser *self);
const char        *muster_user_get_display_name        (MusterUser *self);
const char        *muster_user_get_given_name          (MusterUser *self);
const char        *muster_user_get_surname             (MusterUser *self);
const char        *muster_user_get_user_principal_name (MusterUser *self);
const char        *muster_user_get_mail                (MusterUser *self);
const char        *muster_user_get_job_title           (MusterUser *self);
const char        *muster_user_get_department          (MusterUser *self);
const char        *muster_user_get_company_name        (MusterUser *self);
const char        *muster_user_get_employee_id         (MusterUser *self);
const char        *muster_user_get_office_location     (MusterUser *self);
const char        *muster_user_get_mobile_phone        (MusterUser *self);
const char * const *muster_user_get_business_phones    (MusterUser *self);
const char * const *muster_user_get_other_mails        (MusterUser *self);
const char * const *muster_user_get_proxy_addresses    (MusterUser *self);
const char        *muster_user_get_user_type           (MusterUser *self);
gboolean           muster_user_get_account_enabled     (MusterUser *self);
gboolean           muster_user_get_on_premises_sync_enabled (MusterUser *self);
const char        *muster_user_get_created             (MusterUser *self);
const char * const *muster_user_get_assigned_licenses  (MusterUser *self);
const char        *muster_user_get_licence_names       (MusterUser *self);
const char        *muster_user_get_manager_id          (MusterUser *self);
const char        *muster_user_get_manager_name        (MusterUser *self);
MusterAccountState muster_user_get_state               (MusterUser *self);
gboolean           muster_user_is_guest                (MusterUser *self);
gboolean           muster_user_is_licensed             (MusterUser *self);
/* The address this user is known by under @method; NULL for MAIL when the user has no mail. */
const char        *muster_user_get_email               (MusterUser        *self,
                                                        MusterEmailMethod  method);

/* Filled in by the snapshot reader once every user is known (names need the whole snapshot). */
void               _muster_user_set_resolved           (MusterUser *self,
                                                        const char *manager_name,
                                                        const char *licence_names);

const char        *muster_email_method_to_string       (MusterEmailMethod  method);
gboolean           muster_email_method_from_string     (const char        *name,
                                                        MusterEmailMethod *method);

G_END_DECLS
