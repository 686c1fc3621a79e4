/* muster-photo-loader.h: user photo thumbnails, from cache.db or fetched lazily from Graph
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "muster-graph-client.h"
#include "muster-snapshot-store.h"

G_BEGIN_DECLS

/* Thumbnails are Graph's 48×48 size (learn.microsoft.com/graph/api/profilephoto-get); a few requests at a
 * time, so scrolling a table of 100,000 users never floods Graph. */
#define MUSTER_PHOTO_SIZE "48x48"
#define MUSTER_PHOTO_REQUESTS_IN_FLIGHT 4

/* What a photo may be: at most 4 MiB of JPEG or PNG, at most 4096 pixels either way. Anything
 * bigger is refused unread and not cached, so a broken or hostile server cannot make Muster
 * decode a huge image. Decoded photos are scaled to MUSTER_PHOTO_DECODE_SIZE (the 48-pixel avatar
 * at scale 2). */
#define MUSTER_PHOTO_MAX_BYTES  (4 * 1024 * 1024)
#define MUSTER_PHOTO_MAX_PIXELS 4096
#define MUSTER_PHOTO_DECODE_SIZE 96

#define MUSTER_TYPE_PHOTO_LOADER (muster_photo_loader_get_type ())
G_DECLARE_FINAL_TYPE (MusterPhotoLoader, muster_photo_loader, MUSTER, PHOTO_LOADER, GObject)

/* @graph may be NULL: offline, only cached photos are found. */
MusterPhotoLoader *muster_photo_loader_new         (MusterSnapshotStore *store,
                                                    const char          *profile,
                                                    MusterGraphClient   *graph);

/* The user's photo bytes (JPEG or PNG), or NULL when the user has none or it is not known
 * offline. A photo fetched once is kept in cache.db; "no photo" (404) is remembered too, so it
 * is not asked again. Errors other than "no photo" are returned and nothing is cached. */
void               muster_photo_loader_load_async  (MusterPhotoLoader   *self,
                                                    const char          *user_id,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GBytes            *muster_photo_loader_load_finish (MusterPhotoLoader   *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* The same photo decoded, in a worker thread: NULL when the user has none (no error), or an
 * error when it could not be had or is not a photo Muster takes (see muster_photo_decode()). */
void               muster_photo_loader_load_image_async  (MusterPhotoLoader   *self,
                                                          const char          *user_id,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GdkPixbuf         *muster_photo_loader_load_image_finish (MusterPhotoLoader   *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* Decodes photo bytes: JPEG or PNG only (by their signature), at most MUSTER_PHOTO_MAX_BYTES and
 * MUSTER_PHOTO_MAX_PIXELS, turned as its EXIF orientation says and scaled down so its shorter
 * side is @size pixels. G_IO_ERROR_MESSAGE_TOO_LARGE for too many bytes or pixels,
 * G_IO_ERROR_INVALID_DATA for anything else that is not such a photo. Blocking: call it in a
 * worker thread. */
GdkPixbuf         *muster_photo_decode                   (GBytes              *bytes,
                                                          int                  size,
                                                          GError             **error);

G_END_DECLS
