/* muster-licence-row.h: one licence SKU — its name and how much of it is assigned
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-tenant-status.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_LICENCE_ROW (muster_licence_row_get_type ())
G_DECLARE_FINAL_TYPE (MusterLicenceRow, muster_licence_row, MUSTER, LICENCE_ROW, AdwActionRow)

GtkWidget   *muster_licence_row_new            (const MusterLicence *licence);

G_END_DECLS
