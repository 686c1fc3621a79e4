/* fuzz-users-page.c: the bulk reader of Graph users pages (cJSON) against json-glib's reading
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The readers live in muster-directory-page.c, declared in muster-directory-page-private.h.
 *
 * Properties: whenever the bulk reader (cJSON) takes a page, json-glib reads the same page, finds
 * the same @odata.nextLink and makes the same users, column for column, in the same order; the
 * fetcher's reading of the page (bulk, or json-glib when the bulk reader declines) ends in
 * users or in Graph's "invalid response" error, never anything else.
 */

#include "config.h"

#include <string.h>

#include "muster-directory-page-private.h"
#include "muster-graph-client.h"
#include "muster-http.h"
#include "muster-json.h"

#include "describe-user.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(MusterFetchChanges) fast = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  MusterFetchChanges *changes;
  JsonArray *values;
  guint n = 0;

  fuzz_init ();
  bytes = g_bytes_new_static (data, size);

  changes = _muster_directory_page_read (bytes, MUSTER_FETCH_CHAIN_USERS, &error);
  g_assert_true ((changes == NULL) == (error != NULL));
  if (changes == NULL)
    g_assert_true (g_error_matches (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE));
  g_clear_pointer (&changes, _muster_fetch_changes_free);
  g_clear_error (&error);

  fast = _muster_directory_page_read_users_fast (bytes);
  if (fast == NULL)
    return 0;

  root = muster_http_parse_json (bytes, "fuzz", &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  values = muster_json_get_array (json_node_get_object (root), "value");
  g_assert_nonnull (values);
  g_assert_cmpstr (fast->next_link, ==, muster_json_get_string (json_node_get_object (root), "@odata.nextLink"));
  for (guint i = 0; i < json_array_get_length (values); i++)
    {
      JsonNode *node = json_array_get_element (values, i);
      g_autoptr(MusterUser) user = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *got = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node) || _muster_directory_page_get_id (json_node_get_object (node)) == NULL)
        continue;
      g_assert_cmpuint (n, <, fast->users->len);
      user = muster_user_new_from_json (json_node_get_object (node));
      expected = describe_user (user);
      got = describe_user (fast->users->pdata[n++]);
      g_assert_cmpstr (got, ==, expected);
    }
  g_assert_cmpuint (n, ==, fast->users->len);
  return 0;
}
