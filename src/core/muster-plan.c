/* muster-plan.c: what a push would change in a target — the preview
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Users are matched by externalId = the Entra object id, then by userName = the address under
 * the email method, case-insensitively (RFC 7643 §4.1.1: userName is not case-exact). A user
 * disabled in Entra or no longer in scope is disabled in the target (active = false, as
 * Microsoft's provisioning service does), deleted only when the caller allows it; see
 * https://learn.microsoft.com/entra/identity/app-provisioning/how-provisioning-works
 *
 * A plan of 100,000 users has to be ready well under half a second, so nothing is formatted per
 * user that is the same for many: explanation steps are constant strings or come from the rules
 * resolver, a desired user is only built when it differs from what the target holds, and the
 * items sit in one block.
 */

#define G_LOG_DOMAIN "muster-plan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-plan.h"
#include "muster-rules-private.h"
#include "muster-user-private.h"

/* The private part of an item. */
typedef struct
{
  MusterPlanItem  public;
  gboolean        in_scope;
  gboolean        not_chosen;  /* options.only_ids leaves it out */
} Item;

/* Each target attribute is filled at most once. */
#define MAX_FIELDS 16

/* A field mapping entry the target can take. */
typedef struct
{
  int         source;     /* _muster_rules_field_source_index() */
  const char *attribute;  /* MUSTER_ATTR_*, static */
} Field;

struct _MusterPlan
{
  GObject              parent_instance;

  MusterSnapshot      *snapshot;
  MusterRules         *rules;
  MusterTargetState   *state;
  MusterTargetFeatures features;
  MusterPlanOptions    options;
  char               **only_ids;       /* options.only_ids points here */
  GHashTable          *only;           /* set of the chosen ids, or NULL for every user */

  Item                *block;          /* one per snapshot user */
  guint                n_block;
  GPtrArray           *items;          /* of MusterPlanItem*: the block, then the extra ones */
  GPtrArray           *extra;          /* of Item*, owned: target users deleted in Entra */
  GHashTable          *items_by_id;    /* the extra ones; the others are found by snapshot position */
  GPtrArray           *empty;          /* the changes of every item without any */
  MusterPlanTotals     totals;
  GPtrArray           *group_creates;  /* of MusterOperation */
  GPtrArray           *member_ops;     /* of MusterOperation */
  GPtrArray           *operations;     /* made on first use */
  GPtrArray           *warnings;       /* of char* */
  GStringChunk        *strings;
  MusterRulesResolver *resolver;       /* items' roles and words are its */
  guint                target_user_count;
  gboolean             saved;          /* muster_plan_new_saved(): given, not worked out */
  GPtrArray           *saved_roles;    /* of char **: the given items' roles */
  GPtrArray           *group_operations; /* made on first use */
};

G_DEFINE_FINAL_TYPE (MusterPlan, muster_plan, G_TYPE_OBJECT)
G_DEFINE_QUARK (muster-plan-error-quark, muster_plan_error)

static const char * const action_names[] = {
  [MUSTER_PLAN_ACTION_CREATE]    = "create",
  [MUSTER_PLAN_ACTION_UPDATE]    = "update",
  [MUSTER_PLAN_ACTION_DISABLE]   = "disable",
  [MUSTER_PLAN_ACTION_DELETE]    = "delete",
  [MUSTER_PLAN_ACTION_UNCHANGED] = "unchanged",
  [MUSTER_PLAN_ACTION_SKIPPED]   = "skipped",
};

static const char * const mode_names[] = {
  [MUSTER_PLAN_MODE_SYNC]        = "sync",
  [MUSTER_PLAN_MODE_ADD_ONLY]    = "add-only",
  [MUSTER_PLAN_MODE_UPDATE_ONLY] = "update-only",
};

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

/* The item of a snapshot user: at the user's position in the block. */
static Item *
find_user_item (MusterPlan *self,
                MusterUser *user)
{
  guint index = _muster_user_get_index (user);

  if (index < self->n_block && self->block[index].public.user == user)
    return &self->block[index];
  return NULL;
}

static Item *
find_item (MusterPlan *self,
           const char *id)
{
  MusterUser *user = muster_snapshot_lookup_user (self->snapshot, id);

  if (user != NULL)
    return find_user_item (self, user);
  return g_hash_table_lookup (self->items_by_id, id);
}

static void
item_clear (Item *item)
{
  MusterPlanItem *pub = &item->public;

  g_clear_pointer (&pub->changes, g_ptr_array_unref);
  g_clear_pointer (&pub->explanation, g_ptr_array_unref);
  g_clear_pointer (&pub->desired, muster_target_user_unref);
  g_clear_pointer (&pub->current, muster_target_user_unref);
}

static void
item_free (Item *item)
{
  item_clear (item);
  g_free (item);
}

static void
count (MusterPlan       *self,
       MusterPlanAction  action)
{
  switch (action)
    {
    case MUSTER_PLAN_ACTION_CREATE:
      self->totals.create++;
      break;
    case MUSTER_PLAN_ACTION_UPDATE:
      self->totals.update++;
      break;
    case MUSTER_PLAN_ACTION_DISABLE:
      self->totals.disable++;
      break;
    case MUSTER_PLAN_ACTION_DELETE:
      self->totals.delete++;
      break;
    case MUSTER_PLAN_ACTION_UNCHANGED:
      self->totals.unchanged++;
      break;
    case MUSTER_PLAN_ACTION_SKIPPED:
    default:
      self->totals.skipped++;
      break;
    }
}

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
          count (self, item->action);
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

      count (self, item->action);
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
          item_free (private);
          continue;
        }
      g_ptr_array_add (self->extra, private);
      g_ptr_array_add (self->items, item);
      g_hash_table_insert (self->items_by_id, (gpointer) item->id, item);
      count (self, item->action);
    }
}

static MusterOperation *
member_operation (MusterOperationKind  kind,
                  const char          *group_id,
                  MusterTargetGroup   *group,
                  const char          *user_external_id,
                  const char          *user_id)
{
  g_autofree char *key = g_strdup_printf ("%s:%s:%s", muster_operation_kind_to_string (kind), group_id,
                                          user_external_id);
  MusterOperation *operation = muster_operation_new (kind, key);

  operation->group = muster_target_group_ref (group);
  operation->member_external_id = g_strdup (user_external_id);
  operation->member_id = g_strdup (user_id);
  return operation;
}

static int
compare_by_external_id (gconstpointer a,
                        gconstpointer b)
{
  const MusterTargetUser *ua = *(MusterTargetUser * const *) a;
  const MusterTargetUser *ub = *(MusterTargetUser * const *) b;

  return strcmp (ua->external_id, ub->external_id);
}

/* Does this item's user end up in the target, in scope? */
static gboolean
item_is_member (const Item *item)
{
  switch (item->public.action)
    {
    case MUSTER_PLAN_ACTION_CREATE:
    case MUSTER_PLAN_ACTION_UPDATE:
    case MUSTER_PLAN_ACTION_UNCHANGED:
      return TRUE;
    case MUSTER_PLAN_ACTION_SKIPPED:
      /* add-only leaves users that are there: they are members all the same */
      return !item->not_chosen && item->in_scope && item->public.current != NULL && item->public.current->active &&
             muster_user_get_account_enabled (item->public.user);
    case MUSTER_PLAN_ACTION_DISABLE:
    case MUSTER_PLAN_ACTION_DELETE:
    default:
      return FALSE;
    }
}

static void
plan_groups (MusterPlan *self)
{
  GPtrArray *mapping = muster_rules_get_group_mapping (self->rules);
  gboolean removals = self->options.mode != MUSTER_PLAN_MODE_ADD_ONLY && !muster_rules_get_only_new (self->rules);

  if (mapping->len > 0 && !(self->features & MUSTER_TARGET_FEATURE_GROUPS))
    {
      g_ptr_array_add (self->warnings, g_strdup (_("The target has no groups: the group mapping is not used")));
      return;
    }

  for (guint m = 0; m < mapping->len; m++)
    {
      const MusterGroupMapping *entry = mapping->pdata[m];
      MusterGroup *group = muster_snapshot_lookup_group (self->snapshot, entry->group);
      g_autoptr(GPtrArray) members = NULL;
      g_autoptr(GHashTable) wanted_users = NULL;
      g_autoptr(GPtrArray) unwanted = NULL;
      g_autoptr(MusterTargetGroup) target_group = NULL;
      const char *group_id;
      GHashTableIter iter;
      gpointer key;

      if (group == NULL)
        {
          g_ptr_array_add (self->warnings,
                           g_strdup_printf (_("Group mapping: there is no group “%s” in the snapshot"), entry->group));
          continue;
        }
      group_id = muster_group_get_id (group);

      target_group = muster_target_state_lookup_group_by_external_id (self->state, group_id);
      if (target_group == NULL)
        target_group = muster_target_state_lookup_group_by_name (self->state, entry->target_group);
      if (target_group != NULL)
        muster_target_group_ref (target_group);
      else
        {
          g_autofree char *create_key = g_strconcat ("create-group:", group_id, NULL);
          MusterOperation *operation = muster_operation_new (MUSTER_OPERATION_CREATE_GROUP, create_key);

          target_group = muster_target_group_new ();
          target_group->external_id = g_strdup (group_id);
          target_group->display_name = g_strdup (entry->target_group);
          operation->group = muster_target_group_ref (target_group);
          g_ptr_array_add (self->group_creates, operation);
          self->totals.groups_create++;
        }

      /* Wanted: the in-scope members that exist in the target or are being created. */
      wanted_users = g_hash_table_new (NULL, NULL);  /* of MusterTargetUser* */
      members = muster_snapshot_get_group_members (self->snapshot, group_id, entry->nested);
      for (guint i = 0; i < members->len; i++)
        {
          const char *user_id = muster_user_get_id (members->pdata[i]);
          Item *item = find_user_item (self, members->pdata[i]);
          const char *target_id;

          if (item == NULL || !item_is_member (item))
            continue;
          if (item->public.current != NULL)
            g_hash_table_add (wanted_users, item->public.current);
          target_id = item->public.current != NULL ? item->public.current->id : NULL;
          if (target_id != NULL && g_hash_table_contains (target_group->members, target_id))
            continue;
          /* add-only and "only new users" leave the users already there as they are */
          if (!removals && item->public.action != MUSTER_PLAN_ACTION_CREATE)
            continue;
          g_ptr_array_add (self->member_ops, member_operation (MUSTER_OPERATION_ADD_MEMBER, group_id, target_group,
                                                               user_id, target_id));
          self->totals.members_add++;
        }

      if (!removals)
        continue;
      /* Members Muster manages that should not be there; the others are left alone. */
      unwanted = g_ptr_array_new ();
      g_hash_table_iter_init (&iter, target_group->members);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          MusterTargetUser *member = muster_target_state_lookup_user_by_id (self->state, key);

          if (member != NULL && member->external_id != NULL && !g_hash_table_contains (wanted_users, member) &&
              (self->only == NULL || g_hash_table_contains (self->only, member->external_id)))
            g_ptr_array_add (unwanted, member);
        }
      /* in a stable order: the same plan gives the same operations */
      g_ptr_array_sort (unwanted, compare_by_external_id);
      for (guint i = 0; i < unwanted->len; i++)
        {
          MusterTargetUser *member = unwanted->pdata[i];

          g_ptr_array_add (self->member_ops, member_operation (MUSTER_OPERATION_REMOVE_MEMBER, group_id, target_group,
                                                               member->external_id, member->id));
          self->totals.members_remove++;
        }
    }
}

static MusterOperation *
user_operation (MusterOperationKind   kind,
                const MusterPlanItem *item)
{
  g_autofree char *key = g_strconcat (muster_operation_kind_to_string (kind), ":", item->id, NULL);
  MusterOperation *operation = muster_operation_new (kind, key);

  switch (kind)
    {
    case MUSTER_OPERATION_CREATE_USER:
      operation->user = muster_target_user_ref (item->desired);
      break;
    case MUSTER_OPERATION_UPDATE_USER:
      operation->user = muster_target_user_ref (item->desired);
      g_ptr_array_unref (operation->changes);
      operation->changes = g_ptr_array_ref (item->changes);
      break;
    case MUSTER_OPERATION_DISABLE_USER:
    case MUSTER_OPERATION_DELETE_USER:
    default:
      operation->user = muster_target_user_ref (item->current);
      break;
    }
  return operation;
}

static void
add_change_json (JsonBuilder             *builder,
                 const MusterFieldChange *change)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "field");
  json_builder_add_string_value (builder, change->field);
  json_builder_set_member_name (builder, "before");
  if (change->before != NULL)
    json_builder_add_string_value (builder, change->before);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "after");
  if (change->after != NULL)
    json_builder_add_string_value (builder, change->after);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

static void
add_nullable (JsonBuilder *builder,
              const char  *name,
              const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_count (JsonBuilder *builder,
           const char  *name,
           guint        value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* Overrides ---------------------------------------------------------------------------------- */

static void
muster_plan_finalize (GObject *object)
{
  MusterPlan *self = MUSTER_PLAN (object);

  for (guint i = 0; i < self->n_block; i++)
    item_clear (&self->block[i]);
  g_free (self->block);
  g_ptr_array_unref (self->extra);
  g_ptr_array_unref (self->items);
  g_hash_table_unref (self->items_by_id);
  g_ptr_array_unref (self->empty);
  g_ptr_array_unref (self->group_creates);
  g_ptr_array_unref (self->member_ops);
  g_clear_pointer (&self->operations, g_ptr_array_unref);
  g_clear_pointer (&self->group_operations, g_ptr_array_unref);
  g_clear_pointer (&self->saved_roles, g_ptr_array_unref);
  g_ptr_array_unref (self->warnings);
  g_string_chunk_free (self->strings);
  g_clear_pointer (&self->resolver, _muster_rules_resolver_free);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->rules);
  g_clear_pointer (&self->state, muster_target_state_unref);
  g_clear_pointer (&self->only, g_hash_table_unref);
  g_strfreev (self->only_ids);

  G_OBJECT_CLASS (muster_plan_parent_class)->finalize (object);
}

static void
muster_plan_class_init (MusterPlanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_plan_finalize;
}

static void
muster_plan_init (MusterPlan *self)
{
  self->items = g_ptr_array_new ();
  self->extra = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  self->items_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->empty = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_field_change_free);
  self->group_creates = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  self->member_ops = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  self->strings = g_string_chunk_new (8192);
}

/* Public API --------------------------------------------------------------------------------- */

char *
muster_plan_item_describe_changes (const MusterPlanItem *item,
                                   const char           *separator,
                                   const char           *missing)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (item != NULL, NULL);
  for (guint i = 0; item->changes != NULL && i < item->changes->len; i++)
    {
      const MusterFieldChange *change = g_ptr_array_index (item->changes, i);

      if (i > 0)
        g_string_append (text, separator);
      /* Translators: one field's change in a preview or report: "title: Engineer → Manager" */
      g_string_append_printf (text, _("%s: %s → %s"), change->field,
                              change->before ? change->before : missing, change->after ? change->after : missing);
    }
  return g_string_free (text, FALSE);
}

static int
action_rank (MusterPlanAction action)
{
  static const int ranks[] = {
    [MUSTER_PLAN_ACTION_CREATE] = 0, [MUSTER_PLAN_ACTION_UPDATE] = 1, [MUSTER_PLAN_ACTION_DISABLE] = 2,
    [MUSTER_PLAN_ACTION_DELETE] = 3, [MUSTER_PLAN_ACTION_SKIPPED] = 4, [MUSTER_PLAN_ACTION_UNCHANGED] = 5,
  };
  return ranks[action];
}

int
muster_plan_item_compare_by_action (gconstpointer a,
                                    gconstpointer b)
{
  const MusterPlanItem *x = *(const MusterPlanItem **) a;
  const MusterPlanItem *y = *(const MusterPlanItem **) b;

  return action_rank (x->action) - action_rank (y->action);
}

const char *
muster_plan_action_to_string (MusterPlanAction action)
{
  g_return_val_if_fail ((guint) action < G_N_ELEMENTS (action_names), NULL);
  return action_names[action];
}

const char *
muster_plan_action_get_title (MusterPlanAction action)
{
  switch (action)
    {
    case MUSTER_PLAN_ACTION_CREATE:
      return _("Create");
    case MUSTER_PLAN_ACTION_UPDATE:
      return _("Update");
    case MUSTER_PLAN_ACTION_DISABLE:
      return _("Disable");
    case MUSTER_PLAN_ACTION_DELETE:
      return _("Delete");
    case MUSTER_PLAN_ACTION_UNCHANGED:
      return _("Unchanged");
    case MUSTER_PLAN_ACTION_SKIPPED:
      return _("Skipped");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
muster_plan_mode_to_string (MusterPlanMode mode)
{
  g_return_val_if_fail ((guint) mode < G_N_ELEMENTS (mode_names), NULL);
  return mode_names[mode];
}

gboolean
muster_plan_mode_from_string (const char     *name,
                              MusterPlanMode *mode)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (mode_names); i++)
    if (g_str_equal (name, mode_names[i]))
      {
        if (mode != NULL)
          *mode = i;
        return TRUE;
      }
  return FALSE;
}

MusterPlan *
muster_plan_new (MusterSnapshot          *snapshot,
                 MusterRules             *rules,
                 MusterTargetState       *state,
                 MusterTargetFeatures     features,
                 const MusterPlanOptions *options)
{
  g_autoptr(MusterUserFilter) filter = NULL;
  MusterPlan *self;
  Words words;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (snapshot), NULL);
  g_return_val_if_fail (MUSTER_IS_RULES (rules), NULL);
  g_return_val_if_fail (state != NULL, NULL);

  self = g_object_new (MUSTER_TYPE_PLAN, NULL);
  self->snapshot = g_object_ref (snapshot);
  self->rules = muster_rules_copy (rules);
  self->state = muster_target_state_ref (state);
  self->features = features;
  if (options != NULL)
    self->options = *options;
  if (self->options.only_ids != NULL)
    {
      self->only_ids = g_strdupv ((char **) self->options.only_ids);
      self->options.only_ids = (const char * const *) self->only_ids;
      self->only = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; self->only_ids[i] != NULL; i++)
        g_hash_table_add (self->only, self->only_ids[i]);
    }

  self->resolver = _muster_rules_resolver_new (self->rules, self->snapshot);
  filter = muster_rules_build_filter (self->rules);
  words_init (&words, self, filter);
  plan_users (self, filter, &words);
  plan_groups (self);

  return self;
}

/* Copies one given item into @item, its strings into the plan. */
static void
copy_saved_item (MusterPlan           *self,
                 MusterPlanItem       *item,
                 const MusterPlanItem *given,
                 MusterUser           *user)
{
  static const char * const no_roles[] = { NULL };

  /* ids and names are one per user: only the sentences many users share are kept once */
  item->id = g_string_chunk_insert (self->strings, given->id);
  item->user_principal_name = given->user_principal_name != NULL
                              ? g_string_chunk_insert (self->strings, given->user_principal_name) : NULL;
  item->display_name = given->display_name != NULL ? g_string_chunk_insert (self->strings, given->display_name)
                                                   : NULL;
  item->action = given->action;
  item->reason = given->reason != NULL ? g_string_chunk_insert_const (self->strings, given->reason) : NULL;
  item->changes = g_ptr_array_ref (given->changes != NULL ? given->changes : self->empty);
  item->explanation = g_ptr_array_new ();
  for (guint i = 0; given->explanation != NULL && i < given->explanation->len; i++)
    g_ptr_array_add (item->explanation, g_string_chunk_insert_const (self->strings, given->explanation->pdata[i]));
  item->user_type = given->user_type;
  if (given->roles == NULL || given->roles[0] == NULL)
    item->roles = no_roles;
  else
    {
      char **roles = g_strdupv ((char **) given->roles);

      g_ptr_array_add (self->saved_roles, roles);
      item->roles = (const char * const *) roles;
    }
  item->desired = given->desired != NULL ? muster_target_user_ref (given->desired) : NULL;
  item->current = given->current != NULL ? muster_target_user_ref (given->current) : NULL;
  item->user = user;
}

MusterPlan *
muster_plan_new_saved (MusterSnapshot          *snapshot,
                       MusterRules             *rules,
                       const MusterPlanOptions *options,
                       guint                    target_user_count,
                       const MusterPlanItem    *items,
                       guint                    n_items,
                       GPtrArray               *group_operations,
                       GPtrArray               *warnings)
{
  GListModel *users;
  MusterPlan *self;

  g_return_val_if_fail (MUSTER_IS_SNAPSHOT (snapshot), NULL);
  g_return_val_if_fail (MUSTER_IS_RULES (rules), NULL);
  g_return_val_if_fail (items != NULL || n_items == 0, NULL);

  self = g_object_new (MUSTER_TYPE_PLAN, NULL);
  self->saved = TRUE;
  self->snapshot = g_object_ref (snapshot);
  self->rules = muster_rules_copy (rules);
  self->state = muster_target_state_new ();
  if (options != NULL)
    self->options = *options;
  self->options.only_ids = NULL;
  self->target_user_count = target_user_count;
  self->saved_roles = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  users = muster_snapshot_get_users (snapshot);
  self->n_block = g_list_model_get_n_items (users);
  self->block = g_new0 (Item, self->n_block);

  for (guint i = 0; i < n_items; i++)
    {
      const MusterPlanItem *given = &items[i];
      MusterUser *user;
      Item *private;
      guint index;

      if (given->id == NULL)
        continue;
      user = muster_snapshot_lookup_user (snapshot, given->id);
      if (user != NULL)
        {
          index = _muster_user_get_index (user);
          if (index >= self->n_block || self->block[index].public.id != NULL)
            continue;
          copy_saved_item (self, &self->block[index].public, given, user);
        }
      else
        {
          if (g_hash_table_contains (self->items_by_id, given->id))
            continue;
          private = g_new0 (Item, 1);
          copy_saved_item (self, &private->public, given, NULL);
          g_ptr_array_add (self->extra, private);
          g_hash_table_insert (self->items_by_id, (gpointer) private->public.id, &private->public);
        }
    }

  for (guint u = 0; u < self->n_block; u++)
    {
      MusterPlanItem *item = &self->block[u].public;

      if (item->id == NULL)
        {
          g_autoptr(MusterUser) user = g_list_model_get_item (users, u);
          MusterPlanItem skipped = {
            .id = muster_user_get_id (user),
            .user_principal_name = muster_user_get_user_principal_name (user),
            .display_name = muster_user_get_display_name (user),
            .action = MUSTER_PLAN_ACTION_SKIPPED,
          };

          copy_saved_item (self, item, &skipped, user);
        }
      g_ptr_array_add (self->items, item);
      count (self, item->action);
    }
  for (guint i = 0; i < self->extra->len; i++)
    {
      MusterPlanItem *item = &((Item *) self->extra->pdata[i])->public;

      g_ptr_array_add (self->items, item);
      count (self, item->action);
    }

  for (guint i = 0; group_operations != NULL && i < group_operations->len; i++)
    {
      MusterOperation *operation = group_operations->pdata[i];

      switch (operation->kind)
        {
        case MUSTER_OPERATION_CREATE_GROUP:
          g_ptr_array_add (self->group_creates, muster_operation_ref (operation));
          self->totals.groups_create++;
          break;
        case MUSTER_OPERATION_ADD_MEMBER:
          g_ptr_array_add (self->member_ops, muster_operation_ref (operation));
          self->totals.members_add++;
          break;
        case MUSTER_OPERATION_REMOVE_MEMBER:
          g_ptr_array_add (self->member_ops, muster_operation_ref (operation));
          self->totals.members_remove++;
          break;
        case MUSTER_OPERATION_CREATE_USER:
        case MUSTER_OPERATION_UPDATE_USER:
        case MUSTER_OPERATION_DISABLE_USER:
        case MUSTER_OPERATION_DELETE_USER:
        default:
          break;
        }
    }
  for (guint i = 0; warnings != NULL && i < warnings->len; i++)
    g_ptr_array_add (self->warnings, g_strdup (warnings->pdata[i]));

  return self;
}

gboolean
muster_plan_is_saved (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), FALSE);
  return self->saved;
}

GPtrArray *
muster_plan_get_group_operations (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);

  if (self->group_operations == NULL)
    {
      self->group_operations = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
      for (guint i = 0; i < self->group_creates->len; i++)
        g_ptr_array_add (self->group_operations, muster_operation_ref (self->group_creates->pdata[i]));
      for (guint i = 0; i < self->member_ops->len; i++)
        g_ptr_array_add (self->group_operations, muster_operation_ref (self->member_ops->pdata[i]));
    }
  return self->group_operations;
}

MusterSnapshot *
muster_plan_get_snapshot (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);
  return self->snapshot;
}

MusterRules *
muster_plan_get_rules (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);
  return self->rules;
}

MusterPlanMode
muster_plan_get_mode (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), MUSTER_PLAN_MODE_SYNC);
  return self->options.mode;
}

gboolean
muster_plan_get_allow_delete (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), FALSE);
  return self->options.allow_delete;
}

GPtrArray *
muster_plan_get_items (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);
  return self->items;
}

MusterPlanItem *
muster_plan_lookup_item (MusterPlan *self,
                         const char *id)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);
  return id != NULL ? (MusterPlanItem *) find_item (self, id) : NULL;
}

const MusterPlanTotals *
muster_plan_get_totals (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);
  return &self->totals;
}

/* How many managers above @item this plan also creates or updates (cached in @depths; a cycle
 * of managers stops at the plan's size). */
static guint
manager_depth (MusterPlan     *self,
               GHashTable     *depths,
               MusterPlanItem *item,
               guint           guard)
{
  const char *manager_id;
  MusterPlanItem *manager;
  gpointer cached;
  guint depth = 0;

  if (g_hash_table_lookup_extended (depths, item->id, NULL, &cached))
    return GPOINTER_TO_UINT (cached);

  manager_id = item->desired != NULL ? muster_target_user_get_attribute (item->desired, MUSTER_ATTR_MANAGER) : NULL;
  manager = manager_id != NULL ? muster_plan_lookup_item (self, manager_id) : NULL;
  if (manager != NULL && guard < self->items->len &&
      (manager->action == MUSTER_PLAN_ACTION_CREATE || manager->action == MUSTER_PLAN_ACTION_UPDATE))
    depth = manager_depth (self, depths, manager, guard + 1) + 1;

  g_hash_table_insert (depths, (gpointer) item->id, GUINT_TO_POINTER (depth));
  return depth;
}

static int
compare_manager_depth (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  const MusterPlanItem *item_a = *(const MusterPlanItem * const *) a;
  const MusterPlanItem *item_b = *(const MusterPlanItem * const *) b;
  guint depth_a = GPOINTER_TO_UINT (g_hash_table_lookup (user_data, item_a->id));
  guint depth_b = GPOINTER_TO_UINT (g_hash_table_lookup (user_data, item_b->id));

  return depth_a < depth_b ? -1 : depth_a > depth_b;
}

GPtrArray *
muster_plan_get_operations (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);

  if (self->operations != NULL)
    return self->operations;

  self->operations = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_unref);
  {
    g_autoptr(GPtrArray) writes = g_ptr_array_new ();
    g_autoptr(GHashTable) depths = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i < self->items->len; i++)
      {
        MusterPlanItem *item = self->items->pdata[i];

        if (item->action == MUSTER_PLAN_ACTION_CREATE || item->action == MUSTER_PLAN_ACTION_UPDATE)
          g_ptr_array_add (writes, item);
      }
    /* managers first, so that a target can link each report to a manager it already made */
    for (guint i = 0; i < writes->len; i++)
      manager_depth (self, depths, writes->pdata[i], 0);
    g_ptr_array_sort_with_data (writes, compare_manager_depth, depths);
    for (guint i = 0; i < writes->len; i++)
      {
        const MusterPlanItem *item = writes->pdata[i];

        g_ptr_array_add (self->operations,
                         user_operation (item->action == MUSTER_PLAN_ACTION_CREATE ? MUSTER_OPERATION_CREATE_USER
                                                                                   : MUSTER_OPERATION_UPDATE_USER,
                                         item));
      }
  }
  for (guint i = 0; i < self->group_creates->len; i++)
    g_ptr_array_add (self->operations, muster_operation_ref (self->group_creates->pdata[i]));
  for (guint i = 0; i < self->member_ops->len; i++)
    g_ptr_array_add (self->operations, muster_operation_ref (self->member_ops->pdata[i]));
  for (guint i = 0; i < self->items->len; i++)
    {
      const MusterPlanItem *item = self->items->pdata[i];

      if (item->action == MUSTER_PLAN_ACTION_DISABLE)
        g_ptr_array_add (self->operations, user_operation (MUSTER_OPERATION_DISABLE_USER, item));
    }
  for (guint i = 0; i < self->items->len; i++)
    {
      const MusterPlanItem *item = self->items->pdata[i];

      if (item->action == MUSTER_PLAN_ACTION_DELETE)
        g_ptr_array_add (self->operations, user_operation (MUSTER_OPERATION_DELETE_USER, item));
    }
  return self->operations;
}

GPtrArray *
muster_plan_get_warnings (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);
  return self->warnings;
}

guint
muster_plan_get_target_user_count (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), 0);
  return self->target_user_count;
}

guint
muster_plan_get_removal_count (MusterPlan *self)
{
  g_return_val_if_fail (MUSTER_IS_PLAN (self), 0);
  return self->totals.disable + self->totals.delete;
}

gboolean
muster_plan_check_safety_limit (MusterPlan  *self,
                                guint        count,
                                guint        percent,
                                GError     **error)
{
  guint removals, total;
  gboolean over_count, over_percent;
  guint share;

  g_return_val_if_fail (MUSTER_IS_PLAN (self), FALSE);

  removals = muster_plan_get_removal_count (self);
  total = self->target_user_count;
  if (removals == 0)
    return TRUE;

  over_count = count > 0 && removals > count;
  /* removals / total > percent / 100, in integers */
  over_percent = percent > 0 && (guint64) removals * 100 > (guint64) percent * total;
  if (!over_count && !over_percent)
    return TRUE;

  share = total > 0 ? (guint) (((guint64) removals * 100 + total / 2) / total) : 100;
  {
    /* Translators: the first half of "The plan disables or deletes 120 of 200 users (60 %); the limit is 50 users or 5 %." */
    g_autofree char *what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "The plan disables or deletes %u of %u user (%u %%)",
                                                          "The plan disables or deletes %u of %u users (%u %%)", total),
                                             removals, total, share);
    g_autofree char *limit = NULL;

    if (count > 0 && percent > 0)
      limit = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "the limit is %u user or %u %%",
                                            "the limit is %u users or %u %%", count), count, percent);
    else if (count > 0)
      limit = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "the limit is %u user", "the limit is %u users", count),
                               count);
    else
      limit = g_strdup_printf (_("the limit is %u %%"), percent);

    /* Translators: "%s; %s." joins the two halves above */
    g_set_error (error, MUSTER_PLAN_ERROR, MUSTER_PLAN_ERROR_SAFETY_LIMIT, _("%s; %s."), what, limit);
  }
  return FALSE;
}

JsonNode *
muster_plan_to_json (MusterPlan *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const MusterPlanTotals *totals;

  g_return_val_if_fail (MUSTER_IS_PLAN (self), NULL);

  totals = &self->totals;
  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder, muster_plan_mode_to_string (self->options.mode));
  json_builder_set_member_name (builder, "allowDelete");
  json_builder_add_boolean_value (builder, self->options.allow_delete);

  json_builder_set_member_name (builder, "totals");
  json_builder_begin_object (builder);
  add_count (builder, "create", totals->create);
  add_count (builder, "update", totals->update);
  add_count (builder, "disable", totals->disable);
  add_count (builder, "delete", totals->delete);
  add_count (builder, "unchanged", totals->unchanged);
  add_count (builder, "skipped", totals->skipped);
  add_count (builder, "groupsCreate", totals->groups_create);
  add_count (builder, "membersAdd", totals->members_add);
  add_count (builder, "membersRemove", totals->members_remove);
  json_builder_end_object (builder);

  add_count (builder, "targetUsers", self->target_user_count);

  json_builder_set_member_name (builder, "users");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->items->len; i++)
    {
      const MusterPlanItem *item = self->items->pdata[i];

      json_builder_begin_object (builder);
      add_nullable (builder, "id", item->id);
      add_nullable (builder, "userPrincipalName", item->user_principal_name);
      add_nullable (builder, "displayName", item->display_name);
      add_nullable (builder, "action", muster_plan_action_to_string (item->action));
      add_nullable (builder, "reason", item->reason);
      json_builder_set_member_name (builder, "changes");
      json_builder_begin_array (builder);
      for (guint c = 0; c < item->changes->len; c++)
        add_change_json (builder, item->changes->pdata[c]);
      json_builder_end_array (builder);
      add_nullable (builder, "userType", muster_user_type_to_string (item->user_type));
      json_builder_set_member_name (builder, "roles");
      json_builder_begin_array (builder);
      for (guint r = 0; item->roles != NULL && item->roles[r] != NULL; r++)
        json_builder_add_string_value (builder, item->roles[r]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "explanation");
      json_builder_begin_array (builder);
      for (guint s = 0; s < item->explanation->len; s++)
        json_builder_add_string_value (builder, item->explanation->pdata[s]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "groups");
  json_builder_begin_array (builder);
  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *operations = pass == 0 ? self->group_creates : self->member_ops;

      for (guint i = 0; i < operations->len; i++)
        {
          const MusterOperation *operation = operations->pdata[i];
          const MusterPlanItem *item = operation->member_external_id != NULL
                                       ? (MusterPlanItem *) find_item (self, operation->member_external_id) : NULL;

          json_builder_begin_object (builder);
          add_nullable (builder, "action", muster_operation_kind_to_string (operation->kind));
          add_nullable (builder, "group", operation->group->display_name);
          add_nullable (builder, "groupId", operation->group->external_id);
          if (operation->member_external_id != NULL)
            {
              add_nullable (builder, "user", operation->member_external_id);
              add_nullable (builder, "userPrincipalName", item != NULL ? item->user_principal_name : NULL);
            }
          json_builder_end_object (builder);
        }
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "warnings");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->warnings->len; i++)
    json_builder_add_string_value (builder, self->warnings->pdata[i]);
  json_builder_end_array (builder);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
