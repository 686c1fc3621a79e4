/* muster-export-xlsx.c: users and groups as an Excel workbook, through libxlsxwriter
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
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "muster-export-private.h"

/* A real sheet: bold header row, frozen, with an autofilter over the data, column widths from
 * the content, and a second sheet "About" stating tenant, snapshot, filter and row count.
 *
 * No formula neutralisation here, unlike CSV: worksheet_write_string() stores a typed string
 * cell (an inline or shared string, never an <f> element), which Excel shows as text whatever
 * its first character is, so a quote prefix would only corrupt the value. Control characters
 * are escaped by libxlsxwriter as _xHHHH_ (ECMA-376 Part 1 §22.9.2.19, ST_Xstring).
 *
 * constant_memory mode streams each row to a temporary file, so 100,000 rows need little
 * memory; rows must then be written in order, which they are. */

/* Excel's limit on the characters in one cell ("Excel specifications and limits"). */
#define XLSX_CELL_MAX_CHARS 32767
/* Column widths are measured on this many rows: enough to be representative, cheap on 100,000. */
#define WIDTH_SAMPLE_ROWS 500
#define MIN_WIDTH 8.0
#define MAX_WIDTH 50.0
#define CANCEL_CHECK_ROWS 1024

typedef const char *(*CellTextFunc) (MusterExport *self,
                                     gpointer      item,
                                     guint         column,
                                     GString      *scratch);

static double
text_width (const char *text)
{
  double width = 0;

  if (text == NULL)
    return 0;
  for (const char *p = text; *p != '\0' && width < MAX_WIDTH; p = g_utf8_next_char (p))
    width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  return width;
}

/* libxlsxwriter writes control characters as _xHHHH_ but leaves text that already looks like
 * such an escape alone, so Excel would turn a name containing "_x0041_" into "A". ECMA-376's
 * answer is to escape the underscore itself as _x005F_. */
static char *
escape_literal_escapes (const char *value)
{
  GString *out = NULL;
  const char *copied = value;   /* everything before this is in @out */
  const char *hit;

  for (const char *from = value; (hit = strstr (from, "_x")) != NULL; from = hit + 1)
    {
      if (!(g_ascii_isxdigit (hit[2]) && g_ascii_isxdigit (hit[3]) && g_ascii_isxdigit (hit[4]) &&
            g_ascii_isxdigit (hit[5]) && hit[6] == '_'))
        continue;
      if (out == NULL)
        out = g_string_new (NULL);
      g_string_append_len (out, copied, hit - copied);
      g_string_append (out, "_x005F_");
      copied = hit + 1;
    }
  if (out == NULL)
    return NULL;
  g_string_append (out, copied);
  return g_string_free (out, FALSE);
}

static lxw_error
write_text (lxw_worksheet *sheet,
            lxw_row_t      row,
            lxw_col_t      col,
            const char    *value,
            lxw_format    *format)
{
  g_autofree char *valid = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *escaped = NULL;

  if (value == NULL || value[0] == '\0')
    return LXW_NO_ERROR;
  if (G_UNLIKELY (!g_utf8_validate (value, -1, NULL)))
    value = valid = g_utf8_make_valid (value, -1);
  if (G_UNLIKELY (strstr (value, "_x") != NULL) && (escaped = escape_literal_escapes (value)) != NULL)
    value = escaped;
  if (G_UNLIKELY (strlen (value) > XLSX_CELL_MAX_CHARS && g_utf8_strlen (value, -1) > XLSX_CELL_MAX_CHARS))
    {
      /* Excel refuses longer cells; no directory field comes near this. */
      g_debug ("Cell at row %u, column %u cut to %d characters", row, col, XLSX_CELL_MAX_CHARS);
      cut = g_utf8_substring (value, 0, XLSX_CELL_MAX_CHARS);
      value = cut;
    }
  return worksheet_write_string (sheet, row, col, value, format);
}

static void
set_xlsx_error (GError     **error,
                lxw_error    code,
                int          saved_errno)
{
  g_autoptr(GError) cause = NULL;

  if (saved_errno != 0 && (code == LXW_ERROR_CREATING_XLSX_FILE || code == LXW_ERROR_CREATING_TMPFILE ||
                           code == LXW_ERROR_ZIP_FILE_OPERATION || code == LXW_ERROR_ZIP_CLOSE ||
                           code == LXW_ERROR_ZIP_FILE_ADD))
    cause = g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s (%s)",
                         lxw_strerror (code), g_strerror (saved_errno));
  else
    cause = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "%s", lxw_strerror (code));
  _muster_export_set_write_error (error, cause, NULL);
}

/* libxlsxwriter 1.1 does not check its writes to temporary files: on a full disk it zips up a
 * truncated sheet and reports success (seen with RLIMIT_FSIZE). So the writer checks the row
 * data's temporary file itself, and afterwards that the workbook's sheet1.xml is at least that
 * long, reading the zip's central directory (APPNOTE.TXT §4.3.12, §4.3.16). */
static gboolean
check_stream (FILE    *file,
              GError **error)
{
  if (fflush (file) == 0 && !ferror (file))
    return TRUE;
  set_xlsx_error (error, LXW_ERROR_CREATING_TMPFILE, errno != 0 ? errno : EIO);
  return FALSE;
}

static guint32
read_u32 (const guint8 *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (guint32) p[3] << 24;
}

static guint16
read_u16 (const guint8 *p)
{
  return p[0] | p[1] << 8;
}

static gboolean
check_member_size (const char  *path,
                   const char  *member,
                   goffset      at_least,
                   GError     **error)
{
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (path, FALSE, NULL);
  const guint8 *data;
  gsize length;
  gsize end_record = 0;

  if (mapped == NULL)
    goto corrupt;
  data = (const guint8 *) g_mapped_file_get_contents (mapped);
  length = g_mapped_file_get_length (mapped);
  if (length < 22)
    goto corrupt;
  /* The end of central directory record: last in the file, with no comment. */
  end_record = length - 22;
  if (read_u32 (data + end_record) != 0x06054b50)
    goto corrupt;
  {
    guint entries = read_u16 (data + end_record + 10);
    gsize offset = read_u32 (data + end_record + 16);
    gsize member_length = strlen (member);

    for (guint i = 0; i < entries; i++)
      {
        gsize name_length, next;

        if (offset + 46 > end_record || read_u32 (data + offset) != 0x02014b50)
          goto corrupt;
        name_length = read_u16 (data + offset + 28);
        next = offset + 46 + name_length + read_u16 (data + offset + 30) + read_u16 (data + offset + 32);
        if (next > end_record)
          goto corrupt;
        if (name_length == member_length && memcmp (data + offset + 46, member, member_length) == 0)
          {
            if ((goffset) read_u32 (data + offset + 24) >= at_least)
              return TRUE;
            goto corrupt;
          }
        offset = next;
      }
  }

corrupt:
  g_debug ("%s in %s is missing or shorter than %" G_GOFFSET_FORMAT " bytes", member, path, at_least);
  set_xlsx_error (error, LXW_ERROR_CREATING_TMPFILE, ENOSPC);
  return FALSE;
}

static void
add_about_sheet (MusterExport *self,
                 lxw_workbook *workbook,
                 lxw_format   *bold,
                 guint         n_rows,
                 gboolean      with_filter)
{
  lxw_worksheet *sheet = workbook_add_worksheet (workbook, _("About"));
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *exported_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *snapshot_time = _muster_export_format_time (_muster_export_get_snapshot_time (self));
  g_autofree char *snapshot_id = NULL;
  lxw_row_t row = 0;

  if (_muster_export_get_snapshot_id (self) > 0)
    snapshot_id = g_strdup_printf ("%" G_GINT64_FORMAT, _muster_export_get_snapshot_id (self));

  worksheet_set_column (sheet, 0, 0, 16, bold);
  worksheet_set_column (sheet, 1, 1, 80, NULL);
  if (with_filter)
    {
      write_text (sheet, row, 0, _("Filter"), bold);
      write_text (sheet, row++, 1, _muster_export_get_filter_description (self), NULL);
    }
  write_text (sheet, row, 0, _("Tenant"), bold);
  write_text (sheet, row++, 1, _muster_export_get_tenant (self), NULL);
  write_text (sheet, row, 0, _("Snapshot"), bold);
  write_text (sheet, row++, 1, snapshot_time, NULL);
  write_text (sheet, row, 0, _("Snapshot ID"), bold);
  write_text (sheet, row++, 1, snapshot_id, NULL);
  write_text (sheet, row, 0, _("Rows"), bold);
  worksheet_write_number (sheet, row++, 1, n_rows, NULL);
  write_text (sheet, row, 0, _("Exported"), bold);
  write_text (sheet, row++, 1, exported_at, NULL);
}

static gboolean
write_workbook (MusterExport   *self,
                GPtrArray      *items,
                guint           n_columns,
                CellTextFunc    cell_text,
                const char    **titles,
                const char     *sheet_name,
                gboolean        with_filter,
                const char     *path,
                GCancellable   *cancellable,
                GError        **error)
{
  g_autoptr(GString) scratch = g_string_new (NULL);
  g_autofree char *tmpdir = g_strdup (g_get_tmp_dir ());
  g_autofree double *widths = g_new0 (double, n_columns);
  lxw_workbook_options options = { .constant_memory = LXW_TRUE, .tmpdir = tmpdir, .use_zip64 = LXW_FALSE };
  lxw_workbook *workbook;
  lxw_worksheet *sheet;
  lxw_format *bold;
  lxw_error status = LXW_NO_ERROR;
  gboolean cancelled = FALSE;
  goffset row_bytes = 0;
  int saved_errno;

  if (items->len + 1 > LXW_ROW_MAX)
    {
      g_set_error (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_UNSUPPORTED,
                   _("An Excel sheet holds at most %d rows. Export as CSV instead."), LXW_ROW_MAX);
      return FALSE;
    }

  errno = 0;
  workbook = workbook_new_opt (path, &options);
  if (workbook == NULL)
    {
      set_xlsx_error (error, LXW_ERROR_CREATING_XLSX_FILE, errno);
      return FALSE;
    }
  sheet = workbook_add_worksheet (workbook, sheet_name);
  bold = workbook_add_format (workbook);
  format_set_bold (bold);

  for (guint c = 0; c < n_columns; c++)
    widths[c] = MAX (MIN_WIDTH, text_width (titles[c]) + 2);
  for (guint i = 0; i < items->len && i < WIDTH_SAMPLE_ROWS; i++)
    for (guint c = 0; c < n_columns; c++)
      widths[c] = MAX (widths[c], text_width (cell_text (self, g_ptr_array_index (items, i), c, scratch)) + 1);
  for (guint c = 0; c < n_columns; c++)
    worksheet_set_column (sheet, c, c, MIN (widths[c], MAX_WIDTH), NULL);

  for (guint c = 0; c < n_columns && status == LXW_NO_ERROR; c++)
    status = write_text (sheet, 0, c, titles[c], bold);
  worksheet_freeze_panes (sheet, 1, 0);
  worksheet_autofilter (sheet, 0, 0, items->len, n_columns - 1);

  for (guint i = 0; i < items->len && status == LXW_NO_ERROR; i++)
    {
      gpointer item = g_ptr_array_index (items, i);

      for (guint c = 0; c < n_columns && status == LXW_NO_ERROR; c++)
        status = write_text (sheet, i + 1, c, cell_text (self, item, c, scratch), NULL);
      if (i % CANCEL_CHECK_ROWS == 0 && g_cancellable_is_cancelled (cancellable))
        {
          cancelled = TRUE;
          break;
        }
    }

  add_about_sheet (self, workbook, bold, items->len, with_filter);

  /* In constant_memory mode the sheet's FILE is the temporary file holding the rows. */
  if (status == LXW_NO_ERROR && !cancelled)
    {
      if (!check_stream (sheet->file, error))
        {
          workbook_close (workbook);
          return FALSE;
        }
      row_bytes = ftello (sheet->file);
    }

  /* workbook_close() frees the workbook whatever happens, and is where the zip is written. */
  errno = 0;
  if (status == LXW_NO_ERROR)
    status = workbook_close (workbook);
  else
    workbook_close (workbook);
  saved_errno = errno;

  if (cancelled)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The export was cancelled."));
      return FALSE;
    }
  if (status != LXW_NO_ERROR)
    {
      set_xlsx_error (error, status, saved_errno);
      return FALSE;
    }
  return check_member_size (path, "xl/worksheets/sheet1.xml", row_bytes, error);
}

static const char *
user_cell (MusterExport *self,
           gpointer      item,
           guint         column,
           GString      *scratch)
{
  guint n_columns;
  const MusterExportColumn *columns = _muster_export_columns (self, &n_columns);

  return _muster_export_user_text (self, item, columns[column], scratch);
}

static const char *
group_cell (MusterExport *self,
            gpointer      item,
            guint         column,
            GString      *scratch)
{
  return _muster_export_group_text (item, column, scratch);
}

gboolean
_muster_export_xlsx_users (MusterExport   *self,
                           GPtrArray      *users,
                           const char     *path,
                           GCancellable   *cancellable,
                           GError        **error)
{
  guint n_columns;
  const MusterExportColumn *columns = _muster_export_columns (self, &n_columns);
  g_autofree const char **titles = g_new0 (const char *, n_columns);

  for (guint c = 0; c < n_columns; c++)
    titles[c] = muster_export_column_get_title (columns[c]);
  return write_workbook (self, users, n_columns, user_cell, titles, _("Users"), TRUE, path,
                         cancellable, error);
}

gboolean
_muster_export_xlsx_groups (MusterExport   *self,
                            GPtrArray      *groups,
                            const char     *path,
                            GCancellable   *cancellable,
                            GError        **error)
{
  const char *titles[MUSTER_EXPORT_N_GROUP_COLUMNS];

  for (MusterExportGroupColumn c = 0; c < MUSTER_EXPORT_N_GROUP_COLUMNS; c++)
    titles[c] = _muster_export_group_column_title (c);
  return write_workbook (self, groups, MUSTER_EXPORT_N_GROUP_COLUMNS, group_cell, titles, _("Groups"), FALSE,
                         path, cancellable, error);
}

/* A plain table ------------------------------------------------------------------------ */

gboolean
muster_export_write_table_xlsx (const char         *output,
                                const char         *sheet_name,
                                const char * const *headers,
                                guint               n_columns,
                                GPtrArray          *rows,
                                GError            **error)
{
  g_autofree char *dir = g_path_get_dirname (output);
  g_autofree char *base = g_path_get_basename (output);
  g_autofree char *tmp_name = g_strdup_printf (".%s.XXXXXX", base);
  g_autofree char *tmp_path = g_build_filename (dir, tmp_name, NULL);
  lxw_workbook_options options = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
  lxw_workbook *workbook;
  lxw_worksheet *sheet;
  lxw_format *bold;
  lxw_error status = LXW_NO_ERROR;
  int fd;

  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not write in “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);

  workbook = workbook_new_opt (tmp_path, &options);
  if (workbook == NULL)
    {
      g_unlink (tmp_path);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, _("Could not create the workbook “%s”"), output);
      return FALSE;
    }
  sheet = workbook_add_worksheet (workbook, sheet_name);
  bold = workbook_add_format (workbook);
  format_set_bold (bold);
  for (guint c = 0; c < n_columns && status == LXW_NO_ERROR; c++)
    status = worksheet_write_string (sheet, 0, c, headers[c], bold);
  for (guint r = 0; r < rows->len && status == LXW_NO_ERROR; r++)
    {
      char **row = g_ptr_array_index (rows, r);

      /* typed strings: a spreadsheet never runs them as formulas */
      for (guint c = 0; c < n_columns && status == LXW_NO_ERROR; c++)
        if (row[c] != NULL && row[c][0] != '\0')
          status = worksheet_write_string (sheet, r + 1, c, row[c], NULL);
    }
  if (status == LXW_NO_ERROR)
    status = workbook_close (workbook);
  else
    workbook_close (workbook);

  if (status != LXW_NO_ERROR || g_rename (tmp_path, output) != 0)
    {
      g_unlink (tmp_path);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, _("Could not write the workbook “%s”: %s"), output,
                   status != LXW_NO_ERROR ? lxw_strerror (status) : g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}
