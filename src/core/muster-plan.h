/* muster-plan.h: what a push would change in a target — the preview
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A plan compares a snapshot, through a profile's rules, with what a target holds. It does no
 * I/O: read the target's state first (muster_target_read_state_async()).
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "muster-rules.h"
#include "muster-snapshot.h"
#include "muster-target.h"

G_BEGIN_DECLS

#define MUSTER_PLAN_ERROR (muster_plan_error_quark ())

typedef enum
{
  MUSTER_PLAN_ERROR_SAFETY_LIMIT,  /* the plan disables or deletes more than the limit allows */
} MusterPlanError;

GQuark muster_plan_error_quark (void);

typedef enum
{
  MUSTER_PLAN_ACTION_CREATE,
  MUSTER_PLAN_ACTION_UPDATE,
  MUSTER_PLAN_ACTION_DISABLE,
  MUSTER_PLAN_ACTION_DELETE,
  MUSTER_PLAN_ACTION_UNCHANGED,
  MUSTER_PLAN_ACTION_SKIPPED,
} MusterPlanAction;

/* "create", "update", "disable", "delete", "unchanged", "skipped" */
const char *muster_plan_action_to_string (MusterPlanAction action);
/* "Create", …, translated */
const char *muster_plan_action_get_title (MusterPlanAction action);

typedef enum
{
  MUSTER_PLAN_MODE_SYNC,         /* create, update, disable (and delete when allowed) */
  MUSTER_PLAN_MODE_ADD_ONLY,     /* "Add N users": creates (and adds them to mapped groups) only */
  MUSTER_PLAN_MODE_UPDATE_ONLY,  /* "Update existing users": everything but creates */
} MusterPlanMode;

const char *muster_plan_mode_to_string   (MusterPlanMode  mode);  /* "sync", "add-only", "update-only" */
gboolean    muster_plan_mode_from_string (const char     *name,
                                          MusterPlanMode *mode);

typedef struct
{
  MusterPlanMode mode;
  gboolean       allow_delete;  /* delete instead of disable, where the target can */
  /* NULL: every user. Else only these Entra ids are planned: the others are skipped ("not among
   * the chosen users") and never disabled, deleted or moved between groups. Copied by
   * muster_plan_new(). */
  const char * const *only_ids;
} MusterPlanOptions;

/* One user's fate. Owned by the plan; every member lives as long as it. */
typedef struct
{
  const char        *id;                   /* the Entra object id */
  const char        *user_principal_name;  /* for a user deleted in Entra: the target's userName */
  const char        *display_name;
  MusterPlanAction   action;
  const char        *reason;               /* translated words; NULL when there is nothing to say */
  GPtrArray         *changes;              /* of MusterFieldChange: update only, else empty */
  GPtrArray         *explanation;          /* of const char *: each step, translated */
  MusterUserType     user_type;
  const char * const *roles;               /* sorted */
  MusterTargetUser  *desired;              /* NULL for skipped and for users deleted in Entra */
  MusterTargetUser  *current;              /* NULL when not in the target */
  MusterUser        *user;                 /* the snapshot's user; NULL when deleted in Entra */
} MusterPlanItem;

/* @item's field changes as text, "field: before → after" each, joined by @separator, @missing
 * standing for an empty side; "" when there are none. */
char *muster_plan_item_describe_changes (const MusterPlanItem *item,
                                         const char           *separator,
                                         const char           *missing);
/* For g_ptr_array_sort() of MusterPlanItem *: creates, updates, disables, deletes, skipped, then
 * unchanged — the order reports and tables list them in. The sort is stable, so within one
 * action the snapshot's order stays. */
int   muster_plan_item_compare_by_action (gconstpointer a,
                                          gconstpointer b);

typedef struct
{
  guint create;
  guint update;
  guint disable;
  guint delete;
  guint unchanged;
  guint skipped;
  guint groups_create;
  guint members_add;
  guint members_remove;
} MusterPlanTotals;

#define MUSTER_TYPE_PLAN (muster_plan_get_type ())
G_DECLARE_FINAL_TYPE (MusterPlan, muster_plan, MUSTER, PLAN, GObject)

/* @options NULL: sync, no deletes. */
MusterPlan             *muster_plan_new                  (MusterSnapshot          *snapshot,
                                                          MusterRules             *rules,
                                                          MusterTargetState       *state,
                                                          MusterTargetFeatures     features,
                                                          const MusterPlanOptions *options);

/* A read-only plan given whole instead of worked out: a saved preview (muster-preview-file.h).
 * Each of the @n_items items is copied (strings into the plan; changes, desired and current by
 * reference); an item whose id is a user of @snapshot takes that user and its place in the
 * snapshot's order, the others (users deleted in Entra) come after, in their order. A snapshot
 * user without an item is skipped; a repeated id counts once. @group_operations are the
 * create-group, add-member and remove-member operations (of MusterOperation), in order;
 * @warnings of const char *, or NULL. The totals are counted from what is given. */
MusterPlan             *muster_plan_new_saved            (MusterSnapshot          *snapshot,
                                                          MusterRules             *rules,
                                                          const MusterPlanOptions *options,
                                                          guint                    target_user_count,
                                                          const MusterPlanItem    *items,
                                                          guint                    n_items,
                                                          GPtrArray               *group_operations,
                                                          GPtrArray               *warnings);
/* TRUE for a plan made by muster_plan_new_saved(). */
gboolean                muster_plan_is_saved             (MusterPlan *self);
/* The create-group, add-member and remove-member operations, in order (of MusterOperation). */
GPtrArray              *muster_plan_get_group_operations (MusterPlan *self);

MusterSnapshot         *muster_plan_get_snapshot         (MusterPlan *self);
MusterRules            *muster_plan_get_rules            (MusterPlan *self);
MusterPlanMode          muster_plan_get_mode             (MusterPlan *self);
gboolean                muster_plan_get_allow_delete     (MusterPlan *self);
/* Of MusterPlanItem: the snapshot's users in its order, then the target's users deleted in Entra. */
GPtrArray              *muster_plan_get_items            (MusterPlan *self);
MusterPlanItem         *muster_plan_lookup_item          (MusterPlan *self,
                                                          const char *id);
const MusterPlanTotals *muster_plan_get_totals           (MusterPlan *self);
/* Of MusterOperation, in the order to apply them: create and update users, create groups, add
 * and remove members, disable, delete. Keys are stable across runs of the same plan. */
GPtrArray              *muster_plan_get_operations       (MusterPlan *self);
/* Translated notes about rules that did nothing (a mapped group missing from the snapshot, a
 * target without groups…). Of const char *. */
GPtrArray              *muster_plan_get_warnings         (MusterPlan *self);
/* The target's active users Muster manages (with an externalId): what the limit is measured on. */
guint                   muster_plan_get_target_user_count (MusterPlan *self);
/* Disables plus deletes. */
guint                   muster_plan_get_removal_count    (MusterPlan *self);
/* FALSE with MUSTER_PLAN_ERROR_SAFETY_LIMIT when the disables and deletes exceed @count users or
 * @percent % of the target's active managed users (0 turns that half off). No removals always
 * pass. */
gboolean                muster_plan_check_safety_limit   (MusterPlan *self,
                                                          guint       count,
                                                          guint       percent,
                                                          GError    **error);
/* {"mode", "allowDelete", "totals": {…}, "targetUsers", "users": [{"id", "userPrincipalName",
 * "displayName", "action", "reason", "changes": [{"field", "before", "after"}], "userType",
 * "roles", "explanation"}], "groups": […], "warnings": […]} — every item, unchanged ones too —
 * as UTF-8 JSON text ending in a newline, one user or group operation a line; its length in
 * @length. */
char                   *muster_plan_to_json_text         (MusterPlan *self,
                                                          gsize      *length);

G_END_DECLS
