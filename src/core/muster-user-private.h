/* muster-user-private.h: what only the engine may do with a MusterUser
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-user.h"

G_BEGIN_DECLS

struct cJSON;

/* Every column of a user, borrowed: _muster_user_new() copies them into one block. NULL means
 * absent; a NULL list is an empty list. */
typedef struct
{
  const char         *id;
  const char         *display_name;
  const char         *given_name;
  const char         *surname;
  const char         *user_principal_name;
  const char         *mail;
  const char         *job_title;
  const char         *department;
  const char         *company_name;
  const char         *employee_id;
  const char         *office_location;
  const char         *mobile_phone;
  const char         *user_type;
  const char         *created;
  const char         *manager_id;
  const char * const *business_phones;
  const char * const *other_mails;
  const char * const *proxy_addresses;
  const char * const *assigned_licenses;
  gboolean            account_enabled;
  gboolean            on_premises_sync_enabled;
} MusterUserFields;

MusterUser *_muster_user_new            (const MusterUserFields *fields);
/* The same user as muster_user_new_from_json() from a cJSON object (the bulk reader of Graph
 * pages); NULL when @object is not an object. */
MusterUser *_muster_user_new_from_cjson (const struct cJSON     *object);
/* Display name, UPN, mail, job title and department, NFC-normalised and case-folded, joined by
 * newlines: what a search looks in (muster_user_search_fold() gives the needle). */
const char *_muster_user_get_search_key (MusterUser *self);
/* Where the user stands in its snapshot's sorted list (G_MAXUINT outside a snapshot). */
guint       _muster_user_get_index      (MusterUser *self);
void        _muster_user_set_index      (MusterUser *self,
                                         guint       index);
/* Appends @text folded the way search keys are to @out. */
void        _muster_user_search_fold    (GString    *out,
                                         const char *text);

G_END_DECLS
