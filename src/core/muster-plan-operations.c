/* muster-plan-operations.c: what a plan asks of a target: groups, memberships and the operations of a push
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The groups the rules name are created where missing and their members added or removed; the
 * operations come out in an order a target can apply them in: managers before their reports.
 */

#define G_LOG_DOMAIN "muster-plan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-plan-private.h"

/* Groups ------------------------------------------------------------------------------------- */

static MusterOperation *
member_operation (MusterOperationKind  kind,
                  const char          *group_id,
                  MusterTargetGroup   *group,
                  const char          *user_external_id,
                  const char          *user_id)
{
  g_autofree char *key = g_strdup_printf ("%s:%s:%s", muster_operation_kind_to_string (kind), group_id,
                                          user_external_id);
  MusterOperation *operation = muster_operation_new (kind, key);

  operation->group = muster_target_group_ref (group);
  operation->member_external_id = g_strdup (user_external_id);
  operation->member_id = g_strdup (user_id);
  return operation;
}

static int
compare_by_external_id (gconstpointer a,
                        gconstpointer b)
{
  const MusterTargetUser *ua = *(MusterTargetUser * const *) a;
  const MusterTargetUser *ub = *(MusterTargetUser * const *) b;

  return strcmp (ua->external_id, ub->external_id);
}

/* Does this item's user end up in the target, in scope? */
static gboolean
item_is_member (const Item *item)
{
  switch (item->public.action)
    {
    case MUSTER_PLAN_ACTION_CREATE:
    case MUSTER_PLAN_ACTION_UPDATE:
    case MUSTER_PLAN_ACTION_UNCHANGED:
      return TRUE;
    case MUSTER_PLAN_ACTION_SKIPPED:
      /* add-only leaves users that are there: they are members all the same */
      return !item->not_chosen && item->in_scope && item->public.current != NULL && item->public.current->active &&
             muster_user_get_account_enabled (item->public.user);
    case MUSTER_PLAN_ACTION_DISABLE:
    case MUSTER_PLAN_ACTION_DELETE:
    default:
      return FALSE;
    }
}

void
_muster_plan_compare_groups (MusterPlan *self)
{
  GPtrArray *mapping = muster_rules_get_group_mapping (self->rules);
  gboolean removals = self->options.mode != MUSTER_PLAN_MODE_ADD_ONLY && !muster_rules_get_only_new (self->rules);

  if (mapping->len > 0 && !(self->features & MUSTER_TARGET_FEATURE_GROUPS))
    {
      g_ptr_array_add (self->warnings, g_strdup (_("The target has no groups: the group mapping is not used")));
      return;
    }

  for (guint m = 0; m < mapping->len; m++)
    {
      const MusterGroupMapping *entry = mapping->pdata[m];
      MusterGroup *group = muster_snapshot_lookup_group (self->snapshot, entry->group);
      g_autoptr(GPtrArray) members = NULL;
      g_autoptr(GHashTable) wanted_users = NULL;
      g_autoptr(GPtrArray) unwanted = NULL;
      g_autoptr(MusterTargetGroup) target_group = NULL;
      const char *group_id;
      GHashTableIter iter;
      gpointer key;

      if (group == NULL)
        {
          g_ptr_array_add (self->warnings,
                           g_strdup_printf (_("Group mapping: there is no group “%s” in the snapshot"), entry->group));
          continue;
        }
      group_id = muster_group_get_id (group);

      target_group = muster_target_state_lookup_group_by_external_id (self->state, group_id);
      if (target_group == NULL)
        target_group = muster_target_state_lookup_group_by_name (self->state, entry->target_group);
      if (target_group != NULL)
        muster_target_group_ref (target_group);
      else
        {
          g_autofree char *create_key = g_strconcat ("create-group:", group_id, NULL);
          MusterOperation *operation = muster_operation_new (MUSTER_OPERATION_CREATE_GROUP, create_key);

          target_group = muster_target_group_new ();
          target_group->external_id = g_strdup (group_id);
          target_group->display_name = g_strdup (entry->target_group);
          operation->group = muster_target_group_ref (target_group);
          g_ptr_array_add (self->group_creates, operation);
          self->totals.groups_create++;
        }

      /* Wanted: the in-scope members that exist in the target or are being created. */
      wanted_users = g_hash_table_new (NULL, NULL);  /* of MusterTargetUser* */
      members = muster_snapshot_get_group_members (self->snapshot, group_id, entry->nested);
      for (guint i = 0; i < members->len; i++)
        {
          const char *user_id = muster_user_get_id (members->pdata[i]);
          Item *item = _muster_plan_find_user_item (self, members->pdata[i]);
          const char *target_id;

          if (item == NULL || !item_is_member (item))
            continue;
          if (item->public.current != NULL)
            g_hash_table_add (wanted_users, item->public.current);
          target_id = item->public.current != NULL ? item->public.current->id : NULL;
          if (target_id != NULL && g_hash_table_contains (target_group->members, target_id))
            continue;
          /* add-only and "only new users" leave the users already there as they are */
          if (!removals && item->public.action != MUSTER_PLAN_ACTION_CREATE)
            continue;
          g_ptr_array_add (self->member_ops, member_operation (MUSTER_OPERATION_ADD_MEMBER, group_id, target_group,
                                                               user_id, target_id));
          self->totals.members_add++;
        }

      if (!removals)
        continue;
      /* Members Muster manages that should not be there; the others are left alone. */
      unwanted = g_ptr_array_new ();
      g_hash_table_iter_init (&iter, target_group->members);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          MusterTargetUser *member = muster_target_state_lookup_user_by_id (self->state, key);

          if (member != NULL && member->external_id != NULL && !g_hash_table_contains (wanted_users, member) &&
              (self->only == NULL || g_hash_table_contains (self->only, member->external_id)))
            g_ptr_array_add (unwanted, member);
        }
      /* in a stable order: the same plan gives the same operations */
      g_ptr_array_sort (unwanted, compare_by_external_id);
      for (guint i = 0; i < unwanted->len; i++)
        {
          MusterTargetUser *member = unwanted->pdata[i];

          g_ptr_array_add (self->member_ops, member_operation (MUSTER_OPERATION_REMOVE_MEMBER, group_id, target_group,
                                                               member->external_id, member->id));
          self->totals.members_remove++;
        }
    }
}

static MusterOperation *
user_operation (MusterOperationKind   kind,
                const MusterPlanItem *item)
{
  g_autofree char *key = g_strconcat (muster_operation_kind_to_string (kind), ":", item->id, NULL);
  MusterOperation *operation = muster_operation_new (kind, key);

  switch (kind)
    {
    case MUSTER_OPERATION_CREATE_USER:
      operation->user = muster_target_user_ref (item->desired);
      break;
    case MUSTER_OPERATION_UPDATE_USER:
      operation->user = muster_target_user_ref (item->desired);
      g_ptr_array_unref (operation->changes);
      operation->changes = g_ptr_array_ref (item->changes);
      break;
    case MUSTER_OPERATION_DISABLE_USER:
    case MUSTER_OPERATION_DELETE_USER:
    default:
      operation->user = muster_target_user_ref (item->current);
      break;
    }
  return operation;
}

/* Public API --------------------------------------------------------------------------------- */

GPtrArray *
muster_plan_get_group_operations (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);

  if (self->group_operations == NULL)
    {
      self->group_operations = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
      for (guint i = 0; i < self->group_creates->len; i++)
        g_ptr_array_add (self->group_operations, muster_operation_ref (self->group_creates->pdata[i]));
      for (guint i = 0; i < self->member_ops->len; i++)
        g_ptr_array_add (self->group_operations, muster_operation_ref (self->member_ops->pdata[i]));
    }
  return self->group_operations;
}

/* How many managers above @item this plan also creates or updates (cached in @depths; a cycle
 * of managers stops at the plan's size). */
static guint
manager_depth (MusterPlan     *self,
               GHashTable     *depths,
               MusterPlanItem *item,
               guint           guard)
{
  const char *manager_id;
  MusterPlanItem *manager;
  gpointer cached;
  guint depth = 0;

  if (g_hash_table_lookup_extended (depths, item->id, NULL, &cached))
    return GPOINTER_TO_UINT (cached);

  manager_id = item->desired != NULL ? muster_target_user_get_attribute (item->desired, MUSTER_ATTR_MANAGER) : NULL;
  manager = manager_id != NULL ? muster_plan_lookup_item (self, manager_id) : NULL;
  if (manager != NULL && guard < self->items->len &&
      (manager->action == MUSTER_PLAN_ACTION_CREATE || manager->action == MUSTER_PLAN_ACTION_UPDATE))
    depth = manager_depth (self, depths, manager, guard + 1) + 1;

  g_hash_table_insert (depths, (gpointer) item->id, GUINT_TO_POINTER (depth));
  return depth;
}

static int
compare_manager_depth (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  const MusterPlanItem *item_a = *(const MusterPlanItem * const *) a;
  const MusterPlanItem *item_b = *(const MusterPlanItem * const *) b;
  guint depth_a = GPOINTER_TO_UINT (g_hash_table_lookup (user_data, item_a->id));
  guint depth_b = GPOINTER_TO_UINT (g_hash_table_lookup (user_data, item_b->id));

  return depth_a < depth_b ? -1 : depth_a > depth_b;
}

GPtrArray *
muster_plan_get_operations (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);

  if (self->operations != NULL)
    return self->operations;

  self->operations = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  {
    g_autoptr(GPtrArray) writes = g_ptr_array_new ();
    g_autoptr(GHashTable) depths = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i < self->items->len; i++)
      {
        MusterPlanItem *item = self->items->pdata[i];

        if (item->action == MUSTER_PLAN_ACTION_CREATE || item->action == MUSTER_PLAN_ACTION_UPDATE)
          g_ptr_array_add (writes, item);
      }
    /* managers first, so that a target can link each report to a manager it already made */
    for (guint i = 0; i < writes->len; i++)
      manager_depth (self, depths, writes->pdata[i], 0);
    g_ptr_array_sort_with_data (writes, compare_manager_depth, depths);
    for (guint i = 0; i < writes->len; i++)
      {
        const MusterPlanItem *item = writes->pdata[i];

        g_ptr_array_add (self->operations,
                         user_operation (item->action == MUSTER_PLAN_ACTION_CREATE ? MUSTER_OPERATION_CREATE_USER
                                                                                   : MUSTER_OPERATION_UPDATE_USER,
                                         item));
      }
  }
  for (guint i = 0; i < self->group_creates->len; i++)
    g_ptr_array_add (self->operations, muster_operation_ref (self->group_creates->pdata[i]));
  for (guint i = 0; i < self->member_ops->len; i++)
    g_ptr_array_add (self->operations, muster_operation_ref (self->member_ops->pdata[i]));
  for (guint i = 0; i < self->items->len; i++)
    {
      const MusterPlanItem *item = self->items->pdata[i];

      if (item->action == MUSTER_PLAN_ACTION_DISABLE)
        g_ptr_array_add (self->operations, user_operation (MUSTER_OPERATION_DISABLE_USER, item));
    }
  for (guint i = 0; i < self->items->len; i++)
    {
      const MusterPlanItem *item = self->items->pdata[i];

      if (item->action == MUSTER_PLAN_ACTION_DELETE)
        g_ptr_array_add (self->operations, user_operation (MUSTER_OPERATION_DELETE_USER, item));
    }
  return self->operations;
}
