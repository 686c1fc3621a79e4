/* muster-scim-target.h: a SCIM 2.0 service (RFC 7643/7644) as a target Muster pushes people into
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-target.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_SCIM_TARGET (muster_scim_target_get_type ())
G_DECLARE_FINAL_TYPE (MusterScimTarget, muster_scim_target, MUSTER, SCIM_TARGET, GObject)

/* @base_url is the service root ("https://example.com/scim/v2"); plain http is refused except on
 * loopback (MUSTER_TARGET_ERROR_INVALID). @token is the bearer token; it stays in memory and is
 * never logged. */
MusterScimTarget *muster_scim_target_new             (const char          *base_url,
                                                      const char          *token,
                                                      GError             **error);
/* The roles this target offers (from the local target configuration): read_state reports them. */
void              muster_scim_target_set_roles       (MusterScimTarget    *self,
                                                      const char * const  *roles);
/* How many requests apply keeps in flight, over as many kept-alive connections (default 8). */
void              muster_scim_target_set_concurrency (MusterScimTarget    *self,
                                                      guint                n);
guint             muster_scim_target_get_concurrency (MusterScimTarget    *self);

/* "Test Connection": reads the discovery documents and makes one authenticated GET of /Users.
 * Errors: MUSTER_TARGET_ERROR_UNREACHABLE, _AUTH, _UNSUPPORTED (not a SCIM service). */
void              muster_scim_target_test_connection_async  (MusterScimTarget    *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean          muster_scim_target_test_connection_finish (MusterScimTarget    *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

G_END_DECLS
