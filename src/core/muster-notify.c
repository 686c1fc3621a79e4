/* muster-notify.c: desktop notifications for runs that need the admin
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-notify"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "muster-notify.h"

#define NOTIFY_TIMEOUT_MS 10000

typedef struct
{
  GDBusConnection *bus;
  char            *summary;
  char            *body;
  char            *tag;
  char            *action;
  GVariant        *target;
} NotifyData;

static void
notify_data_free (NotifyData *data)
{
  g_clear_object (&data->bus);
  g_free (data->summary);
  g_free (data->body);
  g_free (data->tag);
  g_free (data->action);
  g_clear_pointer (&data->target, g_variant_unref);
  g_free (data);
}

static void
notify_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;
  guint32 id = 0;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_task_return_error (task, error);
      return;
    }
  g_variant_get (reply, "(u)", &id);
  g_task_return_int (task, id);
}

/* The Desktop Notifications Specification's Notify: the app opens on a click, at its start. */
static void
send_fdo (GTask *task)
{
  NotifyData *data = g_task_get_task_data (task);
  GVariantBuilder actions, hints;

  /* "default" is the action of a click on the notification itself (the spec, "Actions") */
  g_variant_builder_init (&actions, G_VARIANT_TYPE ("as"));
  g_variant_builder_add (&actions, "s", "default");
  g_variant_builder_add (&actions, "s", _("Open Muster"));
  g_variant_builder_init (&hints, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&hints, "{sv}", "desktop-entry", g_variant_new_string (APP_ID));
  g_variant_builder_add (&hints, "{sv}", "urgency", g_variant_new_byte (1));  /* normal */
  g_dbus_connection_call (data->bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                          "org.freedesktop.Notifications", "Notify",
                          g_variant_new ("(susssasa{sv}i)", "Muster", (guint32) 0, APP_ID, data->summary, data->body,
                                         &actions, &hints, (gint32) -1),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, NOTIFY_TIMEOUT_MS,
                          g_task_get_cancellable (task), notify_cb, task);
}

static void
gtk_notify_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL)
    {
      g_task_return_int (task, 0);
      g_object_unref (task);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  /* no such server in this session (not GNOME Shell): the other interface */
  g_debug ("org.gtk.Notifications: %s; using org.freedesktop.Notifications", error->message);
  send_fdo (task);
}

/* GTK's notification interface, as GNotification speaks it (gio/gnotification-server, the
 * "AddNotification" method): the shell activates @action with @target on the app's
 * org.freedesktop.Application interface, starting the app through D-Bus if need be. */
static void
send_gtk (GTask *task)
{
  NotifyData *data = g_task_get_task_data (task);
  GVariantBuilder notification;
  g_autofree char *id = NULL;

  g_variant_builder_init (&notification, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&notification, "{sv}", "title", g_variant_new_string (data->summary));
  g_variant_builder_add (&notification, "{sv}", "body", g_variant_new_string (data->body));
  g_variant_builder_add (&notification, "{sv}", "priority", g_variant_new_string ("normal"));
  g_variant_builder_add (&notification, "{sv}", "default-action", g_variant_new_string (data->action));
  if (data->target != NULL)
    g_variant_builder_add (&notification, "{sv}", "default-action-target", data->target);
  id = data->tag != NULL ? g_strdup (data->tag) : g_uuid_string_random ();
  g_dbus_connection_call (data->bus, "org.gtk.Notifications", "/org/gtk/Notifications",
                          "org.gtk.Notifications", "AddNotification",
                          g_variant_new ("(ssa{sv})", APP_ID, id, &notification),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, NOTIFY_TIMEOUT_MS,
                          g_task_get_cancellable (task), gtk_notify_cb, task);
}

static void
bus_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GTask *task = user_data;
  NotifyData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->bus = g_bus_get_finish (result, &error);
  if (data->bus == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (data->action != NULL)
    send_gtk (task);
  else
    send_fdo (task);
}

void
muster_notify_send_async (const char          *summary,
                          const char          *body,
                          const char          *tag,
                          const char          *action,
                          GVariant            *target,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;
  NotifyData *data;

  g_return_if_fail (summary != NULL);
  g_return_if_fail (body != NULL);
  g_return_if_fail (action == NULL || g_action_name_is_valid (action));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_notify_send_async);
  data = g_new0 (NotifyData, 1);
  data->summary = g_strdup (summary);
  data->body = g_strdup (body);
  data->tag = g_strdup (tag);
  data->action = g_strdup (action);
  data->target = target != NULL ? g_variant_ref_sink (target) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) notify_data_free);
  g_bus_get (G_BUS_TYPE_SESSION, cancellable, bus_cb, task);
}

gboolean
muster_notify_send_finish (GAsyncResult  *result,
                           guint32       *id,
                           GError       **error)
{
  gssize value;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  value = g_task_propagate_int (G_TASK (result), error);
  if (value < 0)
    return FALSE;
  if (id != NULL)
    *id = (guint32) value;
  return TRUE;
}
