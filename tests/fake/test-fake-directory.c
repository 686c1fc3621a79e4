/* test-fake-directory.c: the fake tenant's directory model and its generators
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "muster-fake-directory.h"

static gboolean
is_guid (const char *s)
{
  if (s == NULL || strlen (s) != 36)
    return FALSE;
  for (guint i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (s[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
has_script (const char *s,
            GUnicodeScript script)
{
  for (const char *p = s; *p; p = g_utf8_next_char (p))
    if (g_unichar_get_script (g_utf8_get_char (p)) == script)
      return TRUE;
  return FALSE;
}

static void
test_demo_shape (void)
{
  MusterFakeDirectory *dir = muster_fake_directory_new_demo (42);
  MusterFakeUser *admin = muster_fake_directory_get_admin (dir);
  guint guests = 0, no_mail = 0, disabled = 0, unlicensed_members = 0, with_photo = 0;
  guint accented = 0, cjk = 0, arabic = 0, hebrew = 0;
  gboolean formula_title = FALSE, control_name = FALSE;
  guint sign_departments = 0;

  g_assert_cmpuint (dir->users->len, >=, 240);
  g_assert_cmpuint (dir->users->len, <=, 260);
  g_assert_cmpuint (muster_fake_directory_count_users (dir), ==, dir->users->len);
  g_assert_true (is_guid (dir->tenant_id));
  g_assert_true (g_str_has_suffix (dir->initial_domain, ".onmicrosoft.com"));
  g_assert_cmpstr (dir->default_domain, !=, dir->initial_domain);
  g_assert_cmpuint (dir->verified_domains->len, >=, 2);
  g_assert_cmpuint (dir->seq, ==, 1);
  g_assert_cmpuint (dir->member_changes->len, ==, 0);

  g_assert_nonnull (admin);
  g_assert_cmpstr (admin->user_type, ==, "Member");
  g_assert_true (admin->account_enabled);
  g_assert_cmpuint (admin->assigned_licenses->len, >, 0);

  for (guint i = 0; i < dir->users->len; i++)
    {
      MusterFakeUser *user = dir->users->pdata[i];

      g_assert_true (is_guid (user->id));
      g_assert_cmpuint (user->changed_seq, ==, 1);
      g_assert_true (muster_fake_directory_lookup_user (dir, user->id) == user);
      g_assert_true (muster_fake_directory_lookup_user (dir, user->user_principal_name) == user);
      g_assert_nonnull (user->business_phones);
      g_assert_nonnull (user->other_mails);
      g_assert_nonnull (user->proxy_addresses);
      g_assert_nonnull (user->assigned_licenses);
      g_assert_nonnull (user->created_date_time);

      if (g_str_equal (user->user_type, "Guest"))
        {
          guests++;
          g_assert_nonnull (strstr (user->user_principal_name, "#EXT#@"));
          g_assert_true (g_str_has_suffix (user->user_principal_name, dir->initial_domain));
          g_assert_nonnull (user->mail);
          g_assert_null (user->manager_id);
        }
      else
        {
          g_assert_cmpstr (user->user_type, ==, "Member");
          if (user->assigned_licenses->len == 0)
            unlicensed_members++;
        }
      if (user->mail == NULL)
        no_mail++;
      if (!user->account_enabled)
        disabled++;
      if (user->photo != NULL)
        {
          with_photo++;
          g_assert_cmpstr (user->photo_content_type, ==, "image/png");
        }
      if (has_script (user->display_name, G_UNICODE_SCRIPT_HAN)
          || has_script (user->display_name, G_UNICODE_SCRIPT_HANGUL))
        cjk++;
      if (has_script (user->display_name, G_UNICODE_SCRIPT_ARABIC))
        arabic++;
      if (has_script (user->display_name, G_UNICODE_SCRIPT_HEBREW))
        hebrew++;
      if (has_script (user->display_name, G_UNICODE_SCRIPT_LATIN) && !g_str_is_ascii (user->display_name))
        accented++;
      if (user->job_title != NULL && user->job_title[0] == '=')
        formula_title = TRUE;
      if (strchr (user->display_name, '\t') != NULL && strchr (user->display_name, '\x1b') != NULL)
        control_name = TRUE;
      if (user->department != NULL && strchr ("+@-", user->department[0]) != NULL)
        sign_departments++;
    }

  g_assert_cmpuint (guests, >=, 3);
  g_assert_cmpuint (no_mail, >=, 3);
  g_assert_cmpuint (disabled, >=, 2);
  g_assert_cmpuint (unlicensed_members, >=, 3);
  g_assert_cmpuint (with_photo, >, dir->users->len / 2);
  g_assert_cmpuint (with_photo, <, dir->users->len);
  g_assert_cmpuint (accented, >=, 10);
  g_assert_cmpuint (cjk, >=, 2);
  g_assert_cmpuint (arabic, >=, 1);
  g_assert_cmpuint (hebrew, >=, 1);
  g_assert_true (formula_title);
  g_assert_true (control_name);
  g_assert_cmpuint (sign_departments, >=, 3);

  muster_fake_directory_free (dir);
}

static void
test_demo_manager_chains (void)
{
  MusterFakeDirectory *dir = muster_fake_directory_new_demo (42);
  MusterFakeUser *ceo = NULL;
  guint members = 0;

  for (guint i = 0; i < dir->users->len; i++)
    {
      MusterFakeUser *user = dir->users->pdata[i];

      if (g_str_equal (user->user_type, "Member") && user->manager_id == NULL)
        {
          g_assert_null (ceo);  /* exactly one person has no manager */
          ceo = user;
        }
    }
  g_assert_nonnull (ceo);
  g_assert_cmpstr (ceo->job_title, ==, "Chief Executive Officer");

  for (guint i = 0; i < dir->users->len; i++)
    {
      MusterFakeUser *user = dir->users->pdata[i];
      MusterFakeUser *step = user;
      guint depth = 0;

      if (!g_str_equal (user->user_type, "Member"))
        continue;
      members++;
      while (step->manager_id != NULL)
        {
          step = muster_fake_directory_lookup_user (dir, step->manager_id);
          g_assert_nonnull (step);
          g_assert_cmpstr (step->user_type, ==, "Member");
          depth++;
          g_assert_cmpuint (depth, <, dir->users->len);  /* no cycle */
        }
      g_assert_true (step == ceo);
    }
  g_assert_cmpuint (members, >, 200);

  {
    g_autoptr(GPtrArray) reports = muster_fake_directory_direct_reports (dir, ceo->id);
    g_assert_cmpuint (reports->len, >=, 5);
  }
  muster_fake_directory_free (dir);
}

static void
test_demo_groups (void)
{
  MusterFakeDirectory *dir = muster_fake_directory_new_demo (42);
  guint kinds[4] = { 0 };
  guint dynamic = 0, nested = 0;

  g_assert_cmpuint (dir->groups->len, >=, 20);
  g_assert_cmpuint (muster_fake_directory_count_groups (dir), ==, dir->groups->len);

  for (guint i = 0; i < dir->groups->len; i++)
    {
      MusterFakeGroup *group = dir->groups->pdata[i];

      g_assert_true (is_guid (group->id));
      g_assert_cmpuint (group->changed_seq, ==, 1);
      g_assert_true (muster_fake_directory_is_group_id (dir, group->id));
      g_assert_nonnull (group->mail_nickname);
      kinds[group->kind]++;
      /* only security groups go without an address */
      g_assert_true ((group->mail == NULL) == (group->kind == MUSTER_FAKE_GROUP_SECURITY));
      if (group->dynamic)
        {
          dynamic++;
          g_assert_nonnull (group->membership_rule);
          g_assert_true (group->kind == MUSTER_FAKE_GROUP_SECURITY
                         || group->kind == MUSTER_FAKE_GROUP_MICROSOFT365);
        }
      else
        g_assert_null (group->membership_rule);
      for (guint k = 0; k < group->member_ids->len; k++)
        {
          const char *id = group->member_ids->pdata[k];

          if (muster_fake_directory_is_group_id (dir, id))
            nested++;
          else
            g_assert_nonnull (muster_fake_directory_lookup_user (dir, id));
        }
    }
  for (guint k = 0; k < 4; k++)
    g_assert_cmpuint (kinds[k], >=, 2);
  g_assert_cmpuint (dynamic, >=, 3);
  g_assert_cmpuint (nested, >=, 2);

  g_assert_cmpstr (muster_fake_group_kind_to_string (MUSTER_FAKE_GROUP_MICROSOFT365), ==, "Microsoft 365");
  g_assert_cmpstr (muster_fake_group_kind_to_string (MUSTER_FAKE_GROUP_DISTRIBUTION), ==, "Distribution");
  muster_fake_directory_free (dir);
}

/* A dynamic group holds exactly the users its rule matches. */
static void
test_demo_dynamic_membership (void)
{
  MusterFakeDirectory *dir = muster_fake_directory_new_demo (42);
  MusterFakeGroup *engineering = NULL;
  guint engineers = 0;

  for (guint i = 0; i < dir->groups->len; i++)
    {
      MusterFakeGroup *group = dir->groups->pdata[i];

      if (group->dynamic && g_strcmp0 (group->membership_rule, "(user.department -eq \"Engineering\")") == 0)
        engineering = group;
    }
  g_assert_nonnull (engineering);
  for (guint i = 0; i < dir->users->len; i++)
    {
      MusterFakeUser *user = dir->users->pdata[i];
      gboolean member = g_ptr_array_find_with_equal_func (engineering->member_ids, user->id, g_str_equal, NULL);

      g_assert_cmpint (member, ==, g_strcmp0 (user->department, "Engineering") == 0);
      engineers += member;
    }
  g_assert_cmpuint (engineers, >, 10);
  muster_fake_directory_free (dir);
}

static void
test_demo_skus (void)
{
  MusterFakeDirectory *dir = muster_fake_directory_new_demo (42);
  static const char * const expected[] = {
    "ENTERPRISEPACK", "SPE_E3", "SPE_E5", "EMS", "FLOW_FREE", "POWER_BI_STANDARD"
  };
  guint covered = 0;

  g_assert_cmpuint (dir->skus->len, >=, G_N_ELEMENTS (expected));
  for (guint s = 0; s < dir->skus->len; s++)
    {
      MusterFakeSku *sku = dir->skus->pdata[s];
      guint holders = 0;

      g_assert_true (is_guid (sku->sku_id));
      g_assert_true (muster_fake_directory_lookup_sku (dir, sku->sku_id) == sku);
      g_assert_cmpuint (sku->service_plans->len, >, 0);
      g_assert_cmpuint (sku->service_plans->len, ==, sku->service_plan_ids->len);
      for (guint i = 0; i < dir->users->len; i++)
        {
          MusterFakeUser *user = dir->users->pdata[i];

          holders += g_ptr_array_find_with_equal_func (user->assigned_licenses, sku->sku_id, g_str_equal, NULL);
        }
      g_assert_cmpuint (sku->consumed_units, ==, holders);
      if (g_str_equal (sku->capability_status, "Enabled"))
        {
          covered++;
          g_assert_cmpuint (sku->prepaid_enabled, >=, sku->consumed_units);
        }
    }
  g_assert_cmpuint (covered, >=, 4);
  for (guint k = 0; k < G_N_ELEMENTS (expected); k++)
    {
      gboolean found = FALSE;

      for (guint s = 0; s < dir->skus->len; s++)
        found |= g_str_equal (((MusterFakeSku *) dir->skus->pdata[s])->sku_part_number, expected[k]);
      g_assert_true (found);
    }
  /* Microsoft's published skuIds */
  g_assert_cmpstr (muster_fake_directory_lookup_sku (dir, "6fd2c87f-b296-42f0-b197-1e91e994b900")->sku_part_number,
                   ==, "ENTERPRISEPACK");
  g_assert_cmpstr (muster_fake_directory_lookup_sku (dir, "05E9A617-0261-4CEE-BB44-138D3EF5D965")->sku_part_number,
                   ==, "SPE_E3");
  muster_fake_directory_free (dir);
}

static void
assert_png (GBytes *bytes,
            guint   size)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint32 width, height;

  g_assert_cmpuint (len, >, 8 + 25 + 12);
  g_assert_cmpmem (data, 8, signature, 8);
  g_assert_cmpmem (data + 12, 4, "IHDR", 4);
  width = (guint32) data[16] << 24 | data[17] << 16 | data[18] << 8 | data[19];
  height = (guint32) data[20] << 24 | data[21] << 16 | data[22] << 8 | data[23];
  g_assert_cmpuint (width, ==, size);
  g_assert_cmpuint (height, ==, size);
  g_assert_cmpmem (data + len - 8, 4, "IEND", 4);
}

/* The IDAT stream inflates to exactly one filter byte + RGB row per line. */
static void
assert_png_pixels (GBytes *bytes,
                   guint   size)
{
  gsize len, pos = 8;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autoptr(GByteArray) idat = g_byte_array_new ();
  g_autoptr(GZlibDecompressor) inflater = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB);
  g_autofree guint8 *raw = g_malloc (size * (1 + size * 3) + 16);
  gsize read = 0, written = 0;
  g_autoptr(GError) error = NULL;
  GConverterResult result;

  while (pos + 12 <= len)
    {
      guint32 chunk_len = (guint32) data[pos] << 24 | data[pos + 1] << 16 | data[pos + 2] << 8 | data[pos + 3];

      if (memcmp (data + pos + 4, "IDAT", 4) == 0)
        g_byte_array_append (idat, data + pos + 8, chunk_len);
      pos += 12 + chunk_len;
    }
  g_assert_cmpuint (pos, ==, len);
  result = g_converter_convert (G_CONVERTER (inflater), idat->data, idat->len,
                                raw, size * (1 + size * 3) + 16, G_CONVERTER_INPUT_AT_END,
                                &read, &written, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, G_CONVERTER_FINISHED);
  g_assert_cmpuint (written, ==, size * (1 + size * 3));
}

static void
test_photos_are_png (void)
{
  MusterFakeDirectory *dir = muster_fake_directory_new_demo (42);
  guint checked = 0;

  for (guint i = 0; i < dir->users->len; i++)
    {
      MusterFakeUser *user = dir->users->pdata[i];

      if (user->photo == NULL)
        continue;
      assert_png (user->photo, user->photo_width);
      g_assert_cmpuint (user->photo_width, ==, user->photo_height);
      if (checked++ < 5)
        assert_png_pixels (user->photo, user->photo_width);
    }
  g_assert_cmpuint (checked, >, 100);
  muster_fake_directory_free (dir);
}

static void
test_deterministic (void)
{
  MusterFakeDirectory *a = muster_fake_directory_new_demo (7);
  MusterFakeDirectory *b = muster_fake_directory_new_demo (7);
  MusterFakeDirectory *c = muster_fake_directory_new_demo (8);

  g_assert_cmpstr (a->tenant_id, ==, b->tenant_id);
  g_assert_cmpstr (a->tenant_id, !=, c->tenant_id);
  g_assert_cmpuint (a->users->len, ==, b->users->len);
  for (guint i = 0; i < a->users->len; i++)
    {
      MusterFakeUser *ua = a->users->pdata[i], *ub = b->users->pdata[i];

      g_assert_cmpstr (ua->id, ==, ub->id);
      g_assert_cmpstr (ua->user_principal_name, ==, ub->user_principal_name);
      g_assert_cmpstr (ua->manager_id, ==, ub->manager_id);
      if (ua->photo != NULL)
        g_assert_true (g_bytes_equal (ua->photo, ub->photo));
    }
  for (guint i = 0; i < a->groups->len; i++)
    g_assert_cmpstr (((MusterFakeGroup *) a->groups->pdata[i])->id, ==,
                     ((MusterFakeGroup *) b->groups->pdata[i])->id);
  g_assert_cmpstr (((MusterFakeUser *) a->users->pdata[5])->id, !=,
                   ((MusterFakeUser *) c->users->pdata[5])->id);

  muster_fake_directory_free (a);
  muster_fake_directory_free (b);
  muster_fake_directory_free (c);
}

static void
test_generated_counts (void)
{
  MusterFakeDirectory *dir = muster_fake_directory_new_generated (99, 2000, 40);
  g_autoptr(GHashTable) upns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint kinds[4] = { 0 }, guests = 0;
  MusterFakeSku *e3;

  g_assert_cmpuint (dir->users->len, ==, 2000);
  g_assert_cmpuint (dir->groups->len, ==, 40);
  g_assert_cmpuint (muster_fake_directory_count_users (dir), ==, 2000);
  g_assert_cmpuint (muster_fake_directory_count_groups (dir), ==, 40);
  g_assert_nonnull (muster_fake_directory_get_admin (dir));
  for (guint i = 0; i < dir->users->len; i++)
    {
      MusterFakeUser *user = dir->users->pdata[i];
      g_autofree char *lower = g_ascii_strdown (user->user_principal_name, -1);

      g_assert_true (g_hash_table_add (upns, g_steal_pointer (&lower)));  /* unique, case-insensitively */
      guests += g_str_equal (user->user_type, "Guest");
    }
  g_assert_cmpuint (guests, >, 20);
  for (guint i = 0; i < dir->groups->len; i++)
    kinds[((MusterFakeGroup *) dir->groups->pdata[i])->kind]++;
  for (guint k = 0; k < 4; k++)
    g_assert_cmpuint (kinds[k], >, 0);
  e3 = muster_fake_directory_lookup_sku (dir, "6fd2c87f-b296-42f0-b197-1e91e994b900");
  g_assert_cmpuint (e3->consumed_units, >, 500);
  g_assert_cmpuint (e3->prepaid_enabled, >=, e3->consumed_units);
  muster_fake_directory_free (dir);

  /* tiny tenants still have an admin and exactly what was asked */
  dir = muster_fake_directory_new_generated (1, 1, 0);
  g_assert_cmpuint (dir->users->len, ==, 1);
  g_assert_cmpuint (dir->groups->len, ==, 0);
  g_assert_nonnull (muster_fake_directory_get_admin (dir));
  muster_fake_directory_free (dir);

  dir = muster_fake_directory_new_generated (1, 5, 3);
  g_assert_cmpuint (dir->users->len, ==, 5);
  g_assert_cmpuint (dir->groups->len, ==, 3);
  muster_fake_directory_free (dir);
}

/* Groups of a size of their own: the generated ones hold about that many members whatever the
 * tenant's size, none of them dynamic; the named groups still follow the tenant. */
static void
test_generated_group_size (void)
{
  MusterFakeDirectory *sized = muster_fake_directory_new_generated_sized (99, 20000, 300, 100);
  MusterFakeDirectory *shared = muster_fake_directory_new_generated (99, 20000, 300);
  guint generated = 0, members = 0, dynamic_shared = 0, shared_members = 0;

  for (guint i = 0; i < sized->groups->len; i++)
    {
      MusterFakeGroup *group = sized->groups->pdata[i];

      if (g_strcmp0 (group->description, "Generated group") != 0)
        continue;
      g_assert_false (group->dynamic);
      generated++;
      for (guint m = 0; m < group->member_ids->len; m++)
        members += muster_fake_directory_lookup_user (sized, group->member_ids->pdata[m]) != NULL;
    }
  for (guint i = 0; i < shared->groups->len; i++)
    {
      MusterFakeGroup *group = shared->groups->pdata[i];

      if (g_strcmp0 (group->description, "Generated group") != 0)
        continue;
      dynamic_shared += group->dynamic;
      shared_members += group->member_ids->len;
    }
  g_assert_cmpuint (generated, >, 250);
  g_assert_cmpuint (members / generated, >=, 70);
  g_assert_cmpuint (members / generated, <=, 130);
  /* without a size they are a share of the 20,000 users, and some are dynamic */
  g_assert_cmpuint (dynamic_shared, >, 0);
  g_assert_cmpuint (shared_members / generated, >, 500);
  muster_fake_directory_free (sized);
  muster_fake_directory_free (shared);
}

static MusterFakeGroup *
group_named (MusterFakeDirectory *dir,
             const char          *name)
{
  for (guint i = 0; i < dir->groups->len; i++)
    {
      MusterFakeGroup *group = dir->groups->pdata[i];

      if (g_str_equal (group->display_name, name))
        return group;
    }
  g_assert_not_reached ();
}

static gboolean
ids_contain (GPtrArray  *ids,
             const char *id)
{
  return g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL);
}

static gboolean
groups_contain (GPtrArray       *groups,
                MusterFakeGroup *group)
{
  return g_ptr_array_find (groups, group, NULL);
}

static void
test_transitive_membership (void)
{
  MusterFakeDirectory *dir = muster_fake_directory_new_demo (42);
  MusterFakeGroup *all = group_named (dir, "Engineering - All");
  MusterFakeGroup *platform = group_named (dir, "Engineering - Platform");
  MusterFakeGroup *oncall = group_named (dir, "On-call Rota");
  const char *oncall_member;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GPtrArray) direct = NULL;
  g_autoptr(GPtrArray) transitive = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (oncall->member_ids->len, >, 0);
  oncall_member = oncall->member_ids->pdata[0];

  /* two levels down: All ⊃ Platform ⊃ On-call */
  members = muster_fake_directory_transitive_members (dir, all);
  g_assert_true (ids_contain (members, platform->id));
  g_assert_true (ids_contain (members, oncall->id));
  g_assert_true (ids_contain (members, oncall_member));
  g_assert_false (ids_contain (members, all->id));
  for (guint i = 0; i < members->len; i++)
    g_assert_true (g_hash_table_add (seen, members->pdata[i]));  /* each once */

  direct = muster_fake_directory_member_of (dir, oncall_member);
  g_assert_true (groups_contain (direct, oncall));
  g_assert_false (groups_contain (direct, all));
  transitive = muster_fake_directory_transitive_member_of (dir, oncall_member);
  g_assert_true (groups_contain (transitive, oncall));
  g_assert_true (groups_contain (transitive, platform));
  g_assert_true (groups_contain (transitive, all));
  g_clear_pointer (&members, g_ptr_array_unref);
  g_clear_pointer (&transitive, g_ptr_array_unref);

  /* a cycle (On-call ⊃ All) terminates and still lists everything once, never the group itself */
  g_assert_true (muster_fake_directory_add_member (dir, oncall->id, all->id, &error));
  g_assert_no_error (error);
  members = muster_fake_directory_transitive_members (dir, all);
  g_assert_false (ids_contain (members, all->id));
  g_hash_table_remove_all (seen);
  for (guint i = 0; i < members->len; i++)
    g_assert_true (g_hash_table_add (seen, members->pdata[i]));
  transitive = muster_fake_directory_transitive_member_of (dir, oncall->id);
  g_assert_true (groups_contain (transitive, all));
  g_assert_true (groups_contain (transitive, oncall));  /* through the cycle */
  g_assert_cmpuint (transitive->len, <=, dir->groups->len);

  muster_fake_directory_free (dir);
}

static MusterFakeUser *
first_member_with_mail (MusterFakeDirectory *dir)
{
  for (guint i = 1; i < dir->users->len; i++)
    {
      MusterFakeUser *user = dir->users->pdata[i];

      if (g_str_equal (user->user_type, "Member") && user->mail != NULL
          && g_strcmp0 (user->department, "Engineering") == 0)
        return user;
    }
  g_assert_not_reached ();
}

static void
test_update_user (void)
{
  MusterFakeDirectory *dir = muster_fake_directory_new_demo (42);
  MusterFakeUser *user = first_member_with_mail (dir);
  MusterFakeUser *other = dir->users->pdata[3];
  MusterFakeGroup *engineering = group_named (dir, "Engineering Team");
  MusterFakeSku *e5 = muster_fake_directory_lookup_sku (dir, "06ebc4ee-1bb5-47dd-8120-11324bc54e06");
  guint e5_before;
  guint changes_before;
  g_autoptr(GError) error = NULL;
  g_autofree char *upper = NULL;

  g_assert_true (muster_fake_directory_update_user (dir, user->id, "jobTitle", "Principal Engineer", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (user->job_title, ==, "Principal Engineer");
  g_assert_cmpuint (dir->seq, ==, 2);
  g_assert_cmpuint (user->changed_seq, ==, 2);

  /* a value it already has changes nothing */
  g_assert_true (muster_fake_directory_update_user (dir, user->id, "jobTitle", "Principal Engineer", &error));
  g_assert_cmpuint (dir->seq, ==, 2);

  g_assert_true (muster_fake_directory_update_user (dir, user->id, "accountEnabled", "false", &error));
  g_assert_false (user->account_enabled);
  g_assert_cmpuint (user->changed_seq, ==, 3);

  g_assert_true (muster_fake_directory_update_user (dir, user->id, "mobilePhone", NULL, &error));
  g_assert_null (user->mobile_phone);

  /* UPN: new one found case-insensitively, old one gone */
  g_assert_true (muster_fake_directory_update_user (dir, user->id, "userPrincipalName",
                                                    "Renamed.Person@larkfield-instruments.example", &error));
  g_assert_no_error (error);
  g_assert_true (muster_fake_directory_lookup_user (dir, "renamed.person@LARKFIELD-instruments.example") == user);
  upper = g_ascii_strup (user->id, -1);
  g_assert_true (muster_fake_directory_lookup_user (dir, upper) == user);

  /* refused: duplicate UPN, unverified domain, unknown property, wrong boolean */
  g_assert_false (muster_fake_directory_update_user (dir, other->id, "userPrincipalName",
                                                     "RENAMED.person@larkfield-instruments.example", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (muster_fake_directory_update_user (dir, other->id, "userPrincipalName", "x@gmail.example", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (muster_fake_directory_update_user (dir, other->id, "favouriteColour", "blue", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (muster_fake_directory_update_user (dir, other->id, "accountEnabled", "yes", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (muster_fake_directory_update_user (dir, "00000000-0000-4000-8000-000000000000", "jobTitle", "x", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* licences keep consumedUnits right; unknown SKUs are refused */
  g_assert_true (muster_fake_directory_update_user (dir, user->id, "assignedLicenses", "", &error));
  e5_before = e5->consumed_units;
  g_assert_true (muster_fake_directory_update_user (dir, user->id, "assignedLicenses",
                                                    "06ebc4ee-1bb5-47dd-8120-11324bc54e06", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (user->assigned_licenses->len, ==, 1);
  g_assert_cmpuint (e5->consumed_units, ==, e5_before + 1);
  g_assert_true (muster_fake_directory_update_user (dir, user->id, "assignedLicenses", "", &error));
  g_assert_cmpuint (user->assigned_licenses->len, ==, 0);
  g_assert_cmpuint (e5->consumed_units, ==, e5_before);
  g_assert_false (muster_fake_directory_update_user (dir, user->id, "assignedLicenses",
                                                     "11111111-2222-4333-8444-555555555555", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* manager */
  g_assert_true (muster_fake_directory_update_user (dir, user->id, "manager", other->user_principal_name, &error));
  g_assert_cmpstr (user->manager_id, ==, other->id);
  g_assert_false (muster_fake_directory_update_user (dir, user->id, "manager", user->id, &error));
  g_clear_error (&error);

  /* moving department moves dynamic membership, recorded for members@delta */
  g_assert_true (g_ptr_array_find (engineering->member_ids, user->id, NULL));
  changes_before = dir->member_changes->len;
  g_assert_true (muster_fake_directory_update_user (dir, user->id, "department", "Sales", &error));
  g_assert_false (g_ptr_array_find_with_equal_func (engineering->member_ids, user->id, g_str_equal, NULL));
  g_assert_cmpuint (dir->member_changes->len, >, changes_before);
  g_assert_cmpuint (engineering->changed_seq, >, 1);

  /* the sorted view follows the change */
  {
    GPtrArray *sorted = muster_fake_directory_sorted_users (dir, "displayName");

    g_assert_cmpuint (sorted->len, ==, muster_fake_directory_count_users (dir));
    for (guint i = 1; i < sorted->len; i++)
      g_assert_cmpint (g_ascii_strcasecmp (((MusterFakeUser *) sorted->pdata[i - 1])->display_name,
                                           ((MusterFakeUser *) sorted->pdata[i])->display_name), <=, 0);
    g_assert_null (muster_fake_directory_sorted_users (dir, "jobTitle"));
  }
  muster_fake_directory_free (dir);
}

static void
test_add_delete_user (void)
{
  MusterFakeDirectory *dir = muster_fake_directory_new_demo (42);
  MusterFakeGroup *vpn = group_named (dir, "VPN Users");
  MusterFakeGroup *all_company = group_named (dir, "All Company");
  guint users_before = muster_fake_directory_count_users (dir);
  MusterFakeUser *user, *manager = dir->users->pdata[2];
  guint64 seq;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  MusterFakeMemberChange *change;
  char *id;
  guint vpn_size;

  user = muster_fake_directory_add_user (dir, "Pat Newcomer", "pat.newcomer@larkfield-instruments.example", &error);
  g_assert_no_error (error);
  g_assert_nonnull (user);
  g_assert_cmpuint (muster_fake_directory_count_users (dir), ==, users_before + 1);
  g_assert_cmpuint (user->changed_seq, ==, dir->seq - 1);  /* then All Company (dynamic) took them in */
  g_assert_true (g_ptr_array_find (all_company->member_ids, user->id, NULL));
  id = user->id;

  g_assert_null (muster_fake_directory_add_user (dir, "Twin", "PAT.NEWCOMER@larkfield-instruments.example", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  /* membership of a static group */
  vpn_size = vpn->member_ids->len;
  seq = dir->seq;
  g_assert_true (muster_fake_directory_add_member (dir, vpn->id, id, &error));
  g_assert_cmpuint (vpn->member_ids->len, ==, vpn_size + 1);
  change = g_ptr_array_index (dir->member_changes, dir->member_changes->len - 1);
  g_assert_cmpstr (change->group_id, ==, vpn->id);
  g_assert_cmpstr (change->member_id, ==, id);
  g_assert_false (change->removed);
  g_assert_cmpuint (change->seq, ==, seq + 1);
  g_assert_cmpuint (vpn->changed_seq, ==, seq + 1);
  g_assert_false (muster_fake_directory_add_member (dir, vpn->id, id, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (muster_fake_directory_add_member (dir, all_company->id, dir->admin_id, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);  /* dynamic */
  g_clear_error (&error);
  g_assert_false (muster_fake_directory_add_member (dir, vpn->id, "no-such-id", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (muster_fake_directory_update_user (dir, id, "manager", manager->id, &error));
  g_assert_true (muster_fake_directory_update_user (dir, id, "usageLocation", "GB", &error));
  g_assert_true (muster_fake_directory_update_user (dir, id, "assignedLicenses",
                                                    "6fd2c87f-b296-42f0-b197-1e91e994b900", &error));
  g_assert_no_error (error);

  /* delete: tombstone, out of every group, licence returned, delta-visible */
  {
    MusterFakeSku *e3 = muster_fake_directory_lookup_sku (dir, "6fd2c87f-b296-42f0-b197-1e91e994b900");
    guint consumed = e3->consumed_units;

    g_assert_true (muster_fake_directory_delete_user (dir, id, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (e3->consumed_units, ==, consumed - 1);
  }
  g_assert_true (user->deleted);
  g_assert_cmpuint (user->changed_seq, >, seq);
  g_assert_null (muster_fake_directory_lookup_user (dir, id));
  g_assert_null (muster_fake_directory_lookup_user (dir, "pat.newcomer@larkfield-instruments.example"));
  g_assert_true (g_hash_table_lookup (dir->users_by_id, id) == user);
  g_assert_cmpuint (muster_fake_directory_count_users (dir), ==, users_before);
  g_assert_false (g_ptr_array_find (vpn->member_ids, id, NULL));
  g_assert_false (g_ptr_array_find (all_company->member_ids, id, NULL));
  change = g_ptr_array_index (dir->member_changes, dir->member_changes->len - 1);
  g_assert_true (change->removed);
  g_assert_cmpstr (change->member_id, ==, id);
  reports = muster_fake_directory_direct_reports (dir, manager->id);
  g_assert_false (g_ptr_array_find (reports, user, NULL));
  g_assert_false (muster_fake_directory_delete_user (dir, id, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* the UPN is free again */
  g_assert_nonnull (muster_fake_directory_add_user (dir, "Pat Again", "pat.newcomer@larkfield-instruments.example", &error));
  g_assert_no_error (error);

  /* removing a member */
  seq = dir->seq;
  g_assert_true (muster_fake_directory_remove_member (dir, vpn->id, vpn->member_ids->pdata[0], &error));
  g_assert_cmpuint (dir->seq, ==, seq + 1);
  g_assert_false (muster_fake_directory_remove_member (dir, vpn->id, id, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  muster_fake_directory_free (dir);
}

static void
test_resync_and_continue (void)
{
  MusterFakeDirectory *dir = muster_fake_directory_new_demo (42);
  MusterFakeUser *user;

  muster_fake_directory_force_resync (dir);
  g_assert_cmpuint (dir->resync_before, ==, 2);
  g_assert_cmpuint (dir->seq, ==, 2);
  muster_fake_directory_free (dir);

  dir = muster_fake_directory_new_demo (42);
  muster_fake_directory_continue_after (dir, 40);
  user = dir->users->pdata[0];
  g_assert_cmpuint (dir->seq, ==, 41);
  g_assert_cmpuint (dir->resync_before, ==, 41);
  g_assert_cmpuint (user->changed_seq, ==, 41);
  g_assert_cmpuint (((MusterFakeGroup *) dir->groups->pdata[0])->changed_seq, ==, 41);
  muster_fake_directory_free (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fake/directory/demo/shape", test_demo_shape);
  g_test_add_func ("/fake/directory/demo/manager-chains", test_demo_manager_chains);
  g_test_add_func ("/fake/directory/demo/groups", test_demo_groups);
  g_test_add_func ("/fake/directory/demo/dynamic-membership", test_demo_dynamic_membership);
  g_test_add_func ("/fake/directory/demo/skus", test_demo_skus);
  g_test_add_func ("/fake/directory/demo/photos-are-png", test_photos_are_png);
  g_test_add_func ("/fake/directory/deterministic", test_deterministic);
  g_test_add_func ("/fake/directory/generated/counts", test_generated_counts);
  g_test_add_func ("/fake/directory/generated/group-size", test_generated_group_size);
  g_test_add_func ("/fake/directory/transitive-membership", test_transitive_membership);
  g_test_add_func ("/fake/directory/update-user", test_update_user);
  g_test_add_func ("/fake/directory/add-delete-user", test_add_delete_user);
  g_test_add_func ("/fake/directory/resync-and-continue", test_resync_and_continue);
  return g_test_run ();
}
