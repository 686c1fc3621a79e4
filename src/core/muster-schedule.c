/* muster-schedule.c: automatic sync through a systemd user timer
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-schedule"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "muster-profile-store.h"
#include "muster-schedule.h"

#define SYSTEMD_BUS_NAME   "org.freedesktop.systemd1"
#define SYSTEMD_PATH       "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER    "org.freedesktop.systemd1.Manager"
#define DBUS_TIMEOUT_MS    25000

/* The variables a scheduled run needs to find what this process uses. None holds a secret. */
static const char * const passed_variables[] = {
  "MUSTER_DATA_DIR", "MUSTER_AUTHORITY_HOST", "MUSTER_GRAPH_HOST", "MUSTER_CA_FILE", NULL
};

G_DEFINE_QUARK (muster-schedule-error-quark, muster_schedule_error)

/* Names and text --------------------------------------------------------------------------- */

/* Like systemd-escape(1), but keeping '-' (these are not template instances, so nothing has to
 * unescape them, and profile names often have one): [A-Za-z0-9:_.-] stay (no leading '.'), the
 * rest becomes \xHH — one name per profile, and every one a valid unit name. */
static char *
escape_unit_part (const char *name)
{
  GString *escaped = g_string_new (NULL);

  for (const char *p = name; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (g_ascii_isalnum (c) || c == ':' || c == '_' || c == '-' || (c == '.' && p != name))
        g_string_append_c (escaped, c);
      else
        g_string_append_printf (escaped, "\\x%02x", c);
    }
  return g_string_free (escaped, FALSE);
}

char *
muster_schedule_dup_unit_name (const char *profile,
                               const char *suffix)
{
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (profile != NULL, NULL);
  g_return_val_if_fail (suffix != NULL, NULL);

  escaped = escape_unit_part (profile);
  return g_strdup_printf ("muster-sync-%s.%s", escaped, suffix);
}

char *
muster_schedule_dup_unit_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "systemd", "user", NULL);
}

static char *
unit_path (const char *profile,
           const char *suffix)
{
  g_autofree char *dir = muster_schedule_dup_unit_dir ();
  g_autofree char *name = muster_schedule_dup_unit_name (profile, suffix);

  return g_build_filename (dir, name, NULL);
}

char *
muster_schedule_dup_manual_command (const char *profile)
{
  g_autofree char *timer = muster_schedule_dup_unit_name (profile, "timer");
  g_autofree char *quoted = NULL;

  /* quoted only when a shell needs it: the usual name reads as systemctl's own examples do */
  if (strspn (timer, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.-@") == strlen (timer))
    quoted = g_strdup (timer);
  else
    quoted = g_shell_quote (timer);

  return g_strdup_printf ("systemctl --user daemon-reload && systemctl --user enable --now %s", quoted);
}

static gboolean
has_control_characters (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

gboolean
muster_schedule_parse_every (const char  *every,
                             char       **on_calendar,
                             guint       *delay_seconds,
                             GError     **error)
{
  guint delay;

  if (every == NULL || g_str_equal (every, "daily"))
    delay = 3600;
  else if (g_str_equal (every, "hourly"))
    delay = 300;
  else if (g_str_equal (every, "weekly"))
    delay = 3600;
  else if (*every == '\0' || has_control_characters (every) || strchr (every, '%') != NULL ||
           strchr (every, '\\') != NULL)
    {
      g_set_error (error, MUSTER_SCHEDULE_ERROR, MUSTER_SCHEDULE_ERROR_INVALID,
                   _("“%s” is not an interval: give hourly, daily, weekly or a calendar event such as “Mon..Fri 06:00”."),
                   every);
      return FALSE;
    }
  else
    delay = 900;  /* a calendar event of the admin's own: stay close to it */

  if (on_calendar != NULL)
    *on_calendar = g_strdup (every != NULL ? every : "daily");
  if (delay_seconds != NULL)
    *delay_seconds = delay;
  return TRUE;
}

/* One word of a command line or an assignment as systemd.service(5) reads it: in double quotes
 * with C escapes, and % (specifiers) and $ (variables) doubled. */
static void
append_quoted (GString    *line,
               const char *word)
{
  g_string_append_c (line, '"');
  for (const char *p = word; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':  g_string_append (line, "\\\""); break;
        case '\\': g_string_append (line, "\\\\"); break;
        case '%':  g_string_append (line, "%%"); break;
        case '$':  g_string_append (line, "$$"); break;
        default:   g_string_append_c (line, *p); break;
        }
    }
  g_string_append_c (line, '"');
}

static gboolean
check_word (const char  *what,
            const char  *value,
            GError     **error)
{
  if (value == NULL || *value == '\0' || has_control_characters (value) || !g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, MUSTER_SCHEDULE_ERROR, MUSTER_SCHEDULE_ERROR_INVALID,
                   _("The %s “%s” cannot go into a systemd unit."), what, value ? value : "");
      return FALSE;
    }
  return TRUE;
}

char *
muster_schedule_build_service (const char  *profile,
                               const char  *target,
                               const char  *cli_path,
                               GError     **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (!check_word ("profile", profile, error) || !check_word ("target", target, error) ||
      !check_word ("program", cli_path, error))
    return NULL;
  if (!g_path_is_absolute (cli_path))
    {
      g_set_error (error, MUSTER_SCHEDULE_ERROR, MUSTER_SCHEDULE_ERROR_INVALID,
                   _("“%s” is not an absolute path to muster-cli."), cli_path);
      return NULL;
    }

  g_string_append (text, "# Written by “muster-cli schedule enable”; “muster-cli schedule disable” removes it.\n"
                         "[Unit]\n");
  g_string_append (text, "Description=Muster: sync profile ");
  /* Description= expands specifiers too */
  for (const char *p = profile; *p != '\0'; p++)
    {
      if (*p == '%')
        g_string_append_c (text, '%');
      g_string_append_c (text, *p);
    }
  g_string_append (text, "\nDocumentation=man:muster-cli(1)\n");
  /* read back by muster_schedule_get_status_async(); systemd ignores X- keys */
  g_string_append_printf (text, "X-Muster-Profile=%s\nX-Muster-Target=%s\n\n", profile, target);
  g_string_append (text, "[Service]\nType=oneshot\n");
  for (guint i = 0; passed_variables[i] != NULL; i++)
    {
      const char *value = g_getenv (passed_variables[i]);
      g_autofree char *assignment = NULL;

      if (value == NULL || has_control_characters (value))
        continue;
      assignment = g_strconcat (passed_variables[i], "=", value, NULL);
      g_string_append (text, "Environment=");
      append_quoted (text, assignment);
      g_string_append_c (text, '\n');
    }
  g_string_append (text, "ExecStart=");
  {
    const char *words[] = { cli_path, "--profile", profile, "sync", "--target", target, "--scheduled", NULL };

    for (guint i = 0; words[i] != NULL; i++)
      {
        if (i > 0)
          g_string_append_c (text, ' ');
        append_quoted (text, words[i]);
      }
  }
  g_string_append_c (text, '\n');
  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
muster_schedule_build_timer (const char  *profile,
                             const char  *every,
                             GError     **error)
{
  g_autofree char *on_calendar = NULL;
  g_autofree char *service = NULL;
  guint delay = 0;

  if (!check_word ("profile", profile, error) || !muster_schedule_parse_every (every, &on_calendar, &delay, error))
    return NULL;
  service = muster_schedule_dup_unit_name (profile, "service");

  return g_strdup_printf ("# Written by “muster-cli schedule enable”; “muster-cli schedule disable” removes it.\n"
                          "[Unit]\n"
                          "Description=Muster: sync profile %s automatically\n"
                          "Documentation=man:muster-cli(1)\n"
                          "X-Muster-Every=%s\n"
                          "\n"
                          "[Timer]\n"
                          "OnCalendar=%s\n"
                          "Persistent=true\n"
                          "RandomizedDelaySec=%u\n"
                          "Unit=%s\n"
                          "\n"
                          "[Install]\n"
                          "WantedBy=timers.target\n",
                          profile, on_calendar, on_calendar, delay, service);
}

/* The user manager ----------------------------------------------------------------------- */

typedef struct
{
  char            *profile;
  char            *target;
  char            *every;
  char            *cli_path;
  char            *timer;          /* unit names */
  char            *service;
  GDBusConnection *bus;
  gboolean         removed;
  gboolean         manager_reached;
  MusterHistory   *history;
  MusterScheduleStatus *status;
} ScheduleData;

static void
schedule_data_free (ScheduleData *data)
{
  g_free (data->profile);
  g_free (data->target);
  g_free (data->every);
  g_free (data->cli_path);
  g_free (data->timer);
  g_free (data->service);
  g_clear_object (&data->bus);
  g_clear_object (&data->history);
  g_clear_pointer (&data->status, muster_schedule_status_free);
  g_free (data);
}

static ScheduleData *
schedule_data_new (const char *profile)
{
  ScheduleData *data = g_new0 (ScheduleData, 1);

  data->profile = g_strdup (profile);
  data->timer = muster_schedule_dup_unit_name (profile, "timer");
  data->service = muster_schedule_dup_unit_name (profile, "service");
  return data;
}

static void
manager_call (GTask               *task,
              const char          *method,
              GVariant            *parameters,
              const GVariantType  *reply_type,
              GAsyncReadyCallback  callback)
{
  ScheduleData *data = g_task_get_task_data (task);

  g_dbus_connection_call (data->bus, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, method, parameters,
                          reply_type, G_DBUS_CALL_FLAGS_NO_AUTO_START, DBUS_TIMEOUT_MS,
                          g_task_get_cancellable (task), callback, task);
}

static GError *
systemd_error (GError     *error,
               const char *what)
{
  GError *wrapped;

  g_dbus_error_strip_remote_error (error);
  wrapped = g_error_new (MUSTER_SCHEDULE_ERROR, MUSTER_SCHEDULE_ERROR_FAILED,
                         _("systemd could not %s: %s"), what, error->message);
  g_error_free (error);
  return wrapped;
}

/* What to do once find_manager() knows whether a user manager runs. */
typedef void (*ManagerFound) (GTask *task);

/* Connects to the session bus and sees whether a user manager owns its name; then calls
 * @next with data->bus set and data->manager_reached. Never fails: no bus is no manager. */
static void
name_has_owner_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  ScheduleData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  ManagerFound next = (ManagerFound) g_object_get_data (G_OBJECT (task), "next");

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
          return;
        }
      g_debug ("Could not ask the session bus for %s: %s", SYSTEMD_BUS_NAME, error->message);
    }
  else
    g_variant_get (reply, "(b)", &data->manager_reached);
  next (task);
}

static void
bus_get_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  ScheduleData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  ManagerFound next = (ManagerFound) g_object_get_data (G_OBJECT (task), "next");

  data->bus = g_bus_get_finish (result, &error);
  if (data->bus == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
          return;
        }
      g_debug ("No session bus: %s", error->message);
      next (task);
      return;
    }
  g_dbus_connection_call (data->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "NameHasOwner", g_variant_new ("(s)", SYSTEMD_BUS_NAME), G_VARIANT_TYPE ("(b)"),
                          G_DBUS_CALL_FLAGS_NONE, DBUS_TIMEOUT_MS, g_task_get_cancellable (task),
                          name_has_owner_cb, task);
}

static void
find_manager (GTask        *task,
              ManagerFound  next)
{
  g_object_set_data (G_OBJECT (task), "next", (gpointer) next);
  g_bus_get (G_BUS_TYPE_SESSION, g_task_get_cancellable (task), bus_get_cb, task);
}

/* Enable ---------------------------------------------------------------------------------- */

static gboolean
write_unit (const char  *path,
            const char  *text,
            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) local = NULL;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, MUSTER_SCHEDULE_ERROR, MUSTER_SCHEDULE_ERROR_FAILED,
                   _("The folder “%s” cannot be created: %s."), dir, g_strerror (saved));
      return FALSE;
    }
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local))
    {
      g_set_error (error, MUSTER_SCHEDULE_ERROR, MUSTER_SCHEDULE_ERROR_FAILED,
                   _("The unit “%s” cannot be written: %s"), path, local->message);
      return FALSE;
    }
  return TRUE;
}

static void
write_units_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  ScheduleData *data = task_data;
  g_autofree char *service = NULL;
  g_autofree char *timer = NULL;
  g_autofree char *service_path = unit_path (data->profile, "service");
  g_autofree char *timer_path = unit_path (data->profile, "timer");
  GError *error = NULL;

  service = muster_schedule_build_service (data->profile, data->target, data->cli_path, &error);
  if (service != NULL)
    timer = muster_schedule_build_timer (data->profile, data->every, &error);
  /* the service first: a timer never points at a unit that is not there */
  if (timer == NULL || !write_unit (service_path, service, &error) || !write_unit (timer_path, timer, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
start_unit_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    g_task_return_error (task, systemd_error (error, _("start the timer")));
  else
    g_task_return_boolean (task, TRUE);
}

static void
enable_unit_files_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  ScheduleData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, systemd_error (error, _("enable the timer")));
      g_object_unref (task);
      return;
    }
  manager_call (task, "StartUnit", g_variant_new ("(ss)", data->timer, "replace"), G_VARIANT_TYPE ("(o)"),
                start_unit_cb);
}

static void
enable_reload_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  ScheduleData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  const char *files[] = { data->timer, NULL };
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, systemd_error (error, _("reload its units")));
      g_object_unref (task);
      return;
    }
  /* runtime = false (under ~/.config, for good), force = true (replace an older link) */
  manager_call (task, "EnableUnitFiles", g_variant_new ("(^asbb)", files, FALSE, TRUE),
                G_VARIANT_TYPE ("(ba(sss))"), enable_unit_files_cb);
}

static void
enable_found_manager_cb (GTask *task)
{
  ScheduleData *data = g_task_get_task_data (task);

  if (!data->manager_reached)
    {
      g_autofree char *command = muster_schedule_dup_manual_command (data->profile);

      g_task_return_new_error (task, MUSTER_SCHEDULE_ERROR, MUSTER_SCHEDULE_ERROR_NO_MANAGER,
                               _("No systemd user manager is running in this session, so the timer is written "
                                 "but not enabled. Enable it by hand: %s"), command);
      g_object_unref (task);
      return;
    }
  manager_call (task, "Reload", NULL, NULL, enable_reload_cb);
}

static void
units_written_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  find_manager (task, enable_found_manager_cb);
}

static char *
default_cli_path (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;

  if (self == NULL)
    return g_build_filename (BINDIR, "muster-cli", NULL);
  base = g_path_get_basename (self);
  if (g_str_equal (base, "muster-cli"))
    return g_steal_pointer (&self);
  dir = g_path_get_dirname (self);
  return g_build_filename (dir, "muster-cli", NULL);
}

void
muster_schedule_enable_async (const char          *profile,
                              const char          *target,
                              const char          *every,
                              const char          *cli_path,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) write = NULL;
  ScheduleData *data;
  GError *error = NULL;

  g_return_if_fail (profile != NULL);
  g_return_if_fail (target != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_schedule_enable_async);
  data = schedule_data_new (profile);
  data->target = g_strdup (target);
  data->every = g_strdup (every);
  data->cli_path = cli_path != NULL ? g_strdup (cli_path) : default_cli_path ();
  g_task_set_task_data (task, data, (GDestroyNotify) schedule_data_free);

  /* refuse a bad interval before anything is written */
  if (!muster_schedule_parse_every (every, NULL, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  write = g_task_new (NULL, cancellable, units_written_cb, g_steal_pointer (&task));
  g_task_set_task_data (write, data, NULL);
  g_task_run_in_thread (write, write_units_thread);
}

gboolean
muster_schedule_enable_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Disable --------------------------------------------------------------------------------- */

static void
remove_units_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  ScheduleData *data = task_data;
  const char *suffixes[] = { "timer", "service", NULL };

  for (guint i = 0; suffixes[i] != NULL; i++)
    {
      g_autofree char *path = unit_path (data->profile, suffixes[i]);

      if (g_unlink (path) == 0)
        data->removed = TRUE;
      else if (errno != ENOENT)
        {
          int saved = errno;

          g_task_return_new_error (task, MUSTER_SCHEDULE_ERROR, MUSTER_SCHEDULE_ERROR_FAILED,
                                   _("The unit “%s” cannot be removed: %s."), path, g_strerror (saved));
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
disable_reload_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    g_task_return_error (task, systemd_error (error, _("reload its units")));
  else
    g_task_return_boolean (task, TRUE);
}

static void
units_removed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  ScheduleData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (!data->manager_reached)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  manager_call (task, "Reload", NULL, NULL, disable_reload_cb);
}

static void
remove_units (GTask *task)
{
  ScheduleData *data = g_task_get_task_data (task);
  g_autoptr(GTask) remove = g_task_new (NULL, g_task_get_cancellable (task), units_removed_cb, task);

  g_task_set_task_data (remove, data, NULL);
  g_task_run_in_thread (remove, remove_units_thread);
}

static void
disable_unit_files_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, systemd_error (error, _("disable the timer")));
      g_object_unref (task);
      return;
    }
  remove_units (task);
}

static void
stop_unit_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  ScheduleData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *files[] = { data->timer, NULL };

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  /* a timer never loaded (written by hand, never enabled) has nothing to stop */
  if (reply == NULL)
    g_debug ("Stopping %s: %s", data->timer, error->message);
  manager_call (task, "DisableUnitFiles", g_variant_new ("(^asb)", files, FALSE), G_VARIANT_TYPE ("(a(sss))"),
                disable_unit_files_cb);
}

static void
disable_found_manager_cb (GTask *task)
{
  ScheduleData *data = g_task_get_task_data (task);

  if (!data->manager_reached)
    {
      remove_units (task);
      return;
    }
  manager_call (task, "StopUnit", g_variant_new ("(ss)", data->timer, "replace"), G_VARIANT_TYPE ("(o)"),
                stop_unit_cb);
}

void
muster_schedule_disable_async (const char          *profile,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (profile != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_schedule_disable_async);
  g_task_set_task_data (task, schedule_data_new (profile), (GDestroyNotify) schedule_data_free);
  find_manager (task, disable_found_manager_cb);
}

gboolean
muster_schedule_disable_finish (GAsyncResult  *result,
                                gboolean      *removed,
                                gboolean      *manager_reached,
                                GError       **error)
{
  ScheduleData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (removed != NULL)
    *removed = data->removed;
  if (manager_reached != NULL)
    *manager_reached = data->manager_reached;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Status ---------------------------------------------------------------------------------- */

void
muster_schedule_status_free (MusterScheduleStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->profile);
  g_free (status->target);
  g_free (status->every);
  g_free (status->active_state);
  g_free (status->unit_file_state);
  g_clear_pointer (&status->last_scheduled, muster_history_run_free);
  g_free (status);
}

static char *
read_key (const char *path,
          const char *key)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error))
    {
      g_debug ("Cannot read %s: %s", path, error->message);
      return NULL;
    }
  return g_key_file_get_value (file, "Unit", key, NULL);
}

static void
read_status_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  ScheduleData *data = task_data;
  MusterScheduleStatus *status = data->status;
  g_autofree char *timer_path = unit_path (data->profile, "timer");
  g_autofree char *service_path = unit_path (data->profile, "service");
  g_autoptr(MusterHistory) opened = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;
  MusterHistory *history = data->history;

  status->installed = g_file_test (timer_path, G_FILE_TEST_EXISTS);
  if (status->installed)
    {
      status->every = read_key (timer_path, "X-Muster-Every");
      status->target = read_key (service_path, "X-Muster-Target");
    }

  if (history == NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *data_dir = muster_get_data_dir ();

      /* no history yet is no scheduled run yet: do not make one just to read it */
      path = g_build_filename (data_dir, "history.db", NULL);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
      history = opened = muster_history_open (path, &error);
      if (history == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  runs = muster_history_list_runs (history, data->profile, 0, &error);
  if (runs == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < runs->len; i++)
    {
      MusterHistoryRun *run = g_ptr_array_index (runs, i);

      if (run->scheduled)
        {
          status->last_scheduled = muster_history_run_copy (run);
          break;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
timer_properties_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScheduleData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) properties = NULL;
  g_autoptr(GError) error = NULL;
  guint64 next = 0, last = 0;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    g_debug ("Timer properties of %s: %s", data->timer, error->message);
  else
    {
      properties = g_variant_get_child_value (reply, 0);
      if (g_variant_lookup (properties, "NextElapseUSecRealtime", "t", &next))
        data->status->next_run = (gint64) next;
      if (g_variant_lookup (properties, "LastTriggerUSec", "t", &last))
        data->status->last_run = (gint64) last;
    }
  g_task_return_pointer (task, g_steal_pointer (&data->status), (GDestroyNotify) muster_schedule_status_free);
}

static void
unit_properties_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  ScheduleData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) properties = NULL;
  g_autoptr(GError) error = NULL;
  const char *path = g_object_get_data (G_OBJECT (task), "unit-path");

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL)
    {
      properties = g_variant_get_child_value (reply, 0);
      g_variant_lookup (properties, "ActiveState", "s", &data->status->active_state);
      g_variant_lookup (properties, "UnitFileState", "s", &data->status->unit_file_state);
    }
  else
    g_debug ("Unit properties of %s: %s", data->timer, error->message);

  g_dbus_connection_call (data->bus, SYSTEMD_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", "org.freedesktop.systemd1.Timer"), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, DBUS_TIMEOUT_MS, g_task_get_cancellable (task),
                          timer_properties_cb, task);
}

static void
load_unit_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  ScheduleData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *path;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_debug ("Loading %s: %s", data->timer, error->message);
      g_task_return_pointer (task, g_steal_pointer (&data->status), (GDestroyNotify) muster_schedule_status_free);
      g_object_unref (task);
      return;
    }
  g_variant_get (reply, "(&o)", &path);
  g_object_set_data_full (G_OBJECT (task), "unit-path", g_strdup (path), g_free);
  g_dbus_connection_call (data->bus, SYSTEMD_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", "org.freedesktop.systemd1.Unit"), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, DBUS_TIMEOUT_MS, g_task_get_cancellable (task),
                          unit_properties_cb, task);
}

static void
status_found_manager_cb (GTask *task)
{
  ScheduleData *data = g_task_get_task_data (task);

  data->status->manager_reached = data->manager_reached;
  if (!data->manager_reached)
    {
      g_task_return_pointer (task, g_steal_pointer (&data->status), (GDestroyNotify) muster_schedule_status_free);
      g_object_unref (task);
      return;
    }
  manager_call (task, "LoadUnit", g_variant_new ("(s)", data->timer), G_VARIANT_TYPE ("(o)"), load_unit_cb);
}

static void
status_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  find_manager (task, status_found_manager_cb);
}

void
muster_schedule_get_status_async (const char          *profile,
                                  MusterHistory       *history,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  g_autoptr(GTask) read = NULL;
  ScheduleData *data;

  g_return_if_fail (profile != NULL);
  g_return_if_fail (history == NULL || MUSTER_IS_HISTORY (history));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_schedule_get_status_async);
  data = schedule_data_new (profile);
  data->history = history != NULL ? g_object_ref (history) : NULL;
  data->status = g_new0 (MusterScheduleStatus, 1);
  data->status->profile = g_strdup (profile);
  g_task_set_task_data (task, data, (GDestroyNotify) schedule_data_free);

  read = g_task_new (NULL, cancellable, status_read_cb, task);
  g_task_set_task_data (read, data, NULL);
  g_task_run_in_thread (read, read_status_thread);
}

MusterScheduleStatus *
muster_schedule_get_status_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
