/* muster-cli-target.c: muster-cli target add|list|remove|roles — where pushes go
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "muster-cli-private.h"
#include "muster-keyring.h"
#include "muster-scim-target.h"
#include "muster-sqlite-target.h"
#include "muster-target-store.h"

#define TARGET_USAGE \
  _("usage: muster-cli target add NAME scim:URL|sqlite:PATH [--no-test] | list | remove NAME | " \
    "roles NAME add|remove|list [ROLE]")

static MusterProfile *
open_profile (MusterCliContext    *cli,
              MusterProfileStore **profiles,
              int                 *status)
{
  g_autoptr(GError) error = NULL;
  MusterProfile *profile = _muster_cli_open_profile (cli, profiles, &error);

  if (profile == NULL)
    *status = _muster_cli_fail (cli, error);
  return profile;
}

/* Connects, reads the discovery documents and makes one authenticated request. */
static gboolean
test_scim_connection (MusterCliContext  *cli,
                      const char        *url,
                      const char        *token,
                      GError           **error)
{
  g_autoptr(MusterScimTarget) target = muster_scim_target_new (url, token, error);
  g_autoptr(GAsyncResult) result = NULL;

  if (target == NULL)
    return FALSE;
  fprintf (cli->err, _("Testing the connection to %s…\n"), url);
  muster_scim_target_test_connection_async (target, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  return muster_scim_target_test_connection_finish (target, result, error);
}

static int
target_add (MusterCliContext *cli,
            int               argc,
            char            **argv)
{
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(MusterTargetStore) store = NULL;
  g_autoptr(MusterTargetInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  const char *name = NULL, *uri = NULL;
  gboolean no_test = FALSE;
  MusterProfile *profile;
  const char *profile_name;
  int status = MUSTER_EXIT_OK;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--no-test"))
        no_test = TRUE;
      else if (g_str_has_prefix (argv[i], "--"))
        return _muster_cli_usage (cli, _("target add does not know “%s” (see muster-cli target --help)"), argv[i]);
      else if (name == NULL)
        name = argv[i];
      else if (uri == NULL)
        uri = argv[i];
      else
        return _muster_cli_usage (cli, _("target add needs NAME and one scim:URL or sqlite:PATH"));
    }
  if (uri == NULL)
    return _muster_cli_usage (cli, _("target add needs NAME and one scim:URL or sqlite:PATH"));

  profile = open_profile (cli, &profiles, &status);
  if (profile == NULL)
    return status;
  profile_name = muster_profile_get_name (profile);

  store = muster_target_store_load (NULL, &error);
  if (store == NULL)
    return _muster_cli_fail (cli, error);
  info = muster_target_store_add (store, profile_name, name, uri, &error);
  if (info == NULL)
    {
      if (g_error_matches (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_EXISTS) ||
          g_error_matches (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID))
        return _muster_cli_usage (cli, "%s", error->message);
      return _muster_cli_fail (cli, error);
    }

  if (info->kind == MUSTER_TARGET_KIND_SCIM)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autofree char *token = NULL;

      /* Never on the command line: every user of the machine can read it in /proc/PID/cmdline (proc(5)). */
      token = _muster_cli_read_secret (cli, _("SCIM bearer token: "), &error);
      if (token == NULL)
        return _muster_cli_usage (cli, "%s", error->message);

      if (!no_test && !test_scim_connection (cli, info->location, token, &error))
        {
          explicit_bzero (token, strlen (token));
          fprintf (cli->err, "%s\n", _("Nothing was saved. Fix the address or the token, or add the target "
                                       "with --no-test to test it later."));
          return _muster_cli_fail (cli, error);
        }

      /* The token is in the keyring before the target is saved: a target never exists without it. */
      muster_keyring_store_target_token_async (profile_name, name, token, cli->cancellable,
                                               _muster_cli_store_result_cb, &result);
      explicit_bzero (token, strlen (token));
      _muster_cli_wait (&result);
      if (!muster_keyring_store_target_token_finish (result, &error))
        return _muster_cli_fail (cli, error);
    }
  else
    {
      g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (info->location);
      g_autoptr(GAsyncResult) result = NULL;

      /* Made or checked now, so that a wrong file is reported here and not at the first push. */
      muster_sqlite_target_open_async (target, cli->cancellable, _muster_cli_store_result_cb, &result);
      _muster_cli_wait (&result);
      if (!muster_sqlite_target_open_finish (target, result, &error))
        return _muster_cli_fail (cli, error);
    }

  if (!muster_target_store_save (store, &error))
    {
      if (info->kind == MUSTER_TARGET_KIND_SCIM)
        {
          g_autoptr(GAsyncResult) result = NULL;

          muster_keyring_clear_target_token_async (profile_name, name, NULL, _muster_cli_store_result_cb, &result);
          _muster_cli_wait (&result);
          muster_keyring_clear_target_token_finish (result, NULL);
        }
      return _muster_cli_fail (cli, error);
    }

  if (info->kind == MUSTER_TARGET_KIND_SCIM)
    fprintf (cli->err, _("Added SCIM target “%s” (%s); its token is in the keyring.\n"), name, info->location);
  else
    fprintf (cli->err, _("Added SQLite target “%s” (%s).\n"), name, info->location);
  return MUSTER_EXIT_OK;
}

static int
target_list (MusterCliContext *cli)
{
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(MusterTargetStore) store = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GError) error = NULL;
  MusterProfile *profile;
  int status = MUSTER_EXIT_OK;

  profile = open_profile (cli, &profiles, &status);
  if (profile == NULL)
    return status;
  store = muster_target_store_load (NULL, &error);
  if (store == NULL)
    return _muster_cli_fail (cli, error);
  targets = muster_target_store_list (store, muster_profile_get_name (profile));

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < targets->len; i++)
        {
          MusterTargetInfo *info = g_ptr_array_index (targets, i);
          g_autofree char *uri = muster_target_info_dup_uri (info);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, info->name);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, muster_target_kind_to_string (info->kind));
          json_builder_set_member_name (builder, "location");
          json_builder_add_string_value (builder, info->location);
          json_builder_set_member_name (builder, "uri");
          json_builder_add_string_value (builder, uri);
          if (info->kind == MUSTER_TARGET_KIND_SCIM)
            {
              json_builder_set_member_name (builder, "roles");
              json_builder_begin_array (builder);
              for (guint r = 0; info->roles[r] != NULL; r++)
                json_builder_add_string_value (builder, info->roles[r]);
              json_builder_end_array (builder);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      _muster_cli_print_json (cli, root);
      return MUSTER_EXIT_OK;
    }

  if (targets->len == 0)
    {
      fprintf (cli->err, "%s\n", _("No targets yet. Add one with “muster-cli target add NAME sqlite:PATH” "
                                   "or “… scim:URL”."));
      return MUSTER_EXIT_OK;
    }
  {
    const char *headers[] = { _("Name"), _("Kind"), _("Location"), _("Roles") };
    g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

    for (guint i = 0; i < targets->len; i++)
      {
        MusterTargetInfo *info = g_ptr_array_index (targets, i);
        char **row = g_new0 (char *, 5);

        row[0] = g_strdup (info->name);
        row[1] = g_strdup (info->kind == MUSTER_TARGET_KIND_SCIM ? "SCIM" : "SQLite");
        row[2] = g_strdup (info->location);
        /* a store's roles are in the store: “target roles NAME list” reads them */
        row[3] = info->kind == MUSTER_TARGET_KIND_SCIM ? g_strjoinv (", ", info->roles) : g_strdup (_("in the store"));
        g_ptr_array_add (rows, row);
      }
    _muster_cli_print_table (cli, headers, G_N_ELEMENTS (headers), rows);
  }
  return MUSTER_EXIT_OK;
}

static int
target_remove (MusterCliContext *cli,
               const char       *name)
{
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(MusterTargetStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MusterTargetInfo *info;
  MusterProfile *profile;
  const char *profile_name;
  int status = MUSTER_EXIT_OK;

  profile = open_profile (cli, &profiles, &status);
  if (profile == NULL)
    return status;
  profile_name = muster_profile_get_name (profile);
  store = muster_target_store_load (NULL, &error);
  if (store == NULL)
    return _muster_cli_fail (cli, error);
  info = muster_target_store_lookup (store, profile_name, name);
  if (info == NULL)
    return _muster_cli_usage (cli, _("Profile “%s” has no target named “%s” (see muster-cli target list)"),
                              profile_name, name);

  /* the token first: a target must never vanish while its token stays behind in the keyring */
  if (info->kind == MUSTER_TARGET_KIND_SCIM)
    {
      muster_keyring_clear_target_token_async (profile_name, name, cli->cancellable,
                                               _muster_cli_store_result_cb, &result);
      _muster_cli_wait (&result);
      if (!muster_keyring_clear_target_token_finish (result, &error))
        return _muster_cli_fail (cli, error);
    }

  if (!muster_target_store_remove (store, profile_name, name, &error) || !muster_target_store_save (store, &error))
    return _muster_cli_fail (cli, error);
  /* A SQLite store is the admin's file: it stays where it is. */
  fprintf (cli->err, _("Removed target “%s”.\n"), name);
  return MUSTER_EXIT_OK;
}

static void
print_roles (MusterCliContext   *cli,
             const char * const *roles)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; roles[i] != NULL; i++)
        json_builder_add_string_value (builder, roles[i]);
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      _muster_cli_print_json (cli, root);
      return;
    }
  if (roles[0] == NULL)
    fprintf (cli->err, "%s\n", _("The target offers no roles yet. Add one with “muster-cli target roles NAME add ROLE”."));
  for (guint i = 0; roles[i] != NULL; i++)
    fprintf (cli->out, "%s\n", roles[i]);
}

static gboolean
role_is_valid (const char *role)
{
  if (role == NULL || role[0] == '\0' || !g_utf8_validate (role, -1, NULL) || strlen (role) > 256)
    return FALSE;
  for (const char *p = role; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static int
target_roles (MusterCliContext *cli,
              int               argc,
              char            **argv)
{
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(MusterTargetStore) store = NULL;
  g_autoptr(GError) error = NULL;
  MusterTargetInfo *info;
  MusterProfile *profile;
  const char *name, *action, *role;
  int status = MUSTER_EXIT_OK;

  /* roles NAME list | roles NAME add ROLE | roles NAME remove ROLE */
  if (argc < 3 || (g_str_equal (argv[2], "list") && argc != 3) ||
      (!g_str_equal (argv[2], "list") && (argc != 4 || (!g_str_equal (argv[2], "add") && !g_str_equal (argv[2], "remove")))))
    return _muster_cli_usage (cli, _("usage: muster-cli target roles NAME add ROLE | remove ROLE | list"));
  name = argv[1];
  action = argv[2];
  role = argc == 4 ? argv[3] : NULL;
  if (role != NULL && !role_is_valid (role))
    return _muster_cli_usage (cli, _("a role is a name of up to 256 bytes with no control characters"));

  profile = open_profile (cli, &profiles, &status);
  if (profile == NULL)
    return status;
  store = muster_target_store_load (NULL, &error);
  if (store == NULL)
    return _muster_cli_fail (cli, error);
  info = muster_target_store_lookup (store, muster_profile_get_name (profile), name);
  if (info == NULL)
    return _muster_cli_usage (cli, _("Profile “%s” has no target named “%s” (see muster-cli target list)"),
                              muster_profile_get_name (profile), name);

  if (info->kind == MUSTER_TARGET_KIND_SQLITE)
    {
      /* The store's own roles table is the truth, so a second program sees the same roles. */
      g_autoptr(MusterSqliteTarget) target = muster_sqlite_target_new (info->location);
      g_autoptr(GAsyncResult) result = NULL;
      g_auto(GStrv) roles = NULL;

      if (g_str_equal (action, "add"))
        {
          muster_sqlite_target_add_role_async (target, role, cli->cancellable, _muster_cli_store_result_cb, &result);
          _muster_cli_wait (&result);
          if (!muster_sqlite_target_add_role_finish (target, result, &error))
            return _muster_cli_fail (cli, error);
        }
      else if (g_str_equal (action, "remove"))
        {
          muster_sqlite_target_remove_role_async (target, role, cli->cancellable, _muster_cli_store_result_cb, &result);
          _muster_cli_wait (&result);
          if (!muster_sqlite_target_remove_role_finish (target, result, &error))
            {
              if (g_error_matches (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID))
                return _muster_cli_usage (cli, "%s", error->message);
              return _muster_cli_fail (cli, error);
            }
        }
      else
        {
          muster_sqlite_target_list_roles_async (target, cli->cancellable, _muster_cli_store_result_cb, &result);
          _muster_cli_wait (&result);
          roles = muster_sqlite_target_list_roles_finish (target, result, &error);
          if (roles == NULL)
            return _muster_cli_fail (cli, error);
          print_roles (cli, (const char * const *) roles);
        }
    }
  else
    {
      g_autoptr(GPtrArray) roles = g_ptr_array_new ();

      if (g_str_equal (action, "list"))
        {
          print_roles (cli, (const char * const *) info->roles);
          return MUSTER_EXIT_OK;
        }
      for (guint i = 0; info->roles[i] != NULL; i++)
        if (!g_str_equal (action, "remove") || !g_str_equal (info->roles[i], role))
          g_ptr_array_add (roles, info->roles[i]);
      if (g_str_equal (action, "remove") && roles->len == g_strv_length (info->roles))
        return _muster_cli_usage (cli, _("Target “%s” does not offer the role “%s”"), name, role);
      if (g_str_equal (action, "add"))
        g_ptr_array_add (roles, (gpointer) role);
      g_ptr_array_add (roles, NULL);
      if (!muster_target_store_set_roles (store, info->profile, name, (const char * const *) roles->pdata, &error) ||
          !muster_target_store_save (store, &error))
        return _muster_cli_fail (cli, error);
    }

  if (g_str_equal (action, "add"))
    fprintf (cli->err, _("Target “%s” offers the role “%s”.\n"), name, role);
  else if (g_str_equal (action, "remove"))
    fprintf (cli->err, _("Target “%s” no longer offers the role “%s”.\n"), name, role);
  return MUSTER_EXIT_OK;
}

int
_muster_cli_target (MusterCliContext *cli,
                    int               argc,
                    char            **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "add"))
    return target_add (cli, argc - 1, argv + 1);
  if (argc == 2 && g_str_equal (argv[1], "list"))
    return target_list (cli);
  if (argc == 3 && g_str_equal (argv[1], "remove"))
    return target_remove (cli, argv[2]);
  if (argc >= 2 && g_str_equal (argv[1], "roles"))
    return target_roles (cli, argc - 1, argv + 1);
  return _muster_cli_usage (cli, "%s", TARGET_USAGE);
}
