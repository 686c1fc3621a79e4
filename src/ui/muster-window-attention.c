/* muster-window-attention.c: opening the window at what a scheduled run needs — signing in
 * again, the Preview a safety limit refused, or the History entry of a partial run
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A click on the notification of such a run activates app.open-page (muster-application.c)
 * with the profile, the page and the run; this brings the window there.
 */

#define G_LOG_DOMAIN "muster-window"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-cloud.h"
#include "muster-window-private.h"

#define PENDING_RUN "muster-attention-run"
#define WATCHING    "muster-attention-watching"

/* Opens the row of the run asked for, once the History page has read the runs. */
static void
expand_pending_run (MusterWindow *self)
{
  const char *run_id = g_object_get_data (G_OBJECT (self), PENDING_RUN);
  guint n;

  if (run_id == NULL || _muster_window_get_history (self) == NULL
      || muster_history_page_get_loading (self->history_page))
    return;
  n = muster_history_page_get_n_runs (self->history_page);
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (muster_history_page_get_run (self->history_page, i)->id, run_id) == 0)
      {
        muster_history_page_expand_run (self->history_page, i);
        g_object_set_data (G_OBJECT (self), PENDING_RUN, NULL);
        return;
      }
  _muster_window_toast (self, _("That sync is no longer in the History"));
  g_object_set_data (G_OBJECT (self), PENDING_RUN, NULL);
}

static void
history_loading_cb (MusterWindow *self)
{
  expand_pending_run (self);
}

static MusterProfile *
find_profile (MusterWindow *self,
              const char   *name)
{
  MusterProfile *profile = muster_profile_store_lookup (self->store, name);

  /* a scheduled run is one of the admin's own profiles: leave the demo for it */
  if (profile == NULL && self->in_demo)
    {
      profile = muster_profile_store_lookup (self->own_store, name);
      if (profile != NULL)
        {
          muster_cloud_set_override (NULL, NULL);
          _muster_window_use_store (self, self->own_store, FALSE);
        }
    }
  return profile;
}

void
muster_window_open_page (MusterWindow *self,
                         const char   *profile_name,
                         const char   *page,
                         const char   *run_id)
{
  MusterProfile *profile;
  gboolean was_history;

  g_return_if_fail (MUSTER_IS_WINDOW (self));
  g_return_if_fail (profile_name != NULL);
  g_return_if_fail (page != NULL);

  profile = find_profile (self, profile_name);
  if (profile == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("There is no profile “%s” any more"), profile_name);

      _muster_window_toast (self, text);
      return;
    }

  if (g_str_equal (page, "sign-in"))
    {
      if (profile != self->profile)
        _muster_window_open_profile (self, profile, FALSE);
      /* the status it began to read would fail, or move off the sign-in page when it ends */
      if (self->status_cancellable != NULL)
        g_cancellable_cancel (self->status_cancellable);
      adw_view_stack_set_visible_child_name (self->view_stack, "tenant");
      _muster_window_sign_in (self, FALSE);
      return;
    }

  if (profile != self->profile)
    _muster_window_open_profile (self, profile, FALSE);
  if (g_str_equal (page, "preview"))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.open-preview", NULL);
      return;
    }
  if (!g_str_equal (page, "history"))
    {
      g_warning ("app.open-page: no page “%s”", page);
      return;
    }

  g_object_set_data_full (G_OBJECT (self), PENDING_RUN,
                          run_id != NULL && *run_id != '\0' ? g_strdup (run_id) : NULL, g_free);
  if (g_object_get_data (G_OBJECT (self), WATCHING) == NULL)
    {
      g_signal_connect_object (self->history_page, "notify::loading", G_CALLBACK (history_loading_cb), self,
                               G_CONNECT_SWAPPED);
      g_object_set_data (G_OBJECT (self), WATCHING, GINT_TO_POINTER (TRUE));
    }
  was_history = g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "history") == 0;
  adw_view_stack_set_visible_child_name (self->view_stack, "history");
  /* the view did not change, so nothing read the runs again: the new one is not listed yet */
  if (was_history && _muster_window_get_history (self) != NULL)
    muster_history_page_reload (self->history_page);
}
