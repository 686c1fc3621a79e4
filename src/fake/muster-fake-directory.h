/* muster-fake-directory.h
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The fake tenant's directory: users, groups, memberships, licences, photos and a change log
 * that Graph delta queries replay. It lives on the fake's server thread only, so it needs no
 * locks. Every change bumps `seq`; objects remember the seq of their last change, and deleted
 * objects stay as tombstones so delta can report them as `@removed`. */

typedef enum
{
  MUSTER_FAKE_GROUP_MICROSOFT365,   /* groupTypes ["Unified"], mailEnabled, !securityEnabled */
  MUSTER_FAKE_GROUP_SECURITY,       /* !mailEnabled, securityEnabled */
  MUSTER_FAKE_GROUP_MAIL_SECURITY,  /* mailEnabled, securityEnabled */
  MUSTER_FAKE_GROUP_DISTRIBUTION,   /* mailEnabled, !securityEnabled, not Unified */
} MusterFakeGroupKind;

typedef struct
{
  char       *sku_id;            /* GUID */
  char       *sku_part_number;   /* "ENTERPRISEPACK", "SPE_E3", ... */
  char       *capability_status; /* "Enabled" */
  guint       prepaid_enabled;
  guint       prepaid_suspended;
  guint       prepaid_warning;
  guint       consumed_units;    /* kept equal to the users holding it */
  GPtrArray  *service_plans;     /* of char* servicePlanName */
  GPtrArray  *service_plan_ids;  /* of char* servicePlanId (GUID), parallel to service_plans */
  char       *applies_to;        /* "User" */
} MusterFakeSku;

typedef struct
{
  char      *id;                  /* object id, a GUID */
  char      *display_name;
  char      *given_name;          /* NULL allowed */
  char      *surname;
  char      *user_principal_name; /* guests: alice_contoso.com#EXT#@tenant.onmicrosoft.com */
  char      *mail;                /* NULL for users without a mailbox */
  char      *job_title;
  char      *department;
  char      *company_name;
  char      *employee_id;
  char      *office_location;
  char      *mobile_phone;
  char      *preferred_language;
  char      *usage_location;
  char      *city;
  char      *country;
  char      *created_date_time;   /* ISO 8601, UTC, "2021-03-04T10:11:12Z" */
  char      *user_type;           /* "Member" or "Guest" */
  GPtrArray *business_phones;     /* of char* */
  GPtrArray *other_mails;         /* of char* */
  GPtrArray *proxy_addresses;     /* of char* ("SMTP:a@b", "smtp:alias@b") */
  GPtrArray *assigned_licenses;   /* of char* skuId */
  char      *manager_id;          /* NULL when none */
  GBytes    *photo;               /* JPEG or PNG bytes, NULL when none */
  char      *photo_content_type;  /* "image/png" */
  guint      photo_width;
  guint      photo_height;
  gboolean   account_enabled;
  gboolean   on_premises_sync_enabled;
  gboolean   deleted;             /* tombstone */
  guint64    changed_seq;
} MusterFakeUser;

typedef struct
{
  char               *id;
  char               *display_name;
  char               *description;
  char               *mail;             /* NULL unless mail-enabled */
  char               *mail_nickname;
  char               *created_date_time;
  char               *membership_rule;  /* dynamic groups only, else NULL */
  MusterFakeGroupKind kind;
  gboolean            dynamic;          /* groupTypes also holds "DynamicMembership" */
  GPtrArray          *member_ids;       /* of char*: user ids and group ids (nesting) */
  gboolean            deleted;
  guint64             changed_seq;
} MusterFakeGroup;

/* One membership change, for `members@delta`. The strings belong to the directory (they are the
 * group's and the member's own ids), valid as long as the directory. */
typedef struct
{
  char    *group_id;
  char    *member_id;
  gboolean removed;
  guint64  seq;
} MusterFakeMemberChange;

typedef struct _MusterFakeDirectoryPrivate MusterFakeDirectoryPrivate;

/* Strings and arrays inside users, groups and SKUs belong to the directory (generated data
 * shares them): read them, never free or modify them; change things through the functions
 * below, which replace pointers and keep the indexes, licence counts and change log right. */
typedef struct
{
  char      *tenant_id;       /* GUID */
  char      *display_name;    /* organisation name */
  char      *initial_domain;  /* contoso.onmicrosoft.com */
  char      *default_domain;  /* contoso.com */
  GPtrArray *verified_domains;/* of char*, includes both of the above */
  char      *country_letter_code;
  char      *created_date_time;
  char      *admin_id;        /* the Global Administrator who signs in on the consent page */

  GPtrArray  *users;          /* of MusterFakeUser*, creation order, tombstones included */
  GPtrArray  *groups;         /* of MusterFakeGroup*, likewise */
  GPtrArray  *skus;           /* of MusterFakeSku* */
  GHashTable *users_by_id;    /* id → MusterFakeUser* (tombstones included) */
  GHashTable *users_by_upn;   /* lower-case UPN → MusterFakeUser* (live only) */
  GHashTable *groups_by_id;   /* id → MusterFakeGroup* */
  GPtrArray  *member_changes; /* of MusterFakeMemberChange*, ascending seq */
  guint64     seq;            /* last change number handed out */
  guint64     resync_before;  /* delta tokens older than this get 410 (set by the control API) */

  MusterFakeDirectoryPrivate *priv;  /* storage and lazy indexes, muster-fake-directory*.c only */
} MusterFakeDirectory;

/* Build the "demo" organisation (about 250 believable people) or a generated one of
 * @n_users users and @n_groups groups; deterministic for a given @seed. */
MusterFakeDirectory *muster_fake_directory_new_demo      (guint64              seed);
MusterFakeDirectory *muster_fake_directory_new_generated (guint64              seed,
                                                          guint                n_users,
                                                          guint                n_groups);
/* The same, with the groups beyond the named ones (All Company, the departments, …) holding
 * about @group_size members each instead of a share of the tenant (0: a share), none of them
 * dynamic: a million-user tenant's project and access groups are not a million times larger. */
MusterFakeDirectory *muster_fake_directory_new_generated_sized (guint64        seed,
                                                                guint          n_users,
                                                                guint          n_groups,
                                                                guint          group_size);
void                 muster_fake_directory_free          (MusterFakeDirectory *self);

/* Live objects only (NULL for tombstones: find those through users_by_id / groups_by_id).
 * Ids and UPNs match case-insensitively, as in Entra. */
MusterFakeUser      *muster_fake_directory_lookup_user   (MusterFakeDirectory *self,
                                                          const char          *id_or_upn);
MusterFakeGroup     *muster_fake_directory_lookup_group  (MusterFakeDirectory *self,
                                                          const char          *id);
MusterFakeUser      *muster_fake_directory_get_admin     (MusterFakeDirectory *self);
gboolean             muster_fake_directory_is_group_id   (MusterFakeDirectory *self,
                                                          const char          *id);

/* Direct groups of a user or group (live only), and every group reached through nesting,
 * each once: new arrays of borrowed MusterFakeGroup*; unref them. */
GPtrArray           *muster_fake_directory_member_of     (MusterFakeDirectory *self,
                                                          const char          *member_id);
GPtrArray           *muster_fake_directory_transitive_member_of (MusterFakeDirectory *self,
                                                                 const char          *member_id);
/* Users and groups reached from @group through nesting, each once, never @group itself even
 * in a cycle: a new array of borrowed char* ids, in breadth-first order; unref it. */
GPtrArray           *muster_fake_directory_transitive_members   (MusterFakeDirectory *self,
                                                                 MusterFakeGroup     *group);

/* Mutations (control API); each records a change with a new seq. Return FALSE with @error
 * (G_IO_ERROR_NOT_FOUND / G_IO_ERROR_EXISTS / G_IO_ERROR_INVALID_ARGUMENT) when impossible. */
MusterFakeUser      *muster_fake_directory_add_user      (MusterFakeDirectory *self,
                                                          const char          *display_name,
                                                          const char          *upn,
                                                          GError             **error);
gboolean             muster_fake_directory_update_user   (MusterFakeDirectory *self,
                                                          const char          *id,
                                                          const char          *field,   /* Graph name: "displayName", "jobTitle", "accountEnabled", ... */
                                                          const char          *value,   /* NULL clears; "true"/"false" for booleans */
                                                          GError             **error);
gboolean             muster_fake_directory_delete_user   (MusterFakeDirectory *self,
                                                          const char          *id,
                                                          GError             **error);
gboolean             muster_fake_directory_add_member    (MusterFakeDirectory *self,
                                                          const char          *group_id,
                                                          const char          *member_id,
                                                          GError             **error);
gboolean             muster_fake_directory_remove_member (MusterFakeDirectory *self,
                                                          const char          *group_id,
                                                          const char          *member_id,
                                                          GError             **error);

const char          *muster_fake_group_kind_to_string    (MusterFakeGroupKind  kind);

/* Live objects, kept as a count (no scan). */
guint                muster_fake_directory_count_users   (MusterFakeDirectory *self);
guint                muster_fake_directory_count_groups  (MusterFakeDirectory *self);
MusterFakeSku       *muster_fake_directory_lookup_sku    (MusterFakeDirectory *self,
                                                          const char          *sku_id);
/* Live users whose manager is @manager_id: a new array of borrowed MusterFakeUser*. */
GPtrArray           *muster_fake_directory_direct_reports (MusterFakeDirectory *self,
                                                           const char          *manager_id);
/* Live users ordered by "displayName" or "userPrincipalName" (case-insensitive, then by id),
 * for $orderby. Borrowed and cached: valid until the next change (seq). NULL for any other
 * property. */
GPtrArray           *muster_fake_directory_sorted_users  (MusterFakeDirectory *self,
                                                          const char          *property);
/* The checks muster_fake_directory_update_user() makes, without changing anything, so a caller
 * can refuse a whole request before applying any of it. @id NULL: a user about to be created. */
gboolean             muster_fake_directory_validate_user_update (MusterFakeDirectory *self,
                                                                 const char          *id,
                                                                 const char          *field,
                                                                 const char          *value,
                                                                 GError             **error);
/* Makes every delta token issued so far stale: resync_before = seq + 1, then seq++. */
void                 muster_fake_directory_force_resync  (MusterFakeDirectory *self);
/* For a directory that replaces another (control API reset): numbers its objects after
 * @previous_seq and marks every older delta token stale, so a token from the replaced
 * directory gets 410 instead of being read against the new one. */
void                 muster_fake_directory_continue_after (MusterFakeDirectory *self,
                                                           guint64              previous_seq);

G_END_DECLS
