/* test-demo.c: "Explore the Demo Tenant" end to end — the fake in-process, consent in a
 * (test) browser, the tenant's status — and cancelling on the waiting page
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "muster-application.h"
#include "muster-demo.h"
#include "muster-keyring.h"
#include "muster-licence-row.h"
#include "muster-window-private.h"
#include "ui-test-util.h"

#define DEMO_ORGANISATION "Larkfield Instruments"

static MusterApplication *app;
static char *temp_dir;

/* Spins the main loop until @condition holds; fails the test after @seconds. */
static gboolean
waiting_for_browser (MusterWindow *window)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (window->main_stack), "sign-in") == 0
         && muster_sign_in_page_get_url (window->sign_in_page) != NULL;
}

static gboolean
showing_welcome (MusterWindow *window)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (window->main_stack), "welcome") == 0 && !window->signing_in;
}

static gboolean
showing_tenant (MusterWindow *window)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (window->main_stack), "tenant") == 0;
}

static gboolean
showing_problem (MusterWindow *window)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (window->main_stack), "error") == 0;
}

static gboolean
signed_out (MusterWindow *window)
{
  return !window->signing_out && showing_welcome (window);
}

static gboolean
tenant_or_problem (MusterWindow *window)
{
  return showing_tenant (window) || showing_problem (window);
}

static MusterWindow *
new_window (void)
{
  MusterWindow *window = muster_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (200);
  return window;
}

static void
test_cancel (void)
{
  MusterWindow *window;
  GtkWidget *cancel;
  g_autofree char *shot = NULL;

  if (!ui_test_init ())
    return;

  /* a browser that opens and does nothing: the admin walked away */
  g_setenv ("MUSTER_BROWSER", "true", TRUE);
  window = new_window ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.explore-demo", NULL));
  ui_test_wait_for (window, waiting_for_browser, 30, "the waiting page");

  g_assert_true (g_str_has_prefix (muster_sign_in_page_get_url (window->sign_in_page), "http://127.0.0.1:"));
  cancel = ui_test_find (GTK_WIDGET (window->sign_in_page), GTK_TYPE_BUTTON, "Cancel");
  g_assert_nonnull (cancel);
  g_assert_true (gtk_widget_is_visible (cancel) && gtk_widget_is_sensitive (cancel));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->sign_in_page), GTK_TYPE_BUTTON, "Copy Link"));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->sign_in_page), GTK_TYPE_LABEL, "Waiting for your browser…"));

  /* the button the admin presses, not a shortcut around it */
  g_signal_emit_by_name (cancel, "clicked");
  ui_test_wait_for (window, showing_welcome, 10, "the welcome page");
  g_assert_false (gtk_widget_is_sensitive (cancel));
  /* the demo can be explored again from here */
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (window->demo_button)));
  ui_test_wait (500);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "demo-after-cancel");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_sign_in (void)
{
  g_autofree char *script = NULL;
  g_autofree char *command = NULL;
  g_autofree char *shot = NULL;
  g_autoptr(GError) error = NULL;
  MusterWindow *window;
  MusterTenantStatus *status;
  GtkWidget *copy_link;
  const char *browser = g_getenv ("MUSTER_TEST_BROWSER");

  if (!ui_test_init ())
    return;
  g_assert_nonnull (browser);

  /* the test browser presses Accept, but only after the waiting page had time to be seen */
  script = g_build_filename (temp_dir, "slow-browser", NULL);
  command = g_strdup_printf ("#!/bin/sh\nsleep 2\nexec '%s' \"$@\"\n", browser);
  g_file_set_contents (script, command, -1, &error);
  g_assert_no_error (error);
  g_chmod (script, 0755);
  g_setenv ("MUSTER_BROWSER", script, TRUE);

  window = new_window ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.explore-demo", NULL));
  ui_test_wait_for (window, waiting_for_browser, 30, "the waiting page");
  copy_link = ui_test_find (GTK_WIDGET (window->sign_in_page), GTK_TYPE_BUTTON, "Copy Link");
  g_assert_true (gtk_widget_is_sensitive (copy_link));
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "demo-waiting-for-browser");

  ui_test_wait_for (window, tenant_or_problem, 30, "the tenant page");
  if (showing_problem (window))
    g_error ("The status could not be loaded: %s", adw_status_page_get_description (window->error_page));
  ui_test_wait (300);

  status = muster_tenant_page_get_status (window->tenant_page);
  g_assert_nonnull (status);
  g_assert_cmpstr (muster_tenant_status_get_organization (status), ==, DEMO_ORGANISATION);
  /* what the admin sees: the organisation in the page and in the header bar's switcher */
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->tenant_page), GTK_TYPE_LABEL, DEMO_ORGANISATION));
  g_assert_cmpstr (muster_profile_switcher_get_title (window->profile_switcher), ==, DEMO_ORGANISATION);
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (window->profile_switcher)));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->tenant_page), GTK_TYPE_LABEL,
                                  muster_tenant_status_get_tenant_id (status)));
  /* one row with a usage bar per licence */
  g_assert_cmpuint (muster_tenant_status_get_licences (status)->len, >, 0);
  g_assert_cmpuint (muster_tenant_page_get_n_licence_rows (window->tenant_page), ==,
                    muster_tenant_status_get_licences (status)->len);
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->tenant_page), GTK_TYPE_LEVEL_BAR, NULL));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->tenant_page), GTK_TYPE_LABEL, "No snapshot yet"));
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (window->refresh_button)));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (window->refresh_button)));

  g_clear_pointer (&shot, g_free);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "demo-tenant-status");
  g_assert_true (g_file_test (shot, G_FILE_TEST_IS_REGULAR));

  /* all of the page at once, licences included */
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 1000);
  ui_test_wait (500);
  g_clear_pointer (&shot, g_free);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "demo-tenant-status-tall");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  ui_test_wait (300);
  g_clear_pointer (&shot, g_free);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "demo-tenant-status-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* Refresh reloads in place */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh-status", NULL));
  g_assert_true (window->loading_status);
  g_assert_true (showing_tenant (window));
  while (window->loading_status)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (showing_tenant (window));

  /* Sign Out: back to the welcome page, and the demo's tokens are gone from the keyring */
  {
    g_autofree char *before = secret_password_lookup_sync (muster_keyring_get_schema (), NULL, NULL, "profile",
                                                           muster_profile_get_name (window->profile),
                                                           "kind", "refresh-token", NULL);
    g_assert_nonnull (before);
    g_assert_cmpstr (muster_profile_get_name (window->profile), ==, "demo");
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL));
  ui_test_wait_for (window, signed_out, 30, "the sign-out");
  g_assert_true (showing_welcome (window));
  {
    g_autoptr(GError) keyring_error = NULL;
    g_autofree char *refresh = secret_password_lookup_sync (muster_keyring_get_schema (), NULL, &keyring_error,
                                                            "profile", "demo", "kind", "refresh-token", NULL);
    g_assert_no_error (keyring_error);
    g_assert_null (refresh);
  }
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (window->refresh_button)));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  temp_dir = g_dir_make_tmp ("muster-test-demo-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (temp_dir, "data", NULL);
  g_mkdir (data_dir, 0700);
  g_setenv ("MUSTER_DATA_DIR", data_dir, TRUE);

  app = ui_test_new_application ();
  /* in this order: after the sign-in, the demo profile would skip the waiting page */
  g_test_add_func ("/ui/demo/cancel", test_cancel);
  g_test_add_func ("/ui/demo/sign-in", test_sign_in);
  status = g_test_run ();

  if (app != NULL)
    {
      MusterDemo *demo = muster_application_get_demo_tenant (app);

      muster_demo_shutdown (demo);
      g_assert_false (muster_demo_is_running (demo));
      g_object_unref (app);
    }
  /* the demo never wrote into the admin's data folder */
  g_assert_false (g_file_test (g_build_filename (data_dir, "profiles.ini", NULL), G_FILE_TEST_EXISTS));
  g_rmdir (data_dir);
  g_unlink (g_build_filename (temp_dir, "slow-browser", NULL));
  g_rmdir (temp_dir);
  return status;
}
