/* muster-directory-fetch.c: the directory from Microsoft Graph into a snapshot, fast
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How a full fetch runs (learn.microsoft.com/graph/api/user-list, learn.microsoft.com/graph/paging,
 * learn.microsoft.com/graph/json-batching, learn.microsoft.com/graph/throttling):
 *  - users: /users?$select=…&$top=999&$expand=manager($select=id), following @odata.nextLink one
 *    page at a time (the link is opaque). Pages are parsed in worker threads; the next request
 *    leaves as soon as the link is found at the top of the page (Graph writes it before "value",
 *    but that is only used when it is so: otherwise the page is parsed first);
 *  - groups the same way, and for every group its direct members through $batch, 20 calls per
 *    batch and a few batches in flight, fewer when Graph throttles or says its budget is nearly
 *    spent; per-call 429s inside a batch are retried after their Retry-After;
 *  - licences from /subscribedSkus, and delta links taken with $deltatoken=latest at the start,
 *    so the next refresh is incremental and replays (harmlessly) what changed during this one.
 * One writer thread of its own owns the snapshot transaction and applies what the page readers
 * (muster-directory-page.c) produce; it commits only when everything was read. An incremental
 * refresh reads users/delta and groups/delta from the links of the latest snapshot into a copy
 * of it; a 410 starts over with a full fetch.
 */

#define G_LOG_DOMAIN "muster-directory-fetch"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-directory-fetch-private.h"
#include "muster-directory-page-private.h"
#include "muster-enums.h"
#include "muster-http.h"
#include "muster-json.h"
#include "muster-profile.h"
#include "muster-tenant-status.h"
#include "muster-user-private.h"

/* Exactly the members muster_user_new_from_json() and muster_group_new_from_json() read. */
#define USER_SELECT "id,displayName,givenName,surname,userPrincipalName,mail,jobTitle,department," \
                    "companyName,employeeId,officeLocation,mobilePhone,businessPhones,otherMails," \
                    "proxyAddresses,userType,accountEnabled,onPremisesSyncEnabled,createdDateTime," \
                    "assignedLicenses"
#define GROUP_SELECT "id,displayName,description,mail,groupTypes,mailEnabled,securityEnabled,membershipRule"

#define MAX_BATCHES     4   /* batches in flight at most */

struct _MusterDirectoryFetch
{
  GObject          parent_instance;

  MusterFetchPhase phase;
  guint            objects;
  guint            pages;
  double           fraction;
  gboolean         running;
  gboolean         users_only;
};

G_DEFINE_FINAL_TYPE (MusterDirectoryFetch, muster_directory_fetch, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PHASE,
  PROP_OBJECTS,
  PROP_PAGES,
  PROP_FRACTION,
  N_PROPS
};

enum {
  PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  GBytes    *bytes;
  MusterFetchChain  kind;
  GPtrArray *requests;  /* MusterMemberRequest, for a batch: item id = index + 1 */
  char      *base;
  gboolean   not_json;  /* it could not be read because it is no JSON at all, or cut short */
} ParseJob;

static void
parse_job_free (ParseJob *job)
{
  g_bytes_unref (job->bytes);
  g_clear_pointer (&job->requests, g_ptr_array_unref);
  g_free (job->base);
  g_free (job);
}


static void
parse_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ParseJob *job = task_data;
  GError *error = NULL;
  MusterFetchChanges *changes;

  /* a batch of member lists as it nearly always comes: the bulk reader; anything else json-glib */
  if (job->requests != NULL
      && (changes = _muster_directory_page_read_members_batch_fast (job->bytes, job->requests, job->base)) != NULL)
    ;
  else if (job->requests != NULL)
    changes = _muster_directory_page_read_members_batch (job->bytes, job->requests, job->base, &error);
  else
    changes = _muster_directory_page_read (job->bytes, job->kind, &error);
  if (changes == NULL)
    {
      /* only on failure, so the bulk path parses once: was it JSON of the wrong shape (an
       * error) or no JSON at all, a proxy's page or a body cut short (asked again)? */
      g_autoptr(JsonNode) root = muster_http_parse_json (job->bytes, "Microsoft Graph", NULL);

      job->not_json = root == NULL;
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, changes, (GDestroyNotify) _muster_fetch_changes_free);
}

/* ---- the writer thread -------------------------------------------------------------------- */

typedef struct _FetchRun FetchRun;

typedef struct
{
  MusterSnapshotStore *store;
  char                *profile;
  char                *tenant_id;
  gint64               base_id;   /* 0: a new, empty snapshot */
  GAsyncQueue         *queue;     /* of MusterFetchChanges */
  GMainContext        *context;
  FetchRun            *run;       /* touched only on @context */
} WriterJob;

static FetchRun *fetch_run_ref (FetchRun *run);
static void      fetch_run_unref (FetchRun *run);
static void      run_fail (FetchRun *run, GError *error);

static void
writer_job_free (WriterJob *job)
{
  g_object_unref (job->store);
  g_free (job->profile);
  g_free (job->tenant_id);
  g_async_queue_unref (job->queue);
  g_main_context_unref (job->context);
  fetch_run_unref (job->run);
  g_free (job);
}

static gboolean
apply_changes (MusterSnapshotWriter  *writer,
               MusterFetchChanges               *changes,
               GError               **error)
{
  for (guint i = 0; i < changes->removed->len; i++)
    if (!muster_snapshot_writer_remove_object (writer, changes->removed->pdata[i], error))
      return FALSE;
  for (guint i = 0; i < changes->users->len; i++)
    if (!muster_snapshot_writer_put_user (writer, changes->users->pdata[i], error))
      return FALSE;
  for (guint i = 0; i < changes->groups->len; i++)
    if (!muster_snapshot_writer_put_group (writer, changes->groups->pdata[i], error))
      return FALSE;
  for (guint i = 0; i + 1 < changes->managers->len; i += 2)
    if (!muster_snapshot_writer_set_manager (writer, changes->managers->pdata[i], changes->managers->pdata[i + 1],
                                             error))
      return FALSE;
  for (guint i = 0; i + 1 < changes->member_removes->len; i += 2)
    if (!muster_snapshot_writer_remove_member (writer, changes->member_removes->pdata[i],
                                               changes->member_removes->pdata[i + 1], error))
      return FALSE;
  /* a page's members come one group after another: each run of one group's pairs at once */
  for (guint i = 0, run; i + 1 < changes->member_adds->len; i += 2 * run)
    {
      const char *group_id = changes->member_adds->pdata[i];

      for (run = 1; i + 2 * run + 1 < changes->member_adds->len
                    && strcmp (changes->member_adds->pdata[i + 2 * run], group_id) == 0; run++)
        ;
      if (!muster_snapshot_writer_add_members (writer, group_id,
                                               (const char * const *) &changes->member_adds->pdata[i + 1], run, 2,
                                               error))
        return FALSE;
    }
  for (guint i = 0; i < changes->skus->len; i++)
    if (!muster_snapshot_writer_put_sku (writer, changes->skus->pdata[i], error))
      return FALSE;
  if (changes->users_delta_link != NULL
      && !muster_snapshot_writer_set_delta_link (writer, "users", changes->users_delta_link, error))
    return FALSE;
  if (changes->groups_delta_link != NULL
      && !muster_snapshot_writer_set_delta_link (writer, "groups", changes->groups_delta_link, error))
    return FALSE;
  return TRUE;
}

typedef struct
{
  FetchRun *run;
  GError   *error;
} WriterFailure;

static gboolean
writer_failed_cb (gpointer user_data)
{
  WriterFailure *failure = user_data;

  run_fail (failure->run, g_steal_pointer (&failure->error));
  return G_SOURCE_REMOVE;
}

static void
writer_failure_free (gpointer user_data)
{
  WriterFailure *failure = user_data;

  fetch_run_unref (failure->run);
  g_clear_error (&failure->error);
  g_free (failure);
}

static void
notify_writer_failure (WriterJob    *job,
                       const GError *error)
{
  WriterFailure *failure = g_new0 (WriterFailure, 1);

  /* tell the main side at once, so it stops reading a directory it cannot keep */
  failure->run = fetch_run_ref (job->run);
  failure->error = g_error_copy (error);
  g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, writer_failed_cb, failure, writer_failure_free);
}

static void
write_snapshot (GTask     *task,
                WriterJob *job)
{
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(GError) error = NULL;

  if (job->base_id > 0)
    writer = muster_snapshot_store_begin_from (job->store, job->base_id, &error);
  else
    writer = muster_snapshot_store_begin (job->store, job->profile, job->tenant_id, &error);
  if (writer == NULL)
    notify_writer_failure (job, error);

  for (;;)
    {
      g_autoptr(MusterFetchChanges) changes = g_async_queue_pop (job->queue);
      MusterSnapshotInfo *info;
      gint64 id;

      if (changes->kind == MUSTER_FETCH_ITEM_ABORT)
        {
          /* dropping the writer rolls the transaction back */
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("The refresh was stopped."));
          return;
        }
      if (error == NULL && !apply_changes (writer, changes, &error))
        notify_writer_failure (job, error);
      if (changes->kind != MUSTER_FETCH_ITEM_COMMIT)
        continue;

      if (error != NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      id = muster_snapshot_writer_commit (writer, &error);
      if (id <= 0)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      info = muster_snapshot_store_get_latest (job->store, job->profile, NULL);
      if (info == NULL || info->id != id)
        {
          g_clear_pointer (&info, muster_snapshot_info_free);
          info = g_new0 (MusterSnapshotInfo, 1);
          info->id = id;
          info->profile = g_strdup (job->profile);
        }
      g_task_return_pointer (task, info, (GDestroyNotify) muster_snapshot_info_free);
      return;
    }
}

/* The writer's own thread: it spends the run waiting on the queue, so it must not be one of
 * the GTask pool's threads, which the parse tasks feeding that queue need. */
static gpointer
writer_thread (gpointer data)
{
  g_autoptr(GTask) task = data;

  write_snapshot (task, g_task_get_task_data (task));
  return NULL;
}

/* ---- one run ------------------------------------------------------------------------------ */

typedef struct
{
  gboolean ended;    /* the last page was parsed */
  guint    parsing;  /* pages handed to parsers, not back yet */
  guint    objects;
  char    *delta_link;
} Chain;

struct _FetchRun
{
  gatomicrefcount       ref;
  GTask                *task;         /* the caller's, until the run ends */
  MusterDirectoryFetch *self;
  MusterGraphClient    *graph;
  MusterSnapshotStore  *store;
  char                 *profile;
  char                 *tenant_id;
  GMainContext         *context;
  GCancellable         *cancellable;  /* ours: cancelled on the first error */
  gboolean              incremental;
  gboolean              users_only;
  gint64                base_id;
  char                 *base_links[2]; /* users, groups delta links of the base */

  GError               *error;
  gboolean              resync;       /* Graph said 410: start over with a full fetch */
  guint                 pending;      /* requests, parses and timers under way */
  gboolean              finishing;
  GAsyncQueue          *queue;        /* to the writer */

  Chain                 chains[MUSTER_FETCH_N_CHAINS];
  GPtrArray            *held;         /* groups delta changes, applied after the users delta */
  gboolean              skus_done;
  char                 *latest_links[2];

  GQueue                members;      /* MusterMemberRequest to send */
  guint                 batches;      /* in flight */
  guint                 max_batches;
  gboolean              paused;

  guint                 users_total;
  guint                 groups_total;
  guint                 groups_completed;
  guint                 memberships;
  guint                 managers;
  guint                 pages;
  guint                 requests;
  guint                 graph_calls;
  gint64                started;
  gulong                outer_handler;
};

static void start_run (FetchRun *run);

static FetchRun *
fetch_run_ref (FetchRun *run)
{
  g_atomic_ref_count_inc (&run->ref);
  return run;
}

static void
fetch_run_unref (FetchRun *run)
{
  if (!g_atomic_ref_count_dec (&run->ref))
    return;
  g_clear_object (&run->task);
  g_clear_object (&run->self);
  g_clear_object (&run->graph);
  g_clear_object (&run->store);
  g_free (run->profile);
  g_free (run->tenant_id);
  g_main_context_unref (run->context);
  g_clear_object (&run->cancellable);
  g_free (run->base_links[0]);
  g_free (run->base_links[1]);
  g_clear_error (&run->error);
  g_clear_pointer (&run->queue, g_async_queue_unref);
  for (guint i = 0; i < MUSTER_FETCH_N_CHAINS; i++)
    g_free (run->chains[i].delta_link);
  g_clear_pointer (&run->held, g_ptr_array_unref);
  g_free (run->latest_links[0]);
  g_free (run->latest_links[1]);
  g_queue_clear_full (&run->members, (GDestroyNotify) _muster_member_request_free);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FetchRun, fetch_run_unref)

static FetchRun *
fetch_run_new (GTask                *task,
               MusterDirectoryFetch *self,
               MusterGraphClient    *graph,
               MusterSnapshotStore  *store,
               const char           *profile,
               const char           *tenant_id)
{
  FetchRun *run = g_new0 (FetchRun, 1);

  g_atomic_ref_count_init (&run->ref);
  run->task = g_object_ref (task);
  run->self = g_object_ref (self);
  run->graph = g_object_ref (graph);
  run->store = g_object_ref (store);
  run->profile = g_strdup (profile);
  run->tenant_id = g_strdup (tenant_id);
  run->context = g_main_context_ref_thread_default ();
  run->cancellable = g_cancellable_new ();
  run->max_batches = MAX_BATCHES;
  run->held = g_ptr_array_new_with_free_func ((GDestroyNotify) _muster_fetch_changes_free);
  g_queue_init (&run->members);
  run->started = g_get_monotonic_time ();
  return run;
}

static gboolean
run_stopped (FetchRun *run)
{
  return run->error != NULL || run->resync || g_cancellable_is_cancelled (run->cancellable);
}

/* Keeps the first error and stops everything else. */
static void
run_fail (FetchRun *run,
          GError   *error)
{
  if (run->error == NULL && !run->resync)
    run->error = error;
  else
    g_error_free (error);
  g_cancellable_cancel (run->cancellable);
}

static void
run_hold (FetchRun *run)
{
  run->pending++;
}

/* One HTTP request carrying @graph_calls Graph calls: counted, and the run held until it ends. */
static void
run_hold_request (FetchRun *run,
                  guint     graph_calls)
{
  run_hold (run);
  run->requests++;
  run->graph_calls += graph_calls;
}

static void run_release (FetchRun *run);

static void
emit_progress (FetchRun *run)
{
  MusterDirectoryFetch *self = run->self;
  MusterFetchPhase phase;
  guint objects;
  double fraction;

  if (run->incremental)
    {
      gboolean users_done = run->chains[MUSTER_FETCH_CHAIN_USERS_DELTA].ended;
      gboolean groups_done = run->chains[MUSTER_FETCH_CHAIN_GROUPS_DELTA].ended;

      phase = !users_done ? MUSTER_FETCH_PHASE_USERS
            : !groups_done ? MUSTER_FETCH_PHASE_GROUPS : MUSTER_FETCH_PHASE_SAVING;
      objects = phase == MUSTER_FETCH_PHASE_USERS ? run->chains[MUSTER_FETCH_CHAIN_USERS_DELTA].objects
              : phase == MUSTER_FETCH_PHASE_GROUPS ? run->chains[MUSTER_FETCH_CHAIN_GROUPS_DELTA].objects : 0;
      fraction = 0.45 * users_done + 0.45 * groups_done;
    }
  else
    {
      gboolean users_done = run->chains[MUSTER_FETCH_CHAIN_USERS].ended;
      gboolean groups_done = run->chains[MUSTER_FETCH_CHAIN_GROUPS].ended;
      gboolean members_done = groups_done && run->batches == 0 && g_queue_is_empty (&run->members);
      double users_part = users_done ? 1.0
                        : run->users_total > 0
                          ? MIN (1.0, run->chains[MUSTER_FETCH_CHAIN_USERS].objects / (double) run->users_total)
                        : 0.0;
      double members_part = members_done ? 1.0
                          : run->groups_total > 0 ? MIN (1.0, run->groups_completed / (double) run->groups_total)
                          : 0.0;

      if (!users_done)
        phase = MUSTER_FETCH_PHASE_USERS, objects = run->chains[MUSTER_FETCH_CHAIN_USERS].objects;
      else if (!groups_done)
        phase = MUSTER_FETCH_PHASE_GROUPS, objects = run->chains[MUSTER_FETCH_CHAIN_GROUPS].objects;
      else if (!members_done)
        phase = MUSTER_FETCH_PHASE_MEMBERSHIPS, objects = run->memberships;
      else if (!run->skus_done)
        phase = MUSTER_FETCH_PHASE_LICENCES, objects = 0;
      else
        phase = MUSTER_FETCH_PHASE_SAVING, objects = run->chains[MUSTER_FETCH_CHAIN_USERS].objects;
      fraction = 0.5 * users_part + 0.05 * groups_done + 0.35 * members_part + 0.05 * run->skus_done;
    }

  /* estimates improve as counts arrive; the bar must still never go back */
  fraction = CLAMP (fraction, self->fraction, 1.0);
  g_object_freeze_notify (G_OBJECT (self));
  if (self->phase != phase)
    {
      self->phase = phase;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
    }
  if (self->objects != objects)
    {
      self->objects = objects;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OBJECTS]);
    }
  if (self->pages != run->pages)
    {
      self->pages = run->pages;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGES]);
    }
  if (self->fraction != fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[PROGRESS], 0, (int) phase, objects, run->pages, fraction);
}

static void
queue_changes (FetchRun *run,
               MusterFetchChanges  *changes)
{
  g_async_queue_push (run->queue, changes);
}

/* ---- collections: users, groups and their delta ------------------------------------------- */

static void fetch_page (FetchRun *run, MusterFetchChain kind, const char *path);

typedef struct
{
  FetchRun  *run;
  MusterFetchChain  kind;
  char      *path;
  char      *early_link;  /* the nextLink already followed, or NULL */
  guint      failures;    /* answers so far that were not JSON */
} PageData;

static void
page_data_free (PageData *data)
{
  fetch_run_unref (data->run);
  g_free (data->path);
  g_free (data->early_link);
  g_free (data);
}

static void send_page (FetchRun *run, PageData *data);

static gboolean
page_retry_cb (gpointer user_data)
{
  PageData *data = user_data;
  FetchRun *run = data->run;

  if (run_stopped (run))
    page_data_free (data);
  else
    send_page (run, data);
  run_release (run);
  return G_SOURCE_REMOVE;
}

/* Asks for the page of @failed again after a back-off: the same path, the link it may already
 * have followed, one failure more. */
static void
retry_page (FetchRun *run,
            PageData *failed)
{
  PageData *data = g_new0 (PageData, 1);
  GSource *source;

  data->run = fetch_run_ref (run);
  data->kind = failed->kind;
  data->path = g_strdup (failed->path);
  data->early_link = g_strdup (failed->early_link);
  data->failures = failed->failures + 1;
  source = g_timeout_source_new (muster_graph_client_retry_delay (run->graph, data->failures));
  run_hold (run);
  g_source_set_callback (source, page_retry_cb, data, NULL);
  g_source_attach (source, run->context);
  g_source_unref (source);
}

static void
flush_held (FetchRun *run)
{
  for (guint i = 0; i < run->held->len; i++)
    queue_changes (run, g_steal_pointer (&run->held->pdata[i]));
  g_ptr_array_set_size (run->held, 0);
}

static void
chain_check_end (FetchRun  *run,
                 MusterFetchChain  kind)
{
  if (kind == MUSTER_FETCH_CHAIN_USERS_DELTA && run->chains[kind].ended && run->chains[kind].parsing == 0)
    flush_held (run);
}

static void
pump_members (FetchRun *run);

static void
page_parsed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  PageData *data = user_data;
  FetchRun *run = data->run;
  Chain *chain = &run->chains[data->kind];
  GError *error = NULL;
  MusterFetchChanges *changes;

  chain->parsing--;
  changes = g_task_propagate_pointer (G_TASK (result), &error);
  if (changes == NULL)
    {
      ParseJob *job = g_task_get_task_data (G_TASK (result));

      if (job->not_json && !run_stopped (run) && data->failures + 1 < MUSTER_GRAPH_MAX_ATTEMPTS)
        {
          /* learn.microsoft.com/graph/best-practices-concept: a GET may be sent again */
          g_debug ("page %s unreadable (%s); asking again", data->path, error->message);
          g_error_free (error);
          retry_page (run, data);
        }
      else
        run_fail (run, error);
      goto out;
    }
  if (run_stopped (run))
    {
      _muster_fetch_changes_free (changes);
      goto out;
    }

  if (data->early_link != NULL && g_strcmp0 (data->early_link, changes->next_link) != 0)
    {
      _muster_fetch_changes_free (changes);
      run_fail (run, g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE, "%s",
                                  _("Microsoft Graph sent a page with two different links to the next one.")));
      goto out;
    }
  if (data->early_link == NULL && changes->next_link != NULL)
    fetch_page (run, data->kind, changes->next_link);
  if (changes->next_link == NULL)
    {
      chain->ended = TRUE;
      chain->delta_link = g_strdup (changes->delta_link);
      if ((data->kind == MUSTER_FETCH_CHAIN_USERS_DELTA || data->kind == MUSTER_FETCH_CHAIN_GROUPS_DELTA)
          && chain->delta_link == NULL)
        {
          _muster_fetch_changes_free (changes);
          run_fail (run, g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE, "%s",
                                      _("Microsoft Graph ended a list of changes without a link for the next refresh.")));
          goto out;
        }
    }

  chain->objects += changes->users->len + changes->groups->len + changes->removed->len;
  run->managers += changes->n_managers;
  run->memberships += changes->member_adds->len / 2 + changes->member_removes->len / 2;
  if (data->kind == MUSTER_FETCH_CHAIN_GROUPS)
    {
      for (guint i = 0; i < changes->group_ids->len; i++)
        {
          const char *id = changes->group_ids->pdata[i];
          g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);

          g_queue_push_tail (&run->members,
                             _muster_member_request_new (id, g_strdup_printf ("/groups/%s/members?$select=id&$top=999",
                                                                              escaped)));
        }
    }

  if (data->kind == MUSTER_FETCH_CHAIN_GROUPS_DELTA
      && !(run->chains[MUSTER_FETCH_CHAIN_USERS_DELTA].ended && run->chains[MUSTER_FETCH_CHAIN_USERS_DELTA].parsing == 0))
    g_ptr_array_add (run->held, changes);
  else
    queue_changes (run, changes);
  chain_check_end (run, data->kind);
  if (data->kind == MUSTER_FETCH_CHAIN_GROUPS)
    pump_members (run);
  emit_progress (run);

out:
  run_release (run);
}

static void
page_fetched_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PageData *data = user_data;
  FetchRun *run = data->run;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  GTask *parse;
  ParseJob *job;

  bytes = muster_graph_client_request_bytes_finish (MUSTER_GRAPH_CLIENT (source), result, &error);
  if (bytes == NULL)
    {
      if (run->incremental && g_error_matches (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_RESYNC_REQUIRED))
        {
          /* delta-query-overview.md: 410 means start again from a full read */
          g_debug ("delta link refused (%s); falling back to a full fetch", error->message);
          g_error_free (error);
          run->resync = TRUE;
          g_cancellable_cancel (run->cancellable);
        }
      else
        run_fail (run, error);
      page_data_free (data);
      run_release (run);
      return;
    }
  if (run_stopped (run))
    {
      page_data_free (data);
      run_release (run);
      return;
    }

  run->pages++;
  /* let the next request leave while this page is parsed (not twice when it is asked again) */
  if (data->early_link == NULL)
    {
      data->early_link = _muster_directory_page_scan_next_link (bytes);
      if (data->early_link != NULL)
        fetch_page (run, data->kind, data->early_link);
    }

  job = g_new0 (ParseJob, 1);
  job->bytes = g_steal_pointer (&bytes);
  job->kind = data->kind;
  run->chains[data->kind].parsing++;
  run_hold (run);
  /* no cancellable: the callback always gets the result and decides */
  parse = g_task_new (NULL, NULL, page_parsed_cb, data);
  g_task_set_source_tag (parse, page_fetched_cb);
  g_task_set_task_data (parse, job, (GDestroyNotify) parse_job_free);
  g_object_set_data_full (G_OBJECT (parse), "page-data", data, (GDestroyNotify) page_data_free);
  g_task_run_in_thread (parse, parse_thread);
  g_object_unref (parse);
  run_release (run);
}

static void
send_page (FetchRun *run,
           PageData *data)
{
  run_hold_request (run, 1);
  muster_graph_client_request_bytes_async (run->graph, "GET", data->path, NULL, run->cancellable, page_fetched_cb,
                                           data);
}

static void
fetch_page (FetchRun   *run,
            MusterFetchChain   kind,
            const char *path)
{
  PageData *data = g_new0 (PageData, 1);

  data->run = fetch_run_ref (run);
  data->kind = kind;
  data->path = g_strdup (path);
  send_page (run, data);
}

/* ---- memberships through $batch ----------------------------------------------------------- */

typedef struct
{
  FetchRun  *run;
  GPtrArray *requests;
} BatchData;

static void
batch_data_free (BatchData *data)
{
  fetch_run_unref (data->run);
  g_clear_pointer (&data->requests, g_ptr_array_unref);
  g_free (data);
}

typedef struct
{
  FetchRun  *run;
  GPtrArray *requests;
} RetryData;

static gboolean
retry_cb (gpointer user_data)
{
  RetryData *data = user_data;
  FetchRun *run = data->run;

  run->paused = FALSE;
  for (guint i = 0; data->requests != NULL && i < data->requests->len; i++)
    g_queue_push_head (&run->members, g_steal_pointer (&data->requests->pdata[i]));
  pump_members (run);
  emit_progress (run);
  run_release (run);
  return G_SOURCE_REMOVE;
}

static void
retry_data_free (gpointer user_data)
{
  RetryData *data = user_data;

  fetch_run_unref (data->run);
  g_clear_pointer (&data->requests, g_ptr_array_unref);
  g_free (data);
}

/* Waits @delay_ms, then puts @requests (may be NULL) back in front and sends again. */
static void
pause_members (FetchRun  *run,
               guint      delay_ms,
               GPtrArray *requests)
{
  RetryData *data = g_new0 (RetryData, 1);
  GSource *source = g_timeout_source_new (delay_ms);

  data->run = fetch_run_ref (run);
  data->requests = requests;
  run->paused = TRUE;
  run_hold (run);
  g_source_set_callback (source, retry_cb, data, retry_data_free);
  g_source_attach (source, run->context);
  g_source_unref (source);
}

static void
batch_parsed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BatchData *data = user_data;
  FetchRun *run = data->run;
  GError *error = NULL;
  MusterFetchChanges *changes;
  double usage = muster_graph_client_get_throttle_usage (run->graph);

  changes = g_task_propagate_pointer (G_TASK (result), &error);
  if (changes == NULL)
    {
      ParseJob *job = g_task_get_task_data (G_TASK (result));
      guint failures = 0;

      for (guint i = 0; job->requests != NULL && i < job->requests->len; i++)
        failures = MAX (failures, ((MusterMemberRequest *) g_ptr_array_index (job->requests, i))->failures + 1);
      if (job->not_json && !run_stopped (run) && failures < MUSTER_GRAPH_MAX_ATTEMPTS)
        {
          /* the batch is a read: its calls are sent again after a back-off */
          g_debug ("batch answer unreadable (%s); sending its %u calls again", error->message, job->requests->len);
          g_error_free (error);
          for (guint i = 0; i < job->requests->len; i++)
            ((MusterMemberRequest *) g_ptr_array_index (job->requests, i))->failures++;
          pause_members (run, muster_graph_client_retry_delay (run->graph, failures), g_steal_pointer (&job->requests));
        }
      else
        run_fail (run, error);
      goto out;
    }
  if (run_stopped (run))
    {
      _muster_fetch_changes_free (changes);
      goto out;
    }

  run->memberships += changes->member_adds->len / 2;
  run->groups_completed += changes->groups_completed;
  for (guint i = 0; i < changes->follow_ups->len; i++)
    g_queue_push_tail (&run->members, g_steal_pointer (&changes->follow_ups->pdata[i]));
  g_ptr_array_set_size (changes->follow_ups, 0);

  if (changes->retries->len > 0)
    {
      /* throttled: fewer batches at once, and wait as long as Graph asked
       * (learn.microsoft.com/graph/throttling) */
      guint delay = changes->retry_after_ms;

      if (changes->retry_failures > 0)
        delay = MAX (delay, muster_graph_client_retry_delay (run->graph, changes->retry_failures));
      run->max_batches = MAX (1, run->max_batches / 2);
      g_debug ("%u calls to send again; %u batches at once from now", changes->retries->len, run->max_batches);
      pause_members (run, delay, g_steal_pointer (&changes->retries));
      changes->retries = g_ptr_array_new ();
    }
  else if (usage >= 0.8)
    {
      /* Graph says most of the budget is spent: slow down before it throttles */
      run->max_batches = 1;
      if (!run->paused)
        pause_members (run, (guint) (1000 * MIN (usage, 1.0)), NULL);
    }
  else if (run->max_batches < MAX_BATCHES)
    run->max_batches++;

  queue_changes (run, changes);
  pump_members (run);
  emit_progress (run);

out:
  run_release (run);
}

static void
batch_sent_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  BatchData *data = user_data;
  FetchRun *run = data->run;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  GTask *parse;
  ParseJob *job;

  run->batches--;
  bytes = muster_graph_client_request_bytes_finish (MUSTER_GRAPH_CLIENT (source), result, &error);
  if (bytes == NULL)
    {
      run_fail (run, error);
      batch_data_free (data);
      run_release (run);
      return;
    }
  if (run_stopped (run))
    {
      batch_data_free (data);
      run_release (run);
      return;
    }

  run->pages++;
  job = g_new0 (ParseJob, 1);
  job->bytes = g_steal_pointer (&bytes);
  job->requests = g_steal_pointer (&data->requests);
  job->base = g_strdup (muster_graph_client_get_base (run->graph));
  run_hold (run);
  parse = g_task_new (NULL, NULL, batch_parsed_cb, data);
  g_task_set_task_data (parse, job, (GDestroyNotify) parse_job_free);
  g_object_set_data_full (G_OBJECT (parse), "batch-data", data, (GDestroyNotify) batch_data_free);
  g_task_run_in_thread (parse, parse_thread);
  g_object_unref (parse);
  /* room for another batch while this one is parsed */
  pump_members (run);
  run_release (run);
}

static void
pump_members (FetchRun *run)
{
  while (!run_stopped (run) && !run->paused && run->batches < run->max_batches
         && !g_queue_is_empty (&run->members))
    {
      BatchData *data = g_new0 (BatchData, 1);
      g_autoptr(GString) body = g_string_new ("{\"requests\":[");
      g_autoptr(GBytes) bytes = NULL;

      data->run = fetch_run_ref (run);
      data->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) _muster_member_request_free);
      while (data->requests->len < MUSTER_FETCH_BATCH_SIZE && !g_queue_is_empty (&run->members))
        {
          MusterMemberRequest *request = g_queue_pop_head (&run->members);

          g_ptr_array_add (data->requests, request);
          if (data->requests->len > 1)
            g_string_append_c (body, ',');
          g_string_append_printf (body, "{\"id\":\"%u\",\"method\":\"GET\",\"url\":", data->requests->len);
          muster_json_append_string (body, request->path);
          g_string_append_c (body, '}');
        }
      g_string_append (body, "]}");
      bytes = g_string_free_to_bytes (g_steal_pointer (&body));

      run->batches++;
      run_hold_request (run, data->requests->len);
      muster_graph_client_request_bytes_async (run->graph, "POST", "/$batch", bytes, run->cancellable,
                                               batch_sent_cb, data);
    }
}

/* ---- licences, counts and delta links ----------------------------------------------------- */

static void
skus_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(FetchRun) run = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterFetchChanges) changes = _muster_fetch_changes_new (MUSTER_FETCH_ITEM_CHANGES);
  JsonArray *values;

  node = muster_graph_client_get_finish (MUSTER_GRAPH_CLIENT (source), result, &error);
  run->pages++;
  if (node == NULL)
    {
      /* without Organization.Read.All the snapshot simply has no licence names */
      if (g_error_matches (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_FORBIDDEN))
        g_debug ("licences not readable: %s", error->message);
      else
        run_fail (run, g_steal_pointer (&error));
      run->skus_done = TRUE;
      run_release (run);
      return;
    }
  values = JSON_NODE_HOLDS_OBJECT (node) ? muster_json_get_array (json_node_get_object (node), "value") : NULL;
  for (guint i = 0; values != NULL && i < json_array_get_length (values); i++)
    {
      JsonNode *item = json_array_get_element (values, i);
      JsonObject *object, *prepaid;
      MusterSku *sku;
      const char *sku_id, *part, *friendly;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      object = json_node_get_object (item);
      sku_id = muster_json_get_string (object, "skuId");
      if (sku_id == NULL)
        continue;
      part = muster_json_get_string (object, "skuPartNumber");
      friendly = muster_licence_get_friendly_name (part);
      prepaid = muster_json_get_object (object, "prepaidUnits");
      sku = g_new0 (MusterSku, 1);
      sku->sku_id = g_strdup (sku_id);
      sku->part_number = g_strdup (part ? part : sku_id);
      sku->title = g_strdup (friendly ? friendly : sku->part_number);
      sku->consumed = muster_json_get_int (object, "consumedUnits", 0);
      sku->enabled = muster_json_get_int (prepaid, "enabled", 0);
      g_ptr_array_add (changes->skus, sku);
    }
  run->skus_done = TRUE;
  if (!run_stopped (run))
    queue_changes (run, g_steal_pointer (&changes));
  emit_progress (run);
  run_release (run);
}

typedef struct
{
  FetchRun *run;
  guint     which;  /* 0 users, 1 groups */
} LinkData;

static void
latest_link_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LinkData *data = user_data;
  FetchRun *run = data->run;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = muster_graph_client_get_finish (MUSTER_GRAPH_CLIENT (source), result, &error);
  run->pages++;
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    run->latest_links[data->which] =
      g_strdup (muster_json_get_string (json_node_get_object (node), "@odata.deltaLink"));
  else if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;
  else
    /* not fatal: the next refresh is then a full one */
    g_debug ("no delta link for %s: %s", data->which ? "groups" : "users", error ? error->message : "no object");
  run_release (run);
  fetch_run_unref (run);
  g_free (data);
}

static void
start_latest_link (FetchRun   *run,
                   guint       which,
                   const char *path)
{
  LinkData *data = g_new0 (LinkData, 1);

  data->run = fetch_run_ref (run);
  data->which = which;
  run_hold_request (run, 1);
  muster_graph_client_get_async (run->graph, path, run->cancellable, latest_link_cb, data);
}

typedef struct
{
  FetchRun *run;
  gboolean  groups;
} CountData;

static void
count_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  CountData *data = user_data;
  FetchRun *run = data->run;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = muster_graph_client_request_bytes_finish (MUSTER_GRAPH_CLIENT (source), result, &error);
  if (bytes != NULL)
    {
      /* aad-advanced-queries.md: /$count answers text/plain "893" */
      g_autofree char *text = g_strstrip (g_strndup (g_bytes_get_data (bytes, NULL), MIN (g_bytes_get_size (bytes), 32)));
      guint64 value;

      if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL))
        {
          if (data->groups)
            run->groups_total = value;
          else
            run->users_total = value;
        }
    }
  else
    g_debug ("no count: %s", error->message);
  run_release (run);
  fetch_run_unref (run);
  g_free (data);
}

static void
start_count (FetchRun *run,
             gboolean  groups)
{
  CountData *data = g_new0 (CountData, 1);

  data->run = fetch_run_ref (run);
  data->groups = groups;
  run_hold_request (run, 1);
  muster_graph_client_request_bytes_async (run->graph, "GET", groups ? "/groups/$count" : "/users/$count", NULL,
                                           run->cancellable, count_cb, data);
}

/* ---- starting and ending ------------------------------------------------------------------ */

static void
writer_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(FetchRun) run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotInfo) info = NULL;
  GTask *task = run->task;
  GCancellable *outer = g_task_get_cancellable (task);

  info = g_task_propagate_pointer (G_TASK (result), &error);
  if (run->outer_handler != 0)
    g_cancellable_disconnect (outer, run->outer_handler);
  run->outer_handler = 0;

  if (run->resync && !g_cancellable_is_cancelled (outer))
    {
      FetchRun *fresh = fetch_run_new (task, run->self, run->graph, run->store, run->profile, run->tenant_id);

      fresh->incremental = FALSE;
      fresh->started = run->started;
      start_run (fresh);
      fetch_run_unref (fresh);
      return;
    }

  run->self->running = FALSE;
  if (g_cancellable_is_cancelled (outer))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             _("The refresh was cancelled; the previous snapshot is unchanged."));
  else if (run->error != NULL)
    {
      GError *failure = g_steal_pointer (&run->error);

      g_prefix_error (&failure, "%s ", _("The refresh failed; the previous snapshot is unchanged."));
      g_task_return_error (task, failure);
    }
  else if (error != NULL)
    {
      g_prefix_error (&error, "%s ", _("The new snapshot could not be saved; the previous one is unchanged."));
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    {
      MusterFetchSummary *summary = g_new0 (MusterFetchSummary, 1);

      summary->snapshot_id = info->id;
      summary->users = info->n_users;
      summary->groups = info->n_groups;
      summary->memberships = run->memberships;
      summary->managers = run->managers;
      summary->requests = run->requests;
      summary->graph_calls = run->graph_calls;
      summary->incremental = run->incremental;
      summary->elapsed_seconds = (g_get_monotonic_time () - run->started) / (double) G_USEC_PER_SEC;
      g_task_return_pointer (task, summary, g_free);
    }
}

static void
run_release (FetchRun *run)
{
  g_assert (run->pending > 0);
  if (--run->pending > 0 || run->finishing)
    return;

  /* nothing is under way any more: commit what was read, or throw it away */
  run->finishing = TRUE;
  if (run_stopped (run) || g_cancellable_is_cancelled (g_task_get_cancellable (run->task)))
    queue_changes (run, _muster_fetch_changes_new (MUSTER_FETCH_ITEM_ABORT));
  else
    {
      MusterFetchChanges *commit = _muster_fetch_changes_new (MUSTER_FETCH_ITEM_COMMIT);

      flush_held (run);
      if (run->incremental)
        {
          commit->users_delta_link = g_strdup (run->chains[MUSTER_FETCH_CHAIN_USERS_DELTA].delta_link);
          commit->groups_delta_link = g_strdup (run->chains[MUSTER_FETCH_CHAIN_GROUPS_DELTA].delta_link);
        }
      else
        {
          commit->users_delta_link = g_strdup (run->latest_links[0]);
          commit->groups_delta_link = g_strdup (run->latest_links[1]);
        }
      queue_changes (run, commit);
      emit_progress (run);
    }
}

static void
outer_cancelled_cb (GCancellable *outer,
                    gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

static void
start_run (FetchRun *run)
{
  WriterJob *job = g_new0 (WriterJob, 1);
  GTask *writer;

  run->queue = g_async_queue_new_full ((GDestroyNotify) _muster_fetch_changes_free);
  job->store = g_object_ref (run->store);
  job->profile = g_strdup (run->profile);
  job->tenant_id = g_strdup (run->tenant_id);
  job->base_id = run->incremental ? run->base_id : 0;
  job->queue = g_async_queue_ref (run->queue);
  job->context = g_main_context_ref (run->context);
  job->run = fetch_run_ref (run);
  writer = g_task_new (NULL, NULL, writer_done_cb, fetch_run_ref (run));
  g_task_set_source_tag (writer, start_run);
  g_task_set_task_data (writer, job, (GDestroyNotify) writer_job_free);
  g_thread_unref (g_thread_new ("snapshot-writer", writer_thread, writer));

  {
    GCancellable *outer = g_task_get_cancellable (run->task);

    /* the caller's cancel stops this run (checked again when it ends) */
    if (outer != NULL)
      run->outer_handler = g_cancellable_connect (outer, G_CALLBACK (outer_cancelled_cb),
                                                  g_object_ref (run->cancellable), g_object_unref);
  }

  /* hold while starting, so an early error cannot end the run half-started */
  run_hold (run);
  if (run->incremental)
    {
      fetch_page (run, MUSTER_FETCH_CHAIN_USERS_DELTA, run->base_links[0]);
      fetch_page (run, MUSTER_FETCH_CHAIN_GROUPS_DELTA, run->base_links[1]);
    }
  else if (run->users_only)
    {
      start_count (run, FALSE);
      run->chains[MUSTER_FETCH_CHAIN_GROUPS].ended = TRUE;
      run->skus_done = TRUE;
      fetch_page (run, MUSTER_FETCH_CHAIN_USERS, "/users?$select=" USER_SELECT "&$top=999&$expand=manager($select=id)");
    }
  else
    {
      start_count (run, FALSE);
      start_count (run, TRUE);
      start_latest_link (run, 0, "/users/delta?$select=" USER_SELECT ",manager&$deltatoken=latest");
      start_latest_link (run, 1, "/groups/delta?$select=" GROUP_SELECT ",members&$deltatoken=latest");
      fetch_page (run, MUSTER_FETCH_CHAIN_USERS, "/users?$select=" USER_SELECT "&$top=999&$expand=manager($select=id)");
      fetch_page (run, MUSTER_FETCH_CHAIN_GROUPS, "/groups?$select=" GROUP_SELECT "&$top=999");
      run_hold_request (run, 1);
      muster_graph_client_get_async (run->graph, "/subscribedSkus?$select=skuId,skuPartNumber,consumedUnits,prepaidUnits",
                                     run->cancellable, skus_cb, fetch_run_ref (run));
    }
  emit_progress (run);
  run_release (run);
}

typedef struct
{
  gint64  base_id;
  char   *links[2];
} BaseInfo;

static void
base_info_free (BaseInfo *info)
{
  g_free (info->links[0]);
  g_free (info->links[1]);
  g_free (info);
}

/* Which snapshot an incremental refresh starts from, and its delta links (worker thread). */
static void
find_base_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  FetchRun *run = task_data;
  g_autoptr(MusterSnapshotInfo) latest = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *users = NULL;
  g_autofree char *groups = NULL;
  BaseInfo *info = g_new0 (BaseInfo, 1);

  /* Only the two links: loading the whole base snapshot for them took half a second on
   * 100,000 users. */
  latest = muster_snapshot_store_get_latest (run->store, run->profile, &error);
  if (latest != NULL)
    users = muster_snapshot_store_get_delta_link (run->store, latest->id, "users", &error);
  if (users != NULL)
    groups = muster_snapshot_store_get_delta_link (run->store, latest->id, "groups", &error);
  if (users != NULL && groups != NULL)
    {
      info->base_id = latest->id;
      info->links[0] = g_steal_pointer (&users);
      info->links[1] = g_steal_pointer (&groups);
    }
  if (error != NULL)
    g_debug ("no base for an incremental refresh: %s", error->message);
  g_task_return_pointer (task, info, (GDestroyNotify) base_info_free);
}

static void
find_base_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(FetchRun) run = user_data;
  BaseInfo *info = g_task_propagate_pointer (G_TASK (result), NULL);

  if (info != NULL && info->base_id > 0)
    {
      run->incremental = TRUE;
      run->base_id = info->base_id;
      run->base_links[0] = g_steal_pointer (&info->links[0]);
      run->base_links[1] = g_steal_pointer (&info->links[1]);
    }
  g_clear_pointer (&info, base_info_free);
  start_run (run);
}

/* ---- the object --------------------------------------------------------------------------- */

static void
muster_directory_fetch_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  MusterDirectoryFetch *self = MUSTER_DIRECTORY_FETCH (object);

  switch (prop_id)
    {
    case PROP_PHASE:
      g_value_set_enum (value, self->phase);
      break;
    case PROP_OBJECTS:
      g_value_set_uint (value, self->objects);
      break;
    case PROP_PAGES:
      g_value_set_uint (value, self->pages);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_directory_fetch_class_init (MusterDirectoryFetchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = muster_directory_fetch_get_property;

  properties[PROP_PHASE] = g_param_spec_enum ("phase", NULL, NULL, MUSTER_TYPE_FETCH_PHASE, MUSTER_FETCH_PHASE_STARTING,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_OBJECTS] = g_param_spec_uint ("objects", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGES] = g_param_spec_uint ("pages", NULL, NULL, 0, G_MAXUINT, 0,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                    NULL, G_TYPE_NONE, 4, G_TYPE_INT, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_DOUBLE);
}

static void
muster_directory_fetch_init (MusterDirectoryFetch *self)
{
}

MusterDirectoryFetch *
muster_directory_fetch_new (void)
{
  return g_object_new (MUSTER_TYPE_DIRECTORY_FETCH, NULL);
}

MusterFetchPhase
muster_directory_fetch_get_phase (MusterDirectoryFetch *self)
{
  g_return_val_if_fail (MUSTER_IS_DIRECTORY_FETCH (self), MUSTER_FETCH_PHASE_STARTING);
  return self->phase;
}

guint
muster_directory_fetch_get_pages (MusterDirectoryFetch *self)
{
  g_return_val_if_fail (MUSTER_IS_DIRECTORY_FETCH (self), 0);
  return self->pages;
}

double
muster_directory_fetch_get_fraction (MusterDirectoryFetch *self)
{
  g_return_val_if_fail (MUSTER_IS_DIRECTORY_FETCH (self), 0.0);
  return self->fraction;
}

const char *
muster_fetch_phase_get_title (MusterFetchPhase phase)
{
  switch (phase)
    {
    case MUSTER_FETCH_PHASE_STARTING:
      return _("Starting");
    case MUSTER_FETCH_PHASE_USERS:
      return _("Users");
    case MUSTER_FETCH_PHASE_GROUPS:
      return _("Groups");
    case MUSTER_FETCH_PHASE_MEMBERSHIPS:
      return _("Memberships");
    case MUSTER_FETCH_PHASE_LICENCES:
      return _("Licences");
    case MUSTER_FETCH_PHASE_SAVING:
      return _("Saving");
    default:
      return "";
    }
}

void
muster_directory_fetch_run_async (MusterDirectoryFetch *self,
                                  MusterGraphClient    *graph,
                                  MusterSnapshotStore  *store,
                                  const char           *profile_name,
                                  gboolean              full,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  MusterProfile *profile;
  FetchRun *run;

  g_return_if_fail (MUSTER_IS_DIRECTORY_FETCH (self));
  g_return_if_fail (MUSTER_IS_GRAPH_CLIENT (graph));
  g_return_if_fail (MUSTER_IS_SNAPSHOT_STORE (store));
  g_return_if_fail (profile_name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_directory_fetch_run_async);
  /* our own words for a cancel, which say the previous snapshot is kept */
  g_task_set_check_cancellable (task, FALSE);
  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "%s", _("A refresh is already running."));
      return;
    }
  self->running = TRUE;
  self->phase = MUSTER_FETCH_PHASE_STARTING;
  self->objects = self->pages = 0;
  self->fraction = 0.0;

  profile = muster_session_get_profile (muster_graph_client_get_session (graph));
  run = fetch_run_new (task, self, graph, store, profile_name, muster_profile_get_tenant_id (profile));
  run->users_only = self->users_only;
  if (full || run->users_only)
    start_run (run);
  else
    {
      GTask *find = g_task_new (NULL, cancellable, find_base_cb, fetch_run_ref (run));

      g_task_set_source_tag (find, muster_directory_fetch_run_async);
      g_task_set_task_data (find, fetch_run_ref (run), (GDestroyNotify) fetch_run_unref);
      g_task_run_in_thread (find, find_base_thread);
      g_object_unref (find);
    }
  fetch_run_unref (run);
}

void
_muster_directory_fetch_set_users_only (MusterDirectoryFetch *self,
                                        gboolean              users_only)
{
  g_return_if_fail (MUSTER_IS_DIRECTORY_FETCH (self));
  self->users_only = users_only;
}

gint64
muster_directory_fetch_run_finish (MusterDirectoryFetch  *self,
                                   GAsyncResult          *result,
                                   MusterFetchSummary    *summary,
                                   GError               **error)
{
  g_autofree MusterFetchSummary *done = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  done = g_task_propagate_pointer (G_TASK (result), error);
  if (done == NULL)
    return 0;
  if (summary != NULL)
    *summary = *done;
  return done->snapshot_id;
}
