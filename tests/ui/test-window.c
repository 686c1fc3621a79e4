/* test-window.c: the first screen a new user sees
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "muster-application.h"
#include "muster-window.h"
#include "ui-test-util.h"

/* One application for the whole program: a second one with the same ID cannot register on
 * the session bus. */
static MusterApplication *app;

static void
test_empty_state (void)
{
  MusterWindow *window;
  GtkWidget *status, *connect, *demo, *menu;
  g_autofree char *shot = NULL;

  if (!ui_test_init ())
    return;

  window = muster_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (500);

  status = ui_test_find (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, NULL);
  g_assert_nonnull (status);
  g_assert_true (gtk_widget_get_mapped (status));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==, "Welcome to Muster");

  connect = ui_test_find (status, GTK_TYPE_BUTTON, "Connect to Microsoft 365…");
  demo = ui_test_find (status, GTK_TYPE_BUTTON, "Explore the Demo Tenant");
  g_assert_nonnull (connect);
  g_assert_nonnull (demo);
  g_assert_true (gtk_widget_get_mapped (connect));
  g_assert_true (gtk_widget_get_mapped (demo));
  /* the connect button is the one suggested to a new user */
  g_assert_true (gtk_widget_has_css_class (connect, "suggested-action"));

  /* the icon-only menu button has an accessible name and a tooltip */
  menu = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), MUSTER_TYPE_WINDOW, "primary_menu_button"));
  g_assert_nonnull (menu);
  g_assert_true (gtk_widget_is_visible (menu));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (menu), ==, "Main Menu");

  shot = ui_test_save_screenshot (GTK_WIDGET (window), "window-empty-state");
  g_assert_true (g_file_test (shot, G_FILE_TEST_IS_REGULAR));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_size_remembered (void)
{
  g_autoptr(GSettings) settings = NULL;
  MusterWindow *window;
  int width, height;

  if (!ui_test_init ())
    return;

  settings = g_settings_new (BASE_APP_ID);

  window = muster_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 812, 604);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (200);
  gtk_window_close (GTK_WINDOW (window));
  ui_test_wait (100);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 812);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 604);

  /* a new window opens at the remembered size */
  window = muster_window_new (app);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 812);
  g_assert_cmpint (height, ==, 604);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The newest toplevel of @type, or NULL. */
static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* owned by GTK */
  GtkWindow *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        found = window;
    }
  return found;
}

static void
test_primary_menu_actions (void)
{
  MusterWindow *window;
  GtkWindow *about, *preferences, *shortcuts;
  GSettings *settings;

  if (!ui_test_init ())
    return;

  window = muster_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (200);

  /* About: the real version and licence */
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  ui_test_wait (200);
  about = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==, GTK_LICENSE_GPL_3_0);
  gtk_window_destroy (about);

  /* Preferences: choosing Dark makes the whole app dark */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  ui_test_wait (200);
  preferences = find_toplevel (ADW_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  settings = muster_application_get_settings (app);
  g_settings_set_enum (settings, "color-scheme", 2);
  ui_test_wait (100);
  g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  g_settings_set_enum (settings, "color-scheme", 0);
  gtk_window_destroy (preferences);

  /* Keyboard Shortcuts */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  ui_test_wait (200);
  shortcuts = find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (shortcuts);
  /* it lists the shortcuts of every page, not only the general ones */
  g_assert_nonnull (ui_test_find (GTK_WIDGET (shortcuts), GTK_TYPE_LABEL, "Read the Directory Again"));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (shortcuts), GTK_TYPE_LABEL, "Search"));
  gtk_window_destroy (shortcuts);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  app = ui_test_new_application ();
  g_test_add_func ("/ui/window/empty-state", test_empty_state);
  g_test_add_func ("/ui/window/size-remembered", test_window_size_remembered);
  g_test_add_func ("/ui/window/primary-menu-actions", test_primary_menu_actions);
  return g_test_run ();
}
