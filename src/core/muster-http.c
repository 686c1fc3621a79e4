/* muster-http.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-http"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "muster-http.h"
#include "muster-json.h"

/* A GTlsDatabase that trusts both the system's anchors and MUSTER_CA_FILE. */
static GTlsDatabase *
database_with_extra_ca (const char *ca_file)
{
  g_autoptr(GError) error = NULL;
  GTlsDatabase *database = g_tls_file_database_new (ca_file, &error);

  if (database == NULL)
    g_warning ("Ignoring MUSTER_CA_FILE “%s”: %s", ca_file, error->message);
  return database;
}

/* Seconds without an answer before a request fails: 120, or MUSTER_HTTP_TIMEOUT (1–3600), which
 * the fault tests set so that a stalled server fails a request in seconds. */
static guint
http_timeout (void)
{
  const char *value = g_getenv ("MUSTER_HTTP_TIMEOUT");
  guint64 seconds;

  if (value != NULL && g_ascii_string_to_unsigned (value, 10, 1, 3600, &seconds, NULL))
    return (guint) seconds;
  return 120;
}

SoupSession *
muster_http_session_new (void)
{
  return muster_http_session_new_with_connections (8);
}

SoupSession *
muster_http_session_new_with_connections (guint max_conns_per_host)
{
  /* both limits are construct-only in libsoup 3; the session-wide one must not be the lower */
  SoupSession *session = soup_session_new_with_options ("user-agent", "Muster/" PACKAGE_VERSION " ",
                                                        "timeout", http_timeout (),
                                                        "idle-timeout", 60,
                                                        "max-conns-per-host", MAX (max_conns_per_host, 1),
                                                        "max-conns", MAX (max_conns_per_host, 10),
                                                        NULL);
  const char *ca_file = g_getenv ("MUSTER_CA_FILE");

  if (ca_file != NULL && *ca_file != '\0')
    {
      g_autoptr(GTlsDatabase) database = database_with_extra_ca (ca_file);
      if (database != NULL)
        soup_session_set_tls_database (session, database);
    }
  return session;
}

JsonNode *
muster_http_parse_json (GBytes      *bytes,
                        const char  *what,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize size = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &size) : NULL;
  JsonNode *node;

  /* muster_json_parse() refuses deep nesting before json-glib's recursive parser sees it */
  node = muster_json_parse (data, size, &local_error);
  if (node == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The %s answer was not valid JSON: %s"), what,
                 local_error->message);
  return node;
}
