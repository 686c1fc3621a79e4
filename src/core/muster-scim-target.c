/* muster-scim-target.c: a SCIM 2.0 service (RFC 7643/7644) as a target Muster pushes people into
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SCIM services in the field differ from each other and from the RFC, so this client:
 *  - reads ServiceProviderConfig, ResourceTypes and Schemas first and uses only what they
 *    advertise (PATCH, ETags, the enterprise extension, roles and userType);
 *  - filters only with "eq" and "and" on userName, externalId and id, the operators Entra's
 *    provisioning service limits itself to (Microsoft Learn, "Tutorial: Develop and plan
 *    provisioning for a SCIM endpoint");
 *  - pages with startIndex and count ≤ 200, advancing by what a page really held and stopping at
 *    totalResults, or at a page that brings nothing new (RFC 7644 §3.4.2.4);
 *  - creates with POST, taking the id from the body or Location; a 409 "uniqueness" means the
 *    user is there already: it is found by externalId, then userName, and updated instead;
 *  - updates with a PATCH of exactly the changed fields and lower-case ops (§3.5.2), PUT only
 *    where PATCH is not offered; If-Match only where ETags are (§3.14), and on 412 it reads the
 *    user again and retries once;
 *  - disables with active=false (a JSON boolean), deletes with DELETE;
 *  - adds group members with PATCH "add" and removes them with members[value eq "id"], never
 *    adding one who is there already;
 *  - keeps several requests in flight over kept-alive connections.
 *
 * This file discovers what the service offers and reads its users and groups; applying the
 * operations of a push is muster-scim-target-apply.c's.
 */

#define G_LOG_DOMAIN "muster-scim-target"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "muster-json.h"
#include "muster-scim-target-private.h"

/* RFC 7644 §3.4.2.4 lets a service cap count; 200 is what Entra and most services accept */
#define PAGE_SIZE 200


static void muster_scim_target_iface_init (MusterTargetInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MusterScimTarget, muster_scim_target, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MUSTER_TYPE_TARGET, muster_scim_target_iface_init))

GHashTable *
_muster_scim_target_member_set_copy (GHashTable *members)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, members);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (copy, g_strdup (key));
  return copy;
}


/* --- discovery -------------------------------------------------------------------------------- */

typedef struct
{
  guint step;
} DiscoverData;

static void discover_next (GTask *task);


static void
discover_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  MusterScimTarget *self = g_task_get_source_object (task);
  DiscoverData *data = g_task_get_task_data (task);
  MusterScimDiscovery *d = &self->discovery;
  g_autoptr(MusterScimResponse) response = NULL;
  GError *error = NULL;

  response = muster_scim_client_request_finish (MUSTER_SCIM_CLIENT (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  switch (data->step)
    {
    case 0:
      if (response->status != 200 || muster_scim_response_get_object (response) == NULL)
        {
          g_task_return_new_error (task, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_UNSUPPORTED,
                                   _("%s does not answer like a SCIM 2.0 service (its ServiceProviderConfig "
                                     "gave HTTP %u)"),
                                   muster_scim_client_get_base_url (self->client), response->status);
          g_object_unref (task);
          return;
        }
      _muster_scim_discovery_read_config (d, muster_scim_response_get_object (response));
      break;
    case 1:
      /* without ResourceTypes, the RFC's endpoints and no extension */
      if (response->status == 200)
        _muster_scim_discovery_read_resource_types (d, _muster_scim_resources_of (muster_scim_response_get_json (response)));
      else
        g_debug ("ResourceTypes gave HTTP %u; assuming /Users and /Groups", response->status);
      break;
    case 2:
      if (response->status == 200)
        _muster_scim_discovery_read_schemas (d, _muster_scim_resources_of (muster_scim_response_get_json (response)));
      else
        g_debug ("Schemas gave HTTP %u; sending only common attributes", response->status);
      break;
    default:
      g_assert_not_reached ();
    }
  data->step++;
  discover_next (task);
}

static void
discover_next (GTask *task)
{
  MusterScimTarget *self = g_task_get_source_object (task);
  DiscoverData *data = g_task_get_task_data (task);
  MusterScimDiscovery *d = &self->discovery;
  static const char * const paths[] = { "/ServiceProviderConfig", "/ResourceTypes", "/Schemas" };

  if (data->step < G_N_ELEMENTS (paths))
    {
      muster_scim_client_request_async (self->client, "GET", paths[data->step], NULL, NULL,
                                        g_task_get_cancellable (task), discover_cb, task);
      return;
    }

  _muster_scim_discovery_finish (d);
  g_debug ("%s: PATCH %s, ETags %s, Bulk %s, groups %s, enterprise %s, roles %s, userType %s",
           muster_scim_client_get_base_url (self->client), d->patch ? "yes" : "no", d->etags ? "yes" : "no",
           d->bulk ? "yes" : "no", d->groups ? "yes" : "no", d->enterprise ? "yes" : "no",
           d->roles ? "yes" : "no", d->user_type ? "yes" : "no");
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
_muster_scim_target_discover_async (MusterScimTarget    *self,
                                    gboolean             again,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, _muster_scim_target_discover_async);
  if (self->discovery.done && !again)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  _muster_scim_discovery_clear (&self->discovery);
  g_task_set_task_data (task, g_new0 (DiscoverData, 1), g_free);
  discover_next (task);
}

gboolean
_muster_scim_target_discover_finish (MusterScimTarget  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- read_state ------------------------------------------------------------------------------- */

typedef struct
{
  MusterTargetState *state;
  GPtrArray         *users;     /* MusterTargetUser, managers still target ids */
  GHashTable        *seen;      /* ids of this resource type read so far */
  gboolean           groups;    /* reading groups now */
  guint              start;     /* 1-based */
  gint64             total;     /* of this resource type; -1 unknown */
  guint              users_total;
  guint              done;
} ReadData;

static void
read_data_free (ReadData *data)
{
  g_clear_pointer (&data->state, muster_target_state_unref);
  g_clear_pointer (&data->users, g_ptr_array_unref);
  g_clear_pointer (&data->seen, g_hash_table_unref);
  g_free (data);
}

static void read_next_page (GTask *task);

static void
read_finish_users (MusterScimTarget *self,
                   ReadData         *data)
{
  g_autoptr(GHashTable) external_by_id = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < data->users->len; i++)
    {
      MusterTargetUser *user = g_ptr_array_index (data->users, i);

      if (user->id != NULL && user->external_id != NULL)
        {
          g_hash_table_insert (external_by_id, user->id, user->external_id);
          g_hash_table_replace (self->user_ids, g_strdup (user->external_id), g_strdup (user->id));
        }
    }
  /* the manager attribute holds the manager's Entra id, where the target knows it */
  for (guint i = 0; i < data->users->len; i++)
    {
      MusterTargetUser *user = g_ptr_array_index (data->users, i);
      const char *manager = muster_target_user_get_attribute (user, MUSTER_ATTR_MANAGER);
      const char *external = manager ? g_hash_table_lookup (external_by_id, manager) : NULL;

      if (external != NULL)
        muster_target_user_set_attribute (user, MUSTER_ATTR_MANAGER, external);
      muster_target_state_add_user (data->state, user);
    }
}

static void
read_page_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  MusterScimTarget *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  g_autoptr(MusterScimResponse) response = NULL;
  GError *error = NULL;
  JsonObject *list;
  JsonArray *resources;
  guint returned, fresh = 0;

  response = muster_scim_client_request_finish (MUSTER_SCIM_CLIENT (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  list = muster_scim_response_get_object (response);
  if (response->status != 200 || list == NULL)
    {
      g_task_return_error (task, muster_scim_response_to_error (response, data->groups ? _("Reading groups")
                                                                                       : _("Reading users")));
      g_object_unref (task);
      return;
    }

  resources = muster_json_get_array (list, "Resources");
  returned = resources != NULL ? json_array_get_length (resources) : 0;
  data->total = muster_json_get_int (list, "totalResults", -1);
  for (guint i = 0; i < returned; i++)
    {
      JsonNode *node = json_array_get_element (resources, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = muster_json_get_string (object, "id");

      /* a service that repeats a page (or shifts under concurrent writes) gives ids twice */
      if (id == NULL || !g_hash_table_add (data->seen, g_strdup (id)))
        continue;
      fresh++;
      if (data->groups)
        {
          g_autoptr(MusterTargetGroup) group = _muster_scim_group_from_json (object);

          if (group->external_id != NULL)
            g_hash_table_replace (self->group_ids, g_strdup (group->external_id), g_strdup (group->id));
          g_hash_table_replace (self->group_members, g_strdup (group->id),
                                _muster_scim_target_member_set_copy (group->members));
          muster_target_state_add_group (data->state, group);
        }
      else
        g_ptr_array_add (data->users, _muster_scim_user_from_json (object, NULL));
    }
  data->start += returned;
  data->done += fresh;
  g_signal_emit_by_name (self, "progress", data->done,
                         data->total >= 0 ? (guint) data->total + data->users_total : 0);

  if (returned == 0 || fresh == 0 || (data->total >= 0 && data->start > (guint64) data->total))
    {
      if (data->groups || !self->discovery.groups)
        {
          if (!data->groups)
            read_finish_users (self, data);
          muster_target_state_set_roles (data->state, (const char * const *) self->roles);
          g_task_return_pointer (task, muster_target_state_ref (data->state),
                                 (GDestroyNotify) muster_target_state_unref);
          g_object_unref (task);
          return;
        }
      read_finish_users (self, data);
      data->users_total = data->done;
      data->groups = TRUE;
      data->start = 1;
      data->total = -1;
      g_hash_table_remove_all (data->seen);
    }
  read_next_page (task);
}

static void
read_next_page (GTask *task)
{
  MusterScimTarget *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  guint count = PAGE_SIZE;
  g_autofree char *path = NULL;

  if (self->discovery.max_results > 0)
    count = MIN (count, self->discovery.max_results);
  path = g_strdup_printf ("%s?startIndex=%u&count=%u",
                          data->groups ? self->discovery.groups_endpoint : self->discovery.users_endpoint,
                          data->start, count);
  muster_scim_client_request_async (self->client, "GET", path, NULL, NULL, g_task_get_cancellable (task),
                                    read_page_cb, task);
}

static void
read_discovered_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!_muster_scim_target_discover_finish (MUSTER_SCIM_TARGET (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  read_next_page (task);
}

static void
muster_scim_target_read_state_async (MusterTarget        *target,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  MusterScimTarget *self = MUSTER_SCIM_TARGET (target);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ReadData *data = g_new0 (ReadData, 1);

  g_task_set_source_tag (task, muster_scim_target_read_state_async);
  data->state = muster_target_state_new ();
  data->users = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_target_user_unref);
  data->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  data->start = 1;
  data->total = -1;
  g_task_set_task_data (task, data, (GDestroyNotify) read_data_free);
  /* a read is where a plan starts: learn the service afresh */
  _muster_scim_target_discover_async (self, TRUE, cancellable, read_discovered_cb, task);
}

static MusterTargetState *
muster_scim_target_read_state_finish (MusterTarget  *target,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, target), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- the rest of the interface ---------------------------------------------------------------- */

static char *
muster_scim_target_describe (MusterTarget *target)
{
  MusterScimTarget *self = MUSTER_SCIM_TARGET (target);

  return g_strdup_printf (_("SCIM service %s"), muster_scim_client_get_base_url (self->client));
}

static char *
muster_scim_target_get_uri (MusterTarget *target)
{
  MusterScimTarget *self = MUSTER_SCIM_TARGET (target);

  return g_strconcat ("scim:", muster_scim_client_get_base_url (self->client), NULL);
}

static MusterTargetFeatures
muster_scim_target_get_features (MusterTarget *target)
{
  MusterScimTarget *self = MUSTER_SCIM_TARGET (target);
  MusterScimDiscovery *d = &self->discovery;
  MusterTargetFeatures features = 0;

  if (!d->done)
    return 0;
  /* DELETE on a resource is part of the core protocol (RFC 7644 §3.6) */
  features |= MUSTER_TARGET_FEATURE_DELETE;
  if (d->groups)
    features |= MUSTER_TARGET_FEATURE_GROUPS;
  if (d->roles)
    features |= MUSTER_TARGET_FEATURE_ROLES;
  if (d->user_type)
    features |= MUSTER_TARGET_FEATURE_USER_TYPE;
  if (d->enterprise)
    features |= MUSTER_TARGET_FEATURE_ENTERPRISE;
  if (d->etags)
    features |= MUSTER_TARGET_FEATURE_ETAGS;
  if (d->bulk)
    features |= MUSTER_TARGET_FEATURE_BULK;
  return features;
}

static void
muster_scim_target_iface_init (MusterTargetInterface *iface)
{
  iface->describe = muster_scim_target_describe;
  iface->get_uri = muster_scim_target_get_uri;
  iface->get_features = muster_scim_target_get_features;
  iface->read_state_async = muster_scim_target_read_state_async;
  iface->read_state_finish = muster_scim_target_read_state_finish;
  iface->apply_async = _muster_scim_target_apply_async;
  iface->apply_finish = _muster_scim_target_apply_finish;
}

static void
muster_scim_target_finalize (GObject *object)
{
  MusterScimTarget *self = MUSTER_SCIM_TARGET (object);

  g_clear_object (&self->client);
  g_strfreev (self->roles);
  _muster_scim_discovery_clear (&self->discovery);
  g_hash_table_unref (self->user_ids);
  g_hash_table_unref (self->group_ids);
  g_hash_table_unref (self->group_members);
  G_OBJECT_CLASS (muster_scim_target_parent_class)->finalize (object);
}

static void
muster_scim_target_class_init (MusterScimTargetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = muster_scim_target_finalize;
}

static void
muster_scim_target_init (MusterScimTarget *self)
{
  self->concurrency = 8;
  self->roles = g_new0 (char *, 1);
  self->user_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->group_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->group_members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
}

/* --- public API ------------------------------------------------------------------------------- */

MusterScimTarget *
muster_scim_target_new (const char  *base_url,
                        const char  *token,
                        GError     **error)
{
  g_autoptr(MusterScimClient) client = NULL;
  MusterScimTarget *self;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  client = muster_scim_client_new (base_url, token, error);
  if (client == NULL)
    return NULL;
  self = g_object_new (MUSTER_TYPE_SCIM_TARGET, NULL);
  self->client = g_steal_pointer (&client);
  return self;
}

void
muster_scim_target_set_roles (MusterScimTarget   *self,
                              const char * const *roles)
{
  g_autoptr(MusterTargetUser) sorter = muster_target_user_new ();

  g_return_if_fail (MUSTER_IS_SCIM_TARGET (self));

  muster_target_user_set_roles (sorter, roles);
  g_strfreev (self->roles);
  self->roles = g_strdupv (sorter->roles);
}

void
muster_scim_target_set_concurrency (MusterScimTarget *self,
                                    guint             n)
{
  g_return_if_fail (MUSTER_IS_SCIM_TARGET (self));

  self->concurrency = CLAMP (n, 1, 64);
  muster_scim_client_set_connections (self->client, self->concurrency);
}

guint
muster_scim_target_get_concurrency (MusterScimTarget *self)
{
  g_return_val_if_fail (MUSTER_IS_SCIM_TARGET (self), 0);
  return self->concurrency;
}

static void
test_users_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(MusterScimResponse) response = NULL;
  GError *error = NULL;

  response = muster_scim_client_request_finish (MUSTER_SCIM_CLIENT (source), result, &error);
  if (response == NULL)
    g_task_return_error (task, error);
  else if (response->status != 200 || muster_scim_response_get_object (response) == NULL)
    g_task_return_error (task, muster_scim_response_to_error (response, _("Reading users")));
  else
    g_task_return_boolean (task, TRUE);
}

static void
test_discovered_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MusterScimTarget *self = MUSTER_SCIM_TARGET (source);
  g_autofree char *path = NULL;
  GError *error = NULL;

  if (!_muster_scim_target_discover_finish (self, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  path = g_strdup_printf ("%s?startIndex=1&count=1", self->discovery.users_endpoint);
  muster_scim_client_request_async (self->client, "GET", path, NULL, NULL, g_task_get_cancellable (task),
                                    test_users_cb, g_object_ref (task));
}

void
muster_scim_target_test_connection_async (MusterScimTarget    *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MUSTER_IS_SCIM_TARGET (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_scim_target_test_connection_async);
  _muster_scim_target_discover_async (self, TRUE, cancellable, test_discovered_cb, task);
}

gboolean
muster_scim_target_test_connection_finish (MusterScimTarget  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
