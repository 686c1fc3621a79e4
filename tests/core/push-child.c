/* push-child.c: one push into a SQLite store, for the tests that kill it mid-way
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * push-child STORE HISTORY USERS BATCH: plans USERS users against what STORE holds and pushes
 * them in batches of BATCH, recording in HISTORY. Prints "progress DONE FAILED TOTAL" after each
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
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GPtrArray) desired = NULL;
  g_autoptr(GPtrArray) operations = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  if (argc != 5)
    {
      fprintf (stderr, "usage: push-child STORE HISTORY USERS BATCH\n");
      return 2;
    }

  target = muster_sqlite_target_new (argv[1]);
  history = muster_history_open (argv[2], &error);
  if (history == NULL)
    goto fail;
  state = push_test_read_state (MUSTER_TARGET (target), &error);
  if (state == NULL)
    goto fail;

  desired = push_test_desired_users ((guint) atoi (argv[3]), NULL);
  operations = push_test_plan (desired, state);
  push = muster_push_new_for_operations (MUSTER_TARGET (target), operations,
                                         push_test_managed_count (state), history, "crash", "tester");
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
