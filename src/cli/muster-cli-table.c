/* muster-cli-table.c: aligned columns for a terminal
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "muster-cli-private.h"

/* No column grows past this many terminal cells, so one long title does not push the rest away. */
#define MAX_COLUMN_WIDTH 40
#define MIN_COLUMN_WIDTH 6
#define COLUMN_GAP 2

/* Directory names are typed by anyone: an escape sequence would drive the admin's terminal and
 * a bidi override (U+202A–U+202E, U+2066–U+2069) would reorder what they read, so neither is
 * printed as is. CSV and JSON keep every character; this is only what is shown. */
static gboolean
is_unsafe (gunichar c)
{
  return g_unichar_iscntrl (c) ||
         (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) ||
         c == 0x200E || c == 0x200F || c == 0x061C;
}

static guint
char_width (gunichar c)
{
  if (g_unichar_iszerowidth (c))
    return 0;
  return g_unichar_iswide (c) ? 2 : 1;
}

static char *
make_printable (const char *text,
                guint      *width)
{
  GString *out = g_string_new (NULL);
  g_autofree char *valid = NULL;

  *width = 0;
  if (text == NULL)
    return g_string_free (out, FALSE);
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_unsafe (c))
        c = 0xFFFD;
      g_string_append_unichar (out, c);
      *width += char_width (c);
    }
  return g_string_free (out, FALSE);
}

static guint
terminal_width (MusterCliContext *cli)
{
  struct winsize size;
  const char *columns;
  guint64 value;

  if (isatty (fileno (cli->out)) && ioctl (fileno (cli->out), TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return size.ws_col;
  columns = g_getenv ("COLUMNS");
  if (columns != NULL && g_ascii_string_to_unsigned (columns, 10, 20, 10000, &value, NULL))
    return value;
  return 0;
}

static void
print_cell (MusterCliContext *cli,
            const char       *text,
            guint             text_width,
            guint             width,
            gboolean          last)
{
  guint used = 0;

  if (text_width <= width)
    {
      fputs (text, cli->out);
      used = text_width;
    }
  else
    {
      /* Room for the ellipsis. */
      for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
        {
          guint w = char_width (g_utf8_get_char (p));

          if (used + w > width - 1)
            break;
          fwrite (p, 1, g_utf8_next_char (p) - p, cli->out);
          used += w;
        }
      fputs ("…", cli->out);
      used++;
    }
  if (!last)
    for (; used < width + COLUMN_GAP; used++)
      fputc (' ', cli->out);
}

void
_muster_cli_print_table (MusterCliContext   *cli,
                         const char * const *headers,
                         guint               n_columns,
                         GPtrArray          *rows)
{
  g_autofree guint *widths = g_new0 (guint, n_columns);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) cell_widths = g_array_new (FALSE, FALSE, sizeof (guint));
  guint available = terminal_width (cli);
  guint total = 0;

  /* Row 0 is the header. */
  for (guint r = 0; r <= rows->len; r++)
    for (guint c = 0; c < n_columns; c++)
      {
        const char *text = r == 0 ? headers[c] : ((char **) g_ptr_array_index (rows, r - 1))[c];
        guint width;

        g_ptr_array_add (cells, make_printable (text, &width));
        g_array_append_val (cell_widths, width);
        widths[c] = MAX (widths[c], MIN (width, MAX_COLUMN_WIDTH));
      }

  for (guint c = 0; c < n_columns; c++)
    {
      widths[c] = MAX (widths[c], 1);
      total += widths[c] + (c > 0 ? COLUMN_GAP : 0);
    }
  /* Narrow the widest column, one cell at a time, until the table fits the terminal. */
  while (available > 0 && total > available)
    {
      guint widest = 0;

      for (guint c = 1; c < n_columns; c++)
        if (widths[c] > widths[widest])
          widest = c;
      if (widths[widest] <= MIN_COLUMN_WIDTH)
        break;
      widths[widest]--;
      total--;
    }

  for (guint r = 0; r <= rows->len; r++)
    {
      for (guint c = 0; c < n_columns; c++)
        {
          guint index = r * n_columns + c;

          print_cell (cli, g_ptr_array_index (cells, index), g_array_index (cell_widths, guint, index),
                      widths[c], c + 1 == n_columns);
        }
      fputc ('\n', cli->out);
    }
}
