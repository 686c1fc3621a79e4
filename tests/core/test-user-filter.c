/* test-user-filter.c: which users a filter lets through, and why not
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "muster-group-private.h"
#include "muster-snapshot-private.h"
#include "muster-user-filter.h"
#include "muster-user-private.h"

/* A small tenant built in memory, the way the store builds a loaded snapshot:
 *
 *   Sales (security) ⊃ Sales EMEA (security) ⊃ ann
 *   Sales            ⊃ bob
 *   All Staff (Microsoft 365) ⊃ cem, guest
 *   Newsletter (distribution) ⊃ dee
 *   eve, fay: in no group
 */
typedef struct
{
  const char *id;
  const char *name;
  const char *upn;
  const char *mail;
  const char *other_mail;
  gboolean    enabled;
  const char *user_type;
  const char *licence;
  const char *job_title;
} Person;

static const Person people[] = {
  { "ann", "Ann Ångström", "ann@contoso.com", "Ann.Angstrom@contoso.com", NULL, TRUE, "Member", "sku-e3", "Sales Lead" },
  { "bob", "Bob Brown", "bob@contoso.com", "bob@contoso.com", NULL, TRUE, "Member", "sku-e3", "Account Manager" },
  { "cem", "Cem Çelik", "cem@contoso.com", NULL, "cem.private@gmail.com", FALSE, "Member", "sku-e3", "Engineer" },
  { "guest", "Gil Guest", "gil_fabrikam.com#EXT#@contoso.onmicrosoft.com", "gil@fabrikam.com", NULL, TRUE, "Guest", NULL, NULL },
  { "dee", "Dee Dunn", "dee@contoso.com", "dee@contoso.com", NULL, TRUE, "Member", NULL, "Annual Planner" },
  { "eve", "Eve Evans", "eve@contoso.com", "eve@contoso.com", NULL, TRUE, "Member", "sku-e3", NULL },
  { "fay", "Fay Fox", "fay@Partner.example", "fay@partner.example", NULL, TRUE, "Member", "sku-e3", "Consultant" },
};

static MusterUser *
make_user (const Person *person)
{
  const char *other[] = { person->other_mail, NULL };
  const char *licences[] = { person->licence, NULL };
  MusterUserFields fields = { 0 };

  fields.id = person->id;
  fields.display_name = person->name;
  fields.user_principal_name = person->upn;
  fields.mail = person->mail;
  fields.other_mails = other;
  fields.account_enabled = person->enabled;
  fields.user_type = person->user_type;
  fields.assigned_licenses = licences;
  fields.job_title = person->job_title;
  return _muster_user_new (&fields);
}

static MusterGroup *
make_group (const char *id,
            const char *name,
            gboolean    unified,
            gboolean    mail_enabled,
            gboolean    security_enabled)
{
  const char *types[] = { unified ? "Unified" : NULL, NULL };
  MusterGroupFields fields = { 0 };

  fields.id = id;
  fields.display_name = name;
  fields.group_types = types;
  fields.mail_enabled = mail_enabled;
  fields.security_enabled = security_enabled;
  return _muster_group_new (&fields);
}

static MusterSnapshot *
make_tenant (void)
{
  MusterSnapshotInfo info = { 1, (char *) "contoso", (char *) "t", 0, 0, 0, FALSE };
  MusterSnapshot *snapshot = _muster_snapshot_new (&info);

  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    _muster_snapshot_add_user (snapshot, make_user (&people[i]));
  _muster_snapshot_add_group (snapshot, make_group ("g-sales", "Sales", FALSE, FALSE, TRUE));
  _muster_snapshot_add_group (snapshot, make_group ("g-emea", "Sales EMEA", FALSE, FALSE, TRUE));
  _muster_snapshot_add_group (snapshot, make_group ("g-all", "All Staff", TRUE, TRUE, FALSE));
  _muster_snapshot_add_group (snapshot, make_group ("g-news", "Newsletter", FALSE, TRUE, FALSE));
  _muster_snapshot_add_member (snapshot, "g-sales", "g-emea");
  _muster_snapshot_add_member (snapshot, "g-emea", "ann");
  _muster_snapshot_add_member (snapshot, "g-sales", "bob");
  _muster_snapshot_add_member (snapshot, "g-all", "cem");
  _muster_snapshot_add_member (snapshot, "g-all", "guest");
  _muster_snapshot_add_member (snapshot, "g-news", "dee");
  _muster_snapshot_add_sku (snapshot, "sku-e3", "SPE_E3", 5, 10);
  _muster_snapshot_finish (snapshot);
  return snapshot;
}

/* The ids of the users that pass, in table order, joined with ",". */
static char *
matching (MusterUserFilter *filter,
          MusterSnapshot   *snapshot)
{
  GListModel *users = muster_snapshot_get_users (snapshot);
  g_autoptr(GString) ids = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (users, i);

      if (muster_user_filter_match (filter, snapshot, user))
        {
          if (ids->len > 0)
            g_string_append_c (ids, ',');
          g_string_append (ids, muster_user_get_id (user));
        }
    }
  return g_strdup (ids->str);
}

#define assert_matching(filter, snapshot, expected) G_STMT_START { \
    g_autofree char *_ids = matching (filter, snapshot);              \
    g_assert_cmpstr (_ids, ==, expected);                             \
  } G_STMT_END

#define assert_explains(filter, snapshot, id, expected) G_STMT_START {                               \
    g_autofree char *_why = muster_user_filter_explain (filter, snapshot,                            \
                                                        muster_snapshot_lookup_user (snapshot, id)); \
    g_assert_cmpstr (_why, ==, expected);                                                           \
  } G_STMT_END

static void
test_no_filter (void)
{
  g_autoptr(MusterSnapshot) snapshot = make_tenant ();
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  g_autofree char *description = muster_user_filter_describe (filter, snapshot);

  assert_matching (filter, snapshot, "ann,bob,cem,dee,eve,fay,guest");
  assert_explains (filter, snapshot, "ann", NULL);
  g_assert_cmpstr (description, ==, "All users");
}

static void
test_groups (void)
{
  g_autoptr(MusterSnapshot) snapshot = make_tenant ();
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  const char *by_name[] = { "Sales", NULL };
  const char *by_id[] = { "g-sales", "g-news", NULL };
  const char *unknown[] = { "Nobody's Group", NULL };

  muster_user_filter_set_groups (filter, by_name);
  assert_matching (filter, snapshot, "bob");
  assert_explains (filter, snapshot, "ann", "not in the selected groups");

  muster_user_filter_set_nested (filter, TRUE);
  assert_matching (filter, snapshot, "ann,bob");
  {
    g_autofree char *description = muster_user_filter_describe (filter, snapshot);
    g_assert_cmpstr (description, ==, "Groups: Sales (nested)");
  }

  muster_user_filter_set_groups (filter, by_id);
  assert_matching (filter, snapshot, "ann,bob,dee");
  muster_user_filter_set_nested (filter, FALSE);
  assert_matching (filter, snapshot, "bob,dee");

  muster_user_filter_set_groups (filter, unknown);
  assert_matching (filter, snapshot, "");
  {
    g_autofree char *description = muster_user_filter_describe (filter, snapshot);
    g_assert_cmpstr (description, ==, "Groups: Nobody's Group (not found)");
  }

  /* The same filter against another snapshot resolves the names again. */
  {
    g_autoptr(MusterSnapshot) other = make_tenant ();

    muster_user_filter_set_groups (filter, by_name);
    assert_matching (filter, snapshot, "bob");
    assert_matching (filter, other, "bob");
  }

  muster_user_filter_set_groups (filter, NULL);
  assert_matching (filter, snapshot, "ann,bob,cem,dee,eve,fay,guest");
}

static void
test_group_kind (void)
{
  g_autoptr(MusterSnapshot) snapshot = make_tenant ();
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  g_autofree char *description = NULL;

  muster_user_filter_set_group_kind (filter, MUSTER_GROUP_KIND_SECURITY);
  assert_matching (filter, snapshot, "ann,bob");
  assert_explains (filter, snapshot, "dee", "not in a group of the selected kind");
  muster_user_filter_set_group_kind (filter, MUSTER_GROUP_KIND_MICROSOFT365);
  assert_matching (filter, snapshot, "cem,guest");
  muster_user_filter_set_group_kind (filter, MUSTER_GROUP_KIND_DISTRIBUTION);
  assert_matching (filter, snapshot, "dee");
  description = muster_user_filter_describe (filter, snapshot);
  g_assert_cmpstr (description, ==, "Group kind: Distribution");
  muster_user_filter_set_group_kind (filter, MUSTER_GROUP_KIND_MAIL_SECURITY);
  assert_matching (filter, snapshot, "");
  muster_user_filter_set_group_kind (filter, -1);
  assert_matching (filter, snapshot, "ann,bob,cem,dee,eve,fay,guest");
}

static void
test_exclusions (void)
{
  g_autoptr(MusterSnapshot) snapshot = make_tenant ();
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  g_autofree char *description = NULL;

  muster_user_filter_set_exclude_guests (filter, TRUE);
  assert_matching (filter, snapshot, "ann,bob,cem,dee,eve,fay");
  assert_explains (filter, snapshot, "guest", "guest account");

  muster_user_filter_set_exclude_disabled (filter, TRUE);
  assert_matching (filter, snapshot, "ann,bob,dee,eve,fay");
  assert_explains (filter, snapshot, "cem", "account disabled");

  muster_user_filter_set_exclude_unlicensed (filter, TRUE);
  assert_matching (filter, snapshot, "ann,bob,eve,fay");
  assert_explains (filter, snapshot, "dee", "no licence");
  /* Every reason, not just the first. */
  assert_explains (filter, snapshot, "guest", "guest account; no licence");

  description = muster_user_filter_describe (filter, snapshot);
  g_assert_cmpstr (description, ==, "Excluding: guests, disabled accounts, unlicensed accounts");
}

static void
test_deny_list (void)
{
  g_autoptr(MusterSnapshot) snapshot = make_tenant ();
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  const char *exact[] = { "  BOB@contoso.com ", "", NULL };
  const char *domains[] = { "@FABRIKAM.com", "@gmail.com", "partner.example", NULL };

  muster_user_filter_set_deny_list (filter, exact);
  assert_matching (filter, snapshot, "ann,cem,dee,eve,fay,guest");
  assert_explains (filter, snapshot, "bob", "on the deny list");

  /* Domains match mail (gil@fabrikam.com), other mails (cem.private@gmail.com) and the UPN,
   * whatever the case; "partner.example" without "@" means the domain. */
  muster_user_filter_set_deny_list (filter, domains);
  assert_matching (filter, snapshot, "ann,bob,dee,eve");
  {
    g_autofree char *description = muster_user_filter_describe (filter, snapshot);
    g_assert_cmpstr (description, ==, "Deny list: 3 entries");
  }

  /* A domain is the whole part after "@", not a suffix. */
  {
    const char *suffix[] = { "@toso.com", "@contoso", NULL };

    muster_user_filter_set_deny_list (filter, suffix);
    assert_matching (filter, snapshot, "ann,bob,cem,dee,eve,fay,guest");
  }
}

static void
test_deny_file (void)
{
  g_autoptr(MusterSnapshot) snapshot = make_tenant ();
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("muster-deny-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "deny.csv", NULL);
  g_autofree char *txt = g_build_filename (dir, "deny.txt", NULL);
  g_autofree char *binary = g_build_filename (dir, "deny.xlsx", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.csv", NULL);
  g_auto(GStrv) list = NULL;

  g_assert_true (g_file_set_contents (csv,
                                      "\xEF\xBB\xBF" "Email,Reason\r\n"
                                      "\"ann@contoso.com\",\"left, in May\"\r\n"
                                      "EVE@contoso.com,contractor\r\n"
                                      "\r\n", -1, NULL));
  g_assert_true (muster_user_filter_load_deny_file (filter, csv, &error));
  g_assert_no_error (error);
  g_object_get (filter, "deny-list", &list, NULL);
  g_assert_cmpuint (g_strv_length (list), ==, 2);
  g_assert_cmpstr (list[0], ==, "ann@contoso.com");
  assert_matching (filter, snapshot, "bob,cem,dee,fay,guest");

  /* Plain text: the first line is an address, so it is kept. */
  g_assert_true (g_file_set_contents (txt, "# people who asked to be left out\ndee@contoso.com\n@fabrikam.com\n", -1, NULL));
  g_assert_true (muster_user_filter_load_deny_file (filter, txt, &error));
  g_assert_no_error (error);
  assert_matching (filter, snapshot, "ann,bob,cem,eve,fay");

  g_assert_false (muster_user_filter_load_deny_file (filter, missing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing.csv"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (binary, "PK\003\004\0\0\xff\xfe", 8, NULL));
  g_assert_false (muster_user_filter_load_deny_file (filter, binary, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  /* A failed load leaves the previous list in force. */
  assert_matching (filter, snapshot, "ann,bob,cem,eve,fay");

  g_unlink (csv);
  g_unlink (txt);
  g_unlink (binary);
  g_rmdir (dir);
}

static void
test_search (void)
{
  g_autoptr(MusterSnapshot) snapshot = make_tenant ();
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  g_autofree char *description = NULL;

  /* Name, UPN, mail and job title, ignoring case. */
  muster_user_filter_set_search (filter, "ANN");
  assert_matching (filter, snapshot, "ann,dee");
  assert_explains (filter, snapshot, "bob", "does not match the search");
  description = muster_user_filter_describe (filter, snapshot);
  g_assert_cmpstr (description, ==, "Search: “ANN”");

  /* Non-ASCII folds too, composed or not. */
  muster_user_filter_set_search (filter, "ÅNGSTRÖM");
  assert_matching (filter, snapshot, "ann");
  muster_user_filter_set_search (filter, "c\xcc\xa7" "elik");  /* c + combining cedilla */
  assert_matching (filter, snapshot, "cem");

  muster_user_filter_set_search (filter, "fabrikam");
  assert_matching (filter, snapshot, "guest");
  muster_user_filter_set_search (filter, "   ");
  assert_matching (filter, snapshot, "ann,bob,cem,dee,eve,fay,guest");
}

static void
test_email_method (void)
{
  g_autoptr(MusterSnapshot) snapshot = make_tenant ();
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  MusterUser *cem = muster_snapshot_lookup_user (snapshot, "cem");
  MusterEmailMethod method;

  g_assert_cmpint (muster_user_filter_get_email_method (filter), ==, MUSTER_EMAIL_METHOD_MAIL_OR_UPN);
  g_assert_cmpstr (muster_user_get_email (cem, MUSTER_EMAIL_METHOD_MAIL_OR_UPN), ==, "cem@contoso.com");
  g_assert_null (muster_user_get_email (cem, MUSTER_EMAIL_METHOD_MAIL));

  muster_user_filter_set_email_method (filter, MUSTER_EMAIL_METHOD_MAIL);
  assert_matching (filter, snapshot, "ann,bob,dee,eve,fay,guest");
  assert_explains (filter, snapshot, "cem", "no email address under the chosen email method");
  muster_user_filter_set_email_method (filter, MUSTER_EMAIL_METHOD_UPN);
  assert_matching (filter, snapshot, "ann,bob,cem,dee,eve,fay,guest");

  g_assert_true (muster_email_method_from_string ("mail-or-upn", &method));
  g_assert_cmpint (method, ==, MUSTER_EMAIL_METHOD_MAIL_OR_UPN);
  g_assert_cmpstr (muster_email_method_to_string (MUSTER_EMAIL_METHOD_UPN), ==, "upn");
  g_assert_false (muster_email_method_from_string ("fax", &method));
}

static void
count_cb (gpointer  object,
          gpointer  user_data)
{
  (*(guint *) user_data)++;
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_changed_signal (void)
{
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  const char *groups[] = { "Sales", NULL };
  const char *same[] = { "Sales", NULL };
  guint changed = 0;
  guint notified = 0;

  g_signal_connect (filter, "changed", G_CALLBACK (count_cb), &changed);
  g_signal_connect (filter, "notify::groups", G_CALLBACK (notify_cb), &notified);

  muster_user_filter_set_groups (filter, groups);
  muster_user_filter_set_groups (filter, same);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (notified, ==, 1);

  muster_user_filter_set_exclude_guests (filter, TRUE);
  muster_user_filter_set_exclude_guests (filter, TRUE);
  g_object_set (filter, "search", "ann", NULL);
  g_object_set (filter, "search", "ann", NULL);
  g_assert_cmpuint (changed, ==, 3);
}

static void
test_describe_all (void)
{
  g_autoptr(MusterSnapshot) snapshot = make_tenant ();
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  const char *groups[] = { "g-sales", NULL };
  g_autofree char *description = NULL;

  muster_user_filter_set_groups (filter, groups);
  muster_user_filter_set_nested (filter, TRUE);
  muster_user_filter_set_exclude_guests (filter, TRUE);
  muster_user_filter_set_exclude_disabled (filter, TRUE);
  muster_user_filter_set_search (filter, "ann");
  description = muster_user_filter_describe (filter, snapshot);
  g_assert_cmpstr (description, ==, "Groups: Sales (nested) · Excluding: guests, disabled accounts · Search: “ann”");
  assert_matching (filter, snapshot, "ann");
}

/* 100,000 users and 200 groups (20 top groups, each with 9 nested groups), built without a
 * display; the counts follow from the arithmetic of the ids. */
#define N_LARGE 100000

static void
test_large_tenant (void)
{
  MusterSnapshotInfo info = { 2, (char *) "big", (char *) "t", 0, 0, 0, FALSE };
  g_autoptr(MusterSnapshot) snapshot = _muster_snapshot_new (&info);
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  GListModel *users;
  const char *top0[] = { "Team 0", NULL };
  guint n = 0;

  for (guint g = 0; g < 200; g++)
    {
      g_autofree char *id = g_strdup_printf ("g%u", g);
      g_autofree char *name = g_strdup_printf ("Team %u", g);

      _muster_snapshot_add_group (snapshot, make_group (id, name, g % 2 == 1, g % 2 == 1, g % 2 == 0));
    }
  for (guint i = 0; i < N_LARGE; i++)
    {
      g_autofree char *id = g_strdup_printf ("user-%06u", i);
      g_autofree char *name = g_strdup_printf ("Person %06u", i);
      g_autofree char *upn = g_strdup_printf ("p%06u@contoso.com", i);
      Person person = { id, name, upn, upn, NULL, i % 7 != 0, i % 10 == 0 ? "Guest" : "Member",
                        i % 3 == 0 ? NULL : "sku-e3", NULL };

      _muster_snapshot_add_user (snapshot, make_user (&person));
    }
  /* g0..g19 are top groups; g(20 + t*9 + k) for k in 0..8 is nested in g(t). User i is a
   * direct member of g(20 + i % 180). */
  for (guint t = 0; t < 20; t++)
    for (guint k = 0; k < 9; k++)
      {
        g_autofree char *parent = g_strdup_printf ("g%u", t);
        g_autofree char *child = g_strdup_printf ("g%u", 20 + t * 9 + k);

        _muster_snapshot_add_member (snapshot, parent, child);
      }
  for (guint i = 0; i < N_LARGE; i++)
    {
      g_autofree char *group = g_strdup_printf ("g%u", 20 + i % 180);
      g_autofree char *member = g_strdup_printf ("user-%06u", i);

      _muster_snapshot_add_member (snapshot, group, member);
    }
  _muster_snapshot_finish (snapshot);

  users = muster_snapshot_get_users (snapshot);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, N_LARGE);

#define COUNT(expected) G_STMT_START {                                           \
    n = 0;                                                                       \
    for (guint i = 0; i < N_LARGE; i++)                                          \
      {                                                                          \
        MusterUser *user = g_list_model_get_item (users, i);                     \
        n += muster_user_filter_match (filter, snapshot, user);                  \
        g_object_unref (user);                                                   \
      }                                                                          \
    g_assert_cmpuint (n, ==, (expected));                                        \
  } G_STMT_END

  COUNT (N_LARGE);

  /* Guests: i % 10 == 0 → 10,000. */
  muster_user_filter_set_exclude_guests (filter, TRUE);
  COUNT (90000);
  /* Also disabled (i % 7 == 0) and unlicensed (i % 3 == 0): inclusion-exclusion over 2, 3, 5, 7
   * gives the users with i % 10, i % 7, i % 3 all non-zero. */
  muster_user_filter_set_exclude_disabled (filter, TRUE);
  muster_user_filter_set_exclude_unlicensed (filter, TRUE);
  {
    guint expected = 0;

    for (guint i = 0; i < N_LARGE; i++)
      expected += (i % 10 != 0 && i % 7 != 0 && i % 3 != 0);
    COUNT (expected);
  }
  muster_user_filter_set_exclude_guests (filter, FALSE);
  muster_user_filter_set_exclude_disabled (filter, FALSE);
  muster_user_filter_set_exclude_unlicensed (filter, FALSE);

  /* Team 0 directly: nobody (only nested groups have users); nested: users with i % 180 < 9. */
  muster_user_filter_set_groups (filter, top0);
  COUNT (0);
  muster_user_filter_set_nested (filter, TRUE);
  {
    guint expected = 0;

    for (guint i = 0; i < N_LARGE; i++)
      expected += (i % 180 < 9);
    COUNT (expected);
    g_assert_cmpuint (muster_group_get_transitive_member_count (muster_snapshot_lookup_group (snapshot, "g0")), ==, expected);
  }
  muster_user_filter_set_groups (filter, NULL);

  /* Group kind: odd groups are Microsoft 365; nested ones g(20 + j) are odd when j is odd, and
   * with nesting every user also reaches its top group g(j / 9), odd when (j / 9) is odd. */
  muster_user_filter_set_group_kind (filter, MUSTER_GROUP_KIND_MICROSOFT365);
  {
    guint expected = 0;

    for (guint i = 0; i < N_LARGE; i++)
      {
        guint j = i % 180;
        expected += ((20 + j) % 2 == 1) || ((j / 9) % 2 == 1);
      }
    COUNT (expected);
  }
  muster_user_filter_set_group_kind (filter, -1);
  muster_user_filter_set_nested (filter, FALSE);

  /* Search: "person 0123" matches ids 012300..012399. */
  muster_user_filter_set_search (filter, "Person 0123");
  COUNT (100);
  muster_user_filter_set_search (filter, "P099999@CONTOSO");
  COUNT (1);
  muster_user_filter_set_search (filter, NULL);

  /* Deny list: one address and a domain nobody has. */
  {
    const char *deny[] = { "p000042@contoso.com", "@fabrikam.com", NULL };

    muster_user_filter_set_deny_list (filter, deny);
    COUNT (N_LARGE - 1);
  }
#undef COUNT
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/user-filter/none", test_no_filter);
  g_test_add_func ("/user-filter/groups/direct-and-nested", test_groups);
  g_test_add_func ("/user-filter/group-kind", test_group_kind);
  g_test_add_func ("/user-filter/exclusions", test_exclusions);
  g_test_add_func ("/user-filter/deny-list/exact-and-domain", test_deny_list);
  g_test_add_func ("/user-filter/deny-list/file", test_deny_file);
  g_test_add_func ("/user-filter/search", test_search);
  g_test_add_func ("/user-filter/email-method", test_email_method);
  g_test_add_func ("/user-filter/changed-signal", test_changed_signal);
  g_test_add_func ("/user-filter/describe", test_describe_all);
  g_test_add_func ("/user-filter/large-tenant", test_large_tenant);

  return g_test_run ();
}
