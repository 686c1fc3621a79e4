/* muster-cli-status.c: muster-cli status
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-cli-private.h"
#include "muster-snapshot-store.h"
#include "muster-tenant-status.h"

static char *
format_time (gint64 when)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (when);

  return g_date_time_format (date, "%Y-%m-%d %H:%M:%S %Z");
}

static void
print_status (MusterCliContext   *cli,
              MusterProfile      *profile,
              MusterTenantStatus *status)
{
  GPtrArray *domains = muster_tenant_status_get_domains (status);
  GPtrArray *licences = muster_tenant_status_get_licences (status);
  const char * const *missing = muster_tenant_status_get_missing (status);
  g_autofree char *granted = g_strjoinv (" ", (char **) muster_tenant_status_get_granted (status));
  g_autofree char *expiry = format_time (muster_tenant_status_get_token_expires_at (status));
  int days = muster_tenant_status_get_reauthorize_days (status);
  const char *organization = muster_tenant_status_get_organization (status);

  fprintf (cli->out, "%-16s %s\n", _("Profile:"), muster_profile_get_name (profile));
  /* an empty /organization answer (or one without a name) leaves the name unknown */
  fprintf (cli->out, "%-16s %s\n", _("Organisation:"),
           organization != NULL && *organization != '\0' ? organization : _("(no name given)"));
  fprintf (cli->out, "%-16s %s\n", _("Tenant ID:"), muster_tenant_status_get_tenant_id (status));
  fprintf (cli->out, "%-16s %s\n", _("Cloud:"), muster_cloud_get_title (muster_profile_get_cloud (profile)));
  for (guint i = 0; i < domains->len; i++)
    {
      MusterDomain *domain = g_ptr_array_index (domains, i);
      fprintf (cli->out, "%-16s %s%s%s\n", i == 0 ? _("Domains:") : "", domain->name,
               domain->is_default ? _(" (default)") : "", domain->is_initial ? _(" (initial)") : "");
    }
  if (muster_tenant_status_get_app_only (status))
    fprintf (cli->out, "%-16s %s %s\n", _("Signed in:"), _("app-only, client"), muster_profile_get_client_id (profile));
  else
    fprintf (cli->out, "%-16s %s <%s>\n", _("Signed in:"), muster_tenant_status_get_user_name (status),
             muster_tenant_status_get_user_principal (status));
  fprintf (cli->out, "%-16s %s\n", _("Permissions:"), granted);
  if (missing[0] != NULL)
    {
      g_autofree char *text = g_strjoinv (", ", (char **) missing);
      fprintf (cli->out, "%-16s %s — %s\n", _("Missing:"), text,
               _("grant them with “muster-cli login --admin-consent”"));
    }
  fprintf (cli->out, "%-16s %s\n", _("Token expires:"), expiry);
  if (days != G_MAXINT)
    fprintf (cli->out, "%-16s %s\n", _("Re-authorise:"),
             days <= MUSTER_REAUTHORIZE_REMINDER_DAYS
             ? _("soon — sign in again before 90 days without use run out")
             : _("not needed yet"));
  for (guint i = 0; i < licences->len; i++)
    {
      MusterLicence *licence = g_ptr_array_index (licences, i);
      g_autofree char *usage = muster_licence_describe_usage (licence);

      fprintf (cli->out, "%-16s %s: %s\n", i == 0 ? _("Licences:") : "", licence->title, usage);
    }
  if (muster_tenant_status_get_licences_problem (status) != NULL)
    fprintf (cli->out, "%-16s %s\n", _("Licences:"), muster_tenant_status_get_licences_problem (status));
  if (muster_tenant_status_get_last_snapshot (status) == 0)
    fprintf (cli->out, "%-16s %s\n", _("Last snapshot:"), _("none yet"));
  else
    {
      g_autofree char *when = format_time (muster_tenant_status_get_last_snapshot (status));
      fprintf (cli->out, "%-16s %s\n", _("Last snapshot:"), when);
    }
}

int
_muster_cli_status (MusterCliContext *cli,
                    int               argc,
                    char            **argv)
{
  g_autoptr(MusterProfileStore) store = NULL;
  g_autoptr(MusterSession) session = NULL;
  g_autoptr(MusterGraphClient) graph = NULL;
  g_autoptr(MusterTenantStatus) status = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MusterProfile *profile;

  if (argc != 1)
    return _muster_cli_usage (cli, _("status takes no arguments"));
  profile = _muster_cli_open_profile (cli, &store, &error);
  if (profile == NULL)
    return _muster_cli_fail (cli, error);

  session = muster_session_new (store, profile);
  graph = muster_graph_client_new (session);
  muster_tenant_status_load_async (graph, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  status = muster_tenant_status_load_finish (result, &error);
  if (status == NULL)
    return _muster_cli_fail (cli, error);

  /* the last snapshot is local knowledge: cache.db, read only when it exists */
  {
    g_autofree char *data_dir = muster_get_data_dir ();
    g_autofree char *cache = g_build_filename (data_dir, "cache.db", NULL);

    if (g_file_test (cache, G_FILE_TEST_EXISTS))
      {
        g_autoptr(MusterSnapshotStore) snapshots = muster_snapshot_store_open (cache, NULL);
        g_autoptr(MusterSnapshotInfo) latest = NULL;

        if (snapshots != NULL)
          latest = muster_snapshot_store_get_latest (snapshots, muster_profile_get_name (profile), NULL);
        if (latest != NULL)
          muster_tenant_status_set_last_snapshot (status, latest->created_at);
      }
  }

  if (cli->json)
    {
      g_autoptr(JsonNode) node = muster_tenant_status_to_json (status);
      JsonObject *object = json_node_get_object (node);

      json_object_set_string_member (object, "profile", muster_profile_get_name (profile));
      json_object_set_string_member (object, "cloud", muster_cloud_to_string (muster_profile_get_cloud (profile)));
      _muster_cli_print_json (cli, node);
    }
  else
    print_status (cli, profile, status);
  return MUSTER_EXIT_OK;
}
