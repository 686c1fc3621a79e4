/* muster-fake-control.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-control"

#include "config.h"

#include "muster-fake-modules.h"
#include "muster-fake-http.h"

struct _MusterFakeControl
{
  MusterFakeContext *ctx;
};

MusterFakeControl *
_muster_fake_control_new (MusterFakeContext *ctx)
{
  MusterFakeControl *self = g_new0 (MusterFakeControl, 1);

  self->ctx = ctx;
  return self;
}

void
_muster_fake_control_free (MusterFakeControl *self)
{
  g_free (self);
}
