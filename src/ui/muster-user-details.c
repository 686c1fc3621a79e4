/* muster-user-details.c: one user's every field, groups (direct and through nesting), manager
 * chain, licences, and why the Users page shows or hides them
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-user-details"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-cells.h"
#include "muster-user-details.h"
#include "muster-users-page.h"

struct _MusterUserDetails
{
  AdwWindow            parent_instance;

  MusterSnapshot      *snapshot;
  MusterUserFilter    *filter;
  MusterUser          *user;

  /* template children */
  AdwWindowTitle      *window_title;
  AdwAvatar           *avatar;
  GtkLabel            *name_label;
  GtkLabel            *job_label;
  AdwPreferencesGroup *why_group;
  AdwActionRow        *why_row;
  GtkImage            *why_icon;
  AdwPreferencesGroup *account_group;
  AdwPreferencesGroup *work_group;
  AdwPreferencesGroup *manager_group;
  AdwPreferencesGroup *licences_group;
  AdwPreferencesGroup *groups_group;
};

G_DEFINE_FINAL_TYPE (MusterUserDetails, muster_user_details, ADW_TYPE_WINDOW)

/* Helpers ------------------------------------------------------------------------------- */

static GtkWidget *
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *value)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *escaped = NULL;
  g_autofree char *escaped_title = g_markup_escape_text (title ? title : "", -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped_title);
  if (value != NULL && *value != '\0')
    {
      escaped = g_markup_escape_text (value, -1);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
    }
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Not set"));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (group, row);
  return row;
}

static void
add_list_row (AdwPreferencesGroup *group,
              const char          *title,
              const char * const  *values)
{
  g_autofree char *joined = values ? g_strjoinv ("\n", (char **) values) : NULL;

  add_row (group, title, joined);
}

static void
fill_fields (MusterUserDetails *self)
{
  MusterUser *user = self->user;
  g_autofree char *state = NULL;

  g_object_get (user, "state-label", &state, NULL);
  add_row (self->account_group, _("User Principal Name"), muster_user_get_user_principal_name (user));
  add_row (self->account_group, _("Mail"), muster_user_get_mail (user));
  add_list_row (self->account_group, _("Other Mail Addresses"), muster_user_get_other_mails (user));
  add_list_row (self->account_group, _("Proxy Addresses"), muster_user_get_proxy_addresses (user));
  add_row (self->account_group, _("Given Name"), muster_user_get_given_name (user));
  add_row (self->account_group, _("Surname"), muster_user_get_surname (user));
  add_row (self->account_group, _("State"), state);
  add_row (self->account_group, _("User Type"), muster_user_get_user_type (user));
  add_row (self->account_group, _("Synced from On-Premises"),
           muster_user_get_on_premises_sync_enabled (user) ? _("Yes") : _("No"));
  add_row (self->account_group, _("Created"), muster_user_get_created (user));
  add_row (self->account_group, _("Object ID"), muster_user_get_id (user));

  add_row (self->work_group, _("Job Title"), muster_user_get_job_title (user));
  add_row (self->work_group, _("Department"), muster_user_get_department (user));
  add_row (self->work_group, _("Company"), muster_user_get_company_name (user));
  add_row (self->work_group, _("Employee ID"), muster_user_get_employee_id (user));
  add_row (self->work_group, _("Office"), muster_user_get_office_location (user));
  add_row (self->work_group, _("Mobile Phone"), muster_user_get_mobile_phone (user));
  add_list_row (self->work_group, _("Business Phones"), muster_user_get_business_phones (user));
}

static void
fill_manager_chain (MusterUserDetails *self)
{
  g_autoptr(GPtrArray) chain = muster_snapshot_get_manager_chain (self->snapshot, muster_user_get_id (self->user));

  if (chain == NULL || chain->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No manager: the top of the organisation"));
      adw_preferences_group_add (self->manager_group, row);
      return;
    }
  for (guint i = 0; i < chain->len; i++)
    {
      MusterUser *manager = g_ptr_array_index (chain, i);
      GtkWidget *avatar = adw_avatar_new (32, muster_user_get_display_name (manager), TRUE);
      GtkWidget *row = add_row (self->manager_group, muster_user_get_display_name (manager),
                                muster_user_get_job_title (manager));

      adw_action_row_add_prefix (ADW_ACTION_ROW (row), avatar);
      gtk_widget_remove_css_class (row, "property");
    }
}

static void
fill_licences (MusterUserDetails *self)
{
  const char * const *assigned = muster_user_get_assigned_licenses (self->user);
  GPtrArray *skus = muster_snapshot_get_skus (self->snapshot);
  guint n = 0;

  for (guint i = 0; assigned != NULL && assigned[i] != NULL; i++)
    {
      const MusterSku *found = NULL;
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *escaped = NULL;

      for (guint j = 0; skus != NULL && j < skus->len && found == NULL; j++)
        {
          const MusterSku *sku = g_ptr_array_index (skus, j);

          if (g_strcmp0 (sku->sku_id, assigned[i]) == 0)
            found = sku;
        }
      escaped = g_markup_escape_text (found ? found->title : assigned[i], -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
      if (found != NULL && found->part_number != NULL && g_strcmp0 (found->part_number, found->title) != 0)
        {
          g_autofree char *part = g_markup_escape_text (found->part_number, -1);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), part);
        }
      adw_preferences_group_add (self->licences_group, row);
      n++;
    }
  if (n == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No licence"));
      adw_preferences_group_add (self->licences_group, row);
    }
}

static void
fill_groups (MusterUserDetails *self)
{
  const char *id = muster_user_get_id (self->user);
  g_autoptr(GPtrArray) direct = muster_snapshot_get_user_groups (self->snapshot, id, FALSE);
  g_autoptr(GPtrArray) all = muster_snapshot_get_user_groups (self->snapshot, id, TRUE);
  g_autofree char *description = NULL;
  guint n_direct = direct ? direct->len : 0;
  guint n_all = all ? all->len : 0;

  /* Translators: the groups of one user, direct and through nested groups */
  description = g_strdup_printf (_("%u direct, %u in all through nesting"), n_direct, n_all);
  adw_preferences_group_set_description (self->groups_group, description);

  for (guint i = 0; i < n_all; i++)
    {
      MusterGroup *group = g_ptr_array_index (all, i);
      gboolean is_direct = direct != NULL && g_ptr_array_find (direct, group, NULL);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name (muster_group_kind_get_icon_name (muster_group_get_kind (group)));
      g_autofree char *escaped = g_markup_escape_text (muster_group_get_display_name (group), -1);
      g_autofree char *subtitle = NULL;

      /* Translators: a group's kind, then how the user is in it */
      subtitle = g_strdup_printf (_("%s · %s"), muster_group_kind_get_title (muster_group_get_kind (group)),
                                  is_direct ? _("Direct member") : _("Through a nested group"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_preferences_group_add (self->groups_group, row);
    }
  if (n_all == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("In no group"));
      adw_preferences_group_add (self->groups_group, row);
    }
}

static void
fill_why (MusterUserDetails *self)
{
  g_autofree char *reason = NULL;

  if (self->filter == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->why_group), FALSE);
      return;
    }
  reason = muster_user_filter_explain (self->filter, self->snapshot, self->user);
  if (reason == NULL)
    {
      adw_preferences_group_set_title (self->why_group, _("Why Is This User Shown?"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->why_row),
                                     _("This user passes every filter of the Users page."));
      gtk_image_set_from_icon_name (self->why_icon, "object-select-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->why_icon), "success");
    }
  else
    {
      g_autofree char *escaped = g_markup_escape_text (reason, -1);

      adw_preferences_group_set_title (self->why_group, _("Why Is This User Not Shown?"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->why_row), escaped);
      adw_action_row_set_subtitle (self->why_row, _("Change the filters of the Users page to show this user."));
      gtk_image_set_from_icon_name (self->why_icon, "action-unavailable-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->why_icon), "warning");
    }
}

/* GObject ------------------------------------------------------------------------------- */

static void
muster_user_details_dispose (GObject *object)
{
  MusterUserDetails *self = MUSTER_USER_DETAILS (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_USER_DETAILS);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->filter);
  g_clear_object (&self->user);

  G_OBJECT_CLASS (muster_user_details_parent_class)->dispose (object);
}

static void
muster_user_details_class_init (MusterUserDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_user_details_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-user-details.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterUserDetails, window_title);
  gtk_widget_class_bind_template_child (widget_class, MusterUserDetails, avatar);
  gtk_widget_class_bind_template_child (widget_class, MusterUserDetails, name_label);
  gtk_widget_class_bind_template_child (widget_class, MusterUserDetails, job_label);
  gtk_widget_class_bind_template_child (widget_class, MusterUserDetails, why_group);
  gtk_widget_class_bind_template_child (widget_class, MusterUserDetails, why_row);
  gtk_widget_class_bind_template_child (widget_class, MusterUserDetails, why_icon);
  gtk_widget_class_bind_template_child (widget_class, MusterUserDetails, account_group);
  gtk_widget_class_bind_template_child (widget_class, MusterUserDetails, work_group);
  gtk_widget_class_bind_template_child (widget_class, MusterUserDetails, manager_group);
  gtk_widget_class_bind_template_child (widget_class, MusterUserDetails, licences_group);
  gtk_widget_class_bind_template_child (widget_class, MusterUserDetails, groups_group);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
muster_user_details_init (MusterUserDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Public API ---------------------------------------------------------------------------- */

MusterUserDetails *
muster_user_details_new (GtkWindow        *parent,
                         MusterSnapshot   *snapshot,
                         MusterUserFilter *filter,
                         MusterUser       *user)
{
  MusterUserDetails *self;
  const char *name;
  const char *job;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (snapshot), NULL);
  g_return_val_if_fail (filter == NULL || MUSTER_IS_USER_FILTER (filter), NULL);
  g_return_val_if_fail (MUSTER_IS_USER (user), NULL);

  self = g_object_new (MUSTER_TYPE_USER_DETAILS, "transient-for", parent, NULL);
  self->snapshot = g_object_ref (snapshot);
  self->filter = filter ? g_object_ref (filter) : NULL;
  self->user = g_object_ref (user);

  name = muster_user_get_display_name (user);
  job = muster_user_get_job_title (user);
  adw_window_title_set_title (self->window_title, name ? name : "");
  adw_window_title_set_subtitle (self->window_title, muster_user_get_user_principal_name (user));
  gtk_window_set_title (GTK_WINDOW (self), name);
  adw_avatar_set_text (self->avatar, name);
  gtk_label_set_text (self->name_label, name ? name : "");
  if (job != NULL && *job != '\0' && muster_user_get_department (user) != NULL
      && *muster_user_get_department (user) != '\0')
    {
      /* Translators: a job title, then a department */
      g_autofree char *text = g_strdup_printf (_("%s, %s"), job, muster_user_get_department (user));
      gtk_label_set_text (self->job_label, text);
    }
  else
    gtk_label_set_text (self->job_label, job ? job : "");

  fill_why (self);
  fill_fields (self);
  fill_manager_chain (self);
  fill_licences (self);
  fill_groups (self);
  return self;
}

MusterUser *
muster_user_details_get_user (MusterUserDetails *self)
{
  g_return_val_if_fail (MUSTER_IS_USER_DETAILS (self), NULL);
  return self->user;
}
