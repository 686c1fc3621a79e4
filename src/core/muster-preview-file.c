/* muster-preview-file.c: a plan saved as a .muster-preview file — opened offline, compared with a
 * fresh plan and pushed later
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format is docs/preview-format.md. A preview of 100,000 users has to be written and read in
 * well under a second each, so it is written straight into one buffer (no JSON tree), read with
 * cJSON, and the reasons and explanation steps — the same few sentences for most users — are
 * kept once in a table of strings the users point into by number.
 */

#define G_LOG_DOMAIN "muster-preview-file"

#include "config.h"

#include <cjson/cJSON.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-json.h"
#include "muster-preview-file.h"
#include "muster-snapshot-private.h"

#define FORMAT_NAME "muster-preview"

struct _MusterPreviewFile
{
  GObject     parent_instance;

  MusterPlan *plan;
  guint       format_version;
  char       *app_version;
  GDateTime  *created;
  char       *profile;
  char       *tenant_id;
  char       *tenant_name;
  char       *made_by;
  char       *target_uri;
  char       *target_name;
  char       *target_description;
  gint64      snapshot_id;
  gint64      snapshot_time;
  gint64      snapshot_users;
};

G_DEFINE_FINAL_TYPE (MusterPreviewFile, muster_preview_file, G_TYPE_OBJECT)
G_DEFINE_QUARK (muster-preview-file-error-quark, muster_preview_file_error)

/* Writing -------------------------------------------------------------------------------------- */

static void
append_key (GString    *out,
            const char *name)
{
  g_string_append_c (out, '"');
  g_string_append (out, name);
  g_string_append (out, "\":");
}

static void
append_string_member (GString    *out,
                      const char *name,
                      const char *value)
{
  append_key (out, name);
  muster_json_append_string (out, value);
}

static void
append_int_member (GString    *out,
                   const char *name,
                   gint64      value)
{
  append_key (out, name);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

static void
append_strv (GString            *out,
             const char * const *strv)
{
  g_string_append_c (out, '[');
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      muster_json_append_string (out, strv[i]);
    }
  g_string_append_c (out, ']');
}

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
  append_string_member (out, "id", user->id);
  g_string_append_c (out, ',');
  append_string_member (out, "externalId", user->external_id);
  g_string_append_c (out, ',');
  append_string_member (out, "userName", user->user_name);
  g_string_append_c (out, ',');
  append_key (out, "active");
  g_string_append (out, user->active ? "true" : "false");
  g_string_append_c (out, ',');
  append_string_member (out, "userType", muster_user_type_to_string (user->user_type));
  g_string_append_c (out, ',');
  append_key (out, "roles");
  append_strv (out, (const char * const *) user->roles);
  g_string_append_c (out, ',');
  append_key (out, "attributes");
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
      append_string_member (out, names[i], value);
    }
  g_string_append_c (out, '}');
  if (user->version != NULL)
    {
      g_string_append_c (out, ',');
      append_string_member (out, "version", user->version);
    }
  g_string_append_c (out, '}');
}

static void
append_target_group (GString                 *out,
                     const MusterTargetGroup *group)
{
  g_string_append_c (out, '{');
  append_string_member (out, "id", group->id);
  g_string_append_c (out, ',');
  append_string_member (out, "externalId", group->external_id);
  g_string_append_c (out, ',');
  append_string_member (out, "displayName", group->display_name);
  if (group->version != NULL)
    {
      g_string_append_c (out, ',');
      append_string_member (out, "version", group->version);
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
      append_string_member (users, "id", item->id);
      g_string_append_c (users, ',');
      append_string_member (users, "userPrincipalName", item->user_principal_name);
      g_string_append_c (users, ',');
      append_string_member (users, "displayName", item->display_name);
      g_string_append_c (users, ',');
      append_string_member (users, "action", muster_plan_action_to_string (item->action));
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
          append_string_member (users, "userType", muster_user_type_to_string (item->user_type));
        }
      if (item->roles != NULL && item->roles[0] != NULL)
        {
          g_string_append_c (users, ',');
          append_key (users, "roles");
          append_strv (users, item->roles);
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
              append_string_member (users, "field", change->field);
              g_string_append_c (users, ',');
              append_string_member (users, "before", change->before);
              g_string_append_c (users, ',');
              append_string_member (users, "after", change->after);
              g_string_append_c (users, '}');
            }
          g_string_append_c (users, ']');
        }
      if (item->current != NULL && (item->action == MUSTER_PLAN_ACTION_UNCHANGED ||
                                    item->action == MUSTER_PLAN_ACTION_SKIPPED))
        {
          /* a user the plan leaves alone: which of the target's users it is, not what it holds */
          g_string_append_c (users, ',');
          append_key (users, "current");
          g_string_append_c (users, '{');
          append_string_member (users, "id", item->current->id);
          g_string_append_c (users, ',');
          append_string_member (users, "externalId", item->current->external_id);
          g_string_append_c (users, ',');
          append_string_member (users, "userName", item->current->user_name);
          g_string_append (users, item->current->active ? "}" : ",\"active\":false}");
        }
      else if (item->current != NULL)
        {
          g_string_append_c (users, ',');
          append_key (users, "current");
          append_target_user (users, item->current);
        }
      /* an unchanged user's desired state is what the target holds */
      if (item->desired != NULL && item->desired != item->current)
        {
          g_string_append_c (users, ',');
          append_key (users, "desired");
          append_target_user (users, item->desired);
        }
      g_string_append_c (users, '}');
    }

  out = g_string_sized_new (users->len + 64 * 1024);
  g_string_append_c (out, '{');
  append_string_member (out, "format", FORMAT_NAME);
  g_string_append (out, ",\n");
  append_int_member (out, "version", self->format_version);
  g_string_append (out, ",\n");
  append_string_member (out, "appVersion", self->app_version);
  g_string_append (out, ",\n");
  append_string_member (out, "created", created);
  g_string_append (out, ",\n");
  append_string_member (out, "profile", self->profile);
  g_string_append (out, ",\n");
  append_key (out, "tenant");
  g_string_append_c (out, '{');
  append_string_member (out, "id", self->tenant_id);
  g_string_append_c (out, ',');
  append_string_member (out, "name", self->tenant_name);
  g_string_append (out, "},\n");
  append_string_member (out, "madeBy", self->made_by);
  g_string_append (out, ",\n");
  append_key (out, "snapshot");
  g_string_append_c (out, '{');
  append_int_member (out, "id", self->snapshot_id);
  g_string_append_c (out, ',');
  append_string_member (out, "created", snapshot_time);
  g_string_append_c (out, ',');
  append_int_member (out, "users", self->snapshot_users);
  g_string_append (out, "},\n");
  append_key (out, "target");
  g_string_append_c (out, '{');
  append_string_member (out, "uri", self->target_uri);
  g_string_append_c (out, ',');
  append_string_member (out, "name", self->target_name);
  g_string_append_c (out, ',');
  append_string_member (out, "description", self->target_description);
  g_string_append (out, "},\n");
  append_string_member (out, "mode", muster_plan_mode_to_string (muster_plan_get_mode (plan)));
  g_string_append (out, ",\n");
  append_key (out, "allowDelete");
  g_string_append (out, muster_plan_get_allow_delete (plan) ? "true" : "false");
  g_string_append (out, ",\n");
  append_int_member (out, "targetUsers", muster_plan_get_target_user_count (plan));
  g_string_append (out, ",\n");
  append_key (out, "totals");
  append_totals (out, muster_plan_get_totals (plan));
  g_string_append (out, ",\n");
  append_key (out, "rules");
  g_string_append (out, rules);
  g_string_append (out, ",\n");
  append_key (out, "warnings");
  g_string_append_c (out, '[');
  for (guint i = 0; i < warnings->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      muster_json_append_string (out, warnings->pdata[i]);
    }
  g_string_append (out, "],\n");
  append_key (out, "strings");
  g_string_append_c (out, '[');
  for (guint i = 0; i < table->len; i++)
    {
      if (i > 0)
        g_string_append (out, ",\n");
      muster_json_append_string (out, table->pdata[i]);
    }
  g_string_append (out, "],\n");
  append_key (out, "groups");
  g_string_append_c (out, '[');
  for (guint i = 0; i < group_operations->len; i++)
    {
      const MusterOperation *operation = group_operations->pdata[i];

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "\n{");
      append_string_member (out, "action", muster_operation_kind_to_string (operation->kind));
      g_string_append_c (out, ',');
      append_string_member (out, "key", operation->key);
      g_string_append_c (out, ',');
      append_key (out, "group");
      append_target_group (out, operation->group);
      if (operation->member_external_id != NULL)
        {
          g_string_append_c (out, ',');
          append_string_member (out, "user", operation->member_external_id);
          g_string_append_c (out, ',');
          append_string_member (out, "memberId", operation->member_id);
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, "],\n");
  append_key (out, "users");
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

/* Reading -------------------------------------------------------------------------------------- */

static gboolean
fail (GError    **error,
      int         code,
      const char *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError    **error,
      int         code,
      const char *format,
      ...)
{
  va_list args;
  g_autofree char *what = NULL;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (code == MUSTER_PREVIEW_FILE_ERROR_INVALID)
    /* Translators: %s says what is wrong inside the file */
    g_set_error (error, MUSTER_PREVIEW_FILE_ERROR, code, _("This is not a preview file Muster can open, or it is damaged: %s."),
                 what);
  else
    g_set_error_literal (error, MUSTER_PREVIEW_FILE_ERROR, code, what);
  return FALSE;
}

static gboolean
truncated (GError **error)
{
  return fail (error, MUSTER_PREVIEW_FILE_ERROR_TRUNCATED, "%s",
               _("The preview file is incomplete: it ends too early, perhaps cut short by an interrupted copy or "
                 "download. Save or copy it again."));
}

/* Whether every bracket opened outside a string in the first @length bytes is closed, and the
 * text does not end inside a string. Brackets are not matched by kind: the parser judges that. */
static gboolean
brackets_closed (const char *data,
                 gsize       length)
{
  gsize depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        depth++;
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return depth == 0 && !in_string;
}

static GBytes *
decompress_bytes (GBytes  *bytes,
                  GError **error)
{
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GByteArray) out = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  gsize read_total = 0;

  out = g_byte_array_sized_new (MIN (length * 4, (gsize) MUSTER_PREVIEW_FILE_MAX_SIZE));
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gsize bytes_read = 0, bytes_written = 0;
      guint8 buffer[256 * 1024];
      GConverterResult result;

      result = g_converter_convert (G_CONVERTER (decompressor), data + read_total, length - read_total, buffer,
                                    sizeof buffer, G_CONVERTER_INPUT_AT_END, &bytes_read, &bytes_written,
                                    &local_error);
      if (result == G_CONVERTER_ERROR)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
            truncated (error);
          else
            fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("its compressed data is damaged (%s)"),
                  local_error->message);
          return NULL;
        }
      read_total += bytes_read;
      if (out->len + bytes_written > MUSTER_PREVIEW_FILE_MAX_SIZE)
        {
          fail (error, MUSTER_PREVIEW_FILE_ERROR_TOO_LARGE, _("The preview file is larger than %u MiB: Muster does not open it."),
                MUSTER_PREVIEW_FILE_MAX_SIZE / (1024 * 1024));
          return NULL;
        }
      g_byte_array_append (out, buffer, bytes_written);
      if (result == G_CONVERTER_FINISHED)
        break;
      if (bytes_read == 0 && bytes_written == 0)
        {
          truncated (error);
          return NULL;
        }
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static const char *
get_string (const cJSON *object,
            const char  *name)
{
  const cJSON *member = cJSON_GetObjectItemCaseSensitive (object, name);

  return cJSON_IsString (member) ? member->valuestring : NULL;
}

static gboolean
get_bool (const cJSON *object,
          const char  *name,
          gboolean     fallback)
{
  const cJSON *member = cJSON_GetObjectItemCaseSensitive (object, name);

  return cJSON_IsBool (member) ? cJSON_IsTrue (member) : fallback;
}

/* A whole number member in [0, G_MAXINT64 / 2], or -1. */
static gint64
get_count (const cJSON *object,
           const char  *name)
{
  const cJSON *member = cJSON_GetObjectItemCaseSensitive (object, name);

  if (!cJSON_IsNumber (member) || !(member->valuedouble >= 0) || member->valuedouble > 4e18 ||
      member->valuedouble != (double) (gint64) member->valuedouble)
    return -1;
  return (gint64) member->valuedouble;
}

static gint64
parse_time (const char *text)
{
  g_autoptr(GDateTime) time = text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return time != NULL ? g_date_time_to_unix (time) : 0;
}

/* NULL-terminated strings of a JSON array of strings; FALSE when it is something else. */
static gboolean
read_strv (const cJSON  *array,
           char       ***strv)
{
  GPtrArray *out;
  const cJSON *child;

  *strv = NULL;
  if (array == NULL)
    return TRUE;
  if (!cJSON_IsArray (array))
    return FALSE;
  out = g_ptr_array_new ();
  cJSON_ArrayForEach (child, array)
    {
      if (!cJSON_IsString (child))
        {
          g_ptr_array_free (out, TRUE);
          return FALSE;
        }
      g_ptr_array_add (out, g_strdup (child->valuestring));
    }
  g_ptr_array_add (out, NULL);
  *strv = (char **) g_ptr_array_free (out, FALSE);
  return TRUE;
}

/* "user 12 (id)", made only when an error needs it: most files have none. */
static const char *
who_of (char       **cache,
        guint        position,
        const char  *id)
{
  if (*cache == NULL)
    *cache = g_strdup_printf (_("user %u (%s)"), position + 1, id);
  return *cache;
}

#define WHO who_of (&who, position, id)

static MusterTargetUser *
read_target_user (const cJSON *object,
                  guint        position,
                  const char  *id,
                  GError     **error)
{
  g_autofree char *who = NULL;
  g_autoptr(MusterTargetUser) user = NULL;
  g_auto(GStrv) roles = NULL;
  const cJSON *attributes;
  const cJSON *child;
  const char *user_type;

  if (!cJSON_IsObject (object))
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("the target’s state of %s is not an object"), WHO);
      return NULL;
    }
  user = muster_target_user_new ();
  user->id = g_strdup (get_string (object, "id"));
  user->external_id = g_strdup (get_string (object, "externalId"));
  user->user_name = g_strdup (get_string (object, "userName"));
  user->active = get_bool (object, "active", TRUE);
  user->version = g_strdup (get_string (object, "version"));
  user_type = get_string (object, "userType");
  if (user_type != NULL && !muster_user_type_from_string (user_type, &user->user_type))
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("%s has an unknown user type “%s”"), WHO, user_type);
      return NULL;
    }
  if (!read_strv (cJSON_GetObjectItemCaseSensitive (object, "roles"), &roles))
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("the roles of %s are not a list of names"), WHO);
      return NULL;
    }
  muster_target_user_set_roles (user, (const char * const *) roles);
  attributes = cJSON_GetObjectItemCaseSensitive (object, "attributes");
  if (attributes != NULL && !cJSON_IsObject (attributes))
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("the attributes of %s are not an object"), WHO);
      return NULL;
    }
  cJSON_ArrayForEach (child, attributes)
    {
      /* a name this version does not know is left out, as the target would not take it */
      if (child->string == NULL || !muster_target_attribute_is_valid (child->string))
        continue;
      if (!cJSON_IsString (child))
        {
          fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("the attribute “%s” of %s is not text"), child->string, WHO);
          return NULL;
        }
      muster_target_user_set_attribute (user, child->string, child->valuestring);
    }
  return g_steal_pointer (&user);
}

static MusterTargetGroup *
read_target_group (const cJSON *object)
{
  MusterTargetGroup *group;

  if (!cJSON_IsObject (object) || get_string (object, "displayName") == NULL)
    return NULL;
  group = muster_target_group_new ();
  group->id = g_strdup (get_string (object, "id"));
  group->external_id = g_strdup (get_string (object, "externalId"));
  group->display_name = g_strdup (get_string (object, "displayName"));
  group->version = g_strdup (get_string (object, "version"));
  return group;
}

/* What a load collects before the plan is made. */
typedef struct
{
  MusterPlanItem *items;
  guint           n_items;
  GPtrArray      *explanations;  /* of GPtrArray, owned */
  GPtrArray      *operations;    /* the group operations */
  GPtrArray      *warnings;
} Loaded;

static void
loaded_clear (Loaded *loaded)
{
  for (guint i = 0; i < loaded->n_items; i++)
    {
      MusterPlanItem *item = &loaded->items[i];

      g_clear_pointer (&item->changes, g_ptr_array_unref);
      g_clear_pointer (&item->desired, muster_target_user_unref);
      g_clear_pointer (&item->current, muster_target_user_unref);
      g_strfreev ((char **) item->roles);
    }
  g_free (loaded->items);
  g_clear_pointer (&loaded->explanations, g_ptr_array_unref);
  g_clear_pointer (&loaded->operations, g_ptr_array_unref);
  g_clear_pointer (&loaded->warnings, g_ptr_array_unref);
}

static gboolean
read_user (const cJSON    *object,
           guint           position,
           const char    **strings,
           guint           n_strings,
           MusterPlanItem *item,
           GPtrArray      *explanation,
           GError        **error)
{
  g_autofree char *who = NULL;
  const char *id;
  const char *action;
  const char *user_type;
  const cJSON *member;
  const cJSON *child;

  if (!cJSON_IsObject (object))
    return fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("user %u is not an object"), position + 1);
  item->id = get_string (object, "id");
  if (item->id == NULL || *item->id == '\0')
    return fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("user %u has no id"), position + 1);
  id = item->id;
  item->user_principal_name = get_string (object, "userPrincipalName");
  item->display_name = get_string (object, "displayName");

  action = get_string (object, "action");
  for (item->action = MUSTER_PLAN_ACTION_CREATE; item->action <= MUSTER_PLAN_ACTION_SKIPPED; item->action++)
    if (g_strcmp0 (action, muster_plan_action_to_string (item->action)) == 0)
      break;
  if (item->action > MUSTER_PLAN_ACTION_SKIPPED)
    return fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("%s has an unknown action “%s”"), WHO,
                 action != NULL ? action : "");

  member = cJSON_GetObjectItemCaseSensitive (object, "reason");
  if (member != NULL && !cJSON_IsNull (member))
    {
      item->reason = NULL;
      if (cJSON_IsNumber (member) && member->valuedouble >= 0 && member->valuedouble < n_strings &&
          member->valuedouble == (double) (guint) member->valuedouble)
        item->reason = strings[(guint) member->valuedouble];
      if (item->reason == NULL)
        return fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("the reason of %s is not in the table of strings"), WHO);
    }

  member = cJSON_GetObjectItemCaseSensitive (object, "explanation");
  if (member != NULL && !cJSON_IsArray (member))
    return fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("the explanation of %s is not a list"), WHO);
  cJSON_ArrayForEach (child, member)
    {
      const char *step = NULL;

      if (cJSON_IsNumber (child) && child->valuedouble >= 0 && child->valuedouble < n_strings &&
          child->valuedouble == (double) (guint) child->valuedouble)
        step = strings[(guint) child->valuedouble];
      if (step == NULL)
        return fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("a step of the explanation of %s is not in the table of strings"), WHO);
      g_ptr_array_add (explanation, (gpointer) step);
    }
  item->explanation = explanation;

  user_type = get_string (object, "userType");
  if (user_type != NULL && !muster_user_type_from_string (user_type, &item->user_type))
    return fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("%s has an unknown user type “%s”"), WHO, user_type);
  if (!read_strv (cJSON_GetObjectItemCaseSensitive (object, "roles"), (char ***) &item->roles))
    return fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("the roles of %s are not a list of names"), WHO);

  member = cJSON_GetObjectItemCaseSensitive (object, "changes");
  if (member != NULL && !cJSON_IsArray (member))
    return fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("the changes of %s are not a list"), WHO);
  if (cJSON_GetArraySize (member) > 0)
    {
      item->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_field_change_free);
      cJSON_ArrayForEach (child, member)
        {
          const char *field = get_string (child, "field");

          if (field == NULL)
            return fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("a change of %s names no field"), WHO);
          g_ptr_array_add (item->changes,
                           muster_field_change_new (field, get_string (child, "before"), get_string (child, "after")));
        }
    }

  member = cJSON_GetObjectItemCaseSensitive (object, "current");
  if (member != NULL && !cJSON_IsNull (member) &&
      (item->current = read_target_user (member, position, id, error)) == NULL)
    return FALSE;
  member = cJSON_GetObjectItemCaseSensitive (object, "desired");
  if (member != NULL && !cJSON_IsNull (member) &&
      (item->desired = read_target_user (member, position, id, error)) == NULL)
    return FALSE;
  if (item->desired == NULL && item->action == MUSTER_PLAN_ACTION_UNCHANGED && item->current != NULL)
    item->desired = muster_target_user_ref (item->current);

  /* every action needs what its operation is made of */
  switch (item->action)
    {
    case MUSTER_PLAN_ACTION_CREATE:
      if (item->desired == NULL || item->desired->user_name == NULL)
        return fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("%s is to be created, but the file does not say how"), WHO);
      break;
    case MUSTER_PLAN_ACTION_UPDATE:
      if (item->desired == NULL || item->current == NULL || item->desired->user_name == NULL)
        return fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("%s is to be updated, but the file does not say how"), WHO);
      break;
    case MUSTER_PLAN_ACTION_DISABLE:
    case MUSTER_PLAN_ACTION_DELETE:
      if (item->current == NULL)
        return fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("%s is to be removed, but the file does not say from where"),
                     WHO);
      break;
    case MUSTER_PLAN_ACTION_UNCHANGED:
    case MUSTER_PLAN_ACTION_SKIPPED:
    default:
      break;
    }
  return TRUE;
}

#undef WHO

static MusterOperation *
read_group_operation (const cJSON *object,
                      guint        position,
                      GError     **error)
{
  g_autoptr(MusterOperation) operation = NULL;
  g_autoptr(MusterTargetGroup) group = NULL;
  const char *action = get_string (object, "action");
  const char *key = get_string (object, "key");
  MusterOperationKind kind;

  if (g_strcmp0 (action, muster_operation_kind_to_string (MUSTER_OPERATION_CREATE_GROUP)) == 0)
    kind = MUSTER_OPERATION_CREATE_GROUP;
  else if (g_strcmp0 (action, muster_operation_kind_to_string (MUSTER_OPERATION_ADD_MEMBER)) == 0)
    kind = MUSTER_OPERATION_ADD_MEMBER;
  else if (g_strcmp0 (action, muster_operation_kind_to_string (MUSTER_OPERATION_REMOVE_MEMBER)) == 0)
    kind = MUSTER_OPERATION_REMOVE_MEMBER;
  else
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("group change %u has an unknown action"), position + 1);
      return NULL;
    }
  group = read_target_group (cJSON_GetObjectItemCaseSensitive (object, "group"));
  if (key == NULL || group == NULL ||
      (kind != MUSTER_OPERATION_CREATE_GROUP && get_string (object, "user") == NULL))
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("group change %u is incomplete"), position + 1);
      return NULL;
    }
  operation = muster_operation_new (kind, key);
  operation->group = g_steal_pointer (&group);
  operation->member_external_id = g_strdup (get_string (object, "user"));
  operation->member_id = g_strdup (get_string (object, "memberId"));
  return g_steal_pointer (&operation);
}

static gboolean
totals_equal (const cJSON            *object,
              const MusterPlanTotals *totals)
{
  struct { const char *name; guint value; } counts[] = {
    { "create", totals->create }, { "update", totals->update }, { "disable", totals->disable },
    { "delete", totals->delete }, { "unchanged", totals->unchanged }, { "skipped", totals->skipped },
    { "groupsCreate", totals->groups_create }, { "membersAdd", totals->members_add },
    { "membersRemove", totals->members_remove },
  };

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    if (get_count (object, counts[i].name) != counts[i].value)
      return FALSE;
  return TRUE;
}

static MusterPreviewFile *
load_document (const cJSON  *root,
               GError      **error)
{
  g_autoptr(MusterPreviewFile) self = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterRules) rules = NULL;
  g_autoptr(GHashTable) ids = NULL;
  g_autofree const char **strings = NULL;
  g_autofree char *rules_text = NULL;
  g_autoptr(GError) rules_error = NULL;
  MusterSnapshotInfo info = { 0 };
  MusterPlanOptions options = { MUSTER_PLAN_MODE_SYNC, FALSE };
  Loaded loaded = { 0 };
  const cJSON *tenant, *snapshot_object, *target, *string_array, *users, *groups, *member, *child;
  const char *created, *mode;
  gint64 version, target_users;
  guint n_strings, position;
  gboolean ok = FALSE;

  if (!cJSON_IsObject (root) || g_strcmp0 (get_string (root, "format"), FORMAT_NAME) != 0)
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", _("it does not say it is a Muster preview"));
      return NULL;
    }
  version = get_count (root, "version");
  if (version < 1)
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", _("it has no format version"));
      return NULL;
    }
  if (version > MUSTER_PREVIEW_FILE_FORMAT_VERSION)
    {
      const char *app = get_string (root, "appVersion");

      fail (error, MUSTER_PREVIEW_FILE_ERROR_NEWER_FORMAT,
            _("This preview was saved by a newer Muster (%s, file format %" G_GINT64_FORMAT "); this Muster (%s) reads "
              "format %u and older. Update Muster to open it."),
            app != NULL ? app : _("unknown version"), version, PACKAGE_VERSION, MUSTER_PREVIEW_FILE_FORMAT_VERSION);
      return NULL;
    }

  self = g_object_new (MUSTER_TYPE_PREVIEW_FILE, NULL);
  self->format_version = version;
  self->app_version = g_strdup (get_string (root, "appVersion"));
  created = get_string (root, "created");
  self->created = created != NULL ? g_date_time_new_from_iso8601 (created, NULL) : NULL;
  if (self->created == NULL)
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", _("it does not say when it was made"));
      return NULL;
    }
  {
    GDateTime *utc = g_date_time_to_utc (self->created);

    g_date_time_unref (self->created);
    self->created = utc;
  }
  self->profile = g_strdup (get_string (root, "profile"));
  tenant = cJSON_GetObjectItemCaseSensitive (root, "tenant");
  self->tenant_id = g_strdup (get_string (tenant, "id"));
  self->tenant_name = g_strdup (get_string (tenant, "name"));
  self->made_by = g_strdup (get_string (root, "madeBy"));
  snapshot_object = cJSON_GetObjectItemCaseSensitive (root, "snapshot");
  self->snapshot_id = MAX (get_count (snapshot_object, "id"), 0);
  self->snapshot_time = parse_time (get_string (snapshot_object, "created"));
  self->snapshot_users = MAX (get_count (snapshot_object, "users"), 0);
  target = cJSON_GetObjectItemCaseSensitive (root, "target");
  self->target_uri = g_strdup (get_string (target, "uri"));
  self->target_name = g_strdup (get_string (target, "name"));
  self->target_description = g_strdup (get_string (target, "description"));
  if (self->target_uri == NULL)
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", _("it does not name its target"));
      return NULL;
    }

  mode = get_string (root, "mode");
  if (mode != NULL && !muster_plan_mode_from_string (mode, &options.mode))
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("its mode “%s” is unknown"), mode);
      return NULL;
    }
  options.allow_delete = get_bool (root, "allowDelete", FALSE);
  target_users = get_count (root, "targetUsers");

  member = cJSON_GetObjectItemCaseSensitive (root, "rules");
  if (!cJSON_IsObject (member))
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", _("it holds no rules"));
      return NULL;
    }
  rules_text = cJSON_PrintUnformatted (member);
  rules = rules_text != NULL ? muster_rules_new_from_data (rules_text, -1, &rules_error) : NULL;
  if (rules == NULL)
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("its rules cannot be read (%s)"),
            rules_error != NULL ? rules_error->message : _("out of memory"));
      return NULL;
    }

  string_array = cJSON_GetObjectItemCaseSensitive (root, "strings");
  if (string_array != NULL && !cJSON_IsArray (string_array))
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", _("its table of strings is not a list"));
      return NULL;
    }
  n_strings = cJSON_GetArraySize (string_array);
  strings = g_new0 (const char *, n_strings + 1);
  position = 0;
  cJSON_ArrayForEach (child, string_array)
    {
      if (!cJSON_IsString (child))
        {
          fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", _("its table of strings holds something that is not text"));
          return NULL;
        }
      strings[position++] = child->valuestring;
    }

  loaded.warnings = g_ptr_array_new ();
  member = cJSON_GetObjectItemCaseSensitive (root, "warnings");
  if (!cJSON_IsArray (member))
    member = NULL;
  cJSON_ArrayForEach (child, member)
    if (cJSON_IsString (child))
      g_ptr_array_add (loaded.warnings, child->valuestring);

  users = cJSON_GetObjectItemCaseSensitive (root, "users");
  if (!cJSON_IsArray (users))
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", _("it has no list of users"));
      goto out;
    }
  loaded.n_items = cJSON_GetArraySize (users);
  loaded.items = g_new0 (MusterPlanItem, MAX (loaded.n_items, 1));
  loaded.explanations = g_ptr_array_new_full (loaded.n_items, (GDestroyNotify) g_ptr_array_unref);
  ids = g_hash_table_new (g_str_hash, g_str_equal);
  info.id = self->snapshot_id;
  info.profile = self->profile;
  info.tenant_id = self->tenant_id;
  info.created_at = self->snapshot_time;
  snapshot = _muster_snapshot_new (&info);
  position = 0;
  cJSON_ArrayForEach (child, users)
    {
      MusterPlanItem *item = &loaded.items[position];
      GPtrArray *explanation = g_ptr_array_new ();

      g_ptr_array_add (loaded.explanations, explanation);
      if (!read_user (child, position, strings, n_strings, item, explanation, error))
        goto out;
      if (!g_hash_table_add (ids, (gpointer) item->id))
        {
          fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("the user %s is in it twice"), item->id);
          goto out;
        }
      /* The snapshot stays empty: every user the preview names is one of its items, found by id,
       * and a hundred thousand MusterUsers would only double the time a load takes. */
      position++;
    }
  _muster_snapshot_finish (snapshot);

  loaded.operations = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  groups = cJSON_GetObjectItemCaseSensitive (root, "groups");
  if (groups != NULL && !cJSON_IsArray (groups))
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", _("its group changes are not a list"));
      goto out;
    }
  position = 0;
  cJSON_ArrayForEach (child, groups)
    {
      MusterOperation *operation = read_group_operation (child, position++, error);

      if (operation == NULL)
        goto out;
      g_ptr_array_add (loaded.operations, operation);
    }

  self->plan = muster_plan_new_saved (snapshot, rules, &options, MAX (target_users, 0), loaded.items, loaded.n_items,
                                      loaded.operations, loaded.warnings);
  member = cJSON_GetObjectItemCaseSensitive (root, "totals");
  if (member != NULL && !totals_equal (member, muster_plan_get_totals (self->plan)))
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", _("its totals do not match its users: it was changed after it was saved"));
      goto out;
    }
  ok = TRUE;

out:
  loaded_clear (&loaded);
  return ok ? g_steal_pointer (&self) : NULL;
}

/* Helpers -------------------------------------------------------------------------------------- */

/* NULL for no item or no changes, so that a comparison can tell "no changes" apart */
static char *
describe_changes (const MusterPlanItem *item)
{
  if (item == NULL || item->changes == NULL || item->changes->len == 0)
    return NULL;
  return muster_plan_item_describe_changes (item, "; ", "∅");
}

static gboolean
target_users_equal (const MusterTargetUser *a,
                    const MusterTargetUser *b)
{
  const char * const *names = muster_target_attribute_names ();

  if (g_strcmp0 (a->external_id, b->external_id) != 0 || g_strcmp0 (a->user_name, b->user_name) != 0 ||
      a->active != b->active || a->user_type != b->user_type ||
      !g_strv_equal ((const char * const *) a->roles, (const char * const *) b->roles))
    return FALSE;
  /* an ETag that moved says the resource changed, even in what Muster does not read */
  if (a->version != NULL && b->version != NULL && g_strcmp0 (a->version, b->version) != 0)
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    if (g_strcmp0 (muster_target_user_get_attribute (a, names[i]), muster_target_user_get_attribute (b, names[i])) != 0)
      return FALSE;
  return TRUE;
}

/* Does @state still hold what the preview saw of @item in the target? */
static gboolean
item_still_holds (const MusterPlanItem *item,
                  MusterTargetState    *state)
{
  MusterTargetUser *now;

  if (item->current == NULL)
    {
      /* not there then: nobody of that externalId or userName may have come since */
      if (muster_target_state_lookup_user_by_external_id (state, item->id) != NULL)
        return FALSE;
      return item->desired == NULL || item->desired->user_name == NULL ||
             muster_target_state_lookup_user_by_user_name (state, item->desired->user_name) == NULL;
    }
  now = item->current->id != NULL ? muster_target_state_lookup_user_by_id (state, item->current->id) : NULL;
  if (now == NULL && item->current->external_id != NULL)
    now = muster_target_state_lookup_user_by_external_id (state, item->current->external_id);
  return now != NULL && target_users_equal (item->current, now);
}

/* Public API ----------------------------------------------------------------------------------- */

void
muster_preview_difference_free (MusterPreviewDifference *difference)
{
  if (difference == NULL)
    return;
  g_free (difference->id);
  g_free (difference->user_principal_name);
  g_free (difference->display_name);
  g_free (difference->saved_changes);
  g_free (difference->fresh_changes);
  g_free (difference->summary);
  g_free (difference);
}

MusterPreviewFile *
muster_preview_file_new (MusterPlan                  *plan,
                         const MusterPreviewFileInfo *info)
{
  MusterPreviewFile *self;
  const MusterSnapshotInfo *snapshot_info;

  g_return_val_if_fail (MUSTER_IS_PLAN (plan), NULL);
  g_return_val_if_fail (info != NULL && info->target_uri != NULL, NULL);

  snapshot_info = muster_snapshot_get_info (muster_plan_get_snapshot (plan));
  self = g_object_new (MUSTER_TYPE_PREVIEW_FILE, NULL);
  self->plan = g_object_ref (plan);
  self->format_version = MUSTER_PREVIEW_FILE_FORMAT_VERSION;
  self->app_version = g_strdup (PACKAGE_VERSION);
  self->created = g_date_time_new_now_utc ();
  self->profile = g_strdup (info->profile != NULL ? info->profile : snapshot_info->profile);
  self->tenant_id = g_strdup (info->tenant_id != NULL ? info->tenant_id : snapshot_info->tenant_id);
  self->tenant_name = g_strdup (info->tenant_name);
  self->made_by = g_strdup (info->made_by != NULL ? info->made_by : g_get_user_name ());
  self->target_uri = g_strdup (info->target_uri);
  self->target_name = g_strdup (info->target_name);
  self->target_description = g_strdup (info->target_description);
  self->snapshot_id = snapshot_info->id;
  self->snapshot_time = snapshot_info->created_at;
  self->snapshot_users = g_list_model_get_n_items (muster_snapshot_get_users (muster_plan_get_snapshot (plan)));
  return self;
}

MusterPlan *
muster_preview_file_get_plan (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->plan;
}

guint
muster_preview_file_get_format_version (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), 0);
  return self->format_version;
}

const char *
muster_preview_file_get_app_version (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->app_version;
}

GDateTime *
muster_preview_file_get_created (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->created;
}

const char *
muster_preview_file_get_profile (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->profile;
}

const char *
muster_preview_file_get_tenant_id (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->tenant_id;
}

const char *
muster_preview_file_get_tenant_name (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->tenant_name;
}

const char *
muster_preview_file_get_made_by (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->made_by;
}

const char *
muster_preview_file_get_target_uri (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->target_uri;
}

const char *
muster_preview_file_get_target_name (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->target_name;
}

const char *
muster_preview_file_get_target_description (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  return self->target_description != NULL ? self->target_description : self->target_uri;
}

gint64
muster_preview_file_get_snapshot_id (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), 0);
  return self->snapshot_id;
}

gint64
muster_preview_file_get_snapshot_time (MusterPreviewFile *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), 0);
  return self->snapshot_time;
}

char *
muster_preview_file_describe (MusterPreviewFile *self)
{
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *date = NULL;
  const char *tenant;

  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);

  local = g_date_time_to_local (self->created);
  /* Translators: the date and time a saved preview was made, see strftime(3) */
  date = g_date_time_format (local, _("%-d %B %Y, %H:%M"));
  g_strstrip (date);
  tenant = self->tenant_name != NULL ? self->tenant_name
           : self->tenant_id != NULL ? self->tenant_id : _("an unnamed tenant");
  if (self->made_by != NULL)
    /* Translators: "Saved preview — read only, made on 3 December 2026, 16:40 for Contoso by ann@contoso.com" */
    return g_strdup_printf (_("Saved preview — read only, made on %s for %s by %s"), date, tenant, self->made_by);
  return g_strdup_printf (_("Saved preview — read only, made on %s for %s"), date, tenant);
}

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

MusterPreviewFile *
muster_preview_file_load_from_bytes (GBytes  *bytes,
                                     GError **error)
{
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GError) local_error = NULL;
  cJSON *root;
  const char *data;
  const char *parse_end = NULL;
  gsize length, end;
  MusterPreviewFile *self;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &length);
  if (length >= 2 && (guchar) data[0] == 0x1f && (guchar) data[1] == 0x8b)
    {
      plain = decompress_bytes (bytes, error);
      if (plain == NULL)
        return NULL;
      data = g_bytes_get_data (plain, &length);
    }
  else if (length > MUSTER_PREVIEW_FILE_MAX_SIZE)
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_TOO_LARGE, _("The preview file is larger than %u MiB: Muster does not open it."),
            MUSTER_PREVIEW_FILE_MAX_SIZE / (1024 * 1024));
      return NULL;
    }

  for (end = length; end > 0 && g_ascii_isspace (data[end - 1]); end--)
    ;
  if (end == 0)
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", _("it is empty"));
      return NULL;
    }
  if (data[0] != '{')
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", _("it is not JSON text"));
      return NULL;
    }
  /* a preview closes every bracket it opens; one left open means the rest was cut off */
  if (!brackets_closed (data, end))
    {
      truncated (error);
      return NULL;
    }
  if (!g_utf8_validate_len (data, length, NULL))
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", _("it holds text that is not UTF-8"));
      return NULL;
    }
  if (!muster_json_check_depth (data, length, MUSTER_JSON_MAX_DEPTH, &local_error))
    {
      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, "%s", local_error->message);
      return NULL;
    }
  root = cJSON_ParseWithLengthOpts (data, length, &parse_end, FALSE);
  if (root == NULL)
    {
      gsize offset = parse_end != NULL && parse_end >= data ? (gsize) (parse_end - data) : 0;

      fail (error, MUSTER_PREVIEW_FILE_ERROR_INVALID, _("its JSON is broken near byte %" G_GSIZE_FORMAT), offset);
      return NULL;
    }
  self = load_document (root, error);
  cJSON_Delete (root);
  return self;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GFileInfo) info = NULL;
  GError *error = NULL;
  MusterPreviewFile *self;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, cancellable, &error);
  if (info != NULL && g_file_info_get_size (info) > MUSTER_PREVIEW_FILE_MAX_SIZE)
    {
      fail (&error, MUSTER_PREVIEW_FILE_ERROR_TOO_LARGE, _("The preview file is larger than %u MiB: Muster does not open it."),
            MUSTER_PREVIEW_FILE_MAX_SIZE / (1024 * 1024));
      g_task_return_error (task, error);
      return;
    }
  g_clear_error (&error);
  bytes = g_file_load_bytes (file, cancellable, NULL, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  self = muster_preview_file_load_from_bytes (bytes, &error);
  if (self == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, self, g_object_unref);
}

void
muster_preview_file_load_async (GFile               *file,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_preview_file_load_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

MusterPreviewFile *
muster_preview_file_load_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GPtrArray *
muster_preview_file_get_operations_for (MusterPreviewFile  *self,
                                        MusterTargetState  *state,
                                        GPtrArray         **left_out)
{
  g_autoptr(GHashTable) changed = g_hash_table_new (g_str_hash, g_str_equal);  /* Entra ids */
  GPtrArray *items, *operations, *out;

  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  g_return_val_if_fail (state != NULL, NULL);

  if (left_out != NULL)
    *left_out = g_ptr_array_new ();
  items = muster_plan_get_items (self->plan);
  for (guint i = 0; i < items->len; i++)
    {
      MusterPlanItem *item = items->pdata[i];

      if (item->action != MUSTER_PLAN_ACTION_CREATE && item->action != MUSTER_PLAN_ACTION_UPDATE &&
          item->action != MUSTER_PLAN_ACTION_DISABLE && item->action != MUSTER_PLAN_ACTION_DELETE)
        continue;
      if (item_still_holds (item, state))
        continue;
      g_hash_table_add (changed, (gpointer) item->id);
      if (left_out != NULL)
        g_ptr_array_add (*left_out, item);
    }

  operations = muster_plan_get_operations (self->plan);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  for (guint i = 0; i < operations->len; i++)
    {
      MusterOperation *operation = operations->pdata[i];
      const char *user = NULL;

      switch (operation->kind)
        {
        case MUSTER_OPERATION_CREATE_USER:
        case MUSTER_OPERATION_UPDATE_USER:
        case MUSTER_OPERATION_DISABLE_USER:
        case MUSTER_OPERATION_DELETE_USER:
          user = operation->user != NULL ? operation->user->external_id : NULL;
          break;
        case MUSTER_OPERATION_CREATE_GROUP:
          /* a group of that name or origin made since is someone else's change */
          if (muster_target_state_lookup_group_by_external_id (state, operation->group->external_id) != NULL ||
              muster_target_state_lookup_group_by_name (state, operation->group->display_name) != NULL)
            continue;
          break;
        case MUSTER_OPERATION_ADD_MEMBER:
        case MUSTER_OPERATION_REMOVE_MEMBER:
        default:
          user = operation->member_external_id;
          break;
        }
      if (user != NULL && g_hash_table_contains (changed, user))
        continue;
      g_ptr_array_add (out, muster_operation_ref (operation));
    }
  return out;
}

static MusterPreviewDifference *
difference_new (const MusterPlanItem *saved,
                const MusterPlanItem *fresh)
{
  const MusterPlanItem *any = saved != NULL ? saved : fresh;
  MusterPreviewDifference *difference = g_new0 (MusterPreviewDifference, 1);

  difference->id = g_strdup (any->id);
  difference->user_principal_name = g_strdup (fresh != NULL && fresh->user_principal_name != NULL
                                              ? fresh->user_principal_name : any->user_principal_name);
  difference->display_name = g_strdup (fresh != NULL && fresh->display_name != NULL ? fresh->display_name
                                                                                     : any->display_name);
  difference->in_saved = saved != NULL;
  difference->in_fresh = fresh != NULL;
  if (saved != NULL)
    {
      difference->saved_action = saved->action;
      difference->saved_changes = describe_changes (saved);
    }
  if (fresh != NULL)
    {
      difference->fresh_action = fresh->action;
      difference->fresh_changes = describe_changes (fresh);
    }
  if (saved == NULL)
    /* Translators: a user a fresh plan has and a saved preview had not; %s is an action */
    difference->summary = g_strdup_printf (_("New since the preview: now %s"),
                                           muster_plan_action_get_title (fresh->action));
  else if (fresh == NULL)
    difference->summary = g_strdup_printf (_("Gone since the preview (it said %s)"),
                                           muster_plan_action_get_title (saved->action));
  else if (saved->action != fresh->action)
    /* Translators: "Was Update, now Unchanged" */
    difference->summary = g_strdup_printf (_("Was %s, now %s"), muster_plan_action_get_title (saved->action),
                                           muster_plan_action_get_title (fresh->action));
  else
    difference->summary = g_strdup_printf (_("Still %s, with other changes: %s"),
                                           muster_plan_action_get_title (fresh->action),
                                           difference->fresh_changes != NULL ? difference->fresh_changes : "∅");
  return difference;
}

GPtrArray *
muster_preview_file_compare (MusterPreviewFile *self,
                             MusterPlan        *fresh)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) saved_keys = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) fresh_keys = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *saved_items, *fresh_items, *saved_groups, *fresh_groups;
  GPtrArray *out;

  g_return_val_if_fail (MUSTER_IS_PREVIEW_FILE (self), NULL);
  g_return_val_if_fail (MUSTER_IS_PLAN (fresh), NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_preview_difference_free);
  saved_items = muster_plan_get_items (self->plan);
  fresh_items = muster_plan_get_items (fresh);
  for (guint i = 0; i < saved_items->len; i++)
    {
      const MusterPlanItem *saved = saved_items->pdata[i];
      const MusterPlanItem *now = muster_plan_lookup_item (fresh, saved->id);
      g_autofree char *saved_changes = NULL;
      g_autofree char *fresh_changes = NULL;

      g_hash_table_add (seen, (gpointer) saved->id);
      if (now == NULL)
        {
          /* a skipped user who left the directory makes no difference to a push */
          if (saved->action != MUSTER_PLAN_ACTION_SKIPPED)
            g_ptr_array_add (out, difference_new (saved, NULL));
          continue;
        }
      saved_changes = describe_changes (saved);
      fresh_changes = describe_changes (now);
      if (saved->action != now->action || g_strcmp0 (saved_changes, fresh_changes) != 0)
        g_ptr_array_add (out, difference_new (saved, now));
    }
  for (guint i = 0; i < fresh_items->len; i++)
    {
      const MusterPlanItem *now = fresh_items->pdata[i];

      if (!g_hash_table_contains (seen, now->id) && now->action != MUSTER_PLAN_ACTION_SKIPPED)
        g_ptr_array_add (out, difference_new (NULL, now));
    }

  saved_groups = muster_plan_get_group_operations (self->plan);
  fresh_groups = muster_plan_get_group_operations (fresh);
  for (guint i = 0; i < fresh_groups->len; i++)
    g_hash_table_add (fresh_keys, ((MusterOperation *) fresh_groups->pdata[i])->key);
  for (guint i = 0; i < saved_groups->len; i++)
    g_hash_table_add (saved_keys, ((MusterOperation *) saved_groups->pdata[i])->key);
  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *operations = pass == 0 ? saved_groups : fresh_groups;
      GHashTable *other = pass == 0 ? fresh_keys : saved_keys;

      for (guint i = 0; i < operations->len; i++)
        {
          const MusterOperation *operation = operations->pdata[i];
          MusterPreviewDifference *difference;

          if (g_hash_table_contains (other, operation->key))
            continue;
          difference = g_new0 (MusterPreviewDifference, 1);
          difference->id = g_strdup (operation->key);
          difference->display_name = g_strdup (operation->group->display_name);
          difference->user_principal_name = g_strdup (operation->member_external_id);
          difference->is_group = TRUE;
          difference->in_saved = pass == 0;
          difference->in_fresh = pass == 1;
          difference->summary = g_strdup_printf (pass == 0 ? _("Only in the saved preview: %s") : _("Only now: %s"),
                                                 muster_operation_kind_to_string (operation->kind));
          g_ptr_array_add (out, difference);
        }
    }
  return out;
}

/* Overrides ------------------------------------------------------------------------------------ */

static void
muster_preview_file_finalize (GObject *object)
{
  MusterPreviewFile *self = MUSTER_PREVIEW_FILE (object);

  g_clear_object (&self->plan);
  g_free (self->app_version);
  g_clear_pointer (&self->created, g_date_time_unref);
  g_free (self->profile);
  g_free (self->tenant_id);
  g_free (self->tenant_name);
  g_free (self->made_by);
  g_free (self->target_uri);
  g_free (self->target_name);
  g_free (self->target_description);

  G_OBJECT_CLASS (muster_preview_file_parent_class)->finalize (object);
}

static void
muster_preview_file_class_init (MusterPreviewFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_preview_file_finalize;
}

static void
muster_preview_file_init (MusterPreviewFile *self)
{
}
