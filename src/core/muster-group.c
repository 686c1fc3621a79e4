/* muster-group.c: one group in a directory snapshot
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-group"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "muster-enums.h"
#include "muster-group-private.h"

struct _MusterGroup
{
  GObject          parent_instance;

  char            *id;
  char            *display_name;
  char            *description;
  char            *mail;
  char            *membership_rule;
  char           **group_types;
  MusterGroupKind  kind;
  guint            member_count;
  guint            transitive_member_count;
  guint            mail_enabled : 1;
  guint            security_enabled : 1;
  guint            dynamic : 1;
};

G_DEFINE_FINAL_TYPE (MusterGroup, muster_group, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_DISPLAY_NAME,
  PROP_DESCRIPTION,
  PROP_MAIL,
  PROP_KIND,
  PROP_KIND_LABEL,
  PROP_DYNAMIC,
  PROP_MEMBER_COUNT,
  PROP_TRANSITIVE_MEMBER_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *kind_names[] = {
  [MUSTER_GROUP_KIND_MICROSOFT365] = "microsoft365",
  [MUSTER_GROUP_KIND_SECURITY] = "security",
  [MUSTER_GROUP_KIND_MAIL_SECURITY] = "mail-security",
  [MUSTER_GROUP_KIND_DISTRIBUTION] = "distribution",
};

/* Helpers ------------------------------------------------------------------------------------ */

static const char *
json_string (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
json_boolean (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;
  return json_node_get_boolean (node);
}

static gboolean
strv_contains_nocase (const char * const *strv,
                      const char         *needle)
{
  for (gsize i = 0; strv != NULL && strv[i] != NULL; i++)
    if (g_ascii_strcasecmp (strv[i], needle) == 0)
      return TRUE;
  return FALSE;
}

/* Overrides ---------------------------------------------------------------------------------- */

static void
muster_group_finalize (GObject *object)
{
  MusterGroup *self = MUSTER_GROUP (object);

  g_free (self->id);
  g_free (self->display_name);
  g_free (self->description);
  g_free (self->mail);
  g_free (self->membership_rule);
  g_strfreev (self->group_types);

  G_OBJECT_CLASS (muster_group_parent_class)->finalize (object);
}

static void
muster_group_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  MusterGroup *self = MUSTER_GROUP (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_MAIL:
      g_value_set_string (value, self->mail);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_KIND_LABEL:
      g_value_set_string (value, muster_group_kind_get_title (self->kind));
      break;
    case PROP_DYNAMIC:
      g_value_set_boolean (value, self->dynamic);
      break;
    case PROP_MEMBER_COUNT:
      g_value_set_uint (value, self->member_count);
      break;
    case PROP_TRANSITIVE_MEMBER_COUNT:
      g_value_set_uint (value, self->transitive_member_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_group_class_init (MusterGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = muster_group_finalize;
  object_class->get_property = muster_group_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties[PROP_MAIL] = g_param_spec_string ("mail", NULL, NULL, NULL, flags);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, MUSTER_TYPE_GROUP_KIND, MUSTER_GROUP_KIND_SECURITY,
                                             flags);
  properties[PROP_KIND_LABEL] = g_param_spec_string ("kind-label", NULL, NULL, NULL, flags);
  properties[PROP_DYNAMIC] = g_param_spec_boolean ("dynamic", NULL, NULL, FALSE, flags);
  properties[PROP_MEMBER_COUNT] = g_param_spec_uint ("member-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_TRANSITIVE_MEMBER_COUNT] =
    g_param_spec_uint ("transitive-member-count", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
muster_group_init (MusterGroup *self)
{
  self->kind = MUSTER_GROUP_KIND_SECURITY;
}

/* Private API -------------------------------------------------------------------------------- */

MusterGroup *
_muster_group_new (const MusterGroupFields *fields)
{
  static const char * const no_types[] = { NULL };
  MusterGroup *self;

  g_return_val_if_fail (fields != NULL, NULL);

  self = g_object_new (MUSTER_TYPE_GROUP, NULL);
  self->id = g_strdup (fields->id);
  self->display_name = g_strdup (fields->display_name);
  self->description = g_strdup (fields->description);
  self->mail = g_strdup (fields->mail);
  self->membership_rule = g_strdup (fields->membership_rule);
  self->group_types = g_strdupv ((char **) (fields->group_types != NULL ? fields->group_types : no_types));
  self->mail_enabled = fields->mail_enabled != FALSE;
  self->security_enabled = fields->security_enabled != FALSE;
  self->kind = muster_group_kind_from_graph (strv_contains_nocase (fields->group_types, "Unified"),
                                             fields->mail_enabled, fields->security_enabled);
  /* learn.microsoft.com/graph/api/resources/groups-overview: dynamic membership adds "DynamicMembership" with
   * a membershipRule. */
  self->dynamic = strv_contains_nocase (fields->group_types, "DynamicMembership");

  return self;
}

void
_muster_group_set_member_counts (MusterGroup *self,
                                 guint        direct,
                                 guint        transitive)
{
  g_return_if_fail (MUSTER_IS_GROUP (self));

  if (self->member_count != direct)
    {
      self->member_count = direct;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMBER_COUNT]);
    }
  if (self->transitive_member_count != transitive)
    {
      self->transitive_member_count = transitive;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSITIVE_MEMBER_COUNT]);
    }
}

/* Public API --------------------------------------------------------------------------------- */

/**
 * muster_group_new_from_json:
 * @object: one group as Graph returns it (`id`, `displayName`, `description`, `mail`,
 *   `groupTypes`, `mailEnabled`, `securityEnabled`, `membershipRule`)
 *
 * Members that are missing, null or of the wrong type count as absent.
 */
MusterGroup *
muster_group_new_from_json (JsonObject *object)
{
  g_autoptr(GPtrArray) types = g_ptr_array_new ();
  MusterGroupFields fields = { 0 };
  JsonNode *node;

  g_return_val_if_fail (object != NULL, NULL);

  node = json_object_get_member (object, "groupTypes");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_ptr_array_add (types, (gpointer) json_node_get_string (element));
        }
    }
  g_ptr_array_add (types, NULL);

  fields.id = json_string (object, "id");
  fields.display_name = json_string (object, "displayName");
  fields.description = json_string (object, "description");
  fields.mail = json_string (object, "mail");
  fields.membership_rule = json_string (object, "membershipRule");
  fields.group_types = (const char * const *) types->pdata;
  fields.mail_enabled = json_boolean (object, "mailEnabled");
  fields.security_enabled = json_boolean (object, "securityEnabled");

  return _muster_group_new (&fields);
}

const char *
muster_group_get_id (MusterGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_GROUP (self), NULL);
  return self->id;
}

const char *
muster_group_get_display_name (MusterGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_GROUP (self), NULL);
  return self->display_name;
}

const char *
muster_group_get_description (MusterGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_GROUP (self), NULL);
  return self->description;
}

const char *
muster_group_get_mail (MusterGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_GROUP (self), NULL);
  return self->mail;
}

MusterGroupKind
muster_group_get_kind (MusterGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_GROUP (self), MUSTER_GROUP_KIND_SECURITY);
  return self->kind;
}

gboolean
muster_group_get_dynamic (MusterGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_GROUP (self), FALSE);
  return self->dynamic;
}

guint
muster_group_get_member_count (MusterGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_GROUP (self), 0);
  return self->member_count;
}

guint
muster_group_get_transitive_member_count (MusterGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_GROUP (self), 0);
  return self->transitive_member_count;
}

const char * const *
muster_group_get_group_types (MusterGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_GROUP (self), NULL);
  return (const char * const *) self->group_types;
}

gboolean
muster_group_get_mail_enabled (MusterGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_GROUP (self), FALSE);
  return self->mail_enabled;
}

gboolean
muster_group_get_security_enabled (MusterGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_GROUP (self), FALSE);
  return self->security_enabled;
}

const char *
muster_group_get_membership_rule (MusterGroup *self)
{
  g_return_val_if_fail (MUSTER_IS_GROUP (self), NULL);
  return self->membership_rule;
}

/* learn.microsoft.com/graph/api/resources/groups-overview: "Unified" in groupTypes makes a Microsoft 365
 * group whatever the flags; otherwise mailEnabled/securityEnabled decide. Graph documents no group that is
 * neither mail- nor security-enabled; such a group is counted as a security group, the kind that carries no
 * mail. */
MusterGroupKind
muster_group_kind_from_graph (gboolean unified,
                              gboolean mail_enabled,
                              gboolean security_enabled)
{
  if (unified)
    return MUSTER_GROUP_KIND_MICROSOFT365;
  if (mail_enabled)
    return security_enabled ? MUSTER_GROUP_KIND_MAIL_SECURITY : MUSTER_GROUP_KIND_DISTRIBUTION;
  return MUSTER_GROUP_KIND_SECURITY;
}

const char *
muster_group_kind_to_string (MusterGroupKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

gboolean
muster_group_kind_from_string (const char      *name,
                               MusterGroupKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_ascii_strcasecmp (name, kind_names[i]) == 0)
      {
        *kind = (MusterGroupKind) i;
        return TRUE;
      }
  return FALSE;
}

const char *
muster_group_kind_get_title (MusterGroupKind kind)
{
  switch (kind)
    {
    case MUSTER_GROUP_KIND_MICROSOFT365:
      return _("Microsoft 365");
    case MUSTER_GROUP_KIND_SECURITY:
      return _("Security");
    case MUSTER_GROUP_KIND_MAIL_SECURITY:
      return _("Mail-enabled security");
    case MUSTER_GROUP_KIND_DISTRIBUTION:
      return _("Distribution");
    default:
      g_return_val_if_reached (NULL);
    }
}
