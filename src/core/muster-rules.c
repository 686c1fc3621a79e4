/* muster-rules.c: a profile's sync rules and their file
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules' setters and getters, the field sources and loading and saving the rules file of a
 * profile. Their JSON form is muster-rules-json.c's; resolving them against a snapshot is
 * muster-rules-resolver.c's.
 */

#define G_LOG_DOMAIN "muster-rules"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "muster-profile-store.h"
#include "muster-rules-private.h"
#include "muster-snapshot-private.h"
#include "muster-target.h"

G_DEFINE_FINAL_TYPE (MusterRules, muster_rules, G_TYPE_OBJECT)
G_DEFINE_QUARK (muster-rules-error-quark, muster_rules_error)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The Graph fields a mapping reads, in muster_rules_field_sources() order. */
enum
{
  SOURCE_DISPLAY_NAME,
  SOURCE_GIVEN_NAME,
  SOURCE_SURNAME,
  SOURCE_EMAIL,
  SOURCE_USER_PRINCIPAL_NAME,
  SOURCE_MAIL,
  SOURCE_JOB_TITLE,
  SOURCE_DEPARTMENT,
  SOURCE_COMPANY_NAME,
  SOURCE_MANAGER,
  SOURCE_EMPLOYEE_ID,
  SOURCE_MOBILE_PHONE,
  SOURCE_BUSINESS_PHONE,
  SOURCE_OFFICE_LOCATION,
  N_SOURCES
};

static const char * const field_sources[N_SOURCES + 1] = {
  "displayName", "givenName", "surname", "email", "userPrincipalName", "mail", "jobTitle",
  "department", "companyName", "manager", "employeeId", "mobilePhone", "businessPhone",
  "officeLocation", NULL
};

static const struct
{
  const char *source;
  const char *attribute;
} default_field_mapping[] = {
  { "displayName", MUSTER_ATTR_DISPLAY_NAME },
  { "givenName", MUSTER_ATTR_GIVEN_NAME },
  { "surname", MUSTER_ATTR_FAMILY_NAME },
  { "email", MUSTER_ATTR_EMAIL },
  { "jobTitle", MUSTER_ATTR_TITLE },
  { "department", MUSTER_ATTR_DEPARTMENT },
  { "manager", MUSTER_ATTR_MANAGER },
  { "employeeId", MUSTER_ATTR_EMPLOYEE_NUMBER },
  { "mobilePhone", MUSTER_ATTR_MOBILE_PHONE },
  { "officeLocation", MUSTER_ATTR_OFFICE_LOCATION },
};

/* Helpers ------------------------------------------------------------------------------------ */

static void
emit_changed (MusterRules *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Roles are kept sorted, without duplicates or empty strings, as MusterTargetUser keeps them. */
char **
_muster_rules_normalize_roles (const char * const *roles)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; roles != NULL && roles[i] != NULL; i++)
    {
      g_autofree char *role = g_strstrip (g_strdup (roles[i]));

      if (*role != '\0')
        g_ptr_array_add (kept, g_steal_pointer (&role));
    }
  g_ptr_array_sort (kept, compare_strings);
  for (guint i = 1; i < kept->len;)
    {
      if (g_str_equal (kept->pdata[i - 1], kept->pdata[i]))
        g_ptr_array_remove_index (kept, i);
      else
        i++;
    }
  g_ptr_array_add (kept, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&kept), FALSE);
}

static char **
dup_strv_or_null (const char * const *strv)
{
  if (strv == NULL || strv[0] == NULL)
    return NULL;
  return g_strdupv ((char **) strv);
}

static gboolean
strv_equal0 (const char * const *a,
             const char * const *b)
{
  if (a == NULL || b == NULL)
    return (a == NULL || a[0] == NULL) && (b == NULL || b[0] == NULL);
  return g_strv_equal (a, b);
}

void
_muster_rules_group_rule_free (MusterGroupRule *rule)
{
  g_free (rule->group);
  g_strfreev (rule->roles);
  g_free (rule);
}

void
_muster_rules_user_override_free (MusterUserOverride *override)
{
  g_free (override->user_id);
  g_strfreev (override->roles);
  g_free (override);
}

void
_muster_rules_field_mapping_free (MusterFieldMapping *mapping)
{
  g_free (mapping->source);
  g_free (mapping->attribute);
  g_free (mapping);
}

static void
group_mapping_free (MusterGroupMapping *mapping)
{
  g_free (mapping->group);
  g_free (mapping->target_group);
  g_free (mapping);
}

MusterFieldMapping *
_muster_rules_field_mapping_new (const char *source,
                                 const char *attribute)
{
  MusterFieldMapping *mapping = g_new0 (MusterFieldMapping, 1);

  mapping->source = g_strdup (source);
  mapping->attribute = g_strdup (attribute);
  return mapping;
}

int
_muster_rules_find_group_rule (MusterRules *self,
                               const char  *group)
{
  for (guint i = 0; i < self->group_rules->len; i++)
    if (g_str_equal (((MusterGroupRule *) self->group_rules->pdata[i])->group, group))
      return i;
  return -1;
}

int
_muster_rules_find_group_mapping (MusterRules *self,
                                  const char  *group)
{
  for (guint i = 0; i < self->group_mapping->len; i++)
    if (g_str_equal (((MusterGroupMapping *) self->group_mapping->pdata[i])->group, group))
      return i;
  return -1;
}

/* The position of @user_id in the sorted overrides, or where it would go (*@found FALSE). */
guint
_muster_rules_find_override (MusterRules *self,
                             const char  *user_id,
                             gboolean    *found)
{
  guint low = 0, high = self->overrides->len;

  while (low < high)
    {
      guint mid = (low + high) / 2;
      int cmp = strcmp (((MusterUserOverride *) self->overrides->pdata[mid])->user_id, user_id);

      if (cmp == 0)
        {
          *found = TRUE;
          return mid;
        }
      if (cmp < 0)
        low = mid + 1;
      else
        high = mid;
    }
  *found = FALSE;
  return low;
}

/* Files -------------------------------------------------------------------------------------- */

static gboolean
check_profile (const char  *profile,
               GError     **error)
{
  if (!muster_profile_name_is_valid (profile))
    {
      g_set_error (error, MUSTER_PROFILE_ERROR, MUSTER_PROFILE_ERROR_INVALID,
                   _("“%s” is not a profile name"), profile != NULL ? profile : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_rules_file (const char  *profile,
                  const char  *data,
                  gsize        length,
                  GError     **error)
{
  g_autofree char *path = muster_rules_get_path (profile);
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  return g_file_set_contents_full (path, data, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  MusterRules *rules = muster_rules_load (task_data, &error);

  if (rules == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rules, g_object_unref);
}

typedef struct
{
  char  *profile;
  char  *data;
  gsize  length;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->profile);
  g_free (data->data);
  g_free (data);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *data = task_data;
  GError *error = NULL;

  if (write_rules_file (data->profile, data->data, data->length, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Overrides ---------------------------------------------------------------------------------- */

static void
muster_rules_finalize (GObject *object)
{
  MusterRules *self = MUSTER_RULES (object);

  g_strfreev (self->groups);
  g_strfreev (self->deny_list);
  g_free (self->search);
  g_strfreev (self->default_roles);
  g_ptr_array_unref (self->group_rules);
  g_ptr_array_unref (self->overrides);
  g_ptr_array_unref (self->field_mapping);
  g_ptr_array_unref (self->group_mapping);

  G_OBJECT_CLASS (muster_rules_parent_class)->finalize (object);
}

static void
muster_rules_class_init (MusterRulesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_rules_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
muster_rules_init (MusterRules *self)
{
  self->group_kind = -1;
  self->email_method = MUSTER_EMAIL_METHOD_MAIL_OR_UPN;
  self->default_type = MUSTER_USER_TYPE_USER;
  self->default_roles = g_new0 (char *, 1);
  self->group_rules = g_ptr_array_new_with_free_func ((GDestroyNotify) _muster_rules_group_rule_free);
  self->overrides = g_ptr_array_new_with_free_func ((GDestroyNotify) _muster_rules_user_override_free);
  self->field_mapping = g_ptr_array_new_with_free_func ((GDestroyNotify) _muster_rules_field_mapping_free);
  self->group_mapping = g_ptr_array_new_with_free_func ((GDestroyNotify) group_mapping_free);
  self->limit_count = MUSTER_RULES_DEFAULT_SAFETY_COUNT;
  self->limit_percent = MUSTER_RULES_DEFAULT_SAFETY_PERCENT;

  for (guint i = 0; i < G_N_ELEMENTS (default_field_mapping); i++)
    g_ptr_array_add (self->field_mapping, _muster_rules_field_mapping_new (default_field_mapping[i].source,
                                                                           default_field_mapping[i].attribute));
}

/* Public API --------------------------------------------------------------------------------- */

MusterRules *
muster_rules_new (void)
{
  return g_object_new (MUSTER_TYPE_RULES, NULL);
}

MusterRules *
muster_rules_copy (MusterRules *self)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  MusterRules *copy;

  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);

  node = muster_rules_to_json (self);
  copy = muster_rules_new_from_json (node, &error);
  g_assert_no_error (error);
  return copy;
}

char *
muster_rules_get_path (const char *profile)
{
  g_autofree char *dir = muster_get_data_dir ();
  g_autofree char *name = g_strconcat (profile, ".json", NULL);

  g_return_val_if_fail (profile != NULL, NULL);
  return g_build_filename (dir, "rules", name, NULL);
}

MusterRules *
muster_rules_load (const char  *profile,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_autofree char *display = NULL;
  MusterRules *rules;
  gsize length;

  if (!check_profile (profile, error))
    return NULL;

  path = muster_rules_get_path (profile);
  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return muster_rules_new ();
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  rules = muster_rules_new_from_data (data, length, &local_error);
  if (rules == NULL)
    {
      display = g_filename_display_name (path);
      g_set_error (error, MUSTER_RULES_ERROR, local_error->code,
                   _("The rules file “%s” cannot be used: %s"), display, local_error->message);
      return NULL;
    }
  return rules;
}

gboolean
muster_rules_save (MusterRules  *self,
                   const char   *profile,
                   GError      **error)
{
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);

  if (!check_profile (profile, error))
    return FALSE;
  data = muster_rules_to_data (self, &length);
  return write_rules_file (profile, data, length, error);
}

void
muster_rules_load_async (const char          *profile,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, muster_rules_load_async);
  g_task_set_task_data (task, g_strdup (profile), g_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_thread);
}

MusterRules *
muster_rules_load_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
muster_rules_save_async (MusterRules         *self,
                         const char          *profile,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  SaveData *data;

  g_return_if_fail (MUSTER_IS_RULES (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_rules_save_async);
  if (!check_profile (profile, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Serialised here, so changes made while the thread writes belong to the next save. */
  data = g_new0 (SaveData, 1);
  data->profile = g_strdup (profile);
  data->data = muster_rules_to_data (self, &data->length);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
muster_rules_save_finish (MusterRules   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

MusterUserFilter *
muster_rules_build_filter (MusterRules *self)
{
  MusterUserFilter *filter;

  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);

  filter = muster_user_filter_new ();
  muster_user_filter_set_groups (filter, (const char * const *) self->groups);
  muster_user_filter_set_nested (filter, self->nested);
  muster_user_filter_set_group_kind (filter, self->group_kind);
  muster_user_filter_set_exclude_unlicensed (filter, self->exclude_unlicensed);
  muster_user_filter_set_exclude_disabled (filter, self->exclude_disabled);
  muster_user_filter_set_exclude_guests (filter, self->exclude_guests);
  muster_user_filter_set_deny_list (filter, (const char * const *) self->deny_list);
  muster_user_filter_set_search (filter, self->search);
  muster_user_filter_set_email_method (filter, self->email_method);
  return filter;
}

void
muster_rules_set_filter (MusterRules      *self,
                         MusterUserFilter *filter)
{
  g_auto(GStrv) deny = NULL;
  g_autofree char *search = NULL;
  gboolean nested, unlicensed, disabled, guests;
  int kind;

  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (MUSTER_IS_USER_FILTER (filter));

  g_object_get (filter, "nested", &nested, "group-kind", &kind, "exclude-unlicensed", &unlicensed,
                "exclude-disabled", &disabled, "exclude-guests", &guests, "deny-list", &deny,
                "search", &search, NULL);
  g_strfreev (self->groups);
  self->groups = dup_strv_or_null (muster_user_filter_get_groups (filter));
  self->nested = nested;
  self->group_kind = kind;
  self->exclude_unlicensed = unlicensed;
  self->exclude_disabled = disabled;
  self->exclude_guests = guests;
  g_strfreev (self->deny_list);
  self->deny_list = dup_strv_or_null ((const char * const *) deny);
  g_free (self->search);
  self->search = g_steal_pointer (&search);
  self->email_method = muster_user_filter_get_email_method (filter);
  emit_changed (self);
}

#define DEFINE_BOOL(name, field)                                        \
  void                                                                  \
  muster_rules_set_##name (MusterRules *self,                           \
                           gboolean     value)                          \
  {                                                                     \
    g_return_if_fail (MUSTER_IS_RULES (self));                          \
    if (self->field == !!value)                                         \
      return;                                                           \
    self->field = !!value;                                              \
    emit_changed (self);                                                \
  }                                                                     \
  gboolean                                                              \
  muster_rules_get_##name (MusterRules *self)                           \
  {                                                                     \
    g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);               \
    return self->field;                                                 \
  }

DEFINE_BOOL (nested, nested)
DEFINE_BOOL (exclude_unlicensed, exclude_unlicensed)
DEFINE_BOOL (exclude_disabled, exclude_disabled)
DEFINE_BOOL (exclude_guests, exclude_guests)
DEFINE_BOOL (only_new, only_new)

#undef DEFINE_BOOL

void
muster_rules_set_groups (MusterRules        *self,
                         const char * const *groups)
{
  g_return_if_fail (MUSTER_IS_RULES (self));

  if (strv_equal0 ((const char * const *) self->groups, groups))
    return;
  g_strfreev (self->groups);
  self->groups = dup_strv_or_null (groups);
  emit_changed (self);
}

const char * const *
muster_rules_get_groups (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return (const char * const *) self->groups;
}

void
muster_rules_set_group_kind (MusterRules *self,
                             int          kind)
{
  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (kind >= -1 && kind <= MUSTER_GROUP_KIND_DISTRIBUTION);

  if (self->group_kind == kind)
    return;
  self->group_kind = kind;
  emit_changed (self);
}

int
muster_rules_get_group_kind (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), -1);
  return self->group_kind;
}

void
muster_rules_set_deny_list (MusterRules        *self,
                            const char * const *entries)
{
  g_return_if_fail (MUSTER_IS_RULES (self));

  if (strv_equal0 ((const char * const *) self->deny_list, entries))
    return;
  g_strfreev (self->deny_list);
  self->deny_list = dup_strv_or_null (entries);
  emit_changed (self);
}

const char * const *
muster_rules_get_deny_list (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return (const char * const *) self->deny_list;
}

void
muster_rules_set_search (MusterRules *self,
                         const char  *search)
{
  g_return_if_fail (MUSTER_IS_RULES (self));

  if (search != NULL && *search == '\0')
    search = NULL;
  if (g_strcmp0 (self->search, search) == 0)
    return;
  g_free (self->search);
  self->search = g_strdup (search);
  emit_changed (self);
}

const char *
muster_rules_get_search (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return self->search;
}

void
muster_rules_set_email_method (MusterRules       *self,
                               MusterEmailMethod  method)
{
  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (method <= MUSTER_EMAIL_METHOD_MAIL_OR_UPN);

  if (self->email_method == method)
    return;
  self->email_method = method;
  emit_changed (self);
}

MusterEmailMethod
muster_rules_get_email_method (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), MUSTER_EMAIL_METHOD_MAIL_OR_UPN);
  return self->email_method;
}

void
muster_rules_set_default_user_type (MusterRules    *self,
                                    MusterUserType  type)
{
  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail ((guint) type < MUSTER_N_USER_TYPES);

  if (self->default_type == type)
    return;
  self->default_type = type;
  emit_changed (self);
}

MusterUserType
muster_rules_get_default_user_type (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), MUSTER_USER_TYPE_USER);
  return self->default_type;
}

void
muster_rules_set_default_roles (MusterRules        *self,
                                const char * const *roles)
{
  g_auto(GStrv) normal = _muster_rules_normalize_roles (roles);

  g_return_if_fail (MUSTER_IS_RULES (self));

  if (g_strv_equal ((const char * const *) self->default_roles, (const char * const *) normal))
    return;
  g_strfreev (self->default_roles);
  self->default_roles = g_steal_pointer (&normal);
  emit_changed (self);
}

const char * const *
muster_rules_get_default_roles (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return (const char * const *) self->default_roles;
}

GPtrArray *
muster_rules_get_group_rules (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return self->group_rules;
}

const MusterGroupRule *
muster_rules_lookup_group_rule (MusterRules *self,
                                const char  *group)
{
  int index;

  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  g_return_val_if_fail (group != NULL, NULL);

  index = _muster_rules_find_group_rule (self, group);
  return index >= 0 ? self->group_rules->pdata[index] : NULL;
}

void
muster_rules_set_group_rule (MusterRules          *self,
                             const char           *group,
                             gboolean              nested,
                             const MusterUserType *user_type,
                             const char * const   *roles)
{
  MusterGroupRule *rule;
  int index;

  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (group != NULL && *group != '\0');
  g_return_if_fail (user_type == NULL || (guint) *user_type < MUSTER_N_USER_TYPES);

  index = _muster_rules_find_group_rule (self, group);
  if (index >= 0)
    rule = self->group_rules->pdata[index];
  else
    {
      rule = g_new0 (MusterGroupRule, 1);
      rule->group = g_strdup (group);
      g_ptr_array_add (self->group_rules, rule);
    }
  rule->nested = !!nested;
  rule->has_user_type = user_type != NULL;
  rule->user_type = user_type != NULL ? *user_type : MUSTER_USER_TYPE_USER;
  g_strfreev (rule->roles);
  rule->roles = _muster_rules_normalize_roles (roles);
  emit_changed (self);
}

gboolean
muster_rules_remove_group_rule (MusterRules *self,
                                const char  *group)
{
  int index;

  g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);
  g_return_val_if_fail (group != NULL, FALSE);

  index = _muster_rules_find_group_rule (self, group);
  if (index < 0)
    return FALSE;
  g_ptr_array_remove_index (self->group_rules, index);
  emit_changed (self);
  return TRUE;
}

GPtrArray *
muster_rules_get_user_overrides (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return self->overrides;
}

const MusterUserOverride *
muster_rules_lookup_user_override (MusterRules *self,
                                   const char  *user_id)
{
  gboolean found;
  guint position;

  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  position = _muster_rules_find_override (self, user_id, &found);
  return found ? self->overrides->pdata[position] : NULL;
}

void
muster_rules_set_user_override (MusterRules          *self,
                                const char           *user_id,
                                const MusterUserType *user_type,
                                const char * const   *roles,
                                MusterUserScope       scope)
{
  MusterUserOverride *override;
  gboolean found;
  guint position;

  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (user_id != NULL && *user_id != '\0');
  g_return_if_fail (user_type == NULL || (guint) *user_type < MUSTER_N_USER_TYPES);
  g_return_if_fail (scope <= MUSTER_USER_SCOPE_ALWAYS_EXCLUDE);

  position = _muster_rules_find_override (self, user_id, &found);
  if (found)
    override = self->overrides->pdata[position];
  else
    {
      override = g_new0 (MusterUserOverride, 1);
      override->user_id = g_strdup (user_id);
      g_ptr_array_insert (self->overrides, position, override);
    }
  override->has_user_type = user_type != NULL;
  override->user_type = user_type != NULL ? *user_type : MUSTER_USER_TYPE_USER;
  g_strfreev (override->roles);
  override->roles = roles != NULL ? _muster_rules_normalize_roles (roles) : NULL;
  override->scope = scope;
  emit_changed (self);
}

gboolean
muster_rules_remove_user_override (MusterRules *self,
                                   const char  *user_id)
{
  gboolean found;
  guint position;

  g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);
  g_return_val_if_fail (user_id != NULL, FALSE);

  position = _muster_rules_find_override (self, user_id, &found);
  if (!found)
    return FALSE;
  g_ptr_array_remove_index (self->overrides, position);
  emit_changed (self);
  return TRUE;
}

const char * const *
muster_rules_field_sources (void)
{
  return field_sources;
}

int
_muster_rules_field_source_index (const char *source)
{
  for (int i = 0; i < N_SOURCES; i++)
    if (g_strcmp0 (field_sources[i], source) == 0)
      return i;
  return -1;
}

const char *
_muster_rules_field_source_value (int                index,
                                  MusterUser        *user,
                                  MusterEmailMethod  method)
{
  switch (index)
    {
    case SOURCE_DISPLAY_NAME:
      return muster_user_get_display_name (user);
    case SOURCE_GIVEN_NAME:
      return muster_user_get_given_name (user);
    case SOURCE_SURNAME:
      return muster_user_get_surname (user);
    case SOURCE_EMAIL:
      return muster_user_get_email (user, method);
    case SOURCE_USER_PRINCIPAL_NAME:
      return muster_user_get_user_principal_name (user);
    case SOURCE_MAIL:
      return muster_user_get_mail (user);
    case SOURCE_JOB_TITLE:
      return muster_user_get_job_title (user);
    case SOURCE_DEPARTMENT:
      return muster_user_get_department (user);
    case SOURCE_COMPANY_NAME:
      return muster_user_get_company_name (user);
    case SOURCE_MANAGER:
      return muster_user_get_manager_id (user);
    case SOURCE_EMPLOYEE_ID:
      return muster_user_get_employee_id (user);
    case SOURCE_MOBILE_PHONE:
      return muster_user_get_mobile_phone (user);
    case SOURCE_BUSINESS_PHONE:
      {
        const char * const *phones = muster_user_get_business_phones (user);
        return phones != NULL ? phones[0] : NULL;
      }
    case SOURCE_OFFICE_LOCATION:
      return muster_user_get_office_location (user);
    default:
      g_return_val_if_reached (NULL);
    }
}

GPtrArray *
muster_rules_get_field_mapping (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return self->field_mapping;
}

gboolean
muster_rules_set_field_mapping (MusterRules               *self,
                                const MusterFieldMapping  *mappings,
                                guint                      n_mappings,
                                GError                   **error)
{
  g_autoptr(GPtrArray) kept =
    g_ptr_array_new_with_free_func ((GDestroyNotify) _muster_rules_field_mapping_free);

  g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);
  g_return_val_if_fail (mappings != NULL || n_mappings == 0, FALSE);

  for (guint i = 0; i < n_mappings; i++)
    {
      g_autofree char *path = g_strdup_printf ("fieldMapping[%u]", i);

      if (_muster_rules_field_source_index (mappings[i].source) < 0)
        {
          g_autofree char *where = _muster_rules_member_path (path, "source");
          return _muster_rules_invalid (error, where, _("“%s” is not a field Muster reads"), mappings[i].source);
        }
      if (!muster_target_attribute_is_valid (mappings[i].attribute))
        {
          g_autofree char *where = _muster_rules_member_path (path, "attribute");
          return _muster_rules_invalid (error, where, _("“%s” is not a target attribute"), mappings[i].attribute);
        }
      for (guint k = 0; k < kept->len; k++)
        if (g_str_equal (((MusterFieldMapping *) kept->pdata[k])->attribute, mappings[i].attribute))
          {
            g_autofree char *where = _muster_rules_member_path (path, "attribute");
            return _muster_rules_invalid (error, where, _("“%s” is already filled by fieldMapping[%u]"),
                                          mappings[i].attribute, k);
          }
      g_ptr_array_add (kept, _muster_rules_field_mapping_new (mappings[i].source, mappings[i].attribute));
    }
  g_ptr_array_unref (self->field_mapping);
  self->field_mapping = g_steal_pointer (&kept);
  emit_changed (self);
  return TRUE;
}

GPtrArray *
muster_rules_get_group_mapping (MusterRules *self)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), NULL);
  return self->group_mapping;
}

void
muster_rules_set_group_mapping (MusterRules *self,
                                const char  *group,
                                const char  *target_group,
                                gboolean     nested)
{
  MusterGroupMapping *mapping;
  int index;

  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (group != NULL && *group != '\0');
  g_return_if_fail (target_group != NULL && *target_group != '\0');

  index = _muster_rules_find_group_mapping (self, group);
  if (index >= 0)
    mapping = self->group_mapping->pdata[index];
  else
    {
      mapping = g_new0 (MusterGroupMapping, 1);
      mapping->group = g_strdup (group);
      g_ptr_array_add (self->group_mapping, mapping);
    }
  g_free (mapping->target_group);
  mapping->target_group = g_strdup (target_group);
  mapping->nested = !!nested;
  emit_changed (self);
}

gboolean
muster_rules_remove_group_mapping (MusterRules *self,
                                   const char  *group)
{
  int index;

  g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);
  g_return_val_if_fail (group != NULL, FALSE);

  index = _muster_rules_find_group_mapping (self, group);
  if (index < 0)
    return FALSE;
  g_ptr_array_remove_index (self->group_mapping, index);
  emit_changed (self);
  return TRUE;
}

gboolean
muster_rules_get_safety_limit (MusterRules *self,
                               guint       *count,
                               guint       *percent)
{
  g_return_val_if_fail (MUSTER_IS_RULES (self), FALSE);

  if (count != NULL)
    *count = self->limit_count;
  if (percent != NULL)
    *percent = self->limit_percent;
  return self->limit_count > 0 || self->limit_percent > 0;
}

void
muster_rules_set_safety_limit (MusterRules *self,
                               guint        count,
                               guint        percent)
{
  g_return_if_fail (MUSTER_IS_RULES (self));
  g_return_if_fail (percent <= 100);

  if (self->limit_count == count && self->limit_percent == percent)
    return;
  self->limit_count = count;
  self->limit_percent = percent;
  emit_changed (self);
}
