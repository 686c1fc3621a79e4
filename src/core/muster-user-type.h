/* muster-user-type.h: what kind of account a user gets in the target — User, Administrator,
 * Billing Administrator — as Kinabase offers it per user
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  MUSTER_USER_TYPE_USER,
  MUSTER_USER_TYPE_ADMINISTRATOR,
  MUSTER_USER_TYPE_BILLING_ADMINISTRATOR,
} MusterUserType;

#define MUSTER_N_USER_TYPES 3

/* "user", "administrator", "billing-administrator": the names rules files, muster-cli and the
 * SQLite store use. */
const char *muster_user_type_to_string   (MusterUserType  type);
/* Accepts the names above and, case-insensitively, the SCIM values below ("Billing
 * Administrator"), so a value read back from a target parses. */
gboolean    muster_user_type_from_string (const char     *name,
                                          MusterUserType *type);
/* "User", "Administrator", "Billing Administrator": SCIM's userType (RFC 7643 §4.1.1 leaves
 * the values to the service; these are what an admin reads in its console). Not translated. */
const char *muster_user_type_to_scim     (MusterUserType  type);
/* The same words, translated, for the window and tables. */
const char *muster_user_type_get_title   (MusterUserType  type);

G_END_DECLS
