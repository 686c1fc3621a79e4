/* muster-user.c: one person in a directory snapshot
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-user"

#include "config.h"

#include <cjson/cJSON.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-enums.h"
#include "muster-user-private.h"

/* A snapshot holds 100,000 of these, so a user is one GObject and one block of memory: every
 * string and list of the user is copied into @block (pointer arrays first, then the bytes), and
 * the fields below point into it. Only the two names resolved after loading live apart. */
struct _MusterUser
{
  GObject      parent_instance;

  char        *block;

  const char  *id;
  const char  *display_name;
  const char  *given_name;
  const char  *surname;
  const char  *user_principal_name;
  const char  *mail;
  const char  *job_title;
  const char  *department;
  const char  *company_name;
  const char  *employee_id;
  const char  *office_location;
  const char  *mobile_phone;
  const char  *user_type;
  const char  *created;
  const char  *manager_id;
  const char  *search_key;
  const char **business_phones;
  const char **other_mails;
  const char **proxy_addresses;
  const char **assigned_licenses;

  char        *manager_name;   /* owned */
  const char  *licence_names;  /* interned: few distinct values per tenant */

  guint        index;
  guint        account_enabled : 1;
  guint        on_premises_sync_enabled : 1;
  guint        guest : 1;
};

G_DEFINE_FINAL_TYPE (MusterUser, muster_user, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_DISPLAY_NAME,
  PROP_GIVEN_NAME,
  PROP_SURNAME,
  PROP_USER_PRINCIPAL_NAME,
  PROP_MAIL,
  PROP_JOB_TITLE,
  PROP_DEPARTMENT,
  PROP_COMPANY_NAME,
  PROP_EMPLOYEE_ID,
  PROP_OFFICE_LOCATION,
  PROP_MOBILE_PHONE,
  PROP_BUSINESS_PHONES,
  PROP_OTHER_MAILS,
  PROP_PROXY_ADDRESSES,
  PROP_USER_TYPE,
  PROP_ACCOUNT_ENABLED,
  PROP_ON_PREMISES_SYNC_ENABLED,
  PROP_CREATED,
  PROP_ASSIGNED_LICENSES,
  PROP_LICENCE_NAMES,
  PROP_MANAGER_ID,
  PROP_MANAGER_NAME,
  PROP_STATE,
  PROP_STATE_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *email_method_names[] = { "upn", "mail", "mail-or-upn" };

/* Helpers ------------------------------------------------------------------------------------ */

static gboolean
is_ascii (const char *text)
{
  for (const guchar *p = (const guchar *) text; *p; p++)
    if (*p >= 0x80)
      return FALSE;
  return TRUE;
}

void
_muster_user_search_fold (GString    *out,
                          const char *text)
{
  g_autofree char *valid = NULL;
  g_autofree char *normal = NULL;
  g_autofree char *folded = NULL;

  if (text == NULL)
    return;

  /* Most names and addresses are ASCII: fold those without allocating. */
  if (is_ascii (text))
    {
      gsize start = out->len;

      g_string_append (out, text);
      for (gsize i = start; i < out->len; i++)
        out->str[i] = g_ascii_tolower (out->str[i]);
      return;
    }

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  normal = g_utf8_normalize (text, -1, G_NORMALIZE_DEFAULT_COMPOSE);
  folded = g_utf8_casefold (normal != NULL ? normal : text, -1);
  g_string_append (out, folded);
}

static gsize
strv_count (const char * const *strv)
{
  gsize n = 0;

  if (strv != NULL)
    while (strv[n] != NULL)
      n++;
  return n;
}

typedef struct
{
  char *strings;  /* where the next string goes */
} Packer;

static const char *
pack_string (Packer     *packer,
             const char *text)
{
  gsize len;
  char *copy;

  if (text == NULL)
    return NULL;
  len = strlen (text) + 1;
  copy = memcpy (packer->strings, text, len);
  packer->strings += len;
  return copy;
}

static void
pack_strv (Packer             *packer,
           const char       ***slot,
           const char * const *strv)
{
  gsize n = strv_count (strv);

  for (gsize i = 0; i < n; i++)
    (*slot)[i] = pack_string (packer, strv[i]);
  (*slot)[n] = NULL;
}

static gsize
string_size (const char *text)
{
  return text != NULL ? strlen (text) + 1 : 0;
}

static gsize
strv_size (const char * const *strv)
{
  gsize size = 0;

  for (gsize i = 0; strv != NULL && strv[i] != NULL; i++)
    size += strlen (strv[i]) + 1;
  return size;
}

/* Reading a Graph user, for both JSON parsers: json-glib (everything) and cJSON (the bulk path of
 * Graph collection pages, measured in tests/bench/README.md). One table says where each member goes and
 * how it is read; each parser only answers what a node is. A member of the wrong type counts as
 * absent, and a member named twice counts once, the last time (what json-glib keeps). */

typedef struct
{
  /* the string a node holds, or NULL when it is no string */
  const char    *(*string)  (gconstpointer node);
  /* TRUE and @value when the node is a boolean */
  gboolean       (*boolean) (gconstpointer node,
                             gboolean     *value);
  /* the last member called @name of an object node, or NULL (also for a non-object) */
  gconstpointer  (*member)  (gconstpointer node,
                             const char   *name);
  /* calls @func on each element of an array node, in order; nothing for a non-array */
  void           (*foreach) (gconstpointer node,
                             void        (*func) (gconstpointer element, gpointer data),
                             gpointer      data);
} GraphJsonReader;

typedef enum
{
  MEMBER_STRING,
  MEMBER_ENABLED,     /* boolean, absent counts as TRUE (User.ReadBasic.All leaves it out) */
  MEMBER_SYNCED,      /* boolean, absent counts as FALSE */
  MEMBER_STRINGS,     /* the string elements of an array */
  MEMBER_SKU_IDS,     /* the skuId strings of an array of objects */
  MEMBER_MANAGER,     /* the id of the object from $expand=manager */
} MemberKind;

enum
{
  LIST_BUSINESS_PHONES,
  LIST_OTHER_MAILS,
  LIST_PROXY_ADDRESSES,
  LIST_ASSIGNED_LICENSES,
  N_LISTS
};

typedef struct
{
  const char *name;
  MemberKind  kind;
  gsize       offset;  /* into MusterUserFields (a string member) */
  guint       list;    /* a list member */
} UserMember;

#define STRING_MEMBER(name, field) { name, MEMBER_STRING, G_STRUCT_OFFSET (MusterUserFields, field), 0 }

static const UserMember user_members[] = {
  STRING_MEMBER ("id", id),
  STRING_MEMBER ("displayName", display_name),
  STRING_MEMBER ("givenName", given_name),
  STRING_MEMBER ("surname", surname),
  STRING_MEMBER ("userPrincipalName", user_principal_name),
  STRING_MEMBER ("mail", mail),
  STRING_MEMBER ("jobTitle", job_title),
  STRING_MEMBER ("department", department),
  STRING_MEMBER ("companyName", company_name),
  STRING_MEMBER ("employeeId", employee_id),
  STRING_MEMBER ("officeLocation", office_location),
  STRING_MEMBER ("mobilePhone", mobile_phone),
  STRING_MEMBER ("userType", user_type),
  STRING_MEMBER ("createdDateTime", created),
  { "manager", MEMBER_MANAGER, G_STRUCT_OFFSET (MusterUserFields, manager_id), 0 },
  { "businessPhones", MEMBER_STRINGS, 0, LIST_BUSINESS_PHONES },
  { "otherMails", MEMBER_STRINGS, 0, LIST_OTHER_MAILS },
  { "proxyAddresses", MEMBER_STRINGS, 0, LIST_PROXY_ADDRESSES },
  { "assignedLicenses", MEMBER_SKU_IDS, 0, LIST_ASSIGNED_LICENSES },
  { "accountEnabled", MEMBER_ENABLED, 0, 0 },
  { "onPremisesSyncEnabled", MEMBER_SYNCED, 0, 0 },
};

#undef STRING_MEMBER

typedef struct
{
  const GraphJsonReader *reader;
  MusterUserFields  fields;
  GPtrArray        *lists[N_LISTS];  /* borrowed strings, NULL-terminated when built */
  GPtrArray        *current;         /* the list being filled */
} UserBuilder;

static void
user_builder_init (UserBuilder      *builder,
                   const GraphJsonReader *reader)
{
  memset (builder, 0, sizeof *builder);
  builder->reader = reader;
  builder->fields.account_enabled = TRUE;
  builder->fields.on_premises_sync_enabled = FALSE;
  for (guint i = 0; i < N_LISTS; i++)
    builder->lists[i] = g_ptr_array_new ();
}

static void
user_builder_clear (UserBuilder *builder)
{
  for (guint i = 0; i < N_LISTS; i++)
    g_clear_pointer (&builder->lists[i], g_ptr_array_unref);
}

static void
add_string_element_cb (gconstpointer element,
                       gpointer      data)
{
  UserBuilder *builder = data;
  const char *text = builder->reader->string (element);

  if (text != NULL)
    g_ptr_array_add (builder->current, (gpointer) text);
}

static void
add_sku_id_cb (gconstpointer element,
               gpointer      data)
{
  UserBuilder *builder = data;
  gconstpointer sku_id = builder->reader->member (element, "skuId");
  const char *text = sku_id != NULL ? builder->reader->string (sku_id) : NULL;

  if (text != NULL)
    g_ptr_array_add (builder->current, (gpointer) text);
}

/* Reads @node (NULL: absent) as the member @member; a later call for the same member replaces
 * what an earlier one read. */
static void
user_builder_set (UserBuilder      *builder,
                  const UserMember *member,
                  gconstpointer     node)
{
  const GraphJsonReader *reader = builder->reader;
  gboolean value;

  switch (member->kind)
    {
    case MEMBER_STRING:
      G_STRUCT_MEMBER (const char *, &builder->fields, member->offset) = node ? reader->string (node) : NULL;
      break;
    case MEMBER_MANAGER:
      {
        gconstpointer id = node ? reader->member (node, "id") : NULL;

        G_STRUCT_MEMBER (const char *, &builder->fields, member->offset) = id ? reader->string (id) : NULL;
        break;
      }
    case MEMBER_ENABLED:
      builder->fields.account_enabled = node && reader->boolean (node, &value) ? value : TRUE;
      break;
    case MEMBER_SYNCED:
      builder->fields.on_premises_sync_enabled = node && reader->boolean (node, &value) ? value : FALSE;
      break;
    case MEMBER_STRINGS:
    case MEMBER_SKU_IDS:
      builder->current = builder->lists[member->list];
      g_ptr_array_set_size (builder->current, 0);
      if (node != NULL)
        reader->foreach (node, member->kind == MEMBER_STRINGS ? add_string_element_cb : add_sku_id_cb, builder);
      builder->current = NULL;
      break;
    default:
      g_assert_not_reached ();
    }
}

static MusterUser *
user_builder_finish (UserBuilder *builder)
{
  MusterUserFields *fields = &builder->fields;

  for (guint i = 0; i < N_LISTS; i++)
    g_ptr_array_add (builder->lists[i], NULL);
  fields->business_phones = (const char * const *) builder->lists[LIST_BUSINESS_PHONES]->pdata;
  fields->other_mails = (const char * const *) builder->lists[LIST_OTHER_MAILS]->pdata;
  fields->proxy_addresses = (const char * const *) builder->lists[LIST_PROXY_ADDRESSES]->pdata;
  fields->assigned_licenses = (const char * const *) builder->lists[LIST_ASSIGNED_LICENSES]->pdata;
  return _muster_user_new (fields);
}

/* json-glib */

static const char *
glib_string (gconstpointer node)
{
  if (!JSON_NODE_HOLDS_VALUE ((JsonNode *) node) || json_node_get_value_type ((JsonNode *) node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string ((JsonNode *) node);
}

static gboolean
glib_boolean (gconstpointer  node,
              gboolean      *value)
{
  if (!JSON_NODE_HOLDS_VALUE ((JsonNode *) node) || json_node_get_value_type ((JsonNode *) node) != G_TYPE_BOOLEAN)
    return FALSE;
  *value = json_node_get_boolean ((JsonNode *) node);
  return TRUE;
}

static gconstpointer
glib_member (gconstpointer  node,
             const char    *name)
{
  if (!JSON_NODE_HOLDS_OBJECT ((JsonNode *) node))
    return NULL;
  return json_object_get_member (json_node_get_object ((JsonNode *) node), name);
}

static void
glib_foreach (gconstpointer   node,
              void          (*func) (gconstpointer element, gpointer data),
              gpointer        data)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY ((JsonNode *) node))
    return;
  array = json_node_get_array ((JsonNode *) node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    func (json_array_get_element (array, i), data);
}

static const GraphJsonReader glib_reader = { glib_string, glib_boolean, glib_member, glib_foreach };

/* cJSON: its objects are lists that keep every member, duplicates included */

static const char *
cjson_string (gconstpointer node)
{
  return cJSON_IsString ((const cJSON *) node) ? ((const cJSON *) node)->valuestring : NULL;
}

static gboolean
cjson_boolean (gconstpointer  node,
               gboolean      *value)
{
  if (!cJSON_IsBool ((const cJSON *) node))
    return FALSE;
  *value = cJSON_IsTrue ((const cJSON *) node);
  return TRUE;
}

static gconstpointer
cjson_member (gconstpointer  node,
              const char    *name)
{
  const cJSON *found = NULL;

  if (!cJSON_IsObject ((const cJSON *) node))
    return NULL;
  for (const cJSON *child = ((const cJSON *) node)->child; child != NULL; child = child->next)
    if (child->string != NULL && strcmp (child->string, name) == 0)
      found = child;
  return found;
}

static void
cjson_foreach (gconstpointer   node,
               void          (*func) (gconstpointer element, gpointer data),
               gpointer        data)
{
  if (!cJSON_IsArray ((const cJSON *) node))
    return;
  for (const cJSON *child = ((const cJSON *) node)->child; child != NULL; child = child->next)
    func (child, data);
}

static const GraphJsonReader cjson_reader = { cjson_string, cjson_boolean, cjson_member, cjson_foreach };

static const UserMember *
find_user_member (const char *name)
{
  static GHashTable *by_name;

  if (g_once_init_enter (&by_name))
    {
      GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < G_N_ELEMENTS (user_members); i++)
        g_hash_table_insert (table, (gpointer) user_members[i].name, (gpointer) &user_members[i]);
      g_once_init_leave (&by_name, table);
    }
  return g_hash_table_lookup (by_name, name);
}

static const char *
state_label (MusterUser *self)
{
  if (self->guest)
    return self->account_enabled ? _("Guest") : _("Guest, disabled");
  return self->account_enabled ? _("Enabled") : _("Disabled");
}

/* Overrides ---------------------------------------------------------------------------------- */

static void
muster_user_finalize (GObject *object)
{
  MusterUser *self = MUSTER_USER (object);

  g_free (self->block);
  g_free (self->manager_name);

  G_OBJECT_CLASS (muster_user_parent_class)->finalize (object);
}

static void
muster_user_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  MusterUser *self = MUSTER_USER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_GIVEN_NAME:
      g_value_set_string (value, self->given_name);
      break;
    case PROP_SURNAME:
      g_value_set_string (value, self->surname);
      break;
    case PROP_USER_PRINCIPAL_NAME:
      g_value_set_string (value, self->user_principal_name);
      break;
    case PROP_MAIL:
      g_value_set_string (value, self->mail);
      break;
    case PROP_JOB_TITLE:
      g_value_set_string (value, self->job_title);
      break;
    case PROP_DEPARTMENT:
      g_value_set_string (value, self->department);
      break;
    case PROP_COMPANY_NAME:
      g_value_set_string (value, self->company_name);
      break;
    case PROP_EMPLOYEE_ID:
      g_value_set_string (value, self->employee_id);
      break;
    case PROP_OFFICE_LOCATION:
      g_value_set_string (value, self->office_location);
      break;
    case PROP_MOBILE_PHONE:
      g_value_set_string (value, self->mobile_phone);
      break;
    case PROP_BUSINESS_PHONES:
      g_value_set_boxed (value, self->business_phones);
      break;
    case PROP_OTHER_MAILS:
      g_value_set_boxed (value, self->other_mails);
      break;
    case PROP_PROXY_ADDRESSES:
      g_value_set_boxed (value, self->proxy_addresses);
      break;
    case PROP_USER_TYPE:
      g_value_set_string (value, self->user_type);
      break;
    case PROP_ACCOUNT_ENABLED:
      g_value_set_boolean (value, self->account_enabled);
      break;
    case PROP_ON_PREMISES_SYNC_ENABLED:
      g_value_set_boolean (value, self->on_premises_sync_enabled);
      break;
    case PROP_CREATED:
      g_value_set_string (value, self->created);
      break;
    case PROP_ASSIGNED_LICENSES:
      g_value_set_boxed (value, self->assigned_licenses);
      break;
    case PROP_LICENCE_NAMES:
      g_value_set_string (value, self->licence_names);
      break;
    case PROP_MANAGER_ID:
      g_value_set_string (value, self->manager_id);
      break;
    case PROP_MANAGER_NAME:
      g_value_set_string (value, self->manager_name);
      break;
    case PROP_STATE:
      g_value_set_enum (value, muster_user_get_state (self));
      break;
    case PROP_STATE_LABEL:
      g_value_set_string (value, state_label (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_user_class_init (MusterUserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = muster_user_finalize;
  object_class->get_property = muster_user_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_GIVEN_NAME] = g_param_spec_string ("given-name", NULL, NULL, NULL, flags);
  properties[PROP_SURNAME] = g_param_spec_string ("surname", NULL, NULL, NULL, flags);
  properties[PROP_USER_PRINCIPAL_NAME] = g_param_spec_string ("user-principal-name", NULL, NULL, NULL, flags);
  properties[PROP_MAIL] = g_param_spec_string ("mail", NULL, NULL, NULL, flags);
  properties[PROP_JOB_TITLE] = g_param_spec_string ("job-title", NULL, NULL, NULL, flags);
  properties[PROP_DEPARTMENT] = g_param_spec_string ("department", NULL, NULL, NULL, flags);
  properties[PROP_COMPANY_NAME] = g_param_spec_string ("company-name", NULL, NULL, NULL, flags);
  properties[PROP_EMPLOYEE_ID] = g_param_spec_string ("employee-id", NULL, NULL, NULL, flags);
  properties[PROP_OFFICE_LOCATION] = g_param_spec_string ("office-location", NULL, NULL, NULL, flags);
  properties[PROP_MOBILE_PHONE] = g_param_spec_string ("mobile-phone", NULL, NULL, NULL, flags);
  properties[PROP_BUSINESS_PHONES] = g_param_spec_boxed ("business-phones", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_OTHER_MAILS] = g_param_spec_boxed ("other-mails", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_PROXY_ADDRESSES] = g_param_spec_boxed ("proxy-addresses", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_USER_TYPE] = g_param_spec_string ("user-type", NULL, NULL, NULL, flags);
  properties[PROP_ACCOUNT_ENABLED] = g_param_spec_boolean ("account-enabled", NULL, NULL, TRUE, flags);
  properties[PROP_ON_PREMISES_SYNC_ENABLED] =
    g_param_spec_boolean ("on-premises-sync-enabled", NULL, NULL, FALSE, flags);
  properties[PROP_CREATED] = g_param_spec_string ("created", NULL, NULL, NULL, flags);
  properties[PROP_ASSIGNED_LICENSES] = g_param_spec_boxed ("assigned-licenses", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_LICENCE_NAMES] = g_param_spec_string ("licence-names", NULL, NULL, NULL, flags);
  properties[PROP_MANAGER_ID] = g_param_spec_string ("manager-id", NULL, NULL, NULL, flags);
  properties[PROP_MANAGER_NAME] = g_param_spec_string ("manager-name", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, MUSTER_TYPE_ACCOUNT_STATE,
                                              MUSTER_ACCOUNT_STATE_ENABLED, flags);
  properties[PROP_STATE_LABEL] = g_param_spec_string ("state-label", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
muster_user_init (MusterUser *self)
{
  self->index = G_MAXUINT;
  self->account_enabled = TRUE;
}

/* Private API -------------------------------------------------------------------------------- */

MusterUser *
_muster_user_new (const MusterUserFields *fields)
{
  const char * const *lists[] = {
    fields->business_phones, fields->other_mails, fields->proxy_addresses, fields->assigned_licenses,
  };
  const char *scalars[] = {
    fields->id, fields->display_name, fields->given_name, fields->surname,
    fields->user_principal_name, fields->mail, fields->job_title, fields->department,
    fields->company_name, fields->employee_id, fields->office_location, fields->mobile_phone,
    fields->user_type, fields->created, fields->manager_id,
  };
  const char *searched[] = {
    fields->display_name, fields->user_principal_name, fields->mail, fields->job_title,
    fields->department,
  };
  MusterUser *self;
  GString *key;
  gsize n_pointers = 0;
  gsize n_bytes = 0;
  const char **pointers;
  Packer packer;

  g_return_val_if_fail (fields != NULL, NULL);

  self = g_object_new (MUSTER_TYPE_USER, NULL);

  key = g_string_sized_new (128);
  for (guint i = 0; i < G_N_ELEMENTS (searched); i++)
    {
      if (i > 0)
        g_string_append_c (key, '\n');
      _muster_user_search_fold (key, searched[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      n_pointers += strv_count (lists[i]) + 1;
      n_bytes += strv_size (lists[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (scalars); i++)
    n_bytes += string_size (scalars[i]);
  n_bytes += key->len + 1;

  self->block = g_malloc (n_pointers * sizeof (char *) + n_bytes);
  pointers = (const char **) self->block;
  packer.strings = self->block + n_pointers * sizeof (char *);

  self->business_phones = pointers;
  pack_strv (&packer, &self->business_phones, fields->business_phones);
  self->other_mails = self->business_phones + strv_count (fields->business_phones) + 1;
  pack_strv (&packer, &self->other_mails, fields->other_mails);
  self->proxy_addresses = self->other_mails + strv_count (fields->other_mails) + 1;
  pack_strv (&packer, &self->proxy_addresses, fields->proxy_addresses);
  self->assigned_licenses = self->proxy_addresses + strv_count (fields->proxy_addresses) + 1;
  pack_strv (&packer, &self->assigned_licenses, fields->assigned_licenses);

  self->id = pack_string (&packer, fields->id);
  self->display_name = pack_string (&packer, fields->display_name);
  self->given_name = pack_string (&packer, fields->given_name);
  self->surname = pack_string (&packer, fields->surname);
  self->user_principal_name = pack_string (&packer, fields->user_principal_name);
  self->mail = pack_string (&packer, fields->mail);
  self->job_title = pack_string (&packer, fields->job_title);
  self->department = pack_string (&packer, fields->department);
  self->company_name = pack_string (&packer, fields->company_name);
  self->employee_id = pack_string (&packer, fields->employee_id);
  self->office_location = pack_string (&packer, fields->office_location);
  self->mobile_phone = pack_string (&packer, fields->mobile_phone);
  self->user_type = pack_string (&packer, fields->user_type);
  self->created = pack_string (&packer, fields->created);
  self->manager_id = pack_string (&packer, fields->manager_id);
  self->search_key = pack_string (&packer, key->str);
  g_assert (packer.strings == self->block + n_pointers * sizeof (char *) + n_bytes);
  g_string_free (key, TRUE);

  self->account_enabled = fields->account_enabled != FALSE;
  self->on_premises_sync_enabled = fields->on_premises_sync_enabled != FALSE;
  /* userType is "Member" or "Guest" (Graph user resource); compare as Graph does, ignoring case. */
  self->guest = fields->user_type != NULL && g_ascii_strcasecmp (fields->user_type, "Guest") == 0;

  return self;
}

const char *
_muster_user_get_search_key (MusterUser *self)
{
  return self->search_key;
}

guint
_muster_user_get_index (MusterUser *self)
{
  return self->index;
}

void
_muster_user_set_index (MusterUser *self,
                        guint       index)
{
  self->index = index;
}

void
_muster_user_set_resolved (MusterUser *self,
                           const char *manager_name,
                           const char *licence_names)
{
  g_return_if_fail (MUSTER_IS_USER (self));

  /* Called while the snapshot is built, before anyone can watch the user: no notification
   * (it would cost more than the rest of the load's name resolution). */
  if (g_strcmp0 (self->manager_name, manager_name) != 0)
    {
      g_free (self->manager_name);
      self->manager_name = g_strdup (manager_name);
    }
  self->licence_names = g_intern_string (licence_names);
}

/* Public API --------------------------------------------------------------------------------- */

/**
 * muster_user_new_from_json:
 * @object: one user as Graph returns it under the fetcher's `$select` (and `$expand=manager`)
 *
 * Members that are missing, null or of the wrong type count as absent; strings are kept byte
 * for byte. An absent accountEnabled (User.ReadBasic.All does not return it) counts as enabled,
 * so that "exclude disabled" never drops users whose state is unknown.
 */
MusterUser *
muster_user_new_from_json (JsonObject *object)
{
  UserBuilder builder;
  MusterUser *user;

  g_return_val_if_fail (object != NULL, NULL);

  user_builder_init (&builder, &glib_reader);
  for (guint i = 0; i < G_N_ELEMENTS (user_members); i++)
    user_builder_set (&builder, &user_members[i], json_object_get_member (object, user_members[i].name));
  user = user_builder_finish (&builder);
  user_builder_clear (&builder);
  return user;
}

/**
 * _muster_user_new_from_cjson:
 * @object: one user of a Graph page parsed by cJSON
 *
 * The same user muster_user_new_from_json() makes of the same JSON: read through the same table,
 * members visited once in the order they were written, so the last of a repeated member counts.
 * Returns NULL when @object is not an object.
 */
MusterUser *
_muster_user_new_from_cjson (const cJSON *object)
{
  UserBuilder builder;
  MusterUser *user;

  if (!cJSON_IsObject (object))
    return NULL;

  user_builder_init (&builder, &cjson_reader);
  for (const cJSON *child = object->child; child != NULL; child = child->next)
    {
      const UserMember *member = child->string != NULL ? find_user_member (child->string) : NULL;

      if (member != NULL)
        user_builder_set (&builder, member, child);
    }
  user = user_builder_finish (&builder);
  user_builder_clear (&builder);
  return user;
}

const char *
muster_user_get_id (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->id;
}

const char *
muster_user_get_display_name (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->display_name;
}

const char *
muster_user_get_given_name (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->given_name;
}

const char *
muster_user_get_surname (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->surname;
}

const char *
muster_user_get_user_principal_name (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->user_principal_name;
}

const char *
muster_user_get_mail (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->mail;
}

const char *
muster_user_get_job_title (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->job_title;
}

const char *
muster_user_get_department (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->department;
}

const char *
muster_user_get_company_name (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->company_name;
}

const char *
muster_user_get_employee_id (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->employee_id;
}

const char *
muster_user_get_office_location (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->office_location;
}

const char *
muster_user_get_mobile_phone (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->mobile_phone;
}

const char * const *
muster_user_get_business_phones (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->business_phones;
}

const char * const *
muster_user_get_other_mails (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->other_mails;
}

const char * const *
muster_user_get_proxy_addresses (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->proxy_addresses;
}

const char *
muster_user_get_user_type (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->user_type;
}

gboolean
muster_user_get_account_enabled (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), FALSE);
  return self->account_enabled;
}

gboolean
muster_user_get_on_premises_sync_enabled (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), FALSE);
  return self->on_premises_sync_enabled;
}

const char *
muster_user_get_created (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->created;
}

const char * const *
muster_user_get_assigned_licenses (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->assigned_licenses;
}

const char *
muster_user_get_licence_names (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->licence_names;
}

const char *
muster_user_get_manager_id (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->manager_id;
}

const char *
muster_user_get_manager_name (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);
  return self->manager_name;
}

MusterAccountState
muster_user_get_state (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), MUSTER_ACCOUNT_STATE_ENABLED);

  if (self->guest)
    return MUSTER_ACCOUNT_STATE_GUEST;
  return self->account_enabled ? MUSTER_ACCOUNT_STATE_ENABLED : MUSTER_ACCOUNT_STATE_DISABLED;
}

gboolean
muster_user_is_guest (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), FALSE);
  return self->guest;
}

gboolean
muster_user_is_licensed (MusterUser *self)
{
  g_return_val_if_fail (MUSTER_IS_USER (self), FALSE);
  return self->assigned_licenses[0] != NULL;
}

const char *
muster_user_get_email (MusterUser        *self,
                       MusterEmailMethod  method)
{
  gboolean has_mail;

  g_return_val_if_fail (MUSTER_IS_USER (self), NULL);

  has_mail = self->mail != NULL && self->mail[0] != '\0';
  switch (method)
    {
    case MUSTER_EMAIL_METHOD_UPN:
      return self->user_principal_name;
    case MUSTER_EMAIL_METHOD_MAIL:
      return has_mail ? self->mail : NULL;
    case MUSTER_EMAIL_METHOD_MAIL_OR_UPN:
      return has_mail ? self->mail : self->user_principal_name;
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
muster_email_method_to_string (MusterEmailMethod method)
{
  g_return_val_if_fail ((guint) method < G_N_ELEMENTS (email_method_names), NULL);
  return email_method_names[method];
}

gboolean
muster_email_method_from_string (const char        *name,
                                 MusterEmailMethod *method)
{
  g_return_val_if_fail (method != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (email_method_names); i++)
    if (g_ascii_strcasecmp (name, email_method_names[i]) == 0)
      {
        *method = (MusterEmailMethod) i;
        return TRUE;
      }
  return FALSE;
}
