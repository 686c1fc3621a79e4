/* muster-scim-client.c: one SCIM 2.0 service over HTTP — bearer token, retries, error words
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-scim-client"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "muster-cloud.h"
#include "muster-graph-client.h"
#include "muster-http.h"
#include "muster-scim-client.h"
#include "muster-target.h"

/* RFC 7644 §3.1 */
#define SCIM_CONTENT_TYPE "application/scim+json"

struct _MusterScimClient
{
  GObject      parent_instance;

  char        *base_url;   /* no trailing slash */
  char        *token;
  SoupSession *session;    /* made on first use, with @connections */
  guint        connections;
  guint        max_delay_ms;
  guint        max_retries;
};

G_DEFINE_FINAL_TYPE (MusterScimClient, muster_scim_client, G_TYPE_OBJECT)

typedef struct
{
  const char  *method;     /* interned */
  char        *url;
  char        *path;       /* for messages: never holds the token */
  GBytes      *body;
  char        *if_match;
  SoupMessage *msg;
  guint        attempt;
  GSource     *wait;         /* before a retry */
  GSource     *wait_cancel;  /* …cut short by the cancellable */
} Request;

static void
request_stop_waiting (Request *request)
{
  if (request->wait != NULL)
    g_source_destroy (request->wait);
  g_clear_pointer (&request->wait, g_source_unref);
  if (request->wait_cancel != NULL)
    g_source_destroy (request->wait_cancel);
  g_clear_pointer (&request->wait_cancel, g_source_unref);
}

static void
request_free (Request *request)
{
  g_free (request->url);
  g_free (request->path);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request->if_match);
  g_clear_object (&request->msg);
  request_stop_waiting (request);
  g_free (request);
}

void
muster_scim_response_free (MusterScimResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->json, json_node_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response->etag);
  g_free (response->location);
  g_free (response);
}

JsonNode *
muster_scim_response_get_json (const MusterScimResponse *response)
{
  MusterScimResponse *mutable = (MusterScimResponse *) response;

  g_return_val_if_fail (response != NULL, NULL);

  if (!response->parsed)
    {
      mutable->parsed = TRUE;
      if (response->body != NULL && g_bytes_get_size (response->body) > 0)
        mutable->json = muster_http_parse_json (response->body, "SCIM", NULL);
    }
  return response->json;
}

JsonObject *
muster_scim_response_get_object (const MusterScimResponse *response)
{
  JsonNode *json = muster_scim_response_get_json (response);

  return json != NULL && JSON_NODE_HOLDS_OBJECT (json) ? json_node_get_object (json) : NULL;
}

const char *
muster_scim_response_get_scim_type (const MusterScimResponse *response)
{
  return muster_json_get_string (muster_scim_response_get_object (response), "scimType");
}

GError *
muster_scim_response_to_error (const MusterScimResponse *response,
                               const char               *what)
{
  JsonObject *object = muster_scim_response_get_object (response);
  const char *detail = muster_json_get_string (object, "detail");
  const char *scim_type = muster_json_get_string (object, "scimType");
  MusterTargetError code;
  const char *sentence;

  g_return_val_if_fail (response != NULL, NULL);

  switch (response->status)
    {
    case 401:
    case 403:
      code = MUSTER_TARGET_ERROR_AUTH;
      sentence = _("the SCIM service refused the token; set a new token for this target");
      break;
    case 404:
      code = MUSTER_TARGET_ERROR_REJECTED;
      sentence = _("the SCIM service has no such resource");
      break;
    case 409:
    case 412:
      code = MUSTER_TARGET_ERROR_CONFLICT;
      sentence = _("it changed in the SCIM service meanwhile");
      break;
    case 501:
      code = MUSTER_TARGET_ERROR_UNSUPPORTED;
      sentence = _("the SCIM service does not support this");
      break;
    default:
      if (response->status >= 500 || response->status == 429)
        {
          code = MUSTER_TARGET_ERROR_FAILED;
          sentence = response->status == 429 ? _("the SCIM service kept asking Muster to slow down")
                                             : _("the SCIM service had a problem; try again later");
        }
      else
        {
          code = MUSTER_TARGET_ERROR_REJECTED;
          sentence = _("the SCIM service refused it");
        }
    }

  /* the service's own words matter most to an admin reading the result */
  if (detail != NULL && scim_type != NULL)
    return g_error_new (MUSTER_TARGET_ERROR, code, _("%s: %s: “%s” (%s, HTTP %u)"), what, sentence, detail,
                        scim_type, response->status);
  if (detail != NULL)
    return g_error_new (MUSTER_TARGET_ERROR, code, _("%s: %s: “%s” (HTTP %u)"), what, sentence, detail,
                        response->status);
  return g_error_new (MUSTER_TARGET_ERROR, code, _("%s: %s (HTTP %u)"), what, sentence, response->status);
}

char *
muster_scim_quote (const char *value)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, value != NULL ? value : "");
  return json_to_string (node, FALSE);
}

static SoupSession *
get_session (MusterScimClient *self)
{
  if (self->session == NULL)
    self->session = muster_http_session_new_with_connections (self->connections);
  return self->session;
}

static gboolean
status_is_retryable (guint status)
{
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

static void send_request (GTask *task);

static gboolean
retry_cb (gpointer user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  request_stop_waiting (request);
  if (g_task_return_error_if_cancelled (task))
    g_object_unref (task);
  else
    send_request (task);
  return G_SOURCE_REMOVE;
}

static gboolean
retry_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  return retry_cb (user_data);
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  MusterScimClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  MusterScimResponse *response;
  SoupMessageHeaders *headers;
  guint status;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        {
          g_debug ("%s %s: %s", request->method, request->path, error->message);
          g_task_return_new_error (task, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_UNREACHABLE,
                                   _("Could not reach the SCIM service at %s: %s"), self->base_url,
                                   error->message);
        }
      g_object_unref (task);
      return;
    }

  status = soup_message_get_status (request->msg);
  headers = soup_message_get_response_headers (request->msg);
  g_debug ("%s %s → %u", request->method, request->path, status);

  if (status_is_retryable (status) && request->attempt < self->max_retries)
    {
      guint backoff = 500u << MIN (request->attempt, 6);
      guint delay = muster_graph_parse_retry_after (soup_message_headers_get_one (headers, "Retry-After"),
                                                    g_get_real_time () / G_USEC_PER_SEC, backoff);

      /* RFC 9110 §10.2.3 lets the service say how long; a cap keeps a push from hanging on a
       * service that says "an hour", and jitter keeps parallel requests out of lockstep */
      delay = MIN (delay, self->max_delay_ms) + g_random_int_range (0, 100);
      request->attempt++;
      g_debug ("%s %s answered %u; retry %u in %u ms", request->method, request->path, status, request->attempt,
               delay);
      /* on the caller's context, and no longer than the push wants to wait */
      request->wait = g_timeout_source_new (delay);
      g_source_set_callback (request->wait, retry_cb, task, NULL);
      g_source_attach (request->wait, g_main_context_get_thread_default ());
      if (g_task_get_cancellable (task) != NULL)
        {
          request->wait_cancel = g_cancellable_source_new (g_task_get_cancellable (task));
          g_source_set_callback (request->wait_cancel, G_SOURCE_FUNC (retry_cancelled_cb), task, NULL);
          g_source_attach (request->wait_cancel, g_main_context_get_thread_default ());
        }
      return;
    }

  response = g_new0 (MusterScimResponse, 1);
  response->status = status;
  response->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
  response->location = g_strdup (soup_message_headers_get_one (headers, "Location"));
  response->body = g_steal_pointer (&bytes);

  if (status == 401 || status == 403)
    {
      g_autoptr(MusterScimResponse) refused = response;

      g_task_return_error (task, muster_scim_response_to_error (refused, self->base_url));
      g_object_unref (task);
      return;
    }

  g_task_return_pointer (task, response, (GDestroyNotify) muster_scim_response_free);
  g_object_unref (task);
}

static void
send_request (GTask *task)
{
  MusterScimClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autofree char *authorization = NULL;
  SoupMessageHeaders *headers;

  g_clear_object (&request->msg);
  request->msg = soup_message_new (request->method, request->url);
  if (request->msg == NULL)
    {
      g_task_return_new_error (task, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID,
                               _("“%s” is not an address Muster can use"), request->path);
      g_object_unref (task);
      return;
    }
  if (request->body != NULL)
    soup_message_set_request_body_from_bytes (request->msg, SCIM_CONTENT_TYPE, request->body);
  /* libsoup gives a POST or PATCH a new connection unless told it may be sent again, which
   * would open one connection per write. Sending one again is harmless here: a repeated
   * create answers 409 and becomes a match, PATCH ops replace values or add a member once. */
  soup_message_add_flags (request->msg, SOUP_MESSAGE_IDEMPOTENT);
  headers = soup_message_get_request_headers (request->msg);
  authorization = g_strconcat ("Bearer ", self->token, NULL);
  soup_message_headers_replace (headers, "Authorization", authorization);
  explicit_bzero (authorization, strlen (authorization));
  soup_message_headers_replace (headers, "Accept", SCIM_CONTENT_TYPE ", application/json");
  if (request->if_match != NULL)
    soup_message_headers_replace (headers, "If-Match", request->if_match);
  soup_session_send_and_read_async (get_session (self), request->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), send_cb, task);
}

void
muster_scim_client_request_async (MusterScimClient    *self,
                                  const char          *method,
                                  const char          *path,
                                  JsonNode            *body,
                                  const char          *if_match,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  Request *request;

  g_return_if_fail (MUSTER_IS_SCIM_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL && path[0] == '/');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_scim_client_request_async);
  request = g_new0 (Request, 1);
  request->method = g_intern_string (method);
  request->url = g_strconcat (self->base_url, path, NULL);
  request->path = g_strdup (path);
  if (body != NULL)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      gsize length = 0;
      char *text;

      json_generator_set_root (generator, body);
      text = json_generator_to_data (generator, &length);
      request->body = g_bytes_new_take (text, length);
    }
  request->if_match = g_strdup (if_match);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  send_request (task);
}

MusterScimResponse *
muster_scim_client_request_finish (MusterScimClient  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
muster_scim_client_finalize (GObject *object)
{
  MusterScimClient *self = MUSTER_SCIM_CLIENT (object);

  if (self->token != NULL)
    explicit_bzero (self->token, strlen (self->token));
  g_free (self->token);
  g_free (self->base_url);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (muster_scim_client_parent_class)->finalize (object);
}

static void
muster_scim_client_class_init (MusterScimClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = muster_scim_client_finalize;
}

static void
muster_scim_client_init (MusterScimClient *self)
{
  self->connections = 8;
  self->max_delay_ms = 30000;
  self->max_retries = 4;
}

MusterScimClient *
muster_scim_client_new (const char  *base_url,
                        const char  *token,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  MusterScimClient *self;
  gsize length;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  if (!muster_url_is_acceptable (base_url, &local_error))
    {
      g_set_error_literal (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID, local_error->message);
      return NULL;
    }
  if (*token == '\0' || strpbrk (token, "\r\n") != NULL)
    {
      g_set_error_literal (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID,
                           _("The SCIM token is empty or not on one line"));
      return NULL;
    }

  self = g_object_new (MUSTER_TYPE_SCIM_CLIENT, NULL);
  self->base_url = g_strdup (base_url);
  length = strlen (self->base_url);
  while (length > 0 && self->base_url[length - 1] == '/')
    self->base_url[--length] = '\0';
  self->token = g_strdup (token);
  return self;
}

const char *
muster_scim_client_get_base_url (MusterScimClient *self)
{
  g_return_val_if_fail (MUSTER_IS_SCIM_CLIENT (self), NULL);
  return self->base_url;
}

void
muster_scim_client_set_connections (MusterScimClient *self,
                                    guint             n)
{
  g_return_if_fail (MUSTER_IS_SCIM_CLIENT (self));

  n = CLAMP (n, 1, 64);
  if (n == self->connections)
    return;
  self->connections = n;
  /* libsoup fixes the limits when a session is made; requests in flight keep the old one */
  g_clear_object (&self->session);
}
