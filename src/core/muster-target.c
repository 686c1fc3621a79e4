/* muster-target.c: the target interface and the values plans and targets exchange
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-target"

#include "config.h"

#include <string.h>

#include "muster-target.h"

G_DEFINE_QUARK (muster-target-error-quark, muster_target_error)

static const char * const attribute_names[] = {
  MUSTER_ATTR_DISPLAY_NAME,
  MUSTER_ATTR_GIVEN_NAME,
  MUSTER_ATTR_FAMILY_NAME,
  MUSTER_ATTR_EMAIL,
  MUSTER_ATTR_TITLE,
  MUSTER_ATTR_DEPARTMENT,
  MUSTER_ATTR_MANAGER,
  MUSTER_ATTR_EMPLOYEE_NUMBER,
  MUSTER_ATTR_MOBILE_PHONE,
  MUSTER_ATTR_OFFICE_LOCATION,
  NULL
};

const char * const *
muster_target_attribute_names (void)
{
  return attribute_names;
}

gboolean
muster_target_attribute_is_valid (const char *name)
{
  return name != NULL && g_strv_contains (attribute_names, name);
}

static const char *
intern_attribute_name (const char *name)
{
  for (guint i = 0; attribute_names[i] != NULL; i++)
    if (strcmp (attribute_names[i], name) == 0)
      return attribute_names[i];
  return g_intern_string (name);
}

/* Users ---------------------------------------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (MusterTargetUser, muster_target_user, muster_target_user_ref, muster_target_user_unref)

MusterTargetUser *
muster_target_user_new (void)
{
  MusterTargetUser *user = g_new0 (MusterTargetUser, 1);

  user->ref_count = 1;
  user->active = TRUE;
  user->user_type = MUSTER_USER_TYPE_USER;
  user->roles = g_new0 (char *, 1);
  /* keys are the static attribute names (intern_attribute_name): 100,000 users read from a
   * target would otherwise copy the same ten names a million times */
  user->attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  return user;
}

MusterTargetUser *
muster_target_user_copy (const MusterTargetUser *user)
{
  MusterTargetUser *copy;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (user != NULL, NULL);

  copy = muster_target_user_new ();
  copy->id = g_strdup (user->id);
  copy->external_id = g_strdup (user->external_id);
  copy->user_name = g_strdup (user->user_name);
  copy->active = user->active;
  copy->user_type = user->user_type;
  g_strfreev (copy->roles);
  copy->roles = g_strdupv (user->roles);
  copy->version = g_strdup (user->version);

  g_hash_table_iter_init (&iter, user->attributes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->attributes, key, g_strdup (value));

  return copy;
}

MusterTargetUser *
muster_target_user_ref (MusterTargetUser *user)
{
  g_return_val_if_fail (user != NULL, NULL);
  g_atomic_int_inc (&user->ref_count);
  return user;
}

void
muster_target_user_unref (MusterTargetUser *user)
{
  g_return_if_fail (user != NULL);

  if (!g_atomic_int_dec_and_test (&user->ref_count))
    return;

  g_free (user->id);
  g_free (user->external_id);
  g_free (user->user_name);
  g_strfreev (user->roles);
  g_hash_table_unref (user->attributes);
  g_free (user->version);
  g_free (user);
}

void
muster_target_user_set_attribute (MusterTargetUser *user,
                                  const char       *name,
                                  const char       *value)
{
  g_return_if_fail (user != NULL);
  g_return_if_fail (name != NULL);

  if (value == NULL || value[0] == '\0')
    g_hash_table_remove (user->attributes, name);
  else
    g_hash_table_insert (user->attributes, (char *) intern_attribute_name (name), g_strdup (value));
}

const char *
muster_target_user_get_attribute (const MusterTargetUser *user,
                                  const char             *name)
{
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_hash_table_lookup (user->attributes, name);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

void
muster_target_user_set_roles (MusterTargetUser   *user,
                              const char * const *roles)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

  g_return_if_fail (user != NULL);

  for (guint i = 0; roles != NULL && roles[i] != NULL; i++)
    if (roles[i][0] != '\0')
      g_ptr_array_add (sorted, g_strdup (roles[i]));
  g_ptr_array_sort (sorted, compare_strings);

  /* drop duplicates in place */
  for (guint i = 1; i < sorted->len;)
    if (g_str_equal (g_ptr_array_index (sorted, i), g_ptr_array_index (sorted, i - 1)))
      {
        g_free (g_ptr_array_index (sorted, i));
        g_ptr_array_remove_index (sorted, i);
      }
    else
      i++;

  g_ptr_array_add (sorted, NULL);
  g_strfreev (user->roles);
  user->roles = (char **) g_ptr_array_steal (sorted, NULL);
}

/* Groups --------------------------------------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (MusterTargetGroup, muster_target_group, muster_target_group_ref, muster_target_group_unref)

MusterTargetGroup *
muster_target_group_new (void)
{
  MusterTargetGroup *group = g_new0 (MusterTargetGroup, 1);

  group->ref_count = 1;
  group->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return group;
}

MusterTargetGroup *
muster_target_group_ref (MusterTargetGroup *group)
{
  g_return_val_if_fail (group != NULL, NULL);
  g_atomic_int_inc (&group->ref_count);
  return group;
}

void
muster_target_group_unref (MusterTargetGroup *group)
{
  g_return_if_fail (group != NULL);

  if (!g_atomic_int_dec_and_test (&group->ref_count))
    return;

  g_free (group->id);
  g_free (group->external_id);
  g_free (group->display_name);
  g_hash_table_unref (group->members);
  g_free (group->version);
  g_free (group);
}

/* State ---------------------------------------------------------------------------------------- */

struct _MusterTargetState
{
  gint        ref_count;
  GPtrArray  *users;            /* of MusterTargetUser, in the order added */
  GPtrArray  *groups;
  char      **roles;
  GHashTable *users_by_id;      /* id → MusterTargetUser (borrowed from @users) */
  GHashTable *users_by_external_id;
  GHashTable *users_by_name;    /* casefolded userName → MusterTargetUser */
  GHashTable *groups_by_external_id;
  GHashTable *groups_by_name;   /* casefolded displayName → MusterTargetGroup */
};

G_DEFINE_BOXED_TYPE (MusterTargetState, muster_target_state, muster_target_state_ref, muster_target_state_unref)

MusterTargetState *
muster_target_state_new (void)
{
  MusterTargetState *state = g_new0 (MusterTargetState, 1);

  state->ref_count = 1;
  state->users = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_target_user_unref);
  state->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_target_group_unref);
  state->roles = g_new0 (char *, 1);
  state->users_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  state->users_by_external_id = g_hash_table_new (g_str_hash, g_str_equal);
  state->users_by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  state->groups_by_external_id = g_hash_table_new (g_str_hash, g_str_equal);
  state->groups_by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return state;
}

MusterTargetState *
muster_target_state_ref (MusterTargetState *state)
{
  g_return_val_if_fail (state != NULL, NULL);
  g_atomic_int_inc (&state->ref_count);
  return state;
}

void
muster_target_state_unref (MusterTargetState *state)
{
  g_return_if_fail (state != NULL);

  if (!g_atomic_int_dec_and_test (&state->ref_count))
    return;

  g_hash_table_unref (state->users_by_id);
  g_hash_table_unref (state->users_by_external_id);
  g_hash_table_unref (state->users_by_name);
  g_hash_table_unref (state->groups_by_external_id);
  g_hash_table_unref (state->groups_by_name);
  g_ptr_array_unref (state->users);
  g_ptr_array_unref (state->groups);
  g_strfreev (state->roles);
  g_free (state);
}

static char *
fold (const char *text)
{
  return g_utf8_casefold (text, -1);
}

void
muster_target_state_add_user (MusterTargetState *state,
                              MusterTargetUser  *user)
{
  MusterTargetUser *old = NULL;

  g_return_if_fail (state != NULL);
  g_return_if_fail (user != NULL);

  if (user->id != NULL && (old = g_hash_table_lookup (state->users_by_id, user->id)) != NULL)
    {
      if (old->external_id != NULL)
        g_hash_table_remove (state->users_by_external_id, old->external_id);
      if (old->user_name != NULL)
        {
          g_autofree char *key = fold (old->user_name);
          g_hash_table_remove (state->users_by_name, key);
        }
      g_hash_table_remove (state->users_by_id, old->id);
      g_ptr_array_remove_fast (state->users, old);
    }

  user = muster_target_user_ref (user);
  g_ptr_array_add (state->users, user);
  if (user->id != NULL)
    g_hash_table_insert (state->users_by_id, user->id, user);
  if (user->external_id != NULL)
    g_hash_table_insert (state->users_by_external_id, user->external_id, user);
  if (user->user_name != NULL)
    g_hash_table_insert (state->users_by_name, fold (user->user_name), user);
}

void
muster_target_state_add_group (MusterTargetState *state,
                               MusterTargetGroup *group)
{
  g_return_if_fail (state != NULL);
  g_return_if_fail (group != NULL);

  group = muster_target_group_ref (group);
  g_ptr_array_add (state->groups, group);
  if (group->external_id != NULL)
    g_hash_table_insert (state->groups_by_external_id, group->external_id, group);
  if (group->display_name != NULL)
    g_hash_table_insert (state->groups_by_name, fold (group->display_name), group);
}

void
muster_target_state_set_roles (MusterTargetState  *state,
                               const char * const *roles)
{
  g_autoptr(MusterTargetUser) sorter = muster_target_user_new ();

  g_return_if_fail (state != NULL);

  /* the same sorting and de-duplication a user's roles get */
  muster_target_user_set_roles (sorter, roles);
  g_strfreev (state->roles);
  state->roles = g_steal_pointer (&sorter->roles);
  sorter->roles = g_new0 (char *, 1);
}

const char * const *
muster_target_state_get_roles (MusterTargetState *state)
{
  g_return_val_if_fail (state != NULL, NULL);
  return (const char * const *) state->roles;
}

GPtrArray *
muster_target_state_get_users (MusterTargetState *state)
{
  g_return_val_if_fail (state != NULL, NULL);
  return state->users;
}

GPtrArray *
muster_target_state_get_groups (MusterTargetState *state)
{
  g_return_val_if_fail (state != NULL, NULL);
  return state->groups;
}

MusterTargetUser *
muster_target_state_lookup_user_by_id (MusterTargetState *state,
                                       const char        *id)
{
  g_return_val_if_fail (state != NULL, NULL);
  return id != NULL ? g_hash_table_lookup (state->users_by_id, id) : NULL;
}

MusterTargetUser *
muster_target_state_lookup_user_by_external_id (MusterTargetState *state,
                                                const char        *external_id)
{
  g_return_val_if_fail (state != NULL, NULL);
  return external_id != NULL ? g_hash_table_lookup (state->users_by_external_id, external_id) : NULL;
}

MusterTargetUser *
muster_target_state_lookup_user_by_user_name (MusterTargetState *state,
                                              const char        *user_name)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (state != NULL, NULL);

  if (user_name == NULL)
    return NULL;
  key = fold (user_name);
  return g_hash_table_lookup (state->users_by_name, key);
}

MusterTargetGroup *
muster_target_state_lookup_group_by_external_id (MusterTargetState *state,
                                                 const char        *external_id)
{
  g_return_val_if_fail (state != NULL, NULL);
  return external_id != NULL ? g_hash_table_lookup (state->groups_by_external_id, external_id) : NULL;
}

MusterTargetGroup *
muster_target_state_lookup_group_by_name (MusterTargetState *state,
                                          const char        *display_name)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (state != NULL, NULL);

  if (display_name == NULL)
    return NULL;
  key = fold (display_name);
  return g_hash_table_lookup (state->groups_by_name, key);
}

/* Changes and operations ----------------------------------------------------------------------- */

MusterFieldChange *
muster_field_change_new (const char *field,
                         const char *before,
                         const char *after)
{
  MusterFieldChange *change = g_new0 (MusterFieldChange, 1);

  g_return_val_if_fail (field != NULL, NULL);

  change->field = g_strdup (field);
  change->before = g_strdup (before);
  change->after = g_strdup (after);

  return change;
}

void
muster_field_change_free (MusterFieldChange *change)
{
  if (change == NULL)
    return;

  g_free (change->field);
  g_free (change->before);
  g_free (change->after);
  g_free (change);
}

static const char * const operation_kinds[] = {
  [MUSTER_OPERATION_CREATE_USER]   = "create-user",
  [MUSTER_OPERATION_UPDATE_USER]   = "update-user",
  [MUSTER_OPERATION_DISABLE_USER]  = "disable-user",
  [MUSTER_OPERATION_DELETE_USER]   = "delete-user",
  [MUSTER_OPERATION_CREATE_GROUP]  = "create-group",
  [MUSTER_OPERATION_ADD_MEMBER]    = "add-member",
  [MUSTER_OPERATION_REMOVE_MEMBER] = "remove-member",
};

const char *
muster_operation_kind_to_string (MusterOperationKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (operation_kinds), NULL);
  return operation_kinds[kind];
}

G_DEFINE_BOXED_TYPE (MusterOperation, muster_operation, muster_operation_ref, muster_operation_unref)

MusterOperation *
muster_operation_new (MusterOperationKind  kind,
                      const char          *key)
{
  MusterOperation *operation = g_new0 (MusterOperation, 1);

  g_return_val_if_fail (key != NULL, NULL);

  operation->ref_count = 1;
  operation->kind = kind;
  operation->key = g_strdup (key);
  operation->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_field_change_free);

  return operation;
}

MusterOperation *
muster_operation_ref (MusterOperation *operation)
{
  g_return_val_if_fail (operation != NULL, NULL);
  g_atomic_int_inc (&operation->ref_count);
  return operation;
}

void
muster_operation_unref (MusterOperation *operation)
{
  g_return_if_fail (operation != NULL);

  if (!g_atomic_int_dec_and_test (&operation->ref_count))
    return;

  g_free (operation->key);
  g_clear_pointer (&operation->user, muster_target_user_unref);
  g_ptr_array_unref (operation->changes);
  g_clear_pointer (&operation->group, muster_target_group_unref);
  g_free (operation->member_external_id);
  g_free (operation->member_id);
  g_free (operation);
}

MusterOperationResult *
muster_operation_result_new_ok (MusterOperation *operation,
                                const char      *target_id)
{
  MusterOperationResult *result = g_new0 (MusterOperationResult, 1);

  g_return_val_if_fail (operation != NULL, NULL);

  result->operation = muster_operation_ref (operation);
  result->ok = TRUE;
  result->target_id = g_strdup (target_id);

  return result;
}

MusterOperationResult *
muster_operation_result_new_failed (MusterOperation *operation,
                                    const GError    *error)
{
  MusterOperationResult *result = g_new0 (MusterOperationResult, 1);

  g_return_val_if_fail (operation != NULL, NULL);
  g_return_val_if_fail (error != NULL, NULL);

  result->operation = muster_operation_ref (operation);
  result->ok = FALSE;
  result->error = g_error_copy (error);

  return result;
}

void
muster_operation_result_free (MusterOperationResult *result)
{
  if (result == NULL)
    return;

  muster_operation_unref (result->operation);
  g_free (result->target_id);
  g_clear_error (&result->error);
  g_free (result);
}

/* The interface -------------------------------------------------------------------------------- */

G_DEFINE_INTERFACE (MusterTarget, muster_target, G_TYPE_OBJECT)

static void
muster_target_default_init (MusterTargetInterface *iface)
{
  /**
   * MusterTarget::progress:
   * @done: users and groups read so far
   * @total: how many there are, 0 while unknown
   *
   * Emitted on the caller's main context while read_state runs.
   */
  g_signal_new ("progress", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

char *
muster_target_describe (MusterTarget *self)
{
  g_return_val_if_fail (MUSTER_IS_TARGET (self), NULL);
  return MUSTER_TARGET_GET_IFACE (self)->describe (self);
}

char *
muster_target_get_uri (MusterTarget *self)
{
  g_return_val_if_fail (MUSTER_IS_TARGET (self), NULL);
  return MUSTER_TARGET_GET_IFACE (self)->get_uri (self);
}

MusterTargetFeatures
muster_target_get_features (MusterTarget *self)
{
  g_return_val_if_fail (MUSTER_IS_TARGET (self), 0);
  return MUSTER_TARGET_GET_IFACE (self)->get_features (self);
}

void
muster_target_read_state_async (MusterTarget        *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (MUSTER_IS_TARGET (self));
  MUSTER_TARGET_GET_IFACE (self)->read_state_async (self, cancellable, callback, user_data);
}

MusterTargetState *
muster_target_read_state_finish (MusterTarget  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (MUSTER_IS_TARGET (self), NULL);
  return MUSTER_TARGET_GET_IFACE (self)->read_state_finish (self, result, error);
}

void
muster_target_apply_async (MusterTarget        *self,
                           const char          *run_id,
                           GPtrArray           *operations,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (MUSTER_IS_TARGET (self));
  g_return_if_fail (operations != NULL);
  MUSTER_TARGET_GET_IFACE (self)->apply_async (self, run_id, operations, cancellable, callback, user_data);
}

GPtrArray *
muster_target_apply_finish (MusterTarget  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (MUSTER_IS_TARGET (self), NULL);
  return MUSTER_TARGET_GET_IFACE (self)->apply_finish (self, result, error);
}
