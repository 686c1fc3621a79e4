/* muster-photo-loader.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-photo-loader"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-photo-loader.h"

struct _MusterPhotoLoader
{
  GObject              parent_instance;

  MusterSnapshotStore *store;
  char                *profile;
  MusterGraphClient   *graph;     /* NULL offline */
  GQueue               waiting;   /* GTasks not yet sent to Graph, newest first */
  guint                in_flight;
};

G_DEFINE_FINAL_TYPE (MusterPhotoLoader, muster_photo_loader, G_TYPE_OBJECT)

typedef struct
{
  char    *user_id;
  gboolean cached;   /* the cache answered */
  GBytes  *bytes;    /* what it answered: NULL for "no photo" */
} PhotoRequest;

static void
photo_request_free (PhotoRequest *request)
{
  g_free (request->user_id);
  g_clear_pointer (&request->bytes, g_bytes_unref);
  g_free (request);
}

static void send_next (MusterPhotoLoader *self);

static void
store_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  MusterPhotoLoader *self = source_object;
  PhotoRequest *request = task_data;
  g_autoptr(GError) error = NULL;

  if (!muster_snapshot_store_put_photo (self->store, self->profile, request->user_id, request->bytes, &error))
    g_debug ("Could not cache the photo of %s: %s", request->user_id, error->message);
  g_task_return_boolean (task, TRUE);
}

static void
return_photo (GTask *task)
{
  PhotoRequest *request = g_task_get_task_data (task);

  g_task_return_pointer (task, request->bytes ? g_bytes_ref (request->bytes) : NULL,
                         (GDestroyNotify) g_bytes_unref);
}

/* Does @bytes start like a JPEG or a PNG, the formats Graph serves photos in? */
static gboolean
looks_like_image (GBytes *bytes)
{
  gsize size;
  const guchar *data = g_bytes_get_data (bytes, &size);
  static const guchar jpeg[] = { 0xff, 0xd8, 0xff };
  static const guchar png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  return (size > sizeof jpeg && memcmp (data, jpeg, sizeof jpeg) == 0) ||
         (size > sizeof png && memcmp (data, png, sizeof png) == 0);
}

static void
photo_fetched_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterPhotoLoader *self = g_task_get_source_object (task);
  PhotoRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) cache_task = NULL;
  GBytes *bytes;

  self->in_flight--;
  bytes = muster_graph_client_request_bytes_finish (MUSTER_GRAPH_CLIENT (source), result, &error);
  if (bytes == NULL && !g_error_matches (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_NOT_FOUND))
    {
      /* a passing problem (network, throttling, permission): say so, remember nothing */
      g_task_return_error (task, g_steal_pointer (&error));
      send_next (self);
      return;
    }

  if (bytes != NULL && !looks_like_image (bytes))
    {
      /* a proxy's error page or a body cut short: neither shown nor remembered as the photo */
      g_bytes_unref (bytes);
      g_task_return_new_error (task, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE,
                               _("Microsoft Graph sent something other than a photo."));
      send_next (self);
      return;
    }

  /* 404 ImageNotFound means the user has no photo: remembered as such */
  request->bytes = bytes;
  cache_task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (cache_task, request, NULL);
  g_object_set_data_full (G_OBJECT (cache_task), "request-task", g_object_ref (task), g_object_unref);
  g_task_run_in_thread (cache_task, store_in_thread);
  return_photo (task);
  send_next (self);
}

static void
send_next (MusterPhotoLoader *self)
{
  while (self->in_flight < MUSTER_PHOTO_REQUESTS_IN_FLIGHT && !g_queue_is_empty (&self->waiting))
    {
      GTask *task = g_queue_pop_head (&self->waiting);
      PhotoRequest *request = g_task_get_task_data (task);
      g_autofree char *escaped = g_uri_escape_string (request->user_id, NULL, FALSE);
      g_autofree char *path = g_strdup_printf ("/users/%s/photos/" MUSTER_PHOTO_SIZE "/$value", escaped);

      if (g_task_return_error_if_cancelled (task))
        {
          g_object_unref (task);
          continue;
        }
      self->in_flight++;
      muster_graph_client_request_bytes_async (self->graph, "GET", path, NULL, g_task_get_cancellable (task),
                                               photo_fetched_cb, task);
    }
}

static void
lookup_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  MusterPhotoLoader *self = source_object;
  PhotoRequest *request = task_data;

  request->cached = muster_snapshot_store_get_photo (self->store, self->profile, request->user_id, &request->bytes);
  g_task_return_boolean (task, TRUE);
}

static void
lookup_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterPhotoLoader *self = MUSTER_PHOTO_LOADER (source);
  PhotoRequest *request = g_task_get_task_data (task);

  if (request->cached || self->graph == NULL)
    {
      return_photo (task);
      return;
    }
  /* newest first: the rows the admin is looking at now come before those scrolled past */
  g_queue_push_head (&self->waiting, g_steal_pointer (&task));
  send_next (self);
}

void
muster_photo_loader_load_async (MusterPhotoLoader   *self,
                                const char          *user_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  g_autoptr(GTask) lookup = NULL;
  PhotoRequest *request;

  g_return_if_fail (MUSTER_IS_PHOTO_LOADER (self));
  g_return_if_fail (user_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_photo_loader_load_async);
  request = g_new0 (PhotoRequest, 1);
  request->user_id = g_strdup (user_id);
  g_task_set_task_data (task, request, (GDestroyNotify) photo_request_free);

  /* SQLite off the main loop */
  lookup = g_task_new (self, cancellable, lookup_done_cb, task);
  g_task_set_task_data (lookup, request, NULL);
  g_task_run_in_thread (lookup, lookup_in_thread);
}

GBytes *
muster_photo_loader_load_finish (MusterPhotoLoader  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
muster_photo_loader_dispose (GObject *object)
{
  MusterPhotoLoader *self = MUSTER_PHOTO_LOADER (object);
  GTask *task;

  while ((task = g_queue_pop_head (&self->waiting)) != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Photo loading stopped");
      g_object_unref (task);
    }
  G_OBJECT_CLASS (muster_photo_loader_parent_class)->dispose (object);
}

static void
muster_photo_loader_finalize (GObject *object)
{
  MusterPhotoLoader *self = MUSTER_PHOTO_LOADER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->graph);
  g_free (self->profile);
  G_OBJECT_CLASS (muster_photo_loader_parent_class)->finalize (object);
}

static void
muster_photo_loader_class_init (MusterPhotoLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = muster_photo_loader_dispose;
  object_class->finalize = muster_photo_loader_finalize;
}

static void
muster_photo_loader_init (MusterPhotoLoader *self)
{
  g_queue_init (&self->waiting);
}

MusterPhotoLoader *
muster_photo_loader_new (MusterSnapshotStore *store,
                         const char          *profile,
                         MusterGraphClient   *graph)
{
  MusterPhotoLoader *self;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT_STORE (store), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  self = g_object_new (MUSTER_TYPE_PHOTO_LOADER, NULL);
  self->store = g_object_ref (store);
  self->profile = g_strdup (profile);
  self->graph = graph ? g_object_ref (graph) : NULL;
  return self;
}
