/* muster-group-private.h: what only the engine may do with a MusterGroup
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-group.h"

G_BEGIN_DECLS

/* Every column of a group, borrowed: _muster_group_new() copies them. */
typedef struct
{
  const char         *id;
  const char         *display_name;
  const char         *description;
  const char         *mail;
  const char         *membership_rule;
  const char * const *group_types;
  gboolean            mail_enabled;
  gboolean            security_enabled;
} MusterGroupFields;

MusterGroup *_muster_group_new (const MusterGroupFields *fields);

G_END_DECLS
