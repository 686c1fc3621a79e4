/* muster-fake-faults.c: --faults SPEC, injected failures for testing a client's resilience
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Syntax:
 *
 *   SPEC     := RULE ( "," RULE )*
 *   RULE     := KIND [ "@" PATH_PREFIX ] ( "/" MODIFIER )*
 *   KIND     := "429" | "500" | "502" | "503" | "504" | "reset" | "truncate" | "invalid" | "types"
 *             | "stall" | "oversize"
 *   MODIFIER := "once" | "times=N" | "every=N" | "after=N" | "method=METHOD" | "retry-after=SECONDS"
 *             | "exact" | "batch" | "size=BYTES" | "chunked"
 *
 * A rule applies to requests whose path starts with PATH_PREFIX (every path when omitted, except
 * the test-only control API under /_fake/, which only a PATH_PREFIX starting with /_fake
 * reaches; with exact, to that path alone, not the paths under it) and, with method=, to that
 * HTTP method only. With batch, a status rule applies instead to the calls inside a
 * POST /v1.0/$batch, matched by their method and URL (as /v1.0/…): that call's answer in the
 * batch carries the status, the others and the batch itself are answered as usual
 * (learn.microsoft.com/graph/json-batching). Each rule counts the requests it applies
 * to (n = 1, 2, …) and fires:
 *   - every=N: when n is a multiple of N (the Nth, 2Nth, … request);
 *   - after=N: when n > N (the first N pass);
 *   - once / times=N: at most once / N times in all;
 *   - with no modifier: on every request.
 * Rules are tried in order; the first that fires answers the request and later ones don't see it.
 *
 * What a firing rule does:
 *   - 429, 500, 502, 503, 504: that status with Graph's error body (learn.microsoft.com/graph/errors),
 *     or the SCIM error body under /scim/; 429 and 503 carry Retry-After (1 s, or retry-after=SECONDS), as
 *     Graph's throttling and serviceNotAvailable answers do (learn.microsoft.com/graph/throttling);
 *   - reset: sends a 200's headers and the start of a body, then resets the connection (RST);
 *   - truncate: a 200 whose Content-Length matches a body of cut-off JSON;
 *   - invalid: a 200 with a whole body that is not JSON at all (a proxy's HTML error page);
 *   - types: a 200 with well-formed JSON whose members have the wrong types (an object where
 *     an array belongs, numbers for strings, a string for a count);
 *   - stall: never answers; the connection is closed when the client gives up (or the fake
 *     stops), so nothing leaks;
 *   - oversize: a 200 image/png of size=BYTES (64 MiB unless told), a PNG signature and then
 *     zeros, made and sent 64 KiB at a time so the fake holds none of it, with a Content-Length
 *     or, with chunked, in chunked transfer coding. GET /_fake/faults says, per rule, how many
 *     body bytes it actually wrote ("written"): a client that stops reading makes it stop.
 *
 * Examples: "503@/v1.0/users/every=3", "500@/scim/v2/Users/once,reset@/v1.0/groups/after=2",
 *           "stall@/v1.0/$batch/method=POST".
 *
 * Tests change the rules while the fake runs through the control API:
 *
 *   GET  /_fake/faults                  {"spec":"…","rules":[{"seen":N,"fired":N,"written":N},…]}
 *   POST /_fake/faults {"spec":"…"}     replaces every rule ("" clears them); 400 on a bad spec
 */

#define G_LOG_DOMAIN "muster-fake-faults"

#include "config.h"

#include <json-glib/json-glib.h>
#include <sys/socket.h>

#include "muster-fake-modules.h"
#include "muster-fake-http.h"

typedef enum
{
  FAULT_STATUS,
  FAULT_RESET,
  FAULT_TRUNCATE,
  FAULT_INVALID,
  FAULT_TYPES,
  FAULT_STALL,
  FAULT_OVERSIZE,
} FaultKind;

#define OVERSIZE_DEFAULT (64 * 1024 * 1024)
#define OVERSIZE_PIECE   (64 * 1024)

typedef struct
{
  FaultKind  kind;
  guint      status;       /* FAULT_STATUS */
  char      *path_prefix;  /* NULL: every path but /_fake/ */
  char      *method;       /* NULL: any */
  gboolean   exact;        /* the path must be path_prefix, not just start with it */
  gboolean   batch;        /* the calls inside $batch, not HTTP requests */
  gboolean   chunked;      /* FAULT_OVERSIZE: no Content-Length */
  guint64    size;         /* FAULT_OVERSIZE */
  guint64   *written;      /* FAULT_OVERSIZE: body bytes sent, shared (g_rc_box) with the streams */
  guint      every;        /* 0: unset */
  guint      after;
  guint      times;        /* 0: unlimited */
  guint      retry_after;
  guint64    seen;
  guint64    fired;
} FaultRule;

/* A connection taken from libsoup for "reset" or "stall". */
typedef struct
{
  MusterFakeFaults  *faults;
  FaultKind          kind;
  SoupServerMessage *msg;     /* until stolen */
  GIOStream         *stream;  /* after */
  GSource           *source;  /* the idle that steals it, then the stall's read watch */
  char              *path;
} StolenConnection;

struct _MusterFakeFaults
{
  char      *spec;
  GPtrArray *rules;   /* FaultRule */
  GPtrArray *stolen;  /* StolenConnection */
};

static void
fault_rule_free (FaultRule *rule)
{
  g_free (rule->path_prefix);
  g_free (rule->method);
  g_clear_pointer (&rule->written, g_rc_box_release);
  g_free (rule);
}

static void
stolen_connection_free (StolenConnection *conn)
{
  if (conn->source != NULL)
    {
      g_source_destroy (conn->source);
      g_source_unref (conn->source);
    }
  if (conn->stream != NULL)
    {
      g_io_stream_close (conn->stream, NULL, NULL);
      g_object_unref (conn->stream);
    }
  g_clear_object (&conn->msg);
  g_free (conn->path);
  g_free (conn);
}

static gboolean
parse_count (const char *text,
             const char *name,
             const char *rule_text,
             guint       min,
             guint      *out,
             GError    **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, min, G_MAXUINT, &value, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--faults: “%s” in “%s” must be a whole number ≥ %u", name, rule_text, min);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/* Applies @modifier to @rule; FALSE without an error when it is not a modifier at all. */
static gboolean
parse_modifier (FaultRule  *rule,
                const char *modifier,
                const char *rule_text,
                gboolean   *is_modifier,
                GError    **error)
{
  const char *eq = strchr (modifier, '=');
  g_autofree char *name = eq ? g_strndup (modifier, eq - modifier) : g_strdup (modifier);
  const char *value = eq ? eq + 1 : NULL;

  *is_modifier = TRUE;
  if (g_str_equal (name, "once") && value == NULL)
    {
      rule->times = 1;
      return TRUE;
    }
  if (g_str_equal (name, "exact") && value == NULL)
    {
      rule->exact = TRUE;
      return TRUE;
    }
  if (g_str_equal (name, "batch") && value == NULL)
    {
      rule->batch = TRUE;
      return TRUE;
    }
  if (g_str_equal (name, "chunked") && value == NULL)
    {
      rule->chunked = TRUE;
      return TRUE;
    }
  if (g_str_equal (name, "size") && value != NULL)
    {
      guint64 size;

      if (!g_ascii_string_to_unsigned (value, 10, 16, G_MAXUINT64, &size, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "--faults: “size” in “%s” must be a whole number ≥ 16", rule_text);
          return FALSE;
        }
      rule->size = size;
      return TRUE;
    }
  if (g_str_equal (name, "times") && value != NULL)
    return parse_count (value, "times", rule_text, 1, &rule->times, error);
  if (g_str_equal (name, "every") && value != NULL)
    return parse_count (value, "every", rule_text, 1, &rule->every, error);
  if (g_str_equal (name, "after") && value != NULL)
    return parse_count (value, "after", rule_text, 0, &rule->after, error);
  if (g_str_equal (name, "retry-after") && value != NULL)
    return parse_count (value, "retry-after", rule_text, 0, &rule->retry_after, error);
  if (g_str_equal (name, "method") && value != NULL && *value != '\0')
    {
      g_free (rule->method);
      rule->method = g_ascii_strup (value, -1);
      return TRUE;
    }
  *is_modifier = FALSE;
  return FALSE;
}

static FaultRule *
parse_rule (const char *text,
            GError    **error)
{
  FaultRule *rule = g_new0 (FaultRule, 1);
  g_autofree char *copy = g_strstrip (g_strdup (text));
  g_autofree char *kind = NULL;
  char *rest;
  char *at = strchr (copy, '@');

  rule->retry_after = 1;

  if (at != NULL)
    {
      kind = g_strndup (copy, at - copy);
      rest = at + 1;
      if (*rest != '/')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "--faults: the path in “%s” must start with /", copy);
          goto fail;
        }
    }
  else
    {
      char *slash = strchr (copy, '/');

      kind = slash ? g_strndup (copy, slash - copy) : g_strdup (copy);
      rest = slash ? slash : copy + strlen (copy);
    }

  if (g_str_equal (kind, "reset"))
    rule->kind = FAULT_RESET;
  else if (g_str_equal (kind, "truncate"))
    rule->kind = FAULT_TRUNCATE;
  else if (g_str_equal (kind, "invalid"))
    rule->kind = FAULT_INVALID;
  else if (g_str_equal (kind, "types"))
    rule->kind = FAULT_TYPES;
  else if (g_str_equal (kind, "stall"))
    rule->kind = FAULT_STALL;
  else if (g_str_equal (kind, "oversize"))
    {
      rule->kind = FAULT_OVERSIZE;
      rule->size = OVERSIZE_DEFAULT;
      rule->written = g_rc_box_new0 (guint64);
    }
  else if (g_str_equal (kind, "429") || g_str_equal (kind, "500") || g_str_equal (kind, "502") ||
           g_str_equal (kind, "503") || g_str_equal (kind, "504"))
    {
      rule->kind = FAULT_STATUS;
      rule->status = atoi (kind);
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--faults: unknown fault “%s” in “%s” (use 429, 500, 502, 503, 504, reset, truncate, invalid, types, stall or oversize)",
                   kind, copy);
      goto fail;
    }

  /* modifiers are the trailing "/word" segments that parse as one; the rest is the path */
  for (;;)
    {
      char *slash = strrchr (rest, '/');
      gboolean is_modifier;

      if (slash == NULL)
        break;
      if (parse_modifier (rule, slash + 1, copy, &is_modifier, error))
        {
          *slash = '\0';
          continue;
        }
      if (is_modifier)
        goto fail;
      if (at == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "--faults: unknown modifier “%s” in “%s”", slash + 1, copy);
          goto fail;
        }
      break;
    }

  if (rule->batch && rule->kind != FAULT_STATUS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--faults: only a status (429, 500, 502, 503, 504) can be “batch”, in “%s”", copy);
      goto fail;
    }
  if (at != NULL)
    {
      if (*rest == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "--faults: the path in “%s” is empty", copy);
          goto fail;
        }
      rule->path_prefix = g_strdup (rest);
    }
  return rule;

fail:
  fault_rule_free (rule);
  return NULL;
}

MusterFakeFaults *
_muster_fake_faults_new (const char *spec,
                         GError    **error)
{
  MusterFakeFaults *self;
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (spec != NULL, NULL);

  self = g_new0 (MusterFakeFaults, 1);
  self->spec = g_strdup (spec);
  self->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) fault_rule_free);
  self->stolen = g_ptr_array_new_with_free_func ((GDestroyNotify) stolen_connection_free);

  parts = g_strsplit (spec, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      FaultRule *rule;

      if (*g_strstrip (parts[i]) == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "--faults: empty rule in “%s”", spec);
          _muster_fake_faults_free (self);
          return NULL;
        }
      rule = parse_rule (parts[i], error);
      if (rule == NULL)
        {
          _muster_fake_faults_free (self);
          return NULL;
        }
      g_ptr_array_add (self->rules, rule);
    }
  return self;
}

void
_muster_fake_faults_free (MusterFakeFaults *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->stolen, g_ptr_array_unref);
  g_clear_pointer (&self->rules, g_ptr_array_unref);
  g_free (self->spec);
  g_free (self);
}

static gboolean
rule_fires (FaultRule  *rule,
            gboolean    batch_call,
            const char *method,
            const char *path)
{
  if (rule->batch != batch_call)
    return FALSE;
  if (rule->path_prefix != NULL)
    {
      if (rule->exact ? !g_str_equal (path, rule->path_prefix) : !g_str_has_prefix (path, rule->path_prefix))
        return FALSE;
    }
  else if (g_str_has_prefix (path, "/_fake/"))
    return FALSE;
  if (rule->method != NULL && g_ascii_strcasecmp (rule->method, method) != 0)
    return FALSE;

  rule->seen++;
  if (rule->every > 0 && rule->seen % rule->every != 0)
    return FALSE;
  if (rule->seen <= rule->after)
    return FALSE;
  if (rule->times > 0 && rule->fired >= rule->times)
    return FALSE;
  rule->fired++;
  return TRUE;
}

static void
reply_status (FaultRule         *rule,
              SoupServerMessage *msg,
              const char        *path)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (rule->status == 429 || rule->status == 503)
    {
      g_autofree char *seconds = g_strdup_printf ("%u", rule->retry_after);

      soup_message_headers_replace (headers, "Retry-After", seconds);
    }

  if (g_str_has_prefix (path, "/scim/"))
    {
      /* RFC 7644 §3.12, "status" a string */
      g_autofree char *body = g_strdup_printf ("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],"
                                               "\"status\":\"%u\",\"detail\":\"Injected fault\"}",
                                               rule->status);
      gsize len = strlen (body);

      _muster_fake_reply_take (msg, rule->status, "application/scim+json", g_steal_pointer (&body), len);
      return;
    }

  switch (rule->status)
    {
    case 429:
      _muster_fake_reply_graph_error (msg, 429, "TooManyRequests", "Please retry again later.");
      break;
    case 502:
    case 503:
      _muster_fake_reply_graph_error (msg, rule->status, "serviceNotAvailable",
                                      "The service is temporarily unavailable. Please retry after the time "
                                      "in the Retry-After header.");
      break;
    case 500:
    case 504:
    default:
      _muster_fake_reply_graph_error (msg, rule->status, "generalException", "An unspecified error has occurred.");
      break;
    }
}

/* A body that starts like the real answer and stops in the middle of a JSON string. */
static void
reply_truncated (MusterFakeContext *ctx,
                 SoupServerMessage *msg,
                 const char        *path)
{
  g_autofree char *body = NULL;
  gboolean scim = g_str_has_prefix (path, "/scim/");

  if (scim)
    body = g_strdup ("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],"
                     "\"totalResults\":2,\"Resources\":[{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                     "\"id\":\"4f0c2a");
  else
    body = g_strdup_printf ("{\"@odata.context\":\"%s/v1.0/$metadata#users\",\"value\":[{\"id\":\"4f0c2a",
                            ctx->base_url);
  _muster_fake_reply_take (msg, SOUP_STATUS_OK, scim ? "application/scim+json" : "application/json",
                           g_strdup (body), strlen (body));
}

/* A whole answer that is not JSON: what a proxy or load balancer in the way sends. */
static void
reply_invalid (SoupServerMessage *msg)
{
  static const char body[] = "<html><head><title>502 Bad Gateway</title></head>"
                             "<body><h1>Bad Gateway</h1></body></html>";

  _muster_fake_reply_take (msg, SOUP_STATUS_OK, "application/json", g_strdup (body), strlen (body));
}

/* Well-formed JSON in the answer's outer shape, with every member of the wrong type. */
static void
reply_wrong_types (SoupServerMessage *msg,
                   const char        *path)
{
  const char *body;

  if (g_str_has_prefix (path, "/scim/"))
    body = "{\"schemas\":\"urn:ietf:params:scim:api:messages:2.0:ListResponse\",\"totalResults\":\"two\","
           "\"Resources\":{\"id\":4,\"userName\":[true]},\"id\":17,\"userName\":{\"a\":1},\"active\":\"yes\"}";
  else if (strstr (path, "/oauth2/") != NULL)
    body = "{\"token_type\":7,\"access_token\":[\"x\"],\"expires_in\":\"soon\",\"refresh_token\":{},"
           "\"scope\":false,\"id_token\":42}";
  else
    body = "{\"@odata.context\":12,\"value\":{\"id\":4,\"displayName\":[1]},\"@odata.nextLink\":17,"
           "\"@odata.deltaLink\":[],\"responses\":\"none\",\"id\":5,\"displayName\":true}";
  _muster_fake_reply_take (msg, SOUP_STATUS_OK, g_str_has_prefix (path, "/scim/") ? "application/scim+json" : "application/json",
                           g_strdup (body), strlen (body));
}

/* oversize: one piece after the other as libsoup has written the last, never the whole body */
typedef struct
{
  guint64  left;
  guint64 *written;  /* the rule's counter (g_rc_box) */
  gboolean started;
} Oversize;

static void
oversize_free (Oversize *oversize)
{
  g_rc_box_release (oversize->written);
  g_free (oversize);
}

static void
oversize_append (SoupServerMessage *msg,
                 Oversize          *oversize)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  gsize piece = MIN (oversize->left, OVERSIZE_PIECE);
  guint8 *data;

  if (piece == 0)
    {
      soup_message_body_complete (body);
      return;
    }
  data = g_malloc0 (piece);
  if (!oversize->started)
    memcpy (data, png, MIN (piece, sizeof png));
  oversize->started = TRUE;
  oversize->left -= piece;
  soup_message_body_append_take (body, data, piece);
}

static void
oversize_wrote_chunk_cb (SoupServerMessage *msg,
                         gpointer           user_data)
{
  oversize_append (msg, user_data);
}

static void
oversize_wrote_body_data_cb (SoupServerMessage *msg,
                             guint              chunk_size,
                             gpointer           user_data)
{
  Oversize *oversize = user_data;

  *oversize->written += chunk_size;
}

static void
reply_oversize (FaultRule         *rule,
                SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  Oversize *oversize = g_new0 (Oversize, 1);

  oversize->left = rule->size;
  oversize->written = g_rc_box_acquire (rule->written);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (headers, "Content-Type", "image/png");
  if (rule->chunked)
    soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  else
    soup_message_headers_set_content_length (headers, (goffset) rule->size);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (oversize_wrote_chunk_cb), oversize);
  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (oversize_wrote_body_data_cb), oversize);
  g_object_set_data_full (G_OBJECT (msg), "muster-fake-oversize", oversize, (GDestroyNotify) oversize_free);
  oversize_append (msg, oversize);
}

static void
stolen_connection_finish (StolenConnection *conn)
{
  g_ptr_array_remove_fast (conn->faults->stolen, conn);
}

static gboolean
stall_readable_cb (GObject  *pollable,
                   gpointer  user_data)
{
  StolenConnection *conn = user_data;
  char buf[4096];
  gssize n;
  g_autoptr(GError) error = NULL;

  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (pollable), buf, sizeof buf, NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n > 0)
    return G_SOURCE_CONTINUE; /* whatever the client sends more is ignored */

  /* EOF or error: the client gave up */
  g_debug ("stalled request to %s: the client closed the connection", conn->path);
  g_clear_pointer (&conn->source, g_source_unref);
  stolen_connection_finish (conn);
  return G_SOURCE_REMOVE;
}

static void
reset_now (StolenConnection *conn)
{
  static const char head[] = "HTTP/1.1 200 OK\r\n"
                             "Content-Type: application/json\r\n"
                             "Content-Length: 65536\r\n"
                             "\r\n"
                             "{\"value\":[{\"id\":\"4f0c2a1e-";
  GOutputStream *out = g_io_stream_get_output_stream (conn->stream);
  GSocket *socket = g_object_get_data (G_OBJECT (conn->stream), "GSocket");

  g_output_stream_write_all (out, head, sizeof head - 1, NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
  if (socket != NULL)
    {
      /* SO_LINGER 0 turns the close into a TCP RST: "connection reset by peer" */
      struct linger linger = { 1, 0 };

      setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
      g_socket_close (socket, NULL);
    }
  stolen_connection_finish (conn);
}

/* Runs once the message is paused, outside libsoup's I/O loop, where stealing is safe. */
static gboolean
steal_cb (gpointer user_data)
{
  StolenConnection *conn = user_data;
  GInputStream *in;

  g_clear_pointer (&conn->source, g_source_unref); /* the idle itself, being dispatched */
  conn->stream = soup_server_message_steal_connection (conn->msg);
  g_clear_object (&conn->msg);
  if (conn->stream == NULL)
    {
      stolen_connection_finish (conn);
      return G_SOURCE_REMOVE;
    }

  if (conn->kind == FAULT_RESET)
    {
      reset_now (conn);
      return G_SOURCE_REMOVE;
    }

  in = g_io_stream_get_input_stream (conn->stream);
  if (!G_IS_POLLABLE_INPUT_STREAM (in))
    {
      stolen_connection_finish (conn);
      return G_SOURCE_REMOVE;
    }
  conn->source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (in), NULL);
  g_source_set_callback (conn->source, (GSourceFunc) (GCallback) stall_readable_cb, conn, NULL);
  g_source_attach (conn->source, g_main_context_get_thread_default ());
  return G_SOURCE_REMOVE;
}

static void
take_connection (MusterFakeFaults  *self,
                 MusterFakeContext *ctx,
                 FaultKind          kind,
                 SoupServerMessage *msg,
                 const char        *path)
{
  StolenConnection *conn = g_new0 (StolenConnection, 1);

  conn->faults = self;
  conn->kind = kind;
  conn->msg = g_object_ref (msg);
  conn->path = g_strdup (path);
  g_ptr_array_add (self->stolen, conn);

  soup_server_message_pause (msg);
  conn->source = g_idle_source_new ();
  g_source_set_callback (conn->source, steal_cb, conn, NULL);
  g_source_attach (conn->source, ctx->main_context);
}

gboolean
_muster_fake_faults_intercept (MusterFakeFaults  *self,
                               MusterFakeContext *ctx,
                               SoupServerMessage *msg,
                               const char        *path)
{
  for (guint i = 0; i < self->rules->len; i++)
    {
      FaultRule *rule = g_ptr_array_index (self->rules, i);

      if (!rule_fires (rule, FALSE, soup_server_message_get_method (msg), path))
        continue;

      g_debug ("fault %u fires on %s %s", i + 1, soup_server_message_get_method (msg), path);
      switch (rule->kind)
        {
        case FAULT_STATUS:
          reply_status (rule, msg, path);
          break;
        case FAULT_TRUNCATE:
          reply_truncated (ctx, msg, path);
          break;
        case FAULT_INVALID:
          reply_invalid (msg);
          break;
        case FAULT_TYPES:
          reply_wrong_types (msg, path);
          break;
        case FAULT_RESET:
        case FAULT_STALL:
          take_connection (self, ctx, rule->kind, msg, path);
          break;
        case FAULT_OVERSIZE:
          reply_oversize (rule, msg);
          break;
        default:
          g_assert_not_reached ();
        }
      return TRUE;
    }
  return FALSE;
}

gboolean
_muster_fake_faults_intercept_batch_call (MusterFakeFaults *self,
                                          const char       *method,
                                          const char       *path,
                                          guint            *status,
                                          guint            *retry_after)
{
  g_autofree char *full = g_strconcat ("/v1.0", path, NULL);

  for (guint i = 0; self != NULL && i < self->rules->len; i++)
    {
      FaultRule *rule = g_ptr_array_index (self->rules, i);

      if (!rule_fires (rule, TRUE, method, full))
        continue;
      g_debug ("fault %u fires on %s %s inside a batch", i + 1, method, full);
      *status = rule->status;
      *retry_after = rule->status == 429 || rule->status == 503 ? rule->retry_after : 0;
      return TRUE;
    }
  return FALSE;
}

static void
reply_control_json (SoupServerMessage *msg,
                    guint              status,
                    GString           *json)
{
  gsize len = json->len;

  _muster_fake_reply_take (msg, status, "application/json", g_string_free (json, FALSE), len);
}

void
_muster_fake_faults_control_handler (MusterFakeContext *ctx,
                                     SoupServerMessage *msg,
                                     const char        *path,
                                     GHashTable        *query,
                                     gpointer           user_data)
{
  const char *method = soup_server_message_get_method (msg);

  if (!g_str_equal (path, "/_fake/faults"))
    {
      _muster_fake_reply_graph_error (msg, SOUP_STATUS_NOT_FOUND, "notFound", "No such control endpoint");
      return;
    }

  if (g_str_equal (method, "POST"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autofree char *text = g_strndup (body->data, body->length);
      g_autoptr(JsonNode) node = body->length > 0 ? json_from_string (text, NULL) : NULL;
      JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *member = object != NULL ? json_object_get_member (object, "spec") : NULL;
      const char *spec;
      g_autoptr(GError) error = NULL;
      MusterFakeFaults *faults = NULL;

      if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING)
        {
          _muster_fake_reply_graph_error (msg, SOUP_STATUS_BAD_REQUEST, "badRequest", "Send {\"spec\":\"500@/v1.0/users/once\"}");
          return;
        }
      spec = json_node_get_string (member);
      if (*spec != '\0')
        {
          faults = _muster_fake_faults_new (spec, &error);
          if (faults == NULL)
            {
              _muster_fake_reply_graph_error (msg, SOUP_STATUS_BAD_REQUEST, "badRequest", error->message);
              return;
            }
        }
      /* on the fake's thread, like every request: stalled connections of the old rules close */
      g_clear_pointer (&ctx->faults, _muster_fake_faults_free);
      ctx->faults = faults;
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }

  if (g_str_equal (method, "GET"))
    {
      GString *out = g_string_new ("{\"spec\":");
      MusterFakeFaults *self = ctx->faults;

      _muster_fake_json_append_string (out, self != NULL ? self->spec : "");
      g_string_append (out, ",\"rules\":[");
      for (guint i = 0; self != NULL && i < self->rules->len; i++)
        {
          FaultRule *rule = g_ptr_array_index (self->rules, i);

          g_string_append_printf (out, "%s{\"seen\":%" G_GUINT64_FORMAT ",\"fired\":%" G_GUINT64_FORMAT
                                  ",\"written\":%" G_GUINT64_FORMAT "}",
                                  i > 0 ? "," : "", rule->seen, rule->fired,
                                  rule->written != NULL ? *rule->written : 0);
        }
      g_string_append (out, "]}");
      reply_control_json (msg, SOUP_STATUS_OK, out);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
}
