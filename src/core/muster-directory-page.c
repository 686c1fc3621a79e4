/* muster-directory-page.c: reading the pages Microsoft Graph sends a directory fetch
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure functions of bytes, run in worker threads: the early scan for @odata.nextLink, the bulk
 * (cJSON) and json-glib readers of users and groups pages and their delta, and the reader of
 * $batch answers to /groups/{id}/members calls. What they make is applied to a snapshot by
 * muster-directory-fetch.c.
 */

#define G_LOG_DOMAIN "muster-directory-fetch"

#include "config.h"

#include <cjson/cJSON.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-directory-page-private.h"
#include "muster-graph-client.h"
#include "muster-http.h"
#include "muster-json.h"
#include "muster-user-private.h"

void
_muster_member_request_free (MusterMemberRequest *request)
{
  /* stolen slots are NULL */
  if (request == NULL)
    return;
  g_free (request->group_id);
  g_free (request->path);
  g_free (request);
}

MusterMemberRequest *
_muster_member_request_new (const char *group_id,
                            char       *path)
{
  MusterMemberRequest *request = g_new0 (MusterMemberRequest, 1);

  request->group_id = g_strdup (group_id);
  request->path = path;
  return request;
}

static void
sku_free (MusterSku *sku)
{
  g_free (sku->sku_id);
  g_free (sku->part_number);
  g_free (sku->title);
  g_free (sku);
}

MusterFetchChanges *
_muster_fetch_changes_new (MusterFetchItemKind kind)
{
  MusterFetchChanges *changes = g_new0 (MusterFetchChanges, 1);

  changes->kind = kind;
  changes->removed = g_ptr_array_new_with_free_func (g_free);
  changes->users = g_ptr_array_new_with_free_func (g_object_unref);
  changes->groups = g_ptr_array_new_with_free_func (g_object_unref);
  changes->managers = g_ptr_array_new_with_free_func (g_free);
  changes->member_removes = g_ptr_array_new_with_free_func (g_free);
  changes->member_adds = g_ptr_array_new_with_free_func (g_free);
  changes->skus = g_ptr_array_new_with_free_func ((GDestroyNotify) sku_free);
  changes->group_ids = g_ptr_array_new_with_free_func (g_free);
  changes->follow_ups = g_ptr_array_new_with_free_func ((GDestroyNotify) _muster_member_request_free);
  changes->retries = g_ptr_array_new_with_free_func ((GDestroyNotify) _muster_member_request_free);
  return changes;
}

void
_muster_fetch_changes_free (MusterFetchChanges *changes)
{
  if (changes == NULL)
    return;
  g_ptr_array_unref (changes->removed);
  g_ptr_array_unref (changes->users);
  g_ptr_array_unref (changes->groups);
  g_ptr_array_unref (changes->managers);
  g_ptr_array_unref (changes->member_removes);
  g_ptr_array_unref (changes->member_adds);
  g_ptr_array_unref (changes->skus);
  g_ptr_array_unref (changes->group_ids);
  g_ptr_array_unref (changes->follow_ups);
  g_ptr_array_unref (changes->retries);
  g_free (changes->users_delta_link);
  g_free (changes->groups_delta_link);
  g_free (changes->next_link);
  g_free (changes->delta_link);
  g_free (changes);
}

static void
add_pair (GPtrArray  *pairs,
          const char *a,
          const char *b)
{
  g_ptr_array_add (pairs, g_strdup (a));
  g_ptr_array_add (pairs, g_strdup (b));
}

static const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

/* After the opening quote: the position after the closing quote, or NULL. */
static const char *
skip_string (const char *p,
             const char *end)
{
  while (p < end)
    {
      if (*p == '\\')
        p += 2;
      else if (*p == '"')
        return p + 1;
      else
        p++;
    }
  return NULL;
}

static const char *
skip_value (const char *p,
            const char *end)
{
  int depth = 0;

  do
    {
      p = skip_space (p, end);
      if (p >= end)
        return NULL;
      if (*p == '"')
        {
          p = skip_string (p + 1, end);
          if (p == NULL)
            return NULL;
        }
      else if (*p == '{' || *p == '[')
        depth++, p++;
      else if (*p == '}' || *p == ']')
        depth--, p++;
      else if (depth == 0)
        {
          /* number, true, false, null */
          while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\r'
                 && *p != '\t')
            p++;
        }
      else
        p++;
    }
  while (depth > 0);
  return p;
}

static gsize
count_non_ascii (const char *start,
                 const char *end)
{
  gsize count = 0;

  for (const char *p = start; p < end; p++)
    count += (guchar) *p >= 0x80;
  return count;
}

/* A link is ASCII: a \u escape of anything past that (or of NUL) is left to the full parse.
 * Such an escape decodes to more non-ASCII bytes than the raw text holds, as raw bytes are
 * copied one for one and every other escape decodes to ASCII. */
static char *
unescape_link (const char *start,
               const char *end)
{
  g_autoptr(GString) out = g_string_sized_new (end - start);

  if (muster_json_unescape_string (start, end, out) == NULL
      || count_non_ascii (out->str, out->str + out->len) != count_non_ascii (start, end))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The top-level "@odata.nextLink" of a Graph page when it stands before "value" (where Graph
 * writes it), found without parsing the page; NULL when it is elsewhere, absent or anything
 * looks unusual — then the caller waits for the full parse. */
char *
_muster_directory_page_scan_next_link (GBytes *bytes)
{
  gsize length;
  const char *p = g_bytes_get_data (bytes, &length);
  const char *end = p + length;

  if (p == NULL)
    return NULL;
  p = skip_space (p, end);
  if (p >= end || *p != '{')
    return NULL;
  p++;
  for (;;)
    {
      const char *key, *key_end;

      p = skip_space (p, end);
      if (p >= end || *p != '"')
        return NULL;
      key = p + 1;
      p = skip_string (key, end);
      if (p == NULL)
        return NULL;
      key_end = p - 1;
      p = skip_space (p, end);
      if (p >= end || *p != ':')
        return NULL;
      p = skip_space (p + 1, end);
      if (key_end - key == 5 && memcmp (key, "value", 5) == 0)
        return NULL;
      if (key_end - key == 15 && memcmp (key, "@odata.nextLink", 15) == 0)
        {
          const char *value;

          if (p >= end || *p != '"')
            return NULL;
          value = p + 1;
          p = skip_string (value, end);
          if (p == NULL)
            return NULL;
          return unescape_link (value, p);
        }
      p = skip_value (p, end);
      if (p == NULL)
        return NULL;
      p = skip_space (p, end);
      if (p >= end || *p != ',')
        return NULL;
      p++;
    }
}

static gboolean
invalid_page (GError     **error,
              const char  *what)
{
  g_set_error (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE,
               _("Microsoft Graph sent %s that Muster cannot read."), what);
  return FALSE;
}

static JsonObject *
parse_page_root (GBytes      *bytes,
                 JsonNode   **root,
                 GError     **error)
{
  g_autoptr(GError) parse_error = NULL;

  *root = muster_http_parse_json (bytes, "Microsoft Graph", &parse_error);
  if (*root == NULL)
    {
      g_set_error (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE,
                   _("Microsoft Graph sent a page Muster cannot read: %s"), parse_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (*root))
    {
      invalid_page (error, _("a page"));
      return NULL;
    }
  return json_node_get_object (*root);
}

static gboolean
is_member_type (JsonObject *object)
{
  const char *type = muster_json_get_string (object, "@odata.type");

  /* a snapshot knows users and groups; devices, contacts and service principals are left out */
  return type == NULL || g_str_equal (type, "#microsoft.graph.user") || g_str_equal (type, "#microsoft.graph.group");
}

const char *
_muster_directory_page_get_id (JsonObject *object)
{
  const char *id = muster_json_get_string (object, "id");

  return id != NULL && *id != '\0' ? id : NULL;
}

static gboolean
is_removed (JsonObject *object)
{
  return json_object_has_member (object, "@removed");
}

/* Text json-glib would take: UTF-8 without NUL bytes (json-glib refuses anything else, cJSON
 * does not). ASCII, nearly all of a Graph page, is checked eight bytes at a time. */
static gboolean
is_json_text (const char *data,
              gsize       length)
{
  const char *p = data, *end = data + length;

  while (p < end)
    {
      if (end - p >= 8)
        {
          guint64 word;

          memcpy (&word, p, sizeof word);
          /* no byte with the high bit set and no zero byte */
          if (((word | ((word - G_GUINT64_CONSTANT (0x0101010101010101)) & ~word))
               & G_GUINT64_CONSTANT (0x8080808080808080)) == 0)
            {
              p += 8;
              continue;
            }
        }
      if (*p == '\0')
        return FALSE;
      if ((guchar) *p < 0x80)
        p++;
      else
        {
          gunichar c = g_utf8_get_char_validated (p, end - p);

          if (c == (gunichar) -1 || c == (gunichar) -2)
            return FALSE;
          p = g_utf8_next_char (p);
        }
    }
  return TRUE;
}

/* The last member called @name, as json-glib keeps it; NULL for a non-object. */
static const cJSON *
cjson_get_member (const cJSON *object,
                  const char  *name)
{
  const cJSON *found = NULL;

  if (!cJSON_IsObject (object))
    return NULL;
  for (const cJSON *child = object->child; child != NULL; child = child->next)
    if (child->string != NULL && strcmp (child->string, name) == 0)
      found = child;
  return found;
}

static const char *
cjson_get_string (const cJSON *object,
                  const char  *name)
{
  const cJSON *member = cjson_get_member (object, name);

  return cJSON_IsString (member) ? member->valuestring : NULL;
}

/* @bytes read by cJSON when json-glib would read them the same way: UTF-8 without NUL bytes,
 * within the depth limit, one value and nothing after it; NULL otherwise. */
static cJSON *
cjson_parse_page (GBytes *bytes)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  const char *parse_end = NULL;
  cJSON *root;

  if (data == NULL || length == 0 || !is_json_text (data, length)
      || !muster_json_check_depth (data, length, MUSTER_JSON_MAX_DEPTH, NULL))
    return NULL;
  root = cJSON_ParseWithLengthOpts (data, length, &parse_end, FALSE);
  if (root != NULL && (parse_end == NULL || skip_space (parse_end, data + length) != data + length))
    g_clear_pointer (&root, cJSON_Delete);
  return root;
}

/* The bulk path: a page of /users read by cJSON, about 5× faster than json-glib (measured in
 * tests/bench/README.md, P1). NULL when cJSON cannot read the page or it holds anything json-glib would
 * refuse or read differently (bytes that are not UTF-8, text after the root, a root that is not
 * a page): json-glib then reads it again, and its answer or its error counts. Users are built
 * through the same member table as muster_user_new_from_json(). */
MusterFetchChanges *
_muster_directory_page_read_users_fast (GBytes *bytes)
{
  g_autoptr(MusterFetchChanges) changes = NULL;
  const cJSON *values;
  cJSON *root = cjson_parse_page (bytes);

  if (root == NULL)
    return NULL;
  values = cjson_get_member (root, "value");
  if (!cJSON_IsArray (values))
    {
      cJSON_Delete (root);
      return NULL;
    }

  changes = _muster_fetch_changes_new (MUSTER_FETCH_ITEM_CHANGES);
  changes->next_link = g_strdup (cjson_get_string (root, "@odata.nextLink"));
  changes->delta_link = g_strdup (cjson_get_string (root, "@odata.deltaLink"));
  for (const cJSON *object = values->child; object != NULL; object = object->next)
    {
      const char *id = cjson_get_string (object, "id");
      MusterUser *user;

      if (id == NULL || *id == '\0')
        continue;
      user = _muster_user_new_from_cjson (object);
      if (muster_user_get_manager_id (user) != NULL)
        changes->n_managers++;
      g_ptr_array_add (changes->users, user);
    }
  cJSON_Delete (root);
  return g_steal_pointer (&changes);
}

/* One page of /users, /groups or their delta. */
MusterFetchChanges *
_muster_directory_page_read (GBytes     *bytes,
                             MusterFetchChain   kind,
                             GError    **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(MusterFetchChanges) changes = NULL;
  JsonObject *page;
  JsonArray *values;
  gboolean users = kind == MUSTER_FETCH_CHAIN_USERS || kind == MUSTER_FETCH_CHAIN_USERS_DELTA;
  gboolean delta = kind == MUSTER_FETCH_CHAIN_USERS_DELTA || kind == MUSTER_FETCH_CHAIN_GROUPS_DELTA;

  if (kind == MUSTER_FETCH_CHAIN_USERS)
    {
      changes = _muster_directory_page_read_users_fast (bytes);
      if (changes != NULL)
        return g_steal_pointer (&changes);
    }
  changes = _muster_fetch_changes_new (MUSTER_FETCH_ITEM_CHANGES);
  page = parse_page_root (bytes, &root, error);
  if (page == NULL)
    return NULL;
  values = muster_json_get_array (page, "value");
  if (values == NULL)
    {
      invalid_page (error, _("a page without a list"));
      return NULL;
    }
  changes->next_link = g_strdup (muster_json_get_string (page, "@odata.nextLink"));
  changes->delta_link = g_strdup (muster_json_get_string (page, "@odata.deltaLink"));

  for (guint i = 0; i < json_array_get_length (values); i++)
    {
      JsonNode *node = json_array_get_element (values, i);
      JsonObject *object;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);
      id = _muster_directory_page_get_id (object);
      if (id == NULL)
        continue;

      if (delta && is_removed (object))
        {
          g_ptr_array_add (changes->removed, g_strdup (id));
          continue;
        }

      if (users)
        {
          JsonArray *manager_delta = delta ? muster_json_get_array (object, "manager@delta") : NULL;
          MusterUser *user;

          if (manager_delta != NULL)
            {
              const char *manager_id = NULL;

              /* users delta reports the manager as a one-item relationship list (user-delta.md) */
              for (guint m = 0; m < json_array_get_length (manager_delta); m++)
                {
                  JsonNode *item = json_array_get_element (manager_delta, m);

                  if (JSON_NODE_HOLDS_OBJECT (item) && !is_removed (json_node_get_object (item)))
                    manager_id = _muster_directory_page_get_id (json_node_get_object (item));
                }
              if (manager_id != NULL)
                {
                  JsonObject *manager = json_object_new ();

                  json_object_set_string_member (manager, "id", manager_id);
                  json_object_set_object_member (object, "manager", manager);
                }
              else
                json_object_remove_member (object, "manager");
              add_pair (changes->managers, id, manager_id);
            }

          user = muster_user_new_from_json (object);
          if (!delta && muster_user_get_manager_id (user) != NULL)
            changes->n_managers++;
          g_ptr_array_add (changes->users, user);
        }
      else
        {
          JsonArray *members = delta ? muster_json_get_array (object, "members@delta") : NULL;

          /* a big group comes back in several pieces, later ones may carry only the members */
          if (!delta || json_object_has_member (object, "displayName"))
            g_ptr_array_add (changes->groups, muster_group_new_from_json (object));
          if (!delta)
            g_ptr_array_add (changes->group_ids, g_strdup (id));
          for (guint m = 0; members != NULL && m < json_array_get_length (members); m++)
            {
              JsonNode *item = json_array_get_element (members, m);
              JsonObject *member;
              const char *member_id;

              if (!JSON_NODE_HOLDS_OBJECT (item))
                continue;
              member = json_node_get_object (item);
              member_id = _muster_directory_page_get_id (member);
              if (member_id == NULL || !is_member_type (member))
                continue;
              add_pair (is_removed (member) ? changes->member_removes : changes->member_adds, id, member_id);
            }
        }
    }
  return g_steal_pointer (&changes);
}

static GError *
item_error (guint       status,
            JsonObject *body)
{
  JsonObject *error = muster_json_get_object (body, "error");
  const char *code = muster_json_get_string (error, "code");

  g_debug ("Graph call in a batch answered %u %s", status, code ? code : "-");
  if (status == 401)
    return g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_UNAUTHORIZED, "%s (%s)",
                        _("Microsoft Graph did not accept the sign-in. Sign in again."), code ? code : "HTTP 401");
  if (status == 403)
    return g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_FORBIDDEN, "%s (%s)",
                        _("Muster may not read group members. Grant admin consent for GroupMember.Read.All, "
                          "then sign in again."), code ? code : "HTTP 403");
  if (status == 429)
    return g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_THROTTLED, "%s",
                        _("Microsoft Graph is throttling Muster. Try again in a few minutes."));
  if (status >= 500)
    return g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_SERVER, "%s (%s, HTTP %u)",
                        _("Microsoft Graph had a problem. Try again later."), code ? code : "-", status);
  return g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_BAD_REQUEST, "%s (%s, HTTP %u)",
                      _("Microsoft Graph refused the request."), code ? code : "-", status);
}

static const char *
header_value (JsonObject *headers,
              const char *name)
{
  g_autoptr(GList) members = headers ? json_object_get_members (headers) : NULL;

  /* header names are case-insensitive (RFC 9110 §5.1) */
  for (GList *l = members; l != NULL; l = l->next)
    if (g_ascii_strcasecmp (l->data, name) == 0)
      return muster_json_get_string (headers, l->data);
  return NULL;
}

/* One $batch answer of /groups/{id}/members calls
 * (https://learn.microsoft.com/en-us/graph/json-batching): members, next pages, throttled calls
 * to send again. */
MusterFetchChanges *
_muster_directory_page_read_members_batch (GBytes      *bytes,
                                           GPtrArray   *requests,
                                           const char  *base,
                                           GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(MusterFetchChanges) changes = _muster_fetch_changes_new (MUSTER_FETCH_ITEM_CHANGES);
  g_autofree gboolean *answered = g_new0 (gboolean, requests->len);
  JsonObject *page = parse_page_root (bytes, &root, error);
  JsonArray *responses;

  if (page == NULL)
    return NULL;
  responses = muster_json_get_array (page, "responses");
  if (responses == NULL)
    {
      invalid_page (error, _("a batch answer"));
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (responses); i++)
    {
      JsonNode *node = json_array_get_element (responses, i);
      JsonObject *response, *body;
      MusterMemberRequest *request;
      guint64 index;
      gint64 status;
      JsonArray *values;
      const char *next;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      response = json_node_get_object (node);
      /* answers come in any order: match them by id */
      if (muster_json_get_string (response, "id") == NULL
          || !g_ascii_string_to_unsigned (muster_json_get_string (response, "id"), 10, 1, requests->len,
                                          &index, NULL)
          || answered[index - 1])
        continue;
      answered[index - 1] = TRUE;
      request = g_ptr_array_index (requests, index - 1);
      status = muster_json_get_int (response, "status", 0);
      body = muster_json_get_object (response, "body");

      if (status == 500 || status == 502 || status == 504)
        {
          MusterMemberRequest *retry;

          /* a call may fail in passing inside a batch as well as outside
           * (learn.microsoft.com/graph/best-practices-concept, "Handling expected errors") */
          if (request->failures + 1 >= MUSTER_GRAPH_MAX_ATTEMPTS)
            {
              g_propagate_error (error, item_error ((guint) status, body));
              return NULL;
            }
          retry = _muster_member_request_new (request->group_id, g_strdup (request->path));
          retry->tries = request->tries;
          retry->failures = request->failures + 1;
          changes->retry_failures = MAX (changes->retry_failures, retry->failures);
          g_ptr_array_add (changes->retries, retry);
          continue;
        }
      if (status == 429 || status == 503)
        {
          const char *retry_after = header_value (muster_json_get_object (response, "headers"), "Retry-After");
          guint delay = muster_graph_parse_retry_after (retry_after, g_get_real_time () / G_USEC_PER_SEC,
                                                        1000u << MIN (request->tries, 4));

          if (request->tries + 1 >= MUSTER_FETCH_MAX_ITEM_TRIES)
            {
              g_propagate_error (error, item_error ((guint) status, body));
              return NULL;
            }
          changes->retry_after_ms = MAX (changes->retry_after_ms, delay);
          g_ptr_array_add (changes->retries, _muster_member_request_new (request->group_id, g_strdup (request->path)));
          ((MusterMemberRequest *) g_ptr_array_index (changes->retries, changes->retries->len - 1))->tries =
            request->tries + 1;
          ((MusterMemberRequest *) g_ptr_array_index (changes->retries, changes->retries->len - 1))->failures =
            request->failures;
          continue;
        }
      if (status == 404)
        {
          /* deleted between the group list and now: it has no members to read */
          g_debug ("group %s vanished while its members were read", request->group_id);
          changes->groups_completed++;
          continue;
        }
      if (status < 200 || status >= 300)
        {
          g_propagate_error (error, item_error ((guint) status, body));
          return NULL;
        }
      values = muster_json_get_array (body, "value");
      if (values == NULL)
        {
          invalid_page (error, _("a member list"));
          return NULL;
        }
      for (guint m = 0; m < json_array_get_length (values); m++)
        {
          JsonNode *item = json_array_get_element (values, m);
          const char *member_id;

          if (!JSON_NODE_HOLDS_OBJECT (item) || !is_member_type (json_node_get_object (item)))
            continue;
          member_id = _muster_directory_page_get_id (json_node_get_object (item));
          if (member_id != NULL)
            add_pair (changes->member_adds, request->group_id, member_id);
        }
      next = muster_json_get_string (body, "@odata.nextLink");
      if (next != NULL)
        {
          /* a batch takes URLs relative to the version (json-batching.md) */
          if (!g_str_has_prefix (next, base) || next[strlen (base)] != '/')
            {
              g_set_error (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE,
                           _("Microsoft Graph pointed to another server (%s); Muster did not follow."), next);
              return NULL;
            }
          g_ptr_array_add (changes->follow_ups, _muster_member_request_new (request->group_id,
                                                                            g_strdup (next + strlen (base))));
        }
      else
        changes->groups_completed++;
    }

  /* a call the batch did not answer is sent again */
  for (guint i = 0; i < requests->len; i++)
    if (!answered[i])
      {
        MusterMemberRequest *request = g_ptr_array_index (requests, i);
        MusterMemberRequest *retry = _muster_member_request_new (request->group_id, g_strdup (request->path));

        retry->tries = request->tries + 1;
        retry->failures = request->failures;
        if (retry->tries >= MUSTER_FETCH_MAX_ITEM_TRIES)
          {
            _muster_member_request_free (retry);
            return invalid_page (error, _("a batch answer")), NULL;
          }
        g_ptr_array_add (changes->retries, retry);
        changes->retry_after_ms = MAX (changes->retry_after_ms, 1000);
      }
  return g_steal_pointer (&changes);
}

/* The bulk path of a $batch answer to member calls, read by cJSON: the common answer only, where
 * every call is answered once with a 2xx and a member list whose follow-up link lies under @base.
 * NULL for anything else (a throttled, failed or missing call, bytes json-glib would read
 * differently): _muster_directory_page_read_members_batch() then reads it, and its answer or
 * error counts. What it makes equals that function's (tests/fuzz/fuzz-directory-page.c). */
MusterFetchChanges *
_muster_directory_page_read_members_batch_fast (GBytes     *bytes,
                                                GPtrArray  *requests,
                                                const char *base)
{
  g_autoptr(MusterFetchChanges) changes = NULL;
  g_autofree gboolean *answered = NULL;
  gsize base_length = strlen (base);
  const cJSON *responses;
  guint n_answered = 0;
  cJSON *root = cjson_parse_page (bytes);

  if (root == NULL)
    return NULL;
  responses = cjson_get_member (root, "responses");
  if (!cJSON_IsArray (responses))
    goto decline;

  changes = _muster_fetch_changes_new (MUSTER_FETCH_ITEM_CHANGES);
  answered = g_new0 (gboolean, requests->len);
  for (const cJSON *response = responses->child; response != NULL; response = response->next)
    {
      const char *id = cjson_get_string (response, "id");
      const cJSON *status = cjson_get_member (response, "status");
      const cJSON *body = cjson_get_member (response, "body");
      const cJSON *values = cjson_get_member (body, "value");
      const char *next;
      MusterMemberRequest *request;
      guint64 index;

      if (!cJSON_IsObject (response) || id == NULL
          || !g_ascii_string_to_unsigned (id, 10, 1, requests->len, &index, NULL) || answered[index - 1]
          || !cJSON_IsNumber (status) || status->valuedouble < 200 || status->valuedouble >= 300
          || status->valuedouble != (double) status->valueint || !cJSON_IsArray (values))
        goto decline;
      answered[index - 1] = TRUE;
      n_answered++;
      request = g_ptr_array_index (requests, index - 1);
      for (const cJSON *item = values->child; item != NULL; item = item->next)
        {
          const char *type = NULL, *member_id = NULL;

          if (!cJSON_IsObject (item))
            continue;
          /* both members in one pass; the last of a name counts, as in cjson_get_member() */
          for (const cJSON *child = item->child; child != NULL; child = child->next)
            if (child->string == NULL)
              continue;
            else if (strcmp (child->string, "id") == 0)
              member_id = cJSON_IsString (child) ? child->valuestring : NULL;
            else if (strcmp (child->string, "@odata.type") == 0)
              type = cJSON_IsString (child) ? child->valuestring : NULL;
          /* as is_member_type(): users and groups only */
          if ((type != NULL && strcmp (type, "#microsoft.graph.user") != 0
               && strcmp (type, "#microsoft.graph.group") != 0)
              || member_id == NULL || *member_id == '\0')
            continue;
          add_pair (changes->member_adds, request->group_id, member_id);
        }
      next = cjson_get_string (body, "@odata.nextLink");
      if (next == NULL)
        changes->groups_completed++;
      else if (strncmp (next, base, base_length) == 0 && next[base_length] == '/')
        g_ptr_array_add (changes->follow_ups, _muster_member_request_new (request->group_id,
                                                                          g_strdup (next + base_length)));
      else
        goto decline;
    }
  if (n_answered != requests->len)
    goto decline;
  cJSON_Delete (root);
  return g_steal_pointer (&changes);

decline:
  cJSON_Delete (root);
  return NULL;
}
