/* muster-cli-login.c: muster-cli login | logout
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "muster-cli-private.h"

static void
authorize_url_cb (MusterSession    *session,
                  const char       *url,
                  gboolean          opened,
                  const char       *problem,
                  MusterCliContext *cli)
{
  /* The link is shown either way: over SSH the browser may open on another screen, or not at all. */
  if (opened)
    fprintf (cli->err, "%s\n", _("Your browser has been opened to sign in. If it did not appear, open this link:"));
  else
    fprintf (cli->err, "%s\n%s\n", problem ? problem : "", _("Open this link in a browser to sign in:"));
  fprintf (cli->err, "  %s\n%s\n", url, _("Waiting for you to finish in the browser… (Ctrl+C cancels)"));
  fflush (cli->err);
}

static void
device_code_cb (MusterSession    *session,
                const char       *user_code,
                const char       *verification_uri,
                const char       *message,
                gint64            expires_at,
                MusterCliContext *cli)
{
  fprintf (cli->err, _("To sign in, open %s on any device and enter the code %s\n"), verification_uri, user_code);
  fprintf (cli->err, "%s\n", _("Waiting for you to finish… (Ctrl+C cancels)"));
  fflush (cli->err);
}

int
_muster_cli_login (MusterCliContext *cli,
                   int               argc,
                   char            **argv)
{
  gboolean device_code = FALSE, admin_consent = FALSE;
  GOptionEntry entries[] = {
    { "device-code", 0, 0, G_OPTION_ARG_NONE, &device_code, N_("Sign in with a code on another device"), NULL },
    { "admin-consent", 0, 0, G_OPTION_ARG_NONE, &admin_consent, N_("Grant tenant-wide admin consent first"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— sign in to the profile’s tenant"));
  g_autoptr(MusterProfileStore) store = NULL;
  g_autoptr(MusterSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MusterProfile *profile;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return _muster_cli_usage (cli, "%s", error->message);
  if (argc != 1)
    return _muster_cli_usage (cli, _("login takes no arguments besides its options"));

  profile = _muster_cli_open_profile (cli, &store, &error);
  if (profile == NULL)
    return _muster_cli_fail (cli, error);

  if (device_code)
    {
      if (muster_profile_is_app_only (profile))
        return _muster_cli_usage (cli, _("--device-code signs in a person; this profile signs in app-only"));
      muster_profile_set_auth_mode (profile, MUSTER_AUTH_MODE_DEVICE_CODE);
    }
  if (admin_consent && muster_profile_get_auth_mode (profile) != MUSTER_AUTH_MODE_BROWSER)
    return _muster_cli_usage (cli, _("--admin-consent needs the browser sign-in method"));

  session = muster_session_new (store, profile);
  g_signal_connect (session, "authorize-url", G_CALLBACK (authorize_url_cb), cli);
  g_signal_connect (session, "device-code", G_CALLBACK (device_code_cb), cli);

  muster_session_sign_in_async (session, admin_consent, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  if (!muster_session_sign_in_finish (session, result, &error))
    return _muster_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "profile");
      json_builder_add_string_value (builder, muster_profile_get_name (profile));
      json_builder_set_member_name (builder, "tenantId");
      json_builder_add_string_value (builder, muster_profile_get_tenant_id (profile));
      json_builder_set_member_name (builder, "username");
      if (muster_profile_get_username (profile) != NULL)
        json_builder_add_string_value (builder, muster_profile_get_username (profile));
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      _muster_cli_print_json (cli, root);
    }
  else if (muster_profile_get_username (profile) != NULL)
    fprintf (cli->err, _("Signed in as %s.\n"), muster_profile_get_username (profile));
  else
    fprintf (cli->err, _("Signed in to tenant %s (app-only).\n"), muster_profile_get_tenant (profile));
  return MUSTER_EXIT_OK;
}

int
_muster_cli_logout (MusterCliContext *cli,
                    int               argc,
                    char            **argv)
{
  g_autoptr(MusterProfileStore) store = NULL;
  g_autoptr(MusterSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MusterProfile *profile;

  if (argc != 1)
    return _muster_cli_usage (cli, _("logout takes no arguments"));
  profile = _muster_cli_open_profile (cli, &store, &error);
  if (profile == NULL)
    return _muster_cli_fail (cli, error);

  session = muster_session_new (store, profile);
  muster_session_sign_out_async (session, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  if (!muster_session_sign_out_finish (session, result, &error))
    return _muster_cli_fail (cli, error);
  fprintf (cli->err, _("Signed out of “%s”; its tokens are gone from the keyring.\n"), muster_profile_get_name (profile));
  return MUSTER_EXIT_OK;
}
