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

/* One membership change, for `members@delta` */
typedef struct
{
  char    *group_id;
  char    *member_id;
  gboolean removed;
  guint64  seq;
} MusterFakeMemberChange;

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
} MusterFakeDirectory;

/* Build the "demo" organisation (about 250 believable people) or a generated one of
 * @n_users users and @n_groups groups; deterministic for a given @seed. */
MusterFakeDirectory *muster_fake_directory_new_demo      (guint64              seed);
MusterFakeDirectory *muster_fake_directory_new_generated (guint64              seed,
                                                          guint                n_users,
                                                          guint                n_groups);
void                 muster_fake_directory_free          (MusterFakeDirectory *self);

MusterFakeUser      *muster_fake_directory_lookup_user   (MusterFakeDirectory *self,
                                                          const char          *id_or_upn);
MusterFakeGroup     *muster_fake_directory_lookup_group  (MusterFakeDirectory *self,
                                                          const char          *id);
MusterFakeUser      *muster_fake_directory_get_admin     (MusterFakeDirectory *self);
gboolean             muster_fake_directory_is_group_id   (MusterFakeDirectory *self,
                                                          const char          *id);

/* Direct groups of a user or group (live only), and every group reached through nesting. */
GPtrArray           *muster_fake_directory_member_of     (MusterFakeDirectory *self,
                                                          const char          *member_id);
GPtrArray           *muster_fake_directory_transitive_member_of (MusterFakeDirectory *self,
                                                                 const char          *member_id);
/* Users and groups reached from @group through nesting, each once (of char* ids). */
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

G_END_DECLS
