/* ui-test-util.h: helpers for tests that drive real GTK widgets under Xvfb
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "muster-application.h"
#include "muster-window.h"

G_BEGIN_DECLS

typedef gboolean (*UiTestCondition) (MusterWindow *window);

/* gtk_init_check(); FALSE (and the test skipped) when there is no display. */
gboolean   ui_test_init            (void);
/* A registered, non-unique application; NULL when there is no display. */
MusterApplication *ui_test_new_application (void);
/* Spins the default main context for @ms milliseconds. */
void       ui_test_wait            (guint      ms);
/* Spins the default main context until @condition holds; after @seconds the test fails, naming
 * @what and the page @window shows. */
void       ui_test_wait_for        (MusterWindow   *window,
                                    UiTestCondition condition,
                                    guint           seconds,
                                    const char     *what);
/* Conditions for ui_test_wait_for(): the tenant's pages shown (status loaded), the snapshot
 * cache open, and a snapshot shown with no fetch running. */
gboolean   ui_test_showing_tenant  (MusterWindow *window);
gboolean   ui_test_store_ready     (MusterWindow *window);
gboolean   ui_test_fetched         (MusterWindow *window);
/* Depth-first search of @root's widget tree for the first widget of @type (and, if @label is
 * non-NULL, a GtkButton whose label or a GtkLabel whose text equals it). */
GtkWidget *ui_test_find            (GtkWidget *root,
                                    GType      type,
                                    const char *label);
/* Renders @widget with GTK's own renderer and saves it as $MUSTER_SCREENSHOT_DIR/@name.png;
 * returns the path. */
char      *ui_test_save_screenshot (GtkWidget *widget,
                                    const char *name);

G_END_DECLS
