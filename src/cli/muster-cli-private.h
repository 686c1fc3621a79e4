/* muster-cli-private.h: what muster-cli's command files share
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "muster-cli.h"
#include "muster-profile-store.h"
#include "muster-session.h"

G_BEGIN_DECLS

typedef struct
{
  FILE         *out;
  FILE         *err;
  const char   *profile;     /* --profile, or NULL for the default */
  gboolean      json;        /* --json */
  GCancellable *cancellable; /* cancelled by Ctrl+C */
} MusterCliContext;

typedef struct
{
  const char *name;
  const char *synopsis;
  const char *summary;
  int       (*run) (MusterCliContext *cli, int argc, char **argv);
} MusterCliCommand;

int  _muster_cli_profile (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_login   (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_logout  (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_status  (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_fetch   (MusterCliContext *cli, int argc, char **argv);

/* Runs the default main context until *@result is set (by _muster_cli_store_result_cb). */
void _muster_cli_wait             (GAsyncResult **result);
void _muster_cli_store_result_cb  (GObject       *source,
                                   GAsyncResult  *result,
                                   gpointer       user_data);
/* Prints "muster-cli: MESSAGE" and returns the exit code the error deserves (DESIGN.md). */
int  _muster_cli_fail             (MusterCliContext *cli,
                                   const GError     *error);
int  _muster_cli_usage            (MusterCliContext *cli,
                                   const char       *format,
                                   ...) G_GNUC_PRINTF (2, 3);
/* Loads the profile store and the profile named by --profile (or the default). */
MusterProfileStore *_muster_cli_load_store   (MusterCliContext *cli,
                                              GError          **error);
MusterProfile      *_muster_cli_resolve      (MusterCliContext   *cli,
                                              MusterProfileStore *store,
                                              GError            **error);
/* Both of the above: the store in *@store and the profile in it (NULL with @error set). */
MusterProfile      *_muster_cli_open_profile (MusterCliContext    *cli,
                                              MusterProfileStore **store,
                                              GError             **error);
/* Prints @node on standard output as pretty JSON. */
void _muster_cli_print_json       (MusterCliContext *cli,
                                   JsonNode         *node);
/* Reads a secret from standard input: a hidden prompt on a terminal, else the first line. */
char *_muster_cli_read_secret     (MusterCliContext *cli,
                                   const char       *prompt,
                                   GError          **error);

G_END_DECLS
