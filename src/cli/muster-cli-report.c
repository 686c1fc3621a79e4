/* muster-cli-report.c: muster-cli's printed and workbook reports — --format pdf|xlsx of preview
 * and --format pdf of users, --paper; the pages are the engine's (cairo and Pango, no GTK)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-cli-report.h"

gboolean
_muster_cli_parse_report_format (const char *value,
                                 int        *format)
{
  if (g_ascii_strcasecmp (value, "pdf") == 0)
    {
      *format = MUSTER_CLI_FORMAT_PDF;
      return TRUE;
    }
  return _muster_cli_parse_format (value, format);
}

gboolean
_muster_cli_parse_paper (MusterCliContext   *cli,
                         int                 argc,
                         char              **argv,
                         int                *i,
                         MusterReportPaper  *paper,
                         int                *status)
{
  gboolean missing = FALSE;
  const char *value = _muster_cli_option_value (argc, argv, i, "--paper", &missing);

  *status = MUSTER_EXIT_OK;
  if (missing)
    {
      *status = _muster_cli_usage (cli, _("--paper needs a4 or letter"));
      return TRUE;
    }
  if (value == NULL)
    return FALSE;
  if (!muster_report_paper_from_string (value, paper))
    *status = _muster_cli_usage (cli, _("unknown paper “%s”: use a4 or letter"), value);
  return TRUE;
}

int
_muster_cli_check_report_output (MusterCliContext *cli,
                                 int               format,
                                 const char       *output,
                                 gboolean          paper_given)
{
  if (format == MUSTER_CLI_FORMAT_PDF && output == NULL)
    return _muster_cli_usage (cli, _("a PDF report needs --output FILE"));
  if (paper_given && format != MUSTER_CLI_FORMAT_PDF)
    return _muster_cli_usage (cli, _("--paper goes with --format pdf"));
  if (format == MUSTER_CLI_FORMAT_PDF)
    return MUSTER_EXIT_OK;
  return _muster_cli_check_output (cli, format, output);
}

static int
write_report (MusterCliContext  *cli,
              MusterReport      *report,
              int                format,
              MusterReportPaper  paper,
              const char        *output)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (output);
  g_autoptr(GError) error = NULL;
  MusterReportFormat report_format = format == MUSTER_CLI_FORMAT_PDF ? MUSTER_REPORT_FORMAT_PDF
                                                                     : MUSTER_REPORT_FORMAT_XLSX;

  if (!muster_report_write (report, report_format, paper, file, cli->cancellable, &error))
    return _muster_cli_fail (cli, error);
  return MUSTER_EXIT_OK;
}

int
_muster_cli_write_plan_report (MusterCliContext  *cli,
                               MusterCliPlan     *plan,
                               int                format,
                               MusterReportPaper  paper,
                               const char        *output)
{
  MusterReportPlanContext context = { NULL, plan->profile, plan->target_description, plan->who };
  g_autoptr(MusterReport) report = muster_report_new_for_plan (plan->plan, &context);

  g_return_val_if_fail (format == MUSTER_CLI_FORMAT_PDF || format == MUSTER_EXPORT_FORMAT_XLSX, MUSTER_EXIT_ERROR);
  return write_report (cli, report, format, paper, output);
}

int
_muster_cli_write_users_report (MusterCliContext  *cli,
                                MusterExport      *export,
                                GListModel        *users,
                                MusterReportPaper  paper,
                                const char        *output)
{
  g_autoptr(MusterReport) report = muster_report_new_for_users (export, users);

  return write_report (cli, report, MUSTER_CLI_FORMAT_PDF, paper, output);
}
