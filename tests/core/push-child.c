/* push-child.c: one push into a SQLite store, for the tests that kill it mid-way
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * push-child STORE HISTORY CACHE BATCH: plans the newest snapshot of profile "crash" in the
 * cache.db CACHE, with default rules, against what STORE holds, and pushes the plan in batches of
 * BATCH, recording in HISTORY — what `muster-cli push` does. Prints "progress DONE FAILED TOTAL" after each
 * batch and "finished STATE" at the end, flushed, so the test can kill it at a chosen point.
 * A separate program rather than fork(): GLib's worker threads do not survive a fork.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "muster-sqlite-target.h"
#include "push-test-util.h"

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
  g_autoptr(MusterSqliteTarget) target = NULL;
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  if (argc != 5)
    {
      fprintf (stderr, "usage: push-child STORE HISTORY CACHE BATCH\n");
      return 2;
    }

  target = muster_sqlite_target_new (argv[1]);
  history = muster_history_open (argv[2], &error);
  if (history == NULL)
    goto fail;
  snapshot = push_test_load_snapshot (argv[3], "crash");
  plan = push_test_make_plan (snapshot, MUSTER_TARGET (target));
  push = muster_push_new (MUSTER_TARGET (target), plan, history, "crash", "tester");
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
