/* muster-fake-directory-generate.c: the demo tenant and generated tenants of any size
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds a directory from a seed: the organisation, its licences, people (members in
 * departments under a CEO, guests from partner organisations), their managers, photos and
 * the awkward values real tenants hold, then groups of the four kinds. The demo tenant
 * (--dataset demo) and --dataset generated share the code; muster-fake-directory.c holds
 * the result and answers queries and changes.
 */

#define G_LOG_DOMAIN "muster-fake-directory"

#include "config.h"

#include <string.h>

#include "muster-fake-directory-private.h"
#include "muster-fake-names.h"
#include "muster-fake-photo.h"

/* Licences: skuIds and servicePlanIds as listed in Microsoft's "Product names and service plan
 * identifiers for licensing" (learn.microsoft.com/entra/identity/users/licensing-service-plan-reference). */
typedef struct
{
  const char *sku_id;
  const char *part_number;
  const char *plans;   /* "NAME=GUID;NAME=GUID" */
} SkuInfo;

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

  self->tenant_id = _muster_fake_directory_chunk_guid (self, priv->rand);
  self->display_name = _muster_fake_directory_chunk_insert (self, ORGANISATION_NAME);
  self->initial_domain = _muster_fake_directory_chunk_insert (self, INITIAL_DOMAIN);
  self->default_domain = _muster_fake_directory_chunk_insert (self, CUSTOM_DOMAIN);
  g_ptr_array_add (self->verified_domains, self->default_domain);
  g_ptr_array_add (self->verified_domains, self->initial_domain);
  self->country_letter_code = _muster_fake_directory_chunk_insert (self, "GB");
  self->created_date_time =
    _muster_fake_directory_chunk_timestamp (self, 1536656400 + g_rand_int_range (priv->rand, 0, 86400 * 200));
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
          g_ptr_array_add (sku->service_plans, _muster_fake_directory_chunk_insert (self, plans[k]));
          g_ptr_array_add (sku->service_plan_ids, _muster_fake_directory_chunk_insert (self, eq + 1));
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
  guint                group_size;  /* generated groups: about this many members; 0: a share of all */
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

  user->assigned_licenses = _muster_fake_directory_licence_set (self, mask);

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
  user->assigned_licenses = _muster_fake_directory_licence_set (self, 0);
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
  _muster_fake_directory_upn_index_insert (self, user);
  _muster_fake_directory_count_licences (self, user->assigned_licenses, 1);
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
      gint64 created_at;

      user->id = _muster_fake_directory_chunk_guid (self, rand);
      created_at = created_from + (i == 0 ? 0 : (gint64) (g_rand_double (rand) * created_span));
      user->created_date_time = _muster_fake_directory_chunk_timestamp (self, created_at);
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

  group->id = _muster_fake_directory_chunk_guid (self, gen->rand);
  group->display_name = _muster_fake_directory_chunk_insert (self, name);
  group->description = _muster_fake_directory_chunk_insert (self, description);
  if (nickname == NULL)
    {
      g_autofree char *alias = _muster_fake_directory_alias_for (name);
      group->mail_nickname = _muster_fake_directory_chunk_insert (self, alias);
    }
  else
    group->mail_nickname = _muster_fake_directory_chunk_insert (self, nickname);
  if (kind != MUSTER_FAKE_GROUP_SECURITY)
    {
      g_snprintf (buf, sizeof buf, "%s@%s", group->mail_nickname, self->default_domain);
      group->mail = _muster_fake_directory_chunk_insert (self, buf);
    }
  group->created_date_time =
    _muster_fake_directory_chunk_timestamp (self, 1577836800 + g_rand_int_range (gen->rand, 0, 86400 * 1800));
  group->kind = kind;
  group->membership_rule = _muster_fake_directory_chunk_insert (self, rule);
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
      _muster_fake_directory_group_add_member (self, group, user->id, FALSE);
    }
}

/* Adds about @count users drawn at random, with geometric skips as pick_members() does. */
static void
pick_about (Generator       *gen,
            MusterFakeGroup *group,
            guint            count)
{
  MusterFakeDirectory *self = gen->self;
  guint max_step = MAX (1, 2 * (gen->n_users / MAX (count, 1)) - 1);

  for (guint k = g_rand_int_range (gen->rand, 0, max_step); k < gen->n_users;
       k += 1 + g_rand_int_range (gen->rand, 0, max_step))
    _muster_fake_directory_group_add_member (self, group, self->priv->user_block[k].id, FALSE);
}

static void
fill_group_from_spec (Generator       *gen,
                      MusterFakeGroup *group,
                      const GroupSpec *spec)
{
  MusterFakeDirectory *self = gen->self;

  if (spec->rule != NULL)
    {
      g_autoptr(GPtrArray) clauses = _muster_fake_directory_rule_parse (spec->rule);

      g_assert (clauses != NULL);
      for (guint i = 0; i < gen->n_users; i++)
        if (_muster_fake_directory_rule_matches (clauses, &self->priv->user_block[i]))
          _muster_fake_directory_group_add_member (self, group, self->priv->user_block[i].id, FALSE);
      return;
    }

  switch (spec->pick)
    {
    case PICK_NONE:
      break;
    case PICK_LEADERSHIP:
      _muster_fake_directory_group_add_member (self, group, gen->ceo->id, FALSE);
      for (guint d = 0; d < _muster_fake_n_departments; d++)
        if (gen->heads[d] != NULL)
          _muster_fake_directory_group_add_member (self, group, gen->heads[d]->id, FALSE);
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
              _muster_fake_directory_group_add_member (self, group, gen->heads[d]->id, FALSE);
              for (guint k = 0; k < MIN (members->len, REPORTS_PER_LEAD); k++)
                _muster_fake_directory_group_add_member (self, group,
                                                         self->priv->user_block[g_array_index (members, guint, k)].id,
                                                         FALSE);
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
      _muster_fake_directory_group_add_member (self, group, gen->admin->id, FALSE);
      if (gen->heads[_muster_fake_n_departments - 1] != NULL)
        {
          GArray *members = gen->department_members[_muster_fake_n_departments - 1];
          g_autoptr(GArray) others = g_array_new (FALSE, FALSE, sizeof (guint));

          _muster_fake_directory_group_add_member (self, group, gen->heads[_muster_fake_n_departments - 1]->id, FALSE);
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
              _muster_fake_directory_group_add_member (self, group, user->id, FALSE);
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
          _muster_fake_directory_group_add_member (self, &self->priv->group_block[g],
                                                   self->priv->group_block[nested].id, FALSE);
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

      /* every seventh is a dynamic group per department (security or Microsoft 365 only), unless
       * groups have a size of their own: a department grows with the tenant */
      if (g % 7 == 3 && gen->group_size == 0
          && (kind == MUSTER_FAKE_GROUP_SECURITY || kind == MUSTER_FAKE_GROUP_MICROSOFT365))
        rule = g_strdup_printf ("(user.department -eq \"%s\") -and (user.accountEnabled -eq true)",
                                _muster_fake_departments[g % _muster_fake_n_departments].name);

      group = new_group (gen, &self->priv->group_block[g], name, NULL, kind,
                         "Generated group", rule);
      if (rule != NULL)
        {
          g_autoptr(GPtrArray) clauses = _muster_fake_directory_rule_parse (rule);

          for (guint i = 0; i < gen->n_users; i++)
            if (_muster_fake_directory_rule_matches (clauses, &self->priv->user_block[i]))
              _muster_fake_directory_group_add_member (self, group, self->priv->user_block[i].id, FALSE);
        }
      else if (gen->group_size > 0)
        {
          /* a fifth, a half, one and 2.3 times the size: about the size on average */
          static const guint tenths[] = { 2, 5, 10, 23 };

          pick_about (gen, group, MAX (1, gen->group_size * tenths[g_rand_int_range (gen->rand, 0, 4)] / 10));
        }
      else
        pick_members (gen, group, NULL, sizes[g_rand_int_range (gen->rand, 0, G_N_ELEMENTS (sizes))], FALSE);

      /* security groups nest in a chain, every fifth one contains the previous one */
      if (kind == MUSTER_FAKE_GROUP_SECURITY && rule == NULL)
        {
          if (previous_security != NULL && g % 5 == 0)
            _muster_fake_directory_group_add_member (self, group, previous_security->id, FALSE);
          previous_security = group;
        }
    }
}

static MusterFakeDirectory *
generate (guint64  seed,
          guint    n_users,
          guint    n_groups,
          guint    group_size,
          gboolean demo)
{
  MusterFakeDirectory *self = directory_new (seed);
  Generator gen = { 0 };

  gen.self = self;
  gen.group_size = group_size;
  gen.rand = self->priv->rand;
  gen.demo = demo;
  gen.n_users = MAX (n_users, 1);
  gen.given_aliases = g_new0 (char *, _muster_fake_n_given_names + 1);
  gen.surname_aliases = g_new0 (char *, _muster_fake_n_surnames + 1);
  for (guint i = 0; i < _muster_fake_n_given_names; i++)
    gen.given_aliases[i] = _muster_fake_directory_alias_for (_muster_fake_given_names[i]);
  for (guint i = 0; i < _muster_fake_n_surnames; i++)
    gen.surname_aliases[i] = _muster_fake_directory_alias_for (_muster_fake_surnames[i]);
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
  return generate (seed, DEMO_USERS, G_N_ELEMENTS (group_specs), 0, TRUE);
}

MusterFakeDirectory *
muster_fake_directory_new_generated (guint64 seed,
                                     guint   n_users,
                                     guint   n_groups)
{
  return generate (seed, n_users, n_groups, 0, FALSE);
}

MusterFakeDirectory *
muster_fake_directory_new_generated_sized (guint64 seed,
                                           guint   n_users,
                                           guint   n_groups,
                                           guint   group_size)
{
  return generate (seed, n_users, n_groups, group_size, FALSE);
}
