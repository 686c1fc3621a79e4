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
  MUSTER_GRAPH_ERROR_TOO_LARGE,        /* an answer over the size the caller accepts: not read further */
} MusterGraphError;

/* How often a read is tried in all when it fails in a way that passes: a 500, 502 or 504, a
 * connection reset or a body cut short, a time-out, or a 2xx page that is not JSON. Throttling
 * (429, and 503 with Retry-After) has its own, longer budget. */
#define MUSTER_GRAPH_MAX_ATTEMPTS 3

GQuark muster_graph_error_quark (void);

#define MUSTER_TYPE_GRAPH_CLIENT (muster_graph_client_get_type ())
G_DECLARE_FINAL_TYPE (MusterGraphClient, muster_graph_client, MUSTER, GRAPH_CLIENT, GObject)

MusterGraphClient *muster_graph_client_new        (MusterSession       *session);
MusterSession     *muster_graph_client_get_session (MusterGraphClient  *self);
/* The Graph base, "https://graph.microsoft.com/v1.0" (or MUSTER_GRAPH_HOST + "/v1.0"). */
const char        *muster_graph_client_get_base   (MusterGraphClient   *self);

/* GET @path ("/organization?$select=id", relative to the base) or an absolute nextLink on the
 * same host. Gets a token first; on 401 refreshes once and retries; on 429 and 503 waits as long
 * as Retry-After says (with jitter) and retries up to 4 times. A read (a GET, or the $batch POST
 * of GETs) that fails in passing (500, 502, 504, a reset or short body, a time-out, a 2xx answer
 * that is not JSON) is tried MUSTER_GRAPH_MAX_ATTEMPTS times in all, with exponential back-off and
 * jitter (learn.microsoft.com/graph/best-practices-concept, "Handling expected errors"); any other
 * 4xx is never retried, nor is any other write. */
void      muster_graph_client_get_async   (MusterGraphClient   *self,
                                           const char          *path,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
JsonNode *muster_graph_client_get_finish  (MusterGraphClient   *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* The bulk path: like get_async, with @method "GET" or "POST" (@body: JSON, for $batch) and the
 * raw body of the 2xx answer, which the caller may parse in a worker thread. @body may be NULL.
 * A POST to "/$batch" is taken as a read (the batches Muster sends hold only GETs) and retried
 * like a GET; other POSTs are not. Since the body is not parsed here, a caller that finds it is
 * not JSON asks again itself (muster_graph_client_retry_delay()). */
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

/* GET @path like request_bytes_async, reading at most @max_bytes of the answer: a larger one
 * fails with MUSTER_GRAPH_ERROR_TOO_LARGE as soon as its Content-Length says so, or once that
 * many bytes have come, and the rest is not read (the connection is closed). Finish with
 * muster_graph_client_request_bytes_finish(). */
void      muster_graph_client_get_bytes_async      (MusterGraphClient   *self,
                                                    const char          *path,
                                                    gsize                max_bytes,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);

/* How long to wait before try @attempt + 1 (1, 2, …) of a read that failed in passing:
 * exponential back-off from the client's base delay with jitter, so parallel requests do not
 * come back in lockstep (learn.microsoft.com/graph/throttling). */
guint     muster_graph_client_retry_delay          (MusterGraphClient   *self,
                                                    guint                attempt);

/* Tests wait less: @base_delay_ms (default 500) is the first back-off before jitter. */
void      muster_graph_client_set_retry_delay      (MusterGraphClient   *self,
                                                    guint                base_delay_ms);

/* The share of the throttling budget the last answer reported (x-ms-throttle-limit-percentage,
 * sent only above 0.8, learn.microsoft.com/graph/throttling-limits), or 0 when it did not say. */
double    muster_graph_client_get_throttle_usage   (MusterGraphClient   *self);

/* The delay a Retry-After header asks for, in milliseconds (delta-seconds or HTTP date), or
 * @fallback_ms when absent or unreadable. */
guint     muster_graph_parse_retry_after  (const char          *value,
                                           gint64               now,
                                           guint                fallback_ms);

G_END_DECLS
