/* test-setup-assistant.c: the setup assistant walked to a working target on the demo tenant —
 * a SQLite file, then the demo's SCIM service with a wrong token refused and the right one kept
 * in the keyring only
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "muster-application.h"
#include "muster-demo.h"
#include "muster-group.h"
#include "muster-keyring.h"
#include "muster-preferences-window.h"
#include "muster-rules.h"
#include "muster-schedule.h"
#include "muster-setup-assistant-private.h"
#include "muster-target-store.h"
#include "muster-window-private.h"
#include "ui-test-util.h"

static MusterApplication *app;
static char *temp_dir;
static char *data_dir;
static MusterWindow *window;
static MusterSetupAssistant *assistant;  /* weak */
static char *added_target;

static gboolean
assistant_shown (MusterWindow *w)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (MUSTER_IS_SETUP_ASSISTANT (toplevel) && gtk_widget_get_mapped (GTK_WIDGET (toplevel)))
        {
          assistant = MUSTER_SETUP_ASSISTANT (toplevel);
          g_object_add_weak_pointer (toplevel, (gpointer *) &assistant);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
assistant_idle (MusterWindow *w)
{
  return assistant == NULL || !muster_setup_assistant_get_busy (assistant);
}

static gboolean
assistant_gone (MusterWindow *w)
{
  return assistant == NULL;
}

static void
target_added_cb (MusterWindow *w,
                 const char   *name)
{
  g_free (added_target);
  added_target = g_strdup (name);
}

static void
open_assistant (void)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.setup-sync", NULL));
  ui_test_wait_for (window, assistant_shown, 30, "the setup assistant");
  ui_test_wait (300);
  g_assert_cmpstr (muster_setup_assistant_get_step (assistant), ==, "target");
}

static gboolean
next_enabled (void)
{
  return gtk_widget_get_sensitive (GTK_WIDGET (assistant->next_button));
}

/* Next, as the admin clicks it, and what the header then says */
static void
next (const char *expected_step,
      const char *expected_title)
{
  g_assert_true (next_enabled ());
  gtk_widget_activate (GTK_WIDGET (assistant->next_button));
  ui_test_wait (300);  /* the button's press */
  while (gtk_stack_get_transition_running (assistant->stack))  /* the slide */
    g_main_context_iteration (NULL, TRUE);
  ui_test_wait (100);
  g_assert_cmpstr (muster_setup_assistant_get_step (assistant), ==, expected_step);
  g_assert_nonnull (strstr (adw_window_title_get_subtitle (assistant->window_title), expected_title));
}

static void
shot_of (GtkWidget  *widget,
         const char *name)
{
  g_autofree char *path = ui_test_save_screenshot (widget, name);

  g_test_message ("screenshot: %s", path);
}

static void
shot (const char *name)
{
  shot_of (GTK_WIDGET (assistant), name);
}

static char *
read_text (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&text);
}

static guint
find_index (const char * const *names,
            const char         *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], name))
      return i;
  g_assert_not_reached ();
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Reads the target's state the way a push does: through the target store. */
static MusterTargetState *
read_target (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTargetStore) store = muster_target_store_load (NULL, &error);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(MusterTarget) target = NULL;
  g_autoptr(GAsyncResult) state_result = NULL;
  MusterTargetState *state;

  g_assert_no_error (error);
  muster_target_store_open_target_async (store, MUSTER_DEMO_PROFILE_NAME, name, NULL, NULL,
                                         store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  target = muster_target_store_open_target_finish (store, result, NULL, &error);
  g_assert_no_error (error);
  muster_target_read_state_async (target, NULL, store_result_cb, &state_result);
  while (state_result == NULL)
    g_main_context_iteration (NULL, TRUE);
  state = muster_target_read_state_finish (target, state_result, &error);
  g_assert_no_error (error);
  return state;
}

static MusterGroup *
first_group_with_members (void)
{
  GListModel *groups = muster_snapshot_get_groups (_muster_window_get_snapshot (window));

  for (guint i = 0; i < g_list_model_get_n_items (groups); i++)
    {
      g_autoptr(MusterGroup) group = g_list_model_get_item (groups, i);

      if (muster_group_get_transitive_member_count (group) > 0)
        return group;
    }
  g_assert_not_reached ();
}

static void
test_sign_in (void)
{
  const char *browser = g_getenv ("MUSTER_TEST_BROWSER");

  if (!ui_test_init ())
    return;
  g_assert_nonnull (browser);
  g_setenv ("MUSTER_BROWSER", browser, TRUE);

  window = muster_window_new (app);
  g_signal_connect (window, "target-added", G_CALLBACK (target_added_cb), NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (200);
  /* no profile shown: nothing to set up */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.setup-sync", NULL);
  ui_test_wait (300);
  g_assert_false (assistant_shown (window));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.explore-demo", NULL));
  ui_test_wait_for (window, ui_test_showing_tenant, 60, "the tenant page");
  ui_test_wait_for (window, ui_test_store_ready, 30, "the snapshot cache");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh-directory", NULL));
  ui_test_wait_for (window, ui_test_fetched, 120, "the directory");
}

static void
test_cancel (void)
{
  g_autofree char *targets = g_build_filename (data_dir, "targets.ini", NULL);

  if (window == NULL)
    {
      g_test_skip ("no window");
      return;
    }
  open_assistant ();
  muster_setup_assistant_set_file (assistant, "/tmp/never-made.db");
  /* Escape closes it; nothing is saved */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (assistant), "window.close", NULL));
  ui_test_wait_for (window, assistant_gone, 10, "the assistant to close");
  g_assert_false (g_file_test (targets, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test ("/tmp/never-made.db", G_FILE_TEST_EXISTS));
}

static void
test_sqlite (void)
{
  g_autofree char *db = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *targets = NULL;
  g_autofree char *targets_text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterRules) saved = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  const char * const *attributes = muster_target_attribute_names ();
  const char * const *sources = muster_rules_field_sources ();
  MusterGroup *group;
  GtkCheckButton *check;
  GroupRuleRow *rule_row;
  GPtrArray *mapping;
  const MusterGroupRule *rule;
  guint count = 0, percent = 0;
  gboolean found_department = FALSE, found_title = FALSE;

  if (window == NULL)
    {
      g_test_skip ("no window");
      return;
    }
  db = g_build_filename (temp_dir, "people.db", NULL);
  csv = g_build_filename (temp_dir, "deny.csv", NULL);
  g_assert_true (g_file_set_contents (csv, "email,reason\nceo@example.com,board\n@contractors.example,agency\n",
                                      -1, NULL));
  group = first_group_with_members ();

  /* 1: the target — Next waits for a file */
  open_assistant ();
  g_assert_false (next_enabled ());
  g_assert_cmpstr (adw_window_title_get_subtitle (assistant->window_title), ==, "Step 1 of 8 · Target");
  muster_setup_assistant_set_file (assistant, db);  /* where the file chooser would ask */
  g_assert_cmpstr (adw_action_row_get_subtitle (assistant->file_row), ==, db);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (assistant->name_row)), ==, "people");
  shot ("setup-1-target-sqlite");

  /* 2: scope */
  next ("scope", "Scope");
  check = g_hash_table_lookup (assistant->group_checks, muster_group_get_id (group));
  g_assert_nonnull (check);
  gtk_editable_set_text (GTK_EDITABLE (assistant->group_search), muster_group_get_display_name (group));
  ui_test_wait (400);
  g_assert_true (gtk_widget_get_child_visible (gtk_widget_get_ancestor (GTK_WIDGET (check), GTK_TYPE_LIST_BOX_ROW)));
  gtk_widget_activate (GTK_WIDGET (check));
  g_assert_true (gtk_check_button_get_active (check));
  gtk_editable_set_text (GTK_EDITABLE (assistant->group_search), "");
  gtk_switch_set_active (assistant->guests_switch, TRUE);
  gtk_switch_set_active (assistant->disabled_switch, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (assistant->deny_entry_row), "intern@example.com");
  g_signal_emit_by_name (assistant->deny_entry_row, "apply");
  _muster_setup_assistant_import_deny_file (assistant, csv);
  while (assistant->deny->len < 3)
    g_main_context_iteration (NULL, TRUE);
  ui_test_wait (300);
  g_assert_nonnull (ui_test_find (GTK_WIDGET (assistant->deny_list), ADW_TYPE_ACTION_ROW, NULL));
  shot ("setup-2-scope");

  /* 3: the email method */
  next ("email", "Email Address");
  g_assert_true (gtk_check_button_get_active (assistant->email_mail_or_upn_check));  /* the default */
  gtk_widget_activate (GTK_WIDGET (assistant->email_upn_check));
  shot ("setup-3-email");

  /* 4: fields — the defaults preselected, then department from the company, no title */
  next ("fields", "Fields");
  g_assert_cmpuint (adw_combo_row_get_selected (g_ptr_array_index (assistant->field_rows,
                                                                   find_index (attributes, MUSTER_ATTR_DEPARTMENT))),
                    ==, find_index (sources, "department") + 1);
  adw_combo_row_set_selected (g_ptr_array_index (assistant->field_rows, find_index (attributes, MUSTER_ATTR_DEPARTMENT)),
                              find_index (sources, "companyName") + 1);
  adw_combo_row_set_selected (g_ptr_array_index (assistant->field_rows, find_index (attributes, MUSTER_ATTR_TITLE)), 0);
  shot ("setup-4-fields");

  /* 5: groups, types and roles */
  next ("groups", "Groups and Roles");
  g_assert_cmpuint (assistant->group_rows->len, ==, 1);
  rule_row = g_ptr_array_index (assistant->group_rows, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (gtk_widget_get_ancestor (GTK_WIDGET (rule_row->target_row),
                                                                                                 ADW_TYPE_EXPANDER_ROW))),
                   ==, muster_group_get_display_name (group));
  gtk_editable_set_text (GTK_EDITABLE (rule_row->target_row), "Synced Staff");
  adw_combo_row_set_selected (rule_row->type_row, MUSTER_USER_TYPE_ADMINISTRATOR + 1);
  gtk_editable_set_text (GTK_EDITABLE (rule_row->roles_row), "editor, reviewer");
  gtk_editable_set_text (GTK_EDITABLE (assistant->default_roles_row), "viewer");
  shot ("setup-5-groups");

  /* Back and Next keep every choice */
  gtk_widget_activate (GTK_WIDGET (assistant->back_button));
  ui_test_wait (300);
  while (gtk_stack_get_transition_running (assistant->stack))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (muster_setup_assistant_get_step (assistant), ==, "fields");
  g_assert_cmpuint (adw_combo_row_get_selected (g_ptr_array_index (assistant->field_rows,
                                                                   find_index (attributes, MUSTER_ATTR_DEPARTMENT))),
                    ==, find_index (sources, "companyName") + 1);
  next ("groups", "Groups and Roles");
  rule_row = g_ptr_array_index (assistant->group_rows, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (rule_row->target_row)), ==, "Synced Staff");

  /* 6: the safety limit */
  next ("limit", "Safety Limit");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (assistant->limit_count_spin), ==, 50);
  gtk_spin_button_set_value (assistant->limit_count_spin, 12);
  gtk_spin_button_set_value (assistant->limit_percent_spin, 20);
  shot ("setup-6-limit");

  /* 7: automatic sync, off unless asked for; on, every week */
  next ("schedule", "Automatic Sync");
  g_assert_false (gtk_switch_get_active (assistant->schedule_switch));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (assistant->schedule_every_row)));
  gtk_switch_set_active (assistant->schedule_switch, TRUE);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (assistant->schedule_every_row)));
  adw_combo_row_set_selected (assistant->schedule_every_row, 2);
  shot ("setup-7-schedule");

  /* 8: the summary says what Finish saves */
  next ("summary", "Summary");
  g_assert_cmpstr (gtk_button_get_label (assistant->next_button), ==, "_Finish");
  {
    g_autofree char *target_text = g_strdup_printf ("“people”: the SQLite file %s", db);
    g_autofree char *scope_prefix = g_strdup_printf ("Members of %s", muster_group_get_display_name (group));
    AdwActionRow *scope_row = ADW_ACTION_ROW (assistant->summary_rows[1]);

    g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (assistant->summary_rows[0])), ==, target_text);
    g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (scope_row), scope_prefix));
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (scope_row), "3 addresses on the deny list"));
    g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (assistant->summary_rows[6])), ==,
                     "At most 12 people or 20 % of the target disabled or deleted a push");
    g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (assistant->summary_rows[7])), ==,
                     "Every week, into “people”, by a timer of your session");
  }
  shot ("setup-7-summary");

  g_assert_true (next_enabled ());
  gtk_widget_activate (GTK_WIDGET (assistant->next_button));
  ui_test_wait_for (window, assistant_gone, 30, "Finish to save and close");
  g_assert_cmpstr (added_target, ==, "people");

  /* the timer is written for the new target; with no systemd user manager on the tests' bus,
   * a dialog over the window gives the commands that enable it */
  {
    g_autofree char *dir = muster_schedule_dup_unit_dir ();
    g_autofree char *name = muster_schedule_dup_unit_name (MUSTER_DEMO_PROFILE_NAME, "timer");
    g_autofree char *timer = g_build_filename (dir, name, NULL);
    g_autofree char *text = read_text (timer);
    g_autofree char *manual = muster_schedule_dup_manual_command (MUSTER_DEMO_PROFILE_NAME);
    GListModel *toplevels = gtk_window_get_toplevels ();
    GtkWidget *dialog = NULL;

    g_assert_nonnull (strstr (text, "OnCalendar=weekly"));
    for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
      {
        g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

        if (ADW_IS_MESSAGE_DIALOG (toplevel) &&
            g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (toplevel)), "Automatic Sync Is Not On Yet") == 0)
          dialog = GTK_WIDGET (toplevel);
      }
    g_assert_nonnull (dialog);
    g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Automatic Sync Is Not On Yet");
    g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), manual));
    for (guint i = 0; i < 50 && gtk_widget_get_width (dialog) == 0; i++)
      ui_test_wait (100);
    ui_test_wait (300);
    shot_of (dialog, "setup-8-schedule-manual");
    gtk_window_destroy (GTK_WINDOW (dialog));
    g_unlink (timer);
    g_free (name);
    name = muster_schedule_dup_unit_name (MUSTER_DEMO_PROFILE_NAME, "service");
    g_free (timer);
    timer = g_build_filename (dir, name, NULL);
    g_unlink (timer);
  }

  /* the target is in targets.ini */
  targets = g_build_filename (data_dir, "targets.ini", NULL);
  targets_text = read_text (targets);
  g_assert_nonnull (strstr (targets_text, "people"));
  g_assert_nonnull (strstr (targets_text, db));

  /* the rules file holds the choices */
  saved = muster_rules_load (MUSTER_DEMO_PROFILE_NAME, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length ((char **) muster_rules_get_groups (saved)), ==, 1);
  g_assert_cmpstr (muster_rules_get_groups (saved)[0], ==, muster_group_get_id (group));
  g_assert_true (muster_rules_get_exclude_guests (saved));
  g_assert_true (muster_rules_get_exclude_disabled (saved));
  g_assert_false (muster_rules_get_exclude_unlicensed (saved));
  g_assert_true (g_strv_contains (muster_rules_get_deny_list (saved), "intern@example.com"));
  g_assert_true (g_strv_contains (muster_rules_get_deny_list (saved), "ceo@example.com"));
  g_assert_true (g_strv_contains (muster_rules_get_deny_list (saved), "@contractors.example"));
  g_assert_cmpint (muster_rules_get_email_method (saved), ==, MUSTER_EMAIL_METHOD_UPN);
  mapping = muster_rules_get_field_mapping (saved);
  for (guint i = 0; i < mapping->len; i++)
    {
      MusterFieldMapping *pair = g_ptr_array_index (mapping, i);

      if (g_str_equal (pair->attribute, MUSTER_ATTR_DEPARTMENT))
        found_department = g_str_equal (pair->source, "companyName");
      if (g_str_equal (pair->attribute, MUSTER_ATTR_TITLE))
        found_title = TRUE;
    }
  g_assert_true (found_department);
  g_assert_false (found_title);
  mapping = muster_rules_get_group_mapping (saved);
  g_assert_cmpuint (mapping->len, ==, 1);
  g_assert_cmpstr (((MusterGroupMapping *) g_ptr_array_index (mapping, 0))->target_group, ==, "Synced Staff");
  rule = muster_rules_lookup_group_rule (saved, muster_group_get_id (group));
  g_assert_nonnull (rule);
  g_assert_true (rule->has_user_type);
  g_assert_cmpint (rule->user_type, ==, MUSTER_USER_TYPE_ADMINISTRATOR);
  g_assert_cmpstrv (rule->roles, ((const char *[]) { "editor", "reviewer", NULL }));
  g_assert_cmpstrv (muster_rules_get_default_roles (saved), ((const char *[]) { "viewer", NULL }));
  g_assert_true (muster_rules_get_safety_limit (saved, &count, &percent));
  g_assert_cmpuint (count, ==, 12);
  g_assert_cmpuint (percent, ==, 20);

  /* the target works: a new store, read as a push would */
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));
  state = read_target ("people");
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 0);
}

static gboolean
contains_in_tree (const char *dir,
                  const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (contains_in_tree (path, needle))
            return TRUE;
        }
      else if (g_file_get_contents (path, &contents, &length, NULL)
               && g_strstr_len (contents, length, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_scim (void)
{
  MusterDemo *demo;
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;
  g_autofree char *targets_text = NULL;
  g_autofree char *targets = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autofree char *expected_target = NULL;
  const char *subtitle;

  if (window == NULL)
    {
      g_test_skip ("no window");
      return;
    }
  demo = muster_application_get_demo_tenant (app);
  url = muster_demo_dup_scim_url (demo);
  token = g_strdup (muster_demo_get_scim_token (demo));
  g_assert_nonnull (url);
  g_assert_nonnull (token);

  open_assistant ();
  gtk_widget_activate (GTK_WIDGET (assistant->scim_check));
  ui_test_wait (200);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (assistant->scim_group)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (assistant->sqlite_group)));
  /* the demo offers its own service */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (assistant->url_row)), ==, url);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (assistant->name_row)), ==, "127-0-0-1");
  gtk_editable_set_text (GTK_EDITABLE (assistant->name_row), "demo-scim");
  g_assert_false (next_enabled ());  /* not tested yet */

  /* a wrong token: the service's refusal in words, and no way on */
  gtk_editable_set_text (GTK_EDITABLE (assistant->token_row), "not-the-token");
  g_signal_emit_by_name (assistant->test_button, "clicked");
  g_assert_true (muster_setup_assistant_get_busy (assistant));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (assistant->test_spinner)));
  ui_test_wait_for (window, assistant_idle, 30, "Test Connection");
  subtitle = adw_action_row_get_subtitle (assistant->test_row);
  g_test_message ("wrong token: %s", subtitle);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (assistant->test_icon)));
  g_assert_cmpstr (gtk_image_get_icon_name (assistant->test_icon), ==, "dialog-error-symbolic");
  g_assert_cmpstr (subtitle, !=, "Not tested yet");
  g_assert_cmpstr (subtitle, !=, "Testing…");
  g_assert_false (g_str_has_prefix (subtitle, "Connected"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (assistant->test_spinner)));
  g_assert_false (next_enabled ());
  ui_test_wait (200);
  shot ("setup-1-target-scim-refused");

  /* the right one */
  gtk_editable_set_text (GTK_EDITABLE (assistant->token_row), token);
  gtk_editable_set_text (GTK_EDITABLE (assistant->roles_row), "viewer, editor");
  g_signal_emit_by_name (assistant->test_button, "clicked");
  ui_test_wait_for (window, assistant_idle, 30, "Test Connection");
  g_assert_cmpstr (adw_action_row_get_subtitle (assistant->test_row), ==,
                   "Connected: the service answered and accepted the token");
  g_assert_cmpstr (gtk_image_get_icon_name (assistant->test_icon), ==, "emblem-ok-symbolic");
  ui_test_wait (200);
  shot ("setup-1-target-scim-connected");
  /* changing the token again asks for another test */
  gtk_editable_set_text (GTK_EDITABLE (assistant->token_row), "x");
  g_assert_false (next_enabled ());
  gtk_editable_set_text (GTK_EDITABLE (assistant->token_row), token);
  g_signal_emit_by_name (assistant->test_button, "clicked");
  ui_test_wait_for (window, assistant_idle, 30, "Test Connection");

  /* the rules saved a moment ago are where the steps start */
  next ("scope", "Scope");
  g_assert_true (gtk_switch_get_active (assistant->guests_switch));
  next ("email", "Email Address");
  g_assert_true (gtk_check_button_get_active (assistant->email_upn_check));
  next ("fields", "Fields");
  next ("groups", "Groups and Roles");
  next ("limit", "Safety Limit");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (assistant->limit_count_spin), ==, 12);
  next ("schedule", "Automatic Sync");
  next ("summary", "Summary");
  expected_target = g_strdup_printf ("“demo-scim”: the SCIM service at %s", url);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (assistant->summary_rows[0])), ==, expected_target);
  shot ("setup-7-summary-scim");
  gtk_widget_activate (GTK_WIDGET (assistant->next_button));
  ui_test_wait_for (window, assistant_gone, 30, "Finish to save and close");
  g_assert_cmpstr (added_target, ==, "demo-scim");

  /* targets.ini has the service and its roles, never the token; no file has it */
  targets = g_build_filename (data_dir, "targets.ini", NULL);
  targets_text = read_text (targets);
  g_assert_nonnull (strstr (targets_text, "demo-scim"));
  g_assert_nonnull (strstr (targets_text, url));
  g_assert_nonnull (strstr (targets_text, "editor"));
  g_assert_null (strstr (targets_text, token));
  g_assert_false (contains_in_tree (data_dir, token));
  g_assert_false (contains_in_tree (muster_demo_get_folder (demo), token));

  /* the token is in the keyring */
  muster_keyring_lookup_target_token_async (MUSTER_DEMO_PROFILE_NAME, "demo-scim", NULL,
                                            store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  stored = muster_keyring_lookup_target_token_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, token);

  /* the target works with the token from the keyring, and offers the roles given */
  state = read_target ("demo-scim");
  g_assert_true (g_strv_contains (muster_target_state_get_roles (state), "editor"));
  g_assert_true (g_strv_contains (muster_target_state_get_roles (state), "viewer"));
}

static void
test_name_taken (void)
{
  g_autofree char *db = NULL;

  if (window == NULL)
    {
      g_test_skip ("no window");
      return;
    }
  db = g_build_filename (temp_dir, "other.db", NULL);
  open_assistant ();
  muster_setup_assistant_set_file (assistant, db);
  gtk_editable_set_text (GTK_EDITABLE (assistant->name_row), "people");
  for (guint i = 0; i < 7; i++)
    {
      gtk_widget_activate (GTK_WIDGET (assistant->next_button));
      ui_test_wait (350);
    }
  g_assert_cmpstr (muster_setup_assistant_get_step (assistant), ==, "summary");
  gtk_widget_activate (GTK_WIDGET (assistant->next_button));
  ui_test_wait (400);
  ui_test_wait_for (window, assistant_idle, 30, "Finish");
  g_assert_nonnull (assistant);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (assistant->finish_error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (assistant->finish_error_label), "already has a target called “people”"));
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  ui_test_wait (200);
  shot ("setup-7-summary-name-taken");
  /* the same in the dark style */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  ui_test_wait (300);
  shot ("setup-7-summary-name-taken-dark");
  gtk_widget_activate (GTK_WIDGET (assistant->back_button));
  ui_test_wait (300);
  while (gtk_stack_get_transition_running (assistant->stack))
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 2; i++)
    {
      gtk_widget_activate (GTK_WIDGET (assistant->back_button));
      ui_test_wait (300);
      while (gtk_stack_get_transition_running (assistant->stack))
        g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpstr (muster_setup_assistant_get_step (assistant), ==, "groups");
  shot ("setup-5-groups-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_close (GTK_WINDOW (assistant));
  ui_test_wait_for (window, assistant_gone, 10, "the assistant to close");
}

/* The first row of @type under @root titled @title. */
static GtkWidget *
find_row (GtkWidget  *root,
          GType       type,
          const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, type, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *prefs_window;

static gboolean
targets_listed (MusterWindow *w)
{
  return find_row (prefs_window, ADW_TYPE_EXPANDER_ROW, "demo-scim") != NULL
         && find_row (prefs_window, ADW_TYPE_EXPANDER_ROW, "people") != NULL;
}

static gboolean
people_removed (MusterWindow *w)
{
  g_autofree char *path = g_build_filename (data_dir, "targets.ini", NULL);
  g_autofree char *text = NULL;

  g_file_get_contents (path, &text, NULL, NULL);
  return text != NULL && strstr (text, "people.db") == NULL
         && find_row (prefs_window, ADW_TYPE_EXPANDER_ROW, "people") == NULL;
}

static GtkWidget *scim_test_row;

static gboolean
scim_tested (MusterWindow *w)
{
  const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (scim_test_row));

  return g_strcmp0 (subtitle, "Testing…") != 0 && g_strcmp0 (subtitle, "Not tested yet") != 0;
}

static gboolean
limit_saved (MusterWindow *w)
{
  g_autoptr(MusterRules) rules = muster_rules_load (MUSTER_DEMO_PROFILE_NAME, NULL);
  guint count = 0, percent = 0;

  muster_rules_get_safety_limit (rules, &count, &percent);
  return count == 30;
}

static void
test_preferences (void)
{
  GtkWidget *scim_row, *people_row, *spin_row, *spin, *button;
  g_autoptr(MusterRules) rules = NULL;

  if (window == NULL)
    {
      g_test_skip ("no window");
      return;
    }
  prefs_window = GTK_WIDGET (muster_preferences_window_new (GTK_WINDOW (window)));
  g_object_add_weak_pointer (G_OBJECT (prefs_window), (gpointer *) &prefs_window);
  gtk_window_set_default_size (GTK_WINDOW (prefs_window), 640, 560);
  gtk_window_present (GTK_WINDOW (prefs_window));

  /* Sync: the rules the assistant saved */
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs_window), "sync");
  ui_test_wait (500);
  spin_row = find_row (prefs_window, ADW_TYPE_ACTION_ROW, "At Most This Many _People");
  g_assert_nonnull (spin_row);
  spin = ui_test_find (spin_row, GTK_TYPE_SPIN_BUTTON, NULL);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 12);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (find_row (prefs_window, ADW_TYPE_ACTION_ROW,
                                                                                  "Groups, Deny List, Fields and Group _Mapping"))),
                            "Members of 1 group · 3 on the deny list · 9 fields · 1 group mapped"));
  shot_of (prefs_window, "preferences-sync");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 30);
  ui_test_wait_for (window, limit_saved, 10, "the safety limit saved");

  /* Targets: both, with Test Connection and the SCIM roles */
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs_window), "targets");
  ui_test_wait_for (window, targets_listed, 10, "the targets");
  scim_row = find_row (prefs_window, ADW_TYPE_EXPANDER_ROW, "demo-scim");
  people_row = find_row (prefs_window, ADW_TYPE_EXPANDER_ROW, "people");
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (scim_row), TRUE);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (scim_row, ADW_TYPE_ENTRY_ROW,
                                                                   "Roles the Service Offers (comma-separated)"))),
                   ==, "editor, viewer");
  scim_test_row = find_row (scim_row, ADW_TYPE_ACTION_ROW, "Connection");
  button = ui_test_find (scim_test_row, GTK_TYPE_BUTTON, "Test Connection");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  ui_test_wait_for (window, scim_tested, 30, "Test Connection in Preferences");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (scim_test_row)), ==,
                   "Connected: the service answered and accepted the token");
  ui_test_wait (300);
  shot_of (prefs_window, "preferences-targets");

  /* Remove: the icon button has a name a screen reader says */
  button = ui_test_find (people_row, GTK_TYPE_BUTTON, NULL);
  while (button != NULL && gtk_widget_get_tooltip_text (button) == NULL)
    button = ui_test_find (gtk_widget_get_next_sibling (button), GTK_TYPE_BUTTON, NULL);
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Remove the target “people”");
  g_signal_emit_by_name (button, "clicked");
  ui_test_wait_for (window, people_removed, 10, "the target removed");

  /* the rest of the rules: the assistant's steps without the target */
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs_window), "sync");
  g_assert_true (gtk_widget_activate_action (prefs_window, "prefs.edit-rules", NULL));
  ui_test_wait_for (window, assistant_shown, 10, "the rules assistant");
  ui_test_wait (300);
  g_assert_cmpstr (muster_setup_assistant_get_step (assistant), ==, "scope");
  g_assert_cmpstr (adw_window_title_get_subtitle (assistant->window_title), ==, "Step 1 of 6 · Scope");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (assistant->back_button)));
  g_assert_true (gtk_switch_get_active (assistant->guests_switch));
  gtk_switch_set_active (assistant->guests_switch, FALSE);
  shot ("rules-2-scope");
  next ("email", "Email Address");
  next ("fields", "Fields");
  next ("groups", "Groups and Roles");
  next ("limit", "Safety Limit");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (assistant->limit_count_spin), ==, 30);
  next ("summary", "Summary");
  g_assert_null (assistant->summary_rows[0]);  /* no target here */
  shot ("rules-7-summary");
  gtk_widget_activate (GTK_WIDGET (assistant->next_button));
  ui_test_wait_for (window, assistant_gone, 30, "the rules saved");
  rules = muster_rules_load (MUSTER_DEMO_PROFILE_NAME, NULL);
  g_assert_nonnull (rules);
  g_assert_false (muster_rules_get_exclude_guests (rules));
  g_assert_true (muster_rules_get_exclude_disabled (rules));
  ui_test_wait (500);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (ui_test_find (find_row (prefs_window, ADW_TYPE_ACTION_ROW,
                                                                             "Leave Out _Guests"),
                                                                   GTK_TYPE_SWITCH, NULL))));
  gtk_window_destroy (GTK_WINDOW (prefs_window));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  temp_dir = g_dir_make_tmp ("muster-test-setup-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (temp_dir, "data", NULL);
  g_mkdir (data_dir, 0700);
  g_setenv ("MUSTER_DATA_DIR", data_dir, TRUE);

  app = ui_test_new_application ();
  /* in this order: each step works on the window the first one signed in */
  g_test_add_func ("/ui/setup/sign-in", test_sign_in);
  g_test_add_func ("/ui/setup/cancel", test_cancel);
  g_test_add_func ("/ui/setup/sqlite", test_sqlite);
  g_test_add_func ("/ui/setup/scim", test_scim);
  g_test_add_func ("/ui/setup/name-taken", test_name_taken);
  g_test_add_func ("/ui/setup/preferences", test_preferences);
  status = g_test_run ();

  if (app != NULL)
    {
      if (window != NULL)
        gtk_window_destroy (GTK_WINDOW (window));
      muster_demo_shutdown (muster_application_get_demo_tenant (app));
      g_object_unref (app);
    }
  return status;
}
