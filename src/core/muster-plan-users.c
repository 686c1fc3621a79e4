/* muster-plan-users.c: comparing each snapshot user, through the rules, with what the target holds
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every user gets an action, the fields that change and the steps that explain it; users the
 * target holds whose Entra user is gone are disabled or deleted. Matching follows muster-plan.c.
 */

#define G_LOG_DOMAIN "muster-plan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-plan-private.h"
#include "muster-rules-private.h"

/* Each target attribute is filled at most once. */
#define MAX_FIELDS 16

/* A field mapping entry the target can take. */
typedef struct
{
  int         source;     /* _muster_rules_field_source_index() */
  const char *attribute;  /* MUSTER_ATTR_*, static */
} Field;

/* The words of one plan, translated once. */
typedef struct
{
  const char *in_scope;           /* "In scope: …" with the filter described */
  const char *included;
  const char *excluded;
  const char *excluded_reason;
  const char *no_email;
  const char *matched_external_id;
  const char *matched_user_name;
  const char *not_found;
  const char *not_managed;
  const char *not_managed_reason;
  const char *create;
  const char *up_to_date;
  const char *already_in_target;
  const char *not_in_target_update_only;
  const char *account_disabled;
  const char *account_disabled_step;
  const char *already_disabled;
  const char *deleted_in_entra;
  const char *deleted_in_entra_step;
  const char *add_only_step;
  const char *only_new_step;
  const char *not_chosen;
  const char *not_chosen_step;
} Words;

/* Helpers ------------------------------------------------------------------------------------ */

/* An Entra object id is a GUID: 8-4-4-4-12 hex digits. */
static gboolean
is_guid (const char *text)
{
  if (text == NULL || strlen (text) != 36)
    return FALSE;
  for (guint i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (text[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isxdigit (text[i]))
        return FALSE;
    }
  return TRUE;
}

static const char *
nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

/* userName compares case-insensitively (RFC 7643 §4.1.1). */
static gboolean
user_names_equal (const char *a,
                  const char *b)
{
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;

  if (g_strcmp0 (a, b) == 0)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (a, b) == 0)
    return TRUE;
  fa = g_utf8_casefold (a, -1);
  fb = g_utf8_casefold (b, -1);
  return g_str_equal (fa, fb);
}

static char *
join_roles (const char * const *roles)
{
  if (roles == NULL || roles[0] == NULL)
    return NULL;
  return g_strjoinv (", ", (char **) roles);
}

static void
add_change (GPtrArray  **changes,
            const char  *field,
            const char  *before,
            const char  *after)
{
  if (*changes == NULL)
    *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_field_change_free);
  g_ptr_array_add (*changes, muster_field_change_new (field, before, after));
}

static void
words_init (Words            *words,
            MusterPlan       *self,
            MusterUserFilter *filter)
{
  g_autofree char *described = muster_user_filter_describe (filter, self->snapshot);
  g_autofree char *in_scope = g_strdup_printf (_("In scope: the filter lets the user through (%s)"), described);

  words->in_scope = g_string_chunk_insert (self->strings, in_scope);
  words->included = _("In scope: always included for this user (the filter is not applied)");
  words->excluded = _("Out of scope: always excluded for this user");
  words->excluded_reason = _("always excluded for this user");
  words->no_email = _("no email address under the chosen email method");
  words->matched_external_id = _("Found in the target by externalId (the Entra object id)");
  words->matched_user_name = _("Found in the target by userName, case-insensitively; its externalId is set to the Entra object id");
  words->not_found = _("Not found in the target, by externalId or userName");
  words->not_managed = _("The target’s user of that name was not made by Muster: it is left alone");
  words->not_managed_reason = _("in the target, but not made by Muster");
  words->create = _("not in the target yet");
  words->up_to_date = _("up to date");
  words->already_in_target = _("already in the target");
  words->not_in_target_update_only = _("not in the target, and only existing users are updated");
  words->account_disabled = _("account disabled");
  words->account_disabled_step = _("The account is disabled in Entra ID");
  words->already_disabled = _("Already disabled in the target");
  words->deleted_in_entra = _("deleted in Entra ID");
  words->deleted_in_entra_step = _("Its externalId names an Entra user the directory no longer has");
  words->add_only_step = _("Only new users are added: existing ones are left as they are");
  words->not_chosen = _("not among the chosen users");
  words->not_chosen_step = _("Left out: the preview was made for other users");
  words->only_new_step = _("The rules take only users not yet in the target: existing ones are left as they are");
}

/* Users -------------------------------------------------------------------------------------- */

/* Removes @current from the target: delete where allowed and possible, else disable if it is
 * still active. FALSE when there is nothing to do. */
static gboolean
plan_removal (MusterPlan       *self,
              MusterPlanItem   *item,
              MusterTargetUser *current)
{
  if (self->options.allow_delete && (self->features & MUSTER_TARGET_FEATURE_DELETE))
    {
      item->action = MUSTER_PLAN_ACTION_DELETE;
      return TRUE;
    }
  if (!current->active)
    return FALSE;

  item->action = MUSTER_PLAN_ACTION_DISABLE;
  item->desired = muster_target_user_copy (current);
  item->desired->active = FALSE;
  g_clear_pointer (&item->changes, g_ptr_array_unref);
  add_change (&item->changes, MUSTER_FIELD_ACTIVE, "true", "false");
  return TRUE;
}

/* Compares what the target holds with what the rules want, and builds the desired user only
 * when something differs. */
static void
plan_update (MusterPlan       *self,
             MusterPlanItem   *item,
             MusterTargetUser *current,
             gboolean          link_external_id,
             const char       *user_name,
             const Field      *fields,
             guint             n_fields,
             const char      **values)
{
  const char *befores[MAX_FIELDS];
  GPtrArray *changes = NULL;
  MusterTargetUser *desired;
  GHashTableIter iter;
  gpointer key, value;

  g_assert (n_fields <= MAX_FIELDS);

  if (link_external_id)
    add_change (&changes, MUSTER_FIELD_EXTERNAL_ID, current->external_id, item->id);
  if (!user_names_equal (current->user_name, user_name))
    add_change (&changes, MUSTER_FIELD_USER_NAME, current->user_name, user_name);
  if (!current->active)
    add_change (&changes, MUSTER_FIELD_ACTIVE, "false", "true");
  /* One walk over the target's attributes instead of a hash look-up per field: at 100,000
   * users the look-ups' cache misses are most of a plan's time. Keys are the static names of
   * muster_target_attribute_names(), as the fields' are, so a pointer comparison usually finds
   * the field without reading the key. */
  memset (befores, 0, sizeof befores);
  g_hash_table_iter_init (&iter, current->attributes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *name = key;
      guint i;

      for (i = 0; i < n_fields && name != fields[i].attribute; i++)
        ;
      if (i == n_fields)
        for (i = 0; i < n_fields && strcmp (name, fields[i].attribute) != 0; i++)
          ;
      if (i < n_fields)
        befores[i] = value;
    }
  for (guint i = 0; i < n_fields; i++)
    if (g_strcmp0 (befores[i], values[i]) != 0)
      add_change (&changes, fields[i].attribute, befores[i], values[i]);
  if ((self->features & MUSTER_TARGET_FEATURE_USER_TYPE) && current->user_type != item->user_type)
    add_change (&changes, MUSTER_FIELD_USER_TYPE, muster_user_type_to_string (current->user_type),
                muster_user_type_to_string (item->user_type));
  if ((self->features & MUSTER_TARGET_FEATURE_ROLES) &&
      !g_strv_equal ((const char * const *) current->roles, item->roles))
    {
      g_autofree char *before = join_roles ((const char * const *) current->roles);
      g_autofree char *after = join_roles (item->roles);

      add_change (&changes, MUSTER_FIELD_ROLES, before, after);
    }

  if (changes == NULL)
    {
      item->action = MUSTER_PLAN_ACTION_UNCHANGED;
      item->reason = NULL;
      item->desired = muster_target_user_ref (current);
      return;
    }

  item->action = MUSTER_PLAN_ACTION_UPDATE;
  g_ptr_array_unref (item->changes);
  item->changes = changes;

  desired = muster_target_user_copy (current);
  g_free (desired->external_id);
  desired->external_id = g_strdup (item->id);
  g_free (desired->user_name);
  desired->user_name = g_strdup (user_name);
  desired->active = TRUE;
  for (guint i = 0; i < n_fields; i++)
    muster_target_user_set_attribute (desired, fields[i].attribute, values[i]);
  if (self->features & MUSTER_TARGET_FEATURE_USER_TYPE)
    desired->user_type = item->user_type;
  if (self->features & MUSTER_TARGET_FEATURE_ROLES)
    muster_target_user_set_roles (desired, item->roles);
  item->desired = desired;
}

static MusterTargetUser *
build_new_user (MusterPlan     *self,
                MusterPlanItem *item,
                const char     *user_name,
                const Field    *fields,
                guint           n_fields,
                const char    **values)
{
  MusterTargetUser *desired = muster_target_user_new ();

  desired->external_id = g_strdup (item->id);
  desired->user_name = g_strdup (user_name);
  desired->active = TRUE;
  for (guint i = 0; i < n_fields; i++)
    muster_target_user_set_attribute (desired, fields[i].attribute, values[i]);
  if (self->features & MUSTER_TARGET_FEATURE_USER_TYPE)
    desired->user_type = item->user_type;
  if (self->features & MUSTER_TARGET_FEATURE_ROLES)
    muster_target_user_set_roles (desired, item->roles);
  return desired;
}

/* The mapping entries the target can hold: the enterprise attributes need the extension. */
static Field *
compile_fields (MusterPlan *self,
                guint      *n_fields)
{
  GPtrArray *mapping = muster_rules_get_field_mapping (self->rules);
  const char * const *names = muster_target_attribute_names ();
  Field *fields = g_new0 (Field, mapping->len + 1);
  guint n = 0;

  for (guint i = 0; i < mapping->len; i++)
    {
      const MusterFieldMapping *entry = mapping->pdata[i];
      const char *attribute = NULL;

      for (guint k = 0; names[k] != NULL && attribute == NULL; k++)
        if (g_str_equal (names[k], entry->attribute))
          attribute = names[k];
      if (attribute == NULL)
        continue;
      if (!(self->features & MUSTER_TARGET_FEATURE_ENTERPRISE) &&
          (g_str_equal (attribute, MUSTER_ATTR_DEPARTMENT) || g_str_equal (attribute, MUSTER_ATTR_MANAGER) ||
           g_str_equal (attribute, MUSTER_ATTR_EMPLOYEE_NUMBER)))
        continue;
      fields[n].source = _muster_rules_field_source_index (entry->source);
      fields[n].attribute = attribute;
      n++;
    }
  *n_fields = n;
  return fields;
}

/* Whether the manager @manager_id will be in the target once the push is done: already there
 * (by externalId, or by userName before the push links it), or in scope, enabled and created by
 * this plan. A manager out of reach is not sent: a target cannot link to someone it does not
 * hold, and each later push would try again. Answers are cached: managers have many reports. */
static gboolean
manager_reachable (MusterPlan        *self,
                   MusterUserFilter  *filter,
                   MusterEmailMethod  method,
                   GHashTable        *cache,
                   const char        *manager_id)
{
  gpointer cached;
  MusterUser *manager;
  MusterResolvedUser resolved;
  const char *email;
  gboolean reachable;

  if (g_hash_table_lookup_extended (cache, manager_id, NULL, &cached))
    return GPOINTER_TO_INT (cached);

  manager = muster_snapshot_lookup_user (self->snapshot, manager_id);
  email = manager != NULL ? nonempty (muster_user_get_email (manager, method)) : NULL;
  if (muster_target_state_lookup_user_by_external_id (self->state, manager_id) != NULL ||
      (email != NULL && muster_target_state_lookup_user_by_user_name (self->state, email) != NULL))
    reachable = TRUE;
  else if (manager == NULL || email == NULL || !muster_user_get_account_enabled (manager) ||
           self->options.mode == MUSTER_PLAN_MODE_UPDATE_ONLY)
    reachable = FALSE;
  else
    {
      _muster_rules_resolver_resolve (self->resolver, manager, &resolved);
      if (resolved.override != NULL && resolved.override->scope == MUSTER_USER_SCOPE_ALWAYS_EXCLUDE)
        reachable = FALSE;
      else if (resolved.override != NULL && resolved.override->scope == MUSTER_USER_SCOPE_ALWAYS_INCLUDE)
        reachable = TRUE;
      else
        reachable = muster_user_filter_match (filter, self->snapshot, manager);
    }

  g_hash_table_insert (cache, (gpointer) manager_id, GINT_TO_POINTER (reachable));
  return reachable;
}

static void
plan_users (MusterPlan       *self,
            MusterUserFilter *filter,
            const Words      *words)
{
  GListModel *users = muster_snapshot_get_users (self->snapshot);
  MusterEmailMethod method = muster_rules_get_email_method (self->rules);
  gboolean only_new = muster_rules_get_only_new (self->rules);
  gboolean leave_existing = only_new || self->options.mode == MUSTER_PLAN_MODE_ADD_ONLY;
  MusterRulesResolver *resolver = self->resolver;
  /* Target users taken by a userName match. Those matched by externalId need no record: their
   * externalId names a snapshot user, so no one else can take them. */
  g_autoptr(GHashTable) claimed = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) managers = g_hash_table_new (g_str_hash, g_str_equal);
  const char *manager_attribute = NULL;
  g_autofree Field *fields = NULL;
  g_autofree const char **values = NULL;
  guint n_fields = 0;
  GPtrArray *state_users;

  fields = compile_fields (self, &n_fields);
  values = g_new0 (const char *, n_fields + 1);
  for (guint i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].attribute, MUSTER_ATTR_MANAGER))
      manager_attribute = fields[i].attribute;

  self->n_block = g_list_model_get_n_items (users);
  self->block = g_new0 (Item, self->n_block);

  for (guint u = 0; u < self->n_block; u++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (users, u);
      Item *private = &self->block[u];
      MusterPlanItem *item = &private->public;
      MusterResolvedUser resolved;
      MusterTargetUser *current;
      gboolean by_name = FALSE;
      gboolean enabled = muster_user_get_account_enabled (user);
      const char *email = nonempty (muster_user_get_email (user, method));

      item->user = user;  /* the snapshot keeps it */
      item->id = muster_user_get_id (user);
      item->user_principal_name = muster_user_get_user_principal_name (user);
      item->display_name = muster_user_get_display_name (user);
      item->changes = g_ptr_array_ref (self->empty);
      item->explanation = g_ptr_array_sized_new (5);
      g_ptr_array_add (self->items, item);

      _muster_rules_resolver_resolve (resolver, user, &resolved);
      item->user_type = resolved.user_type;
      item->roles = resolved.roles;

      /* In scope? An override decides first: exclude wins over everything, include bypasses
       * the filter but still needs an address to sync by. */
      if (resolved.override != NULL && resolved.override->scope == MUSTER_USER_SCOPE_ALWAYS_EXCLUDE)
        {
          item->reason = words->excluded_reason;
          g_ptr_array_add (item->explanation, (gpointer) words->excluded);
        }
      else if (resolved.override != NULL && resolved.override->scope == MUSTER_USER_SCOPE_ALWAYS_INCLUDE)
        {
          if (email == NULL)
            {
              item->reason = words->no_email;
              g_ptr_array_add (item->explanation,
                               (gpointer) g_string_chunk_insert_const (self->strings,
                                                                       _("Out of scope: always included for this user, "
                                                                         "but there is no email address under the chosen email method")));
            }
          else
            {
              private->in_scope = TRUE;
              g_ptr_array_add (item->explanation, (gpointer) words->included);
            }
        }
      else if (muster_user_filter_match (filter, self->snapshot, user))
        {
          private->in_scope = TRUE;
          g_ptr_array_add (item->explanation, (gpointer) words->in_scope);
        }
      else
        {
          g_autofree char *why = muster_user_filter_explain (filter, self->snapshot, user);
          g_autofree char *step = g_strdup_printf (_("Out of scope: %s"), why);

          item->reason = g_string_chunk_insert_const (self->strings, why);
          g_ptr_array_add (item->explanation, g_string_chunk_insert_const (self->strings, step));
        }

      /* In the target? By externalId, then by userName if that user is not someone else's. */
      current = muster_target_state_lookup_user_by_external_id (self->state, item->id);
      if (current == NULL && email != NULL)
        {
          current = muster_target_state_lookup_user_by_user_name (self->state, email);
          if (current != NULL &&
              (g_hash_table_contains (claimed, current) ||
               (current->external_id != NULL && muster_snapshot_lookup_user (self->snapshot, current->external_id) != NULL)))
            current = NULL;
          by_name = current != NULL;
        }
      if (current != NULL)
        {
          if (by_name)
            g_hash_table_add (claimed, current);
          item->current = muster_target_user_ref (current);
          g_ptr_array_add (item->explanation, (gpointer) (by_name ? words->matched_user_name : words->matched_external_id));
        }
      else
        g_ptr_array_add (item->explanation, (gpointer) words->not_found);

      g_ptr_array_add (item->explanation, (gpointer) resolved.type_explanation);
      g_ptr_array_add (item->explanation, (gpointer) resolved.roles_explanation);

      item->action = MUSTER_PLAN_ACTION_SKIPPED;

      /* A preview of chosen users leaves everyone else exactly as they are. */
      if (self->only != NULL && !g_hash_table_contains (self->only, item->id))
        {
          private->not_chosen = TRUE;
          item->reason = words->not_chosen;
          g_ptr_array_add (item->explanation, (gpointer) words->not_chosen_step);
          _muster_plan_count (self, item->action);
          continue;
        }

      /* A user Muster did not make, found by name: never changed, never disabled. */
      if (current != NULL && by_name && current->external_id == NULL && !(private->in_scope && enabled))
        {
          if (item->reason == NULL)
            item->reason = words->not_managed_reason;
          g_ptr_array_add (item->explanation, (gpointer) words->not_managed);
        }
      else if (private->in_scope && enabled)
        {
          for (guint i = 0; i < n_fields; i++)
            {
              values[i] = nonempty (_muster_rules_field_source_value (fields[i].source, user, method));
              /* a manager out of reach is not sent: what the target holds stays */
              if (values[i] != NULL && fields[i].attribute == manager_attribute &&
                  !manager_reachable (self, filter, method, managers, values[i]))
                values[i] = current != NULL ? muster_target_user_get_attribute (current, manager_attribute) : NULL;
            }

          if (current == NULL)
            {
              if (self->options.mode == MUSTER_PLAN_MODE_UPDATE_ONLY)
                item->reason = words->not_in_target_update_only;
              else
                {
                  item->action = MUSTER_PLAN_ACTION_CREATE;
                  item->reason = words->create;
                  item->desired = build_new_user (self, item, email, fields, n_fields, values);
                }
            }
          else if (leave_existing)
            {
              item->reason = words->already_in_target;
              g_ptr_array_add (item->explanation, (gpointer) (only_new ? words->only_new_step : words->add_only_step));
            }
          else
            {
              plan_update (self, item, current, by_name, email, fields, n_fields, values);
              if (item->action == MUSTER_PLAN_ACTION_UNCHANGED)
                item->reason = words->up_to_date;
            }
        }
      else
        {
          if (private->in_scope)
            {
              item->reason = words->account_disabled;
              g_ptr_array_add (item->explanation, (gpointer) words->account_disabled_step);
            }
          if (current != NULL && !leave_existing)
            {
              if (!plan_removal (self, item, current))
                g_ptr_array_add (item->explanation, (gpointer) words->already_disabled);
            }
          else if (current != NULL)
            g_ptr_array_add (item->explanation, (gpointer) (only_new ? words->only_new_step : words->add_only_step));
        }

      _muster_plan_count (self, item->action);
    }

  /* Users Muster made whose Entra user is gone. */
  state_users = muster_target_state_get_users (self->state);
  for (guint i = 0; i < state_users->len; i++)
    {
      MusterTargetUser *current = state_users->pdata[i];
      g_autoptr(GPtrArray) explanation = NULL;
      Item *private;
      MusterPlanItem *item;

      if (current->external_id != NULL && current->active)
        self->target_user_count++;
      if (leave_existing || !is_guid (current->external_id) || g_hash_table_contains (claimed, current) ||
          muster_snapshot_lookup_user (self->snapshot, current->external_id) != NULL ||
          (self->only != NULL && !g_hash_table_contains (self->only, current->external_id)))
        continue;

      private = g_new0 (Item, 1);
      item = &private->public;
      item->id = current->external_id;
      item->user_principal_name = current->user_name;
      item->display_name = muster_target_user_get_attribute (current, MUSTER_ATTR_DISPLAY_NAME);
      item->reason = words->deleted_in_entra;
      item->changes = g_ptr_array_ref (self->empty);
      item->explanation = g_ptr_array_new ();
      item->user_type = current->user_type;
      item->roles = (const char * const *) current->roles;
      item->current = muster_target_user_ref (current);
      g_ptr_array_add (item->explanation, (gpointer) words->deleted_in_entra_step);
      if (!plan_removal (self, item, current))
        {
          _muster_plan_item_free (private);
          continue;
        }
      g_ptr_array_add (self->extra, private);
      g_ptr_array_add (self->items, item);
      g_hash_table_insert (self->items_by_id, (gpointer) item->id, item);
      _muster_plan_count (self, item->action);
    }
}

/* Internal API ------------------------------------------------------------------------------- */

void
_muster_plan_compare_users (MusterPlan       *self,
                            MusterUserFilter *filter)
{
  Words words;

  words_init (&words, self, filter);
  plan_users (self, filter, &words);
}
