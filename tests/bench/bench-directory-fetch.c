/* bench-directory-fetch.c: issue 5's fetch benchmarks P1–P3 on a generated tenant of 100,000
 * users and 2,000 groups, with the peers measured in the same run
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * P1  users phase: Muster (the fetcher's users phase, into cache.db) against the official
 *     Microsoft Graph JS SDK (@microsoft/microsoft-graph-client, PageIterator; installed with npm
 *     into $MUSTER_BENCH_NPM_DIR or ~/.cache/muster/bench-npm) and curl, same $select, same fake.
 *     Goals: ≤ 0.5× the SDK, ≤ 1.3× curl.
 * P2  full snapshot with --latency-ms 50 --throttle: ≤ 0.1× the naive sequential time (one call
 *     after another, each paying the latency), 0 throttled requests.
 * P3  incremental refresh after changing 1 % of users: ≤ 5 % of the full snapshot's time.
 * P4  full snapshot (users, groups, memberships, managers, licences) with `muster-cli fetch
 *     --full` against the Graph JS SDK paging users, groups and then every group's members one
 *     request after another, on the generated tenant --users 100000 --groups 2000 --seed 5 with
 *     no latency (goal ≤ 0.5×), and on 20,000 users and 400 groups with 50 ms latency (≤ 0.07×).
 *     Each side's wall time, CPU, peak memory and CPU per membership, and the CPU the fake
 *     spent answering each (goals: ≤ 1 GB; Muster's CPU per membership ≤ the SDK's).
 *
 * Run: build-aux/run-headless meson test -C BUILD --benchmark bench-directory-fetch (Muster signs
 * in the real way, so it needs the keyring the wrapper provides).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "fake-test-util.h"
#include "muster-directory-fetch-private.h"
#include "muster-session.h"
#include "muster-snapshot-store.h"

#define USERS  100000
#define GROUPS 2000
#define USERS_PATH "/users?$select=id,displayName,givenName,surname,userPrincipalName,mail,jobTitle,department," \
                   "companyName,employeeId,officeLocation,mobilePhone,businessPhones,otherMails,proxyAddresses," \
                   "userType,accountEnabled,onPremisesSyncEnabled,createdDateTime,assignedLicenses" \
                   "&$top=999&$expand=manager($select=id)"

typedef struct
{
  MusterFakeTenant    *tenant;
  MusterProfileStore  *profiles;
  MusterProfile       *profile;
  MusterSession       *session;
  MusterGraphClient   *graph;
  MusterSnapshotStore *store;
  char                *token;
} Bench;

static char *work_dir;

static void
store_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
bench_start (Bench    *b,
             guint     latency_ms,
             gboolean  throttle,
             const char *name)
{
  MusterFakeOptions options;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profiles = g_build_filename (work_dir, "profiles.ini", NULL);
  g_autofree char *cache = g_strdup_printf ("%s/cache-%s.db", work_dir, name);
  double t = bench_now ();

  muster_fake_options_init (&options);
  options.dataset = "generated";
  options.users = USERS;
  options.groups = GROUPS;
  options.latency_ms = latency_ms;
  options.throttle = throttle;
  b->tenant = fake_test_start_tenant (&options);
  g_print ("# %s tenant: %u users, %u groups generated in %.1f s\n", name, USERS, GROUPS, bench_now () - t);
  muster_cloud_set_override (muster_fake_tenant_get_base_url (b->tenant), muster_fake_tenant_get_base_url (b->tenant));
  b->profiles = muster_profile_store_load (profiles, &error);
  g_assert_no_error (error);
  b->profile = muster_profile_new (name);
  muster_profile_store_add (b->profiles, b->profile, NULL);
  b->session = muster_session_new (b->profiles, b->profile);
  muster_session_sign_in_async (b->session, FALSE, NULL, store_result_cb, &result);
  if (!muster_session_sign_in_finish (b->session, wait_result (&result), &error))
    g_error ("sign-in failed (run under build-aux/run-headless for a keyring): %s", error->message);
  b->graph = muster_graph_client_new (b->session);
  b->store = muster_snapshot_store_open (cache, &error);
  g_assert_no_error (error);
  b->token = fake_test_sign_in (b->tenant, "User.Read.All GroupMember.Read.All");
}

static void
bench_stop (Bench *b)
{
  g_clear_object (&b->store);
  g_clear_object (&b->graph);
  g_clear_object (&b->session);
  g_clear_object (&b->profile);
  g_clear_object (&b->profiles);
  g_clear_object (&b->tenant);
  g_clear_pointer (&b->token, g_free);
  muster_cloud_set_override (NULL, NULL);
}

static double
muster_fetch (Bench              *b,
              gboolean            full,
              gboolean            users_only,
              MusterFetchSummary *summary)
{
  g_autoptr(MusterDirectoryFetch) fetch = muster_directory_fetch_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  double t = bench_now ();

  _muster_directory_fetch_set_users_only (fetch, users_only);
  muster_directory_fetch_run_async (fetch, b->graph, b->store, muster_profile_get_name (b->profile), full, NULL,
                                    store_result_cb, &result);
  if (muster_directory_fetch_run_finish (fetch, wait_result (&result), summary, &error) == 0)
    g_error ("fetch failed: %s", error->message);
  return bench_now () - t;
}

/* Runs @argv with @input on stdin and the token in the environment; its stdout. */
static char *
run_peer (const char * const *argv,
          const char         *input,
          const char         *token)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (token != NULL)
    g_subprocess_launcher_setenv (launcher, "MUSTER_BENCH_TOKEN", token, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, input, NULL, &out, NULL, &error))
    g_error ("%s: %s", argv[0], error->message);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_free (out);
      return NULL;
    }
  return out;
}

static char *
install_sdk (void)
{
  const char *dir_env = g_getenv ("MUSTER_BENCH_NPM_DIR");
  g_autofree char *dir = dir_env ? g_strdup (dir_env) : g_build_filename (g_get_user_cache_dir (), "muster",
                                                                          "bench-npm", NULL);
  g_autofree char *marker = g_build_filename (dir, "node_modules", "@microsoft", "microsoft-graph-client",
                                              "package.json", NULL);

  if (!g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      const char *argv[] = { "npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", dir,
                             "@microsoft/microsoft-graph-client@3", NULL };
      g_autofree char *out = NULL;

      g_mkdir_with_parents (dir, 0700);
      out = run_peer (argv, NULL, NULL);
      if (out == NULL || !g_file_test (marker, G_FILE_TEST_EXISTS))
        return NULL;
    }
  return g_steal_pointer (&dir);
}

static void
bench_p1_p3 (gboolean with_p3)
{
  Bench b = { 0 };
  MusterFetchSummary users = { 0 }, full = { 0 }, delta = { 0 };
  g_autofree char *sdk_dir = install_sdk ();
  g_autofree char *url = NULL, *curl_out = NULL, *sdk_out = NULL, *input = NULL;
  g_autofree char *curl_script = g_build_filename (g_getenv ("MUSTER_SOURCE_DIR"), "tests", "bench",
                                                   "bench-curl-pages.sh", NULL);
  g_autofree char *sdk_script = g_build_filename (g_getenv ("MUSTER_SOURCE_DIR"), "tests", "bench",
                                                  "bench-graph-sdk.js", NULL);
  g_autoptr(GPtrArray) ids = NULL;
  double t_muster = G_MAXDOUBLE, t_curl = 0, t_sdk = 0, t_full, t_delta;
  guint curl_users = 0, sdk_users = 0, changed = 0;

  bench_start (&b, 0, FALSE, "p1");
  url = g_strconcat (muster_fake_tenant_get_base_url (b.tenant), "/v1.0", USERS_PATH, NULL);
  input = g_strconcat (b.token, "\n", NULL);

  /* P1: each client twice, the better run counts (the first warms the fake's page cache) */
  for (int round = 0; round < 2; round++)
    {
      const char *curl_argv[] = { "bash", curl_script, url, NULL };
      double t;

      g_clear_pointer (&curl_out, g_free);
      curl_out = run_peer (curl_argv, input, NULL);
      if (curl_out != NULL)
        {
          guint pages, ms;

          if (sscanf (curl_out, "%u %u %u", &curl_users, &pages, &ms) == 3)
            t_curl = round == 0 || ms / 1000.0 < t_curl ? ms / 1000.0 : t_curl;
        }
      if (sdk_dir != NULL)
        {
          const char *sdk_argv[] = { "node", sdk_script, sdk_dir, muster_fake_tenant_get_base_url (b.tenant),
                                     USERS_PATH, NULL };
          guint ms;

          g_clear_pointer (&sdk_out, g_free);
          sdk_out = run_peer (sdk_argv, NULL, b.token);
          if (sdk_out != NULL && sscanf (sdk_out, "%u %u", &sdk_users, &ms) == 2)
            t_sdk = round == 0 || ms / 1000.0 < t_sdk ? ms / 1000.0 : t_sdk;
        }
      t = muster_fetch (&b, TRUE, TRUE, &users);
      t_muster = MIN (t_muster, t);
    }

  g_print ("P1 users fetch (%u users, $top=999, $select of 20 fields, $expand=manager):\n", users.users);
  g_print ("  Muster (parse + cache.db write): %.2f s\n", t_muster);
  if (t_curl > 0)
    g_print ("  curl (download only):            %.2f s (%u users)  ratio Muster/curl %.2f  (goal <= 1.3)\n",
             t_curl, curl_users, t_muster / t_curl);
  else
    g_print ("  curl: failed\n");
  if (t_sdk > 0)
    g_print ("  Graph JS SDK PageIterator:       %.2f s (%u users)  ratio Muster/SDK %.2f  (goal <= 0.5)\n",
             t_sdk, sdk_users, t_muster / t_sdk);
  else
    g_print ("  Graph JS SDK: not run (npm install failed or no network)\n");

  if (!with_p3)
    {
      bench_stop (&b);
      return;
    }

  /* P3: a full snapshot, 1 % of users changed, then the incremental refresh */
  t_full = muster_fetch (&b, TRUE, FALSE, &full);
  {
    g_autoptr(MusterSnapshot) snapshot = muster_snapshot_store_load (b.store, full.snapshot_id, NULL);
    GListModel *list = muster_snapshot_get_users (snapshot);

    for (guint i = 0; i < g_list_model_get_n_items (list) && changed < USERS / 100; i += 100)
      {
        g_autoptr(MusterUser) user = g_list_model_get_item (list, i);
        g_autofree char *path = g_strdup_printf ("/_fake/users/%s", muster_user_get_id (user));
        g_autofree char *body = g_strdup_printf ("{\"jobTitle\":\"Benchmark title %u\"}", i);
        g_autoptr(FakeResponse) r = fake_test_request (b.tenant, "PATCH", path, NULL, "application/json", body);

        if (r->status / 100 == 2)
          changed++;
      }
  }
  t_delta = muster_fetch (&b, FALSE, FALSE, &delta);
  g_print ("P3 incremental refresh after changing %u users (1 %%):\n", changed);
  g_print ("  full snapshot: %.2f s (%u users, %u groups, %u memberships, %u requests)\n", t_full, full.users,
           full.groups, full.memberships, full.requests);
  g_print ("  incremental:   %.2f s (incremental=%d, %u requests)  ratio %.3f  (goal <= 0.05)\n", t_delta,
           delta.incremental, delta.requests, t_delta / t_full);
  bench_stop (&b);
}

static void
bench_p2 (void)
{
  Bench b = { 0 };
  MusterFetchSummary full = { 0 };
  g_autoptr(FakeResponse) stats = NULL;
  double t, naive;

  bench_start (&b, 50, TRUE, "p2");
  t = muster_fetch (&b, TRUE, FALSE, &full);
  stats = fake_test_request (b.tenant, "GET", "/_fake/graph/stats", NULL, NULL, NULL);
  naive = full.graph_calls * 0.050;
  g_print ("P2 full snapshot with --latency-ms 50 --throttle:\n");
  g_print ("  Muster: %.2f s, %u HTTP requests for %u Graph calls ($batch of 20)\n", t, full.requests,
           full.graph_calls);
  g_print ("  naive sequential: %u calls x 50 ms = %.1f s  ratio %.3f  (goal <= 0.1)\n", full.graph_calls, naive,
           t / naive);
  g_print ("  throttled requests: %" G_GINT64_FORMAT " (goal 0)\n",
           json_object_get_int_member (json_node_get_object (stats->json), "throttled"));
  bench_stop (&b);
}

/* P4 ----------------------------------------------------------------------------------------- */

typedef struct
{
  double wall;      /* seconds */
  double cpu;       /* user + system seconds of the process */
  double max_rss;   /* MB */
  double fake_cpu;  /* seconds of CPU the fake tenant spent meanwhile */
} Usage;

static double
timeval_seconds (const struct timeval *tv)
{
  return tv->tv_sec + tv->tv_usec / 1e6;
}

/* Runs @argv to its end with @env (NAME=VALUE, …) added to this process's environment, its
 * standard output in @out (its standard error shown only when it fails), measured by wait4(). The fake tenant answers from threads of this
 * process, whose main thread only waits meanwhile: this process's CPU over the run is the
 * fake's. */
static gboolean
run_measured (const char * const *argv,
              const char * const *env,
              Usage              *usage,
              char              **out)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out_path = NULL, *err_path = NULL;
  struct rusage before, after, child;
  int out_fd, err_fd, status;
  GPid pid;
  double t;

  for (guint i = 0; env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      envp = g_environ_setenv (envp, pair[0], pair[1], TRUE);
    }
  out_fd = g_file_open_tmp (NULL, &out_path, &error);
  bench_check (out_fd >= 0, error);
  err_fd = g_file_open_tmp (NULL, &err_path, &error);
  bench_check (err_fd >= 0, error);
  getrusage (RUSAGE_SELF, &before);
  t = bench_now ();
  bench_check (g_spawn_async_with_fds (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                       NULL, NULL, &pid, -1, out_fd, err_fd, &error),
               error);
  if (wait4 (pid, &status, 0, &child) != pid)
    g_error ("wait4: %s", g_strerror (errno));
  usage->wall = bench_now () - t;
  getrusage (RUSAGE_SELF, &after);
  usage->cpu = timeval_seconds (&child.ru_utime) + timeval_seconds (&child.ru_stime);
  usage->max_rss = child.ru_maxrss / 1024.0;
  usage->fake_cpu = timeval_seconds (&after.ru_utime) + timeval_seconds (&after.ru_stime)
                    - timeval_seconds (&before.ru_utime) - timeval_seconds (&before.ru_stime);
  close (out_fd);
  close (err_fd);
  if (out != NULL)
    g_file_get_contents (out_path, out, NULL, NULL);
  g_unlink (out_path);
  /* what it said on the way (progress lines) only matters when it failed */
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_autofree char *err = NULL;

      g_file_get_contents (err_path, &err, NULL, NULL);
      g_printerr ("%s failed:\n%s\n", argv[0], err ? err : "");
    }
  g_unlink (err_path);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static void
print_usage (const char  *who,
             const Usage *u,
             guint        memberships)
{
  g_print ("  %-26s %7.1f s wall, %6.1f s CPU, %6.0f MB peak, %5.2f us CPU per membership; the fake %5.1f s CPU\n",
           who, u->wall, u->cpu, u->max_rss, memberships ? u->cpu * 1e6 / memberships : 0.0, u->fake_cpu);
}

static void
bench_p4 (guint users,
          guint groups,
          guint latency_ms)
{
  MusterFakeOptions options;
  g_autoptr(MusterFakeTenant) tenant = NULL;
  g_autofree char *token = NULL, *sdk_dir = install_sdk ();
  g_autofree char *data_dir = g_strdup_printf ("%s/p4-%u", work_dir, users);
  g_autofree char *cli = g_build_filename (g_getenv ("MUSTER_BUILD_DIR"), "src", "cli", "muster-cli", NULL);
  g_autofree char *sdk_script = g_build_filename (g_getenv ("MUSTER_SOURCE_DIR"), "tests", "bench",
                                                  "bench-graph-sdk.js", NULL);
  g_autofree char *authority = NULL, *graph = NULL, *browser = NULL, *data = NULL, *bearer = NULL;
  g_autofree char *summary = NULL, *sdk_out = NULL;
  g_autoptr(JsonNode) json = NULL;
  Usage muster = { 0 }, sdk = { 0 }, setup;
  guint memberships = 0, sdk_users = 0, sdk_groups = 0, sdk_members = 0, sdk_ms = 0;
  double t = bench_now ();

  muster_fake_options_init (&options);
  options.dataset = "generated";
  options.users = users;
  options.groups = groups;
  options.seed = 5;
  options.latency_ms = latency_ms;
  tenant = fake_test_start_tenant (&options);
  g_print ("P4 full snapshot, %u users, %u groups, seed 5, %u ms latency (tenant generated in %.1f s):\n", users,
           groups, latency_ms, bench_now () - t);
  token = fake_test_sign_in (tenant, "User.Read.All GroupMember.Read.All Organization.Read.All");
  authority = g_strconcat ("MUSTER_AUTHORITY_HOST=", muster_fake_tenant_get_base_url (tenant), NULL);
  graph = g_strconcat ("MUSTER_GRAPH_HOST=", muster_fake_tenant_get_base_url (tenant), NULL);
  browser = g_strconcat ("MUSTER_BROWSER=", g_getenv ("MUSTER_TEST_BROWSER"), NULL);
  data = g_strconcat ("MUSTER_DATA_DIR=", data_dir, NULL);
  /* the token reaches the SDK through its environment, never its command line */
  bearer = g_strconcat ("MUSTER_BENCH_TOKEN=", token, NULL);
  {
    const char *env[] = { authority, graph, browser, data, NULL };
    const char *add[] = { cli, "profile", "add", "bench-p4", NULL };
    const char *login[] = { cli, "login", NULL };
    const char *fetch[] = { cli, "--json", "fetch", "--full", NULL };
    const char *logout[] = { cli, "logout", NULL };

    g_mkdir_with_parents (data_dir, 0700);
    if (!run_measured (add, env, &setup, NULL) || !run_measured (login, env, &setup, NULL))
      g_error ("muster-cli could not sign in to the fake (run under build-aux/run-headless for a keyring)");
    if (!run_measured (fetch, env, &muster, &summary) || (json = json_from_string (summary, NULL)) == NULL)
      g_error ("muster-cli fetch --full failed: %s", summary ? summary : "");
    memberships = json_object_get_int_member (json_node_get_object (json), "memberships");
    run_measured (logout, env, &setup, NULL);
  }
  if (sdk_dir != NULL)
    {
      const char *env[] = { bearer, NULL };
      const char *argv[] = { "node", sdk_script, sdk_dir, muster_fake_tenant_get_base_url (tenant), "--full",
                             USERS_PATH, NULL };

      if (!run_measured (argv, env, &sdk, &sdk_out)
          || sscanf (sdk_out, "%u %u %u %u", &sdk_users, &sdk_groups, &sdk_members, &sdk_ms) != 4)
        sdk.wall = 0;
    }

  g_print ("  Muster stored %u users, %u groups, %u memberships\n",
           (guint) json_object_get_int_member (json_node_get_object (json), "users"),
           (guint) json_object_get_int_member (json_node_get_object (json), "groups"), memberships);
  print_usage ("muster-cli fetch --full:", &muster, memberships);
  if (sdk.wall > 0)
    {
      g_print ("  the SDK read %u users, %u groups, %u memberships\n", sdk_users, sdk_groups, sdk_members);
      print_usage ("Graph JS SDK, sequential:", &sdk, sdk_members);
      g_print ("  ratio Muster/SDK %.3f (goal <= %s); CPU per membership Muster/SDK %.2f (goal <= 1); "
               "peak %.0f MB (goal <= 1024)\n",
               muster.wall / sdk.wall, latency_ms ? "0.07" : "0.5",
               (muster.cpu / MAX (memberships, 1)) / (sdk.cpu / MAX (sdk_members, 1)), muster.max_rss);
    }
  else
    g_print ("  Graph JS SDK: not run (npm install failed or no network)\n");
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  g_setenv ("MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);
  work_dir = g_dir_make_tmp ("muster-bench-fetch-XXXXXX", &error);
  g_assert_no_error (error);
  /* "p1" alone skips P3's full snapshot */
  if (argc < 2 || g_str_equal (argv[1], "p1") || g_str_equal (argv[1], "p3"))
    bench_p1_p3 (argc < 2 || !g_str_equal (argv[1], "p1"));
  if (argc < 2 || g_str_equal (argv[1], "p2"))
    bench_p2 ();
  /* "p4 USERS GROUPS LATENCY_MS" for another tenant (issue 14's million users, say) */
  if (argc == 5 && g_str_equal (argv[1], "p4"))
    bench_p4 (atoi (argv[2]), atoi (argv[3]), atoi (argv[4]));
  else if (argc < 2 || g_str_equal (argv[1], "p4"))
    {
      bench_p4 (100000, 2000, 0);
      bench_p4 (20000, 400, 50);
    }
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", work_dir);
    if (system (command) != 0)
      g_warning ("could not remove %s", work_dir);
  }
  g_free (work_dir);
  return 0;
}
