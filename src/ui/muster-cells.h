/* muster-cells.h: what the tables' cells show for a group or a user, shared by the Users and
 * Groups pages (and the user details): group-kind icons and titles, counts, and the closures
 * their .ui list item factories call
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "muster-group.h"
#include "muster-user.h"

G_BEGIN_DECLS

/* The symbolic icon that stands for a kind of group. */
const char *muster_group_kind_get_icon_name (MusterGroupKind  kind);
/* "Security", or "Security (dynamic)" for a group whose members follow a rule. */
char       *muster_group_dup_kind_text      (MusterGroup     *group);
/* "12", or "12 · 40 nested" when nesting adds members. */
char       *muster_group_dup_members_text   (MusterGroup     *group);

/* Makes the closures below callable from @widget_class's template, by these names:
 * "muster_cells_group_icon" (MusterGroup → icon name), "muster_cells_group_kind"
 * (MusterGroup → kind text), "muster_cells_count" (guint → "1,234"), "muster_cells_tooltip"
 * (string → itself, or NULL when empty), "muster_cells_state_classes" (MusterAccountState →
 * the CSS classes of a State cell: dimmed when disabled) and "muster_cells_enum_rank" (an enum
 * value → its number as a gint, for a GtkNumericSorter, which takes no enum types). */
void        muster_cells_bind_template_callbacks (GtkWidgetClass *widget_class);

G_END_DECLS
