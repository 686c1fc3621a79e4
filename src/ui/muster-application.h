/* muster-application.h
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-demo.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_APPLICATION (muster_application_get_type ())
G_DECLARE_FINAL_TYPE (MusterApplication, muster_application, MUSTER, APPLICATION, AdwApplication)

MusterApplication *muster_application_new          (void);
GSettings         *muster_application_get_settings (MusterApplication *self);
/* The demo tenant, created (not started) on first use; shut down with the application. */
MusterDemo        *muster_application_get_demo_tenant (MusterApplication *self);

G_END_DECLS
