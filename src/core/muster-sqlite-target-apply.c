/* muster-sqlite-target-apply.c: applying a push's operations to a SQLite target
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each batch of operations is one IMMEDIATE transaction that writes the users, roles, groups
 * and memberships together with the batch's sync_runs/sync_results rows, through statements
 * kept prepared on the connection. Opening the store, its schema and roles are
 * muster-sqlite-target.c's; reading the state is muster-sqlite-target-state.c's.
 */

#define G_LOG_DOMAIN "muster-sqlite-target"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include "muster-sqlite-target-private.h"
#include "muster-sqlite-util.h"

/* Statements ----------------------------------------------------------------------------------- */

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


/* A target id as the store spells it, or 0. */
static gint64
parse_id (const char *text)
{
  gint64 value = 0;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, &value, NULL))
    return 0;
  return value;
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
  g_autofree char *now = _muster_sqlite_target_now_text ();
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

/* MusterTarget --------------------------------------------------------------------------------- */

void
_muster_sqlite_target_apply_async (MusterTarget        *target,
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

  g_task_set_source_tag (task, _muster_sqlite_target_apply_async);
  g_task_set_task_data (task, apply, apply_data_free);
  /* Cancelled, the batch still returns its results (each G_IO_ERROR_CANCELLED), and only once
   * it has rolled back. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, apply_thread);
}

GPtrArray *
_muster_sqlite_target_apply_finish (MusterTarget  *target,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, target), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
