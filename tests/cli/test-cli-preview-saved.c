/* test-cli-preview-saved.c: muster-cli preview --preview FILE — a saved .muster-preview shown as
 * a table, CSV, JSON, XLSX and PDF, offline, with no profile and an empty data folder
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The preview is made by the real plan engine and written by the real writer; muster-cli runs
 * with Graph and sign-in pointed at a closed port (cli_test_run() without a tenant).
 */

#include "config.h"

#include "cli-test-util.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "muster-preview-file.h"
#include "muster-snapshot-private.h"
#include "muster-user-private.h"

typedef struct
{
  char *dir;
  char *data;     /* MUSTER_DATA_DIR: stays empty */
  char *preview;  /* the .muster-preview file */
} Fixture;

/* Four users: two new (one with a long right-to-left name), one renamed, one up to date. */
static void
write_preview (const char *path)
{
  MusterSnapshotInfo info = { 3, (char *) "contoso", (char *) "11111111-2222-3333-4444-555555555555",
                              1764770400, 4, 0, FALSE };
  g_autoptr(MusterSnapshot) snapshot = _muster_snapshot_new (&info);
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPreviewFile) preview = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *names[] = { "Ann Example", "Bo Renamed", "Cy Steady", "نور الهدى عبد الرحمن" };
  MusterPreviewFileInfo file_info = {
    .profile = "contoso",
    .tenant_id = "11111111-2222-3333-4444-555555555555",
    .tenant_name = "Contoso",
    .made_by = "ann@contoso.com",
    .target_uri = "sqlite:/srv/people.db",
    .target_name = "people",
    .target_description = "SQLite store /srv/people.db",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *id = g_strdup_printf ("6e3f0c2a-0000-4000-8000-%012u", i);
      g_autofree char *upn = g_strdup_printf ("user%u@contoso.com", i);
      MusterUserFields fields = {
        .id = id, .display_name = names[i], .user_principal_name = upn, .mail = upn,
        .user_type = "Member", .account_enabled = TRUE,
      };

      _muster_snapshot_add_user (snapshot, _muster_user_new (&fields));
      if (i == 1 || i == 2)
        {
          g_autoptr(MusterTargetUser) user = muster_target_user_new ();

          user->id = g_strdup_printf ("%u", i);
          user->external_id = g_strdup (id);
          user->user_name = g_strdup (upn);
          user->active = TRUE;
          muster_target_user_set_attribute (user, MUSTER_ATTR_DISPLAY_NAME, i == 1 ? "Bo Old Name" : names[i]);
          muster_target_user_set_attribute (user, MUSTER_ATTR_EMAIL, upn);
          muster_target_state_add_user (state, user);
        }
    }
  _muster_snapshot_finish (snapshot);
  plan = muster_plan_new (snapshot, rules, state, 0, NULL);
  preview = muster_preview_file_new (plan, &file_info);
  bytes = muster_preview_file_to_bytes (preview, TRUE);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("muster-cli-preview-saved-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->data = g_build_filename (f->dir, "data", NULL);
  g_assert_cmpint (g_mkdir (f->data, 0700), ==, 0);
  f->preview = g_build_filename (f->dir, "sync.muster-preview", NULL);
  write_preview (f->preview);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  /* showing a saved preview writes nothing: no profile, no cache, no history */
  {
    g_autoptr(GDir) dir = g_dir_open (f->data, 0, NULL);

    g_assert_nonnull (dir);
    g_assert_null (g_dir_read_name (dir));
  }
  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
  g_free (f->data);
  g_free (f->preview);
}

#define RUN(f, ...) cli_test_run (NULL, (f)->data, NULL, (const char * const[]) { __VA_ARGS__, NULL })

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

static void
test_table (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(Run) run = RUN (f, "preview", "--preview", f->preview);

  g_assert_cmpint (run->status, ==, 0);
  g_assert_true (g_str_has_prefix (run->out, "Saved preview — read only, made on "));
  g_assert_nonnull (strstr (run->out, " for Contoso by ann@contoso.com\n"));
  g_assert_nonnull (strstr (run->out, "\nSQLite store /srv/people.db\n"
                                      "Create 2 · Update 1 · Disable 0 · Delete 0 · Unchanged 1 · Skipped 0\n"));
  g_assert_nonnull (strstr (run->out, "user1@contoso.com"));
  g_assert_nonnull (strstr (run->out, "displayName: Bo Old Name → Bo Renamed"));
  /* the unchanged user is counted, not listed */
  g_assert_null (strstr (run->out, "Cy Steady"));
  g_assert_nonnull (strstr (run->err, "1 unchanged user is not listed"));
}

static void
test_csv_json (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "preview.csv", NULL);
  g_autofree char *csv = NULL;
  g_autoptr(Run) run = RUN (f, "preview", "--preview", f->preview, "--format", "csv", "--output", path);
  g_autoptr(Run) json = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_nonnull (strstr (run->err, "Create 2 · Update 1 ·"));
  g_assert_true (g_file_get_contents (path, &csv, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (csv, "Action,User principal name,Display name,Reason,Changes"));
  g_assert_nonnull (strstr (csv, "\r\nupdate,user1@contoso.com,Bo Renamed,"));
  g_assert_nonnull (strstr (csv, "\r\nunchanged,user2@contoso.com,Cy Steady,"));

  json = RUN (f, "--json", "preview", "--preview", f->preview);
  g_assert_cmpint (json->status, ==, 0);
  g_assert_nonnull (json->json);
  g_assert_nonnull (strstr (json->out, "\"Bo Renamed\""));
  g_assert_nonnull (strstr (json->out, "\"Bo Old Name\""));
}

static void
test_pdf_xlsx (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *pdf = g_build_filename (f->dir, "preview.pdf", NULL);
  g_autofree char *xlsx = g_build_filename (f->dir, "preview.xlsx", NULL);
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");
  g_autofree char *unzip = g_find_program_in_path ("unzip");
  g_autoptr(Run) run = NULL;
  g_autoptr(Run) sheet = NULL;

  if (pdftotext == NULL || pdfinfo == NULL || unzip == NULL)
    {
      g_test_skip ("pdftotext, pdfinfo (poppler-utils) or unzip is not installed (see build-aux/install-deps)");
      return;
    }
  run = RUN (f, "preview", "--preview", f->preview, "--format", "pdf", "--paper", "letter", "--output", pdf);
  g_assert_cmpint (run->status, ==, 0);
  {
    const char *info_argv[] = { "pdfinfo", pdf, NULL };
    const char *text_argv[] = { "pdftotext", "-enc", "UTF-8", "-layout", pdf, "-", NULL };
    g_autofree char *info = tool (info_argv);
    g_autofree char *text = tool (text_argv);

    g_assert_nonnull (strstr (info, "612 x 792"));
    g_assert_nonnull (strstr (text, "Tenant: Contoso"));
    g_assert_nonnull (strstr (text, "Profile: contoso"));
    g_assert_nonnull (strstr (text, "Target: SQLite store /srv/people.db"));
    g_assert_nonnull (strstr (text, "Create 2 · Update 1 · Disable 0 · Delete 0 · Unchanged 1 · Skipped 0"));
    g_assert_true (g_regex_match_simple ("Update +Bo Renamed +user1@contoso\\.com", text, 0, 0));
    g_assert_nonnull (strstr (text, "ann@contoso.com"));
  }

  sheet = RUN (f, "preview", "--preview", f->preview, "--format", "xlsx", "--output", xlsx);
  if (sheet->status == 1 && strstr (sheet->err, "XLSX") != NULL)
    {
      g_test_skip ("built without libxlsxwriter");
      return;
    }
  g_assert_cmpint (sheet->status, ==, 0);
  {
    const char *workbook_argv[] = { "unzip", "-p", xlsx, "xl/workbook.xml", NULL };
    const char *summary_argv[] = { "unzip", "-p", xlsx, "xl/worksheets/sheet1.xml", NULL };
    const char *actions_argv[] = { "unzip", "-p", xlsx, "xl/worksheets/sheet2.xml", NULL };
    const char *changes_argv[] = { "unzip", "-p", xlsx, "xl/worksheets/sheet3.xml", NULL };
    g_autofree char *workbook = tool (workbook_argv);
    g_autofree char *summary = tool (summary_argv);
    g_autofree char *actions = tool (actions_argv);
    g_autofree char *changes = tool (changes_argv);

    g_assert_nonnull (strstr (workbook, "name=\"Summary\""));
    g_assert_nonnull (strstr (workbook, "name=\"Actions\""));
    g_assert_nonnull (strstr (workbook, "name=\"Changes\""));
    g_assert_nonnull (strstr (summary, "Contoso"));
    g_assert_nonnull (strstr (actions, "Bo Renamed"));
    g_assert_nonnull (strstr (changes, "Bo Old Name"));
  }
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *pdf = g_build_filename (f->dir, "x.pdf", NULL);
  g_autofree char *cut = g_build_filename (f->dir, "cut.muster-preview", NULL);
  const char *usage[][8] = {
    { "preview", "--preview", f->preview, "--target", "sqlite:/tmp/x.db", NULL },
    { "preview", "--preview", f->preview, "--exclude-guests", NULL },
    { "preview", "--preview", f->preview, "--only-new", NULL },
    { "preview", "--preview", f->preview, "--save", cut, NULL },
    { "preview", "--preview", f->preview, "--compare", f->preview, NULL },
    { "preview", "--preview", f->preview, "--format", "pdf", NULL },
    { "preview", "--preview", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (usage); i++)
    {
      g_autoptr(Run) run = cli_test_run (NULL, f->data, NULL, usage[i]);

      g_assert_cmpint (run->status, ==, 2);
      g_assert_true (g_str_has_prefix (run->err, "muster-cli: "));
      g_assert_cmpstr (run->out, ==, "");
      g_assert_false (g_file_test (cut, G_FILE_TEST_EXISTS));
    }

  /* a damaged file: a clear error naming it, no output file */
  {
    g_autofree char *contents = NULL;
    gsize length;
    g_autoptr(Run) run = NULL;

    g_assert_true (g_file_get_contents (f->preview, &contents, &length, NULL));
    g_assert_true (g_file_set_contents (cut, contents, length / 2, NULL));
    run = RUN (f, "preview", "--preview", cut, "--format", "pdf", "--output", pdf);
    g_assert_cmpint (run->status, ==, 1);
    g_assert_nonnull (strstr (run->err, "cut.muster-preview: "));
    g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("TZ", "UTC", TRUE);

  g_test_add ("/cli/preview-saved/table", Fixture, NULL, fixture_set_up, test_table, fixture_tear_down);
  g_test_add ("/cli/preview-saved/csv-json", Fixture, NULL, fixture_set_up, test_csv_json, fixture_tear_down);
  g_test_add ("/cli/preview-saved/pdf-xlsx", Fixture, NULL, fixture_set_up, test_pdf_xlsx, fixture_tear_down);
  g_test_add ("/cli/preview-saved/errors", Fixture, NULL, fixture_set_up, test_errors, fixture_tear_down);
  return g_test_run ();
}
