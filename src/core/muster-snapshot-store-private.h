/* muster-snapshot-store-private.h: what the snapshot store shares with its writer
 * (muster-snapshot-writer.c)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "muster-snapshot-store.h"

G_BEGIN_DECLS

/* The columns of the users and groups tables, in the order the writer and the loader use. */
#define MUSTER_SNAPSHOT_USER_COLUMNS \
  "id, display_name, given_name, surname, user_principal_name, mail, other_mails, " \
  "proxy_addresses, job_title, department, company_name, employee_id, office_location, " \
  "business_phones, mobile_phone, account_enabled, user_type, assigned_licenses, created, " \
  "on_premises_sync_enabled"

#define MUSTER_SNAPSHOT_GROUP_COLUMNS \
  "id, display_name, description, mail, group_types, mail_enabled, security_enabled, " \
  "membership_rule, kind, dynamic"

/* Opens a connection to the cache at @path. @one_thread: the connection is opened, used and
 * closed by one thread only (a load), so SQLite needs no mutex around each call on it. @known:
 * the file is known to be Muster's cache; until then nothing may write to it. */
sqlite3      *_muster_snapshot_store_open_connection (const char          *path,
                                                      gboolean             one_thread,
                                                      gboolean             known,
                                                      GError             **error);
/* A SQLite failure @rc as the cache's error; always FALSE. */
gboolean      _muster_snapshot_store_fail            (GError             **error,
                                                      sqlite3             *db,
                                                      int                  rc,
                                                      const char          *path);
gboolean      _muster_snapshot_store_exec            (sqlite3             *db,
                                                      const char          *sql,
                                                      const char          *path,
                                                      GError             **error);
/* A statement kept for the connection's life (SQLITE_PREPARE_PERSISTENT). */
sqlite3_stmt *_muster_snapshot_store_prepare         (sqlite3             *db,
                                                      const char          *sql,
                                                      const char          *path,
                                                      GError             **error);
/* Binds a string list as a JSON array of strings, NULL for an empty list. */
void          _muster_snapshot_store_bind_strv       (sqlite3_stmt        *stmt,
                                                      int                  column,
                                                      const char * const  *strv);
/* Reads such a JSON array into @bytes and points @list (NULL-terminated) at its strings. */
void          _muster_snapshot_store_read_list       (const char          *text,
                                                      GString             *bytes,
                                                      GPtrArray           *list);

G_END_DECLS
