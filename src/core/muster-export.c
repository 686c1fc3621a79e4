/* muster-export.c: export job settings, columns, the safe file write and the async API
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-export"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>
#include <unistd.h>

#include "muster-enums.h"
#include "muster-export-private.h"

struct _MusterExport
{
  GObject             parent_instance;

  MusterExportFormat  format;
  MusterEmailMethod   email_method;
  GArray             *columns;        /* of MusterExportColumn */
  gboolean            csv_bom;
  gboolean            csv_filter_row;
  char               *filter_description;
  char               *tenant;
  gint64              snapshot_id;
  gint64              snapshot_time;
};

G_DEFINE_FINAL_TYPE (MusterExport, muster_export, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FORMAT,
  PROP_EMAIL_METHOD,
  PROP_CSV_BOM,
  PROP_CSV_FILTER_ROW,
  PROP_FILTER_DESCRIPTION,
  PROP_TENANT,
  PROP_SNAPSHOT_ID,
  PROP_SNAPSHOT_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_QUARK (muster-export-error-quark, muster_export_error)

/* The sink flushes once this much text is waiting: large enough for few write() calls, small
 * enough that 100,000 rows never sit in memory at once. */
#define SINK_FLUSH_SIZE (128 * 1024)

typedef struct
{
  const char *key;
  const char *title;
} ColumnInfo;

static const ColumnInfo user_columns[MUSTER_EXPORT_N_COLUMNS] = {
  [MUSTER_EXPORT_COLUMN_DISPLAY_NAME] = { "displayName", N_("Display name") },
  [MUSTER_EXPORT_COLUMN_EMAIL] = { "email", N_("Email") },
  [MUSTER_EXPORT_COLUMN_USER_PRINCIPAL_NAME] = { "userPrincipalName", N_("User principal name") },
  [MUSTER_EXPORT_COLUMN_JOB_TITLE] = { "jobTitle", N_("Job title") },
  [MUSTER_EXPORT_COLUMN_DEPARTMENT] = { "department", N_("Department") },
  [MUSTER_EXPORT_COLUMN_COMPANY] = { "companyName", N_("Company") },
  [MUSTER_EXPORT_COLUMN_EMPLOYEE_ID] = { "employeeId", N_("Employee ID") },
  [MUSTER_EXPORT_COLUMN_OFFICE] = { "officeLocation", N_("Office") },
  [MUSTER_EXPORT_COLUMN_MOBILE_PHONE] = { "mobilePhone", N_("Mobile phone") },
  [MUSTER_EXPORT_COLUMN_BUSINESS_PHONES] = { "businessPhones", N_("Business phones") },
  [MUSTER_EXPORT_COLUMN_MANAGER] = { "manager", N_("Manager") },
  [MUSTER_EXPORT_COLUMN_LICENCES] = { "licences", N_("Licences") },
  [MUSTER_EXPORT_COLUMN_ACCOUNT_STATE] = { "accountState", N_("Account state") },
  [MUSTER_EXPORT_COLUMN_USER_TYPE] = { "userType", N_("User type") },
  [MUSTER_EXPORT_COLUMN_CREATED] = { "createdDateTime", N_("Created") },
  [MUSTER_EXPORT_COLUMN_ID] = { "id", N_("Object ID") },
  [MUSTER_EXPORT_COLUMN_GIVEN_NAME] = { "givenName", N_("Given name") },
  [MUSTER_EXPORT_COLUMN_SURNAME] = { "surname", N_("Surname") },
  [MUSTER_EXPORT_COLUMN_MAIL] = { "mail", N_("Mail") },
  [MUSTER_EXPORT_COLUMN_OTHER_MAILS] = { "otherMails", N_("Other mails") },
  [MUSTER_EXPORT_COLUMN_PROXY_ADDRESSES] = { "proxyAddresses", N_("Proxy addresses") },
  [MUSTER_EXPORT_COLUMN_MANAGER_ID] = { "managerId", N_("Manager ID") },
  [MUSTER_EXPORT_COLUMN_ACCOUNT_ENABLED] = { "accountEnabled", N_("Account enabled") },
  [MUSTER_EXPORT_COLUMN_ON_PREMISES_SYNC] = { "onPremisesSyncEnabled", N_("Synced from on-premises") },
};

static const ColumnInfo group_columns[MUSTER_EXPORT_N_GROUP_COLUMNS] = {
  [MUSTER_EXPORT_GROUP_COLUMN_DISPLAY_NAME] = { "displayName", N_("Display name") },
  [MUSTER_EXPORT_GROUP_COLUMN_KIND] = { "kind", N_("Kind") },
  [MUSTER_EXPORT_GROUP_COLUMN_MAIL] = { "mail", N_("Mail") },
  [MUSTER_EXPORT_GROUP_COLUMN_DESCRIPTION] = { "description", N_("Description") },
  [MUSTER_EXPORT_GROUP_COLUMN_DYNAMIC] = { "dynamic", N_("Dynamic membership") },
  [MUSTER_EXPORT_GROUP_COLUMN_MEMBERS] = { "memberCount", N_("Members") },
  [MUSTER_EXPORT_GROUP_COLUMN_NESTED_MEMBERS] = { "transitiveMemberCount", N_("Members with nesting") },
  [MUSTER_EXPORT_GROUP_COLUMN_ID] = { "id", N_("Object ID") },
};

static const char * const format_names[] = { "csv", "json", "xlsx" };

/* Helpers ------------------------------------------------------------------------------------ */

static void
append_joined (GString            *out,
               const char * const *values)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      if (out->len > 0)
        g_string_append (out, "; ");
      g_string_append (out, values[i]);
    }
}

static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static const char *
state_title (MusterAccountState state)
{
  switch (state)
    {
    case MUSTER_ACCOUNT_STATE_ENABLED:
      return _("Enabled");
    case MUSTER_ACCOUNT_STATE_DISABLED:
      return _("Disabled");
    case MUSTER_ACCOUNT_STATE_GUEST:
      return _("Guest");
    default:
      g_assert_not_reached ();
    }
}

/* Sink ---------------------------------------------------------------------------------------- */

void
_muster_export_sink_init (MusterExportSink *sink,
                          GOutputStream    *stream,
                          GCancellable     *cancellable)
{
  sink->stream = stream;
  sink->cancellable = cancellable;
  sink->buffer = g_string_sized_new (SINK_FLUSH_SIZE + 4096);
  sink->error = NULL;
}

gboolean
_muster_export_sink_flush (MusterExportSink *sink)
{
  if (sink->error != NULL)
    return FALSE;
  if (sink->buffer->len > 0 &&
      !g_output_stream_write_all (sink->stream, sink->buffer->str, sink->buffer->len, NULL,
                                  sink->cancellable, &sink->error))
    return FALSE;
  g_string_truncate (sink->buffer, 0);
  return TRUE;
}

gboolean
_muster_export_sink_maybe_flush (MusterExportSink *sink)
{
  if (sink->error != NULL)
    return FALSE;
  if (sink->buffer->len >= SINK_FLUSH_SIZE)
    return _muster_export_sink_flush (sink);
  return TRUE;
}

gboolean
_muster_export_sink_finish (MusterExportSink  *sink,
                            GError           **error)
{
  gboolean ok = _muster_export_sink_flush (sink);

  g_string_free (g_steal_pointer (&sink->buffer), TRUE);
  if (!ok)
    {
      g_autoptr(GError) cause = g_steal_pointer (&sink->error);
      _muster_export_set_write_error (error, cause, NULL);
    }
  return ok;
}

void
_muster_export_set_write_error (GError       **error,
                                const GError  *cause,
                                const char    *where)
{
  g_debug ("Export failed: %s", cause->message);

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The export was cancelled."));
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    g_set_error_literal (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_NO_SPACE,
                         _("The disk is full, so the export was not saved. Free some space and try again."));
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ||
           g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_READ_ONLY))
    g_set_error (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_PERMISSION,
                 _("The export cannot be saved in “%s”: %s. Choose another folder."),
                 where != NULL ? where : "", cause->message);
  else
    g_set_error (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_WRITE,
                 _("The export could not be written: %s. Nothing was saved."), cause->message);
}

/* Cells --------------------------------------------------------------------------------------- */

gboolean
_muster_export_column_is_multi (MusterExportColumn column)
{
  return column == MUSTER_EXPORT_COLUMN_BUSINESS_PHONES ||
         column == MUSTER_EXPORT_COLUMN_LICENCES ||
         column == MUSTER_EXPORT_COLUMN_OTHER_MAILS ||
         column == MUSTER_EXPORT_COLUMN_PROXY_ADDRESSES;
}

const char * const *
_muster_export_user_values (MusterUser           *user,
                            MusterExportColumn    column,
                            char               ***owned)
{
  const char *names;

  *owned = NULL;
  switch (column)
    {
    case MUSTER_EXPORT_COLUMN_BUSINESS_PHONES:
      return muster_user_get_business_phones (user);
    case MUSTER_EXPORT_COLUMN_OTHER_MAILS:
      return muster_user_get_other_mails (user);
    case MUSTER_EXPORT_COLUMN_PROXY_ADDRESSES:
      return muster_user_get_proxy_addresses (user);
    case MUSTER_EXPORT_COLUMN_LICENCES:
      /* The snapshot resolves SKU ids to friendly names joined with "; " (muster-user.h). */
      names = muster_user_get_licence_names (user);
      if (names == NULL || names[0] == '\0')
        *owned = g_new0 (char *, 1);
      else
        *owned = g_strsplit (names, "; ", -1);
      return (const char * const *) *owned;
    default:
      return NULL;
    }
}

const char *
_muster_export_user_text (MusterExport       *self,
                          MusterUser         *user,
                          MusterExportColumn  column,
                          GString            *scratch)
{
  switch (column)
    {
    case MUSTER_EXPORT_COLUMN_DISPLAY_NAME:
      return muster_user_get_display_name (user);
    case MUSTER_EXPORT_COLUMN_EMAIL:
      return muster_user_get_email (user, self->email_method);
    case MUSTER_EXPORT_COLUMN_USER_PRINCIPAL_NAME:
      return muster_user_get_user_principal_name (user);
    case MUSTER_EXPORT_COLUMN_JOB_TITLE:
      return muster_user_get_job_title (user);
    case MUSTER_EXPORT_COLUMN_DEPARTMENT:
      return muster_user_get_department (user);
    case MUSTER_EXPORT_COLUMN_COMPANY:
      return muster_user_get_company_name (user);
    case MUSTER_EXPORT_COLUMN_EMPLOYEE_ID:
      return muster_user_get_employee_id (user);
    case MUSTER_EXPORT_COLUMN_OFFICE:
      return muster_user_get_office_location (user);
    case MUSTER_EXPORT_COLUMN_MOBILE_PHONE:
      return muster_user_get_mobile_phone (user);
    case MUSTER_EXPORT_COLUMN_BUSINESS_PHONES:
      g_string_truncate (scratch, 0);
      append_joined (scratch, muster_user_get_business_phones (user));
      return scratch->str;
    case MUSTER_EXPORT_COLUMN_MANAGER:
      return muster_user_get_manager_name (user);
    case MUSTER_EXPORT_COLUMN_LICENCES:
      return muster_user_get_licence_names (user);
    case MUSTER_EXPORT_COLUMN_ACCOUNT_STATE:
      return state_title (muster_user_get_state (user));
    case MUSTER_EXPORT_COLUMN_USER_TYPE:
      return muster_user_get_user_type (user);
    case MUSTER_EXPORT_COLUMN_CREATED:
      return muster_user_get_created (user);
    case MUSTER_EXPORT_COLUMN_ID:
      return muster_user_get_id (user);
    case MUSTER_EXPORT_COLUMN_GIVEN_NAME:
      return muster_user_get_given_name (user);
    case MUSTER_EXPORT_COLUMN_SURNAME:
      return muster_user_get_surname (user);
    case MUSTER_EXPORT_COLUMN_MAIL:
      return muster_user_get_mail (user);
    case MUSTER_EXPORT_COLUMN_OTHER_MAILS:
      g_string_truncate (scratch, 0);
      append_joined (scratch, muster_user_get_other_mails (user));
      return scratch->str;
    case MUSTER_EXPORT_COLUMN_PROXY_ADDRESSES:
      g_string_truncate (scratch, 0);
      append_joined (scratch, muster_user_get_proxy_addresses (user));
      return scratch->str;
    case MUSTER_EXPORT_COLUMN_MANAGER_ID:
      return muster_user_get_manager_id (user);
    case MUSTER_EXPORT_COLUMN_ACCOUNT_ENABLED:
      return muster_user_get_account_enabled (user) ? "true" : "false";
    case MUSTER_EXPORT_COLUMN_ON_PREMISES_SYNC:
      return muster_user_get_on_premises_sync_enabled (user) ? "true" : "false";
    case MUSTER_EXPORT_N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

const char *
_muster_export_group_column_title (MusterExportGroupColumn column)
{
  g_assert (column < MUSTER_EXPORT_N_GROUP_COLUMNS);
  return _(group_columns[column].title);
}

const char *
_muster_export_group_text (MusterGroup             *group,
                           MusterExportGroupColumn  column,
                           GString                 *scratch)
{
  switch (column)
    {
    case MUSTER_EXPORT_GROUP_COLUMN_DISPLAY_NAME:
      return muster_group_get_display_name (group);
    case MUSTER_EXPORT_GROUP_COLUMN_KIND:
      return muster_group_kind_get_title (muster_group_get_kind (group));
    case MUSTER_EXPORT_GROUP_COLUMN_MAIL:
      return muster_group_get_mail (group);
    case MUSTER_EXPORT_GROUP_COLUMN_DESCRIPTION:
      return muster_group_get_description (group);
    case MUSTER_EXPORT_GROUP_COLUMN_DYNAMIC:
      return muster_group_get_dynamic (group) ? "true" : "false";
    case MUSTER_EXPORT_GROUP_COLUMN_MEMBERS:
      g_string_printf (scratch, "%u", muster_group_get_member_count (group));
      return scratch->str;
    case MUSTER_EXPORT_GROUP_COLUMN_NESTED_MEMBERS:
      g_string_printf (scratch, "%u", muster_group_get_transitive_member_count (group));
      return scratch->str;
    case MUSTER_EXPORT_GROUP_COLUMN_ID:
      return muster_group_get_id (group);
    case MUSTER_EXPORT_N_GROUP_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

char *
_muster_export_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = NULL;

  if (unix_time <= 0)
    return NULL;
  time = g_date_time_new_from_unix_utc (unix_time);
  if (time == NULL)
    return NULL;
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

/* Settings as the writers read them ---------------------------------------------------------- */

const MusterExportColumn *
_muster_export_columns (MusterExport *self,
                        guint        *n_columns)
{
  *n_columns = self->columns->len;
  return (const MusterExportColumn *) (gpointer) self->columns->data;
}

gboolean
_muster_export_get_csv_bom (MusterExport *self)
{
  return self->csv_bom;
}

gboolean
_muster_export_get_csv_filter_row (MusterExport *self)
{
  return self->csv_filter_row;
}

const char *
_muster_export_get_filter_description (MusterExport *self)
{
  return self->filter_description;
}

const char *
_muster_export_get_tenant (MusterExport *self)
{
  return self->tenant;
}

gint64
_muster_export_get_snapshot_id (MusterExport *self)
{
  return self->snapshot_id;
}

gint64
_muster_export_get_snapshot_time (MusterExport *self)
{
  return self->snapshot_time;
}

/* Writing ------------------------------------------------------------------------------------- */

static GPtrArray *
collect_items (GListModel *model)
{
  guint n = g_list_model_get_n_items (model);
  GPtrArray *items = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (model, i));
  return items;
}

static MusterExport *
copy_settings (MusterExport *self)
{
  MusterExport *copy = muster_export_new (self->format);

  g_array_set_size (copy->columns, 0);
  g_array_append_vals (copy->columns, self->columns->data, self->columns->len);
  copy->email_method = self->email_method;
  copy->csv_bom = self->csv_bom;
  copy->csv_filter_row = self->csv_filter_row;
  copy->filter_description = g_strdup (self->filter_description);
  copy->tenant = g_strdup (self->tenant);
  copy->snapshot_id = self->snapshot_id;
  copy->snapshot_time = self->snapshot_time;
  return copy;
}

static gboolean
write_stream (MusterExport   *self,
              GPtrArray      *items,
              gboolean        groups,
              GOutputStream  *stream,
              GCancellable   *cancellable,
              GError        **error)
{
  switch (self->format)
    {
    case MUSTER_EXPORT_FORMAT_CSV:
      return groups ? _muster_export_csv_groups (self, items, stream, cancellable, error)
                    : _muster_export_csv_users (self, items, stream, cancellable, error);
    case MUSTER_EXPORT_FORMAT_JSON:
      return groups ? _muster_export_json_groups (self, items, stream, cancellable, error)
                    : _muster_export_json_users (self, items, stream, cancellable, error);
    case MUSTER_EXPORT_FORMAT_XLSX:
    default:
      g_set_error_literal (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_UNSUPPORTED,
                           _("An XLSX workbook can only be written to a file."));
      return FALSE;
    }
}

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *where)
{
  g_autoptr(GError) cause = g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                                 g_strerror (saved_errno));

  _muster_export_set_write_error (error, cause, where);
}

/* The destination only ever holds a complete export: the text goes to a temporary file in the
 * same folder (so rename() stays on one file system and is atomic), is flushed to disk, and then
 * replaces the destination. Any failure removes the temporary file instead. */
static gboolean
write_file (MusterExport   *self,
            GPtrArray      *items,
            gboolean        groups,
            GFile          *file,
            GCancellable   *cancellable,
            GError        **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp_name = NULL;
  g_autofree char *tmp_path = NULL;
  gboolean ok;
  mode_t mode;
  int fd;

  if (path == NULL)
    {
      g_set_error_literal (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_UNSUPPORTED,
                           _("Exports can only be saved to a local folder. Choose a folder on this computer."));
      return FALSE;
    }
  if (self->format == MUSTER_EXPORT_FORMAT_XLSX && !muster_export_format_is_available (self->format))
    {
      g_set_error_literal (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_UNSUPPORTED,
                           _("This build of Muster cannot write XLSX workbooks. Export as CSV instead."));
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp_name = g_strdup_printf (".%s.XXXXXX", base);
  tmp_path = g_build_filename (dir, tmp_name, NULL);
  /* An export is personal data: readable by the user alone, unless it replaces a file whose
   * mode someone chose (a shared folder's 0640, say), which it keeps. */
  {
    GStatBuf existing;

    mode = g_stat (path, &existing) == 0 && S_ISREG (existing.st_mode) ? existing.st_mode & 07777 : 0600;
  }
  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_errno_error (error, errno, dir);
      return FALSE;
    }
  /* fchmod() is not subject to the umask */
  if (fchmod (fd, mode) != 0)
    {
      set_errno_error (error, errno, dir);
      close (fd);
      g_unlink (tmp_path);
      return FALSE;
    }

  if (self->format == MUSTER_EXPORT_FORMAT_XLSX)
    {
      close (fd);
#if HAVE_XLSXWRITER
      ok = groups ? _muster_export_xlsx_groups (self, items, tmp_path, cancellable, error)
                  : _muster_export_xlsx_users (self, items, tmp_path, cancellable, error);
      /* the library writes the file anew: give it the mode again */
      if (ok && g_chmod (tmp_path, mode) != 0)
        {
          set_errno_error (error, errno, dir);
          ok = FALSE;
        }
#else
      g_assert_not_reached ();
#endif
    }
  else
    {
      g_autoptr(GOutputStream) stream = g_unix_output_stream_new (fd, TRUE);

      ok = write_stream (self, items, groups, stream, cancellable, error);
      if (ok && fsync (fd) != 0 && errno != EINVAL)
        {
          set_errno_error (error, errno, dir);
          ok = FALSE;
        }
      if (ok)
        {
          g_autoptr(GError) close_error = NULL;

          if (!g_output_stream_close (stream, NULL, &close_error))
            {
              _muster_export_set_write_error (error, close_error, dir);
              ok = FALSE;
            }
        }
    }

  if (ok && g_rename (tmp_path, path) != 0)
    {
      set_errno_error (error, errno, dir);
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp_path);
  return ok;
}

typedef struct
{
  MusterExport *settings;
  GPtrArray    *items;
  GFile        *file;
} WriteData;

static void
write_data_free (WriteData *data)
{
  g_clear_object (&data->settings);
  g_clear_pointer (&data->items, g_ptr_array_unref);
  g_clear_object (&data->file);
  g_free (data);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteData *data = task_data;
  GError *error = NULL;

  if (write_file (data->settings, data->items, FALSE, data->file, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
write_async (MusterExport        *self,
             GListModel          *model,
             GFile               *file,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WriteData *data = g_new0 (WriteData, 1);

  /* The thread works on copies: the items as they are now (a filter model may change, and is
   * not thread-safe), and the settings as they are now. */
  data->settings = copy_settings (self);
  data->items = collect_items (model);
  data->file = g_object_ref (file);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_export_write_finish);
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);
  g_task_run_in_thread (task, write_thread);
}

/* GObject ------------------------------------------------------------------------------------- */

static void
muster_export_finalize (GObject *object)
{
  MusterExport *self = MUSTER_EXPORT (object);

  g_clear_pointer (&self->columns, g_array_unref);
  g_clear_pointer (&self->filter_description, g_free);
  g_clear_pointer (&self->tenant, g_free);

  G_OBJECT_CLASS (muster_export_parent_class)->finalize (object);
}

static void
muster_export_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  MusterExport *self = MUSTER_EXPORT (object);

  switch (prop_id)
    {
    case PROP_FORMAT:
      g_value_set_enum (value, self->format);
      break;
    case PROP_EMAIL_METHOD:
      g_value_set_enum (value, self->email_method);
      break;
    case PROP_CSV_BOM:
      g_value_set_boolean (value, self->csv_bom);
      break;
    case PROP_CSV_FILTER_ROW:
      g_value_set_boolean (value, self->csv_filter_row);
      break;
    case PROP_FILTER_DESCRIPTION:
      g_value_set_string (value, self->filter_description);
      break;
    case PROP_TENANT:
      g_value_set_string (value, self->tenant);
      break;
    case PROP_SNAPSHOT_ID:
      g_value_set_int64 (value, self->snapshot_id);
      break;
    case PROP_SNAPSHOT_TIME:
      g_value_set_int64 (value, self->snapshot_time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_export_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  MusterExport *self = MUSTER_EXPORT (object);

  switch (prop_id)
    {
    case PROP_FORMAT:
      self->format = g_value_get_enum (value);
      break;
    case PROP_EMAIL_METHOD:
      muster_export_set_email_method (self, g_value_get_enum (value));
      break;
    case PROP_CSV_BOM:
      muster_export_set_csv_bom (self, g_value_get_boolean (value));
      break;
    case PROP_CSV_FILTER_ROW:
      muster_export_set_csv_filter_row (self, g_value_get_boolean (value));
      break;
    case PROP_FILTER_DESCRIPTION:
      muster_export_set_filter_description (self, g_value_get_string (value));
      break;
    case PROP_TENANT:
      muster_export_set_tenant (self, g_value_get_string (value));
      break;
    case PROP_SNAPSHOT_ID:
      muster_export_set_snapshot_info (self, g_value_get_int64 (value), self->snapshot_time);
      break;
    case PROP_SNAPSHOT_TIME:
      muster_export_set_snapshot_info (self, self->snapshot_id, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_export_class_init (MusterExportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_export_finalize;
  object_class->get_property = muster_export_get_property;
  object_class->set_property = muster_export_set_property;

  properties[PROP_FORMAT] =
    g_param_spec_enum ("format", NULL, NULL, MUSTER_TYPE_EXPORT_FORMAT, MUSTER_EXPORT_FORMAT_CSV,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EMAIL_METHOD] =
    g_param_spec_enum ("email-method", NULL, NULL, MUSTER_TYPE_EMAIL_METHOD, MUSTER_EMAIL_METHOD_MAIL_OR_UPN,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CSV_BOM] =
    g_param_spec_boolean ("csv-bom", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CSV_FILTER_ROW] =
    g_param_spec_boolean ("csv-filter-row", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILTER_DESCRIPTION] =
    g_param_spec_string ("filter-description", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TENANT] =
    g_param_spec_string ("tenant", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SNAPSHOT_ID] =
    g_param_spec_int64 ("snapshot-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SNAPSHOT_TIME] =
    g_param_spec_int64 ("snapshot-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
muster_export_init (MusterExport *self)
{
  self->email_method = MUSTER_EMAIL_METHOD_MAIL_OR_UPN;
  self->columns = g_array_new (FALSE, FALSE, sizeof (MusterExportColumn));
  for (MusterExportColumn c = 0; c < MUSTER_EXPORT_N_DEFAULT_COLUMNS; c++)
    g_array_append_val (self->columns, c);
}

/* Public API ---------------------------------------------------------------------------------- */

const char *
muster_export_column_to_key (MusterExportColumn column)
{
  g_return_val_if_fail (column < MUSTER_EXPORT_N_COLUMNS, NULL);
  return user_columns[column].key;
}

gboolean
muster_export_column_from_key (const char         *key,
                               MusterExportColumn *column)
{
  g_return_val_if_fail (key != NULL, FALSE);

  for (MusterExportColumn c = 0; c < MUSTER_EXPORT_N_COLUMNS; c++)
    if (g_ascii_strcasecmp (key, user_columns[c].key) == 0)
      {
        if (column != NULL)
          *column = c;
        return TRUE;
      }
  return FALSE;
}

const char *
muster_export_column_get_title (MusterExportColumn column)
{
  g_return_val_if_fail (column < MUSTER_EXPORT_N_COLUMNS, NULL);
  return _(user_columns[column].title);
}

const char *
muster_export_format_to_string (MusterExportFormat format)
{
  g_return_val_if_fail (format <= MUSTER_EXPORT_FORMAT_XLSX, NULL);
  return format_names[format];
}

gboolean
muster_export_format_from_string (const char         *name,
                                  MusterExportFormat *format)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_ascii_strcasecmp (name, format_names[i]) == 0)
      {
        if (format != NULL)
          *format = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
muster_export_format_is_available (MusterExportFormat format)
{
  return format != MUSTER_EXPORT_FORMAT_XLSX || HAVE_XLSXWRITER;
}

MusterExport *
muster_export_new (MusterExportFormat format)
{
  g_return_val_if_fail (format <= MUSTER_EXPORT_FORMAT_XLSX, NULL);
  return g_object_new (MUSTER_TYPE_EXPORT, "format", format, NULL);
}

void
muster_export_set_columns (MusterExport             *self,
                           const MusterExportColumn *columns,
                           guint                     n_columns)
{
  g_return_if_fail (MUSTER_IS_EXPORT (self));
  g_return_if_fail (columns != NULL || n_columns == 0);

  g_array_set_size (self->columns, 0);
  if (n_columns == 0)
    {
      for (MusterExportColumn c = 0; c < MUSTER_EXPORT_N_DEFAULT_COLUMNS; c++)
        g_array_append_val (self->columns, c);
      return;
    }
  for (guint i = 0; i < n_columns; i++)
    {
      g_return_if_fail (columns[i] < MUSTER_EXPORT_N_COLUMNS);
      g_array_append_val (self->columns, columns[i]);
    }
}

const MusterExportColumn *
muster_export_get_columns (MusterExport *self,
                           guint        *n_columns)
{
  g_return_val_if_fail (MUSTER_IS_EXPORT (self), NULL);
  g_return_val_if_fail (n_columns != NULL, NULL);
  return _muster_export_columns (self, n_columns);
}

void
muster_export_set_email_method (MusterExport      *self,
                                MusterEmailMethod  method)
{
  g_return_if_fail (MUSTER_IS_EXPORT (self));

  if (self->email_method == method)
    return;
  self->email_method = method;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMAIL_METHOD]);
}

void
muster_export_set_csv_bom (MusterExport *self,
                           gboolean      bom)
{
  g_return_if_fail (MUSTER_IS_EXPORT (self));

  if (self->csv_bom == !!bom)
    return;
  self->csv_bom = !!bom;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CSV_BOM]);
}

void
muster_export_set_csv_filter_row (MusterExport *self,
                                  gboolean      filter_row)
{
  g_return_if_fail (MUSTER_IS_EXPORT (self));

  if (self->csv_filter_row == !!filter_row)
    return;
  self->csv_filter_row = !!filter_row;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CSV_FILTER_ROW]);
}

void
muster_export_set_filter_description (MusterExport *self,
                                      const char   *description)
{
  g_return_if_fail (MUSTER_IS_EXPORT (self));

  if (replace_string (&self->filter_description, description))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER_DESCRIPTION]);
}

void
muster_export_set_tenant (MusterExport *self,
                          const char   *tenant)
{
  g_return_if_fail (MUSTER_IS_EXPORT (self));

  if (replace_string (&self->tenant, tenant))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TENANT]);
}

void
muster_export_set_snapshot_info (MusterExport *self,
                                 gint64        snapshot_id,
                                 gint64        snapshot_time)
{
  g_return_if_fail (MUSTER_IS_EXPORT (self));

  if (self->snapshot_id != snapshot_id)
    {
      self->snapshot_id = snapshot_id;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOT_ID]);
    }
  if (self->snapshot_time != snapshot_time)
    {
      self->snapshot_time = snapshot_time;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOT_TIME]);
    }
}

void
muster_export_set_context (MusterExport     *self,
                           MusterSnapshot   *snapshot,
                           MusterUserFilter *filter)
{
  const MusterSnapshotInfo *info;

  g_return_if_fail (MUSTER_IS_EXPORT (self));
  g_return_if_fail (MUSTER_IS_SNAPSHOT (snapshot));
  g_return_if_fail (filter == NULL || MUSTER_IS_USER_FILTER (filter));

  info = muster_snapshot_get_info (snapshot);
  muster_export_set_tenant (self, info->tenant_id);
  muster_export_set_snapshot_info (self, info->id, info->created_at);
  if (filter != NULL)
    {
      g_autofree char *description = muster_user_filter_describe (filter, snapshot);

      muster_export_set_filter_description (self, description);
      muster_export_set_email_method (self, muster_user_filter_get_email_method (filter));
    }
}

char *
muster_export_dup_user_text (MusterExport       *self,
                             MusterUser         *user,
                             MusterExportColumn  column)
{
  g_autoptr(GString) scratch = g_string_new (NULL);

  g_return_val_if_fail (MUSTER_IS_EXPORT (self), NULL);
  g_return_val_if_fail (MUSTER_IS_USER (user), NULL);
  g_return_val_if_fail (column < MUSTER_EXPORT_N_COLUMNS, NULL);

  return g_strdup (_muster_export_user_text (self, user, column, scratch));
}

gboolean
muster_export_write_users_to_stream (MusterExport   *self,
                                     GListModel     *users,
                                     GOutputStream  *stream,
                                     GCancellable   *cancellable,
                                     GError        **error)
{
  g_autoptr(GPtrArray) items = NULL;

  g_return_val_if_fail (MUSTER_IS_EXPORT (self), FALSE);
  g_return_val_if_fail (G_IS_LIST_MODEL (users), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  items = collect_items (users);
  return write_stream (self, items, FALSE, stream, cancellable, error);
}

gboolean
muster_export_write_groups_to_stream (MusterExport   *self,
                                      GListModel     *groups,
                                      GOutputStream  *stream,
                                      GCancellable   *cancellable,
                                      GError        **error)
{
  g_autoptr(GPtrArray) items = NULL;

  g_return_val_if_fail (MUSTER_IS_EXPORT (self), FALSE);
  g_return_val_if_fail (G_IS_LIST_MODEL (groups), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  items = collect_items (groups);
  return write_stream (self, items, TRUE, stream, cancellable, error);
}

gboolean
muster_export_write_users (MusterExport   *self,
                           GListModel     *users,
                           GFile          *file,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_autoptr(GPtrArray) items = NULL;

  g_return_val_if_fail (MUSTER_IS_EXPORT (self), FALSE);
  g_return_val_if_fail (G_IS_LIST_MODEL (users), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  items = collect_items (users);
  return write_file (self, items, FALSE, file, cancellable, error);
}

gboolean
muster_export_write_groups (MusterExport   *self,
                            GListModel     *groups,
                            GFile          *file,
                            GCancellable   *cancellable,
                            GError        **error)
{
  g_autoptr(GPtrArray) items = NULL;

  g_return_val_if_fail (MUSTER_IS_EXPORT (self), FALSE);
  g_return_val_if_fail (G_IS_LIST_MODEL (groups), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  items = collect_items (groups);
  return write_file (self, items, TRUE, file, cancellable, error);
}

void
muster_export_write_users_async (MusterExport        *self,
                                 GListModel          *users,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (MUSTER_IS_EXPORT (self));
  g_return_if_fail (G_IS_LIST_MODEL (users));
  g_return_if_fail (G_IS_FILE (file));

  write_async (self, users, file, cancellable, callback, user_data);
}

gboolean
muster_export_write_finish (MusterExport  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (MUSTER_IS_EXPORT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == muster_export_write_finish, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
