/* muster-export-csv.c: users and groups as RFC 4180 CSV that spreadsheets open safely
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-export"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-export-private.h"

/* RFC 4180 §2: records end with CRLF; a field holding a comma, a double quote, CR or LF is
 * enclosed in double quotes, and a double quote inside it is doubled. The text is UTF-8 (RFC 4180
 * §3 gives text/csv a charset parameter; Excel only believes it with the optional BOM).
 *
 * Formula injection: a spreadsheet runs a cell that starts with = + - @ as a formula, and tab or
 * CR can hide such a start. OWASP's advice (https://owasp.org/www-community/attacks/CSV_Injection)
 * is to prefix those cells with a single quote, which Excel and LibreOffice show as plain text,
 * and to quote the field. Directory data comes from anyone who can edit a profile, so every cell
 * gets this treatment, names and phone numbers ("+44 …") alike. */

static const char utf8_bom[] = "\xEF\xBB\xBF";

static inline gboolean
starts_like_formula (const char *value)
{
  switch (value[0])
    {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
      return TRUE;
    default:
      return FALSE;
    }
}

void
_muster_export_csv_append_cell (GString    *out,
                                const char *value)
{
  g_autofree char *valid = NULL;
  gboolean neutralise;
  const char *p;

  if (value == NULL || value[0] == '\0')
    return;
  /* Snapshot strings come from JSON and are UTF-8, but a file is no place to find out. */
  if (G_UNLIKELY (!g_utf8_validate (value, -1, NULL)))
    value = valid = g_utf8_make_valid (value, -1);

  neutralise = starts_like_formula (value);
  if (!neutralise && strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (out, value);
      return;
    }

  g_string_append_c (out, '"');
  if (neutralise)
    g_string_append_c (out, '\'');
  for (p = value; *p != '\0';)
    {
      const char *quote = strchr (p, '"');

      if (quote == NULL)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, quote - p + 1);
      g_string_append_c (out, '"');
      p = quote + 1;
    }
  g_string_append_c (out, '"');
}

static void
append_filter_row (MusterExport *self,
                   GString      *out)
{
  g_autofree char *time = _muster_export_format_time (_muster_export_get_snapshot_time (self));
  const char *description = _muster_export_get_filter_description (self);
  const char *tenant = _muster_export_get_tenant (self);
  g_autofree char *text = NULL;

  /* One cell, so a reader that skips the first row loses nothing else. */
  text = g_strdup_printf (_("Muster export. Tenant: %s. Snapshot: %s. Filter: %s"),
                          tenant != NULL ? tenant : _("unknown"),
                          time != NULL ? time : _("unknown"),
                          description != NULL ? description : _("all users"));
  _muster_export_csv_append_cell (out, text);
  g_string_append (out, "\r\n");
}

gboolean
_muster_export_csv_users (MusterExport   *self,
                          GPtrArray      *users,
                          GOutputStream  *stream,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_autoptr(GString) scratch = g_string_new (NULL);
  const MusterExportColumn *columns;
  MusterExportSink sink;
  guint n_columns;

  columns = _muster_export_columns (self, &n_columns);
  _muster_export_sink_init (&sink, stream, cancellable);

  if (_muster_export_get_csv_bom (self))
    g_string_append (sink.buffer, utf8_bom);
  if (_muster_export_get_csv_filter_row (self))
    append_filter_row (self, sink.buffer);

  for (guint c = 0; c < n_columns; c++)
    {
      if (c > 0)
        g_string_append_c (sink.buffer, ',');
      _muster_export_csv_append_cell (sink.buffer, muster_export_column_get_title (columns[c]));
    }
  g_string_append (sink.buffer, "\r\n");

  for (guint i = 0; i < users->len; i++)
    {
      MusterUser *user = g_ptr_array_index (users, i);

      for (guint c = 0; c < n_columns; c++)
        {
          if (c > 0)
            g_string_append_c (sink.buffer, ',');
          _muster_export_csv_append_cell (sink.buffer, _muster_export_user_text (self, user, columns[c], scratch));
        }
      g_string_append (sink.buffer, "\r\n");
      if (!_muster_export_sink_maybe_flush (&sink))
        break;
    }

  return _muster_export_sink_finish (&sink, error);
}

gboolean
_muster_export_csv_groups (MusterExport   *self,
                           GPtrArray      *groups,
                           GOutputStream  *stream,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_autoptr(GString) scratch = g_string_new (NULL);
  MusterExportSink sink;

  _muster_export_sink_init (&sink, stream, cancellable);

  if (_muster_export_get_csv_bom (self))
    g_string_append (sink.buffer, utf8_bom);
  if (_muster_export_get_csv_filter_row (self))
    append_filter_row (self, sink.buffer);

  for (MusterExportGroupColumn c = 0; c < MUSTER_EXPORT_N_GROUP_COLUMNS; c++)
    {
      if (c > 0)
        g_string_append_c (sink.buffer, ',');
      _muster_export_csv_append_cell (sink.buffer, _muster_export_group_column_title (c));
    }
  g_string_append (sink.buffer, "\r\n");

  for (guint i = 0; i < groups->len; i++)
    {
      MusterGroup *group = g_ptr_array_index (groups, i);

      for (MusterExportGroupColumn c = 0; c < MUSTER_EXPORT_N_GROUP_COLUMNS; c++)
        {
          if (c > 0)
            g_string_append_c (sink.buffer, ',');
          _muster_export_csv_append_cell (sink.buffer, _muster_export_group_text (group, c, scratch));
        }
      g_string_append (sink.buffer, "\r\n");
      if (!_muster_export_sink_maybe_flush (&sink))
        break;
    }

  return _muster_export_sink_finish (&sink, error);
}

void
muster_export_append_csv_cell (GString    *out,
                               const char *value)
{
  g_return_if_fail (out != NULL);
  _muster_export_csv_append_cell (out, value);
}
