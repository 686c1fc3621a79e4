/* muster-secret.c: wiping secrets before their memory goes back
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-secret"

#include "config.h"

#include <string.h>

#include "muster-secret.h"

typedef struct
{
  char  *data;
  gsize  length;
} SecretBytes;

void
muster_secret_wipe (void  *data,
                    gsize  length)
{
  if (data != NULL && length > 0)
    explicit_bzero (data, length);
}

void
muster_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  muster_secret_wipe (secret, strlen (secret));
  g_free (secret);
}

static void
secret_bytes_free (gpointer user_data)
{
  SecretBytes *bytes = user_data;

  muster_secret_wipe (bytes->data, bytes->length);
  g_free (bytes->data);
  g_free (bytes);
}

GBytes *
muster_secret_bytes_new_take (char  *data,
                              gsize  length)
{
  SecretBytes *bytes = g_new (SecretBytes, 1);

  bytes->data = data;
  bytes->length = length;
  return g_bytes_new_with_free_func (data, length, secret_bytes_free, bytes);
}

void
muster_secret_bytes_wipe_unref (GBytes *bytes)
{
  gsize length = 0;
  gconstpointer data;

  if (bytes == NULL)
    return;
  data = g_bytes_get_data (bytes, &length);
  muster_secret_wipe ((gpointer) data, length);
  g_bytes_unref (bytes);
}
