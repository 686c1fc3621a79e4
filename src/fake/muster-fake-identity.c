/* muster-fake-identity.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-identity"

#include "config.h"

#include "muster-fake-modules.h"
#include "muster-fake-http.h"

struct _MusterFakeIdentity
{
  MusterFakeContext *ctx;
};

MusterFakeIdentity *
_muster_fake_identity_new (MusterFakeContext *ctx)
{
  MusterFakeIdentity *self = g_new0 (MusterFakeIdentity, 1);

  self->ctx = ctx;
  return self;
}

void
_muster_fake_identity_free (MusterFakeIdentity *self)
{
  g_free (self);
}

const MusterFakeGrant *
_muster_fake_identity_check_bearer (MusterFakeIdentity *self,
                                    SoupServerMessage  *msg)
{
  _muster_fake_reply_graph_error (msg, 401, "InvalidAuthenticationToken", "Access token is empty.");
  return NULL;
}

gboolean
_muster_fake_grant_has_scope (const MusterFakeGrant *grant,
                              const char            *scope)
{
  return grant->scopes != NULL && g_strv_contains ((const char * const *) grant->scopes, scope);
}

void
_muster_fake_identity_expire_tokens (MusterFakeIdentity *self)
{
}
