/* muster-fake-scim-schema.c: the User, Group and EnterpriseUser schemas and strict type checks
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The attribute tables follow RFC 7643 §4 and §8.7.1. They drive three things at once: the
 * /Schemas documents, the type checks on POST/PUT/PATCH values and attribute-name resolution in
 * filters and PATCH paths. The checks are strict on purpose, like a standards server (SCIMMY
 * rejects Entra's string "False" with 400 invalidValue, github.com/scimmyjs/scimmy/issues/86): a
 * client that passes here sends what RFC 7643 says.
 */

#define G_LOG_DOMAIN "muster-fake-scim"

#include "config.h"

#include "muster-fake-scim-private.h"

G_DEFINE_QUARK (muster-fake-scim-error-quark, _muster_fake_scim_error)

const char *
_muster_fake_scim_error_type_name (ScimErrorType type)
{
  static const char * const names[] = {
    [SCIM_ERROR_INVALID_FILTER] = "invalidFilter",
    [SCIM_ERROR_TOO_MANY] = "tooMany",
    [SCIM_ERROR_UNIQUENESS] = "uniqueness",
    [SCIM_ERROR_MUTABILITY] = "mutability",
    [SCIM_ERROR_INVALID_SYNTAX] = "invalidSyntax",
    [SCIM_ERROR_INVALID_PATH] = "invalidPath",
    [SCIM_ERROR_NO_TARGET] = "noTarget",
    [SCIM_ERROR_INVALID_VALUE] = "invalidValue",
  };

  g_return_val_if_fail (type < G_N_ELEMENTS (names), "invalidValue");
  return names[type];
}

/* Shorthands for the tables below. */
#define RW SCIM_MUTABILITY_READ_WRITE
#define RO SCIM_MUTABILITY_READ_ONLY
#define IM SCIM_MUTABILITY_IMMUTABLE
#define WO SCIM_MUTABILITY_WRITE_ONLY
#define DEF SCIM_RETURNED_DEFAULT
#define ALW SCIM_RETURNED_ALWAYS
#define NEV SCIM_RETURNED_NEVER
#define NONE SCIM_UNIQUENESS_NONE
#define SERVER SCIM_UNIQUENESS_SERVER
#define STR(n, desc) { n, SCIM_TYPE_STRING, 0, RW, DEF, NONE, desc, NULL, NULL, NULL }
#define END { NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL }

static const char * const type_work_home_other[] = { "work", "home", "other", NULL };
static const char * const type_phone[] = { "work", "home", "mobile", "fax", "pager", "other", NULL };
static const char * const type_ims[] = { "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo", NULL };
static const char * const type_photos[] = { "photo", "thumbnail", NULL };
static const char * const type_groups[] = { "direct", "indirect", NULL };
static const char * const type_members[] = { "User", "Group", NULL };
static const char * const ref_external[] = { "external", NULL };
static const char * const ref_user_group[] = { "User", "Group", NULL };
static const char * const ref_user[] = { "User", NULL };

const ScimAttr _muster_fake_scim_attr_id = {
  "id", SCIM_TYPE_STRING, SCIM_ATTR_CASE_EXACT, RO, ALW, SERVER,
  "Unique identifier for the SCIM resource as defined by the service provider.", NULL, NULL, NULL
};

const ScimAttr _muster_fake_scim_attr_external_id = {
  "externalId", SCIM_TYPE_STRING, SCIM_ATTR_CASE_EXACT, RW, DEF, NONE,
  "Identifier for the resource as defined by the provisioning client.", NULL, NULL, NULL
};

static const ScimAttr name_subs[] = {
  STR ("formatted", "The full name, formatted for display."),
  STR ("familyName", "The family name of the User."),
  STR ("givenName", "The given name of the User."),
  STR ("middleName", "The middle name(s) of the User."),
  STR ("honorificPrefix", "The honorific prefix(es) of the User."),
  STR ("honorificSuffix", "The honorific suffix(es) of the User."),
  END
};

#define MULTI_SUBS(ident, value_type, canon, value_desc)                                         \
  static const ScimAttr ident[] = {                                                              \
    { "value", value_type, 0, RW, DEF, NONE, value_desc, NULL,                                   \
      value_type == SCIM_TYPE_REFERENCE ? ref_external : NULL, NULL },                           \
    STR ("display", "A human-readable name, primarily used for display purposes."),              \
    { "type", SCIM_TYPE_STRING, 0, RW, DEF, NONE, "A label indicating the attribute's function.", \
      canon, NULL, NULL },                                                                        \
    { "primary", SCIM_TYPE_BOOLEAN, 0, RW, DEF, NONE,                                             \
      "Indicates the 'primary' or preferred attribute value.", NULL, NULL, NULL },               \
    END                                                                                           \
  }

MULTI_SUBS (email_subs, SCIM_TYPE_STRING, type_work_home_other, "Email address for the User.");
MULTI_SUBS (phone_subs, SCIM_TYPE_STRING, type_phone, "Phone number of the User.");
MULTI_SUBS (ims_subs, SCIM_TYPE_STRING, type_ims, "Instant messaging address for the User.");
MULTI_SUBS (photo_subs, SCIM_TYPE_REFERENCE, type_photos, "URL of a photo of the User.");
MULTI_SUBS (entitlement_subs, SCIM_TYPE_STRING, NULL, "The value of an entitlement.");
MULTI_SUBS (role_subs, SCIM_TYPE_STRING, NULL, "The value of a role.");
MULTI_SUBS (x509_subs, SCIM_TYPE_BINARY, NULL, "The value of an X.509 certificate.");

static const ScimAttr address_subs[] = {
  STR ("formatted", "The full mailing address, formatted for display."),
  STR ("streetAddress", "The full street address component."),
  STR ("locality", "The city or locality component."),
  STR ("region", "The state or region component."),
  STR ("postalCode", "The zip code or postal code component."),
  STR ("country", "The country name component."),
  { "type", SCIM_TYPE_STRING, 0, RW, DEF, NONE, "A label indicating the attribute's function.",
    type_work_home_other, NULL, NULL },
  { "primary", SCIM_TYPE_BOOLEAN, 0, RW, DEF, NONE,
    "Indicates the 'primary' or preferred attribute value.", NULL, NULL, NULL },
  END
};

static const ScimAttr user_group_subs[] = {
  { "value", SCIM_TYPE_STRING, 0, RO, DEF, NONE, "The identifier of the User's group.", NULL, NULL, NULL },
  { "$ref", SCIM_TYPE_REFERENCE, 0, RO, DEF, NONE, "The URI of the corresponding 'Group' resource.",
    NULL, ref_user_group, NULL },
  { "display", SCIM_TYPE_STRING, 0, RO, DEF, NONE, "A human-readable name.", NULL, NULL, NULL },
  { "type", SCIM_TYPE_STRING, 0, RO, DEF, NONE, "Direct or indirect membership.", type_groups, NULL, NULL },
  END
};

static const ScimAttr user_attrs[] = {
  { "userName", SCIM_TYPE_STRING, SCIM_ATTR_REQUIRED, RW, DEF, SERVER,
    "Unique identifier for the User, typically used by the user to directly authenticate.", NULL, NULL, NULL },
  { "name", SCIM_TYPE_COMPLEX, 0, RW, DEF, NONE, "The components of the user's real name.",
    NULL, NULL, name_subs },
  STR ("displayName", "The name of the User, suitable for display to end-users."),
  STR ("nickName", "The casual way to address the user in real life."),
  { "profileUrl", SCIM_TYPE_REFERENCE, 0, RW, DEF, NONE, "A fully qualified URL to the User's online profile.",
    NULL, ref_external, NULL },
  STR ("title", "The user's title, such as \"Vice President\"."),
  STR ("userType", "Used to identify the relationship between the organization and the user."),
  STR ("preferredLanguage", "Indicates the User's preferred written or spoken language."),
  STR ("locale", "Used to indicate the User's default location."),
  STR ("timezone", "The User's time zone in the 'Olson' time zone database format."),
  { "active", SCIM_TYPE_BOOLEAN, 0, RW, DEF, NONE, "A Boolean value indicating the User's administrative status.",
    NULL, NULL, NULL },
  { "password", SCIM_TYPE_STRING, 0, WO, NEV, NONE, "The User's cleartext password.", NULL, NULL, NULL },
  { "emails", SCIM_TYPE_COMPLEX, SCIM_ATTR_MULTI, RW, DEF, NONE, "Email addresses for the user.",
    NULL, NULL, email_subs },
  { "phoneNumbers", SCIM_TYPE_COMPLEX, SCIM_ATTR_MULTI, RW, DEF, NONE, "Phone numbers for the User.",
    NULL, NULL, phone_subs },
  { "ims", SCIM_TYPE_COMPLEX, SCIM_ATTR_MULTI, RW, DEF, NONE, "Instant messaging addresses for the User.",
    NULL, NULL, ims_subs },
  { "photos", SCIM_TYPE_COMPLEX, SCIM_ATTR_MULTI, RW, DEF, NONE, "URLs of photos of the User.",
    NULL, NULL, photo_subs },
  { "addresses", SCIM_TYPE_COMPLEX, SCIM_ATTR_MULTI, RW, DEF, NONE, "A physical mailing address for this User.",
    NULL, NULL, address_subs },
  { "groups", SCIM_TYPE_COMPLEX, SCIM_ATTR_MULTI, RO, DEF, NONE, "A list of groups to which the user belongs.",
    NULL, NULL, user_group_subs },
  { "entitlements", SCIM_TYPE_COMPLEX, SCIM_ATTR_MULTI, RW, DEF, NONE, "A list of entitlements for the User.",
    NULL, NULL, entitlement_subs },
  { "roles", SCIM_TYPE_COMPLEX, SCIM_ATTR_MULTI, RW, DEF, NONE, "A list of roles for the User.",
    NULL, NULL, role_subs },
  { "x509Certificates", SCIM_TYPE_COMPLEX, SCIM_ATTR_MULTI, RW, DEF, NONE, "A list of certificates issued to the User.",
    NULL, NULL, x509_subs },
  END
};

static const ScimAttr member_subs[] = {
  { "value", SCIM_TYPE_STRING, SCIM_ATTR_CASE_EXACT, IM, DEF, NONE, "Identifier of the member of this Group.",
    NULL, NULL, NULL },
  { "$ref", SCIM_TYPE_REFERENCE, 0, IM, DEF, NONE, "The URI corresponding to a SCIM resource that is a member.",
    NULL, ref_user_group, NULL },
  { "type", SCIM_TYPE_STRING, 0, IM, DEF, NONE, "A label indicating the type of resource.",
    type_members, NULL, NULL },
  { "display", SCIM_TYPE_STRING, 0, RO, DEF, NONE, "A human-readable name for the member.", NULL, NULL, NULL },
  END
};

static const ScimAttr group_attrs[] = {
  { "displayName", SCIM_TYPE_STRING, SCIM_ATTR_REQUIRED, RW, DEF, NONE,
    "A human-readable name for the Group.", NULL, NULL, NULL },
  { "members", SCIM_TYPE_COMPLEX, SCIM_ATTR_MULTI, RW, DEF, NONE, "A list of members of the Group.",
    NULL, NULL, member_subs },
  END
};

static const ScimAttr manager_subs[] = {
  { "value", SCIM_TYPE_STRING, 0, RW, DEF, NONE, "The id of the SCIM resource representing the User's manager.",
    NULL, NULL, NULL },
  { "$ref", SCIM_TYPE_REFERENCE, 0, RW, DEF, NONE, "The URI of the SCIM resource representing the User's manager.",
    NULL, ref_user, NULL },
  { "displayName", SCIM_TYPE_STRING, 0, RO, DEF, NONE, "The displayName of the User's manager.", NULL, NULL, NULL },
  END
};

static const ScimAttr enterprise_attrs[] = {
  STR ("employeeNumber", "Numeric or alphanumeric identifier assigned to a person."),
  STR ("costCenter", "Identifies the name of a cost center."),
  STR ("organization", "Identifies the name of an organization."),
  STR ("division", "Identifies the name of a division."),
  STR ("department", "Identifies the name of a department."),
  { "manager", SCIM_TYPE_COMPLEX, 0, RW, DEF, NONE, "The User's manager.", NULL, NULL, manager_subs },
  END
};

const ScimSchema _muster_fake_scim_schema_user = {
  SCIM_URN_USER, "User", "User Account", user_attrs
};

const ScimSchema _muster_fake_scim_schema_group = {
  SCIM_URN_GROUP, "Group", "Group", group_attrs
};

const ScimSchema _muster_fake_scim_schema_enterprise = {
  SCIM_URN_ENTERPRISE, "EnterpriseUser", "Enterprise User", enterprise_attrs
};

const ScimResourceType _muster_fake_scim_type_user = {
  "User", "/Users", "User Account", &_muster_fake_scim_schema_user, &_muster_fake_scim_schema_enterprise
};

const ScimResourceType _muster_fake_scim_type_group = {
  "Group", "/Groups", "Group", &_muster_fake_scim_schema_group, NULL
};

static gboolean
name_equal (const char *name,
            const char *text,
            gsize       text_len)
{
  return strlen (name) == text_len && g_ascii_strncasecmp (name, text, text_len) == 0;
}

const ScimSchema *
_muster_fake_scim_type_find_schema (const ScimResourceType *type,
                                    const char             *urn,
                                    gsize                   urn_len)
{
  if (name_equal (type->schema->id, urn, urn_len))
    return type->schema;
  if (type->extension != NULL && name_equal (type->extension->id, urn, urn_len))
    return type->extension;
  return NULL;
}

static const ScimAttr *
find_in (const ScimAttr *attrs,
         const char     *name,
         gsize           name_len)
{
  for (const ScimAttr *a = attrs; a != NULL && a->name != NULL; a++)
    if (name_equal (a->name, name, name_len))
      return a;
  return NULL;
}

const ScimAttr *
_muster_fake_scim_schema_find_attr (const ScimSchema *schema,
                                    const char       *name,
                                    gsize             name_len)
{
  const ScimAttr *attr = find_in (schema->attributes, name, name_len);

  if (attr != NULL)
    return attr;
  /* the common attributes belong to every core schema (RFC 7643 §3.1), not to extensions */
  if (schema != &_muster_fake_scim_schema_enterprise)
    {
      if (name_equal ("id", name, name_len))
        return &_muster_fake_scim_attr_id;
      if (name_equal ("externalId", name, name_len))
        return &_muster_fake_scim_attr_external_id;
    }
  return NULL;
}

const ScimAttr *
_muster_fake_scim_attr_find_sub (const ScimAttr *attr,
                                 const char     *name,
                                 gsize           name_len)
{
  return find_in (attr->sub_attributes, name, name_len);
}

const ScimSchema *
_muster_fake_scim_split_urn (const ScimResourceType *type,
                             const char             *text,
                             const char            **rest)
{
  const ScimSchema *candidates[] = { type->schema, type->extension };

  if (g_ascii_strncasecmp (text, "urn:", 4) != 0)
    {
      *rest = text;
      return type->schema;
    }

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      const ScimSchema *schema = candidates[i];
      gsize len;

      if (schema == NULL)
        continue;
      len = strlen (schema->id);
      if (g_ascii_strncasecmp (text, schema->id, len) != 0)
        continue;
      if (text[len] == '\0')
        {
          *rest = text + len;
          return schema;
        }
      if (text[len] == ':')
        {
          *rest = text + len + 1;
          return schema;
        }
    }
  return NULL;
}

JsonObject *
_muster_fake_scim_data_container (JsonObject       *data,
                                  const ScimSchema *schema,
                                  const ScimSchema *core,
                                  gboolean          create)
{
  JsonNode *node;

  if (schema == core)
    return data;

  node = json_object_get_member (data, schema->id);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);
  if (!create)
    return NULL;

  json_object_set_object_member (data, schema->id, json_object_new ());
  return json_object_get_object_member (data, schema->id);
}

JsonNode *
_muster_fake_scim_json_deep_copy (JsonNode *node)
{
  JsonNode *copy;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_object_new ();
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          json_object_set_member (object, name, _muster_fake_scim_json_deep_copy (member));
        copy = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (copy, object);
        return copy;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *in = json_node_get_array (node);
        JsonArray *array = json_array_sized_new (json_array_get_length (in));

        for (guint i = 0; i < json_array_get_length (in); i++)
          json_array_add_element (array, _muster_fake_scim_json_deep_copy (json_array_get_element (in, i)));
        copy = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (copy, array);
        return copy;
      }
    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      return json_node_copy (node);
    }
}

static const char *
json_kind (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return "a boolean";
    case G_TYPE_STRING:
      return "a string";
    default:
      return "a number";
    }
}

static gboolean
check_simple (const ScimAttr *attr,
              JsonNode       *in,
              GError        **error)
{
  GType value_type = JSON_NODE_HOLDS_VALUE (in) ? json_node_get_value_type (in) : G_TYPE_INVALID;
  const char *expected;

  switch (attr->type)
    {
    case SCIM_TYPE_BOOLEAN:
      /* the strict reading of RFC 7643 §2.3.2: "true"/"False" strings are not booleans */
      if (value_type == G_TYPE_BOOLEAN)
        return TRUE;
      expected = "a boolean (true or false)";
      break;
    case SCIM_TYPE_INTEGER:
      if (value_type == G_TYPE_INT64)
        return TRUE;
      expected = "an integer";
      break;
    case SCIM_TYPE_DECIMAL:
      if (value_type == G_TYPE_INT64 || value_type == G_TYPE_DOUBLE)
        return TRUE;
      expected = "a number";
      break;
    case SCIM_TYPE_DATE_TIME:
      if (value_type == G_TYPE_STRING)
        {
          g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (json_node_get_string (in), NULL);

          if (dt != NULL)
            return TRUE;
        }
      expected = "an xsd:dateTime string";
      break;
    case SCIM_TYPE_BINARY:
      if (value_type == G_TYPE_STRING)
        {
          const char *s = json_node_get_string (in);
          gsize len = strlen (s);
          gboolean ok = len % 4 == 0;

          for (gsize i = 0; ok && i < len; i++)
            ok = g_ascii_isalnum (s[i]) || s[i] == '+' || s[i] == '/' || (s[i] == '=' && i >= len - 2);
          if (ok)
            return TRUE;
        }
      expected = "a base64 string";
      break;
    case SCIM_TYPE_STRING:
    case SCIM_TYPE_REFERENCE:
    case SCIM_TYPE_COMPLEX:
    default:
      if (value_type == G_TYPE_STRING)
        return TRUE;
      expected = "a string";
      break;
    }

  g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_VALUE,
               "Attribute '%s' must be %s, not %s", attr->name, expected, json_kind (in));
  return FALSE;
}

/* Checks @in against @attr's type and returns the value to store in @out. */
static gboolean
validate_simple (const ScimAttr *attr,
                 JsonNode       *in,
                 ScimLeniency    lenient,
                 JsonNode      **out,
                 GError        **error)
{
  GType value_type = JSON_NODE_HOLDS_VALUE (in) ? json_node_get_value_type (in) : G_TYPE_INVALID;

  /* Entra without aadOptscim062020 sends "active":"False" (Microsoft Learn, "Known issues and
   * resolutions with SCIM 2.0 protocol compliance"); services written for it take the string, so
   * field mode does too and stores the boolean it means. */
  if (attr->type == SCIM_TYPE_BOOLEAN && (lenient & SCIM_LENIENT_BOOLEAN_STRINGS) != 0 &&
      value_type == G_TYPE_STRING &&
      (g_ascii_strcasecmp (json_node_get_string (in), "true") == 0 ||
       g_ascii_strcasecmp (json_node_get_string (in), "false") == 0))
    {
      *out = json_node_init_boolean (json_node_alloc (), g_ascii_strcasecmp (json_node_get_string (in), "true") == 0);
      return TRUE;
    }

  *out = NULL;
  if (!check_simple (attr, in, error))
    return FALSE;
  *out = json_node_copy (in);
  return TRUE;
}

static gboolean
validate_complex (const ScimAttr *attr,
                  JsonNode       *in,
                  ScimLeniency    lenient,
                  JsonNode      **out,
                  GError        **error)
{
  g_autoptr(JsonObject) object = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (in))
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_VALUE,
                   "Attribute '%s' is complex and must be an object, not %s", attr->name, json_kind (in));
      return FALSE;
    }

  object = json_object_new ();
  json_object_iter_init_ordered (&iter, json_node_get_object (in));
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      const ScimAttr *sub = _muster_fake_scim_attr_find_sub (attr, name, strlen (name));
      JsonNode *value = NULL;

      if (sub == NULL)
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX,
                       "Attribute '%s' has no sub-attribute '%s'", attr->name, name);
          return FALSE;
        }
      /* RFC 7643 §2.5: null means unassigned; RFC 7644 §3.3: readOnly values are ignored */
      if (JSON_NODE_HOLDS_NULL (member) || sub->mutability == SCIM_MUTABILITY_READ_ONLY)
        continue;
      if (!validate_simple (sub, member, lenient, &value, error))
        {
          g_prefix_error (error, "%s.", attr->name);
          return FALSE;
        }
      json_object_set_member (object, sub->name, value);
    }

  if (json_object_get_size (object) == 0)
    *out = NULL;
  else
    {
      *out = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (*out, object);
    }
  return TRUE;
}

gboolean
_muster_fake_scim_validate_value (const ScimAttr  *attr,
                                  JsonNode        *in,
                                  gboolean         element,
                                  ScimLeniency     lenient,
                                  JsonNode       **out,
                                  GError         **error)
{
  *out = NULL;

  if (in == NULL || JSON_NODE_HOLDS_NULL (in))
    return TRUE;

  if (SCIM_ATTR_IS_MULTI (attr) && !element)
    {
      JsonArray *in_array;
      g_autoptr(JsonArray) array = NULL;

      if (!JSON_NODE_HOLDS_ARRAY (in))
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_VALUE,
                       "Attribute '%s' is multi-valued and must be an array, not %s", attr->name, json_kind (in));
          return FALSE;
        }
      in_array = json_node_get_array (in);
      array = json_array_new ();
      for (guint i = 0; i < json_array_get_length (in_array); i++)
        {
          JsonNode *value = NULL;

          if (!_muster_fake_scim_validate_value (attr, json_array_get_element (in_array, i), TRUE, lenient, &value,
                                                 error))
            return FALSE;
          if (value != NULL)
            json_array_add_element (array, value);
        }
      if (json_array_get_length (array) > 0)
        {
          *out = json_node_new (JSON_NODE_ARRAY);
          json_node_set_array (*out, array);
        }
      return TRUE;
    }

  if (attr->type == SCIM_TYPE_COMPLEX)
    return validate_complex (attr, in, lenient, out, error);
  return validate_simple (attr, in, lenient, out, error);
}

gboolean
_muster_fake_scim_check_required (const ScimResourceType *type,
                                  JsonObject             *data,
                                  GError                **error)
{
  for (const ScimAttr *a = type->schema->attributes; a->name != NULL; a++)
    if (SCIM_ATTR_IS_REQUIRED (a) && !json_object_has_member (data, a->name))
      {
        g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_VALUE,
                     "Required attribute '%s' is missing", a->name);
        return FALSE;
      }
  return TRUE;
}

/* Validates the members of @in that belong to @schema into @out. */
static gboolean
validate_attributes (const ScimSchema *schema,
                     const char       *name,
                     JsonNode         *member,
                     ScimLeniency      lenient,
                     JsonObject       *out,
                     GError          **error)
{
  const ScimAttr *attr = _muster_fake_scim_schema_find_attr (schema, name, strlen (name));
  JsonNode *value = NULL;

  if (attr == NULL)
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX,
                   "Attribute '%s' is not defined by schema %s", name, schema->id);
      return FALSE;
    }
  /* RFC 7644 §3.3 and §3.5.1: readOnly values sent by the client are ignored */
  if (attr->mutability == SCIM_MUTABILITY_READ_ONLY)
    return TRUE;
  if (!_muster_fake_scim_validate_value (attr, member, FALSE, lenient, &value, error))
    return FALSE;
  if (value != NULL)
    json_object_set_member (out, attr->name, value);
  return TRUE;
}

JsonObject *
_muster_fake_scim_validate_resource (const ScimResourceType *type,
                                     JsonNode               *body,
                                     ScimLeniency            lenient,
                                     GError                **error)
{
  g_autoptr(JsonObject) data = json_object_new ();
  JsonObject *object;
  JsonNode *schemas_node = NULL;
  JsonArray *schemas;
  gboolean has_core = FALSE, has_extension = FALSE;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX, "The request body must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (body);

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    if (g_ascii_strcasecmp (name, "schemas") == 0)
      schemas_node = member;

  /* RFC 7643 §3: "schemas" is required and lists the core schema and every extension used */
  if (schemas_node == NULL || !JSON_NODE_HOLDS_ARRAY (schemas_node))
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX,
                   "The 'schemas' attribute is required and must be an array of URNs");
      return NULL;
    }
  schemas = json_node_get_array (schemas_node);
  for (guint i = 0; i < json_array_get_length (schemas); i++)
    {
      JsonNode *urn_node = json_array_get_element (schemas, i);
      const ScimSchema *schema;
      const char *urn;

      if (!JSON_NODE_HOLDS_VALUE (urn_node) || json_node_get_value_type (urn_node) != G_TYPE_STRING)
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX, "'schemas' must contain only strings");
          return NULL;
        }
      urn = json_node_get_string (urn_node);
      schema = _muster_fake_scim_type_find_schema (type, urn, strlen (urn));
      if (schema == NULL)
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX,
                       "Schema '%s' is not supported for %s resources", urn, type->name);
          return NULL;
        }
      if (schema == type->schema)
        has_core = TRUE;
      else
        has_extension = TRUE;
    }
  if (!has_core)
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX,
                   "'schemas' must contain %s", type->schema->id);
      return NULL;
    }

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      const ScimSchema *schema;
      const char *rest;

      if (g_ascii_strcasecmp (name, "schemas") == 0 || g_ascii_strcasecmp (name, "meta") == 0)
        continue;

      schema = _muster_fake_scim_split_urn (type, name, &rest);
      if (schema == NULL)
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX,
                       "Attribute '%s' belongs to no schema of %s resources", name, type->name);
          return NULL;
        }

      if (*rest == '\0' && schema != type->schema)
        {
          /* the extension's attributes, as an object under its URN (RFC 7643 §3.3) */
          JsonObject *extension;
          JsonObjectIter ext_iter;
          const char *ext_name;
          JsonNode *ext_member;

          if (!has_extension)
            {
              g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX,
                           "Extension '%s' is used but not listed in 'schemas'", schema->id);
              return NULL;
            }
          if (JSON_NODE_HOLDS_NULL (member))
            continue;
          if (!JSON_NODE_HOLDS_OBJECT (member))
            {
              g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_SYNTAX,
                           "Extension '%s' must be an object", schema->id);
              return NULL;
            }
          extension = _muster_fake_scim_data_container (data, schema, type->schema, TRUE);
          json_object_iter_init_ordered (&ext_iter, json_node_get_object (member));
          while (json_object_iter_next_ordered (&ext_iter, &ext_name, &ext_member))
            if (!validate_attributes (schema, ext_name, ext_member, lenient, extension, error))
              return NULL;
          if (json_object_get_size (extension) == 0)
            json_object_remove_member (data, schema->id);
          continue;
        }

      if (!validate_attributes (schema, rest, member, lenient,
                                _muster_fake_scim_data_container (data, schema, type->schema, TRUE),
                                error))
        return NULL;
    }

  if (!_muster_fake_scim_check_required (type, data, error))
    return NULL;

  return g_steal_pointer (&data);
}

static void
add_attributes (JsonBuilder    *builder,
                const ScimAttr *attrs)
{
  static const char * const types[] = {
    "string", "boolean", "decimal", "integer", "dateTime", "binary", "reference", "complex"
  };
  static const char * const mutabilities[] = { "readWrite", "readOnly", "immutable", "writeOnly" };
  static const char * const returns[] = { "default", "always", "never", "request" };
  static const char * const uniquenesses[] = { "none", "server", "global" };

  json_builder_begin_array (builder);
  for (const ScimAttr *a = attrs; a->name != NULL; a++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, a->name);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, types[a->type]);
      json_builder_set_member_name (builder, "multiValued");
      json_builder_add_boolean_value (builder, SCIM_ATTR_IS_MULTI (a));
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, a->description);
      json_builder_set_member_name (builder, "required");
      json_builder_add_boolean_value (builder, SCIM_ATTR_IS_REQUIRED (a));
      if (a->type != SCIM_TYPE_COMPLEX)
        {
          json_builder_set_member_name (builder, "caseExact");
          json_builder_add_boolean_value (builder, SCIM_ATTR_IS_CASE_EXACT (a));
        }
      if (a->canonical_values != NULL)
        {
          json_builder_set_member_name (builder, "canonicalValues");
          json_builder_begin_array (builder);
          for (guint i = 0; a->canonical_values[i] != NULL; i++)
            json_builder_add_string_value (builder, a->canonical_values[i]);
          json_builder_end_array (builder);
        }
      if (a->reference_types != NULL)
        {
          json_builder_set_member_name (builder, "referenceTypes");
          json_builder_begin_array (builder);
          for (guint i = 0; a->reference_types[i] != NULL; i++)
            json_builder_add_string_value (builder, a->reference_types[i]);
          json_builder_end_array (builder);
        }
      json_builder_set_member_name (builder, "mutability");
      json_builder_add_string_value (builder, mutabilities[a->mutability]);
      json_builder_set_member_name (builder, "returned");
      json_builder_add_string_value (builder, returns[a->returned]);
      json_builder_set_member_name (builder, "uniqueness");
      json_builder_add_string_value (builder, uniquenesses[a->uniqueness]);
      if (a->sub_attributes != NULL)
        {
          json_builder_set_member_name (builder, "subAttributes");
          add_attributes (builder, a->sub_attributes);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

void
_muster_fake_scim_schema_to_json (const ScimSchema *schema,
                                  const char       *location,
                                  JsonBuilder      *builder)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schemas");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, SCIM_URN_SCHEMA);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, schema->id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, schema->name);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, schema->description);
  json_builder_set_member_name (builder, "attributes");
  add_attributes (builder, schema->attributes);
  json_builder_set_member_name (builder, "meta");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "resourceType");
  json_builder_add_string_value (builder, "Schema");
  json_builder_set_member_name (builder, "location");
  json_builder_add_string_value (builder, location);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}
