/* fuzz-directory-page.c: the fetcher's page readers (users/groups pages, their delta, $batch)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The readers are pure functions of bytes in muster-directory-page.c, declared in
 * muster-directory-page-private.h. The first byte picks the reader: a collection page of each
 * chain kind, or a $batch answer to 1–20 member calls that have been tried 0–5 times.
 *
 * Properties: the early scan for @odata.nextLink (the one that lets the next request leave before
 * the page is parsed) agrees with the full parse whenever the page has one such member; every
 * object kept has an id; member pairs are pairs; a follow-up path is relative to the Graph base;
 * no call is both retried and answered; the bulk (cJSON) reader of $batch answers, where it takes
 * one, makes exactly what the json-glib reader makes.
 */

#include "config.h"

#include <string.h>

#include "muster-directory-page-private.h"
#include "muster-graph-client.h"
#include "muster-http.h"
#include "muster-json.h"

#include "fuzz-common.h"

#define BASE "https://graph.microsoft.com/v1.0"

static guint
count_occurrences (const guint8 *data,
                   gsize         size,
                   const char   *needle)
{
  gsize needle_length = strlen (needle);
  guint n = 0;

  for (gsize i = 0; i + needle_length <= size; i++)
    if (memcmp (data + i, needle, needle_length) == 0)
      n++;
  return n;
}

static void
fuzz_collection_page (const guint8 *data,
                      gsize         size,
                      MusterFetchChain  kind)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autofree char *early = _muster_directory_page_scan_next_link (bytes);
  g_autoptr(GError) error = NULL;
  MusterFetchChanges *changes;

  changes = _muster_directory_page_read (bytes, kind, &error);
  g_assert_true ((changes == NULL) == (error != NULL));
  if (changes == NULL)
    {
      g_assert_true (g_error_matches (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE));
      return;
    }

  /* Two links can only disagree when the page names the member twice (or spells it with escapes):
   * the fetch then stops with an error rather than follow either. */
  if (early != NULL && g_strcmp0 (early, changes->next_link) != 0)
    g_assert_true (count_occurrences (data, size, "nextLink") >= 2 || memchr (data, '\\', size) != NULL);

  for (guint i = 0; i < changes->users->len; i++)
    g_assert_nonnull (muster_user_get_id (g_ptr_array_index (changes->users, i)));
  for (guint i = 0; i < changes->groups->len; i++)
    g_assert_nonnull (muster_group_get_id (g_ptr_array_index (changes->groups, i)));
  for (guint i = 0; i < changes->removed->len; i++)
    g_assert_cmpstr (g_ptr_array_index (changes->removed, i), !=, "");
  g_assert_cmpuint (changes->managers->len % 2, ==, 0);
  g_assert_cmpuint (changes->member_adds->len % 2, ==, 0);
  g_assert_cmpuint (changes->member_removes->len % 2, ==, 0);
  g_assert_cmpuint (changes->n_managers, <=, changes->users->len);
  _muster_fetch_changes_free (changes);
}

static void
fuzz_members_batch (const guint8 *data,
                    gsize         size,
                    guint         n_requests,
                    guint         tries)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  MusterFetchChanges *changes, *fast;

  requests = g_ptr_array_new_with_free_func ((GDestroyNotify) _muster_member_request_free);
  for (guint i = 0; i < n_requests; i++)
    {
      g_autofree char *id = g_strdup_printf ("group-%u", i);
      MusterMemberRequest *request = _muster_member_request_new (id, g_strdup_printf ("/groups/%s/members", id));

      request->tries = tries;
      g_ptr_array_add (requests, request);
    }

  changes = _muster_directory_page_read_members_batch (bytes, requests, BASE, &error);
  g_assert_true ((changes == NULL) == (error != NULL));

  /* the bulk reader, where it takes the answer, makes exactly what json-glib's reader makes */
  fast = _muster_directory_page_read_members_batch_fast (bytes, requests, BASE);
  if (fast != NULL)
    {
      g_assert_nonnull (changes);
      g_assert_cmpuint (fast->member_adds->len, ==, changes->member_adds->len);
      for (guint i = 0; i < fast->member_adds->len; i++)
        g_assert_cmpstr (fast->member_adds->pdata[i], ==, changes->member_adds->pdata[i]);
      g_assert_cmpuint (fast->follow_ups->len, ==, changes->follow_ups->len);
      for (guint i = 0; i < fast->follow_ups->len; i++)
        {
          MusterMemberRequest *a = fast->follow_ups->pdata[i], *b = changes->follow_ups->pdata[i];

          g_assert_cmpstr (a->group_id, ==, b->group_id);
          g_assert_cmpstr (a->path, ==, b->path);
        }
      g_assert_cmpuint (fast->groups_completed, ==, changes->groups_completed);
      g_assert_cmpuint (changes->retries->len, ==, 0);
      g_assert_cmpuint (fast->retries->len, ==, 0);
      _muster_fetch_changes_free (fast);
    }
  if (changes != NULL)
    {
      g_assert_cmpuint (changes->member_adds->len % 2, ==, 0);
      g_assert_cmpuint (changes->retries->len + changes->follow_ups->len, <=, 2 * n_requests);
      g_assert_cmpuint (changes->groups_completed + changes->retries->len, <=, n_requests);
      for (guint i = 0; i < changes->follow_ups->len; i++)
        {
          MusterMemberRequest *follow_up = g_ptr_array_index (changes->follow_ups, i);

          g_assert_true (follow_up->path[0] == '/');
        }
      for (guint i = 0; i < changes->retries->len; i++)
        g_assert_cmpuint (((MusterMemberRequest *) g_ptr_array_index (changes->retries, i))->tries, <,
                          MUSTER_FETCH_MAX_ITEM_TRIES);
      g_assert_cmpuint (changes->retry_after_ms, <=, 3600 * 1000);
      _muster_fetch_changes_free (changes);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  guint8 mode;

  fuzz_init ();
  if (size == 0)
    return 0;

  mode = data[0];
  if (mode < 0x80)
    fuzz_collection_page (data + 1, size - 1, (MusterFetchChain) (mode % MUSTER_FETCH_N_CHAINS));
  else
    fuzz_members_batch (data + 1, size - 1, 1 + mode % MUSTER_FETCH_BATCH_SIZE,
                        (mode / MUSTER_FETCH_BATCH_SIZE) % MUSTER_FETCH_MAX_ITEM_TRIES);
  return 0;
}
