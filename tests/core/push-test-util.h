/* push-test-util.h: desired users, a minimal planner and blocking waits for the push tests
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "muster-history.h"
#include "muster-plan.h"
#include "muster-push.h"
#include "muster-snapshot-store.h"
#include "muster-target.h"

G_BEGIN_DECLS

/* The Entra id of desired user @i: a GUID-shaped string. */
char              *push_test_user_id          (guint              i);
/* @n users as a plan wants them: ids push_test_user_id (0 … n-1), "user<i>@example.com",
 * display name "User <i>" plus @suffix (NULL for none). Of MusterTargetUser. */
GPtrArray         *push_test_desired_users    (guint              n,
                                               const char        *suffix);
/* What a plan would do to make @state hold exactly @desired: create the missing, update the
 * display names that differ, disable the managed active users not desired. Of MusterOperation,
 * keys as the plan engine makes them. */
GPtrArray         *push_test_plan             (GPtrArray         *desired,
                                               MusterTargetState *state);
/* Active users with an external id in @state. */
guint              push_test_managed_count    (MusterTargetState *state);

/* Writes a snapshot of users 0 … n-1 (as push_test_desired_users() has them: licensed, enabled,
 * mail = userPrincipalName) for @profile into the cache.db at @path. */
void               push_test_write_snapshot   (const char        *path,
                                               const char        *profile,
                                               guint              n);
/* The newest snapshot of @profile in the cache.db at @path. */
MusterSnapshot    *push_test_load_snapshot    (const char        *path,
                                               const char        *profile);
/* The real plan engine's plan, with default rules, against what @target holds now. */
MusterPlan        *push_test_make_plan        (MusterSnapshot    *snapshot,
                                               MusterTarget      *target);

/* Blocking waits on the default main context. */
MusterTargetState *push_test_read_state       (MusterTarget      *target,
                                               GError           **error);
MusterPushSummary *push_test_run              (MusterPush        *push,
                                               GCancellable      *cancellable,
                                               GError           **error);

G_END_DECLS
