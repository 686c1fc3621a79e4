/* test-report.c: reports of a plan and of users — PDF pages checked with poppler's pdfinfo and
 * pdftotext (and rendered with pdftoppm to look at), the XLSX's sheets, the CSV
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The snapshot is written into a temporary cache.db from Graph-shaped JSON through the same
 * writer a fetch uses, then loaded back; the target's state is built by hand (plain data).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core-test-util.h"
#include "muster-plan.h"
#include "muster-report.h"
#include "muster-report-pdf.h"
#include "muster-snapshot-store.h"

#define N_PLAIN 140
#define LONG_NAME "Maximiliane Alexandra Konstantinopoulou-Wolfeschlegelsteinhausenberger"
#define LONG_UPN "maximiliane.alexandra.konstantinopoulou-wolfeschlegelsteinhausenberger@contoso.example"
#define ARABIC_NAME "ليلى عبد الرحمن"
#define CJK_NAME "山田 花子"
#define FORMULA_NAME "=HYPERLINK(\"http://evil.example\")"

static MusterSnapshot *tenant;
static char *tmp_dir;

static char *
user_json (guint        n,
           const char  *name,
           const char  *upn,
           const char  *title)
{
  return g_strdup_printf ("{\"id\":\"00000000-0000-4000-8000-%012u\",\"displayName\":\"%s\","
                          "\"userPrincipalName\":\"%s\",\"mail\":\"%s\",\"jobTitle\":\"%s\","
                          "\"userType\":\"Member\",\"accountEnabled\":true,\"assignedLicenses\":[]}",
                          n, name, upn, upn, title);
}

static char *
user_id (guint n)
{
  return g_strdup_printf ("00000000-0000-4000-8000-%012u", n);
}

static void
put_user (MusterSnapshotWriter *writer,
          const char           *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);
  g_autoptr(MusterUser) user = NULL;

  g_assert_no_error (error);
  user = muster_user_new_from_json (json_node_get_object (node));
  g_assert_true (muster_snapshot_writer_put_user (writer, user, &error));
  g_assert_no_error (error);
}

static MusterSnapshot *
write_and_load_tenant (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "cache.db", NULL);
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  MusterSnapshot *snapshot;
  gint64 id;

  store = muster_snapshot_store_open (path, &error);
  g_assert_no_error (error);
  writer = muster_snapshot_store_begin (store, "report", "11111111-2222-3333-4444-555555555555", &error);
  g_assert_no_error (error);

  /* user 1 is in the target with an old title: an update; the rest are new */
  for (guint n = 1; n <= N_PLAIN; n++)
    {
      g_autofree char *name = g_strdup_printf ("Person %03u Plain", n);
      g_autofree char *upn = g_strdup_printf ("person%03u@contoso.example", n);
      g_autofree char *json = user_json (n, n == 1 ? "Ann Archer" : name, n == 1 ? "ann@contoso.example" : upn,
                                         n == 1 ? "Manager" : "Engineer");

      put_user (writer, json);
    }
  {
    g_autofree char *a = user_json (N_PLAIN + 1, LONG_NAME, LONG_UPN, "Engineer");
    g_autofree char *b = user_json (N_PLAIN + 2, ARABIC_NAME, "layla@contoso.example", "مهندسة");
    g_autofree char *c = user_json (N_PLAIN + 3, CJK_NAME, "hanako@contoso.example", "技術者");
    g_autofree char *d = user_json (N_PLAIN + 4, "=HYPERLINK(\\\"http://evil.example\\\")", "eve@contoso.example",
                                    "+cmd|' /C calc'!A0");

    put_user (writer, a);
    put_user (writer, b);
    put_user (writer, c);
    put_user (writer, d);
  }

  id = muster_snapshot_writer_commit (writer, &error);
  g_assert_no_error (error);
  snapshot = muster_snapshot_store_load (store, id, &error);
  g_assert_no_error (error);
  return snapshot;
}

static MusterPlan *
make_plan (void)
{
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autofree char *ann = user_id (1);
  MusterTargetUser *user = muster_target_user_new ();
  MusterTargetUser *gone = muster_target_user_new ();

  user->id = g_strdup ("t-1");
  user->external_id = g_strdup (ann);
  user->user_name = g_strdup ("ann@contoso.example");
  user->active = TRUE;
  muster_target_user_set_attribute (user, MUSTER_ATTR_DISPLAY_NAME, "Ann Archer");
  muster_target_user_set_attribute (user, MUSTER_ATTR_EMAIL, "ann@contoso.example");
  muster_target_user_set_attribute (user, MUSTER_ATTR_TITLE, "Engineer");
  muster_target_state_add_user (state, user);
  muster_target_user_unref (user);

  /* managed by Muster, no longer in Entra: disabled */
  gone->id = g_strdup ("t-2");
  gone->external_id = g_strdup ("00000000-0000-4000-8000-0000000000ff");
  gone->user_name = g_strdup ("zed@contoso.example");
  gone->active = TRUE;
  muster_target_user_set_attribute (gone, MUSTER_ATTR_DISPLAY_NAME, "Zed Zimmer");
  muster_target_state_add_user (state, gone);
  muster_target_user_unref (gone);

  return muster_plan_new (tenant, rules, state, 0, NULL);
}

/* Tools ---------------------------------------------------------------------------------------- */

static gboolean
have_poppler (void)
{
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");

  if (pdftotext != NULL && pdfinfo != NULL)
    return TRUE;
  g_test_skip ("pdftotext and pdfinfo (poppler-utils, see build-aux/install-deps) are not installed");
  return FALSE;
}

static char *
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return out;
}

static guint
pdf_pages (const char *path,
           char      **size)
{
  const char *argv[] = { "pdfinfo", path, NULL };
  g_autofree char *info = run (argv);
  g_auto(GStrv) lines = g_strsplit (info, "\n", -1);
  guint pages = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "Pages:"))
        pages = atoi (lines[i] + 6);
      else if (g_str_has_prefix (lines[i], "Page size:") && size != NULL)
        *size = g_strdup (g_strstrip (lines[i] + 10));
    }
  return pages;
}

static char *
pdf_text (const char *path,
          int         page)
{
  g_autofree char *number = g_strdup_printf ("%d", page);
  const char *one[] = { "pdftotext", "-enc", "UTF-8", "-f", number, "-l", number, path, "-", NULL };
  const char *all[] = { "pdftotext", "-enc", "UTF-8", path, "-", NULL };

  return run (page > 0 ? one : all);
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* The first page as a PNG for a person to look at. */
static void
save_preview_png (const char *pdf,
                  const char *name)
{
  g_autofree char *pdftoppm = g_find_program_in_path ("pdftoppm");
  const char *build = g_getenv ("MUSTER_BUILD_DIR");
  g_autofree char *dir = NULL;
  g_autofree char *prefix = NULL;

  if (pdftoppm == NULL)
    return;
  /* beside the UI tests' screenshots, else in this test's folder (removed at the end) */
  if (g_getenv ("MUSTER_SCREENSHOT_DIR") != NULL)
    dir = g_strdup (g_getenv ("MUSTER_SCREENSHOT_DIR"));
  else if (build != NULL)
    dir = g_build_filename (build, "meson-logs", "screenshots", NULL);
  else
    dir = g_strdup (tmp_dir);
  g_mkdir_with_parents (dir, 0755);
  prefix = g_build_filename (dir, name, NULL);
  {
    const char *argv[] = { "pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", pdf, prefix, NULL };
    g_autofree char *out = run (argv);

    g_test_message ("rendered: %s-1.png", prefix);
  }
}

static char *
write_report (MusterReport       *report,
              MusterReportFormat  format,
              MusterReportPaper   paper,
              const char         *name)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (muster_report_write (report, format, paper, file, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* Tests ---------------------------------------------------------------------------------------- */

static void
test_plan_model (void)
{
  g_autoptr(MusterPlan) plan = make_plan ();
  MusterReportPlanContext context = { "Contoso", "work", "SQLite file /tmp/people.db", "admin@contoso.example" };
  g_autoptr(MusterReport) report = muster_report_new_for_plan (plan, &context);
  const char *label, *value;
  guint number;
  gboolean printed;
  const char * const *row;

  g_assert_cmpstr (muster_report_get_title (report), ==, "Sync Preview");
  muster_report_get_detail (report, 0, &label, &value);
  g_assert_cmpstr (label, ==, "Tenant");
  g_assert_cmpstr (value, ==, "Contoso");
  muster_report_get_total (report, 0, &label, &number);
  g_assert_cmpstr (label, ==, "Create");
  g_assert_cmpuint (number, ==, N_PLAIN - 1 + 4);
  muster_report_get_total (report, 1, &label, &number);
  g_assert_cmpuint (number, ==, 1);  /* Ann's title */
  muster_report_get_total (report, 2, &label, &number);
  g_assert_cmpuint (number, ==, 1);  /* Zed */

  /* every user is a row, creates first, then the update and the disable */
  g_assert_cmpuint (muster_report_get_n_rows (report), ==, N_PLAIN + 4 + 1);
  row = muster_report_get_row (report, N_PLAIN + 3, &printed);
  g_assert_cmpstr (row[0], ==, "Update");
  g_assert_cmpstr (row[1], ==, "Ann Archer");
  g_assert_nonnull (strstr (row[4], "Engineer → Manager"));
  g_assert_true (printed);
  row = muster_report_get_row (report, N_PLAIN + 4, NULL);
  g_assert_cmpstr (row[0], ==, "Disable");
  g_assert_cmpstr (row[2], ==, "zed@contoso.example");

  /* the Changes table holds Ann's field */
  g_assert_cmpuint (muster_report_get_n_changes (report), >=, 1);
}

static void
check_plan_pdf (MusterReportPaper  paper,
                const char        *name,
                const char        *expected_size)
{
  g_autoptr(MusterPlan) plan = make_plan ();
  MusterReportPlanContext context = { "Contoso", "work", "SQLite file /tmp/people.db", "admin@contoso.example" };
  g_autoptr(MusterReport) report = muster_report_new_for_plan (plan, &context);
  g_autofree char *path = NULL;
  g_autofree char *size = NULL;
  g_autofree char *text = NULL;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  guint pages;

  if (!have_poppler ())
    return;
  path = write_report (report, MUSTER_REPORT_FORMAT_PDF, paper, name);
  pages = pdf_pages (path, &size);
  g_test_message ("%s: %u pages, %s", name, pages, size);
  g_assert_nonnull (strstr (size, expected_size));
  /* 145 rows at ~50 a page */
  g_assert_cmpuint (pages, >=, 3);
  g_assert_cmpuint (pages, <=, 6);

  first = pdf_text (path, 1);
  g_assert_nonnull (strstr (first, "Sync Preview"));
  g_assert_nonnull (strstr (first, "Tenant: Contoso"));
  g_assert_nonnull (strstr (first, "Target: SQLite file /tmp/people.db"));
  g_assert_nonnull (strstr (first, "Create 143"));
  g_assert_nonnull (strstr (first, "Update 1"));
  g_assert_nonnull (strstr (first, "Disable 1"));
  g_assert_nonnull (strstr (first, "Page 1 of"));

  text = pdf_text (path, 0);
  /* the header row repeats on every page, and so does the footer */
  g_assert_cmpuint (count (text, "Display name"), ==, pages);
  g_assert_cmpuint (count (text, "Reason"), >=, pages);
  g_assert_cmpuint (count (text, "Page "), ==, pages);
  /* a user's row, and the update's change */
  g_assert_nonnull (strstr (text, "Person 077 Plain"));
  g_assert_nonnull (strstr (text, "person077@contoso.example"));
  g_assert_nonnull (strstr (text, "Engineer → Manager"));
  g_assert_nonnull (strstr (text, "zed@contoso.example"));
  /* a long name without spaces is broken inside its cell, not cut off */
  g_assert_nonnull (strstr (text, "Wolfeschlegel"));
  g_assert_nonnull (strstr (text, "contoso.example"));
  /* right-to-left text keeps its letters (pdftotext gives them back in logical order) */
  g_assert_nonnull (strstr (text, "عبد"));
  {
    g_autofree char *fc = g_find_program_in_path ("fc-list");
    const char *argv[] = { "fc-list", ":lang=ja", "family", NULL };
    g_autofree char *cjk_fonts = fc != NULL ? run (argv) : NULL;

    if (cjk_fonts != NULL && *cjk_fonts != '\0')
      g_assert_nonnull (strstr (text, "山田"));
    else
      g_test_message ("no CJK font installed: CJK text not checked");
  }
  /* every page but the last is full: the last page holds what is left */
  last = pdf_text (path, pages);
  g_assert_nonnull (strstr (last, "Display name"));

  save_preview_png (path, name);
}

static void
test_plan_pdf_a4 (void)
{
  check_plan_pdf (MUSTER_REPORT_PAPER_A4, "plan-a4.pdf", "595.276 x 841.89");
}

static void
test_plan_pdf_letter (void)
{
  check_plan_pdf (MUSTER_REPORT_PAPER_LETTER, "plan-letter.pdf", "612 x 792");
}

static void
test_pages_fit (void)
{
  g_autoptr(MusterPlan) plan = make_plan ();
  g_autoptr(MusterReport) report = muster_report_new_for_plan (plan, NULL);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 10, 10);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(MusterReportPages) a4 = NULL;
  g_autoptr(MusterReportPages) letter = NULL;
  g_autoptr(MusterReportPages) landscape = NULL;
  double w, h;

  muster_report_paper_get_size (MUSTER_REPORT_PAPER_A4, &w, &h);
  a4 = muster_report_pages_new (report, cr, w, h);
  landscape = muster_report_pages_new (report, cr, h, w);
  muster_report_paper_get_size (MUSTER_REPORT_PAPER_LETTER, &w, &h);
  letter = muster_report_pages_new (report, cr, w, h);
  /* A4 is taller than Letter; landscape has far fewer rows a page */
  g_assert_cmpuint (muster_report_pages_get_n_pages (a4), <=, muster_report_pages_get_n_pages (letter));
  g_assert_cmpuint (muster_report_pages_get_n_pages (landscape), >, muster_report_pages_get_n_pages (a4));
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
test_users_pdf (void)
{
  g_autoptr(MusterExport) export = muster_export_new (MUSTER_EXPORT_FORMAT_CSV);
  g_autoptr(MusterReport) report = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  guint pages;

  if (!have_poppler ())
    return;
  muster_export_set_context (export, tenant, NULL);
  muster_export_set_tenant (export, "Contoso");
  muster_export_set_filter_description (export, "Department is R&D");
  report = muster_report_new_for_users (export, muster_snapshot_get_users (tenant));
  g_assert_cmpuint (muster_report_get_n_rows (report), ==, N_PLAIN + 4);

  path = write_report (report, MUSTER_REPORT_FORMAT_PDF, MUSTER_REPORT_PAPER_LETTER, "users.pdf");
  pages = pdf_pages (path, NULL);
  g_assert_cmpuint (pages, >=, 3);
  text = pdf_text (path, 0);
  g_assert_nonnull (strstr (text, "Filter: Department is R&D"));
  g_assert_nonnull (strstr (text, "Users 144"));
  /* the default columns are too many for a page: the ones a person looks for first are printed */
  g_assert_cmpuint (count (text, "User principal name"), ==, pages);
  g_assert_cmpuint (count (text, "Account"), ==, pages);
  g_assert_null (strstr (text, "Object ID"));
  g_assert_nonnull (strstr (text, "person120@contoso.example"));
  save_preview_png (path, "users.pdf");
}

/* The x of the first word @word in pdftotext's -bbox output of page 1. */
static double
word_x (const char *path,
        const char *word)
{
  const char *argv[] = { "pdftotext", "-bbox", "-f", "1", "-l", "1", path, "-", NULL };
  g_autofree char *html = run (argv);
  g_autofree char *needle = g_strdup_printf (">%s</word>", word);
  const char *hit = strstr (html, needle);
  const char *start;

  g_assert_nonnull (hit);
  start = g_strrstr_len (html, hit - html, "xMin=\"");
  g_assert_nonnull (start);
  return g_ascii_strtod (start + 6, NULL);
}

static void
test_right_to_left (void)
{
  g_autoptr(MusterPlan) plan = make_plan ();
  g_autoptr(MusterReport) report = muster_report_new_for_plan (plan, NULL);
  g_autofree char *ltr = NULL;
  g_autofree char *rtl = NULL;

  if (!have_poppler ())
    return;
  /* the C locale is written left to right */
  g_assert_false (muster_report_get_right_to_left (report));
  ltr = write_report (report, MUSTER_REPORT_FORMAT_PDF, MUSTER_REPORT_PAPER_A4, "ltr.pdf");
  muster_report_set_right_to_left (report, TRUE);
  rtl = write_report (report, MUSTER_REPORT_FORMAT_PDF, MUSTER_REPORT_PAPER_A4, "rtl.pdf");

  /* left to right: Action, then Display name, then Reason; right to left: the other way round */
  g_assert_cmpfloat (word_x (ltr, "Action"), <, word_x (ltr, "Reason"));
  g_assert_cmpfloat (word_x (rtl, "Action"), >, word_x (rtl, "Reason"));
  g_assert_cmpfloat (word_x (rtl, "Action"), >, 500);
  g_assert_cmpuint (pdf_pages (ltr, NULL), ==, pdf_pages (rtl, NULL));
  save_preview_png (rtl, "rtl.pdf");
}

static char *
unzip_member (const char *zip,
              const char *member)
{
  const char *argv[] = { "unzip", "-p", zip, member, NULL };

  return run (argv);
}

static void
test_plan_xlsx (void)
{
  g_autoptr(MusterPlan) plan = make_plan ();
  MusterReportPlanContext context = { "Contoso", NULL, "SQLite file /tmp/people.db", NULL };
  g_autoptr(MusterReport) report = muster_report_new_for_plan (plan, &context);
  g_autofree char *unzip = g_find_program_in_path ("unzip");
  g_autofree char *path = NULL;
  g_autofree char *workbook = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *actions = NULL;
  g_autofree char *changes = NULL;

  if (!muster_report_format_is_available (MUSTER_REPORT_FORMAT_XLSX))
    {
      g_test_skip ("built without libxlsxwriter");
      return;
    }
  if (unzip == NULL)
    {
      g_test_skip ("unzip is not installed");
      return;
    }
  path = write_report (report, MUSTER_REPORT_FORMAT_XLSX, MUSTER_REPORT_PAPER_A4, "plan.xlsx");
  workbook = unzip_member (path, "xl/workbook.xml");
  g_assert_nonnull (strstr (workbook, "name=\"Summary\""));
  g_assert_nonnull (strstr (workbook, "name=\"Actions\""));
  g_assert_nonnull (strstr (workbook, "name=\"Changes\""));

  summary = unzip_member (path, "xl/worksheets/sheet1.xml");
  g_assert_nonnull (strstr (summary, "Contoso"));
  g_assert_nonnull (strstr (summary, "<v>143</v>"));  /* Create */

  actions = unzip_member (path, "xl/worksheets/sheet2.xml");
  g_assert_nonnull (strstr (actions, "Ann Archer"));
  g_assert_nonnull (strstr (actions, "person077@contoso.example"));
  g_assert_nonnull (strstr (actions, CJK_NAME));
  /* a typed string cell, never a formula */
  g_assert_null (strstr (actions, "<f>"));
  g_assert_nonnull (strstr (actions, "<autoFilter"));

  changes = unzip_member (path, "xl/worksheets/sheet3.xml");
  g_assert_nonnull (strstr (changes, "Ann Archer"));
  g_assert_nonnull (strstr (changes, ">Engineer<"));
  g_assert_nonnull (strstr (changes, ">Manager<"));
}

static void
test_plan_csv (void)
{
  g_autoptr(MusterPlan) plan = make_plan ();
  g_autoptr(MusterReport) report = muster_report_new_for_plan (plan, NULL);
  g_autofree char *path = write_report (report, MUSTER_REPORT_FORMAT_CSV, MUSTER_REPORT_PAPER_A4, "plan.csv");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (text, "Action,Display name,User principal name,Reason,Changes,User type,Roles,Object ID\r\n"));
  g_assert_cmpuint (count (text, "\r\n"), >=, N_PLAIN + 4 + 2);
  g_assert_nonnull (strstr (text, "Update,Ann Archer,ann@contoso.example"));
  /* formula starts are neutralised, as in the users export */
  g_assert_nonnull (strstr (text, "\"'=HYPERLINK(\"\"http://evil.example\"\")\""));
  g_assert_null (strstr (text, ",=HYPERLINK"));
  g_assert_nonnull (strstr (text, CJK_NAME));
}

static void
test_failure_leaves_nothing (void)
{
  g_autoptr(MusterPlan) plan = make_plan ();
  g_autoptr(MusterReport) report = muster_report_new_for_plan (plan, NULL);
  g_autofree char *dir = g_build_filename (tmp_dir, "read-only", NULL);
  g_autofree char *path = g_build_filename (dir, "plan.pdf", NULL);
  g_autofree char *missing = g_build_filename (tmp_dir, "no-such-folder", "plan.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) nowhere = g_file_new_for_path (missing);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;

  g_assert_false (muster_report_write (report, MUSTER_REPORT_FORMAT_PDF, MUSTER_REPORT_PAPER_A4, nowhere, NULL, &error));
  g_assert_error (error, MUSTER_EXPORT_ERROR, MUSTER_EXPORT_ERROR_WRITE);
  g_clear_error (&error);

  /* a cancelled write keeps the old file and leaves no temporary file */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  g_cancellable_cancel (cancellable);
  g_assert_false (muster_report_write (report, MUSTER_REPORT_FORMAT_PDF, MUSTER_REPORT_PAPER_A4, file, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "old");
  }
  listing = g_dir_open (dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (listing), ==, "plan.pdf");
  g_assert_null (g_dir_read_name (listing));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);

  tmp_dir = g_dir_make_tmp ("muster-report-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  tenant = write_and_load_tenant ();

  g_test_add_func ("/report/plan/model", test_plan_model);
  g_test_add_func ("/report/plan/pdf-a4", test_plan_pdf_a4);
  g_test_add_func ("/report/plan/pdf-letter", test_plan_pdf_letter);
  g_test_add_func ("/report/plan/pages-fit", test_pages_fit);
  g_test_add_func ("/report/plan/right-to-left", test_right_to_left);
  g_test_add_func ("/report/plan/xlsx", test_plan_xlsx);
  g_test_add_func ("/report/plan/csv", test_plan_csv);
  g_test_add_func ("/report/users/pdf", test_users_pdf);
  g_test_add_func ("/report/failure-leaves-nothing", test_failure_leaves_nothing);
  status = g_test_run ();

  g_clear_object (&tenant);
  core_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
