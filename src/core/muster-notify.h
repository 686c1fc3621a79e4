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
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Shows @summary and @body (plain text) as a notification of Muster. Returns the server's id. */
void     muster_notify_send_async  (const char          *summary,
                                    const char          *body,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean muster_notify_send_finish (GAsyncResult        *result,
                                    guint32             *id,
                                    GError             **error);

G_END_DECLS
