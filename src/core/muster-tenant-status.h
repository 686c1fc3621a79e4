/* muster-tenant-status.h: what an admin checks first — which tenant, who, what is granted
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "muster-graph-client.h"

G_BEGIN_DECLS

typedef struct
{
  char     *name;
  gboolean  is_default;
  gboolean  is_initial;
} MusterDomain;

typedef struct
{
  char  *sku_id;
  char  *part_number;    /* "SPE_E3" */
  char  *title;          /* "Microsoft 365 E3", or the part number when unknown */
  char  *status;         /* "Enabled", "Warning", "Suspended", "LockedOut" */
  gint64 consumed;
  gint64 enabled;
  gint64 suspended;
  gint64 warning;
} MusterLicence;

#define MUSTER_TYPE_TENANT_STATUS (muster_tenant_status_get_type ())
G_DECLARE_FINAL_TYPE (MusterTenantStatus, muster_tenant_status, MUSTER, TENANT_STATUS, GObject)

/* Gathers /organization, /me (delegated sign-in only) and /subscribedSkus in parallel. A missing
 * permission for licences is not an error: the status says which permission is missing. */
void                muster_tenant_status_load_async   (MusterGraphClient   *graph,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
MusterTenantStatus *muster_tenant_status_load_finish  (GAsyncResult        *result,
                                                       GError             **error);

const char   *muster_tenant_status_get_organization   (MusterTenantStatus *self);
const char   *muster_tenant_status_get_tenant_id      (MusterTenantStatus *self);
GPtrArray    *muster_tenant_status_get_domains        (MusterTenantStatus *self); /* of MusterDomain */
const char   *muster_tenant_status_get_user_name      (MusterTenantStatus *self); /* NULL when app-only */
const char   *muster_tenant_status_get_user_principal (MusterTenantStatus *self);
gboolean      muster_tenant_status_get_app_only       (MusterTenantStatus *self);
const char * const *muster_tenant_status_get_granted  (MusterTenantStatus *self);
/* Required permissions the sign-in lacks (empty when all is granted). Delegated tokens list
 * their scopes; app-only tokens do not, so for them a permission counts as missing when Graph
 * refuses the call that needs it. */
const char * const *muster_tenant_status_get_missing  (MusterTenantStatus *self);
gint64        muster_tenant_status_get_token_expires_at (MusterTenantStatus *self);
/* Days until the sign-in expires from inactivity; G_MAXINT when it cannot (app-only). */
int           muster_tenant_status_get_reauthorize_days (MusterTenantStatus *self);
GPtrArray    *muster_tenant_status_get_licences       (MusterTenantStatus *self); /* of MusterLicence */
/* Why licences could not be read, or NULL. */
const char   *muster_tenant_status_get_licences_problem (MusterTenantStatus *self);
/* When the last snapshot was taken (unix time), 0 for never. */
gint64        muster_tenant_status_get_last_snapshot  (MusterTenantStatus *self);
void          muster_tenant_status_set_last_snapshot  (MusterTenantStatus *self,
                                                       gint64              when);

JsonNode     *muster_tenant_status_to_json            (MusterTenantStatus *self);

/* "89 of 100 assigned", "47 assigned, 50 in warning (subscription expired)", "3 assigned,
 * subscription suspended": what an admin needs to know about the seats. Translated. */
char         *muster_licence_describe_usage           (const MusterLicence *licence);

/* "Microsoft 365 E3" for "SPE_E3"; NULL when the SKU is not a common one. */
const char   *muster_licence_get_friendly_name        (const char *part_number);

G_END_DECLS
