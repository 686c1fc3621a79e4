/* muster-fake-graph-private.h: what the fake Microsoft Graph's files share
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-fake-modules.h"
#include "muster-fake-odata.h"

G_BEGIN_DECLS

/* One Graph request, from the wire or from inside a $batch. Handlers read the request half and
 * fill the response half; muster-fake-graph.c turns it into an HTTP answer or a batch item. */
typedef struct
{
  MusterFakeContext     *ctx;
  MusterFakeGraph       *graph;
  const MusterFakeGrant *grant;

  /* request */
  const char            *method;
  char                  *path;          /* below /v1.0, e.g. "/users/{id}/manager" */
  char                  *raw_query;     /* as sent (still percent-encoded), NULL when none */
  GHashTable            *query;         /* decoded name → value */
  SoupMessageHeaders    *request_headers;

  /* response */
  guint                  status;
  char                  *content_type;
  GString               *body;
  GBytes                *bytes;         /* binary bodies (photos) instead of @body */
  GPtrArray             *headers;       /* name, value, name, value… */
  guint                  resource_units;
  gboolean               basic_profile;  /* only User.ReadBasic.All: other users' non-basic properties read null */
} MusterFakeGraphCall;

/* Answers and errors (learn.microsoft.com/graph/errors) */
void     _muster_fake_graph_call_error       (MusterFakeGraphCall *call,
                                              guint                status,
                                              const char          *code,
                                              const char          *message);
void     _muster_fake_graph_call_take_json   (MusterFakeGraphCall *call,
                                              guint                status,
                                              GString             *body);
void     _muster_fake_graph_call_add_header  (MusterFakeGraphCall *call,
                                              const char          *name,
                                              const char          *value);
/* TRUE when the grant holds any of @scopes (NULL-terminated); otherwise answers 403
 * Authorization_RequestDenied and returns FALSE. */
gboolean _muster_fake_graph_call_require     (MusterFakeGraphCall *call,
                                              const char * const  *scopes);
/* "ConsistencyLevel: eventual" present (learn.microsoft.com/graph/aad-advanced-queries) */
gboolean _muster_fake_graph_call_is_eventual (MusterFakeGraphCall *call);
/* "https://…/v1.0/$metadata#what" */
void     _muster_fake_graph_append_context   (MusterFakeGraphCall *call,
                                              GString             *out,
                                              const char          *what);
/* The absolute URL of this request with $skiptoken (or @token_name) replaced by @token. */
char    *_muster_fake_graph_call_link        (MusterFakeGraphCall *call,
                                              const char          *token_name,
                                              const char          *token);
/* A token that carries @payload and can't be forged or reused for another query: base64url of
 * payload and a keyed checksum. _muster_fake_graph_open_token returns NULL on tampering. */
char    *_muster_fake_graph_seal_token       (MusterFakeGraph     *graph,
                                              const char          *payload);
char    *_muster_fake_graph_open_token       (MusterFakeGraph     *graph,
                                              const char          *token);

/* Permission sets (learn.microsoft.com/graph/permissions-reference; higher privileges satisfy lower ones) */
extern const char * const _muster_fake_scopes_users[];
extern const char * const _muster_fake_scopes_groups[];
extern const char * const _muster_fake_scopes_members[];
extern const char * const _muster_fake_scopes_member_of[];

/* How the list engine (muster-fake-graph-list.c) sees users and groups */
typedef void (*MusterFakeAppendObject) (MusterFakeGraphCall *call,
                                        GString             *out,
                                        gconstpointer        object,
                                        MusterFakeSelect    *select,
                                        MusterFakeSelect    *expand_select, /* $expand=manager, NULL when none */
                                        gboolean             with_type,
                                        gboolean             omit_null);
typedef struct
{
  const MusterFakeSchema  *schema;
  const char              *entity_set;       /* "users" */
  const char              *expandable;       /* "manager" or NULL */
  const char * const      *sortable;         /* $orderby without advanced query (aad-advanced-queries.md) */
  GPtrArray             *(*objects)   (MusterFakeDirectory *dir);
  gboolean               (*is_live)   (gconstpointer object);
  MusterFakeGetScalar      scalar;
  MusterFakeGetCollection  collection;
  MusterFakeAppendObject   append;
} MusterFakeResource;

extern const MusterFakeResource _muster_fake_user_resource;
extern const MusterFakeResource _muster_fake_group_resource;

/* GET /users, /groups and their /$count segments */
void     _muster_fake_graph_list             (MusterFakeGraphCall      *call,
                                              const MusterFakeResource *resource,
                                              gboolean                  count_only);
/* A hash of the query (without its tokens), so a page token only works for its own query */
char    *_muster_fake_graph_call_query_hash  (MusterFakeGraphCall      *call);
/* Reads $skiptoken of a list; FALSE after answering 400 when it is foreign or damaged. */
gboolean _muster_fake_graph_read_skiptoken   (MusterFakeGraphCall      *call,
                                              guint64                  *position);
/* Writes ,"@odata.nextLink":… with a $skiptoken resuming the list at @position */
void     _muster_fake_graph_append_next_link (MusterFakeGraphCall      *call,
                                              GString                  *out,
                                              guint64                   position);

/* muster-fake-graph-users.c */
void     _muster_fake_graph_append_user      (MusterFakeGraphCall *call,
                                              GString             *out,
                                              MusterFakeUser      *user,
                                              MusterFakeSelect    *select,
                                              gboolean             with_type,
                                              gboolean             omit_null);
/* /users/{id}/… and /me/…: @rest is what follows the user segment ("" or "/manager"…) */
void     _muster_fake_graph_user_item        (MusterFakeGraphCall *call,
                                              MusterFakeUser      *user,
                                              const char          *id_segment,
                                              const char          *rest);

/* muster-fake-graph-groups.c */
void     _muster_fake_graph_append_group     (MusterFakeGraphCall *call,
                                              GString             *out,
                                              MusterFakeGroup     *group,
                                              MusterFakeSelect    *select,
                                              gboolean             with_type,
                                              gboolean             omit_null);
void     _muster_fake_graph_group_item       (MusterFakeGraphCall *call,
                                              MusterFakeGroup     *group,
                                              const char          *id_segment,
                                              const char          *rest);
/* A page of directory objects (users and groups by id) with @odata.type, for members,
 * memberOf and their transitive forms. Takes @ids (of char*). */
void     _muster_fake_graph_directory_objects (MusterFakeGraphCall *call,
                                               GPtrArray           *ids,
                                               const char          *cast);

/* muster-fake-delta.c: /users/delta and /groups/delta (learn.microsoft.com/graph/delta-query-overview) */
void     _muster_fake_graph_delta            (MusterFakeGraphCall *call,
                                              gboolean             groups);

/* muster-fake-batch.c: /$batch (learn.microsoft.com/graph/json-batching) */
void     _muster_fake_graph_batch            (MusterFakeGraphCall *call,
                                              GBytes              *request_body);

/* muster-fake-graph.c: runs one request (used by $batch for each item): routes it, charges the
 * throttle (a 429 is then the answer) and runs the handler. */
void     _muster_fake_graph_dispatch         (MusterFakeGraphCall *call,
                                              GBytes              *request_body);
MusterFakeGraphCall *_muster_fake_graph_call_new  (MusterFakeContext     *ctx,
                                                   const MusterFakeGrant *grant,
                                                   const char            *method,
                                                   const char            *path,
                                                   const char            *raw_query,
                                                   SoupMessageHeaders    *request_headers);
void                 _muster_fake_graph_call_free (MusterFakeGraphCall   *call);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterFakeGraphCall, _muster_fake_graph_call_free)

/* muster-fake-throttle.c: the token bucket of @app_id. Returns FALSE and the seconds to wait
 * when @cost doesn't fit in its budget. */
gboolean _muster_fake_throttle_take          (MusterFakeThrottle  *self,
                                              const char          *app_id,
                                              guint                cost,
                                              guint               *retry_after,
                                              double              *used_fraction);
guint    _muster_fake_throttle_get_budget    (MusterFakeThrottle  *self);
/* Every bucket, and those made later, @fraction (0 to 2) of the budget spent as of now. */
void     _muster_fake_throttle_fill          (MusterFakeThrottle  *self,
                                              double               fraction);

G_END_DECLS
