/* fuzz-rules.c: a rules file (docs/rules.md), as muster_rules_new_from_data() reads it
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A rules file comes from disk, from `muster-cli rules import` or from a saved preview, so it may
 * be anything. Properties: NULL ⇔ a MUSTER_RULES_ERROR with a UTF-8 message; rules read once
 * are written out as text that reads back into the same rules, written out byte for byte the
 * same (so saving never changes what a file means), and a copy writes the same text; the lists
 * the getters hand out hold what the setters promise (sorted roles, mapped attributes valid).
 */

#include "config.h"

#include "fuzz-common.h"
#include "muster-rules.h"
#include "muster-target.h"

static void
check_sorted (const char * const *roles)
{
  g_assert_nonnull (roles);
  for (guint i = 0; roles[i] != NULL; i++)
    {
      g_assert_cmpstr (roles[i], !=, "");
      if (i > 0)
        g_assert_cmpint (strcmp (roles[i - 1], roles[i]), <, 0);
    }
}

static void
check_rules (MusterRules *rules)
{
  GPtrArray *group_rules = muster_rules_get_group_rules (rules);
  GPtrArray *overrides = muster_rules_get_user_overrides (rules);
  GPtrArray *fields = muster_rules_get_field_mapping (rules);
  GPtrArray *groups = muster_rules_get_group_mapping (rules);
  guint count, percent;

  check_sorted (muster_rules_get_default_roles (rules));
  for (guint i = 0; i < group_rules->len; i++)
    {
      const MusterGroupRule *rule = g_ptr_array_index (group_rules, i);

      g_assert_nonnull (rule->group);
      check_sorted ((const char * const *) rule->roles);
      g_assert_true (muster_rules_lookup_group_rule (rules, rule->group) != NULL);
    }
  for (guint i = 0; i < overrides->len; i++)
    {
      const MusterUserOverride *o = g_ptr_array_index (overrides, i);

      g_assert_true (muster_rules_lookup_user_override (rules, o->user_id) == o);
      if (o->roles != NULL)
        check_sorted ((const char * const *) o->roles);
      if (i > 0)
        g_assert_cmpint (strcmp (((const MusterUserOverride *) g_ptr_array_index (overrides, i - 1))->user_id,
                                 o->user_id), <, 0);
    }
  for (guint i = 0; i < fields->len; i++)
    {
      const MusterFieldMapping *m = g_ptr_array_index (fields, i);

      g_assert_true (muster_target_attribute_is_valid (m->attribute));
      g_assert_true (g_strv_contains (muster_rules_field_sources (), m->source));
    }
  for (guint i = 0; i < groups->len; i++)
    {
      const MusterGroupMapping *m = g_ptr_array_index (groups, i);

      g_assert_nonnull (m->group);
      g_assert_nonnull (m->target_group);
    }
  muster_rules_get_safety_limit (rules, &count, &percent);
  g_assert_cmpuint (percent, <=, 100);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterRules) rules = NULL;
  g_autoptr(MusterRules) again = NULL;
  g_autoptr(MusterRules) copy = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  g_autofree char *text_copy = NULL;
  gsize length = 0, length_again = 0;

  fuzz_init ();

  /* libFuzzer may pass NULL for an empty input; the reader wants a pointer */
  rules = muster_rules_new_from_data (size > 0 ? (const char *) data : "", size, &error);
  g_assert_true ((rules == NULL) == (error != NULL));
  if (rules == NULL)
    {
      g_assert_true (error->domain == MUSTER_RULES_ERROR);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  check_rules (rules);

  text = muster_rules_to_data (rules, &length);
  g_assert_nonnull (text);
  again = muster_rules_new_from_data (text, length, &error);
  if (again == NULL)
    g_printerr ("%s\n--- written as ---\n%s\n", error->message, text);
  g_assert_no_error (error);
  check_rules (again);
  text_again = muster_rules_to_data (again, &length_again);
  g_assert_cmpstr (text, ==, text_again);

  copy = muster_rules_copy (rules);
  text_copy = muster_rules_to_data (copy, NULL);
  g_assert_cmpstr (text, ==, text_copy);
  return 0;
}
