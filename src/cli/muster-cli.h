/* muster-cli.h: muster-cli's command line, apart from main() so tests can drive it
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <stdio.h>

G_BEGIN_DECLS

/* Exit codes are a contract with scripts (muster-cli(1), EXIT STATUS). */
typedef enum
{
  MUSTER_EXIT_OK = 0,
  MUSTER_EXIT_ERROR = 1,
  MUSTER_EXIT_USAGE = 2,
  MUSTER_EXIT_SIGN_IN_NEEDED = 3,
  MUSTER_EXIT_PARTIAL = 4,
  MUSTER_EXIT_REFUSED = 5,
} MusterExitCode;

/* Runs muster-cli with @argv (argv[0] included); output goes to @out, messages to @err. */
int muster_cli_run (int       argc,
                    char    **argv,
                    FILE     *out,
                    FILE     *err);

G_END_DECLS
