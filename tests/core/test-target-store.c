/* test-target-store.c: named targets in targets.ini, their tokens in the keyring
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "core-test-util.h"

#include "muster-keyring.h"
#include "muster-scim-target.h"
#include "muster-sqlite-target.h"
#include "muster-target-store.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("muster-target-store-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->path = g_build_filename (f->dir, "targets.ini", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  core_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(MusterTargetStore) store = NULL;
  g_autoptr(MusterTargetStore) again = NULL;
  g_autoptr(MusterTargetInfo) people = NULL;
  g_autoptr(MusterTargetInfo) service = NULL;
  g_autoptr(MusterTargetInfo) other = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *uri = NULL;
  const char *roles[] = { "Viewer", "Editor", "Viewer", "", NULL };
  MusterTargetInfo *found;
  GStatBuf st;

  store = muster_target_store_load (f->path, &error);
  g_assert_no_error (error);
  none = muster_target_store_list (store, "contoso");
  g_assert_cmpuint (none->len, ==, 0);

  people = muster_target_store_add (store, "contoso", "people", "sqlite:/srv/people.db", &error);
  g_assert_no_error (error);
  service = muster_target_store_add (store, "contoso", "app", "scim:http://127.0.0.1:8080/scim/v2/", &error);
  g_assert_no_error (error);
  other = muster_target_store_add (store, "fabrikam", "people", "sqlite:/srv/fabrikam.db", &error);
  g_assert_no_error (error);
  /* a trailing slash is dropped, so the same service is found again by its address */
  g_assert_cmpstr (service->location, ==, "http://127.0.0.1:8080/scim/v2");
  g_assert_true (muster_target_store_set_roles (store, "contoso", "app", roles, &error));
  g_assert_no_error (error);
  g_assert_true (muster_target_store_save (store, &error));
  g_assert_no_error (error);

  /* nobody else reads which services and files the admin uses */
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (f->path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "[target contoso/app]"));
  g_assert_nonnull (strstr (text, "kind=scim"));

  again = muster_target_store_load (f->path, &error);
  g_assert_no_error (error);
  listed = muster_target_store_list (again, "contoso");
  g_assert_cmpuint (listed->len, ==, 2);
  /* sorted by name */
  g_assert_cmpstr (((MusterTargetInfo *) g_ptr_array_index (listed, 0))->name, ==, "app");
  g_assert_cmpstr (((MusterTargetInfo *) g_ptr_array_index (listed, 1))->name, ==, "people");

  found = muster_target_store_lookup (again, "contoso", "app");
  g_assert_nonnull (found);
  g_assert_cmpint (found->kind, ==, MUSTER_TARGET_KIND_SCIM);
  g_assert_cmpuint (g_strv_length (found->roles), ==, 2);
  g_assert_cmpstr (found->roles[0], ==, "Editor");
  g_assert_cmpstr (found->roles[1], ==, "Viewer");
  uri = muster_target_info_dup_uri (found);
  g_assert_cmpstr (uri, ==, "scim:http://127.0.0.1:8080/scim/v2");

  found = muster_target_store_lookup_location (again, "contoso", MUSTER_TARGET_KIND_SCIM,
                                               "http://127.0.0.1:8080/scim/v2");
  g_assert_nonnull (found);
  g_assert_cmpstr (found->name, ==, "app");
  g_assert_null (muster_target_store_lookup_location (again, "fabrikam", MUSTER_TARGET_KIND_SCIM,
                                                      "http://127.0.0.1:8080/scim/v2"));
  g_assert_cmpstr (muster_target_store_lookup (again, "fabrikam", "people")->location, ==, "/srv/fabrikam.db");

  /* removing a profile takes its targets and only those */
  g_assert_cmpuint (muster_target_store_remove_profile (again, "contoso"), ==, 2);
  g_assert_null (muster_target_store_lookup (again, "contoso", "app"));
  g_assert_nonnull (muster_target_store_lookup (again, "fabrikam", "people"));
}

static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(MusterTargetStore) store = muster_target_store_load (f->path, NULL);
  g_autoptr(MusterTargetInfo) people = NULL;
  const char *roles[] = { "Editor", NULL };
  static const char * const bad_uris[] = {
    "people.db",                                  /* no scheme */
    "sqlite:",                                    /* no file */
    "scim:http://scim.example.com/v2",            /* plain http off this computer */
    "scim:https://user:secret@scim.example.com",  /* a password in the address */
    "scim:https://scim.example.com/v2?token=abc", /* …or in the query */
    "scim:not a url",
  };
  static const char * const bad_names[] = { "", "a b", "scim:x", "-x", "../x", "é" };

  for (guint i = 0; i < G_N_ELEMENTS (bad_uris); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MusterTargetInfo) info = muster_target_store_add (store, "contoso", "t", bad_uris[i], &error);

      g_test_message ("%s", bad_uris[i]);
      g_assert_null (info);
      g_assert_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MusterTargetInfo) info = muster_target_store_add (store, "contoso", bad_names[i],
                                                                  "sqlite:/tmp/x.db", &error);
      g_assert_null (info);
      g_assert_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID);
    }

  people = muster_target_store_add (store, "contoso", "people", "sqlite:relative/people.db", NULL);
  g_assert_nonnull (people);
  /* a relative path is made absolute, so the target works from any folder */
  g_assert_true (g_path_is_absolute (people->location));
  g_assert_true (g_str_has_suffix (people->location, "/relative/people.db"));

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MusterTargetInfo) twice = muster_target_store_add (store, "contoso", "people", "sqlite:/x.db", &error);

    g_assert_null (twice);
    g_assert_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_EXISTS);
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (muster_target_store_set_roles (store, "contoso", "people", roles, &error));
    g_assert_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID);
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (muster_target_store_remove (store, "contoso", "nothing", &error));
    g_assert_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NOT_FOUND);
  }
}

static void
test_bad_files (Fixture       *f,
                gconstpointer  data)
{
  static const char * const files[] = {
    "[target contoso/app]\nkind=ftp\nlocation=/x\n",
    "[target contoso/app]\nkind=sqlite\nlocation=relative.db\n",
    "[target contoso/app]\nkind=scim\nlocation=http://example.com/scim\n",
    "[target contoso]\nkind=sqlite\nlocation=/x.db\n",
    "[target contoso/app]\nkind=sqlite\n",
    "[muster]\nversion=99\n",
    "not a key file",
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(MusterTargetStore) store = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_set_contents (f->path, files[i], -1, NULL));
      store = muster_target_store_load (f->path, &error);
      g_test_message ("%s → %s", files[i], error ? error->message : "loaded");
      g_assert_null (store);
      g_assert_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID);
      /* the message names the file, so the admin knows what to fix */
      g_assert_nonnull (strstr (error->message, f->path));
    }
}

static char *
lookup_token (const char *profile,
              const char *target)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  muster_keyring_lookup_target_token_async (profile, target, NULL, core_test_store_result_cb, &result);
  core_test_wait (&result);
  token = muster_keyring_lookup_target_token_finish (result, &error);
  g_assert_no_error (error);
  return token;
}

static void
store_token (const char *profile,
             const char *target,
             const char *token)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  muster_keyring_store_target_token_async (profile, target, token, NULL, core_test_store_result_cb, &result);
  core_test_wait (&result);
  g_assert_true (muster_keyring_store_target_token_finish (result, &error));
  g_assert_no_error (error);
}

static void
test_tokens (void)
{
  g_autoptr(GAsyncResult) cleared = NULL;
  g_autoptr(GAsyncResult) profile_cleared = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *a_gone = NULL, *b_gone = NULL, *c_kept = NULL;

  if (!core_test_keyring_usable ())
    return;

  store_token ("tokens-a", "hr", "token-of-hr");
  store_token ("tokens-a", "crm", "token-of-crm");
  store_token ("tokens-b", "hr", "token-of-b-hr");
  /* storing again replaces, it does not add a second item */
  store_token ("tokens-a", "hr", "token-of-hr-2");

  a = lookup_token ("tokens-a", "hr");
  b = lookup_token ("tokens-a", "crm");
  c = lookup_token ("tokens-b", "hr");
  g_assert_cmpstr (a, ==, "token-of-hr-2");
  g_assert_cmpstr (b, ==, "token-of-crm");
  g_assert_cmpstr (c, ==, "token-of-b-hr");

  muster_keyring_clear_target_token_async ("tokens-a", "hr", NULL, core_test_store_result_cb, &cleared);
  core_test_wait (&cleared);
  g_assert_true (muster_keyring_clear_target_token_finish (cleared, &error));
  a_gone = lookup_token ("tokens-a", "hr");
  g_assert_null (a_gone);
  g_free (b);
  b = lookup_token ("tokens-a", "crm");
  g_assert_cmpstr (b, ==, "token-of-crm");

  /* removing a profile's secrets takes its target tokens along */
  muster_keyring_clear_async ("tokens-a", -1, NULL, core_test_store_result_cb, &profile_cleared);
  core_test_wait (&profile_cleared);
  g_assert_true (muster_keyring_clear_finish (profile_cleared, &error));
  b_gone = lookup_token ("tokens-a", "crm");
  g_assert_null (b_gone);
  c_kept = lookup_token ("tokens-b", "hr");
  g_assert_cmpstr (c_kept, ==, "token-of-b-hr");

  {
    g_autoptr(GAsyncResult) last = NULL;
    muster_keyring_clear_async ("tokens-b", -1, NULL, core_test_store_result_cb, &last);
    core_test_wait (&last);
    g_assert_true (muster_keyring_clear_finish (last, NULL));
  }
}

static MusterTarget *
open_target (MusterTargetStore  *store,
             const char         *name_or_uri,
             const char         *token,
             char              **name,
             GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_target_store_open_target_async (store, "contoso", name_or_uri, token, NULL, core_test_store_result_cb,
                                         &result);
  core_test_wait (&result);
  return muster_target_store_open_target_finish (store, result, name, error);
}

static void
test_open (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(MusterTargetStore) store = muster_target_store_load (f->path, NULL);
  g_autofree char *db = g_build_filename (f->dir, "people.db", NULL);
  g_autofree char *db_uri = g_strconcat ("sqlite:", db, NULL);
  g_autoptr(MusterTargetInfo) people = muster_target_store_add (store, "contoso", "people", db_uri, NULL);
  g_autoptr(MusterTargetInfo) app = muster_target_store_add (store, "contoso", "app",
                                                             "scim:http://127.0.0.1:9/scim/v2", NULL);

  g_assert_nonnull (people);
  g_assert_nonnull (app);

  /* a SQLite file, by its name or by its URI: nothing to look up */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = NULL;
      g_autofree char *uri = NULL;
      g_autoptr(MusterTarget) target = open_target (store, i == 0 ? "people" : db_uri, NULL, &name, &error);

      g_assert_no_error (error);
      g_assert_true (MUSTER_IS_SQLITE_TARGET (target));
      g_assert_cmpstr (name, ==, "people");
      uri = muster_target_get_uri (target);
      g_assert_cmpstr (uri, ==, db_uri);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *name = NULL;
    g_autoptr(MusterTarget) target = open_target (store, "sqlite:/elsewhere.db", NULL, &name, &error);

    g_assert_no_error (error);
    g_assert_true (MUSTER_IS_SQLITE_TARGET (target));
    g_assert_null (name);
  }

  /* a service no target names needs its token from the caller */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MusterTarget) target = open_target (store, "scim:http://127.0.0.1:8/scim", NULL, NULL, &error);

    g_assert_null (target);
    g_assert_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NEEDS_TOKEN);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *name = NULL;
    g_autoptr(MusterTarget) target = open_target (store, "scim:http://127.0.0.1:8/scim", "a-token", &name, &error);

    g_assert_no_error (error);
    g_assert_true (MUSTER_IS_SCIM_TARGET (target));
    g_assert_null (name);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MusterTarget) target = open_target (store, "nothing", NULL, NULL, &error);

    g_assert_null (target);
    g_assert_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NOT_FOUND);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MusterTarget) target = open_target (store, "scim:http://scim.example.com/v2", "t", NULL, &error);

    g_assert_null (target);
    g_assert_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID);
  }

  if (!core_test_keyring_usable ())
    return;

  /* a named service: its token from the keyring, also when asked for by its address */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MusterTarget) target = open_target (store, "app", NULL, NULL, &error);

    g_assert_null (target);
    g_assert_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NEEDS_TOKEN);
  }
  store_token ("contoso", "app", "token-of-app");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = NULL;
      g_autofree char *uri = NULL;
      g_autoptr(MusterTarget) target = open_target (store, i == 0 ? "app" : "scim:http://127.0.0.1:9/scim/v2/",
                                                    NULL, &name, &error);

      g_assert_no_error (error);
      g_assert_true (MUSTER_IS_SCIM_TARGET (target));
      g_assert_cmpstr (name, ==, "app");
      uri = muster_target_get_uri (target);
      g_assert_cmpstr (uri, ==, "scim:http://127.0.0.1:9/scim/v2");
    }
  {
    g_autoptr(GAsyncResult) result = NULL;
    muster_keyring_clear_async ("contoso", -1, NULL, core_test_store_result_cb, &result);
    core_test_wait (&result);
    g_assert_true (muster_keyring_clear_finish (result, NULL));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/target-store/round-trip", Fixture, NULL, fixture_set_up, test_round_trip, fixture_tear_down);
  g_test_add ("/target-store/refusals", Fixture, NULL, fixture_set_up, test_refusals, fixture_tear_down);
  g_test_add ("/target-store/bad-files", Fixture, NULL, fixture_set_up, test_bad_files, fixture_tear_down);
  g_test_add_func ("/target-store/tokens", test_tokens);
  g_test_add ("/target-store/open", Fixture, NULL, fixture_set_up, test_open, fixture_tear_down);
  return g_test_run ();
}
