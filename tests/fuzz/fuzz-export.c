/* fuzz-export.c: users built from fuzzed strings, exported to CSV and JSON and read back
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A property check, not only "no crash". The input's first byte picks the options (BOM, filter
 * row, email method); the rest is up to 8 users separated by 0x1D, each a list of NUL-separated
 * fields in MusterUserFields order, the list columns split further on 0x1E. Both exports go to
 * memory and are parsed back: the CSV with the strict RFC 4180 reader below, the JSON with
 * json-glib. Every cell must come back as muster_export_dup_user_text() gave it, made valid
 * UTF-8, and in CSV with a single quote before every formula start (= + - @ tab CR at the start
 * of the value or after , ; tab CR LF and any spaces and double quotes, muster-export-csv.c):
 * nothing else may change, so no value is ever lost or split. And the file split naively on
 * , ; or tab, line by line, holds no cell that starts with = + - @.
 */

#include "config.h"

#include "fuzz-common.h"
#include "muster-export-private.h"
#include "muster-user-private.h"

#define MAX_USERS 8

/* ---- a strict RFC 4180 reader ---- */

/* Records of fields; FALSE when the text is not well-formed RFC 4180 (a quote inside an unquoted
 * field, text after a closing quote, a bare CR or LF, a missing final CRLF). */
static gboolean
read_csv (const char *text,
          gsize       length,
          GPtrArray  *records)
{
  const char *p = text;
  const char *end = text + length;

  while (p < end)
    {
      GPtrArray *record = g_ptr_array_new_with_free_func (g_free);

      g_ptr_array_add (records, record);
      for (;;)
        {
          GString *field = g_string_new (NULL);

          if (p < end && *p == '"')
            {
              for (p++;; p++)
                {
                  if (p >= end)
                    return g_string_free (field, TRUE), FALSE;
                  if (*p == '"' && p + 1 < end && p[1] == '"')
                    g_string_append_c (field, *p++);
                  else if (*p == '"')
                    break;
                  else
                    g_string_append_c (field, *p);
                }
              p++;
            }
          else
            {
              for (; p < end && *p != ',' && *p != '\r'; p++)
                {
                  if (*p == '"' || *p == '\n')
                    return g_string_free (field, TRUE), FALSE;
                  g_string_append_c (field, *p);
                }
            }
          g_ptr_array_add (record, g_string_free (field, FALSE));

          if (p < end && *p == ',')
            {
              p++;
              continue;
            }
          if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
            {
              p += 2;
              break;
            }
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- what a cell must read ---- */

static gboolean
starts_like_formula (char c)
{
  return c != '\0' && strchr ("=+-@\t\r", c) != NULL;
}

/* Whether a reader could start a cell at text[i]: at the start, or after , ; tab CR LF, with only
 * spaces and double quotes between (the ones a lenient reader strips). */
static gboolean
could_start_cell (const char *text,
                  gsize       i)
{
  while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '"'))
    i--;
  return i == 0 || strchr (",;\t\r\n", text[i - 1]) != NULL;
}

static char *
expected_csv_cell (const char *text)
{
  g_autofree char *valid = NULL;
  GString *expected;

  if (text == NULL || *text == '\0')
    return g_strdup ("");
  valid = g_utf8_make_valid (text, -1);
  expected = g_string_new (NULL);
  for (gsize i = 0; valid[i] != '\0'; i++)
    {
      if (starts_like_formula (valid[i]) && could_start_cell (valid, i))
        g_string_append_c (expected, '\'');
      g_string_append_c (expected, valid[i]);
    }
  return g_string_free (expected, FALSE);
}

/* Splits @text into lines at LF (and CR), each line at @separator, ignoring quotes, as the
 * crudest reader would: no field may start a formula. */
static void
check_naive_split (const char *text,
                   gsize       length,
                   char        separator)
{
  gboolean field_start = TRUE;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (field_start)
        g_assert_false (c == '=' || c == '+' || c == '-' || c == '@');
      field_start = c == separator || c == '\n' || c == '\r';
    }
}

static void
assert_json_string (JsonNode   *node,
                    const char *text)
{
  g_autofree char *valid = NULL;

  g_assert_nonnull (node);
  if (text == NULL)
    {
      g_assert_true (JSON_NODE_HOLDS_NULL (node));
      return;
    }
  valid = g_utf8_make_valid (text, -1);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpstr (json_node_get_string (node), ==, valid);
}

/* ---- users from the input ---- */

static char **
split_list (const char *text)
{
  return text != NULL && *text != '\0' ? g_strsplit (text, "\x1e", 16) : NULL;
}

static MusterUser *
user_from_bytes (const char *data,
                 gsize       size)
{
  MusterUserFields fields = { 0 };
  const char *scalars[15] = { NULL };
  g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) phones = NULL, mails = NULL, proxies = NULL, licences = NULL;
  const char *p = data, *end = data + size;
  guint n = 0;

  while (p < end)
    {
      const char *nul = memchr (p, '\0', end - p);
      const char *stop = nul != NULL ? nul : end;

      g_ptr_array_add (pieces, g_strndup (p, stop - p));
      p = stop + 1;
    }
  /* an empty piece stands for an absent member, so both reach the writers */
  for (; n < G_N_ELEMENTS (scalars) && n < pieces->len; n++)
    {
      const char *piece = g_ptr_array_index (pieces, n);

      scalars[n] = *piece != '\0' ? piece : NULL;
    }
  if (pieces->len > 15)
    phones = split_list (g_ptr_array_index (pieces, 15));
  if (pieces->len > 16)
    mails = split_list (g_ptr_array_index (pieces, 16));
  if (pieces->len > 17)
    proxies = split_list (g_ptr_array_index (pieces, 17));
  if (pieces->len > 18)
    licences = split_list (g_ptr_array_index (pieces, 18));

  fields.id = scalars[0];
  fields.display_name = scalars[1];
  fields.given_name = scalars[2];
  fields.surname = scalars[3];
  fields.user_principal_name = scalars[4];
  fields.mail = scalars[5];
  fields.job_title = scalars[6];
  fields.department = scalars[7];
  fields.company_name = scalars[8];
  fields.employee_id = scalars[9];
  fields.office_location = scalars[10];
  fields.mobile_phone = scalars[11];
  fields.user_type = scalars[12];
  fields.created = scalars[13];
  fields.manager_id = scalars[14];
  fields.business_phones = (const char * const *) phones;
  fields.other_mails = (const char * const *) mails;
  fields.proxy_addresses = (const char * const *) proxies;
  fields.assigned_licenses = (const char * const *) licences;
  fields.account_enabled = size % 2 == 0;
  fields.on_premises_sync_enabled = size % 3 == 0;
  return _muster_user_new (&fields);
}

static GBytes *
export_users (MusterExport *export,
              GListStore   *users)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (muster_export_write_users_to_stream (export, G_LIST_MODEL (users), stream, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (stream, NULL, NULL);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (stream));
}

static void
check_csv (MusterExport *export,
           GListStore   *users,
           gboolean      bom,
           gboolean      filter_row,
           const MusterExportColumn *columns,
           guint         n_columns)
{
  g_autoptr(GBytes) bytes = export_users (export, users);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  gsize length;
  const char *text = g_bytes_get_data (bytes, &length);
  guint n_users = g_list_model_get_n_items (G_LIST_MODEL (users));
  guint first = 0;

  if (bom)
    {
      g_assert_true (length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0);
      text += 3, length -= 3;
    }
  g_assert_true (g_utf8_validate (text, length, NULL));
  check_naive_split (text, length, ',');
  check_naive_split (text, length, ';');
  check_naive_split (text, length, '\t');
  g_assert_true (read_csv (text, length, records));
  g_assert_cmpuint (records->len, ==, n_users + 1 + (filter_row ? 1 : 0));

  if (filter_row)
    g_assert_cmpuint (((GPtrArray *) g_ptr_array_index (records, first++))->len, ==, 1);

  {
    GPtrArray *header = g_ptr_array_index (records, first++);

    g_assert_cmpuint (header->len, ==, n_columns);
    for (guint c = 0; c < n_columns; c++)
      {
        g_autofree char *expected = expected_csv_cell (muster_export_column_get_title (columns[c]));

        g_assert_cmpstr (g_ptr_array_index (header, c), ==, expected);
      }
  }

  for (guint i = 0; i < n_users; i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (G_LIST_MODEL (users), i);
      GPtrArray *record = g_ptr_array_index (records, first + i);

      g_assert_cmpuint (record->len, ==, n_columns);
      for (guint c = 0; c < n_columns; c++)
        {
          g_autofree char *text_value = muster_export_dup_user_text (export, user, columns[c]);
          g_autofree char *expected = expected_csv_cell (text_value);

          g_assert_cmpstr (g_ptr_array_index (record, c), ==, expected);
        }
    }
}

static void
check_json (MusterExport *export,
            GListStore   *users,
            const MusterExportColumn *columns,
            guint         n_columns)
{
  g_autoptr(GBytes) bytes = export_users (export, users);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint n_users = g_list_model_get_n_items (G_LIST_MODEL (users));
  JsonObject *root;
  JsonArray *rows;

  json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "count"), ==, n_users);
  rows = json_object_get_array_member (root, "users");
  g_assert_cmpuint (json_array_get_length (rows), ==, n_users);

  for (guint i = 0; i < n_users; i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (G_LIST_MODEL (users), i);
      JsonObject *row = json_array_get_object_element (rows, i);

      for (guint c = 0; c < n_columns; c++)
        {
          MusterExportColumn column = columns[c];
          JsonNode *node = json_object_get_member (row, muster_export_column_to_key (column));

          if (_muster_export_column_is_multi (column))
            {
              g_auto(GStrv) owned = NULL;
              const char * const *values = _muster_export_user_values (user, column, &owned);
              JsonArray *array = json_node_get_array (node);
              guint n_values = values != NULL ? g_strv_length ((char **) values) : 0;

              g_assert_cmpuint (json_array_get_length (array), ==, n_values);
              for (guint v = 0; v < n_values; v++)
                assert_json_string (json_array_get_element (array, v), values[v]);
            }
          else if (column != MUSTER_EXPORT_COLUMN_ACCOUNT_STATE && column != MUSTER_EXPORT_COLUMN_ACCOUNT_ENABLED
                   && column != MUSTER_EXPORT_COLUMN_ON_PREMISES_SYNC)
            {
              g_autofree char *text_value = muster_export_dup_user_text (export, user, column);

              assert_json_string (node, text_value);
            }
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GListStore) users = NULL;
  g_autoptr(MusterExport) csv = NULL;
  g_autoptr(MusterExport) json = NULL;
  MusterExportColumn columns[MUSTER_EXPORT_N_COLUMNS];
  const char *p, *end;
  guint8 options;
  gboolean bom, filter_row;
  MusterEmailMethod method;

  fuzz_init ();
  if (size == 0)
    return 0;

  options = data[0];
  bom = (options & 1) != 0;
  filter_row = (options & 2) != 0;
  method = ((options >> 2) & 3) % 3;

  users = g_list_store_new (MUSTER_TYPE_USER);
  p = (const char *) data + 1;
  end = (const char *) data + size;
  while (p <= end && g_list_model_get_n_items (G_LIST_MODEL (users)) < MAX_USERS)
    {
      const char *sep = memchr (p, '\x1d', end - p);
      const char *stop = sep != NULL ? sep : end;
      g_autoptr(MusterUser) user = user_from_bytes (p, stop - p);

      /* the manager's name and the licence names come from the snapshot: fuzz them as well */
      _muster_user_set_resolved (user, muster_user_get_given_name (user), muster_user_get_surname (user));
      g_list_store_append (users, user);
      p = stop + 1;
    }

  /* every column, in the order the input's options rotate them to */
  for (guint c = 0; c < MUSTER_EXPORT_N_COLUMNS; c++)
    columns[c] = (c + options / 16) % MUSTER_EXPORT_N_COLUMNS;

  csv = muster_export_new (MUSTER_EXPORT_FORMAT_CSV);
  muster_export_set_columns (csv, columns, MUSTER_EXPORT_N_COLUMNS);
  muster_export_set_email_method (csv, method);
  muster_export_set_csv_bom (csv, bom);
  muster_export_set_csv_filter_row (csv, filter_row);
  {
    g_autoptr(MusterUser) first = g_list_model_get_item (G_LIST_MODEL (users), 0);

    /* hostile text in the filter row too */
    muster_export_set_filter_description (csv, muster_user_get_display_name (first));
    muster_export_set_tenant (csv, muster_user_get_id (first));
    muster_export_set_snapshot_info (csv, size, (gint64) size * 1000003);
  }
  check_csv (csv, users, bom, filter_row, columns, MUSTER_EXPORT_N_COLUMNS);

  json = muster_export_new (MUSTER_EXPORT_FORMAT_JSON);
  muster_export_set_columns (json, columns, MUSTER_EXPORT_N_COLUMNS);
  muster_export_set_email_method (json, method);
  check_json (json, users, columns, MUSTER_EXPORT_N_COLUMNS);
  return 0;
}
