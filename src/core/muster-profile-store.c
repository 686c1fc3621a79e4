/* muster-profile-store.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-profile-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "muster-profile-store.h"

/* profiles.ini holds one group per profile, "[profile NAME]", and "[muster] default=NAME".
 * It is written atomically (g_file_set_contents) with mode 0600: it names the tenant and the
 * admin, which is not secret but not everyone's business either. */

struct _MusterProfileStore
{
  GObject    parent_instance;

  char      *path;
  GPtrArray *profiles; /* sorted by name */
  char      *default_name;

  /* saves are numbered when their text is made; only a newer one may overwrite the file */
  GMutex     write_lock;
  guint64    saves;
  guint64    written;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MusterProfileStore, muster_profile_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

G_DEFINE_QUARK (muster-profile-error-quark, muster_profile_error)

static GType
get_item_type (GListModel *model)
{
  return MUSTER_TYPE_PROFILE;
}

static guint
get_n_items (GListModel *model)
{
  return MUSTER_PROFILE_STORE (model)->profiles->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  MusterProfileStore *self = MUSTER_PROFILE_STORE (model);

  if (position >= self->profiles->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->profiles, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
muster_profile_store_finalize (GObject *object)
{
  MusterProfileStore *self = MUSTER_PROFILE_STORE (object);

  g_free (self->path);
  g_free (self->default_name);
  g_ptr_array_unref (self->profiles);
  g_mutex_clear (&self->write_lock);
  G_OBJECT_CLASS (muster_profile_store_parent_class)->finalize (object);
}

static void
muster_profile_store_class_init (MusterProfileStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = muster_profile_store_finalize;
}

static void
muster_profile_store_init (MusterProfileStore *self)
{
  self->profiles = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&self->write_lock);
}

char *
muster_get_data_dir (void)
{
  const char *dir = g_getenv ("MUSTER_DATA_DIR");

  if (dir != NULL && *dir != '\0')
    return g_strdup (dir);
  return g_build_filename (g_get_user_data_dir (), "muster", NULL);
}

gboolean
muster_profile_name_is_valid (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 64 || name[0] == '.' || name[0] == '-')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static int
compare_profiles (gconstpointer a,
                  gconstpointer b)
{
  return g_strcmp0 (muster_profile_get_name (*(MusterProfile **) a),
                    muster_profile_get_name (*(MusterProfile **) b));
}

static char *
key_file_get_string (GKeyFile   *key_file,
                     const char *group,
                     const char *key)
{
  return g_key_file_get_string (key_file, group, key, NULL);
}

static MusterProfile *
profile_from_key_file (GKeyFile   *key_file,
                       const char *group,
                       const char *name)
{
  g_autoptr(MusterProfile) profile = muster_profile_new (name);
  g_autofree char *tenant = key_file_get_string (key_file, group, "tenant");
  g_autofree char *client_id = key_file_get_string (key_file, group, "client-id");
  g_autofree char *cloud_name = key_file_get_string (key_file, group, "cloud");
  g_autofree char *auth_name = key_file_get_string (key_file, group, "auth");
  g_autofree char *certificate = key_file_get_string (key_file, group, "certificate");
  g_autofree char *key = key_file_get_string (key_file, group, "key");
  g_autofree char *tenant_id = key_file_get_string (key_file, group, "tenant-id");
  g_autofree char *username = key_file_get_string (key_file, group, "username");
  g_autofree char *organization = key_file_get_string (key_file, group, "organization");
  MusterCloud cloud = MUSTER_CLOUD_GLOBAL;
  MusterAuthMode mode = MUSTER_AUTH_MODE_BROWSER;

  muster_profile_set_tenant (profile, tenant);
  muster_profile_set_client_id (profile, client_id);
  if (cloud_name != NULL && !muster_cloud_from_string (cloud_name, &cloud))
    g_warning ("Profile “%s” names an unknown cloud “%s”; using global", name, cloud_name);
  muster_profile_set_cloud (profile, cloud);
  if (auth_name != NULL && !muster_auth_mode_from_string (auth_name, &mode))
    g_warning ("Profile “%s” names an unknown sign-in method “%s”; using the browser", name, auth_name);
  muster_profile_set_auth_mode (profile, mode);
  muster_profile_set_certificate (profile, certificate, key);
  muster_profile_set_signed_in (profile, tenant_id, username, organization,
                                g_key_file_get_int64 (key_file, group, "signed-in-at", NULL));
  muster_profile_set_refreshed_at (profile, g_key_file_get_int64 (key_file, group, "refreshed-at", NULL));
  {
    g_auto(GStrv) scopes = g_key_file_get_string_list (key_file, group, "scopes", NULL, NULL);
    muster_profile_set_token_info (profile, (const char * const *) scopes,
                                   g_key_file_get_int64 (key_file, group, "token-expires-at", NULL));
  }
  return g_steal_pointer (&profile);
}

MusterProfileStore *
muster_profile_store_load (const char  *path,
                           GError     **error)
{
  g_autoptr(MusterProfileStore) self = g_object_new (MUSTER_TYPE_PROFILE_STORE, NULL);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) groups = NULL;

  if (path != NULL)
    self->path = g_strdup (path);
  else
    {
      g_autofree char *dir = muster_get_data_dir ();
      self->path = g_build_filename (dir, "profiles.ini", NULL);
    }

  if (!g_key_file_load_from_file (key_file, self->path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&self);
      g_set_error (error, MUSTER_PROFILE_ERROR, MUSTER_PROFILE_ERROR_INVALID,
                   _("Could not read the profiles in “%s”: %s"), self->path, local_error->message);
      return NULL;
    }

  self->default_name = g_key_file_get_string (key_file, "muster", "default", NULL);
  groups = g_key_file_get_groups (key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      const char *name;

      if (!g_str_has_prefix (groups[i], "profile "))
        continue;
      name = groups[i] + strlen ("profile ");
      if (!muster_profile_name_is_valid (name))
        {
          g_warning ("Skipping profile with an invalid name “%s”", name);
          continue;
        }
      g_ptr_array_add (self->profiles, profile_from_key_file (key_file, groups[i], name));
    }
  g_ptr_array_sort (self->profiles, compare_profiles);
  return g_steal_pointer (&self);
}

static void
set_optional (GKeyFile   *key_file,
              const char *group,
              const char *key,
              const char *value)
{
  if (value != NULL)
    g_key_file_set_string (key_file, group, key, value);
}

/* The file's text as it is now: made on the calling thread, so a worker never reads profiles. */
static char *
serialize (MusterProfileStore *self,
           gsize              *length)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();

  if (self->default_name != NULL)
    g_key_file_set_string (key_file, "muster", "default", self->default_name);

  for (guint i = 0; i < self->profiles->len; i++)
    {
      MusterProfile *profile = g_ptr_array_index (self->profiles, i);
      g_autofree char *group = g_strconcat ("profile ", muster_profile_get_name (profile), NULL);

      g_key_file_set_string (key_file, group, "tenant", muster_profile_get_tenant (profile));
      g_key_file_set_string (key_file, group, "client-id", muster_profile_get_client_id (profile));
      g_key_file_set_string (key_file, group, "cloud", muster_cloud_to_string (muster_profile_get_cloud (profile)));
      g_key_file_set_string (key_file, group, "auth", muster_auth_mode_to_string (muster_profile_get_auth_mode (profile)));
      set_optional (key_file, group, "certificate", muster_profile_get_certificate_file (profile));
      set_optional (key_file, group, "key", muster_profile_get_key_file (profile));
      set_optional (key_file, group, "tenant-id", muster_profile_get_tenant_id (profile));
      set_optional (key_file, group, "username", muster_profile_get_username (profile));
      set_optional (key_file, group, "organization", muster_profile_get_organization (profile));
      if (muster_profile_get_signed_in_at (profile) != 0)
        g_key_file_set_int64 (key_file, group, "signed-in-at", muster_profile_get_signed_in_at (profile));
      if (muster_profile_get_refreshed_at (profile) != 0)
        g_key_file_set_int64 (key_file, group, "refreshed-at", muster_profile_get_refreshed_at (profile));
      if (muster_profile_get_token_expires_at (profile) != 0)
        {
          const char * const *scopes = muster_profile_get_scopes (profile);
          g_key_file_set_string_list (key_file, group, "scopes", scopes, g_strv_length ((char **) scopes));
          g_key_file_set_int64 (key_file, group, "token-expires-at", muster_profile_get_token_expires_at (profile));
        }
    }
  return g_key_file_to_data (key_file, length, NULL);
}

static gboolean
write_file (const char  *path,
            const char  *data,
            gsize        length,
            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  return g_file_set_contents_full (path, data, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

gboolean
muster_profile_store_save (MusterProfileStore  *self,
                           GError             **error)
{
  g_autofree char *data = NULL;
  gsize length;
  gboolean ok;

  g_return_val_if_fail (MUSTER_IS_PROFILE_STORE (self), FALSE);

  data = serialize (self, &length);
  g_mutex_lock (&self->write_lock);
  ok = write_file (self->path, data, length, error);
  if (ok)
    self->written = ++self->saves;
  g_mutex_unlock (&self->write_lock);
  return ok;
}

typedef struct
{
  char   *data;
  gsize   length;
  guint64 generation;
} SaveData;

static void
save_data_free (SaveData *save)
{
  g_free (save->data);
  g_free (save);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  MusterProfileStore *self = source_object;
  SaveData *save = task_data;
  GError *error = NULL;
  gboolean ok = TRUE;

  /* Saves may finish out of order; a later one has already written newer text. */
  g_mutex_lock (&self->write_lock);
  if (save->generation > self->written)
    {
      ok = write_file (self->path, save->data, save->length, &error);
      if (ok)
        self->written = save->generation;
    }
  g_mutex_unlock (&self->write_lock);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * muster_profile_store_save_async:
 *
 * Like muster_profile_store_save(), but the write (and its fsync) happens in a worker thread, so
 * the main loop never waits for the disk. The text is taken when this is called.
 */
void
muster_profile_store_save_async (MusterProfileStore  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *save;

  g_return_if_fail (MUSTER_IS_PROFILE_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_profile_store_save_async);
  save = g_new0 (SaveData, 1);
  save->data = serialize (self, &save->length);
  g_mutex_lock (&self->write_lock);
  save->generation = ++self->saves;
  g_mutex_unlock (&self->write_lock);
  g_task_set_task_data (task, save, (GDestroyNotify) save_data_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
muster_profile_store_save_finish (MusterProfileStore  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static int
find_profile (MusterProfileStore *self,
              const char         *name)
{
  for (guint i = 0; i < self->profiles->len; i++)
    if (g_strcmp0 (muster_profile_get_name (g_ptr_array_index (self->profiles, i)), name) == 0)
      return i;
  return -1;
}

MusterProfile *
muster_profile_store_lookup (MusterProfileStore *self,
                             const char         *name)
{
  int position;

  g_return_val_if_fail (MUSTER_IS_PROFILE_STORE (self), NULL);
  position = find_profile (self, name);
  return position < 0 ? NULL : g_ptr_array_index (self->profiles, position);
}

gboolean
muster_profile_store_add (MusterProfileStore  *self,
                          MusterProfile       *profile,
                          GError             **error)
{
  const char *name;
  guint position;

  g_return_val_if_fail (MUSTER_IS_PROFILE_STORE (self), FALSE);
  g_return_val_if_fail (MUSTER_IS_PROFILE (profile), FALSE);

  name = muster_profile_get_name (profile);
  if (!muster_profile_name_is_valid (name))
    {
      g_set_error (error, MUSTER_PROFILE_ERROR, MUSTER_PROFILE_ERROR_INVALID,
                   _("“%s” cannot be a profile name: use letters, digits, “.”, “_” and “-”"), name);
      return FALSE;
    }
  if (find_profile (self, name) >= 0)
    {
      g_set_error (error, MUSTER_PROFILE_ERROR, MUSTER_PROFILE_ERROR_EXISTS,
                   _("A profile named “%s” exists already"), name);
      return FALSE;
    }

  for (position = 0; position < self->profiles->len; position++)
    if (g_strcmp0 (muster_profile_get_name (g_ptr_array_index (self->profiles, position)), name) > 0)
      break;
  g_ptr_array_insert (self->profiles, position, g_object_ref (profile));
  if (self->default_name == NULL)
    self->default_name = g_strdup (name);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  return TRUE;
}

gboolean
muster_profile_store_remove (MusterProfileStore  *self,
                             const char          *name,
                             GError             **error)
{
  int position;

  g_return_val_if_fail (MUSTER_IS_PROFILE_STORE (self), FALSE);

  position = find_profile (self, name);
  if (position < 0)
    {
      g_set_error (error, MUSTER_PROFILE_ERROR, MUSTER_PROFILE_ERROR_NOT_FOUND,
                   _("There is no profile named “%s”"), name);
      return FALSE;
    }
  g_ptr_array_remove_index (self->profiles, position);
  if (g_strcmp0 (self->default_name, name) == 0)
    g_clear_pointer (&self->default_name, g_free);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  return TRUE;
}

const char *
muster_profile_store_get_default (MusterProfileStore *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE_STORE (self), NULL);
  return self->default_name;
}

void
muster_profile_store_set_default (MusterProfileStore *self,
                                  const char         *name)
{
  g_return_if_fail (MUSTER_IS_PROFILE_STORE (self));
  g_free (self->default_name);
  self->default_name = g_strdup (name);
}

MusterProfile *
muster_profile_store_resolve (MusterProfileStore  *self,
                              const char          *name,
                              GError             **error)
{
  MusterProfile *profile;

  g_return_val_if_fail (MUSTER_IS_PROFILE_STORE (self), NULL);

  if (name == NULL)
    name = self->default_name;
  if (name == NULL && self->profiles->len == 1)
    return g_ptr_array_index (self->profiles, 0);
  if (name == NULL)
    {
      g_set_error (error, MUSTER_PROFILE_ERROR, MUSTER_PROFILE_ERROR_NO_DEFAULT,
                   self->profiles->len == 0
                   ? _("There is no profile yet: add one with “muster-cli profile add NAME”")
                   : _("Several profiles exist and none is the default: choose one with --profile NAME"));
      return NULL;
    }

  profile = muster_profile_store_lookup (self, name);
  if (profile == NULL)
    g_set_error (error, MUSTER_PROFILE_ERROR, MUSTER_PROFILE_ERROR_NOT_FOUND,
                 _("There is no profile named “%s”"), name);
  return profile;
}
