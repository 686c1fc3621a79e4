/* muster-report-pdf.c: a report's pages — the header, the totals, a table whose header row repeats
 * on every page — laid out with Pango, drawn with cairo, written as PDF
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-report"

#include "config.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <glib/gi18n-lib.h>
#include <pango/pangocairo.h>

#include "muster-export.h"
#include "muster-report-pdf.h"

/* Everything is measured in PostScript points. Text is laid out at 72 dpi with hinting off, so
 * a PDF and a printer (GtkPrintOperation in points) break lines and pages at the same places
 * whatever the device. Pango shapes each paragraph by its own script and direction: Arabic or
 * Hebrew names run right to left and, with the layout's automatic direction, align to the
 * right of their cell; CJK comes from fontconfig's fallback fonts; PANGO_WRAP_WORD_CHAR breaks
 * a long name with no spaces (an address, an id) inside the word instead of overflowing. */

#define MARGIN 40.0
#define PAD_X 3.0
#define PAD_Y 2.5
#define GAP 10.0
#define TITLE_FONT "Sans Bold 15"
#define TEXT_FONT "Sans 9"
#define CELL_FONT "Sans 7.5"
#define HEAD_FONT "Sans Bold 7.5"
#define FOOT_FONT "Sans 7"

struct _MusterReportPages
{
  MusterReport *report;
  double        width;
  double        height;
  guint         n_columns;     /* printed ones */
  guint        *columns;       /* the report's index of each */
  double       *x;             /* left edge of each, from the left margin */
  double       *w;
  GArray       *rows;          /* of guint: the report's printed rows */
  GArray       *heights;       /* of double, one per printed row */
  double        head_height;   /* the table's header row */
  double        intro_height;  /* title, details and totals on the first page */
  double        foot_height;
  GArray       *starts;        /* of guint: first index into @rows of each page */
};

/* In a right-to-left report the columns run from the right, and text whose direction cannot be
 * told (numbers, addresses) follows the report's. */
static PangoContext *
create_context (cairo_t  *cr,
                gboolean  rtl)
{
  PangoContext *context = pango_cairo_create_context (cr);
  cairo_font_options_t *options = cairo_font_options_create ();

  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  cairo_font_options_destroy (options);
  pango_cairo_context_set_resolution (context, 72);
  pango_context_set_round_glyph_positions (context, FALSE);
  pango_context_set_base_dir (context, rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
  return context;
}

static PangoLayout *
create_layout (PangoContext *context,
               const char   *font,
               double        width)
{
  PangoLayout *layout = pango_layout_new (context);
  g_autoptr(PangoFontDescription) description = pango_font_description_from_string (font);

  pango_layout_set_font_description (layout, description);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_auto_dir (layout, TRUE);
  if (width > 0)
    pango_layout_set_width (layout, pango_units_from_double (width));
  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  int height;

  pango_layout_get_size (layout, NULL, &height);
  return pango_units_to_double (height);
}

/* The intro: title, "Label: value" lines, totals. With @cr it is drawn too. */
static double
intro (MusterReportPages *self,
       PangoContext      *context,
       cairo_t           *cr)
{
  MusterReport *report = self->report;
  double width = self->width - 2 * MARGIN;
  g_autoptr(PangoLayout) title = create_layout (context, TITLE_FONT, width);
  g_autoptr(PangoLayout) text = create_layout (context, TEXT_FONT, width);
  g_autoptr(GString) totals = g_string_new (NULL);
  double y = 0;

  pango_layout_set_text (title, muster_report_get_title (report), -1);
  if (cr != NULL)
    {
      cairo_move_to (cr, MARGIN, MARGIN + y);
      pango_cairo_show_layout (cr, title);
    }
  y += layout_height (title) + 6;

  for (guint i = 0; i < muster_report_get_n_details (report); i++)
    {
      const char *label, *value;
      g_autofree char *markup = NULL;

      muster_report_get_detail (report, i, &label, &value);
      /* Translators: a header line of a printed report: “Tenant: Contoso” */
      markup = g_markup_printf_escaped (_("<b>%s:</b> %s"), label, value);
      pango_layout_set_markup (text, markup, -1);
      if (cr != NULL)
        {
          cairo_move_to (cr, MARGIN, MARGIN + y);
          pango_cairo_show_layout (cr, text);
        }
      y += layout_height (text) + 1.5;
    }

  for (guint i = 0; i < muster_report_get_n_totals (report); i++)
    {
      const char *label;
      guint value;
      g_autofree char *part = NULL;

      muster_report_get_total (report, i, &label, &value);
      /* Translators: one of a report's totals: “Create 12” */
      part = g_markup_printf_escaped (_("%s <b>%u</b>"), label, value);
      if (totals->len > 0)
        g_string_append (totals, "   ·   ");
      g_string_append (totals, part);
    }
  if (muster_report_get_n_printed_rows (report) < muster_report_get_n_rows (report))
    {
      guint hidden = muster_report_get_n_rows (report) - muster_report_get_n_printed_rows (report);
      g_autofree char *note = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u unchanged user is not listed.",
                                                            "%u unchanged users are not listed.", hidden),
                                               hidden);
      g_autofree char *escaped = g_markup_escape_text (note, -1);

      g_string_append_printf (totals, "\n<i>%s</i>", escaped);
    }
  if (totals->len > 0)
    {
      y += 4;
      pango_layout_set_markup (text, totals->str, -1);
      if (cr != NULL)
        {
          cairo_move_to (cr, MARGIN, MARGIN + y);
          pango_cairo_show_layout (cr, text);
        }
      y += layout_height (text);
    }
  if (muster_report_get_n_printed_rows (report) == 0)
    {
      y += GAP;
      pango_layout_set_text (text, _("Nothing to list."), -1);
      if (cr != NULL)
        {
          cairo_move_to (cr, MARGIN, MARGIN + y);
          pango_cairo_show_layout (cr, text);
        }
      y += layout_height (text);
    }
  return y + GAP;
}

MusterReportPages *
muster_report_pages_new (MusterReport *report,
                         cairo_t      *cr,
                         double        width,
                         double        height)
{
  MusterReportPages *self;
  PangoContext *context;
  g_autoptr(PangoLayout) foot = NULL;
  g_autoptr(PangoLayout) head = NULL;
  PangoLayout **cells;
  GHashTable **heights;
  double total_weight = 0, x = 0, table_width, y, bottom;
  guint n_columns;

  g_return_val_if_fail (MUSTER_IS_REPORT (report), NULL);
  g_return_val_if_fail (cr != NULL, NULL);
  g_return_val_if_fail (width > 2 * MARGIN + 100 && height > 2 * MARGIN + 100, NULL);

  self = g_new0 (MusterReportPages, 1);
  self->report = g_object_ref (report);
  self->width = width;
  self->height = height;
  table_width = width - 2 * MARGIN;

  n_columns = muster_report_get_n_columns (report);
  self->columns = g_new0 (guint, MAX (n_columns, 1));
  self->x = g_new0 (double, MAX (n_columns, 1));
  self->w = g_new0 (double, MAX (n_columns, 1));
  for (guint c = 0; c < n_columns; c++)
    if (muster_report_get_column_weight (report, c) > 0)
      {
        self->columns[self->n_columns++] = c;
        total_weight += muster_report_get_column_weight (report, c);
      }
  for (guint i = 0; i < self->n_columns; i++)
    {
      self->x[i] = x;
      if (muster_report_get_right_to_left (report))
        self->x[i] = table_width - x - table_width * muster_report_get_column_weight (report, self->columns[i]) / total_weight;
      self->w[i] = table_width * muster_report_get_column_weight (report, self->columns[i]) / total_weight;
      x += self->w[i];
    }

  context = create_context (cr, muster_report_get_right_to_left (self->report));
  foot = create_layout (context, FOOT_FONT, table_width);
  pango_layout_set_text (foot, "0", -1);
  self->foot_height = layout_height (foot) + 6;
  self->intro_height = intro (self, context, NULL);

  head = create_layout (context, HEAD_FONT, 0);
  self->head_height = 0;
  for (guint i = 0; i < self->n_columns; i++)
    {
      pango_layout_set_width (head, pango_units_from_double (self->w[i] - 2 * PAD_X));
      pango_layout_set_text (head, muster_report_get_column_title (report, self->columns[i]), -1);
      self->head_height = MAX (self->head_height, layout_height (head) + 2 * PAD_Y);
    }

  /* Line breaking is most of the cost (some 150 µs a cell): a column's repeated texts (actions,
   * reasons, departments) are measured once, and empty cells not at all. The keys are the
   * report's own strings. */
  cells = g_new0 (PangoLayout *, MAX (self->n_columns, 1));
  heights = g_new0 (GHashTable *, MAX (self->n_columns, 1));
  for (guint i = 0; i < self->n_columns; i++)
    {
      cells[i] = create_layout (context, CELL_FONT, self->w[i] - 2 * PAD_X);
      heights[i] = g_hash_table_new (g_str_hash, g_str_equal);
    }

  self->rows = g_array_new (FALSE, FALSE, sizeof (guint));
  self->heights = g_array_new (FALSE, FALSE, sizeof (double));
  self->starts = g_array_new (FALSE, FALSE, sizeof (guint));
  bottom = height - MARGIN - self->foot_height;

  {
    guint zero = 0;

    g_array_append_val (self->starts, zero);
  }
  y = MARGIN + self->intro_height + self->head_height;
  for (guint r = 0; r < muster_report_get_n_rows (report); r++)
    {
      gboolean printed;
      const char * const *row = muster_report_get_row (report, r, &printed);
      double row_height = 0;

      if (!printed)
        continue;
      for (guint i = 0; i < self->n_columns; i++)
        {
          const char *text = row[self->columns[i]];
          int cell_height;

          if (*text == '\0')
            continue;
          /* stored plus one, so that a missing entry (NULL) tells itself apart */
          cell_height = GPOINTER_TO_INT (g_hash_table_lookup (heights[i], text)) - 1;
          if (cell_height < 0)
            {
              pango_layout_set_text (cells[i], text, -1);
              pango_layout_get_size (cells[i], NULL, &cell_height);
              g_hash_table_insert (heights[i], (gpointer) text, GINT_TO_POINTER (cell_height + 1));
            }
          row_height = MAX (row_height, pango_units_to_double (cell_height));
        }
      row_height += 2 * PAD_Y;
      /* a row taller than a whole page is cut at the page's end */
      row_height = MIN (row_height, bottom - MARGIN - self->head_height);

      if (y + row_height > bottom && self->rows->len > g_array_index (self->starts, guint, self->starts->len - 1))
        {
          g_array_append_val (self->starts, self->rows->len);
          y = MARGIN + self->head_height;
        }
      else if (y + row_height > bottom && self->rows->len == 0)
        {
          /* the intro filled the first page: the table starts on the second */
          g_array_append_val (self->starts, self->rows->len);
          y = MARGIN + self->head_height;
        }
      g_array_append_val (self->rows, r);
      g_array_append_val (self->heights, row_height);
      y += row_height;
    }

  for (guint i = 0; i < self->n_columns; i++)
    {
      g_object_unref (cells[i]);
      g_hash_table_unref (heights[i]);
    }
  g_free (cells);
  g_free (heights);
  g_object_unref (context);
  return self;
}

guint
muster_report_pages_get_n_pages (MusterReportPages *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->starts->len;
}

static void
draw_head (MusterReportPages *self,
           cairo_t           *cr,
           PangoLayout       *head,
           double             y)
{
  double table_width = self->width - 2 * MARGIN;

  cairo_set_source_rgb (cr, 0.90, 0.91, 0.93);
  cairo_rectangle (cr, MARGIN, y, table_width, self->head_height);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (guint i = 0; i < self->n_columns; i++)
    {
      pango_layout_set_width (head, pango_units_from_double (self->w[i] - 2 * PAD_X));
      pango_layout_set_text (head, muster_report_get_column_title (self->report, self->columns[i]), -1);
      cairo_move_to (cr, MARGIN + self->x[i] + PAD_X, y + PAD_Y);
      pango_cairo_show_layout (cr, head);
    }
  cairo_set_line_width (cr, 0.8);
  cairo_move_to (cr, MARGIN, y + self->head_height);
  cairo_line_to (cr, MARGIN + table_width, y + self->head_height);
  cairo_stroke (cr);
}

void
muster_report_pages_draw (MusterReportPages *self,
                          cairo_t           *cr,
                          guint              page)
{
  PangoContext *context;
  g_autoptr(PangoLayout) head = NULL;
  g_autoptr(PangoLayout) foot = NULL;
  g_autofree char *page_text = NULL;
  double table_width, y;
  guint first, last;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (page < self->starts->len);

  cairo_save (cr);
  context = create_context (cr, muster_report_get_right_to_left (self->report));
  table_width = self->width - 2 * MARGIN;
  cairo_set_source_rgb (cr, 0, 0, 0);

  y = MARGIN;
  if (page == 0)
    {
      intro (self, context, cr);
      y += self->intro_height;
    }

  first = g_array_index (self->starts, guint, page);
  last = page + 1 < self->starts->len ? g_array_index (self->starts, guint, page + 1) : self->rows->len;
  if (self->n_columns > 0 && first < last)
    {
      head = create_layout (context, HEAD_FONT, 0);
      draw_head (self, cr, head, y);
      y += self->head_height;
    }

  if (first < last)
    {
      /* a page's repeated texts (actions, reasons) are laid out once: per column, text → layout */
      g_autofree GHashTable **laid_out = g_new0 (GHashTable *, self->n_columns);
      double tallest = self->height - MARGIN - self->foot_height - MARGIN - self->head_height;

      for (guint i = 0; i < self->n_columns; i++)
        laid_out[i] = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
      cairo_set_line_width (cr, 0.3);
      for (guint index = first; index < last; index++)
        {
          const char * const *row = muster_report_get_row (self->report, g_array_index (self->rows, guint, index), NULL);
          double row_height = g_array_index (self->heights, double, index);
          /* only a row cut at the page's end needs clipping */
          gboolean clip = row_height >= tallest;

          if (clip)
            {
              cairo_save (cr);
              cairo_rectangle (cr, MARGIN, y, table_width, row_height);
              cairo_clip (cr);
            }
          for (guint i = 0; i < self->n_columns; i++)
            {
              const char *text = row[self->columns[i]];
              PangoLayout *layout;

              if (*text == '\0')
                continue;
              layout = g_hash_table_lookup (laid_out[i], text);
              if (layout == NULL)
                {
                  layout = create_layout (context, CELL_FONT, self->w[i] - 2 * PAD_X);
                  pango_layout_set_text (layout, text, -1);
                  g_hash_table_insert (laid_out[i], (gpointer) text, layout);
                }
              cairo_move_to (cr, MARGIN + self->x[i] + PAD_X, y + PAD_Y);
              pango_cairo_show_layout (cr, layout);
            }
          if (clip)
            cairo_restore (cr);
          y += row_height;
          cairo_set_source_rgb (cr, 0.75, 0.75, 0.78);
          cairo_move_to (cr, MARGIN, y);
          cairo_line_to (cr, MARGIN + table_width, y);
          cairo_stroke (cr);
          cairo_set_source_rgb (cr, 0, 0, 0);
        }
      for (guint i = 0; i < self->n_columns; i++)
        g_hash_table_unref (laid_out[i]);
    }

  /* the footer: the report's title at the start, the page at the end */
  foot = create_layout (context, FOOT_FONT, table_width);
  cairo_set_source_rgb (cr, 0.35, 0.35, 0.38);
  pango_layout_set_text (foot, muster_report_get_title (self->report), -1);
  cairo_move_to (cr, MARGIN, self->height - MARGIN - self->foot_height + 6);
  pango_cairo_show_layout (cr, foot);
  /* Translators: the footer of a printed report */
  page_text = g_strdup_printf (_("Page %u of %u"), page + 1, self->starts->len);
  pango_layout_set_text (foot, page_text, -1);
  pango_layout_set_alignment (foot, muster_report_get_right_to_left (self->report) ? PANGO_ALIGN_LEFT : PANGO_ALIGN_RIGHT);
  pango_layout_set_auto_dir (foot, FALSE);
  cairo_move_to (cr, MARGIN, self->height - MARGIN - self->foot_height + 6);
  pango_cairo_show_layout (cr, foot);
  g_clear_object (&foot);
  g_clear_object (&head);
  g_object_unref (context);
  cairo_restore (cr);
}

void
muster_report_pages_free (MusterReportPages *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->report);
  g_free (self->columns);
  g_free (self->x);
  g_free (self->w);
  g_array_unref (self->rows);
  g_array_unref (self->heights);
  g_array_unref (self->starts);
  g_free (self);
}

static void
set_cairo_error (GError         **error,
                 cairo_status_t   status,
                 int              saved_errno)
{
  g_autoptr(GError) cause = NULL;

  if (status == CAIRO_STATUS_WRITE_ERROR && saved_errno != 0)
    cause = g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s", g_strerror (saved_errno));
  else if (status == CAIRO_STATUS_WRITE_ERROR)
    cause = g_error_new (G_IO_ERROR, G_IO_ERROR_NO_SPACE, "%s", cairo_status_to_string (status));
  else
    cause = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "%s", cairo_status_to_string (status));

  g_debug ("PDF failed: %s", cause->message);
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    g_set_error_literal (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_NO_SPACE,
                         _("The disk is full, so the report was not saved. Free some space and try again."));
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    g_set_error (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_PERMISSION,
                 _("The report cannot be saved there: %s. Choose another folder."), cause->message);
  else
    g_set_error (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_WRITE,
                 _("The report could not be written: %s. Nothing was saved."), cause->message);
}

gboolean
muster_report_write_pdf_path (MusterReport       *report,
                              MusterReportPaper   paper,
                              const char         *path,
                              GCancellable       *cancellable,
                              GError            **error)
{
  g_autoptr(MusterReportPages) pages = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  double width, height;
  gboolean cancelled = FALSE;
  int saved_errno;

  g_return_val_if_fail (MUSTER_IS_REPORT (report), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  muster_report_paper_get_size (paper, &width, &height);
  errno = 0;
  surface = cairo_pdf_surface_create (path, width, height);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, muster_report_get_title (report));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Muster " PACKAGE_VERSION);
  cr = cairo_create (surface);

  pages = muster_report_pages_new (report, cr, width, height);
  for (guint page = 0; page < muster_report_pages_get_n_pages (pages); page++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          cancelled = TRUE;
          break;
        }
      muster_report_pages_draw (pages, cr, page);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  saved_errno = errno;
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (cancelled)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The export was cancelled."));
      return FALSE;
    }
  if (status != CAIRO_STATUS_SUCCESS)
    {
      set_cairo_error (error, status, saved_errno);
      return FALSE;
    }
  return TRUE;
}
