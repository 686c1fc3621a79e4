/* muster-scim-private.h: what MusterScimTarget's files share — discovery results and the
 * mapping of Muster's users and groups to SCIM resources (RFC 7643)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-scim-client.h"
#include "muster-target.h"

G_BEGIN_DECLS

/* What the service's ServiceProviderConfig, ResourceTypes and Schemas advertise. */
typedef struct
{
  gboolean    done;
  gboolean    patch;
  gboolean    etags;
  gboolean    bulk;
  guint       max_results;           /* 0: not said */
  gboolean    groups;
  gboolean    enterprise;
  gboolean    roles;
  gboolean    user_type;
  GHashTable *user_attributes;       /* casefolded core User attribute names; NULL: /Schemas unread */
  GHashTable *enterprise_attributes;
  char       *users_endpoint;
  char       *groups_endpoint;
} MusterScimDiscovery;

void               _muster_scim_discovery_clear               (MusterScimDiscovery       *discovery);
void               _muster_scim_discovery_read_config         (MusterScimDiscovery       *d,
                                                               JsonObject                *config);
void               _muster_scim_discovery_read_resource_types (MusterScimDiscovery       *d,
                                                               JsonArray                 *types);
void               _muster_scim_discovery_read_schemas        (MusterScimDiscovery       *d,
                                                               JsonArray                 *schemas);
/* Fills in the defaults and what follows from the schemas; sets ->done. */
void               _muster_scim_discovery_finish              (MusterScimDiscovery       *d);
/* Whether a MUSTER_ATTR_* or MUSTER_FIELD_* may be sent to this service. */
gboolean           _muster_scim_can_send                      (const MusterScimDiscovery *d,
                                                               const char                *field);

/* A ListResponse's Resources, or a bare array (some services answer discovery so). */
JsonArray         *_muster_scim_resources_of                  (JsonNode                  *node);
/* "/Users/<id>", the id escaped */
char              *_muster_scim_resource_path                 (const char                *endpoint,
                                                               const char                *id);
/* "/Users?filter=attribute eq "value"…" (RFC 7644 §3.4.2.2) */
char              *_muster_scim_filter_path                   (const char                *endpoint,
                                                               const char                *attribute,
                                                               const char                *value);
char              *_muster_scim_id_from_location              (const char                *location);
/* meta.version, else the ETag header of @response (may be NULL) */
const char        *_muster_scim_resource_version              (JsonObject                *object,
                                                               const MusterScimResponse  *response);

/* A user as the service holds it; MUSTER_ATTR_MANAGER holds the manager's *target* id. */
MusterTargetUser  *_muster_scim_user_from_json                (JsonObject                *object,
                                                               const MusterScimResponse  *response);
MusterTargetGroup *_muster_scim_group_from_json               (JsonObject                *object);
/* The whole user for POST (or PUT); @manager_id the manager's target id or NULL. */
JsonNode          *_muster_scim_user_to_json                  (const MusterScimDiscovery *d,
                                                               const MusterTargetUser    *user,
                                                               const char                *manager_id);
/* Appends {"op", "path", "value"} (takes @value) to a PatchOp's Operations. */
void               _muster_scim_add_patch_op                  (JsonArray                 *ops,
                                                               const char                *op,
                                                               const char                *path,
                                                               JsonNode                  *value);
/* The PatchOp operations for one changed field; FALSE (nothing added) when the service cannot
 * take it or the manager is not known. */
gboolean           _muster_scim_add_change_ops                (const MusterScimDiscovery *d,
                                                               JsonArray                 *ops,
                                                               const MusterFieldChange   *change,
                                                               const MusterTargetUser    *desired,
                                                               const char                *manager_id);
/* Every field where @current differs from @desired (a user matched after a 409). */
GPtrArray         *_muster_scim_diff_users                    (const MusterTargetUser    *desired,
                                                               const char                *manager_id,
                                                               const MusterTargetUser    *current);
/* Debug-logs what the service kept no trace of. */
void               _muster_scim_note_dropped                  (const char                *user_name,
                                                               JsonObject                *sent,
                                                               JsonObject                *kept);

G_END_DECLS
