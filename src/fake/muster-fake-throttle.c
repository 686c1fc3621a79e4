/* muster-fake-throttle.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "muster-fake-modules.h"

struct _MusterFakeThrottle { int unused; };

MusterFakeThrottle *
_muster_fake_throttle_new (MusterFakeContext *ctx)
{
  return g_new0 (MusterFakeThrottle, 1);
}

void
_muster_fake_throttle_free (MusterFakeThrottle *self)
{
  g_free (self);
}

gboolean
_muster_fake_throttle_charge (MusterFakeThrottle *self, SoupServerMessage *msg, guint cost)
{
  return TRUE;
}
