/* muster-http.h: the one way the engine makes HTTP sessions and reads JSON answers
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

/* the member getters moved there; callers of this header still get them */
#include "muster-json.h"

G_BEGIN_DECLS

/* A session with Muster's user agent and time-outs that trusts MUSTER_CA_FILE in addition to
 * the system's CAs (for tests against the fake's generated certificate). */
SoupSession *muster_http_session_new   (void);
/* The same with @max_conns_per_host kept-alive connections to one host (8 above). */
SoupSession *muster_http_session_new_with_connections (guint max_conns_per_host);

/* Parses @bytes as JSON with muster_json_parse() (nesting deeper than MUSTER_JSON_MAX_DEPTH is
 * refused before parsing). On failure sets @error (G_IO_ERROR_INVALID_DATA) naming @what. */
JsonNode    *muster_http_parse_json    (GBytes      *bytes,
                                        const char  *what,
                                        GError     **error);

G_END_DECLS
