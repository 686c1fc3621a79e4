/* test-profiles.c: switching between tenant connections and removing one, as an admin does
 * from the header bar's switcher
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "fake-test-util.h"
#include "muster-application.h"
#include "muster-cloud.h"
#include "muster-keyring.h"
#include "muster-window-private.h"
#include "ui-test-util.h"

static MusterApplication *app;
static char *data_dir;

static gboolean
showing_tenant (MusterWindow *window)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (window->main_stack), "tenant") == 0 && !window->loading_status;
}

static gboolean
showing_welcome (MusterWindow *window)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (window->main_stack), "welcome") == 0
         && !window->signing_out && !window->signing_in;
}

static AdwMessageDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* owned by GTK */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static char *
keyring_refresh_token (const char *profile)
{
  return secret_password_lookup_sync (muster_keyring_get_schema (), NULL, NULL,
                                      "profile", profile, "kind", "refresh-token", NULL);
}

static void
test_switch_and_remove (void)
{
  g_autoptr(MusterFakeTenant) tenant = NULL;
  g_autofree char *profiles = NULL, *path = NULL, *saved = NULL, *token = NULL, *gone = NULL;
  g_autoptr(GError) error = NULL;
  MusterWindow *window;
  AdwMessageDialog *dialog;

  if (!ui_test_init ())
    return;

  tenant = fake_test_start_tenant (NULL);
  muster_cloud_set_override (muster_fake_tenant_get_base_url (tenant), muster_fake_tenant_get_base_url (tenant));
  g_setenv ("MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);

  /* two saved connections, neither signed in; alpha is the default */
  path = g_build_filename (data_dir, "profiles.ini", NULL);
  profiles = g_strdup_printf ("[muster]\ndefault=alpha\n\n"
                              "[profile alpha]\ntenant=organizations\n\n"
                              "[profile beta]\ntenant=%s\n", muster_fake_tenant_get_domain (tenant));
  g_assert_true (g_file_set_contents (path, profiles, -1, NULL));

  window = muster_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (200);
  /* a default connection that is not signed in waits for the admin on the welcome page */
  g_assert_true (showing_welcome (window));

  /* choosing beta in the switcher signs in to it (the test browser accepts) and shows it */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.switch-profile", "s", "beta"));
  ui_test_wait_for (window, showing_tenant, 60, "beta's status");
  g_assert_cmpstr (muster_profile_get_name (window->profile), ==, "beta");
  g_assert_cmpstr (muster_profile_switcher_get_title (window->profile_switcher), ==,
                   muster_tenant_status_get_organization (muster_tenant_page_get_status (window->tenant_page)));
  token = keyring_refresh_token ("beta");
  g_assert_nonnull (token);
  g_assert_null (keyring_refresh_token ("alpha"));

  /* Remove Connection asks first; Cancel keeps everything */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-profile", NULL));
  ui_test_wait (200);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "cancel");
  ui_test_wait (200);
  g_assert_cmpstr (muster_profile_get_name (window->profile), ==, "beta");

  /* Remove: signed out, forgotten in profiles.ini, tokens gone, back to the welcome page */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-profile", NULL));
  ui_test_wait (200);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "remove");
  ui_test_wait_for (window, showing_welcome, 30, "the removal");
  g_assert_true (g_file_get_contents (path, &saved, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (strstr (saved, "[profile beta]"));
  g_assert_nonnull (strstr (saved, "[profile alpha]"));
  gone = keyring_refresh_token ("beta");
  g_assert_null (gone);

  gtk_window_destroy (GTK_WINDOW (window));
  muster_cloud_set_override (NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  data_dir = g_dir_make_tmp ("muster-test-profiles-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("MUSTER_DATA_DIR", data_dir, TRUE);

  app = ui_test_new_application ();
  g_test_add_func ("/ui/profiles/switch-and-remove", test_switch_and_remove);
  status = g_test_run ();

  g_clear_object (&app);
  command = g_strdup_printf ("rm -rf '%s'", data_dir);
  if (system (command) != 0)
    g_warning ("Could not remove %s", data_dir);
  return status;
}
