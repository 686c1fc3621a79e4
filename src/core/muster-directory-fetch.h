/* muster-directory-fetch.h: reads a tenant's directory from Microsoft Graph into a new snapshot
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "muster-graph-client.h"
#include "muster-snapshot-store.h"

G_BEGIN_DECLS

typedef enum
{
  MUSTER_FETCH_PHASE_STARTING,
  MUSTER_FETCH_PHASE_USERS,
  MUSTER_FETCH_PHASE_GROUPS,
  MUSTER_FETCH_PHASE_MEMBERSHIPS,
  MUSTER_FETCH_PHASE_LICENCES,
  MUSTER_FETCH_PHASE_SAVING,      /* everything is read; the snapshot is being written */
} MusterFetchPhase;

/* What a finished fetch did. Users and groups are the new snapshot's totals; memberships are the
 * direct memberships written (all of them for a full fetch, the changes for an incremental one). */
typedef struct
{
  gint64   snapshot_id;
  guint    users;
  guint    groups;
  guint    memberships;
  guint    managers;
  guint    requests;      /* HTTP requests sent ($batch counts once) */
  guint    graph_calls;   /* Graph calls made, counting each one inside a $batch */
  gboolean incremental;
  double   elapsed_seconds;
} MusterFetchSummary;

#define MUSTER_TYPE_DIRECTORY_FETCH (muster_directory_fetch_get_type ())
G_DECLARE_FINAL_TYPE (MusterDirectoryFetch, muster_directory_fetch, MUSTER, DIRECTORY_FETCH, GObject)

/* Signal "progress" (MusterFetchPhase phase as int, guint objects, guint pages, double fraction),
 * emitted on the thread-default main context of the run_async call: @objects counts what was read
 * in @phase so far, @pages every Graph page read, @fraction estimates the whole fetch (0 to 1).
 * The same values are the read-only properties "phase", "objects", "pages" and "fraction". */
MusterDirectoryFetch *muster_directory_fetch_new          (void);

MusterFetchPhase      muster_directory_fetch_get_phase    (MusterDirectoryFetch *self);
guint                 muster_directory_fetch_get_pages    (MusterDirectoryFetch *self);
double                muster_directory_fetch_get_fraction (MusterDirectoryFetch *self);
const char           *muster_fetch_phase_get_title        (MusterFetchPhase      phase); /* translated */

/* Reads the directory of @graph's tenant into a new snapshot of @profile_name in @store: users
 * (with managers), groups, direct memberships and licences. Unless @full, and when the profile's
 * latest snapshot holds delta links, only the changes since then are read (users/delta and
 * groups/delta) and applied to a copy of it; a 410 from Graph falls back to a full fetch.
 * A failed or cancelled fetch commits nothing: the previous snapshot stays as it was.
 * One run at a time per object. */
void                  muster_directory_fetch_run_async    (MusterDirectoryFetch *self,
                                                           MusterGraphClient    *graph,
                                                           MusterSnapshotStore  *store,
                                                           const char           *profile_name,
                                                           gboolean              full,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
/* The new snapshot's id, 0 with @error on failure. @summary (may be NULL) is filled on success. */
gint64                muster_directory_fetch_run_finish   (MusterDirectoryFetch *self,
                                                           GAsyncResult         *result,
                                                           MusterFetchSummary   *summary,
                                                           GError              **error);

G_END_DECLS
