/* muster-tenant-page.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-tenant-page"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-licence-row.h"
#include "muster-session.h"
#include "muster-tenant-page.h"

struct _MusterTenantPage
{
  AdwPreferencesPage   parent_instance;

  MusterTenantStatus  *status;
  gint64               snapshot_time;  /* when the shown snapshot was read, 0 for none */
  GPtrArray           *domain_rows;
  GPtrArray           *licence_rows;

  /* template children */
  GtkLabel            *organization_label;
  GtkLabel            *tenant_id_label;
  AdwPreferencesGroup *domains_group;
  AdwActionRow        *account_row;
  GtkImage            *account_icon;
  AdwActionRow        *missing_row;
  AdwActionRow        *granted_row;
  GtkLabel            *token_label;
  AdwActionRow        *reauthorize_row;
  AdwPreferencesGroup *licences_group;
  GtkLabel            *snapshot_label;
};

G_DEFINE_FINAL_TYPE (MusterTenantPage, muster_tenant_page, ADW_TYPE_PREFERENCES_PAGE)

/* Helpers ------------------------------------------------------------------------------- */

static void
clear_rows (AdwPreferencesGroup *group,
            GPtrArray           *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static void
add_row (AdwPreferencesGroup *group,
         GPtrArray           *rows,
         GtkWidget           *row)
{
  adw_preferences_group_add (group, row);
  g_ptr_array_add (rows, row);
}

static GtkWidget *
new_tag (const char *text)
{
  GtkWidget *tag = gtk_label_new (text);

  gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (tag, "tag");
  gtk_widget_add_css_class (tag, "caption");
  return tag;
}

/* Row titles and subtitles are markup. */
static void
set_row_text (AdwActionRow *row,
              const char   *title,
              const char   *subtitle)
{
  g_autofree char *escaped_title = title ? g_markup_escape_text (title, -1) : NULL;
  g_autofree char *escaped_subtitle = subtitle ? g_markup_escape_text (subtitle, -1) : NULL;

  if (title != NULL)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped_title);
  adw_action_row_set_subtitle (row, escaped_subtitle ? escaped_subtitle : "");
}

static char *
join_scopes (const char * const *scopes)
{
  if (scopes == NULL || scopes[0] == NULL)
    return g_strdup (_("None"));
  return g_strjoinv (", ", (char **) scopes);
}

static void
show_domains (MusterTenantPage *self)
{
  GPtrArray *domains = muster_tenant_status_get_domains (self->status);

  clear_rows (self->domains_group, self->domain_rows);
  for (guint i = 0; domains != NULL && i < domains->len; i++)
    {
      MusterDomain *domain = g_ptr_array_index (domains, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_markup_escape_text (domain->name, -1);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      if (domain->is_default)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), new_tag (_("Default")));
      if (domain->is_initial)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), new_tag (_("Initial")));
      add_row (self->domains_group, self->domain_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->domains_group), self->domain_rows->len > 0);
}

static void
show_account (MusterTenantPage *self,
              const char       *client_id)
{
  if (muster_tenant_status_get_app_only (self->status))
    {
      g_autofree char *subtitle = g_strdup_printf (_("Client ID %s"), client_id ? client_id : "");

      set_row_text (self->account_row, _("App-only"), subtitle);
      gtk_image_set_from_icon_name (self->account_icon, "application-x-executable-symbolic");
    }
  else
    {
      const char *name = muster_tenant_status_get_user_name (self->status);
      const char *principal = muster_tenant_status_get_user_principal (self->status);

      set_row_text (self->account_row, name ? name : principal, name ? principal : NULL);
      gtk_image_set_from_icon_name (self->account_icon, "avatar-default-symbolic");
    }
}

static void
show_permissions (MusterTenantPage *self)
{
  const char * const *missing = muster_tenant_status_get_missing (self->status);
  g_autofree char *granted = join_scopes (muster_tenant_status_get_granted (self->status));
  gboolean any_missing = missing != NULL && missing[0] != NULL;

  set_row_text (self->granted_row, NULL, granted);
  gtk_widget_set_visible (GTK_WIDGET (self->missing_row), any_missing);
  if (any_missing)
    {
      g_autofree char *list = join_scopes (missing);
      set_row_text (self->missing_row, NULL, list);
    }
}

static void
show_sign_in (MusterTenantPage *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 expires_at = muster_tenant_status_get_token_expires_at (self->status);
  int days = muster_tenant_status_get_reauthorize_days (self->status);
  g_autofree char *token = NULL;

  if (expires_at <= 0)
    token = g_strdup (_("Unknown"));
  else if (expires_at <= now)
    token = g_strdup (_("Expired, renewed when needed"));
  else
    {
      g_autofree char *relative = muster_format_relative_time (expires_at, now);
      /* Translators: %s is a relative time, like "in 52 minutes" */
      token = g_strdup_printf (_("Expires %s"), relative);
    }
  gtk_label_set_text (self->token_label, token);

  gtk_widget_set_visible (GTK_WIDGET (self->reauthorize_row), days <= MUSTER_REAUTHORIZE_REMINDER_DAYS);
  if (days <= MUSTER_REAUTHORIZE_REMINDER_DAYS)
    {
      g_autofree char *title = NULL;

      if (days < 0)
        title = g_strdup (_("The sign-in has expired"));
      else
        title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Re-authorise within %d day",
                                              "Re-authorise within %d days", days), days);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->reauthorize_row), title);
    }
}

static void
show_licences (MusterTenantPage *self)
{
  GPtrArray *licences = muster_tenant_status_get_licences (self->status);
  const char *problem = muster_tenant_status_get_licences_problem (self->status);

  clear_rows (self->licences_group, self->licence_rows);
  if (problem != NULL)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (icon, "warning");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      set_row_text (ADW_ACTION_ROW (row), _("Licences could not be read"), problem);
      add_row (self->licences_group, self->licence_rows, row);
      return;
    }
  for (guint i = 0; licences != NULL && i < licences->len; i++)
    add_row (self->licences_group, self->licence_rows, muster_licence_row_new (g_ptr_array_index (licences, i)));
  if (self->licence_rows->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("This tenant has no licences"));
      add_row (self->licences_group, self->licence_rows, row);
    }
}

static void
show_snapshot (MusterTenantPage *self)
{
  gint64 when = self->snapshot_time;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (when == 0)
    gtk_label_set_text (self->snapshot_label, _("No snapshot yet"));
  else
    {
      /* a snapshot is never in the future, even when clocks disagree by a second */
      g_autofree char *relative = muster_format_relative_time (MIN (when, now), now);
      gtk_label_set_text (self->snapshot_label, relative);
    }
}

/* GObject ------------------------------------------------------------------------------- */

static void
muster_tenant_page_dispose (GObject *object)
{
  MusterTenantPage *self = MUSTER_TENANT_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_TENANT_PAGE);
  g_clear_object (&self->status);
  g_clear_pointer (&self->domain_rows, g_ptr_array_unref);
  g_clear_pointer (&self->licence_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (muster_tenant_page_parent_class)->dispose (object);
}

static void
muster_tenant_page_class_init (MusterTenantPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_tenant_page_dispose;

  g_type_ensure (MUSTER_TYPE_LICENCE_ROW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-tenant-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterTenantPage, organization_label);
  gtk_widget_class_bind_template_child (widget_class, MusterTenantPage, tenant_id_label);
  gtk_widget_class_bind_template_child (widget_class, MusterTenantPage, domains_group);
  gtk_widget_class_bind_template_child (widget_class, MusterTenantPage, account_row);
  gtk_widget_class_bind_template_child (widget_class, MusterTenantPage, account_icon);
  gtk_widget_class_bind_template_child (widget_class, MusterTenantPage, missing_row);
  gtk_widget_class_bind_template_child (widget_class, MusterTenantPage, granted_row);
  gtk_widget_class_bind_template_child (widget_class, MusterTenantPage, token_label);
  gtk_widget_class_bind_template_child (widget_class, MusterTenantPage, reauthorize_row);
  gtk_widget_class_bind_template_child (widget_class, MusterTenantPage, licences_group);
  gtk_widget_class_bind_template_child (widget_class, MusterTenantPage, snapshot_label);
}

static void
muster_tenant_page_init (MusterTenantPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->domain_rows = g_ptr_array_new ();
  self->licence_rows = g_ptr_array_new ();
}

void
muster_tenant_page_set_status (MusterTenantPage   *self,
                               MusterTenantStatus *status,
                               const char         *client_id)
{
  const char *organization;

  g_return_if_fail (MUSTER_IS_TENANT_PAGE (self));
  g_return_if_fail (MUSTER_IS_TENANT_STATUS (status));

  g_set_object (&self->status, status);

  organization = muster_tenant_status_get_organization (status);
  gtk_label_set_text (self->organization_label, organization ? organization : _("Unknown"));
  gtk_label_set_text (self->tenant_id_label, muster_tenant_status_get_tenant_id (status));
  show_domains (self);
  show_account (self, client_id);
  show_permissions (self);
  show_sign_in (self);
  show_licences (self);
  show_snapshot (self);
}

MusterTenantStatus *
muster_tenant_page_get_status (MusterTenantPage *self)
{
  g_return_val_if_fail (MUSTER_IS_TENANT_PAGE (self), NULL);
  return self->status;
}

guint
muster_tenant_page_get_n_licence_rows (MusterTenantPage *self)
{
  guint n = 0;

  g_return_val_if_fail (MUSTER_IS_TENANT_PAGE (self), 0);
  for (guint i = 0; i < self->licence_rows->len; i++)
    if (MUSTER_IS_LICENCE_ROW (g_ptr_array_index (self->licence_rows, i)))
      n++;
  return n;
}

char *
muster_format_relative_time (gint64 when,
                             gint64 now)
{
  gint64 delta = when - now;
  gint64 span = ABS (delta);
  int amount;

  if (span < 60)
    return g_strdup (delta > 0 ? _("in less than a minute") : _("just now"));
  if (span < 3600)
    {
      amount = span / 60;
      return g_strdup_printf (delta >= 0 ? g_dngettext (GETTEXT_PACKAGE, "in %d minute", "in %d minutes", amount)
                                         : g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", amount),
                              amount);
    }
  if (span < 2 * 86400)
    {
      amount = span / 3600;
      return g_strdup_printf (delta >= 0 ? g_dngettext (GETTEXT_PACKAGE, "in %d hour", "in %d hours", amount)
                                         : g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", amount),
                              amount);
    }
  amount = span / 86400;
  return g_strdup_printf (delta >= 0 ? g_dngettext (GETTEXT_PACKAGE, "in %d day", "in %d days", amount)
                                     : g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", amount),
                          amount);
}

/* The time of the snapshot the window shows (it is read from cache.db, so it is known offline and
 * before the status loads), or 0 for none. */
void
muster_tenant_page_set_snapshot_time (MusterTenantPage *self,
                                      gint64            when)
{
  g_return_if_fail (MUSTER_IS_TENANT_PAGE (self));

  self->snapshot_time = when;
  show_snapshot (self);
}
