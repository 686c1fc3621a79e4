/* muster-preview-file.c: a plan saved as a .muster-preview file — opened offline, compared with a
 * fresh plan and pushed later
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format is docs/preview-format.md. A preview of 100,000 users has to be written and read in
 * well under a second each, so it is written straight into one buffer (no JSON tree), read with
 * cJSON, and the reasons and explanation steps — the same few sentences for most users — are
 * kept once in a table of strings the users point into by number.
 *
 * This file holds the object, its getters and the comparison with a fresh plan; writing is
 * muster-preview-file-write.c's, reading muster-preview-file-read.c's.
 */

#define G_LOG_DOMAIN "muster-preview-file"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-preview-file-private.h"

G_DEFINE_FINAL_TYPE (MusterPreviewFile, muster_preview_file, G_TYPE_OBJECT)
G_DEFINE_QUARK (muster-preview-file-error-quark, muster_preview_file_error)

/* Helpers -------------------------------------------------------------------------------------- */

/* NULL for no item or no changes, so that a comparison can tell "no changes" apart */
static char *
describe_changes (const MusterPlanItem *item)
{
  if (item == NULL || item->changes == NULL || item->changes->len == 0)
    return NULL;
  return muster_plan_item_describe_changes (item, "; ", "∅");
}

static gboolean
target_users_equal (const MusterTargetUser *a,
                    const MusterTargetUser *b)
{
  const char * const *names = muster_target_attribute_names ();

  if (g_strcmp0 (a->external_id, b->external_id) != 0 || g_strcmp0 (a->user_name, b->user_name) != 0 ||
      a->active != b->active || a->user_type != b->user_type ||
      !g_strv_equal ((const char * const *) a->roles, (const char * const *) b->roles))
    return FALSE;
  /* an ETag that moved says the resource changed, even in what Muster does not read */
  if (a->version != NULL && b->version != NULL && g_strcmp0 (a->version, b->version) != 0)
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    if (g_strcmp0 (muster_target_user_get_attribute (a, names[i]), muster_target_user_get_attribute (b, names[i])) != 0)
      return FALSE;
  return TRUE;
}

/* Does @state still hold what the preview saw of @item in the target? */
static gboolean
item_still_holds (const MusterPlanItem *item,
                  MusterTargetState    *state)
{
  MusterTargetUser *now;

  if (item->current == NULL)
    {
      /* not there then: nobody of that externalId or userName may have come since */
      if (muster_target_state_lookup_user_by_external_id (state, item->id) != NULL)
        return FALSE;
      return item->desired == NULL || item->desired->user_name == NULL ||
             muster_target_state_lookup_user_by_user_name (state, item->desired->user_name) == NULL;
    }
  now = item->current->id != NULL ? muster_target_state_lookup_user_by_id (state, item->current->id) : NULL;
  if (now == NULL && item->current->external_id != NULL)
    now = muster_target_state_lookup_user_by_external_id (state, item->current->external_id);
  return now != NULL && target_users_equal (item->current, now);
}

/* Public API ----------------------------------------------------------------------------------- */

void
muster_preview_difference_free (MusterPreviewDifference *difference)
{
  if (difference == NULL)
    return;
  g_free (difference->id);
  g_free (difference->user_principal_name);
  g_free (difference->display_name);
  g_free (difference->saved_changes);
  g_free (difference->fresh_changes);
  g_free (difference->summary);
  g_free (difference);
}

MusterPreviewFile *
muster_preview_file_new (MusterPlan                  *plan,
                         const MusterPreviewFileInfo *info)
{
  MusterPreviewFile *self;
  const MusterSnapshotInfo *snapshot_info;

  g_return_val_if_fail (MUSTER_IS_PLAN (plan), NULL);
  g_return_val_if_fail (info != NULL && info->target_uri != NULL, NULL);

  snapshot_info = muster_snapshot_get_info (muster_plan_get_snapshot (plan));
  self = g_object_new (MUSTER_TYPE_PREVIEW_FILE, NULL);
  self->plan = g_object_ref (plan);
  self->format_version = MUSTER_PREVIEW_FILE_FORMAT_VERSION;
  self->app_version = g_strdup (PACKAGE_VERSION);
  self->created = g_date_time_new_now_utc ();
  self->profile = g_strdup (info->profile != NULL ? info->profile : snapshot_info->profile);
  self->tenant_id = g_strdup (info->tenant_id != NULL ? info->tenant_id : snapshot_info->tenant_id);
  self->tenant_name = g_strdup (info->tenant_name);
  self->made_by = g_strdup (info->made_by != NULL ? info->made_by : g_get_user_name ());
  self->target_uri = g_strdup (info->target_uri);
  self->target_name = g_strdup (info->target_name);
  self->target_description = g_strdup (info->target_description);
  self->snapshot_id = snapshot_info->id;
  self->snapshot_time = snapshot_info->created_at;
  self->snapshot_users = g_list_model_get_n_items (muster_snapshot_get_users (muster_plan_get_snapshot (plan)));
  return self;
}

MusterPlan *
muster_preview_file_get_plan (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->plan;
}

guint
muster_preview_file_get_format_version (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), 0);
  return self->format_version;
}

const char *
muster_preview_file_get_app_version (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->app_version;
}

GDateTime *
muster_preview_file_get_created (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->created;
}

const char *
muster_preview_file_get_profile (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->profile;
}

const char *
muster_preview_file_get_tenant_id (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->tenant_id;
}

const char *
muster_preview_file_get_tenant_name (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->tenant_name;
}

const char *
muster_preview_file_get_made_by (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->made_by;
}

const char *
muster_preview_file_get_target_uri (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->target_uri;
}

const char *
muster_preview_file_get_target_name (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->target_name;
}

const char *
muster_preview_file_get_target_description (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->target_description != NULL ? self->target_description : self->target_uri;
}

gint64
muster_preview_file_get_snapshot_id (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), 0);
  return self->snapshot_id;
}

gint64
muster_preview_file_get_snapshot_time (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), 0);
  return self->snapshot_time;
}

char *
muster_preview_file_describe (MusterPreviewFile *self)
{
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *date = NULL;
  const char *tenant;

  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);

  local = g_date_time_to_local (self->created);
  /* Translators: the date and time a saved preview was made, see strftime(3) */
  date = g_date_time_format (local, _("%-d %B %Y, %H:%M"));
  g_strstrip (date);
  tenant = self->tenant_name != NULL ? self->tenant_name
           : self->tenant_id != NULL ? self->tenant_id : _("an unnamed tenant");
  if (self->made_by != NULL)
    /* Translators: "Saved preview — read only, made on 3 December 2026, 16:40 for Contoso by ann@contoso.com" */
    return g_strdup_printf (_("Saved preview — read only, made on %s for %s by %s"), date, tenant, self->made_by);
  return g_strdup_printf (_("Saved preview — read only, made on %s for %s"), date, tenant);
}

GPtrArray *
muster_preview_file_get_operations_for (MusterPreviewFile  *self,
                                        MusterTargetState  *state,
                                        GPtrArray         **left_out)
{
  g_autoptr(GHashTable) changed = g_hash_table_new (g_str_hash, g_str_equal);  /* Entra ids */
  GPtrArray *items, *operations, *out;

  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  g_return_val_if_fail (state != NULL, NULL);

  if (left_out != NULL)
    *left_out = g_ptr_array_new ();
  items = muster_plan_get_items (self->plan);
  for (guint i = 0; i < items->len; i++)
    {
      MusterPlanItem *item = items->pdata[i];

      if (item->action != MUSTER_PLAN_ACTION_CREATE && item->action != MUSTER_PLAN_ACTION_UPDATE &&
          item->action != MUSTER_PLAN_ACTION_DISABLE && item->action != MUSTER_PLAN_ACTION_DELETE)
        continue;
      if (item_still_holds (item, state))
        continue;
      g_hash_table_add (changed, (gpointer) item->id);
      if (left_out != NULL)
        g_ptr_array_add (*left_out, item);
    }

  operations = muster_plan_get_operations (self->plan);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  for (guint i = 0; i < operations->len; i++)
    {
      MusterOperation *operation = operations->pdata[i];
      const char *user = NULL;

      switch (operation->kind)
        {
        case MUSTER_OPERATION_CREATE_USER:
        case MUSTER_OPERATION_UPDATE_USER:
        case MUSTER_OPERATION_DISABLE_USER:
        case MUSTER_OPERATION_DELETE_USER:
          user = operation->user != NULL ? operation->user->external_id : NULL;
          break;
        case MUSTER_OPERATION_CREATE_GROUP:
          /* a group of that name or origin made since is someone else's change */
          if (muster_target_state_lookup_group_by_external_id (state, operation->group->external_id) != NULL ||
              muster_target_state_lookup_group_by_name (state, operation->group->display_name) != NULL)
            continue;
          break;
        case MUSTER_OPERATION_ADD_MEMBER:
        case MUSTER_OPERATION_REMOVE_MEMBER:
        default:
          user = operation->member_external_id;
          break;
        }
      if (user != NULL && g_hash_table_contains (changed, user))
        continue;
      g_ptr_array_add (out, muster_operation_ref (operation));
    }
  return out;
}

static MusterPreviewDifference *
difference_new (const MusterPlanItem *saved,
                const MusterPlanItem *fresh)
{
  const MusterPlanItem *any = saved != NULL ? saved : fresh;
  MusterPreviewDifference *difference = g_new0 (MusterPreviewDifference, 1);

  difference->id = g_strdup (any->id);
  difference->user_principal_name = g_strdup (fresh != NULL && fresh->user_principal_name != NULL
                                              ? fresh->user_principal_name : any->user_principal_name);
  difference->display_name = g_strdup (fresh != NULL && fresh->display_name != NULL ? fresh->display_name
                                                                                     : any->display_name);
  difference->in_saved = saved != NULL;
  difference->in_fresh = fresh != NULL;
  if (saved != NULL)
    {
      difference->saved_action = saved->action;
      difference->saved_changes = describe_changes (saved);
    }
  if (fresh != NULL)
    {
      difference->fresh_action = fresh->action;
      difference->fresh_changes = describe_changes (fresh);
    }
  if (saved == NULL)
    /* Translators: a user a fresh plan has and a saved preview had not; %s is an action */
    difference->summary = g_strdup_printf (_("New since the preview: now %s"),
                                           muster_plan_action_get_title (fresh->action));
  else if (fresh == NULL)
    difference->summary = g_strdup_printf (_("Gone since the preview (it said %s)"),
                                           muster_plan_action_get_title (saved->action));
  else if (saved->action != fresh->action)
    /* Translators: "Was Update, now Unchanged" */
    difference->summary = g_strdup_printf (_("Was %s, now %s"), muster_plan_action_get_title (saved->action),
                                           muster_plan_action_get_title (fresh->action));
  else
    difference->summary = g_strdup_printf (_("Still %s, with other changes: %s"),
                                           muster_plan_action_get_title (fresh->action),
                                           difference->fresh_changes != NULL ? difference->fresh_changes : "∅");
  return difference;
}

GPtrArray *
muster_preview_file_compare (MusterPreviewFile *self,
                             MusterPlan        *fresh)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) saved_keys = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) fresh_keys = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *saved_items, *fresh_items, *saved_groups, *fresh_groups;
  GPtrArray *out;

  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  g_return_val_if_fail (MUSTER_IS_PLAN (fresh), NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_preview_difference_free);
  saved_items = muster_plan_get_items (self->plan);
  fresh_items = muster_plan_get_items (fresh);
  for (guint i = 0; i < saved_items->len; i++)
    {
      const MusterPlanItem *saved = saved_items->pdata[i];
      const MusterPlanItem *now = muster_plan_lookup_item (fresh, saved->id);
      g_autofree char *saved_changes = NULL;
      g_autofree char *fresh_changes = NULL;

      g_hash_table_add (seen, (gpointer) saved->id);
      if (now == NULL)
        {
          /* a skipped user who left the directory makes no difference to a push */
          if (saved->action != MUSTER_PLAN_ACTION_SKIPPED)
            g_ptr_array_add (out, difference_new (saved, NULL));
          continue;
        }
      saved_changes = describe_changes (saved);
      fresh_changes = describe_changes (now);
      if (saved->action != now->action || g_strcmp0 (saved_changes, fresh_changes) != 0)
        g_ptr_array_add (out, difference_new (saved, now));
    }
  for (guint i = 0; i < fresh_items->len; i++)
    {
      const MusterPlanItem *now = fresh_items->pdata[i];

      if (!g_hash_table_contains (seen, now->id) && now->action != MUSTER_PLAN_ACTION_SKIPPED)
        g_ptr_array_add (out, difference_new (NULL, now));
    }

  saved_groups = muster_plan_get_group_operations (self->plan);
  fresh_groups = muster_plan_get_group_operations (fresh);
  for (guint i = 0; i < fresh_groups->len; i++)
    g_hash_table_add (fresh_keys, ((MusterOperation *) fresh_groups->pdata[i])->key);
  for (guint i = 0; i < saved_groups->len; i++)
    g_hash_table_add (saved_keys, ((MusterOperation *) saved_groups->pdata[i])->key);
  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *operations = pass == 0 ? saved_groups : fresh_groups;
      GHashTable *other = pass == 0 ? fresh_keys : saved_keys;

      for (guint i = 0; i < operations->len; i++)
        {
          const MusterOperation *operation = operations->pdata[i];
          MusterPreviewDifference *difference;

          if (g_hash_table_contains (other, operation->key))
            continue;
          difference = g_new0 (MusterPreviewDifference, 1);
          difference->id = g_strdup (operation->key);
          difference->display_name = g_strdup (operation->group->display_name);
          difference->user_principal_name = g_strdup (operation->member_external_id);
          difference->is_group = TRUE;
          difference->in_saved = pass == 0;
          difference->in_fresh = pass == 1;
          difference->summary = g_strdup_printf (pass == 0 ? _("Only in the saved preview: %s") : _("Only now: %s"),
                                                 muster_operation_kind_to_string (operation->kind));
          g_ptr_array_add (out, difference);
        }
    }
  return out;
}

/* Overrides ------------------------------------------------------------------------------------ */

static void
muster_preview_file_finalize (GObject *object)
{
  MusterPreviewFile *self = MUSTER_PREVIEW_FILE (object);

  g_clear_object (&self->plan);
  g_free (self->app_version);
  g_clear_pointer (&self->created, g_date_time_unref);
  g_free (self->profile);
  g_free (self->tenant_id);
  g_free (self->tenant_name);
  g_free (self->made_by);
  g_free (self->target_uri);
  g_free (self->target_name);
  g_free (self->target_description);

  G_OBJECT_CLASS (muster_preview_file_parent_class)->finalize (object);
}

static void
muster_preview_file_class_init (MusterPreviewFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_preview_file_finalize;
}

static void
muster_preview_file_init (MusterPreviewFile *self)
{
}
