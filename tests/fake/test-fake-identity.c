/* test-fake-identity.c: the fake identity platform behaves like login.microsoftonline.com
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything goes over HTTP, the way a client and a browser would: the consent page is read as
 * HTML, its form posted back, redirects followed by hand from their Location.
 */

#include "config.h"

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "fake-test-util.h"
#include "muster-fake-directory.h"

#define CLI_CLIENT_ID   "14d82eec-204b-4c2f-b7e8-296a70dab67e"
#define REDIRECT        "http://localhost:53124"
#define FORM_TYPE       "application/x-www-form-urlencoded"
#define APP_CLIENT_ID   "6a0f3c3e-2f6b-4b1e-9a55-0d6c2b7e4f10"
#define GRAPH_WWW_AUTH  "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\""

/* ---- helpers ------------------------------------------------------------------------------ */

static FakeResponse *
post_form (MusterFakeTenant *tenant,
           const char       *path,
           const char       *body)
{
  return fake_test_request (tenant, "POST", path, NULL, FORM_TYPE, body);
}

static FakeResponse *
post_json (MusterFakeTenant *tenant,
           const char       *path,
           const char       *body)
{
  return fake_test_request (tenant, "POST", path, NULL, "application/json", body);
}

static void
control (MusterFakeTenant *tenant,
         const char       *path,
         const char       *body)
{
  g_autoptr(FakeResponse) r = post_json (tenant, path, body);

  g_assert_cmpuint (r->status, ==, 204);
}

static char *
body_text (FakeResponse *r)
{
  gsize size;
  const char *data = g_bytes_get_data (r->body, &size);

  return g_strndup (data, size);
}

static char *
escape (const char *s)
{
  return g_uri_escape_string (s, NULL, FALSE);
}

/* The value of <input name="NAME" value="…"> in a page. */
static char *
form_field (FakeResponse *page,
            const char   *name)
{
  g_autofree char *html = body_text (page);
  g_autofree char *needle = g_strdup_printf ("name=\"%s\" value=\"", name);
  const char *start = strstr (html, needle);
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen (needle);
  end = strchr (start, '"');
  return g_strndup (start, end - start);
}

static char *
form_action (FakeResponse *page)
{
  g_autofree char *html = body_text (page);
  const char *form = strstr (html, "<form method=\"post\" action=\"");
  const char *start, *end;

  g_assert_nonnull (form);
  start = form + strlen ("<form method=\"post\" action=\"");
  end = strchr (start, '"');
  return g_strndup (start, end - start);
}

static GHashTable *
location_params (FakeResponse *r)
{
  const char *location = soup_message_headers_get_one (r->headers, "Location");
  g_autoptr(GUri) uri = NULL;

  g_assert_cmpuint (r->status, ==, 302);
  g_assert_nonnull (location);
  uri = g_uri_parse (location, G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (uri);
  g_assert_nonnull (g_uri_get_query (uri));
  return g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
}

static FakeResponse *
get_authorize (MusterFakeTenant *tenant,
               const char       *tenant_segment,
               const char       *client_id,
               const char       *redirect_uri,
               const char       *scope,
               const char       *challenge,
               const char       *extra)
{
  g_autofree char *e_redirect = escape (redirect_uri);
  g_autofree char *e_scope = escape (scope);
  g_autofree char *path = g_strdup_printf ("/%s/oauth2/v2.0/authorize?client_id=%s&response_type=code"
                                           "&redirect_uri=%s&scope=%s&state=st4te-42%s%s%s%s",
                                           tenant_segment, client_id, e_redirect, e_scope,
                                           challenge ? "&code_challenge_method=S256&code_challenge=" : "",
                                           challenge ? challenge : "",
                                           extra ? "&" : "", extra ? extra : "");

  return fake_test_request (tenant, "GET", path, NULL, NULL, NULL);
}

/* Presses a button of the consent page and returns the response (a 302 for authorize). */
static FakeResponse *
press (MusterFakeTenant *tenant,
       FakeResponse     *page,
       const char       *action)
{
  g_autofree char *txn = form_field (page, "txn");
  g_autofree char *path = form_action (page);
  g_autofree char *body = NULL;

  g_assert_nonnull (txn);
  body = g_strdup_printf ("txn=%s&action=%s", txn, action);
  return post_form (tenant, path, body);
}

/* Signs in through the consent page and returns the authorization code. */
static char *
sign_in (MusterFakeTenant *tenant,
         const char       *scope,
         const char       *challenge)
{
  g_autoptr(FakeResponse) page = get_authorize (tenant, "organizations", CLI_CLIENT_ID, REDIRECT, scope,
                                                challenge, NULL);
  g_autoptr(FakeResponse) redirect = NULL;
  g_autoptr(GHashTable) params = NULL;

  g_assert_cmpuint (page->status, ==, 200);
  redirect = press (tenant, page, "accept");
  params = location_params (redirect);
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "st4te-42");
  g_assert_nonnull (g_hash_table_lookup (params, "code"));
  return g_strdup (g_hash_table_lookup (params, "code"));
}

static FakeResponse *
redeem (MusterFakeTenant *tenant,
        const char       *code,
        const char       *verifier,
        const char       *redirect_uri)
{
  g_autofree char *e_code = escape (code);
  g_autofree char *e_redirect = escape (redirect_uri);
  g_autofree char *body = g_strdup_printf ("client_id=" CLI_CLIENT_ID "&grant_type=authorization_code"
                                           "&code=%s&redirect_uri=%s%s%s", e_code, e_redirect,
                                           verifier ? "&code_verifier=" : "", verifier ? verifier : "");

  return post_form (tenant, "/organizations/oauth2/v2.0/token", body);
}

static FakeResponse *
refresh (MusterFakeTenant *tenant,
         const char       *refresh_token,
         const char       *scope)
{
  g_autofree char *e_rt = escape (refresh_token);
  g_autofree char *e_scope = scope ? escape (scope) : NULL;
  g_autofree char *body = g_strdup_printf ("client_id=" CLI_CLIENT_ID "&grant_type=refresh_token"
                                           "&refresh_token=%s%s%s", e_rt,
                                           scope ? "&scope=" : "", scope ? e_scope : "");

  return post_form (tenant, "/organizations/oauth2/v2.0/token", body);
}

/* Signs in with PKCE and redeems the code: the token response. */
static FakeResponse *
sign_in_tokens (MusterFakeTenant *tenant,
                const char       *scope)
{
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *code = NULL;
  FakeResponse *r;

  fake_test_make_pkce (&verifier, &challenge);
  code = sign_in (tenant, scope, challenge);
  r = redeem (tenant, code, verifier, REDIRECT);
  g_assert_cmpuint (r->status, ==, 200);
  return r;
}

static FakeResponse *
whoami (MusterFakeTenant *tenant,
        const char       *access_token)
{
  g_autofree char *value = access_token ? g_strconcat ("Bearer ", access_token, NULL) : NULL;
  const char *headers[] = { "Authorization", value, NULL };

  return fake_test_request (tenant, "GET", "/_fake/identity/whoami", value ? headers : NULL, NULL, NULL);
}

static JsonObject *
root_object (FakeResponse *r)
{
  g_assert_nonnull (r->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  return json_node_get_object (r->json);
}

static gboolean
json_array_has_string (JsonArray  *array,
                       const char *s)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), s) == 0)
      return TRUE;
  return FALSE;
}

/* Every field of the token endpoint's documented error body
 * (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow). */
static void
assert_sts_error (FakeResponse *r,
                  guint         status,
                  const char   *error,
                  guint         code)
{
  JsonObject *object;
  JsonArray *codes;
  g_autofree char *prefix = g_strdup_printf ("AADSTS%u: ", code);
  g_autofree char *uri_suffix = g_strdup_printf ("/error?code=%u", code);
  const char *description, *timestamp;

  object = root_object (r);
  description = json_object_get_string_member (object, "error_description");
  g_test_message ("%u %s", r->status, description);
  g_assert_cmpuint (r->status, ==, status);
  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, error);
  g_assert_true (g_str_has_prefix (description, prefix));
  g_assert_nonnull (strstr (description, "\r\nTrace ID: "));
  g_assert_nonnull (strstr (description, "\r\nCorrelation ID: "));
  g_assert_nonnull (strstr (description, "\r\nTimestamp: "));
  codes = json_object_get_array_member (object, "error_codes");
  g_assert_cmpuint (json_array_get_length (codes), ==, 1);
  g_assert_cmpint (json_array_get_int_element (codes, 0), ==, code);
  timestamp = json_object_get_string_member (object, "timestamp");
  g_assert_cmpuint (strlen (timestamp), ==, 20);
  g_assert_cmpint (timestamp[10], ==, ' ');
  g_assert_cmpint (timestamp[19], ==, 'Z');
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (object, "trace_id")));
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (object, "correlation_id")));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "error_uri"), uri_suffix));
}

static void
assert_page_error (FakeResponse *r,
                   const char   *aadsts)
{
  g_autofree char *html = body_text (r);

  g_assert_cmpuint (r->status, ==, 400);
  g_assert_null (soup_message_headers_get_one (r->headers, "Location"));
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (r->headers, NULL), "text/html"));
  g_assert_nonnull (strstr (html, aadsts));
}

static JsonObject *
jwt_claims (const char *jwt)
{
  g_auto(GStrv) parts = g_strsplit (jwt, ".", 0);
  g_autoptr(GString) std = NULL;
  g_autofree guchar *raw = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  std = g_string_new (parts[1]);
  g_strdelimit (std->str, "-", '+');
  g_strdelimit (std->str, "_", '/');
  while (std->len % 4)
    g_string_append_c (std, '=');
  raw = g_base64_decode (std->str, &len);
  g_assert_true (json_parser_load_from_data (parser, (const char *) raw, len, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* ---- authorization code + PKCE ------------------------------------------------------------ */

static void
test_pkce_full_flow (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autoptr(FakeResponse) page = NULL;
  g_autoptr(FakeResponse) redirect = NULL;
  g_autoptr(FakeResponse) tokens = NULL;
  g_autoptr(FakeResponse) me = NULL;
  g_autoptr(FakeResponse) stats = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autofree char *html = NULL;
  g_autofree char *issuer = NULL;
  JsonObject *object;
  const char *location;

  fake_test_make_pkce (&verifier, &challenge);
  page = get_authorize (tenant, "organizations", CLI_CLIENT_ID, REDIRECT,
                        "openid profile offline_access User.Read", challenge, NULL);
  g_assert_cmpuint (page->status, ==, 200);
  html = body_text (page);
  g_assert_nonnull (strstr (html, "Microsoft Graph Command Line Tools"));
  g_assert_nonnull (strstr (html, "data-scope=\"User.Read\""));
  g_assert_nonnull (strstr (html, "<form method=\"post\""));
  g_assert_nonnull (strstr (html, "value=\"accept\""));
  g_assert_nonnull (strstr (html, "value=\"cancel\""));
  /* the PKCE challenge stays on the server */
  g_assert_null (strstr (html, challenge));

  redirect = press (tenant, page, "accept");
  location = soup_message_headers_get_one (redirect->headers, "Location");
  /* a redirect URI without a path comes back with "/"
   * (learn.microsoft.com/entra/identity-platform/reply-url) */
  g_assert_true (g_str_has_prefix (location, REDIRECT "/?code="));
  params = location_params (redirect);
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "st4te-42");

  tokens = redeem (tenant, g_hash_table_lookup (params, "code"), verifier, REDIRECT);
  g_assert_cmpuint (tokens->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (tokens->headers, "Cache-Control"), ==, "no-store, no-cache");
  object = root_object (tokens);
  g_assert_cmpstr (json_object_get_string_member (object, "token_type"), ==, "Bearer");
  g_assert_cmpstr (json_object_get_string_member (object, "scope"), ==, "User.Read profile openid");
  g_assert_cmpint (json_object_get_int_member (object, "expires_in"), ==, 3599);
  g_assert_cmpint (json_object_get_int_member (object, "ext_expires_in"), ==, 3599);
  g_assert_nonnull (json_object_get_string_member (object, "access_token"));
  g_assert_nonnull (json_object_get_string_member (object, "refresh_token"));

  claims = jwt_claims (json_object_get_string_member (object, "id_token"));
  issuer = g_strdup_printf ("%s/%s/v2.0", muster_fake_tenant_get_base_url (tenant),
                            muster_fake_tenant_get_tenant_id (tenant));
  g_assert_cmpstr (json_object_get_string_member (claims, "tid"), ==, muster_fake_tenant_get_tenant_id (tenant));
  g_assert_cmpstr (json_object_get_string_member (claims, "aud"), ==, CLI_CLIENT_ID);
  g_assert_cmpstr (json_object_get_string_member (claims, "iss"), ==, issuer);
  g_assert_cmpstr (json_object_get_string_member (claims, "ver"), ==, "2.0");
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (claims, "oid")));
  g_assert_nonnull (json_object_get_string_member (claims, "name"));
  g_assert_nonnull (strchr (json_object_get_string_member (claims, "preferred_username"), '@'));
  g_assert_cmpint (json_object_get_int_member (claims, "exp"), >, json_object_get_int_member (claims, "iat"));
  g_assert_true (json_object_has_member (claims, "nbf"));
  /* the page named who signs in: the directory's administrator */
  g_assert_nonnull (strstr (html, json_object_get_string_member (claims, "preferred_username")));

  me = whoami (tenant, json_object_get_string_member (object, "access_token"));
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_cmpstr (fake_response_get_string (me, "userId"), ==, json_object_get_string_member (claims, "oid"));
  g_assert_cmpstr (fake_response_get_string (me, "clientId"), ==, CLI_CLIENT_ID);
  g_assert_true (json_array_has_string (json_object_get_array_member (root_object (me), "scopes"), "User.Read"));
  g_assert_false (json_object_get_boolean_member (root_object (me), "appOnly"));

  stats = fake_test_request (tenant, "GET", "/_fake/identity/stats", NULL, NULL, NULL);
  g_assert_cmpint (json_object_get_int_member (root_object (stats), "codesIssued"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (root_object (stats), "codesRedeemed"), ==, 1);
}

static void
test_pkce_wrong_verifier (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *other_verifier = NULL;
  g_autofree char *other_challenge = NULL;
  g_autofree char *code = NULL;
  g_autoptr(FakeResponse) wrong = NULL;
  g_autoptr(FakeResponse) right = NULL;

  fake_test_make_pkce (&verifier, &challenge);
  fake_test_make_pkce (&other_verifier, &other_challenge);
  code = sign_in (tenant, "openid offline_access User.Read", challenge);
  wrong = redeem (tenant, code, other_verifier, REDIRECT);
  assert_sts_error (wrong, 400, "invalid_grant", 501481);
  /* the right verifier still works */
  right = redeem (tenant, code, verifier, REDIRECT);
  g_assert_cmpuint (right->status, ==, 200);
}

static void
test_code_reuse (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *code = NULL;
  g_autoptr(FakeResponse) first = NULL;
  g_autoptr(FakeResponse) second = NULL;

  fake_test_make_pkce (&verifier, &challenge);
  code = sign_in (tenant, "User.Read", challenge);
  first = redeem (tenant, code, verifier, REDIRECT);
  g_assert_cmpuint (first->status, ==, 200);
  second = redeem (tenant, code, verifier, REDIRECT);
  assert_sts_error (second, 400, "invalid_grant", 54005);
}

static void
test_code_expired (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *code = NULL;
  g_autoptr(FakeResponse) r = NULL;

  fake_test_make_pkce (&verifier, &challenge);
  code = sign_in (tenant, "User.Read", challenge);
  control (tenant, "/_fake/identity/advance-clock", "{\"seconds\":601}");
  r = redeem (tenant, code, verifier, REDIRECT);
  assert_sts_error (r, 400, "invalid_grant", 70008);
}

static void
test_code_redirect_mismatch (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *code = NULL;
  g_autoptr(FakeResponse) r = NULL;

  fake_test_make_pkce (&verifier, &challenge);
  code = sign_in (tenant, "User.Read", challenge);
  r = redeem (tenant, code, verifier, "http://localhost:53125");
  assert_sts_error (r, 400, "invalid_grant", 50011);
}

static void
test_public_client_with_secret (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *code = NULL;
  g_autofree char *body = NULL;
  g_autofree char *e_code = NULL;
  g_autoptr(FakeResponse) r = NULL;

  fake_test_make_pkce (&verifier, &challenge);
  code = sign_in (tenant, "User.Read", challenge);
  e_code = escape (code);
  body = g_strdup_printf ("client_id=" CLI_CLIENT_ID "&grant_type=authorization_code&code=%s"
                          "&redirect_uri=http%%3A%%2F%%2Flocalhost%%3A53124&code_verifier=%s"
                          "&client_secret=s3cret", e_code, verifier);
  r = post_form (tenant, "/organizations/oauth2/v2.0/token", body);
  assert_sts_error (r, 401, "invalid_client", 700025);
}

static void
test_token_requires_form (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) r = NULL;

  r = post_json (tenant, "/organizations/oauth2/v2.0/token",
                 "{\"grant_type\":\"client_credentials\",\"client_id\":\"" CLI_CLIENT_ID "\"}");
  assert_sts_error (r, 400, "invalid_request", 900144);
}

/* ---- the authorize page ------------------------------------------------------------------- */

static void
test_authorize_redirect_mismatch (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) other_path = NULL;
  g_autoptr(FakeResponse) other_host = NULL;
  g_autoptr(FakeResponse) upper_case = NULL;
  g_autoptr(FakeResponse) other_port = NULL;

  /* the path is significant */
  other_path = get_authorize (tenant, "organizations", CLI_CLIENT_ID, "http://localhost:53124/callback",
                              "User.Read", NULL, NULL);
  assert_page_error (other_path, "AADSTS50011");
  /* http only for loopback */
  other_host = get_authorize (tenant, "organizations", CLI_CLIENT_ID, "http://evil.example",
                              "User.Read", NULL, NULL);
  assert_page_error (other_host, "AADSTS50011");
  upper_case = get_authorize (tenant, "organizations", CLI_CLIENT_ID, "http://localhost/CALLBACK",
                              "User.Read", NULL, NULL);
  assert_page_error (upper_case, "AADSTS50011");
  /* the port is not */
  other_port = get_authorize (tenant, "organizations", CLI_CLIENT_ID, "http://localhost:1",
                              "User.Read", NULL, NULL);
  g_assert_cmpuint (other_port->status, ==, 200);
}

static void
test_authorize_cancel (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) page = NULL;
  g_autoptr(FakeResponse) redirect = NULL;
  g_autoptr(FakeResponse) again = NULL;
  g_autoptr(GHashTable) params = NULL;

  page = get_authorize (tenant, "organizations", CLI_CLIENT_ID, REDIRECT, "User.Read", NULL, NULL);
  redirect = press (tenant, page, "cancel");
  params = location_params (redirect);
  g_assert_cmpstr (g_hash_table_lookup (params, "error"), ==, "access_denied");
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "st4te-42");
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (params, "error_description"), "AADSTS65004: "));
  g_assert_null (g_hash_table_lookup (params, "code"));

  /* the page's transaction is single use */
  again = press (tenant, page, "accept");
  assert_page_error (again, "AADSTS50089");
}

static void
test_authorize_prompt_none (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) r = NULL;
  g_autoptr(GHashTable) params = NULL;

  r = get_authorize (tenant, "organizations", CLI_CLIENT_ID, REDIRECT, "User.Read", NULL, "prompt=none");
  params = location_params (r);
  g_assert_cmpstr (g_hash_table_lookup (params, "error"), ==, "login_required");
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "st4te-42");
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (params, "error_description"), "AADSTS50058: "));
}

static void
test_authorize_bad_requests (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) unknown_app = NULL;
  g_autoptr(FakeResponse) token_type = NULL;
  g_autoptr(FakeResponse) bad_scope = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GHashTable) scope_params = NULL;

  unknown_app = get_authorize (tenant, "organizations", "0b5c6f44-4d7e-4a5c-9b1a-6f0f3f1c2d3e", REDIRECT,
                               "User.Read", NULL, NULL);
  assert_page_error (unknown_app, "AADSTS700016");

  token_type = fake_test_request (tenant, "GET",
                                  "/organizations/oauth2/v2.0/authorize?client_id=" CLI_CLIENT_ID
                                  "&response_type=token&redirect_uri=http%3A%2F%2Flocalhost&scope=User.Read&state=s",
                                  NULL, NULL, NULL);
  params = location_params (token_type);
  g_assert_cmpstr (g_hash_table_lookup (params, "error"), ==, "unsupported_response_type");
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "s");

  bad_scope = get_authorize (tenant, "organizations", CLI_CLIENT_ID, REDIRECT, "User.Fly", NULL, NULL);
  scope_params = location_params (bad_scope);
  g_assert_cmpstr (g_hash_table_lookup (scope_params, "error"), ==, "invalid_scope");
}

/* ---- who signs in ------------------------------------------------------------------------- */

/* A user of the tenant the tests start (demo dataset, seed 42: the same directory again). */
static char *
find_user_upn (gboolean enabled)
{
  MusterFakeOptions options;
  MusterFakeDirectory *directory;
  char *upn = NULL;

  muster_fake_options_init (&options);
  directory = muster_fake_directory_new_demo (options.seed);
  for (guint i = 0; i < directory->users->len && upn == NULL; i++)
    {
      MusterFakeUser *user = g_ptr_array_index (directory->users, i);

      if (!user->deleted && g_strcmp0 (user->user_type, "Member") == 0 &&
          g_strcmp0 (user->id, directory->admin_id) != 0 && user->account_enabled == enabled)
        upn = g_strdup (user->user_principal_name);
    }
  muster_fake_directory_free (directory);
  return upn;
}

static void
test_login_hint_member (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *upn = find_user_upn (TRUE);
  g_autofree char *e_upn = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *html = NULL;
  g_autofree char *admin_html = NULL;
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autoptr(FakeResponse) page = NULL;
  g_autoptr(FakeResponse) admin_page = NULL;
  g_autoptr(FakeResponse) redirect = NULL;
  g_autoptr(FakeResponse) tokens = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(JsonObject) claims = NULL;

  g_assert_nonnull (upn);
  e_upn = escape (upn);
  hint = g_strdup_printf ("login_hint=%s", e_upn);
  fake_test_make_pkce (&verifier, &challenge);
  page = get_authorize (tenant, "organizations", CLI_CLIENT_ID, REDIRECT, "openid profile User.Read",
                        challenge, hint);
  g_assert_cmpuint (page->status, ==, 200);
  html = body_text (page);
  g_assert_nonnull (strstr (html, upn));

  redirect = press (tenant, page, "accept");
  params = location_params (redirect);
  tokens = redeem (tenant, g_hash_table_lookup (params, "code"), verifier, REDIRECT);
  g_assert_cmpuint (tokens->status, ==, 200);
  claims = jwt_claims (fake_response_get_string (tokens, "id_token"));
  g_assert_cmpstr (json_object_get_string_member (claims, "preferred_username"), ==, upn);

  /* a member who is no administrator cannot grant admin-only permissions */
  admin_page = get_authorize (tenant, "organizations", CLI_CLIENT_ID, REDIRECT, "User.Read.All", NULL, hint);
  g_assert_cmpuint (admin_page->status, ==, 200);
  admin_html = body_text (admin_page);
  g_assert_nonnull (strstr (admin_html, "AADSTS90094"));
  g_assert_null (strstr (admin_html, "value=\"accept\""));
}

static void
test_login_hint_disabled (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *upn = find_user_upn (FALSE);
  g_autofree char *e_upn = NULL;
  g_autofree char *hint = NULL;
  g_autoptr(FakeResponse) page = NULL;

  if (upn == NULL)
    {
      g_test_skip ("the demo directory has no disabled member");
      return;
    }
  e_upn = escape (upn);
  hint = g_strdup_printf ("login_hint=%s", e_upn);
  page = get_authorize (tenant, "organizations", CLI_CLIENT_ID, REDIRECT, "User.Read", NULL, hint);
  assert_page_error (page, "AADSTS50057");
}

/* ---- tenants ------------------------------------------------------------------------------ */

static void
test_tenant_unknown (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) token = NULL;
  g_autoptr(FakeResponse) page = NULL;
  g_autoptr(FakeResponse) by_domain = NULL;
  g_autoptr(FakeResponse) by_guid = NULL;
  g_autofree char *domain_path = g_strdup_printf ("/%s/oauth2/v2.0/devicecode", muster_fake_tenant_get_domain (tenant));
  g_autofree char *guid_path = g_strdup_printf ("/%s/oauth2/v2.0/devicecode", muster_fake_tenant_get_tenant_id (tenant));

  token = post_form (tenant, "/nosuchtenant.example/oauth2/v2.0/token",
                     "client_id=" CLI_CLIENT_ID "&grant_type=refresh_token&refresh_token=x");
  assert_sts_error (token, 400, "invalid_request", 90002);
  page = get_authorize (tenant, "nosuchtenant.example", CLI_CLIENT_ID, REDIRECT, "User.Read", NULL, NULL);
  assert_page_error (page, "AADSTS90002");

  /* the verified domain and the GUID both name the tenant */
  by_domain = post_form (tenant, domain_path, "client_id=" CLI_CLIENT_ID "&scope=User.Read");
  g_assert_cmpuint (by_domain->status, ==, 200);
  by_guid = post_form (tenant, guid_path, "client_id=" CLI_CLIENT_ID "&scope=User.Read");
  g_assert_cmpuint (by_guid->status, ==, 200);
}

static void
test_tenant_single_tenant_app_on_common (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) page = NULL;

  control (tenant, "/_fake/identity/apps",
           "{\"clientId\":\"" APP_CLIENT_ID "\",\"displayName\":\"Contoso Sync\",\"publicClient\":true}");
  page = get_authorize (tenant, "common", APP_CLIENT_ID, REDIRECT, "User.Read", NULL, NULL);
  assert_page_error (page, "AADSTS50194");
}

/* ---- refresh tokens ----------------------------------------------------------------------- */

static void
test_refresh_rotation (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) tokens = sign_in_tokens (tenant, "openid profile offline_access User.Read");
  g_autofree char *rt1 = g_strdup (fake_response_get_string (tokens, "refresh_token"));
  g_autoptr(FakeResponse) second = NULL;
  g_autoptr(FakeResponse) third = NULL;
  g_autoptr(FakeResponse) fourth = NULL;
  g_autoptr(FakeResponse) me = NULL;
  const char *rt2;

  second = refresh (tenant, rt1, "openid profile offline_access User.Read");
  g_assert_cmpuint (second->status, ==, 200);
  rt2 = fake_response_get_string (second, "refresh_token");
  g_assert_nonnull (rt2);
  g_assert_cmpstr (rt2, !=, rt1);
  g_assert_cmpstr (fake_response_get_string (second, "access_token"), !=,
                   fake_response_get_string (tokens, "access_token"));
  g_assert_nonnull (fake_response_get_string (second, "id_token"));
  me = whoami (tenant, fake_response_get_string (second, "access_token"));
  g_assert_cmpuint (me->status, ==, 200);

  /* the old refresh token is not revoked (learn.microsoft.com/entra/identity-platform/refresh-tokens)
   * and the new one works */
  third = refresh (tenant, rt1, NULL);
  g_assert_cmpuint (third->status, ==, 200);
  fourth = refresh (tenant, rt2, "User.Read");
  g_assert_cmpuint (fourth->status, ==, 200);
  /* no openid asked: no id_token */
  g_assert_null (fake_response_get_string (fourth, "id_token"));
}

static void
test_refresh_needs_offline_access (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) with_openid = sign_in_tokens (tenant, "openid profile User.Read");
  g_autoptr(FakeResponse) bare = sign_in_tokens (tenant, "User.Read");

  g_assert_nonnull (fake_response_get_string (with_openid, "access_token"));
  g_assert_false (json_object_has_member (root_object (with_openid), "refresh_token"));
  g_assert_nonnull (fake_response_get_string (with_openid, "id_token"));
  g_assert_false (json_object_has_member (root_object (bare), "refresh_token"));
  g_assert_false (json_object_has_member (root_object (bare), "id_token"));
}

static void
test_refresh_inactive (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) tokens = sign_in_tokens (tenant, "offline_access User.Read");
  g_autoptr(FakeResponse) r = NULL;

  control (tenant, "/_fake/identity/refresh-inactive", "{\"days\":91}");
  r = refresh (tenant, fake_response_get_string (tokens, "refresh_token"), NULL);
  assert_sts_error (r, 400, "invalid_grant", 700082);
}

static void
test_refresh_unconsented_scope (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) tokens = sign_in_tokens (tenant, "offline_access User.Read");
  g_autoptr(FakeResponse) r = NULL;

  r = refresh (tenant, fake_response_get_string (tokens, "refresh_token"), "Group.Read.All offline_access");
  assert_sts_error (r, 400, "invalid_grant", 65001);
  g_assert_cmpstr (fake_response_get_string (r, "suberror"), ==, "consent_required");
}

static void
test_refresh_mfa_required (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) before = sign_in_tokens (tenant, "offline_access User.Read");
  g_autoptr(FakeResponse) r = NULL;
  g_autoptr(FakeResponse) after = NULL;
  g_autoptr(FakeResponse) refreshed = NULL;
  g_autoptr(FakeResponse) stale_code = NULL;
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *code = NULL;

  fake_test_make_pkce (&verifier, &challenge);
  code = sign_in (tenant, "User.Read", challenge);
  control (tenant, "/_fake/identity/require-mfa", "{\"on\":true}");
  /* a code from a sign-in made before MFA was required fails the same way */
  stale_code = redeem (tenant, code, verifier, REDIRECT);
  assert_sts_error (stale_code, 400, "invalid_grant", 50076);
  r = refresh (tenant, fake_response_get_string (before, "refresh_token"), NULL);
  assert_sts_error (r, 400, "invalid_grant", 50076);
  g_assert_cmpstr (fake_response_get_string (r, "suberror"), ==, "basic_action");
  g_assert_nonnull (fake_response_get_string (r, "claims"));

  /* a new interactive sign-in satisfies it */
  after = sign_in_tokens (tenant, "offline_access User.Read");
  refreshed = refresh (tenant, fake_response_get_string (after, "refresh_token"), NULL);
  g_assert_cmpuint (refreshed->status, ==, 200);
}

/* ---- consent ------------------------------------------------------------------------------ */

static void
test_consent_grants_scopes (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) tokens = sign_in_tokens (tenant, "offline_access User.Read.All GroupMember.Read.All");
  g_autoptr(FakeResponse) me = NULL;
  g_autoptr(FakeResponse) refreshed = NULL;
  JsonArray *scopes;

  g_assert_cmpstr (fake_response_get_string (tokens, "scope"), ==, "User.Read.All GroupMember.Read.All");
  me = whoami (tenant, fake_response_get_string (tokens, "access_token"));
  scopes = json_object_get_array_member (root_object (me), "scopes");
  g_assert_true (json_array_has_string (scopes, "User.Read.All"));
  g_assert_true (json_array_has_string (scopes, "GroupMember.Read.All"));
  g_assert_false (json_array_has_string (scopes, "User.Read"));

  /* the consent is tenant-wide: a refresh may now ask for any consented scope */
  refreshed = refresh (tenant, fake_response_get_string (tokens, "refresh_token"), "User.Read offline_access");
  g_assert_cmpuint (refreshed->status, ==, 200);
  g_assert_cmpstr (fake_response_get_string (refreshed, "scope"), ==, "User.Read");
}

static void
test_admin_consent (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) page = NULL;
  g_autoptr(FakeResponse) redirect = NULL;
  g_autoptr(FakeResponse) apps = NULL;
  g_autoptr(FakeResponse) page2 = NULL;
  g_autoptr(FakeResponse) cancel = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GHashTable) cancel_params = NULL;
  g_autofree char *path = NULL;
  g_autofree char *html = NULL;
  JsonArray *value;
  gboolean found = FALSE;

  control (tenant, "/_fake/identity/apps",
           "{\"clientId\":\"" APP_CLIENT_ID "\",\"displayName\":\"Contoso Sync\",\"secret\":\"s3cret\","
           "\"redirectUris\":[\"https://app.example/permissions\"]}");
  path = g_strdup_printf ("/%s/v2.0/adminconsent?client_id=" APP_CLIENT_ID
                          "&redirect_uri=https%%3A%%2F%%2Fapp.example%%2Fpermissions&state=12345"
                          "&scope=https%%3A%%2F%%2Fgraph.microsoft.com%%2FUser.Read.All",
                          muster_fake_tenant_get_tenant_id (tenant));
  page = fake_test_request (tenant, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint (page->status, ==, 200);
  html = body_text (page);
  g_assert_nonnull (strstr (html, "Contoso Sync"));
  g_assert_nonnull (strstr (html, "User.Read.All"));

  redirect = press (tenant, page, "accept");
  g_assert_true (g_str_has_prefix (soup_message_headers_get_one (redirect->headers, "Location"),
                                   "https://app.example/permissions?admin_consent=True"));
  params = location_params (redirect);
  g_assert_cmpstr (g_hash_table_lookup (params, "admin_consent"), ==, "True");
  g_assert_cmpstr (g_hash_table_lookup (params, "tenant"), ==, muster_fake_tenant_get_tenant_id (tenant));
  g_assert_cmpstr (g_hash_table_lookup (params, "scope"), ==, "https://graph.microsoft.com/User.Read.All");
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "12345");

  apps = fake_test_request (tenant, "GET", "/_fake/identity/apps", NULL, NULL, NULL);
  value = json_object_get_array_member (root_object (apps), "value");
  for (guint i = 0; i < json_array_get_length (value); i++)
    {
      JsonObject *app = json_array_get_object_element (value, i);

      if (g_str_equal (json_object_get_string_member (app, "clientId"), APP_CLIENT_ID))
        {
          found = TRUE;
          g_assert_true (json_array_has_string (json_object_get_array_member (app, "consentedScopes"),
                                                "User.Read.All"));
        }
    }
  g_assert_true (found);

  /* Cancel: learn.microsoft.com/entra/identity-platform/v2-admin-consent's error response */
  page2 = fake_test_request (tenant, "GET", path, NULL, NULL, NULL);
  cancel = press (tenant, page2, "cancel");
  cancel_params = location_params (cancel);
  g_assert_cmpstr (g_hash_table_lookup (cancel_params, "admin_consent"), ==, "True");
  g_assert_cmpstr (g_hash_table_lookup (cancel_params, "error"), ==, "consent_required");
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (cancel_params, "error_description"), "AADSTS65004: "));
  g_assert_cmpstr (g_hash_table_lookup (cancel_params, "state"), ==, "12345");
}

/* ---- device code -------------------------------------------------------------------------- */

static FakeResponse *
poll_device (MusterFakeTenant *tenant,
             const char       *device_code)
{
  g_autofree char *e_code = escape (device_code);
  g_autofree char *body = g_strdup_printf ("grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Adevice_code"
                                           "&client_id=" CLI_CLIENT_ID "&device_code=%s", e_code);

  return post_form (tenant, "/organizations/oauth2/v2.0/token", body);
}

static FakeResponse *
start_device_flow (MusterFakeTenant *tenant)
{
  FakeResponse *r = post_form (tenant, "/organizations/oauth2/v2.0/devicecode",
                               "client_id=" CLI_CLIENT_ID "&scope=openid%20offline_access%20User.Read");

  g_assert_cmpuint (r->status, ==, 200);
  return r;
}

/* Types the code on /devicelogin and presses @action on the page that follows. */
static void
device_login (MusterFakeTenant *tenant,
              const char       *user_code,
              const char       *action)
{
  g_autoptr(FakeResponse) entry = fake_test_request (tenant, "GET", "/devicelogin", NULL, NULL, NULL);
  g_autoptr(FakeResponse) consent = NULL;
  g_autoptr(FakeResponse) done = NULL;
  g_autofree char *entry_html = body_text (entry);
  g_autofree char *typed = g_ascii_strdown (user_code, -1);
  g_autofree char *body = g_strdup_printf ("otc=%s", typed);
  g_autofree char *done_html = NULL;

  g_assert_cmpuint (entry->status, ==, 200);
  g_assert_nonnull (strstr (entry_html, "name=\"otc\""));
  /* people type codes in lower case too */
  consent = post_form (tenant, "/devicelogin", body);
  g_assert_cmpuint (consent->status, ==, 200);
  done = press (tenant, consent, action);
  g_assert_cmpuint (done->status, ==, 200);
  done_html = body_text (done);
  g_assert_nonnull (strstr (done_html, g_str_equal (action, "accept") ? "You have signed in" : "declined"));
}

static void
test_device_flow (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) start = start_device_flow (tenant);
  g_autoptr(FakeResponse) pending = NULL;
  g_autoptr(FakeResponse) too_fast = NULL;
  g_autoptr(FakeResponse) tokens = NULL;
  g_autoptr(FakeResponse) me = NULL;
  g_autoptr(FakeResponse) again = NULL;
  g_autoptr(FakeResponse) wrong_code = NULL;
  g_autofree char *verification_uri = g_strconcat (muster_fake_tenant_get_base_url (tenant), "/devicelogin", NULL);
  JsonObject *object = root_object (start);
  const char *user_code = json_object_get_string_member (object, "user_code");
  const char *device_code = json_object_get_string_member (object, "device_code");

  g_assert_cmpuint (strlen (user_code), ==, 9);
  g_assert_cmpstr (json_object_get_string_member (object, "verification_uri"), ==, verification_uri);
  g_assert_cmpint (json_object_get_int_member (object, "expires_in"), ==, 900);
  g_assert_cmpint (json_object_get_int_member (object, "interval"), ==, 5);
  g_assert_nonnull (strstr (json_object_get_string_member (object, "message"), user_code));

  pending = poll_device (tenant, device_code);
  assert_sts_error (pending, 400, "authorization_pending", 70016);
  too_fast = poll_device (tenant, device_code);
  g_assert_cmpuint (too_fast->status, ==, 400);
  g_assert_cmpstr (fake_response_get_string (too_fast, "error"), ==, "slow_down");

  wrong_code = post_form (tenant, "/devicelogin", "otc=ZZZZZZZZZ");
  {
    g_autofree char *html = body_text (wrong_code);

    g_assert_cmpuint (wrong_code->status, ==, 400);
    g_assert_nonnull (strstr (html, "AADSTS70018"));
  }

  device_login (tenant, user_code, "accept");
  control (tenant, "/_fake/identity/advance-clock", "{\"seconds\":60}");
  tokens = poll_device (tenant, device_code);
  g_assert_cmpuint (tokens->status, ==, 200);
  g_assert_nonnull (fake_response_get_string (tokens, "refresh_token"));
  g_assert_nonnull (fake_response_get_string (tokens, "id_token"));
  me = whoami (tenant, fake_response_get_string (tokens, "access_token"));
  g_assert_cmpuint (me->status, ==, 200);

  control (tenant, "/_fake/identity/advance-clock", "{\"seconds\":60}");
  again = poll_device (tenant, device_code);
  assert_sts_error (again, 400, "invalid_grant", 70000);
}

static void
test_device_declined (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) start = NULL;
  g_autoptr(FakeResponse) r = NULL;

  control (tenant, "/_fake/identity/device", "{\"interval\":0}");
  start = start_device_flow (tenant);
  g_assert_cmpint (json_object_get_int_member (root_object (start), "interval"), ==, 0);
  device_login (tenant, fake_response_get_string (start, "user_code"), "cancel");
  r = poll_device (tenant, fake_response_get_string (start, "device_code"));
  assert_sts_error (r, 400, "authorization_declined", 65004);
}

static void
test_device_bad_and_expired (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) start = start_device_flow (tenant);
  g_autoptr(FakeResponse) bad = NULL;
  g_autoptr(FakeResponse) expired = NULL;

  bad = poll_device (tenant, "not-a-device-code");
  assert_sts_error (bad, 400, "bad_verification_code", 70018);
  control (tenant, "/_fake/identity/advance-clock", "{\"seconds\":901}");
  expired = poll_device (tenant, fake_response_get_string (start, "device_code"));
  assert_sts_error (expired, 400, "expired_token", 70019);
}

/* ---- client credentials ------------------------------------------------------------------- */

static char *
token_path (MusterFakeTenant *tenant)
{
  return g_strdup_printf ("/%s/oauth2/v2.0/token", muster_fake_tenant_get_tenant_id (tenant));
}

static void
test_client_secret (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autofree char *path = token_path (tenant);
  g_autoptr(FakeResponse) right = NULL;
  g_autoptr(FakeResponse) wrong = NULL;
  g_autoptr(FakeResponse) missing = NULL;
  g_autoptr(FakeResponse) me = NULL;
  g_autoptr(FakeResponse) common = NULL;
  g_autoptr(FakeResponse) not_default = NULL;
  g_autoptr(FakeResponse) basic = NULL;
  g_autofree char *basic_value = NULL;
  g_autofree char *basic_escaped = g_strdup (APP_CLIENT_ID ":s3cret%2B%25%2F");
  JsonArray *scopes;

  control (tenant, "/_fake/identity/apps",
           "{\"clientId\":\"" APP_CLIENT_ID "\",\"displayName\":\"Contoso Sync\",\"secret\":\"s3cret+%/\","
           "\"multiTenant\":true,\"roles\":[\"User.Read.All\",\"GroupMember.Read.All\",\"Organization.Read.All\"]}");

  right = post_form (tenant, path, "client_id=" APP_CLIENT_ID "&grant_type=client_credentials"
                                   "&client_secret=s3cret%2B%25%2F&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default");
  g_assert_cmpuint (right->status, ==, 200);
  g_assert_cmpstr (fake_response_get_string (right, "token_type"), ==, "Bearer");
  g_assert_nonnull (fake_response_get_string (right, "access_token"));
  g_assert_false (json_object_has_member (root_object (right), "refresh_token"));
  g_assert_false (json_object_has_member (root_object (right), "id_token"));
  me = whoami (tenant, fake_response_get_string (right, "access_token"));
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (root_object (me), "appOnly"));
  g_assert_true (json_object_get_null_member (root_object (me), "userId"));
  scopes = json_object_get_array_member (root_object (me), "scopes");
  g_assert_true (json_array_has_string (scopes, "User.Read.All"));
  g_assert_true (json_array_has_string (scopes, "Organization.Read.All"));

  wrong = post_form (tenant, path, "client_id=" APP_CLIENT_ID "&grant_type=client_credentials"
                                   "&client_secret=nope&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default");
  assert_sts_error (wrong, 401, "invalid_client", 7000215);
  missing = post_form (tenant, path, "client_id=" APP_CLIENT_ID "&grant_type=client_credentials"
                                     "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default");
  assert_sts_error (missing, 401, "invalid_client", 7000218);
  common = post_form (tenant, "/common/oauth2/v2.0/token",
                      "client_id=" APP_CLIENT_ID "&grant_type=client_credentials"
                      "&client_secret=s3cret%2B%25%2F&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default");
  assert_sts_error (common, 400, "invalid_request", 9001023);
  not_default = post_form (tenant, path, "client_id=" APP_CLIENT_ID "&grant_type=client_credentials"
                                         "&client_secret=s3cret%2B%25%2F&scope=User.Read.All");
  assert_sts_error (not_default, 400, "invalid_scope", 1002012);

  /* RFC 6749 §2.3.1: HTTP Basic with form-encoded id and secret */
  {
    g_autofree char *b64 = g_base64_encode ((const guchar *) basic_escaped, strlen (basic_escaped));
    const char *headers[] = { "Authorization", NULL, NULL };

    basic_value = g_strconcat ("Basic ", b64, NULL);
    headers[1] = basic_value;
    basic = fake_test_request (tenant, "POST", path, headers, FORM_TYPE,
                               "grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default");
    g_assert_cmpuint (basic->status, ==, 200);
  }
}

typedef struct
{
  gnutls_x509_privkey_t key;
  gnutls_privkey_t      signer;
  char                 *cert_pem;
  char                 *x5t;
  char                 *x5t_s256;
} TestCert;

static void
test_cert_init (TestCert *cert)
{
  gnutls_x509_crt_t crt;
  gnutls_datum_t pem = { NULL, 0 }, der = { NULL, 0 };
  guchar digest[32];
  time_t now = time (NULL);
  guchar serial[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

  g_assert_cmpint (gnutls_x509_privkey_init (&cert->key), >=, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (cert->key, GNUTLS_PK_RSA, 2048, 0), >=, 0);
  g_assert_cmpint (gnutls_privkey_init (&cert->signer), >=, 0);
  g_assert_cmpint (gnutls_privkey_import_x509 (cert->signer, cert->key, 0), >=, 0);

  g_assert_cmpint (gnutls_x509_crt_init (&crt), >=, 0);
  gnutls_x509_crt_set_version (crt, 3);
  gnutls_x509_crt_set_serial (crt, serial, sizeof serial);
  gnutls_x509_crt_set_activation_time (crt, now - 3600);
  gnutls_x509_crt_set_expiration_time (crt, now + 86400);
  g_assert_cmpint (gnutls_x509_crt_set_dn (crt, "CN=Contoso Sync", NULL), >=, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key (crt, cert->key), >=, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, cert->key, GNUTLS_DIG_SHA256, 0), >=, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &pem), >=, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &der), >=, 0);
  cert->cert_pem = g_strndup ((const char *) pem.data, pem.size);
  gnutls_hash_fast (GNUTLS_DIG_SHA1, der.data, der.size, digest);
  cert->x5t = fake_test_base64url (digest, 20);
  gnutls_hash_fast (GNUTLS_DIG_SHA256, der.data, der.size, digest);
  cert->x5t_s256 = fake_test_base64url (digest, 32);
  gnutls_free (pem.data);
  gnutls_free (der.data);
  gnutls_x509_crt_deinit (crt);
}

static void
test_cert_clear (TestCert *cert)
{
  gnutls_privkey_deinit (cert->signer);
  gnutls_x509_privkey_deinit (cert->key);
  g_free (cert->cert_pem);
  g_free (cert->x5t);
  g_free (cert->x5t_s256);
}

/* A client assertion per learn.microsoft.com/entra/identity-platform/certificate-credentials,
 * signed by @signer. */
static char *
make_assertion (gnutls_privkey_t  signer,
                gboolean          pss,
                const char       *thumbprint_member,
                const char       *thumbprint,
                const char       *aud,
                gint64            exp_offset)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *jti = g_uuid_string_random ();
  g_autofree char *header = g_strdup_printf ("{\"alg\":\"%s\",\"typ\":\"JWT\",\"%s\":\"%s\"}",
                                             pss ? "PS256" : "RS256", thumbprint_member, thumbprint);
  g_autofree char *claims = g_strdup_printf ("{\"aud\":\"%s\",\"iss\":\"" APP_CLIENT_ID "\",\"sub\":\""
                                             APP_CLIENT_ID "\",\"jti\":\"%s\",\"nbf\":%" G_GINT64_FORMAT
                                             ",\"iat\":%" G_GINT64_FORMAT ",\"exp\":%" G_GINT64_FORMAT "}",
                                             aud, jti, now, now, now + exp_offset);
  g_autofree char *h64 = fake_test_base64url ((const guchar *) header, strlen (header));
  g_autofree char *c64 = fake_test_base64url ((const guchar *) claims, strlen (claims));
  g_autofree char *input = g_strconcat (h64, ".", c64, NULL);
  g_autofree char *s64 = NULL;
  gnutls_datum_t data = { (unsigned char *) input, strlen (input) }, sig = { NULL, 0 };

  g_assert_cmpint (gnutls_privkey_sign_data2 (signer, pss ? GNUTLS_SIGN_RSA_PSS_RSAE_SHA256 : GNUTLS_SIGN_RSA_SHA256,
                                              0, &data, &sig), >=, 0);
  s64 = fake_test_base64url (sig.data, sig.size);
  gnutls_free (sig.data);
  return g_strconcat (input, ".", s64, NULL);
}

static FakeResponse *
post_assertion (MusterFakeTenant *tenant,
                const char       *assertion)
{
  g_autofree char *path = token_path (tenant);
  g_autofree char *body = g_strdup_printf ("client_id=" APP_CLIENT_ID "&grant_type=client_credentials"
                                           "&scope=https%%3A%%2F%%2Fgraph.microsoft.com%%2F.default"
                                           "&client_assertion_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3A"
                                           "client-assertion-type%%3Ajwt-bearer&client_assertion=%s", assertion);

  return post_form (tenant, path, body);
}

static void
test_client_certificate (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  TestCert cert = { 0 }, other = { 0 };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *registration = NULL;
  g_autofree char *aud = g_strdup_printf ("%s/%s/oauth2/v2.0/token", muster_fake_tenant_get_base_url (tenant),
                                          muster_fake_tenant_get_tenant_id (tenant));
  g_autofree char *rs256 = NULL;
  g_autofree char *ps256 = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *wrong_aud = NULL;
  g_autofree char *expired = NULL;
  g_autoptr(FakeResponse) ok_rs = NULL;
  g_autoptr(FakeResponse) ok_ps = NULL;
  g_autoptr(FakeResponse) replay = NULL;
  g_autoptr(FakeResponse) bad_sig = NULL;
  g_autoptr(FakeResponse) bad_key = NULL;
  g_autoptr(FakeResponse) bad_aud = NULL;
  g_autoptr(FakeResponse) bad_exp = NULL;
  g_autoptr(FakeResponse) reg = NULL;

  test_cert_init (&cert);
  test_cert_init (&other);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "clientId");
  json_builder_add_string_value (builder, APP_CLIENT_ID);
  json_builder_set_member_name (builder, "displayName");
  json_builder_add_string_value (builder, "Contoso Sync");
  json_builder_set_member_name (builder, "certificatePem");
  json_builder_add_string_value (builder, cert.cert_pem);
  json_builder_set_member_name (builder, "roles");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "User.Read.All");
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  registration = json_generator_to_data (generator, NULL);
  reg = post_json (tenant, "/_fake/identity/apps", registration);
  g_assert_cmpuint (reg->status, ==, 204);

  /* MSAL's older form (RS256 + x5t) and the 2025 one (PS256 + x5t#S256) */
  rs256 = make_assertion (cert.signer, FALSE, "x5t", cert.x5t, aud, 600);
  ok_rs = post_assertion (tenant, rs256);
  g_assert_cmpuint (ok_rs->status, ==, 200);
  g_assert_nonnull (fake_response_get_string (ok_rs, "access_token"));
  ps256 = make_assertion (cert.signer, TRUE, "x5t#S256", cert.x5t_s256, aud, 600);
  ok_ps = post_assertion (tenant, ps256);
  g_assert_cmpuint (ok_ps->status, ==, 200);

  /* the same jti twice */
  replay = post_assertion (tenant, rs256);
  assert_sts_error (replay, 401, "invalid_client", 50027);

  /* signed by another key under the registered certificate's thumbprint */
  forged = make_assertion (other.signer, FALSE, "x5t", cert.x5t, aud, 600);
  bad_sig = post_assertion (tenant, forged);
  assert_sts_error (bad_sig, 401, "invalid_client", 700027);
  /* another certificate altogether */
  unknown = make_assertion (other.signer, TRUE, "x5t#S256", other.x5t_s256, aud, 600);
  bad_key = post_assertion (tenant, unknown);
  assert_sts_error (bad_key, 401, "invalid_client", 700027);
  /* aud must be the token endpoint */
  wrong_aud = make_assertion (cert.signer, FALSE, "x5t", cert.x5t, "https://example.com/token", 600);
  bad_aud = post_assertion (tenant, wrong_aud);
  assert_sts_error (bad_aud, 401, "invalid_client", 50027);
  /* long expired */
  expired = make_assertion (cert.signer, FALSE, "x5t", cert.x5t, aud, -3600);
  bad_exp = post_assertion (tenant, expired);
  assert_sts_error (bad_exp, 401, "invalid_client", 700024);

  test_cert_clear (&cert);
  test_cert_clear (&other);
}

/* ---- bearer tokens ------------------------------------------------------------------------ */

static void
test_bearer_expired (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) tokens = sign_in_tokens (tenant, "User.Read");
  g_autoptr(FakeResponse) before = NULL;
  g_autoptr(FakeResponse) after = NULL;
  g_autoptr(FakeResponse) empty = NULL;
  g_autoptr(FakeResponse) garbage = NULL;
  JsonObject *error;

  before = whoami (tenant, fake_response_get_string (tokens, "access_token"));
  g_assert_cmpuint (before->status, ==, 200);

  control (tenant, "/_fake/identity/expire-tokens", NULL);
  after = whoami (tenant, fake_response_get_string (tokens, "access_token"));
  g_assert_cmpuint (after->status, ==, 401);
  g_assert_cmpstr (soup_message_headers_get_one (after->headers, "WWW-Authenticate"), ==, GRAPH_WWW_AUTH);
  error = json_object_get_object_member (root_object (after), "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "InvalidAuthenticationToken");
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, "Access token has expired or is not yet valid.");
  g_assert_true (json_object_has_member (error, "innerError"));

  empty = whoami (tenant, NULL);
  g_assert_cmpuint (empty->status, ==, 401);
  g_assert_cmpstr (soup_message_headers_get_one (empty->headers, "WWW-Authenticate"), ==, GRAPH_WWW_AUTH);
  error = json_object_get_object_member (root_object (empty), "error");
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, "Access token is empty.");

  garbage = whoami (tenant, "not-a-token");
  g_assert_cmpuint (garbage->status, ==, 401);
}

static void
test_bearer_lifetime (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) tokens = NULL;
  g_autoptr(FakeResponse) fresh = NULL;
  g_autoptr(FakeResponse) stale = NULL;

  control (tenant, "/_fake/identity/token-lifetime", "{\"seconds\":120}");
  tokens = sign_in_tokens (tenant, "User.Read");
  g_assert_cmpint (json_object_get_int_member (root_object (tokens), "expires_in"), ==, 120);
  fresh = whoami (tenant, fake_response_get_string (tokens, "access_token"));
  g_assert_cmpuint (fresh->status, ==, 200);
  control (tenant, "/_fake/identity/advance-clock", "{\"seconds\":121}");
  stale = whoami (tenant, fake_response_get_string (tokens, "access_token"));
  g_assert_cmpuint (stale->status, ==, 401);
}

/* ---- discovery, response modes, sessions, control shortcuts ------------------------------- */

static gnutls_datum_t
b64url_datum (const char *text)
{
  g_autoptr(GString) std = g_string_new (text);
  gnutls_datum_t datum;
  gsize len;

  g_strdelimit (std->str, "-", '+');
  g_strdelimit (std->str, "_", '/');
  while (std->len % 4)
    g_string_append_c (std, '=');
  datum.data = g_base64_decode (std->str, &len);
  datum.size = len;
  return datum;
}

static void
test_id_token_signature (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) tokens = sign_in_tokens (tenant, "openid profile User.Read");
  g_autofree char *config_path = g_strdup_printf ("/%s/v2.0/.well-known/openid-configuration",
                                                  muster_fake_tenant_get_tenant_id (tenant));
  g_autoptr(FakeResponse) config = fake_test_request (tenant, "GET", config_path, NULL, NULL, NULL);
  g_autoptr(FakeResponse) jwks = NULL;
  g_autofree char *issuer = g_strdup_printf ("%s/%s/v2.0", muster_fake_tenant_get_base_url (tenant),
                                             muster_fake_tenant_get_tenant_id (tenant));
  g_auto(GStrv) parts = g_strsplit (fake_response_get_string (tokens, "id_token"), ".", 0);
  g_autofree char *signed_part = g_strconcat (parts[0], ".", parts[1], NULL);
  gnutls_datum_t n, e, sig, data = { (unsigned char *) signed_part, strlen (signed_part) };
  gnutls_pubkey_t key;
  JsonObject *jwk;

  g_assert_cmpuint (config->status, ==, 200);
  g_assert_cmpstr (fake_response_get_string (config, "issuer"), ==, issuer);
  g_assert_true (g_str_has_suffix (fake_response_get_string (config, "token_endpoint"), "/oauth2/v2.0/token"));
  jwks = fake_test_request (tenant, "GET", fake_response_get_string (config, "jwks_uri"), NULL, NULL, NULL);
  g_assert_cmpuint (jwks->status, ==, 200);
  jwk = json_array_get_object_element (json_object_get_array_member (root_object (jwks), "keys"), 0);

  n = b64url_datum (json_object_get_string_member (jwk, "n"));
  e = b64url_datum (json_object_get_string_member (jwk, "e"));
  sig = b64url_datum (parts[2]);
  g_assert_cmpint (gnutls_pubkey_init (&key), >=, 0);
  g_assert_cmpint (gnutls_pubkey_import_rsa_raw (key, &n, &e), >=, 0);
  g_assert_cmpint (gnutls_pubkey_verify_data2 (key, GNUTLS_SIGN_RSA_SHA256, 0, &data, &sig), >=, 0);
  /* and a tampered token does not verify */
  data.size--;
  g_assert_cmpint (gnutls_pubkey_verify_data2 (key, GNUTLS_SIGN_RSA_SHA256, 0, &data, &sig), <, 0);
  gnutls_pubkey_deinit (key);
  g_free (n.data);
  g_free (e.data);
  g_free (sig.data);
}

static void
test_authorize_fragment (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) page = get_authorize (tenant, "organizations", CLI_CLIENT_ID, "http://localhost/app",
                                                "User.Read", NULL, "response_mode=fragment");
  g_autoptr(FakeResponse) redirect = NULL;
  g_autoptr(FakeResponse) registered = NULL;
  const char *location;

  /* a path is significant: only http://localhost is registered */
  assert_page_error (page, "AADSTS50011");
  control (tenant, "/_fake/identity/apps",
           "{\"clientId\":\"" APP_CLIENT_ID "\",\"displayName\":\"Contoso Sync\",\"publicClient\":true,"
           "\"redirectUris\":[\"http://localhost/app\"]}");
  registered = get_authorize (tenant, "organizations", APP_CLIENT_ID, "http://localhost:8400/app",
                              "User.Read", NULL, "response_mode=fragment");
  g_assert_cmpuint (registered->status, ==, 200);
  redirect = press (tenant, registered, "accept");
  location = soup_message_headers_get_one (redirect->headers, "Location");
  /* with a path, no "/" is added; the answer travels in the fragment */
  g_assert_true (g_str_has_prefix (location, "http://localhost:8400/app#code="));
  g_assert_nonnull (strstr (location, "&state=st4te-42"));
}

static void
test_authorize_silent_with_session (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) page = get_authorize (tenant, "organizations", CLI_CLIENT_ID, REDIRECT,
                                                "User.Read", NULL, NULL);
  g_autoptr(FakeResponse) accepted = press (tenant, page, "accept");
  const char *set_cookie = soup_message_headers_get_one (accepted->headers, "Set-Cookie");
  g_autofree char *cookie = NULL;
  g_autofree char *path = NULL;
  const char *headers[] = { "Cookie", NULL, NULL };
  g_autoptr(FakeResponse) silent = NULL;
  g_autoptr(FakeResponse) unconsented = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GHashTable) consent_params = NULL;

  g_assert_nonnull (set_cookie);
  cookie = g_strndup (set_cookie, strcspn (set_cookie, ";"));
  headers[1] = cookie;
  path = g_strdup_printf ("/organizations/oauth2/v2.0/authorize?client_id=" CLI_CLIENT_ID
                          "&response_type=code&redirect_uri=http%%3A%%2F%%2Flocalhost%%3A53124"
                          "&scope=User.Read&state=again&prompt=none");
  silent = fake_test_request (tenant, "GET", path, headers, NULL, NULL);
  params = location_params (silent);
  g_assert_nonnull (g_hash_table_lookup (params, "code"));
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "again");

  g_free (path);
  path = g_strdup_printf ("/organizations/oauth2/v2.0/authorize?client_id=" CLI_CLIENT_ID
                          "&response_type=code&redirect_uri=http%%3A%%2F%%2Flocalhost%%3A53124"
                          "&scope=Group.Read.All&state=again&prompt=none");
  unconsented = fake_test_request (tenant, "GET", path, headers, NULL, NULL);
  consent_params = location_params (unconsented);
  g_assert_cmpstr (g_hash_table_lookup (consent_params, "error"), ==, "consent_required");
}

static void
test_control_shortcuts (void)
{
  g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
  g_autoptr(FakeResponse) accepted = NULL;
  g_autoptr(FakeResponse) cancelled = NULL;
  g_autoptr(FakeResponse) start = NULL;
  g_autoptr(FakeResponse) tokens = NULL;
  g_autoptr(FakeResponse) bad = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GHashTable) cancel_params = NULL;
  g_autofree char *approve = NULL;

  control (tenant, "/_fake/identity/auto-consent", "{\"mode\":\"accept\"}");
  accepted = get_authorize (tenant, "organizations", CLI_CLIENT_ID, REDIRECT, "User.Read", NULL, NULL);
  params = location_params (accepted);
  g_assert_nonnull (g_hash_table_lookup (params, "code"));
  control (tenant, "/_fake/identity/auto-consent", "{\"mode\":\"cancel\"}");
  cancelled = get_authorize (tenant, "organizations", CLI_CLIENT_ID, REDIRECT, "User.Read", NULL, NULL);
  cancel_params = location_params (cancelled);
  g_assert_cmpstr (g_hash_table_lookup (cancel_params, "error"), ==, "access_denied");

  control (tenant, "/_fake/identity/device", "{\"interval\":0}");
  start = start_device_flow (tenant);
  approve = g_strdup_printf ("{\"userCode\":\"%s\",\"approve\":true}", fake_response_get_string (start, "user_code"));
  control (tenant, "/_fake/identity/device-approve", approve);
  tokens = poll_device (tenant, fake_response_get_string (start, "device_code"));
  g_assert_cmpuint (tokens->status, ==, 200);

  bad = post_json (tenant, "/_fake/identity/token-lifetime", "{\"seconds\":\"soon\"}");
  g_assert_cmpuint (bad->status, ==, 400);
  g_assert_nonnull (fake_response_get_string (bad, "error"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fake/identity/pkce/full-flow", test_pkce_full_flow);
  g_test_add_func ("/fake/identity/pkce/wrong-verifier", test_pkce_wrong_verifier);
  g_test_add_func ("/fake/identity/code/reuse", test_code_reuse);
  g_test_add_func ("/fake/identity/code/expired", test_code_expired);
  g_test_add_func ("/fake/identity/code/redirect-mismatch", test_code_redirect_mismatch);
  g_test_add_func ("/fake/identity/token/public-client-with-secret", test_public_client_with_secret);
  g_test_add_func ("/fake/identity/token/requires-form", test_token_requires_form);
  g_test_add_func ("/fake/identity/authorize/redirect-mismatch", test_authorize_redirect_mismatch);
  g_test_add_func ("/fake/identity/authorize/cancel", test_authorize_cancel);
  g_test_add_func ("/fake/identity/authorize/prompt-none", test_authorize_prompt_none);
  g_test_add_func ("/fake/identity/authorize/bad-requests", test_authorize_bad_requests);
  g_test_add_func ("/fake/identity/authorize/login-hint-member", test_login_hint_member);
  g_test_add_func ("/fake/identity/authorize/login-hint-disabled", test_login_hint_disabled);
  g_test_add_func ("/fake/identity/tenant/unknown", test_tenant_unknown);
  g_test_add_func ("/fake/identity/tenant/single-tenant-on-common", test_tenant_single_tenant_app_on_common);
  g_test_add_func ("/fake/identity/refresh/rotation", test_refresh_rotation);
  g_test_add_func ("/fake/identity/refresh/needs-offline-access", test_refresh_needs_offline_access);
  g_test_add_func ("/fake/identity/refresh/inactive", test_refresh_inactive);
  g_test_add_func ("/fake/identity/refresh/unconsented-scope", test_refresh_unconsented_scope);
  g_test_add_func ("/fake/identity/refresh/mfa-required", test_refresh_mfa_required);
  g_test_add_func ("/fake/identity/consent/grants-scopes", test_consent_grants_scopes);
  g_test_add_func ("/fake/identity/consent/admin-consent", test_admin_consent);
  g_test_add_func ("/fake/identity/device/flow", test_device_flow);
  g_test_add_func ("/fake/identity/device/declined", test_device_declined);
  g_test_add_func ("/fake/identity/device/bad-and-expired", test_device_bad_and_expired);
  g_test_add_func ("/fake/identity/client/secret", test_client_secret);
  g_test_add_func ("/fake/identity/client/certificate", test_client_certificate);
  g_test_add_func ("/fake/identity/bearer/expired", test_bearer_expired);
  g_test_add_func ("/fake/identity/bearer/lifetime", test_bearer_lifetime);
  g_test_add_func ("/fake/identity/discovery/id-token-signature", test_id_token_signature);
  g_test_add_func ("/fake/identity/authorize/fragment", test_authorize_fragment);
  g_test_add_func ("/fake/identity/authorize/silent-with-session", test_authorize_silent_with_session);
  g_test_add_func ("/fake/identity/control/shortcuts", test_control_shortcuts);
  return g_test_run ();
}
