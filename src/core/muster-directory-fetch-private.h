/* muster-directory-fetch-private.h: what only the engine and its benchmarks may ask of a fetch
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-directory-fetch.h"

G_BEGIN_DECLS

/* The next full run reads users (with managers) only, through the same code path: the users
 * phase on its own, which benchmarks compare with other clients pulling the same pages. */
void _muster_directory_fetch_set_users_only (MusterDirectoryFetch *self,
                                             gboolean              users_only);

G_END_DECLS
