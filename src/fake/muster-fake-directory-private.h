/* muster-fake-directory-private.h: what the fake directory's files share
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-fake-directory.h"

G_BEGIN_DECLS

/* Storage. A generated tenant of a million users has to fit in well under 1.5 GB, so:
 * - strings that come from the word lists point at the static tables;
 * - every other generated string lives in one GStringChunk;
 * - generated users sit in one block of structs;
 * - licence lists and empty lists are shared, reference-counted arrays;
 * - photos in generated tenants are a handful of shared GBytes.
 * Changes never write into that storage: they replace pointers. A string a change puts in
 * comes from g_strdup() and is remembered in `owned`, which frees it when it is replaced or
 * when the directory goes. Nothing else is freed string by string, so a field may point at
 * static, chunk or owned memory without the reader knowing. */
struct _MusterFakeDirectoryPrivate
{
  GStringChunk   *chunk;
  GHashTable     *owned;            /* set of g_strdup()ed field values */
  GHashTable     *upn_keys;         /* set of lower-cased UPN copies users_by_upn is keyed by */
  GRand          *rand;             /* ids for objects created later: deterministic too */
  MusterFakeUser *user_block;       /* generated users */
  guint           n_block_users;
  MusterFakeGroup *group_block;
  guint           n_block_groups;
  GPtrArray      *empty;            /* shared empty array of char* */
  GPtrArray      *licence_sets;     /* index = bit set of skus; shared arrays or NULL */
  guint           n_live_users;
  guint           n_live_groups;
  GHashTable     *member_of;        /* member id → GPtrArray of MusterFakeGroup*, built on demand */
  GPtrArray      *sorted[2];        /* displayName, userPrincipalName */
  guint64         sorted_seq[2];
};

/* The licences the tenant has, in the order of sku_infos in muster-fake-directory-generate.c */
enum
{
  SKU_O365_E3,
  SKU_M365_E3,
  SKU_M365_E5,
  SKU_EMS_E3,
  SKU_FLOW_FREE,
  SKU_POWER_BI_STANDARD,
  SKU_PROJECT_PROFESSIONAL,
  N_SKUS
};

/* muster-fake-directory.c: small helpers */
char *_muster_fake_directory_chunk_insert    (MusterFakeDirectory *self,
                                              const char          *s);
char *_muster_fake_directory_chunk_guid      (MusterFakeDirectory *self,
                                              GRand               *rand);
char *_muster_fake_directory_chunk_timestamp (MusterFakeDirectory *self,
                                              gint64               unix_time);
char *_muster_fake_directory_alias_for       (const char *name);

/* muster-fake-directory.c: indexes */
void _muster_fake_directory_upn_index_insert (MusterFakeDirectory *self,
                                              MusterFakeUser      *user);
void _muster_fake_directory_group_add_member (MusterFakeDirectory *self,
                                              MusterFakeGroup     *group,
                                              char                *member_id,
                                              gboolean             record);

/* muster-fake-directory.c: dynamic membership rules */
GPtrArray *_muster_fake_directory_rule_parse   (const char *rule);
gboolean   _muster_fake_directory_rule_matches (GPtrArray      *clauses,
                                                MusterFakeUser *user);

/* muster-fake-directory.c: licences */
GPtrArray *_muster_fake_directory_licence_set    (MusterFakeDirectory *self,
                                                  guint                mask);
void       _muster_fake_directory_count_licences (MusterFakeDirectory *self,
                                                  GPtrArray           *licences,
                                                  gint                 delta);

G_END_DECLS
