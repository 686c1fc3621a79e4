/* muster-preview-file-private.h: what muster-preview-file.c, -read.c and -write.c share
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-preview-file.h"

G_BEGIN_DECLS

#define FORMAT_NAME "muster-preview"

struct _MusterPreviewFile
{
  GObject     parent_instance;

  MusterPlan *plan;
  guint       format_version;
  char       *app_version;
  GDateTime  *created;
  char       *profile;
  char       *tenant_id;
  char       *tenant_name;
  char       *made_by;
  char       *target_uri;
  char       *target_name;
  char       *target_description;
  gint64      snapshot_id;
  gint64      snapshot_time;
  gint64      snapshot_users;
};

G_END_DECLS
