/* muster-directory-page-private.h: what a directory fetch reads out of a Graph page, and the
 * readers that do it (muster-directory-page.c)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "muster-group.h"
#include "muster-snapshot-store.h"
#include "muster-user.h"

G_BEGIN_DECLS

#define MUSTER_FETCH_BATCH_SIZE      20  /* json-batching.md: at most 20 requests per batch */
#define MUSTER_FETCH_MAX_ITEM_TRIES  6   /* per call inside a batch, before giving up on throttling */

typedef enum
{
  MUSTER_FETCH_CHAIN_USERS,
  MUSTER_FETCH_CHAIN_GROUPS,
  MUSTER_FETCH_CHAIN_USERS_DELTA,
  MUSTER_FETCH_CHAIN_GROUPS_DELTA,
  MUSTER_FETCH_N_CHAINS
} MusterFetchChain;

typedef struct
{
  char  *group_id;
  char  *path;     /* relative to the Graph base */
  guint  tries;    /* sent so far and throttled or left unanswered */
  guint  failures; /* sent so far and failed in passing (5xx, an answer that is not JSON) */
} MusterMemberRequest;

typedef enum
{
  MUSTER_FETCH_ITEM_CHANGES,
  MUSTER_FETCH_ITEM_COMMIT,
  MUSTER_FETCH_ITEM_ABORT,
} MusterFetchItemKind;

typedef struct
{
  MusterFetchItemKind kind;
  /* for the writer */
  GPtrArray *removed;         /* ids of users or groups */
  GPtrArray *users;           /* MusterUser */
  GPtrArray *groups;          /* MusterGroup */
  GPtrArray *managers;        /* user id, manager id or NULL: pairs */
  GPtrArray *member_removes;  /* group id, member id: pairs */
  GPtrArray *member_adds;     /* group id, member id: pairs */
  GPtrArray *skus;            /* MusterSku */
  char      *users_delta_link;
  char      *groups_delta_link;
  /* for the main thread */
  char      *next_link;
  char      *delta_link;
  GPtrArray *group_ids;       /* groups listed on this page */
  GPtrArray *follow_ups;      /* MusterMemberRequest: next pages of members */
  GPtrArray *retries;         /* MusterMemberRequest: calls to send again */
  guint      retry_after_ms;
  guint      retry_failures;  /* the most failures among the retries that failed in passing */
  guint      groups_completed; /* groups whose member list ended on this batch */
  guint      n_managers;
} MusterFetchChanges;

MusterMemberRequest *_muster_member_request_new  (const char          *group_id,
                                                  char                *path);
void                 _muster_member_request_free (MusterMemberRequest *request);

MusterFetchChanges  *_muster_fetch_changes_new   (MusterFetchItemKind  kind);
void                 _muster_fetch_changes_free  (MusterFetchChanges  *changes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterFetchChanges, _muster_fetch_changes_free)

/* The "id" of a Graph object when it is a non-empty string, else NULL. */
const char          *_muster_directory_page_get_id (JsonObject *object);

/* The top-level "@odata.nextLink" of a Graph page when it stands before "value" (where Graph
 * writes it), found without parsing the page; NULL when it is elsewhere, absent or anything
 * looks unusual — then the caller waits for the full parse. */
char                *_muster_directory_page_scan_next_link (GBytes *bytes);

/* The bulk reader of a /users page (cJSON); NULL when it declines the page, which json-glib
 * must then read. */
MusterFetchChanges  *_muster_directory_page_read_users_fast (GBytes *bytes);

/* One page of /users, /groups or their delta; NULL with MUSTER_GRAPH_ERROR_INVALID_RESPONSE
 * when it cannot be read. */
MusterFetchChanges  *_muster_directory_page_read (GBytes            *bytes,
                                                  MusterFetchChain   kind,
                                                  GError           **error);

/* One $batch answer to the MusterMemberRequest calls of @requests (item id = index + 1), whose
 * follow-up links must lie under @base: members, next pages, calls to send again (throttled ones
 * after their Retry-After, those that failed with 500, 502 or 504 after a back-off, at most
 * MUSTER_GRAPH_MAX_ATTEMPTS times in all). */
MusterFetchChanges  *_muster_directory_page_read_members_batch (GBytes      *bytes,
                                                                GPtrArray   *requests,
                                                                const char  *base,
                                                                GError     **error);
/* The bulk reader (cJSON) of such an answer when every call succeeded; NULL when it declines,
 * and _muster_directory_page_read_members_batch() must then read it. */
MusterFetchChanges  *_muster_directory_page_read_members_batch_fast (GBytes      *bytes,
                                                                     GPtrArray   *requests,
                                                                     const char  *base);

G_END_DECLS
