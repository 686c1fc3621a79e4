/* muster-fake-modules.h: the fake tenant's parts, each in its own file
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-fake-private.h"

G_BEGIN_DECLS

/* Each _new() registers the module's handlers on ctx->server (through
 * _muster_fake_context_add_handler) and returns its state; _free() releases it. */

/* muster-fake-identity*.c: /{tenant}/oauth2/v2.0/{authorize,token,devicecode}, /{tenant}/v2.0/adminconsent,
 * the device-login page, and the token store other modules check bearer tokens against. */
MusterFakeIdentity *_muster_fake_identity_new  (MusterFakeContext  *ctx);
void                _muster_fake_identity_free (MusterFakeIdentity *self);

/* A token the identity platform issued, as resource servers see it. */
typedef struct
{
  char     *client_id;
  char     *user_id;   /* NULL for app-only tokens */
  GStrv     scopes;    /* delegated scopes ("User.Read.All") or app roles for app-only */
  gboolean  app_only;
  gint64    expires_at;
} MusterFakeGrant;

/* Checks "Authorization: Bearer …". On failure it has already answered @msg with Graph's 401
 * InvalidAuthenticationToken and a WWW-Authenticate header, and returns NULL. The grant belongs
 * to the identity module. */
const MusterFakeGrant *_muster_fake_identity_check_bearer (MusterFakeIdentity *self,
                                                           SoupServerMessage  *msg);
gboolean               _muster_fake_grant_has_scope       (const MusterFakeGrant *grant,
                                                           const char            *scope);
/* Control API: make every access token expire now. */
void                   _muster_fake_identity_expire_tokens (MusterFakeIdentity *self);

/* muster-fake-graph.c: /v1.0/... */
MusterFakeGraph    *_muster_fake_graph_new     (MusterFakeContext  *ctx);
void                _muster_fake_graph_free    (MusterFakeGraph    *self);

/* muster-fake-throttle.c: resource-unit accounting (learn.microsoft.com/graph/throttling-limits); only with
 * --throttle. */
MusterFakeThrottle *_muster_fake_throttle_new    (MusterFakeContext  *ctx);
void                _muster_fake_throttle_free   (MusterFakeThrottle *self);

/* muster-fake-scim.c: /scim/v2/... */
MusterFakeScim     *_muster_fake_scim_new      (MusterFakeContext  *ctx);
void                _muster_fake_scim_free     (MusterFakeScim     *self);

/* muster-fake-control.c: /_fake/... */
MusterFakeControl  *_muster_fake_control_new   (MusterFakeContext  *ctx);
void                _muster_fake_control_free  (MusterFakeControl  *self);

/* muster-fake-faults.c: --faults SPEC. Returns TRUE when it has taken over @msg. */
MusterFakeFaults   *_muster_fake_faults_new       (const char        *spec,
                                                   GError           **error);
void                _muster_fake_faults_free      (MusterFakeFaults  *self);
gboolean            _muster_fake_faults_intercept (MusterFakeFaults  *self,
                                                   MusterFakeContext *ctx,
                                                   SoupServerMessage *msg,
                                                   const char        *path);
/* TRUE when a "batch" rule fires on the call @method @path (below /v1.0) inside a $batch: its
 * answer is then @status, with Retry-After: @retry_after when that is not 0. */
gboolean            _muster_fake_faults_intercept_batch_call (MusterFakeFaults *self,
                                                              const char       *method,
                                                              const char       *path,
                                                              guint            *status,
                                                              guint            *retry_after);
/* GET/POST /_fake/faults: the rules in force, replaced while the fake runs */
void                _muster_fake_faults_control_handler (MusterFakeContext *ctx,
                                                         SoupServerMessage *msg,
                                                         const char        *path,
                                                         GHashTable        *query,
                                                         gpointer           user_data);

/* muster-fake-tls.c: a self-signed certificate for 127.0.0.1 made at start; its PEM is written
 * to a new temporary file whose path is returned in @pem_path (for MUSTER_CA_FILE). */
GTlsCertificate    *_muster_fake_tls_generate_certificate (char   **pem_path,
                                                           GError **error);

G_END_DECLS
