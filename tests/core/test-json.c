/* test-json.c: the one JSON string writer and reader round-trip what Muster stores and sends
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "muster-json.h"

/* What json-glib reads back from muster_json_append_string()'s text. */
static char *
parse_with_json_glib (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = muster_json_parse (text, -1, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  return g_strdup (json_node_get_string (node));
}

static char *
unescape_all (const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *end = text + strlen (text);
  const char *after;

  g_assert_cmpint (text[0], ==, '"');
  after = muster_json_unescape_string (text + 1, end, out);
  g_assert_nonnull (after);
  g_assert_true (after == end);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_round_trip (void)
{
  static const char *values[] = {
    "",
    "plain",
    "quote \" and backslash \\ and slash /",
    "\x01\x02\x1f\b\f\n\r\t end",
    "caf\xc3\xa9 \xe2\x80\xae \xf0\x9f\x98\x80 \xe6\x97\xa5\xe6\x9c\xac",
    "\\u0041 is not an escape here",
    "\"\"\\\\",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      g_autofree char *ours = NULL;
      g_autofree char *theirs = NULL;

      muster_json_append_string (out, values[i]);
      /* nothing below U+0020 is written raw (RFC 8259 §7) */
      for (gsize j = 0; j < out->len; j++)
        g_assert_cmpint ((guchar) out->str[j], >=, 0x20);
      ours = unescape_all (out->str);
      theirs = parse_with_json_glib (out->str);
      g_assert_cmpstr (ours, ==, values[i]);
      g_assert_cmpstr (theirs, ==, values[i]);
    }
}

static void
test_append_forms (void)
{
  g_autoptr(GString) out = g_string_new (NULL);

  muster_json_append_string (out, "a\"b\\c\nd\x01");
  g_assert_cmpstr (out->str, ==, "\"a\\\"b\\\\c\\nd\\u0001\"");

  g_string_truncate (out, 0);
  muster_json_append_string (out, NULL);
  g_assert_cmpstr (out->str, ==, "null");

  /* invalid UTF-8 is made valid rather than written as bytes no JSON reader takes */
  g_string_truncate (out, 0);
  muster_json_append_string (out, "ok\xff\xfe" "end");
  g_assert_true (g_utf8_validate (out->str, -1, NULL));
  g_assert_cmpstr (out->str, ==, "\"ok\xef\xbf\xbd\xef\xbf\xbd" "end\"");
}

static void
test_unescape (void)
{
  static const struct { const char *json; const char *text; } good[] = {
    { "\"\\u00e9\\u0041\"", "\xc3\xa9" "A" },
    { "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
    { "\"\\b\\f\\n\\r\\t\\/\"", "\b\f\n\r\t/" },
    /* NUL cannot live in a C string, a lone surrogate is not UTF-8 */
    { "\"x\\u0000y\"", "x\xef\xbf\xbdy" },
    { "\"\\ud83dz\"", "\xef\xbf\xbdz" },
    { "\"\\ude00\"", "\xef\xbf\xbd" },
    /* raw bytes, valid or not, are copied as they are */
    { "\"\xc3\xa9\xff\"", "\xc3\xa9\xff" },
  };
  static const char *bad[] = {
    "\"unterminated",
    "\"bad escape \\x\"",
    "\"short \\u12\"",
    "\"not hex \\u12g4\"",
    "\"ends in a backslash\\",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *text = unescape_all (good[i].json);

      g_assert_cmpstr (text, ==, good[i].text);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      g_assert_null (muster_json_unescape_string (bad[i] + 1, bad[i] + strlen (bad[i]), out));
    }

  /* the string ends at its closing quote; what follows is the caller's */
  {
    g_autoptr(GString) out = g_string_new (NULL);
    const char *json = "\"first\",\"second\"]";
    const char *after = muster_json_unescape_string (json + 1, json + strlen (json), out);

    g_assert_cmpstr (out->str, ==, "first");
    g_assert_cmpstr (after, ==, ",\"second\"]");
  }
}

static void
test_getters (void)
{
  g_autoptr(JsonNode) node = muster_json_parse ("{\"s\":\"text\",\"i\":42,\"d\":1e300,\"n\":\"-7\","
                                                "\"a\":[1],\"o\":{},\"x\":null}", -1, NULL);
  JsonObject *object = json_node_get_object (node);

  g_assert_cmpstr (muster_json_get_string (object, "s"), ==, "text");
  g_assert_null (muster_json_get_string (object, "i"));
  g_assert_null (muster_json_get_string (object, "missing"));
  g_assert_null (muster_json_get_string (NULL, "s"));
  g_assert_cmpint (muster_json_get_int (object, "i", -1), ==, 42);
  g_assert_cmpint (muster_json_get_int (object, "d", -1), ==, G_MAXINT64);
  g_assert_cmpint (muster_json_get_int (object, "n", -1), ==, -7);
  g_assert_cmpint (muster_json_get_int (object, "s", -1), ==, -1);
  g_assert_cmpint (muster_json_get_int (object, "x", -1), ==, -1);
  g_assert_nonnull (muster_json_get_array (object, "a"));
  g_assert_null (muster_json_get_array (object, "o"));
  g_assert_nonnull (muster_json_get_object (object, "o"));
  g_assert_null (muster_json_get_object (object, "a"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/string/round-trip", test_round_trip);
  g_test_add_func ("/json/string/append", test_append_forms);
  g_test_add_func ("/json/string/unescape", test_unescape);
  g_test_add_func ("/json/getters", test_getters);

  return g_test_run ();
}
