/* muster-setup-assistant-private.h: the assistant's widgets, for muster-setup-assistant.c and
 * the UI tests that drive them
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-setup-assistant.h"

G_BEGIN_DECLS

struct _MusterSetupAssistant
{
  AdwWindow             parent_instance;

  char                 *profile;
  MusterSnapshot       *snapshot;
  MusterRules          *rules;
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;

  char                 *file_path;      /* the SQLite file chosen */
  gboolean              name_edited;    /* the admin typed a name: no more suggestions */
  gboolean              setting_name;
  gboolean              testing;
  gboolean              tested_ok;      /* for the address and token as they are now */
  gboolean              saving;
  gboolean              rules_only;     /* Preferences: the steps after the target, saving the rules */
  GPtrArray            *deny;           /* of char*, the deny list being edited */
  GHashTable           *group_checks;   /* group id → GtkCheckButton (borrowed) */
  GPtrArray            *field_rows;     /* of AdwComboRow, one per target attribute */
  GPtrArray            *group_rows;     /* of GroupRuleRow, one per checked group */
  GtkWidget            *summary_rows[10];

  /* template children */
  AdwWindowTitle       *window_title;
  GtkButton            *back_button;
  GtkButton            *next_button;
  GtkStack             *stack;
  GtkCheckButton       *sqlite_check;
  GtkCheckButton       *scim_check;
  AdwPreferencesGroup  *sqlite_group;
  AdwActionRow         *file_row;
  AdwPreferencesGroup  *scim_group;
  AdwEntryRow          *url_row;
  AdwPasswordEntryRow  *token_row;
  AdwEntryRow          *roles_row;
  AdwActionRow         *test_row;
  GtkImage             *test_icon;     /* the last test's outcome */
  GtkSpinner           *test_spinner;
  GtkButton            *test_button;
  AdwEntryRow          *name_row;
  GtkSearchEntry       *group_search;
  GtkListBox           *group_list;
  GtkSwitch            *nested_switch;
  AdwComboRow          *kind_row;
  GtkSwitch            *unlicensed_switch;
  GtkSwitch            *disabled_switch;
  GtkSwitch            *guests_switch;
  AdwEntryRow          *deny_entry_row;
  GtkListBox           *deny_list;
  GtkCheckButton       *email_mail_or_upn_check;
  GtkCheckButton       *email_upn_check;
  GtkCheckButton       *email_mail_check;
  AdwPreferencesGroup  *fields_group;
  AdwComboRow          *default_type_row;
  AdwEntryRow          *default_roles_row;
  AdwPreferencesGroup  *group_rules_group;
  GtkSpinButton        *limit_count_spin;
  GtkSpinButton        *limit_percent_spin;
  GtkSwitch            *schedule_switch;
  AdwComboRow          *schedule_every_row;
  AdwPreferencesGroup  *summary_group;
  GtkWidget            *finish_error_group;
  GtkLabel             *finish_error_label;
};

/* The widgets of one checked group on the "groups" step. */
typedef struct
{
  char        *group;        /* Entra id (or the name the rules had) */
  AdwEntryRow *target_row;   /* the target group's name; empty: not mapped */
  AdwComboRow *type_row;     /* 0: no type of its own, else MusterUserType + 1 */
  AdwEntryRow *roles_row;    /* comma-separated */
} GroupRuleRow;

/* Adds @path's addresses to the deny list being edited, as Import CSV… does. */
void _muster_setup_assistant_import_deny_file (MusterSetupAssistant *self,
                                               const char           *path);

/* muster-setup-assistant.c: the words the steps and the summary share */
const char *_muster_setup_assistant_attribute_label (const char *attribute);
const char *_muster_setup_assistant_group_name (MusterSetupAssistant *self,
                                                const char           *group);
char *_muster_setup_assistant_join_list (const char * const *items);
const char *_muster_setup_assistant_source_label (const char *source);
GStrv _muster_setup_assistant_split_list (const char *text);
const char *_muster_setup_assistant_user_type_label (MusterUserType type);

/* muster-setup-assistant-rules.c: the steps that shape the rules, each filled from the working
 * copy of the rules when shown and collected back into it when left */
void _muster_setup_assistant_class_init_rules (GtkWidgetClass *widget_class);
void _muster_setup_assistant_build_field_rows (MusterSetupAssistant *self);
void _muster_setup_assistant_build_group_list (MusterSetupAssistant *self);
void _muster_setup_assistant_collect_email (MusterSetupAssistant *self);
void _muster_setup_assistant_collect_fields (MusterSetupAssistant *self);
void _muster_setup_assistant_collect_groups (MusterSetupAssistant *self);
void _muster_setup_assistant_collect_limit (MusterSetupAssistant *self);
void _muster_setup_assistant_collect_scope (MusterSetupAssistant *self);
void _muster_setup_assistant_fill_email (MusterSetupAssistant *self);
void _muster_setup_assistant_fill_fields (MusterSetupAssistant *self);
void _muster_setup_assistant_fill_groups (MusterSetupAssistant *self);
void _muster_setup_assistant_fill_limit (MusterSetupAssistant *self);
void _muster_setup_assistant_fill_scope (MusterSetupAssistant *self);

G_END_DECLS
