/* muster-groups-page.c: the snapshot's groups, sorted by kind at first, searchable; activating one
 * shows its members on the Users page. The cells are declared in the template (GtkInscription
 * for text, bound to the group's properties through the shared closures of muster-cells.c).
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-groups-page"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-cells.h"
#include "muster-groups-page.h"

struct _MusterGroupsPage
{
  AdwBin               parent_instance;

  MusterSnapshot      *snapshot;

  /* template children */
  GtkSearchEntry      *search_entry;
  GtkLabel            *count_label;
  GtkStack            *content_stack;
  AdwStatusPage       *empty_page;
  GtkColumnView       *column_view;
  GtkFilterListModel  *filter_model;
  GtkSortListModel    *sort_model;
  GtkColumnViewColumn *kind_column;
};

G_DEFINE_FINAL_TYPE (MusterGroupsPage, muster_groups_page, ADW_TYPE_BIN)

enum {
  GROUP_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Helpers ------------------------------------------------------------------------------- */

static void
update_count (MusterGroupsPage *self)
{
  g_autofree char *text = NULL;
  guint shown, total;

  /* the models go first when the page is disposed */
  if (self->filter_model == NULL || self->sort_model == NULL)
    return;
  shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  total = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));

  /* Translators: "12 of 300 groups"; the second number chooses the plural */
  text = g_strdup_printf (ngettext ("%'u of %'u group", "%'u of %'u groups", total), shown, total);
  gtk_label_set_text (self->count_label, text);

  if (shown > 0)
    gtk_stack_set_visible_child_name (self->content_stack, "table");
  else
    {
      adw_status_page_set_title (self->empty_page, total > 0 ? _("No Matching Groups") : _("No Groups"));
      adw_status_page_set_description (self->empty_page,
                                       total > 0 ? _("Try a different search.")
                                                 : _("The snapshot holds no groups."));
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
    }
}

/* Signal callbacks ---------------------------------------------------------------------- */

static void
filter_items_changed_cb (MusterGroupsPage *self)
{
  update_count (self);
}

static void
column_view_activate_cb (MusterGroupsPage *self,
                         guint             position)
{
  muster_groups_page_activate (self, position);
}

/* GObject ------------------------------------------------------------------------------- */

static void
muster_groups_page_dispose (GObject *object)
{
  MusterGroupsPage *self = MUSTER_GROUPS_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_GROUPS_PAGE);
  g_clear_object (&self->snapshot);

  G_OBJECT_CLASS (muster_groups_page_parent_class)->dispose (object);
}

static void
muster_groups_page_class_init (MusterGroupsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_groups_page_dispose;

  signals[GROUP_ACTIVATED] =
    g_signal_new ("group-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, MUSTER_TYPE_GROUP);

  g_type_ensure (MUSTER_TYPE_GROUP);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-groups-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterGroupsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, MusterGroupsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, MusterGroupsPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, MusterGroupsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, MusterGroupsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, MusterGroupsPage, filter_model);
  gtk_widget_class_bind_template_child (widget_class, MusterGroupsPage, sort_model);
  gtk_widget_class_bind_template_child (widget_class, MusterGroupsPage, kind_column);

  gtk_widget_class_bind_template_callback (widget_class, filter_items_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, column_view_activate_cb);
  /* the cells are declared in the template and call the shared closures */
  muster_cells_bind_template_callbacks (widget_class);
}

static void
muster_groups_page_init (MusterGroupsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* groups by kind; the snapshot's name order stays within each kind (the sort is stable) */
  gtk_column_view_sort_by_column (self->column_view, self->kind_column, GTK_SORT_ASCENDING);
  update_count (self);
}

/* Public API ---------------------------------------------------------------------------- */

void
muster_groups_page_set_snapshot (MusterGroupsPage *self,
                                 MusterSnapshot   *snapshot)
{
  g_return_if_fail (MUSTER_IS_GROUPS_PAGE (self));

  if (!g_set_object (&self->snapshot, snapshot))
    return;
  gtk_sort_list_model_set_model (self->sort_model, snapshot ? muster_snapshot_get_groups (snapshot) : NULL);
  update_count (self);
}

GListModel *
muster_groups_page_get_shown (MusterGroupsPage *self)
{
  g_return_val_if_fail (MUSTER_IS_GROUPS_PAGE (self), NULL);
  return G_LIST_MODEL (self->filter_model);
}

void
muster_groups_page_focus_search (MusterGroupsPage *self)
{
  g_return_if_fail (MUSTER_IS_GROUPS_PAGE (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
muster_groups_page_activate (MusterGroupsPage *self,
                             guint             position)
{
  g_autoptr(MusterGroup) group = NULL;

  g_return_if_fail (MUSTER_IS_GROUPS_PAGE (self));

  group = g_list_model_get_item (G_LIST_MODEL (self->filter_model), position);
  if (group != NULL)
    g_signal_emit (self, signals[GROUP_ACTIVATED], 0, group);
}
