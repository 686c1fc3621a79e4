/* muster-push.h: applying a plan's operations to a target, journaled, resumable and stoppable
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A push does not plan: it applies the operations it is given, in batches, through
 * muster_target_apply_async(), writing each batch to the history (MusterHistory) as `pending`
 * before and `done`/`failed` after. Resuming after a crash, and retrying failed users, come from
 * planning again against what the target holds: what was done is no longer in the next plan,
 * what was not is.
 */

#pragma once

#include <gio/gio.h>

#include "muster-history.h"
#include "muster-plan.h"
#include "muster-target.h"

G_BEGIN_DECLS

#define MUSTER_PUSH_ERROR (muster_push_error_quark ())

typedef enum
{
  MUSTER_PUSH_ERROR_SAFETY_LIMIT,  /* the plan disables or deletes more than the limit: nothing
                                    * was applied; push again with force to go ahead */
  MUSTER_PUSH_ERROR_STOPPED,       /* more than 40 % of at least 20 operations failed: the push
                                    * stopped itself; fix the cause, the next push retries */
  MUSTER_PUSH_ERROR_BUSY,          /* another push into the same target is running */
} MusterPushError;

GQuark muster_push_error_quark (void);

/* Share of failed operations, out of at least MUSTER_PUSH_STOP_MIN_ATTEMPTS, above which a push
 * stops itself — the way Microsoft's provisioning service quarantines a job whose operations
 * mostly fail. */
#define MUSTER_PUSH_STOP_PERCENT      40
#define MUSTER_PUSH_STOP_MIN_ATTEMPTS 20

/* How a push ended, or how far it has come. */
typedef struct
{
  char           *run_id;    /* the history's run; NULL until the run is recorded */
  char           *resumes;   /* the interrupted run it followed, or NULL */
  MusterRunState  state;
  guint           total;     /* operations to apply */
  guint           done;
  guint           failed;
  GPtrArray      *results;   /* of MusterOperationResult, in the order they came back */
} MusterPushSummary;

void muster_push_summary_free (MusterPushSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterPushSummary, muster_push_summary_free)

#define MUSTER_TYPE_PUSH (muster_push_get_type ())
G_DECLARE_FINAL_TYPE (MusterPush, muster_push, MUSTER, PUSH, GObject)

/* A push of @plan's operations (muster_plan_get_operations()) into @target, the target the plan
 * was made against, recorded in @history under @profile by @who (NULL: the local user name). The
 * safety limit is measured on muster_plan_get_target_user_count(). */
MusterPush        *muster_push_new                (MusterTarget   *target,
                                                   MusterPlan     *plan,
                                                   MusterHistory  *history,
                                                   const char     *profile,
                                                   const char     *who);
/* A push of @operations (of MusterOperation, applied in this order) into @target, recorded in
 * @history under @profile by @who (NULL: the local user name). @target_user_count is the number
 * of active users Muster manages in the target, which the safety limit is measured on. */
MusterPush        *muster_push_new_for_operations (MusterTarget   *target,
                                                   GPtrArray      *operations,
                                                   guint           target_user_count,
                                                   MusterHistory  *history,
                                                   const char     *profile,
                                                   const char     *who);

/* The safety limit: more disables and deletes than @count users or @percent % of the target's
 * users (0 turns that half off) are refused unless forced. Default 50 users or 5 %. */
void               muster_push_set_safety_limit   (MusterPush     *self,
                                                   guint           count,
                                                   guint           percent);
void               muster_push_set_force_limit    (MusterPush     *self,
                                                   gboolean        force);
/* Applies only the operations of @mode (default MUSTER_PLAN_MODE_SYNC: all of them):
 * ADD_ONLY keeps creating users and groups and adding the users it creates to groups;
 * UPDATE_ONLY keeps everything else. A plan made in that mode already holds just those. */
void               muster_push_set_mode           (MusterPush     *self,
                                                   MusterPlanMode  mode);
/* Operations per muster_target_apply_async() call; 0 (the default) picks 500 for a SQLite store
 * and 50 for a service. */
void               muster_push_set_batch_size     (MusterPush     *self,
                                                   guint           batch_size);
MusterTarget      *muster_push_get_target         (MusterPush     *self);
/* The operations the push applies (after the mode's choice). Of MusterOperation. */
GPtrArray         *muster_push_get_operations     (MusterPush     *self);

/* Applies the operations. Emits "progress" (guint done, guint failed, guint total) on the
 * caller's main context after each batch. Errors: MUSTER_PUSH_ERROR_SAFETY_LIMIT (run recorded
 * `refused`), _STOPPED (`stopped`), _BUSY (no run recorded), G_IO_ERROR_CANCELLED
 * (`cancelled`), a MUSTER_TARGET_ERROR when the target failed as a whole (`failed`), a
 * MUSTER_HISTORY_ERROR when the history could not be written (nothing more is applied). A push
 * runs once. */
void               muster_push_run_async          (MusterPush          *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
/* Returns the summary of a push that finished (`completed` or `partial`). */
MusterPushSummary *muster_push_run_finish         (MusterPush          *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* How far the push got, also after an error: its run id and counts. Owned by @self. */
const MusterPushSummary *muster_push_get_summary  (MusterPush          *self);

G_END_DECLS
