/* muster-fake-http.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-http"

#include "config.h"

#include <sys/random.h>

#include "muster-fake-http.h"

void
_muster_fake_json_append_string (GString    *out,
                                 const char *s)
{
  static const char hex[] = "0123456789abcdef";

  if (s == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p; p++)
    {
      switch (*p)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (*p < 0x20)
            {
              g_string_append (out, "\\u00");
              g_string_append_c (out, hex[*p >> 4]);
              g_string_append_c (out, hex[*p & 0xf]);
            }
          else
            g_string_append_c (out, *p);
        }
    }
  g_string_append_c (out, '"');
}

void
_muster_fake_reply_take (SoupServerMessage *msg,
                         guint              status,
                         const char        *content_type,
                         char              *body,
                         gsize              length)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, body, length);
}

void
_muster_fake_reply_json (SoupServerMessage *msg,
                         guint              status,
                         const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

GString *
_muster_fake_graph_error_body (const char *code,
                               const char *message,
                               const char *date,
                               const char *request_id,
                               const char *client_request_id)
{
  GString *body = g_string_new ("{\"error\":{\"code\":");

  _muster_fake_json_append_string (body, code);
  g_string_append (body, ",\"message\":");
  _muster_fake_json_append_string (body, message);
  g_string_append (body, ",\"innerError\":{\"date\":");
  _muster_fake_json_append_string (body, date);
  g_string_append (body, ",\"request-id\":");
  _muster_fake_json_append_string (body, request_id);
  g_string_append (body, ",\"client-request-id\":");
  _muster_fake_json_append_string (body, client_request_id ? client_request_id : request_id);
  g_string_append (body, "}}}");
  return body;
}

void
_muster_fake_reply_graph_error (SoupServerMessage *msg,
                                guint              status,
                                const char        *code,
                                const char        *message)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autofree char *date = _muster_fake_iso8601 (g_get_real_time () / G_USEC_PER_SEC);
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  const char *client_request_id = soup_message_headers_get_one (request_headers, "client-request-id");
  g_autoptr(GString) body = _muster_fake_graph_error_body (code, message, date, request_id, client_request_id);
  gsize len;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "request-id", request_id);
  len = body->len;
  _muster_fake_reply_take (msg, status, "application/json", g_string_free (g_steal_pointer (&body), FALSE), len);
}

GHashTable *
_muster_fake_read_form (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;

  if (type == NULL || g_ascii_strcasecmp (type, "application/x-www-form-urlencoded") != 0)
    return NULL;

  bytes = soup_message_body_flatten (body);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return soup_form_decode (text);
}

char *
_muster_fake_random_token (gsize n_bytes)
{
  g_autofree guchar *buf = g_malloc (n_bytes);
  gsize got = 0;
  char *b64, *p;

  while (got < n_bytes)
    {
      gssize r = getrandom (buf + got, n_bytes - got, 0);
      if (r < 0)
        g_error ("getrandom failed: %s", g_strerror (errno));
      got += r;
    }

  b64 = g_base64_encode (buf, n_bytes);
  for (p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return b64;
}

char *
_muster_fake_iso8601 (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}
