/* muster-browser.h: opening a web page in the admin's browser, from the engine
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Opens @uri with MUSTER_BROWSER (a command; the URI is appended as its last argument) when set,
 * else with the desktop's default handler for the scheme. Fails with G_IO_ERROR_NOT_SUPPORTED
 * when there is none, so the caller can show the link to copy instead. */
void     muster_browser_open_async  (const char          *uri,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean muster_browser_open_finish (GAsyncResult        *result,
                                     GError             **error);

G_END_DECLS
