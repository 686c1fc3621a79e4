/* muster-fake-scim-resources.c: the fake SCIM service provider's resources: the store and its JSON
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Users and Groups as muster-fake-scim.c's endpoints keep them: one store with indexes on
 * userName (casefolded), externalId (per resource type) and group membership, and the JSON a
 * resource is written as (RFC 7643 §3 common attributes, §4 User and Group, §3.1 meta), with the
 * attribute projection of RFC 7644 §3.9. Nothing here speaks HTTP.
 */

#define G_LOG_DOMAIN "muster-fake-scim"

#include "config.h"

#include "muster-fake-http.h"
#include "muster-fake-scim-resources-private.h"

void
_muster_fake_scim_resource_free (ScimResource *resource)
{
  g_free (resource->id);
  g_clear_pointer (&resource->data, json_object_unref);
  g_free (resource);
}

void
_muster_fake_scim_projection_clear (Projection *projection)
{
  g_clear_pointer (&projection->include, g_ptr_array_unref);
  g_clear_pointer (&projection->exclude, g_ptr_array_unref);
}

guint
_muster_fake_scim_type_index (const ScimResourceType *type)
{
  return type == &_muster_fake_scim_type_user ? 0 : 1;
}

GPtrArray *
_muster_fake_scim_resources_of (MusterFakeScim         *self,
                                const ScimResourceType *type)
{
  return type == &_muster_fake_scim_type_user ? self->users : self->groups;
}

/* --- output ----------------------------------------------------------------------------------- */

char *
_muster_fake_scim_resource_location (MusterFakeScim         *self,
                                     const ScimResourceType *type,
                                     const char             *id)
{
  return g_strconcat (self->ctx->base_url, SCIM_PREFIX, type->endpoint, "/", id, NULL);
}

char *
_muster_fake_scim_resource_etag (ScimResource *resource)
{
  return g_strdup_printf ("W/\"%" G_GUINT64_FORMAT "\"", resource->version);
}

gboolean
_muster_fake_scim_projection_parse (Projection             *projection,
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

void
_muster_fake_scim_append_node (GString  *out,
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
      _muster_fake_scim_append_node (out, member);
    }
  if (target != NULL)
    {
      g_autofree char *location = _muster_fake_scim_resource_location (self, target->type, target->id);

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
    _muster_fake_scim_append_node (out, value);
}

void
_muster_fake_scim_append_resource (MusterFakeScim   *self,
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
              location = _muster_fake_scim_resource_location (self, group->type, group->id);
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
      g_autofree char *location = _muster_fake_scim_resource_location (self, type, resource->id);
      g_autofree char *etag = _muster_fake_scim_resource_etag (resource);

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
      g_hash_table_lookup (self->external_ids[_muster_fake_scim_type_index (resource->type)], external_id) == resource)
    g_hash_table_remove (self->external_ids[_muster_fake_scim_type_index (resource->type)], external_id);

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
    g_hash_table_replace (self->external_ids[_muster_fake_scim_type_index (resource->type)], g_strdup (external_id), resource);

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
gboolean
_muster_fake_scim_check_unique (MusterFakeScim         *self,
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
      other = g_hash_table_lookup (self->external_ids[_muster_fake_scim_type_index (type)], external_id);
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
gboolean
_muster_fake_scim_normalize_members (MusterFakeScim *self,
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
JsonNode *
_muster_fake_scim_deep_copy_object (JsonObject *object)
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
void
_muster_fake_scim_commit (MusterFakeScim *self,
                          ScimResource   *resource,
                          JsonObject     *data)
{
  index_remove (self, resource);
  g_clear_pointer (&resource->data, json_object_unref);
  resource->data = data_with_id (data, resource->id);
  index_add (self, resource);
  touch (self, resource);
}

void
_muster_fake_scim_remove_resource (MusterFakeScim *self,
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
          copy = _muster_fake_scim_deep_copy_object (group->data);
          data = json_node_get_object (copy);
          members = json_object_get_array_member (data, "members");
          for (guint j = json_array_get_length (members); j > 0; j--)
            if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (members, j - 1), "value"),
                           resource->id) == 0)
              json_array_remove_element (members, j - 1);
          if (json_array_get_length (members) == 0)
            json_object_remove_member (data, "members");
          _muster_fake_scim_commit (self, group, data);
        }
    }

  index_remove (self, resource);
  g_hash_table_remove (self->member_of, resource->id);
  g_ptr_array_remove (_muster_fake_scim_resources_of (self, resource->type), resource);
  g_hash_table_remove (self->resources, resource->id);
}

/* A new resource of @type holding a copy of @data (already validated and unique). */
ScimResource *
_muster_fake_scim_store_add (MusterFakeScim         *self,
                             const ScimResourceType *type,
                             JsonObject             *data)
{
  ScimResource *resource;

  resource = g_new0 (ScimResource, 1);
  resource->type = type;
  resource->id = g_uuid_string_random ();
  resource->data = data_with_id (data, resource->id);
  resource->created = g_get_real_time () / G_USEC_PER_SEC;
  touch (self, resource);
  g_hash_table_insert (self->resources, resource->id, resource);
  g_ptr_array_add (_muster_fake_scim_resources_of (self, type), resource);
  index_add (self, resource);
  return resource;
}

void
_muster_fake_scim_store_clear (MusterFakeScim *self)
{
  g_ptr_array_set_size (self->users, 0);
  g_ptr_array_set_size (self->groups, 0);
  g_hash_table_remove_all (self->user_names);
  g_hash_table_remove_all (self->external_ids[0]);
  g_hash_table_remove_all (self->external_ids[1]);
  g_hash_table_remove_all (self->member_of);
  g_hash_table_remove_all (self->resources);
}
