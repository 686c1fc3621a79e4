/* muster-notify.h: desktop notifications for runs that need the admin
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sent straight to org.freedesktop.Notifications (the Desktop Notifications Specification,
 * specifications.freedesktop.org/notification-spec/) on the session bus, so that a program
 * with no GApplication of its own — a scheduled muster-cli run — can tell the admin. The
 * "desktop-entry" hint names the app (APP_ID), whose desktop file the shell opens on the
 * notification's default action.
 *
 * Where the session has a server of GTK's own notification interface (org.gtk.Notifications,
 * the one GNotification uses: GNOME Shell), the notification goes there instead, so that a click
 * activates an action of the app with a target — the app is D-Bus activatable
 * (org.freedesktop.Application, Desktop Entry Specification "D-Bus Activation") and opens at
 * the page the action names, whether it was running or not. The fallback, the Desktop
 * Notifications interface, can only start the app.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Shows @summary and @body (plain text) as a notification of Muster. @tag: a name that a later
 * notification with the same tag replaces (org.gtk.Notifications only), or NULL. @action: an app
 * action ("app.open-page") a click activates with @target (floating or not; may be NULL), or NULL
 * to just open the app. *@id: the server's id (0 from org.gtk.Notifications, which has none). */
void     muster_notify_send_async  (const char          *summary,
                                    const char          *body,
                                    const char          *tag,
                                    const char          *action,
                                    GVariant            *target,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean muster_notify_send_finish (GAsyncResult        *result,
                                    guint32             *id,
                                    GError             **error);

G_END_DECLS
