/* muster-setup-assistant.c: a profile's first sync, one step a page — the target, the scope, the
 * email method, the field mapping, groups, types and roles, the safety limit, automatic sync on
 * or off, and a summary
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every step reads the working copy of the rules when it is shown and writes it back when it is
 * left, so Back and Next never lose a choice and the summary shows what Finish saves.
 */

#define G_LOG_DOMAIN "muster-setup-assistant"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "muster-group.h"
#include "muster-keyring.h"
#include "muster-schedule.h"
#include "muster-schedule-group.h"
#include "muster-scim-target.h"
#include "muster-setup-assistant-private.h"
#include "muster-sqlite-target.h"
#include "muster-target-store.h"
#include "muster-user-filter.h"

enum
{
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *steps[] = { "target", "scope", "email", "fields", "groups", "limit", "schedule", "summary" };

/* The intervals of the "schedule" step's rows, as muster_schedule_parse_every() reads them. */
static const char *schedule_everies[] = { "hourly", "daily", "weekly" };

G_DEFINE_FINAL_TYPE (MusterSetupAssistant, muster_setup_assistant, ADW_TYPE_WINDOW)

static void update_actions (MusterSetupAssistant *self);

static void
group_rule_row_free (GroupRuleRow *row)
{
  g_free (row->group);
  g_free (row);
}

/* Words ------------------------------------------------------------------------------------ */

const char *
_muster_setup_assistant_attribute_label (const char *attribute)
{
  static const struct { const char *name; const char *label; } labels[] = {
    { MUSTER_ATTR_DISPLAY_NAME, N_("Display Name") },
    { MUSTER_ATTR_GIVEN_NAME, N_("Given Name") },
    { MUSTER_ATTR_FAMILY_NAME, N_("Family Name") },
    { MUSTER_ATTR_EMAIL, N_("Email") },
    { MUSTER_ATTR_TITLE, N_("Title") },
    { MUSTER_ATTR_DEPARTMENT, N_("Department") },
    { MUSTER_ATTR_MANAGER, N_("Manager") },
    { MUSTER_ATTR_EMPLOYEE_NUMBER, N_("Employee Number") },
    { MUSTER_ATTR_MOBILE_PHONE, N_("Mobile Phone") },
    { MUSTER_ATTR_OFFICE_LOCATION, N_("Office Location") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].name, attribute))
      return _(labels[i].label);
  return attribute;
}

const char *
_muster_setup_assistant_source_label (const char *source)
{
  static const struct { const char *name; const char *label; } labels[] = {
    { "displayName", N_("Display name") },
    { "givenName", N_("First name") },
    { "surname", N_("Last name") },
    { "email", N_("Email address (as chosen)") },
    { "userPrincipalName", N_("User principal name") },
    { "mail", N_("Mail") },
    { "jobTitle", N_("Job title") },
    { "department", N_("Department") },
    { "companyName", N_("Company") },
    { "manager", N_("Manager") },
    { "employeeId", N_("Employee ID") },
    { "mobilePhone", N_("Mobile phone") },
    { "businessPhone", N_("Business phone") },
    { "officeLocation", N_("Office location") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].name, source))
      return _(labels[i].label);
  return source;
}

const char *
_muster_setup_assistant_user_type_label (MusterUserType type)
{
  switch (type)
    {
    case MUSTER_USER_TYPE_ADMINISTRATOR:
      return _("Administrator");
    case MUSTER_USER_TYPE_BILLING_ADMINISTRATOR:
      return _("Billing Administrator");
    case MUSTER_USER_TYPE_USER:
    default:
      return _("User");
    }
}

static const char *
email_method_label (MusterEmailMethod method)
{
  switch (method)
    {
    case MUSTER_EMAIL_METHOD_UPN:
      return _("User principal name");
    case MUSTER_EMAIL_METHOD_MAIL:
      return _("Mail only");
    case MUSTER_EMAIL_METHOD_MAIL_OR_UPN:
    default:
      return _("Mail, else user principal name");
    }
}

const char *
_muster_setup_assistant_group_name (MusterSetupAssistant *self,
                                    const char           *group)
{
  MusterGroup *found = self->snapshot ? muster_snapshot_lookup_group (self->snapshot, group) : NULL;

  return found ? muster_group_get_display_name (found) : group;
}

/* "a, b ,c" → { "a", "b", "c" } without empty entries */
GStrv
_muster_setup_assistant_split_list (const char *text)
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

char *
_muster_setup_assistant_join_list (const char * const *items)
{
  return g_strjoinv (", ", (char **) (items ? items : (const char * const []) { NULL }));
}

/* Step 1: the target ------------------------------------------------------------------------- */

static gboolean
is_scim (MusterSetupAssistant *self)
{
  return gtk_check_button_get_active (self->scim_check);
}

/* A target name from a file name or a host: the characters a name may have, the others as '-'. */
static char *
suggest_name (const char *from)
{
  GString *name = g_string_new (NULL);

  for (const char *p = from; *p != '\0' && name->len < 48; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '_' || *p == '-')
        g_string_append_c (name, g_ascii_tolower (*p));
      else if (name->len > 0 && name->str[name->len - 1] != '-')
        g_string_append_c (name, '-');
    }
  while (name->len > 0 && name->str[name->len - 1] == '-')
    g_string_truncate (name, name->len - 1);
  if (name->len == 0)
    g_string_append (name, "target");
  return g_string_free (name, FALSE);
}

static void
suggest_target_name (MusterSetupAssistant *self)
{
  g_autofree char *name = NULL;

  if (self->name_edited)
    return;
  if (is_scim (self))
    {
      g_autoptr(GUri) uri = g_uri_parse (gtk_editable_get_text (GTK_EDITABLE (self->url_row)), G_URI_FLAGS_NONE, NULL);

      name = suggest_name (uri && g_uri_get_host (uri) ? g_uri_get_host (uri) : "scim");
    }
  else if (self->file_path != NULL)
    {
      g_autofree char *base = g_path_get_basename (self->file_path);
      char *dot = strrchr (base, '.');

      if (dot != NULL && dot != base)
        *dot = '\0';
      name = suggest_name (base);
    }
  else
    return;

  self->setting_name = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  self->setting_name = FALSE;
}

static void
setup_assistant_name_changed_cb (MusterSetupAssistant *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  if (!self->setting_name)
    self->name_edited = *name != '\0';
  if (*name == '\0' || muster_target_name_is_valid (name))
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
  update_actions (self);
}

static void
setup_assistant_kind_toggled_cb (MusterSetupAssistant *self)
{
  gboolean scim = is_scim (self);

  gtk_widget_set_visible (GTK_WIDGET (self->sqlite_group), !scim);
  gtk_widget_set_visible (GTK_WIDGET (self->scim_group), scim);
  suggest_target_name (self);
  update_actions (self);
}

typedef enum
{
  TEST_NONE,
  TEST_PASSED,
  TEST_FAILED,
} TestOutcome;

static void
set_test_result (MusterSetupAssistant *self,
                 const char           *text,
                 TestOutcome           outcome)
{
  GtkWidget *icon = GTK_WIDGET (self->test_icon);

  adw_action_row_set_subtitle (self->test_row, text);
  gtk_widget_set_visible (icon, outcome != TEST_NONE);
  gtk_widget_remove_css_class (icon, "error");
  gtk_widget_remove_css_class (icon, "success");
  if (outcome == TEST_NONE)
    return;
  gtk_image_set_from_icon_name (self->test_icon, outcome == TEST_PASSED ? "emblem-ok-symbolic" : "dialog-error-symbolic");
  gtk_widget_add_css_class (icon, outcome == TEST_PASSED ? "success" : "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  outcome == TEST_PASSED ? _("Connected") : _("Failed"), -1);
}

static void
setup_assistant_scim_changed_cb (MusterSetupAssistant *self)
{
  /* a test only vouches for the address and token it was made with */
  if (self->tested_ok)
    set_test_result (self, _("Not tested yet"), TEST_NONE);
  self->tested_ok = FALSE;
  suggest_target_name (self);
  update_actions (self);
}

void
muster_setup_assistant_set_file (MusterSetupAssistant *self,
                                 const char           *path)
{
  g_return_if_fail (MUSTER_IS_SETUP_ASSISTANT (self));

  g_free (self->file_path);
  self->file_path = path ? g_canonicalize_filename (path, NULL) : NULL;
  adw_action_row_set_subtitle (self->file_row, self->file_path ? self->file_path : _("No file chosen"));
  suggest_target_name (self);
  update_actions (self);
}

static void
chooser_response_cb (MusterSetupAssistant *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file != NULL && g_file_peek_path (file) != NULL)
    muster_setup_assistant_set_file (self, g_file_peek_path (file));
}

static void
choose_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MusterSetupAssistant *self = MUSTER_SETUP_ASSISTANT (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  /* save mode: a new file is the usual answer, an existing store is reused as it is */
  self->chooser = gtk_file_chooser_native_new (_("Choose the SQLite File"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("SQLite Databases"));
  gtk_file_filter_add_suffix (filter, "db");
  gtk_file_filter_add_suffix (filter, "sqlite");
  gtk_file_filter_add_suffix (filter, "sqlite3");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), "muster-people.db");
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
test_connection_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(MusterSetupAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = muster_scim_target_test_connection_finish (MUSTER_SCIM_TARGET (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->testing = FALSE;
  gtk_spinner_stop (self->test_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), FALSE);
  self->tested_ok = ok;
  if (ok)
    set_test_result (self, _("Connected: the service answered and accepted the token"), TEST_PASSED);
  else
    set_test_result (self, error->message, TEST_FAILED);
  update_actions (self);
}

static void
test_connection_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  MusterSetupAssistant *self = MUSTER_SETUP_ASSISTANT (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterScimTarget) target = NULL;
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->url_row))));
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));

  if (self->testing)
    return;
  target = muster_scim_target_new (url, token, &error);
  if (target == NULL)
    {
      set_test_result (self, error->message, TEST_FAILED);
      return;
    }
  self->testing = TRUE;
  set_test_result (self, _("Testing…"), TEST_NONE);
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), TRUE);
  gtk_spinner_start (self->test_spinner);
  muster_scim_target_test_connection_async (target, self->cancellable, test_connection_cb, g_object_ref (self));
  update_actions (self);
}

static gboolean
target_step_ready (MusterSetupAssistant *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  if (!muster_target_name_is_valid (name))
    return FALSE;
  if (is_scim (self))
    return self->tested_ok && !self->testing;
  return self->file_path != NULL;
}

/* Step 7: the summary -------------------------------------------------------------------------- */

static void
add_summary_row (MusterSetupAssistant *self,
                 guint                 index,
                 const char           *title,
                 const char           *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (self->summary_group, row);
  self->summary_rows[index] = row;
}

static char *
describe_scope (MusterSetupAssistant *self)
{
  const char * const *groups = muster_rules_get_groups (self->rules);
  g_autoptr(GString) text = g_string_new (NULL);
  const char * const *deny = muster_rules_get_deny_list (self->rules);
  guint n_deny = deny ? g_strv_length ((char **) deny) : 0;
  g_autoptr(GPtrArray) left_out = g_ptr_array_new ();

  if (groups == NULL || groups[0] == NULL)
    g_string_append (text, _("Everyone in the directory"));
  else
    {
      g_string_append (text, _("Members of "));
      for (guint i = 0; groups[i] != NULL; i++)
        {
          if (i > 0)
            g_string_append (text, ", ");
          g_string_append (text, _muster_setup_assistant_group_name (self, groups[i]));
        }
    }
  if (muster_rules_get_exclude_unlicensed (self->rules))
    g_ptr_array_add (left_out, _("unlicensed users"));
  if (muster_rules_get_exclude_disabled (self->rules))
    g_ptr_array_add (left_out, _("disabled accounts"));
  if (muster_rules_get_exclude_guests (self->rules))
    g_ptr_array_add (left_out, _("guests"));
  if (left_out->len > 0)
    {
      g_autofree char *joined = NULL;

      g_ptr_array_add (left_out, NULL);
      joined = g_strjoinv (", ", (char **) left_out->pdata);
      g_string_append (text, "\n");
      g_string_append_printf (text, _("Leaving out %s"), joined);
    }
  if (n_deny > 0)
    {
      g_string_append (text, "\n");
      g_string_append_printf (text, ngettext ("%u address on the deny list", "%u addresses on the deny list", n_deny),
                              n_deny);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
fill_summary (MusterSetupAssistant *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *target = NULL;
  g_autofree char *scope = describe_scope (self);
  g_autofree char *fields = NULL;
  g_autofree char *types = NULL;
  g_autofree char *groups = NULL;
  g_autofree char *limit = NULL;
  g_autofree char *roles = _muster_setup_assistant_join_list (muster_rules_get_default_roles (self->rules));
  guint n_fields = muster_rules_get_field_mapping (self->rules)->len;
  guint n_attributes = g_strv_length ((char **) muster_target_attribute_names ());
  guint n_mapped = muster_rules_get_group_mapping (self->rules)->len;
  guint n_rules = muster_rules_get_group_rules (self->rules)->len;
  guint count = 0, percent = 0;

  for (guint i = 0; i < G_N_ELEMENTS (self->summary_rows); i++)
    if (self->summary_rows[i] != NULL)
      {
        adw_preferences_group_remove (self->summary_group, self->summary_rows[i]);
        self->summary_rows[i] = NULL;
      }

  if (self->rules_only)
    target = NULL;
  else if (is_scim (self))
    target = g_strdup_printf (_("“%s”: the SCIM service at %s"), name,
                              gtk_editable_get_text (GTK_EDITABLE (self->url_row)));
  else
    target = g_strdup_printf (_("“%s”: the SQLite file %s"), name, self->file_path);
  fields = g_strdup_printf (_("%u of %u target fields filled"), n_fields, n_attributes);
  types = *roles != '\0' ? g_strdup_printf (_("%s, with the roles %s"), _muster_setup_assistant_user_type_label (muster_rules_get_default_user_type (self->rules)), roles)
                         : g_strdup_printf (_("%s, with no roles"), _muster_setup_assistant_user_type_label (muster_rules_get_default_user_type (self->rules)));
  groups = g_strdup_printf (_("%u mapped to target groups, %u with their own type or roles"), n_mapped, n_rules);
  muster_rules_get_safety_limit (self->rules, &count, &percent);
  if (count == 0 && percent == 0)
    limit = g_strdup (_("Off"));
  else if (percent == 0)
    limit = g_strdup_printf (ngettext ("At most %u person disabled or deleted a push",
                                       "At most %u people disabled or deleted a push", count), count);
  else if (count == 0)
    limit = g_strdup_printf (_("At most %u %% of the target disabled or deleted a push"), percent);
  else
    limit = g_strdup_printf (_("At most %u people or %u %% of the target disabled or deleted a push"), count, percent);

  if (target != NULL)
    add_summary_row (self, 0, _("Target"), target);
  add_summary_row (self, 1, _("Scope"), scope);
  add_summary_row (self, 2, _("Email Address"), email_method_label (muster_rules_get_email_method (self->rules)));
  add_summary_row (self, 3, _("Fields"), fields);
  add_summary_row (self, 4, _("Everyone Is"), types);
  add_summary_row (self, 5, _("Groups"), groups);
  add_summary_row (self, 6, _("Safety Limit"), limit);
  if (!self->rules_only)
    {
      static const char *labels[] = { N_("Every hour"), N_("Every day"), N_("Every week") };
      guint every = MIN (adw_combo_row_get_selected (self->schedule_every_row), G_N_ELEMENTS (labels) - 1);
      g_autofree char *schedule = NULL;

      if (gtk_switch_get_active (self->schedule_switch))
        schedule = g_strdup_printf (_("%s, into “%s”, by a timer of your session"), _(labels[every]), name);
      else
        schedule = g_strdup (_("Off: nothing is pushed until you preview and push"));
      add_summary_row (self, 7, _("Automatic Sync"), schedule);
    }
}

/* Moving between steps --------------------------------------------------------------------- */

static guint
step_index (MusterSetupAssistant *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (g_strcmp0 (steps[i], name) == 0)
      return i;
  return 0;
}

static void
collect_step (MusterSetupAssistant *self,
              guint                 index)
{
  const char *name = steps[index];

  if (g_str_equal (name, "scope"))
    _muster_setup_assistant_collect_scope (self);
  else if (g_str_equal (name, "email"))
    _muster_setup_assistant_collect_email (self);
  else if (g_str_equal (name, "fields"))
    _muster_setup_assistant_collect_fields (self);
  else if (g_str_equal (name, "groups"))
    _muster_setup_assistant_collect_groups (self);
  else if (g_str_equal (name, "limit"))
    _muster_setup_assistant_collect_limit (self);
}

static void
fill_step (MusterSetupAssistant *self,
           guint                 index)
{
  const char *name = steps[index];

  if (g_str_equal (name, "scope"))
    _muster_setup_assistant_fill_scope (self);
  else if (g_str_equal (name, "email"))
    _muster_setup_assistant_fill_email (self);
  else if (g_str_equal (name, "fields"))
    _muster_setup_assistant_fill_fields (self);
  else if (g_str_equal (name, "groups"))
    _muster_setup_assistant_fill_groups (self);
  else if (g_str_equal (name, "limit"))
    _muster_setup_assistant_fill_limit (self);
  else if (g_str_equal (name, "summary"))
    fill_summary (self);
}

/* Preferences' walk through the rules has no target to put on a timer: it skips that step. */
static gboolean
step_skipped (MusterSetupAssistant *self,
              guint                 index)
{
  return self->rules_only && g_str_equal (steps[index], "schedule");
}

static void
update_actions (MusterSetupAssistant *self)
{
  guint index = step_index (self);
  guint first = self->rules_only ? 1 : 0;
  gboolean last = index == G_N_ELEMENTS (steps) - 1;
  gboolean ready = index != 0 || target_step_ready (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "assistant.back", index > first && !self->saving);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "assistant.next", ready && !self->saving && !self->testing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "assistant.test-connection", !self->testing && !self->saving);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "assistant.choose-file", !self->saving);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "assistant.import-deny-list", !self->saving);
  gtk_button_set_label (self->next_button, last ? _("_Finish") : _("_Next"));
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), index > first);
}

static void
setup_assistant_page_changed_cb (MusterSetupAssistant *self)
{
  guint first = self->rules_only ? 1 : 0;
  guint index = step_index (self);
  GtkStackPage *page = gtk_stack_get_page (self->stack, gtk_stack_get_visible_child (self->stack));
  guint skipped_before = 0, skipped = 0;
  g_autofree char *subtitle = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (step_skipped (self, i))
      {
        skipped++;
        skipped_before += i < index;
      }
  subtitle = g_strdup_printf (_("Step %u of %u · %s"), index - first - skipped_before + 1,
                              (guint) G_N_ELEMENTS (steps) - first - skipped, gtk_stack_page_get_title (page));

  adw_window_title_set_subtitle (self->window_title, subtitle);
  update_actions (self);
}

static void
go_to (MusterSetupAssistant *self,
       guint                 index)
{
  fill_step (self, index);
  gtk_stack_set_visible_child_name (self->stack, steps[index]);
  /* the first control of the step, for the keyboard */
  gtk_widget_child_focus (gtk_stack_get_visible_child (self->stack), GTK_DIR_TAB_FORWARD);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MusterSetupAssistant *self = MUSTER_SETUP_ASSISTANT (widget);
  guint index = step_index (self);

  if (index == (self->rules_only ? 1u : 0u) || self->saving)
    return;
  collect_step (self, index);
  index--;
  while (index > 0 && step_skipped (self, index))
    index--;
  go_to (self, index);
}

/* Finish -------------------------------------------------------------------------------------- */

typedef struct
{
  char              *profile;
  char              *name;
  char              *uri;
  char              *token;      /* SCIM: cleared and freed as soon as it is in the keyring */
  char             **roles;
  MusterTargetStore *store;
  gboolean           token_stored;
} FinishData;

static void
finish_data_free (FinishData *data)
{
  g_free (data->profile);
  g_free (data->name);
  g_free (data->uri);
  if (data->token != NULL)
    {
      explicit_bzero (data->token, strlen (data->token));
      g_free (data->token);
    }
  g_strfreev (data->roles);
  g_clear_object (&data->store);
  g_free (data);
}

static void
finish_failed (MusterSetupAssistant *self,
               const GError         *error)
{
  g_autofree char *text = g_strdup_printf (_("Nothing was saved: %s"), error->message);

  self->saving = FALSE;
  gtk_label_set_text (self->finish_error_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->finish_error_label), TRUE);
  gtk_widget_set_visible (self->finish_error_group, TRUE);
  update_actions (self);
}

/* Automatic sync on: after the target and the rules, the timer. Saved either way; a timer that
 * could not be enabled is explained over the main window, with the commands to enable it. */
typedef struct
{
  MusterSetupAssistant *self;
  char                 *name;
} ScheduleData;

static void
scheduled_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ScheduleData *data = user_data;
  g_autoptr(MusterSetupAssistant) self = data->self;
  g_autofree char *name = data->name;
  g_autoptr(GError) error = NULL;
  GtkWindow *parent;

  g_free (data);
  if (!muster_schedule_enable_finish (result, &error) && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->saving = FALSE;
  parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  if (error != NULL && parent != NULL)
    {
      GtkWidget *dialog = adw_message_dialog_new (parent, _("Automatic Sync Is Not On Yet"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
  else if (error != NULL)
    g_warning ("Automatic sync: %s", error->message);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, name);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
schedule_target (MusterSetupAssistant *self,
                 const char           *name)
{
  guint every = MIN (adw_combo_row_get_selected (self->schedule_every_row), G_N_ELEMENTS (schedule_everies) - 1);
  g_autofree char *cli = muster_schedule_group_dup_cli_path ();
  ScheduleData *data = g_new0 (ScheduleData, 1);

  data->self = g_object_ref (self);
  data->name = g_strdup (name);
  muster_schedule_enable_async (self->profile, name, schedule_everies[every], cli, self->cancellable, scheduled_cb,
                                data);
}

static void
rules_saved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterSetupAssistant *self = g_task_get_source_object (task);
  FinishData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!muster_rules_save_finish (MUSTER_RULES (source), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (data->name == NULL)
        {
          finish_failed (self, error);
          return;
        }
      /* the target is saved and works; only the rules are not */
      text = g_strdup_printf (_("The target “%s” was saved, but the rules were not: %s"), data->name, error->message);
      self->saving = FALSE;
      gtk_label_set_text (self->finish_error_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->finish_error_label), TRUE);
  gtk_widget_set_visible (self->finish_error_group, TRUE);
      update_actions (self);
      return;
    }
  if (data->name != NULL && gtk_switch_get_active (self->schedule_switch))
    {
      schedule_target (self, data->name);
      return;
    }
  self->saving = FALSE;
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, data->name);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Worker thread, second half: the entry in targets.ini, after its token is in the keyring. */
static void
add_target_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  FinishData *data = task_data;
  g_autoptr(MusterTargetInfo) info = NULL;
  GError *error = NULL;

  info = muster_target_store_add (data->store, data->profile, data->name, data->uri, &error);
  if (info == NULL
      || (info->kind == MUSTER_TARGET_KIND_SCIM
          && !muster_target_store_set_roles (data->store, data->profile, data->name,
                                             (const char * const *) data->roles, &error))
      || !muster_target_store_save (data->store, &error))
    {
      if (info != NULL)
        muster_target_store_remove (data->store, data->profile, data->name, NULL);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
token_cleared_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!muster_keyring_clear_target_token_finish (result, &error))
    g_warning ("Could not remove the token of a target that was not saved: %s", error->message);
}

static void
target_added_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  MusterSetupAssistant *self = MUSTER_SETUP_ASSISTANT (source);
  GTask *task = G_TASK (result);
  FinishData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) rules_task = NULL;

  if (!g_task_propagate_boolean (task, &error))
    {
      /* a token must never stay behind for a target that does not exist */
      if (data->token_stored)
        muster_keyring_clear_target_token_async (data->profile, data->name, NULL, token_cleared_cb, NULL);
      finish_failed (self, error);
      return;
    }
  rules_task = g_task_new (self, self->cancellable, NULL, NULL);
  g_task_set_task_data (rules_task, g_task_get_task_data (task), NULL);
  /* keep the data alive until the rules are saved */
  g_object_set_data_full (G_OBJECT (rules_task), "finish-task", g_object_ref (task), g_object_unref);
  muster_rules_save_async (self->rules, self->profile, self->cancellable, rules_saved_cb, g_steal_pointer (&rules_task));
}

static void
add_target (MusterSetupAssistant *self,
            GTask                *task)
{
  g_autoptr(GTask) add = g_task_new (self, self->cancellable, target_added_cb, NULL);

  g_task_set_source_tag (add, add_target);
  g_task_set_task_data (add, g_task_get_task_data (task), NULL);
  g_object_set_data_full (G_OBJECT (add), "finish-task", g_object_ref (task), g_object_unref);
  g_task_run_in_thread (add, add_target_thread);
}

static void
token_stored_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterSetupAssistant *self = g_task_get_source_object (task);
  FinishData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  explicit_bzero (data->token, strlen (data->token));
  g_clear_pointer (&data->token, g_free);
  if (!muster_keyring_store_target_token_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      finish_failed (self, error);
      return;
    }
  data->token_stored = TRUE;
  add_target (self, task);
}

/* Worker thread, first half: targets.ini read, the name free, a SQLite file created or checked. */
static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  FinishData *data = task_data;
  MusterTargetInfo *existing;  /* the store's */
  MusterTargetKind kind;
  g_autofree char *location = NULL;
  GError *error = NULL;

  data->store = muster_target_store_load (NULL, &error);
  if (data->store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  existing = muster_target_store_lookup (data->store, data->profile, data->name);
  if (existing != NULL)
    {
      g_task_return_new_error (task, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_EXISTS,
                               _("The profile already has a target called “%s”. Go back and choose another name."),
                               data->name);
      return;
    }
  if (!muster_target_parse_uri (data->uri, &kind, &location, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (kind == MUSTER_TARGET_KIND_SQLITE)
    {
      g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (location);

      if (!muster_sqlite_target_open (target, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
prepared_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  MusterSetupAssistant *self = MUSTER_SETUP_ASSISTANT (source);
  GTask *task = G_TASK (result);
  FinishData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (task, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      finish_failed (self, error);
      return;
    }
  /* the token first: a target never exists without it */
  if (data->token != NULL)
    muster_keyring_store_target_token_async (data->profile, data->name, data->token, self->cancellable,
                                             token_stored_cb, g_object_ref (task));
  else
    add_target (self, task);
}

static void
finish (MusterSetupAssistant *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, prepared_cb, NULL);
  FinishData *data = g_new0 (FinishData, 1);

  if (self->rules_only)
    {
      g_task_set_task_data (task, data, (GDestroyNotify) finish_data_free);
      self->saving = TRUE;
      gtk_widget_set_visible (self->finish_error_group, FALSE);
      update_actions (self);
      muster_rules_save_async (self->rules, self->profile, self->cancellable, rules_saved_cb, g_steal_pointer (&task));
      return;
    }

  data->profile = g_strdup (self->profile);
  data->name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  if (is_scim (self))
    {
      g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->url_row))));

      data->uri = g_strconcat ("scim:", url, NULL);
      data->token = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_row)));
      data->roles = _muster_setup_assistant_split_list (gtk_editable_get_text (GTK_EDITABLE (self->roles_row)));
    }
  else
    {
      data->uri = g_strconcat ("sqlite:", self->file_path, NULL);
      data->roles = g_new0 (char *, 1);
    }

  self->saving = TRUE;
  gtk_widget_set_visible (self->finish_error_group, FALSE);
  update_actions (self);
  g_task_set_source_tag (task, finish);
  g_task_set_task_data (task, data, (GDestroyNotify) finish_data_free);
  g_task_run_in_thread (task, prepare_thread);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MusterSetupAssistant *self = MUSTER_SETUP_ASSISTANT (widget);
  guint index = step_index (self);

  if (self->saving || self->testing || (index == 0 && !target_step_ready (self)))
    return;
  if (index == G_N_ELEMENTS (steps) - 1)
    {
      finish (self);
      return;
    }
  collect_step (self, index);
  index++;
  while (index < G_N_ELEMENTS (steps) - 1 && step_skipped (self, index))
    index++;
  go_to (self, index);
}

/* The window --------------------------------------------------------------------------------- */

static gboolean
muster_setup_assistant_close_request (GtkWindow *window)
{
  MusterSetupAssistant *self = MUSTER_SETUP_ASSISTANT (window);

  /* half a save would leave a token without a target: Finish runs to its end */
  if (self->saving)
    return TRUE;
  return GTK_WINDOW_CLASS (muster_setup_assistant_parent_class)->close_request (window);
}

static void
muster_setup_assistant_dispose (GObject *object)
{
  MusterSetupAssistant *self = MUSTER_SETUP_ASSISTANT (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_SETUP_ASSISTANT);
  G_OBJECT_CLASS (muster_setup_assistant_parent_class)->dispose (object);
}

static void
muster_setup_assistant_finalize (GObject *object)
{
  MusterSetupAssistant *self = MUSTER_SETUP_ASSISTANT (object);

  g_free (self->profile);
  g_free (self->file_path);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->rules);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->deny, g_ptr_array_unref);
  g_clear_pointer (&self->group_checks, g_hash_table_unref);
  g_clear_pointer (&self->field_rows, g_ptr_array_unref);
  g_clear_pointer (&self->group_rows, g_ptr_array_unref);
  G_OBJECT_CLASS (muster_setup_assistant_parent_class)->finalize (object);
}

static void
muster_setup_assistant_class_init (MusterSetupAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = muster_setup_assistant_dispose;
  object_class->finalize = muster_setup_assistant_finalize;
  window_class->close_request = muster_setup_assistant_close_request;

  /* MusterSetupAssistant::finished: (target name) the target and the rules are saved */
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                           NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-setup-assistant.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, MusterSetupAssistant, name)
  CHILD (window_title);
  CHILD (back_button);
  CHILD (next_button);
  CHILD (stack);
  CHILD (sqlite_check);
  CHILD (scim_check);
  CHILD (sqlite_group);
  CHILD (file_row);
  CHILD (scim_group);
  CHILD (url_row);
  CHILD (token_row);
  CHILD (roles_row);
  CHILD (test_row);
  CHILD (test_icon);
  CHILD (test_spinner);
  CHILD (test_button);
  CHILD (name_row);
  CHILD (group_search);
  CHILD (group_list);
  CHILD (nested_switch);
  CHILD (kind_row);
  CHILD (unlicensed_switch);
  CHILD (disabled_switch);
  CHILD (guests_switch);
  CHILD (deny_entry_row);
  CHILD (deny_list);
  CHILD (email_mail_or_upn_check);
  CHILD (email_upn_check);
  CHILD (email_mail_check);
  CHILD (fields_group);
  CHILD (default_type_row);
  CHILD (default_roles_row);
  CHILD (group_rules_group);
  CHILD (limit_count_spin);
  CHILD (limit_percent_spin);
  CHILD (schedule_switch);
  CHILD (schedule_every_row);
  CHILD (summary_group);
  CHILD (finish_error_group);
  CHILD (finish_error_label);
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, setup_assistant_kind_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_assistant_scim_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_assistant_name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_assistant_page_changed_cb);

  gtk_widget_class_install_action (widget_class, "assistant.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "assistant.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "assistant.choose-file", NULL, choose_file_action);
  gtk_widget_class_install_action (widget_class, "assistant.test-connection", NULL, test_connection_action);
  _muster_setup_assistant_class_init_rules (widget_class);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "assistant.back", NULL);
}

static void
muster_setup_assistant_init (MusterSetupAssistant *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->deny = g_ptr_array_new_with_free_func (g_free);
  self->group_checks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->field_rows = g_ptr_array_new ();
  self->group_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) group_rule_row_free);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sqlite_check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("SQLite File"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->scim_check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("SCIM Service"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->test_spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Testing the connection"), -1);
}

MusterSetupAssistant *
muster_setup_assistant_new (GtkWindow      *parent,
                            const char     *profile,
                            MusterSnapshot *snapshot,
                            MusterRules    *rules)
{
  MusterSetupAssistant *self;

  g_return_val_if_fail (profile != NULL, NULL);

  self = g_object_new (MUSTER_TYPE_SETUP_ASSISTANT, "transient-for", parent, NULL);
  self->profile = g_strdup (profile);
  self->snapshot = snapshot ? g_object_ref (snapshot) : NULL;
  self->rules = rules ? muster_rules_copy (rules) : muster_rules_new ();
  _muster_setup_assistant_build_group_list (self);
  _muster_setup_assistant_build_field_rows (self);
  setup_assistant_page_changed_cb (self);
  return self;
}

MusterSetupAssistant *
muster_setup_assistant_new_for_rules (GtkWindow      *parent,
                                      const char     *profile,
                                      MusterSnapshot *snapshot,
                                      MusterRules    *rules)
{
  MusterSetupAssistant *self = muster_setup_assistant_new (parent, profile, snapshot, rules);

  self->rules_only = TRUE;
  gtk_window_set_title (GTK_WINDOW (self), _("Sync Rules"));
  adw_window_title_set_title (self->window_title, _("Sync Rules"));
  fill_step (self, 1);
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_stack_set_visible_child_name (self->stack, "scope");
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_SLIDE_LEFT_RIGHT);
  setup_assistant_page_changed_cb (self);
  return self;
}

void
muster_setup_assistant_offer_service (MusterSetupAssistant *self,
                                      const char           *url,
                                      const char           *token)
{
  g_return_if_fail (MUSTER_IS_SETUP_ASSISTANT (self));

  gtk_editable_set_text (GTK_EDITABLE (self->url_row), url);
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), token ? token : "");
  adw_preferences_group_set_description (self->scim_group,
                                         _("The demo tenant has a SCIM service of its own: its address and token are filled in. "
                                           "Tokens are kept in the keyring, never in a file."));
}

const char *
muster_setup_assistant_get_step (MusterSetupAssistant *self)
{
  g_return_val_if_fail (MUSTER_IS_SETUP_ASSISTANT (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

MusterRules *
muster_setup_assistant_get_rules (MusterSetupAssistant *self)
{
  g_return_val_if_fail (MUSTER_IS_SETUP_ASSISTANT (self), NULL);
  return self->rules;
}

gboolean
muster_setup_assistant_get_busy (MusterSetupAssistant *self)
{
  g_return_val_if_fail (MUSTER_IS_SETUP_ASSISTANT (self), FALSE);
  return self->testing || self->saving;
}
