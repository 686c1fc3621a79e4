/* muster-window.h
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-application.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_WINDOW (muster_window_get_type ())
G_DECLARE_FINAL_TYPE (MusterWindow, muster_window, MUSTER, WINDOW, AdwApplicationWindow)

MusterWindow *muster_window_new       (MusterApplication *application);
/* Shows @profile at @page: "sign-in" (and signs in), "preview", or "history" with the run
 * @run_id opened (NULL or "": none). What a scheduled run's notification asks for. */
void          muster_window_open_page (MusterWindow      *self,
                                       const char        *profile,
                                       const char        *page,
                                       const char        *run_id);

G_END_DECLS
