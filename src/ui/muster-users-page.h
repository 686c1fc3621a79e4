/* muster-users-page.h: the people of a directory snapshot — search, filters, the table, the selection
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-photo-loader.h"

#include "muster-plan.h"
#include "muster-rules.h"
#include "muster-snapshot.h"
#include "muster-user-filter.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_USERS_PAGE (muster_users_page_get_type ())
G_DECLARE_FINAL_TYPE (MusterUsersPage, muster_users_page, MUSTER, USERS_PAGE, AdwBin)

/* Signal "user-activated" (MusterUser *user): a row was activated (Enter, double click).
 * Signal "rules-changed": an edit in the User Type or Roles column (or Set User Type…, Set
 * Roles…) changed the rules and they were saved.
 * Properties: "snapshot", "n-selected" (read-only), "filtering" (read-only: the incremental
 * filter is still running; the count is final once it is FALSE). */
void              muster_users_page_set_snapshot      (MusterUsersPage *self,
                                                       MusterSnapshot  *snapshot);
MusterSnapshot   *muster_users_page_get_snapshot      (MusterUsersPage *self);
void              muster_users_page_set_photo_loader  (MusterUsersPage   *self,
                                                       MusterPhotoLoader *loader);
MusterUserFilter *muster_users_page_get_filter        (MusterUsersPage *self);
/* The users shown, in the table's order. */
GListModel       *muster_users_page_get_shown         (MusterUsersPage *self);
/* A new list of the selected users, in the table's order. */
GListModel       *muster_users_page_dup_selected      (MusterUsersPage *self);
guint             muster_users_page_get_n_selected    (MusterUsersPage *self);
gboolean          muster_users_page_get_filtering     (MusterUsersPage *self);
/* "12 of 340 users" as shown */
const char       *muster_users_page_get_count_text    (MusterUsersPage *self);
/* Shows only members of the group (NULL: any group). */
void              muster_users_page_set_group         (MusterUsersPage *self,
                                                       const char      *group_id);
void              muster_users_page_focus_search      (MusterUsersPage *self);

/* The profile's rules the User Type and Roles columns show; edits are saved as @profile's
 * (NULL: none loaded, the pickers are insensitive). */
void              muster_users_page_set_rules         (MusterUsersPage *self,
                                                       MusterRules     *rules,
                                                       const char      *profile);
MusterRules      *muster_users_page_get_rules         (MusterUsersPage *self);
/* Whether an edit of the pickers is still being written to the rules file. */
gboolean          muster_users_page_get_saving        (MusterUsersPage *self);
/* The Plan column: what @plan does to each user (NULL hides the column). */
void              muster_users_page_set_plan          (MusterUsersPage *self,
                                                       MusterPlan      *plan);
MusterPlan       *muster_users_page_get_plan          (MusterUsersPage *self);
/* The roles the chosen target offers, offered in the Roles pickers beside the rules' own. */
void              muster_users_page_set_target_roles  (MusterUsersPage    *self,
                                                       const char * const *roles);

G_END_DECLS
