/* muster-keyring.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-keyring"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "muster-keyring.h"

/* Secrets never fall back to a file: without a Secret Service the caller gets
 * MUSTER_KEYRING_ERROR_NO_SERVICE and says so (README.md, "Where data and tokens live"). */

G_DEFINE_QUARK (muster-keyring-error-quark, muster_keyring_error)

static const char *kind_names[] = {
  [MUSTER_SECRET_REFRESH_TOKEN] = "refresh-token",
  [MUSTER_SECRET_ACCESS_TOKEN] = "access-token",
  [MUSTER_SECRET_CLIENT_SECRET] = "client-secret",
  [MUSTER_SECRET_SCIM_TOKEN] = "scim-token",
};

const SecretSchema *
muster_keyring_get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.muster.Token", SECRET_SCHEMA_NONE,
    {
      { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "tenant-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      /* Added for SCIM tokens, one per named target. Items stored before it simply lack it,
       * and look-ups that do not name it still find them. */
      { "target", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  return &schema;
}

const char *
muster_secret_kind_to_string (MusterSecretKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

/* libsecret reports a missing service in several ways depending on the bus (seen under Xvfb and in CI):
 * no provider for the name, no bus at all, or a collection object that does not exist. All of
 * them mean the same to a user. */
static GError *
translate_error (GError *error)
{
  GError *translated;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  /* GIO errors here come from reaching the session bus itself (no bus, no socket) */
  if (error->domain == G_IO_ERROR ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND))
    translated = g_error_new (MUSTER_KEYRING_ERROR, MUSTER_KEYRING_ERROR_NO_SERVICE,
                              _("No Secret Service (such as GNOME Keyring) is running, so Muster "
                                "cannot keep your sign-in safe. Log in to a desktop session, or "
                                "start one with “gnome-keyring-daemon --start --components=secrets”."));
  else if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    translated = g_error_new (MUSTER_KEYRING_ERROR, MUSTER_KEYRING_ERROR_LOCKED,
                              _("The keyring is locked. Unlock it and try again."));
  else
    translated = g_error_new (MUSTER_KEYRING_ERROR, MUSTER_KEYRING_ERROR_FAILED,
                              _("The keyring refused the request: %s"), error->message);

  g_debug ("keyring error %s %d: %s", g_quark_to_string (error->domain), error->code, error->message);
  g_error_free (error);
  return translated;
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, translate_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
muster_keyring_store_async (const char          *profile,
                            const char          *tenant_id,
                            MusterSecretKind     kind,
                            const char          *secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (profile != NULL);
  g_return_if_fail (secret != NULL);
  g_return_if_fail (kind < G_N_ELEMENTS (kind_names));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_keyring_store_async);

  /* Translators: the label of a keyring item, as Seahorse shows it */
  label = g_strdup_printf (_("Muster %s for “%s”"), kind_names[kind], profile);
  secret_password_store (muster_keyring_get_schema (), SECRET_COLLECTION_DEFAULT, label, secret,
                         cancellable, store_cb, g_steal_pointer (&task),
                         "profile", profile,
                         "tenant-id", tenant_id ? tenant_id : "",
                         "kind", kind_names[kind],
                         NULL);
}

gboolean
muster_keyring_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, translate_error (error));
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) secret_password_free);
}

void
muster_keyring_lookup_async (const char          *profile,
                             MusterSecretKind     kind,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (profile != NULL);
  g_return_if_fail (kind < G_N_ELEMENTS (kind_names));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_keyring_lookup_async);
  secret_password_lookup (muster_keyring_get_schema (), cancellable, lookup_cb, task,
                          "profile", profile,
                          "kind", kind_names[kind],
                          NULL);
}

/* Returns a string the caller frees with g_free() after wiping it (secret_password_free). */
char *
muster_keyring_lookup_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error only means there was nothing to remove */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, translate_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
muster_keyring_clear_async (const char          *profile,
                            int                  kind,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_if_fail (profile != NULL);
  g_return_if_fail (kind < (int) G_N_ELEMENTS (kind_names));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_keyring_clear_async);

  g_hash_table_insert (attributes, "profile", (gpointer) profile);
  if (kind >= 0)
    g_hash_table_insert (attributes, "kind", (gpointer) kind_names[kind]);
  secret_password_clearv (muster_keyring_get_schema (), attributes, cancellable, clear_cb, task);
}

gboolean
muster_keyring_clear_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* SCIM tokens: one per named target ------------------------------------------------------------- */

void
muster_keyring_store_target_token_async (const char          *profile,
                                         const char          *target,
                                         const char          *token,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (profile != NULL);
  g_return_if_fail (target != NULL);
  g_return_if_fail (token != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_keyring_store_target_token_async);

  /* Translators: the label of a keyring item, as Seahorse shows it */
  label = g_strdup_printf (_("Muster SCIM token for target “%s” of “%s”"), target, profile);
  secret_password_store (muster_keyring_get_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                         cancellable, store_cb, g_steal_pointer (&task),
                         "profile", profile,
                         "kind", kind_names[MUSTER_SECRET_SCIM_TOKEN],
                         "target", target,
                         NULL);
}

gboolean
muster_keyring_store_target_token_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
muster_keyring_lookup_target_token_async (const char          *profile,
                                          const char          *target,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (profile != NULL);
  g_return_if_fail (target != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_keyring_lookup_target_token_async);
  secret_password_lookup (muster_keyring_get_schema (), cancellable, lookup_cb, task,
                          "profile", profile,
                          "kind", kind_names[MUSTER_SECRET_SCIM_TOKEN],
                          "target", target,
                          NULL);
}

char *
muster_keyring_lookup_target_token_finish (GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
muster_keyring_clear_target_token_async (const char          *profile,
                                         const char          *target,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GTask *task;
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_if_fail (profile != NULL);
  g_return_if_fail (target != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_keyring_clear_target_token_async);

  g_hash_table_insert (attributes, "profile", (gpointer) profile);
  g_hash_table_insert (attributes, "kind", (gpointer) kind_names[MUSTER_SECRET_SCIM_TOKEN]);
  g_hash_table_insert (attributes, "target", (gpointer) target);
  secret_password_clearv (muster_keyring_get_schema (), attributes, cancellable, clear_cb, task);
}

gboolean
muster_keyring_clear_target_token_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
