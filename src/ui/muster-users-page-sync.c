/* muster-users-page-sync.c: the Users page's sync columns — User Type, Roles and Plan: what the
 * profile's rules (through the engine's resolver, cached per user) and a plan give each row, the
 * per-row pickers that write per-user overrides into the rules, and Set User Type… / Set Roles…
 * for the selection
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-users-page"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-rules-private.h"
#include "muster-users-page-private.h"

/* What the rules give one user, as the table shows it. Strings live in resolved_strings. */
typedef struct
{
  MusterUserType  user_type;
  gboolean        type_overridden;
  gboolean        roles_overridden;
  const char     *type_tooltip;
  const char     *roles_label;    /* "Finance, Reports" or "No roles" */
  const char     *roles_tooltip;
} ResolvedUser;

static void save_rules (MusterUsersPage *self);

/* What the pickers' names call a user: the display name, else the sign-in name. */
static const char *
user_name (MusterUser *user)
{
  const char *name = muster_user_get_display_name (user);

  return name != NULL && *name != '\0' ? name : muster_user_get_user_principal_name (user);
}

static const char *
group_rule_title (MusterUsersPage       *self,
                  const MusterGroupRule *rule)
{
  MusterGroup *group = self->snapshot ? muster_snapshot_lookup_group (self->snapshot, rule->group) : NULL;

  if (group != NULL && muster_group_get_display_name (group) != NULL)
    return muster_group_get_display_name (group);
  return rule->group;
}

/* The resolver and the per-user cache are made for one snapshot and one state of the rules:
 * any change of either drops them, and the rows on screen are resolved again when refilled. */
void
_muster_users_page_forget_resolved (MusterUsersPage *self)
{
  g_clear_pointer (&self->resolver, _muster_rules_resolver_free);
  if (self->resolved != NULL)
    g_hash_table_remove_all (self->resolved);
  if (self->resolved_strings != NULL)
    g_string_chunk_clear (self->resolved_strings);
  if (self->rule_words != NULL)
    g_ptr_array_set_size (self->rule_words, 0);
}

/* Cheap on every bind: a hash look-up, or once per user the engine's resolver, which has the
 * group rules prepared against the snapshot and allocates next to nothing. */
static const ResolvedUser *
resolve_user (MusterUsersPage *self,
              MusterUser      *user)
{
  ResolvedUser *cell = g_hash_table_lookup (self->resolved, user);
  MusterResolvedUser resolved;
  const MusterUserOverride *override;

  if (cell != NULL)
    return cell;
  g_assert (self->rules != NULL && self->snapshot != NULL);

  if (self->resolver == NULL)
    {
      GPtrArray *group_rules = muster_rules_get_group_rules (self->rules);

      self->resolver = _muster_rules_resolver_new (self->rules, self->snapshot);
      for (guint i = 0; i < group_rules->len; i++)
        g_ptr_array_add (self->rule_words,
                         /* Translators: the tooltip of a user type the rules give; %s is a group's name */
                         g_strdup_printf (_("From group rule “%s”"),
                                          group_rule_title (self, g_ptr_array_index (group_rules, i))));
    }
  _muster_rules_resolver_resolve (self->resolver, user, &resolved);
  override = resolved.override;

  cell = g_new0 (ResolvedUser, 1);
  cell->user_type = resolved.user_type;
  cell->type_overridden = override != NULL && override->has_user_type;
  cell->roles_overridden = override != NULL && override->roles != NULL;
  if (cell->type_overridden)
    cell->type_tooltip = _("Set for this user");
  else if (resolved.type_source >= 0 && (guint) resolved.type_source < self->rule_words->len)
    cell->type_tooltip = g_ptr_array_index (self->rule_words, resolved.type_source);
  else
    cell->type_tooltip = _("From the profile default");
  if (resolved.roles == NULL || resolved.roles[0] == NULL)
    cell->roles_label = _("No roles");
  else
    {
      g_autofree char *label = g_strjoinv (", ", (char **) resolved.roles);

      cell->roles_label = g_string_chunk_insert_const (self->resolved_strings, label);
    }
  cell->roles_tooltip = resolved.roles_explanation;
  g_hash_table_insert (self->resolved, user, cell);
  return cell;
}

/* The roles @user_id has now, as a new sorted list. */
static char **
dup_user_roles (MusterUsersPage *self,
                MusterUser      *user)
{
  MusterResolvedUser resolved;

  resolve_user (self, user);
  _muster_rules_resolver_resolve (self->resolver, user, &resolved);
  return g_strdupv ((char **) resolved.roles);
}

static int
compare_roles (gconstpointer a,
               gconstpointer b)
{
  return g_utf8_collate (*(const char **) a, *(const char **) b);
}

/* Every role the rules mention, the chosen target offers and @extra holds, sorted. */
static GPtrArray *
dup_roles_on_offer (MusterUsersPage    *self,
                    const char * const *extra)
{
  g_autoptr(GHashTable) set = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *roles = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer role;

#define ADD_ROLES(list) \
  G_STMT_START { \
    const char * const *roles_ = (const char * const *) (list); \
    for (gsize k_ = 0; roles_ != NULL && roles_[k_] != NULL; k_++) \
      g_hash_table_add (set, (gpointer) roles_[k_]); \
  } G_STMT_END

  if (self->rules != NULL)
    {
      GPtrArray *group_rules = muster_rules_get_group_rules (self->rules);
      GPtrArray *overrides = muster_rules_get_user_overrides (self->rules);

      ADD_ROLES (muster_rules_get_default_roles (self->rules));
      for (guint i = 0; i < group_rules->len; i++)
        ADD_ROLES (((MusterGroupRule *) g_ptr_array_index (group_rules, i))->roles);
      for (guint i = 0; i < overrides->len; i++)
        ADD_ROLES (((MusterUserOverride *) g_ptr_array_index (overrides, i))->roles);
    }
  ADD_ROLES (self->target_roles);
  ADD_ROLES (extra);
#undef ADD_ROLES

  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, &role, NULL))
    g_ptr_array_add (roles, g_strdup (role));
  g_ptr_array_sort (roles, compare_roles);
  return roles;
}

/* Changes one user's override: the type part when @set_type (@user_type NULL: back to the
 * rules), the roles part when @set_roles (@roles NULL: back to the rules). An override left
 * saying nothing is removed. Not saved: callers save once when they are done. */
static void
change_override (MusterUsersPage      *self,
                 const char           *user_id,
                 gboolean              set_type,
                 const MusterUserType *user_type,
                 gboolean              set_roles,
                 const char * const   *roles)
{
  const MusterUserOverride *old = muster_rules_lookup_user_override (self->rules, user_id);
  MusterUserScope scope = old != NULL ? old->scope : MUSTER_USER_SCOPE_RULES;
  MusterUserType type = MUSTER_USER_TYPE_USER;
  gboolean has_type = FALSE;
  g_auto(GStrv) kept_roles = NULL;

  if (set_type)
    {
      has_type = user_type != NULL;
      type = user_type != NULL ? *user_type : MUSTER_USER_TYPE_USER;
    }
  else if (old != NULL && old->has_user_type)
    {
      has_type = TRUE;
      type = old->user_type;
    }
  if (!set_roles && old != NULL && old->roles != NULL)
    kept_roles = g_strdupv (old->roles);
  else if (set_roles && roles != NULL)
    kept_roles = g_strdupv ((char **) roles);

  if (!has_type && kept_roles == NULL && scope == MUSTER_USER_SCOPE_RULES)
    {
      if (old != NULL)
        muster_rules_remove_user_override (self->rules, user_id);
      return;
    }
  muster_rules_set_user_override (self->rules, user_id, has_type ? &type : NULL,
                                  (const char * const *) kept_roles, scope);
}

static void
fill_type_cell (MusterUsersPage *self,
                GtkDropDown     *dropdown,
                MusterUser      *user)
{
  GtkWidget *widget = GTK_WIDGET (dropdown);
  const ResolvedUser *cell;

  self->filling_type = TRUE;
  if (self->rules == NULL || self->snapshot == NULL)
    {
      gtk_drop_down_set_model (dropdown, G_LIST_MODEL (self->type_choices));
      gtk_drop_down_set_selected (dropdown, GTK_INVALID_LIST_POSITION);
      gtk_widget_set_sensitive (widget, FALSE);
      gtk_widget_set_tooltip_text (widget, _("The profile’s rules are not loaded"));
      self->filling_type = FALSE;
      return;
    }
  cell = resolve_user (self, user);
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (cell->type_overridden ? self->type_reset_choices
                                                                         : self->type_choices));
  gtk_drop_down_set_selected (dropdown, cell->user_type);
  gtk_widget_set_sensitive (widget, TRUE);
  gtk_widget_set_tooltip_text (widget, cell->type_tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  cell->type_tooltip, -1);
  if (cell->type_overridden)
    gtk_widget_remove_css_class (widget, "dim-label");
  else
    gtk_widget_add_css_class (widget, "dim-label");
  self->filling_type = FALSE;
}

static void
fill_roles_cell (MusterUsersPage *self,
                 GtkMenuButton   *button,
                 MusterUser      *user)
{
  GtkWidget *label = gtk_menu_button_get_child (button);
  const ResolvedUser *cell;

  if (self->rules == NULL || self->snapshot == NULL)
    {
      gtk_label_set_text (GTK_LABEL (label), "");
      gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
      gtk_widget_set_tooltip_text (GTK_WIDGET (button), _("The profile’s rules are not loaded"));
      return;
    }
  cell = resolve_user (self, user);
  gtk_label_set_text (GTK_LABEL (label), cell->roles_label);
  gtk_widget_set_sensitive (GTK_WIDGET (button), TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (button), cell->roles_tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  cell->roles_tooltip, -1);
  if (cell->roles_overridden)
    gtk_widget_remove_css_class (label, "dim-label");
  else
    gtk_widget_add_css_class (label, "dim-label");
}

static void
fill_plan_cell (MusterUsersPage *self,
                GtkLabel        *label,
                MusterUser      *user)
{
  static const char * const styles[] = { "accent", "warning", "error", "success", "dim-label" };
  MusterPlanItem *item = self->plan ? muster_plan_lookup_item (self->plan, muster_user_get_id (user)) : NULL;
  const char *text = "";
  const char *style = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (label), styles[i]);
  if (item != NULL)
    switch (item->action)
      {
      case MUSTER_PLAN_ACTION_CREATE:
        /* Translators: the Plan column: the user will be created in the target */
        text = C_("plan", "New");
        style = "accent";
        break;
      case MUSTER_PLAN_ACTION_UPDATE:
        text = C_("plan", "Will Update");
        style = "warning";
        break;
      case MUSTER_PLAN_ACTION_DISABLE:
        text = C_("plan", "Will Be Disabled");
        style = "error";
        break;
      case MUSTER_PLAN_ACTION_DELETE:
        text = C_("plan", "Will Be Deleted");
        style = "error";
        break;
      case MUSTER_PLAN_ACTION_UNCHANGED:
        /* Translators: the Plan column: the user is in the target already, nothing changes */
        text = C_("plan", "In Target");
        style = "success";
        break;
      case MUSTER_PLAN_ACTION_SKIPPED:
      default:
        text = C_("plan", "Skipped");
        style = "dim-label";
        break;
      }
  gtk_label_set_text (label, text);
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (label), style);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), item != NULL ? item->reason : NULL);
}

static gboolean
refresh_cells_cb (gpointer user_data)
{
  MusterUsersPage *self = user_data;
  GHashTableIter iter;
  gpointer widget, user;

  self->refresh_id = 0;
  g_hash_table_iter_init (&iter, self->type_cells);
  while (g_hash_table_iter_next (&iter, &widget, &user))
    fill_type_cell (self, widget, user);
  g_hash_table_iter_init (&iter, self->roles_cells);
  while (g_hash_table_iter_next (&iter, &widget, &user))
    fill_roles_cell (self, widget, user);
  return G_SOURCE_REMOVE;
}

/* Refilled from an idle: the change may come from a dropdown's own "notify::selected", which
 * should not see its model swapped under it. */
void
_muster_users_page_queue_refresh (MusterUsersPage *self)
{
  _muster_users_page_forget_resolved (self);
  if (self->type_cells == NULL)  /* disposed */
    return;
  if (self->refresh_id == 0)
    self->refresh_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, refresh_cells_cb, self, NULL);
}

static void
rules_changed_cb (MusterUsersPage *self)
{
  if (!self->in_batch)
    _muster_users_page_queue_refresh (self);
}

static void
rules_saved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(MusterUsersPage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->saving = FALSE;
  if (!muster_rules_save_finish (MUSTER_RULES (source), result, &error))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *dialog;

      self->save_again = FALSE;
      g_warning ("Could not save the rules: %s", error->message);
      if (!gtk_widget_get_realized (GTK_WIDGET (self)))
        return;
      dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                       _("Could Not Save the Rules"), error->message);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  /* the rules may have been replaced (another profile) while this save ran */
  if (self->save_again && MUSTER_RULES (source) == self->rules)
    {
      self->save_again = FALSE;
      save_rules (self);
      return;
    }
  self->save_again = FALSE;
  _muster_users_page_rules_changed (self);
}

/* One save at a time, so that a slow save never lands after a newer one. */
static void
save_rules (MusterUsersPage *self)
{
  if (self->rules == NULL || self->profile == NULL)
    return;
  if (self->saving)
    {
      self->save_again = TRUE;
      return;
    }
  self->saving = TRUE;
  /* not cancelled when the page goes: an edit the admin made is not thrown away */
  muster_rules_save_async (self->rules, self->profile, NULL, rules_saved_cb, g_object_ref (self));
}

static void
type_selected_cb (GtkDropDown     *dropdown,
                  GParamSpec      *pspec,
                  MusterUsersPage *self)
{
  MusterUser *user = g_hash_table_lookup (self->type_cells, dropdown);
  guint selected = gtk_drop_down_get_selected (dropdown);
  MusterUserType type = (MusterUserType) selected;

  if (self->filling_type || user == NULL || self->rules == NULL || selected == GTK_INVALID_LIST_POSITION)
    return;
  if (selected >= MUSTER_N_USER_TYPES)
    change_override (self, muster_user_get_id (user), TRUE, NULL, FALSE, NULL);  /* Reset to Rules */
  else
    change_override (self, muster_user_get_id (user), TRUE, &type, FALSE, NULL);
  save_rules (self);
}

static void
type_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               MusterUsersPage          *self)
{
  GtkWidget *dropdown = gtk_drop_down_new (NULL, NULL);

  GtkWidget *button = gtk_widget_get_first_child (dropdown);

  gtk_drop_down_set_model (GTK_DROP_DOWN (dropdown), G_LIST_MODEL (self->type_choices));
  /* flat like the roles button beside it: a table of framed buttons reads as a form */
  if (GTK_IS_BUTTON (button))
    gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_halign (dropdown, GTK_ALIGN_START);
  gtk_list_item_set_child (item, dropdown);
}

static void
type_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              MusterUsersPage          *self)
{
  MusterUser *user = gtk_list_item_get_item (item);
  GtkWidget *dropdown = gtk_list_item_get_child (item);
  /* Translators: the accessible name of a row's user type picker; %s is the user's name */
  g_autofree char *name = g_strdup_printf (_("User type of %s"), user_name (user));

  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_hash_table_insert (self->type_cells, dropdown, user);
  fill_type_cell (self, GTK_DROP_DOWN (dropdown), user);
  g_signal_connect (dropdown, "notify::selected", G_CALLBACK (type_selected_cb), self);
}

static void
type_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                MusterUsersPage          *self)
{
  GtkWidget *dropdown = gtk_list_item_get_child (item);

  g_signal_handlers_disconnect_by_func (dropdown, type_selected_cb, self);
  g_hash_table_remove (self->type_cells, dropdown);
}

/* The roles popover: made each time it opens, for the user of the row at that moment. */

static char **
checked_roles (GtkWidget *list)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (list); child; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_CHECK_BUTTON (child) && gtk_check_button_get_active (GTK_CHECK_BUTTON (child)))
      g_strv_builder_add (builder, gtk_check_button_get_label (GTK_CHECK_BUTTON (child)));
  return g_strv_builder_end (builder);
}

/* The check for @role in @list, added in order (unchecked) unless there is one. */
static GtkWidget *
ensure_role_check (GtkWidget  *list,
                   const char *role,
                   gboolean   *added)
{
  GtkWidget *before = NULL;
  GtkWidget *check;

  *added = FALSE;
  for (GtkWidget *child = gtk_widget_get_first_child (list); child; child = gtk_widget_get_next_sibling (child))
    {
      int order = g_utf8_collate (gtk_check_button_get_label (GTK_CHECK_BUTTON (child)), role);

      if (order == 0)
        return child;
      if (order < 0)
        before = child;
    }
  check = gtk_check_button_new_with_label (role);
  gtk_box_insert_child_after (GTK_BOX (list), check, before);
  *added = TRUE;
  return check;
}

static void
popover_role_toggled_cb (GtkCheckButton  *check,
                         MusterUsersPage *self)
{
  GtkWidget *list = gtk_widget_get_parent (GTK_WIDGET (check));
  const char *user_id = g_object_get_data (G_OBJECT (list), "muster-user-id");
  g_auto(GStrv) roles = NULL;

  if (self->rules == NULL)
    return;
  roles = checked_roles (list);
  change_override (self, user_id, FALSE, NULL, TRUE, (const char * const *) roles);
  save_rules (self);
  /* the roles are the user's own now */
  gtk_widget_set_sensitive (g_object_get_data (G_OBJECT (list), "muster-reset-button"), TRUE);
}

/* Shared by the popover and the Set Roles dialog: a new role name, added checked. In the
 * popover (a list that names its user) checking it is an edit like any other. */
static void
add_typed_role (GtkEntry *entry)
{
  GtkWidget *list = g_object_get_data (G_OBJECT (entry), "muster-role-list");
  g_autofree char *role = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  gpointer page = g_object_get_data (G_OBJECT (list), "muster-users-page");
  GtkWidget *check;
  gboolean added;

  if (*role == '\0')
    return;
  check = ensure_role_check (list, role, &added);
  if (added && page != NULL)
    g_signal_connect (check, "toggled", G_CALLBACK (popover_role_toggled_cb), page);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

static void
new_role_activate_cb (GtkEntry *entry)
{
  add_typed_role (entry);
}

static void
new_role_icon_cb (GtkEntry             *entry,
                  GtkEntryIconPosition  position)
{
  add_typed_role (entry);
}

static GtkWidget *
new_role_entry (GtkWidget *list)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("New role…"));
  gtk_entry_set_icon_from_icon_name (GTK_ENTRY (entry), GTK_ENTRY_ICON_SECONDARY, "list-add-symbolic");
  gtk_entry_set_icon_tooltip_text (GTK_ENTRY (entry), GTK_ENTRY_ICON_SECONDARY, _("Add Role"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("New role"), -1);
  g_object_set_data (G_OBJECT (entry), "muster-role-list", list);
  g_signal_connect (entry, "activate", G_CALLBACK (new_role_activate_cb), NULL);
  g_signal_connect (entry, "icon-release", G_CALLBACK (new_role_icon_cb), NULL);
  return entry;
}

static void
popover_reset_roles_cb (GtkButton       *button,
                        MusterUsersPage *self)
{
  GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_POPOVER);
  const char *user_id = g_object_get_data (G_OBJECT (button), "muster-user-id");

  if (self->rules != NULL)
    {
      change_override (self, user_id, FALSE, NULL, TRUE, NULL);
      save_rules (self);
    }
  gtk_popover_popdown (GTK_POPOVER (popover));
}

static void
roles_popup_cb (GtkMenuButton *button,
                gpointer       user_data)
{
  MusterUsersPage *self = user_data;
  MusterUser *user = g_hash_table_lookup (self->roles_cells, button);
  g_autoptr(GPtrArray) offered = NULL;
  g_auto(GStrv) current = NULL;
  g_autofree char *heading_text = NULL;
  const ResolvedUser *cell;
  GtkWidget *popover, *box, *heading, *list, *entry, *reset;

  if (user == NULL || self->rules == NULL || self->snapshot == NULL)
    return;
  cell = resolve_user (self, user);
  current = dup_user_roles (self, user);
  offered = dup_roles_on_offer (self, (const char * const *) current);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  /* Translators: the heading of a user's roles popover; %s is the user's name */
  heading_text = g_strdup_printf (_("Roles of %s"), user_name (user));
  heading = gtk_label_new (heading_text);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_label_set_ellipsize (GTK_LABEL (heading), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (heading), 30);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);

  list = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  g_object_set_data_full (G_OBJECT (list), "muster-user-id", g_strdup (muster_user_get_id (user)), g_free);
  g_object_set_data (G_OBJECT (list), "muster-users-page", self);
  for (guint i = 0; i < offered->len; i++)
    {
      const char *role = g_ptr_array_index (offered, i);
      gboolean added;
      GtkWidget *check = ensure_role_check (list, role, &added);

      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_strv_contains ((const char * const *) current, role));
      g_signal_connect (check, "toggled", G_CALLBACK (popover_role_toggled_cb), self);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, heading_text, -1);
  gtk_box_append (GTK_BOX (box), list);

  entry = new_role_entry (list);
  gtk_box_append (GTK_BOX (box), entry);

  reset = gtk_button_new_with_mnemonic (_("_Reset to Rules"));
  gtk_widget_set_sensitive (reset, cell->roles_overridden);
  gtk_widget_set_tooltip_text (reset, _("Give this user the roles the rules give"));
  g_object_set_data_full (G_OBJECT (reset), "muster-user-id", g_strdup (muster_user_get_id (user)), g_free);
  g_signal_connect (reset, "clicked", G_CALLBACK (popover_reset_roles_cb), self);
  g_object_set_data (G_OBJECT (list), "muster-reset-button", reset);
  gtk_box_append (GTK_BOX (box), reset);

  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (button, popover);
}

static void
roles_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                MusterUsersPage          *self)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_menu_button_set_child (GTK_MENU_BUTTON (button), label);
  gtk_menu_button_set_always_show_arrow (GTK_MENU_BUTTON (button), TRUE);
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (button), FALSE);
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (button), roles_popup_cb, self, NULL);
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  gtk_list_item_set_child (item, button);
}

static void
roles_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               MusterUsersPage          *self)
{
  MusterUser *user = gtk_list_item_get_item (item);
  GtkWidget *button = gtk_list_item_get_child (item);
  /* Translators: the accessible name of a row's roles button; %s is the user's name */
  g_autofree char *name = g_strdup_printf (_("Roles of %s"), user_name (user));

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_hash_table_insert (self->roles_cells, button, user);
  fill_roles_cell (self, GTK_MENU_BUTTON (button), user);
}

static void
roles_unbind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 MusterUsersPage          *self)
{
  GtkWidget *button = gtk_list_item_get_child (item);

  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  g_hash_table_remove (self->roles_cells, button);
}

static void
plan_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              MusterUsersPage          *self)
{
  MusterUser *user = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);

  g_hash_table_insert (self->plan_cells, label, user);
  fill_plan_cell (self, GTK_LABEL (label), user);
}

static void
plan_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                MusterUsersPage          *self)
{
  g_hash_table_remove (self->plan_cells, gtk_list_item_get_child (item));
}

/* The group dropdown: the button shows the name, the list the kind, name and member counts. */


/* Set User Type… and Set Roles…: one override per selected user, one save for them all. */

typedef enum
{
  BULK_SET_TYPE,
  BULK_SET_ROLES,
} BulkKind;

static int
compare_user_ids (gconstpointer a,
                  gconstpointer b)
{
  return strcmp (muster_user_get_id (*(MusterUser **) a), muster_user_get_id (*(MusterUser **) b));
}

static void
apply_to_selection (MusterUsersPage      *self,
                    gboolean              set_type,
                    const MusterUserType *user_type,
                    gboolean              set_roles,
                    const char * const   *roles)
{
  g_autoptr(GListModel) selected = muster_users_page_dup_selected (self);
  guint n = g_list_model_get_n_items (selected);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_full (n, g_object_unref);

  if (self->rules == NULL || n == 0)
    return;
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (ids, g_list_model_get_item (selected, i));
  /* in id order, so each new override goes at the end of the rules' sorted list */
  g_ptr_array_sort (ids, compare_user_ids);

  self->in_batch = TRUE;
  for (guint i = 0; i < ids->len; i++)
    change_override (self, muster_user_get_id (g_ptr_array_index (ids, i)), set_type, user_type, set_roles, roles);
  self->in_batch = FALSE;
  _muster_users_page_queue_refresh (self);
  save_rules (self);
}

static void
bulk_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  MusterUsersPage  *self)
{
  BulkKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "muster-bulk-kind"));
  GtkWidget *child = adw_message_dialog_get_extra_child (dialog);

  if (g_str_equal (response, "reset"))
    apply_to_selection (self, kind == BULK_SET_TYPE, NULL, kind == BULK_SET_ROLES, NULL);
  else if (g_str_equal (response, "set") && kind == BULK_SET_TYPE)
    {
      guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (child));
      MusterUserType type = (MusterUserType) selected;

      if (selected < MUSTER_N_USER_TYPES)
        apply_to_selection (self, TRUE, &type, FALSE, NULL);
    }
  else if (g_str_equal (response, "set"))
    {
      GtkWidget *list = g_object_get_data (G_OBJECT (dialog), "muster-role-list");
      g_auto(GStrv) roles = checked_roles (list);

      apply_to_selection (self, FALSE, NULL, TRUE, (const char * const *) roles);
    }
}

static GtkWidget *
bulk_dialog_new (MusterUsersPage *self,
                 BulkKind         kind)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  guint n = muster_users_page_get_n_selected (self);
  g_autofree char *number = _muster_users_page_format_count (n);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (kind == BULK_SET_TYPE)
    /* Translators: the heading of the Set User Type dialog; %s is a number */
    heading = g_strdup_printf (ngettext ("Set the User Type of %s User", "Set the User Type of %s Users", n), number);
  else
    /* Translators: the heading of the Set Roles dialog; %s is a number */
    heading = g_strdup_printf (ngettext ("Set the Roles of %s User", "Set the Roles of %s Users", n), number);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, NULL);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "reset", _("_Reset to Rules"),
                                    "set", kind == BULK_SET_TYPE ? _("_Set User Type") : _("_Set Roles"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "set", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "set");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "muster-bulk-kind", GINT_TO_POINTER (kind));
  g_signal_connect_object (dialog, "response", G_CALLBACK (bulk_response_cb), self, 0);
  return dialog;
}

static void
set_user_type_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  MusterUsersPage *self = MUSTER_USERS_PAGE (widget);
  GtkWidget *dialog, *dropdown;

  if (self->rules == NULL || muster_users_page_get_n_selected (self) == 0)
    return;
  dialog = bulk_dialog_new (self, BULK_SET_TYPE);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _("The type replaces the one the rules give these users. "
                                 "Reset to Rules gives them the rules’ type again."));
  dropdown = gtk_drop_down_new (NULL, NULL);
  gtk_drop_down_set_model (GTK_DROP_DOWN (dropdown), G_LIST_MODEL (self->type_choices));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), MUSTER_USER_TYPE_USER);
  gtk_widget_set_halign (dropdown, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL, _("User Type"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), dropdown);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
set_roles_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  MusterUsersPage *self = MUSTER_USERS_PAGE (widget);
  g_autoptr(GPtrArray) offered = NULL;
  GtkWidget *dialog, *box, *scroller, *list;

  if (self->rules == NULL || muster_users_page_get_n_selected (self) == 0)
    return;
  dialog = bulk_dialog_new (self, BULK_SET_ROLES);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _("The roles checked replace the ones the rules give these users. "
                                 "Reset to Rules gives them the rules’ roles again."));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  list = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Roles"), -1);
  offered = dup_roles_on_offer (self, NULL);
  for (guint i = 0; i < offered->len; i++)
    {
      gboolean added;

      ensure_role_check (list, g_ptr_array_index (offered, i), &added);
    }
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 240);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_box_append (GTK_BOX (box), scroller);
  gtk_box_append (GTK_BOX (box), new_role_entry (list));
  g_object_set_data (G_OBJECT (dialog), "muster-role-list", list);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The CSV is read by the engine (first column, header skipped) on a worker thread, into a
 * scratch filter whose list then fills the text view: nothing applies until Apply. */

/* Class and instance ----------------------------------------------------------------------- */

void
_muster_users_page_class_init_sync (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, type_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, type_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, type_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, roles_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, roles_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, roles_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, plan_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, plan_unbind_cb);

  gtk_widget_class_install_action (widget_class, "users.set-user-type", NULL, set_user_type_action);
  gtk_widget_class_install_action (widget_class, "users.set-roles", NULL, set_roles_action);
}

/* Before the template: its cells are bound as soon as it is made. */
void
_muster_users_page_init_sync (MusterUsersPage *self)
{
  self->type_choices = gtk_string_list_new (NULL);
  self->type_reset_choices = gtk_string_list_new (NULL);
  for (MusterUserType type = MUSTER_USER_TYPE_USER; type < MUSTER_N_USER_TYPES; type++)
    {
      gtk_string_list_append (self->type_choices, muster_user_type_get_title (type));
      gtk_string_list_append (self->type_reset_choices, muster_user_type_get_title (type));
    }
  gtk_string_list_append (self->type_reset_choices, _("Reset to Rules"));
  self->resolved = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->resolved_strings = g_string_chunk_new (1024);
  self->rule_words = g_ptr_array_new_with_free_func (g_free);
  self->type_cells = g_hash_table_new (NULL, NULL);
  self->roles_cells = g_hash_table_new (NULL, NULL);
  self->plan_cells = g_hash_table_new (NULL, NULL);
}

void
_muster_users_page_dispose_sync (MusterUsersPage *self)
{
  if (self->rules != NULL)
    g_signal_handlers_disconnect_by_data (self->rules, self);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  _muster_users_page_forget_resolved (self);
  g_clear_object (&self->rules);
  g_clear_object (&self->plan);
  g_clear_pointer (&self->resolved, g_hash_table_unref);
  g_clear_pointer (&self->type_cells, g_hash_table_unref);
  g_clear_pointer (&self->roles_cells, g_hash_table_unref);
  g_clear_pointer (&self->plan_cells, g_hash_table_unref);
  g_clear_object (&self->type_choices);
  g_clear_object (&self->type_reset_choices);
}

void
_muster_users_page_finalize_sync (MusterUsersPage *self)
{
  g_free (self->profile);
  g_strfreev (self->target_roles);
  g_clear_pointer (&self->resolved_strings, g_string_chunk_free);
  g_clear_pointer (&self->rule_words, g_ptr_array_unref);
}

/* Public API ---------------------------------------------------------------------------- */

/* TRUE while an edit of the pickers is still being saved (the Preview then plans from the rules
 * in memory, not from the file). */
gboolean
muster_users_page_get_saving (MusterUsersPage *self)
{
  g_return_val_if_fail (MUSTER_IS_USERS_PAGE (self), FALSE);
  return self->saving || self->save_again;
}

/* The profile's rules the User Type and Roles columns show and edit (NULL: none loaded yet,
 * the pickers are insensitive). Edits change @rules and save them as @profile's; "rules-changed"
 * follows each save. */
void
muster_users_page_set_rules (MusterUsersPage *self,
                             MusterRules     *rules,
                             const char      *profile)
{
  g_return_if_fail (MUSTER_IS_USERS_PAGE (self));
  g_return_if_fail (rules == NULL || MUSTER_IS_RULES (rules));

  if (self->rules == rules && g_strcmp0 (self->profile, profile) == 0)
    return;
  if (self->rules != NULL)
    g_signal_handlers_disconnect_by_data (self->rules, self);
  g_set_object (&self->rules, rules);
  g_free (self->profile);
  self->profile = g_strdup (profile);
  self->save_again = FALSE;
  if (rules != NULL)
    g_signal_connect_swapped (rules, "changed", G_CALLBACK (rules_changed_cb), self);
  _muster_users_page_queue_refresh (self);
  _muster_users_page_update_selection (self);
}

MusterRules *
muster_users_page_get_rules (MusterUsersPage *self)
{
  g_return_val_if_fail (MUSTER_IS_USERS_PAGE (self), NULL);
  return self->rules;
}

/* Shows what @plan does to each user in the Plan column (NULL hides the column). */
void
muster_users_page_set_plan (MusterUsersPage *self,
                            MusterPlan      *plan)
{
  GHashTableIter iter;
  gpointer label, user;

  g_return_if_fail (MUSTER_IS_USERS_PAGE (self));
  g_return_if_fail (plan == NULL || MUSTER_IS_PLAN (plan));

  if (!g_set_object (&self->plan, plan))
    return;
  gtk_column_view_column_set_visible (self->plan_column, plan != NULL);
  g_hash_table_iter_init (&iter, self->plan_cells);
  while (g_hash_table_iter_next (&iter, &label, &user))
    fill_plan_cell (self, label, user);
}

MusterPlan *
muster_users_page_get_plan (MusterUsersPage *self)
{
  g_return_val_if_fail (MUSTER_IS_USERS_PAGE (self), NULL);
  return self->plan;
}

/* The roles the chosen target offers, offered in the Roles pickers next to the rules' own. */
void
muster_users_page_set_target_roles (MusterUsersPage    *self,
                                    const char * const *roles)
{
  g_return_if_fail (MUSTER_IS_USERS_PAGE (self));

  g_strfreev (self->target_roles);
  self->target_roles = g_strdupv ((char **) roles);
}
