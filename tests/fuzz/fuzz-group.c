/* fuzz-group.c: Graph's group JSON into a MusterGroup
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Properties: string columns come back byte for byte, the kind is the one
 * learn.microsoft.com/graph/api/resources/groups-overview tabulates for the group's
 * groupTypes/mailEnabled/securityEnabled, and its name round-trips.
 */

#include "config.h"

#include "fuzz-graph-objects.h"
#include "muster-group-private.h"

static gboolean
has_type (MusterGroup *group,
          const char  *type)
{
  const char * const *types = muster_group_get_group_types (group);

  for (guint i = 0; types[i] != NULL; i++)
    if (g_ascii_strcasecmp (types[i], type) == 0)
      return TRUE;
  return FALSE;
}

static void
check_group (JsonObject  *object,
             MusterGroup *group)
{
  MusterGroupKind kind = muster_group_get_kind (group);
  MusterGroupKind back;

  fuzz_assert_string_member (object, "id", muster_group_get_id (group));
  fuzz_assert_string_member (object, "displayName", muster_group_get_display_name (group));
  fuzz_assert_string_member (object, "description", muster_group_get_description (group));
  fuzz_assert_string_member (object, "mail", muster_group_get_mail (group));
  fuzz_assert_string_member (object, "membershipRule", muster_group_get_membership_rule (group));

  g_assert_cmpint (kind, ==, muster_group_kind_from_graph (has_type (group, "Unified"),
                                                           muster_group_get_mail_enabled (group),
                                                           muster_group_get_security_enabled (group)));
  g_assert_cmpint (muster_group_get_dynamic (group), ==, has_type (group, "DynamicMembership"));
  g_assert_true (muster_group_kind_from_string (muster_group_kind_to_string (kind), &back));
  g_assert_cmpint (back, ==, kind);
  g_assert_nonnull (muster_group_kind_get_title (kind));

  _muster_group_set_member_counts (group, G_MAXUINT, G_MAXUINT);
  g_assert_cmpuint (muster_group_get_member_count (group), ==, G_MAXUINT);
  fuzz_read_properties (G_OBJECT (group));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) objects = NULL;

  fuzz_init ();

  bytes = g_bytes_new_static (data, size);
  root = muster_http_parse_json (bytes, "fuzz", NULL);
  objects = fuzz_graph_objects (root);
  for (guint i = 0; i < objects->len; i++)
    {
      JsonObject *object = g_ptr_array_index (objects, i);
      g_autoptr(MusterGroup) group = muster_group_new_from_json (object);

      g_assert_true (MUSTER_IS_GROUP (group));
      check_group (object, group);
    }
  return 0;
}
