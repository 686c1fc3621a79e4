/* muster-sqlite-target.c: a SQLite file the admin picks, as a target Muster pushes people into
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-sqlite-target"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "muster-sqlite-target-private.h"
#include "muster-sqlite-target.h"
#include "muster-sqlite-util.h"

/* The store — schema version 1 (docs/sqlite-store.md describes every column for people)
 *
 * A SQLite 3 database in WAL mode with foreign keys on, marked PRAGMA application_id =
 * 0x4D555352 ("MUSR") and PRAGMA user_version = 1. Both are read before anything is written: a
 * file with another application_id, or a non-empty file without one, is another program's and
 * is refused; a higher user_version was written by a newer Muster and is refused too, so nothing
 * is misread or overwritten. A change to the schema bumps SCHEMA_VERSION and adds a step to
 * migrations[], run in one transaction with the new user_version.
 *
 * Users have an INTEGER PRIMARY KEY (the target id Muster reports, in decimal), a unique
 * external_id (the Entra object id; NULL for rows Muster did not make) and a unique user_name,
 * compared case-insensitively for ASCII (COLLATE NOCASE, which the sqlite3 tool understands).
 * Text is stored exactly as given; an empty value is NULL. Times are ISO 8601 UTC text.
 *
 * Every batch of operations (apply) is one IMMEDIATE transaction that also writes its
 * sync_runs/sync_results rows: the data and the journal of a batch commit together or not at
 * all. synchronous = NORMAL is durable in WAL mode except for the last transactions before a
 * power cut, which then vanish together with their journal rows (sqlite.org/wal.html). */

#define SCHEMA_VERSION 1
#define APPLICATION_ID 0x4D555352

/* Per connection. A push writes batches of a thousand users whose ids and names land all over
 * their indexes: a 32 MB page cache keeps those indexes in memory, and checkpointing every
 * 8,192 pages instead of SQLite's 1,000 copies a page rewritten by many batches back once
 * (sqlite.org/wal.html#ckpt); journal_size_limit then shrinks the WAL file again. */
#define CONNECTION_PRAGMAS \
  "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768;" \
  "PRAGMA wal_autocheckpoint = 8192; PRAGMA journal_size_limit = 33554432;"

static const char schema_sql[] =
  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  external_id TEXT UNIQUE,"
  "  user_name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
  "  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
  "  user_type TEXT NOT NULL DEFAULT 'user'"
  "    CHECK (user_type IN ('user', 'administrator', 'billing-administrator')),"
  "  display_name TEXT,"
  "  given_name TEXT,"
  "  family_name TEXT,"
  "  email TEXT,"
  "  title TEXT,"
  "  department TEXT,"
  "  manager_external_id TEXT,"
  "  employee_number TEXT,"
  "  mobile_phone TEXT,"
  "  office_location TEXT,"
  "  created_at TEXT NOT NULL,"
  "  updated_at TEXT NOT NULL);"
  "CREATE TABLE roles ("
  "  name TEXT PRIMARY KEY,"
  "  created_at TEXT NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE user_roles ("
  "  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  role TEXT NOT NULL REFERENCES roles (name) ON DELETE CASCADE ON UPDATE CASCADE,"
  "  PRIMARY KEY (user_id, role)) WITHOUT ROWID;"
  "CREATE INDEX user_roles_by_role ON user_roles (role);"
  "CREATE TABLE groups ("
  "  id INTEGER PRIMARY KEY,"
  "  external_id TEXT UNIQUE,"
  "  display_name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
  "  created_at TEXT NOT NULL,"
  "  updated_at TEXT NOT NULL);"
  "CREATE TABLE group_members ("
  "  group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,"
  "  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  added_at TEXT NOT NULL,"
  "  PRIMARY KEY (group_id, user_id)) WITHOUT ROWID;"
  "CREATE INDEX group_members_by_user ON group_members (user_id);"
  "CREATE TABLE sync_runs ("
  "  run_id TEXT PRIMARY KEY,"
  "  started_at TEXT NOT NULL,"
  "  finished_at TEXT NOT NULL,"
  "  batches INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
  "CREATE TABLE sync_results ("
  "  id INTEGER PRIMARY KEY,"
  "  run_id TEXT NOT NULL REFERENCES sync_runs (run_id) ON DELETE CASCADE,"
  "  batch INTEGER NOT NULL,"
  "  operation_key TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  external_id TEXT,"
  "  target_id TEXT,"
  "  ok INTEGER NOT NULL CHECK (ok IN (0, 1)),"
  "  error TEXT,"
  "  applied_at TEXT NOT NULL);"
  /* (run_id, id) grows at its end as results are added: an index on operation_key would be
   * written at random places, a page per result. */
  "CREATE INDEX sync_results_by_run ON sync_results (run_id, id);"
  /* For people with the sqlite3 tool: one line per user, roles and groups spelled out. */
  "CREATE VIEW user_overview AS SELECT"
  "  u.id, u.user_name, u.display_name, u.email, u.user_type, u.active,"
  "  (SELECT group_concat (role, ', ') FROM (SELECT role FROM user_roles WHERE user_id = u.id ORDER BY role)) AS roles,"
  "  (SELECT group_concat (display_name, ', ') FROM (SELECT g.display_name FROM group_members m"
  "     JOIN groups g ON g.id = m.group_id WHERE m.user_id = u.id ORDER BY g.display_name)) AS groups,"
  "  (SELECT user_name FROM users WHERE external_id = u.manager_external_id) AS manager,"
  "  u.updated_at"
  "  FROM users u;";

/* migrations[N] takes a store from version N to N + 1; version 1 is the first. */
static const char * const migrations[SCHEMA_VERSION] = {
  [0] = NULL,
};

const MusterSqliteTargetColumn _muster_sqlite_target_attribute_columns[] = {
  { MUSTER_ATTR_DISPLAY_NAME,    "display_name" },
  { MUSTER_ATTR_GIVEN_NAME,      "given_name" },
  { MUSTER_ATTR_FAMILY_NAME,     "family_name" },
  { MUSTER_ATTR_EMAIL,           "email" },
  { MUSTER_ATTR_TITLE,           "title" },
  { MUSTER_ATTR_DEPARTMENT,      "department" },
  { MUSTER_ATTR_MANAGER,         "manager_external_id" },
  { MUSTER_ATTR_EMPLOYEE_NUMBER, "employee_number" },
  { MUSTER_ATTR_MOBILE_PHONE,    "mobile_phone" },
  { MUSTER_ATTR_OFFICE_LOCATION, "office_location" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (_muster_sqlite_target_attribute_columns) == N_ATTRIBUTES);

static const char * const statement_sql[N_STMTS] = {
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_FIND_USER_BY_EXTERNAL_ID] = "SELECT id FROM users WHERE external_id = ?1",
  [STMT_FIND_USER_BY_ID] = "SELECT id FROM users WHERE id = ?1",
  [STMT_INSERT_USER] =
    "INSERT INTO users (external_id, user_name, active, user_type, " ATTRIBUTE_COLUMNS ", created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
  [STMT_SET_USER] =
    "UPDATE users SET user_name = ?2, active = ?3, user_type = ?4, display_name = ?5, given_name = ?6,"
    " family_name = ?7, email = ?8, title = ?9, department = ?10, manager_external_id = ?11,"
    " employee_number = ?12, mobile_phone = ?13, office_location = ?14, updated_at = ?15 WHERE id = ?1",
  [STMT_DISABLE_USER] = "UPDATE users SET active = 0, updated_at = ?2 WHERE id = ?1",
  [STMT_DELETE_USER] = "DELETE FROM users WHERE id = ?1",
  [STMT_CLEAR_USER_ROLES] = "DELETE FROM user_roles WHERE user_id = ?1",
  [STMT_ADD_ROLE] = "INSERT OR IGNORE INTO roles (name, created_at) VALUES (?1, ?2)",
  [STMT_ADD_USER_ROLE] = "INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (?1, ?2)",
  [STMT_FIND_GROUP_BY_EXTERNAL_ID] = "SELECT id FROM groups WHERE external_id = ?1",
  [STMT_FIND_GROUP_BY_ID] = "SELECT id FROM groups WHERE id = ?1",
  [STMT_INSERT_GROUP] =
    "INSERT INTO groups (external_id, display_name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
  [STMT_RENAME_GROUP] = "UPDATE groups SET display_name = ?2, updated_at = ?3 WHERE id = ?1 AND display_name IS NOT ?2",
  [STMT_ADD_MEMBER] = "INSERT OR IGNORE INTO group_members (group_id, user_id, added_at) VALUES (?1, ?2, ?3)",
  [STMT_REMOVE_MEMBER] = "DELETE FROM group_members WHERE group_id = ?1 AND user_id = ?2",
  [STMT_PUT_RUN] =
    "INSERT INTO sync_runs (run_id, started_at, finished_at, batches) VALUES (?1, ?2, ?2, 1)"
    " ON CONFLICT (run_id) DO UPDATE SET finished_at = excluded.finished_at, batches = batches + 1"
    " RETURNING batches",
  [STMT_PUT_RESULT] =
    "INSERT INTO sync_results (run_id, batch, operation_key, kind, external_id, target_id, ok, error, applied_at)"
    " VALUES (?1, ?9, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
};


static void muster_sqlite_target_iface_init (MusterTargetInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MusterSqliteTarget, muster_sqlite_target, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MUSTER_TYPE_TARGET, muster_sqlite_target_iface_init))

/* Errors --------------------------------------------------------------------------------------- */

/* A SQLite failure as a sentence the admin can act on; the SQLite detail goes to the debug log. */
/* A SQLite failure as a sentence the admin can act on (muster_sqlite_fail() logs the detail). */
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
      g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_FAILED,
                   _("The disk is full: the SQLite store “%s” cannot grow. Nothing of this batch was changed; free some space and push again."),
                   path);
      break;
    case MUSTER_SQLITE_FAILURE_IO:
      g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_FAILED,
                   _("The SQLite store “%s” could not be written (%s). Nothing of this batch was changed; check the disk and push again."),
                   path, code_text);
      break;
    case MUSTER_SQLITE_FAILURE_CORRUPT:
      g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID,
                   _("“%s” is damaged or is not a SQLite database. Muster did not change it; choose another file."),
                   path);
      break;
    case MUSTER_SQLITE_FAILURE_OPEN:
      g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_FAILED,
                   _("The SQLite store “%s” cannot be opened for writing (%s). Check that you may write to the file and its folder."),
                   path, code_text);
      break;
    case MUSTER_SQLITE_FAILURE_BUSY:
      g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_FAILED,
                   _("The SQLite store “%s” is busy: another program is writing to it. Try again when it has finished."),
                   path);
      break;
    case MUSTER_SQLITE_FAILURE_INTERRUPTED:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Reading the SQLite store was cancelled."));
      break;
    case MUSTER_SQLITE_FAILURE_OTHER:
      g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_FAILED,
                   _("The SQLite store “%s” could not be used: %s."), path, detail);
      break;
    }
}

gboolean
_muster_sqlite_target_fail (GError     **error,
                            sqlite3     *db,
                            int          rc,
                            const char  *path)
{
  MusterSqliteFile file = { db, path, report_sqlite_error };

  return muster_sqlite_fail (&file, rc, error);
}

gboolean
_muster_sqlite_target_exec (sqlite3     *db,
                            const char  *sql,
                            const char  *path,
                            GError     **error)
{
  MusterSqliteFile file = { db, path, report_sqlite_error };

  return muster_sqlite_exec (&file, sql, error);
}

gboolean
_muster_sqlite_target_query_int (sqlite3     *db,
                                 const char  *sql,
                                 const char  *path,
                                 gint64      *value,
                                 GError     **error)
{
  MusterSqliteFile file = { db, path, report_sqlite_error };

  return muster_sqlite_query_int (&file, sql, value, error);
}

/* Opening -------------------------------------------------------------------------------------- */

/* Only reads: nothing here writes to the file. */
static gboolean
read_header (sqlite3             *db,
             const char          *path,
             MusterSqliteHeader  *header,
             GError             **error)
{
  MusterSqliteFile file = { db, path, report_sqlite_error };

  return muster_sqlite_read_header (&file, header, error);
}

static gboolean
header_is_empty (const MusterSqliteHeader *header)
{
  return header->version == 0 && header->application_id == 0 && header->n_objects == 0;
}

/* Refuses files Muster must not touch. */
static gboolean
check_header (const MusterSqliteHeader  *header,
              const char                *path,
              GError                   **error)
{
  if (header_is_empty (header))
    return TRUE;

  if (header->application_id != APPLICATION_ID || header->version < 1)
    {
      g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID,
                   _("“%s” is a SQLite database of another program, not a Muster store. Muster did not change it; choose another file or a new file name."),
                   path);
      return FALSE;
    }
  if (header->version > SCHEMA_VERSION)
    {
      g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_UNSUPPORTED,
                   _("The Muster store “%s” was written by a newer version of Muster (format %d; this version handles up to %d). Muster did not change it; update Muster to use it."),
                   path, (int) header->version, SCHEMA_VERSION);
      return FALSE;
    }
  return TRUE;
}

/* Creates the schema in an empty file or migrates an older one, in one transaction. */
static gboolean
prepare_schema (sqlite3     *db,
                const char  *path,
                GError     **error)
{
  MusterSqliteHeader header = { 0 };
  g_autofree char *stamp = NULL;

  if (!_muster_sqlite_target_exec (db, "BEGIN IMMEDIATE", path, error))
    return FALSE;
  /* Another process may have created or migrated it meanwhile. */
  if (!read_header (db, path, &header, error) || !check_header (&header, path, error))
    goto fail;

  if (header_is_empty (&header))
    {
      g_debug ("Creating the store %s (format %d)", path, SCHEMA_VERSION);
      if (!_muster_sqlite_target_exec (db, schema_sql, path, error))
        goto fail;
    }
  else
    {
      for (gint64 version = header.version; version < SCHEMA_VERSION; version++)
        {
          g_debug ("Migrating %s from format %d", path, (int) version);
          if (migrations[version] != NULL && !_muster_sqlite_target_exec (db, migrations[version], path, error))
            goto fail;
        }
    }

  if (header.version != SCHEMA_VERSION)
    {
      stamp = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d;",
                               SCHEMA_VERSION, APPLICATION_ID);
      if (!_muster_sqlite_target_exec (db, stamp, path, error))
        goto fail;
    }

  if (_muster_sqlite_target_exec (db, "COMMIT", path, error))
    return TRUE;

fail:
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* Switches the file to WAL (it stays so). SQLite answers SQLITE_BUSY at once, without its busy
 * handler, while another connection opens the same new file: wait and retry as it would. */
static gboolean
set_wal (sqlite3     *db,
         const char  *path,
         GError     **error)
{
  gint64 deadline = g_get_monotonic_time () + MUSTER_SQLITE_BUSY_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      sqlite3_stmt *stmt = NULL;
      gboolean wal = FALSE;
      int rc;

      rc = sqlite3_prepare_v2 (db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
      if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        wal = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") == 0;
      sqlite3_finalize (stmt);

      if (wal)
        return TRUE;
      if (rc == SQLITE_ROW)
        {
          /* a file system without shared memory, for instance */
          g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_FAILED,
                       _("The SQLite store “%s” cannot use write-ahead logging on this file system. Choose a file on a local disk."),
                       path);
          return FALSE;
        }
      if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) || g_get_monotonic_time () > deadline)
        return _muster_sqlite_target_fail (error, db, rc, path);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
}

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
close_db_locked (MusterSqliteTarget *self)
{
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], finalize_stmt);
  g_hash_table_remove_all (self->update_stmts);
  g_clear_pointer (&self->db, sqlite3_close);
}

/* Opens the connection on first use: creates the file (0600), checks it before anything is
 * written, then switches it to WAL and creates or migrates the schema. */
gboolean
_muster_sqlite_target_ensure_open_locked (MusterSqliteTarget  *self,
                                          GError             **error)
{
  g_autofree char *folder = NULL;
  MusterSqliteHeader header = { 0 };
  sqlite3 *db = NULL;
  int fd;

  if (self->db != NULL)
    return TRUE;

  folder = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_FAILED,
                   _("The folder “%s” for the SQLite store cannot be created: %s."), folder, g_strerror (saved));
      return FALSE;
    }

  /* The store holds people's details: private to the user from the first byte. O_CREAT leaves
   * an existing file as it is. */
  fd = g_open (self->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_FAILED,
                   _("The SQLite store “%s” cannot be opened: %s. Check that you may read and write it."),
                   self->path, g_strerror (saved));
      return FALSE;
    }
  g_close (fd, NULL);

  db = muster_sqlite_open (self->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, report_sqlite_error, error);
  if (db == NULL)
    return FALSE;

  if (!read_header (db, self->path, &header, error) || !check_header (&header, self->path, error))
    goto fail;

  /* Only now is the file known to be an empty one or a Muster store: these write. */
  if (!set_wal (db, self->path, error) ||
      !_muster_sqlite_target_exec (db, CONNECTION_PRAGMAS, self->path, error))
    goto fail;
  if ((header_is_empty (&header) || header.version < SCHEMA_VERSION) && !prepare_schema (db, self->path, error))
    goto fail;

  self->db = db;
  return TRUE;

fail:
  sqlite3_close (db);
  return FALSE;
}

static sqlite3_stmt *
get_stmt_locked (MusterSqliteTarget  *self,
                 guint                which,
                 GError             **error)
{
  if (self->stmts[which] == NULL)
    {
      int rc = sqlite3_prepare_v3 (self->db, statement_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                                   &self->stmts[which], NULL);

      if (rc != SQLITE_OK)
        {
          _muster_sqlite_target_fail (error, self->db, rc, self->path);
          return NULL;
        }
    }
  sqlite3_reset (self->stmts[which]);
  sqlite3_clear_bindings (self->stmts[which]);
  return self->stmts[which];
}

static void
bind_text (sqlite3_stmt *stmt,
           int           column,
           const char   *text)
{
  if (text != NULL && text[0] != '\0')
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, column);
}


/* A row id in decimal. Not printf: read_state makes one per user and per membership. */
char *
_muster_sqlite_target_id_to_string (gint64 id)
{
  char digits[24];
  guint64 value = id < 0 ? -(guint64) id : (guint64) id;
  int i = sizeof digits;

  digits[--i] = '\0';
  do
    {
      digits[--i] = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value != 0);
  if (id < 0)
    digits[--i] = '-';
  return g_strdup (digits + i);
}

/* A target id as the store spells it, or 0. */
static gint64
parse_id (const char *text)
{
  gint64 value = 0;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, &value, NULL))
    return 0;
  return value;
}

/* The current time as the store records it. */
static char *
now_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/* Applying ------------------------------------------------------------------------------------- */

/* One batch: what each operation needs besides itself. */
typedef struct
{
  MusterSqliteTarget *self;
  const char         *now;
  GHashTable         *roles;  /* role names known to be in the roles table during this batch */
  gint64              number; /* of this batch in its run: 1, 2, … */
} Batch;

/* Runs a prepared statement that returns no rows. */
static int
run (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Runs a prepared statement that returns at most one id; *@id is 0 without a row. */
static int
run_for_id (sqlite3_stmt *stmt,
            gint64       *id)
{
  int rc = sqlite3_step (stmt);

  *id = 0;
  if (rc == SQLITE_ROW)
    *id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static gboolean
is_constraint (int rc)
{
  return (rc & 0xff) == SQLITE_CONSTRAINT;
}

/* Statement errors that fail the whole batch come back as an SQLite code; those that fail
 * only the operation as @op_error with SQLITE_OK. */
static int
stmt_or_fail (Batch         *batch,
              guint          which,
              sqlite3_stmt **stmt)
{
  g_autoptr(GError) error = NULL;

  *stmt = get_stmt_locked (batch->self, which, &error);
  if (*stmt == NULL)
    return sqlite3_errcode (batch->self->db) != SQLITE_OK ? sqlite3_errcode (batch->self->db) : SQLITE_ERROR;
  return SQLITE_OK;
}

static int
find_user (Batch            *batch,
           const char       *id_text,
           const char       *external_id,
           gint64           *id)
{
  sqlite3_stmt *stmt;
  gint64 by_id = parse_id (id_text);
  int rc;

  *id = 0;
  if (by_id > 0)
    {
      if ((rc = stmt_or_fail (batch, STMT_FIND_USER_BY_ID, &stmt)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (stmt, 1, by_id);
      if ((rc = run_for_id (stmt, id)) != SQLITE_OK || *id != 0)
        return rc;
    }
  if (external_id != NULL && external_id[0] != '\0')
    {
      if ((rc = stmt_or_fail (batch, STMT_FIND_USER_BY_EXTERNAL_ID, &stmt)) != SQLITE_OK)
        return rc;
      sqlite3_bind_text (stmt, 1, external_id, -1, SQLITE_STATIC);
      return run_for_id (stmt, id);
    }
  return SQLITE_OK;
}

static int
find_group (Batch      *batch,
            const char *id_text,
            const char *external_id,
            gint64     *id)
{
  sqlite3_stmt *stmt;
  gint64 by_id = parse_id (id_text);
  int rc;

  *id = 0;
  if (by_id > 0)
    {
      if ((rc = stmt_or_fail (batch, STMT_FIND_GROUP_BY_ID, &stmt)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (stmt, 1, by_id);
      if ((rc = run_for_id (stmt, id)) != SQLITE_OK || *id != 0)
        return rc;
    }
  if (external_id != NULL && external_id[0] != '\0')
    {
      if ((rc = stmt_or_fail (batch, STMT_FIND_GROUP_BY_EXTERNAL_ID, &stmt)) != SQLITE_OK)
        return rc;
      sqlite3_bind_text (stmt, 1, external_id, -1, SQLITE_STATIC);
      return run_for_id (stmt, id);
    }
  return SQLITE_OK;
}

/* Binds ?2–?15 of STMT_INSERT_USER / STMT_SET_USER. */
static void
bind_user (sqlite3_stmt           *stmt,
           const MusterTargetUser *user,
           const char             *now)
{
  bind_text (stmt, 2, user->user_name);
  sqlite3_bind_int (stmt, 3, user->active ? 1 : 0);
  sqlite3_bind_text (stmt, 4, muster_user_type_to_string (user->user_type), -1, SQLITE_STATIC);
  for (guint i = 0; i < N_ATTRIBUTES; i++)
    bind_text (stmt, 5 + i,
               muster_target_user_get_attribute (user, _muster_sqlite_target_attribute_columns[i].attribute));
  sqlite3_bind_text (stmt, 15, now, -1, SQLITE_STATIC);
}

/* Gives user @id exactly @roles, adding to the roles table those it does not offer yet. */
static int
set_roles (Batch              *batch,
           gint64              id,
           const char * const *roles,
           gboolean            clear)
{
  sqlite3_stmt *stmt;
  int rc;

  if (clear)
    {
      if ((rc = stmt_or_fail (batch, STMT_CLEAR_USER_ROLES, &stmt)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (stmt, 1, id);
      if ((rc = run (stmt)) != SQLITE_OK)
        return rc;
    }

  for (guint i = 0; roles != NULL && roles[i] != NULL; i++)
    {
      /* Nothing else writes during the batch's transaction, so a role added once is there. */
      if (!g_hash_table_contains (batch->roles, roles[i]))
        {
          if ((rc = stmt_or_fail (batch, STMT_ADD_ROLE, &stmt)) != SQLITE_OK)
            return rc;
          sqlite3_bind_text (stmt, 1, roles[i], -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 2, batch->now, -1, SQLITE_STATIC);
          if ((rc = run (stmt)) != SQLITE_OK)
            return rc;
          g_hash_table_add (batch->roles, g_strdup (roles[i]));
        }

      if ((rc = stmt_or_fail (batch, STMT_ADD_USER_ROLE, &stmt)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, roles[i], -1, SQLITE_STATIC);
      if ((rc = run (stmt)) != SQLITE_OK)
        return rc;
    }
  return SQLITE_OK;
}

static void
set_user_name_conflict (GError     **error,
                        const char  *user_name)
{
  g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_CONFLICT,
               _("Another user of the store already has the user name “%s”."), user_name);
}

static int
create_user (Batch            *batch,
             MusterOperation  *op,
             gint64           *id,
             GError          **op_error)
{
  MusterTargetUser *user = op->user;
  sqlite3_stmt *stmt;
  gint64 existing = 0;
  int rc;

  if (user == NULL || user->user_name == NULL || user->user_name[0] == '\0')
    {
      g_set_error_literal (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED,
                           _("The user has no user name."));
      return SQLITE_OK;
    }

  if ((rc = stmt_or_fail (batch, STMT_INSERT_USER, &stmt)) != SQLITE_OK)
    return rc;
  bind_text (stmt, 1, user->external_id);
  bind_user (stmt, user, batch->now);

  /* The first write of an operation: a constraint failure here has changed nothing. */
  rc = run (stmt);
  if (is_constraint (rc))
    {
      /* A user made earlier (by a run that was interrupted after its batch committed, say) is
       * brought up to date, never duplicated. Looked up only now: the insert is the usual case. */
      if ((rc = find_user (batch, NULL, user->external_id, &existing)) != SQLITE_OK)
        return rc;
      if (existing == 0)
        {
          set_user_name_conflict (op_error, user->user_name);
          return SQLITE_OK;
        }
      if ((rc = stmt_or_fail (batch, STMT_SET_USER, &stmt)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (stmt, 1, existing);
      bind_user (stmt, user, batch->now);
      rc = run (stmt);
      if (is_constraint (rc))
        {
          set_user_name_conflict (op_error, user->user_name);
          return SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK)
    return rc;

  *id = existing != 0 ? existing : sqlite3_last_insert_rowid (batch->self->db);
  return set_roles (batch, *id, (const char * const *) user->roles, existing != 0);
}

/* The columns an update may set: the attributes, then these. */
#define COLUMN_EXTERNAL_ID (N_ATTRIBUTES + 3)
#define N_UPDATE_COLUMNS   (N_ATTRIBUTES + 4)

/* The column a field change sets, or -1 for roles, or -2 for an unknown field. */
static int
field_column (const char *field)
{
  if (g_str_equal (field, MUSTER_FIELD_USER_NAME))
    return N_ATTRIBUTES;
  if (g_str_equal (field, MUSTER_FIELD_ACTIVE))
    return N_ATTRIBUTES + 1;
  if (g_str_equal (field, MUSTER_FIELD_USER_TYPE))
    return N_ATTRIBUTES + 2;
  if (g_str_equal (field, MUSTER_FIELD_EXTERNAL_ID))
    return COLUMN_EXTERNAL_ID;
  if (g_str_equal (field, MUSTER_FIELD_ROLES))
    return -1;
  for (guint i = 0; i < N_ATTRIBUTES; i++)
    if (g_str_equal (field, _muster_sqlite_target_attribute_columns[i].attribute))
      return i;
  return -2;
}

static const char *
column_name (int column)
{
  if (column < (int) N_ATTRIBUTES)
    return _muster_sqlite_target_attribute_columns[column].column;
  if (column == N_ATTRIBUTES)
    return "user_name";
  if (column == N_ATTRIBUTES + 1)
    return "active";
  if (column == N_ATTRIBUTES + 2)
    return "user_type";
  return "external_id";
}

/* "UPDATE users SET <the changed columns> …" for one set of columns, prepared once. The columns
 * are bound as ?1… in column order, then ?(n+1) updated_at, ?(n+2) an external_id to adopt,
 * ?(n+3) the id. */
static int
get_update_stmt (Batch         *batch,
                 guint          mask,
                 sqlite3_stmt **stmt)
{
  MusterSqliteTarget *self = batch->self;
  g_autoptr(GString) sql = NULL;
  int n = 0;
  int rc;

  *stmt = g_hash_table_lookup (self->update_stmts, GUINT_TO_POINTER (mask));
  if (*stmt != NULL)
    {
      sqlite3_reset (*stmt);
      sqlite3_clear_bindings (*stmt);
      return SQLITE_OK;
    }

  sql = g_string_new ("UPDATE users SET ");
  for (int column = 0; column < (int) N_UPDATE_COLUMNS; column++)
    if (mask & (1u << column))
      {
        n++;
        g_string_append_printf (sql, "%s = ?%d, ", column_name (column), n);
      }
  /* A user matched by userName that Muster did not make takes the Entra id, so the next run
   * matches it by externalId (unless another row already has it: then this fails as a
   * conflict) — said by an externalId change, or implied by the desired user's Entra id. */
  if (mask & (1u << COLUMN_EXTERNAL_ID))
    g_string_append_printf (sql, "updated_at = ?%d WHERE id = ?%d", n + 1, n + 3);
  else
    g_string_append_printf (sql, "updated_at = ?%d, external_id = coalesce (external_id, ?%d) WHERE id = ?%d",
                            n + 1, n + 2, n + 3);
  rc = sqlite3_prepare_v3 (self->db, sql->str, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  g_hash_table_insert (self->update_stmts, GUINT_TO_POINTER (mask), *stmt);
  return SQLITE_OK;
}

static int
update_user (Batch            *batch,
             MusterOperation  *op,
             gint64           *id,
             GError          **op_error)
{
  MusterTargetUser *user = op->user;
  const char *values[N_UPDATE_COLUMNS] = { NULL };
  g_auto(GStrv) split_roles = NULL;
  const char * const *roles = NULL;
  MusterUserType type;
  gboolean set_roles_too = FALSE;
  sqlite3_stmt *stmt;
  guint mask = 0;
  int n = 0;
  int rc;

  if (user == NULL)
    {
      g_set_error_literal (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED,
                           _("The change names no user."));
      return SQLITE_OK;
    }

  /* Check every change before the first write. */
  for (guint i = 0; i < op->changes->len; i++)
    {
      MusterFieldChange *change = g_ptr_array_index (op->changes, i);
      int column = field_column (change->field);

      if (column == -2)
        {
          g_set_error (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_UNSUPPORTED,
                       _("The SQLite store has no field “%s”."), change->field);
          return SQLITE_OK;
        }
      if (column == -1)
        {
          set_roles_too = TRUE;
          if (user->roles != NULL)
            roles = (const char * const *) user->roles;
          else if (change->after != NULL)
            roles = (const char * const *) (split_roles = g_strsplit (change->after, ", ", -1));
          continue;
        }
      if (column == N_ATTRIBUTES && (change->after == NULL || change->after[0] == '\0'))
        {
          g_set_error_literal (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED,
                               _("A user name cannot be empty."));
          return SQLITE_OK;
        }
      if (column == N_ATTRIBUTES + 1 && g_strcmp0 (change->after, "true") != 0 &&
          g_strcmp0 (change->after, "false") != 0)
        {
          g_set_error (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED,
                       _("“%s” is not true or false."), change->after ? change->after : "");
          return SQLITE_OK;
        }
      if (column == N_ATTRIBUTES + 2)
        {
          if (change->after == NULL || !muster_user_type_from_string (change->after, &type))
            {
              g_set_error (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED,
                           _("“%s” is not a user type."), change->after ? change->after : "");
              return SQLITE_OK;
            }
        }
      mask |= 1u << column;
      values[column] = change->after;
    }

  if ((rc = find_user (batch, user->id, user->external_id, id)) != SQLITE_OK)
    return rc;
  if (*id == 0)
    {
      g_set_error (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_CONFLICT,
                   _("The user “%s” is no longer in the store."), user->user_name ? user->user_name : "");
      return SQLITE_OK;
    }

  if ((rc = get_update_stmt (batch, mask, &stmt)) != SQLITE_OK)
    return rc;
  for (int column = 0; column < (int) N_UPDATE_COLUMNS; column++)
    if (mask & (1u << column))
      {
        n++;
        if (column == N_ATTRIBUTES + 1)
          sqlite3_bind_int (stmt, n, g_str_equal (values[column], "true") ? 1 : 0);
        else if (column == N_ATTRIBUTES + 2)
          {
            muster_user_type_from_string (values[column], &type);
            sqlite3_bind_text (stmt, n, muster_user_type_to_string (type), -1, SQLITE_STATIC);
          }
        else
          bind_text (stmt, n, values[column]);
      }
  sqlite3_bind_text (stmt, n + 1, batch->now, -1, SQLITE_STATIC);
  bind_text (stmt, n + 2, user->external_id);
  sqlite3_bind_int64 (stmt, n + 3, *id);

  rc = run (stmt);
  if (is_constraint (rc))
    {
      const char *external_id = values[COLUMN_EXTERNAL_ID] ? values[COLUMN_EXTERNAL_ID] : user->external_id;

      if (values[N_ATTRIBUTES] != NULL)
        set_user_name_conflict (op_error, values[N_ATTRIBUTES]);
      else
        g_set_error (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_CONFLICT,
                     _("Another user of the store already has the Entra id %s."),
                     external_id ? external_id : "");
      return SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    return rc;

  if (set_roles_too)
    return set_roles (batch, *id, roles, TRUE);
  return SQLITE_OK;
}

static int
disable_user (Batch            *batch,
              MusterOperation  *op,
              gint64           *id,
              GError          **op_error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (op->user == NULL)
    {
      g_set_error_literal (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED,
                           _("The change names no user."));
      return SQLITE_OK;
    }
  if ((rc = find_user (batch, op->user->id, op->user->external_id, id)) != SQLITE_OK)
    return rc;
  if (*id == 0)
    {
      g_set_error (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_CONFLICT,
                   _("The user “%s” is no longer in the store."),
                   op->user->user_name ? op->user->user_name : "");
      return SQLITE_OK;
    }

  if ((rc = stmt_or_fail (batch, STMT_DISABLE_USER, &stmt)) != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, *id);
  sqlite3_bind_text (stmt, 2, batch->now, -1, SQLITE_STATIC);
  return run (stmt);
}

static int
delete_user (Batch            *batch,
             MusterOperation  *op,
             gint64           *id,
             GError          **op_error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (op->user == NULL)
    {
      g_set_error_literal (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED,
                           _("The change names no user."));
      return SQLITE_OK;
    }
  if ((rc = find_user (batch, op->user->id, op->user->external_id, id)) != SQLITE_OK)
    return rc;
  /* Already gone is what was asked for. */
  if (*id == 0)
    return SQLITE_OK;

  /* Its roles and memberships go with it (ON DELETE CASCADE). */
  if ((rc = stmt_or_fail (batch, STMT_DELETE_USER, &stmt)) != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, *id);
  return run (stmt);
}

static void
set_group_name_conflict (GError     **error,
                         const char  *display_name)
{
  g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_CONFLICT,
               _("Another group of the store is already called “%s”."), display_name);
}

static int
create_group (Batch            *batch,
              MusterOperation  *op,
              gint64           *id,
              GError          **op_error)
{
  MusterTargetGroup *group = op->group;
  sqlite3_stmt *stmt;
  int rc;

  if (group == NULL || group->display_name == NULL || group->display_name[0] == '\0')
    {
      g_set_error_literal (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED,
                           _("The group has no name."));
      return SQLITE_OK;
    }

  if ((rc = find_group (batch, NULL, group->external_id, id)) != SQLITE_OK)
    return rc;
  if (*id != 0)
    {
      /* Made earlier from the same Entra group: keep it, under the name asked for. */
      if ((rc = stmt_or_fail (batch, STMT_RENAME_GROUP, &stmt)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (stmt, 1, *id);
    }
  else
    {
      if ((rc = stmt_or_fail (batch, STMT_INSERT_GROUP, &stmt)) != SQLITE_OK)
        return rc;
      bind_text (stmt, 1, group->external_id);
    }
  sqlite3_bind_text (stmt, 2, group->display_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, batch->now, -1, SQLITE_STATIC);

  rc = run (stmt);
  if (is_constraint (rc))
    {
      set_group_name_conflict (op_error, group->display_name);
      return SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    return rc;
  if (*id == 0)
    *id = sqlite3_last_insert_rowid (batch->self->db);
  return SQLITE_OK;
}

static int
change_member (Batch            *batch,
               MusterOperation  *op,
               gboolean          add,
               gint64           *group_id,
               GError          **op_error)
{
  sqlite3_stmt *stmt;
  gint64 user_id = 0;
  int rc;

  *group_id = 0;
  if (op->group != NULL && (rc = find_group (batch, op->group->id, op->group->external_id, group_id)) != SQLITE_OK)
    return rc;
  if ((rc = find_user (batch, op->member_id, op->member_external_id, &user_id)) != SQLITE_OK)
    return rc;

  if (!add && (*group_id == 0 || user_id == 0))
    return SQLITE_OK;  /* not a member, as asked */
  if (*group_id == 0)
    {
      g_set_error (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED,
                   _("The group “%s” is not in the store."),
                   op->group && op->group->display_name ? op->group->display_name : "");
      return SQLITE_OK;
    }
  if (user_id == 0)
    {
      g_set_error (op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_REJECTED,
                   _("The user %s is not in the store."),
                   op->member_external_id ? op->member_external_id : op->member_id ? op->member_id : "");
      return SQLITE_OK;
    }

  if ((rc = stmt_or_fail (batch, add ? STMT_ADD_MEMBER : STMT_REMOVE_MEMBER, &stmt)) != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, *group_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  if (add)
    sqlite3_bind_text (stmt, 3, batch->now, -1, SQLITE_STATIC);
  return run (stmt);
}

static const char *
operation_external_id (MusterOperation *op)
{
  switch (op->kind)
    {
    case MUSTER_OPERATION_CREATE_GROUP:
      return op->group ? op->group->external_id : NULL;
    case MUSTER_OPERATION_ADD_MEMBER:
    case MUSTER_OPERATION_REMOVE_MEMBER:
      return op->member_external_id;
    case MUSTER_OPERATION_CREATE_USER:
    case MUSTER_OPERATION_UPDATE_USER:
    case MUSTER_OPERATION_DISABLE_USER:
    case MUSTER_OPERATION_DELETE_USER:
    default:
      return op->user ? op->user->external_id : NULL;
    }
}

/* Applies one operation. Returns an SQLite code that fails the batch, or SQLITE_OK with
 * *@result set. */
static int
apply_one (Batch                  *batch,
           MusterOperation        *op,
           MusterOperationResult **result)
{
  g_autoptr(GError) op_error = NULL;
  g_autofree char *target_id = NULL;
  gint64 id = 0;
  int rc;

  switch (op->kind)
    {
    case MUSTER_OPERATION_CREATE_USER:
      rc = create_user (batch, op, &id, &op_error);
      break;
    case MUSTER_OPERATION_UPDATE_USER:
      rc = update_user (batch, op, &id, &op_error);
      break;
    case MUSTER_OPERATION_DISABLE_USER:
      rc = disable_user (batch, op, &id, &op_error);
      break;
    case MUSTER_OPERATION_DELETE_USER:
      rc = delete_user (batch, op, &id, &op_error);
      break;
    case MUSTER_OPERATION_CREATE_GROUP:
      rc = create_group (batch, op, &id, &op_error);
      break;
    case MUSTER_OPERATION_ADD_MEMBER:
      rc = change_member (batch, op, TRUE, &id, &op_error);
      break;
    case MUSTER_OPERATION_REMOVE_MEMBER:
      rc = change_member (batch, op, FALSE, &id, &op_error);
      break;
    default:
      g_set_error (&op_error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_UNSUPPORTED,
                   _("The SQLite store cannot do “%s”."), op->key);
      rc = SQLITE_OK;
      break;
    }
  if (rc != SQLITE_OK)
    return rc;

  if (op_error != NULL)
    {
      *result = muster_operation_result_new_failed (op, op_error);
      return SQLITE_OK;
    }
  if (id != 0)
    target_id = _muster_sqlite_target_id_to_string (id);
  *result = muster_operation_result_new_ok (op, target_id);
  return SQLITE_OK;
}

static int
put_result (Batch                 *batch,
            const char            *run_id,
            MusterOperationResult *result)
{
  MusterOperation *op = result->operation;
  sqlite3_stmt *stmt;
  int rc;

  if ((rc = stmt_or_fail (batch, STMT_PUT_RESULT, &stmt)) != SQLITE_OK)
    return rc;
  sqlite3_bind_text (stmt, 1, run_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, op->key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, muster_operation_kind_to_string (op->kind), -1, SQLITE_STATIC);
  bind_text (stmt, 4, operation_external_id (op));
  bind_text (stmt, 5, result->target_id);
  sqlite3_bind_int (stmt, 6, result->ok ? 1 : 0);
  bind_text (stmt, 7, result->error ? result->error->message : NULL);
  sqlite3_bind_text (stmt, 8, batch->now, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 9, batch->number);
  return run (stmt);
}

static void
rollback_locked (MusterSqliteTarget *self)
{
  /* SQLite may have rolled back by itself (SQLITE_FULL, SQLITE_IOERR). */
  if (!sqlite3_get_autocommit (self->db) &&
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
    g_debug ("Rollback on %s: %s", self->path, sqlite3_errmsg (self->db));
}

typedef struct
{
  char      *run_id;
  GPtrArray *operations;
} ApplyData;

static void
apply_data_free (gpointer data)
{
  ApplyData *apply = data;

  g_free (apply->run_id);
  g_ptr_array_unref (apply->operations);
  g_free (apply);
}

static GPtrArray *
cancelled_results (GPtrArray *operations)
{
  GPtrArray *results = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_result_free);
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     _("The push was cancelled before this change was made."));

  for (guint i = 0; i < operations->len; i++)
    g_ptr_array_add (results, muster_operation_result_new_failed (g_ptr_array_index (operations, i), cancelled));
  return results;
}

/* NULL with @error when the batch failed as a whole (then it changed nothing). */
static GPtrArray *
apply_locked (MusterSqliteTarget  *self,
              const char          *run_id,
              GPtrArray           *operations,
              GCancellable        *cancellable,
              GError             **error)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_result_free);
  g_autofree char *now = now_text ();
  g_autoptr(GHashTable) roles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Batch batch = { self, now, roles, 0 };
  sqlite3_stmt *stmt;
  int rc;

  if (g_cancellable_is_cancelled (cancellable))
    return cancelled_results (operations);
  /* Nothing to do is not a batch of the run. */
  if (operations->len == 0)
    return g_steal_pointer (&results);

  if ((rc = stmt_or_fail (&batch, STMT_BEGIN, &stmt)) != SQLITE_OK || (rc = run (stmt)) != SQLITE_OK)
    goto failed;

  if ((rc = stmt_or_fail (&batch, STMT_PUT_RUN, &stmt)) != SQLITE_OK)
    goto failed;
  sqlite3_bind_text (stmt, 1, run_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_STATIC);
  if ((rc = run_for_id (stmt, &batch.number)) != SQLITE_OK)
    goto failed;

  for (guint i = 0; i < operations->len; i++)
    {
      MusterOperationResult *result = NULL;

      /* Cancelled: nothing of the batch is kept, so every operation is reported not made. */
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_debug ("Batch of run %s cancelled after %u of %u operations: rolled back", run_id, i, operations->len);
          rollback_locked (self);
          return cancelled_results (operations);
        }

      if ((rc = apply_one (&batch, g_ptr_array_index (operations, i), &result)) != SQLITE_OK)
        goto failed;
      g_ptr_array_add (results, result);
      if ((rc = put_result (&batch, run_id, result)) != SQLITE_OK)
        goto failed;
    }

  if ((rc = stmt_or_fail (&batch, STMT_COMMIT, &stmt)) != SQLITE_OK || (rc = run (stmt)) != SQLITE_OK)
    goto failed;

  return g_steal_pointer (&results);

failed:
  _muster_sqlite_target_fail (error, self->db, rc, self->path);
  rollback_locked (self);
  return NULL;
}

static void
apply_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  MusterSqliteTarget *self = source_object;
  ApplyData *apply = task_data;
  GPtrArray *results = NULL;
  GError *error = NULL;

  g_mutex_lock (&self->lock);
  if (_muster_sqlite_target_ensure_open_locked (self, &error))
    results = apply_locked (self, apply->run_id, apply->operations, cancellable, &error);
  g_mutex_unlock (&self->lock);

  if (results == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
}

/* Roles ---------------------------------------------------------------------------------------- */

static gboolean
check_role_name (const char  *role,
                 GError     **error)
{
  gboolean ok = role != NULL && role[0] != '\0' && g_utf8_validate (role, -1, NULL);

  for (const char *p = role; ok && *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      ok = FALSE;
  if (ok)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (role));

      ok = strcmp (stripped, role) == 0;
    }
  if (!ok)
    g_set_error_literal (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID,
                         _("A role name must be text without control characters or spaces at either end."));
  return ok;
}

static char **
list_roles_locked (MusterSqliteTarget  *self,
                   GError             **error)
{
  g_autoptr(GPtrArray) roles = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "SELECT name FROM roles ORDER BY name", -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (roles, g_strdup (muster_sqlite_column_text (stmt, 0)));
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _muster_sqlite_target_fail (error, self->db, rc, self->path);
      return NULL;
    }
  g_ptr_array_add (roles, NULL);
  g_ptr_array_set_free_func (roles, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&roles), FALSE);
}

static gboolean
change_role_locked (MusterSqliteTarget  *self,
                    const char          *role,
                    gboolean             add,
                    GError             **error)
{
  g_autofree char *now = now_text ();
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db,
                           add ? "INSERT OR IGNORE INTO roles (name, created_at) VALUES (?1, ?2)"
                               : "DELETE FROM roles WHERE name = ?1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, role, -1, SQLITE_STATIC);
      if (add)
        sqlite3_bind_text (stmt, 2, now, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _muster_sqlite_target_fail (error, self->db, rc, self->path);

  if (!add && sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID,
                   _("The SQLite store does not offer the role “%s”."), role);
      return FALSE;
    }
  return TRUE;
}

typedef enum
{
  ROLE_OPEN,
  ROLE_LIST,
  ROLE_ADD,
  ROLE_REMOVE,
} RoleCall;

typedef struct
{
  RoleCall  call;
  char     *role;
} RoleData;

static void
role_data_free (gpointer data)
{
  RoleData *role = data;

  g_free (role->role);
  g_free (role);
}

static void
role_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  MusterSqliteTarget *self = source_object;
  RoleData *data = task_data;
  GError *error = NULL;
  char **roles;

  switch (data->call)
    {
    case ROLE_OPEN:
      if (muster_sqlite_target_open (self, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;
    case ROLE_LIST:
      roles = muster_sqlite_target_list_roles (self, &error);
      if (roles != NULL)
        g_task_return_pointer (task, roles, (GDestroyNotify) g_strfreev);
      else
        g_task_return_error (task, error);
      break;
    case ROLE_ADD:
    case ROLE_REMOVE:
      if (data->call == ROLE_ADD ? muster_sqlite_target_add_role (self, data->role, &error)
                                 : muster_sqlite_target_remove_role (self, data->role, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
run_role_task (MusterSqliteTarget  *self,
               RoleCall             call,
               const char          *role,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  RoleData *data = g_new0 (RoleData, 1);

  data->call = call;
  data->role = g_strdup (role);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, role_data_free);
  g_task_run_in_thread (task, role_thread);
}

/* MusterTarget --------------------------------------------------------------------------------- */

static char *
muster_sqlite_target_describe (MusterTarget *target)
{
  MusterSqliteTarget *self = MUSTER_SQLITE_TARGET (target);

  /* Translators: %s is a file name */
  return g_strdup_printf (_("SQLite store %s"), self->path);
}

static char *
muster_sqlite_target_get_uri (MusterTarget *target)
{
  return g_strconcat ("sqlite:", MUSTER_SQLITE_TARGET (target)->path, NULL);
}

static MusterTargetFeatures
muster_sqlite_target_get_features (MusterTarget *target)
{
  return MUSTER_TARGET_FEATURE_GROUPS | MUSTER_TARGET_FEATURE_DELETE | MUSTER_TARGET_FEATURE_ROLES |
         MUSTER_TARGET_FEATURE_USER_TYPE | MUSTER_TARGET_FEATURE_ENTERPRISE;
}

static void
muster_sqlite_target_read_state_async (MusterTarget        *target,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (target, cancellable, callback, user_data);

  g_task_set_source_tag (task, muster_sqlite_target_read_state_async);
  g_task_run_in_thread (task, _muster_sqlite_target_read_state_thread);
}

static MusterTargetState *
muster_sqlite_target_read_state_finish (MusterTarget  *target,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, target), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
muster_sqlite_target_apply_async (MusterTarget        *target,
                                  const char          *run_id,
                                  GPtrArray           *operations,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (target, cancellable, callback, user_data);
  ApplyData *apply = g_new0 (ApplyData, 1);

  /* Without a run id the batch is a run of its own. */
  apply->run_id = run_id != NULL ? g_strdup (run_id) : g_uuid_string_random ();
  apply->operations = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  for (guint i = 0; i < operations->len; i++)
    g_ptr_array_add (apply->operations, muster_operation_ref (g_ptr_array_index (operations, i)));

  g_task_set_source_tag (task, muster_sqlite_target_apply_async);
  g_task_set_task_data (task, apply, apply_data_free);
  /* Cancelled, the batch still returns its results (each G_IO_ERROR_CANCELLED), and only once
   * it has rolled back. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, apply_thread);
}

static GPtrArray *
muster_sqlite_target_apply_finish (MusterTarget  *target,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, target), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
muster_sqlite_target_iface_init (MusterTargetInterface *iface)
{
  iface->describe = muster_sqlite_target_describe;
  iface->get_uri = muster_sqlite_target_get_uri;
  iface->get_features = muster_sqlite_target_get_features;
  iface->read_state_async = muster_sqlite_target_read_state_async;
  iface->read_state_finish = muster_sqlite_target_read_state_finish;
  iface->apply_async = muster_sqlite_target_apply_async;
  iface->apply_finish = muster_sqlite_target_apply_finish;
}

/* Overrides ------------------------------------------------------------------------------------ */

static void
muster_sqlite_target_finalize (GObject *object)
{
  MusterSqliteTarget *self = MUSTER_SQLITE_TARGET (object);

  close_db_locked (self);
  g_hash_table_unref (self->update_stmts);
  g_mutex_clear (&self->lock);
  g_free (self->path);

  G_OBJECT_CLASS (muster_sqlite_target_parent_class)->finalize (object);
}

static void
muster_sqlite_target_class_init (MusterSqliteTargetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_sqlite_target_finalize;
}

static void
muster_sqlite_target_init (MusterSqliteTarget *self)
{
  g_mutex_init (&self->lock);
  self->update_stmts = g_hash_table_new_full (NULL, NULL, NULL, finalize_stmt);
}

/* Public API ----------------------------------------------------------------------------------- */

MusterSqliteTarget *
muster_sqlite_target_new (const char *path)
{
  MusterSqliteTarget *self;

  g_return_val_if_fail (path != NULL && path[0] != '\0', NULL);

  self = g_object_new (MUSTER_TYPE_SQLITE_TARGET, NULL);
  self->path = g_canonicalize_filename (path, NULL);
  return self;
}

const char *
muster_sqlite_target_get_path (MusterSqliteTarget *self)
{
  g_return_val_if_fail (MUSTER_IS_SQLITE_TARGET (self), NULL);
  return self->path;
}

gboolean
muster_sqlite_target_open (MusterSqliteTarget  *self,
                           GError             **error)
{
  gboolean ok;

  g_return_val_if_fail (MUSTER_IS_SQLITE_TARGET (self), FALSE);

  g_mutex_lock (&self->lock);
  ok = _muster_sqlite_target_ensure_open_locked (self, error);
  g_mutex_unlock (&self->lock);
  return ok;
}

char **
muster_sqlite_target_list_roles (MusterSqliteTarget  *self,
                                 GError             **error)
{
  char **roles = NULL;

  g_return_val_if_fail (MUSTER_IS_SQLITE_TARGET (self), NULL);

  g_mutex_lock (&self->lock);
  if (_muster_sqlite_target_ensure_open_locked (self, error))
    roles = list_roles_locked (self, error);
  g_mutex_unlock (&self->lock);
  return roles;
}

gboolean
muster_sqlite_target_add_role (MusterSqliteTarget  *self,
                               const char          *role,
                               GError             **error)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (MUSTER_IS_SQLITE_TARGET (self), FALSE);

  if (!check_role_name (role, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  if (_muster_sqlite_target_ensure_open_locked (self, error))
    ok = change_role_locked (self, role, TRUE, error);
  g_mutex_unlock (&self->lock);
  return ok;
}

gboolean
muster_sqlite_target_remove_role (MusterSqliteTarget  *self,
                                  const char          *role,
                                  GError             **error)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (MUSTER_IS_SQLITE_TARGET (self), FALSE);
  g_return_val_if_fail (role != NULL, FALSE);

  g_mutex_lock (&self->lock);
  if (_muster_sqlite_target_ensure_open_locked (self, error))
    ok = change_role_locked (self, role, FALSE, error);
  g_mutex_unlock (&self->lock);
  return ok;
}

void
muster_sqlite_target_open_async (MusterSqliteTarget  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (MUSTER_IS_SQLITE_TARGET (self));
  run_role_task (self, ROLE_OPEN, NULL, muster_sqlite_target_open_async, cancellable, callback, user_data);
}

gboolean
muster_sqlite_target_open_finish (MusterSqliteTarget  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
muster_sqlite_target_list_roles_async (MusterSqliteTarget  *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (MUSTER_IS_SQLITE_TARGET (self));
  run_role_task (self, ROLE_LIST, NULL, muster_sqlite_target_list_roles_async, cancellable, callback, user_data);
}

char **
muster_sqlite_target_list_roles_finish (MusterSqliteTarget  *self,
                                        GAsyncResult        *result,
                                        GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
muster_sqlite_target_add_role_async (MusterSqliteTarget  *self,
                                     const char          *role,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (MUSTER_IS_SQLITE_TARGET (self));
  run_role_task (self, ROLE_ADD, role, muster_sqlite_target_add_role_async, cancellable, callback, user_data);
}

gboolean
muster_sqlite_target_add_role_finish (MusterSqliteTarget  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
muster_sqlite_target_remove_role_async (MusterSqliteTarget  *self,
                                        const char          *role,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (MUSTER_IS_SQLITE_TARGET (self));
  g_return_if_fail (role != NULL);
  run_role_task (self, ROLE_REMOVE, role, muster_sqlite_target_remove_role_async, cancellable, callback, user_data);
}

gboolean
muster_sqlite_target_remove_role_finish (MusterSqliteTarget  *self,
                                         GAsyncResult        *result,
                                         GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Private -------------------------------------------------------------------------------------- */

gboolean
_muster_sqlite_target_limit_growth (MusterSqliteTarget  *self,
                                    guint                extra_pages,
                                    GError             **error)
{
  g_autofree char *sql = NULL;
  gint64 pages = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (MUSTER_IS_SQLITE_TARGET (self), FALSE);

  g_mutex_lock (&self->lock);
  if (_muster_sqlite_target_ensure_open_locked (self, error) &&
                            _muster_sqlite_target_query_int (self->db, "PRAGMA page_count", self->path, &pages, error))
    {
      sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages + extra_pages);
      ok = _muster_sqlite_target_query_int (self->db, sql, self->path, &pages, error);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}
