/* muster-saved-preview-sync.c: Compare With Now and Push of a saved preview
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A saved preview is compared and pushed on a computer that has what it was made for: a profile
 * of the same name (or, failing that, one for the same tenant) and its target — the SQLite file,
 * or the SCIM service signed in to, its token in the keyring. The demo's previews go to the
 * demo's own stores while the demo runs.
 *
 * Compare With Now plans again, from the profile's latest snapshot and rules, against the
 * target as it is now, in the saved preview's mode, and lists what would be different
 * (muster_preview_file_compare()). Push applies exactly the saved operations that still hold:
 * users whose state in the target changed since the preview was made are left alone and listed
 * (muster_preview_file_get_operations_for()). muster-cli preview --compare and muster-cli push
 * --preview do the same from a terminal. Every step runs off the main loop.
 */

#define G_LOG_DOMAIN "muster-saved-preview"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-application.h"
#include "muster-demo.h"
#include "muster-history.h"
#include "muster-profile-store.h"
#include "muster-rules.h"
#include "muster-saved-preview-window-private.h"
#include "muster-scim-target.h"
#include "muster-snapshot-store.h"
#include "muster-sqlite-target.h"
#include "muster-target-store.h"

/* The comparison dialog lists this many differences; muster-cli preview --compare lists all. */
#define SHOWN_DIFFERENCES 500

typedef struct
{
  MusterSavedPreviewWindow *window;
  GCancellable             *cancellable;
  gboolean                  compare;
  MusterDemo               *demo;          /* the running demo the preview is of, or NULL */
  char                     *profile;       /* the profile this computer has for the preview */
  char                     *cache_path;    /* NULL: cache.db in the data folder */
  char                     *history_path;  /* NULL: history.db in the data folder */
  MusterTargetStore        *store;
  MusterSnapshot           *snapshot;      /* Compare: the profile's latest */
  MusterRules              *rules;         /* Compare: the profile's rules */
  MusterTargetState        *state;
  MusterHistory            *history;
  GPtrArray                *operations;    /* Push: what still holds */
} Job;

static void
job_free (Job *job)
{
  g_object_unref (job->window);
  g_object_unref (job->cancellable);
  g_clear_object (&job->demo);
  g_free (job->profile);
  g_free (job->cache_path);
  g_free (job->history_path);
  g_clear_object (&job->store);
  g_clear_object (&job->snapshot);
  g_clear_object (&job->rules);
  g_clear_pointer (&job->state, muster_target_state_unref);
  g_clear_object (&job->history);
  g_clear_pointer (&job->operations, g_ptr_array_unref);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

/* A later Cancel, another run or the window closing make a job's answers stale. */
static gboolean
job_is_current (Job *job)
{
  return !g_cancellable_is_cancelled (job->cancellable) && job->window->sync_cancellable == job->cancellable;
}

static void
set_status (MusterSavedPreviewWindow *self,
            const char               *text,
            double                    fraction)
{
  g_free (self->sync_text);
  self->sync_text = g_strdup (text);
  gtk_label_set_text (self->sync_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_progress), fraction >= 0);
  if (fraction > 0)
    gtk_progress_bar_set_fraction (self->sync_progress, MIN (fraction, 1.0));
  else if (fraction == 0)
    gtk_progress_bar_pulse (self->sync_progress);
}

static void
finish_job (Job        *job,
            const char *status)
{
  MusterSavedPreviewWindow *self = job->window;

  self->comparing = FALSE;
  self->pushing = FALSE;
  g_clear_object (&self->push);
  self->syncs_finished++;
  set_status (self, status, -1);
  _muster_saved_preview_update_actions (self);
}

static void
fail_job (Job          *job,
          const char   *heading,
          const GError *error)
{
  MusterSavedPreviewWindow *self = job->window;
  GtkWidget *dialog;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      finish_job (job, job->compare ? _("Comparison cancelled") : _("Push cancelled"));
      return;
    }
  /* Translators: the status under a saved preview after a failure: a heading, then why */
  {
    g_autofree char *status = g_strdup_printf (_("%s: %s"), heading, error->message);

    finish_job (job, status);
  }
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Which profile, stores and target (worker thread) ------------------------------------------ */

static MusterProfile *
find_profile (GListModel        *profiles,
              MusterPreviewFile *preview,
              GError           **error)
{
  const char *name = muster_preview_file_get_profile (preview);
  const char *tenant = muster_preview_file_get_tenant_id (preview);
  MusterProfile *named = NULL;

  for (guint i = 0; named == NULL && i < g_list_model_get_n_items (profiles); i++)
    {
      g_autoptr(MusterProfile) profile = g_list_model_get_item (profiles, i);

      if (g_strcmp0 (muster_profile_get_name (profile), name) == 0)
        named = g_steal_pointer (&profile);
    }
  if (named != NULL && (tenant == NULL || muster_profile_get_tenant_id (named) == NULL ||
                        g_ascii_strcasecmp (tenant, muster_profile_get_tenant_id (named)) == 0))
    return named;
  g_clear_object (&named);

  /* another name for the same tenant will do: the preview came from another computer */
  for (guint i = 0; tenant != NULL && i < g_list_model_get_n_items (profiles); i++)
    {
      g_autoptr(MusterProfile) profile = g_list_model_get_item (profiles, i);

      if (muster_profile_get_tenant_id (profile) != NULL &&
          g_ascii_strcasecmp (tenant, muster_profile_get_tenant_id (profile)) == 0)
        return g_steal_pointer (&profile);
    }
  g_set_error (error, MUSTER_PROFILE_ERROR, MUSTER_PROFILE_ERROR_NOT_FOUND,
               _("This computer has no profile for the tenant %s, which the preview was made for. Connect "
                 "to that tenant first (a profile named “%s” is used when there is one)."),
               muster_preview_file_get_tenant_name (preview) != NULL ? muster_preview_file_get_tenant_name (preview)
               : tenant != NULL ? tenant : name, name);
  return NULL;
}

static void
prepare_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  MusterPreviewFile *preview = job->window->preview;
  g_autoptr(GError) error = NULL;

  if (job->profile == NULL)
    {
      g_autoptr(MusterProfileStore) profiles = muster_profile_store_load (NULL, &error);
      g_autoptr(MusterProfile) profile = NULL;

      if (profiles == NULL || (profile = find_profile (G_LIST_MODEL (profiles), preview, &error)) == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      job->profile = g_strdup (muster_profile_get_name (profile));
      job->store = muster_target_store_load (NULL, &error);
      if (job->store == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  if (job->compare)
    {
      g_autoptr(MusterSnapshotStore) snapshots = muster_snapshot_store_open (job->cache_path, &error);
      g_autoptr(MusterSnapshotInfo) latest = NULL;

      if (snapshots != NULL)
        latest = muster_snapshot_store_get_latest (snapshots, job->profile, &error);
      if (latest == NULL && error == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("The profile “%s” has no snapshot of the directory yet: refresh it in the main window "
                       "(or muster-cli fetch), then compare again."), job->profile);
      if (latest != NULL)
        job->snapshot = muster_snapshot_store_load (snapshots, latest->id, &error);
      if (job->snapshot != NULL)
        job->rules = muster_rules_load (job->profile, &error);
      if (job->rules == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

/* The plan of now, in the saved preview's mode (worker thread). */
static void
plan_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Job *job = task_data;
  MusterPlan *saved = muster_preview_file_get_plan (job->window->preview);
  MusterPlanOptions options = { muster_plan_get_mode (saved), muster_plan_get_allow_delete (saved), NULL };

  g_task_return_pointer (task,
                         muster_plan_new (job->snapshot, job->rules, job->state,
                                          muster_target_get_features (job->window->target), &options),
                         g_object_unref);
}

/* Comparing ---------------------------------------------------------------------------------- */

static GtkWidget *
differences_list (GPtrArray *differences)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < differences->len && i < SHOWN_DIFFERENCES; i++)
    {
      const MusterPreviewDifference *difference = differences->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = NULL;

      if (difference->display_name != NULL && difference->user_principal_name != NULL &&
          !difference->is_group)
        /* Translators: a user in the comparison: the name, then the sign-in name */
        title = g_strdup_printf (_("%s (%s)"), difference->display_name, difference->user_principal_name);
      else
        title = g_strdup (difference->display_name != NULL ? difference->display_name : difference->id);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), difference->summary);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  if (differences->len > SHOWN_DIFFERENCES)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *more = g_strdup_printf (_("And %u more: muster-cli preview --compare lists them all"),
                                               differences->len - SHOWN_DIFFERENCES);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), more);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), MIN (differences->len, 4) * 64);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 360);
  gtk_widget_set_size_request (scrolled, 400, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  return scrolled;
}

static void
planned_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Job *job = user_data;
  MusterSavedPreviewWindow *self = job->window;
  g_autoptr(MusterPlan) fresh = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autofree char *status = NULL;
  GtkWidget *dialog;

  if (!job_is_current (job) || fresh == NULL)
    return;
  g_clear_pointer (&self->differences, g_ptr_array_unref);
  self->differences = muster_preview_file_compare (self->preview, fresh);
  if (self->differences->len == 0)
    status = g_strdup (_("Nothing changed since the preview: a push makes exactly the changes it lists"));
  else
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u user or group would now be different",
                                           "%u users or groups would now be different", self->differences->len),
                              self->differences->len);
  finish_job (job, status);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Compared With Now"), status);
  if (self->differences->len > 0)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), differences_list (self->differences));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Pushing ------------------------------------------------------------------------------------ */

static char *
describe_left_out (GPtrArray *left_out)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < left_out->len && i < 5; i++)
    {
      const MusterPlanItem *item = left_out->pdata[i];

      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, item->user_principal_name != NULL ? item->user_principal_name : item->id);
    }
  if (left_out->len > 5)
    g_string_append_printf (names, _(" and %u more"), left_out->len - 5);
  return g_string_free (names, FALSE);
}

static void
push_progress_cb (MusterPush *push,
                  guint       done,
                  guint       failed,
                  guint       total,
                  Job        *job)
{
  g_autofree char *text = NULL;

  if (!job_is_current (job))
    return;
  if (failed > 0)
    text = g_strdup_printf (_("Pushing: %u of %u done, %u failed"), done, total, failed);
  else
    text = g_strdup_printf (_("Pushing: %u of %u done"), done, total);
  set_status (job->window, text, total > 0 ? (double) (done + failed) / total : 0);
}

static void
pushed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  MusterSavedPreviewWindow *self = job->window;
  MusterPush *push = MUSTER_PUSH (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterPushSummary) finished = muster_push_run_finish (push, result, &error);
  const MusterPushSummary *summary = finished != NULL ? finished : muster_push_get_summary (push);
  g_autoptr(GString) status = g_string_new (NULL);

  g_signal_handlers_disconnect_by_data (push, job);
  if (self->push != push)
    return;
  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_string_printf (status, _("Push cancelled: %u of %u changes made; the next push picks up what is left"),
                     summary->done, summary->total);
  else if (error != NULL)
    {
      fail_job (job, _("Push Stopped"), error);
      return;
    }
  else if (summary->total == 0)
    g_string_printf (status, _("0 changes: nothing of the preview is left to make in the target"));
  else if (summary->failed == 0)
    g_string_printf (status, g_dngettext (GETTEXT_PACKAGE, "Pushed: %u change made", "Pushed: %u changes made",
                                          summary->done), summary->done);
  else
    g_string_printf (status, _("Pushed with failures: %u of %u changes made, %u failed"), summary->done,
                     summary->total, summary->failed);

  if (self->left_out != NULL && self->left_out->len > 0)
    {
      g_autofree char *names = describe_left_out (self->left_out);

      g_string_append (status, " — ");
      g_string_append_printf (status,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "partial push: %u user changed in the target since the preview was "
                                           "made and was left alone: %s; make a new preview for them",
                                           "partial push: %u users changed in the target since the preview was "
                                           "made and were left alone: %s; make a new preview for them",
                                           self->left_out->len),
                              self->left_out->len, names);
    }
  finish_job (job, status->str);
}

static void
start_push (Job *job)
{
  MusterSavedPreviewWindow *self = job->window;
  MusterPlan *plan = muster_preview_file_get_plan (self->preview);
  guint count = 0, percent = 0;

  muster_rules_get_safety_limit (muster_plan_get_rules (plan), &count, &percent);
  self->push = muster_push_new_for_operations (self->target, job->operations,
                                               muster_plan_get_target_user_count (plan), job->history,
                                               job->profile, NULL);
  muster_push_set_safety_limit (self->push, count, percent);
  g_signal_connect (self->push, "progress", G_CALLBACK (push_progress_cb), job);
  set_status (self, _("Pushing…"), 0);
  muster_push_run_async (self->push, job->cancellable, pushed_cb, job);
}

static void
history_opened_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;

  job->history = muster_history_open_finish (result, &error);
  if (!job_is_current (job))
    {
      job_free (job);
      return;
    }
  if (job->history == NULL)
    {
      fail_job (job, _("Could Not Open the Push History"), error);
      job_free (job);
      return;
    }
  start_push (job);
}

static void
confirm_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  Job *job = user_data;

  if (!job_is_current (job))
    {
      job_free (job);
      return;
    }
  if (g_strcmp0 (response, "push") != 0)
    {
      finish_job (job, _("Nothing was pushed"));
      job_free (job);
      return;
    }
  set_status (job->window, _("Opening the push history…"), 0);
  muster_history_open_async (job->history_path, job->cancellable, history_opened_cb, job);
}

/* Asks before changing the target, saying what is left of the preview. */
static void
confirm_push (Job *job)
{
  MusterSavedPreviewWindow *self = job->window;
  g_autofree char *target = muster_target_describe (self->target);
  g_autofree char *heading = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  GtkWidget *dialog;

  g_clear_pointer (&self->left_out, g_ptr_array_unref);
  job->operations = muster_preview_file_get_operations_for (self->preview, job->state, &self->left_out);
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Push %u Change?", "Push %u Changes?",
                                          job->operations->len), job->operations->len);
  /* Translators: %s is the target, as “SQLite store /srv/people.db” */
  g_string_printf (body, _("The changes this preview lists are made in %s."), target);
  if (self->left_out->len > 0)
    {
      g_autofree char *names = describe_left_out (self->left_out);

      g_string_append_c (body, ' ');
      g_string_append_printf (body,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "%u user changed in the target since the preview was made and is left "
                                           "alone: %s.",
                                           "%u users changed in the target since the preview was made and are left "
                                           "alone: %s.", self->left_out->len),
                              self->left_out->len, names);
    }
  set_status (self, _("Waiting for your answer…"), -1);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "push", _("_Push"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "push", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "push", job->operations->len > 0);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (confirm_response_cb), job);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Reading the target ------------------------------------------------------------------------- */

static void
read_progress_cb (MusterTarget *target,
                  guint         done,
                  guint         total,
                  Job          *job)
{
  g_autofree char *text = NULL;

  if (!job_is_current (job))
    return;
  if (total > 0)
    text = g_strdup_printf (_("%u of %u users and groups read"), done, total);
  else
    text = g_strdup_printf (_("%u users and groups read"), done);
  set_status (job->window, text, total > 0 ? (double) done / total : 0);
}

static void
state_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;

  g_signal_handlers_disconnect_by_data (source, job);
  job->state = muster_target_read_state_finish (MUSTER_TARGET (source), result, &error);
  if (!job_is_current (job))
    {
      job_free (job);
      return;
    }
  if (job->state == NULL)
    {
      fail_job (job, _("Could Not Read the Target"), error);
      job_free (job);
      return;
    }
  if (job->compare)
    {
      g_autoptr(GTask) task = g_task_new (NULL, job->cancellable, planned_cb, job);

      set_status (job->window, _("Planning…"), 0);
      g_task_set_source_tag (task, plan_thread);
      g_task_set_task_data (task, job, (GDestroyNotify) job_free);
      g_task_run_in_thread (task, plan_thread);
      return;
    }
  confirm_push (job);
}

static void
read_target (Job *job)
{
  MusterSavedPreviewWindow *self = job->window;
  g_autofree char *description = muster_target_describe (self->target);
  /* Translators: %s is the target, as “SQLite store /srv/people.db” */
  g_autofree char *text = g_strdup_printf (_("Reading %s…"), description);

  set_status (self, text, 0);
  g_signal_connect (self->target, "progress", G_CALLBACK (read_progress_cb), job);
  muster_target_read_state_async (self->target, job->cancellable, state_read_cb, job);
}

static void
target_opened_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTarget) target = muster_target_store_open_target_finish (MUSTER_TARGET_STORE (source), result,
                                                                            NULL, &error);

  if (!job_is_current (job))
    {
      job_free (job);
      return;
    }
  if (target == NULL)
    {
      if (g_error_matches (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NEEDS_TOKEN))
        {
          g_autoptr(GError) unknown = g_error_new (MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NEEDS_TOKEN,
                                                   _("This computer is not signed in to %s: add it as a target of "
                                                     "the profile “%s” with its token (Preview page, or muster-cli "
                                                     "target add), then push again."),
                                                   muster_preview_file_get_target_description (job->window->preview),
                                                   job->profile);

          fail_job (job, _("Could Not Open the Target"), unknown);
        }
      else
        fail_job (job, _("Could Not Open the Target"), error);
      job_free (job);
      return;
    }
  g_set_object (&job->window->target, target);
  read_target (job);
}

/* The demo's stores, when the preview is of the demo that runs. */
static MusterTarget *
open_demo_target (Job     *job,
                  GError **error)
{
  const char *uri = muster_preview_file_get_target_uri (job->window->preview);
  g_autofree char *sqlite = muster_demo_dup_sqlite_path (job->demo);
  g_autofree char *scim = muster_demo_dup_scim_url (job->demo);
  g_autofree char *sqlite_uri = sqlite != NULL ? g_strconcat ("sqlite:", sqlite, NULL) : NULL;
  g_autofree char *scim_uri = scim != NULL ? g_strconcat ("scim:", scim, NULL) : NULL;

  if (g_strcmp0 (uri, sqlite_uri) == 0)
    return MUSTER_TARGET (muster_sqlite_target_new (sqlite));
  if (g_strcmp0 (uri, scim_uri) == 0)
    return (MusterTarget *) muster_scim_target_new (scim, muster_demo_get_scim_token (job->demo), error);
  g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NOT_FOUND,
               _("The preview was made for %s, which this demo does not have: a demo’s stores last only as "
                 "long as it runs."), muster_preview_file_get_target_description (job->window->preview));
  return NULL;
}

static void
prepared_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (job_is_current (job))
        fail_job (job, job->compare ? _("Could Not Compare") : _("Could Not Push"), error);
      job_free (job);
      return;
    }
  if (!job_is_current (job))
    {
      job_free (job);
      return;
    }
  if (job->demo != NULL)
    {
      g_autoptr(MusterTarget) target = open_demo_target (job, &error);

      if (target == NULL)
        {
          fail_job (job, _("Could Not Open the Target"), error);
          job_free (job);
          return;
        }
      g_set_object (&job->window->target, target);
      read_target (job);
      return;
    }
  set_status (job->window, _("Opening the target…"), 0);
  muster_target_store_open_target_async (job->store, job->profile,
                                         muster_preview_file_get_target_uri (job->window->preview), NULL,
                                         job->cancellable, target_opened_cb, job);
}

static void
start_job (MusterSavedPreviewWindow *self,
           gboolean                  compare)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  MusterDemo *demo = MUSTER_IS_APPLICATION (application)
                     ? muster_application_get_demo_tenant (MUSTER_APPLICATION (application)) : NULL;
  g_autoptr(GTask) task = NULL;
  Job *job;

  if (self->comparing || self->pushing)
    return;
  g_clear_object (&self->sync_cancellable);
  self->sync_cancellable = g_cancellable_new ();
  self->comparing = compare;
  self->pushing = !compare;
  _muster_saved_preview_update_actions (self);
  set_status (self, compare ? _("Comparing with now…") : _("Preparing the push…"), 0);

  job = g_new0 (Job, 1);
  job->window = g_object_ref (self);
  job->cancellable = g_object_ref (self->sync_cancellable);
  job->compare = compare;
  if (demo != NULL && muster_demo_is_running (demo) && muster_demo_get_folder (demo) != NULL &&
      g_strcmp0 (muster_preview_file_get_profile (self->preview), MUSTER_DEMO_PROFILE_NAME) == 0)
    {
      /* the demo keeps its snapshots and pushes in its own folder */
      job->demo = g_object_ref (demo);
      job->profile = g_strdup (MUSTER_DEMO_PROFILE_NAME);
      job->cache_path = g_build_filename (muster_demo_get_folder (demo), "cache.db", NULL);
      job->history_path = g_build_filename (muster_demo_get_folder (demo), "history.db", NULL);
    }
  task = g_task_new (NULL, job->cancellable, prepared_cb, job);
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, NULL);
  g_task_run_in_thread (task, prepare_thread);
}

static void
compare_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  start_job (MUSTER_SAVED_PREVIEW_WINDOW (widget), TRUE);
}

static void
push_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  start_job (MUSTER_SAVED_PREVIEW_WINDOW (widget), FALSE);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MusterSavedPreviewWindow *self = MUSTER_SAVED_PREVIEW_WINDOW (widget);

  /* a running push stops between batches and records where it stopped; its callback says so */
  if (self->push != NULL)
    {
      g_cancellable_cancel (self->sync_cancellable);
      return;
    }
  if (self->sync_cancellable != NULL)
    g_cancellable_cancel (self->sync_cancellable);
  self->comparing = FALSE;
  self->pushing = FALSE;
  self->syncs_finished++;
  set_status (self, _("Cancelled"), -1);
  _muster_saved_preview_update_actions (self);
}

void
_muster_saved_preview_sync_dispose (MusterSavedPreviewWindow *self)
{
  if (self->sync_cancellable != NULL)
    g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);
  g_clear_object (&self->push);
  g_clear_object (&self->target);
  g_clear_pointer (&self->differences, g_ptr_array_unref);
  g_clear_pointer (&self->left_out, g_ptr_array_unref);
  g_clear_pointer (&self->sync_text, g_free);
}

void
_muster_saved_preview_sync_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.compare-preview", NULL, compare_action);
  gtk_widget_class_install_action (widget_class, "win.push-preview", NULL, push_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-sync", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel-sync", NULL);
}

/* Public API --------------------------------------------------------------------------------- */

gboolean
muster_saved_preview_window_get_busy (MusterSavedPreviewWindow *self)
{
  g_return_val_if_fail (MUSTER_IS_SAVED_PREVIEW_WINDOW (self), FALSE);
  return self->comparing || self->pushing;
}

guint
muster_saved_preview_window_get_runs_finished (MusterSavedPreviewWindow *self)
{
  g_return_val_if_fail (MUSTER_IS_SAVED_PREVIEW_WINDOW (self), 0);
  return self->syncs_finished;
}

const char *
muster_saved_preview_window_get_status (MusterSavedPreviewWindow *self)
{
  g_return_val_if_fail (MUSTER_IS_SAVED_PREVIEW_WINDOW (self), NULL);
  return self->sync_text;
}

GPtrArray *
muster_saved_preview_window_get_differences (MusterSavedPreviewWindow *self)
{
  g_return_val_if_fail (MUSTER_IS_SAVED_PREVIEW_WINDOW (self), NULL);
  return self->differences;
}

GPtrArray *
muster_saved_preview_window_get_left_out (MusterSavedPreviewWindow *self)
{
  g_return_val_if_fail (MUSTER_IS_SAVED_PREVIEW_WINDOW (self), NULL);
  return self->left_out;
}
