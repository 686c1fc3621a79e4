/* muster-cli-preview.c: muster-cli preview — what a push would change, and the plan push shares
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "muster-cli-plan.h"
#include "muster-cli-report.h"
#include "muster-export.h"
#include "muster-preview-file.h"

/* Options preview and push share ---------------------------------------------------------------- */

void
_muster_cli_plan_args_init (MusterCliPlanArgs *args)
{
  *args = (MusterCliPlanArgs) { 0 };
  _muster_cli_filters_init (&args->filters);
}

void
_muster_cli_plan_args_clear (MusterCliPlanArgs *args)
{
  _muster_cli_filters_clear (&args->filters);
}

gboolean
_muster_cli_plan_args_parse (MusterCliContext   *cli,
                             MusterCliPlanArgs  *args,
                             int                 argc,
                             char              **argv,
                             int                *i,
                             int                *status)
{
  const char *value;
  gboolean missing = FALSE;

  *status = MUSTER_EXIT_OK;
  if (_muster_cli_filters_parse (cli, &args->filters, argc, argv, i, status))
    return TRUE;
  if ((value = _muster_cli_option_value (argc, argv, i, "--target", &missing)) != NULL)
    args->target = value;
  else if (missing)
    *status = _muster_cli_usage (cli, _("--target needs a target name, sqlite:PATH or scim:URL"));
  else if (g_str_equal (argv[*i], "--only-new"))
    args->only_new = TRUE;
  else if (g_str_equal (argv[*i], "--only-existing"))
    args->only_existing = TRUE;
  else if (g_str_equal (argv[*i], "--allow-delete"))
    args->allow_delete = TRUE;
  else
    return FALSE;
  return TRUE;
}

void
_muster_cli_plan_clear (MusterCliPlan *plan)
{
  g_clear_pointer (&plan->profile, g_free);
  g_clear_pointer (&plan->who, g_free);
  g_clear_pointer (&plan->tenant_id, g_free);
  g_clear_pointer (&plan->tenant_name, g_free);
  g_clear_pointer (&plan->target_name, g_free);
  g_clear_pointer (&plan->target_uri, g_free);
  g_clear_pointer (&plan->target_description, g_free);
  g_clear_object (&plan->snapshot);
  g_clear_object (&plan->rules);
  g_clear_object (&plan->target);
  g_clear_pointer (&plan->state, muster_target_state_unref);
  g_clear_object (&plan->plan);
}

/* Redrawn in place on a terminal; a log would only fill with carriage returns, so not there. */
static void
read_progress_cb (MusterTarget     *target,
                  guint             done,
                  guint             total,
                  MusterCliContext *cli)
{
  if (!isatty (fileno (cli->err)))
    return;
  if (total > 0)
    fprintf (cli->err, _("\rReading the target… %u of %u"), done, total);
  else
    fprintf (cli->err, _("\rReading the target… %u"), done);
  fflush (cli->err);
}

static MusterTarget *
open_target (MusterCliContext  *cli,
             MusterTargetStore *store,
             const char        *profile,
             const char        *name_or_uri,
             char             **name,
             GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *token = NULL;
  MusterTarget *target;

  muster_target_store_open_target_async (store, profile, name_or_uri, NULL, cli->cancellable,
                                         _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  target = muster_target_store_open_target_finish (store, result, name, &local_error);
  if (target != NULL || !g_error_matches (local_error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NEEDS_TOKEN) ||
      !g_str_has_prefix (name_or_uri, "scim:"))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return target;
    }

  /* A service no named target knows: its token comes from standard input, never an argument. */
  token = _muster_cli_read_secret (cli, _("SCIM bearer token: "), NULL);
  if (token == NULL)
    {
      g_set_error (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NEEDS_TOKEN,
                   _("%s Give it on standard input, or add the service with “muster-cli target add”."),
                   local_error->message);
      return NULL;
    }
  g_clear_object (&result);
  muster_target_store_open_target_async (store, profile, name_or_uri, token, cli->cancellable,
                                         _muster_cli_store_result_cb, &result);
  explicit_bzero (token, strlen (token));
  _muster_cli_wait (&result);
  return muster_target_store_open_target_finish (store, result, name, error);
}

int
_muster_cli_read_target (MusterCliContext *cli,
                         const char       *profile,
                         const char       *name_or_uri,
                         MusterCliPlan    *out)
{
  g_autoptr(MusterTargetStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gulong progress = 0;

  store = muster_target_store_load (NULL, &error);
  if (store == NULL)
    return _muster_cli_fail (cli, error);
  out->target = open_target (cli, store, profile, name_or_uri, &out->target_name, &error);
  if (out->target == NULL)
    {
      /* a name that is not a target, or not a target URI, is the caller's to fix */
      if (g_error_matches (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NOT_FOUND) ||
          g_error_matches (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_NEEDS_TOKEN) ||
          (g_error_matches (error, MUSTER_TARGET_STORE_ERROR, MUSTER_TARGET_STORE_ERROR_INVALID) &&
           strchr (name_or_uri, ':') != NULL) ||
          g_error_matches (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_INVALID))
        return _muster_cli_usage (cli, "%s", error->message);
      return _muster_cli_fail (cli, error);
    }
  out->target_uri = muster_target_get_uri (out->target);
  out->target_description = muster_target_describe (out->target);

  if (g_signal_lookup ("progress", G_OBJECT_TYPE (out->target)) != 0)
    progress = g_signal_connect (out->target, "progress", G_CALLBACK (read_progress_cb), cli);
  muster_target_read_state_async (out->target, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  if (progress != 0)
    {
      g_signal_handler_disconnect (out->target, progress);
      if (isatty (fileno (cli->err)))
        fprintf (cli->err, "\r\033[K");
    }
  out->state = muster_target_read_state_finish (out->target, result, &error);
  if (out->state == NULL)
    return _muster_cli_fail (cli, error);

  return MUSTER_EXIT_OK;
}

int
_muster_cli_make_plan (MusterCliContext  *cli,
                       MusterCliPlanArgs *args,
                       MusterCliPlan     *out)
{
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MusterPlanOptions options = { MUSTER_PLAN_MODE_SYNC, args->allow_delete };
  MusterProfile *profile;
  int status = MUSTER_EXIT_OK;

  if (args->target == NULL)
    return _muster_cli_usage (cli, _("--target is needed: a target name (see muster-cli target list), "
                                     "sqlite:PATH or scim:URL"));
  if (args->only_new && args->only_existing)
    return _muster_cli_usage (cli, _("--only-new and --only-existing exclude each other"));
  if (args->only_new)
    options.mode = MUSTER_PLAN_MODE_ADD_ONLY;
  else if (args->only_existing)
    options.mode = MUSTER_PLAN_MODE_UPDATE_ONLY;

  profile = _muster_cli_open_profile (cli, &profiles, &error);
  if (profile == NULL)
    return _muster_cli_fail (cli, error);
  out->profile = g_strdup (muster_profile_get_name (profile));
  out->who = g_strdup (muster_profile_get_username (profile));
  out->tenant_id = g_strdup (muster_profile_get_tenant_id (profile));
  out->tenant_name = g_strdup (muster_profile_get_organization (profile));

  out->snapshot = _muster_cli_load_snapshot (cli, NULL, MUSTER_SNAPSHOT_LOAD_ALL, &status);
  if (out->snapshot == NULL)
    return status;

  muster_rules_load_async (out->profile, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  out->rules = muster_rules_load_finish (result, &error);
  g_clear_object (&result);
  if (out->rules == NULL)
    return _muster_cli_fail (cli, error);
  /* FILTERS on the command line stand for the rules' filter in this run only. */
  if (args->filters.given)
    {
      g_autoptr(MusterUserFilter) filter = _muster_cli_filters_build (cli, &args->filters, out->snapshot, &status);

      if (filter == NULL)
        return status;
      muster_rules_set_filter (out->rules, filter);
    }

  status = _muster_cli_read_target (cli, out->profile, args->target, out);
  if (status != MUSTER_EXIT_OK)
    return status;

  out->plan = muster_plan_new (out->snapshot, out->rules, out->state,
                               muster_target_get_features (out->target), &options);
  for (guint i = 0; i < muster_plan_get_warnings (out->plan)->len; i++)
    fprintf (cli->err, _("Note: %s\n"), (const char *) g_ptr_array_index (muster_plan_get_warnings (out->plan), i));
  return MUSTER_EXIT_OK;
}

void
_muster_cli_print_totals (MusterCliContext *cli,
                          MusterCliPlan    *plan,
                          FILE             *stream)
{
  const MusterPlanTotals *totals = muster_plan_get_totals (plan->plan);

  fprintf (stream, "%s\n", plan->target_description);
  fprintf (stream, _("Create %u · Update %u · Disable %u · Delete %u · Unchanged %u · Skipped %u\n"),
           totals->create, totals->update, totals->disable, totals->delete, totals->unchanged, totals->skipped);
  if (totals->groups_create + totals->members_add + totals->members_remove > 0)
    fprintf (stream, _("Groups: %u to create, %u members to add, %u to remove\n"),
             totals->groups_create, totals->members_add, totals->members_remove);
}

/* Preview output -------------------------------------------------------------------------------- */

static void
print_table (MusterCliContext *cli,
             MusterCliPlan    *plan)
{
  const char *headers[] = { _("Action"), _("User"), _("Name"), _("Reason"), _("Changes") };
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) items = g_ptr_array_copy (muster_plan_get_items (plan->plan), NULL, NULL);
  guint unchanged = 0;

  _muster_cli_print_totals (cli, plan, cli->out);
  g_ptr_array_sort (items, muster_plan_item_compare_by_action);
  for (guint i = 0; i < items->len; i++)
    {
      MusterPlanItem *item = g_ptr_array_index (items, i);
      char **row;

      if (item->action == MUSTER_PLAN_ACTION_UNCHANGED)
        {
          unchanged++;
          continue;
        }
      row = g_new0 (char *, 6);
      row[0] = g_strdup (muster_plan_action_to_string (item->action));
      row[1] = g_strdup (item->user_principal_name);
      row[2] = g_strdup (item->display_name);
      row[3] = g_strdup (item->reason);
      row[4] = muster_plan_item_describe_changes (item, "; ", "∅");
      g_ptr_array_add (rows, row);
    }
  if (rows->len > 0)
    {
      fputc ('\n', cli->out);
      _muster_cli_print_table (cli, headers, G_N_ELEMENTS (headers), rows);
    }
  if (unchanged > 0)
    fprintf (cli->err, g_dngettext (GETTEXT_PACKAGE, "%u unchanged user is not listed (see --format csv).\n",
                                    "%u unchanged users are not listed (see --format csv).\n", unchanged),
             unchanged);
}

static char *
plan_to_csv (MusterCliPlan *plan,
             gsize         *length)
{
  const char *headers[] = { _("Action"), _("User principal name"), _("Display name"), _("Reason"), _("Changes"),
                            _("User type"), _("Roles"), _("Object ID") };
  GPtrArray *items = muster_plan_get_items (plan->plan);
  GString *out = g_string_new (NULL);

  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    {
      if (c > 0)
        g_string_append_c (out, ',');
      muster_export_append_csv_cell (out, headers[c]);
    }
  g_string_append (out, "\r\n");
  for (guint i = 0; i < items->len; i++)
    {
      MusterPlanItem *item = g_ptr_array_index (items, i);
      g_autofree char *changes = muster_plan_item_describe_changes (item, "; ", "∅");
      g_autofree char *roles = item->roles ? g_strjoinv (", ", (char **) item->roles) : NULL;
      const char *cells[] = {
        muster_plan_action_to_string (item->action), item->user_principal_name, item->display_name, item->reason,
        changes, item->action == MUSTER_PLAN_ACTION_SKIPPED ? NULL : muster_user_type_to_string (item->user_type),
        roles, item->id,
      };

      for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
        {
          if (c > 0)
            g_string_append_c (out, ',');
          muster_export_append_csv_cell (out, cells[c]);
        }
      g_string_append (out, "\r\n");
    }
  *length = out->len;
  return g_string_free (out, FALSE);
}

int
_muster_cli_write_output (MusterCliContext *cli,
                          const char       *output,
                          const char       *data,
                          gsize             length)
{
  g_autoptr(GError) error = NULL;

  if (output == NULL)
    {
      fwrite (data, 1, length, cli->out);
      fflush (cli->out);
      return MUSTER_EXIT_OK;
    }
  {
    g_autoptr(GFile) file = g_file_new_for_commandline_arg (output);

    if (!g_file_replace_contents (file, data, length, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL,
                                  cli->cancellable, &error))
      return _muster_cli_fail (cli, error);
  }
  return MUSTER_EXIT_OK;
}

/* Saved previews -------------------------------------------------------------------------------- */

MusterPreviewFile *
_muster_cli_load_preview (MusterCliContext *cli,
                          const char       *path,
                          int              *status)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MusterPreviewFile *preview;

  muster_preview_file_load_async (file, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  preview = muster_preview_file_load_finish (result, &error);
  if (preview == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (file);

      g_prefix_error (&error, "%s: ", name);
      *status = _muster_cli_fail (cli, error);
    }
  return preview;
}

static int
save_preview (MusterCliContext *cli,
              MusterCliPlan    *plan,
              const char       *path)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterPreviewFile) preview = NULL;
  g_autofree char *name = g_file_get_parse_name (file);
  MusterPreviewFileInfo info = {
    .profile = plan->profile,
    .tenant_id = plan->tenant_id,
    .tenant_name = plan->tenant_name,
    .made_by = plan->who,
    .target_uri = plan->target_uri,
    .target_name = plan->target_name,
    .target_description = plan->target_description,
  };

  preview = muster_preview_file_new (plan->plan, &info);
  /* compressed: a preview travels by mail and chat, and gzip costs little (tests/bench) */
  muster_preview_file_save_async (preview, file, TRUE, cli->cancellable, _muster_cli_store_result_cb, &result);
  _muster_cli_wait (&result);
  if (!muster_preview_file_save_finish (preview, result, &error))
    {
      g_prefix_error (&error, "%s: ", name);
      return _muster_cli_fail (cli, error);
    }
  fprintf (cli->err, _("Preview saved to %s\n"), name);
  return MUSTER_EXIT_OK;
}

/* A saved preview's plan, as the file holds it: no profile, snapshot, rules or target needed. */
static int
open_saved_preview (MusterCliContext *cli,
                    const char       *path,
                    MusterCliPlan    *out,
                    char            **notice)
{
  g_autoptr(MusterPreviewFile) preview = NULL;
  int status = MUSTER_EXIT_OK;

  preview = _muster_cli_load_preview (cli, path, &status);
  if (preview == NULL)
    return status;
  out->profile = g_strdup (muster_preview_file_get_profile (preview));
  out->who = g_strdup (muster_preview_file_get_made_by (preview));
  out->tenant_id = g_strdup (muster_preview_file_get_tenant_id (preview));
  out->tenant_name = g_strdup (muster_preview_file_get_tenant_name (preview));
  out->target_name = g_strdup (muster_preview_file_get_target_name (preview));
  out->target_uri = g_strdup (muster_preview_file_get_target_uri (preview));
  out->target_description = g_strdup (muster_preview_file_get_target_description (preview));
  out->plan = g_object_ref (muster_preview_file_get_plan (preview));
  *notice = muster_preview_file_describe (preview);
  return MUSTER_EXIT_OK;
}

static const char *
action_or_none (gboolean         present,
                MusterPlanAction action)
{
  return present ? muster_plan_action_to_string (action) : NULL;
}

static int
print_comparison (MusterCliContext  *cli,
                  MusterPreviewFile *saved,
                  MusterPlan        *fresh,
                  int                format,
                  const char        *output)
{
  g_autoptr(GPtrArray) differences = muster_preview_file_compare (saved, fresh);
  g_autofree char *notice = muster_preview_file_describe (saved);

  if (format == MUSTER_EXPORT_FORMAT_JSON)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *created = g_date_time_format_iso8601 (muster_preview_file_get_created (saved));
      g_autofree char *text = NULL;
      g_autofree char *line = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "preview");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "created");
      json_builder_add_string_value (builder, created);
      json_builder_set_member_name (builder, "tenant");
      json_builder_add_string_value (builder, muster_preview_file_get_tenant_name (saved));
      json_builder_set_member_name (builder, "madeBy");
      json_builder_add_string_value (builder, muster_preview_file_get_made_by (saved));
      json_builder_set_member_name (builder, "target");
      json_builder_add_string_value (builder, muster_preview_file_get_target_uri (saved));
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "differences");
      json_builder_begin_array (builder);
      for (guint i = 0; i < differences->len; i++)
        {
          MusterPreviewDifference *difference = differences->pdata[i];
          const char *members[][2] = {
            { "id", difference->id },
            { "userPrincipalName", difference->user_principal_name },
            { "displayName", difference->display_name },
            { "saved", action_or_none (difference->in_saved && !difference->is_group, difference->saved_action) },
            { "now", action_or_none (difference->in_fresh && !difference->is_group, difference->fresh_action) },
            { "savedChanges", difference->saved_changes },
            { "nowChanges", difference->fresh_changes },
            { "summary", difference->summary },
          };

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, difference->is_group ? "group" : "user");
          for (guint m = 0; m < G_N_ELEMENTS (members); m++)
            {
              json_builder_set_member_name (builder, members[m][0]);
              if (members[m][1] != NULL)
                json_builder_add_string_value (builder, members[m][1]);
              else
                json_builder_add_null_value (builder);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      text = json_to_string (root, TRUE);
      line = g_strconcat (text, "\n", NULL);
      return _muster_cli_write_output (cli, output, line, strlen (line));
    }

  fprintf (cli->out, "%s\n", notice);
  if (differences->len == 0)
    {
      fprintf (cli->out, "%s\n", _("Nothing differs: a push now would make the changes the preview shows."));
      return MUSTER_EXIT_OK;
    }
  fprintf (cli->out,
           g_dngettext (GETTEXT_PACKAGE, "%u difference between the saved preview and a fresh one:\n",
                        "%u differences between the saved preview and a fresh one:\n", differences->len),
           differences->len);
  {
    const char *headers[] = { _("User"), _("Name"), _("Saved"), _("Now"), _("What differs") };
    g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

    for (guint i = 0; i < differences->len; i++)
      {
        MusterPreviewDifference *difference = differences->pdata[i];
        char **row = g_new0 (char *, 6);

        row[0] = g_strdup (difference->user_principal_name != NULL ? difference->user_principal_name : difference->id);
        row[1] = g_strdup (difference->display_name);
        row[2] = g_strdup (difference->is_group ? (difference->in_saved ? "✓" : "–")
                           : action_or_none (difference->in_saved, difference->saved_action));
        row[3] = g_strdup (difference->is_group ? (difference->in_fresh ? "✓" : "–")
                           : action_or_none (difference->in_fresh, difference->fresh_action));
        row[4] = g_strdup (difference->summary);
        g_ptr_array_add (rows, row);
      }
    fputc ('\n', cli->out);
    _muster_cli_print_table (cli, headers, G_N_ELEMENTS (headers), rows);
  }
  return MUSTER_EXIT_OK;
}

int
_muster_cli_preview (MusterCliContext *cli,
                     int               argc,
                     char            **argv)
{
  g_auto(MusterCliPlanArgs) args = { 0 };
  g_auto(MusterCliPlan) plan = { 0 };
  g_autoptr(MusterPreviewFile) saved = NULL;
  const char *output = NULL;
  const char *save = NULL;
  const char *compare = NULL;
  const char *open = NULL;
  g_autofree char *notice = NULL;
  int format = cli->json ? MUSTER_EXPORT_FORMAT_JSON : MUSTER_CLI_FORMAT_TABLE;
  MusterReportPaper paper = MUSTER_REPORT_PAPER_A4;
  gboolean paper_given = FALSE;
  int status;

  _muster_cli_plan_args_init (&args);
  for (int i = 1; i < argc; i++)
    {
      const char *value;
      gboolean missing = FALSE;

      if (_muster_cli_plan_args_parse (cli, &args, argc, argv, &i, &status))
        {
          if (status != MUSTER_EXIT_OK)
            return status;
        }
      else if (_muster_cli_parse_paper (cli, argc, argv, &i, &paper, &status))
        {
          if (status != MUSTER_EXIT_OK)
            return status;
          paper_given = TRUE;
        }
      else if ((value = _muster_cli_option_value (argc, argv, &i, "--format", &missing)) != NULL)
        {
          if (!_muster_cli_parse_report_format (value, &format))
            return _muster_cli_usage (cli, _("unknown format “%s”: use table, csv, json, xlsx or pdf"), value);
        }
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--output", &missing)) != NULL)
        output = value;
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--save", &missing)) != NULL)
        save = value;
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--compare", &missing)) != NULL)
        compare = value;
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--preview", &missing)) != NULL)
        open = value;
      else if (missing)
        return _muster_cli_usage (cli, _("%s needs a value (see muster-cli --help)"), argv[i]);
      else
        return _muster_cli_usage (cli, _("preview does not know “%s” (see muster-cli preview --help)"), argv[i]);
    }
  status = _muster_cli_check_report_output (cli, format, output, paper_given);
  if (status != MUSTER_EXIT_OK)
    return status;

  if (compare != NULL && format != MUSTER_CLI_FORMAT_TABLE && format != MUSTER_EXPORT_FORMAT_JSON)
    return _muster_cli_usage (cli, _("--compare shows a table or JSON: use --format table or json"));

  /* A saved preview shown as it was saved, offline: what the app's saved-preview window shows. */
  if (open != NULL)
    {
      if (save != NULL || compare != NULL)
        return _muster_cli_usage (cli, _("--preview shows a saved preview: it takes no --save or --compare"));
      if (args.target != NULL || args.filters.given || args.only_new || args.only_existing || args.allow_delete)
        return _muster_cli_usage (cli, _("--preview shows the saved preview as it was made: it takes no "
                                         "--target, filters or mode options"));
      status = open_saved_preview (cli, open, &plan, &notice);
      if (status != MUSTER_EXIT_OK)
        return status;
      fprintf (format == MUSTER_CLI_FORMAT_TABLE ? cli->out : cli->err, "%s\n", notice);
    }

  /* A comparison plans again for the preview's target, in its mode, unless told otherwise. */
  if (compare != NULL)
    {
      MusterPlan *saved_plan;

      saved = _muster_cli_load_preview (cli, compare, &status);
      if (saved == NULL)
        return status;
      saved_plan = muster_preview_file_get_plan (saved);
      if (args.target == NULL)
        args.target = muster_preview_file_get_target_name (saved) != NULL ? muster_preview_file_get_target_name (saved)
                                                                          : muster_preview_file_get_target_uri (saved);
      if (!args.only_new && !args.only_existing)
        {
          args.only_new = muster_plan_get_mode (saved_plan) == MUSTER_PLAN_MODE_ADD_ONLY;
          args.only_existing = muster_plan_get_mode (saved_plan) == MUSTER_PLAN_MODE_UPDATE_ONLY;
        }
      args.allow_delete = args.allow_delete || muster_plan_get_allow_delete (saved_plan);
    }

  if (open == NULL)
    {
      status = _muster_cli_make_plan (cli, &args, &plan);
      if (status != MUSTER_EXIT_OK)
        return status;
    }

  if (save != NULL)
    {
      status = save_preview (cli, &plan, save);
      if (status != MUSTER_EXIT_OK)
        return status;
    }
  if (saved != NULL)
    return print_comparison (cli, saved, plan.plan, format, output);

  if (format == MUSTER_CLI_FORMAT_TABLE)
    print_table (cli, &plan);
  else if (format == MUSTER_CLI_FORMAT_PDF || format == MUSTER_EXPORT_FORMAT_XLSX)
    status = _muster_cli_write_plan_report (cli, &plan, format, paper, output);
  else if (format == MUSTER_EXPORT_FORMAT_JSON)
    {
      gsize length;
      g_autofree char *text = muster_plan_to_json_text (plan.plan, &length);

      status = _muster_cli_write_output (cli, output, text, length);
    }
  else
    {
      gsize length;
      g_autofree char *text = plan_to_csv (&plan, &length);

      status = _muster_cli_write_output (cli, output, text, length);
    }
  if (status == MUSTER_EXIT_OK && format != MUSTER_CLI_FORMAT_TABLE)
    _muster_cli_print_totals (cli, &plan, cli->err);
  return status;
}
