/* muster-cloud.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cloud"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-cloud.h"

/* Hosts from learn.microsoft.com/graph/deployments and
 * learn.microsoft.com/entra/identity-platform/authentication-national-cloud. */
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

/* One part of a WHATWG IPv4 address (https://url.spec.whatwg.org/#ipv4-number-parser): decimal,
 * 0x… hexadecimal or 0… octal, as browsers and inet_aton(3) read "2130706433" or "0x7f.1". */
static gboolean
parse_ipv4_number (const char *text,
                   gsize       len,
                   guint64    *value)
{
  guint base = 10;
  guint64 result = 0;

  if (len == 0)
    return FALSE;
  if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    {
      base = 16;
      text += 2;
      len -= 2;
    }
  else if (len >= 2 && text[0] == '0')
    {
      base = 8;
      text++;
      len--;
    }
  for (gsize i = 0; i < len; i++)
    {
      int digit = g_ascii_xdigit_value (text[i]);

      if (digit < 0 || (guint) digit >= base)
        return FALSE;
      result = result * base + digit;
      if (result > G_MAXUINT32)
        return FALSE;
    }
  *value = result;
  return TRUE;
}

/* The first byte of @host read as an IPv4 address in any form a browser or inet_aton() takes
 * ("127.0.0.1", "127.1", "2130706433", "0x7f.0.0.1", "0177.1"), or -1 when @host is not one. */
static int
ipv4_first_byte (const char *host)
{
  g_auto(GStrv) parts = g_strsplit (host, ".", -1);
  guint n = g_strv_length (parts);
  guint64 numbers[4];

  /* a trailing dot would send the name to DNS in some resolvers: not an address then */
  if (n == 0 || n > 4)
    return -1;
  for (guint i = 0; i < n; i++)
    if (!parse_ipv4_number (parts[i], strlen (parts[i]), &numbers[i]))
      return -1;
  for (guint i = 0; i + 1 < n; i++)
    if (numbers[i] > 255)
      return -1;
  /* the last part fills the remaining bytes */
  if (numbers[n - 1] >= ((guint64) 1 << (8 * (5 - n))))
    return -1;
  if (n == 1)
    return (int) (numbers[0] >> 24);
  return (int) numbers[0];
}

gboolean
muster_host_is_loopback (const char *host)
{
  gsize len;

  if (host == NULL || *host == '\0')
    return FALSE;
  len = strlen (host);

  /* RFC 6761 §6.3: "localhost" and names under it are loopback, and GResolver answers them
   * without asking DNS. No trailing dot: "localhost." goes to the resolver as any name. */
  if (g_ascii_strcasecmp (host, "localhost") == 0 ||
      (len > strlen (".localhost") && g_ascii_strcasecmp (host + len - strlen (".localhost"), ".localhost") == 0
       && host[len - strlen (".localhost") - 1] != '.'))
    return TRUE;

  if (strchr (host, ':') != NULL)
    {
      g_autoptr(GInetAddress) address = NULL;
      const guint8 *bytes;
      static const guint8 mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

      /* a zone ("::1%lo") is not worth the doubt */
      if (strchr (host, '%') != NULL)
        return FALSE;
      address = g_inet_address_new_from_string (host);
      if (address == NULL || g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
        return FALSE;
      if (g_inet_address_get_is_loopback (address))
        return TRUE;
      /* IPv4-mapped (RFC 4291 §2.5.5.2): ::ffff:127.0.0.1 is 127.0.0.1 */
      bytes = g_inet_address_to_bytes (address);
      return memcmp (bytes, mapped_prefix, sizeof mapped_prefix) == 0 && bytes[12] == 127;
    }

  /* 127.0.0.0/8 (RFC 1122 §3.2.1.3) */
  return ipv4_first_byte (host) == 127;
}

gboolean
muster_url_is_acceptable (const char  *url,
                          GError     **error)
{
  g_autoptr(GUri) uri = url ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *scheme, *host;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” is not a web address"),
                   url ? url : "");
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (scheme, "http") == 0 && muster_host_is_loopback (host))
    return TRUE;

  if (g_ascii_strcasecmp (scheme, "http") == 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("“%s” must use https (plain http is only allowed on this computer)"), url);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("“%s” must use https"), url);
  return FALSE;
}
