/* muster-users-page.c: the users table, declared in its template the way Sysprof declares its
 * tables: column view → multi-selection → filter list model (incremental) → sort
 * list model (sorter bound to the column view's) → the snapshot's users. Which users pass is the
 * engine's MusterUserFilter — one definition for this table, the CLI and exports — run by a
 * GtkCustomFilter; the filter bar only sets its properties. Text cells are GtkInscriptions
 * declared in the template; the checkbox, avatar and email cells use signal factories, and the
 * User Type, Roles and Plan columns live in muster-users-page-sync.c.
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-users-page"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-cells.h"
#include "muster-photo-loader.h"
#include "muster-users-page-private.h"

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


static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Helpers ------------------------------------------------------------------------------- */

char *
_muster_users_page_format_count (guint n)
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
  shown_text = _muster_users_page_format_count (shown);
  total_text = _muster_users_page_format_count (total);

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

void
_muster_users_page_update_selection (MusterUsersPage *self)
{
  guint n = muster_users_page_get_n_selected (self);

  if (n > 0)
    {
      g_autofree char *number = _muster_users_page_format_count (n);
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

void
_muster_users_page_rules_changed (MusterUsersPage *self)
{
  g_signal_emit (self, signals[RULES_CHANGED], 0);
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
  _muster_users_page_update_selection (self);
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
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  MusterUsersPage *self;
  GHashTableIter iter;
  gpointer avatar, user;

  /* capped and decoded in a worker thread: only a 96-pixel copy happens here */
  pixbuf = muster_photo_loader_load_image_finish (MUSTER_PHOTO_LOADER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = g_object_get_data (source, "muster-users-page");
  if (self == NULL || self->photos == NULL)
    return;
  if (pixbuf != NULL)
    texture = gdk_texture_new_for_pixbuf (pixbuf);
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
  muster_photo_loader_load_image_async (self->photo_loader, user_id, self->photo_cancellable, photo_loaded_cb,
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
    g_autofree char *text = muster_group_dup_members_text (group);

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
  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_USERS_PAGE);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->filter);
  g_clear_object (&self->any_group);
  g_clear_pointer (&self->email_labels, g_hash_table_unref);
  muster_users_page_set_photo_loader (self, NULL);
  g_clear_pointer (&self->photos, g_hash_table_unref);
  g_clear_pointer (&self->avatars, g_hash_table_unref);
  _muster_users_page_dispose_sync (self);

  G_OBJECT_CLASS (muster_users_page_parent_class)->dispose (object);
}

static void
muster_users_page_finalize (GObject *object)
{
  MusterUsersPage *self = MUSTER_USERS_PAGE (object);

  g_free (self->search);
  g_free (self->count_text);
  _muster_users_page_finalize_sync (self);

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
  muster_cells_bind_template_callbacks (widget_class);
  gtk_widget_class_bind_template_callback (widget_class, check_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, email_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, email_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, group_button_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, group_button_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, group_item_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, group_item_bind_cb);

  gtk_widget_class_install_action (widget_class, "users.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "users.select-none", NULL, select_none_action);
  gtk_widget_class_install_action (widget_class, "users.apply-deny-list", NULL, apply_deny_list_action);
  gtk_widget_class_install_action (widget_class, "users.import-deny-list", NULL, import_deny_list_action);
  _muster_users_page_class_init_sync (widget_class);
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

  _muster_users_page_init_sync (self);

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
  _muster_users_page_update_selection (self);
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
  _muster_users_page_queue_refresh (self);
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
