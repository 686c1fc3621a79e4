/* muster-rules-private.h: the rules prepared against one snapshot, for the plan engine
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-rules.h"

G_BEGIN_DECLS

#define _MUSTER_RULES_SOURCE_DEFAULT  (-1)
#define _MUSTER_RULES_SOURCE_OVERRIDE (-2)

/* What the rules give one user. Every pointer is owned by the resolver and lives as long as it. */
typedef struct
{
  MusterUserType       user_type;
  int                  type_source;        /* a group rule's index, or _MUSTER_RULES_SOURCE_* */
  const char * const  *roles;              /* sorted */
  const char          *type_explanation;   /* translated words */
  const char          *roles_explanation;
  const MusterUserOverride *override;      /* or NULL */
} MusterResolvedUser;

/* Group rules are resolved against @snapshot once, and the roles of each combination of
 * matching rules are worked out once, so resolving 100,000 users allocates next to nothing. */
typedef struct _MusterRulesResolver MusterRulesResolver;

MusterRulesResolver *_muster_rules_resolver_new     (MusterRules          *rules,
                                                     MusterSnapshot       *snapshot);
void                 _muster_rules_resolver_free    (MusterRulesResolver  *resolver);
void                 _muster_rules_resolver_resolve (MusterRulesResolver  *resolver,
                                                     MusterUser           *user,
                                                     MusterResolvedUser   *resolved);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterRulesResolver, _muster_rules_resolver_free)

/* A field source's position in muster_rules_field_sources(), or -1. */
int                  _muster_rules_field_source_index (const char         *source);
/* The value of source @index for @user (NULL or "" for none). */
const char          *_muster_rules_field_source_value (int                 index,
                                                       MusterUser         *user,
                                                       MusterEmailMethod   method);

/* @roles sorted, without duplicates or empty strings, as MusterTargetUser keeps them. */
char               **_muster_rules_normalize_roles    (const char * const *roles);

G_END_DECLS
