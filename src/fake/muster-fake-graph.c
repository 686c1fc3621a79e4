/* muster-fake-graph.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-graph"

#include "config.h"

#include "muster-fake-modules.h"
#include "muster-fake-http.h"

struct _MusterFakeGraph
{
  MusterFakeContext *ctx;
};

MusterFakeGraph *
_muster_fake_graph_new (MusterFakeContext *ctx)
{
  MusterFakeGraph *self = g_new0 (MusterFakeGraph, 1);

  self->ctx = ctx;
  return self;
}

void
_muster_fake_graph_free (MusterFakeGraph *self)
{
  g_free (self);
}
