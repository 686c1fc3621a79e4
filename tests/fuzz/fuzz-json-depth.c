/* fuzz-json-depth.c: muster_json_check_depth(), the guard in front of every outside JSON
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Properties: on any bytes the scan ends (no crash, no unbounded work); a depth that passes at
 * one limit passes at every higher one; whatever passes MUSTER_JSON_MAX_DEPTH is safe to hand to
 * json-glib; for a document json-glib reads, the scan never counts less than the depth of the
 * tree it builds, and on json-glib's own text of that tree it counts exactly that depth.
 * muster_http_parse_json() refuses what the scan refuses.
 */

#include "config.h"

#include <gio/gio.h>

#include "fuzz-common.h"
#include "muster-http.h"
#include "muster-json.h"

static guint
tree_depth (JsonNode *node)
{
  guint deepest = 0;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          guint depth = tree_depth (json_array_get_element (array, i));

          deepest = MAX (deepest, depth);
        }
      return deepest + 1;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        {
          guint depth = tree_depth (member);

          deepest = MAX (deepest, depth);
        }
      return deepest + 1;
    }
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gboolean shallow;

  fuzz_init ();

  if (size == 0)
    text = "";
  shallow = muster_json_check_depth (text, size, MUSTER_JSON_MAX_DEPTH, &error);
  g_assert_true (shallow == (error == NULL));
  if (!shallow)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  /* monotonic in the limit */
  if (shallow)
    g_assert_true (muster_json_check_depth (text, size, MUSTER_JSON_MAX_DEPTH + 1, NULL));
  else
    g_assert_false (muster_json_check_depth (text, size, MUSTER_JSON_MAX_DEPTH - 1, NULL));

  bytes = g_bytes_new_static (text, size);
  node = muster_http_parse_json (bytes, "fuzz", &error);
  if (!shallow)
    {
      g_assert_null (node);
      g_assert_true (strstr (error->message, "levels deep") != NULL || strstr (error->message, "not JSON") != NULL);
      return 0;
    }
  if (node != NULL)
    {
      guint depth = tree_depth (node);

      /* the text nests at least as deep as the tree: json-glib keeps only the last of
       * duplicate members, so a dropped one may have nested deeper (the scan counts the text,
       * which is what the parser recurses over) */
      g_assert_cmpuint (depth, <=, MUSTER_JSON_MAX_DEPTH);
      if (depth > 0)
        g_assert_false (muster_json_check_depth (text, size, depth - 1, NULL));
      /* and json-glib's own text of that tree (no duplicates; every string escaped its way)
       * scans to exactly the tree's depth */
      {
        g_autofree char *again = json_to_string (node, FALSE);

        g_assert_true (muster_json_check_depth (again, -1, depth, NULL));
        if (depth > 0)
          g_assert_false (muster_json_check_depth (again, -1, depth - 1, NULL));
      }
    }
  return 0;
}
