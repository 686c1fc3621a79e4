/* muster-cells.c: what the tables' cells show for a group or a user, in one place for the Users
 * and Groups pages — the text columns are GtkInscriptions in each page's .ui whose bindings call
 * these closures, the way Sysprof declares its table cells
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cells"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-cells.h"

const char *
muster_group_kind_get_icon_name (MusterGroupKind kind)
{
  switch (kind)
    {
    case MUSTER_GROUP_KIND_MICROSOFT365:
      return "system-users-symbolic";
    case MUSTER_GROUP_KIND_SECURITY:
      return "channel-secure-symbolic";
    case MUSTER_GROUP_KIND_MAIL_SECURITY:
      return "mail-read-symbolic";
    case MUSTER_GROUP_KIND_DISTRIBUTION:
      return "mail-send-symbolic";
    default:
      return "system-users-symbolic";
    }
}

char *
muster_group_dup_kind_text (MusterGroup *group)
{
  const char *title;

  g_return_val_if_fail (MUSTER_IS_GROUP (group), NULL);

  title = muster_group_kind_get_title (muster_group_get_kind (group));
  if (muster_group_get_dynamic (group))
    /* Translators: a kind of group whose members follow a rule */
    return g_strdup_printf (_("%s (dynamic)"), title);
  return g_strdup (title);
}

char *
muster_group_dup_members_text (MusterGroup *group)
{
  guint direct, nested;

  g_return_val_if_fail (MUSTER_IS_GROUP (group), NULL);

  direct = muster_group_get_member_count (group);
  nested = muster_group_get_transitive_member_count (group);
  if (nested > direct)
    /* Translators: direct members, then members through nested groups */
    return g_strdup_printf (_("%u · %u nested"), direct, nested);
  return g_strdup_printf ("%u", direct);
}

/* Closures: the first argument is the list item the expression is evaluated for. A row being
 * recycled evaluates them with no item, hence the NULL checks. */

static char *
group_icon_closure (gpointer     this,
                    MusterGroup *group)
{
  if (group == NULL)
    return NULL;
  return g_strdup (muster_group_kind_get_icon_name (muster_group_get_kind (group)));
}

static char *
group_kind_closure (gpointer     this,
                    MusterGroup *group)
{
  if (group == NULL)
    return NULL;
  return muster_group_dup_kind_text (group);
}

static char *
count_closure (gpointer this,
               guint    n)
{
  /* the locale's digit grouping: 100,000 or 100.000 */
  return g_strdup_printf ("%'u", n);
}

static char *
tooltip_closure (gpointer    this,
                 const char *text)
{
  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

/* GtkNumericSorter sorts plain numbers only, not enum values: this hands it the number. */
static int
enum_rank_closure (gpointer this,
                   int      value)
{
  return value;
}

static GStrv
state_classes_closure (gpointer           this,
                       MusterAccountState state)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (state == MUSTER_ACCOUNT_STATE_DISABLED)
    g_strv_builder_add (builder, "dim-label");
  return g_strv_builder_end (builder);
}

void
muster_cells_bind_template_callbacks (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback_full (widget_class, "muster_cells_group_icon",
                                                G_CALLBACK (group_icon_closure));
  gtk_widget_class_bind_template_callback_full (widget_class, "muster_cells_group_kind",
                                                G_CALLBACK (group_kind_closure));
  gtk_widget_class_bind_template_callback_full (widget_class, "muster_cells_count", G_CALLBACK (count_closure));
  gtk_widget_class_bind_template_callback_full (widget_class, "muster_cells_tooltip", G_CALLBACK (tooltip_closure));
  gtk_widget_class_bind_template_callback_full (widget_class, "muster_cells_state_classes",
                                                G_CALLBACK (state_classes_closure));
  gtk_widget_class_bind_template_callback_full (widget_class, "muster_cells_enum_rank", G_CALLBACK (enum_rank_closure));
}
