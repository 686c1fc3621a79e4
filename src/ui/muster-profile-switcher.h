/* muster-profile-switcher.h: the header bar's tenant name and cloud, with a menu of connections
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-profile-store.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_PROFILE_SWITCHER (muster_profile_switcher_get_type ())
G_DECLARE_FINAL_TYPE (MusterProfileSwitcher, muster_profile_switcher, MUSTER, PROFILE_SWITCHER, AdwBin)

/* The menu lists @store's profiles as win.switch-profile items, then win.connect and
 * win.remove-profile. */
void        muster_profile_switcher_set_store   (MusterProfileSwitcher *self,
                                                 MusterProfileStore    *store);
void        muster_profile_switcher_set_profile (MusterProfileSwitcher *self,
                                                 MusterProfile         *profile);
const char *muster_profile_switcher_get_title   (MusterProfileSwitcher *self);

/* The organisation's name once known, else the profile's name. */
const char *muster_profile_get_display_name     (MusterProfile         *profile);

G_END_DECLS
