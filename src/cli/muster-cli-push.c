/* muster-cli-push.c: muster-cli push — make the target hold what the preview shows
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "muster-cli-plan.h"
#include "muster-push.h"

/* At most this many failed users are listed after a push; the history has them all. */
#define MAX_FAILURES_SHOWN 10

static void
push_progress_cb (MusterPush       *push,
                  guint             done,
                  guint             failed,
                  guint             total,
                  MusterCliContext *cli)
{
  /* in place on a terminal, a line per batch in a log */
  if (isatty (fileno (cli->err)))
    fprintf (cli->err, _("\rPushing… %u of %u done, %u failed"), done, total, failed);
  else
    fprintf (cli->err, _("Pushing… %u of %u done, %u failed\n"), done, total, failed);
  fflush (cli->err);
}

/* "y" or "yes" in any case, the way most command-line programs ask. */
static gboolean
ask (MusterCliContext *cli,
     const char       *question)
{
  char answer[32] = "";

  fprintf (cli->err, "%s ", question);
  fflush (cli->err);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  g_strstrip (answer);
  /* Translators: the answers that mean yes to "[y/N]"; keep the English ones working too */
  return g_ascii_strcasecmp (answer, "y") == 0 || g_ascii_strcasecmp (answer, "yes") == 0 ||
         g_str_equal (answer, C_("answer", "y")) || g_str_equal (answer, C_("answer", "yes"));
}

static void
print_failures (MusterCliContext        *cli,
                const MusterPushSummary *summary)
{
  guint shown = 0;

  for (guint i = 0; summary->results != NULL && i < summary->results->len; i++)
    {
      MusterOperationResult *result = g_ptr_array_index (summary->results, i);
      MusterOperation *operation = result->operation;
      const char *who = NULL;

      if (result->ok || g_error_matches (result->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        continue;
      if (shown++ == MAX_FAILURES_SHOWN)
        {
          fprintf (cli->err, _("  … and more: see “muster-cli history --run %s”\n"), summary->run_id);
          break;
        }
      if (operation->user != NULL)
        who = operation->user->user_name;
      else if (operation->group != NULL)
        who = operation->group->display_name;
      fprintf (cli->err, "  %s %s: %s\n", muster_operation_kind_to_string (operation->kind), who ? who : operation->key,
               result->error ? result->error->message : _("failed"));
    }
}

static void
print_run_json (MusterCliContext *cli,
                MusterHistory    *history,
                const char       *run_id)
{
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_autoptr(GAsyncResult) result = NULL;

  if (run_id == NULL)
    return;
  muster_history_get_run_async (history, run_id, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  run = muster_history_get_run_finish (history, result, &error);
  if (run == NULL)
    {
      g_debug ("cannot read run %s back: %s", run_id, error->message);
      return;
    }
  node = muster_history_run_to_json (run);
  _muster_cli_print_json (cli, node);
}

/* Push later ----------------------------------------------------------------------------------- */

static void
print_left_out (MusterCliContext *cli,
                GPtrArray        *left_out)
{
  fprintf (cli->err,
           g_dngettext (GETTEXT_PACKAGE,
                        "%u user changed in the target since the preview was made and was left alone:\n",
                        "%u users changed in the target since the preview was made and were left alone:\n",
                        left_out->len),
           left_out->len);
  for (guint i = 0; i < left_out->len; i++)
    {
      const MusterPlanItem *item = left_out->pdata[i];

      fprintf (cli->err, "  %s %s (%s)\n", muster_plan_action_to_string (item->action),
               item->user_principal_name != NULL ? item->user_principal_name : item->id,
               item->display_name != NULL ? item->display_name : item->id);
    }
}

/* Loads the preview, opens its target in this profile, checks it is the one the preview was
 * made for, and takes the preview's operations that still hold. */
static int
prepare_preview_push (MusterCliContext   *cli,
                      const char         *path,
                      const char         *target_override,
                      MusterPreviewFile **preview_out,
                      MusterCliPlan      *plan,
                      GPtrArray         **operations,
                      GPtrArray         **left_out)
{
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(MusterPreviewFile) preview = NULL;
  g_autoptr(GError) error = NULL;
  MusterProfile *profile;
  const char *tenant;
  int status = MUSTER_EXIT_OK;

  preview = _muster_cli_load_preview (cli, path, &status);
  if (preview == NULL)
    return status;

  profile = _muster_cli_open_profile (cli, &profiles, &error);
  if (profile == NULL)
    return _muster_cli_fail (cli, error);
  plan->profile = g_strdup (muster_profile_get_name (profile));
  plan->who = g_strdup (muster_profile_get_username (profile));
  tenant = muster_profile_get_tenant_id (profile);
  if (tenant != NULL && muster_preview_file_get_tenant_id (preview) != NULL &&
      g_ascii_strcasecmp (tenant, muster_preview_file_get_tenant_id (preview)) != 0)
    return _muster_cli_usage (cli, _("the preview was made for the tenant %s, and the profile “%s” is for %s: "
                                     "choose its profile with --profile"),
                              muster_preview_file_get_tenant_id (preview), plan->profile, tenant);

  status = _muster_cli_read_target (cli, plan->profile,
                                    target_override != NULL ? target_override
                                    : muster_preview_file_get_target_name (preview) != NULL
                                      ? muster_preview_file_get_target_name (preview)
                                      : muster_preview_file_get_target_uri (preview),
                                    plan);
  if (status != MUSTER_EXIT_OK)
    return status;
  if (g_strcmp0 (plan->target_uri, muster_preview_file_get_target_uri (preview)) != 0)
    return _muster_cli_usage (cli, _("the preview was made for %s, not %s: a saved preview is pushed only into "
                                     "its own target"),
                              muster_preview_file_get_target_description (preview), plan->target_description);

  plan->plan = g_object_ref (muster_preview_file_get_plan (preview));
  plan->rules = g_object_ref (muster_plan_get_rules (plan->plan));
  *operations = muster_preview_file_get_operations_for (preview, plan->state, left_out);
  *preview_out = g_steal_pointer (&preview);
  return MUSTER_EXIT_OK;
}

int
_muster_cli_push (MusterCliContext *cli,
                  int               argc,
                  char            **argv)
{
  g_auto(MusterCliPlanArgs) args = { 0 };
  g_auto(MusterCliPlan) plan = { 0 };
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) limit_error = NULL;
  g_autoptr(MusterPreviewFile) preview = NULL;
  g_autoptr(GPtrArray) preview_operations = NULL;
  g_autoptr(GPtrArray) left_out = NULL;
  const MusterPushSummary *progress;
  GPtrArray *operations;
  const char *preview_path = NULL;
  gboolean yes = FALSE, force_limit = FALSE;
  guint count = 0, percent = 0;
  gulong handler;
  int status;

  _muster_cli_plan_args_init (&args);
  for (int i = 1; i < argc; i++)
    {
      const char *value;
      gboolean missing = FALSE;

      if (_muster_cli_plan_args_parse (cli, &args, argc, argv, &i, &status))
        {
          if (status != MUSTER_EXIT_OK)
            return status;
        }
      else if ((value = _muster_cli_option_value (argc, argv, &i, "--preview", &missing)) != NULL)
        preview_path = value;
      else if (missing)
        return _muster_cli_usage (cli, _("--preview needs a .muster-preview file"));
      else if (g_str_equal (argv[i], "--yes"))
        yes = TRUE;
      else if (g_str_equal (argv[i], "--force-limit"))
        force_limit = TRUE;
      else
        return _muster_cli_usage (cli, _("push does not know “%s” (see muster-cli push --help)"), argv[i]);
    }

  /* A script must say it means it: nobody is there to answer the question. */
  if (!yes && !isatty (STDIN_FILENO))
    return _muster_cli_usage (cli, _("push changes the target: add --yes to push without a terminal to ask on"));
  if (preview_path != NULL)
    {
      /* a saved preview is the whole plan: nothing of it is planned again */
      if (args.filters.given || args.only_new || args.only_existing || args.allow_delete)
        return _muster_cli_usage (cli, _("--preview pushes the saved plan as it is: FILTERS, --only-new, "
                                         "--only-existing and --allow-delete do not go with it"));
      status = prepare_preview_push (cli, preview_path, args.target, &preview, &plan, &preview_operations, &left_out);
      if (status != MUSTER_EXIT_OK)
        return status;
      if (left_out->len > 0)
        print_left_out (cli, left_out);
    }
  else
    {
      if (args.target == NULL)
        return _muster_cli_usage (cli, _("--target is needed: a target name (see muster-cli target list), "
                                         "sqlite:PATH or scim:URL"));
      status = _muster_cli_make_plan (cli, &args, &plan);
      if (status != MUSTER_EXIT_OK)
        return status;
    }

  history = _muster_cli_open_history (cli, &error);
  if (history == NULL)
    return _muster_cli_fail (cli, error);

  operations = preview_operations != NULL ? preview_operations : muster_plan_get_operations (plan.plan);
  muster_rules_get_safety_limit (plan.rules, &count, &percent);
  muster_plan_check_safety_limit (plan.plan, count, percent, &limit_error);

  /* Over the limit the push refuses (and records it) without asking anything. */
  if (!yes && (limit_error == NULL || force_limit) && operations->len > 0)
    {
      g_autofree char *question = NULL;

      _muster_cli_print_totals (cli, &plan, cli->err);
      question = g_strdup_printf (_("Push these changes into %s? [y/N]"), plan.target_description);
      if (!ask (cli, question))
        {
          fprintf (cli->err, "%s\n", _("Nothing was changed."));
          return MUSTER_EXIT_ERROR;
        }
    }

  push = muster_push_new_for_operations (plan.target, operations, muster_plan_get_target_user_count (plan.plan),
                                         history, plan.profile, plan.who);
  muster_push_set_safety_limit (push, count, percent);
  muster_push_set_force_limit (push, force_limit);

  handler = g_signal_connect (push, "progress", G_CALLBACK (push_progress_cb), cli);
  muster_push_run_async (push, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  g_signal_handler_disconnect (push, handler);
  if (operations->len > 0 && isatty (fileno (cli->err)))
    fprintf (cli->err, "\r\033[K");
  summary = muster_push_run_finish (push, result, &error);
  progress = muster_push_get_summary (push);

  if (summary == NULL)
    {
      if (g_error_matches (error, MUSTER_PUSH_ERROR, MUSTER_PUSH_ERROR_SAFETY_LIMIT))
        {
          fprintf (cli->err, "muster-cli: %s\n", error->message);
          fprintf (cli->err, "%s\n", _("Check the preview, then push again with --force-limit if this is what "
                                       "you want."));
          if (cli->json)
            print_run_json (cli, history, progress->run_id);
          return MUSTER_EXIT_REFUSED;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          fprintf (cli->err, _("Cancelled after %u of %u changes; the next push goes on from there.\n"),
                   progress->done, progress->total);
          if (cli->json)
            print_run_json (cli, history, progress->run_id);
          return MUSTER_EXIT_ERROR;
        }
      if (g_error_matches (error, MUSTER_PUSH_ERROR, MUSTER_PUSH_ERROR_STOPPED))
        {
          fprintf (cli->err, "muster-cli: %s\n", error->message);
          print_failures (cli, progress);
          if (cli->json)
            print_run_json (cli, history, progress->run_id);
          return MUSTER_EXIT_PARTIAL;
        }
      return _muster_cli_fail (cli, error);
    }

  if (cli->json)
    print_run_json (cli, history, summary->run_id);

  if (summary->total == 0 && preview != NULL)
    fprintf (cli->err, _("0 changes: nothing of the preview is left to make in %s.\n"), plan.target_description);
  else if (summary->total == 0)
    fprintf (cli->err, _("0 changes: %s already holds what the rules ask for.\n"), plan.target_description);
  else
    {
      fprintf (cli->err,
               g_dngettext (GETTEXT_PACKAGE, "%u of %u change made in %s", "%u of %u changes made in %s", summary->total),
               summary->done, summary->total, plan.target_description);
      fputc ('\n', cli->err);
    }
  if (summary->resumes != NULL)
    fprintf (cli->err, _("This run picked up the interrupted run %s.\n"), summary->resumes);
  if (summary->failed > 0)
    {
      fprintf (cli->err,
               g_dngettext (GETTEXT_PACKAGE, "%u change failed; the next push retries it:\n",
                            "%u changes failed; the next push retries them:\n", summary->failed),
               summary->failed);
      print_failures (cli, summary);
    }
  fprintf (cli->err, _("Run %s (see muster-cli history --run %s).\n"), summary->run_id, summary->run_id);
  if (left_out != NULL && left_out->len > 0)
    {
      fprintf (cli->err,
               g_dngettext (GETTEXT_PACKAGE,
                            "Partial push: %u user of the preview was not touched because the target changed; "
                            "make a new preview for them.\n",
                            "Partial push: %u users of the preview were not touched because the target changed; "
                            "make a new preview for them.\n", left_out->len),
               left_out->len);
      return MUSTER_EXIT_PARTIAL;
    }
  return summary->failed > 0 || summary->state == MUSTER_RUN_STATE_PARTIAL ? MUSTER_EXIT_PARTIAL : MUSTER_EXIT_OK;
}
