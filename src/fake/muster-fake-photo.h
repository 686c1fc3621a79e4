/* muster-fake-photo.h: small generated profile photos (PNG) for the fake tenant
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A @size × @size PNG (8-bit RGB, zlib-compressed): a symmetric 5 × 5 pattern in a colour, both
 * derived from @pattern, on a light background — the kind of default avatar a directory shows.
 * The same @pattern always gives the same bytes. @size is clamped to 8..648 (Graph's largest
 * standard photo size, learn.microsoft.com/graph/api/profilephoto-get). */
GBytes *_muster_fake_photo_new_png (guint32 pattern,
                                    guint   size);

G_END_DECLS
