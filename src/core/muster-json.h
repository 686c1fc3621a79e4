/* muster-json.h: the checks every JSON document from outside passes before it is parsed, and
 * the small readers and writers of JSON text the engine shares
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* How deep outside JSON may nest. Graph pages, $batch answers, token answers, SCIM resources,
 * rules files and previews nest at most about 8 levels ($batch → responses → body → value →
 * user → assignedLicenses → disabledPlans); 64 leaves room for any extension, and is far below
 * where json-glib's recursive parser runs out of stack (tens of thousands of levels on a
 * default thread stack, fewer on a small worker stack). */
#define MUSTER_JSON_MAX_DEPTH 64

/* Scans @data (@len bytes, or NUL-terminated when @len is -1) without parsing it and fails with
 * G_IO_ERROR_INVALID_DATA when arrays and objects nest more than @max_depth levels. Brackets
 * inside strings (escapes included) and comments do not count; the scan reads strings and
 * comments as json-glib does, and refuses what the two might read differently (escapes JSON
 * has not, other characters outside strings, an unterminated string or comment), as that could
 * hide nesting. Linear time, constant memory, safe on any input; the rest of JSON's grammar is the
 * parser's to judge afterwards. */
gboolean  muster_json_check_depth (const char  *data,
                                   gssize       len,
                                   guint        max_depth,
                                   GError     **error);

/* The one way to parse JSON from outside (a server's answer, a file the user picks): checks the
 * depth against MUSTER_JSON_MAX_DEPTH, then parses with json-glib. An empty or blank document
 * is an error too. Errors are G_IO_ERROR_INVALID_DATA. */
JsonNode *muster_json_parse       (const char  *data,
                                   gssize       len,
                                   GError     **error);

/* Reads and parses a JSON file the same way (rules, previews). Blocking: call it in a thread. */
JsonNode *muster_json_load_file   (const char  *path,
                                   GError     **error);

/* Member getters that never crash on a wrong type. A string member, NULL when absent or not a
 * string. */
const char  *muster_json_get_string    (JsonObject  *object,
                                        const char  *member);
/* An integer member; a double saturates to gint64's range and a string of digits is read as a
 * number (AADv1-like endpoints send numbers as strings); otherwise @fallback. */
gint64       muster_json_get_int       (JsonObject  *object,
                                        const char  *member,
                                        gint64       fallback);
JsonArray   *muster_json_get_array     (JsonObject  *object,
                                        const char  *member);
JsonObject  *muster_json_get_object    (JsonObject  *object,
                                        const char  *member);

/* Appends @value to @out as a JSON string (RFC 8259 §7): quotes, backslashes and control
 * characters escaped, everything else as it is. Invalid UTF-8 is first made valid with
 * g_utf8_make_valid(); NULL is written as null. */
void         muster_json_append_string (GString     *out,
                                        const char  *value);
/* Writers of JSON text straight into @out, for documents too large for a JSON tree (plans,
 * saved previews): `"NAME":`; `"NAME":` and the string @value (as above); `"NAME":` and
 * @value; and an array of the strings of @strv, its first @n or, for @n < 0, up to its NULL (a
 * NULL @strv is []). */
void         muster_json_append_key           (GString            *out,
                                               const char         *name);
void         muster_json_append_string_member (GString            *out,
                                               const char         *name,
                                               const char         *value);
void         muster_json_append_int_member    (GString            *out,
                                               const char         *name,
                                               gint64              value);
void         muster_json_append_strv          (GString            *out,
                                               const char * const *strv,
                                               gssize              n);

/* Decodes the body of a JSON string: @p points just past its opening quote and the closing
 * quote must come before @end. Appends the text to @out and returns the position just past the
 * closing quote, or NULL when the string is unterminated or holds an escape JSON has not
 * (RFC 8259 §7). A surrogate pair becomes its character; \u0000 and a lone surrogate become
 * U+FFFD, as NUL cannot live in a C string and a lone surrogate is not UTF-8. Other bytes are
 * copied as they are. */
const char  *muster_json_unescape_string (const char *p,
                                          const char *end,
                                          GString    *out);

G_END_DECLS
