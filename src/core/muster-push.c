/* muster-push.c: applying a plan's operations to a target, journaled, resumable and stoppable
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-push"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-push.h"

#define DEFAULT_LIMIT_COUNT   50
#define DEFAULT_LIMIT_PERCENT 5
#define SQLITE_BATCH_SIZE     1000 /* one transaction per batch in the store */
/* A service's batch ends when its slowest request does, the other requests in flight idle
 * meanwhile: bench-scim-push measured batches of 50 at 65 % of a plain client's rate at 8 in
 * flight, one batch of everyone at 110 %. Progress and the journal move once per batch, so a
 * batch stays small enough for both to follow a push as it goes. */
#define SERVICE_BATCH_SIZE    100

struct _MusterPush
{
  GObject            parent_instance;

  MusterTarget      *target;
  GPtrArray         *operations;         /* of MusterOperation */
  guint              target_user_count;
  MusterHistory     *history;
  char              *profile;
  char              *who;
  guint              limit_count;
  guint              limit_percent;
  gboolean           force_limit;
  guint              batch_size;
  MusterPlanMode     mode;
  GPtrArray         *applied;            /* of MusterOperation: @operations in @mode */
  gboolean           started;
  MusterPushSummary *summary;
};

G_DEFINE_FINAL_TYPE (MusterPush, muster_push, G_TYPE_OBJECT)

G_DEFINE_QUARK (muster-push-error-quark, muster_push_error)

enum
{
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What the history worker thread is asked to do. */
typedef enum
{
  JOB_BEGIN,
  JOB_JOURNAL,
  JOB_FINISH,
} JobKind;

typedef struct
{
  JobKind           kind;
  char             *run_id;    /* JOURNAL, FINISH */
  char             *target_uri;          /* BEGIN */
  char             *target_description;  /* BEGIN */
  GPtrArray        *results;   /* JOURNAL: of MusterOperationResult, or NULL */
  GPtrArray        *pending;   /* JOURNAL: of MusterOperation, or NULL */
  GPtrArray        *unsent;    /* JOURNAL: of MusterOperation, or NULL */
  MusterRunState    state;     /* FINISH */
  char             *message;   /* FINISH */
  MusterHistoryRun *run;       /* BEGIN: the run recorded */
} Job;

/* A push overlaps its journal with the target: while the target applies batch N, the history
 * thread writes the results of batch N-1 and batch N+1 as pending, in one transaction. Batch
 * N+1 is only sent once that has committed, so nothing reaches the target unjournaled. */
typedef struct
{
  MusterPush     *self;          /* borrowed from the task */
  GCancellable   *cancellable;
  char           *target_uri;
  char           *target_description;
  guint           batch_size;
  guint           next;          /* index of the next batch's first operation */
  char           *run_id;
  GPtrArray      *queued;        /* of MusterOperation: journaled (or being journaled), not sent */
  GPtrArray      *applying;      /* of MusterOperation: at the target */
  GPtrArray      *unjournaled;   /* of MusterOperationResult: back, not yet journaled */
  gboolean        apply_busy;
  gboolean        job_busy;
  gboolean        finishing;
  gboolean        stopping;      /* send nothing more */
  MusterRunState  final_state;
  char           *final_message;
  GError         *final_error;   /* what run_finish reports once the run is closed */
} RunData;

static void advance (GTask *task);

/* Summary ------------------------------------------------------------------------------------- */

void
muster_push_summary_free (MusterPushSummary *summary)
{
  if (summary == NULL)
    return;

  g_free (summary->run_id);
  g_free (summary->resumes);
  g_clear_pointer (&summary->results, g_ptr_array_unref);
  g_free (summary);
}

static MusterPushSummary *
summary_copy (const MusterPushSummary *summary)
{
  MusterPushSummary *copy = g_new0 (MusterPushSummary, 1);

  copy->run_id = g_strdup (summary->run_id);
  copy->resumes = g_strdup (summary->resumes);
  copy->state = summary->state;
  copy->total = summary->total;
  copy->done = summary->done;
  copy->failed = summary->failed;
  /* The results hold references to operations; share the array rather than copy each result. */
  copy->results = g_ptr_array_ref (summary->results);

  return copy;
}

/* Helpers ------------------------------------------------------------------------------------- */

static void
run_data_free (RunData *data)
{
  g_clear_object (&data->cancellable);
  g_free (data->target_uri);
  g_free (data->target_description);
  g_free (data->run_id);
  g_clear_pointer (&data->queued, g_ptr_array_unref);
  g_clear_pointer (&data->applying, g_ptr_array_unref);
  g_clear_pointer (&data->unjournaled, g_ptr_array_unref);
  g_free (data->final_message);
  g_clear_error (&data->final_error);
  g_free (data);
}

static void
job_free (Job *job)
{
  g_free (job->run_id);
  g_free (job->target_uri);
  g_free (job->target_description);
  g_clear_pointer (&job->results, g_ptr_array_unref);
  g_clear_pointer (&job->pending, g_ptr_array_unref);
  g_clear_pointer (&job->unsent, g_ptr_array_unref);
  g_free (job->message);
  g_clear_pointer (&job->run, muster_history_run_free);
  g_free (job);
}

/* The operations @mode applies. */
static GPtrArray *
choose_operations (GPtrArray      *operations,
                   MusterPlanMode  mode)
{
  GPtrArray *chosen = g_ptr_array_new_full (operations->len, (GDestroyNotify) muster_operation_unref);
  g_autoptr(GHashTable) created = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < operations->len; i++)
    {
      MusterOperation *operation = g_ptr_array_index (operations, i);

      if (operation->kind == MUSTER_OPERATION_CREATE_USER && operation->user != NULL &&
          operation->user->external_id != NULL)
        g_hash_table_add (created, operation->user->external_id);
    }

  for (guint i = 0; i < operations->len; i++)
    {
      MusterOperation *operation = g_ptr_array_index (operations, i);
      gboolean adds;

      /* Creating things, and putting the new users where they belong. */
      adds = operation->kind == MUSTER_OPERATION_CREATE_USER ||
             operation->kind == MUSTER_OPERATION_CREATE_GROUP ||
             (operation->kind == MUSTER_OPERATION_ADD_MEMBER && operation->member_external_id != NULL &&
              g_hash_table_contains (created, operation->member_external_id));

      if (mode == MUSTER_PLAN_MODE_SYNC ||
          (mode == MUSTER_PLAN_MODE_ADD_ONLY && adds) ||
          (mode == MUSTER_PLAN_MODE_UPDATE_ONLY && (!adds || operation->kind == MUSTER_OPERATION_CREATE_GROUP)))
        g_ptr_array_add (chosen, muster_operation_ref (operation));
    }
  return chosen;
}

static guint
count_removals (GPtrArray *operations)
{
  guint removals = 0;

  for (guint i = 0; i < operations->len; i++)
    {
      MusterOperation *operation = g_ptr_array_index (operations, i);

      if (operation->kind == MUSTER_OPERATION_DISABLE_USER || operation->kind == MUSTER_OPERATION_DELETE_USER)
        removals++;
    }
  return removals;
}

/* The same measure the plan's safety limit uses: more than @count removals, or more than
 * @percent % of the target's managed users. */
static gboolean
check_safety_limit (MusterPush  *self,
                    GError     **error)
{
  guint removals = count_removals (self->applied);
  guint total = self->target_user_count;
  guint count = self->limit_count;
  guint percent = self->limit_percent;
  gboolean over_count, over_percent;
  guint share;
  g_autofree char *what = NULL;
  g_autofree char *limit = NULL;

  if (removals == 0)
    return TRUE;

  over_count = count > 0 && removals > count;
  over_percent = percent > 0 && (guint64) removals * 100 > (guint64) percent * total;
  if (!over_count && !over_percent)
    return TRUE;

  share = total > 0 ? (guint) (((guint64) removals * 100 + total / 2) / total) : 100;
  what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "The push would disable or delete %u of %u user (%u %%)",
                                       "The push would disable or delete %u of %u users (%u %%)", total),
                          removals, total, share);
  if (count > 0 && percent > 0)
    limit = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "the limit is %u user or %u %%",
                                          "the limit is %u users or %u %%", count), count, percent);
  else if (count > 0)
    limit = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "the limit is %u user", "the limit is %u users", count),
                             count);
  else
    limit = g_strdup_printf (_("the limit is %u %%"), percent);

  /* Translators: the two halves above, then what to do */
  g_set_error (error, MUSTER_PUSH_ERROR, MUSTER_PUSH_ERROR_SAFETY_LIMIT,
               _("%s; %s. Nothing was changed."), what, limit);
  return FALSE;
}

/* More than 40 % failed of at least 20 attempted: something is wrong with the target or the
 * rules as a whole, and carrying on would only pile up failures. */
static gboolean
too_many_failures (const MusterPushSummary *summary)
{
  guint attempted = summary->done + summary->failed;

  return attempted >= MUSTER_PUSH_STOP_MIN_ATTEMPTS &&
         (guint64) summary->failed * 100 > (guint64) attempted * MUSTER_PUSH_STOP_PERCENT;
}

/* The history worker ------------------------------------------------------------------------- */

static void
history_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  MusterPush *self = source_object;
  Job *job = task_data;
  GError *error = NULL;
  gboolean ok = FALSE;

  switch (job->kind)
    {
    case JOB_BEGIN:
      job->run = muster_history_begin_run (self->history, self->profile, job->target_uri,
                                           job->target_description, self->who, self->applied, &error);
      ok = job->run != NULL;
      break;
    case JOB_JOURNAL:
      ok = muster_history_journal (self->history, job->run_id, job->results, job->pending, job->unsent, &error);
      break;
    case JOB_FINISH:
      ok = muster_history_finish_run (self->history, job->run_id, job->state, job->message, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Runs @job in a worker thread, then @callback (with the push's task as user data) on the
 * caller's context. Not cancellable: the journal must say what happened. */
static void
start_job (GTask               *task,
           Job                 *job,
           GAsyncReadyCallback  callback)
{
  RunData *data = g_task_get_task_data (task);
  g_autoptr(GTask) worker = g_task_new (data->self, NULL, callback, g_object_ref (task));

  g_task_set_source_tag (worker, start_job);
  g_task_set_task_data (worker, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (worker, history_thread);
}

/* Ending -------------------------------------------------------------------------------------- */

/* Sends nothing more; the run ends @state with @message, and the push returns @error (taken). */
static void
stop (RunData        *data,
      MusterRunState  state,
      const char     *message,
      GError         *error)
{
  if (data->stopping)
    {
      /* The first reason stands. */
      g_clear_error (&error);
      return;
    }
  data->stopping = TRUE;
  data->final_state = state;
  data->final_message = g_strdup (message);
  data->final_error = error;
}

static void
finish_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterPush *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Could not record the end of push run %s: %s", data->run_id, error->message);

  self->summary->state = data->final_state;
  g_debug ("Push run %s ended %s%s%s", data->run_id, muster_run_state_to_string (data->final_state),
           data->final_message != NULL ? ": " : "", data->final_message != NULL ? data->final_message : "");

  if (data->final_error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->final_error));
  else if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, summary_copy (self->summary), (GDestroyNotify) muster_push_summary_free);
}

static void
finish (GTask *task)
{
  MusterPush *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  const MusterPushSummary *summary = self->summary;
  Job *job;

  if (!data->stopping)
    {
      data->final_state = summary->failed > 0 ? MUSTER_RUN_STATE_PARTIAL : MUSTER_RUN_STATE_COMPLETED;
      if (summary->failed > 0)
        data->final_message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u of %u operation failed; the next push retries it.",
                                                            "%u of %u operations failed; the next push retries them.",
                                                            summary->total),
                                               summary->failed, summary->total);
    }

  data->finishing = TRUE;
  job = g_new0 (Job, 1);
  job->kind = JOB_FINISH;
  job->run_id = g_strdup (data->run_id);
  job->state = data->final_state;
  job->message = g_strdup (data->final_message);
  start_job (task, job, finish_done_cb);
}

/* Batches ------------------------------------------------------------------------------------- */

static GPtrArray *
take_batch (MusterPush *self,
            RunData    *data)
{
  GPtrArray *batch;
  guint end;

  if (data->next >= self->applied->len)
    return NULL;

  end = MIN (data->next + data->batch_size, self->applied->len);
  batch = g_ptr_array_new_full (end - data->next, (GDestroyNotify) muster_operation_unref);
  for (guint i = data->next; i < end; i++)
    g_ptr_array_add (batch, muster_operation_ref (g_ptr_array_index (self->applied, i)));
  data->next = end;
  return batch;
}

static void
journal_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterPush *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  Job *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  data->job_busy = FALSE;
  if (job->results != NULL)
    g_ptr_array_extend_and_steal (self->summary->results, g_steal_pointer (&job->results));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* Without a journal nothing more may be sent. */
      g_warning ("Could not write the journal of push run %s: %s", data->run_id, error->message);
      stop (data, MUSTER_RUN_STATE_FAILED, error->message, error);
    }

  advance (task);
}

static void
start_journal (GTask     *task,
               GPtrArray *results,
               GPtrArray *pending,
               GPtrArray *unsent)
{
  RunData *data = g_task_get_task_data (task);
  Job *job = g_new0 (Job, 1);

  job->kind = JOB_JOURNAL;
  job->run_id = g_strdup (data->run_id);
  job->results = results;
  job->pending = pending;
  job->unsent = unsent;
  data->job_busy = TRUE;
  start_job (task, job, journal_done_cb);
}

static void
apply_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterPush *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  MusterPushSummary *summary = self->summary;
  g_autoptr(GPtrArray) batch = g_steal_pointer (&data->applying);
  g_autoptr(GPtrArray) results = NULL;
  GPtrArray *kept;
  gboolean cancelled = FALSE;
  GError *error = NULL;

  data->apply_busy = FALSE;
  kept = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_result_free);

  results = muster_target_apply_finish (MUSTER_TARGET (source), result, &error);
  if (results == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* What the target finished of this batch is unknown: the journal keeps it pending and
       * the next push plans it again from what the target holds. */
      cancelled = TRUE;
      g_clear_error (&error);
    }
  else if (results == NULL)
    {
      /* The batch failed as a whole: each of its operations failed with the target's words. */
      g_debug ("Batch of %u operations failed: %s", batch->len, error->message);
      for (guint i = 0; i < batch->len; i++)
        g_ptr_array_add (kept, muster_operation_result_new_failed (g_ptr_array_index (batch, i), error));
    }
  else
    {
      /* A target cancelled in the middle of a batch reports what it did not make as cancelled:
       * those stay pending in the journal, like the rest of an unfinished run. */
      for (guint i = 0; i < results->len; i++)
        {
          MusterOperationResult *operation_result = g_ptr_array_index (results, i);

          if (!operation_result->ok && g_error_matches (operation_result->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            cancelled = TRUE;
          else
            g_ptr_array_add (kept, g_steal_pointer (&results->pdata[i]));
        }
    }

  for (guint i = 0; i < kept->len; i++)
    {
      if (((MusterOperationResult *) g_ptr_array_index (kept, i))->ok)
        summary->done++;
      else
        summary->failed++;
    }
  g_assert (data->unjournaled == NULL);
  data->unjournaled = kept;

  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, summary->done, summary->failed, summary->total);

  if (error != NULL)
    {
      stop (data, MUSTER_RUN_STATE_FAILED, error->message, error);
    }
  else if (cancelled || g_cancellable_is_cancelled (data->cancellable))
    {
      stop (data, MUSTER_RUN_STATE_CANCELLED, _("The push was cancelled."),
            g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The push was cancelled.")));
    }
  else if (too_many_failures (summary))
    {
      guint attempted = summary->done + summary->failed;
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The push stopped itself: %u of %u operations failed (%u %%), more than %u %% of at least %u. "
                                   "Nothing more was sent. Check the target and the failed users’ errors in the history; the next push retries them."),
                                 summary->failed, attempted,
                                 (guint) (((guint64) summary->failed * 100 + attempted / 2) / attempted),
                                 MUSTER_PUSH_STOP_PERCENT, MUSTER_PUSH_STOP_MIN_ATTEMPTS);
      stop (data, MUSTER_RUN_STATE_STOPPED, message,
            g_error_new_literal (MUSTER_PUSH_ERROR, MUSTER_PUSH_ERROR_STOPPED, message));
    }

  advance (task);
}

/* Moves the push on once both the target and the history thread are idle. */
static void
advance (GTask *task)
{
  MusterPush *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);

  if (data->apply_busy || data->job_busy || data->finishing)
    return;

  if (!data->stopping && g_cancellable_is_cancelled (data->cancellable))
    stop (data, MUSTER_RUN_STATE_CANCELLED, _("The push was cancelled."),
          g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The push was cancelled.")));

  if (!data->stopping && data->queued != NULL)
    {
      GPtrArray *next;

      /* The queued batch is journaled: send it, and meanwhile journal what came back and the
       * batch after it. */
      data->applying = g_steal_pointer (&data->queued);
      data->apply_busy = TRUE;
      muster_target_apply_async (self->target, data->run_id, data->applying, data->cancellable,
                                 apply_cb, g_object_ref (task));

      next = take_batch (self, data);
      if (next != NULL)
        data->queued = g_ptr_array_ref (next);
      if (next != NULL || data->unjournaled != NULL)
        start_journal (task, g_steal_pointer (&data->unjournaled), next, NULL);
      return;
    }

  /* Everything sent, or stopping: journal the last results, forget a batch never sent. */
  if (data->unjournaled != NULL || data->queued != NULL)
    {
      start_journal (task, g_steal_pointer (&data->unjournaled), NULL, g_steal_pointer (&data->queued));
      return;
    }

  finish (task);
}

static void
begin_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterPush *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  Job *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  GError *limit_error = NULL;
  GPtrArray *first;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_BUSY))
        {
          GError *busy = g_error_new_literal (MUSTER_PUSH_ERROR, MUSTER_PUSH_ERROR_BUSY, error->message);
          g_error_free (error);
          error = busy;
        }
      g_task_return_error (task, error);
      return;
    }

  data->run_id = g_strdup (job->run->id);
  g_free (self->summary->run_id);
  self->summary->run_id = g_strdup (job->run->id);
  self->summary->resumes = g_strdup (job->run->resumes);

  if (!self->force_limit && !check_safety_limit (self, &limit_error))
    {
      stop (data, MUSTER_RUN_STATE_REFUSED, limit_error->message, limit_error);
      advance (task);
      return;
    }

  /* The first batch is journaled before anything is sent. */
  first = take_batch (self, data);
  if (first != NULL)
    {
      data->queued = g_ptr_array_ref (first);
      start_journal (task, NULL, first, NULL);
    }
  advance (task);
}

/* Type ---------------------------------------------------------------------------------------- */

static void
muster_push_finalize (GObject *object)
{
  MusterPush *self = (MusterPush *) object;

  g_clear_object (&self->target);
  g_clear_pointer (&self->operations, g_ptr_array_unref);
  g_clear_pointer (&self->applied, g_ptr_array_unref);
  g_clear_object (&self->history);
  g_free (self->profile);
  g_free (self->who);
  g_clear_pointer (&self->summary, muster_push_summary_free);

  G_OBJECT_CLASS (muster_push_parent_class)->finalize (object);
}

static void
muster_push_class_init (MusterPushClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_push_finalize;

  /**
   * MusterPush::progress:
   * @done: operations applied so far
   * @failed: operations that failed so far
   * @total: operations to apply
   *
   * Emitted on the caller's main context after each batch.
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT);
}

static void
muster_push_init (MusterPush *self)
{
  self->limit_count = DEFAULT_LIMIT_COUNT;
  self->limit_percent = DEFAULT_LIMIT_PERCENT;
  self->summary = g_new0 (MusterPushSummary, 1);
  self->summary->state = MUSTER_RUN_STATE_RUNNING;
  self->summary->results = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_result_free);
}

/* Public API ---------------------------------------------------------------------------------- */

MusterPush *
muster_push_new_for_operations (MusterTarget   *target,
                                GPtrArray      *operations,
                                guint           target_user_count,
                                MusterHistory  *history,
                                const char     *profile,
                                const char     *who)
{
  MusterPush *self;

  g_return_val_if_fail (MUSTER_IS_TARGET (target), NULL);
  g_return_val_if_fail (operations != NULL, NULL);
  g_return_val_if_fail (MUSTER_IS_HISTORY (history), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  self = g_object_new (MUSTER_TYPE_PUSH, NULL);
  self->target = g_object_ref (target);
  self->operations = g_ptr_array_new_full (operations->len, (GDestroyNotify) muster_operation_unref);
  for (guint i = 0; i < operations->len; i++)
    g_ptr_array_add (self->operations, muster_operation_ref (g_ptr_array_index (operations, i)));
  self->target_user_count = target_user_count;
  self->history = g_object_ref (history);
  self->profile = g_strdup (profile);
  self->who = g_strdup (who != NULL ? who : g_get_user_name ());
  self->mode = MUSTER_PLAN_MODE_SYNC;
  self->applied = g_ptr_array_ref (self->operations);
  self->summary->total = self->applied->len;

  return self;
}

MusterPush *
muster_push_new (MusterTarget   *target,
                 MusterPlan     *plan,
                 MusterHistory  *history,
                 const char     *profile,
                 const char     *who)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (plan), NULL);

  /* The plan's own safety check counts every removal it planned; the push counts those it will
   * apply, on the same number of target users, so a mode that leaves out disables is not
   * refused for them. */
  return muster_push_new_for_operations (target, muster_plan_get_operations (plan),
                                         muster_plan_get_target_user_count (plan),
                                         history, profile, who);
}

void
muster_push_set_mode (MusterPush     *self,
                      MusterPlanMode  mode)
{
  g_return_if_fail (MUSTER_IS_PUSH (self));
  g_return_if_fail (!self->started);

  self->mode = mode;
  g_clear_pointer (&self->applied, g_ptr_array_unref);
  self->applied = mode == MUSTER_PLAN_MODE_SYNC ? g_ptr_array_ref (self->operations)
                                                 : choose_operations (self->operations, mode);
  self->summary->total = self->applied->len;
}

void
muster_push_set_safety_limit (MusterPush *self,
                              guint       count,
                              guint       percent)
{
  g_return_if_fail (MUSTER_IS_PUSH (self));
  g_return_if_fail (percent <= 100);

  self->limit_count = count;
  self->limit_percent = percent;
}

void
muster_push_set_force_limit (MusterPush *self,
                             gboolean    force)
{
  g_return_if_fail (MUSTER_IS_PUSH (self));
  self->force_limit = !!force;
}

void
muster_push_set_batch_size (MusterPush *self,
                            guint       batch_size)
{
  g_return_if_fail (MUSTER_IS_PUSH (self));
  self->batch_size = batch_size;
}

MusterTarget *
muster_push_get_target (MusterPush *self)
{
  g_return_val_if_fail (MUSTER_IS_PUSH (self), NULL);
  return self->target;
}

GPtrArray *
muster_push_get_operations (MusterPush *self)
{
  g_return_val_if_fail (MUSTER_IS_PUSH (self), NULL);
  return self->applied;
}

void
muster_push_run_async (MusterPush          *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RunData *data;
  Job *job;

  g_return_if_fail (MUSTER_IS_PUSH (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_push_run_async);
  /* Cancellation ends the run through the journal, never by dropping the task. */
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (RunData, 1);
  data->self = self;
  data->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  data->target_uri = muster_target_get_uri (self->target);
  data->target_description = muster_target_describe (self->target);
  data->batch_size = self->batch_size;
  if (data->batch_size == 0)
    data->batch_size = g_str_has_prefix (data->target_uri, "sqlite:") ? SQLITE_BATCH_SIZE : SERVICE_BATCH_SIZE;
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);

  job = g_new0 (Job, 1);
  job->kind = JOB_BEGIN;
  job->target_uri = g_strdup (data->target_uri);
  job->target_description = g_strdup (data->target_description);
  start_job (task, job, begin_done_cb);
}

MusterPushSummary *
muster_push_run_finish (MusterPush    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (MUSTER_IS_PUSH (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const MusterPushSummary *
muster_push_get_summary (MusterPush *self)
{
  g_return_val_if_fail (MUSTER_IS_PUSH (self), NULL);
  return self->summary;
}
