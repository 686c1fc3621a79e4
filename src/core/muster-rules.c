/* muster-rules.c: a profile's sync rules, their JSON form and their file
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-rules"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "muster-json.h"
#include "muster-profile-store.h"
#include "muster-rules-private.h"
#include "muster-snapshot-private.h"
#include "muster-target.h"

struct _MusterRules
{
  GObject            parent_instance;

  /* the filter */
  char             **groups;
  gboolean           nested;
  int                group_kind;
  gboolean           exclude_unlicensed;
  gboolean           exclude_disabled;
  gboolean           exclude_guests;
  char             **deny_list;
  char              *search;
  MusterEmailMethod  email_method;

  gboolean           only_new;
  MusterUserType     default_type;
  char             **default_roles;
  GPtrArray         *group_rules;     /* of MusterGroupRule, in priority order */
  GPtrArray         *overrides;       /* of MusterUserOverride, sorted by user id */
  GPtrArray         *field_mapping;   /* of MusterFieldMapping */
  GPtrArray         *group_mapping;   /* of MusterGroupMapping */
  guint              limit_count;
  guint              limit_percent;
};

G_DEFINE_FINAL_TYPE (MusterRules, muster_rules, G_TYPE_OBJECT)
G_DEFINE_QUARK (muster-rules-error-quark, muster_rules_error)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The Graph fields a mapping reads, in muster_rules_field_sources() order. */
enum
{
  SOURCE_DISPLAY_NAME,
  SOURCE_GIVEN_NAME,
  SOURCE_SURNAME,
  SOURCE_EMAIL,
  SOURCE_USER_PRINCIPAL_NAME,
  SOURCE_MAIL,
  SOURCE_JOB_TITLE,
  SOURCE_DEPARTMENT,
  SOURCE_COMPANY_NAME,
  SOURCE_MANAGER,
  SOURCE_EMPLOYEE_ID,
  SOURCE_MOBILE_PHONE,
  SOURCE_BUSINESS_PHONE,
  SOURCE_OFFICE_LOCATION,
  N_SOURCES
};

static const char * const field_sources[N_SOURCES + 1] = {
  "displayName", "givenName", "surname", "email", "userPrincipalName", "mail", "jobTitle",
  "department", "companyName", "manager", "employeeId", "mobilePhone", "businessPhone",
  "officeLocation", NULL
};

static const struct
{
  const char *source;
  const char *attribute;
} default_field_mapping[] = {
  { "displayName", MUSTER_ATTR_DISPLAY_NAME },
  { "givenName", MUSTER_ATTR_GIVEN_NAME },
  { "surname", MUSTER_ATTR_FAMILY_NAME },
  { "email", MUSTER_ATTR_EMAIL },
  { "jobTitle", MUSTER_ATTR_TITLE },
  { "department", MUSTER_ATTR_DEPARTMENT },
  { "manager", MUSTER_ATTR_MANAGER },
  { "employeeId", MUSTER_ATTR_EMPLOYEE_NUMBER },
  { "mobilePhone", MUSTER_ATTR_MOBILE_PHONE },
  { "officeLocation", MUSTER_ATTR_OFFICE_LOCATION },
};

/* Helpers ------------------------------------------------------------------------------------ */

static void
emit_changed (MusterRules *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Roles are kept sorted, without duplicates or empty strings, as MusterTargetUser keeps them. */
char **
_muster_rules_normalize_roles (const char * const *roles)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; roles != NULL && roles[i] != NULL; i++)
    {
      g_autofree char *role = g_strstrip (g_strdup (roles[i]));

      if (*role != '\0')
        g_ptr_array_add (kept, g_steal_pointer (&role));
    }
  g_ptr_array_sort (kept, compare_strings);
  for (guint i = 1; i < kept->len;)
    {
      if (g_str_equal (kept->pdata[i - 1], kept->pdata[i]))
        g_ptr_array_remove_index (kept, i);
      else
        i++;
    }
  g_ptr_array_add (kept, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&kept), FALSE);
}

static char **
dup_strv_or_null (const char * const *strv)
{
  if (strv == NULL || strv[0] == NULL)
    return NULL;
  return g_strdupv ((char **) strv);
}

static gboolean
strv_equal0 (const char * const *a,
             const char * const *b)
{
  if (a == NULL || b == NULL)
    return (a == NULL || a[0] == NULL) && (b == NULL || b[0] == NULL);
  return g_strv_equal (a, b);
}

static void
group_rule_free (MusterGroupRule *rule)
{
  g_free (rule->group);
  g_strfreev (rule->roles);
  g_free (rule);
}

static void
user_override_free (MusterUserOverride *override)
{
  g_free (override->user_id);
  g_strfreev (override->roles);
  g_free (override);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterGroupRule, group_rule_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterUserOverride, user_override_free)

static void
field_mapping_free (MusterFieldMapping *mapping)
{
  g_free (mapping->source);
  g_free (mapping->attribute);
  g_free (mapping);
}

static void
group_mapping_free (MusterGroupMapping *mapping)
{
  g_free (mapping->group);
  g_free (mapping->target_group);
  g_free (mapping);
}

static MusterFieldMapping *
field_mapping_new (const char *source,
                   const char *attribute)
{
  MusterFieldMapping *mapping = g_new0 (MusterFieldMapping, 1);

  mapping->source = g_strdup (source);
  mapping->attribute = g_strdup (attribute);
  return mapping;
}

static int
find_group_rule (MusterRules *self,
                 const char  *group)
{
  for (guint i = 0; i < self->group_rules->len; i++)
    if (g_str_equal (((MusterGroupRule *) self->group_rules->pdata[i])->group, group))
      return i;
  return -1;
}

static int
find_group_mapping (MusterRules *self,
                    const char  *group)
{
  for (guint i = 0; i < self->group_mapping->len; i++)
    if (g_str_equal (((MusterGroupMapping *) self->group_mapping->pdata[i])->group, group))
      return i;
  return -1;
}

/* The position of @user_id in the sorted overrides, or where it would go (*@found FALSE). */
static guint
find_override (MusterRules *self,
               const char  *user_id,
               gboolean    *found)
{
  guint low = 0, high = self->overrides->len;

  while (low < high)
    {
      guint mid = (low + high) / 2;
      int cmp = strcmp (((MusterUserOverride *) self->overrides->pdata[mid])->user_id, user_id);

      if (cmp == 0)
        {
          *found = TRUE;
          return mid;
        }
      if (cmp < 0)
        low = mid + 1;
      else
        high = mid;
    }
  *found = FALSE;
  return low;
}

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

/* JSON reading --------------------------------------------------------------------------------
 *
 * Every error names the member by its path ("groupRules[2].userType"), and a member the format
 * does not have is an error too: a typo in a rules file must not silently do nothing. */

static gboolean G_GNUC_PRINTF (3, 4)
invalid (GError    **error,
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

static char *
member_path (const char *parent,
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
        g_autofree char *where = member_path (path, l->data);
        g_autofree char *list = g_strjoinv (", ", (char **) known);

        return invalid (error, where, _("there is no such setting (known here: %s)"), list);
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
    return invalid (error, path != NULL && *path != '\0' ? path : _("the document"), _("must be an object"));
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
      g_autofree char *where = member_path (parent, name);
      return invalid (error, where, _("must be true or false"));
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
  g_autofree char *where = member_path (parent, name);

  if (node == NULL)
    {
      if (required)
        return invalid (error, where, _("is missing"));
      return TRUE;
    }
  if (JSON_NODE_HOLDS_NULL (node) && nullable)
    {
      *value = NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, where, _("must be a string"));
  *value = json_node_get_string (node);
  if (required && **value == '\0')
    return invalid (error, where, _("must not be empty"));
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
      g_autofree char *where = member_path (parent, name);
      return invalid (error, where, _("must be a whole number from 0 to %u"), max);
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
  g_autofree char *where = member_path (parent, name);
  g_autoptr(GPtrArray) strings = NULL;
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, where, _("must be a list of strings"));
  array = json_node_get_array (node);
  strings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *at = g_strdup_printf ("%s[%u]", where, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return invalid (error, at, _("must be a string"));
      if (*json_node_get_string (element) == '\0')
        return invalid (error, at, _("must not be empty"));
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
  g_autofree char *where = member_path (parent, "userType");

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!read_string (object, parent, "userType", FALSE, FALSE, &name, error))
    return FALSE;
  if (!muster_user_type_from_string (name, type))
    return invalid (error, where, _("“%s” is not a user type (use user, administrator or billing-administrator)"),
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
        return invalid (error, "filter.groupKind",
                        _("“%s” is not a group kind (use security, mail-security, distribution or microsoft365)"), kind);
      self->group_kind = value;
    }
  if (method != NULL && !muster_email_method_from_string (method, &self->email_method))
    return invalid (error, "filter.emailMethod", _("“%s” is not an email method (use upn, mail or mail-or-upn)"), method);
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
    return invalid (error, name, _("must be a list"));
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
      if (find_group_rule (self, group) >= 0)
        {
          g_autofree char *where = member_path (path, "group");
          return invalid (error, where, _("“%s” already has a rule above"), group);
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
          g_autofree char *where = member_path (path, "always");
          return invalid (error, where, _("“%s” is neither include nor exclude"), always);
        }

      position = find_override (self, user, &found);
      if (found)
        {
          g_autofree char *where = member_path (path, "user");
          return invalid (error, where, _("“%s” already has an override above"), user);
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
  g_autoptr(GPtrArray) mapping = g_ptr_array_new_with_free_func ((GDestroyNotify) field_mapping_free);

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
          g_autofree char *where = member_path (path, "source");
          g_autofree char *list = g_strjoinv (", ", (char **) field_sources);
          return invalid (error, where, _("“%s” is not a field Muster reads (use one of %s)"), source, list);
        }
      if (!muster_target_attribute_is_valid (attribute))
        {
          g_autofree char *where = member_path (path, "attribute");
          g_autofree char *list = g_strjoinv (", ", (char **) muster_target_attribute_names ());
          return invalid (error, where, _("“%s” is not a target attribute (use one of %s)"), attribute, list);
        }
      for (guint k = 0; k < mapping->len; k++)
        if (g_str_equal (((MusterFieldMapping *) mapping->pdata[k])->attribute, attribute))
          {
            g_autofree char *where = member_path (path, "attribute");
            return invalid (error, where, _("“%s” is already filled by fieldMapping[%u]"), attribute, k);
          }
      g_ptr_array_add (mapping, field_mapping_new (source, attribute));
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
      if (find_group_mapping (self, group) >= 0)
        {
          g_autofree char *where = member_path (path, "group");
          return invalid (error, where, _("“%s” is already mapped above"), group);
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

/* Files -------------------------------------------------------------------------------------- */

static gboolean
check_profile (const char  *profile,
               GError     **error)
{
  if (!muster_profile_name_is_valid (profile))
    {
      g_set_error (error, MUSTER_PROFILE_ERROR, MUSTER_PROFILE_ERROR_INVALID,
                   _("“%s” is not a profile name"), profile != NULL ? profile : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_rules_file (const char  *profile,
                  const char  *data,
                  gsize        length,
                  GError     **error)
{
  g_autofree char *path = muster_rules_get_path (profile);
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  return g_file_set_contents_full (path, data, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  MusterRules *rules = muster_rules_load (task_data, &error);

  if (rules == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rules, g_object_unref);
}

typedef struct
{
  char  *profile;
  char  *data;
  gsize  length;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->profile);
  g_free (data->data);
  g_free (data);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *data = task_data;
  GError *error = NULL;

  if (write_rules_file (data->profile, data->data, data->length, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Overrides ---------------------------------------------------------------------------------- */

static void
muster_rules_finalize (GObject *object)
{
  MusterRules *self = MUSTER_RULES (object);

  g_strfreev (self->groups);
  g_strfreev (self->deny_list);
  g_free (self->search);
  g_strfreev (self->default_roles);
  g_ptr_array_unref (self->group_rules);
  g_ptr_array_unref (self->overrides);
  g_ptr_array_unref (self->field_mapping);
  g_ptr_array_unref (self->group_mapping);

  G_OBJECT_CLASS (muster_rules_parent_class)->finalize (object);
}

static void
muster_rules_class_init (MusterRulesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_rules_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
muster_rules_init (MusterRules *self)
{
  self->group_kind = -1;
  self->email_method = MUSTER_EMAIL_METHOD_MAIL_OR_UPN;
  self->default_type = MUSTER_USER_TYPE_USER;
  self->default_roles = g_new0 (char *, 1);
  self->group_rules = g_ptr_array_new_with_free_func ((GDestroyNotify) group_rule_free);
  self->overrides = g_ptr_array_new_with_free_func ((GDestroyNotify) user_override_free);
  self->field_mapping = g_ptr_array_new_with_free_func ((GDestroyNotify) field_mapping_free);
  self->group_mapping = g_ptr_array_new_with_free_func ((GDestroyNotify) group_mapping_free);
  self->limit_count = MUSTER_RULES_DEFAULT_SAFETY_COUNT;
  self->limit_percent = MUSTER_RULES_DEFAULT_SAFETY_PERCENT;

  for (guint i = 0; i < G_N_ELEMENTS (default_field_mapping); i++)
    g_ptr_array_add (self->field_mapping, field_mapping_new (default_field_mapping[i].source,
                                                             default_field_mapping[i].attribute));
}

/* Public API --------------------------------------------------------------------------------- */

MusterRules *
muster_rules_new (void)
{
  return g_object_new (MUSTER_TYPE_RULES, NULL);
}

MusterRules *
muster_rules_copy (MusterRules *self)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  MusterRules *copy;

  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);

  node = muster_rules_to_json (self);
  copy = muster_rules_new_from_json (node, &error);
  g_assert_no_error (error);
  return copy;
}

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
      invalid (error, "version", _("is missing (rules files start with \"version\": %d)"), MUSTER_RULES_VERSION);
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
      invalid (error, "version", _("must be %d"), MUSTER_RULES_VERSION);
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

char *
muster_rules_get_path (const char *profile)
{
  g_autofree char *dir = muster_get_data_dir ();
  g_autofree char *name = g_strconcat (profile, ".json", NULL);

  g_return_val_if_fail (profile != NULL, NULL);
  return g_build_filename (dir, "rules", name, NULL);
}

MusterRules *
muster_rules_load (const char  *profile,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_autofree char *display = NULL;
  MusterRules *rules;
  gsize length;

  if (!check_profile (profile, error))
    return NULL;

  path = muster_rules_get_path (profile);
  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return muster_rules_new ();
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  rules = muster_rules_new_from_data (data, length, &local_error);
  if (rules == NULL)
    {
      display = g_filename_display_name (path);
      g_set_error (error, MUSTER_RULES_ERROR, local_error->code,
                   _("The rules file “%s” cannot be used: %s"), display, local_error->message);
      return NULL;
    }
  return rules;
}

gboolean
muster_rules_save (MusterRules  *self,
                   const char   *profile,
                   GError      **error)
{
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);

  if (!check_profile (profile, error))
    return FALSE;
  data = muster_rules_to_data (self, &length);
  return write_rules_file (profile, data, length, error);
}

void
muster_rules_load_async (const char          *profile,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, muster_rules_load_async);
  g_task_set_task_data (task, g_strdup (profile), g_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_thread);
}

MusterRules *
muster_rules_load_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
muster_rules_save_async (MusterRules         *self,
                         const char          *profile,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  SaveData *data;

  g_return_if_fail (MUSTER_IS_RULES (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_rules_save_async);
  if (!check_profile (profile, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Serialised here, so changes made while the thread writes belong to the next save. */
  data = g_new0 (SaveData, 1);
  data->profile = g_strdup (profile);
  data->data = muster_rules_to_data (self, &data->length);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
muster_rules_save_finish (MusterRules   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

MusterUserFilter *
muster_rules_build_filter (MusterRules *self)
{
  MusterUserFilter *filter;

  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);

  filter = muster_user_filter_new ();
  muster_user_filter_set_groups (filter, (const char * const *) self->groups);
  muster_user_filter_set_nested (filter, self->nested);
  muster_user_filter_set_group_kind (filter, self->group_kind);
  muster_user_filter_set_exclude_unlicensed (filter, self->exclude_unlicensed);
  muster_user_filter_set_exclude_disabled (filter, self->exclude_disabled);
  muster_user_filter_set_exclude_guests (filter, self->exclude_guests);
  muster_user_filter_set_deny_list (filter, (const char * const *) self->deny_list);
  muster_user_filter_set_search (filter, self->search);
  muster_user_filter_set_email_method (filter, self->email_method);
  return filter;
}

void
muster_rules_set_filter (MusterRules      *self,
                         MusterUserFilter *filter)
{
  g_auto(GStrv) deny = NULL;
  g_autofree char *search = NULL;
  gboolean nested, unlicensed, disabled, guests;
  int kind;

  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (MUSTER_IS_USER_FILTER (filter));

  g_object_get (filter, "nested", &nested, "group-kind", &kind, "exclude-unlicensed", &unlicensed,
                "exclude-disabled", &disabled, "exclude-guests", &guests, "deny-list", &deny,
                "search", &search, NULL);
  g_strfreev (self->groups);
  self->groups = dup_strv_or_null (muster_user_filter_get_groups (filter));
  self->nested = nested;
  self->group_kind = kind;
  self->exclude_unlicensed = unlicensed;
  self->exclude_disabled = disabled;
  self->exclude_guests = guests;
  g_strfreev (self->deny_list);
  self->deny_list = dup_strv_or_null ((const char * const *) deny);
  g_free (self->search);
  self->search = g_steal_pointer (&search);
  self->email_method = muster_user_filter_get_email_method (filter);
  emit_changed (self);
}

#define DEFINE_BOOL(name, field)                                        \
  void                                                                  \
  muster_rules_set_##name (MusterRules *self,                           \
                           gboolean     value)                          \
  {                                                                     \
    g_return_if_fail (MUSTER_IS_RULES (self));                          \
    if (self->field == !!value)                                         \
      return;                                                           \
    self->field = !!value;                                              \
    emit_changed (self);                                                \
  }                                                                     \
  gboolean                                                              \
  muster_rules_get_##name (MusterRules *self)                           \
  {                                                                     \
    g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);               \
    return self->field;                                                 \
  }

DEFINE_BOOL (nested, nested)
DEFINE_BOOL (exclude_unlicensed, exclude_unlicensed)
DEFINE_BOOL (exclude_disabled, exclude_disabled)
DEFINE_BOOL (exclude_guests, exclude_guests)
DEFINE_BOOL (only_new, only_new)

#undef DEFINE_BOOL

void
muster_rules_set_groups (MusterRules        *self,
                         const char * const *groups)
{
  g_return_if_fail (MUSTER_IS_RULES (self));

  if (strv_equal0 ((const char * const *) self->groups, groups))
    return;
  g_strfreev (self->groups);
  self->groups = dup_strv_or_null (groups);
  emit_changed (self);
}

const char * const *
muster_rules_get_groups (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return (const char * const *) self->groups;
}

void
muster_rules_set_group_kind (MusterRules *self,
                             int          kind)
{
  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (kind >= -1 && kind <= MUSTER_GROUP_KIND_DISTRIBUTION);

  if (self->group_kind == kind)
    return;
  self->group_kind = kind;
  emit_changed (self);
}

int
muster_rules_get_group_kind (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), -1);
  return self->group_kind;
}

void
muster_rules_set_deny_list (MusterRules        *self,
                            const char * const *entries)
{
  g_return_if_fail (MUSTER_IS_RULES (self));

  if (strv_equal0 ((const char * const *) self->deny_list, entries))
    return;
  g_strfreev (self->deny_list);
  self->deny_list = dup_strv_or_null (entries);
  emit_changed (self);
}

const char * const *
muster_rules_get_deny_list (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return (const char * const *) self->deny_list;
}

void
muster_rules_set_search (MusterRules *self,
                         const char  *search)
{
  g_return_if_fail (MUSTER_IS_RULES (self));

  if (search != NULL && *search == '\0')
    search = NULL;
  if (g_strcmp0 (self->search, search) == 0)
    return;
  g_free (self->search);
  self->search = g_strdup (search);
  emit_changed (self);
}

const char *
muster_rules_get_search (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return self->search;
}

void
muster_rules_set_email_method (MusterRules       *self,
                               MusterEmailMethod  method)
{
  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (method <= MUSTER_EMAIL_METHOD_MAIL_OR_UPN);

  if (self->email_method == method)
    return;
  self->email_method = method;
  emit_changed (self);
}

MusterEmailMethod
muster_rules_get_email_method (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), MUSTER_EMAIL_METHOD_MAIL_OR_UPN);
  return self->email_method;
}

void
muster_rules_set_default_user_type (MusterRules    *self,
                                    MusterUserType  type)
{
  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail ((guint) type < MUSTER_N_USER_TYPES);

  if (self->default_type == type)
    return;
  self->default_type = type;
  emit_changed (self);
}

MusterUserType
muster_rules_get_default_user_type (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), MUSTER_USER_TYPE_USER);
  return self->default_type;
}

void
muster_rules_set_default_roles (MusterRules        *self,
                                const char * const *roles)
{
  g_auto(GStrv) normal = _muster_rules_normalize_roles (roles);

  g_return_if_fail (MUSTER_IS_RULES (self));

  if (g_strv_equal ((const char * const *) self->default_roles, (const char * const *) normal))
    return;
  g_strfreev (self->default_roles);
  self->default_roles = g_steal_pointer (&normal);
  emit_changed (self);
}

const char * const *
muster_rules_get_default_roles (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return (const char * const *) self->default_roles;
}

GPtrArray *
muster_rules_get_group_rules (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return self->group_rules;
}

const MusterGroupRule *
muster_rules_lookup_group_rule (MusterRules *self,
                                const char  *group)
{
  int index;

  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  g_return_val_if_fail (group != NULL, NULL);

  index = find_group_rule (self, group);
  return index >= 0 ? self->group_rules->pdata[index] : NULL;
}

void
muster_rules_set_group_rule (MusterRules          *self,
                             const char           *group,
                             gboolean              nested,
                             const MusterUserType *user_type,
                             const char * const   *roles)
{
  MusterGroupRule *rule;
  int index;

  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (group != NULL && *group != '\0');
  g_return_if_fail (user_type == NULL || (guint) *user_type < MUSTER_N_USER_TYPES);

  index = find_group_rule (self, group);
  if (index >= 0)
    rule = self->group_rules->pdata[index];
  else
    {
      rule = g_new0 (MusterGroupRule, 1);
      rule->group = g_strdup (group);
      g_ptr_array_add (self->group_rules, rule);
    }
  rule->nested = !!nested;
  rule->has_user_type = user_type != NULL;
  rule->user_type = user_type != NULL ? *user_type : MUSTER_USER_TYPE_USER;
  g_strfreev (rule->roles);
  rule->roles = _muster_rules_normalize_roles (roles);
  emit_changed (self);
}

gboolean
muster_rules_remove_group_rule (MusterRules *self,
                                const char  *group)
{
  int index;

  g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);
  g_return_val_if_fail (group != NULL, FALSE);

  index = find_group_rule (self, group);
  if (index < 0)
    return FALSE;
  g_ptr_array_remove_index (self->group_rules, index);
  emit_changed (self);
  return TRUE;
}

GPtrArray *
muster_rules_get_user_overrides (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return self->overrides;
}

const MusterUserOverride *
muster_rules_lookup_user_override (MusterRules *self,
                                   const char  *user_id)
{
  gboolean found;
  guint position;

  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  position = find_override (self, user_id, &found);
  return found ? self->overrides->pdata[position] : NULL;
}

void
muster_rules_set_user_override (MusterRules          *self,
                                const char           *user_id,
                                const MusterUserType *user_type,
                                const char * const   *roles,
                                MusterUserScope       scope)
{
  MusterUserOverride *override;
  gboolean found;
  guint position;

  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (user_id != NULL && *user_id != '\0');
  g_return_if_fail (user_type == NULL || (guint) *user_type < MUSTER_N_USER_TYPES);
  g_return_if_fail (scope <= MUSTER_USER_SCOPE_ALWAYS_EXCLUDE);

  position = find_override (self, user_id, &found);
  if (found)
    override = self->overrides->pdata[position];
  else
    {
      override = g_new0 (MusterUserOverride, 1);
      override->user_id = g_strdup (user_id);
      g_ptr_array_insert (self->overrides, position, override);
    }
  override->has_user_type = user_type != NULL;
  override->user_type = user_type != NULL ? *user_type : MUSTER_USER_TYPE_USER;
  g_strfreev (override->roles);
  override->roles = roles != NULL ? _muster_rules_normalize_roles (roles) : NULL;
  override->scope = scope;
  emit_changed (self);
}

gboolean
muster_rules_remove_user_override (MusterRules *self,
                                   const char  *user_id)
{
  gboolean found;
  guint position;

  g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);
  g_return_val_if_fail (user_id != NULL, FALSE);

  position = find_override (self, user_id, &found);
  if (!found)
    return FALSE;
  g_ptr_array_remove_index (self->overrides, position);
  emit_changed (self);
  return TRUE;
}

const char * const *
muster_rules_field_sources (void)
{
  return field_sources;
}

int
_muster_rules_field_source_index (const char *source)
{
  for (int i = 0; i < N_SOURCES; i++)
    if (g_strcmp0 (field_sources[i], source) == 0)
      return i;
  return -1;
}

const char *
_muster_rules_field_source_value (int                index,
                                  MusterUser        *user,
                                  MusterEmailMethod  method)
{
  switch (index)
    {
    case SOURCE_DISPLAY_NAME:
      return muster_user_get_display_name (user);
    case SOURCE_GIVEN_NAME:
      return muster_user_get_given_name (user);
    case SOURCE_SURNAME:
      return muster_user_get_surname (user);
    case SOURCE_EMAIL:
      return muster_user_get_email (user, method);
    case SOURCE_USER_PRINCIPAL_NAME:
      return muster_user_get_user_principal_name (user);
    case SOURCE_MAIL:
      return muster_user_get_mail (user);
    case SOURCE_JOB_TITLE:
      return muster_user_get_job_title (user);
    case SOURCE_DEPARTMENT:
      return muster_user_get_department (user);
    case SOURCE_COMPANY_NAME:
      return muster_user_get_company_name (user);
    case SOURCE_MANAGER:
      return muster_user_get_manager_id (user);
    case SOURCE_EMPLOYEE_ID:
      return muster_user_get_employee_id (user);
    case SOURCE_MOBILE_PHONE:
      return muster_user_get_mobile_phone (user);
    case SOURCE_BUSINESS_PHONE:
      {
        const char * const *phones = muster_user_get_business_phones (user);
        return phones != NULL ? phones[0] : NULL;
      }
    case SOURCE_OFFICE_LOCATION:
      return muster_user_get_office_location (user);
    default:
      g_return_val_if_reached (NULL);
    }
}

GPtrArray *
muster_rules_get_field_mapping (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return self->field_mapping;
}

gboolean
muster_rules_set_field_mapping (MusterRules               *self,
                                const MusterFieldMapping  *mappings,
                                guint                      n_mappings,
                                GError                   **error)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func ((GDestroyNotify) field_mapping_free);

  g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);
  g_return_val_if_fail (mappings != NULL || n_mappings == 0, FALSE);

  for (guint i = 0; i < n_mappings; i++)
    {
      g_autofree char *path = g_strdup_printf ("fieldMapping[%u]", i);

      if (_muster_rules_field_source_index (mappings[i].source) < 0)
        {
          g_autofree char *where = member_path (path, "source");
          return invalid (error, where, _("“%s” is not a field Muster reads"), mappings[i].source);
        }
      if (!muster_target_attribute_is_valid (mappings[i].attribute))
        {
          g_autofree char *where = member_path (path, "attribute");
          return invalid (error, where, _("“%s” is not a target attribute"), mappings[i].attribute);
        }
      for (guint k = 0; k < kept->len; k++)
        if (g_str_equal (((MusterFieldMapping *) kept->pdata[k])->attribute, mappings[i].attribute))
          {
            g_autofree char *where = member_path (path, "attribute");
            return invalid (error, where, _("“%s” is already filled by fieldMapping[%u]"), mappings[i].attribute, k);
          }
      g_ptr_array_add (kept, field_mapping_new (mappings[i].source, mappings[i].attribute));
    }
  g_ptr_array_unref (self->field_mapping);
  self->field_mapping = g_steal_pointer (&kept);
  emit_changed (self);
  return TRUE;
}

GPtrArray *
muster_rules_get_group_mapping (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return self->group_mapping;
}

void
muster_rules_set_group_mapping (MusterRules *self,
                                const char  *group,
                                const char  *target_group,
                                gboolean     nested)
{
  MusterGroupMapping *mapping;
  int index;

  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (group != NULL && *group != '\0');
  g_return_if_fail (target_group != NULL && *target_group != '\0');

  index = find_group_mapping (self, group);
  if (index >= 0)
    mapping = self->group_mapping->pdata[index];
  else
    {
      mapping = g_new0 (MusterGroupMapping, 1);
      mapping->group = g_strdup (group);
      g_ptr_array_add (self->group_mapping, mapping);
    }
  g_free (mapping->target_group);
  mapping->target_group = g_strdup (target_group);
  mapping->nested = !!nested;
  emit_changed (self);
}

gboolean
muster_rules_remove_group_mapping (MusterRules *self,
                                   const char  *group)
{
  int index;

  g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);
  g_return_val_if_fail (group != NULL, FALSE);

  index = find_group_mapping (self, group);
  if (index < 0)
    return FALSE;
  g_ptr_array_remove_index (self->group_mapping, index);
  emit_changed (self);
  return TRUE;
}

gboolean
muster_rules_get_safety_limit (MusterRules *self,
                               guint       *count,
                               guint       *percent)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);

  if (count != NULL)
    *count = self->limit_count;
  if (percent != NULL)
    *percent = self->limit_percent;
  return self->limit_count > 0 || self->limit_percent > 0;
}

void
muster_rules_set_safety_limit (MusterRules *self,
                               guint        count,
                               guint        percent)
{
  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (percent <= 100);

  if (self->limit_count == count && self->limit_percent == percent)
    return;
  self->limit_count = count;
  self->limit_percent = percent;
  emit_changed (self);
}
