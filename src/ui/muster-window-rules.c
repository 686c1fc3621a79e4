/* muster-window-rules.c: the profile's rules file edited elsewhere (muster-cli rules, Preferences,
 * a text editor) is read again, and the window's pickers and Preview follow it
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GFileMonitor watches the file (saves are atomic: the file is replaced, which the monitor
 * reports as created, renamed or moved in). Changes come in bursts, so the file is read once
 * things have been quiet for a moment, in a worker thread; rules that read the same as those
 * shown (the window's own save, say) change nothing.
 */

#define G_LOG_DOMAIN "muster-window"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-window-private.h"

#define SETTLE_MS 250
#define WATCH     "muster-rules-watch"

typedef struct
{
  MusterWindow *window;   /* not a reference: the watch goes with the window */
  char         *profile;
  GFileMonitor *monitor;
  GCancellable *cancellable;
  guint         settle;
} RulesWatch;

static void
rules_watch_free (RulesWatch *watch)
{
  g_clear_handle_id (&watch->settle, g_source_remove);
  g_cancellable_cancel (watch->cancellable);
  g_clear_object (&watch->cancellable);
  if (watch->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (watch->monitor, watch);
      g_file_monitor_cancel (watch->monitor);
    }
  g_clear_object (&watch->monitor);
  g_free (watch->profile);
  g_free (watch);
}

static gboolean
same_rules (MusterRules *a,
            MusterRules *b)
{
  g_autofree char *text_a = NULL;
  g_autofree char *text_b = NULL;

  if (a == NULL || b == NULL)
    return a == b;
  text_a = muster_rules_to_data (a, NULL);
  text_b = muster_rules_to_data (b, NULL);
  return g_strcmp0 (text_a, text_b) == 0;
}

static void
reread_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterRules) rules = muster_rules_load_finish (result, &error);
  RulesWatch *watch;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->closed)
    return;
  watch = g_object_get_data (G_OBJECT (self), WATCH);
  if (watch == NULL || g_strcmp0 (watch->profile, self->rules_profile) != 0 || self->rules == NULL)
    return;
  if (rules == NULL)
    {
      /* half-written by an editor, or not JSON: what is shown stays, the next change retries */
      g_debug ("The rules file changed but cannot be read: %s", error->message);
      return;
    }
  /* an edit on the Users page not saved yet is newer than the file: its save comes next */
  if (muster_users_page_get_saving (self->users_page) || same_rules (rules, self->rules))
    return;

  g_set_object (&self->rules, rules);
  muster_users_page_set_rules (self->users_page, rules, self->rules_profile);
  _muster_window_toast (self, _("The sync rules were changed elsewhere and have been read again"));
  /* the Preview plans from the rules: once more, with these — unless it has read the file
   * since it changed (or is reading it now) */
  if (self->previewing)
    {
      self->preview_stale = TRUE;
      return;
    }
  if (self->plan_rules != NULL && same_rules (rules, self->plan_rules))
    return;
  self->preview_stale = TRUE;
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "preview") == 0 &&
      _muster_window_get_push (self) == NULL && !self->push_waiting)
    _muster_window_start_preview (self);
}

static gboolean
settled_cb (gpointer user_data)
{
  RulesWatch *watch = user_data;

  watch->settle = 0;
  g_cancellable_cancel (watch->cancellable);
  g_clear_object (&watch->cancellable);
  watch->cancellable = g_cancellable_new ();
  muster_rules_load_async (watch->profile, watch->cancellable, reread_cb, g_object_ref (watch->window));
  return G_SOURCE_REMOVE;
}

static void
file_changed_cb (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other,
                 GFileMonitorEvent  event,
                 gpointer           user_data)
{
  RulesWatch *watch = user_data;

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_RENAMED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
      g_clear_handle_id (&watch->settle, g_source_remove);
      watch->settle = g_timeout_add (SETTLE_MS, settled_cb, watch);
      break;
    default:
      break;
    }
}

void
_muster_window_watch_rules (MusterWindow *self)
{
  RulesWatch *watch = g_object_get_data (G_OBJECT (self), WATCH);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (self->rules_profile == NULL)
    {
      g_object_set_data (G_OBJECT (self), WATCH, NULL);
      return;
    }
  if (watch != NULL && g_strcmp0 (watch->profile, self->rules_profile) == 0)
    return;

  watch = g_new0 (RulesWatch, 1);
  watch->window = self;
  watch->profile = g_strdup (self->rules_profile);
  path = muster_rules_get_path (watch->profile);
  file = g_file_new_for_path (path);
  /* G_FILE_MONITOR_WATCH_MOVES: an atomic save renames a temporary file over this one */
  watch->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (watch->monitor == NULL)
    g_debug ("The rules file %s is not watched: %s", path, error->message);
  else
    g_signal_connect (watch->monitor, "changed", G_CALLBACK (file_changed_cb), watch);
  g_object_set_data_full (G_OBJECT (self), WATCH, watch, (GDestroyNotify) rules_watch_free);
}
