/* muster-fake-directory.c: the fake tenant's directory: storage, indexes, queries and changes
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * muster-fake-directory-generate.c builds what it holds: the demo tenant and generated ones.
 */

#define G_LOG_DOMAIN "muster-fake-directory"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "muster-fake-directory-private.h"

/* ---- small helpers ------------------------------------------------------------------------ */

char *
_muster_fake_directory_chunk_insert (MusterFakeDirectory *self,
                                     const char          *s)
{
  return s ? g_string_chunk_insert (self->priv->chunk, s) : NULL;
}

char *
_muster_fake_directory_chunk_guid (MusterFakeDirectory *self,
                                   GRand               *rand)
{
  static const char hex[] = "0123456789abcdef";
  char buf[37];
  guint8 bytes[16];
  guint pos = 0;

  for (guint i = 0; i < 4; i++)
    {
      guint32 v = g_rand_int (rand);
      bytes[i * 4] = v >> 24;
      bytes[i * 4 + 1] = v >> 16;
      bytes[i * 4 + 2] = v >> 8;
      bytes[i * 4 + 3] = v;
    }
  /* version 4, variant 1 (RFC 4122), like Entra's object ids */
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  for (guint i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        buf[pos++] = '-';
      buf[pos++] = hex[bytes[i] >> 4];
      buf[pos++] = hex[bytes[i] & 0xf];
    }
  buf[pos] = '\0';
  return g_string_chunk_insert_len (self->priv->chunk, buf, 36);
}

/* Civil date from days since 1970-01-01 (proleptic Gregorian), avoiding a GDateTime per user. */
static void
civil_from_days (gint64 z,
                 gint  *year,
                 guint *month,
                 guint *day)
{
  gint64 era, y;
  guint doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (guint) (z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = (gint64) yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = (gint) (y + (*month <= 2));
}

char *
_muster_fake_directory_chunk_timestamp (MusterFakeDirectory *self,
                                        gint64               unix_time)
{
  char buf[32];
  gint year;
  guint month, day;
  gint64 secs = unix_time % 86400;

  civil_from_days (unix_time / 86400, &year, &month, &day);
  g_snprintf (buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02uZ", year, month, day,
              (guint) (secs / 3600), (guint) (secs / 60 % 60), (guint) (secs % 60));
  return g_string_chunk_insert (self->priv->chunk, buf);
}

/* The mailbox alias for a name: ASCII, lower case, letters, digits and hyphens. */
char *
_muster_fake_directory_alias_for (const char *name)
{
  g_autofree char *ascii = g_str_to_ascii (name, "C");
  GString *out = g_string_sized_new (strlen (ascii));

  for (const char *p = ascii; *p; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (out, g_ascii_tolower (*p));
      else if (*p == '-' && out->len > 0)
        g_string_append_c (out, '-');
    }
  if (out->len == 0)
    g_string_append (out, "user");
  return g_string_free (out, FALSE);
}

static void
set_owned (MusterFakeDirectory *self,
           char               **field,
           const char          *value)
{
  if (*field != NULL)
    g_hash_table_remove (self->priv->owned, *field);
  *field = value ? g_strdup (value) : NULL;
  if (*field != NULL)
    g_hash_table_add (self->priv->owned, *field);
}

static GPtrArray *
strv_to_array (const char *comma_list)
{
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = NULL;

  if (comma_list == NULL)
    return array;
  parts = g_strsplit (comma_list, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *item = g_strstrip (parts[i]);
      if (*item != '\0')
        g_ptr_array_add (array, g_strdup (item));
    }
  return array;
}

static void
replace_array (GPtrArray **field,
               GPtrArray  *value)
{
  GPtrArray *old = *field;

  *field = value;
  g_clear_pointer (&old, g_ptr_array_unref);
}

static gboolean
array_has_string (GPtrArray  *array,
                  const char *s)
{
  for (guint i = 0; i < array->len; i++)
    if (g_ascii_strcasecmp (array->pdata[i], s) == 0)
      return TRUE;
  return FALSE;
}

/* ---- indexes ------------------------------------------------------------------------------ */

void
_muster_fake_directory_upn_index_insert (MusterFakeDirectory *self,
                                         MusterFakeUser      *user)
{
  const char *upn = user->user_principal_name;
  gboolean lower = TRUE;
  char *key;

  for (const char *p = upn; *p; p++)
    if (g_ascii_isupper (*p))
      {
        lower = FALSE;
        break;
      }

  if (lower)
    key = user->user_principal_name;
  else
    {
      key = g_ascii_strdown (upn, -1);
      g_hash_table_add (self->priv->upn_keys, key);
    }
  g_hash_table_insert (self->users_by_upn, key, user);
}

static void
upn_index_remove (MusterFakeDirectory *self,
                  const char          *upn)
{
  g_autofree char *lower = g_ascii_strdown (upn, -1);
  gpointer key = NULL;

  if (!g_hash_table_lookup_extended (self->users_by_upn, lower, &key, NULL))
    return;
  g_hash_table_remove (self->users_by_upn, lower);
  /* frees the key if it was a lower-cased copy; otherwise it is the UPN field itself */
  g_hash_table_remove (self->priv->upn_keys, key);
}

static void
member_of_add (MusterFakeDirectory *self,
               const char          *member_id,
               MusterFakeGroup     *group)
{
  GPtrArray *groups;

  if (self->priv->member_of == NULL)
    return;
  groups = g_hash_table_lookup (self->priv->member_of, member_id);
  if (groups == NULL)
    {
      groups = g_ptr_array_new ();
      g_hash_table_insert (self->priv->member_of, (char *) member_id, groups);
    }
  g_ptr_array_add (groups, group);
}

static void
member_of_remove (MusterFakeDirectory *self,
                  const char          *member_id,
                  MusterFakeGroup     *group)
{
  GPtrArray *groups;

  if (self->priv->member_of == NULL)
    return;
  groups = g_hash_table_lookup (self->priv->member_of, member_id);
  if (groups != NULL)
    g_ptr_array_remove (groups, group);
}

static GHashTable *
member_of_index (MusterFakeDirectory *self)
{
  if (self->priv->member_of != NULL)
    return self->priv->member_of;

  self->priv->member_of = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                 (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < self->groups->len; i++)
    {
      MusterFakeGroup *group = self->groups->pdata[i];

      if (group->deleted)
        continue;
      for (guint k = 0; k < group->member_ids->len; k++)
        member_of_add (self, group->member_ids->pdata[k], group);
    }
  return self->priv->member_of;
}

/* The directory's own copy of an object id (what member_ids and manager_id point at). */
static char *
canonical_id (MusterFakeDirectory *self,
              const char          *id,
              gboolean            *is_group)
{
  MusterFakeUser *user = muster_fake_directory_lookup_user (self, id);
  MusterFakeGroup *group;

  *is_group = FALSE;
  if (user != NULL)
    return user->id;
  group = muster_fake_directory_lookup_group (self, id);
  if (group != NULL)
    {
      *is_group = TRUE;
      return group->id;
    }
  return NULL;
}

static guint64
next_seq (MusterFakeDirectory *self)
{
  return ++self->seq;
}

static void
record_member_change (MusterFakeDirectory *self,
                      MusterFakeGroup     *group,
                      char                *member_id,
                      gboolean             removed)
{
  MusterFakeMemberChange *change = g_new0 (MusterFakeMemberChange, 1);

  change->group_id = group->id;
  change->member_id = member_id;
  change->removed = removed;
  change->seq = next_seq (self);
  group->changed_seq = change->seq;
  g_ptr_array_add (self->member_changes, change);
}

/* Adds without checks; @member_id must be the directory's own copy. */
void
_muster_fake_directory_group_add_member (MusterFakeDirectory *self,
                                         MusterFakeGroup     *group,
                                         char                *member_id,
                                         gboolean             record)
{
  g_ptr_array_add (group->member_ids, member_id);
  member_of_add (self, member_id, group);
  if (record)
    record_member_change (self, group, member_id, FALSE);
}

static gboolean
group_remove_member (MusterFakeDirectory *self,
                     MusterFakeGroup     *group,
                     char                *member_id,
                     gboolean             record)
{
  if (!g_ptr_array_remove (group->member_ids, member_id))
    return FALSE;
  member_of_remove (self, member_id, group);
  if (record)
    record_member_change (self, group, member_id, TRUE);
  return TRUE;
}

/* ---- dynamic membership rules --------------------------------------------------------------
 * The subset of Entra's rule syntax the generator writes
 * (learn.microsoft.com/entra/identity/users/groups-dynamic-membership): clauses `(user.property -eq "value")` or `-ne`, booleans
 * unquoted, joined by `-and`. String comparison is case-insensitive, as in Entra. */

typedef struct
{
  char    *property;
  char    *value;   /* without quotes */
  gssize   offset;  /* of the string field in MusterFakeUser; RULE_* below otherwise */
  gboolean negate;
} RuleClause;

#define RULE_ACCOUNT_ENABLED (-1)
#define RULE_UNKNOWN         (-2)

static void
rule_clause_free (RuleClause *clause)
{
  g_free (clause->property);
  g_free (clause->value);
  g_free (clause);
}

static const struct
{
  const char *name;
  gsize       offset;
} string_fields[] = {
  { "displayName", G_STRUCT_OFFSET (MusterFakeUser, display_name) },
  { "givenName", G_STRUCT_OFFSET (MusterFakeUser, given_name) },
  { "surname", G_STRUCT_OFFSET (MusterFakeUser, surname) },
  { "userPrincipalName", G_STRUCT_OFFSET (MusterFakeUser, user_principal_name) },
  { "mail", G_STRUCT_OFFSET (MusterFakeUser, mail) },
  { "jobTitle", G_STRUCT_OFFSET (MusterFakeUser, job_title) },
  { "department", G_STRUCT_OFFSET (MusterFakeUser, department) },
  { "companyName", G_STRUCT_OFFSET (MusterFakeUser, company_name) },
  { "employeeId", G_STRUCT_OFFSET (MusterFakeUser, employee_id) },
  { "officeLocation", G_STRUCT_OFFSET (MusterFakeUser, office_location) },
  { "mobilePhone", G_STRUCT_OFFSET (MusterFakeUser, mobile_phone) },
  { "preferredLanguage", G_STRUCT_OFFSET (MusterFakeUser, preferred_language) },
  { "usageLocation", G_STRUCT_OFFSET (MusterFakeUser, usage_location) },
  { "city", G_STRUCT_OFFSET (MusterFakeUser, city) },
  { "country", G_STRUCT_OFFSET (MusterFakeUser, country) },
  { "createdDateTime", G_STRUCT_OFFSET (MusterFakeUser, created_date_time) },
  { "userType", G_STRUCT_OFFSET (MusterFakeUser, user_type) },
};

/* Exact Graph spelling: the control API passes property names straight through. */
static char **
user_string_field (MusterFakeUser *user,
                   const char     *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    if (g_str_equal (string_fields[i].name, name))
      return G_STRUCT_MEMBER_P (user, string_fields[i].offset);
  return NULL;
}

/* Rules name properties case-insensitively (user.Department works in Entra). */
static gssize
rule_property_offset (const char *property)
{
  if (g_ascii_strcasecmp (property, "accountEnabled") == 0)
    return RULE_ACCOUNT_ENABLED;
  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    if (g_ascii_strcasecmp (string_fields[i].name, property) == 0)
      return string_fields[i].offset;
  return RULE_UNKNOWN;
}

GPtrArray *
_muster_fake_directory_rule_parse (const char *rule)
{
  g_autoptr(GPtrArray) clauses = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_clause_free);
  g_autoptr(GRegex) regex = NULL;
  g_auto(GStrv) parts = NULL;

  regex = g_regex_new ("^\\(?\\s*user\\.([A-Za-z]+)\\s+-(eq|ne)\\s+(\"([^\"]*)\"|true|false)\\s*\\)?$",
                       G_REGEX_CASELESS, 0, NULL);
  parts = g_regex_split_simple ("\\s+-and\\s+", rule, G_REGEX_CASELESS, 0);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;
      RuleClause *clause;
      g_autofree char *quoted = NULL;
      g_autofree char *op = NULL;

      if (!g_regex_match (regex, g_strstrip (parts[i]), 0, &match))
        return NULL;
      clause = g_new0 (RuleClause, 1);
      clause->property = g_match_info_fetch (match, 1);
      op = g_match_info_fetch (match, 2);
      clause->negate = g_ascii_strcasecmp (op, "ne") == 0;
      clause->offset = rule_property_offset (clause->property);
      quoted = g_match_info_fetch (match, 3);
      if (quoted[0] == '"')
        clause->value = g_match_info_fetch (match, 4);
      else
        clause->value = g_ascii_strdown (quoted, -1);
      g_ptr_array_add (clauses, clause);
    }
  return g_steal_pointer (&clauses);
}

static gboolean
strings_equal_ci (const char *a,
                  const char *b)
{
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;

  if (g_ascii_strcasecmp (a, b) == 0)
    return TRUE;
  if (g_str_is_ascii (a) && g_str_is_ascii (b))
    return FALSE;
  fa = g_utf8_casefold (a, -1);
  fb = g_utf8_casefold (b, -1);
  return g_str_equal (fa, fb);
}

gboolean
_muster_fake_directory_rule_matches (GPtrArray      *clauses,
                                     MusterFakeUser *user)
{
  if (clauses == NULL || user->deleted)
    return FALSE;

  for (guint i = 0; i < clauses->len; i++)
    {
      RuleClause *clause = clauses->pdata[i];
      gboolean equal;

      if (clause->offset == RULE_ACCOUNT_ENABLED)
        equal = g_str_equal (clause->value, user->account_enabled ? "true" : "false");
      else if (clause->offset == RULE_UNKNOWN)
        equal = FALSE;
      else
        {
          const char *value = G_STRUCT_MEMBER (char *, user, clause->offset);

          equal = value != NULL && strings_equal_ci (value, clause->value);
        }
      if (equal == clause->negate)
        return FALSE;
    }
  return TRUE;
}

/* Entra re-evaluates dynamic groups when a user changes; the fake does it at once. */
static void
reevaluate_dynamic_groups (MusterFakeDirectory *self,
                           MusterFakeUser      *user)
{
  for (guint i = 0; i < self->groups->len; i++)
    {
      MusterFakeGroup *group = self->groups->pdata[i];
      g_autoptr(GPtrArray) clauses = NULL;
      gboolean member, should;

      if (group->deleted || !group->dynamic || group->membership_rule == NULL)
        continue;
      clauses = _muster_fake_directory_rule_parse (group->membership_rule);
      should = _muster_fake_directory_rule_matches (clauses, user);
      member = g_ptr_array_find (group->member_ids, user->id, NULL);
      if (should && !member)
        _muster_fake_directory_group_add_member (self, group, user->id, TRUE);
      else if (!should && member)
        group_remove_member (self, group, user->id, TRUE);
    }
}

/* ---- licences ----------------------------------------------------------------------------- */

GPtrArray *
_muster_fake_directory_licence_set (MusterFakeDirectory *self,
                                    guint                mask)
{
  GPtrArray *set = g_ptr_array_index (self->priv->licence_sets, mask);

  if (set == NULL)
    {
      set = g_ptr_array_new ();
      for (guint i = 0; i < N_SKUS; i++)
        if (mask & (1u << i))
          g_ptr_array_add (set, ((MusterFakeSku *) self->skus->pdata[i])->sku_id);
      self->priv->licence_sets->pdata[mask] = set;
    }
  return g_ptr_array_ref (set);
}

void
_muster_fake_directory_count_licences (MusterFakeDirectory *self,
                                       GPtrArray           *licences,
                                       gint                 delta)
{
  for (guint i = 0; licences != NULL && i < licences->len; i++)
    {
      MusterFakeSku *sku = muster_fake_directory_lookup_sku (self, licences->pdata[i]);

      if (sku != NULL)
        sku->consumed_units += delta;
    }
}

/* ---- public API --------------------------------------------------------------------------- */

void
muster_fake_directory_free (MusterFakeDirectory *self)
{
  MusterFakeDirectoryPrivate *priv;

  if (self == NULL)
    return;
  priv = self->priv;

  for (guint i = 0; i < self->users->len; i++)
    {
      MusterFakeUser *user = self->users->pdata[i];

      g_clear_pointer (&user->business_phones, g_ptr_array_unref);
      g_clear_pointer (&user->other_mails, g_ptr_array_unref);
      g_clear_pointer (&user->proxy_addresses, g_ptr_array_unref);
      g_clear_pointer (&user->assigned_licenses, g_ptr_array_unref);
      g_clear_pointer (&user->photo, g_bytes_unref);
      if (user < priv->user_block || user >= priv->user_block + priv->n_block_users)
        g_free (user);
    }
  for (guint i = 0; i < self->groups->len; i++)
    {
      MusterFakeGroup *group = self->groups->pdata[i];

      g_clear_pointer (&group->member_ids, g_ptr_array_unref);
      if (group < priv->group_block || group >= priv->group_block + priv->n_block_groups)
        g_free (group);
    }
  for (guint i = 0; i < self->skus->len; i++)
    {
      MusterFakeSku *sku = self->skus->pdata[i];

      g_ptr_array_unref (sku->service_plans);
      g_ptr_array_unref (sku->service_plan_ids);
      g_free (sku);
    }

  g_hash_table_unref (self->users_by_id);
  g_hash_table_unref (self->users_by_upn);
  g_hash_table_unref (self->groups_by_id);
  g_ptr_array_unref (self->users);
  g_ptr_array_unref (self->groups);
  g_ptr_array_unref (self->skus);
  g_ptr_array_unref (self->member_changes);
  g_ptr_array_unref (self->verified_domains);

  g_clear_pointer (&priv->member_of, g_hash_table_unref);
  for (guint i = 0; i < G_N_ELEMENTS (priv->sorted); i++)
    g_clear_pointer (&priv->sorted[i], g_ptr_array_unref);
  g_ptr_array_unref (priv->licence_sets);
  g_ptr_array_unref (priv->empty);
  g_free (priv->user_block);
  g_free (priv->group_block);
  g_rand_free (priv->rand);
  g_hash_table_unref (priv->upn_keys);
  g_hash_table_unref (priv->owned);
  g_string_chunk_free (priv->chunk);
  g_free (priv);
  g_free (self);
}

MusterFakeUser *
muster_fake_directory_lookup_user (MusterFakeDirectory *self,
                                   const char          *id_or_upn)
{
  MusterFakeUser *user;

  g_return_val_if_fail (self != NULL, NULL);
  if (id_or_upn == NULL)
    return NULL;

  user = g_hash_table_lookup (self->users_by_id, id_or_upn);
  if (user == NULL)
    {
      g_autofree char *lower = g_ascii_strdown (id_or_upn, -1);

      user = g_hash_table_lookup (self->users_by_id, lower);
      if (user == NULL)
        user = g_hash_table_lookup (self->users_by_upn, lower);
    }
  return user != NULL && !user->deleted ? user : NULL;
}

MusterFakeGroup *
muster_fake_directory_lookup_group (MusterFakeDirectory *self,
                                    const char          *id)
{
  MusterFakeGroup *group;

  g_return_val_if_fail (self != NULL, NULL);
  if (id == NULL)
    return NULL;

  group = g_hash_table_lookup (self->groups_by_id, id);
  if (group == NULL)
    {
      g_autofree char *lower = g_ascii_strdown (id, -1);
      group = g_hash_table_lookup (self->groups_by_id, lower);
    }
  return group != NULL && !group->deleted ? group : NULL;
}

MusterFakeUser *
muster_fake_directory_get_admin (MusterFakeDirectory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_hash_table_lookup (self->users_by_id, self->admin_id);
}

gboolean
muster_fake_directory_is_group_id (MusterFakeDirectory *self,
                                   const char          *id)
{
  return muster_fake_directory_lookup_group (self, id) != NULL;
}

MusterFakeSku *
muster_fake_directory_lookup_sku (MusterFakeDirectory *self,
                                  const char          *sku_id)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; sku_id != NULL && i < self->skus->len; i++)
    {
      MusterFakeSku *sku = self->skus->pdata[i];

      if (g_ascii_strcasecmp (sku->sku_id, sku_id) == 0)
        return sku;
    }
  return NULL;
}

guint
muster_fake_directory_count_users (MusterFakeDirectory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->priv->n_live_users;
}

guint
muster_fake_directory_count_groups (MusterFakeDirectory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->priv->n_live_groups;
}

GPtrArray *
muster_fake_directory_member_of (MusterFakeDirectory *self,
                                 const char          *member_id)
{
  GPtrArray *result = g_ptr_array_new ();
  GPtrArray *groups;
  gboolean is_group;
  const char *id;

  g_return_val_if_fail (self != NULL, result);

  id = canonical_id (self, member_id, &is_group);
  if (id == NULL)
    return result;
  groups = g_hash_table_lookup (member_of_index (self), id);
  for (guint i = 0; groups != NULL && i < groups->len; i++)
    {
      MusterFakeGroup *group = groups->pdata[i];

      if (!group->deleted)
        g_ptr_array_add (result, group);
    }
  return result;
}

GPtrArray *
muster_fake_directory_transitive_member_of (MusterFakeDirectory *self,
                                            const char          *member_id)
{
  GPtrArray *result = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  gboolean is_group;
  const char *id;

  g_return_val_if_fail (self != NULL, result);

  id = canonical_id (self, member_id, &is_group);
  if (id == NULL)
    return result;

  /* breadth-first upwards; `seen` keeps cycles from looping and each group once */
  {
    g_autoptr(GPtrArray) direct = muster_fake_directory_member_of (self, id);

    for (guint i = 0; i < direct->len; i++)
      if (g_hash_table_add (seen, direct->pdata[i]))
        g_ptr_array_add (result, direct->pdata[i]);
  }
  for (guint k = 0; k < result->len; k++)
    {
      MusterFakeGroup *group = result->pdata[k];
      GPtrArray *parents = g_hash_table_lookup (member_of_index (self), group->id);

      for (guint i = 0; parents != NULL && i < parents->len; i++)
        {
          MusterFakeGroup *parent = parents->pdata[i];

          if (!parent->deleted && g_hash_table_add (seen, parent))
            g_ptr_array_add (result, parent);
        }
    }
  return result;
}

GPtrArray *
muster_fake_directory_transitive_members (MusterFakeDirectory *self,
                                          MusterFakeGroup     *group)
{
  GPtrArray *result = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) queue = g_ptr_array_new ();

  g_return_val_if_fail (self != NULL && group != NULL, result);

  g_hash_table_add (seen, group->id);
  g_ptr_array_add (queue, group);
  for (guint q = 0; q < queue->len; q++)
    {
      MusterFakeGroup *current = queue->pdata[q];

      for (guint i = 0; i < current->member_ids->len; i++)
        {
          char *id = current->member_ids->pdata[i];
          MusterFakeGroup *nested;

          if (!g_hash_table_add (seen, id))
            continue;
          g_ptr_array_add (result, id);
          nested = g_hash_table_lookup (self->groups_by_id, id);
          if (nested != NULL && !nested->deleted)
            g_ptr_array_add (queue, nested);
        }
    }
  return result;
}

GPtrArray *
muster_fake_directory_direct_reports (MusterFakeDirectory *self,
                                      const char          *manager_id)
{
  GPtrArray *result = g_ptr_array_new ();
  MusterFakeUser *manager = muster_fake_directory_lookup_user (self, manager_id);

  if (manager == NULL)
    return result;
  for (guint i = 0; i < self->users->len; i++)
    {
      MusterFakeUser *user = self->users->pdata[i];

      if (!user->deleted && user->manager_id == manager->id)
        g_ptr_array_add (result, user);
    }
  return result;
}

static gint
compare_by_display_name (gconstpointer a,
                         gconstpointer b)
{
  const MusterFakeUser *ua = *(MusterFakeUser * const *) a;
  const MusterFakeUser *ub = *(MusterFakeUser * const *) b;
  gint r = g_ascii_strcasecmp (ua->display_name, ub->display_name);

  if (r == 0)
    r = strcmp (ua->display_name, ub->display_name);
  return r != 0 ? r : strcmp (ua->id, ub->id);
}

static gint
compare_by_upn (gconstpointer a,
                gconstpointer b)
{
  const MusterFakeUser *ua = *(MusterFakeUser * const *) a;
  const MusterFakeUser *ub = *(MusterFakeUser * const *) b;
  gint r = g_ascii_strcasecmp (ua->user_principal_name, ub->user_principal_name);

  return r != 0 ? r : strcmp (ua->id, ub->id);
}

GPtrArray *
muster_fake_directory_sorted_users (MusterFakeDirectory *self,
                                    const char          *property)
{
  MusterFakeDirectoryPrivate *priv;
  guint which;

  g_return_val_if_fail (self != NULL, NULL);
  priv = self->priv;

  if (g_strcmp0 (property, "displayName") == 0)
    which = 0;
  else if (g_strcmp0 (property, "userPrincipalName") == 0)
    which = 1;
  else
    return NULL;

  if (priv->sorted[which] == NULL || priv->sorted_seq[which] != self->seq)
    {
      g_clear_pointer (&priv->sorted[which], g_ptr_array_unref);
      priv->sorted[which] = g_ptr_array_sized_new (priv->n_live_users);
      for (guint i = 0; i < self->users->len; i++)
        {
          MusterFakeUser *user = self->users->pdata[i];

          if (!user->deleted)
            g_ptr_array_add (priv->sorted[which], user);
        }
      g_ptr_array_sort (priv->sorted[which], which == 0 ? compare_by_display_name : compare_by_upn);
      priv->sorted_seq[which] = self->seq;
    }
  return priv->sorted[which];
}

/* ---- mutations ---------------------------------------------------------------------------- */

static gboolean
invalid_value (GError    **error,
               const char *field)
{
  /* Graph's wording for a property value it refuses */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Invalid value specified for property '%s' of resource 'User'.", field);
  return FALSE;
}

static gboolean
upn_domain_is_verified (MusterFakeDirectory *self,
                        const char          *upn)
{
  const char *at = strrchr (upn, '@');

  if (at == NULL || at == upn || at[1] == '\0' || strchr (upn, '@') != at || strchr (upn, ' ') != NULL)
    return FALSE;
  for (guint i = 0; i < self->verified_domains->len; i++)
    if (g_ascii_strcasecmp (at + 1, self->verified_domains->pdata[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
validate_update (MusterFakeDirectory *self,
                 MusterFakeUser      *user,
                 const char          *field,
                 const char          *value,
                 GError             **error)
{
  static const struct { const char *name; guint max; } lengths[] = {
    /* user resource, learn.microsoft.com/graph/api/resources/user */
    { "displayName", 256 }, { "givenName", 64 }, { "surname", 64 }, { "jobTitle", 128 },
    { "department", 64 }, { "companyName", 64 }, { "employeeId", 16 }, { "officeLocation", 128 },
    { "mobilePhone", 64 }, { "city", 128 }, { "country", 128 }, { "preferredLanguage", 16 },
    { "userPrincipalName", 113 }, { "mail", 256 },
  };
  MusterFakeUser probe = { 0 };

  if (value != NULL && !g_utf8_validate (value, -1, NULL))
    return invalid_value (error, field);
  for (guint i = 0; value != NULL && i < G_N_ELEMENTS (lengths); i++)
    if (g_str_equal (field, lengths[i].name) && g_utf8_strlen (value, -1) > lengths[i].max)
      return invalid_value (error, field);

  if (g_str_equal (field, "displayName"))
    {
      if (value == NULL || *value == '\0')
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "userPrincipalName"))
    {
      MusterFakeUser *other;
      g_autofree char *lower = NULL;

      if (value == NULL || !upn_domain_is_verified (self, value))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "The domain portion of the userPrincipalName property is invalid. "
                       "You must use one of the verified domain names in your organization.");
          return FALSE;
        }
      lower = g_ascii_strdown (value, -1);
      other = g_hash_table_lookup (self->users_by_upn, lower);
      if (other != NULL && other != user)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                       "Another object with the same value for property userPrincipalName already exists.");
          return FALSE;
        }
    }
  else if (g_str_equal (field, "userType"))
    {
      if (g_strcmp0 (value, "Member") != 0 && g_strcmp0 (value, "Guest") != 0)
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "usageLocation"))
    {
      if (value == NULL)
        {
          if (user != NULL && user->assigned_licenses->len > 0)
            return invalid_value (error, field);
        }
      else if (strlen (value) != 2 || !g_ascii_isalpha (value[0]) || !g_ascii_isalpha (value[1]))
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "createdDateTime"))
    {
      g_autoptr(GDateTime) dt = value ? g_date_time_new_from_iso8601 (value, NULL) : NULL;

      if (dt == NULL)
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "accountEnabled") || g_str_equal (field, "onPremisesSyncEnabled"))
    {
      if (g_strcmp0 (value, "true") != 0 && g_strcmp0 (value, "false") != 0)
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "manager"))
    {
      MusterFakeUser *manager = muster_fake_directory_lookup_user (self, value);

      if (value != NULL && manager == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "Resource '%s' does not exist or one of its queried reference-property objects are not present.",
                       value);
          return FALSE;
        }
      if (manager != NULL && manager == user)
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "assignedLicenses"))
    {
      g_autoptr(GPtrArray) wanted = strv_to_array (value);

      for (guint i = 0; i < wanted->len; i++)
        {
          MusterFakeSku *sku = muster_fake_directory_lookup_sku (self, wanted->pdata[i]);
          gboolean already = user != NULL && array_has_string (user->assigned_licenses, wanted->pdata[i]);

          /* wording of assignLicense's errors (learn.microsoft.com/graph/api/user-assignlicense) */
          if (sku == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "License %s does not correspond to a valid company License.",
                           (char *) wanted->pdata[i]);
              return FALSE;
            }
          if (!already && sku->consumed_units >= sku->prepaid_enabled + sku->prepaid_warning)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Subscription with SKU %s does not have any available licenses.", sku->sku_id);
              return FALSE;
            }
        }
      /* for a user about to be created the caller checks this against the whole request */
      if (wanted->len > 0 && user != NULL && user->usage_location == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "License assignment cannot be done for user with invalid usage location.");
          return FALSE;
        }
    }
  else if (g_str_equal (field, "businessPhones"))
    {
      g_autoptr(GPtrArray) phones = strv_to_array (value);

      /* "Only one number can be set for this property." (user resource) */
      if (phones->len > 1)
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "otherMails"))
    ;
  else if (g_str_equal (field, "mail"))
    {
      if (value != NULL && (strchr (value, '@') == NULL || strchr (value, ' ') != NULL))
        return invalid_value (error, field);
    }
  else if (user_string_field (&probe, field) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Property '%s' does not exist on type 'microsoft.graph.user'.", field);
      return FALSE;
    }
  return TRUE;
}

gboolean
muster_fake_directory_validate_user_update (MusterFakeDirectory *self,
                                            const char          *id,
                                            const char          *field,
                                            const char          *value,
                                            GError             **error)
{
  MusterFakeUser *user = NULL;

  g_return_val_if_fail (self != NULL && field != NULL, FALSE);

  if (id != NULL)
    {
      user = muster_fake_directory_lookup_user (self, id);
      if (user == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "Resource '%s' does not exist or one of its queried reference-property objects are not present.", id);
          return FALSE;
        }
    }
  return validate_update (self, user, field, value, error);
}

static void
set_mail (MusterFakeDirectory *self,
          MusterFakeUser      *user,
          const char          *value)
{
  GPtrArray *proxies = g_ptr_array_new_with_free_func (g_free);

  /* Exchange keeps the primary SMTP address upper-case "SMTP:" and older ones as aliases. */
  if (value != NULL)
    {
      g_ptr_array_add (proxies, g_strconcat ("SMTP:", value, NULL));
      for (guint i = 0; i < user->proxy_addresses->len; i++)
        {
          const char *old = user->proxy_addresses->pdata[i];

          if (g_ascii_strncasecmp (old, "smtp:", 5) == 0 && g_ascii_strcasecmp (old + 5, value) != 0)
            g_ptr_array_add (proxies, g_strconcat ("smtp:", old + 5, NULL));
          else if (g_ascii_strncasecmp (old, "smtp:", 5) != 0)
            g_ptr_array_add (proxies, g_strdup (old));
        }
    }
  set_owned (self, &user->mail, value);
  replace_array (&user->proxy_addresses, proxies);
}

static gboolean
apply_update (MusterFakeDirectory *self,
              MusterFakeUser      *user,
              const char          *field,
              const char          *value)
{
  if (g_str_equal (field, "accountEnabled") || g_str_equal (field, "onPremisesSyncEnabled"))
    {
      gboolean *target = g_str_equal (field, "accountEnabled") ? &user->account_enabled : &user->on_premises_sync_enabled;
      gboolean enabled = g_str_equal (value, "true");

      if (*target == enabled)
        return FALSE;
      *target = enabled;
    }
  else if (g_str_equal (field, "manager"))
    {
      MusterFakeUser *manager = muster_fake_directory_lookup_user (self, value);
      char *id = manager ? manager->id : NULL;

      if (user->manager_id == id)
        return FALSE;
      user->manager_id = id;
    }
  else if (g_str_equal (field, "assignedLicenses"))
    {
      g_autoptr(GPtrArray) wanted = strv_to_array (value);
      GPtrArray *licences = g_ptr_array_new ();
      gboolean same = wanted->len == user->assigned_licenses->len;

      for (guint i = 0; i < wanted->len; i++)
        {
          MusterFakeSku *sku = muster_fake_directory_lookup_sku (self, wanted->pdata[i]);

          if (!g_ptr_array_find (licences, sku->sku_id, NULL))
            g_ptr_array_add (licences, sku->sku_id);
          same &= array_has_string (user->assigned_licenses, sku->sku_id);
        }
      if (same && licences->len == user->assigned_licenses->len)
        {
          g_ptr_array_unref (licences);
          return FALSE;
        }
      _muster_fake_directory_count_licences (self, user->assigned_licenses, -1);
      _muster_fake_directory_count_licences (self, licences, 1);
      replace_array (&user->assigned_licenses, licences);
    }
  else if (g_str_equal (field, "businessPhones"))
    replace_array (&user->business_phones, strv_to_array (value));
  else if (g_str_equal (field, "otherMails"))
    replace_array (&user->other_mails, strv_to_array (value));
  else
    {
      char **target = user_string_field (user, field);

      if (g_strcmp0 (*target, value) == 0)
        return FALSE;
      if (g_str_equal (field, "userPrincipalName"))
        {
          upn_index_remove (self, user->user_principal_name);
          set_owned (self, target, value);
          _muster_fake_directory_upn_index_insert (self, user);
        }
      else if (g_str_equal (field, "mail"))
        set_mail (self, user, value);
      else if (g_str_equal (field, "userType"))
        *target = (char *) (g_str_equal (value, "Guest") ? "Guest" : "Member");
      else
        set_owned (self, target, value);
    }
  return TRUE;
}

MusterFakeUser *
muster_fake_directory_add_user (MusterFakeDirectory *self,
                                const char          *display_name,
                                const char          *upn,
                                GError             **error)
{
  MusterFakeUser *user;
  g_autoptr(GDateTime) created = g_date_time_new_now_utc ();
  g_autofree char *now = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (!validate_update (self, NULL, "displayName", display_name, error)
      || !validate_update (self, NULL, "userPrincipalName", upn, error))
    return NULL;

  user = g_new0 (MusterFakeUser, 1);
  user->id = _muster_fake_directory_chunk_guid (self, self->priv->rand);
  set_owned (self, &user->display_name, display_name);
  set_owned (self, &user->user_principal_name, upn);
  now = g_date_time_format (created, "%Y-%m-%dT%H:%M:%SZ");
  set_owned (self, &user->created_date_time, now);
  user->user_type = (char *) "Member";
  user->account_enabled = TRUE;
  user->business_phones = g_ptr_array_ref (self->priv->empty);
  user->other_mails = g_ptr_array_ref (self->priv->empty);
  user->proxy_addresses = g_ptr_array_ref (self->priv->empty);
  user->assigned_licenses = g_ptr_array_ref (self->priv->empty);
  user->changed_seq = next_seq (self);

  g_ptr_array_add (self->users, user);
  g_hash_table_insert (self->users_by_id, user->id, user);
  _muster_fake_directory_upn_index_insert (self, user);
  self->priv->n_live_users++;
  reevaluate_dynamic_groups (self, user);
  return user;
}

gboolean
muster_fake_directory_update_user (MusterFakeDirectory *self,
                                   const char          *id,
                                   const char          *field,
                                   const char          *value,
                                   GError             **error)
{
  MusterFakeUser *user;

  g_return_val_if_fail (self != NULL && field != NULL, FALSE);

  if (!muster_fake_directory_validate_user_update (self, id, field, value, error))
    return FALSE;
  user = muster_fake_directory_lookup_user (self, id);
  if (apply_update (self, user, field, value))
    {
      user->changed_seq = next_seq (self);
      reevaluate_dynamic_groups (self, user);
    }
  return TRUE;
}

gboolean
muster_fake_directory_delete_user (MusterFakeDirectory *self,
                                   const char          *id,
                                   GError             **error)
{
  MusterFakeUser *user;

  g_return_val_if_fail (self != NULL, FALSE);

  user = muster_fake_directory_lookup_user (self, id);
  if (user == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "Resource '%s' does not exist or one of its queried reference-property objects are not present.",
                   id ? id : "");
      return FALSE;
    }

  user->deleted = TRUE;
  user->changed_seq = next_seq (self);
  upn_index_remove (self, user->user_principal_name);
  self->priv->n_live_users--;
  /* a deleted user's licences return to the pool */
  _muster_fake_directory_count_licences (self, user->assigned_licenses, -1);
  replace_array (&user->assigned_licenses, g_ptr_array_ref (self->priv->empty));

  for (guint i = 0; i < self->groups->len; i++)
    {
      MusterFakeGroup *group = self->groups->pdata[i];

      if (!group->deleted)
        group_remove_member (self, group, user->id, TRUE);
    }

  /* their reports lose the manager reference, which delta shows as a change */
  for (guint i = 0; i < self->users->len; i++)
    {
      MusterFakeUser *report = self->users->pdata[i];

      if (!report->deleted && report->manager_id == user->id)
        {
          report->manager_id = NULL;
          report->changed_seq = next_seq (self);
        }
    }
  return TRUE;
}

gboolean
muster_fake_directory_add_member (MusterFakeDirectory *self,
                                  const char          *group_id,
                                  const char          *member_id,
                                  GError             **error)
{
  MusterFakeGroup *group;
  gboolean is_group;
  char *id;

  g_return_val_if_fail (self != NULL, FALSE);

  group = muster_fake_directory_lookup_group (self, group_id);
  id = canonical_id (self, member_id, &is_group);
  if (group == NULL || id == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "Resource '%s' does not exist or one of its queried reference-property objects are not present.",
                   group == NULL ? (group_id ? group_id : "") : (member_id ? member_id : ""));
      return FALSE;
    }
  if (group->dynamic)
    {
      /* Entra manages the members of dynamic groups itself */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Insufficient privileges to complete the operation. Members of a group with dynamic membership cannot be changed.");
      return FALSE;
    }
  if (id == group->id)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A group cannot be a member of itself.");
      return FALSE;
    }
  if (g_ptr_array_find (group->member_ids, id, NULL))
    {
      /* Graph's wording (learn.microsoft.com/graph/api/group-post-members) */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "One or more added object references already exist for the following modified properties: 'members'.");
      return FALSE;
    }
  _muster_fake_directory_group_add_member (self, group, id, TRUE);
  return TRUE;
}

gboolean
muster_fake_directory_remove_member (MusterFakeDirectory *self,
                                     const char          *group_id,
                                     const char          *member_id,
                                     GError             **error)
{
  MusterFakeGroup *group;
  gboolean is_group;
  char *id;

  g_return_val_if_fail (self != NULL, FALSE);

  group = muster_fake_directory_lookup_group (self, group_id);
  id = canonical_id (self, member_id, &is_group);
  if (group != NULL && id != NULL && group->dynamic)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Insufficient privileges to complete the operation. Members of a group with dynamic membership cannot be changed.");
      return FALSE;
    }
  if (group == NULL || id == NULL || !group_remove_member (self, group, id, TRUE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "Resource '%s' does not exist or one of its queried reference-property objects are not present.",
                   member_id ? member_id : "");
      return FALSE;
    }
  return TRUE;
}

void
muster_fake_directory_force_resync (MusterFakeDirectory *self)
{
  g_return_if_fail (self != NULL);

  self->resync_before = self->seq + 1;
  self->seq++;
}

void
muster_fake_directory_continue_after (MusterFakeDirectory *self,
                                      guint64              previous_seq)
{
  guint64 base = previous_seq + 1;

  g_return_if_fail (self != NULL);

  if (self->seq >= base)
    return;
  for (guint i = 0; i < self->users->len; i++)
    ((MusterFakeUser *) self->users->pdata[i])->changed_seq += base - 1;
  for (guint i = 0; i < self->groups->len; i++)
    ((MusterFakeGroup *) self->groups->pdata[i])->changed_seq += base - 1;
  for (guint i = 0; i < self->member_changes->len; i++)
    ((MusterFakeMemberChange *) self->member_changes->pdata[i])->seq += base - 1;
  self->seq += base - 1;
  self->resync_before = base;
}

const char *
muster_fake_group_kind_to_string (MusterFakeGroupKind kind)
{
  /* the labels of the Microsoft 365 admin center */
  switch (kind)
    {
    case MUSTER_FAKE_GROUP_MICROSOFT365:
      return "Microsoft 365";
    case MUSTER_FAKE_GROUP_SECURITY:
      return "Security";
    case MUSTER_FAKE_GROUP_MAIL_SECURITY:
      return "Mail-enabled security";
    case MUSTER_FAKE_GROUP_DISTRIBUTION:
      return "Distribution";
    default:
      return "Unknown";
    }
}
