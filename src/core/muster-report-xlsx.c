/* muster-report-xlsx.c: a report as an Excel workbook — Summary, the main table, Changes
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-report"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "muster-export-private.h"
#include "muster-report-private.h"

/* As in the users export (muster-export-xlsx.c): worksheet_write_string() stores typed string
 * cells, never formulas, so no quote prefix is needed; literal "_xHHHH_" in a value gets its
 * underscore escaped as _x005F_ (ECMA-376 Part 1 §22.9.2.19, ST_Xstring) so Excel shows it as
 * written; cells are cut at Excel's 32,767 characters ("Excel specifications and limits").
 * constant_memory streams each sheet's rows to a temporary file, so large plans need little
 * memory; each sheet is written top to bottom, as that mode requires. */

#define XLSX_CELL_MAX_CHARS 32767
#define WIDTH_SAMPLE_ROWS 500
#define MIN_WIDTH 8.0
#define MAX_WIDTH 60.0
#define CANCEL_CHECK_ROWS 1024

static double
text_width (const char *text)
{
  double width = 0, line = 0;

  if (text == NULL)
    return 0;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n')
        {
          width = MAX (width, line);
          line = 0;
          continue;
        }
      line += g_unichar_iswide (c) ? 2 : 1;
    }
  return MIN (MAX (width, line), MAX_WIDTH);
}

static char *
escape_literal_escapes (const char *value)
{
  GString *out = NULL;
  const char *copied = value;
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
  g_autofree char *escaped = NULL;
  g_autofree char *cut = NULL;

  if (value == NULL || value[0] == '\0')
    return LXW_NO_ERROR;
  /* the report holds valid UTF-8 only (muster_report_add_row) */
  if (G_UNLIKELY (strstr (value, "_x") != NULL) && (escaped = escape_literal_escapes (value)) != NULL)
    value = escaped;
  if (G_UNLIKELY (strlen (value) > XLSX_CELL_MAX_CHARS && g_utf8_strlen (value, -1) > XLSX_CELL_MAX_CHARS))
    value = cut = g_utf8_substring (value, 0, XLSX_CELL_MAX_CHARS);
  return worksheet_write_string (sheet, row, col, value, format);
}

static void
set_xlsx_error (GError     **error,
                lxw_error    code,
                int          saved_errno)
{
  g_autoptr(GError) cause = NULL;

  if (saved_errno != 0)
    cause = g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s (%s)",
                         lxw_strerror (code), g_strerror (saved_errno));
  else
    cause = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "%s", lxw_strerror (code));
  _muster_export_set_write_error (error, cause, NULL);
}

/* Sheet names: at most 31 characters, none of []:*?/\ (Excel's rules). */
static char *
sheet_name (const char *name)
{
  g_autofree char *cut = g_utf8_substring (name, 0, MIN (g_utf8_strlen (name, -1), 31));

  g_strdelimit (cut, "[]:*?/\\", '_');
  return g_steal_pointer (&cut);
}

static lxw_error
write_table (lxw_worksheet       *sheet,
             lxw_format          *bold,
             lxw_format          *wrap,
             guint                n_columns,
             const char * const  *titles,
             guint                n_rows,
             const char * const *(*get_row) (MusterReport *, guint),
             MusterReport        *report,
             GCancellable        *cancellable,
             gboolean            *cancelled)
{
  g_autofree double *widths = g_new0 (double, n_columns);
  lxw_error status = LXW_NO_ERROR;

  for (guint c = 0; c < n_columns; c++)
    widths[c] = MAX (MIN_WIDTH, text_width (titles[c]) + 2);
  for (guint i = 0; i < n_rows && i < WIDTH_SAMPLE_ROWS; i++)
    {
      const char * const *cells = get_row (report, i);

      for (guint c = 0; c < n_columns; c++)
        widths[c] = MAX (widths[c], text_width (cells[c]) + 1);
    }
  for (guint c = 0; c < n_columns; c++)
    worksheet_set_column (sheet, c, c, MIN (widths[c], MAX_WIDTH), wrap);

  for (guint c = 0; c < n_columns && status == LXW_NO_ERROR; c++)
    status = write_text (sheet, 0, c, titles[c], bold);
  worksheet_freeze_panes (sheet, 1, 0);
  if (n_columns > 0)
    worksheet_autofilter (sheet, 0, 0, n_rows, n_columns - 1);

  for (guint i = 0; i < n_rows && status == LXW_NO_ERROR; i++)
    {
      const char * const *cells = get_row (report, i);

      for (guint c = 0; c < n_columns && status == LXW_NO_ERROR; c++)
        status = write_text (sheet, i + 1, c, cells[c], NULL);
      if (i % CANCEL_CHECK_ROWS == 0 && g_cancellable_is_cancelled (cancellable))
        {
          *cancelled = TRUE;
          break;
        }
    }
  return status;
}

static const char * const *
main_row (MusterReport *report,
          guint         index)
{
  return muster_report_get_row (report, index, NULL);
}

gboolean
_muster_report_write_xlsx (MusterReport  *self,
                           const char    *path,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autofree char *tmpdir = g_strdup (g_get_tmp_dir ());
  lxw_workbook_options options = { .constant_memory = LXW_TRUE, .tmpdir = tmpdir, .use_zip64 = LXW_FALSE };
  const char *change_titles[] = { _("Display name"), _("User principal name"), _("Field"), _("Before"), _("After") };
  guint n_columns = muster_report_get_n_columns (self);
  guint n_rows = muster_report_get_n_rows (self);
  g_autofree const char **titles = g_new0 (const char *, n_columns + 1);
  g_autofree char *summary_name = sheet_name (_("Summary"));
  g_autofree char *table_name = sheet_name (muster_report_get_table_name (self));
  g_autofree char *changes_name = sheet_name (_("Changes"));
  lxw_workbook *workbook;
  lxw_worksheet *sheet;
  lxw_format *bold, *title, *wrap;
  lxw_error status = LXW_NO_ERROR;
  gboolean cancelled = FALSE;
  lxw_row_t row = 0;
  int saved_errno;

  if (n_rows + 1 > LXW_ROW_MAX || muster_report_get_n_changes (self) + 1 > LXW_ROW_MAX)
    {
      g_set_error (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_UNSUPPORTED,
                   _("An Excel sheet holds at most %d rows. Save the report as CSV instead."), LXW_ROW_MAX);
      return FALSE;
    }

  errno = 0;
  workbook = workbook_new_opt (path, &options);
  if (workbook == NULL)
    {
      set_xlsx_error (error, LXW_ERROR_CREATING_XLSX_FILE, errno);
      return FALSE;
    }
  bold = workbook_add_format (workbook);
  format_set_bold (bold);
  title = workbook_add_format (workbook);
  format_set_bold (title);
  format_set_font_size (title, 14);
  wrap = workbook_add_format (workbook);
  format_set_text_wrap (wrap);
  format_set_align (wrap, LXW_ALIGN_VERTICAL_TOP);

  /* Summary: the header a printed report starts with */
  sheet = workbook_add_worksheet (workbook, summary_name);
  worksheet_set_column (sheet, 0, 0, 22, NULL);
  worksheet_set_column (sheet, 1, 1, 90, NULL);
  write_text (sheet, row++, 0, muster_report_get_title (self), title);
  row++;
  for (guint i = 0; i < muster_report_get_n_details (self); i++)
    {
      const char *label, *value;

      muster_report_get_detail (self, i, &label, &value);
      write_text (sheet, row, 0, label, bold);
      write_text (sheet, row++, 1, value, NULL);
    }
  row++;
  write_text (sheet, row++, 0, _("Totals"), title);
  for (guint i = 0; i < muster_report_get_n_totals (self); i++)
    {
      const char *label;
      guint value;

      muster_report_get_total (self, i, &label, &value);
      write_text (sheet, row, 0, label, bold);
      worksheet_write_number (sheet, row++, 1, value, NULL);
    }

  for (guint c = 0; c < n_columns; c++)
    titles[c] = muster_report_get_column_title (self, c);
  sheet = workbook_add_worksheet (workbook, table_name);
  status = write_table (sheet, bold, wrap, n_columns, titles, n_rows, main_row, self, cancellable, &cancelled);

  if (status == LXW_NO_ERROR && !cancelled && muster_report_get_n_changes (self) > 0)
    {
      sheet = workbook_add_worksheet (workbook, changes_name);
      status = write_table (sheet, bold, wrap, G_N_ELEMENTS (change_titles), change_titles,
                            muster_report_get_n_changes (self), _muster_report_get_change, self,
                            cancellable, &cancelled);
    }

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
  return TRUE;
}
