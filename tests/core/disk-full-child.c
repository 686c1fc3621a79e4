/* disk-full-child.c: a snapshot, an export or a push that runs out of disk, for test-crash-safety
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   disk-full-child LIMIT snapshot CACHE N        writes a snapshot of N users of profile "disk"
 *   disk-full-child LIMIT export CACHE OUT        exports the newest snapshot of "disk" as CSV
 *   disk-full-child LIMIT push STORE HISTORY CACHE  plans and pushes it into a SQLite store
 *
 * Before any of it, no file may grow beyond LIMIT bytes (setrlimit(2) RLIMIT_FSIZE), and
 * SIGXFSZ is ignored so that a write past it fails with EFBIG, as on a full disk, instead of
 * killing the process. Exits 0 when the work succeeded, 1 with the error on standard error when
 * it failed, 2 on a usage error.
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "muster-export.h"
#include "muster-sqlite-target.h"
#include "push-test-util.h"

static gboolean
write_snapshot (const char  *cache,
                guint        n,
                GError     **error)
{
  g_autoptr(MusterSnapshotStore) store = muster_snapshot_store_open (cache, error);
  g_autoptr(MusterSnapshotWriter) writer = NULL;

  if (store == NULL)
    return FALSE;
  writer = muster_snapshot_store_begin (store, "disk", "11111111-2222-3333-4444-555555555555", error);
  if (writer == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = push_test_user_id (i);
      g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"displayName\":\"User %u with a longer name\","
                                               "\"userPrincipalName\":\"user%u@example.com\",\"mail\":\"user%u@example.com\","
                                               "\"jobTitle\":\"Engineer of things number %u\",\"department\":\"Dept %u\","
                                               "\"userType\":\"Member\",\"accountEnabled\":true,"
                                               "\"assignedLicenses\":[{\"skuId\":\"c7df2760-2c81-4ef7-b578-5b5392b571df\"}]}",
                                               id, i, i, i, i, i % 17);
      g_autoptr(JsonNode) node = json_from_string (json, error);
      g_autoptr(MusterUser) user = NULL;

      if (node == NULL)
        return FALSE;
      user = muster_user_new_from_json (json_node_get_object (node));
      if (!muster_snapshot_writer_put_user (writer, user, error))
        return FALSE;
    }
  return muster_snapshot_writer_commit (writer, error) > 0;
}

static gboolean
export_snapshot (const char  *cache,
                 const char  *out,
                 GError     **error)
{
  g_autoptr(MusterSnapshot) snapshot = push_test_load_snapshot (cache, "disk");
  g_autoptr(MusterExport) export = muster_export_new (MUSTER_EXPORT_FORMAT_CSV);
  g_autoptr(GFile) file = g_file_new_for_path (out);

  return muster_export_write_users (export, muster_snapshot_get_users (snapshot), file, NULL, error);
}

static gboolean
push (const char  *store_path,
      const char  *history_path,
      const char  *cache,
      GError     **error)
{
  g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (store_path);
  g_autoptr(MusterHistory) history = muster_history_open (history_path, error);
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterPlan) plan = NULL;
  g_autoptr(MusterPush) run = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;

  if (history == NULL)
    return FALSE;
  snapshot = push_test_load_snapshot (cache, "disk");
  plan = push_test_make_plan (snapshot, MUSTER_TARGET (target));
  run = muster_push_new (MUSTER_TARGET (target), plan, history, "disk", NULL);
  muster_push_set_batch_size (run, 100);
  summary = push_test_run (run, NULL, error);
  if (summary == NULL)
    return FALSE;
  if (summary->state != MUSTER_RUN_STATE_COMPLETED)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "push %s: %u of %u failed",
                   muster_run_state_to_string (summary->state), summary->failed, summary->total);
      return FALSE;
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  struct rlimit limit;
  guint64 bytes;
  gboolean ok;

  if (argc < 4 || !g_ascii_string_to_unsigned (argv[1], 10, 1, G_MAXUINT64, &bytes, NULL))
    {
      fprintf (stderr, "usage: disk-full-child LIMIT snapshot|export|push …\n");
      return 2;
    }

  signal (SIGXFSZ, SIG_IGN);
  limit.rlim_cur = limit.rlim_max = bytes;
  if (setrlimit (RLIMIT_FSIZE, &limit) != 0)
    {
      perror ("setrlimit");
      return 2;
    }

  if (g_str_equal (argv[2], "snapshot") && argc == 5)
    ok = write_snapshot (argv[3], (guint) atoi (argv[4]), &error);
  else if (g_str_equal (argv[2], "export") && argc == 5)
    ok = export_snapshot (argv[3], argv[4], &error);
  else if (g_str_equal (argv[2], "push") && argc == 6)
    ok = push (argv[3], argv[4], argv[5], &error);
  else
    {
      fprintf (stderr, "usage: disk-full-child LIMIT snapshot|export|push …\n");
      return 2;
    }

  if (!ok)
    {
      fprintf (stderr, "%s\n", error != NULL ? error->message : "failed without an error");
      return 1;
    }
  return 0;
}
