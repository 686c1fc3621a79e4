/* cli-test-util.h: run the real muster-cli from a test, and look in the test's keyring
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "muster-fake-tenant.h"

G_BEGIN_DECLS

typedef struct
{
  int       status;  /* exit code */
  char     *out;
  char     *err;
  JsonNode *json;    /* standard output parsed, when it is a JSON object */
} Run;

void run_free (Run *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

/* Runs $MUSTER_CLI with @args, @input on standard input (may be NULL), MUSTER_DATA_DIR=@data_dir,
 * and — when @tenant is given — MUSTER_AUTHORITY_HOST/MUSTER_GRAPH_HOST at the fake and the test
 * browser as MUSTER_BROWSER. Without a tenant, Graph points at a closed port: no network. */
Run      *cli_test_run              (MusterFakeTenant   *tenant,
                                     const char         *data_dir,
                                     const char         *input,
                                     const char * const *args);

/* FALSE (and the test skipped) without a Secret Service, unless MUSTER_REQUIRE_KEYRING=1. */
gboolean  cli_test_keyring_usable   (void);
char     *cli_test_keyring_lookup   (const char *profile,
                                     const char *kind);
void      cli_test_keyring_clear    (const char *profile);
/* The SCIM token of @profile's target @target (kind "scim-token", attribute "target"). */
char     *cli_test_keyring_lookup_target (const char *profile,
                                          const char *target);

/* Fixtures with `tenant` and `dir` members use this. */
#define CLI(f, ...) cli_test_run ((f)->tenant, (f)->dir, NULL, (const char * const[]) { __VA_ARGS__, NULL })
/* …and fails the test unless it exits 0. */
#define CLI_OK(f, ...) G_STMT_START {                                              \
    g_autoptr(Run) cli_ok_run_ = CLI (f, __VA_ARGS__);                               \
    if (cli_ok_run_->status != 0)                                                    \
      g_error ("muster-cli exited %d: %s", cli_ok_run_->status, cli_ok_run_->err);  \
  } G_STMT_END

G_END_DECLS
