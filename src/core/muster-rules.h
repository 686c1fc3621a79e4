/* muster-rules.h: a profile's sync rules — who is in scope, what type and roles they get, which
 * fields and groups go where, and how much a push may disable
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The JSON form (muster_rules_to_json(), rules files, `muster-cli rules export`) is documented in
 * docs/rules.md.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "muster-snapshot.h"
#include "muster-user-filter.h"
#include "muster-user-type.h"

G_BEGIN_DECLS

#define MUSTER_RULES_ERROR (muster_rules_error_quark ())

typedef enum
{
  MUSTER_RULES_ERROR_INVALID,  /* the message names the bad field: "groupRules[2].userType: …" */
  MUSTER_RULES_ERROR_VERSION,  /* written by a newer Muster */
} MusterRulesError;

GQuark muster_rules_error_quark (void);

/* The "version" rules files are written with, and the newest one this code reads. */
#define MUSTER_RULES_VERSION 1

#define MUSTER_RULES_DEFAULT_SAFETY_COUNT   50
#define MUSTER_RULES_DEFAULT_SAFETY_PERCENT 5

/* An Entra group → a user type and/or roles. Rules are tried in order: the first matching rule
 * with a type gives the type; the roles of every matching rule are added up. */
typedef struct
{
  char           *group;          /* Entra group id or display name */
  gboolean        nested;         /* membership through nested groups counts (the default) */
  gboolean        has_user_type;
  MusterUserType  user_type;
  char          **roles;          /* sorted, never NULL */
} MusterGroupRule;

typedef enum
{
  MUSTER_USER_SCOPE_RULES,           /* the filter decides */
  MUSTER_USER_SCOPE_ALWAYS_INCLUDE,  /* in scope whatever the filter says (if it has an address) */
  MUSTER_USER_SCOPE_ALWAYS_EXCLUDE,  /* never in scope */
} MusterUserScope;

/* Per-user settings that win over everything else. */
typedef struct
{
  char            *user_id;        /* Entra object id */
  gboolean         has_user_type;  /* replaces the type the rules give */
  MusterUserType   user_type;
  char           **roles;          /* NULL: the rules' roles; else replaces them (may be empty) */
  MusterUserScope  scope;
} MusterUserOverride;

/* One Graph field → one target attribute (MUSTER_ATTR_*). */
typedef struct
{
  char *source;     /* muster_rules_field_sources() */
  char *attribute;  /* MUSTER_ATTR_* */
} MusterFieldMapping;

/* An Entra group → a group in the target holding its in-scope members. */
typedef struct
{
  char     *group;         /* Entra group id or display name */
  char     *target_group;  /* the target group's display name */
  gboolean  nested;
} MusterGroupMapping;

#define MUSTER_TYPE_RULES (muster_rules_get_type ())
G_DECLARE_FINAL_TYPE (MusterRules, muster_rules, MUSTER, RULES, GObject)

/* "changed" is emitted once per change of any setting. */
MusterRules        *muster_rules_new                (void);
MusterRules        *muster_rules_copy               (MusterRules         *self);
MusterRules        *muster_rules_new_from_json      (JsonNode            *node,
                                                     GError             **error);
JsonNode           *muster_rules_to_json            (MusterRules         *self);
/* The same as text (pretty-printed JSON) and back. */
MusterRules        *muster_rules_new_from_data      (const char          *data,
                                                     gssize               length,
                                                     GError             **error);
char               *muster_rules_to_data            (MusterRules         *self,
                                                     gsize               *length);

/* $MUSTER_DATA_DIR/rules/PROFILE.json. A missing file gives the defaults. Blocking: the _async
 * forms run in a worker thread. Saving is atomic and the file is private (0600). */
char               *muster_rules_get_path           (const char          *profile);
MusterRules        *muster_rules_load               (const char          *profile,
                                                     GError             **error);
gboolean            muster_rules_save               (MusterRules         *self,
                                                     const char          *profile,
                                                     GError             **error);
void                muster_rules_load_async         (const char          *profile,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
MusterRules        *muster_rules_load_finish        (GAsyncResult        *result,
                                                     GError             **error);
/* Saves the rules as they are when called; later changes are not part of this save. */
void                muster_rules_save_async         (MusterRules         *self,
                                                     const char          *profile,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean            muster_rules_save_finish        (MusterRules         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* The filter part, as a new MusterUserFilter. */
MusterUserFilter   *muster_rules_build_filter       (MusterRules         *self);
/* …and the other way: takes every filter setting of @filter. */
void                muster_rules_set_filter         (MusterRules         *self,
                                                     MusterUserFilter    *filter);

void                muster_rules_set_groups         (MusterRules         *self,
                                                     const char * const  *groups);
const char * const *muster_rules_get_groups         (MusterRules         *self);
void                muster_rules_set_nested         (MusterRules         *self,
                                                     gboolean             nested);
gboolean            muster_rules_get_nested         (MusterRules         *self);
void                muster_rules_set_group_kind     (MusterRules         *self,
                                                     int                  kind);  /* -1 any */
int                 muster_rules_get_group_kind     (MusterRules         *self);
void                muster_rules_set_exclude_unlicensed (MusterRules     *self,
                                                         gboolean         exclude);
gboolean            muster_rules_get_exclude_unlicensed (MusterRules     *self);
void                muster_rules_set_exclude_disabled (MusterRules       *self,
                                                       gboolean           exclude);
gboolean            muster_rules_get_exclude_disabled (MusterRules       *self);
void                muster_rules_set_exclude_guests (MusterRules         *self,
                                                     gboolean             exclude);
gboolean            muster_rules_get_exclude_guests (MusterRules         *self);
void                muster_rules_set_deny_list      (MusterRules         *self,
                                                     const char * const  *entries);
const char * const *muster_rules_get_deny_list      (MusterRules         *self);
void                muster_rules_set_search         (MusterRules         *self,
                                                     const char          *search);
const char         *muster_rules_get_search         (MusterRules         *self);
void                muster_rules_set_email_method   (MusterRules         *self,
                                                     MusterEmailMethod    method);
MusterEmailMethod   muster_rules_get_email_method   (MusterRules         *self);

/* Only users not yet in the target: the others are left as they are. */
void                muster_rules_set_only_new       (MusterRules         *self,
                                                     gboolean             only_new);
gboolean            muster_rules_get_only_new       (MusterRules         *self);

void                muster_rules_set_default_user_type (MusterRules      *self,
                                                        MusterUserType    type);
MusterUserType      muster_rules_get_default_user_type (MusterRules      *self);
void                muster_rules_set_default_roles  (MusterRules         *self,
                                                     const char * const  *roles);
const char * const *muster_rules_get_default_roles  (MusterRules         *self);

/* Of MusterGroupRule, in priority order. */
GPtrArray          *muster_rules_get_group_rules    (MusterRules         *self);
const MusterGroupRule *muster_rules_lookup_group_rule (MusterRules       *self,
                                                       const char        *group);
/* Replaces the rule for @group where it stands, or adds it last. @user_type NULL: no type. */
void                muster_rules_set_group_rule     (MusterRules         *self,
                                                     const char          *group,
                                                     gboolean             nested,
                                                     const MusterUserType *user_type,
                                                     const char * const  *roles);
gboolean            muster_rules_remove_group_rule  (MusterRules         *self,
                                                     const char          *group);

/* Of MusterUserOverride, sorted by user id. */
GPtrArray          *muster_rules_get_user_overrides (MusterRules         *self);
const MusterUserOverride *muster_rules_lookup_user_override (MusterRules *self,
                                                             const char  *user_id);
/* @user_type NULL: the rules' type; @roles NULL: the rules' roles. */
void                muster_rules_set_user_override  (MusterRules         *self,
                                                     const char          *user_id,
                                                     const MusterUserType *user_type,
                                                     const char * const  *roles,
                                                     MusterUserScope      scope);
gboolean            muster_rules_remove_user_override (MusterRules       *self,
                                                       const char        *user_id);

/* The Graph fields a mapping can read: "displayName", "givenName", "surname", "email" (the
 * address under the email method), "userPrincipalName", "mail", "jobTitle", "department",
 * "companyName", "manager" (the manager's Entra id), "employeeId", "mobilePhone",
 * "businessPhone" (the first), "officeLocation". NULL-terminated. */
const char * const *muster_rules_field_sources      (void);
/* Of MusterFieldMapping, in order. */
GPtrArray          *muster_rules_get_field_mapping  (MusterRules         *self);
/* Replaces the mapping (each attribute at most once; FALSE and nothing changed otherwise). */
gboolean            muster_rules_set_field_mapping  (MusterRules              *self,
                                                     const MusterFieldMapping *mappings,
                                                     guint                     n_mappings,
                                                     GError                  **error);

/* Of MusterGroupMapping, in order. */
GPtrArray          *muster_rules_get_group_mapping  (MusterRules         *self);
/* Replaces the mapping of @group where it stands, or adds it last. */
void                muster_rules_set_group_mapping  (MusterRules         *self,
                                                     const char          *group,
                                                     const char          *target_group,
                                                     gboolean             nested);
gboolean            muster_rules_remove_group_mapping (MusterRules       *self,
                                                       const char        *group);

/* Disables and deletes a push may make: a count and a percentage of the target's active
 * managed users (0 turns that half off). TRUE when either is set. */
gboolean            muster_rules_get_safety_limit   (MusterRules         *self,
                                                     guint               *count,
                                                     guint               *percent);
void                muster_rules_set_safety_limit   (MusterRules         *self,
                                                     guint                count,
                                                     guint                percent);


G_END_DECLS
