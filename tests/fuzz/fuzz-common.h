/* fuzz-common.h: what every fuzz target in tests/fuzz shares
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stdint.h>
#include <string.h>

G_BEGIN_DECLS

/* The libFuzzer entry point each fuzz-<name>.c defines (fuzz-main.c calls it for the corpus). */
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Once per process: a g_return_if_fail() hit by bad input is a bug the fuzzer must report, so
 * criticals and warnings abort; debug chatter stays off. */
static inline void
fuzz_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_ERROR);
      g_setenv ("G_MESSAGES_DEBUG", "", TRUE);
      g_once_init_leave (&done, 1);
    }
}

/* The input as a C string: it ends at the first NUL byte, as text from a header or file would. */
static inline char *
fuzz_dup_string (const uint8_t *data,
                 size_t         size)
{
  /* libFuzzer may pass NULL for an empty input */
  return size > 0 ? g_strndup ((const char *) data, size) : g_strdup ("");
}

G_END_DECLS
