/* muster-graph-client.h: authenticated Microsoft Graph requests with Graph's rules for retries
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "muster-session.h"

G_BEGIN_DECLS

#define MUSTER_GRAPH_ERROR (muster_graph_error_quark ())

typedef enum
{
  MUSTER_GRAPH_ERROR_UNAUTHORIZED,     /* the token was refused even after a refresh: sign in again */
  MUSTER_GRAPH_ERROR_FORBIDDEN,        /* a permission is missing: grant admin consent */
  MUSTER_GRAPH_ERROR_NOT_FOUND,
  MUSTER_GRAPH_ERROR_BAD_REQUEST,      /* Graph refused the query itself */
  MUSTER_GRAPH_ERROR_THROTTLED,        /* still 429 after waiting as told */
  MUSTER_GRAPH_ERROR_SERVER,           /* 5xx after retries */
  MUSTER_GRAPH_ERROR_NETWORK,          /* no answer at all */
  MUSTER_GRAPH_ERROR_INVALID_RESPONSE, /* an answer that is not the JSON Graph documents */
  MUSTER_GRAPH_ERROR_RESYNC_REQUIRED,  /* 410: a delta token is no longer valid; start over
                                        * (learn.microsoft.com/graph/delta-query-overview) */
  MUSTER_GRAPH_ERROR_INSECURE,         /* plain http to a host that is not this computer: nothing was sent */
} MusterGraphError;

GQuark muster_graph_error_quark (void);

#define MUSTER_TYPE_GRAPH_CLIENT (muster_graph_client_get_type ())
G_DECLARE_FINAL_TYPE (MusterGraphClient, muster_graph_client, MUSTER, GRAPH_CLIENT, GObject)

MusterGraphClient *muster_graph_client_new        (MusterSession       *session);
MusterSession     *muster_graph_client_get_session (MusterGraphClient  *self);
/* The Graph base, "https://graph.microsoft.com/v1.0" (or MUSTER_GRAPH_HOST + "/v1.0"). */
const char        *muster_graph_client_get_base   (MusterGraphClient   *self);

/* GET @path ("/organization?$select=id", relative to the base) or an absolute nextLink on the
 * same host. Gets a token first; on 401 refreshes once and retries; on 429 and 503 waits as long
 * as Retry-After says (with jitter) and retries up to 4 times. */
void      muster_graph_client_get_async   (MusterGraphClient   *self,
                                           const char          *path,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
JsonNode *muster_graph_client_get_finish  (MusterGraphClient   *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* The bulk path: like get_async, with @method "GET" or "POST" (@body: JSON, for $batch) and the
 * raw body of the 2xx answer, which the caller may parse in a worker thread. @body may be NULL. */
void      muster_graph_client_request_bytes_async  (MusterGraphClient   *self,
                                                    const char          *method,
                                                    const char          *path,
                                                    GBytes              *body,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GBytes   *muster_graph_client_request_bytes_finish (MusterGraphClient   *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* The share of the throttling budget the last answer reported (x-ms-throttle-limit-percentage,
 * sent only above 0.8, learn.microsoft.com/graph/throttling-limits), or 0 when it did not say. */
double    muster_graph_client_get_throttle_usage   (MusterGraphClient   *self);

/* The delay a Retry-After header asks for, in milliseconds (delta-seconds or HTTP date), or
 * @fallback_ms when absent or unreadable. */
guint     muster_graph_parse_retry_after  (const char          *value,
                                           gint64               now,
                                           guint                fallback_ms);

G_END_DECLS
