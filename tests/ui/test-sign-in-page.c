/* test-sign-in-page.c: the waiting page's variants — device code, and no browser to open
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "muster-application.h"
#include "muster-sign-in-page.h"
#include "ui-test-util.h"

static GtkWidget *
find_selectable_label (GtkWidget  *root,
                       const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_selectable_label (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static MusterSignInPage *
new_page (GtkWindow **window)
{
  MusterSignInPage *page = g_object_new (MUSTER_TYPE_SIGN_IN_PAGE, NULL);

  *window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (*window, 800, 600);
  gtk_window_set_child (*window, GTK_WIDGET (page));
  gtk_window_present (*window);
  return page;
}

static void
test_device_code (void)
{
  g_autoptr(MusterProfile) profile = muster_profile_new ("work");
  GtkWindow *window;
  MusterSignInPage *page;
  GtkWidget *code, *expiry;
  g_autofree char *shot = NULL;

  if (!ui_test_init ())
    return;

  muster_profile_set_tenant (profile, "contoso.onmicrosoft.com");
  muster_profile_set_auth_mode (profile, MUSTER_AUTH_MODE_DEVICE_CODE);
  page = new_page (&window);
  muster_sign_in_page_begin (page, profile);
  muster_sign_in_page_set_device_code (page, "GHJK-LMNP", "https://microsoft.com/devicelogin",
                                       g_get_real_time () / G_USEC_PER_SEC + 15 * 60 + 30);
  ui_test_wait (500);

  /* the code, large, selectable and in a monospace face */
  code = find_selectable_label (GTK_WIDGET (page), "GHJK-LMNP");
  g_assert_nonnull (code);
  g_assert_true (gtk_widget_is_visible (code));
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (code)));
  g_assert_true (gtk_widget_has_css_class (code, "title-1"));
  g_assert_true (gtk_widget_has_css_class (code, "monospace"));
  g_assert_cmpstr (muster_sign_in_page_get_user_code (page), ==, "GHJK-LMNP");
  g_assert_cmpstr (muster_sign_in_page_get_url (page), ==, "https://microsoft.com/devicelogin");
  expiry = find_selectable_label (GTK_WIDGET (page), "The code expires in 15 minutes");
  g_assert_nonnull (expiry);
  g_assert_true (gtk_widget_is_visible (expiry));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (page), GTK_TYPE_BUTTON, "Copy Code"));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (page), GTK_TYPE_BUTTON, "Open Link"));

  shot = ui_test_save_screenshot (GTK_WIDGET (window), "sign-in-device-code");
  muster_sign_in_page_stop (page);
  gtk_window_destroy (window);
}

static void
test_no_browser (void)
{
  static const char url[] = "http://127.0.0.1:1/organizations/oauth2/v2.0/authorize?client_id=x&state=y";
  g_autoptr(MusterProfile) profile = muster_profile_new ("work");
  GtkWindow *window;
  MusterSignInPage *page;
  GtkWidget *link, *problem;
  g_autofree char *shot = NULL;

  if (!ui_test_init ())
    return;

  page = new_page (&window);
  muster_sign_in_page_begin (page, profile);
  ui_test_wait (100);
  /* no link yet, so nothing to copy */
  g_assert_null (muster_sign_in_page_get_url (page));
  g_assert_null (find_selectable_label (GTK_WIDGET (page), url));

  muster_sign_in_page_set_authorize_url (page, url, FALSE, "No web browser is set up on this computer.");
  ui_test_wait (500);
  link = find_selectable_label (GTK_WIDGET (page), url);
  problem = find_selectable_label (GTK_WIDGET (page), "No web browser is set up on this computer.");
  g_assert_nonnull (link);
  g_assert_nonnull (problem);
  g_assert_true (gtk_widget_is_visible (link));
  g_assert_true (gtk_widget_is_visible (problem));
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (link)));
  g_assert_cmpstr (muster_sign_in_page_get_url (page), ==, url);

  shot = ui_test_save_screenshot (GTK_WIDGET (window), "sign-in-no-browser");
  gtk_window_destroy (window);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (gtk_init_check ())
    adw_init ();
  g_test_add_func ("/ui/sign-in-page/device-code", test_device_code);
  g_test_add_func ("/ui/sign-in-page/no-browser", test_no_browser);
  return g_test_run ();
}
