/* test-cli-fetch.c: muster-cli fetch as a script or a timer runs it
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real muster-cli binary against the fake tenant in this process, signed in through the
 * test browser, with the real keyring of the test's D-Bus session and cache.db in a temporary
 * data folder.
 */

#include "config.h"

#include <ifaddrs.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <netinet/in.h>

#include "cli-test-util.h"
#include "fake-test-util.h"

typedef struct
{
  MusterFakeTenant *tenant;
  char             *dir;
} Fixture;


static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->tenant = fake_test_start_tenant (NULL);
  f->dir = g_dir_make_tmp ("muster-cli-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  cli_test_keyring_clear ("fetch-cli");
  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
  g_clear_object (&f->tenant);
}

static gint64
member_int (Run        *run,
            const char *name)
{
  g_assert_nonnull (run->json);
  return json_object_get_int_member (json_node_get_object (run->json), name);
}

static gboolean
member_bool (Run        *run,
             const char *name)
{
  g_assert_nonnull (run->json);
  return json_object_get_boolean_member (json_node_get_object (run->json), name);
}

static void
test_fetch_then_incremental (Fixture *f, gconstpointer data)
{
  g_autoptr(Run) add = NULL, login = NULL, first = NULL, second = NULL, full = NULL;
  g_autoptr(FakeResponse) state = NULL, patched = NULL;
  g_autofree char *path = NULL;
  JsonObject *object;

  if (!cli_test_keyring_usable ())
    return;
  add = CLI (f, "profile", "add", "fetch-cli");
  g_assert_cmpint (add->status, ==, 0);
  login = CLI (f, "login");
  g_assert_cmpint (login->status, ==, 0);

  first = CLI (f, "fetch", "--json");
  g_assert_cmpint (first->status, ==, 0);
  {
    /* status now says when the directory was read */
    g_autoptr(Run) status = CLI (f, "status", "--json");
    g_assert_cmpint (status->status, ==, 0);
    g_assert_nonnull (json_object_get_string_member (json_node_get_object (status->json), "lastSnapshot"));
  }
  state = fake_test_request (f->tenant, "GET", "/_fake/state", NULL, NULL, NULL);
  object = json_node_get_object (state->json);
  g_assert_cmpint (member_int (first, "users"), ==, json_object_get_int_member (object, "users"));
  g_assert_cmpint (member_int (first, "groups"), ==, json_object_get_int_member (object, "groups"));
  g_assert_cmpint (member_int (first, "memberships"), >, 0);
  g_assert_cmpint (member_int (first, "snapshotId"), >, 0);
  g_assert_false (member_bool (first, "incremental"));
  /* progress and the summary go to standard error, in words */
  g_assert_nonnull (strstr (first->err, "Users: "));
  g_assert_nonnull (strstr (first->err, "Snapshot "));

  /* someone is renamed; the next fetch reads only the changes */
  path = g_strdup_printf ("/_fake/users/%s", json_object_get_string_member (object, "adminId"));
  patched = fake_test_request (f->tenant, "PATCH", path, NULL, "application/json", "{\"jobTitle\":\"Chief Fetcher\"}");
  g_assert_cmpuint (patched->status / 100, ==, 2);
  second = CLI (f, "fetch", "--json");
  g_assert_cmpint (second->status, ==, 0);
  g_assert_true (member_bool (second, "incremental"));
  g_assert_cmpint (member_int (second, "snapshotId"), >, member_int (first, "snapshotId"));
  g_assert_cmpint (member_int (second, "users"), ==, member_int (first, "users"));
  g_assert_nonnull (strstr (second->err, "incremental"));

  full = CLI (f, "fetch", "--full", "--json");
  g_assert_cmpint (full->status, ==, 0);
  g_assert_false (member_bool (full, "incremental"));
  g_assert_cmpint (member_int (full, "memberships"), ==, member_int (first, "memberships"));
}

static void
test_fetch_needs_sign_in (Fixture *f, gconstpointer data)
{
  g_autoptr(Run) add = NULL, fetch = NULL, usage = NULL;

  if (!cli_test_keyring_usable ())
    return;
  add = CLI (f, "profile", "add", "fetch-cli");
  g_assert_cmpint (add->status, ==, 0);
  fetch = CLI (f, "fetch");
  g_assert_cmpint (fetch->status, ==, 3);
  usage = CLI (f, "fetch", "--everything");
  g_assert_cmpint (usage->status, ==, 2);
}

/* An address of this computer that is not loopback (a LAN one), or NULL. */
static GInetAddress *
find_non_loopback_ipv4 (void)
{
  struct ifaddrs *list = NULL;
  GInetAddress *found = NULL;

  if (getifaddrs (&list) != 0)
    return NULL;
  for (struct ifaddrs *item = list; item != NULL && found == NULL; item = item->ifa_next)
    if (item->ifa_addr != NULL && item->ifa_addr->sa_family == AF_INET)
      {
        GInetAddress *address = g_inet_address_new_from_bytes (
          (const guint8 *) &((struct sockaddr_in *) item->ifa_addr)->sin_addr, G_SOCKET_FAMILY_IPV4);

        if (!g_inet_address_get_is_loopback (address))
          found = address;
        else
          g_object_unref (address);
      }
  freeifaddrs (list);
  return found;
}

static void
count_bearer_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  guint *bearers = user_data;
  const char *authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                            "Authorization");

  if (authorization != NULL)
    g_atomic_int_inc (bearers);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{\"value\":[]}", 12);
}

static void
test_plain_http_graph_elsewhere (Fixture *f, gconstpointer data)
{
  g_autoptr(Run) add = NULL, login = NULL, status = NULL, fetch = NULL;
  g_autoptr(GInetAddress) lan = find_non_loopback_ipv4 ();
  g_autoptr(CliTestServer) graph = NULL;
  g_autofree char *graph_env = NULL;
  guint bearers = 0;

  if (!cli_test_keyring_usable ())
    return;
  if (lan == NULL)
    {
      g_test_skip ("this computer has no address besides loopback");
      return;
    }

  /* A Graph that listens on this computer's LAN address: reached over the network stack as any
   * other host would be, so it sees whatever Muster would send to a host elsewhere. */
  graph = cli_test_server_new (lan, count_bearer_cb, &bearers);
  graph_env = g_strconcat ("MUSTER_GRAPH_HOST=", cli_test_server_get_url (graph), NULL);

  add = CLI (f, "profile", "add", "fetch-cli");
  g_assert_cmpint (add->status, ==, 0);
  login = CLI (f, "login");
  g_assert_cmpint (login->status, ==, 0);

  status = cli_test_run_env (f->tenant, f->dir, NULL, (const char * const[]) { graph_env, NULL },
                             (const char * const[]) { "status", NULL });
  g_assert_cmpint (status->status, ==, 1);
  g_assert_nonnull (strstr (status->err, "must use https"));
  fetch = cli_test_run_env (f->tenant, f->dir, NULL, (const char * const[]) { graph_env, NULL },
                            (const char * const[]) { "fetch", NULL });
  g_assert_cmpint (fetch->status, ==, 1);
  g_assert_nonnull (strstr (fetch->err, "must use https"));

  g_clear_pointer (&graph, cli_test_server_free);
  g_assert_cmpuint (g_atomic_int_get (&bearers), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cli/fetch/full-then-incremental", Fixture, NULL, fixture_set_up, test_fetch_then_incremental,
              fixture_tear_down);
  g_test_add ("/cli/fetch/sign-in-needed-exit-3", Fixture, NULL, fixture_set_up, test_fetch_needs_sign_in,
              fixture_tear_down);
  g_test_add ("/cli/fetch/plain-http-graph-elsewhere-refused", Fixture, NULL, fixture_set_up,
              test_plain_http_graph_elsewhere, fixture_tear_down);
  return g_test_run ();
}
