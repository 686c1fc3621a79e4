/* muster-fetch-indicator.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fetch-indicator"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-fetch-indicator.h"
#include "muster-tenant-page.h"

struct _MusterFetchIndicator
{
  AdwBin                parent_instance;

  gint64                created_at;
  guint                 age_timeout;
  MusterDirectoryFetch *fetch;
  guint                 counts[MUSTER_FETCH_PHASE_SAVING + 1];
  char                 *age_text;

  /* template children */
  GtkStack             *stack;
  GtkLabel             *age_label;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;
};

G_DEFINE_FINAL_TYPE (MusterFetchIndicator, muster_fetch_indicator, ADW_TYPE_BIN)

/* Helpers ------------------------------------------------------------------------------- */

static void
update_age (MusterFetchIndicator *self)
{
  g_free (self->age_text);
  if (self->created_at == 0)
    self->age_text = g_strdup (_("No snapshot yet"));
  else
    {
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;
      /* a snapshot is never in the future, even when the clocks disagree by a second */
      g_autofree char *relative = muster_format_relative_time (MIN (self->created_at, now), now);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (self->created_at);
      g_autofree char *exact = g_date_time_format (when, "%c");
      g_autofree char *tooltip = NULL;

      /* Translators: %s is "just now" or "3 minutes ago": when the snapshot was read */
      self->age_text = g_strdup_printf (_("Updated %s"), relative);
      /* Translators: %s is a date and time */
      tooltip = g_strdup_printf (_("The users and groups shown were read on %s"), exact);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->age_label), tooltip);
    }
  gtk_label_set_text (self->age_label, self->age_text);
}

static gboolean
age_timeout_cb (gpointer user_data)
{
  update_age (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update_progress (MusterFetchIndicator *self)
{
  MusterFetchPhase phase = muster_directory_fetch_get_phase (self->fetch);
  g_autofree char *users = g_strdup_printf ("%'u", self->counts[MUSTER_FETCH_PHASE_USERS]);
  g_autofree char *groups = g_strdup_printf ("%'u", self->counts[MUSTER_FETCH_PHASE_GROUPS]);
  g_autofree char *text = NULL;

  if (phase == MUSTER_FETCH_PHASE_STARTING)
    text = g_strdup (_("Connecting…"));
  else if (phase == MUSTER_FETCH_PHASE_SAVING)
    /* Translators: the directory is read and being written to the cache */
    text = g_strdup_printf (_("Saving · Users %s · Groups %s"), users, groups);
  else if (phase == MUSTER_FETCH_PHASE_USERS)
    /* Translators: counts of what a fetch has read so far */
    text = g_strdup_printf (_("Users %s"), users);
  else
    text = g_strdup_printf (_("Users %s · Groups %s"), users, groups);

  gtk_label_set_text (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, muster_directory_fetch_get_fraction (self->fetch));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->progress_label), muster_fetch_phase_get_title (phase));
}

/* Signal callbacks ---------------------------------------------------------------------- */

static void
fetch_progress_cb (MusterFetchIndicator *self,
                   int                   phase,
                   guint                 objects,
                   guint                 pages,
                   double                fraction)
{
  if (phase >= 0 && phase <= MUSTER_FETCH_PHASE_SAVING)
    self->counts[phase] = objects;
  update_progress (self);
}

/* GObject ------------------------------------------------------------------------------- */

static void
muster_fetch_indicator_dispose (GObject *object)
{
  MusterFetchIndicator *self = MUSTER_FETCH_INDICATOR (object);

  g_clear_handle_id (&self->age_timeout, g_source_remove);
  if (self->fetch != NULL)
    g_signal_handlers_disconnect_by_data (self->fetch, self);
  g_clear_object (&self->fetch);
  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_FETCH_INDICATOR);

  G_OBJECT_CLASS (muster_fetch_indicator_parent_class)->dispose (object);
}

static void
muster_fetch_indicator_finalize (GObject *object)
{
  MusterFetchIndicator *self = MUSTER_FETCH_INDICATOR (object);

  g_free (self->age_text);

  G_OBJECT_CLASS (muster_fetch_indicator_parent_class)->finalize (object);
}

static void
muster_fetch_indicator_class_init (MusterFetchIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_fetch_indicator_dispose;
  object_class->finalize = muster_fetch_indicator_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-fetch-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterFetchIndicator, stack);
  gtk_widget_class_bind_template_child (widget_class, MusterFetchIndicator, age_label);
  gtk_widget_class_bind_template_child (widget_class, MusterFetchIndicator, progress_label);
  gtk_widget_class_bind_template_child (widget_class, MusterFetchIndicator, progress_bar);
}

static void
muster_fetch_indicator_init (MusterFetchIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_age (self);
  self->age_timeout = g_timeout_add_seconds (30, age_timeout_cb, self);
}

/* Public API ---------------------------------------------------------------------------- */

void
muster_fetch_indicator_set_snapshot_time (MusterFetchIndicator *self,
                                          gint64                created_at)
{
  g_return_if_fail (MUSTER_IS_FETCH_INDICATOR (self));

  self->created_at = created_at;
  update_age (self);
}

void
muster_fetch_indicator_set_fetch (MusterFetchIndicator *self,
                                  MusterDirectoryFetch *fetch)
{
  g_return_if_fail (MUSTER_IS_FETCH_INDICATOR (self));

  if (self->fetch != NULL)
    g_signal_handlers_disconnect_by_data (self->fetch, self);
  g_set_object (&self->fetch, fetch);
  memset (self->counts, 0, sizeof self->counts);

  if (fetch == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "idle");
      return;
    }
  g_signal_connect_swapped (fetch, "progress", G_CALLBACK (fetch_progress_cb), self);
  update_progress (self);
  gtk_stack_set_visible_child_name (self->stack, "fetching");
}

const char *
muster_fetch_indicator_get_age_text (MusterFetchIndicator *self)
{
  g_return_val_if_fail (MUSTER_IS_FETCH_INDICATOR (self), NULL);
  return self->age_text;
}
