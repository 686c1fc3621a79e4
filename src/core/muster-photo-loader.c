/* muster-photo-loader.c: user photos from cache.db or Graph, capped in size and decoded in a
 * worker thread
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
  guint    failures; /* answers so far that were not a photo */
} PhotoRequest;

static void
photo_request_free (PhotoRequest *request)
{
  g_free (request->user_id);
  g_clear_pointer (&request->bytes, g_bytes_unref);
  g_free (request);
}

static void     send_next    (MusterPhotoLoader *self);
static gboolean ask_again_cb (gpointer           user_data);

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
  if (g_error_matches (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_TOO_LARGE))
    {
      /* not kept either: a photo this big is a broken or hostile answer, not a thumbnail; the
       * client stopped reading it at the cap */
      g_debug ("photo of %s: %s", request->user_id, error->message);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               _("The photo of %s is larger than %d MiB"), request->user_id,
                               MUSTER_PHOTO_MAX_BYTES / (1024 * 1024));
      send_next (self);
      return;
    }
  if (bytes == NULL && !g_error_matches (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_NOT_FOUND))
    {
      /* a passing problem (network, throttling, permission): say so, remember nothing */
      g_task_return_error (task, g_steal_pointer (&error));
      send_next (self);
      return;
    }

  if (bytes != NULL && !looks_like_image (bytes))
    {
      g_bytes_unref (bytes);
      if (g_task_return_error_if_cancelled (task))
        {
          send_next (self);
          return;
        }
      if (request->failures + 1 < MUSTER_GRAPH_MAX_ATTEMPTS)
        {
          /* a proxy's error page or a body cut short passes like a Graph page that is not JSON:
           * the GET is sent again after a back-off (learn.microsoft.com/graph/best-practices-concept) */
          request->failures++;
          g_debug ("photo of %s is not an image; asking again", request->user_id);
          g_timeout_add_full (G_PRIORITY_DEFAULT, muster_graph_client_retry_delay (self->graph, request->failures),
                              ask_again_cb, g_steal_pointer (&task), NULL);
          send_next (self);
          return;
        }
      /* neither shown nor remembered as the photo */
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

/* Puts a request that gets one more try back in front of the queue. */
static gboolean
ask_again_cb (gpointer user_data)
{
  GTask *task = user_data;
  MusterPhotoLoader *self = g_task_get_source_object (task);

  g_queue_push_head (&self->waiting, task);
  send_next (self);
  return G_SOURCE_REMOVE;
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
      /* read no further than the cap: a 1 GB answer costs at most MUSTER_PHOTO_MAX_BYTES */
      muster_graph_client_get_bytes_async (self->graph, path, MUSTER_PHOTO_MAX_BYTES, g_task_get_cancellable (task),
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

/* --- decoding -------------------------------------------------------------------------------- */

typedef struct
{
  int      size;
  gboolean too_big;
} DecodeLimits;

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  DecodeLimits *limits = user_data;
  int shorter;

  if (width <= 0 || height <= 0 || width > MUSTER_PHOTO_MAX_PIXELS || height > MUSTER_PHOTO_MAX_PIXELS)
    {
      /* a size of 0 makes the JPEG and PNG loaders stop before they allocate the image */
      limits->too_big = width > MUSTER_PHOTO_MAX_PIXELS || height > MUSTER_PHOTO_MAX_PIXELS;
      gdk_pixbuf_loader_set_size (loader, 0, 0);
      return;
    }
  shorter = MIN (width, height);
  if (shorter > limits->size)
    gdk_pixbuf_loader_set_size (loader,
                                MAX (1, (int) ((gint64) width * limits->size / shorter)),
                                MAX (1, (int) ((gint64) height * limits->size / shorter)));
}

GdkPixbuf *
muster_photo_decode (GBytes  *bytes,
                     int      size,
                     GError **error)
{
  static const guint8 jpeg[] = { 0xff, 0xd8, 0xff };
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guint8 iend[] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) local_error = NULL;
  DecodeLimits limits = { size, FALSE };
  const guint8 *data;
  gsize length, offset = 0;
  GdkPixbuf *pixbuf;
  const char *type;
  gboolean ok = TRUE, complete;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (size > 0, NULL);

  data = g_bytes_get_data (bytes, &length);
  if (length > MUSTER_PHOTO_MAX_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("The photo is larger than %d MiB"), MUSTER_PHOTO_MAX_BYTES / (1024 * 1024));
      return NULL;
    }
  /* only the formats Graph gives, whatever other loaders gdk-pixbuf has (SVG, TGA, ICO, …) */
  if (length >= sizeof jpeg && memcmp (data, jpeg, sizeof jpeg) == 0)
    {
      /* the loaders show what they have of a cut-off image without an error: a whole JPEG
       * ends with its EOI marker (ITU-T T.81 §B.2.1), here and there followed by padding */
      gsize end = length;

      while (end > sizeof jpeg && (data[end - 1] == 0 || g_ascii_isspace (data[end - 1])))
        end--;
      complete = end >= sizeof jpeg + 2 && data[end - 2] == 0xff && data[end - 1] == 0xd9;
      type = "jpeg";
    }
  else if (length >= sizeof png && memcmp (data, png, sizeof png) == 0)
    {
      /* and a whole PNG with its IEND chunk (RFC 2083 §4.1.4) */
      complete = length >= sizeof png + sizeof iend && memcmp (data + length - sizeof iend, iend, sizeof iend) == 0;
      type = "png";
    }
  else
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The photo is not a JPEG or PNG image"));
      return NULL;
    }
  if (!complete)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The photo could not be read: %s"),
                   _("the image is incomplete"));
      return NULL;
    }
  loader = gdk_pixbuf_loader_new_with_type (type, &local_error);
  if (loader == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Photos cannot be shown: %s"),
                   local_error->message);
      return NULL;
    }
  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), &limits);

  /* in pieces, so an image found too big is not read further */
  while (ok && offset < length && !limits.too_big)
    {
      gsize piece = MIN (length - offset, 16 * 1024);

      ok = gdk_pixbuf_loader_write (loader, data + offset, piece, &local_error);
      offset += piece;
    }
  /* closing is needed even after a failed write; its own error matters only after good writes */
  if (!gdk_pixbuf_loader_close (loader, ok ? &local_error : NULL))
    ok = FALSE;

  if (limits.too_big)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("The photo is larger than %d × %d pixels"), MUSTER_PHOTO_MAX_PIXELS, MUSTER_PHOTO_MAX_PIXELS);
      return NULL;
    }
  pixbuf = ok ? gdk_pixbuf_loader_get_pixbuf (loader) : NULL;
  if (pixbuf == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The photo could not be read: %s"),
                   local_error != NULL ? local_error->message : _("the image is incomplete"));
      return NULL;
    }
  return gdk_pixbuf_apply_embedded_orientation (pixbuf);
}

static void
decode_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GBytes *bytes = task_data;
  GError *error = NULL;
  GdkPixbuf *pixbuf;

  if (g_task_return_error_if_cancelled (task))
    return;
  pixbuf = muster_photo_decode (bytes, MUSTER_PHOTO_DECODE_SIZE, &error);
  if (pixbuf == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, pixbuf, g_object_unref);
}

static void
image_bytes_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;

  bytes = muster_photo_loader_load_finish (MUSTER_PHOTO_LOADER (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (bytes == NULL)
    {
      /* the user has no photo */
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  /* decoding a JPEG can take milliseconds: never on the main loop */
  g_task_set_task_data (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, decode_in_thread);
}

void
muster_photo_loader_load_image_async (MusterPhotoLoader   *self,
                                      const char          *user_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MUSTER_IS_PHOTO_LOADER (self));
  g_return_if_fail (user_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_photo_loader_load_image_async);
  muster_photo_loader_load_async (self, user_id, cancellable, image_bytes_cb, task);
}

GdkPixbuf *
muster_photo_loader_load_image_finish (MusterPhotoLoader  *self,
                                       GAsyncResult       *result,
                                       GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- the object -------------------------------------------------------------------------------- */

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
