/* muster-licence-row.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-licence-row"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-licence-row.h"

struct _MusterLicenceRow
{
  AdwActionRow  parent_instance;

  /* template children */
  GtkLevelBar  *usage_bar;
};

G_DEFINE_FINAL_TYPE (MusterLicenceRow, muster_licence_row, ADW_TYPE_ACTION_ROW)

static void
muster_licence_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), MUSTER_TYPE_LICENCE_ROW);
  G_OBJECT_CLASS (muster_licence_row_parent_class)->dispose (object);
}

static void
muster_licence_row_class_init (MusterLicenceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_licence_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-licence-row.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterLicenceRow, usage_bar);
}

static void
muster_licence_row_init (MusterLicenceRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The level bar's battery-style offsets would paint a nearly free licence as "low"; here a
   * full bar is what deserves attention, and gets the warning colour (style.css). */
  gtk_level_bar_remove_offset_value (self->usage_bar, GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (self->usage_bar, GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (self->usage_bar, GTK_LEVEL_BAR_OFFSET_FULL);
}

GtkWidget *
muster_licence_row_new (const MusterLicence *licence)
{
  MusterLicenceRow *self;
  g_autofree char *usage = NULL;
  g_autofree char *consumed = NULL;
  g_autofree char *enabled = NULL;
  g_autofree char *title = NULL;
  double fraction;

  g_return_val_if_fail (licence != NULL, NULL);

  self = g_object_new (MUSTER_TYPE_LICENCE_ROW, NULL);
  title = g_markup_escape_text (licence->title ? licence->title : licence->part_number, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);

  consumed = g_strdup_printf ("%" G_GINT64_FORMAT, licence->consumed);
  enabled = g_strdup_printf ("%" G_GINT64_FORMAT, licence->enabled);
  /* Translators: licences of one kind, "23 of 25 assigned" */
  usage = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s assigned", "%s of %s assigned",
                                        (gulong) MAX (licence->enabled, 0)),
                           consumed, enabled);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), usage);

  fraction = licence->enabled > 0 ? CLAMP ((double) licence->consumed / licence->enabled, 0.0, 1.0) : 1.0;
  gtk_level_bar_set_value (self->usage_bar, fraction);
  if (licence->consumed >= licence->enabled)
    gtk_widget_add_css_class (GTK_WIDGET (self->usage_bar), "exhausted");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->usage_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, usage, -1);
  return GTK_WIDGET (self);
}
