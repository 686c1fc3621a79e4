/* muster-fake-scim.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-scim"

#include "config.h"

#include "muster-fake-modules.h"
#include "muster-fake-http.h"

struct _MusterFakeScim
{
  MusterFakeContext *ctx;
};

MusterFakeScim *
_muster_fake_scim_new (MusterFakeContext *ctx)
{
  MusterFakeScim *self = g_new0 (MusterFakeScim, 1);

  self->ctx = ctx;
  return self;
}

void
_muster_fake_scim_free (MusterFakeScim *self)
{
  g_free (self);
}
