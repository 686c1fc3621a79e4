/* muster-snapshot-writer.c: one transaction writing a snapshot into cache.db
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A MusterSnapshotWriter owns its own connection to the cache and one IMMEDIATE transaction: a
 * new snapshot (muster_snapshot_store_begin()) or a copy of an older one to apply changes to
 * (muster_snapshot_store_begin_from()). Member lists are kept in memory per group and written
 * back, one row per group, on commit. The schema and the connections are muster-snapshot-store.c's.
 */

#define G_LOG_DOMAIN "muster-snapshot-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include "muster-group-private.h"
#include "muster-json.h"
#include "muster-snapshot-store-private.h"
#include "muster-sqlite-util.h"
#include "muster-user-private.h"

enum
{
  STMT_PUT_USER,
  STMT_PUT_GROUP,
  STMT_PUT_MANAGER,
  STMT_CLEAR_MANAGER,
  STMT_GET_MEMBERS,
  STMT_PUT_MEMBERS,
  STMT_DELETE_MEMBERS,
  STMT_PUT_SKU,
  STMT_SET_DELTA_LINK,
  N_STMTS
};

struct _MusterSnapshotWriter
{
  MusterSnapshotStore *store;
  sqlite3             *db;
  gint64               id;
  char                *profile;
  gboolean             finished;  /* committed or rolled back */
  sqlite3_stmt        *stmts[N_STMTS];

  /* Member lists of the groups this transaction touched, written back on commit (one row per
   * group). Ids are interned in @ids, so lists hold and compare pointers. */
  GStringChunk        *ids;
  GHashTable          *member_lists;  /* interned group id → GPtrArray of interned member ids */
  GHashTable          *dirty;         /* interned group ids whose list changed */
  GHashTable          *removed;       /* interned ids of objects removed: no longer members anywhere */
  GString             *scratch_bytes;
  GPtrArray           *scratch_list;
};

/* Helpers ------------------------------------------------------------------------------------ */

static gboolean
writer_usable (MusterSnapshotWriter  *writer,
               GError               **error)
{
  if (!writer->finished)
    return TRUE;
  g_set_error_literal (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_FAILED,
                       _("This snapshot was already saved or abandoned after an error; start a new refresh."));
  return FALSE;
}

static void
writer_rollback (MusterSnapshotWriter *writer)
{
  if (writer->finished)
    return;
  writer->finished = TRUE;
  if (sqlite3_exec (writer->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
    g_debug ("Rollback of snapshot %" G_GINT64_FORMAT ": %s", writer->id, sqlite3_errmsg (writer->db));
}

/* Records the failure and rolls back: a writer that failed once writes nothing more. */
static gboolean
writer_fail (MusterSnapshotWriter  *writer,
             int                    rc,
             GError               **error)
{
  _muster_snapshot_store_fail (error, writer->db, rc, muster_snapshot_store_get_path (writer->store));
  writer_rollback (writer);
  return FALSE;
}

static sqlite3_stmt *
writer_stmt (MusterSnapshotWriter  *writer,
             guint                  which,
             const char            *sql,
             GError               **error)
{
  if (writer->stmts[which] == NULL)
    {
      writer->stmts[which] = _muster_snapshot_store_prepare (writer->db, sql, muster_snapshot_store_get_path (writer->store),
                                                             error);
      if (writer->stmts[which] == NULL)
        {
          writer_rollback (writer);
          return NULL;
        }
    }
  sqlite3_reset (writer->stmts[which]);
  sqlite3_clear_bindings (writer->stmts[which]);
  sqlite3_bind_int64 (writer->stmts[which], 1, writer->id);
  return writer->stmts[which];
}

static gboolean
writer_run (MusterSnapshotWriter  *writer,
            sqlite3_stmt          *stmt,
            GError               **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return writer_fail (writer, rc, error);
  return TRUE;
}

/* Runs a one-off statement with the snapshot id as ?1 and @text as ?2 (when not NULL). */
static gboolean
writer_exec (MusterSnapshotWriter  *writer,
             const char            *sql,
             const char            *text,
             GError               **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (writer->db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, writer->id);
      if (text != NULL)
        sqlite3_bind_text (stmt, 2, text, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW && rc != SQLITE_OK)
    return writer_fail (writer, rc, error);
  return TRUE;
}

/* Member lists ------------------------------------------------------------------------------- */

static const char *
writer_intern (MusterSnapshotWriter *writer,
               const char           *id)
{
  return g_string_chunk_insert_const (writer->ids, id);
}

/* The member list of @group_id in this transaction: as stored (when @load) or empty. */
static GPtrArray *
writer_members (MusterSnapshotWriter  *writer,
                const char           *group_id,
                gboolean              load,
                GError              **error)
{
  const char *key = writer_intern (writer, group_id);
  GPtrArray *list = g_hash_table_lookup (writer->member_lists, key);
  sqlite3_stmt *stmt;
  int rc;

  if (list != NULL)
    return list;

  list = g_ptr_array_new ();
  if (load)
    {
      stmt = writer_stmt (writer, STMT_GET_MEMBERS,
                          "SELECT members FROM memberships WHERE snapshot_id = ?1 AND group_id = ?2", error);
      if (stmt == NULL)
        {
          g_ptr_array_unref (list);
          return NULL;
        }
      sqlite3_bind_text (stmt, 2, key, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          _muster_snapshot_store_read_list (muster_sqlite_column_text (stmt, 0), writer->scratch_bytes,
                                            writer->scratch_list);
          for (guint i = 0; writer->scratch_list->pdata[i] != NULL; i++)
            g_ptr_array_add (list, (gpointer) writer_intern (writer, writer->scratch_list->pdata[i]));
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          g_ptr_array_unref (list);
          writer_fail (writer, rc, error);
          return NULL;
        }
    }
  g_hash_table_insert (writer->member_lists, (gpointer) key, list);
  return list;
}

/* Drops the members in @writer->removed from @list; TRUE when one was there. */
static gboolean
filter_removed (MusterSnapshotWriter *writer,
                GPtrArray            *list)
{
  guint kept = 0;

  for (guint i = 0; i < list->len; i++)
    if (!g_hash_table_contains (writer->removed, list->pdata[i]))
      list->pdata[kept++] = list->pdata[i];
  if (kept == list->len)
    return FALSE;
  g_ptr_array_set_size (list, kept);
  return TRUE;
}

/* Removes the objects of muster_snapshot_writer_remove_object() from every group: one pass over
 * the snapshot's member lists, however many objects were removed. */
static gboolean
writer_apply_removals (MusterSnapshotWriter  *writer,
                       GError               **error)
{
  GHashTableIter iter;
  gpointer key, value;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (g_hash_table_size (writer->removed) == 0)
    return TRUE;

  g_hash_table_iter_init (&iter, writer->member_lists);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (filter_removed (writer, value))
      g_hash_table_add (writer->dirty, key);

  rc = sqlite3_prepare_v2 (writer->db, "SELECT group_id, members FROM memberships WHERE snapshot_id = ?1", -1,
                           &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, writer->id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *group_id = muster_sqlite_column_text (stmt, 0);
          const char *interned;
          g_autoptr(GPtrArray) list = NULL;

          if (group_id == NULL)
            continue;
          interned = writer_intern (writer, group_id);
          if (g_hash_table_contains (writer->member_lists, interned))
            continue;  /* already in memory: filtered above */
          _muster_snapshot_store_read_list (muster_sqlite_column_text (stmt, 1), writer->scratch_bytes,
                                            writer->scratch_list);
          list = g_ptr_array_new ();
          for (guint i = 0; writer->scratch_list->pdata[i] != NULL; i++)
            g_ptr_array_add (list, (gpointer) writer_intern (writer, writer->scratch_list->pdata[i]));
          if (filter_removed (writer, list))
            {
              g_hash_table_insert (writer->member_lists, (gpointer) interned, g_steal_pointer (&list));
              g_hash_table_add (writer->dirty, (gpointer) interned);
            }
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return writer_fail (writer, rc, error);

  g_hash_table_remove_all (writer->removed);
  return TRUE;
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Writes every changed member list back: sorted, without duplicates, one row per group. */
static gboolean
writer_flush_members (MusterSnapshotWriter  *writer,
                      GError               **error)
{
  g_autoptr(GString) json = g_string_sized_new (64 * 1024);
  GHashTableIter iter;
  gpointer key;

  if (!writer_apply_removals (writer, error))
    return FALSE;

  g_hash_table_iter_init (&iter, writer->dirty);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      GPtrArray *list = g_hash_table_lookup (writer->member_lists, key);
      sqlite3_stmt *stmt;
      guint n = 0;

      if (list == NULL)
        continue;  /* the group itself was removed */
      g_ptr_array_sort (list, compare_ids);
      g_string_assign (json, "[");
      for (guint i = 0; i < list->len; i++)
        {
          if (i > 0 && list->pdata[i] == list->pdata[i - 1])
            continue;  /* interned: equal ids are the same pointer */
          if (n++ > 0)
            g_string_append_c (json, ',');
          muster_json_append_string (json, list->pdata[i]);
        }
      g_string_append_c (json, ']');

      if (n == 0)
        {
          stmt = writer_stmt (writer, STMT_DELETE_MEMBERS,
                              "DELETE FROM memberships WHERE snapshot_id = ?1 AND group_id = ?2", error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_text (stmt, 2, key, -1, SQLITE_STATIC);
        }
      else
        {
          stmt = writer_stmt (writer, STMT_PUT_MEMBERS,
                              "INSERT OR REPLACE INTO memberships (snapshot_id, group_id, members) VALUES (?1, ?2, ?3)",
                              error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_text (stmt, 2, key, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 3, json->str, json->len, SQLITE_STATIC);
        }
      if (!writer_run (writer, stmt, error))
        return FALSE;
    }
  g_hash_table_remove_all (writer->dirty);
  g_hash_table_remove_all (writer->member_lists);
  return TRUE;
}

static MusterSnapshotWriter *
writer_new (MusterSnapshotStore  *self,
            GError              **error)
{
  MusterSnapshotWriter *writer;
  sqlite3 *db;

  db = _muster_snapshot_store_open_connection (muster_snapshot_store_get_path (self), FALSE, TRUE, error);
  if (db == NULL)
    return NULL;
  /* A full snapshot is about 1.4 million membership rows in one transaction: with SQLite's
   * default 2 MB page cache the b-trees' dirty pages spill to the WAL again and again (it grew
   * to 2.5 GB). 256 MB of cache (allocated only as pages are touched) keeps the snapshot's pages
   * in memory until commit; sorting for indexes stays in memory too. */
  if (!_muster_snapshot_store_exec (db, "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;",
                                    muster_snapshot_store_get_path (self), error))
    {
      sqlite3_close (db);
      return NULL;
    }
  /* IMMEDIATE: take the write lock now, so a second refresh waits (busy timeout) or fails at
   * the start rather than after fetching everything. */
  if (!_muster_snapshot_store_exec (db, "BEGIN IMMEDIATE", muster_snapshot_store_get_path (self), error))
    {
      sqlite3_close (db);
      return NULL;
    }

  writer = g_new0 (MusterSnapshotWriter, 1);
  writer->store = g_object_ref (self);
  writer->db = db;
  writer->ids = g_string_chunk_new (64 * 1024);
  writer->member_lists = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  writer->dirty = g_hash_table_new (NULL, NULL);
  writer->removed = g_hash_table_new (NULL, NULL);
  writer->scratch_bytes = g_string_sized_new (64 * 1024);
  writer->scratch_list = g_ptr_array_new ();
  return writer;
}

/* Public API --------------------------------------------------------------------------------- */

MusterSnapshotWriter *
muster_snapshot_store_begin (MusterSnapshotStore  *self,
                             const char           *profile,
                             const char           *tenant_id,
                             GError              **error)
{
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT_STORE (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  writer = writer_new (self, error);
  if (writer == NULL)
    return NULL;

  stmt = _muster_snapshot_store_prepare (writer->db,
                                         "INSERT INTO snapshots (profile, tenant_id, created_at, from_delta, complete) VALUES (?1, ?2, ?3, 0, 0)",
                                         muster_snapshot_store_get_path (self), error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_STATIC);
  muster_sqlite_bind_text (stmt, 2, tenant_id);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      writer_fail (writer, rc, error);
      return NULL;
    }

  writer->id = sqlite3_last_insert_rowid (writer->db);
  writer->profile = g_strdup (profile);
  return g_steal_pointer (&writer);
}

MusterSnapshotWriter *
muster_snapshot_store_begin_from (MusterSnapshotStore  *self,
                                  gint64                base_id,
                                  GError              **error)
{
  static const char *copies[] = {
    "INSERT INTO users (snapshot_id, " MUSTER_SNAPSHOT_USER_COLUMNS ") SELECT ?1, " MUSTER_SNAPSHOT_USER_COLUMNS " FROM users WHERE snapshot_id = ?2",
    "INSERT INTO groups (snapshot_id, " MUSTER_SNAPSHOT_GROUP_COLUMNS ") SELECT ?1, " MUSTER_SNAPSHOT_GROUP_COLUMNS " FROM groups WHERE snapshot_id = ?2",
    "INSERT INTO memberships (snapshot_id, group_id, members) SELECT ?1, group_id, members FROM memberships WHERE snapshot_id = ?2",
    "INSERT INTO managers (snapshot_id, user_id, manager_id) SELECT ?1, user_id, manager_id FROM managers WHERE snapshot_id = ?2",
    "INSERT INTO skus (snapshot_id, sku_id, part_number, consumed, enabled) SELECT ?1, sku_id, part_number, consumed, enabled FROM skus WHERE snapshot_id = ?2",
    "INSERT INTO delta_links (snapshot_id, kind, link) SELECT ?1, kind, link FROM delta_links WHERE snapshot_id = ?2",
  };
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT_STORE (self), NULL);

  writer = writer_new (self, error);
  if (writer == NULL)
    return NULL;

  stmt = _muster_snapshot_store_prepare (writer->db,
                                         "INSERT INTO snapshots (profile, tenant_id, created_at, from_delta, complete)"
                                         " SELECT profile, tenant_id, ?2, 1, 0 FROM snapshots WHERE id = ?1 AND complete = 1"
                                         " RETURNING id, profile",
                                         muster_snapshot_store_get_path (self), error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, base_id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      writer->id = sqlite3_column_int64 (stmt, 0);
      writer->profile = g_strdup (muster_sqlite_column_text (stmt, 1));
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      writer_fail (writer, rc, error);
      return NULL;
    }
  if (writer->id == 0)
    {
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_NOT_FOUND,
                   _("Snapshot %lld is no longer in the cache, so it cannot be refreshed incrementally. "
                     "Fetch a full snapshot instead."),
                   (long long) base_id);
      return NULL;
    }

  /* Copy the base inside this transaction: one INSERT … SELECT per table, no round trip
   * through memory. */
  for (guint i = 0; i < G_N_ELEMENTS (copies); i++)
    {
      stmt = _muster_snapshot_store_prepare (writer->db, copies[i], muster_snapshot_store_get_path (self), error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, writer->id);
      sqlite3_bind_int64 (stmt, 2, base_id);
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        {
          writer_fail (writer, rc, error);
          return NULL;
        }
    }

  return g_steal_pointer (&writer);
}

/**
 * muster_snapshot_writer_put_user:
 *
 * Stores every column of @user. Its manager (from `$expand=manager`) is recorded when the user
 * carries one; a user without one leaves a manager set earlier as it is —
 * muster_snapshot_writer_set_manager() with NULL clears it.
 */
gboolean
muster_snapshot_writer_put_user (MusterSnapshotWriter  *writer,
                                 MusterUser            *user,
                                 GError               **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (MUSTER_IS_USER (user), FALSE);

  if (!writer_usable (writer, error))
    return FALSE;
  if (muster_user_get_id (user) == NULL)
    {
      g_set_error_literal (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_FAILED,
                           _("Microsoft Graph returned a user without an id; it cannot be stored."));
      return FALSE;
    }

  stmt = writer_stmt (writer, STMT_PUT_USER,
                      "INSERT OR REPLACE INTO users (snapshot_id, " MUSTER_SNAPSHOT_USER_COLUMNS ") VALUES"
                      " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
                      error);
  if (stmt == NULL)
    return FALSE;

  muster_sqlite_bind_text (stmt, 2, muster_user_get_id (user));
  muster_sqlite_bind_text (stmt, 3, muster_user_get_display_name (user));
  muster_sqlite_bind_text (stmt, 4, muster_user_get_given_name (user));
  muster_sqlite_bind_text (stmt, 5, muster_user_get_surname (user));
  muster_sqlite_bind_text (stmt, 6, muster_user_get_user_principal_name (user));
  muster_sqlite_bind_text (stmt, 7, muster_user_get_mail (user));
  _muster_snapshot_store_bind_strv (stmt, 8, muster_user_get_other_mails (user));
  _muster_snapshot_store_bind_strv (stmt, 9, muster_user_get_proxy_addresses (user));
  muster_sqlite_bind_text (stmt, 10, muster_user_get_job_title (user));
  muster_sqlite_bind_text (stmt, 11, muster_user_get_department (user));
  muster_sqlite_bind_text (stmt, 12, muster_user_get_company_name (user));
  muster_sqlite_bind_text (stmt, 13, muster_user_get_employee_id (user));
  muster_sqlite_bind_text (stmt, 14, muster_user_get_office_location (user));
  _muster_snapshot_store_bind_strv (stmt, 15, muster_user_get_business_phones (user));
  muster_sqlite_bind_text (stmt, 16, muster_user_get_mobile_phone (user));
  sqlite3_bind_int (stmt, 17, muster_user_get_account_enabled (user));
  muster_sqlite_bind_text (stmt, 18, muster_user_get_user_type (user));
  _muster_snapshot_store_bind_strv (stmt, 19, muster_user_get_assigned_licenses (user));
  muster_sqlite_bind_text (stmt, 20, muster_user_get_created (user));
  sqlite3_bind_int (stmt, 21, muster_user_get_on_premises_sync_enabled (user));
  if (!writer_run (writer, stmt, error))
    return FALSE;

  if (muster_user_get_manager_id (user) != NULL)
    return muster_snapshot_writer_set_manager (writer, muster_user_get_id (user),
                                               muster_user_get_manager_id (user), error);
  return TRUE;
}

gboolean
muster_snapshot_writer_put_group (MusterSnapshotWriter  *writer,
                                  MusterGroup           *group,
                                  GError               **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (MUSTER_IS_GROUP (group), FALSE);

  if (!writer_usable (writer, error))
    return FALSE;
  if (muster_group_get_id (group) == NULL)
    {
      g_set_error_literal (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_FAILED,
                           _("Microsoft Graph returned a group without an id; it cannot be stored."));
      return FALSE;
    }

  stmt = writer_stmt (writer, STMT_PUT_GROUP,
                      "INSERT OR REPLACE INTO groups (snapshot_id, " MUSTER_SNAPSHOT_GROUP_COLUMNS ") VALUES"
                      " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                      error);
  if (stmt == NULL)
    return FALSE;

  muster_sqlite_bind_text (stmt, 2, muster_group_get_id (group));
  muster_sqlite_bind_text (stmt, 3, muster_group_get_display_name (group));
  muster_sqlite_bind_text (stmt, 4, muster_group_get_description (group));
  muster_sqlite_bind_text (stmt, 5, muster_group_get_mail (group));
  _muster_snapshot_store_bind_strv (stmt, 6, muster_group_get_group_types (group));
  sqlite3_bind_int (stmt, 7, muster_group_get_mail_enabled (group));
  sqlite3_bind_int (stmt, 8, muster_group_get_security_enabled (group));
  muster_sqlite_bind_text (stmt, 9, muster_group_get_membership_rule (group));
  muster_sqlite_bind_text (stmt, 10, muster_group_kind_to_string (muster_group_get_kind (group)));
  sqlite3_bind_int (stmt, 11, muster_group_get_dynamic (group));
  return writer_run (writer, stmt, error);
}

gboolean
muster_snapshot_writer_remove_object (MusterSnapshotWriter  *writer,
                                      const char            *id,
                                      GError               **error)
{
  static const char *deletes[] = {
    "DELETE FROM users WHERE snapshot_id = ?1 AND id = ?2",
    "DELETE FROM groups WHERE snapshot_id = ?1 AND id = ?2",
    "DELETE FROM memberships WHERE snapshot_id = ?1 AND group_id = ?2",
    "DELETE FROM managers WHERE snapshot_id = ?1 AND user_id = ?2",
    "DELETE FROM managers WHERE snapshot_id = ?1 AND manager_id = ?2",
  };
  const char *interned;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!writer_usable (writer, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (deletes); i++)
    if (!writer_exec (writer, deletes[i], id, error))
      return FALSE;

  /* Its own member list goes; its place in other groups' lists goes on commit (or before it is
   * added to a group again). */
  interned = writer_intern (writer, id);
  g_hash_table_remove (writer->member_lists, interned);
  g_hash_table_remove (writer->dirty, interned);
  g_hash_table_add (writer->removed, (gpointer) interned);
  return TRUE;
}

gboolean
muster_snapshot_writer_add_member (MusterSnapshotWriter  *writer,
                                   const char            *group_id,
                                   const char            *member_id,
                                   GError               **error)
{
  g_return_val_if_fail (member_id != NULL, FALSE);

  return muster_snapshot_writer_add_members (writer, group_id, &member_id, 1, 1, error);
}

gboolean
muster_snapshot_writer_add_members (MusterSnapshotWriter  *writer,
                                    const char            *group_id,
                                    const char * const    *member_ids,
                                    guint                  n_members,
                                    guint                  stride,
                                    GError               **error)
{
  GPtrArray *list;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (group_id != NULL && (member_ids != NULL || n_members == 0) && stride > 0, FALSE);

  if (!writer_usable (writer, error))
    return FALSE;
  /* the list stays in member_lists: applying removals filters it in place */
  list = writer_members (writer, group_id, TRUE, error);
  if (list == NULL)
    return FALSE;
  for (guint i = 0; i < n_members; i++)
    {
      const char *member = writer_intern (writer, member_ids[(gsize) i * stride]);

      /* A removed object that joins a group again is a member of that group only. */
      if (g_hash_table_size (writer->removed) > 0 && g_hash_table_contains (writer->removed, member)
          && !writer_apply_removals (writer, error))
        return FALSE;
      g_ptr_array_add (list, (gpointer) member);
    }
  g_hash_table_add (writer->dirty, (gpointer) writer_intern (writer, group_id));
  return TRUE;
}

gboolean
muster_snapshot_writer_remove_member (MusterSnapshotWriter  *writer,
                                      const char            *group_id,
                                      const char            *member_id,
                                      GError               **error)
{
  GPtrArray *list;
  const char *member;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (group_id != NULL && member_id != NULL, FALSE);

  if (!writer_usable (writer, error))
    return FALSE;
  list = writer_members (writer, group_id, TRUE, error);
  if (list == NULL)
    return FALSE;
  member = writer_intern (writer, member_id);
  while (g_ptr_array_remove_fast (list, (gpointer) member))
    ;
  g_hash_table_add (writer->dirty, (gpointer) writer_intern (writer, group_id));
  return TRUE;
}

gboolean
muster_snapshot_writer_clear_members (MusterSnapshotWriter  *writer,
                                      const char            *group_id,
                                      GError               **error)
{
  GPtrArray *list;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (group_id != NULL, FALSE);

  if (!writer_usable (writer, error))
    return FALSE;
  list = writer_members (writer, group_id, FALSE, error);
  if (list == NULL)
    return FALSE;
  g_ptr_array_set_size (list, 0);
  g_hash_table_add (writer->dirty, (gpointer) writer_intern (writer, group_id));
  return TRUE;
}

gboolean
muster_snapshot_writer_set_manager (MusterSnapshotWriter  *writer,
                                    const char            *user_id,
                                    const char            *manager_id,
                                    GError               **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (user_id != NULL, FALSE);

  if (!writer_usable (writer, error))
    return FALSE;

  if (manager_id == NULL)
    {
      stmt = writer_stmt (writer, STMT_CLEAR_MANAGER,
                          "DELETE FROM managers WHERE snapshot_id = ?1 AND user_id = ?2", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 2, user_id, -1, SQLITE_STATIC);
      return writer_run (writer, stmt, error);
    }

  stmt = writer_stmt (writer, STMT_PUT_MANAGER,
                      "INSERT OR REPLACE INTO managers (snapshot_id, user_id, manager_id) VALUES (?1, ?2, ?3)",
                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 2, user_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, manager_id, -1, SQLITE_STATIC);
  return writer_run (writer, stmt, error);
}

gboolean
muster_snapshot_writer_put_sku (MusterSnapshotWriter  *writer,
                                const MusterSku       *sku,
                                GError               **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (sku != NULL && sku->sku_id != NULL, FALSE);

  if (!writer_usable (writer, error))
    return FALSE;
  stmt = writer_stmt (writer, STMT_PUT_SKU,
                      "INSERT OR REPLACE INTO skus (snapshot_id, sku_id, part_number, consumed, enabled)"
                      " VALUES (?1, ?2, ?3, ?4, ?5)",
                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 2, sku->sku_id, -1, SQLITE_STATIC);
  muster_sqlite_bind_text (stmt, 3, sku->part_number);
  sqlite3_bind_int64 (stmt, 4, sku->consumed);
  sqlite3_bind_int64 (stmt, 5, sku->enabled);
  return writer_run (writer, stmt, error);
}

gboolean
muster_snapshot_writer_set_delta_link (MusterSnapshotWriter  *writer,
                                       const char            *kind,
                                       const char            *link,
                                       GError               **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);

  if (!writer_usable (writer, error))
    return FALSE;
  if (link == NULL)
    return writer_exec (writer, "DELETE FROM delta_links WHERE snapshot_id = ?1 AND kind = ?2", kind, error);

  stmt = writer_stmt (writer, STMT_SET_DELTA_LINK,
                      "INSERT OR REPLACE INTO delta_links (snapshot_id, kind, link) VALUES (?1, ?2, ?3)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, link, -1, SQLITE_STATIC);
  return writer_run (writer, stmt, error);
}

gint64
muster_snapshot_writer_commit (MusterSnapshotWriter  *writer,
                               GError               **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (writer != NULL, 0);

  if (!writer_usable (writer, error))
    return 0;
  if (!writer_flush_members (writer, error))
    return 0;

  stmt = _muster_snapshot_store_prepare (writer->db,
                                         "UPDATE snapshots SET complete = 1, created_at = ?2,"
                                         " n_users = (SELECT count(*) FROM users WHERE snapshot_id = ?1),"
                                         " n_groups = (SELECT count(*) FROM groups WHERE snapshot_id = ?1)"
                                         " WHERE id = ?1",
                                         muster_snapshot_store_get_path (writer->store), error);
  if (stmt == NULL)
    {
      writer_rollback (writer);
      return 0;
    }
  sqlite3_bind_int64 (stmt, 1, writer->id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return writer_fail (writer, rc, error);

  /* Keep the newest MUSTER_SNAPSHOTS_KEPT of this profile; the cascade removes their rows. */
  stmt = _muster_snapshot_store_prepare (writer->db,
                                         "DELETE FROM snapshots WHERE profile = ?1 AND id NOT IN"
                                         " (SELECT id FROM snapshots WHERE profile = ?1 AND complete = 1"
                                         "  ORDER BY created_at DESC, id DESC LIMIT ?2)",
                                         muster_snapshot_store_get_path (writer->store), error);
  if (stmt == NULL)
    {
      writer_rollback (writer);
      return 0;
    }
  sqlite3_bind_text (stmt, 1, writer->profile, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, MUSTER_SNAPSHOTS_KEPT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return writer_fail (writer, rc, error);

  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&writer->stmts[i], sqlite3_finalize);

  rc = sqlite3_exec (writer->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return writer_fail (writer, rc, error);

  writer->finished = TRUE;
  return writer->id;
}

void
muster_snapshot_writer_abort (MusterSnapshotWriter *writer)
{
  g_return_if_fail (writer != NULL);
  writer_rollback (writer);
}

void
muster_snapshot_writer_free (MusterSnapshotWriter *writer)
{
  if (writer == NULL)
    return;

  writer_rollback (writer);
  for (guint i = 0; i < N_STMTS; i++)
    sqlite3_finalize (writer->stmts[i]);
  sqlite3_close (writer->db);
  g_object_unref (writer->store);
  g_free (writer->profile);
  g_hash_table_unref (writer->member_lists);
  g_hash_table_unref (writer->dirty);
  g_hash_table_unref (writer->removed);
  g_string_chunk_free (writer->ids);
  g_string_free (writer->scratch_bytes, TRUE);
  g_ptr_array_unref (writer->scratch_list);
  g_free (writer);
}
