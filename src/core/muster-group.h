/* muster-group.h: one group in a directory snapshot
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* learn.microsoft.com/graph/api/resources/groups-overview */
typedef enum
{
  MUSTER_GROUP_KIND_MICROSOFT365,   /* groupTypes contains "Unified" */
  MUSTER_GROUP_KIND_SECURITY,       /* !mailEnabled, securityEnabled */
  MUSTER_GROUP_KIND_MAIL_SECURITY,  /* mailEnabled, securityEnabled */
  MUSTER_GROUP_KIND_DISTRIBUTION,   /* mailEnabled, !securityEnabled */
} MusterGroupKind;

#define MUSTER_TYPE_GROUP (muster_group_get_type ())
G_DECLARE_FINAL_TYPE (MusterGroup, muster_group, MUSTER, GROUP, GObject)

/* Properties: "id", "display-name", "description", "mail", "kind" (MusterGroupKind), "kind-label",
 * "dynamic", "member-count" (direct user members), "transitive-member-count" (users reached
 * through nesting). */
MusterGroup     *muster_group_new_from_json         (JsonObject      *object); /* Graph's group JSON */
const char      *muster_group_get_id                (MusterGroup     *self);
const char      *muster_group_get_display_name      (MusterGroup     *self);
const char      *muster_group_get_description       (MusterGroup     *self);
const char      *muster_group_get_mail              (MusterGroup     *self);
MusterGroupKind  muster_group_get_kind              (MusterGroup     *self);
gboolean         muster_group_get_dynamic           (MusterGroup     *self);
guint            muster_group_get_member_count      (MusterGroup     *self);
guint            muster_group_get_transitive_member_count (MusterGroup *self);
void             _muster_group_set_member_counts    (MusterGroup     *self,
                                                     guint            direct,
                                                     guint            transitive);
/* The raw Graph columns behind the kind, kept so nothing Graph said is lost. */
const char * const *muster_group_get_group_types    (MusterGroup     *self);
gboolean         muster_group_get_mail_enabled      (MusterGroup     *self);
gboolean         muster_group_get_security_enabled  (MusterGroup     *self);
const char      *muster_group_get_membership_rule   (MusterGroup     *self); /* dynamic groups */

/* From groupTypes/mailEnabled/securityEnabled as learn.microsoft.com/graph/api/resources/groups-overview
 * tabulates. */
MusterGroupKind  muster_group_kind_from_graph       (gboolean         unified,
                                                     gboolean         mail_enabled,
                                                     gboolean         security_enabled);
const char      *muster_group_kind_to_string        (MusterGroupKind  kind); /* "microsoft365", "security", ... */
gboolean         muster_group_kind_from_string      (const char      *name,
                                                     MusterGroupKind *kind);
const char      *muster_group_kind_get_title        (MusterGroupKind  kind); /* translated */

G_END_DECLS
