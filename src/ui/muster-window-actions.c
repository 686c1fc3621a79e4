/* muster-window-actions.c: every command the window offers, and the one place that decides
 * which of them can run now, the way GNOME Text Editor's editor-window-actions.c does
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-window"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-application.h"
#include "muster-browser.h"
#include "muster-cloud.h"
#include "muster-connect-dialog.h"
#include "muster-demo.h"
#include "muster-rules.h"
#include "muster-setup-assistant.h"
#include "muster-window-private.h"

void
_muster_window_actions_update (MusterWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean busy = self->starting_demo || self->signing_in || self->loading_status || self->signing_out;
  gboolean has_profile = self->connection != NULL;
  gboolean signed_in;
  gboolean has_status = muster_tenant_page_get_status (self->tenant_page) != NULL;
  const char *url = muster_sign_in_page_get_url (self->sign_in_page);
  gboolean has_snapshot = _muster_window_get_snapshot (self) != NULL;
  gboolean directory_shown = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "tenant") == 0;

  /* the session signs the profile in and out: the connection rereads it, then says */
  if (self->connection != NULL)
    muster_connection_profile_changed (self->connection);
  signed_in = has_profile && muster_connection_get_signed_in (self->connection);

  /* in the demo, new connections would point at the demo tenant: win.connect leaves it first */
  gtk_widget_action_set_enabled (widget, "win.connect", !self->signing_out && !self->starting_demo);
  gtk_widget_action_set_enabled (widget, "win.explore-demo", !busy);
  gtk_widget_action_set_enabled (widget, "win.switch-profile", !self->signing_out && !self->starting_demo);
  gtk_widget_action_set_enabled (widget, "win.remove-profile", has_profile && !busy && !self->in_demo);
  gtk_widget_action_set_enabled (widget, "win.sign-in", has_profile && !busy);
  gtk_widget_action_set_enabled (widget, "win.grant-consent", has_profile && !busy && !muster_profile_is_app_only (self->profile));
  gtk_widget_action_set_enabled (widget, "win.sign-out", signed_in && !busy);
  gtk_widget_action_set_enabled (widget, "win.refresh-status", signed_in && !busy);
  gtk_widget_action_set_enabled (widget, "win.copy-tenant-id", has_status);
  gtk_widget_action_set_enabled (widget, "win.cancel-sign-in", self->signing_in);
  gtk_widget_action_set_enabled (widget, "win.copy-link", self->signing_in && url != NULL);
  gtk_widget_action_set_enabled (widget, "win.open-link", self->signing_in && url != NULL);
  gtk_widget_action_set_enabled (widget, "win.copy-code",
                                 self->signing_in && muster_sign_in_page_get_user_code (self->sign_in_page) != NULL);

  /* the directory: readable offline; Refresh needs the sign-in and the open cache */
  gtk_widget_action_set_enabled (widget, "win.refresh-directory",
                                 signed_in && !busy && self->snapshot_store != NULL && _muster_window_get_fetch (self) == NULL
                                 && !self->loading_snapshot);
  gtk_widget_action_set_enabled (widget, "win.cancel-refresh", _muster_window_get_fetch (self) != NULL);
  /* an export waits for the incremental filter, so it holds every user shown */
  gtk_widget_action_set_enabled (widget, "win.export-users",
                                 has_snapshot && !self->exporting && !muster_users_page_get_filtering (self->users_page));
  gtk_widget_action_set_enabled (widget, "win.export-selection",
                                 has_snapshot && !self->exporting && muster_users_page_get_n_selected (self->users_page) > 0);
  gtk_widget_action_set_enabled (widget, "win.find", has_snapshot && directory_shown);
  gtk_widget_action_set_enabled (widget, "win.setup-sync", has_profile && !busy && !self->signing_out);

  /* previews and pushes: one push at a time, and none while the plan is being made */
  {
    MusterPlan *plan = _muster_window_get_plan (self);
    const MusterPlanTotals *totals = plan != NULL ? muster_plan_get_totals (plan) : NULL;
    gboolean pushing = _muster_window_get_push (self) != NULL || self->push_waiting;
    gboolean can_push = totals != NULL && !pushing && !self->previewing && _muster_window_get_target (self) != NULL;
    gboolean refused = self->plan_refusal != NULL;

    gtk_widget_action_set_enabled (widget, "win.open-preview", has_snapshot);
    gtk_widget_action_set_enabled (widget, "win.preview-sync", has_snapshot && !pushing);
    gtk_widget_action_set_enabled (widget, "win.refresh-preview", has_snapshot && !pushing && !self->previewing);
    gtk_widget_action_set_enabled (widget, "win.cancel-preview", self->previewing);
    /* adding never disables anyone: the safety limit cannot refuse it */
    gtk_widget_action_set_enabled (widget, "win.push-add", can_push && totals->create > 0);
    gtk_widget_action_set_enabled (widget, "win.push-update",
                                   can_push && !refused &&
                                   totals->update + totals->disable + totals->delete + totals->members_add +
                                   totals->members_remove > 0);
    gtk_widget_action_set_enabled (widget, "win.push-sync", can_push && !refused &&
                                   totals->create + totals->update + totals->disable + totals->delete +
                                   totals->groups_create + totals->members_add + totals->members_remove > 0);
    gtk_widget_action_set_enabled (widget, "win.push-anyway", can_push && refused);
    gtk_widget_action_set_enabled (widget, "win.cancel-push", _muster_window_get_push (self) != NULL);
    muster_preview_page_set_target_sensitive (self->preview_page, !pushing);
    gtk_widget_action_set_enabled (widget, "win.retry-failed",
                                   !pushing && !self->previewing && _muster_window_get_plan (self) != NULL &&
                                   self->push_failures != NULL && self->push_failures->len > 0);
  }
  _muster_window_preview_file_update (self);
  _muster_window_report_update_actions (self);
}

static void
copy_text (MusterWindow *self,
           const char   *text,
           const char   *toast)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  _muster_window_toast (self, toast);
}

/* Connecting ---------------------------------------------------------------------------- */

static void
leave_demo (MusterWindow *self)
{
  if (!self->in_demo)
    return;
  muster_cloud_set_override (NULL, NULL);
  _muster_window_use_store (self, self->own_store, FALSE);
  _muster_window_show_page (self, "welcome");
}

static void
profile_added_cb (MusterWindow  *self,
                  MusterProfile *profile)
{
  _muster_window_open_profile (self, profile, TRUE);
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);
  MusterConnectDialog *dialog;

  leave_demo (self);
  dialog = muster_connect_dialog_new (GTK_WINDOW (self), self->store);
  g_signal_connect_object (dialog, "profile-added", G_CALLBACK (profile_added_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
demo_started_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  MusterDemo *demo = MUSTER_DEMO (source);
  g_autoptr(GError) error = NULL;
  gboolean started = muster_demo_start_finish (demo, result, &error);

  if (self->closed)
    return;
  self->starting_demo = FALSE;
  if (!started)
    {
      _muster_window_show_page (self, "welcome");
      _muster_window_report_error (self, _("Could Not Start the Demo Tenant"), error);
      return;
    }
  _muster_window_use_store (self, muster_demo_get_store (demo), TRUE);
  _muster_window_open_profile (self, muster_demo_get_profile (demo), TRUE);
}

static void
explore_demo_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  MusterDemo *demo;

  g_return_if_fail (MUSTER_IS_APPLICATION (application));

  demo = muster_application_get_demo_tenant (MUSTER_APPLICATION (application));
  self->starting_demo = TRUE;
  adw_status_page_set_description (self->loading_page, _("Starting the demo tenant…"));
  gtk_spinner_start (self->loading_spinner);
  _muster_window_show_page (self, "loading");
  muster_demo_start_async (demo, self->cancellable, demo_started_cb, g_object_ref (self));
}

/* Signing in and out -------------------------------------------------------------------- */

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  _muster_window_sign_in (MUSTER_WINDOW (widget), FALSE);
}

static void
grant_consent_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  _muster_window_sign_in (MUSTER_WINDOW (widget), TRUE);
}

static void
cancel_sign_in_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);

  if (self->sign_in_cancellable != NULL)
    g_cancellable_cancel (self->sign_in_cancellable);
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  _muster_window_sign_out (MUSTER_WINDOW (widget), FALSE);
}

static void
remove_response_cb (MusterWindow *self,
                    const char   *response)
{
  if (g_strcmp0 (response, "remove") == 0 && _muster_window_get_session (self) != NULL && !self->signing_out)
    _muster_window_sign_out (self, TRUE);
}

static void
remove_profile_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);
  GtkWidget *dialog;

  g_return_if_fail (self->profile != NULL);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Remove Connection?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("Muster signs out of “%s” and forgets this connection. "
                                    "Nothing changes in the tenant itself."),
                                  muster_profile_get_display_name (self->profile));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Status and links ---------------------------------------------------------------------- */

static void
refresh_status_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  _muster_window_load_status (MUSTER_WINDOW (widget));
}

static void
copy_tenant_id_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);
  MusterTenantStatus *status = muster_tenant_page_get_status (self->tenant_page);

  copy_text (self, muster_tenant_status_get_tenant_id (status), _("Tenant ID copied"));
}

static void
copy_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);

  copy_text (self, muster_sign_in_page_get_url (self->sign_in_page), _("Link copied"));
}

static void
copy_code_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);

  copy_text (self, muster_sign_in_page_get_user_code (self->sign_in_page), _("Code copied"));
}

static void
link_opened_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!muster_browser_open_finish (result, &error) && !self->closed)
    _muster_window_toast (self, error->message);
}

static void
open_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);

  muster_browser_open_async (muster_sign_in_page_get_url (self->sign_in_page), self->cancellable,
                             link_opened_cb, g_object_ref (self));
}

/* The directory --------------------------------------------------------------------------- */

static void
refresh_directory_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  _muster_window_refresh_directory (MUSTER_WINDOW (widget));
}

static void
cancel_refresh_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  _muster_window_cancel_refresh (MUSTER_WINDOW (widget));
}

static void
export_users_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  _muster_window_export_users (MUSTER_WINDOW (widget), FALSE);
}

static void
export_selection_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  _muster_window_export_users (MUSTER_WINDOW (widget), TRUE);
}

static void
open_export_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  _muster_window_open_export (MUSTER_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  _muster_window_find (MUSTER_WINDOW (widget));
}

/* Sync --------------------------------------------------------------------------------- */

static void
setup_finished_cb (MusterWindow *self,
                   const char   *target)
{
  g_autofree char *text = g_strdup_printf (_("Target “%s” is ready: preview the sync to see what it would change"),
                                           target);

  _muster_window_toast (self, text);
  g_signal_emit_by_name (self, "target-added", target);
}

static void
setup_rules_loaded_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterRules) rules = muster_rules_load_finish (result, &error);
  MusterSetupAssistant *assistant;

  if (self->closed || self->profile == NULL)
    return;
  if (rules == NULL)
    {
      _muster_window_report_error (self, _("Could not read the sync rules"), error);
      return;
    }
  assistant = muster_setup_assistant_new (GTK_WINDOW (self), muster_profile_get_name (self->profile),
                                          _muster_window_get_snapshot (self), rules);
  if (self->in_demo)
    {
      MusterDemo *demo = muster_application_get_demo_tenant (MUSTER_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
      g_autofree char *url = muster_demo_dup_scim_url (demo);

      if (url != NULL)
        muster_setup_assistant_offer_service (assistant, url, muster_demo_get_scim_token (demo));
    }
  g_signal_connect_object (assistant, "finished", G_CALLBACK (setup_finished_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (assistant));
}

static void
setup_sync_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);

  if (self->profile == NULL)
    return;
  muster_rules_load_async (muster_profile_get_name (self->profile), self->cancellable, setup_rules_loaded_cb,
                           g_object_ref (self));
}

/* Previews and pushes -------------------------------------------------------------------- */

static void
open_preview_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MusterWindow *self = MUSTER_WINDOW (widget);

  /* the whole filtered view of the Users page, not an earlier selection */
  g_clear_pointer (&self->preview_only_ids, g_strfreev);
  self->preview_stale = TRUE;
  adw_view_stack_set_visible_child_name (self->view_stack, "preview");
  if (!self->previewing)
    _muster_window_start_preview (self);
}

static void
preview_sync_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  _muster_window_preview_users (MUSTER_WINDOW (widget));
}

static void
refresh_preview_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  _muster_window_start_preview (MUSTER_WINDOW (widget));
}

static void
cancel_preview_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  _muster_window_cancel_preview (MUSTER_WINDOW (widget));
}

static void
push_add_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  _muster_window_push (MUSTER_WINDOW (widget), MUSTER_PLAN_MODE_ADD_ONLY, FALSE);
}

static void
push_update_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  _muster_window_push (MUSTER_WINDOW (widget), MUSTER_PLAN_MODE_UPDATE_ONLY, FALSE);
}

static void
push_sync_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  _muster_window_push (MUSTER_WINDOW (widget), MUSTER_PLAN_MODE_SYNC, FALSE);
}

static void
push_anyway_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  _muster_window_confirm_push_anyway (MUSTER_WINDOW (widget));
}

static void
cancel_push_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  _muster_window_cancel_push (MUSTER_WINDOW (widget));
}

static void
retry_failed_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  _muster_window_retry_failed (MUSTER_WINDOW (widget));
}

void
_muster_window_class_install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.setup-sync", NULL, setup_sync_action);
  gtk_widget_class_install_action (widget_class, "win.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "win.explore-demo", NULL, explore_demo_action);
  gtk_widget_class_install_property_action (widget_class, "win.switch-profile", "profile-name");
  gtk_widget_class_install_action (widget_class, "win.remove-profile", NULL, remove_profile_action);
  gtk_widget_class_install_action (widget_class, "win.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "win.grant-consent", NULL, grant_consent_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-sign-in", NULL, cancel_sign_in_action);
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out_action);
  gtk_widget_class_install_action (widget_class, "win.refresh-status", NULL, refresh_status_action);
  gtk_widget_class_install_action (widget_class, "win.copy-tenant-id", NULL, copy_tenant_id_action);
  gtk_widget_class_install_action (widget_class, "win.copy-link", NULL, copy_link_action);
  gtk_widget_class_install_action (widget_class, "win.copy-code", NULL, copy_code_action);
  gtk_widget_class_install_action (widget_class, "win.open-link", NULL, open_link_action);

  gtk_widget_class_install_action (widget_class, "win.refresh-directory", NULL, refresh_directory_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-refresh", NULL, cancel_refresh_action);
  gtk_widget_class_install_action (widget_class, "win.export-users", NULL, export_users_action);
  gtk_widget_class_install_action (widget_class, "win.export-selection", NULL, export_selection_action);
  gtk_widget_class_install_action (widget_class, "win.open-export", "s", open_export_action);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);

  gtk_widget_class_install_action (widget_class, "win.open-preview", NULL, open_preview_action);
  gtk_widget_class_install_action (widget_class, "win.preview-sync", NULL, preview_sync_action);
  gtk_widget_class_install_action (widget_class, "win.refresh-preview", NULL, refresh_preview_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-preview", NULL, cancel_preview_action);
  gtk_widget_class_install_action (widget_class, "win.push-add", NULL, push_add_action);
  gtk_widget_class_install_action (widget_class, "win.push-update", NULL, push_update_action);
  gtk_widget_class_install_action (widget_class, "win.push-sync", NULL, push_sync_action);
  gtk_widget_class_install_action (widget_class, "win.push-anyway", NULL, push_anyway_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-push", NULL, cancel_push_action);
  gtk_widget_class_install_action (widget_class, "win.retry-failed", NULL, retry_failed_action);
  _muster_window_report_install_actions (widget_class);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh-status", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.open-preview", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_P, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.open-preview", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.refresh-directory", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_R, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.refresh-directory", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export-users", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.refresh-status", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.connect", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel-sign-in", NULL);
}
