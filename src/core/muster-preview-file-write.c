/* muster-preview-file-write.c: writing a plan as a .muster-preview file, straight into one buffer
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format is docs/preview-format.md.
 */

#define G_LOG_DOMAIN "muster-preview-file"

#include "config.h"

#include "muster-json.h"
#include "muster-preview-file-private.h"

/* Writing -------------------------------------------------------------------------------------- */

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  return time != NULL ? g_date_time_format_iso8601 (time) : NULL;
}

static void
append_target_user (GString                *out,
                    const MusterTargetUser *user)
{
  const char * const *names = muster_target_attribute_names ();
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  muster_json_append_string_member (out, "id", user->id);
  g_string_append_c (out, ',');
  muster_json_append_string_member (out, "externalId", user->external_id);
  g_string_append_c (out, ',');
  muster_json_append_string_member (out, "userName", user->user_name);
  g_string_append_c (out, ',');
  muster_json_append_key (out, "active");
  g_string_append (out, user->active ? "true" : "false");
  g_string_append_c (out, ',');
  muster_json_append_string_member (out, "userType", muster_user_type_to_string (user->user_type));
  g_string_append_c (out, ',');
  muster_json_append_key (out, "roles");
  muster_json_append_strv (out, (const char * const *) user->roles, -1);
  g_string_append_c (out, ',');
  muster_json_append_key (out, "attributes");
  g_string_append_c (out, '{');
  /* in the fixed order of the names, so that the same user is always written the same way */
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *value = muster_target_user_get_attribute (user, names[i]);

      if (value == NULL)
        continue;
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      muster_json_append_string_member (out, names[i], value);
    }
  g_string_append_c (out, '}');
  if (user->version != NULL)
    {
      g_string_append_c (out, ',');
      muster_json_append_string_member (out, "version", user->version);
    }
  g_string_append_c (out, '}');
}

static void
append_target_group (GString                 *out,
                     const MusterTargetGroup *group)
{
  g_string_append_c (out, '{');
  muster_json_append_string_member (out, "id", group->id);
  g_string_append_c (out, ',');
  muster_json_append_string_member (out, "externalId", group->external_id);
  g_string_append_c (out, ',');
  muster_json_append_string_member (out, "displayName", group->display_name);
  if (group->version != NULL)
    {
      g_string_append_c (out, ',');
      muster_json_append_string_member (out, "version", group->version);
    }
  g_string_append_c (out, '}');
}

/* The number of @text in the table of strings, adding it there first if need be. */
static guint
intern (GHashTable *numbers,
        GPtrArray  *table,
        const char *text)
{
  gpointer number;

  if (g_hash_table_lookup_extended (numbers, text, NULL, &number))
    return GPOINTER_TO_UINT (number);
  g_hash_table_insert (numbers, (gpointer) text, GUINT_TO_POINTER (table->len));
  g_ptr_array_add (table, (gpointer) text);
  return table->len - 1;
}

static void
append_totals (GString                *out,
               const MusterPlanTotals *totals)
{
  g_string_append_printf (out,
                          "{\"create\":%u,\"update\":%u,\"disable\":%u,\"delete\":%u,\"unchanged\":%u,"
                          "\"skipped\":%u,\"groupsCreate\":%u,\"membersAdd\":%u,\"membersRemove\":%u}",
                          totals->create, totals->update, totals->disable, totals->delete, totals->unchanged,
                          totals->skipped, totals->groups_create, totals->members_add, totals->members_remove);
}

static GString *
write_json (MusterPreviewFile *self)
{
  MusterPlan *plan = self->plan;
  GPtrArray *items = muster_plan_get_items (plan);
  GPtrArray *group_operations = muster_plan_get_group_operations (plan);
  GPtrArray *warnings = muster_plan_get_warnings (plan);
  g_autoptr(GHashTable) numbers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) table = g_ptr_array_new ();
  g_autofree char *created = g_date_time_format_iso8601 (self->created);
  g_autofree char *snapshot_time = format_time (self->snapshot_time);
  g_autofree char *rules = muster_rules_to_data (muster_plan_get_rules (plan), NULL);
  GString *users = g_string_sized_new (256 * (items->len + 1));
  GString *out;

  /* The users first, into their own buffer: the table of strings they fill comes before them. */
  for (guint i = 0; i < items->len; i++)
    {
      const MusterPlanItem *item = items->pdata[i];

      if (i > 0)
        g_string_append_c (users, ',');
      g_string_append_c (users, '\n');
      g_string_append_c (users, '{');
      muster_json_append_string_member (users, "id", item->id);
      g_string_append_c (users, ',');
      muster_json_append_string_member (users, "userPrincipalName", item->user_principal_name);
      g_string_append_c (users, ',');
      muster_json_append_string_member (users, "displayName", item->display_name);
      g_string_append_c (users, ',');
      muster_json_append_string_member (users, "action", muster_plan_action_to_string (item->action));
      /* members at their defaults (no reason, user type "user", no roles, no changes) are left
       * out: they are most of a large file */
      if (item->reason != NULL)
        g_string_append_printf (users, ",\"reason\":%u", intern (numbers, table, item->reason));
      g_string_append (users, ",\"explanation\":[");
      for (guint s = 0; s < item->explanation->len; s++)
        g_string_append_printf (users, s > 0 ? ",%u" : "%u", intern (numbers, table, item->explanation->pdata[s]));
      g_string_append_c (users, ']');
      if (item->user_type != MUSTER_USER_TYPE_USER)
        {
          g_string_append_c (users, ',');
          muster_json_append_string_member (users, "userType", muster_user_type_to_string (item->user_type));
        }
      if (item->roles != NULL && item->roles[0] != NULL)
        {
          g_string_append_c (users, ',');
          muster_json_append_key (users, "roles");
          muster_json_append_strv (users, item->roles, -1);
        }
      if (item->changes->len > 0)
        {
          g_string_append (users, ",\"changes\":[");
          for (guint c = 0; c < item->changes->len; c++)
            {
              const MusterFieldChange *change = item->changes->pdata[c];

              if (c > 0)
                g_string_append_c (users, ',');
              g_string_append_c (users, '{');
              muster_json_append_string_member (users, "field", change->field);
              g_string_append_c (users, ',');
              muster_json_append_string_member (users, "before", change->before);
              g_string_append_c (users, ',');
              muster_json_append_string_member (users, "after", change->after);
              g_string_append_c (users, '}');
            }
          g_string_append_c (users, ']');
        }
      if (item->current != NULL && (item->action == MUSTER_PLAN_ACTION_UNCHANGED ||
                                    item->action == MUSTER_PLAN_ACTION_SKIPPED))
        {
          /* a user the plan leaves alone: which of the target's users it is, not what it holds */
          g_string_append_c (users, ',');
          muster_json_append_key (users, "current");
          g_string_append_c (users, '{');
          muster_json_append_string_member (users, "id", item->current->id);
          g_string_append_c (users, ',');
          muster_json_append_string_member (users, "externalId", item->current->external_id);
          g_string_append_c (users, ',');
          muster_json_append_string_member (users, "userName", item->current->user_name);
          g_string_append (users, item->current->active ? "}" : ",\"active\":false}");
        }
      else if (item->current != NULL)
        {
          g_string_append_c (users, ',');
          muster_json_append_key (users, "current");
          append_target_user (users, item->current);
        }
      /* an unchanged user's desired state is what the target holds */
      if (item->desired != NULL && item->desired != item->current)
        {
          g_string_append_c (users, ',');
          muster_json_append_key (users, "desired");
          append_target_user (users, item->desired);
        }
      g_string_append_c (users, '}');
    }

  out = g_string_sized_new (users->len + 64 * 1024);
  g_string_append_c (out, '{');
  muster_json_append_string_member (out, "format", FORMAT_NAME);
  g_string_append (out, ",\n");
  muster_json_append_int_member (out, "version", self->format_version);
  g_string_append (out, ",\n");
  muster_json_append_string_member (out, "appVersion", self->app_version);
  g_string_append (out, ",\n");
  muster_json_append_string_member (out, "created", created);
  g_string_append (out, ",\n");
  muster_json_append_string_member (out, "profile", self->profile);
  g_string_append (out, ",\n");
  muster_json_append_key (out, "tenant");
  g_string_append_c (out, '{');
  muster_json_append_string_member (out, "id", self->tenant_id);
  g_string_append_c (out, ',');
  muster_json_append_string_member (out, "name", self->tenant_name);
  g_string_append (out, "},\n");
  muster_json_append_string_member (out, "madeBy", self->made_by);
  g_string_append (out, ",\n");
  muster_json_append_key (out, "snapshot");
  g_string_append_c (out, '{');
  muster_json_append_int_member (out, "id", self->snapshot_id);
  g_string_append_c (out, ',');
  muster_json_append_string_member (out, "created", snapshot_time);
  g_string_append_c (out, ',');
  muster_json_append_int_member (out, "users", self->snapshot_users);
  g_string_append (out, "},\n");
  muster_json_append_key (out, "target");
  g_string_append_c (out, '{');
  muster_json_append_string_member (out, "uri", self->target_uri);
  g_string_append_c (out, ',');
  muster_json_append_string_member (out, "name", self->target_name);
  g_string_append_c (out, ',');
  muster_json_append_string_member (out, "description", self->target_description);
  g_string_append (out, "},\n");
  muster_json_append_string_member (out, "mode", muster_plan_mode_to_string (muster_plan_get_mode (plan)));
  g_string_append (out, ",\n");
  muster_json_append_key (out, "allowDelete");
  g_string_append (out, muster_plan_get_allow_delete (plan) ? "true" : "false");
  g_string_append (out, ",\n");
  muster_json_append_int_member (out, "targetUsers", muster_plan_get_target_user_count (plan));
  g_string_append (out, ",\n");
  muster_json_append_key (out, "totals");
  append_totals (out, muster_plan_get_totals (plan));
  g_string_append (out, ",\n");
  muster_json_append_key (out, "rules");
  g_string_append (out, rules);
  g_string_append (out, ",\n");
  muster_json_append_key (out, "warnings");
  g_string_append_c (out, '[');
  for (guint i = 0; i < warnings->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      muster_json_append_string (out, warnings->pdata[i]);
    }
  g_string_append (out, "],\n");
  muster_json_append_key (out, "strings");
  g_string_append_c (out, '[');
  for (guint i = 0; i < table->len; i++)
    {
      if (i > 0)
        g_string_append (out, ",\n");
      muster_json_append_string (out, table->pdata[i]);
    }
  g_string_append (out, "],\n");
  muster_json_append_key (out, "groups");
  g_string_append_c (out, '[');
  for (guint i = 0; i < group_operations->len; i++)
    {
      const MusterOperation *operation = group_operations->pdata[i];

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "\n{");
      muster_json_append_string_member (out, "action", muster_operation_kind_to_string (operation->kind));
      g_string_append_c (out, ',');
      muster_json_append_string_member (out, "key", operation->key);
      g_string_append_c (out, ',');
      muster_json_append_key (out, "group");
      append_target_group (out, operation->group);
      if (operation->member_external_id != NULL)
        {
          g_string_append_c (out, ',');
          muster_json_append_string_member (out, "user", operation->member_external_id);
          g_string_append_c (out, ',');
          muster_json_append_string_member (out, "memberId", operation->member_id);
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, "],\n");
  muster_json_append_key (out, "users");
  g_string_append_c (out, '[');
  g_string_append_len (out, users->str, users->len);
  g_string_append (out, "]}\n");
  g_string_free (users, TRUE);
  return out;
}

static GBytes *
compress_bytes (const char  *data,
                gsize        length,
                GError     **error)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 1);
  g_autoptr(GByteArray) out = g_byte_array_sized_new (length / 4 + 1024);
  gsize read_total = 0;

  for (;;)
    {
      gsize bytes_read = 0, bytes_written = 0;
      guint8 buffer[256 * 1024];
      GConverterResult result;

      result = g_converter_convert (G_CONVERTER (compressor), data + read_total, length - read_total, buffer,
                                    sizeof buffer, G_CONVERTER_INPUT_AT_END, &bytes_read, &bytes_written, error);
      if (result == G_CONVERTER_ERROR)
        return NULL;
      read_total += bytes_read;
      g_byte_array_append (out, buffer, bytes_written);
      if (result == G_CONVERTER_FINISHED)
        break;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Public API ----------------------------------------------------------------------------------- */

GBytes *
muster_preview_file_to_bytes (MusterPreviewFile *self,
                              gboolean           compress)
{
  g_autoptr(GError) error = NULL;
  GString *text;
  GBytes *bytes;

  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);

  text = write_json (self);
  if (!compress)
    return g_string_free_to_bytes (text);
  bytes = compress_bytes (text->str, text->len, &error);
  g_string_free (text, TRUE);
  if (bytes == NULL)
    g_error ("cannot compress a preview in memory: %s", error->message);
  return bytes;
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  MusterPreviewFile *self = source_object;
  GFile *file = g_object_get_data (G_OBJECT (task), "file");
  gboolean compress = GPOINTER_TO_INT (task_data);
  g_autoptr(GBytes) bytes = muster_preview_file_to_bytes (self, compress);
  GError *error = NULL;

  if (!g_file_replace_contents (file, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL, FALSE,
                                G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION, NULL, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
muster_preview_file_save_async (MusterPreviewFile   *self,
                                GFile               *file,
                                gboolean             compress,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MUSTER_IS_PREVIEW_FILE (self));
  g_return_if_fail (G_IS_FILE (file));

  /* made here, not in the worker: the plan makes its operations on first use */
  muster_plan_get_group_operations (self->plan);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_preview_file_save_async);
  g_task_set_task_data (task, GINT_TO_POINTER (compress), NULL);
  g_object_set_data_full (G_OBJECT (task), "file", g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, save_thread);
}

gboolean
muster_preview_file_save_finish (MusterPreviewFile  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
