/* muster-window.c: the main window — header bar, pages, and the flows that move between them
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-window"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-auth-error.h"
#include "muster-changes-page.h"
#include "muster-keyring.h"
#include "muster-window-private.h"

G_DEFINE_FINAL_TYPE (MusterWindow, muster_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_PROFILE_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Helpers ------------------------------------------------------------------------------- */

/* Where to go when a sign-in ends without success: back to what was shown before. */
static void
show_resting_page (MusterWindow *self)
{
  if (self->profile != NULL
      && ((muster_profile_get_signed_in_at (self->profile) != 0
           && muster_tenant_page_get_status (self->tenant_page) != NULL)
          || _muster_window_get_snapshot (self) != NULL))
    _muster_window_show_page (self, "tenant");
  else
    _muster_window_show_page (self, "welcome");
}

static void
set_profile (MusterWindow  *self,
             MusterProfile *profile)
{
  if (self->profile == profile)
    return;

  if (self->sign_in_cancellable != NULL)
    g_cancellable_cancel (self->sign_in_cancellable);
  if (self->status_cancellable != NULL)
    g_cancellable_cancel (self->status_cancellable);
  /* the old connection's fetch, push and plan stop with it */
  _muster_window_directory_reset (self);
  _muster_window_sync_reset (self);
  g_clear_object (&self->connection);
  g_set_object (&self->profile, profile);

  if (profile != NULL)
    {
      /* what the window offers follows what the connection is doing */
      static const char * const watched[] = {
        "notify::fetching", "notify::pushing", "notify::plan", "notify::target", "notify::snapshot",
      };

      self->connection = muster_connection_new (self->store, profile);
      for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
        g_signal_connect_object (self->connection, watched[i], G_CALLBACK (_muster_window_actions_update), self,
                                 G_CONNECT_SWAPPED);
    }
  muster_profile_switcher_set_profile (self->profile_switcher, profile);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE_NAME]);
}

static void
profile_saved_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!muster_profile_store_save_finish (MUSTER_PROFILE_STORE (source), result, &error))
    g_warning ("Could not save the profile: %s", error->message);
}

/* Sign-in ------------------------------------------------------------------------------- */

static void
session_authorize_url_cb (MusterWindow  *self,
                          const char    *url,
                          gboolean       opened,
                          const char    *problem,
                          MusterSession *session)
{
  if (session != _muster_window_get_session (self) || !self->signing_in)
    return;
  muster_sign_in_page_set_authorize_url (self->sign_in_page, url, opened, problem);
  _muster_window_actions_update (self);
}

static void
session_device_code_cb (MusterWindow  *self,
                        const char    *user_code,
                        const char    *verification_uri,
                        const char    *message,
                        gint64         expires_at,
                        MusterSession *session)
{
  if (session != _muster_window_get_session (self) || !self->signing_in)
    return;
  muster_sign_in_page_set_device_code (self->sign_in_page, user_code, verification_uri, expires_at);
  _muster_window_actions_update (self);
}

static void
consent_response_cb (MusterWindow *self,
                     const char   *response)
{
  if (g_strcmp0 (response, "consent") == 0 && _muster_window_get_session (self) != NULL && !self->signing_in)
    _muster_window_sign_in (self, TRUE);
}

static void
sign_in_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  MusterSession *session = MUSTER_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (!muster_session_sign_in_finish (session, result, &error))
    g_debug ("Sign-in failed: %s", error->message);
  if (self->closed || session != _muster_window_get_session (self))
    return;

  self->signing_in = FALSE;
  muster_sign_in_page_stop (self->sign_in_page);
  g_clear_object (&self->sign_in_cancellable);

  if (error == NULL)
    {
      _muster_window_load_status (self);
      return;
    }

  show_resting_page (self);
  _muster_window_actions_update (self);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_CONSENT_REQUIRED))
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Admin Consent Needed"), error->message);

      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "cancel", _("_Cancel"),
                                        "consent", _("_Grant Admin Consent"),
                                        NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "consent", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "consent");
      g_signal_connect_object (dialog, "response", G_CALLBACK (consent_response_cb), self, G_CONNECT_SWAPPED);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  _muster_window_report_error (self, _("Sign-In Failed"), error);
}

/* Status -------------------------------------------------------------------------------- */

static void
status_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  g_autoptr(MusterTenantStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  MusterGraphClient *graph = MUSTER_GRAPH_CLIENT (source);

  status = muster_tenant_status_load_finish (result, &error);
  if (self->closed || graph != _muster_window_get_graph (self))
    return;

  self->loading_status = FALSE;
  gtk_spinner_stop (self->loading_spinner);
  _muster_window_actions_update (self);

  if (status == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "tenant") == 0)
        {
          _muster_window_toast (self, error->message);
          return;
        }
      {
        g_autofree char *escaped = g_markup_escape_text (error->message, -1);
        adw_status_page_set_description (self->error_page, escaped);
      }
      _muster_window_show_page (self, "error");
      return;
    }

  /* The organisation's name labels the connection from now on, even offline. */
  if (g_strcmp0 (muster_profile_get_organization (self->profile), muster_tenant_status_get_organization (status)) != 0)
    {
      muster_profile_set_signed_in (self->profile,
                                    muster_tenant_status_get_tenant_id (status),
                                    muster_profile_get_username (self->profile),
                                    muster_tenant_status_get_organization (status),
                                    muster_profile_get_signed_in_at (self->profile));
      /* the organisation's name is remembered for the switcher; written off the main loop */
      muster_profile_store_save_async (self->store, NULL, profile_saved_cb, NULL);
    }

  muster_tenant_page_set_status (self->tenant_page, status, muster_profile_get_client_id (self->profile));
  _muster_window_show_page (self, "tenant");
}

/* Sign-out ------------------------------------------------------------------------------ */

typedef struct
{
  MusterWindow *window;
  gboolean      remove_profile;
} SignOutData;

static void
signed_out (MusterWindow *self,
            const char   *display,
            gboolean      removed)
{
  /* Translators: %s is a tenant's or connection's name */
  g_autofree char *text = g_strdup_printf (removed ? _("Removed “%s”") : _("Signed out of “%s”"), display);

  _muster_window_toast (self, text);
  _muster_window_show_page (self, "welcome");
}

typedef struct
{
  MusterWindow *window;
  char         *display;
} Removal;

static Removal *
removal_new (MusterWindow *window,
             const char   *display)
{
  Removal *removal = g_new0 (Removal, 1);

  removal->window = g_object_ref (window);
  removal->display = g_strdup (display);
  return removal;
}

static void
profile_removed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Removal *removal = user_data;
  g_autoptr(MusterWindow) self = removal->window;
  g_autofree char *display = removal->display;
  g_autoptr(GError) error = NULL;

  g_free (removal);
  if (!muster_profile_store_save_finish (MUSTER_PROFILE_STORE (source), result, &error))
    {
      if (!self->closed)
        _muster_window_report_error (self, _("Could Not Remove the Connection"), error);
      return;
    }
  if (!self->closed)
    signed_out (self, display, TRUE);
}

static void
sign_out_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SignOutData *data = user_data;
  g_autoptr(MusterWindow) self = data->window;
  g_autoptr(GError) error = NULL;
  MusterProfile *profile = muster_session_get_profile (MUSTER_SESSION (source));
  g_autofree char *name = g_strdup (muster_profile_get_name (profile));
  g_autofree char *display = g_strdup (muster_profile_get_display_name (profile));
  gboolean remove_profile = data->remove_profile;

  g_free (data);
  if (!muster_session_sign_out_finish (MUSTER_SESSION (source), result, &error))
    g_debug ("Sign-out failed: %s", error->message);
  if (self->closed)
    return;

  self->signing_out = FALSE;
  _muster_window_actions_update (self);
  if (error != NULL)
    {
      _muster_window_report_error (self, _("Could Not Sign Out"), error);
      return;
    }

  if (remove_profile)
    {
      g_autoptr(GError) store_error = NULL;

      if (!muster_profile_store_remove (self->store, name, &store_error))
        {
          _muster_window_report_error (self, _("Could Not Remove the Connection"), store_error);
          return;
        }
      if (self->profile == profile)
        set_profile (self, NULL);
      /* profiles.ini is fsync'd: written in a worker thread, the toast follows the save */
      muster_profile_store_save_async (self->store, NULL, profile_removed_cb,
                                       removal_new (self, display));
      return;
    }

  signed_out (self, display, FALSE);
}

/* Overrides ----------------------------------------------------------------------------- */

static void
muster_window_save_state (MusterWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  /* a maximised window reports its old default size, which is what should come back */
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
}

static gboolean
muster_window_close_request (GtkWindow *window)
{
  MusterWindow *self = MUSTER_WINDOW (window);

  muster_window_save_state (self);
  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (muster_window_parent_class)->close_request (window);
}

static void
muster_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  MusterWindow *self = MUSTER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PROFILE_NAME:
      g_value_set_string (value, self->profile ? muster_profile_get_name (self->profile) : "");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  MusterWindow *self = MUSTER_WINDOW (object);
  MusterProfile *profile;

  switch (prop_id)
    {
    case PROP_PROFILE_NAME:
      /* win.switch-profile sets this */
      profile = muster_profile_store_lookup (self->store, g_value_get_string (value));
      if (profile != NULL && profile != self->profile)
        _muster_window_open_profile (self, profile, TRUE);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_window_constructed (GObject *object)
{
  MusterWindow *self = MUSTER_WINDOW (object);
  g_autoptr(GError) error = NULL;
  MusterProfile *profile = NULL;

  G_OBJECT_CLASS (muster_window_parent_class)->constructed (object);

  self->settings = g_settings_new (BASE_APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->own_store = muster_profile_store_load (NULL, &error);
  if (self->own_store == NULL)
    {
      g_warning ("Could not read the saved connections: %s", error->message);
      self->own_store = muster_profile_store_load ("/dev/null", NULL);
    }
  _muster_window_use_store (self, self->own_store, FALSE);

  /* Open the default connection when it is signed in; a new user sees the welcome page. */
  if (muster_profile_store_get_default (self->own_store) != NULL)
    profile = muster_profile_store_lookup (self->own_store, muster_profile_store_get_default (self->own_store));
  if (profile != NULL && muster_profile_get_signed_in_at (profile) != 0)
    _muster_window_open_profile (self, profile, FALSE);

  _muster_window_actions_update (self);
}

static void
muster_window_dispose (GObject *object)
{
  MusterWindow *self = MUSTER_WINDOW (object);

  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (self->sign_in_cancellable != NULL)
    g_cancellable_cancel (self->sign_in_cancellable);
  if (self->status_cancellable != NULL)
    g_cancellable_cancel (self->status_cancellable);

  _muster_window_directory_dispose (self);
  _muster_window_sync_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->connection);
  g_clear_object (&self->profile);
  g_clear_object (&self->store);
  g_clear_object (&self->own_store);

  G_OBJECT_CLASS (muster_window_parent_class)->dispose (object);
}

static void
muster_window_finalize (GObject *object)
{
  MusterWindow *self = MUSTER_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->sign_in_cancellable);
  g_clear_object (&self->status_cancellable);

  G_OBJECT_CLASS (muster_window_parent_class)->finalize (object);
}

static void
muster_window_class_init (MusterWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = muster_window_constructed;
  object_class->dispose = muster_window_dispose;
  object_class->finalize = muster_window_finalize;
  object_class->get_property = muster_window_get_property;
  object_class->set_property = muster_window_set_property;
  window_class->close_request = muster_window_close_request;

  /* MusterWindow::target-added: (target name) the setup assistant saved a sync target and the
   * profile's rules */
  g_signal_new ("target-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 1, G_TYPE_STRING);

  /* The connection shown, by name; win.switch-profile is its property action. */
  properties[PROP_PROFILE_NAME] =
    g_param_spec_string ("profile-name", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MUSTER_TYPE_CHANGES_PAGE);
  g_type_ensure (MUSTER_TYPE_PROFILE_SWITCHER);
  g_type_ensure (MUSTER_TYPE_SIGN_IN_PAGE);
  g_type_ensure (MUSTER_TYPE_TENANT_PAGE);
  g_type_ensure (MUSTER_TYPE_USERS_PAGE);
  g_type_ensure (MUSTER_TYPE_GROUPS_PAGE);
  g_type_ensure (MUSTER_TYPE_FETCH_INDICATOR);
  g_type_ensure (MUSTER_TYPE_PREVIEW_PAGE);
  g_type_ensure (MUSTER_TYPE_HISTORY_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, fetch_indicator);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, profile_switcher);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, connect_button);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, demo_button);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, loading_page);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, tenant_page);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, users_page);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, groups_page);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, preview_page);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, history_page);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, push_indicator);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, push_indicator_label);
  gtk_widget_class_bind_template_child (widget_class, MusterWindow, push_indicator_bar);

  _muster_window_class_install_actions (widget_class);
  _muster_window_preview_file_class_init (widget_class);
}

static void
muster_window_init (MusterWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  _muster_window_directory_init (self);
  _muster_window_sync_init (self);
  _muster_window_preview_file_init (self);
  _muster_window_changes_init (self);
}

/* Private API --------------------------------------------------------------------------- */

void
_muster_window_show_page (MusterWindow *self,
                          const char   *name)
{
  gtk_stack_set_visible_child_name (self->main_stack, name);
  _muster_window_update_header (self);
  _muster_window_actions_update (self);
}

void
_muster_window_toast (MusterWindow *self,
                      const char   *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_muster_window_report_error (MusterWindow *self,
                             const char   *heading,
                             const GError *error)
{
  GtkWidget *dialog;

  if (g_error_matches (error, MUSTER_KEYRING_ERROR, MUSTER_KEYRING_ERROR_NO_SERVICE))
    heading = _("No Keyring Available");
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_muster_window_use_store (MusterWindow       *self,
                          MusterProfileStore *store,
                          gboolean            in_demo)
{
  set_profile (self, NULL);
  g_set_object (&self->store, store);
  self->in_demo = in_demo;
  muster_profile_switcher_set_store (self->profile_switcher, store);
  gtk_widget_set_visible (GTK_WIDGET (self->profile_switcher),
                          g_list_model_get_n_items (G_LIST_MODEL (store)) > 0);
  _muster_window_actions_update (self);
}

void
_muster_window_open_profile (MusterWindow  *self,
                             MusterProfile *profile,
                             gboolean       sign_in)
{
  g_return_if_fail (MUSTER_IS_PROFILE (profile));

  set_profile (self, profile);
  gtk_widget_set_visible (GTK_WIDGET (self->profile_switcher), TRUE);
  g_signal_connect_object (_muster_window_get_session (self), "authorize-url", G_CALLBACK (session_authorize_url_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (_muster_window_get_session (self), "device-code", G_CALLBACK (session_device_code_cb), self, G_CONNECT_SWAPPED);
  /* offline first: the saved directory opens at once, whatever the network does */
  _muster_window_load_snapshot (self);

  if (muster_profile_get_signed_in_at (profile) != 0)
    _muster_window_load_status (self);
  else if (sign_in)
    _muster_window_sign_in (self, FALSE);
  else
    _muster_window_show_page (self, "welcome");
}

void
_muster_window_sign_in (MusterWindow *self,
                        gboolean      admin_consent)
{
  g_return_if_fail (_muster_window_get_session (self) != NULL);

  if (self->sign_in_cancellable != NULL)
    g_cancellable_cancel (self->sign_in_cancellable);
  g_clear_object (&self->sign_in_cancellable);
  self->sign_in_cancellable = g_cancellable_new ();
  self->signing_in = TRUE;

  muster_sign_in_page_begin (self->sign_in_page, self->profile);
  _muster_window_show_page (self, "sign-in");
  muster_session_sign_in_async (_muster_window_get_session (self), admin_consent, self->sign_in_cancellable,
                                sign_in_cb, g_object_ref (self));
}

void
_muster_window_load_status (MusterWindow *self)
{
  g_return_if_fail (_muster_window_get_session (self) != NULL);

  if (self->status_cancellable != NULL)
    g_cancellable_cancel (self->status_cancellable);
  g_clear_object (&self->status_cancellable);
  self->status_cancellable = g_cancellable_new ();
  muster_connection_ensure_graph_client (self->connection);
  self->loading_status = TRUE;

  /* A refresh keeps the status in view; anything else waits on the loading page. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "tenant") != 0)
    {
      g_autofree char *description = g_markup_escape_text (muster_profile_get_display_name (self->profile), -1);

      adw_status_page_set_description (self->loading_page, description);
      gtk_spinner_start (self->loading_spinner);
      _muster_window_show_page (self, "loading");
    }
  else
    _muster_window_actions_update (self);

  muster_tenant_status_load_async (_muster_window_get_graph (self), self->status_cancellable, status_loaded_cb, g_object_ref (self));
}

void
_muster_window_sign_out (MusterWindow *self,
                         gboolean      remove_profile)
{
  SignOutData *data;

  g_return_if_fail (_muster_window_get_session (self) != NULL);

  data = g_new0 (SignOutData, 1);
  data->window = g_object_ref (self);
  data->remove_profile = remove_profile;
  self->signing_out = TRUE;
  if (self->status_cancellable != NULL)
    g_cancellable_cancel (self->status_cancellable);
  _muster_window_actions_update (self);
  muster_session_sign_out_async (_muster_window_get_session (self), self->cancellable, sign_out_cb, data);
}

/* Public API ---------------------------------------------------------------------------- */

MusterWindow *
muster_window_new (MusterApplication *application)
{
  return g_object_new (MUSTER_TYPE_WINDOW, "application", application, NULL);
}
