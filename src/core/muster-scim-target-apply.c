/* muster-scim-target-apply.c: applying a push's operations to a SCIM 2.0 service (RFC 7644)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each operation is a Run: users are created (a 409 turned into a match), modified with PATCH
 * or PUT (one retry after 412), disabled or deleted; groups are found or created and their
 * members patched. Runs wait for the user or group they depend on and several are kept in
 * flight. Discovery and reading the state are muster-scim-target.c's.
 */

#define G_LOG_DOMAIN "muster-scim-target"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "muster-json.h"
#include "muster-scim-target-private.h"

/* --- apply ------------------------------------------------------------------------------------ */

typedef struct _Apply Apply;

typedef enum
{
  RUN_PENDING,
  RUN_ACTIVE,
  RUN_DONE,
} RunState;

typedef enum
{
  RESOLVE_READY,
  RESOLVE_WAIT,
  RESOLVE_FAIL,
} Resolve;

typedef struct
{
  Apply                 *apply;
  MusterOperation       *op;
  RunState               state;
  MusterOperationResult *result;
  gboolean               ignore_waits;  /* a cycle of managers: go without */

  char                  *target_id;     /* of the user or group the operation works on */
  char                  *member_id;
  char                  *manager_id;    /* the manager's target id, NULL when not known */
  gboolean               manager_wanted;
  char                  *version;
  JsonNode              *ops;           /* PatchOp Operations to send */
  JsonNode              *put_body;      /* where PATCH is not offered */
  JsonNode              *sent;          /* a create's body, compared with what the service kept */
  gboolean               retried;       /* after a 412 */
  gboolean               by_user_name;  /* 409: looking by userName now */
} Run;

struct _Apply
{
  MusterScimTarget *self;
  GTask            *task;
  GCancellable     *cancellable;
  GPtrArray        *runs;
  GHashTable       *user_creates;   /* Entra id → Run creating that user */
  GHashTable       *group_creates;  /* Entra group id → Run creating it */
  guint             first_pending;
  guint             active;
  guint             done;
  gboolean          pumping;
  gboolean          returned;
  gboolean          any_ok;
  GError           *fatal;          /* the service refused the token or vanished */
};

static void run_free (Run *run);
static void pump (Apply *apply);
static void user_modify (Run *run);

static void
apply_free (Apply *apply)
{
  g_ptr_array_unref (apply->runs);
  g_hash_table_unref (apply->user_creates);
  g_hash_table_unref (apply->group_creates);
  g_clear_object (&apply->cancellable);
  g_clear_error (&apply->fatal);
  g_object_unref (apply->self);
  g_free (apply);
}

static void
run_free (Run *run)
{
  muster_operation_unref (run->op);
  g_clear_pointer (&run->result, muster_operation_result_free);
  g_free (run->target_id);
  g_free (run->member_id);
  g_free (run->manager_id);
  g_free (run->version);
  g_clear_pointer (&run->ops, json_node_unref);
  g_clear_pointer (&run->put_body, json_node_unref);
  g_clear_pointer (&run->sent, json_node_unref);
  g_free (run);
}

static const char *
run_user_name (Run *run)
{
  MusterTargetUser *user = run->op->user;

  if (user != NULL && user->user_name != NULL)
    return user->user_name;
  if (user != NULL && user->external_id != NULL)
    return user->external_id;
  return run->target_id != NULL ? run->target_id : "?";
}

static const char *
run_group_name (Run *run)
{
  MusterTargetGroup *group = run->op->group;

  if (group != NULL && group->display_name != NULL)
    return group->display_name;
  if (group != NULL && group->external_id != NULL)
    return group->external_id;
  return run->target_id != NULL ? run->target_id : "?";
}

static const char *
run_member_name (Run *run)
{
  if (run->op->member_external_id != NULL)
    return run->op->member_external_id;
  if (run->member_id != NULL)
    return run->member_id;
  return run->op->member_id != NULL ? run->op->member_id : "?";
}

static char *
run_what (Run *run)
{
  switch (run->op->kind)
    {
    case MUSTER_OPERATION_CREATE_USER:
      return g_strdup_printf (_("Creating “%s”"), run_user_name (run));
    case MUSTER_OPERATION_UPDATE_USER:
      return g_strdup_printf (_("Updating “%s”"), run_user_name (run));
    case MUSTER_OPERATION_DISABLE_USER:
      return g_strdup_printf (_("Disabling “%s”"), run_user_name (run));
    case MUSTER_OPERATION_DELETE_USER:
      return g_strdup_printf (_("Deleting “%s”"), run_user_name (run));
    case MUSTER_OPERATION_CREATE_GROUP:
      return g_strdup_printf (_("Creating the group “%s”"), run_group_name (run));
    case MUSTER_OPERATION_ADD_MEMBER:
      return g_strdup_printf (_("Adding %s to the group “%s”"), run_member_name (run), run_group_name (run));
    case MUSTER_OPERATION_REMOVE_MEMBER:
      return g_strdup_printf (_("Removing %s from the group “%s”"), run_member_name (run), run_group_name (run));
    default:
      g_assert_not_reached ();
    }
}

static void
apply_return (Apply *apply)
{
  GPtrArray *results;
  GTask *task;

  if (apply->returned || apply->done < apply->runs->len || apply->active > 0)
    return;
  apply->returned = TRUE;
  task = apply->task;

  /* a target that could not be used at all changed nothing: say so as one error */
  if (apply->fatal != NULL && !apply->any_ok)
    {
      g_task_return_error (task, g_error_copy (apply->fatal));
      g_object_unref (task);
      return;
    }
  results = g_ptr_array_new_with_free_func ((GDestroyNotify) muster_operation_result_free);
  for (guint i = 0; i < apply->runs->len; i++)
    {
      Run *run = g_ptr_array_index (apply->runs, i);

      g_ptr_array_add (results, g_steal_pointer (&run->result));
    }
  g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

static void
run_settle (Run *run)
{
  Apply *apply = run->apply;

  if (run->state == RUN_ACTIVE)
    apply->active--;
  run->state = RUN_DONE;
  /* a batch may be a whole push: keep only the result */
  g_clear_pointer (&run->sent, json_node_unref);
  g_clear_pointer (&run->ops, json_node_unref);
  g_clear_pointer (&run->put_body, json_node_unref);
  apply->done++;
  if (!apply->pumping)
    pump (apply);
}

static void
run_ok (Run        *run,
        const char *target_id)
{
  run->result = muster_operation_result_new_ok (run->op, target_id);
  run->apply->any_ok = TRUE;
  run_settle (run);
}

static void
run_fail (Run    *run,
          GError *error)
{
  Apply *apply = run->apply;

  g_debug ("%s: %s", run->op->key, error->message);
  if (apply->fatal == NULL &&
      (g_error_matches (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_AUTH) ||
       g_error_matches (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_UNREACHABLE)))
    apply->fatal = g_error_copy (error);
  run->result = muster_operation_result_new_failed (run->op, error);
  g_error_free (error);
  run_settle (run);
}

static void
run_fail_response (Run                      *run,
                   const MusterScimResponse *response)
{
  g_autofree char *what = run_what (run);

  run_fail (run, muster_scim_response_to_error (response, what));
}

static void
run_fail_literal (Run               *run,
                  MusterTargetError  code,
                  const char        *reason)
{
  g_autofree char *what = run_what (run);

  run_fail (run, g_error_new (MUSTER_TARGET_ERROR, code, "%s: %s", what, reason));
}

/* The response, or NULL after failing @run with the transport's error. */
static MusterScimResponse *
run_response (Run          *run,
              GObject      *source,
              GAsyncResult *result)
{
  GError *error = NULL;
  MusterScimResponse *response = muster_scim_client_request_finish (MUSTER_SCIM_CLIENT (source), result, &error);

  if (response == NULL)
    run_fail (run, error);
  return response;
}

static void
run_request (Run                 *run,
             const char          *method,
             const char          *path,
             JsonNode            *body,
             const char          *if_match,
             GAsyncReadyCallback  callback)
{
  muster_scim_client_request_async (run->apply->self->client, method, path, body, if_match,
                                    run->apply->cancellable, callback, run);
}

static void
remember_user (MusterScimTarget *self,
               const char       *external_id,
               const char       *id)
{
  if (external_id != NULL && id != NULL)
    g_hash_table_replace (self->user_ids, g_strdup (external_id), g_strdup (id));
}

/* Users: modify (PATCH, or PUT), with one retry after 412 ------------------------------------- */

static void
user_refetched_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  JsonObject *object;

  if (response == NULL)
    return;
  object = muster_scim_response_get_object (response);
  if (response->status != 200 || object == NULL)
    {
      run_fail_response (run, response);
      return;
    }
  g_free (run->version);
  run->version = g_strdup (_muster_scim_resource_version (object, response));
  g_debug ("%s: changed in the service meanwhile; retrying with %s", run->op->key,
           run->version ? run->version : "no version");
  user_modify (run);
}

static void
user_modified_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Run *run = user_data;
  MusterScimTarget *self = run->apply->self;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);

  if (response == NULL)
    return;
  /* RFC 7644 §3.5.2: 200 with the resource, or 204 with none */
  if (response->status == 200 || response->status == 204)
    {
      if (run->op->kind == MUSTER_OPERATION_DISABLE_USER || run->op->kind == MUSTER_OPERATION_UPDATE_USER ||
          run->op->kind == MUSTER_OPERATION_CREATE_USER)
        remember_user (self, run->op->user ? run->op->user->external_id : NULL, run->target_id);
      run_ok (run, run->target_id);
      return;
    }
  if (response->status == 412 && !run->retried)
    {
      g_autofree char *path = _muster_scim_resource_path (self->discovery.users_endpoint, run->target_id);

      run->retried = TRUE;
      run_request (run, "GET", path, NULL, NULL, user_refetched_cb);
      return;
    }
  run_fail_response (run, response);
}

static void
user_modify (Run *run)
{
  MusterScimTarget *self = run->apply->self;
  g_autofree char *path = _muster_scim_resource_path (self->discovery.users_endpoint, run->target_id);
  const char *if_match = self->discovery.etags ? run->version : NULL;

  if (self->discovery.patch)
    {
      g_autoptr(JsonNode) body = NULL;
      JsonObject *object = json_object_new ();
      JsonArray *schemas = json_array_new ();

      json_array_add_string_element (schemas, MUSTER_SCIM_URN_PATCH_OP);
      json_object_set_array_member (object, "schemas", schemas);
      json_object_set_member (object, "Operations", json_node_ref (run->ops));
      body = json_node_init_object (json_node_alloc (), object);
      json_object_unref (object);
      run_request (run, "PATCH", path, body, if_match, user_modified_cb);
    }
  else
    run_request (run, "PUT", path, run->put_body, if_match, user_modified_cb);
}

/* Builds the PATCH operations for @changes (and the PUT body for services without PATCH), then
 * modifies; with nothing the service can take, it is done without a request. */
static void
user_modify_changes (Run       *run,
                     GPtrArray *changes)
{
  MusterScimTarget *self = run->apply->self;
  JsonArray *ops = json_array_new ();

  for (guint i = 0; i < changes->len; i++)
    {
      MusterFieldChange *change = g_ptr_array_index (changes, i);

      if (!_muster_scim_add_change_ops (&self->discovery, ops, change, run->op->user, run->manager_id))
        g_debug ("%s: %s not sent (%s)", run->op->key, change->field,
                 g_str_equal (change->field, MUSTER_ATTR_MANAGER) ? "the manager is not in the target yet"
                                                                  : "the service does not offer it");
    }
  g_clear_pointer (&run->ops, json_node_unref);
  run->ops = json_node_init_array (json_node_alloc (), ops);
  if (json_array_get_length (ops) == 0)
    {
      json_array_unref (ops);
      run_ok (run, run->target_id);
      return;
    }
  json_array_unref (ops);
  if (!self->discovery.patch)
    {
      g_clear_pointer (&run->put_body, json_node_unref);
      run->put_body = _muster_scim_user_to_json (&self->discovery, run->op->user, run->manager_id);
    }
  user_modify (run);
}

/* Users: create, and a 409 turned into a match -------------------------------------------------- */

static void user_find (Run *run);

static void
user_found_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  JsonObject *list;
  JsonArray *resources;
  JsonObject *found = NULL;

  if (response == NULL)
    return;
  list = muster_scim_response_get_object (response);
  if (response->status != 200 || list == NULL)
    {
      run_fail_response (run, response);
      return;
    }
  resources = muster_json_get_array (list, "Resources");
  if (resources != NULL && json_array_get_length (resources) > 0 &&
      JSON_NODE_HOLDS_OBJECT (json_array_get_element (resources, 0)))
    found = json_array_get_object_element (resources, 0);

  if (found == NULL || muster_json_get_string (found, "id") == NULL)
    {
      if (!run->by_user_name)
        {
          run->by_user_name = TRUE;
          user_find (run);
          return;
        }
      run_fail_literal (run, MUSTER_TARGET_ERROR_CONFLICT,
                        _("the service says the user exists but finds no one by externalId or userName"));
      return;
    }

  {
    g_autoptr(MusterTargetUser) current = _muster_scim_user_from_json (found, NULL);
    g_autoptr(GPtrArray) changes = _muster_scim_diff_users (run->op->user, run->manager_id, current);

    g_debug ("%s: already in the service as %s (matched by %s); %u fields to update", run->op->key, current->id,
             run->by_user_name ? "userName" : "externalId", changes->len);
    run->target_id = g_strdup (current->id);
    run->version = g_strdup (current->version);
    remember_user (run->apply->self, run->op->user->external_id, current->id);
    user_modify_changes (run, changes);
  }
}

static void
user_find (Run *run)
{
  MusterScimTarget *self = run->apply->self;
  MusterTargetUser *user = run->op->user;
  g_autofree char *path = NULL;

  if (!run->by_user_name && user->external_id == NULL)
    run->by_user_name = TRUE;
  path = run->by_user_name ? _muster_scim_filter_path (self->discovery.users_endpoint, "userName", user->user_name)
                           : _muster_scim_filter_path (self->discovery.users_endpoint, "externalId", user->external_id);
  run_request (run, "GET", path, NULL, NULL, user_found_cb);
}

static void
user_read_back_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  JsonObject *object;

  if (response == NULL)
    return;
  object = muster_scim_response_get_object (response);
  /* the user was made; reading it back is only for the log */
  if (response->status == 200 && object != NULL)
    _muster_scim_note_dropped (run_user_name (run), json_node_get_object (run->sent), object);
  else
    g_debug ("%s: could not read the new user back (HTTP %u)", run->op->key, response->status);
  run_ok (run, run->target_id);
}

static void
user_created_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;
  MusterScimTarget *self = run->apply->self;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  JsonObject *object;

  if (response == NULL)
    return;
  if (response->status == 201 || response->status == 200)
    {
      MusterScimDiscovery *d = &self->discovery;
      /* everything sent is in the schemas the service published: it keeps all of it */
      gboolean schema_known = d->user_attributes != NULL && (!d->enterprise || d->enterprise_attributes != NULL);
      const char *id;

      if (schema_known && response->location != NULL &&
          (run->target_id = _muster_scim_id_from_location (response->location)) != NULL)
        {
          remember_user (self, run->op->user->external_id, run->target_id);
          if (run->manager_wanted && run->manager_id == NULL)
            g_debug ("%s: made without a manager: the manager is not in the target yet", run->op->key);
          run_ok (run, run->target_id);
          return;
        }

      object = muster_scim_response_get_object (response);
      id = muster_json_get_string (object, "id");
      run->target_id = id != NULL ? g_strdup (id) : _muster_scim_id_from_location (response->location);
      if (run->target_id == NULL)
        {
          run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED,
                            _("the service made the user but gave no id for it"));
          return;
        }
      remember_user (self, run->op->user->external_id, run->target_id);
      if (run->manager_wanted && run->manager_id == NULL)
        g_debug ("%s: made without a manager: the manager is not in the target yet", run->op->key);
      /* a service may drop what it does not know; compare with what it kept */
      if (object != NULL && muster_json_get_string (object, "userName") != NULL)
        {
          _muster_scim_note_dropped (run_user_name (run), json_node_get_object (run->sent), object);
          run_ok (run, run->target_id);
        }
      else
        {
          g_autofree char *path = _muster_scim_resource_path (self->discovery.users_endpoint, run->target_id);

          run_request (run, "GET", path, NULL, NULL, user_read_back_cb);
        }
      return;
    }

  /* RFC 7644 §3.3: 409 "uniqueness" — someone made the user behind Muster's back */
  if (response->status == 409 && run->op->user->user_name != NULL)
    {
      g_debug ("%s: the service already has the user; matching instead", run->op->key);
      user_find (run);
      return;
    }
  run_fail_response (run, response);
}

static void
user_create (Run *run)
{
  MusterScimTarget *self = run->apply->self;

  run->sent = _muster_scim_user_to_json (&self->discovery, run->op->user, run->manager_id);
  run_request (run, "POST", self->discovery.users_endpoint, run->sent, NULL, user_created_cb);
}

/* Users: disable, delete ------------------------------------------------------------------------- */

static void
user_disable (Run *run)
{
  MusterScimTarget *self = run->apply->self;
  JsonArray *ops = json_array_new ();
  JsonNode *value = json_node_new (JSON_NODE_VALUE);

  json_node_set_boolean (value, FALSE);
  _muster_scim_add_patch_op (ops, "replace", "active", value);
  run->ops = json_node_init_array (json_node_alloc (), ops);
  json_array_unref (ops);
  run->version = g_strdup (run->op->user->version);
  if (!self->discovery.patch)
    {
      g_autoptr(MusterTargetUser) disabled = muster_target_user_copy (run->op->user);
      const char *manager = muster_target_user_get_attribute (disabled, MUSTER_ATTR_MANAGER);

      disabled->active = FALSE;
      run->put_body = _muster_scim_user_to_json (&self->discovery, disabled, manager ? g_hash_table_lookup (self->user_ids, manager) : NULL);
    }
  user_modify (run);
}

static void
user_deleted_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);

  if (response == NULL)
    return;
  if (response->status == 204 || response->status == 200 || response->status == 404)
    {
      if (response->status == 404)
        g_debug ("%s: already gone", run->op->key);
      if (run->op->user->external_id != NULL)
        g_hash_table_remove (run->apply->self->user_ids, run->op->user->external_id);
      run_ok (run, run->target_id);
      return;
    }
  run_fail_response (run, response);
}

/* Groups -------------------------------------------------------------------------------------- */

static void group_find (Run *run, gboolean by_name);

static void
group_found_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;
  MusterScimTarget *self = run->apply->self;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  JsonObject *list;
  JsonArray *resources;

  if (response == NULL)
    return;
  list = muster_scim_response_get_object (response);
  if (response->status != 200 || list == NULL)
    {
      run_fail_response (run, response);
      return;
    }
  resources = muster_json_get_array (list, "Resources");
  if (resources == NULL || json_array_get_length (resources) == 0 ||
      !JSON_NODE_HOLDS_OBJECT (json_array_get_element (resources, 0)))
    {
      if (!run->by_user_name)
        {
          group_find (run, TRUE);
          return;
        }
      run_fail_literal (run, MUSTER_TARGET_ERROR_CONFLICT,
                        _("the service says the group exists but finds none by externalId or displayName"));
      return;
    }
  {
    g_autoptr(MusterTargetGroup) group = _muster_scim_group_from_json (json_array_get_object_element (resources, 0));

    if (group->id == NULL)
      {
        run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED, _("the service gave a group without an id"));
        return;
      }
    run->target_id = g_strdup (group->id);
    if (run->op->group->external_id != NULL)
      g_hash_table_replace (self->group_ids, g_strdup (run->op->group->external_id), g_strdup (group->id));
    /* members read through a filter may be left out (Entra asks for excludedAttributes=members):
     * read them again before changing any */
    g_hash_table_remove (self->group_members, group->id);
    run_ok (run, group->id);
  }
}

static void
group_find (Run      *run,
            gboolean  by_name)
{
  MusterScimTarget *self = run->apply->self;
  MusterTargetGroup *group = run->op->group;
  g_autofree char *path = NULL;

  if (!by_name && group->external_id == NULL)
    by_name = TRUE;
  if (by_name && group->display_name == NULL)
    {
      run_fail_literal (run, MUSTER_TARGET_ERROR_CONFLICT, _("the service says the group exists"));
      return;
    }
  run->by_user_name = by_name;
  path = by_name ? _muster_scim_filter_path (self->discovery.groups_endpoint, "displayName", group->display_name)
                 : _muster_scim_filter_path (self->discovery.groups_endpoint, "externalId", group->external_id);
  run_request (run, "GET", path, NULL, NULL, group_found_cb);
}

static void
group_created_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Run *run = user_data;
  MusterScimTarget *self = run->apply->self;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);

  if (response == NULL)
    return;
  if (response->status == 201 || response->status == 200)
    {
      const char *id = muster_json_get_string (muster_scim_response_get_object (response), "id");

      run->target_id = id != NULL ? g_strdup (id) : _muster_scim_id_from_location (response->location);
      if (run->target_id == NULL)
        {
          run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED, _("the service made the group but gave no id for it"));
          return;
        }
      if (run->op->group->external_id != NULL)
        g_hash_table_replace (self->group_ids, g_strdup (run->op->group->external_id), g_strdup (run->target_id));
      g_hash_table_replace (self->group_members, g_strdup (run->target_id),
                            g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL));
      run_ok (run, run->target_id);
      return;
    }
  if (response->status == 409)
    {
      group_find (run, FALSE);
      return;
    }
  run_fail_response (run, response);
}

static void
group_create (Run *run)
{
  MusterScimTarget *self = run->apply->self;
  MusterTargetGroup *group = run->op->group;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *object = json_object_new ();
  JsonArray *schemas = json_array_new ();

  json_array_add_string_element (schemas, MUSTER_SCIM_URN_GROUP);
  json_object_set_array_member (object, "schemas", schemas);
  json_object_set_string_member (object, "displayName", group->display_name ? group->display_name : "");
  if (group->external_id != NULL)
    json_object_set_string_member (object, "externalId", group->external_id);
  body = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  run_request (run, "POST", self->discovery.groups_endpoint, body, NULL, group_created_cb);
}

static void
member_patched_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  GHashTable *members;

  if (response == NULL)
    return;
  if (response->status != 200 && response->status != 204)
    {
      run_fail_response (run, response);
      return;
    }
  members = g_hash_table_lookup (run->apply->self->group_members, run->target_id);
  if (members != NULL)
    {
      if (run->op->kind == MUSTER_OPERATION_ADD_MEMBER)
        g_hash_table_add (members, g_strdup (run->member_id));
      else
        g_hash_table_remove (members, run->member_id);
    }
  run_ok (run, run->target_id);
}

static void
member_patch (Run *run)
{
  MusterScimTarget *self = run->apply->self;
  GHashTable *members = g_hash_table_lookup (self->group_members, run->target_id);
  gboolean adding = run->op->kind == MUSTER_OPERATION_ADD_MEMBER;
  g_autofree char *path = _muster_scim_resource_path (self->discovery.groups_endpoint, run->target_id);
  g_autoptr(JsonNode) body = NULL;
  JsonObject *object;
  JsonArray *schemas, *ops;

  /* never add a member who is there already (nor remove one who is not) */
  if (members != NULL && g_hash_table_contains (members, run->member_id) == adding)
    {
      g_debug ("%s: nothing to do, %s is %s a member", run->op->key, run->member_id, adding ? "already" : "not");
      run_ok (run, run->target_id);
      return;
    }

  object = json_object_new ();
  schemas = json_array_new ();
  ops = json_array_new ();
  json_array_add_string_element (schemas, MUSTER_SCIM_URN_PATCH_OP);
  json_object_set_array_member (object, "schemas", schemas);
  if (adding)
    {
      JsonArray *value = json_array_new ();
      JsonObject *member = json_object_new ();

      json_object_set_string_member (member, "value", run->member_id);
      json_array_add_object_element (value, member);
      _muster_scim_add_patch_op (ops, "add", "members", json_node_init_array (json_node_alloc (), value));
      json_array_unref (value);
    }
  else
    {
      g_autofree char *quoted = muster_scim_quote (run->member_id);
      g_autofree char *member_path = g_strdup_printf ("members[value eq %s]", quoted);

      _muster_scim_add_patch_op (ops, "remove", member_path, NULL);
    }
  json_object_set_array_member (object, "Operations", ops);
  body = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  run_request (run, "PATCH", path, body, NULL, member_patched_cb);
}

static void
group_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Run *run = user_data;
  MusterScimTarget *self = run->apply->self;
  g_autoptr(MusterScimResponse) response = run_response (run, source, result);
  JsonObject *object;

  if (response == NULL)
    return;
  object = muster_scim_response_get_object (response);
  if (response->status != 200 || object == NULL)
    {
      run_fail_response (run, response);
      return;
    }
  if (!g_hash_table_contains (self->group_members, run->target_id))
    {
      g_autoptr(MusterTargetGroup) group = _muster_scim_group_from_json (object);

      g_hash_table_replace (self->group_members, g_strdup (run->target_id),
                            _muster_scim_target_member_set_copy (group->members));
    }
  member_patch (run);
}

static void
member_change (Run *run)
{
  MusterScimTarget *self = run->apply->self;

  if (!g_hash_table_contains (self->group_members, run->target_id))
    {
      g_autofree char *path = _muster_scim_resource_path (self->discovery.groups_endpoint, run->target_id);

      /* learn who is in the group first, so no one is added twice */
      run_request (run, "GET", path, NULL, NULL, group_read_cb);
      return;
    }
  member_patch (run);
}

/* Scheduling ---------------------------------------------------------------------------------- */

/* The target id of the user with Entra id @external_id: known, being made (wait), or neither. */
static Resolve
resolve_user (Run         *run,
              const char  *id,
              const char  *external_id,
              char       **out)
{
  Apply *apply = run->apply;
  const char *known;
  Run *creating;

  if (id != NULL)
    {
      *out = g_strdup (id);
      return RESOLVE_READY;
    }
  known = external_id != NULL ? g_hash_table_lookup (apply->self->user_ids, external_id) : NULL;
  if (known != NULL)
    {
      *out = g_strdup (known);
      return RESOLVE_READY;
    }
  creating = external_id != NULL ? g_hash_table_lookup (apply->user_creates, external_id) : NULL;
  if (creating != NULL && creating != run && creating->state != RUN_DONE)
    return RESOLVE_WAIT;
  return RESOLVE_FAIL;
}

static Resolve
run_resolve (Run *run)
{
  Apply *apply = run->apply;
  MusterOperation *op = run->op;
  MusterScimTarget *self = apply->self;
  Resolve resolve;

  switch (op->kind)
    {
    case MUSTER_OPERATION_CREATE_USER:
    case MUSTER_OPERATION_UPDATE_USER:
      {
        const char *manager = muster_target_user_get_attribute (op->user, MUSTER_ATTR_MANAGER);

        if (op->kind == MUSTER_OPERATION_UPDATE_USER && run->target_id == NULL)
          {
            resolve = resolve_user (run, op->user->id, op->user->external_id, &run->target_id);
            if (resolve == RESOLVE_FAIL)
              run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED, _("the user is not in the target"));
            if (resolve != RESOLVE_READY)
              return resolve;
          }
        if (op->kind == MUSTER_OPERATION_UPDATE_USER)
          {
            gboolean changes_manager = FALSE;

            for (guint i = 0; i < op->changes->len; i++)
              if (g_str_equal (((MusterFieldChange *) g_ptr_array_index (op->changes, i))->field, MUSTER_ATTR_MANAGER))
                changes_manager = TRUE;
            if (!changes_manager)
              manager = NULL;
          }
        run->manager_wanted = manager != NULL && _muster_scim_can_send (&self->discovery, MUSTER_ATTR_MANAGER);
        if (run->manager_wanted && run->manager_id == NULL)
          {
            resolve = resolve_user (run, NULL, manager, &run->manager_id);
            if (resolve == RESOLVE_WAIT && !run->ignore_waits)
              return RESOLVE_WAIT;
          }
        return RESOLVE_READY;
      }

    case MUSTER_OPERATION_DISABLE_USER:
    case MUSTER_OPERATION_DELETE_USER:
      resolve = resolve_user (run, op->user ? op->user->id : NULL, op->user ? op->user->external_id : NULL,
                              &run->target_id);
      if (resolve == RESOLVE_FAIL)
        run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED, _("the user is not in the target"));
      return resolve;

    case MUSTER_OPERATION_CREATE_GROUP:
      if (!self->discovery.groups)
        {
          run_fail_literal (run, MUSTER_TARGET_ERROR_UNSUPPORTED, _("the service offers no groups"));
          return RESOLVE_FAIL;
        }
      return RESOLVE_READY;

    case MUSTER_OPERATION_ADD_MEMBER:
    case MUSTER_OPERATION_REMOVE_MEMBER:
      if (!self->discovery.groups)
        {
          run_fail_literal (run, MUSTER_TARGET_ERROR_UNSUPPORTED, _("the service offers no groups"));
          return RESOLVE_FAIL;
        }
      if (run->target_id == NULL)
        {
          MusterTargetGroup *group = op->group;
          const char *known = NULL;
          Run *creating = NULL;

          if (group != NULL && group->id != NULL)
            known = group->id;
          else if (group != NULL && group->external_id != NULL)
            {
              known = g_hash_table_lookup (self->group_ids, group->external_id);
              creating = g_hash_table_lookup (apply->group_creates, group->external_id);
            }
          if (known == NULL)
            {
              if (creating != NULL && creating->state != RUN_DONE)
                return RESOLVE_WAIT;
              run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED,
                                creating != NULL ? _("the group could not be made") : _("the group is not in the target"));
              return RESOLVE_FAIL;
            }
          run->target_id = g_strdup (known);
        }
      if (run->member_id == NULL)
        {
          resolve = resolve_user (run, op->member_id, op->member_external_id, &run->member_id);
          if (resolve == RESOLVE_FAIL)
            run_fail_literal (run, MUSTER_TARGET_ERROR_REJECTED,
                              op->member_external_id != NULL &&
                              g_hash_table_contains (apply->user_creates, op->member_external_id)
                                ? _("the user could not be made") : _("the user is not in the target"));
          return resolve;
        }
      return RESOLVE_READY;

    default:
      g_assert_not_reached ();
    }
}

static void
run_start (Run *run)
{
  switch (run->op->kind)
    {
    case MUSTER_OPERATION_CREATE_USER:
      user_create (run);
      break;
    case MUSTER_OPERATION_UPDATE_USER:
      run->version = g_strdup (run->op->user->version);
      user_modify_changes (run, run->op->changes);
      break;
    case MUSTER_OPERATION_DISABLE_USER:
      user_disable (run);
      break;
    case MUSTER_OPERATION_DELETE_USER:
      {
        g_autofree char *path = _muster_scim_resource_path (run->apply->self->discovery.users_endpoint, run->target_id);

        run_request (run, "DELETE", path, NULL, NULL, user_deleted_cb);
      }
      break;
    case MUSTER_OPERATION_CREATE_GROUP:
      group_create (run);
      break;
    case MUSTER_OPERATION_ADD_MEMBER:
    case MUSTER_OPERATION_REMOVE_MEMBER:
      member_change (run);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
pump (Apply *apply)
{
  guint concurrency = apply->self->concurrency;
  gboolean progress = TRUE;

  apply->pumping = TRUE;
  while (progress)
    {
      gboolean stop = apply->fatal != NULL || g_cancellable_is_cancelled (apply->cancellable);
      guint waiting = 0;

      progress = FALSE;
      while (apply->first_pending < apply->runs->len &&
             ((Run *) g_ptr_array_index (apply->runs, apply->first_pending))->state != RUN_PENDING)
        apply->first_pending++;

      for (guint i = apply->first_pending; i < apply->runs->len && (stop || apply->active < concurrency); i++)
        {
          Run *run = g_ptr_array_index (apply->runs, i);

          if (run->state != RUN_PENDING)
            continue;
          if (stop)
            {
              GError *error = apply->fatal != NULL ? g_error_copy (apply->fatal)
                                                   : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                                          _("The push was cancelled"));
              run->result = muster_operation_result_new_failed (run->op, error);
              g_error_free (error);
              run->state = RUN_DONE;
              apply->done++;
              continue;
            }
          switch (run_resolve (run))
            {
            case RESOLVE_READY:
              run->state = RUN_ACTIVE;
              apply->active++;
              progress = TRUE;
              run_start (run);
              break;
            case RESOLVE_WAIT:
              waiting++;
              break;
            case RESOLVE_FAIL:
              /* run_resolve() settled it */
              progress = TRUE;
              break;
            }
        }

      /* only waiting runs left and nothing in flight: managers that wait for each other */
      if (!stop && !progress && apply->active == 0 && waiting > 0)
        {
          for (guint i = apply->first_pending; i < apply->runs->len; i++)
            {
              Run *run = g_ptr_array_index (apply->runs, i);

              if (run->state == RUN_PENDING)
                {
                  run->ignore_waits = TRUE;
                  progress = TRUE;
                  break;
                }
            }
        }
    }
  apply->pumping = FALSE;
  apply_return (apply);
}

static void
apply_discovered_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Apply *apply = user_data;
  GError *error = NULL;

  if (!_muster_scim_target_discover_finish (MUSTER_SCIM_TARGET (source), result, &error))
    {
      GTask *task = apply->task;

      /* cancelled before anything was sent: every operation is a cancelled result */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_error_free (error);
          pump (apply);
          return;
        }
      apply->returned = TRUE;
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  pump (apply);
}

void
_muster_scim_target_apply_async (MusterTarget        *target,
                                 const char          *run_id,
                                 GPtrArray           *operations,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  MusterScimTarget *self = MUSTER_SCIM_TARGET (target);
  Apply *apply = g_new0 (Apply, 1);

  apply->self = g_object_ref (self);
  apply->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (apply->task, _muster_scim_target_apply_async);
  /* cancelled, it still returns a result per operation */
  g_task_set_check_cancellable (apply->task, FALSE);
  g_task_set_task_data (apply->task, apply, (GDestroyNotify) apply_free);
  /* a private cancellable would not do: cancelling must reach requests in flight */
  apply->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  apply->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) run_free);
  apply->user_creates = g_hash_table_new (g_str_hash, g_str_equal);
  apply->group_creates = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < operations->len; i++)
    {
      MusterOperation *op = g_ptr_array_index (operations, i);
      Run *run = g_new0 (Run, 1);

      run->apply = apply;
      run->op = muster_operation_ref (op);
      g_ptr_array_add (apply->runs, run);
      if (op->kind == MUSTER_OPERATION_CREATE_USER && op->user != NULL && op->user->external_id != NULL)
        g_hash_table_insert (apply->user_creates, op->user->external_id, run);
      if (op->kind == MUSTER_OPERATION_CREATE_GROUP && op->group != NULL && op->group->external_id != NULL)
        g_hash_table_insert (apply->group_creates, op->group->external_id, run);
    }
  g_debug ("Applying %u operations of run %s", operations->len, run_id ? run_id : "-");
  _muster_scim_target_discover_async (self, FALSE, apply->cancellable, apply_discovered_cb, apply);
}

GPtrArray *
_muster_scim_target_apply_finish (MusterTarget  *target,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, target), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
