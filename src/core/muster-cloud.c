/* muster-cloud.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cloud"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "muster-cloud.h"

/* Hosts from graph-facts §5 (GRAPH:concepts/deployments.md, ENTRA:authentication-national-cloud.md). */
static const struct
{
  const char *name;
  const char *title;
  const char *authority;
  const char *graph;
} clouds[] = {
  [MUSTER_CLOUD_GLOBAL] = { "global", N_("Global"), "https://login.microsoftonline.com", "https://graph.microsoft.com" },
  [MUSTER_CLOUD_USGOV] = { "usgov", N_("US Government GCC High"), "https://login.microsoftonline.us", "https://graph.microsoft.us" },
  [MUSTER_CLOUD_DOD] = { "dod", N_("US Government DoD"), "https://login.microsoftonline.us", "https://dod-graph.microsoft.us" },
  [MUSTER_CLOUD_CHINA] = { "china", N_("China (21Vianet)"), "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn" },
};

const char *
muster_cloud_to_string (MusterCloud cloud)
{
  g_return_val_if_fail (cloud < G_N_ELEMENTS (clouds), NULL);
  return clouds[cloud].name;
}

gboolean
muster_cloud_from_string (const char  *name,
                          MusterCloud *cloud)
{
  for (guint i = 0; i < G_N_ELEMENTS (clouds); i++)
    if (g_strcmp0 (clouds[i].name, name) == 0)
      {
        *cloud = i;
        return TRUE;
      }
  return FALSE;
}

const char *
muster_cloud_get_title (MusterCloud cloud)
{
  g_return_val_if_fail (cloud < G_N_ELEMENTS (clouds), NULL);
  return _(clouds[cloud].title);
}

static char *authority_override;
static char *graph_override;

void
muster_cloud_set_override (const char *authority,
                           const char *graph)
{
  g_free (authority_override);
  g_free (graph_override);
  authority_override = g_strdup (authority);
  graph_override = g_strdup (graph);
}

static char *
host_from_env (const char *override,
               const char *variable,
               const char *fallback)
{
  const char *value = override ? override : g_getenv (variable);
  g_autofree char *url = g_strdup (value != NULL && *value != '\0' ? value : fallback);
  gsize len = strlen (url);

  while (len > 0 && url[len - 1] == '/')
    url[--len] = '\0';
  return g_steal_pointer (&url);
}

char *
muster_cloud_get_authority (MusterCloud cloud)
{
  g_return_val_if_fail (cloud < G_N_ELEMENTS (clouds), NULL);
  return host_from_env (authority_override, "MUSTER_AUTHORITY_HOST", clouds[cloud].authority);
}

char *
muster_cloud_get_graph (MusterCloud cloud)
{
  g_return_val_if_fail (cloud < G_N_ELEMENTS (clouds), NULL);
  return host_from_env (graph_override, "MUSTER_GRAPH_HOST", clouds[cloud].graph);
}

const char *
muster_cloud_get_graph_resource (MusterCloud cloud)
{
  g_return_val_if_fail (cloud < G_N_ELEMENTS (clouds), NULL);
  return clouds[cloud].graph;
}

gboolean
muster_url_is_acceptable (const char  *url,
                          GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme, *host;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” is not a web address"), url);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (scheme, "http") == 0 &&
      (g_str_equal (host, "127.0.0.1") || g_str_equal (host, "::1") || g_ascii_strcasecmp (host, "localhost") == 0))
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("“%s” must use https (plain http is only allowed on this computer)"), url);
  return FALSE;
}
