/* test-report-print.c: reports in the window on the demo tenant — Export Report… and Print… of
 * the Preview page, the users export's PDF choice, and printing to a file through
 * GtkPrintOperation, which gives the same pages as the engine's PDF (pdfinfo, pdftotext)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "muster-application.h"
#include "muster-demo.h"
#include "muster-report.h"
#include "muster-report-print.h"
#include "muster-window-private.h"
#include "ui-test-util.h"

static MusterApplication *app;
static char *temp_dir;

static gboolean
planned (MusterWindow *w)
{
  return !w->previewing && _muster_window_get_plan (w) != NULL && _muster_window_get_push (w) == NULL && !w->push_waiting;
}

static gboolean
export_done (MusterWindow *w)
{
  return !w->exporting;
}

static gboolean
have_poppler (void)
{
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");

  return pdftotext != NULL && pdfinfo != NULL;
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
pdf_pages (const char *path)
{
  const char *argv[] = { "pdfinfo", path, NULL };
  g_autofree char *info = tool (argv);
  const char *pages = strstr (info, "Pages:");

  g_assert_nonnull (pages);
  return atoi (pages + 6);
}

static char *
pdf_text (const char *path)
{
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", path, "-", NULL };

  return tool (argv);
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

static GtkWidget *
find_action_button (GtkWidget  *root,
                    const char *action)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action) == 0)
        return child;
      if ((found = find_action_button (child, action)) != NULL)
        return found;
    }
  return NULL;
}

static void
test_reports (void)
{
  MusterWindow *window;
  g_autoptr(MusterReport) report = NULL;
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *printed = g_build_filename (temp_dir, "printed.pdf", NULL);
  g_autofree char *engine = g_build_filename (temp_dir, "engine.pdf", NULL);
  g_autofree char *users_path = g_build_filename (temp_dir, "users", NULL);
  g_autofree char *users_pdf = g_build_filename (temp_dir, "users.pdf", NULL);
  g_autofree char *shot = NULL;
  GtkWidget *export_button, *print_button;
  GtkPrintOperationResult result;
  const MusterPlanTotals *totals;

  if (!ui_test_init ())
    return;
  if (!have_poppler ())
    {
      g_test_skip ("pdftotext and pdfinfo (poppler-utils, see build-aux/install-deps) are not installed");
      return;
    }
  g_setenv ("MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);

  window = muster_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (200);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.explore-demo", NULL));
  ui_test_wait_for (window, ui_test_showing_tenant, 60, "the tenant page");
  ui_test_wait_for (window, ui_test_store_ready, 30, "the snapshot cache");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh-directory", NULL));
  ui_test_wait_for (window, ui_test_fetched, 120, "the directory");

  /* no plan yet: nothing to report */
  g_assert_false (gtk_widget_is_sensitive (find_action_button (GTK_WIDGET (window->preview_page), "win.export-report")));
  adw_view_stack_set_visible_child_name (window->view_stack, "preview");
  ui_test_wait_for (window, planned, 60, "the preview");
  ui_test_wait (300);

  /* the Preview page offers Export Report… and Print…, named for screen readers */
  export_button = find_action_button (GTK_WIDGET (window->preview_page), "win.export-report");
  print_button = find_action_button (GTK_WIDGET (window->preview_page), "win.print-report");
  g_assert_nonnull (export_button);
  g_assert_nonnull (print_button);
  g_assert_true (gtk_widget_is_sensitive (export_button));
  g_assert_true (gtk_widget_is_sensitive (print_button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (export_button), ==, "Export Report…");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (print_button), ==, "Print…");
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "report-preview-page");

  /* "Print to File": GtkPrintOperation draws the engine's pages, the same as the PDF */
  {
    MusterReportPlanContext context = { "Demo", "demo", "Demo SQLite store", NULL };

    report = muster_report_new_for_plan (_muster_window_get_plan (window), &context);
  }
  operation = muster_report_print_operation_new (report, MUSTER_REPORT_PAPER_A4, "sync-preview");
  gtk_print_operation_set_export_filename (operation, printed);
  result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_EXPORT, GTK_WINDOW (window), &error);
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, GTK_PRINT_OPERATION_RESULT_APPLY);
  {
    g_autoptr(GFile) file = g_file_new_for_path (engine);
    g_autofree char *printed_text = NULL;
    g_autofree char *engine_text = NULL;
    g_autofree char *create = NULL;
    guint pages;

    g_assert_true (muster_report_write (report, MUSTER_REPORT_FORMAT_PDF, MUSTER_REPORT_PAPER_A4, file, NULL, &error));
    g_assert_no_error (error);
    pages = pdf_pages (printed);
    g_test_message ("printed %u pages", pages);
    g_assert_cmpuint (pages, ==, pdf_pages (engine));
    printed_text = pdf_text (printed);
    engine_text = pdf_text (engine);
    g_assert_cmpstr (printed_text, ==, engine_text);

    totals = muster_plan_get_totals (_muster_window_get_plan (window));
    create = g_strdup_printf ("Create %u", totals->create);
    g_assert_nonnull (strstr (printed_text, create));
    g_assert_nonnull (strstr (printed_text, "Tenant: Demo"));
    g_assert_cmpuint (count (printed_text, "User principal name"), ==, pages);
    {
      const char *argv[] = { "pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", printed, NULL, NULL };
      g_autofree char *prefix = g_build_filename (g_getenv ("MUSTER_SCREENSHOT_DIR") ? g_getenv ("MUSTER_SCREENSHOT_DIR")
                                                  : g_get_tmp_dir (), "report-printed", NULL);
      g_autofree char *pdftoppm = g_find_program_in_path ("pdftoppm");

      argv[9] = prefix;
      if (pdftoppm != NULL)
        g_free (tool (argv));
    }
  }

  /* the users export's PDF choice: a report of the users the page shows */
  {
    g_autoptr(GFile) chosen = g_file_new_for_path (users_path);
    g_autofree char *text = NULL;
    g_autofree char *expected = NULL;
    guint shown;

    adw_view_stack_set_visible_child_name (window->view_stack, "users");
    ui_test_wait (200);
    g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (window)));
    shown = g_list_model_get_n_items (muster_users_page_get_shown (window->users_page));
    g_assert_true (_muster_window_report_export_users (window, "report-pdf-letter", chosen,
                                                       muster_users_page_get_shown (window->users_page), FALSE));
    g_assert_true (window->exporting);
    ui_test_wait_for (window, export_done, 30, "the users report");
    /* a name without an extension gains .pdf */
    g_assert_true (g_file_test (users_pdf, G_FILE_TEST_EXISTS));
    text = pdf_text (users_pdf);
    expected = g_strdup_printf ("Users %u", shown);
    g_assert_nonnull (strstr (text, expected));
    g_assert_cmpuint (count (text, "Display name"), ==, pdf_pages (users_pdf));
    /* a CSV choice is the users export's, not a report */
    g_assert_false (_muster_window_report_export_users (window, "csv", chosen,
                                                        muster_users_page_get_shown (window->users_page), FALSE));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  temp_dir = g_dir_make_tmp ("muster-test-report-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (temp_dir, "data", NULL);
  g_mkdir (data_dir, 0700);
  g_setenv ("MUSTER_DATA_DIR", data_dir, TRUE);

  app = ui_test_new_application ();
  g_test_add_func ("/ui/report/preview-and-users", test_reports);
  status = g_test_run ();

  if (app != NULL)
    {
      muster_demo_shutdown (muster_application_get_demo_tenant (app));
      g_object_unref (app);
    }
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", temp_dir);

    g_assert_cmpint (system (command), ==, 0);
  }
  return status;
}
