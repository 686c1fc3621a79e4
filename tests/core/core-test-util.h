/* core-test-util.h: waiting for async results and checking for a keyring, in engine tests
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A GAsyncReadyCallback that stores a reference to the result in *(GAsyncResult **) user_data. */
void          core_test_store_result_cb (GObject       *source,
                                         GAsyncResult  *result,
                                         gpointer       user_data);
/* Runs the default main context until *@slot is set, and returns it. */
GAsyncResult *core_test_wait            (GAsyncResult **slot);
/* FALSE (and the test skipped) without a Secret Service, unless MUSTER_REQUIRE_KEYRING=1 says
 * that must fail the test. */
gboolean      core_test_keyring_usable  (void);
/* Deletes @path and, for a folder, everything in it (a test's temporary folder). */
void          core_test_remove_tree     (const char    *path);

G_END_DECLS
