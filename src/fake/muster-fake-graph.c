/* muster-fake-graph.c: Microsoft Graph v1.0 under /v1.0 — routing, answers, organization,
 * subscribedSkus and the /_fake/graph statistics
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Comments here and in muster-fake-graph-*.c cite Microsoft's pages by their source file name
 * ("json-batching.md"); docs/microsoft-docs.md gives the address of each.
 */

#define G_LOG_DOMAIN "muster-fake-graph"

#include "config.h"

#include <string.h>

#include "muster-fake-graph-private.h"
#include "muster-fake-http.h"
#include "muster-fake-jwt.h"

struct _MusterFakeGraph
{
  MusterFakeContext *ctx;
  guint8             token_key[32];
  guint64            requests;
  guint64            throttled;
};

/* The content type Graph gives its JSON answers (learn.microsoft.com/graph/json-batching sample) */
#define ODATA_JSON "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

/* Any of these grants the read (learn.microsoft.com/graph/permissions-reference; higher privileges
 * include the lower ones). */
const char * const _muster_fake_scopes_users[] = {
  "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All",
  "Directory.ReadWrite.All", NULL
};
const char * const _muster_fake_scopes_groups[] = {
  "GroupMember.Read.All", "Group.Read.All", "GroupMember.ReadWrite.All", "Group.ReadWrite.All",
  "Directory.Read.All", "Directory.ReadWrite.All", NULL
};
const char * const _muster_fake_scopes_members[] = {
  "GroupMember.Read.All", "Group.Read.All", "GroupMember.ReadWrite.All", "Group.ReadWrite.All",
  "Directory.Read.All", "Directory.ReadWrite.All", NULL
};
const char * const _muster_fake_scopes_member_of[] = {
  "User.Read.All", "User.ReadWrite.All", "GroupMember.Read.All", "Group.Read.All",
  "Directory.Read.All", "Directory.ReadWrite.All", NULL
};
/* user-list.md: the application User.ReadBasic.All role doesn't open GET /users */
static const char * const app_scopes_users[] = {
  "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", NULL
};
static const char * const scopes_organization[] = {
  "Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All",
  "Directory.ReadWrite.All", NULL
};
static const char * const scopes_skus[] = {
  "Organization.Read.All", "Organization.ReadWrite.All", "LicenseAssignment.Read.All",
  "Directory.Read.All", "Directory.ReadWrite.All", NULL
};
static const char * const scopes_me[] = {
  "User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All",
  "Directory.Read.All", "Directory.ReadWrite.All", NULL
};

static gboolean
grant_has_any (const MusterFakeGrant *grant,
               const char * const    *scopes)
{
  for (guint i = 0; scopes[i] != NULL; i++)
    if (_muster_fake_grant_has_scope (grant, scopes[i]))
      return TRUE;
  return FALSE;
}

/* ---- calls ------------------------------------------------------------------------------- */

MusterFakeGraphCall *
_muster_fake_graph_call_new (MusterFakeContext     *ctx,
                             const MusterFakeGrant *grant,
                             const char            *method,
                             const char            *path,
                             const char            *raw_query,
                             SoupMessageHeaders    *request_headers)
{
  MusterFakeGraphCall *call = g_new0 (MusterFakeGraphCall, 1);

  call->ctx = ctx;
  call->graph = ctx->graph;
  call->grant = grant;
  call->method = g_intern_string (method);
  call->path = g_strdup (path);
  call->raw_query = raw_query && *raw_query ? g_strdup (raw_query) : NULL;
  call->query = call->raw_query ? soup_form_decode (call->raw_query)
                                : g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  call->request_headers = request_headers ? soup_message_headers_ref (request_headers)
                                          : soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  call->headers = g_ptr_array_new_with_free_func (g_free);
  call->status = 500;
  return call;
}

void
_muster_fake_graph_call_free (MusterFakeGraphCall *call)
{
  g_free (call->path);
  g_free (call->raw_query);
  g_clear_pointer (&call->query, g_hash_table_unref);
  g_clear_pointer (&call->request_headers, soup_message_headers_unref);
  g_free (call->content_type);
  if (call->body != NULL)
    g_string_free (call->body, TRUE);
  g_clear_pointer (&call->bytes, g_bytes_unref);
  g_clear_pointer (&call->headers, g_ptr_array_unref);
  g_free (call);
}

void
_muster_fake_graph_call_add_header (MusterFakeGraphCall *call,
                                    const char          *name,
                                    const char          *value)
{
  g_ptr_array_add (call->headers, g_strdup (name));
  g_ptr_array_add (call->headers, g_strdup (value));
}

void
_muster_fake_graph_call_take_json (MusterFakeGraphCall *call,
                                   guint                status,
                                   GString             *body)
{
  if (call->body != NULL)
    g_string_free (call->body, TRUE);
  call->status = status;
  g_free (call->content_type);
  call->content_type = g_strdup (status < 300 ? ODATA_JSON : "application/json");
  call->body = body;
}

/* learn.microsoft.com/graph/errors:
 * {"error":{"code","message","innerError":{date,request-id,client-request-id}}} */
void
_muster_fake_graph_call_error (MusterFakeGraphCall *call,
                               guint                status,
                               const char          *code,
                               const char          *message)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  const char *client_request_id = soup_message_headers_get_one (call->request_headers, "client-request-id");
  GString *body = _muster_fake_graph_error_body (code, message, date, request_id, client_request_id);

  g_clear_pointer (&call->bytes, g_bytes_unref);
  _muster_fake_graph_call_take_json (call, status, body);
}

gboolean
_muster_fake_graph_call_require (MusterFakeGraphCall *call,
                                 const char * const  *scopes)
{
  if (grant_has_any (call->grant, scopes))
    return TRUE;
  _muster_fake_graph_call_error (call, 403, "Authorization_RequestDenied",
                                 "Insufficient privileges to complete the operation.");
  return FALSE;
}

gboolean
_muster_fake_graph_call_is_eventual (MusterFakeGraphCall *call)
{
  const char *level = soup_message_headers_get_one (call->request_headers, "ConsistencyLevel");

  return level != NULL && g_ascii_strcasecmp (level, "eventual") == 0;
}

void
_muster_fake_graph_append_context (MusterFakeGraphCall *call,
                                   GString             *out,
                                   const char          *what)
{
  g_string_append (out, "\"@odata.context\":\"");
  g_string_append (out, call->ctx->base_url);
  g_string_append (out, "/v1.0/$metadata#");
  g_string_append (out, what);
  g_string_append (out, "\"");
}

static gboolean
is_token_param (const char *part)
{
  g_autofree char *name = NULL;
  const char *eq = strchr (part, '=');

  name = g_uri_unescape_segment (part, eq ? eq : part + strlen (part), NULL);
  return name != NULL && (g_ascii_strcasecmp (name, "$skiptoken") == 0
                          || g_ascii_strcasecmp (name, "$deltatoken") == 0);
}

char *
_muster_fake_graph_call_link (MusterFakeGraphCall *call,
                              const char          *token_name,
                              const char          *token)
{
  GString *link = g_string_new (call->ctx->base_url);

  g_string_append (link, "/v1.0");
  g_string_append (link, call->path);
  g_string_append_c (link, '?');
  /* paging.md: the nextLink repeats the original query options and adds the token */
  if (call->raw_query != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (call->raw_query, "&", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          if (*parts[i] == '\0' || is_token_param (parts[i]))
            continue;
          g_string_append (link, parts[i]);
          g_string_append_c (link, '&');
        }
    }
  g_string_append (link, token_name);
  g_string_append_c (link, '=');
  g_string_append (link, token);
  return g_string_free (link, FALSE);
}

/* ---- tokens -------------------------------------------------------------------------------- */

static char *
token_mac (MusterFakeGraph *graph,
           const char      *payload)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, graph->token_key, sizeof graph->token_key);
  const char *digest;

  g_hmac_update (hmac, (const guchar *) payload, strlen (payload));
  digest = g_hmac_get_string (hmac);
  return g_strndup (digest, 24);
}

char *
_muster_fake_graph_seal_token (MusterFakeGraph *graph,
                               const char      *payload)
{
  g_autofree char *mac = token_mac (graph, payload);
  g_autofree char *sealed = g_strconcat (payload, "~", mac, NULL);

  return _muster_fake_base64url_encode ((const guchar *) sealed, strlen (sealed));
}

char *
_muster_fake_graph_open_token (MusterFakeGraph *graph,
                               const char      *token)
{
  g_autofree guchar *raw = NULL;
  g_autofree char *text = NULL;
  g_autofree char *mac = NULL;
  gsize len = 0;
  char *tilde;

  /* the tokens we hand out carry no padding */
  if (token == NULL || *token == '\0' || strlen (token) > 8192 || strchr (token, '=') != NULL)
    return NULL;
  raw = _muster_fake_base64url_decode (token, &len);
  if (raw == NULL)
    return NULL;
  text = g_strndup ((const char *) raw, len);
  if (strlen (text) != len || (tilde = strrchr (text, '~')) == NULL)
    return NULL;
  *tilde = '\0';
  mac = token_mac (graph, text);
  if (!g_str_equal (mac, tilde + 1))
    return NULL;
  return g_steal_pointer (&text);
}

/* ---- organization, subscribedSkus, me ---------------------------------------------------- */

/* A stable GUID for a service plan the directory knows only by name */
static char *
plan_id (const char *name)
{
  g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1, name, -1);

  return g_strdup_printf ("%.8s-%.4s-5%.3s-a%.3s-%.12s", sha, sha + 8, sha + 13, sha + 17, sha + 20);
}

static char *
sku_plan_id (const MusterFakeSku *sku,
             guint                index)
{
  if (sku->service_plan_ids != NULL && index < sku->service_plan_ids->len)
    return g_strdup (g_ptr_array_index (sku->service_plan_ids, index));
  return plan_id (g_ptr_array_index (sku->service_plans, index));
}

static const char *
plan_service (const char *name)
{
  static const struct { const char *needle, *service; } services[] = {
    { "EXCHANGE", "exchange" }, { "SHAREPOINT", "SharePoint" }, { "TEAMS", "TeamspaceAPI" },
    { "MCOSTANDARD", "MicrosoftCommunicationsOnline" }, { "INTUNE", "SCO" },
    { "AAD", "AADPremiumService" }, { "YAMMER", "YammerEnterprise" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    if (strstr (name, services[i].needle) != NULL)
      return services[i].service;
  return "MicrosoftOffice";
}

static void
handle_organization (MusterFakeGraphCall *call,
                     const char          *id)
{
  MusterFakeDirectory *dir = call->ctx->directory;
  GString *out;
  gboolean full;

  /* organization.md: User.Read fills only id, displayName and verifiedDomains */
  full = grant_has_any (call->grant, scopes_organization);
  if (!full && !_muster_fake_graph_call_require (call, scopes_me))
    return;
  if (id != NULL && g_ascii_strcasecmp (id, dir->tenant_id) != 0)
    {
      g_autofree char *message = g_strdup_printf ("Resource '%s' does not exist or one of its queried "
                                                  "reference-property objects are not present.", id);
      _muster_fake_graph_call_error (call, 404, "Request_ResourceNotFound", message);
      return;
    }

  out = g_string_new ("{");
  _muster_fake_graph_append_context (call, out, id ? "organization/$entity" : "organization");
  g_string_append (out, id ? "," : ",\"value\":[{");
  g_string_append (out, "\"id\":");
  _muster_fake_json_append_string (out, dir->tenant_id);
  g_string_append (out, ",\"deletedDateTime\":null,\"displayName\":");
  _muster_fake_json_append_string (out, dir->display_name);

  g_string_append (out, ",\"businessPhones\":[],\"city\":null,\"country\":null,\"countryLetterCode\":");
  _muster_fake_json_append_string (out, full ? dir->country_letter_code : NULL);
  g_string_append (out, ",\"createdDateTime\":");
  _muster_fake_json_append_string (out, full ? dir->created_date_time : NULL);
  g_string_append (out, ",\"defaultUsageLocation\":");
  _muster_fake_json_append_string (out, full ? dir->country_letter_code : NULL);
  g_string_append (out, ",\"marketingNotificationEmails\":[],\"onPremisesLastSyncDateTime\":null,"
                        "\"onPremisesSyncEnabled\":null,\"partnerTenantType\":null,\"postalCode\":null,"
                        "\"preferredLanguage\":");
  _muster_fake_json_append_string (out, full ? "en" : NULL);
  g_string_append (out, ",\"securityComplianceNotificationMails\":[],"
                        "\"securityComplianceNotificationPhones\":[],\"state\":null,\"street\":null,"
                        "\"technicalNotificationMails\":[");
  if (full)
    {
      MusterFakeUser *admin = muster_fake_directory_get_admin (dir);

      if (admin != NULL)
        _muster_fake_json_append_string (out, admin->mail ? admin->mail : admin->user_principal_name);
    }
  g_string_append (out, "],\"tenantType\":");
  _muster_fake_json_append_string (out, full ? "AAD" : NULL);
  g_string_append (out, ",\"directorySizeQuota\":");
  if (full)
    g_string_append_printf (out, "{\"used\":%u,\"total\":300000}",
                            dir->users->len + dir->groups->len);
  else
    g_string_append (out, "null");

  /* assignedPlans/provisionedPlans: every service plan of every subscription */
  for (guint pass = 0; pass < 2; pass++)
    {
      gboolean first = TRUE;

      g_string_append (out, pass == 0 ? ",\"assignedPlans\":[" : "],\"provisionedPlans\":[");
      for (guint i = 0; full && i < dir->skus->len; i++)
        {
          MusterFakeSku *sku = g_ptr_array_index (dir->skus, i);

          for (guint j = 0; sku->service_plans && j < sku->service_plans->len; j++)
            {
              const char *name = g_ptr_array_index (sku->service_plans, j);

              if (!first)
                g_string_append_c (out, ',');
              first = FALSE;
              if (pass == 0)
                {
                  g_autofree char *plan = sku_plan_id (sku, j);

                  g_string_append (out, "{\"assignedDateTime\":");
                  _muster_fake_json_append_string (out, dir->created_date_time);
                  g_string_append (out, ",\"capabilityStatus\":");
                  _muster_fake_json_append_string (out, sku->capability_status ? sku->capability_status : "Enabled");
                  g_string_append (out, ",\"service\":");
                  _muster_fake_json_append_string (out, plan_service (name));
                  g_string_append (out, ",\"servicePlanId\":");
                  _muster_fake_json_append_string (out, plan);
                  g_string_append_c (out, '}');
                }
              else
                {
                  g_string_append (out, "{\"capabilityStatus\":");
                  _muster_fake_json_append_string (out, sku->capability_status ? sku->capability_status : "Enabled");
                  g_string_append (out, ",\"provisioningStatus\":\"Success\",\"service\":");
                  _muster_fake_json_append_string (out, plan_service (name));
                  g_string_append_c (out, '}');
                }
            }
        }
    }
  g_string_append (out, "],\"verifiedDomains\":[");
  for (guint i = 0; dir->verified_domains && i < dir->verified_domains->len; i++)
    {
      const char *name = g_ptr_array_index (dir->verified_domains, i);
      gboolean initial = g_strcmp0 (name, dir->initial_domain) == 0;

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "{\"capabilities\":");
      _muster_fake_json_append_string (out, initial ? "Email, OfficeCommunicationsOnline"
                                                    : "Email, OfficeCommunicationsOnline, Intune");
      g_string_append_printf (out, ",\"isDefault\":%s,\"isInitial\":%s,\"name\":",
                              g_strcmp0 (name, dir->default_domain) == 0 ? "true" : "false",
                              initial ? "true" : "false");
      _muster_fake_json_append_string (out, name);
      g_string_append (out, ",\"type\":\"Managed\"}");
    }
  g_string_append (out, id ? "]}" : "]}]}");
  _muster_fake_graph_call_take_json (call, 200, out);
}

static void
handle_subscribed_skus (MusterFakeGraphCall *call)
{
  MusterFakeDirectory *dir = call->ctx->directory;
  GString *out;

  if (!_muster_fake_graph_call_require (call, scopes_skus))
    return;

  out = g_string_new ("{");
  _muster_fake_graph_append_context (call, out, "subscribedSkus");
  g_string_append (out, ",\"value\":[");
  for (guint i = 0; i < dir->skus->len; i++)
    {
      MusterFakeSku *sku = g_ptr_array_index (dir->skus, i);
      g_autofree char *subscription = plan_id (sku->sku_id);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "{\"accountName\":");
      _muster_fake_json_append_string (out, dir->display_name);
      g_string_append (out, ",\"accountId\":");
      _muster_fake_json_append_string (out, dir->tenant_id);
      g_string_append (out, ",\"appliesTo\":");
      _muster_fake_json_append_string (out, sku->applies_to ? sku->applies_to : "User");
      g_string_append (out, ",\"capabilityStatus\":");
      _muster_fake_json_append_string (out, sku->capability_status ? sku->capability_status : "Enabled");
      g_string_append_printf (out, ",\"consumedUnits\":%u,\"id\":\"%s_%s\","
                                   "\"prepaidUnits\":{\"enabled\":%u,\"lockedOut\":0,\"suspended\":%u,\"warning\":%u},"
                                   "\"servicePlans\":[",
                              sku->consumed_units, dir->tenant_id, sku->sku_id,
                              sku->prepaid_enabled, sku->prepaid_suspended, sku->prepaid_warning);
      for (guint j = 0; sku->service_plans && j < sku->service_plans->len; j++)
        {
          const char *name = g_ptr_array_index (sku->service_plans, j);
          g_autofree char *plan = sku_plan_id (sku, j);

          if (j > 0)
            g_string_append_c (out, ',');
          g_string_append (out, "{\"servicePlanId\":");
          _muster_fake_json_append_string (out, plan);
          g_string_append (out, ",\"servicePlanName\":");
          _muster_fake_json_append_string (out, name);
          g_string_append (out, ",\"provisioningStatus\":\"Success\",\"appliesTo\":");
          _muster_fake_json_append_string (out, sku->applies_to ? sku->applies_to : "User");
          g_string_append_c (out, '}');
        }
      g_string_append (out, "],\"skuId\":");
      _muster_fake_json_append_string (out, sku->sku_id);
      g_string_append (out, ",\"skuPartNumber\":");
      _muster_fake_json_append_string (out, sku->sku_part_number);
      g_string_append (out, ",\"subscriptionIds\":[");
      _muster_fake_json_append_string (out, subscription);
      g_string_append (out, "]}");
    }
  g_string_append (out, "]}");
  _muster_fake_graph_call_take_json (call, 200, out);
}

static void
handle_me (MusterFakeGraphCall *call,
           const char          *rest)
{
  MusterFakeUser *user;

  /* /me needs a signed-in user (the real answer is in
   * github.com/microsoftgraph/msgraph-sdk-php/issues/1163) */
  if (call->grant->app_only || call->grant->user_id == NULL)
    {
      _muster_fake_graph_call_error (call, 400, "BadRequest",
                                     "/me request is only valid with delegated authentication flow.");
      return;
    }
  user = muster_fake_directory_lookup_user (call->ctx->directory, call->grant->user_id);
  if (user == NULL || user->deleted)
    {
      g_autofree char *message = g_strdup_printf ("Resource '%s' does not exist or one of its queried "
                                                  "reference-property objects are not present.",
                                                  call->grant->user_id);
      _muster_fake_graph_call_error (call, 404, "Request_ResourceNotFound", message);
      return;
    }
  _muster_fake_graph_user_item (call, user, "me", rest);
}

/* ---- routing ------------------------------------------------------------------------------- */

static void
not_found_segment (MusterFakeGraphCall *call,
                   const char          *segment)
{
  g_autofree char *message = g_strdup_printf ("Resource not found for the segment '%s'.", segment);

  _muster_fake_graph_call_error (call, 400, "BadRequest", message);
}

static gboolean
is_delta_segment (const char *segment)
{
  return g_str_equal (segment, "delta") || g_str_equal (segment, "delta()")
         || g_str_equal (segment, "microsoft.graph.delta") || g_str_equal (segment, "microsoft.graph.delta()");
}

/* Resource units per request (learn.microsoft.com/graph/throttling-limits, identity and access). */
static guint
resource_units (MusterFakeGraphCall *call,
                char               **segments)
{
  guint n = g_strv_length (segments);
  int cost = 1;
  const char *top = g_hash_table_lookup (call->query, "$top");

  if (n >= 1 && (g_str_equal (segments[0], "users") || g_str_equal (segments[0], "me")))
    {
      const char *last = n >= 2 ? segments[n - 1] : "";
      gboolean me = g_str_equal (segments[0], "me");
      const char *sub = me ? (n >= 2 ? segments[1] : NULL) : (n >= 3 ? segments[2] : NULL);

      if (sub == NULL)
        cost = 2;
      else if (g_str_equal (sub, "memberOf") || g_str_equal (sub, "transitiveMemberOf")
               || g_str_equal (sub, "licenseDetails"))
        cost = 2;
      else
        cost = 1;
      (void) last;
    }
  else if (n >= 3 && g_str_equal (segments[0], "groups") && g_str_equal (segments[2], "members"))
    cost = 3;
  else if (n >= 3 && g_str_equal (segments[0], "groups") && g_str_equal (segments[2], "transitiveMembers"))
    cost = 5;
  else if (n >= 1 && g_str_equal (segments[0], "subscribedSkus"))
    cost = 3;

  if (g_hash_table_contains (call->query, "$select"))
    cost -= 1;
  if (g_hash_table_contains (call->query, "$expand"))
    cost += 1;
  if (top != NULL && g_ascii_strtoull (top, NULL, 10) < 20)
    cost -= 1;
  return MAX (cost, 1);
}

static void
route (MusterFakeGraphCall *call,
       char               **segments,
       GBytes              *request_body)
{
  MusterFakeDirectory *dir = call->ctx->directory;
  guint n = g_strv_length (segments);
  const char *head = n > 0 ? segments[0] : "";
  g_autofree char *rest = NULL;

  if (g_str_equal (head, "$batch"))
    {
      if (call->method != g_intern_static_string ("POST"))
        goto method_not_allowed;
      _muster_fake_graph_batch (call, request_body);
      return;
    }
  if (call->method != g_intern_static_string ("GET"))
    goto method_not_allowed;

  if (g_str_equal (head, "organization") && n <= 2)
    handle_organization (call, n == 2 ? segments[1] : NULL);
  else if (g_str_equal (head, "subscribedSkus") && n == 1)
    handle_subscribed_skus (call);
  else if (g_str_equal (head, "me"))
    {
      rest = n > 1 ? g_strconcat ("/", segments[1], n > 2 ? "/" : NULL, n > 2 ? segments[2] : NULL,
                                  n > 3 ? "/" : NULL, n > 3 ? segments[3] : NULL, NULL) : g_strdup ("");
      if (n > 4)
        not_found_segment (call, segments[4]);
      else
        handle_me (call, rest);
    }
  else if (g_str_equal (head, "users"))
    {
      const char * const *scopes = call->grant->app_only ? app_scopes_users : _muster_fake_scopes_users;

      /* permissions-reference.md: User.ReadBasic.All reads only the basic profile of others */
      call->basic_profile = !grant_has_any (call->grant, app_scopes_users);

      if (n == 1)
        {
          if (_muster_fake_graph_call_require (call, scopes))
            _muster_fake_graph_list (call, &_muster_fake_user_resource, FALSE);
        }
      else if (n == 2 && g_str_equal (segments[1], "$count"))
        {
          if (_muster_fake_graph_call_require (call, scopes))
            _muster_fake_graph_list (call, &_muster_fake_user_resource, TRUE);
        }
      else if (n == 2 && is_delta_segment (segments[1]))
        {
          /* user-delta.md: User.Read.All is the least privilege */
          if (_muster_fake_graph_call_require (call, app_scopes_users))
            _muster_fake_graph_delta (call, FALSE);
        }
      else if (n > 5)
        not_found_segment (call, segments[5]);
      else
        {
          MusterFakeUser *user = muster_fake_directory_lookup_user (dir, segments[1]);

          rest = n > 2 ? g_strconcat ("/", segments[2], n > 3 ? "/" : NULL, n > 3 ? segments[3] : NULL,
                                      n > 4 ? "/" : NULL, n > 4 ? segments[4] : NULL, NULL) : g_strdup ("");
          /* Reading one's own object by id needs only User.Read, like /me */
          if (user != NULL && !user->deleted && call->grant->user_id != NULL
              && g_strcmp0 (user->id, call->grant->user_id) == 0)
            scopes = scopes_me;
          if (!_muster_fake_graph_call_require (call, scopes))
            return;
          if (user == NULL || user->deleted)
            {
              g_autofree char *message = g_strdup_printf ("Resource '%s' does not exist or one of its queried "
                                                          "reference-property objects are not present.",
                                                          segments[1]);
              _muster_fake_graph_call_error (call, 404, "Request_ResourceNotFound", message);
              return;
            }
          _muster_fake_graph_user_item (call, user, segments[1], rest);
        }
    }
  else if (g_str_equal (head, "groups"))
    {
      if (n == 1)
        {
          if (_muster_fake_graph_call_require (call, _muster_fake_scopes_groups))
            _muster_fake_graph_list (call, &_muster_fake_group_resource, FALSE);
        }
      else if (n == 2 && g_str_equal (segments[1], "$count"))
        {
          if (_muster_fake_graph_call_require (call, _muster_fake_scopes_groups))
            _muster_fake_graph_list (call, &_muster_fake_group_resource, TRUE);
        }
      else if (n == 2 && is_delta_segment (segments[1]))
        {
          if (_muster_fake_graph_call_require (call, _muster_fake_scopes_groups))
            _muster_fake_graph_delta (call, TRUE);
        }
      else if (n > 4)
        not_found_segment (call, segments[4]);
      else
        {
          MusterFakeGroup *group = muster_fake_directory_lookup_group (dir, segments[1]);

          if (!_muster_fake_graph_call_require (call, _muster_fake_scopes_groups))
            return;
          if (group == NULL || group->deleted)
            {
              g_autofree char *message = g_strdup_printf ("Resource '%s' does not exist or one of its queried "
                                                          "reference-property objects are not present.",
                                                          segments[1]);
              _muster_fake_graph_call_error (call, 404, "Request_ResourceNotFound", message);
              return;
            }
          rest = n > 2 ? g_strconcat ("/", segments[2], n > 3 ? "/" : NULL, n > 3 ? segments[3] : NULL, NULL)
                       : g_strdup ("");
          _muster_fake_graph_group_item (call, group, segments[1], rest);
        }
    }
  else if (*head == '\0')
    not_found_segment (call, "v1.0");
  else
    not_found_segment (call, head);
  return;

method_not_allowed:
  /* json-batching.md sample: the answer for a method a target doesn't take */
  _muster_fake_graph_call_error (call, 405, "Request_BadRequest",
                                 "Specified HTTP method is not allowed for the request target.");
}

void
_muster_fake_graph_dispatch (MusterFakeGraphCall *call,
                             GBytes              *request_body)
{
  MusterFakeGraph *self = call->graph;
  g_auto(GStrv) raw_segments = g_strsplit (call->path, "/", -1);
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *units = NULL;

  self->requests++;

  for (guint i = 0; raw_segments[i] != NULL; i++)
    if (*raw_segments[i] != '\0')
      g_ptr_array_add (segments, g_uri_unescape_string (raw_segments[i], NULL));
  for (guint i = 0; i < segments->len; i++)
    if (g_ptr_array_index (segments, i) == NULL)
      {
        g_ptr_array_index (segments, i) = g_strdup ("");
      }
  g_ptr_array_add (segments, NULL);

  call->resource_units = resource_units (call, (char **) segments->pdata);
  if (call->ctx->throttle != NULL && call->method == g_intern_static_string ("GET"))
    {
      guint retry_after = 0;
      double used = 0;

      if (!_muster_fake_throttle_take (call->ctx->throttle, call->grant->client_id,
                                       call->resource_units, &retry_after, &used))
        {
          g_autofree char *seconds = g_strdup_printf ("%u", retry_after);
          g_autofree char *scope = g_strdup_printf ("Tenant_Application/ReadWrite/%s/%s",
                                                    call->grant->client_id ? call->grant->client_id : "",
                                                    call->ctx->directory->tenant_id);

          self->throttled++;
          /* throttling.md: 429 + Retry-After; throttling-limits.md: the scope headers */
          _muster_fake_graph_call_error (call, 429, "TooManyRequests", "Please retry again later.");
          _muster_fake_graph_call_add_header (call, "Retry-After", seconds);
          _muster_fake_graph_call_add_header (call, "x-ms-throttle-scope", scope);
          _muster_fake_graph_call_add_header (call, "x-ms-throttle-information", "ResourceUnitLimitExceeded");
          return;
        }
      /* throttling-limits.md: the share of the budget used, once it passes 0.8 */
      if (used > 0.8)
        {
          char percentage[G_ASCII_DTOSTR_BUF_SIZE];

          g_ascii_formatd (percentage, sizeof percentage, "%.2f", used);
          _muster_fake_graph_call_add_header (call, "x-ms-throttle-limit-percentage", percentage);
        }
    }

  route (call, (char **) segments->pdata, request_body);

  units = g_strdup_printf ("%u", call->resource_units);
  _muster_fake_graph_call_add_header (call, "x-ms-resource-unit", units);
  if (call->status < 300)
    _muster_fake_graph_call_add_header (call, "OData-Version", "4.0");
}

/* ---- HTTP entry points --------------------------------------------------------------------- */

static void
graph_handler (MusterFakeContext *ctx,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  const MusterFakeGrant *grant;
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  g_autoptr(MusterFakeGraphCall) call = NULL;
  g_autoptr(GBytes) request_body = NULL;
  const char *client_request_id;

  grant = _muster_fake_identity_check_bearer (ctx->identity, msg);
  if (grant == NULL)
    return;

  call = _muster_fake_graph_call_new (ctx, grant, soup_server_message_get_method (msg),
                                      path + strlen ("/v1.0"), g_uri_get_query (uri),
                                      soup_server_message_get_request_headers (msg));
  if (call->method == g_intern_static_string ("POST"))
    request_body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

  _muster_fake_graph_dispatch (call, request_body);

  for (guint i = 0; i + 1 < call->headers->len; i += 2)
    soup_message_headers_append (response_headers, g_ptr_array_index (call->headers, i),
                                 g_ptr_array_index (call->headers, i + 1));
  client_request_id = soup_message_headers_get_one (call->request_headers, "client-request-id");
  if (client_request_id != NULL)
    soup_message_headers_replace (response_headers, "client-request-id", client_request_id);
  if (soup_message_headers_get_one (response_headers, "request-id") == NULL)
    {
      g_autofree char *request_id = g_uuid_string_random ();
      soup_message_headers_replace (response_headers, "request-id", request_id);
    }
  soup_message_headers_replace (response_headers, "Cache-Control", "no-cache");

  soup_server_message_set_status (msg, call->status, NULL);
  if (call->bytes != NULL)
    soup_server_message_set_response (msg, call->content_type, SOUP_MEMORY_COPY,
                                      g_bytes_get_data (call->bytes, NULL), g_bytes_get_size (call->bytes));
  else if (call->body != NULL)
    {
      gsize len = call->body->len;
      char *data = g_string_free (g_steal_pointer (&call->body), FALSE);

      soup_server_message_set_response (msg, call->content_type, SOUP_MEMORY_TAKE, data, len);
    }
}

/* POST /_fake/graph/throttle?used=F: every application's budget F (0 to 2) spent now, as after
 * a burst of other requests; 204. Above 1 the application is over its limit for (F - 1) × 10 s,
 * as when other clients of the same application overspent it. A test reaches the limit in a few
 * requests this way however fast the machine drains the bucket. */
static void
throttle_control (MusterFakeContext *ctx,
                  SoupServerMessage *msg,
                  GHashTable        *query)
{
  const char *used = query ? g_hash_table_lookup (query, "used") : NULL;
  double fraction = used ? g_ascii_strtod (used, NULL) : -1;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    _muster_fake_reply_graph_error (msg, 405, "MethodNotAllowed", "Use POST.");
  else if (ctx->throttle == NULL)
    _muster_fake_reply_graph_error (msg, 400, "BadRequest", "The fake runs without --throttle.");
  else if (!(fraction >= 0 && fraction <= 2))
    _muster_fake_reply_graph_error (msg, 400, "BadRequest", "used must be a number from 0 to 2.");
  else
    {
      _muster_fake_throttle_fill (ctx->throttle, fraction);
      soup_server_message_set_status (msg, 204, NULL);
    }
}

/* GET /_fake/graph/stats: {"requests":N,"throttled":N} — what tests and benchmarks check. */
static void
stats_handler (MusterFakeContext *ctx,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  MusterFakeGraph *self = user_data;
  g_autofree char *body = NULL;

  if (g_strcmp0 (path, "/_fake/graph/throttle") == 0)
    {
      throttle_control (ctx, msg, query);
      return;
    }
  if (g_strcmp0 (path, "/_fake/graph/stats") != 0)
    {
      _muster_fake_reply_graph_error (msg, 404, "NotFound", "No such control endpoint.");
      return;
    }
  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET)
    {
      _muster_fake_reply_graph_error (msg, 405, "MethodNotAllowed", "Use GET.");
      return;
    }
  body = g_strdup_printf ("{\"requests\":%" G_GUINT64_FORMAT ",\"throttled\":%" G_GUINT64_FORMAT
                          ",\"budget\":%u}",
                          self->requests, self->throttled,
                          ctx->throttle ? _muster_fake_throttle_get_budget (ctx->throttle) : 0);
  _muster_fake_reply_json (msg, 200, body);
}

MusterFakeGraph *
_muster_fake_graph_new (MusterFakeContext *ctx)
{
  MusterFakeGraph *self = g_new0 (MusterFakeGraph, 1);
  g_autofree char *key = _muster_fake_random_token (sizeof self->token_key);

  self->ctx = ctx;
  memcpy (self->token_key, key, MIN (strlen (key), sizeof self->token_key));
  /* Handlers may run before the tenant stores the return value in ctx->graph. */
  ctx->graph = self;
  _muster_fake_context_add_handler (ctx, "/v1.0", graph_handler, self);
  _muster_fake_context_add_handler (ctx, "/_fake/graph", stats_handler, self);
  return self;
}

void
_muster_fake_graph_free (MusterFakeGraph *self)
{
  g_free (self);
}
