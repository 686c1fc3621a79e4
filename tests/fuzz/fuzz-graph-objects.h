/* fuzz-graph-objects.h: finding the Graph objects in a fuzzed JSON document
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fuzz-common.h"
#include "muster-http.h"

G_BEGIN_DECLS

/* The objects a Graph answer may hold: the root object itself, and the objects of a root array
 * or of the root's "value" list (a page). Borrowed from @root. */
static inline GPtrArray *
fuzz_graph_objects (JsonNode *root)
{
  GPtrArray *objects = g_ptr_array_new ();
  JsonArray *array = NULL;

  if (root == NULL)
    return objects;
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      g_ptr_array_add (objects, json_node_get_object (root));
      array = muster_json_get_array (json_node_get_object (root), "value");
    }
  else if (JSON_NODE_HOLDS_ARRAY (root))
    array = json_node_get_array (root);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (element))
        g_ptr_array_add (objects, json_node_get_object (element));
    }
  return objects;
}

/* Every readable property of @object, read once (what a column view's bindings do). */
static inline void
fuzz_read_properties (GObject *object)
{
  guint n_specs = 0;
  g_autofree GParamSpec **specs = g_object_class_list_properties (G_OBJECT_GET_CLASS (object), &n_specs);

  for (guint i = 0; i < n_specs; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      if ((specs[i]->flags & G_PARAM_READABLE) == 0)
        continue;
      g_value_init (&value, specs[i]->value_type);
      g_object_get_property (object, specs[i]->name, &value);
    }
}

/* A string member as Graph's reader must keep it: byte for byte, or NULL for another type. */
static inline void
fuzz_assert_string_member (JsonObject *object,
                           const char *member,
                           const char *kept)
{
  g_assert_cmpstr (kept, ==, muster_json_get_string (object, member));
}

G_END_DECLS
