/* muster-rules-private.h: the rules prepared against one snapshot, for the plan engine, and what
 * muster-rules.c and muster-rules-json.c share
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

/* Shared by muster-rules.c and muster-rules-json.c -------------------------------------------- */

struct _MusterRules
{
  GObject            parent_instance;

  /* the filter */
  char             **groups;
  gboolean           nested;
  int                group_kind;
  gboolean           exclude_unlicensed;
  gboolean           exclude_disabled;
  gboolean           exclude_guests;
  char             **deny_list;
  char              *search;
  MusterEmailMethod  email_method;

  gboolean           only_new;
  MusterUserType     default_type;
  char             **default_roles;
  GPtrArray         *group_rules;     /* of MusterGroupRule, in priority order */
  GPtrArray         *overrides;       /* of MusterUserOverride, sorted by user id */
  GPtrArray         *field_mapping;   /* of MusterFieldMapping */
  GPtrArray         *group_mapping;   /* of MusterGroupMapping */
  guint              limit_count;
  guint              limit_percent;
};

void                 _muster_rules_group_rule_free    (MusterGroupRule    *rule);
void                 _muster_rules_user_override_free (MusterUserOverride *override);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterGroupRule, _muster_rules_group_rule_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterUserOverride, _muster_rules_user_override_free)

MusterFieldMapping  *_muster_rules_field_mapping_new  (const char         *source,
                                                       const char         *attribute);
void                 _muster_rules_field_mapping_free (MusterFieldMapping *mapping);

/* The position of @group in the group rules (or the group mapping), or -1. */
int                  _muster_rules_find_group_rule    (MusterRules        *self,
                                                       const char         *group);
int                  _muster_rules_find_group_mapping (MusterRules        *self,
                                                       const char         *group);
/* The position of @user_id in the sorted overrides, or where it would go (*@found FALSE). */
guint                _muster_rules_find_override      (MusterRules        *self,
                                                       const char         *user_id,
                                                       gboolean           *found);

/* Sets a MUSTER_RULES_ERROR_INVALID naming the member at @path ("groupRules[2].userType");
 * always FALSE. */
gboolean             _muster_rules_invalid            (GError            **error,
                                                       const char         *path,
                                                       const char         *format,
                                                       ...) G_GNUC_PRINTF (3, 4);
/* "@parent.@name", or @name at the top. */
char                *_muster_rules_member_path        (const char         *parent,
                                                       const char         *name);

G_END_DECLS
