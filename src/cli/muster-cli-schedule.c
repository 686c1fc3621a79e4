/* muster-cli-schedule.c: muster-cli sync and schedule — unattended runs from a systemd timer
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `sync` is what the timer's service runs: fetch, then push with --yes, through the very
 * commands a person types, one sync of a profile at a time (a flock in the data folder). With
 * --scheduled the run is marked in the history as the timer's, a run that needs the admin
 * (sign-in needed, refused by the safety limit, partly failed) shows a desktop notification, and
 * each run ends with a structured journal entry (MESSAGE_ID below; journalctl MESSAGE_ID=…).
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "muster-cli-plan.h"
#include "muster-notify.h"
#include "muster-schedule.h"

/* journalctl MESSAGE_ID=… finds every scheduled sync's outcome */
#define SYNC_MESSAGE_ID "5b3f9e7c2a8d4c61b0e4f19a7d6c2e85"

/* Takes the profile's sync lock: the fd to keep open, or -1 (another sync holds it, or *@error). */
static int
take_sync_lock (const char  *profile,
                GError     **error)
{
  g_autofree char *data_dir = muster_get_data_dir ();
  g_autofree char *dir = g_build_filename (data_dir, "locks", NULL);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, profile, -1);
  g_autofree char *name = g_strdup_printf ("sync-%.32s.lock", digest);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      (fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("The sync lock “%s” cannot be made: %s."),
                   path, g_strerror (saved));
      return -1;
    }
  /* released by the kernel when the process ends, however it ends */
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;

      close (fd);
      if (saved != EWOULDBLOCK)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("The sync lock “%s” cannot be taken: %s."),
                     path, g_strerror (saved));
      return -1;
    }
  return fd;
}

/* Runs a command of the table with its messages both on standard error and kept, so that the
 * last of them can go into the history, the notification and the journal. */
static int
run_captured (MusterCliContext *cli,
              int             (*command) (MusterCliContext *cli, int argc, char **argv),
              GPtrArray        *argv,
              char            **message)
{
  MusterCliContext inner = *cli;
  g_autofree char *text = NULL;
  size_t length = 0;
  FILE *err;
  int status;

  err = open_memstream (&text, &length);
  if (err == NULL)
    return command (cli, argv->len - 1, (char **) argv->pdata);
  inner.err = err;
  status = command (&inner, argv->len - 1, (char **) argv->pdata);
  fclose (err);
  fwrite (text, 1, length, cli->err);
  fflush (cli->err);

  if (message != NULL && status != MUSTER_EXIT_OK)
    {
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      /* the command's own words: its "muster-cli: " line, else its last line */
      for (guint i = 0; lines[i] != NULL; i++)
        {
          if (g_str_has_prefix (lines[i], "muster-cli: "))
            {
              g_free (*message);
              *message = g_strdup (lines[i] + strlen ("muster-cli: "));
            }
          else if (*message == NULL && lines[i][0] != '\0' && lines[i + 1] != NULL && lines[i + 1][0] == '\0')
            *message = g_strdup (lines[i]);
        }
    }
  return status;
}

static gboolean
terminated_cb (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return G_SOURCE_CONTINUE;
}

static const char *
outcome_of_status (int status)
{
  switch (status)
    {
    case MUSTER_EXIT_OK:       return "completed";
    case MUSTER_EXIT_SIGN_IN_NEEDED:  return "sign-in-needed";
    case MUSTER_EXIT_PARTIAL:  return "partial";
    case MUSTER_EXIT_REFUSED:  return "refused";
    default:                   return "failed";
    }
}

static void
journal (const char *profile,
         const char *target,
         const char *outcome,
         const char *run_id,
         const char *text)
{
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "MESSAGE_ID", SYNC_MESSAGE_ID,
                    "SYSLOG_IDENTIFIER", "muster-cli",
                    "MUSTER_PROFILE", profile,
                    "MUSTER_TARGET", target,
                    "MUSTER_OUTCOME", outcome,
                    "MUSTER_RUN", run_id != NULL ? run_id : "",
                    "MESSAGE", "%s", text);
}

/* The history's words for a target as the command line names it. */
static void
describe_target (const char  *profile,
                 const char  *target,
                 char       **uri,
                 char       **description)
{
  g_autoptr(MusterTargetStore) store = muster_target_store_load (NULL, NULL);
  MusterTargetInfo *info = NULL;  /* the store's */

  if (store != NULL)
    info = muster_target_store_lookup (store, profile, target);
  if (info != NULL)
    {
      *uri = muster_target_info_dup_uri (info);
      *description = g_strdup (info->name);
    }
  else
    {
      *uri = g_strdup (target);
      *description = g_strdup (target);
    }
}

typedef struct
{
  MusterHistory *history;
  const char    *profile;
  const char    *before;      /* the profile's newest run before the sync began, or NULL */
  const char    *target;
  int            status;
  const char    *message;
  gboolean       scheduled;
} RecordArgs;

static void
record_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RecordArgs *args = task_data;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *description = NULL;
  GError *error = NULL;

  /* the run push recorded: this profile's newest, if it is not the one before the sync (the
   * sync lock keeps other syncs out) */
  runs = muster_history_list_runs (args->history, args->profile, 1, &error);
  if (runs == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (runs->len > 0 && g_strcmp0 (((MusterHistoryRun *) g_ptr_array_index (runs, 0))->id, args->before) != 0)
    {
      MusterHistoryRun *pushed = g_ptr_array_index (runs, 0);

      if (args->scheduled && !muster_history_mark_scheduled (args->history, pushed->id, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      g_task_return_pointer (task, g_strdup (pushed->id), g_free);
      return;
    }

  /* It stopped before push recorded anything (sign-in, fetch, the target): say so in the history. */
  describe_target (args->profile, args->target, &uri, &description);
  run = muster_history_begin_run (args->history, args->profile, uri, description, NULL, none, &error);
  if (run == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!muster_history_finish_run (args->history, run->id, MUSTER_RUN_STATE_FAILED, args->message, &error) ||
      (args->scheduled && !muster_history_mark_scheduled (args->history, run->id, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_strdup (run->id), g_free);
}

/* The run this sync made, marked scheduled; recorded as failed when push never began one. */
static char *
record_run (MusterCliContext *cli,
            RecordArgs       *args)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GTask *task;
  char *run_id;

  /* not cancellable: the run is recorded even after Ctrl+C */
  task = g_task_new (NULL, NULL, _muster_cli_store_result_cb, &result);
  g_task_set_task_data (task, args, NULL);
  g_task_run_in_thread (task, record_thread);
  g_object_unref (task);
  _muster_cli_wait (&result);
  run_id = g_task_propagate_pointer (G_TASK (result), &error);
  if (run_id == NULL)
    fprintf (cli->err, _("muster-cli: the history could not record this sync: %s\n"), error->message);
  return run_id;
}

/* A click on the notification opens the app at what needs the admin: app.open-page takes
 * (profile, page, run id) — "sign-in", "preview" or "history". */
static void
notify (MusterCliContext *cli,
        const char       *profile,
        const char       *target,
        int               status,
        const char       *message,
        const char       *run_id)
{
  g_autofree char *tag = NULL;
  const char *page;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *body = NULL;
  const char *why = message != NULL ? message : "";

  switch (status)
    {
    case MUSTER_EXIT_SIGN_IN_NEEDED:
      summary = g_strdup (_("Muster needs you to sign in"));
      body = g_strdup_printf (_("The automatic sync of “%s” into %s could not sign in. %s\n"
                                "Open Muster and sign in again, or run “muster-cli --profile %s login”."),
                              profile, target, why, profile);
      page = "sign-in";
      break;
    case MUSTER_EXIT_REFUSED:
      summary = g_strdup (_("Automatic sync stopped by the safety limit"));
      body = g_strdup_printf (_("Nothing was changed in %s for “%s”. %s\n"
                                "Check the preview in Muster, then push by hand if this is what you want."),
                              target, profile, why);
      page = "preview";
      break;
    case MUSTER_EXIT_PARTIAL:
      summary = g_strdup (_("Automatic sync partly failed"));
      body = g_strdup_printf (_("Some changes into %s for “%s” failed; the next sync retries them. %s\n"
                                "Open Muster’s History for each user’s result."),
                              target, profile, why);
      page = "history";
      break;
    default:
      return;  /* a run that went well stays silent */
    }

  /* one notification per profile: the newest run's replaces an older one still shown */
  tag = g_strdup_printf ("scheduled-sync-%s", profile);
  muster_notify_send_async (summary, body, tag, "app.open-page",
                            g_variant_new ("(sss)", profile, page, run_id != NULL ? run_id : ""),
                            NULL, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  if (!muster_notify_send_finish (result, NULL, &error))
    fprintf (cli->err, _("muster-cli: no desktop notification could be shown: %s\n"), error->message);
}

int
_muster_cli_sync (MusterCliContext *cli,
                  int               argc,
                  char            **argv)
{
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(GPtrArray) fetch_argv = g_ptr_array_new ();
  g_autoptr(GPtrArray) push_argv = g_ptr_array_new ();
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *message = NULL;
  g_autofree char *run_id = NULL;
  g_autofree char *line = NULL;
  const char *target = NULL;
  gboolean scheduled = FALSE;
  MusterProfile *found;
  g_autofree char *before = NULL;
  guint sigterm;
  int lock, status;

  g_ptr_array_add (fetch_argv, "fetch");
  g_ptr_array_add (push_argv, "push");
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--scheduled"))
        scheduled = TRUE;
      else if (g_str_equal (argv[i], "--full"))
        g_ptr_array_add (fetch_argv, argv[i]);
      else if (g_str_equal (argv[i], "--yes"))
        continue;  /* implied */
      else if (g_str_equal (argv[i], "--target") && i + 1 < argc)
        {
          target = argv[i + 1];
          g_ptr_array_add (push_argv, argv[i++]);
          g_ptr_array_add (push_argv, argv[i]);
        }
      else if (g_str_has_prefix (argv[i], "--target="))
        {
          target = argv[i] + strlen ("--target=");
          g_ptr_array_add (push_argv, argv[i]);
        }
      else
        g_ptr_array_add (push_argv, argv[i]);  /* push checks the rest */
    }
  if (target == NULL)
    return _muster_cli_usage (cli, _("--target is needed: a target name (see muster-cli target list) or sqlite:PATH"));
  g_ptr_array_add (push_argv, "--yes");
  g_ptr_array_add (fetch_argv, NULL);
  g_ptr_array_add (push_argv, NULL);

  found = _muster_cli_open_profile (cli, &profiles, &error);
  if (found == NULL)
    {
      status = _muster_cli_fail (cli, error);
      if (scheduled)
        journal (cli->profile ? cli->profile : "", target, "failed", NULL, error->message);
      return status;
    }
  profile = g_strdup (muster_profile_get_name (found));
  g_clear_object (&profiles);

  lock = take_sync_lock (profile, &error);
  if (lock < 0)
    {
      if (error != NULL)
        return _muster_cli_fail (cli, error);
      line = g_strdup_printf (_("Another sync of the profile “%s” is running; this one stops without doing anything."),
                              profile);
      fprintf (cli->err, "muster-cli: %s\n", line);
      if (scheduled)
        journal (profile, target, "busy", NULL, line);
      return MUSTER_EXIT_ERROR;
    }

  /* systemctl stop sends SIGTERM: stop as Ctrl+C does, after the changes in flight */
  sigterm = g_unix_signal_add (SIGTERM, terminated_cb, cli->cancellable);

  /* the commands below open the profile by name: the one locked, even if the default changes */
  cli->profile = profile;
  history = _muster_cli_open_history (cli, &error);
  if (history == NULL)
    {
      status = _muster_cli_fail (cli, error);
      g_source_remove (sigterm);
      close (lock);
      return status;
    }
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GPtrArray) runs = NULL;

    muster_history_list_runs_async (history, profile, 1, NULL, _muster_cli_store_result_cb, &result);
    _muster_cli_wait (&result);
    runs = muster_history_list_runs_finish (history, result, &error);
    if (runs == NULL)
      {
        status = _muster_cli_fail (cli, error);
        g_source_remove (sigterm);
        close (lock);
        return status;
      }
    if (runs->len > 0)
      before = g_strdup (((MusterHistoryRun *) g_ptr_array_index (runs, 0))->id);
  }

  status = run_captured (cli, _muster_cli_fetch, fetch_argv, &message);
  if (status == MUSTER_EXIT_OK)
    status = run_captured (cli, _muster_cli_push, push_argv, &message);

  /* a mistyped command by hand is no run; a timer's run that cannot start (its target was
   * removed, say) is one, or nobody would see it fail night after night */
  if (status != MUSTER_EXIT_USAGE || scheduled)
    {
      RecordArgs args = { history, profile, before, target, status, message, scheduled };

      run_id = record_run (cli, &args);
    }

  if (scheduled)
    {
      if (status == MUSTER_EXIT_OK)
        line = g_strdup_printf (_("Scheduled sync of “%s” into %s: done."), profile, target);
      else
        line = g_strdup_printf (_("Scheduled sync of “%s” into %s: %s (exit status %d). %s"), profile, target,
                                outcome_of_status (status), status, message ? message : "");
      journal (profile, target, outcome_of_status (status), run_id, line);
      notify (cli, profile, target, status, message, run_id);
    }

  g_source_remove (sigterm);
  close (lock);
  return status;
}

/* schedule --------------------------------------------------------------------------------- */

static void
print_time (MusterCliContext *cli,
            const char       *label,
            gint64            usec,
            const char       *none)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;

  if (usec > 0)
    time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  if (time != NULL)
    text = g_date_time_format (time, "%Y-%m-%d %H:%M:%S %Z");
  fprintf (cli->out, "  %-22s %s\n", label, text != NULL ? text : none);
}

static int
schedule_enable (MusterCliContext *cli,
                 const char       *profile,
                 int               argc,
                 char            **argv)
{
  g_autoptr(MusterTargetStore) store = NULL;
  MusterTargetInfo *info;  /* the store's */
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cli_path = NULL;
  g_autofree char *timer = NULL;
  g_autofree char *dir = NULL;
  const char *target = NULL, *every = NULL;
  gboolean missing = FALSE;

  for (int i = 2; i < argc; i++)
    {
      const char *value;

      if ((value = _muster_cli_option_value (argc, argv, &i, "--target", &missing)) != NULL)
        target = value;
      else if ((value = _muster_cli_option_value (argc, argv, &i, "--every", &missing)) != NULL)
        every = value;
      else if (missing)
        return _muster_cli_usage (cli, _("%s needs a value"), argv[i]);
      else
        return _muster_cli_usage (cli, _("schedule enable does not know “%s” (see muster-cli schedule --help)"),
                                  argv[i]);
    }
  if (target == NULL)
    return _muster_cli_usage (cli, _("--target is needed: a target name (see muster-cli target list) or sqlite:PATH"));
  if (!muster_schedule_parse_every (every, NULL, NULL, &error))
    return _muster_cli_usage (cli, "%s", error->message);

  /* The run has nobody to type a token: a SCIM service must be a named target, its token in the keyring. */
  store = muster_target_store_load (NULL, &error);
  if (store == NULL)
    return _muster_cli_fail (cli, error);
  info = muster_target_store_lookup (store, profile, target);
  if (info == NULL)
    {
      MusterTargetKind kind;
      g_autofree char *location = NULL;

      if (!muster_target_parse_uri (target, &kind, &location, NULL))
        return _muster_cli_usage (cli, _("The profile “%s” has no target “%s” (see muster-cli target list)."),
                                  profile, target);
      if (kind == MUSTER_TARGET_KIND_SCIM)
        return _muster_cli_usage (cli, _("A scheduled sync cannot ask for a token: add the SCIM service with "
                                         "“muster-cli target add NAME %s” and schedule that name."), target);
    }

  /* the installed program that runs now, by its real path */
  cli_path = g_file_read_link ("/proc/self/exe", NULL);
  muster_schedule_enable_async (profile, target, every, cli_path, cli->cancellable, _muster_cli_store_result_cb,
                                &result);
  _muster_cli_wait (&result);

  timer = muster_schedule_dup_unit_name (profile, "timer");
  dir = muster_schedule_dup_unit_dir ();
  if (!muster_schedule_enable_finish (result, &error))
    {
      if (g_error_matches (error, MUSTER_SCHEDULE_ERROR, MUSTER_SCHEDULE_ERROR_NO_MANAGER))
        {
          g_autofree char *command = muster_schedule_dup_manual_command (profile);

          fprintf (cli->err, _("The timer %s and its service are written in %s,\n"
                               "but no systemd user manager runs in this session (org.freedesktop.systemd1 is not "
                               "on the session bus),\nso nothing enabled them. Enable them by hand:\n\n  %s\n\n"),
                   timer, dir, command);
          return MUSTER_EXIT_ERROR;
        }
      return _muster_cli_fail (cli, error);
    }
  fprintf (cli->err, _("Automatic sync of “%s” into %s is on: %s (%s in %s).\n"
                       "See “muster-cli schedule status” for the next run.\n"),
           profile, target, every != NULL ? every : "daily", timer, dir);
  return MUSTER_EXIT_OK;
}

static int
schedule_disable (MusterCliContext *cli,
                  const char       *profile)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean removed = FALSE, reached = FALSE;

  muster_schedule_disable_async (profile, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  if (!muster_schedule_disable_finish (result, &removed, &reached, &error))
    return _muster_cli_fail (cli, error);
  if (removed)
    fprintf (cli->err, _("Automatic sync of “%s” is off; its timer and service are removed.\n"), profile);
  else
    fprintf (cli->err, _("The profile “%s” had no automatic sync.\n"), profile);
  if (!reached)
    fprintf (cli->err, "%s\n", _("No systemd user manager runs in this session: if one ran the timer before, "
                                 "run “systemctl --user daemon-reload” in that session."));
  return MUSTER_EXIT_OK;
}

static int
schedule_status (MusterCliContext *cli,
                 const char       *profile)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterScheduleStatus) status = NULL;
  MusterHistoryRun *run;

  muster_schedule_get_status_async (profile, NULL, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  status = muster_schedule_get_status_finish (result, &error);
  if (status == NULL)
    return _muster_cli_fail (cli, error);
  run = status->last_scheduled;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "profile");
      json_builder_add_string_value (builder, profile);
      json_builder_set_member_name (builder, "enabled");
      json_builder_add_boolean_value (builder, status->installed);
      json_builder_set_member_name (builder, "target");
      json_builder_add_string_value (builder, status->target);
      json_builder_set_member_name (builder, "every");
      json_builder_add_string_value (builder, status->every);
      json_builder_set_member_name (builder, "managerReached");
      json_builder_add_boolean_value (builder, status->manager_reached);
      json_builder_set_member_name (builder, "activeState");
      json_builder_add_string_value (builder, status->active_state);
      json_builder_set_member_name (builder, "unitFileState");
      json_builder_add_string_value (builder, status->unit_file_state);
      json_builder_set_member_name (builder, "nextRun");
      json_builder_add_int_value (builder, status->next_run / G_USEC_PER_SEC);
      json_builder_set_member_name (builder, "lastRun");
      json_builder_add_int_value (builder, status->last_run / G_USEC_PER_SEC);
      json_builder_set_member_name (builder, "lastScheduledRun");
      if (run != NULL)
        json_builder_add_value (builder, muster_history_run_to_json (run));
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      _muster_cli_print_json (cli, node);
      return MUSTER_EXIT_OK;
    }

  fprintf (cli->out, _("Automatic sync of “%s”: %s\n"), profile, status->installed ? _("on") : _("off"));
  if (status->installed)
    {
      fprintf (cli->out, "  %-22s %s\n", _("Target:"), status->target ? status->target : "?");
      fprintf (cli->out, "  %-22s %s\n", _("Every:"), status->every ? status->every : "?");
      if (!status->manager_reached)
        fprintf (cli->out, "  %-22s %s\n", _("Timer:"), _("no systemd user manager answers in this session"));
      else
        {
          fprintf (cli->out, "  %-22s %s (%s)\n", _("Timer:"), status->active_state ? status->active_state : "?",
                   status->unit_file_state ? status->unit_file_state : "?");
          print_time (cli, _("Next run:"), status->next_run, _("none due"));
          print_time (cli, _("Last run:"), status->last_run, _("never"));
        }
    }
  if (run != NULL)
    {
      g_autofree char *outcome = NULL;

      print_time (cli, _("Last scheduled run:"), run->started_at * G_USEC_PER_SEC, "?");
      outcome = g_strdup_printf ("%s — %u of %u changes done, %u failed", muster_run_state_get_title (run->state),
                                 run->done, run->total, run->failed);
      fprintf (cli->out, "  %-22s %s\n", _("Outcome:"), outcome);
      if (run->message != NULL)
        fprintf (cli->out, "  %-22s %s\n", "", run->message);
      fprintf (cli->out, "  %-22s %s\n", _("Run:"), run->id);
    }
  else
    fprintf (cli->out, "  %-22s %s\n", _("Last scheduled run:"), _("none yet"));
  return MUSTER_EXIT_OK;
}

int
_muster_cli_schedule (MusterCliContext *cli,
                      int               argc,
                      char            **argv)
{
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  MusterProfile *found;
  const char *action = argc > 1 ? argv[1] : NULL;

  if (action == NULL || !(g_str_equal (action, "enable") || g_str_equal (action, "disable") ||
                          g_str_equal (action, "status")))
    return _muster_cli_usage (cli, _("schedule needs enable, disable or status (see muster-cli schedule --help)"));
  if (!g_str_equal (action, "enable") && argc > 2)
    return _muster_cli_usage (cli, _("schedule %s takes no arguments, not “%s”"), action, argv[2]);

  found = _muster_cli_open_profile (cli, &profiles, &error);
  if (found == NULL)
    return _muster_cli_fail (cli, error);
  profile = g_strdup (muster_profile_get_name (found));

  if (g_str_equal (action, "enable"))
    return schedule_enable (cli, profile, argc, argv);
  if (g_str_equal (action, "disable"))
    return schedule_disable (cli, profile);
  return schedule_status (cli, profile);
}
