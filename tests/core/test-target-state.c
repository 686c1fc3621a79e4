/* test-target-state.c: the look-ups a plan makes in what a target holds
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "muster-target.h"

static MusterTargetUser *
make_user (const char *id,
           const char *external_id,
           const char *user_name)
{
  MusterTargetUser *user = muster_target_user_new ();

  user->id = g_strdup (id);
  user->external_id = g_strdup (external_id);
  user->user_name = g_strdup (user_name);
  return user;
}

static void
test_lookup_users (void)
{
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterTargetUser) ann = make_user ("1", "entra-ann", "Ann@Contoso.com");
  g_autoptr(MusterTargetUser) emile = make_user ("2", "entra-emile", "\u00C9mile.Stra\u00DFe@contoso.com");
  g_autoptr(MusterTargetUser) manual = make_user ("3", NULL, "manual@contoso.com");

  muster_target_state_add_user (state, ann);
  muster_target_state_add_user (state, emile);
  muster_target_state_add_user (state, manual);
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 3);

  g_assert_true (muster_target_state_lookup_user_by_id (state, "1") == ann);
  g_assert_null (muster_target_state_lookup_user_by_id (state, "4"));
  g_assert_null (muster_target_state_lookup_user_by_id (state, NULL));
  g_assert_true (muster_target_state_lookup_user_by_external_id (state, "entra-emile") == emile);
  /* Entra ids are compared exactly. */
  g_assert_null (muster_target_state_lookup_user_by_external_id (state, "ENTRA-EMILE"));
  g_assert_null (muster_target_state_lookup_user_by_external_id (state, NULL));

  /* userName: case-insensitive, beyond ASCII (É/é, ß/SS), as RFC 7643 §4.1.1 makes it. */
  g_assert_true (muster_target_state_lookup_user_by_user_name (state, "ann@contoso.com") == ann);
  g_assert_true (muster_target_state_lookup_user_by_user_name (state, "ANN@CONTOSO.COM") == ann);
  g_assert_true (muster_target_state_lookup_user_by_user_name (state, "\u00E9mile.strasse@contoso.com") == emile);
  g_assert_true (muster_target_state_lookup_user_by_user_name (state, "\u00C9MILE.STRASSE@CONTOSO.COM") == emile);
  g_assert_null (muster_target_state_lookup_user_by_user_name (state, "emile.strasse@contoso.com"));
  g_assert_true (muster_target_state_lookup_user_by_user_name (state, "Manual@contoso.com") == manual);
  g_assert_null (muster_target_state_lookup_user_by_user_name (state, NULL));
}

static void
test_replace_user (void)
{
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterTargetUser) old = make_user ("7", "entra-old", "old@contoso.com");
  g_autoptr(MusterTargetUser) other = make_user ("8", "entra-other", "other@contoso.com");
  g_autoptr(MusterTargetUser) renewed = make_user ("7", "entra-new", "New@contoso.com");

  muster_target_state_add_user (state, old);
  muster_target_state_add_user (state, other);
  muster_target_state_add_user (state, renewed);

  /* The second user with id 7 replaces the first everywhere. */
  g_assert_cmpuint (muster_target_state_get_users (state)->len, ==, 2);
  g_assert_true (muster_target_state_lookup_user_by_id (state, "7") == renewed);
  g_assert_null (muster_target_state_lookup_user_by_external_id (state, "entra-old"));
  g_assert_null (muster_target_state_lookup_user_by_user_name (state, "old@contoso.com"));
  g_assert_true (muster_target_state_lookup_user_by_external_id (state, "entra-new") == renewed);
  g_assert_true (muster_target_state_lookup_user_by_user_name (state, "new@CONTOSO.com") == renewed);
  g_assert_true (muster_target_state_lookup_user_by_id (state, "8") == other);
  g_assert_true (muster_target_state_lookup_user_by_user_name (state, "other@contoso.com") == other);
  g_assert_true (g_ptr_array_find (muster_target_state_get_users (state), renewed, NULL));
  g_assert_false (g_ptr_array_find (muster_target_state_get_users (state), old, NULL));
}

static void
test_groups_and_roles (void)
{
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterTargetGroup) group = muster_target_group_new ();
  g_autoptr(MusterTargetUser) user = muster_target_user_new ();
  const char *roles[] = { "viewer", "", "Editor", "viewer", "admin", NULL };
  const char *sorted[] = { "Editor", "admin", "viewer", NULL };

  group->id = g_strdup ("1");
  group->external_id = g_strdup ("entra-group");
  group->display_name = g_strdup ("\u00C9quipe Stra\u00DFe");
  muster_target_state_add_group (state, group);
  g_assert_true (muster_target_state_lookup_group_by_external_id (state, "entra-group") == group);
  g_assert_true (muster_target_state_lookup_group_by_name (state, "\u00E9quipe strasse") == group);
  g_assert_null (muster_target_state_lookup_group_by_name (state, "equipe strasse"));
  g_assert_null (muster_target_state_lookup_group_by_external_id (state, "entra-other"));

  /* Roles: sorted, without duplicates or empty names, for users and the state alike. */
  muster_target_state_set_roles (state, roles);
  g_assert_cmpstrv (muster_target_state_get_roles (state), sorted);
  muster_target_user_set_roles (user, roles);
  g_assert_cmpstrv (user->roles, sorted);
  muster_target_state_set_roles (state, NULL);
  g_assert_cmpuint (g_strv_length ((char **) muster_target_state_get_roles (state)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/target-state/lookup/users", test_lookup_users);
  g_test_add_func ("/target-state/lookup/replace-same-id", test_replace_user);
  g_test_add_func ("/target-state/groups-and-roles", test_groups_and_roles);

  return g_test_run ();
}
