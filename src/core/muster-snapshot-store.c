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
#include "muster-snapshot-store.h"
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
#define BUSY_TIMEOUT_MS 10000

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

#define USER_COLUMNS \
  "id, display_name, given_name, surname, user_principal_name, mail, other_mails, " \
  "proxy_addresses, job_title, department, company_name, employee_id, office_location, " \
  "business_phones, mobile_phone, account_enabled, user_type, assigned_licenses, created, " \
  "on_premises_sync_enabled"

#define GROUP_COLUMNS \
  "id, display_name, description, mail, group_types, mail_enabled, security_enabled, " \
  "membership_rule, kind, dynamic"

struct _MusterSnapshotStore
{
  GObject  parent_instance;

  char    *path;
  GMutex   lock;  /* guards db */
  sqlite3 *db;    /* for the short calls: listing and photos */
};

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

G_DEFINE_FINAL_TYPE (MusterSnapshotStore, muster_snapshot_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (muster-store-error-quark, muster_store_error)

/* Errors ------------------------------------------------------------------------------------- */

/* Turns a SQLite failure into a sentence the admin can act on; the SQLite detail goes to the
 * debug log. */
static gboolean
set_sqlite_error (GError    **error,
                  sqlite3    *db,
                  int         rc,
                  const char *path)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  g_debug ("SQLite error %d on %s: %s", rc, path, detail);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_FULL,
                   _("The disk holding the snapshot cache “%s” is full. Nothing was changed; free some space and try again."),
                   path);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_CORRUPT,
                   _("The snapshot cache “%s” is damaged or is not a database. Move the file away; Muster makes a new one on the next refresh."),
                   path);
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_OPEN,
                   _("The snapshot cache “%s” cannot be opened for writing (%s). Check that its folder exists and that you may write to it."),
                   path, sqlite3_errstr (rc));
      break;
    case SQLITE_INTERRUPT:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Loading the snapshot was cancelled."));
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_FAILED,
                   _("The snapshot cache “%s” is busy: another refresh is writing to it. Try again when it has finished."),
                   path);
      break;
    default:
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_FAILED,
                   _("The snapshot cache “%s” could not be used: %s."), path, detail);
      break;
    }
  return FALSE;
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      const char  *path,
      GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (error, db, rc, path);
  return TRUE;
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
static void
json_to_list (const char *text,
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
  return exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", path, error);
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
static sqlite3 *
open_connection (const char  *path,
                 gboolean     one_thread,
                 gboolean     known,
                 GError     **error)
{
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                        | (one_thread ? SQLITE_OPEN_NOMUTEX : SQLITE_OPEN_FULLMUTEX),
                        NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, path);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, TRUE);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);

  if (!exec (db, "PRAGMA foreign_keys = ON;", path, error))
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
query_int (sqlite3     *db,
           const char  *sql,
           const char  *path,
           gint64      *value,
           GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *value = sqlite3_column_int64 (stmt, 0);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK && rc != SQLITE_DONE)
    return set_sqlite_error (error, db, rc, path);
  return TRUE;
}

static gboolean
read_header (sqlite3     *db,
             const char  *path,
             gint64      *version,
             gint64      *application_id,
             gint64      *n_objects,
             GError     **error)
{
  return query_int (db, "PRAGMA user_version", path, version, error) &&
         query_int (db, "PRAGMA application_id", path, application_id, error) &&
         query_int (db, "SELECT count(*) FROM sqlite_master", path, n_objects, error);
}

/* Creates the schema in an empty file, or checks a file Muster made. Only creation takes the
 * write lock, so opening the cache while a refresh is writing does not wait for it. */
static gboolean
prepare_schema (sqlite3     *db,
                const char  *path,
                GError     **error)
{
  gint64 version = 0;
  gint64 application_id = 0;
  gint64 n_objects = 0;
  gboolean locked = FALSE;
  g_autofree char *stamp = NULL;

  if (!read_header (db, path, &version, &application_id, &n_objects, error))
    return FALSE;

  if ((version == 0 && n_objects == 0) || (version > 0 && version < SCHEMA_VERSION))
    {
      if (!exec (db, "BEGIN IMMEDIATE", path, error))
        return FALSE;
      locked = TRUE;
      /* Another process may have created or migrated it meanwhile. */
      if (!read_header (db, path, &version, &application_id, &n_objects, error))
        goto fail;
    }

  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_VERSION,
                   _("The snapshot cache “%s” was written by a newer version of Muster (format %d; this version reads up to %d). Update Muster, or move the file away to start a new cache."),
                   path, (int) version, SCHEMA_VERSION);
      goto fail;
    }

  if (version == 0 && n_objects == 0)
    {
      stamp = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d;",
                               SCHEMA_VERSION, APPLICATION_ID);
      if (!exec (db, schema_sql, path, error) || !exec (db, stamp, path, error))
        goto fail;
    }
  else if (application_id != APPLICATION_ID || version == 0)
    {
      g_set_error (error, MUSTER_STORE_ERROR, MUSTER_STORE_ERROR_OPEN,
                   _("“%s” is a database of another program, not Muster’s snapshot cache. Choose another file, or move this one away."),
                   path);
      goto fail;
    }
  else if (version < SCHEMA_VERSION)
    {
      /* One step per version, inside the write lock. */
      g_debug ("Migrating %s from format %d to %d", path, (int) version, SCHEMA_VERSION);
      if (version == 1 && !exec (db, migrate_1_sql, path, error))
        goto fail;
      stamp = g_strdup_printf ("PRAGMA user_version = %d;", SCHEMA_VERSION);
      if (!exec (db, stamp, path, error))
        goto fail;
    }

  return !locked || exec (db, "COMMIT", path, error);

fail:
  if (locked)
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static sqlite3_stmt *
prepare (sqlite3     *db,
         const char  *sql,
         const char  *path,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, path);
      return NULL;
    }
  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           column,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, column);
}

static void
bind_strv (sqlite3_stmt       *stmt,
           int                 column,
           const char * const *strv)
{
  char *json = strv_to_json (strv);

  if (json != NULL)
    sqlite3_bind_text (stmt, column, json, -1, g_free);
  else
    sqlite3_bind_null (stmt, column);
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

static MusterSnapshotInfo *
info_from_row (sqlite3_stmt *stmt)
{
  MusterSnapshotInfo *info = g_new0 (MusterSnapshotInfo, 1);

  info->id = sqlite3_column_int64 (stmt, 0);
  info->profile = g_strdup (column_text (stmt, 1));
  info->tenant_id = g_strdup (column_text (stmt, 2));
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
    return set_sqlite_error (error, db, rc, path);
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
    json_to_list (column_text (stmt, list_columns[i]), reader->bytes[i], reader->lists[i]);

  fields.id = column_text (stmt, 0);
  fields.display_name = column_text (stmt, 1);
  fields.given_name = column_text (stmt, 2);
  fields.surname = column_text (stmt, 3);
  fields.user_principal_name = column_text (stmt, 4);
  fields.mail = column_text (stmt, 5);
  fields.other_mails = (const char * const *) reader->lists[0]->pdata;
  fields.proxy_addresses = (const char * const *) reader->lists[1]->pdata;
  fields.job_title = column_text (stmt, 8);
  fields.department = column_text (stmt, 9);
  fields.company_name = column_text (stmt, 10);
  fields.employee_id = column_text (stmt, 11);
  fields.office_location = column_text (stmt, 12);
  fields.business_phones = (const char * const *) reader->lists[2]->pdata;
  fields.mobile_phone = column_text (stmt, 14);
  fields.account_enabled = sqlite3_column_int (stmt, 15) != 0;
  fields.user_type = column_text (stmt, 16);
  fields.assigned_licenses = (const char * const *) reader->lists[3]->pdata;
  fields.created = column_text (stmt, 18);
  fields.on_premises_sync_enabled = sqlite3_column_int (stmt, 19) != 0;
  fields.manager_id = column_text (stmt, 20);

  _muster_snapshot_add_user (reader->snapshot, _muster_user_new (&fields));
}

static void
read_group_row (sqlite3_stmt *stmt,
                gpointer      data)
{
  UserReader *reader = data;
  MusterGroupFields fields = { 0 };

  json_to_list (column_text (stmt, 4), reader->bytes[0], reader->lists[0]);

  fields.id = column_text (stmt, 0);
  fields.display_name = column_text (stmt, 1);
  fields.description = column_text (stmt, 2);
  fields.mail = column_text (stmt, 3);
  fields.group_types = (const char * const *) reader->lists[0]->pdata;
  fields.mail_enabled = sqlite3_column_int (stmt, 5) != 0;
  fields.security_enabled = sqlite3_column_int (stmt, 6) != 0;
  fields.membership_rule = column_text (stmt, 7);

  _muster_snapshot_add_group (reader->snapshot, _muster_group_new (&fields));
}

static void
read_member_row (sqlite3_stmt *stmt,
                 gpointer      data)
{
  UserReader *reader = data;
  const char *group_id = column_text (stmt, 0);

  json_to_list (column_text (stmt, 1), reader->bytes[0], reader->lists[0]);
  _muster_snapshot_add_members (reader->snapshot, group_id, (const char * const *) reader->lists[0]->pdata,
                                reader->lists[0]->len - 1);
}

static void
read_sku_row (sqlite3_stmt *stmt,
              gpointer      data)
{
  if (column_text (stmt, 0) != NULL)
    _muster_snapshot_add_sku (data, column_text (stmt, 0), column_text (stmt, 1),
                              sqlite3_column_int64 (stmt, 2), sqlite3_column_int64 (stmt, 3));
}

static void
read_delta_link_row (sqlite3_stmt *stmt,
                     gpointer      data)
{
  if (column_text (stmt, 0) != NULL)
    _muster_snapshot_set_delta_link (data, column_text (stmt, 0), column_text (stmt, 1));
}

static MusterSnapshot *
load_snapshot (MusterSnapshotStore  *self,
               gint64                snapshot_id,
               GCancellable         *cancellable,
               GError              **error)
{
  static const struct
  {
    const char *sql;
    void      (*row) (sqlite3_stmt *, gpointer);
    gboolean    needs_reader;
  } queries[] = {
    { "SELECT sku_id, part_number, consumed, enabled FROM skus WHERE snapshot_id = ?1", read_sku_row, FALSE },
    { "SELECT u.id, u.display_name, u.given_name, u.surname, u.user_principal_name, u.mail, u.other_mails,"
      " u.proxy_addresses, u.job_title, u.department, u.company_name, u.employee_id, u.office_location,"
      " u.business_phones, u.mobile_phone, u.account_enabled, u.user_type, u.assigned_licenses, u.created,"
      " u.on_premises_sync_enabled, m.manager_id"
      " FROM users u LEFT JOIN managers m ON m.snapshot_id = u.snapshot_id AND m.user_id = u.id"
      " WHERE u.snapshot_id = ?1", read_user_row, TRUE },
    { "SELECT " GROUP_COLUMNS " FROM groups WHERE snapshot_id = ?1", read_group_row, TRUE },
    { "SELECT group_id, members FROM memberships WHERE snapshot_id = ?1", read_member_row, TRUE },
    { "SELECT kind, link FROM delta_links WHERE snapshot_id = ?1", read_delta_link_row, FALSE },
  };
  g_autoptr(MusterSnapshotInfo) info = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  UserReader reader = { 0 };
  gboolean ok = FALSE;
  int rc;

  db = open_connection (self->path, TRUE, TRUE, error);
  if (db == NULL)
    return NULL;
  if (cancellable != NULL)
    sqlite3_progress_handler (db, 10000, load_progress_cb, cancellable);

  /* One read transaction: every table from the same committed state. */
  if (!exec (db, "BEGIN", self->path, error))
    goto out;

  stmt = prepare (db, "SELECT " INFO_COLUMNS " FROM snapshots WHERE id = ?1 AND complete = 1", self->path, error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_int64 (stmt, 1, snapshot_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    info = info_from_row (stmt);
  else if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, self->path);
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
      stmt = prepare (db, queries[q].sql, self->path, error);
      if (stmt == NULL)
        goto out;
      sqlite3_bind_int64 (stmt, 1, snapshot_id);
      if (!step_rows (db, stmt, self->path, error, queries[q].row,
                      queries[q].needs_reader ? (gpointer) &reader : (gpointer) snapshot))
        goto out;
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  ok = exec (db, "COMMIT", self->path, error);

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

  snapshot = load_snapshot (source_object, *(gint64 *) task_data, cancellable, &error);
  if (snapshot == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, snapshot, g_object_unref);
}

/* Writer helpers ----------------------------------------------------------------------------- */

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
  set_sqlite_error (error, writer->db, rc, writer->store->path);
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
      writer->stmts[which] = prepare (writer->db, sql, writer->store->path, error);
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
          json_to_list (column_text (stmt, 0), writer->scratch_bytes, writer->scratch_list);
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
          const char *group_id = column_text (stmt, 0);
          const char *interned;
          g_autoptr(GPtrArray) list = NULL;

          if (group_id == NULL)
            continue;
          interned = writer_intern (writer, group_id);
          if (g_hash_table_contains (writer->member_lists, interned))
            continue;  /* already in memory: filtered above */
          json_to_list (column_text (stmt, 1), writer->scratch_bytes, writer->scratch_list);
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

  db = open_connection (self->path, FALSE, TRUE, error);
  if (db == NULL)
    return NULL;
  /* A full snapshot is about 1.4 million membership rows in one transaction: with SQLite's
   * default 2 MB page cache the b-trees' dirty pages spill to the WAL again and again (it grew
   * to 2.5 GB). 256 MB of cache (allocated only as pages are touched) keeps the snapshot's pages
   * in memory until commit; sorting for indexes stays in memory too. */
  if (!exec (db, "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;", self->path, error))
    {
      sqlite3_close (db);
      return NULL;
    }
  /* IMMEDIATE: take the write lock now, so a second refresh waits (busy timeout) or fails at
   * the start rather than after fetching everything. */
  if (!exec (db, "BEGIN IMMEDIATE", self->path, error))
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
  self->db = open_connection (self->path, FALSE, FALSE, error);
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
  stmt = prepare (self->db,
                  "SELECT " INFO_COLUMNS " FROM snapshots WHERE complete = 1 AND (?1 IS NULL OR profile = ?1)"
                  " ORDER BY created_at DESC, id DESC",
                  self->path, error);
  if (stmt == NULL)
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  bind_text (stmt, 1, profile);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (infos, info_from_row (stmt));
  if (rc != SQLITE_DONE)
    set_sqlite_error (error, self->db, rc, self->path);
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
  g_return_val_if_fail (MUSTER_IS_SNAPSHOT_STORE (self), NULL);
  return load_snapshot (self, snapshot_id, NULL, error);
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
  stmt = prepare (self->db,
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
    link = g_strdup (column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    set_sqlite_error (error, self->db, rc, self->path);
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
  stmt = prepare (self->db,
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
    set_sqlite_error (error, self->db, rc, self->path);
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
  stmt = prepare (self->db, "SELECT bytes FROM photos WHERE profile = ?1 AND user_id = ?2", self->path, &error);
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
        set_sqlite_error (&error, self->db, rc, self->path);
      sqlite3_finalize (stmt);
    }
  g_mutex_unlock (&self->lock);

  /* A cache miss is harmless: the photo is fetched again. */
  if (error != NULL)
    g_debug ("Photo of %s not read from the cache: %s", user_id, error->message);
  return found;
}

/* Writer ------------------------------------------------------------------------------------- */

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

  stmt = prepare (writer->db,
                  "INSERT INTO snapshots (profile, tenant_id, created_at, from_delta, complete) VALUES (?1, ?2, ?3, 0, 0)",
                  self->path, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_STATIC);
  bind_text (stmt, 2, tenant_id);
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
    "INSERT INTO users (snapshot_id, " USER_COLUMNS ") SELECT ?1, " USER_COLUMNS " FROM users WHERE snapshot_id = ?2",
    "INSERT INTO groups (snapshot_id, " GROUP_COLUMNS ") SELECT ?1, " GROUP_COLUMNS " FROM groups WHERE snapshot_id = ?2",
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

  stmt = prepare (writer->db,
                  "INSERT INTO snapshots (profile, tenant_id, created_at, from_delta, complete)"
                  " SELECT profile, tenant_id, ?2, 1, 0 FROM snapshots WHERE id = ?1 AND complete = 1"
                  " RETURNING id, profile",
                  self->path, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, base_id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      writer->id = sqlite3_column_int64 (stmt, 0);
      writer->profile = g_strdup (column_text (stmt, 1));
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
      stmt = prepare (writer->db, copies[i], self->path, error);
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
                      "INSERT OR REPLACE INTO users (snapshot_id, " USER_COLUMNS ") VALUES"
                      " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
                      error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 2, muster_user_get_id (user));
  bind_text (stmt, 3, muster_user_get_display_name (user));
  bind_text (stmt, 4, muster_user_get_given_name (user));
  bind_text (stmt, 5, muster_user_get_surname (user));
  bind_text (stmt, 6, muster_user_get_user_principal_name (user));
  bind_text (stmt, 7, muster_user_get_mail (user));
  bind_strv (stmt, 8, muster_user_get_other_mails (user));
  bind_strv (stmt, 9, muster_user_get_proxy_addresses (user));
  bind_text (stmt, 10, muster_user_get_job_title (user));
  bind_text (stmt, 11, muster_user_get_department (user));
  bind_text (stmt, 12, muster_user_get_company_name (user));
  bind_text (stmt, 13, muster_user_get_employee_id (user));
  bind_text (stmt, 14, muster_user_get_office_location (user));
  bind_strv (stmt, 15, muster_user_get_business_phones (user));
  bind_text (stmt, 16, muster_user_get_mobile_phone (user));
  sqlite3_bind_int (stmt, 17, muster_user_get_account_enabled (user));
  bind_text (stmt, 18, muster_user_get_user_type (user));
  bind_strv (stmt, 19, muster_user_get_assigned_licenses (user));
  bind_text (stmt, 20, muster_user_get_created (user));
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
                      "INSERT OR REPLACE INTO groups (snapshot_id, " GROUP_COLUMNS ") VALUES"
                      " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                      error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 2, muster_group_get_id (group));
  bind_text (stmt, 3, muster_group_get_display_name (group));
  bind_text (stmt, 4, muster_group_get_description (group));
  bind_text (stmt, 5, muster_group_get_mail (group));
  bind_strv (stmt, 6, muster_group_get_group_types (group));
  sqlite3_bind_int (stmt, 7, muster_group_get_mail_enabled (group));
  sqlite3_bind_int (stmt, 8, muster_group_get_security_enabled (group));
  bind_text (stmt, 9, muster_group_get_membership_rule (group));
  bind_text (stmt, 10, muster_group_kind_to_string (muster_group_get_kind (group)));
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
  GPtrArray *list;
  const char *member;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (group_id != NULL && member_id != NULL, FALSE);

  if (!writer_usable (writer, error))
    return FALSE;
  member = writer_intern (writer, member_id);
  /* A removed object that joins a group again is a member of that group only. */
  if (g_hash_table_contains (writer->removed, member) && !writer_apply_removals (writer, error))
    return FALSE;
  list = writer_members (writer, group_id, TRUE, error);
  if (list == NULL)
    return FALSE;
  g_ptr_array_add (list, (gpointer) member);
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
  bind_text (stmt, 3, sku->part_number);
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

  stmt = prepare (writer->db,
                  "UPDATE snapshots SET complete = 1, created_at = ?2,"
                  " n_users = (SELECT count(*) FROM users WHERE snapshot_id = ?1),"
                  " n_groups = (SELECT count(*) FROM groups WHERE snapshot_id = ?1)"
                  " WHERE id = ?1",
                  writer->store->path, error);
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
  stmt = prepare (writer->db,
                  "DELETE FROM snapshots WHERE profile = ?1 AND id NOT IN"
                  " (SELECT id FROM snapshots WHERE profile = ?1 AND complete = 1"
                  "  ORDER BY created_at DESC, id DESC LIMIT ?2)",
                  writer->store->path, error);
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
