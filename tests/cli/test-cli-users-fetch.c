/* test-cli-users-fetch.c: `muster-cli fetch` then `muster-cli users` against the fake tenant
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue 5's "done when": fetch, then users --exclude-guests --exclude-disabled --format csv,
 * gives exactly the fake directory's enabled members — the expected set read from the fake's
 * Graph with a token of its own, not from anything Muster wrote.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "cli-test-util.h"
#include "fake-test-util.h"

typedef struct
{
  MusterFakeTenant *tenant;
  char             *dir;
} Fixture;


static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->tenant = fake_test_start_tenant (NULL);
  f->dir = g_dir_make_tmp ("muster-cli-users-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  cli_test_keyring_clear ("users-cli");
  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
  g_clear_object (&f->tenant);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* The ids of the fake's enabled members, read through its Graph, page by page. */
static char *
expected_ids (Fixture *f,
              guint   *n_guests,
              guint   *n_disabled)
{
  g_autofree char *token = fake_test_sign_in (f->tenant, "User.Read.All");
  g_autofree char *authorization = g_strdup_printf ("Bearer %s", token);
  const char *headers[] = { "Authorization", authorization, NULL };
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *next = g_strdup ("/v1.0/users?$select=id,accountEnabled,userType&$top=999");

  *n_guests = *n_disabled = 0;
  while (next != NULL)
    {
      g_autoptr(FakeResponse) page = fake_test_request (f->tenant, "GET", next, headers, NULL, NULL);
      JsonObject *root;
      JsonArray *value;

      g_assert_cmpuint (page->status, ==, 200);
      root = json_node_get_object (page->json);
      value = json_object_get_array_member (root, "value");
      for (guint i = 0; i < json_array_get_length (value); i++)
        {
          JsonObject *user = json_array_get_object_element (value, i);
          gboolean guest = g_strcmp0 (json_object_get_string_member_with_default (user, "userType", ""), "Guest") == 0;
          gboolean disabled = !json_object_get_boolean_member_with_default (user, "accountEnabled", TRUE);

          *n_guests += guest;
          *n_disabled += disabled;
          if (!guest && !disabled)
            g_ptr_array_add (ids, g_strdup (json_object_get_string_member (user, "id")));
        }
      g_free (next);
      next = g_strdup (json_object_get_string_member_with_default (root, "@odata.nextLink", NULL));
    }
  g_ptr_array_sort (ids, compare_strings);
  g_ptr_array_add (ids, NULL);
  return g_strjoinv ("\n", (char **) ids->pdata);
}

static void
test_fetch_then_users (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(Run) add = NULL, login = NULL, fetch = NULL, users = NULL, all = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_guests, n_disabled;

  if (!cli_test_keyring_usable ())
    return;

  add = CLI (f, "profile", "add", "users-cli");
  g_assert_cmpint (add->status, ==, 0);
  login = CLI (f, "login");
  g_assert_cmpint (login->status, ==, 0);
  fetch = CLI (f, "fetch");
  g_assert_cmpint (fetch->status, ==, 0);

  users = CLI (f, "users", "--exclude-guests", "--exclude-disabled", "--format", "csv",
               "--columns", "id,displayName");
  g_assert_cmpint (users->status, ==, 0);
  lines = g_strsplit (users->out, "\r\n", -1);
  g_assert_cmpstr (lines[0], ==, "Object ID,Display name");
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      char *comma = strchr (lines[i], ',');

      g_assert_nonnull (comma);
      g_ptr_array_add (ids, g_strndup (lines[i], comma - lines[i]));
    }
  g_ptr_array_sort (ids, compare_strings);
  g_ptr_array_add (ids, NULL);
  got = g_strjoinv ("\n", (char **) ids->pdata);

  expected = expected_ids (f, &n_guests, &n_disabled);
  /* The demo directory has both kinds, so both exclusions are exercised. */
  g_assert_cmpuint (n_guests, >, 0);
  g_assert_cmpuint (n_disabled, >, 0);
  g_assert_cmpstr (got, ==, expected);

  /* Without filters: everyone, and the count on stderr says how many were left out above. */
  all = CLI (f, "users", "--format", "json");
  g_assert_cmpint (all->status, ==, 0);
  g_assert_nonnull (strstr (users->err, " of "));
  g_assert_cmpuint (g_strv_length (lines) - 2, <, strtoul (strstr (users->err, " of ") + 4, NULL, 10));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cli/users/fetch-then-filter", Fixture, NULL, fixture_set_up, test_fetch_then_users,
              fixture_tear_down);
  return g_test_run ();
}
