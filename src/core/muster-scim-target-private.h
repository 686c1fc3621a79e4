/* muster-scim-target-private.h: what muster-scim-target.c and muster-scim-target-apply.c share
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-scim-private.h"
#include "muster-scim-target.h"

G_BEGIN_DECLS

struct _MusterScimTarget
{
  GObject           parent_instance;

  MusterScimClient *client;
  char            **roles;
  guint             concurrency;
  MusterScimDiscovery discovery;
  GHashTable       *user_ids;       /* Entra id → target id, of users read or made */
  GHashTable       *group_ids;      /* Entra group id → target id */
  GHashTable       *group_members;  /* group target id → set of member ids, where known */
};

/* A copy of a set of member ids (a GHashTable of strings). */
GHashTable *_muster_scim_target_member_set_copy (GHashTable          *members);

/* Reads ServiceProviderConfig, ResourceTypes and Schemas into @self->discovery, unless done
 * already and not @again. */
void        _muster_scim_target_discover_async  (MusterScimTarget    *self,
                                                 gboolean             again,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean    _muster_scim_target_discover_finish (MusterScimTarget    *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* MusterTarget's apply_async and apply_finish. */
void        _muster_scim_target_apply_async     (MusterTarget        *target,
                                                 const char          *run_id,
                                                 GPtrArray           *operations,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GPtrArray  *_muster_scim_target_apply_finish    (MusterTarget        *target,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
