/* fuzz-retry-after.c: Retry-After header values (delta-seconds or an HTTP date, RFC 9110 §10.2.3)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Property: whatever the header says, the wait is the fallback or between 0 and one hour, so a
 * hostile or broken server can never park a fetch for longer.
 */

#include "config.h"

#include "fuzz-common.h"
#include "muster-graph-client.h"

#define NOW      G_GINT64_CONSTANT (1800000000)
#define FALLBACK 4321u

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *value = NULL;
  guint delay;

  fuzz_init ();

  value = fuzz_dup_string (data, size);
  delay = muster_graph_parse_retry_after (value, NOW, FALLBACK);
  g_assert_true (delay == FALLBACK || delay <= 3600 * 1000);
  /* a number of seconds is read exactly */
  {
    guint64 seconds;

    if (g_ascii_string_to_unsigned (value, 10, 0, 3600, &seconds, NULL))
      g_assert_cmpuint (delay, ==, seconds * 1000);
  }
  /* and the dates at either end of time stay within bounds too */
  delay = muster_graph_parse_retry_after (value, 0, FALLBACK);
  g_assert_true (delay == FALLBACK || delay <= 3600 * 1000);
  delay = muster_graph_parse_retry_after (value, G_MAXINT64 / 2, FALLBACK);
  g_assert_true (delay == FALLBACK || delay <= 3600 * 1000);
  return 0;
}
