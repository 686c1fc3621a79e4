/* muster-user-filter.h: which users the admin is looking at — one definition for the table,
 * the CLI's FILTERS, exports and (later) sync rules
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-snapshot.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_USER_FILTER (muster_user_filter_get_type ())
G_DECLARE_FINAL_TYPE (MusterUserFilter, muster_user_filter, MUSTER, USER_FILTER, GObject)

/* Properties (each notifies, and "changed" is emitted once per change so a GtkCustomFilter can
 * re-run): "groups" (strv of group ids or names; a user matches when in any of them), "nested"
 * (membership through nested groups counts), "group-kind" (int: -1 any, else MusterGroupKind — the
 * user must be in at least one group of that kind), "exclude-unlicensed", "exclude-disabled",
 * "exclude-guests", "deny-list" (strv: exact addresses, or "@domain" for a whole domain,
 * case-insensitive, matched against UPN, mail and otherMails), "search" (case-insensitive
 * substring of name, UPN, mail, job title, department), "email-method". */
MusterUserFilter  *muster_user_filter_new                 (void);

void               muster_user_filter_set_groups          (MusterUserFilter   *self,
                                                           const char * const *groups);
const char * const *muster_user_filter_get_groups         (MusterUserFilter   *self);
void               muster_user_filter_set_nested          (MusterUserFilter   *self,
                                                           gboolean            nested);
void               muster_user_filter_set_group_kind      (MusterUserFilter   *self,
                                                           int                 kind);
void               muster_user_filter_set_exclude_unlicensed (MusterUserFilter *self,
                                                              gboolean          exclude);
void               muster_user_filter_set_exclude_disabled (MusterUserFilter  *self,
                                                            gboolean           exclude);
void               muster_user_filter_set_exclude_guests  (MusterUserFilter   *self,
                                                           gboolean            exclude);
void               muster_user_filter_set_deny_list       (MusterUserFilter   *self,
                                                           const char * const *entries);
/* One address or @domain per line; a CSV's first column also works (a header row is skipped). */
gboolean           muster_user_filter_load_deny_file      (MusterUserFilter   *self,
                                                           const char         *path,
                                                           GError            **error);
void               muster_user_filter_set_search          (MusterUserFilter   *self,
                                                           const char         *search);
void               muster_user_filter_set_email_method    (MusterUserFilter   *self,
                                                           MusterEmailMethod   method);
MusterEmailMethod  muster_user_filter_get_email_method    (MusterUserFilter   *self);

/* Does @user pass? Group names in "groups" are resolved against @snapshot. */
gboolean           muster_user_filter_match               (MusterUserFilter   *self,
                                                           MusterSnapshot     *snapshot,
                                                           MusterUser         *user);
/* Why @user does not pass, in words ("no licence", "on the deny list", "not in the selected
 * groups"; several joined with "; "), or NULL when it does. Translated. */
char              *muster_user_filter_explain             (MusterUserFilter   *self,
                                                           MusterSnapshot     *snapshot,
                                                           MusterUser         *user);
/* The filter in words, for the first lines of an export. Translated. */
char              *muster_user_filter_describe            (MusterUserFilter   *self,
                                                           MusterSnapshot     *snapshot);

G_END_DECLS
