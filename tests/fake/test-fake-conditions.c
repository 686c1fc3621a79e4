/* test-fake-conditions.c: the fake's bad days: --faults, --latency-ms and --tls
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sys/stat.h>
#include <glib/gstdio.h>

#include "fake-test-util.h"

static MusterFakeTenant *
start_with_faults (const char *faults)
{
  MusterFakeOptions options;

  muster_fake_options_init (&options);
  options.faults = faults;
  return fake_test_start_tenant (&options);
}

static FakeResponse *
scim_get (MusterFakeTenant *tenant,
          const char       *path)
{
  g_autofree char *auth = g_strconcat ("Bearer ", muster_fake_tenant_get_scim_token (tenant), NULL);
  const char *headers[] = { "Authorization", auth, NULL };

  return fake_test_request (tenant, "GET", path, headers, NULL, NULL);
}

/* A request whose failure is the point: returns the transport error. */
static GError *
request_error (MusterFakeTenant *tenant,
               SoupSession      *session,
               const char       *path)
{
  g_autofree char *url = g_strconcat (muster_fake_tenant_get_base_url (tenant), path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;

  body = soup_session_send_and_read (session, msg, NULL, &error);
  return error;
}

static void
test_status_fault (void)
{
  g_autoptr(MusterFakeTenant) tenant = start_with_faults ("500@/v1.0/users");
  g_autoptr(FakeResponse) users = fake_test_request (tenant, "GET", "/v1.0/users?$top=5", NULL, NULL, NULL);
  g_autoptr(FakeResponse) other = fake_test_request (tenant, "GET", "/v1.0/groups", NULL, NULL, NULL);
  g_autoptr(FakeResponse) control = fake_test_request (tenant, "GET", "/_fake/scim/token", NULL, NULL, NULL);
  JsonObject *error, *inner;

  g_assert_cmpuint (users->status, ==, 500);
  g_assert_nonnull (users->json);
  error = json_object_get_object_member (json_node_get_object (users->json), "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "generalException");
  g_assert_nonnull (json_object_get_string_member (error, "message"));
  inner = json_object_get_object_member (error, "innerError");
  g_assert_nonnull (json_object_get_string_member (inner, "request-id"));
  g_assert_nonnull (json_object_get_string_member (inner, "date"));

  g_assert_cmpuint (other->status, !=, 500);
  g_assert_cmpuint (control->status, ==, 200);
}

static void
test_every_n (void)
{
  g_autoptr(MusterFakeTenant) tenant = start_with_faults ("503@/scim/v2/ServiceProviderConfig/every=3/retry-after=7");

  for (guint i = 1; i <= 7; i++)
    {
      g_autoptr(FakeResponse) r = scim_get (tenant, "/scim/v2/ServiceProviderConfig");

      if (i % 3 == 0)
        {
          /* under /scim/ the fault speaks SCIM's error schema */
          g_assert_cmpuint (r->status, ==, 503);
          g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Retry-After"), ==, "7");
          g_assert_cmpstr (fake_response_get_string (r, "status"), ==, "503");
        }
      else
        {
          g_assert_cmpuint (r->status, ==, 200);
          g_assert_null (soup_message_headers_get_one (r->headers, "Retry-After"));
        }
    }
}

static void
test_after_once (void)
{
  g_autoptr(MusterFakeTenant) tenant = start_with_faults ("503@/v1.0/me/after=2/once/method=GET");
  guint statuses[5];

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(FakeResponse) r = fake_test_request (tenant, "GET", "/v1.0/me", NULL, NULL, NULL);

      statuses[i] = r->status;
      if (r->status == 503)
        {
          g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Retry-After"), ==, "1");
          g_assert_cmpstr (json_object_get_string_member (
                             json_object_get_object_member (json_node_get_object (r->json), "error"), "code"),
                           ==, "serviceNotAvailable");
        }
    }
  g_assert_cmpuint (statuses[0], !=, 503);
  g_assert_cmpuint (statuses[1], !=, 503);
  g_assert_cmpuint (statuses[2], ==, 503);
  g_assert_cmpuint (statuses[3], !=, 503);
  g_assert_cmpuint (statuses[4], !=, 503);
}

static void
test_bad_spec (void)
{
  const char *bad[] = { "418", "500@v1.0/users", "500@/v1.0/users/every=0", "500/sometimes", "reset,,500",
                        "reset@/v1.0/users/batch", "oversize@/v1.0/users/size=3", "" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      MusterFakeOptions options;
      g_autoptr(MusterFakeTenant) tenant = NULL;
      g_autoptr(GError) error = NULL;

      muster_fake_options_init (&options);
      options.faults = bad[i];
      tenant = muster_fake_tenant_new (&options);
      if (*bad[i] == '\0')
        {
          /* an empty spec means no faults */
          g_assert_true (muster_fake_tenant_start (tenant, &error));
          continue;
        }
      g_assert_false (muster_fake_tenant_start (tenant, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "--faults"));
    }
}

/* "batch": the status answers the matching calls inside $batch alone, not the batch, not a
 * plain request to the same path. */
static void
test_batch_fault (void)
{
  g_autoptr(MusterFakeTenant) tenant = start_with_faults ("500@/v1.0/groups/batch/once");
  g_autofree char *token = fake_test_sign_in (tenant, "User.Read.All GroupMember.Read.All");
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  const char *headers[] = { "Authorization", auth, NULL };
  static const char body[] = "{\"requests\":[{\"id\":\"1\",\"method\":\"GET\",\"url\":\"/groups?$top=1\"},"
                             "{\"id\":\"2\",\"method\":\"GET\",\"url\":\"/users?$top=1\"}]}";
  g_autoptr(FakeResponse) plain = fake_test_request (tenant, "GET", "/v1.0/groups?$top=1", headers, NULL, NULL);
  g_autoptr(FakeResponse) batch = fake_test_request (tenant, "POST", "/v1.0/$batch", headers, "application/json", body);
  g_autoptr(FakeResponse) again = fake_test_request (tenant, "POST", "/v1.0/$batch", headers, "application/json", body);
  JsonArray *responses;

  g_assert_cmpuint (plain->status, ==, 200);
  g_assert_cmpuint (batch->status, ==, 200);
  responses = json_object_get_array_member (json_node_get_object (batch->json), "responses");
  g_assert_cmpuint (json_array_get_length (responses), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *item = json_array_get_object_element (responses, i);
      gboolean groups = g_str_equal (json_object_get_string_member (item, "id"), "1");

      g_assert_cmpint (json_object_get_int_member (item, "status"), ==, groups ? 500 : 200);
    }
  /* once: the next batch is answered in full */
  responses = json_object_get_array_member (json_node_get_object (again->json), "responses");
  for (guint i = 0; i < json_array_get_length (responses); i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (responses, i), "status"), ==, 200);
}

/* "oversize": a body of exactly size= bytes that starts like a PNG, streamed, and counted. */
static void
test_oversize (void)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  for (int chunked = 0; chunked < 2; chunked++)
    {
      g_autofree char *spec = g_strdup_printf ("oversize@/v1.0/users/u/photo/$value/size=300000%s",
                                               chunked ? "/chunked" : "");
      g_autoptr(MusterFakeTenant) tenant = start_with_faults (spec);
      g_autoptr(FakeResponse) r = fake_test_request (tenant, "GET", "/v1.0/users/u/photo/$value", NULL, NULL, NULL);
      g_autoptr(FakeResponse) faults = fake_test_request (tenant, "GET", "/_fake/faults", NULL, NULL, NULL);
      JsonObject *rule;

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpuint (g_bytes_get_size (r->body), ==, 300000);
      g_assert_cmpint (soup_message_headers_get_encoding (r->headers), ==,
                       chunked ? SOUP_ENCODING_CHUNKED : SOUP_ENCODING_CONTENT_LENGTH);
      g_assert_cmpmem (g_bytes_get_data (r->body, NULL), sizeof png, png, sizeof png);
      rule = json_array_get_object_element (json_object_get_array_member (json_node_get_object (faults->json), "rules"), 0);
      g_assert_cmpint (json_object_get_int_member (rule, "written"), ==, 300000);
    }
}

static void
test_truncate (void)
{
  g_autoptr(MusterFakeTenant) tenant = start_with_faults ("truncate@/v1.0/users");
  g_autoptr(FakeResponse) r = fake_test_request (tenant, "GET", "/v1.0/users", NULL, NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (r->body, &size);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpint (soup_message_headers_get_content_length (r->headers), ==, size);
  g_assert_cmpuint (size, >, 10);
  g_assert_true (data[0] == '{');
  g_assert_null (r->json);
  g_assert_false (json_parser_load_from_data (parser, data, size, &error));
  g_assert_nonnull (error);
}

static void
test_reset (void)
{
  g_autoptr(MusterFakeTenant) tenant = start_with_faults ("reset@/v1.0/users/once");
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 20, NULL);
  g_autoptr(GError) error = request_error (tenant, session, "/v1.0/users");
  g_autoptr(FakeResponse) next = NULL;

  g_assert_nonnull (error);
  g_test_message ("reset: %s", error->message);
  g_assert_true (error->domain == G_IO_ERROR || error->domain == SOUP_SESSION_ERROR);

  /* once: the next request is answered */
  next = fake_test_request (tenant, "GET", "/v1.0/users", NULL, NULL, NULL);
  g_assert_cmpuint (next->status, >=, 200);
}

static void
test_stall (void)
{
  g_autoptr(MusterFakeTenant) tenant = start_with_faults ("stall@/v1.0/users");
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 1, NULL);
  g_autoptr(GError) error = request_error (tenant, session, "/v1.0/users");
  g_autoptr(FakeResponse) other = NULL;

  /* the client gives up; the fake keeps serving everything else */
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  other = scim_get (tenant, "/scim/v2/ServiceProviderConfig");
  g_assert_cmpuint (other->status, ==, 200);
}

static void
test_latency (void)
{
  MusterFakeOptions options;
  g_autoptr(MusterFakeTenant) tenant = NULL;
  g_autoptr(FakeResponse) r = NULL;
  gint64 start;

  muster_fake_options_init (&options);
  options.latency_ms = 300;
  tenant = fake_test_start_tenant (&options);

  start = g_get_monotonic_time ();
  r = scim_get (tenant, "/scim/v2/ServiceProviderConfig");
  g_assert_cmpuint (r->status, ==, 200);
  /* the one timing assertion: at least the latency asked for */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
}

static void
test_tls_trusted (void)
{
  MusterFakeOptions options;
  g_autoptr(MusterFakeTenant) tenant = NULL;
  g_autoptr(FakeResponse) r = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GPtrArray) dns_names = NULL;
  g_autoptr(GPtrArray) ips = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) started = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *ca_file = NULL;
  gboolean has_localhost = FALSE, has_loopback = FALSE;
  GStatBuf st;

  muster_fake_options_init (&options);
  options.tls = TRUE;
  tenant = fake_test_start_tenant (&options);
  g_assert_true (g_str_has_prefix (muster_fake_tenant_get_base_url (tenant), "https://127.0.0.1:"));
  /* the fake dates its certificate in whole seconds somewhere between these two */
  started = g_date_time_new_now_utc ();

  ca_file = g_strdup (muster_fake_tenant_get_ca_file (tenant));
  g_assert_nonnull (ca_file);
  g_assert_cmpint (g_stat (ca_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (ca_file, &pem, NULL, &error));
  g_assert_nonnull (strstr (pem, "-----BEGIN CERTIFICATE-----"));
  g_assert_null (strstr (pem, "PRIVATE KEY"));

  certificate = g_tls_certificate_new_from_file (ca_file, &error);
  g_assert_no_error (error);
  g_object_get (certificate, "dns-names", &dns_names, "ip-addresses", &ips, "not-valid-after", &not_after, NULL);
  for (guint i = 0; dns_names != NULL && i < dns_names->len; i++)
    {
      GBytes *name = g_ptr_array_index (dns_names, i);

      has_localhost |= g_bytes_get_size (name) == 9 && memcmp (g_bytes_get_data (name, NULL), "localhost", 9) == 0;
    }
  for (guint i = 0; ips != NULL && i < ips->len; i++)
    {
      g_autofree char *text = g_inet_address_to_string (g_ptr_array_index (ips, i));

      has_loopback |= g_str_equal (text, "127.0.0.1");
    }
  g_assert_true (has_localhost);
  g_assert_true (has_loopback);
  g_assert_cmpint (g_date_time_difference (not_after, now), >, 47 * G_TIME_SPAN_HOUR);
  g_assert_cmpint (g_date_time_difference (not_after, started), <=, 48 * G_TIME_SPAN_HOUR);

  /* fake_test_request trusts the tenant's CA file */
  r = scim_get (tenant, "/scim/v2/ServiceProviderConfig");
  g_assert_cmpuint (r->status, ==, 200);

  g_clear_object (&tenant);
  g_assert_false (g_file_test (ca_file, G_FILE_TEST_EXISTS));
}

static void
test_tls_untrusted (void)
{
  MusterFakeOptions options;
  g_autoptr(MusterFakeTenant) tenant = NULL;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 20, NULL);
  g_autoptr(GError) error = NULL;

  muster_fake_options_init (&options);
  options.tls = TRUE;
  tenant = fake_test_start_tenant (&options);

  /* the system's trust store knows nothing of the generated certificate */
  error = request_error (tenant, session, "/scim/v2/ServiceProviderConfig");
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fake/conditions/faults/status-graph-body", test_status_fault);
  g_test_add_func ("/fake/conditions/faults/every-n", test_every_n);
  g_test_add_func ("/fake/conditions/faults/after-once", test_after_once);
  g_test_add_func ("/fake/conditions/faults/bad-spec", test_bad_spec);
  g_test_add_func ("/fake/conditions/faults/batch", test_batch_fault);
  g_test_add_func ("/fake/conditions/faults/oversize", test_oversize);
  g_test_add_func ("/fake/conditions/faults/truncate", test_truncate);
  g_test_add_func ("/fake/conditions/faults/reset", test_reset);
  g_test_add_func ("/fake/conditions/faults/stall", test_stall);
  g_test_add_func ("/fake/conditions/latency", test_latency);
  g_test_add_func ("/fake/conditions/tls/trusted", test_tls_trusted);
  g_test_add_func ("/fake/conditions/tls/untrusted", test_tls_untrusted);
  return g_test_run ();
}
