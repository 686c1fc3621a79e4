/* muster-fake-scim-patch.c: PATCH (RFC 7644 §3.5.2) as Microsoft's provisioning service sends it
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Operation names are "add", "replace" and "remove" as RFC 7644 §3.5.2 writes them: it gives no
 * case rule for them (§3.4.2.2 makes only filter operators case-insensitive), so strict mode
 * answers Entra's "Add"/"Replace"/"Remove" (Microsoft Learn, "Known issues and resolutions with
 * SCIM 2.0 protocol compliance") with 400 invalidSyntax; field mode (SCIM_LENIENT_OP_CASE) takes
 * any case. Values are type-checked as strictly as on POST: Entra's legacy
 * {"op":"Replace","path":"active","value":"False"} is 400 invalidValue, like SCIMMY answers it,
 * unless field mode (SCIM_LENIENT_BOOLEAN_STRINGS) reads the string as the boolean.
 * Paths take the forms Entra uses: "active", "name.givenName", "emails[type eq \"work\"].value",
 * "members", "members[value eq \"…\"]", "urn:…:enterprise:2.0:User:department", and no path with
 * an object value whose keys are themselves paths.
 */

#define G_LOG_DOMAIN "muster-fake-scim"

#include "config.h"

#include "muster-fake-scim-private.h"

typedef enum
{
  OP_ADD,
  OP_REPLACE,
  OP_REMOVE,
} PatchOp;

static gboolean apply_member_object (const ScimResourceType *type,
                                     JsonObject             *data,
                                     PatchOp                 op,
                                     const char             *prefix,
                                     JsonNode               *value,
                                     ScimLeniency            lenient,
                                     GError                **error);

static gboolean
elements_same (const ScimAttr *attr,
               JsonNode       *a,
               JsonNode       *b)
{
  /* a Group's members are the same member when they name the same resource */
  if (g_str_equal (attr->name, "members") && JSON_NODE_HOLDS_OBJECT (a) && JSON_NODE_HOLDS_OBJECT (b))
    return g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (a), "value", NULL),
                      json_object_get_string_member_with_default (json_node_get_object (b), "value", ""))
           == 0;
  return json_node_equal (a, b);
}

static gboolean
element_is_primary (JsonNode *element)
{
  return JSON_NODE_HOLDS_OBJECT (element) &&
         json_object_get_boolean_member_with_default (json_node_get_object (element), "primary", FALSE);
}

/* RFC 7643 §2.4: "primary" true appears at most once; the newest one wins. */
static void
clear_primary_except (JsonArray *array,
                      JsonNode  *keep)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (element != keep && element_is_primary (element))
        json_object_remove_member (json_node_get_object (element), "primary");
    }
}

static void
drop_if_empty (JsonObject     *container,
               const ScimAttr *attr)
{
  JsonNode *node = json_object_get_member (container, attr->name);

  if (node == NULL)
    return;
  if ((JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) == 0) ||
      (JSON_NODE_HOLDS_OBJECT (node) && json_object_get_size (json_node_get_object (node)) == 0))
    json_object_remove_member (container, attr->name);
}

static JsonArray *
get_array (JsonObject     *container,
           const ScimAttr *attr,
           gboolean        create)
{
  JsonNode *node = container ? json_object_get_member (container, attr->name) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    return json_node_get_array (node);
  if (!create)
    return NULL;
  json_object_set_array_member (container, attr->name, json_array_new ());
  return json_object_get_array_member (container, attr->name);
}

static void
add_elements (const ScimAttr *attr,
              JsonArray      *array,
              JsonNode       *values)
{
  JsonArray *new_values = json_node_get_array (values);

  for (guint i = 0; i < json_array_get_length (new_values); i++)
    {
      JsonNode *element = json_array_get_element (new_values, i);
      gboolean present = FALSE;

      for (guint j = 0; j < json_array_get_length (array) && !present; j++)
        present = elements_same (attr, json_array_get_element (array, j), element);
      if (present)
        continue;
      json_array_add_element (array, json_node_copy (element));
      if (element_is_primary (element))
        clear_primary_except (array, json_array_get_element (array, json_array_get_length (array) - 1));
    }
}

/* Merges the sub-attributes of @value (a validated complex value) into @target. */
static void
merge_object (JsonObject *target,
              JsonNode   *value)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, json_node_get_object (value));
  while (json_object_iter_next_ordered (&iter, &name, &member))
    json_object_set_member (target, name, json_node_copy (member));
}

static gboolean
apply_whole_attribute (const ScimAttr *attr,
                       JsonObject     *container,
                       PatchOp         op,
                       JsonNode       *value,
                       ScimLeniency    lenient,
                       GError        **error)
{
  g_autoptr(JsonNode) checked = NULL;

  if (op == OP_REMOVE)
    {
      JsonArray *array = get_array (container, attr, FALSE);

      if (container == NULL)
        return TRUE;
      /* Entra without aadOptscim062020 removes members with path "members" and the values to
       * remove; RFC 7644 §3.5.2.2 would remove them all, which loses data, so honour the values. */
      if (array != NULL && value != NULL && !JSON_NODE_HOLDS_NULL (value))
        {
          if (!_muster_fake_scim_validate_value (attr, value, FALSE, lenient, &checked, error))
            return FALSE;
          for (guint i = json_array_get_length (array); checked != NULL && i > 0; i--)
            {
              JsonArray *gone = json_node_get_array (checked);

              for (guint j = 0; j < json_array_get_length (gone); j++)
                if (elements_same (attr, json_array_get_element (array, i - 1), json_array_get_element (gone, j)))
                  {
                    json_array_remove_element (array, i - 1);
                    break;
                  }
            }
          drop_if_empty (container, attr);
          return TRUE;
        }
      json_object_remove_member (container, attr->name);
      return TRUE;
    }

  if (SCIM_ATTR_IS_MULTI (attr) && op == OP_ADD && value != NULL && !JSON_NODE_HOLDS_ARRAY (value))
    {
      /* one element given for a multi-valued attribute: add it */
      g_autoptr(JsonNode) wrapped = json_node_new (JSON_NODE_ARRAY);

      json_node_take_array (wrapped, json_array_new ());
      json_array_add_element (json_node_get_array (wrapped), json_node_copy (value));
      if (!_muster_fake_scim_validate_value (attr, wrapped, FALSE, lenient, &checked, error))
        return FALSE;
    }
  else if (!_muster_fake_scim_validate_value (attr, value, FALSE, lenient, &checked, error))
    return FALSE;

  if (checked == NULL)
    {
      /* null or []: RFC 7643 §2.5 treats it as unassigning the attribute */
      if (op == OP_REPLACE)
        json_object_remove_member (container, attr->name);
      return TRUE;
    }

  if (SCIM_ATTR_IS_MULTI (attr))
    {
      if (op == OP_REPLACE)
        json_object_remove_member (container, attr->name);
      add_elements (attr, get_array (container, attr, TRUE), checked);
      return TRUE;
    }

  if (attr->type == SCIM_TYPE_COMPLEX)
    {
      /* RFC 7644 §3.5.2.1/§3.5.2.3: sub-attributes not given are left unchanged */
      JsonNode *current = json_object_get_member (container, attr->name);

      if (current == NULL || !JSON_NODE_HOLDS_OBJECT (current))
        json_object_set_member (container, attr->name, g_steal_pointer (&checked));
      else
        merge_object (json_node_get_object (current), checked);
      return TRUE;
    }

  json_object_set_member (container, attr->name, g_steal_pointer (&checked));
  return TRUE;
}

static gboolean
apply_filtered (const ScimSchema *core,
                const ScimPath   *path,
                JsonObject       *container,
                PatchOp           op,
                JsonNode         *value,
                ScimLeniency      lenient,
                GError          **error)
{
  g_autoptr(JsonNode) checked = NULL;
  JsonArray *array = get_array (container, path->attr, FALSE);
  guint matched = 0;

  if (op != OP_REMOVE)
    {
      if (path->sub != NULL)
        {
          if (!_muster_fake_scim_validate_value (path->sub, value, FALSE, lenient, &checked, error))
            return FALSE;
        }
      else if (!_muster_fake_scim_validate_value (path->attr, value, TRUE, lenient, &checked, error))
        return FALSE;
      if (checked == NULL)
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_VALUE, "'%s' needs a value", path->attr->name);
          return FALSE;
        }
    }

  for (guint i = array ? json_array_get_length (array) : 0; i > 0; i--)
    {
      JsonNode *element = json_array_get_element (array, i - 1);
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          !_muster_fake_scim_filter_match (path->filter, core, json_node_get_object (element), NULL))
        continue;
      matched++;
      object = json_node_get_object (element);

      if (op == OP_REMOVE)
        {
          if (path->sub == NULL)
            json_array_remove_element (array, i - 1);
          else
            {
              json_object_remove_member (object, path->sub->name);
              if (json_object_get_size (object) == 0)
                json_array_remove_element (array, i - 1);
            }
        }
      else if (path->sub != NULL)
        json_object_set_member (object, path->sub->name, json_node_copy (checked));
      else if (op == OP_ADD)
        merge_object (object, checked);
      else
        {
          /* replace the element in place, keeping its position */
          GList *names = json_object_get_members (object);

          for (GList *l = names; l != NULL; l = l->next)
            {
              g_autofree char *member_name = g_strdup (l->data);

              json_object_remove_member (object, member_name);
            }
          g_list_free (names);
          merge_object (object, checked);
        }
    }

  if (matched == 0)
    {
      if (op == OP_ADD)
        {
          /* Entra adds emails[type eq "work"].value to a user without a work email: create the
           * element the filter describes. */
          g_autoptr(JsonObject) element = json_object_new ();

          if (!_muster_fake_scim_filter_fill (path->filter, element))
            {
              g_set_error (error, SCIM_ERROR, SCIM_ERROR_NO_TARGET,
                           "The filter of '%s' matches no value and cannot describe a new one", path->attr->name);
              return FALSE;
            }
          if (path->sub != NULL)
            json_object_set_member (element, path->sub->name, json_node_copy (checked));
          else
            merge_object (element, checked);
          json_array_add_element (get_array (container, path->attr, TRUE),
                                  json_node_init_object (json_node_alloc (), element));
          return TRUE;
        }
      /* RFC 7644 §3.12: "noTarget" when the path's filter yields no match */
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_NO_TARGET, "The filter of '%s' matches no value",
                   path->attr->name);
      return FALSE;
    }

  if (op != OP_REMOVE && path->sub != NULL && g_str_equal (path->sub->name, "primary") &&
      json_node_get_boolean (checked))
    {
      /* the last element set primary keeps it */
      JsonNode *keep = NULL;

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (element_is_primary (json_array_get_element (array, i)))
          keep = json_array_get_element (array, i);
      clear_primary_except (array, keep);
    }

  drop_if_empty (container, path->attr);
  return TRUE;
}

static gboolean
apply_sub (const ScimPath *path,
           JsonObject     *container,
           PatchOp         op,
           JsonNode       *value,
           ScimLeniency    lenient,
           GError        **error)
{
  g_autoptr(JsonNode) checked = NULL;
  JsonNode *node = container ? json_object_get_member (container, path->attr->name) : NULL;

  if (op != OP_REMOVE)
    {
      if (!_muster_fake_scim_validate_value (path->sub, value, FALSE, lenient, &checked, error))
        return FALSE;
      if (checked == NULL)
        op = OP_REMOVE;
    }

  if (SCIM_ATTR_IS_MULTI (path->attr))
    {
      /* "emails.type" without a filter: every element (RFC 7644 §3.5.2.3) */
      JsonArray *array = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

      if (array == NULL || json_array_get_length (array) == 0)
        {
          if (op == OP_REMOVE)
            return TRUE;
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_NO_TARGET, "'%s' has no values", path->attr->name);
          return FALSE;
        }
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonObject *element = json_array_get_object_element (array, i);

          if (op == OP_REMOVE)
            json_object_remove_member (element, path->sub->name);
          else
            json_object_set_member (element, path->sub->name, json_node_copy (checked));
        }
      return TRUE;
    }

  if (op == OP_REMOVE)
    {
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        {
          json_object_remove_member (json_node_get_object (node), path->sub->name);
          drop_if_empty (container, path->attr);
        }
      return TRUE;
    }

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      json_object_set_object_member (container, path->attr->name, json_object_new ());
      node = json_object_get_member (container, path->attr->name);
    }
  json_object_set_member (json_node_get_object (node), path->sub->name, g_steal_pointer (&checked));
  return TRUE;
}

static gboolean
apply_path (const ScimResourceType *type,
            JsonObject             *data,
            PatchOp                 op,
            const char             *path_text,
            JsonNode               *value,
            ScimLeniency            lenient,
            GError                **error)
{
  ScimPath path;
  JsonObject *container;
  gboolean ok;

  if (!_muster_fake_scim_path_parse (type, path_text, &path, error))
    return FALSE;

  if (path.attr == NULL)
    {
      /* the extension URN by itself */
      if (op == OP_REMOVE)
        {
          json_object_remove_member (data, path.schema->id);
          return TRUE;
        }
      return apply_member_object (type, data, op, path.schema->id, value, lenient, error);
    }

  if (path.attr->mutability == SCIM_MUTABILITY_READ_ONLY ||
      (path.sub != NULL && path.sub->mutability == SCIM_MUTABILITY_READ_ONLY) ||
      (path.sub != NULL && path.sub->mutability == SCIM_MUTABILITY_IMMUTABLE && path.filter != NULL))
    {
      /* "id" equal to the resource's own: Entra repeats it in no-path replaces */
      if (path.attr == &_muster_fake_scim_attr_id && op == OP_REPLACE && value != NULL &&
          JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING &&
          g_strcmp0 (json_node_get_string (value), json_object_get_string_member (data, "id")) == 0)
        {
          _muster_fake_scim_path_clear (&path);
          return TRUE;
        }
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_MUTABILITY, "'%s' cannot be modified", path_text);
      _muster_fake_scim_path_clear (&path);
      return FALSE;
    }

  container = _muster_fake_scim_data_container (data, path.schema, type->schema, op != OP_REMOVE);

  if (path.filter != NULL)
    {
      if (container == NULL)
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_NO_TARGET, "The filter of '%s' matches no value", path_text);
          ok = FALSE;
        }
      else
        ok = apply_filtered (type->schema, &path, container, op, value, lenient, error);
    }
  else if (path.sub != NULL)
    ok = apply_sub (&path, container, op, value, lenient, error);
  else
    ok = apply_whole_attribute (path.attr, container, op, value, lenient, error);

  if (ok && container != NULL && container != data && json_object_get_size (container) == 0)
    json_object_remove_member (data, path.schema->id);

  _muster_fake_scim_path_clear (&path);
  return ok;
}

/* add/replace without a path, or of a whole extension: each member is a path of its own. */
static gboolean
apply_member_object (const ScimResourceType *type,
                     JsonObject             *data,
                     PatchOp                 op,
                     const char             *prefix,
                     JsonNode               *value,
                     ScimLeniency            lenient,
                     GError                **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (value == NULL || !JSON_NODE_HOLDS_OBJECT (value))
    {
      g_set_error_literal (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX,
                           "An operation without a path needs an object value");
      return FALSE;
    }

  json_object_iter_init_ordered (&iter, json_node_get_object (value));
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      g_autofree char *path = NULL;

      if (prefix == NULL && (g_ascii_strcasecmp (name, "schemas") == 0 || g_ascii_strcasecmp (name, "meta") == 0))
        continue;
      path = prefix ? g_strconcat (prefix, ":", name, NULL) : g_strdup (name);
      if (!apply_path (type, data, op, path, member, lenient, error))
        return FALSE;
    }
  return TRUE;
}

static JsonNode *
member_ci (JsonObject *object,
           const char *name)
{
  JsonObjectIter iter;
  const char *member_name;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &member_name, &member))
    if (g_ascii_strcasecmp (member_name, name) == 0)
      return member;
  return NULL;
}

/* RFC 7644 §3.5.2 names the values "add", "remove" and "replace" and, unlike the filter
 * operators of §3.4.2.2, says nothing of their case: strict mode takes them as written. */
static gboolean
op_name_is (const char   *op_name,
            const char   *name,
            ScimLeniency  lenient)
{
  if ((lenient & SCIM_LENIENT_OP_CASE) != 0)
    return g_ascii_strcasecmp (op_name, name) == 0;
  return g_str_equal (op_name, name);
}

gboolean
_muster_fake_scim_patch_apply (const ScimResourceType *type,
                               JsonObject             *data,
                               JsonNode               *body,
                               ScimLeniency            lenient,
                               GError                **error)
{
  JsonObject *object;
  JsonNode *schemas;
  JsonNode *operations;
  JsonArray *ops;
  gboolean is_patch_op = FALSE;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    {
      g_set_error_literal (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX, "The request body must be a JSON object");
      return FALSE;
    }
  object = json_node_get_object (body);

  schemas = member_ci (object, "schemas");
  if (schemas != NULL && JSON_NODE_HOLDS_ARRAY (schemas))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (schemas)); i++)
      {
        JsonNode *urn = json_array_get_element (json_node_get_array (schemas), i);

        if (JSON_NODE_HOLDS_VALUE (urn) && json_node_get_value_type (urn) == G_TYPE_STRING &&
            g_ascii_strcasecmp (json_node_get_string (urn), SCIM_URN_PATCH_OP) == 0)
          is_patch_op = TRUE;
      }
  if (!is_patch_op)
    {
      g_set_error_literal (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX,
                           "'schemas' must be [\"" SCIM_URN_PATCH_OP "\"]");
      return FALSE;
    }

  operations = member_ci (object, "Operations");
  if (operations == NULL || !JSON_NODE_HOLDS_ARRAY (operations) ||
      json_array_get_length (json_node_get_array (operations)) == 0)
    {
      g_set_error_literal (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX,
                           "'Operations' must be a non-empty array");
      return FALSE;
    }
  ops = json_node_get_array (operations);

  for (guint i = 0; i < json_array_get_length (ops); i++)
    {
      JsonNode *operation = json_array_get_element (ops, i);
      JsonObject *op_object;
      JsonNode *op_node, *path_node, *value;
      const char *op_name;
      PatchOp op;

      if (!JSON_NODE_HOLDS_OBJECT (operation))
        {
          g_set_error_literal (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX, "Each operation must be an object");
          return FALSE;
        }
      op_object = json_node_get_object (operation);
      op_node = member_ci (op_object, "op");
      path_node = member_ci (op_object, "path");
      value = member_ci (op_object, "value");

      op_name = op_node && JSON_NODE_HOLDS_VALUE (op_node) && json_node_get_value_type (op_node) == G_TYPE_STRING
        ? json_node_get_string (op_node) : "";
      if (op_name_is (op_name, "add", lenient))
        op = OP_ADD;
      else if (op_name_is (op_name, "replace", lenient))
        op = OP_REPLACE;
      else if (op_name_is (op_name, "remove", lenient))
        op = OP_REMOVE;
      else
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX,
                       "Operation %u: 'op' must be \"add\", \"replace\" or \"remove\", not \"%s\"", i + 1, op_name);
          return FALSE;
        }

      if (path_node != NULL && !JSON_NODE_HOLDS_NULL (path_node))
        {
          if (!JSON_NODE_HOLDS_VALUE (path_node) || json_node_get_value_type (path_node) != G_TYPE_STRING)
            {
              g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_PATH, "Operation %u: 'path' must be a string", i + 1);
              return FALSE;
            }
          if (op != OP_REMOVE && value == NULL)
            {
              g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX, "Operation %u needs a 'value'", i + 1);
              return FALSE;
            }
          if (!apply_path (type, data, op, json_node_get_string (path_node), value, lenient, error))
            return FALSE;
        }
      else if (op == OP_REMOVE)
        {
          /* RFC 7644 §3.5.2.2 */
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_NO_TARGET, "Operation %u: remove needs a 'path'", i + 1);
          return FALSE;
        }
      else if (!apply_member_object (type, data, op, NULL, value, lenient, error))
        return FALSE;
    }

  return _muster_fake_scim_check_required (type, data, error);
}
