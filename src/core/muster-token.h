/* muster-token.h: what the token endpoint gives back
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  char   *access_token;   /* secret: never logged */
  char   *refresh_token;  /* secret; NULL without offline_access and for app-only */
  GStrv   scopes;         /* as granted, without the resource prefix ("User.Read.All") */
  gint64  expires_at;     /* unix time */

  /* From the id_token, for display only: Microsoft says clients must not validate tokens meant
   * for others, and Muster identifies people by tid + oid
   * (learn.microsoft.com/entra/identity-platform/id-token-claims-reference). */
  char   *tenant_id;
  char   *object_id;
  char   *name;
  char   *username;
} MusterToken;

#define MUSTER_TYPE_TOKEN (muster_token_get_type ())

GType        muster_token_get_type      (void);
MusterToken *muster_token_copy          (const MusterToken *token);
void         muster_token_free          (MusterToken       *token);
/* Parses a token endpoint's success body; @now is the unix time the request was sent. */
MusterToken *muster_token_parse         (JsonNode          *body,
                                         gint64             now,
                                         GError           **error);
gboolean     muster_token_has_scope     (const MusterToken *token,
                                         const char        *scope);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterToken, muster_token_free)

G_END_DECLS
