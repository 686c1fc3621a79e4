/* muster-sqlite-target.c: a SQLite file the admin picks, as a target Muster pushes people into
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opening the store, its schema and migrations, its roles and the MusterTarget interface.
 * Applying batches is muster-sqlite-target-apply.c's, reading the state
 * muster-sqlite-target-state.c's.
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

/* The current time as the store records it. */
char *
_muster_sqlite_target_now_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
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
  g_autofree char *now = _muster_sqlite_target_now_text ();
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
muster_sqlite_target_iface_init (MusterTargetInterface *iface)
{
  iface->describe = muster_sqlite_target_describe;
  iface->get_uri = muster_sqlite_target_get_uri;
  iface->get_features = muster_sqlite_target_get_features;
  iface->read_state_async = muster_sqlite_target_read_state_async;
  iface->read_state_finish = muster_sqlite_target_read_state_finish;
  iface->apply_async = _muster_sqlite_target_apply_async;
  iface->apply_finish = _muster_sqlite_target_apply_finish;
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
