/* muster-sqlite-target-state.c: reading what a SQLite target holds, for a plan
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Users are read in chunks of rows and turned into MusterTargetUser values by a few builder
 * threads while the next chunk is read; groups, memberships and roles follow. Opening the
 * store and its schema are muster-sqlite-target.c's, applying batches
 * muster-sqlite-target-apply.c's.
 */

#define G_LOG_DOMAIN "muster-sqlite-target"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-sqlite-target-private.h"
#include "muster-sqlite-util.h"

#define PROGRESS_EVERY 10000

typedef struct
{
  MusterSqliteTarget *self;
  guint               done;
  guint               total;
} Progress;

static gboolean
emit_progress_cb (gpointer data)
{
  Progress *progress = data;

  g_signal_emit_by_name (progress->self, "progress", progress->done, progress->total);
  return G_SOURCE_REMOVE;
}

static void
progress_free (gpointer data)
{
  Progress *progress = data;

  g_object_unref (progress->self);
  g_free (progress);
}

static void
report_progress (GTask *task,
                 guint  done,
                 guint  total)
{
  Progress *progress = g_new0 (Progress, 1);

  progress->self = g_object_ref (g_task_get_source_object (task));
  progress->done = done;
  progress->total = total;
  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT, emit_progress_cb,
                              progress, progress_free);
}

static gboolean
check_cancelled (GCancellable  *cancellable,
                 GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  return TRUE;
}

/* Users are read in chunks: the reading thread copies each chunk of rows into one buffer and
 * hands it to builder threads, which make the MusterTargetUsers (some thirty allocations each,
 * most of the time read_state takes); the reading thread adds them to the state in id order
 * between chunks and at the end. */

#define CHUNK_ROWS 4096
#define MAX_BUILDERS 3

enum
{
  CELL_EXTERNAL_ID,
  CELL_USER_NAME,
  CELL_USER_TYPE,
  CELL_ATTRIBUTES,  /* N_ATTRIBUTES cells from here */
  N_CELLS = CELL_ATTRIBUTES + N_ATTRIBUTES
};

typedef struct
{
  gint64   id;
  gboolean active;
  gint     cells[N_CELLS];  /* offsets into the chunk's bytes; -1 for NULL */
  guint    first_role;      /* index into the chunk's roles */
  guint    n_roles;
} UserRow;

typedef struct
{
  GString   *bytes;
  GArray    *rows;    /* of UserRow */
  GArray    *roles;   /* of gint offsets */
  GPtrArray *users;   /* built, of MusterTargetUser */
  gboolean   built;   /* under UserReader.lock */
} UserChunk;

typedef struct
{
  GThreadPool *pool;
  GPtrArray   *chunks;  /* of UserChunk, in id order */
  GMutex       lock;
  GCond        cond;
} UserReader;

static UserChunk *
user_chunk_new (void)
{
  UserChunk *chunk = g_new0 (UserChunk, 1);

  chunk->bytes = g_string_sized_new (CHUNK_ROWS * 256);
  chunk->rows = g_array_sized_new (FALSE, FALSE, sizeof (UserRow), CHUNK_ROWS);
  chunk->roles = g_array_new (FALSE, FALSE, sizeof (gint));
  return chunk;
}

static void
user_chunk_free (gpointer data)
{
  UserChunk *chunk = data;

  if (chunk->bytes != NULL)
    g_string_free (chunk->bytes, TRUE);
  g_clear_pointer (&chunk->rows, g_array_unref);
  g_clear_pointer (&chunk->roles, g_array_unref);
  g_clear_pointer (&chunk->users, g_ptr_array_unref);
  g_free (chunk);
}

static gint
user_chunk_add_text (UserChunk  *chunk,
                     const char *text)
{
  gint offset;

  if (text == NULL || text[0] == '\0')
    return -1;
  offset = (gint) chunk->bytes->len;
  g_string_append_len (chunk->bytes, text, strlen (text) + 1);
  return offset;
}

static const char *
user_chunk_text (UserChunk *chunk,
                 gint       offset)
{
  return offset >= 0 ? chunk->bytes->str + offset : NULL;
}

/* Text as the state holds it: valid UTF-8. A store edited by hand may hold anything, and
 * invalid sequences become U+FFFD (the next push then writes the plan's value back). */
static char *
dup_valid (const char *text)
{
  if (text == NULL)
    return NULL;
  if (G_LIKELY (g_utf8_validate (text, -1, NULL)))
    return g_strdup (text);
  return g_utf8_make_valid (text, -1);
}

static void
build_chunk_cb (gpointer data,
                gpointer user_data)
{
  UserChunk *chunk = data;
  UserReader *reader = user_data;
  GPtrArray *users = g_ptr_array_new_full (chunk->rows->len, (GDestroyNotify) muster_target_user_unref);

  for (guint r = 0; r < chunk->rows->len; r++)
    {
      const UserRow *row = &g_array_index (chunk->rows, UserRow, r);
      MusterTargetUser *user = muster_target_user_new ();
      const char *type = user_chunk_text (chunk, row->cells[CELL_USER_TYPE]);

      user->id = _muster_sqlite_target_id_to_string (row->id);
      user->external_id = dup_valid (user_chunk_text (chunk, row->cells[CELL_EXTERNAL_ID]));
      user->user_name = dup_valid (user_chunk_text (chunk, row->cells[CELL_USER_NAME]));
      user->active = row->active;
      if (type == NULL || !muster_user_type_from_string (type, &user->user_type))
        user->user_type = MUSTER_USER_TYPE_USER;
      for (guint i = 0; i < N_ATTRIBUTES; i++)
        if (row->cells[CELL_ATTRIBUTES + i] >= 0)
          g_hash_table_insert (user->attributes, (char *) _muster_sqlite_target_attribute_columns[i].attribute,
                               dup_valid (user_chunk_text (chunk, row->cells[CELL_ATTRIBUTES + i])));
      if (row->n_roles > 0)
        {
          /* Already sorted and unique (the primary key's order). */
          g_strfreev (user->roles);
          user->roles = g_new (char *, row->n_roles + 1);
          for (guint i = 0; i < row->n_roles; i++)
            {
              gint offset = g_array_index (chunk->roles, gint, row->first_role + i);

              user->roles[i] = dup_valid (user_chunk_text (chunk, offset));
            }
          user->roles[row->n_roles] = NULL;
        }
      g_ptr_array_add (users, user);
    }

  /* the copies are no longer needed */
  g_clear_pointer (&chunk->rows, g_array_unref);
  g_clear_pointer (&chunk->roles, g_array_unref);
  g_string_free (g_steal_pointer (&chunk->bytes), TRUE);

  g_mutex_lock (&reader->lock);
  chunk->users = users;
  chunk->built = TRUE;
  g_cond_broadcast (&reader->cond);
  g_mutex_unlock (&reader->lock);
}

static UserReader *
user_reader_new (void)
{
  UserReader *reader = g_new0 (UserReader, 1);
  int n_builders = CLAMP ((int) g_get_num_processors () - 1, 1, MAX_BUILDERS);

  g_mutex_init (&reader->lock);
  g_cond_init (&reader->cond);
  reader->chunks = g_ptr_array_new_with_free_func (user_chunk_free);
  reader->pool = g_thread_pool_new (build_chunk_cb, reader, n_builders, FALSE, NULL);
  return reader;
}

static void
user_reader_push (UserReader *reader,
                  UserChunk  *chunk)
{
  g_ptr_array_add (reader->chunks, chunk);
  g_thread_pool_push (reader->pool, chunk, NULL);
}

/* Adds the users of the chunks from *@next on to @state, in order. With @wait it waits for each
 * chunk to be built; without, it stops at the first that is not, so the reading thread adds
 * users between chunks while the builders work. */
static void
user_reader_add (UserReader        *reader,
                 MusterTargetState *state,
                 gboolean           wait,
                 guint             *next,
                 GTask             *task,
                 guint             *done,
                 guint              total)
{
  for (; *next < reader->chunks->len; (*next)++)
    {
      UserChunk *chunk = g_ptr_array_index (reader->chunks, *next);
      gboolean built;

      g_mutex_lock (&reader->lock);
      while (wait && !chunk->built)
        g_cond_wait (&reader->cond, &reader->lock);
      built = chunk->built;
      g_mutex_unlock (&reader->lock);
      if (!built)
        return;

      for (guint i = 0; i < chunk->users->len; i++)
        {
          muster_target_state_add_user (state, g_ptr_array_index (chunk->users, i));
          if (++*done % PROGRESS_EVERY == 0)
            report_progress (task, *done, total);
        }
      g_clear_pointer (&chunk->users, g_ptr_array_unref);
    }
}

static void
user_reader_free (UserReader *reader)
{
  /* every chunk pushed is built before the pool goes */
  g_thread_pool_free (reader->pool, FALSE, TRUE);
  g_ptr_array_unref (reader->chunks);
  g_mutex_clear (&reader->lock);
  g_cond_clear (&reader->cond);
  g_free (reader);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UserReader, user_reader_free)

static MusterTargetState *
read_state_locked (MusterSqliteTarget  *self,
                   GTask               *task,
                   GCancellable        *cancellable,
                   GError             **error)
{
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(GPtrArray) offered = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(UserReader) reader = user_reader_new ();
  UserChunk *chunk = NULL;
  guint next_chunk = 0;
  sqlite3_stmt *users = NULL;
  sqlite3_stmt *user_roles = NULL;
  sqlite3_stmt *groups = NULL;
  sqlite3_stmt *members = NULL;
  sqlite3_stmt *offered_stmt = NULL;
  gint64 n_users = 0, n_groups = 0;
  guint done = 0, total;
  gboolean have_role = FALSE;
  gboolean have_member = FALSE;
  gboolean ok = FALSE;
  int rc;

  /* One read transaction, so users, roles and groups are of the same moment. */
  if (!_muster_sqlite_target_exec (self->db, "BEGIN", self->path, error))
    return NULL;
  if (!_muster_sqlite_target_query_int (self->db, "SELECT count(*) FROM users", self->path, &n_users, error) ||
      !_muster_sqlite_target_query_int (self->db, "SELECT count(*) FROM groups", self->path, &n_groups, error))
    goto out;
  total = (guint) (n_users + n_groups);
  report_progress (task, 0, total);

  rc = sqlite3_prepare_v2 (self->db, "SELECT name FROM roles ORDER BY name", -1, &offered_stmt, NULL);
  if (rc != SQLITE_OK)
    goto sqlite_failed;
  while ((rc = sqlite3_step (offered_stmt)) == SQLITE_ROW)
    g_ptr_array_add (offered, dup_valid (muster_sqlite_column_text (offered_stmt, 0)));
  if (rc != SQLITE_DONE)
    goto sqlite_failed;
  g_ptr_array_add (offered, NULL);
  muster_target_state_set_roles (state, (const char * const *) offered->pdata);

  /* Users and their roles, both in id order, read side by side. */
  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT id, external_id, user_name, active, user_type, " ATTRIBUTE_COLUMNS
                           " FROM users ORDER BY id", -1, &users, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (self->db, "SELECT user_id, role FROM user_roles ORDER BY user_id, role", -1,
                             &user_roles, NULL);
  if (rc != SQLITE_OK)
    goto sqlite_failed;

  rc = sqlite3_step (user_roles);
  have_role = rc == SQLITE_ROW;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    goto sqlite_failed;

  chunk = user_chunk_new ();
  while ((rc = sqlite3_step (users)) == SQLITE_ROW)
    {
      UserRow row = { .id = sqlite3_column_int64 (users, 0), .active = sqlite3_column_int (users, 3) != 0 };

      row.cells[CELL_EXTERNAL_ID] = user_chunk_add_text (chunk, muster_sqlite_column_text (users, 1));
      row.cells[CELL_USER_NAME] = user_chunk_add_text (chunk, muster_sqlite_column_text (users, 2));
      row.cells[CELL_USER_TYPE] = user_chunk_add_text (chunk, muster_sqlite_column_text (users, 4));
      for (guint i = 0; i < N_ATTRIBUTES; i++)
        row.cells[CELL_ATTRIBUTES + i] = user_chunk_add_text (chunk, muster_sqlite_column_text (users, 5 + i));

      /* Rows of user_roles whose user is gone cannot exist (foreign keys), but skip any. */
      while (have_role && sqlite3_column_int64 (user_roles, 0) < row.id)
        {
          rc = sqlite3_step (user_roles);
          have_role = rc == SQLITE_ROW;
          if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            goto sqlite_failed;
        }
      row.first_role = chunk->roles->len;
      while (have_role && sqlite3_column_int64 (user_roles, 0) == row.id)
        {
          gint offset = user_chunk_add_text (chunk, muster_sqlite_column_text (user_roles, 1));

          if (offset >= 0)
            g_array_append_val (chunk->roles, offset);
          rc = sqlite3_step (user_roles);
          have_role = rc == SQLITE_ROW;
          if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            goto sqlite_failed;
        }
      row.n_roles = chunk->roles->len - row.first_role;
      g_array_append_val (chunk->rows, row);

      if (chunk->rows->len == CHUNK_ROWS)
        {
          user_reader_push (reader, g_steal_pointer (&chunk));
          chunk = user_chunk_new ();
          user_reader_add (reader, state, FALSE, &next_chunk, task, &done, total);
          if (!check_cancelled (cancellable, error))
            goto out;
        }
    }
  if (rc != SQLITE_DONE)
    goto sqlite_failed;
  user_reader_push (reader, g_steal_pointer (&chunk));

  user_reader_add (reader, state, TRUE, &next_chunk, task, &done, total);
  if (!check_cancelled (cancellable, error))
    goto out;

  /* Groups and their members, the same way. */
  rc = sqlite3_prepare_v2 (self->db, "SELECT id, external_id, display_name FROM groups ORDER BY id", -1,
                           &groups, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (self->db, "SELECT group_id, user_id FROM group_members ORDER BY group_id", -1,
                             &members, NULL);
  if (rc != SQLITE_OK)
    goto sqlite_failed;

  rc = sqlite3_step (members);
  have_member = rc == SQLITE_ROW;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    goto sqlite_failed;

  while ((rc = sqlite3_step (groups)) == SQLITE_ROW)
    {
      g_autoptr(MusterTargetGroup) group = muster_target_group_new ();
      gint64 id = sqlite3_column_int64 (groups, 0);

      group->id = _muster_sqlite_target_id_to_string (id);
      group->external_id = dup_valid (muster_sqlite_column_text (groups, 1));
      group->display_name = dup_valid (muster_sqlite_column_text (groups, 2));
      while (have_member && sqlite3_column_int64 (members, 0) <= id)
        {
          if (sqlite3_column_int64 (members, 0) == id)
            g_hash_table_add (group->members, _muster_sqlite_target_id_to_string (sqlite3_column_int64 (members, 1)));
          rc = sqlite3_step (members);
          have_member = rc == SQLITE_ROW;
          if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            goto sqlite_failed;
        }
      muster_target_state_add_group (state, group);
      if (++done % PROGRESS_EVERY == 0)
        {
          if (!check_cancelled (cancellable, error))
            goto out;
          report_progress (task, done, total);
        }
    }
  if (rc != SQLITE_DONE)
    goto sqlite_failed;

  report_progress (task, done, total);
  ok = TRUE;
  goto out;

sqlite_failed:
  _muster_sqlite_target_fail (error, self->db, rc, self->path);

out:
  sqlite3_finalize (offered_stmt);
  sqlite3_finalize (users);
  sqlite3_finalize (user_roles);
  sqlite3_finalize (groups);
  sqlite3_finalize (members);
  sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
  g_clear_pointer (&chunk, user_chunk_free);
  return ok ? g_steal_pointer (&state) : NULL;
}

void
_muster_sqlite_target_read_state_thread (GTask        *task,
                                         gpointer      source_object,
                                         gpointer      task_data,
                                         GCancellable *cancellable)
{
  MusterSqliteTarget *self = source_object;
  MusterTargetState *state = NULL;
  GError *error = NULL;

  g_mutex_lock (&self->lock);
  if (_muster_sqlite_target_ensure_open_locked (self, &error))
    state = read_state_locked (self, task, cancellable, &error);
  g_mutex_unlock (&self->lock);

  if (state == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, state, (GDestroyNotify) muster_target_state_unref);
}
