/* muster-cli-rules.c: muster-cli rules show|export|import — the profile's sync rules as one JSON document
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>

#include "muster-cli-private.h"
#include "muster-rules.h"
#include "muster-snapshot-store.h"

MusterRules *
_muster_cli_load_rules (MusterCliContext  *cli,
                        char             **profile_name,
                        int               *status)
{
  g_autoptr(MusterProfileStore) store = NULL;
  g_autoptr(GError) error = NULL;
  MusterProfile *profile;
  MusterRules *rules;

  *status = MUSTER_EXIT_OK;
  profile = _muster_cli_open_profile (cli, &store, &error);
  if (profile == NULL)
    {
      *status = _muster_cli_fail (cli, error);
      return NULL;
    }
  rules = muster_rules_load (muster_profile_get_name (profile), &error);
  if (rules == NULL)
    {
      *status = _muster_cli_fail (cli, error);
      return NULL;
    }
  if (profile_name != NULL)
    *profile_name = g_strdup (muster_profile_get_name (profile));
  return rules;
}

/* The profile's latest snapshot for names, or NULL: showing rules never needs one. */
static MusterSnapshot *
try_load_snapshot (const char *profile)
{
  g_autofree char *dir = muster_get_data_dir ();
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  g_autoptr(MusterSnapshotStore) store = NULL;
  g_autoptr(MusterSnapshotInfo) info = NULL;

  /* opening would create the cache */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  store = muster_snapshot_store_open (path, NULL);
  if (store == NULL)
    return NULL;
  info = muster_snapshot_store_get_latest (store, profile, NULL);
  if (info == NULL)
    return NULL;
  return muster_snapshot_store_load (store, info->id, NULL);
}

static char *
describe_type_and_roles (gboolean            has_type,
                         MusterUserType      type,
                         const char * const *roles,
                         gboolean            roles_set)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (has_type)
    g_ptr_array_add (parts, g_strdup (muster_user_type_get_title (type)));
  if (roles_set)
    {
      g_autofree char *list = roles != NULL && roles[0] != NULL ? g_strjoinv (", ", (char **) roles)
                                                                : g_strdup (_("none"));
      /* Translators: roles: ops, audit */
      g_ptr_array_add (parts, g_strdup_printf (_("roles: %s"), list));
    }
  if (parts->len == 0)
    g_ptr_array_add (parts, g_strdup (_("nothing")));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("; ", (char **) parts->pdata);
}

static const char *
group_name (MusterSnapshot *snapshot,
            const char     *id_or_name)
{
  MusterGroup *group = snapshot != NULL ? muster_snapshot_lookup_group (snapshot, id_or_name) : NULL;

  return group != NULL && muster_group_get_display_name (group) != NULL ? muster_group_get_display_name (group)
                                                                        : id_or_name;
}

static void
print_rules (MusterCliContext *cli,
             MusterRules      *rules,
             const char       *profile)
{
  g_autoptr(MusterSnapshot) snapshot = try_load_snapshot (profile);
  g_autoptr(MusterUserFilter) filter = muster_rules_build_filter (rules);
  g_autofree char *filter_words = muster_user_filter_describe (filter, snapshot);
  g_autofree char *defaults = describe_type_and_roles (TRUE, muster_rules_get_default_user_type (rules),
                                                       muster_rules_get_default_roles (rules), TRUE);
  GPtrArray *group_rules = muster_rules_get_group_rules (rules);
  GPtrArray *overrides = muster_rules_get_user_overrides (rules);
  GPtrArray *fields = muster_rules_get_field_mapping (rules);
  GPtrArray *groups = muster_rules_get_group_mapping (rules);
  guint count, percent;

  fprintf (cli->out, _("Rules of profile “%s”"), profile);
  fputc ('\n', cli->out);
  fprintf (cli->out, "  %-24s %s\n", _("Users:"), filter_words);
  fprintf (cli->out, "  %-24s %s\n", _("Only new users:"), muster_rules_get_only_new (rules) ? _("yes") : _("no"));
  fprintf (cli->out, "  %-24s %s\n", _("Default:"), defaults);
  muster_rules_get_safety_limit (rules, &count, &percent);
  fprintf (cli->out, "  %-24s ", _("Safety limit:"));
  if (count > 0 && percent > 0)
    fprintf (cli->out, g_dngettext (GETTEXT_PACKAGE, "%u user or %u %% of the target", "%u users or %u %% of the target",
                                    count), count, percent);
  else if (count > 0)
    fprintf (cli->out, g_dngettext (GETTEXT_PACKAGE, "%u user", "%u users", count), count);
  else if (percent > 0)
    fprintf (cli->out, _("%u %% of the target"), percent);
  else
    fprintf (cli->out, "%s", _("none"));
  fputc ('\n', cli->out);

  fprintf (cli->out, "\n%s\n", _("Group rules (the first match gives the type; roles add up):"));
  if (group_rules->len == 0)
    fprintf (cli->out, "  %s\n", _("none"));
  for (guint i = 0; i < group_rules->len; i++)
    {
      const MusterGroupRule *rule = group_rules->pdata[i];
      g_autofree char *what = describe_type_and_roles (rule->has_user_type, rule->user_type,
                                                       (const char * const *) rule->roles, rule->roles[0] != NULL);

      fprintf (cli->out, "  %u. %s%s: %s\n", i + 1, group_name (snapshot, rule->group),
               rule->nested ? _(" (nested)") : _(" (direct)"), what);
    }

  fprintf (cli->out, "\n%s\n", _("Per-user overrides:"));
  if (overrides->len == 0)
    fprintf (cli->out, "  %s\n", _("none"));
  for (guint i = 0; i < overrides->len; i++)
    {
      const MusterUserOverride *override = overrides->pdata[i];
      MusterUser *user = snapshot != NULL ? muster_snapshot_lookup_user (snapshot, override->user_id) : NULL;
      g_autofree char *what = describe_type_and_roles (override->has_user_type, override->user_type,
                                                       (const char * const *) override->roles, override->roles != NULL);
      const char *scope = override->scope == MUSTER_USER_SCOPE_ALWAYS_INCLUDE ? _("; always included")
                          : override->scope == MUSTER_USER_SCOPE_ALWAYS_EXCLUDE ? _("; always excluded") : "";

      if (user != NULL)
        fprintf (cli->out, "  %s (%s): %s%s\n", muster_user_get_user_principal_name (user), override->user_id, what, scope);
      else
        fprintf (cli->out, "  %s: %s%s\n", override->user_id, what, scope);
    }

  fprintf (cli->out, "\n%s\n", _("Field mapping (Microsoft Graph → target):"));
  for (guint i = 0; i < fields->len; i++)
    {
      const MusterFieldMapping *mapping = fields->pdata[i];
      fprintf (cli->out, "  %-20s → %s\n", mapping->source, mapping->attribute);
    }

  fprintf (cli->out, "\n%s\n", _("Group mapping (Entra group → target group):"));
  if (groups->len == 0)
    fprintf (cli->out, "  %s\n", _("none"));
  for (guint i = 0; i < groups->len; i++)
    {
      const MusterGroupMapping *mapping = groups->pdata[i];
      fprintf (cli->out, "  %s%s → %s\n", group_name (snapshot, mapping->group),
               mapping->nested ? _(" (nested)") : _(" (direct)"), mapping->target_group);
    }
}

static int
rules_show (MusterCliContext *cli,
            int               argc,
            char            **argv)
{
  g_autoptr(MusterRules) rules = NULL;
  g_autofree char *profile = NULL;
  gboolean json = cli->json;
  int status;

  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else
        return _muster_cli_usage (cli, _("rules show does not know “%s” (see muster-cli rules --help)"), argv[i]);
    }

  rules = _muster_cli_load_rules (cli, &profile, &status);
  if (rules == NULL)
    return status;
  if (json)
    {
      g_autoptr(JsonNode) node = muster_rules_to_json (rules);
      _muster_cli_print_json (cli, node);
    }
  else
    print_rules (cli, rules, profile);
  return MUSTER_EXIT_OK;
}

static int
rules_export (MusterCliContext *cli,
              int               argc,
              char            **argv)
{
  g_autoptr(MusterRules) rules = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  const char *output = NULL;
  gsize length;
  int status;

  for (int i = 2; i < argc; i++)
    {
      gboolean missing = FALSE;
      const char *value = _muster_cli_option_value (argc, argv, &i, "--output", &missing);

      if (value != NULL)
        output = value;
      else if (missing)
        return _muster_cli_usage (cli, _("--output needs a file name"));
      else
        return _muster_cli_usage (cli, _("rules export does not know “%s” (see muster-cli rules --help)"), argv[i]);
    }

  rules = _muster_cli_load_rules (cli, NULL, &status);
  if (rules == NULL)
    return status;
  data = muster_rules_to_data (rules, &length);
  if (output == NULL || g_str_equal (output, "-"))
    {
      fwrite (data, 1, length, cli->out);
      return MUSTER_EXIT_OK;
    }
  if (!g_file_set_contents_full (output, data, length, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    return _muster_cli_fail (cli, error);
  return MUSTER_EXIT_OK;
}

static int
rules_import (MusterCliContext *cli,
              int               argc,
              char            **argv)
{
  g_autoptr(MusterProfileStore) store = NULL;
  g_autoptr(MusterRules) rules = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *display = NULL;
  MusterProfile *profile;
  gsize length = 0;

  if (argc != 3 || (argv[2][0] == '-' && argv[2][1] != '\0'))
    return _muster_cli_usage (cli, _("rules import needs one file (or - for standard input)"));

  if (g_str_equal (argv[2], "-"))
    {
      g_autoptr(GInputStream) input = g_unix_input_stream_new (0, FALSE);
      g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();

      if (g_output_stream_splice (memory, input, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, cli->cancellable, &error) < 0)
        return _muster_cli_fail (cli, error);
      length = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory));
      data = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (memory));
      display = g_strdup (_("standard input"));
    }
  else
    {
      display = g_filename_display_name (argv[2]);
      if (!g_file_get_contents (argv[2], &data, &length, &error))
        return _muster_cli_fail (cli, error);
    }

  profile = _muster_cli_open_profile (cli, &store, &error);
  if (profile == NULL)
    return _muster_cli_fail (cli, error);

  rules = muster_rules_new_from_data (data != NULL ? data : "", length, &error);
  if (rules == NULL)
    {
      /* The document is wrong, not the program: a usage error, and nothing is saved. */
      fprintf (cli->err, "muster-cli: ");
      fprintf (cli->err, _("%s: %s. Nothing was changed."), display, error->message);
      fputc ('\n', cli->err);
      return MUSTER_EXIT_USAGE;
    }
  if (!muster_rules_save (rules, muster_profile_get_name (profile), &error))
    return _muster_cli_fail (cli, error);

  fprintf (cli->err, _("The rules of profile “%s” are now those of %s."), muster_profile_get_name (profile), display);
  fputc ('\n', cli->err);
  return MUSTER_EXIT_OK;
}

int
_muster_cli_rules (MusterCliContext *cli,
                   int               argc,
                   char            **argv)
{
  if (argc < 2)
    return _muster_cli_usage (cli, _("rules needs show, export or import (see muster-cli rules --help)"));
  if (g_str_equal (argv[1], "show"))
    return rules_show (cli, argc, argv);
  if (g_str_equal (argv[1], "export"))
    return rules_export (cli, argc, argv);
  if (g_str_equal (argv[1], "import"))
    return rules_import (cli, argc, argv);
  return _muster_cli_usage (cli, _("rules does not know “%s”: use show, export or import"), argv[1]);
}
