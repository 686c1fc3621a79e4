/* muster-preview-file.h: a plan saved as a .muster-preview file — opened offline, compared with a
 * fresh plan and pushed later
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format (versioned JSON, optionally gzip-compressed) is documented in
 * docs/preview-format.md. A loaded file gives back a read-only MusterPlan
 * (muster_plan_new_saved()) and what the file says about where it came from. Nothing in a file
 * is a secret: a target is named by its URI and description, never its token.
 */

#pragma once

#include <gio/gio.h>

#include "muster-plan.h"

G_BEGIN_DECLS

/* The format version this code writes and the newest it reads. */
#define MUSTER_PREVIEW_FILE_FORMAT_VERSION 1
/* The MIME type and the file name extension. */
#define MUSTER_PREVIEW_FILE_MIME_TYPE "application/x-muster-preview"
#define MUSTER_PREVIEW_FILE_SUFFIX    ".muster-preview"
/* The largest file (after decompression) a load accepts. */
#define MUSTER_PREVIEW_FILE_MAX_SIZE  (1024 * 1024 * 1024)

#define MUSTER_PREVIEW_FILE_ERROR (muster_preview_file_error_quark ())

typedef enum
{
  MUSTER_PREVIEW_FILE_ERROR_INVALID,       /* not a preview file, or damaged inside */
  MUSTER_PREVIEW_FILE_ERROR_TRUNCATED,     /* cut short: it ends in the middle */
  MUSTER_PREVIEW_FILE_ERROR_NEWER_FORMAT,  /* made by a newer Muster */
  MUSTER_PREVIEW_FILE_ERROR_TOO_LARGE,     /* over MUSTER_PREVIEW_FILE_MAX_SIZE */
} MusterPreviewFileError;

GQuark muster_preview_file_error_quark (void);

/* Where a plan came from, borrowed by muster_preview_file_new(), which copies it. */
typedef struct
{
  const char *profile;
  const char *tenant_id;           /* NULL: the snapshot's */
  const char *tenant_name;
  const char *made_by;             /* the signed-in admin; NULL: the local user name */
  const char *target_uri;          /* muster_target_get_uri() */
  const char *target_name;         /* the stored target's name, or NULL */
  const char *target_description;  /* muster_target_describe() */
} MusterPreviewFileInfo;

/* One user (or group operation) a saved preview and a fresh plan see differently. */
typedef struct
{
  char             *id;                   /* the Entra id, or a group operation's key */
  char             *user_principal_name;
  char             *display_name;         /* a group operation: the group's name */
  gboolean          is_group;
  gboolean          in_saved;
  gboolean          in_fresh;
  MusterPlanAction  saved_action;         /* when in_saved (users) */
  MusterPlanAction  fresh_action;         /* when in_fresh (users) */
  char             *saved_changes;        /* "field: before → after; …", or NULL */
  char             *fresh_changes;
  char             *summary;              /* translated: what differs, in one line */
} MusterPreviewDifference;

void muster_preview_difference_free (MusterPreviewDifference *difference);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterPreviewDifference, muster_preview_difference_free)

#define MUSTER_TYPE_PREVIEW_FILE (muster_preview_file_get_type ())
G_DECLARE_FINAL_TYPE (MusterPreviewFile, muster_preview_file, MUSTER, PREVIEW_FILE, GObject)

/* A preview of @plan, made now. */
MusterPreviewFile *muster_preview_file_new                (MusterPlan                  *plan,
                                                           const MusterPreviewFileInfo *info);

MusterPlan        *muster_preview_file_get_plan           (MusterPreviewFile *self);
guint              muster_preview_file_get_format_version (MusterPreviewFile *self);
const char        *muster_preview_file_get_app_version    (MusterPreviewFile *self);
GDateTime         *muster_preview_file_get_created        (MusterPreviewFile *self);  /* UTC */
const char        *muster_preview_file_get_profile        (MusterPreviewFile *self);
const char        *muster_preview_file_get_tenant_id      (MusterPreviewFile *self);
const char        *muster_preview_file_get_tenant_name    (MusterPreviewFile *self);
const char        *muster_preview_file_get_made_by        (MusterPreviewFile *self);
const char        *muster_preview_file_get_target_uri     (MusterPreviewFile *self);
const char        *muster_preview_file_get_target_name    (MusterPreviewFile *self);
const char        *muster_preview_file_get_target_description (MusterPreviewFile *self);
gint64             muster_preview_file_get_snapshot_id    (MusterPreviewFile *self);
gint64             muster_preview_file_get_snapshot_time  (MusterPreviewFile *self);  /* unix time */
/* "Saved preview — read only, made on DATE for TENANT by WHO", translated. */
char              *muster_preview_file_describe           (MusterPreviewFile *self);

/* The file's bytes; gzip-compressed when @compress. */
GBytes            *muster_preview_file_to_bytes           (MusterPreviewFile *self,
                                                           gboolean           compress);
/* Writes the file atomically, readable by its owner only, in a worker thread. */
void               muster_preview_file_save_async         (MusterPreviewFile   *self,
                                                           GFile               *file,
                                                           gboolean             compress,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean           muster_preview_file_save_finish        (MusterPreviewFile   *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* Reads a preview from its bytes (plain or gzip): NULL with a MUSTER_PREVIEW_FILE_ERROR that
 * says what is wrong when the bytes are not a whole preview of a format this code reads. Safe
 * on any input. Blocking for large files: the _async form runs in a worker thread. */
MusterPreviewFile *muster_preview_file_load_from_bytes    (GBytes              *bytes,
                                                           GError             **error);
void               muster_preview_file_load_async         (GFile               *file,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
MusterPreviewFile *muster_preview_file_load_finish        (GAsyncResult        *result,
                                                           GError             **error);

/* Push later: the saved plan's operations that still apply to what @state (the target read
 * now) holds, in the plan's order. A user whose state in the target differs from what the
 * preview saw (changed, created or removed since) is left out with every operation about it,
 * and its item is added to @left_out (of MusterPlanItem *, owned by the plan), when given. A
 * group created since is left out too. Of MusterOperation. */
GPtrArray         *muster_preview_file_get_operations_for (MusterPreviewFile   *self,
                                                           MusterTargetState   *state,
                                                           GPtrArray          **left_out);

/* What would now be different: the users whose action or changes differ between the saved
 * plan and @fresh, and the group operations only one of them has. Of MusterPreviewDifference,
 * in the saved plan's order, then the users only @fresh has. */
GPtrArray         *muster_preview_file_compare            (MusterPreviewFile   *self,
                                                           MusterPlan          *fresh);

G_END_DECLS
