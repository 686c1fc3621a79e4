/* test-schedule.c: Automatic Sync in Preferences — the switch writes the profile's timer and
 * service, says how to enable them by hand where no systemd user manager runs, writes them again
 * for another interval and removes them when turned off; and app.open-page, the action behind a
 * scheduled run's notification, opens the window at the History run, the Preview or sign-in
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tests' session bus (build-aux/run-headless) has no systemd user manager, the case the
 * group then explains; the units go to the throw-away XDG_CONFIG_HOME.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "muster-application.h"
#include "muster-demo.h"
#include "muster-preferences-window.h"
#include "muster-schedule.h"
#include "muster-schedule-group.h"
#include "muster-target-store.h"
#include "muster-window-private.h"
#include "ui-test-util.h"

#define PROFILE "sched-ui"

static MusterApplication *app;
static char *temp_dir;

static MusterScheduleGroup *group;

/* Spins until the group is done reading or writing the timer. */
static void
wait_group (const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (muster_schedule_group_get_busy (group))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE) || (g_usleep (2000), TRUE);
    }
}

static char *
unit_path (const char *suffix)
{
  g_autofree char *dir = muster_schedule_dup_unit_dir ();
  g_autofree char *name = muster_schedule_dup_unit_name (PROFILE, suffix);

  return g_build_filename (dir, name, NULL);
}

static char *
read_unit (const char *suffix)
{
  g_autofree char *path = unit_path (suffix);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static void
test_preferences (void)
{
  g_autoptr(MusterTargetStore) targets = NULL;
  g_autoptr(MusterTargetInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store = g_build_filename (temp_dir, "people.db", NULL);
  g_autofree char *uri = g_strconcat ("sqlite:", store, NULL);
  g_autofree char *manual = muster_schedule_dup_manual_command (PROFILE);
  g_autofree char *shot = NULL, *shot2 = NULL;
  g_autofree char *service = NULL, *timer = NULL, *weekly = NULL;
  g_autofree char *timer_path = unit_path ("timer");
  g_autofree char *service_path = unit_path ("service");
  MusterPreferencesWindow *preferences;
  GtkWidget *toggle, *manual_row;

  if (!ui_test_init ())
    return;

  /* the profile has one named target */
  targets = muster_target_store_load (NULL, &error);
  g_assert_no_error (error);
  info = muster_target_store_add (targets, PROFILE, "people", uri, &error);
  g_assert_no_error (error);
  g_assert_true (muster_target_store_save (targets, &error));
  g_assert_no_error (error);

  preferences = muster_preferences_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (preferences), 800, 600);
  muster_preferences_window_set_profile (preferences, PROFILE, NULL);
  gtk_window_present (GTK_WINDOW (preferences));
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "targets");
  group = MUSTER_SCHEDULE_GROUP (ui_test_find (GTK_WIDGET (preferences), MUSTER_TYPE_SCHEDULE_GROUP, NULL));
  g_assert_nonnull (group);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (group)));
  wait_group ("the timer's state");

  /* off to begin with, and it says so */
  toggle = ui_test_find (GTK_WIDGET (group), GTK_TYPE_SWITCH, NULL);
  g_assert_nonnull (toggle);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (toggle)));
  g_assert_true (gtk_widget_is_sensitive (toggle));
  g_assert_true (g_str_has_prefix (muster_schedule_group_get_status_text (group), "Off"));
  g_assert_false (g_file_test (timer_path, G_FILE_TEST_EXISTS));

  /* on: the units are written; no manager here, so the commands to enable them are shown */
  gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
  ui_test_wait (50);
  wait_group ("the timer to be written");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (toggle)));
  g_assert_true (muster_schedule_group_get_enabled (group));
  service = read_unit ("service");
  timer = read_unit ("timer");
  g_assert_nonnull (strstr (service, "/muster-cli\" \"--profile\" \"" PROFILE "\" \"sync\" \"--target\" \"people\" "
                                     "\"--scheduled\"\n"));
  /* the muster-cli it runs is there to run: the build tree's, from here */
  {
    const char *start = strstr (service, "ExecStart=\"") + strlen ("ExecStart=\"");
    g_autofree char *cli = g_strndup (start, strchr (start, '"') - start);

    g_assert_true (g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE));
  }
  g_assert_nonnull (strstr (timer, "OnCalendar=daily"));
  g_assert_nonnull (strstr (timer, "Persistent=true"));
  g_assert_cmpstr (muster_schedule_group_get_manual_command (group), ==, manual);
  manual_row = ui_test_find (GTK_WIDGET (group), GTK_TYPE_BUTTON, NULL);
  g_assert_nonnull (manual_row);
  g_assert_nonnull (strstr (muster_schedule_group_get_status_text (group), "not running"));
  g_assert_nonnull (strstr (muster_schedule_group_get_status_text (group), "no run yet"));
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (preferences), "schedule-on");

  /* another interval while on: written again */
  {
    AdwComboRow *every = ADW_COMBO_ROW (ui_test_find (GTK_WIDGET (group), ADW_TYPE_COMBO_ROW, NULL));
    GtkWidget *next = gtk_widget_get_next_sibling (GTK_WIDGET (every));

    /* the first combo row is the target, the next the interval */
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (every)), ==, "_Target");
    g_assert_true (ADW_IS_COMBO_ROW (next));
    adw_combo_row_set_selected (ADW_COMBO_ROW (next), 2);
    ui_test_wait (50);
    wait_group ("the timer to be written again");
    weekly = read_unit ("timer");
    g_assert_nonnull (strstr (weekly, "OnCalendar=weekly"));
  }

  /* a new window reads the same state back */
  {
    MusterPreferencesWindow *again = muster_preferences_window_new (NULL);
    MusterScheduleGroup *first = group;

    muster_preferences_window_set_profile (again, PROFILE, NULL);
    group = MUSTER_SCHEDULE_GROUP (ui_test_find (GTK_WIDGET (again), MUSTER_TYPE_SCHEDULE_GROUP, NULL));
    wait_group ("the timer's state in a new window");
    g_assert_true (muster_schedule_group_get_enabled (group));
    g_assert_true (gtk_switch_get_active (GTK_SWITCH (ui_test_find (GTK_WIDGET (group), GTK_TYPE_SWITCH, NULL))));
    g_assert_cmpstr (muster_schedule_group_get_manual_command (group), ==, manual);
    gtk_window_destroy (GTK_WINDOW (again));
    group = first;
  }

  /* off: both units are gone */
  gtk_switch_set_active (GTK_SWITCH (toggle), FALSE);
  ui_test_wait (50);
  wait_group ("the timer to be removed");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (toggle)));
  g_assert_false (g_file_test (timer_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (service_path, G_FILE_TEST_EXISTS));
  g_assert_null (muster_schedule_group_get_manual_command (group));
  g_assert_true (g_str_has_prefix (muster_schedule_group_get_status_text (group), "Off"));
  ui_test_wait (300);
  shot2 = ui_test_save_screenshot (GTK_WIDGET (preferences), "schedule-off");
  gtk_window_destroy (GTK_WINDOW (preferences));
  group = NULL;
}

/* app.open-page ---------------------------------------------------------------------------- */

static MusterWindow *window;
static guint wanted_pushes;

static gboolean
planned (MusterWindow *w)
{
  return !w->previewing && _muster_window_get_plan (w) != NULL && _muster_window_get_push (w) == NULL && !w->push_waiting;
}

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
run_expanded (MusterWindow *w)
{
  return history_listed (w) && muster_history_page_get_run_expanded (w->history_page, 0);
}

static void
open_page (const char *profile,
           const char *page,
           const char *run_id)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "open-page", g_variant_new ("(sss)", profile, page, run_id));
}

static void
test_open_page (void)
{
  g_autofree char *run_id = NULL;
  g_autofree char *shot = NULL, *shot2 = NULL, *shot3 = NULL;

  if (!ui_test_init ())
    return;
  g_setenv ("MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "open-page"));
  g_assert_true (g_variant_type_equal (g_action_group_get_action_parameter_type (G_ACTION_GROUP (app), "open-page"),
                                       G_VARIANT_TYPE ("(sss)")));

  window = muster_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (200);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.explore-demo", NULL));
  ui_test_wait_for (window, ui_test_showing_tenant, 60, "the tenant page");
  ui_test_wait_for (window, ui_test_store_ready, 30, "the snapshot cache");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh-directory", NULL));
  ui_test_wait_for (window, ui_test_fetched, 120, "the directory");

  /* one push, so that the History has a run to open */
  adw_view_stack_set_visible_child_name (window->view_stack, "preview");
  ui_test_wait_for (window, planned, 60, "the preview");
  wanted_pushes = window->pushes_finished + 1;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.push-add", NULL));
  ui_test_wait (50);
  ui_test_wait_for (window, push_finished, 120, "the push");
  adw_view_stack_set_visible_child_name (window->view_stack, "history");
  ui_test_wait_for (window, history_listed, 30, "the history");
  run_id = g_strdup (muster_history_page_get_run (window->history_page, 0)->id);
  g_assert_false (muster_history_page_get_run_expanded (window->history_page, 0));

  /* a partial run: the History, with that run open */
  adw_view_stack_set_visible_child_name (window->view_stack, "users");
  ui_test_wait (100);
  open_page (MUSTER_DEMO_PROFILE_NAME, "history", run_id);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->view_stack), ==, "history");
  ui_test_wait_for (window, run_expanded, 30, "the run to open");
  g_assert_cmpstr (muster_history_page_get_run (window->history_page, 0)->id, ==, run_id);
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "schedule-open-history");

  /* refused by the safety limit: the Preview, planned again */
  open_page (MUSTER_DEMO_PROFILE_NAME, "preview", run_id);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->view_stack), ==, "preview");
  g_assert_true (window->previewing);
  ui_test_wait_for (window, planned, 60, "the preview");
  ui_test_wait (300);
  shot2 = ui_test_save_screenshot (GTK_WIDGET (window), "schedule-open-preview");

  /* a profile that is not there: the window stays where it is */
  open_page ("no-such-profile", "history", "");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->view_stack), ==, "preview");

  /* sign-in needed: the window signs in */
  open_page (MUSTER_DEMO_PROFILE_NAME, "sign-in", "");
  g_assert_true (window->signing_in);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->main_stack), ==, "sign-in");
  shot3 = ui_test_save_screenshot (GTK_WIDGET (window), "schedule-open-sign-in");
  ui_test_wait_for (window, ui_test_showing_tenant, 60, "the tenant page after signing in");
  g_assert_false (window->signing_in);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  temp_dir = g_dir_make_tmp ("muster-test-schedule-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (temp_dir, "data", NULL);
  g_mkdir (data_dir, 0700);
  g_setenv ("MUSTER_DATA_DIR", data_dir, TRUE);

  app = ui_test_new_application ();
  g_test_add_func ("/ui/schedule/preferences", test_preferences);
  g_test_add_func ("/ui/schedule/open-page", test_open_page);
  status = g_test_run ();

  if (app != NULL)
    {
      muster_demo_shutdown (muster_application_get_demo_tenant (app));
      g_object_unref (app);
    }
  return status;
}
