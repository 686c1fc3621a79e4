/* test-saved-preview.c: a saved .muster-preview opened in the app with no network, no profile
 * and an empty data folder; a damaged one
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The preview is made by the real plan engine and written by the real writer; the app opens it
 * the way `muster FILE` and Files do (GApplication's open), with the Graph and sign-in hosts
 * pointed at a port nobody listens on.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "muster-preview-file.h"
#include "muster-report-print.h"
#include "muster-saved-preview-window.h"
#include "muster-profile-store.h"
#include "muster-snapshot-private.h"
#include "muster-sqlite-target.h"
#include "muster-user-private.h"
#include "ui-test-util.h"

static MusterApplication *app;
static char *dir;

/* Four users: one new, one renamed in the target, one up to date, and a new one with a long
 * right-to-left name. */
static MusterPreviewFile *
make_preview_for (const char *target_uri)
{
  MusterSnapshotInfo info = { 3, (char *) "contoso", (char *) "11111111-2222-3333-4444-555555555555",
                              1764770400, 4, 0, FALSE };
  g_autoptr(MusterSnapshot) snapshot = _muster_snapshot_new (&info);
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) plan = NULL;
  const char *names[] = { "Ann Example", "Bo Renamed", "Cy Steady", "نور الهدى عبد الرحمن بن خالد المنصوري" };
  MusterPreviewFileInfo file_info = {
    .profile = "contoso",
    .tenant_name = "Contoso",
    .made_by = "ann@contoso.com",
    .target_uri = target_uri,
    .target_name = "people",
    .target_description = "SQLite store /srv/people.db",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *id = g_strdup_printf ("6e3f0c2a-0000-4000-8000-%012u", i);
      g_autofree char *upn = g_strdup_printf ("user%u@contoso.com", i);
      MusterUserFields fields = {
        .id = id, .display_name = names[i], .user_principal_name = upn, .mail = upn,
        .user_type = "Member", .account_enabled = TRUE,
      };

      _muster_snapshot_add_user (snapshot, _muster_user_new (&fields));
      if (i == 1 || i == 2)
        {
          g_autoptr(MusterTargetUser) user = muster_target_user_new ();

          user->id = g_strdup_printf ("%u", i);
          user->external_id = g_strdup (id);
          user->user_name = g_strdup (upn);
          user->active = TRUE;
          muster_target_user_set_attribute (user, MUSTER_ATTR_DISPLAY_NAME, i == 1 ? "Bo Old Name" : names[i]);
          muster_target_user_set_attribute (user, MUSTER_ATTR_EMAIL, upn);
          muster_target_state_add_user (state, user);
        }
    }
  _muster_snapshot_finish (snapshot);
  plan = muster_plan_new (snapshot, rules, state, 0, NULL);
  return muster_preview_file_new (plan, &file_info);
}

static MusterPreviewFile *
make_preview (void)
{
  return make_preview_for ("sqlite:/srv/people.db");
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWindow *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        found = window;
    }
  return found;
}

static GtkWindow *
wait_for_toplevel (GType type)
{
  GtkWindow *window = NULL;

  for (guint i = 0; i < 200 && window == NULL; i++)
    {
      ui_test_wait (50);
      window = find_toplevel (type);
    }
  return window;
}

/* The message dialog @parent shows, waiting for it up to ten seconds. */
static AdwMessageDialog *
wait_for_dialog_of (GtkWindow *parent)
{
  for (guint i = 0; i < 200; i++)
    {
      GListModel *toplevels = gtk_window_get_toplevels ();

      for (guint j = 0; j < g_list_model_get_n_items (toplevels); j++)
        {
          g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, j);

          if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
              gtk_window_get_transient_for (window) == parent)
            return ADW_MESSAGE_DIALOG (window);
        }
      ui_test_wait (50);
    }
  return NULL;
}

static void
open_file (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GFile *files[] = { file };

  /* what `muster FILE` and a double-click in Files do */
  g_application_open (G_APPLICATION (app), files, 1, "");
}

static void
test_open_offline (void)
{
  g_autoptr(MusterPreviewFile) preview = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = g_build_filename (dir, "sync.muster-preview", NULL);
  g_autofree char *shot = NULL;
  g_autofree char *data_entries = NULL;
  MusterSavedPreviewWindow *window;
  MusterPreviewPage *page;
  const char *notice;
  GtkWidget *heading;

  if (!ui_test_init ())
    return;

  preview = make_preview ();
  bytes = muster_preview_file_to_bytes (preview, TRUE);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL));

  open_file (path);
  window = MUSTER_SAVED_PREVIEW_WINDOW (wait_for_toplevel (MUSTER_TYPE_SAVED_PREVIEW_WINDOW));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  ui_test_wait (400);

  /* the notice, as a user reads it on screen */
  notice = muster_saved_preview_window_get_notice (window);
  g_assert_true (g_str_has_prefix (notice, "Saved preview — read only, made on "));
  g_assert_nonnull (strstr (notice, " for Contoso by ann@contoso.com"));
  heading = ui_test_find (GTK_WIDGET (window), GTK_TYPE_LABEL, notice);
  g_assert_nonnull (heading);
  g_assert_true (gtk_widget_get_mapped (heading));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                                MUSTER_TYPE_SAVED_PREVIEW_WINDOW,
                                                                                "details_label"))), ==,
                   "Target: SQLite store /srv/people.db · from the directory as it was on 3 December 2025, 14:00");

  /* how to compare and push it, with the file's own path */
  {
    g_autofree char *quoted = g_shell_quote (path);
    g_autofree char *push = g_strdup_printf ("“muster-cli push --preview %s” pushes it", quoted);
    const char *text = gtk_label_get_text (GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                                    MUSTER_TYPE_SAVED_PREVIEW_WINDOW,
                                                                                    "command_label")));

    g_assert_nonnull (strstr (text, push));
  }

  /* the saved plan, read only: its totals and users; no target to pick and nothing to push */
  page = muster_saved_preview_window_get_page (window);
  g_assert_true (muster_preview_page_get_read_only (page));
  g_assert_cmpstr (muster_preview_page_get_summary_text (page), ==,
                   "2 to create, 1 to update, 0 to disable, 0 to delete, 1 unchanged, 0 skipped");
  g_assert_cmpuint (g_list_model_get_n_items (muster_preview_page_get_shown (page)), ==, 4);
  g_assert_nonnull (ui_test_find (GTK_WIDGET (page), GTK_TYPE_LABEL, "Bo Renamed"));
  g_assert_null (ui_test_find (GTK_WIDGET (page), GTK_TYPE_BUTTON, "_Sync"));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page),
                                                                                     MUSTER_TYPE_PREVIEW_PAGE,
                                                                                     "target_bar"))));

  shot = ui_test_save_screenshot (GTK_WIDGET (window), "saved-preview-offline");
  g_assert_true (g_file_test (shot, G_FILE_TEST_IS_REGULAR));

  /* opening wrote nothing: the data folder stays empty */
  {
    g_autoptr(GDir) data = g_dir_open (g_getenv ("MUSTER_DATA_DIR"), 0, NULL);

    g_assert_nonnull (data);
    g_assert_null (g_dir_read_name (data));
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_open_damaged (void)
{
  g_autoptr(MusterPreviewFile) preview = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = g_build_filename (dir, "cut.muster-preview", NULL);
  g_autofree char *shot = NULL;
  GtkWindow *dialog;

  if (!ui_test_init ())
    return;

  preview = make_preview ();
  bytes = muster_preview_file_to_bytes (preview, FALSE);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes) / 2, NULL));

  open_file (path);
  dialog = wait_for_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Cannot Open “cut.muster-preview”");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "incomplete"));
  g_assert_null (find_toplevel (MUSTER_TYPE_SAVED_PREVIEW_WINDOW));
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (dialog), "saved-preview-damaged");
  g_assert_true (g_file_test (shot, G_FILE_TEST_IS_REGULAR));
  gtk_window_destroy (dialog);
}

static char *
pdf_text (const char *path)
{
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", "-layout", path, "-", NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static GtkWidget *
find_action_button (GtkWidget  *root,
                    const char *action)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action) == 0)
        return child;
      if ((found = find_action_button (child, action)) != NULL)
        return found;
    }
  return NULL;
}

/* A line of @text holding all of @words, in that order. */
static gboolean
has_line_with (const char         *text,
               const char * const *words)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *p = lines[i];

      for (guint w = 0; words[w] != NULL && p != NULL; w++)
        {
          p = strstr (p, words[w]);
          if (p != NULL)
            p += strlen (words[w]);
        }
      if (p != NULL)
        return TRUE;
    }
  return FALSE;
}

static MusterSavedPreviewWindow *
open_saved (const char *name)
{
  g_autoptr(MusterPreviewFile) preview = make_preview ();
  g_autoptr(GBytes) bytes = muster_preview_file_to_bytes (preview, TRUE);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  MusterSavedPreviewWindow *window;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL));
  open_file (path);
  window = MUSTER_SAVED_PREVIEW_WINDOW (wait_for_toplevel (MUSTER_TYPE_SAVED_PREVIEW_WINDOW));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  ui_test_wait (400);
  return window;
}

/* Print… ("Print to File") and Export Report… of the saved plan, with no profile and no network */
/* The first button under @root that activates @action. */
static GtkWidget *
find_actionable (GtkWidget  *root,
                 const char *action)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_actionable (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_report (void)
{
  g_autofree char *printed = g_build_filename (dir, "printed.pdf", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "exported.csv", NULL);
  g_autofree char *pdf_path = g_build_filename (dir, "exported.pdf", NULL);
  g_autofree char *shot = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterReport) report = NULL;
  g_autoptr(GtkPrintOperation) operation = NULL;
  MusterSavedPreviewWindow *window;
  GtkWidget *export_button, *print_button;
  GtkPrintOperationResult result;

  if (!ui_test_init ())
    return;
  {
    g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");

    if (pdftotext == NULL)
      {
        g_test_skip ("pdftotext (poppler-utils, see build-aux/install-deps) is not installed");
        return;
      }
  }

  window = open_saved ("report.muster-preview");

  /* the header bar's buttons, usable although the page is read only */
  export_button = find_action_button (GTK_WIDGET (window), "win.export-report");
  print_button = find_action_button (GTK_WIDGET (window), "win.print-report");
  g_assert_nonnull (export_button);
  g_assert_nonnull (print_button);
  g_assert_true (gtk_widget_get_mapped (export_button));
  g_assert_true (gtk_widget_get_mapped (print_button));
  g_assert_true (gtk_widget_is_sensitive (export_button));
  g_assert_true (gtk_widget_is_sensitive (print_button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (export_button), ==, "Export Report…");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (print_button), ==, "Print…");

  /* "Print to File": the pages Print… draws */
  report = muster_saved_preview_window_new_report (window);
  operation = muster_report_print_operation_new (report, MUSTER_REPORT_PAPER_A4, "sync-preview");
  gtk_print_operation_set_export_filename (operation, printed);
  result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_EXPORT, GTK_WINDOW (window), &error);
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, GTK_PRINT_OPERATION_RESULT_APPLY);
  {
    g_autofree char *text = pdf_text (printed);
    const char *tenant[] = { "Tenant", "Contoso", NULL };
    const char *target[] = { "Target", "SQLite store /srv/people.db", NULL };
    const char *totals[] = { "Create 2 · Update 1 · Disable 0 · Delete 0 · Unchanged 1 · Skipped 0", NULL };
    const char *bo[] = { "Update", "Bo Renamed", "user1@contoso.com", "displayName: Bo Old Name", NULL };
    const char *ann[] = { "Create", "Ann Example", "user0@contoso.com", "not in the target yet", NULL };

    g_assert_true (has_line_with (text, tenant));
    g_assert_true (has_line_with (text, target));
    g_assert_true (has_line_with (text, totals));
    g_assert_true (has_line_with (text, bo));
    g_assert_true (has_line_with (text, ann));
    /* the unchanged user is counted, not listed */
    g_assert_null (strstr (text, "Cy Steady"));
  }

  /* Export Report… as CSV and as PDF: the file is written, a toast says so */
  {
    g_autoptr(GFile) file = g_file_new_for_path (csv_path);
    g_autofree char *csv = NULL;

    g_assert_false (muster_saved_preview_window_export (window, file, "no-such-format"));
    g_assert_true (muster_saved_preview_window_export (window, file, "csv"));
    g_assert_true (muster_saved_preview_window_get_exporting (window));
    g_assert_false (gtk_widget_is_sensitive (export_button));
    for (guint i = 0; i < 200 && muster_saved_preview_window_get_exporting (window); i++)
      ui_test_wait (50);
    g_assert_false (muster_saved_preview_window_get_exporting (window));
    g_assert_true (gtk_widget_is_sensitive (export_button));
    g_assert_true (g_file_get_contents (csv_path, &csv, NULL, &error));
    g_assert_no_error (error);
    g_assert_nonnull (strstr (csv, "Bo Renamed"));
    g_assert_nonnull (strstr (csv, "user1@contoso.com"));
    ui_test_wait (300);
    g_assert_nonnull (ui_test_find (GTK_WIDGET (window), GTK_TYPE_LABEL, "Saved the report as exported.csv"));
    /* …with Open, which opens that file */
    {
      GtkWidget *open = find_actionable (GTK_WIDGET (window), "win.open-report");
      g_autofree char *uri = g_file_get_uri (file);

      g_assert_nonnull (open);
      g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (open)), ==, "_Open");
      g_assert_cmpstr (g_variant_get_string (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (open)), NULL),
                       ==, uri);
    }
    shot = ui_test_save_screenshot (GTK_WIDGET (window), "saved-preview-report");
    g_assert_true (g_file_test (shot, G_FILE_TEST_IS_REGULAR));
  }
  {
    g_autoptr(GFile) file = g_file_new_for_path (pdf_path);
    g_autofree char *text = NULL;
    const char *bo[] = { "Bo Renamed", "user1@contoso.com", NULL };

    g_assert_true (muster_saved_preview_window_export (window, file, "pdf-letter"));
    for (guint i = 0; i < 200 && muster_saved_preview_window_get_exporting (window); i++)
      ui_test_wait (50);
    g_assert_false (muster_saved_preview_window_get_exporting (window));
    text = pdf_text (pdf_path);
    g_assert_true (has_line_with (text, bo));
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Compare and Push on a computer with no profile for the preview's tenant: a dialog says what
 * is missing, and nothing is written. */
static void
test_sync_without_profile (void)
{
  g_autoptr(MusterPreviewFile) preview = NULL;
  g_autofree char *history = g_build_filename (g_getenv ("MUSTER_DATA_DIR"), "history.db", NULL);
  MusterSavedPreviewWindow *window;
  const char *actions[] = { "win.compare-preview", "win.push-preview" };
  const char *headings[] = { "Could Not Compare", "Could Not Push" };

  if (app == NULL)
    {
      g_test_skip ("no display");
      return;
    }
  preview = make_preview ();
  window = muster_saved_preview_window_new (GTK_APPLICATION (app), NULL, preview);
  gtk_window_present (GTK_WINDOW (window));
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      AdwMessageDialog *dialog;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), actions[i], NULL));
      for (guint wait = 0; wait < 200 && muster_saved_preview_window_get_runs_finished (window) <= i; wait++)
        ui_test_wait (50);
      g_assert_cmpuint (muster_saved_preview_window_get_runs_finished (window), ==, i + 1);
      g_assert_false (muster_saved_preview_window_get_busy (window));
      dialog = wait_for_dialog_of (GTK_WINDOW (window));
      g_assert_nonnull (dialog);
      g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, headings[i]);
      g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "no profile for the tenant Contoso"));
      g_assert_nonnull (strstr (muster_saved_preview_window_get_status (window), headings[i]));
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
  g_assert_null (muster_saved_preview_window_get_differences (window));
  g_assert_false (g_file_test (history, G_FILE_TEST_EXISTS));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
state_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(MusterTargetState **) user_data = muster_target_read_state_finish (MUSTER_TARGET (source), result, &error);
  g_assert_no_error (error);
}

/* Push on another computer: a profile of another name for the same tenant, the SQLite file the
 * preview names, empty. The user to update is not there as the preview saw it, so it is left
 * alone and named; the two to create are created; the run is in this computer's history. */
static void
test_push_elsewhere (void)
{
  g_autofree char *store_path = g_build_filename (dir, "people.db", NULL);
  g_autofree char *uri = g_strconcat ("sqlite:", store_path, NULL);
  g_autofree char *history_path = g_build_filename (g_getenv ("MUSTER_DATA_DIR"), "history.db", NULL);
  g_autoptr(MusterPreviewFile) preview = NULL;
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(MusterProfile) profile = muster_profile_new ("elsewhere");
  g_autoptr(MusterSqliteTarget) target = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shot = NULL;
  MusterSavedPreviewWindow *window;
  AdwMessageDialog *dialog;
  GPtrArray *users;

  if (app == NULL)
    {
      g_test_skip ("no display");
      return;
    }
  profiles = muster_profile_store_load (NULL, &error);
  g_assert_no_error (error);
  muster_profile_set_signed_in (profile, "11111111-2222-3333-4444-555555555555", "admin@contoso.com", "Contoso",
                                g_get_real_time () / G_USEC_PER_SEC);
  g_assert_true (muster_profile_store_add (profiles, profile, &error));
  g_assert_true (muster_profile_store_save (profiles, &error));
  g_assert_no_error (error);

  preview = make_preview_for (uri);
  window = muster_saved_preview_window_new (GTK_APPLICATION (app), NULL, preview);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.push-preview", NULL));
  dialog = wait_for_dialog_of (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Push 2 Changes?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "1 user changed in the target since the preview"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "left alone: user1@contoso.com."));
  adw_message_dialog_response (dialog, "push");
  gtk_window_destroy (GTK_WINDOW (dialog));
  for (guint wait = 0; wait < 400 && muster_saved_preview_window_get_runs_finished (window) < 1; wait++)
    ui_test_wait (50);
  g_assert_cmpuint (muster_saved_preview_window_get_runs_finished (window), ==, 1);
  g_assert_nonnull (strstr (muster_saved_preview_window_get_status (window), "Pushed: 2 changes made"));
  g_assert_nonnull (strstr (muster_saved_preview_window_get_status (window), "partial push: 1 user changed"));
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "saved-preview-pushed-elsewhere");

  target = muster_sqlite_target_new (store_path);
  muster_target_read_state_async (MUSTER_TARGET (target), NULL, state_read_cb, &state);
  while (state == NULL)
    g_main_context_iteration (NULL, TRUE);
  users = muster_target_state_get_users (state);
  g_assert_cmpuint (users->len, ==, 2);
  g_assert_nonnull (muster_target_state_lookup_user_by_external_id (state, "6e3f0c2a-0000-4000-8000-000000000000"));
  g_assert_nonnull (muster_target_state_lookup_user_by_external_id (state, "6e3f0c2a-0000-4000-8000-000000000003"));
  /* recorded in this computer's push history */
  g_assert_true (g_file_test (history_path, G_FILE_TEST_EXISTS));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("TZ", "UTC", TRUE);
  dir = g_dir_make_tmp ("muster-saved-preview-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (dir, "data", NULL);
  g_assert_cmpint (g_mkdir (data_dir, 0700), ==, 0);
  /* no network, no profile, no sign-in */
  g_setenv ("MUSTER_DATA_DIR", data_dir, TRUE);
  g_setenv ("MUSTER_GRAPH_HOST", "http://127.0.0.1:9", TRUE);
  g_setenv ("MUSTER_AUTHORITY_HOST", "http://127.0.0.1:9", TRUE);

  if (gtk_init_check ())
    {
      app = muster_application_new ();
      /* the application's own flags (it opens files), and no single instance in a test */
      g_application_set_flags (G_APPLICATION (app), g_application_get_flags (G_APPLICATION (app)) |
                                                    G_APPLICATION_NON_UNIQUE);
      g_application_register (G_APPLICATION (app), NULL, &error);
      g_assert_no_error (error);
    }
  g_test_add_func ("/ui/saved-preview/open-offline", test_open_offline);
  g_test_add_func ("/ui/saved-preview/open-damaged", test_open_damaged);
  g_test_add_func ("/ui/saved-preview/report", test_report);
  g_test_add_func ("/ui/saved-preview/sync-without-profile", test_sync_without_profile);
  /* last: it adds a profile */
  g_test_add_func ("/ui/saved-preview/push-elsewhere", test_push_elsewhere);
  status = g_test_run ();
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (command) != 0)
      g_warning ("cannot remove %s", dir);
  }
  g_clear_object (&app);
  return status;
}
