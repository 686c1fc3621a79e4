/* muster-setup-assistant-rules.c: the setup assistant's steps that shape the rules — the scope
 * (groups, kinds, exclusions, deny list), the email method, the field mapping, groups with their
 * types and roles, and the safety limit. Each step's fill_* reads the working copy of the rules
 * when it is shown and its collect_* writes it back when it is left.
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-setup-assistant"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "muster-group.h"
#include "muster-setup-assistant-private.h"
#include "muster-target.h"
#include "muster-user-filter.h"

/* Step 2: scope ----------------------------------------------------------------------------- */

static gboolean
group_row_visible (GtkListBoxRow *row,
                   gpointer       user_data)
{
  MusterSetupAssistant *self = user_data;
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->group_search));
  g_autofree char *needle = NULL;
  g_autofree char *haystack = NULL;

  if (*search == '\0' || !ADW_IS_PREFERENCES_ROW (row))
    return TRUE;
  needle = g_utf8_casefold (search, -1);
  haystack = g_utf8_casefold (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), -1);
  return strstr (haystack, needle) != NULL;
}

static void
setup_assistant_group_search_cb (MusterSetupAssistant *self)
{
  gtk_list_box_invalidate_filter (self->group_list);
}

void
_muster_setup_assistant_build_group_list (MusterSetupAssistant *self)
{
  GListModel *groups = self->snapshot ? muster_snapshot_get_groups (self->snapshot) : NULL;
  guint n = groups ? g_list_model_get_n_items (groups) : 0;

  if (n == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No groups known yet"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Refresh the directory to choose groups; until then everyone is in scope."));
      gtk_list_box_append (self->group_list, row);
      gtk_widget_set_visible (GTK_WIDGET (self->group_search), FALSE);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MusterGroup) group = g_list_model_get_item (groups, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *subtitle = NULL;
      g_autofree char *kind = NULL;

      g_object_get (group, "kind-label", &kind, NULL);
      subtitle = g_strdup_printf (ngettext ("%s · %u member", "%s · %u members",
                                            muster_group_get_transitive_member_count (group)),
                                  kind ? kind : "", muster_group_get_transitive_member_count (group));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), muster_group_get_display_name (group));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      muster_group_get_display_name (group), -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_list_box_append (self->group_list, row);
      g_hash_table_insert (self->group_checks, g_strdup (muster_group_get_id (group)), check);
    }
  gtk_list_box_set_filter_func (self->group_list, group_row_visible, self, NULL);
  /* a long list scrolls by itself, so that the rest of the step stays in reach */
  if (n > 5)
    gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (self->group_list),
                                                                                              GTK_TYPE_SCROLLED_WINDOW)),
                                                280);
}

static void
deny_remove_clicked_cb (GtkButton *button,
                        gpointer   user_data);

static void
rebuild_deny_list (MusterSetupAssistant *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->deny_list))) != NULL)
    gtk_list_box_remove (self->deny_list, child);
  for (guint i = 0; i < self->deny->len; i++)
    {
      const char *entry = g_ptr_array_index (self->deny, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *label = g_strdup_printf (_("Remove %s"), entry);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), entry);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      g_object_set_data_full (G_OBJECT (remove), "entry", g_strdup (entry), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (deny_remove_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      gtk_list_box_append (self->deny_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->deny_list), self->deny->len > 0);
}

static gboolean
deny_contains (MusterSetupAssistant *self,
               const char           *entry)
{
  for (guint i = 0; i < self->deny->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (self->deny, i), entry) == 0)
      return TRUE;
  return FALSE;
}

static void
deny_remove_clicked_cb (GtkButton *button,
                        gpointer   user_data)
{
  MusterSetupAssistant *self = user_data;
  const char *entry = g_object_get_data (G_OBJECT (button), "entry");

  for (guint i = 0; i < self->deny->len; i++)
    if (g_str_equal (g_ptr_array_index (self->deny, i), entry))
      {
        g_ptr_array_remove_index (self->deny, i);
        break;
      }
  rebuild_deny_list (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->deny_entry_row));
}

static void
setup_assistant_deny_apply_cb (MusterSetupAssistant *self)
{
  g_autofree char *entry = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->deny_entry_row))));

  if (*entry != '\0' && !deny_contains (self, entry))
    {
      g_ptr_array_add (self->deny, g_steal_pointer (&entry));
      rebuild_deny_list (self);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->deny_entry_row), "");
}

/* the engine's deny-file reader, in a worker thread */
static void
read_deny_file_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  g_auto(GStrv) entries = NULL;
  GError *error = NULL;

  if (!muster_user_filter_load_deny_file (filter, task_data, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_object_get (filter, "deny-list", &entries, NULL);
  g_task_return_pointer (task, g_steal_pointer (&entries), (GDestroyNotify) g_strfreev);
}

static void
read_deny_file_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  MusterSetupAssistant *self = MUSTER_SETUP_ASSISTANT (source);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) entries = g_task_propagate_pointer (G_TASK (result), &error);
  guint added = 0;
  g_autofree char *description = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (entries == NULL)
    {
      description = g_strdup_printf (_("Could not import the deny list: %s"), error->message);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (gtk_widget_get_ancestor (GTK_WIDGET (self->deny_list),
                                                                                             ADW_TYPE_PREFERENCES_GROUP)),
                                             description);
      return;
    }
  for (guint i = 0; entries[i] != NULL; i++)
    if (!deny_contains (self, entries[i]))
      {
        g_ptr_array_add (self->deny, g_strdup (entries[i]));
        added++;
      }
  rebuild_deny_list (self);
  description = g_strdup_printf (ngettext ("Imported %u new entry.", "Imported %u new entries.", added), added);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (gtk_widget_get_ancestor (GTK_WIDGET (self->deny_list),
                                                                                         ADW_TYPE_PREFERENCES_GROUP)),
                                         description);
}

void
_muster_setup_assistant_import_deny_file (MusterSetupAssistant *self,
                                          const char           *path)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, read_deny_file_cb, NULL);

  g_task_set_source_tag (task, _muster_setup_assistant_import_deny_file);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, read_deny_file_thread);
}

static void
import_chooser_response_cb (MusterSetupAssistant *self,
                            int                   response,
                            GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file != NULL && g_file_peek_path (file) != NULL)
    _muster_setup_assistant_import_deny_file (self, g_file_peek_path (file));
}

static void
import_deny_list_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  MusterSetupAssistant *self = MUSTER_SETUP_ASSISTANT (widget);
  g_autoptr(GtkFileFilter) csv = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Import a Deny List"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (csv, _("CSV and Text Files"));
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_filter_add_suffix (csv, "txt");
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), csv);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (import_chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

void
_muster_setup_assistant_fill_scope (MusterSetupAssistant *self)
{
  const char * const *groups = muster_rules_get_groups (self->rules);
  const char * const *deny = muster_rules_get_deny_list (self->rules);
  int kind = muster_rules_get_group_kind (self->rules);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->group_checks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      MusterGroup *group = muster_snapshot_lookup_group (self->snapshot, key);
      gboolean checked = groups && (g_strv_contains (groups, key)
                                    || (group && g_strv_contains (groups, muster_group_get_display_name (group))));

      gtk_check_button_set_active (value, checked);
    }
  gtk_switch_set_active (self->nested_switch, muster_rules_get_nested (self->rules));
  adw_combo_row_set_selected (self->kind_row, kind < 0 ? 0 : (guint) kind + 1);
  gtk_switch_set_active (self->unlicensed_switch, muster_rules_get_exclude_unlicensed (self->rules));
  gtk_switch_set_active (self->disabled_switch, muster_rules_get_exclude_disabled (self->rules));
  gtk_switch_set_active (self->guests_switch, muster_rules_get_exclude_guests (self->rules));
  g_ptr_array_set_size (self->deny, 0);
  for (guint i = 0; deny && deny[i]; i++)
    g_ptr_array_add (self->deny, g_strdup (deny[i]));
  rebuild_deny_list (self);
}

void
_muster_setup_assistant_collect_scope (MusterSetupAssistant *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) groups = NULL;
  guint kind = adw_combo_row_get_selected (self->kind_row);
  GListModel *all = self->snapshot ? muster_snapshot_get_groups (self->snapshot) : NULL;
  const char * const *before = muster_rules_get_groups (self->rules);

  if (g_hash_table_size (self->group_checks) == 0)
    {
      /* no snapshot to choose from: the rules keep the groups they had */
      for (guint i = 0; before && before[i]; i++)
        g_strv_builder_add (builder, before[i]);
    }
  else
    {
      /* in the snapshot's order, by id */
      for (guint i = 0; all && i < g_list_model_get_n_items (all); i++)
        {
          g_autoptr(MusterGroup) group = g_list_model_get_item (all, i);
          GtkCheckButton *check = g_hash_table_lookup (self->group_checks, muster_group_get_id (group));

          if (check && gtk_check_button_get_active (check))
            g_strv_builder_add (builder, muster_group_get_id (group));
        }
    }
  groups = g_strv_builder_end (builder);
  muster_rules_set_groups (self->rules, (const char * const *) groups);
  muster_rules_set_nested (self->rules, gtk_switch_get_active (self->nested_switch));
  muster_rules_set_group_kind (self->rules, kind == 0 || kind == GTK_INVALID_LIST_POSITION ? -1 : (int) kind - 1);
  muster_rules_set_exclude_unlicensed (self->rules, gtk_switch_get_active (self->unlicensed_switch));
  muster_rules_set_exclude_disabled (self->rules, gtk_switch_get_active (self->disabled_switch));
  muster_rules_set_exclude_guests (self->rules, gtk_switch_get_active (self->guests_switch));
  g_ptr_array_add (self->deny, NULL);
  muster_rules_set_deny_list (self->rules, (const char * const *) self->deny->pdata);
  g_ptr_array_remove_index (self->deny, self->deny->len - 1);
}

/* Step 3: the email method -------------------------------------------------------------------- */

void
_muster_setup_assistant_fill_email (MusterSetupAssistant *self)
{
  switch (muster_rules_get_email_method (self->rules))
    {
    case MUSTER_EMAIL_METHOD_UPN:
      gtk_check_button_set_active (self->email_upn_check, TRUE);
      break;
    case MUSTER_EMAIL_METHOD_MAIL:
      gtk_check_button_set_active (self->email_mail_check, TRUE);
      break;
    case MUSTER_EMAIL_METHOD_MAIL_OR_UPN:
    default:
      gtk_check_button_set_active (self->email_mail_or_upn_check, TRUE);
      break;
    }
}

void
_muster_setup_assistant_collect_email (MusterSetupAssistant *self)
{
  MusterEmailMethod method = MUSTER_EMAIL_METHOD_MAIL_OR_UPN;

  if (gtk_check_button_get_active (self->email_upn_check))
    method = MUSTER_EMAIL_METHOD_UPN;
  else if (gtk_check_button_get_active (self->email_mail_check))
    method = MUSTER_EMAIL_METHOD_MAIL;
  muster_rules_set_email_method (self->rules, method);
}

/* Step 4: the field mapping ------------------------------------------------------------------- */

void
_muster_setup_assistant_build_field_rows (MusterSetupAssistant *self)
{
  const char * const *attributes = muster_target_attribute_names ();
  const char * const *sources = muster_rules_field_sources ();

  for (guint i = 0; attributes[i] != NULL; i++)
    {
      GtkWidget *row = adw_combo_row_new ();
      g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);

      gtk_string_list_append (model, _("Not sent"));
      for (guint j = 0; sources[j] != NULL; j++)
        gtk_string_list_append (model, _muster_setup_assistant_source_label (sources[j]));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _muster_setup_assistant_attribute_label (attributes[i]));
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
      adw_preferences_group_add (self->fields_group, row);
      g_ptr_array_add (self->field_rows, row);
    }
}

void
_muster_setup_assistant_fill_fields (MusterSetupAssistant *self)
{
  const char * const *attributes = muster_target_attribute_names ();
  const char * const *sources = muster_rules_field_sources ();
  GPtrArray *mapping = muster_rules_get_field_mapping (self->rules);

  for (guint i = 0; attributes[i] != NULL; i++)
    {
      guint selected = 0;

      for (guint m = 0; m < mapping->len && selected == 0; m++)
        {
          MusterFieldMapping *pair = g_ptr_array_index (mapping, m);

          if (g_str_equal (pair->attribute, attributes[i]))
            for (guint j = 0; sources[j] != NULL; j++)
              if (g_str_equal (sources[j], pair->source))
                selected = j + 1;
        }
      adw_combo_row_set_selected (g_ptr_array_index (self->field_rows, i), selected);
    }
}

void
_muster_setup_assistant_collect_fields (MusterSetupAssistant *self)
{
  const char * const *attributes = muster_target_attribute_names ();
  const char * const *sources = muster_rules_field_sources ();
  g_autoptr(GArray) mapping = g_array_new (FALSE, FALSE, sizeof (MusterFieldMapping));
  g_autoptr(GError) error = NULL;

  for (guint i = 0; attributes[i] != NULL; i++)
    {
      guint selected = adw_combo_row_get_selected (g_ptr_array_index (self->field_rows, i));
      MusterFieldMapping pair;

      if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
        continue;
      pair.source = (char *) sources[selected - 1];
      pair.attribute = (char *) attributes[i];
      g_array_append_val (mapping, pair);
    }
  /* one row per attribute: the mapping is always acceptable */
  if (!muster_rules_set_field_mapping (self->rules, (MusterFieldMapping *) mapping->data, mapping->len, &error))
    g_warning ("Field mapping refused: %s", error->message);
}

/* Step 5: groups, types and roles ------------------------------------------------------------- */

static void
build_group_rows (MusterSetupAssistant *self)
{
  const char * const *groups = muster_rules_get_groups (self->rules);
  GPtrArray *mappings = muster_rules_get_group_mapping (self->rules);
  GtkWidget *child;
  guint n = groups ? g_strv_length ((char **) groups) : 0;

  /* AdwPreferencesGroup keeps its rows in a list box inside: remove what we added */
  for (guint i = 0; i < self->group_rows->len; i++)
    {
      GroupRuleRow *row = g_ptr_array_index (self->group_rows, i);
      GtkWidget *expander = gtk_widget_get_ancestor (GTK_WIDGET (row->target_row), ADW_TYPE_EXPANDER_ROW);

      if (expander != NULL)
        adw_preferences_group_remove (self->group_rules_group, expander);
    }
  g_ptr_array_set_size (self->group_rows, 0);
  child = g_object_get_data (G_OBJECT (self->group_rules_group), "placeholder");
  if (child != NULL)
    {
      adw_preferences_group_remove (self->group_rules_group, child);
      g_object_set_data (G_OBJECT (self->group_rules_group), "placeholder", NULL);
    }

  if (n == 0)
    {
      child = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (child), _("No groups checked"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (child),
                                   _("Check groups on the Scope step to give them a group in the target, a type or roles."));
      adw_preferences_group_add (self->group_rules_group, child);
      g_object_set_data (G_OBJECT (self->group_rules_group), "placeholder", child);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      GroupRuleRow *row = g_new0 (GroupRuleRow, 1);
      const MusterGroupRule *rule = muster_rules_lookup_group_rule (self->rules, groups[i]);
      GtkWidget *expander = adw_expander_row_new ();
      g_autoptr(GtkStringList) types = gtk_string_list_new (NULL);
      g_autofree char *roles = NULL;
      const char *target_group = "";

      for (guint m = 0; m < mappings->len; m++)
        {
          MusterGroupMapping *mapping = g_ptr_array_index (mappings, m);

          if (g_str_equal (mapping->group, groups[i]))
            target_group = mapping->target_group;
        }

      row->group = g_strdup (groups[i]);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), _muster_setup_assistant_group_name (self, groups[i]));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), n <= 2);

      row->target_row = ADW_ENTRY_ROW (adw_entry_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->target_row), _("Group in the Target (empty: none)"));
      gtk_editable_set_text (GTK_EDITABLE (row->target_row), target_group);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), GTK_WIDGET (row->target_row));

      gtk_string_list_append (types, _("As for Everyone"));
      for (int t = 0; t < MUSTER_N_USER_TYPES; t++)
        gtk_string_list_append (types, _muster_setup_assistant_user_type_label (t));
      row->type_row = ADW_COMBO_ROW (adw_combo_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->type_row), _("User Type"));
      adw_combo_row_set_model (row->type_row, G_LIST_MODEL (types));
      adw_combo_row_set_selected (row->type_row, rule && rule->has_user_type ? (guint) rule->user_type + 1 : 0);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), GTK_WIDGET (row->type_row));

      row->roles_row = ADW_ENTRY_ROW (adw_entry_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->roles_row), _("Extra Roles (comma-separated)"));
      roles = _muster_setup_assistant_join_list (rule ? (const char * const *) rule->roles : NULL);
      gtk_editable_set_text (GTK_EDITABLE (row->roles_row), roles);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), GTK_WIDGET (row->roles_row));

      adw_preferences_group_add (self->group_rules_group, expander);
      g_ptr_array_add (self->group_rows, row);
    }
}

void
_muster_setup_assistant_fill_groups (MusterSetupAssistant *self)
{
  g_autofree char *roles = _muster_setup_assistant_join_list (muster_rules_get_default_roles (self->rules));

  adw_combo_row_set_selected (self->default_type_row, muster_rules_get_default_user_type (self->rules));
  gtk_editable_set_text (GTK_EDITABLE (self->default_roles_row), roles);
  build_group_rows (self);
}

void
_muster_setup_assistant_collect_groups (MusterSetupAssistant *self)
{
  g_auto(GStrv) roles = _muster_setup_assistant_split_list (gtk_editable_get_text (GTK_EDITABLE (self->default_roles_row)));
  guint type = adw_combo_row_get_selected (self->default_type_row);
  gboolean nested = muster_rules_get_nested (self->rules);

  muster_rules_set_default_user_type (self->rules, type < MUSTER_N_USER_TYPES ? type : MUSTER_USER_TYPE_USER);
  muster_rules_set_default_roles (self->rules, (const char * const *) roles);

  for (guint i = 0; i < self->group_rows->len; i++)
    {
      GroupRuleRow *row = g_ptr_array_index (self->group_rows, i);
      g_autofree char *target = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row->target_row))));
      g_auto(GStrv) group_roles = _muster_setup_assistant_split_list (gtk_editable_get_text (GTK_EDITABLE (row->roles_row)));
      guint selected = adw_combo_row_get_selected (row->type_row);

      if (*target != '\0')
        muster_rules_set_group_mapping (self->rules, row->group, target, nested);
      else
        muster_rules_remove_group_mapping (self->rules, row->group);

      if ((selected > 0 && selected != GTK_INVALID_LIST_POSITION) || group_roles[0] != NULL)
        {
          MusterUserType user_type = selected > 0 && selected != GTK_INVALID_LIST_POSITION ? selected - 1 : 0;

          muster_rules_set_group_rule (self->rules, row->group, nested,
                                       selected > 0 && selected != GTK_INVALID_LIST_POSITION ? &user_type : NULL,
                                       (const char * const *) group_roles);
        }
      else
        muster_rules_remove_group_rule (self->rules, row->group);
    }
}

/* Step 6: the safety limit -------------------------------------------------------------------- */

void
_muster_setup_assistant_fill_limit (MusterSetupAssistant *self)
{
  guint count = 0, percent = 0;

  muster_rules_get_safety_limit (self->rules, &count, &percent);
  gtk_spin_button_set_value (self->limit_count_spin, count);
  gtk_spin_button_set_value (self->limit_percent_spin, percent);
}

void
_muster_setup_assistant_collect_limit (MusterSetupAssistant *self)
{
  gtk_spin_button_update (self->limit_count_spin);
  gtk_spin_button_update (self->limit_percent_spin);
  muster_rules_set_safety_limit (self->rules, gtk_spin_button_get_value_as_int (self->limit_count_spin),
                                 gtk_spin_button_get_value_as_int (self->limit_percent_spin));
}

/* The class ------------------------------------------------------------------------------ */

void
_muster_setup_assistant_class_init_rules (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, setup_assistant_group_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_assistant_deny_apply_cb);
  gtk_widget_class_install_action (widget_class, "assistant.import-deny-list", NULL, import_deny_list_action);
}
