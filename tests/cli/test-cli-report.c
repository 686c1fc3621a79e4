/* test-cli-report.c: muster-cli preview and users as reports — PDF pages (pdfinfo, pdftotext),
 * the plan's XLSX sheets, and the option errors; on a snapshot written straight into cache.db and
 * a SQLite target, so no network is involved
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cli-test-util.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "muster-snapshot-store.h"

#define N_USERS 80

typedef struct
{
  MusterFakeTenant *tenant;  /* always NULL: nothing here goes to the network */
  char             *dir;
  char             *target;  /* sqlite:PATH */
} Fixture;

static void
put_user (MusterSnapshotWriter *writer,
          guint                 n,
          const char           *name)
{
  g_autofree char *json = g_strdup_printf (
    "{\"id\":\"00000000-0000-4000-8000-%012u\",\"displayName\":\"%s\",\"userPrincipalName\":\"user%03u@contoso.example\","
    "\"mail\":\"user%03u@contoso.example\",\"userType\":\"Member\",\"accountEnabled\":true,\"jobTitle\":\"Engineer\","
    "\"department\":\"R&D\",\"assignedLicenses\":[]}", n, name, n, n);
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(MusterUser) user = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (node);
  user = muster_user_new_from_json (json_node_get_object (node));
  g_assert_true (muster_snapshot_writer_put_user (writer, user, &error));
  g_assert_no_error (error);
}

static void
write_snapshot (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "cache.db", NULL);
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(GError) error = NULL;

  store = muster_snapshot_store_open (path, &error);
  g_assert_no_error (error);
  writer = muster_snapshot_store_begin (store, "work", "11111111-2222-3333-4444-555555555555", &error);
  g_assert_no_error (error);
  for (guint n = 1; n <= N_USERS; n++)
    {
      g_autofree char *name = g_strdup_printf ("Member %03u", n);

      put_user (writer, n, n == 7 ? "נועה כהן" : name);
    }
  muster_snapshot_writer_commit (writer, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(Run) add = NULL;
  g_autofree char *db = NULL;

  f->dir = g_dir_make_tmp ("muster-cli-report-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  add = CLI (f, "profile", "add", "work", "--tenant", "contoso.example");
  g_assert_cmpint (add->status, ==, 0);
  write_snapshot (f);
  db = g_build_filename (f->dir, "people.db", NULL);
  f->target = g_strconcat ("sqlite:", db, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
  g_free (f->target);
}

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
tool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
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

static guint
pdf_pages (const char *path,
           const char *size)
{
  const char *argv[] = { "pdfinfo", path, NULL };
  g_autofree char *info = tool (argv);
  const char *pages = strstr (info, "Pages:");

  g_assert_nonnull (strstr (info, size));
  g_assert_nonnull (pages);
  return atoi (pages + 6);
}

static char *
pdf_text (const char *path)
{
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", path, "-", NULL };

  return tool (argv);
}

static void
test_preview_pdf (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *a4 = g_build_filename (f->dir, "preview.pdf", NULL);
  g_autofree char *letter = g_build_filename (f->dir, "preview-letter.pdf", NULL);
  g_autoptr(Run) run = NULL, run_letter = NULL;
  g_autofree char *text = NULL;
  GStatBuf st;
  guint pages;

  if (!have_poppler ())
    return;
  run = CLI (f, "preview", "--target", f->target, "--format", "pdf", "--output", a4);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->out, ==, "");
  /* the totals still go to standard error */
  g_assert_nonnull (strstr (run->err, "Create 80"));
  g_assert_cmpint (g_stat (a4, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  pages = pdf_pages (a4, "(A4)");
  g_assert_cmpuint (pages, ==, 2);
  text = pdf_text (a4);
  g_assert_nonnull (strstr (text, "Sync Preview"));
  g_assert_nonnull (strstr (text, "Profile: work"));
  g_assert_nonnull (strstr (text, "Create 80"));
  g_assert_nonnull (strstr (text, "Member 042"));
  g_assert_nonnull (strstr (text, "user042@contoso.example"));
  g_assert_nonnull (strstr (text, "כהן"));
  g_assert_cmpuint (count (text, "User principal name"), ==, pages);
  g_assert_nonnull (strstr (text, "Page 2 of 2"));

  run_letter = CLI (f, "preview", "--target", f->target, "--format", "pdf", "--paper", "letter", "--output", letter);
  g_assert_cmpint (run_letter->status, ==, 0);
  g_assert_cmpuint (pdf_pages (letter, "612 x 792"), >=, 2);
}

static void
test_preview_xlsx (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "preview.xlsx", NULL);
  g_autofree char *unzip = g_find_program_in_path ("unzip");
  g_autoptr(Run) run = NULL;

  if (unzip == NULL)
    {
      g_test_skip ("unzip is not installed");
      return;
    }
  run = CLI (f, "preview", "--target", f->target, "--format", "xlsx", "--output", path);
  if (run->status == 1 && strstr (run->err, "XLSX") != NULL)
    {
      g_test_skip ("built without libxlsxwriter");
      return;
    }
  g_assert_cmpint (run->status, ==, 0);
  {
    const char *workbook_argv[] = { "unzip", "-p", path, "xl/workbook.xml", NULL };
    const char *summary_argv[] = { "unzip", "-p", path, "xl/worksheets/sheet1.xml", NULL };
    const char *actions_argv[] = { "unzip", "-p", path, "xl/worksheets/sheet2.xml", NULL };
    g_autofree char *workbook = tool (workbook_argv);
    g_autofree char *summary = tool (summary_argv);
    g_autofree char *actions = tool (actions_argv);

    g_assert_nonnull (strstr (workbook, "name=\"Summary\""));
    g_assert_nonnull (strstr (workbook, "name=\"Actions\""));
    g_assert_nonnull (strstr (summary, "<v>80</v>"));
    g_assert_nonnull (strstr (summary, "people.db"));
    g_assert_cmpuint (count (actions, "not in the target yet"), ==, N_USERS);
    g_assert_nonnull (strstr (actions, "user042@contoso.example"));
  }
}

static void
test_users_pdf (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "users.pdf", NULL);
  g_autoptr(Run) run = NULL;
  g_autofree char *text = NULL;
  guint pages;

  if (!have_poppler ())
    return;
  run = CLI (f, "users", "--format", "pdf", "--paper", "letter", "--output", path);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->out, ==, "");
  pages = pdf_pages (path, "612 x 792");
  g_assert_cmpuint (pages, >=, 2);
  text = pdf_text (path);
  g_assert_nonnull (strstr (text, "Users 80"));
  g_assert_nonnull (strstr (text, "Tenant: 11111111-2222-3333-4444-555555555555"));
  g_assert_nonnull (strstr (text, "user079@contoso.example"));
  g_assert_cmpuint (count (text, "Display name"), ==, pages);
}

static void
test_bad_options (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "x.pdf", NULL);
  const char *cases[][8] = {
    { "preview", "--target", f->target, "--format", "pdf", NULL },
    { "preview", "--target", f->target, "--format", "docx", "--output", path, NULL },
    { "users", "--format", "pdf", "--paper", "a3", "--output", path, NULL },
    { "users", "--format", "csv", "--paper", "letter", NULL },
    { "users", "--format", "pdf", "--paper", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Run) run = cli_test_run (NULL, f->dir, NULL, cases[i]);

      g_assert_cmpint (run->status, ==, 2);
      g_assert_true (g_str_has_prefix (run->err, "muster-cli: "));
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);

  g_test_add ("/cli/report/preview-pdf", Fixture, NULL, fixture_set_up, test_preview_pdf, fixture_tear_down);
  g_test_add ("/cli/report/preview-xlsx", Fixture, NULL, fixture_set_up, test_preview_xlsx, fixture_tear_down);
  g_test_add ("/cli/report/users-pdf", Fixture, NULL, fixture_set_up, test_users_pdf, fixture_tear_down);
  g_test_add ("/cli/report/bad-options", Fixture, NULL, fixture_set_up, test_bad_options, fixture_tear_down);
  return g_test_run ();
}
