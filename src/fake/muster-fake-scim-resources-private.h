/* muster-fake-scim-resources-private.h: what the fake SCIM service provider's files share
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * muster-fake-scim.c answers SCIM requests over HTTP, muster-fake-scim-resources.c keeps the
 * resources and writes their JSON, muster-fake-scim-control.c is the control API under
 * /_fake/scim. The schemas, filters and PATCH are in muster-fake-scim-private.h.
 */

#pragma once

#include "muster-fake-modules.h"
#include "muster-fake-scim-private.h"

G_BEGIN_DECLS

#define SCIM_PREFIX         "/scim/v2"

typedef struct
{
  const ScimResourceType *type;
  char                   *id;
  JsonObject             *data;          /* canonical attributes, "id" first */
  guint64                 version;
  gint64                  created;       /* seconds since the epoch */
  gint64                  last_modified;
} ScimResource;

typedef struct
{
  char     *method;
  char     *path;
  char     *query;    /* raw, or NULL */
  JsonNode *body;     /* parsed, or NULL */
  char     *raw_body; /* when the body is not JSON */
  guint     status;
} ScimLogEntry;

typedef struct
{
  char  *path_prefix;
  char  *method;      /* NULL: any */
  guint  status;
  guint  remaining;
  guint  retry_after; /* 0: no Retry-After */
} ScimFailRule;

/* POST /_fake/scim/fail-users: writes touching this user fail. */
typedef struct
{
  char  *user_name;   /* casefolded, as userName is caseExact false */
  guint  status;
  guint  remaining;   /* 0: every time */
  guint  retry_after; /* 0: no Retry-After */
} ScimFailUser;

/* Which attributes a response carries (RFC 7644 §3.9). Keys are ScimAttr or ScimSchema pointers. */
typedef struct
{
  GPtrArray *include;
  GPtrArray *exclude;
  gboolean   include_meta;
  gboolean   exclude_meta;
} Projection;

struct _MusterFakeScim
{
  MusterFakeContext *ctx;
  GHashTable        *resources;      /* id → ScimResource, owned */
  GPtrArray         *users;          /* ScimResource, creation order */
  GPtrArray         *groups;
  GHashTable        *user_names;     /* casefolded userName → ScimResource */
  GHashTable        *external_ids[2];/* per type: externalId → ScimResource */
  GHashTable        *member_of;      /* member id → set of group ids */
  guint64            version_seq;
  GPtrArray         *log;            /* ScimLogEntry */
  GPtrArray         *fail_rules;     /* ScimFailRule */
  gboolean           field;          /* MUSTER_FAKE_SCIM_MODE_FIELD */
  guint              latency_ms;     /* added to every SCIM request */
  GPtrArray         *fail_users;     /* ScimFailUser */
};

/* muster-fake-scim-resources.c */
void          _muster_fake_scim_resource_free     (ScimResource           *resource);
void          _muster_fake_scim_projection_clear  (Projection             *projection);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Projection, _muster_fake_scim_projection_clear)
/* 0 for Users, 1 for Groups: the index of MusterFakeScim.external_ids */
guint         _muster_fake_scim_type_index        (const ScimResourceType *type);
/* The resources of @type in creation order. */
GPtrArray    *_muster_fake_scim_resources_of      (MusterFakeScim         *self,
                                                   const ScimResourceType *type);
char         *_muster_fake_scim_resource_location (MusterFakeScim         *self,
                                                   const ScimResourceType *type,
                                                   const char             *id);
/* W/"version" (RFC 7644 §3.14) */
char         *_muster_fake_scim_resource_etag     (ScimResource           *resource);
/* Reads the "attributes" and "excludedAttributes" query parameters (RFC 7644 §3.9). */
gboolean      _muster_fake_scim_projection_parse  (Projection             *projection,
                                                   const ScimResourceType *type,
                                                   const char             *attributes,
                                                   const char             *excluded);
void          _muster_fake_scim_append_node       (GString                *out,
                                                   JsonNode               *node);
/* Appends @resource as SCIM JSON, with its computed "groups", "$ref"s and "meta"; @projection
 * may be NULL for every attribute returned by default. */
void          _muster_fake_scim_append_resource   (MusterFakeScim         *self,
                                                   GString                *out,
                                                   ScimResource           *resource,
                                                   const Projection       *projection);
gboolean      _muster_fake_scim_check_unique      (MusterFakeScim         *self,
                                                   const ScimResourceType *type,
                                                   JsonObject             *data,
                                                   ScimResource           *self_resource,
                                                   GError                **error);
gboolean      _muster_fake_scim_normalize_members (MusterFakeScim         *self,
                                                   JsonObject             *data,
                                                   const char             *own_id,
                                                   GError                **error);
JsonNode     *_muster_fake_scim_deep_copy_object  (JsonObject             *object);
void          _muster_fake_scim_commit            (MusterFakeScim         *self,
                                                   ScimResource           *resource,
                                                   JsonObject             *data);
ScimResource *_muster_fake_scim_store_add         (MusterFakeScim         *self,
                                                   const ScimResourceType *type,
                                                   JsonObject             *data);
/* Deletes @resource, taking it out of every group it was a member of. */
void          _muster_fake_scim_remove_resource   (MusterFakeScim         *self,
                                                   ScimResource           *resource);
void          _muster_fake_scim_store_clear       (MusterFakeScim         *self);

/* muster-fake-scim-control.c: the handler of /_fake/scim; @user_data is the MusterFakeScim. */
void          _muster_fake_scim_control_handler   (MusterFakeContext      *ctx,
                                                   SoupServerMessage      *msg,
                                                   const char             *path,
                                                   GHashTable             *query,
                                                   gpointer                user_data);

G_END_DECLS
