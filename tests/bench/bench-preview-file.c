/* bench-preview-file.c: writing and reading a .muster-preview file of 100,000 users
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <time.h>

#include "bench-util.h"
#include "muster-preview-file.h"
#include "muster-snapshot-private.h"
#include "muster-user-private.h"

/* Builds a tenant of 100,000 users in memory and a target holding 90 % of them (400 of those
 * changed behind Muster's back), makes the real plan — 10,000 creates, 400 updates, the rest
 * unchanged, each with the target's user and the wanted one — and measures:
 *
 *   save        muster_preview_file_to_bytes() and writing the file (plain JSON)
 *   save-gzip   the same, gzip-compressed
 *   load        reading the file back and muster_preview_file_load_from_bytes(): the read-only plan
 *   load-gzip   the same from the compressed file
 *
 * Goal (issue 12): each under 1 s. Times are CPU seconds of the process, the best of three runs: on
 * a loaded machine the wall clock says more about the neighbours than about Muster (the wall
 * clock is printed too). */

#define N_USERS 100000
#define N_CHANGED 400
#define RUNS 3

static MusterSnapshot *
make_snapshot (void)
{
  MusterSnapshotInfo info = { 1, (char *) "bench", (char *) "tenant", 1767225600, N_USERS, 0, FALSE };
  MusterSnapshot *snapshot = _muster_snapshot_new (&info);
  GRand *rand = g_rand_new_with_seed (12);

  for (guint i = 0; i < N_USERS; i++)
    {
      const char *first = bench_first_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_first_names))];
      const char *last = bench_surnames[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_surnames))];
      g_autofree char *user_id = g_strdup_printf ("00000000-0000-4000-8000-%012u", i);
      g_autofree char *name = g_strdup_printf ("%s %s %u", first, last, i);
      g_autofree char *upn = g_strdup_printf ("user%u@contoso.com", i);
      g_autofree char *manager = g_strdup_printf ("00000000-0000-4000-8000-%012u", i / 10);
      g_autofree char *employee = g_strdup_printf ("E%06u", i);
      g_autofree char *phone = g_strdup_printf ("+1 555 %04u", i % 10000);
      MusterUserFields fields = { 0 };

      fields.id = user_id;
      fields.display_name = name;
      fields.given_name = first;
      fields.surname = last;
      fields.user_principal_name = upn;
      fields.mail = upn;
      fields.job_title = bench_titles[i % G_N_ELEMENTS (bench_titles)];
      fields.department = bench_departments[i % G_N_ELEMENTS (bench_departments)];
      fields.employee_id = employee;
      fields.mobile_phone = phone;
      fields.office_location = "Building 1";
      fields.account_enabled = TRUE;
      fields.user_type = "Member";
      fields.manager_id = i > 0 ? manager : NULL;
      _muster_snapshot_add_user (snapshot, _muster_user_new (&fields));
    }
  _muster_snapshot_finish (snapshot);
  g_rand_free (rand);
  return snapshot;
}

static MusterPlan *
make_plan (MusterSnapshot *snapshot)
{
  MusterTargetFeatures features = MUSTER_TARGET_FEATURE_GROUPS | MUSTER_TARGET_FEATURE_DELETE |
                                  MUSTER_TARGET_FEATURE_ROLES | MUSTER_TARGET_FEATURE_USER_TYPE |
                                  MUSTER_TARGET_FEATURE_ENTERPRISE;
  g_autoptr(MusterRules) rules = muster_rules_new ();
  g_autoptr(MusterTargetState) empty = muster_target_state_new ();
  g_autoptr(MusterTargetState) state = muster_target_state_new ();
  g_autoptr(MusterPlan) first = muster_plan_new (snapshot, rules, empty, features, NULL);
  GPtrArray *items = muster_plan_get_items (first);

  for (guint i = 0; i < items->len; i++)
    {
      const MusterPlanItem *item = items->pdata[i];
      g_autoptr(MusterTargetUser) user = NULL;

      if (i % 10 == 9 || item->desired == NULL)
        continue;
      user = muster_target_user_copy (item->desired);
      user->id = g_strdup_printf ("%u", i + 1);
      if (i % (N_USERS / N_CHANGED) == 0)
        muster_target_user_set_attribute (user, MUSTER_ATTR_TITLE, "Changed by hand");
      muster_target_state_add_user (state, user);
    }
  return muster_plan_new (snapshot, rules, state, features, NULL);
}

static double
cpu_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPreviewFile) preview = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-preview-file-XXXXXX", &error);
  const MusterPlanTotals *totals;
  MusterPreviewFileInfo info = { "bench", NULL, "Contoso", "bench@contoso.com", "sqlite:/tmp/people.db", "people",
                                 "SQLite store /tmp/people.db" };
  double best[4] = { G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE };
  double wall[4] = { G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE };
  gsize sizes[2] = { 0, 0 };
  const char *names[4] = { "save", "save-gzip", "load", "load-gzip" };

  bench_check (dir != NULL, error);
  snapshot = make_snapshot ();
  plan = make_plan (snapshot);
  totals = muster_plan_get_totals (plan);
  g_print ("plan: %u create, %u update, %u unchanged\n", totals->create, totals->update, totals->unchanged);
  g_assert_cmpuint (totals->update, ==, N_CHANGED);
  preview = muster_preview_file_new (plan, &info);

  for (guint run = 0; run < RUNS; run++)
    for (guint compress = 0; compress < 2; compress++)
      {
        g_autofree char *path = g_build_filename (dir, compress ? "plan.muster-preview.gz" : "plan.muster-preview", NULL);
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(MusterPreviewFile) loaded = NULL;
        char *contents = NULL;
        gsize length = 0;
        double start, cpu;

        start = bench_now ();
        cpu = cpu_now ();
        bytes = muster_preview_file_to_bytes (preview, compress);
        bench_check (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error), error);
        best[compress] = MIN (best[compress], cpu_now () - cpu);
        wall[compress] = MIN (wall[compress], bench_now () - start);
        sizes[compress] = g_bytes_get_size (bytes);
        g_clear_pointer (&bytes, g_bytes_unref);

        start = bench_now ();
        cpu = cpu_now ();
        bench_check (g_file_get_contents (path, &contents, &length, &error), error);
        bytes = g_bytes_new_take (contents, length);
        loaded = muster_preview_file_load_from_bytes (bytes, &error);
        bench_check (loaded != NULL, error);
        best[2 + compress] = MIN (best[2 + compress], cpu_now () - cpu);
        wall[2 + compress] = MIN (wall[2 + compress], bench_now () - start);
        g_assert_cmpuint (muster_plan_get_items (muster_preview_file_get_plan (loaded))->len, ==, N_USERS);
        g_assert_cmpuint (muster_plan_get_totals (muster_preview_file_get_plan (loaded))->update, ==, N_CHANGED);
        g_unlink (path);
      }
  g_rmdir (dir);

  g_print ("file: %.1f MB plain, %.1f MB gzip\n", sizes[0] / 1e6, sizes[1] / 1e6);
  for (guint i = 0; i < 4; i++)
    g_print ("%-10s %.3f s CPU (wall %.3f s; best of %u)%s\n", names[i], best[i], wall[i], RUNS,
             best[i] < 1.0 ? "" : "  — over the 1 s goal");
  return 0;
}
