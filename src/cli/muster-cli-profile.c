/* muster-cli-profile.c: muster-cli profile add|list|remove
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-cli-private.h"
#include "muster-keyring.h"
#include "muster-target-store.h"

static int
profile_add (MusterCliContext *cli,
             int               argc,
             char            **argv)
{
  g_autofree char *tenant = NULL, *client_id = NULL, *cloud_name = NULL, *auth_name = NULL;
  g_autofree char *certificate = NULL, *key = NULL;
  gboolean make_default = FALSE;
  GOptionEntry entries[] = {
    { "tenant", 0, 0, G_OPTION_ARG_STRING, &tenant, N_("Tenant ID or domain (default: organizations)"), "T" },
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &client_id, N_("Your app registration’s client ID"), "ID" },
    { "cloud", 0, 0, G_OPTION_ARG_STRING, &cloud_name, N_("global, usgov, dod or china"), "CLOUD" },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &auth_name, N_("browser, device-code, secret or certificate"), "METHOD" },
    { "certificate", 0, 0, G_OPTION_ARG_FILENAME, &certificate, N_("PEM certificate (certificate sign-in)"), "PEM" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, N_("PEM private key (certificate sign-in)"), "PEM" },
    { "default", 0, 0, G_OPTION_ARG_NONE, &make_default, N_("Make it the default profile"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME — add a tenant connection"));
  g_autoptr(MusterProfileStore) store = NULL;
  g_autoptr(MusterProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  MusterCloud cloud = MUSTER_CLOUD_GLOBAL;
  MusterAuthMode mode = MUSTER_AUTH_MODE_BROWSER;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_help_enabled (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _muster_cli_usage (cli, "%s", error->message);
  if (argc != 2)
    return _muster_cli_usage (cli, _("profile add needs one NAME"));
  if (cloud_name != NULL && !muster_cloud_from_string (cloud_name, &cloud))
    return _muster_cli_usage (cli, _("unknown cloud “%s” (use global, usgov, dod or china)"), cloud_name);
  if (auth_name != NULL && !muster_auth_mode_from_string (auth_name, &mode))
    return _muster_cli_usage (cli, _("unknown sign-in method “%s” (use browser, device-code, secret or certificate)"),
                              auth_name);
  if (mode == MUSTER_AUTH_MODE_CERTIFICATE && (certificate == NULL || key == NULL))
    return _muster_cli_usage (cli, _("certificate sign-in needs --certificate PEM and --key PEM"));
  if ((mode == MUSTER_AUTH_MODE_SECRET || mode == MUSTER_AUTH_MODE_CERTIFICATE) &&
      (tenant == NULL || g_str_equal (tenant, "organizations") || g_str_equal (tenant, "common")))
    return _muster_cli_usage (cli, _("app-only sign-in needs --tenant with the tenant’s ID or domain"));

  store = _muster_cli_load_store (cli, &error);
  if (store == NULL)
    return _muster_cli_fail (cli, error);

  profile = muster_profile_new (argv[1]);
  if (profile == NULL || !muster_profile_name_is_valid (argv[1]))
    return _muster_cli_usage (cli, _("“%s” cannot be a profile name: use letters, digits, “.”, “_” and “-”"), argv[1]);
  muster_profile_set_tenant (profile, tenant);
  muster_profile_set_client_id (profile, client_id);
  muster_profile_set_cloud (profile, cloud);
  muster_profile_set_auth_mode (profile, mode);
  if (certificate != NULL)
    {
      g_autofree char *absolute_certificate = g_canonicalize_filename (certificate, NULL);
      g_autofree char *absolute_key = g_canonicalize_filename (key, NULL);
      muster_profile_set_certificate (profile, absolute_certificate, absolute_key);
    }

  if (!muster_profile_store_add (store, profile, &error))
    return _muster_cli_fail (cli, error);

  /* The secret goes to the keyring before the profile is saved, so a failure leaves nothing half-made. */
  if (mode == MUSTER_AUTH_MODE_SECRET)
    {
      g_autofree char *secret = _muster_cli_read_secret (cli, _("Client secret: "), &error);
      g_autoptr(GAsyncResult) result = NULL;

      if (secret == NULL)
        return _muster_cli_fail (cli, error);
      muster_keyring_store_async (argv[1], tenant, MUSTER_SECRET_CLIENT_SECRET, secret, cli->cancellable,
                                  _muster_cli_store_result_cb, &result);
      explicit_bzero (secret, strlen (secret));
      _muster_cli_wait (&result);
      if (!muster_keyring_store_finish (result, &error))
        return _muster_cli_fail (cli, error);
    }

  if (make_default)
    muster_profile_store_set_default (store, argv[1]);
  if (!muster_profile_store_save (store, &error))
    return _muster_cli_fail (cli, error);

  fprintf (cli->err, _("Added profile “%s”. Sign in with “muster-cli --profile %s login”.\n"), argv[1], argv[1]);
  return MUSTER_EXIT_OK;
}

static int
profile_list (MusterCliContext *cli)
{
  g_autoptr(MusterProfileStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *default_name;
  guint n;

  store = _muster_cli_load_store (cli, &error);
  if (store == NULL)
    return _muster_cli_fail (cli, error);
  default_name = muster_profile_store_get_default (store);
  n = g_list_model_get_n_items (G_LIST_MODEL (store));

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(MusterProfile) profile = g_list_model_get_item (G_LIST_MODEL (store), i);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, muster_profile_get_name (profile));
          json_builder_set_member_name (builder, "default");
          json_builder_add_boolean_value (builder, g_strcmp0 (default_name, muster_profile_get_name (profile)) == 0);
          json_builder_set_member_name (builder, "tenant");
          json_builder_add_string_value (builder, muster_profile_get_tenant (profile));
          json_builder_set_member_name (builder, "clientId");
          json_builder_add_string_value (builder, muster_profile_get_client_id (profile));
          json_builder_set_member_name (builder, "cloud");
          json_builder_add_string_value (builder, muster_cloud_to_string (muster_profile_get_cloud (profile)));
          json_builder_set_member_name (builder, "auth");
          json_builder_add_string_value (builder, muster_auth_mode_to_string (muster_profile_get_auth_mode (profile)));
          json_builder_set_member_name (builder, "signedIn");
          json_builder_add_boolean_value (builder, muster_profile_get_signed_in_at (profile) != 0);
          json_builder_set_member_name (builder, "username");
          if (muster_profile_get_username (profile))
            json_builder_add_string_value (builder, muster_profile_get_username (profile));
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      _muster_cli_print_json (cli, root);
      return MUSTER_EXIT_OK;
    }

  if (n == 0)
    {
      fprintf (cli->err, "%s\n", _("No profiles yet. Add one with “muster-cli profile add NAME”."));
      return MUSTER_EXIT_OK;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MusterProfile) profile = g_list_model_get_item (G_LIST_MODEL (store), i);
      const char *name = muster_profile_get_name (profile);

      fprintf (cli->out, "%s %-20s %-36s %-8s %-12s %s\n",
               g_strcmp0 (default_name, name) == 0 ? "*" : " ",
               name, muster_profile_get_tenant (profile),
               muster_cloud_to_string (muster_profile_get_cloud (profile)),
               muster_auth_mode_to_string (muster_profile_get_auth_mode (profile)),
               muster_profile_get_signed_in_at (profile) != 0
               ? (muster_profile_get_username (profile) ? muster_profile_get_username (profile) : _("signed in"))
               : _("not signed in"));
    }
  return MUSTER_EXIT_OK;
}

static int
profile_remove (MusterCliContext *cli,
                const char       *name)
{
  g_autoptr(MusterProfileStore) store = NULL;
  g_autoptr(MusterTargetStore) targets = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  store = _muster_cli_load_store (cli, &error);
  if (store == NULL)
    return _muster_cli_fail (cli, error);
  if (muster_profile_store_resolve (store, name, &error) == NULL)
    return _muster_cli_fail (cli, error);

  targets = muster_target_store_load (NULL, &error);
  if (targets == NULL)
    return _muster_cli_fail (cli, error);

  /* secrets first: a profile must never vanish while its tokens stay behind in the keyring
   * (this takes its SCIM targets' tokens too: they carry the profile attribute) */
  muster_keyring_clear_async (name, -1, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  if (!muster_keyring_clear_finish (result, &error))
    return _muster_cli_fail (cli, error);

  if (muster_target_store_remove_profile (targets, name) > 0 && !muster_target_store_save (targets, &error))
    return _muster_cli_fail (cli, error);

  if (!muster_profile_store_remove (store, name, &error) || !muster_profile_store_save (store, &error))
    return _muster_cli_fail (cli, error);
  fprintf (cli->err, _("Removed profile “%s”, its targets and its keyring items.\n"), name);
  return MUSTER_EXIT_OK;
}

int
_muster_cli_profile (MusterCliContext *cli,
                     int               argc,
                     char            **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "add"))
    return profile_add (cli, argc - 1, argv + 1);
  if (argc == 2 && g_str_equal (argv[1], "list"))
    return profile_list (cli);
  if (argc == 3 && g_str_equal (argv[1], "remove"))
    return profile_remove (cli, argv[2]);
  return _muster_cli_usage (cli, _("usage: muster-cli profile add NAME [OPTIONS] | list | remove NAME"));
}
