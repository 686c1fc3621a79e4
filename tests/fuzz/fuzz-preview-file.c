/* fuzz-preview-file.c: a saved .muster-preview file (docs/preview-format.md), as
 * muster_preview_file_load_from_bytes() reads it
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A preview file is mailed between admins and opened with no network, so it may be anything:
 * cut short, gzip of garbage, edited by hand. Properties: NULL ⇔ a MUSTER_PREVIEW_FILE_ERROR
 * with a UTF-8 message; a file that loads gives a plan whose totals count its users' actions,
 * a notice that is UTF-8, and, written out again, bytes that load into a preview written out
 * byte for byte the same (saving an opened preview never changes what it says).
 */

#include "config.h"

#include "fuzz-common.h"
#include "muster-plan.h"
#include "muster-preview-file.h"

static void
check_totals (MusterPlan *plan)
{
  const MusterPlanTotals *totals = muster_plan_get_totals (plan);
  GPtrArray *items = muster_plan_get_items (plan);
  guint counted[MUSTER_PLAN_ACTION_SKIPPED + 1] = { 0 };

  for (guint i = 0; i < items->len; i++)
    {
      const MusterPlanItem *item = g_ptr_array_index (items, i);

      g_assert_cmpint (item->action, >=, MUSTER_PLAN_ACTION_CREATE);
      g_assert_cmpint (item->action, <=, MUSTER_PLAN_ACTION_SKIPPED);
      g_assert_nonnull (item->id);
      counted[item->action]++;
    }
  g_assert_cmpuint (counted[MUSTER_PLAN_ACTION_CREATE], ==, totals->create);
  g_assert_cmpuint (counted[MUSTER_PLAN_ACTION_UPDATE], ==, totals->update);
  g_assert_cmpuint (counted[MUSTER_PLAN_ACTION_DISABLE], ==, totals->disable);
  g_assert_cmpuint (counted[MUSTER_PLAN_ACTION_DELETE], ==, totals->delete);
  g_assert_cmpuint (counted[MUSTER_PLAN_ACTION_UNCHANGED], ==, totals->unchanged);
  g_assert_cmpuint (counted[MUSTER_PLAN_ACTION_SKIPPED], ==, totals->skipped);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterPreviewFile) preview = NULL;
  g_autoptr(MusterPreviewFile) again = NULL;
  g_autoptr(GBytes) written = NULL;
  g_autoptr(GBytes) written_again = NULL;
  g_autofree char *notice = NULL;

  fuzz_init ();

  preview = muster_preview_file_load_from_bytes (bytes, &error);
  g_assert_true ((preview == NULL) == (error != NULL));
  if (preview == NULL)
    {
      g_assert_true (error->domain == MUSTER_PREVIEW_FILE_ERROR);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  check_totals (muster_preview_file_get_plan (preview));
  notice = muster_preview_file_describe (preview);
  g_assert_true (g_utf8_validate (notice, -1, NULL));

  written = muster_preview_file_to_bytes (preview, FALSE);
  again = muster_preview_file_load_from_bytes (written, &error);
  if (again == NULL)
    g_printerr ("%s\n--- written as ---\n%.*s\n", error->message,
                (int) g_bytes_get_size (written), (const char *) g_bytes_get_data (written, NULL));
  g_assert_no_error (error);
  check_totals (muster_preview_file_get_plan (again));
  written_again = muster_preview_file_to_bytes (again, FALSE);
  g_assert_true (g_bytes_equal (written, written_again));
  return 0;
}
