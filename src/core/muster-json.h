/* muster-json.h: the checks every JSON document from outside passes before it is parsed
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

G_END_DECLS
