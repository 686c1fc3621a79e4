/* muster-fake-graph-groups.c: groups as Graph shows them, /groups/{id} with members and
 * transitiveMembers, and the directoryObject pages that memberships use
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-graph"

#include "config.h"

#include <string.h>

#include "muster-fake-graph-private.h"
#include "muster-fake-http.h"

enum
{
  G_ID, G_DELETED, G_CLASSIFICATION, G_CREATED, G_DESCRIPTION, G_DISPLAY_NAME, G_EXPIRATION,
  G_GROUP_TYPES, G_ASSIGNABLE, G_MAIL, G_MAIL_ENABLED, G_MAIL_NICKNAME, G_RULE, G_RULE_STATE,
  G_NULL, G_PROXY_ADDRESSES, G_RENEWED, G_EMPTY_COLLECTION, G_SECURITY_ENABLED, G_VISIBILITY,
  G_SECURITY_IDENTIFIER,
};

/* learn.microsoft.com/graph/api/group-list: the default set, in the sample's order */
static const MusterFakeProperty group_properties[] = {
  { "id", G_ID, MUSTER_FAKE_PROP_STRING, 1, 0, 1, 0 },
  { "deletedDateTime", G_DELETED, MUSTER_FAKE_PROP_OTHER, 0, 0, 1, 0 },
  { "classification", G_CLASSIFICATION, MUSTER_FAKE_PROP_STRING, 1, 0, 1, 0 },
  { "createdDateTime", G_CREATED, MUSTER_FAKE_PROP_STRING, 1, 1, 1, 0 },
  { "description", G_DESCRIPTION, MUSTER_FAKE_PROP_STRING, 1, 0, 1, 0 },
  { "displayName", G_DISPLAY_NAME, MUSTER_FAKE_PROP_STRING, 1, 0, 1, 0 },
  { "expirationDateTime", G_EXPIRATION, MUSTER_FAKE_PROP_STRING, 1, 0, 1, 0 },
  { "groupTypes", G_GROUP_TYPES, MUSTER_FAKE_PROP_COLLECTION, 1, 0, 1, 0 },
  { "isAssignableToRole", G_ASSIGNABLE, MUSTER_FAKE_PROP_BOOL, 1, 0, 1, 0 },
  { "mail", G_MAIL, MUSTER_FAKE_PROP_STRING, 1, 0, 1, 0 },
  { "mailEnabled", G_MAIL_ENABLED, MUSTER_FAKE_PROP_BOOL, 1, 0, 1, 0 },
  { "mailNickname", G_MAIL_NICKNAME, MUSTER_FAKE_PROP_STRING, 1, 0, 1, 0 },
  { "membershipRule", G_RULE, MUSTER_FAKE_PROP_STRING, 0, 0, 1, 0 },
  { "membershipRuleProcessingState", G_RULE_STATE, MUSTER_FAKE_PROP_STRING, 0, 0, 1, 0 },
  { "onPremisesDomainName", G_NULL, MUSTER_FAKE_PROP_STRING, 0, 0, 1, 0 },
  { "onPremisesLastSyncDateTime", G_NULL, MUSTER_FAKE_PROP_STRING, 0, 0, 1, 0 },
  { "onPremisesNetBiosName", G_NULL, MUSTER_FAKE_PROP_STRING, 0, 0, 1, 0 },
  { "onPremisesSamAccountName", G_NULL, MUSTER_FAKE_PROP_STRING, 0, 0, 1, 0 },
  { "onPremisesSecurityIdentifier", G_NULL, MUSTER_FAKE_PROP_STRING, 1, 0, 1, 0 },
  { "onPremisesSyncEnabled", G_NULL, MUSTER_FAKE_PROP_BOOL, 1, 0, 1, 0 },
  { "preferredDataLocation", G_NULL, MUSTER_FAKE_PROP_STRING, 0, 0, 1, 0 },
  { "preferredLanguage", G_NULL, MUSTER_FAKE_PROP_STRING, 0, 0, 1, 0 },
  { "proxyAddresses", G_PROXY_ADDRESSES, MUSTER_FAKE_PROP_OTHER, 0, 0, 1, 0 },
  { "renewedDateTime", G_RENEWED, MUSTER_FAKE_PROP_STRING, 0, 0, 1, 0 },
  { "resourceBehaviorOptions", G_EMPTY_COLLECTION, MUSTER_FAKE_PROP_OTHER, 0, 0, 1, 0 },
  { "resourceProvisioningOptions", G_EMPTY_COLLECTION, MUSTER_FAKE_PROP_OTHER, 0, 0, 1, 0 },
  { "securityEnabled", G_SECURITY_ENABLED, MUSTER_FAKE_PROP_BOOL, 1, 0, 1, 0 },
  { "securityIdentifier", G_SECURITY_IDENTIFIER, MUSTER_FAKE_PROP_STRING, 1, 0, 1, 0 },
  { "theme", G_NULL, MUSTER_FAKE_PROP_STRING, 0, 0, 1, 0 },
  { "visibility", G_VISIBILITY, MUSTER_FAKE_PROP_STRING, 0, 0, 1, 0 },
  { "onPremisesProvisioningErrors", G_EMPTY_COLLECTION, MUSTER_FAKE_PROP_OTHER, 0, 0, 1, 0 },
  { NULL, 0, 0, 0, 0, 0, 0 },
};

static const MusterFakeSchema group_schema = { "Group", "microsoft.graph.group", group_properties };

/* groupTypes of each kind, built once (groups-overview.md) */
static GPtrArray *
group_types (const MusterFakeGroup *group)
{
  static GPtrArray *types[4];

  if (g_once_init_enter (&types[0]))
    {
      GPtrArray *none = g_ptr_array_new ();

      types[1] = g_ptr_array_new ();
      g_ptr_array_add (types[1], (gpointer) "Unified");
      types[2] = g_ptr_array_new ();
      g_ptr_array_add (types[2], (gpointer) "DynamicMembership");
      types[3] = g_ptr_array_new ();
      g_ptr_array_add (types[3], (gpointer) "Unified");
      g_ptr_array_add (types[3], (gpointer) "DynamicMembership");
      g_once_init_leave (&types[0], none);
    }
  return types[(group->kind == MUSTER_FAKE_GROUP_MICROSOFT365 ? 1 : 0) + (group->dynamic ? 2 : 0)];
}

static gboolean
mail_enabled (const MusterFakeGroup *group)
{
  return group->kind != MUSTER_FAKE_GROUP_SECURITY;
}

static gboolean
security_enabled (const MusterFakeGroup *group)
{
  return group->kind == MUSTER_FAKE_GROUP_SECURITY || group->kind == MUSTER_FAKE_GROUP_MAIL_SECURITY;
}

static void
group_scalar (gconstpointer             object,
              const MusterFakeProperty *property,
              MusterFakeValue          *value)
{
  const MusterFakeGroup *group = object;
  const char *s = NULL;

  value->type = MUSTER_FAKE_VALUE_STRING;
  switch (property->id)
    {
    case G_ID: s = group->id; break;
    case G_CREATED:
    case G_RENEWED: s = group->created_date_time; break;
    case G_DESCRIPTION: s = group->description; break;
    case G_DISPLAY_NAME: s = group->display_name; break;
    case G_MAIL: s = group->mail; break;
    case G_MAIL_NICKNAME: s = group->mail_nickname; break;
    case G_RULE: s = group->dynamic ? group->membership_rule : NULL; break;
    case G_RULE_STATE: s = group->dynamic ? "On" : NULL; break;
    case G_VISIBILITY: s = group->kind == MUSTER_FAKE_GROUP_MICROSOFT365 ? "Public" : NULL; break;
    case G_MAIL_ENABLED:
      value->type = MUSTER_FAKE_VALUE_BOOL;
      value->b = mail_enabled (group);
      return;
    case G_SECURITY_ENABLED:
      value->type = MUSTER_FAKE_VALUE_BOOL;
      value->b = security_enabled (group);
      return;
    case G_ASSIGNABLE:
      value->type = MUSTER_FAKE_VALUE_NULL;
      return;
    default:
      break;
    }
  value->s = s;
  if (s == NULL)
    value->type = MUSTER_FAKE_VALUE_NULL;
}

static GPtrArray *
group_collection (gconstpointer             object,
                  const MusterFakeProperty *property)
{
  return property->id == G_GROUP_TYPES ? group_types (object) : NULL;
}

static gboolean
append_group_property (GString                  *out,
                       const MusterFakeGroup    *group,
                       const MusterFakeProperty *prop,
                       gboolean                  comma,
                       gboolean                  omit_null)
{
  MusterFakeValue value;
  gsize mark = out->len;

  if (comma)
    g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, prop->name);
  g_string_append_len (out, "\":", 2);

  switch (prop->id)
    {
    case G_GROUP_TYPES:
      {
        GPtrArray *types = group_types (group);

        g_string_append_c (out, '[');
        for (guint i = 0; i < types->len; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            _muster_fake_odata_append_string (out, g_ptr_array_index (types, i));
          }
        g_string_append_c (out, ']');
      }
      return TRUE;
    case G_PROXY_ADDRESSES:
      g_string_append_c (out, '[');
      if (group->mail != NULL)
        {
          g_autofree char *smtp = g_strconcat ("SMTP:", group->mail, NULL);
          _muster_fake_odata_append_string (out, smtp);
        }
      g_string_append_c (out, ']');
      return TRUE;
    case G_EMPTY_COLLECTION:
      g_string_append_len (out, "[]", 2);
      return TRUE;
    default:
      break;
    }

  group_scalar (group, prop, &value);
  return _muster_fake_odata_append_value (out, &value, mark, omit_null);
}

void
_muster_fake_graph_append_group (MusterFakeGraphCall *call,
                                 GString             *out,
                                 MusterFakeGroup     *group,
                                 MusterFakeSelect    *select,
                                 gboolean             with_type,
                                 gboolean             omit_null)
{
  gboolean comma = FALSE;

  g_string_append_c (out, '{');
  if (with_type)
    {
      g_string_append (out, "\"@odata.type\":\"#microsoft.graph.group\"");
      comma = TRUE;
    }
  if (select == NULL || select->properties == NULL)
    {
      for (const MusterFakeProperty *prop = group_properties; prop->name != NULL; prop++)
        if (prop->is_default && append_group_property (out, group, prop, comma, omit_null))
          comma = TRUE;
    }
  else
    {
      for (guint i = 0; i < select->properties->len; i++)
        if (append_group_property (out, group, g_ptr_array_index (select->properties, i), comma, omit_null))
          comma = TRUE;
    }
  g_string_append_c (out, '}');
}

static void
append_group_object (MusterFakeGraphCall *call,
                     GString             *out,
                     gconstpointer        object,
                     MusterFakeSelect    *select,
                     MusterFakeSelect    *expand_select,
                     gboolean             with_type,
                     gboolean             omit_null)
{
  _muster_fake_graph_append_group (call, out, (MusterFakeGroup *) object, select, with_type, omit_null);
}

static GPtrArray *
directory_groups (MusterFakeDirectory *dir)
{
  return dir->groups;
}

static gboolean
group_is_live (gconstpointer object)
{
  return !((const MusterFakeGroup *) object)->deleted;
}

static const char * const group_sortable[] = { "displayName", NULL };

const MusterFakeResource _muster_fake_group_resource = {
  &group_schema, "groups", NULL, group_sortable,
  directory_groups, group_is_live, group_scalar, group_collection, append_group_object,
};

/* ---- directory objects ---------------------------------------------------------------------- */

/* The live user or group @id names, of the type @only (NULL: either) and matching @filter; its
 * resource in @kind. NULL when it is none of that. */
static gconstpointer
resolve_directory_object (MusterFakeDirectory       *dir,
                          const char                *id,
                          const MusterFakeResource  *only,
                          MusterFakeFilter          *filter,
                          const MusterFakeResource **kind)
{
  MusterFakeUser *user = muster_fake_directory_lookup_user (dir, id);
  MusterFakeGroup *group = user ? NULL : muster_fake_directory_lookup_group (dir, id);
  gconstpointer object = user ? (gconstpointer) user : (gconstpointer) group;

  *kind = user ? &_muster_fake_user_resource : &_muster_fake_group_resource;
  if (object == NULL || !(*kind)->is_live (object) || (only != NULL && only != *kind))
    return NULL;
  if (filter != NULL && !_muster_fake_filter_eval (filter, object, (*kind)->scalar, (*kind)->collection))
    return NULL;
  return object;
}

void
_muster_fake_graph_directory_objects (MusterFakeGraphCall *call,
                                      GPtrArray           *ids,
                                      const char          *cast)
{
  MusterFakeDirectory *dir = call->ctx->directory;
  const MusterFakeResource *only = NULL;
  MusterFakeODataError error = { 0, NULL, NULL };
  MusterFakeSelect user_select = { NULL }, group_select = { NULL };
  g_autoptr(MusterFakeFilter) filter = NULL;
  const char *select_text = g_hash_table_lookup (call->query, "$select");
  const char *filter_text = g_hash_table_lookup (call->query, "$filter");
  const char *count_text = g_hash_table_lookup (call->query, "$count");
  gboolean count_true = count_text != NULL && g_ascii_strcasecmp (count_text, "true") == 0;
  g_autoptr(GPtrArray) objects = g_ptr_array_new ();
  g_autoptr(GPtrArray) kinds = g_ptr_array_new ();
  guint top = 100;
  guint64 position = 0;
  gint64 next = -1, total = -1;
  GString *out;

  if (cast != NULL)
    {
      if (g_str_equal (cast, "microsoft.graph.user"))
        only = &_muster_fake_user_resource;
      else if (g_str_equal (cast, "microsoft.graph.group"))
        only = &_muster_fake_group_resource;
      else
        {
          g_autofree char *message = g_strdup_printf ("Resource not found for the segment '%s'.", cast);
          _muster_fake_graph_call_error (call, 400, "BadRequest", message);
          return;
        }
    }
  if (g_hash_table_contains (call->query, "$skip"))
    {
      _muster_fake_graph_call_error (call, 400, "Request_BadRequest", "'$skip' is not supported by the service.");
      return;
    }
  if (!_muster_fake_top_parse (g_hash_table_lookup (call->query, "$top"), 100, &top, &error))
    goto fail;

  /* A directoryObject $select may name properties of either type; each object shows what it has. */
  if (select_text != NULL)
    {
      g_auto(GStrv) names = g_strsplit (select_text, ",", -1);

      for (guint i = 0; names[i] != NULL; i++)
        {
          const char *name = g_strstrip (names[i]);

          if (*name != '\0' && !g_str_equal (name, "*")
              && _muster_fake_schema_lookup (_muster_fake_user_resource.schema, name) == NULL
              && _muster_fake_schema_lookup (_muster_fake_group_resource.schema, name) == NULL)
            {
              error.status = 400;
              error.code = g_strdup ("BadRequest");
              error.message = g_strdup_printf ("Could not find a property named '%s' on type "
                                               "'microsoft.graph.directoryObject'.", name);
              goto fail;
            }
        }
      _muster_fake_select_parse (&user_select, _muster_fake_user_resource.schema, select_text, TRUE, NULL);
      _muster_fake_select_parse (&group_select, _muster_fake_group_resource.schema, select_text, TRUE, NULL);
      /* a select naming only the other type's properties still returns id */
      if (user_select.properties == NULL)
        _muster_fake_select_parse (&user_select, _muster_fake_user_resource.schema, "id", TRUE, NULL);
      if (group_select.properties == NULL)
        _muster_fake_select_parse (&group_select, _muster_fake_group_resource.schema, "id", TRUE, NULL);
    }
  if (filter_text != NULL)
    {
      if (only == NULL)
        {
          /* aad-advanced-queries.md: filtering memberships needs a type cast */
          _muster_fake_graph_call_error (call, 400, "Request_UnsupportedQuery",
                                         "The filter on a directoryObject collection needs an OData cast to "
                                         "microsoft.graph.user or microsoft.graph.group.");
          goto out;
        }
      filter = _muster_fake_filter_parse (only->schema, filter_text, &error);
      if (filter == NULL)
        goto fail;
      if (_muster_fake_filter_get_advanced (filter) != NULL
          && !(_muster_fake_graph_call_is_eventual (call) && count_true))
        {
          _muster_fake_graph_call_error (call, 400, "Request_UnsupportedQuery",
                                         _muster_fake_filter_get_advanced (filter));
          goto out;
        }
    }
  if (!_muster_fake_graph_read_skiptoken (call, &position))
    goto out;

  /* The position is the index in the member ids where the page starts, as for /users
   * (muster-fake-graph-list.c): a page of a group of 100,000 members resolves its own members,
   * not the whole group again. */
  for (guint i = position; i < ids->len; i++)
    {
      const MusterFakeResource *kind;
      gconstpointer object = resolve_directory_object (dir, g_ptr_array_index (ids, i), only, filter, &kind);

      if (object == NULL)
        continue;
      if (objects->len == top)
        {
          next = i;
          break;
        }
      g_ptr_array_add (objects, (gpointer) object);
      g_ptr_array_add (kinds, (gpointer) kind);
    }
  if (count_true && _muster_fake_graph_call_is_eventual (call) && position == 0)
    {
      total = 0;
      for (guint i = 0; i < ids->len; i++)
        {
          const MusterFakeResource *kind;

          if (resolve_directory_object (dir, g_ptr_array_index (ids, i), only, filter, &kind) != NULL)
            total++;
        }
    }

  out = g_string_new ("{");
  _muster_fake_graph_append_context (call, out, only == &_muster_fake_user_resource ? "users"
                                                : only == &_muster_fake_group_resource ? "groups"
                                                : "directoryObjects");
  if (total >= 0)
    g_string_append_printf (out, ",\"@odata.count\":%" G_GINT64_FORMAT, total);
  if (next >= 0)
    _muster_fake_graph_append_next_link (call, out, next);
  g_string_append (out, ",\"value\":[");
  for (guint i = 0; i < objects->len; i++)
    {
      const MusterFakeResource *kind = g_ptr_array_index (kinds, i);

      if (i > 0)
        g_string_append_c (out, ',');
      kind->append (call, out, g_ptr_array_index (objects, i),
                    kind == &_muster_fake_user_resource ? &user_select : &group_select,
                    NULL, TRUE, FALSE);
    }
  g_string_append (out, "]}");
  _muster_fake_graph_call_take_json (call, 200, out);
  goto out;

fail:
  _muster_fake_graph_call_error (call, error.status, error.code, error.message);
  _muster_fake_odata_error_clear (&error);
out:
  _muster_fake_select_clear (&user_select);
  _muster_fake_select_clear (&group_select);
}

/* ---- one group ------------------------------------------------------------------------------ */

void
_muster_fake_graph_group_item (MusterFakeGraphCall *call,
                               MusterFakeGroup     *group,
                               const char          *id_segment,
                               const char          *rest)
{
  MusterFakeDirectory *dir = call->ctx->directory;
  g_auto(GStrv) parts = g_strsplit (*rest == '/' ? rest + 1 : rest, "/", -1);
  guint n = *rest ? g_strv_length (parts) : 0;
  const char *sub = n > 0 ? parts[0] : NULL;

  if (sub == NULL)
    {
      MusterFakeODataError error = { 0, NULL, NULL };
      MusterFakeSelect select = { NULL };
      GString *out, *object;

      if (!_muster_fake_select_parse (&select, &group_schema, g_hash_table_lookup (call->query, "$select"),
                                      FALSE, &error))
        {
          _muster_fake_graph_call_error (call, error.status, error.code, error.message);
          _muster_fake_odata_error_clear (&error);
          return;
        }
      out = g_string_new ("{");
      _muster_fake_graph_append_context (call, out, "groups/$entity");
      object = g_string_new (NULL);
      _muster_fake_graph_append_group (call, object, group, &select, FALSE, FALSE);
      if (object->len > 2)
        {
          g_string_append_c (out, ',');
          g_string_append_len (out, object->str + 1, object->len - 1);
        }
      else
        g_string_append_c (out, '}');
      g_string_free (object, TRUE);
      _muster_fake_graph_call_take_json (call, 200, out);
      _muster_fake_select_clear (&select);
      return;
    }

  if ((g_str_equal (sub, "members") || g_str_equal (sub, "transitiveMembers")) && n <= 2)
    {
      g_autoptr(GPtrArray) transitive = NULL;

      /* group-list-members.md: GroupMember.Read.All is the least privilege */
      if (!_muster_fake_graph_call_require (call, _muster_fake_scopes_members))
        return;
      if (g_str_equal (sub, "members"))
        _muster_fake_graph_directory_objects (call, group->member_ids, n == 2 ? parts[1] : NULL);
      else
        {
          transitive = muster_fake_directory_transitive_members (dir, group);
          _muster_fake_graph_directory_objects (call, transitive, n == 2 ? parts[1] : NULL);
        }
    }
  else if ((g_str_equal (sub, "memberOf") || g_str_equal (sub, "transitiveMemberOf")) && n <= 2)
    {
      g_autoptr(GPtrArray) groups = g_str_equal (sub, "memberOf")
        ? muster_fake_directory_member_of (dir, group->id)
        : muster_fake_directory_transitive_member_of (dir, group->id);
      g_autoptr(GPtrArray) ids = g_ptr_array_new ();

      for (guint i = 0; i < groups->len; i++)
        g_ptr_array_add (ids, ((MusterFakeGroup *) g_ptr_array_index (groups, i))->id);
      _muster_fake_graph_directory_objects (call, ids, n == 2 ? parts[1] : NULL);
    }
  else
    {
      g_autofree char *message = g_strdup_printf ("Resource not found for the segment '%s'.", parts[n - 1]);
      _muster_fake_graph_call_error (call, 400, "BadRequest", message);
    }
}
