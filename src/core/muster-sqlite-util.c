/* muster-sqlite-util.c: opening, checking and running SQL on the engine's SQLite files
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-sqlite"

#include "config.h"

#include "muster-sqlite-util.h"

gboolean
muster_sqlite_fail (const MusterSqliteFile  *file,
                    int                      rc,
                    GError                 **error)
{
  const char *detail = file->db != NULL ? sqlite3_errmsg (file->db) : sqlite3_errstr (rc);
  MusterSqliteFailure failure;

  g_debug ("SQLite error %d on %s: %s", rc, file->path, detail);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      failure = MUSTER_SQLITE_FAILURE_FULL;
      break;
    case SQLITE_IOERR:
      failure = MUSTER_SQLITE_FAILURE_IO;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      failure = MUSTER_SQLITE_FAILURE_CORRUPT;
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      failure = MUSTER_SQLITE_FAILURE_OPEN;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      failure = MUSTER_SQLITE_FAILURE_BUSY;
      break;
    case SQLITE_INTERRUPT:
      failure = MUSTER_SQLITE_FAILURE_INTERRUPTED;
      break;
    default:
      failure = MUSTER_SQLITE_FAILURE_OTHER;
      break;
    }
  file->report (error, failure, file->path, sqlite3_errstr (rc), detail);
  return FALSE;
}

sqlite3 *
muster_sqlite_open (const char             *path,
                    int                     flags,
                    MusterSqliteErrorFunc   report,
                    GError                **error)
{
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      MusterSqliteFile file = { db, path, report };

      muster_sqlite_fail (&file, rc, error);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, TRUE);
  sqlite3_busy_timeout (db, MUSTER_SQLITE_BUSY_TIMEOUT_MS);
  return db;
}

gboolean
muster_sqlite_exec (const MusterSqliteFile  *file,
                    const char              *sql,
                    GError                 **error)
{
  int rc = sqlite3_exec (file->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return muster_sqlite_fail (file, rc, error);
  return TRUE;
}

gboolean
muster_sqlite_query_int (const MusterSqliteFile  *file,
                         const char              *sql,
                         gint64                  *value,
                         GError                 **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *value = 0;
  rc = sqlite3_prepare_v2 (file->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *value = sqlite3_column_int64 (stmt, 0);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK && rc != SQLITE_DONE)
    return muster_sqlite_fail (file, rc, error);
  return TRUE;
}

sqlite3_stmt *
muster_sqlite_prepare (const MusterSqliteFile  *file,
                       const char              *sql,
                       unsigned int             prepare_flags,
                       GError                 **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v3 (file->db, sql, -1, prepare_flags, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      muster_sqlite_fail (file, rc, error);
      return NULL;
    }
  return stmt;
}

gboolean
muster_sqlite_read_header (const MusterSqliteFile  *file,
                           MusterSqliteHeader      *header,
                           GError                 **error)
{
  gboolean own = sqlite3_get_autocommit (file->db);
  gboolean ok;

  if (own && !muster_sqlite_exec (file, "BEGIN", error))
    return FALSE;
  ok = muster_sqlite_query_int (file, "PRAGMA user_version", &header->version, error) &&
       muster_sqlite_query_int (file, "PRAGMA application_id", &header->application_id, error) &&
       muster_sqlite_query_int (file, "SELECT count(*) FROM sqlite_master", &header->n_objects, error);
  if (own)
    sqlite3_exec (file->db, "COMMIT", NULL, NULL, NULL);
  return ok;
}

void
muster_sqlite_bind_text (sqlite3_stmt *stmt,
                         int           column,
                         const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, column);
}

const char *
muster_sqlite_column_text (sqlite3_stmt *stmt,
                           int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}
