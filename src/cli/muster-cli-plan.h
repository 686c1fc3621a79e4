/* muster-cli-plan.h: what muster-cli preview and push share — the options and the plan
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-cli-private.h"
#include "muster-history.h"
#include "muster-plan.h"
#include "muster-preview-file.h"
#include "muster-rules.h"
#include "muster-target.h"
#include "muster-target-store.h"

G_BEGIN_DECLS

/* What preview and push share (muster-cli-preview.c): --target, FILTERS, --only-new,
 * --only-existing, --allow-delete. */
typedef struct
{
  MusterCliFilters filters;
  const char      *target;
  gboolean         only_new;
  gboolean         only_existing;
  gboolean         allow_delete;
} MusterCliPlanArgs;

void     _muster_cli_plan_args_init  (MusterCliPlanArgs  *args);
void     _muster_cli_plan_args_clear (MusterCliPlanArgs  *args);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MusterCliPlanArgs, _muster_cli_plan_args_clear)
/* Consumes argv[*i] when it is one of them (see _muster_cli_filters_parse). */
gboolean _muster_cli_plan_args_parse (MusterCliContext   *cli,
                                      MusterCliPlanArgs  *args,
                                      int                 argc,
                                      char              **argv,
                                      int                *i,
                                      int                *status);

/* A plan and everything it was made from. */
typedef struct
{
  char              *profile;
  char              *who;                 /* the profile's signed-in admin, for the history */
  char              *tenant_id;           /* the profile's tenant, when known */
  char              *tenant_name;         /* its organisation's name, when known */
  MusterSnapshot    *snapshot;
  MusterRules       *rules;               /* the profile's, with the command line's filter */
  MusterTarget      *target;
  char              *target_name;         /* the stored target's name, or NULL for a bare URI */
  char              *target_uri;
  char              *target_description;
  MusterTargetState *state;
  MusterPlan        *plan;
} MusterCliPlan;

void     _muster_cli_plan_clear      (MusterCliPlan      *plan);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MusterCliPlan, _muster_cli_plan_clear)
/* Loads the snapshot and the rules, opens and reads the target and makes the plan; the exit
 * code (message printed) when it cannot. */
int      _muster_cli_make_plan       (MusterCliContext   *cli,
                                      MusterCliPlanArgs  *args,
                                      MusterCliPlan      *out);
/* Opens @name_or_uri (a target of @profile, or a URI) and reads what it holds into @out's
 * target, target_name, target_uri, target_description and state; the exit code (message
 * printed) when it cannot. */
int      _muster_cli_read_target     (MusterCliContext   *cli,
                                      const char         *profile,
                                      const char         *name_or_uri,
                                      MusterCliPlan      *out);
/* Loads a .muster-preview file (preview --compare, push --preview); NULL with the message
 * printed and *@status set when it cannot. */
MusterPreviewFile *_muster_cli_load_preview (MusterCliContext *cli,
                                             const char       *path,
                                             int              *status);
/* The target and the plan's totals, on @stream. */
void     _muster_cli_print_totals    (MusterCliContext   *cli,
                                      MusterCliPlan      *plan,
                                      FILE               *stream);
/* @data to --output FILE (atomically, mode 0600) or standard output when @output is NULL. */
int      _muster_cli_write_output    (MusterCliContext   *cli,
                                      const char         *output,
                                      const char         *data,
                                      gsize               length);

/* The push history, opened in a worker thread (muster-cli-history.c). */
MusterHistory *_muster_cli_open_history (MusterCliContext  *cli,
                                         GError           **error);

G_END_DECLS
