/* muster-cli-assign.c: muster-cli assign — a user type and roles for users (overrides) or a group (a rule)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "muster-cli-private.h"
#include "muster-rules.h"

/* A user of the snapshot by Entra id, user principal name or mail (case-insensitively). */
static MusterUser *
find_user (MusterSnapshot *snapshot,
           const char     *wanted)
{
  GListModel *users = muster_snapshot_get_users (snapshot);
  MusterUser *user = muster_snapshot_lookup_user (snapshot, wanted);
  guint n = g_list_model_get_n_items (users);

  if (user != NULL)
    return user;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MusterUser) candidate = g_list_model_get_item (users, i);
      const char *upn = muster_user_get_user_principal_name (candidate);
      const char *mail = muster_user_get_mail (candidate);

      if ((upn != NULL && g_ascii_strcasecmp (upn, wanted) == 0) ||
          (mail != NULL && g_ascii_strcasecmp (mail, wanted) == 0))
        return candidate;  /* the snapshot keeps it */
    }
  return NULL;
}

static char **
parse_roles (const char *value)
{
  g_auto(GStrv) parts = g_strsplit (value, ",", -1);
  g_autoptr(GPtrArray) roles = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *role = g_strstrip (parts[i]);

      if (*role != '\0')
        g_ptr_array_add (roles, g_strdup (role));
    }
  g_ptr_array_add (roles, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&roles), FALSE);
}

static void
print_assignment (MusterCliContext   *cli,
                  const char         *who,
                  gboolean            has_type,
                  MusterUserType      type,
                  const char * const *roles,
                  gboolean            roles_set,
                  MusterUserScope     scope)
{
  g_autoptr(GString) line = g_string_new (who);

  g_string_append (line, ": ");
  if (has_type)
    g_string_append (line, muster_user_type_get_title (type));
  else
    g_string_append (line, _("type from the rules"));
  g_string_append (line, "; ");
  if (!roles_set)
    g_string_append (line, _("roles from the rules"));
  else if (roles == NULL || roles[0] == NULL)
    g_string_append (line, _("no roles"));
  else
    {
      g_autofree char *list = g_strjoinv (", ", (char **) roles);
      g_string_append_printf (line, _("roles: %s"), list);
    }
  if (scope == MUSTER_USER_SCOPE_ALWAYS_INCLUDE)
    g_string_append (line, _("; always included"));
  else if (scope == MUSTER_USER_SCOPE_ALWAYS_EXCLUDE)
    g_string_append (line, _("; always excluded"));
  fprintf (cli->out, "%s\n", line->str);
}

int
_muster_cli_assign (MusterCliContext *cli,
                    int               argc,
                    char            **argv)
{
  g_autoptr(GPtrArray) wanted_users = g_ptr_array_new ();
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterRules) rules = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  g_auto(GStrv) roles = NULL;
  const char *group_arg = NULL;
  const char *always = NULL;
  MusterUserType type = MUSTER_USER_TYPE_USER;
  gboolean has_type = FALSE;
  gboolean clear = FALSE;
  gboolean direct = FALSE;
  int status;

  for (int i = 1; i < argc; i++)
    {
      const char *value;
      gboolean missing = FALSE;

      if ((value = _muster_cli_option_value (argc, argv, &i, "--user", &missing)) != NULL)
        {
          if (*value == '\0')
            return _muster_cli_usage (cli, _("--user needs a user principal name or ID"));
          g_ptr_array_add (wanted_users, (gpointer) value);
        }
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--group", &missing)) != NULL)
        {
          if (*value == '\0' || group_arg != NULL)
            return _muster_cli_usage (cli, _("--group needs one group name or ID"));
          group_arg = value;
        }
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--type", &missing)) != NULL)
        {
          if (!muster_user_type_from_string (value, &type))
            return _muster_cli_usage (cli, _("unknown user type “%s”: use user, administrator or billing-administrator"),
                                      value);
          has_type = TRUE;
        }
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--roles", &missing)) != NULL)
        {
          g_strfreev (roles);
          roles = parse_roles (value);
        }
      else if (!missing && (value = _muster_cli_option_value (argc, argv, &i, "--always", &missing)) != NULL)
        {
          if (!g_str_equal (value, "include") && !g_str_equal (value, "exclude") && !g_str_equal (value, "rules"))
            return _muster_cli_usage (cli, _("--always takes include, exclude or rules, not “%s”"), value);
          always = value;
        }
      else if (missing)
        return _muster_cli_usage (cli, _("%s needs a value (see muster-cli assign --help)"), argv[i]);
      else if (g_str_equal (argv[i], "--clear"))
        clear = TRUE;
      else if (g_str_equal (argv[i], "--direct"))
        direct = TRUE;
      else
        return _muster_cli_usage (cli, _("assign does not know “%s” (see muster-cli assign --help)"), argv[i]);
    }

  if ((wanted_users->len > 0) == (group_arg != NULL))
    return _muster_cli_usage (cli, _("assign needs either --user (one or more) or one --group"));
  if (clear && (has_type || roles != NULL || always != NULL))
    return _muster_cli_usage (cli, _("--clear removes the assignment: it takes no --type, --roles or --always"));
  if (!clear && !has_type && roles == NULL && always == NULL)
    return _muster_cli_usage (cli, _("assign needs --type, --roles, --always or --clear"));
  if (group_arg != NULL && always != NULL)
    return _muster_cli_usage (cli, _("--always is for users; a group rule gives a type and roles"));
  if (wanted_users->len > 0 && direct)
    return _muster_cli_usage (cli, _("--direct is for a group rule"));

  /* Names are resolved against the latest snapshot, so a typo fails here and not at push. */
  snapshot = _muster_cli_load_snapshot (cli, NULL, MUSTER_SNAPSHOT_LOAD_ALL, &status);
  if (snapshot == NULL)
    return status;
  rules = _muster_cli_load_rules (cli, &profile, &status);
  if (rules == NULL)
    return status;

  if (group_arg != NULL)
    {
      MusterGroup *group = muster_snapshot_lookup_group (snapshot, group_arg);
      const char *key = group != NULL ? muster_group_get_id (group) : group_arg;
      const char *name = group != NULL && muster_group_get_display_name (group) != NULL
                         ? muster_group_get_display_name (group) : group_arg;

      if (clear)
        {
          /* a rule may name the group by its id or by the name it was written with */
          gboolean removed = muster_rules_remove_group_rule (rules, key);

          removed |= muster_rules_remove_group_rule (rules, group_arg);
          if (group != NULL && muster_group_get_display_name (group) != NULL)
            removed |= muster_rules_remove_group_rule (rules, muster_group_get_display_name (group));
          if (!removed)
            return _muster_cli_usage (cli, _("there is no rule for the group “%s”"), group_arg);
          fprintf (cli->out, _("%s: rule removed"), name);
          fputc ('\n', cli->out);
        }
      else
        {
          const MusterGroupRule *old = muster_rules_lookup_group_rule (rules, key);

          if (group == NULL)
            return _muster_cli_usage (cli, _("no group “%s” in the snapshot (see muster-cli groups)"), group_arg);
          if (old == NULL && group_arg != key)
            old = muster_rules_lookup_group_rule (rules, group_arg);
          /* what is not given stays as it was */
          if (!has_type && old != NULL && old->has_user_type)
            {
              has_type = TRUE;
              type = old->user_type;
            }
          if (roles == NULL && old != NULL)
            roles = g_strdupv (old->roles);
          if (old != NULL && !g_str_equal (old->group, key))
            {
              g_autofree char *old_key = g_strdup (old->group);
              muster_rules_remove_group_rule (rules, old_key);
            }
          muster_rules_set_group_rule (rules, key, !direct, has_type ? &type : NULL, (const char * const *) roles);
          old = muster_rules_lookup_group_rule (rules, key);
          print_assignment (cli, name, old->has_user_type, old->user_type, (const char * const *) old->roles, TRUE,
                            MUSTER_USER_SCOPE_RULES);
        }
    }
  else
    {
      for (guint i = 0; i < wanted_users->len; i++)
        {
          const char *wanted = wanted_users->pdata[i];
          MusterUser *user = find_user (snapshot, wanted);
          const MusterUserOverride *old;
          const char *id;
          gboolean user_has_type = has_type;
          MusterUserType user_type = type;
          g_auto(GStrv) user_roles = NULL;
          MusterUserScope scope;

          if (user == NULL)
            return _muster_cli_usage (cli, _("no user “%s” in the snapshot (see muster-cli users --search)"), wanted);
          id = muster_user_get_id (user);
          old = muster_rules_lookup_user_override (rules, id);

          if (clear)
            {
              if (!muster_rules_remove_user_override (rules, id))
                return _muster_cli_usage (cli, _("“%s” has no assignment of their own"), wanted);
              fprintf (cli->out, _("%s: follows the rules again"), muster_user_get_user_principal_name (user));
              fputc ('\n', cli->out);
              continue;
            }

          if (!user_has_type && old != NULL && old->has_user_type)
            {
              user_has_type = TRUE;
              user_type = old->user_type;
            }
          user_roles = g_strdupv (roles != NULL ? roles : old != NULL ? old->roles : NULL);
          scope = old != NULL ? old->scope : MUSTER_USER_SCOPE_RULES;
          if (always != NULL)
            scope = g_str_equal (always, "include") ? MUSTER_USER_SCOPE_ALWAYS_INCLUDE
                    : g_str_equal (always, "exclude") ? MUSTER_USER_SCOPE_ALWAYS_EXCLUDE : MUSTER_USER_SCOPE_RULES;

          if (!user_has_type && user_roles == NULL && scope == MUSTER_USER_SCOPE_RULES)
            muster_rules_remove_user_override (rules, id);
          else
            muster_rules_set_user_override (rules, id, user_has_type ? &user_type : NULL,
                                            (const char * const *) user_roles, scope);
          old = muster_rules_lookup_user_override (rules, id);
          if (old != NULL)
            print_assignment (cli, muster_user_get_user_principal_name (user), old->has_user_type, old->user_type,
                              (const char * const *) old->roles, old->roles != NULL, old->scope);
          else
            {
              fprintf (cli->out, _("%s: follows the rules again"), muster_user_get_user_principal_name (user));
              fputc ('\n', cli->out);
            }
        }
    }

  if (!muster_rules_save (rules, profile, &error))
    return _muster_cli_fail (cli, error);
  return MUSTER_EXIT_OK;
}
