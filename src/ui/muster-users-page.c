/* muster-users-page.c: the users table, declared in its template the way Sysprof declares its
 * tables (STYLE.md §4): column view → multi-selection → filter list model (incremental) → sort
 * list model (sorter bound to the column view's) → the snapshot's users. Which users pass is the
 * engine's MusterUserFilter — one definition for this table, the CLI and exports — run by a
 * GtkCustomFilter; the filter bar only sets its properties. The User Type, Roles and Plan
 * columns show what the profile's rules (through the engine's resolver, cached per user) and a
 * plan give each row, and the pickers write per-user overrides into the rules.
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-users-page"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-photo-loader.h"
#include "muster-rules-private.h"
#include "muster-users-page.h"

struct _MusterUsersPage
{
  AdwBin              parent_instance;

  MusterSnapshot     *snapshot;
  MusterUserFilter   *filter;
  MusterGroup        *any_group;        /* "All Groups", the first choice of the group dropdown */
  GHashTable         *email_labels;     /* bound email cells, relabelled when the method changes */
  MusterPhotoLoader  *photo_loader;     /* NULL: initials only */
  GHashTable         *photos;           /* user id → GdkTexture, or no value while loading / when none */
  GHashTable         *avatars;          /* bound avatar → its row's user, given a photo when it arrives */
  GCancellable       *photo_cancellable;
  GtkFilterChange     next_change;      /* how the coming "changed" narrows or widens the view */
  char               *search;
  char               *count_text;
  gboolean            choosing_group;   /* the dropdown is being refilled */

  /* the sync columns: what the profile's rules give each user, and the plan */
  MusterRules        *rules;            /* NULL: not loaded (the pickers are insensitive) */
  char               *profile;          /* whose rules file edits are saved to */
  MusterRulesResolver *resolver;        /* the rules prepared against the snapshot, made on demand */
  GHashTable         *resolved;         /* MusterUser → ResolvedUser, for the users bound so far */
  GStringChunk       *resolved_strings; /* the labels and tooltips in @resolved */
  GPtrArray          *rule_words;       /* "From group rule “Finance Admins”", per group rule */
  GHashTable         *type_cells;       /* bound user type dropdown → its row's user */
  GHashTable         *roles_cells;      /* bound roles button → its row's user */
  GHashTable         *plan_cells;       /* bound plan label → its row's user */
  guint               refresh_id;       /* idle refilling the bound cells after a rules change */
  MusterPlan         *plan;             /* NULL: no Plan column */
  char              **target_roles;     /* the roles the chosen target offers */
  GtkStringList      *type_choices;     /* the three types, shared by every row */
  GtkStringList      *type_reset_choices; /* …and "Reset to Rules", for rows with an override */
  gboolean            filling_type;     /* a dropdown is being set from the rules */
  gboolean            in_batch;         /* a bulk edit: one refresh at its end */
  gboolean            saving;
  gboolean            save_again;       /* edited while saving: save once more afterwards */

  /* template children */
  GtkSearchEntry     *search_entry;
  GtkDropDown        *group_dropdown;
  GListStore         *group_choices;
  GtkToggleButton    *direct_button;
  GtkToggleButton    *nested_button;
  GtkDropDown        *kind_dropdown;
  GtkToggleButton    *unlicensed_toggle;
  GtkToggleButton    *disabled_toggle;
  GtkToggleButton    *guests_toggle;
  GtkMenuButton      *deny_button;
  GtkPopover         *deny_popover;
  GtkTextView        *deny_view;
  GtkDropDown        *email_dropdown;
  GtkLabel           *count_label;
  GtkStack           *content_stack;
  GtkColumnView      *column_view;
  GtkMultiSelection  *selection;
  GtkFilterListModel *filter_model;
  GtkCustomFilter    *user_filter;
  GtkSortListModel   *sort_model;
  GtkColumnViewColumn *email_column;
  GtkColumnViewColumn *plan_column;
  GtkActionBar       *action_bar;
  GtkLabel           *selected_label;
};

G_DEFINE_FINAL_TYPE (MusterUsersPage, muster_users_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SNAPSHOT,
  PROP_N_SELECTED,
  PROP_FILTERING,
  N_PROPS
};

enum {
  USER_ACTIVATED,
  RULES_CHANGED,
  N_SIGNALS
};

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

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Helpers ------------------------------------------------------------------------------- */

const char *
muster_group_kind_get_icon_name (MusterGroupKind kind)
{
  switch (kind)
    {
    case MUSTER_GROUP_KIND_MICROSOFT365:
      return "system-users-symbolic";
    case MUSTER_GROUP_KIND_SECURITY:
      return "channel-secure-symbolic";
    case MUSTER_GROUP_KIND_MAIL_SECURITY:
      return "mail-read-symbolic";
    case MUSTER_GROUP_KIND_DISTRIBUTION:
      return "mail-send-symbolic";
    default:
      return "system-users-symbolic";
    }
}

static char *
format_count (guint n)
{
  /* the locale's digit grouping: 100,000 or 100.000 */
  return g_strdup_printf ("%'u", n);
}

static void
update_count (MusterUsersPage *self)
{
  g_autofree char *shown_text = NULL;
  g_autofree char *total_text = NULL;
  guint shown, total;

  /* the models go first when the page is disposed */
  if (self->filter_model == NULL || self->sort_model == NULL)
    return;
  shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  total = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));
  shown_text = format_count (shown);
  total_text = format_count (total);

  g_free (self->count_text);
  /* Translators: "12 of 340 users"; the second number chooses the plural */
  self->count_text = g_strdup_printf (ngettext ("%s of %s user", "%s of %s users", total), shown_text, total_text);
  gtk_label_set_text (self->count_label, self->count_text);

  if (self->snapshot == NULL)
    gtk_stack_set_visible_child_name (self->content_stack, "no-snapshot");
  else if (shown == 0 && gtk_filter_list_model_get_pending (self->filter_model) == 0)
    gtk_stack_set_visible_child_name (self->content_stack, "no-match");
  else
    gtk_stack_set_visible_child_name (self->content_stack, "table");
}

static void
update_selection (MusterUsersPage *self)
{
  guint n = muster_users_page_get_n_selected (self);

  if (n > 0)
    {
      g_autofree char *number = format_count (n);
      g_autofree char *text = g_strdup_printf (ngettext ("%s selected", "%s selected", n), number);

      gtk_label_set_text (self->selected_label, text);
    }
  gtk_action_bar_set_revealed (self->action_bar, n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "users.select-none", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "users.set-user-type", n > 0 && self->rules != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "users.set-roles", n > 0 && self->rules != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SELECTED]);
}

/* Applies a filter property change, telling the filter model whether it narrows the view so
 * that only the rows still shown are checked again (typing one more letter on 100,000 rows). */
static void
change_filter (MusterUsersPage *self,
               GtkFilterChange  change,
               const char      *property,
               ...)
{
  va_list args;

  self->next_change = change;
  va_start (args, property);
  g_object_set_valist (G_OBJECT (self->filter), property, args);
  va_end (args);
  self->next_change = GTK_FILTER_CHANGE_DIFFERENT;
}

static gboolean
user_filter_func (gpointer item,
                  gpointer user_data)
{
  MusterUsersPage *self = user_data;

  if (self->snapshot == NULL)
    return TRUE;
  return muster_user_filter_match (self->filter, self->snapshot, MUSTER_USER (item));
}

static char *
user_email_for_sort (MusterUser      *user,
                     MusterUsersPage *self)
{
  const char *email;

  if (user == NULL)
    return NULL;
  email = muster_user_get_email (user, muster_user_filter_get_email_method (self->filter));
  return g_strdup (email != NULL ? email : "");
}

static void
fill_group_choices (MusterUsersPage *self)
{
  const char * const *groups = muster_user_filter_get_groups (self->filter);
  GListModel *model = self->snapshot ? muster_snapshot_get_groups (self->snapshot) : NULL;
  guint n = model ? g_list_model_get_n_items (model) : 0;
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (n + 1, g_object_unref);
  guint selected = 0;

  g_ptr_array_add (items, g_object_ref (self->any_group));
  for (guint i = 0; i < n; i++)
    {
      MusterGroup *group = g_list_model_get_item (model, i);

      if (groups != NULL && groups[0] != NULL && g_strcmp0 (groups[0], muster_group_get_id (group)) == 0)
        selected = i + 1;
      g_ptr_array_add (items, group);
    }

  self->choosing_group = TRUE;
  g_list_store_splice (self->group_choices, 0, g_list_model_get_n_items (G_LIST_MODEL (self->group_choices)),
                       items->pdata, items->len);
  gtk_drop_down_set_selected (self->group_dropdown, selected);
  self->choosing_group = FALSE;

  /* a group the new snapshot no longer has filters nothing away */
  if (selected == 0 && groups != NULL && groups[0] != NULL)
    muster_user_filter_set_groups (self->filter, NULL);
}

static char *
deny_view_text (MusterUsersPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->deny_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_deny_view_entries (MusterUsersPage    *self,
                       const char * const *entries)
{
  g_autofree char *text = entries ? g_strjoinv ("\n", (char **) entries) : g_strdup ("");

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->deny_view), text, -1);
}

static void
update_deny_button (MusterUsersPage *self)
{
  g_auto(GStrv) entries = NULL;
  guint n;

  g_object_get (self->filter, "deny-list", &entries, NULL);
  n = entries ? g_strv_length (entries) : 0;
  if (n == 0)
    gtk_menu_button_set_label (self->deny_button, _("Deny List"));
  else
    {
      /* Translators: the deny list button when it holds entries */
      g_autofree char *label = g_strdup_printf (ngettext ("Deny List (%u)", "Deny List (%u)", n), n);
      gtk_menu_button_set_label (self->deny_button, label);
    }
}

/* Signal callbacks ---------------------------------------------------------------------- */

static void
filter_changed_cb (MusterUsersPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->user_filter), self->next_change);
}

static void
search_changed_cb (MusterUsersPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  GtkFilterChange change = GTK_FILTER_CHANGE_DIFFERENT;

  if (g_strcmp0 (text, self->search) == 0)
    return;
  if (self->search == NULL || *self->search == '\0' || g_str_has_prefix (text, self->search))
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (g_str_has_prefix (self->search, text))
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  g_free (self->search);
  self->search = g_strdup (text);
  change_filter (self, change, "search", *text ? text : NULL, NULL);
}

/* Direct or nested means something only once a group or a kind of group is chosen. */
static void
update_nesting_sensitivity (MusterUsersPage *self)
{
  MusterGroup *group = gtk_drop_down_get_selected_item (self->group_dropdown);
  guint kind = gtk_drop_down_get_selected (self->kind_dropdown);
  gboolean sensitive = (group != NULL && group != self->any_group) || (kind != 0 && kind != GTK_INVALID_LIST_POSITION);

  gtk_widget_set_sensitive (GTK_WIDGET (self->direct_button), sensitive);
  gtk_widget_set_sensitive (GTK_WIDGET (self->nested_button), sensitive);
}

static void
group_selected_cb (MusterUsersPage *self)
{
  MusterGroup *group;
  const char *ids[2] = { NULL, NULL };

  update_nesting_sensitivity (self);
  if (self->choosing_group)
    return;
  group = gtk_drop_down_get_selected_item (self->group_dropdown);
  if (group == NULL || group == self->any_group)
    {
      muster_user_filter_set_groups (self->filter, NULL);
      return;
    }
  ids[0] = muster_group_get_id (group);
  muster_user_filter_set_groups (self->filter, ids);
}

static void
nested_toggled_cb (MusterUsersPage *self)
{
  gboolean nested = gtk_toggle_button_get_active (self->nested_button);

  change_filter (self, nested ? GTK_FILTER_CHANGE_LESS_STRICT : GTK_FILTER_CHANGE_MORE_STRICT,
                 "nested", nested, NULL);
}

static void
kind_selected_cb (MusterUsersPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->kind_dropdown);

  update_nesting_sensitivity (self);
  muster_user_filter_set_group_kind (self->filter, selected == 0 || selected == GTK_INVALID_LIST_POSITION
                                                   ? -1 : (int) selected - 1);
}

static void
exclusion_toggled_cb (MusterUsersPage *self,
                      GParamSpec      *pspec,
                      GtkToggleButton *toggle)
{
  gboolean active = gtk_toggle_button_get_active (toggle);
  GtkFilterChange change = active ? GTK_FILTER_CHANGE_MORE_STRICT : GTK_FILTER_CHANGE_LESS_STRICT;

  if (toggle == self->unlicensed_toggle)
    change_filter (self, change, "exclude-unlicensed", active, NULL);
  else if (toggle == self->disabled_toggle)
    change_filter (self, change, "exclude-disabled", active, NULL);
  else
    change_filter (self, change, "exclude-guests", active, NULL);
}

static void
email_selected_cb (MusterUsersPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->email_dropdown);
  MusterEmailMethod method = selected == 0 ? MUSTER_EMAIL_METHOD_UPN
                             : selected == 1 ? MUSTER_EMAIL_METHOD_MAIL
                             : MUSTER_EMAIL_METHOD_MAIL_OR_UPN;
  GHashTableIter iter;
  gpointer label;

  muster_user_filter_set_email_method (self->filter, method);

  g_hash_table_iter_init (&iter, self->email_labels);
  while (g_hash_table_iter_next (&iter, &label, NULL))
    {
      MusterUser *user = g_object_get_data (label, "muster-user");
      const char *email = user ? muster_user_get_email (user, method) : NULL;

      gtk_label_set_text (label, email ? email : "");
    }
  gtk_sorter_changed (gtk_column_view_column_get_sorter (self->email_column), GTK_SORTER_CHANGE_DIFFERENT);
}

static void
deny_popover_show_cb (MusterUsersPage *self)
{
  g_auto(GStrv) entries = NULL;

  g_object_get (self->filter, "deny-list", &entries, NULL);
  set_deny_view_entries (self, (const char * const *) entries);
  gtk_widget_grab_focus (GTK_WIDGET (self->deny_view));
}

static void
filter_items_changed_cb (MusterUsersPage *self)
{
  update_count (self);
}

static void
filter_pending_cb (MusterUsersPage *self)
{
  if (self->filter_model == NULL)
    return;
  update_count (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTERING]);
}

static void
selection_changed_cb (MusterUsersPage *self)
{
  if (self->selection == NULL)
    return;
  update_selection (self);
}

static void
column_view_activate_cb (MusterUsersPage *self,
                         guint            position)
{
  g_autoptr(MusterUser) user = g_list_model_get_item (G_LIST_MODEL (self->filter_model), position);

  if (user != NULL)
    g_signal_emit (self, signals[USER_ACTIVATED], 0, user);
}

/* Cells: setup builds the widgets once per recycled row; bind only sets text. */

static void
label_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                MusterUsersPage          *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_list_item_set_child (item, label);
}

static void
set_cell_text (GtkListItem *item,
               const char  *text)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text ? text : "");
}

static void
check_toggled_cb (GtkCheckButton *check,
                  GtkListItem    *item)
{
  MusterUsersPage *self = g_object_get_data (G_OBJECT (check), "muster-users-page");
  guint position = gtk_list_item_get_position (item);
  gboolean active = gtk_check_button_get_active (check);

  if (position == GTK_INVALID_LIST_POSITION
      || active == gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    return;
  /* a checkbox adds to the selection; clicking a row replaces it */
  if (active)
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, FALSE);
  else
    gtk_selection_model_unselect_item (GTK_SELECTION_MODEL (self->selection), position);
}

static void
check_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                MusterUsersPage          *self)
{
  GtkWidget *check = gtk_check_button_new ();

  gtk_widget_set_halign (check, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Select"), -1);
  g_object_set_data (G_OBJECT (check), "muster-users-page", self);
  gtk_list_item_set_child (item, check);
}

static void
check_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               MusterUsersPage          *self)
{
  GtkWidget *check = gtk_list_item_get_child (item);
  GBinding *binding;

  binding = g_object_bind_property (item, "selected", check, "active", G_BINDING_SYNC_CREATE);
  g_object_set_data (G_OBJECT (check), "muster-binding", binding);
  g_signal_connect (check, "toggled", G_CALLBACK (check_toggled_cb), item);
}

static void
check_unbind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 MusterUsersPage          *self)
{
  GtkWidget *check = gtk_list_item_get_child (item);
  GBinding *binding = g_object_steal_data (G_OBJECT (check), "muster-binding");

  g_signal_handlers_disconnect_by_func (check, check_toggled_cb, item);
  if (binding != NULL)
    g_binding_unbind (binding);
}

static void
name_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               MusterUsersPage          *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *avatar = adw_avatar_new (24, NULL, TRUE);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_box_append (GTK_BOX (box), avatar);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_item_set_child (item, box);
}

/* the photos table holds NULL for users being loaded or without a photo */
static void
texture_unref (gpointer texture)
{
  if (texture != NULL)
    g_object_unref (texture);
}

static void
photo_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree char *user_id = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  MusterUsersPage *self;
  GHashTableIter iter;
  gpointer avatar, user;

  bytes = muster_photo_loader_load_finish (MUSTER_PHOTO_LOADER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = g_object_get_data (source, "muster-users-page");
  if (self == NULL || self->photos == NULL)
    return;
  if (bytes != NULL)
    texture = gdk_texture_new_from_bytes (bytes, NULL);
  if (texture == NULL)
    {
      /* no photo (or not an image): initials stay, and we do not ask again this session */
      if (error != NULL)
        g_debug ("No photo for %s: %s", user_id, error->message);
      return;
    }
  g_hash_table_replace (self->photos, g_strdup (user_id), g_object_ref (texture));

  g_hash_table_iter_init (&iter, self->avatars);
  while (g_hash_table_iter_next (&iter, &avatar, &user))
    if (g_strcmp0 (muster_user_get_id (user), user_id) == 0)
      adw_avatar_set_custom_image (ADW_AVATAR (avatar), GDK_PAINTABLE (texture));
}

/* The photo of a bound row: from memory, or asked for once (cache.db, then Graph). */
static void
show_photo (MusterUsersPage *self,
            AdwAvatar       *avatar,
            const char      *user_id)
{
  gpointer texture = NULL;

  if (g_hash_table_lookup_extended (self->photos, user_id, NULL, &texture))
    {
      adw_avatar_set_custom_image (avatar, texture);
      return;
    }
  adw_avatar_set_custom_image (avatar, NULL);
  if (self->photo_loader == NULL)
    return;
  g_hash_table_insert (self->photos, g_strdup (user_id), NULL);
  muster_photo_loader_load_async (self->photo_loader, user_id, self->photo_cancellable, photo_loaded_cb,
                                  g_strdup (user_id));
}

static void
name_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              MusterUsersPage          *self)
{
  MusterUser *user = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *avatar = gtk_widget_get_first_child (box);
  const char *name = muster_user_get_display_name (user);

  adw_avatar_set_text (ADW_AVATAR (avatar), name);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (box)), name ? name : "");
  /* the list item holds @user until unbind */
  g_hash_table_insert (self->avatars, avatar, user);
  show_photo (self, ADW_AVATAR (avatar), muster_user_get_id (user));
}

static void
name_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                MusterUsersPage          *self)
{
  GtkWidget *avatar = gtk_widget_get_first_child (gtk_list_item_get_child (item));

  g_hash_table_remove (self->avatars, avatar);
}

static void
email_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               MusterUsersPage          *self)
{
  MusterUser *user = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);

  g_object_set_data (G_OBJECT (label), "muster-user", user);
  g_hash_table_add (self->email_labels, label);
  set_cell_text (item, muster_user_get_email (user, muster_user_filter_get_email_method (self->filter)));
}

static void
email_unbind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 MusterUsersPage          *self)
{
  GtkWidget *label = gtk_list_item_get_child (item);

  g_hash_table_remove (self->email_labels, label);
  g_object_set_data (G_OBJECT (label), "muster-user", NULL);
}

static void
job_title_bind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   MusterUsersPage          *self)
{
  set_cell_text (item, muster_user_get_job_title (gtk_list_item_get_item (item)));
}

static void
department_bind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    MusterUsersPage          *self)
{
  set_cell_text (item, muster_user_get_department (gtk_list_item_get_item (item)));
}

static void
manager_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 MusterUsersPage          *self)
{
  set_cell_text (item, muster_user_get_manager_name (gtk_list_item_get_item (item)));
}

static void
licences_bind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  MusterUsersPage          *self)
{
  MusterUser *user = gtk_list_item_get_item (item);
  const char *names = muster_user_get_licence_names (user);

  set_cell_text (item, names);
  gtk_widget_set_tooltip_text (gtk_list_item_get_child (item), names && *names ? names : NULL);
}

static void
state_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               MusterUsersPage          *self)
{
  MusterUser *user = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = NULL;

  g_object_get (user, "state-label", &text, NULL);
  set_cell_text (item, text);
  if (muster_user_get_state (user) == MUSTER_ACCOUNT_STATE_DISABLED)
    gtk_widget_add_css_class (label, "dim-label");
  else
    gtk_widget_remove_css_class (label, "dim-label");
}

/* The sync columns ------------------------------------------------------------------------ */

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
static void
forget_resolved (MusterUsersPage *self)
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
static void
queue_refresh (MusterUsersPage *self)
{
  forget_resolved (self);
  if (self->type_cells == NULL)  /* disposed */
    return;
  if (self->refresh_id == 0)
    self->refresh_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, refresh_cells_cb, self, NULL);
}

static void
rules_changed_cb (MusterUsersPage *self)
{
  if (!self->in_batch)
    queue_refresh (self);
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
  g_signal_emit (self, signals[RULES_CHANGED], 0);
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

static void
group_button_setup_cb (GtkSignalListItemFactory *factory,
                       GtkListItem              *item,
                       MusterUsersPage          *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 18);
  gtk_list_item_set_child (item, label);
}

static void
group_button_bind_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      MusterUsersPage          *self)
{
  set_cell_text (item, muster_group_get_display_name (gtk_list_item_get_item (item)));
}

static void
group_item_setup_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     MusterUsersPage          *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *count = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (name), 32);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "numeric");
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), count);
  gtk_list_item_set_child (item, box);
}

static void
group_item_bind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    MusterUsersPage          *self)
{
  MusterGroup *group = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *name = gtk_widget_get_next_sibling (icon);
  GtkWidget *count = gtk_widget_get_last_child (box);

  gtk_label_set_text (GTK_LABEL (name), muster_group_get_display_name (group));
  if (group == self->any_group)
    {
      gtk_image_clear (GTK_IMAGE (icon));
      gtk_label_set_text (GTK_LABEL (count), "");
      gtk_widget_set_tooltip_text (box, NULL);
      return;
    }
  gtk_image_set_from_icon_name (GTK_IMAGE (icon), muster_group_kind_get_icon_name (muster_group_get_kind (group)));
  gtk_widget_set_tooltip_text (box, muster_group_kind_get_title (muster_group_get_kind (group)));
  {
    guint direct = muster_group_get_member_count (group);
    guint nested = muster_group_get_transitive_member_count (group);
    g_autofree char *text = NULL;

    if (nested > direct)
      /* Translators: direct members, then members through nested groups */
      text = g_strdup_printf (_("%u · %u nested"), direct, nested);
    else
      text = g_strdup_printf ("%u", direct);
    gtk_label_set_text (GTK_LABEL (count), text);
  }
}

/* Actions ------------------------------------------------------------------------------- */

static void
select_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  MusterUsersPage *self = MUSTER_USERS_PAGE (widget);

  gtk_selection_model_select_all (GTK_SELECTION_MODEL (self->selection));
}

static void
select_none_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MusterUsersPage *self = MUSTER_USERS_PAGE (widget);

  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
}

static void
apply_deny_list_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  MusterUsersPage *self = MUSTER_USERS_PAGE (widget);
  g_autofree char *text = deny_view_text (self);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) entries = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line != '\0')
        g_strv_builder_add (builder, line);
    }
  entries = g_strv_builder_end (builder);
  muster_user_filter_set_deny_list (self->filter, (const char * const *) entries);
  update_deny_button (self);
  gtk_popover_popdown (self->deny_popover);
}

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
  queue_refresh (self);
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
  g_autofree char *number = format_count (n);
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
static void
load_deny_file_thread (GTask        *task,
                       gpointer      source,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  g_autoptr(MusterUserFilter) scratch = muster_user_filter_new ();
  g_autoptr(GError) error = NULL;
  char **entries = NULL;

  if (!muster_user_filter_load_deny_file (scratch, task_data, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_object_get (scratch, "deny-list", &entries, NULL);
  g_task_return_pointer (task, entries, (GDestroyNotify) g_strfreev);
}

static void
deny_file_loaded_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  MusterUsersPage *self = MUSTER_USERS_PAGE (source);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) entries = g_task_propagate_pointer (G_TASK (result), &error);

  if (entries == NULL)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *dialog;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                       _("Could Not Import the Deny List"), error->message);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  {
    /* imported entries join what was typed */
    g_autofree char *typed = deny_view_text (self);
    g_autofree char *imported = g_strjoinv ("\n", entries);
    g_autofree char *text = g_strstrip (typed)[0] != '\0' ? g_strconcat (g_strstrip (typed), "\n", imported, NULL)
                                                          : g_strdup (imported);

    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->deny_view), text, -1);
  }
  gtk_menu_button_popup (self->deny_button);
}

static void
deny_file_chosen_cb (GtkNativeDialog *dialog,
                     int              response,
                     MusterUsersPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GTask) task = g_task_new (self, NULL, deny_file_loaded_cb, NULL);

      g_task_set_source_tag (task, deny_file_chosen_cb);
      g_task_set_task_data (task, g_file_get_path (file), g_free);
      g_task_run_in_thread (task, load_deny_file_thread);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
import_deny_list_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  MusterUsersPage *self = MUSTER_USERS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) csv = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  gtk_popover_popdown (self->deny_popover);
  chooser = gtk_file_chooser_native_new (_("Import Deny List"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  gtk_file_filter_set_name (csv, _("CSV and Text Files"));
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_add_mime_type (csv, "text/plain");
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_filter_add_suffix (csv, "txt");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), csv);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (deny_file_chosen_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* GObject ------------------------------------------------------------------------------- */

static void
muster_users_page_dispose (GObject *object)
{
  MusterUsersPage *self = MUSTER_USERS_PAGE (object);

  if (self->filter != NULL)
    g_signal_handlers_disconnect_by_data (self->filter, self);
  if (self->rules != NULL)
    g_signal_handlers_disconnect_by_data (self->rules, self);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_USERS_PAGE);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->filter);
  g_clear_object (&self->any_group);
  g_clear_pointer (&self->email_labels, g_hash_table_unref);
  muster_users_page_set_photo_loader (self, NULL);
  g_clear_pointer (&self->photos, g_hash_table_unref);
  g_clear_pointer (&self->avatars, g_hash_table_unref);
  forget_resolved (self);
  g_clear_object (&self->rules);
  g_clear_object (&self->plan);
  g_clear_pointer (&self->resolved, g_hash_table_unref);
  g_clear_pointer (&self->type_cells, g_hash_table_unref);
  g_clear_pointer (&self->roles_cells, g_hash_table_unref);
  g_clear_pointer (&self->plan_cells, g_hash_table_unref);
  g_clear_object (&self->type_choices);
  g_clear_object (&self->type_reset_choices);

  G_OBJECT_CLASS (muster_users_page_parent_class)->dispose (object);
}

static void
muster_users_page_finalize (GObject *object)
{
  MusterUsersPage *self = MUSTER_USERS_PAGE (object);

  g_free (self->search);
  g_free (self->count_text);
  g_free (self->profile);
  g_strfreev (self->target_roles);
  g_clear_pointer (&self->resolved_strings, g_string_chunk_free);
  g_clear_pointer (&self->rule_words, g_ptr_array_unref);

  G_OBJECT_CLASS (muster_users_page_parent_class)->finalize (object);
}

static void
muster_users_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MusterUsersPage *self = MUSTER_USERS_PAGE (object);

  switch (prop_id)
    {
    case PROP_SNAPSHOT:
      g_value_set_object (value, self->snapshot);
      break;
    case PROP_N_SELECTED:
      g_value_set_uint (value, muster_users_page_get_n_selected (self));
      break;
    case PROP_FILTERING:
      g_value_set_boolean (value, muster_users_page_get_filtering (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_users_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MusterUsersPage *self = MUSTER_USERS_PAGE (object);

  switch (prop_id)
    {
    case PROP_SNAPSHOT:
      muster_users_page_set_snapshot (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_users_page_class_init (MusterUsersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_users_page_dispose;
  object_class->finalize = muster_users_page_finalize;
  object_class->get_property = muster_users_page_get_property;
  object_class->set_property = muster_users_page_set_property;

  properties[PROP_SNAPSHOT] =
    g_param_spec_object ("snapshot", NULL, NULL, MUSTER_TYPE_SNAPSHOT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_SELECTED] =
    g_param_spec_uint ("n-selected", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILTERING] =
    g_param_spec_boolean ("filtering", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[USER_ACTIVATED] =
    g_signal_new ("user-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, MUSTER_TYPE_USER);
  signals[RULES_CHANGED] =
    g_signal_new ("rules-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (MUSTER_TYPE_USER);
  g_type_ensure (MUSTER_TYPE_GROUP);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-users-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, group_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, group_choices);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, direct_button);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, nested_button);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, unlicensed_toggle);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, disabled_toggle);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, guests_toggle);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, deny_button);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, deny_popover);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, deny_view);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, email_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, selection);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, filter_model);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, user_filter);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, sort_model);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, email_column);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, plan_column);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, action_bar);
  gtk_widget_class_bind_template_child (widget_class, MusterUsersPage, selected_label);

  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, group_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, nested_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, kind_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, exclusion_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, email_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, deny_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_items_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_pending_cb);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, column_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, label_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, email_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, email_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, job_title_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, department_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, manager_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, licences_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, state_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, type_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, type_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, type_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, roles_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, roles_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, roles_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, plan_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, plan_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, group_button_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, group_button_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, group_item_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, group_item_bind_cb);

  gtk_widget_class_install_action (widget_class, "users.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "users.select-none", NULL, select_none_action);
  gtk_widget_class_install_action (widget_class, "users.apply-deny-list", NULL, apply_deny_list_action);
  gtk_widget_class_install_action (widget_class, "users.import-deny-list", NULL, import_deny_list_action);
  gtk_widget_class_install_action (widget_class, "users.set-user-type", NULL, set_user_type_action);
  gtk_widget_class_install_action (widget_class, "users.set-roles", NULL, set_roles_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK, "users.select-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "users.select-none", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_A, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "users.select-none", NULL);
}

static void
muster_users_page_init (MusterUsersPage *self)
{
  g_autoptr(JsonObject) any = json_object_new ();
  g_autoptr(GtkStringList) kinds = NULL;
  g_autoptr(GtkExpression) email = NULL;
  g_autoptr(GtkSorter) email_sorter = NULL;

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

  gtk_widget_init_template (GTK_WIDGET (self));

  self->email_labels = g_hash_table_new (NULL, NULL);
  self->photos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, texture_unref);
  self->avatars = g_hash_table_new (NULL, NULL);
  self->next_change = GTK_FILTER_CHANGE_DIFFERENT;
  self->filter = muster_user_filter_new ();
  muster_user_filter_set_email_method (self->filter, MUSTER_EMAIL_METHOD_MAIL_OR_UPN);
  g_signal_connect_swapped (self->filter, "changed", G_CALLBACK (filter_changed_cb), self);
  gtk_custom_filter_set_filter_func (self->user_filter, user_filter_func, self, NULL);

  json_object_set_string_member (any, "id", "");
  json_object_set_string_member (any, "displayName", _("All Groups"));
  self->any_group = muster_group_new_from_json (any);
  fill_group_choices (self);

  kinds = gtk_string_list_new (NULL);
  gtk_string_list_append (kinds, _("Any Kind"));
  for (MusterGroupKind kind = MUSTER_GROUP_KIND_MICROSOFT365; kind <= MUSTER_GROUP_KIND_DISTRIBUTION; kind++)
    gtk_string_list_append (kinds, muster_group_kind_get_title (kind));
  gtk_drop_down_set_model (self->kind_dropdown, G_LIST_MODEL (kinds));

  /* the email column sorts by whichever address the email method picks */
  email = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                       G_CALLBACK (user_email_for_sort), self, NULL);
  email_sorter = GTK_SORTER (gtk_string_sorter_new (g_steal_pointer (&email)));
  gtk_column_view_column_set_sorter (self->email_column, email_sorter);

  update_count (self);
  update_selection (self);
}

/* Public API ---------------------------------------------------------------------------- */

void
muster_users_page_set_snapshot (MusterUsersPage *self,
                                MusterSnapshot  *snapshot)
{
  g_return_if_fail (MUSTER_IS_USERS_PAGE (self));
  g_return_if_fail (snapshot == NULL || MUSTER_IS_SNAPSHOT (snapshot));

  if (!g_set_object (&self->snapshot, snapshot))
    return;

  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  queue_refresh (self);
  fill_group_choices (self);
  gtk_sort_list_model_set_model (self->sort_model, snapshot ? muster_snapshot_get_users (snapshot) : NULL);
  update_count (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOT]);
}

/* Photos come from @loader (NULL: initials only). A new loader (another profile, going online)
 * starts over: photos asked of the old one are forgotten. */
void
muster_users_page_set_photo_loader (MusterUsersPage   *self,
                                    MusterPhotoLoader *loader)
{
  GHashTableIter iter;
  gpointer avatar, user;

  g_return_if_fail (MUSTER_IS_USERS_PAGE (self));

  if (self->photo_loader == loader)
    return;
  if (self->photo_cancellable != NULL)
    g_cancellable_cancel (self->photo_cancellable);
  g_clear_object (&self->photo_cancellable);
  if (self->photo_loader != NULL)
    g_object_set_data (G_OBJECT (self->photo_loader), "muster-users-page", NULL);
  g_set_object (&self->photo_loader, loader);
  if (self->photos == NULL)
    return;
  g_hash_table_remove_all (self->photos);
  if (loader == NULL)
    return;

  self->photo_cancellable = g_cancellable_new ();
  g_object_set_data (G_OBJECT (loader), "muster-users-page", self);
  g_hash_table_iter_init (&iter, self->avatars);
  while (g_hash_table_iter_next (&iter, &avatar, &user))
    show_photo (self, avatar, muster_user_get_id (user));
}

MusterSnapshot *
muster_users_page_get_snapshot (MusterUsersPage *self)
{
  g_return_val_if_fail (MUSTER_IS_USERS_PAGE (self), NULL);
  return self->snapshot;
}

MusterUserFilter *
muster_users_page_get_filter (MusterUsersPage *self)
{
  g_return_val_if_fail (MUSTER_IS_USERS_PAGE (self), NULL);
  return self->filter;
}

GListModel *
muster_users_page_get_shown (MusterUsersPage *self)
{
  g_return_val_if_fail (MUSTER_IS_USERS_PAGE (self), NULL);
  return G_LIST_MODEL (self->filter_model);
}

GListModel *
muster_users_page_dup_selected (MusterUsersPage *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  GListStore *store;
  guint position;

  g_return_val_if_fail (MUSTER_IS_USERS_PAGE (self), NULL);

  store = g_list_store_new (MUSTER_TYPE_USER);
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (gtk_bitset_iter_init_first (&iter, selected, &position))
    {
      g_autoptr(GPtrArray) users = g_ptr_array_new_full (gtk_bitset_get_size (selected), g_object_unref);

      do
        g_ptr_array_add (users, g_list_model_get_item (G_LIST_MODEL (self->filter_model), position));
      while (gtk_bitset_iter_next (&iter, &position));
      g_list_store_splice (store, 0, 0, users->pdata, users->len);
    }
  return G_LIST_MODEL (store);
}

guint
muster_users_page_get_n_selected (MusterUsersPage *self)
{
  g_autoptr(GtkBitset) selected = NULL;

  g_return_val_if_fail (MUSTER_IS_USERS_PAGE (self), 0);

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  return (guint) gtk_bitset_get_size (selected);
}

gboolean
muster_users_page_get_filtering (MusterUsersPage *self)
{
  g_return_val_if_fail (MUSTER_IS_USERS_PAGE (self), FALSE);
  return gtk_filter_list_model_get_pending (self->filter_model) > 0;
}

const char *
muster_users_page_get_count_text (MusterUsersPage *self)
{
  g_return_val_if_fail (MUSTER_IS_USERS_PAGE (self), NULL);
  return self->count_text;
}

void
muster_users_page_set_group (MusterUsersPage *self,
                             const char      *group_id)
{
  GListModel *choices;
  guint n;

  g_return_if_fail (MUSTER_IS_USERS_PAGE (self));

  choices = G_LIST_MODEL (self->group_choices);
  n = g_list_model_get_n_items (choices);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MusterGroup) group = g_list_model_get_item (choices, i);

      if ((group_id == NULL && group == self->any_group)
          || (group_id != NULL && group != self->any_group && g_strcmp0 (muster_group_get_id (group), group_id) == 0))
        {
          gtk_drop_down_set_selected (self->group_dropdown, i);
          return;
        }
    }
}

void
muster_users_page_focus_search (MusterUsersPage *self)
{
  g_return_if_fail (MUSTER_IS_USERS_PAGE (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* The profile's rules the User Type and Roles columns show and edit (NULL: none loaded yet,
 * the pickers are insensitive). Edits change @rules and save them as @profile's; "rules-changed"
 * follows each save. */
gboolean
muster_users_page_get_saving (MusterUsersPage *self)
{
  g_return_val_if_fail (MUSTER_IS_USERS_PAGE (self), FALSE);
  return self->saving || self->save_again;
}

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
  queue_refresh (self);
  update_selection (self);
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
