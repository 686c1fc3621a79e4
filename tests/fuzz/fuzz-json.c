/* fuzz-json.c: muster_http_parse_json() and the muster_json_get_*() readers on any JSON
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every object in the document is read through every member name it has (and names it lacks),
 * with each reader. Properties: a reader answers NULL or the fallback for a member of another
 * type, and exactly the member's value for its own type.
 */

#include "config.h"

#include "fuzz-common.h"
#include "muster-http.h"

static void walk_node (JsonNode *node);

static void
check_member (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  gboolean is_value = node != NULL && JSON_NODE_HOLDS_VALUE (node);
  GType type = is_value ? json_node_get_value_type (node) : G_TYPE_INVALID;
  const char *string = muster_json_get_string (object, name);
  gint64 number = muster_json_get_int (object, name, -7);
  JsonArray *array = muster_json_get_array (object, name);
  JsonObject *inner = muster_json_get_object (object, name);

  if (type == G_TYPE_STRING)
    g_assert_true (string == json_node_get_string (node));
  else
    g_assert_null (string);
  if (type == G_TYPE_INT64)
    g_assert_cmpint (number, ==, json_node_get_int (node));
  else if (type == G_TYPE_BOOLEAN || !is_value)
    g_assert_cmpint (number, ==, -7);
  g_assert_true (array == (node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL));
  g_assert_true (inner == (node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL));
}

static void
walk_object (JsonObject *object)
{
  g_autoptr(GList) members = json_object_get_members (object);
  static const char * const usual[] = {
    "access_token", "id", "value", "@odata.nextLink", "status", "expires_in", "",
  };

  for (GList *l = members; l != NULL; l = l->next)
    {
      check_member (object, l->data);
      walk_node (json_object_get_member (object, l->data));
    }
  for (guint i = 0; i < G_N_ELEMENTS (usual); i++)
    check_member (object, usual[i]);
}

static void
walk_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    walk_object (json_node_get_object (node));
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        walk_node (json_array_get_element (array, i));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_init ();

  bytes = g_bytes_new_static (data, size);
  root = muster_http_parse_json (bytes, "fuzz", &error);
  g_assert_true ((root == NULL) == (error != NULL));
  if (root == NULL)
    {
      g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
      return 0;
    }
  walk_node (root);
  /* NULL objects are tolerated too */
  g_assert_null (muster_json_get_string (NULL, "id"));
  g_assert_cmpint (muster_json_get_int (NULL, "id", 3), ==, 3);
  return 0;
}
