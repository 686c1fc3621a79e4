/* muster-preview-file-read.c: reading a .muster-preview file with cJSON, checking it as it goes
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format is docs/preview-format.md.
 */

#define G_LOG_DOMAIN "muster-preview-file"

#include "config.h"

#include <cjson/cJSON.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-json.h"
#include "muster-preview-file-private.h"
#include "muster-snapshot-private.h"

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

/* Public API ----------------------------------------------------------------------------------- */

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
