/* muster-history.h: history.db — every push, who ran it, and what became of each operation
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A push records a run (muster_history_begin_run), journals each batch of operations as
 * `pending` before the target sees it and `done`/`failed` after (muster_history_journal_*),
 * and closes the run with its outcome (muster_history_finish_run). A run holds a lock on its
 * (profile, target) pair from begin to finish, so two pushes into one target never overlap; a
 * run still `running` when the next push takes the lock belonged to a process that died, and
 * becomes `interrupted`, the new run recording that it resumes it. Reading the history does the
 * same for any run whose push no longer holds its lock, without ever taking a lock itself.
 *
 * The blocking calls wait on SQLite: call them from worker threads, or use the _async variants.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "muster-export.h"
#include "muster-target.h"

G_BEGIN_DECLS

#define MUSTER_HISTORY_ERROR (muster_history_error_quark ())

typedef enum
{
  MUSTER_HISTORY_ERROR_OPEN,       /* the file or its folder cannot be opened for writing */
  MUSTER_HISTORY_ERROR_CORRUPT,    /* damaged, not a database: move it away */
  MUSTER_HISTORY_ERROR_FOREIGN,    /* another program's database: left untouched */
  MUSTER_HISTORY_ERROR_VERSION,    /* written by a newer Muster */
  MUSTER_HISTORY_ERROR_FULL,       /* the disk is full */
  MUSTER_HISTORY_ERROR_BUSY,       /* another push into the same target is running */
  MUSTER_HISTORY_ERROR_NOT_FOUND,  /* no such run, or an ambiguous prefix */
  MUSTER_HISTORY_ERROR_FAILED,
} MusterHistoryError;

GQuark muster_history_error_quark (void);

typedef enum
{
  MUSTER_RUN_STATE_RUNNING,
  MUSTER_RUN_STATE_COMPLETED,    /* every operation done */
  MUSTER_RUN_STATE_PARTIAL,      /* finished, some operations failed */
  MUSTER_RUN_STATE_FAILED,       /* the target failed as a whole (unreachable, refused the token…) */
  MUSTER_RUN_STATE_CANCELLED,
  MUSTER_RUN_STATE_STOPPED,      /* stopped itself: too many operations failed */
  MUSTER_RUN_STATE_REFUSED,      /* over the safety limit: nothing applied */
  MUSTER_RUN_STATE_INTERRUPTED,  /* its process died while it ran */
} MusterRunState;

/* "running", "completed", "partial", "failed", "cancelled", "stopped", "refused", "interrupted" */
const char *muster_run_state_to_string   (MusterRunState  state);
gboolean    muster_run_state_from_string (const char     *name,
                                          MusterRunState *state);
/* Translated, for people: "Completed", "Partly failed", … */
const char *muster_run_state_get_title   (MusterRunState  state);

typedef enum
{
  MUSTER_RESULT_STATUS_PENDING,  /* journaled, not (known to be) applied */
  MUSTER_RESULT_STATUS_DONE,
  MUSTER_RESULT_STATUS_FAILED,
} MusterResultStatus;

const char *muster_result_status_to_string (MusterResultStatus status);  /* "pending", "done", "failed" */

/* What became of one operation of a run. */
typedef struct
{
  char               *key;                  /* MusterOperation's key */
  char               *kind;                 /* muster_operation_kind_to_string() */
  char               *action;               /* "create", "update", "disable", "delete" for users;
                                             * the kind for group operations */
  char               *user_id;              /* the Entra id of the user (the member for group ops) */
  char               *user_principal_name;
  char               *display_name;
  char               *group_name;           /* group operations */
  MusterResultStatus  status;
  char               *error;                /* failed: the target's words */
  char               *target_id;            /* done: the id the target gave or used */
  char               *retried_by;           /* failed or pending: the later run that did it */
  gint64              updated_at;           /* unix time of the last change */
} MusterHistoryResult;

void muster_history_result_free (MusterHistoryResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterHistoryResult, muster_history_result_free)

/* Operations planned per kind. */
typedef struct
{
  guint create;
  guint update;
  guint disable;
  guint delete;
  guint groups_create;
  guint members_add;
  guint members_remove;
} MusterHistoryCounts;

/* One run. Results are only filled by muster_history_get_run(). */
typedef struct
{
  char                *id;                   /* a UUID */
  char                *profile;
  char                *target_uri;           /* muster_target_get_uri() */
  char                *target_description;   /* muster_target_describe() */
  char                *who;
  gint64               started_at;           /* unix time */
  gint64               finished_at;          /* 0 while running */
  MusterRunState       state;
  MusterHistoryCounts  counts;
  guint                total;                /* operations planned */
  guint                done;
  guint                failed;
  char                *resumes;              /* the interrupted run this one picked up, or NULL */
  char                *message;              /* why it ended as it did, translated, or NULL */
  GPtrArray           *results;              /* of MusterHistoryResult, in journal order; or NULL */
} MusterHistoryRun;

GType             muster_history_run_get_type (void) G_GNUC_CONST;
MusterHistoryRun *muster_history_run_copy     (const MusterHistoryRun *run);
void              muster_history_run_free     (MusterHistoryRun       *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterHistoryRun, muster_history_run_free)

#define MUSTER_TYPE_HISTORY (muster_history_get_type ())
G_DECLARE_FINAL_TYPE (MusterHistory, muster_history, MUSTER, HISTORY, GObject)

/* Opens @path, or history.db in the data folder (muster_get_data_dir()) when NULL: created with
 * mode 0600, or checked and migrated. A file that is not Muster's history is refused
 * (MUSTER_HISTORY_ERROR_FOREIGN, _CORRUPT or _VERSION) and left exactly as it was. Locks live
 * in a `locks` folder beside the file. */
MusterHistory    *muster_history_open         (const char           *path,
                                               GError              **error);
void              muster_history_open_async   (const char           *path,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
MusterHistory    *muster_history_open_finish  (GAsyncResult         *result,
                                               GError              **error);
const char       *muster_history_get_path     (MusterHistory        *self);

/* Recording a run (blocking) ----------------------------------------------------------------- */

/* Takes the lock of (@profile, @target_uri) — MUSTER_HISTORY_ERROR_BUSY at once when another
 * push holds it —, turns runs of that pair left `running` into `interrupted`, and records a new
 * `running` run of @operations (counted per kind). Returns the run (its ->resumes names the
 * interrupted run it follows). The lock is held until muster_history_finish_run() or until the
 * process ends. */
MusterHistoryRun *muster_history_begin_run    (MusterHistory        *self,
                                               const char           *profile,
                                               const char           *target_uri,
                                               const char           *target_description,
                                               const char           *who,
                                               GPtrArray            *operations,
                                               GError              **error);
/* Writes @operations (of MusterOperation) as `pending` results of @run_id, in one transaction. */
gboolean          muster_history_journal_pending (MusterHistory     *self,
                                                  const char        *run_id,
                                                  GPtrArray         *operations,
                                                  GError           **error);
/* Writes @results (of MusterOperationResult) as `done` or `failed`, in one transaction, adds
 * them to the run's counts, and marks failed or unfinished results of the same keys in earlier
 * runs into the same target as retried by @run_id. */
gboolean          muster_history_journal_results (MusterHistory     *self,
                                                  const char        *run_id,
                                                  GPtrArray         *results,
                                                  GError           **error);
/* One transaction of the journal, for a push that overlaps writing it with applying: @results
 * (of MusterOperationResult) of the batch that came back, as muster_history_journal_results();
 * @pending (of MusterOperation), the next batch, as muster_history_journal_pending(); @unsent
 * (of MusterOperation), a batch journaled pending but never sent (the push stopped first), whose
 * pending rows are removed. Each may be NULL. */
gboolean          muster_history_journal      (MusterHistory        *self,
                                               const char           *run_id,
                                               GPtrArray            *results,
                                               GPtrArray            *pending,
                                               GPtrArray            *unsent,
                                               GError              **error);
/* Ends @run_id with @state and @message (nullable) and releases its lock. */
gboolean          muster_history_finish_run   (MusterHistory        *self,
                                               const char           *run_id,
                                               MusterRunState        state,
                                               const char           *message,
                                               GError              **error);

/* Reading (blocking) ------------------------------------------------------------------------- */

/* Runs, newest first, of @profile (NULL: every profile); @limit 0 for all. A run left `running`
 * by a process that died is marked and reported `interrupted`. */
GPtrArray        *muster_history_list_runs    (MusterHistory        *self,
                                               const char           *profile,
                                               guint                 limit,
                                               GError              **error);
/* One run with its results. @run_id may be a unique prefix of at least 4 characters. */
MusterHistoryRun *muster_history_get_run      (MusterHistory        *self,
                                               const char           *run_id,
                                               GError              **error);

void              muster_history_list_runs_async  (MusterHistory       *self,
                                                   const char          *profile,
                                                   guint                limit,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GPtrArray        *muster_history_list_runs_finish (MusterHistory       *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void              muster_history_get_run_async    (MusterHistory       *self,
                                                   const char          *run_id,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
MusterHistoryRun *muster_history_get_run_finish   (MusterHistory       *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Exports ------------------------------------------------------------------------------------ */

/* {"id", "profile", "target", "targetDescription", "who", "startedAt", "finishedAt" (ISO 8601,
 * UTC; null while running), "state", "counts": {"create", …}, "total", "done", "failed",
 * "resumes", "message", "results": [{"key", "kind", "action", "userId", "userPrincipalName",
 * "displayName", "groupName", "status", "error", "targetId", "retriedBy"}] (when loaded)} */
JsonNode         *muster_history_run_to_json  (const MusterHistoryRun *run);

/* Writes @runs (of MusterHistoryRun) to @stream. JSON: {"runs": [...]}, with each run's results
 * when loaded. CSV (RFC 4180, cells that would start a formula neutralised as in the user
 * exports): one row per run. XLSX cannot go to a stream: MUSTER_EXPORT_ERROR_UNSUPPORTED. */
gboolean          muster_history_write_runs   (GPtrArray            *runs,
                                               MusterExportFormat    format,
                                               GOutputStream        *stream,
                                               GCancellable         *cancellable,
                                               GError              **error);
/* Writes one run's results. JSON: the run as muster_history_run_to_json(); CSV: one row per
 * result, the run's id first. */
gboolean          muster_history_write_results (const MusterHistoryRun *run,
                                                MusterExportFormat      format,
                                                GOutputStream          *stream,
                                                GCancellable           *cancellable,
                                                GError                **error);

G_END_DECLS
