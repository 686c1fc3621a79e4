/* muster-json.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-json"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-json.h"

static gboolean
not_json (const char  *data,
          const char  *p,
          GError     **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("it is not JSON (byte %" G_GSIZE_FORMAT ")"),
               (gsize) (p - data));
  return FALSE;
}

/* Counts nesting as json-glib's lexer will see it. That lexer (a GScanner) is more lenient than
 * JSON (RFC 8259): it also takes 'single-quoted' strings, without escapes, and comments from a
 * '/' to the next '/', and a \u with fewer than four hex digits swallows what follows. A scan that knew only JSON could
 * count brackets there that json-glib never sees, or miss ones it does — ['"', [[[…]]], '"'] —
 * so the scan reads those forms json-glib's way and refuses what the two might not read the
 * same way: escapes JSON does not have, characters JSON has no use for outside strings. */
gboolean
muster_json_check_depth (const char  *data,
                         gssize       len,
                         guint        max_depth,
                         GError     **error)
{
  const char *end;
  guint depth = 0;

  if (data == NULL)
    return TRUE;
  end = data + (len < 0 ? strlen (data) : (gsize) len);

  for (const char *p = data; p < end; p++)
    {
      switch (*p)
        {
        case '"':
          for (p++; p < end && *p != '"'; p++)
            {
              if (*p != '\\')
                continue;
              if (++p == end)
                return not_json (data, p, error);
              if (*p == 'u')
                {
                  for (guint i = 0; i < 4; i++)
                    if (++p == end || !g_ascii_isxdigit (*p))
                      return not_json (data, p, error);
                }
              else if (*p == '\0' || strchr ("\"\\/bfnrt", *p) == NULL)
                return not_json (data, p, error);
            }
          if (p == end)
            return not_json (data, p, error);
          break;
        case '\'':
          p = memchr (p + 1, '\'', end - p - 1);
          if (p == NULL)
            return not_json (data, end, error);
          break;
        case '/':
          /* json-glib's lexer takes a comment from one slash to the next, across lines */
          p = memchr (p + 1, '/', end - p - 1);
          if (p == NULL)
            return not_json (data, end, error);
          break;
        case '[':
        case '{':
          if (++depth > max_depth)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("it nests more than %u levels deep"), max_depth);
              return FALSE;
            }
          break;
        case ']':
        case '}':
          /* unbalanced closers are the parser's business */
          if (depth > 0)
            depth--;
          break;
        case ' ': case '\t': case '\n': case '\r': case ',': case ':':
        case '+': case '-': case '.': case '_':
          break;
        default:
          /* numbers and true, false, null */
          if (!g_ascii_isalnum (*p))
            return not_json (data, p, error);
        }
    }
  return TRUE;
}

JsonNode *
muster_json_parse (const char  *data,
                   gssize       len,
                   GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize size;

  size = data == NULL ? 0 : len < 0 ? strlen (data) : (gsize) len;
  if (size == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("it was empty"));
      return NULL;
    }
  if (!muster_json_check_depth (data, size, MUSTER_JSON_MAX_DEPTH, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, size, &local_error))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, local_error->message);
      return NULL;
    }
  /* json-glib accepts a body of only white space and gives it no root: that is empty too */
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("it was empty"));
      return NULL;
    }
  return json_parser_steal_root (parser);
}

JsonNode *
muster_json_load_file (const char  *path,
                       GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *node;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  node = muster_json_parse (contents, length, &local_error);
  if (node == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“%s” is not valid JSON: %s"), path,
                 local_error->message);
  return node;
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

void
muster_json_append_string (GString    *out,
                           const char *value)
{
  g_autofree char *valid = NULL;
  const char *p, *start;

  g_return_if_fail (out != NULL);

  if (value == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  if (G_UNLIKELY (!g_utf8_validate (value, -1, NULL)))
    value = valid = g_utf8_make_valid (value, -1);

  g_string_append_c (out, '"');
  /* runs of plain characters at once: exports and member lists write millions of strings */
  for (p = start = value; *p != '\0'; p++)
    {
      guchar c = *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, start, p - start);
      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          g_string_append_printf (out, "\\u%04x", c);
        }
      start = p + 1;
    }
  g_string_append_len (out, start, p - start);
  g_string_append_c (out, '"');
}

void
muster_json_append_key (GString    *out,
                        const char *name)
{
  g_string_append_c (out, '"');
  g_string_append (out, name);
  g_string_append (out, "\":");
}

void
muster_json_append_string_member (GString    *out,
                                  const char *name,
                                  const char *value)
{
  muster_json_append_key (out, name);
  muster_json_append_string (out, value);
}

void
muster_json_append_int_member (GString    *out,
                               const char *name,
                               gint64      value)
{
  muster_json_append_key (out, name);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

void
muster_json_append_strv (GString            *out,
                         const char * const *strv,
                         gssize              n)
{
  g_string_append_c (out, '[');
  for (gsize i = 0; strv != NULL && (n < 0 ? strv[i] != NULL : i < (gsize) n); i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      muster_json_append_string (out, strv[i]);
    }
  g_string_append_c (out, ']');
}

static gboolean
read_hex4 (const char  *p,
           const char  *end,
           gunichar    *value)
{
  if (end - p < 4)
    return FALSE;
  *value = 0;
  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return FALSE;
      *value = (*value << 4) | (gunichar) digit;
    }
  return TRUE;
}

const char *
muster_json_unescape_string (const char *p,
                             const char *end,
                             GString    *out)
{
  g_return_val_if_fail (out != NULL, NULL);

  while (p < end && *p != '"')
    {
      gunichar c, low;

      if (*p != '\\')
        {
          const char *run = p;

          while (p < end && *p != '"' && *p != '\\')
            p++;
          g_string_append_len (out, run, p - run);
          continue;
        }
      if (++p >= end)
        return NULL;
      switch (*p++)
        {
        case '"': g_string_append_c (out, '"'); break;
        case '\\': g_string_append_c (out, '\\'); break;
        case '/': g_string_append_c (out, '/'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          if (!read_hex4 (p, end, &c))
            return NULL;
          p += 4;
          if (c >= 0xD800 && c < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u'
              && read_hex4 (p + 2, end, &low) && low >= 0xDC00 && low < 0xE000)
            {
              c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
              p += 6;
            }
          if (c == 0 || (c >= 0xD800 && c < 0xE000))
            c = 0xFFFD;
          g_string_append_unichar (out, c);
          break;
        default:
          return NULL;
        }
    }
  if (p >= end)
    return NULL;
  return p + 1;
}
