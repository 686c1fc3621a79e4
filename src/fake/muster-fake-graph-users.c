/* muster-fake-graph-users.c: users as Graph shows them — properties, /users/{id}, /me and their
 * manager, directReports, memberOf, transitiveMemberOf and photo
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
  P_ID, P_DISPLAY_NAME, P_GIVEN_NAME, P_SURNAME, P_UPN, P_MAIL, P_JOB_TITLE, P_DEPARTMENT,
  P_COMPANY_NAME, P_EMPLOYEE_ID, P_OFFICE_LOCATION, P_MOBILE_PHONE, P_PREFERRED_LANGUAGE,
  P_USAGE_LOCATION, P_CITY, P_COUNTRY, P_CREATED, P_USER_TYPE, P_BUSINESS_PHONES, P_OTHER_MAILS,
  P_PROXY_ADDRESSES, P_ASSIGNED_LICENSES, P_ACCOUNT_ENABLED, P_ON_PREMISES_SYNC, P_MAIL_NICKNAME,
  P_IDENTITIES, P_EXTERNAL_USER_STATE, P_EMPTY_COLLECTION, P_NULL,
};

#define S(name, id, filterable) { name, id, MUSTER_FAKE_PROP_STRING, filterable, 0, 0, 0 }
#define D(name, id) { name, id, MUSTER_FAKE_PROP_STRING, 1, 0, 1, 0 }

/* learn.microsoft.com/graph/api/resources/user. The default set (no $select) is the one of
 * learn.microsoft.com/graph/api/user-list. */
static const MusterFakeProperty user_properties[] = {
  { "businessPhones", P_BUSINESS_PHONES, MUSTER_FAKE_PROP_COLLECTION, 1, 0, 1, 0 },
  D ("displayName", P_DISPLAY_NAME),
  D ("givenName", P_GIVEN_NAME),
  D ("jobTitle", P_JOB_TITLE),
  D ("mail", P_MAIL),
  D ("mobilePhone", P_MOBILE_PHONE),
  D ("officeLocation", P_OFFICE_LOCATION),
  D ("preferredLanguage", P_PREFERRED_LANGUAGE),
  D ("surname", P_SURNAME),
  D ("userPrincipalName", P_UPN),
  D ("id", P_ID),
  S ("department", P_DEPARTMENT, 1),
  S ("companyName", P_COMPANY_NAME, 1),
  S ("employeeId", P_EMPLOYEE_ID, 1),
  S ("usageLocation", P_USAGE_LOCATION, 1),
  S ("city", P_CITY, 1),
  S ("country", P_COUNTRY, 1),
  { "createdDateTime", P_CREATED, MUSTER_FAKE_PROP_STRING, 1, 1, 0, 0 },
  S ("userType", P_USER_TYPE, 1),
  { "mailNickname", P_MAIL_NICKNAME, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 0 },
  S ("externalUserState", P_EXTERNAL_USER_STATE, 1),
  { "accountEnabled", P_ACCOUNT_ENABLED, MUSTER_FAKE_PROP_BOOL, 1, 0, 0, 0 },
  { "onPremisesSyncEnabled", P_ON_PREMISES_SYNC, MUSTER_FAKE_PROP_BOOL, 1, 0, 0, 0 },
  { "otherMails", P_OTHER_MAILS, MUSTER_FAKE_PROP_COLLECTION, 1, 0, 0, 0 },
  { "proxyAddresses", P_PROXY_ADDRESSES, MUSTER_FAKE_PROP_COLLECTION, 1, 0, 0, 0 },
  { "assignedLicenses", P_ASSIGNED_LICENSES, MUSTER_FAKE_PROP_COLLECTION, 1, 0, 0, 0 },
  { "identities", P_IDENTITIES, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 0 },
  { "imAddresses", P_EMPTY_COLLECTION, MUSTER_FAKE_PROP_COLLECTION, 1, 0, 0, 0 },
  { "assignedPlans", P_EMPTY_COLLECTION, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 0 },
  { "provisionedPlans", P_EMPTY_COLLECTION, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 0 },
  { "deletedDateTime", P_NULL, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 0 },
  S ("faxNumber", P_NULL, 1),
  S ("streetAddress", P_NULL, 1),
  S ("postalCode", P_NULL, 1),
  S ("state", P_NULL, 1),
  S ("employeeType", P_NULL, 1),
  S ("ageGroup", P_NULL, 1),
  S ("creationType", P_NULL, 1),
  S ("onPremisesImmutableId", P_NULL, 1),
  S ("onPremisesSamAccountName", P_NULL, 1),
  S ("onPremisesDistinguishedName", P_NULL, 0),
  S ("onPremisesDomainName", P_NULL, 0),
  S ("onPremisesUserPrincipalName", P_NULL, 0),
  S ("onPremisesLastSyncDateTime", P_NULL, 0),
  S ("onPremisesSecurityIdentifier", P_NULL, 1),
  S ("securityIdentifier", P_NULL, 1),
  S ("passwordPolicies", P_NULL, 0),
  S ("employeeHireDate", P_NULL, 0),
  S ("lastPasswordChangeDateTime", P_NULL, 0),
  S ("signInSessionsValidFromDateTime", P_NULL, 0),
  { "showInAddressList", P_NULL, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 0 },
  /* user.md: "returned only on $select for a single user" — 501 on collections */
  { "aboutMe", P_NULL, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 1 },
  { "birthday", P_NULL, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 1 },
  { "hireDate", P_NULL, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 1 },
  { "interests", P_EMPTY_COLLECTION, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 1 },
  { "mySite", P_NULL, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 1 },
  { "pastProjects", P_EMPTY_COLLECTION, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 1 },
  { "preferredName", P_NULL, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 1 },
  { "responsibilities", P_EMPTY_COLLECTION, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 1 },
  { "schools", P_EMPTY_COLLECTION, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 1 },
  { "skills", P_EMPTY_COLLECTION, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 1 },
  { "mailboxSettings", P_NULL, MUSTER_FAKE_PROP_OTHER, 0, 0, 0, 1 },
  { NULL, 0, 0, 0, 0, 0, 0 },
};

#undef S
#undef D

static const MusterFakeSchema user_schema = { "User", "microsoft.graph.user", user_properties };

/* user-list-memberof.md: /me/memberOf needs only User.Read */
static const char * const own_member_of_scopes[] = {
  "User.Read", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "GroupMember.Read.All",
  "Group.Read.All", "Directory.Read.All", "Directory.ReadWrite.All", NULL
};

/* The photo sizes Graph names (profilephoto-get.md) */
static const char * const photo_sizes[] = {
  "48x48", "64x64", "96x96", "120x120", "240x240", "360x360", "432x432", "504x504", "648x648", NULL
};

/* permissions-reference.md: what User.ReadBasic.All reads of other users */
static gboolean
is_basic_property (const MusterFakeProperty *prop)
{
  switch (prop->id)
    {
    case P_ID: case P_DISPLAY_NAME: case P_GIVEN_NAME: case P_SURNAME: case P_MAIL: case P_UPN:
      return TRUE;
    default:
      return FALSE;
    }
}

static char *
mail_nickname (const MusterFakeUser *user)
{
  const char *upn = user->user_principal_name;
  const char *end;

  if (upn == NULL)
    return NULL;
  end = strstr (upn, "#EXT#");
  if (end == NULL)
    end = strchr (upn, '@');
  return end ? g_strndup (upn, end - upn) : g_strdup (upn);
}

static void
user_scalar (gconstpointer             object,
             const MusterFakeProperty *property,
             MusterFakeValue          *value)
{
  const MusterFakeUser *user = object;
  const char *s = NULL;

  value->type = MUSTER_FAKE_VALUE_STRING;
  switch (property->id)
    {
    case P_ID: s = user->id; break;
    case P_DISPLAY_NAME: s = user->display_name; break;
    case P_GIVEN_NAME: s = user->given_name; break;
    case P_SURNAME: s = user->surname; break;
    case P_UPN: s = user->user_principal_name; break;
    case P_MAIL: s = user->mail; break;
    case P_JOB_TITLE: s = user->job_title; break;
    case P_DEPARTMENT: s = user->department; break;
    case P_COMPANY_NAME: s = user->company_name; break;
    case P_EMPLOYEE_ID: s = user->employee_id; break;
    case P_OFFICE_LOCATION: s = user->office_location; break;
    case P_MOBILE_PHONE: s = user->mobile_phone; break;
    case P_PREFERRED_LANGUAGE: s = user->preferred_language; break;
    case P_USAGE_LOCATION: s = user->usage_location; break;
    case P_CITY: s = user->city; break;
    case P_COUNTRY: s = user->country; break;
    case P_CREATED: s = user->created_date_time; break;
    case P_USER_TYPE: s = user->user_type; break;
    case P_EXTERNAL_USER_STATE:
      s = g_strcmp0 (user->user_type, "Guest") == 0 ? "Accepted" : NULL;
      break;
    case P_ACCOUNT_ENABLED:
      value->type = MUSTER_FAKE_VALUE_BOOL;
      value->b = user->account_enabled;
      return;
    case P_ON_PREMISES_SYNC:
      /* user.md: true when synced, null when never synced */
      value->type = user->on_premises_sync_enabled ? MUSTER_FAKE_VALUE_BOOL : MUSTER_FAKE_VALUE_NULL;
      value->b = TRUE;
      return;
    default:
      break;
    }
  value->s = s;
  if (s == NULL)
    value->type = MUSTER_FAKE_VALUE_NULL;
}

static GPtrArray *
user_collection (gconstpointer             object,
                 const MusterFakeProperty *property)
{
  const MusterFakeUser *user = object;

  switch (property->id)
    {
    case P_BUSINESS_PHONES: return user->business_phones;
    case P_OTHER_MAILS: return user->other_mails;
    case P_PROXY_ADDRESSES: return user->proxy_addresses;
    case P_ASSIGNED_LICENSES: return user->assigned_licenses;
    default: return NULL;
    }
}

static void
append_strings (GString   *out,
                GPtrArray *items)
{
  g_string_append_c (out, '[');
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      _muster_fake_odata_append_string (out, g_ptr_array_index (items, i));
    }
  g_string_append_c (out, ']');
}

/* Writes "name":value; returns FALSE (writing nothing) when @omit_null and the value is null. */
static gboolean
append_user_property (MusterFakeGraphCall      *call,
                      GString                  *out,
                      const MusterFakeUser     *user,
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

  if (G_UNLIKELY (call->basic_profile) && !is_basic_property (prop)
      && g_strcmp0 (user->id, call->grant->user_id) != 0)
    {
      if (prop->kind == MUSTER_FAKE_PROP_COLLECTION || prop->id == P_EMPTY_COLLECTION)
        g_string_append_len (out, "[]", 2);
      else if (omit_null)
        {
          g_string_truncate (out, mark);
          return FALSE;
        }
      else
        g_string_append_len (out, "null", 4);
      return TRUE;
    }

  switch (prop->id)
    {
    case P_BUSINESS_PHONES:
    case P_OTHER_MAILS:
    case P_PROXY_ADDRESSES:
      append_strings (out, user_collection (user, prop));
      return TRUE;
    case P_EMPTY_COLLECTION:
      g_string_append_len (out, "[]", 2);
      return TRUE;
    case P_ASSIGNED_LICENSES:
      g_string_append_c (out, '[');
      for (guint i = 0; user->assigned_licenses && i < user->assigned_licenses->len; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          g_string_append (out, "{\"disabledPlans\":[],\"skuId\":");
          _muster_fake_odata_append_string (out, g_ptr_array_index (user->assigned_licenses, i));
          g_string_append_c (out, '}');
        }
      g_string_append_c (out, ']');
      return TRUE;
    case P_MAIL_NICKNAME:
      {
        g_autofree char *nick = mail_nickname (user);

        if (nick == NULL && omit_null)
          {
            g_string_truncate (out, mark);
            return FALSE;
          }
        _muster_fake_odata_append_string (out, nick);
      }
      return TRUE;
    case P_IDENTITIES:
      g_string_append (out, "[{\"signInType\":\"userPrincipalName\",\"issuer\":");
      _muster_fake_odata_append_string (out, call->ctx->directory->initial_domain);
      g_string_append (out, ",\"issuerAssignedId\":");
      _muster_fake_odata_append_string (out, user->user_principal_name);
      g_string_append (out, "}]");
      return TRUE;
    default:
      break;
    }

  user_scalar (user, prop, &value);
  return _muster_fake_odata_append_value (out, &value, mark, omit_null);
}

static void
append_user_full (MusterFakeGraphCall *call,
                  GString             *out,
                  const MusterFakeUser *user,
                  MusterFakeSelect    *select,
                  MusterFakeSelect    *expand_select,
                  gboolean             with_type,
                  gboolean             omit_null)
{
  gboolean comma = FALSE;

  g_string_append_c (out, '{');
  if (with_type)
    {
      g_string_append (out, "\"@odata.type\":\"#microsoft.graph.user\"");
      comma = TRUE;
    }
  if (select == NULL || select->properties == NULL)
    {
      for (const MusterFakeProperty *prop = user_properties; prop->name != NULL && prop->is_default; prop++)
        if (append_user_property (call, out, user, prop, comma, omit_null))
          comma = TRUE;
    }
  else
    {
      for (guint i = 0; i < select->properties->len; i++)
        if (append_user_property (call, out, user, g_ptr_array_index (select->properties, i), comma, omit_null))
          comma = TRUE;
    }
  if (expand_select != NULL && user->manager_id != NULL)
    {
      MusterFakeUser *manager = muster_fake_directory_lookup_user (call->ctx->directory, user->manager_id);

      if (manager != NULL && !manager->deleted)
        {
          if (comma)
            g_string_append_c (out, ',');
          g_string_append (out, "\"manager\":");
          append_user_full (call, out, manager, expand_select, NULL, TRUE, FALSE);
        }
    }
  g_string_append_c (out, '}');
}

void
_muster_fake_graph_append_user (MusterFakeGraphCall *call,
                                GString             *out,
                                MusterFakeUser      *user,
                                MusterFakeSelect    *select,
                                gboolean             with_type,
                                gboolean             omit_null)
{
  append_user_full (call, out, user, select, NULL, with_type, omit_null);
}

static void
append_user_object (MusterFakeGraphCall *call,
                    GString             *out,
                    gconstpointer        object,
                    MusterFakeSelect    *select,
                    MusterFakeSelect    *expand_select,
                    gboolean             with_type,
                    gboolean             omit_null)
{
  append_user_full (call, out, object, select, expand_select, with_type, omit_null);
}

static GPtrArray *
directory_users (MusterFakeDirectory *dir)
{
  return dir->users;
}

static gboolean
user_is_live (gconstpointer object)
{
  return !((const MusterFakeUser *) object)->deleted;
}

static const char * const user_sortable[] = { "displayName", "userPrincipalName", NULL };

const MusterFakeResource _muster_fake_user_resource = {
  &user_schema, "users", "manager", user_sortable,
  directory_users, user_is_live, user_scalar, user_collection, append_user_object,
};

/* ---- one user ------------------------------------------------------------------------------- */

static void
not_found (MusterFakeGraphCall *call,
           const char          *what)
{
  g_autofree char *message = g_strdup_printf ("Resource '%s' does not exist or one of its queried "
                                              "reference-property objects are not present.", what);

  _muster_fake_graph_call_error (call, 404, "Request_ResourceNotFound", message);
}

static void
image_not_found (MusterFakeGraphCall *call)
{
  /* profilephoto-get.md: 404 when the user has no photo (message as
   * github.com/microsoftgraph/msgraph-sdk-dotnet-core/issues/851 shows) */
  _muster_fake_graph_call_error (call, 404, "ImageNotFound",
                                 "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.");
}

static void
single_user (MusterFakeGraphCall *call,
             MusterFakeUser      *user,
             const char          *id_segment)
{
  MusterFakeODataError error = { 0, NULL, NULL };
  MusterFakeSelect select = { NULL };
  MusterFakeSelect expand_select = { NULL };
  g_auto(MusterFakeExpand) expand = { NULL, NULL };
  GString *out;

  if (!_muster_fake_select_parse (&select, &user_schema, g_hash_table_lookup (call->query, "$select"),
                                  FALSE, &error)
      || !_muster_fake_expand_parse (&expand, g_hash_table_lookup (call->query, "$expand"), &error))
    {
      _muster_fake_graph_call_error (call, error.status, error.code, error.message);
      _muster_fake_odata_error_clear (&error);
      _muster_fake_select_clear (&select);
      return;
    }
  if (expand.name != NULL && g_ascii_strcasecmp (expand.name, "manager") != 0)
    {
      g_autofree char *message = g_ascii_strcasecmp (expand.name, "photo") == 0 ? NULL
        : g_strdup_printf ("Could not find a property named '%s' on type 'microsoft.graph.user'.", expand.name);

      if (message == NULL)
        _muster_fake_graph_call_error (call, 400, "ExpandNotSupported", "Expanding 'photo' is not supported.");
      else
        _muster_fake_graph_call_error (call, 400, "BadRequest", message);
      _muster_fake_select_clear (&select);
      return;
    }
  if (expand.name != NULL)
    {
      if (!_muster_fake_select_parse (&expand_select, &user_schema, expand.select, FALSE, &error))
        {
          _muster_fake_graph_call_error (call, error.status, error.code, error.message);
          _muster_fake_odata_error_clear (&error);
          _muster_fake_select_clear (&select);
          return;
        }
      if (expand_select.properties == NULL)
        {
          expand_select.properties = g_ptr_array_new ();
          for (const MusterFakeProperty *p = user_properties; p->name && p->is_default; p++)
            g_ptr_array_add (expand_select.properties, (gpointer) p);
        }
    }

  out = g_string_new ("{");
  _muster_fake_graph_append_context (call, out, "users/$entity");
  g_string_append_c (out, ',');
  {
    GString *object = g_string_new (NULL);

    append_user_full (call, object, user, &select, expand.name ? &expand_select : NULL, FALSE, FALSE);
    /* splice the object's members after @odata.context */
    if (object->len > 2)
      g_string_append_len (out, object->str + 1, object->len - 1);
    else
      {
        g_string_truncate (out, out->len - 1);
        g_string_append_c (out, '}');
      }
    g_string_free (object, TRUE);
  }
  _muster_fake_graph_call_take_json (call, 200, out);
  _muster_fake_select_clear (&select);
  _muster_fake_select_clear (&expand_select);
}

static void
manager_of (MusterFakeGraphCall *call,
            MusterFakeUser      *user)
{
  MusterFakeUser *manager = user->manager_id
    ? muster_fake_directory_lookup_user (call->ctx->directory, user->manager_id) : NULL;
  MusterFakeODataError error = { 0, NULL, NULL };
  MusterFakeSelect select = { NULL };
  GString *out, *object;

  if (!_muster_fake_select_parse (&select, &user_schema, g_hash_table_lookup (call->query, "$select"),
                                  FALSE, &error))
    {
      _muster_fake_graph_call_error (call, error.status, error.code, error.message);
      _muster_fake_odata_error_clear (&error);
      return;
    }
  /* user-list-manager.md, github.com/microsoftgraph/entra-powershell/issues/237: 404 naming
   * 'manager' when there is none */
  if (manager == NULL || manager->deleted)
    {
      not_found (call, "manager");
      _muster_fake_select_clear (&select);
      return;
    }

  out = g_string_new ("{");
  _muster_fake_graph_append_context (call, out, "directoryObjects/$entity");
  g_string_append_c (out, ',');
  object = g_string_new (NULL);
  append_user_full (call, object, manager, &select, NULL, TRUE, FALSE);
  g_string_append_len (out, object->str + 1, object->len - 1);
  g_string_free (object, TRUE);
  _muster_fake_graph_call_take_json (call, 200, out);
  _muster_fake_select_clear (&select);
}

static gboolean
is_photo_size (const char *size)
{
  return g_strv_contains (photo_sizes, size);
}

static void
photo_metadata (MusterFakeGraphCall *call,
                MusterFakeUser      *user,
                const char          *id_segment,
                const char          *size)
{
  g_autofree char *etag = NULL;
  g_autofree char *what = NULL;
  g_autofree char *id = NULL;
  GString *out;
  guint width = user->photo_width, height = user->photo_height;

  if (user->photo == NULL)
    {
      image_not_found (call);
      return;
    }
  if (size != NULL)
    width = height = g_ascii_strtoull (size, NULL, 10);
  id = size ? g_strdup (size) : g_strdup_printf ("%ux%u", width, height);
  etag = g_strdup_printf ("\\\"%08X\\\"", g_bytes_hash (user->photo));
  what = g_strdup_printf ("users('%s')/photo/$entity", user->id);
  out = g_string_new ("{");
  _muster_fake_graph_append_context (call, out, what);
  g_string_append (out, ",\"@odata.mediaContentType\":");
  _muster_fake_json_append_string (out, user->photo_content_type ? user->photo_content_type : "image/jpeg");
  g_string_append_printf (out, ",\"@odata.mediaEtag\":\"%s\",\"id\":\"%s\",\"width\":%u,\"height\":%u}",
                          etag, id, width, height);
  _muster_fake_graph_call_take_json (call, 200, out);
}

static void
photo_value (MusterFakeGraphCall *call,
             MusterFakeUser      *user)
{
  if (user->photo == NULL)
    {
      image_not_found (call);
      return;
    }
  call->status = 200;
  g_free (call->content_type);
  call->content_type = g_strdup (user->photo_content_type ? user->photo_content_type : "image/jpeg");
  call->bytes = g_bytes_ref (user->photo);
}

static void
photos_list (MusterFakeGraphCall *call,
             MusterFakeUser      *user)
{
  g_autofree char *what = g_strdup_printf ("users('%s')/photos", user->id);
  GString *out = g_string_new ("{");
  guint largest = MAX (user->photo_width, user->photo_height);
  gboolean first = TRUE;

  _muster_fake_graph_append_context (call, out, what);
  g_string_append (out, ",\"value\":[");
  for (guint i = 0; user->photo != NULL && photo_sizes[i] != NULL; i++)
    {
      guint side = g_ascii_strtoull (photo_sizes[i], NULL, 10);

      /* only the sizes the stored photo can be scaled down to, plus the smallest */
      if (side > largest && i > 0)
        break;
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      g_string_append_printf (out, "{\"@odata.mediaContentType\":\"%s\",\"@odata.mediaEtag\":\"\\\"%08X\\\"\","
                                   "\"id\":\"%s\",\"width\":%u,\"height\":%u}",
                              user->photo_content_type ? user->photo_content_type : "image/jpeg",
                              g_bytes_hash (user->photo), photo_sizes[i], side, side);
    }
  g_string_append (out, "]}");
  _muster_fake_graph_call_take_json (call, 200, out);
}

void
_muster_fake_graph_user_item (MusterFakeGraphCall *call,
                              MusterFakeUser      *user,
                              const char          *id_segment,
                              const char          *rest)
{
  MusterFakeDirectory *dir = call->ctx->directory;
  g_auto(GStrv) parts = g_strsplit (*rest == '/' ? rest + 1 : rest, "/", -1);
  guint n = *rest ? g_strv_length (parts) : 0;
  const char *sub = n > 0 ? parts[0] : NULL;

  if (sub == NULL)
    {
      single_user (call, user, id_segment);
      return;
    }

  if (g_str_equal (sub, "manager") && n == 1)
    manager_of (call, user);
  else if (g_str_equal (sub, "directReports") && n <= 2)
    {
      g_autoptr(GPtrArray) reports = muster_fake_directory_direct_reports (dir, user->id);
      g_autoptr(GPtrArray) ids = g_ptr_array_new ();

      for (guint i = 0; i < reports->len; i++)
        g_ptr_array_add (ids, ((MusterFakeUser *) g_ptr_array_index (reports, i))->id);
      _muster_fake_graph_directory_objects (call, ids, n == 2 ? parts[1] : NULL);
    }
  else if ((g_str_equal (sub, "memberOf") || g_str_equal (sub, "transitiveMemberOf")) && n <= 2)
    {
      g_autoptr(GPtrArray) groups = NULL;
      g_autoptr(GPtrArray) ids = g_ptr_array_new ();

      if (!_muster_fake_graph_call_require (call, g_str_equal (id_segment, "me") ? own_member_of_scopes
                                                                                 : _muster_fake_scopes_member_of))
        return;
      groups = g_str_equal (sub, "memberOf") ? muster_fake_directory_member_of (dir, user->id)
                                             : muster_fake_directory_transitive_member_of (dir, user->id);
      for (guint i = 0; i < groups->len; i++)
        g_ptr_array_add (ids, ((MusterFakeGroup *) g_ptr_array_index (groups, i))->id);
      _muster_fake_graph_directory_objects (call, ids, n == 2 ? parts[1] : NULL);
    }
  else if (g_str_equal (sub, "photo") && n == 1)
    photo_metadata (call, user, id_segment, NULL);
  else if (g_str_equal (sub, "photo") && n == 2 && g_str_equal (parts[1], "$value"))
    photo_value (call, user);
  /* profilephoto-get.md writes the sized form both as /photo/48x48/$value and /photos/48x48/$value */
  else if ((g_str_equal (sub, "photos") || g_str_equal (sub, "photo")) && n >= 2 && is_photo_size (parts[1]))
    {
      if (n == 2 && g_str_equal (sub, "photos"))
        photo_metadata (call, user, id_segment, parts[1]);
      else if (n == 3 && g_str_equal (parts[2], "$value"))
        photo_value (call, user);
      else
        {
          g_autofree char *message = g_strdup_printf ("Resource not found for the segment '%s'.", parts[n - 1]);
          _muster_fake_graph_call_error (call, 400, "BadRequest", message);
        }
    }
  else if (g_str_equal (sub, "photos") && n == 2)
    image_not_found (call);
  else if (g_str_equal (sub, "photos") && n == 1)
    photos_list (call, user);
  else
    {
      g_autofree char *message = g_strdup_printf ("Resource not found for the segment '%s'.", parts[n - 1]);
      _muster_fake_graph_call_error (call, 400, "BadRequest", message);
    }
}
