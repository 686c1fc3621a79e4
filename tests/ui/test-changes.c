/* test-changes.c: the Changes page on the demo tenant — after a new snapshot in which one person
 * joined (and a group) and one left, the page lists exactly them, with the totals, and exports
 * the same as CSV
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The second snapshot is written into the window's own cache with the snapshot store's writer,
 * as an incremental refresh writes one.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "muster-application.h"
#include "muster-changes-page.h"
#include "muster-demo.h"
#include "muster-export.h"
#include "muster-window-private.h"
#include "ui-test-util.h"

#define JOINER_ID "0d5c1f2e-7a3b-4c8d-9e0f-1a2b3c4d5e6f"

static MusterApplication *app;
static char *temp_dir;
static MusterWindow *window;

static MusterChangesPage *
page (void)
{
  return MUSTER_CHANGES_PAGE (adw_view_stack_get_child_by_name (window->view_stack, "changes"));
}

static gboolean
compared (MusterWindow *w)
{
  return !muster_changes_page_get_loading (page ()) && muster_changes_page_get_diff (page ()) != NULL;
}

static void
export_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_changes_page (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterUser) leaver = NULL;
  g_autoptr(MusterUser) joiner = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *shot = NULL;
  g_autofree char *unzip = NULL;
  g_autofree char *csv_path = NULL;
  g_autofree char *csv = NULL;
  MusterSnapshotWriter *writer;
  MusterSnapshotDiff *diff;
  MusterGroup *group;
  gint64 id;

  if (!ui_test_init ())
    return;
  g_setenv ("MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);

  window = muster_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (200);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.explore-demo", NULL));
  ui_test_wait_for (window, ui_test_showing_tenant, 60, "the tenant page");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh-directory", NULL));
  ui_test_wait_for (window, ui_test_fetched, 120, "the directory");

  /* one snapshot: nothing to compare yet, and the page says so */
  adw_view_stack_set_visible_child_name (window->view_stack, "changes");
  ui_test_wait (500);
  while (muster_changes_page_get_loading (page ()))
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (muster_changes_page_get_diff (page ()));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (page ()), ADW_TYPE_STATUS_PAGE, NULL));
  adw_view_stack_set_visible_child_name (window->view_stack, "users");

  /* the next snapshot: Rowan Ashby joins a group, the last user leaves */
  {
    GListModel *users = muster_snapshot_get_users (_muster_window_get_snapshot (window));
    GListModel *groups = muster_snapshot_get_groups (_muster_window_get_snapshot (window));

    /* someone who manages nobody, so that nobody else's manager changes with them */
    for (guint i = g_list_model_get_n_items (users); i-- > 0 && leaver == NULL;)
      {
        g_autoptr(MusterUser) candidate = g_list_model_get_item (users, i);
        gboolean manages = FALSE;

        for (guint j = 0; j < g_list_model_get_n_items (users) && !manages; j++)
          {
            g_autoptr(MusterUser) other = g_list_model_get_item (users, j);

            manages = g_strcmp0 (muster_user_get_manager_id (other), muster_user_get_id (candidate)) == 0;
          }
        if (!manages)
          leaver = g_steal_pointer (&candidate);
      }
    g_assert_nonnull (leaver);
    group = g_list_model_get_item (groups, 0);
  }
  g_assert_true (json_parser_load_from_data (parser,
                                             "{\"id\":\"" JOINER_ID "\",\"displayName\":\"Rowan Ashby\","
                                             "\"userPrincipalName\":\"rowan.ashby@larkfield-instruments.example\","
                                             "\"accountEnabled\":true,\"userType\":\"Member\"}", -1, &error));
  joiner = muster_user_new_from_json (json_node_get_object (json_parser_get_root (parser)));
  writer = muster_snapshot_store_begin_from (window->snapshot_store, muster_snapshot_get_info (_muster_window_get_snapshot (window))->id,
                                             &error);
  g_assert_no_error (error);
  g_assert_true (muster_snapshot_writer_put_user (writer, joiner, &error));
  g_assert_true (muster_snapshot_writer_add_member (writer, muster_group_get_id (group), JOINER_ID, &error));
  g_assert_true (muster_snapshot_writer_remove_object (writer, muster_user_get_id (leaver), &error));
  id = muster_snapshot_writer_commit (writer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  muster_snapshot_writer_free (writer);

  /* the page compares the new one with the one before */
  adw_view_stack_set_visible_child_name (window->view_stack, "changes");
  ui_test_wait_for (window, compared, 60, "the comparison");
  diff = muster_changes_page_get_diff (page ());
  g_assert_cmpint (diff->after->id, ==, id);
  g_assert_cmpint (diff->joined, ==, 1);
  g_assert_cmpint (diff->left, ==, 1);
  g_assert_cmpint (diff->changed, ==, 0);
  g_assert_cmpuint (diff->members_added, ==, 1);
  g_assert_cmpstr (((MusterUserChange *) diff->users->pdata[0])->display_name, ==, "Rowan Ashby");
  g_assert_cmpstr (((MusterUserChange *) diff->users->pdata[1])->id, ==, muster_user_get_id (leaver));
  g_assert_nonnull (strstr (muster_changes_page_get_summary_text (page ()), "1 joined, 1 left, 0 changed"));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (page ()), GTK_TYPE_LABEL, muster_changes_page_get_summary_text (page ())));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (page ()), GTK_TYPE_LABEL, "Rowan Ashby"));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (page ()), GTK_TYPE_LABEL, muster_user_get_display_name (leaver)));
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "changes-page");

  /* Export… writes the same rows */
  csv_path = g_build_filename (temp_dir, "changes.csv", NULL);
  {
    g_autoptr(GFile) file = g_file_new_for_path (csv_path);
    g_autoptr(GAsyncResult) result = NULL;
    g_autofree char *joined_row = NULL;
    g_autofree char *group_row = NULL;

    muster_changes_page_export_async (page (), file, NULL, export_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (muster_changes_page_export_finish (page (), result, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
    joined_row = g_strdup ("Joined,Rowan Ashby,rowan.ashby@larkfield-instruments.example,,,\r\n");
    group_row = g_strdup_printf ("Added to group,Rowan Ashby,,%s,,\r\n", muster_group_get_display_name (group));
    g_assert_nonnull (strstr (csv, joined_row));
    g_assert_nonnull (strstr (csv, group_row));
    g_assert_nonnull (strstr (csv, "Left,"));
  }

  /* …and as an Excel workbook: one sheet "Changes" holding the joiner and the leaver */
  unzip = g_find_program_in_path ("unzip");
  if (muster_export_format_is_available (MUSTER_EXPORT_FORMAT_XLSX) && unzip != NULL)
    {
      g_autofree char *xlsx_path = g_build_filename (temp_dir, "changes.xlsx", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (xlsx_path);
      g_autoptr(GAsyncResult) result = NULL;
      g_autofree char *workbook = NULL;
      g_autofree char *strings = NULL;
      const char *workbook_argv[] = { "unzip", "-p", xlsx_path, "xl/workbook.xml", NULL };
      const char *strings_argv[] = { "unzip", "-p", xlsx_path, "xl/worksheets/sheet1.xml", NULL };
      GStatBuf st;

      muster_changes_page_export_async (page (), file, NULL, export_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (muster_changes_page_export_finish (page (), result, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_stat (xlsx_path, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      g_assert_true (g_spawn_sync (NULL, (char **) workbook_argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                                   NULL, NULL, &workbook, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_nonnull (strstr (workbook, "name=\"Changes\""));
      g_assert_true (g_spawn_sync (NULL, (char **) strings_argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                                   NULL, NULL, &strings, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_nonnull (strstr (strings, "rowan.ashby@larkfield-instruments.example"));
      g_assert_nonnull (strstr (strings, muster_user_get_display_name (leaver)));
      g_assert_nonnull (strstr (strings, "Joined"));
    }
  else
    g_test_message ("no XLSX support or no unzip: the workbook export is not checked");
  g_object_unref (group);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  temp_dir = g_dir_make_tmp ("muster-test-changes-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (temp_dir, "data", NULL);
  g_mkdir (data_dir, 0700);
  g_setenv ("MUSTER_DATA_DIR", data_dir, TRUE);

  app = ui_test_new_application ();
  g_test_add_func ("/ui/changes/page", test_changes_page);
  status = g_test_run ();

  if (app != NULL)
    {
      muster_demo_shutdown (muster_application_get_demo_tenant (app));
      g_object_unref (app);
    }
  return status;
}
