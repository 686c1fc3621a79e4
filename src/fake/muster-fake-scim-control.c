/* muster-fake-scim-control.c: the fake SCIM service provider's control API under /_fake/scim
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Test plumbing on loopback, JSON in and out:
 *  - GET  /_fake/scim/requests   every SCIM request received: {"requests":[{"method","path",
 *                                "query","body","rawBody"?,"status"}]};
 *  - GET  /_fake/scim/token      {"token":"…"}, the bearer token;
 *  - POST /_fake/scim/reset      empties the store, the request log and the injected failures
 *                                (the mode stays);
 *  - POST /_fake/scim/fail       {"path":"/scim/v2/Users","status":500,"count":1,"method":"POST"?,
 *                                "retryAfter":S?}: the next "count" requests under "path" fail
 *                                with "status" (400–599) and a SCIM error body;
 *  - GET  /_fake/scim/mode       {"mode":"strict"|"field"};
 *  - POST /_fake/scim/mode       {"mode":"field"} or {"mode":"strict"}: switches at once;
 *  - GET  /_fake/scim/latency    {"ms":N};
 *  - POST /_fake/scim/latency    {"ms":N} (0–60000): every later SCIM request waits N ms before
 *                                it is answered (on top of --latency-ms); 0 turns it off;
 *  - POST /_fake/scim/fail-users {"userName":"ada@example.com","status":500,"times":N,
 *                                "retryAfter":S?}: writes (POST, PUT, PATCH, DELETE) touching
 *                                that user fail with "status" (400–599, default 500) and a SCIM
 *                                error body (scimType invalidValue for 400, uniqueness for 409),
 *                                N times or, with "times" 0 or absent, every time; a write touches
 *                                a user when it creates, changes or deletes it, or adds it to or
 *                                removes it from a group; userName compares case-insensitively;
 *                                a new rule for the same user replaces the old one;
 *  - DELETE /_fake/scim/fail-users  drops every such rule.
 * Each POST answers 204, or 400 with what to send. Reset keeps the mode and the latency.
 */

#define G_LOG_DOMAIN "muster-fake-scim"

#include "config.h"

#include "muster-fake-http.h"
#include "muster-fake-scim-resources-private.h"

static void
reply_plain_json (SoupServerMessage *msg,
                  GString           *body)
{
  gsize len = body->len;

  _muster_fake_reply_take (msg, SOUP_STATUS_OK, "application/json", g_string_free (body, FALSE), len);
}

static void
control_requests (MusterFakeScim    *self,
                  SoupServerMessage *msg)
{
  GString *out = g_string_new ("{\"requests\":[");

  for (guint i = 0; i < self->log->len; i++)
    {
      ScimLogEntry *entry = g_ptr_array_index (self->log, i);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "{\"method\":");
      _muster_fake_json_append_string (out, entry->method);
      g_string_append (out, ",\"path\":");
      _muster_fake_json_append_string (out, entry->path);
      g_string_append (out, ",\"query\":");
      _muster_fake_json_append_string (out, entry->query);
      g_string_append (out, ",\"body\":");
      if (entry->body != NULL)
        _muster_fake_scim_append_node (out, entry->body);
      else
        g_string_append (out, "null");
      if (entry->raw_body != NULL)
        {
          g_string_append (out, ",\"rawBody\":");
          _muster_fake_json_append_string (out, entry->raw_body);
        }
      g_string_append_printf (out, ",\"status\":%u}", entry->status);
    }
  g_string_append (out, "]}");
  reply_plain_json (msg, out);
}

static void
control_fail (MusterFakeScim    *self,
              SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autofree char *text = g_strndup (body->data, body->length);
  g_autoptr(JsonNode) node = body->length > 0 ? json_from_string (text, NULL) : NULL;
  JsonObject *object;
  ScimFailRule *rule;
  const char *prefix;
  gint64 status, count, retry_after;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      _muster_fake_reply_graph_error (msg, SOUP_STATUS_BAD_REQUEST, "badRequest",
                                      "Send {\"path\":\"/scim/v2/Users\",\"status\":500,\"count\":1}");
      return;
    }
  object = json_node_get_object (node);
  prefix = json_object_get_string_member_with_default (object, "path", SCIM_PREFIX);
  status = json_object_get_int_member_with_default (object, "status", SOUP_STATUS_INTERNAL_SERVER_ERROR);
  count = json_object_get_int_member_with_default (object, "count", 1);
  retry_after = json_object_get_int_member_with_default (object, "retryAfter", 0);
  if (!g_str_has_prefix (prefix, SCIM_PREFIX) || status < 400 || status > 599 || count < 1 || retry_after < 0)
    {
      _muster_fake_reply_graph_error (msg, SOUP_STATUS_BAD_REQUEST, "badRequest",
                                      "path must start with /scim/v2, status be 400–599, count ≥ 1");
      return;
    }

  rule = g_new0 (ScimFailRule, 1);
  rule->path_prefix = g_strdup (prefix);
  rule->method = g_strdup (json_object_get_string_member_with_default (object, "method", NULL));
  rule->status = status;
  rule->remaining = count;
  rule->retry_after = retry_after;
  g_ptr_array_add (self->fail_rules, rule);
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

/* The JSON object a control request sends, or NULL after answering 400 with @usage. */
static JsonObject *
control_body (SoupServerMessage *msg,
              const char        *usage,
              JsonNode         **node_out)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autofree char *text = g_strndup (body->data, body->length);
  JsonNode *node = body->length > 0 ? json_from_string (text, NULL) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_clear_pointer (&node, json_node_unref);
      _muster_fake_reply_graph_error (msg, SOUP_STATUS_BAD_REQUEST, "badRequest", usage);
      *node_out = NULL;
      return NULL;
    }
  *node_out = node;
  return json_node_get_object (node);
}

static void
control_mode (MusterFakeScim    *self,
              SoupServerMessage *msg,
              gboolean           set)
{
  GString *out;

  if (set)
    {
      const char *usage = "Send {\"mode\":\"strict\"} or {\"mode\":\"field\"}";
      g_autoptr(JsonNode) node = NULL;
      JsonObject *object = control_body (msg, usage, &node);
      const char *mode;

      if (object == NULL)
        return;
      mode = json_object_get_string_member_with_default (object, "mode", "");
      if (!g_str_equal (mode, "strict") && !g_str_equal (mode, "field"))
        {
          _muster_fake_reply_graph_error (msg, SOUP_STATUS_BAD_REQUEST, "badRequest", usage);
          return;
        }
      self->field = g_str_equal (mode, "field");
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }
  out = g_string_new ("{\"mode\":");
  _muster_fake_json_append_string (out, self->field ? "field" : "strict");
  g_string_append_c (out, '}');
  reply_plain_json (msg, out);
}

static void
control_latency (MusterFakeScim    *self,
                 SoupServerMessage *msg,
                 gboolean           set)
{
  GString *out;

  if (set)
    {
      const char *usage = "Send {\"ms\":N} with N from 0 (none) to 60000";
      g_autoptr(JsonNode) node = NULL;
      JsonObject *object = control_body (msg, usage, &node);
      JsonNode *ms;

      if (object == NULL)
        return;
      ms = json_object_get_member (object, "ms");
      if (ms == NULL || !JSON_NODE_HOLDS_VALUE (ms) || json_node_get_value_type (ms) != G_TYPE_INT64 ||
          json_node_get_int (ms) < 0 || json_node_get_int (ms) > 60000)
        {
          _muster_fake_reply_graph_error (msg, SOUP_STATUS_BAD_REQUEST, "badRequest", usage);
          return;
        }
      self->latency_ms = json_node_get_int (ms);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }
  out = g_string_new (NULL);
  g_string_append_printf (out, "{\"ms\":%u}", self->latency_ms);
  reply_plain_json (msg, out);
}

static void
control_fail_users (MusterFakeScim    *self,
                    SoupServerMessage *msg)
{
  const char *usage = "Send {\"userName\":\"ada@example.com\",\"status\":500,\"times\":0} "
                      "(status 400–599, times 0 for every time, optional retryAfter seconds)";
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object = control_body (msg, usage, &node);
  g_autofree char *folded = NULL;
  ScimFailUser *rule;
  const char *user_name;
  gint64 status, times, retry_after;

  if (object == NULL)
    return;
  user_name = json_object_get_string_member_with_default (object, "userName", NULL);
  status = json_object_get_int_member_with_default (object, "status", SOUP_STATUS_INTERNAL_SERVER_ERROR);
  times = json_object_get_int_member_with_default (object, "times", 0);
  retry_after = json_object_get_int_member_with_default (object, "retryAfter", 0);
  if (user_name == NULL || *user_name == '\0' || status < 400 || status > 599 || times < 0 || times > G_MAXUINT ||
      retry_after < 0 || retry_after > G_MAXUINT)
    {
      _muster_fake_reply_graph_error (msg, SOUP_STATUS_BAD_REQUEST, "badRequest", usage);
      return;
    }

  /* a new rule for the same user replaces the old one */
  folded = g_utf8_casefold (user_name, -1);
  for (guint i = self->fail_users->len; i > 0; i--)
    if (g_str_equal (((ScimFailUser *) g_ptr_array_index (self->fail_users, i - 1))->user_name, folded))
      g_ptr_array_remove_index (self->fail_users, i - 1);

  rule = g_new0 (ScimFailUser, 1);
  rule->user_name = g_steal_pointer (&folded);
  rule->status = status;
  rule->remaining = times;
  rule->retry_after = retry_after;
  g_ptr_array_add (self->fail_users, rule);
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

void
_muster_fake_scim_control_handler (MusterFakeContext *ctx,
                                   SoupServerMessage *msg,
                                   const char        *path,
                                   GHashTable        *query,
                                   gpointer           user_data)
{
  MusterFakeScim *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  gboolean get = g_str_equal (method, "GET"), post = g_str_equal (method, "POST");

  if (get && g_str_equal (path, "/_fake/scim/requests"))
    control_requests (self, msg);
  else if (get && g_str_equal (path, "/_fake/scim/token"))
    {
      /* test plumbing on loopback: the tests' SCIM client needs the token */
      GString *out = g_string_new ("{\"token\":");

      _muster_fake_json_append_string (out, ctx->scim_token);
      g_string_append_c (out, '}');
      reply_plain_json (msg, out);
    }
  else if (post && g_str_equal (path, "/_fake/scim/reset"))
    {
      _muster_fake_scim_store_clear (self);
      g_ptr_array_set_size (self->log, 0);
      g_ptr_array_set_size (self->fail_rules, 0);
      g_ptr_array_set_size (self->fail_users, 0);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else if (post && g_str_equal (path, "/_fake/scim/fail"))
    control_fail (self, msg);
  else if ((get || post) && g_str_equal (path, "/_fake/scim/mode"))
    control_mode (self, msg, post);
  else if ((get || post) && g_str_equal (path, "/_fake/scim/latency"))
    control_latency (self, msg, post);
  else if (post && g_str_equal (path, "/_fake/scim/fail-users"))
    control_fail_users (self, msg);
  else if (g_str_equal (method, "DELETE") && g_str_equal (path, "/_fake/scim/fail-users"))
    {
      g_ptr_array_set_size (self->fail_users, 0);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else
    _muster_fake_reply_graph_error (msg, SOUP_STATUS_NOT_FOUND, "notFound", "No such control endpoint");
}
