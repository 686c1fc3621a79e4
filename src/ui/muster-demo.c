/* muster-demo.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-demo"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "muster-cloud.h"
#include "muster-demo.h"
#include "muster-fake-tenant.h"
#include "muster-session.h"

struct _MusterDemo
{
  GObject             parent_instance;

  MusterFakeTenant   *fake;
  char               *folder;   /* private temporary folder holding the demo's profiles.ini */
  MusterProfileStore *store;
  MusterProfile      *profile;
  gboolean            starting;
};

G_DEFINE_FINAL_TYPE (MusterDemo, muster_demo, G_TYPE_OBJECT)

typedef struct
{
  MusterFakeTenant   *fake;
  char               *folder;
  MusterProfileStore *store;
  MusterProfile      *profile;
} StartData;

static void
start_data_free (StartData *data)
{
  g_clear_object (&data->fake);
  g_free (data->folder);
  g_clear_object (&data->store);
  g_clear_object (&data->profile);
  g_free (data);
}

static void
delete_folder (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        delete_folder (child);
      else if (g_unlink (child) != 0)
        g_debug ("Could not delete %s", child);
    }
  if (g_rmdir (path) != 0)
    g_debug ("Could not delete %s", path);
}

/* Generating the demo directory takes a moment, and its profiles.ini is a file write: keep both
 * off the main loop. */
static void
start_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  StartData *data = task_data;
  MusterFakeOptions options;
  g_autofree char *path = NULL;
  GError *error = NULL;

  data->folder = g_dir_make_tmp ("muster-demo-XXXXXX", &error);
  if (data->folder == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  muster_fake_options_init (&options);
  options.dataset = "demo";
  data->fake = muster_fake_tenant_new (&options);
  if (!muster_fake_tenant_start (data->fake, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  path = g_build_filename (data->folder, "profiles.ini", NULL);
  /* A missing file is an empty store: this cannot touch the admin's own profiles. */
  data->store = muster_profile_store_load (path, &error);
  if (data->store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->profile = muster_profile_new (MUSTER_DEMO_PROFILE_NAME);
  muster_profile_set_tenant (data->profile, muster_fake_tenant_get_domain (data->fake));
  muster_profile_set_auth_mode (data->profile, MUSTER_AUTH_MODE_BROWSER);
  muster_profile_store_set_default (data->store, MUSTER_DEMO_PROFILE_NAME);
  if (!muster_profile_store_add (data->store, data->profile, &error)
      || !muster_profile_store_save (data->store, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
muster_demo_dispose (GObject *object)
{
  MusterDemo *self = MUSTER_DEMO (object);

  if (self->store != NULL)
    muster_cloud_set_override (NULL, NULL);
  if (self->fake != NULL)
    muster_fake_tenant_stop (self->fake);
  g_clear_object (&self->fake);
  g_clear_object (&self->profile);
  g_clear_object (&self->store);
  if (self->folder != NULL)
    delete_folder (self->folder);
  g_clear_pointer (&self->folder, g_free);

  G_OBJECT_CLASS (muster_demo_parent_class)->dispose (object);
}

static void
muster_demo_class_init (MusterDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = muster_demo_dispose;
}

static void
muster_demo_init (MusterDemo *self)
{
}

MusterDemo *
muster_demo_new (void)
{
  return g_object_new (MUSTER_TYPE_DEMO, NULL);
}

void
muster_demo_start_async (MusterDemo          *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MUSTER_IS_DEMO (self));
  g_return_if_fail (!self->starting);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_demo_start_async);

  if (self->store != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  self->starting = TRUE;
  g_task_set_task_data (task, g_new0 (StartData, 1), (GDestroyNotify) start_data_free);
  g_task_run_in_thread (task, start_thread);
}

gboolean
muster_demo_start_finish (MusterDemo    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  GTask *task = G_TASK (result);
  StartData *data = g_task_get_task_data (task);
  const char *base_url;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (data == NULL)
    {
      /* already running: a window that left the demo points the clouds back at it */
      if (!g_task_propagate_boolean (task, error))
        return FALSE;
      base_url = muster_fake_tenant_get_base_url (self->fake);
      muster_cloud_set_override (base_url, base_url);
      return TRUE;
    }

  self->starting = FALSE;
  if (!g_task_propagate_boolean (task, error))
    {
      if (data->folder != NULL)
        delete_folder (data->folder);
      return FALSE;
    }

  base_url = muster_fake_tenant_get_base_url (data->fake);
  muster_cloud_set_override (base_url, base_url);
  g_debug ("Demo tenant %s at %s", muster_fake_tenant_get_domain (data->fake), base_url);

  self->fake = g_steal_pointer (&data->fake);
  self->folder = g_steal_pointer (&data->folder);
  self->store = g_steal_pointer (&data->store);
  self->profile = g_steal_pointer (&data->profile);
  return TRUE;
}

char *
muster_demo_dup_scim_url (MusterDemo *self)
{
  g_return_val_if_fail (MUSTER_IS_DEMO (self), NULL);
  if (self->fake == NULL || self->store == NULL)
    return NULL;
  return g_strconcat (muster_fake_tenant_get_base_url (self->fake), "/scim/v2", NULL);
}

const char *
muster_demo_get_scim_token (MusterDemo *self)
{
  g_return_val_if_fail (MUSTER_IS_DEMO (self), NULL);
  if (self->fake == NULL || self->store == NULL)
    return NULL;
  return muster_fake_tenant_get_scim_token (self->fake);
}

gboolean
muster_demo_is_running (MusterDemo *self)
{
  g_return_val_if_fail (MUSTER_IS_DEMO (self), FALSE);
  return self->store != NULL;
}

MusterProfileStore *
muster_demo_get_store (MusterDemo *self)
{
  g_return_val_if_fail (MUSTER_IS_DEMO (self), NULL);
  return self->store;
}

MusterProfile *
muster_demo_get_profile (MusterDemo *self)
{
  g_return_val_if_fail (MUSTER_IS_DEMO (self), NULL);
  return self->profile;
}

const char *
muster_demo_get_folder (MusterDemo *self)
{
  g_return_val_if_fail (MUSTER_IS_DEMO (self), NULL);
  return self->folder;
}

char *
muster_demo_dup_sqlite_path (MusterDemo *self)
{
  g_return_val_if_fail (MUSTER_IS_DEMO (self), NULL);
  return self->folder ? g_build_filename (self->folder, "people.db", NULL) : NULL;
}

typedef struct
{
  gboolean done;
} ShutdownWait;

static void
shutdown_signed_out_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  ShutdownWait *wait = user_data;
  g_autoptr(GError) error = NULL;

  if (!muster_session_sign_out_finish (MUSTER_SESSION (source), result, &error))
    g_debug ("Could not sign out of the demo tenant: %s", error->message);
  wait->done = TRUE;
  g_rc_box_release (wait);
}

void
muster_demo_shutdown (MusterDemo *self)
{
  g_autoptr(MusterSession) session = NULL;
  ShutdownWait *wait;
  gint64 deadline;

  g_return_if_fail (MUSTER_IS_DEMO (self));

  if (self->store == NULL)
    return;

  /* the keyring must not keep tokens of a tenant that no longer exists */
  session = muster_session_new (self->store, self->profile);
  wait = g_rc_box_new0 (ShutdownWait);
  muster_session_sign_out_async (session, NULL, shutdown_signed_out_cb, g_rc_box_acquire (wait));
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!wait->done && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
  g_rc_box_release (wait);

  muster_cloud_set_override (NULL, NULL);
  muster_fake_tenant_stop (self->fake);
  g_clear_object (&self->fake);
  g_clear_object (&self->profile);
  g_clear_object (&self->store);
  delete_folder (self->folder);
  g_clear_pointer (&self->folder, g_free);
}
