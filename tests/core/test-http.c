/* test-http.c: the engine's HTTP sessions trust MUSTER_CA_FILE, and only plain http on loopback
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "fake-test-util.h"
#include "muster-cloud.h"
#include "muster-http.h"
#include "muster-json.h"
#include "muster-rules.h"

static guint
get_status (SoupSession *session,
            const char  *url,
            GError     **error)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, error);

  return body ? soup_message_get_status (msg) : 0;
}

static void
test_ca_file (void)
{
  MusterFakeOptions options;
  g_autoptr(MusterFakeTenant) tenant = NULL;
  g_autoptr(SoupSession) trusting = NULL, plain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  muster_fake_options_init (&options);
  options.tls = TRUE;
  tenant = fake_test_start_tenant (&options);
  url = g_strconcat (muster_fake_tenant_get_base_url (tenant), "/_fake/state", NULL);
  g_assert_true (g_str_has_prefix (url, "https://127.0.0.1:"));

  /* without the fake's certificate, the real HTTPS path refuses it */
  g_unsetenv ("MUSTER_CA_FILE");
  plain = muster_http_session_new ();
  g_assert_cmpuint (get_status (plain, url, &error), ==, 0);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  g_setenv ("MUSTER_CA_FILE", muster_fake_tenant_get_ca_file (tenant), TRUE);
  trusting = muster_http_session_new ();
  g_assert_cmpuint (get_status (trusting, url, &error), ==, 200);
  g_assert_no_error (error);
  g_unsetenv ("MUSTER_CA_FILE");
}

static void
test_plain_http_only_on_loopback (void)
{
  /* every form a browser, inet_aton() or GResolver reads as this computer */
  const char *accepted[] = {
    "https://graph.microsoft.com", "HTTPS://Graph.Example/x", "https://10.0.0.1/",
    "http://127.0.0.1:8080/x", "http://127.1.2.3/", "http://127.255.255.254/", "http://127.1/",
    "http://127.0.1/", "http://2130706433/", "http://0x7f000001/", "http://0x7f.1/", "http://0x7F.0.0.1/",
    "http://0177.0.0.1/", "http://0177.1/", "http://017700000001/", "http://localhost:1/", "http://LocalHost/",
    "http://graph.localhost:9/v1.0", "http://a.b.localhost/", "http://[::1]:9/", "http://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]:8/", "http://[::ffff:7f00:1]/", "http://[::FFFF:127.9.9.9]/",
    "http://127.0.0.1%3A1@localhost/", NULL
  };
  /* look-alikes, other hosts, and forms whose meaning depends on the resolver */
  const char *refused[] = {
    "http://graph.microsoft.com", "http://10.0.0.1/", "http://128.0.0.1/", "http://126.255.255.255/",
    "http://0.0.0.0/", "http://0/", "http://2130706431/", "http://2147483648/", "http://4294967296/",
    "http://0x80000001/", "http://0x7f.0x100.0.1/", "http://127.256.0.1/", "http://127.0.0.1.evil.com/",
    "http://127.0.0.1.nip.io/", "http://localhost.evil.com/", "http://localhost.evil.example/",
    "http://evil-localhost/", "http://evillocalhost/", "http://localhost./", "http://127.0.0.1./",
    "http://x..localhost/", "http://.localhost/", "http://127.0.0.1%2eevil.com/", "http://[::2]/",
    "http://[::127.0.0.1]/", "http://[::ffff:128.0.0.1]/", "http://[64:ff9b::127.0.0.1]/",
    "http://[fe80::1%25lo]/", "http://[::1%25lo]/", "http://[::]/", "http://evil.com@127.0.0.1.evil.com/",
    "http://localhost@evil.com/", "http://1.2.3.4.5/", "http://08.0.0.1/", "http://0x/", "ftp://127.0.0.1/",
    "ws://localhost/", "file:///etc/passwd", "http:///x", "not a url", "", NULL
  };

  for (guint i = 0; accepted[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("accepted? %s", accepted[i]);
      g_assert_true (muster_url_is_acceptable (accepted[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; refused[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("refused? %s", refused[i]);
      g_assert_false (muster_url_is_acceptable (refused[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      /* the sentence tells the admin what is wrong */
      g_assert_true (strstr (error->message, "https") != NULL || strstr (error->message, "web address") != NULL);
    }
  g_assert_false (muster_url_is_acceptable (NULL, NULL));

  /* the host rule on its own, as GUri hands hosts over */
  g_assert_true (muster_host_is_loopback ("127.0.0.1"));
  g_assert_true (muster_host_is_loopback ("::1"));
  g_assert_true (muster_host_is_loopback ("::ffff:127.0.0.1"));
  g_assert_true (muster_host_is_loopback ("2130706433"));
  g_assert_true (muster_host_is_loopback ("foo.localhost"));
  g_assert_false (muster_host_is_loopback ("127.0.0.1.evil.com"));
  g_assert_false (muster_host_is_loopback ("localhost.evil.com"));
  g_assert_false (muster_host_is_loopback (""));
  g_assert_false (muster_host_is_loopback (NULL));
}

static void
test_json_wrong_types (void)
{
  static const char json[] = "{\"a\":1,\"b\":\"7\",\"c\":[1],\"d\":null,\"e\":{\"x\":1}}";
  static const char cut[] = "{\"value\":[{\"id\":";
  g_autoptr(GBytes) bytes = g_bytes_new_static (json, strlen (json));
  g_autoptr(GBytes) truncated = g_bytes_new_static (cut, strlen (cut));
  g_autoptr(JsonNode) node = muster_http_parse_json (bytes, "test", NULL);
  g_autoptr(GError) error = NULL;
  JsonObject *object = json_node_get_object (node);

  /* wrong types read as absent, never crash */
  g_assert_null (muster_json_get_string (object, "a"));
  g_assert_cmpint (muster_json_get_int (object, "b", -1), ==, 7);
  g_assert_cmpint (muster_json_get_int (object, "c", -1), ==, -1);
  g_assert_null (muster_json_get_string (object, "d"));
  g_assert_null (muster_json_get_array (object, "e"));
  g_assert_nonnull (muster_json_get_object (object, "e"));
  g_assert_null (muster_http_parse_json (truncated, "Microsoft Graph", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "Microsoft Graph"));
}

static char *
nested (guint depth, const char *open, const char *inner, const char *close)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (text, open);
  g_string_append (text, inner);
  for (guint i = 0; i < depth; i++)
    g_string_append (text, close);
  return g_string_free (text, FALSE);
}

static void
test_json_depth (void)
{
  g_autofree char *limit = nested (MUSTER_JSON_MAX_DEPTH, "[", "1", "]");
  g_autofree char *over = nested (MUSTER_JSON_MAX_DEPTH + 1, "[", "1", "]");
  g_autofree char *objects = nested (MUSTER_JSON_MAX_DEPTH + 1, "{\"a\":", "1", "}");
  g_autofree char *mixed = nested (MUSTER_JSON_MAX_DEPTH / 2 + 1, "{\"a\":[", "1", "]}");
  g_autofree char *deep = g_malloc (200000);
  g_autoptr(GBytes) deep_bytes = NULL;
  g_autoptr(GError) error = NULL;
  static const char strings[] = "{\"a\":\"[[[[{{{{\",\"b\":\"\\\"[[[\",\"c\":[\"]]]\\\\\",[1]]}";
  JsonNode *node;

  g_assert_true (muster_json_check_depth (limit, -1, MUSTER_JSON_MAX_DEPTH, NULL));
  g_assert_false (muster_json_check_depth (over, -1, MUSTER_JSON_MAX_DEPTH, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "64 levels deep"));
  g_clear_error (&error);
  g_assert_false (muster_json_check_depth (objects, -1, MUSTER_JSON_MAX_DEPTH, NULL));
  g_assert_false (muster_json_check_depth (mixed, -1, MUSTER_JSON_MAX_DEPTH, NULL));
  g_assert_true (muster_json_check_depth (mixed, -1, MUSTER_JSON_MAX_DEPTH + 2, NULL));
  /* brackets in strings, escaped quotes and escaped backslashes before a quote don't count */
  g_assert_true (muster_json_check_depth (strings, -1, 3, NULL));
  g_assert_false (muster_json_check_depth (strings, -1, 2, NULL));
  g_assert_false (muster_json_check_depth ("\"[[[[", -1, 0, NULL));  /* unterminated */
  g_assert_true (muster_json_check_depth ("]]]]][]", -1, 1, NULL));
  g_assert_true (muster_json_check_depth (NULL, 0, 0, NULL));
  /* what json-glib would lex differently from JSON cannot hide nesting from the scan */
  {
    g_autofree char *hidden = nested (200000, "[", "", "]");
    g_autofree char *quoted = g_strconcat ("['\"', ", hidden, ", '\"']", NULL);
    g_autofree char *commented = g_strconcat ("[/* \" */ ", hidden, " /* \" */]", NULL);
    g_autofree char *escaped = g_strconcat ("[\"\\u2\"\", ", hidden, ", \"x\"]", NULL);
    const char *refused[] = { quoted, commented, escaped, "[\"\\q\"]", "[\"\\u00zz\"]", "[\"\\", "[1 # 2]",
                              "['open", "[/ open", "[\"open", NULL };
    const char *accepted[] = { "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"]",
                               " {\"a\": [true, false, null, -1.5e+3, 0]}\r\n", "\"é ünïcode [\"",
                               "['[[[\"', /* [[[' */ [1]]", "[/ [[ /1]", NULL };

    for (guint i = 0; refused[i] != NULL; i++)
      {
        g_assert_false (muster_json_check_depth (refused[i], -1, MUSTER_JSON_MAX_DEPTH, &error));
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
        g_clear_error (&error);
      }
    for (guint i = 0; accepted[i] != NULL; i++)
      {
        g_assert_true (muster_json_check_depth (accepted[i], -1, 2, &error));
        g_assert_no_error (error);
        node = muster_json_parse (accepted[i], -1, &error);
        g_assert_no_error (error);
        json_node_unref (node);
      }
    /* json-glib itself never sees them */
    g_assert_null (muster_json_parse (quoted, -1, &error));
    g_assert_nonnull (strstr (error->message, "levels deep"));
    g_clear_error (&error);
  }

  /* the length is respected: the bracket after it is not read */
  g_assert_true (muster_json_check_depth ("[[", 1, 1, NULL));

  /* json-glib would recurse 200,000 times on this and run out of stack */
  memset (deep, '[', 200000);
  deep_bytes = g_bytes_new_take (g_steal_pointer (&deep), 200000);
  g_assert_null (muster_http_parse_json (deep_bytes, "sign-in", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "sign-in"));
  g_assert_nonnull (strstr (error->message, "levels deep"));
  g_clear_error (&error);

  /* the limit itself parses, and so does everything real */
  node = muster_json_parse (limit, -1, &error);
  g_assert_no_error (error);
  json_node_unref (node);
  node = muster_json_parse (strings, -1, &error);
  g_assert_no_error (error);
  json_node_unref (node);
  g_assert_null (muster_json_parse ("  ", -1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* rules imported from a file an admin was sent */
  {
    g_autofree char *hostile = g_malloc0 (200001);
    MusterRules *parsed;

    memset (hostile, '[', 200000);
    parsed = muster_rules_new_from_data (hostile, -1, &error);
    g_assert_null (parsed);
    g_assert_error (error, MUSTER_RULES_ERROR, MUSTER_RULES_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "levels deep"));
    g_clear_error (&error);
  }

  /* and files */
  {
    g_autofree char *dir = g_dir_make_tmp ("muster-json-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "rules.json", NULL);

    g_assert_true (g_file_set_contents (path, over, -1, NULL));
    g_assert_null (muster_json_load_file (path, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "rules.json"));
    g_clear_error (&error);
    g_assert_true (g_file_set_contents (path, limit, -1, NULL));
    node = muster_json_load_file (path, &error);
    g_assert_no_error (error);
    json_node_unref (node);
    g_unlink (path);
    g_rmdir (dir);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http/ca-file", test_ca_file);
  g_test_add_func ("/http/plain-http-only-on-loopback", test_plain_http_only_on_loopback);
  g_test_add_func ("/http/json-wrong-types", test_json_wrong_types);
  g_test_add_func ("/http/json-depth", test_json_depth);
  return g_test_run ();
}
