/* test-saved-preview-sync.c: a saved preview compared with now and pushed later from its window
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On the demo tenant: the window previews a sync into the demo's empty SQLite store and saves
 * the preview; then one user of it is pushed into the store behind its back (the target changed
 * since). The saved preview, opened in its own window, compares with now — that user is the one
 * difference — and pushes: every other saved change is made, that user is left alone and named,
 * and nobody is there twice.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "muster-application.h"
#include "muster-demo.h"
#include "muster-saved-preview-window.h"
#include "muster-sqlite-target.h"
#include "muster-window-private.h"
#include "ui-test-util.h"

static MusterApplication *app;
static char *temp_dir;

static gboolean
planned (MusterWindow *w)
{
  return !w->previewing && _muster_window_get_plan (w) != NULL && _muster_window_get_push (w) == NULL && !w->push_waiting;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static MusterTargetState *
read_store (MusterTarget *target)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MusterTargetState *state;

  muster_target_read_state_async (target, NULL, store_result_cb, &result);
  state = muster_target_read_state_finish (target, wait_result (&result), &error);
  g_assert_no_error (error);
  return state;
}

/* Pushes @id alone into the demo's store, the way another admin's push would. */
static void
push_one_behind_its_back (MusterWindow *window,
                          const char   *id)
{
  g_autofree char *path = muster_demo_dup_sqlite_path (muster_application_get_demo_tenant (app));
  g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (path);
  g_autoptr(MusterTargetState) state = read_store (MUSTER_TARGET (target));
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterRules) rules = muster_rules_load (MUSTER_DEMO_PROFILE_NAME, &error);
  const char *only[] = { id, NULL };
  MusterPlanOptions options = { MUSTER_PLAN_MODE_SYNC, FALSE, only };
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;

  g_autofree char *history_path = g_build_filename (muster_demo_get_folder (muster_application_get_demo_tenant (app)),
                                                    "history.db", NULL);
  g_autoptr(MusterHistory) history = NULL;

  g_assert_no_error (error);
  history = muster_history_open (history_path, &error);
  g_assert_no_error (error);
  plan = muster_plan_new (_muster_window_get_snapshot (window), rules, state,
                          muster_target_get_features (MUSTER_TARGET (target)), &options);
  g_assert_cmpuint (muster_plan_get_totals (plan)->create, ==, 1);
  push = muster_push_new (MUSTER_TARGET (target), plan, history, MUSTER_DEMO_PROFILE_NAME, NULL);
  muster_push_run_async (push, NULL, store_result_cb, &result);
  summary = muster_push_run_finish (push, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->failed, ==, 0);
}

static void
count_cb (guint *count)
{
  (*count)++;
}

static void
wait_for_runs (MusterSavedPreviewWindow *window,
               guint                     runs,
               const char               *what)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (muster_saved_preview_window_get_runs_finished (window) < runs)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s; the window says: %s", what,
                 muster_saved_preview_window_get_status (window));
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* The message dialog on top of @parent, waiting for it up to a few seconds. */
static AdwMessageDialog *
wait_for_dialog (GtkWindow *parent)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      GListModel *toplevels = gtk_window_get_toplevels ();

      for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
        {
          g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

          if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel)) &&
              gtk_window_get_transient_for (GTK_WINDOW (toplevel)) == parent)
            return ADW_MESSAGE_DIALOG (toplevel);
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_error ("no dialog came");
  return NULL;
}

static void
test_compare_and_push (void)
{
  MusterWindow *window;
  MusterSavedPreviewWindow *saved_window;
  g_autoptr(GFile) file = NULL;
  g_autoptr(MusterPreviewFile) preview = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTargetState) after = NULL;
  g_autoptr(GHashTable) external_ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *path = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *shot = NULL;
  const MusterPlanItem *changed = NULL;
  const MusterPreviewDifference *difference;
  AdwMessageDialog *dialog;
  GPtrArray *items, *users;
  guint saved_creates;

  if (!ui_test_init ())
    return;
  /* the demo signs in through a browser: the test's own, which follows the redirects */
  g_setenv ("MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);

  window = muster_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.explore-demo", NULL));
  ui_test_wait_for (window, ui_test_showing_tenant, 60, "the tenant page");
  ui_test_wait_for (window, ui_test_store_ready, 30, "the snapshot cache");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh-directory", NULL));
  ui_test_wait_for (window, ui_test_fetched, 120, "the directory");
  adw_view_stack_set_visible_child_name (window->view_stack, "preview");
  ui_test_wait_for (window, planned, 60, "the preview");

  /* Save Preview… into a file */
  path = g_build_filename (temp_dir, "later.muster-preview", NULL);
  file = g_file_new_for_path (path);
  {
    guint saved = 0;
    gulong handler = g_signal_connect_swapped (window, "preview-saved", G_CALLBACK (count_cb), &saved);

    _muster_window_save_preview (window, file);
    while (saved == 0)
      g_main_context_iteration (NULL, TRUE);
    g_signal_handler_disconnect (window, handler);
  }
  muster_preview_file_load_async (file, NULL, store_result_cb, &result);
  preview = muster_preview_file_load_finish (wait_result (&result), &error);
  g_assert_no_error (error);
  saved_creates = muster_plan_get_totals (muster_preview_file_get_plan (preview))->create;
  g_assert_cmpuint (saved_creates, >, 2);

  /* someone else pushes one of the users to create before this preview is pushed */
  items = muster_plan_get_items (muster_preview_file_get_plan (preview));
  for (guint i = 0; i < items->len && changed == NULL; i++)
    if (((MusterPlanItem *) items->pdata[i])->action == MUSTER_PLAN_ACTION_CREATE)
      changed = items->pdata[i];
  g_assert_nonnull (changed);
  push_one_behind_its_back (window, changed->id);

  /* the preview opened in its own window: compare */
  saved_window = muster_saved_preview_window_new (GTK_APPLICATION (app), file, preview);
  gtk_window_set_default_size (GTK_WINDOW (saved_window), 800, 600);
  gtk_window_present (GTK_WINDOW (saved_window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (saved_window), "win.compare-preview", NULL));
  g_assert_true (muster_saved_preview_window_get_busy (saved_window));
  wait_for_runs (saved_window, 1, "the comparison");
  g_assert_false (muster_saved_preview_window_get_busy (saved_window));
  g_assert_nonnull (muster_saved_preview_window_get_differences (saved_window));
  /* exactly that user differs: it was to be created and is in the target now */
  g_assert_cmpuint (muster_saved_preview_window_get_differences (saved_window)->len, ==, 1);
  difference = g_ptr_array_index (muster_saved_preview_window_get_differences (saved_window), 0);
  g_assert_cmpstr (difference->id, ==, changed->id);
  g_assert_cmpint (difference->saved_action, ==, MUSTER_PLAN_ACTION_CREATE);
  g_assert_cmpint (difference->fresh_action, ==, MUSTER_PLAN_ACTION_UNCHANGED);
  g_assert_cmpstr (muster_saved_preview_window_get_status (saved_window), ==, "1 user or group would now be different");
  dialog = wait_for_dialog (GTK_WINDOW (saved_window));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Compared With Now");
  g_assert_nonnull (ui_test_find (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW, NULL));
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (dialog), "saved-preview-compare");
  adw_message_dialog_response (dialog, "close");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* push: the question names the user left alone; the answer pushes the rest */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (saved_window), "win.push-preview", NULL));
  dialog = wait_for_dialog (GTK_WINDOW (saved_window));
  {
    g_autofree char *heading = g_strdup_printf ("Push %u Changes?", saved_creates - 1);

    g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, heading);
  }
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "1 user changed in the target since the preview"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), changed->user_principal_name));
  g_clear_pointer (&shot, g_free);
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (dialog), "saved-preview-push-question");
  adw_message_dialog_response (dialog, "push");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_for_runs (saved_window, 2, "the push");
  g_assert_nonnull (strstr (muster_saved_preview_window_get_status (saved_window), "Pushed: "));
  g_assert_nonnull (strstr (muster_saved_preview_window_get_status (saved_window), "partial push: 1 user"));
  g_assert_cmpuint (muster_saved_preview_window_get_left_out (saved_window)->len, ==, 1);
  g_clear_pointer (&shot, g_free);
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (saved_window), "saved-preview-pushed");

  /* the store holds every saved create once, the one pushed behind its back included */
  store_path = muster_demo_dup_sqlite_path (muster_application_get_demo_tenant (app));
  {
    g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (store_path);

    after = read_store (MUSTER_TARGET (target));
  }
  users = muster_target_state_get_users (after);
  g_assert_cmpuint (users->len, ==, saved_creates);
  for (guint i = 0; i < users->len; i++)
    {
      MusterTargetUser *user = users->pdata[i];

      g_assert_nonnull (user->external_id);
      g_assert_true (g_hash_table_add (external_ids, user->external_id));  /* nobody twice */
    }
  for (guint i = 0; i < items->len; i++)
    if (((MusterPlanItem *) items->pdata[i])->action == MUSTER_PLAN_ACTION_CREATE)
      g_assert_true (g_hash_table_contains (external_ids, ((MusterPlanItem *) items->pdata[i])->id));

  /* pushed again, nothing of the preview is left to make */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (saved_window), "win.push-preview", NULL));
  dialog = wait_for_dialog (GTK_WINDOW (saved_window));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Push 0 Changes?");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "push"));
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_for_runs (saved_window, 3, "the answer");
  g_assert_cmpstr (muster_saved_preview_window_get_status (saved_window), ==, "Nothing was pushed");

  gtk_window_destroy (GTK_WINDOW (saved_window));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *history = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  temp_dir = g_dir_make_tmp ("muster-test-saved-preview-sync-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (temp_dir, "data", NULL);
  g_mkdir (data_dir, 0700);
  g_setenv ("MUSTER_DATA_DIR", data_dir, TRUE);

  app = ui_test_new_application ();
  g_test_add_func ("/ui/saved-preview/compare-and-push", test_compare_and_push);
  status = g_test_run ();

  if (app != NULL)
    {
      muster_demo_shutdown (muster_application_get_demo_tenant (app));
      g_object_unref (app);
    }
  /* the demo's pushes stayed in its own folder */
  history = g_build_filename (data_dir, "history.db", NULL);
  g_assert_false (g_file_test (history, G_FILE_TEST_EXISTS));
  return status;
}
