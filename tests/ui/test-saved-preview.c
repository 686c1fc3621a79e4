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
#include "muster-saved-preview-window.h"
#include "muster-snapshot-private.h"
#include "muster-user-private.h"
#include "ui-test-util.h"

static MusterApplication *app;
static char *dir;

/* Four users: one new, one renamed in the target, one up to date, and a new one with a long
 * right-to-left name. */
static MusterPreviewFile *
make_preview (void)
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
    .target_uri = "sqlite:/srv/people.db",
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
  status = g_test_run ();
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (command) != 0)
      g_warning ("cannot remove %s", dir);
  }
  g_clear_object (&app);
  return status;
}
