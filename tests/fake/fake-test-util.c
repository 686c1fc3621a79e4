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

char *
fake_test_base64url (const guchar *data,
                     gsize         len)
{
  char *s = g_base64_encode (data, len);

  g_strdelimit (s, "+", '-');
  g_strdelimit (s, "/", '_');
  if (strchr (s, '='))
    *strchr (s, '=') = '\0';
  return s;
}

void
fake_test_make_pkce (char **verifier,
                     char **challenge)
{
  guchar random[32];
  guchar digest[32];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; i < sizeof random; i++)
    random[i] = g_random_int_range (0, 256);
  *verifier = fake_test_base64url (random, sizeof random);
  g_checksum_update (checksum, (const guchar *) *verifier, strlen (*verifier));
  g_checksum_get_digest (checksum, digest, &digest_len);
  *challenge = fake_test_base64url (digest, digest_len);
}

static char *
html_unescape (const char *text)
{
  GString *out = g_string_new (NULL);
  static const struct { const char *entity, *text; } entities[] = {
    { "&amp;", "&" }, { "&quot;", "\"" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&#39;", "'" }, { "&#x27;", "'" },
  };

  for (const char *p = text; *p; )
    {
      gboolean replaced = FALSE;

      for (guint i = 0; *p == '&' && i < G_N_ELEMENTS (entities); i++)
        if (g_str_has_prefix (p, entities[i].entity))
          {
            g_string_append (out, entities[i].text);
            p += strlen (entities[i].entity);
            replaced = TRUE;
            break;
          }
      if (!replaced)
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

/* The value of attribute @attr in the first tag of @html that contains @marker. */
static char *
html_attribute (const char *html,
                const char *marker,
                const char *attr)
{
  const char *tag = strstr (html, marker);
  g_autofree char *needle = g_strconcat (attr, "=\"", NULL);
  const char *start, *end, *tag_start;

  g_assert_nonnull (tag);
  tag_start = tag;
  while (tag_start > html && *tag_start != '<')
    tag_start--;
  start = strstr (tag_start, needle);
  g_assert_nonnull (start);
  start += strlen (needle);
  end = strchr (start, '"');
  g_assert_nonnull (end);
  {
    g_autofree char *raw = g_strndup (start, end - start);
    return html_unescape (raw);
  }
}

char *
fake_test_sign_in (MusterFakeTenant *tenant,
                   const char       *scopes)
{
  static const char *client_id = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
  static const char *redirect_uri = "http://localhost:8400";
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *authorize = NULL;
  g_autofree char *form_action = NULL;
  g_autofree char *txn = NULL;
  g_autofree char *form = NULL;
  g_autofree char *token_form = NULL;
  g_autofree char *html = NULL;
  g_autofree char *all_scopes = g_strconcat (scopes, " openid profile offline_access", NULL);
  g_autoptr(FakeResponse) page = NULL;
  g_autoptr(FakeResponse) accepted = NULL;
  g_autoptr(FakeResponse) token = NULL;
  g_autoptr(GUri) location = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GError) error = NULL;
  const char *code;

  fake_test_make_pkce (&verifier, &challenge);

  authorize = g_strdup_printf ("/organizations/oauth2/v2.0/authorize?%s",
                               form = soup_form_encode ("client_id", client_id, "response_type", "code",
                                                        "redirect_uri", redirect_uri, "scope", all_scopes,
                                                        "state", "fake-test", "code_challenge", challenge,
                                                        "code_challenge_method", "S256", NULL));
  page = fake_test_request (tenant, "GET", authorize, NULL, NULL, NULL);
  g_assert_cmpuint (page->status, ==, 200);
  html = g_strndup (g_bytes_get_data (page->body, NULL), g_bytes_get_size (page->body));
  form_action = html_attribute (html, "<form", "action");
  txn = html_attribute (html, "name=\"txn\"", "value");

  g_clear_pointer (&form, g_free);
  form = soup_form_encode ("txn", txn, "action", "accept", NULL);
  accepted = fake_test_request (tenant, "POST", form_action, NULL, "application/x-www-form-urlencoded", form);
  g_assert_cmpuint (accepted->status, ==, 302);
  location = g_uri_parse (soup_message_headers_get_one (accepted->headers, "Location"), G_URI_FLAGS_ENCODED, &error);
  g_assert_no_error (error);
  params = soup_form_decode (g_uri_get_query (location));
  code = g_hash_table_lookup (params, "code");
  g_assert_nonnull (code);

  token_form = soup_form_encode ("client_id", client_id, "grant_type", "authorization_code", "code", code,
                                 "redirect_uri", redirect_uri, "code_verifier", verifier, "scope", all_scopes, NULL);
  token = fake_test_request (tenant, "POST", "/organizations/oauth2/v2.0/token", NULL,
                             "application/x-www-form-urlencoded", token_form);
  g_assert_cmpuint (token->status, ==, 200);
  g_assert_nonnull (fake_response_get_string (token, "access_token"));
  return g_strdup (fake_response_get_string (token, "access_token"));
}
