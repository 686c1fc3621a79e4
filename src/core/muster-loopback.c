/* muster-loopback.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-loopback"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "muster-auth-error.h"
#include "muster-loopback.h"

/* Limits on what a browser's answer may be (RFC 9110 §15.5.14, RFC 6585 §5). The answer is a
 * GET whose query holds the code and state: a few KiB of headers, no body. Nothing is read
 * beyond these limits, so a hostile local program cannot make Muster buffer a large request. */
#define MAX_HEADER_BYTES   (16 * 1024)
#define MAX_BODY_BYTES     (64 * 1024)
#define MAX_CONNECTIONS    16
#define CONNECTION_TIMEOUT 30        /* seconds for a whole request and its answer */
#define LINGER_BYTES       (8 * 1024 * 1024) /* at most read and dropped after an early answer… */
#define LINGER_SECONDS     2                 /* …for at most this long, see close_gently() */
#define LISTEN_ATTEMPTS    16
/* RFC 6585 §5; libsoup 3.2 has no name for it */
#define STATUS_HEADER_FIELDS_TOO_LARGE 431

struct _MusterLoopback
{
  GObject         parent_instance;

  GSocketService *service;
  GPtrArray      *connections; /* Connection, the open ones */
  guint           port;
  char           *redirect_uri;

  GTask          *task;        /* the pending wait, if any */
  char           *state;
  guint           timeout_id;
  gulong          cancelled_id;
  gboolean        completed;   /* a code or an error was taken: later deliveries are refused */
};

/* One accepted connection: one request, one answer, then closed. Each pending read or write
 * holds a reference; a closed connection only waits for those to come back. */
typedef struct
{
  gint               ref_count;
  gboolean           closed;
  MusterLoopback    *self;     /* NULL once closed */
  GSocketConnection *connection;
  GCancellable      *cancellable;
  guint              timeout_id;
  char               buffer[MAX_HEADER_BYTES];
  gsize              filled;   /* header bytes in buffer */
  guint64            to_drain; /* body bytes still to read and drop before answering */
  char              *path;     /* of the request whose body is being dropped */
  GHashTable        *query;
  guint64            lingered; /* bytes dropped after an early answer */
  GBytes            *answer;   /* being written */
  gboolean           early;    /* answered before the request was read to its end */
} Connection;

G_DEFINE_FINAL_TYPE (MusterLoopback, muster_loopback, G_TYPE_OBJECT)

/* A whole HTTP/1.1 answer; every connection closes after one. */
static GBytes *
make_answer (guint       status,
             const char *location,
             const char *body)
{
  GString *answer = g_string_new (NULL);
  gsize body_length = body ? strlen (body) : 0;

  g_string_append_printf (answer, "HTTP/1.1 %u %s\r\n", status,
                          status == STATUS_HEADER_FIELDS_TOO_LARGE ? "Request Header Fields Too Large"
                                                                   : soup_status_get_phrase (status));
  g_string_append (answer, "Server: Muster\r\nConnection: close\r\n");
  /* the answer page must not be cached or framed */
  g_string_append (answer, "Cache-Control: no-store\r\nX-Frame-Options: DENY\r\n");
  if (location != NULL)
    g_string_append_printf (answer, "Location: %s\r\n", location);
  if (body != NULL)
    g_string_append (answer, "Content-Type: text/html; charset=utf-8\r\n");
  g_string_append_printf (answer, "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n", body_length);
  if (body != NULL)
    g_string_append_len (answer, body, body_length);
  return g_string_free_to_bytes (answer);
}

static GBytes *
reply_page (guint       status,
            const char *title,
            const char *text)
{
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped_text = g_markup_escape_text (text, -1);
  g_autofree char *body = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                                           "<meta name=\"viewport\" content=\"width=device-width\">"
                                           "<title>%s</title>"
                                           "<style>body{font-family:Cantarell,sans-serif;max-width:34em;margin:4em auto;"
                                           "padding:0 1em;color:#1e1e1e;background:#fafafa}"
                                           "@media (prefers-color-scheme:dark){body{color:#fff;background:#242424}}"
                                           "h1{font-size:1.6em}</style></head>"
                                           "<body><h1>%s</h1><p>%s</p></body></html>\n",
                                           escaped_title, escaped_title, escaped_text);

  return make_answer (status, NULL, body);
}

static GBytes *
reply_status (guint status)
{
  return make_answer (status, NULL, NULL);
}

static void
finish_wait (MusterLoopback *self,
             GHashTable     *answer,
             GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), self->cancelled_id);
      self->cancelled_id = 0;
    }
  self->completed = TRUE;

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, answer, (GDestroyNotify) g_hash_table_unref);
}

static GHashTable *
copy_query (GHashTable *query)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  return copy;
}

/* The answer to a complete GET (its body, if any, already dropped). */
static GBytes *
handle_request (MusterLoopback *self,
                const char     *path,
                GHashTable     *query)
{
  const char *code = query ? g_hash_table_lookup (query, "code") : NULL;
  const char *error = query ? g_hash_table_lookup (query, "error") : NULL;
  const char *state = query ? g_hash_table_lookup (query, "state") : NULL;
  const char *admin_consent = query ? g_hash_table_lookup (query, "admin_consent") : NULL;

  if (g_str_equal (path, "/done"))
    return reply_page (SOUP_STATUS_OK, _("You are signed in to Muster"),
                       _("You can close this tab and go back to Muster."));

  if (code == NULL && error == NULL && admin_consent == NULL)
    return reply_page (SOUP_STATUS_NOT_FOUND, _("Nothing here"),
                       _("This address only receives Microsoft’s sign-in answer for Muster."));

  if (self->completed)
    return reply_page (SOUP_STATUS_BAD_REQUEST, _("Sign-in already finished"),
                       _("Muster already received an answer for this sign-in. You can close this tab."));

  /* An answer with a state we did not send could be forged by another page (CSRF): refuse it and
   * keep waiting for the real one. */
  if (self->task == NULL || state == NULL || g_strcmp0 (state, self->state) != 0)
    {
      g_debug ("Refused a sign-in answer with an unexpected state");
      return reply_page (SOUP_STATUS_BAD_REQUEST, _("Unexpected sign-in answer"),
                         _("This answer does not belong to the sign-in Muster started. Start again from Muster."));
    }

  if (error != NULL)
    {
      const char *description = g_hash_table_lookup (query, "error_description");
      GBytes *answer = reply_page (SOUP_STATUS_OK, _("Sign-in cancelled"),
                                   _("Muster was not signed in. You can close this tab and try again from Muster."));

      finish_wait (self, NULL, muster_auth_error_from_response (error, description, NULL, 0));
      return answer;
    }

  finish_wait (self, copy_query (query), NULL);
  return make_answer (SOUP_STATUS_FOUND, "/done", NULL);
}

/* Connections ------------------------------------------------------------------------------ */

static Connection *
connection_ref (Connection *connection)
{
  g_atomic_int_inc (&connection->ref_count);
  return connection;
}

static void
connection_unref (Connection *connection)
{
  if (!g_atomic_int_dec_and_test (&connection->ref_count))
    return;
  g_clear_object (&connection->connection);
  g_clear_object (&connection->cancellable);
  g_clear_pointer (&connection->answer, g_bytes_unref);
  g_clear_pointer (&connection->query, g_hash_table_unref);
  g_free (connection->path);
  g_free (connection);
}

/* Closes the socket at once (pending operations fail and drop their references) and takes the
 * connection out of the listener's list, dropping the list's reference. */
static void
connection_close (Connection *connection)
{
  if (connection->closed)
    return;
  connection->closed = TRUE;
  g_cancellable_cancel (connection->cancellable);
  g_clear_handle_id (&connection->timeout_id, g_source_remove);
  g_socket_close (g_socket_connection_get_socket (connection->connection), NULL);
  if (connection->self != NULL)
    g_ptr_array_remove_fast (connection->self->connections, connection);
  connection->self = NULL;
  connection_unref (connection);
}

static void linger_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
linger_read (Connection *connection)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection->connection));

  g_input_stream_read_async (input, connection->buffer, sizeof connection->buffer, G_PRIORITY_DEFAULT,
                             connection->cancellable, linger_cb, connection_ref (connection));
}

static void
linger_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Connection *connection = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (!connection->closed)
    {
      connection->lingered += MAX (n, 0);
      if (n <= 0 || connection->lingered >= LINGER_BYTES)
        connection_close (connection);
      else
        linger_read (connection);
    }
  connection_unref (connection);
}

static gboolean linger_timeout_cb (gpointer user_data);

/* After an answer sent before the request ended (413, 431, 405, 400), closing at once would
 * reset the connection while the client still sends: a TCP reset makes the client's kernel drop
 * what it has received and not yet read, the answer included (RFC 9112 §9.6 asks a server to
 * close in stages for this reason). So, as web servers' "lingering close" does: no more
 * writing, then read and drop what still comes until the client stops or for LINGER_SECONDS,
 * at most LINGER_BYTES, and close. A byte count alone is not enough: a client that is slow to
 * read (a loaded machine) may have megabytes in flight before it reads the answer. */
static void
close_gently (Connection *connection)
{
  GSocket *socket = g_socket_connection_get_socket (connection->connection);

  if (connection->early && g_socket_shutdown (socket, FALSE, TRUE, NULL))
    {
      g_clear_handle_id (&connection->timeout_id, g_source_remove);
      connection->timeout_id = g_timeout_add_seconds (LINGER_SECONDS, linger_timeout_cb, connection);
      linger_read (connection);
    }
  else
    connection_close (connection);
}

static void
answer_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Connection *connection = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);
  if (!connection->closed)
    close_gently (connection);
  connection_unref (connection);
}

/* Takes @answer. */
static void
send_answer (Connection *connection,
             GBytes     *answer,
             gboolean    early)
{
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection->connection));
  gsize size;
  const void *data;

  g_clear_pointer (&connection->answer, g_bytes_unref);
  connection->answer = answer;
  connection->early = early;
  data = g_bytes_get_data (answer, &size);
  g_output_stream_write_all_async (output, data, size, G_PRIORITY_DEFAULT, connection->cancellable,
                                   answer_written_cb, connection_ref (connection));
}

/* Answers the complete GET in @connection->path and ->query. */
static void
answer_request (Connection *connection)
{
  /* the wait's callback may drop the last reference to the listener */
  g_autoptr(MusterLoopback) self = g_object_ref (connection->self);
  GBytes *answer = handle_request (self, connection->path, connection->query);

  if (connection->closed)
    g_bytes_unref (answer);
  else
    send_answer (connection, answer, FALSE);
}

static void read_more (Connection *connection);

/* The request line and headers are in; @length bytes of the buffer hold them and the blank
 * line. Anything after them is the start of the body. */
static void
request_headers_read (Connection *connection,
                      gsize       length)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autofree char *method = NULL, *target = NULL;
  g_autoptr(GUri) base = NULL, uri = NULL;
  SoupHTTPVersion version;
  SoupEncoding encoding;
  guint64 body_length = 0;
  guint status;

  status = soup_headers_parse_request (connection->buffer, (int) length, headers, &method, &target, &version);
  if (status != SOUP_STATUS_OK)
    {
      send_answer (connection, reply_status (status), TRUE);
      return;
    }

  encoding = soup_message_headers_get_encoding (headers);
  if (encoding == SOUP_ENCODING_CONTENT_LENGTH)
    body_length = soup_message_headers_get_content_length (headers);
  /* a chunked (or otherwise unbounded) body cannot be known to be small without reading it */
  if ((encoding != SOUP_ENCODING_CONTENT_LENGTH && encoding != SOUP_ENCODING_NONE)
      || body_length > MAX_BODY_BYTES)
    {
      g_debug ("Refused a request with a body of %" G_GUINT64_FORMAT " bytes", body_length);
      send_answer (connection, reply_status (SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE), TRUE);
      return;
    }
  if (!g_str_equal (method, SOUP_METHOD_GET))
    {
      send_answer (connection, reply_status (SOUP_STATUS_METHOD_NOT_ALLOWED), TRUE);
      return;
    }

  base = g_uri_parse ("http://localhost/", G_URI_FLAGS_NONE, NULL);
  uri = g_uri_parse_relative (base, target, G_URI_FLAGS_ENCODED_QUERY, NULL);
  if (uri == NULL)
    {
      send_answer (connection, reply_status (SOUP_STATUS_BAD_REQUEST), TRUE);
      return;
    }
  connection->path = g_strdup (g_uri_get_path (uri));
  if (g_uri_get_query (uri) != NULL)
    connection->query = soup_form_decode (g_uri_get_query (uri));

  /* a GET's body means nothing here, but it is small: read and drop it before answering */
  connection->to_drain = body_length - MIN (body_length, connection->filled - length);
  connection->filled = 0;
  if (connection->to_drain > 0)
    read_more (connection);
  else
    answer_request (connection);
}

/* The end of the header block ("\r\n\r\n", or "\n\n" which RFC 9112 §2.2 lets servers take),
 * or 0 when it has not arrived yet. */
static gsize
end_of_headers (const char *data,
                gsize       length)
{
  for (gsize i = 0; i + 1 < length; i++)
    if (data[i] == '\n')
      {
        if (data[i + 1] == '\n')
          return i + 2;
        if (data[i + 1] == '\r' && i + 2 < length && data[i + 2] == '\n')
          return i + 3;
      }
  return 0;
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Connection *connection = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  gsize end;

  if (connection->closed)
    ;
  else if (n <= 0)
    connection_close (connection);
  else if (connection->to_drain > 0)
    {
      connection->to_drain -= MIN ((guint64) n, connection->to_drain);
      if (connection->to_drain > 0)
        read_more (connection);
      else
        answer_request (connection);
    }
  else
    {
      connection->filled += n;
      end = end_of_headers (connection->buffer, connection->filled);
      if (end > 0)
        request_headers_read (connection, end);
      else if (connection->filled == sizeof connection->buffer)
        send_answer (connection, reply_status (STATUS_HEADER_FIELDS_TOO_LARGE), TRUE);
      else
        read_more (connection);
    }
  connection_unref (connection);
}

static void
read_more (Connection *connection)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection->connection));

  /* a body being dropped goes through the whole buffer; headers fill the rest of it */
  if (connection->to_drain > 0)
    g_input_stream_read_async (input, connection->buffer, MIN (sizeof connection->buffer, connection->to_drain),
                               G_PRIORITY_DEFAULT, connection->cancellable, read_cb, connection_ref (connection));
  else
    g_input_stream_read_async (input, connection->buffer + connection->filled,
                               sizeof connection->buffer - connection->filled,
                               G_PRIORITY_DEFAULT, connection->cancellable, read_cb, connection_ref (connection));
}

static gboolean
linger_timeout_cb (gpointer user_data)
{
  Connection *connection = user_data;

  connection->timeout_id = 0;
  connection_close (connection);
  return G_SOURCE_REMOVE;
}

static gboolean
connection_timeout_cb (gpointer user_data)
{
  Connection *connection = user_data;

  connection->timeout_id = 0;
  g_debug ("Closed a sign-in connection that took too long");
  connection_close (connection);
  return G_SOURCE_REMOVE;
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *socket_connection,
             GObject           *source_object,
             gpointer           user_data)
{
  MusterLoopback *self = user_data;
  Connection *connection;

  if (self->connections->len >= MAX_CONNECTIONS)
    {
      g_debug ("Too many sign-in connections at once; closed one");
      g_socket_close (g_socket_connection_get_socket (socket_connection), NULL);
      return TRUE;
    }

  connection = g_new0 (Connection, 1);
  connection->ref_count = 1;  /* the list's */
  connection->self = self;
  connection->connection = g_object_ref (socket_connection);
  connection->cancellable = g_cancellable_new ();
  connection->timeout_id = g_timeout_add_seconds (CONNECTION_TIMEOUT, connection_timeout_cb, connection);
  g_ptr_array_add (self->connections, connection);
  read_more (connection);
  return TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  MusterLoopback *self = user_data;

  self->timeout_id = 0;
  finish_wait (self, NULL, g_error_new_literal (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_TIMED_OUT,
                                                _("Nobody finished signing in in the browser in time. Start again.")));
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_idle_cb (gpointer user_data)
{
  g_autoptr(MusterLoopback) self = user_data;

  if (self->task != NULL)
    finish_wait (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sign-in cancelled")));
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable   *cancellable,
              MusterLoopback *self)
{
  /* may run in any thread, and g_cancellable_disconnect() must not run inside the handler */
  g_idle_add (cancelled_idle_cb, g_object_ref (self));
}

static void
muster_loopback_dispose (GObject *object)
{
  MusterLoopback *self = MUSTER_LOOPBACK (object);

  if (self->task != NULL)
    finish_wait (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sign-in cancelled")));
  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_signal_handlers_disconnect_by_data (self->service, self);
    }
  g_clear_object (&self->service);
  /* the pending reads and writes of each connection are cancelled and see it gone */
  while (self->connections != NULL && self->connections->len > 0)
    connection_close (g_ptr_array_index (self->connections, self->connections->len - 1));

  G_OBJECT_CLASS (muster_loopback_parent_class)->dispose (object);
}

static void
muster_loopback_finalize (GObject *object)
{
  MusterLoopback *self = MUSTER_LOOPBACK (object);

  g_free (self->redirect_uri);
  g_free (self->state);
  g_clear_pointer (&self->connections, g_ptr_array_unref);
  G_OBJECT_CLASS (muster_loopback_parent_class)->finalize (object);
}

static void
muster_loopback_class_init (MusterLoopbackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = muster_loopback_dispose;
  object_class->finalize = muster_loopback_finalize;
}

static void
muster_loopback_init (MusterLoopback *self)
{
  self->connections = g_ptr_array_new ();
}

MusterLoopback *
muster_loopback_new (void)
{
  return g_object_new (MUSTER_TYPE_LOOPBACK, NULL);
}

gboolean
muster_loopback_listen (MusterLoopback  *self,
                        GError         **error)
{
  g_autoptr(GInetAddress) ipv4 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GInetAddress) ipv6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);

  g_return_val_if_fail (MUSTER_IS_LOOPBACK (self), FALSE);
  g_return_val_if_fail (self->service == NULL, FALSE);

  /* The redirect URI says "localhost" (Entra matches it with any port but takes no [::1]
   * redirect), and a browser may resolve that to 127.0.0.1 or to ::1: both must be ours, on the
   * same port, or another local program could take the other one and receive the code. When
   * ::1's port is taken, start again with a new port; a computer without IPv6 loopback has no
   * ::1 for anyone to take. */
  for (guint attempt = 0; attempt < LISTEN_ATTEMPTS; attempt++)
    {
      g_autoptr(GSocketService) service = g_socket_service_new ();
      g_autoptr(GSocketAddress) address4 = g_inet_socket_address_new (ipv4, 0);
      g_autoptr(GSocketAddress) address6 = NULL;
      g_autoptr(GSocketAddress) effective = NULL;
      g_autoptr(GError) ipv6_error = NULL;
      guint port;

      if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
        return FALSE;
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

      address6 = g_inet_socket_address_new (ipv6, port);
      if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address6, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL, NULL, &ipv6_error))
        {
          if (g_error_matches (ipv6_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
            {
              g_debug ("[::1]:%u is taken; trying another port", port);
              g_socket_listener_close (G_SOCKET_LISTENER (service));
              continue;
            }
          g_debug ("No IPv6 loopback (%s); listening on 127.0.0.1 only", ipv6_error->message);
        }

      g_signal_connect (service, "incoming", G_CALLBACK (incoming_cb), self);
      g_socket_service_start (service);
      self->service = g_steal_pointer (&service);
      self->port = port;
      self->redirect_uri = g_strdup_printf ("http://localhost:%u", self->port);
      return TRUE;
    }

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                       _("Could not find a free port for the sign-in listener on both 127.0.0.1 and ::1."));
  return FALSE;
}

guint
muster_loopback_get_port (MusterLoopback *self)
{
  g_return_val_if_fail (MUSTER_IS_LOOPBACK (self), 0);
  return self->port;
}

const char *
muster_loopback_get_redirect_uri (MusterLoopback *self)
{
  g_return_val_if_fail (MUSTER_IS_LOOPBACK (self), NULL);
  return self->redirect_uri;
}

void
muster_loopback_wait_for_code_async (MusterLoopback      *self,
                                     const char          *state,
                                     guint                timeout_seconds,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (MUSTER_IS_LOOPBACK (self));
  g_return_if_fail (self->service != NULL);
  g_return_if_fail (self->task == NULL && !self->completed);
  g_return_if_fail (state != NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, muster_loopback_wait_for_code_async);
  g_free (self->state);
  self->state = g_strdup (state);
  self->timeout_id = g_timeout_add_seconds (timeout_seconds ? timeout_seconds : MUSTER_LOOPBACK_DEFAULT_TIMEOUT,
                                            timeout_cb, self);
  if (cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self, NULL);
}

GHashTable *
muster_loopback_wait_for_code_finish (MusterLoopback  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
