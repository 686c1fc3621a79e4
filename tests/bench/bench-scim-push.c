/* bench-scim-push.c: pushing new users into the fake SCIM service, against a plain HTTP client
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "bench-util.h"
#include "fake-test-util.h"
#include "muster-http.h"
#include "muster-scim-target.h"

/* Starts the fake tenant in this process (its own thread) and, in the same run, measures:
 *
 *   peer     a minimal libsoup loop POSTing N ready-made user bodies to /scim/v2/Users with C
 *            requests in flight over C kept-alive connections, checking each answer is 201
 *   muster   MusterScimTarget's apply of N create-user operations with concurrency C, in
 *            batches of 100 as a push sends them, and in one batch of all N
 *
 * Each measurement gets a fresh fake. Usage: bench-scim-push [N [C]] (20,000 and 8).
 * Goal (issue 8): Muster's rate ≥ 90 % of the peer's. */

#define URN_USER "urn:ietf:params:scim:schemas:core:2.0:User"
#define URN_ENT  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define RUNS 3

static double last_cpu;  /* client CPU seconds of the last measurement */

typedef struct
{
  SoupSession  *session;
  char         *url;
  char         *authorization;
  GPtrArray    *bodies;   /* GBytes */
  guint         next;
  guint         active;
  guint         done;
  guint         failed;
} Peer;

/* CPU seconds this thread (the client's) has used: unlike the rates, it does not depend on how
 * busy the machine is. */
static double
thread_cpu (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static MusterTargetUser *
make_user (GRand *rand,
           guint  i)
{
  MusterTargetUser *user = muster_target_user_new ();
  const char *first = bench_first_names[i % G_N_ELEMENTS (bench_first_names)];
  const char *last = bench_surnames[(i / G_N_ELEMENTS (bench_first_names)) % G_N_ELEMENTS (bench_surnames)];
  g_autofree char *display = g_strdup_printf ("%s %s", first, last);
  g_autofree char *user_name = g_strdup_printf ("%s.%s.%u@bench.example.com", first, last, i);
  g_autofree char *employee = g_strdup_printf ("%06u", i);

  user->external_id = bench_random_guid (rand);
  user->user_name = g_strdup (user_name);
  muster_target_user_set_attribute (user, MUSTER_ATTR_DISPLAY_NAME, display);
  muster_target_user_set_attribute (user, MUSTER_ATTR_GIVEN_NAME, first);
  muster_target_user_set_attribute (user, MUSTER_ATTR_FAMILY_NAME, last);
  muster_target_user_set_attribute (user, MUSTER_ATTR_EMAIL, user_name);
  muster_target_user_set_attribute (user, MUSTER_ATTR_TITLE, bench_titles[i % G_N_ELEMENTS (bench_titles)]);
  muster_target_user_set_attribute (user, MUSTER_ATTR_DEPARTMENT,
                                    bench_departments[i % G_N_ELEMENTS (bench_departments)]);
  muster_target_user_set_attribute (user, MUSTER_ATTR_EMPLOYEE_NUMBER, employee);
  return user;
}

/* The body MusterScimTarget sends for @user (RFC 7643 §4.1 and §4.3), built independently. */
static GBytes *
user_body (MusterTargetUser *user)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schemas");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, URN_USER);
  json_builder_add_string_value (builder, URN_ENT);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "externalId");
  json_builder_add_string_value (builder, user->external_id);
  json_builder_set_member_name (builder, "userName");
  json_builder_add_string_value (builder, user->user_name);
  json_builder_set_member_name (builder, "active");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "displayName");
  json_builder_add_string_value (builder, muster_target_user_get_attribute (user, MUSTER_ATTR_DISPLAY_NAME));
  json_builder_set_member_name (builder, "name");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "givenName");
  json_builder_add_string_value (builder, muster_target_user_get_attribute (user, MUSTER_ATTR_GIVEN_NAME));
  json_builder_set_member_name (builder, "familyName");
  json_builder_add_string_value (builder, muster_target_user_get_attribute (user, MUSTER_ATTR_FAMILY_NAME));
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, muster_target_user_get_attribute (user, MUSTER_ATTR_TITLE));
  json_builder_set_member_name (builder, "userType");
  json_builder_add_string_value (builder, "User");
  json_builder_set_member_name (builder, "emails");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "value");
  json_builder_add_string_value (builder, muster_target_user_get_attribute (user, MUSTER_ATTR_EMAIL));
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "work");
  json_builder_set_member_name (builder, "primary");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, URN_ENT);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "employeeNumber");
  json_builder_add_string_value (builder, muster_target_user_get_attribute (user, MUSTER_ATTR_EMPLOYEE_NUMBER));
  json_builder_set_member_name (builder, "department");
  json_builder_add_string_value (builder, muster_target_user_get_attribute (user, MUSTER_ATTR_DEPARTMENT));
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  return g_bytes_new_take (text, length);
}

static void peer_next (Peer *peer);

static void
peer_sent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SoupMessage *msg = user_data;
  Peer *peer = g_object_get_data (G_OBJECT (msg), "peer");
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  if (bytes == NULL || soup_message_get_status (msg) != 201)
    {
      if (peer->failed++ == 0)
        g_printerr ("plain client: HTTP %u\n", soup_message_get_status (msg));
    }
  peer->active--;
  peer->done++;
  g_object_unref (msg);
  peer_next (peer);
}

static void
peer_next (Peer *peer)
{
  while (peer->active < 64 && peer->next < peer->bodies->len &&
         peer->active < GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (peer->session), "concurrency")))
    {
      SoupMessage *msg = soup_message_new ("POST", peer->url);
      SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

      soup_message_headers_replace (headers, "Authorization", peer->authorization);
      soup_message_headers_replace (headers, "Accept", "application/scim+json");
      soup_message_set_request_body_from_bytes (msg, "application/scim+json",
                                                g_ptr_array_index (peer->bodies, peer->next));
      /* else libsoup opens a new connection for every POST */
      soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
      g_object_set_data (G_OBJECT (msg), "peer", peer);
      peer->next++;
      peer->active++;
      soup_session_send_and_read_async (peer->session, msg, G_PRIORITY_DEFAULT, NULL, peer_sent_cb, msg);
    }
}

static double
run_peer (MusterFakeTenant *tenant,
          GPtrArray        *bodies,
          guint             concurrency)
{
  Peer peer = { NULL, };
  double started;

  peer.session = muster_http_session_new_with_connections (concurrency);
  g_object_set_data (G_OBJECT (peer.session), "concurrency", GUINT_TO_POINTER (concurrency));
  peer.url = g_strconcat (muster_fake_tenant_get_base_url (tenant), "/scim/v2/Users", NULL);
  peer.authorization = g_strconcat ("Bearer ", muster_fake_tenant_get_scim_token (tenant), NULL);
  peer.bodies = bodies;

  last_cpu = thread_cpu ();
  started = bench_now ();
  peer_next (&peer);
  while (peer.done < bodies->len)
    g_main_context_iteration (NULL, TRUE);
  started = bench_now () - started;
  last_cpu = thread_cpu () - last_cpu;

  if (peer.failed > 0)
    g_error ("the plain client got %u answers other than 201", peer.failed);
  g_object_unref (peer.session);
  g_free (peer.url);
  g_free (peer.authorization);
  return started;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static double
run_muster (MusterFakeTenant *tenant,
            GPtrArray        *users,
            guint             concurrency,
            guint             batch)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strconcat (muster_fake_tenant_get_base_url (tenant), "/scim/v2", NULL);
  g_autoptr(MusterScimTarget) target = muster_scim_target_new (url, muster_fake_tenant_get_scim_token (tenant), &error);
  g_autoptr(GAsyncResult) read = NULL;
  g_autoptr(MusterTargetState) state = NULL;
  double started;

  bench_check (target != NULL, error);
  muster_scim_target_set_concurrency (target, concurrency);
  /* a push reads the target first (the plan needs it); that is not what is measured */
  muster_target_read_state_async (MUSTER_TARGET (target), NULL, store_result_cb, &read);
  state = muster_target_read_state_finish (MUSTER_TARGET (target), wait_for (&read), &error);
  bench_check (state != NULL, error);

  last_cpu = thread_cpu ();
  started = bench_now ();
  for (guint from = 0; from < users->len; from += batch)
    {
      g_autoptr(GPtrArray) operations = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
      g_autoptr(GAsyncResult) applied = NULL;
      g_autoptr(GPtrArray) results = NULL;

      for (guint i = from; i < MIN (from + batch, users->len); i++)
        {
          MusterTargetUser *user = g_ptr_array_index (users, i);
          g_autofree char *key = g_strconcat ("create-user:", user->external_id, NULL);
          MusterOperation *op = muster_operation_new (MUSTER_OPERATION_CREATE_USER, key);

          op->user = muster_target_user_ref (user);
          g_ptr_array_add (operations, op);
        }
      muster_target_apply_async (MUSTER_TARGET (target), "bench", operations, NULL, store_result_cb, &applied);
      results = muster_target_apply_finish (MUSTER_TARGET (target), wait_for (&applied), &error);
      bench_check (results != NULL, error);
      for (guint i = 0; i < results->len; i++)
        {
          MusterOperationResult *result = g_ptr_array_index (results, i);

          if (!result->ok)
            g_error ("%s: %s", result->operation->key, result->error->message);
        }
    }
  started = bench_now () - started;
  last_cpu = thread_cpu () - last_cpu;
  return started;
}

/* Checks the fake holds @expected users. */
static void
check_count (MusterFakeTenant *tenant,
             guint             expected)
{
  g_autofree char *auth = g_strconcat ("Bearer ", muster_fake_tenant_get_scim_token (tenant), NULL);
  const char *headers[] = { "Authorization", auth, NULL };
  g_autoptr(FakeResponse) count = fake_test_request (tenant, "GET", "/scim/v2/Users?count=0", headers, NULL, NULL);
  gint64 total = count->status == 200 && count->json != NULL
    ? json_object_get_int_member (json_node_get_object (count->json), "totalResults") : -1;

  if (total != expected)
    g_error ("the fake holds %" G_GINT64_FORMAT " users, not %u", total, expected);
}

int
main (int    argc,
      char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 20000;
  guint concurrency = argc > 2 ? (guint) atoi (argv[2]) : 8;
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_target_user_unref);
  g_autoptr(GPtrArray) bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  double best_peer = G_MAXDOUBLE, best_batched = G_MAXDOUBLE, best_whole = G_MAXDOUBLE;
  double cpu_peer = G_MAXDOUBLE, cpu_batched = G_MAXDOUBLE, cpu_whole = G_MAXDOUBLE;

  if (n == 0 || concurrency == 0)
    {
      g_printerr ("usage: bench-scim-push [USERS [CONCURRENCY]]\n");
      return 2;
    }

  for (guint i = 0; i < n; i++)
    {
      MusterTargetUser *user = make_user (rand, i);

      g_ptr_array_add (users, user);
      g_ptr_array_add (bodies, user_body (user));
    }

  /* a fresh fake for every measurement (its store and request log grow, and a process that has
   * freed 20,000 users allocates slower), and the order rotates between runs */
  for (guint run = 0; run < RUNS; run++)
    for (guint k = 0; k < 3; k++)
      {
        guint which = (k + run) % 3;
        g_autoptr(MusterFakeTenant) tenant = fake_test_start_tenant (NULL);
        double t;

        check_count (tenant, 0);
        if (which == 0)
          {
            t = run_peer (tenant, bodies, concurrency);
            best_peer = MIN (best_peer, t);
            cpu_peer = MIN (cpu_peer, last_cpu);
            g_print ("run %u: plain libsoup %.2f s (%.0f users/s), client CPU %.0f µs/user\n", run + 1, t, n / t,
                     1e6 * last_cpu / n);
          }
        else if (which == 1)
          {
            t = run_muster (tenant, users, concurrency, 100);
            best_batched = MIN (best_batched, t);
            cpu_batched = MIN (cpu_batched, last_cpu);
            g_print ("run %u: MusterScimTarget, batches of 100 %.2f s (%.0f users/s), client CPU %.0f µs/user\n",
                     run + 1, t, n / t, 1e6 * last_cpu / n);
          }
        else
          {
            t = run_muster (tenant, users, concurrency, n);
            best_whole = MIN (best_whole, t);
            cpu_whole = MIN (cpu_whole, last_cpu);
            g_print ("run %u: MusterScimTarget, one batch %.2f s (%.0f users/s), client CPU %.0f µs/user\n",
                     run + 1, t, n / t, 1e6 * last_cpu / n);
          }
        check_count (tenant, n);
        muster_fake_tenant_stop (tenant);
      }

  g_print ("\n%u new users, concurrency %u (best of %u runs)\n", n, concurrency, RUNS);
  g_print ("plain libsoup POST loop:           %8.0f users/s             client CPU %4.0f µs/user\n",
           n / best_peer, 1e6 * cpu_peer / n);
  g_print ("MusterScimTarget, batches of 100:  %8.0f users/s  %5.1f %% of plain, client CPU %4.0f µs/user\n",
           n / best_batched, 100.0 * best_peer / best_batched, 1e6 * cpu_batched / n);
  g_print ("MusterScimTarget, one batch:       %8.0f users/s  %5.1f %% of plain, client CPU %4.0f µs/user\n",
           n / best_whole, 100.0 * best_peer / best_whole, 1e6 * cpu_whole / n);
  g_print ("goal: ≥ 90 %% of the plain client's rate\n");
  return 0;
}
