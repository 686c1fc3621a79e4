/* muster-fake-private.h: what the fake tenant's modules share inside src/fake
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "muster-fake-tenant.h"
#include "muster-fake-directory.h"

G_BEGIN_DECLS

typedef struct _MusterFakeIdentity MusterFakeIdentity;
typedef struct _MusterFakeGraph    MusterFakeGraph;
typedef struct _MusterFakeScim     MusterFakeScim;
typedef struct _MusterFakeControl  MusterFakeControl;
typedef struct _MusterFakeFaults   MusterFakeFaults;
typedef struct _MusterFakeThrottle MusterFakeThrottle;

/* Everything a request handler may need. Owned by the tenant; used only on the server thread
 * (every handler runs there), so nothing here is locked. */
typedef struct
{
  MusterFakeOptions    options;      /* strings owned by the tenant */
  SoupServer          *server;
  GMainContext        *main_context; /* the server thread's */
  char                *base_url;     /* "http://127.0.0.1:PORT" (https with --tls), no trailing '/' */
  char                *ca_file;      /* PEM of the generated certificate with --tls, else NULL */
  MusterFakeDirectory *directory;
  MusterFakeIdentity  *identity;
  MusterFakeGraph     *graph;
  MusterFakeScim      *scim;
  MusterFakeControl   *control;
  MusterFakeFaults    *faults;       /* NULL without --faults */
  MusterFakeThrottle  *throttle;     /* NULL without --throttle */
  guint64              request_count;
  char                *scim_token;   /* the SCIM bearer token, made by muster-fake-scim.c */
} MusterFakeContext;

typedef void (*MusterFakeHandler) (MusterFakeContext *ctx,
                                   SoupServerMessage *msg,
                                   const char        *path,
                                   GHashTable        *query,
                                   gpointer           user_data);

/* Registers @handler for @path_prefix on the server, wrapped so that --latency-ms and --faults
 * apply to it before it runs. */
void _muster_fake_context_add_handler (MusterFakeContext *ctx,
                                       const char        *path_prefix,
                                       MusterFakeHandler  handler,
                                       gpointer           user_data);

G_END_DECLS
