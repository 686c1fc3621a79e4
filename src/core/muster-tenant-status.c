/* muster-tenant-status.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-tenant-status"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "muster-json.h"
#include "muster-oauth.h"
#include "muster-tenant-status.h"

struct _MusterTenantStatus
{
  GObject    parent_instance;

  char      *organization;
  char      *tenant_id;
  GPtrArray *domains;
  char      *user_name;
  char      *user_principal;
  gboolean   app_only;
  GStrv      granted;
  GStrv      missing;
  gint64     token_expires_at;
  int        reauthorize_days;
  GPtrArray *licences;
  char      *licences_problem;
  gint64     last_snapshot;
};

G_DEFINE_FINAL_TYPE (MusterTenantStatus, muster_tenant_status, G_TYPE_OBJECT)

/* Friendly names of common SKUs, from Microsoft's "Product names and service plan identifiers
 * for licensing" reference. Anything else shows its part number. */
static const struct { const char *part; const char *title; } friendly_names[] = {
  { "AAD_PREMIUM", "Microsoft Entra ID P1" },
  { "AAD_PREMIUM_P2", "Microsoft Entra ID P2" },
  { "DESKLESSPACK", "Office 365 F3" },
  { "DEVELOPERPACK_E5", "Microsoft 365 E5 Developer" },
  { "EMS", "Enterprise Mobility + Security E3" },
  { "EMSPREMIUM", "Enterprise Mobility + Security E5" },
  { "ENTERPRISEPACK", "Office 365 E3" },
  { "ENTERPRISEPREMIUM", "Office 365 E5" },
  { "EXCHANGEENTERPRISE", "Exchange Online (Plan 2)" },
  { "EXCHANGESTANDARD", "Exchange Online (Plan 1)" },
  { "FLOW_FREE", "Microsoft Power Automate Free" },
  { "INTUNE_A", "Microsoft Intune Plan 1" },
  { "M365EDU_A3_FACULTY", "Microsoft 365 A3 for faculty" },
  { "M365EDU_A3_STUDENT", "Microsoft 365 A3 for students" },
  { "O365_BUSINESS_ESSENTIALS", "Microsoft 365 Business Basic" },
  { "O365_BUSINESS_PREMIUM", "Microsoft 365 Business Standard" },
  { "POWER_BI_PRO", "Power BI Pro" },
  { "POWER_BI_STANDARD", "Power BI (free)" },
  { "PROJECTPROFESSIONAL", "Project Plan 3" },
  { "SPB", "Microsoft 365 Business Premium" },
  { "SPE_E3", "Microsoft 365 E3" },
  { "SPE_E5", "Microsoft 365 E5" },
  { "SPE_F1", "Microsoft 365 F3" },
  { "STANDARDPACK", "Office 365 E1" },
  { "TEAMS_EXPLORATORY", "Microsoft Teams Exploratory" },
  { "VISIOCLIENT", "Visio Plan 2" },
  { "WIN_DEF_ATP", "Microsoft Defender for Endpoint" },
};

const char *
muster_licence_get_friendly_name (const char *part_number)
{
  for (guint i = 0; part_number != NULL && i < G_N_ELEMENTS (friendly_names); i++)
    if (g_str_equal (friendly_names[i].part, part_number))
      return friendly_names[i].title;
  return NULL;
}

char *
muster_licence_describe_usage (const MusterLicence *licence)
{
  g_return_val_if_fail (licence != NULL, NULL);

  /* prepaidUnits: enabled seats are active; warning ones belong to an expired subscription in
   * its grace period; suspended ones no longer work (subscribedsku resource docs) */
  if (licence->enabled == 0 && licence->suspended > 0)
    return g_strdup_printf (_("%lld assigned, subscription suspended"), (long long) licence->consumed);
  if (licence->warning > 0)
    return g_strdup_printf (_("%lld assigned, %lld in warning (subscription expired)"),
                            (long long) licence->consumed, (long long) (licence->warning + licence->enabled));
  return g_strdup_printf (_("%lld of %lld assigned"), (long long) licence->consumed, (long long) licence->enabled);
}

static void
domain_free (MusterDomain *domain)
{
  g_free (domain->name);
  g_free (domain);
}

static void
licence_free (MusterLicence *licence)
{
  g_free (licence->sku_id);
  g_free (licence->part_number);
  g_free (licence->title);
  g_free (licence->status);
  g_free (licence);
}

static void
muster_tenant_status_finalize (GObject *object)
{
  MusterTenantStatus *self = MUSTER_TENANT_STATUS (object);

  g_free (self->organization);
  g_free (self->tenant_id);
  g_ptr_array_unref (self->domains);
  g_free (self->user_name);
  g_free (self->user_principal);
  g_strfreev (self->granted);
  g_strfreev (self->missing);
  g_ptr_array_unref (self->licences);
  g_free (self->licences_problem);
  G_OBJECT_CLASS (muster_tenant_status_parent_class)->finalize (object);
}

static void
muster_tenant_status_class_init (MusterTenantStatusClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = muster_tenant_status_finalize;
}

static void
muster_tenant_status_init (MusterTenantStatus *self)
{
  self->domains = g_ptr_array_new_with_free_func ((GDestroyNotify) domain_free);
  self->licences = g_ptr_array_new_with_free_func ((GDestroyNotify) licence_free);
  self->reauthorize_days = G_MAXINT;
}

/* Loading ------------------------------------------------------------------------------- */

typedef struct
{
  MusterTenantStatus *status;
  guint               pending;
  GError             *error;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->status);
  g_clear_error (&data->error);
  g_free (data);
}

static JsonObject *
first_value (JsonNode *node)
{
  JsonArray *values = node && JSON_NODE_HOLDS_OBJECT (node)
    ? muster_json_get_array (json_node_get_object (node), "value") : NULL;
  JsonNode *first = values && json_array_get_length (values) > 0 ? json_array_get_element (values, 0) : NULL;

  return first && JSON_NODE_HOLDS_OBJECT (first) ? json_node_get_object (first) : NULL;
}

static void
read_organization (MusterTenantStatus *self,
                   JsonNode           *node)
{
  JsonObject *org = first_value (node);
  JsonArray *domains = muster_json_get_array (org, "verifiedDomains");

  g_free (self->organization);
  self->organization = g_strdup (muster_json_get_string (org, "displayName"));
  if (muster_json_get_string (org, "id") != NULL)
    {
      g_free (self->tenant_id);
      self->tenant_id = g_strdup (muster_json_get_string (org, "id"));
    }
  for (guint i = 0; domains != NULL && i < json_array_get_length (domains); i++)
    {
      JsonNode *element = json_array_get_element (domains, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      MusterDomain *domain;

      if (muster_json_get_string (object, "name") == NULL)
        continue;
      domain = g_new0 (MusterDomain, 1);
      domain->name = g_strdup (muster_json_get_string (object, "name"));
      domain->is_default = json_object_get_boolean_member_with_default (object, "isDefault", FALSE);
      domain->is_initial = json_object_get_boolean_member_with_default (object, "isInitial", FALSE);
      g_ptr_array_add (self->domains, domain);
    }
}

static void
read_me (MusterTenantStatus *self,
         JsonNode           *node)
{
  JsonObject *me = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  self->user_name = g_strdup (muster_json_get_string (me, "displayName"));
  self->user_principal = g_strdup (muster_json_get_string (me, "userPrincipalName"));
}

static void
read_licences (MusterTenantStatus *self,
               JsonNode           *node)
{
  JsonArray *values = node && JSON_NODE_HOLDS_OBJECT (node)
    ? muster_json_get_array (json_node_get_object (node), "value") : NULL;

  for (guint i = 0; values != NULL && i < json_array_get_length (values); i++)
    {
      JsonNode *element = json_array_get_element (values, i);
      JsonObject *sku = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      JsonObject *prepaid = muster_json_get_object (sku, "prepaidUnits");
      const char *part = muster_json_get_string (sku, "skuPartNumber");
      const char *friendly = muster_licence_get_friendly_name (part);
      MusterLicence *licence;

      if (muster_json_get_string (sku, "skuId") == NULL)
        continue;
      licence = g_new0 (MusterLicence, 1);
      licence->sku_id = g_strdup (muster_json_get_string (sku, "skuId"));
      licence->part_number = g_strdup (part ? part : licence->sku_id);
      licence->title = g_strdup (friendly ? friendly : licence->part_number);
      licence->status = g_strdup (muster_json_get_string (sku, "capabilityStatus"));
      licence->consumed = muster_json_get_int (sku, "consumedUnits", 0);
      licence->enabled = muster_json_get_int (prepaid, "enabled", 0);
      licence->suspended = muster_json_get_int (prepaid, "suspended", 0);
      licence->warning = muster_json_get_int (prepaid, "warning", 0);
      g_ptr_array_add (self->licences, licence);
    }
}

static void
add_missing (MusterTenantStatus *self,
             const char         *permission)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (g_strv_contains ((const char * const *) self->missing, permission))
    return;
  g_strv_builder_addv (builder, (const char **) self->missing);
  g_strv_builder_add (builder, permission);
  g_strfreev (self->missing);
  self->missing = g_strv_builder_end (builder);
}

static void
part_done (GTask *task)
{
  LoadData *data = g_task_get_task_data (task);

  if (--data->pending > 0)
    return;
  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_pointer (task, g_steal_pointer (&data->status), g_object_unref);
}

static void
part_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoadData *data = g_task_get_task_data (task);
  const char *part = g_object_get_data (G_OBJECT (result), "part");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = muster_graph_client_get_finish (MUSTER_GRAPH_CLIENT (source), result, &error);
  if (g_str_has_prefix (part, "probe:"))
    {
      /* app-only tokens do not list their application permissions; a 403 tells which is missing */
      if (g_error_matches (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_FORBIDDEN))
        add_missing (data->status, part + strlen ("probe:"));
    }
  else if (g_str_equal (part, "licences"))
    {
      /* licences need Organization.Read.All; say so instead of failing the whole page */
      if (node != NULL)
        read_licences (data->status, node);
      else
        data->status->licences_problem = g_strdup (error->message);
      if (data->status->app_only && g_error_matches (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_FORBIDDEN))
        add_missing (data->status, "Organization.Read.All");
    }
  else if (node == NULL)
    {
      if (data->error == NULL)
        data->error = g_steal_pointer (&error);
    }
  else if (g_str_equal (part, "organization"))
    read_organization (data->status, node);
  else
    read_me (data->status, node);

  part_done (task);
}

typedef struct
{
  GTask      *task;
  const char *part;
} PartClosure;

static void
part_closure_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree PartClosure *closure = user_data;

  g_object_set_data (G_OBJECT (result), "part", (gpointer) closure->part);
  part_cb (source, result, closure->task);
}

static void
fetch_part (MusterGraphClient *graph,
            GTask             *task,
            const char        *part,
            const char        *path)
{
  LoadData *data = g_task_get_task_data (task);
  PartClosure *closure = g_new0 (PartClosure, 1);

  data->pending++;
  closure->task = g_object_ref (task);
  closure->part = part;
  muster_graph_client_get_async (graph, path, g_task_get_cancellable (task), part_closure_cb, closure);
}

static void
status_token_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterGraphClient *graph = g_task_get_source_object (task);
  MusterSession *session = MUSTER_SESSION (source);
  MusterProfile *profile = muster_session_get_profile (session);
  LoadData *data = g_task_get_task_data (task);
  MusterTenantStatus *self = data->status;
  g_autoptr(MusterToken) token = NULL;
  g_autoptr(GStrvBuilder) missing = g_strv_builder_new ();
  const char * const *required = muster_oauth_get_required_permissions ();
  GError *error = NULL;

  token = muster_session_get_token_finish (session, result, &error);
  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  self->app_only = muster_profile_is_app_only (profile);
  self->tenant_id = g_strdup (token->tenant_id ? token->tenant_id : muster_profile_get_tenant_id (profile));
  self->granted = g_strdupv (token->scopes);
  self->token_expires_at = token->expires_at;
  self->reauthorize_days = muster_session_get_days_until_reauthorize (session, g_get_real_time () / G_USEC_PER_SEC);
  for (guint i = 0; required[i] != NULL && !self->app_only; i++)
    {
      /* Directory.Read.All covers every read Muster does (learn.microsoft.com/graph/permissions-reference) */
      if (!muster_token_has_scope (token, required[i]) && !muster_token_has_scope (token, "Directory.Read.All"))
        g_strv_builder_add (missing, required[i]);
    }
  self->missing = g_strv_builder_end (missing);

  data->pending = 1; /* held until every part has been sent */
  fetch_part (graph, task, "organization", "/organization?$select=id,displayName,verifiedDomains");
  if (!self->app_only)
    fetch_part (graph, task, "me", "/me?$select=id,displayName,userPrincipalName");
  else
    {
      fetch_part (graph, task, "probe:User.Read.All", "/users?$top=1&$select=id");
      fetch_part (graph, task, "probe:GroupMember.Read.All", "/groups?$top=1&$select=id");
    }
  fetch_part (graph, task, "licences", "/subscribedSkus");
  /* each part holds its own reference; this one goes when the function returns */
  part_done (task);
}

void
muster_tenant_status_load_async (MusterGraphClient   *graph,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  LoadData *data;

  g_return_if_fail (MUSTER_IS_GRAPH_CLIENT (graph));

  task = g_task_new (graph, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_tenant_status_load_async);
  data = g_new0 (LoadData, 1);
  data->status = g_object_new (MUSTER_TYPE_TENANT_STATUS, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  muster_session_get_token_async (muster_graph_client_get_session (graph), FALSE, cancellable,
                                  status_token_cb, task);
}

MusterTenantStatus *
muster_tenant_status_load_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Getters -------------------------------------------------------------------------------- */

const char *
muster_tenant_status_get_organization (MusterTenantStatus *self)
{
  return self->organization;
}

const char *
muster_tenant_status_get_tenant_id (MusterTenantStatus *self)
{
  return self->tenant_id;
}

GPtrArray *
muster_tenant_status_get_domains (MusterTenantStatus *self)
{
  return self->domains;
}

const char *
muster_tenant_status_get_user_name (MusterTenantStatus *self)
{
  return self->user_name;
}

const char *
muster_tenant_status_get_user_principal (MusterTenantStatus *self)
{
  return self->user_principal;
}

gboolean
muster_tenant_status_get_app_only (MusterTenantStatus *self)
{
  return self->app_only;
}

const char * const *
muster_tenant_status_get_granted (MusterTenantStatus *self)
{
  return (const char * const *) self->granted;
}

const char * const *
muster_tenant_status_get_missing (MusterTenantStatus *self)
{
  return (const char * const *) self->missing;
}

gint64
muster_tenant_status_get_token_expires_at (MusterTenantStatus *self)
{
  return self->token_expires_at;
}

int
muster_tenant_status_get_reauthorize_days (MusterTenantStatus *self)
{
  return self->reauthorize_days;
}

GPtrArray *
muster_tenant_status_get_licences (MusterTenantStatus *self)
{
  return self->licences;
}

const char *
muster_tenant_status_get_licences_problem (MusterTenantStatus *self)
{
  return self->licences_problem;
}

gint64
muster_tenant_status_get_last_snapshot (MusterTenantStatus *self)
{
  return self->last_snapshot;
}

void
muster_tenant_status_set_last_snapshot (MusterTenantStatus *self,
                                        gint64              when)
{
  self->last_snapshot = when;
}

static void
add_time (JsonBuilder *builder,
          const char  *member,
          gint64       when)
{
  json_builder_set_member_name (builder, member);
  if (when == 0)
    json_builder_add_null_value (builder);
  else
    {
      g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (when);
      g_autofree char *text = g_date_time_format_iso8601 (date);
      json_builder_add_string_value (builder, text);
    }
}

static void
add_strv (JsonBuilder        *builder,
          const char         *member,
          const char * const *values)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value == NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, value);
}

JsonNode *
muster_tenant_status_to_json (MusterTenantStatus *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (MUSTER_IS_TENANT_STATUS (self), NULL);

  json_builder_begin_object (builder);
  add_string (builder, "tenantId", self->tenant_id);
  add_string (builder, "organization", self->organization);

  json_builder_set_member_name (builder, "domains");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->domains->len; i++)
    {
      MusterDomain *domain = g_ptr_array_index (self->domains, i);
      json_builder_begin_object (builder);
      add_string (builder, "name", domain->name);
      json_builder_set_member_name (builder, "isDefault");
      json_builder_add_boolean_value (builder, domain->is_default);
      json_builder_set_member_name (builder, "isInitial");
      json_builder_add_boolean_value (builder, domain->is_initial);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "signedIn");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "appOnly");
  json_builder_add_boolean_value (builder, self->app_only);
  add_string (builder, "displayName", self->user_name);
  add_string (builder, "userPrincipalName", self->user_principal);
  json_builder_end_object (builder);

  add_strv (builder, "scopes", (const char * const *) self->granted);
  add_strv (builder, "missingPermissions", (const char * const *) self->missing);
  add_time (builder, "tokenExpires", self->token_expires_at);
  json_builder_set_member_name (builder, "reauthorizeInDays");
  if (self->reauthorize_days == G_MAXINT)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, self->reauthorize_days);

  json_builder_set_member_name (builder, "licences");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->licences->len; i++)
    {
      MusterLicence *licence = g_ptr_array_index (self->licences, i);
      json_builder_begin_object (builder);
      add_string (builder, "skuId", licence->sku_id);
      add_string (builder, "skuPartNumber", licence->part_number);
      add_string (builder, "name", licence->title);
      add_string (builder, "status", licence->status);
      json_builder_set_member_name (builder, "consumed");
      json_builder_add_int_value (builder, licence->consumed);
      json_builder_set_member_name (builder, "enabled");
      json_builder_add_int_value (builder, licence->enabled);
      json_builder_set_member_name (builder, "suspended");
      json_builder_add_int_value (builder, licence->suspended);
      json_builder_set_member_name (builder, "warning");
      json_builder_add_int_value (builder, licence->warning);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_string (builder, "licencesProblem", self->licences_problem);
  add_time (builder, "lastSnapshot", self->last_snapshot);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
