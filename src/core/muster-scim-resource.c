/* muster-scim-resource.c: Muster's users and groups as SCIM resources, and what a service says
 * it supports (RFC 7643)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * MUSTER_ATTR_* map to SCIM paths as muster-target.h says: name.givenName, name.familyName,
 * emails[type eq "work"].value, title, phoneNumbers[type eq "mobile"].value,
 * addresses[type eq "work"].formatted, and the enterprise extension's department,
 * employeeNumber and manager (RFC 7643 §4.1, §4.3). Only what discovery found is sent.
 */

#define G_LOG_DOMAIN "muster-scim-target"

#include "config.h"

#include <string.h>

#include "muster-json.h"
#include "muster-scim-private.h"

void
_muster_scim_discovery_clear (MusterScimDiscovery *discovery)
{
  g_clear_pointer (&discovery->user_attributes, g_hash_table_unref);
  g_clear_pointer (&discovery->enterprise_attributes, g_hash_table_unref);
  g_clear_pointer (&discovery->users_endpoint, g_free);
  g_clear_pointer (&discovery->groups_endpoint, g_free);
  memset (discovery, 0, sizeof *discovery);
}

/* --- small JSON helpers ----------------------------------------------------------------------- */

JsonArray *
_muster_scim_resources_of (JsonNode *node)
{
  /* a ListResponse (RFC 7644 §3.4.2), or a bare array as some services send for discovery */
  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_node_get_array (node);
  if (JSON_NODE_HOLDS_OBJECT (node))
    return muster_json_get_array (json_node_get_object (node), "Resources");
  return NULL;
}

static gboolean
json_get_bool (JsonObject *object,
               const char *member,
               gboolean    fallback)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  /* Entra's old "False", which some services echo back */
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);

      if (g_ascii_strcasecmp (text, "true") == 0)
        return TRUE;
      if (g_ascii_strcasecmp (text, "false") == 0)
        return FALSE;
    }
  return fallback;
}

static gboolean
attribute_known (GHashTable *names,
                 const char *name)
{
  g_autofree char *key = NULL;

  if (names == NULL)
    return TRUE;
  key = g_utf8_casefold (name, -1);
  return g_hash_table_contains (names, key);
}

/* "/Users/<id>" with the id escaped for a path segment */
char *
_muster_scim_resource_path (const char *endpoint,
                            const char *id)
{
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);

  return g_strconcat (endpoint, "/", escaped, NULL);
}

/* "/Users?filter=…" for attribute eq value (RFC 7644 §3.4.2.2) */
char *
_muster_scim_filter_path (const char *endpoint,
                          const char *attribute,
                          const char *value)
{
  g_autofree char *quoted = muster_scim_quote (value);
  g_autofree char *filter = g_strdup_printf ("%s eq %s", attribute, quoted);
  g_autofree char *escaped = g_uri_escape_string (filter, NULL, FALSE);

  return g_strdup_printf ("%s?filter=%s&startIndex=1&count=2", endpoint, escaped);
}

char *
_muster_scim_id_from_location (const char *location)
{
  const char *slash;
  g_autofree char *segment = NULL;

  if (location == NULL)
    return NULL;
  slash = strrchr (location, '/');
  segment = g_strdup (slash != NULL ? slash + 1 : location);
  if (strchr (segment, '?') != NULL)
    *strchr (segment, '?') = '\0';
  return *segment != '\0' ? g_uri_unescape_string (segment, NULL) : NULL;
}

const char *
_muster_scim_resource_version (JsonObject               *object,
                               const MusterScimResponse *response)
{
  const char *version = muster_json_get_string (muster_json_get_object (object, "meta"), "version");

  return version != NULL ? version : response != NULL ? response->etag : NULL;
}

/* --- reading users ---------------------------------------------------------------------------- */

/* The element of a multi-valued attribute with this type, else the primary one, else the first
 * (RFC 7643 §2.4). */
static JsonObject *
pick_element (JsonObject *object,
              const char *member,
              const char *type)
{
  JsonArray *array = muster_json_get_array (object, member);
  JsonObject *primary = NULL, *first = NULL;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *element;
      const char *element_type;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      element = json_node_get_object (node);
      element_type = muster_json_get_string (element, "type");
      if (element_type != NULL && g_ascii_strcasecmp (element_type, type) == 0)
        return element;
      if (primary == NULL && json_get_bool (element, "primary", FALSE))
        primary = element;
      if (first == NULL)
        first = element;
    }
  return primary != NULL ? primary : first;
}

/* A user as the service holds it. MUSTER_ATTR_MANAGER holds the manager's *target* id here;
 * callers map it to the Entra id where they know it. */
MusterTargetUser *
_muster_scim_user_from_json (JsonObject               *object,
                             const MusterScimResponse *response)
{
  MusterTargetUser *user = muster_target_user_new ();
  JsonObject *name = muster_json_get_object (object, "name");
  JsonObject *enterprise = muster_json_get_object (object, MUSTER_SCIM_URN_ENTERPRISE);
  JsonArray *roles = muster_json_get_array (object, "roles");
  g_autoptr(GPtrArray) role_values = g_ptr_array_new ();
  const char *user_type = muster_json_get_string (object, "userType");
  MusterUserType type;

  user->id = g_strdup (muster_json_get_string (object, "id"));
  user->external_id = g_strdup (muster_json_get_string (object, "externalId"));
  user->user_name = g_strdup (muster_json_get_string (object, "userName"));
  user->active = json_get_bool (object, "active", TRUE);
  user->version = g_strdup (_muster_scim_resource_version (object, response));
  if (user_type != NULL && muster_user_type_from_string (user_type, &type))
    user->user_type = type;

  for (guint i = 0; roles != NULL && i < json_array_get_length (roles); i++)
    {
      JsonNode *node = json_array_get_element (roles, i);
      JsonObject *role = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *value = muster_json_get_string (role, "value");

      if (value == NULL)
        value = muster_json_get_string (role, "display");
      if (value != NULL)
        g_ptr_array_add (role_values, (gpointer) value);
    }
  g_ptr_array_add (role_values, NULL);
  muster_target_user_set_roles (user, (const char * const *) role_values->pdata);

  muster_target_user_set_attribute (user, MUSTER_ATTR_DISPLAY_NAME, muster_json_get_string (object, "displayName"));
  muster_target_user_set_attribute (user, MUSTER_ATTR_GIVEN_NAME, muster_json_get_string (name, "givenName"));
  muster_target_user_set_attribute (user, MUSTER_ATTR_FAMILY_NAME, muster_json_get_string (name, "familyName"));
  muster_target_user_set_attribute (user, MUSTER_ATTR_TITLE, muster_json_get_string (object, "title"));
  muster_target_user_set_attribute (user, MUSTER_ATTR_EMAIL,
                                    muster_json_get_string (pick_element (object, "emails", "work"), "value"));
  muster_target_user_set_attribute (user, MUSTER_ATTR_MOBILE_PHONE,
                                    muster_json_get_string (pick_element (object, "phoneNumbers", "mobile"),
                                                            "value"));
  muster_target_user_set_attribute (user, MUSTER_ATTR_OFFICE_LOCATION,
                                    muster_json_get_string (pick_element (object, "addresses", "work"),
                                                            "formatted"));
  muster_target_user_set_attribute (user, MUSTER_ATTR_DEPARTMENT, muster_json_get_string (enterprise, "department"));
  muster_target_user_set_attribute (user, MUSTER_ATTR_EMPLOYEE_NUMBER,
                                    muster_json_get_string (enterprise, "employeeNumber"));
  muster_target_user_set_attribute (user, MUSTER_ATTR_MANAGER,
                                    muster_json_get_string (muster_json_get_object (enterprise, "manager"), "value"));
  return user;
}

MusterTargetGroup *
_muster_scim_group_from_json (JsonObject *object)
{
  MusterTargetGroup *group = muster_target_group_new ();
  JsonArray *members = muster_json_get_array (object, "members");

  group->id = g_strdup (muster_json_get_string (object, "id"));
  group->external_id = g_strdup (muster_json_get_string (object, "externalId"));
  group->display_name = g_strdup (muster_json_get_string (object, "displayName"));
  group->version = g_strdup (_muster_scim_resource_version (object, NULL));
  for (guint i = 0; members != NULL && i < json_array_get_length (members); i++)
    {
      JsonNode *node = json_array_get_element (members, i);
      JsonObject *member = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *value = muster_json_get_string (member, "value");
      const char *type = muster_json_get_string (member, "type");

      /* nested groups are not Muster's business */
      if (value != NULL && (type == NULL || g_ascii_strcasecmp (type, "User") == 0))
        g_hash_table_add (group->members, g_strdup (value));
    }
  return group;
}

/* --- writing users ---------------------------------------------------------------------------- */

gboolean
_muster_scim_can_send (const MusterScimDiscovery *d,
                       const char                *field)
{
  if (g_str_equal (field, MUSTER_ATTR_DEPARTMENT) || g_str_equal (field, MUSTER_ATTR_EMPLOYEE_NUMBER) ||
      g_str_equal (field, MUSTER_ATTR_MANAGER))
    return d->enterprise && attribute_known (d->enterprise_attributes, field);
  if (g_str_equal (field, MUSTER_FIELD_ROLES))
    return d->roles;
  if (g_str_equal (field, MUSTER_FIELD_USER_TYPE))
    return d->user_type;
  if (g_str_equal (field, MUSTER_ATTR_GIVEN_NAME) || g_str_equal (field, MUSTER_ATTR_FAMILY_NAME))
    return attribute_known (d->user_attributes, "name");
  if (g_str_equal (field, MUSTER_ATTR_EMAIL))
    return attribute_known (d->user_attributes, "emails");
  if (g_str_equal (field, MUSTER_ATTR_MOBILE_PHONE))
    return attribute_known (d->user_attributes, "phoneNumbers");
  if (g_str_equal (field, MUSTER_ATTR_OFFICE_LOCATION))
    return attribute_known (d->user_attributes, "addresses");
  return attribute_known (d->user_attributes, field);
}

static JsonNode *
roles_node (const MusterTargetUser *user)
{
  g_autoptr(JsonArray) array = json_array_new ();

  /* user->roles is sorted already, which keeps the body (and reruns) stable */
  for (guint i = 0; user->roles[i] != NULL; i++)
    {
      JsonObject *role = json_object_new ();

      json_object_set_string_member (role, "value", user->roles[i]);
      json_object_set_string_member (role, "display", user->roles[i]);
      json_array_add_object_element (array, role);
    }
  /* json_node_init_*() take a reference of their own */
  return json_node_init_array (json_node_alloc (), array);
}

static JsonObject *
typed_element (const char *member,
               const char *value,
               const char *type)
{
  JsonObject *element = json_object_new ();

  json_object_set_string_member (element, member, value);
  json_object_set_string_member (element, "type", type);
  return element;
}

static void
set_typed_array (JsonObject *object,
                 const char *attribute,
                 const char *member,
                 const char *value,
                 const char *type,
                 gboolean    primary)
{
  JsonArray *array = json_array_new ();
  JsonObject *element = typed_element (member, value, type);

  if (primary)
    json_object_set_boolean_member (element, "primary", TRUE);
  json_array_add_object_element (array, element);
  json_object_set_array_member (object, attribute, array);
}

/* The whole user, for POST (and PUT where PATCH is not offered). @manager_id is the manager's
 * target id, or NULL to send none. */
JsonNode *
_muster_scim_user_to_json (const MusterScimDiscovery *d,
                           const MusterTargetUser    *user,
                           const char                *manager_id)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonObject *enterprise = json_object_new ();
  JsonArray *schemas = json_array_new ();
  const char *value;

  json_array_add_string_element (schemas, MUSTER_SCIM_URN_USER);
  json_object_set_array_member (object, "schemas", schemas);
  if (user->external_id != NULL)
    json_object_set_string_member (object, "externalId", user->external_id);
  json_object_set_string_member (object, "userName", user->user_name);
  json_object_set_boolean_member (object, "active", user->active);

  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_DISPLAY_NAME)) && _muster_scim_can_send (d, "displayName"))
    json_object_set_string_member (object, "displayName", value);
  if (_muster_scim_can_send (d, MUSTER_ATTR_GIVEN_NAME))
    {
      JsonObject *name = json_object_new ();

      if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_GIVEN_NAME)))
        json_object_set_string_member (name, "givenName", value);
      if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_FAMILY_NAME)))
        json_object_set_string_member (name, "familyName", value);
      if (json_object_get_size (name) > 0)
        json_object_set_object_member (object, "name", name);
      else
        json_object_unref (name);
    }
  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_TITLE)) && _muster_scim_can_send (d, MUSTER_ATTR_TITLE))
    json_object_set_string_member (object, "title", value);
  if (_muster_scim_can_send (d, MUSTER_FIELD_USER_TYPE))
    json_object_set_string_member (object, "userType", muster_user_type_to_scim (user->user_type));
  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_EMAIL)) && _muster_scim_can_send (d, MUSTER_ATTR_EMAIL))
    set_typed_array (object, "emails", "value", value, "work", TRUE);
  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_MOBILE_PHONE)) &&
      _muster_scim_can_send (d, MUSTER_ATTR_MOBILE_PHONE))
    set_typed_array (object, "phoneNumbers", "value", value, "mobile", FALSE);
  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_OFFICE_LOCATION)) &&
      _muster_scim_can_send (d, MUSTER_ATTR_OFFICE_LOCATION))
    set_typed_array (object, "addresses", "formatted", value, "work", FALSE);
  if (user->roles[0] != NULL && _muster_scim_can_send (d, MUSTER_FIELD_ROLES))
    json_object_set_member (object, "roles", roles_node (user));

  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_EMPLOYEE_NUMBER)) &&
      _muster_scim_can_send (d, MUSTER_ATTR_EMPLOYEE_NUMBER))
    json_object_set_string_member (enterprise, "employeeNumber", value);
  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_DEPARTMENT)) &&
      _muster_scim_can_send (d, MUSTER_ATTR_DEPARTMENT))
    json_object_set_string_member (enterprise, "department", value);
  if (manager_id != NULL && _muster_scim_can_send (d, MUSTER_ATTR_MANAGER))
    {
      JsonObject *manager = json_object_new ();

      json_object_set_string_member (manager, "value", manager_id);
      json_object_set_object_member (enterprise, "manager", manager);
    }
  if (json_object_get_size (enterprise) > 0)
    {
      json_array_add_string_element (schemas, MUSTER_SCIM_URN_ENTERPRISE);
      json_object_set_object_member (object, MUSTER_SCIM_URN_ENTERPRISE, enterprise);
    }
  else
    json_object_unref (enterprise);

  return json_node_init_object (json_node_alloc (), object);
}

void
_muster_scim_add_patch_op (JsonArray  *ops,
                           const char *op,
                           const char *path,
                           JsonNode   *value)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "op", op);
  json_object_set_string_member (object, "path", path);
  if (value != NULL)
    json_object_set_member (object, "value", value);
  json_array_add_object_element (ops, object);
}

static JsonNode *
string_node (const char *value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, value);
  return node;
}

static JsonNode *
typed_array_node (const char *member,
                  const char *value,
                  const char *type,
                  gboolean    primary)
{
  g_autoptr(JsonObject) holder = json_object_new ();

  set_typed_array (holder, "x", member, value, type, primary);
  return json_node_copy (json_object_get_member (holder, "x"));
}

/* A multi-valued attribute's typed value: replace through a value filter where it exists, add a
 * new element where it does not (a filter that matches nothing is "noTarget", RFC 7644
 * §3.5.2.3), remove the element when emptied. */
static void
add_typed_op (JsonArray  *ops,
              const char *attribute,
              const char *member,
              const char *type,
              gboolean    primary,
              const char *before,
              const char *after)
{
  g_autofree char *element_path = g_strdup_printf ("%s[type eq \"%s\"]", attribute, type);
  g_autofree char *value_path = g_strdup_printf ("%s.%s", element_path, member);

  if (after == NULL)
    _muster_scim_add_patch_op (ops, "remove", element_path, NULL);
  else if (before == NULL)
    _muster_scim_add_patch_op (ops, "add", attribute, typed_array_node (member, after, type, primary));
  else
    _muster_scim_add_patch_op (ops, "replace", value_path, string_node (after));
}

/* Appends the PatchOp operations for one changed field; FALSE (and nothing added) when the
 * service cannot take the field. @desired gives roles; @manager_id the manager's target id. */
gboolean
_muster_scim_add_change_ops (const MusterScimDiscovery *d,
                             JsonArray              *ops,
                             const MusterFieldChange *change,
                             const MusterTargetUser *desired,
                             const char             *manager_id)
{
  const char *field = change->field;
  const char *after = change->after != NULL && *change->after != '\0' ? change->after : NULL;
  const char *before = change->before != NULL && *change->before != '\0' ? change->before : NULL;
  static const struct { const char *field; const char *path; } plain[] = {
    { MUSTER_ATTR_DISPLAY_NAME, "displayName" },
    { MUSTER_ATTR_GIVEN_NAME, "name.givenName" },
    { MUSTER_ATTR_FAMILY_NAME, "name.familyName" },
    { MUSTER_ATTR_TITLE, "title" },
    { MUSTER_ATTR_DEPARTMENT, MUSTER_SCIM_URN_ENTERPRISE ":department" },
    { MUSTER_ATTR_EMPLOYEE_NUMBER, MUSTER_SCIM_URN_ENTERPRISE ":employeeNumber" },
    { MUSTER_FIELD_USER_NAME, "userName" },
    { "externalId", "externalId" },
  };

  if (!g_str_equal (field, "externalId") && !_muster_scim_can_send (d, field))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
    if (g_str_equal (field, plain[i].field))
      {
        if (after != NULL)
          _muster_scim_add_patch_op (ops, "replace", plain[i].path, string_node (after));
        else
          _muster_scim_add_patch_op (ops, "remove", plain[i].path, NULL);
        return TRUE;
      }

  if (g_str_equal (field, MUSTER_ATTR_EMAIL))
    add_typed_op (ops, "emails", "value", "work", TRUE, before, after);
  else if (g_str_equal (field, MUSTER_ATTR_MOBILE_PHONE))
    add_typed_op (ops, "phoneNumbers", "value", "mobile", FALSE, before, after);
  else if (g_str_equal (field, MUSTER_ATTR_OFFICE_LOCATION))
    add_typed_op (ops, "addresses", "formatted", "work", FALSE, before, after);
  else if (g_str_equal (field, MUSTER_ATTR_MANAGER))
    {
      if (after == NULL)
        _muster_scim_add_patch_op (ops, "remove", MUSTER_SCIM_URN_ENTERPRISE ":manager", NULL);
      else if (manager_id != NULL)
        {
          JsonObject *manager = json_object_new ();

          json_object_set_string_member (manager, "value", manager_id);
          _muster_scim_add_patch_op (ops, "replace", MUSTER_SCIM_URN_ENTERPRISE ":manager",
                                     json_node_init_object (json_node_alloc (), manager));
          json_object_unref (manager);
        }
      else
        return FALSE;
    }
  else if (g_str_equal (field, MUSTER_FIELD_ACTIVE))
    {
      JsonNode *value = json_node_new (JSON_NODE_VALUE);

      json_node_set_boolean (value, g_strcmp0 (after, "true") == 0);
      _muster_scim_add_patch_op (ops, "replace", "active", value);
    }
  else if (g_str_equal (field, MUSTER_FIELD_USER_TYPE))
    {
      MusterUserType type = MUSTER_USER_TYPE_USER;

      if (after != NULL && !muster_user_type_from_string (after, &type))
        return FALSE;
      _muster_scim_add_patch_op (ops, "replace", "userType", string_node (muster_user_type_to_scim (type)));
    }
  else if (g_str_equal (field, MUSTER_FIELD_ROLES))
    {
      if (desired->roles[0] != NULL)
        _muster_scim_add_patch_op (ops, "replace", "roles", roles_node (desired));
      else
        _muster_scim_add_patch_op (ops, "remove", "roles", NULL);
    }
  else
    return FALSE;
  return TRUE;
}

/* Every field where @current differs from @desired, for a user matched after a 409. The
 * manager compares target ids: @manager_id for the desired one. */
GPtrArray *
_muster_scim_diff_users (const MusterTargetUser *desired,
                         const char             *manager_id,
                         const MusterTargetUser *current)
{
  GPtrArray *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_field_change_free);
  const char * const *names = muster_target_attribute_names ();
  g_autofree char *desired_roles = g_strjoinv (", ", desired->roles);
  g_autofree char *current_roles = g_strjoinv (", ", current->roles);

  if (g_strcmp0 (desired->external_id, current->external_id) != 0 && desired->external_id != NULL)
    g_ptr_array_add (changes, muster_field_change_new ("externalId", current->external_id, desired->external_id));
  if (g_strcmp0 (desired->user_name, current->user_name) != 0)
    g_ptr_array_add (changes, muster_field_change_new (MUSTER_FIELD_USER_NAME, current->user_name,
                                                       desired->user_name));
  if (desired->active != current->active)
    g_ptr_array_add (changes, muster_field_change_new (MUSTER_FIELD_ACTIVE, current->active ? "true" : "false",
                                                       desired->active ? "true" : "false"));
  if (desired->user_type != current->user_type)
    g_ptr_array_add (changes, muster_field_change_new (MUSTER_FIELD_USER_TYPE,
                                                       muster_user_type_to_string (current->user_type),
                                                       muster_user_type_to_string (desired->user_type)));
  if (!g_str_equal (desired_roles, current_roles))
    g_ptr_array_add (changes, muster_field_change_new (MUSTER_FIELD_ROLES, current_roles, desired_roles));
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *want = muster_target_user_get_attribute (desired, names[i]);
      const char *have = muster_target_user_get_attribute (current, names[i]);

      if (g_str_equal (names[i], MUSTER_ATTR_MANAGER))
        {
          if (g_strcmp0 (manager_id, have) != 0 && (manager_id != NULL || want == NULL))
            g_ptr_array_add (changes, muster_field_change_new (names[i], have, want));
        }
      else if (g_strcmp0 (want, have) != 0)
        g_ptr_array_add (changes, muster_field_change_new (names[i], have, want));
    }
  return changes;
}

/* Notes (in the debug log) what the service kept no trace of, comparing what was sent with what
 * it answered or gave back when read. */
void
_muster_scim_note_dropped (const char *user_name,
                           JsonObject *sent,
                           JsonObject *kept)
{
  g_autoptr(GString) dropped = g_string_new (NULL);
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init (&iter, sent);
  while (json_object_iter_next (&iter, &name, &member))
    {
      if (g_str_equal (name, "schemas"))
        continue;
      if (g_str_equal (name, MUSTER_SCIM_URN_ENTERPRISE))
        {
          JsonObject *kept_extension = muster_json_get_object (kept, name);
          JsonObjectIter sub;
          const char *sub_name;
          JsonNode *sub_member;

          json_object_iter_init (&sub, json_node_get_object (member));
          while (json_object_iter_next (&sub, &sub_name, &sub_member))
            if (kept_extension == NULL || !json_object_has_member (kept_extension, sub_name))
              g_string_append_printf (dropped, "%s%s", dropped->len ? ", " : "", sub_name);
          continue;
        }
      if (!json_object_has_member (kept, name))
        g_string_append_printf (dropped, "%s%s", dropped->len ? ", " : "", name);
    }
  if (dropped->len > 0)
    g_debug ("The SCIM service kept no %s of %s", dropped->str, user_name);
}

static char *
endpoint_from (const char *endpoint,
               const char *fallback)
{
  if (endpoint == NULL || *endpoint == '\0')
    return g_strdup (fallback);
  /* RFC 7643 §6: relative to the base URL; some services give a full URL or drop the slash */
  if (g_str_has_prefix (endpoint, "http://") || g_str_has_prefix (endpoint, "https://"))
    return g_strdup (fallback);
  return endpoint[0] == '/' ? g_strdup (endpoint) : g_strconcat ("/", endpoint, NULL);
}

void
_muster_scim_discovery_read_config (MusterScimDiscovery  *d,
                                    JsonObject *config)
{
  JsonObject *filter = muster_json_get_object (config, "filter");

  d->patch = json_get_bool (muster_json_get_object (config, "patch"), "supported", FALSE);
  d->etags = json_get_bool (muster_json_get_object (config, "etag"), "supported", FALSE);
  d->bulk = json_get_bool (muster_json_get_object (config, "bulk"), "supported", FALSE);
  d->max_results = json_get_bool (filter, "supported", FALSE)
    ? (guint) CLAMP (muster_json_get_int (filter, "maxResults", 0), 0, G_MAXUINT) : 0;
}

void
_muster_scim_discovery_read_resource_types (MusterScimDiscovery *d,
                                            JsonArray *types)
{
  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonNode *node = json_array_get_element (types, i);
      JsonObject *type = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *schema = muster_json_get_string (type, "schema");
      JsonArray *extensions = muster_json_get_array (type, "schemaExtensions");

      if (g_strcmp0 (schema, MUSTER_SCIM_URN_USER) == 0)
        {
          g_free (d->users_endpoint);
          d->users_endpoint = endpoint_from (muster_json_get_string (type, "endpoint"), "/Users");
          for (guint j = 0; extensions != NULL && j < json_array_get_length (extensions); j++)
            {
              JsonNode *ext = json_array_get_element (extensions, j);

              if (JSON_NODE_HOLDS_OBJECT (ext) &&
                  g_strcmp0 (muster_json_get_string (json_node_get_object (ext), "schema"),
                             MUSTER_SCIM_URN_ENTERPRISE) == 0)
                d->enterprise = TRUE;
            }
        }
      else if (g_strcmp0 (schema, MUSTER_SCIM_URN_GROUP) == 0)
        {
          g_free (d->groups_endpoint);
          d->groups_endpoint = endpoint_from (muster_json_get_string (type, "endpoint"), "/Groups");
          d->groups = TRUE;
        }
    }
}

static GHashTable *
attribute_names (JsonObject *schema)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *attributes = muster_json_get_array (schema, "attributes");

  for (guint i = 0; attributes != NULL && i < json_array_get_length (attributes); i++)
    {
      JsonNode *node = json_array_get_element (attributes, i);
      const char *name = JSON_NODE_HOLDS_OBJECT (node)
        ? muster_json_get_string (json_node_get_object (node), "name") : NULL;

      if (name != NULL)
        g_hash_table_add (names, g_utf8_casefold (name, -1));
    }
  return names;
}

void
_muster_scim_discovery_read_schemas (MusterScimDiscovery *d,
                                     JsonArray *schemas)
{
  for (guint i = 0; schemas != NULL && i < json_array_get_length (schemas); i++)
    {
      JsonNode *node = json_array_get_element (schemas, i);
      JsonObject *schema = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = muster_json_get_string (schema, "id");

      if (g_strcmp0 (id, MUSTER_SCIM_URN_USER) == 0)
        {
          g_clear_pointer (&d->user_attributes, g_hash_table_unref);
          d->user_attributes = attribute_names (schema);
        }
      else if (g_strcmp0 (id, MUSTER_SCIM_URN_ENTERPRISE) == 0)
        {
          g_clear_pointer (&d->enterprise_attributes, g_hash_table_unref);
          d->enterprise_attributes = attribute_names (schema);
        }
    }
}


void
_muster_scim_discovery_finish (MusterScimDiscovery *d)
{
  if (d->users_endpoint == NULL)
    d->users_endpoint = g_strdup ("/Users");
  if (d->groups_endpoint == NULL)
    d->groups_endpoint = g_strdup ("/Groups");
  /* "roles" and "userType" are core attributes (RFC 7643 §4.1.2) many services leave out: use
   * them only where the User schema lists them */
  d->roles = d->user_attributes != NULL && g_hash_table_contains (d->user_attributes, "roles");
  d->user_type = d->user_attributes != NULL && g_hash_table_contains (d->user_attributes, "usertype");
  if (d->enterprise && d->enterprise_attributes != NULL && g_hash_table_size (d->enterprise_attributes) == 0)
    d->enterprise = FALSE;
  d->done = TRUE;
}
