/* muster-user-type.c: User, Administrator, Billing Administrator
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-user-type"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "muster-user-type.h"

static const struct
{
  const char *name;
  const char *scim;
  const char *title;
} user_types[MUSTER_N_USER_TYPES] = {
  [MUSTER_USER_TYPE_USER]                  = { "user", "User", N_("User") },
  [MUSTER_USER_TYPE_ADMINISTRATOR]         = { "administrator", "Administrator", N_("Administrator") },
  [MUSTER_USER_TYPE_BILLING_ADMINISTRATOR] = { "billing-administrator", "Billing Administrator",
                                               N_("Billing Administrator") },
};

const char *
muster_user_type_to_string (MusterUserType type)
{
  g_return_val_if_fail ((guint) type < MUSTER_N_USER_TYPES, "user");
  return user_types[type].name;
}

gboolean
muster_user_type_from_string (const char     *name,
                              MusterUserType *type)
{
  if (name == NULL)
    return FALSE;

  for (guint i = 0; i < MUSTER_N_USER_TYPES; i++)
    if (g_str_equal (name, user_types[i].name) || g_ascii_strcasecmp (name, user_types[i].scim) == 0)
      {
        if (type != NULL)
          *type = i;
        return TRUE;
      }

  return FALSE;
}

const char *
muster_user_type_to_scim (MusterUserType type)
{
  g_return_val_if_fail ((guint) type < MUSTER_N_USER_TYPES, "User");
  return user_types[type].scim;
}

const char *
muster_user_type_get_title (MusterUserType type)
{
  g_return_val_if_fail ((guint) type < MUSTER_N_USER_TYPES, _("User"));
  return _(user_types[type].title);
}
