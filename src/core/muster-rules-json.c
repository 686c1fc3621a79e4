/* muster-rules-json.c: the JSON form of a profile's sync rules
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading rules from JSON (every error naming the member at fault) and writing them back, as a
 * JsonNode or as the text of a rules file. The rules themselves and their file are
 * muster-rules.c's.
 */

#define G_LOG_DOMAIN "muster-rules"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-json.h"
#include "muster-rules-private.h"
#include "muster-target.h"

/* JSON reading --------------------------------------------------------------------------------
 *
 * Every error names the member by its path ("groupRules[2].userType"), and a member the format
 * does not have is an error too: a typo in a rules file must not silently do nothing. */

gboolean
_muster_rules_invalid (GError    **error,
                       const char *path,
                       const char *format,
                       ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* Translators: "groupRules[2].userType: “boss” is not a user type" */
  g_set_error (error, MUSTER_RULES_ERROR, MUSTER_RULES_ERROR_INVALID, _("%s: %s"), path, message);
  return FALSE;
}

char *
_muster_rules_member_path (const char *parent,
                           const char *name)
{
  return parent != NULL && *parent != '\0' ? g_strconcat (parent, ".", name, NULL) : g_strdup (name);
}

static gboolean
check_members (JsonObject         *object,
               const char         *path,
               const char * const *known,
               GError            **error)
{
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      {
        g_autofree char *where = _muster_rules_member_path (path, l->data);
        g_autofree char *list = g_strjoinv (", ", (char **) known);

        return _muster_rules_invalid (error, where, _("there is no such setting (known here: %s)"), list);
      }
  return TRUE;
}

static gboolean
get_object (JsonNode    *node,
            const char  *path,
            JsonObject **object,
            GError     **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return _muster_rules_invalid (error, path != NULL && *path != '\0' ? path : _("the document"),
                                  _("must be an object"));
  *object = json_node_get_object (node);
  return TRUE;
}

static gboolean
read_bool (JsonObject  *object,
           const char  *parent,
           const char  *name,
           gboolean    *value,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_autofree char *where = _muster_rules_member_path (parent, name);
      return _muster_rules_invalid (error, where, _("must be true or false"));
    }
  *value = json_node_get_boolean (node);
  return TRUE;
}

/* A string member; NULL stays NULL when @nullable. */
static gboolean
read_string (JsonObject  *object,
             const char  *parent,
             const char  *name,
             gboolean     nullable,
             gboolean     required,
             const char **value,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autofree char *where = _muster_rules_member_path (parent, name);

  if (node == NULL)
    {
      if (required)
        return _muster_rules_invalid (error, where, _("is missing"));
      return TRUE;
    }
  if (JSON_NODE_HOLDS_NULL (node) && nullable)
    {
      *value = NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return _muster_rules_invalid (error, where, _("must be a string"));
  *value = json_node_get_string (node);
  if (required && **value == '\0')
    return _muster_rules_invalid (error, where, _("must not be empty"));
  return TRUE;
}

static gboolean
read_uint (JsonObject  *object,
           const char  *parent,
           const char  *name,
           guint        max,
           guint       *value,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 number;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      (number = json_node_get_int (node)) < 0 || number > max)
    {
      g_autofree char *where = _muster_rules_member_path (parent, name);
      return _muster_rules_invalid (error, where, _("must be a whole number from 0 to %u"), max);
    }
  *value = number;
  return TRUE;
}

/* A list of strings; *@value is a new NULL-terminated array (empty strings refused). */
static gboolean
read_strv (JsonObject  *object,
           const char  *parent,
           const char  *name,
           char      ***value,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autofree char *where = _muster_rules_member_path (parent, name);
  g_autoptr(GPtrArray) strings = NULL;
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return _muster_rules_invalid (error, where, _("must be a list of strings"));
  array = json_node_get_array (node);
  strings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *at = g_strdup_printf ("%s[%u]", where, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return _muster_rules_invalid (error, at, _("must be a string"));
      if (*json_node_get_string (element) == '\0')
        return _muster_rules_invalid (error, at, _("must not be empty"));
      g_ptr_array_add (strings, g_strdup (json_node_get_string (element)));
    }
  g_ptr_array_add (strings, NULL);
  g_strfreev (*value);
  *value = (char **) g_ptr_array_free (g_steal_pointer (&strings), FALSE);
  return TRUE;
}

static gboolean
read_user_type (JsonObject     *object,
                const char     *parent,
                gboolean       *has_type,
                MusterUserType *type,
                GError        **error)
{
  const char *name = NULL;
  JsonNode *node = json_object_get_member (object, "userType");
  g_autofree char *where = _muster_rules_member_path (parent, "userType");

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!read_string (object, parent, "userType", FALSE, FALSE, &name, error))
    return FALSE;
  if (!muster_user_type_from_string (name, type))
    return _muster_rules_invalid (error, where,
                                  _("“%s” is not a user type (use user, administrator or billing-administrator)"),
                                  name);
  if (has_type != NULL)
    *has_type = TRUE;
  return TRUE;
}

static gboolean
read_roles (JsonObject  *object,
            const char  *parent,
            char      ***roles,
            GError     **error)
{
  g_auto(GStrv) raw = NULL;

  if (!read_strv (object, parent, "roles", &raw, error))
    return FALSE;
  if (raw != NULL)
    {
      g_strfreev (*roles);
      *roles = _muster_rules_normalize_roles ((const char * const *) raw);
    }
  return TRUE;
}

static gboolean
read_filter (MusterRules *self,
             JsonNode    *node,
             GError     **error)
{
  static const char * const known[] = { "groups", "nested", "groupKind", "excludeUnlicensed", "excludeDisabled",
                                        "excludeGuests", "denyList", "search", "emailMethod", NULL };
  JsonObject *object = NULL;
  const char *kind = NULL;
  const char *method = NULL;
  const char *search = NULL;

  if (!get_object (node, "filter", &object, error) ||
      !check_members (object, "filter", known, error) ||
      !read_strv (object, "filter", "groups", &self->groups, error) ||
      !read_bool (object, "filter", "nested", &self->nested, error) ||
      !read_bool (object, "filter", "excludeUnlicensed", &self->exclude_unlicensed, error) ||
      !read_bool (object, "filter", "excludeDisabled", &self->exclude_disabled, error) ||
      !read_bool (object, "filter", "excludeGuests", &self->exclude_guests, error) ||
      !read_strv (object, "filter", "denyList", &self->deny_list, error) ||
      !read_string (object, "filter", "search", TRUE, FALSE, &search, error) ||
      !read_string (object, "filter", "groupKind", TRUE, FALSE, &kind, error) ||
      !read_string (object, "filter", "emailMethod", FALSE, FALSE, &method, error))
    return FALSE;

  if (self->groups != NULL && self->groups[0] == NULL)
    g_clear_pointer (&self->groups, g_strfreev);
  if (self->deny_list != NULL && self->deny_list[0] == NULL)
    g_clear_pointer (&self->deny_list, g_strfreev);
  if (kind != NULL)
    {
      MusterGroupKind value;

      if (!muster_group_kind_from_string (kind, &value))
        return _muster_rules_invalid (error, "filter.groupKind",
                                      _("“%s” is not a group kind (use security, mail-security, distribution or microsoft365)"),
                                      kind);
      self->group_kind = value;
    }
  if (method != NULL && !muster_email_method_from_string (method, &self->email_method))
    return _muster_rules_invalid (error, "filter.emailMethod",
                                  _("“%s” is not an email method (use upn, mail or mail-or-upn)"), method);
  if (search != NULL && *search != '\0')
    self->search = g_strdup (search);
  return TRUE;
}

static gboolean
read_defaults (MusterRules *self,
               JsonNode    *node,
               GError     **error)
{
  static const char * const known[] = { "userType", "roles", NULL };
  JsonObject *object = NULL;

  return get_object (node, "defaults", &object, error) &&
         check_members (object, "defaults", known, error) &&
         read_user_type (object, "defaults", NULL, &self->default_type, error) &&
         read_roles (object, "defaults", &self->default_roles, error);
}

static gboolean
read_array (JsonObject  *root,
            const char  *name,
            JsonArray  **array,
            GError     **error)
{
  JsonNode *node = json_object_get_member (root, name);

  *array = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return _muster_rules_invalid (error, name, _("must be a list"));
  *array = json_node_get_array (node);
  return TRUE;
}

static gboolean
read_group_rules (MusterRules *self,
                  JsonArray   *array,
                  GError     **error)
{
  static const char * const known[] = { "group", "nested", "userType", "roles", NULL };

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("groupRules[%u]", i);
      g_autoptr(MusterGroupRule) rule = g_new0 (MusterGroupRule, 1);
      const char *group = NULL;
      JsonObject *object = NULL;

      rule->nested = TRUE;
      rule->roles = g_new0 (char *, 1);
      if (!get_object (json_array_get_element (array, i), path, &object, error) ||
          !check_members (object, path, known, error) ||
          !read_string (object, path, "group", FALSE, TRUE, &group, error) ||
          !read_bool (object, path, "nested", &rule->nested, error) ||
          !read_user_type (object, path, &rule->has_user_type, &rule->user_type, error) ||
          !read_roles (object, path, &rule->roles, error))
        return FALSE;
      if (_muster_rules_find_group_rule (self, group) >= 0)
        {
          g_autofree char *where = _muster_rules_member_path (path, "group");
          return _muster_rules_invalid (error, where, _("“%s” already has a rule above"), group);
        }
      rule->group = g_strdup (group);
      g_ptr_array_add (self->group_rules, g_steal_pointer (&rule));
    }
  return TRUE;
}

static gboolean
read_user_overrides (MusterRules *self,
                     JsonArray   *array,
                     GError     **error)
{
  static const char * const known[] = { "user", "userType", "roles", "always", NULL };

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("userOverrides[%u]", i);
      g_autoptr(MusterUserOverride) override = g_new0 (MusterUserOverride, 1);
      const char *user = NULL;
      const char *always = NULL;
      JsonObject *object = NULL;
      gboolean found;
      guint position;

      if (!get_object (json_array_get_element (array, i), path, &object, error) ||
          !check_members (object, path, known, error) ||
          !read_string (object, path, "user", FALSE, TRUE, &user, error) ||
          !read_user_type (object, path, &override->has_user_type, &override->user_type, error) ||
          !read_string (object, path, "always", TRUE, FALSE, &always, error))
        return FALSE;
      if (json_object_has_member (object, "roles") && !json_object_get_null_member (object, "roles"))
        {
          override->roles = g_new0 (char *, 1);
          if (!read_roles (object, path, &override->roles, error))
            return FALSE;
        }
      if (always == NULL)
        override->scope = MUSTER_USER_SCOPE_RULES;
      else if (g_str_equal (always, "include"))
        override->scope = MUSTER_USER_SCOPE_ALWAYS_INCLUDE;
      else if (g_str_equal (always, "exclude"))
        override->scope = MUSTER_USER_SCOPE_ALWAYS_EXCLUDE;
      else
        {
          g_autofree char *where = _muster_rules_member_path (path, "always");
          return _muster_rules_invalid (error, where, _("“%s” is neither include nor exclude"), always);
        }

      position = _muster_rules_find_override (self, user, &found);
      if (found)
        {
          g_autofree char *where = _muster_rules_member_path (path, "user");
          return _muster_rules_invalid (error, where, _("“%s” already has an override above"), user);
        }
      override->user_id = g_strdup (user);
      g_ptr_array_insert (self->overrides, position, g_steal_pointer (&override));
    }
  return TRUE;
}

static gboolean
read_field_mapping (MusterRules *self,
                    JsonArray   *array,
                    GError     **error)
{
  static const char * const known[] = { "source", "attribute", NULL };
  g_autoptr(GPtrArray) mapping =
    g_ptr_array_new_with_free_func ((GDestroyNotify) _muster_rules_field_mapping_free);

  if (array == NULL)
    return TRUE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("fieldMapping[%u]", i);
      const char *source = NULL;
      const char *attribute = NULL;
      JsonObject *object = NULL;

      if (!get_object (json_array_get_element (array, i), path, &object, error) ||
          !check_members (object, path, known, error) ||
          !read_string (object, path, "source", FALSE, TRUE, &source, error) ||
          !read_string (object, path, "attribute", FALSE, TRUE, &attribute, error))
        return FALSE;
      if (_muster_rules_field_source_index (source) < 0)
        {
          g_autofree char *where = _muster_rules_member_path (path, "source");
          g_autofree char *list = g_strjoinv (", ", (char **) muster_rules_field_sources ());
          return _muster_rules_invalid (error, where, _("“%s” is not a field Muster reads (use one of %s)"),
                                        source, list);
        }
      if (!muster_target_attribute_is_valid (attribute))
        {
          g_autofree char *where = _muster_rules_member_path (path, "attribute");
          g_autofree char *list = g_strjoinv (", ", (char **) muster_target_attribute_names ());
          return _muster_rules_invalid (error, where, _("“%s” is not a target attribute (use one of %s)"),
                                        attribute, list);
        }
      for (guint k = 0; k < mapping->len; k++)
        if (g_str_equal (((MusterFieldMapping *) mapping->pdata[k])->attribute, attribute))
          {
            g_autofree char *where = _muster_rules_member_path (path, "attribute");
            return _muster_rules_invalid (error, where, _("“%s” is already filled by fieldMapping[%u]"),
                                          attribute, k);
          }
      g_ptr_array_add (mapping, _muster_rules_field_mapping_new (source, attribute));
    }
  g_ptr_array_unref (self->field_mapping);
  self->field_mapping = g_steal_pointer (&mapping);
  return TRUE;
}

static gboolean
read_group_mapping (MusterRules *self,
                    JsonArray   *array,
                    GError     **error)
{
  static const char * const known[] = { "group", "targetGroup", "nested", NULL };

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("groupMapping[%u]", i);
      const char *group = NULL;
      const char *target = NULL;
      gboolean nested = TRUE;
      JsonObject *object = NULL;

      if (!get_object (json_array_get_element (array, i), path, &object, error) ||
          !check_members (object, path, known, error) ||
          !read_string (object, path, "group", FALSE, TRUE, &group, error) ||
          !read_string (object, path, "targetGroup", FALSE, TRUE, &target, error) ||
          !read_bool (object, path, "nested", &nested, error))
        return FALSE;
      if (_muster_rules_find_group_mapping (self, group) >= 0)
        {
          g_autofree char *where = _muster_rules_member_path (path, "group");
          return _muster_rules_invalid (error, where, _("“%s” is already mapped above"), group);
        }
      muster_rules_set_group_mapping (self, group, target, nested);
    }
  return TRUE;
}

static gboolean
read_safety_limit (MusterRules *self,
                   JsonNode    *node,
                   GError     **error)
{
  static const char * const known[] = { "count", "percent", NULL };
  JsonObject *object = NULL;

  return get_object (node, "safetyLimit", &object, error) &&
         check_members (object, "safetyLimit", known, error) &&
         read_uint (object, "safetyLimit", "count", 10000000, &self->limit_count, error) &&
         read_uint (object, "safetyLimit", "percent", 100, &self->limit_percent, error);
}

/* JSON writing ------------------------------------------------------------------------------- */

static const char *
scope_to_string (MusterUserScope scope)
{
  switch (scope)
    {
    case MUSTER_USER_SCOPE_ALWAYS_INCLUDE:
      return "include";
    case MUSTER_USER_SCOPE_ALWAYS_EXCLUDE:
      return "exclude";
    case MUSTER_USER_SCOPE_RULES:
    default:
      return NULL;
    }
}

static void
add_strv (JsonBuilder        *builder,
          const char         *name,
          const char * const *strv)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (gsize i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

/* Public API --------------------------------------------------------------------------------- */

/**
 * muster_rules_new_from_json:
 *
 * Members left out take their defaults; a member the format does not have, a value of the wrong
 * kind, an unknown user type, group kind, email method, field or attribute is an error naming
 * the member ("groupRules[2].userType: “boss” is not a user type …").
 */
MusterRules *
muster_rules_new_from_json (JsonNode  *node,
                            GError   **error)
{
  static const char * const known[] = { "version", "filter", "onlyNew", "defaults", "groupRules", "userOverrides",
                                        "fieldMapping", "groupMapping", "safetyLimit", NULL };
  g_autoptr(MusterRules) self = muster_rules_new ();
  JsonObject *root;
  JsonNode *member;
  JsonArray *array;
  guint version = 0;

  g_return_val_if_fail (node != NULL, NULL);

  if (!get_object (node, NULL, &root, error))
    return NULL;
  if (!json_object_has_member (root, "version"))
    {
      _muster_rules_invalid (error, "version", _("is missing (rules files start with \"version\": %d)"),
                             MUSTER_RULES_VERSION);
      return NULL;
    }
  if (!read_uint (root, NULL, "version", G_MAXINT, &version, error))
    return NULL;
  if (version > MUSTER_RULES_VERSION)
    {
      g_set_error (error, MUSTER_RULES_ERROR, MUSTER_RULES_ERROR_VERSION,
                   _("version: these rules are version %u, written by a newer Muster; this one reads up to version %d"),
                   version, MUSTER_RULES_VERSION);
      return NULL;
    }
  if (version < 1)
    {
      _muster_rules_invalid (error, "version", _("must be %d"), MUSTER_RULES_VERSION);
      return NULL;
    }
  if (!check_members (root, NULL, known, error))
    return NULL;

  if ((member = json_object_get_member (root, "filter")) != NULL && !read_filter (self, member, error))
    return NULL;
  if (!read_bool (root, NULL, "onlyNew", &self->only_new, error))
    return NULL;
  if ((member = json_object_get_member (root, "defaults")) != NULL && !read_defaults (self, member, error))
    return NULL;
  if (!read_array (root, "groupRules", &array, error) || !read_group_rules (self, array, error))
    return NULL;
  if (!read_array (root, "userOverrides", &array, error) || !read_user_overrides (self, array, error))
    return NULL;
  if (!read_array (root, "fieldMapping", &array, error) || !read_field_mapping (self, array, error))
    return NULL;
  if (!read_array (root, "groupMapping", &array, error) || !read_group_mapping (self, array, error))
    return NULL;
  if ((member = json_object_get_member (root, "safetyLimit")) != NULL && !read_safety_limit (self, member, error))
    return NULL;

  return g_steal_pointer (&self);
}

JsonNode *
muster_rules_to_json (MusterRules *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, MUSTER_RULES_VERSION);

  json_builder_set_member_name (builder, "filter");
  json_builder_begin_object (builder);
  add_strv (builder, "groups", (const char * const *) self->groups);
  add_bool (builder, "nested", self->nested);
  add_string (builder, "groupKind", self->group_kind >= 0 ? muster_group_kind_to_string (self->group_kind) : NULL);
  add_bool (builder, "excludeUnlicensed", self->exclude_unlicensed);
  add_bool (builder, "excludeDisabled", self->exclude_disabled);
  add_bool (builder, "excludeGuests", self->exclude_guests);
  add_strv (builder, "denyList", (const char * const *) self->deny_list);
  add_string (builder, "search", self->search);
  add_string (builder, "emailMethod", muster_email_method_to_string (self->email_method));
  json_builder_end_object (builder);

  add_bool (builder, "onlyNew", self->only_new);

  json_builder_set_member_name (builder, "defaults");
  json_builder_begin_object (builder);
  add_string (builder, "userType", muster_user_type_to_string (self->default_type));
  add_strv (builder, "roles", (const char * const *) self->default_roles);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "groupRules");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->group_rules->len; i++)
    {
      const MusterGroupRule *rule = self->group_rules->pdata[i];

      json_builder_begin_object (builder);
      add_string (builder, "group", rule->group);
      add_bool (builder, "nested", rule->nested);
      add_string (builder, "userType", rule->has_user_type ? muster_user_type_to_string (rule->user_type) : NULL);
      add_strv (builder, "roles", (const char * const *) rule->roles);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "userOverrides");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->overrides->len; i++)
    {
      const MusterUserOverride *override = self->overrides->pdata[i];

      json_builder_begin_object (builder);
      add_string (builder, "user", override->user_id);
      add_string (builder, "userType",
                  override->has_user_type ? muster_user_type_to_string (override->user_type) : NULL);
      if (override->roles != NULL)
        add_strv (builder, "roles", (const char * const *) override->roles);
      else
        add_string (builder, "roles", NULL);
      add_string (builder, "always", scope_to_string (override->scope));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "fieldMapping");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->field_mapping->len; i++)
    {
      const MusterFieldMapping *mapping = self->field_mapping->pdata[i];

      json_builder_begin_object (builder);
      add_string (builder, "source", mapping->source);
      add_string (builder, "attribute", mapping->attribute);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "groupMapping");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->group_mapping->len; i++)
    {
      const MusterGroupMapping *mapping = self->group_mapping->pdata[i];

      json_builder_begin_object (builder);
      add_string (builder, "group", mapping->group);
      add_string (builder, "targetGroup", mapping->target_group);
      add_bool (builder, "nested", mapping->nested);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "safetyLimit");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, self->limit_count);
  json_builder_set_member_name (builder, "percent");
  json_builder_add_int_value (builder, self->limit_percent);
  json_builder_end_object (builder);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

MusterRules *
muster_rules_new_from_data (const char  *data,
                            gssize       length,
                            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  /* json-glib recurses once per level: refuse deep nesting before it sees the file */
  if (!muster_json_check_depth (data, length, MUSTER_JSON_MAX_DEPTH, &local_error)
      || !json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, MUSTER_RULES_ERROR, MUSTER_RULES_ERROR_INVALID,
                   _("The rules are not valid JSON: %s"), local_error->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, MUSTER_RULES_ERROR, MUSTER_RULES_ERROR_INVALID, _("The rules are empty"));
      return NULL;
    }
  return muster_rules_new_from_json (json_parser_get_root (parser), error);
}

char *
muster_rules_to_data (MusterRules *self,
                      gsize       *length)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *data = NULL;
  char *text;

  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);

  node = muster_rules_to_json (self);
  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  data = json_generator_to_data (generator, NULL);
  text = g_strconcat (data, "\n", NULL);
  if (length != NULL)
    *length = strlen (text);
  return text;
}
