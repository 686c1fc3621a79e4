/* muster-cli-report.h: muster-cli's printed and workbook reports — --format pdf|xlsx of preview
 * and --format pdf of users, --paper
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-cli-plan.h"
#include "muster-export.h"
#include "muster-report.h"

G_BEGIN_DECLS

/* --format pdf: beside MUSTER_CLI_FORMAT_TABLE and the MusterExportFormat values. */
#define MUSTER_CLI_FORMAT_PDF (-2)

/* @value as a --format of a command that also prints reports: MUSTER_CLI_FORMAT_PDF for "pdf",
 * else as _muster_cli_parse_format(). */
gboolean _muster_cli_parse_report_format (const char        *value,
                                          int               *format);
/* Consumes "--paper a4|letter" at argv[*i]; *@status is set when the value is wrong. */
gboolean _muster_cli_parse_paper         (MusterCliContext  *cli,
                                          int                argc,
                                          char             **argv,
                                          int               *i,
                                          MusterReportPaper *paper,
                                          int               *status);
/* PDF needs --output FILE; --paper only goes with PDF. The exit code, or MUSTER_EXIT_OK. */
int      _muster_cli_check_report_output (MusterCliContext  *cli,
                                          int                format,
                                          const char        *output,
                                          gboolean           paper_given);
/* The plan's report (XLSX with Summary, Actions and Changes sheets, or PDF) to @output. */
int      _muster_cli_write_plan_report   (MusterCliContext  *cli,
                                          MusterCliPlan     *plan,
                                          int                format,
                                          MusterReportPaper  paper,
                                          const char        *output);
/* The users' printed report to @output. */
int      _muster_cli_write_users_report  (MusterCliContext  *cli,
                                          MusterExport      *export,
                                          GListModel        *users,
                                          MusterReportPaper  paper,
                                          const char        *output);

G_END_DECLS
