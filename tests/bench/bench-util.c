/* bench-util.c: the clock, the error check and the generated names the benchmarks share
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "bench-util.h"

const char * const bench_first_names[26] = {
  "Ann", "Bob", "Cem", "Dee", "Émile", "Fay", "Gil", "Hana", "Ivo", "Jöran", "Kai", "Lena", "Mía",
  "Nour", "Olu", "Pia", "Quinn", "Rafał", "Sanna", "Tomás", "Uma", "Vic", "Wen", "Xia", "Yusuf", "Zoë",
};
const char * const bench_surnames[20] = {
  "Anderson", "Brown", "Çelik", "Dubois", "Evans", "Fischer", "García", "Hansen", "Ivanova", "Jones",
  "Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Petrov", "Quist", "Rossi", "Smith", "Tanaka",
};
const char * const bench_departments[7] = { "Sales", "Engineering", "Finance", "Marketing", "Support", "Legal", "HR" };
const char * const bench_titles[6] = { "Manager", "Engineer", "Analyst", "Consultant", "Director", "Associate" };

double
bench_now (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

void
bench_check (gboolean  ok,
             GError   *error)
{
  if (!ok)
    g_error ("%s", error != NULL ? error->message : "failed");
}

char *
bench_random_guid (GRand *rand)
{
  return g_strdup_printf ("%08x-%04x-%04x-%04x-%04x%08x", g_rand_int (rand), g_rand_int (rand) & 0xffff,
                          (g_rand_int (rand) & 0x0fff) | 0x4000, (g_rand_int (rand) & 0x3fff) | 0x8000,
                          g_rand_int (rand) & 0xffff, g_rand_int (rand));
}
