/* muster-target.h: a system Muster pushes people into — what it holds, and how to change it
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The plan engine and the push know only this interface. Two implementations:
 * MusterSqliteTarget (a local SQLite file) and MusterScimTarget (a SCIM 2.0 service, RFC 7644).
 *
 * A target is read once per plan (read_state), and changed by batches of operations (apply).
 * Users are matched by externalId = the Entra object id, then by userName case-insensitively.
 */

#pragma once

#include <gio/gio.h>

#include "muster-user-type.h"

G_BEGIN_DECLS

/* Attributes every target stores, by the names plans, rules and reports use. Each target maps
 * them to its own form (SCIM: RFC 7643 §4.1 and §4.3; SQLite: columns of its `users` table). */
#define MUSTER_ATTR_DISPLAY_NAME    "displayName"     /* SCIM displayName */
#define MUSTER_ATTR_GIVEN_NAME      "givenName"       /* SCIM name.givenName */
#define MUSTER_ATTR_FAMILY_NAME     "familyName"      /* SCIM name.familyName */
#define MUSTER_ATTR_EMAIL           "email"           /* SCIM emails[type eq "work"].value, primary */
#define MUSTER_ATTR_TITLE           "title"           /* SCIM title (job title) */
#define MUSTER_ATTR_DEPARTMENT      "department"      /* SCIM enterprise extension */
#define MUSTER_ATTR_MANAGER         "manager"         /* enterprise manager; the value is the
                                                       * manager's Entra id, each target resolves it */
#define MUSTER_ATTR_EMPLOYEE_NUMBER "employeeNumber"  /* SCIM enterprise extension */
#define MUSTER_ATTR_MOBILE_PHONE    "mobilePhone"     /* SCIM phoneNumbers[type eq "mobile"].value */
#define MUSTER_ATTR_OFFICE_LOCATION "officeLocation"  /* SCIM addresses[type eq "work"].formatted */
/* Not attributes, but the names field changes use for the rest of a user. */
#define MUSTER_FIELD_USER_NAME      "userName"
#define MUSTER_FIELD_EXTERNAL_ID    "externalId"      /* set on a user first matched by userName */
#define MUSTER_FIELD_ACTIVE         "active"          /* "true" / "false" */
#define MUSTER_FIELD_USER_TYPE      "userType"        /* muster_user_type_to_string() */
#define MUSTER_FIELD_ROLES          "roles"           /* sorted, joined with ", " */

/* The MUSTER_ATTR_* names above, NULL-terminated, in the order reports show them. */
const char * const *muster_target_attribute_names (void);
gboolean            muster_target_attribute_is_valid (const char *name);

/* One user as a target holds it, or as a plan wants it to be. Reference-counted; immutable once
 * it is in a state or an operation. */
typedef struct
{
  char           *id;           /* the target's own id; NULL before the user is created */
  char           *external_id;  /* the Entra object id; NULL for users Muster did not make */
  char           *user_name;
  gboolean        active;
  MusterUserType  user_type;
  char          **roles;        /* sorted, never NULL */
  GHashTable     *attributes;   /* MUSTER_ATTR_* → non-empty UTF-8 value; absent means empty.
                                 * Keys are not freed: insert static names, or use
                                 * muster_target_user_set_attribute() */
  char           *version;      /* SCIM ETag (meta.version) when the service offers ETags */
  /*< private >*/
  gint            ref_count;
} MusterTargetUser;

GType              muster_target_user_get_type  (void) G_GNUC_CONST;
MusterTargetUser  *muster_target_user_new       (void);
MusterTargetUser  *muster_target_user_copy      (const MusterTargetUser *user); /* a deep copy */
MusterTargetUser  *muster_target_user_ref       (MusterTargetUser *user);
void               muster_target_user_unref     (MusterTargetUser *user);
/* Sets (NULL or "" removes) one attribute. */
void               muster_target_user_set_attribute (MusterTargetUser *user,
                                                     const char       *name,
                                                     const char       *value);
const char        *muster_target_user_get_attribute (const MusterTargetUser *user,
                                                     const char             *name);
/* Takes a copy of @roles, sorts it and drops duplicates and empty strings. */
void               muster_target_user_set_roles (MusterTargetUser   *user,
                                                 const char * const *roles);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterTargetUser, muster_target_user_unref)

/* One group in a target. Members are target user ids. */
typedef struct
{
  char       *id;           /* NULL before the group is created */
  char       *external_id;  /* the Entra group id it was made from, or NULL */
  char       *display_name;
  GHashTable *members;      /* set of target user ids */
  char       *version;
  /*< private >*/
  gint        ref_count;
} MusterTargetGroup;

GType              muster_target_group_get_type (void) G_GNUC_CONST;
MusterTargetGroup *muster_target_group_new      (void);
MusterTargetGroup *muster_target_group_ref      (MusterTargetGroup *group);
void               muster_target_group_unref    (MusterTargetGroup *group);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterTargetGroup, muster_target_group_unref)

/* Everything a target holds, as read_state found it, with the look-ups a plan needs. */
typedef struct _MusterTargetState MusterTargetState;

GType              muster_target_state_get_type (void) G_GNUC_CONST;
MusterTargetState *muster_target_state_new      (void);
MusterTargetState *muster_target_state_ref      (MusterTargetState *state);
void               muster_target_state_unref    (MusterTargetState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterTargetState, muster_target_state_unref)
/* Take a reference. A second user with the same id replaces the first. */
void               muster_target_state_add_user  (MusterTargetState  *state,
                                                  MusterTargetUser   *user);
void               muster_target_state_add_group (MusterTargetState  *state,
                                                  MusterTargetGroup  *group);
/* The roles the target offers (SQLite: its roles table; SCIM: the configured values). */
void               muster_target_state_set_roles (MusterTargetState  *state,
                                                  const char * const *roles);
const char * const *muster_target_state_get_roles (MusterTargetState *state);
GPtrArray         *muster_target_state_get_users  (MusterTargetState *state);  /* of MusterTargetUser */
GPtrArray         *muster_target_state_get_groups (MusterTargetState *state);  /* of MusterTargetGroup */
MusterTargetUser  *muster_target_state_lookup_user_by_id          (MusterTargetState *state,
                                                                   const char        *id);
MusterTargetUser  *muster_target_state_lookup_user_by_external_id (MusterTargetState *state,
                                                                   const char        *external_id);
/* userName compared case-insensitively (casefolded UTF-8), as SCIM's userName is (RFC 7643 §4.1.1). */
MusterTargetUser  *muster_target_state_lookup_user_by_user_name   (MusterTargetState *state,
                                                                   const char        *user_name);
MusterTargetGroup *muster_target_state_lookup_group_by_external_id (MusterTargetState *state,
                                                                    const char        *external_id);
MusterTargetGroup *muster_target_state_lookup_group_by_name        (MusterTargetState *state,
                                                                    const char        *display_name);

/* One field of a user, before → after (NULL: empty). */
typedef struct
{
  char *field;   /* MUSTER_ATTR_* or MUSTER_FIELD_* */
  char *before;
  char *after;
} MusterFieldChange;

MusterFieldChange *muster_field_change_new  (const char        *field,
                                             const char        *before,
                                             const char        *after);
void               muster_field_change_free (MusterFieldChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterFieldChange, muster_field_change_free)

typedef enum
{
  MUSTER_OPERATION_CREATE_USER,
  MUSTER_OPERATION_UPDATE_USER,    /* send exactly ->changes */
  MUSTER_OPERATION_DISABLE_USER,   /* active = false */
  MUSTER_OPERATION_DELETE_USER,    /* only with an explicit allow-delete */
  MUSTER_OPERATION_CREATE_GROUP,
  MUSTER_OPERATION_ADD_MEMBER,
  MUSTER_OPERATION_REMOVE_MEMBER,
} MusterOperationKind;

const char *muster_operation_kind_to_string (MusterOperationKind kind); /* "create-user", … */

/* One change to make. Operations reference users and groups by their Entra ids
 * (->user->external_id, ->group->external_id, ->member_external_id) and, where the target already
 * holds them, by the target's ids too; a target resolves the Entra ids of what it created earlier
 * in the same push itself. */
typedef struct
{
  MusterOperationKind  kind;
  char                *key;       /* unique in a plan and stable across runs of the same plan:
                                   * "create-user:<entra id>", "add-member:<group>:<user>" — the
                                   * journal's key */
  MusterTargetUser    *user;      /* create/update: the whole desired user (update: with the
                                   * target's ->id and ->version); disable/delete: the target's
                                   * user */
  GPtrArray           *changes;   /* update: of MusterFieldChange, the only fields to send */
  MusterTargetGroup   *group;     /* group operations: the group (create: ->id NULL) */
  char                *member_external_id; /* add/remove member: the user's Entra id */
  char                *member_id;          /* …and the target's id of that user, when known */
  /*< private >*/
  gint                 ref_count;
} MusterOperation;

GType            muster_operation_get_type (void) G_GNUC_CONST;
MusterOperation *muster_operation_new      (MusterOperationKind  kind,
                                            const char          *key);
MusterOperation *muster_operation_ref      (MusterOperation     *operation);
void             muster_operation_unref    (MusterOperation     *operation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterOperation, muster_operation_unref)

/* What became of one operation. */
typedef struct
{
  MusterOperation *operation;  /* a reference */
  gboolean         ok;
  char            *target_id;  /* the id of the user or group the operation made or touched */
  GError          *error;      /* when !ok: the service's own words in ->message */
} MusterOperationResult;

MusterOperationResult *muster_operation_result_new_ok     (MusterOperation *operation,
                                                           const char      *target_id);
MusterOperationResult *muster_operation_result_new_failed (MusterOperation *operation,
                                                           const GError    *error);
void                   muster_operation_result_free       (MusterOperationResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterOperationResult, muster_operation_result_free)

/* What a target can do. SCIM learns it from the service's discovery documents, so it is only
 * known once read_state has finished. */
typedef enum /*< flags >*/
{
  MUSTER_TARGET_FEATURE_GROUPS     = 1 << 0,  /* groups and memberships */
  MUSTER_TARGET_FEATURE_DELETE     = 1 << 1,
  MUSTER_TARGET_FEATURE_ROLES      = 1 << 2,
  MUSTER_TARGET_FEATURE_USER_TYPE  = 1 << 3,
  MUSTER_TARGET_FEATURE_ENTERPRISE = 1 << 4,  /* department, manager, employeeNumber */
  MUSTER_TARGET_FEATURE_ETAGS      = 1 << 5,
  MUSTER_TARGET_FEATURE_BULK       = 1 << 6,
} MusterTargetFeatures;

#define MUSTER_TARGET_ERROR (muster_target_error_quark ())

typedef enum
{
  MUSTER_TARGET_ERROR_INVALID,       /* not a target URI, or an unacceptable URL */
  MUSTER_TARGET_ERROR_UNREACHABLE,   /* the service did not answer: check the address, retry */
  MUSTER_TARGET_ERROR_AUTH,          /* the token was refused: set a new one */
  MUSTER_TARGET_ERROR_UNSUPPORTED,   /* the target cannot do what was asked */
  MUSTER_TARGET_ERROR_CONFLICT,      /* the user or group changed in the target meanwhile */
  MUSTER_TARGET_ERROR_REJECTED,      /* the target refused this one operation (4xx) */
  MUSTER_TARGET_ERROR_FAILED,        /* the target failed (5xx after retries, store error) */
} MusterTargetError;

GQuark muster_target_error_quark (void);

#define MUSTER_TYPE_TARGET (muster_target_get_type ())
G_DECLARE_INTERFACE (MusterTarget, muster_target, MUSTER, TARGET, GObject)

struct _MusterTargetInterface
{
  GTypeInterface parent_iface;

  /* Translated words for people ("SQLite store /home/ann/people.db", "SCIM service
   * https://…/scim/v2"); never a secret. */
  char                 *(*describe)          (MusterTarget        *self);
  /* "sqlite:PATH" or "scim:URL": what history records and --target accepts. */
  char                 *(*get_uri)           (MusterTarget        *self);
  MusterTargetFeatures  (*get_features)      (MusterTarget        *self);

  void                  (*read_state_async)  (MusterTarget        *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
  MusterTargetState    *(*read_state_finish) (MusterTarget        *self,
                                              GAsyncResult        *result,
                                              GError             **error);

  void                  (*apply_async)       (MusterTarget        *self,
                                              const char          *run_id,
                                              GPtrArray           *operations,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
  GPtrArray            *(*apply_finish)      (MusterTarget        *self,
                                              GAsyncResult        *result,
                                              GError             **error);
};

char                 *muster_target_describe          (MusterTarget        *self);
char                 *muster_target_get_uri           (MusterTarget        *self);
MusterTargetFeatures  muster_target_get_features      (MusterTarget        *self);

/* Reads every user, group and offered role (paged, in the background). Emits "progress"
 * (guint done, guint total; total 0 when unknown) on the caller's main context as it goes. */
void                  muster_target_read_state_async  (MusterTarget        *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
MusterTargetState    *muster_target_read_state_finish (MusterTarget        *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* Applies @operations (of MusterOperation) in order and returns one MusterOperationResult per
 * operation, in the same order. An operation whose user or group an earlier one failed to
 * create fails too. Per-operation failures are results, not errors. @run_id names the push
 * (the SQLite store records it in its sync_runs/sync_results tables in the same transaction).
 *
 * On cancellation the operations not yet made are results with G_IO_ERROR_CANCELLED. Only when
 * the target as a whole cannot be used (disk full, token refused at the first request) does
 * finish return NULL with @error, and then the batch changed nothing that is not reported. */
void                  muster_target_apply_async       (MusterTarget        *self,
                                                       const char          *run_id,
                                                       GPtrArray           *operations,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GPtrArray            *muster_target_apply_finish      (MusterTarget        *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
