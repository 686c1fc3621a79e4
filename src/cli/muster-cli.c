/* muster-cli.c: global options, the command table, help and exit codes
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <glib-unix.h>
#include <string.h>

#include "muster-cli-private.h"

/* Commands arrive with their capabilities (sign-in, fetch, users, preview, push…); the table
 * lists only what works in this build. */
#define FILTERS_HELP \
  N_("Filters (repeat --group for several groups):\n" \
     "  --group NAME|ID          users in this group\n" \
     "  --nested                 membership through nested groups counts\n" \
     "  --group-type TYPE        users in a group of this kind: security, mail-security,\n" \
     "                           distribution or microsoft365\n" \
     "  --exclude-unlicensed     hide users without a licence\n" \
     "  --exclude-disabled       hide disabled accounts\n" \
     "  --exclude-guests         hide guests\n" \
     "  --deny-file FILE         hide these addresses or @domains (one per line, or a CSV)\n" \
     "  --search TEXT            name, address, job title or department contains TEXT\n" \
     "  --email-method METHOD    upn, mail or mail-or-upn (the default)\n")

#define PLAN_HELP \
  N_("Target and plan:\n" \
     "  --target TARGET          a name from “target list”, sqlite:PATH, or scim:URL (the named\n" \
     "                           target with that address, else a token read from standard input)\n" \
     "  --only-new               only users not yet in the target (“add N users”)\n" \
     "  --only-existing          only users already in the target (“update existing users”)\n" \
     "  --allow-delete           delete users who left the scope instead of disabling them\n" \
     "FILTERS given here replace the profile’s rule filter for this run.\n")

static const MusterCliCommand commands[] = {
  { "profile", "profile add|list|remove", N_("Manage tenant connections"), _muster_cli_profile,
    N_("profile add NAME [--tenant T] [--client-id ID] [--cloud global|usgov|dod|china]\n"
       "                 [--auth browser|device-code|secret|certificate] [--certificate PEM --key PEM]\n"
       "                 [--default]\n"
       "  With --auth secret, the client secret is read from standard input.\n"
       "profile list\n"
       "profile remove NAME     also removes the profile’s tokens from the keyring\n") },
  { "login", "login [--device-code] [--admin-consent]", N_("Sign in to the profile’s tenant"), _muster_cli_login,
    N_("  --device-code            show a code to enter on another device instead of opening a browser\n"
       "  --admin-consent          grant Muster’s permissions for the whole organisation first\n") },
  { "logout", "logout", N_("Sign out and remove the profile’s tokens"), _muster_cli_logout, NULL },
  { "status", "status", N_("Show the tenant, who is signed in, permissions and licences"), _muster_cli_status, NULL },
  { "fetch", "fetch [--full]", N_("Read the directory into a new snapshot (only the changes when possible)"), _muster_cli_fetch,
    N_("  --full                   read everything again instead of only the changes\n") },
  { "users", "users [FILTERS] [--format table|csv|json|xlsx|pdf] [--output FILE] [--paper a4|letter] [--snapshot ID]",
    N_("List or export the snapshot’s users through the filters"), _muster_cli_users,
    FILTERS_HELP,
    N_("Output:\n"
       "  --format FORMAT          table (default), csv, json, xlsx or pdf (a printed report)\n"
       "  --output FILE            write to FILE (needed for xlsx and pdf)\n"
       "  --paper PAPER            a4 (default) or letter, for pdf\n"
       "  --columns LIST           comma-separated columns to export\n"
       "  --bom                    start a CSV with the byte-order mark Excel expects\n"
       "  --filter-row             state the filter in a first CSV row\n"
       "  --snapshot ID            an older snapshot instead of the latest") },
  { "groups", "groups [--group-type TYPE] [--format table|csv|json|xlsx] [--output FILE] [--snapshot ID]",
    N_("List the snapshot’s groups by kind with member counts"), _muster_cli_groups, NULL },
  { "rules", "rules show [--json] | export [--output FILE] | import FILE",
    N_("Show, export or replace the profile’s sync rules (one JSON document)"), _muster_cli_rules,
    N_("rules show [--json]      the filter, default user type and roles, group rules, per-user\n"
       "                         overrides, field and group mapping and the safety limit\n"
       "rules export [--output FILE]\n"
       "                         the rules as JSON (docs/rules.md), on standard output by default\n"
       "rules import FILE        replace the rules with FILE (- for standard input); a document\n"
       "                         with an error is refused with the bad field named, and nothing\n"
       "                         is saved\n") },
  { "assign", "assign (--user UPN|ID ... | --group NAME|ID) [--type TYPE] [--roles R,...] [--clear]",
    N_("Give users or a group a user type and roles"), _muster_cli_assign,
    N_("  --user UPN|ID            a user of the latest snapshot (repeat for several): an override\n"
       "                           that wins over the group rules\n"
       "  --group NAME|ID          a group of the latest snapshot: a group rule, added last or\n"
       "                           changed where it stands (the first matching rule gives the type,\n"
       "                           the roles of all matching rules add up)\n"
       "  --type TYPE              user, administrator or billing-administrator\n"
       "  --roles R,...            the roles, comma-separated (\"\" for none)\n"
       "  --always include|exclude|rules\n"
       "                           a user always in scope (if they have an address), never, or as\n"
       "                           the filter decides\n"
       "  --direct                 the group rule counts direct members only (default: nested too)\n"
       "  --clear                  remove the user’s override or the group’s rule\n") },
  { "target", "target add|list|remove|roles", N_("Manage the SQLite stores and SCIM services pushes go to"),
    _muster_cli_target,
    N_("target add NAME scim:URL [--no-test]\n"
       "  The bearer token is read from standard input (a hidden prompt on a terminal) into the\n"
       "  keyring, never from the command line. The connection is tested first.\n"
       "  --no-test                save without testing the connection\n"
       "target add NAME sqlite:PATH\n"
       "  The file is created, or checked, now.\n"
       "target list\n"
       "target remove NAME       also removes the target’s token from the keyring\n"
       "target roles NAME add|remove|list [ROLE]\n"
       "  The roles the target offers: a SQLite store’s roles table, or a SCIM service’s roles values.\n") },
  { "preview", "preview --target TARGET [FILTERS] [--only-new|--only-existing] [--allow-delete] [--format table|csv|json|xlsx|pdf]\n"
               "        [--save FILE.muster-preview] [--compare FILE.muster-preview]",
    N_("Show what a push would change, user by user, without changing anything"), _muster_cli_preview,
    PLAN_HELP,
    N_("Output:\n"
       "  --format FORMAT          table (default: totals, then each user’s action, reason and\n"
       "                           changes), csv, json (--json is the same), xlsx (Summary,\n"
       "                           Actions and Changes sheets) or pdf (a printed report)\n"
       "  --output FILE            write to FILE (needed for xlsx and pdf)\n"
       "  --paper PAPER            a4 (default) or letter, for pdf\n"
       "Saved previews:\n"
       "  --save FILE              also save the preview as a .muster-preview file, which opens in\n"
       "                           the app on any computer, with no network, and push --preview applies\n"
       "  --compare FILE           plan again and list what now differs from the saved preview FILE\n"
       "                           (its target and mode unless --target or a mode is given)"),
    FILTERS_HELP },
  { "push", "push --target TARGET [FILTERS] [--only-new|--only-existing] [--yes] [--allow-delete] [--force-limit]\n"
            "     | push --preview FILE.muster-preview [--target TARGET] [--yes] [--force-limit]",
    N_("Make the target hold what the preview shows, and record the run in the history"), _muster_cli_push,
    PLAN_HELP,
    N_("Push:\n"
       "  --yes                    do not ask; without a terminal, push refuses to run without it\n"
       "  --force-limit            go ahead even when the disables and deletes exceed the profile’s\n"
       "                           safety limit (otherwise exit status 5 and nothing changed)\n"
       "  --preview FILE           apply exactly the changes of the saved preview FILE to its target;\n"
       "                           users changed in the target since are left alone and listed,\n"
       "                           with exit status 4\n"
       "Progress goes to standard error; Ctrl+C stops after the changes in flight, and the next\n"
       "push goes on from there. Exit status 4 when some changes failed: the next push retries them."),
    FILTERS_HELP },
  { "history", "history [--run ID] [--format table|csv|json|xlsx] [--output FILE]",
    N_("List the pushes, or one push’s per-user results"), _muster_cli_history,
    N_("  --run ID                 one run’s results (a unique start of its ID is enough)\n"),
    N_("Output:\n"
       "  --format FORMAT          table (default), csv, json or xlsx\n"
       "  --output FILE            write to FILE (needed for xlsx)") },
  { "changes", "changes [--since SNAPSHOT|DATE] [--format table|csv|json|xlsx] [--output FILE]",
    N_("Who joined, left or changed in the tenant, and group membership changes"), _muster_cli_changes,
    N_("  --since SNAPSHOT|DATE    compare the latest snapshot with this one, or with the tenant as\n"
       "                           it was on DATE (2026-11-01, or an ISO 8601 time); default: the\n"
       "                           snapshot before the latest\n"),
    N_("Output:\n"
       "  --format FORMAT          table (default), csv, json or xlsx\n"
       "  --output FILE            write to FILE (needed for xlsx)") },
  { "sync", "sync --target TARGET [FILTERS] [--full] [--scheduled]",
    N_("Fetch a new snapshot, then push it without asking (what the timer runs)"), _muster_cli_sync,
    N_("  --target TARGET          a name from “target list” or sqlite:PATH\n"
       "  --full                   fetch everything again instead of only the changes\n"
       "  --scheduled              a timer runs it: mark the run in the history, write the outcome\n"
       "                           to the journal, and show a desktop notification when it needs\n"
       "                           you (exit status 3, 4 or 5)\n"
       "Other options are push’s (see muster-cli push --help); --yes is implied. One sync of a\n"
       "profile runs at a time: a second one exits at once with status 1.\n") },
  { "schedule", "schedule enable --target TARGET [--every INTERVAL] | disable | status",
    N_("Sync automatically from a systemd user timer"), _muster_cli_schedule,
    N_("schedule enable --target TARGET [--every hourly|daily|weekly|CALENDAR]\n"
       "  Writes muster-sync-PROFILE.service and .timer in ~/.config/systemd/user and enables\n"
       "  the timer (daily by default; CALENDAR as in systemd.time(7), e.g. “Mon..Fri 06:00”).\n"
       "  Runs missed while the computer was off happen at the next start. Without a systemd\n"
       "  user manager the units are written and the commands to enable them are shown (status 1).\n"
       "schedule disable         stops the timer and removes both units\n"
       "schedule status          on or off, the next and last run, and the last scheduled run’s outcome\n") },
  { NULL }
};

static void
print_command_help (MusterCliContext       *cli,
                    const MusterCliCommand *command)
{
  fprintf (cli->out, _("Usage: muster-cli [--profile NAME] [--json] %s\n\n"), command->synopsis);
  fprintf (cli->out, "%s\n", _(command->summary));
  if (command->details != NULL)
    fprintf (cli->out, "\n%s", _(command->details));
  if (command->filters != NULL)
    fprintf (cli->out, "\n%s", _(command->filters));
  if (command->output != NULL)
    fprintf (cli->out, "\n%s\n", _(command->output));
}

static gboolean
interrupted_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

static void
print_help (MusterCliContext *cli)
{
  fprintf (cli->out, "%s\n\n", _("Usage: muster-cli [--profile NAME] [--json] COMMAND [ARGS…]"));
  fprintf (cli->out, "%s\n\n",
           _("Bring people from a Microsoft 365 tenant into another system, from scripts and timers."));
  fprintf (cli->out, "%s\n", _("Global options (also accepted after the command):"));
  fprintf (cli->out, "  --profile NAME   %s\n", _("Use this tenant connection instead of the default one"));
  fprintf (cli->out, "  --json           %s\n", _("Machine-readable output on standard output"));
  fprintf (cli->out, "  -h, --help       %s\n", _("Show this help"));
  fprintf (cli->out, "  --version        %s\n\n", _("Print the version"));

  if (commands[0].name != NULL)
    {
      fprintf (cli->out, "%s\n", _("Commands:"));
      /* a long synopsis gets a line of its own, the summary under it in the column */
      for (const MusterCliCommand *c = commands; c->name != NULL; c++)
        if (strlen (c->synopsis) > 40)
          fprintf (cli->out, "  %s\n  %-40s %s\n", c->synopsis, "", _(c->summary));
        else
          fprintf (cli->out, "  %-40s %s\n", c->synopsis, _(c->summary));
      fputc ('\n', cli->out);
    }

  fprintf (cli->out, "%s\n", _("Exit status: 0 ok, 1 error, 2 usage, 3 sign-in needed, "
                                 "4 partial failure, 5 refused by a safety limit."));
}

int
muster_cli_run (int     argc,
                char  **argv,
                FILE   *out,
                FILE   *err)
{
  MusterCliContext cli = { .out = out, .err = err };
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  const MusterCliCommand *command = NULL;
  gboolean help = FALSE;

  /* Global options may stand before or after the command (muster-cli(1), GLOBAL OPTIONS), so pick them out
   * first and hand the command only its own arguments. */
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *value;
      gboolean missing = FALSE;

      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        help = TRUE;
      else if (g_str_equal (arg, "--version"))
        {
          fprintf (out, "muster-cli %s\n", PACKAGE_VERSION);
          return MUSTER_EXIT_OK;
        }
      else if (g_str_equal (arg, "--json"))
        cli.json = TRUE;
      else if ((value = _muster_cli_option_value (argc, argv, &i, "--profile", &missing)) != NULL)
        cli.profile = value;
      else if (missing)
        return _muster_cli_usage (&cli, _("--profile needs a profile name"));
      else
        g_ptr_array_add (rest, argv[i]);
    }

  if (rest->len == 0)
    {
      print_help (&cli);
      return help ? MUSTER_EXIT_OK : MUSTER_EXIT_USAGE;
    }

  for (const MusterCliCommand *c = commands; c->name != NULL; c++)
    if (g_str_equal (c->name, g_ptr_array_index (rest, 0)))
      command = c;

  if (command == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("unknown command “%s” (see muster-cli --help)"),
                                                  (char *) g_ptr_array_index (rest, 0));
      fprintf (err, "muster-cli: %s\n", message);
      return MUSTER_EXIT_USAGE;
    }

  if (help)
    {
      print_command_help (&cli, command);
      return MUSTER_EXIT_OK;
    }

  g_ptr_array_add (rest, NULL);
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    guint sigint = g_unix_signal_add (SIGINT, interrupted_cb, cancellable);
    int status;

    cli.cancellable = cancellable;
    status = command->run (&cli, rest->len - 1, (char **) rest->pdata);
    g_source_remove (sigint);
    return status;
  }
}
