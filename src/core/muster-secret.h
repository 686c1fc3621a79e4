/* muster-secret.h: wiping secrets before their memory goes back
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest secret (client secret, bearer token) read from standard input, in bytes. */
#define MUSTER_SECRET_MAX_LENGTH 4096

void    muster_secret_wipe       (void       *data,
                                  gsize       length);
/* Wipes the NUL-terminated @secret, then frees it with g_free(). NULL is ignored. */
void    muster_secret_free       (char       *secret);
/* A GBytes that takes @data (g_malloc'd) and wipes it when its last reference goes. */
GBytes *muster_secret_bytes_new_take (char   *data,
                                      gsize   length);

/* Wipes the contents of @bytes (which the caller alone holds, e.g. a response body just read), then
 * drops the reference. NULL is ignored. */
void    muster_secret_bytes_wipe_unref (GBytes *bytes);

/* g_autoptr(MusterSecretBytes) holds a GBytes that is wiped when it goes out of scope. */
typedef GBytes MusterSecretBytes;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterSecretBytes, muster_secret_bytes_wipe_unref)

G_END_DECLS
