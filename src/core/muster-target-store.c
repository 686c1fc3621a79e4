/* muster-target-store.c: the named targets of each profile
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * targets.ini, in the data folder (MUSTER_DATA_DIR or $XDG_DATA_HOME/muster), is a GKeyFile:
 *
 *   [muster]
 *   version=1
 *
 *   [target PROFILE/NAME]
 *   kind=sqlite|scim
 *   location=/absolute/path.db        (sqlite) or https://host/scim/v2 (scim)
 *   roles=Editor;Viewer;              (scim only: the `roles` values the service accepts)
 *
 * One group per target; PROFILE and NAME are both names of letters, digits, '.', '_' and '-',
 * so the '/' between them is unambiguous. A SQLite store keeps its roles in its own `roles`
 * table, never here. The file is written atomically with mode 0600 and never holds a secret:
 * a SCIM target's bearer token is in the keyring (kind "scim-token", attributes profile and
 * target). docs/targets.md describes the same format for people.
 */

#define G_LOG_DOMAIN "muster-target-store"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "muster-cloud.h"
#include "muster-keyring.h"
#include "muster-profile-store.h"
#include "muster-scim-target.h"
#include "muster-sqlite-target.h"
#include "muster-target-store.h"

#define TARGETS_VERSION 1
#define GROUP_PREFIX    "target "

struct _MusterTargetStore
{
  GObject    parent_instance;

  char      *path;
  GPtrArray *targets; /* of MusterTargetInfo, sorted by profile then name */
};

G_DEFINE_FINAL_TYPE (MusterTargetStore, muster_target_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (muster-target-store-error-quark, muster_target_store_error)

G_DEFINE_BOXED_TYPE (MusterTargetInfo, muster_target_info, muster_target_info_ref, muster_target_info_unref)

static const char * const kind_names[] = {
  [MUSTER_TARGET_KIND_SQLITE] = "sqlite",
  [MUSTER_TARGET_KIND_SCIM] = "scim",
};

const char *
muster_target_kind_to_string (MusterTargetKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

gboolean
muster_target_kind_from_string (const char       *name,
                                MusterTargetKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (name, kind_names[i]) == 0)
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
muster_target_name_is_valid (const char *name)
{
  gsize len;

  if (name == NULL || name[0] == '\0' || name[0] == '-' || name[0] == '.')
    return FALSE;
  len = strlen (name);
  if (len > 64)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '.' && name[i] != '_' && name[i] != '-')
      return FALSE;
  return TRUE;
}

static char *
normalize_scim_url (const char  *url,
                    GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;

  if (!muster_url_is_acceptable (url, &local_error))
    {
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID,
                   "%s", local_error->message);
      return NULL;
    }
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  /* A password in the address would end up in targets.ini and in history: tokens go to the
   * keyring instead. */
  if (g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID,
                   _("“%s” must be a plain base address, with no user name, query or fragment: "
                     "the token is read from standard input"), url);
      return NULL;
    }

  text = g_uri_to_string (uri);
  while (g_str_has_suffix (text, "/") && !g_str_has_suffix (text, "://"))
    text[strlen (text) - 1] = '\0';
  return g_steal_pointer (&text);
}

gboolean
muster_target_parse_uri (const char        *uri,
                         MusterTargetKind  *kind,
                         char             **location,
                         GError           **error)
{
  g_return_val_if_fail (uri != NULL, FALSE);

  if (g_str_has_prefix (uri, "sqlite:"))
    {
      const char *path = uri + strlen ("sqlite:");

      if (path[0] == '\0')
        {
          g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID,
                       _("“%s” names no file: use sqlite:PATH"), uri);
          return FALSE;
        }
      if (kind != NULL)
        *kind = MUSTER_TARGET_KIND_SQLITE;
      if (location != NULL)
        *location = g_canonicalize_filename (path, NULL);
      return TRUE;
    }
  if (g_str_has_prefix (uri, "scim:"))
    {
      char *url = normalize_scim_url (uri + strlen ("scim:"), error);

      if (url == NULL)
        return FALSE;
      if (kind != NULL)
        *kind = MUSTER_TARGET_KIND_SCIM;
      if (location != NULL)
        *location = url;
      else
        g_free (url);
      return TRUE;
    }

  g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID,
               _("“%s” is not a target: use sqlite:PATH or scim:URL"), uri);
  return FALSE;
}

/* Entries --------------------------------------------------------------------------------------- */

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static MusterTargetInfo *
target_info_new (const char         *profile,
                 const char         *name,
                 MusterTargetKind    kind,
                 const char         *location,
                 const char * const *roles)
{
  MusterTargetInfo *info = g_new0 (MusterTargetInfo, 1);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

  info->ref_count = 1;
  info->profile = g_strdup (profile);
  info->name = g_strdup (name);
  info->kind = kind;
  info->location = g_strdup (location);

  for (guint i = 0; roles != NULL && roles[i] != NULL; i++)
    {
      gboolean seen = FALSE;

      if (roles[i][0] == '\0')
        continue;
      for (guint j = 0; j < sorted->len && !seen; j++)
        seen = g_str_equal (g_ptr_array_index (sorted, j), roles[i]);
      if (!seen)
        g_ptr_array_add (sorted, g_strdup (roles[i]));
    }
  g_ptr_array_sort (sorted, compare_strings);
  info->roles = g_new0 (char *, sorted->len + 1);
  for (guint i = 0; i < sorted->len; i++)
    info->roles[i] = g_ptr_array_index (sorted, i);
  return info;
}

MusterTargetInfo *
muster_target_info_ref (MusterTargetInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);
  g_atomic_int_inc (&info->ref_count);
  return info;
}

void
muster_target_info_unref (MusterTargetInfo *info)
{
  g_return_if_fail (info != NULL);
  if (!g_atomic_int_dec_and_test (&info->ref_count))
    return;
  g_free (info->profile);
  g_free (info->name);
  g_free (info->location);
  g_strfreev (info->roles);
  g_free (info);
}

char *
muster_target_info_dup_uri (const MusterTargetInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);
  return g_strconcat (kind_names[info->kind], ":", info->location, NULL);
}

static int
compare_infos (gconstpointer a,
               gconstpointer b)
{
  const MusterTargetInfo *x = *(const MusterTargetInfo **) a;
  const MusterTargetInfo *y = *(const MusterTargetInfo **) b;
  int by_profile = strcmp (x->profile, y->profile);

  return by_profile != 0 ? by_profile : strcmp (x->name, y->name);
}

static int
find_target (MusterTargetStore *self,
             const char        *profile,
             const char        *name)
{
  for (guint i = 0; i < self->targets->len; i++)
    {
      MusterTargetInfo *info = g_ptr_array_index (self->targets, i);

      if (g_str_equal (info->profile, profile) && g_str_equal (info->name, name))
        return i;
    }
  return -1;
}

/* The store ------------------------------------------------------------------------------------- */

static void
muster_target_store_finalize (GObject *object)
{
  MusterTargetStore *self = MUSTER_TARGET_STORE (object);

  g_free (self->path);
  g_ptr_array_unref (self->targets);

  G_OBJECT_CLASS (muster_target_store_parent_class)->finalize (object);
}

static void
muster_target_store_class_init (MusterTargetStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = muster_target_store_finalize;
}

static void
muster_target_store_init (MusterTargetStore *self)
{
  self->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_target_info_unref);
}

static MusterTargetInfo *
info_from_key_file (GKeyFile    *key_file,
                    const char  *group,
                    GError     **error)
{
  const char *id = group + strlen (GROUP_PREFIX);
  const char *slash = strchr (id, '/');
  g_autofree char *profile = NULL;
  g_autofree char *kind_name = g_key_file_get_string (key_file, group, "kind", NULL);
  g_autofree char *location = g_key_file_get_string (key_file, group, "location", NULL);
  g_auto(GStrv) roles = g_key_file_get_string_list (key_file, group, "roles", NULL, NULL);
  g_autofree char *uri = NULL;
  g_autofree char *normalized = NULL;
  MusterTargetKind kind;

  if (slash != NULL)
    profile = g_strndup (id, slash - id);
  if (profile == NULL || !muster_profile_name_is_valid (profile) || !muster_target_name_is_valid (slash + 1))
    {
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID,
                   _("“[%s]” does not name a profile and a target as “[target PROFILE/NAME]”"), group);
      return NULL;
    }
  if (!muster_target_kind_from_string (kind_name, &kind))
    {
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID,
                   _("“[%s]” has the kind “%s”: use sqlite or scim"), group, kind_name ? kind_name : "");
      return NULL;
    }
  if (location == NULL || location[0] == '\0')
    {
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID,
                   _("“[%s]” has no location"), group);
      return NULL;
    }
  if (kind == MUSTER_TARGET_KIND_SQLITE && !g_path_is_absolute (location))
    {
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID,
                   _("“[%s]” needs an absolute path, not “%s”"), group, location);
      return NULL;
    }

  /* An address edited by hand is checked as strictly as one given to target add. */
  uri = g_strconcat (kind_names[kind], ":", location, NULL);
  if (!muster_target_parse_uri (uri, NULL, &normalized, error))
    return NULL;

  return target_info_new (profile, slash + 1, kind, normalized,
                          kind == MUSTER_TARGET_KIND_SCIM ? (const char * const *) roles : NULL);
}

MusterTargetStore *
muster_target_store_load (const char  *path,
                          GError     **error)
{
  g_autoptr(MusterTargetStore) self = g_object_new (MUSTER_TYPE_TARGET_STORE, NULL);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) groups = NULL;

  if (path != NULL)
    self->path = g_strdup (path);
  else
    {
      g_autofree char *dir = muster_get_data_dir ();
      self->path = g_build_filename (dir, "targets.ini", NULL);
    }

  if (!g_key_file_load_from_file (key_file, self->path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&self);
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID,
                   _("Could not read the targets in “%s”: %s"), self->path, local_error->message);
      return NULL;
    }

  if (g_key_file_has_key (key_file, "muster", "version", NULL) &&
      g_key_file_get_integer (key_file, "muster", "version", NULL) > TARGETS_VERSION)
    {
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID,
                   _("“%s” was written by a newer Muster; update Muster to use it"), self->path);
      return NULL;
    }

  groups = g_key_file_get_groups (key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      MusterTargetInfo *info;

      if (!g_str_has_prefix (groups[i], GROUP_PREFIX))
        continue;
      info = info_from_key_file (key_file, groups[i], &local_error);
      if (info == NULL)
        {
          g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID,
                       _("Could not read the targets in “%s”: %s"), self->path, local_error->message);
          return NULL;
        }
      if (find_target (self, info->profile, info->name) >= 0)
        {
          muster_target_info_unref (info);
          continue;
        }
      g_ptr_array_add (self->targets, info);
    }
  g_ptr_array_sort (self->targets, compare_infos);
  return g_steal_pointer (&self);
}

gboolean
muster_target_store_save (MusterTargetStore  *self,
                          GError            **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (MUSTER_IS_TARGET_STORE (self), FALSE);

  g_key_file_set_integer (key_file, "muster", "version", TARGETS_VERSION);
  for (guint i = 0; i < self->targets->len; i++)
    {
      MusterTargetInfo *info = g_ptr_array_index (self->targets, i);
      g_autofree char *group = g_strconcat (GROUP_PREFIX, info->profile, "/", info->name, NULL);

      g_key_file_set_string (key_file, group, "kind", kind_names[info->kind]);
      g_key_file_set_string (key_file, group, "location", info->location);
      if (info->kind == MUSTER_TARGET_KIND_SCIM && info->roles[0] != NULL)
        g_key_file_set_string_list (key_file, group, "roles", (const char * const *) info->roles,
                                    g_strv_length (info->roles));
    }
  data = g_key_file_to_data (key_file, &length, NULL);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  return g_file_set_contents_full (self->path, data, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

const char *
muster_target_store_get_path (MusterTargetStore *self)
{
  g_return_val_if_fail (MUSTER_IS_TARGET_STORE (self), NULL);
  return self->path;
}

GPtrArray *
muster_target_store_list (MusterTargetStore *self,
                          const char        *profile)
{
  GPtrArray *list;

  g_return_val_if_fail (MUSTER_IS_TARGET_STORE (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_target_info_unref);
  for (guint i = 0; i < self->targets->len; i++)
    {
      MusterTargetInfo *info = g_ptr_array_index (self->targets, i);

      if (g_str_equal (info->profile, profile))
        g_ptr_array_add (list, muster_target_info_ref (info));
    }
  return list;
}

MusterTargetInfo *
muster_target_store_lookup (MusterTargetStore *self,
                            const char        *profile,
                            const char        *name)
{
  int position;

  g_return_val_if_fail (MUSTER_IS_TARGET_STORE (self), NULL);
  g_return_val_if_fail (profile != NULL && name != NULL, NULL);

  position = find_target (self, profile, name);
  return position < 0 ? NULL : g_ptr_array_index (self->targets, position);
}

MusterTargetInfo *
muster_target_store_lookup_location (MusterTargetStore *self,
                                     const char        *profile,
                                     MusterTargetKind   kind,
                                     const char        *location)
{
  g_return_val_if_fail (MUSTER_IS_TARGET_STORE (self), NULL);

  for (guint i = 0; i < self->targets->len; i++)
    {
      MusterTargetInfo *info = g_ptr_array_index (self->targets, i);

      if (g_str_equal (info->profile, profile) && info->kind == kind && g_str_equal (info->location, location))
        return info;
    }
  return NULL;
}

MusterTargetInfo *
muster_target_store_add (MusterTargetStore  *self,
                         const char         *profile,
                         const char         *name,
                         const char         *uri,
                         GError            **error)
{
  g_autofree char *location = NULL;
  MusterTargetKind kind;
  MusterTargetInfo *info;

  g_return_val_if_fail (MUSTER_IS_TARGET_STORE (self), NULL);
  g_return_val_if_fail (profile != NULL && name != NULL && uri != NULL, NULL);

  if (!muster_target_name_is_valid (name))
    {
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID,
                   _("“%s” cannot be a target name: use letters, digits, “.”, “_” and “-”"), name);
      return NULL;
    }
  if (find_target (self, profile, name) >= 0)
    {
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_EXISTS,
                   _("Profile “%s” already has a target named “%s”"), profile, name);
      return NULL;
    }
  if (!muster_target_parse_uri (uri, &kind, &location, error))
    return NULL;

  info = target_info_new (profile, name, kind, location, NULL);
  g_ptr_array_add (self->targets, muster_target_info_ref (info));
  g_ptr_array_sort (self->targets, compare_infos);
  return info;
}

gboolean
muster_target_store_remove (MusterTargetStore  *self,
                            const char         *profile,
                            const char         *name,
                            GError            **error)
{
  int position;

  g_return_val_if_fail (MUSTER_IS_TARGET_STORE (self), FALSE);

  position = find_target (self, profile, name);
  if (position < 0)
    {
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NOT_FOUND,
                   _("Profile “%s” has no target named “%s” (see muster-cli target list)"), profile, name);
      return FALSE;
    }
  g_ptr_array_remove_index (self->targets, position);
  return TRUE;
}

guint
muster_target_store_remove_profile (MusterTargetStore *self,
                                    const char        *profile)
{
  guint removed = 0;

  g_return_val_if_fail (MUSTER_IS_TARGET_STORE (self), 0);

  for (guint i = self->targets->len; i > 0; i--)
    {
      MusterTargetInfo *info = g_ptr_array_index (self->targets, i - 1);

      if (g_str_equal (info->profile, profile))
        {
          g_ptr_array_remove_index (self->targets, i - 1);
          removed++;
        }
    }
  return removed;
}

gboolean
muster_target_store_set_roles (MusterTargetStore   *self,
                               const char          *profile,
                               const char          *name,
                               const char * const  *roles,
                               GError             **error)
{
  MusterTargetInfo *old;
  int position;

  g_return_val_if_fail (MUSTER_IS_TARGET_STORE (self), FALSE);

  position = find_target (self, profile, name);
  if (position < 0)
    {
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NOT_FOUND,
                   _("Profile “%s” has no target named “%s” (see muster-cli target list)"), profile, name);
      return FALSE;
    }
  old = g_ptr_array_index (self->targets, position);
  if (old->kind != MUSTER_TARGET_KIND_SCIM)
    {
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID,
                   _("Target “%s” is a SQLite store: its roles are kept in its own roles table"), name);
      return FALSE;
    }
  /* entries are immutable (callers may hold one), so the new roles make a new entry */
  g_ptr_array_index (self->targets, position) = target_info_new (old->profile, old->name, old->kind,
                                                                 old->location, roles);
  muster_target_info_unref (old);
  return TRUE;
}

/* Opening a target ------------------------------------------------------------------------------ */

typedef struct
{
  MusterTargetInfo *info;  /* the stored target, or NULL */
  char             *url;   /* SCIM: the address to open */
  char             *token; /* SCIM: the token given by the caller (wiped when freed) */
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_clear_pointer (&data->info, muster_target_info_unref);
  g_free (data->url);
  if (data->token != NULL)
    explicit_bzero (data->token, strlen (data->token));
  g_free (data->token);
  g_free (data);
}

static void
return_scim_target (GTask      *task,
                    OpenData   *data,
                    const char *token)
{
  g_autoptr(MusterScimTarget) target = NULL;
  GError *error = NULL;

  target = muster_scim_target_new (data->url, token, &error);
  if (target == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->info != NULL)
    muster_scim_target_set_roles (target, (const char * const *) data->info->roles);
  g_task_return_pointer (task, g_steal_pointer (&target), g_object_unref);
}

static void
open_token_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpenData *data = g_task_get_task_data (task);
  GError *error = NULL;
  char *token = muster_keyring_lookup_target_token_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (token == NULL)
    {
      g_task_return_new_error (task, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NEEDS_TOKEN,
                               _("The keyring has no token for target “%s”. Remove the target and add it "
                                 "again with its token."), data->info->name);
      return;
    }
  return_scim_target (task, data, token);
  explicit_bzero (token, strlen (token));
  g_free (token);
}

void
muster_target_store_open_target_async (MusterTargetStore   *self,
                                       const char          *profile,
                                       const char          *name_or_uri,
                                       const char          *token,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *location = NULL;
  MusterTargetInfo *info = NULL;
  MusterTargetKind kind;
  OpenData *data;
  GError *error = NULL;

  g_return_if_fail (MUSTER_IS_TARGET_STORE (self));
  g_return_if_fail (profile != NULL);
  g_return_if_fail (name_or_uri != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_target_store_open_target_async);
  data = g_new0 (OpenData, 1);
  data->token = g_strdup (token);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);

  if (strchr (name_or_uri, ':') != NULL)
    {
      if (!muster_target_parse_uri (name_or_uri, &kind, &location, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      info = muster_target_store_lookup_location (self, profile, kind, location);
    }
  else
    {
      info = muster_target_store_lookup (self, profile, name_or_uri);
      if (info == NULL)
        {
          g_task_return_new_error (task, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NOT_FOUND,
                                   _("Profile “%s” has no target named “%s”: use a name from "
                                     "“muster-cli target list”, sqlite:PATH or scim:URL"),
                                   profile, name_or_uri);
          return;
        }
      kind = info->kind;
      location = g_strdup (info->location);
    }
  if (info != NULL)
    data->info = muster_target_info_ref (info);

  if (kind == MUSTER_TARGET_KIND_SQLITE)
    {
      g_task_return_pointer (task, muster_sqlite_target_new (location), g_object_unref);
      return;
    }

  data->url = g_steal_pointer (&location);
  if (data->info != NULL)
    {
      muster_keyring_lookup_target_token_async (profile, data->info->name, cancellable, open_token_cb,
                                                g_steal_pointer (&task));
      return;
    }
  if (token == NULL)
    {
      g_task_return_new_error (task, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NEEDS_TOKEN,
                               _("No target of profile “%s” has the address %s, so its token is needed"),
                               profile, data->url);
      return;
    }
  return_scim_target (task, data, data->token);
}

MusterTarget *
muster_target_store_open_target_finish (MusterTargetStore  *self,
                                        GAsyncResult       *result,
                                        char              **name,
                                        GError            **error)
{
  MusterTarget *target;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  target = g_task_propagate_pointer (G_TASK (result), error);
  if (name != NULL)
    {
      OpenData *data = g_task_get_task_data (G_TASK (result));
      *name = target != NULL && data->info != NULL ? g_strdup (data->info->name) : NULL;
    }
  return target;
}
