/* muster-snapshot-diff.c: what changed in the tenant between two snapshots
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-snapshot-diff"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "muster-export-private.h"
#include "muster-group.h"
#include "muster-snapshot-diff.h"

G_DEFINE_QUARK (muster-snapshot-diff-error-quark, muster_snapshot_diff_error)

static const struct
{
  const char *field;
  const char *title;
} fields[] = {
  { "displayName", N_("Display name") },
  { "givenName", N_("First name") },
  { "surname", N_("Last name") },
  { "userPrincipalName", N_("User principal name") },
  { "mail", N_("Mail") },
  { "jobTitle", N_("Job title") },
  { "department", N_("Department") },
  { "companyName", N_("Company") },
  { "employeeId", N_("Employee ID") },
  { "officeLocation", N_("Office") },
  { "mobilePhone", N_("Mobile phone") },
  { "businessPhones", N_("Business phones") },
  { "userType", N_("User type") },
  { "accountEnabled", N_("Account enabled") },
  { "manager", N_("Manager") },
  { "assignedLicenses", N_("Licences") },
};

const char *
muster_snapshot_diff_field_title (const char *field)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_strcmp0 (fields[i].field, field) == 0)
      return _(fields[i].title);
  return field;
}

const char *
muster_user_change_kind_to_string (MusterUserChangeKind kind)
{
  switch (kind)
    {
    case MUSTER_USER_CHANGE_JOINED: return "joined";
    case MUSTER_USER_CHANGE_LEFT:   return "left";
    default:                        return "changed";
    }
}

const char *
muster_user_change_kind_get_title (MusterUserChangeKind kind)
{
  switch (kind)
    {
    case MUSTER_USER_CHANGE_JOINED: return _("Joined");
    case MUSTER_USER_CHANGE_LEFT:   return _("Left");
    default:                        return _("Changed");
    }
}

/* A field's value as text; NULL when empty. */
static char *
field_text (MusterUser *user,
            const char *field)
{
  const char *value = NULL;
  const char * const *values = NULL;

  if (g_str_equal (field, "displayName"))
    value = muster_user_get_display_name (user);
  else if (g_str_equal (field, "givenName"))
    value = muster_user_get_given_name (user);
  else if (g_str_equal (field, "surname"))
    value = muster_user_get_surname (user);
  else if (g_str_equal (field, "userPrincipalName"))
    value = muster_user_get_user_principal_name (user);
  else if (g_str_equal (field, "mail"))
    value = muster_user_get_mail (user);
  else if (g_str_equal (field, "jobTitle"))
    value = muster_user_get_job_title (user);
  else if (g_str_equal (field, "department"))
    value = muster_user_get_department (user);
  else if (g_str_equal (field, "companyName"))
    value = muster_user_get_company_name (user);
  else if (g_str_equal (field, "employeeId"))
    value = muster_user_get_employee_id (user);
  else if (g_str_equal (field, "officeLocation"))
    value = muster_user_get_office_location (user);
  else if (g_str_equal (field, "mobilePhone"))
    value = muster_user_get_mobile_phone (user);
  else if (g_str_equal (field, "businessPhones"))
    values = muster_user_get_business_phones (user);
  else if (g_str_equal (field, "userType"))
    value = muster_user_get_user_type (user);
  else if (g_str_equal (field, "accountEnabled"))
    value = muster_user_get_account_enabled (user) ? "true" : "false";
  else if (g_str_equal (field, "manager"))
    value = muster_user_get_manager_name (user) ? muster_user_get_manager_name (user) : muster_user_get_manager_id (user);
  else if (g_str_equal (field, "assignedLicenses"))
    value = muster_user_get_licence_names (user);

  if (values != NULL && values[0] != NULL)
    return g_strjoinv ("; ", (char **) values);
  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

static void
changed_field_free (MusterChangedField *field)
{
  g_free (field->before);
  g_free (field->after);
  g_free (field);
}

static void
user_change_free (MusterUserChange *change)
{
  g_free (change->id);
  g_free (change->display_name);
  g_free (change->user_principal_name);
  g_clear_pointer (&change->fields, g_ptr_array_unref);
  g_free (change);
}

static void
membership_change_free (MusterMembershipChange *change)
{
  g_free (change->group_id);
  g_free (change->group_name);
  g_free (change->user_id);
  g_free (change->user_name);
  g_free (change);
}

static MusterUserChange *
user_change_new (MusterUserChangeKind  kind,
                 MusterUser           *user)
{
  MusterUserChange *change = g_new0 (MusterUserChange, 1);

  change->kind = kind;
  change->id = g_strdup (muster_user_get_id (user));
  change->display_name = g_strdup (muster_user_get_display_name (user));
  change->user_principal_name = g_strdup (muster_user_get_user_principal_name (user));
  change->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) changed_field_free);
  return change;
}

static int
compare_user_changes (gconstpointer a,
                      gconstpointer b)
{
  const MusterUserChange *x = *(MusterUserChange * const *) a;
  const MusterUserChange *y = *(MusterUserChange * const *) b;
  g_autofree char *kx = NULL, *ky = NULL;

  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  kx = g_utf8_collate_key (x->display_name ? x->display_name : "", -1);
  ky = g_utf8_collate_key (y->display_name ? y->display_name : "", -1);
  return g_strcmp0 (kx, ky) != 0 ? g_strcmp0 (kx, ky) : g_strcmp0 (x->id, y->id);
}

static int
compare_memberships (gconstpointer a,
                     gconstpointer b)
{
  const MusterMembershipChange *x = *(MusterMembershipChange * const *) a;
  const MusterMembershipChange *y = *(MusterMembershipChange * const *) b;
  int c = g_utf8_collate (x->group_name ? x->group_name : "", y->group_name ? y->group_name : "");

  if (c != 0)
    return c;
  c = g_strcmp0 (x->group_id, y->group_id);
  if (c != 0)
    return c;
  return g_utf8_collate (x->user_name ? x->user_name : "", y->user_name ? y->user_name : "");
}

/* The direct members of @group_id in @snapshot, id → MusterUser (borrowed). */
static GHashTable *
member_set (MusterSnapshot *snapshot,
            const char     *group_id)
{
  GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) members = NULL;

  if (muster_snapshot_lookup_group (snapshot, group_id) == NULL)
    return set;
  members = muster_snapshot_get_group_members (snapshot, group_id, FALSE);
  for (guint i = 0; members != NULL && i < members->len; i++)
    g_hash_table_insert (set, (gpointer) muster_user_get_id (members->pdata[i]), members->pdata[i]);
  return set;
}

static void
diff_group (MusterSnapshotDiff *diff,
            MusterSnapshot     *before,
            MusterSnapshot     *after,
            MusterGroup        *group)
{
  const char *id = muster_group_get_id (group);
  g_autoptr(GHashTable) old_members = member_set (before, id);
  g_autoptr(GHashTable) new_members = member_set (after, id);
  GHashTableIter iter;
  gpointer key, value;

  for (int pass = 0; pass < 2; pass++)
    {
      GHashTable *from = pass == 0 ? new_members : old_members;
      GHashTable *other = pass == 0 ? old_members : new_members;

      g_hash_table_iter_init (&iter, from);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          MusterMembershipChange *change;

          if (g_hash_table_contains (other, key))
            continue;
          change = g_new0 (MusterMembershipChange, 1);
          change->added = pass == 0;
          change->group_id = g_strdup (id);
          change->group_name = g_strdup (muster_group_get_display_name (group));
          change->user_id = g_strdup (key);
          change->user_name = g_strdup (muster_user_get_display_name (value));
          g_ptr_array_add (diff->memberships, change);
          if (change->added)
            diff->members_added++;
          else
            diff->members_removed++;
        }
    }
}

MusterSnapshotDiff *
muster_snapshot_diff_new (MusterSnapshot *before,
                          MusterSnapshot *after)
{
  MusterSnapshotDiff *diff;
  GListModel *users;
  GListModel *groups;
  g_autoptr(GHashTable) groups_seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (before), NULL);
  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (after), NULL);

  diff = g_new0 (MusterSnapshotDiff, 1);
  diff->before = muster_snapshot_info_copy (muster_snapshot_get_info (before));
  diff->after = muster_snapshot_info_copy (muster_snapshot_get_info (after));
  diff->users = g_ptr_array_new_with_free_func ((GDestroyNotify) user_change_free);
  diff->memberships = g_ptr_array_new_with_free_func ((GDestroyNotify) membership_change_free);

  /* joiners and changed users: everyone now, looked up then */
  users = muster_snapshot_get_users (after);
  for (guint i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (users, i);
      MusterUser *old = muster_snapshot_lookup_user (before, muster_user_get_id (user));
      MusterUserChange *change;

      if (old == NULL)
        {
          g_ptr_array_add (diff->users, user_change_new (MUSTER_USER_CHANGE_JOINED, user));
          diff->joined++;
          continue;
        }
      change = user_change_new (MUSTER_USER_CHANGE_CHANGED, user);
      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          g_autofree char *was = field_text (old, fields[f].field);
          g_autofree char *now = field_text (user, fields[f].field);

          if (g_strcmp0 (was, now) != 0)
            {
              MusterChangedField *field = g_new0 (MusterChangedField, 1);

              field->field = fields[f].field;
              field->before = g_steal_pointer (&was);
              field->after = g_steal_pointer (&now);
              g_ptr_array_add (change->fields, field);
            }
        }
      if (change->fields->len == 0)
        {
          user_change_free (change);
          continue;
        }
      g_ptr_array_add (diff->users, change);
      diff->changed++;
    }

  /* leavers: in the older snapshot only */
  users = muster_snapshot_get_users (before);
  for (guint i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (users, i);

      if (muster_snapshot_lookup_user (after, muster_user_get_id (user)) == NULL)
        {
          g_ptr_array_add (diff->users, user_change_new (MUSTER_USER_CHANGE_LEFT, user));
          diff->left++;
        }
    }
  g_ptr_array_sort (diff->users, compare_user_changes);

  /* direct memberships of every group in either snapshot */
  for (int pass = 0; pass < 2; pass++)
    {
      groups = muster_snapshot_get_groups (pass == 0 ? after : before);
      for (guint i = 0; i < g_list_model_get_n_items (groups); i++)
        {
          g_autoptr(MusterGroup) group = g_list_model_get_item (groups, i);

          if (g_hash_table_contains (groups_seen, muster_group_get_id (group)))
            continue;
          g_hash_table_add (groups_seen, (gpointer) muster_group_get_id (group));
          diff_group (diff, before, after, group);
        }
    }
  g_ptr_array_sort (diff->memberships, compare_memberships);
  return diff;
}

void
muster_snapshot_diff_free (MusterSnapshotDiff *diff)
{
  if (diff == NULL)
    return;
  muster_snapshot_info_free (diff->before);
  muster_snapshot_info_free (diff->after);
  g_ptr_array_unref (diff->users);
  g_ptr_array_unref (diff->memberships);
  g_free (diff);
}

/* Choosing the base --------------------------------------------------------------------- */

static gboolean
parse_since (const char  *since,
             gint64      *unix_time)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  int year, month, day;
  char extra;

  /* a day: the end of it, local time — "since 1 November" includes what was there that day */
  if (sscanf (since, "%4d-%2d-%2d%c", &year, &month, &day, &extra) == 3)
    {
      g_autoptr(GDateTime) start = g_date_time_new (local, year, month, day, 0, 0, 0);

      if (start == NULL)
        return FALSE;
      *unix_time = g_date_time_to_unix (start) + 24 * 3600 - 1;
      return TRUE;
    }
  time = g_date_time_new_from_iso8601 (since, local);
  if (time == NULL)
    return FALSE;
  *unix_time = g_date_time_to_unix (time);
  return TRUE;
}

const MusterSnapshotInfo *
muster_snapshot_diff_find_base (GPtrArray   *snapshots,
                                const char  *since,
                                GError     **error)
{
  guint64 number;
  gint64 when;

  g_return_val_if_fail (snapshots != NULL, NULL);

  if (snapshots->len == 0)
    {
      g_set_error_literal (error, MUSTER_SNAPSHOT_DIFF_ERROR, MUSTER_SNAPSHOT_DIFF_ERROR_NO_SNAPSHOT,
                           _("There is no snapshot of the directory yet."));
      return NULL;
    }
  if (since == NULL)
    {
      if (snapshots->len < 2)
        {
          g_set_error_literal (error, MUSTER_SNAPSHOT_DIFF_ERROR, MUSTER_SNAPSHOT_DIFF_ERROR_NO_SNAPSHOT,
                               _("There is only one snapshot: read the directory again later to see what changed."));
          return NULL;
        }
      return snapshots->pdata[1];
    }
  if (g_ascii_string_to_unsigned (since, 10, 1, G_MAXINT64, &number, NULL))
    {
      for (guint i = 0; i < snapshots->len; i++)
        if (((MusterSnapshotInfo *) snapshots->pdata[i])->id == (gint64) number)
          return snapshots->pdata[i];
      g_set_error (error, MUSTER_SNAPSHOT_DIFF_ERROR, MUSTER_SNAPSHOT_DIFF_ERROR_NO_SNAPSHOT,
                   _("There is no snapshot %s of this profile."), since);
      return NULL;
    }
  if (!parse_since (since, &when))
    {
      g_set_error (error, MUSTER_SNAPSHOT_DIFF_ERROR, MUSTER_SNAPSHOT_DIFF_ERROR_INVALID,
                   _("“%s” is neither a snapshot number nor a date such as 2026-11-01."), since);
      return NULL;
    }
  /* newest first: the first made at or before that time */
  for (guint i = 0; i < snapshots->len; i++)
    if (((MusterSnapshotInfo *) snapshots->pdata[i])->created_at <= when)
      return snapshots->pdata[i];
  g_set_error (error, MUSTER_SNAPSHOT_DIFF_ERROR, MUSTER_SNAPSHOT_DIFF_ERROR_NO_SNAPSHOT,
               _("No snapshot is as old as %s: the oldest is snapshot %" G_GINT64_FORMAT "."), since,
               ((MusterSnapshotInfo *) snapshots->pdata[snapshots->len - 1])->id);
  return NULL;
}

/* Writing --------------------------------------------------------------------------------- */

const char * const *
muster_snapshot_diff_row_headers (void)
{
  static const char *headers[7];

  headers[0] = _("Change");
  headers[1] = _("Name");
  headers[2] = _("User principal name");
  headers[3] = _("Field or group");
  headers[4] = _("Before");
  headers[5] = _("After");
  return headers;
}

static void
add_row (GPtrArray  *rows,
         const char *change,
         const char *name,
         const char *upn,
         const char *what,
         const char *before,
         const char *after)
{
  char **row = g_new0 (char *, 7);

  row[0] = g_strdup (change);
  row[1] = g_strdup (name ? name : "");
  row[2] = g_strdup (upn ? upn : "");
  row[3] = g_strdup (what ? what : "");
  row[4] = g_strdup (before ? before : "");
  row[5] = g_strdup (after ? after : "");
  g_ptr_array_add (rows, row);
}

GPtrArray *
muster_snapshot_diff_to_rows (MusterSnapshotDiff *diff)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_return_val_if_fail (diff != NULL, rows);

  for (guint i = 0; i < diff->users->len; i++)
    {
      MusterUserChange *change = diff->users->pdata[i];
      const char *title = muster_user_change_kind_get_title (change->kind);

      if (change->kind != MUSTER_USER_CHANGE_CHANGED)
        {
          add_row (rows, title, change->display_name, change->user_principal_name, NULL, NULL, NULL);
          continue;
        }
      for (guint f = 0; f < change->fields->len; f++)
        {
          MusterChangedField *field = change->fields->pdata[f];

          add_row (rows, title, change->display_name, change->user_principal_name,
                   muster_snapshot_diff_field_title (field->field), field->before, field->after);
        }
    }
  for (guint i = 0; i < diff->memberships->len; i++)
    {
      MusterMembershipChange *change = diff->memberships->pdata[i];

      add_row (rows, change->added ? _("Added to group") : _("Removed from group"), change->user_name, NULL,
               change->group_name, NULL, NULL);
    }
  return rows;
}

static void
add_snapshot (JsonBuilder              *builder,
              const char               *name,
              const MusterSnapshotInfo *info)
{
  g_autofree char *created = _muster_export_format_time (info->created_at);

  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, info->id);
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  json_builder_end_object (builder);
}

static void
add_member (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static JsonNode *
diff_to_json (MusterSnapshotDiff *diff)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_snapshot (builder, "before", diff->before);
  add_snapshot (builder, "after", diff->after);
  json_builder_set_member_name (builder, "totals");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "joined");
  json_builder_add_int_value (builder, diff->joined);
  json_builder_set_member_name (builder, "left");
  json_builder_add_int_value (builder, diff->left);
  json_builder_set_member_name (builder, "changed");
  json_builder_add_int_value (builder, diff->changed);
  json_builder_set_member_name (builder, "membersAdded");
  json_builder_add_int_value (builder, diff->members_added);
  json_builder_set_member_name (builder, "membersRemoved");
  json_builder_add_int_value (builder, diff->members_removed);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "users");
  json_builder_begin_array (builder);
  for (guint i = 0; i < diff->users->len; i++)
    {
      MusterUserChange *change = diff->users->pdata[i];

      json_builder_begin_object (builder);
      add_member (builder, "change", muster_user_change_kind_to_string (change->kind));
      add_member (builder, "id", change->id);
      add_member (builder, "displayName", change->display_name);
      add_member (builder, "userPrincipalName", change->user_principal_name);
      json_builder_set_member_name (builder, "fields");
      json_builder_begin_array (builder);
      for (guint f = 0; f < change->fields->len; f++)
        {
          MusterChangedField *field = change->fields->pdata[f];

          json_builder_begin_object (builder);
          add_member (builder, "field", field->field);
          add_member (builder, "before", field->before);
          add_member (builder, "after", field->after);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "memberships");
  json_builder_begin_array (builder);
  for (guint i = 0; i < diff->memberships->len; i++)
    {
      MusterMembershipChange *change = diff->memberships->pdata[i];

      json_builder_begin_object (builder);
      add_member (builder, "change", change->added ? "added" : "removed");
      add_member (builder, "groupId", change->group_id);
      add_member (builder, "group", change->group_name);
      add_member (builder, "userId", change->user_id);
      add_member (builder, "user", change->user_name);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
muster_snapshot_diff_write (MusterSnapshotDiff  *diff,
                            MusterExportFormat   format,
                            GOutputStream       *stream,
                            GCancellable        *cancellable,
                            GError             **error)
{
  MusterExportSink sink;

  g_return_val_if_fail (diff != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  _muster_export_sink_init (&sink, stream, cancellable);
  if (format == MUSTER_EXPORT_FORMAT_JSON)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = diff_to_json (diff);
      g_autofree char *text = NULL;
      gsize length = 0;

      json_generator_set_pretty (generator, TRUE);
      json_generator_set_root (generator, root);
      text = json_generator_to_data (generator, &length);
      g_string_append_len (sink.buffer, text, length);
      g_string_append_c (sink.buffer, '\n');
      return _muster_export_sink_finish (&sink, error);
    }
  if (format != MUSTER_EXPORT_FORMAT_CSV)
    {
      g_set_error_literal (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_UNSUPPORTED,
                           _("The changes can be written here as CSV or JSON."));
      return _muster_export_sink_finish (&sink, NULL) && FALSE;
    }
  {
    const char * const *headers = muster_snapshot_diff_row_headers ();
    g_autoptr(GPtrArray) rows = muster_snapshot_diff_to_rows (diff);

    for (guint c = 0; c < 6; c++)
      {
        if (c > 0)
          g_string_append_c (sink.buffer, ',');
        _muster_export_csv_append_cell (sink.buffer, headers[c]);
      }
    g_string_append (sink.buffer, "\r\n");
    for (guint r = 0; r < rows->len; r++)
      {
        char **row = rows->pdata[r];

        for (guint c = 0; c < 6; c++)
          {
            if (c > 0)
              g_string_append_c (sink.buffer, ',');
            _muster_export_csv_append_cell (sink.buffer, row[c]);
          }
        g_string_append (sink.buffer, "\r\n");
        if (!_muster_export_sink_maybe_flush (&sink))
          break;
      }
  }
  return _muster_export_sink_finish (&sink, error);
}
