/* muster-tenant-page.h: the tenant's status — organisation, who is signed in, permissions, licences
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-tenant-status.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_TENANT_PAGE (muster_tenant_page_get_type ())
G_DECLARE_FINAL_TYPE (MusterTenantPage, muster_tenant_page, MUSTER, TENANT_PAGE, AdwPreferencesPage)

/* Shows @status; @client_id names the app for an app-only sign-in. */
void                muster_tenant_page_set_status (MusterTenantPage   *self,
                                                   MusterTenantStatus *status,
                                                   const char         *client_id);
MusterTenantStatus *muster_tenant_page_get_status (MusterTenantPage   *self);
void                muster_tenant_page_set_snapshot_time (MusterTenantPage *self,
                                                          gint64            when);
guint               muster_tenant_page_get_n_licence_rows (MusterTenantPage *self);

/* "in 52 minutes", "3 hours ago": @when against @now, both unix times. */
char               *muster_format_relative_time   (gint64              when,
                                                   gint64              now);

G_END_DECLS
