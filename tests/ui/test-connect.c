/* test-connect.c: the connection dialog — what it offers and how it refuses bad input
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "muster-application.h"
#include "muster-connect-dialog.h"
#include "muster-window.h"
#include "ui-test-util.h"

static MusterApplication *app;

/* The first widget of @type whose preferences-row title is @title. */
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

static MusterConnectDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);
      if (MUSTER_IS_CONNECT_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return MUSTER_CONNECT_DIALOG (window);
    }
  return NULL;
}

static gboolean
label_shows (GtkWidget  *root,
             const char *needle)
{
  if (GTK_IS_LABEL (root) && gtk_widget_is_visible (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), needle))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    if (label_shows (child, needle))
      return TRUE;
  return FALSE;
}

static void
test_validation (void)
{
  static const char *methods[] = {
    "Web Browser", "Device Code", "Client Secret (App-Only)", "Certificate (App-Only)",
  };
  MusterWindow *window;
  MusterConnectDialog *dialog;
  GtkWidget *name_row, *tenant_row, *method_row, *connect, *secret_row;
  GListModel *model;
  g_autofree char *shot = NULL;

  if (!ui_test_init ())
    return;

  window = muster_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (200);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.connect", NULL));
  ui_test_wait (300);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));

  name_row = find_row (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "Connection Name");
  tenant_row = find_row (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "Tenant ID or Domain");
  method_row = find_row (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW, "Sign-In Method");
  connect = ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "Connect");
  g_assert_nonnull (name_row);
  g_assert_nonnull (tenant_row);
  g_assert_nonnull (method_row);
  g_assert_nonnull (connect);

  /* the four sign-in methods, browser first */
  model = adw_combo_row_get_model (ADW_COMBO_ROW (method_row));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, G_N_ELEMENTS (methods));
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), i), ==, methods[i]);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (method_row)), ==, 0);

  /* nothing entered: nothing to connect, and no scolding yet */
  g_assert_false (gtk_widget_is_sensitive (connect));
  g_assert_false (label_shows (GTK_WIDGET (dialog), "letters, digits"));

  /* a name with a space and a "!" is refused while typing, in words */
  gtk_editable_set_text (GTK_EDITABLE (name_row), "bad name!");
  ui_test_wait (100);
  g_assert_true (label_shows (GTK_WIDGET (dialog), "Use only letters, digits"));
  g_assert_true (gtk_widget_has_css_class (name_row, "error"));
  g_assert_false (gtk_widget_is_sensitive (connect));
  shot = ui_test_save_screenshot (GTK_WIDGET (dialog), "connect-dialog-invalid-name");
  g_assert_true (g_file_test (shot, G_FILE_TEST_IS_REGULAR));

  /* an existing connection's name is refused too */
  gtk_editable_set_text (GTK_EDITABLE (name_row), "existing");
  ui_test_wait (50);
  g_assert_true (label_shows (GTK_WIDGET (dialog), "exists already"));
  g_assert_false (gtk_widget_is_sensitive (connect));

  /* a good name enables Connect; a bad tenant is reported on Connect and nothing is added */
  gtk_editable_set_text (GTK_EDITABLE (name_row), "work");
  ui_test_wait (50);
  g_assert_false (gtk_widget_has_css_class (name_row, "error"));
  g_assert_true (gtk_widget_is_sensitive (connect));
  gtk_editable_set_text (GTK_EDITABLE (tenant_row), "not a domain");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.connect", NULL);
  ui_test_wait (100);
  g_assert_true (label_shows (GTK_WIDGET (dialog), "is not a tenant ID or domain"));
  g_assert_true (find_dialog () == dialog);

  /* the client secret method asks for the secret, the tenant and an own app registration */
  adw_combo_row_set_selected (ADW_COMBO_ROW (method_row), MUSTER_AUTH_MODE_SECRET);
  gtk_editable_set_text (GTK_EDITABLE (tenant_row), "contoso.onmicrosoft.com");
  ui_test_wait (50);
  secret_row = find_row (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW, "Client Secret Value");
  g_assert_nonnull (secret_row);
  g_assert_true (gtk_widget_is_visible (secret_row));
  g_assert_true (label_shows (GTK_WIDGET (dialog), "Enter the value of the client secret"));
  g_assert_true (label_shows (GTK_WIDGET (dialog), "needs the client ID of your own app registration"));
  g_assert_cmpstr (muster_connect_dialog_get_problem (dialog), ==, "Enter the value of the client secret.");
  g_clear_pointer (&shot, g_free);
  shot = ui_test_save_screenshot (GTK_WIDGET (dialog), "connect-dialog-secret");

  /* the certificate method asks for its two files */
  adw_combo_row_set_selected (ADW_COMBO_ROW (method_row), MUSTER_AUTH_MODE_CERTIFICATE);
  ui_test_wait (50);
  g_assert_false (gtk_widget_is_visible (secret_row));
  g_assert_true (label_shows (GTK_WIDGET (dialog), "Choose the certificate and its private key"));

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_tenant_forms (void)
{
  g_assert_true (muster_connect_dialog_tenant_is_valid (""));
  g_assert_true (muster_connect_dialog_tenant_is_valid ("organizations"));
  g_assert_true (muster_connect_dialog_tenant_is_valid ("contoso.onmicrosoft.com"));
  g_assert_true (muster_connect_dialog_tenant_is_valid ("72f988bf-86f1-41af-91ab-2d7cd011db47"));
  g_assert_false (muster_connect_dialog_tenant_is_valid ("contoso"));
  g_assert_false (muster_connect_dialog_tenant_is_valid ("72f988bf-86f1-41af-91ab-2d7cd011db4"));
  g_assert_false (muster_connect_dialog_tenant_is_valid ("con toso.com"));
  g_assert_false (muster_connect_dialog_tenant_is_valid ("contoso..com"));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(MusterProfileStore) store = NULL;
  g_autoptr(MusterProfile) existing = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  /* the window reads its connections from here: one exists already */
  data_dir = g_dir_make_tmp ("muster-test-connect-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("MUSTER_DATA_DIR", data_dir, TRUE);
  path = g_build_filename (data_dir, "profiles.ini", NULL);
  store = muster_profile_store_load (path, &error);
  g_assert_no_error (error);
  existing = muster_profile_new ("existing");
  g_assert_true (muster_profile_store_add (store, existing, &error));
  g_assert_true (muster_profile_store_save (store, &error));

  app = ui_test_new_application ();
  g_test_add_func ("/ui/connect/validation", test_validation);
  g_test_add_func ("/ui/connect/tenant-forms", test_tenant_forms);
  status = g_test_run ();

  g_unlink (path);
  g_rmdir (data_dir);
  return status;
}
