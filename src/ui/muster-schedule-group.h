/* muster-schedule-group.h: Automatic Sync — a profile's systemd user timer switched on or off,
 * with its target, interval, next and last run, in Preferences and the setup assistant
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MUSTER_TYPE_SCHEDULE_GROUP (muster_schedule_group_get_type ())
G_DECLARE_FINAL_TYPE (MusterScheduleGroup, muster_schedule_group, MUSTER, SCHEDULE_GROUP, AdwPreferencesGroup)

GtkWidget  *muster_schedule_group_new                (void);
/* Reads @profile's targets and timer (NULL: hides the group). Property "busy" (read-only): while
 * reading, enabling or disabling. */
void        muster_schedule_group_set_profile        (MusterScheduleGroup *self,
                                                      const char          *profile);
/* Reads the targets and the timer again (a target was added). */
void        muster_schedule_group_reload             (MusterScheduleGroup *self);
gboolean    muster_schedule_group_get_busy           (MusterScheduleGroup *self);
/* Whether the timer's units are written (the switch's state once not busy). */
gboolean    muster_schedule_group_get_enabled        (MusterScheduleGroup *self);
/* The commands to enable the timer by hand when no systemd user manager runs, shown in the
 * group; NULL otherwise. */
const char *muster_schedule_group_get_manual_command (MusterScheduleGroup *self);
/* What the group says of the timer: next and last run, or why it is off. */
const char *muster_schedule_group_get_status_text    (MusterScheduleGroup *self);

/* The muster-cli a timer runs: the one beside this program (installed), or the build tree's
 * src/cli/muster-cli when run from there. */
char       *muster_schedule_group_dup_cli_path       (void);

G_END_DECLS
