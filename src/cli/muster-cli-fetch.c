/* muster-cli-fetch.c: muster-cli fetch [--full]
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "muster-cli-private.h"
#include "muster-directory-fetch.h"
#include "muster-snapshot-store.h"

typedef struct
{
  MusterCliContext *cli;
  gboolean          terminal;
  MusterFetchPhase  phase;
  guint             objects;
  gboolean          line_open;
} Progress;

/* 1234567 → "1,234,567" in the user's locale, as the Users page shows counts. */
static char *
format_count (guint value)
{
  return g_strdup_printf ("%'u", value);
}

static void
print_phase (Progress *progress)
{
  g_autofree char *count = format_count (progress->objects);

  fprintf (progress->cli->err, "%s: %s", muster_fetch_phase_get_title (progress->phase), count);
}

static void
progress_cb (MusterDirectoryFetch *fetch,
             int                   phase,
             guint                 objects,
             guint                 pages,
             double                fraction,
             gpointer              user_data)
{
  Progress *progress = user_data;

  if ((MusterFetchPhase) phase != progress->phase)
    {
      /* the phase before is over: leave its final count on its own line */
      if (progress->phase != MUSTER_FETCH_PHASE_STARTING && progress->phase != MUSTER_FETCH_PHASE_SAVING)
        {
          if (progress->terminal)
            fputc ('\r', progress->cli->err);
          print_phase (progress);
          fputc ('\n', progress->cli->err);
        }
      progress->phase = phase;
      progress->line_open = FALSE;
    }
  progress->objects = objects;

  if (phase == MUSTER_FETCH_PHASE_SAVING)
    {
      if (!progress->line_open)
        fprintf (progress->cli->err, "%s\n", _("Saving the snapshot…"));
      progress->line_open = TRUE;
    }
  else if (progress->terminal)
    {
      fputc ('\r', progress->cli->err);
      print_phase (progress);
      fprintf (progress->cli->err, "  (%d %%) ", (int) (fraction * 100));
      progress->line_open = TRUE;
    }
  fflush (progress->cli->err);
}

int
_muster_cli_fetch (MusterCliContext *cli,
                   int               argc,
                   char            **argv)
{
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSession) session = NULL;
  g_autoptr(MusterGraphClient) graph = NULL;
  g_autoptr(MusterDirectoryFetch) fetch = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MusterFetchSummary summary = { 0 };
  Progress progress = { cli, isatty (fileno (cli->err)), MUSTER_FETCH_PHASE_STARTING, 0, FALSE };
  MusterProfile *profile;
  gboolean full = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--full"))
        full = TRUE;
      else
        return _muster_cli_usage (cli, _("fetch takes only --full, not “%s”"), argv[i]);
    }

  profile = _muster_cli_open_profile (cli, &profiles, &error);
  if (profile == NULL)
    return _muster_cli_fail (cli, error);
  store = muster_snapshot_store_open (NULL, &error);
  if (store == NULL)
    return _muster_cli_fail (cli, error);

  session = muster_session_new (profiles, profile);
  graph = muster_graph_client_new (session);
  fetch = muster_directory_fetch_new ();
  g_signal_connect (fetch, "progress", G_CALLBACK (progress_cb), &progress);
  muster_directory_fetch_run_async (fetch, graph, store, muster_profile_get_name (profile), full,
                                    cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  g_signal_handlers_disconnect_by_data (fetch, &progress);
  if (progress.terminal && progress.line_open && progress.phase != MUSTER_FETCH_PHASE_SAVING)
    fputc ('\n', cli->err);

  if (muster_directory_fetch_run_finish (fetch, result, &summary, &error) == 0)
    return _muster_cli_fail (cli, error);

  {
    g_autofree char *users = format_count (summary.users);
    g_autofree char *groups = format_count (summary.groups);
    g_autofree char *memberships = format_count (summary.memberships);

    if (summary.incremental)
      fprintf (cli->err, _("Snapshot %lld (incremental): %s users, %s groups, %s membership changes in %.1f s\n"),
               (long long) summary.snapshot_id, users, groups, memberships, summary.elapsed_seconds);
    else
      fprintf (cli->err, _("Snapshot %lld: %s users, %s groups, %s memberships in %.1f s\n"),
               (long long) summary.snapshot_id, users, groups, memberships, summary.elapsed_seconds);
  }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "snapshotId");
      json_builder_add_int_value (builder, summary.snapshot_id);
      json_builder_set_member_name (builder, "users");
      json_builder_add_int_value (builder, summary.users);
      json_builder_set_member_name (builder, "groups");
      json_builder_add_int_value (builder, summary.groups);
      json_builder_set_member_name (builder, "memberships");
      json_builder_add_int_value (builder, summary.memberships);
      json_builder_set_member_name (builder, "elapsedSeconds");
      json_builder_add_double_value (builder, summary.elapsed_seconds);
      json_builder_set_member_name (builder, "incremental");
      json_builder_add_boolean_value (builder, summary.incremental);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      _muster_cli_print_json (cli, node);
    }
  return MUSTER_EXIT_OK;
}
