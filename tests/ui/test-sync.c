/* test-sync.c: the sync workflow in the window on the demo tenant — the Preview page gives the
 * engine's totals for the same snapshot, rules and target; a push into the demo's SQLite store
 * shows progress, its result and a History entry, and the store holds the users; a plan over the
 * safety limit is refused with the engine's explanation; Preview Sync previews a selection
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "muster-application.h"
#include "muster-demo.h"
#include "muster-sqlite-target.h"
#include "muster-window-private.h"
#include "ui-test-util.h"

static MusterApplication *app;
static char *temp_dir;
static MusterWindow *window;
static guint pushed_creates;

static MusterDemo *
demo (void)
{
  return muster_application_get_demo_tenant (app);
}

static gboolean
planned (MusterWindow *w)
{
  return !w->previewing && _muster_window_get_plan (w) != NULL && _muster_window_get_push (w) == NULL && !w->push_waiting;
}

static gboolean
push_started (MusterWindow *w)
{
  return _muster_window_get_push (w) != NULL;
}

static guint wanted_pushes;

static gboolean
push_finished (MusterWindow *w)
{
  return w->pushes_finished >= wanted_pushes && _muster_window_get_push (w) == NULL;
}

static gboolean
history_listed (MusterWindow *w)
{
  return !muster_history_page_get_loading (w->history_page) && muster_history_page_get_n_runs (w->history_page) > 0;
}

static gboolean
window_made (void)
{
  if (window != NULL)
    return TRUE;
  g_test_skip ("no window: the first test could not make one");
  return FALSE;
}

static void
state_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  MusterTargetState **state = user_data;
  g_autoptr(GError) error = NULL;

  *state = muster_target_read_state_finish (MUSTER_TARGET (source), result, &error);
  g_assert_no_error (error);
}

/* What the demo's SQLite store holds now, read through a separate target of the same file. */
static MusterTargetState *
read_sqlite_store (MusterTarget **out_target)
{
  g_autofree char *path = muster_demo_dup_sqlite_path (demo ());
  MusterSqliteTarget *target = muster_sqlite_target_new (path);
  MusterTargetState *state = NULL;

  muster_target_read_state_async (MUSTER_TARGET (target), NULL, state_read_cb, &state);
  while (state == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (out_target != NULL)
    *out_target = MUSTER_TARGET (target);
  else
    g_object_unref (target);
  return state;
}

/* The engine's own plan for the window's snapshot, the saved rules and the store as it is. */
static MusterPlan *
engine_plan (const MusterPlanOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterRules) rules = muster_rules_load (MUSTER_DEMO_PROFILE_NAME, &error);
  g_autoptr(MusterTarget) target = NULL;
  g_autoptr(MusterTargetState) state = NULL;

  g_assert_no_error (error);
  state = read_sqlite_store (&target);
  return muster_plan_new (_muster_window_get_snapshot (window), rules, state, muster_target_get_features (target), options);
}

static char *
expected_summary (const MusterPlanTotals *t)
{
  g_autofree char *groups = NULL;
  char *text = g_strdup_printf ("%u to create, %u to update, %u to disable, %u to delete, %u unchanged, %u skipped",
                                t->create, t->update, t->disable, t->delete, t->unchanged, t->skipped);

  if (t->groups_create + t->members_add + t->members_remove == 0)
    return text;
  groups = g_strdup_printf ("%s; groups: %u to create, %u members to add, %u to remove", text, t->groups_create,
                            t->members_add, t->members_remove);
  g_free (text);
  return g_steal_pointer (&groups);
}

static void
assert_totals_equal (const MusterPlanTotals *shown,
                     const MusterPlanTotals *engine)
{
  g_assert_cmpuint (shown->create, ==, engine->create);
  g_assert_cmpuint (shown->update, ==, engine->update);
  g_assert_cmpuint (shown->disable, ==, engine->disable);
  g_assert_cmpuint (shown->delete, ==, engine->delete);
  g_assert_cmpuint (shown->unchanged, ==, engine->unchanged);
  g_assert_cmpuint (shown->skipped, ==, engine->skipped);
  g_assert_cmpuint (shown->groups_create, ==, engine->groups_create);
  g_assert_cmpuint (shown->members_add, ==, engine->members_add);
  g_assert_cmpuint (shown->members_remove, ==, engine->members_remove);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GtkWidget *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel))
        return GTK_WIDGET (toplevel);
    }
  return NULL;
}

static void
test_preview_totals (void)
{
  g_autoptr(MusterPlan) engine = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *shot = NULL;
  const MusterPlanTotals *totals;
  GPtrArray *items;
  guint not_in_target = 0;

  if (!ui_test_init ())
    return;
  g_setenv ("MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);

  window = muster_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (200);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.explore-demo", NULL));
  ui_test_wait_for (window, ui_test_showing_tenant, 60, "the tenant page");
  ui_test_wait_for (window, ui_test_store_ready, 30, "the snapshot cache");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh-directory", NULL));
  ui_test_wait_for (window, ui_test_fetched, 120, "the directory");

  /* the view switcher's Preview page reads the first target, the demo's SQLite store */
  adw_view_stack_set_visible_child_name (window->view_stack, "preview");
  g_assert_true (window->previewing);
  ui_test_wait_for (window, planned, 60, "the preview");
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_LABEL, "Demo SQLite store (people.db)"));

  engine = engine_plan (NULL);
  totals = muster_plan_get_totals (_muster_window_get_plan (window));
  assert_totals_equal (totals, muster_plan_get_totals (engine));
  /* an empty store: something to create, nothing to disable */
  g_assert_cmpuint (totals->create, >, 0);
  g_assert_cmpuint (totals->disable, ==, 0);
  summary = expected_summary (totals);
  g_assert_cmpstr (muster_preview_page_get_summary_text (window->preview_page), ==, summary);
  /* the admin reads the same numbers */
  {
    g_autofree char *shown = g_strdup_printf ("%u to create   %u to update   %u to disable   %u to delete   "
                                              "%u unchanged   %u skipped",
                                              totals->create, totals->update, totals->disable, totals->delete,
                                              totals->unchanged, totals->skipped);

    if (totals->groups_create + totals->members_add + totals->members_remove == 0)
      g_assert_nonnull (ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_LABEL, shown));
    else
      g_assert_nonnull (strstr (muster_preview_page_get_summary_text (window->preview_page), "groups: "));
  }
  g_assert_null (muster_preview_page_get_refusal_text (window->preview_page));

  /* the add-only push names its count; the target has nobody to update or disable */
  {
    g_autofree char *add = g_strdup_printf ("Add %u Users", totals->create);

    g_assert_nonnull (ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_BUTTON, add));
    g_assert_true (gtk_widget_is_sensitive (ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_BUTTON, add)));
  }

  /* every user is listed; the filters narrow the list the way the totals say */
  items = muster_plan_get_items (_muster_window_get_plan (window));
  g_assert_cmpuint (g_list_model_get_n_items (muster_preview_page_get_shown (window->preview_page)), ==, items->len);
  muster_preview_page_set_action_filter (window->preview_page, MUSTER_PLAN_ACTION_CREATE);
  g_assert_cmpuint (g_list_model_get_n_items (muster_preview_page_get_shown (window->preview_page)), ==, totals->create);
  muster_preview_page_set_action_filter (window->preview_page, MUSTER_PLAN_ACTION_SKIPPED);
  g_assert_cmpuint (g_list_model_get_n_items (muster_preview_page_get_shown (window->preview_page)), ==, totals->skipped);
  muster_preview_page_set_action_filter (window->preview_page, -1);
  for (guint i = 0; i < items->len; i++)
    not_in_target += ((MusterPlanItem *) items->pdata[i])->current == NULL;
  muster_preview_page_set_only_new (window->preview_page, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (muster_preview_page_get_shown (window->preview_page)), ==, not_in_target);
  muster_preview_page_set_only_new (window->preview_page, FALSE);
  {
    const MusterPlanItem *sample = items->pdata[0];

    muster_preview_page_set_search (window->preview_page, sample->display_name);
    g_assert_cmpuint (g_list_model_get_n_items (muster_preview_page_get_shown (window->preview_page)), >=, 1);
    muster_preview_page_set_search (window->preview_page, "no such user, surely");
    g_assert_cmpuint (g_list_model_get_n_items (muster_preview_page_get_shown (window->preview_page)), ==, 0);
    muster_preview_page_set_search (window->preview_page, NULL);
  }
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "sync-preview");

  /* Why? tells the first user's steps, as the engine explains them */
  {
    GtkWidget *why = ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_MENU_BUTTON, NULL);
    const MusterPlanItem *first = items->pdata[0];
    GtkPopover *popover;
    const char *steps;
    g_autofree char *why_shot = NULL;

    g_assert_nonnull (why);
    gtk_menu_button_popup (GTK_MENU_BUTTON (why));
    ui_test_wait (400);
    popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (why));
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
    steps = gtk_label_get_text (GTK_LABEL (gtk_popover_get_child (popover)));
    g_assert_nonnull (strstr (steps, first->explanation->pdata[0]));
    g_assert_nonnull (strstr (steps, first->explanation->pdata[first->explanation->len - 1]));
    why_shot = ui_test_save_screenshot (GTK_WIDGET (popover), "sync-why");
    gtk_menu_button_popdown (GTK_MENU_BUTTON (why));
  }
}

static void
test_push_and_history (void)
{
  g_autoptr(MusterTargetState) state = NULL;
  g_autofree char *shot = NULL;
  g_autofree char *shot2 = NULL;
  g_autofree char *shot3 = NULL;
  g_autofree char *shot4 = NULL;
  const MusterHistoryRun *run;
  guint creates, managed = 0;
  GPtrArray *users;

  if (!window_made ())
    return;
  adw_view_stack_set_visible_child_name (window->view_stack, "preview");
  ui_test_wait_for (window, planned, 60, "the preview");
  creates = muster_plan_get_totals (_muster_window_get_plan (window))->create;

  wanted_pushes = window->pushes_finished + 1;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.push-add", NULL));
  ui_test_wait_for (window, push_started, 30, "the push to start");
  /* progress in the page and in the header, and Cancel */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->push_indicator)));
  g_assert_true (g_str_has_prefix (muster_preview_page_get_push_text (window->preview_page), "Pushing: "));
  g_assert_true (gtk_widget_is_sensitive (ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_BUTTON, "Cancel Push")));
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "sync-push-progress");

  ui_test_wait_for (window, push_finished, 120, "the push");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->push_indicator)));
  g_assert_true (g_str_has_prefix (muster_preview_page_get_push_text (window->preview_page), "Pushed: "));
  g_assert_nonnull (window->push_failures);
  g_assert_cmpuint (window->push_failures->len, ==, 0);
  /* the preview is made again from what the store holds now: nobody is left to create */
  ui_test_wait_for (window, planned, 60, "the preview after the push");
  g_assert_cmpuint (muster_plan_get_totals (_muster_window_get_plan (window))->create, ==, 0);
  g_assert_cmpuint (muster_plan_get_totals (_muster_window_get_plan (window))->unchanged, ==, creates);
  ui_test_wait (300);
  shot2 = ui_test_save_screenshot (GTK_WIDGET (window), "sync-push-result");

  /* the SQLite file holds the users */
  state = read_sqlite_store (NULL);
  users = muster_target_state_get_users (state);
  for (guint i = 0; i < users->len; i++)
    managed += ((MusterTargetUser *) users->pdata[i])->external_id != NULL;
  g_assert_cmpuint (managed, ==, creates);
  pushed_creates = creates;

  /* and the History page has the run */
  adw_view_stack_set_visible_child_name (window->view_stack, "history");
  ui_test_wait_for (window, history_listed, 30, "the history");
  g_assert_cmpuint (muster_history_page_get_n_runs (window->history_page), ==, 1);
  run = muster_history_page_get_run (window->history_page, 0);
  g_assert_cmpint (run->state, ==, MUSTER_RUN_STATE_COMPLETED);
  g_assert_cmpuint (run->counts.create, ==, creates);
  g_assert_cmpuint (run->failed, ==, 0);
  g_assert_cmpstr (run->profile, ==, MUSTER_DEMO_PROFILE_NAME);
  g_assert_true (g_str_has_prefix (run->target_uri, "sqlite:"));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->history_page), GTK_TYPE_LABEL, "Completed"));
  ui_test_wait (200);
  shot3 = ui_test_save_screenshot (GTK_WIDGET (window), "sync-history");
  muster_history_page_expand_run (window->history_page, 0);
  ui_test_wait (800);
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (ui_test_find (GTK_WIDGET (window->history_page),
                                                                                 ADW_TYPE_EXPANDER_ROW, NULL))));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->history_page), GTK_TYPE_LABEL, "Done"));
  shot4 = ui_test_save_screenshot (GTK_WIDGET (window), "sync-history-run");

  /* the export writes every run with its results */
  {
    g_autofree char *path = g_build_filename (temp_dir, "history.json", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *contents = NULL;
    g_autoptr(JsonNode) node = NULL;
    JsonArray *runs;

    muster_history_page_export_async (window->history_page, file, NULL, export_done_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (muster_history_page_export_finish (window->history_page, result, &error));
    g_assert_no_error (error);
    g_assert_nonnull (ui_test_find (GTK_WIDGET (window->history_page), GTK_TYPE_LABEL,
                                    "History exported to “history.json”"));
    g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
    g_assert_no_error (error);
    node = json_from_string (contents, &error);
    g_assert_no_error (error);
    runs = json_object_get_array_member (json_node_get_object (node), "runs");
    g_assert_cmpuint (json_array_get_length (runs), ==, 1);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_array_get_object_element (runs, 0),
                                                                           "results")), >=, creates);
  }
}

static void
test_safety_limit (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterPlan) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) refusal = NULL;
  g_autofree char *shot = NULL;
  g_autofree char *shot2 = NULL;
  GtkWidget *dialog;
  guint runs;

  if (!window_made ())
    return;
  g_assert_cmpuint (pushed_creates, >, 0);

  /* guests and unlicensed people, pushed before, are now out of scope: a tiny limit refuses that */
  muster_rules_set_exclude_guests (rules, TRUE);
  muster_rules_set_exclude_unlicensed (rules, TRUE);
  muster_rules_set_safety_limit (rules, 1, 0);
  g_assert_true (muster_rules_save (rules, MUSTER_DEMO_PROFILE_NAME, &error));
  g_assert_no_error (error);

  adw_view_stack_set_visible_child_name (window->view_stack, "preview");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh-preview", NULL));
  ui_test_wait_for (window, planned, 60, "the preview under the new rules");

  engine = engine_plan (NULL);
  assert_totals_equal (muster_plan_get_totals (_muster_window_get_plan (window)), muster_plan_get_totals (engine));
  g_assert_cmpuint (muster_plan_get_totals (_muster_window_get_plan (window))->disable, >, 1);
  g_assert_false (muster_plan_check_safety_limit (engine, 1, 0, &refusal));
  g_assert_error (refusal, MUSTER_PLAN_ERROR, MUSTER_PLAN_ERROR_SAFETY_LIMIT);

  /* the refusal is shown in the engine's words, and only Push Anyway… can push it */
  g_assert_nonnull (window->plan_refusal);
  g_assert_nonnull (muster_preview_page_get_refusal_text (window->preview_page));
  g_assert_nonnull (strstr (muster_preview_page_get_refusal_text (window->preview_page), refusal->message));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_LABEL,
                                  muster_preview_page_get_refusal_text (window->preview_page)));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.push-sync", NULL);
  g_assert_null (_muster_window_get_push (window));
  g_assert_false (window->push_waiting);
  g_assert_true (gtk_widget_get_visible (ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_BUTTON, "Sync")));
  g_assert_false (gtk_widget_is_sensitive (ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_BUTTON, "Sync")));
  g_assert_false (gtk_widget_is_sensitive (ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_BUTTON,
                                                         "Update Existing Users")));
  g_assert_true (gtk_widget_is_sensitive (ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_BUTTON,
                                                        "Push Anyway…")));
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "sync-refused");

  /* Push Anyway asks first; cancelling pushes nothing */
  runs = window->pushes_finished;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.push-anyway", NULL));
  ui_test_wait (300);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Push Over the Safety Limit?");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "push"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==, "cancel");
  shot2 = ui_test_save_screenshot (dialog, "sync-push-anyway");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  ui_test_wait (300);
  g_assert_null (_muster_window_get_push (window));
  g_assert_cmpuint (window->pushes_finished, ==, runs);

  /* back to the default rules for the next test */
  {
    g_autofree char *path = muster_rules_get_path (MUSTER_DEMO_PROFILE_NAME);

    g_assert_cmpint (g_unlink (path), ==, 0);
  }
}

/* POSTs @json to the demo's fake SCIM control API (loopback test plumbing). */
static void
control_scim (const char *method,
              const char *what,
              const char *json)
{
  g_autofree char *scim = muster_demo_dup_scim_url (demo ());
  g_autofree char *base = g_strndup (scim, strlen (scim) - strlen ("/scim/v2"));
  g_autofree char *url = g_strconcat (base, "/_fake/scim/", what, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  if (json != NULL)
    {
      g_autoptr(GBytes) request = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (message, "application/json", request);
    }
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 204);
}

/* The demo's SCIM service: a push where one user fails shows the service's words, and Retry
 * Failed pushes just that user once the service accepts it. */
static void
test_scim_retry_failed (void)
{
  GtkWidget *dropdown;
  g_autofree char *uri = NULL;
  g_autofree char *rule = NULL;
  g_autofree char *shot = NULL;
  g_autofree char *shot2 = NULL;
  const MusterPlanItem *victim = NULL;
  const MusterOperationResult *failure;
  GPtrArray *items;
  guint creates;

  if (!window_made ())
    return;

  adw_view_stack_set_visible_child_name (window->view_stack, "preview");
  ui_test_wait_for (window, planned, 60, "the preview");
  dropdown = ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_DROP_DOWN, NULL);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 1);
  g_assert_true (window->previewing);
  ui_test_wait_for (window, planned, 60, "the preview of the SCIM service");
  uri = muster_target_get_uri (_muster_window_get_target (window));
  g_assert_true (g_str_has_prefix (uri, "scim:http://127.0.0.1"));
  creates = muster_plan_get_totals (_muster_window_get_plan (window))->create;
  g_assert_cmpuint (creates, ==, pushed_creates);

  items = muster_plan_get_items (_muster_window_get_plan (window));
  for (guint i = 0; i < items->len && victim == NULL; i++)
    if (((MusterPlanItem *) items->pdata[i])->action == MUSTER_PLAN_ACTION_CREATE)
      victim = items->pdata[i];
  g_assert_nonnull (victim);
  rule = g_strdup_printf ("{\"userName\":\"%s\",\"status\":400,\"times\":1}", victim->desired->user_name);
  control_scim ("POST", "fail-users", rule);

  wanted_pushes = window->pushes_finished + 1;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.push-add", NULL));
  ui_test_wait_for (window, push_finished, 120, "the push into the SCIM service");
  g_assert_true (g_str_has_prefix (muster_preview_page_get_push_text (window->preview_page), "Pushed with failures: "));
  g_assert_cmpuint (window->push_failures->len, >=, 1);
  failure = window->push_failures->pdata[0];
  g_assert_cmpstr (failure->operation->user->external_id, ==, victim->id);
  g_assert_nonnull (failure->error);
  /* the service's own words, listed under the user */
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_LABEL, failure->error->message));
  ui_test_wait_for (window, planned, 60, "the preview after the push");
  g_assert_true (gtk_widget_is_sensitive (ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_BUTTON,
                                                        "Retry Failed")));
  g_assert_cmpuint (muster_plan_get_totals (_muster_window_get_plan (window))->create, ==, 1);
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "sync-scim-failures");

  /* the rule fired once: Retry Failed plans that user again and pushes only them */
  wanted_pushes = window->pushes_finished + 1;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.retry-failed", NULL));
  ui_test_wait_for (window, push_finished, 120, "the retry");
  g_assert_cmpstr (muster_preview_page_get_push_text (window->preview_page), ==, "Pushed: 1 change made");
  g_assert_cmpuint (window->push_failures->len, ==, 0);
  ui_test_wait_for (window, planned, 60, "the preview after the retry");
  g_assert_cmpuint (muster_plan_get_totals (_muster_window_get_plan (window))->create, ==, 0);
  /* and the preview is of everyone again */
  g_assert_null (window->preview_only_ids);
  g_assert_cmpuint (muster_plan_get_totals (_muster_window_get_plan (window))->unchanged + muster_plan_get_totals (_muster_window_get_plan (window))->update,
                    ==, creates);
  ui_test_wait (300);
  shot2 = ui_test_save_screenshot (GTK_WIDGET (window), "sync-scim-retried");
  control_scim ("DELETE", "fail-users", NULL);

  /* both pushes are in the History, into the SCIM service */
  adw_view_stack_set_visible_child_name (window->view_stack, "history");
  ui_test_wait_for (window, history_listed, 30, "the history");
  ui_test_wait (300);
  while (muster_history_page_get_loading (window->history_page))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (muster_history_page_get_n_runs (window->history_page), >=, 3);
  g_assert_cmpint (muster_history_page_get_run (window->history_page, 0)->state, ==, MUSTER_RUN_STATE_COMPLETED);
  g_assert_cmpint (muster_history_page_get_run (window->history_page, 1)->state, ==, MUSTER_RUN_STATE_PARTIAL);
  g_assert_true (g_str_has_prefix (muster_history_page_get_run (window->history_page, 1)->target_uri, "scim:"));
}

static gboolean
push_progressed (MusterWindow *w)
{
  return _muster_window_get_push (w) == NULL || (g_str_has_prefix (muster_preview_page_get_push_text (w->preview_page), "Pushing: ") &&
                             !g_str_has_prefix (muster_preview_page_get_push_text (w->preview_page), "Pushing: 0 of"));
}

/* Cancel stops a slow push between batches; the History records it as cancelled. */
static void
test_scim_cancel (void)
{
  const MusterPlanTotals *totals;
  const MusterHistoryRun *run;
  g_autofree char *shot = NULL;

  if (!window_made ())
    return;

  /* everyone becomes an administrator: an update for every user the earlier pushes made */
  {
    g_autoptr(MusterRules) rules = muster_rules_new ();
    g_autoptr(GError) error = NULL;

    muster_rules_set_default_user_type (rules, MUSTER_USER_TYPE_ADMINISTRATOR);
    g_assert_true (muster_rules_save (rules, MUSTER_DEMO_PROFILE_NAME, &error));
    g_assert_no_error (error);
  }
  window->preview_stale = TRUE;
  adw_view_stack_set_visible_child_name (window->view_stack, "preview");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh-preview", NULL));
  ui_test_wait_for (window, planned, 60, "the preview");
  totals = muster_plan_get_totals (_muster_window_get_plan (window));
  g_assert_cmpuint (totals->update, >, 60);

  control_scim ("POST", "latency", "{\"ms\":150}");
  wanted_pushes = window->pushes_finished + 1;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.push-update", NULL));
  ui_test_wait_for (window, push_started, 30, "the push to start");
  ui_test_wait_for (window, push_progressed, 60, "the first batch");
  g_assert_nonnull (_muster_window_get_push (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-push", NULL));
  ui_test_wait_for (window, push_finished, 120, "the cancelled push");
  control_scim ("POST", "latency", "{\"ms\":0}");
  g_assert_true (g_str_has_prefix (muster_preview_page_get_push_text (window->preview_page), "Push cancelled: "));
  ui_test_wait_for (window, planned, 60, "the preview after the cancel");
  /* part was done, the rest is still to do */
  g_assert_cmpuint (muster_plan_get_totals (_muster_window_get_plan (window))->update, >, 0);
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "sync-scim-cancelled");

  adw_view_stack_set_visible_child_name (window->view_stack, "history");
  ui_test_wait (300);
  while (muster_history_page_get_loading (window->history_page))
    g_main_context_iteration (NULL, TRUE);
  run = muster_history_page_get_run (window->history_page, 0);
  g_assert_cmpint (run->state, ==, MUSTER_RUN_STATE_CANCELLED);
  g_assert_cmpuint (run->done, <, run->total);
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->history_page), GTK_TYPE_LABEL, "Cancelled"));

  /* back to the default rules for the next test */
  {
    g_autofree char *path = muster_rules_get_path (MUSTER_DEMO_PROFILE_NAME);

    g_assert_cmpint (g_unlink (path), ==, 0);
  }
}

static void
test_preview_selection (void)
{
  GListModel *users;
  g_autoptr(MusterUser) first = NULL;
  g_autoptr(GListModel) selected = NULL;
  g_autoptr(GHashTable) chosen = g_hash_table_new (g_str_hash, g_str_equal);
  GtkWidget *entry;
  GtkWidget *button;
  GPtrArray *items;
  g_autofree char *shot = NULL;
  g_autofree char *shot2 = NULL;
  guint n_chosen, not_chosen = 0;

  if (!window_made ())
    return;

  /* the admin searches a department, selects everyone shown and presses Preview Sync */
  adw_view_stack_set_visible_child_name (window->view_stack, "users");
  users = muster_snapshot_get_users (_muster_window_get_snapshot (window));
  first = g_list_model_get_item (users, 0);
  entry = ui_test_find (GTK_WIDGET (window->users_page), GTK_TYPE_SEARCH_ENTRY, NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), muster_user_get_display_name (first));
  ui_test_wait (400);
  while (muster_users_page_get_filtering (window->users_page))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->users_page), "users.select-all", NULL));
  selected = muster_users_page_dup_selected (window->users_page);
  n_chosen = g_list_model_get_n_items (selected);
  g_assert_cmpuint (n_chosen, >=, 1);
  g_assert_cmpuint (n_chosen, <, g_list_model_get_n_items (users));
  for (guint i = 0; i < n_chosen; i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (selected, i);

      g_hash_table_add (chosen, (gpointer) muster_user_get_id (user));
    }
  ui_test_wait (300);
  button = ui_test_find (GTK_WIDGET (window->users_page), GTK_TYPE_BUTTON, "Preview Sync");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "sync-selection");
  gtk_widget_activate (button);
  ui_test_wait (400);  /* a button clicks once its activation has shown */

  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->view_stack), ==, "preview");
  ui_test_wait_for (window, planned, 60, "the preview of the selection");
  items = muster_plan_get_items (_muster_window_get_plan (window));
  for (guint i = 0; i < items->len; i++)
    {
      const MusterPlanItem *item = items->pdata[i];

      if (g_hash_table_contains (chosen, item->id))
        g_assert_cmpstr (item->reason, !=, "not among the chosen users");
      else
        {
          g_assert_cmpint (item->action, ==, MUSTER_PLAN_ACTION_SKIPPED);
          g_assert_cmpstr (item->reason, ==, "not among the chosen users");
          not_chosen++;
        }
    }
  g_assert_cmpuint (not_chosen, ==, items->len - n_chosen);
  /* the list shows the chosen users, and says so */
  g_assert_cmpuint (g_list_model_get_n_items (muster_preview_page_get_shown (window->preview_page)), ==, n_chosen);
  {
    g_autofree char *scope = g_strdup_printf (n_chosen == 1
                                              ? "A preview of %u chosen user: everyone else is left as they are."
                                              : "A preview of %u chosen users: everyone else is left as they are.",
                                              n_chosen);

    g_assert_true (gtk_widget_get_visible (ui_test_find (GTK_WIDGET (window->preview_page), GTK_TYPE_LABEL, scope)));
  }
  /* the chosen users were pushed before and are unchanged */
  g_assert_cmpuint (muster_plan_get_totals (_muster_window_get_plan (window))->unchanged, <=, n_chosen);
  g_assert_cmpuint (muster_plan_get_totals (_muster_window_get_plan (window))->disable, ==, 0);
  ui_test_wait (300);
  shot2 = ui_test_save_screenshot (GTK_WIDGET (window), "sync-selection-preview");

  /* the same page in the dark style */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  ui_test_wait (400);
  g_free (shot2);
  shot2 = ui_test_save_screenshot (GTK_WIDGET (window), "sync-selection-preview-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_destroy (GTK_WINDOW (window));
  window = NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  temp_dir = g_dir_make_tmp ("muster-test-sync-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (temp_dir, "data", NULL);
  g_mkdir (data_dir, 0700);
  g_setenv ("MUSTER_DATA_DIR", data_dir, TRUE);

  app = ui_test_new_application ();
  /* in this order: each step works on the window the first one made */
  g_test_add_func ("/ui/sync/preview-totals", test_preview_totals);
  g_test_add_func ("/ui/sync/push-and-history", test_push_and_history);
  g_test_add_func ("/ui/sync/safety-limit", test_safety_limit);
  g_test_add_func ("/ui/sync/scim-retry-failed", test_scim_retry_failed);
  g_test_add_func ("/ui/sync/scim-cancel", test_scim_cancel);
  g_test_add_func ("/ui/sync/preview-selection", test_preview_selection);
  status = g_test_run ();

  if (app != NULL)
    {
      muster_demo_shutdown (demo ());
      g_object_unref (app);
    }
  /* the demo's pushes stayed in its own folder */
  g_assert_false (g_file_test (g_build_filename (data_dir, "history.db", NULL), G_FILE_TEST_EXISTS));
  return status;
}
