/* muster-schedule.h: automatic sync through a systemd user timer
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A profile's automatic sync is two units under $XDG_CONFIG_HOME/systemd/user/:
 * muster-sync-PROFILE.service runs `muster-cli --profile PROFILE sync --target TARGET
 * --scheduled` once, and muster-sync-PROFILE.timer starts it (OnCalendar, Persistent=true so a
 * run missed while the computer was off happens at the next boot, RandomizedDelaySec so that
 * many machines do not all ask Microsoft at the same second). PROFILE is escaped much as
 * systemd-escape(1) escapes a name (\xHH for what a unit name cannot hold). The units name no secret: the run signs in with what the
 * keyring holds. The user manager is driven over D-Bus (org.freedesktop.systemd1 on the session
 * bus, see org.freedesktop.systemd1(5)); where none runs, the units are still written and
 * MUSTER_SCHEDULE_ERROR_NO_MANAGER says to enable them by hand
 * (muster_schedule_dup_manual_command()).
 *
 * Everything here is asynchronous: files in worker threads, D-Bus on the caller's main context.
 */

#pragma once

#include <gio/gio.h>

#include "muster-history.h"

G_BEGIN_DECLS

#define MUSTER_SCHEDULE_ERROR (muster_schedule_error_quark ())

typedef enum
{
  MUSTER_SCHEDULE_ERROR_INVALID,     /* a bad interval, profile or target: fix the input */
  MUSTER_SCHEDULE_ERROR_NO_MANAGER,  /* no systemd user manager answers: enable by hand */
  MUSTER_SCHEDULE_ERROR_FAILED,      /* the units cannot be written, or systemd refused them */
} MusterScheduleError;

GQuark muster_schedule_error_quark (void);

/* "muster-sync-PROFILE.service" or ".timer" (@suffix "service" or "timer"). */
char     *muster_schedule_dup_unit_name      (const char  *profile,
                                              const char  *suffix);
/* $XDG_CONFIG_HOME/systemd/user */
char     *muster_schedule_dup_unit_dir       (void);
/* The commands that enable the written units by hand. */
char     *muster_schedule_dup_manual_command (const char  *profile);

/* @every: "hourly", "daily", "weekly" or a systemd.time(7) calendar event; NULL for daily.
 * Gives the OnCalendar= value and the RandomizedDelaySec= that suits it. */
gboolean  muster_schedule_parse_every        (const char  *every,
                                              char       **on_calendar,
                                              guint       *delay_seconds,
                                              GError     **error);
/* The units' text. @cli_path: the absolute path of muster-cli. The service passes on the
 * MUSTER_* variables of this process that say where data and services are (never a secret). */
char     *muster_schedule_build_service      (const char  *profile,
                                              const char  *target,
                                              const char  *cli_path,
                                              GError     **error);
char     *muster_schedule_build_timer        (const char  *profile,
                                              const char  *every,
                                              GError     **error);

/* Writes the units of @profile (mode 0644 — they hold no secret), then reloads the user
 * manager, enables the timer and starts it. @cli_path NULL: the muster-cli beside the running
 * program. MUSTER_SCHEDULE_ERROR_NO_MANAGER when the units were written but no manager runs. */
void      muster_schedule_enable_async       (const char          *profile,
                                              const char          *target,
                                              const char          *every,
                                              const char          *cli_path,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean  muster_schedule_enable_finish      (GAsyncResult        *result,
                                              GError             **error);

/* Stops and disables the timer (when a manager runs), removes both units and reloads.
 * *@removed: whether there were units; *@manager_reached: whether a user manager answered. */
void      muster_schedule_disable_async      (const char          *profile,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean  muster_schedule_disable_finish     (GAsyncResult        *result,
                                              gboolean            *removed,
                                              gboolean            *manager_reached,
                                              GError             **error);

typedef struct
{
  char             *profile;
  gboolean          installed;         /* the timer's unit file exists */
  char             *target;            /* what it pushes to, as given to enable */
  char             *every;             /* the interval, as given to enable */
  gboolean          manager_reached;   /* a user manager answered; the fields below come from it */
  char             *active_state;      /* the timer's: "active", "inactive", "failed"…; or NULL */
  char             *unit_file_state;   /* "enabled", "disabled", "linked"…; or NULL */
  gint64            next_run;          /* unix time in µs of the next run, 0 when none is due */
  gint64            last_run;          /* unix time in µs the timer last fired, 0 never */
  MusterHistoryRun *last_scheduled;    /* the newest scheduled run in the history, or NULL */
} MusterScheduleStatus;

void                  muster_schedule_status_free (MusterScheduleStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterScheduleStatus, muster_schedule_status_free)

/* Reads the units, asks the manager about the timer (when one runs) and finds the last
 * scheduled run of @profile in @history (NULL: history.db in the data folder, if there is one). */
void                  muster_schedule_get_status_async  (const char          *profile,
                                                         MusterHistory       *history,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
MusterScheduleStatus *muster_schedule_get_status_finish (GAsyncResult        *result,
                                                         GError             **error);

G_END_DECLS
