/* muster-fake-odata.h: the OData query options the fake Graph understands
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every parse error carries the Graph error code and message in these fields, so the handler
 * answers exactly what the real service does (learn.microsoft.com/graph/errors). */
typedef struct
{
  guint  status;
  char  *code;
  char  *message;
} MusterFakeODataError;

void _muster_fake_odata_error_clear (MusterFakeODataError *error);

/* A resource's properties, as $select, $filter and $orderby see them */
typedef enum
{
  MUSTER_FAKE_PROP_STRING,
  MUSTER_FAKE_PROP_BOOL,
  MUSTER_FAKE_PROP_COLLECTION,   /* of strings; for assignedLicenses: the skuIds */
  MUSTER_FAKE_PROP_OTHER,        /* selectable, not filterable */
} MusterFakePropKind;

typedef struct
{
  const char         *name;
  int                 id;               /* the resource's own enum, for fast switches */
  MusterFakePropKind  kind;
  guint               filterable : 1;
  guint               advanced_only : 1;  /* filter needs ConsistencyLevel + $count (createdDateTime) */
  guint               is_default : 1;     /* in the default set (no $select) */
  guint               single_only : 1;    /* 501 when selected on a collection (user.md) */
} MusterFakeProperty;

typedef struct
{
  const char               *resource;    /* "User" (error messages) */
  const char               *type_name;   /* "microsoft.graph.user" */
  const MusterFakeProperty *properties;  /* terminated by a NULL name */
} MusterFakeSchema;

const MusterFakeProperty *_muster_fake_schema_lookup (const MusterFakeSchema *schema,
                                                      const char             *name);

/* Values the filter compares */
typedef struct
{
  enum { MUSTER_FAKE_VALUE_NULL, MUSTER_FAKE_VALUE_STRING, MUSTER_FAKE_VALUE_BOOL } type;
  const char *s;
  gboolean    b;
} MusterFakeValue;

/* How the filter reads an object: a scalar property, or a string collection (borrowed). */
typedef void       (*MusterFakeGetScalar)     (gconstpointer             object,
                                               const MusterFakeProperty *property,
                                               MusterFakeValue          *value);
typedef GPtrArray *(*MusterFakeGetCollection) (gconstpointer             object,
                                               const MusterFakeProperty *property);

/* $select: NULL properties = the default set */
typedef struct
{
  GPtrArray *properties;  /* of const MusterFakeProperty* (schema-owned) */
} MusterFakeSelect;

/* @error NULL: skip unknown names instead of failing (directory objects of mixed types) */
gboolean _muster_fake_select_parse (MusterFakeSelect       *select,
                                    const MusterFakeSchema *schema,
                                    const char             *text,
                                    gboolean                collection,
                                    MusterFakeODataError   *error);
void     _muster_fake_select_clear (MusterFakeSelect       *select);
gboolean _muster_fake_select_has   (MusterFakeSelect       *select,
                                    const char             *name);

/* $filter */
typedef struct _MusterFakeFilter MusterFakeFilter;

MusterFakeFilter *_muster_fake_filter_parse (const MusterFakeSchema *schema,
                                             const char             *text,
                                             MusterFakeODataError   *error);
/* The Request_UnsupportedQuery message to answer when the filter needs an advanced query
 * (ConsistencyLevel: eventual and $count=true, learn.microsoft.com/graph/aad-advanced-queries) and the
 * request isn't one; NULL when the filter is a plain one. */
const char       *_muster_fake_filter_get_advanced (MusterFakeFilter *filter);
void              _muster_fake_filter_free  (MusterFakeFilter       *filter);
gboolean          _muster_fake_filter_eval  (MusterFakeFilter       *filter,
                                             gconstpointer           object,
                                             MusterFakeGetScalar     scalar,
                                             MusterFakeGetCollection collection);
/* The ids of a filter made only of "id eq '…'" joined by "or" (delta's one allowed form), or
 * NULL. */
GPtrArray        *_muster_fake_filter_id_list (MusterFakeFilter *filter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterFakeFilter, _muster_fake_filter_free)

/* $search="displayName:wa" AND "mail:x" (learn.microsoft.com/graph/search-query-parameter) */
typedef struct _MusterFakeSearch MusterFakeSearch;

MusterFakeSearch *_muster_fake_search_parse (const MusterFakeSchema *schema,
                                             const char             *text,
                                             MusterFakeODataError   *error);
void              _muster_fake_search_free  (MusterFakeSearch       *search);
gboolean          _muster_fake_search_eval  (MusterFakeSearch       *search,
                                             gconstpointer           object,
                                             MusterFakeGetScalar     scalar,
                                             MusterFakeGetCollection collection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterFakeSearch, _muster_fake_search_free)

/* $expand=manager($select=id,displayName) */
typedef struct
{
  char *name;        /* NULL when no $expand */
  char *select;      /* nested $select or NULL */
} MusterFakeExpand;

gboolean _muster_fake_expand_parse (MusterFakeExpand     *expand,
                                    const char           *text,
                                    MusterFakeODataError *error);
void     _muster_fake_expand_clear (MusterFakeExpand     *expand);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MusterFakeExpand, _muster_fake_expand_clear)

/* $top: 1..999 (learn.microsoft.com/graph/paging); returns @fallback when absent. */
gboolean _muster_fake_top_parse    (const char           *text,
                                    guint                 fallback,
                                    guint                *top,
                                    MusterFakeODataError *error);

/* A fast JSON string literal writer for hot paths (same output as _muster_fake_json_append_string). */
void     _muster_fake_odata_append_string (GString    *out,
                                           const char *s);
/* Writes a scalar property's value; a null one with @omit_null cuts @out back to @mark (the
 * property's name) and returns FALSE. */
gboolean _muster_fake_odata_append_value  (GString               *out,
                                           const MusterFakeValue *value,
                                           gsize                  mark,
                                           gboolean               omit_null);

/* Case-insensitive prefix test of UTF-8 text, as Graph's startswith. */
gboolean _muster_fake_odata_has_prefix_ci (const char *s,
                                           const char *prefix);

G_END_DECLS
