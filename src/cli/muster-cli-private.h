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
#include "muster-rules.h"
#include "muster-session.h"
#include "muster-snapshot-store.h"
#include "muster-user-filter.h"

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
  const char *details;   /* `muster-cli COMMAND --help`: its options, one per line; may be NULL */
  const char *output;    /* …and its output options, printed after a blank line; may be NULL */
  const char *filters;   /* FILTERS, printed between the two when the command takes them; may be NULL */
} MusterCliCommand;

int  _muster_cli_profile (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_login   (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_logout  (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_status  (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_fetch   (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_users   (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_groups  (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_rules   (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_assign  (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_target  (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_preview (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_push    (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_history (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_sync     (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_schedule (MusterCliContext *cli, int argc, char **argv);
int  _muster_cli_changes  (MusterCliContext *cli, int argc, char **argv);

/* Runs the default main context until *@result is set (by _muster_cli_store_result_cb). */
void _muster_cli_wait             (GAsyncResult **result);
void _muster_cli_store_result_cb  (GObject       *source,
                                   GAsyncResult  *result,
                                   gpointer       user_data);
/* Prints "muster-cli: MESSAGE" and returns the exit code the error deserves (muster-cli(1), EXIT STATUS). */
int  _muster_cli_fail             (MusterCliContext *cli,
                                   const GError     *error);
int  _muster_cli_usage            (MusterCliContext *cli,
                                   const char       *format,
                                   ...) G_GNUC_PRINTF (2, 3);
/* Loads the profile store. */
MusterProfileStore *_muster_cli_load_store   (MusterCliContext *cli,
                                              GError          **error);
/* The store in *@store and the profile named by --profile (or the default) in it (NULL with
 * @error set). */
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

/* The rules of the profile named by --profile (or the default), defaults when it has none yet;
 * its name in *@profile_name. NULL with the message printed and *@status set otherwise. */
MusterRules *_muster_cli_load_rules (MusterCliContext  *cli,
                                     char             **profile_name,
                                     int               *status);

/* FILTERS as muster-cli(1) lists them, shared by users, preview and push (muster-cli-filters.c). */
typedef struct
{
  GPtrArray        *groups;        /* of char*: names or ids, as given */
  gboolean          nested;
  int               group_kind;    /* -1 any, else MusterGroupKind */
  gboolean          exclude_unlicensed;
  gboolean          exclude_disabled;
  gboolean          exclude_guests;
  char             *deny_file;
  char             *search;
  MusterEmailMethod email_method;
  gboolean          given;         /* any filter was on the command line */
} MusterCliFilters;

void  _muster_cli_filters_init    (MusterCliFilters  *filters);
void  _muster_cli_filters_clear   (MusterCliFilters  *filters);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MusterCliFilters, _muster_cli_filters_clear)
/* Consumes argv[*i] (and its value) when it is one of FILTERS and returns TRUE; *@status is
 * MUSTER_EXIT_USAGE (message printed) for a bad value. */
gboolean _muster_cli_filters_parse (MusterCliContext  *cli,
                                    MusterCliFilters  *filters,
                                    int                argc,
                                    char             **argv,
                                    int               *i,
                                    int               *status);
/* The filter, with group names checked against @snapshot; NULL with *@status set otherwise. */
MusterUserFilter *_muster_cli_filters_build (MusterCliContext *cli,
                                             MusterCliFilters *filters,
                                             MusterSnapshot   *snapshot,
                                             int              *status);
/* "--name VALUE" or "--name=VALUE" at argv[*i]: the value (advancing *@i), or NULL; *@missing
 * when the value is absent. */
const char *_muster_cli_option_value (int          argc,
                                      char       **argv,
                                      int         *i,
                                      const char  *name,
                                      gboolean    *missing);
/* The snapshot numbered @snapshot_arg, or the profile's latest when NULL, without what @flags
 * leave out; prints why not (and says to run fetch) with *@status set. No network. */
MusterSnapshot *_muster_cli_load_snapshot (MusterCliContext        *cli,
                                           const char              *snapshot_arg,
                                           MusterSnapshotLoadFlags  flags,
                                           int                     *status);
/* --format of users and groups: "table" or a MusterExportFormat. */
#define MUSTER_CLI_FORMAT_TABLE (-1)
/* @value as a --format: MUSTER_CLI_FORMAT_TABLE or a MusterExportFormat in *@format. */
gboolean _muster_cli_parse_format (const char *value,
                                   int        *format);
/* Checks --format against --output (NULL for standard output) and this build's writers: the
 * exit code with the message printed, or MUSTER_EXIT_OK. */
int      _muster_cli_check_output (MusterCliContext *cli,
                                   int               format,
                                   const char       *output);
/* A stream over standard output (stdio flushed first), for exports. */
GOutputStream  *_muster_cli_stdout_stream (MusterCliContext *cli);
/* Prints rows of cells as aligned columns fit for a terminal (muster-cli-table.c): control and
 * bidi characters are shown as U+FFFD, wide (CJK) characters count twice, and long cells end
 * in "…". @rows is a GPtrArray of GStrv, each @n_columns long. */
void  _muster_cli_print_table     (MusterCliContext   *cli,
                                   const char * const *headers,
                                   guint               n_columns,
                                   GPtrArray          *rows);


G_END_DECLS
