/* muster-connection.c: one profile's live state, kept out of the window the way GNOME Text
 * Editor keeps its documents in a session object: the window shows a connection and follows its
 * notifications, and a new profile shown is a new connection
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-connection"

#include "config.h"

#include "muster-connection.h"

struct _MusterConnection
{
  GObject               parent_instance;

  MusterProfileStore   *store;
  MusterProfile        *profile;
  MusterSession        *session;
  MusterGraphClient    *graph;
  MusterSnapshotStore  *snapshot_store;
  MusterSnapshot       *snapshot;
  MusterDirectoryFetch *fetch;
  gboolean              signed_in;
  MusterTarget         *target;
  MusterPlan           *plan;
  MusterPush           *push;
  MusterHistory        *history;
};

G_DEFINE_FINAL_TYPE (MusterConnection, muster_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROFILE_STORE,
  PROP_PROFILE,
  PROP_SESSION,
  PROP_GRAPH_CLIENT,
  PROP_SIGNED_IN,
  PROP_SNAPSHOT_STORE,
  PROP_SNAPSHOT,
  PROP_FETCH,
  PROP_FETCHING,
  PROP_TARGET,
  PROP_PLAN,
  PROP_PUSH,
  PROP_PUSHING,
  PROP_HISTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_signed_in (MusterConnection *self)
{
  gboolean signed_in = muster_profile_get_signed_in_at (self->profile) != 0;

  if (signed_in == self->signed_in)
    return;
  self->signed_in = signed_in;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
}

static void
muster_connection_constructed (GObject *object)
{
  MusterConnection *self = MUSTER_CONNECTION (object);

  G_OBJECT_CLASS (muster_connection_parent_class)->constructed (object);

  g_assert (MUSTER_IS_PROFILE_STORE (self->store));
  g_assert (MUSTER_IS_PROFILE (self->profile));
  self->session = muster_session_new (self->store, self->profile);
  self->signed_in = muster_profile_get_signed_in_at (self->profile) != 0;
}

static void
muster_connection_dispose (GObject *object)
{
  MusterConnection *self = MUSTER_CONNECTION (object);

  g_clear_object (&self->push);
  g_clear_object (&self->plan);
  g_clear_object (&self->target);
  g_clear_object (&self->history);
  g_clear_object (&self->fetch);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->snapshot_store);
  g_clear_object (&self->graph);
  g_clear_object (&self->session);
  g_clear_object (&self->profile);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (muster_connection_parent_class)->dispose (object);
}

static void
muster_connection_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MusterConnection *self = MUSTER_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_PROFILE_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_PROFILE:
      g_value_set_object (value, self->profile);
      break;
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_GRAPH_CLIENT:
      g_value_set_object (value, self->graph);
      break;
    case PROP_SIGNED_IN:
      g_value_set_boolean (value, self->signed_in);
      break;
    case PROP_SNAPSHOT_STORE:
      g_value_set_object (value, self->snapshot_store);
      break;
    case PROP_SNAPSHOT:
      g_value_set_object (value, self->snapshot);
      break;
    case PROP_FETCH:
      g_value_set_object (value, self->fetch);
      break;
    case PROP_FETCHING:
      g_value_set_boolean (value, self->fetch != NULL);
      break;
    case PROP_TARGET:
      g_value_set_object (value, self->target);
      break;
    case PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;
    case PROP_PUSH:
      g_value_set_object (value, self->push);
      break;
    case PROP_PUSHING:
      g_value_set_boolean (value, self->push != NULL);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_connection_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MusterConnection *self = MUSTER_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_PROFILE_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_PROFILE:
      self->profile = g_value_dup_object (value);
      break;
    case PROP_SNAPSHOT_STORE:
      muster_connection_set_snapshot_store (self, g_value_get_object (value));
      break;
    case PROP_SNAPSHOT:
      muster_connection_set_snapshot (self, g_value_get_object (value));
      break;
    case PROP_FETCH:
      muster_connection_set_fetch (self, g_value_get_object (value));
      break;
    case PROP_TARGET:
      muster_connection_set_target (self, g_value_get_object (value));
      break;
    case PROP_PLAN:
      muster_connection_set_plan (self, g_value_get_object (value));
      break;
    case PROP_PUSH:
      muster_connection_set_push (self, g_value_get_object (value));
      break;
    case PROP_HISTORY:
      muster_connection_set_history (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_connection_class_init (MusterConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags readable = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  GParamFlags writable = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = muster_connection_constructed;
  object_class->dispose = muster_connection_dispose;
  object_class->get_property = muster_connection_get_property;
  object_class->set_property = muster_connection_set_property;

  properties[PROP_PROFILE_STORE] =
    g_param_spec_object ("profile-store", NULL, NULL, MUSTER_TYPE_PROFILE_STORE, construct);
  properties[PROP_PROFILE] = g_param_spec_object ("profile", NULL, NULL, MUSTER_TYPE_PROFILE, construct);
  properties[PROP_SESSION] = g_param_spec_object ("session", NULL, NULL, MUSTER_TYPE_SESSION, readable);
  properties[PROP_GRAPH_CLIENT] =
    g_param_spec_object ("graph-client", NULL, NULL, MUSTER_TYPE_GRAPH_CLIENT, readable);
  properties[PROP_SIGNED_IN] = g_param_spec_boolean ("signed-in", NULL, NULL, FALSE, readable);
  properties[PROP_SNAPSHOT_STORE] =
    g_param_spec_object ("snapshot-store", NULL, NULL, MUSTER_TYPE_SNAPSHOT_STORE, writable);
  properties[PROP_SNAPSHOT] = g_param_spec_object ("snapshot", NULL, NULL, MUSTER_TYPE_SNAPSHOT, writable);
  properties[PROP_FETCH] = g_param_spec_object ("fetch", NULL, NULL, MUSTER_TYPE_DIRECTORY_FETCH, writable);
  properties[PROP_FETCHING] = g_param_spec_boolean ("fetching", NULL, NULL, FALSE, readable);
  properties[PROP_TARGET] = g_param_spec_object ("target", NULL, NULL, MUSTER_TYPE_TARGET, writable);
  properties[PROP_PLAN] = g_param_spec_object ("plan", NULL, NULL, MUSTER_TYPE_PLAN, writable);
  properties[PROP_PUSH] = g_param_spec_object ("push", NULL, NULL, MUSTER_TYPE_PUSH, writable);
  properties[PROP_PUSHING] = g_param_spec_boolean ("pushing", NULL, NULL, FALSE, readable);
  properties[PROP_HISTORY] = g_param_spec_object ("history", NULL, NULL, MUSTER_TYPE_HISTORY, writable);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
muster_connection_init (MusterConnection *self)
{
}

MusterConnection *
muster_connection_new (MusterProfileStore *store,
                       MusterProfile      *profile)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE_STORE (store), NULL);
  g_return_val_if_fail (MUSTER_IS_PROFILE (profile), NULL);

  return g_object_new (MUSTER_TYPE_CONNECTION, "profile-store", store, "profile", profile, NULL);
}

MusterProfileStore *
muster_connection_get_profile_store (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), NULL);
  return self->store;
}

MusterProfile *
muster_connection_get_profile (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), NULL);
  return self->profile;
}

MusterSession *
muster_connection_get_session (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), NULL);
  return self->session;
}

MusterGraphClient *
muster_connection_get_graph_client (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), NULL);
  return self->graph;
}

MusterGraphClient *
muster_connection_ensure_graph_client (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), NULL);

  if (self->graph == NULL)
    {
      self->graph = muster_graph_client_new (self->session);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRAPH_CLIENT]);
    }
  return self->graph;
}

void
muster_connection_reset_graph_client (MusterConnection *self)
{
  g_return_if_fail (MUSTER_IS_CONNECTION (self));

  if (self->graph == NULL)
    return;
  g_clear_object (&self->graph);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRAPH_CLIENT]);
}

gboolean
muster_connection_get_signed_in (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), FALSE);
  return self->signed_in;
}

void
muster_connection_profile_changed (MusterConnection *self)
{
  g_return_if_fail (MUSTER_IS_CONNECTION (self));
  update_signed_in (self);
}

MusterSnapshotStore *
muster_connection_get_snapshot_store (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), NULL);
  return self->snapshot_store;
}

void
muster_connection_set_snapshot_store (MusterConnection    *self,
                                      MusterSnapshotStore *store)
{
  g_return_if_fail (MUSTER_IS_CONNECTION (self));
  g_return_if_fail (store == NULL || MUSTER_IS_SNAPSHOT_STORE (store));

  if (g_set_object (&self->snapshot_store, store))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOT_STORE]);
}

MusterSnapshot *
muster_connection_get_snapshot (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), NULL);
  return self->snapshot;
}

void
muster_connection_set_snapshot (MusterConnection *self,
                                MusterSnapshot   *snapshot)
{
  g_return_if_fail (MUSTER_IS_CONNECTION (self));
  g_return_if_fail (snapshot == NULL || MUSTER_IS_SNAPSHOT (snapshot));

  if (g_set_object (&self->snapshot, snapshot))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOT]);
}

MusterDirectoryFetch *
muster_connection_get_fetch (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), NULL);
  return self->fetch;
}

void
muster_connection_set_fetch (MusterConnection     *self,
                             MusterDirectoryFetch *fetch)
{
  gboolean was_fetching;

  g_return_if_fail (MUSTER_IS_CONNECTION (self));
  g_return_if_fail (fetch == NULL || MUSTER_IS_DIRECTORY_FETCH (fetch));

  was_fetching = self->fetch != NULL;
  if (!g_set_object (&self->fetch, fetch))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FETCH]);
  if (was_fetching != (fetch != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FETCHING]);
}

gboolean
muster_connection_get_fetching (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), FALSE);
  return self->fetch != NULL;
}

MusterTarget *
muster_connection_get_target (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), NULL);
  return self->target;
}

void
muster_connection_set_target (MusterConnection *self,
                              MusterTarget     *target)
{
  g_return_if_fail (MUSTER_IS_CONNECTION (self));
  g_return_if_fail (target == NULL || MUSTER_IS_TARGET (target));

  if (g_set_object (&self->target, target))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TARGET]);
}

MusterPlan *
muster_connection_get_plan (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), NULL);
  return self->plan;
}

void
muster_connection_set_plan (MusterConnection *self,
                            MusterPlan       *plan)
{
  g_return_if_fail (MUSTER_IS_CONNECTION (self));
  g_return_if_fail (plan == NULL || MUSTER_IS_PLAN (plan));

  if (g_set_object (&self->plan, plan))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAN]);
}

MusterPush *
muster_connection_get_push (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), NULL);
  return self->push;
}

void
muster_connection_set_push (MusterConnection *self,
                            MusterPush       *push)
{
  gboolean was_pushing;

  g_return_if_fail (MUSTER_IS_CONNECTION (self));
  g_return_if_fail (push == NULL || MUSTER_IS_PUSH (push));

  was_pushing = self->push != NULL;
  if (!g_set_object (&self->push, push))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PUSH]);
  if (was_pushing != (push != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PUSHING]);
}

gboolean
muster_connection_get_pushing (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), FALSE);
  return self->push != NULL;
}

MusterHistory *
muster_connection_get_history (MusterConnection *self)
{
  g_return_val_if_fail (MUSTER_IS_CONNECTION (self), NULL);
  return self->history;
}

void
muster_connection_set_history (MusterConnection *self,
                               MusterHistory    *history)
{
  g_return_if_fail (MUSTER_IS_CONNECTION (self));
  g_return_if_fail (history == NULL || MUSTER_IS_HISTORY (history));

  if (g_set_object (&self->history, history))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}
