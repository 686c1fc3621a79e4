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
 * The control API under /_fake/scim (test plumbing on loopback, JSON in and out):
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

#include "muster-fake-modules.h"
#include "muster-fake-http.h"
#include "muster-fake-scim-private.h"

#define SCIM_PREFIX         "/scim/v2"
#define SCIM_CONTENT_TYPE   "application/scim+json"
#define SCIM_MAX_RESULTS    200
#define SCIM_DEFAULT_COUNT  100
#define SCIM_FIELD_DEFAULT_COUNT 20

typedef struct
{
  const ScimResourceType *type;
  char                   *id;
  JsonObject             *data;          /* canonical attributes, "id" first */
  guint64                 version;
  gint64                  created;       /* seconds since the epoch */
  gint64                  last_modified;
} ScimResource;

typedef struct
{
  char     *method;
  char     *path;
  char     *query;    /* raw, or NULL */
  JsonNode *body;     /* parsed, or NULL */
  char     *raw_body; /* when the body is not JSON */
  guint     status;
} ScimLogEntry;

typedef struct
{
  char  *path_prefix;
  char  *method;      /* NULL: any */
  guint  status;
  guint  remaining;
  guint  retry_after; /* 0: no Retry-After */
} ScimFailRule;

/* POST /_fake/scim/fail-users: writes touching this user fail. */
typedef struct
{
  char  *user_name;   /* casefolded, as userName is caseExact false */
  guint  status;
  guint  remaining;   /* 0: every time */
  guint  retry_after; /* 0: no Retry-After */
} ScimFailUser;

/* A request held back by POST /_fake/scim/latency. */
typedef struct
{
  MusterFakeScim    *self;
  SoupServerMessage *msg;
  char              *path;
  GHashTable        *query;
} ScimDelayedRequest;

/* Which attributes a response carries (RFC 7644 §3.9). Keys are ScimAttr or ScimSchema pointers. */
typedef struct
{
  GPtrArray *include;
  GPtrArray *exclude;
  gboolean   include_meta;
  gboolean   exclude_meta;
} Projection;

struct _MusterFakeScim
{
  MusterFakeContext *ctx;
  GHashTable        *resources;      /* id → ScimResource, owned */
  GPtrArray         *users;          /* ScimResource, creation order */
  GPtrArray         *groups;
  GHashTable        *user_names;     /* casefolded userName → ScimResource */
  GHashTable        *external_ids[2];/* per type: externalId → ScimResource */
  GHashTable        *member_of;      /* member id → set of group ids */
  guint64            version_seq;
  GPtrArray         *log;            /* ScimLogEntry */
  GPtrArray         *fail_rules;     /* ScimFailRule */
  gboolean           field;          /* MUSTER_FAKE_SCIM_MODE_FIELD */
  guint              latency_ms;     /* added to every SCIM request */
  GPtrArray         *fail_users;     /* ScimFailUser */
};

static void
scim_resource_free (ScimResource *resource)
{
  g_free (resource->id);
  g_clear_pointer (&resource->data, json_object_unref);
  g_free (resource);
}

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

static void
projection_clear (Projection *projection)
{
  g_clear_pointer (&projection->include, g_ptr_array_unref);
  g_clear_pointer (&projection->exclude, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Projection, projection_clear)

static ScimLeniency
leniency (MusterFakeScim *self)
{
  return self->field ? SCIM_LENIENT_OP_CASE | SCIM_LENIENT_BOOLEAN_STRINGS : SCIM_LENIENT_NONE;
}

static guint
type_index (const ScimResourceType *type)
{
  return type == &_muster_fake_scim_type_user ? 0 : 1;
}

static GPtrArray *
resources_of (MusterFakeScim         *self,
              const ScimResourceType *type)
{
  return type == &_muster_fake_scim_type_user ? self->users : self->groups;
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

static void
reply_plain_json (SoupServerMessage *msg,
                  GString           *body)
{
  gsize len = body->len;

  _muster_fake_reply_take (msg, SOUP_STATUS_OK, "application/json", g_string_free (body, FALSE), len);
}

/* --- output ----------------------------------------------------------------------------------- */

static char *
resource_location (MusterFakeScim         *self,
                   const ScimResourceType *type,
                   const char             *id)
{
  return g_strconcat (self->ctx->base_url, SCIM_PREFIX, type->endpoint, "/", id, NULL);
}

static char *
resource_etag (ScimResource *resource)
{
  return g_strdup_printf ("W/\"%" G_GUINT64_FORMAT "\"", resource->version);
}

static gboolean
projection_parse (Projection             *projection,
                  const ScimResourceType *type,
                  const char             *attributes,
                  const char             *excluded)
{
  const char *lists[2] = { attributes, excluded };

  memset (projection, 0, sizeof *projection);
  for (guint l = 0; l < 2; l++)
    {
      g_auto(GStrv) names = NULL;
      GPtrArray *keys;

      if (lists[l] == NULL || *lists[l] == '\0')
        continue;
      keys = g_ptr_array_new ();
      if (l == 0)
        projection->include = keys;
      else
        projection->exclude = keys;

      names = g_strsplit (lists[l], ",", -1);
      for (guint i = 0; names[i] != NULL; i++)
        {
          const char *name = g_strstrip (names[i]);
          const ScimSchema *schema;
          const ScimAttr *attr;
          const char *rest;
          const char *dot;

          if (g_ascii_strcasecmp (name, "meta") == 0 || g_ascii_strncasecmp (name, "meta.", 5) == 0)
            {
              if (l == 0)
                projection->include_meta = TRUE;
              else
                projection->exclude_meta = TRUE;
              continue;
            }
          schema = _muster_fake_scim_split_urn (type, name, &rest);
          if (schema == NULL)
            continue;
          if (*rest == '\0')
            {
              g_ptr_array_add (keys, (gpointer) schema);
              continue;
            }
          /* a sub-attribute selects or drops its whole attribute here */
          dot = strchr (rest, '.');
          attr = _muster_fake_scim_schema_find_attr (schema, rest, dot ? (gsize) (dot - rest) : strlen (rest));
          if (attr != NULL)
            g_ptr_array_add (keys, (gpointer) attr);
        }
    }
  return TRUE;
}

static gboolean
projection_wants (const Projection *projection,
                  const ScimSchema *schema,
                  const ScimAttr   *attr)
{
  if (attr->returned == SCIM_RETURNED_NEVER)
    return FALSE;
  if (attr->returned == SCIM_RETURNED_ALWAYS)
    return TRUE;
  if (projection == NULL)
    return TRUE;
  if (projection->include != NULL)
    return g_ptr_array_find (projection->include, attr, NULL) ||
           g_ptr_array_find (projection->include, schema, NULL);
  if (projection->exclude != NULL)
    return !g_ptr_array_find (projection->exclude, attr, NULL) &&
           !g_ptr_array_find (projection->exclude, schema, NULL);
  return TRUE;
}

static void
append_node (GString  *out,
             JsonNode *node)
{
  g_autofree char *json = json_to_string (node, FALSE);

  g_string_append (out, json);
}

static const char *
resource_display (ScimResource *resource)
{
  const char *display = json_object_get_string_member_with_default (resource->data, "displayName", NULL);

  if (display == NULL)
    display = json_object_get_string_member_with_default (resource->data, "userName", NULL);
  return display;
}

/* A reference to another resource, with "$ref" and its display name filled in. */
static void
append_reference (MusterFakeScim *self,
                  GString        *out,
                  JsonObject     *element,
                  const char     *display_name)
{
  const char *value = json_object_get_string_member_with_default (element, "value", NULL);
  ScimResource *target = value ? g_hash_table_lookup (self->resources, value) : NULL;
  gboolean first = TRUE;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  g_string_append_c (out, '{');
  json_object_iter_init_ordered (&iter, element);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      _muster_fake_json_append_string (out, name);
      g_string_append_c (out, ':');
      append_node (out, member);
    }
  if (target != NULL)
    {
      g_autofree char *location = resource_location (self, target->type, target->id);

      if (!json_object_has_member (element, "$ref"))
        {
          g_string_append (out, first ? "\"$ref\":" : ",\"$ref\":");
          _muster_fake_json_append_string (out, location);
          first = FALSE;
        }
      if (resource_display (target) != NULL)
        {
          if (!first)
            g_string_append_c (out, ',');
          _muster_fake_json_append_string (out, display_name);
          g_string_append_c (out, ':');
          _muster_fake_json_append_string (out, resource_display (target));
        }
    }
  g_string_append_c (out, '}');
}

static void
append_attribute (MusterFakeScim *self,
                  GString        *out,
                  const ScimAttr *attr,
                  JsonNode       *value)
{
  _muster_fake_json_append_string (out, attr->name);
  g_string_append_c (out, ':');

  if (g_str_equal (attr->name, "members") && JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *array = json_node_get_array (value);

      g_string_append_c (out, '[');
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          append_reference (self, out, json_array_get_object_element (array, i), "display");
        }
      g_string_append_c (out, ']');
    }
  else if (g_str_equal (attr->name, "manager") && JSON_NODE_HOLDS_OBJECT (value))
    append_reference (self, out, json_node_get_object (value), "displayName");
  else
    append_node (out, value);
}

static void
append_resource (MusterFakeScim   *self,
                 GString          *out,
                 ScimResource     *resource,
                 const Projection *projection)
{
  const ScimResourceType *type = resource->type;
  JsonNode *member;
  gboolean has_extension = type->extension != NULL && json_object_has_member (resource->data, type->extension->id);

  g_string_append (out, "{\"schemas\":[");
  _muster_fake_json_append_string (out, type->schema->id);
  if (has_extension)
    {
      g_string_append_c (out, ',');
      _muster_fake_json_append_string (out, type->extension->id);
    }
  g_string_append_c (out, ']');

  /* schema order: id, externalId, the core attributes, then the extension's */
  {
    const ScimAttr *common[] = { &_muster_fake_scim_attr_id, &_muster_fake_scim_attr_external_id };

    for (guint i = 0; i < G_N_ELEMENTS (common); i++)
      if ((member = json_object_get_member (resource->data, common[i]->name)) != NULL &&
          projection_wants (projection, type->schema, common[i]))
        {
          g_string_append_c (out, ',');
          append_attribute (self, out, common[i], member);
        }
  }
  for (const ScimAttr *attr = type->schema->attributes; attr->name != NULL; attr++)
    if ((member = json_object_get_member (resource->data, attr->name)) != NULL &&
        projection_wants (projection, type->schema, attr))
      {
        g_string_append_c (out, ',');
        append_attribute (self, out, attr, member);
      }
  if (has_extension)
    {
      JsonObject *extension = json_object_get_object_member (resource->data, type->extension->id);
      gboolean opened = FALSE;

      for (const ScimAttr *attr = type->extension->attributes; attr->name != NULL; attr++)
        {
          if ((member = json_object_get_member (extension, attr->name)) == NULL ||
              !projection_wants (projection, type->extension, attr))
            continue;
          g_string_append_c (out, ',');
          if (!opened)
            {
              _muster_fake_json_append_string (out, type->extension->id);
              g_string_append (out, ":{");
              opened = TRUE;
            }
          append_attribute (self, out, attr, member);
        }
      if (opened)
        g_string_append_c (out, '}');
    }

  /* a User's groups are computed from the Groups' members (RFC 7643 §4.1.2, readOnly) */
  if (type == &_muster_fake_scim_type_user)
    {
      const ScimAttr *groups_attr = _muster_fake_scim_schema_find_attr (type->schema, "groups", 6);
      GHashTable *group_ids = g_hash_table_lookup (self->member_of, resource->id);

      if (group_ids != NULL && g_hash_table_size (group_ids) > 0 &&
          projection_wants (projection, type->schema, groups_attr))
        {
          GHashTableIter hiter;
          gpointer key;
          gboolean first = TRUE;

          g_string_append (out, ",\"groups\":[");
          g_hash_table_iter_init (&hiter, group_ids);
          while (g_hash_table_iter_next (&hiter, &key, NULL))
            {
              ScimResource *group = g_hash_table_lookup (self->resources, key);
              g_autofree char *location = NULL;

              if (group == NULL)
                continue;
              location = resource_location (self, group->type, group->id);
              if (!first)
                g_string_append_c (out, ',');
              first = FALSE;
              g_string_append (out, "{\"value\":");
              _muster_fake_json_append_string (out, group->id);
              g_string_append (out, ",\"$ref\":");
              _muster_fake_json_append_string (out, location);
              g_string_append (out, ",\"display\":");
              _muster_fake_json_append_string (out, resource_display (group));
              g_string_append (out, ",\"type\":\"direct\"}");
            }
          g_string_append_c (out, ']');
        }
    }

  if (projection == NULL ||
      (projection->include != NULL ? projection->include_meta : !projection->exclude_meta))
    {
      g_autofree char *created = _muster_fake_iso8601 (resource->created);
      g_autofree char *modified = _muster_fake_iso8601 (resource->last_modified);
      g_autofree char *location = resource_location (self, type, resource->id);
      g_autofree char *etag = resource_etag (resource);

      g_string_append (out, ",\"meta\":{\"resourceType\":");
      _muster_fake_json_append_string (out, type->name);
      g_string_append (out, ",\"created\":");
      _muster_fake_json_append_string (out, created);
      g_string_append (out, ",\"lastModified\":");
      _muster_fake_json_append_string (out, modified);
      g_string_append (out, ",\"location\":");
      _muster_fake_json_append_string (out, location);
      if (!self->field)
        {
          g_string_append (out, ",\"version\":");
          _muster_fake_json_append_string (out, etag);
        }
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, '}');
}

static void
reply_resource (MusterFakeScim    *self,
                SoupServerMessage *msg,
                guint              status,
                ScimResource      *resource,
                const Projection  *projection)
{
  GString *body = g_string_new (NULL);
  g_autofree char *etag = resource_etag (resource);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  append_resource (self, body, resource, projection);
  if (!self->field)
    soup_message_headers_replace (headers, "ETag", etag);
  if (status == SOUP_STATUS_CREATED && !self->field)
    {
      g_autofree char *location = resource_location (self, resource->type, resource->id);

      soup_message_headers_replace (headers, "Location", location);
    }
  reply_scim (msg, status, body);
}

/* --- the store -------------------------------------------------------------------------------- */

static void
index_remove (MusterFakeScim *self,
              ScimResource   *resource)
{
  const char *external_id = json_object_get_string_member_with_default (resource->data, "externalId", NULL);
  JsonArray *members;

  if (resource->type == &_muster_fake_scim_type_user)
    {
      g_autofree char *key = g_utf8_casefold (json_object_get_string_member (resource->data, "userName"), -1);

      if (g_hash_table_lookup (self->user_names, key) == resource)
        g_hash_table_remove (self->user_names, key);
    }
  if (external_id != NULL &&
      g_hash_table_lookup (self->external_ids[type_index (resource->type)], external_id) == resource)
    g_hash_table_remove (self->external_ids[type_index (resource->type)], external_id);

  members = json_object_get_member (resource->data, "members")
    ? json_object_get_array_member (resource->data, "members") : NULL;
  for (guint i = 0; members != NULL && i < json_array_get_length (members); i++)
    {
      const char *member_id = json_object_get_string_member (json_array_get_object_element (members, i), "value");
      GHashTable *set = g_hash_table_lookup (self->member_of, member_id);

      if (set != NULL)
        g_hash_table_remove (set, resource->id);
    }
}

static void
index_add (MusterFakeScim *self,
           ScimResource   *resource)
{
  const char *external_id = json_object_get_string_member_with_default (resource->data, "externalId", NULL);
  JsonArray *members;

  if (resource->type == &_muster_fake_scim_type_user)
    g_hash_table_replace (self->user_names,
                          g_utf8_casefold (json_object_get_string_member (resource->data, "userName"), -1),
                          resource);
  if (external_id != NULL)
    g_hash_table_replace (self->external_ids[type_index (resource->type)], g_strdup (external_id), resource);

  members = json_object_get_member (resource->data, "members")
    ? json_object_get_array_member (resource->data, "members") : NULL;
  for (guint i = 0; members != NULL && i < json_array_get_length (members); i++)
    {
      const char *member_id = json_object_get_string_member (json_array_get_object_element (members, i), "value");
      GHashTable *set = g_hash_table_lookup (self->member_of, member_id);

      if (set == NULL)
        {
          set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_hash_table_insert (self->member_of, g_strdup (member_id), set);
        }
      g_hash_table_add (set, g_strdup (resource->id));
    }
}

/* userName is unique case-insensitively (RFC 7643 §4.1.1: caseExact false, uniqueness server)
 * and so is externalId within a resource type (Entra's join key). */
static gboolean
check_unique (MusterFakeScim         *self,
              const ScimResourceType *type,
              JsonObject             *data,
              ScimResource           *self_resource,
              GError                **error)
{
  const char *external_id = json_object_get_string_member_with_default (data, "externalId", NULL);
  ScimResource *other;

  if (type == &_muster_fake_scim_type_user)
    {
      const char *user_name = json_object_get_string_member (data, "userName");
      g_autofree char *key = g_utf8_casefold (user_name, -1);

      other = g_hash_table_lookup (self->user_names, key);
      if (other != NULL && other != self_resource)
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_UNIQUENESS,
                       "userName '%s' is already taken by User %s", user_name, other->id);
          return FALSE;
        }
    }
  if (external_id != NULL)
    {
      other = g_hash_table_lookup (self->external_ids[type_index (type)], external_id);
      if (other != NULL && other != self_resource)
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_UNIQUENESS,
                       "externalId '%s' is already used by %s %s", external_id, type->name, other->id);
          return FALSE;
        }
    }
  return TRUE;
}

/* Members must name existing resources; keep only value and the actual type, drop duplicates. */
static gboolean
normalize_members (MusterFakeScim *self,
                   JsonObject     *data,
                   const char     *own_id,
                   GError        **error)
{
  JsonNode *node = json_object_get_member (data, "members");
  g_autoptr(JsonArray) members = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *in;

  if (node == NULL)
    return TRUE;
  in = json_node_get_array (node);
  members = json_array_new ();
  for (guint i = 0; i < json_array_get_length (in); i++)
    {
      JsonObject *element = json_array_get_object_element (in, i);
      const char *value = json_object_get_string_member_with_default (element, "value", NULL);
      const char *given_type = json_object_get_string_member_with_default (element, "type", NULL);
      ScimResource *target = value ? g_hash_table_lookup (self->resources, value) : NULL;
      JsonObject *normalized;

      if (value == NULL)
        {
          g_set_error_literal (error, SCIM_ERROR, SCIM_ERROR_INVALID_VALUE, "Each member needs a 'value'");
          return FALSE;
        }
      if (target == NULL || g_strcmp0 (value, own_id) == 0)
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_VALUE, "Member '%s' is not an existing User or Group",
                       value);
          return FALSE;
        }
      if (given_type != NULL && g_ascii_strcasecmp (given_type, target->type->name) != 0)
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_VALUE, "Member '%s' is a %s, not a %s",
                       value, target->type->name, given_type);
          return FALSE;
        }
      if (!g_hash_table_add (seen, (gpointer) value))
        continue;
      normalized = json_object_new ();
      json_object_set_string_member (normalized, "value", value);
      json_object_set_string_member (normalized, "type", target->type->name);
      json_array_add_object_element (members, normalized);
    }
  json_object_set_array_member (data, "members", g_steal_pointer (&members));
  return TRUE;
}

/* Puts "id" first, the way resources read (RFC 7643 §8 examples). */
static JsonObject *
data_with_id (JsonObject *data,
              const char *id)
{
  JsonObject *out = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_set_string_member (out, "id", id);
  json_object_iter_init_ordered (&iter, data);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    if (!g_str_equal (name, "id"))
      json_object_set_member (out, name, json_node_ref (member));
  return out;
}

/* A node holding a deep copy of @object (json_node_copy() only shares it). */
static JsonNode *
deep_copy_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return _muster_fake_scim_json_deep_copy (node);
}

static void
touch (MusterFakeScim *self,
       ScimResource   *resource)
{
  resource->version = ++self->version_seq;
  resource->last_modified = g_get_real_time () / G_USEC_PER_SEC;
}

/* Replaces @resource's data with @data (already validated and unique). */
static void
commit (MusterFakeScim *self,
        ScimResource   *resource,
        JsonObject     *data)
{
  index_remove (self, resource);
  g_clear_pointer (&resource->data, json_object_unref);
  resource->data = data_with_id (data, resource->id);
  index_add (self, resource);
  touch (self, resource);
}

static void
remove_resource (MusterFakeScim *self,
                 ScimResource   *resource)
{
  GHashTable *group_ids = g_hash_table_lookup (self->member_of, resource->id);

  /* a deleted resource leaves every group it was a member of */
  if (group_ids != NULL)
    {
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, group_ids);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (ids, g_strdup (key));
      for (guint i = 0; i < ids->len; i++)
        {
          ScimResource *group = g_hash_table_lookup (self->resources, g_ptr_array_index (ids, i));
          g_autoptr(JsonNode) copy = NULL;
          JsonObject *data;
          JsonArray *members;

          if (group == NULL)
            continue;
          copy = deep_copy_object (group->data);
          data = json_node_get_object (copy);
          members = json_object_get_array_member (data, "members");
          for (guint j = json_array_get_length (members); j > 0; j--)
            if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (members, j - 1), "value"),
                           resource->id) == 0)
              json_array_remove_element (members, j - 1);
          if (json_array_get_length (members) == 0)
            json_object_remove_member (data, "members");
          commit (self, group, data);
        }
    }

  index_remove (self, resource);
  g_hash_table_remove (self->member_of, resource->id);
  g_ptr_array_remove (resources_of (self, resource->type), resource);
  g_hash_table_remove (self->resources, resource->id);
}

static void
store_clear (MusterFakeScim *self)
{
  g_ptr_array_set_size (self->users, 0);
  g_ptr_array_set_size (self->groups, 0);
  g_hash_table_remove_all (self->user_names);
  g_hash_table_remove_all (self->external_ids[0]);
  g_hash_table_remove_all (self->external_ids[1]);
  g_hash_table_remove_all (self->member_of);
  g_hash_table_remove_all (self->resources);
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
  g_autofree char *etag = resource_etag (resource);
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
      g_autofree char *etag = resource_etag (resource);

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
      g_autofree char *location = resource_location (self, resource->type, resource->id);
      g_autofree char *etag = resource_etag (resource);

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
  GPtrArray *all = resources_of (self, type);
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
        candidate = g_hash_table_lookup (self->external_ids[type_index (type)], external_id);
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

  projection_parse (&projection, type,
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
        append_resource (self, body, g_ptr_array_index (source, i), &projection);
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
      !normalize_members (self, data, NULL, &error))
    {
      reply_gerror (msg, error);
      return;
    }
  if (apply_fail_users (self, msg, type, NULL, data))
    return;
  if (!check_unique (self, type, data, NULL, &error))
    {
      reply_gerror (msg, error);
      return;
    }

  resource = g_new0 (ScimResource, 1);
  resource->type = type;
  resource->id = g_uuid_string_random ();
  resource->data = data_with_id (data, resource->id);
  resource->created = g_get_real_time () / G_USEC_PER_SEC;
  touch (self, resource);
  g_hash_table_insert (self->resources, resource->id, resource);
  g_ptr_array_add (resources_of (self, type), resource);
  index_add (self, resource);

  projection_parse (&projection, type,
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

  projection_parse (&projection, type,
                    query ? g_hash_table_lookup (query, "attributes") : NULL,
                    query ? g_hash_table_lookup (query, "excludedAttributes") : NULL);

  if (g_str_equal (method, "GET"))
    {
      const char *if_none_match = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                                "If-None-Match");

      if (if_none_match != NULL && !self->field && etag_list_matches (if_none_match, resource))
        {
          g_autofree char *etag = resource_etag (resource);

          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag", etag);
          soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
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
          !normalize_members (self, data, resource->id, &error))
        {
          reply_gerror (msg, error);
          return;
        }
      if (apply_fail_users (self, msg, type, resource->data, data))
        return;
      if (!check_unique (self, type, data, resource, &error))
        {
          reply_gerror (msg, error);
          return;
        }
      commit (self, resource, data);
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
      copy = deep_copy_object (resource->data);
      data = json_node_get_object (copy);
      if (!_muster_fake_scim_patch_apply (type, data, body, leniency (self), &error) ||
          !normalize_members (self, data, resource->id, &error))
        {
          reply_gerror (msg, error);
          return;
        }
      if (apply_fail_users (self, msg, type, resource->data, data))
        return;
      if (!check_unique (self, type, data, resource, &error))
        {
          reply_gerror (msg, error);
          return;
        }
      /* a PATCH that changes nothing keeps the version, so ETags stay valid */
      original = json_node_init_object (json_node_alloc (), resource->data);
      if (!json_node_equal (copy, original))
        commit (self, resource, data);

      if (self->field)
        {
          /* many services answer every PATCH 204 with no body (RFC 7644 §3.5.2 allows it) */
          soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
          return;
        }
      if (type == &_muster_fake_scim_type_group && projection.include == NULL)
        {
          /* Entra expects 204 for group PATCH (entra-docs use-scim-to-provision-users-and-groups.md);
           * RFC 7644 §3.5.2 allows it. */
          g_autofree char *etag = resource_etag (resource);

          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag", etag);
          soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
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
      remove_resource (self, resource);
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

/* --- control API (/_fake/scim) ---------------------------------------------------------------- */

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
        append_node (out, entry->body);
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

static void
control_handler (MusterFakeContext *ctx,
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
      store_clear (self);
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

MusterFakeScim *
_muster_fake_scim_new (MusterFakeContext *ctx)
{
  MusterFakeScim *self = g_new0 (MusterFakeScim, 1);

  self->ctx = ctx;
  self->field = ctx->options.scim_mode == MUSTER_FAKE_SCIM_MODE_FIELD;
  self->resources = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) scim_resource_free);
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
  _muster_fake_context_add_handler (ctx, "/_fake/scim", control_handler, self);
  return self;
}

void
_muster_fake_scim_free (MusterFakeScim *self)
{
  if (self == NULL)
    return;
  store_clear (self);
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
