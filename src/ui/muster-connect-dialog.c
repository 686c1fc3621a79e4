/* muster-connect-dialog.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-connect-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-connect-dialog.h"
#include "muster-keyring.h"

struct _MusterConnectDialog
{
  AdwWindow             parent_instance;

  MusterProfileStore   *store;
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;
  char                 *certificate_file;
  char                 *key_file;
  char                 *problem;
  gboolean              attempted;  /* after the first Connect, every problem shows */
  gboolean              busy;

  /* template children */
  GtkButton            *connect_button;
  AdwEntryRow          *name_row;
  AdwEntryRow          *tenant_row;
  AdwComboRow          *cloud_row;
  AdwComboRow          *method_row;
  GtkLabel             *connection_error_label;
  AdwPreferencesGroup  *secret_group;
  AdwPasswordEntryRow  *secret_row;
  GtkLabel             *secret_error_label;
  AdwPreferencesGroup  *certificate_group;
  AdwActionRow         *certificate_row;
  AdwActionRow         *key_row;
  GtkLabel             *certificate_error_label;
  AdwExpanderRow       *advanced_row;
  AdwEntryRow          *client_id_row;
  GtkLabel             *client_id_help_label;
  GtkLabel             *advanced_error_label;
};

G_DEFINE_FINAL_TYPE (MusterConnectDialog, muster_connect_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_PROFILE_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Helpers ------------------------------------------------------------------------------- */

static gboolean
is_guid (const char *text)
{
  static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

  if (strlen (text) != strlen (shape))
    return FALSE;
  for (guint i = 0; shape[i] != '\0'; i++)
    if (shape[i] == '-' ? text[i] != '-' : !g_ascii_isxdigit (text[i]))
      return FALSE;
  return TRUE;
}

static gboolean
is_domain (const char *text)
{
  g_auto(GStrv) labels = g_strsplit (text, ".", -1);

  if (g_strv_length (labels) < 2 || strlen (text) > 253)
    return FALSE;
  for (guint i = 0; labels[i] != NULL; i++)
    {
      const char *label = labels[i];
      gsize length = strlen (label);

      if (length == 0 || length > 63 || label[0] == '-' || label[length - 1] == '-')
        return FALSE;
      for (const char *p = label; *p; p++)
        if (!g_ascii_isalnum (*p) && *p != '-')
          return FALSE;
    }
  return TRUE;
}

static gboolean
tenant_is_generic (const char *tenant)
{
  return *tenant == '\0' || g_ascii_strcasecmp (tenant, "organizations") == 0
         || g_ascii_strcasecmp (tenant, "common") == 0;
}

static MusterAuthMode
get_mode (MusterConnectDialog *self)
{
  return (MusterAuthMode) adw_combo_row_get_selected (self->method_row);
}

static char *
get_stripped (GtkEditable *editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (editable)));
}

static void
show_problem (GtkLabel   *label,
              GtkWidget  *row,
              const char *problem)
{
  gtk_label_set_text (label, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (label), problem != NULL);
  if (row == NULL)
    return;
  if (problem != NULL)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
}

/* Derives every message and the Connect button from what is entered. Name problems show while
 * typing; the rest once Connect was pressed, so nobody is scolded for a half-typed domain. */
static void
validate (MusterConnectDialog *self)
{
  g_autofree char *name = get_stripped (GTK_EDITABLE (self->name_row));
  g_autofree char *tenant = get_stripped (GTK_EDITABLE (self->tenant_row));
  g_autofree char *client_id = get_stripped (GTK_EDITABLE (self->client_id_row));
  g_autofree char *connection_problem = NULL;
  g_autofree char *tenant_problem = NULL;
  const char *secret_problem = NULL;
  const char *certificate_problem = NULL;
  const char *advanced_problem = NULL;
  MusterAuthMode mode = get_mode (self);
  gboolean app_only = mode == MUSTER_AUTH_MODE_SECRET || mode == MUSTER_AUTH_MODE_CERTIFICATE;

  if (*name == '\0')
    connection_problem = self->attempted ? g_strdup (_("Enter a name for this connection.")) : NULL;
  else if (!muster_profile_name_is_valid (name))
    connection_problem = g_strdup (_("Use only letters, digits, “.”, “_” and “-” in the connection name, without spaces."));
  else if (muster_profile_store_lookup (self->store, name) != NULL)
    connection_problem = g_strdup_printf (_("A connection named “%s” exists already. Choose another name."), name);

  if (!muster_connect_dialog_tenant_is_valid (tenant))
    tenant_problem = g_strdup_printf (_("“%s” is not a tenant ID or domain. Enter a GUID, a domain such as contoso.onmicrosoft.com, or nothing."),
                                      tenant);
  else if (app_only && tenant_is_generic (tenant))
    tenant_problem = g_strdup (_("App-only sign-in needs the tenant ID or one of its domains."));

  if (*client_id != '\0' && !is_guid (client_id))
    advanced_problem = _("A client ID looks like 00000000-0000-0000-0000-000000000000.");
  else if (app_only && (*client_id == '\0' || g_ascii_strcasecmp (client_id, MUSTER_DEFAULT_CLIENT_ID) == 0))
    advanced_problem = _("App-only sign-in needs the client ID of your own app registration.");

  if (mode == MUSTER_AUTH_MODE_SECRET && *gtk_editable_get_text (GTK_EDITABLE (self->secret_row)) == '\0')
    secret_problem = _("Enter the value of the client secret.");
  if (mode == MUSTER_AUTH_MODE_CERTIFICATE && (self->certificate_file == NULL || self->key_file == NULL))
    certificate_problem = _("Choose the certificate and its private key.");

  g_clear_pointer (&self->problem, g_free);
  if (connection_problem != NULL)
    self->problem = g_strdup (connection_problem);
  else if (*name == '\0')
    self->problem = g_strdup (_("Enter a name for this connection."));
  else if (tenant_problem != NULL)
    self->problem = g_strdup (tenant_problem);
  else if (secret_problem != NULL)
    self->problem = g_strdup (secret_problem);
  else if (certificate_problem != NULL)
    self->problem = g_strdup (certificate_problem);
  else if (advanced_problem != NULL)
    self->problem = g_strdup (advanced_problem);

  show_problem (self->connection_error_label, GTK_WIDGET (self->name_row), connection_problem);
  if (self->attempted)
    {
      if (connection_problem == NULL && tenant_problem != NULL)
        show_problem (self->connection_error_label, NULL, tenant_problem);
      if (tenant_problem != NULL)
        gtk_widget_add_css_class (GTK_WIDGET (self->tenant_row), "error");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->tenant_row), "error");
      show_problem (self->secret_error_label, GTK_WIDGET (self->secret_row), secret_problem);
      show_problem (self->certificate_error_label, NULL, certificate_problem);
      show_problem (self->advanced_error_label, GTK_WIDGET (self->client_id_row), advanced_problem);
      if (advanced_problem != NULL)
        adw_expander_row_set_expanded (self->advanced_row, TRUE);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.connect",
                                 !self->busy && *name != '\0' && connection_problem == NULL
                                 && (!self->attempted || self->problem == NULL));
}

static void
update_client_subtitle (MusterConnectDialog *self)
{
  g_autofree char *client_id = get_stripped (GTK_EDITABLE (self->client_id_row));

  if (*client_id == '\0')
    adw_expander_row_set_subtitle (self->advanced_row, _("Client: Microsoft Graph Command Line Tools"));
  else
    {
      g_autofree char *subtitle = g_strdup_printf (_("Client: %s"), client_id);
      adw_expander_row_set_subtitle (self->advanced_row, subtitle);
    }
}

/* Connecting ---------------------------------------------------------------------------- */

static MusterProfile *
build_profile (MusterConnectDialog *self)
{
  g_autofree char *name = get_stripped (GTK_EDITABLE (self->name_row));
  g_autofree char *tenant = get_stripped (GTK_EDITABLE (self->tenant_row));
  g_autofree char *client_id = get_stripped (GTK_EDITABLE (self->client_id_row));
  MusterProfile *profile = muster_profile_new (name);

  muster_profile_set_tenant (profile, *tenant != '\0' ? tenant : "organizations");
  if (*client_id != '\0')
    muster_profile_set_client_id (profile, client_id);
  muster_profile_set_cloud (profile, (MusterCloud) adw_combo_row_get_selected (self->cloud_row));
  muster_profile_set_auth_mode (profile, get_mode (self));
  if (get_mode (self) == MUSTER_AUTH_MODE_CERTIFICATE)
    muster_profile_set_certificate (profile, self->certificate_file, self->key_file);
  return profile;
}

static void
set_busy (MusterConnectDialog *self,
          gboolean             busy)
{
  self->busy = busy;
  validate (self);
}

static void
show_error_dialog (MusterConnectDialog *self,
                   const char          *heading,
                   const char          *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  MusterConnectDialog *dialog;
  MusterProfile       *profile;
} Addition;

static void
profile_saved_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Addition *addition = user_data;
  g_autoptr(MusterConnectDialog) self = addition->dialog;
  g_autoptr(MusterProfile) profile = addition->profile;
  g_autoptr(GError) error = NULL;

  g_free (addition);
  if (!muster_profile_store_save_finish (MUSTER_PROFILE_STORE (source), result, &error))
    {
      /* what is on disk is the truth: take the connection out of the list again */
      muster_profile_store_remove (self->store, muster_profile_get_name (profile), NULL);
      set_busy (self, FALSE);
      show_problem (self->connection_error_label, GTK_WIDGET (self->name_row), error->message);
      return;
    }
  /* muster_profile_store_add made the first profile the default, before the save */
  g_signal_emit (self, signals[SIGNAL_PROFILE_ADDED], 0, profile);
  gtk_window_close (GTK_WINDOW (self));
}

static void
add_profile (MusterConnectDialog *self)
{
  g_autoptr(MusterProfile) profile = build_profile (self);
  g_autoptr(GError) error = NULL;
  Addition *addition;

  if (!muster_profile_store_add (self->store, profile, &error))
    {
      set_busy (self, FALSE);
      show_problem (self->connection_error_label, GTK_WIDGET (self->name_row), error->message);
      return;
    }
  /* profiles.ini is fsync'd: never on the main loop */
  addition = g_new0 (Addition, 1);
  addition->dialog = g_object_ref (self);
  addition->profile = g_steal_pointer (&profile);
  muster_profile_store_save_async (self->store, NULL, profile_saved_cb, addition);
}

static void
secret_stored_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(MusterConnectDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!muster_keyring_store_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      show_error_dialog (self,
                         g_error_matches (error, MUSTER_KEYRING_ERROR, MUSTER_KEYRING_ERROR_NO_SERVICE)
                           ? _("No Keyring Available") : _("Could Not Store the Client Secret"),
                         error->message);
      return;
    }
  add_profile (self);
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  MusterConnectDialog *self = MUSTER_CONNECT_DIALOG (widget);
  g_autofree char *name = NULL;
  g_autofree char *tenant = NULL;

  self->attempted = TRUE;
  validate (self);
  if (self->problem != NULL)
    return;

  set_busy (self, TRUE);
  if (get_mode (self) != MUSTER_AUTH_MODE_SECRET)
    {
      add_profile (self);
      return;
    }

  /* The secret goes to the keyring before the profile exists, so a profile never waits for a
   * secret that could not be kept. */
  name = get_stripped (GTK_EDITABLE (self->name_row));
  tenant = get_stripped (GTK_EDITABLE (self->tenant_row));
  muster_keyring_store_async (name, tenant, MUSTER_SECRET_CLIENT_SECRET,
                              gtk_editable_get_text (GTK_EDITABLE (self->secret_row)),
                              self->cancellable, secret_stored_cb, g_object_ref (self));
}

static void
chooser_response_cb (MusterConnectDialog  *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  gboolean is_key = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "muster-key"));
  g_autoptr(GFile) file = NULL;
  char *path;

  if (response == GTK_RESPONSE_ACCEPT
      && (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL
      && (path = g_file_get_path (file)) != NULL)
    {
      g_autofree char *basename = g_path_get_basename (path);

      if (is_key)
        {
          g_free (self->key_file);
          self->key_file = path;
          adw_action_row_set_subtitle (self->key_row, basename);
        }
      else
        {
          g_free (self->certificate_file);
          self->certificate_file = path;
          adw_action_row_set_subtitle (self->certificate_row, basename);
        }
      validate (self);
    }
  g_clear_object (&self->chooser);
}

static void
choose_file (MusterConnectDialog *self,
             gboolean             is_key)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (is_key ? _("Choose the Private Key") : _("Choose the Certificate"),
                                               GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("PEM Files"));
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, is_key ? "*.key" : "*.crt");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);
  g_object_set_data (G_OBJECT (self->chooser), "muster-key", GINT_TO_POINTER (is_key));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
choose_certificate_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  choose_file (MUSTER_CONNECT_DIALOG (widget), FALSE);
}

static void
choose_key_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  choose_file (MUSTER_CONNECT_DIALOG (widget), TRUE);
}

/* Signal callbacks ---------------------------------------------------------------------- */

static void
connect_dialog_changed_cb (MusterConnectDialog *self)
{
  update_client_subtitle (self);
  validate (self);
}

static void
connect_dialog_method_changed_cb (MusterConnectDialog *self)
{
  static const char *descriptions[] = {
    N_("Sign in as an administrator in your web browser."),
    N_("Sign in on another device with a short code, for computers without a browser."),
    N_("Sign in as your own app registration with a client secret, for unattended syncs."),
    N_("Sign in as your own app registration with a certificate, for unattended syncs."),
  };
  MusterAuthMode mode = get_mode (self);

  if (mode < G_N_ELEMENTS (descriptions))
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->method_row), _(descriptions[mode]));
  gtk_widget_set_visible (GTK_WIDGET (self->secret_group), mode == MUSTER_AUTH_MODE_SECRET);
  gtk_widget_set_visible (GTK_WIDGET (self->certificate_group), mode == MUSTER_AUTH_MODE_CERTIFICATE);
  validate (self);
}

/* GObject ------------------------------------------------------------------------------- */

static void
muster_connect_dialog_dispose (GObject *object)
{
  MusterConnectDialog *self = MUSTER_CONNECT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_CONNECT_DIALOG);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (muster_connect_dialog_parent_class)->dispose (object);
}

static void
muster_connect_dialog_finalize (GObject *object)
{
  MusterConnectDialog *self = MUSTER_CONNECT_DIALOG (object);

  g_free (self->certificate_file);
  g_free (self->key_file);
  g_free (self->problem);

  G_OBJECT_CLASS (muster_connect_dialog_parent_class)->finalize (object);
}

static void
muster_connect_dialog_class_init (MusterConnectDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_connect_dialog_dispose;
  object_class->finalize = muster_connect_dialog_finalize;

  signals[SIGNAL_PROFILE_ADDED] =
    g_signal_new ("profile-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, MUSTER_TYPE_PROFILE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-connect-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, connect_button);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, tenant_row);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, cloud_row);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, method_row);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, connection_error_label);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, secret_group);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, secret_row);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, secret_error_label);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, certificate_group);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, certificate_row);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, key_row);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, certificate_error_label);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, client_id_row);

  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, client_id_help_label);
  gtk_widget_class_bind_template_child (widget_class, MusterConnectDialog, advanced_error_label);
  gtk_widget_class_bind_template_callback (widget_class, connect_dialog_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, connect_dialog_method_changed_cb);

  gtk_widget_class_install_action (widget_class, "dialog.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "dialog.choose-certificate", NULL, choose_certificate_action);
  gtk_widget_class_install_action (widget_class, "dialog.choose-key", NULL, choose_key_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
muster_connect_dialog_init (MusterConnectDialog *self)
{
  g_autofree char *help = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  help = g_strdup_printf (_("Left empty, Muster signs in as Microsoft Graph Command Line Tools (%s), "
                            "which needs no app registration. Your own app registration needs the "
                            "redirect URI http://localhost."),
                          MUSTER_DEFAULT_CLIENT_ID);
  gtk_label_set_text (self->client_id_help_label, help);
}

MusterConnectDialog *
muster_connect_dialog_new (GtkWindow          *parent,
                           MusterProfileStore *store)
{
  MusterConnectDialog *self;

  g_return_val_if_fail (MUSTER_IS_PROFILE_STORE (store), NULL);

  self = g_object_new (MUSTER_TYPE_CONNECT_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  connect_dialog_method_changed_cb (self);
  return self;
}

const char *
muster_connect_dialog_get_problem (MusterConnectDialog *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECT_DIALOG (self), NULL);
  return self->problem;
}

gboolean
muster_connect_dialog_tenant_is_valid (const char *tenant)
{
  g_return_val_if_fail (tenant != NULL, FALSE);
  return tenant_is_generic (tenant) || is_guid (tenant) || is_domain (tenant);
}
