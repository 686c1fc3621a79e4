/* test-graph-users-page.c: the bulk reader of Graph users pages (cJSON) against json-glib's reading
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A full users fetch reads its pages with cJSON (faster: tests/bench/README.md); everything else
 * reads JSON with json-glib. The two must make the same users of the same page — hostile strings,
 * nulls, wrong types and repeated members included — and a page cJSON reads differently from
 * json-glib (not UTF-8, text after the page, cut off) must end the same way json-glib ends it.
 * The page readers are static in muster-directory-fetch.c, so this test compiles that file into
 * itself, as tests/fuzz/fuzz-directory-page.c does.
 */

#include "muster-directory-fetch.c"

#include <cjson/cJSON.h>

#include "../fuzz/describe-user.h"

/* One user each: what Graph sends, what a hostile or broken tenant might. */
static const char *users[] = {
  "{\"id\":\"u1\",\"displayName\":\"Ada Lovelace\",\"givenName\":\"Ada\",\"surname\":\"Lovelace\","
  "\"userPrincipalName\":\"ada@contoso.example\",\"mail\":\"ada@contoso.example\",\"jobTitle\":\"Engineer\","
  "\"department\":\"R&D\",\"companyName\":\"Contoso\",\"employeeId\":\"42\",\"officeLocation\":\"B1\","
  "\"mobilePhone\":\"+1 555 0100\",\"businessPhones\":[\"+1 555 0101\",\"+1 555 0102\"],"
  "\"otherMails\":[\"a@x.example\"],\"proxyAddresses\":[\"SMTP:ada@contoso.example\",\"smtp:al@contoso.example\"],"
  "\"userType\":\"Member\",\"accountEnabled\":false,\"onPremisesSyncEnabled\":true,"
  "\"createdDateTime\":\"2020-01-02T03:04:05Z\",\"assignedLicenses\":[{\"disabledPlans\":[],\"skuId\":\"sku-1\"}],"
  "\"manager\":{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"boss\"}}",
  /* formula prefixes, control characters, RTL override, escapes, astral characters */
  "{\"id\":\"u2\",\"displayName\":\"=HYPERLINK(\\\"http://evil.example\\\")\",\"givenName\":\"+SUM(1)\","
  "\"surname\":\"-2+3\",\"mail\":\"@evil\",\"jobTitle\":\"\\u0001\\u001f\\t\\n\\r\\b\\f\","
  "\"department\":\"\\u202egnp.exe\",\"companyName\":\"\\ud83d\\ude00 \\u00e9 \xc3\xa9 \xf0\x9f\x98\x80\","
  "\"officeLocation\":\"a\\\"b\\\\c\\/d\",\"employeeId\":\"x\\u0000hidden\"}",
  /* nulls everywhere */
  "{\"id\":\"u3\",\"displayName\":null,\"mail\":null,\"businessPhones\":null,\"accountEnabled\":null,"
  "\"onPremisesSyncEnabled\":null,\"assignedLicenses\":null,\"manager\":null}",
  /* wrong types */
  "{\"id\":\"u4\",\"displayName\":5,\"givenName\":true,\"surname\":[\"x\"],\"mail\":{\"a\":\"b\"},"
  "\"jobTitle\":1e999,\"businessPhones\":\"+1 555\",\"otherMails\":[1,null,\"kept\",{},[\"no\"],true],"
  "\"proxyAddresses\":{\"0\":\"x\"},\"accountEnabled\":\"false\",\"onPremisesSyncEnabled\":1,"
  "\"assignedLicenses\":[\"sku\",{\"skuId\":7},{\"skuId\":\"ok\"},null,{\"skuId\":null}],"
  "\"manager\":\"boss\",\"createdDateTime\":-1}",
  /* a manager without an id, or with one of the wrong type */
  "{\"id\":\"u5\",\"manager\":{}}",
  "{\"id\":\"u6\",\"manager\":{\"id\":12}}",
  /* a member named twice: the last counts, whatever its type */
  "{\"id\":\"u7\",\"mail\":\"first@x\",\"mail\":\"second@x\",\"jobTitle\":\"kept\",\"jobTitle\":5,"
  "\"accountEnabled\":false,\"accountEnabled\":\"no\",\"businessPhones\":[\"a\"],\"businessPhones\":[\"b\",\"c\"],"
  "\"otherMails\":[\"gone\"],\"otherMails\":null,\"manager\":{\"id\":\"m1\",\"id\":\"m2\"},"
  "\"manager\":{\"id\":\"m3\"}}",
  /* members nobody asked for, deeply nested, and an empty object */
  "{\"id\":\"u8\",\"extra\":{\"a\":[[[[[[[[[[{\"b\":null}]]]]]]]]]]},\"@odata.etag\":\"W/1\",\"displayName\":\"\"}",
  "{}",
  /* no usable id: skipped by both */
  "{\"id\":\"\",\"displayName\":\"no id\"}",
  "{\"id\":7,\"displayName\":\"numeric id\"}",
  "\"not an object\"",
  "null",
};

static GBytes *
make_page (const char *next_link,
           const char *extra)
{
  GString *page = g_string_new ("{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users\",");

  if (next_link != NULL)
    g_string_append_printf (page, "\"@odata.nextLink\":\"%s\",", next_link);
  g_string_append (page, "\"value\":[");
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    g_string_append_printf (page, "%s%s", i > 0 ? "," : "", users[i]);
  g_string_append_printf (page, "]%s}", extra ? extra : "");
  return g_string_free_to_bytes (page);
}

/* What json-glib alone makes of @bytes: the users of the page, or NULL and @error. */
static GPtrArray *
read_with_json_glib (GBytes  *bytes,
                     char   **next_link,
                     GError **error)
{
  g_autoptr(JsonNode) root = muster_http_parse_json (bytes, "test", error);
  GPtrArray *described;
  JsonArray *values;

  if (root == NULL)
    return NULL;
  values = muster_json_get_array (json_node_get_object (root), "value");
  g_assert_nonnull (values);
  *next_link = g_strdup (muster_json_get_string (json_node_get_object (root), "@odata.nextLink"));
  described = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (values); i++)
    {
      JsonNode *node = json_array_get_element (values, i);
      g_autoptr(MusterUser) user = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node) || get_id (json_node_get_object (node)) == NULL)
        continue;
      user = muster_user_new_from_json (json_node_get_object (node));
      g_ptr_array_add (described, describe_user (user));
    }
  return described;
}

static void
assert_same_as_json_glib (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *next_link = NULL;
  g_autoptr(GPtrArray) expected = read_with_json_glib (bytes, &next_link, &error);
  g_autoptr(Changes) changes = NULL;

  g_assert_no_error (error);
  changes = parse_users_page_fast (bytes);
  g_assert_nonnull (changes);  /* the page took the fast path */
  g_assert_cmpstr (changes->next_link, ==, next_link);
  g_assert_cmpuint (changes->users->len, ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    {
      g_autofree char *got = describe_user (changes->users->pdata[i]);

      g_assert_cmpstr (got, ==, expected->pdata[i]);
    }
}

static void
test_same_users (void)
{
  g_autoptr(GBytes) page = make_page ("https://graph.microsoft.com/v1.0/users?$skiptoken=a%2Fb", NULL);
  g_autoptr(GBytes) last_page = make_page (NULL, NULL);

  assert_same_as_json_glib (page);
  assert_same_as_json_glib (last_page);
}

static void
test_each_user_alone (void)
{
  /* one user per page, so a difference names its user */
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"value\":[%s]}", users[i]);
      g_autoptr(GBytes) page = g_bytes_new (text, strlen (text));

      g_test_message ("user %u", i);
      assert_same_as_json_glib (page);
    }
}

static void
test_repeated_next_link (void)
{
  /* json-glib keeps the last of a repeated member; so must the bulk reader */
  g_autoptr(GBytes) page = make_page ("first", ",\"@odata.nextLink\":\"second\",\"value\":[{\"id\":\"only\"}]");
  g_autoptr(Changes) changes = parse_collection_page (page, CHAIN_USERS, NULL);

  g_assert_nonnull (changes);
  g_assert_cmpstr (changes->next_link, ==, "second");
  g_assert_cmpuint (changes->users->len, ==, 1);
  assert_same_as_json_glib (page);
}

/* A page either reader refuses: the fetch gets json-glib's error, a sentence for the user. */
static void
assert_refused (const char *data,
                gsize       length)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, length);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) json_glib_error = NULL;
  g_autoptr(JsonNode) root = muster_http_parse_json (bytes, "Microsoft Graph", &json_glib_error);
  Changes *changes = parse_collection_page (bytes, CHAIN_USERS, &error);

  g_assert_null (changes);
  g_assert_error (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE);
  g_assert_nonnull (strstr (error->message, "Microsoft Graph sent"));
  if (root == NULL)
    g_assert_nonnull (strstr (error->message, json_glib_error->message));
}

static void
test_truncated (void)
{
  g_autoptr(GBytes) page = make_page ("https://graph.microsoft.com/v1.0/users?$skiptoken=x", NULL);
  gsize length;
  const char *data = g_bytes_get_data (page, &length);

  /* every cut of a page is refused, wherever it falls */
  for (gsize cut = 0; cut < length; cut += 7)
    assert_refused (data, cut);
  assert_refused (data, length - 1);
}

static void
test_malformed (void)
{
  static const char not_utf8[] = "{\"value\":[{\"id\":\"u\",\"displayName\":\"\xff\xfe\"}]}";
  static const char overlong[] = "{\"value\":[{\"id\":\"u\",\"displayName\":\"\xc0\xaf\"}]}";
  static const char nul_inside[] = "{\"value\":[{\"id\":\"u\"}]}\0  ";
  static const char *pages[] = {
    "{\"value\":[{\"id\":\"u\"}]} trailing",
    "{\"value\":[{\"id\":\"u\"},]}",
    "{\"value\":{\"id\":\"u\"}}",
    "{\"value\":null}",
    "[{\"id\":\"u\"}]",
    "\"value\"",
    "   ",
    "{\"value\":[{\"id\":\"u\",\"displayName\":\"\\ud800\"}]}x",
  };

  assert_refused (not_utf8, sizeof not_utf8 - 1);
  assert_refused (overlong, sizeof overlong - 1);
  assert_refused (nul_inside, sizeof nul_inside - 1);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    assert_refused (pages[i], strlen (pages[i]));
}

static void
test_json_glib_only_pages (void)
{
  /* what cJSON refuses but json-glib reads (a lone surrogate, a comment) is read by json-glib */
  static const char *pages[] = {
    "{\"value\":[{\"id\":\"u\",\"displayName\":\"x\\ud800y\"}]}",
    "{\"value\":[{\"id\":\"u\",\"displayName\":\"x\"} /* note */]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (pages[i], strlen (pages[i]));
      g_autoptr(GError) error = NULL;
      g_autoptr(Changes) changes = parse_collection_page (bytes, CHAIN_USERS, &error);
      g_autofree char *next_link = NULL;
      g_autoptr(GPtrArray) expected = read_with_json_glib (bytes, &next_link, &error);
      g_autofree char *got = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (changes);
      g_assert_cmpuint (changes->users->len, ==, 1);
      got = describe_user (changes->users->pdata[0]);
      g_assert_cmpstr (got, ==, expected->pdata[0]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/users-page/cjson/same-users-as-json-glib", test_same_users);
  g_test_add_func ("/users-page/cjson/each-user-alone", test_each_user_alone);
  g_test_add_func ("/users-page/cjson/repeated-next-link", test_repeated_next_link);
  g_test_add_func ("/users-page/cjson/truncated-refused", test_truncated);
  g_test_add_func ("/users-page/cjson/malformed-refused", test_malformed);
  g_test_add_func ("/users-page/cjson/json-glib-only-pages", test_json_glib_only_pages);

  return g_test_run ();
}
