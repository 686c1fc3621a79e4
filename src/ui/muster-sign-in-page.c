/* muster-sign-in-page.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-sign-in-page"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-sign-in-page.h"

struct _MusterSignInPage
{
  AdwBin         parent_instance;

  char          *url;
  char          *user_code;
  char          *description;  /* what to do in the browser */
  gint64         expires_at;
  guint          countdown_id;

  /* template children */
  GtkStack      *stack;
  AdwStatusPage *browser_status;
  GtkSpinner    *browser_spinner;
  GtkLabel      *problem_label;
  GtkLabel      *link_label;
  AdwStatusPage *device_status;
  GtkLabel      *code_label;
  GtkLabel      *expiry_label;
  AdwStatusPage *app_only_status;
};

G_DEFINE_FINAL_TYPE (MusterSignInPage, muster_sign_in_page, ADW_TYPE_BIN)

static gboolean
tenant_is_generic (const char *tenant)
{
  return tenant == NULL || g_ascii_strcasecmp (tenant, "organizations") == 0
         || g_ascii_strcasecmp (tenant, "common") == 0;
}

static void
update_expiry (MusterSignInPage *self)
{
  gint64 left = self->expires_at - g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *text = NULL;

  if (left <= 0)
    text = g_strdup (_("The code has expired"));
  else if (left >= 120)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The code expires in %d minute",
                                         "The code expires in %d minutes", left / 60),
                            (int) (left / 60));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The code expires in %d second",
                                         "The code expires in %d seconds", left),
                            (int) left);
  gtk_label_set_text (self->expiry_label, text);
}

static gboolean
countdown_cb (gpointer user_data)
{
  MusterSignInPage *self = user_data;

  update_expiry (self);
  return G_SOURCE_CONTINUE;
}

static void
muster_sign_in_page_dispose (GObject *object)
{
  MusterSignInPage *self = MUSTER_SIGN_IN_PAGE (object);

  g_clear_handle_id (&self->countdown_id, g_source_remove);
  /* AdwBin unparents its child itself: let go of it first so it is not unparented twice */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_SIGN_IN_PAGE);

  G_OBJECT_CLASS (muster_sign_in_page_parent_class)->dispose (object);
}

static void
muster_sign_in_page_finalize (GObject *object)
{
  MusterSignInPage *self = MUSTER_SIGN_IN_PAGE (object);

  g_free (self->url);
  g_free (self->user_code);
  g_free (self->description);

  G_OBJECT_CLASS (muster_sign_in_page_parent_class)->finalize (object);
}

static void
muster_sign_in_page_class_init (MusterSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_sign_in_page_dispose;
  object_class->finalize = muster_sign_in_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterSignInPage, stack);
  gtk_widget_class_bind_template_child (widget_class, MusterSignInPage, browser_status);
  gtk_widget_class_bind_template_child (widget_class, MusterSignInPage, browser_spinner);
  gtk_widget_class_bind_template_child (widget_class, MusterSignInPage, problem_label);
  gtk_widget_class_bind_template_child (widget_class, MusterSignInPage, link_label);
  gtk_widget_class_bind_template_child (widget_class, MusterSignInPage, device_status);
  gtk_widget_class_bind_template_child (widget_class, MusterSignInPage, code_label);
  gtk_widget_class_bind_template_child (widget_class, MusterSignInPage, expiry_label);
  gtk_widget_class_bind_template_child (widget_class, MusterSignInPage, app_only_status);
}

static void
muster_sign_in_page_init (MusterSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
muster_sign_in_page_begin (MusterSignInPage *self,
                           MusterProfile    *profile)
{
  const char *tenant;
  g_autofree char *escaped_tenant = NULL;
  g_autofree char *description = NULL;

  g_return_if_fail (MUSTER_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (MUSTER_IS_PROFILE (profile));

  muster_sign_in_page_stop (self);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->user_code, g_free);
  /* status page descriptions are markup */
  tenant = escaped_tenant = g_markup_escape_text (muster_profile_get_tenant (profile), -1);

  switch (muster_profile_get_auth_mode (profile))
    {
    case MUSTER_AUTH_MODE_BROWSER:
      if (tenant_is_generic (tenant))
        description = g_strdup (_("Sign in with an administrator account in your browser and accept "
                                  "the permissions Muster asks for."));
      else
        /* Translators: %s is a tenant, like contoso.onmicrosoft.com */
        description = g_strdup_printf (_("Sign in to %s with an administrator account in your browser "
                                         "and accept the permissions Muster asks for."), tenant);
      g_free (self->description);
      self->description = g_strdup (description);
      adw_status_page_set_description (self->browser_status, description);
      gtk_widget_set_visible (GTK_WIDGET (self->problem_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->link_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->browser_spinner), TRUE);
      gtk_stack_set_visible_child_name (self->stack, "browser");
      break;

    case MUSTER_AUTH_MODE_DEVICE_CODE:
      adw_status_page_set_description (self->device_status, _("Asking Microsoft for a sign-in code…"));
      gtk_label_set_text (self->code_label, "");
      gtk_label_set_text (self->expiry_label, "");
      gtk_stack_set_visible_child_name (self->stack, "device");
      break;

    case MUSTER_AUTH_MODE_SECRET:
    case MUSTER_AUTH_MODE_CERTIFICATE:
    default:
      description = g_strdup_printf (_("Signing in to %s as the app registration."), tenant);
      adw_status_page_set_description (self->app_only_status, description);
      gtk_stack_set_visible_child_name (self->stack, "app-only");
      break;
    }
}

void
muster_sign_in_page_set_authorize_url (MusterSignInPage *self,
                                       const char       *url,
                                       gboolean          opened,
                                       const char       *problem)
{
  g_return_if_fail (MUSTER_IS_SIGN_IN_PAGE (self));

  g_free (self->url);
  self->url = g_strdup (url);

  if (opened)
    {
      adw_status_page_set_description (self->browser_status, self->description);
      gtk_widget_set_visible (GTK_WIDGET (self->problem_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->link_label), FALSE);
    }
  else
    {
      adw_status_page_set_description (self->browser_status,
                                       _("Open this link in a web browser, sign in with an administrator "
                                         "account and accept the permissions Muster asks for. Muster "
                                         "continues when you are done."));
      gtk_label_set_text (self->problem_label, problem ? problem : _("No web browser could be opened."));
      gtk_widget_set_visible (GTK_WIDGET (self->problem_label), TRUE);
      gtk_label_set_text (self->link_label, url);
      gtk_widget_set_visible (GTK_WIDGET (self->link_label), TRUE);
    }
  gtk_stack_set_visible_child_name (self->stack, "browser");
}

void
muster_sign_in_page_set_device_code (MusterSignInPage *self,
                                     const char       *user_code,
                                     const char       *verification_uri,
                                     gint64            expires_at)
{
  g_autofree char *description = NULL;
  g_autofree char *escaped_uri = NULL;

  g_return_if_fail (MUSTER_IS_SIGN_IN_PAGE (self));

  g_free (self->url);
  self->url = g_strdup (verification_uri);
  g_free (self->user_code);
  self->user_code = g_strdup (user_code);
  self->expires_at = expires_at;

  /* Translators: %s is a web address, like https://microsoft.com/devicelogin */
  escaped_uri = g_markup_escape_text (verification_uri, -1);
  description = g_strdup_printf (_("On any device, open %s, sign in with an administrator account and enter this code."),
                                 escaped_uri);
  adw_status_page_set_description (self->device_status, description);
  gtk_label_set_text (self->code_label, user_code);

  update_expiry (self);
  g_clear_handle_id (&self->countdown_id, g_source_remove);
  self->countdown_id = g_timeout_add_seconds (1, countdown_cb, self);
  gtk_stack_set_visible_child_name (self->stack, "device");
}

void
muster_sign_in_page_stop (MusterSignInPage *self)
{
  g_return_if_fail (MUSTER_IS_SIGN_IN_PAGE (self));
  g_clear_handle_id (&self->countdown_id, g_source_remove);
}

const char *
muster_sign_in_page_get_url (MusterSignInPage *self)
{
  g_return_val_if_fail (MUSTER_IS_SIGN_IN_PAGE (self), NULL);
  return self->url;
}

const char *
muster_sign_in_page_get_user_code (MusterSignInPage *self)
{
  g_return_val_if_fail (MUSTER_IS_SIGN_IN_PAGE (self), NULL);
  return self->user_code;
}
