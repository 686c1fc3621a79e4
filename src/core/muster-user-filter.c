/* muster-user-filter.c: which users the admin is looking at
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-user-filter"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "muster-enums.h"
#include "muster-snapshot-private.h"
#include "muster-user-filter.h"
#include "muster-user-private.h"

/* muster_user_filter_match() runs once per row per keystroke over 100,000 users, so everything
 * it needs is prepared when a property changes: the search folded like each user's search key,
 * the deny list in two case-insensitive hash sets, and the selected groups resolved once per
 * snapshot to sorted positions. A match then allocates nothing. */
struct _MusterUserFilter
{
  GObject            parent_instance;

  char             **groups;
  gboolean           nested;
  int                group_kind;
  gboolean           exclude_unlicensed;
  gboolean           exclude_disabled;
  gboolean           exclude_guests;
  char             **deny_list;
  GHashTable        *deny_addresses;  /* "ann@contoso.com", ASCII case-insensitive */
  GHashTable        *deny_domains;    /* "@contoso.com", likewise */
  char              *search;
  char              *search_folded;   /* NULL when there is nothing to search for */
  MusterEmailMethod  email_method;

  GMutex             lock;            /* guards the resolution below */
  guint              resolved_serial; /* snapshot the groups were resolved against, 0 for none */
  GArray            *resolved_groups; /* guint32 positions, sorted */
};

typedef enum
{
  REASON_DENIED      = 1 << 0,
  REASON_GUEST       = 1 << 1,
  REASON_DISABLED    = 1 << 2,
  REASON_UNLICENSED  = 1 << 3,
  REASON_NO_EMAIL    = 1 << 4,
  REASON_NOT_IN_GROUPS = 1 << 5,
  REASON_NOT_IN_KIND = 1 << 6,
  REASON_NO_MATCH    = 1 << 7,
} Reason;

G_DEFINE_FINAL_TYPE (MusterUserFilter, muster_user_filter, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_GROUPS,
  PROP_NESTED,
  PROP_GROUP_KIND,
  PROP_EXCLUDE_UNLICENSED,
  PROP_EXCLUDE_DISABLED,
  PROP_EXCLUDE_GUESTS,
  PROP_DENY_LIST,
  PROP_SEARCH,
  PROP_EMAIL_METHOD,
  N_PROPS
};

enum
{
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Helpers ------------------------------------------------------------------------------------ */

/* Addresses are compared ignoring ASCII case: Entra ID user principal names are ASCII, and mail
 * domains are case-insensitive (RFC 5321 §2.4). */
static guint
ascii_case_hash (gconstpointer key)
{
  guint hash = 5381;

  for (const char *p = key; *p; p++)
    hash = (hash << 5) + hash + (guchar) g_ascii_tolower (*p);
  return hash;
}

static gboolean
ascii_case_equal (gconstpointer a,
                  gconstpointer b)
{
  return g_ascii_strcasecmp (a, b) == 0;
}

static void
emit_changed (MusterUserFilter *self,
              guint             prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  g_signal_emit (self, signals[CHANGED], 0);
}

static gboolean
is_denied (MusterUserFilter *self,
           const char       *address)
{
  const char *at;

  if (address == NULL || *address == '\0')
    return FALSE;
  if (g_hash_table_contains (self->deny_addresses, address))
    return TRUE;
  at = strrchr (address, '@');
  return at != NULL && g_hash_table_contains (self->deny_domains, at);
}

static gboolean
user_is_denied (MusterUserFilter *self,
                MusterUser       *user)
{
  const char * const *others;

  if (self->deny_list == NULL || self->deny_list[0] == NULL)
    return FALSE;
  if (is_denied (self, muster_user_get_user_principal_name (user)) ||
      is_denied (self, muster_user_get_mail (user)))
    return TRUE;
  others = muster_user_get_other_mails (user);
  for (gsize i = 0; others[i] != NULL; i++)
    if (is_denied (self, others[i]))
      return TRUE;
  return FALSE;
}

static int
compare_uint32 (gconstpointer a,
                gconstpointer b)
{
  guint32 ua = *(const guint32 *) a;
  guint32 ub = *(const guint32 *) b;

  return ua < ub ? -1 : ua > ub;
}

/* Called with the lock held. */
static void
resolve_groups (MusterUserFilter *self,
                MusterSnapshot   *snapshot)
{
  guint serial = _muster_snapshot_get_serial (snapshot);

  if (self->resolved_serial == serial)
    return;

  g_array_set_size (self->resolved_groups, 0);
  for (gsize i = 0; self->groups != NULL && self->groups[i] != NULL; i++)
    {
      guint index;

      if (_muster_snapshot_find_group_index (snapshot, self->groups[i], &index))
        {
          guint32 value = index;

          g_array_append_val (self->resolved_groups, value);
        }
    }
  g_array_sort (self->resolved_groups, compare_uint32);
  self->resolved_serial = serial;
}

static gboolean
in_selected_groups (MusterUserFilter *self,
                    MusterSnapshot   *snapshot,
                    MusterUser       *user)
{
  const guint32 *indices;
  guint n = 0;
  gboolean found = FALSE;

  indices = _muster_snapshot_get_user_group_indices (snapshot, user, self->nested, &n);

  g_mutex_lock (&self->lock);
  resolve_groups (self, snapshot);
  for (guint i = 0; i < self->resolved_groups->len && !found; i++)
    found = bsearch (&g_array_index (self->resolved_groups, guint32, i), indices, n,
                     sizeof (guint32), compare_uint32) != NULL;
  g_mutex_unlock (&self->lock);

  return found;
}

static gboolean
in_group_of_kind (MusterUserFilter *self,
                  MusterSnapshot   *snapshot,
                  MusterUser       *user)
{
  const guint32 *indices;
  guint n = 0;

  indices = _muster_snapshot_get_user_group_indices (snapshot, user, self->nested, &n);
  for (guint i = 0; i < n; i++)
    if ((int) muster_group_get_kind (_muster_snapshot_get_group_at (snapshot, indices[i])) == self->group_kind)
      return TRUE;
  return FALSE;
}

/* Every reason @user fails, or only the first when @all is FALSE (0 when it passes). */
static guint
find_reasons (MusterUserFilter *self,
              MusterSnapshot   *snapshot,
              MusterUser       *user,
              gboolean          all)
{
  guint reasons = 0;
  const char *email;

#define FAIL(reason) G_STMT_START { reasons |= (reason); if (!all) return reasons; } G_STMT_END

  if (self->exclude_guests && muster_user_is_guest (user))
    FAIL (REASON_GUEST);
  if (self->exclude_disabled && !muster_user_get_account_enabled (user))
    FAIL (REASON_DISABLED);
  if (self->exclude_unlicensed && !muster_user_is_licensed (user))
    FAIL (REASON_UNLICENSED);

  email = muster_user_get_email (user, self->email_method);
  if (email == NULL || *email == '\0')
    FAIL (REASON_NO_EMAIL);

  if (user_is_denied (self, user))
    FAIL (REASON_DENIED);

  if (self->groups != NULL && self->groups[0] != NULL &&
      (snapshot == NULL || !in_selected_groups (self, snapshot, user)))
    FAIL (REASON_NOT_IN_GROUPS);

  if (self->group_kind >= 0 && (snapshot == NULL || !in_group_of_kind (self, snapshot, user)))
    FAIL (REASON_NOT_IN_KIND);

  if (self->search_folded != NULL && strstr (_muster_user_get_search_key (user), self->search_folded) == NULL)
    FAIL (REASON_NO_MATCH);

#undef FAIL

  return reasons;
}

static const char *
email_method_title (MusterEmailMethod method)
{
  switch (method)
    {
    case MUSTER_EMAIL_METHOD_UPN:
      return _("user principal name");
    case MUSTER_EMAIL_METHOD_MAIL:
      return _("mail");
    case MUSTER_EMAIL_METHOD_MAIL_OR_UPN:
      return _("mail, else user principal name");
    default:
      g_return_val_if_reached (NULL);
    }
}

/* One deny-list line or CSV row: the first field, unquoted and trimmed. */
static char *
first_field (const char *line)
{
  GString *field = g_string_new (NULL);
  const char *p = line;

  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '"')
    {
      /* RFC 4180 quoted field: "" is a quote. */
      for (p++; *p; p++)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, *p++);
          else if (*p == '"')
            break;
          else
            g_string_append_c (field, *p);
        }
    }
  else
    {
      for (; *p && *p != ',' && *p != ';' && *p != '\t'; p++)
        g_string_append_c (field, *p);
    }
  return g_strstrip (g_string_free (field, FALSE));
}

/* Overrides ---------------------------------------------------------------------------------- */

static void
muster_user_filter_finalize (GObject *object)
{
  MusterUserFilter *self = MUSTER_USER_FILTER (object);

  g_strfreev (self->groups);
  g_strfreev (self->deny_list);
  g_hash_table_unref (self->deny_addresses);
  g_hash_table_unref (self->deny_domains);
  g_free (self->search);
  g_free (self->search_folded);
  g_array_unref (self->resolved_groups);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (muster_user_filter_parent_class)->finalize (object);
}

static void
muster_user_filter_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MusterUserFilter *self = MUSTER_USER_FILTER (object);

  switch (prop_id)
    {
    case PROP_GROUPS:
      g_value_set_boxed (value, self->groups);
      break;
    case PROP_NESTED:
      g_value_set_boolean (value, self->nested);
      break;
    case PROP_GROUP_KIND:
      g_value_set_int (value, self->group_kind);
      break;
    case PROP_EXCLUDE_UNLICENSED:
      g_value_set_boolean (value, self->exclude_unlicensed);
      break;
    case PROP_EXCLUDE_DISABLED:
      g_value_set_boolean (value, self->exclude_disabled);
      break;
    case PROP_EXCLUDE_GUESTS:
      g_value_set_boolean (value, self->exclude_guests);
      break;
    case PROP_DENY_LIST:
      g_value_set_boxed (value, self->deny_list);
      break;
    case PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;
    case PROP_EMAIL_METHOD:
      g_value_set_enum (value, self->email_method);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_user_filter_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MusterUserFilter *self = MUSTER_USER_FILTER (object);

  switch (prop_id)
    {
    case PROP_GROUPS:
      muster_user_filter_set_groups (self, g_value_get_boxed (value));
      break;
    case PROP_NESTED:
      muster_user_filter_set_nested (self, g_value_get_boolean (value));
      break;
    case PROP_GROUP_KIND:
      muster_user_filter_set_group_kind (self, g_value_get_int (value));
      break;
    case PROP_EXCLUDE_UNLICENSED:
      muster_user_filter_set_exclude_unlicensed (self, g_value_get_boolean (value));
      break;
    case PROP_EXCLUDE_DISABLED:
      muster_user_filter_set_exclude_disabled (self, g_value_get_boolean (value));
      break;
    case PROP_EXCLUDE_GUESTS:
      muster_user_filter_set_exclude_guests (self, g_value_get_boolean (value));
      break;
    case PROP_DENY_LIST:
      muster_user_filter_set_deny_list (self, g_value_get_boxed (value));
      break;
    case PROP_SEARCH:
      muster_user_filter_set_search (self, g_value_get_string (value));
      break;
    case PROP_EMAIL_METHOD:
      muster_user_filter_set_email_method (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_user_filter_class_init (MusterUserFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = muster_user_filter_finalize;
  object_class->get_property = muster_user_filter_get_property;
  object_class->set_property = muster_user_filter_set_property;

  properties[PROP_GROUPS] = g_param_spec_boxed ("groups", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_NESTED] = g_param_spec_boolean ("nested", NULL, NULL, FALSE, flags);
  properties[PROP_GROUP_KIND] = g_param_spec_int ("group-kind", NULL, NULL,
                                                  -1, MUSTER_GROUP_KIND_DISTRIBUTION, -1, flags);
  properties[PROP_EXCLUDE_UNLICENSED] = g_param_spec_boolean ("exclude-unlicensed", NULL, NULL, FALSE, flags);
  properties[PROP_EXCLUDE_DISABLED] = g_param_spec_boolean ("exclude-disabled", NULL, NULL, FALSE, flags);
  properties[PROP_EXCLUDE_GUESTS] = g_param_spec_boolean ("exclude-guests", NULL, NULL, FALSE, flags);
  properties[PROP_DENY_LIST] = g_param_spec_boxed ("deny-list", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_SEARCH] = g_param_spec_string ("search", NULL, NULL, NULL, flags);
  properties[PROP_EMAIL_METHOD] = g_param_spec_enum ("email-method", NULL, NULL, MUSTER_TYPE_EMAIL_METHOD,
                                                     MUSTER_EMAIL_METHOD_MAIL_OR_UPN, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Once per change of any property, so a GtkCustomFilter re-runs once. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
muster_user_filter_init (MusterUserFilter *self)
{
  self->group_kind = -1;
  self->email_method = MUSTER_EMAIL_METHOD_MAIL_OR_UPN;
  self->deny_addresses = g_hash_table_new_full (ascii_case_hash, ascii_case_equal, g_free, NULL);
  self->deny_domains = g_hash_table_new_full (ascii_case_hash, ascii_case_equal, g_free, NULL);
  self->resolved_groups = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_mutex_init (&self->lock);
}

/* Public API --------------------------------------------------------------------------------- */

MusterUserFilter *
muster_user_filter_new (void)
{
  return g_object_new (MUSTER_TYPE_USER_FILTER, NULL);
}

void
muster_user_filter_set_groups (MusterUserFilter   *self,
                               const char * const *groups)
{
  g_return_if_fail (MUSTER_IS_USER_FILTER (self));

  if (groups != NULL && groups[0] == NULL)
    groups = NULL;
  if (self->groups == NULL && groups == NULL)
    return;
  if (self->groups != NULL && groups != NULL && g_strv_equal ((const char * const *) self->groups, groups))
    return;

  g_mutex_lock (&self->lock);
  g_strfreev (self->groups);
  self->groups = g_strdupv ((char **) groups);
  self->resolved_serial = 0;
  g_mutex_unlock (&self->lock);

  emit_changed (self, PROP_GROUPS);
}

const char * const *
muster_user_filter_get_groups (MusterUserFilter *self)
{
  g_return_val_if_fail (MUSTER_IS_USER_FILTER (self), NULL);
  return (const char * const *) self->groups;
}

void
muster_user_filter_set_nested (MusterUserFilter *self,
                               gboolean          nested)
{
  g_return_if_fail (MUSTER_IS_USER_FILTER (self));

  nested = !!nested;
  if (self->nested == nested)
    return;
  self->nested = nested;
  emit_changed (self, PROP_NESTED);
}

void
muster_user_filter_set_group_kind (MusterUserFilter *self,
                                   int               kind)
{
  g_return_if_fail (MUSTER_IS_USER_FILTER (self));
  g_return_if_fail (kind >= -1 && kind <= MUSTER_GROUP_KIND_DISTRIBUTION);

  if (self->group_kind == kind)
    return;
  self->group_kind = kind;
  emit_changed (self, PROP_GROUP_KIND);
}

void
muster_user_filter_set_exclude_unlicensed (MusterUserFilter *self,
                                           gboolean          exclude)
{
  g_return_if_fail (MUSTER_IS_USER_FILTER (self));

  exclude = !!exclude;
  if (self->exclude_unlicensed == exclude)
    return;
  self->exclude_unlicensed = exclude;
  emit_changed (self, PROP_EXCLUDE_UNLICENSED);
}

void
muster_user_filter_set_exclude_disabled (MusterUserFilter *self,
                                         gboolean          exclude)
{
  g_return_if_fail (MUSTER_IS_USER_FILTER (self));

  exclude = !!exclude;
  if (self->exclude_disabled == exclude)
    return;
  self->exclude_disabled = exclude;
  emit_changed (self, PROP_EXCLUDE_DISABLED);
}

void
muster_user_filter_set_exclude_guests (MusterUserFilter *self,
                                       gboolean          exclude)
{
  g_return_if_fail (MUSTER_IS_USER_FILTER (self));

  exclude = !!exclude;
  if (self->exclude_guests == exclude)
    return;
  self->exclude_guests = exclude;
  emit_changed (self, PROP_EXCLUDE_GUESTS);
}

/**
 * muster_user_filter_set_deny_list:
 * @entries: exact addresses ("ann@contoso.com") or whole domains ("@contoso.com"); an entry
 *   without "@" ("contoso.com") is taken as a domain too, the way an admin would mean it
 */
void
muster_user_filter_set_deny_list (MusterUserFilter   *self,
                                  const char * const *entries)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);

  g_return_if_fail (MUSTER_IS_USER_FILTER (self));

  for (gsize i = 0; entries != NULL && entries[i] != NULL; i++)
    {
      char *entry = g_strstrip (g_strdup (entries[i]));

      if (*entry == '\0')
        g_free (entry);
      else
        g_ptr_array_add (kept, entry);
    }
  g_ptr_array_add (kept, NULL);

  if (self->deny_list == NULL && kept->len == 1)
    return;
  if (self->deny_list != NULL && g_strv_equal ((const char * const *) self->deny_list,
                                               (const char * const *) kept->pdata))
    return;

  g_strfreev (self->deny_list);
  self->deny_list = kept->len > 1 ? (char **) g_ptr_array_free (g_steal_pointer (&kept), FALSE) : NULL;

  g_hash_table_remove_all (self->deny_addresses);
  g_hash_table_remove_all (self->deny_domains);
  for (gsize i = 0; self->deny_list != NULL && self->deny_list[i] != NULL; i++)
    {
      const char *entry = self->deny_list[i];

      if (entry[0] == '@')
        g_hash_table_add (self->deny_domains, g_strdup (entry));
      else if (strchr (entry, '@') != NULL)
        g_hash_table_add (self->deny_addresses, g_strdup (entry));
      else
        g_hash_table_add (self->deny_domains, g_strconcat ("@", entry, NULL));
    }

  emit_changed (self, PROP_DENY_LIST);
}

gboolean
muster_user_filter_load_deny_file (MusterUserFilter  *self,
                                   const char        *path,
                                   GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *contents = NULL;
  g_autofree char *display = NULL;
  g_auto(GStrv) lines = NULL;
  const char *text;
  gsize length = 0;
  gboolean first = TRUE;

  g_return_val_if_fail (MUSTER_IS_USER_FILTER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  display = g_filename_display_name (path);
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_file_error (local_error->code),
                   _("The deny list “%s” cannot be read: %s. Choose a text or CSV file with one address or @domain per line."),
                   display, local_error->message);
      return FALSE;
    }
  if (memchr (contents, '\0', length) != NULL || !g_utf8_validate (contents, length, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The deny list “%s” is not a text file in UTF-8. Save it as CSV UTF-8 or plain text and try again."),
                   display);
      return FALSE;
    }

  text = contents;
  if (g_str_has_prefix (text, "\xEF\xBB\xBF"))  /* Excel's UTF-8 byte order mark */
    text += 3;

  lines = g_strsplit_set (text, "\r\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *field = first_field (lines[i]);

      if (*field == '\0' || field[0] == '#')
        continue;
      /* A header row ("email", "Address", …) is the first row and is not an address. */
      if (first && strchr (field, '@') == NULL && strchr (field, '.') == NULL)
        {
          first = FALSE;
          continue;
        }
      first = FALSE;
      g_ptr_array_add (entries, g_steal_pointer (&field));
    }
  g_ptr_array_add (entries, NULL);

  muster_user_filter_set_deny_list (self, (const char * const *) entries->pdata);
  return TRUE;
}

void
muster_user_filter_set_search (MusterUserFilter *self,
                               const char       *search)
{
  g_autofree char *trimmed = NULL;
  GString *folded;

  g_return_if_fail (MUSTER_IS_USER_FILTER (self));

  trimmed = search != NULL ? g_strstrip (g_strdup (search)) : NULL;
  if (trimmed != NULL && *trimmed == '\0')
    g_clear_pointer (&trimmed, g_free);
  if (g_strcmp0 (self->search, trimmed) == 0)
    return;

  g_free (self->search);
  self->search = g_steal_pointer (&trimmed);
  g_clear_pointer (&self->search_folded, g_free);
  if (self->search != NULL)
    {
      folded = g_string_new (NULL);
      _muster_user_search_fold (folded, self->search);
      self->search_folded = g_string_free (folded, FALSE);
    }

  emit_changed (self, PROP_SEARCH);
}

void
muster_user_filter_set_email_method (MusterUserFilter  *self,
                                     MusterEmailMethod  method)
{
  g_return_if_fail (MUSTER_IS_USER_FILTER (self));
  g_return_if_fail (method <= MUSTER_EMAIL_METHOD_MAIL_OR_UPN);

  if (self->email_method == method)
    return;
  self->email_method = method;
  emit_changed (self, PROP_EMAIL_METHOD);
}

MusterEmailMethod
muster_user_filter_get_email_method (MusterUserFilter *self)
{
  g_return_val_if_fail (MUSTER_IS_USER_FILTER (self), MUSTER_EMAIL_METHOD_MAIL_OR_UPN);
  return self->email_method;
}

/**
 * muster_user_filter_match:
 *
 * A user also fails when it has no address under the email method (a user without mail under
 * "mail"): such a user cannot be exported or synced by address.
 */
gboolean
muster_user_filter_match (MusterUserFilter *self,
                          MusterSnapshot   *snapshot,
                          MusterUser       *user)
{
  g_return_val_if_fail (MUSTER_IS_USER_FILTER (self), FALSE);
  g_return_val_if_fail (MUSTER_IS_USER (user), FALSE);

  return find_reasons (self, snapshot, user, FALSE) == 0;
}

char *
muster_user_filter_explain (MusterUserFilter *self,
                            MusterSnapshot   *snapshot,
                            MusterUser       *user)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  guint reasons;

  g_return_val_if_fail (MUSTER_IS_USER_FILTER (self), NULL);
  g_return_val_if_fail (MUSTER_IS_USER (user), NULL);

  reasons = find_reasons (self, snapshot, user, TRUE);
  if (reasons == 0)
    return NULL;

  if (reasons & REASON_GUEST)
    g_ptr_array_add (words, (gpointer) _("guest account"));
  if (reasons & REASON_DISABLED)
    g_ptr_array_add (words, (gpointer) _("account disabled"));
  if (reasons & REASON_UNLICENSED)
    g_ptr_array_add (words, (gpointer) _("no licence"));
  if (reasons & REASON_NO_EMAIL)
    g_ptr_array_add (words, (gpointer) _("no email address under the chosen email method"));
  if (reasons & REASON_DENIED)
    g_ptr_array_add (words, (gpointer) _("on the deny list"));
  if (reasons & REASON_NOT_IN_GROUPS)
    g_ptr_array_add (words, (gpointer) _("not in the selected groups"));
  if (reasons & REASON_NOT_IN_KIND)
    g_ptr_array_add (words, (gpointer) _("not in a group of the selected kind"));
  if (reasons & REASON_NO_MATCH)
    g_ptr_array_add (words, (gpointer) _("does not match the search"));
  g_ptr_array_add (words, NULL);

  /* Translators: separates reasons why a user is left out, e.g. "no licence; on the deny list" */
  return g_strjoinv (_("; "), (char **) words->pdata);
}

char *
muster_user_filter_describe (MusterUserFilter *self,
                             MusterSnapshot   *snapshot)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) excluded = g_ptr_array_new ();

  g_return_val_if_fail (MUSTER_IS_USER_FILTER (self), NULL);

  if (self->groups != NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (gsize i = 0; self->groups[i] != NULL; i++)
        {
          MusterGroup *group = snapshot != NULL ? muster_snapshot_lookup_group (snapshot, self->groups[i]) : NULL;

          if (i > 0)
            g_string_append (names, ", ");
          if (group != NULL && muster_group_get_display_name (group) != NULL)
            g_string_append (names, muster_group_get_display_name (group));
          else if (snapshot != NULL)
            /* Translators: a selected group that the snapshot does not have */
            g_string_append_printf (names, _("%s (not found)"), self->groups[i]);
          else
            g_string_append (names, self->groups[i]);
        }
      g_ptr_array_add (parts, self->nested
                              /* Translators: %s is a list of group names */
                              ? g_strdup_printf (_("Groups: %s (nested)"), names->str)
                              : g_strdup_printf (_("Groups: %s"), names->str));
    }

  if (self->group_kind >= 0)
    g_ptr_array_add (parts, g_strdup_printf (_("Group kind: %s"), muster_group_kind_get_title (self->group_kind)));

  if (self->exclude_guests)
    g_ptr_array_add (excluded, (gpointer) _("guests"));
  if (self->exclude_disabled)
    g_ptr_array_add (excluded, (gpointer) _("disabled accounts"));
  if (self->exclude_unlicensed)
    g_ptr_array_add (excluded, (gpointer) _("unlicensed accounts"));
  if (excluded->len > 0)
    {
      g_autofree char *list = NULL;

      g_ptr_array_add (excluded, NULL);
      list = g_strjoinv (", ", (char **) excluded->pdata);
      g_ptr_array_add (parts, g_strdup_printf (_("Excluding: %s"), list));
    }

  if (self->deny_list != NULL)
    {
      guint n = g_strv_length (self->deny_list);

      g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Deny list: %u entry",
                                                            "Deny list: %u entries", n), n));
    }

  if (self->email_method != MUSTER_EMAIL_METHOD_MAIL_OR_UPN)
    g_ptr_array_add (parts, g_strdup_printf (_("Email: %s"), email_method_title (self->email_method)));

  if (self->search != NULL)
    g_ptr_array_add (parts, g_strdup_printf (_("Search: “%s”"), self->search));

  if (parts->len == 0)
    return g_strdup (_("All users"));

  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}
