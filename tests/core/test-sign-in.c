/* test-sign-in.c: every way an admin signs in, against the fake identity platform
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fake runs in-process on 127.0.0.1; the real keyring is gnome-keyring in the test's own
 * D-Bus session (build-aux/run-headless). The "browser" is tests/muster-test-browser, which
 * presses Accept or Cancel on the fake's consent page like an admin would.
 */

#include "config.h"

#include "core-test-util.h"

#include <glib/gstdio.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "fake-test-util.h"
#include "muster-auth-error.h"
#include "muster-graph-client.h"
#include "muster-keyring.h"
#include "muster-loopback.h"
#include "muster-session.h"
#include "muster-tenant-status.h"

typedef struct
{
  MusterFakeTenant   *tenant;
  char               *dir;
  MusterProfileStore *store;
  MusterProfile      *profile;
  MusterSession      *session;
  char               *user_code;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  f->tenant = fake_test_start_tenant (NULL);
  muster_cloud_set_override (muster_fake_tenant_get_base_url (f->tenant),
                             muster_fake_tenant_get_base_url (f->tenant));
  f->dir = g_dir_make_tmp ("muster-sign-in-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "profiles.ini", NULL);
  f->store = muster_profile_store_load (path, &error);
  g_assert_no_error (error);
  f->profile = muster_profile_new ("contoso-sign-in");
  g_assert_true (muster_profile_store_add (f->store, f->profile, NULL));
  f->session = muster_session_new (f->store, f->profile);
  g_setenv ("MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);
  g_unsetenv ("MUSTER_TEST_BROWSER_ACTION");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;

  /* leave the keyring as we found it */
  muster_keyring_clear_async ("contoso-sign-in", -1, NULL, core_test_store_result_cb, &result);
  muster_keyring_clear_finish (core_test_wait (&result), NULL);

  g_clear_object (&f->session);
  g_clear_object (&f->profile);
  g_clear_object (&f->store);
  g_clear_object (&f->tenant);
  muster_cloud_set_override (NULL, NULL);
  if (f->dir != NULL)
    core_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->user_code);
}

static gboolean
sign_in (Fixture  *f,
         gboolean  admin_consent,
         GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_session_sign_in_async (f->session, admin_consent, NULL, core_test_store_result_cb, &result);
  return muster_session_sign_in_finish (f->session, core_test_wait (&result), error);
}

static char *
keyring_lookup (MusterSecretKind kind)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  muster_keyring_lookup_async ("contoso-sign-in", kind, NULL, core_test_store_result_cb, &result);
  secret = muster_keyring_lookup_finish (core_test_wait (&result), &error);
  g_assert_no_error (error);
  return secret;
}

static MusterToken *
get_token (Fixture  *f,
           gboolean  force,
           GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_session_get_token_async (f->session, force, NULL, core_test_store_result_cb, &result);
  return muster_session_get_token_finish (f->session, core_test_wait (&result), error);
}

static void
control (Fixture    *f,
         const char *path,
         const char *json)
{
  g_autoptr(FakeResponse) r = fake_test_request (f->tenant, "POST", path, NULL, "application/json", json);

  g_assert_cmpuint (r->status, >=, 200);
  g_assert_cmpuint (r->status, <, 300);
}

/* Is @needle anywhere in the files under @dir? */
static gboolean
tree_contains (const char *dir,
               const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        {
          if (tree_contains (path, needle))
            return TRUE;
        }
      else if (g_file_get_contents (path, &contents, &length, NULL) &&
               g_strstr_len (contents, length, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_browser_flow (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FakeResponse) state = NULL;
  g_autoptr(MusterToken) token = NULL;
  g_autofree char *refresh = NULL, *access = NULL;
  g_autoptr(MusterProfileStore) reloaded = NULL;
  g_autofree char *path = NULL;

  if (!core_test_keyring_usable ())
    return;

  g_assert_true (sign_in (f, FALSE, &error));
  g_assert_no_error (error);

  /* the admin on the consent page is who the profile now says is signed in */
  state = fake_test_request (f->tenant, "GET", "/_fake/state", NULL, NULL, NULL);
  g_assert_cmpstr (muster_profile_get_username (f->profile), ==,
                   fake_response_get_string (state, "adminUserPrincipalName"));
  g_assert_cmpstr (muster_profile_get_tenant_id (f->profile), ==, muster_fake_tenant_get_tenant_id (f->tenant));

  token = get_token (f, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (muster_token_has_scope (token, "User.Read.All"));
  g_assert_true (muster_token_has_scope (token, "GroupMember.Read.All"));
  g_assert_cmpint (token->expires_at, >, g_get_real_time () / G_USEC_PER_SEC + 600);

  /* tokens are in the keyring, and nowhere on disk */
  refresh = keyring_lookup (MUSTER_SECRET_REFRESH_TOKEN);
  access = keyring_lookup (MUSTER_SECRET_ACCESS_TOKEN);
  g_assert_nonnull (refresh);
  g_assert_cmpstr (access, ==, token->access_token);
  g_assert_false (tree_contains (f->dir, refresh));
  g_assert_false (tree_contains (f->dir, access));
  g_assert_false (tree_contains (g_get_user_config_dir (), refresh));
  g_assert_false (tree_contains (g_get_user_cache_dir (), access));

  /* the profile file says who signed in, and survives a reload */
  path = g_build_filename (f->dir, "profiles.ini", NULL);
  reloaded = muster_profile_store_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (muster_profile_get_username (muster_profile_store_lookup (reloaded, "contoso-sign-in")), ==,
                   muster_profile_get_username (f->profile));
}

static void
test_browser_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!core_test_keyring_usable ())
    return;
  g_setenv ("MUSTER_TEST_BROWSER_ACTION", "cancel", TRUE);
  g_assert_false (sign_in (f, FALSE, &error));
  g_assert_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_ACCESS_DENIED);
  g_assert_cmpint (muster_profile_get_signed_in_at (f->profile), ==, 0);
}

typedef struct
{
  guint    count;
  char    *url;
  gboolean opened;
  char    *problem;
} UrlSeen;

static void
authorize_url_cb (MusterSession *session,
                  const char    *url,
                  gboolean       opened,
                  const char    *problem,
                  UrlSeen       *seen)
{
  seen->count++;
  g_free (seen->url);
  seen->url = g_strdup (url);
  seen->opened = opened;
  g_free (seen->problem);
  seen->problem = g_strdup (problem);
}

static void
test_no_browser_times_out (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  UrlSeen seen = { 0 };
  g_autofree char *expected_prefix = NULL;

  /* No browser can start: the link is still offered to copy, and the listener gives up after
   * its time-out with a clear error. */
  g_setenv ("MUSTER_BROWSER", "/nonexistent/browser", TRUE);
  muster_session_set_browser_timeout (f->session, 1);
  g_signal_connect (f->session, "authorize-url", G_CALLBACK (authorize_url_cb), &seen);

  g_assert_false (sign_in (f, FALSE, &error));
  g_assert_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_TIMED_OUT);
  g_assert_cmpuint (seen.count, ==, 1);
  g_assert_false (seen.opened);
  g_assert_nonnull (seen.problem);
  expected_prefix = g_strconcat (muster_fake_tenant_get_base_url (f->tenant), "/organizations/oauth2/v2.0/authorize?", NULL);
  g_assert_true (g_str_has_prefix (seen.url, expected_prefix));
  g_assert_nonnull (strstr (seen.url, "code_challenge_method=S256"));
  g_assert_nonnull (strstr (seen.url, "redirect_uri=http%3A%2F%2Flocalhost%3A"));
  g_assert_nonnull (strstr (seen.url, "offline_access"));
  g_free (seen.url);
  g_free (seen.problem);
}

/* The loopback listener ------------------------------------------------------------------ */

static guint
loopback_get_from (MusterLoopback *loopback,
                   const char     *host,
                   const char     *path_and_query,
                   char          **location)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("http://%s:%u%s", host, muster_loopback_get_port (loopback),
                                          path_and_query);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  /* async on this thread's main context: the listener answers from the same loop */
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, core_test_store_result_cb, &result);
  body = soup_session_send_and_read_finish (session, core_test_wait (&result), NULL);
  g_assert_nonnull (body);
  if (location != NULL)
    *location = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location"));
  return soup_message_get_status (msg);
}

static guint
loopback_get (MusterLoopback *loopback,
              const char     *path_and_query,
              char          **location)
{
  return loopback_get_from (loopback, "127.0.0.1", path_and_query, location);
}

static void
test_loopback_state_and_single_use (void)
{
  g_autoptr(MusterLoopback) loopback = muster_loopback_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *location = NULL;
  g_autofree char *redirect = NULL;

  g_assert_true (muster_loopback_listen (loopback, &error));
  g_assert_no_error (error);
  redirect = g_strdup_printf ("http://localhost:%u", muster_loopback_get_port (loopback));
  g_assert_cmpstr (muster_loopback_get_redirect_uri (loopback), ==, redirect);
  muster_loopback_wait_for_code_async (loopback, "expected-state", 30, NULL, core_test_store_result_cb, &result);

  /* an answer with another state (a forged one) is refused and does not end the wait */
  g_assert_cmpuint (loopback_get (loopback, "/?code=forged&state=attacker", NULL), ==, 400);
  g_assert_cmpuint (loopback_get (loopback, "/?code=forged", NULL), ==, 400);
  g_assert_null (result);

  /* the real one is taken and the browser is sent away from the code URL */
  g_assert_cmpuint (loopback_get (loopback, "/?code=the-code&state=expected-state", &location), ==, 302);
  g_assert_true (g_str_has_suffix (location, "/done"));
  g_assert_null (strstr (location, "the-code"));
  answer = muster_loopback_wait_for_code_finish (loopback, core_test_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (answer, "code"), ==, "the-code");

  /* a second delivery, even with the right state, is refused */
  g_assert_cmpuint (loopback_get (loopback, "/?code=again&state=expected-state", NULL), ==, 400);
  g_assert_cmpuint (loopback_get (loopback, "/done", NULL), ==, 200);
}

static void
test_loopback_timeout (void)
{
  g_autoptr(MusterLoopback) loopback = muster_loopback_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) answer = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (muster_loopback_listen (loopback, NULL));
  muster_loopback_wait_for_code_async (loopback, "s", 1, NULL, core_test_store_result_cb, &result);
  answer = muster_loopback_wait_for_code_finish (loopback, core_test_wait (&result), &error);
  g_assert_null (answer);
  g_assert_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_TIMED_OUT);
}

static void
test_loopback_error_answer (void)
{
  g_autoptr(MusterLoopback) loopback = muster_loopback_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) answer = NULL;

  g_assert_true (muster_loopback_listen (loopback, NULL));
  muster_loopback_wait_for_code_async (loopback, "s", 30, NULL, core_test_store_result_cb, &result);
  g_assert_cmpuint (loopback_get (loopback, "/?error=access_denied&error_description=the+user+canceled&state=s", NULL),
                    ==, 200);
  answer = muster_loopback_wait_for_code_finish (loopback, core_test_wait (&result), &error);
  g_assert_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_ACCESS_DENIED);
}

static void
test_loopback_only_on_127_0_0_1 (void)
{
  g_autoptr(MusterLoopback) loopback = muster_loopback_new ();
  struct sockaddr_in address = { 0 };
  int fd, r;

  g_assert_true (muster_loopback_listen (loopback, NULL));

  /* 127.0.0.2 reaches this machine too, but a socket bound to 127.0.0.1 alone refuses it; a
   * listener on every interface would accept. */
  fd = socket (AF_INET, SOCK_STREAM, 0);
  address.sin_family = AF_INET;
  address.sin_port = htons (muster_loopback_get_port (loopback));
  inet_pton (AF_INET, "127.0.0.2", &address.sin_addr);
  r = connect (fd, (struct sockaddr *) &address, sizeof address);
  g_assert_cmpint (r, ==, -1);
  g_assert_cmpint (errno, ==, ECONNREFUSED);
  close (fd);

  fd = socket (AF_INET, SOCK_STREAM, 0);
  inet_pton (AF_INET, "127.0.0.1", &address.sin_addr);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  close (fd);
}

/* A client that writes a request's head and then @body_size bytes of body as fast as the
 * listener takes them, while reading whatever it answers. It counts the body bytes the
 * connection took before the listener closed it. Runs in a thread: the listener answers on
 * the test's main context. */
typedef struct
{
  guint    port;
  char    *head;
  guint64  body_size;
  guint64  sent;
  GString *answer;
  gint     done;
} RawClient;

static gpointer
raw_client_thread (gpointer data)
{
  RawClient *client = data;
  struct sockaddr_in address = { 0 };
  static char chunk[64 * 1024];
  gboolean sending = TRUE;
  gsize head_sent = 0, head_length = strlen (client->head);
  int fd;

  memset (chunk, 'x', sizeof chunk);
  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  address.sin_family = AF_INET;
  address.sin_port = htons (client->port);
  inet_pton (AF_INET, "127.0.0.1", &address.sin_addr);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);

  for (;;)
    {
      struct pollfd poll_fd = { fd, POLLIN | (sending ? POLLOUT : 0), 0 };
      char buffer[4096];
      ssize_t n;

      if (poll (&poll_fd, 1, 20000) <= 0)
        break;  /* 20 s without anything happening: the listener hangs */
      if (poll_fd.revents & (POLLIN | POLLHUP | POLLERR))
        {
          n = recv (fd, buffer, sizeof buffer, 0);
          if (n > 0)
            {
              if (client->answer->len < 64 * 1024)
                g_string_append_len (client->answer, buffer, n);
              continue;
            }
          if (n == 0 || (errno != EAGAIN && errno != EINTR))
            break;  /* closed */
        }
      if (sending && (poll_fd.revents & POLLOUT))
        {
          if (head_sent < head_length)
            n = send (fd, client->head + head_sent, head_length - head_sent, MSG_NOSIGNAL);
          else
            n = send (fd, chunk, MIN (sizeof chunk, client->body_size - client->sent), MSG_NOSIGNAL);
          if (n > 0 && head_sent < head_length)
            head_sent += n;
          else if (n > 0)
            client->sent += n;
          else if (errno != EAGAIN && errno != EINTR)
            sending = FALSE;  /* the listener closed the connection */
          if (head_sent == head_length && client->sent == client->body_size)
            sending = FALSE;
        }
    }
  close (fd);
  g_atomic_int_set (&client->done, 1);
  return NULL;
}

static void
raw_request (MusterLoopback *loopback,
             const char     *head,
             guint64         body_size,
             RawClient      *client)
{
  GThread *thread;

  client->port = muster_loopback_get_port (loopback);
  client->head = g_strdup (head);
  client->body_size = body_size;
  client->answer = g_string_new (NULL);
  thread = g_thread_new ("raw-client", raw_client_thread, client);
  while (!g_atomic_int_get (&client->done))
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_thread_join (thread);
  g_free (client->head);
}

static void
test_loopback_request_limits (void)
{
  g_autoptr(MusterLoopback) loopback = muster_loopback_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *huge_header = NULL, *big_head = NULL;
  RawClient post = { 0 }, headers = { 0 }, small_post = { 0 }, get_with_body = { 0 };
  guint64 huge = G_GUINT64_CONSTANT (300) * 1024 * 1024;
  g_autofree char *post_head = g_strdup_printf ("POST /?code=c&state=s HTTP/1.1\r\nHost: localhost\r\n"
                                                "Content-Length: %" G_GUINT64_FORMAT "\r\n\r\n", huge);

  g_assert_true (muster_loopback_listen (loopback, &error));
  muster_loopback_wait_for_code_async (loopback, "s", 60, NULL, core_test_store_result_cb, &result);

  /* a 300 MB POST is refused from its headers: 413, and the connection is closed long before
   * the body is in (what the kernel's socket buffers hold, and a little more) */
  raw_request (loopback, post_head, huge, &post);
  g_test_message ("the listener took %" G_GUINT64_FORMAT " bytes of the body", post.sent);
  g_assert_true (g_str_has_prefix (post.answer->str, "HTTP/1.1 413 "));
  g_assert_cmpuint (post.sent, <, 48 * 1024 * 1024);
  g_string_free (post.answer, TRUE);

  /* headers beyond 16 KiB: 431, without waiting for their end */
  huge_header = g_strnfill (64 * 1024, 'a');
  big_head = g_strdup_printf ("GET /?code=c&state=s HTTP/1.1\r\nHost: localhost\r\nX-Filler: %s\r\n\r\n", huge_header);
  raw_request (loopback, big_head, 0, &headers);
  g_assert_true (g_str_has_prefix (headers.answer->str, "HTTP/1.1 431 "));
  g_string_free (headers.answer, TRUE);

  /* a small POST is read and refused as before */
  raw_request (loopback, "POST /?code=c&state=s HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n",
               10, &small_post);
  g_assert_true (g_str_has_prefix (small_post.answer->str, "HTTP/1.1 405 "));
  g_string_free (small_post.answer, TRUE);

  /* none of that ended the wait; a GET with a small body still delivers the code */
  g_assert_null (result);
  raw_request (loopback, "GET /?code=the-code&state=s HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\n",
               5, &get_with_body);
  g_assert_true (g_str_has_prefix (get_with_body.answer->str, "HTTP/1.1 302 "));
  g_assert_nonnull (strstr (get_with_body.answer->str, "\r\nLocation: /done\r\n"));
  g_string_free (get_with_body.answer, TRUE);
  answer = muster_loopback_wait_for_code_finish (loopback, core_test_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (answer, "code"), ==, "the-code");
}

/* Whether this computer has ::1 (some containers and hardened hosts have IPv6 off). */
static gboolean
have_ipv6_loopback (void)
{
  struct sockaddr_in6 address = { 0 };
  int fd = socket (AF_INET6, SOCK_STREAM, 0);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  ok = bind (fd, (struct sockaddr *) &address, sizeof address) == 0;
  close (fd);
  return ok;
}

static void
test_loopback_ipv6_too (void)
{
  g_autoptr(MusterLoopback) loopback = muster_loopback_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) answer = NULL;
  g_autoptr(GError) error = NULL;
  struct sockaddr_in6 address = { 0 };
  int fd, one = 1;

  if (!have_ipv6_loopback ())
    {
      g_test_skip ("this computer has no IPv6 loopback");
      return;
    }
  g_assert_true (muster_loopback_listen (loopback, &error));
  g_assert_no_error (error);
  /* the redirect stays "localhost": Entra takes no [::1] redirect */
  g_assert_true (g_str_has_prefix (muster_loopback_get_redirect_uri (loopback), "http://localhost:"));

  /* another program cannot take [::1]:PORT, where a browser resolving localhost to ::1 would
   * deliver the code (even asking for address reuse) */
  fd = socket (AF_INET6, SOCK_STREAM, 0);
  g_assert_cmpint (fd, >=, 0);
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  address.sin6_family = AF_INET6;
  address.sin6_port = htons (muster_loopback_get_port (loopback));
  address.sin6_addr = in6addr_loopback;
  g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, -1);
  g_assert_cmpint (errno, ==, EADDRINUSE);
  close (fd);

  /* and the answer sent to [::1] reaches Muster */
  muster_loopback_wait_for_code_async (loopback, "v6-state", 30, NULL, core_test_store_result_cb, &result);
  g_assert_cmpuint (loopback_get_from (loopback, "[::1]", "/?code=v6-code&state=v6-state", NULL), ==, 302);
  answer = muster_loopback_wait_for_code_finish (loopback, core_test_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (answer, "code"), ==, "v6-code");
}

/* Device code ----------------------------------------------------------------------------- */

static void
device_code_cb (MusterSession *session,
                const char    *user_code,
                const char    *verification_uri,
                const char    *message,
                gint64         expires_at,
                Fixture       *f)
{
  g_autofree char *body = NULL;

  g_assert_true (g_str_has_suffix (verification_uri, "/devicelogin"));
  g_assert_cmpint (expires_at, >, g_get_real_time () / G_USEC_PER_SEC);
  f->user_code = g_strdup (user_code);
  /* the admin types the code on another device and approves */
  body = g_strdup_printf ("{\"userCode\":\"%s\",\"approve\":%s}", user_code,
                          g_object_get_data (G_OBJECT (session), "decline") ? "false" : "true");
  control (f, "/_fake/identity/device-approve", body);
}

static void
test_device_code (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FakeResponse) stats = NULL;
  gint64 started = g_get_monotonic_time ();

  if (!core_test_keyring_usable ())
    return;
  /* one poll is told slow_down, which must add 5 s to the interval (RFC 8628 §3.5) */
  control (f, "/_fake/identity/device", "{\"interval\":1,\"slowDown\":1}");
  muster_profile_set_auth_mode (f->profile, MUSTER_AUTH_MODE_DEVICE_CODE);
  g_signal_connect (f->session, "device-code", G_CALLBACK (device_code_cb), f);

  g_assert_true (sign_in (f, FALSE, &error));
  g_assert_no_error (error);
  g_assert_nonnull (f->user_code);
  g_assert_nonnull (muster_profile_get_username (f->profile));
  /* interval 1 s, then slow_down: the next poll came at least 6 s after the first */
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 6 * G_USEC_PER_SEC);
}

static void
test_device_code_declined (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  control (f, "/_fake/identity/device", "{\"interval\":1}");
  muster_profile_set_auth_mode (f->profile, MUSTER_AUTH_MODE_DEVICE_CODE);
  g_object_set_data (G_OBJECT (f->session), "decline", GINT_TO_POINTER (1));
  g_signal_connect (f->session, "device-code", G_CALLBACK (device_code_cb), f);

  g_assert_false (sign_in (f, FALSE, &error));
  g_assert_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_ACCESS_DENIED);
}

/* App-only --------------------------------------------------------------------------------- */

#define TEST_APP_ID "0c9d3f7e-1b2a-4c5d-8e9f-a0b1c2d3e4f5"

static void
use_app_only (Fixture        *f,
              MusterAuthMode  mode)
{
  muster_profile_set_tenant (f->profile, muster_fake_tenant_get_domain (f->tenant));
  muster_profile_set_client_id (f->profile, TEST_APP_ID);
  muster_profile_set_auth_mode (f->profile, mode);
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static void
assert_app_only_status (Fixture    *f,
                        const char *missing)
{
  g_autoptr(MusterGraphClient) graph = muster_graph_client_new (f->session);
  g_autoptr(MusterTenantStatus) status = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = NULL;
  g_auto(GStrv) sorted = NULL;

  muster_tenant_status_load_async (graph, NULL, core_test_store_result_cb, &result);
  status = muster_tenant_status_load_finish (core_test_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_true (muster_tenant_status_get_app_only (status));
  g_assert_nonnull (muster_tenant_status_get_organization (status));
  g_assert_null (muster_tenant_status_get_user_principal (status));
  sorted = g_strdupv ((char **) muster_tenant_status_get_missing (status));
  qsort (sorted, g_strv_length (sorted), sizeof (char *), compare_strings);
  joined = g_strjoinv (" ", sorted);
  g_assert_cmpstr (joined, ==, missing ? missing : "");
}

static void
store_client_secret (const char *secret)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_keyring_store_async ("contoso-sign-in", NULL, MUSTER_SECRET_CLIENT_SECRET, secret, NULL, core_test_store_result_cb, &result);
  g_assert_true (muster_keyring_store_finish (core_test_wait (&result), NULL));
}

static void
test_client_secret (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterToken) token = NULL;

  if (!core_test_keyring_usable ())
    return;
  control (f, "/_fake/identity/apps",
           "{\"clientId\":\"" TEST_APP_ID "\",\"displayName\":\"Muster sync\",\"secret\":\"s3cr3t~value\","
           "\"roles\":[\"User.Read.All\",\"GroupMember.Read.All\",\"Organization.Read.All\"]}");
  use_app_only (f, MUSTER_AUTH_MODE_SECRET);

  /* without a stored secret: a clear error, nothing sent */
  g_assert_false (sign_in (f, FALSE, &error));
  g_assert_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_INVALID_CLIENT);
  g_clear_error (&error);

  store_client_secret ("wrong-secret");
  g_assert_false (sign_in (f, FALSE, &error));
  g_assert_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_INVALID_CLIENT);
  g_assert_nonnull (strstr (error->message, "7000215"));
  g_clear_error (&error);

  store_client_secret ("s3cr3t~value");
  g_assert_true (sign_in (f, FALSE, &error));
  g_assert_no_error (error);
  token = get_token (f, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token->access_token);
  /* client credentials never hand out a refresh token */
  g_assert_null (token->refresh_token);
  g_assert_null (keyring_lookup (MUSTER_SECRET_REFRESH_TOKEN));
  assert_app_only_status (f, NULL);
}

static char *
make_certificate (const char *dir,
                  const char *name)
{
  g_autofree char *command = g_strdup_printf (
    "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=muster-test "
    "-keyout '%s/%s.key' -out '%s/%s.pem' 2>/dev/null", dir, name, dir, name);

  g_assert_cmpint (system (command), ==, 0);
  return g_strdup_printf ("%s/%s", dir, name);
}

static void
test_certificate (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *good = make_certificate (f->dir, "good");
  g_autofree char *other = make_certificate (f->dir, "other");
  g_autofree char *pem = NULL, *escaped = NULL, *body = NULL;
  g_autofree char *good_pem = g_strconcat (good, ".pem", NULL), *good_key = g_strconcat (good, ".key", NULL);
  g_autofree char *other_key = g_strconcat (other, ".key", NULL);
  g_autoptr(MusterToken) token = NULL;

  if (!core_test_keyring_usable ())
    return;
  g_assert_true (g_file_get_contents (good_pem, &pem, NULL, NULL));
  escaped = g_strescape (pem, NULL);
  body = g_strdup_printf ("{\"clientId\":\"" TEST_APP_ID "\",\"displayName\":\"Muster sync\","
                          "\"certificatePem\":\"%s\",\"roles\":[\"User.Read.All\"]}", escaped);
  control (f, "/_fake/identity/apps", body);
  use_app_only (f, MUSTER_AUTH_MODE_CERTIFICATE);

  /* the registered certificate with another key: the signature does not verify */
  muster_profile_set_certificate (f->profile, good_pem, other_key);
  g_assert_false (sign_in (f, FALSE, &error));
  g_assert_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_INVALID_CLIENT);
  g_clear_error (&error);

  muster_profile_set_certificate (f->profile, good_pem, good_key);
  g_assert_true (sign_in (f, FALSE, &error));
  g_assert_no_error (error);
  token = get_token (f, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token->access_token);
  /* this app was granted User.Read.All only: the status names the two it lacks */
  assert_app_only_status (f, "GroupMember.Read.All Organization.Read.All");
}

/* Refresh ------------------------------------------------------------------------------------ */

static void
test_refresh_rotation (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterToken) first = NULL, second = NULL;
  g_autofree char *rt1 = NULL, *rt2 = NULL, *access = NULL;

  if (!core_test_keyring_usable ())
    return;
  g_assert_true (sign_in (f, FALSE, &error));
  first = get_token (f, FALSE, &error);
  rt1 = keyring_lookup (MUSTER_SECRET_REFRESH_TOKEN);

  second = get_token (f, TRUE, &error);
  g_assert_no_error (error);
  rt2 = keyring_lookup (MUSTER_SECRET_REFRESH_TOKEN);
  g_assert_cmpstr (first->access_token, !=, second->access_token);
  /* the rotated refresh token replaced the old one in the keyring */
  g_assert_nonnull (rt2);
  g_assert_cmpstr (rt1, !=, rt2);
  access = keyring_lookup (MUSTER_SECRET_ACCESS_TOKEN);
  g_assert_cmpstr (access, ==, second->access_token);
}

static void
test_refresh_when_ten_minutes_left (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterToken) first = NULL, second = NULL, third = NULL;

  if (!core_test_keyring_usable ())
    return;
  /* tokens that live 5 minutes are always inside the 10-minute margin: every ask refreshes */
  control (f, "/_fake/identity/token-lifetime", "{\"seconds\":300}");
  g_assert_true (sign_in (f, FALSE, &error));
  first = get_token (f, FALSE, &error);
  second = get_token (f, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first->access_token, !=, second->access_token);

  /* long-lived tokens are reused, not refreshed */
  control (f, "/_fake/identity/token-lifetime", "{\"seconds\":3599}");
  g_clear_pointer (&second, muster_token_free);
  second = get_token (f, TRUE, &error);
  third = get_token (f, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second->access_token, ==, third->access_token);
}

static void
test_refresh_expired (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterToken) token = NULL;

  if (!core_test_keyring_usable ())
    return;
  g_assert_true (sign_in (f, FALSE, &error));
  control (f, "/_fake/identity/refresh-inactive", "{\"days\":91}");

  token = get_token (f, TRUE, &error);
  g_assert_null (token);
  g_assert_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED);
  g_assert_nonnull (strstr (error->message, "90 days"));
  g_assert_nonnull (strstr (error->message, "700082"));
}

static void
test_not_signed_in (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterToken) token = get_token (f, FALSE, &error);

  g_assert_null (token);
  g_assert_error (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED);
}

static void
test_graph_401_refreshes_once (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterGraphClient) graph = NULL;
  g_autoptr(MusterTenantStatus) status = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(MusterToken) before = NULL, after = NULL;

  if (!core_test_keyring_usable ())
    return;
  g_assert_true (sign_in (f, FALSE, &error));
  before = get_token (f, FALSE, &error);

  /* the service expires every token early: Graph answers 401, Muster refreshes and retries */
  control (f, "/_fake/identity/expire-tokens", "{}");
  graph = muster_graph_client_new (f->session);
  muster_tenant_status_load_async (graph, NULL, core_test_store_result_cb, &result);
  status = muster_tenant_status_load_finish (core_test_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (muster_tenant_status_get_organization (status), !=, NULL);
  g_assert_cmpuint (muster_tenant_status_get_licences (status)->len, >, 0);
  g_assert_cmpuint (muster_tenant_status_get_domains (status)->len, >=, 2);
  g_assert_cmpstr (muster_tenant_status_get_user_principal (status), ==, muster_profile_get_username (f->profile));
  g_assert_null (muster_tenant_status_get_missing (status)[0]);

  after = get_token (f, FALSE, &error);
  g_assert_cmpstr (before->access_token, !=, after->access_token);
}

/* Records every request it gets, as an HTTP proxy or as the server itself, and answers {}. */
static void
record_request_cb (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  GPtrArray *seen = user_data;
  const char *authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                            "Authorization");

  g_ptr_array_add (seen, g_strdup_printf ("%s %s", g_uri_get_host (soup_server_message_get_uri (msg)),
                                          authorization ? authorization : "-"));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
}

static JsonNode *
graph_get (MusterGraphClient *graph,
           const char        *path,
           GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_graph_client_get_async (graph, path, NULL, core_test_store_result_cb, &result);
  return muster_graph_client_get_finish (graph, core_test_wait (&result), error);
}

static void
test_graph_plain_http_elsewhere (Fixture *f, gconstpointer data)
{
  g_autoptr(SoupServer) recorder = soup_server_new (NULL, NULL);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GProxyResolver) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *proxy_url = NULL;
  GSList *uris;
  static const char * const elsewhere[] = {
    "http://graph.example.test", "http://127.0.0.1.graph.example.test", "http://localhost.example.test",
    "http://192.0.2.1:8080", NULL
  };

  if (!core_test_keyring_usable ())
    return;
  g_assert_true (sign_in (f, FALSE, &error));
  g_assert_no_error (error);

  /* Every request of this session goes through a recording proxy on 127.0.0.1, so one to
   * "http://graph.example.test" would arrive there with its Authorization header. */
  soup_server_add_handler (recorder, NULL, record_request_cb, seen, NULL);
  g_assert_true (soup_server_listen_local (recorder, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (recorder);
  proxy_url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  proxy = g_simple_proxy_resolver_new (proxy_url, NULL);
  soup_session_set_proxy_resolver (muster_session_get_http (f->session), proxy);

  for (guint i = 0; elsewhere[i] != NULL; i++)
    {
      g_autoptr(MusterGraphClient) graph = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *next_link = NULL;

      muster_cloud_set_override (muster_fake_tenant_get_base_url (f->tenant), elsewhere[i]);
      graph = muster_graph_client_new (f->session);
      node = graph_get (graph, "/organization", &error);
      g_assert_null (node);
      g_assert_error (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INSECURE);
      g_assert_nonnull (strstr (error->message, "https"));
      g_clear_error (&error);

      /* an absolute nextLink on that host is refused the same way */
      next_link = g_strconcat (elsewhere[i], "/v1.0/users?$skiptoken=x", NULL);
      g_assert_null (graph_get (graph, next_link, &error));
      g_assert_error (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INSECURE);
      g_clear_error (&error);
    }
  g_assert_cmpuint (seen->len, ==, 0);

  /* the control: plain http to this computer still works, and the proxy sees the token */
  {
    g_autoptr(MusterGraphClient) graph = NULL;
    g_autoptr(JsonNode) node = NULL;

    muster_cloud_set_override (muster_fake_tenant_get_base_url (f->tenant), "http://graph.localhost");
    graph = muster_graph_client_new (f->session);
    node = graph_get (graph, "/organization", &error);
    g_assert_no_error (error);
    g_assert_nonnull (node);
  }
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (seen, 0), "graph.localhost Bearer "));
}

static void
test_admin_consent (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FakeResponse) apps = NULL;
  g_autofree char *body = NULL;

  if (!core_test_keyring_usable ())
    return;
  g_assert_true (sign_in (f, TRUE, &error));
  g_assert_no_error (error);
  apps = fake_test_request (f->tenant, "GET", "/_fake/identity/apps", NULL, NULL, NULL);
  body = g_strndup (g_bytes_get_data (apps->body, NULL), g_bytes_get_size (apps->body));
  /* the tenant-wide consent now lists the directory permissions */
  g_assert_nonnull (strstr (body, "GroupMember.Read.All"));
  g_assert_nonnull (muster_profile_get_username (f->profile));
}

/* The path a real desktop takes: no MUSTER_BROWSER, GIO asks the desktop for the https handler.
 * A handler of our own in private XDG folders stands in for the admin's browser. Runs in a
 * subprocess because GLib reads the XDG folders once per process. */
static void
test_default_handler (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *home = g_dir_make_tmp ("muster-xdg-XXXXXX", NULL);
      g_autofree char *apps = g_build_filename (home, "data", "applications", NULL);
      g_autofree char *config = g_build_filename (home, "config", NULL);
      g_autofree char *desktop = g_build_filename (apps, "muster-test-browser.desktop", NULL);
      g_autofree char *mimeapps = g_build_filename (config, "mimeapps.list", NULL);
      g_autofree char *desktop_text = NULL, *data_home = g_build_filename (home, "data", NULL);
      g_autofree char *log = g_build_filename (home, "browser.log", NULL);
      g_autofree char *visits = NULL;
      Fixture fixture = { 0 };
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_mkdir_with_parents (apps, 0700), ==, 0);
      g_assert_cmpint (g_mkdir_with_parents (config, 0700), ==, 0);
      desktop_text = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Test Browser\n"
                                      "Exec=%s %%u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;\n",
                                      g_getenv ("MUSTER_TEST_BROWSER"));
      g_assert_true (g_file_set_contents (desktop, desktop_text, -1, NULL));
      g_assert_true (g_file_set_contents (mimeapps, "[Default Applications]\n"
                                          "x-scheme-handler/http=muster-test-browser.desktop\n"
                                          "x-scheme-handler/https=muster-test-browser.desktop\n", -1, NULL));
      g_setenv ("XDG_DATA_HOME", data_home, TRUE);
      g_setenv ("XDG_CONFIG_HOME", config, TRUE);
      g_setenv ("MUSTER_TEST_BROWSER_LOG", log, TRUE);

      fixture_set_up (&fixture, NULL);
      g_unsetenv ("MUSTER_BROWSER");
      muster_session_set_browser_timeout (fixture.session, 20);
      g_assert_true (sign_in (&fixture, FALSE, &error));
      g_assert_no_error (error);
      g_assert_nonnull (muster_profile_get_username (fixture.profile));
      /* it really was our handler that the desktop started */
      g_assert_true (g_file_get_contents (log, &visits, NULL, NULL));
      g_assert_nonnull (strstr (visits, "/oauth2/v2.0/authorize 200"));
      fixture_tear_down (&fixture, NULL);
      return;
    }

  if (!core_test_keyring_usable ())
    return;
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_keyring_missing (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *secret = NULL;

      /* a session bus where no Secret Service lives */
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", TRUE);
      muster_keyring_lookup_async ("contoso-sign-in", MUSTER_SECRET_REFRESH_TOKEN, NULL, core_test_store_result_cb, &result);
      secret = muster_keyring_lookup_finish (core_test_wait (&result), &error);
      g_assert_error (error, MUSTER_KEYRING_ERROR, MUSTER_KEYRING_ERROR_NO_SERVICE);
      g_print ("%s\n", error->message);
      return;
    }
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*No Secret Service*gnome-keyring-daemon*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/sign-in/browser/full-flow", Fixture, NULL, fixture_set_up, test_browser_flow, fixture_tear_down);
  g_test_add ("/sign-in/browser/cancel", Fixture, NULL, fixture_set_up, test_browser_cancel, fixture_tear_down);
  g_test_add ("/sign-in/browser/no-browser-times-out", Fixture, NULL, fixture_set_up, test_no_browser_times_out,
              fixture_tear_down);
  g_test_add ("/sign-in/browser/admin-consent", Fixture, NULL, fixture_set_up, test_admin_consent, fixture_tear_down);
  g_test_add_func ("/sign-in/loopback/state-and-single-use", test_loopback_state_and_single_use);
  g_test_add_func ("/sign-in/loopback/timeout", test_loopback_timeout);
  g_test_add_func ("/sign-in/loopback/error-answer", test_loopback_error_answer);
  g_test_add_func ("/sign-in/loopback/only-127.0.0.1", test_loopback_only_on_127_0_0_1);
  g_test_add_func ("/sign-in/loopback/ipv6-too", test_loopback_ipv6_too);
  g_test_add_func ("/sign-in/loopback/request-limits", test_loopback_request_limits);
  g_test_add ("/sign-in/device-code/slow-down-then-approve", Fixture, NULL, fixture_set_up, test_device_code,
              fixture_tear_down);
  g_test_add ("/sign-in/device-code/declined", Fixture, NULL, fixture_set_up, test_device_code_declined,
              fixture_tear_down);
  g_test_add ("/sign-in/app-only/client-secret", Fixture, NULL, fixture_set_up, test_client_secret, fixture_tear_down);
  g_test_add ("/sign-in/app-only/certificate", Fixture, NULL, fixture_set_up, test_certificate, fixture_tear_down);
  g_test_add ("/sign-in/refresh/rotation", Fixture, NULL, fixture_set_up, test_refresh_rotation, fixture_tear_down);
  g_test_add ("/sign-in/refresh/ten-minutes-left", Fixture, NULL, fixture_set_up, test_refresh_when_ten_minutes_left,
              fixture_tear_down);
  g_test_add ("/sign-in/refresh/expired-after-90-days", Fixture, NULL, fixture_set_up, test_refresh_expired,
              fixture_tear_down);
  g_test_add ("/sign-in/refresh/not-signed-in", Fixture, NULL, fixture_set_up, test_not_signed_in, fixture_tear_down);
  g_test_add ("/sign-in/graph/plain-http-elsewhere-refused", Fixture, NULL, fixture_set_up,
              test_graph_plain_http_elsewhere, fixture_tear_down);
  g_test_add ("/sign-in/graph/401-refreshes-once", Fixture, NULL, fixture_set_up, test_graph_401_refreshes_once,
              fixture_tear_down);
  g_test_add_func ("/sign-in/keyring/no-secret-service", test_keyring_missing);
  g_test_add_func ("/sign-in/browser/desktop-default-handler", test_default_handler);
  return g_test_run ();
}
