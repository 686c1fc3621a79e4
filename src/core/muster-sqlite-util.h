/* muster-sqlite-util.h: opening, checking and running SQL on the engine's SQLite files (the
 * snapshot cache, the SQLite target, the push history), with each store's own error sentences
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* How long a statement waits for another connection's lock before SQLITE_BUSY. */
#define MUSTER_SQLITE_BUSY_TIMEOUT_MS 10000

/* What went wrong, in the terms a store explains to the admin (from the primary result code,
 * sqlite.org/rescode.html). */
typedef enum
{
  MUSTER_SQLITE_FAILURE_OTHER,
  MUSTER_SQLITE_FAILURE_FULL,         /* SQLITE_FULL */
  MUSTER_SQLITE_FAILURE_IO,           /* SQLITE_IOERR */
  MUSTER_SQLITE_FAILURE_CORRUPT,      /* SQLITE_CORRUPT, SQLITE_NOTADB */
  MUSTER_SQLITE_FAILURE_OPEN,         /* SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY, SQLITE_AUTH */
  MUSTER_SQLITE_FAILURE_BUSY,         /* SQLITE_BUSY, SQLITE_LOCKED */
  MUSTER_SQLITE_FAILURE_INTERRUPTED,  /* SQLITE_INTERRUPT */
} MusterSqliteFailure;

/* A store's sentence for @failure on the file @path: sets @error. @code_text is SQLite's text
 * for the result code, @detail its message for the connection (or the code's text when there
 * was no connection). */
typedef void (*MusterSqliteErrorFunc) (GError              **error,
                                       MusterSqliteFailure   failure,
                                       const char           *path,
                                       const char           *code_text,
                                       const char           *detail);

/* One SQLite file as a store uses it: the connection, the file's path for messages and the
 * store's sentences. */
typedef struct
{
  sqlite3               *db;
  const char            *path;
  MusterSqliteErrorFunc  report;
} MusterSqliteFile;

/* Logs the SQLite detail of @rc with g_debug() and sets @error with the store's sentence.
 * Always returns FALSE. @file->db may be NULL. */
gboolean      muster_sqlite_fail         (const MusterSqliteFile  *file,
                                          int                      rc,
                                          GError                 **error);

/* sqlite3_open_v2() with @flags, then extended result codes and the busy timeout. NULL with
 * @error (the store's sentence) when the file cannot be opened. */
sqlite3      *muster_sqlite_open         (const char              *path,
                                          int                      flags,
                                          MusterSqliteErrorFunc    report,
                                          GError                 **error);

/* Runs @sql (one or more statements, no rows wanted). */
gboolean      muster_sqlite_exec         (const MusterSqliteFile  *file,
                                          const char              *sql,
                                          GError                 **error);

/* The first column of the first row of @sql in @value; 0 when there is no row. */
gboolean      muster_sqlite_query_int    (const MusterSqliteFile  *file,
                                          const char              *sql,
                                          gint64                  *value,
                                          GError                 **error);

/* sqlite3_prepare_v3() with @prepare_flags (0, or SQLITE_PREPARE_PERSISTENT for statements
 * kept for the connection's life). */
sqlite3_stmt *muster_sqlite_prepare      (const MusterSqliteFile  *file,
                                          const char              *sql,
                                          unsigned int             prepare_flags,
                                          GError                 **error);

/* What tells a Muster file from an empty or a foreign one (sqlite.org/pragma.html). */
typedef struct
{
  gint64 version;         /* PRAGMA user_version: the format */
  gint64 application_id;  /* PRAGMA application_id: which of Muster's files */
  gint64 n_objects;       /* tables, indexes, views: 0 in an empty file */
} MusterSqliteHeader;

/* Reads the header without writing anything; outside a transaction it takes a read
 * transaction of its own, so the three values are of the same moment. */
gboolean      muster_sqlite_read_header  (const MusterSqliteFile  *file,
                                          MusterSqliteHeader      *header,
                                          GError                 **error);

/* Binds @text, copied, or NULL. */
void          muster_sqlite_bind_text    (sqlite3_stmt            *stmt,
                                          int                      column,
                                          const char              *text);

/* A column as text, NULL for NULL; valid until the next step. */
const char   *muster_sqlite_column_text  (sqlite3_stmt            *stmt,
                                          int                      column);

G_END_DECLS
