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
  g_task_set_task_data (task, GUINT_TO_POINTER (id), NULL);
  g_task_return_boolean (task, TRUE);
}

static void
bus_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GDBusConnection) bus = NULL;
  GVariantBuilder actions, hints;
  GError *error = NULL;
  const char *summary = g_object_get_data (G_OBJECT (task), "summary");
  const char *body = g_object_get_data (G_OBJECT (task), "body");

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  /* "default" is the action of a click on the notification itself (the spec, "Actions") */
  g_variant_builder_init (&actions, G_VARIANT_TYPE ("as"));
  g_variant_builder_add (&actions, "s", "default");
  g_variant_builder_add (&actions, "s", _("Open Muster"));
  g_variant_builder_init (&hints, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&hints, "{sv}", "desktop-entry", g_variant_new_string (APP_ID));
  g_variant_builder_add (&hints, "{sv}", "urgency", g_variant_new_byte (1));  /* normal */
  g_dbus_connection_call (bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                          "org.freedesktop.Notifications", "Notify",
                          g_variant_new ("(susssasa{sv}i)", "Muster", (guint32) 0, APP_ID, summary, body,
                                         &actions, &hints, (gint32) -1),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, NOTIFY_TIMEOUT_MS,
                          g_task_get_cancellable (task), notify_cb, task);
}

void
muster_notify_send_async (const char          *summary,
                          const char          *body,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (summary != NULL);
  g_return_if_fail (body != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_notify_send_async);
  g_object_set_data_full (G_OBJECT (task), "summary", g_strdup (summary), g_free);
  g_object_set_data_full (G_OBJECT (task), "body", g_strdup (body), g_free);
  g_bus_get (G_BUS_TYPE_SESSION, cancellable, bus_cb, task);
}

gboolean
muster_notify_send_finish (GAsyncResult  *result,
                           guint32       *id,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (id != NULL)
    *id = GPOINTER_TO_UINT (g_task_get_task_data (G_TASK (result)));
  return TRUE;
}
