/* muster-window-changes.c: the window's Changes page follows the profile and its snapshots
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-window"

#include "config.h"

#include "muster-changes-page.h"
#include "muster-window-private.h"

static MusterChangesPage *
changes_page (MusterWindow *self)
{
  GtkWidget *page = adw_view_stack_get_child_by_name (self->view_stack, "changes");

  return MUSTER_IS_CHANGES_PAGE (page) ? MUSTER_CHANGES_PAGE (page) : NULL;
}

/* Read when shown: the profile's snapshots, compared again (a Refresh may have made one). */
static void
view_changed_cb (MusterWindow *self)
{
  MusterChangesPage *page = changes_page (self);

  if (page == NULL || g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "changes") != 0)
    return;
  if (self->profile == NULL || self->snapshot_store == NULL)
    {
      muster_changes_page_set_store (page, NULL, NULL);
      return;
    }
  muster_changes_page_set_store (page, self->snapshot_store, muster_profile_get_name (self->profile));
  if (!muster_changes_page_get_loading (page))
    muster_changes_page_reload (page);
}

void
_muster_window_changes_init (MusterWindow *self)
{
  g_signal_connect_object (self->view_stack, "notify::visible-child-name", G_CALLBACK (view_changed_cb), self,
                           G_CONNECT_SWAPPED);
}
