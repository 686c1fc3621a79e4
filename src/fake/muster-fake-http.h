/* muster-fake-http.h: small HTTP and JSON helpers shared by the fake's modules
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Appends @s as a JSON string literal (with quotes), escaping per RFC 8259. NULL → null. */
void  _muster_fake_json_append_string (GString           *out,
                                       const char        *s);
/* Sets status, Content-Type and body; takes @body. */
void  _muster_fake_reply_take         (SoupServerMessage *msg,
                                       guint              status,
                                       const char        *content_type,
                                       char              *body,
                                       gsize              length);
void  _muster_fake_reply_json         (SoupServerMessage *msg,
                                       guint              status,
                                       const char        *json);
/* Graph's error body (learn.microsoft.com/graph/errors):
 * {"error":{"code","message","innerError":{date,request-id,client-request-id}}} */
void  _muster_fake_reply_graph_error  (SoupServerMessage *msg,
                                       guint              status,
                                       const char        *code,
                                       const char        *message);
/* That body by itself, for replies made elsewhere (the Graph module's, $batch items). */
GString *_muster_fake_graph_error_body (const char *code,
                                        const char *message,
                                        const char *date,
                                        const char *request_id,
                                        const char *client_request_id);
/* Parses an application/x-www-form-urlencoded request body; NULL when the type is wrong. */
GHashTable *_muster_fake_read_form    (SoupServerMessage *msg);
/* @n_bytes from the system CSPRNG, base64url without padding. */
char *_muster_fake_random_token       (gsize              n_bytes);
/* RFC 3339 UTC time for @unix_time, "2026-11-23T14:00:00Z". */
char *_muster_fake_iso8601            (gint64             unix_time);

G_END_DECLS
