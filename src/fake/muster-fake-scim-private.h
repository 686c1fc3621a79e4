/* muster-fake-scim-private.h: the fake SCIM 2.0 service provider's schemas, filters and PATCH
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SCIM_URN_USER        "urn:ietf:params:scim:schemas:core:2.0:User"
#define SCIM_URN_GROUP       "urn:ietf:params:scim:schemas:core:2.0:Group"
#define SCIM_URN_ENTERPRISE  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define SCIM_URN_ERROR       "urn:ietf:params:scim:api:messages:2.0:Error"
#define SCIM_URN_LIST        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define SCIM_URN_PATCH_OP    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define SCIM_URN_SP_CONFIG   "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
#define SCIM_URN_RESOURCE_TYPE "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
#define SCIM_URN_SCHEMA      "urn:ietf:params:scim:schemas:core:2.0:Schema"

/* The "scimType" values of RFC 7644 §3.12, Table 9. All are HTTP 400 except uniqueness (409). */
typedef enum
{
  SCIM_ERROR_INVALID_FILTER,
  SCIM_ERROR_TOO_MANY,
  SCIM_ERROR_UNIQUENESS,
  SCIM_ERROR_MUTABILITY,
  SCIM_ERROR_INVALID_SYNTAX,
  SCIM_ERROR_INVALID_PATH,
  SCIM_ERROR_NO_TARGET,
  SCIM_ERROR_INVALID_VALUE,
} ScimErrorType;

#define SCIM_ERROR (_muster_fake_scim_error_quark ())
GQuark      _muster_fake_scim_error_quark (void);
const char *_muster_fake_scim_error_type_name (ScimErrorType type);

/* RFC 7643 §2.3 attribute data types and §7 characteristics. */
typedef enum
{
  SCIM_TYPE_STRING,
  SCIM_TYPE_BOOLEAN,
  SCIM_TYPE_DECIMAL,
  SCIM_TYPE_INTEGER,
  SCIM_TYPE_DATE_TIME,
  SCIM_TYPE_BINARY,
  SCIM_TYPE_REFERENCE,
  SCIM_TYPE_COMPLEX,
} ScimAttrType;

typedef enum
{
  SCIM_MUTABILITY_READ_WRITE,
  SCIM_MUTABILITY_READ_ONLY,
  SCIM_MUTABILITY_IMMUTABLE,
  SCIM_MUTABILITY_WRITE_ONLY,
} ScimMutability;

typedef enum
{
  SCIM_RETURNED_DEFAULT,
  SCIM_RETURNED_ALWAYS,
  SCIM_RETURNED_NEVER,
  SCIM_RETURNED_REQUEST,
} ScimReturned;

typedef enum
{
  SCIM_UNIQUENESS_NONE,
  SCIM_UNIQUENESS_SERVER,
  SCIM_UNIQUENESS_GLOBAL,
} ScimUniqueness;

enum
{
  SCIM_ATTR_MULTI      = 1 << 0,
  SCIM_ATTR_REQUIRED   = 1 << 1,
  SCIM_ATTR_CASE_EXACT = 1 << 2,
};

typedef struct _ScimAttr ScimAttr;
struct _ScimAttr
{
  const char         *name;
  ScimAttrType        type;
  guint               flags;
  ScimMutability      mutability;
  ScimReturned        returned;
  ScimUniqueness      uniqueness;
  const char         *description;
  const char * const *canonical_values; /* NULL-terminated, or NULL */
  const char * const *reference_types;  /* for SCIM_TYPE_REFERENCE */
  const ScimAttr     *sub_attributes;   /* for SCIM_TYPE_COMPLEX; ends with name == NULL */
};

typedef struct
{
  const char     *id;
  const char     *name;
  const char     *description;
  const ScimAttr *attributes;  /* ends with name == NULL */
} ScimSchema;

typedef struct
{
  const char        *name;        /* "User" */
  const char        *endpoint;    /* "/Users" */
  const char        *description;
  const ScimSchema  *schema;
  const ScimSchema  *extension;   /* NULL or the one extension this type allows */
} ScimResourceType;

extern const ScimSchema       _muster_fake_scim_schema_user;
extern const ScimSchema       _muster_fake_scim_schema_group;
extern const ScimSchema       _muster_fake_scim_schema_enterprise;
extern const ScimResourceType _muster_fake_scim_type_user;
extern const ScimResourceType _muster_fake_scim_type_group;
/* "id" and "externalId" (RFC 7643 §3.1), shared by every resource type */
extern const ScimAttr         _muster_fake_scim_attr_id;
extern const ScimAttr         _muster_fake_scim_attr_external_id;

#define SCIM_ATTR_IS_MULTI(a)      (((a)->flags & SCIM_ATTR_MULTI) != 0)
#define SCIM_ATTR_IS_REQUIRED(a)   (((a)->flags & SCIM_ATTR_REQUIRED) != 0)
#define SCIM_ATTR_IS_CASE_EXACT(a) (((a)->flags & SCIM_ATTR_CASE_EXACT) != 0)

/* Schema lookups; attribute names and URNs compare case-insensitively (RFC 7643 §2.1). */
const ScimSchema *_muster_fake_scim_type_find_schema (const ScimResourceType *type,
                                                      const char             *urn,
                                                      gsize                   urn_len);
/* A top-level attribute of @schema (the core schema also resolves "id" and "externalId"). */
const ScimAttr   *_muster_fake_scim_schema_find_attr (const ScimSchema *schema,
                                                      const char       *name,
                                                      gsize             name_len);
const ScimAttr   *_muster_fake_scim_attr_find_sub    (const ScimAttr   *attr,
                                                      const char       *name,
                                                      gsize             name_len);
/* Splits an optional schema URN prefix off @text ("urn:…:enterprise:2.0:User:manager"): returns
 * the schema (the core one when there is no prefix) and sets @rest to what follows the URN's ':'
 * (or to the end of @text when @text is the URN itself). NULL for an unknown URN. */
const ScimSchema *_muster_fake_scim_split_urn        (const ScimResourceType *type,
                                                      const char             *text,
                                                      const char            **rest);

/* Where an attribute of @schema lives in a stored resource's data object: the core schema's at
 * the top, an extension's inside the member named by the extension URN. */
JsonObject *_muster_fake_scim_data_container (JsonObject       *data,
                                              const ScimSchema *schema,
                                              const ScimSchema *core,
                                              gboolean          create);

/* What field mode lets through that strict mode refuses (MUSTER_FAKE_SCIM_MODE_FIELD). */
typedef enum
{
  SCIM_LENIENT_NONE            = 0,
  SCIM_LENIENT_OP_CASE         = 1 << 0, /* PATCH "Replace" as well as "replace" */
  SCIM_LENIENT_BOOLEAN_STRINGS = 1 << 1, /* "True"/"False" for a boolean, stored as true/false */
} ScimLeniency;

/* Type-checks one value of @attr (strictly: "False" is not a boolean, unless @lenient has
 * SCIM_LENIENT_BOOLEAN_STRINGS, when it becomes false) and returns a normalised
 * copy with canonical sub-attribute names in @out; readOnly sub-attributes are dropped. With
 * @element TRUE, @in is one element of a multi-valued attribute. *@out is NULL when @in is null
 * or an empty array (unassigned, RFC 7643 §2.5). */
gboolean    _muster_fake_scim_validate_value    (const ScimAttr  *attr,
                                                 JsonNode        *in,
                                                 gboolean         element,
                                                 ScimLeniency     lenient,
                                                 JsonNode       **out,
                                                 GError         **error);
/* Validates a POST/PUT body for @type and returns the resource's data: canonical names, no "id",
 * "meta" nor "schemas"; extension attributes in an object under the extension URN. */
JsonObject *_muster_fake_scim_validate_resource (const ScimResourceType *type,
                                                 JsonNode               *body,
                                                 ScimLeniency            lenient,
                                                 GError                **error);
/* Required attributes present (after a PATCH). */
gboolean    _muster_fake_scim_check_required    (const ScimResourceType *type,
                                                 JsonObject             *data,
                                                 GError                **error);
/* The /Schemas representation of @schema (RFC 7643 §7). */
void        _muster_fake_scim_schema_to_json    (const ScimSchema *schema,
                                                 const char       *location,
                                                 JsonBuilder      *builder);

JsonNode   *_muster_fake_scim_json_deep_copy    (JsonNode *node);

/* Filters: the whole grammar of RFC 7644 §3.4.2.2 (eq ne co sw ew gt ge lt le pr, and, or,
 * not, parentheses, value paths like emails[type eq "work" and value co "@x"]), plus Entra's
 * emails[type eq "work"].value eq "x". */
typedef struct _ScimFilter ScimFilter;

/* @parent NULL: a filter over resources of @type; else a value filter over elements of the
 * multi-valued complex attribute @parent. */
ScimFilter *_muster_fake_scim_filter_parse (const ScimResourceType *type,
                                            const ScimAttr         *parent,
                                            const char             *text,
                                            GError                **error);
/* @meta: NULL, or an object whose "meta" member is the resource's meta (RFC 7643 §3.1), for
 * filters on meta.created and the like (see _muster_fake_scim_filter_uses_meta()). */
gboolean    _muster_fake_scim_filter_match (const ScimFilter *filter,
                                            const ScimSchema *core,
                                            JsonObject       *object,
                                            JsonObject       *meta);
gboolean    _muster_fake_scim_filter_uses_meta (const ScimFilter *filter);
void        _muster_fake_scim_filter_free  (ScimFilter *filter);
/* For PATCH "add" through a value filter that matches nothing: the attribute values an element
 * must have to match (only for filters made of "eq" and "and"). */
gboolean    _muster_fake_scim_filter_fill  (const ScimFilter *filter,
                                            JsonObject       *element);
/* The string an "eq" on the top-level @attr compares with, when the filter requires one (through
 * "and"s): lets the store answer userName/externalId/id lookups from its indexes. */
const char *_muster_fake_scim_filter_get_eq_string (const ScimFilter *filter,
                                                    const ScimAttr   *attr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScimFilter, _muster_fake_scim_filter_free)

/* A PATCH path (RFC 7644 §3.5.2): [URN:]attr[.sub] or [URN:]attr[filter][.sub]. */
typedef struct
{
  const ScimSchema *schema;  /* the core schema or an extension */
  const ScimAttr   *attr;    /* NULL when the path is an extension URN by itself */
  ScimFilter       *filter;  /* value filter, or NULL */
  const ScimAttr   *sub;     /* sub-attribute, or NULL */
} ScimPath;

gboolean _muster_fake_scim_path_parse (const ScimResourceType *type,
                                       const char             *text,
                                       ScimPath               *path,
                                       GError                **error);
void     _muster_fake_scim_path_clear (ScimPath *path);

/* Applies a PatchOp body to @data (a private copy: on error the caller drops it, so a failed
 * PATCH changes nothing, RFC 7644 §3.5.2). */
gboolean _muster_fake_scim_patch_apply (const ScimResourceType *type,
                                        JsonObject             *data,
                                        JsonNode               *body,
                                        ScimLeniency            lenient,
                                        GError                **error);

G_END_DECLS
