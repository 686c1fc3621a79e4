/* muster-target-store.h: the named targets of each profile (targets.ini; tokens in the keyring)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "muster-target.h"

G_BEGIN_DECLS

#define MUSTER_TARGET_STORE_ERROR (muster_target_store_error_quark ())

typedef enum
{
  MUSTER_TARGET_STORE_ERROR_NOT_FOUND,     /* no target of that name in the profile */
  MUSTER_TARGET_STORE_ERROR_EXISTS,        /* the profile already has a target of that name */
  MUSTER_TARGET_STORE_ERROR_INVALID,       /* a bad name, URI or file */
  MUSTER_TARGET_STORE_ERROR_NEEDS_TOKEN,   /* a scim: URI no named target knows: give a token */
} MusterTargetStoreError;

typedef enum
{
  MUSTER_TARGET_KIND_SQLITE,
  MUSTER_TARGET_KIND_SCIM,
} MusterTargetKind;

const char *muster_target_kind_to_string   (MusterTargetKind  kind);  /* "sqlite", "scim" */
gboolean    muster_target_kind_from_string (const char       *name,
                                            MusterTargetKind *kind);

/* "sqlite:PATH" (a relative PATH is made absolute) or "scim:URL" (http or https; plain http
 * only to a loopback host). */
gboolean    muster_target_parse_uri        (const char        *uri,
                                            MusterTargetKind  *kind,
                                            char             **location,
                                            GError           **error);

/* Target names appear in the keyring and on command lines: letters, digits, '.', '_', '-',
 * at most 64 bytes, and never a URI (no ':'). */
gboolean    muster_target_name_is_valid    (const char        *name);

/* One named target, as targets.ini holds it. Reference-counted and immutable. */
typedef struct
{
  char             *profile;
  char             *name;
  MusterTargetKind  kind;
  char             *location;  /* SQLite: an absolute path; SCIM: the base URL */
  char            **roles;     /* SCIM: the roles the service offers, sorted; SQLite: empty */
  /*< private >*/
  gint              ref_count;
} MusterTargetInfo;

GType             muster_target_info_get_type (void) G_GNUC_CONST;
MusterTargetInfo *muster_target_info_ref      (MusterTargetInfo *info);
void              muster_target_info_unref    (MusterTargetInfo *info);
/* "sqlite:PATH" or "scim:URL" */
char             *muster_target_info_dup_uri  (const MusterTargetInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterTargetInfo, muster_target_info_unref)

#define MUSTER_TYPE_TARGET_STORE (muster_target_store_get_type ())
G_DECLARE_FINAL_TYPE (MusterTargetStore, muster_target_store, MUSTER, TARGET_STORE, GObject)

GQuark             muster_target_store_error_quark (void);

/* Loads @path, or targets.ini in the data folder (muster_get_data_dir()) when NULL. A missing
 * file is an empty store. Blocking: small file, callers off the main loop use a thread. */
MusterTargetStore *muster_target_store_load        (const char          *path,
                                                    GError             **error);
/* Writes the file atomically with mode 0600. */
gboolean           muster_target_store_save        (MusterTargetStore   *self,
                                                    GError             **error);
const char        *muster_target_store_get_path    (MusterTargetStore   *self);

/* The targets of @profile (of MusterTargetInfo), sorted by name. */
GPtrArray         *muster_target_store_list        (MusterTargetStore   *self,
                                                    const char          *profile);
/* @profile's target called @name, or NULL; the store's own entry (no reference is added), valid
 * while the store is. Likewise muster_target_store_lookup_location(). */
MusterTargetInfo  *muster_target_store_lookup      (MusterTargetStore   *self,
                                                    const char          *profile,
                                                    const char          *name);
/* The first (by name) of @profile's targets of @kind at @location, or NULL. */
MusterTargetInfo  *muster_target_store_lookup_location (MusterTargetStore *self,
                                                        const char        *profile,
                                                        MusterTargetKind   kind,
                                                        const char        *location);
/* Adds a target from its URI ("sqlite:PATH" or "scim:URL"); returns the new entry (a
 * reference the caller drops) or NULL with MUSTER_TARGET_STORE_ERROR_EXISTS / _INVALID. */
MusterTargetInfo  *muster_target_store_add         (MusterTargetStore   *self,
                                                    const char          *profile,
                                                    const char          *name,
                                                    const char          *uri,
                                                    GError             **error);
gboolean           muster_target_store_remove      (MusterTargetStore   *self,
                                                    const char          *profile,
                                                    const char          *name,
                                                    GError             **error);
/* Forgets every target of @profile (the profile is being removed); returns how many. */
guint              muster_target_store_remove_profile (MusterTargetStore *self,
                                                       const char        *profile);
/* The roles a SCIM target offers (any order, duplicates dropped). */
gboolean           muster_target_store_set_roles   (MusterTargetStore   *self,
                                                    const char          *profile,
                                                    const char          *name,
                                                    const char * const  *roles,
                                                    GError             **error);

/* Opens @name_or_uri for @profile as a MusterTarget (a MusterSqliteTarget or MusterScimTarget):
 *  - a target name: the named target, with its token from the keyring and its roles;
 *  - "sqlite:PATH": that file;
 *  - "scim:URL": the named target with that address if there is one (its token, its roles),
 *    else @token — and with no @token, MUSTER_TARGET_STORE_ERROR_NEEDS_TOKEN, so the caller can
 *    ask for one and call again.
 * Nothing is read from the target yet. */
void               muster_target_store_open_target_async  (MusterTargetStore   *self,
                                                           const char          *profile,
                                                           const char          *name_or_uri,
                                                           const char          *token,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
/* @name: (out) (optional): the name of the stored target that was opened, or NULL for a URI
 * that no stored target has. */
MusterTarget      *muster_target_store_open_target_finish (MusterTargetStore   *self,
                                                           GAsyncResult        *result,
                                                           char               **name,
                                                           GError             **error);

G_END_DECLS
