/* muster-graph-client.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-graph-client"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "muster-auth-error.h"
#include "muster-cloud.h"
#include "muster-graph-client.h"
#include "muster-http.h"

#define MAX_RETRIES 4

struct _MusterGraphClient
{
  GObject        parent_instance;

  MusterSession *session;
  char          *base;   /* ".../v1.0" */
  char          *origin; /* scheme://host:port, nextLinks must stay on it */
  double         throttle_usage;
};

G_DEFINE_FINAL_TYPE (MusterGraphClient, muster_graph_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (muster-graph-error-quark, muster_graph_error)

typedef struct
{
  char        *url;
  const char  *method;  /* static string */
  GBytes      *body;    /* POST body, or NULL */
  gboolean     raw;     /* return the bytes, not parsed JSON */
  SoupMessage *msg;
  MusterToken *token;
  guint        attempt;
  gboolean     refreshed;
  gboolean     reconnected;  /* a GET sent again after the connection broke */
  guint        wait_id;
} Request;

static void
request_free (Request *request)
{
  g_free (request->url);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_object (&request->msg);
  g_clear_pointer (&request->token, muster_token_free);
  g_clear_handle_id (&request->wait_id, g_source_remove);
  g_free (request);
}

guint
muster_graph_parse_retry_after (const char *value,
                                gint64      now,
                                guint       fallback_ms)
{
  guint64 seconds;

  if (value == NULL)
    return fallback_ms;
  if (g_ascii_string_to_unsigned (value, 10, 0, 3600, &seconds, NULL))
    return (guint) seconds * 1000;
  {
    /* RFC 9110 §10.2.3 also allows an HTTP date */
    g_autoptr(GDateTime) date = soup_date_time_new_from_http_string (value);
    if (date != NULL)
      {
        gint64 delta = g_date_time_to_unix (date) - now;
        return (guint) CLAMP (delta, 0, 3600) * 1000;
      }
  }
  return fallback_ms;
}

static GError *
error_from_response (SoupMessage *msg,
                     GBytes      *bytes)
{
  g_autoptr(JsonNode) node = muster_http_parse_json (bytes, "Graph", NULL);
  JsonObject *error = node && JSON_NODE_HOLDS_OBJECT (node)
    ? muster_json_get_object (json_node_get_object (node), "error") : NULL;
  const char *code = muster_json_get_string (error, "code");
  const char *message = muster_json_get_string (error, "message");
  guint status = soup_message_get_status (msg);
  MusterGraphError kind;
  const char *sentence;

  g_debug ("Graph %u %s: %s", status, code ? code : "-", message ? message : "-");

  switch (status)
    {
    case 401:
      kind = MUSTER_GRAPH_ERROR_UNAUTHORIZED;
      sentence = _("Microsoft Graph did not accept the sign-in. Sign in again.");
      break;
    case 403:
      kind = MUSTER_GRAPH_ERROR_FORBIDDEN;
      sentence = _("Muster lacks a permission for this. Grant admin consent, then sign in again.");
      break;
    case 404:
      kind = MUSTER_GRAPH_ERROR_NOT_FOUND;
      sentence = _("Microsoft Graph has no such object.");
      break;
    case 410:
      kind = MUSTER_GRAPH_ERROR_RESYNC_REQUIRED;
      sentence = _("Microsoft Graph no longer knows the last refresh; a full refresh is needed.");
      break;
    case 429:
      kind = MUSTER_GRAPH_ERROR_THROTTLED;
      sentence = _("Microsoft Graph is throttling Muster. Try again in a few minutes.");
      break;
    default:
      kind = status >= 500 ? MUSTER_GRAPH_ERROR_SERVER : MUSTER_GRAPH_ERROR_BAD_REQUEST;
      sentence = status >= 500 ? _("Microsoft Graph had a problem. Try again later.")
                               : _("Microsoft Graph refused the request.");
    }
  return g_error_new (MUSTER_GRAPH_ERROR, kind, "%s (%s%s%u)", sentence,
                      code ? code : "", code ? ", HTTP " : "HTTP ", status);
}

static void send_request (GTask *task);

static gboolean
retry_cb (gpointer user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  request->wait_id = 0;
  if (g_task_return_error_if_cancelled (task))
    g_object_unref (task);
  else
    send_request (task);
  return G_SOURCE_REMOVE;
}

static void token_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  MusterGraphClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  guint status;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL && !request->reconnected && g_strcmp0 (request->method, "GET") == 0 &&
      (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
       g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
       g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT)))
    {
      /* a connection reset mid-answer (a load balancer, a kept-alive connection gone stale):
       * a GET changes nothing, so it is sent once more on a new connection. A time-out is not
       * retried: that would double a wait the admin already sat through. */
      g_debug ("Graph connection broke (%s); sending the GET again", error->message);
      g_clear_error (&error);
      request->reconnected = TRUE;
      request->wait_id = g_timeout_add (250 + g_random_int_range (0, 250), retry_cb, task);
      return;
    }
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autoptr(GError) original = error;
          error = g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_NETWORK,
                               _("Could not reach Microsoft Graph: %s"), original->message);
        }
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  status = soup_message_get_status (request->msg);
  {
    const char *usage = soup_message_headers_get_one (soup_message_get_response_headers (request->msg),
                                                      "x-ms-throttle-limit-percentage");
    self->throttle_usage = usage ? g_ascii_strtod (usage, NULL) : 0.0;
  }
  if (status == 401 && !request->refreshed)
    {
      /* one silent retry with a fresh token: the service may have expired it early */
      request->refreshed = TRUE;
      muster_session_get_token_async (self->session, TRUE, g_task_get_cancellable (task), token_cb, task);
      return;
    }
  if ((status == 429 || status == 503 || status == 504) && request->attempt < MAX_RETRIES)
    {
      const char *retry_after = soup_message_headers_get_one (soup_message_get_response_headers (request->msg),
                                                              "Retry-After");
      guint backoff = 1000u << request->attempt;
      guint delay = muster_graph_parse_retry_after (retry_after, g_get_real_time () / G_USEC_PER_SEC, backoff);

      /* jitter keeps parallel requests from returning in lockstep (learn.microsoft.com/graph/throttling) */
      delay += g_random_int_range (0, 250);
      request->attempt++;
      g_debug ("Graph answered %u; retrying in %u ms", status, delay);
      request->wait_id = g_timeout_add (delay, retry_cb, task);
      return;
    }
  if (status < 200 || status >= 300)
    {
      g_task_return_error (task, error_from_response (request->msg, bytes));
      g_object_unref (task);
      return;
    }

  if (request->raw)
    {
      g_task_return_pointer (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
      g_object_unref (task);
      return;
    }

  {
    JsonNode *node = muster_http_parse_json (bytes, "Microsoft Graph", &error);
    if (node == NULL)
      {
        g_autoptr(GError) parse_error = error;
        g_task_return_new_error (task, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE, "%s",
                                 parse_error->message);
      }
    else
      g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
  }
  g_object_unref (task);
}

static void
send_request (GTask *task)
{
  MusterGraphClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autofree char *authorization = g_strconcat ("Bearer ", request->token->access_token, NULL);
  SoupMessageHeaders *headers;

  g_clear_object (&request->msg);
  request->msg = soup_message_new (request->method, request->url);
  if (request->msg == NULL)
    {
      g_task_return_new_error (task, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE,
                               _("Microsoft Graph gave an address Muster cannot read."));
      g_object_unref (task);
      return;
    }
  if (request->body != NULL)
    soup_message_set_request_body_from_bytes (request->msg, "application/json", request->body);
  headers = soup_message_get_request_headers (request->msg);
  soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_headers_replace (headers, "Accept", "application/json");
  /* $count, $search and some filters need it; it is harmless elsewhere
   * (learn.microsoft.com/graph/aad-advanced-queries) */
  soup_message_headers_replace (headers, "ConsistencyLevel", "eventual");
  explicit_bzero (authorization, strlen (authorization));
  soup_session_send_and_read_async (muster_session_get_http (self->session), request->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), send_cb, task);
}

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  GError *error = NULL;
  MusterToken *token;

  token = muster_session_get_token_finish (MUSTER_SESSION (source), result, &error);
  if (token == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_clear_pointer (&request->token, muster_token_free);
  request->token = token;
  send_request (task);
}

static void
start_request (MusterGraphClient *self,
               GTask             *task,
               const char        *path)
{
  Request *request = g_task_get_task_data (task);

  if (path[0] == '/')
    request->url = g_strconcat (self->base, path, NULL);
  else if (g_str_has_prefix (path, self->origin) && path[strlen (self->origin)] == '/')
    request->url = g_strdup (path);
  else
    {
      /* a nextLink to another host would carry our token there */
      g_task_return_new_error (task, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE,
                               _("Microsoft Graph pointed to another server (%s); Muster did not follow."), path);
      g_object_unref (task);
      return;
    }

  /* Checked on every request, not once: MUSTER_GRAPH_HOST, nextLinks, deltaLinks and photo paths
   * all end up here, and none of them may carry the token over plain http off this computer. */
  {
    g_autoptr(GError) insecure = NULL;

    if (!muster_url_is_acceptable (request->url, &insecure))
      {
        g_task_return_new_error (task, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INSECURE,
                                 _("Muster did not send the sign-in to Microsoft Graph: %s"), insecure->message);
        g_object_unref (task);
        return;
      }
  }

  muster_session_get_token_async (self->session, FALSE, g_task_get_cancellable (task), token_cb, task);
}

void
muster_graph_client_get_async (MusterGraphClient   *self,
                               const char          *path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  Request *request;

  g_return_if_fail (MUSTER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_graph_client_get_async);
  request = g_new0 (Request, 1);
  request->method = SOUP_METHOD_GET;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  start_request (self, task, path);
}

void
muster_graph_client_request_bytes_async (MusterGraphClient   *self,
                                         const char          *method,
                                         const char          *path,
                                         GBytes              *body,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GTask *task;
  Request *request;

  g_return_if_fail (MUSTER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_graph_client_request_bytes_async);
  request = g_new0 (Request, 1);
  request->method = g_intern_string (method);
  request->body = body ? g_bytes_ref (body) : NULL;
  request->raw = TRUE;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  start_request (self, task, path);
}

GBytes *
muster_graph_client_request_bytes_finish (MusterGraphClient  *self,
                                          GAsyncResult       *result,
                                          GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

double
muster_graph_client_get_throttle_usage (MusterGraphClient *self)
{
  g_return_val_if_fail (MUSTER_IS_GRAPH_CLIENT (self), 0.0);
  return self->throttle_usage;
}

JsonNode *
muster_graph_client_get_finish (MusterGraphClient  *self,
                                GAsyncResult       *result,
                                GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
muster_graph_client_finalize (GObject *object)
{
  MusterGraphClient *self = MUSTER_GRAPH_CLIENT (object);

  g_clear_object (&self->session);
  g_free (self->base);
  g_free (self->origin);
  G_OBJECT_CLASS (muster_graph_client_parent_class)->finalize (object);
}

static void
muster_graph_client_class_init (MusterGraphClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = muster_graph_client_finalize;
}

static void
muster_graph_client_init (MusterGraphClient *self)
{
}

MusterGraphClient *
muster_graph_client_new (MusterSession *session)
{
  MusterGraphClient *self;
  g_autofree char *host = NULL;
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (MUSTER_IS_SESSION (session), NULL);

  self = g_object_new (MUSTER_TYPE_GRAPH_CLIENT, NULL);
  self->session = g_object_ref (session);
  host = muster_cloud_get_graph (muster_profile_get_cloud (muster_session_get_profile (session)));
  self->base = g_strconcat (host, "/v1.0", NULL);
  uri = g_uri_parse (host, G_URI_FLAGS_NONE, NULL);
  self->origin = uri ? g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                                   g_uri_get_port (uri), "", NULL, NULL)
                     : g_strdup (host);
  return self;
}

MusterSession *
muster_graph_client_get_session (MusterGraphClient *self)
{
  g_return_val_if_fail (MUSTER_IS_GRAPH_CLIENT (self), NULL);
  return self->session;
}

const char *
muster_graph_client_get_base (MusterGraphClient *self)
{
  g_return_val_if_fail (MUSTER_IS_GRAPH_CLIENT (self), NULL);
  return self->base;
}
