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
