/* muster-sqlite-target-private.h: what only the engine and its tests may call on a SQLite target
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-sqlite-target.h"

G_BEGIN_DECLS

/* Lets the store grow by at most @extra_pages database pages on the target's own connection
 * (PRAGMA max_page_count), so tests can make the disk "full" in the middle of a batch. */
gboolean _muster_sqlite_target_limit_growth (MusterSqliteTarget  *self,
                                             guint                extra_pages,
                                             GError             **error);

G_END_DECLS
