/* muster-fake-batch.c: POST /v1.0/$batch (learn.microsoft.com/graph/json-batching)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-batch"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "muster-fake-graph-private.h"
#include "muster-fake-http.h"
#include "muster-fake-modules.h"

#define MAX_REQUESTS 20

typedef struct
{
  const char *id;
  const char *method;
  const char *url;
  JsonObject *headers;
  GPtrArray  *depends_on;   /* of const char* */
  guint       status;       /* 0 until run */
  GString    *answer;       /* the {"id":…} item */
} BatchItem;

static void
batch_item_clear (BatchItem *item)
{
  g_clear_pointer (&item->depends_on, g_ptr_array_unref);
  if (item->answer != NULL)
    g_string_free (item->answer, TRUE);
}

static void
bad_batch (MusterFakeGraphCall *call,
           const char          *message)
{
  /* json-batching.md: a malformed batch fails as a whole with 400 */
  _muster_fake_graph_call_error (call, 400, "BadRequest", message);
}

static BatchItem *
find_item (GArray     *items,
           const char *id)
{
  for (guint i = 0; i < items->len; i++)
    {
      BatchItem *item = &g_array_index (items, BatchItem, i);

      /* ids aren't case-sensitive */
      if (g_ascii_strcasecmp (item->id, id) == 0)
        return item;
    }
  return NULL;
}

static void
append_headers (GString             *out,
                MusterFakeGraphCall *sub)
{
  g_string_append (out, ",\"headers\":{");
  if (sub->content_type != NULL)
    {
      g_string_append (out, "\"Content-Type\":");
      _muster_fake_json_append_string (out, sub->content_type);
    }
  else
    g_string_append (out, "\"Cache-Control\":\"no-cache\"");
  for (guint i = 0; i + 1 < sub->headers->len; i += 2)
    {
      g_string_append_c (out, ',');
      _muster_fake_json_append_string (out, g_ptr_array_index (sub->headers, i));
      g_string_append_c (out, ':');
      _muster_fake_json_append_string (out, g_ptr_array_index (sub->headers, i + 1));
    }
  g_string_append_c (out, '}');
}

static void
run_item (MusterFakeGraphCall *call,
          GArray              *items,
          BatchItem           *item)
{
  g_autoptr(MusterFakeGraphCall) sub = NULL;
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autofree char *path = NULL;
  const char *url = item->url;
  const char *question;
  guint fault_status = 0, retry_after = 0;

  if (item->status != 0)
    return;

  /* Dependencies first; a failed one fails this item with 424 Failed Dependency. */
  for (guint i = 0; item->depends_on != NULL && i < item->depends_on->len; i++)
    {
      BatchItem *dependency = find_item (items, g_ptr_array_index (item->depends_on, i));

      item->status = 1; /* running: a cycle reads as failed */
      if (dependency->status == 0)
        run_item (call, items, dependency);
      if (dependency->status < 200 || dependency->status >= 400)
        {
          item->status = 424;
          item->answer = g_string_new ("{\"id\":");
          _muster_fake_json_append_string (item->answer, item->id);
          g_string_append (item->answer, ",\"status\":424,\"body\":{\"error\":{\"code\":\"BadRequest\","
                                         "\"message\":\"Failed dependency\"}}}");
          return;
        }
    }

  /* url is relative to the version root: "/users?…", "users?…" or "/v1.0/users" */
  if (g_str_has_prefix (url, "/v1.0/"))
    url += strlen ("/v1.0");
  question = strchr (url, '?');
  path = question ? g_strndup (url, question - url) : g_strdup (url);
  if (*path != '/')
    {
      char *rooted = g_strconcat ("/", path, NULL);
      g_free (path);
      path = rooted;
    }
  if (item->headers != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, item->headers);
      while (json_object_iter_next (&iter, &name, &value))
        if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
          soup_message_headers_replace (headers, name, json_node_get_string (value));
    }

  sub = _muster_fake_graph_call_new (call->ctx, call->grant, item->method, path,
                                     question ? question + 1 : NULL, headers);
  if (g_str_has_prefix (path, "/$batch"))
    _muster_fake_graph_call_error (sub, 400, "BadRequest", "A batch request cannot contain another batch request.");
  else if (_muster_fake_faults_intercept_batch_call (call->ctx->faults, item->method, path, &fault_status,
                                                     &retry_after))
    {
      /* an injected fault on this call alone (muster-fake-faults.c, "batch") */
      if (retry_after > 0)
        {
          g_autofree char *seconds = g_strdup_printf ("%u", retry_after);

          _muster_fake_graph_call_add_header (sub, "Retry-After", seconds);
        }
      if (fault_status == 429)
        _muster_fake_graph_call_error (sub, 429, "TooManyRequests", "Please retry again later.");
      else if (fault_status == 502 || fault_status == 503)
        _muster_fake_graph_call_error (sub, fault_status, "serviceNotAvailable",
                                       "The service is temporarily unavailable.");
      else
        _muster_fake_graph_call_error (sub, fault_status, "generalException", "An unspecified error has occurred.");
    }
  else
    _muster_fake_graph_dispatch (sub, NULL);

  item->status = sub->status;
  item->answer = g_string_new ("{\"id\":");
  _muster_fake_json_append_string (item->answer, item->id);
  g_string_append_printf (item->answer, ",\"status\":%u", sub->status);
  append_headers (item->answer, sub);
  if (sub->bytes != NULL)
    {
      /* binary bodies travel base64-encoded (json-batching.md: "a base64 URL-encoded value") */
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (sub->bytes, NULL), g_bytes_get_size (sub->bytes));

      g_string_append (item->answer, ",\"body\":");
      _muster_fake_json_append_string (item->answer, b64);
    }
  else if (sub->body != NULL && sub->content_type != NULL && g_str_has_prefix (sub->content_type, "application/json"))
    {
      g_string_append (item->answer, ",\"body\":");
      g_string_append_len (item->answer, sub->body->str, sub->body->len);
    }
  else if (sub->body != NULL)
    {
      g_string_append (item->answer, ",\"body\":");
      _muster_fake_json_append_string (item->answer, sub->body->str);
    }
  g_string_append_c (item->answer, '}');
}

void
_muster_fake_graph_batch (MusterFakeGraphCall *call,
                          GBytes              *request_body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (BatchItem));
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonArray *requests;
  guint n;
  guint32 seed = 5381;
  GString *out;
  g_autofree guint *order = NULL;

  g_array_set_clear_func (items, (GDestroyNotify) batch_item_clear);
  call->resource_units = 1;

  if (request_body == NULL
      || !json_parser_load_from_data (parser, g_bytes_get_data (request_body, NULL),
                                      g_bytes_get_size (request_body), &error))
    {
      bad_batch (call, "Invalid batch payload format.");
      return;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      bad_batch (call, "Invalid batch payload format.");
      return;
    }
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "requests")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "requests")))
    {
      bad_batch (call, "Invalid batch payload format.");
      return;
    }
  requests = json_object_get_array_member (object, "requests");
  n = json_array_get_length (requests);
  if (n == 0)
    {
      bad_batch (call, "Invalid batch payload format.");
      return;
    }
  if (n > MAX_REQUESTS)
    {
      /* json-batching.md: "JSON batch requests are currently limited to 20 individual requests." */
      bad_batch (call, "The number of requests in a batch is limited to 20.");
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (requests, i);
      JsonObject *request;
      BatchItem item = { NULL };

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          bad_batch (call, "Invalid batch payload format.");
          return;
        }
      request = json_node_get_object (node);
      item.id = json_object_get_string_member_with_default (request, "id", NULL);
      item.method = json_object_get_string_member_with_default (request, "method", NULL);
      item.url = json_object_get_string_member_with_default (request, "url", NULL);
      if (item.id == NULL || *item.id == '\0' || item.method == NULL || item.url == NULL)
        {
          bad_batch (call, "Each request in a batch needs an id, a method and a url.");
          return;
        }
      if (find_item (items, item.id) != NULL)
        {
          /* json-batching.md: ids are unique (not case-sensitive), else the batch fails */
          g_autofree char *message = g_strdup_printf ("Request id '%s' is used more than once in the batch.", item.id);
          bad_batch (call, message);
          return;
        }
      if (json_object_has_member (request, "headers"))
        {
          JsonNode *headers = json_object_get_member (request, "headers");

          if (!JSON_NODE_HOLDS_OBJECT (headers))
            {
              bad_batch (call, "Invalid batch payload format.");
              return;
            }
          item.headers = json_node_get_object (headers);
        }
      if (json_object_has_member (request, "body")
          && (item.headers == NULL || !json_object_has_member (item.headers, "Content-Type")))
        {
          /* json-batching.md: a body needs a Content-Type header */
          bad_batch (call, "Content-Type header is required when a request in a batch has a body.");
          return;
        }
      if (json_object_has_member (request, "dependsOn"))
        {
          JsonNode *depends = json_object_get_member (request, "dependsOn");

          if (!JSON_NODE_HOLDS_ARRAY (depends))
            {
              bad_batch (call, "Invalid batch payload format.");
              return;
            }
          item.depends_on = g_ptr_array_new ();
          for (guint d = 0; d < json_array_get_length (json_node_get_array (depends)); d++)
            {
              const char *dep = json_array_get_string_element (json_node_get_array (depends), d);

              if (dep == NULL)
                {
                  g_ptr_array_unref (item.depends_on);
                  bad_batch (call, "Invalid batch payload format.");
                  return;
                }
              g_ptr_array_add (item.depends_on, (gpointer) dep);
            }
        }
      item.method = g_intern_string (item.method);
      {
        g_autofree char *upper = g_ascii_strup (item.method, -1);
        item.method = g_intern_string (upper);
      }
      g_array_append_val (items, item);
      seed = seed * 33 + g_str_hash (item.id);
    }

  for (guint i = 0; i < items->len; i++)
    {
      BatchItem *item = &g_array_index (items, BatchItem, i);

      for (guint d = 0; item->depends_on != NULL && d < item->depends_on->len; d++)
        if (find_item (items, g_ptr_array_index (item->depends_on, d)) == NULL)
          {
            g_autofree char *message = g_strdup_printf ("Request '%s' depends on unknown request id '%s'.",
                                                        item->id, (char *) g_ptr_array_index (item->depends_on, d));
            bad_batch (call, message);
            return;
          }
    }

  for (guint i = 0; i < items->len; i++)
    run_item (call, items, &g_array_index (items, BatchItem, i));

  /* json-batching.md: responses may come in any order; clients correlate by id. Shuffle them
   * deterministically (the same batch always answers in the same order). */
  order = g_new (guint, items->len);
  for (guint i = 0; i < items->len; i++)
    order[i] = i;
  rand = g_rand_new_with_seed (seed);
  for (guint i = items->len; i > 1; i--)
    {
      guint j = g_rand_int_range (rand, 0, i);
      guint t = order[i - 1];

      order[i - 1] = order[j];
      order[j] = t;
    }

  out = g_string_new ("{\"responses\":[");
  for (guint i = 0; i < items->len; i++)
    {
      BatchItem *item = &g_array_index (items, BatchItem, order[i]);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_len (out, item->answer->str, item->answer->len);
    }
  g_string_append (out, "]}");
  _muster_fake_graph_call_take_json (call, 200, out);
  g_free (call->content_type);
  call->content_type = g_strdup ("application/json");
}
