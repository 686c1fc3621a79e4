/* push-test-util.c: desired users, a minimal planner and blocking waits for the push tests
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "push-test-util.h"

char *
push_test_user_id (guint i)
{
  return g_strdup_printf ("6e3f0c2a-0000-4000-8000-%012u", i);
}

GPtrArray *
push_test_desired_users (guint       n,
                         const char *suffix)
{
  GPtrArray *users = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_target_user_unref);

  for (guint i = 0; i < n; i++)
    {
      MusterTargetUser *user = muster_target_user_new ();
      g_autofree char *name = g_strdup_printf ("User %u%s", i, suffix != NULL ? suffix : "");

      user->external_id = push_test_user_id (i);
      user->user_name = g_strdup_printf ("user%u@example.com", i);
      user->active = TRUE;
      user->user_type = MUSTER_USER_TYPE_USER;
      muster_target_user_set_attribute (user, MUSTER_ATTR_DISPLAY_NAME, name);
      muster_target_user_set_attribute (user, MUSTER_ATTR_EMAIL, user->user_name);
      g_ptr_array_add (users, user);
    }
  return users;
}

GPtrArray *
push_test_plan (GPtrArray         *desired,
                MusterTargetState *state)
{
  GPtrArray *operations = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *current = muster_target_state_get_users (state);

  for (guint i = 0; i < desired->len; i++)
    {
      MusterTargetUser *user = g_ptr_array_index (desired, i);
      MusterTargetUser *existing = muster_target_state_lookup_user_by_external_id (state, user->external_id);
      const char *name = muster_target_user_get_attribute (user, MUSTER_ATTR_DISPLAY_NAME);
      g_autofree char *key = NULL;
      MusterOperation *operation;

      g_hash_table_add (wanted, user->external_id);
      if (existing == NULL)
        {
          key = g_strconcat ("create-user:", user->external_id, NULL);
          operation = muster_operation_new (MUSTER_OPERATION_CREATE_USER, key);
          operation->user = muster_target_user_ref (user);
          g_ptr_array_add (operations, operation);
        }
      else if (g_strcmp0 (muster_target_user_get_attribute (existing, MUSTER_ATTR_DISPLAY_NAME), name) != 0)
        {
          MusterTargetUser *update = muster_target_user_copy (user);

          g_free (update->id);
          update->id = g_strdup (existing->id);
          key = g_strconcat ("update-user:", user->external_id, NULL);
          operation = muster_operation_new (MUSTER_OPERATION_UPDATE_USER, key);
          operation->user = update;
          g_ptr_array_add (operation->changes,
                           muster_field_change_new (MUSTER_ATTR_DISPLAY_NAME,
                                                    muster_target_user_get_attribute (existing, MUSTER_ATTR_DISPLAY_NAME),
                                                    name));
          g_ptr_array_add (operations, operation);
        }
    }

  for (guint i = 0; i < current->len; i++)
    {
      MusterTargetUser *user = g_ptr_array_index (current, i);
      g_autofree char *key = NULL;
      MusterOperation *operation;

      if (user->external_id == NULL || !user->active || g_hash_table_contains (wanted, user->external_id))
        continue;
      key = g_strconcat ("disable-user:", user->external_id, NULL);
      operation = muster_operation_new (MUSTER_OPERATION_DISABLE_USER, key);
      operation->user = muster_target_user_ref (user);
      g_ptr_array_add (operations, operation);
    }

  return operations;
}

guint
push_test_managed_count (MusterTargetState *state)
{
  GPtrArray *users = muster_target_state_get_users (state);
  guint n = 0;

  for (guint i = 0; i < users->len; i++)
    {
      MusterTargetUser *user = g_ptr_array_index (users, i);

      if (user->external_id != NULL && user->active)
        n++;
    }
  return n;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

MusterTargetState *
push_test_read_state (MusterTarget  *target,
                      GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_target_read_state_async (target, NULL, store_result_cb, &result);
  return muster_target_read_state_finish (target, wait_for (&result), error);
}

MusterPushSummary *
push_test_run (MusterPush    *push,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_push_run_async (push, cancellable, store_result_cb, &result);
  return muster_push_run_finish (push, wait_for (&result), error);
}

void
push_test_write_snapshot (const char *path,
                          const char *profile,
                          guint       n)
{
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(GError) error = NULL;

  store = muster_snapshot_store_open (path, &error);
  g_assert_no_error (error);
  writer = muster_snapshot_store_begin (store, profile, "11111111-2222-3333-4444-555555555555", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = push_test_user_id (i);
      g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"displayName\":\"User %u\","
                                               "\"userPrincipalName\":\"user%u@example.com\",\"mail\":\"user%u@example.com\","
                                               "\"userType\":\"Member\",\"accountEnabled\":true,"
                                               "\"assignedLicenses\":[{\"skuId\":\"c7df2760-2c81-4ef7-b578-5b5392b571df\"}]}",
                                               id, i, i, i);
      g_autoptr(JsonNode) node = json_from_string (json, &error);
      g_autoptr(MusterUser) user = NULL;

      g_assert_no_error (error);
      user = muster_user_new_from_json (json_node_get_object (node));
      g_assert_true (muster_snapshot_writer_put_user (writer, user, &error));
      g_assert_no_error (error);
    }
  muster_snapshot_writer_commit (writer, &error);
  g_assert_no_error (error);
}

MusterSnapshot *
push_test_load_snapshot (const char *path,
                         const char *profile)
{
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshotInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  MusterSnapshot *snapshot;

  store = muster_snapshot_store_open (path, &error);
  g_assert_no_error (error);
  info = muster_snapshot_store_get_latest (store, profile, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  snapshot = muster_snapshot_store_load (store, info->id, &error);
  g_assert_no_error (error);
  return snapshot;
}

MusterPlan *
push_test_make_plan (MusterSnapshot *snapshot,
                     MusterTarget   *target)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GError) error = NULL;

  state = push_test_read_state (target, &error);
  g_assert_no_error (error);
  return muster_plan_new (snapshot, rules, state, muster_target_get_features (target), NULL);
}
