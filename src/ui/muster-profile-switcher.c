/* muster-profile-switcher.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-profile-switcher"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-profile-switcher.h"

struct _MusterProfileSwitcher
{
  AdwBin              parent_instance;

  MusterProfileStore *store;
  MusterProfile      *profile;
  GMenu              *menu;

  /* template children */
  GtkMenuButton      *menu_button;
  GtkLabel           *title_label;
  GtkLabel           *subtitle_label;
};

G_DEFINE_FINAL_TYPE (MusterProfileSwitcher, muster_profile_switcher, ADW_TYPE_BIN)

static void
update_label (MusterProfileSwitcher *self)
{
  g_autofree char *accessible = NULL;

  if (self->profile == NULL)
    {
      gtk_label_set_text (self->title_label, _("No Connection"));
      gtk_label_set_text (self->subtitle_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), FALSE);
      accessible = g_strdup (_("Switch Connection"));
    }
  else
    {
      const char *title = muster_profile_get_display_name (self->profile);
      const char *cloud = muster_cloud_get_title (muster_profile_get_cloud (self->profile));

      gtk_label_set_text (self->title_label, title);
      gtk_label_set_text (self->subtitle_label, cloud);
      gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), TRUE);
      /* Translators: the accessible name of the connection menu; %s is a tenant's name */
      accessible = g_strdup_printf (_("Switch Connection, current: %s"), title);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

static void
rebuild_menu (MusterProfileSwitcher *self)
{
  g_autoptr(GMenu) profiles = g_menu_new ();
  g_autoptr(GMenu) commands = g_menu_new ();
  guint n = self->store ? g_list_model_get_n_items (G_LIST_MODEL (self->store)) : 0;

  g_menu_remove_all (self->menu);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MusterProfile) profile = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      const char *name = muster_profile_get_name (profile);
      const char *display = muster_profile_get_display_name (profile);
      g_autofree char *label = NULL;
      g_autoptr(GMenuItem) item = NULL;

      if (g_strcmp0 (display, name) == 0)
        label = g_strdup (name);
      else
        /* Translators: a connection in the menu: organisation (connection name) */
        label = g_strdup_printf (_("%s (%s)"), display, name);
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target (item, "win.switch-profile", "s", name);
      g_menu_append_item (profiles, item);
    }
  g_menu_append (commands, _("_Add Connection…"), "win.connect");
  g_menu_append (commands, _("_Remove Connection…"), "win.remove-profile");

  if (n > 0)
    g_menu_append_section (self->menu, NULL, G_MENU_MODEL (profiles));
  g_menu_append_section (self->menu, NULL, G_MENU_MODEL (commands));
  update_label (self);
}

static void
store_items_changed_cb (MusterProfileSwitcher *self)
{
  rebuild_menu (self);
}

static void
profile_notify_cb (MusterProfileSwitcher *self)
{
  rebuild_menu (self);
}

static void
muster_profile_switcher_dispose (GObject *object)
{
  MusterProfileSwitcher *self = MUSTER_PROFILE_SWITCHER (object);

  /* AdwBin unparents its child itself: let go of it first so it is not unparented twice */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_PROFILE_SWITCHER);
  g_clear_object (&self->store);
  g_clear_object (&self->profile);
  g_clear_object (&self->menu);

  G_OBJECT_CLASS (muster_profile_switcher_parent_class)->dispose (object);
}

static void
muster_profile_switcher_class_init (MusterProfileSwitcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_profile_switcher_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-profile-switcher.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterProfileSwitcher, menu_button);
  gtk_widget_class_bind_template_child (widget_class, MusterProfileSwitcher, title_label);
  gtk_widget_class_bind_template_child (widget_class, MusterProfileSwitcher, subtitle_label);
}

static void
muster_profile_switcher_init (MusterProfileSwitcher *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->menu = g_menu_new ();
  gtk_menu_button_set_menu_model (self->menu_button, G_MENU_MODEL (self->menu));
  rebuild_menu (self);
}

void
muster_profile_switcher_set_store (MusterProfileSwitcher *self,
                                   MusterProfileStore    *store)
{
  g_return_if_fail (MUSTER_IS_PROFILE_SWITCHER (self));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_object (store, "items-changed", G_CALLBACK (store_items_changed_cb), self, G_CONNECT_SWAPPED);
  rebuild_menu (self);
}

void
muster_profile_switcher_set_profile (MusterProfileSwitcher *self,
                                     MusterProfile         *profile)
{
  g_return_if_fail (MUSTER_IS_PROFILE_SWITCHER (self));

  if (self->profile != NULL)
    g_signal_handlers_disconnect_by_data (self->profile, self);
  g_set_object (&self->profile, profile);
  if (profile != NULL)
    g_signal_connect_object (profile, "notify::organization", G_CALLBACK (profile_notify_cb), self, G_CONNECT_SWAPPED);
  rebuild_menu (self);
}

const char *
muster_profile_switcher_get_title (MusterProfileSwitcher *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE_SWITCHER (self), NULL);
  return gtk_label_get_text (self->title_label);
}

const char *
muster_profile_get_display_name (MusterProfile *profile)
{
  const char *organization;

  g_return_val_if_fail (MUSTER_IS_PROFILE (profile), NULL);
  organization = muster_profile_get_organization (profile);
  return organization != NULL && *organization != '\0' ? organization : muster_profile_get_name (profile);
}
