/* bench-fake-generate.c: how fast the fake tenant generates big directories, and how much memory
 * they take
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Generates 100,000 and 1,000,000 users (50 groups) and prints, for each, the seconds taken and
 * the process's peak resident size (getrusage ru_maxrss). Targets: 100,000 users in under 10 s
 * (about 1 s expected), 1,000,000 users within 1.5 GB. Each size runs in a child process so the
 * peak of one doesn't hide the other's. Exits 1 when a target is missed.
 *
 *   bench-fake-generate [N_USERS…]
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "muster-fake-directory.h"

static int
run_one (guint n_users)
{
  struct rusage usage;
  gint64 start = g_get_monotonic_time ();
  MusterFakeDirectory *dir = muster_fake_directory_new_generated (42, n_users, 50);
  double seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  double rss_mb;
  gboolean ok;

  getrusage (RUSAGE_SELF, &usage);
  rss_mb = usage.ru_maxrss / 1024.0;  /* kilobytes on Linux */
  ok = muster_fake_directory_count_users (dir) == n_users
       && (n_users > 100000 || seconds < 10.0)
       && (n_users > 1000000 || rss_mb < 1536.0);
  printf ("generate %8u users: %6.2f s, max RSS %7.1f MB%s\n", n_users, seconds, rss_mb,
          ok ? "" : "  (over target)");
  fflush (stdout);
  muster_fake_directory_free (dir);
  return ok ? 0 : 1;
}

int
main (int    argc,
      char **argv)
{
  static const guint defaults[] = { 100000, 1000000 };
  int failed = 0;
  int n = argc > 1 ? argc - 1 : (int) G_N_ELEMENTS (defaults);

  for (int i = 0; i < n; i++)
    {
      guint n_users = argc > 1 ? (guint) g_ascii_strtoull (argv[i + 1], NULL, 10) : defaults[i];
      pid_t pid = fork ();
      int status = 0;

      if (pid < 0)
        return 2;
      if (pid == 0)
        _exit (run_one (n_users));
      waitpid (pid, &status, 0);
      failed |= !WIFEXITED (status) || WEXITSTATUS (status) != 0;
    }
  return failed ? 1 : 0;
}
