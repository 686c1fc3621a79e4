/* muster-fetch-indicator.h: the header bar's snapshot age and Refresh, or the progress of a fetch
 * with Cancel
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-directory-fetch.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_FETCH_INDICATOR (muster_fetch_indicator_get_type ())
G_DECLARE_FINAL_TYPE (MusterFetchIndicator, muster_fetch_indicator, MUSTER, FETCH_INDICATOR, AdwBin)

/* @created_at: unix time of the snapshot shown, 0 for none. The age is kept up to date. */
void        muster_fetch_indicator_set_snapshot_time (MusterFetchIndicator *self,
                                                      gint64                created_at);
/* Shows @fetch's progress until muster_fetch_indicator_set_fetch (self, NULL). */
void        muster_fetch_indicator_set_fetch         (MusterFetchIndicator *self,
                                                      MusterDirectoryFetch *fetch);
const char *muster_fetch_indicator_get_age_text      (MusterFetchIndicator *self);

G_END_DECLS
