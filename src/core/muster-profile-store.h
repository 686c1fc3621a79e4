/* muster-profile-store.h: the saved tenant connections (no secrets: those are in the keyring)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "muster-profile.h"

G_BEGIN_DECLS

#define MUSTER_PROFILE_ERROR (muster_profile_error_quark ())

typedef enum
{
  MUSTER_PROFILE_ERROR_NOT_FOUND,
  MUSTER_PROFILE_ERROR_EXISTS,
  MUSTER_PROFILE_ERROR_INVALID,
  MUSTER_PROFILE_ERROR_NO_DEFAULT,
} MusterProfileError;

#define MUSTER_TYPE_PROFILE_STORE (muster_profile_store_get_type ())
G_DECLARE_FINAL_TYPE (MusterProfileStore, muster_profile_store, MUSTER, PROFILE_STORE, GObject)

GQuark              muster_profile_error_quark         (void);

/* The folder Muster keeps its files in: MUSTER_DATA_DIR or $XDG_DATA_HOME/muster. */
char               *muster_get_data_dir                (void);

/* Loads @path, or profiles.ini in the data folder when NULL. A missing file is an empty store.
 * The store is a GListModel of MusterProfile, sorted by name. */
MusterProfileStore *muster_profile_store_load          (const char          *path,
                                                        GError             **error);
gboolean            muster_profile_store_save          (MusterProfileStore  *self,
                                                        GError             **error);
void                muster_profile_store_save_async  (MusterProfileStore  *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean            muster_profile_store_save_finish (MusterProfileStore  *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
MusterProfile      *muster_profile_store_lookup        (MusterProfileStore  *self,
                                                        const char          *name);
gboolean            muster_profile_store_add           (MusterProfileStore  *self,
                                                        MusterProfile       *profile,
                                                        GError             **error);
gboolean            muster_profile_store_remove        (MusterProfileStore  *self,
                                                        const char          *name,
                                                        GError             **error);
const char         *muster_profile_store_get_default   (MusterProfileStore  *self);
void                muster_profile_store_set_default   (MusterProfileStore  *self,
                                                        const char          *name);
/* @name, or the default profile, or the only profile there is. */
MusterProfile      *muster_profile_store_resolve       (MusterProfileStore  *self,
                                                        const char          *name,
                                                        GError             **error);

/* Profile names appear in file names and keyring labels: letters, digits, '.', '_', '-'. */
gboolean            muster_profile_name_is_valid       (const char          *name);

G_END_DECLS
