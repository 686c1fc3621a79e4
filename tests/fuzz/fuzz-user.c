/* fuzz-user.c: Graph's user JSON into a MusterUser (wrong types, huge values, hostile strings)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Properties: every string column comes back byte for byte (nothing Graph said is lost), members
 * of the wrong type count as absent, an absent accountEnabled counts as enabled, a user is found
 * by a search for its own display name and is excluded by a deny list holding its own mail.
 */

#include "config.h"

#include "fuzz-graph-objects.h"
#include "muster-user-filter.h"
#include "muster-user-private.h"

static void
check_user (JsonObject *object,
            MusterUser *user)
{
  static const struct
  {
    const char *member;
    const char *(*get) (MusterUser *user);
  } columns[] = {
    { "id", muster_user_get_id },
    { "displayName", muster_user_get_display_name },
    { "givenName", muster_user_get_given_name },
    { "surname", muster_user_get_surname },
    { "userPrincipalName", muster_user_get_user_principal_name },
    { "mail", muster_user_get_mail },
    { "jobTitle", muster_user_get_job_title },
    { "department", muster_user_get_department },
    { "companyName", muster_user_get_company_name },
    { "employeeId", muster_user_get_employee_id },
    { "officeLocation", muster_user_get_office_location },
    { "mobilePhone", muster_user_get_mobile_phone },
    { "userType", muster_user_get_user_type },
    { "createdDateTime", muster_user_get_created },
  };
  JsonNode *enabled = json_object_get_member (object, "accountEnabled");
  JsonArray *phones = muster_json_get_array (object, "businessPhones");
  const char * const *kept_phones = muster_user_get_business_phones (user);
  guint n_phones = 0;

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    fuzz_assert_string_member (object, columns[i].member, columns[i].get (user));

  if (enabled != NULL && JSON_NODE_HOLDS_VALUE (enabled) && json_node_get_value_type (enabled) == G_TYPE_BOOLEAN)
    g_assert_cmpint (muster_user_get_account_enabled (user), ==, json_node_get_boolean (enabled));
  else
    g_assert_true (muster_user_get_account_enabled (user));

  /* the string elements of businessPhones, in order, and nothing else */
  for (guint i = 0; phones != NULL && i < json_array_get_length (phones); i++)
    {
      JsonNode *element = json_array_get_element (phones, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_assert_cmpstr (kept_phones[n_phones++], ==, json_node_get_string (element));
    }
  g_assert_null (kept_phones[n_phones]);

  if (muster_user_get_mail (user) == NULL || *muster_user_get_mail (user) == '\0')
    g_assert_null (muster_user_get_email (user, MUSTER_EMAIL_METHOD_MAIL));
  muster_user_get_email (user, MUSTER_EMAIL_METHOD_UPN);
  muster_user_get_email (user, MUSTER_EMAIL_METHOD_MAIL_OR_UPN);
  muster_user_is_licensed (user);
  muster_user_get_state (user);
  fuzz_read_properties (G_OBJECT (user));
}

static void
check_filters (MusterUser *user)
{
  g_autoptr(MusterUserFilter) filter = muster_user_filter_new ();
  const char *name = muster_user_get_display_name (user);
  const char *mail = muster_user_get_mail (user);
  g_autofree char *explained = NULL;
  const char *email;
  gboolean addressable;

  /* a user without an address under the email method cannot be brought over: the only reason a
   * filter with nothing set leaves someone out */
  email = muster_user_get_email (user, muster_user_filter_get_email_method (filter));
  addressable = email != NULL && *email != '\0';
  g_assert_cmpint (muster_user_filter_match (filter, NULL, user), ==, addressable);

  if (name != NULL && addressable)
    {
      muster_user_filter_set_search (filter, name);
      g_assert_true (muster_user_filter_match (filter, NULL, user));
      muster_user_filter_set_search (filter, NULL);
    }

  /* (a mail that starts with @ is read as a whole domain, like any such deny entry) */
  if (mail != NULL && mail[0] != '@' && strchr (mail, '@') != NULL)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (mail));
      const char * const deny[] = { mail, NULL };

      muster_user_filter_set_deny_list (filter, deny);
      if (g_str_equal (stripped, mail))
        g_assert_false (muster_user_filter_match (filter, NULL, user));
    }

  muster_user_filter_set_exclude_disabled (filter, TRUE);
  muster_user_filter_set_exclude_guests (filter, TRUE);
  muster_user_filter_set_exclude_unlicensed (filter, TRUE);
  explained = muster_user_filter_explain (filter, NULL, user);
  g_assert_true ((explained == NULL) == muster_user_filter_match (filter, NULL, user));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) objects = NULL;

  fuzz_init ();

  bytes = g_bytes_new_static (data, size);
  root = muster_http_parse_json (bytes, "fuzz", NULL);
  objects = fuzz_graph_objects (root);
  for (guint i = 0; i < objects->len; i++)
    {
      JsonObject *object = g_ptr_array_index (objects, i);
      g_autoptr(MusterUser) user = muster_user_new_from_json (object);

      g_assert_true (MUSTER_IS_USER (user));
      check_user (object, user);
      check_filters (user);
      _muster_user_set_resolved (user, muster_user_get_display_name (user), NULL);
      g_assert_cmpstr (muster_user_get_manager_name (user), ==, muster_user_get_display_name (user));
    }
  return 0;
}
