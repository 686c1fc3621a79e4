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

#define MAX_RETRIES 4        /* after 429 and 503, as long as Retry-After says */
#define BASE_DELAY_MS 500    /* the first back-off of a read that failed in passing */
#define READ_CHUNK (64 * 1024)

struct _MusterGraphClient
{
  GObject        parent_instance;

  MusterSession *session;
  char          *base;   /* ".../v1.0" */
  char          *origin; /* scheme://host:port, nextLinks must stay on it */
  double         throttle_usage;
  guint          base_delay_ms;
};

G_DEFINE_FINAL_TYPE (MusterGraphClient, muster_graph_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (muster-graph-error-quark, muster_graph_error)

typedef struct
{
  char        *url;
  const char  *method;  /* static string */
  GBytes      *body;    /* POST body, or NULL */
  gboolean     raw;     /* return the bytes, not parsed JSON */
  gboolean     read;    /* changes nothing: may be sent again after a passing failure */
  gsize        max_bytes;  /* 0: any size */
  SoupMessage *msg;
  GInputStream *stream;  /* the answer's body while it is read */
  GByteArray  *body_read;
  MusterToken *token;
  guint        attempt;   /* throttling retries so far */
  guint        failures;  /* tries that failed in passing so far */
  gboolean     refreshed;
  guint        wait_id;
} Request;

static void
request_free (Request *request)
{
  g_free (request->url);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_object (&request->msg);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->body_read, g_byte_array_unref);
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
request_return_error (GTask  *task,
                      GError *error)
{
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* Tries the request once more after a failure that passes (a 5xx, a broken connection, a
 * time-out, an answer cut short), when it is a read and tries are left. TRUE when it will. */
static gboolean
retry_read (GTask      *task,
            const char *why)
{
  MusterGraphClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  guint delay;

  if (!request->read || request->failures + 1 >= MUSTER_GRAPH_MAX_ATTEMPTS)
    return FALSE;
  request->failures++;
  delay = muster_graph_client_retry_delay (self, request->failures);
  g_debug ("Graph %s %s: %s; try %u of %u in %u ms", request->method, request->url, why, request->failures + 1,
           MUSTER_GRAPH_MAX_ATTEMPTS, delay);
  request->wait_id = g_timeout_add (delay, retry_cb, task);
  return TRUE;
}

static gboolean
error_is_passing (const GError *error)
{
  /* a connection reset or closed mid-answer (a load balancer, a kept-alive connection gone
   * stale), a body shorter than its Content-Length, no answer within the time-out */
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static void
transport_failed (GTask  *task,
                  GError *error)
{
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && error_is_passing (error) &&
      retry_read (task, error->message))
    {
      g_error_free (error);
      return;
    }
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autoptr(GError) original = error;
      error = g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_NETWORK,
                           _("Could not reach Microsoft Graph: %s"), original->message);
    }
  request_return_error (task, error);
}

static GError *
too_large_error (gsize max_bytes)
{
  g_autofree char *size = g_format_size_full (max_bytes, G_FORMAT_SIZE_IEC_UNITS);

  return g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_TOO_LARGE,
                      _("Microsoft Graph sent an answer larger than %s; Muster did not read it."), size);
}

/* The whole answer is in: the status decides what happens. */
static void
answer_read (GTask  *task,
             GBytes *bytes)
{
  MusterGraphClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  GError *error = NULL;
  guint status = soup_message_get_status (request->msg);

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
  if ((status == 429 || status == 503) && request->attempt < MAX_RETRIES)
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
  if (status == 500 || status == 502 || status == 504)
    {
      /* learn.microsoft.com/graph/best-practices-concept ("Handling expected errors"): a 5xx
       * may pass, so a read is tried again after a back-off; a 4xx other than 429 never is */
      g_autofree char *why = g_strdup_printf ("HTTP %u", status);

      if (retry_read (task, why))
        return;
    }
  if (status < 200 || status >= 300)
    {
      request_return_error (task, error_from_response (request->msg, bytes));
      return;
    }

  if (request->raw)
    {
      g_task_return_pointer (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
      g_object_unref (task);
      return;
    }

  {
    JsonNode *node = muster_http_parse_json (bytes, "Microsoft Graph", &error);
    if (node == NULL)
      {
        g_autoptr(GError) parse_error = error;

        /* a proxy's error page or a body cut short with a matching Content-Length: asked again */
        if (retry_read (task, parse_error->message))
          return;
        g_task_return_new_error (task, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE, "%s",
                                 parse_error->message);
      }
    else
      g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
  }
  g_object_unref (task);
}

static void read_more (GTask *task);

static void
stream_closed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_input_stream_close_finish (G_INPUT_STREAM (source), result, NULL);
}

/* Stops reading the answer: closing the body before its end makes libsoup drop the connection
 * instead of reading the rest. */
static void
request_drop_stream (Request *request)
{
  if (request->stream == NULL)
    return;
  g_input_stream_close_async (request->stream, G_PRIORITY_DEFAULT, NULL, stream_closed_cb, NULL);
  g_clear_object (&request->stream);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      g_clear_object (&request->stream);
      g_clear_pointer (&request->body_read, g_byte_array_unref);
      transport_failed (task, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&request->body_read));

      g_input_stream_close_async (request->stream, G_PRIORITY_DEFAULT, NULL, stream_closed_cb, NULL);
      g_clear_object (&request->stream);
      answer_read (task, bytes);
      return;
    }
  if (request->max_bytes > 0 && request->body_read->len + g_bytes_get_size (chunk) > request->max_bytes)
    {
      g_debug ("Graph %s %s: more than %" G_GSIZE_FORMAT " bytes; stopped reading", request->method, request->url,
               request->max_bytes);
      request_drop_stream (request);
      g_clear_pointer (&request->body_read, g_byte_array_unref);
      request_return_error (task, too_large_error (request->max_bytes));
      return;
    }
  g_byte_array_append (request->body_read, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  read_more (task);
}

static void
read_more (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  gsize want = READ_CHUNK;

  /* one byte past the cap is enough to know the answer is over it */
  if (request->max_bytes > 0)
    want = MIN (want, request->max_bytes + 1 - request->body_read->len);
  g_input_stream_read_bytes_async (request->stream, want, G_PRIORITY_DEFAULT, g_task_get_cancellable (task), read_cb,
                                   task);
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  GError *error = NULL;
  goffset declared;

  request->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (request->stream == NULL)
    {
      transport_failed (task, error);
      return;
    }

  /* an answer that says it is too big is not read at all */
  declared = soup_message_headers_get_encoding (soup_message_get_response_headers (request->msg)) ==
                 SOUP_ENCODING_CONTENT_LENGTH
               ? soup_message_headers_get_content_length (soup_message_get_response_headers (request->msg))
               : -1;
  if (request->max_bytes > 0 && declared > (goffset) request->max_bytes)
    {
      g_debug ("Graph %s %s: Content-Length %" G_GOFFSET_FORMAT " is over %" G_GSIZE_FORMAT "; not read",
               request->method, request->url, declared, request->max_bytes);
      request_drop_stream (request);
      request_return_error (task, too_large_error (request->max_bytes));
      return;
    }
  request->body_read = g_byte_array_sized_new (declared > 0 ? MIN (declared, 16 * 1024 * 1024) : READ_CHUNK);
  read_more (task);
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
  soup_session_send_async (muster_session_get_http (self->session), request->msg, G_PRIORITY_DEFAULT,
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
  request->read = TRUE;
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
  /* GET changes nothing (RFC 9110 §9.2.2); the $batch Muster sends is GETs only */
  request->read = g_str_equal (request->method, SOUP_METHOD_GET) ||
                  (g_str_equal (request->method, SOUP_METHOD_POST) && g_str_equal (path, "/$batch"));
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  start_request (self, task, path);
}

void
muster_graph_client_get_bytes_async (MusterGraphClient   *self,
                                     const char          *path,
                                     gsize                max_bytes,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;
  Request *request;

  g_return_if_fail (MUSTER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_graph_client_request_bytes_async);
  request = g_new0 (Request, 1);
  request->method = SOUP_METHOD_GET;
  request->raw = TRUE;
  request->read = TRUE;
  request->max_bytes = max_bytes;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  start_request (self, task, path);
}

guint
muster_graph_client_retry_delay (MusterGraphClient *self,
                                 guint              attempt)
{
  guint backoff;

  g_return_val_if_fail (MUSTER_IS_GRAPH_CLIENT (self), 0);

  /* base, 2 × base, 4 × base …, each plus up to as much again at random */
  backoff = self->base_delay_ms << MIN (attempt > 0 ? attempt - 1 : 0, 6);
  return backoff + (backoff > 0 ? g_random_int_range (0, backoff + 1) : 0);
}

void
muster_graph_client_set_retry_delay (MusterGraphClient *self,
                                     guint              base_delay_ms)
{
  g_return_if_fail (MUSTER_IS_GRAPH_CLIENT (self));
  self->base_delay_ms = base_delay_ms;
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
  self->base_delay_ms = BASE_DELAY_MS;
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
