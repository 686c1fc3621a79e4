/* muster-groups-page.h: the groups of a directory snapshot, by kind, with member counts
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-snapshot.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_GROUPS_PAGE (muster_groups_page_get_type ())
G_DECLARE_FINAL_TYPE (MusterGroupsPage, muster_groups_page, MUSTER, GROUPS_PAGE, AdwBin)

/* Signal "group-activated" (MusterGroup *group): show this group's members. */
void        muster_groups_page_set_snapshot (MusterGroupsPage *self,
                                             MusterSnapshot   *snapshot);
GListModel *muster_groups_page_get_shown    (MusterGroupsPage *self);
void        muster_groups_page_focus_search (MusterGroupsPage *self);
void        muster_groups_page_activate     (MusterGroupsPage *self,
                                             guint             position);

G_END_DECLS
