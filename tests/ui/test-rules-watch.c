/* test-rules-watch.c: on the demo tenant — a search narrowed letter by letter shows the same
 * rows as the same search typed at once (GTK 4.8's filter model); the rules file changed by
 * another program is read again; and a picker edit whose save has not finished is what the
 * Preview plans with
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "muster-application.h"
#include "muster-demo.h"
#include "muster-rules.h"
#include "muster-window-private.h"
#include "ui-test-util.h"

static MusterApplication *app;
static MusterWindow *window;

static gboolean
rules_loaded (MusterWindow *w)
{
  return muster_users_page_get_rules (w->users_page) != NULL;
}

static gboolean
filtered (MusterWindow *w)
{
  return !muster_users_page_get_filtering (w->users_page);
}

static gboolean
planned (MusterWindow *w)
{
  return !w->previewing && _muster_window_get_plan (w) != NULL && _muster_window_get_push (w) == NULL && !w->push_waiting;
}

static gboolean
window_made (void)
{
  if (window != NULL && _muster_window_get_snapshot (window) != NULL)
    return TRUE;
  g_test_skip ("no window: the first test could not make one");
  return FALSE;
}

static void
set_search (const char *text)
{
  GtkWidget *entry = ui_test_find (GTK_WIDGET (window->users_page), GTK_TYPE_SEARCH_ENTRY, NULL);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  ui_test_wait (350);  /* the search entry's delay */
  ui_test_wait_for (window, filtered, 30, "the filter");
  ui_test_wait (100);
}

/* The ids shown, in order, joined. */
static char *
shown_ids (void)
{
  GListModel *shown = muster_users_page_get_shown (window->users_page);
  g_autoptr(GString) ids = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (shown, i);

      g_string_append_printf (ids, "%s,", muster_user_get_id (user));
    }
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static void
test_narrowing_search (void)
{
  g_autofree char *at_once = NULL;
  g_autofree char *narrowed = NULL;
  g_autofree char *shot = NULL;
  g_autofree char *needle = NULL;
  GListModel *shown;
  guint n;

  if (!ui_test_init ())
    return;
  g_setenv ("MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);

  window = muster_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (200);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.explore-demo", NULL));
  ui_test_wait_for (window, ui_test_showing_tenant, 60, "the tenant page");
  adw_view_stack_set_visible_child_name (window->view_stack, "users");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh-directory", NULL));
  ui_test_wait_for (window, ui_test_fetched, 120, "the directory");
  ui_test_wait_for (window, rules_loaded, 30, "the profile's rules");
  ui_test_wait_for (window, filtered, 30, "the filter");

  /* three letters of the first user's name: some rows, not all */
  {
    g_autoptr(MusterUser) first = g_list_model_get_item (muster_users_page_get_shown (window->users_page), 0);

    needle = g_utf8_strdown (muster_user_get_display_name (first), 3);
  }
  set_search (needle);
  at_once = shown_ids ();
  n = g_list_model_get_n_items (muster_users_page_get_shown (window->users_page));
  g_assert_cmpuint (n, >, 0);

  /* the same search, typed one letter at a time from nothing */
  set_search ("");
  for (guint i = 1; i <= strlen (needle); i++)
    {
      g_autofree char *part = g_strndup (needle, i);

      set_search (part);
    }
  narrowed = shown_ids ();
  g_assert_cmpstr (narrowed, ==, at_once);

  /* every row shown holds the text, and the table draws the first of them */
  shown = muster_users_page_get_shown (window->users_page);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (shown, i);
      g_autofree char *text = g_utf8_strdown (g_strjoin (" ", muster_user_get_display_name (user),
                                                         muster_user_get_user_principal_name (user),
                                                         muster_user_get_mail (user) ? muster_user_get_mail (user) : "",
                                                         NULL), -1);

      g_assert_nonnull (strstr (text, needle));
    }
  {
    g_autoptr(MusterUser) first = g_list_model_get_item (shown, 0);
    GtkWidget *table = ui_test_find (GTK_WIDGET (window->users_page), GTK_TYPE_COLUMN_VIEW, NULL);
    GtkWidget *label = NULL;

    for (guint tries = 0; label == NULL && tries < 50; tries++)
      {
        ui_test_wait (100);
        label = ui_test_find (table, GTK_TYPE_LABEL, muster_user_get_display_name (first));
      }
    g_assert_nonnull (label);
  }
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "rules-narrowed-search");
  set_search ("");
}

static MusterUserType
default_type_shown (MusterWindow *w)
{
  return muster_rules_get_default_user_type (muster_users_page_get_rules (w->users_page));
}

static gboolean
reads_administrator (MusterWindow *w)
{
  return default_type_shown (w) == MUSTER_USER_TYPE_ADMINISTRATOR;
}

static void
test_edited_elsewhere (void)
{
  g_autoptr(MusterRules) edited = NULL;
  g_autoptr(GError) error = NULL;

  if (!window_made ())
    return;
  g_assert_cmpint (default_type_shown (window), !=, MUSTER_USER_TYPE_ADMINISTRATOR);

  /* another program (muster-cli rules, an editor) saves the file */
  edited = muster_rules_load (MUSTER_DEMO_PROFILE_NAME, &error);
  g_assert_no_error (error);
  muster_rules_set_default_user_type (edited, MUSTER_USER_TYPE_ADMINISTRATOR);
  g_assert_true (muster_rules_save (edited, MUSTER_DEMO_PROFILE_NAME, &error));
  g_assert_no_error (error);

  ui_test_wait_for (window, reads_administrator, 20, "the rules to be read again");
  g_assert_true (window->rules == muster_users_page_get_rules (window->users_page));

  /* the Preview plans with them */
  adw_view_stack_set_visible_child_name (window->view_stack, "preview");
  ui_test_wait_for (window, planned, 60, "the preview");
  g_assert_cmpint (muster_rules_get_default_user_type (window->plan_rules), ==, MUSTER_USER_TYPE_ADMINISTRATOR);
  adw_view_stack_set_visible_child_name (window->view_stack, "users");
  ui_test_wait (200);
}

static void
test_unsaved_edit_in_preview (void)
{
  g_autoptr(MusterUser) user = NULL;
  const MusterPlanItem *item;

  if (!window_made ())
    return;

  /* the last user shown: their type picked in the table */
  {
    GListModel *shown = muster_users_page_get_shown (window->users_page);

    user = g_list_model_get_item (shown, g_list_model_get_n_items (shown) - 1);
  }
  set_search (muster_user_get_user_principal_name (user));
  g_assert_cmpuint (g_list_model_get_n_items (muster_users_page_get_shown (window->users_page)), ==, 1);
  {
    GtkWidget *table = ui_test_find (GTK_WIDGET (window->users_page), GTK_TYPE_COLUMN_VIEW, NULL);
    GtkWidget *row = NULL;

    for (guint tries = 0; row == NULL && tries < 50; tries++)
      {
        GtkWidget *label = ui_test_find (table, GTK_TYPE_LABEL, muster_user_get_display_name (user));

        for (GtkWidget *w = label; w != NULL && w != table && row == NULL; w = gtk_widget_get_parent (w))
          if (ui_test_find (w, GTK_TYPE_DROP_DOWN, NULL) != NULL)
            row = w;
        if (row == NULL)
          ui_test_wait (100);
      }
    g_assert_nonnull (row);
    gtk_drop_down_set_selected (GTK_DROP_DOWN (ui_test_find (row, GTK_TYPE_DROP_DOWN, NULL)),
                                MUSTER_USER_TYPE_BILLING_ADMINISTRATOR);
  }
  /* the save runs in a worker thread: not in the file yet, and the Preview opens right away */
  g_assert_true (muster_users_page_get_saving (window->users_page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-preview", NULL));
  ui_test_wait_for (window, planned, 60, "the preview");
  item = muster_plan_lookup_item (_muster_window_get_plan (window), muster_user_get_id (user));
  g_assert_nonnull (item);
  g_assert_cmpint (item->user_type, ==, MUSTER_USER_TYPE_BILLING_ADMINISTRATOR);
  {
    g_autofree char *shot = ui_test_save_screenshot (GTK_WIDGET (window), "rules-unsaved-edit-preview");
  }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *temp_dir = NULL;
  g_autofree char *data_dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  temp_dir = g_dir_make_tmp ("muster-test-rules-watch-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (temp_dir, "data", NULL);
  g_mkdir (data_dir, 0700);
  g_setenv ("MUSTER_DATA_DIR", data_dir, TRUE);

  app = ui_test_new_application ();
  g_test_add_func ("/ui/rules/narrowing-search", test_narrowing_search);
  g_test_add_func ("/ui/rules/edited-elsewhere", test_edited_elsewhere);
  g_test_add_func ("/ui/rules/unsaved-edit-in-preview", test_unsaved_edit_in_preview);
  status = g_test_run ();

  if (app != NULL)
    {
      muster_demo_shutdown (muster_application_get_demo_tenant (app));
      g_object_unref (app);
    }
  return status;
}
