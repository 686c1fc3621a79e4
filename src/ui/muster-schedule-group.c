/* muster-schedule-group.c: Automatic Sync — a profile's systemd user timer switched on or off,
 * with its target, interval, next and last run
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The timer is muster-schedule's (the same units `muster-cli schedule enable` writes); this group
 * only drives it. Turning the switch on writes the units and enables the timer through the user
 * manager; where none runs (MUSTER_SCHEDULE_ERROR_NO_MANAGER) the units stay written and the
 * group shows the commands that enable them by hand. A change of target or interval while on
 * writes the units again.
 */

#define G_LOG_DOMAIN "muster-schedule-group"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-schedule.h"
#include "muster-schedule-group.h"
#include "muster-target-store.h"

struct _MusterScheduleGroup
{
  AdwPreferencesGroup  parent_instance;

  GCancellable        *cancellable;
  char                *profile;
  char                *manual_command;
  char                *status_text;
  guint                busy;            /* operations under way */
  gboolean             filling;         /* the rows follow what was read, not the admin */
  gboolean             enabled;         /* the units are written */

  AdwActionRow        *enable_row;
  GtkSwitch           *enable_switch;
  GtkSpinner          *spinner;
  AdwComboRow         *target_row;
  GtkStringList       *targets;
  AdwComboRow         *every_row;
  GtkStringList       *intervals;
  AdwActionRow        *status_row;
  AdwActionRow        *manual_row;
};

G_DEFINE_FINAL_TYPE (MusterScheduleGroup, muster_schedule_group, ADW_TYPE_PREFERENCES_GROUP)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The interval rows, in the order of the .ui's list; a calendar event of `muster-cli schedule
 * enable --every` is added after them as it was given. */
static const char *everies[] = { "hourly", "daily", "weekly" };

static void read_status (MusterScheduleGroup *self);

static void
update_rows (MusterScheduleGroup *self)
{
  gboolean has_targets = g_list_model_get_n_items (G_LIST_MODEL (self->targets)) > 0;

  gtk_widget_set_sensitive (GTK_WIDGET (self->enable_switch), self->busy == 0 && (has_targets || self->enabled));
  gtk_widget_set_sensitive (GTK_WIDGET (self->target_row), self->busy == 0 && has_targets);
  gtk_widget_set_sensitive (GTK_WIDGET (self->every_row), self->busy == 0);
  gtk_spinner_set_spinning (self->spinner, self->busy > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->manual_row), self->manual_command != NULL);
  /* subtitles are Pango markup: the commands hold "&&" */
  {
    g_autofree char *command = g_markup_escape_text (self->manual_command ? self->manual_command : "", -1);
    g_autofree char *status = g_markup_escape_text (self->status_text ? self->status_text : "", -1);

    adw_action_row_set_subtitle (self->manual_row, command);
    adw_action_row_set_subtitle (self->status_row, status);
  }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "schedule.copy-command", self->manual_command != NULL);
}

static void
set_busy (MusterScheduleGroup *self,
          gboolean             busy)
{
  gboolean was = self->busy > 0;

  if (busy)
    self->busy++;
  else if (self->busy > 0)
    self->busy--;
  update_rows (self);
  if (was != (self->busy > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_status_text (MusterScheduleGroup *self,
                 char                *text)
{
  g_free (self->status_text);
  self->status_text = text;
  update_rows (self);
}

static void
set_manual_command (MusterScheduleGroup *self,
                    char                *command)
{
  g_free (self->manual_command);
  self->manual_command = command;
  update_rows (self);
}

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  /* Translators: a date and time, see the format of g_date_time_format() */
  return local ? g_date_time_format (local, _("%-d %b %Y, %H:%M")) : g_strdup ("?");
}

static char *
describe_status (const MusterScheduleStatus *status)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (!status->installed)
    return g_strdup (_("Off: the profile syncs only when you push"));

  if (status->manager_reached && status->next_run > 0)
    {
      g_autofree char *next = format_time (status->next_run);

      g_string_append_printf (text, _("Next run %s"), next);
    }
  else if (status->manager_reached)
    g_string_append_printf (text, _("The timer is %s, no run is due"),
                            status->active_state ? status->active_state : _("unknown"));
  else
    g_string_append (text, _("The timer is written but not running"));

  if (status->last_scheduled != NULL)
    {
      const MusterHistoryRun *run = status->last_scheduled;
      g_autofree char *last = format_time (run->started_at * G_USEC_PER_SEC);

      /* Translators: the first %s is a date and time, the second how the run ended ("Completed") */
      g_string_append_printf (text, _(" · last run %s: %s"), last, muster_run_state_get_title (run->state));
    }
  else
    g_string_append (text, _(" · no run yet"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
select_string (AdwComboRow   *row,
               GtkStringList *list,
               const char    *value)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (list, i), value) == 0)
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
}

static const char *
chosen_every (MusterScheduleGroup *self)
{
  guint selected = adw_combo_row_get_selected (self->every_row);

  if (selected < G_N_ELEMENTS (everies))
    return everies[selected];
  if (selected != GTK_INVALID_LIST_POSITION)
    return gtk_string_list_get_string (self->intervals, selected);
  return "daily";
}

static void
show_every (MusterScheduleGroup *self,
            const char          *every)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->intervals));

  for (guint i = 0; i < G_N_ELEMENTS (everies); i++)
    if (g_strcmp0 (every, everies[i]) == 0)
      {
        adw_combo_row_set_selected (self->every_row, i);
        return;
      }
  if (every == NULL)
    return;
  /* a calendar event set with muster-cli: shown as it is */
  if (n > G_N_ELEMENTS (everies))
    gtk_string_list_splice (self->intervals, G_N_ELEMENTS (everies), n - G_N_ELEMENTS (everies), NULL);
  gtk_string_list_append (self->intervals, every);
  adw_combo_row_set_selected (self->every_row, G_N_ELEMENTS (everies));
}

/* Reading the timer ----------------------------------------------------------------------- */

static void
status_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(MusterScheduleGroup) self = user_data;
  g_autoptr(MusterScheduleStatus) status = NULL;
  g_autoptr(GError) error = NULL;

  status = muster_schedule_get_status_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (status == NULL)
    {
      set_status_text (self, g_strdup_printf (_("Could not read the timer: %s"), error->message));
      return;
    }
  self->filling = TRUE;
  self->enabled = status->installed;
  gtk_switch_set_active (self->enable_switch, status->installed);
  if (status->installed)
    {
      select_string (self->target_row, self->targets, status->target);
      show_every (self, status->every);
    }
  self->filling = FALSE;
  /* the units are there but nobody enabled them: say again how */
  if (status->installed && !status->manager_reached)
    set_manual_command (self, muster_schedule_dup_manual_command (self->profile));
  else
    set_manual_command (self, NULL);
  set_status_text (self, describe_status (status));
}

static void
read_status (MusterScheduleGroup *self)
{
  set_busy (self, TRUE);
  muster_schedule_get_status_async (self->profile, NULL, self->cancellable, status_read_cb, g_object_ref (self));
}

static void
list_targets_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  g_autoptr(MusterTargetStore) store = muster_target_store_load (NULL, &error);

  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, muster_target_store_list (store, task_data), (GDestroyNotify) g_ptr_array_unref);
}

static void
targets_listed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  MusterScheduleGroup *self = MUSTER_SCHEDULE_GROUP (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) targets = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;

  if (targets == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  for (guint i = 0; targets != NULL && i < targets->len; i++)
    g_strv_builder_add (names, ((MusterTargetInfo *) targets->pdata[i])->name);
  strv = g_strv_builder_end (names);
  self->filling = TRUE;
  gtk_string_list_splice (self->targets, 0, g_list_model_get_n_items (G_LIST_MODEL (self->targets)),
                          (const char * const *) strv);
  self->filling = FALSE;
  if (targets == NULL)
    set_status_text (self, g_strdup_printf (_("Could not read the targets: %s"), error->message));
  else if (targets->len == 0)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->target_row), _("Add a named target first: the timer pushes into it"));
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->target_row), "");
  /* the timer's own target is selected once its state is read */
  read_status (self);
}

/* Switching ------------------------------------------------------------------------------- */

static void
enabled_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(MusterScheduleGroup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!muster_schedule_enable_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      if (g_error_matches (error, MUSTER_SCHEDULE_ERROR, MUSTER_SCHEDULE_ERROR_NO_MANAGER))
        {
          /* written, not running: the commands to run, then what the timer's state is */
          read_status (self);
          return;
        }
      /* nothing was written: the switch goes back, the reason stays in view */
      self->filling = TRUE;
      gtk_switch_set_active (self->enable_switch, self->enabled);
      self->filling = FALSE;
      set_status_text (self, g_strdup_printf (_("Automatic sync could not be turned on: %s"), error->message));
      return;
    }
  set_busy (self, FALSE);
  read_status (self);
}

static void
disabled_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MusterScheduleGroup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!muster_schedule_disable_finish (result, NULL, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      self->filling = TRUE;
      gtk_switch_set_active (self->enable_switch, self->enabled);
      self->filling = FALSE;
      set_status_text (self, g_strdup_printf (_("Automatic sync could not be turned off: %s"), error->message));
      return;
    }
  set_busy (self, FALSE);
  set_manual_command (self, NULL);
  read_status (self);
}

char *
muster_schedule_group_dup_cli_path (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe ? g_path_get_dirname (exe) : NULL;
  g_autofree char *beside = dir ? g_build_filename (dir, "muster-cli", NULL) : NULL;
  g_autofree char *built = dir ? g_build_filename (dir, "..", "cli", "muster-cli", NULL) : NULL;
  g_autofree char *tests = dir ? g_build_filename (dir, "..", "..", "src", "cli", "muster-cli", NULL) : NULL;

  if (beside != NULL && g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&beside);
  if (built != NULL && g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
    return g_canonicalize_filename (built, NULL);
  if (tests != NULL && g_file_test (tests, G_FILE_TEST_IS_EXECUTABLE))
    return g_canonicalize_filename (tests, NULL);
  return g_build_filename (BINDIR, "muster-cli", NULL);
}

static void
enable (MusterScheduleGroup *self)
{
  guint selected = adw_combo_row_get_selected (self->target_row);
  g_autofree char *cli = muster_schedule_group_dup_cli_path ();
  const char *target;

  if (selected == GTK_INVALID_LIST_POSITION)
    return;
  target = gtk_string_list_get_string (self->targets, selected);
  set_busy (self, TRUE);
  muster_schedule_enable_async (self->profile, target, chosen_every (self), cli, self->cancellable, enabled_cb,
                                g_object_ref (self));
}

static void
switch_cb (MusterScheduleGroup *self)
{
  gboolean active = gtk_switch_get_active (self->enable_switch);

  if (self->filling || self->profile == NULL || active == self->enabled)
    return;
  if (active)
    enable (self);
  else
    {
      set_busy (self, TRUE);
      muster_schedule_disable_async (self->profile, self->cancellable, disabled_cb, g_object_ref (self));
    }
}

static void
choice_cb (MusterScheduleGroup *self)
{
  /* another target or interval for a timer that runs: the units are written again */
  if (!self->filling && self->profile != NULL && self->enabled && self->busy == 0)
    enable (self);
}

static void
copy_command_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MusterScheduleGroup *self = MUSTER_SCHEDULE_GROUP (widget);

  if (self->manual_command != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->manual_command);
}

/* GObject --------------------------------------------------------------------------------- */

static void
muster_schedule_group_dispose (GObject *object)
{
  MusterScheduleGroup *self = MUSTER_SCHEDULE_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_SCHEDULE_GROUP);
  G_OBJECT_CLASS (muster_schedule_group_parent_class)->dispose (object);
}

static void
muster_schedule_group_finalize (GObject *object)
{
  MusterScheduleGroup *self = MUSTER_SCHEDULE_GROUP (object);

  g_clear_object (&self->cancellable);
  g_free (self->profile);
  g_free (self->manual_command);
  g_free (self->status_text);
  G_OBJECT_CLASS (muster_schedule_group_parent_class)->finalize (object);
}

static void
muster_schedule_group_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, MUSTER_SCHEDULE_GROUP (object)->busy > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_schedule_group_class_init (MusterScheduleGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_schedule_group_dispose;
  object_class->finalize = muster_schedule_group_finalize;
  object_class->get_property = muster_schedule_group_get_property;

  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-schedule-group.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, MusterScheduleGroup, name)
  CHILD (enable_row);
  CHILD (enable_switch);
  CHILD (spinner);
  CHILD (target_row);
  CHILD (every_row);
  CHILD (status_row);
  CHILD (manual_row);
#undef CHILD
  gtk_widget_class_install_action (widget_class, "schedule.copy-command", NULL, copy_command_action);
}

static void
muster_schedule_group_init (MusterScheduleGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* the rows' models, not bound children: disposing the template would drop a reference that
   * is the rows' */
  self->targets = GTK_STRING_LIST (adw_combo_row_get_model (self->target_row));
  self->intervals = GTK_STRING_LIST (adw_combo_row_get_model (self->every_row));
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->enable_switch, "notify::active", G_CALLBACK (switch_cb), self);
  g_signal_connect_swapped (self->target_row, "notify::selected", G_CALLBACK (choice_cb), self);
  g_signal_connect_swapped (self->every_row, "notify::selected", G_CALLBACK (choice_cb), self);
  update_rows (self);
}

GtkWidget *
muster_schedule_group_new (void)
{
  return g_object_new (MUSTER_TYPE_SCHEDULE_GROUP, NULL);
}

void
muster_schedule_group_reload (MusterScheduleGroup *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MUSTER_IS_SCHEDULE_GROUP (self));

  if (self->profile == NULL)
    return;
  set_busy (self, TRUE);
  task = g_task_new (self, self->cancellable, targets_listed_cb, NULL);
  g_task_set_source_tag (task, muster_schedule_group_reload);
  g_task_set_task_data (task, g_strdup (self->profile), g_free);
  g_task_run_in_thread (task, list_targets_thread);
}

void
muster_schedule_group_set_profile (MusterScheduleGroup *self,
                                   const char          *profile)
{
  g_return_if_fail (MUSTER_IS_SCHEDULE_GROUP (self));

  if (g_strcmp0 (self->profile, profile) == 0)
    return;
  /* what was under way is for the other profile */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->busy > 0)
    {
      self->busy = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
  g_free (self->profile);
  self->profile = g_strdup (profile);
  self->enabled = FALSE;
  g_clear_pointer (&self->manual_command, g_free);
  g_clear_pointer (&self->status_text, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self), profile != NULL);
  muster_schedule_group_reload (self);
}

gboolean
muster_schedule_group_get_busy (MusterScheduleGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_SCHEDULE_GROUP (self), FALSE);
  return self->busy > 0;
}

gboolean
muster_schedule_group_get_enabled (MusterScheduleGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_SCHEDULE_GROUP (self), FALSE);
  return self->enabled;
}

const char *
muster_schedule_group_get_manual_command (MusterScheduleGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_SCHEDULE_GROUP (self), NULL);
  return self->manual_command;
}

const char *
muster_schedule_group_get_status_text (MusterScheduleGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_SCHEDULE_GROUP (self), NULL);
  return self->status_text;
}
