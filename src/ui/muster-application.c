/* muster-application.c: the app object — app actions, style, command-line options
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-application"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "muster-application.h"
#include "muster-preferences-window.h"
#include "muster-saved-preview-window.h"
#include "muster-window.h"

struct _MusterApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  MusterDemo     *demo_tenant;
  gboolean        demo;
};

G_DEFINE_FINAL_TYPE (MusterApplication, muster_application, ADW_TYPE_APPLICATION)

static void
apply_color_scheme (MusterApplication *self)
{
  static const AdwColorScheme schemes[] = {
    ADW_COLOR_SCHEME_DEFAULT, ADW_COLOR_SCHEME_FORCE_LIGHT, ADW_COLOR_SCHEME_FORCE_DARK,
  };
  guint value = g_settings_get_enum (self->settings, "color-scheme");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      schemes[MIN (value, G_N_ELEMENTS (schemes) - 1)]);
}

static void
settings_color_scheme_changed_cb (MusterApplication *self)
{
  apply_color_scheme (self);
}

static void
muster_application_quit_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
muster_application_preferences_action (GSimpleAction *action,
                                       GVariant      *parameter,
                                       gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  MusterPreferencesWindow *preferences = muster_preferences_window_new (parent);

  gtk_window_present (GTK_WINDOW (preferences));
}

static void
muster_application_about_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  static const char *developers[] = { "The Muster authors", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-name", _("Muster"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Muster authors"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Bring the people of a Microsoft 365 tenant into another system: "
                                      "preview the change, export reports and push to SQLite or SCIM."),
                        "website", "https://github.com/muster-app/muster",
                        "issue-url", "https://github.com/muster-app/muster/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Muster authors",
                        "developers", developers,
                        /* Translators: replace with your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* app.open-page ("(sss)": profile, page, run id): where a scheduled run's notification leads
 * (muster-window-attention.c). The shell activates it over D-Bus, starting the app if need be. */
static void
muster_application_open_page_action (GSimpleAction *action,
                                     GVariant      *parameter,
                                     gpointer       user_data)
{
  MusterApplication *self = MUSTER_APPLICATION (user_data);
  MusterWindow *window = NULL;
  const char *profile, *page, *run_id;

  g_variant_get (parameter, "(&s&s&s)", &profile, &page, &run_id);
  /* the most recently focused main window, not a dialog of it */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL && window == NULL; l = l->next)
    if (MUSTER_IS_WINDOW (l->data))
      window = l->data;
  if (window == NULL)
    window = muster_window_new (self);
  gtk_window_present (GTK_WINDOW (window));
  muster_window_open_page (window, profile, page, run_id);
}

/* Ctrl+C on `muster --demo` in a terminal still signs out of the demo and deletes its folder. */
static gboolean
quit_on_signal_cb (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_REMOVE;
}

static void
muster_application_open_preview_action (GSimpleAction *action,
                                        GVariant      *parameter,
                                        gpointer       user_data)
{
  GtkApplication *application = user_data;

  muster_saved_preview_window_choose (application, gtk_application_get_active_window (application));
}

static const GActionEntry app_actions[] = {
  { "quit", muster_application_quit_action },
  { "open-preview-file", muster_application_open_preview_action },
  { "preferences", muster_application_preferences_action },
  { "about", muster_application_about_action },
  { "open-page", muster_application_open_page_action, "(sss)" },
};

static gint
muster_application_handle_local_options (GApplication *application,
                                         GVariantDict *options)
{
  MusterApplication *self = MUSTER_APPLICATION (application);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("muster %s\n", PACKAGE_VERSION);
      return 0;
    }
  self->demo = g_variant_dict_contains (options, "demo");

  return G_APPLICATION_CLASS (muster_application_parent_class)->handle_local_options (application, options);
}

static void
muster_application_startup (GApplication *application)
{
  MusterApplication *self = MUSTER_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *open_preview_accels[] = { "<Control>o", NULL };

  G_APPLICATION_CLASS (muster_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.open-preview-file", open_preview_accels);

  g_unix_signal_add (SIGINT, quit_on_signal_cb, self);
  g_unix_signal_add (SIGTERM, quit_on_signal_cb, self);

  self->settings = g_settings_new (BASE_APP_ID);
  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (settings_color_scheme_changed_cb), self, G_CONNECT_SWAPPED);
  apply_color_scheme (self);
}

static void
muster_application_activate (GApplication *application)
{
  MusterApplication *self = MUSTER_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));
  gboolean first = window == NULL;

  if (first)
    window = GTK_WINDOW (muster_window_new (self));
  gtk_window_present (window);
  /* `muster --demo` goes straight into the demo tenant's sign-in */
  if (first && self->demo)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.explore-demo", NULL);
}

/* `muster FILE.muster-preview`, a double-click in Files: each file in a saved-preview window of
 * its own, which needs no profile, sign-in or network. */
static void
muster_application_open (GApplication  *application,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  for (int i = 0; i < n_files; i++)
    muster_saved_preview_window_open (GTK_APPLICATION (application),
                                      gtk_application_get_active_window (GTK_APPLICATION (application)), files[i]);
}

static void
muster_application_shutdown (GApplication *application)
{
  MusterApplication *self = MUSTER_APPLICATION (application);

  /* the demo's tokens leave the keyring and its folder the disk */
  if (self->demo_tenant != NULL)
    muster_demo_shutdown (self->demo_tenant);
  G_APPLICATION_CLASS (muster_application_parent_class)->shutdown (application);
}

static void
muster_application_finalize (GObject *object)
{
  MusterApplication *self = MUSTER_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->demo_tenant);
  G_OBJECT_CLASS (muster_application_parent_class)->finalize (object);
}

static void
muster_application_class_init (MusterApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = muster_application_finalize;
  app_class->handle_local_options = muster_application_handle_local_options;
  app_class->startup = muster_application_startup;
  app_class->activate = muster_application_activate;
  app_class->open = muster_application_open;
  app_class->shutdown = muster_application_shutdown;
}

static void
muster_application_init (MusterApplication *self)
{
  static const GOptionEntry entries[] = {
    { "demo", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Start on the built-in demo tenant"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

MusterApplication *
muster_application_new (void)
{
  return g_object_new (MUSTER_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

GSettings *
muster_application_get_settings (MusterApplication *self)
{
  g_return_val_if_fail (MUSTER_IS_APPLICATION (self), NULL);
  return self->settings;
}

MusterDemo *
muster_application_get_demo_tenant (MusterApplication *self)
{
  g_return_val_if_fail (MUSTER_IS_APPLICATION (self), NULL);

  if (self->demo_tenant == NULL)
    self->demo_tenant = muster_demo_new ();
  return self->demo_tenant;
}
