/* describe-user.h: every column of a MusterUser as text, for comparing two readers' users
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by fuzz-users-page.c and tests/core/test-graph-users-page.c, which check the same
 * property: the bulk (cJSON) reader makes the same users as json-glib.
 */

#pragma once

#include "muster-user.h"

G_BEGIN_DECLS

/* Every column of @user on one line each, so two users compare as two strings. */
static inline char *
describe_user (MusterUser *user)
{
  GString *out = g_string_new (NULL);
  const struct
  {
    const char *name;
    const char *(*get) (MusterUser *user);
  } columns[] = {
    { "id", muster_user_get_id },
    { "displayName", muster_user_get_display_name },
    { "givenName", muster_user_get_given_name },
    { "surname", muster_user_get_surname },
    { "userPrincipalName", muster_user_get_user_principal_name },
    { "mail", muster_user_get_mail },
    { "jobTitle", muster_user_get_job_title },
    { "department", muster_user_get_department },
    { "companyName", muster_user_get_company_name },
    { "employeeId", muster_user_get_employee_id },
    { "officeLocation", muster_user_get_office_location },
    { "mobilePhone", muster_user_get_mobile_phone },
    { "userType", muster_user_get_user_type },
    { "createdDateTime", muster_user_get_created },
    { "manager", muster_user_get_manager_id },
  };
  const struct
  {
    const char *name;
    const char * const *(*get) (MusterUser *user);
  } lists[] = {
    { "businessPhones", muster_user_get_business_phones },
    { "otherMails", muster_user_get_other_mails },
    { "proxyAddresses", muster_user_get_proxy_addresses },
    { "assignedLicenses", muster_user_get_assigned_licenses },
  };

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      const char *value = columns[i].get (user);
      g_autofree char *escaped = value ? g_strescape (value, NULL) : NULL;

      g_string_append_printf (out, "%s=%s\n", columns[i].name, escaped ? escaped : "(absent)");
    }
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      const char * const *values = lists[i].get (user);

      g_string_append_printf (out, "%s=[", lists[i].name);
      for (guint v = 0; values != NULL && values[v] != NULL; v++)
        {
          g_autofree char *escaped = g_strescape (values[v], NULL);

          g_string_append_printf (out, "\"%s\" ", escaped);
        }
      g_string_append (out, "]\n");
    }
  g_string_append_printf (out, "accountEnabled=%d\nonPremisesSyncEnabled=%d\n",
                          muster_user_get_account_enabled (user), muster_user_get_on_premises_sync_enabled (user));
  return g_string_free (out, FALSE);
}

G_END_DECLS
