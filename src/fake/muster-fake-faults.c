/* muster-fake-faults.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "muster-fake-modules.h"

struct _MusterFakeFaults { int unused; };

MusterFakeFaults *
_muster_fake_faults_new (const char *spec, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "--faults is not available yet");
  return NULL;
}

void
_muster_fake_faults_free (MusterFakeFaults *self)
{
  g_free (self);
}

gboolean
_muster_fake_faults_intercept (MusterFakeFaults *self, MusterFakeContext *ctx,
                               SoupServerMessage *msg, const char *path)
{
  return FALSE;
}
