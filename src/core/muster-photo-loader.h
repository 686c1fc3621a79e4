/* muster-photo-loader.h: user photo thumbnails, from cache.db or fetched lazily from Graph
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-graph-client.h"
#include "muster-snapshot-store.h"

G_BEGIN_DECLS

/* Thumbnails are Graph's 48×48 size (learn.microsoft.com/graph/api/profilephoto-get); a few requests at a
 * time, so scrolling a table of 100,000 users never floods Graph. */
#define MUSTER_PHOTO_SIZE "48x48"
#define MUSTER_PHOTO_REQUESTS_IN_FLIGHT 4

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

G_END_DECLS
