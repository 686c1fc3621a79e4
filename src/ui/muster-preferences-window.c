/* muster-preferences-window.c: Preferences — appearance; and for the profile shown, its sync
 * rules (Sync) and its targets (Targets)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-keyring.h"
#include "muster-preferences-window.h"
#include "muster-rules.h"
#include "muster-schedule-group.h"
#include "muster-scim-target.h"
#include "muster-setup-assistant.h"
#include "muster-target-store.h"
#include "muster-window-private.h"

#define SAVE_DELAY_MS 400

struct _MusterPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  GCancellable         *cancellable;
  char                 *profile;
  MusterSnapshot       *snapshot;
  MusterRules          *rules;
  guint                 save_source;
  gboolean              filling;
  GPtrArray            *target_rows;     /* the rows added to targets_group */

  AdwComboRow          *style_row;
  AdwPreferencesPage   *sync_page;
  AdwPreferencesGroup  *scope_group;
  AdwActionRow         *rules_row;
  AdwComboRow          *email_row;
  AdwComboRow          *kind_row;
  GtkSwitch            *nested_switch;
  GtkSwitch            *unlicensed_switch;
  GtkSwitch            *disabled_switch;
  GtkSwitch            *guests_switch;
  AdwComboRow          *default_type_row;
  AdwEntryRow          *default_roles_row;
  GtkSpinButton        *limit_count_spin;
  GtkSpinButton        *limit_percent_spin;
  AdwPreferencesPage   *targets_page;
  AdwPreferencesGroup  *targets_group;
  MusterScheduleGroup  *schedule_group;
};

G_DEFINE_FINAL_TYPE (MusterPreferencesWindow, muster_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void load_targets (MusterPreferencesWindow *self);

/* The combo row's positions follow the schema's enum values (default, light, dark). */
static gboolean
style_get_mapping (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  g_value_set_uint (value, g_str_equal (nick, "light") ? 1 : g_str_equal (nick, "dark") ? 2 : 0);
  return TRUE;
}

static GVariant *
style_set_mapping (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  static const char *nicks[] = { "default", "light", "dark" };
  guint position = g_value_get_uint (value);

  return g_variant_new_string (nicks[MIN (position, G_N_ELEMENTS (nicks) - 1)]);
}

static GStrv
split_list (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text ? text : "", ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

/* Sync: the rules ---------------------------------------------------------------------------- */

static void
describe_rules (MusterPreferencesWindow *self)
{
  const char * const *groups = muster_rules_get_groups (self->rules);
  const char * const *deny = muster_rules_get_deny_list (self->rules);
  guint n_groups = groups ? g_strv_length ((char **) groups) : 0;
  guint n_deny = deny ? g_strv_length ((char **) deny) : 0;
  g_autofree char *scope = n_groups == 0 ? g_strdup (_("Everyone"))
                                         : g_strdup_printf (ngettext ("Members of %u group", "Members of %u groups", n_groups), n_groups);
  g_autofree char *text = NULL;
  guint n_mapped = muster_rules_get_group_mapping (self->rules)->len;
  g_autofree char *mapped = g_strdup_printf (ngettext ("%u group mapped", "%u groups mapped", n_mapped), n_mapped);

  text = g_strdup_printf (_("%s · %u on the deny list · %u fields · %s"), scope, n_deny,
                          muster_rules_get_field_mapping (self->rules)->len, mapped);
  adw_action_row_set_subtitle (self->rules_row, text);
}

static void
fill_rules (MusterPreferencesWindow *self)
{
  g_autofree char *roles = NULL;
  int kind = muster_rules_get_group_kind (self->rules);
  guint count = 0, percent = 0;

  self->filling = TRUE;
  adw_combo_row_set_selected (self->email_row, muster_rules_get_email_method (self->rules));
  adw_combo_row_set_selected (self->kind_row, kind < 0 ? 0 : (guint) kind + 1);
  gtk_switch_set_active (self->nested_switch, muster_rules_get_nested (self->rules));
  gtk_switch_set_active (self->unlicensed_switch, muster_rules_get_exclude_unlicensed (self->rules));
  gtk_switch_set_active (self->disabled_switch, muster_rules_get_exclude_disabled (self->rules));
  gtk_switch_set_active (self->guests_switch, muster_rules_get_exclude_guests (self->rules));
  adw_combo_row_set_selected (self->default_type_row, muster_rules_get_default_user_type (self->rules));
  roles = g_strjoinv (", ", (char **) muster_rules_get_default_roles (self->rules));
  gtk_editable_set_text (GTK_EDITABLE (self->default_roles_row), roles);
  muster_rules_get_safety_limit (self->rules, &count, &percent);
  gtk_spin_button_set_value (self->limit_count_spin, count);
  gtk_spin_button_set_value (self->limit_percent_spin, percent);
  describe_rules (self);
  self->filling = FALSE;
}

static void
rules_saved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(MusterPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!muster_rules_save_finish (MUSTER_RULES (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Could not save the sync rules: %s"), error->message);

      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
    }
}

static gboolean
save_rules_cb (gpointer user_data)
{
  MusterPreferencesWindow *self = user_data;

  self->save_source = 0;
  muster_rules_save_async (self->rules, self->profile, NULL, rules_saved_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
flush_save (MusterPreferencesWindow *self)
{
  if (self->save_source == 0)
    return;
  g_source_remove (self->save_source);
  save_rules_cb (self);
}

/* Every row writes its setting straight into the rules; the file follows a moment later. */
static void
rule_setting_changed_cb (MusterPreferencesWindow *self)
{
  g_auto(GStrv) roles = NULL;
  guint kind, type;

  if (self->filling || self->rules == NULL)
    return;
  kind = adw_combo_row_get_selected (self->kind_row);
  type = adw_combo_row_get_selected (self->default_type_row);
  muster_rules_set_email_method (self->rules, adw_combo_row_get_selected (self->email_row));
  muster_rules_set_group_kind (self->rules, kind == 0 || kind == GTK_INVALID_LIST_POSITION ? -1 : (int) kind - 1);
  muster_rules_set_nested (self->rules, gtk_switch_get_active (self->nested_switch));
  muster_rules_set_exclude_unlicensed (self->rules, gtk_switch_get_active (self->unlicensed_switch));
  muster_rules_set_exclude_disabled (self->rules, gtk_switch_get_active (self->disabled_switch));
  muster_rules_set_exclude_guests (self->rules, gtk_switch_get_active (self->guests_switch));
  muster_rules_set_default_user_type (self->rules, type < MUSTER_N_USER_TYPES ? type : MUSTER_USER_TYPE_USER);
  roles = split_list (gtk_editable_get_text (GTK_EDITABLE (self->default_roles_row)));
  muster_rules_set_default_roles (self->rules, (const char * const *) roles);
  muster_rules_set_safety_limit (self->rules, gtk_spin_button_get_value_as_int (self->limit_count_spin),
                                 gtk_spin_button_get_value_as_int (self->limit_percent_spin));

  g_clear_handle_id (&self->save_source, g_source_remove);
  self->save_source = g_timeout_add (SAVE_DELAY_MS, save_rules_cb, self);
}

static void
rules_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(MusterPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  MusterRules *rules = muster_rules_load_finish (result, &error);

  if (rules == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not read the sync rules: %s"), error->message);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
      return;
    }
  g_clear_object (&self->rules);
  self->rules = rules;
  fill_rules (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_page), TRUE);
}

static void
load_rules (MusterPreferencesWindow *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_page), FALSE);
  muster_rules_load_async (self->profile, self->cancellable, rules_loaded_cb, g_object_ref (self));
}

static void
rules_edited_cb (MusterPreferencesWindow *self,
                 const char              *target)
{
  load_rules (self);
}

static void
edit_rules_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  MusterPreferencesWindow *self = MUSTER_PREFERENCES_WINDOW (widget);
  MusterSetupAssistant *assistant;

  if (self->rules == NULL)
    return;
  flush_save (self);
  assistant = muster_setup_assistant_new_for_rules (GTK_WINDOW (self), self->profile, self->snapshot, self->rules);
  g_signal_connect_object (assistant, "finished", G_CALLBACK (rules_edited_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (assistant));
}

/* Targets ---------------------------------------------------------------------------------- */

typedef struct
{
  char             *profile;
  char             *name;
  char            **roles;
} StoreJob;

static void
store_job_free (StoreJob *job)
{
  g_free (job->profile);
  g_free (job->name);
  g_strfreev (job->roles);
  g_free (job);
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

/* remove (roles NULL) or set the roles of one target */
static void
change_target_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  StoreJob *job = task_data;
  GError *error = NULL;
  g_autoptr(MusterTargetStore) store = muster_target_store_load (NULL, &error);

  if (store == NULL
      || (job->roles == NULL && !muster_target_store_remove (store, job->profile, job->name, &error))
      || (job->roles != NULL
          && !muster_target_store_set_roles (store, job->profile, job->name, (const char * const *) job->roles, &error))
      || !muster_target_store_save (store, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
target_changed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  MusterPreferencesWindow *self = MUSTER_PREFERENCES_WINDOW (source);
  StoreJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not change the target “%s”: %s"), job->name, error->message);
    }
  else if (job->roles == NULL)
    text = g_strdup_printf (_("Removed the target “%s”"), job->name);
  else
    text = g_strdup_printf (_("Saved the roles of “%s”"), job->name);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
  load_targets (self);
  if (job->roles == NULL)
    muster_schedule_group_reload (self->schedule_group);
}

static void
change_target (MusterPreferencesWindow *self,
               const char              *name,
               char                   **roles)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, target_changed_cb, NULL);
  StoreJob *job = g_new0 (StoreJob, 1);

  job->profile = g_strdup (self->profile);
  job->name = g_strdup (name);
  job->roles = roles;
  g_task_set_source_tag (task, change_target);
  g_task_set_task_data (task, job, (GDestroyNotify) store_job_free);
  g_task_run_in_thread (task, change_target_thread);
}

static void
token_cleared_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterPreferencesWindow *self = g_task_get_source_object (task);
  const char *name = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* the token first: a target must never vanish while its token stays behind */
  if (!muster_keyring_clear_target_token_finish (result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not remove the token of “%s”: %s"), name, error->message);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
      return;
    }
  change_target (self, name, NULL);
}

static void
remove_clicked_cb (GtkButton *button,
                   gpointer   user_data)
{
  MusterPreferencesWindow *self = user_data;
  MusterTargetInfo *info = g_object_get_data (G_OBJECT (button), "target");
  GTask *task = g_task_new (self, self->cancellable, NULL, NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  g_task_set_task_data (task, g_strdup (info->name), g_free);
  muster_keyring_clear_target_token_async (self->profile, info->name, self->cancellable, token_cleared_cb, task);
}

static void
roles_apply_cb (AdwEntryRow *row,
                gpointer     user_data)
{
  MusterPreferencesWindow *self = user_data;
  MusterTargetInfo *info = g_object_get_data (G_OBJECT (row), "target");

  change_target (self, info->name, split_list (gtk_editable_get_text (GTK_EDITABLE (row))));
}

/* Test Connection: the target opened as a push opens it, then asked */
typedef struct
{
  AdwActionRow *row;
  GtkSpinner   *spinner;
  GtkWidget    *button;
} TestJob;

static void
test_job_free (TestJob *job)
{
  g_object_unref (job->row);
  g_object_unref (job->spinner);
  g_object_unref (job->button);
  g_free (job);
}

static void
test_done (TestJob      *job,
           const GError *error,
           const char   *success)
{
  gtk_spinner_stop (job->spinner);
  gtk_widget_set_visible (GTK_WIDGET (job->spinner), FALSE);
  gtk_widget_set_sensitive (job->button, TRUE);
  adw_action_row_set_subtitle (job->row, error ? error->message : success);
}

static void
tested_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  TestJob *job = user_data;
  g_autoptr(GError) error = NULL;

  if (MUSTER_IS_SCIM_TARGET (source))
    {
      muster_scim_target_test_connection_finish (MUSTER_SCIM_TARGET (source), result, &error);
      test_done (job, error, _("Connected: the service answered and accepted the token"));
    }
  else
    {
      g_autoptr(MusterTargetState) state = muster_target_read_state_finish (MUSTER_TARGET (source), result, &error);
      g_autofree char *text = state ? g_strdup_printf (ngettext ("Working: %u person in the store", "Working: %u people in the store",
                                                                 muster_target_state_get_users (state)->len),
                                                       muster_target_state_get_users (state)->len)
                                    : NULL;

      test_done (job, error, text);
    }
  test_job_free (job);
}

static void
target_opened_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TestJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTarget) target = muster_target_store_open_target_finish (MUSTER_TARGET_STORE (source), result,
                                                                           NULL, &error);

  if (target == NULL)
    {
      test_done (job, error, NULL);
      test_job_free (job);
      return;
    }
  if (MUSTER_IS_SCIM_TARGET (target))
    muster_scim_target_test_connection_async (MUSTER_SCIM_TARGET (target), NULL, tested_cb, job);
  else
    muster_target_read_state_async (target, NULL, tested_cb, job);
}

static void
store_for_test_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  GError *error = NULL;
  MusterTargetStore *store = muster_target_store_load (NULL, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
store_for_test_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  MusterPreferencesWindow *self = MUSTER_PREFERENCES_WINDOW (source);
  TestJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTargetStore) store = g_task_propagate_pointer (G_TASK (result), &error);
  const char *name = g_object_get_data (G_OBJECT (job->button), "target-name");

  if (store == NULL)
    {
      test_done (job, error, NULL);
      test_job_free (job);
      return;
    }
  muster_target_store_open_target_async (store, self->profile, name, NULL, NULL, target_opened_cb, job);
}

static void
test_clicked_cb (GtkButton *button,
                 gpointer   user_data)
{
  MusterPreferencesWindow *self = user_data;
  TestJob *job = g_new0 (TestJob, 1);
  g_autoptr(GTask) task = g_task_new (self, NULL, store_for_test_cb, job);

  job->row = g_object_ref (g_object_get_data (G_OBJECT (button), "row"));
  job->spinner = g_object_ref (g_object_get_data (G_OBJECT (button), "spinner"));
  job->button = g_object_ref (GTK_WIDGET (button));
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (job->spinner), TRUE);
  gtk_spinner_start (job->spinner);
  adw_action_row_set_subtitle (job->row, _("Testing…"));
  g_task_run_in_thread (task, store_for_test_thread);
}

static GtkWidget *
target_row_new (MusterPreferencesWindow *self,
                MusterTargetInfo        *info)
{
  GtkWidget *expander = adw_expander_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  GtkWidget *test_row = adw_action_row_new ();
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *test = gtk_button_new_with_mnemonic (_("_Test Connection"));
  g_autofree char *remove_label = g_strdup_printf (_("Remove the target “%s”"), info->name);
  g_autofree char *subtitle = NULL;

  subtitle = g_strdup_printf (info->kind == MUSTER_TARGET_KIND_SCIM ? _("SCIM service · %s") : _("SQLite file · %s"),
                              info->location);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), info->name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, remove_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  g_object_set_data_full (G_OBJECT (remove), "target", muster_target_info_ref (info),
                          (GDestroyNotify) muster_target_info_unref);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (expander), remove);

  if (info->kind == MUSTER_TARGET_KIND_SCIM)
    {
      GtkWidget *roles = adw_entry_row_new ();
      g_autofree char *text = g_strjoinv (", ", info->roles);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (roles), _("Roles the Service Offers (comma-separated)"));
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (roles), TRUE);
      gtk_editable_set_text (GTK_EDITABLE (roles), text);
      g_object_set_data_full (G_OBJECT (roles), "target", muster_target_info_ref (info),
                              (GDestroyNotify) muster_target_info_unref);
      g_signal_connect (roles, "apply", G_CALLBACK (roles_apply_cb), self);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), roles);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (test_row), _("Connection"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (test_row), _("Not tested yet"));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (test_row), 4);
  gtk_widget_set_visible (spinner, FALSE);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (test, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (test), "row", test_row);
  g_object_set_data (G_OBJECT (test), "spinner", spinner);
  g_object_set_data_full (G_OBJECT (test), "target-name", g_strdup (info->name), g_free);
  g_signal_connect (test, "clicked", G_CALLBACK (test_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (test_row), spinner);
  adw_action_row_add_suffix (ADW_ACTION_ROW (test_row), test);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), test_row);
  return expander;
}

static void
targets_listed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  MusterPreferencesWindow *self = MUSTER_PREFERENCES_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) targets = g_task_propagate_pointer (G_TASK (result), &error);

  if (targets == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  for (guint i = 0; i < self->target_rows->len; i++)
    adw_preferences_group_remove (self->targets_group, g_ptr_array_index (self->target_rows, i));
  g_ptr_array_set_size (self->target_rows, 0);

  if (targets == NULL || targets->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     targets == NULL ? _("Could not read the targets") : _("No targets yet"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   targets == NULL ? error->message : _("Add a SQLite file or a SCIM service to push people into."));
      adw_preferences_group_add (self->targets_group, row);
      g_ptr_array_add (self->target_rows, row);
      return;
    }
  for (guint i = 0; i < targets->len; i++)
    {
      GtkWidget *row = target_row_new (self, g_ptr_array_index (targets, i));

      adw_preferences_group_add (self->targets_group, row);
      g_ptr_array_add (self->target_rows, row);
    }
}

static void
load_targets (MusterPreferencesWindow *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, targets_listed_cb, NULL);

  g_task_set_source_tag (task, load_targets);
  g_task_set_task_data (task, g_strdup (self->profile), g_free);
  g_task_run_in_thread (task, list_targets_thread);
}

static void
add_target_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (widget));

  if (parent == NULL)
    return;
  flush_save (MUSTER_PREFERENCES_WINDOW (widget));
  gtk_window_close (GTK_WINDOW (widget));
  gtk_widget_activate_action (GTK_WIDGET (parent), "win.setup-sync", NULL);
}

/* The window ------------------------------------------------------------------------------ */

static void
muster_preferences_window_dispose (GObject *object)
{
  MusterPreferencesWindow *self = MUSTER_PREFERENCES_WINDOW (object);

  /* a change still waiting is saved, not lost */
  flush_save (self);
  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->rules);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->target_rows, g_ptr_array_unref);
  G_OBJECT_CLASS (muster_preferences_window_parent_class)->dispose (object);
}

static void
muster_preferences_window_finalize (GObject *object)
{
  MusterPreferencesWindow *self = MUSTER_PREFERENCES_WINDOW (object);

  g_free (self->profile);
  G_OBJECT_CLASS (muster_preferences_window_parent_class)->finalize (object);
}

static void
muster_preferences_window_class_init (MusterPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_preferences_window_dispose;
  object_class->finalize = muster_preferences_window_finalize;

  g_type_ensure (MUSTER_TYPE_SCHEDULE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/muster-preferences-window.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, MusterPreferencesWindow, name)
  CHILD (style_row);
  CHILD (sync_page);
  CHILD (scope_group);
  CHILD (rules_row);
  CHILD (email_row);
  CHILD (kind_row);
  CHILD (nested_switch);
  CHILD (unlicensed_switch);
  CHILD (disabled_switch);
  CHILD (guests_switch);
  CHILD (default_type_row);
  CHILD (default_roles_row);
  CHILD (limit_count_spin);
  CHILD (limit_percent_spin);
  CHILD (targets_page);
  CHILD (targets_group);
  CHILD (schedule_group);
#undef CHILD
  gtk_widget_class_install_action (widget_class, "prefs.edit-rules", NULL, edit_rules_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-target", NULL, add_target_action);
}

static void
muster_preferences_window_init (MusterPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->target_rows = g_ptr_array_new ();
  self->settings = g_settings_new (BASE_APP_ID);
  g_settings_bind_with_mapping (self->settings, "color-scheme", self->style_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, style_get_mapping, style_set_mapping, NULL, NULL);

  g_signal_connect_swapped (self->email_row, "notify::selected", G_CALLBACK (rule_setting_changed_cb), self);
  g_signal_connect_swapped (self->kind_row, "notify::selected", G_CALLBACK (rule_setting_changed_cb), self);
  g_signal_connect_swapped (self->default_type_row, "notify::selected", G_CALLBACK (rule_setting_changed_cb), self);
  g_signal_connect_swapped (self->nested_switch, "notify::active", G_CALLBACK (rule_setting_changed_cb), self);
  g_signal_connect_swapped (self->unlicensed_switch, "notify::active", G_CALLBACK (rule_setting_changed_cb), self);
  g_signal_connect_swapped (self->disabled_switch, "notify::active", G_CALLBACK (rule_setting_changed_cb), self);
  g_signal_connect_swapped (self->guests_switch, "notify::active", G_CALLBACK (rule_setting_changed_cb), self);
  g_signal_connect_swapped (self->default_roles_row, "apply", G_CALLBACK (rule_setting_changed_cb), self);
  g_signal_connect_swapped (self->limit_count_spin, "value-changed", G_CALLBACK (rule_setting_changed_cb), self);
  g_signal_connect_swapped (self->limit_percent_spin, "value-changed", G_CALLBACK (rule_setting_changed_cb), self);
}

MusterPreferencesWindow *
muster_preferences_window_new (GtkWindow *parent)
{
  MusterPreferencesWindow *self = g_object_new (MUSTER_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);

  /* the Sync and Targets pages belong to the profile the window shows */
  if (MUSTER_IS_WINDOW (parent) && MUSTER_WINDOW (parent)->profile != NULL)
    {
      muster_preferences_window_set_profile (self, muster_profile_get_name (MUSTER_WINDOW (parent)->profile),
                                             _muster_window_get_snapshot (MUSTER_WINDOW (parent)));
      /* the demo tenant goes away with the app: nothing to run on a timer */
      if (MUSTER_WINDOW (parent)->in_demo)
        muster_schedule_group_set_profile (self->schedule_group, NULL);
    }
  return self;
}

void
muster_preferences_window_set_profile (MusterPreferencesWindow *self,
                                       const char              *profile,
                                       MusterSnapshot          *snapshot)
{
  g_autofree char *description = NULL;

  g_return_if_fail (MUSTER_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (profile != NULL);

  g_free (self->profile);
  self->profile = g_strdup (profile);
  g_set_object (&self->snapshot, snapshot);
  description = g_strdup_printf (_("The rules of the profile “%s”."), profile);
  adw_preferences_group_set_description (self->scope_group, description);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_page), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->targets_page), TRUE);
  load_rules (self);
  load_targets (self);
  muster_schedule_group_set_profile (self->schedule_group, profile);
}
