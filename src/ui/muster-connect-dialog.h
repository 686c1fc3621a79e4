/* muster-connect-dialog.h: where and how to sign in to a new tenant
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-profile-store.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_CONNECT_DIALOG (muster_connect_dialog_get_type ())
G_DECLARE_FINAL_TYPE (MusterConnectDialog, muster_connect_dialog, MUSTER, CONNECT_DIALOG, AdwWindow)

/* Signals:
 * - "profile-added" (MusterProfile *profile): the profile is in @store, saved, and its client
 *   secret (if any) is in the keyring; the dialog closes after this. Sign in next. */

MusterConnectDialog *muster_connect_dialog_new          (GtkWindow           *parent,
                                                         MusterProfileStore  *store);
/* The first problem with what was entered, or NULL when it can be connected. */
const char          *muster_connect_dialog_get_problem  (MusterConnectDialog *self);

/* A tenant as entered: empty, "organizations", "common", a GUID or a domain name. */
gboolean             muster_connect_dialog_tenant_is_valid (const char       *tenant);

G_END_DECLS
