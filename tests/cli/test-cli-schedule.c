/* test-cli-schedule.c: muster-cli schedule and sync — the timer's units, the run they start,
 * one run at a time, and the notifications a run that needs the admin sends
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The units are written into a private XDG_CONFIG_HOME and checked by `systemd-analyze --user
 * verify`; the service's command line and environment are read back from its file and run as
 * systemd would run them, against the fake tenant, into a SQLite file. The test owns
 * org.freedesktop.Notifications on its session bus (the tests run under dbus-run-session) with
 * a server object of its own, in a thread of its own so that it answers while muster-cli runs,
 * and counts what it is asked to show. That bus has no systemd user manager, which is the case
 * `schedule enable` then explains.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli-test-util.h"
#include "fake-test-util.h"

#define PROFILE "schedule-cli"

/* The fake notification server --------------------------------------------------------------- */

/* A D-Bus service the test runs in a thread of its own, so that it answers while the test
 * waits for muster-cli. */
typedef struct
{
  GMutex        lock;
  GCond         cond;
  GMainContext *context;
  GMainLoop    *loop;
  GThread      *thread;
  gboolean      owned;
  gboolean      ready;
} Service;

typedef struct
{
  Service       base;
  guint         calls;
  char         *app_name;
  char         *summary;
  char         *body;
  char         *desktop_entry;
  gboolean      default_action;
  gboolean      gtk;            /* serves org.gtk.Notifications, not the freedesktop one */
  char         *tag;            /* org.gtk.Notifications: the notification's id */
  char         *action;         /* …its default action */
  char         *target;         /* …and that action's target, printed */
} Notifications;

static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "<arg type='u' direction='out'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "</interface></node>";

/* GTK's own interface, as gio/gnotification-server.c serves it */
static const char gtk_notifications_xml[] =
  "<node><interface name='org.gtk.Notifications'>"
  "<method name='AddNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='a{sv}' direction='in'/></method>"
  "<method name='RemoveNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/></method>"
  "</interface></node>";

static void
notifications_method_cb (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *path,
                         const char            *interface,
                         const char            *method,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  Notifications *n = user_data;

  if (g_str_equal (method, "AddNotification"))
    {
      g_autoptr(GVariant) notification = NULL;
      g_autoptr(GVariant) target = NULL;
      const char *app_id, *id;

      g_variant_get (parameters, "(&s&s@a{sv})", &app_id, &id, &notification);
      g_mutex_lock (&n->base.lock);
      n->calls++;
      g_free (n->app_name);
      n->app_name = g_strdup (app_id);
      g_free (n->tag);
      n->tag = g_strdup (id);
      g_clear_pointer (&n->summary, g_free);
      g_clear_pointer (&n->body, g_free);
      g_clear_pointer (&n->action, g_free);
      g_clear_pointer (&n->target, g_free);
      g_variant_lookup (notification, "title", "s", &n->summary);
      g_variant_lookup (notification, "body", "s", &n->body);
      g_variant_lookup (notification, "default-action", "s", &n->action);
      target = g_variant_lookup_value (notification, "default-action-target", NULL);
      if (target != NULL)
        n->target = g_variant_print (target, FALSE);
      g_mutex_unlock (&n->base.lock);
      g_dbus_method_invocation_return_value (invocation, NULL);
      return;
    }
  if (g_str_equal (method, "RemoveNotification"))
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
      return;
    }
  if (g_str_equal (method, "Notify"))
    {
      g_autoptr(GVariant) actions = NULL;
      g_autoptr(GVariant) hints = NULL;
      const char *app_name, *icon, *summary, *body;
      guint32 replaces;
      gint32 timeout;
      guint id;

      g_variant_get (parameters, "(&su&s&s&s@as@a{sv}i)", &app_name, &replaces, &icon, &summary, &body,
                     &actions, &hints, &timeout);
      g_mutex_lock (&n->base.lock);
      id = ++n->calls;
      g_free (n->app_name);
      n->app_name = g_strdup (app_name);
      g_free (n->summary);
      n->summary = g_strdup (summary);
      g_free (n->body);
      n->body = g_strdup (body);
      g_free (n->desktop_entry);
      n->desktop_entry = NULL;
      g_variant_lookup (hints, "desktop-entry", "s", &n->desktop_entry);
      n->default_action = FALSE;
      for (gsize i = 0; i + 1 < g_variant_n_children (actions); i += 2)
        {
          const char *key = NULL;

          g_variant_get_child (actions, i, "&s", &key);
          n->default_action |= g_str_equal (key, "default");
        }
      g_mutex_unlock (&n->base.lock);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", id));
    }
  else
    g_dbus_method_invocation_return_value (invocation, g_variant_new_parsed ("(@as ['body', 'actions'],)"));
}

static void
name_cb (GDBusConnection *connection,
         const char      *name,
         gpointer         user_data)
{
  Service *n = user_data;

  g_mutex_lock (&n->lock);
  n->owned = connection != NULL && g_dbus_connection_get_unique_name (connection) != NULL;
  n->ready = TRUE;
  g_cond_signal (&n->cond);
  g_mutex_unlock (&n->lock);
}

static void
name_lost_cb (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  Service *n = user_data;

  g_mutex_lock (&n->lock);
  n->owned = FALSE;
  n->ready = TRUE;
  g_cond_signal (&n->cond);
  g_mutex_unlock (&n->lock);
}

static gpointer
notifications_thread (gpointer data)
{
  Notifications *n = data;
  static const GDBusInterfaceVTable vtable = { notifications_method_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (n->gtk ? gtk_notifications_xml : notifications_xml,
                                                                NULL);
  const char *name = n->gtk ? "org.gtk.Notifications" : "org.freedesktop.Notifications";
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  guint owner = 0, object = 0;

  g_main_context_push_thread_default (n->base.context);
  /* a connection of its own, dispatched in this thread */
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (address != NULL)
    bus = g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);
  if (bus != NULL)
    object = g_dbus_connection_register_object (bus, n->gtk ? "/org/gtk/Notifications" : "/org/freedesktop/Notifications",
                                                info->interfaces[0], &vtable,
                                                n, NULL, &error);
  if (object == 0)
    {
      g_test_message ("no fake notification server: %s", error ? error->message : "?");
      name_lost_cb (NULL, NULL, &n->base);
    }
  else
    owner = g_bus_own_name_on_connection (bus, name, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                          name_cb, name_lost_cb, &n->base, NULL);
  g_main_loop_run (n->base.loop);
  if (owner != 0)
    g_bus_unown_name (owner);
  if (object != 0)
    g_dbus_connection_unregister_object (bus, object);
  if (bus != NULL)
    g_dbus_connection_flush_sync (bus, NULL, NULL);
  g_main_context_pop_thread_default (n->base.context);
  return NULL;
}

static void
service_start (Service     *service,
               const char  *name,
               GThreadFunc  thread,
               gpointer     data)
{
  g_mutex_init (&service->lock);
  g_cond_init (&service->cond);
  service->context = g_main_context_new ();
  service->loop = g_main_loop_new (service->context, FALSE);
  service->thread = g_thread_new (name, thread, data);
  g_mutex_lock (&service->lock);
  while (!service->ready)
    g_cond_wait (&service->cond, &service->lock);
  g_mutex_unlock (&service->lock);
}

static gboolean
quit_cb (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
service_stop (Service *service)
{
  g_main_context_invoke (service->context, quit_cb, service->loop);
  g_thread_join (service->thread);
  g_main_loop_unref (service->loop);
  g_main_context_unref (service->context);
  g_mutex_clear (&service->lock);
  g_cond_clear (&service->cond);
}

static Notifications *
notifications_start (gboolean gtk)
{
  Notifications *n = g_new0 (Notifications, 1);

  n->gtk = gtk;
  service_start (&n->base, "notifications", notifications_thread, n);
  return n;
}

static void
notifications_stop (Notifications *n)
{
  service_stop (&n->base);
  g_free (n->app_name);
  g_free (n->summary);
  g_free (n->body);
  g_free (n->desktop_entry);
  g_free (n->tag);
  g_free (n->action);
  g_free (n->target);
  g_free (n);
}

static guint
notifications_count (Notifications *n)
{
  guint calls;

  g_mutex_lock (&n->base.lock);
  calls = n->calls;
  g_mutex_unlock (&n->base.lock);
  return calls;
}

/* The fake systemd user manager ------------------------------------------------------------- */

/* The part of org.freedesktop.systemd1(5) that muster-cli uses, recording the calls in order
 * ("Reload", "EnableUnitFiles NAME", …) and whether the timer's file existed at each. */
typedef struct
{
  Service       base;
  char         *timer_path;    /* the unit file the calls are about */
  GPtrArray    *calls;
  gboolean      enabled;
  gboolean      active;
} Systemd;

#define TEST_NEXT_ELAPSE G_GUINT64_CONSTANT (1893456000000000)  /* 2030-01-01 00:00 UTC */

static const char systemd_xml[] =
  "<node>"
  "<interface name='org.freedesktop.systemd1.Manager'>"
  "<method name='Reload'/>"
  "<method name='EnableUnitFiles'><arg type='as' direction='in'/><arg type='b' direction='in'/>"
  "<arg type='b' direction='in'/><arg type='b' direction='out'/><arg type='a(sss)' direction='out'/></method>"
  "<method name='DisableUnitFiles'><arg type='as' direction='in'/><arg type='b' direction='in'/>"
  "<arg type='a(sss)' direction='out'/></method>"
  "<method name='StartUnit'><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='o' direction='out'/></method>"
  "<method name='StopUnit'><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='o' direction='out'/></method>"
  "<method name='LoadUnit'><arg type='s' direction='in'/><arg type='o' direction='out'/></method>"
  "</interface>"
  "<interface name='org.freedesktop.systemd1.Unit'>"
  "<property name='ActiveState' type='s' access='read'/>"
  "<property name='UnitFileState' type='s' access='read'/>"
  "</interface>"
  "<interface name='org.freedesktop.systemd1.Timer'>"
  "<property name='NextElapseUSecRealtime' type='t' access='read'/>"
  "<property name='LastTriggerUSec' type='t' access='read'/>"
  "</interface>"
  "</node>";

#define TEST_UNIT_PATH "/org/freedesktop/systemd1/unit/muster_2dsync_2dtest_2etimer"

static void
systemd_method_cb (GDBusConnection       *connection,
                   const char            *sender,
                   const char            *path,
                   const char            *interface,
                   const char            *method,
                   GVariant              *parameters,
                   GDBusMethodInvocation *invocation,
                   gpointer               user_data)
{
  Systemd *sd = user_data;
  g_autofree char *unit = NULL;
  gboolean exists;

  if (g_variant_n_children (parameters) > 0)
    {
      g_autoptr(GVariant) first = g_variant_get_child_value (parameters, 0);

      if (g_variant_is_of_type (first, G_VARIANT_TYPE_STRING))
        unit = g_variant_dup_string (first, NULL);
      else if (g_variant_is_of_type (first, G_VARIANT_TYPE_STRING_ARRAY) && g_variant_n_children (first) == 1)
        g_variant_get_child (first, 0, "s", &unit);
    }
  g_mutex_lock (&sd->base.lock);
  exists = g_file_test (sd->timer_path, G_FILE_TEST_EXISTS);
  g_ptr_array_add (sd->calls, g_strdup_printf ("%s%s%s%s", method, unit ? " " : "", unit ? unit : "",
                                               exists ? "" : " (no file)"));
  if (g_str_equal (method, "EnableUnitFiles"))
    sd->enabled = TRUE;
  else if (g_str_equal (method, "DisableUnitFiles"))
    sd->enabled = FALSE;
  else if (g_str_equal (method, "StartUnit"))
    sd->active = TRUE;
  else if (g_str_equal (method, "StopUnit"))
    sd->active = FALSE;
  g_mutex_unlock (&sd->base.lock);

  if (g_str_equal (method, "Reload"))
    g_dbus_method_invocation_return_value (invocation, NULL);
  else if (g_str_equal (method, "EnableUnitFiles"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new_parsed ("(true, @a(sss) [])"));
  else if (g_str_equal (method, "DisableUnitFiles"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new_parsed ("(@a(sss) [],)"));
  else if (g_str_equal (method, "StartUnit") || g_str_equal (method, "StopUnit"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new_parsed ("(@o '/org/freedesktop/systemd1/job/7',)"));
  else
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", TEST_UNIT_PATH));
}

static GVariant *
systemd_property_cb (GDBusConnection  *connection,
                     const char       *sender,
                     const char       *path,
                     const char       *interface,
                     const char       *property,
                     GError          **error,
                     gpointer          user_data)
{
  Systemd *sd = user_data;
  GVariant *value;

  g_mutex_lock (&sd->base.lock);
  if (g_str_equal (property, "ActiveState"))
    value = g_variant_new_string (sd->active ? "active" : "inactive");
  else if (g_str_equal (property, "UnitFileState"))
    value = g_variant_new_string (sd->enabled ? "enabled" : "disabled");
  else if (g_str_equal (property, "NextElapseUSecRealtime"))
    value = g_variant_new_uint64 (sd->active ? TEST_NEXT_ELAPSE : 0);
  else
    value = g_variant_new_uint64 (0);
  g_mutex_unlock (&sd->base.lock);
  return value;
}

static gpointer
systemd_thread (gpointer data)
{
  Systemd *sd = data;
  static const GDBusInterfaceVTable vtable = { systemd_method_cb, systemd_property_cb, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (systemd_xml, NULL);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  guint owner = 0, objects[3] = { 0 };

  g_main_context_push_thread_default (sd->base.context);
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (address != NULL)
    bus = g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);
  if (bus != NULL)
    {
      objects[0] = g_dbus_connection_register_object (bus, "/org/freedesktop/systemd1", info->interfaces[0],
                                                      &vtable, sd, NULL, NULL);
      objects[1] = g_dbus_connection_register_object (bus, TEST_UNIT_PATH, info->interfaces[1], &vtable, sd, NULL,
                                                      NULL);
      objects[2] = g_dbus_connection_register_object (bus, TEST_UNIT_PATH, info->interfaces[2], &vtable, sd, NULL,
                                                      NULL);
      owner = g_bus_own_name_on_connection (bus, "org.freedesktop.systemd1", G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                            name_cb, name_lost_cb, &sd->base, NULL);
    }
  else
    name_lost_cb (NULL, NULL, &sd->base);
  g_main_loop_run (sd->base.loop);
  if (owner != 0)
    g_bus_unown_name (owner);
  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    if (objects[i] != 0)
      g_dbus_connection_unregister_object (bus, objects[i]);
  if (bus != NULL)
    g_dbus_connection_flush_sync (bus, NULL, NULL);
  g_main_context_pop_thread_default (sd->base.context);
  return NULL;
}

static Systemd *
systemd_start (const char *timer_path)
{
  Systemd *sd = g_new0 (Systemd, 1);

  sd->timer_path = g_strdup (timer_path);
  sd->calls = g_ptr_array_new_with_free_func (g_free);
  service_start (&sd->base, "systemd", systemd_thread, sd);
  return sd;
}

static void
systemd_stop (Systemd *sd)
{
  service_stop (&sd->base);
  g_free (sd->timer_path);
  g_ptr_array_unref (sd->calls);
  g_free (sd);
}

/* The calls so far, as one line, emptied. */
static char *
systemd_take_calls (Systemd *sd)
{
  char *calls;

  g_mutex_lock (&sd->base.lock);
  g_ptr_array_add (sd->calls, NULL);
  calls = g_strjoinv (", ", (char **) sd->calls->pdata);
  g_ptr_array_set_size (sd->calls, 0);
  g_mutex_unlock (&sd->base.lock);
  return calls;
}

/* The fixture ----------------------------------------------------------------------------- */

typedef struct
{
  MusterFakeTenant *tenant;
  char             *dir;
  char             *config;       /* XDG_CONFIG_HOME of muster-cli */
  char             *unit_dir;
  char             *store;        /* the SQLite target */
  char             *store_uri;
  Notifications    *notifications;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  MusterFakeOptions options;

  f->dir = g_dir_make_tmp ("muster-cli-schedule-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->config = g_strdup (g_getenv ("XDG_CONFIG_HOME"));
  f->unit_dir = g_build_filename (f->config, "systemd", "user", NULL);
  f->store = g_build_filename (f->dir, "people.db", NULL);
  f->store_uri = g_strconcat ("sqlite:", f->store, NULL);
  muster_fake_options_init (&options);
  options.latency_ms = GPOINTER_TO_UINT (data);
  f->tenant = fake_test_start_tenant (&options);
  f->notifications = notifications_start (FALSE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s' '%s/systemd'", f->dir, f->config);

  notifications_stop (f->notifications);
  cli_test_keyring_clear (PROFILE);
  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
  g_free (f->config);
  g_free (f->unit_dir);
  g_free (f->store);
  g_free (f->store_uri);
  g_clear_object (&f->tenant);
}

static char *
unit_file (Fixture    *f,
           const char *suffix)
{
  g_autofree char *name = g_strdup_printf ("muster-sync-%s.%s", PROFILE, suffix);

  return g_build_filename (f->unit_dir, name, NULL);
}

static char *
read_unit (Fixture    *f,
           const char *suffix)
{
  g_autofree char *path = unit_file (f, suffix);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* Words of a systemd command line or assignment as muster-cli writes them: double-quoted, C
 * escapes, %% and $$ (systemd.service(5), "Command lines"). */
static GStrv
unit_words (const char *line)
{
  g_autoptr(GStrvBuilder) words = g_strv_builder_new ();
  const char *p = line;

  while (*p != '\0')
    {
      g_autoptr(GString) word = g_string_new (NULL);

      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      g_assert_cmpint (*p, ==, '"');
      for (p++; *p != '"'; p++)
        {
          g_assert_cmpint (*p, !=, '\0');
          if (*p == '\\')
            g_string_append_c (word, *++p);
          else if ((*p == '%' || *p == '$') && p[1] == *p)
            g_string_append_c (word, *p++);
          else
            g_string_append_c (word, *p);
        }
      p++;
      g_strv_builder_add (words, word->str);
    }
  return g_strv_builder_end (words);
}

/* A sync or any command, run as the service would run it: its ExecStart with its Environment=. */
static Run *
run_as_unit (Fixture *f)
{
  g_autofree char *text = read_unit (f, "service");
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  Run *run = g_new0 (Run, 1);

  /* the user manager's environment: none of muster-cli's own variables but what the unit sets */
  g_subprocess_launcher_unsetenv (launcher, "MUSTER_DATA_DIR");
  g_subprocess_launcher_unsetenv (launcher, "MUSTER_AUTHORITY_HOST");
  g_subprocess_launcher_unsetenv (launcher, "MUSTER_GRAPH_HOST");
  g_subprocess_launcher_unsetenv (launcher, "MUSTER_BROWSER");
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_set_cwd (launcher, "/");
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "Environment="))
        {
          g_auto(GStrv) words = unit_words (lines[i] + strlen ("Environment="));
          g_auto(GStrv) pair = NULL;

          g_assert_cmpuint (g_strv_length (words), ==, 1);
          pair = g_strsplit (words[0], "=", 2);
          g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
        }
      else if (g_str_has_prefix (lines[i], "ExecStart="))
        argv = unit_words (lines[i] + strlen ("ExecStart="));
    }
  g_assert_nonnull (argv);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  if (run->status != 0)
    g_test_message ("the unit's muster-cli exited %d: %s", run->status, run->err);
  return run;
}

static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
exec_sql (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* The history's runs, newest first. */
static JsonArray *
history_runs (Fixture   *f,
              JsonNode **keep)
{
  g_autoptr(Run) runs = CLI (f, "history", "--format", "json");

  g_assert_cmpint (runs->status, ==, 0);
  g_assert_nonnull (runs->json);
  *keep = g_steal_pointer (&runs->json);
  return json_object_get_array_member (json_node_get_object (*keep), "runs");
}

static gboolean
prepare (Fixture *f,
         gboolean sign_in)
{
  if (!cli_test_keyring_usable ())
    return FALSE;
  CLI_OK (f, "profile", "add", PROFILE);
  if (sign_in)
    CLI_OK (f, "login");
  CLI_OK (f, "target", "add", "people", f->store_uri);
  return TRUE;
}

static void
enable (Fixture    *f,
        const char *every)
{
  g_autoptr(Run) run = every ? CLI (f, "schedule", "enable", "--target", "people", "--every", every)
                             : CLI (f, "schedule", "enable", "--target", "people");

  /* the tests' bus has no systemd user manager: written, and the way to enable them by hand */
  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (strstr (run->err, "no systemd user manager"));
  g_assert_nonnull (strstr (run->err, "systemctl --user daemon-reload && systemctl --user enable --now "
                                      "muster-sync-" PROFILE ".timer"));
}

/* Tests ------------------------------------------------------------------------------------- */

/* systemd itself reads the units without a complaint (when systemd-analyze can run here). */
static void
verify_units (Fixture *f)
{
  g_autofree char *analyze = g_find_program_in_path ("systemd-analyze");
  g_autofree char *runtime = g_build_filename (f->dir, "runtime", NULL);
  g_autofree char *timer_path = unit_file (f, "timer");
  g_autofree char *service_path = unit_file (f, "service");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;

  if (analyze == NULL)
    {
      g_test_message ("no systemd-analyze: the units are not verified");
      return;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  /* --user needs a runtime folder of its own to set up its manager in; --man=no, as the
   * page is installed only with Muster */
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", f->config, TRUE);
  g_subprocess_launcher_setenv (launcher, "SYSTEMD_LOG_COLOR", "0", TRUE);
  g_subprocess_launcher_set_cwd (launcher, f->dir);
  process = g_subprocess_launcher_spawn (launcher, &error, analyze, "--user", "verify", "--man=no", timer_path,
                                         service_path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0 &&
      (strstr (output, "Failed to initialize manager") != NULL || strstr (output, "Failed to lookup") != NULL))
    g_test_message ("systemd-analyze cannot run here: %s", output);
  else if (g_subprocess_get_exit_status (process) != 0 || output[0] != '\0')
    g_error ("systemd-analyze --user verify: %s", output);
}

/* The service's ExecStart, word by word. */
static GStrv
exec_start (Fixture *f)
{
  g_autofree char *service = read_unit (f, "service");
  g_auto(GStrv) lines = g_strsplit (service, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "ExecStart="))
      return unit_words (lines[i] + strlen ("ExecStart="));
  g_error ("no ExecStart in %s", service);
}

static void
test_units (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *service = NULL, *timer = NULL, *service_path = NULL, *timer_path = NULL;
  g_autofree char *cli = NULL;
  g_autoptr(Run) status = NULL, off = NULL, bad = NULL, disabled = NULL, again = NULL, scim = NULL;
  g_auto(GStrv) argv = NULL;

  if (!prepare (f, FALSE))
    return;

  bad = CLI (f, "schedule", "enable", "--target", "people", "--every", "daily\nExecStart=/bin/sh");
  g_assert_cmpint (bad->status, ==, 2);
  g_assert_false (g_file_test (f->unit_dir, G_FILE_TEST_EXISTS));
  scim = CLI (f, "schedule", "enable", "--target", "scim:https://scim.example.com/v2");
  g_assert_cmpint (scim->status, ==, 2);
  g_assert_nonnull (strstr (scim->err, "target add"));

  enable (f, "weekly");
  service = read_unit (f, "service");
  timer = read_unit (f, "timer");

  /* the timer: weekly, catching up after the computer was off, spread out in time */
  g_assert_nonnull (strstr (timer, "\nOnCalendar=weekly\n"));
  g_assert_nonnull (strstr (timer, "\nPersistent=true\n"));
  g_assert_nonnull (strstr (timer, "\nRandomizedDelaySec="));
  g_assert_nonnull (strstr (timer, "\nUnit=muster-sync-" PROFILE ".service\n"));
  g_assert_nonnull (strstr (timer, "\nWantedBy=timers.target\n"));

  /* the service: this muster-cli by its real path, the sync of this profile into this target */
  argv = exec_start (f);
  cli = realpath (g_getenv ("MUSTER_CLI"), NULL);
  g_assert_cmpstr (argv[0], ==, cli);
  g_assert_cmpstr (argv[1], ==, "--profile");
  g_assert_cmpstr (argv[2], ==, PROFILE);
  g_assert_cmpstr (argv[3], ==, "sync");
  g_assert_cmpstr (argv[4], ==, "--target");
  g_assert_cmpstr (argv[5], ==, "people");
  g_assert_cmpstr (argv[6], ==, "--scheduled");
  g_assert_null (argv[7]);
  g_assert_nonnull (strstr (service, "\nType=oneshot\n"));

  verify_units (f);

  status = CLI (f, "schedule", "status");
  g_assert_cmpint (status->status, ==, 0);
  g_assert_nonnull (strstr (status->out, ": on\n"));
  g_assert_nonnull (strstr (status->out, "people"));
  g_assert_nonnull (strstr (status->out, "weekly"));
  g_assert_nonnull (strstr (status->out, "none yet"));

  /* enabling again replaces them: a new interval */
  enable (f, "Mon..Fri 06:00");
  g_free (timer);
  timer = read_unit (f, "timer");
  g_assert_nonnull (strstr (timer, "\nOnCalendar=Mon..Fri 06:00\n"));
  verify_units (f);

  /* a target systemd would read otherwise if it were not quoted: %, $, quotes, spaces */
  {
    g_autofree char *odd_dir = g_build_filename (f->dir, "50% of \"$HOME\" \\ n", NULL);
    g_autofree char *odd = g_build_filename (odd_dir, "people.db", NULL);
    g_autofree char *odd_uri = g_strconcat ("sqlite:", odd, NULL);
    g_auto(GStrv) words = NULL;

    g_assert_cmpint (g_mkdir_with_parents (odd_dir, 0700), ==, 0);
    {
      g_autoptr(Run) run = CLI (f, "schedule", "enable", "--target", odd_uri);

      g_assert_cmpint (run->status, ==, 1);
    }
    words = exec_start (f);
    g_assert_cmpstr (words[5], ==, odd_uri);
    verify_units (f);
  }

  disabled = CLI (f, "schedule", "disable");
  g_assert_cmpint (disabled->status, ==, 0);
  g_assert_nonnull (strstr (disabled->err, "removed"));
  timer_path = unit_file (f, "timer");
  service_path = unit_file (f, "service");
  g_assert_false (g_file_test (timer_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (service_path, G_FILE_TEST_EXISTS));
  off = CLI (f, "--json", "schedule", "status");
  g_assert_cmpint (off->status, ==, 0);
  g_assert_nonnull (off->json);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (off->json), "enabled"));
  again = CLI (f, "schedule", "disable");
  g_assert_cmpint (again->status, ==, 0);
  g_assert_nonnull (strstr (again->err, "had no automatic sync"));
}

static void
test_unit_runs (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(Run) first = NULL, second = NULL, status = NULL;
  g_autoptr(JsonNode) keep = NULL;
  JsonArray *runs;
  JsonObject *run;

  if (!prepare (f, TRUE))
    return;
  enable (f, NULL);

  /* no snapshot was fetched by hand: the unit's command fetches, then pushes */
  first = run_as_unit (f);
  g_assert_cmpint (first->status, ==, 0);
  g_assert_nonnull (strstr (first->err, "Snapshot"));
  g_assert_cmpint (query_int (f->store, "SELECT count(*) FROM users WHERE external_id IS NOT NULL"), >=, 5);

  runs = history_runs (f, &keep);
  g_assert_cmpuint (json_array_get_length (runs), ==, 1);
  run = json_array_get_object_element (runs, 0);
  g_assert_cmpstr (json_object_get_string_member (run, "state"), ==, "completed");
  g_assert_true (json_object_get_boolean_member (run, "scheduled"));
  g_assert_cmpint (json_object_get_int_member (run, "total"), >, 0);
  g_assert_cmpint (json_object_get_int_member (run, "done"), ==, json_object_get_int_member (run, "total"));
  g_assert_cmpint (json_object_get_int_member (run, "failed"), ==, 0);

  /* a second run: nothing left to do, recorded too; a good run shows no notification */
  second = run_as_unit (f);
  g_assert_cmpint (second->status, ==, 0);
  g_assert_nonnull (strstr (second->err, "0 changes"));
  g_clear_pointer (&keep, json_node_unref);
  runs = history_runs (f, &keep);
  g_assert_cmpuint (json_array_get_length (runs), ==, 2);
  g_assert_cmpuint (notifications_count (f->notifications), ==, 0);

  {
    const char *id = json_object_get_string_member (json_array_get_object_element (runs, 0), "id");
    g_autoptr(Run) one = CLI (f, "history", "--run", id);

    g_assert_cmpint (one->status, ==, 0);
    g_assert_nonnull (strstr (one->out, "(scheduled)"));
  }

  status = CLI (f, "schedule", "status");
  g_assert_cmpint (status->status, ==, 0);
  g_assert_nonnull (strstr (status->out, "Completed"));
  g_assert_nonnull (strstr (status->out, json_object_get_string_member (json_array_get_object_element (runs, 0), "id")));
}

/* Whether a sync lock in @dir is held by another process. */
static gboolean
lock_is_held (const char *dir)
{
  g_autoptr(GDir) locks = g_dir_open (dir, 0, NULL);
  const char *name;

  while (locks != NULL && (name = g_dir_read_name (locks)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      int fd;
      gboolean held;

      if (!g_str_has_prefix (name, "sync-"))
        continue;
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;
      held = flock (fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
      close (fd);
      if (held)
        return TRUE;
    }
  return FALSE;
}

static void
test_overlap (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) slow = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Run) second = NULL;
  g_autoptr(JsonNode) keep = NULL;
  g_autofree char *locks = g_build_filename (f->dir, "locks", NULL);
  gint64 deadline;

  if (!prepare (f, TRUE))
    return;

  /* a sync slowed down by the fake's latency, and a second one while it runs */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "MUSTER_AUTHORITY_HOST", muster_fake_tenant_get_base_url (f->tenant), TRUE);
  g_subprocess_launcher_setenv (launcher, "MUSTER_GRAPH_HOST", muster_fake_tenant_get_base_url (f->tenant), TRUE);
  g_subprocess_launcher_setenv (launcher, "MUSTER_DATA_DIR", f->dir, TRUE);
  slow = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("MUSTER_CLI"), "--profile", PROFILE, "sync",
                                      "--target", "people", "--scheduled", NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!lock_is_held (locks))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
    }

  second = CLI (f, "--profile", PROFILE, "sync", "--target", "people", "--scheduled");
  g_assert_cmpint (second->status, ==, 1);
  g_assert_nonnull (strstr (second->err, "Another sync"));
  /* still running when the second gave up: it did not wait */
  g_assert_true (lock_is_held (locks));

  g_assert_true (g_subprocess_wait_check (slow, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (history_runs (f, &keep)), ==, 1);
  g_assert_cmpuint (notifications_count (f->notifications), ==, 0);
}

/* The one scheduled run of the run before: its state and message. */
static void
check_last_run (Fixture    *f,
                const char *state)
{
  g_autoptr(JsonNode) keep = NULL;
  JsonObject *run = json_array_get_object_element (history_runs (f, &keep), 0);

  g_assert_cmpstr (json_object_get_string_member (run, "state"), ==, state);
  g_assert_true (json_object_get_boolean_member (run, "scheduled"));
}

static void
check_notified (Fixture    *f,
                guint       count,
                const char *summary_word,
                const char *body_word)
{
  Notifications *n = f->notifications;

  g_mutex_lock (&n->base.lock);
  g_assert_cmpuint (n->calls, ==, count);
  g_assert_cmpstr (n->app_name, ==, "Muster");
  g_assert_cmpstr (n->desktop_entry, ==, APP_ID);
  g_assert_true (n->default_action);
  g_assert_nonnull (strstr (n->summary, summary_word));
  g_assert_nonnull (strstr (n->body, body_word));
  g_assert_nonnull (strstr (n->body, PROFILE));
  g_mutex_unlock (&n->base.lock);
}

/* The first enabled member of the fake directory. */
static char *
some_member_id (Fixture *f)
{
  g_autofree char *token = fake_test_sign_in (f->tenant, "User.Read.All");
  g_autofree char *authorization = g_strdup_printf ("Bearer %s", token);
  const char *headers[] = { "Authorization", authorization, NULL };
  g_autoptr(FakeResponse) page = fake_test_request (f->tenant, "GET",
                                                    "/v1.0/users?$select=id,accountEnabled,userType&$top=999",
                                                    headers, NULL, NULL);
  JsonArray *users;

  g_assert_cmpuint (page->status, ==, 200);
  users = json_object_get_array_member (json_node_get_object (page->json), "value");
  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonObject *user = json_array_get_object_element (users, i);

      if (json_object_get_boolean_member_with_default (user, "accountEnabled", TRUE) &&
          g_strcmp0 (json_object_get_string_member_with_default (user, "userType", "Member"), "Member") == 0)
        return g_strdup (json_object_get_string_member (user, "id"));
    }
  g_assert_not_reached ();
}

static void
test_notifications (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(Run) partial = NULL, good = NULL, refused = NULL, sign_in = NULL, logout = NULL;
  g_autofree char *refused_id = NULL;
  g_autofree char *sql = NULL;

  if (!prepare (f, TRUE))
    return;
  if (!f->notifications->base.owned)
    {
      g_test_skip ("org.freedesktop.Notifications is taken on this bus");
      return;
    }

  /* 4: the store refuses one person, the rest go in */
  refused_id = some_member_id (f);
  sql = g_strdup_printf ("CREATE TRIGGER test_refuse BEFORE INSERT ON users WHEN NEW.external_id = '%s' "
                         "BEGIN SELECT RAISE (ABORT, 'refused by the test'); END;", refused_id);
  exec_sql (f->store, sql);
  partial = CLI (f, "sync", "--target", "people", "--exclude-guests", "--scheduled");
  g_assert_cmpint (partial->status, ==, 4);
  check_last_run (f, "partial");
  check_notified (f, 1, "partly failed", "History");

  /* a good run stays silent */
  exec_sql (f->store, "DROP TRIGGER test_refuse");
  good = CLI (f, "sync", "--target", "people", "--exclude-guests", "--scheduled");
  g_assert_cmpint (good->status, ==, 0);
  check_last_run (f, "completed");
  g_assert_cmpuint (notifications_count (f->notifications), ==, 1);

  /* 5: narrowed to one small group, it would disable most of the store */
  refused = CLI (f, "sync", "--target", "people", "--group", "Engineering - Apps", "--scheduled");
  g_assert_cmpint (refused->status, ==, 5);
  check_last_run (f, "refused");
  check_notified (f, 2, "safety limit", "Nothing was changed");
  g_assert_cmpint (query_int (f->store, "SELECT count(*) FROM users WHERE active = 0"), ==, 0);

  /* 3: signed out, the run cannot fetch; it is in the history all the same */
  logout = CLI (f, "logout");
  g_assert_cmpint (logout->status, ==, 0);
  sign_in = CLI (f, "sync", "--target", "people", "--scheduled");
  g_assert_cmpint (sign_in->status, ==, 3);
  check_last_run (f, "failed");
  check_notified (f, 3, "sign in", "login");

  /* a sync by hand is recorded, but tells nobody: its output is there to read */
  {
    g_autoptr(Run) by_hand = CLI (f, "sync", "--target", "people");
    g_autoptr(JsonNode) keep = NULL;
    JsonObject *run;

    g_assert_cmpint (by_hand->status, ==, 3);
    run = json_array_get_object_element (history_runs (f, &keep), 0);
    g_assert_false (json_object_get_boolean_member (run, "scheduled"));
    g_assert_cmpuint (notifications_count (f->notifications), ==, 3);
  }
}

/* Where GTK's notification server runs (GNOME Shell), the notification carries the app action
 * that opens the app at what needs the admin, with the run it is about. */
static void
check_action (Notifications *n,
              guint          count,
              const char    *summary_word,
              const char    *page,
              const char    *run_id)
{
  g_autofree char *target = g_strdup_printf ("('%s', '%s', '%s')", PROFILE, page, run_id);

  g_mutex_lock (&n->base.lock);
  g_assert_cmpuint (n->calls, ==, count);
  g_assert_cmpstr (n->app_name, ==, APP_ID);
  g_assert_cmpstr (n->tag, ==, "scheduled-sync-" PROFILE);
  g_assert_nonnull (strstr (n->summary, summary_word));
  g_assert_nonnull (strstr (n->body, PROFILE));
  g_assert_cmpstr (n->action, ==, "app.open-page");
  g_assert_cmpstr (n->target, ==, target);
  g_mutex_unlock (&n->base.lock);
}

static const char *
last_run_id (Fixture   *f,
             JsonNode **keep)
{
  JsonObject *run = json_array_get_object_element (history_runs (f, keep), 0);

  return json_object_get_string_member (run, "id");
}

static void
test_notification_actions (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(Run) partial = NULL, good = NULL, refused = NULL, sign_in = NULL, logout = NULL;
  g_autofree char *refused_id = NULL;
  g_autofree char *sql = NULL;
  Notifications *gtk;

  if (!prepare (f, TRUE))
    return;
  gtk = notifications_start (TRUE);
  if (!gtk->base.owned)
    {
      notifications_stop (gtk);
      g_test_skip ("org.gtk.Notifications is taken on this bus");
      return;
    }

  /* 4 → the History, at this run */
  refused_id = some_member_id (f);
  sql = g_strdup_printf ("CREATE TRIGGER test_refuse BEFORE INSERT ON users WHEN NEW.external_id = '%s' "
                         "BEGIN SELECT RAISE (ABORT, 'refused by the test'); END;", refused_id);
  exec_sql (f->store, sql);
  partial = CLI (f, "sync", "--target", "people", "--exclude-guests", "--scheduled");
  g_assert_cmpint (partial->status, ==, 4);
  {
    g_autoptr(JsonNode) keep = NULL;

    check_action (gtk, 1, "partly failed", "history", last_run_id (f, &keep));
  }

  /* a good run stays silent on both interfaces */
  exec_sql (f->store, "DROP TRIGGER test_refuse");
  good = CLI (f, "sync", "--target", "people", "--exclude-guests", "--scheduled");
  g_assert_cmpint (good->status, ==, 0);
  g_assert_cmpuint (notifications_count (gtk), ==, 1);

  /* 5 → the Preview */
  refused = CLI (f, "sync", "--target", "people", "--group", "Engineering - Apps", "--scheduled");
  g_assert_cmpint (refused->status, ==, 5);
  {
    g_autoptr(JsonNode) keep = NULL;

    check_action (gtk, 2, "safety limit", "preview", last_run_id (f, &keep));
  }

  /* 3 → signing in */
  logout = CLI (f, "logout");
  g_assert_cmpint (logout->status, ==, 0);
  sign_in = CLI (f, "sync", "--target", "people", "--scheduled");
  g_assert_cmpint (sign_in->status, ==, 3);
  {
    g_autoptr(JsonNode) keep = NULL;

    check_action (gtk, 3, "sign in", "sign-in", last_run_id (f, &keep));
  }

  /* GTK's server took every one: the freedesktop one, the fallback, was not asked */
  g_assert_cmpuint (notifications_count (f->notifications), ==, 0);
  notifications_stop (gtk);
}

static void
test_manager (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *timer_path = unit_file (f, "timer");
  g_autofree char *service_path = unit_file (f, "service");
  g_autofree char *calls = NULL;
  g_autoptr(Run) enabled = NULL, status = NULL, disabled = NULL;
  Systemd *sd;

  if (!prepare (f, FALSE))
    return;
  sd = systemd_start (timer_path);
  if (!sd->base.owned)
    {
      systemd_stop (sd);
      g_test_skip ("org.freedesktop.systemd1 is taken on this bus");
      return;
    }

  /* written first, then reloaded, enabled for good and started */
  enabled = CLI (f, "schedule", "enable", "--target", "people", "--every", "hourly");
  g_assert_cmpint (enabled->status, ==, 0);
  g_assert_nonnull (strstr (enabled->err, "is on"));
  calls = systemd_take_calls (sd);
  g_assert_cmpstr (calls, ==, "Reload, EnableUnitFiles muster-sync-" PROFILE ".timer, "
                              "StartUnit muster-sync-" PROFILE ".timer");
  g_assert_true (g_file_test (service_path, G_FILE_TEST_EXISTS));

  /* the timer's state and next run come from the manager */
  status = CLI (f, "schedule", "status");
  g_assert_cmpint (status->status, ==, 0);
  g_assert_nonnull (strstr (status->out, "active (enabled)"));
  g_assert_nonnull (strstr (status->out, "2030-01-01 00:00:00"));
  g_assert_nonnull (strstr (status->out, "hourly"));
  g_clear_pointer (&calls, g_free);
  calls = systemd_take_calls (sd);
  g_assert_cmpstr (calls, ==, "LoadUnit muster-sync-" PROFILE ".timer");

  /* stopped and disabled while the files are there, reloaded once they are gone */
  disabled = CLI (f, "schedule", "disable");
  g_assert_cmpint (disabled->status, ==, 0);
  g_clear_pointer (&calls, g_free);
  calls = systemd_take_calls (sd);
  g_assert_cmpstr (calls, ==, "StopUnit muster-sync-" PROFILE ".timer, DisableUnitFiles muster-sync-" PROFILE
                              ".timer, Reload (no file)");
  g_assert_false (g_file_test (timer_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (service_path, G_FILE_TEST_EXISTS));
  systemd_stop (sd);
}

/* A history written before runs had a "scheduled" column gains it, its runs kept as by hand. */
static void
test_history_upgrade (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *history = g_build_filename (f->dir, "history.db", NULL);
  g_autoptr(Run) by_hand = NULL, scheduled = NULL;
  g_autoptr(JsonNode) keep = NULL;
  JsonArray *runs;

  if (!prepare (f, TRUE))
    return;
  by_hand = CLI (f, "sync", "--target", "people");
  g_assert_cmpint (by_hand->status, ==, 0);
  exec_sql (history, "ALTER TABLE runs DROP COLUMN scheduled");
  g_assert_cmpint (query_int (history, "SELECT count(*) FROM pragma_table_info ('runs') WHERE name = 'scheduled'"),
                   ==, 0);

  scheduled = CLI (f, "sync", "--target", "people", "--scheduled");
  g_assert_cmpint (scheduled->status, ==, 0);
  runs = history_runs (f, &keep);
  g_assert_cmpuint (json_array_get_length (runs), ==, 2);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (runs, 0), "scheduled"));
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (runs, 1), "scheduled"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (runs, 1), "state"), ==, "completed");

  /* a timer whose target was removed since: that run is in the history too, failed */
  CLI_OK (f, "target", "remove", "people");
  {
    g_autoptr(Run) orphan = CLI (f, "sync", "--target", "people", "--scheduled");
    g_autoptr(JsonNode) after = NULL;
    JsonObject *run;

    g_assert_cmpint (orphan->status, ==, 2);
    runs = history_runs (f, &after);
    g_assert_cmpuint (json_array_get_length (runs), ==, 3);
    run = json_array_get_object_element (runs, 0);
    g_assert_cmpstr (json_object_get_string_member (run, "state"), ==, "failed");
    g_assert_true (json_object_get_boolean_member (run, "scheduled"));
    g_assert_nonnull (strstr (json_object_get_string_member (run, "message"), "people"));
  }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* one private XDG_CONFIG_HOME, inherited by every muster-cli the tests start, set before any
   * thread runs; each test removes the units it made */
  {
    char *config = g_dir_make_tmp ("muster-cli-schedule-config-XXXXXX", NULL);

    g_assert_nonnull (config);
    g_setenv ("XDG_CONFIG_HOME", config, TRUE);
    g_free (config);
  }

  g_test_add ("/cli/schedule/units", Fixture, NULL, fixture_set_up, test_units, fixture_tear_down);
  g_test_add ("/cli/schedule/manager", Fixture, NULL, fixture_set_up, test_manager, fixture_tear_down);
  g_test_add ("/cli/schedule/unit-runs", Fixture, NULL, fixture_set_up, test_unit_runs, fixture_tear_down);
  g_test_add ("/cli/schedule/overlap", Fixture, GUINT_TO_POINTER (50), fixture_set_up, test_overlap,
              fixture_tear_down);
  g_test_add ("/cli/schedule/history-upgrade", Fixture, NULL, fixture_set_up, test_history_upgrade,
              fixture_tear_down);
  g_test_add ("/cli/schedule/notifications", Fixture, NULL, fixture_set_up, test_notifications, fixture_tear_down);
  g_test_add ("/cli/schedule/notification-actions", Fixture, NULL, fixture_set_up, test_notification_actions,
              fixture_tear_down);
  status = g_test_run ();
  g_rmdir (g_getenv ("XDG_CONFIG_HOME"));
  return status;
}
