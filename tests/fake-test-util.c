/* fake-test-util.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fake-test-util.h"

void
fake_response_free (FakeResponse *response)
{
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_free (response);
}

MusterFakeTenant *
fake_test_start_tenant (const MusterFakeOptions *options)
{
  MusterFakeOptions defaults;
  MusterFakeTenant *tenant;
  g_autoptr(GError) error = NULL;

  if (options == NULL)
    {
      muster_fake_options_init (&defaults);
      options = &defaults;
    }
  tenant = muster_fake_tenant_new (options);
  muster_fake_tenant_start (tenant, &error);
  g_assert_no_error (error);
  g_assert_nonnull (muster_fake_tenant_get_base_url (tenant));
  return tenant;
}

FakeResponse *
fake_test_request (MusterFakeTenant   *tenant,
                   const char         *method,
                   const char         *path,
                   const char * const *headers,
                   const char         *content_type,
                   const char         *body)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autofree char *url = g_str_has_prefix (path, "http")
    ? g_strdup (path)
    : g_strconcat (muster_fake_tenant_get_base_url (tenant), path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  FakeResponse *response = g_new0 (FakeResponse, 1);
  const char *ca_file = muster_fake_tenant_get_ca_file (tenant);

  g_assert_nonnull (msg);
  if (ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) db = g_tls_file_database_new (ca_file, &error);
      g_assert_no_error (error);
      soup_session_set_tls_database (session, db);
    }
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg), headers[i], headers[i + 1]);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }

  response->body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  response->status = soup_message_get_status (msg);
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));

  if (g_bytes_get_size (response->body) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      gsize size;
      const char *data = g_bytes_get_data (response->body, &size);
      if (json_parser_load_from_data (parser, data, size, NULL))
        response->json = json_node_ref (json_parser_get_root (parser));
    }
  return response;
}

const char *
fake_response_get_string (FakeResponse *response,
                          const char   *name)
{
  JsonObject *object;

  if (response->json == NULL || !JSON_NODE_HOLDS_OBJECT (response->json))
    return NULL;
  object = json_node_get_object (response->json);
  if (!json_object_has_member (object, name))
    return NULL;
  return json_object_get_string_member_with_default (object, name, NULL);
}
