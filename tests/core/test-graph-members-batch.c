/* test-graph-members-batch.c: the bulk reader of $batch answers to member calls (cJSON) against
 * json-glib's reading
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A full snapshot reads group members twenty calls to a $batch request
 * (https://learn.microsoft.com/en-us/graph/json-batching). The answer that nearly always comes —
 * every call answered with its member list — is read by cJSON; the reader must make what
 * json-glib's reader makes, and leave every other answer (a throttled or failed call, a call not
 * answered, a link to another server, bytes json-glib reads differently) to json-glib.
 */

#include "config.h"

#include "muster-directory-page-private.h"
#include "muster-graph-client.h"

#define BASE "https://graph.microsoft.com/v1.0"

static GPtrArray *
make_requests (guint n)
{
  GPtrArray *requests = g_ptr_array_new_with_free_func ((GDestroyNotify) _muster_member_request_free);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("group-%u", i + 1);

      g_ptr_array_add (requests, _muster_member_request_new (id, g_strdup_printf ("/groups/%s/members", id)));
    }
  return requests;
}

static MusterFetchChanges *
read_both (const char          *json,
           guint                n_requests,
           MusterFetchChanges **slow)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (json, strlen (json));
  g_autoptr(GPtrArray) requests = make_requests (n_requests);
  g_autoptr(GError) error = NULL;

  *slow = _muster_directory_page_read_members_batch (bytes, requests, BASE, &error);
  return _muster_directory_page_read_members_batch_fast (bytes, requests, BASE);
}

static void
test_common_answer (void)
{
  /* answers out of order, a device (left out), a nested group, a next page, a hostile id */
  static const char json[] =
    "{\"responses\":["
    "{\"id\":\"2\",\"status\":200,\"headers\":{},\"body\":{\"@odata.nextLink\":\"" BASE "/groups/group-2/members?$skiptoken=x\","
    "\"value\":[{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"u-3\"},{\"id\":\"=1+1\\u202e\"}]}},"
    "{\"id\":\"1\",\"status\":200,\"body\":{\"value\":[{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"u-1\"},"
    "{\"@odata.type\":\"#microsoft.graph.device\",\"id\":\"d-1\"},{\"@odata.type\":\"#microsoft.graph.group\",\"id\":\"g-9\"},"
    "{\"id\":\"\"},{\"displayName\":\"no id\"}]}},"
    "{\"id\":\"3\",\"status\":200,\"body\":{\"value\":[]}}]}";
  MusterFetchChanges *slow = NULL;
  MusterFetchChanges *fast = read_both (json, 3, &slow);
  const char *expected[] = { "group-2", "u-3", "group-2", "=1+1\u202e", "group-1", "u-1", "group-1", "g-9" };

  g_assert_nonnull (slow);
  g_assert_nonnull (fast);
  g_assert_cmpuint (fast->member_adds->len, ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (slow->member_adds->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpstr (fast->member_adds->pdata[i], ==, expected[i]);
      g_assert_cmpstr (slow->member_adds->pdata[i], ==, expected[i]);
    }
  g_assert_cmpuint (fast->groups_completed, ==, 2);
  g_assert_cmpuint (slow->groups_completed, ==, 2);
  g_assert_cmpuint (fast->follow_ups->len, ==, 1);
  g_assert_cmpstr (((MusterMemberRequest *) fast->follow_ups->pdata[0])->group_id, ==, "group-2");
  g_assert_cmpstr (((MusterMemberRequest *) fast->follow_ups->pdata[0])->path, ==, "/groups/group-2/members?$skiptoken=x");
  g_assert_cmpstr (((MusterMemberRequest *) slow->follow_ups->pdata[0])->path, ==, "/groups/group-2/members?$skiptoken=x");
  _muster_fetch_changes_free (fast);
  _muster_fetch_changes_free (slow);
}

static void
test_declined (void)
{
  const char *answers[] = {
    /* a throttled call: json-glib's reader schedules it again after Retry-After */
    "{\"responses\":[{\"id\":\"1\",\"status\":429,\"headers\":{\"Retry-After\":\"3\"},\"body\":{\"error\":{\"code\":\"TooManyRequests\"}}},"
    "{\"id\":\"2\",\"status\":200,\"body\":{\"value\":[]}}]}",
    /* a call not answered */
    "{\"responses\":[{\"id\":\"1\",\"status\":200,\"body\":{\"value\":[]}}]}",
    /* a call answered twice */
    "{\"responses\":[{\"id\":\"1\",\"status\":200,\"body\":{\"value\":[]}},{\"id\":\"1\",\"status\":200,\"body\":{\"value\":[]}},"
    "{\"id\":\"2\",\"status\":200,\"body\":{\"value\":[]}}]}",
    /* a next page on another server: json-glib's reader refuses it */
    "{\"responses\":[{\"id\":\"1\",\"status\":200,\"body\":{\"@odata.nextLink\":\"https://example.com/v1.0/x\",\"value\":[]}},"
    "{\"id\":\"2\",\"status\":200,\"body\":{\"value\":[]}}]}",
    /* a status that is not an integer, a status as a string, no member list */
    "{\"responses\":[{\"id\":\"1\",\"status\":200.5,\"body\":{\"value\":[]}},{\"id\":\"2\",\"status\":200,\"body\":{\"value\":[]}}]}",
    "{\"responses\":[{\"id\":\"1\",\"status\":\"200\",\"body\":{\"value\":[]}},{\"id\":\"2\",\"status\":200,\"body\":{\"value\":[]}}]}",
    "{\"responses\":[{\"id\":\"1\",\"status\":200,\"body\":{}},{\"id\":\"2\",\"status\":200,\"body\":{\"value\":[]}}]}",
    /* text after the answer, an answer cut short, not UTF-8 */
    "{\"responses\":[{\"id\":\"1\",\"status\":200,\"body\":{\"value\":[]}},{\"id\":\"2\",\"status\":200,\"body\":{\"value\":[]}}]} x",
    "{\"responses\":[{\"id\":\"1\",\"status\":200,\"body\":{\"value\":[]}},{\"id\":\"2\",\"status\":200,\"body\":{\"value\":[",
    "{\"responses\":[{\"id\":\"1\",\"status\":200,\"body\":{\"value\":[{\"id\":\"\xff\"}]}},{\"id\":\"2\",\"status\":200,\"body\":{\"value\":[]}}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      MusterFetchChanges *slow = NULL;
      MusterFetchChanges *fast = read_both (answers[i], 2, &slow);

      g_test_message ("answer %u", i);
      g_assert_null (fast);
      g_clear_pointer (&slow, _muster_fetch_changes_free);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/members-batch/cjson/common-answer", test_common_answer);
  g_test_add_func ("/members-batch/cjson/declined", test_declined);
  return g_test_run ();
}
