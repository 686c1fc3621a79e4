/* muster-fake-throttle.c: Graph's identity and access throttling, in resource units
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-throttle"

#include "config.h"

#include <math.h>

#include "muster-fake-graph-private.h"

/* learn.microsoft.com/graph/throttling-limits, identity and access service limits: a token bucket per
 * application and tenant that holds 3,500, 5,000 or 8,000 resource units per 10 seconds for
 * tenants of under 50, 50 to 500 and over 500 users. It refills continuously. */
#define WINDOW_SECONDS 10

typedef struct
{
  double level;      /* units spent, draining at budget / WINDOW_SECONDS per second */
  gint64 updated;    /* monotonic µs */
} Bucket;

struct _MusterFakeThrottle
{
  MusterFakeContext *ctx;
  GHashTable        *buckets;    /* app id → Bucket */
  double             filled;     /* what a new bucket starts with, as a fraction of the budget */
};

guint
_muster_fake_throttle_get_budget (MusterFakeThrottle *self)
{
  guint users = muster_fake_directory_count_users (self->ctx->directory);

  if (users < 50)
    return 3500;
  if (users <= 500)
    return 5000;
  return 8000;
}

gboolean
_muster_fake_throttle_take (MusterFakeThrottle *self,
                            const char         *app_id,
                            guint               cost,
                            guint              *retry_after,
                            double             *used_fraction)
{
  double budget = _muster_fake_throttle_get_budget (self);
  double rate = budget / WINDOW_SECONDS;
  gint64 now = g_get_monotonic_time ();
  Bucket *bucket = g_hash_table_lookup (self->buckets, app_id ? app_id : "");

  if (bucket == NULL)
    {
      bucket = g_new0 (Bucket, 1);
      bucket->level = self->filled * budget;
      bucket->updated = now;
      g_hash_table_insert (self->buckets, g_strdup (app_id ? app_id : ""), bucket);
    }
  bucket->level = MAX (0.0, bucket->level - rate * (now - bucket->updated) / G_USEC_PER_SEC);
  bucket->updated = now;

  if (bucket->level + cost > budget)
    {
      /* the seconds until this request's units fit again, at least one */
      double wait = (bucket->level + cost - budget) / rate;

      *retry_after = MAX (1, (guint) ceil (wait));
      *used_fraction = bucket->level / budget;
      return FALSE;
    }
  bucket->level += cost;
  *retry_after = 0;
  *used_fraction = bucket->level / budget;
  return TRUE;
}

MusterFakeThrottle *
_muster_fake_throttle_new (MusterFakeContext *ctx)
{
  MusterFakeThrottle *self = g_new0 (MusterFakeThrottle, 1);

  self->ctx = ctx;
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
_muster_fake_throttle_fill (MusterFakeThrottle *self,
                            double              fraction)
{
  double budget = _muster_fake_throttle_get_budget (self);
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  Bucket *bucket;

  self->filled = fraction;
  g_hash_table_iter_init (&iter, self->buckets);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &bucket))
    {
      bucket->level = fraction * budget;
      bucket->updated = now;
    }
}

void
_muster_fake_throttle_free (MusterFakeThrottle *self)
{
  g_hash_table_unref (self->buckets);
  g_free (self);
}
