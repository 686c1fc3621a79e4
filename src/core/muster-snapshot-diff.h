/* muster-snapshot-diff.h: what changed in the tenant between two snapshots — who joined, who
 * left, who changed (which fields, before → after), and who was added to or removed from which
 * group
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure: two loaded snapshots in, a report out; no I/O but the writers' stream. The CLI
 * (muster-cli changes) and the window's Changes page show the same report.
 */

#pragma once

#include <gio/gio.h>

#include "muster-export.h"
#include "muster-snapshot.h"

G_BEGIN_DECLS

typedef enum
{
  MUSTER_USER_CHANGE_JOINED,   /* in the newer snapshot only */
  MUSTER_USER_CHANGE_LEFT,     /* in the older snapshot only: deleted in Entra */
  MUSTER_USER_CHANGE_CHANGED,  /* in both, with different fields */
} MusterUserChangeKind;

/* "joined", "left", "changed" */
const char *muster_user_change_kind_to_string (MusterUserChangeKind kind);
/* "Joined", "Left", "Changed", translated */
const char *muster_user_change_kind_get_title (MusterUserChangeKind kind);

typedef struct
{
  const char *field;    /* the Graph property: "department", "accountEnabled"… (static) */
  char       *before;   /* as text; NULL when empty */
  char       *after;
} MusterChangedField;

typedef struct
{
  MusterUserChangeKind  kind;
  char                 *id;                    /* the Entra object id */
  char                 *display_name;
  char                 *user_principal_name;
  GPtrArray            *fields;                /* of MusterChangedField: changed users only */
} MusterUserChange;

typedef struct
{
  gboolean  added;        /* else removed */
  char     *group_id;
  char     *group_name;
  char     *user_id;
  char     *user_name;
} MusterMembershipChange;

typedef struct
{
  MusterSnapshotInfo *before;
  MusterSnapshotInfo *after;
  GPtrArray          *users;          /* of MusterUserChange: joined, left, then changed, by name */
  GPtrArray          *memberships;    /* of MusterMembershipChange: by group, then user */
  guint               joined;
  guint               left;
  guint               changed;
  guint               members_added;
  guint               members_removed;
} MusterSnapshotDiff;

/* The title of a field compared, named as Graph names it (translated). */
const char         *muster_snapshot_diff_field_title (const char *field);

/* Compares users and direct group memberships of @before with @after. */
MusterSnapshotDiff *muster_snapshot_diff_new  (MusterSnapshot     *before,
                                               MusterSnapshot     *after);
void                muster_snapshot_diff_free (MusterSnapshotDiff *diff);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MusterSnapshotDiff, muster_snapshot_diff_free)

/* Which snapshot of @snapshots (newest first, as muster_snapshot_store_list() gives them) the
 * newest is compared with. @since NULL: the one before the newest. A number: that snapshot. A
 * date ("2026-11-01") or time (ISO 8601): the newest snapshot made at or before it, i.e. the
 * tenant as it was then. MUSTER_SNAPSHOT_DIFF_ERROR when there is no such snapshot. */
#define MUSTER_SNAPSHOT_DIFF_ERROR (muster_snapshot_diff_error_quark ())
typedef enum
{
  MUSTER_SNAPSHOT_DIFF_ERROR_INVALID,     /* @since is neither a number nor a date */
  MUSTER_SNAPSHOT_DIFF_ERROR_NO_SNAPSHOT, /* nothing to compare with */
} MusterSnapshotDiffError;
GQuark                    muster_snapshot_diff_error_quark (void);
const MusterSnapshotInfo *muster_snapshot_diff_find_base   (GPtrArray   *snapshots,
                                                            const char  *since,
                                                            GError     **error);

/* Writes the report as CSV (one row per change; cells formula-safe) or JSON. */
gboolean muster_snapshot_diff_write (MusterSnapshotDiff  *diff,
                                     MusterExportFormat   format,
                                     GOutputStream       *stream,
                                     GCancellable        *cancellable,
                                     GError             **error);
/* The rows CSV has, as cells (Change, Name, User principal name, Field or group, Before, After),
 * for other writers (the CLI's table and workbook). Of GStrv. */
GPtrArray *muster_snapshot_diff_to_rows     (MusterSnapshotDiff  *diff);
/* The headers of those rows, translated; 6 of them. */
const char * const *muster_snapshot_diff_row_headers (void);

G_END_DECLS
