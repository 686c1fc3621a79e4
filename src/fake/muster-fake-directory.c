/* muster-fake-directory.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-directory"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "muster-fake-directory.h"
#include "muster-fake-names.h"
#include "muster-fake-photo.h"

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

/* Licences (graph-facts §8). skuIds and servicePlanIds as listed in Microsoft's "Product names
 * and service plan identifiers for licensing" (entra-docs licensing-service-plan-reference.md). */
typedef struct
{
  const char *sku_id;
  const char *part_number;
  const char *plans;   /* "NAME=GUID;NAME=GUID" */
} SkuInfo;

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

static const SkuInfo sku_infos[N_SKUS] = {
  { "6fd2c87f-b296-42f0-b197-1e91e994b900", "ENTERPRISEPACK",
    "EXCHANGE_S_ENTERPRISE=efb87545-963c-4e0d-99df-69c6916d9eb0;"
    "SHAREPOINTENTERPRISE=5dbe027f-2339-4123-9542-606e4d348a72;"
    "MCOSTANDARD=0feaeb32-d00e-4d66-bd5a-43b5b83db82c;"
    "OFFICESUBSCRIPTION=43de0ff5-c92c-492b-9116-175376d08c38;"
    "TEAMS1=57ff2da0-773e-42df-b2af-ffb7a2317929;"
    "EXCHANGE_S_FOUNDATION=113feb6c-3fe4-4440-bddc-54d774bf0318" },
  { "05e9a617-0261-4cee-bb44-138d3ef5d965", "SPE_E3",
    "EXCHANGE_S_ENTERPRISE=efb87545-963c-4e0d-99df-69c6916d9eb0;"
    "SHAREPOINTENTERPRISE=5dbe027f-2339-4123-9542-606e4d348a72;"
    "MCOSTANDARD=0feaeb32-d00e-4d66-bd5a-43b5b83db82c;"
    "OFFICESUBSCRIPTION=43de0ff5-c92c-492b-9116-175376d08c38;"
    "TEAMS1=57ff2da0-773e-42df-b2af-ffb7a2317929;"
    "AAD_PREMIUM=41781fb2-bc02-4b7c-bd55-b576c07bb09d;"
    "INTUNE_A=c1ec4a95-1f05-45b3-a911-aa3fa01094f5" },
  { "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "SPE_E5",
    "EXCHANGE_S_ENTERPRISE=efb87545-963c-4e0d-99df-69c6916d9eb0;"
    "SHAREPOINTENTERPRISE=5dbe027f-2339-4123-9542-606e4d348a72;"
    "MCOSTANDARD=0feaeb32-d00e-4d66-bd5a-43b5b83db82c;"
    "MCOEV=4828c8ec-dc2e-4779-b502-87ac9ce28ab7;"
    "OFFICESUBSCRIPTION=43de0ff5-c92c-492b-9116-175376d08c38;"
    "TEAMS1=57ff2da0-773e-42df-b2af-ffb7a2317929;"
    "AAD_PREMIUM=41781fb2-bc02-4b7c-bd55-b576c07bb09d;"
    "AAD_PREMIUM_P2=eec0eb4f-6444-4f95-aba0-50c24d67f998;"
    "INTUNE_A=c1ec4a95-1f05-45b3-a911-aa3fa01094f5;"
    "BI_AZURE_P2=70d33638-9c74-4d01-bfd3-562de28bd4ba" },
  { "efccb6f7-5641-4e0e-bd10-b4976e1bf68e", "EMS",
    "AAD_PREMIUM=41781fb2-bc02-4b7c-bd55-b576c07bb09d;"
    "INTUNE_A=c1ec4a95-1f05-45b3-a911-aa3fa01094f5;"
    "RMS_S_PREMIUM=6c57d4b6-3b23-47a5-9bc9-69f17b4947b3" },
  { "f30db892-07e9-47e9-837c-80727f46fd3d", "FLOW_FREE",
    "FLOW_P2_VIRAL=50e68c76-46c6-4674-81f9-75456511b170;"
    "EXCHANGE_S_FOUNDATION=113feb6c-3fe4-4440-bddc-54d774bf0318" },
  { "a403ebcc-fae0-4ca2-8c8c-7a907fd6c235", "POWER_BI_STANDARD",
    "BI_AZURE_P0=2049e525-b859-401b-b2a0-e0a31c4b1fe4;"
    "EXCHANGE_S_FOUNDATION=113feb6c-3fe4-4440-bddc-54d774bf0318" },
  { "53818b1b-4a27-454b-8896-0dba576410e6", "PROJECTPROFESSIONAL",
    "PROJECT_PROFESSIONAL=818523f5-016b-4355-9be8-ed6944946ea7;"
    "SHAREPOINTENTERPRISE=5dbe027f-2339-4123-9542-606e4d348a72" },
};

#define ORGANISATION_NAME  "Larkfield Instruments"
#define INITIAL_DOMAIN     "larkfieldinstruments.onmicrosoft.com"
#define CUSTOM_DOMAIN      "larkfield-instruments.example"
#define DEMO_USERS         250
#define REPORTS_PER_LEAD   7   /* fan-out of the manager tree under each department head */
#define N_SHARED_PHOTOS    8

/* Groups the demo tenant has (and a generated one starts with). */
typedef enum
{
  PICK_NONE,
  PICK_LEADERSHIP,     /* CEO and department heads */
  PICK_RANDOM,         /* per-mille of everyone (members and guests) */
  PICK_DEPARTMENT,     /* per-mille of one department */
  PICK_OFFICE,         /* per-mille of one office */
  PICK_IT_ADMINS,      /* the administrator, the IT head, half of IT */
  PICK_SKU,            /* holders of a licence */
  PICK_HEADS_AND_LEADS /* of one department */
} Pick;

typedef struct
{
  const char         *name;
  const char         *nickname;
  MusterFakeGroupKind kind;
  const char         *description;
  const char         *rule;        /* dynamic membership rule, else NULL */
  Pick                pick;
  const char         *pick_arg;    /* department or office name */
  guint               per_mille;
  gint                nested[2];   /* indexes of groups it contains, -1 for none */
} GroupSpec;

static const GroupSpec group_specs[] = {
  { "All Company", "allcompany", MUSTER_FAKE_GROUP_MICROSOFT365, "Everyone who works here",
    "(user.userType -eq \"Member\")", PICK_NONE, NULL, 0, { -1, -1 } },
  { "Leadership Team", "leadership", MUSTER_FAKE_GROUP_MICROSOFT365, "The CEO and department heads",
    NULL, PICK_LEADERSHIP, NULL, 0, { -1, -1 } },
  { "Engineering Team", "engineering", MUSTER_FAKE_GROUP_MICROSOFT365, "Engineering department",
    "(user.department -eq \"Engineering\")", PICK_NONE, NULL, 0, { -1, -1 } },
  { "Sales Team", "sales", MUSTER_FAKE_GROUP_MICROSOFT365, "Sales department",
    "(user.department -eq \"Sales\")", PICK_NONE, NULL, 0, { -1, -1 } },
  { "Customer Success Team", "customersuccess", MUSTER_FAKE_GROUP_MICROSOFT365, "Customer Success department",
    "(user.department -eq \"Customer Success\")", PICK_NONE, NULL, 0, { -1, -1 } },
  { "Project Kestrel", "projectkestrel", MUSTER_FAKE_GROUP_MICROSOFT365, "New sensor line, launch team",
    NULL, PICK_RANDOM, NULL, 50, { -1, -1 } },
  { "Social Club", "socialclub", MUSTER_FAKE_GROUP_MICROSOFT365, "Quiz nights, walks and the summer barbecue",
    NULL, PICK_RANDOM, NULL, 150, { -1, -1 } },
  { "Engineering - All", NULL, MUSTER_FAKE_GROUP_SECURITY, "Access for every engineering squad",
    NULL, PICK_HEADS_AND_LEADS, "Engineering", 1000, { 8, 9 } },
  { "Engineering - Platform", NULL, MUSTER_FAKE_GROUP_SECURITY, "Platform squad",
    NULL, PICK_DEPARTMENT, "Engineering", 400, { 10, -1 } },
  { "Engineering - Apps", NULL, MUSTER_FAKE_GROUP_SECURITY, "Apps squad",
    NULL, PICK_DEPARTMENT, "Engineering", 400, { -1, -1 } },
  { "On-call Rota", NULL, MUSTER_FAKE_GROUP_SECURITY, "Paged out of hours",
    NULL, PICK_DEPARTMENT, "IT", 500, { -1, -1 } },
  { "VPN Users", NULL, MUSTER_FAKE_GROUP_SECURITY, "May connect to the VPN",
    NULL, PICK_RANDOM, NULL, 400, { -1, -1 } },
  { "Intune Pilot", NULL, MUSTER_FAKE_GROUP_SECURITY, "Devices in the Intune pilot ring",
    NULL, PICK_RANDOM, NULL, 80, { -1, -1 } },
  { "Sales - Germany", NULL, MUSTER_FAKE_GROUP_SECURITY, "Sales staff in Germany",
    "(user.department -eq \"Sales\") -and (user.country -eq \"Germany\")", PICK_NONE, NULL, 0, { -1, -1 } },
  { "Disabled Accounts", NULL, MUSTER_FAKE_GROUP_SECURITY, "Accounts that cannot sign in",
    "(user.accountEnabled -eq false)", PICK_NONE, NULL, 0, { -1, -1 } },
  { "Guests - Partners", NULL, MUSTER_FAKE_GROUP_SECURITY, "Every guest account",
    "(user.userType -eq \"Guest\")", PICK_NONE, NULL, 0, { -1, -1 } },
  { "Licence - Microsoft 365 E5", NULL, MUSTER_FAKE_GROUP_SECURITY, "Holders of Microsoft 365 E5",
    NULL, PICK_SKU, "SPE_E5", 1000, { -1, -1 } },
  { "IT Admins", "itadmins", MUSTER_FAKE_GROUP_MAIL_SECURITY, "Administrators of the tenant",
    NULL, PICK_IT_ADMINS, NULL, 500, { -1, -1 } },
  { "Payroll Access", "payroll", MUSTER_FAKE_GROUP_MAIL_SECURITY, "May open the payroll share",
    NULL, PICK_DEPARTMENT, "Finance", 500, { -1, -1 } },
  { "Building Access - Bristol", "bristolaccess", MUSTER_FAKE_GROUP_MAIL_SECURITY, "Door badges for the Bristol office",
    NULL, PICK_OFFICE, "Bristol HQ", 600, { -1, -1 } },
  { "Announcements", "announcements", MUSTER_FAKE_GROUP_DISTRIBUTION, "Company-wide announcements",
    NULL, PICK_LEADERSHIP, NULL, 0, { 21, 17 } },
  { "Sales Leads", "salesleads", MUSTER_FAKE_GROUP_DISTRIBUTION, "Incoming leads from the website",
    NULL, PICK_DEPARTMENT, "Sales", 300, { -1, -1 } },
  { "Press Contacts", "press", MUSTER_FAKE_GROUP_DISTRIBUTION, "Answers press@",
    NULL, PICK_DEPARTMENT, "Marketing", 400, { -1, -1 } },
  { "Lisbon Office", "lisbon", MUSTER_FAKE_GROUP_DISTRIBUTION, "Everyone in Lisbon",
    NULL, PICK_OFFICE, "Lisbon", 1000, { -1, -1 } },
  { "Finance Approvers", NULL, MUSTER_FAKE_GROUP_SECURITY, "Approve purchase orders",
    NULL, PICK_HEADS_AND_LEADS, "Finance", 1000, { -1, -1 } },
  { "Project Heron", "projectheron", MUSTER_FAKE_GROUP_MICROSOFT365, "Not started yet",
    NULL, PICK_NONE, NULL, 0, { -1, -1 } },
};

/* ---- small helpers ------------------------------------------------------------------------ */

static char *
chunk_insert (MusterFakeDirectory *self,
              const char          *s)
{
  return s ? g_string_chunk_insert (self->priv->chunk, s) : NULL;
}

static char *
chunk_guid (MusterFakeDirectory *self,
            GRand               *rand)
{
  static const char hex[] = "0123456789abcdef";
  char buf[37];
  guint8 bytes[16];
  guint pos = 0;

  for (guint i = 0; i < 4; i++)
    {
      guint32 v = g_rand_int (rand);
      bytes[i * 4] = v >> 24;
      bytes[i * 4 + 1] = v >> 16;
      bytes[i * 4 + 2] = v >> 8;
      bytes[i * 4 + 3] = v;
    }
  /* version 4, variant 1 (RFC 4122), like Entra's object ids */
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  for (guint i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        buf[pos++] = '-';
      buf[pos++] = hex[bytes[i] >> 4];
      buf[pos++] = hex[bytes[i] & 0xf];
    }
  buf[pos] = '\0';
  return g_string_chunk_insert_len (self->priv->chunk, buf, 36);
}

/* Civil date from days since 1970-01-01 (proleptic Gregorian), avoiding a GDateTime per user. */
static void
civil_from_days (gint64 z,
                 gint  *year,
                 guint *month,
                 guint *day)
{
  gint64 era, y;
  guint doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (guint) (z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = (gint64) yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = (gint) (y + (*month <= 2));
}

static char *
chunk_timestamp (MusterFakeDirectory *self,
                 gint64               unix_time)
{
  char buf[32];
  gint year;
  guint month, day;
  gint64 secs = unix_time % 86400;

  civil_from_days (unix_time / 86400, &year, &month, &day);
  g_snprintf (buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02uZ", year, month, day,
              (guint) (secs / 3600), (guint) (secs / 60 % 60), (guint) (secs % 60));
  return g_string_chunk_insert (self->priv->chunk, buf);
}

/* The mailbox alias for a name: ASCII, lower case, letters, digits and hyphens. */
static char *
alias_for (const char *name)
{
  g_autofree char *ascii = g_str_to_ascii (name, "C");
  GString *out = g_string_sized_new (strlen (ascii));

  for (const char *p = ascii; *p; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (out, g_ascii_tolower (*p));
      else if (*p == '-' && out->len > 0)
        g_string_append_c (out, '-');
    }
  if (out->len == 0)
    g_string_append (out, "user");
  return g_string_free (out, FALSE);
}

static void
set_owned (MusterFakeDirectory *self,
           char               **field,
           const char          *value)
{
  if (*field != NULL)
    g_hash_table_remove (self->priv->owned, *field);
  *field = value ? g_strdup (value) : NULL;
  if (*field != NULL)
    g_hash_table_add (self->priv->owned, *field);
}

static GPtrArray *
strv_to_array (const char *comma_list)
{
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = NULL;

  if (comma_list == NULL)
    return array;
  parts = g_strsplit (comma_list, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *item = g_strstrip (parts[i]);
      if (*item != '\0')
        g_ptr_array_add (array, g_strdup (item));
    }
  return array;
}

static void
replace_array (GPtrArray **field,
               GPtrArray  *value)
{
  GPtrArray *old = *field;

  *field = value;
  g_clear_pointer (&old, g_ptr_array_unref);
}

static gboolean
array_has_string (GPtrArray  *array,
                  const char *s)
{
  for (guint i = 0; i < array->len; i++)
    if (g_ascii_strcasecmp (array->pdata[i], s) == 0)
      return TRUE;
  return FALSE;
}

/* ---- indexes ------------------------------------------------------------------------------ */

static void
upn_index_insert (MusterFakeDirectory *self,
                  MusterFakeUser      *user)
{
  const char *upn = user->user_principal_name;
  gboolean lower = TRUE;
  char *key;

  for (const char *p = upn; *p; p++)
    if (g_ascii_isupper (*p))
      {
        lower = FALSE;
        break;
      }

  if (lower)
    key = user->user_principal_name;
  else
    {
      key = g_ascii_strdown (upn, -1);
      g_hash_table_add (self->priv->upn_keys, key);
    }
  g_hash_table_insert (self->users_by_upn, key, user);
}

static void
upn_index_remove (MusterFakeDirectory *self,
                  const char          *upn)
{
  g_autofree char *lower = g_ascii_strdown (upn, -1);
  gpointer key = NULL;

  if (!g_hash_table_lookup_extended (self->users_by_upn, lower, &key, NULL))
    return;
  g_hash_table_remove (self->users_by_upn, lower);
  /* frees the key if it was a lower-cased copy; otherwise it is the UPN field itself */
  g_hash_table_remove (self->priv->upn_keys, key);
}

static void
member_of_add (MusterFakeDirectory *self,
               const char          *member_id,
               MusterFakeGroup     *group)
{
  GPtrArray *groups;

  if (self->priv->member_of == NULL)
    return;
  groups = g_hash_table_lookup (self->priv->member_of, member_id);
  if (groups == NULL)
    {
      groups = g_ptr_array_new ();
      g_hash_table_insert (self->priv->member_of, (char *) member_id, groups);
    }
  g_ptr_array_add (groups, group);
}

static void
member_of_remove (MusterFakeDirectory *self,
                  const char          *member_id,
                  MusterFakeGroup     *group)
{
  GPtrArray *groups;

  if (self->priv->member_of == NULL)
    return;
  groups = g_hash_table_lookup (self->priv->member_of, member_id);
  if (groups != NULL)
    g_ptr_array_remove (groups, group);
}

static GHashTable *
member_of_index (MusterFakeDirectory *self)
{
  if (self->priv->member_of != NULL)
    return self->priv->member_of;

  self->priv->member_of = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                 (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < self->groups->len; i++)
    {
      MusterFakeGroup *group = self->groups->pdata[i];

      if (group->deleted)
        continue;
      for (guint k = 0; k < group->member_ids->len; k++)
        member_of_add (self, group->member_ids->pdata[k], group);
    }
  return self->priv->member_of;
}

/* The directory's own copy of an object id (what member_ids and manager_id point at). */
static char *
canonical_id (MusterFakeDirectory *self,
              const char          *id,
              gboolean            *is_group)
{
  MusterFakeUser *user = muster_fake_directory_lookup_user (self, id);
  MusterFakeGroup *group;

  *is_group = FALSE;
  if (user != NULL)
    return user->id;
  group = muster_fake_directory_lookup_group (self, id);
  if (group != NULL)
    {
      *is_group = TRUE;
      return group->id;
    }
  return NULL;
}

static guint64
next_seq (MusterFakeDirectory *self)
{
  return ++self->seq;
}

static void
record_member_change (MusterFakeDirectory *self,
                      MusterFakeGroup     *group,
                      char                *member_id,
                      gboolean             removed)
{
  MusterFakeMemberChange *change = g_new0 (MusterFakeMemberChange, 1);

  change->group_id = group->id;
  change->member_id = member_id;
  change->removed = removed;
  change->seq = next_seq (self);
  group->changed_seq = change->seq;
  g_ptr_array_add (self->member_changes, change);
}

/* Adds without checks; @member_id must be the directory's own copy. */
static void
group_add_member (MusterFakeDirectory *self,
                  MusterFakeGroup     *group,
                  char                *member_id,
                  gboolean             record)
{
  g_ptr_array_add (group->member_ids, member_id);
  member_of_add (self, member_id, group);
  if (record)
    record_member_change (self, group, member_id, FALSE);
}

static gboolean
group_remove_member (MusterFakeDirectory *self,
                     MusterFakeGroup     *group,
                     char                *member_id,
                     gboolean             record)
{
  if (!g_ptr_array_remove (group->member_ids, member_id))
    return FALSE;
  member_of_remove (self, member_id, group);
  if (record)
    record_member_change (self, group, member_id, TRUE);
  return TRUE;
}

/* ---- dynamic membership rules --------------------------------------------------------------
 * The subset of Entra's rule syntax the generator writes (LEARN: entra/identity/users/
 * groups-dynamic-membership): clauses `(user.property -eq "value")` or `-ne`, booleans
 * unquoted, joined by `-and`. String comparison is case-insensitive, as in Entra. */

typedef struct
{
  char    *property;
  char    *value;   /* without quotes */
  gssize   offset;  /* of the string field in MusterFakeUser; RULE_* below otherwise */
  gboolean negate;
} RuleClause;

#define RULE_ACCOUNT_ENABLED (-1)
#define RULE_UNKNOWN         (-2)


static void
rule_clause_free (RuleClause *clause)
{
  g_free (clause->property);
  g_free (clause->value);
  g_free (clause);
}

static const struct
{
  const char *name;
  gsize       offset;
} string_fields[] = {
  { "displayName", G_STRUCT_OFFSET (MusterFakeUser, display_name) },
  { "givenName", G_STRUCT_OFFSET (MusterFakeUser, given_name) },
  { "surname", G_STRUCT_OFFSET (MusterFakeUser, surname) },
  { "userPrincipalName", G_STRUCT_OFFSET (MusterFakeUser, user_principal_name) },
  { "mail", G_STRUCT_OFFSET (MusterFakeUser, mail) },
  { "jobTitle", G_STRUCT_OFFSET (MusterFakeUser, job_title) },
  { "department", G_STRUCT_OFFSET (MusterFakeUser, department) },
  { "companyName", G_STRUCT_OFFSET (MusterFakeUser, company_name) },
  { "employeeId", G_STRUCT_OFFSET (MusterFakeUser, employee_id) },
  { "officeLocation", G_STRUCT_OFFSET (MusterFakeUser, office_location) },
  { "mobilePhone", G_STRUCT_OFFSET (MusterFakeUser, mobile_phone) },
  { "preferredLanguage", G_STRUCT_OFFSET (MusterFakeUser, preferred_language) },
  { "usageLocation", G_STRUCT_OFFSET (MusterFakeUser, usage_location) },
  { "city", G_STRUCT_OFFSET (MusterFakeUser, city) },
  { "country", G_STRUCT_OFFSET (MusterFakeUser, country) },
  { "createdDateTime", G_STRUCT_OFFSET (MusterFakeUser, created_date_time) },
  { "userType", G_STRUCT_OFFSET (MusterFakeUser, user_type) },
};

/* Exact Graph spelling: the control API passes property names straight through. */
static char **
user_string_field (MusterFakeUser *user,
                   const char     *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    if (g_str_equal (string_fields[i].name, name))
      return G_STRUCT_MEMBER_P (user, string_fields[i].offset);
  return NULL;
}

/* Rules name properties case-insensitively (user.Department works in Entra). */
static gssize
rule_property_offset (const char *property)
{
  if (g_ascii_strcasecmp (property, "accountEnabled") == 0)
    return RULE_ACCOUNT_ENABLED;
  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    if (g_ascii_strcasecmp (string_fields[i].name, property) == 0)
      return string_fields[i].offset;
  return RULE_UNKNOWN;
}

static GPtrArray *
rule_parse (const char *rule)
{
  g_autoptr(GPtrArray) clauses = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_clause_free);
  g_autoptr(GRegex) regex = NULL;
  g_auto(GStrv) parts = NULL;

  regex = g_regex_new ("^\\(?\\s*user\\.([A-Za-z]+)\\s+-(eq|ne)\\s+(\"([^\"]*)\"|true|false)\\s*\\)?$",
                       G_REGEX_CASELESS, 0, NULL);
  parts = g_regex_split_simple ("\\s+-and\\s+", rule, G_REGEX_CASELESS, 0);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;
      RuleClause *clause;
      g_autofree char *quoted = NULL;
      g_autofree char *op = NULL;

      if (!g_regex_match (regex, g_strstrip (parts[i]), 0, &match))
        return NULL;
      clause = g_new0 (RuleClause, 1);
      clause->property = g_match_info_fetch (match, 1);
      op = g_match_info_fetch (match, 2);
      clause->negate = g_ascii_strcasecmp (op, "ne") == 0;
      clause->offset = rule_property_offset (clause->property);
      quoted = g_match_info_fetch (match, 3);
      if (quoted[0] == '"')
        clause->value = g_match_info_fetch (match, 4);
      else
        clause->value = g_ascii_strdown (quoted, -1);
      g_ptr_array_add (clauses, clause);
    }
  return g_steal_pointer (&clauses);
}

static gboolean
strings_equal_ci (const char *a,
                  const char *b)
{
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;

  if (g_ascii_strcasecmp (a, b) == 0)
    return TRUE;
  if (g_str_is_ascii (a) && g_str_is_ascii (b))
    return FALSE;
  fa = g_utf8_casefold (a, -1);
  fb = g_utf8_casefold (b, -1);
  return g_str_equal (fa, fb);
}

static gboolean
rule_matches (GPtrArray      *clauses,
              MusterFakeUser *user)
{
  if (clauses == NULL || user->deleted)
    return FALSE;

  for (guint i = 0; i < clauses->len; i++)
    {
      RuleClause *clause = clauses->pdata[i];
      gboolean equal;

      if (clause->offset == RULE_ACCOUNT_ENABLED)
        equal = g_str_equal (clause->value, user->account_enabled ? "true" : "false");
      else if (clause->offset == RULE_UNKNOWN)
        equal = FALSE;
      else
        {
          const char *value = G_STRUCT_MEMBER (char *, user, clause->offset);

          equal = value != NULL && strings_equal_ci (value, clause->value);
        }
      if (equal == clause->negate)
        return FALSE;
    }
  return TRUE;
}

/* Entra re-evaluates dynamic groups when a user changes; the fake does it at once. */
static void
reevaluate_dynamic_groups (MusterFakeDirectory *self,
                           MusterFakeUser      *user)
{
  for (guint i = 0; i < self->groups->len; i++)
    {
      MusterFakeGroup *group = self->groups->pdata[i];
      g_autoptr(GPtrArray) clauses = NULL;
      gboolean member, should;

      if (group->deleted || !group->dynamic || group->membership_rule == NULL)
        continue;
      clauses = rule_parse (group->membership_rule);
      should = rule_matches (clauses, user);
      member = g_ptr_array_find (group->member_ids, user->id, NULL);
      if (should && !member)
        group_add_member (self, group, user->id, TRUE);
      else if (!should && member)
        group_remove_member (self, group, user->id, TRUE);
    }
}

/* ---- licences ----------------------------------------------------------------------------- */

static GPtrArray *
licence_set (MusterFakeDirectory *self,
             guint                mask)
{
  GPtrArray *set = g_ptr_array_index (self->priv->licence_sets, mask);

  if (set == NULL)
    {
      set = g_ptr_array_new ();
      for (guint i = 0; i < N_SKUS; i++)
        if (mask & (1u << i))
          g_ptr_array_add (set, ((MusterFakeSku *) self->skus->pdata[i])->sku_id);
      self->priv->licence_sets->pdata[mask] = set;
    }
  return g_ptr_array_ref (set);
}

static void
count_licences (MusterFakeDirectory *self,
                GPtrArray           *licences,
                gint                 delta)
{
  for (guint i = 0; licences != NULL && i < licences->len; i++)
    {
      MusterFakeSku *sku = muster_fake_directory_lookup_sku (self, licences->pdata[i]);

      if (sku != NULL)
        sku->consumed_units += delta;
    }
}

/* ---- construction ------------------------------------------------------------------------- */

static void
array_unref_nullable (gpointer array)
{
  if (array != NULL)
    g_ptr_array_unref (array);
}

static MusterFakeDirectory *
directory_new (guint64 seed)
{
  MusterFakeDirectory *self = g_new0 (MusterFakeDirectory, 1);
  MusterFakeDirectoryPrivate *priv = g_new0 (MusterFakeDirectoryPrivate, 1);
  guint32 seed_words[2] = { (guint32) seed, (guint32) (seed >> 32) };

  self->priv = priv;
  priv->chunk = g_string_chunk_new (1 << 20);
  priv->owned = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_free, NULL);
  priv->upn_keys = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_free, NULL);
  priv->rand = g_rand_new_with_seed_array (seed_words, 2);
  priv->empty = g_ptr_array_new ();
  priv->licence_sets = g_ptr_array_new_with_free_func (array_unref_nullable);
  g_ptr_array_set_size (priv->licence_sets, 1u << N_SKUS);

  self->users = g_ptr_array_new ();
  self->groups = g_ptr_array_new ();
  self->skus = g_ptr_array_new ();
  self->member_changes = g_ptr_array_new_with_free_func (g_free);
  self->users_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->users_by_upn = g_hash_table_new (g_str_hash, g_str_equal);
  self->groups_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->verified_domains = g_ptr_array_new ();

  self->tenant_id = chunk_guid (self, priv->rand);
  self->display_name = chunk_insert (self, ORGANISATION_NAME);
  self->initial_domain = chunk_insert (self, INITIAL_DOMAIN);
  self->default_domain = chunk_insert (self, CUSTOM_DOMAIN);
  g_ptr_array_add (self->verified_domains, self->default_domain);
  g_ptr_array_add (self->verified_domains, self->initial_domain);
  self->country_letter_code = chunk_insert (self, "GB");
  self->created_date_time = chunk_timestamp (self, 1536656400 + g_rand_int_range (priv->rand, 0, 86400 * 200));
  self->seq = 1;

  for (guint i = 0; i < N_SKUS; i++)
    {
      MusterFakeSku *sku = g_new0 (MusterFakeSku, 1);
      g_auto(GStrv) plans = g_strsplit (sku_infos[i].plans, ";", -1);

      sku->sku_id = (char *) sku_infos[i].sku_id;
      sku->sku_part_number = (char *) sku_infos[i].part_number;
      sku->capability_status = (char *) "Enabled";
      sku->applies_to = (char *) "User";
      sku->service_plans = g_ptr_array_new ();
      sku->service_plan_ids = g_ptr_array_new ();
      for (guint k = 0; plans[k] != NULL; k++)
        {
          char *eq = strchr (plans[k], '=');

          *eq = '\0';
          g_ptr_array_add (sku->service_plans, chunk_insert (self, plans[k]));
          g_ptr_array_add (sku->service_plan_ids, chunk_insert (self, eq + 1));
        }
      g_ptr_array_add (self->skus, sku);
    }
  return self;
}

static guint
pick_weighted (GRand *rand,
               guint  total,
               guint  (*weight_of) (guint),
               guint  n)
{
  guint r = g_rand_int_range (rand, 0, total);

  for (guint i = 0; i < n; i++)
    {
      guint w = weight_of (i);
      if (r < w)
        return i;
      r -= w;
    }
  return n - 1;
}

static guint
department_weight (guint i)
{
  return _muster_fake_departments[i].weight;
}

static guint
office_weight (guint i)
{
  return _muster_fake_offices[i].weight;
}

typedef struct
{
  MusterFakeDirectory *self;
  GRand               *rand;
  gboolean             demo;
  guint                n_users;
  char               **given_aliases;
  char               **surname_aliases;
  guint               *combo_counts;
  GBytes              *shared_photos[N_SHARED_PHOTOS];
  guint               *user_office;      /* office index per user, G_MAXUINT for guests */
  guint               *user_department;  /* department index, G_MAXUINT for none */
  GArray             **department_members;
  MusterFakeUser     **heads;
  MusterFakeUser      *ceo;
  MusterFakeUser      *admin;
} Generator;

static char *
unique_upn (Generator  *gen,
            const char *alias,
            guint       combo,
            const char *domain)
{
  MusterFakeDirectory *self = gen->self;
  char buf[256];
  guint n = combo != G_MAXUINT ? gen->combo_counts[combo]++ : 0;

  for (;;)
    {
      if (n == 0)
        g_snprintf (buf, sizeof buf, "%s@%s", alias, domain);
      else
        g_snprintf (buf, sizeof buf, "%s%u@%s", alias, n + 1, domain);
      if (g_hash_table_lookup (self->users_by_upn, buf) == NULL)
        return g_string_chunk_insert (self->priv->chunk, buf);
      n++;
    }
}

static void
set_photo (Generator      *gen,
           MusterFakeUser *user,
           guint           index_in_tenant)
{
  guint32 pattern = g_str_hash (user->id);

  if (gen->demo)
    user->photo = _muster_fake_photo_new_png (pattern, 64);
  else
    {
      guint k = index_in_tenant % N_SHARED_PHOTOS;

      if (gen->shared_photos[k] == NULL)
        gen->shared_photos[k] = _muster_fake_photo_new_png (0x9e3779b9u * (k + 1), 64);
      user->photo = g_bytes_ref (gen->shared_photos[k]);
    }
  user->photo_content_type = (char *) "image/png";
  user->photo_width = 64;
  user->photo_height = 64;
}

static void
fill_member (Generator      *gen,
             MusterFakeUser *user,
             guint           i)
{
  MusterFakeDirectory *self = gen->self;
  GRand *rand = gen->rand;
  guint office = pick_weighted (rand, 100, office_weight, _muster_fake_n_offices);
  const MusterFakeOffice *o = &_muster_fake_offices[office];
  char buf[256];
  gboolean native;
  guint combo = G_MAXUINT;
  const char *alias;
  g_autofree char *native_alias = NULL;

  gen->user_office[i] = office;

  /* A few people write their name in their own script; in the demo each of them appears once. */
  if (gen->demo)
    native = i >= 12 && i < 12 + _muster_fake_n_native_names;
  else
    native = g_rand_int_range (rand, 0, 1000) < 15;

  if (native)
    {
      guint k = gen->demo ? i - 12 : (guint) g_rand_int_range (rand, 0, _muster_fake_n_native_names);
      const MusterFakeNativeName *nn = &_muster_fake_native_names[k];

      user->display_name = (char *) nn->display_name;
      user->given_name = (char *) nn->given_name;
      user->surname = (char *) nn->surname;
      user->preferred_language = (char *) nn->preferred_language;
      alias = nn->alias;
      combo = _muster_fake_n_given_names * _muster_fake_n_surnames + k;
    }
  else
    {
      guint g = g_rand_int_range (rand, 0, _muster_fake_n_given_names);
      guint s = g_rand_int_range (rand, 0, _muster_fake_n_surnames);

      user->given_name = (char *) _muster_fake_given_names[g];
      user->surname = (char *) _muster_fake_surnames[s];
      g_snprintf (buf, sizeof buf, "%s %s", user->given_name, user->surname);
      user->display_name = g_string_chunk_insert (self->priv->chunk, buf);
      user->preferred_language = (char *) o->preferred_language;
      combo = g * _muster_fake_n_surnames + s;
      native_alias = g_strconcat (gen->given_aliases[g], ".", gen->surname_aliases[s], NULL);
      alias = native_alias;
    }

  user->user_principal_name = unique_upn (gen, alias, combo, self->default_domain);
  user->user_type = (char *) "Member";
  user->company_name = g_rand_int_range (rand, 0, 10) < 9 ? self->display_name : NULL;
  g_snprintf (buf, sizeof buf, "%06u", 100000 + i);
  user->employee_id = g_string_chunk_insert (self->priv->chunk, buf);
  user->office_location = (char *) o->office_location;
  user->city = (char *) o->city;
  user->country = (char *) o->country;
  user->usage_location = (char *) o->usage_location;

  g_snprintf (buf, sizeof buf, "%s%0*u", o->phone_prefix, (int) o->phone_digits,
              (guint) g_rand_int_range (rand, 0, o->phone_digits >= 4 ? 10000 : o->phone_digits == 3 ? 1000 : 100));
  user->business_phones = g_ptr_array_sized_new (1);
  g_ptr_array_add (user->business_phones, g_string_chunk_insert (self->priv->chunk, buf));
  if (g_rand_int_range (rand, 0, 10) < 6)
    {
      /* Ofcom's drama range for mobiles: 07700 900000–900999 */
      g_snprintf (buf, sizeof buf, "+44 7700 900%03u", (guint) g_rand_int_range (rand, 0, 1000));
      user->mobile_phone = g_string_chunk_insert (self->priv->chunk, buf);
    }
  user->on_premises_sync_enabled = g_rand_int_range (rand, 0, 4) == 0;
  user->account_enabled = g_rand_int_range (rand, 0, 100) >= 4;
}

static void
fill_licences_and_mail (Generator      *gen,
                        MusterFakeUser *user,
                        gboolean        senior)
{
  MusterFakeDirectory *self = gen->self;
  GRand *rand = gen->rand;
  guint mask = 0;
  guint r = g_rand_int_range (rand, 0, 100);
  gboolean it = user->department != NULL && g_str_equal (user->department, "IT");
  char buf[300];

  if (senior || it)
    mask |= 1u << SKU_M365_E5;
  else if (r < 42)
    mask |= (1u << SKU_O365_E3) | (g_rand_boolean (rand) ? 1u << SKU_EMS_E3 : 0);
  else if (r < 77)
    mask |= 1u << SKU_M365_E3;
  else if (r < 85)
    mask |= 1u << SKU_M365_E5;
  /* else: unlicensed */

  if (mask != 0 && g_rand_int_range (rand, 0, 100) < 20)
    mask |= 1u << SKU_POWER_BI_STANDARD;
  if (g_rand_int_range (rand, 0, 100) < 10)
    mask |= 1u << SKU_FLOW_FREE;
  if (mask != 0 && g_rand_int_range (rand, 0, 100) < 2)
    mask |= 1u << SKU_PROJECT_PROFESSIONAL;

  user->assigned_licenses = licence_set (self, mask);

  /* No Exchange Online plan, often no mailbox: about half of the unlicensed, and a few others
   * whose mailbox was never made. */
  if ((r >= 85 && !senior && !it && g_rand_boolean (rand)) || g_rand_int_range (rand, 0, 100) < 2)
    {
      user->mail = NULL;
      user->proxy_addresses = g_ptr_array_ref (self->priv->empty);
    }
  else
    {
      const char *at = strchr (user->user_principal_name, '@');

      user->mail = user->user_principal_name;
      user->proxy_addresses = g_ptr_array_sized_new (2);
      g_snprintf (buf, sizeof buf, "SMTP:%s", user->mail);
      g_ptr_array_add (user->proxy_addresses, g_string_chunk_insert (self->priv->chunk, buf));
      g_snprintf (buf, sizeof buf, "smtp:%.*s@%s", (int) (at - user->user_principal_name),
                  user->user_principal_name, self->initial_domain);
      g_ptr_array_add (user->proxy_addresses, g_string_chunk_insert (self->priv->chunk, buf));
    }
}

static void
fill_guest (Generator      *gen,
            MusterFakeUser *user)
{
  MusterFakeDirectory *self = gen->self;
  GRand *rand = gen->rand;
  guint g = g_rand_int_range (rand, 0, _muster_fake_n_given_names);
  guint s = g_rand_int_range (rand, 0, _muster_fake_n_surnames);
  const char *domain = _muster_fake_partner_domains[g_rand_int_range (rand, 0, _muster_fake_n_partner_domains)];
  char buf[300];
  char *external, *p;

  user->given_name = (char *) _muster_fake_given_names[g];
  user->surname = (char *) _muster_fake_surnames[s];
  g_snprintf (buf, sizeof buf, "%s %s", user->given_name, user->surname);
  user->display_name = g_string_chunk_insert (self->priv->chunk, buf);

  /* The invited address, then the guest UPN Entra derives from it:
   * alice@partner.example → alice_partner.example#EXT#@tenant.onmicrosoft.com */
  {
    guint used = gen->combo_counts[g * _muster_fake_n_surnames + s]++;

    if (used == 0)
      g_snprintf (buf, sizeof buf, "%s.%s@%s", gen->given_aliases[g], gen->surname_aliases[s], domain);
    else
      g_snprintf (buf, sizeof buf, "%s.%s%u@%s", gen->given_aliases[g], gen->surname_aliases[s], used + 1, domain);
  }
  external = g_string_chunk_insert (self->priv->chunk, buf);
  p = strchr (buf, '@');
  *p = '_';
  g_strlcat (buf, "#EXT#@", sizeof buf);
  g_strlcat (buf, self->initial_domain, sizeof buf);
  user->user_principal_name = g_string_chunk_insert (self->priv->chunk, buf);

  user->mail = external;
  user->other_mails = g_ptr_array_sized_new (1);
  g_ptr_array_add (user->other_mails, external);
  user->proxy_addresses = g_ptr_array_sized_new (1);
  g_snprintf (buf, sizeof buf, "SMTP:%s", external);
  g_ptr_array_add (user->proxy_addresses, g_string_chunk_insert (self->priv->chunk, buf));
  user->business_phones = g_ptr_array_ref (self->priv->empty);
  user->assigned_licenses = licence_set (self, 0);
  user->user_type = (char *) "Guest";
  user->account_enabled = TRUE;
}

static void
add_generated_user (MusterFakeDirectory *self,
                    MusterFakeUser      *user)
{
  if (user->business_phones == NULL)
    user->business_phones = g_ptr_array_ref (self->priv->empty);
  if (user->other_mails == NULL)
    user->other_mails = g_ptr_array_ref (self->priv->empty);
  if (user->proxy_addresses == NULL)
    user->proxy_addresses = g_ptr_array_ref (self->priv->empty);
  if (user->assigned_licenses == NULL)
    user->assigned_licenses = g_ptr_array_ref (self->priv->empty);
  user->changed_seq = 1;
  g_ptr_array_add (self->users, user);
  g_hash_table_insert (self->users_by_id, user->id, user);
  upn_index_insert (self, user);
  count_licences (self, user->assigned_licenses, 1);
  self->priv->n_live_users++;
}

static void
generate_users (Generator *gen)
{
  MusterFakeDirectory *self = gen->self;
  GRand *rand = gen->rand;
  guint n = gen->n_users;
  guint n_heads = MIN (_muster_fake_n_departments, n > 0 ? n - 1 : 0);
  gint64 created_from = 1546300800;  /* 2019-01-01 */
  gint64 created_span = 1767225600 - created_from;

  self->priv->user_block = g_new0 (MusterFakeUser, n);
  self->priv->n_block_users = n;
  gen->user_office = g_new (guint, n);
  gen->user_department = g_new (guint, n);
  gen->department_members = g_new0 (GArray *, _muster_fake_n_departments);
  gen->heads = g_new0 (MusterFakeUser *, _muster_fake_n_departments);
  for (guint d = 0; d < _muster_fake_n_departments; d++)
    gen->department_members[d] = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < n; i++)
    {
      MusterFakeUser *user = &self->priv->user_block[i];
      gboolean guest;
      guint dept;

      user->id = chunk_guid (self, rand);
      user->created_date_time = chunk_timestamp (self, created_from + (i == 0 ? 0 : (gint64) (g_rand_double (rand) * created_span)));
      gen->user_department[i] = G_MAXUINT;

      /* About one in twenty-five is a guest; the demo ends with a few for sure. */
      guest = i > n_heads + 1 + (gen->demo ? _muster_fake_n_native_names + 12 : 0)
              && (g_rand_int_range (rand, 0, 100) < 4 || (n >= 20 && i >= n - 3));
      if (guest)
        {
          gen->user_office[i] = G_MAXUINT;
          fill_guest (gen, user);
          if (g_rand_int_range (rand, 0, 3) == 0)
            user->company_name = (char *) "Brightwater Consulting";
          add_generated_user (self, user);
          continue;
        }

      fill_member (gen, user, i);

      if (i == 0)
        {
          gen->ceo = user;
          user->job_title = (char *) "Chief Executive Officer";
          user->department = (char *) "Executive Office";
          user->account_enabled = TRUE;
          fill_licences_and_mail (gen, user, TRUE);
        }
      else if (i <= n_heads)
        {
          dept = i - 1;
          gen->heads[dept] = user;
          gen->user_department[i] = dept;
          user->department = (char *) _muster_fake_departments[dept].name;
          user->job_title = (char *) _muster_fake_departments[dept].head_title;
          user->manager_id = gen->ceo->id;
          user->account_enabled = TRUE;
          fill_licences_and_mail (gen, user, TRUE);
        }
      else
        {
          const MusterFakeDepartment *d;
          GArray *members;
          guint j;

          /* The administrator is the first person in IT; everyone else is drawn by weight. */
          if (gen->admin == NULL && n_heads == _muster_fake_n_departments)
            dept = _muster_fake_n_departments - 1;
          else
            dept = pick_weighted (rand, 100, department_weight, _muster_fake_n_departments);
          if (gen->heads[dept] == NULL)
            dept = 0;
          d = &_muster_fake_departments[dept];
          members = gen->department_members[dept];
          j = members->len;
          g_array_append_val (members, i);
          gen->user_department[i] = dept;
          user->department = (char *) d->name;

          /* A tree under the head: the first few lead, everyone after reports to an earlier
           * member, so every chain ends at the CEO and none loops. */
          if (j < REPORTS_PER_LEAD)
            {
              user->manager_id = gen->heads[dept]->id;
              user->job_title = (char *) d->lead_title;
            }
          else
            {
              guint manager_index = g_array_index (members, guint, j / REPORTS_PER_LEAD - 1);

              user->manager_id = self->priv->user_block[manager_index].id;
              user->job_title = (char *) d->titles[g_rand_int_range (rand, 0, g_strv_length ((char **) d->titles))];
            }

          if (gen->admin == NULL && dept == _muster_fake_n_departments - 1)
            {
              gen->admin = user;
              user->job_title = (char *) "IT Administrator";
              user->account_enabled = TRUE;
            }
          fill_licences_and_mail (gen, user, user == gen->admin);
        }

      if (gen->demo ? g_rand_int_range (rand, 0, 100) < 85 : g_rand_int_range (rand, 0, 100) < 80)
        set_photo (gen, user, i);
      add_generated_user (self, user);
    }

  if (gen->admin == NULL)
    gen->admin = gen->ceo;
  self->admin_id = gen->admin->id;
}

/* Values that break naive CSV exports, terminals and spreadsheets, as real directories hold. */
static void
plant_hostile_values (Generator *gen)
{
  MusterFakeDirectory *self = gen->self;
  guint n = gen->n_users;
  static const char * const departments[] = { "+Special Projects", "@Facilities", "-Temporary Staff" };
  guint planted = 0;

  if (n < 40)
    return;

  for (guint i = n / 2; i < n && planted < 5; i++)
    {
      MusterFakeUser *user = &self->priv->user_block[i];

      if (g_str_equal (user->user_type, "Guest") || user == gen->admin)
        continue;
      switch (planted)
        {
        case 0:
          user->job_title = (char *) "=HYPERLINK(\"http://attacker.example/\",\"Click for bonus\")";
          break;
        case 1:
          user->display_name = (char *) "Mallory\tTabbed \x1b[31mRed\x1b[0m Quinn";
          break;
        default:
          user->department = (char *) departments[planted - 2];
          break;
        }
      planted++;
    }
}

static void
generate_skus (Generator *gen)
{
  MusterFakeDirectory *self = gen->self;

  for (guint i = 0; i < N_SKUS; i++)
    {
      MusterFakeSku *sku = self->skus->pdata[i];
      guint consumed = sku->consumed_units;

      switch (i)
        {
        case SKU_FLOW_FREE:
          sku->prepaid_enabled = MAX (10000, consumed);  /* self-service viral SKU */
          break;
        case SKU_POWER_BI_STANDARD:
          sku->prepaid_enabled = MAX (1000000, consumed);
          break;
        case SKU_PROJECT_PROFESSIONAL:
          /* a lapsed subscription: seats suspended, still assigned */
          sku->capability_status = (char *) "Suspended";
          sku->prepaid_enabled = 0;
          sku->prepaid_suspended = consumed + 2;
          break;
        case SKU_EMS_E3:
          /* in its grace period after expiry */
          sku->capability_status = (char *) "Warning";
          sku->prepaid_enabled = 0;
          sku->prepaid_warning = (consumed + 24) / 25 * 25;
          break;
        default:
          sku->prepaid_enabled = (consumed + consumed / 10 + 25) / 25 * 25;
          break;
        }
    }
}

static MusterFakeGroup *
new_group (Generator          *gen,
           MusterFakeGroup    *group,
           const char         *name,
           const char         *nickname,
           MusterFakeGroupKind kind,
           const char         *description,
           const char         *rule)
{
  MusterFakeDirectory *self = gen->self;
  char buf[256];

  group->id = chunk_guid (self, gen->rand);
  group->display_name = chunk_insert (self, name);
  group->description = chunk_insert (self, description);
  if (nickname == NULL)
    {
      g_autofree char *alias = alias_for (name);
      group->mail_nickname = chunk_insert (self, alias);
    }
  else
    group->mail_nickname = chunk_insert (self, nickname);
  if (kind != MUSTER_FAKE_GROUP_SECURITY)
    {
      g_snprintf (buf, sizeof buf, "%s@%s", group->mail_nickname, self->default_domain);
      group->mail = chunk_insert (self, buf);
    }
  group->created_date_time = chunk_timestamp (self, 1577836800 + g_rand_int_range (gen->rand, 0, 86400 * 1800));
  group->kind = kind;
  group->membership_rule = chunk_insert (self, rule);
  group->dynamic = rule != NULL;
  group->member_ids = g_ptr_array_new ();
  group->changed_seq = 1;
  g_ptr_array_add (self->groups, group);
  g_hash_table_insert (self->groups_by_id, group->id, group);
  self->priv->n_live_groups++;
  return group;
}

/* Adds about @per_mille ‰ of @indexes (all users when NULL), with geometric skips so a
 * million-user tenant doesn't draw a random number per user per group. */
static void
pick_members (Generator       *gen,
              MusterFakeGroup *group,
              GArray          *indexes,
              guint            per_mille,
              gboolean         members_only)
{
  MusterFakeDirectory *self = gen->self;
  guint total = indexes ? indexes->len : gen->n_users;
  guint max_step;

  if (per_mille == 0 || total == 0)
    return;
  max_step = MAX (1, 2000 / per_mille - 1);

  for (guint k = g_rand_int_range (gen->rand, 0, max_step); k < total;
       k += per_mille >= 1000 ? 1 : 1 + g_rand_int_range (gen->rand, 0, max_step))
    {
      guint i = indexes ? g_array_index (indexes, guint, k) : k;
      MusterFakeUser *user = &self->priv->user_block[i];

      if (members_only && g_str_equal (user->user_type, "Guest"))
        continue;
      group_add_member (self, group, user->id, FALSE);
    }
}

static void
fill_group_from_spec (Generator       *gen,
                      MusterFakeGroup *group,
                      const GroupSpec *spec)
{
  MusterFakeDirectory *self = gen->self;

  if (spec->rule != NULL)
    {
      g_autoptr(GPtrArray) clauses = rule_parse (spec->rule);

      g_assert (clauses != NULL);
      for (guint i = 0; i < gen->n_users; i++)
        if (rule_matches (clauses, &self->priv->user_block[i]))
          group_add_member (self, group, self->priv->user_block[i].id, FALSE);
      return;
    }

  switch (spec->pick)
    {
    case PICK_NONE:
      break;
    case PICK_LEADERSHIP:
      group_add_member (self, group, gen->ceo->id, FALSE);
      for (guint d = 0; d < _muster_fake_n_departments; d++)
        if (gen->heads[d] != NULL)
          group_add_member (self, group, gen->heads[d]->id, FALSE);
      break;
    case PICK_RANDOM:
      pick_members (gen, group, NULL, spec->per_mille, FALSE);
      break;
    case PICK_DEPARTMENT:
    case PICK_HEADS_AND_LEADS:
      for (guint d = 0; d < _muster_fake_n_departments; d++)
        {
          GArray *members = gen->department_members[d];

          if (!g_str_equal (_muster_fake_departments[d].name, spec->pick_arg) || gen->heads[d] == NULL)
            continue;
          if (spec->pick == PICK_HEADS_AND_LEADS)
            {
              group_add_member (self, group, gen->heads[d]->id, FALSE);
              for (guint k = 0; k < MIN (members->len, REPORTS_PER_LEAD); k++)
                group_add_member (self, group, self->priv->user_block[g_array_index (members, guint, k)].id, FALSE);
            }
          else
            pick_members (gen, group, members, spec->per_mille, TRUE);
        }
      break;
    case PICK_OFFICE:
      {
        g_autoptr(GArray) in_office = g_array_new (FALSE, FALSE, sizeof (guint));

        for (guint i = 0; i < gen->n_users; i++)
          if (gen->user_office[i] != G_MAXUINT
              && g_str_equal (_muster_fake_offices[gen->user_office[i]].office_location, spec->pick_arg))
            g_array_append_val (in_office, i);
        pick_members (gen, group, in_office, spec->per_mille, TRUE);
      }
      break;
    case PICK_IT_ADMINS:
      group_add_member (self, group, gen->admin->id, FALSE);
      if (gen->heads[_muster_fake_n_departments - 1] != NULL)
        {
          GArray *members = gen->department_members[_muster_fake_n_departments - 1];
          g_autoptr(GArray) others = g_array_new (FALSE, FALSE, sizeof (guint));

          group_add_member (self, group, gen->heads[_muster_fake_n_departments - 1]->id, FALSE);
          for (guint k = 0; k < members->len; k++)
            if (&self->priv->user_block[g_array_index (members, guint, k)] != gen->admin)
              g_array_append_val (others, g_array_index (members, guint, k));
          pick_members (gen, group, others, spec->per_mille, TRUE);
        }
      break;
    case PICK_SKU:
      {
        MusterFakeSku *sku = NULL;

        for (guint s = 0; s < self->skus->len; s++)
          if (g_str_equal (((MusterFakeSku *) self->skus->pdata[s])->sku_part_number, spec->pick_arg))
            sku = self->skus->pdata[s];
        for (guint i = 0; sku != NULL && i < gen->n_users; i++)
          {
            MusterFakeUser *user = &self->priv->user_block[i];

            if (g_ptr_array_find (user->assigned_licenses, sku->sku_id, NULL))
              group_add_member (self, group, user->id, FALSE);
          }
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
generate_groups (Generator *gen,
                 guint      n_groups)
{
  MusterFakeDirectory *self = gen->self;
  guint n_specs = MIN (n_groups, G_N_ELEMENTS (group_specs));
  MusterFakeGroup *previous_security = NULL;

  self->priv->group_block = g_new0 (MusterFakeGroup, MAX (n_groups, 1));
  self->priv->n_block_groups = n_groups;

  for (guint g = 0; g < n_specs; g++)
    {
      const GroupSpec *spec = &group_specs[g];
      MusterFakeGroup *group = new_group (gen, &self->priv->group_block[g], spec->name, spec->nickname,
                                          spec->kind, spec->description, spec->rule);

      fill_group_from_spec (gen, group, spec);
    }

  /* Nesting after every spec group exists (a group may contain a later one). */
  for (guint g = 0; g < n_specs; g++)
    for (guint k = 0; k < G_N_ELEMENTS (group_specs[g].nested); k++)
      {
        gint nested = group_specs[g].nested[k];

        if (nested >= 0 && (guint) nested < n_specs)
          group_add_member (self, &self->priv->group_block[g], self->priv->group_block[nested].id, FALSE);
      }

  for (guint g = n_specs; g < n_groups; g++)
    {
      static const MusterFakeGroupKind kinds[] = {
        MUSTER_FAKE_GROUP_MICROSOFT365, MUSTER_FAKE_GROUP_SECURITY,
        MUSTER_FAKE_GROUP_MAIL_SECURITY, MUSTER_FAKE_GROUP_DISTRIBUTION,
      };
      static const char * const suffixes[] = { "Project", "Access", "Approvers", "Updates" };
      static const guint sizes[] = { 2, 10, 50, 200 };
      MusterFakeGroupKind kind = kinds[g % 4];
      const char *word = _muster_fake_project_words[g % _muster_fake_n_project_words];
      g_autofree char *name = g % 4 == 0
        ? g_strdup_printf ("%s %s %u", suffixes[0], word, g)
        : g_strdup_printf ("%s %s %u", word, suffixes[g % 4], g);
      g_autofree char *rule = NULL;
      MusterFakeGroup *group;

      /* every seventh is a dynamic group per department (security or Microsoft 365 only) */
      if (g % 7 == 3 && (kind == MUSTER_FAKE_GROUP_SECURITY || kind == MUSTER_FAKE_GROUP_MICROSOFT365))
        rule = g_strdup_printf ("(user.department -eq \"%s\") -and (user.accountEnabled -eq true)",
                                _muster_fake_departments[g % _muster_fake_n_departments].name);

      group = new_group (gen, &self->priv->group_block[g], name, NULL, kind,
                         "Generated group", rule);
      if (rule != NULL)
        {
          g_autoptr(GPtrArray) clauses = rule_parse (rule);

          for (guint i = 0; i < gen->n_users; i++)
            if (rule_matches (clauses, &self->priv->user_block[i]))
              group_add_member (self, group, self->priv->user_block[i].id, FALSE);
        }
      else
        pick_members (gen, group, NULL, sizes[g_rand_int_range (gen->rand, 0, G_N_ELEMENTS (sizes))], FALSE);

      /* security groups nest in a chain, every fifth one contains the previous one */
      if (kind == MUSTER_FAKE_GROUP_SECURITY && rule == NULL)
        {
          if (previous_security != NULL && g % 5 == 0)
            group_add_member (self, group, previous_security->id, FALSE);
          previous_security = group;
        }
    }
}

static MusterFakeDirectory *
generate (guint64  seed,
          guint    n_users,
          guint    n_groups,
          gboolean demo)
{
  MusterFakeDirectory *self = directory_new (seed);
  Generator gen = { 0 };

  gen.self = self;
  gen.rand = self->priv->rand;
  gen.demo = demo;
  gen.n_users = MAX (n_users, 1);
  gen.given_aliases = g_new0 (char *, _muster_fake_n_given_names + 1);
  gen.surname_aliases = g_new0 (char *, _muster_fake_n_surnames + 1);
  for (guint i = 0; i < _muster_fake_n_given_names; i++)
    gen.given_aliases[i] = alias_for (_muster_fake_given_names[i]);
  for (guint i = 0; i < _muster_fake_n_surnames; i++)
    gen.surname_aliases[i] = alias_for (_muster_fake_surnames[i]);
  /* how often each given name + surname (then each native name) was used, for UPN suffixes */
  gen.combo_counts = g_new0 (guint, _muster_fake_n_given_names * _muster_fake_n_surnames
                                    + _muster_fake_n_native_names);

  generate_users (&gen);
  plant_hostile_values (&gen);
  generate_skus (&gen);
  generate_groups (&gen, n_groups);

  for (guint i = 0; i < N_SHARED_PHOTOS; i++)
    g_clear_pointer (&gen.shared_photos[i], g_bytes_unref);
  for (guint d = 0; d < _muster_fake_n_departments; d++)
    g_array_unref (gen.department_members[d]);
  g_free (gen.department_members);
  g_free (gen.heads);
  g_free (gen.user_office);
  g_free (gen.user_department);
  g_free (gen.combo_counts);
  g_strfreev (gen.given_aliases);
  g_strfreev (gen.surname_aliases);

  self->seq = 1;
  return self;
}

/* ---- public API --------------------------------------------------------------------------- */

/**
 * muster_fake_directory_new_demo:
 *
 * "Larkfield Instruments": 250 people in ten departments under a CEO, guests from partner
 * organisations, 26 groups of the four kinds (dynamic and nested ones among them), seven
 * licences, photos for most people, and the awkward values real tenants hold.
 */
MusterFakeDirectory *
muster_fake_directory_new_demo (guint64 seed)
{
  return generate (seed, DEMO_USERS, G_N_ELEMENTS (group_specs), TRUE);
}

MusterFakeDirectory *
muster_fake_directory_new_generated (guint64 seed,
                                     guint   n_users,
                                     guint   n_groups)
{
  return generate (seed, n_users, n_groups, FALSE);
}

void
muster_fake_directory_free (MusterFakeDirectory *self)
{
  MusterFakeDirectoryPrivate *priv;

  if (self == NULL)
    return;
  priv = self->priv;

  for (guint i = 0; i < self->users->len; i++)
    {
      MusterFakeUser *user = self->users->pdata[i];

      g_clear_pointer (&user->business_phones, g_ptr_array_unref);
      g_clear_pointer (&user->other_mails, g_ptr_array_unref);
      g_clear_pointer (&user->proxy_addresses, g_ptr_array_unref);
      g_clear_pointer (&user->assigned_licenses, g_ptr_array_unref);
      g_clear_pointer (&user->photo, g_bytes_unref);
      if (user < priv->user_block || user >= priv->user_block + priv->n_block_users)
        g_free (user);
    }
  for (guint i = 0; i < self->groups->len; i++)
    {
      MusterFakeGroup *group = self->groups->pdata[i];

      g_clear_pointer (&group->member_ids, g_ptr_array_unref);
      if (group < priv->group_block || group >= priv->group_block + priv->n_block_groups)
        g_free (group);
    }
  for (guint i = 0; i < self->skus->len; i++)
    {
      MusterFakeSku *sku = self->skus->pdata[i];

      g_ptr_array_unref (sku->service_plans);
      g_ptr_array_unref (sku->service_plan_ids);
      g_free (sku);
    }

  g_hash_table_unref (self->users_by_id);
  g_hash_table_unref (self->users_by_upn);
  g_hash_table_unref (self->groups_by_id);
  g_ptr_array_unref (self->users);
  g_ptr_array_unref (self->groups);
  g_ptr_array_unref (self->skus);
  g_ptr_array_unref (self->member_changes);
  g_ptr_array_unref (self->verified_domains);

  g_clear_pointer (&priv->member_of, g_hash_table_unref);
  for (guint i = 0; i < G_N_ELEMENTS (priv->sorted); i++)
    g_clear_pointer (&priv->sorted[i], g_ptr_array_unref);
  g_ptr_array_unref (priv->licence_sets);
  g_ptr_array_unref (priv->empty);
  g_free (priv->user_block);
  g_free (priv->group_block);
  g_rand_free (priv->rand);
  g_hash_table_unref (priv->upn_keys);
  g_hash_table_unref (priv->owned);
  g_string_chunk_free (priv->chunk);
  g_free (priv);
  g_free (self);
}

MusterFakeUser *
muster_fake_directory_lookup_user (MusterFakeDirectory *self,
                                   const char          *id_or_upn)
{
  MusterFakeUser *user;

  g_return_val_if_fail (self != NULL, NULL);
  if (id_or_upn == NULL)
    return NULL;

  user = g_hash_table_lookup (self->users_by_id, id_or_upn);
  if (user == NULL)
    {
      g_autofree char *lower = g_ascii_strdown (id_or_upn, -1);

      user = g_hash_table_lookup (self->users_by_id, lower);
      if (user == NULL)
        user = g_hash_table_lookup (self->users_by_upn, lower);
    }
  return user != NULL && !user->deleted ? user : NULL;
}

MusterFakeGroup *
muster_fake_directory_lookup_group (MusterFakeDirectory *self,
                                    const char          *id)
{
  MusterFakeGroup *group;

  g_return_val_if_fail (self != NULL, NULL);
  if (id == NULL)
    return NULL;

  group = g_hash_table_lookup (self->groups_by_id, id);
  if (group == NULL)
    {
      g_autofree char *lower = g_ascii_strdown (id, -1);
      group = g_hash_table_lookup (self->groups_by_id, lower);
    }
  return group != NULL && !group->deleted ? group : NULL;
}

MusterFakeUser *
muster_fake_directory_get_admin (MusterFakeDirectory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_hash_table_lookup (self->users_by_id, self->admin_id);
}

gboolean
muster_fake_directory_is_group_id (MusterFakeDirectory *self,
                                   const char          *id)
{
  return muster_fake_directory_lookup_group (self, id) != NULL;
}

MusterFakeSku *
muster_fake_directory_lookup_sku (MusterFakeDirectory *self,
                                  const char          *sku_id)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; sku_id != NULL && i < self->skus->len; i++)
    {
      MusterFakeSku *sku = self->skus->pdata[i];

      if (g_ascii_strcasecmp (sku->sku_id, sku_id) == 0)
        return sku;
    }
  return NULL;
}

guint
muster_fake_directory_count_users (MusterFakeDirectory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->priv->n_live_users;
}

guint
muster_fake_directory_count_groups (MusterFakeDirectory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->priv->n_live_groups;
}

GPtrArray *
muster_fake_directory_member_of (MusterFakeDirectory *self,
                                 const char          *member_id)
{
  GPtrArray *result = g_ptr_array_new ();
  GPtrArray *groups;
  gboolean is_group;
  const char *id;

  g_return_val_if_fail (self != NULL, result);

  id = canonical_id (self, member_id, &is_group);
  if (id == NULL)
    return result;
  groups = g_hash_table_lookup (member_of_index (self), id);
  for (guint i = 0; groups != NULL && i < groups->len; i++)
    {
      MusterFakeGroup *group = groups->pdata[i];

      if (!group->deleted)
        g_ptr_array_add (result, group);
    }
  return result;
}

GPtrArray *
muster_fake_directory_transitive_member_of (MusterFakeDirectory *self,
                                            const char          *member_id)
{
  GPtrArray *result = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  gboolean is_group;
  const char *id;

  g_return_val_if_fail (self != NULL, result);

  id = canonical_id (self, member_id, &is_group);
  if (id == NULL)
    return result;

  /* breadth-first upwards; `seen` keeps cycles from looping and each group once */
  {
    g_autoptr(GPtrArray) direct = muster_fake_directory_member_of (self, id);

    for (guint i = 0; i < direct->len; i++)
      if (g_hash_table_add (seen, direct->pdata[i]))
        g_ptr_array_add (result, direct->pdata[i]);
  }
  for (guint k = 0; k < result->len; k++)
    {
      MusterFakeGroup *group = result->pdata[k];
      GPtrArray *parents = g_hash_table_lookup (member_of_index (self), group->id);

      for (guint i = 0; parents != NULL && i < parents->len; i++)
        {
          MusterFakeGroup *parent = parents->pdata[i];

          if (!parent->deleted && g_hash_table_add (seen, parent))
            g_ptr_array_add (result, parent);
        }
    }
  return result;
}

GPtrArray *
muster_fake_directory_transitive_members (MusterFakeDirectory *self,
                                          MusterFakeGroup     *group)
{
  GPtrArray *result = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) queue = g_ptr_array_new ();

  g_return_val_if_fail (self != NULL && group != NULL, result);

  g_hash_table_add (seen, group->id);
  g_ptr_array_add (queue, group);
  for (guint q = 0; q < queue->len; q++)
    {
      MusterFakeGroup *current = queue->pdata[q];

      for (guint i = 0; i < current->member_ids->len; i++)
        {
          char *id = current->member_ids->pdata[i];
          MusterFakeGroup *nested;

          if (!g_hash_table_add (seen, id))
            continue;
          g_ptr_array_add (result, id);
          nested = g_hash_table_lookup (self->groups_by_id, id);
          if (nested != NULL && !nested->deleted)
            g_ptr_array_add (queue, nested);
        }
    }
  return result;
}

GPtrArray *
muster_fake_directory_direct_reports (MusterFakeDirectory *self,
                                      const char          *manager_id)
{
  GPtrArray *result = g_ptr_array_new ();
  MusterFakeUser *manager = muster_fake_directory_lookup_user (self, manager_id);

  if (manager == NULL)
    return result;
  for (guint i = 0; i < self->users->len; i++)
    {
      MusterFakeUser *user = self->users->pdata[i];

      if (!user->deleted && user->manager_id == manager->id)
        g_ptr_array_add (result, user);
    }
  return result;
}

static gint
compare_by_display_name (gconstpointer a,
                         gconstpointer b)
{
  const MusterFakeUser *ua = *(MusterFakeUser * const *) a;
  const MusterFakeUser *ub = *(MusterFakeUser * const *) b;
  gint r = g_ascii_strcasecmp (ua->display_name, ub->display_name);

  if (r == 0)
    r = strcmp (ua->display_name, ub->display_name);
  return r != 0 ? r : strcmp (ua->id, ub->id);
}

static gint
compare_by_upn (gconstpointer a,
                gconstpointer b)
{
  const MusterFakeUser *ua = *(MusterFakeUser * const *) a;
  const MusterFakeUser *ub = *(MusterFakeUser * const *) b;
  gint r = g_ascii_strcasecmp (ua->user_principal_name, ub->user_principal_name);

  return r != 0 ? r : strcmp (ua->id, ub->id);
}

GPtrArray *
muster_fake_directory_sorted_users (MusterFakeDirectory *self,
                                    const char          *property)
{
  MusterFakeDirectoryPrivate *priv;
  guint which;

  g_return_val_if_fail (self != NULL, NULL);
  priv = self->priv;

  if (g_strcmp0 (property, "displayName") == 0)
    which = 0;
  else if (g_strcmp0 (property, "userPrincipalName") == 0)
    which = 1;
  else
    return NULL;

  if (priv->sorted[which] == NULL || priv->sorted_seq[which] != self->seq)
    {
      g_clear_pointer (&priv->sorted[which], g_ptr_array_unref);
      priv->sorted[which] = g_ptr_array_sized_new (priv->n_live_users);
      for (guint i = 0; i < self->users->len; i++)
        {
          MusterFakeUser *user = self->users->pdata[i];

          if (!user->deleted)
            g_ptr_array_add (priv->sorted[which], user);
        }
      g_ptr_array_sort (priv->sorted[which], which == 0 ? compare_by_display_name : compare_by_upn);
      priv->sorted_seq[which] = self->seq;
    }
  return priv->sorted[which];
}

/* ---- mutations ---------------------------------------------------------------------------- */

static gboolean
invalid_value (GError    **error,
               const char *field)
{
  /* Graph's wording for a property value it refuses */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Invalid value specified for property '%s' of resource 'User'.", field);
  return FALSE;
}

static gboolean
upn_domain_is_verified (MusterFakeDirectory *self,
                        const char          *upn)
{
  const char *at = strrchr (upn, '@');

  if (at == NULL || at == upn || at[1] == '\0' || strchr (upn, '@') != at || strchr (upn, ' ') != NULL)
    return FALSE;
  for (guint i = 0; i < self->verified_domains->len; i++)
    if (g_ascii_strcasecmp (at + 1, self->verified_domains->pdata[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
validate_update (MusterFakeDirectory *self,
                 MusterFakeUser      *user,
                 const char          *field,
                 const char          *value,
                 GError             **error)
{
  static const struct { const char *name; guint max; } lengths[] = {
    /* user resource, GRAPH:api-reference/v1.0/resources/user.md */
    { "displayName", 256 }, { "givenName", 64 }, { "surname", 64 }, { "jobTitle", 128 },
    { "department", 64 }, { "companyName", 64 }, { "employeeId", 16 }, { "officeLocation", 128 },
    { "mobilePhone", 64 }, { "city", 128 }, { "country", 128 }, { "preferredLanguage", 16 },
    { "userPrincipalName", 113 }, { "mail", 256 },
  };
  MusterFakeUser probe = { 0 };

  if (value != NULL && !g_utf8_validate (value, -1, NULL))
    return invalid_value (error, field);
  for (guint i = 0; value != NULL && i < G_N_ELEMENTS (lengths); i++)
    if (g_str_equal (field, lengths[i].name) && g_utf8_strlen (value, -1) > lengths[i].max)
      return invalid_value (error, field);

  if (g_str_equal (field, "displayName"))
    {
      if (value == NULL || *value == '\0')
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "userPrincipalName"))
    {
      MusterFakeUser *other;
      g_autofree char *lower = NULL;

      if (value == NULL || !upn_domain_is_verified (self, value))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "The domain portion of the userPrincipalName property is invalid. "
                       "You must use one of the verified domain names in your organization.");
          return FALSE;
        }
      lower = g_ascii_strdown (value, -1);
      other = g_hash_table_lookup (self->users_by_upn, lower);
      if (other != NULL && other != user)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                       "Another object with the same value for property userPrincipalName already exists.");
          return FALSE;
        }
    }
  else if (g_str_equal (field, "userType"))
    {
      if (g_strcmp0 (value, "Member") != 0 && g_strcmp0 (value, "Guest") != 0)
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "usageLocation"))
    {
      if (value == NULL)
        {
          if (user != NULL && user->assigned_licenses->len > 0)
            return invalid_value (error, field);
        }
      else if (strlen (value) != 2 || !g_ascii_isalpha (value[0]) || !g_ascii_isalpha (value[1]))
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "createdDateTime"))
    {
      g_autoptr(GDateTime) dt = value ? g_date_time_new_from_iso8601 (value, NULL) : NULL;

      if (dt == NULL)
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "accountEnabled") || g_str_equal (field, "onPremisesSyncEnabled"))
    {
      if (g_strcmp0 (value, "true") != 0 && g_strcmp0 (value, "false") != 0)
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "manager"))
    {
      MusterFakeUser *manager = muster_fake_directory_lookup_user (self, value);

      if (value != NULL && manager == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "Resource '%s' does not exist or one of its queried reference-property objects are not present.",
                       value);
          return FALSE;
        }
      if (manager != NULL && manager == user)
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "assignedLicenses"))
    {
      g_autoptr(GPtrArray) wanted = strv_to_array (value);

      for (guint i = 0; i < wanted->len; i++)
        {
          MusterFakeSku *sku = muster_fake_directory_lookup_sku (self, wanted->pdata[i]);
          gboolean already = user != NULL && array_has_string (user->assigned_licenses, wanted->pdata[i]);

          /* wording of assignLicense's errors (GRAPH:api-reference/v1.0/api/user-assignlicense.md) */
          if (sku == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "License %s does not correspond to a valid company License.",
                           (char *) wanted->pdata[i]);
              return FALSE;
            }
          if (!already && sku->consumed_units >= sku->prepaid_enabled + sku->prepaid_warning)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Subscription with SKU %s does not have any available licenses.", sku->sku_id);
              return FALSE;
            }
        }
      /* for a user about to be created the caller checks this against the whole request */
      if (wanted->len > 0 && user != NULL && user->usage_location == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "License assignment cannot be done for user with invalid usage location.");
          return FALSE;
        }
    }
  else if (g_str_equal (field, "businessPhones"))
    {
      g_autoptr(GPtrArray) phones = strv_to_array (value);

      /* "Only one number can be set for this property." (user resource) */
      if (phones->len > 1)
        return invalid_value (error, field);
    }
  else if (g_str_equal (field, "otherMails"))
    ;
  else if (g_str_equal (field, "mail"))
    {
      if (value != NULL && (strchr (value, '@') == NULL || strchr (value, ' ') != NULL))
        return invalid_value (error, field);
    }
  else if (user_string_field (&probe, field) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Property '%s' does not exist on type 'microsoft.graph.user'.", field);
      return FALSE;
    }
  return TRUE;
}

gboolean
muster_fake_directory_validate_user_update (MusterFakeDirectory *self,
                                            const char          *id,
                                            const char          *field,
                                            const char          *value,
                                            GError             **error)
{
  MusterFakeUser *user = NULL;

  g_return_val_if_fail (self != NULL && field != NULL, FALSE);

  if (id != NULL)
    {
      user = muster_fake_directory_lookup_user (self, id);
      if (user == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "Resource '%s' does not exist or one of its queried reference-property objects are not present.", id);
          return FALSE;
        }
    }
  return validate_update (self, user, field, value, error);
}

static void
set_mail (MusterFakeDirectory *self,
          MusterFakeUser      *user,
          const char          *value)
{
  GPtrArray *proxies = g_ptr_array_new_with_free_func (g_free);

  /* Exchange keeps the primary SMTP address upper-case "SMTP:" and older ones as aliases. */
  if (value != NULL)
    {
      g_ptr_array_add (proxies, g_strconcat ("SMTP:", value, NULL));
      for (guint i = 0; i < user->proxy_addresses->len; i++)
        {
          const char *old = user->proxy_addresses->pdata[i];

          if (g_ascii_strncasecmp (old, "smtp:", 5) == 0 && g_ascii_strcasecmp (old + 5, value) != 0)
            g_ptr_array_add (proxies, g_strconcat ("smtp:", old + 5, NULL));
          else if (g_ascii_strncasecmp (old, "smtp:", 5) != 0)
            g_ptr_array_add (proxies, g_strdup (old));
        }
    }
  set_owned (self, &user->mail, value);
  replace_array (&user->proxy_addresses, proxies);
}

static gboolean
apply_update (MusterFakeDirectory *self,
              MusterFakeUser      *user,
              const char          *field,
              const char          *value)
{
  if (g_str_equal (field, "accountEnabled") || g_str_equal (field, "onPremisesSyncEnabled"))
    {
      gboolean *target = g_str_equal (field, "accountEnabled") ? &user->account_enabled : &user->on_premises_sync_enabled;
      gboolean enabled = g_str_equal (value, "true");

      if (*target == enabled)
        return FALSE;
      *target = enabled;
    }
  else if (g_str_equal (field, "manager"))
    {
      MusterFakeUser *manager = muster_fake_directory_lookup_user (self, value);
      char *id = manager ? manager->id : NULL;

      if (user->manager_id == id)
        return FALSE;
      user->manager_id = id;
    }
  else if (g_str_equal (field, "assignedLicenses"))
    {
      g_autoptr(GPtrArray) wanted = strv_to_array (value);
      GPtrArray *licences = g_ptr_array_new ();
      gboolean same = wanted->len == user->assigned_licenses->len;

      for (guint i = 0; i < wanted->len; i++)
        {
          MusterFakeSku *sku = muster_fake_directory_lookup_sku (self, wanted->pdata[i]);

          if (!g_ptr_array_find (licences, sku->sku_id, NULL))
            g_ptr_array_add (licences, sku->sku_id);
          same &= array_has_string (user->assigned_licenses, sku->sku_id);
        }
      if (same && licences->len == user->assigned_licenses->len)
        {
          g_ptr_array_unref (licences);
          return FALSE;
        }
      count_licences (self, user->assigned_licenses, -1);
      count_licences (self, licences, 1);
      replace_array (&user->assigned_licenses, licences);
    }
  else if (g_str_equal (field, "businessPhones"))
    replace_array (&user->business_phones, strv_to_array (value));
  else if (g_str_equal (field, "otherMails"))
    replace_array (&user->other_mails, strv_to_array (value));
  else
    {
      char **target = user_string_field (user, field);

      if (g_strcmp0 (*target, value) == 0)
        return FALSE;
      if (g_str_equal (field, "userPrincipalName"))
        {
          upn_index_remove (self, user->user_principal_name);
          set_owned (self, target, value);
          upn_index_insert (self, user);
        }
      else if (g_str_equal (field, "mail"))
        set_mail (self, user, value);
      else if (g_str_equal (field, "userType"))
        *target = (char *) (g_str_equal (value, "Guest") ? "Guest" : "Member");
      else
        set_owned (self, target, value);
    }
  return TRUE;
}

MusterFakeUser *
muster_fake_directory_add_user (MusterFakeDirectory *self,
                                const char          *display_name,
                                const char          *upn,
                                GError             **error)
{
  MusterFakeUser *user;
  g_autoptr(GDateTime) created = g_date_time_new_now_utc ();
  g_autofree char *now = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (!validate_update (self, NULL, "displayName", display_name, error)
      || !validate_update (self, NULL, "userPrincipalName", upn, error))
    return NULL;

  user = g_new0 (MusterFakeUser, 1);
  user->id = chunk_guid (self, self->priv->rand);
  set_owned (self, &user->display_name, display_name);
  set_owned (self, &user->user_principal_name, upn);
  now = g_date_time_format (created, "%Y-%m-%dT%H:%M:%SZ");
  set_owned (self, &user->created_date_time, now);
  user->user_type = (char *) "Member";
  user->account_enabled = TRUE;
  user->business_phones = g_ptr_array_ref (self->priv->empty);
  user->other_mails = g_ptr_array_ref (self->priv->empty);
  user->proxy_addresses = g_ptr_array_ref (self->priv->empty);
  user->assigned_licenses = g_ptr_array_ref (self->priv->empty);
  user->changed_seq = next_seq (self);

  g_ptr_array_add (self->users, user);
  g_hash_table_insert (self->users_by_id, user->id, user);
  upn_index_insert (self, user);
  self->priv->n_live_users++;
  reevaluate_dynamic_groups (self, user);
  return user;
}

gboolean
muster_fake_directory_update_user (MusterFakeDirectory *self,
                                   const char          *id,
                                   const char          *field,
                                   const char          *value,
                                   GError             **error)
{
  MusterFakeUser *user;

  g_return_val_if_fail (self != NULL && field != NULL, FALSE);

  if (!muster_fake_directory_validate_user_update (self, id, field, value, error))
    return FALSE;
  user = muster_fake_directory_lookup_user (self, id);
  if (apply_update (self, user, field, value))
    {
      user->changed_seq = next_seq (self);
      reevaluate_dynamic_groups (self, user);
    }
  return TRUE;
}

gboolean
muster_fake_directory_delete_user (MusterFakeDirectory *self,
                                   const char          *id,
                                   GError             **error)
{
  MusterFakeUser *user;

  g_return_val_if_fail (self != NULL, FALSE);

  user = muster_fake_directory_lookup_user (self, id);
  if (user == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "Resource '%s' does not exist or one of its queried reference-property objects are not present.",
                   id ? id : "");
      return FALSE;
    }

  user->deleted = TRUE;
  user->changed_seq = next_seq (self);
  upn_index_remove (self, user->user_principal_name);
  self->priv->n_live_users--;
  /* a deleted user's licences return to the pool */
  count_licences (self, user->assigned_licenses, -1);
  replace_array (&user->assigned_licenses, g_ptr_array_ref (self->priv->empty));

  for (guint i = 0; i < self->groups->len; i++)
    {
      MusterFakeGroup *group = self->groups->pdata[i];

      if (!group->deleted)
        group_remove_member (self, group, user->id, TRUE);
    }

  /* their reports lose the manager reference, which delta shows as a change */
  for (guint i = 0; i < self->users->len; i++)
    {
      MusterFakeUser *report = self->users->pdata[i];

      if (!report->deleted && report->manager_id == user->id)
        {
          report->manager_id = NULL;
          report->changed_seq = next_seq (self);
        }
    }
  return TRUE;
}

gboolean
muster_fake_directory_add_member (MusterFakeDirectory *self,
                                  const char          *group_id,
                                  const char          *member_id,
                                  GError             **error)
{
  MusterFakeGroup *group;
  gboolean is_group;
  char *id;

  g_return_val_if_fail (self != NULL, FALSE);

  group = muster_fake_directory_lookup_group (self, group_id);
  id = canonical_id (self, member_id, &is_group);
  if (group == NULL || id == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "Resource '%s' does not exist or one of its queried reference-property objects are not present.",
                   group == NULL ? (group_id ? group_id : "") : (member_id ? member_id : ""));
      return FALSE;
    }
  if (group->dynamic)
    {
      /* Entra manages the members of dynamic groups itself */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Insufficient privileges to complete the operation. Members of a group with dynamic membership cannot be changed.");
      return FALSE;
    }
  if (id == group->id)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A group cannot be a member of itself.");
      return FALSE;
    }
  if (g_ptr_array_find (group->member_ids, id, NULL))
    {
      /* Graph's wording (GRAPH:api-reference/v1.0/api/group-post-members.md) */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "One or more added object references already exist for the following modified properties: 'members'.");
      return FALSE;
    }
  group_add_member (self, group, id, TRUE);
  return TRUE;
}

gboolean
muster_fake_directory_remove_member (MusterFakeDirectory *self,
                                     const char          *group_id,
                                     const char          *member_id,
                                     GError             **error)
{
  MusterFakeGroup *group;
  gboolean is_group;
  char *id;

  g_return_val_if_fail (self != NULL, FALSE);

  group = muster_fake_directory_lookup_group (self, group_id);
  id = canonical_id (self, member_id, &is_group);
  if (group != NULL && id != NULL && group->dynamic)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Insufficient privileges to complete the operation. Members of a group with dynamic membership cannot be changed.");
      return FALSE;
    }
  if (group == NULL || id == NULL || !group_remove_member (self, group, id, TRUE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "Resource '%s' does not exist or one of its queried reference-property objects are not present.",
                   member_id ? member_id : "");
      return FALSE;
    }
  return TRUE;
}

void
muster_fake_directory_force_resync (MusterFakeDirectory *self)
{
  g_return_if_fail (self != NULL);

  self->resync_before = self->seq + 1;
  self->seq++;
}

void
muster_fake_directory_continue_after (MusterFakeDirectory *self,
                                      guint64              previous_seq)
{
  guint64 base = previous_seq + 1;

  g_return_if_fail (self != NULL);

  if (self->seq >= base)
    return;
  for (guint i = 0; i < self->users->len; i++)
    ((MusterFakeUser *) self->users->pdata[i])->changed_seq += base - 1;
  for (guint i = 0; i < self->groups->len; i++)
    ((MusterFakeGroup *) self->groups->pdata[i])->changed_seq += base - 1;
  for (guint i = 0; i < self->member_changes->len; i++)
    ((MusterFakeMemberChange *) self->member_changes->pdata[i])->seq += base - 1;
  self->seq += base - 1;
  self->resync_before = base;
}

const char *
muster_fake_group_kind_to_string (MusterFakeGroupKind kind)
{
  /* the labels of the Microsoft 365 admin center */
  switch (kind)
    {
    case MUSTER_FAKE_GROUP_MICROSOFT365:
      return "Microsoft 365";
    case MUSTER_FAKE_GROUP_SECURITY:
      return "Security";
    case MUSTER_FAKE_GROUP_MAIL_SECURITY:
      return "Mail-enabled security";
    case MUSTER_FAKE_GROUP_DISTRIBUTION:
      return "Distribution";
    default:
      return "Unknown";
    }
}
