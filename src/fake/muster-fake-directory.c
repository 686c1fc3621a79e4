/* muster-fake-directory.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-directory"

#include "config.h"

#include <gio/gio.h>

#include "muster-fake-directory.h"
#include "muster-fake-http.h"

/* First cut: a tenant with only its administrator, so the other modules link and run while
 * the generator lands. */

static void
user_free (MusterFakeUser *user)
{
  g_free (user->id);
  g_free (user->display_name);
  g_free (user->user_principal_name);
  g_free (user->mail);
  g_free (user->user_type);
  g_free (user);
}

static MusterFakeDirectory *
directory_new (guint64 seed)
{
  MusterFakeDirectory *self = g_new0 (MusterFakeDirectory, 1);
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) seed);
  MusterFakeUser *admin = g_new0 (MusterFakeUser, 1);

  self->tenant_id = _muster_fake_guid_new (rand);
  self->display_name = g_strdup ("Northwind Lighthouse");
  self->initial_domain = g_strdup ("northwindlighthouse.onmicrosoft.com");
  self->default_domain = g_strdup ("northwindlighthouse.example");
  self->users = g_ptr_array_new_with_free_func ((GDestroyNotify) user_free);
  self->groups = g_ptr_array_new ();
  self->skus = g_ptr_array_new ();
  self->member_changes = g_ptr_array_new ();
  self->users_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->users_by_upn = g_hash_table_new (g_str_hash, g_str_equal);
  self->groups_by_id = g_hash_table_new (g_str_hash, g_str_equal);

  admin->id = _muster_fake_guid_new (rand);
  admin->display_name = g_strdup ("Ada Admin");
  admin->user_principal_name = g_strdup ("ada@northwindlighthouse.onmicrosoft.com");
  admin->mail = g_strdup (admin->user_principal_name);
  admin->user_type = g_strdup ("Member");
  admin->account_enabled = TRUE;
  g_ptr_array_add (self->users, admin);
  g_hash_table_insert (self->users_by_id, admin->id, admin);
  g_hash_table_insert (self->users_by_upn, admin->user_principal_name, admin);
  self->admin_id = g_strdup (admin->id);
  return self;
}

MusterFakeDirectory *
muster_fake_directory_new_demo (guint64 seed)
{
  return directory_new (seed);
}

MusterFakeDirectory *
muster_fake_directory_new_generated (guint64 seed, guint n_users, guint n_groups)
{
  return directory_new (seed);
}

void
muster_fake_directory_free (MusterFakeDirectory *self)
{
  g_hash_table_unref (self->users_by_id);
  g_hash_table_unref (self->users_by_upn);
  g_hash_table_unref (self->groups_by_id);
  g_ptr_array_unref (self->users);
  g_ptr_array_unref (self->groups);
  g_ptr_array_unref (self->skus);
  g_ptr_array_unref (self->member_changes);
  g_free (self->tenant_id);
  g_free (self->display_name);
  g_free (self->initial_domain);
  g_free (self->default_domain);
  g_free (self->admin_id);
  g_free (self);
}

MusterFakeUser *
muster_fake_directory_lookup_user (MusterFakeDirectory *self, const char *id_or_upn)
{
  MusterFakeUser *user = g_hash_table_lookup (self->users_by_id, id_or_upn);
  return user ? user : g_hash_table_lookup (self->users_by_upn, id_or_upn);
}

MusterFakeGroup *
muster_fake_directory_lookup_group (MusterFakeDirectory *self, const char *id)
{
  return g_hash_table_lookup (self->groups_by_id, id);
}

MusterFakeUser *
muster_fake_directory_get_admin (MusterFakeDirectory *self)
{
  return g_hash_table_lookup (self->users_by_id, self->admin_id);
}

gboolean
muster_fake_directory_is_group_id (MusterFakeDirectory *self, const char *id)
{
  return g_hash_table_contains (self->groups_by_id, id);
}
