/* muster-snapshot-store.c: cache.db — every snapshot of every profile's directory, on disk
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-snapshot-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "muster-group-private.h"
#include "muster-json.h"
#include "muster-profile-store.h"
#include "muster-snapshot-private.h"
#include "muster-snapshot-store-private.h"
#include "muster-sqlite-util.h"
#include "muster-user-private.h"

/* cache.db — schema version 2
 *
 * A SQLite 3 database in WAL mode with foreign keys on, marked PRAGMA application_id = 0x4D555354
 * ("MUST") and PRAGMA user_version = 2. A file with a higher user_version was written by a newer
 * Muster and is refused (MUSTER_STORE_ERROR_VERSION) rather than misread; a change to the schema
 * bumps SCHEMA_VERSION and adds a step to migrate(). The file is created with mode 0600: it holds
 * the tenant's directory.
 *
 * Lists of strings (otherMails, proxyAddresses, businessPhones, assignedLicenses' skuIds,
 * groupTypes) are stored as JSON arrays of strings ('["a","b"]'), readable with SQLite's json_each;
 * NULL means an empty list. Booleans are 0/1. Strings are stored exactly as Graph sent them.
 *
 *   snapshots    one row per snapshot
 *     id INTEGER PRIMARY KEY, profile TEXT NOT NULL, tenant_id TEXT,
 *     created_at INTEGER NOT NULL   unix time the fetch finished (set on commit)
 *     from_delta INTEGER NOT NULL   1 when made by an incremental refresh
 *     complete INTEGER NOT NULL     1 once committed; readers ignore anything else
 *     n_users, n_groups INTEGER     counted on commit, for listing without loading
 *   users        one row per user and snapshot, a column per Graph property
 *     (snapshot_id, id) PRIMARY KEY, display_name, given_name, surname, user_principal_name, mail,
 *     other_mails (JSON), proxy_addresses (JSON), job_title, department, company_name,
 *     employee_id, office_location, business_phones (JSON), mobile_phone, account_enabled,
 *     user_type, assigned_licenses (JSON of skuIds), created (ISO 8601 text),
 *     on_premises_sync_enabled
 *   groups       (snapshot_id, id) PRIMARY KEY, display_name, description, mail, group_types (JSON),
 *                mail_enabled, security_enabled, membership_rule, kind ("security", … as
 *                muster_group_kind_to_string()), dynamic
 *   memberships  direct memberships only, one row per group: (snapshot_id, group_id) PRIMARY KEY,
 *                members (JSON array of member ids, sorted, no duplicates; a member is a user, a
 *                nested group or another directory object; groups without members have no row).
 *                Transitive membership is computed in memory on load (muster-snapshot.c).
 *                Version 1 had one row per (snapshot_id, group_id, member_id): about 1.4 million
 *                rows and 300 MB per 100,000-user snapshot, 12 s to write and 8 s to copy for an
 *                incremental refresh; a row per group is a fifth of the size and copies in a
 *                fraction of a second. Migrated on open.
 *   managers     (snapshot_id, user_id) → manager_id
 *   skus         (snapshot_id, sku_id) → part_number, consumed, enabled (subscribedSkus)
 *   delta_links  (snapshot_id, kind) → link: the @odata.deltaLink of "users" and "groups"
 *   photos       (profile, user_id) → bytes (NULL: the user has no photo), fetched_at; kept apart
 *                from snapshots because photos do not show in delta
 *                (learn.microsoft.com/graph/api/profilephoto-get)
 *
 * Every snapshot table refers to snapshots(id) ON DELETE CASCADE, so pruning a snapshot removes
 * its rows. A snapshot is written in one transaction on the writer's own connection; readers
 * open their own connections, so WAL lets them read the previous snapshot meanwhile. */

#define SCHEMA_VERSION 2
#define APPLICATION_ID 0x4D555354

#define MEMBERSHIPS_TABLE \
  "CREATE TABLE memberships (" \
  "  snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE," \
  "  group_id TEXT NOT NULL," \
  "  members TEXT NOT NULL," \
  "  PRIMARY KEY (snapshot_id, group_id));"

/* Version 1 → 2: one row per group instead of one per membership. */
static const char migrate_1_sql[] =
  "ALTER TABLE memberships RENAME TO memberships_v1;"
  MEMBERSHIPS_TABLE
  "INSERT INTO memberships (snapshot_id, group_id, members)"
  "  SELECT snapshot_id, group_id, json_group_array (member_id) FROM"
  "  (SELECT snapshot_id, group_id, member_id FROM memberships_v1 ORDER BY snapshot_id, group_id, member_id)"
  "  GROUP BY snapshot_id, group_id;"
  "DROP TABLE memberships_v1;";

static const char schema_sql[] =
  "CREATE TABLE snapshots ("
  "  id INTEGER PRIMARY KEY,"
  "  profile TEXT NOT NULL,"
  "  tenant_id TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  from_delta INTEGER NOT NULL DEFAULT 0,"
  "  complete INTEGER NOT NULL DEFAULT 0,"
  "  n_users INTEGER NOT NULL DEFAULT 0,"
  "  n_groups INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX snapshots_by_profile ON snapshots (profile, complete, created_at);"
  "CREATE TABLE users ("
  "  snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,"
  "  id TEXT NOT NULL,"
  "  display_name TEXT, given_name TEXT, surname TEXT, user_principal_name TEXT, mail TEXT,"
  "  other_mails TEXT, proxy_addresses TEXT, job_title TEXT, department TEXT, company_name TEXT,"
  "  employee_id TEXT, office_location TEXT, business_phones TEXT, mobile_phone TEXT,"
  "  account_enabled INTEGER NOT NULL, user_type TEXT, assigned_licenses TEXT, created TEXT,"
  "  on_premises_sync_enabled INTEGER NOT NULL,"
  "  PRIMARY KEY (snapshot_id, id));"
  "CREATE TABLE groups ("
  "  snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,"
  "  id TEXT NOT NULL,"
  "  display_name TEXT, description TEXT, mail TEXT, group_types TEXT,"
  "  mail_enabled INTEGER NOT NULL, security_enabled INTEGER NOT NULL, membership_rule TEXT,"
  "  kind TEXT NOT NULL, dynamic INTEGER NOT NULL,"
  "  PRIMARY KEY (snapshot_id, id));"
  MEMBERSHIPS_TABLE
  "CREATE TABLE managers ("
  "  snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,"
  "  user_id TEXT NOT NULL,"
  "  manager_id TEXT NOT NULL,"
  "  PRIMARY KEY (snapshot_id, user_id)) WITHOUT ROWID;"
  "CREATE INDEX managers_by_manager ON managers (snapshot_id, manager_id);"
  "CREATE TABLE skus ("
  "  snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,"
  "  sku_id TEXT NOT NULL,"
  "  part_number TEXT,"
  "  consumed INTEGER NOT NULL DEFAULT 0,"
  "  enabled INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (snapshot_id, sku_id)) WITHOUT ROWID;"
  "CREATE TABLE delta_links ("
  "  snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL,"
  "  link TEXT NOT NULL,"
  "  PRIMARY KEY (snapshot_id, kind)) WITHOUT ROWID;"
  "CREATE TABLE photos ("
  "  profile TEXT NOT NULL,"
  "  user_id TEXT NOT NULL,"
  "  bytes BLOB,"
  "  fetched_at INTEGER NOT NULL,"
  "  PRIMARY KEY (profile, user_id)) WITHOUT ROWID;";

struct _MusterSnapshotStore
{
  GObject  parent_instance;

  char    *path;
  GMutex   lock;  /* guards db */
  sqlite3 *db;    /* for the short calls: listing and photos */
};


G_DEFINE_FINAL_TYPE (MusterSnapshotStore, muster_snapshot_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (muster-store-error-quark, muster_store_error)

/* Errors ------------------------------------------------------------------------------------- */

/* Turns a SQLite failure into a sentence the admin can act on (muster_sqlite_fail() logs the
 * SQLite detail). */
static void
report_sqlite_error (GError              **error,
                     MusterSqliteFailure   failure,
                     const char           *path,
                     const char           *code_text,
                     const char           *detail)
{
  switch (failure)
    {
    case MUSTER_SQLITE_FAILURE_FULL:
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_FULL,
                   _("The disk holding the snapshot cache “%s” is full. Nothing was changed; free some space and try again."),
                   path);
      break;
    case MUSTER_SQLITE_FAILURE_CORRUPT:
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_CORRUPT,
                   _("The snapshot cache “%s” is damaged or is not a database. Move the file away; Muster makes a new one on the next refresh."),
                   path);
      break;
    case MUSTER_SQLITE_FAILURE_OPEN:
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_OPEN,
                   _("The snapshot cache “%s” cannot be opened for writing (%s). Check that its folder exists and that you may write to it."),
                   path, code_text);
      break;
    case MUSTER_SQLITE_FAILURE_INTERRUPTED:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Loading the snapshot was cancelled."));
      break;
    case MUSTER_SQLITE_FAILURE_BUSY:
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_FAILED,
                   _("The snapshot cache “%s” is busy: another refresh is writing to it. Try again when it has finished."),
                   path);
      break;
    case MUSTER_SQLITE_FAILURE_IO:
    case MUSTER_SQLITE_FAILURE_OTHER:
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_FAILED,
                   _("The snapshot cache “%s” could not be used: %s."), path, detail);
      break;
    }
}

gboolean
_muster_snapshot_store_fail (GError    **error,
                             sqlite3    *db,
                             int         rc,
                             const char *path)
{
  MusterSqliteFile file = { db, path, report_sqlite_error };

  return muster_sqlite_fail (&file, rc, error);
}

gboolean
_muster_snapshot_store_exec (sqlite3     *db,
                             const char  *sql,
                             const char  *path,
                             GError     **error)
{
  MusterSqliteFile file = { db, path, report_sqlite_error };

  return muster_sqlite_exec (&file, sql, error);
}

/* JSON string lists -------------------------------------------------------------------------- */

/* NULL for an empty list. */
static char *
strv_to_json (const char * const *strv)
{
  GString *out;

  if (strv == NULL || strv[0] == NULL)
    return NULL;

  out = g_string_new ("[");
  for (gsize i = 0; strv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      muster_json_append_string (out, strv[i]);
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

/* Reads a JSON array of strings as strv_to_json() writes it (any valid JSON string array is
 * accepted) into @bytes as NUL-terminated strings, then points @list at them. Reading stops at
 * the first thing that is not a string: a damaged cell loses only what follows the damage. */
void
_muster_snapshot_store_read_list (const char *text,
                                  GString    *bytes,
                                  GPtrArray  *list)
{
  const char *p = text;
  const char *end;

  g_string_truncate (bytes, 0);
  g_ptr_array_set_size (list, 0);

  if (p == NULL)
    goto done;

  while (g_ascii_isspace (*p))
    p++;
  if (*p++ != '[')
    goto done;

  end = p + strlen (p);
  for (;;)
    {
      gsize start = bytes->len;

      while (g_ascii_isspace (*p) || *p == ',')
        p++;
      if (*p != '"')
        break;
      p = muster_json_unescape_string (p + 1, end, bytes);
      if (p == NULL)
        {
          g_string_truncate (bytes, start);
          break;
        }
      g_string_append_c (bytes, '\0');
      /* Offsets for now: @bytes may still move as it grows. */
      g_ptr_array_add (list, GSIZE_TO_POINTER (start));
    }

done:
  for (guint i = 0; i < list->len; i++)
    list->pdata[i] = bytes->str + GPOINTER_TO_SIZE (list->pdata[i]);
  g_ptr_array_add (list, NULL);
}

/* Connections -------------------------------------------------------------------------------- */

/* WAL lets readers load the last snapshot while a refresh writes the next; NORMAL is durable
 * in WAL mode except for the very last transaction after a power cut (sqlite.org/wal.html).
 * journal_mode = WAL rewrites the file's header: only ever on a file known to be the cache. */
static gboolean
use_wal (sqlite3     *db,
         const char  *path,
         GError     **error)
{
  return _muster_snapshot_store_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", path, error);
}

/* The cache and SQLite's files beside it hold the tenant's directory: 0600, whatever an older
 * version, a copy or a restore left. */
static void
tighten_permissions (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      GStatBuf info;

      if (g_stat (file, &info) != 0 || !S_ISREG (info.st_mode) || (info.st_mode & 07777) == 0600)
        continue;
      if (g_chmod (file, 0600) != 0)
        g_debug ("Could not make %s private: %s", file, g_strerror (errno));
    }
}

/* @one_thread: the connection is opened, used and closed by one thread only (a load), so
 * SQLite needs no mutex around each call on it. @known: the file is known to be Muster's cache;
 * until then nothing may write to it (see muster_snapshot_store_open()). */
sqlite3 *
_muster_snapshot_store_open_connection (const char  *path,
                                        gboolean     one_thread,
                                        gboolean     known,
                                        GError     **error)
{
  sqlite3 *db;

  db = muster_sqlite_open (path,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                           | (one_thread ? SQLITE_OPEN_NOMUTEX : SQLITE_OPEN_FULLMUTEX),
                           report_sqlite_error, error);
  if (db == NULL)
    return NULL;

  if (!_muster_snapshot_store_exec (db, "PRAGMA foreign_keys = ON;", path, error))
    {
      sqlite3_close (db);
      return NULL;
    }
  if (!known)
    {
      /* closing the last connection to another program's WAL database would checkpoint it */
      sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *) NULL);
      return db;
    }
  if (!use_wal (db, path, error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}


static gboolean
read_header (sqlite3             *db,
             const char          *path,
             MusterSqliteHeader  *header,
             GError             **error)
{
  MusterSqliteFile file = { db, path, report_sqlite_error };

  return muster_sqlite_read_header (&file, header, error);
}

/* Creates the schema in an empty file, or checks a file Muster made. Only creation takes the
 * write lock, so opening the cache while a refresh is writing does not wait for it. */
static gboolean
prepare_schema (sqlite3     *db,
                const char  *path,
                GError     **error)
{
  MusterSqliteHeader header = { 0 };
  gboolean locked = FALSE;
  g_autofree char *stamp = NULL;

  if (!read_header (db, path, &header, error))
    return FALSE;

  if ((header.version == 0 && header.n_objects == 0)
      || (header.version > 0 && header.version < SCHEMA_VERSION))
    {
      if (!_muster_snapshot_store_exec (db, "BEGIN IMMEDIATE", path, error))
        return FALSE;
      locked = TRUE;
      /* Another process may have created or migrated it meanwhile. */
      if (!read_header (db, path, &header, error))
        goto fail;
    }

  if (header.version > SCHEMA_VERSION)
    {
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_VERSION,
                   _("The snapshot cache “%s” was written by a newer version of Muster (format %d; this version reads up to %d). Update Muster, or move the file away to start a new cache."),
                   path, (int) header.version, SCHEMA_VERSION);
      goto fail;
    }

  if (header.version == 0 && header.n_objects == 0)
    {
      stamp = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d;",
                               SCHEMA_VERSION, APPLICATION_ID);
      if (!_muster_snapshot_store_exec (db, schema_sql, path, error)
          || !_muster_snapshot_store_exec (db, stamp, path, error))
        goto fail;
    }
  else if (header.application_id != APPLICATION_ID || header.version == 0)
    {
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_OPEN,
                   _("“%s” is a database of another program, not Muster’s snapshot cache. Choose another file, or move this one away."),
                   path);
      goto fail;
    }
  else if (header.version < SCHEMA_VERSION)
    {
      /* One step per version, inside the write lock. */
      g_debug ("Migrating %s from format %d to %d", path, (int) header.version, SCHEMA_VERSION);
      if (header.version == 1 && !_muster_snapshot_store_exec (db, migrate_1_sql, path, error))
        goto fail;
      stamp = g_strdup_printf ("PRAGMA user_version = %d;", SCHEMA_VERSION);
      if (!_muster_snapshot_store_exec (db, stamp, path, error))
        goto fail;
    }

  return !locked || _muster_snapshot_store_exec (db, "COMMIT", path, error);

fail:
  if (locked)
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

sqlite3_stmt *
_muster_snapshot_store_prepare (sqlite3     *db,
                                const char  *sql,
                                const char  *path,
                                GError     **error)
{
  MusterSqliteFile file = { db, path, report_sqlite_error };

  return muster_sqlite_prepare (&file, sql, SQLITE_PREPARE_PERSISTENT, error);
}


void
_muster_snapshot_store_bind_strv (sqlite3_stmt       *stmt,
                                  int                 column,
                                  const char * const *strv)
{
  char *json = strv_to_json (strv);

  if (json != NULL)
    sqlite3_bind_text (stmt, column, json, -1, g_free);
  else
    sqlite3_bind_null (stmt, column);
}


static MusterSnapshotInfo *
info_from_row (sqlite3_stmt *stmt)
{
  MusterSnapshotInfo *info = g_new0 (MusterSnapshotInfo, 1);

  info->id = sqlite3_column_int64 (stmt, 0);
  info->profile = g_strdup (muster_sqlite_column_text (stmt, 1));
  info->tenant_id = g_strdup (muster_sqlite_column_text (stmt, 2));
  info->created_at = sqlite3_column_int64 (stmt, 3);
  info->n_users = (guint) sqlite3_column_int64 (stmt, 4);
  info->n_groups = (guint) sqlite3_column_int64 (stmt, 5);
  info->from_delta = sqlite3_column_int (stmt, 6) != 0;
  return info;
}

#define INFO_COLUMNS "id, profile, tenant_id, created_at, n_users, n_groups, from_delta"

/* Loading ------------------------------------------------------------------------------------ */

static int
load_progress_cb (void *user_data)
{
  return g_cancellable_is_cancelled (user_data) ? 1 : 0;
}

static gboolean
step_rows (sqlite3      *db,
           sqlite3_stmt *stmt,
           const char   *path,
           GError      **error,
           void        (*row) (sqlite3_stmt *, gpointer),
           gpointer      data)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    row (stmt, data);
  if (rc != SQLITE_DONE)
    return _muster_snapshot_store_fail (error, db, rc, path);
  return TRUE;
}

typedef struct
{
  MusterSnapshot *snapshot;
  GString        *bytes[4];
  GPtrArray      *lists[4];
} UserReader;

static void
read_user_row (sqlite3_stmt *stmt,
               gpointer      data)
{
  UserReader *reader = data;
  MusterUserFields fields = { 0 };
  static const int list_columns[] = { 6, 7, 13, 17 };

  for (guint i = 0; i < G_N_ELEMENTS (list_columns); i++)
    _muster_snapshot_store_read_list (muster_sqlite_column_text (stmt, list_columns[i]), reader->bytes[i],
                                      reader->lists[i]);

  fields.id = muster_sqlite_column_text (stmt, 0);
  fields.display_name = muster_sqlite_column_text (stmt, 1);
  fields.given_name = muster_sqlite_column_text (stmt, 2);
  fields.surname = muster_sqlite_column_text (stmt, 3);
  fields.user_principal_name = muster_sqlite_column_text (stmt, 4);
  fields.mail = muster_sqlite_column_text (stmt, 5);
  fields.other_mails = (const char * const *) reader->lists[0]->pdata;
  fields.proxy_addresses = (const char * const *) reader->lists[1]->pdata;
  fields.job_title = muster_sqlite_column_text (stmt, 8);
  fields.department = muster_sqlite_column_text (stmt, 9);
  fields.company_name = muster_sqlite_column_text (stmt, 10);
  fields.employee_id = muster_sqlite_column_text (stmt, 11);
  fields.office_location = muster_sqlite_column_text (stmt, 12);
  fields.business_phones = (const char * const *) reader->lists[2]->pdata;
  fields.mobile_phone = muster_sqlite_column_text (stmt, 14);
  fields.account_enabled = sqlite3_column_int (stmt, 15) != 0;
  fields.user_type = muster_sqlite_column_text (stmt, 16);
  fields.assigned_licenses = (const char * const *) reader->lists[3]->pdata;
  fields.created = muster_sqlite_column_text (stmt, 18);
  fields.on_premises_sync_enabled = sqlite3_column_int (stmt, 19) != 0;
  fields.manager_id = muster_sqlite_column_text (stmt, 20);

  _muster_snapshot_add_user (reader->snapshot, _muster_user_new (&fields));
}

static void
read_group_row (sqlite3_stmt *stmt,
                gpointer      data)
{
  UserReader *reader = data;
  MusterGroupFields fields = { 0 };

  _muster_snapshot_store_read_list (muster_sqlite_column_text (stmt, 4), reader->bytes[0], reader->lists[0]);

  fields.id = muster_sqlite_column_text (stmt, 0);
  fields.display_name = muster_sqlite_column_text (stmt, 1);
  fields.description = muster_sqlite_column_text (stmt, 2);
  fields.mail = muster_sqlite_column_text (stmt, 3);
  fields.group_types = (const char * const *) reader->lists[0]->pdata;
  fields.mail_enabled = sqlite3_column_int (stmt, 5) != 0;
  fields.security_enabled = sqlite3_column_int (stmt, 6) != 0;
  fields.membership_rule = muster_sqlite_column_text (stmt, 7);

  _muster_snapshot_add_group (reader->snapshot, _muster_group_new (&fields));
}

static void
read_member_row (sqlite3_stmt *stmt,
                 gpointer      data)
{
  UserReader *reader = data;
  const char *group_id = muster_sqlite_column_text (stmt, 0);

  _muster_snapshot_store_read_list (muster_sqlite_column_text (stmt, 1), reader->bytes[0], reader->lists[0]);
  _muster_snapshot_add_members (reader->snapshot, group_id, (const char * const *) reader->lists[0]->pdata,
                                reader->lists[0]->len - 1);
}

static void
read_sku_row (sqlite3_stmt *stmt,
              gpointer      data)
{
  if (muster_sqlite_column_text (stmt, 0) != NULL)
    _muster_snapshot_add_sku (data, muster_sqlite_column_text (stmt, 0), muster_sqlite_column_text (stmt, 1),
                              sqlite3_column_int64 (stmt, 2), sqlite3_column_int64 (stmt, 3));
}

static void
read_delta_link_row (sqlite3_stmt *stmt,
                     gpointer      data)
{
  if (muster_sqlite_column_text (stmt, 0) != NULL)
    _muster_snapshot_set_delta_link (data, muster_sqlite_column_text (stmt, 0), muster_sqlite_column_text (stmt, 1));
}

static MusterSnapshot *
load_snapshot (MusterSnapshotStore     *self,
               gint64                   snapshot_id,
               MusterSnapshotLoadFlags  flags,
               GCancellable            *cancellable,
               GError                 **error)
{
  static const struct
  {
    const char *sql;
    void      (*row) (sqlite3_stmt *, gpointer);
    gboolean    needs_reader;
    gboolean    memberships;
  } queries[] = {
    { "SELECT sku_id, part_number, consumed, enabled FROM skus WHERE snapshot_id = ?1", read_sku_row, FALSE },
    { "SELECT u.id, u.display_name, u.given_name, u.surname, u.user_principal_name, u.mail, u.other_mails,"
      " u.proxy_addresses, u.job_title, u.department, u.company_name, u.employee_id, u.office_location,"
      " u.business_phones, u.mobile_phone, u.account_enabled, u.user_type, u.assigned_licenses, u.created,"
      " u.on_premises_sync_enabled, m.manager_id"
      " FROM users u LEFT JOIN managers m ON m.snapshot_id = u.snapshot_id AND m.user_id = u.id"
      " WHERE u.snapshot_id = ?1", read_user_row, TRUE },
    { "SELECT " MUSTER_SNAPSHOT_GROUP_COLUMNS " FROM groups WHERE snapshot_id = ?1", read_group_row, TRUE },
    { "SELECT group_id, members FROM memberships WHERE snapshot_id = ?1", read_member_row, TRUE, TRUE },
    { "SELECT kind, link FROM delta_links WHERE snapshot_id = ?1", read_delta_link_row, FALSE },
  };
  g_autoptr(MusterSnapshotInfo) info = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  UserReader reader = { 0 };
  gboolean ok = FALSE;
  int rc;

  db = _muster_snapshot_store_open_connection (self->path, TRUE, TRUE, error);
  if (db == NULL)
    return NULL;
  if (cancellable != NULL)
    sqlite3_progress_handler (db, 10000, load_progress_cb, cancellable);

  /* One read transaction: every table from the same committed state. */
  if (!_muster_snapshot_store_exec (db, "BEGIN", self->path, error))
    goto out;

  stmt = _muster_snapshot_store_prepare (db, "SELECT " INFO_COLUMNS " FROM snapshots WHERE id = ?1 AND complete = 1",
                                         self->path, error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_int64 (stmt, 1, snapshot_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    info = info_from_row (stmt);
  else if (rc != SQLITE_DONE)
    {
      _muster_snapshot_store_fail (error, db, rc, self->path);
      goto out;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (info == NULL)
    {
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_NOT_FOUND,
                   _("Snapshot %lld is not in the cache (older snapshots are removed after each refresh). "
                     "Choose another snapshot or refresh."),
                   (long long) snapshot_id);
      goto out;
    }

  snapshot = _muster_snapshot_new (info);
  reader.snapshot = snapshot;
  for (guint i = 0; i < G_N_ELEMENTS (reader.bytes); i++)
    {
      reader.bytes[i] = g_string_sized_new (256);
      reader.lists[i] = g_ptr_array_new ();
    }

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      /* 13 million memberships are most of a big snapshot: a users export without a group
       * filter leaves them on disk */
      if (queries[q].memberships && (flags & MUSTER_SNAPSHOT_LOAD_NO_MEMBERSHIPS))
        continue;
      stmt = _muster_snapshot_store_prepare (db, queries[q].sql, self->path, error);
      if (stmt == NULL)
        goto out;
      sqlite3_bind_int64 (stmt, 1, snapshot_id);
      if (!step_rows (db, stmt, self->path, error, queries[q].row,
                      queries[q].needs_reader ? (gpointer) &reader : (gpointer) snapshot))
        goto out;
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  ok = _muster_snapshot_store_exec (db, "COMMIT", self->path, error);

out:
  for (guint i = 0; i < G_N_ELEMENTS (reader.bytes); i++)
    {
      if (reader.bytes[i] != NULL)
        g_string_free (reader.bytes[i], TRUE);
      if (reader.lists[i] != NULL)
        g_ptr_array_unref (reader.lists[i]);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  if (!ok)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  _muster_snapshot_finish (snapshot);
  return g_steal_pointer (&snapshot);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  MusterSnapshot *snapshot;

  snapshot = load_snapshot (source_object, *(gint64 *) task_data, MUSTER_SNAPSHOT_LOAD_ALL, cancellable, &error);
  if (snapshot == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, snapshot, g_object_unref);
}

/* Overrides ---------------------------------------------------------------------------------- */

static void
muster_snapshot_store_finalize (GObject *object)
{
  MusterSnapshotStore *self = MUSTER_SNAPSHOT_STORE (object);

  sqlite3_close (self->db);
  g_mutex_clear (&self->lock);
  g_free (self->path);

  G_OBJECT_CLASS (muster_snapshot_store_parent_class)->finalize (object);
}

static void
muster_snapshot_store_class_init (MusterSnapshotStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_snapshot_store_finalize;
}

static void
muster_snapshot_store_init (MusterSnapshotStore *self)
{
  g_mutex_init (&self->lock);
}

/* Public API --------------------------------------------------------------------------------- */

MusterSnapshotStore *
muster_snapshot_store_open (const char  *path,
                            GError     **error)
{
  g_autoptr(MusterSnapshotStore) self = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *folder = NULL;
  int fd;

  self = g_object_new (MUSTER_TYPE_SNAPSHOT_STORE, NULL);
  if (path != NULL)
    {
      self->path = g_strdup (path);
    }
  else
    {
      data_dir = muster_get_data_dir ();
      self->path = g_build_filename (data_dir, "cache.db", NULL);
    }

  folder = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_OPEN,
                   _("The folder “%s” for the snapshot cache cannot be created: %s."), folder, g_strerror (saved));
      return NULL;
    }

  /* The cache holds the tenant's directory: private to the user from the first byte. */
  fd = g_open (self->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_OPEN,
                   _("The snapshot cache “%s” cannot be opened: %s. Check that you may read and write it."),
                   self->path, g_strerror (saved));
      return NULL;
    }
  g_close (fd, NULL);

  /* Only reads until the file is known to be Muster's: another program's database is refused
   * exactly as it was found. */
  self->db = _muster_snapshot_store_open_connection (self->path, FALSE, FALSE, error);
  if (self->db == NULL)
    return NULL;
  if (!prepare_schema (self->db, self->path, error))
    return NULL;
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, (int *) NULL);
  tighten_permissions (self->path);
  if (!use_wal (self->db, self->path, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
muster_snapshot_store_get_path (MusterSnapshotStore *self)
{
  g_return_val_if_fail (MUSTER_IS_SNAPSHOT_STORE (self), NULL);
  return self->path;
}

/**
 * muster_snapshot_store_list:
 * @profile: (nullable): a profile, or NULL for every profile's
 *
 * Returns: (transfer full): complete snapshots, newest first, of #MusterSnapshotInfo
 */
GPtrArray *
muster_snapshot_store_list (MusterSnapshotStore  *self,
                            const char           *profile,
                            GError              **error)
{
  g_autoptr(GPtrArray) infos = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT_STORE (self), NULL);

  infos = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_snapshot_info_free);

  g_mutex_lock (&self->lock);
  stmt = _muster_snapshot_store_prepare (self->db,
                                         "SELECT " INFO_COLUMNS " FROM snapshots WHERE complete = 1 AND (?1 IS NULL OR profile = ?1)"
                                         " ORDER BY created_at DESC, id DESC",
                                         self->path, error);
  if (stmt == NULL)
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  muster_sqlite_bind_text (stmt, 1, profile);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (infos, info_from_row (stmt));
  if (rc != SQLITE_DONE)
    _muster_snapshot_store_fail (error, self->db, rc, self->path);
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->lock);

  return rc == SQLITE_DONE ? g_steal_pointer (&infos) : NULL;
}

MusterSnapshotInfo *
muster_snapshot_store_get_latest (MusterSnapshotStore  *self,
                                  const char           *profile,
                                  GError              **error)
{
  g_autoptr(GPtrArray) infos = NULL;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT_STORE (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  infos = muster_snapshot_store_list (self, profile, error);
  if (infos == NULL || infos->len == 0)
    return NULL;
  return muster_snapshot_info_copy (infos->pdata[0]);
}

MusterSnapshot *
muster_snapshot_store_load (MusterSnapshotStore  *self,
                            gint64                snapshot_id,
                            GError              **error)
{
  return muster_snapshot_store_load_with_flags (self, snapshot_id, MUSTER_SNAPSHOT_LOAD_ALL, error);
}

MusterSnapshot *
muster_snapshot_store_load_with_flags (MusterSnapshotStore     *self,
                                       gint64                   snapshot_id,
                                       MusterSnapshotLoadFlags  flags,
                                       GError                 **error)
{
  g_return_val_if_fail (MUSTER_IS_SNAPSHOT_STORE (self), NULL);
  return load_snapshot (self, snapshot_id, flags, NULL, error);
}

void
muster_snapshot_store_load_async (MusterSnapshotStore *self,
                                  gint64               snapshot_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MUSTER_IS_SNAPSHOT_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_snapshot_store_load_async);
  g_task_set_task_data (task, g_memdup2 (&snapshot_id, sizeof snapshot_id), g_free);
  g_task_run_in_thread (task, load_thread);
}

MusterSnapshot *
muster_snapshot_store_load_finish (MusterSnapshotStore  *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == muster_snapshot_store_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
muster_snapshot_store_get_delta_link (MusterSnapshotStore  *self,
                                      gint64                snapshot_id,
                                      const char           *kind,
                                      GError              **error)
{
  sqlite3_stmt *stmt;
  char *link = NULL;
  int rc;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT_STORE (self), NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  g_mutex_lock (&self->lock);
  stmt = _muster_snapshot_store_prepare (self->db,
                                         "SELECT d.link FROM delta_links d JOIN snapshots s ON s.id = d.snapshot_id"
                                         " WHERE d.snapshot_id = ?1 AND d.kind = ?2 AND s.complete = 1",
                                         self->path, error);
  if (stmt == NULL)
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, snapshot_id);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    link = g_strdup (muster_sqlite_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    _muster_snapshot_store_fail (error, self->db, rc, self->path);
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->lock);

  return link;
}

gboolean
muster_snapshot_store_put_photo (MusterSnapshotStore  *self,
                                 const char           *profile,
                                 const char           *user_id,
                                 GBytes               *bytes,
                                 GError              **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT_STORE (self), FALSE);
  g_return_val_if_fail (profile != NULL && user_id != NULL, FALSE);

  g_mutex_lock (&self->lock);
  stmt = _muster_snapshot_store_prepare (self->db,
                                         "INSERT OR REPLACE INTO photos (profile, user_id, bytes, fetched_at) VALUES (?1, ?2, ?3, ?4)",
                                         self->path, error);
  if (stmt == NULL)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, user_id, -1, SQLITE_STATIC);
  if (bytes != NULL)
    {
      gsize size = 0;
      gconstpointer data = g_bytes_get_data (bytes, &size);

      /* An empty photo is still "a photo was fetched": a zero-length blob, not NULL. */
      sqlite3_bind_blob64 (stmt, 3, data != NULL ? data : "", size, SQLITE_STATIC);
    }
  sqlite3_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    _muster_snapshot_store_fail (error, self->db, rc, self->path);
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->lock);

  return rc == SQLITE_DONE;
}

gboolean
muster_snapshot_store_get_photo (MusterSnapshotStore  *self,
                                 const char           *profile,
                                 const char           *user_id,
                                 GBytes              **bytes)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt;
  gboolean found = FALSE;
  int rc;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT_STORE (self), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  *bytes = NULL;
  if (profile == NULL || user_id == NULL)
    return FALSE;

  g_mutex_lock (&self->lock);
  stmt = _muster_snapshot_store_prepare (self->db, "SELECT bytes FROM photos WHERE profile = ?1 AND user_id = ?2",
                                         self->path, &error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, user_id, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          found = TRUE;
          if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
            *bytes = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
        }
      else if (rc != SQLITE_DONE)
        _muster_snapshot_store_fail (&error, self->db, rc, self->path);
      sqlite3_finalize (stmt);
    }
  g_mutex_unlock (&self->lock);

  /* A cache miss is harmless: the photo is fetched again. */
  if (error != NULL)
    g_debug ("Photo of %s not read from the cache: %s", user_id, error->message);
  return found;
}
