/* fuzz-main.c: replays a fuzz target over its seed corpus, without libFuzzer
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every target in tests/fuzz is linked twice: with libFuzzer (-Dfuzzing=true, clang) to search
 * for new inputs, and with this driver as an ordinary test that feeds it every file under the
 * directories (or the files) given on the command line. So each crash found once stays a
 * regression case in tests/fuzz/corpus/<name>/, replayed on every `meson test` with any compiler.
 * A target reports a broken property by aborting; this driver only counts the inputs.
 */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "fuzz-common.h"

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree guint8 *exact = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  /* A buffer of exactly the input's size, so a read past its end is caught under ASan. */
  exact = g_memdup2 (contents, length);
  g_print ("# %s (%" G_GSIZE_FORMAT " bytes)\n", path, length);
  LLVMFuzzerTestOneInput (exact, length);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  guint n_inputs = 0;

  if (argc < 2)
    {
      g_printerr ("Usage: %s CORPUS-DIRECTORY-OR-FILE…\n", argv[0]);
      return 2;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GPtrArray) names = NULL;
      const char *name;

      if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          if (!run_file (argv[i]))
            return 1;
          n_inputs++;
          continue;
        }

      dir = g_dir_open (argv[i], 0, NULL);
      if (dir == NULL)
        {
          g_printerr ("Cannot open the corpus %s\n", argv[i]);
          return 1;
        }
      names = g_ptr_array_new_with_free_func (g_free);
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_strdup (name));
      /* the same order on every machine */
      g_ptr_array_sort (names, compare_names);
      for (guint n = 0; n < names->len; n++)
        {
          g_autofree char *path = g_build_filename (argv[i], g_ptr_array_index (names, n), NULL);

          if (!run_file (path))
            return 1;
          n_inputs++;
        }
    }

  if (n_inputs == 0)
    {
      g_printerr ("No inputs: an empty corpus tests nothing\n");
      return 1;
    }
  g_print ("%u inputs ran cleanly\n", n_inputs);
  return 0;
}
