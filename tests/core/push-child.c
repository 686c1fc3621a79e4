/* push-child.c: one push into a SQLite store or a SCIM service, for the tests that kill it
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * push-child TARGET HISTORY CACHE BATCH: plans the newest snapshot of profile "crash" in the
 * cache.db CACHE, with default rules, against what TARGET holds, and pushes the plan in batches
 * of BATCH, recording in HISTORY — what `muster-cli push` does. TARGET is a SQLite store's path,
 * or scim:URL with the bearer token on the first line of standard input (never an argument).
 * Prints "progress DONE FAILED TOTAL" after each batch and "finished STATE" at the end, flushed,
 * so the test can kill it at a chosen point.
 * A separate program rather than fork(): GLib's worker threads do not survive a fork.
 */

#include "config.h"

#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "muster-scim-target.h"
#include "muster-sqlite-target.h"
#include "push-test-util.h"

static MusterTarget *
open_target (const char  *location,
             GError     **error)
{
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GInputStream) stdin_stream = NULL;
  g_autofree char *token = NULL;

  if (!g_str_has_prefix (location, "scim:"))
    return MUSTER_TARGET (muster_sqlite_target_new (location));

  stdin_stream = g_unix_input_stream_new (0, FALSE);
  input = g_data_input_stream_new (stdin_stream);
  token = g_data_input_stream_read_line (input, NULL, NULL, error);
  if (token == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no token on standard input");
      return NULL;
    }
  return MUSTER_TARGET (muster_scim_target_new (location + strlen ("scim:"), token, error));
}

static void
progress_cb (MusterPush *push,
             guint       done,
             guint       failed,
             guint       total,
             gpointer    user_data)
{
  printf ("progress %u %u %u\n", done, failed, total);
  fflush (stdout);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MusterTarget) target = NULL;
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  if (argc != 5)
    {
      fprintf (stderr, "usage: push-child STORE|scim:URL HISTORY CACHE BATCH\n");
      return 2;
    }

  target = open_target (argv[1], &error);
  if (target == NULL)
    goto fail;
  history = muster_history_open (argv[2], &error);
  if (history == NULL)
    goto fail;
  snapshot = push_test_load_snapshot (argv[3], "crash");
  plan = push_test_make_plan (snapshot, target);
  push = muster_push_new (target, plan, history, "crash", "tester");
  muster_push_set_batch_size (push, (guint) atoi (argv[4]));
  g_signal_connect (push, "progress", G_CALLBACK (progress_cb), NULL);

  summary = push_test_run (push, NULL, &error);
  if (summary == NULL)
    goto fail;
  printf ("finished %s\n", muster_run_state_to_string (summary->state));
  return 0;

fail:
  fprintf (stderr, "push-child: %s\n", error->message);
  return 1;
}
