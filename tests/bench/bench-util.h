/* bench-util.h: the clock, the error check and the generated names the benchmarks share
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Names for generated tenants; sized so G_N_ELEMENTS works on them. */
extern const char * const bench_first_names[26];
extern const char * const bench_surnames[20];
extern const char * const bench_departments[7];
extern const char * const bench_titles[6];

/* Monotonic time in seconds. */
double  bench_now         (void);
/* Aborts with @error's message (or "failed") unless @ok. */
void    bench_check       (gboolean  ok,
                           GError   *error);
/* A version 4 GUID from @rand, as Graph spells object ids. */
char   *bench_random_guid (GRand    *rand);

G_END_DECLS
