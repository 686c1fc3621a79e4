/* muster-history.c: history.db — every push, who ran it, and what became of each operation
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This file holds the store, its schema, the names and records, the push locks and the object;
 * journaling a run is muster-history-record.c's, reading runs back muster-history-read.c's.
 */

#define _GNU_SOURCE  /* F_OFD_SETLK */
#define G_LOG_DOMAIN "muster-history"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "muster-history-private.h"
#include "muster-profile-store.h"

/* history.db — schema version 1
 *
 * A SQLite 3 database in WAL mode with foreign keys on, marked PRAGMA application_id = 0x4D554849
 * ("MUHI") and PRAGMA user_version = 1; mode 0600 (it names the people pushed). A file with a
 * higher user_version was written by a newer Muster and is refused; a file of another program
 * is refused without a single write (the header is read before any PRAGMA that writes).
 *
 *   runs     one row per push
 *     seq INTEGER PRIMARY KEY (the order runs began in), id TEXT UNIQUE (a UUID), profile, target_uri, target_description, who,
 *     started_at, finished_at INTEGER (unix time; finished_at NULL while running),
 *     state TEXT (muster_run_state_to_string()), n_create … n_members_remove (planned operations
 *     per kind), total, done, failed, resumes (the id of the interrupted run it followed),
 *     message (why it ended so), pid (the process that ran it), scheduled INTEGER (1 for a run a
 *     timer started: `muster-cli sync --scheduled`; added with ALTER TABLE to files made before
 *     it, which older versions read as they did)
 *   results  one row per operation of a run: (run, key) PRIMARY KEY (run = runs.seq), kind, action, user_id
 *     (Entra id), user_principal_name, display_name, group_name, status TEXT
 *     ("pending" | "done" | "failed"), error, target_id, retried_by (the later run that did
 *     what this one did not), updated_at; results_failed indexes the failed rows no later run
 *     has done, so marking retries costs nothing for the (many) rows that succeeded
 *
 * The journal: a batch's rows are written `pending` in one transaction before the target sees
 * the batch, and `done`/`failed` in one transaction after. synchronous=NORMAL keeps every
 * committed transaction across a crash of the process (sqlite.org/wal.html); a power cut may
 * lose the last one, which costs nothing but a line of history, because a push resumes by
 * planning against what the target holds, not by replaying this journal. */

#define SCHEMA_VERSION 1
#define APPLICATION_ID 0x4D554849

static const char schema_sql[] =
  "CREATE TABLE runs ("
  "  seq INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  profile TEXT NOT NULL,"
  "  target_uri TEXT NOT NULL,"
  "  target_description TEXT,"
  "  who TEXT,"
  "  started_at INTEGER NOT NULL,"
  "  finished_at INTEGER,"
  "  state TEXT NOT NULL,"
  "  n_create INTEGER NOT NULL DEFAULT 0,"
  "  n_update INTEGER NOT NULL DEFAULT 0,"
  "  n_disable INTEGER NOT NULL DEFAULT 0,"
  "  n_delete INTEGER NOT NULL DEFAULT 0,"
  "  n_groups_create INTEGER NOT NULL DEFAULT 0,"
  "  n_members_add INTEGER NOT NULL DEFAULT 0,"
  "  n_members_remove INTEGER NOT NULL DEFAULT 0,"
  "  total INTEGER NOT NULL DEFAULT 0,"
  "  done INTEGER NOT NULL DEFAULT 0,"
  "  failed INTEGER NOT NULL DEFAULT 0,"
  "  resumes TEXT,"
  "  message TEXT,"
  "  pid INTEGER,"
  "  scheduled INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX runs_by_target ON runs (profile, target_uri, state);"
  "CREATE INDEX runs_by_time ON runs (started_at);"
  "CREATE TABLE results ("
  "  run INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,"
  "  key TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  user_id TEXT,"
  "  user_principal_name TEXT,"
  "  display_name TEXT,"
  "  group_name TEXT,"
  "  status TEXT NOT NULL,"
  "  error TEXT,"
  "  target_id TEXT,"
  "  retried_by TEXT,"
  "  updated_at INTEGER NOT NULL,"
  "  PRIMARY KEY (run, key));"
  "CREATE INDEX results_failed ON results (key) WHERE status = 'failed' AND retried_by IS NULL;";

G_DEFINE_FINAL_TYPE (MusterHistory, muster_history, G_TYPE_OBJECT)

G_DEFINE_QUARK (muster-history-error-quark, muster_history_error)

G_DEFINE_BOXED_TYPE (MusterHistoryRun, muster_history_run, muster_history_run_copy, muster_history_run_free)

/* Names --------------------------------------------------------------------------------------- */

static const char * const run_states[] = {
  [MUSTER_RUN_STATE_RUNNING]     = "running",
  [MUSTER_RUN_STATE_COMPLETED]   = "completed",
  [MUSTER_RUN_STATE_PARTIAL]     = "partial",
  [MUSTER_RUN_STATE_FAILED]      = "failed",
  [MUSTER_RUN_STATE_CANCELLED]   = "cancelled",
  [MUSTER_RUN_STATE_STOPPED]     = "stopped",
  [MUSTER_RUN_STATE_REFUSED]     = "refused",
  [MUSTER_RUN_STATE_INTERRUPTED] = "interrupted",
};

const char *
muster_run_state_to_string (MusterRunState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (run_states), NULL);
  return run_states[state];
}

gboolean
muster_run_state_from_string (const char     *name,
                              MusterRunState *state)
{
  g_return_val_if_fail (state != NULL, FALSE);

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (run_states); i++)
    if (g_str_equal (name, run_states[i]))
      {
        *state = i;
        return TRUE;
      }
  return FALSE;
}

const char *
muster_run_state_get_title (MusterRunState state)
{
  switch (state)
    {
    case MUSTER_RUN_STATE_RUNNING:     return _("Running");
    case MUSTER_RUN_STATE_COMPLETED:   return _("Completed");
    case MUSTER_RUN_STATE_PARTIAL:     return _("Partly failed");
    case MUSTER_RUN_STATE_FAILED:      return _("Failed");
    case MUSTER_RUN_STATE_CANCELLED:   return _("Cancelled");
    case MUSTER_RUN_STATE_STOPPED:     return _("Stopped: too many failures");
    case MUSTER_RUN_STATE_REFUSED:     return _("Refused: over the safety limit");
    case MUSTER_RUN_STATE_INTERRUPTED: return _("Interrupted");
    default:
      g_return_val_if_reached (NULL);
    }
}

static const char * const result_statuses[] = {
  [MUSTER_RESULT_STATUS_PENDING] = "pending",
  [MUSTER_RESULT_STATUS_DONE]    = "done",
  [MUSTER_RESULT_STATUS_FAILED]  = "failed",
};

const char *
muster_result_status_to_string (MusterResultStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (result_statuses), NULL);
  return result_statuses[status];
}

MusterResultStatus
_muster_history_result_status_from_string (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (result_statuses); i++)
    if (g_str_equal (name, result_statuses[i]))
      return i;
  return MUSTER_RESULT_STATUS_PENDING;
}

/* Records ------------------------------------------------------------------------------------- */

void
muster_history_result_free (MusterHistoryResult *result)
{
  if (result == NULL)
    return;

  g_free (result->key);
  g_free (result->kind);
  g_free (result->action);
  g_free (result->user_id);
  g_free (result->user_principal_name);
  g_free (result->display_name);
  g_free (result->group_name);
  g_free (result->error);
  g_free (result->target_id);
  g_free (result->retried_by);
  g_free (result);
}

static MusterHistoryResult *
result_copy (const MusterHistoryResult *result)
{
  MusterHistoryResult *copy = g_new0 (MusterHistoryResult, 1);

  copy->key = g_strdup (result->key);
  copy->kind = g_strdup (result->kind);
  copy->action = g_strdup (result->action);
  copy->user_id = g_strdup (result->user_id);
  copy->user_principal_name = g_strdup (result->user_principal_name);
  copy->display_name = g_strdup (result->display_name);
  copy->group_name = g_strdup (result->group_name);
  copy->status = result->status;
  copy->error = g_strdup (result->error);
  copy->target_id = g_strdup (result->target_id);
  copy->retried_by = g_strdup (result->retried_by);
  copy->updated_at = result->updated_at;

  return copy;
}

MusterHistoryRun *
muster_history_run_copy (const MusterHistoryRun *run)
{
  MusterHistoryRun *copy;

  g_return_val_if_fail (run != NULL, NULL);

  copy = g_new0 (MusterHistoryRun, 1);
  *copy = *run;
  copy->id = g_strdup (run->id);
  copy->profile = g_strdup (run->profile);
  copy->target_uri = g_strdup (run->target_uri);
  copy->target_description = g_strdup (run->target_description);
  copy->who = g_strdup (run->who);
  copy->resumes = g_strdup (run->resumes);
  copy->message = g_strdup (run->message);
  copy->results = NULL;
  if (run->results != NULL)
    {
      copy->results = g_ptr_array_new_full (run->results->len, (GDestroyNotify) muster_history_result_free);
      for (guint i = 0; i < run->results->len; i++)
        g_ptr_array_add (copy->results, result_copy (g_ptr_array_index (run->results, i)));
    }
  return copy;
}

void
muster_history_run_free (MusterHistoryRun *run)
{
  if (run == NULL)
    return;

  g_free (run->id);
  g_free (run->profile);
  g_free (run->target_uri);
  g_free (run->target_description);
  g_free (run->who);
  g_free (run->resumes);
  g_free (run->message);
  g_clear_pointer (&run->results, g_ptr_array_unref);
  g_free (run);
}

/* Errors -------------------------------------------------------------------------------------- */

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
      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_FULL,
                   _("The disk holding the push history “%s” is full. Free some space and try again."),
                   path);
      break;
    case MUSTER_SQLITE_FAILURE_CORRUPT:
      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_CORRUPT,
                   _("The push history “%s” is damaged or is not a database. Move the file away; Muster starts a new history on the next push."),
                   path);
      break;
    case MUSTER_SQLITE_FAILURE_OPEN:
      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_OPEN,
                   _("The push history “%s” cannot be opened for writing (%s). Check that its folder exists and that you may write to it."),
                   path, code_text);
      break;
    case MUSTER_SQLITE_FAILURE_BUSY:
      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_FAILED,
                   _("The push history “%s” is busy: another Muster is writing to it. Try again in a moment."),
                   path);
      break;
    case MUSTER_SQLITE_FAILURE_IO:
    case MUSTER_SQLITE_FAILURE_INTERRUPTED:
    case MUSTER_SQLITE_FAILURE_OTHER:
      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_FAILED,
                   _("The push history “%s” could not be used: %s."), path, detail);
      break;
    }
}

static MusterSqliteFile
history_file (MusterHistory *self)
{
  return (MusterSqliteFile) { self->db, self->path, report_sqlite_error };
}

gboolean
_muster_history_set_sqlite_error (GError    **error,
                                  sqlite3    *db,
                                  int         rc,
                                  const char *path)
{
  MusterSqliteFile file = { db, path, report_sqlite_error };

  return muster_sqlite_fail (&file, rc, error);
}

gboolean
_muster_history_exec (MusterHistory  *self,
                      const char     *sql,
                      GError        **error)
{
  MusterSqliteFile file = history_file (self);

  return muster_sqlite_exec (&file, sql, error);
}

sqlite3_stmt *
_muster_history_prepare (MusterHistory  *self,
                         const char     *sql,
                         GError        **error)
{
  MusterSqliteFile file = history_file (self);

  return muster_sqlite_prepare (&file, sql, 0, error);
}

gboolean
_muster_history_step_done (MusterHistory  *self,
                           sqlite3_stmt   *stmt,
                           GError        **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return _muster_history_set_sqlite_error (error, self->db, rc, self->path);
  return TRUE;
}

void
_muster_history_rollback (MusterHistory *self)
{
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}


/* For values that outlive the statement's next step: no copy. */
void
_muster_history_bind_static (sqlite3_stmt *stmt,
                             int           column,
                             const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, column);
}

char *
_muster_history_column_dup (sqlite3_stmt *stmt,
                            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Opening ------------------------------------------------------------------------------------- */

static gboolean
query_int (MusterHistory  *self,
           const char     *sql,
           gint64         *value,
           GError        **error)
{
  MusterSqliteFile file = history_file (self);

  return muster_sqlite_query_int (&file, sql, value, error);
}

static gboolean
read_header (MusterHistory       *self,
             MusterSqliteHeader  *header,
             GError             **error)
{
  MusterSqliteFile file = history_file (self);

  return muster_sqlite_read_header (&file, header, error);
}

static gboolean
check_header (MusterHistory  *self,
              gint64          version,
              gint64          application_id,
              GError        **error)
{
  if (application_id != APPLICATION_ID || version == 0)
    {
      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_FOREIGN,
                   _("“%s” is a database of another program, not Muster’s push history. Move it away, or set MUSTER_DATA_DIR to another folder."),
                   self->path);
      return FALSE;
    }
  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_VERSION,
                   _("The push history “%s” was written by a newer version of Muster (format %d; this version reads up to %d). Update Muster, or move the file away to start a new history."),
                   self->path, (int) version, SCHEMA_VERSION);
      return FALSE;
    }
  return TRUE;
}

/* Checks the header before anything writes: a foreign file is refused as it was found. */
static gboolean
prepare_schema (MusterHistory  *self,
                GError        **error)
{
  MusterSqliteHeader header = { 0 };
  gint64 n_columns = 0;
  g_autofree char *stamp = NULL;

  if (!read_header (self, &header, error))
    return FALSE;

  if (header.version == 0 && header.n_objects == 0)
    {
      if (!_muster_history_exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      /* Another process may have created it meanwhile. */
      if (!read_header (self, &header, error))
        goto fail;
      if (header.version == 0 && header.n_objects == 0)
        {
          stamp = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d;",
                                   SCHEMA_VERSION, APPLICATION_ID);
          if (!_muster_history_exec (self, schema_sql, error) || !_muster_history_exec (self, stamp, error))
            goto fail;
        }
      else if (!check_header (self, header.version, header.application_id, error))
        {
          goto fail;
        }
      if (!_muster_history_exec (self, "COMMIT", error))
        goto fail;
    }
  else if (!check_header (self, header.version, header.application_id, error))
    {
      return FALSE;
    }

  /* Only now that the file is known to be ours. */
  if (!_muster_history_exec (self, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                             error))
    return FALSE;

  /* A column added within format 1: older versions name the columns they read and write. */
  if (!query_int (self, "SELECT count(*) FROM pragma_table_info ('runs') WHERE name = 'scheduled'", &n_columns, error))
    return FALSE;
  if (n_columns == 0 &&
      !_muster_history_exec (self, "ALTER TABLE runs ADD COLUMN scheduled INTEGER NOT NULL DEFAULT 0", error))
    {
      /* another process may have added it meanwhile */
      gint64 again = 0;

      if (!query_int (self, "SELECT count(*) FROM pragma_table_info ('runs') WHERE name = 'scheduled'", &again, NULL) ||
          again == 0)
        return FALSE;
      g_clear_error (error);
    }
  return TRUE;

fail:
  _muster_history_rollback (self);
  return FALSE;
}

MusterHistory *
muster_history_open (const char  *path,
                     GError     **error)
{
  g_autoptr(MusterHistory) self = NULL;
  g_autofree char *folder = NULL;
  int fd;

  self = g_object_new (MUSTER_TYPE_HISTORY, NULL);
  if (path != NULL)
    {
      self->path = g_strdup (path);
    }
  else
    {
      g_autofree char *data_dir = muster_get_data_dir ();
      self->path = g_build_filename (data_dir, "history.db", NULL);
    }
  folder = g_path_get_dirname (self->path);
  self->lock_dir = g_build_filename (folder, "locks", NULL);

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_OPEN,
                   _("The folder “%s” for the push history cannot be created: %s."), folder, g_strerror (saved));
      return NULL;
    }

  /* It names the people pushed: private from the first byte. */
  fd = g_open (self->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_OPEN,
                   _("The push history “%s” cannot be opened: %s. Check that you may read and write it."),
                   self->path, g_strerror (saved));
      return NULL;
    }
  g_close (fd, NULL);

  self->db = muster_sqlite_open (self->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, report_sqlite_error,
                                 error);
  if (self->db == NULL)
    return NULL;

  if (!prepare_schema (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
muster_history_get_path (MusterHistory *self)
{
  g_return_val_if_fail (MUSTER_IS_HISTORY (self), NULL);
  return self->path;
}

/* Locks --------------------------------------------------------------------------------------- */

/* One lock file per (profile, target), named by a digest so any URI makes a file name, locked
 * whole with an open file description lock (fcntl F_OFD_SETLK, Linux 3.15): like flock(), it
 * belongs to the open file, so the kernel drops it when the process dies — a crashed push never
 * leaves a stale lock — and a second open in the same process conflicts too; unlike flock(),
 * F_OFD_GETLK tells whether it is held without taking it, so reading the history never makes a
 * push that starts at that moment fail. */
static char *
lock_path (MusterHistory *self,
           const char    *profile,
           const char    *target_uri)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *name = NULL;

  g_checksum_update (checksum, (const guchar *) profile, -1);
  g_checksum_update (checksum, (const guchar *) "", 1);
  g_checksum_update (checksum, (const guchar *) target_uri, -1);
  name = g_strconcat (g_checksum_get_string (checksum), ".lock", NULL);
  return g_build_filename (self->lock_dir, name, NULL);
}

gboolean
_muster_history_lock_is_held (MusterHistory *self,
                              const char    *profile,
                              const char    *target_uri)
{
  g_autofree char *path = lock_path (self, profile, target_uri);
  struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gboolean held;

  if (fd < 0)
    return FALSE;  /* no lock file: nobody ever pushed there from this data folder */
  held = fcntl (fd, F_OFD_GETLK, &lock) != 0 || lock.l_type != F_UNLCK;
  close (fd);
  return held;
}

int
_muster_history_take_lock (MusterHistory  *self,
                           const char     *profile,
                           const char     *target_uri,
                           const char     *target_description,
                           GError        **error)
{
  g_autofree char *path = lock_path (self, profile, target_uri);
  g_autofree char *pid = NULL;
  struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
  int fd;

  if (g_mkdir_with_parents (self->lock_dir, 0700) != 0 ||
      (fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
    {
      int saved = errno;

      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_OPEN,
                   _("The push lock “%s” cannot be created: %s."), path, g_strerror (saved));
      return -1;
    }

  if (fcntl (fd, F_OFD_SETLK, &lock) != 0)
    {
      int saved = errno;
      char holder[32] = { 0 };
      ssize_t n;

      if (saved != EAGAIN && saved != EACCES)
        {
          g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_OPEN,
                       _("The push lock “%s” cannot be taken: %s."), path, g_strerror (saved));
          close (fd);
          return -1;
        }

      n = pread (fd, holder, sizeof holder - 1, 0);
      close (fd);
      g_strstrip (holder);
      if (n > 0 && holder[0] != '\0')
        g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_BUSY,
                     _("Another push into %s for profile “%s” is running (process %s). Wait for it to finish, or cancel it."),
                     target_description != NULL ? target_description : target_uri, profile, holder);
      else
        g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_BUSY,
                     _("Another push into %s for profile “%s” is running. Wait for it to finish, or cancel it."),
                     target_description != NULL ? target_description : target_uri, profile);
      return -1;
    }

  /* Who holds it, for the message the next one gets. */
  pid = g_strdup_printf ("%d\n", (int) getpid ());
  if (ftruncate (fd, 0) != 0 || pwrite (fd, pid, strlen (pid), 0) < 0)
    g_debug ("Could not write the pid into %s: %s", path, g_strerror (errno));

  return fd;
}

void
_muster_history_release_lock (int fd)
{
  struct flock unlock = { .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

  if (ftruncate (fd, 0) != 0)
    g_debug ("Could not clear a push lock file: %s", g_strerror (errno));
  fcntl (fd, F_OFD_SETLK, &unlock);
  close (fd);
}

/* Async wrappers ------------------------------------------------------------------------------ */

typedef struct
{
  char  *path_or_id;
  guint  limit;
} QueryData;

static void
query_data_free (QueryData *data)
{
  g_free (data->path_or_id);
  g_free (data);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  QueryData *data = task_data;
  GError *error = NULL;
  MusterHistory *history = muster_history_open (data->path_or_id, &error);

  if (history == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, history, g_object_unref);
}

void
muster_history_open_async (const char          *path,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  QueryData *data = g_new0 (QueryData, 1);

  data->path_or_id = g_strdup (path);
  g_task_set_source_tag (task, muster_history_open_async);
  g_task_set_task_data (task, data, (GDestroyNotify) query_data_free);
  g_task_run_in_thread (task, open_thread);
}

MusterHistory *
muster_history_open_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
list_runs_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  QueryData *data = task_data;
  GError *error = NULL;
  GPtrArray *runs = muster_history_list_runs (source_object, data->path_or_id, data->limit, &error);

  if (runs == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, runs, (GDestroyNotify) g_ptr_array_unref);
}

void
muster_history_list_runs_async (MusterHistory       *self,
                                const char          *profile,
                                guint                limit,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  QueryData *data;

  g_return_if_fail (MUSTER_IS_HISTORY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  data = g_new0 (QueryData, 1);
  data->path_or_id = g_strdup (profile);
  data->limit = limit;
  g_task_set_source_tag (task, muster_history_list_runs_async);
  g_task_set_task_data (task, data, (GDestroyNotify) query_data_free);
  g_task_run_in_thread (task, list_runs_thread);
}

GPtrArray *
muster_history_list_runs_finish (MusterHistory  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
get_run_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  QueryData *data = task_data;
  GError *error = NULL;
  MusterHistoryRun *run = muster_history_get_run (source_object, data->path_or_id, &error);

  if (run == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, run, (GDestroyNotify) muster_history_run_free);
}

void
muster_history_get_run_async (MusterHistory       *self,
                              const char          *run_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  QueryData *data;

  g_return_if_fail (MUSTER_IS_HISTORY (self));
  g_return_if_fail (run_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  data = g_new0 (QueryData, 1);
  data->path_or_id = g_strdup (run_id);
  g_task_set_source_tag (task, muster_history_get_run_async);
  g_task_set_task_data (task, data, (GDestroyNotify) query_data_free);
  g_task_run_in_thread (task, get_run_thread);
}

MusterHistoryRun *
muster_history_get_run_finish (MusterHistory  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Type ---------------------------------------------------------------------------------------- */

static void
muster_history_finalize (GObject *object)
{
  MusterHistory *self = (MusterHistory *) object;
  GHashTableIter iter;
  gpointer fd;

  g_hash_table_iter_init (&iter, self->run_locks);
  while (g_hash_table_iter_next (&iter, NULL, &fd))
    _muster_history_release_lock (GPOINTER_TO_INT (fd));
  g_hash_table_unref (self->run_locks);
  g_hash_table_unref (self->open_keys);
  if (self->db != NULL)
    sqlite3_close (self->db);
  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_free (self->lock_dir);

  G_OBJECT_CLASS (muster_history_parent_class)->finalize (object);
}

static void
muster_history_class_init (MusterHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_history_finalize;
}

static void
muster_history_init (MusterHistory *self)
{
  g_mutex_init (&self->lock);
  self->run_locks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->open_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
}
