/* muster-snapshot.c: one directory snapshot loaded into memory
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-snapshot"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "muster-group-private.h"
#include "muster-snapshot-private.h"
#include "muster-tenant-status.h"
#include "muster-user-private.h"

/* Only direct memberships are stored (cache.db); nesting is resolved here, once, when the
 * snapshot is finished. Memberships are kept in compressed rows: user i's groups are
 * pool[start[i]] … pool[start[i + 1] - 1], sorted positions in @groups, so "is user U in group G"
 * is a binary search over the few groups one person is in, without allocating. */
struct _MusterSnapshot
{
  GObject             parent_instance;

  MusterSnapshotInfo  info;
  guint               serial;
  gboolean            finished;

  GPtrArray          *users;          /* of MusterUser, sorted by display name once finished */
  GPtrArray          *groups;         /* of MusterGroup, likewise */
  GListStore         *users_model;
  GListStore         *groups_model;
  GHashTable         *users_by_id;    /* id → MusterUser (borrowed) */
  GHashTable         *groups_by_id;   /* id → MusterGroup (borrowed) */
  GHashTable         *groups_by_name; /* display name → MusterGroup, first in sort order */
  GHashTable         *group_index;    /* MusterGroup → position + 1 */
  GPtrArray          *skus;           /* of MusterSku */
  GHashTable         *skus_by_id;     /* sku id → MusterSku (borrowed) */
  GHashTable         *delta_links;    /* kind → link */

  /* Direct edges while building: (group, user) and (parent group, child group) pointer pairs. */
  GArray             *user_edges;
  GArray             *group_edges;
  /* While memberships are added: users_by_id again for the ids that are GUIDs, flat (see
   * IdSlot); rebuilt when users are added after it. */
  struct IdSlot      *guid_slots;
  guint               guid_mask;

  guint32            *direct_start;
  guint32            *direct_pool;
  guint32            *transitive_start;
  guint32            *transitive_pool;   /* the direct rows themselves when no group is nested */
  /* Child groups of each group, for transitive member lists. */
  guint32            *children_start;
  guint32            *children_pool;
};

typedef struct
{
  gpointer group;
  gpointer member;
} Edge;

/* A snapshot's memberships name their members by id: millions of lookups of GUID strings.
 * In users_by_id each one touches the table's hashes, keys and values arrays and then the id
 * inside the user's own memory, all at random: on 1.4 million entries a third of the load went
 * to waiting for memory there. Here a GUID in Graph's canonical form (lowercase, 8-4-4-4-12)
 * is its 128 bits, and one slot holds those bits and the user, so a lookup touches one line.
 * Ids in any other form (or any case) still go through users_by_id, so both answer alike. */
typedef struct IdSlot
{
  guint64     high;
  guint64     low;
  MusterUser *user;   /* NULL: empty slot */
} IdSlot;

G_DEFINE_FINAL_TYPE (MusterSnapshot, muster_snapshot, G_TYPE_OBJECT)

static guint last_serial;

/* Helpers ------------------------------------------------------------------------------------ */

/* One more than the value of each lowercase hex digit; 0 for every other byte. */
static const guint8 hex_values[256] = {
  ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
  ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* Positions of a canonical GUID's 32 hex digits in its 36 characters. */
static const guint8 guid_digits[32] = {
  0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17,
  19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
};

static gboolean
parse_guid (const char *id,
            guint64    *high,
            guint64    *low)
{
  const guint8 *text = (const guint8 *) id;
  guint64 half[2] = { 0, 0 };
  guint bad = 0;

  /* Stops at a shorter string's NUL: NUL is not a hex digit and not a dash. */
  for (guint i = 0; i < 32; i++)
    {
      guint8 value = hex_values[text[guid_digits[i]]];

      if (value == 0)
        return FALSE;
      half[i / 16] = (half[i / 16] << 4) | (guint) (value - 1);
      if (i == 7 || i == 11 || i == 15 || i == 19)
        bad |= text[guid_digits[i] + 1] != '-';
    }
  if (bad || text[36] != '\0')
    return FALSE;
  *high = half[0];
  *low = half[1];
  return TRUE;
}

static guint
guid_slot_hash (guint64 high,
                guint64 low)
{
  guint64 mixed = (high ^ (low * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15))) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);

  return (guint) (mixed >> 32);
}

static void
build_guid_slots (MusterSnapshot *self)
{
  guint n = g_hash_table_size (self->users_by_id);
  guint capacity = 16;
  GHashTableIter iter;
  gpointer key, value;

  while (capacity < 2 * n)
    capacity *= 2;
  g_free (self->guid_slots);
  self->guid_slots = g_new0 (IdSlot, capacity);
  self->guid_mask = capacity - 1;

  g_hash_table_iter_init (&iter, self->users_by_id);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint64 high, low;
      guint at;

      if (!parse_guid (key, &high, &low))
        continue;
      at = guid_slot_hash (high, low) & self->guid_mask;
      while (self->guid_slots[at].user != NULL)
        at = (at + 1) & self->guid_mask;
      self->guid_slots[at].high = high;
      self->guid_slots[at].low = low;
      self->guid_slots[at].user = value;
    }
}

/* The user with id @id, as g_hash_table_lookup (users_by_id, id) answers. */
static MusterUser *
lookup_member_user (MusterSnapshot *self,
                    const char     *id)
{
  guint64 high, low;
  guint at;

  if (self->guid_slots == NULL || !parse_guid (id, &high, &low))
    return g_hash_table_lookup (self->users_by_id, id);

  at = guid_slot_hash (high, low) & self->guid_mask;
  for (;;)
    {
      IdSlot *slot = &self->guid_slots[at];

      if (slot->user == NULL)
        return NULL;
      if (slot->high == high && slot->low == low)
        return slot->user;
      at = (at + 1) & self->guid_mask;
    }
}

static void
muster_sku_free (MusterSku *sku)
{
  g_free (sku->sku_id);
  g_free (sku->part_number);
  g_free (sku->title);
  g_free (sku);
}

typedef struct
{
  char    *key;
  gpointer object;
  const char *id;
} SortEntry;

static int
sort_entry_compare (gconstpointer a,
                    gconstpointer b)
{
  const SortEntry *ea = a;
  const SortEntry *eb = b;
  int result = strcmp (ea->key, eb->key);

  if (result == 0)
    result = g_strcmp0 (ea->id, eb->id);
  return result;
}

typedef struct
{
  SortEntry   *entries;
  GPtrArray   *objects;
  guint        begin;
  guint        end;
  const char *(*get_name) (gpointer);
  const char *(*get_id) (gpointer);
} KeyRange;

static gpointer
compute_keys (gpointer data)
{
  KeyRange *range = data;

  for (guint i = range->begin; i < range->end; i++)
    {
      gpointer object = range->objects->pdata[i];
      const char *name = range->get_name (object);

      if (name == NULL || !g_utf8_validate (name, -1, NULL))
        {
          g_autofree char *valid = name != NULL ? g_utf8_make_valid (name, -1) : NULL;

          range->entries[i].key = g_utf8_collate_key (valid != NULL ? valid : "", -1);
        }
      else
        {
          range->entries[i].key = g_utf8_collate_key (name, -1);
        }
      range->entries[i].object = object;
      range->entries[i].id = range->get_id (object);
    }
  return NULL;
}

/* Sorts @objects by g_utf8_collate_key() of their display names, ties by id. Collation keys
 * are most of the cost of loading a large snapshot, so two threads make them (the machines
 * this runs on have at least two cores, and the load itself runs in a worker thread). */
static void
sort_by_display_name (GPtrArray  *objects,
                      const char *(*get_name) (gpointer),
                      const char *(*get_id) (gpointer))
{
  g_autofree SortEntry *entries = g_new (SortEntry, MAX (objects->len, 1));
  KeyRange first = { entries, objects, 0, objects->len / 2, get_name, get_id };
  KeyRange second = { entries, objects, objects->len / 2, objects->len, get_name, get_id };
  GThread *helper = NULL;

  if (objects->len >= 10000)
    helper = g_thread_try_new ("muster-collate", compute_keys, &first, NULL);
  if (helper == NULL)
    compute_keys (&first);
  compute_keys (&second);
  if (helper != NULL)
    g_thread_join (helper);

  if (objects->len > 1)
    qsort (entries, objects->len, sizeof (SortEntry), sort_entry_compare);

  for (guint i = 0; i < objects->len; i++)
    {
      objects->pdata[i] = entries[i].object;
      g_free (entries[i].key);
    }
}

static const char *
user_name (gpointer user)
{
  return muster_user_get_display_name (user);
}

static const char *
user_id (gpointer user)
{
  return muster_user_get_id (user);
}

static const char *
group_name (gpointer group)
{
  return muster_group_get_display_name (group);
}

static const char *
group_id (gpointer group)
{
  return muster_group_get_id (group);
}

static guint
group_position (MusterSnapshot *self,
                MusterGroup    *group)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->group_index, group)) - 1;
}

static int
compare_uint32 (gconstpointer a,
                gconstpointer b)
{
  guint32 ua = *(const guint32 *) a;
  guint32 ub = *(const guint32 *) b;

  return ua < ub ? -1 : ua > ub;
}

/* Sorts and deduplicates each row of a compressed-row table in place, compacting the pool. */
static void
normalise_rows (guint32 *start,
                guint32 *pool,
                guint    n_rows)
{
  guint32 write = 0;

  for (guint i = 0; i < n_rows; i++)
    {
      guint32 begin = start[i];
      guint32 end = start[i + 1];

      if (end - begin > 1)
        qsort (pool + begin, end - begin, sizeof (guint32), compare_uint32);
      start[i] = write;
      for (guint32 j = begin; j < end; j++)
        if (j == begin || pool[j] != pool[j - 1])
          pool[write++] = pool[j];
    }
  start[n_rows] = write;
}

/* Compressed rows from (row, value) pairs. */
static void
build_rows (const guint32  *rows,
            const guint32  *values,
            guint           n_pairs,
            guint           n_rows,
            guint32       **out_start,
            guint32       **out_pool)
{
  guint32 *start = g_new0 (guint32, n_rows + 1);
  guint32 *pool = g_new (guint32, MAX (n_pairs, 1));
  g_autofree guint32 *fill = NULL;

  for (guint i = 0; i < n_pairs; i++)
    start[rows[i] + 1]++;
  for (guint i = 0; i < n_rows; i++)
    start[i + 1] += start[i];
  fill = g_memdup2 (start, sizeof (guint32) * (n_rows + 1));
  for (guint i = 0; i < n_pairs; i++)
    pool[fill[rows[i]]++] = values[i];

  normalise_rows (start, pool, n_rows);
  *out_start = start;
  *out_pool = pool;
}

static gboolean
row_contains (const guint32 *start,
              const guint32 *pool,
              guint          row,
              guint32        value)
{
  return bsearch (&value, pool + start[row], start[row + 1] - start[row],
                  sizeof (guint32), compare_uint32) != NULL;
}

/* The position of @user in this snapshot, or G_MAXUINT. */
static guint
user_position (MusterSnapshot *self,
               MusterUser     *user)
{
  guint index = _muster_user_get_index (user);
  MusterUser *own;

  if (index < self->users->len && self->users->pdata[index] == user)
    return index;

  own = muster_user_get_id (user) != NULL
    ? g_hash_table_lookup (self->users_by_id, muster_user_get_id (user))
    : NULL;
  return own != NULL ? _muster_user_get_index (own) : G_MAXUINT;
}

static void
compute_memberships (MusterSnapshot *self)
{
  guint n_users = self->users->len;
  guint n_groups = self->groups->len;
  guint n_user_edges = self->user_edges->len;
  guint n_group_edges = self->group_edges->len;
  g_autofree guint32 *rows = g_new (guint32, MAX (MAX (n_user_edges, n_group_edges), 1));
  g_autofree guint32 *values = g_new (guint32, MAX (MAX (n_user_edges, n_group_edges), 1));
  g_autofree guint32 *parents_start = NULL;
  g_autofree guint32 *parents_pool = NULL;
  g_autofree guint32 *ancestors_start = g_new0 (guint32, n_groups + 1);
  g_autoptr(GArray) ancestors = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) transitive = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree guint32 *stamp = g_new0 (guint32, MAX (n_groups, 1));
  g_autofree guint32 *queue = g_new (guint32, MAX (n_groups, 1));
  g_autofree guint *direct_counts = g_new0 (guint, MAX (n_groups, 1));
  g_autofree guint *transitive_counts = g_new0 (guint, MAX (n_groups, 1));
  guint32 current_stamp = 0;

  /* Direct groups of each user. */
  for (guint i = 0; i < n_user_edges; i++)
    {
      Edge *edge = &g_array_index (self->user_edges, Edge, i);

      rows[i] = _muster_user_get_index (edge->member);
      values[i] = group_position (self, edge->group);
    }
  build_rows (rows, values, n_user_edges, n_users, &self->direct_start, &self->direct_pool);

  /* Parents and children of each group. */
  for (guint i = 0; i < n_group_edges; i++)
    {
      Edge *edge = &g_array_index (self->group_edges, Edge, i);

      rows[i] = group_position (self, edge->member);
      values[i] = group_position (self, edge->group);
    }
  build_rows (rows, values, n_group_edges, n_groups, &parents_start, &parents_pool);
  build_rows (values, rows, n_group_edges, n_groups, &self->children_start, &self->children_pool);

  /* Without nesting every user's groups through nesting are its direct groups: share the rows
   * rather than hold a second copy of every membership. */
  if (n_group_edges == 0)
    {
      for (guint32 d = 0; d < self->direct_start[n_users]; d++)
        direct_counts[self->direct_pool[d]]++;
      for (guint g = 0; g < n_groups; g++)
        _muster_group_set_member_counts (self->groups->pdata[g], direct_counts[g], direct_counts[g]);
      self->transitive_start = self->direct_start;
      self->transitive_pool = self->direct_pool;
      g_clear_pointer (&self->user_edges, g_array_unref);
      g_clear_pointer (&self->group_edges, g_array_unref);
      return;
    }

  /* Every group a group belongs to through nesting, itself included: a breadth-first walk up
   * the parents, each group visited once, so cycles end. */
  for (guint g = 0; g < n_groups; g++)
    {
      guint head = 0;
      guint tail = 0;

      current_stamp++;
      ancestors_start[g] = ancestors->len;
      queue[tail++] = g;
      stamp[g] = current_stamp;
      while (head < tail)
        {
          guint32 at = queue[head++];

          g_array_append_val (ancestors, at);
          for (guint32 p = parents_start[at]; p < parents_start[at + 1]; p++)
            if (stamp[parents_pool[p]] != current_stamp)
              {
                stamp[parents_pool[p]] = current_stamp;
                queue[tail++] = parents_pool[p];
              }
        }
    }
  ancestors_start[n_groups] = ancestors->len;

  /* Every group of each user through nesting: the union of its direct groups' ancestors. */
  self->transitive_start = g_new0 (guint32, n_users + 1);
  for (guint u = 0; u < n_users; u++)
    {
      guint first = transitive->len;

      current_stamp++;
      self->transitive_start[u] = first;
      for (guint32 d = self->direct_start[u]; d < self->direct_start[u + 1]; d++)
        {
          guint32 g = self->direct_pool[d];

          direct_counts[g]++;
          for (guint32 a = ancestors_start[g]; a < ancestors_start[g + 1]; a++)
            {
              guint32 ancestor = g_array_index (ancestors, guint32, a);

              if (stamp[ancestor] != current_stamp)
                {
                  stamp[ancestor] = current_stamp;
                  g_array_append_val (transitive, ancestor);
                  transitive_counts[ancestor]++;
                }
            }
        }
      /* an empty GArray has no data at all, and qsort must not see NULL */
      if (transitive->len - first > 1)
        qsort ((guint32 *) transitive->data + first, transitive->len - first, sizeof (guint32), compare_uint32);
    }
  self->transitive_start[n_users] = transitive->len;
  self->transitive_pool = (guint32 *) g_array_free (g_steal_pointer (&transitive), FALSE);

  for (guint g = 0; g < n_groups; g++)
    _muster_group_set_member_counts (self->groups->pdata[g], direct_counts[g], transitive_counts[g]);

  g_clear_pointer (&self->user_edges, g_array_unref);
  g_clear_pointer (&self->group_edges, g_array_unref);
}

static void
resolve_names (MusterSnapshot *self)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < self->users->len; i++)
    {
      MusterUser *user = self->users->pdata[i];
      const char *manager_id = muster_user_get_manager_id (user);
      const char * const *licences = muster_user_get_assigned_licenses (user);
      MusterUser *manager = NULL;

      if (manager_id != NULL)
        manager = g_hash_table_lookup (self->users_by_id, manager_id);

      g_string_truncate (names, 0);
      for (guint l = 0; licences[l] != NULL; l++)
        {
          MusterSku *sku = g_hash_table_lookup (self->skus_by_id, licences[l]);

          if (names->len > 0)
            g_string_append (names, "; ");
          g_string_append (names, sku != NULL ? sku->title : licences[l]);
        }

      _muster_user_set_resolved (user,
                                 manager != NULL ? muster_user_get_display_name (manager) : NULL,
                                 names->len > 0 ? names->str : NULL);
    }
}

/* Overrides ---------------------------------------------------------------------------------- */

static void
muster_snapshot_finalize (GObject *object)
{
  MusterSnapshot *self = MUSTER_SNAPSHOT (object);

  g_free (self->info.profile);
  g_free (self->info.tenant_id);
  g_clear_object (&self->users_model);
  g_clear_object (&self->groups_model);
  g_clear_pointer (&self->users_by_id, g_hash_table_unref);
  g_clear_pointer (&self->groups_by_id, g_hash_table_unref);
  g_clear_pointer (&self->groups_by_name, g_hash_table_unref);
  g_clear_pointer (&self->group_index, g_hash_table_unref);
  g_clear_pointer (&self->skus_by_id, g_hash_table_unref);
  g_clear_pointer (&self->skus, g_ptr_array_unref);
  g_clear_pointer (&self->delta_links, g_hash_table_unref);
  g_clear_pointer (&self->user_edges, g_array_unref);
  g_clear_pointer (&self->group_edges, g_array_unref);
  g_clear_pointer (&self->guid_slots, g_free);
  g_clear_pointer (&self->users, g_ptr_array_unref);
  g_clear_pointer (&self->groups, g_ptr_array_unref);
  if (self->transitive_start != self->direct_start)
    g_free (self->transitive_start);
  if (self->transitive_pool != self->direct_pool)
    g_free (self->transitive_pool);
  g_free (self->direct_start);
  g_free (self->direct_pool);
  g_free (self->children_start);
  g_free (self->children_pool);

  G_OBJECT_CLASS (muster_snapshot_parent_class)->finalize (object);
}

static void
muster_snapshot_class_init (MusterSnapshotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_snapshot_finalize;
}

static void
muster_snapshot_init (MusterSnapshot *self)
{
  self->serial = g_atomic_int_add (&last_serial, 1) + 1;
  self->users = g_ptr_array_new_with_free_func (g_object_unref);
  self->groups = g_ptr_array_new_with_free_func (g_object_unref);
  self->users_model = g_list_store_new (MUSTER_TYPE_USER);
  self->groups_model = g_list_store_new (MUSTER_TYPE_GROUP);
  self->users_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->groups_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->groups_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->group_index = g_hash_table_new (NULL, NULL);
  self->skus = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_sku_free);
  self->skus_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->delta_links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->user_edges = g_array_new (FALSE, FALSE, sizeof (Edge));
  self->group_edges = g_array_new (FALSE, FALSE, sizeof (Edge));
}

/* Private API -------------------------------------------------------------------------------- */

MusterSnapshot *
_muster_snapshot_new (const MusterSnapshotInfo *info)
{
  MusterSnapshot *self = g_object_new (MUSTER_TYPE_SNAPSHOT, NULL);

  g_return_val_if_fail (info != NULL, self);

  self->info.id = info->id;
  self->info.profile = g_strdup (info->profile);
  self->info.tenant_id = g_strdup (info->tenant_id);
  self->info.created_at = info->created_at;
  self->info.from_delta = info->from_delta;
  return self;
}

void
_muster_snapshot_add_user (MusterSnapshot *self,
                           MusterUser     *user)
{
  g_return_if_fail (MUSTER_IS_SNAPSHOT (self));
  g_return_if_fail (MUSTER_IS_USER (user));
  g_return_if_fail (!self->finished);

  if (muster_user_get_id (user) != NULL)
    g_hash_table_replace (self->users_by_id, (gpointer) muster_user_get_id (user), user);
  g_ptr_array_add (self->users, user);
  g_clear_pointer (&self->guid_slots, g_free);
}

void
_muster_snapshot_add_group (MusterSnapshot *self,
                            MusterGroup    *group)
{
  g_return_if_fail (MUSTER_IS_SNAPSHOT (self));
  g_return_if_fail (MUSTER_IS_GROUP (group));
  g_return_if_fail (!self->finished);

  if (muster_group_get_id (group) != NULL)
    g_hash_table_replace (self->groups_by_id, (gpointer) muster_group_get_id (group), group);
  g_ptr_array_add (self->groups, group);
}

void
_muster_snapshot_add_member (MusterSnapshot *self,
                             const char     *group_id_,
                             const char     *member_id)
{
  MusterGroup *group;
  Edge edge;

  g_return_if_fail (MUSTER_IS_SNAPSHOT (self));
  g_return_if_fail (!self->finished);

  if (group_id_ == NULL || member_id == NULL)
    return;
  group = g_hash_table_lookup (self->groups_by_id, group_id_);
  if (group == NULL)
    return;

  edge.group = group;
  if ((edge.member = g_hash_table_lookup (self->users_by_id, member_id)) != NULL)
    g_array_append_val (self->user_edges, edge);
  else if ((edge.member = g_hash_table_lookup (self->groups_by_id, member_id)) != NULL)
    g_array_append_val (self->group_edges, edge);
}

void
_muster_snapshot_add_members (MusterSnapshot     *self,
                              const char         *group_id_,
                              const char * const *member_ids,
                              guint               n_members)
{
  MusterGroup *group;
  Edge edge;

  g_return_if_fail (MUSTER_IS_SNAPSHOT (self));
  g_return_if_fail (!self->finished);

  if (group_id_ == NULL || n_members == 0)
    return;
  group = g_hash_table_lookup (self->groups_by_id, group_id_);
  if (group == NULL)
    return;

  if (self->guid_slots == NULL && g_hash_table_size (self->users_by_id) > 0)
    build_guid_slots (self);

  edge.group = group;
  for (guint i = 0; i < n_members; i++)
    {
      if (member_ids[i] == NULL)
        continue;
      if ((edge.member = lookup_member_user (self, member_ids[i])) != NULL)
        g_array_append_val (self->user_edges, edge);
      else if ((edge.member = g_hash_table_lookup (self->groups_by_id, member_ids[i])) != NULL)
        g_array_append_val (self->group_edges, edge);
    }
}

void
_muster_snapshot_add_sku (MusterSnapshot *self,
                          const char     *sku_id,
                          const char     *part_number,
                          gint64          consumed,
                          gint64          enabled)
{
  MusterSku *sku;
  const char *friendly;

  g_return_if_fail (MUSTER_IS_SNAPSHOT (self));
  g_return_if_fail (sku_id != NULL);

  friendly = part_number != NULL ? muster_licence_get_friendly_name (part_number) : NULL;
  sku = g_new0 (MusterSku, 1);
  sku->sku_id = g_strdup (sku_id);
  sku->part_number = g_strdup (part_number);
  sku->title = g_strdup (friendly != NULL ? friendly : part_number != NULL ? part_number : sku_id);
  sku->consumed = consumed;
  sku->enabled = enabled;
  g_ptr_array_add (self->skus, sku);
  g_hash_table_replace (self->skus_by_id, sku->sku_id, sku);
}

void
_muster_snapshot_set_delta_link (MusterSnapshot *self,
                                 const char     *kind,
                                 const char     *link)
{
  g_return_if_fail (MUSTER_IS_SNAPSHOT (self));
  g_return_if_fail (kind != NULL);

  if (link != NULL)
    g_hash_table_replace (self->delta_links, g_strdup (kind), g_strdup (link));
  else
    g_hash_table_remove (self->delta_links, kind);
}

void
_muster_snapshot_finish (MusterSnapshot *self)
{
  g_return_if_fail (MUSTER_IS_SNAPSHOT (self));
  g_return_if_fail (!self->finished);

  sort_by_display_name (self->users, user_name, user_id);
  sort_by_display_name (self->groups, group_name, group_id);

  for (guint i = 0; i < self->users->len; i++)
    _muster_user_set_index (self->users->pdata[i], i);
  /* Walk backwards so the first group in sort order wins an ambiguous display name. */
  for (guint i = self->groups->len; i > 0; i--)
    {
      MusterGroup *group = self->groups->pdata[i - 1];

      g_hash_table_insert (self->group_index, group, GUINT_TO_POINTER (i));
      if (muster_group_get_display_name (group) != NULL)
        g_hash_table_replace (self->groups_by_name, (gpointer) muster_group_get_display_name (group), group);
    }

  g_clear_pointer (&self->guid_slots, g_free);
  compute_memberships (self);
  resolve_names (self);

  g_list_store_splice (self->users_model, 0, 0, self->users->pdata, self->users->len);
  g_list_store_splice (self->groups_model, 0, 0, self->groups->pdata, self->groups->len);

  self->info.n_users = self->users->len;
  self->info.n_groups = self->groups->len;
  self->finished = TRUE;
}

guint
_muster_snapshot_get_serial (MusterSnapshot *self)
{
  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), 0);
  return self->serial;
}

gboolean
_muster_snapshot_find_group_index (MusterSnapshot *self,
                                   const char     *id_or_name,
                                   guint          *index)
{
  MusterGroup *group;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), FALSE);

  group = muster_snapshot_lookup_group (self, id_or_name);
  if (group == NULL)
    return FALSE;
  *index = group_position (self, group);
  return TRUE;
}

MusterGroup *
_muster_snapshot_get_group_at (MusterSnapshot *self,
                               guint           index)
{
  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), NULL);
  g_return_val_if_fail (index < self->groups->len, NULL);
  return self->groups->pdata[index];
}

const guint32 *
_muster_snapshot_get_user_group_indices (MusterSnapshot *self,
                                         MusterUser     *user,
                                         gboolean        transitive,
                                         guint          *n_indices)
{
  guint u;
  const guint32 *start;
  const guint32 *pool;

  *n_indices = 0;
  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), NULL);
  g_return_val_if_fail (self->finished, NULL);

  u = user_position (self, user);
  if (u == G_MAXUINT)
    return NULL;

  start = transitive ? self->transitive_start : self->direct_start;
  pool = transitive ? self->transitive_pool : self->direct_pool;
  *n_indices = start[u + 1] - start[u];
  return pool + start[u];
}

/* Public API --------------------------------------------------------------------------------- */

MusterSnapshotInfo *
muster_snapshot_info_copy (const MusterSnapshotInfo *info)
{
  MusterSnapshotInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_memdup2 (info, sizeof *info);
  copy->profile = g_strdup (info->profile);
  copy->tenant_id = g_strdup (info->tenant_id);
  return copy;
}

void
muster_snapshot_info_free (MusterSnapshotInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->profile);
  g_free (info->tenant_id);
  g_free (info);
}

const MusterSnapshotInfo *
muster_snapshot_get_info (MusterSnapshot *self)
{
  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), NULL);
  return &self->info;
}

GListModel *
muster_snapshot_get_users (MusterSnapshot *self)
{
  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), NULL);
  return G_LIST_MODEL (self->users_model);
}

GListModel *
muster_snapshot_get_groups (MusterSnapshot *self)
{
  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), NULL);
  return G_LIST_MODEL (self->groups_model);
}

GPtrArray *
muster_snapshot_get_skus (MusterSnapshot *self)
{
  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), NULL);
  return self->skus;
}

MusterUser *
muster_snapshot_lookup_user (MusterSnapshot *self,
                             const char     *id)
{
  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), NULL);

  if (id == NULL)
    return NULL;
  return g_hash_table_lookup (self->users_by_id, id);
}

MusterGroup *
muster_snapshot_lookup_group (MusterSnapshot *self,
                              const char     *id_or_name)
{
  MusterGroup *group;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), NULL);

  if (id_or_name == NULL)
    return NULL;
  group = g_hash_table_lookup (self->groups_by_id, id_or_name);
  if (group == NULL)
    group = g_hash_table_lookup (self->groups_by_name, id_or_name);
  return group;
}

/**
 * muster_snapshot_get_user_groups:
 *
 * Returns: (transfer container): groups in display-name order, each holding a reference
 */
GPtrArray *
muster_snapshot_get_user_groups (MusterSnapshot *self,
                                 const char     *user_id_,
                                 gboolean        transitive)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func (g_object_unref);
  MusterUser *user;
  const guint32 *indices;
  guint n = 0;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), groups);

  user = muster_snapshot_lookup_user (self, user_id_);
  if (user == NULL || !self->finished)
    return groups;

  indices = _muster_snapshot_get_user_group_indices (self, user, transitive, &n);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (groups, g_object_ref (self->groups->pdata[indices[i]]));
  return groups;
}

/**
 * muster_snapshot_get_group_members:
 *
 * Returns: (transfer container): users in display-name order, each holding a reference
 */
GPtrArray *
muster_snapshot_get_group_members (MusterSnapshot *self,
                                   const char     *group_id_,
                                   gboolean        transitive)
{
  GPtrArray *members = g_ptr_array_new_with_free_func (g_object_unref);
  MusterGroup *group;
  const guint32 *start;
  const guint32 *pool;
  guint32 g;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), members);

  group = g_hash_table_lookup (self->groups_by_id, group_id_ != NULL ? group_id_ : "");
  if (group == NULL || !self->finished)
    return members;

  g = group_position (self, group);
  start = transitive ? self->transitive_start : self->direct_start;
  pool = transitive ? self->transitive_pool : self->direct_pool;
  for (guint u = 0; u < self->users->len; u++)
    if (row_contains (start, pool, u, g))
      g_ptr_array_add (members, g_object_ref (self->users->pdata[u]));
  return members;
}

gboolean
muster_snapshot_user_in_group (MusterSnapshot *self,
                               const char     *user_id_,
                               const char     *group_id_,
                               gboolean        transitive)
{
  MusterUser *user;
  MusterGroup *group;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), FALSE);

  if (user_id_ == NULL || group_id_ == NULL || !self->finished)
    return FALSE;
  user = g_hash_table_lookup (self->users_by_id, user_id_);
  group = g_hash_table_lookup (self->groups_by_id, group_id_);
  if (user == NULL || group == NULL)
    return FALSE;

  if (transitive)
    return row_contains (self->transitive_start, self->transitive_pool,
                         _muster_user_get_index (user), group_position (self, group));
  return row_contains (self->direct_start, self->direct_pool,
                       _muster_user_get_index (user), group_position (self, group));
}

/**
 * muster_snapshot_get_manager_chain:
 *
 * Returns: (transfer container): the manager first, then theirs; it ends at the top, at a
 *   manager missing from the snapshot, or before anyone would appear twice (a cycle)
 */
GPtrArray *
muster_snapshot_get_manager_chain (MusterSnapshot *self,
                                   const char     *user_id_)
{
  GPtrArray *chain = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  MusterUser *user;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), chain);

  user = muster_snapshot_lookup_user (self, user_id_);
  if (user == NULL)
    return chain;
  g_hash_table_add (seen, user);

  for (;;)
    {
      MusterUser *manager = muster_snapshot_lookup_user (self, muster_user_get_manager_id (user));

      if (manager == NULL || !g_hash_table_add (seen, manager))
        break;
      g_ptr_array_add (chain, g_object_ref (manager));
      user = manager;
    }
  return chain;
}

const char *
muster_snapshot_get_delta_link (MusterSnapshot *self,
                                const char     *kind)
{
  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (self), NULL);

  if (kind == NULL)
    return NULL;
  return g_hash_table_lookup (self->delta_links, kind);
}
