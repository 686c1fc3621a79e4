/* fuzz-scim.c: what a SCIM service answers — list, resource, error and discovery bodies, Location
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: a status byte (an index into the statuses below), then the body. The body is read the
 * way MusterScimTarget reads every answer (RFC 7644 §3.4.2 ListResponse, §3.12 errors, RFC 7643
 * §5–§7 discovery): as an error, as a list of users and of groups, as one resource, and as
 * ServiceProviderConfig, ResourceTypes and Schemas. The body also serves as the Location and ETag
 * headers. Properties: an answer that is not 2xx becomes a MUSTER_TARGET_ERROR with a UTF-8
 * message; users read back have sorted unique non-empty roles and non-empty UTF-8 attributes, and
 * a user is never different from itself or from what Muster would send for it when read back;
 * endpoints found by discovery stay relative to the service root; an id taken from a Location is
 * NULL or non-empty.
 */

#include "config.h"

#include "fuzz-common.h"
#include "muster-http.h"
#include "muster-scim-client.h"
#include "muster-scim-private.h"
#include "muster-target.h"

static const guint statuses[] = { 200, 201, 204, 400, 401, 403, 404, 409, 412, 429, 500, 501, 503, 302 };

static void
check_user (const MusterTargetUser *user)
{
  const char * const *names = muster_target_attribute_names ();
  g_autoptr(GPtrArray) same = NULL;

  g_assert_nonnull (user->roles);
  for (guint i = 0; user->roles[i] != NULL; i++)
    {
      g_assert_cmpstr (user->roles[i], !=, "");
      if (i > 0)
        g_assert_cmpint (strcmp (user->roles[i - 1], user->roles[i]), <, 0);
    }
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *value = muster_target_user_get_attribute (user, names[i]);

      if (value != NULL)
        {
          g_assert_cmpstr (value, !=, "");
          g_assert_true (g_utf8_validate (value, -1, NULL));
        }
    }
  same = _muster_scim_diff_users (user, muster_target_user_get_attribute (user, MUSTER_ATTR_MANAGER), user);
  g_assert_cmpuint (same->len, ==, 0);
}

/* What Muster sends for @user to a service that takes every attribute, read back, is @user. */
static void
check_round_trip (const MusterScimDiscovery *everything,
                  const MusterTargetUser    *user)
{
  g_autoptr(JsonNode) sent = NULL;
  g_autoptr(MusterTargetUser) back = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  const char *manager = muster_target_user_get_attribute (user, MUSTER_ATTR_MANAGER);

  if (user->user_name == NULL)
    return;
  sent = _muster_scim_user_to_json (everything, user, manager);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (sent));
  back = _muster_scim_user_from_json (json_node_get_object (sent), NULL);
  changes = _muster_scim_diff_users (user, manager, back);
  for (guint i = 0; i < changes->len; i++)
    g_printerr ("round trip changed %s\n", ((MusterFieldChange *) g_ptr_array_index (changes, i))->field);
  g_assert_cmpuint (changes->len, ==, 0);
}

static void
read_resources (const MusterScimDiscovery *everything,
                const MusterScimResponse  *response)
{
  JsonArray *resources = _muster_scim_resources_of (muster_scim_response_get_json (response));

  for (guint i = 0; resources != NULL && i < json_array_get_length (resources); i++)
    {
      JsonNode *node = json_array_get_element (resources, i);
      g_autoptr(MusterTargetUser) user = NULL;
      g_autoptr(MusterTargetGroup) group = NULL;
      const char *version;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      user = _muster_scim_user_from_json (json_node_get_object (node), response);
      check_user (user);
      check_round_trip (everything, user);
      group = _muster_scim_group_from_json (json_node_get_object (node));
      g_assert_nonnull (group->members);
      version = _muster_scim_resource_version (json_node_get_object (node), response);
      g_assert_true (version == NULL || version == response->etag ||
                     g_utf8_validate (version, -1, NULL));
    }
}

static void
check_endpoint (const char *endpoint)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *url = g_strconcat ("https://scim.example.com/scim/v2", endpoint, NULL);

  g_assert_nonnull (endpoint);
  g_assert_true (endpoint[0] == '/');
  /* what the client asks for stays on the service's host */
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri != NULL)
    g_assert_cmpstr (g_uri_get_host (uri), ==, "scim.example.com");
}

static void
discover (const MusterScimResponse *response)
{
  MusterScimDiscovery d = { 0 };
  JsonArray *resources = _muster_scim_resources_of (muster_scim_response_get_json (response));
  const char * const *names = muster_target_attribute_names ();

  if (muster_scim_response_get_object (response) != NULL)
    _muster_scim_discovery_read_config (&d, muster_scim_response_get_object (response));
  if (resources != NULL)
    {
      _muster_scim_discovery_read_resource_types (&d, resources);
      _muster_scim_discovery_read_schemas (&d, resources);
    }
  _muster_scim_discovery_finish (&d);
  g_assert_true (d.done);
  check_endpoint (d.users_endpoint);
  check_endpoint (d.groups_endpoint);
  for (guint i = 0; names[i] != NULL; i++)
    _muster_scim_can_send (&d, names[i]);
  _muster_scim_can_send (&d, MUSTER_FIELD_ROLES);
  _muster_scim_can_send (&d, MUSTER_FIELD_USER_TYPE);
  _muster_scim_discovery_clear (&d);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  MusterScimResponse response = { 0 };
  MusterScimDiscovery everything = { 0 };
  g_autofree char *text = NULL;
  g_autofree char *id = NULL;
  const char *scim_type;

  fuzz_init ();
  if (size < 1)
    return 0;

  response.status = statuses[data[0] % G_N_ELEMENTS (statuses)];
  response.body = g_bytes_new (data + 1, size - 1);
  text = fuzz_dup_string (data + 1, size - 1);
  response.etag = g_utf8_validate (text, -1, NULL) ? g_strdup (text) : NULL;
  response.location = g_strdup (text);

  /* a service with every attribute and no schema list: everything may be sent */
  everything.patch = everything.etags = everything.groups = everything.enterprise = TRUE;
  everything.roles = everything.user_type = everything.done = TRUE;

  scim_type = muster_scim_response_get_scim_type (&response);
  g_assert_true (scim_type == NULL || g_utf8_validate (scim_type, -1, NULL));
  if (response.status < 200 || response.status >= 300)
    {
      g_autoptr(GError) error = muster_scim_response_to_error (&response, "creating ada@example.com");

      g_assert_error (error, MUSTER_TARGET_ERROR, error->code);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpstr (error->message, !=, "");
    }

  read_resources (&everything, &response);
  if (muster_scim_response_get_object (&response) != NULL)
    {
      g_autoptr(MusterTargetUser) user = _muster_scim_user_from_json (muster_scim_response_get_object (&response),
                                                                      &response);
      g_autoptr(MusterTargetGroup) group = _muster_scim_group_from_json (muster_scim_response_get_object (&response));

      check_user (user);
      check_round_trip (&everything, user);
      g_assert_nonnull (group->members);
    }
  discover (&response);

  id = _muster_scim_id_from_location (response.location);
  g_assert_true (id == NULL || *id != '\0');

  g_free (response.etag);
  g_free (response.location);
  g_bytes_unref (response.body);
  g_clear_pointer (&response.json, json_node_unref);
  return 0;
}
