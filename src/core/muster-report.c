/* muster-report.c: the report model, its plan and users builders, CSV, and the safe file write
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-report"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>
#include <unistd.h>

#include "muster-export-private.h"
#include "muster-report-pdf.h"
#include "muster-report-private.h"

typedef struct
{
  char  *label;
  char  *value;
  guint  number;
} Line;

typedef struct
{
  char     **cells;
  gboolean   printed;
} Row;

struct _MusterReport
{
  GObject    parent_instance;

  char      *title;
  GArray    *details;   /* of Line */
  GArray    *totals;    /* of Line */
  char      *table_name;
  char     **columns;
  double    *weights;
  guint      n_columns;
  GArray    *rows;      /* of Row */
  guint      n_printed;
  GPtrArray *changes;   /* of GStrv, 5 cells */
  gboolean   rtl;
};

G_DEFINE_FINAL_TYPE (MusterReport, muster_report, G_TYPE_OBJECT)

#define MAX_PRINTED_USER_COLUMNS 6

static const char * const format_names[] = { "csv", "xlsx", "pdf" };
static const char * const paper_names[] = { "a4", "letter" };

/* Helpers ------------------------------------------------------------------------------------ */

static void
line_clear (gpointer data)
{
  Line *line = data;

  g_free (line->label);
  g_free (line->value);
}

static void
row_clear (gpointer data)
{
  g_strfreev (((Row *) data)->cells);
}

static char *
format_local_time (gint64 unix_time)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (unix_time <= 0)
    return NULL;
  utc = g_date_time_new_from_unix_utc (unix_time);
  if (utc == NULL)
    return NULL;
  local = g_date_time_to_local (utc);
  /* Translators: a date and time in a report's header; see g_date_time_format() */
  return g_date_time_format (local, _("%Y-%m-%d %H:%M %Z"));
}

static char *
describe_rules (MusterPlan *plan)
{
  MusterRules *rules = muster_plan_get_rules (plan);
  g_autoptr(GString) text = g_string_new (NULL);
  const char * const *groups = muster_rules_get_groups (rules);
  guint count = 0, percent = 0;

  switch (muster_plan_get_mode (plan))
    {
    case MUSTER_PLAN_MODE_ADD_ONLY:
      g_string_append (text, _("add new users only"));
      break;
    case MUSTER_PLAN_MODE_UPDATE_ONLY:
      g_string_append (text, _("update existing users only"));
      break;
    case MUSTER_PLAN_MODE_SYNC:
    default:
      g_string_append (text, _("create, update and disable"));
      break;
    }
  g_string_append (text, "; ");
  g_string_append (text, muster_plan_get_allow_delete (plan) ? _("deletes allowed") : _("no deletes"));
  if (groups != NULL && groups[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", (char **) groups);

      g_string_append (text, "; ");
      /* Translators: the groups whose members a plan covers */
      g_string_append_printf (text, _("members of %s"), joined);
    }
  if (muster_rules_get_exclude_disabled (rules))
    g_string_append_printf (text, "; %s", _("disabled accounts left out"));
  if (muster_rules_get_exclude_guests (rules))
    g_string_append_printf (text, "; %s", _("guests left out"));
  if (muster_rules_get_exclude_unlicensed (rules))
    g_string_append_printf (text, "; %s", _("unlicensed users left out"));
  if (muster_rules_get_safety_limit (rules, &count, &percent))
    {
      g_string_append (text, "; ");
      if (count > 0 && percent > 0)
        /* Translators: the safety limit in a report's header */
        g_string_append_printf (text, _("safety limit %u users or %u %%"), count, percent);
      else if (count > 0)
        g_string_append_printf (text, _("safety limit %u users"), count);
      else
        g_string_append_printf (text, _("safety limit %u %%"), percent);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The destination only ever holds a complete report: it goes to a temporary file in the same
 * folder (rename() stays on one file system, so it is atomic), flushed to disk, then renamed
 * over the destination; any failure removes the temporary file instead. */
static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *where)
{
  g_autoptr(GError) cause = g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                                 g_strerror (saved_errno));

  _muster_export_set_write_error (error, cause, where);
}

static gboolean
write_csv (MusterReport   *self,
           int             fd,
           GCancellable   *cancellable,
           GError        **error)
{
  g_autoptr(GOutputStream) stream = g_unix_output_stream_new (fd, FALSE);
  MusterExportSink sink;

  _muster_export_sink_init (&sink, stream, cancellable);
  for (guint c = 0; c < self->n_columns; c++)
    {
      if (c > 0)
        g_string_append_c (sink.buffer, ',');
      _muster_export_csv_append_cell (sink.buffer, self->columns[c]);
    }
  g_string_append (sink.buffer, "\r\n");
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = &g_array_index (self->rows, Row, i);

      for (guint c = 0; c < self->n_columns; c++)
        {
          if (c > 0)
            g_string_append_c (sink.buffer, ',');
          _muster_export_csv_append_cell (sink.buffer, row->cells[c]);
        }
      g_string_append (sink.buffer, "\r\n");
      if (!_muster_export_sink_maybe_flush (&sink))
        break;
    }
  return _muster_export_sink_finish (&sink, error);
}

static gboolean
write_file (MusterReport       *self,
            MusterReportFormat  format,
            MusterReportPaper   paper,
            GFile              *file,
            GCancellable       *cancellable,
            GError            **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *dir = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *base = NULL;
  gboolean ok;
  mode_t mode = 0600;
  GStatBuf existing;
  int fd;

  if (path == NULL)
    {
      g_set_error_literal (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_UNSUPPORTED,
                           _("Reports can only be saved to a local folder. Choose a folder on this computer."));
      return FALSE;
    }
  if (!muster_report_format_is_available (format))
    {
      g_set_error_literal (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_UNSUPPORTED,
                           _("This build of Muster cannot write XLSX workbooks. Choose PDF or CSV instead."));
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  {
    g_autofree char *tmp_name = g_strdup_printf (".%s.XXXXXX", base);

    tmp_path = g_build_filename (dir, tmp_name, NULL);
  }
  /* A report is personal data: the user's alone, unless it replaces a file whose mode someone
   * chose, which it keeps. */
  if (g_stat (path, &existing) == 0 && S_ISREG (existing.st_mode))
    mode = existing.st_mode & 07777;
  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_errno_error (error, errno, dir);
      return FALSE;
    }

  switch (format)
    {
    case MUSTER_REPORT_FORMAT_CSV:
      ok = write_csv (self, fd, cancellable, error);
      break;
    case MUSTER_REPORT_FORMAT_XLSX:
#if HAVE_XLSXWRITER
      ok = _muster_report_write_xlsx (self, tmp_path, cancellable, error);
#else
      g_assert_not_reached ();
#endif
      break;
    case MUSTER_REPORT_FORMAT_PDF:
    default:
      ok = muster_report_write_pdf_path (self, paper, tmp_path, cancellable, error);
      break;
    }
  close (fd);

  if (ok)
    {
      /* the writers may have made the file anew: sync what is there now and set the mode */
      int sync_fd = g_open (tmp_path, O_RDONLY | O_CLOEXEC, 0);

      if (sync_fd < 0 || (fsync (sync_fd) != 0 && errno != EINVAL) || g_chmod (tmp_path, mode) != 0)
        {
          set_errno_error (error, errno, dir);
          ok = FALSE;
        }
      if (sync_fd >= 0)
        close (sync_fd);
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

/* Private API -------------------------------------------------------------------------------- */

const char * const *
_muster_report_get_change (MusterReport *self,
                           guint         index)
{
  return g_ptr_array_index (self->changes, index);
}

/* GObject ------------------------------------------------------------------------------------ */

static void
muster_report_finalize (GObject *object)
{
  MusterReport *self = MUSTER_REPORT (object);

  g_free (self->title);
  g_array_unref (self->details);
  g_array_unref (self->totals);
  g_free (self->table_name);
  g_strfreev (self->columns);
  g_free (self->weights);
  g_array_unref (self->rows);
  g_ptr_array_unref (self->changes);

  G_OBJECT_CLASS (muster_report_parent_class)->finalize (object);
}

static void
muster_report_class_init (MusterReportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = muster_report_finalize;
}

static void
muster_report_init (MusterReport *self)
{
  self->details = g_array_new (FALSE, TRUE, sizeof (Line));
  g_array_set_clear_func (self->details, line_clear);
  self->totals = g_array_new (FALSE, TRUE, sizeof (Line));
  g_array_set_clear_func (self->totals, line_clear);
  self->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (self->rows, row_clear);
  self->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  self->columns = g_new0 (char *, 1);
  /* Translators: "rtl" if your language is written right to left (printed reports then run from
   * the right); anything else otherwise */
  self->rtl = g_strcmp0 (C_("text direction", "ltr"), "rtl") == 0;
}

/* Public API --------------------------------------------------------------------------------- */

const char *
muster_report_format_to_string (MusterReportFormat format)
{
  g_return_val_if_fail (format <= MUSTER_REPORT_FORMAT_PDF, NULL);
  return format_names[format];
}

gboolean
muster_report_format_from_string (const char         *name,
                                  MusterReportFormat *format)
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
muster_report_format_is_available (MusterReportFormat format)
{
  return format != MUSTER_REPORT_FORMAT_XLSX || HAVE_XLSXWRITER;
}

const char *
muster_report_paper_to_string (MusterReportPaper paper)
{
  g_return_val_if_fail (paper <= MUSTER_REPORT_PAPER_LETTER, NULL);
  return paper_names[paper];
}

gboolean
muster_report_paper_from_string (const char        *name,
                                 MusterReportPaper *paper)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (paper_names); i++)
    if (g_ascii_strcasecmp (name, paper_names[i]) == 0)
      {
        if (paper != NULL)
          *paper = i;
        return TRUE;
      }
  return FALSE;
}

void
muster_report_paper_get_size (MusterReportPaper  paper,
                              double            *width,
                              double            *height)
{
  /* ISO 216 A4 is 210 × 297 mm; ANSI Letter 8.5 × 11 in; a point is 1/72 in = 25.4/72 mm. */
  if (paper == MUSTER_REPORT_PAPER_LETTER)
    {
      *width = 8.5 * 72;
      *height = 11 * 72;
    }
  else
    {
      *width = 210 / 25.4 * 72;
      *height = 297 / 25.4 * 72;
    }
}

MusterReport *
muster_report_new (const char *title)
{
  MusterReport *self = g_object_new (MUSTER_TYPE_REPORT, NULL);

  self->title = g_strdup (title);
  return self;
}

MusterReport *
muster_report_new_for_plan (MusterPlan                    *plan,
                            const MusterReportPlanContext *context)
{
  static const MusterReportPlanContext no_context = { 0 };
  const char *titles[] = { _("Action"), _("Display name"), _("User principal name"), _("Reason"), _("Changes"),
                           _("User type"), _("Roles"), _("Object ID") };
  const double weights[] = { 1.1, 2.6, 4.0, 2.4, 3.0, 0, 0, 0 };
  MusterSnapshot *snapshot;
  const MusterSnapshotInfo *info;
  const MusterPlanTotals *totals;
  g_autoptr(MusterUserFilter) filter = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *made = g_date_time_format (now, _("%Y-%m-%d %H:%M %Z"));
  g_autofree char *snapshot_time = NULL;
  g_autofree char *filter_text = NULL;
  g_autofree char *rules_text = NULL;
  MusterReport *self;

  g_return_val_if_fail (MUSTER_IS_PLAN (plan), NULL);

  if (context == NULL)
    context = &no_context;
  snapshot = muster_plan_get_snapshot (plan);
  info = snapshot != NULL ? muster_snapshot_get_info (snapshot) : NULL;

  self = muster_report_new (_("Sync Preview"));
  muster_report_add_detail (self, _("Tenant"), context->tenant != NULL ? context->tenant
                                                 : info != NULL ? info->tenant_id : NULL);
  if (context->profile != NULL)
    muster_report_add_detail (self, _("Profile"), context->profile);
  muster_report_add_detail (self, _("Target"), context->target);
  if (info != NULL)
    {
      snapshot_time = format_local_time (info->created_at);
      {
        g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, info->id);
        /* Translators: the snapshot line of a report: its number and when it was fetched */
        g_autofree char *text = g_strdup_printf (_("number %s, fetched %s"), id,
                                                 snapshot_time != NULL ? snapshot_time : "—");

        muster_report_add_detail (self, _("Snapshot"), text);
      }
    }
  rules_text = describe_rules (plan);
  muster_report_add_detail (self, _("Rules"), rules_text);
  filter = muster_rules_build_filter (muster_plan_get_rules (plan));
  if (filter != NULL && snapshot != NULL)
    filter_text = muster_user_filter_describe (filter, snapshot);
  muster_report_add_detail (self, _("Filter"), filter_text != NULL && *filter_text != '\0' ? filter_text : _("all users"));
  if (context->made_by != NULL)
    {
      /* Translators: when and by whom a report was made */
      g_autofree char *text = g_strdup_printf (_("%s by %s"), made, context->made_by);

      muster_report_add_detail (self, _("Made"), text);
    }
  else
    muster_report_add_detail (self, _("Made"), made);

  totals = muster_plan_get_totals (plan);
  muster_report_add_total (self, _("Create"), totals->create);
  muster_report_add_total (self, _("Update"), totals->update);
  muster_report_add_total (self, _("Disable"), totals->disable);
  muster_report_add_total (self, _("Delete"), totals->delete);
  muster_report_add_total (self, _("Unchanged"), totals->unchanged);
  muster_report_add_total (self, _("Skipped"), totals->skipped);
  if (totals->groups_create + totals->members_add + totals->members_remove > 0)
    {
      muster_report_add_total (self, _("Groups to create"), totals->groups_create);
      muster_report_add_total (self, _("Members to add"), totals->members_add);
      muster_report_add_total (self, _("Members to remove"), totals->members_remove);
    }

  muster_report_set_columns (self, _("Actions"), titles, weights, G_N_ELEMENTS (titles));
  items = g_ptr_array_copy (muster_plan_get_items (plan), NULL, NULL);
  g_ptr_array_sort (items, muster_plan_item_compare_by_action);
  for (guint i = 0; i < items->len; i++)
    {
      const MusterPlanItem *item = g_ptr_array_index (items, i);
      g_autofree char *changes = muster_plan_item_describe_changes (item, "\n", "—");
      g_autofree char *roles = item->roles != NULL ? g_strjoinv (", ", (char **) item->roles) : NULL;
      const char *cells[] = {
        muster_plan_action_get_title (item->action), item->display_name, item->user_principal_name, item->reason,
        changes, item->action == MUSTER_PLAN_ACTION_SKIPPED ? NULL : muster_user_type_to_string (item->user_type),
        roles, item->id,
      };

      muster_report_add_row (self, cells, item->action != MUSTER_PLAN_ACTION_UNCHANGED);
      for (guint c = 0; item->changes != NULL && c < item->changes->len; c++)
        {
          const MusterFieldChange *change = g_ptr_array_index (item->changes, c);

          muster_report_add_change (self, item->display_name, item->user_principal_name, change->field,
                                    change->before, change->after);
        }
    }
  return self;
}

MusterReport *
muster_report_new_for_users (MusterExport *export,
                             GListModel   *users)
{
  g_autoptr(GString) scratch = g_string_new (NULL);
  g_autofree const char **titles = NULL;
  g_autofree const char **cells = NULL;
  g_autofree double *weights = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *made = g_date_time_format (now, _("%Y-%m-%d %H:%M %Z"));
  g_autofree char *snapshot_time = NULL;
  const MusterExportColumn *columns;
  const char *filter;
  MusterReport *self;
  guint n_columns, n;

  g_return_val_if_fail (MUSTER_IS_EXPORT (export), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (users), NULL);

  columns = muster_export_get_columns (export, &n_columns);
  n = g_list_model_get_n_items (users);

  self = muster_report_new (_("Users"));
  muster_report_add_detail (self, _("Tenant"), _muster_export_get_tenant (export));
  snapshot_time = format_local_time (_muster_export_get_snapshot_time (export));
  if (snapshot_time != NULL)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, _muster_export_get_snapshot_id (export));
      g_autofree char *text = g_strdup_printf (_("number %s, fetched %s"), id, snapshot_time);

      muster_report_add_detail (self, _("Snapshot"), text);
    }
  filter = _muster_export_get_filter_description (export);
  muster_report_add_detail (self, _("Filter"), filter != NULL && *filter != '\0' ? filter : _("all users"));
  muster_report_add_detail (self, _("Made"), made);
  muster_report_add_total (self, _("Users"), n);

  titles = g_new0 (const char *, n_columns);
  weights = g_new0 (double, n_columns);
  for (guint c = 0; c < n_columns; c++)
    {
      titles[c] = muster_export_column_get_title (columns[c]);
      /* A portrait page holds about six readable columns: with more, print those a person
       * looks for first (as muster-cli users' table) and keep the rest to CSV and XLSX. */
      if (n_columns > MAX_PRINTED_USER_COLUMNS &&
          columns[c] != MUSTER_EXPORT_COLUMN_DISPLAY_NAME && columns[c] != MUSTER_EXPORT_COLUMN_EMAIL &&
          columns[c] != MUSTER_EXPORT_COLUMN_USER_PRINCIPAL_NAME && columns[c] != MUSTER_EXPORT_COLUMN_JOB_TITLE &&
          columns[c] != MUSTER_EXPORT_COLUMN_DEPARTMENT && columns[c] != MUSTER_EXPORT_COLUMN_ACCOUNT_STATE)
        continue;
      /* addresses and identifiers need room; states and types little */
      switch (columns[c])
        {
        case MUSTER_EXPORT_COLUMN_ID:
        case MUSTER_EXPORT_COLUMN_MANAGER_ID:
        case MUSTER_EXPORT_COLUMN_USER_PRINCIPAL_NAME:
        case MUSTER_EXPORT_COLUMN_EMAIL:
        case MUSTER_EXPORT_COLUMN_MAIL:
        case MUSTER_EXPORT_COLUMN_OTHER_MAILS:
        case MUSTER_EXPORT_COLUMN_LICENCES:
        case MUSTER_EXPORT_COLUMN_PROXY_ADDRESSES:
          weights[c] = 2.6;
          break;
        case MUSTER_EXPORT_COLUMN_DISPLAY_NAME:
          weights[c] = 1.7;
          break;
        default:
          weights[c] = 1.3;
          break;
        }
    }
  muster_report_set_columns (self, _("Users"), titles, weights, n_columns);

  cells = g_new0 (const char *, n_columns);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (users, i);
      g_auto(GStrv) owned = g_new0 (char *, n_columns + 1);

      for (guint c = 0; c < n_columns; c++)
        {
          owned[c] = g_strdup (_muster_export_user_text (export, user, columns[c], scratch));
          cells[c] = owned[c];
        }
      muster_report_add_row (self, cells, TRUE);
    }
  return self;
}

const char *
muster_report_get_title (MusterReport *self)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), NULL);
  return self->title;
}

void
muster_report_set_right_to_left (MusterReport *self,
                                 gboolean      rtl)
{
  g_return_if_fail (MUSTER_IS_REPORT (self));
  self->rtl = !!rtl;
}

gboolean
muster_report_get_right_to_left (MusterReport *self)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), FALSE);
  return self->rtl;
}

void
muster_report_add_detail (MusterReport *self,
                          const char   *label,
                          const char   *value)
{
  Line line;

  g_return_if_fail (MUSTER_IS_REPORT (self));
  g_return_if_fail (label != NULL);

  line.label = g_strdup (label);
  line.value = g_strdup (value != NULL && *value != '\0' ? value : "—");
  line.number = 0;
  g_array_append_val (self->details, line);
}

guint
muster_report_get_n_details (MusterReport *self)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), 0);
  return self->details->len;
}

void
muster_report_get_detail (MusterReport  *self,
                          guint          index,
                          const char   **label,
                          const char   **value)
{
  g_return_if_fail (MUSTER_IS_REPORT (self));
  g_return_if_fail (index < self->details->len);

  *label = g_array_index (self->details, Line, index).label;
  *value = g_array_index (self->details, Line, index).value;
}

void
muster_report_add_total (MusterReport *self,
                         const char   *label,
                         guint         value)
{
  Line line = { g_strdup (label), NULL, value };

  g_return_if_fail (MUSTER_IS_REPORT (self));
  g_array_append_val (self->totals, line);
}

guint
muster_report_get_n_totals (MusterReport *self)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), 0);
  return self->totals->len;
}

void
muster_report_get_total (MusterReport  *self,
                         guint          index,
                         const char   **label,
                         guint         *value)
{
  g_return_if_fail (MUSTER_IS_REPORT (self));
  g_return_if_fail (index < self->totals->len);

  *label = g_array_index (self->totals, Line, index).label;
  *value = g_array_index (self->totals, Line, index).number;
}

void
muster_report_set_columns (MusterReport       *self,
                           const char         *table_name,
                           const char * const *titles,
                           const double       *weights,
                           guint               n_columns)
{
  g_return_if_fail (MUSTER_IS_REPORT (self));
  g_return_if_fail (self->rows->len == 0);
  g_return_if_fail (titles != NULL || n_columns == 0);

  g_free (self->table_name);
  self->table_name = g_strdup (table_name);
  g_strfreev (self->columns);
  self->columns = g_new0 (char *, n_columns + 1);
  g_free (self->weights);
  self->weights = g_new0 (double, MAX (n_columns, 1));
  for (guint c = 0; c < n_columns; c++)
    {
      self->columns[c] = g_strdup (titles[c]);
      self->weights[c] = weights != NULL ? MAX (weights[c], 0) : 1;
    }
  self->n_columns = n_columns;
}

const char *
muster_report_get_table_name (MusterReport *self)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), NULL);
  return self->table_name != NULL ? self->table_name : self->title;
}

guint
muster_report_get_n_columns (MusterReport *self)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), 0);
  return self->n_columns;
}

const char *
muster_report_get_column_title (MusterReport *self,
                                guint         column)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);
  return self->columns[column];
}

double
muster_report_get_column_weight (MusterReport *self,
                                 guint         column)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), 0);
  g_return_val_if_fail (column < self->n_columns, 0);
  return self->weights[column];
}

void
muster_report_add_row (MusterReport       *self,
                       const char * const *cells,
                       gboolean            printed)
{
  Row row;

  g_return_if_fail (MUSTER_IS_REPORT (self));
  g_return_if_fail (cells != NULL);

  row.cells = g_new0 (char *, self->n_columns + 1);
  for (guint c = 0; c < self->n_columns; c++)
    {
      const char *value = cells[c];

      /* a table cell holds text: anything that is not UTF-8 is shown as U+FFFD */
      if (value == NULL)
        row.cells[c] = g_strdup ("");
      else if (g_utf8_validate (value, -1, NULL))
        row.cells[c] = g_strdup (value);
      else
        row.cells[c] = g_utf8_make_valid (value, -1);
    }
  row.printed = !!printed;
  if (row.printed)
    self->n_printed++;
  g_array_append_val (self->rows, row);
}

guint
muster_report_get_n_rows (MusterReport *self)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), 0);
  return self->rows->len;
}

const char * const *
muster_report_get_row (MusterReport *self,
                       guint         row,
                       gboolean     *printed)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), NULL);
  g_return_val_if_fail (row < self->rows->len, NULL);

  if (printed != NULL)
    *printed = g_array_index (self->rows, Row, row).printed;
  return (const char * const *) g_array_index (self->rows, Row, row).cells;
}

guint
muster_report_get_n_printed_rows (MusterReport *self)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), 0);
  return self->n_printed;
}

void
muster_report_add_change (MusterReport *self,
                          const char   *display_name,
                          const char   *user_principal_name,
                          const char   *field,
                          const char   *before,
                          const char   *after)
{
  const char *values[] = { display_name, user_principal_name, field, before, after };
  char **cells = g_new0 (char *, G_N_ELEMENTS (values) + 1);

  g_return_if_fail (MUSTER_IS_REPORT (self));

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    cells[i] = values[i] == NULL ? g_strdup ("")
             : g_utf8_validate (values[i], -1, NULL) ? g_strdup (values[i]) : g_utf8_make_valid (values[i], -1);
  g_ptr_array_add (self->changes, cells);
}

guint
muster_report_get_n_changes (MusterReport *self)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), 0);
  return self->changes->len;
}

gboolean
muster_report_write (MusterReport       *self,
                     MusterReportFormat  format,
                     MusterReportPaper   paper,
                     GFile              *file,
                     GCancellable       *cancellable,
                     GError            **error)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), FALSE);
  g_return_val_if_fail (format <= MUSTER_REPORT_FORMAT_PDF, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  return write_file (self, format, paper, file, cancellable, error);
}

typedef struct
{
  MusterReportFormat format;
  MusterReportPaper  paper;
  GFile             *file;
} WriteData;

static void
write_data_free (WriteData *data)
{
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

  if (write_file (source_object, data->format, data->paper, data->file, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
muster_report_write_async (MusterReport        *self,
                           MusterReportFormat   format,
                           MusterReportPaper    paper,
                           GFile               *file,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WriteData *data;

  g_return_if_fail (MUSTER_IS_REPORT (self));
  g_return_if_fail (G_IS_FILE (file));

  data = g_new0 (WriteData, 1);
  data->format = format;
  data->paper = paper;
  data->file = g_object_ref (file);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_report_write_async);
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);
  g_task_run_in_thread (task, write_thread);
}

gboolean
muster_report_write_finish (MusterReport  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (MUSTER_IS_REPORT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
