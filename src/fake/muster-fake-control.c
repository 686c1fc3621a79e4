/* muster-fake-control.c: the fake tenant's control API, for tests and demos
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-control"

#include "config.h"

#include <json-glib/json-glib.h>

#include "muster-fake-directory-private.h"
#include "muster-fake-modules.h"
#include "muster-fake-http.h"

/* What a test does to the directory behind Graph's back, the way an admin would in the Entra
 * admin center, so delta queries and later fetches have something to notice. JSON in, JSON out;
 * errors in Graph's shape (learn.microsoft.com/graph/errors). Other modules own the deeper prefixes
 * (/_fake/identity, /_fake/scim, /_fake/graph); libsoup gives each request to the longest.
 *
 *   GET    /_fake/state                          tenant, admin, live counts, seq, requests served
 *   POST   /_fake/users                          {"displayName","userPrincipalName",…} → 201 user
 *   GET    /_fake/users/{id|upn}                 the user as the control API sees it
 *   PATCH  /_fake/users/{id|upn}                 {"jobTitle":"x","accountEnabled":false,…} → 204
 *   DELETE /_fake/users/{id|upn}                 soft delete (delta reports @removed) → 204
 *   POST   /_fake/groups/{id}/members            {"id": memberId} → 204
 *   DELETE /_fake/groups/{id}/members/{memberId} → 204
 *   POST   /_fake/delta/resync                   every delta token issued so far now gets 410
 *   POST   /_fake/reset                          the directory as generated at start
 *
 * User properties use Graph's names: every string property, "accountEnabled",
 * "onPremisesSyncEnabled", "businessPhones" and "otherMails" (arrays of strings), "manager"
 * (an id or UPN, or {"id":…}, or null) and "assignedLicenses" (skuIds, or Graph's
 * [{"skuId":…,"disabledPlans":[]}]). "passwordProfile" and "mailNickname", which Graph wants on
 * create, are accepted and not kept: the fake signs nobody in with a password. */

struct _MusterFakeControl
{
  MusterFakeContext *ctx;
};

/* Graph's message for a body it cannot parse */
#define UNREADABLE_JSON \
  "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."

static void
reply_error (SoupServerMessage *msg,
             const GError      *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    _muster_fake_reply_graph_error (msg, 404, "Request_ResourceNotFound", error->message);
  else
    _muster_fake_reply_graph_error (msg, 400, "Request_BadRequest", error->message);
}

static void
reply_not_found (SoupServerMessage *msg,
                 const char        *id)
{
  g_autofree char *message = g_strdup_printf ("Resource '%s' does not exist or one of its queried "
                                              "reference-property objects are not present.", id);

  _muster_fake_reply_graph_error (msg, 404, "Request_ResourceNotFound", message);
}

static void
reply_method_not_allowed (SoupServerMessage *msg,
                          const char        *allow)
{
  g_autofree char *message = g_strdup_printf ("The HTTP method '%s' is not allowed here; use %s.",
                                              soup_server_message_get_method (msg), allow);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow);
  _muster_fake_reply_graph_error (msg, 405, "Request_BadRequest", message);
}

static void
reply_no_content (SoupServerMessage *msg)
{
  soup_server_message_set_status (msg, 204, NULL);
}

static void
reply_gstring (SoupServerMessage *msg,
               guint              status,
               GString           *body)
{
  gsize len = body->len;

  _muster_fake_reply_take (msg, status, "application/json", g_string_free (body, FALSE), len);
}

/* The request body as a JSON object; NULL after answering 400 when it is not one. */
static JsonObject *
read_object (SoupServerMessage *msg,
             JsonNode         **root_out)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size = g_bytes_get_size (bytes);
  JsonNode *root;

  if (size == 0 || !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), size, NULL))
    {
      _muster_fake_reply_graph_error (msg, 400, "BadRequest", UNREADABLE_JSON);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      _muster_fake_reply_graph_error (msg, 400, "BadRequest", UNREADABLE_JSON);
      return NULL;
    }
  *root_out = json_node_copy (root);
  return json_node_get_object (*root_out);
}

static void
append_string_member (GString    *out,
                      const char *name,
                      const char *value)
{
  g_string_append_printf (out, ",\"%s\":", name);
  _muster_fake_json_append_string (out, value);
}

static void
append_string_array (GString    *out,
                     const char *name,
                     GPtrArray  *values)
{
  g_string_append_printf (out, ",\"%s\":[", name);
  for (guint i = 0; i < values->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      _muster_fake_json_append_string (out, values->pdata[i]);
    }
  g_string_append_c (out, ']');
}

/* The user with every property the control API can set, in Graph's spelling. */
static GString *
user_to_json (MusterFakeUser *user)
{
  GString *out = g_string_new ("{\"id\":");

  _muster_fake_json_append_string (out, user->id);
  append_string_member (out, "displayName", user->display_name);
  append_string_member (out, "givenName", user->given_name);
  append_string_member (out, "surname", user->surname);
  append_string_member (out, "userPrincipalName", user->user_principal_name);
  append_string_member (out, "mail", user->mail);
  append_string_member (out, "jobTitle", user->job_title);
  append_string_member (out, "department", user->department);
  append_string_member (out, "companyName", user->company_name);
  append_string_member (out, "employeeId", user->employee_id);
  append_string_member (out, "officeLocation", user->office_location);
  append_string_member (out, "mobilePhone", user->mobile_phone);
  append_string_member (out, "preferredLanguage", user->preferred_language);
  append_string_member (out, "usageLocation", user->usage_location);
  append_string_member (out, "city", user->city);
  append_string_member (out, "country", user->country);
  append_string_member (out, "createdDateTime", user->created_date_time);
  append_string_member (out, "userType", user->user_type);
  g_string_append_printf (out, ",\"accountEnabled\":%s", user->account_enabled ? "true" : "false");
  g_string_append_printf (out, ",\"onPremisesSyncEnabled\":%s", user->on_premises_sync_enabled ? "true" : "null");
  append_string_array (out, "businessPhones", user->business_phones);
  append_string_array (out, "otherMails", user->other_mails);
  append_string_array (out, "proxyAddresses", user->proxy_addresses);
  g_string_append (out, ",\"assignedLicenses\":[");
  for (guint i = 0; i < user->assigned_licenses->len; i++)
    {
      g_string_append (out, i > 0 ? ",{\"disabledPlans\":[],\"skuId\":" : "{\"disabledPlans\":[],\"skuId\":");
      _muster_fake_json_append_string (out, user->assigned_licenses->pdata[i]);
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
  append_string_member (out, "managerId", user->manager_id);
  g_string_append_printf (out, ",\"hasPhoto\":%s", user->photo != NULL ? "true" : "false");
  g_string_append_c (out, '}');
  return out;
}

/* ---- property values ---------------------------------------------------------------------- */

typedef struct
{
  char *field;
  char *value;   /* what muster_fake_directory_update_user() takes; NULL clears */
} Change;

static void
change_free (Change *change)
{
  g_free (change->field);
  g_free (change->value);
  g_free (change);
}

static gboolean
wrong_type (GError    **error,
            const char *name,
            const char *expected)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Cannot convert the literal to the expected type '%s' of property '%s'.", expected, name);
  return FALSE;
}

static gboolean
json_string_list (const char *name,
                  JsonNode   *node,
                  gboolean    sku_objects,
                  char      **out,
                  GError    **error)
{
  JsonArray *array;
  g_autoptr(GString) joined = g_string_new (NULL);

  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (error, name, "Collection(Edm.String)");

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const char *s = NULL;

      if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
        s = json_node_get_string (item);
      else if (sku_objects && JSON_NODE_HOLDS_OBJECT (item))
        {
          JsonNode *sku = json_object_get_member (json_node_get_object (item), "skuId");

          if (sku != NULL && JSON_NODE_HOLDS_VALUE (sku) && json_node_get_value_type (sku) == G_TYPE_STRING)
            s = json_node_get_string (sku);
        }
      /* the list travels comma-separated, so a comma inside one item would split it */
      if (s == NULL || strchr (s, ',') != NULL)
        return wrong_type (error, name, sku_objects ? "Collection(microsoft.graph.assignedLicense)"
                                                    : "Collection(Edm.String)");
      if (joined->len > 0)
        g_string_append_c (joined, ',');
      g_string_append (joined, s);
    }
  *out = g_strdup (joined->str);
  return TRUE;
}

/* Turns one JSON member into a Change, checking only its type; the directory checks the value. */
static Change *
change_from_json (const char *name,
                  JsonNode   *node,
                  GError    **error)
{
  g_autofree char *value = NULL;
  Change *change;

  if (g_str_equal (name, "accountEnabled") || g_str_equal (name, "onPremisesSyncEnabled"))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        {
          wrong_type (error, name, "Edm.Boolean");
          return NULL;
        }
      value = g_strdup (json_node_get_boolean (node) ? "true" : "false");
    }
  else if (g_str_equal (name, "businessPhones") || g_str_equal (name, "otherMails")
           || g_str_equal (name, "assignedLicenses"))
    {
      if (!json_string_list (name, node, g_str_equal (name, "assignedLicenses"), &value, error))
        return NULL;
      if (value == NULL && g_str_equal (name, "assignedLicenses"))
        value = g_strdup ("");
    }
  else if (g_str_equal (name, "manager") && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonNode *id = json_object_get_member (json_node_get_object (node), "id");

      if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING)
        {
          wrong_type (error, name, "microsoft.graph.directoryObject");
          return NULL;
        }
      value = g_strdup (json_node_get_string (id));
    }
  else if (JSON_NODE_HOLDS_NULL (node))
    value = NULL;
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    value = g_strdup (json_node_get_string (node));
  else
    {
      wrong_type (error, name, "Edm.String");
      return NULL;
    }

  change = g_new0 (Change, 1);
  change->field = g_strdup (name);
  change->value = g_steal_pointer (&value);
  return change;
}

/* Every member of @object as a Change, in an order that applies cleanly (usage location before
 * licences, as Graph requires); NULL with @error on the first bad one. */
static GPtrArray *
changes_from_object (JsonObject *object,
                     gboolean    creating,
                     GError    **error)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  g_autoptr(GList) members = json_object_get_members (object);
  Change *licences = NULL;

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      Change *change;

      if (g_str_equal (name, "passwordProfile") || g_str_equal (name, "mailNickname"))
        continue;
      if (creating && (g_str_equal (name, "displayName") || g_str_equal (name, "userPrincipalName")))
        continue;
      change = change_from_json (name, json_object_get_member (object, name), error);
      if (change == NULL)
        return NULL;
      if (g_str_equal (name, "assignedLicenses"))
        licences = change;
      else
        g_ptr_array_add (changes, change);
    }
  if (licences != NULL)
    g_ptr_array_add (changes, licences);
  return g_steal_pointer (&changes);
}

/* ---- handlers ----------------------------------------------------------------------------- */

static void
handle_state (MusterFakeContext *ctx,
              SoupServerMessage *msg)
{
  MusterFakeDirectory *dir = ctx->directory;
  MusterFakeUser *admin = muster_fake_directory_get_admin (dir);
  GString *out = g_string_new ("{\"tenantId\":");

  _muster_fake_json_append_string (out, dir->tenant_id);
  append_string_member (out, "domain", dir->initial_domain);
  append_string_member (out, "defaultDomain", dir->default_domain);
  append_string_member (out, "organization", dir->display_name);
  append_string_member (out, "adminUserPrincipalName", admin ? admin->user_principal_name : NULL);
  append_string_member (out, "adminId", dir->admin_id);
  g_string_append_printf (out, ",\"users\":%u,\"groups\":%u,\"seq\":%" G_GUINT64_FORMAT
                          ",\"resyncBefore\":%" G_GUINT64_FORMAT ",\"requests\":%" G_GUINT64_FORMAT "}",
                          muster_fake_directory_count_users (dir),
                          muster_fake_directory_count_groups (dir),
                          dir->seq, dir->resync_before, ctx->request_count);
  reply_gstring (msg, 200, out);
}

static gboolean
apply_changes (MusterFakeDirectory *dir,
               const char          *id,
               GPtrArray           *changes,
               GError             **error)
{
  for (guint i = 0; i < changes->len; i++)
    {
      Change *change = changes->pdata[i];

      if (!muster_fake_directory_update_user (dir, id, change->field, change->value, error))
        return FALSE;
    }
  return TRUE;
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
handle_create_user (MusterFakeContext *ctx,
                    SoupServerMessage *msg)
{
  MusterFakeDirectory *dir = ctx->directory;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object = read_object (msg, &root);
  const char *display_name, *upn;
  gboolean licences = FALSE, usage_location = FALSE;
  MusterFakeUser *user;

  if (object == NULL)
    return;

  display_name = get_string_member (object, "displayName");
  upn = get_string_member (object, "userPrincipalName");
  if (display_name == NULL || upn == NULL)
    {
      /* Graph's wording when a required property is missing from POST /users */
      _muster_fake_reply_graph_error (msg, 400, "Request_BadRequest",
                                      display_name == NULL
                                      ? "Invalid value specified for property 'displayName' of resource 'User'."
                                      : "Invalid value specified for property 'userPrincipalName' of resource 'User'.");
      return;
    }

  changes = changes_from_object (object, TRUE, &error);
  if (changes == NULL)
    {
      reply_error (msg, error);
      return;
    }

  /* Check everything before creating anything, so a refused request leaves no trace. */
  if (!muster_fake_directory_validate_user_update (dir, NULL, "displayName", display_name, &error)
      || !muster_fake_directory_validate_user_update (dir, NULL, "userPrincipalName", upn, &error))
    {
      reply_error (msg, error);
      return;
    }
  for (guint i = 0; i < changes->len; i++)
    {
      Change *change = changes->pdata[i];

      if (!muster_fake_directory_validate_user_update (dir, NULL, change->field, change->value, &error))
        {
          reply_error (msg, error);
          return;
        }
      if (g_str_equal (change->field, "assignedLicenses") && change->value != NULL && *change->value != '\0')
        licences = TRUE;
      if (g_str_equal (change->field, "usageLocation") && change->value != NULL)
        usage_location = TRUE;
    }
  if (licences && !usage_location)
    {
      _muster_fake_reply_graph_error (msg, 400, "Request_BadRequest",
                                      "License assignment cannot be done for user with invalid usage location.");
      return;
    }

  user = muster_fake_directory_add_user (dir, display_name, upn, &error);
  if (user == NULL || !apply_changes (dir, user->id, changes, &error))
    {
      reply_error (msg, error);
      return;
    }

  reply_gstring (msg, 201, user_to_json (user));
}

static void
handle_user (MusterFakeContext *ctx,
             SoupServerMessage *msg,
             const char        *id)
{
  MusterFakeDirectory *dir = ctx->directory;
  const char *method = soup_server_message_get_method (msg);
  MusterFakeUser *user = muster_fake_directory_lookup_user (dir, id);
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (method, "GET") && !g_str_equal (method, "PATCH") && !g_str_equal (method, "DELETE"))
    {
      reply_method_not_allowed (msg, "GET, PATCH, DELETE");
      return;
    }
  if (user == NULL)
    {
      reply_not_found (msg, id);
      return;
    }

  if (g_str_equal (method, "GET"))
    reply_gstring (msg, 200, user_to_json (user));
  else if (g_str_equal (method, "DELETE"))
    {
      if (!muster_fake_directory_delete_user (dir, user->id, &error))
        reply_error (msg, error);
      else
        reply_no_content (msg);
    }
  else
    {
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GPtrArray) changes = NULL;
      JsonObject *object = read_object (msg, &root);
      const char *user_id = user->id;

      if (object == NULL)
        return;
      changes = changes_from_object (object, FALSE, &error);
      if (changes == NULL)
        {
          reply_error (msg, error);
          return;
        }
      /* all or nothing: refuse the request before changing any property */
      for (guint i = 0; i < changes->len; i++)
        {
          Change *change = changes->pdata[i];

          if (g_str_equal (change->field, "assignedLicenses"))
            continue;  /* may depend on a usageLocation set by the same request */
          if (!muster_fake_directory_validate_user_update (dir, user_id, change->field, change->value, &error))
            {
              reply_error (msg, error);
              return;
            }
        }
      if (!apply_changes (dir, user_id, changes, &error))
        reply_error (msg, error);
      else
        reply_no_content (msg);
    }
}

static void
handle_members (MusterFakeContext *ctx,
                SoupServerMessage *msg,
                const char        *group_id,
                const char        *member_id)
{
  MusterFakeDirectory *dir = ctx->directory;
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(GError) error = NULL;

  if (muster_fake_directory_lookup_group (dir, group_id) == NULL)
    {
      reply_not_found (msg, group_id);
      return;
    }

  if (member_id == NULL)
    {
      g_autoptr(JsonNode) root = NULL;
      JsonObject *object;
      const char *id;

      if (!g_str_equal (method, "POST"))
        {
          reply_method_not_allowed (msg, "POST");
          return;
        }
      object = read_object (msg, &root);
      if (object == NULL)
        return;
      id = get_string_member (object, "id");
      if (id == NULL)
        {
          _muster_fake_reply_graph_error (msg, 400, "Request_BadRequest",
                                          "Cannot convert the literal to the expected type 'Edm.String' of property 'id'.");
          return;
        }
      if (!muster_fake_directory_add_member (dir, group_id, id, &error))
        reply_error (msg, error);
      else
        reply_no_content (msg);
      return;
    }

  if (!g_str_equal (method, "DELETE"))
    {
      reply_method_not_allowed (msg, "DELETE");
      return;
    }
  if (!muster_fake_directory_remove_member (dir, group_id, member_id, &error))
    reply_error (msg, error);
  else
    reply_no_content (msg);
}

static void
reply_seq (MusterFakeContext *ctx,
           SoupServerMessage *msg)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\"seq\":%" G_GUINT64_FORMAT ",\"resyncBefore\":%" G_GUINT64_FORMAT "}",
                          ctx->directory->seq, ctx->directory->resync_before);
  reply_gstring (msg, 200, out);
}

/* POST {"displayName": "…" or null}: renames the organisation, or leaves it without a name. */
static void
handle_organization (MusterFakeContext *ctx,
                     SoupServerMessage *msg)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object = read_object (msg, &root);
  JsonNode *name;

  if (object == NULL)
    return;
  name = json_object_get_member (object, "displayName");
  if (name == NULL || !(JSON_NODE_HOLDS_NULL (name) || json_node_get_value_type (name) == G_TYPE_STRING))
    {
      _muster_fake_reply_graph_error (msg, 400, "BadRequest", "displayName must be a string or null.");
      return;
    }
  ctx->directory->display_name = JSON_NODE_HOLDS_NULL (name)
                                 ? NULL
                                 : _muster_fake_directory_chunk_insert (ctx->directory, json_node_get_string (name));
  reply_seq (ctx, msg);
}

static void
handle_reset (MusterFakeContext *ctx,
              SoupServerMessage *msg)
{
  MusterFakeDirectory *old = ctx->directory;
  MusterFakeDirectory *fresh;

  /* the same choice muster-fake-tenant.c made at start-up */
  if (g_strcmp0 (ctx->options.dataset, "generated") == 0)
    fresh = muster_fake_directory_new_generated_sized (ctx->options.seed, ctx->options.users, ctx->options.groups,
                                                       ctx->options.group_size);
  else
    fresh = muster_fake_directory_new_demo (ctx->options.seed);

  /* Numbers continue, so a delta token from before the reset gets 410 instead of being read
   * against a directory it never saw. */
  muster_fake_directory_continue_after (fresh, old->seq);
  ctx->directory = fresh;
  muster_fake_directory_free (old);
  handle_state (ctx, msg);
}

static char *
unescape_segment (const char *segment)
{
  char *unescaped = g_uri_unescape_string (segment, NULL);

  return unescaped != NULL ? unescaped : g_strdup (segment);
}

static void
control_handler (MusterFakeContext *ctx,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  const char *method = soup_server_message_get_method (msg);
  g_auto(GStrv) parts = NULL;
  guint n;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-cache");

  /* "/_fake/users/ID" → "", "_fake", "users", "ID" */
  parts = g_strsplit (path, "/", -1);
  n = g_strv_length (parts);
  while (n > 2 && *parts[n - 1] == '\0')  /* a trailing slash */
    {
      g_free (parts[n - 1]);
      parts[--n] = NULL;
    }

  if (n == 3 && g_str_equal (parts[2], "state"))
    {
      if (!g_str_equal (method, "GET"))
        reply_method_not_allowed (msg, "GET");
      else
        handle_state (ctx, msg);
    }
  else if (n == 3 && g_str_equal (parts[2], "reset"))
    {
      if (!g_str_equal (method, "POST"))
        reply_method_not_allowed (msg, "POST");
      else
        handle_reset (ctx, msg);
    }
  else if (n == 4 && g_str_equal (parts[2], "delta") && g_str_equal (parts[3], "resync"))
    {
      if (!g_str_equal (method, "POST"))
        reply_method_not_allowed (msg, "POST");
      else
        {
          muster_fake_directory_force_resync (ctx->directory);
          reply_seq (ctx, msg);
        }
    }
  else if (n == 3 && g_str_equal (parts[2], "organization"))
    {
      if (!g_str_equal (method, "POST"))
        reply_method_not_allowed (msg, "POST");
      else
        handle_organization (ctx, msg);
    }
  else if (n == 3 && g_str_equal (parts[2], "users"))
    {
      if (!g_str_equal (method, "POST"))
        reply_method_not_allowed (msg, "POST");
      else
        handle_create_user (ctx, msg);
    }
  else if (n == 4 && g_str_equal (parts[2], "users"))
    {
      g_autofree char *id = unescape_segment (parts[3]);

      handle_user (ctx, msg, id);
    }
  else if ((n == 5 || n == 6) && g_str_equal (parts[2], "groups") && g_str_equal (parts[4], "members"))
    {
      g_autofree char *group_id = unescape_segment (parts[3]);
      g_autofree char *member_id = n == 6 ? unescape_segment (parts[5]) : NULL;

      handle_members (ctx, msg, group_id, member_id);
    }
  else
    {
      g_autofree char *message = g_strdup_printf ("No control endpoint at '%s'.", path);

      _muster_fake_reply_graph_error (msg, 404, "Request_ResourceNotFound", message);
    }
}

MusterFakeControl *
_muster_fake_control_new (MusterFakeContext *ctx)
{
  MusterFakeControl *self = g_new0 (MusterFakeControl, 1);

  self->ctx = ctx;
  _muster_fake_context_add_handler (ctx, "/_fake", control_handler, self);
  return self;
}

void
_muster_fake_control_free (MusterFakeControl *self)
{
  g_free (self);
}
