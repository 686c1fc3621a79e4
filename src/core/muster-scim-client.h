/* muster-scim-client.h: one SCIM 2.0 service over HTTP — bearer token, retries, error words
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The transport half of MusterScimTarget (RFC 7644): it sends one request at a time per call,
 * retries 429 and 5xx answers with Retry-After, and turns answers into MUSTER_TARGET_ERROR
 * errors. What to send is the target's business.
 */

#pragma once

#include <json-glib/json-glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define MUSTER_SCIM_URN_USER        "urn:ietf:params:scim:schemas:core:2.0:User"
#define MUSTER_SCIM_URN_GROUP       "urn:ietf:params:scim:schemas:core:2.0:Group"
#define MUSTER_SCIM_URN_ENTERPRISE  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define MUSTER_SCIM_URN_PATCH_OP    "urn:ietf:params:scim:api:messages:2.0:PatchOp"

/* An answer the service gave (after any retries). */
typedef struct
{
  guint     status;
  char     *etag;      /* the ETag header, or NULL */
  char     *location;  /* the Location header, or NULL */
  /*< private >*/
  GBytes   *body;
  JsonNode *json;      /* parsed on first use: a push that needs only the Location saves it */
  gboolean  parsed;
} MusterScimResponse;

void muster_scim_response_free (MusterScimResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterScimResponse, muster_scim_response_free)

/* The body parsed, or NULL when there was none or it was not JSON. */
JsonNode   *muster_scim_response_get_json   (const MusterScimResponse *response);
/* The root object of the body, or NULL. */
JsonObject *muster_scim_response_get_object (const MusterScimResponse *response);
/* The RFC 7644 §3.12 "scimType" of an error body, or NULL. */
const char *muster_scim_response_get_scim_type (const MusterScimResponse *response);
/* A MUSTER_TARGET_ERROR for an answer that is not 2xx: a translated sentence about @what
 * ("creating ada@example.com") with the service's own detail and the HTTP status. */
GError     *muster_scim_response_to_error (const MusterScimResponse *response,
                                           const char               *what);

/* A filter value as RFC 7644 §3.4.2.2 wants it: a JSON string, so `"` and `\` are escaped. */
char       *muster_scim_quote (const char *value);

#define MUSTER_TYPE_SCIM_CLIENT (muster_scim_client_get_type ())
G_DECLARE_FINAL_TYPE (MusterScimClient, muster_scim_client, MUSTER, SCIM_CLIENT, GObject)

/* @base_url: the service root ("https://host/scim/v2"); plain http only on loopback.
 * Fails with MUSTER_TARGET_ERROR_INVALID otherwise. @token is kept in memory only. */
MusterScimClient *muster_scim_client_new             (const char        *base_url,
                                                      const char        *token,
                                                      GError           **error);
/* Without a trailing slash. */
const char       *muster_scim_client_get_base_url    (MusterScimClient  *self);
/* How many connections to keep open to the service (default 8). Takes effect for requests made
 * after the call. */
void              muster_scim_client_set_connections (MusterScimClient  *self,
                                                      guint              n);

/* Sends @method to @path (relative to the base URL, starting with '/', query included) with
 * @body (NULL for none) and If-Match @if_match (NULL for none). Finishes with the answer
 * whatever its status, except: the service not answering (MUSTER_TARGET_ERROR_UNREACHABLE), the
 * token refused (401/403, MUSTER_TARGET_ERROR_AUTH) and cancellation (G_IO_ERROR_CANCELLED).
 * 429, 500, 502, 503 and 504 are retried first. */
void                muster_scim_client_request_async  (MusterScimClient    *self,
                                                       const char          *method,
                                                       const char          *path,
                                                       JsonNode            *body,
                                                       const char          *if_match,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
MusterScimResponse *muster_scim_client_request_finish (MusterScimClient    *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
