/* fake-test-util.h: start the fake tenant and talk to it over real HTTP, for tests
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "muster-fake-tenant.h"

G_BEGIN_DECLS

typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;  /* response headers */
  GBytes             *body;
  JsonNode           *json;     /* NULL when the body is not JSON */
} FakeResponse;

void fake_response_free (FakeResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeResponse, fake_response_free)

/* Starts a tenant (options may be NULL for the demo dataset); fails the test on error. */
MusterFakeTenant *fake_test_start_tenant (const MusterFakeOptions *options);

/* Blocking request from the test thread (the fake runs in its own thread).
 * @path is appended to the tenant's base URL unless it starts with "http".
 * @headers: NULL or a NULL-terminated list of name, value pairs.
 * @content_type/@body: NULL for no body. Redirects are not followed. */
FakeResponse *fake_test_request (MusterFakeTenant   *tenant,
                                 const char         *method,
                                 const char         *path,
                                 const char * const *headers,
                                 const char         *content_type,
                                 const char         *body);

/* The JSON member @name of the response's root object, as a string (NULL if absent). */
const char *fake_response_get_string (FakeResponse *response,
                                      const char   *name);

/* base64url without padding (RFC 7515 §2), written independently of the fake's own */
char *fake_test_base64url (const guchar *data,
                           gsize         len);

/* A PKCE pair per RFC 7636: a 43-character verifier and its S256 challenge. */
void  fake_test_make_pkce (char **verifier,
                           char **challenge);

/* Signs the directory's administrator in through the real authorization-code flow with PKCE
 * (authorize page → Accept → code → token) with the default public client, requesting
 * @scopes (space-separated, e.g. "User.Read.All GroupMember.Read.All"). Returns the access
 * token; fails the test on any error. */
char *fake_test_sign_in (MusterFakeTenant *tenant,
                         const char       *scopes);

G_END_DECLS
