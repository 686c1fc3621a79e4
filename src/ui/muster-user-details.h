/* muster-user-details.h: everything a snapshot knows about one user, in a dialog
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-snapshot.h"
#include "muster-user-filter.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_USER_DETAILS (muster_user_details_get_type ())
G_DECLARE_FINAL_TYPE (MusterUserDetails, muster_user_details, MUSTER, USER_DETAILS, AdwWindow)

/* @filter (may be NULL) answers "Why is this user (not) shown?". */
MusterUserDetails *muster_user_details_new      (GtkWindow         *parent,
                                                 MusterSnapshot    *snapshot,
                                                 MusterUserFilter  *filter,
                                                 MusterUser        *user);
MusterUser        *muster_user_details_get_user (MusterUserDetails *self);

G_END_DECLS
