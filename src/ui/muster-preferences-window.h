/* muster-preferences-window.h
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-snapshot.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_PREFERENCES_WINDOW (muster_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (MusterPreferencesWindow, muster_preferences_window, MUSTER, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* With a MusterWindow showing a profile as @parent, the Sync and Targets pages show that
 * profile's rules and targets. */
MusterPreferencesWindow *muster_preferences_window_new         (GtkWindow               *parent);
void                     muster_preferences_window_set_profile (MusterPreferencesWindow *self,
                                                                const char              *profile,
                                                                MusterSnapshot          *snapshot);

G_END_DECLS
