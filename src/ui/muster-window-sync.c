/* muster-window-sync.c: the window's previews and pushes — the profile's targets, reading the
 * chosen one, planning from the snapshot and the saved rules in a worker thread, pushes with
 * progress and Cancel, Retry Failed, and the History page
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-window"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-application.h"
#include "muster-demo.h"
#include "muster-scim-target.h"
#include "muster-sqlite-target.h"
#include "muster-window-private.h"

/* One target the Preview page offers. */
typedef struct
{
  char             *label;
  MusterTargetKind  kind;
  char             *location;  /* path or URL */
  char             *name;      /* a stored target's name, or NULL for the demo's */
  char             *token;     /* the demo's SCIM token (memory only), or NULL */
} SyncTarget;

static void
sync_target_free (SyncTarget *target)
{
  g_free (target->label);
  g_free (target->location);
  g_free (target->name);
  g_free (target->token);
  g_free (target);
}

static void preview_next_step (MusterWindow *self);

/* One step of a preview in flight: its answer counts only while that preview is the current one. */
typedef struct
{
  MusterWindow *window;
  GCancellable *cancellable;
} PreviewStep;

static PreviewStep *
preview_step_new (MusterWindow *self)
{
  PreviewStep *step = g_new0 (PreviewStep, 1);

  step->window = g_object_ref (self);
  step->cancellable = g_object_ref (self->preview_cancellable);
  return step;
}

static void
preview_step_free (PreviewStep *step)
{
  g_object_unref (step->window);
  g_object_unref (step->cancellable);
  g_free (step);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PreviewStep, preview_step_free)

static gboolean
preview_step_is_current (PreviewStep *step)
{
  return !step->window->closed && step->window->previewing && step->cancellable == step->window->preview_cancellable;
}

/* Helpers ------------------------------------------------------------------------------- */

static MusterDemo *
get_demo (MusterWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (!self->in_demo || !MUSTER_IS_APPLICATION (application))
    return NULL;
  return muster_application_get_demo_tenant (MUSTER_APPLICATION (application));
}

static gboolean
showing_view (MusterWindow *self,
              const char   *name)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "tenant") == 0 &&
         g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), name) == 0;
}

static const char *
profile_name (MusterWindow *self)
{
  return self->profile ? muster_profile_get_name (self->profile) : NULL;
}

/* The Users page's Plan column shows the whole plan: a preview of chosen users would call
 * everyone else skipped, so it keeps the last whole one. */
static void
share_plan (MusterWindow *self)
{
  if (_muster_window_get_plan (self) != NULL && self->preview_only_ids == NULL)
    muster_users_page_set_plan (self->users_page, _muster_window_get_plan (self));
  if (self->target_state != NULL)
    muster_users_page_set_target_roles (self->users_page, muster_target_state_get_roles (self->target_state));
}

static void
set_push_indicator (MusterWindow *self,
                    guint         done,
                    guint         failed,
                    guint         total)
{
  g_autofree char *text = NULL;

  if (failed > 0)
    /* Translators: in the header bar while a push runs */
    text = g_strdup_printf (_("Pushing %u of %u, %u failed"), done + failed, total, failed);
  else
    text = g_strdup_printf (_("Pushing %u of %u"), done, total);
  gtk_label_set_text (self->push_indicator_label, text);
  gtk_progress_bar_set_fraction (self->push_indicator_bar, total > 0 ? (double) (done + failed) / total : 0);
  gtk_widget_set_visible (GTK_WIDGET (self->push_indicator), TRUE);
}

static void
preview_fail (MusterWindow *self,
              const char   *title,
              const GError *error)
{
  self->previewing = FALSE;
  self->retry_pending = FALSE;
  if (self->retrying)
    {
      self->retrying = FALSE;
      g_clear_pointer (&self->preview_only_ids, g_strfreev);
      self->preview_only_ids = g_steal_pointer (&self->ids_before_retry);
    }
  muster_connection_set_plan (self->connection, NULL);
  muster_preview_page_show_empty (self->preview_page, title, error ? error->message : NULL);
  _muster_window_actions_update (self);
}

/* Listing targets ----------------------------------------------------------------------- */

static void
list_targets_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  MusterTargetStore *store = muster_target_store_load (NULL, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
show_targets (MusterWindow *self)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  for (guint i = 0; i < self->sync_targets->len; i++)
    g_ptr_array_add (labels, ((SyncTarget *) self->sync_targets->pdata[i])->label);
  g_ptr_array_add (labels, NULL);
  self->target_index = MIN (self->target_index, self->sync_targets->len > 0 ? self->sync_targets->len - 1 : 0);
  muster_preview_page_set_targets (self->preview_page, (const char * const *) labels->pdata,
                                   self->sync_targets->len > 0 ? self->target_index : GTK_INVALID_LIST_POSITION);
}

static void
targets_listed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  MusterWindow *self = MUSTER_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTargetStore) store = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GPtrArray) infos = NULL;

  if (self->closed || g_task_get_cancellable (G_TASK (result)) != self->preview_cancellable)
    return;
  self->listing_targets = FALSE;
  if (store == NULL)
    {
      preview_fail (self, _("Could Not Read the Saved Targets"), error);
      return;
    }

  g_set_object (&self->target_store, store);
  self->sync_targets = g_ptr_array_new_with_free_func ((GDestroyNotify) sync_target_free);
  infos = muster_target_store_list (store, profile_name (self));
  for (guint i = 0; i < infos->len; i++)
    {
      const MusterTargetInfo *info = infos->pdata[i];
      SyncTarget *target = g_new0 (SyncTarget, 1);

      target->kind = info->kind;
      target->location = g_strdup (info->location);
      target->name = g_strdup (info->name);
      /* Translators: a target in the chooser: its name and where it is */
      target->label = g_strdup_printf (_("%s — %s"), info->name, info->location);
      g_ptr_array_add (self->sync_targets, target);
    }
  show_targets (self);
  preview_next_step (self);
}

static void
list_targets (MusterWindow *self)
{
  MusterDemo *demo = get_demo (self);
  g_autoptr(GTask) task = NULL;

  if (demo != NULL)
    {
      SyncTarget *sqlite = g_new0 (SyncTarget, 1);
      SyncTarget *scim = g_new0 (SyncTarget, 1);

      self->sync_targets = g_ptr_array_new_with_free_func ((GDestroyNotify) sync_target_free);
      sqlite->kind = MUSTER_TARGET_KIND_SQLITE;
      sqlite->location = muster_demo_dup_sqlite_path (demo);
      sqlite->label = g_strdup (_("Demo SQLite store (people.db)"));
      g_ptr_array_add (self->sync_targets, sqlite);
      scim->kind = MUSTER_TARGET_KIND_SCIM;
      scim->location = muster_demo_dup_scim_url (demo);
      scim->token = g_strdup (muster_demo_get_scim_token (demo));
      scim->label = g_strdup (_("Demo SCIM service"));
      g_ptr_array_add (self->sync_targets, scim);
      show_targets (self);
      preview_next_step (self);
      return;
    }

  self->listing_targets = TRUE;
  task = g_task_new (self, self->preview_cancellable, targets_listed_cb, NULL);
  g_task_set_source_tag (task, list_targets);
  g_task_run_in_thread (task, list_targets_thread);
}

/* The history --------------------------------------------------------------------------- */

static void
history_opened_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterHistory) history = muster_history_open_finish (result, &error);

  if (self->closed || g_task_get_cancellable (G_TASK (result)) != self->history_cancellable)
    return;
  self->opening_history = FALSE;
  if (history == NULL)
    {
      self->push_waiting = FALSE;
      _muster_window_actions_update (self);
      _muster_window_report_error (self, _("Could Not Open the Push History"), error);
      return;
    }
  muster_connection_set_history (self->connection, history);
  muster_history_page_set_history (self->history_page, history, profile_name (self));
  if (self->push_waiting)
    {
      self->push_waiting = FALSE;
      _muster_window_push (self, self->push_mode, self->push_force);
    }
  _muster_window_actions_update (self);
}

static void
open_history (MusterWindow *self)
{
  MusterDemo *demo = get_demo (self);
  g_autofree char *path = NULL;

  if (_muster_window_get_history (self) != NULL || self->opening_history || self->profile == NULL)
    return;
  /* the demo's pushes stay in its own folder, never in the admin's history.db */
  if (demo != NULL && muster_demo_get_folder (demo) != NULL)
    path = g_build_filename (muster_demo_get_folder (demo), "history.db", NULL);
  g_clear_object (&self->history_cancellable);
  self->history_cancellable = g_cancellable_new ();
  self->opening_history = TRUE;
  muster_history_open_async (path, self->history_cancellable, history_opened_cb, g_object_ref (self));
}

/* Previewing ---------------------------------------------------------------------------- */

typedef struct
{
  MusterSnapshot      *snapshot;
  MusterRules         *rules;
  MusterTargetState   *state;
  MusterTargetFeatures features;
  MusterPlanMode       mode;
  char               **only_ids;
} PlanData;

static void
plan_data_free (PlanData *data)
{
  g_clear_object (&data->snapshot);
  g_clear_object (&data->rules);
  g_clear_pointer (&data->state, muster_target_state_unref);
  g_strfreev (data->only_ids);
  g_free (data);
}

/* Pure computation over immutable inputs: thousands of users take a moment, so off the main loop. */
static void
plan_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PlanData *data = task_data;
  MusterPlanOptions options = { data->mode, FALSE, (const char * const *) data->only_ids };

  g_task_return_pointer (task, muster_plan_new (data->snapshot, data->rules, data->state, data->features, &options),
                         g_object_unref);
}

static void
plan_async (MusterWindow        *self,
            MusterPlanMode       mode,
            GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) task = g_task_new (self, self->preview_cancellable, callback, NULL);
  PlanData *data = g_new0 (PlanData, 1);

  data->snapshot = g_object_ref (_muster_window_get_snapshot (self));
  data->rules = g_object_ref (self->plan_rules);
  data->state = muster_target_state_ref (self->target_state);
  data->features = muster_target_get_features (_muster_window_get_target (self));
  data->mode = mode;
  data->only_ids = g_strdupv (self->preview_only_ids);
  g_task_set_source_tag (task, plan_async);
  g_task_set_task_data (task, data, (GDestroyNotify) plan_data_free);
  g_task_run_in_thread (task, plan_thread);
}

static void
planned_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  MusterWindow *self = MUSTER_WINDOW (source);
  g_autoptr(MusterPlan) plan = g_task_propagate_pointer (G_TASK (result), NULL);
  guint count = MUSTER_RULES_DEFAULT_SAFETY_COUNT, percent = MUSTER_RULES_DEFAULT_SAFETY_PERCENT;

  if (self->closed || g_task_get_cancellable (G_TASK (result)) != self->preview_cancellable)
    return;
  self->previewing = FALSE;
  if (plan == NULL)
    {
      preview_fail (self, _("Preview Stopped"), NULL);
      return;
    }

  muster_connection_set_plan (self->connection, plan);
  g_clear_error (&self->plan_refusal);
  muster_rules_get_safety_limit (self->plan_rules, &count, &percent);
  muster_plan_check_safety_limit (plan, count, percent, &self->plan_refusal);
  muster_preview_page_set_plan (self->preview_page, plan, count, percent,
                                (const char * const *) self->preview_only_ids, self->plan_refusal);
  share_plan (self);
  _muster_window_actions_update (self);

  if (self->retry_pending)
    {
      self->retry_pending = FALSE;
      _muster_window_push (self, self->push_mode, FALSE);
    }
}

static void
state_progress_cb (MusterWindow *self,
                   guint         done,
                   guint         total,
                   MusterTarget *target)
{
  g_autofree char *text = NULL;

  if (target != _muster_window_get_target (self) || !self->previewing)
    return;
  if (total > 0)
    /* Translators: reading the target: users and groups read so far, of all */
    text = g_strdup_printf (_("%u of %u users and groups read"), done, total);
  else
    text = g_strdup_printf (_("%u users and groups read"), done);
  muster_preview_page_show_progress (self->preview_page, _("Reading the Target…"), text,
                                     total > 0 ? (double) done / total : -1);
}

static void
state_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PreviewStep) step = user_data;
  MusterWindow *self = step->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTargetState) state = muster_target_read_state_finish (MUSTER_TARGET (source), result, &error);

  if (!preview_step_is_current (step) || MUSTER_TARGET (source) != _muster_window_get_target (self))
    return;
  if (state == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        preview_fail (self, _("Preview Stopped"), NULL);
      else
        preview_fail (self, _("Could Not Read the Target"), error);
      return;
    }
  g_clear_pointer (&self->target_state, muster_target_state_unref);
  self->target_state = g_steal_pointer (&state);
  muster_preview_page_show_progress (self->preview_page, _("Planning…"),
                                     _("Comparing the directory with the target, rule by rule"), -1);
  plan_async (self, MUSTER_PLAN_MODE_SYNC, planned_cb);
}

static void
rules_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterRules) rules = muster_rules_load_finish (result, &error);

  if (self->closed || !self->previewing || g_task_get_cancellable (G_TASK (result)) != self->preview_cancellable)
    return;
  if (rules == NULL)
    {
      preview_fail (self, _("Could Not Read the Sync Rules"), error);
      return;
    }
  g_set_object (&self->plan_rules, rules);
  preview_next_step (self);
}

static void
target_opened_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PreviewStep) step = user_data;
  MusterWindow *self = step->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTarget) target = muster_target_store_open_target_finish (MUSTER_TARGET_STORE (source), result,
                                                                           NULL, &error);

  if (!preview_step_is_current (step) || MUSTER_TARGET_STORE (source) != self->target_store)
    return;
  if (target == NULL)
    {
      preview_fail (self, _("Could Not Open the Target"), error);
      return;
    }
  muster_connection_set_target (self->connection, target);
  preview_next_step (self);
}

static gboolean
open_target (MusterWindow  *self,
             GError       **error)
{
  SyncTarget *chosen = self->sync_targets->pdata[self->target_index];
  g_autoptr(MusterTarget) target = NULL;

  if (chosen->name != NULL)
    {
      muster_target_store_open_target_async (self->target_store, profile_name (self), chosen->name, NULL,
                                             self->preview_cancellable, target_opened_cb, preview_step_new (self));
      return TRUE;
    }
  if (chosen->kind == MUSTER_TARGET_KIND_SQLITE)
    target = MUSTER_TARGET (muster_sqlite_target_new (chosen->location));
  else if ((target = MUSTER_TARGET (muster_scim_target_new (chosen->location, chosen->token, error))) == NULL)
    return FALSE;
  muster_connection_set_target (self->connection, target);
  return TRUE;
}

/* Each step starts what is still missing, and comes back here when it is done. */
static void
preview_next_step (MusterWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  MusterTarget *target;

  if (!self->previewing)
    return;
  if (self->sync_targets == NULL)
    {
      if (!self->listing_targets)
        list_targets (self);
      return;
    }
  if (self->sync_targets->len == 0)
    {
      self->previewing = FALSE;
      muster_preview_page_show_no_targets (self->preview_page);
      _muster_window_actions_update (self);
      return;
    }
  /* a picker edit still being saved is in the Users page's rules, not yet in the file: plan
   * from a copy of those (the plan runs in a thread; the page may change its own meanwhile) */
  if (self->plan_rules == NULL && self->rules != NULL && muster_users_page_get_saving (self->users_page) &&
      g_strcmp0 (self->rules_profile, profile_name (self)) == 0)
    self->plan_rules = muster_rules_copy (self->rules);
  if (self->plan_rules == NULL)
    {
      muster_rules_load_async (profile_name (self), self->preview_cancellable, rules_loaded_cb, g_object_ref (self));
      return;
    }
  if (_muster_window_get_target (self) == NULL)
    {
      if (!open_target (self, &error))
        {
          preview_fail (self, _("Could Not Open the Target"), error);
          return;
        }
      if (_muster_window_get_target (self) == NULL)
        return;  /* opening in the background */
    }
  target = _muster_window_get_target (self);
  if (g_signal_handler_find (target, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL, state_progress_cb,
                             self) == 0)
    g_signal_connect_object (target, "progress", G_CALLBACK (state_progress_cb), self, G_CONNECT_SWAPPED);

  description = muster_target_describe (target);
  muster_preview_page_show_progress (self->preview_page, _("Reading the Target…"), description, -1);
  muster_target_read_state_async (target, self->preview_cancellable, state_read_cb, preview_step_new (self));
}

static void
stop_preview (MusterWindow *self)
{
  if (self->preview_cancellable != NULL)
    g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  self->previewing = FALSE;
  self->listing_targets = FALSE;
}

/* Pushing ------------------------------------------------------------------------------- */

static void
push_progress_cb (MusterWindow *self,
                  guint         done,
                  guint         failed,
                  guint         total,
                  MusterPush   *push)
{
  if (push != _muster_window_get_push (self))
    return;
  muster_preview_page_set_push_progress (self->preview_page, done, failed, total);
  set_push_indicator (self, done, failed, total);
}

static void
pushed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  MusterPush *push = MUSTER_PUSH (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterPushSummary) finished = muster_push_run_finish (push, result, &error);
  const MusterPushSummary *summary = finished ? finished : muster_push_get_summary (push);
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_result_free);
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;

  if (self->closed || push != _muster_window_get_push (self))
    return;

  for (guint i = 0; summary->results != NULL && i < summary->results->len; i++)
    {
      const MusterOperationResult *one = summary->results->pdata[i];

      if (!one->ok)
        g_ptr_array_add (failures, one->error
                                   ? muster_operation_result_new_failed (one->operation, one->error)
                                   : muster_operation_result_new_ok (one->operation, NULL));
    }

  if (error == NULL)
    {
      if (summary->failed == 0)
        title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Pushed: %u change made", "Pushed: %u changes made",
                                              summary->done), summary->done);
      else
        /* Translators: a push's result: changes made, of all, and how many failed */
        title = g_strdup_printf (_("Pushed with failures: %u of %u changes made, %u failed"),
                                 summary->done, summary->total, summary->failed);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      title = g_strdup_printf (_("Push cancelled: %u of %u changes made"), summary->done, summary->total);
      description = g_strdup (_("The next push picks up what is left"));
    }
  else
    {
      title = g_strdup (_("Push stopped"));
      description = g_strdup (error->message);
    }
  muster_preview_page_set_push_result (self->preview_page, title, description, failures);
  g_clear_pointer (&self->push_failures, g_ptr_array_unref);
  self->push_failures = g_steal_pointer (&failures);
  muster_connection_set_push (self->connection, NULL);
  g_clear_object (&self->push_cancellable);
  self->pushes_finished++;
  if (self->retrying)
    {
      /* the retry was of the failed users only: the preview goes back to who it was of */
      self->retrying = FALSE;
      g_clear_pointer (&self->preview_only_ids, g_strfreev);
      self->preview_only_ids = g_steal_pointer (&self->ids_before_retry);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->push_indicator), FALSE);
  _muster_window_toast (self, title);

  muster_history_page_reload (self->history_page);
  /* what is left to do, as the target holds it now */
  self->preview_stale = TRUE;
  _muster_window_start_preview (self);
}

static void
start_push (MusterWindow *self,
            MusterPlan   *plan)
{
  GPtrArray *operations = muster_plan_get_operations (plan);
  guint count = MUSTER_RULES_DEFAULT_SAFETY_COUNT, percent = MUSTER_RULES_DEFAULT_SAFETY_PERCENT;
  g_autoptr(MusterPush) push = NULL;

  muster_rules_get_safety_limit (self->plan_rules, &count, &percent);
  push = muster_push_new_for_operations (_muster_window_get_target (self), operations,
                                         muster_plan_get_target_user_count (plan),
                                         _muster_window_get_history (self), profile_name (self), NULL);
  muster_push_set_safety_limit (push, count, percent);
  muster_push_set_force_limit (push, self->push_force);
  g_signal_connect_object (push, "progress", G_CALLBACK (push_progress_cb), self, G_CONNECT_SWAPPED);
  g_clear_object (&self->push_cancellable);
  self->push_cancellable = g_cancellable_new ();
  muster_connection_set_push (self->connection, push);

  muster_preview_page_set_push_progress (self->preview_page, 0, 0, operations->len);
  set_push_indicator (self, 0, 0, operations->len);
  muster_push_run_async (push, self->push_cancellable, pushed_cb, g_object_ref (self));
  _muster_window_actions_update (self);
}

static void
mode_planned_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  MusterWindow *self = MUSTER_WINDOW (source);
  g_autoptr(MusterPlan) plan = g_task_propagate_pointer (G_TASK (result), NULL);

  if (self->closed || g_task_get_cancellable (G_TASK (result)) != self->preview_cancellable)
    return;
  self->push_waiting = FALSE;
  if (plan == NULL)
    {
      _muster_window_actions_update (self);
      return;
    }
  start_push (self, plan);
}

static void
push_anyway_response_cb (MusterWindow *self,
                         const char   *response)
{
  if (g_strcmp0 (response, "push") == 0)
    _muster_window_push (self, MUSTER_PLAN_MODE_SYNC, TRUE);
}

/* Signal callbacks ---------------------------------------------------------------------- */

static void
target_chosen_cb (MusterWindow      *self,
                  GParamSpec        *pspec,
                  MusterPreviewPage *page)
{
  guint index = muster_preview_page_get_selected_target (page);

  if (self->sync_targets == NULL || index >= self->sync_targets->len || index == self->target_index)
    return;
  self->target_index = index;
  muster_connection_set_target (self->connection, NULL);
  g_clear_pointer (&self->target_state, muster_target_state_unref);
  g_clear_pointer (&self->push_failures, g_ptr_array_unref);
  self->preview_stale = TRUE;
  _muster_window_start_preview (self);
}

static void
view_changed_cb (MusterWindow *self)
{
  /* each visit plans again: the admin may have changed types, roles or rules on the Users page */
  if (showing_view (self, "preview") && !self->previewing && _muster_window_get_push (self) == NULL
      && !self->push_waiting)
    _muster_window_start_preview (self);
  else if (showing_view (self, "history"))
    {
      if (_muster_window_get_history (self) == NULL)
        open_history (self);
      else
        muster_history_page_reload (self->history_page);
    }
}

static void
snapshot_changed_cb (MusterWindow *self)
{
  self->preview_stale = TRUE;
  if (showing_view (self, "preview") && _muster_window_get_push (self) == NULL)
    _muster_window_start_preview (self);
}

/* Private API --------------------------------------------------------------------------- */

/* The setup assistant saved a target: list the targets again and preview the new one. */
static void
target_added_cb (MusterWindow *self,
                 const char   *name)
{
  if (self->connection == NULL || _muster_window_get_push (self) != NULL || self->push_waiting)
    return;
  stop_preview (self);
  g_clear_pointer (&self->sync_targets, g_ptr_array_unref);
  g_clear_object (&self->target_store);
  muster_connection_set_target (self->connection, NULL);
  g_clear_object (&self->plan_rules);
  self->target_index = 0;
  self->preview_stale = TRUE;
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "preview") == 0)
    _muster_window_start_preview (self);
}

void
_muster_window_sync_init (MusterWindow *self)
{
  g_signal_connect_object (self->preview_page, "notify::selected-target", G_CALLBACK (target_chosen_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_stack, "notify::visible-child-name", G_CALLBACK (view_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->users_page, "notify::snapshot", G_CALLBACK (snapshot_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (self, "target-added", G_CALLBACK (target_added_cb), NULL);
  muster_preview_page_show_empty (self->preview_page, _("No Preview Yet"),
                                  _("Read the directory, then see here what a push would change in a target."));
}

void
_muster_window_sync_reset (MusterWindow *self)
{
  stop_preview (self);
  if (self->push_cancellable != NULL)
    g_cancellable_cancel (self->push_cancellable);
  if (self->history_cancellable != NULL)
    g_cancellable_cancel (self->history_cancellable);
  g_clear_object (&self->push_cancellable);
  g_clear_object (&self->history_cancellable);
  self->opening_history = FALSE;
  self->push_waiting = FALSE;
  self->retry_pending = FALSE;
  g_clear_pointer (&self->sync_targets, g_ptr_array_unref);
  g_clear_object (&self->target_store);
  self->target_index = 0;
  g_clear_object (&self->plan_rules);
  g_clear_pointer (&self->target_state, muster_target_state_unref);
  g_clear_error (&self->plan_refusal);
  g_clear_pointer (&self->preview_only_ids, g_strfreev);
  g_clear_pointer (&self->ids_before_retry, g_strfreev);
  self->retrying = FALSE;
  g_clear_pointer (&self->push_failures, g_ptr_array_unref);
  /* the connection shown keeps its target, plan, push and history until it goes */
  if (self->connection != NULL)
    {
      muster_connection_set_push (self->connection, NULL);
      muster_connection_set_target (self->connection, NULL);
      muster_connection_set_plan (self->connection, NULL);
      muster_connection_set_history (self->connection, NULL);
    }
  if (self->preview_page != NULL)
    {
      muster_users_page_set_plan (self->users_page, NULL);
      muster_preview_page_set_targets (self->preview_page, NULL, GTK_INVALID_LIST_POSITION);
      muster_preview_page_show_empty (self->preview_page, _("No Preview Yet"),
                                      _("Read the directory, then see here what a push would change in a target."));
      muster_history_page_set_history (self->history_page, NULL, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->push_indicator), FALSE);
    }
}

void
_muster_window_sync_dispose (MusterWindow *self)
{
  _muster_window_sync_reset (self);
}

void
_muster_window_start_preview (MusterWindow *self)
{
  if (self->profile == NULL || _muster_window_get_push (self) != NULL)
    return;
  if (_muster_window_get_snapshot (self) == NULL)
    {
      muster_preview_page_show_empty (self->preview_page, _("No Snapshot Yet"),
                                      _("Read the directory first: the preview compares it with the target."));
      return;
    }
  stop_preview (self);
  self->preview_cancellable = g_cancellable_new ();
  self->previewing = TRUE;
  self->preview_stale = FALSE;
  /* the rules file may have changed since: the plan always uses the saved rules */
  g_clear_object (&self->plan_rules);
  open_history (self);
  muster_preview_page_show_progress (self->preview_page, _("Reading the Target…"), NULL, -1);
  _muster_window_actions_update (self);
  preview_next_step (self);
}

void
_muster_window_cancel_preview (MusterWindow *self)
{
  if (!self->previewing)
    return;
  stop_preview (self);
  self->retry_pending = FALSE;
  muster_preview_page_show_empty (self->preview_page, _("Preview Stopped"),
                                  _("Read the target again to see what a push would change."));
  _muster_window_actions_update (self);
}

void
_muster_window_preview_users (MusterWindow *self)
{
  g_autoptr(GListModel) selected = muster_users_page_dup_selected (self->users_page);
  GListModel *users = g_list_model_get_n_items (selected) > 0 ? selected : muster_users_page_get_shown (self->users_page);
  guint n = g_list_model_get_n_items (users);
  GStrv ids = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (users, i);

      ids[i] = g_strdup (muster_user_get_id (user));
    }
  g_clear_pointer (&self->preview_only_ids, g_strfreev);
  self->preview_only_ids = ids;
  g_clear_pointer (&self->push_failures, g_ptr_array_unref);
  adw_view_stack_set_visible_child_name (self->view_stack, "preview");
  _muster_window_start_preview (self);
}

void
_muster_window_push (MusterWindow   *self,
                     MusterPlanMode  mode,
                     gboolean        force)
{
  g_return_if_fail (_muster_window_get_plan (self) != NULL && _muster_window_get_target (self) != NULL
                    && _muster_window_get_push (self) == NULL);

  self->push_mode = mode;
  self->push_force = force;
  if (_muster_window_get_history (self) == NULL)
    {
      /* the push is journaled: it waits for history.db */
      self->push_waiting = TRUE;
      open_history (self);
      _muster_window_actions_update (self);
      return;
    }
  if (mode == MUSTER_PLAN_MODE_SYNC)
    {
      start_push (self, _muster_window_get_plan (self));
      return;
    }
  self->push_waiting = TRUE;
  if (self->preview_cancellable == NULL)
    self->preview_cancellable = g_cancellable_new ();
  plan_async (self, mode, mode_planned_cb);
  _muster_window_actions_update (self);
}

void
_muster_window_confirm_push_anyway (MusterWindow *self)
{
  GtkWidget *dialog;

  g_return_if_fail (self->plan_refusal != NULL);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Push Over the Safety Limit?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("%s\n\nThese users lose access to the target. Push only if that is what you mean."),
                                  self->plan_refusal->message);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "push", _("_Push Anyway"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "push", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (push_anyway_response_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_muster_window_cancel_push (MusterWindow *self)
{
  if (self->push_cancellable != NULL)
    g_cancellable_cancel (self->push_cancellable);
}

void
_muster_window_retry_failed (MusterWindow *self)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_if_fail (self->push_failures != NULL && _muster_window_get_push (self) == NULL);

  for (guint i = 0; i < self->push_failures->len; i++)
    {
      const MusterOperationResult *failure = self->push_failures->pdata[i];
      const MusterOperation *operation = failure->operation;
      const char *id = operation->member_external_id ? operation->member_external_id
                       : operation->user ? operation->user->external_id : NULL;

      if (id != NULL && g_hash_table_add (seen, (gpointer) id))
        g_ptr_array_add (ids, g_strdup (id));
    }
  g_ptr_array_add (ids, NULL);
  if (!self->retrying)
    {
      g_clear_pointer (&self->ids_before_retry, g_strfreev);
      self->ids_before_retry = g_steal_pointer (&self->preview_only_ids);
      self->retrying = TRUE;
    }
  g_clear_pointer (&self->preview_only_ids, g_strfreev);
  self->preview_only_ids = (char **) g_ptr_array_steal (ids, NULL);
  /* plan again against what the target holds now, then push only what still differs */
  self->retry_pending = TRUE;
  _muster_window_start_preview (self);
}
