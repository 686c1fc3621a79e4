/* ui-test-util.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "muster-window-private.h"
#include "ui-test-util.h"

gboolean
ui_test_init (void)
{
  /* a second gtk_init_check() says TRUE even when the first found no display */
  if (!gtk_init_check () || gdk_display_get_default () == NULL)
    {
      g_test_skip ("no display (run the tests through build-aux/run-headless)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
wait_done_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

MusterApplication *
ui_test_new_application (void)
{
  g_autoptr(MusterApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  if (!gtk_init_check ())
    return NULL;
  app = muster_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&app);
}

void
ui_test_wait (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, wait_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

void
ui_test_wait_for (MusterWindow   *window,
                  UiTestCondition condition,
                  guint           seconds,
                  const char     *what)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!condition (window))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s (page: %s)", what, gtk_stack_get_visible_child_name (window->main_stack));
      g_main_context_iteration (NULL, FALSE) || (g_usleep (2000), TRUE);
    }
}

/* "_Connect…" reads as "Connect…" to a user */
gboolean
ui_test_showing_tenant (MusterWindow *w)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (w->main_stack), "tenant") == 0 && !w->loading_status;
}

gboolean
ui_test_store_ready (MusterWindow *w)
{
  return w->snapshot_store != NULL && !w->loading_snapshot;
}

gboolean
ui_test_fetched (MusterWindow *w)
{
  return _muster_window_get_fetch (w) == NULL && !w->loading_snapshot && _muster_window_get_snapshot (w) != NULL;
}

static char *
strip_mnemonic (const char *text)
{
  GString *plain = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    if (*p != '_')
      g_string_append_c (plain, *p);
  return g_string_free (plain, FALSE);
}

static gboolean
widget_has_label (GtkWidget  *widget,
                  const char *label)
{
  g_autofree char *plain = NULL;

  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
    plain = strip_mnemonic (gtk_button_get_label (GTK_BUTTON (widget)));
  else if (GTK_IS_LABEL (widget))
    plain = strip_mnemonic (gtk_label_get_text (GTK_LABEL (widget)));
  else if (GTK_IS_INSCRIPTION (widget) && gtk_inscription_get_text (GTK_INSCRIPTION (widget)) != NULL)
    plain = g_strdup (gtk_inscription_get_text (GTK_INSCRIPTION (widget)));
  return plain != NULL && g_str_equal (plain, label);
}

GtkWidget *
ui_test_find (GtkWidget  *root,
              GType       type,
              const char *label)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && (label == NULL || widget_has_label (root, label)))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ui_test_find (child, type, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

char *
ui_test_save_screenshot (GtkWidget  *widget,
                         const char *name)
{
  const char *dir = g_getenv ("MUSTER_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  char *path;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  /* a dialog presented a moment ago on a loaded machine may not be allocated yet: give it up to
   * five seconds to get a size */
  for (guint tries = 0; (width <= 0 || height <= 0) && tries < 50; tries++)
    {
      ui_test_wait (100);
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
    }
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  if (dir == NULL)
    dir = g_get_tmp_dir ();
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, file, NULL);

  /* A widget whose allocation is being redone (a filter just changed, a dialog just mapped, a
   * loaded machine) paints nothing yet: let GTK lay it out, for up to five seconds. */
  for (guint tries = 0; node == NULL && tries < 50; tries++)
    {
      if (tries > 0)
        ui_test_wait (100);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  return path;
}
