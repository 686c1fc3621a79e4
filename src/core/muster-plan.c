/* muster-plan.c: what a push would change in a target — the preview
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Users are matched by externalId = the Entra object id, then by userName = the address under
 * the email method, case-insensitively (RFC 7643 §4.1.1: userName is not case-exact). A user
 * disabled in Entra or no longer in scope is disabled in the target (active = false, as
 * Microsoft's provisioning service does), deleted only when the caller allows it; see
 * https://learn.microsoft.com/entra/identity/app-provisioning/how-provisioning-works
 *
 * A plan of 100,000 users has to be ready well under half a second, so nothing is formatted per
 * user that is the same for many: explanation steps are constant strings or come from the rules
 * resolver, a desired user is only built when it differs from what the target holds, and the
 * items sit in one block.
 *
 * This file holds the object, the saved plans, the totals, the safety limit and the JSON; the
 * comparison of each user is muster-plan-users.c's, the groups and the operations a push
 * applies muster-plan-operations.c's.
 */

#define G_LOG_DOMAIN "muster-plan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "muster-json.h"
#include "muster-plan-private.h"
#include "muster-rules-private.h"
#include "muster-user-private.h"

G_DEFINE_FINAL_TYPE (MusterPlan, muster_plan, G_TYPE_OBJECT)
G_DEFINE_QUARK (muster-plan-error-quark, muster_plan_error)

static const char * const action_names[] = {
  [MUSTER_PLAN_ACTION_CREATE]    = "create",
  [MUSTER_PLAN_ACTION_UPDATE]    = "update",
  [MUSTER_PLAN_ACTION_DISABLE]   = "disable",
  [MUSTER_PLAN_ACTION_DELETE]    = "delete",
  [MUSTER_PLAN_ACTION_UNCHANGED] = "unchanged",
  [MUSTER_PLAN_ACTION_SKIPPED]   = "skipped",
};

static const char * const mode_names[] = {
  [MUSTER_PLAN_MODE_SYNC]        = "sync",
  [MUSTER_PLAN_MODE_ADD_ONLY]    = "add-only",
  [MUSTER_PLAN_MODE_UPDATE_ONLY] = "update-only",
};

/* Helpers ------------------------------------------------------------------------------------ */

/* The item of a snapshot user: at the user's position in the block. */
Item *
_muster_plan_find_user_item (MusterPlan *self,
                             MusterUser *user)
{
  guint index = _muster_user_get_index (user);

  if (index < self->n_block && self->block[index].public.user == user)
    return &self->block[index];
  return NULL;
}

static Item *
find_item (MusterPlan *self,
           const char *id)
{
  MusterUser *user = muster_snapshot_lookup_user (self->snapshot, id);

  if (user != NULL)
    return _muster_plan_find_user_item (self, user);
  return g_hash_table_lookup (self->items_by_id, id);
}

static void
item_clear (Item *item)
{
  MusterPlanItem *pub = &item->public;

  g_clear_pointer (&pub->changes, g_ptr_array_unref);
  g_clear_pointer (&pub->explanation, g_ptr_array_unref);
  g_clear_pointer (&pub->desired, muster_target_user_unref);
  g_clear_pointer (&pub->current, muster_target_user_unref);
}

void
_muster_plan_item_free (Item *item)
{
  item_clear (item);
  g_free (item);
}

void
_muster_plan_count (MusterPlan       *self,
                    MusterPlanAction  action)
{
  switch (action)
    {
    case MUSTER_PLAN_ACTION_CREATE:
      self->totals.create++;
      break;
    case MUSTER_PLAN_ACTION_UPDATE:
      self->totals.update++;
      break;
    case MUSTER_PLAN_ACTION_DISABLE:
      self->totals.disable++;
      break;
    case MUSTER_PLAN_ACTION_DELETE:
      self->totals.delete++;
      break;
    case MUSTER_PLAN_ACTION_UNCHANGED:
      self->totals.unchanged++;
      break;
    case MUSTER_PLAN_ACTION_SKIPPED:
    default:
      self->totals.skipped++;
      break;
    }
}

/* Overrides ---------------------------------------------------------------------------------- */

static void
muster_plan_finalize (GObject *object)
{
  MusterPlan *self = MUSTER_PLAN (object);

  for (guint i = 0; i < self->n_block; i++)
    item_clear (&self->block[i]);
  g_free (self->block);
  g_ptr_array_unref (self->extra);
  g_ptr_array_unref (self->items);
  g_hash_table_unref (self->items_by_id);
  g_ptr_array_unref (self->empty);
  g_ptr_array_unref (self->group_creates);
  g_ptr_array_unref (self->member_ops);
  g_clear_pointer (&self->operations, g_ptr_array_unref);
  g_clear_pointer (&self->group_operations, g_ptr_array_unref);
  g_clear_pointer (&self->saved_roles, g_ptr_array_unref);
  g_ptr_array_unref (self->warnings);
  g_string_chunk_free (self->strings);
  g_clear_pointer (&self->resolver, _muster_rules_resolver_free);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->rules);
  g_clear_pointer (&self->state, muster_target_state_unref);
  g_clear_pointer (&self->only, g_hash_table_unref);
  g_strfreev (self->only_ids);

  G_OBJECT_CLASS (muster_plan_parent_class)->finalize (object);
}

static void
muster_plan_class_init (MusterPlanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_plan_finalize;
}

static void
muster_plan_init (MusterPlan *self)
{
  self->items = g_ptr_array_new ();
  self->extra = g_ptr_array_new_with_free_func ((GDestroyNotify) _muster_plan_item_free);
  self->items_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->empty = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_field_change_free);
  self->group_creates = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  self->member_ops = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  self->strings = g_string_chunk_new (8192);
}

/* Public API --------------------------------------------------------------------------------- */

char *
muster_plan_item_describe_changes (const MusterPlanItem *item,
                                   const char           *separator,
                                   const char           *missing)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (item != NULL, NULL);
  for (guint i = 0; item->changes != NULL && i < item->changes->len; i++)
    {
      const MusterFieldChange *change = g_ptr_array_index (item->changes, i);

      if (i > 0)
        g_string_append (text, separator);
      /* Translators: one field's change in a preview or report: "title: Engineer → Manager" */
      g_string_append_printf (text, _("%s: %s → %s"), change->field,
                              change->before ? change->before : missing, change->after ? change->after : missing);
    }
  return g_string_free (text, FALSE);
}

static int
action_rank (MusterPlanAction action)
{
  static const int ranks[] = {
    [MUSTER_PLAN_ACTION_CREATE] = 0, [MUSTER_PLAN_ACTION_UPDATE] = 1, [MUSTER_PLAN_ACTION_DISABLE] = 2,
    [MUSTER_PLAN_ACTION_DELETE] = 3, [MUSTER_PLAN_ACTION_SKIPPED] = 4, [MUSTER_PLAN_ACTION_UNCHANGED] = 5,
  };
  return ranks[action];
}

int
muster_plan_item_compare_by_action (gconstpointer a,
                                    gconstpointer b)
{
  const MusterPlanItem *x = *(const MusterPlanItem **) a;
  const MusterPlanItem *y = *(const MusterPlanItem **) b;

  return action_rank (x->action) - action_rank (y->action);
}

const char *
muster_plan_action_to_string (MusterPlanAction action)
{
  g_return_val_if_fail ((guint) action < G_N_ELEMENTS (action_names), NULL);
  return action_names[action];
}

const char *
muster_plan_action_get_title (MusterPlanAction action)
{
  switch (action)
    {
    case MUSTER_PLAN_ACTION_CREATE:
      return _("Create");
    case MUSTER_PLAN_ACTION_UPDATE:
      return _("Update");
    case MUSTER_PLAN_ACTION_DISABLE:
      return _("Disable");
    case MUSTER_PLAN_ACTION_DELETE:
      return _("Delete");
    case MUSTER_PLAN_ACTION_UNCHANGED:
      return _("Unchanged");
    case MUSTER_PLAN_ACTION_SKIPPED:
      return _("Skipped");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
muster_plan_mode_to_string (MusterPlanMode mode)
{
  g_return_val_if_fail ((guint) mode < G_N_ELEMENTS (mode_names), NULL);
  return mode_names[mode];
}

gboolean
muster_plan_mode_from_string (const char     *name,
                              MusterPlanMode *mode)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (mode_names); i++)
    if (g_str_equal (name, mode_names[i]))
      {
        if (mode != NULL)
          *mode = i;
        return TRUE;
      }
  return FALSE;
}

MusterPlan *
muster_plan_new (MusterSnapshot          *snapshot,
                 MusterRules             *rules,
                 MusterTargetState       *state,
                 MusterTargetFeatures     features,
                 const MusterPlanOptions *options)
{
  g_autoptr(MusterUserFilter) filter = NULL;
  MusterPlan *self;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (snapshot), NULL);
  g_return_val_if_fail (MUSTER_IS_RULES (rules), NULL);
  g_return_val_if_fail (state != NULL, NULL);

  self = g_object_new (MUSTER_TYPE_PLAN, NULL);
  self->snapshot = g_object_ref (snapshot);
  self->rules = muster_rules_copy (rules);
  self->state = muster_target_state_ref (state);
  self->features = features;
  if (options != NULL)
    self->options = *options;
  if (self->options.only_ids != NULL)
    {
      self->only_ids = g_strdupv ((char **) self->options.only_ids);
      self->options.only_ids = (const char * const *) self->only_ids;
      self->only = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; self->only_ids[i] != NULL; i++)
        g_hash_table_add (self->only, self->only_ids[i]);
    }

  self->resolver = _muster_rules_resolver_new (self->rules, self->snapshot);
  filter = muster_rules_build_filter (self->rules);
  _muster_plan_compare_users (self, filter);
  _muster_plan_compare_groups (self);

  return self;
}

/* Copies one given item into @item, its strings into the plan. */
static void
copy_saved_item (MusterPlan           *self,
                 MusterPlanItem       *item,
                 const MusterPlanItem *given,
                 MusterUser           *user)
{
  static const char * const no_roles[] = { NULL };

  /* ids and names are one per user: only the sentences many users share are kept once */
  item->id = g_string_chunk_insert (self->strings, given->id);
  item->user_principal_name = given->user_principal_name != NULL
                              ? g_string_chunk_insert (self->strings, given->user_principal_name) : NULL;
  item->display_name = given->display_name != NULL ? g_string_chunk_insert (self->strings, given->display_name)
                                                   : NULL;
  item->action = given->action;
  item->reason = given->reason != NULL ? g_string_chunk_insert_const (self->strings, given->reason) : NULL;
  item->changes = g_ptr_array_ref (given->changes != NULL ? given->changes : self->empty);
  item->explanation = g_ptr_array_new ();
  for (guint i = 0; given->explanation != NULL && i < given->explanation->len; i++)
    g_ptr_array_add (item->explanation, g_string_chunk_insert_const (self->strings, given->explanation->pdata[i]));
  item->user_type = given->user_type;
  if (given->roles == NULL || given->roles[0] == NULL)
    item->roles = no_roles;
  else
    {
      char **roles = g_strdupv ((char **) given->roles);

      g_ptr_array_add (self->saved_roles, roles);
      item->roles = (const char * const *) roles;
    }
  item->desired = given->desired != NULL ? muster_target_user_ref (given->desired) : NULL;
  item->current = given->current != NULL ? muster_target_user_ref (given->current) : NULL;
  item->user = user;
}

MusterPlan *
muster_plan_new_saved (MusterSnapshot          *snapshot,
                       MusterRules             *rules,
                       const MusterPlanOptions *options,
                       guint                    target_user_count,
                       const MusterPlanItem    *items,
                       guint                    n_items,
                       GPtrArray               *group_operations,
                       GPtrArray               *warnings)
{
  GListModel *users;
  MusterPlan *self;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (snapshot), NULL);
  g_return_val_if_fail (MUSTER_IS_RULES (rules), NULL);
  g_return_val_if_fail (items != NULL || n_items == 0, NULL);

  self = g_object_new (MUSTER_TYPE_PLAN, NULL);
  self->saved = TRUE;
  self->snapshot = g_object_ref (snapshot);
  self->rules = muster_rules_copy (rules);
  self->state = muster_target_state_new ();
  if (options != NULL)
    self->options = *options;
  self->options.only_ids = NULL;
  self->target_user_count = target_user_count;
  self->saved_roles = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  users = muster_snapshot_get_users (snapshot);
  self->n_block = g_list_model_get_n_items (users);
  self->block = g_new0 (Item, self->n_block);

  for (guint i = 0; i < n_items; i++)
    {
      const MusterPlanItem *given = &items[i];
      MusterUser *user;
      Item *private;
      guint index;

      if (given->id == NULL)
        continue;
      user = muster_snapshot_lookup_user (snapshot, given->id);
      if (user != NULL)
        {
          index = _muster_user_get_index (user);
          if (index >= self->n_block || self->block[index].public.id != NULL)
            continue;
          copy_saved_item (self, &self->block[index].public, given, user);
        }
      else
        {
          if (g_hash_table_contains (self->items_by_id, given->id))
            continue;
          private = g_new0 (Item, 1);
          copy_saved_item (self, &private->public, given, NULL);
          g_ptr_array_add (self->extra, private);
          g_hash_table_insert (self->items_by_id, (gpointer) private->public.id, &private->public);
        }
    }

  for (guint u = 0; u < self->n_block; u++)
    {
      MusterPlanItem *item = &self->block[u].public;

      if (item->id == NULL)
        {
          g_autoptr(MusterUser) user = g_list_model_get_item (users, u);
          MusterPlanItem skipped = {
            .id = muster_user_get_id (user),
            .user_principal_name = muster_user_get_user_principal_name (user),
            .display_name = muster_user_get_display_name (user),
            .action = MUSTER_PLAN_ACTION_SKIPPED,
          };

          copy_saved_item (self, item, &skipped, user);
        }
      g_ptr_array_add (self->items, item);
      _muster_plan_count (self, item->action);
    }
  for (guint i = 0; i < self->extra->len; i++)
    {
      MusterPlanItem *item = &((Item *) self->extra->pdata[i])->public;

      g_ptr_array_add (self->items, item);
      _muster_plan_count (self, item->action);
    }

  for (guint i = 0; group_operations != NULL && i < group_operations->len; i++)
    {
      MusterOperation *operation = group_operations->pdata[i];

      switch (operation->kind)
        {
        case MUSTER_OPERATION_CREATE_GROUP:
          g_ptr_array_add (self->group_creates, muster_operation_ref (operation));
          self->totals.groups_create++;
          break;
        case MUSTER_OPERATION_ADD_MEMBER:
          g_ptr_array_add (self->member_ops, muster_operation_ref (operation));
          self->totals.members_add++;
          break;
        case MUSTER_OPERATION_REMOVE_MEMBER:
          g_ptr_array_add (self->member_ops, muster_operation_ref (operation));
          self->totals.members_remove++;
          break;
        case MUSTER_OPERATION_CREATE_USER:
        case MUSTER_OPERATION_UPDATE_USER:
        case MUSTER_OPERATION_DISABLE_USER:
        case MUSTER_OPERATION_DELETE_USER:
        default:
          break;
        }
    }
  for (guint i = 0; warnings != NULL && i < warnings->len; i++)
    g_ptr_array_add (self->warnings, g_strdup (warnings->pdata[i]));

  return self;
}

gboolean
muster_plan_is_saved (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), FALSE);
  return self->saved;
}

MusterSnapshot *
muster_plan_get_snapshot (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);
  return self->snapshot;
}

MusterRules *
muster_plan_get_rules (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);
  return self->rules;
}

MusterPlanMode
muster_plan_get_mode (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), MUSTER_PLAN_MODE_SYNC);
  return self->options.mode;
}

gboolean
muster_plan_get_allow_delete (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), FALSE);
  return self->options.allow_delete;
}

GPtrArray *
muster_plan_get_items (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);
  return self->items;
}

MusterPlanItem *
muster_plan_lookup_item (MusterPlan *self,
                         const char *id)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);
  return id != NULL ? (MusterPlanItem *) find_item (self, id) : NULL;
}

const MusterPlanTotals *
muster_plan_get_totals (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);
  return &self->totals;
}

GPtrArray *
muster_plan_get_warnings (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);
  return self->warnings;
}

guint
muster_plan_get_target_user_count (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), 0);
  return self->target_user_count;
}

guint
muster_plan_get_removal_count (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), 0);
  return self->totals.disable + self->totals.delete;
}

gboolean
muster_plan_check_safety_limit (MusterPlan  *self,
                                guint        count,
                                guint        percent,
                                GError     **error)
{
  guint removals, total;
  gboolean over_count, over_percent;
  guint share;

  g_return_val_if_fail (MUSTER_IS_PLAN (self), FALSE);

  removals = muster_plan_get_removal_count (self);
  total = self->target_user_count;
  if (removals == 0)
    return TRUE;

  over_count = count > 0 && removals > count;
  /* removals / total > percent / 100, in integers */
  over_percent = percent > 0 && (guint64) removals * 100 > (guint64) percent * total;
  if (!over_count && !over_percent)
    return TRUE;

  share = total > 0 ? (guint) (((guint64) removals * 100 + total / 2) / total) : 100;
  {
    /* Translators: the first half of "The plan disables or deletes 120 of 200 users (60 %); the limit is 50 users or 5 %." */
    g_autofree char *what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "The plan disables or deletes %u of %u user (%u %%)",
                                                          "The plan disables or deletes %u of %u users (%u %%)", total),
                                             removals, total, share);
    g_autofree char *limit = NULL;

    if (count > 0 && percent > 0)
      limit = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "the limit is %u user or %u %%",
                                            "the limit is %u users or %u %%", count), count, percent);
    else if (count > 0)
      limit = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "the limit is %u user", "the limit is %u users", count),
                               count);
    else
      limit = g_strdup_printf (_("the limit is %u %%"), percent);

    /* Translators: "%s; %s." joins the two halves above */
    g_set_error (error, MUSTER_PLAN_ERROR, MUSTER_PLAN_ERROR_SAFETY_LIMIT, _("%s; %s."), what, limit);
  }
  return FALSE;
}

/* Straight into text (muster-json.h's writers): a plan of a million users costs its text, not a
 * JSON tree several times larger. */
char *
muster_plan_to_json_text (MusterPlan *self,
                          gsize      *length)
{
  const MusterPlanTotals *totals;
  GString *out;

  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);

  totals = &self->totals;
  out = g_string_sized_new (4096 + self->items->len * 400);
  g_string_append_c (out, '{');
  muster_json_append_string_member (out, "mode", muster_plan_mode_to_string (self->options.mode));
  g_string_append_printf (out, ",\"allowDelete\":%s,\n\"totals\":{", self->options.allow_delete ? "true" : "false");
  muster_json_append_int_member (out, "create", totals->create);
  g_string_append_c (out, ',');
  muster_json_append_int_member (out, "update", totals->update);
  g_string_append_c (out, ',');
  muster_json_append_int_member (out, "disable", totals->disable);
  g_string_append_c (out, ',');
  muster_json_append_int_member (out, "delete", totals->delete);
  g_string_append_c (out, ',');
  muster_json_append_int_member (out, "unchanged", totals->unchanged);
  g_string_append_c (out, ',');
  muster_json_append_int_member (out, "skipped", totals->skipped);
  g_string_append_c (out, ',');
  muster_json_append_int_member (out, "groupsCreate", totals->groups_create);
  g_string_append_c (out, ',');
  muster_json_append_int_member (out, "membersAdd", totals->members_add);
  g_string_append_c (out, ',');
  muster_json_append_int_member (out, "membersRemove", totals->members_remove);
  g_string_append (out, "},\n");
  muster_json_append_int_member (out, "targetUsers", self->target_user_count);

  /* one user a line, so the text also reads (and greps) well */
  g_string_append (out, ",\n\"users\":[");
  for (guint i = 0; i < self->items->len; i++)
    {
      const MusterPlanItem *item = self->items->pdata[i];

      g_string_append (out, i > 0 ? ",\n{" : "\n{");
      muster_json_append_string_member (out, "id", item->id);
      g_string_append_c (out, ',');
      muster_json_append_string_member (out, "userPrincipalName", item->user_principal_name);
      g_string_append_c (out, ',');
      muster_json_append_string_member (out, "displayName", item->display_name);
      g_string_append_c (out, ',');
      muster_json_append_string_member (out, "action", muster_plan_action_to_string (item->action));
      g_string_append_c (out, ',');
      muster_json_append_string_member (out, "reason", item->reason);
      g_string_append (out, ",\"changes\":[");
      for (guint c = 0; c < item->changes->len; c++)
        {
          const MusterFieldChange *change = item->changes->pdata[c];

          g_string_append (out, c > 0 ? ",{" : "{");
          muster_json_append_string_member (out, "field", change->field);
          g_string_append_c (out, ',');
          muster_json_append_string_member (out, "before", change->before);
          g_string_append_c (out, ',');
          muster_json_append_string_member (out, "after", change->after);
          g_string_append_c (out, '}');
        }
      g_string_append (out, "],");
      muster_json_append_string_member (out, "userType", muster_user_type_to_string (item->user_type));
      g_string_append_c (out, ',');
      muster_json_append_key (out, "roles");
      muster_json_append_strv (out, (const char * const *) item->roles, -1);
      g_string_append_c (out, ',');
      muster_json_append_key (out, "explanation");
      muster_json_append_strv (out, (const char * const *) item->explanation->pdata, item->explanation->len);
      g_string_append_c (out, '}');
    }

  g_string_append (out, "],\n\"groups\":[");
  for (guint pass = 0, n = 0; pass < 2; pass++)
    {
      GPtrArray *operations = pass == 0 ? self->group_creates : self->member_ops;

      for (guint i = 0; i < operations->len; i++, n++)
        {
          const MusterOperation *operation = operations->pdata[i];
          const MusterPlanItem *item = operation->member_external_id != NULL
                                       ? (MusterPlanItem *) find_item (self, operation->member_external_id) : NULL;

          g_string_append (out, n > 0 ? ",\n{" : "\n{");
          muster_json_append_string_member (out, "action", muster_operation_kind_to_string (operation->kind));
          g_string_append_c (out, ',');
          muster_json_append_string_member (out, "group", operation->group->display_name);
          g_string_append_c (out, ',');
          muster_json_append_string_member (out, "groupId", operation->group->external_id);
          if (operation->member_external_id != NULL)
            {
              g_string_append_c (out, ',');
              muster_json_append_string_member (out, "user", operation->member_external_id);
              g_string_append_c (out, ',');
              muster_json_append_string_member (out, "userPrincipalName", item != NULL ? item->user_principal_name : NULL);
            }
          g_string_append_c (out, '}');
        }
    }
  g_string_append (out, "],\n");
  muster_json_append_key (out, "warnings");
  muster_json_append_strv (out, (const char * const *) self->warnings->pdata, self->warnings->len);
  g_string_append (out, "}\n");
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}
