/* muster-session.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-session"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "muster-auth-error.h"
#include "muster-browser.h"
#include "muster-http.h"
#include "muster-keyring.h"
#include "muster-loopback.h"
#include "muster-oauth.h"
#include "muster-pkce.h"
#include "muster-session.h"

struct _MusterSession
{
  GObject             parent_instance;

  MusterProfileStore *store;
  MusterProfile      *profile;
  SoupSession        *http;
  MusterToken        *token;           /* in memory only */
  GPtrArray          *token_waiters;   /* GTasks waiting for a refresh already under way */
  guint               browser_timeout;
};

G_DEFINE_FINAL_TYPE (MusterSession, muster_session, G_TYPE_OBJECT)

enum {
  SIGNAL_AUTHORIZE_URL,
  SIGNAL_DEVICE_CODE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  gboolean          admin_consent;
  MusterLoopback   *loopback;
  MusterLoopback   *consent_loopback; /* kept until the end: its browser still loads /done */
  char             *state;
  char             *verifier;       /* secret */
  MusterDeviceCode *device_code;    /* secret inside */
  guint             poll_id;
} SignInData;

static void
sign_in_data_free (SignInData *data)
{
  g_clear_object (&data->loopback);
  g_clear_object (&data->consent_loopback);
  g_free (data->state);
  if (data->verifier != NULL)
    explicit_bzero (data->verifier, strlen (data->verifier));
  g_free (data->verifier);
  g_clear_pointer (&data->device_code, muster_device_code_free);
  g_clear_handle_id (&data->poll_id, g_source_remove);
  g_free (data);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Storing a token ----------------------------------------------------------------------- */

typedef struct
{
  MusterToken *token;
  guint        pending;
  GError      *error;
} StoreData;

static void
store_data_free (StoreData *data)
{
  g_clear_pointer (&data->token, muster_token_free);
  g_clear_error (&data->error);
  g_free (data);
}

static void
profile_saved_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StoreData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* the keyring holds the tokens; a profile file that could not be written only costs a
   * sign-in on the next start */
  if (!muster_profile_store_save_finish (MUSTER_PROFILE_STORE (source), result, &error))
    g_warning ("Could not save the profile: %s", error->message);
  g_task_return_pointer (task, g_steal_pointer (&data->token), (GDestroyNotify) muster_token_free);
}

static void
store_done (GTask *task)
{
  MusterSession *self = g_task_get_source_object (task);
  StoreData *data = g_task_get_task_data (task);
  MusterToken *token = data->token;

  if (data->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&data->error));
      return;
    }

  /* Only now that the keyring holds the tokens does the profile say who is signed in. */
  if (token->object_id != NULL || muster_profile_get_signed_in_at (self->profile) == 0)
    muster_profile_set_signed_in (self->profile,
                                  token->tenant_id ? token->tenant_id : muster_profile_get_tenant_id (self->profile),
                                  token->username ? token->username : muster_profile_get_username (self->profile),
                                  muster_profile_get_organization (self->profile),
                                  now_seconds ());
  muster_profile_set_refreshed_at (self->profile, now_seconds ());
  muster_profile_set_token_info (self->profile, (const char * const *) token->scopes, token->expires_at);

  g_clear_pointer (&self->token, muster_token_free);
  self->token = muster_token_copy (token);
  /* the token is handed over once profiles.ini is written, off the main loop */
  muster_profile_store_save_async (self->store, NULL, profile_saved_cb, g_object_ref (task));
}

static void
store_secret_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StoreData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!muster_keyring_store_finish (result, &error) && data->error == NULL)
    data->error = error;
  else
    g_clear_error (&error);

  if (--data->pending == 0)
    store_done (task);
}

static void
store_token_async (MusterSession       *self,
                   MusterToken         *token,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  StoreData *data = g_new0 (StoreData, 1);
  const char *tenant_id = token->tenant_id ? token->tenant_id : muster_profile_get_tenant_id (self->profile);
  const char *name = muster_profile_get_name (self->profile);

  data->token = token;
  g_task_set_task_data (task, data, (GDestroyNotify) store_data_free);

  data->pending = token->refresh_token ? 2 : 1;
  muster_keyring_store_async (name, tenant_id, MUSTER_SECRET_ACCESS_TOKEN, token->access_token,
                              cancellable, store_secret_cb, g_object_ref (task));
  /* Rotation: every refresh hands out a new refresh token; keep the newest
   * (learn.microsoft.com/entra/identity-platform/refresh-tokens). */
  if (token->refresh_token != NULL)
    muster_keyring_store_async (name, tenant_id, MUSTER_SECRET_REFRESH_TOKEN, token->refresh_token,
                                cancellable, store_secret_cb, g_object_ref (task));
  g_object_unref (task);
}

static MusterToken *
store_token_finish (GAsyncResult  *result,
                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Sign-in ------------------------------------------------------------------------------- */

static void sign_in_start_browser (GTask *task);

static void
sign_in_stored_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(MusterToken) token = NULL;
  GError *error = NULL;

  token = store_token_finish (result, &error);
  if (token == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
sign_in_token_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterSession *self = g_task_get_source_object (task);
  MusterToken *token;
  GError *error = NULL;

  token = muster_oauth_post_token_finish (result, &error);
  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  {
    GCancellable *cancellable = g_task_get_cancellable (task);
    store_token_async (self, token, cancellable, sign_in_stored_cb, g_steal_pointer (&task));
  }
}

static void
browser_answer_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterSession *self = g_task_get_source_object (task);
  SignInData *data = g_task_get_task_data (task);
  g_autoptr(GHashTable) answer = NULL;
  GCancellable *cancellable;
  GHashTable *form;
  GError *error = NULL;
  const char *code;

  answer = muster_loopback_wait_for_code_finish (MUSTER_LOOPBACK (source), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (data->admin_consent)
    {
      /* Admin consent answers admin_consent=True and no code; now sign in for real. */
      data->admin_consent = FALSE;
      data->consent_loopback = g_steal_pointer (&data->loopback);
      sign_in_start_browser (g_steal_pointer (&task));
      return;
    }

  code = g_hash_table_lookup (answer, "code");
  if (code == NULL)
    {
      g_task_return_new_error (task, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_PROTOCOL,
                               _("The browser came back without a sign-in code."));
      return;
    }

  form = muster_oauth_form_new (self->profile, "authorization_code");
  g_hash_table_insert (form, "code", g_strdup (code));
  g_hash_table_insert (form, "redirect_uri", g_strdup (muster_loopback_get_redirect_uri (data->loopback)));
  g_hash_table_insert (form, "code_verifier", g_strdup (data->verifier));
  g_hash_table_insert (form, "scope", muster_oauth_get_delegated_scopes (self->profile));
  explicit_bzero ((char *) code, strlen (code));
  cancellable = g_task_get_cancellable (task);
  muster_oauth_post_token_async (self->http, self->profile, form, cancellable, sign_in_token_cb,
                                 g_steal_pointer (&task));
}

static void
browser_opened_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterSession *self = g_task_get_source_object (task);
  g_autofree char *url = g_object_steal_data (G_OBJECT (task), "url");
  g_autoptr(GError) error = NULL;
  gboolean opened;

  opened = muster_browser_open_finish (result, &error);
  /* Whether or not a browser opened, the listener waits: the admin may copy the link. */
  g_signal_emit (self, signals[SIGNAL_AUTHORIZE_URL], 0, url, opened, error ? error->message : NULL);
}

static void
sign_in_start_browser (GTask *task)
{
  MusterSession *self = g_task_get_source_object (task);
  SignInData *data = g_task_get_task_data (task);
  g_autofree char *challenge = NULL;
  char *url;
  GError *error = NULL;

  data->loopback = muster_loopback_new ();
  if (!muster_loopback_listen (data->loopback, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_free (data->state);
  data->state = muster_random_urlsafe (24);
  if (data->admin_consent)
    url = muster_oauth_build_admin_consent_url (self->profile, muster_loopback_get_redirect_uri (data->loopback),
                                                data->state);
  else
    {
      if (data->verifier != NULL)
        explicit_bzero (data->verifier, strlen (data->verifier));
      g_free (data->verifier);
      data->verifier = muster_pkce_new_verifier ();
      challenge = muster_pkce_challenge_s256 (data->verifier);
      url = muster_oauth_build_authorize_url (self->profile, muster_loopback_get_redirect_uri (data->loopback),
                                              data->state, challenge, muster_profile_get_username (self->profile));
    }

  /* The browser would carry the code back from a page served over plain http elsewhere. */
  if (!muster_url_is_acceptable (url, &error))
    {
      g_free (url);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  muster_loopback_wait_for_code_async (data->loopback, data->state, self->browser_timeout,
                                       g_task_get_cancellable (task), browser_answer_cb, g_object_ref (task));

  g_object_set_data_full (G_OBJECT (task), "url", g_strdup (url), g_free);
  muster_browser_open_async (url, g_task_get_cancellable (task), browser_opened_cb, task);
  g_free (url);
}

static void device_poll (GTask *task);

static void
device_token_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterSession *self = g_task_get_source_object (task);
  SignInData *data = g_task_get_task_data (task);
  MusterToken *token;
  GError *error = NULL;

  token = muster_oauth_post_token_finish (result, &error);
  if (token != NULL)
    {
      {
    GCancellable *cancellable = g_task_get_cancellable (task);
    store_token_async (self, token, cancellable, sign_in_stored_cb, g_steal_pointer (&task));
  }
      return;
    }

  if (g_error_matches (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_PENDING) ||
      g_error_matches (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_SLOW_DOWN))
    {
      /* RFC 8628 §3.5: slow_down adds 5 seconds to the interval for good */
      if (error->code == MUSTER_AUTH_ERROR_SLOW_DOWN)
        data->device_code->interval += 5;
      g_error_free (error);
      if (now_seconds () >= data->device_code->expires_at)
        {
          g_task_return_new_error (task, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_EXPIRED,
                                   _("The code expired before it was entered. Start again to get a new one."));
          return;
        }
      device_poll (g_steal_pointer (&task));
      return;
    }
  g_task_return_error (task, error);
}

static gboolean
device_poll_cb (gpointer user_data)
{
  GTask *task = user_data;
  MusterSession *self = g_task_get_source_object (task);
  SignInData *data = g_task_get_task_data (task);
  GHashTable *form;

  data->poll_id = 0;
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }

  form = muster_oauth_form_new (self->profile, "urn:ietf:params:oauth:grant-type:device_code");
  g_hash_table_insert (form, "device_code", g_strdup (data->device_code->device_code));
  muster_oauth_post_token_async (self->http, self->profile, form, g_task_get_cancellable (task),
                                 device_token_cb, task);
  return G_SOURCE_REMOVE;
}

static void
device_poll (GTask *task)
{
  SignInData *data = g_task_get_task_data (task);

  data->poll_id = g_timeout_add_seconds (data->device_code->interval, device_poll_cb, task);
}

static void
device_code_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterSession *self = g_task_get_source_object (task);
  SignInData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->device_code = muster_oauth_request_device_code_finish (result, &error);
  if (data->device_code == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_DEVICE_CODE], 0, data->device_code->user_code,
                 data->device_code->verification_uri, data->device_code->message,
                 data->device_code->expires_at);
  device_poll (g_steal_pointer (&task));
}

typedef struct
{
  char                *client_id;
  char                *certificate_file;
  char                *key_file;
  char                *token_url;
  GHashTable          *form;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
} AssertionData;

static void
assertion_data_free (AssertionData *data)
{
  g_free (data->client_id);
  g_free (data->certificate_file);
  g_free (data->key_file);
  g_free (data->token_url);
  g_clear_pointer (&data->form, g_hash_table_unref);
  g_free (data);
}

static void
assertion_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  AssertionData *data = task_data;
  GError *error = NULL;
  char *assertion;

  assertion = muster_oauth_make_client_assertion (data->client_id, data->certificate_file, data->key_file,
                                                  data->token_url, &error);
  if (assertion == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, assertion, g_free);
}

static void
assertion_ready_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  MusterSession *self = MUSTER_SESSION (source);
  AssertionData *data = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  char *assertion = g_task_propagate_pointer (G_TASK (result), &error);

  if (assertion == NULL)
    {
      GTask *task = g_task_new (self, g_task_get_cancellable (G_TASK (result)), data->callback, data->user_data);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_hash_table_insert (data->form, "client_assertion_type",
                       g_strdup ("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
  g_hash_table_insert (data->form, "client_assertion", assertion);
  muster_oauth_post_token_async (self->http, self->profile, g_steal_pointer (&data->form),
                                 g_task_get_cancellable (G_TASK (result)), data->callback, data->user_data);
}

static void
app_only_token_async (MusterSession       *self,
                      const char          *client_secret,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GHashTable *form = muster_oauth_form_new (self->profile, "client_credentials");
  MusterCloud cloud = muster_profile_get_cloud (self->profile);

  /* application permissions come only through /.default
   * (learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow) */
  g_hash_table_insert (form, "scope", g_strdup_printf ("%s/.default", muster_cloud_get_graph_resource (cloud)));
  if (muster_profile_get_auth_mode (self->profile) == MUSTER_AUTH_MODE_CERTIFICATE)
    {
      /* reading the key and signing happen in a worker thread: the main loop never waits */
      g_autoptr(GTask) task = g_task_new (self, cancellable, assertion_ready_cb, NULL);
      AssertionData *data = g_new0 (AssertionData, 1);

      data->client_id = g_strdup (muster_profile_get_client_id (self->profile));
      data->certificate_file = g_strdup (muster_profile_get_certificate_file (self->profile));
      data->key_file = g_strdup (muster_profile_get_key_file (self->profile));
      data->token_url = muster_oauth_get_token_url (self->profile);
      data->form = form;
      data->callback = callback;
      data->user_data = user_data;
      g_task_set_task_data (task, data, (GDestroyNotify) assertion_data_free);
      g_task_set_return_on_cancel (task, FALSE);
      g_task_run_in_thread (task, assertion_thread);
      return;
    }

  g_hash_table_insert (form, "client_secret", g_strdup (client_secret));
  muster_oauth_post_token_async (self->http, self->profile, form, cancellable, callback, user_data);
}

static void
secret_for_sign_in_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterSession *self = g_task_get_source_object (task);
  g_autofree char *secret = NULL;
  GError *error = NULL;

  secret = muster_keyring_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (secret == NULL)
    {
      g_task_return_new_error (task, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_INVALID_CLIENT,
                               _("No client secret is stored for this profile. Enter it in the connection settings."));
      return;
    }
  {
    GCancellable *cancellable = g_task_get_cancellable (task);
    app_only_token_async (self, secret, cancellable, sign_in_token_cb, g_steal_pointer (&task));
  }
  explicit_bzero (secret, strlen (secret));
}

void
muster_session_sign_in_async (MusterSession       *self,
                              gboolean             admin_consent,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  SignInData *data;

  g_return_if_fail (MUSTER_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_session_sign_in_async);
  data = g_new0 (SignInData, 1);
  data->admin_consent = admin_consent;
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_data_free);

  switch (muster_profile_get_auth_mode (self->profile))
    {
    case MUSTER_AUTH_MODE_BROWSER:
      sign_in_start_browser (task);
      break;
    case MUSTER_AUTH_MODE_DEVICE_CODE:
      muster_oauth_request_device_code_async (self->http, self->profile, cancellable, device_code_cb, task);
      break;
    case MUSTER_AUTH_MODE_SECRET:
      muster_keyring_lookup_async (muster_profile_get_name (self->profile), MUSTER_SECRET_CLIENT_SECRET,
                                   cancellable, secret_for_sign_in_cb, task);
      break;
    case MUSTER_AUTH_MODE_CERTIFICATE:
      app_only_token_async (self, NULL, cancellable, sign_in_token_cb, task);
      break;
    default:
      g_assert_not_reached ();
    }
}

gboolean
muster_session_sign_in_finish (MusterSession  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Tokens -------------------------------------------------------------------------------- */

static void
return_to_waiters (MusterSession     *self,
                   const MusterToken *token,
                   const GError      *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->token_waiters);

  self->token_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);
      if (token != NULL)
        g_task_return_pointer (task, muster_token_copy (token), (GDestroyNotify) muster_token_free);
      else
        g_task_return_error (task, g_error_copy (error));
    }
}

static void
refresh_stored_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  MusterSession *self = MUSTER_SESSION (source);
  g_autoptr(MusterToken) token = NULL;
  g_autoptr(GError) error = NULL;

  token = store_token_finish (result, &error);
  return_to_waiters (self, token, error);
}

static void
refreshed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MusterSession) self = user_data;
  g_autoptr(GError) error = NULL;
  MusterToken *token;

  token = muster_oauth_post_token_finish (result, &error);
  if (token == NULL)
    {
      /* A refresh token that no longer works means signing in again (exit code 3 in the CLI). */
      if (g_error_matches (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_PROTOCOL) ||
          g_error_matches (error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_INTERACTION_REQUIRED))
        error->code = MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED;
      return_to_waiters (self, NULL, error);
      return;
    }
  store_token_async (self, token, NULL, refresh_stored_cb, NULL);
}

static void
refresh_secret_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(MusterSession) self = user_data;
  g_autofree char *secret = NULL;
  g_autoptr(GError) error = NULL;

  secret = muster_keyring_lookup_finish (result, &error);
  if (secret == NULL && error == NULL)
    error = g_error_new_literal (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED,
                                 muster_profile_is_app_only (self->profile)
                                 ? _("No client secret is stored for this profile. Sign in again.")
                                 : _("You are not signed in to this tenant. Sign in first."));
  if (error != NULL)
    {
      return_to_waiters (self, NULL, error);
      return;
    }

  if (muster_profile_is_app_only (self->profile))
    app_only_token_async (self, secret, NULL, refreshed_cb, g_object_ref (self));
  else
    {
      GHashTable *form = muster_oauth_form_new (self->profile, "refresh_token");
      g_hash_table_insert (form, "refresh_token", g_strdup (secret));
      g_hash_table_insert (form, "scope", muster_oauth_get_delegated_scopes (self->profile));
      muster_oauth_post_token_async (self->http, self->profile, form, NULL, refreshed_cb, g_object_ref (self));
    }
  explicit_bzero (secret, strlen (secret));
}

static void
start_refresh (MusterSession *self)
{
  MusterProfile *profile = self->profile;

  switch (muster_profile_get_auth_mode (profile))
    {
    case MUSTER_AUTH_MODE_CERTIFICATE:
      app_only_token_async (self, NULL, NULL, refreshed_cb, g_object_ref (self));
      break;
    case MUSTER_AUTH_MODE_SECRET:
      muster_keyring_lookup_async (muster_profile_get_name (profile), MUSTER_SECRET_CLIENT_SECRET, NULL,
                                   refresh_secret_cb, g_object_ref (self));
      break;
    default:
      if (muster_profile_get_signed_in_at (profile) == 0)
        {
          g_autoptr(GError) error = g_error_new_literal (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED,
                                                         _("You are not signed in to this tenant. Sign in first."));
          return_to_waiters (self, NULL, error);
          return;
        }
      muster_keyring_lookup_async (muster_profile_get_name (profile), MUSTER_SECRET_REFRESH_TOKEN, NULL,
                                   refresh_secret_cb, g_object_ref (self));
    }
}

static void
stored_access_token_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(MusterSession) self = user_data;
  g_autofree char *access_token = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterToken) token = NULL;

  access_token = muster_keyring_lookup_finish (result, &error);
  if (error != NULL)
    {
      return_to_waiters (self, NULL, error);
      return;
    }
  if (access_token == NULL)
    {
      start_refresh (self);
      return;
    }

  token = g_new0 (MusterToken, 1);
  token->access_token = g_steal_pointer (&access_token);
  token->scopes = g_strdupv ((char **) muster_profile_get_scopes (self->profile));
  token->expires_at = muster_profile_get_token_expires_at (self->profile);
  token->tenant_id = g_strdup (muster_profile_get_tenant_id (self->profile));
  token->username = g_strdup (muster_profile_get_username (self->profile));
  g_clear_pointer (&self->token, muster_token_free);
  self->token = muster_token_copy (token);
  return_to_waiters (self, token, NULL);
}

void
muster_session_get_token_async (MusterSession       *self,
                                gboolean             force_refresh,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gint64 now = now_seconds ();
  gboolean busy;

  g_return_if_fail (MUSTER_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_session_get_token_async);

  if (!force_refresh && self->token != NULL && self->token->expires_at - now > MUSTER_TOKEN_REFRESH_MARGIN)
    {
      g_task_return_pointer (task, muster_token_copy (self->token), (GDestroyNotify) muster_token_free);
      return;
    }

  /* One refresh at a time: later callers wait for its token instead of spending the refresh
   * token twice. */
  busy = self->token_waiters->len > 0;
  g_ptr_array_add (self->token_waiters, g_steal_pointer (&task));
  if (busy)
    return;

  if (force_refresh)
    g_clear_pointer (&self->token, muster_token_free);

  /* Another process (the CLI, a timer) may have left a fresh access token in the keyring. */
  if (!force_refresh && muster_profile_get_token_expires_at (self->profile) - now > MUSTER_TOKEN_REFRESH_MARGIN)
    muster_keyring_lookup_async (muster_profile_get_name (self->profile), MUSTER_SECRET_ACCESS_TOKEN, NULL,
                                 stored_access_token_cb, g_object_ref (self));
  else
    start_refresh (self);
}

MusterToken *
muster_session_get_token_finish (MusterSession  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Sign-out ------------------------------------------------------------------------------ */

static void
sign_out_saved_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!muster_profile_store_save_finish (MUSTER_PROFILE_STORE (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
sign_out_cleared_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterSession *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!muster_keyring_clear_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_pointer (&self->token, muster_token_free);
  muster_profile_clear_signed_in (self->profile);
  muster_profile_store_save_async (self->store, NULL, sign_out_saved_cb, g_steal_pointer (&task));
}

void
muster_session_sign_out_async (MusterSession       *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MUSTER_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_session_sign_out_async);
  muster_keyring_clear_async (muster_profile_get_name (self->profile), -1, cancellable, sign_out_cleared_cb, task);
}

gboolean
muster_session_sign_out_finish (MusterSession  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

int
muster_session_get_days_until_reauthorize (MusterSession *self,
                                           gint64         now)
{
  gint64 refreshed_at;

  g_return_val_if_fail (MUSTER_IS_SESSION (self), G_MAXINT);

  refreshed_at = muster_profile_get_refreshed_at (self->profile);
  if (muster_profile_is_app_only (self->profile) || refreshed_at == 0)
    return G_MAXINT;
  return (int) ((refreshed_at + 90 * 24 * 3600 - now) / (24 * 3600));
}

/* GObject ------------------------------------------------------------------------------- */

static void
muster_session_finalize (GObject *object)
{
  MusterSession *self = MUSTER_SESSION (object);

  g_clear_object (&self->store);
  g_clear_object (&self->profile);
  g_clear_object (&self->http);
  g_clear_pointer (&self->token, muster_token_free);
  g_clear_pointer (&self->token_waiters, g_ptr_array_unref);
  G_OBJECT_CLASS (muster_session_parent_class)->finalize (object);
}

static void
muster_session_class_init (MusterSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_session_finalize;

  signals[SIGNAL_AUTHORIZE_URL] =
    g_signal_new ("authorize-url", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_BOOLEAN, G_TYPE_STRING);
  signals[SIGNAL_DEVICE_CODE] =
    g_signal_new ("device-code", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT64);
}

static void
muster_session_init (MusterSession *self)
{
  self->http = muster_http_session_new ();
  self->token_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->browser_timeout = MUSTER_LOOPBACK_DEFAULT_TIMEOUT;
}

MusterSession *
muster_session_new (MusterProfileStore *store,
                    MusterProfile      *profile)
{
  MusterSession *self;

  g_return_val_if_fail (MUSTER_IS_PROFILE_STORE (store), NULL);
  g_return_val_if_fail (MUSTER_IS_PROFILE (profile), NULL);

  self = g_object_new (MUSTER_TYPE_SESSION, NULL);
  self->store = g_object_ref (store);
  self->profile = g_object_ref (profile);
  return self;
}

MusterProfile *
muster_session_get_profile (MusterSession *self)
{
  g_return_val_if_fail (MUSTER_IS_SESSION (self), NULL);
  return self->profile;
}

SoupSession *
muster_session_get_http (MusterSession *self)
{
  g_return_val_if_fail (MUSTER_IS_SESSION (self), NULL);
  return self->http;
}

void
muster_session_set_browser_timeout (MusterSession *self,
                                    guint          seconds)
{
  g_return_if_fail (MUSTER_IS_SESSION (self));
  self->browser_timeout = seconds;
}
