/* muster-fake-tenant.c: the fake Microsoft 365 on one loopback origin, in its own thread
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-tenant"

#include "config.h"

#include <glib/gstdio.h>

#include "muster-fake-private.h"
#include "muster-fake-http.h"
#include "muster-fake-modules.h"

struct _MusterFakeTenant
{
  GObject            parent_instance;

  MusterFakeContext  ctx;
  GThread           *thread;
  GMainLoop         *loop;

  /* start-up hand-over between the caller and the server thread */
  GMutex             lock;
  GCond              cond;
  gboolean           started;
  GError            *start_error;
};

G_DEFINE_FINAL_TYPE (MusterFakeTenant, muster_fake_tenant, G_TYPE_OBJECT)

typedef struct
{
  MusterFakeContext *ctx;
  MusterFakeHandler  handler;
  gpointer           user_data;
} HandlerClosure;

typedef struct
{
  HandlerClosure    *closure;
  SoupServerMessage *msg;
  char              *path;
  GHashTable        *query;
} DelayedRequest;

static void
run_handler (HandlerClosure    *closure,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query)
{
  MusterFakeContext *ctx = closure->ctx;

  if (ctx->faults != NULL && _muster_fake_faults_intercept (ctx->faults, ctx, msg, path))
    return;

  closure->handler (ctx, msg, path, query, closure->user_data);
}

static gboolean
delayed_request_cb (gpointer data)
{
  DelayedRequest *delayed = data;

  soup_server_message_unpause (delayed->msg);
  run_handler (delayed->closure, delayed->msg, delayed->path, delayed->query);

  g_object_unref (delayed->msg);
  g_free (delayed->path);
  g_clear_pointer (&delayed->query, g_hash_table_unref);
  g_free (delayed);
  return G_SOURCE_REMOVE;
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  HandlerClosure *closure = user_data;
  MusterFakeContext *ctx = closure->ctx;

  ctx->request_count++;

  if (ctx->options.latency_ms > 0)
    {
      DelayedRequest *delayed = g_new0 (DelayedRequest, 1);
      GSource *source;

      delayed->closure = closure;
      delayed->msg = g_object_ref (msg);
      delayed->path = g_strdup (path);
      delayed->query = query ? g_hash_table_ref (query) : NULL;
      soup_server_message_pause (msg);
      source = g_timeout_source_new (ctx->options.latency_ms);
      g_source_set_callback (source, delayed_request_cb, delayed, NULL);
      g_source_attach (source, ctx->main_context);
      g_source_unref (source);
      return;
    }

  run_handler (closure, msg, path, query);
}

void
_muster_fake_context_add_handler (MusterFakeContext *ctx,
                                  const char        *path_prefix,
                                  MusterFakeHandler  handler,
                                  gpointer           user_data)
{
  HandlerClosure *closure = g_new0 (HandlerClosure, 1);

  closure->ctx = ctx;
  closure->handler = handler;
  closure->user_data = user_data;
  soup_server_add_handler (ctx->server, path_prefix, server_callback, closure, g_free);
}

static gboolean
setup_server (MusterFakeTenant *self,
              GError          **error)
{
  MusterFakeContext *ctx = &self->ctx;
  SoupServerListenOptions listen_options = 0;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, ctx->options.port);
  g_autoslist(GUri) uris = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;

  if (g_strcmp0 (ctx->options.dataset, "generated") == 0)
    ctx->directory = muster_fake_directory_new_generated_sized (ctx->options.seed, ctx->options.users,
                                                                ctx->options.groups, ctx->options.group_size);
  else if (ctx->options.dataset == NULL || g_str_equal (ctx->options.dataset, "demo"))
    ctx->directory = muster_fake_directory_new_demo (ctx->options.seed);
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unknown dataset “%s” (use demo or generated)", ctx->options.dataset);
      return FALSE;
    }

  if (ctx->options.faults != NULL && *ctx->options.faults != '\0')
    {
      ctx->faults = _muster_fake_faults_new (ctx->options.faults, error);
      if (ctx->faults == NULL)
        return FALSE;
    }

  if (ctx->options.tls)
    {
      certificate = _muster_fake_tls_generate_certificate (&ctx->ca_file, error);
      if (certificate == NULL)
        return FALSE;
      listen_options |= SOUP_SERVER_LISTEN_HTTPS;
    }

  ctx->server = soup_server_new ("server-header", "Microsoft-IIS/10.0 (muster-fake-tenant)",
                                 "tls-certificate", certificate,
                                 NULL);

  /* Modules register their handlers; each keeps its own state in ctx. */
  ctx->identity = _muster_fake_identity_new (ctx);
  ctx->graph = _muster_fake_graph_new (ctx);
  ctx->scim = _muster_fake_scim_new (ctx);
  ctx->control = _muster_fake_control_new (ctx);
  _muster_fake_context_add_handler (ctx, "/_fake/faults", _muster_fake_faults_control_handler, NULL);
  if (ctx->options.throttle)
    ctx->throttle = _muster_fake_throttle_new (ctx);

  if (!soup_server_listen (ctx->server, address, listen_options, error))
    return FALSE;

  uris = soup_server_get_uris (ctx->server);
  g_assert (uris != NULL);
  ctx->base_url = g_strdup_printf ("%s://127.0.0.1:%d",
                                   ctx->options.tls ? "https" : "http",
                                   g_uri_get_port (uris->data));
  return TRUE;
}

static gpointer
server_thread (gpointer data)
{
  MusterFakeTenant *self = data;
  GError *error = NULL;
  gboolean ok;

  g_main_context_push_thread_default (self->ctx.main_context);

  ok = setup_server (self, &error);

  g_mutex_lock (&self->lock);
  self->started = TRUE;
  self->start_error = error;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (ok)
    g_main_loop_run (self->loop);

  if (self->ctx.server != NULL)
    soup_server_disconnect (self->ctx.server);

  g_main_context_pop_thread_default (self->ctx.main_context);
  return NULL;
}

static gboolean
quit_loop_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
muster_fake_tenant_finalize (GObject *object)
{
  MusterFakeTenant *self = (MusterFakeTenant *) object;
  MusterFakeContext *ctx = &self->ctx;

  muster_fake_tenant_stop (self);

  g_clear_pointer (&ctx->control, _muster_fake_control_free);
  g_clear_pointer (&ctx->scim, _muster_fake_scim_free);
  g_clear_pointer (&ctx->graph, _muster_fake_graph_free);
  g_clear_pointer (&ctx->identity, _muster_fake_identity_free);
  g_clear_pointer (&ctx->throttle, _muster_fake_throttle_free);
  g_clear_pointer (&ctx->faults, _muster_fake_faults_free);
  g_clear_pointer (&ctx->directory, muster_fake_directory_free);
  g_clear_object (&ctx->server);
  g_clear_pointer (&ctx->main_context, g_main_context_unref);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  if (ctx->ca_file != NULL)
    g_unlink (ctx->ca_file);
  g_free (ctx->ca_file);
  g_free (ctx->base_url);
  g_free ((char *) ctx->options.dataset);
  g_free ((char *) ctx->options.faults);
  g_clear_error (&self->start_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (muster_fake_tenant_parent_class)->finalize (object);
}

static void
muster_fake_tenant_class_init (MusterFakeTenantClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = muster_fake_tenant_finalize;
}

static void
muster_fake_tenant_init (MusterFakeTenant *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->ctx.main_context = g_main_context_new ();
  self->loop = g_main_loop_new (self->ctx.main_context, FALSE);
}

void
muster_fake_options_init (MusterFakeOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->dataset = "demo";
  options->users = 1000;
  options->groups = 50;
  options->seed = 42;
}

MusterFakeTenant *
muster_fake_tenant_new (const MusterFakeOptions *options)
{
  MusterFakeTenant *self = g_object_new (MUSTER_FAKE_TYPE_TENANT, NULL);

  g_return_val_if_fail (options != NULL, NULL);

  self->ctx.options = *options;
  self->ctx.options.dataset = g_strdup (options->dataset);
  self->ctx.options.faults = g_strdup (options->faults);
  return self;
}

/**
 * muster_fake_tenant_start:
 *
 * Generates the directory and starts serving on 127.0.0.1 in a thread of the tenant's own.
 * Returns once the socket listens, so muster_fake_tenant_get_base_url() is valid after it.
 */
gboolean
muster_fake_tenant_start (MusterFakeTenant *self,
                          GError          **error)
{
  g_return_val_if_fail (MUSTER_FAKE_IS_TENANT (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->thread = g_thread_new ("muster-fake-tenant", server_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->start_error != NULL)
    {
      g_thread_join (g_steal_pointer (&self->thread));
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      return FALSE;
    }
  return TRUE;
}

void
muster_fake_tenant_stop (MusterFakeTenant *self)
{
  g_return_if_fail (MUSTER_FAKE_IS_TENANT (self));

  if (self->thread == NULL)
    return;

  g_main_context_invoke (self->ctx.main_context, quit_loop_cb, self->loop);
  g_thread_join (g_steal_pointer (&self->thread));
}

const char *
muster_fake_tenant_get_base_url (MusterFakeTenant *self)
{
  g_return_val_if_fail (MUSTER_FAKE_IS_TENANT (self), NULL);
  return self->ctx.base_url;
}

const char *
muster_fake_tenant_get_ca_file (MusterFakeTenant *self)
{
  g_return_val_if_fail (MUSTER_FAKE_IS_TENANT (self), NULL);
  return self->ctx.ca_file;
}

const char *
muster_fake_tenant_get_tenant_id (MusterFakeTenant *self)
{
  g_return_val_if_fail (MUSTER_FAKE_IS_TENANT (self), NULL);
  return self->ctx.directory ? self->ctx.directory->tenant_id : NULL;
}

const char *
muster_fake_tenant_get_domain (MusterFakeTenant *self)
{
  g_return_val_if_fail (MUSTER_FAKE_IS_TENANT (self), NULL);
  return self->ctx.directory ? self->ctx.directory->initial_domain : NULL;
}

const char *
muster_fake_tenant_get_scim_token (MusterFakeTenant *self)
{
  g_return_val_if_fail (MUSTER_FAKE_IS_TENANT (self), NULL);
  return self->ctx.scim_token;
}
