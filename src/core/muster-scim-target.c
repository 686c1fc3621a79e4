/* muster-scim-target.c: a SCIM 2.0 service (RFC 7643/7644) as a target Muster pushes people into
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SCIM services in the field differ from each other and from the RFC, so this client:
 *  - reads ServiceProviderConfig, ResourceTypes and Schemas first and uses only what they
 *    advertise (PATCH, ETags, the enterprise extension, roles and userType);
 *  - filters only with "eq" and "and" on userName, externalId and id, the operators Entra's
 *    provisioning service limits itself to (Microsoft Learn, "Tutorial: Develop and plan
 *    provisioning for a SCIM endpoint");
 *  - pages with startIndex and count ≤ 200, advancing by what a page really held and stopping at
 *    totalResults, or at a page that brings nothing new (RFC 7644 §3.4.2.4);
 *  - creates with POST, taking the id from the body or Location; a 409 "uniqueness" means the
 *    user is there already: it is found by externalId, then userName, and updated instead;
 *  - updates with a PATCH of exactly the changed fields and lower-case ops (§3.5.2), PUT only
 *    where PATCH is not offered; If-Match only where ETags are (§3.14), and on 412 it reads the
 *    user again and retries once;
 *  - disables with active=false (a JSON boolean), deletes with DELETE;
 *  - adds group members with PATCH "add" and removes them with members[value eq "id"], never
 *    adding one who is there already;
 *  - keeps several requests in flight over kept-alive connections.
 */

#define G_LOG_DOMAIN "muster-scim-target"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "muster-http.h"
#include "muster-scim-client.h"
#include "muster-scim-target.h"

/* RFC 7644 §3.4.2.4 lets a service cap count; 200 is what Entra and most services accept */
#define PAGE_SIZE 200

typedef struct
{
  gboolean    done;
  gboolean    patch;
  gboolean    etags;
  gboolean    bulk;
  guint       max_results;       /* 0: not said */
  gboolean    groups;
  gboolean    enterprise;
  gboolean    roles;
  gboolean    user_type;
  GHashTable *user_attributes;   /* casefolded core User attribute names; NULL: /Schemas unread */
  GHashTable *enterprise_attributes;
  char       *users_endpoint;
  char       *groups_endpoint;
} Discovery;

struct _MusterScimTarget
{
  GObject           parent_instance;

  MusterScimClient *client;
  char            **roles;
  guint             concurrency;
  Discovery         discovery;
  GHashTable       *user_ids;       /* Entra id → target id, of users read or made */
  GHashTable       *group_ids;      /* Entra group id → target id */
  GHashTable       *group_members;  /* group target id → set of member ids, where known */
};

static void muster_scim_target_iface_init (MusterTargetInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MusterScimTarget, muster_scim_target, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MUSTER_TYPE_TARGET, muster_scim_target_iface_init))

static void
discovery_clear (Discovery *discovery)
{
  g_clear_pointer (&discovery->user_attributes, g_hash_table_unref);
  g_clear_pointer (&discovery->enterprise_attributes, g_hash_table_unref);
  g_clear_pointer (&discovery->users_endpoint, g_free);
  g_clear_pointer (&discovery->groups_endpoint, g_free);
  memset (discovery, 0, sizeof *discovery);
}

/* --- small JSON helpers ----------------------------------------------------------------------- */

static JsonArray *
resources_of (JsonNode *node)
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
static char *
resource_path (const char *endpoint,
               const char *id)
{
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);

  return g_strconcat (endpoint, "/", escaped, NULL);
}

/* "/Users?filter=…" for attribute eq value (RFC 7644 §3.4.2.2) */
static char *
filter_path (const char *endpoint,
             const char *attribute,
             const char *value)
{
  g_autofree char *quoted = muster_scim_quote (value);
  g_autofree char *filter = g_strdup_printf ("%s eq %s", attribute, quoted);
  g_autofree char *escaped = g_uri_escape_string (filter, NULL, FALSE);

  return g_strdup_printf ("%s?filter=%s&startIndex=1&count=2", endpoint, escaped);
}

static char *
id_from_location (const char *location)
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

static const char *
resource_version (JsonObject               *object,
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
static MusterTargetUser *
user_from_json (JsonObject               *object,
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
  user->version = g_strdup (resource_version (object, response));
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

static MusterTargetGroup *
group_from_json (JsonObject *object)
{
  MusterTargetGroup *group = muster_target_group_new ();
  JsonArray *members = muster_json_get_array (object, "members");

  group->id = g_strdup (muster_json_get_string (object, "id"));
  group->external_id = g_strdup (muster_json_get_string (object, "externalId"));
  group->display_name = g_strdup (muster_json_get_string (object, "displayName"));
  group->version = g_strdup (resource_version (object, NULL));
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

static GHashTable *
member_set_copy (GHashTable *members)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, members);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (copy, g_strdup (key));
  return copy;
}

/* --- writing users ---------------------------------------------------------------------------- */

static gboolean
can_send (MusterScimTarget *self,
          const char       *field)
{
  Discovery *d = &self->discovery;

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
static JsonNode *
user_to_json (MusterScimTarget       *self,
              const MusterTargetUser *user,
              const char             *manager_id)
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

  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_DISPLAY_NAME)) && can_send (self, "displayName"))
    json_object_set_string_member (object, "displayName", value);
  if (can_send (self, MUSTER_ATTR_GIVEN_NAME))
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
  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_TITLE)) && can_send (self, MUSTER_ATTR_TITLE))
    json_object_set_string_member (object, "title", value);
  if (can_send (self, MUSTER_FIELD_USER_TYPE))
    json_object_set_string_member (object, "userType", muster_user_type_to_scim (user->user_type));
  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_EMAIL)) && can_send (self, MUSTER_ATTR_EMAIL))
    set_typed_array (object, "emails", "value", value, "work", TRUE);
  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_MOBILE_PHONE)) &&
      can_send (self, MUSTER_ATTR_MOBILE_PHONE))
    set_typed_array (object, "phoneNumbers", "value", value, "mobile", FALSE);
  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_OFFICE_LOCATION)) &&
      can_send (self, MUSTER_ATTR_OFFICE_LOCATION))
    set_typed_array (object, "addresses", "formatted", value, "work", FALSE);
  if (user->roles[0] != NULL && can_send (self, MUSTER_FIELD_ROLES))
    json_object_set_member (object, "roles", roles_node (user));

  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_EMPLOYEE_NUMBER)) &&
      can_send (self, MUSTER_ATTR_EMPLOYEE_NUMBER))
    json_object_set_string_member (enterprise, "employeeNumber", value);
  if ((value = muster_target_user_get_attribute (user, MUSTER_ATTR_DEPARTMENT)) &&
      can_send (self, MUSTER_ATTR_DEPARTMENT))
    json_object_set_string_member (enterprise, "department", value);
  if (manager_id != NULL && can_send (self, MUSTER_ATTR_MANAGER))
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

static void
add_patch_op (JsonArray  *ops,
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
    add_patch_op (ops, "remove", element_path, NULL);
  else if (before == NULL)
    add_patch_op (ops, "add", attribute, typed_array_node (member, after, type, primary));
  else
    add_patch_op (ops, "replace", value_path, string_node (after));
}

/* Appends the PatchOp operations for one changed field; FALSE (and nothing added) when the
 * service cannot take the field. @desired gives roles; @manager_id the manager's target id. */
static gboolean
add_change_ops (MusterScimTarget       *self,
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

  if (!g_str_equal (field, "externalId") && !can_send (self, field))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
    if (g_str_equal (field, plain[i].field))
      {
        if (after != NULL)
          add_patch_op (ops, "replace", plain[i].path, string_node (after));
        else
          add_patch_op (ops, "remove", plain[i].path, NULL);
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
        add_patch_op (ops, "remove", MUSTER_SCIM_URN_ENTERPRISE ":manager", NULL);
      else if (manager_id != NULL)
        {
          JsonObject *manager = json_object_new ();

          json_object_set_string_member (manager, "value", manager_id);
          add_patch_op (ops, "replace", MUSTER_SCIM_URN_ENTERPRISE ":manager",
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
      add_patch_op (ops, "replace", "active", value);
    }
  else if (g_str_equal (field, MUSTER_FIELD_USER_TYPE))
    {
      MusterUserType type = MUSTER_USER_TYPE_USER;

      if (after != NULL && !muster_user_type_from_string (after, &type))
        return FALSE;
      add_patch_op (ops, "replace", "userType", string_node (muster_user_type_to_scim (type)));
    }
  else if (g_str_equal (field, MUSTER_FIELD_ROLES))
    {
      if (desired->roles[0] != NULL)
        add_patch_op (ops, "replace", "roles", roles_node (desired));
      else
        add_patch_op (ops, "remove", "roles", NULL);
    }
  else
    return FALSE;
  return TRUE;
}

/* Every field where @current differs from @desired, for a user matched after a 409. The
 * manager compares target ids: @manager_id for the desired one. */
static GPtrArray *
diff_users (const MusterTargetUser *desired,
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
static void
note_dropped (const char *user_name,
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

/* --- discovery -------------------------------------------------------------------------------- */

typedef struct
{
  guint step;
} DiscoverData;

static void discover_next (GTask *task);

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

static void
read_service_provider_config (Discovery  *d,
                              JsonObject *config)
{
  JsonObject *filter = muster_json_get_object (config, "filter");

  d->patch = json_get_bool (muster_json_get_object (config, "patch"), "supported", FALSE);
  d->etags = json_get_bool (muster_json_get_object (config, "etag"), "supported", FALSE);
  d->bulk = json_get_bool (muster_json_get_object (config, "bulk"), "supported", FALSE);
  d->max_results = json_get_bool (filter, "supported", FALSE)
    ? (guint) CLAMP (muster_json_get_int (filter, "maxResults", 0), 0, G_MAXUINT) : 0;
}

static void
read_resource_types (Discovery *d,
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

static void
read_schemas (Discovery *d,
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

static void
discover_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  MusterScimTarget *self = g_task_get_source_object (task);
  DiscoverData *data = g_task_get_task_data (task);
  Discovery *d = &self->discovery;
  g_autoptr(MusterScimResponse) response = NULL;
  GError *error = NULL;

  response = muster_scim_client_request_finish (MUSTER_SCIM_CLIENT (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  switch (data->step)
    {
    case 0:
      if (response->status != 200 || muster_scim_response_get_object (response) == NULL)
        {
          g_task_return_new_error (task, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_UNSUPPORTED,
                                   _("%s does not answer like a SCIM 2.0 service (its ServiceProviderConfig "
                                     "gave HTTP %u)"),
                                   muster_scim_client_get_base_url (self->client), response->status);
          g_object_unref (task);
          return;
        }
      read_service_provider_config (d, muster_scim_response_get_object (response));
      break;
    case 1:
      /* without ResourceTypes, the RFC's endpoints and no extension */
      if (response->status == 200)
        read_resource_types (d, resources_of (response->json));
      else
        g_debug ("ResourceTypes gave HTTP %u; assuming /Users and /Groups", response->status);
      break;
    case 2:
      if (response->status == 200)
        read_schemas (d, resources_of (response->json));
      else
        g_debug ("Schemas gave HTTP %u; sending only common attributes", response->status);
      break;
    default:
      g_assert_not_reached ();
    }
  data->step++;
  discover_next (task);
}

static void
discover_next (GTask *task)
{
  MusterScimTarget *self = g_task_get_source_object (task);
  DiscoverData *data = g_task_get_task_data (task);
  Discovery *d = &self->discovery;
  static const char * const paths[] = { "/ServiceProviderConfig", "/ResourceTypes", "/Schemas" };

  if (data->step < G_N_ELEMENTS (paths))
    {
      muster_scim_client_request_async (self->client, "GET", paths[data->step], NULL, NULL,
                                        g_task_get_cancellable (task), discover_cb, task);
      return;
    }

  if (d->users_endpoint == NULL)
    d->users_endpoint = g_strdup ("/Users");
  if (d->groups_endpoint == NULL)
    {
      /* a service that lists its resource types but not Group has none */
      d->groups_endpoint = g_strdup ("/Groups");
    }
  /* "roles" and "userType" are core attributes (RFC 7643 §4.1.2) many services leave out: use
   * them only where the User schema lists them */
  d->roles = d->user_attributes != NULL && g_hash_table_contains (d->user_attributes, "roles");
  d->user_type = d->user_attributes != NULL && g_hash_table_contains (d->user_attributes, "usertype");
  if (d->enterprise && d->enterprise_attributes != NULL && g_hash_table_size (d->enterprise_attributes) == 0)
    d->enterprise = FALSE;
  d->done = TRUE;
  g_debug ("%s: PATCH %s, ETags %s, Bulk %s, groups %s, enterprise %s, roles %s, userType %s",
           muster_scim_client_get_base_url (self->client), d->patch ? "yes" : "no", d->etags ? "yes" : "no",
           d->bulk ? "yes" : "no", d->groups ? "yes" : "no", d->enterprise ? "yes" : "no",
           d->roles ? "yes" : "no", d->user_type ? "yes" : "no");
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
discover_async (MusterScimTarget    *self,
                gboolean             again,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, discover_async);
  if (self->discovery.done && !again)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  discovery_clear (&self->discovery);
  g_task_set_task_data (task, g_new0 (DiscoverData, 1), g_free);
  discover_next (task);
}

static gboolean
discover_finish (MusterScimTarget  *self,
                 GAsyncResult      *result,
                 GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- read_state ------------------------------------------------------------------------------- */

typedef struct
{
  MusterTargetState *state;
  GPtrArray         *users;     /* MusterTargetUser, managers still target ids */
  GHashTable        *seen;      /* ids of this resource type read so far */
  gboolean           groups;    /* reading groups now */
  guint              start;     /* 1-based */
  gint64             total;     /* of this resource type; -1 unknown */
  guint              users_total;
  guint              done;
} ReadData;

static void
read_data_free (ReadData *data)
{
  g_clear_pointer (&data->state, muster_target_state_unref);
  g_clear_pointer (&data->users, g_ptr_array_unref);
  g_clear_pointer (&data->seen, g_hash_table_unref);
  g_free (data);
}

static void read_next_page (GTask *task);

static void
read_finish_users (MusterScimTarget *self,
                   ReadData         *data)
{
  g_autoptr(GHashTable) external_by_id = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < data->users->len; i++)
    {
      MusterTargetUser *user = g_ptr_array_index (data->users, i);

      if (user->id != NULL && user->external_id != NULL)
        {
          g_hash_table_insert (external_by_id, user->id, user->external_id);
          g_hash_table_replace (self->user_ids, g_strdup (user->external_id), g_strdup (user->id));
        }
    }
  /* the manager attribute holds the manager's Entra id, where the target knows it */
  for (guint i = 0; i < data->users->len; i++)
    {
      MusterTargetUser *user = g_ptr_array_index (data->users, i);
      const char *manager = muster_target_user_get_attribute (user, MUSTER_ATTR_MANAGER);
      const char *external = manager ? g_hash_table_lookup (external_by_id, manager) : NULL;

      if (external != NULL)
        muster_target_user_set_attribute (user, MUSTER_ATTR_MANAGER, external);
      muster_target_state_add_user (data->state, user);
    }
}

static void
read_page_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  MusterScimTarget *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  g_autoptr(MusterScimResponse) response = NULL;
  GError *error = NULL;
  JsonObject *list;
  JsonArray *resources;
  guint returned, fresh = 0;

  response = muster_scim_client_request_finish (MUSTER_SCIM_CLIENT (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  list = muster_scim_response_get_object (response);
  if (response->status != 200 || list == NULL)
    {
      g_task_return_error (task, muster_scim_response_to_error (response, data->groups ? _("Reading groups")
                                                                                       : _("Reading users")));
      g_object_unref (task);
      return;
    }

  resources = muster_json_get_array (list, "Resources");
  returned = resources != NULL ? json_array_get_length (resources) : 0;
  data->total = muster_json_get_int (list, "totalResults", -1);
  for (guint i = 0; i < returned; i++)
    {
      JsonNode *node = json_array_get_element (resources, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = muster_json_get_string (object, "id");

      /* a service that repeats a page (or shifts under concurrent writes) gives ids twice */
      if (id == NULL || !g_hash_table_add (data->seen, g_strdup (id)))
        continue;
      fresh++;
      if (data->groups)
        {
          g_autoptr(MusterTargetGroup) group = group_from_json (object);

          if (group->external_id != NULL)
            g_hash_table_replace (self->group_ids, g_strdup (group->external_id), g_strdup (group->id));
          g_hash_table_replace (self->group_members, g_strdup (group->id), member_set_copy (group->members));
          muster_target_state_add_group (data->state, group);
        }
      else
        g_ptr_array_add (data->users, user_from_json (object, NULL));
    }
  data->start += returned;
  data->done += fresh;
  g_signal_emit_by_name (self, "progress", data->done,
                         data->total >= 0 ? (guint) data->total + data->users_total : 0);

  if (returned == 0 || fresh == 0 || (data->total >= 0 && data->start > (guint64) data->total))
    {
      if (data->groups || !self->discovery.groups)
        {
          if (!data->groups)
            read_finish_users (self, data);
          muster_target_state_set_roles (data->state, (const char * const *) self->roles);
          g_task_return_pointer (task, muster_target_state_ref (data->state),
                                 (GDestroyNotify) muster_target_state_unref);
          g_object_unref (task);
          return;
        }
      read_finish_users (self, data);
      data->users_total = data->done;
      data->groups = TRUE;
      data->start = 1;
      data->total = -1;
      g_hash_table_remove_all (data->seen);
    }
  read_next_page (task);
}

static void
read_next_page (GTask *task)
{
  MusterScimTarget *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  guint count = PAGE_SIZE;
  g_autofree char *path = NULL;

  if (self->discovery.max_results > 0)
    count = MIN (count, self->discovery.max_results);
  path = g_strdup_printf ("%s?startIndex=%u&count=%u",
                          data->groups ? self->discovery.groups_endpoint : self->discovery.users_endpoint,
                          data->start, count);
  muster_scim_client_request_async (self->client, "GET", path, NULL, NULL, g_task_get_cancellable (task),
                                    read_page_cb, task);
}

static void
read_discovered_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!discover_finish (MUSTER_SCIM_TARGET (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  read_next_page (task);
}

static void
muster_scim_target_read_state_async (MusterTarget        *target,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  MusterScimTarget *self = MUSTER_SCIM_TARGET (target);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ReadData *data = g_new0 (ReadData, 1);

  g_task_set_source_tag (task, muster_scim_target_read_state_async);
  data->state = muster_target_state_new ();
  data->users = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_target_user_unref);
  data->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  data->start = 1;
  data->total = -1;
  g_task_set_task_data (task, data, (GDestroyNotify) read_data_free);
  /* a read is where a plan starts: learn the service afresh */
  discover_async (self, TRUE, cancellable, read_discovered_cb, task);
}

static MusterTargetState *
muster_scim_target_read_state_finish (MusterTarget  *target,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, target), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- apply ------------------------------------------------------------------------------------ */

typedef struct _Apply Apply;

typedef enum
{
  RUN_PENDING,
  RUN_ACTIVE,
  RUN_DONE,
} RunState;

typedef enum
{
  RESOLVE_READY,
  RESOLVE_WAIT,
  RESOLVE_FAIL,
} Resolve;

typedef struct
{
  Apply                 *apply;
  MusterOperation       *op;
  RunState               state;
  MusterOperationResult *result;
  gboolean               ignore_waits;  /* a cycle of managers: go without */

  char                  *target_id;     /* of the user or group the operation works on */
  char                  *member_id;
  char                  *manager_id;    /* the manager's target id, NULL when not known */
  gboolean               manager_wanted;
  char                  *version;
  JsonNode              *ops;           /* PatchOp Operations to send */
  JsonNode              *put_body;      /* where PATCH is not offered */
  JsonNode              *sent;          /* a create's body, compared with what the service kept */
  gboolean               retried;       /* after a 412 */
  gboolean               by_user_name;  /* 409: looking by userName now */
} Run;

struct _Apply
{
  MusterScimTarget *self;
  GTask            *task;
  GCancellable     *cancellable;
  GPtrArray        *runs;
  GHashTable       *user_creates;   /* Entra id → Run creating that user */
  GHashTable       *group_creates;  /* Entra group id → Run creating it */
  guint             first_pending;
  guint             active;
  guint             done;
  gboolean          pumping;
  gboolean          returned;
  gboolean          any_ok;
  GError           *fatal;          /* the service refused the token or vanished */
};

static void run_free (Run *run);
static void pump (Apply *apply);
static void user_modify (Run *run);

static void
apply_free (Apply *apply)
{
  g_ptr_array_unref (apply->runs);
  g_hash_table_unref (apply->user_creates);
  g_hash_table_unref (apply->group_creates);
  g_clear_object (&apply->cancellable);
  g_clear_error (&apply->fatal);
  g_object_unref (apply->self);
  g_free (apply);
}

static void
run_free (Run *run)
{
  muster_operation_unref (run->op);
  g_clear_pointer (&run->result, muster_operation_result_free);
  g_free (run->target_id);
  g_free (run->member_id);
  g_free (run->manager_id);
  g_free (run->version);
  g_clear_pointer (&run->ops, json_node_unref);
  g_clear_pointer (&run->put_body, json_node_unref);
  g_clear_pointer (&run->sent, json_node_unref);
  g_free (run);
}

static const char *
run_user_name (Run *run)
{
  MusterTargetUser *user = run->op->user;

  if (user != NULL && user->user_name != NULL)
    return user->user_name;
  if (user != NULL && user->external_id != NULL)
    return user->external_id;
  return run->target_id != NULL ? run->target_id : "?";
}

static const char *
run_group_name (Run *run)
{
  MusterTargetGroup *group = run->op->group;

  if (group != NULL && group->display_name != NULL)
    return group->display_name;
  if (group != NULL && group->external_id != NULL)
    return group->external_id;
  return run->target_id != NULL ? run->target_id : "?";
}

static const char *
run_member_name (Run *run)
{
  if (run->op->member_external_id != NULL)
    return run->op->member_external_id;
  if (run->member_id != NULL)
    return run->member_id;
  return run->op->member_id != NULL ? run->op->member_id : "?";
}

static char *
run_what (Run *run)
{
  switch (run->op->kind)
    {
    case MUSTER_OPERATION_CREATE_USER:
      return g_strdup_printf (_("Creating “%s”"), run_user_name (run));
    case MUSTER_OPERATION_UPDATE_USER:
      return g_strdup_printf (_("Updating “%s”"), run_user_name (run));
    case MUSTER_OPERATION_DISABLE_USER:
      return g_strdup_printf (_("Disabling “%s”"), run_user_name (run));
    case MUSTER_OPERATION_DELETE_USER:
      return g_strdup_printf (_("Deleting “%s”"), run_user_name (run));
    case MUSTER_OPERATION_CREATE_GROUP:
      return g_strdup_printf (_("Creating the group “%s”"), run_group_name (run));
    case MUSTER_OPERATION_ADD_MEMBER:
      return g_strdup_printf (_("Adding %s to the group “%s”"), run_member_name (run), run_group_name (run));
    case MUSTER_OPERATION_REMOVE_MEMBER:
      return g_strdup_printf (_("Removing %s from the group “%s”"), run_member_name (run), run_group_name (run));
    default:
      g_assert_not_reached ();
    }
}

static void
apply_return (Apply *apply)
{
  GPtrArray *results;
  GTask *task;

  if (apply->returned || apply->done < apply->runs->len || apply->active > 0)
    return;
  apply->returned = TRUE;
  task = apply->task;

  /* a target that could not be used at all changed nothing: say so as one error */
  if (apply->fatal != NULL && !apply->any_ok)
    {
      g_task_return_error (task, g_error_copy (apply->fatal));
      g_object_unref (task);
      return;
    }
  results = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_result_free);
  for (guint i = 0; i < apply->runs->len; i++)
    {
      Run *run = g_ptr_array_index (apply->runs, i);

      g_ptr_array_add (results, g_steal_pointer (&run->result));
    }
  g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

static void
run_settle (Run *run)
{
  Apply *apply = run->apply;

  if (run->state == RUN_ACTIVE)
    apply->active--;
  run->state = RUN_DONE;
  /* a batch may be a whole push: keep only the result */
  g_clear_pointer (&run->sent, json_node_unref);
  g_clear_pointer (&run->ops, json_node_unref);
  g_clear_pointer (&run->put_body, json_node_unref);
  apply->done++;
  if (!apply->pumping)
    pump (apply);
}

static void
run_ok (Run        *run,
        const char *target_id)
{
  run->result = muster_operation_result_new_ok (run->op, target_id);
  run->apply->any_ok = TRUE;
  run_settle (run);
}

static void
run_fail (Run    *run,
          GError *error)
{
  Apply *apply = run->apply;

  g_debug ("%s: %s", run->op->key, error->message);
  if (apply->fatal == NULL &&
      (g_error_matches (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_AUTH) ||
       g_error_matches (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_UNREACHABLE)))
    apply->fatal = g_error_copy (error);
  run->result = muster_operation_result_new_failed (run->op, error);
  g_error_free (error);
  run_settle (run);
}

static void
run_fail_response (Run                      *run,
                   const MusterScimResponse *response)
{
  g_autofree char *what = run_what (run);

  run_fail (run, muster_scim_response_to_error (response, what));
}

static void
run_fail_literal (Run               *run,
                  MusterTargetError  code,
                  const char        *reason)
{
  g_autofree char *what = run_what (run);

  run_fail (run, g_error_new (MUSTER_TARGET_ERROR, code, "%s: %s", what, reason));
}

/* The response, or NULL after failing @run with the transport's error. */
static MusterScimResponse *
run_response (Run          *run,
              GObject      *source,
              GAsyncResult *result)
{
  GError *error = NULL;
  MusterScimResponse *response = muster_scim_client_request_finish (MUSTER_SCIM_CLIENT (source), result, &error);

  if (response == NULL)
    run_fail (run, error);
  return response;
}

static void
run_request (Run                 *run,
             const char          *method,
             const char          *path,
             JsonNode            *body,
             const char          *if_match,
             GAsyncReadyCallback  callback)
{
  muster_scim_client_request_async (run->apply->self->client, method, path, body, if_match,
                                    run->apply->cancellable, callback, run);
}

static void
remember_user (MusterScimTarget *self,
               const char       *external_id,
               const char       *id)
{
  if (external_id != NULL && id != NULL)
    g_hash_table_replace (self->user_ids, g_strdup (external_id), g_strdup (id));
}

/* Users: modify (PATCH, or PUT), with one retry after 412 ------------------------------------- */

static void
user_refetched_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  JsonObject *object;

  if (response == NULL)
    return;
  object = muster_scim_response_get_object (response);
  if (response->status != 200 || object == NULL)
    {
      run_fail_response (run, response);
      return;
    }
  g_free (run->version);
  run->version = g_strdup (resource_version (object, response));
  g_debug ("%s: changed in the service meanwhile; retrying with %s", run->op->key,
           run->version ? run->version : "no version");
  user_modify (run);
}

static void
user_modified_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Run *run = user_data;
  MusterScimTarget *self = run->apply->self;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);

  if (response == NULL)
    return;
  /* RFC 7644 §3.5.2: 200 with the resource, or 204 with none */
  if (response->status == 200 || response->status == 204)
    {
      if (run->op->kind == MUSTER_OPERATION_DISABLE_USER || run->op->kind == MUSTER_OPERATION_UPDATE_USER ||
          run->op->kind == MUSTER_OPERATION_CREATE_USER)
        remember_user (self, run->op->user ? run->op->user->external_id : NULL, run->target_id);
      run_ok (run, run->target_id);
      return;
    }
  if (response->status == 412 && !run->retried)
    {
      g_autofree char *path = resource_path (self->discovery.users_endpoint, run->target_id);

      run->retried = TRUE;
      run_request (run, "GET", path, NULL, NULL, user_refetched_cb);
      return;
    }
  run_fail_response (run, response);
}

static void
user_modify (Run *run)
{
  MusterScimTarget *self = run->apply->self;
  g_autofree char *path = resource_path (self->discovery.users_endpoint, run->target_id);
  const char *if_match = self->discovery.etags ? run->version : NULL;

  if (self->discovery.patch)
    {
      g_autoptr(JsonNode) body = NULL;
      JsonObject *object = json_object_new ();
      JsonArray *schemas = json_array_new ();

      json_array_add_string_element (schemas, MUSTER_SCIM_URN_PATCH_OP);
      json_object_set_array_member (object, "schemas", schemas);
      json_object_set_member (object, "Operations", json_node_ref (run->ops));
      body = json_node_init_object (json_node_alloc (), object);
      json_object_unref (object);
      run_request (run, "PATCH", path, body, if_match, user_modified_cb);
    }
  else
    run_request (run, "PUT", path, run->put_body, if_match, user_modified_cb);
}

/* Builds the PATCH operations for @changes (and the PUT body for services without PATCH), then
 * modifies; with nothing the service can take, it is done without a request. */
static void
user_modify_changes (Run       *run,
                     GPtrArray *changes)
{
  MusterScimTarget *self = run->apply->self;
  JsonArray *ops = json_array_new ();

  for (guint i = 0; i < changes->len; i++)
    {
      MusterFieldChange *change = g_ptr_array_index (changes, i);

      if (!add_change_ops (self, ops, change, run->op->user, run->manager_id))
        g_debug ("%s: %s not sent (%s)", run->op->key, change->field,
                 g_str_equal (change->field, MUSTER_ATTR_MANAGER) ? "the manager is not in the target yet"
                                                                  : "the service does not offer it");
    }
  g_clear_pointer (&run->ops, json_node_unref);
  run->ops = json_node_init_array (json_node_alloc (), ops);
  if (json_array_get_length (ops) == 0)
    {
      json_array_unref (ops);
      run_ok (run, run->target_id);
      return;
    }
  json_array_unref (ops);
  if (!self->discovery.patch)
    {
      g_clear_pointer (&run->put_body, json_node_unref);
      run->put_body = user_to_json (self, run->op->user, run->manager_id);
    }
  user_modify (run);
}

/* Users: create, and a 409 turned into a match -------------------------------------------------- */

static void user_find (Run *run);

static void
user_found_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  JsonObject *list;
  JsonArray *resources;
  JsonObject *found = NULL;

  if (response == NULL)
    return;
  list = muster_scim_response_get_object (response);
  if (response->status != 200 || list == NULL)
    {
      run_fail_response (run, response);
      return;
    }
  resources = muster_json_get_array (list, "Resources");
  if (resources != NULL && json_array_get_length (resources) > 0 &&
      JSON_NODE_HOLDS_OBJECT (json_array_get_element (resources, 0)))
    found = json_array_get_object_element (resources, 0);

  if (found == NULL || muster_json_get_string (found, "id") == NULL)
    {
      if (!run->by_user_name)
        {
          run->by_user_name = TRUE;
          user_find (run);
          return;
        }
      run_fail_literal (run, MUSTER_TARGET_ERROR_CONFLICT,
                        _("the service says the user exists but finds no one by externalId or userName"));
      return;
    }

  {
    g_autoptr(MusterTargetUser) current = user_from_json (found, NULL);
    g_autoptr(GPtrArray) changes = diff_users (run->op->user, run->manager_id, current);

    g_debug ("%s: already in the service as %s (matched by %s); %u fields to update", run->op->key, current->id,
             run->by_user_name ? "userName" : "externalId", changes->len);
    run->target_id = g_strdup (current->id);
    run->version = g_strdup (current->version);
    remember_user (run->apply->self, run->op->user->external_id, current->id);
    user_modify_changes (run, changes);
  }
}

static void
user_find (Run *run)
{
  MusterScimTarget *self = run->apply->self;
  MusterTargetUser *user = run->op->user;
  g_autofree char *path = NULL;

  if (!run->by_user_name && user->external_id == NULL)
    run->by_user_name = TRUE;
  path = run->by_user_name ? filter_path (self->discovery.users_endpoint, "userName", user->user_name)
                           : filter_path (self->discovery.users_endpoint, "externalId", user->external_id);
  run_request (run, "GET", path, NULL, NULL, user_found_cb);
}

static void
user_read_back_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  JsonObject *object;

  if (response == NULL)
    return;
  object = muster_scim_response_get_object (response);
  /* the user was made; reading it back is only for the log */
  if (response->status == 200 && object != NULL)
    note_dropped (run_user_name (run), json_node_get_object (run->sent), object);
  else
    g_debug ("%s: could not read the new user back (HTTP %u)", run->op->key, response->status);
  run_ok (run, run->target_id);
}

static void
user_created_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;
  MusterScimTarget *self = run->apply->self;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  JsonObject *object;

  if (response == NULL)
    return;
  object = muster_scim_response_get_object (response);

  if (response->status == 201 || response->status == 200)
    {
      const char *id = muster_json_get_string (object, "id");

      run->target_id = id != NULL ? g_strdup (id) : id_from_location (response->location);
      if (run->target_id == NULL)
        {
          run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED,
                            _("the service made the user but gave no id for it"));
          return;
        }
      remember_user (self, run->op->user->external_id, run->target_id);
      if (run->manager_wanted && run->manager_id == NULL)
        g_debug ("%s: made without a manager: the manager is not in the target yet", run->op->key);
      /* a service may drop what it does not know; compare with what it kept */
      if (object != NULL && muster_json_get_string (object, "userName") != NULL)
        {
          note_dropped (run_user_name (run), json_node_get_object (run->sent), object);
          run_ok (run, run->target_id);
        }
      else
        {
          g_autofree char *path = resource_path (self->discovery.users_endpoint, run->target_id);

          run_request (run, "GET", path, NULL, NULL, user_read_back_cb);
        }
      return;
    }

  /* RFC 7644 §3.3: 409 "uniqueness" — someone made the user behind Muster's back */
  if (response->status == 409 && run->op->user->user_name != NULL)
    {
      g_debug ("%s: the service already has the user; matching instead", run->op->key);
      user_find (run);
      return;
    }
  run_fail_response (run, response);
}

static void
user_create (Run *run)
{
  MusterScimTarget *self = run->apply->self;

  run->sent = user_to_json (self, run->op->user, run->manager_id);
  run_request (run, "POST", self->discovery.users_endpoint, run->sent, NULL, user_created_cb);
}

/* Users: disable, delete ------------------------------------------------------------------------- */

static void
user_disable (Run *run)
{
  MusterScimTarget *self = run->apply->self;
  JsonArray *ops = json_array_new ();
  JsonNode *value = json_node_new (JSON_NODE_VALUE);

  json_node_set_boolean (value, FALSE);
  add_patch_op (ops, "replace", "active", value);
  run->ops = json_node_init_array (json_node_alloc (), ops);
  json_array_unref (ops);
  run->version = g_strdup (run->op->user->version);
  if (!self->discovery.patch)
    {
      g_autoptr(MusterTargetUser) disabled = muster_target_user_copy (run->op->user);
      const char *manager = muster_target_user_get_attribute (disabled, MUSTER_ATTR_MANAGER);

      disabled->active = FALSE;
      run->put_body = user_to_json (self, disabled, manager ? g_hash_table_lookup (self->user_ids, manager) : NULL);
    }
  user_modify (run);
}

static void
user_deleted_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);

  if (response == NULL)
    return;
  if (response->status == 204 || response->status == 200 || response->status == 404)
    {
      if (response->status == 404)
        g_debug ("%s: already gone", run->op->key);
      if (run->op->user->external_id != NULL)
        g_hash_table_remove (run->apply->self->user_ids, run->op->user->external_id);
      run_ok (run, run->target_id);
      return;
    }
  run_fail_response (run, response);
}

/* Groups -------------------------------------------------------------------------------------- */

static void group_find (Run *run, gboolean by_name);

static void
group_found_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;
  MusterScimTarget *self = run->apply->self;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  JsonObject *list;
  JsonArray *resources;

  if (response == NULL)
    return;
  list = muster_scim_response_get_object (response);
  if (response->status != 200 || list == NULL)
    {
      run_fail_response (run, response);
      return;
    }
  resources = muster_json_get_array (list, "Resources");
  if (resources == NULL || json_array_get_length (resources) == 0 ||
      !JSON_NODE_HOLDS_OBJECT (json_array_get_element (resources, 0)))
    {
      if (!run->by_user_name)
        {
          group_find (run, TRUE);
          return;
        }
      run_fail_literal (run, MUSTER_TARGET_ERROR_CONFLICT,
                        _("the service says the group exists but finds none by externalId or displayName"));
      return;
    }
  {
    g_autoptr(MusterTargetGroup) group = group_from_json (json_array_get_object_element (resources, 0));

    if (group->id == NULL)
      {
        run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED, _("the service gave a group without an id"));
        return;
      }
    run->target_id = g_strdup (group->id);
    if (run->op->group->external_id != NULL)
      g_hash_table_replace (self->group_ids, g_strdup (run->op->group->external_id), g_strdup (group->id));
    /* members read through a filter may be left out (Entra asks for excludedAttributes=members):
     * read them again before changing any */
    g_hash_table_remove (self->group_members, group->id);
    run_ok (run, group->id);
  }
}

static void
group_find (Run      *run,
            gboolean  by_name)
{
  MusterScimTarget *self = run->apply->self;
  MusterTargetGroup *group = run->op->group;
  g_autofree char *path = NULL;

  if (!by_name && group->external_id == NULL)
    by_name = TRUE;
  if (by_name && group->display_name == NULL)
    {
      run_fail_literal (run, MUSTER_TARGET_ERROR_CONFLICT, _("the service says the group exists"));
      return;
    }
  run->by_user_name = by_name;
  path = by_name ? filter_path (self->discovery.groups_endpoint, "displayName", group->display_name)
                 : filter_path (self->discovery.groups_endpoint, "externalId", group->external_id);
  run_request (run, "GET", path, NULL, NULL, group_found_cb);
}

static void
group_created_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Run *run = user_data;
  MusterScimTarget *self = run->apply->self;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);

  if (response == NULL)
    return;
  if (response->status == 201 || response->status == 200)
    {
      const char *id = muster_json_get_string (muster_scim_response_get_object (response), "id");

      run->target_id = id != NULL ? g_strdup (id) : id_from_location (response->location);
      if (run->target_id == NULL)
        {
          run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED, _("the service made the group but gave no id for it"));
          return;
        }
      if (run->op->group->external_id != NULL)
        g_hash_table_replace (self->group_ids, g_strdup (run->op->group->external_id), g_strdup (run->target_id));
      g_hash_table_replace (self->group_members, g_strdup (run->target_id),
                            g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL));
      run_ok (run, run->target_id);
      return;
    }
  if (response->status == 409)
    {
      group_find (run, FALSE);
      return;
    }
  run_fail_response (run, response);
}

static void
group_create (Run *run)
{
  MusterScimTarget *self = run->apply->self;
  MusterTargetGroup *group = run->op->group;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *object = json_object_new ();
  JsonArray *schemas = json_array_new ();

  json_array_add_string_element (schemas, MUSTER_SCIM_URN_GROUP);
  json_object_set_array_member (object, "schemas", schemas);
  json_object_set_string_member (object, "displayName", group->display_name ? group->display_name : "");
  if (group->external_id != NULL)
    json_object_set_string_member (object, "externalId", group->external_id);
  body = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  run_request (run, "POST", self->discovery.groups_endpoint, body, NULL, group_created_cb);
}

static void
member_patched_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  GHashTable *members;

  if (response == NULL)
    return;
  if (response->status != 200 && response->status != 204)
    {
      run_fail_response (run, response);
      return;
    }
  members = g_hash_table_lookup (run->apply->self->group_members, run->target_id);
  if (members != NULL)
    {
      if (run->op->kind == MUSTER_OPERATION_ADD_MEMBER)
        g_hash_table_add (members, g_strdup (run->member_id));
      else
        g_hash_table_remove (members, run->member_id);
    }
  run_ok (run, run->target_id);
}

static void
member_patch (Run *run)
{
  MusterScimTarget *self = run->apply->self;
  GHashTable *members = g_hash_table_lookup (self->group_members, run->target_id);
  gboolean adding = run->op->kind == MUSTER_OPERATION_ADD_MEMBER;
  g_autofree char *path = resource_path (self->discovery.groups_endpoint, run->target_id);
  g_autoptr(JsonNode) body = NULL;
  JsonObject *object;
  JsonArray *schemas, *ops;

  /* never add a member who is there already (nor remove one who is not) */
  if (members != NULL && g_hash_table_contains (members, run->member_id) == adding)
    {
      g_debug ("%s: nothing to do, %s is %s a member", run->op->key, run->member_id, adding ? "already" : "not");
      run_ok (run, run->target_id);
      return;
    }

  object = json_object_new ();
  schemas = json_array_new ();
  ops = json_array_new ();
  json_array_add_string_element (schemas, MUSTER_SCIM_URN_PATCH_OP);
  json_object_set_array_member (object, "schemas", schemas);
  if (adding)
    {
      JsonArray *value = json_array_new ();
      JsonObject *member = json_object_new ();

      json_object_set_string_member (member, "value", run->member_id);
      json_array_add_object_element (value, member);
      add_patch_op (ops, "add", "members", json_node_init_array (json_node_alloc (), value));
      json_array_unref (value);
    }
  else
    {
      g_autofree char *quoted = muster_scim_quote (run->member_id);
      g_autofree char *member_path = g_strdup_printf ("members[value eq %s]", quoted);

      add_patch_op (ops, "remove", member_path, NULL);
    }
  json_object_set_array_member (object, "Operations", ops);
  body = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  run_request (run, "PATCH", path, body, NULL, member_patched_cb);
}

static void
group_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Run *run = user_data;
  MusterScimTarget *self = run->apply->self;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  JsonObject *object;

  if (response == NULL)
    return;
  object = muster_scim_response_get_object (response);
  if (response->status != 200 || object == NULL)
    {
      run_fail_response (run, response);
      return;
    }
  if (!g_hash_table_contains (self->group_members, run->target_id))
    {
      g_autoptr(MusterTargetGroup) group = group_from_json (object);

      g_hash_table_replace (self->group_members, g_strdup (run->target_id), member_set_copy (group->members));
    }
  member_patch (run);
}

static void
member_change (Run *run)
{
  MusterScimTarget *self = run->apply->self;

  if (!g_hash_table_contains (self->group_members, run->target_id))
    {
      g_autofree char *path = resource_path (self->discovery.groups_endpoint, run->target_id);

      /* learn who is in the group first, so no one is added twice */
      run_request (run, "GET", path, NULL, NULL, group_read_cb);
      return;
    }
  member_patch (run);
}

/* Scheduling ---------------------------------------------------------------------------------- */

/* The target id of the user with Entra id @external_id: known, being made (wait), or neither. */
static Resolve
resolve_user (Run         *run,
              const char  *id,
              const char  *external_id,
              char       **out)
{
  Apply *apply = run->apply;
  const char *known;
  Run *creating;

  if (id != NULL)
    {
      *out = g_strdup (id);
      return RESOLVE_READY;
    }
  known = external_id != NULL ? g_hash_table_lookup (apply->self->user_ids, external_id) : NULL;
  if (known != NULL)
    {
      *out = g_strdup (known);
      return RESOLVE_READY;
    }
  creating = external_id != NULL ? g_hash_table_lookup (apply->user_creates, external_id) : NULL;
  if (creating != NULL && creating != run && creating->state != RUN_DONE)
    return RESOLVE_WAIT;
  return RESOLVE_FAIL;
}

static Resolve
run_resolve (Run *run)
{
  Apply *apply = run->apply;
  MusterOperation *op = run->op;
  MusterScimTarget *self = apply->self;
  Resolve resolve;

  switch (op->kind)
    {
    case MUSTER_OPERATION_CREATE_USER:
    case MUSTER_OPERATION_UPDATE_USER:
      {
        const char *manager = muster_target_user_get_attribute (op->user, MUSTER_ATTR_MANAGER);

        if (op->kind == MUSTER_OPERATION_UPDATE_USER && run->target_id == NULL)
          {
            resolve = resolve_user (run, op->user->id, op->user->external_id, &run->target_id);
            if (resolve == RESOLVE_FAIL)
              run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED, _("the user is not in the target"));
            if (resolve != RESOLVE_READY)
              return resolve;
          }
        if (op->kind == MUSTER_OPERATION_UPDATE_USER)
          {
            gboolean changes_manager = FALSE;

            for (guint i = 0; i < op->changes->len; i++)
              if (g_str_equal (((MusterFieldChange *) g_ptr_array_index (op->changes, i))->field, MUSTER_ATTR_MANAGER))
                changes_manager = TRUE;
            if (!changes_manager)
              manager = NULL;
          }
        run->manager_wanted = manager != NULL && can_send (self, MUSTER_ATTR_MANAGER);
        if (run->manager_wanted && run->manager_id == NULL)
          {
            resolve = resolve_user (run, NULL, manager, &run->manager_id);
            if (resolve == RESOLVE_WAIT && !run->ignore_waits)
              return RESOLVE_WAIT;
          }
        return RESOLVE_READY;
      }

    case MUSTER_OPERATION_DISABLE_USER:
    case MUSTER_OPERATION_DELETE_USER:
      resolve = resolve_user (run, op->user ? op->user->id : NULL, op->user ? op->user->external_id : NULL,
                              &run->target_id);
      if (resolve == RESOLVE_FAIL)
        run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED, _("the user is not in the target"));
      return resolve;

    case MUSTER_OPERATION_CREATE_GROUP:
      if (!self->discovery.groups)
        {
          run_fail_literal (run, MUSTER_TARGET_ERROR_UNSUPPORTED, _("the service offers no groups"));
          return RESOLVE_FAIL;
        }
      return RESOLVE_READY;

    case MUSTER_OPERATION_ADD_MEMBER:
    case MUSTER_OPERATION_REMOVE_MEMBER:
      if (!self->discovery.groups)
        {
          run_fail_literal (run, MUSTER_TARGET_ERROR_UNSUPPORTED, _("the service offers no groups"));
          return RESOLVE_FAIL;
        }
      if (run->target_id == NULL)
        {
          MusterTargetGroup *group = op->group;
          const char *known = NULL;
          Run *creating = NULL;

          if (group != NULL && group->id != NULL)
            known = group->id;
          else if (group != NULL && group->external_id != NULL)
            {
              known = g_hash_table_lookup (self->group_ids, group->external_id);
              creating = g_hash_table_lookup (apply->group_creates, group->external_id);
            }
          if (known == NULL)
            {
              if (creating != NULL && creating->state != RUN_DONE)
                return RESOLVE_WAIT;
              run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED,
                                creating != NULL ? _("the group could not be made") : _("the group is not in the target"));
              return RESOLVE_FAIL;
            }
          run->target_id = g_strdup (known);
        }
      if (run->member_id == NULL)
        {
          resolve = resolve_user (run, op->member_id, op->member_external_id, &run->member_id);
          if (resolve == RESOLVE_FAIL)
            run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED,
                              op->member_external_id != NULL &&
                              g_hash_table_contains (apply->user_creates, op->member_external_id)
                                ? _("the user could not be made") : _("the user is not in the target"));
          return resolve;
        }
      return RESOLVE_READY;

    default:
      g_assert_not_reached ();
    }
}

static void
run_start (Run *run)
{
  switch (run->op->kind)
    {
    case MUSTER_OPERATION_CREATE_USER:
      user_create (run);
      break;
    case MUSTER_OPERATION_UPDATE_USER:
      run->version = g_strdup (run->op->user->version);
      user_modify_changes (run, run->op->changes);
      break;
    case MUSTER_OPERATION_DISABLE_USER:
      user_disable (run);
      break;
    case MUSTER_OPERATION_DELETE_USER:
      {
        g_autofree char *path = resource_path (run->apply->self->discovery.users_endpoint, run->target_id);

        run_request (run, "DELETE", path, NULL, NULL, user_deleted_cb);
      }
      break;
    case MUSTER_OPERATION_CREATE_GROUP:
      group_create (run);
      break;
    case MUSTER_OPERATION_ADD_MEMBER:
    case MUSTER_OPERATION_REMOVE_MEMBER:
      member_change (run);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
pump (Apply *apply)
{
  guint concurrency = apply->self->concurrency;
  gboolean progress = TRUE;

  apply->pumping = TRUE;
  while (progress)
    {
      gboolean stop = apply->fatal != NULL || g_cancellable_is_cancelled (apply->cancellable);
      guint waiting = 0;

      progress = FALSE;
      while (apply->first_pending < apply->runs->len &&
             ((Run *) g_ptr_array_index (apply->runs, apply->first_pending))->state != RUN_PENDING)
        apply->first_pending++;

      for (guint i = apply->first_pending; i < apply->runs->len && (stop || apply->active < concurrency); i++)
        {
          Run *run = g_ptr_array_index (apply->runs, i);

          if (run->state != RUN_PENDING)
            continue;
          if (stop)
            {
              GError *error = apply->fatal != NULL ? g_error_copy (apply->fatal)
                                                   : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                                          _("The push was cancelled"));
              run->result = muster_operation_result_new_failed (run->op, error);
              g_error_free (error);
              run->state = RUN_DONE;
              apply->done++;
              continue;
            }
          switch (run_resolve (run))
            {
            case RESOLVE_READY:
              run->state = RUN_ACTIVE;
              apply->active++;
              progress = TRUE;
              run_start (run);
              break;
            case RESOLVE_WAIT:
              waiting++;
              break;
            case RESOLVE_FAIL:
              /* run_resolve() settled it */
              progress = TRUE;
              break;
            }
        }

      /* only waiting runs left and nothing in flight: managers that wait for each other */
      if (!stop && !progress && apply->active == 0 && waiting > 0)
        {
          for (guint i = apply->first_pending; i < apply->runs->len; i++)
            {
              Run *run = g_ptr_array_index (apply->runs, i);

              if (run->state == RUN_PENDING)
                {
                  run->ignore_waits = TRUE;
                  progress = TRUE;
                  break;
                }
            }
        }
    }
  apply->pumping = FALSE;
  apply_return (apply);
}

static void
apply_discovered_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Apply *apply = user_data;
  GError *error = NULL;

  if (!discover_finish (MUSTER_SCIM_TARGET (source), result, &error))
    {
      GTask *task = apply->task;

      /* cancelled before anything was sent: every operation is a cancelled result */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_error_free (error);
          pump (apply);
          return;
        }
      apply->returned = TRUE;
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  pump (apply);
}

static void
muster_scim_target_apply_async (MusterTarget        *target,
                                const char          *run_id,
                                GPtrArray           *operations,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  MusterScimTarget *self = MUSTER_SCIM_TARGET (target);
  Apply *apply = g_new0 (Apply, 1);

  apply->self = g_object_ref (self);
  apply->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (apply->task, muster_scim_target_apply_async);
  /* cancelled, it still returns a result per operation */
  g_task_set_check_cancellable (apply->task, FALSE);
  g_task_set_task_data (apply->task, apply, (GDestroyNotify) apply_free);
  /* a private cancellable would not do: cancelling must reach requests in flight */
  apply->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  apply->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) run_free);
  apply->user_creates = g_hash_table_new (g_str_hash, g_str_equal);
  apply->group_creates = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < operations->len; i++)
    {
      MusterOperation *op = g_ptr_array_index (operations, i);
      Run *run = g_new0 (Run, 1);

      run->apply = apply;
      run->op = muster_operation_ref (op);
      g_ptr_array_add (apply->runs, run);
      if (op->kind == MUSTER_OPERATION_CREATE_USER && op->user != NULL && op->user->external_id != NULL)
        g_hash_table_insert (apply->user_creates, op->user->external_id, run);
      if (op->kind == MUSTER_OPERATION_CREATE_GROUP && op->group != NULL && op->group->external_id != NULL)
        g_hash_table_insert (apply->group_creates, op->group->external_id, run);
    }
  g_debug ("Applying %u operations of run %s", operations->len, run_id ? run_id : "-");
  discover_async (self, FALSE, apply->cancellable, apply_discovered_cb, apply);
}

static GPtrArray *
muster_scim_target_apply_finish (MusterTarget  *target,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, target), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- the rest of the interface ---------------------------------------------------------------- */

static char *
muster_scim_target_describe (MusterTarget *target)
{
  MusterScimTarget *self = MUSTER_SCIM_TARGET (target);

  return g_strdup_printf (_("SCIM service %s"), muster_scim_client_get_base_url (self->client));
}

static char *
muster_scim_target_get_uri (MusterTarget *target)
{
  MusterScimTarget *self = MUSTER_SCIM_TARGET (target);

  return g_strconcat ("scim:", muster_scim_client_get_base_url (self->client), NULL);
}

static MusterTargetFeatures
muster_scim_target_get_features (MusterTarget *target)
{
  MusterScimTarget *self = MUSTER_SCIM_TARGET (target);
  Discovery *d = &self->discovery;
  MusterTargetFeatures features = 0;

  if (!d->done)
    return 0;
  /* DELETE on a resource is part of the core protocol (RFC 7644 §3.6) */
  features |= MUSTER_TARGET_FEATURE_DELETE;
  if (d->groups)
    features |= MUSTER_TARGET_FEATURE_GROUPS;
  if (d->roles)
    features |= MUSTER_TARGET_FEATURE_ROLES;
  if (d->user_type)
    features |= MUSTER_TARGET_FEATURE_USER_TYPE;
  if (d->enterprise)
    features |= MUSTER_TARGET_FEATURE_ENTERPRISE;
  if (d->etags)
    features |= MUSTER_TARGET_FEATURE_ETAGS;
  if (d->bulk)
    features |= MUSTER_TARGET_FEATURE_BULK;
  return features;
}

static void
muster_scim_target_iface_init (MusterTargetInterface *iface)
{
  iface->describe = muster_scim_target_describe;
  iface->get_uri = muster_scim_target_get_uri;
  iface->get_features = muster_scim_target_get_features;
  iface->read_state_async = muster_scim_target_read_state_async;
  iface->read_state_finish = muster_scim_target_read_state_finish;
  iface->apply_async = muster_scim_target_apply_async;
  iface->apply_finish = muster_scim_target_apply_finish;
}

static void
muster_scim_target_finalize (GObject *object)
{
  MusterScimTarget *self = MUSTER_SCIM_TARGET (object);

  g_clear_object (&self->client);
  g_strfreev (self->roles);
  discovery_clear (&self->discovery);
  g_hash_table_unref (self->user_ids);
  g_hash_table_unref (self->group_ids);
  g_hash_table_unref (self->group_members);
  G_OBJECT_CLASS (muster_scim_target_parent_class)->finalize (object);
}

static void
muster_scim_target_class_init (MusterScimTargetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = muster_scim_target_finalize;
}

static void
muster_scim_target_init (MusterScimTarget *self)
{
  self->concurrency = 8;
  self->roles = g_new0 (char *, 1);
  self->user_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->group_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->group_members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
}

/* --- public API ------------------------------------------------------------------------------- */

MusterScimTarget *
muster_scim_target_new (const char  *base_url,
                        const char  *token,
                        GError     **error)
{
  g_autoptr(MusterScimClient) client = NULL;
  MusterScimTarget *self;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  client = muster_scim_client_new (base_url, token, error);
  if (client == NULL)
    return NULL;
  self = g_object_new (MUSTER_TYPE_SCIM_TARGET, NULL);
  self->client = g_steal_pointer (&client);
  return self;
}

void
muster_scim_target_set_roles (MusterScimTarget   *self,
                              const char * const *roles)
{
  g_autoptr(MusterTargetUser) sorter = muster_target_user_new ();

  g_return_if_fail (MUSTER_IS_SCIM_TARGET (self));

  muster_target_user_set_roles (sorter, roles);
  g_strfreev (self->roles);
  self->roles = g_strdupv (sorter->roles);
}

void
muster_scim_target_set_concurrency (MusterScimTarget *self,
                                    guint             n)
{
  g_return_if_fail (MUSTER_IS_SCIM_TARGET (self));

  self->concurrency = CLAMP (n, 1, 64);
  muster_scim_client_set_connections (self->client, self->concurrency);
}

guint
muster_scim_target_get_concurrency (MusterScimTarget *self)
{
  g_return_val_if_fail (MUSTER_IS_SCIM_TARGET (self), 0);
  return self->concurrency;
}

static void
test_users_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(MusterScimResponse) response = NULL;
  GError *error = NULL;

  response = muster_scim_client_request_finish (MUSTER_SCIM_CLIENT (source), result, &error);
  if (response == NULL)
    g_task_return_error (task, error);
  else if (response->status != 200 || muster_scim_response_get_object (response) == NULL)
    g_task_return_error (task, muster_scim_response_to_error (response, _("Reading users")));
  else
    g_task_return_boolean (task, TRUE);
}

static void
test_discovered_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterScimTarget *self = MUSTER_SCIM_TARGET (source);
  g_autofree char *path = NULL;
  GError *error = NULL;

  if (!discover_finish (self, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  path = g_strdup_printf ("%s?startIndex=1&count=1", self->discovery.users_endpoint);
  muster_scim_client_request_async (self->client, "GET", path, NULL, NULL, g_task_get_cancellable (task),
                                    test_users_cb, g_object_ref (task));
}

void
muster_scim_target_test_connection_async (MusterScimTarget    *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MUSTER_IS_SCIM_TARGET (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_scim_target_test_connection_async);
  discover_async (self, TRUE, cancellable, test_discovered_cb, task);
}

gboolean
muster_scim_target_test_connection_finish (MusterScimTarget  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
