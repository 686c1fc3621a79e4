/* muster-loopback.h: the listener on 127.0.0.1 and ::1 that receives the browser's sign-in answer
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MUSTER_LOOPBACK_DEFAULT_TIMEOUT (5 * 60)

#define MUSTER_TYPE_LOOPBACK (muster_loopback_get_type ())
G_DECLARE_FINAL_TYPE (MusterLoopback, muster_loopback, MUSTER, LOOPBACK, GObject)

MusterLoopback *muster_loopback_new                 (void);
/* Binds 127.0.0.1 on a port the kernel picks (RFC 8252 §7.3), and ::1 on the same port (trying
 * other ports while ::1's is taken; IPv4 alone when the computer has no IPv6 loopback), so
 * whichever address the browser resolves "localhost" to, the answer reaches Muster. */
gboolean        muster_loopback_listen              (MusterLoopback       *self,
                                                     GError              **error);
guint           muster_loopback_get_port            (MusterLoopback       *self);
/* "http://localhost:PORT": Entra matches http://localhost with any port
 * (learn.microsoft.com/entra/identity-platform/reply-url). */
const char     *muster_loopback_get_redirect_uri    (MusterLoopback       *self);

/* Each connection carries one request and is closed after its answer. Headers beyond 16 KiB are
 * answered 431 and bodies beyond 64 KiB (or of unknown length) 413, from the headers and
 * without reading further; other methods than GET 405. */

/* Waits for one GET carrying `code`, `error` or `admin_consent`, and @state. A request with another state is
 * answered 400 and ignored; once a code is taken, every later delivery is answered 400. The
 * browser is sent 302 to a page saying it may close the tab, so the code leaves its address
 * bar and history. */
void            muster_loopback_wait_for_code_async (MusterLoopback       *self,
                                                     const char           *state,
                                                     guint                 timeout_seconds,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
/* The answer's query parameters (the code among them: free the table promptly). An `error`
 * answer is returned as a MusterAuthError instead. */
GHashTable     *muster_loopback_wait_for_code_finish (MusterLoopback      *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
