/* muster-fake-scim.c: a SCIM 2.0 service provider under /scim/v2, strict or as found in the field
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The target Muster pushes users into. In strict mode (the default) it follows RFC 7643
 * (schemas) and RFC 7644 (protocol) to the letter, so that what passes here works against a
 * standards server:
 *  - one bearer token, made at start (muster_fake_tenant_get_scim_token()); else 401;
 *  - /Users and /Groups with POST/GET/PUT/PATCH/DELETE; the whole filter language of RFC 7644
 *    §3.4.2.2 (muster-fake-scim-filter.c); 1-based startIndex/count paging (default 100,
 *    maxResults 200; past the end an empty page); ETags (W/"n") in the ETag header and
 *    meta.version, with If-Match → 412 and If-None-Match → 304; Location on 201; userName unique
 *    case-insensitively and externalId unique → 409; user PATCH answered 200 with the resource,
 *    group PATCH 204 (as Entra expects);
 *  - strict types: "False" is not a boolean (400 invalidValue), PATCH ops are "add", "replace"
 *    and "remove" as RFC 7644 §3.5.2 writes them ("Replace" is 400 invalidSyntax), unknown schema
 *    URNs and attributes are 400 invalidSyntax, every error in the urn:…:Error schema with
 *    "status" as a string (RFC 7644 §3.12);
 *  - the core User attributes including userType and roles, the enterprise extension, Groups with
 *    members (a User's groups follow them);
 *  - discovery: /ServiceProviderConfig, /ResourceTypes, /Schemas.
 *
 * Field mode (muster-fake-tenant --scim-mode field, MusterFakeOptions.scim_mode, or POST
 * /_fake/scim/mode) behaves the way many real services do, so a client is tested against both:
 * no Location header on 201; no ETags (etag.supported false, no ETag header, no meta.version,
 * If-Match and If-None-Match ignored); every PATCH answered 204 with no body; a page of 20 when
 * "count" is absent, and past the end the last page again (totalResults stays right, startIndex
 * echoes the request); "Replace", "Add", "Remove" in any case; "True"/"False" strings for
 * booleans, stored as booleans.
 *
 * The control API under /_fake/scim is in muster-fake-scim-control.c, the store and the JSON
 * of a resource in muster-fake-scim-resources.c.
 */

#define G_LOG_DOMAIN "muster-fake-scim"

#include "config.h"

#include "muster-fake-modules.h"
#include "muster-fake-http.h"
#include "muster-fake-scim-resources-private.h"

#define SCIM_CONTENT_TYPE   "application/scim+json"
#define SCIM_MAX_RESULTS    200
#define SCIM_DEFAULT_COUNT  100
#define SCIM_FIELD_DEFAULT_COUNT 20

/* A request held back by POST /_fake/scim/latency. */
typedef struct
{
  MusterFakeScim    *self;
  SoupServerMessage *msg;
  char              *path;
  GHashTable        *query;
} ScimDelayedRequest;

static void
scim_log_entry_free (ScimLogEntry *entry)
{
  g_free (entry->method);
  g_free (entry->path);
  g_free (entry->query);
  g_clear_pointer (&entry->body, json_node_unref);
  g_free (entry->raw_body);
  g_free (entry);
}

static void
scim_fail_rule_free (ScimFailRule *rule)
{
  g_free (rule->path_prefix);
  g_free (rule->method);
  g_free (rule);
}

static void
scim_fail_user_free (ScimFailUser *rule)
{
  g_free (rule->user_name);
  g_free (rule);
}

static void
scim_delayed_request_free (gpointer data)
{
  ScimDelayedRequest *delayed = data;

  g_object_unref (delayed->msg);
  g_free (delayed->path);
  g_clear_pointer (&delayed->query, g_hash_table_unref);
  g_free (delayed);
}

static ScimLeniency
leniency (MusterFakeScim *self)
{
  return self->field ? SCIM_LENIENT_OP_CASE | SCIM_LENIENT_BOOLEAN_STRINGS : SCIM_LENIENT_NONE;
}

/* --- replies ---------------------------------------------------------------------------------- */

static void
reply_scim (SoupServerMessage *msg,
            guint              status,
            GString           *body)
{
  gsize len = body->len;

  _muster_fake_reply_take (msg, status, SCIM_CONTENT_TYPE, g_string_free (body, FALSE), len);
}

static void
reply_builder (SoupServerMessage *msg,
               guint              status,
               JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *json = json_to_string (root, FALSE);

  reply_scim (msg, status, g_string_new (json));
}

/* RFC 7644 §3.12: {"schemas":[Error],"status":"409","scimType":"uniqueness","detail":"…"} */
static void
reply_error (SoupServerMessage *msg,
             guint              status,
             const char        *scim_type,
             const char        *detail)
{
  GString *body = g_string_new ("{\"schemas\":[\"" SCIM_URN_ERROR "\"],\"status\":");
  g_autofree char *status_text = g_strdup_printf ("%u", status);

  _muster_fake_json_append_string (body, status_text);
  if (scim_type != NULL)
    {
      g_string_append (body, ",\"scimType\":");
      _muster_fake_json_append_string (body, scim_type);
    }
  g_string_append (body, ",\"detail\":");
  _muster_fake_json_append_string (body, detail);
  g_string_append_c (body, '}');
  reply_scim (msg, status, body);
}

static void
reply_gerror (SoupServerMessage *msg,
              const GError      *error)
{
  g_assert (error->domain == SCIM_ERROR);
  reply_error (msg, error->code == SCIM_ERROR_UNIQUENESS ? SOUP_STATUS_CONFLICT : SOUP_STATUS_BAD_REQUEST,
               _muster_fake_scim_error_type_name (error->code), error->message);
}

static void
reply_method_not_allowed (SoupServerMessage *msg,
                          const char        *allow)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow);
  reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL, "This method is not allowed on this endpoint");
}

/* A reply without a body that still names the resource's version: 304, or 204 to a PATCH. */
static void
reply_status_with_etag (SoupServerMessage *msg,
                        guint              status,
                        ScimResource      *resource)
{
  g_autofree char *etag = _muster_fake_scim_resource_etag (resource);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag", etag);
  soup_server_message_set_status (msg, status, NULL);
}

static void
reply_resource (MusterFakeScim    *self,
                SoupServerMessage *msg,
                guint              status,
                ScimResource      *resource,
                const Projection  *projection)
{
  GString *body = g_string_new (NULL);
  g_autofree char *etag = _muster_fake_scim_resource_etag (resource);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  _muster_fake_scim_append_resource (self, body, resource, projection);
  if (!self->field)
    soup_message_headers_replace (headers, "ETag", etag);
  if (status == SOUP_STATUS_CREATED && !self->field)
    {
      g_autofree char *location = _muster_fake_scim_resource_location (self, resource->type, resource->id);

      soup_message_headers_replace (headers, "Location", location);
    }
  reply_scim (msg, status, body);
}

/* --- request plumbing ------------------------------------------------------------------------- */

static JsonNode *
parse_body (SoupServerMessage *msg,
            GError           **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;

  if (type != NULL && g_ascii_strcasecmp (type, SCIM_CONTENT_TYPE) != 0 &&
      g_ascii_strcasecmp (type, "application/json") != 0)
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX,
                   "Content-Type must be " SCIM_CONTENT_TYPE " (RFC 7644 §3.1), not %s", type);
      return NULL;
    }
  if (body->length == 0)
    {
      g_set_error_literal (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX, "The request has no body");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, body->data, body->length, &local_error))
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX, "The body is not valid JSON: %s",
                   local_error->message);
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

/* RFC 7644 §3.14 and RFC 7232: a weak comparison of If-Match/If-None-Match with the version. */
static gboolean
etag_list_matches (const char   *header,
                   ScimResource *resource)
{
  g_autofree char *etag = _muster_fake_scim_resource_etag (resource);
  g_auto(GStrv) tags = g_strsplit (header, ",", -1);

  for (guint i = 0; tags[i] != NULL; i++)
    {
      const char *tag = g_strstrip (tags[i]);

      if (g_str_equal (tag, "*") || g_str_equal (tag, etag) || g_str_equal (tag, etag + 2))
        return TRUE;
    }
  return FALSE;
}

static gboolean
check_if_match (MusterFakeScim    *self,
                SoupServerMessage *msg,
                ScimResource      *resource)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *if_match = soup_message_headers_get_one (headers, "If-Match");
  const char *if_none_match = soup_message_headers_get_one (headers, "If-None-Match");

  /* a service without ETags ignores the preconditions (RFC 7232 §3: only for servers that have them) */
  if (self->field)
    return TRUE;
  if ((if_match != NULL && !etag_list_matches (if_match, resource)) ||
      (if_none_match != NULL && etag_list_matches (if_none_match, resource)))
    {
      g_autofree char *etag = _muster_fake_scim_resource_etag (resource);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag", etag);
      reply_error (msg, SOUP_STATUS_PRECONDITION_FAILED, NULL,
                   "Failed to update. Resource has changed on the server.");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_token (MusterFakeScim    *self,
             SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");
  const char *token = self->ctx->scim_token;
  gsize token_len = strlen (token);
  guchar diff = 0;

  if (header != NULL && g_ascii_strncasecmp (header, "Bearer ", 7) == 0)
    {
      const char *given = header + 7;

      while (*given == ' ')
        given++;
      if (strlen (given) == token_len)
        {
          /* constant time, like any token check should be */
          for (gsize i = 0; i < token_len; i++)
            diff |= given[i] ^ token[i];
          if (diff == 0)
            return TRUE;
        }
    }

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "WWW-Authenticate",
                                "Bearer realm=\"muster-fake-scim\"");
  reply_error (msg, SOUP_STATUS_UNAUTHORIZED, NULL,
               header == NULL ? "Authorization failure: no bearer token"
                              : "Authorization failure: the bearer token is not valid");
  return FALSE;
}

static gboolean
parse_index (const char *text,
             gint64      fallback,
             gint64     *out,
             const char *name,
             GError    **error)
{
  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_signed (text, 10, G_MININT32, G_MAXINT32, out, NULL))
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_VALUE, "'%s' must be an integer", name);
      return FALSE;
    }
  return TRUE;
}

/* --- injected per-user failures --------------------------------------------------------------- */

static void
add_user_name (GPtrArray  *names,
               JsonObject *data)
{
  const char *user_name = data ? json_object_get_string_member_with_default (data, "userName", NULL) : NULL;

  if (user_name != NULL)
    g_ptr_array_add (names, g_utf8_casefold (user_name, -1));
}

static void
collect_member_ids (JsonObject *data,
                    GHashTable *ids)
{
  JsonNode *node = data ? json_object_get_member (data, "members") : NULL;
  JsonArray *members = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  for (guint i = 0; members != NULL && i < json_array_get_length (members); i++)
    {
      JsonObject *member = json_array_get_object_element (members, i);
      const char *value = member ? json_object_get_string_member_with_default (member, "value", NULL) : NULL;

      if (value != NULL)
        g_hash_table_add (ids, (gpointer) value);
    }
}

/* The userNames (casefolded) a write from @before to @after touches: a User's own, old and new;
 * for a Group, the Users it adds or removes as members. */
static GPtrArray *
touched_user_names (MusterFakeScim         *self,
                    const ScimResourceType *type,
                    JsonObject             *before,
                    JsonObject             *after)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) old_ids = NULL;
  g_autoptr(GHashTable) new_ids = NULL;
  GHashTable *sets[2];
  GHashTableIter iter;
  gpointer key;

  if (type == &_muster_fake_scim_type_user)
    {
      add_user_name (names, before);
      add_user_name (names, after);
      return names;
    }

  old_ids = g_hash_table_new (g_str_hash, g_str_equal);
  new_ids = g_hash_table_new (g_str_hash, g_str_equal);
  collect_member_ids (before, old_ids);
  collect_member_ids (after, new_ids);
  sets[0] = old_ids;
  sets[1] = new_ids;
  for (guint i = 0; i < 2; i++)
    {
      g_hash_table_iter_init (&iter, sets[i]);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          ScimResource *member;

          if (g_hash_table_contains (sets[1 - i], key))
            continue;
          member = g_hash_table_lookup (self->resources, key);
          if (member != NULL && member->type == &_muster_fake_scim_type_user)
            add_user_name (names, member->data);
        }
    }
  return names;
}

/* Answers @msg with the injected failure of the first rule naming a user the write touches. */
static gboolean
apply_fail_users (MusterFakeScim         *self,
                  SoupServerMessage      *msg,
                  const ScimResourceType *type,
                  JsonObject             *before,
                  JsonObject             *after)
{
  g_autoptr(GPtrArray) names = NULL;

  if (self->fail_users->len == 0)
    return FALSE;
  names = touched_user_names (self, type, before, after);
  for (guint i = 0; i < self->fail_users->len; i++)
    {
      ScimFailUser *rule = g_ptr_array_index (self->fail_users, i);
      g_autofree char *detail = NULL;
      const char *scim_type = NULL;
      guint status = rule->status;

      if (!g_ptr_array_find_with_equal_func (names, rule->user_name, g_str_equal, NULL))
        continue;

      /* RFC 7644 §3.12: the scimType that goes with the status, where there is one */
      if (status == SOUP_STATUS_BAD_REQUEST)
        scim_type = _muster_fake_scim_error_type_name (SCIM_ERROR_INVALID_VALUE);
      else if (status == SOUP_STATUS_CONFLICT)
        scim_type = _muster_fake_scim_error_type_name (SCIM_ERROR_UNIQUENESS);
      detail = g_strdup_printf ("Injected failure for the user '%s'", rule->user_name);
      if (rule->retry_after > 0)
        {
          g_autofree char *seconds = g_strdup_printf ("%u", rule->retry_after);

          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", seconds);
        }
      reply_error (msg, status, scim_type, detail);
      if (rule->remaining > 0 && --rule->remaining == 0)
        g_ptr_array_remove_index (self->fail_users, i);
      return TRUE;
    }
  return FALSE;
}

/* --- endpoints -------------------------------------------------------------------------------- */

static gboolean
resource_matches (MusterFakeScim   *self,
                  const ScimFilter *filter,
                  ScimResource     *resource)
{
  g_autoptr(JsonObject) holder = NULL;

  /* meta is made on output, so only filters that look at it pay for it */
  if (_muster_fake_scim_filter_uses_meta (filter))
    {
      g_autoptr(JsonObject) meta = json_object_new ();
      g_autofree char *created = _muster_fake_iso8601 (resource->created);
      g_autofree char *modified = _muster_fake_iso8601 (resource->last_modified);
      g_autofree char *location = _muster_fake_scim_resource_location (self, resource->type, resource->id);
      g_autofree char *etag = _muster_fake_scim_resource_etag (resource);

      json_object_set_string_member (meta, "resourceType", resource->type->name);
      json_object_set_string_member (meta, "created", created);
      json_object_set_string_member (meta, "lastModified", modified);
      json_object_set_string_member (meta, "location", location);
      if (!self->field)
        json_object_set_string_member (meta, "version", etag);
      holder = json_object_new ();
      json_object_set_object_member (holder, "meta", g_steal_pointer (&meta));
    }
  return _muster_fake_scim_filter_match (filter, resource->type->schema, resource->data, holder);
}

static void
list_resources (MusterFakeScim         *self,
                SoupServerMessage      *msg,
                const ScimResourceType *type,
                GHashTable             *query)
{
  const char *filter_text = query ? g_hash_table_lookup (query, "filter") : NULL;
  g_autoptr(ScimFilter) filter = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Projection) projection = { NULL, NULL, FALSE, FALSE };
  GPtrArray *all = _muster_fake_scim_resources_of (self, type);
  gint64 start_index, count;
  GString *body;
  guint start, end;

  if (!parse_index (query ? g_hash_table_lookup (query, "startIndex") : NULL, 1, &start_index, "startIndex", &error) ||
      !parse_index (query ? g_hash_table_lookup (query, "count") : NULL,
                    self->field ? SCIM_FIELD_DEFAULT_COUNT : SCIM_DEFAULT_COUNT, &count, "count", &error))
    {
      reply_gerror (msg, error);
      return;
    }
  /* RFC 7644 §3.4.2.4: below 1 means 1, a negative count means 0 */
  start_index = MAX (start_index, 1);
  count = CLAMP (count, 0, SCIM_MAX_RESULTS);

  if (filter_text != NULL)
    {
      filter = _muster_fake_scim_filter_parse (type, NULL, filter_text, &error);
      if (filter == NULL)
        {
          reply_gerror (msg, error);
          return;
        }
    }

  matches = g_ptr_array_new ();
  if (filter != NULL)
    {
      const char *id = _muster_fake_scim_filter_get_eq_string (filter, &_muster_fake_scim_attr_id);
      const char *external_id = _muster_fake_scim_filter_get_eq_string (filter, &_muster_fake_scim_attr_external_id);
      const char *user_name = type == &_muster_fake_scim_type_user
        ? _muster_fake_scim_filter_get_eq_string (filter, _muster_fake_scim_schema_find_attr (type->schema, "userName", 8))
        : NULL;
      ScimResource *candidate = NULL;
      gboolean indexed = TRUE;

      if (id != NULL)
        candidate = g_hash_table_lookup (self->resources, id);
      else if (user_name != NULL)
        {
          g_autofree char *key = g_utf8_casefold (user_name, -1);

          candidate = g_hash_table_lookup (self->user_names, key);
        }
      else if (external_id != NULL)
        candidate = g_hash_table_lookup (self->external_ids[_muster_fake_scim_type_index (type)],
                                         external_id);
      else
        indexed = FALSE;

      if (indexed)
        {
          if (candidate != NULL && candidate->type == type && resource_matches (self, filter, candidate))
            g_ptr_array_add (matches, candidate);
        }
      else
        for (guint i = 0; i < all->len; i++)
          {
            ScimResource *resource = g_ptr_array_index (all, i);

            if (resource_matches (self, filter, resource))
              g_ptr_array_add (matches, resource);
          }
    }

  _muster_fake_scim_projection_parse (&projection, type,
                                      query ? g_hash_table_lookup (query, "attributes") : NULL,
                                      query ? g_hash_table_lookup (query, "excludedAttributes") : NULL);

  {
    GPtrArray *source = filter != NULL ? matches : all;

    start = MIN ((guint64) start_index - 1, source->len);
    if (self->field && start >= source->len && source->len > 0 && count > 0)
      {
        /* past the end, services that page by offset keep answering the last page (RFC 7644
         * §3.4.2.4 leaves it to the client to stop at totalResults) */
        start = (source->len - 1) / count * count;
      }
    end = MIN ((guint64) start + count, source->len);

    body = g_string_new ("{\"schemas\":[\"" SCIM_URN_LIST "\"]");
    g_string_append_printf (body, ",\"totalResults\":%u,\"itemsPerPage\":%u,\"startIndex\":%" G_GINT64_FORMAT
                            ",\"Resources\":[", source->len, end - start, start_index);
    for (guint i = start; i < end; i++)
      {
        if (i > start)
          g_string_append_c (body, ',');
        _muster_fake_scim_append_resource (self, body, g_ptr_array_index (source, i), &projection);
      }
    g_string_append (body, "]}");
  }
  reply_scim (msg, SOUP_STATUS_OK, body);
}

static void
create_resource (MusterFakeScim         *self,
                 SoupServerMessage      *msg,
                 const ScimResourceType *type,
                 GHashTable             *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = parse_body (msg, &error);
  g_autoptr(JsonObject) data = NULL;
  g_auto(Projection) projection = { NULL, NULL, FALSE, FALSE };
  ScimResource *resource;

  if (body == NULL ||
      (data = _muster_fake_scim_validate_resource (type, body, leniency (self), &error)) == NULL ||
      !_muster_fake_scim_normalize_members (self, data, NULL, &error))
    {
      reply_gerror (msg, error);
      return;
    }
  if (apply_fail_users (self, msg, type, NULL, data))
    return;
  if (!_muster_fake_scim_check_unique (self, type, data, NULL, &error))
    {
      reply_gerror (msg, error);
      return;
    }

  resource = _muster_fake_scim_store_add (self, type, data);

  _muster_fake_scim_projection_parse (&projection, type,
                                      query ? g_hash_table_lookup (query, "attributes") : NULL,
                                      query ? g_hash_table_lookup (query, "excludedAttributes") : NULL);
  reply_resource (self, msg, SOUP_STATUS_CREATED, resource, &projection);
}

static void
handle_resource (MusterFakeScim         *self,
                 SoupServerMessage      *msg,
                 const ScimResourceType *type,
                 const char             *id,
                 GHashTable             *query)
{
  const char *method = soup_server_message_get_method (msg);
  ScimResource *resource = g_hash_table_lookup (self->resources, id);
  g_autoptr(GError) error = NULL;
  g_auto(Projection) projection = { NULL, NULL, FALSE, FALSE };

  if (resource == NULL || resource->type != type)
    {
      g_autofree char *detail = g_strdup_printf ("Resource %s not found", id);

      reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, detail);
      return;
    }

  _muster_fake_scim_projection_parse (&projection, type,
                                      query ? g_hash_table_lookup (query, "attributes") : NULL,
                                      query ? g_hash_table_lookup (query, "excludedAttributes") : NULL);

  if (g_str_equal (method, "GET"))
    {
      const char *if_none_match = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                                "If-None-Match");

      if (if_none_match != NULL && !self->field && etag_list_matches (if_none_match, resource))
        {
          reply_status_with_etag (msg, SOUP_STATUS_NOT_MODIFIED, resource);
          return;
        }
      reply_resource (self, msg, SOUP_STATUS_OK, resource, &projection);
      return;
    }

  if (g_str_equal (method, "PUT"))
    {
      g_autoptr(JsonNode) body = NULL;
      g_autoptr(JsonObject) data = NULL;

      if (!check_if_match (self, msg, resource))
        return;
      body = parse_body (msg, &error);
      if (body == NULL ||
          (data = _muster_fake_scim_validate_resource (type, body, leniency (self), &error)) == NULL ||
          !_muster_fake_scim_normalize_members (self, data, resource->id, &error))
        {
          reply_gerror (msg, error);
          return;
        }
      if (apply_fail_users (self, msg, type, resource->data, data))
        return;
      if (!_muster_fake_scim_check_unique (self, type, data, resource, &error))
        {
          reply_gerror (msg, error);
          return;
        }
      _muster_fake_scim_commit (self, resource, data);
      reply_resource (self, msg, SOUP_STATUS_OK, resource, &projection);
      return;
    }

  if (g_str_equal (method, "PATCH"))
    {
      g_autoptr(JsonNode) body = NULL;
      g_autoptr(JsonNode) copy = NULL;
      g_autoptr(JsonNode) original = NULL;
      JsonObject *data;

      if (!check_if_match (self, msg, resource))
        return;
      body = parse_body (msg, &error);
      if (body == NULL)
        {
          reply_gerror (msg, error);
          return;
        }
      copy = _muster_fake_scim_deep_copy_object (resource->data);
      data = json_node_get_object (copy);
      if (!_muster_fake_scim_patch_apply (type, data, body, leniency (self), &error) ||
          !_muster_fake_scim_normalize_members (self, data, resource->id, &error))
        {
          reply_gerror (msg, error);
          return;
        }
      if (apply_fail_users (self, msg, type, resource->data, data))
        return;
      if (!_muster_fake_scim_check_unique (self, type, data, resource, &error))
        {
          reply_gerror (msg, error);
          return;
        }
      /* a PATCH that changes nothing keeps the version, so ETags stay valid */
      original = json_node_init_object (json_node_alloc (), resource->data);
      if (!json_node_equal (copy, original))
        _muster_fake_scim_commit (self, resource, data);

      if (self->field)
        {
          /* many services answer every PATCH 204 with no body (RFC 7644 §3.5.2 allows it) */
          soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
          return;
        }
      if (type == &_muster_fake_scim_type_group && projection.include == NULL)
        {
          /* Entra expects 204 for group PATCH
           * (learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups);
           * RFC 7644 §3.5.2 allows it. */
          reply_status_with_etag (msg, SOUP_STATUS_NO_CONTENT, resource);
          return;
        }
      reply_resource (self, msg, SOUP_STATUS_OK, resource, &projection);
      return;
    }

  if (g_str_equal (method, "DELETE"))
    {
      if (!check_if_match (self, msg, resource))
        return;
      if (type == &_muster_fake_scim_type_user && apply_fail_users (self, msg, type, resource->data, NULL))
        return;
      _muster_fake_scim_remove_resource (self, resource);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }

  reply_method_not_allowed (msg, "GET, PUT, PATCH, DELETE");
}

static void
add_meta (JsonBuilder *builder,
          const char  *resource_type,
          const char  *location)
{
  json_builder_set_member_name (builder, "meta");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "resourceType");
  json_builder_add_string_value (builder, resource_type);
  json_builder_set_member_name (builder, "location");
  json_builder_add_string_value (builder, location);
  json_builder_end_object (builder);
}

static void
add_supported (JsonBuilder *builder,
               const char  *name,
               gboolean     supported)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "supported");
  json_builder_add_boolean_value (builder, supported);
  json_builder_end_object (builder);
}

/* RFC 7643 §5 */
static void
service_provider_config (MusterFakeScim    *self,
                         SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *location = g_strconcat (self->ctx->base_url, SCIM_PREFIX "/ServiceProviderConfig", NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schemas");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, SCIM_URN_SP_CONFIG);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "documentationUri");
  json_builder_add_string_value (builder, "https://www.rfc-editor.org/rfc/rfc7644");
  add_supported (builder, "patch", TRUE);
  json_builder_set_member_name (builder, "bulk");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "supported");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "maxOperations");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "maxPayloadSize");
  json_builder_add_int_value (builder, 0);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "filter");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "supported");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "maxResults");
  json_builder_add_int_value (builder, SCIM_MAX_RESULTS);
  json_builder_end_object (builder);
  add_supported (builder, "changePassword", FALSE);
  add_supported (builder, "sort", FALSE);
  add_supported (builder, "etag", !self->field);
  json_builder_set_member_name (builder, "authenticationSchemes");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "oauthbearertoken");
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "OAuth Bearer Token");
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, "Authentication scheme using the OAuth Bearer Token Standard");
  json_builder_set_member_name (builder, "specUri");
  json_builder_add_string_value (builder, "https://www.rfc-editor.org/info/rfc6750");
  json_builder_set_member_name (builder, "primary");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  add_meta (builder, "ServiceProviderConfig", location);
  json_builder_end_object (builder);
  reply_builder (msg, SOUP_STATUS_OK, builder);
}

/* RFC 7643 §6 */
static void
add_resource_type (MusterFakeScim         *self,
                   JsonBuilder            *builder,
                   const ScimResourceType *type)
{
  g_autofree char *location = g_strconcat (self->ctx->base_url, SCIM_PREFIX "/ResourceTypes/", type->name, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schemas");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, SCIM_URN_RESOURCE_TYPE);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, type->name);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, type->name);
  json_builder_set_member_name (builder, "endpoint");
  json_builder_add_string_value (builder, type->endpoint);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, type->description);
  json_builder_set_member_name (builder, "schema");
  json_builder_add_string_value (builder, type->schema->id);
  if (type->extension != NULL)
    {
      json_builder_set_member_name (builder, "schemaExtensions");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "schema");
      json_builder_add_string_value (builder, type->extension->id);
      json_builder_set_member_name (builder, "required");
      json_builder_add_boolean_value (builder, FALSE);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }
  add_meta (builder, "ResourceType", location);
  json_builder_end_object (builder);
}

static void
begin_list (JsonBuilder *builder,
            guint        n)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schemas");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, SCIM_URN_LIST);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "totalResults");
  json_builder_add_int_value (builder, n);
  json_builder_set_member_name (builder, "itemsPerPage");
  json_builder_add_int_value (builder, n);
  json_builder_set_member_name (builder, "startIndex");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "Resources");
  json_builder_begin_array (builder);
}

static void
end_list (JsonBuilder *builder)
{
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
resource_types (MusterFakeScim    *self,
                SoupServerMessage *msg,
                const char        *name)
{
  const ScimResourceType *types[] = { &_muster_fake_scim_type_user, &_muster_fake_scim_type_group };
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (name == NULL)
    {
      begin_list (builder, G_N_ELEMENTS (types));
      for (guint i = 0; i < G_N_ELEMENTS (types); i++)
        add_resource_type (self, builder, types[i]);
      end_list (builder);
      reply_builder (msg, SOUP_STATUS_OK, builder);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_equal (name, types[i]->name))
      {
        add_resource_type (self, builder, types[i]);
        reply_builder (msg, SOUP_STATUS_OK, builder);
        return;
      }
  reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, "No such resource type");
}

static void
schemas (MusterFakeScim    *self,
         SoupServerMessage *msg,
         const char        *id)
{
  const ScimSchema *all[] = {
    &_muster_fake_scim_schema_user, &_muster_fake_scim_schema_group, &_muster_fake_scim_schema_enterprise
  };
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (id == NULL)
    begin_list (builder, G_N_ELEMENTS (all));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_autofree char *location = g_strconcat (self->ctx->base_url, SCIM_PREFIX "/Schemas/", all[i]->id, NULL);

      if (id != NULL && !g_str_equal (id, all[i]->id))
        continue;
      _muster_fake_scim_schema_to_json (all[i], location, builder);
      if (id != NULL)
        {
          reply_builder (msg, SOUP_STATUS_OK, builder);
          return;
        }
    }
  if (id != NULL)
    {
      reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, "No such schema");
      return;
    }
  end_list (builder);
  reply_builder (msg, SOUP_STATUS_OK, builder);
}

static void
route (MusterFakeScim    *self,
       SoupServerMessage *msg,
       const char        *rest,
       GHashTable        *query)
{
  const char *method = soup_server_message_get_method (msg);
  gboolean get = g_str_equal (method, "GET");
  const ScimResourceType *type = NULL;
  const char *tail = NULL;

  if (g_str_has_prefix (rest, "/Users"))
    {
      type = &_muster_fake_scim_type_user;
      tail = rest + strlen ("/Users");
    }
  else if (g_str_has_prefix (rest, "/Groups"))
    {
      type = &_muster_fake_scim_type_group;
      tail = rest + strlen ("/Groups");
    }

  if (type != NULL && *tail == '\0')
    {
      if (get)
        list_resources (self, msg, type, query);
      else if (g_str_equal (method, "POST"))
        create_resource (self, msg, type, query);
      else
        reply_method_not_allowed (msg, "GET, POST");
      return;
    }
  if (type != NULL && *tail == '/' && tail[1] != '\0' && strchr (tail + 1, '/') == NULL)
    {
      if (g_str_equal (tail + 1, ".search"))
        reply_error (msg, SOUP_STATUS_NOT_IMPLEMENTED, NULL, "POST .search is not supported; use GET with filter");
      else
        handle_resource (self, msg, type, tail + 1, query);
      return;
    }

  if (g_str_equal (rest, "/ServiceProviderConfig"))
    {
      if (get)
        service_provider_config (self, msg);
      else
        reply_method_not_allowed (msg, "GET");
      return;
    }
  if (g_str_equal (rest, "/ResourceTypes") || g_str_has_prefix (rest, "/ResourceTypes/"))
    {
      if (get)
        resource_types (self, msg, rest[14] == '/' ? rest + 15 : NULL);
      else
        reply_method_not_allowed (msg, "GET");
      return;
    }
  if (g_str_equal (rest, "/Schemas") || g_str_has_prefix (rest, "/Schemas/"))
    {
      if (get)
        schemas (self, msg, rest[8] == '/' ? rest + 9 : NULL);
      else
        reply_method_not_allowed (msg, "GET");
      return;
    }
  if (g_str_equal (rest, "/Bulk"))
    {
      /* ServiceProviderConfig says bulk.supported false */
      reply_error (msg, SOUP_STATUS_NOT_IMPLEMENTED, NULL, "Bulk operations are not supported");
      return;
    }
  if (g_str_equal (rest, "/Me") || g_str_equal (rest, "/.search"))
    {
      reply_error (msg, SOUP_STATUS_NOT_IMPLEMENTED, NULL, "This endpoint is not supported");
      return;
    }
  reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, "No such SCIM endpoint");
}

static gboolean
apply_fail_rule (MusterFakeScim    *self,
                 SoupServerMessage *msg,
                 const char        *path)
{
  const char *method = soup_server_message_get_method (msg);

  for (guint i = 0; i < self->fail_rules->len; i++)
    {
      ScimFailRule *rule = g_ptr_array_index (self->fail_rules, i);
      g_autofree char *detail = NULL;

      if (!g_str_has_prefix (path, rule->path_prefix) ||
          (rule->method != NULL && g_ascii_strcasecmp (rule->method, method) != 0))
        continue;

      detail = g_strdup_printf ("Injected failure (%u more to come)", rule->remaining - 1);
      if (rule->retry_after > 0)
        {
          g_autofree char *seconds = g_strdup_printf ("%u", rule->retry_after);

          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", seconds);
        }
      reply_error (msg, rule->status, NULL, detail);
      if (--rule->remaining == 0)
        g_ptr_array_remove_index (self->fail_rules, i);
      return TRUE;
    }
  return FALSE;
}

static void
scim_handle_request (MusterFakeScim    *self,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  ScimLogEntry *entry = g_new0 (ScimLogEntry, 1);
  const char *rest = path + strlen (SCIM_PREFIX);

  entry->method = g_strdup (soup_server_message_get_method (msg));
  entry->path = g_strdup (path);
  entry->query = g_strdup (g_uri_get_query (soup_server_message_get_uri (msg)));
  if (body->length > 0)
    {
      g_autofree char *text = g_strndup (body->data, body->length);

      entry->body = json_from_string (text, NULL);
      if (entry->body == NULL)
        entry->raw_body = g_strndup (body->data, body->length);
    }
  g_ptr_array_add (self->log, entry);

  if (*rest != '\0' && *rest != '/')
    reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, "No such SCIM endpoint");
  else if (!apply_fail_rule (self, msg, path) && check_token (self, msg))
    route (self, msg, rest, query);

  entry->status = soup_server_message_get_status (msg);
}

static gboolean
delayed_request_cb (gpointer data)
{
  ScimDelayedRequest *delayed = data;

  soup_server_message_unpause (delayed->msg);
  scim_handle_request (delayed->self, delayed->msg, delayed->path, delayed->query);
  return G_SOURCE_REMOVE;
}

static void
scim_handler (MusterFakeContext *ctx,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  MusterFakeScim *self = user_data;
  ScimDelayedRequest *delayed;
  GSource *source;

  if (self->latency_ms == 0)
    {
      scim_handle_request (self, msg, path, query);
      return;
    }

  /* on top of --latency-ms, which delays every request before it gets here */
  delayed = g_new0 (ScimDelayedRequest, 1);
  delayed->self = self;
  delayed->msg = g_object_ref (msg);
  delayed->path = g_strdup (path);
  delayed->query = query ? g_hash_table_ref (query) : NULL;
  soup_server_message_pause (msg);
  source = g_timeout_source_new (self->latency_ms);
  g_source_set_callback (source, delayed_request_cb, delayed, scim_delayed_request_free);
  g_source_attach (source, ctx->main_context);
  g_source_unref (source);
}

MusterFakeScim *
_muster_fake_scim_new (MusterFakeContext *ctx)
{
  MusterFakeScim *self = g_new0 (MusterFakeScim, 1);

  self->ctx = ctx;
  self->field = ctx->options.scim_mode == MUSTER_FAKE_SCIM_MODE_FIELD;
  self->resources = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) _muster_fake_scim_resource_free);
  self->users = g_ptr_array_new ();
  self->groups = g_ptr_array_new ();
  self->user_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->external_ids[0] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->external_ids[1] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->member_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
  self->log = g_ptr_array_new_with_free_func ((GDestroyNotify) scim_log_entry_free);
  self->fail_rules = g_ptr_array_new_with_free_func ((GDestroyNotify) scim_fail_rule_free);
  self->fail_users = g_ptr_array_new_with_free_func ((GDestroyNotify) scim_fail_user_free);

  /* one bearer token per run, like the "Secret Token" an admin pastes into Entra's provisioning
   * page; 32 bytes from the CSPRNG */
  ctx->scim_token = _muster_fake_random_token (32);

  _muster_fake_context_add_handler (ctx, SCIM_PREFIX, scim_handler, self);
  _muster_fake_context_add_handler (ctx, "/_fake/scim", _muster_fake_scim_control_handler, self);
  return self;
}

void
_muster_fake_scim_free (MusterFakeScim *self)
{
  if (self == NULL)
    return;
  _muster_fake_scim_store_clear (self);
  g_clear_pointer (&self->resources, g_hash_table_unref);
  g_clear_pointer (&self->users, g_ptr_array_unref);
  g_clear_pointer (&self->groups, g_ptr_array_unref);
  g_clear_pointer (&self->user_names, g_hash_table_unref);
  g_clear_pointer (&self->external_ids[0], g_hash_table_unref);
  g_clear_pointer (&self->external_ids[1], g_hash_table_unref);
  g_clear_pointer (&self->member_of, g_hash_table_unref);
  g_clear_pointer (&self->log, g_ptr_array_unref);
  g_clear_pointer (&self->fail_rules, g_ptr_array_unref);
  g_clear_pointer (&self->fail_users, g_ptr_array_unref);
  g_clear_pointer (&self->ctx->scim_token, g_free);
  g_free (self);
}
