/* muster-window.c: the main window — header bar, pages, and the state its actions derive from
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-window"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-window.h"

struct _MusterWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  /* template children */
  AdwHeaderBar         *header_bar;
  AdwWindowTitle       *window_title;
  GtkMenuButton        *primary_menu_button;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwStatusPage        *welcome_page;
  GtkButton            *connect_button;
  GtkButton            *demo_button;
};

G_DEFINE_FINAL_TYPE (MusterWindow, muster_window, ADW_TYPE_APPLICATION_WINDOW)

/* One place derives every action's enabled flag from the window's state (STYLE.md §5). Signing
 * in and the demo tenant arrive with the sign-in engine; until then their buttons stay
 * insensitive rather than pretending to work. */
static void
_muster_window_actions_update (MusterWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.connect", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.explore-demo", FALSE);
}

static void
muster_window_connect_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  g_debug ("Connecting is not available in this build");
}

static void
muster_window_save_state (MusterWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  /* a maximised window reports its old default size, which is what should come back */
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
}

static gboolean
muster_window_close_request (GtkWindow *window)
{
  muster_window_save_state (MUSTER_WINDOW (window));
  return GTK_WINDOW_CLASS (muster_window_parent_class)->close_request (window);
}

static void
muster_window_constructed (GObject *object)
{
  MusterWindow *self = MUSTER_WINDOW (object);

  G_OBJECT_CLASS (muster_window_parent_class)->constructed (object);

  self->settings = g_settings_new (BASE_APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  _muster_window_actions_update (self);
}

static void
muster_window_dispose (GObject *object)
{
  MusterWindow *self = MUSTER_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (muster_window_parent_class)->dispose (object);
}

static void
muster_window_class_init (MusterWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = muster_window_constructed;
  object_class->dispose = muster_window_dispose;
  window_class->close_request = muster_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, connect_button);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, demo_button);

  gtk_widget_class_install_action (widget_class, "win.connect", NULL, muster_window_connect_action);
  gtk_widget_class_install_action (widget_class, "win.explore-demo", NULL, muster_window_connect_action);
}

static void
muster_window_init (MusterWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

MusterWindow *
muster_window_new (MusterApplication *application)
{
  return g_object_new (MUSTER_TYPE_WINDOW, "application", application, NULL);
}
