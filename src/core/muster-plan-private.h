/* muster-plan-private.h: what muster-plan.c, -users.c and -operations.c share
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-plan.h"
#include "muster-rules-private.h"

G_BEGIN_DECLS

/* The private part of an item. */
typedef struct
{
  MusterPlanItem  public;
  gboolean        in_scope;
  gboolean        not_chosen;  /* options.only_ids leaves it out */
} Item;

struct _MusterPlan
{
  GObject              parent_instance;

  MusterSnapshot      *snapshot;
  MusterRules         *rules;
  MusterTargetState   *state;
  MusterTargetFeatures features;
  MusterPlanOptions    options;
  char               **only_ids;       /* options.only_ids points here */
  GHashTable          *only;           /* set of the chosen ids, or NULL for every user */

  Item                *block;          /* one per snapshot user */
  guint                n_block;
  GPtrArray           *items;          /* of MusterPlanItem*: the block, then the extra ones */
  GPtrArray           *extra;          /* of Item*, owned: target users deleted in Entra */
  GHashTable          *items_by_id;    /* the extra ones; the others are found by snapshot position */
  GPtrArray           *empty;          /* the changes of every item without any */
  MusterPlanTotals     totals;
  GPtrArray           *group_creates;  /* of MusterOperation */
  GPtrArray           *member_ops;     /* of MusterOperation */
  GPtrArray           *operations;     /* made on first use */
  GPtrArray           *warnings;       /* of char* */
  GStringChunk        *strings;
  MusterRulesResolver *resolver;       /* items' roles and words are its */
  guint                target_user_count;
  gboolean             saved;          /* muster_plan_new_saved(): given, not worked out */
  GPtrArray           *saved_roles;    /* of char **: the given items' roles */
  GPtrArray           *group_operations; /* made on first use */
};

/* Counts @action in the plan's totals. */
void   _muster_plan_count           (MusterPlan       *self,
                                     MusterPlanAction  action);
/* The item of a snapshot user, at the user's position in the block; NULL if it has none. */
Item  *_muster_plan_find_user_item  (MusterPlan       *self,
                                     MusterUser       *user);
void   _muster_plan_item_free       (Item             *item);

/* Gives every snapshot user in the block its item, and adds the items of target users deleted
 * in Entra (muster-plan-users.c). */
void   _muster_plan_compare_users   (MusterPlan       *self,
                                     MusterUserFilter *filter);
/* Works out the groups to create and the members to add or remove (muster-plan-operations.c). */
void   _muster_plan_compare_groups  (MusterPlan       *self);

G_END_DECLS
