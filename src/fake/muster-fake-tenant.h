/* muster-fake-tenant.h
 *
 * Copyright 2026 The Muster authors
 *
 * This program is free software: you can redistribute it and/or modify it under the terms of
 * the GNU General Public License as published by the Free Software Foundation, either version 3
 * of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How the SCIM service provider under /scim/v2 behaves (--scim-mode, POST /_fake/scim/mode). */
typedef enum
{
  MUSTER_FAKE_SCIM_MODE_STRICT, /* RFC 7643/7644 to the letter (the default) */
  MUSTER_FAKE_SCIM_MODE_FIELD,  /* like many services in the field: see muster-fake-scim.c */
} MusterFakeScimMode;

/* What `muster-fake-tenant` takes on its command line; tests and `--demo` fill it in code. */
typedef struct
{
  guint       port;        /* 0: any free port */
  const char *dataset;     /* "demo" (default) or "generated" */
  guint       users;       /* generated dataset only */
  guint       groups;      /* generated dataset only */
  guint       group_size;  /* generated dataset only: members per generated group, 0: a share */
  guint64     seed;
  guint       latency_ms;  /* added to every request */
  gboolean    throttle;    /* Graph resource-unit accounting, 429 over budget */
  const char *faults;      /* see muster-fake-faults.h for the syntax */
  gboolean    tls;         /* HTTPS with a certificate generated at start */
  MusterFakeScimMode scim_mode;
} MusterFakeOptions;

#define MUSTER_FAKE_TYPE_TENANT (muster_fake_tenant_get_type ())
G_DECLARE_FINAL_TYPE (MusterFakeTenant, muster_fake_tenant, MUSTER_FAKE, TENANT, GObject)

void              muster_fake_options_init         (MusterFakeOptions       *options);
MusterFakeTenant *muster_fake_tenant_new           (const MusterFakeOptions *options);
gboolean          muster_fake_tenant_start         (MusterFakeTenant        *self,
                                                    GError                 **error);
void              muster_fake_tenant_stop          (MusterFakeTenant        *self);
const char       *muster_fake_tenant_get_base_url  (MusterFakeTenant        *self);
const char       *muster_fake_tenant_get_ca_file   (MusterFakeTenant        *self);
const char       *muster_fake_tenant_get_tenant_id (MusterFakeTenant        *self);
const char       *muster_fake_tenant_get_domain    (MusterFakeTenant        *self);
/* The bearer token the SCIM service provider under /scim/v2 accepts (one per run). */
const char       *muster_fake_tenant_get_scim_token (MusterFakeTenant       *self);

G_END_DECLS
