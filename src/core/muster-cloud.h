/* muster-cloud.h: Microsoft's clouds and the hosts each one signs in and serves Graph on
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  MUSTER_CLOUD_GLOBAL,  /* worldwide, including Microsoft 365 GCC */
  MUSTER_CLOUD_USGOV,   /* US Government GCC High */
  MUSTER_CLOUD_DOD,     /* US Government DoD */
  MUSTER_CLOUD_CHINA,   /* operated by 21Vianet */
} MusterCloud;

const char *muster_cloud_to_string      (MusterCloud  cloud);
gboolean    muster_cloud_from_string    (const char  *name,
                                         MusterCloud *cloud);
const char *muster_cloud_get_title      (MusterCloud  cloud);

/* Points every cloud at other hosts for the life of the process (`muster --demo` and its
 * in-process fake tenant); NULL restores the environment's or the cloud's own. */
void        muster_cloud_set_override   (const char  *authority,
                                         const char  *graph);

/* Base URLs without a trailing slash; the override, else MUSTER_AUTHORITY_HOST /
 * MUSTER_GRAPH_HOST, replace them. */
char       *muster_cloud_get_authority  (MusterCloud  cloud);
char       *muster_cloud_get_graph      (MusterCloud  cloud);
/* The resource identifier scopes are written against: "https://graph.microsoft.com". Tokens are
 * not interchangeable across clouds, so this follows the cloud even when the host is replaced. */
const char *muster_cloud_get_graph_resource (MusterCloud cloud);

/* The one rule for every URL that gets a token, a code or a secret (authority, Graph and its
 * nextLinks, deltaLinks and photos, the authorize URL, SCIM targets): https, or plain http to a
 * loopback host. Anything else sets G_IO_ERROR_INVALID_ARGUMENT with a sentence naming @url. */
gboolean    muster_url_is_acceptable    (const char  *url,
                                         GError     **error);

/* Whether @host (as GUri gives it: no brackets, percent-decoded) always means this computer:
 * 127.0.0.0/8 in any form browsers and inet_aton() read ("127.1", "2130706433", "0x7f.1"),
 * ::1, IPv4-mapped ::ffff:127.x.x.x, "localhost" and "*.localhost" (RFC 6761 §6.3). Look-alikes
 * such as "127.0.0.1.evil.example" or "localhost.evil.example" are not. */
gboolean    muster_host_is_loopback     (const char  *host);

G_END_DECLS
