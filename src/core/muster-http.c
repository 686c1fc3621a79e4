/* muster-http.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-http"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "muster-http.h"

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
                                                        "timeout", 120,
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
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  gsize size = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &size) : NULL;

  /* json-glib accepts a body of only white space and gives it no root: that is empty too */
  if (size == 0 || !json_parser_load_from_data (parser, data, size, &local_error)
      || json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The %s answer was not valid JSON: %s"), what,
                   local_error ? local_error->message : _("it was empty"));
      return NULL;
    }
  return json_parser_steal_root (parser);
}

const char *
muster_json_get_string (JsonObject *object,
                        const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gint64
muster_json_get_int (JsonObject *object,
                     const char *member,
                     gint64      fallback)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;
  const char *text;
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double number = json_node_get_double (node);

      /* Converting a double outside gint64's range is undefined (C17 §6.3.1.4): saturate
       * ("expires_in": 1e300 means a long time, not whatever the CPU makes of it). */
      if (number >= 9223372036854775807.0)
        return G_MAXINT64;
      if (number <= -9223372036854775808.0)
        return G_MININT64;
      if (number != number)
        return fallback;
      return (gint64) number;
    }
  /* AADv1-like endpoints send numbers as strings (MSAL caches both) */
  text = json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
  if (text != NULL && g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
    return value;
  return fallback;
}

JsonArray *
muster_json_get_array (JsonObject *object,
                       const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

JsonObject *
muster_json_get_object (JsonObject *object,
                        const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}
