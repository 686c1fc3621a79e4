/* muster-history.c: history.db — every push, who ran it, and what became of each operation
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
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

#include "muster-history.h"
#include "muster-profile-store.h"
#include "muster-sqlite-util.h"

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

#define RUN_COLUMNS \
  "id, profile, target_uri, target_description, who, started_at, finished_at, state, " \
  "n_create, n_update, n_disable, n_delete, n_groups_create, n_members_add, n_members_remove, " \
  "total, done, failed, resumes, message, scheduled"

#define RESULT_COLUMNS \
  "key, kind, action, user_id, user_principal_name, display_name, group_name, status, error, " \
  "target_id, retried_by, updated_at"

struct _MusterHistory
{
  GObject     parent_instance;

  char       *path;
  char       *lock_dir;
  GMutex      lock;   /* guards db, run_locks and open_keys */
  sqlite3    *db;
  GHashTable *run_locks;  /* run id → GINT_TO_POINTER (fd) of its held lock file */
  GHashTable *open_keys;  /* run id → set of the keys earlier runs into its target left failed
                           * (or, in the run it resumes, pending): the only ones a success of
                           * this run has to mark as retried */
};

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

static MusterResultStatus
result_status_from_string (const char *name)
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

static gboolean
set_sqlite_error (GError    **error,
                  sqlite3    *db,
                  int         rc,
                  const char *path)
{
  MusterSqliteFile file = { db, path, report_sqlite_error };

  return muster_sqlite_fail (&file, rc, error);
}

static gboolean
exec (MusterHistory  *self,
      const char     *sql,
      GError        **error)
{
  MusterSqliteFile file = history_file (self);

  return muster_sqlite_exec (&file, sql, error);
}

static sqlite3_stmt *
prepare (MusterHistory  *self,
         const char     *sql,
         GError        **error)
{
  MusterSqliteFile file = history_file (self);

  return muster_sqlite_prepare (&file, sql, 0, error);
}

static gboolean
step_done (MusterHistory  *self,
           sqlite3_stmt   *stmt,
           GError        **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return set_sqlite_error (error, self->db, rc, self->path);
  return TRUE;
}

static void
rollback (MusterHistory *self)
{
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}


/* For values that outlive the statement's next step: no copy. */
static void
bind_static (sqlite3_stmt *stmt,
             int           column,
             const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, column);
}

static char *
column_dup (sqlite3_stmt *stmt,
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
      if (!exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      /* Another process may have created it meanwhile. */
      if (!read_header (self, &header, error))
        goto fail;
      if (header.version == 0 && header.n_objects == 0)
        {
          stamp = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d;",
                                   SCHEMA_VERSION, APPLICATION_ID);
          if (!exec (self, schema_sql, error) || !exec (self, stamp, error))
            goto fail;
        }
      else if (!check_header (self, header.version, header.application_id, error))
        {
          goto fail;
        }
      if (!exec (self, "COMMIT", error))
        goto fail;
    }
  else if (!check_header (self, header.version, header.application_id, error))
    {
      return FALSE;
    }

  /* Only now that the file is known to be ours. */
  if (!exec (self, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
             error))
    return FALSE;

  /* A column added within format 1: older versions name the columns they read and write. */
  if (!query_int (self, "SELECT count(*) FROM pragma_table_info ('runs') WHERE name = 'scheduled'", &n_columns, error))
    return FALSE;
  if (n_columns == 0 &&
      !exec (self, "ALTER TABLE runs ADD COLUMN scheduled INTEGER NOT NULL DEFAULT 0", error))
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
  rollback (self);
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

static gboolean
lock_is_held (MusterHistory *self,
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

static int
take_lock (MusterHistory  *self,
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

static void
release_lock (int fd)
{
  struct flock unlock = { .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

  if (ftruncate (fd, 0) != 0)
    g_debug ("Could not clear a push lock file: %s", g_strerror (errno));
  fcntl (fd, F_OFD_SETLK, &unlock);
  close (fd);
}

/* Recording ----------------------------------------------------------------------------------- */

static const char *
operation_action (MusterOperationKind kind)
{
  switch (kind)
    {
    case MUSTER_OPERATION_CREATE_USER:  return "create";
    case MUSTER_OPERATION_UPDATE_USER:  return "update";
    case MUSTER_OPERATION_DISABLE_USER: return "disable";
    case MUSTER_OPERATION_DELETE_USER:  return "delete";
    case MUSTER_OPERATION_CREATE_GROUP:
    case MUSTER_OPERATION_ADD_MEMBER:
    case MUSTER_OPERATION_REMOVE_MEMBER:
    default:
      return muster_operation_kind_to_string (kind);
    }
}

static void
count_operations (GPtrArray           *operations,
                  MusterHistoryCounts *counts)
{
  memset (counts, 0, sizeof *counts);

  for (guint i = 0; operations != NULL && i < operations->len; i++)
    {
      MusterOperation *operation = g_ptr_array_index (operations, i);

      switch (operation->kind)
        {
        case MUSTER_OPERATION_CREATE_USER:   counts->create++; break;
        case MUSTER_OPERATION_UPDATE_USER:   counts->update++; break;
        case MUSTER_OPERATION_DISABLE_USER:  counts->disable++; break;
        case MUSTER_OPERATION_DELETE_USER:   counts->delete++; break;
        case MUSTER_OPERATION_CREATE_GROUP:  counts->groups_create++; break;
        case MUSTER_OPERATION_ADD_MEMBER:    counts->members_add++; break;
        case MUSTER_OPERATION_REMOVE_MEMBER: counts->members_remove++; break;
        default: g_assert_not_reached ();
        }
    }
}

/* Marks runs of the pair still `running` as interrupted: the caller holds the pair's lock, so
 * whoever ran them is gone. */
static gboolean
interrupt_dead_runs (MusterHistory  *self,
                     const char     *profile,
                     const char     *target_uri,
                     gint64          now,
                     GError        **error)
{
  sqlite3_stmt *mark;
  gboolean ok;

  mark = prepare (self, "UPDATE runs SET state = 'interrupted', finished_at = ?3, message = ?4"
                        " WHERE profile = ?1 AND target_uri = ?2 AND state = 'running'", error);
  if (mark == NULL)
    return FALSE;
  muster_sqlite_bind_text (mark, 1, profile);
  muster_sqlite_bind_text (mark, 2, target_uri);
  sqlite3_bind_int64 (mark, 3, now);
  muster_sqlite_bind_text (mark, 4, _("The push ended before it finished: Muster was closed or stopped. The next push picks up where it left off."));
  ok = step_done (self, mark, error);
  sqlite3_finalize (mark);

  if (ok && sqlite3_changes (self->db) > 0)
    g_debug ("%d run(s) of %s into %s were interrupted", sqlite3_changes (self->db), profile, target_uri);
  return ok;
}

/* The run a new push into the pair picks up: the last one that applied anything (a refused
 * run applied nothing), if it was interrupted. */
static gboolean
find_resumable_run (MusterHistory  *self,
                    const char     *profile,
                    const char     *target_uri,
                    char          **resumes,
                    GError        **error)
{
  sqlite3_stmt *find;
  int rc;

  *resumes = NULL;
  find = prepare (self, "SELECT id, state FROM runs WHERE profile = ?1 AND target_uri = ?2 AND state != 'refused'"
                        " ORDER BY started_at DESC, seq DESC LIMIT 1", error);
  if (find == NULL)
    return FALSE;
  muster_sqlite_bind_text (find, 1, profile);
  muster_sqlite_bind_text (find, 2, target_uri);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW && g_strcmp0 ((const char *) sqlite3_column_text (find, 1), "interrupted") == 0)
    *resumes = column_dup (find, 0);
  sqlite3_finalize (find);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, self->path);
  return TRUE;
}

/* Runs still `running` whose push holds no lock any more belonged to a process that died: say
 * so, so that the history never shows a dead push as running. Race-free because a push takes
 * its lock before its run is written and changes the run's state before it lets go: a run seen
 * running whose lock is free is dead, or has just finished (then its state is not `running`
 * and the update below leaves it alone). */
static void
reap_dead_runs (MusterHistory *self)
{
  g_autoptr(GPtrArray) running = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  stmt = prepare (self, "SELECT id, profile, target_uri FROM runs WHERE state = 'running'", NULL);
  if (stmt == NULL)
    return;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_ptr_array_add (running, column_dup (stmt, 0));
      g_ptr_array_add (running, column_dup (stmt, 1));
      g_ptr_array_add (running, column_dup (stmt, 2));
    }
  sqlite3_finalize (stmt);
  if (running->len == 0)
    return;

  stmt = prepare (self, "UPDATE runs SET state = 'interrupted', finished_at = ?2, message = ?3"
                        " WHERE id = ?1 AND state = 'running'", NULL);
  if (stmt == NULL)
    return;
  for (guint i = 0; i + 2 < running->len; i += 3)
    {
      const char *id = g_ptr_array_index (running, i);
      g_autoptr(GError) error = NULL;

      if (lock_is_held (self, g_ptr_array_index (running, i + 1), g_ptr_array_index (running, i + 2)))
        continue;
      muster_sqlite_bind_text (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
      muster_sqlite_bind_text (stmt, 3, _("The push ended before it finished: Muster was closed or stopped. The next push picks up where it left off."));
      if (!step_done (self, stmt, &error))
        g_debug ("Could not mark run %s interrupted: %s", id, error->message);
      else
        g_debug ("Run %s was interrupted", id);
    }
  sqlite3_finalize (stmt);
}

/* The keys a success of @run marks as retried: failed in an earlier run into the same target
 * and not redone since (through results_failed, which holds only those), or left pending by
 * the interrupted run it resumes. */
static GHashTable *
load_open_keys (MusterHistory     *self,
                MusterHistoryRun  *run,
                GError           **error)
{
  g_autoptr(GHashTable) open = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (self, "SELECT key FROM results INDEXED BY results_failed"
                        " WHERE status = 'failed' AND retried_by IS NULL"
                        " AND run IN (SELECT seq FROM runs WHERE profile = ?1 AND target_uri = ?2 AND id != ?3)"
                        " UNION ALL"
                        " SELECT key FROM results WHERE run = (SELECT seq FROM runs WHERE id = ?4) AND status = 'pending'",
                  error);
  if (stmt == NULL)
    return NULL;
  muster_sqlite_bind_text (stmt, 1, run->profile);
  muster_sqlite_bind_text (stmt, 2, run->target_uri);
  muster_sqlite_bind_text (stmt, 3, run->id);
  muster_sqlite_bind_text (stmt, 4, run->resumes);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (open, column_dup (stmt, 0));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, self->path);
      return NULL;
    }
  return g_steal_pointer (&open);
}

MusterHistoryRun *
muster_history_begin_run (MusterHistory  *self,
                          const char     *profile,
                          const char     *target_uri,
                          const char     *target_description,
                          const char     *who,
                          GPtrArray      *operations,
                          GError        **error)
{
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GHashTable) open = NULL;
  sqlite3_stmt *insert = NULL;
  int fd;

  g_return_val_if_fail (MUSTER_IS_HISTORY (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);
  g_return_val_if_fail (target_uri != NULL, NULL);

  run = g_new0 (MusterHistoryRun, 1);
  run->id = g_uuid_string_random ();
  run->profile = g_strdup (profile);
  run->target_uri = g_strdup (target_uri);
  run->target_description = g_strdup (target_description);
  run->who = g_strdup (who != NULL ? who : g_get_user_name ());
  run->started_at = g_get_real_time () / G_USEC_PER_SEC;
  run->state = MUSTER_RUN_STATE_RUNNING;
  count_operations (operations, &run->counts);
  run->total = operations != NULL ? operations->len : 0;

  locker = g_mutex_locker_new (&self->lock);

  fd = take_lock (self, profile, target_uri, target_description, error);
  if (fd < 0)
    return NULL;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    goto fail;
  if (!interrupt_dead_runs (self, profile, target_uri, run->started_at, error) ||
      !find_resumable_run (self, profile, target_uri, &run->resumes, error))
    goto fail_rollback;
  if (run->resumes != NULL)
    g_debug ("Run %s resumes interrupted run %s", run->id, run->resumes);

  insert = prepare (self, "INSERT INTO runs (id, profile, target_uri, target_description, who, started_at,"
                          " state, n_create, n_update, n_disable, n_delete, n_groups_create, n_members_add,"
                          " n_members_remove, total, resumes, pid)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                    error);
  if (insert == NULL)
    goto fail_rollback;
  muster_sqlite_bind_text (insert, 1, run->id);
  muster_sqlite_bind_text (insert, 2, run->profile);
  muster_sqlite_bind_text (insert, 3, run->target_uri);
  muster_sqlite_bind_text (insert, 4, run->target_description);
  muster_sqlite_bind_text (insert, 5, run->who);
  sqlite3_bind_int64 (insert, 6, run->started_at);
  sqlite3_bind_int (insert, 7, run->counts.create);
  sqlite3_bind_int (insert, 8, run->counts.update);
  sqlite3_bind_int (insert, 9, run->counts.disable);
  sqlite3_bind_int (insert, 10, run->counts.delete);
  sqlite3_bind_int (insert, 11, run->counts.groups_create);
  sqlite3_bind_int (insert, 12, run->counts.members_add);
  sqlite3_bind_int (insert, 13, run->counts.members_remove);
  sqlite3_bind_int (insert, 14, run->total);
  muster_sqlite_bind_text (insert, 15, run->resumes);
  sqlite3_bind_int64 (insert, 16, getpid ());
  if (!step_done (self, insert, error))
    goto fail_rollback;
  g_clear_pointer (&insert, sqlite3_finalize);

  open = load_open_keys (self, run, error);
  if (open == NULL)
    goto fail_rollback;

  if (!exec (self, "COMMIT", error))
    goto fail_rollback;

  g_hash_table_insert (self->open_keys, g_strdup (run->id), g_steal_pointer (&open));
  g_hash_table_insert (self->run_locks, g_strdup (run->id), GINT_TO_POINTER (fd));
  return g_steal_pointer (&run);

fail_rollback:
  g_clear_pointer (&insert, sqlite3_finalize);
  rollback (self);
fail:
  release_lock (fd);
  return NULL;
}

/* What the journal needs to know of a run. */
typedef struct
{
  gint64  seq;
  char   *profile;
  char   *target_uri;
} RunKeys;

#define RUN_KEYS_INIT { 0, NULL, NULL }

static void
run_keys_clear (RunKeys *keys)
{
  g_clear_pointer (&keys->profile, g_free);
  g_clear_pointer (&keys->target_uri, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunKeys, run_keys_clear)

/* Looks @run_id up, and (when @resumed is not NULL) the run it resumes. */
static gboolean
find_run (MusterHistory  *self,
          const char     *run_id,
          RunKeys        *run,
          RunKeys        *resumed,
          GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (self, "SELECT r.seq, r.profile, r.target_uri, p.seq FROM runs r"
                        " LEFT JOIN runs p ON p.id = r.resumes WHERE r.id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  muster_sqlite_bind_text (stmt, 1, run_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      run->seq = sqlite3_column_int64 (stmt, 0);
      run->profile = column_dup (stmt, 1);
      run->target_uri = column_dup (stmt, 2);
      if (resumed != NULL)
        resumed->seq = sqlite3_column_int64 (stmt, 3);
    }
  sqlite3_finalize (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_NOT_FOUND,
                   _("The push history has no run “%s”."), run_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, self->db, rc, self->path);
  return TRUE;
}

/* Part of a journal transaction: @operations written `pending`. */
static gboolean
write_pending (MusterHistory  *self,
               RunKeys        *run,
               GPtrArray      *operations,
               gint64          now,
               GError        **error)
{
  sqlite3_stmt *insert;
  gboolean ok = TRUE;

  insert = prepare (self, "INSERT OR REPLACE INTO results (run, key, kind, action, user_id, user_principal_name,"
                          " display_name, group_name, status, updated_at)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9)", error);
  if (insert == NULL)
    return FALSE;

  for (guint i = 0; ok && i < operations->len; i++)
    {
      MusterOperation *operation = g_ptr_array_index (operations, i);
      MusterTargetUser *user = operation->user;
      const char *user_id = user != NULL ? user->external_id : operation->member_external_id;

      sqlite3_bind_int64 (insert, 1, run->seq);
      bind_static (insert, 2, operation->key);
      bind_static (insert, 3, muster_operation_kind_to_string (operation->kind));
      bind_static (insert, 4, operation_action (operation->kind));
      bind_static (insert, 5, user_id);
      bind_static (insert, 6, user != NULL ? user->user_name : NULL);
      bind_static (insert, 7, user != NULL ? muster_target_user_get_attribute (user, MUSTER_ATTR_DISPLAY_NAME) : NULL);
      bind_static (insert, 8, operation->group != NULL ? operation->group->display_name : NULL);
      sqlite3_bind_int64 (insert, 9, now);
      ok = step_done (self, insert, error);
    }
  sqlite3_finalize (insert);
  return ok;
}

/* Part of a journal transaction: @results written `done`/`failed`, counted, and the retries
 * they are marked. */
static gboolean
write_results (MusterHistory  *self,
               const char     *run_id,
               RunKeys        *run,
               RunKeys        *resumed,
               GPtrArray      *results,
               gint64          now,
               GError        **error)
{
  sqlite3_stmt *update = NULL, *retried = NULL, *resumed_stmt = NULL, *counts = NULL;
  GHashTable *open;
  guint done = 0, failed = 0;
  gboolean ok = FALSE;

  /* NULL when another MusterHistory began the run: then every success is checked. */
  open = g_hash_table_lookup (self->open_keys, run_id);

  update = prepare (self, "UPDATE results SET status = ?3, error = ?4, target_id = ?5, updated_at = ?6"
                          " WHERE run = ?1 AND key = ?2", error);
  /* Through results_failed: only rows that failed and were not redone yet are looked at. */
  retried = prepare (self, "UPDATE results INDEXED BY results_failed SET retried_by = ?1"
                           " WHERE key = ?2 AND status = 'failed' AND retried_by IS NULL AND run != ?3"
                           " AND run IN (SELECT seq FROM runs WHERE profile = ?4 AND target_uri = ?5)", error);
  resumed_stmt = prepare (self, "UPDATE results SET retried_by = ?1 WHERE run = ?2 AND key = ?3 AND status = 'pending'",
                          error);
  counts = prepare (self, "UPDATE runs SET done = done + ?2, failed = failed + ?3 WHERE seq = ?1", error);
  if (update == NULL || retried == NULL || resumed_stmt == NULL || counts == NULL)
    goto out;

  for (guint i = 0; i < results->len; i++)
    {
      MusterOperationResult *result = g_ptr_array_index (results, i);

      sqlite3_bind_int64 (update, 1, run->seq);
      bind_static (update, 2, result->operation->key);
      bind_static (update, 3, result->ok ? "done" : "failed");
      bind_static (update, 4, result->ok || result->error == NULL ? NULL : result->error->message);
      bind_static (update, 5, result->target_id);
      sqlite3_bind_int64 (update, 6, now);
      if (!step_done (self, update, error))
        goto out;

      if (result->ok)
        done++;
      else
        failed++;

      if (result->ok && (open == NULL || g_hash_table_remove (open, result->operation->key)))
        {
          bind_static (retried, 1, run_id);
          bind_static (retried, 2, result->operation->key);
          sqlite3_bind_int64 (retried, 3, run->seq);
          bind_static (retried, 4, run->profile);
          bind_static (retried, 5, run->target_uri);
          if (!step_done (self, retried, error))
            goto out;
          /* What the interrupted run had sent but not seen finish. */
          if (resumed->seq != 0)
            {
              bind_static (resumed_stmt, 1, run_id);
              sqlite3_bind_int64 (resumed_stmt, 2, resumed->seq);
              bind_static (resumed_stmt, 3, result->operation->key);
              if (!step_done (self, resumed_stmt, error))
                goto out;
            }
        }
    }

  sqlite3_bind_int64 (counts, 1, run->seq);
  sqlite3_bind_int (counts, 2, done);
  sqlite3_bind_int (counts, 3, failed);
  ok = step_done (self, counts, error);

out:
  g_clear_pointer (&update, sqlite3_finalize);
  g_clear_pointer (&retried, sqlite3_finalize);
  g_clear_pointer (&resumed_stmt, sqlite3_finalize);
  g_clear_pointer (&counts, sqlite3_finalize);
  return ok;
}

/* Part of a journal transaction: the `pending` rows of @operations, which were never sent,
 * removed again. */
static gboolean
forget_unsent (MusterHistory  *self,
               RunKeys        *run,
               GPtrArray      *operations,
               GError        **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;

  stmt = prepare (self, "DELETE FROM results WHERE run = ?1 AND key = ?2 AND status = 'pending'", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; ok && i < operations->len; i++)
    {
      sqlite3_bind_int64 (stmt, 1, run->seq);
      bind_static (stmt, 2, ((MusterOperation *) g_ptr_array_index (operations, i))->key);
      ok = step_done (self, stmt, error);
    }
  sqlite3_finalize (stmt);
  return ok;
}

gboolean
muster_history_journal (MusterHistory  *self,
                        const char     *run_id,
                        GPtrArray      *results,
                        GPtrArray      *pending,
                        GPtrArray      *unsent,
                        GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(RunKeys) run = RUN_KEYS_INIT;
  g_auto(RunKeys) resumed = RUN_KEYS_INIT;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (MUSTER_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (run_id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!find_run (self, run_id, &run, &resumed, error) ||
      (results != NULL && !write_results (self, run_id, &run, &resumed, results, now, error)) ||
      (pending != NULL && !write_pending (self, &run, pending, now, error)) ||
      (unsent != NULL && !forget_unsent (self, &run, unsent, error)) ||
      !exec (self, "COMMIT", error))
    {
      rollback (self);
      return FALSE;
    }
  return TRUE;
}

gboolean
muster_history_journal_pending (MusterHistory  *self,
                                const char     *run_id,
                                GPtrArray      *operations,
                                GError        **error)
{
  g_return_val_if_fail (operations != NULL, FALSE);
  return muster_history_journal (self, run_id, NULL, operations, NULL, error);
}

gboolean
muster_history_journal_results (MusterHistory  *self,
                                const char     *run_id,
                                GPtrArray      *results,
                                GError        **error)
{
  g_return_val_if_fail (results != NULL, FALSE);
  return muster_history_journal (self, run_id, results, NULL, NULL, error);
}

gboolean
muster_history_finish_run (MusterHistory  *self,
                           const char     *run_id,
                           MusterRunState  state,
                           const char     *message,
                           GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *update;
  gpointer key = NULL, fd = NULL;
  gboolean ok;

  g_return_val_if_fail (MUSTER_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (run_id != NULL, FALSE);
  g_return_val_if_fail (state != MUSTER_RUN_STATE_RUNNING, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  update = prepare (self, "UPDATE runs SET state = ?2, finished_at = ?3, message = ?4 WHERE id = ?1", error);
  ok = update != NULL;
  if (ok)
    {
      muster_sqlite_bind_text (update, 1, run_id);
      muster_sqlite_bind_text (update, 2, muster_run_state_to_string (state));
      sqlite3_bind_int64 (update, 3, g_get_real_time () / G_USEC_PER_SEC);
      muster_sqlite_bind_text (update, 4, message);
      ok = step_done (self, update, error);
      sqlite3_finalize (update);
    }

  /* Released whatever happened: the run is over either way. */
  g_hash_table_remove (self->open_keys, run_id);
  if (g_hash_table_steal_extended (self->run_locks, run_id, &key, &fd))
    {
      release_lock (GPOINTER_TO_INT (fd));
      g_free (key);
    }

  return ok;
}

gboolean
muster_history_mark_scheduled (MusterHistory  *self,
                               const char     *run_id,
                               GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *update;
  gboolean ok;

  g_return_val_if_fail (MUSTER_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (run_id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  update = prepare (self, "UPDATE runs SET scheduled = 1 WHERE id = ?1", error);
  if (update == NULL)
    return FALSE;
  muster_sqlite_bind_text (update, 1, run_id);
  ok = step_done (self, update, error);
  sqlite3_finalize (update);
  return ok;
}

/* Reading ------------------------------------------------------------------------------------- */

static MusterHistoryRun *
run_from_row (sqlite3_stmt *stmt)
{
  MusterHistoryRun *run = g_new0 (MusterHistoryRun, 1);

  run->id = column_dup (stmt, 0);
  run->profile = column_dup (stmt, 1);
  run->target_uri = column_dup (stmt, 2);
  run->target_description = column_dup (stmt, 3);
  run->who = column_dup (stmt, 4);
  run->started_at = sqlite3_column_int64 (stmt, 5);
  run->finished_at = sqlite3_column_int64 (stmt, 6);
  if (!muster_run_state_from_string ((const char *) sqlite3_column_text (stmt, 7), &run->state))
    run->state = MUSTER_RUN_STATE_FAILED;
  run->counts.create = sqlite3_column_int (stmt, 8);
  run->counts.update = sqlite3_column_int (stmt, 9);
  run->counts.disable = sqlite3_column_int (stmt, 10);
  run->counts.delete = sqlite3_column_int (stmt, 11);
  run->counts.groups_create = sqlite3_column_int (stmt, 12);
  run->counts.members_add = sqlite3_column_int (stmt, 13);
  run->counts.members_remove = sqlite3_column_int (stmt, 14);
  run->total = sqlite3_column_int (stmt, 15);
  run->done = sqlite3_column_int (stmt, 16);
  run->failed = sqlite3_column_int (stmt, 17);
  run->resumes = column_dup (stmt, 18);
  run->message = column_dup (stmt, 19);
  run->scheduled = sqlite3_column_int (stmt, 20) != 0;

  return run;
}

GPtrArray *
muster_history_list_runs (MusterHistory  *self,
                          const char     *profile,
                          guint           limit,
                          GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_history_run_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MUSTER_IS_HISTORY (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  reap_dead_runs (self);

  stmt = prepare (self, "SELECT " RUN_COLUMNS " FROM runs WHERE ?1 IS NULL OR profile = ?1"
                        " ORDER BY started_at DESC, seq DESC LIMIT ?2", error);
  if (stmt == NULL)
    return NULL;
  muster_sqlite_bind_text (stmt, 1, profile);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (runs, run_from_row (stmt));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, self->path);
      return NULL;
    }
  return g_steal_pointer (&runs);
}

static gboolean
load_results (MusterHistory     *self,
              MusterHistoryRun  *run,
              GError           **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (self, "SELECT " RESULT_COLUMNS " FROM results WHERE run = (SELECT seq FROM runs WHERE id = ?1)"
                        " ORDER BY rowid", error);
  if (stmt == NULL)
    return FALSE;
  muster_sqlite_bind_text (stmt, 1, run->id);

  run->results = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_history_result_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      MusterHistoryResult *result = g_new0 (MusterHistoryResult, 1);

      result->key = column_dup (stmt, 0);
      result->kind = column_dup (stmt, 1);
      result->action = column_dup (stmt, 2);
      result->user_id = column_dup (stmt, 3);
      result->user_principal_name = column_dup (stmt, 4);
      result->display_name = column_dup (stmt, 5);
      result->group_name = column_dup (stmt, 6);
      result->status = result_status_from_string ((const char *) sqlite3_column_text (stmt, 7));
      result->error = column_dup (stmt, 8);
      result->target_id = column_dup (stmt, 9);
      result->retried_by = column_dup (stmt, 10);
      result->updated_at = sqlite3_column_int64 (stmt, 11);
      g_ptr_array_add (run->results, result);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, self->path);
  return TRUE;
}

MusterHistoryRun *
muster_history_get_run (MusterHistory  *self,
                        const char     *run_id,
                        GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autofree char *pattern = NULL;
  sqlite3_stmt *stmt;
  guint found = 0;
  int rc;

  g_return_val_if_fail (MUSTER_IS_HISTORY (self), NULL);
  g_return_val_if_fail (run_id != NULL, NULL);

  if (strlen (run_id) < 4 || strpbrk (run_id, "%_") != NULL)
    {
      g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_NOT_FOUND,
                   _("“%s” is not a run id: give the id muster-cli history lists, or at least its first 4 characters."),
                   run_id);
      return NULL;
    }

  locker = g_mutex_locker_new (&self->lock);
  reap_dead_runs (self);

  /* An exact id, or else a unique prefix of one. */
  pattern = g_strconcat (run_id, "%", NULL);
  stmt = prepare (self, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1 OR id LIKE ?2"
                        " ORDER BY id = ?1 DESC LIMIT 2", error);
  if (stmt == NULL)
    return NULL;
  muster_sqlite_bind_text (stmt, 1, run_id);
  muster_sqlite_bind_text (stmt, 2, pattern);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (found++ == 0)
        run = run_from_row (stmt);
      else if (g_str_equal (run->id, run_id))
        break;
      else
        g_clear_pointer (&run, muster_history_run_free);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      set_sqlite_error (error, self->db, rc, self->path);
      return NULL;
    }
  if (run == NULL)
    {
      if (found > 1)
        g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_NOT_FOUND,
                     _("More than one run starts with “%s”: give more of its id."), run_id);
      else
        g_set_error (error, MUSTER_HISTORY_ERROR, MUSTER_HISTORY_ERROR_NOT_FOUND,
                     _("The push history has no run “%s”."), run_id);
      return NULL;
    }

  if (!load_results (self, run, error))
    return NULL;
  return g_steal_pointer (&run);
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
    release_lock (GPOINTER_TO_INT (fd));
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
