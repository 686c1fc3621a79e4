/* muster-loopback.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-loopback"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "muster-auth-error.h"
#include "muster-loopback.h"

struct _MusterLoopback
{
  GObject     parent_instance;

  SoupServer *server;
  guint       port;
  char       *redirect_uri;

  GTask      *task;        /* the pending wait, if any */
  char       *state;
  guint       timeout_id;
  gulong      cancelled_id;
  gboolean    completed;   /* a code or an error was taken: later deliveries are refused */
};

G_DEFINE_FINAL_TYPE (MusterLoopback, muster_loopback, G_TYPE_OBJECT)

static void
reply_page (SoupServerMessage *msg,
            guint              status,
            const char        *title,
            const char        *text)
{
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped_text = g_markup_escape_text (text, -1);
  char *body = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                                "<meta name=\"viewport\" content=\"width=device-width\">"
                                "<title>%s</title>"
                                "<style>body{font-family:Cantarell,sans-serif;max-width:34em;margin:4em auto;"
                                "padding:0 1em;color:#1e1e1e;background:#fafafa}"
                                "@media (prefers-color-scheme:dark){body{color:#fff;background:#242424}}"
                                "h1{font-size:1.6em}</style></head>"
                                "<body><h1>%s</h1><p>%s</p></body></html>\n",
                                escaped_title, escaped_title, escaped_text);

  soup_server_message_set_status (msg, status, NULL);
  /* the answer page must not be cached or framed */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-Frame-Options", "DENY");
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
finish_wait (MusterLoopback *self,
             GHashTable     *answer,
             GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), self->cancelled_id);
      self->cancelled_id = 0;
    }
  self->completed = TRUE;

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, answer, (GDestroyNotify) g_hash_table_unref);
}

static GHashTable *
copy_query (GHashTable *query)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  return copy;
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  MusterLoopback *self = user_data;
  const char *code = query ? g_hash_table_lookup (query, "code") : NULL;
  const char *error = query ? g_hash_table_lookup (query, "error") : NULL;
  const char *state = query ? g_hash_table_lookup (query, "state") : NULL;
  const char *admin_consent = query ? g_hash_table_lookup (query, "admin_consent") : NULL;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  if (g_str_equal (path, "/done"))
    {
      reply_page (msg, SOUP_STATUS_OK, _("You are signed in to Muster"),
                  _("You can close this tab and go back to Muster."));
      return;
    }

  if (code == NULL && error == NULL && admin_consent == NULL)
    {
      reply_page (msg, SOUP_STATUS_NOT_FOUND, _("Nothing here"),
                  _("This address only receives Microsoft’s sign-in answer for Muster."));
      return;
    }

  if (self->completed)
    {
      reply_page (msg, SOUP_STATUS_BAD_REQUEST, _("Sign-in already finished"),
                  _("Muster already received an answer for this sign-in. You can close this tab."));
      return;
    }

  /* An answer with a state we did not send could be forged by another page (CSRF): refuse it and
   * keep waiting for the real one. */
  if (self->task == NULL || state == NULL || g_strcmp0 (state, self->state) != 0)
    {
      g_debug ("Refused a sign-in answer with an unexpected state");
      reply_page (msg, SOUP_STATUS_BAD_REQUEST, _("Unexpected sign-in answer"),
                  _("This answer does not belong to the sign-in Muster started. Start again from Muster."));
      return;
    }

  if (error != NULL)
    {
      const char *description = g_hash_table_lookup (query, "error_description");

      reply_page (msg, SOUP_STATUS_OK, _("Sign-in cancelled"),
                  _("Muster was not signed in. You can close this tab and try again from Muster."));
      finish_wait (self, NULL, muster_auth_error_from_response (error, description, NULL, 0));
      return;
    }

  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, "/done");
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  finish_wait (self, copy_query (query), NULL);
}

static gboolean
timeout_cb (gpointer user_data)
{
  MusterLoopback *self = user_data;

  self->timeout_id = 0;
  finish_wait (self, NULL, g_error_new_literal (MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_TIMED_OUT,
                                                _("Nobody finished signing in in the browser in time. Start again.")));
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_idle_cb (gpointer user_data)
{
  g_autoptr(MusterLoopback) self = user_data;

  if (self->task != NULL)
    finish_wait (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sign-in cancelled")));
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable   *cancellable,
              MusterLoopback *self)
{
  /* may run in any thread, and g_cancellable_disconnect() must not run inside the handler */
  g_idle_add (cancelled_idle_cb, g_object_ref (self));
}

static void
muster_loopback_dispose (GObject *object)
{
  MusterLoopback *self = MUSTER_LOOPBACK (object);

  if (self->task != NULL)
    finish_wait (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sign-in cancelled")));
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (muster_loopback_parent_class)->dispose (object);
}

static void
muster_loopback_finalize (GObject *object)
{
  MusterLoopback *self = MUSTER_LOOPBACK (object);

  g_free (self->redirect_uri);
  g_free (self->state);
  G_OBJECT_CLASS (muster_loopback_parent_class)->finalize (object);
}

static void
muster_loopback_class_init (MusterLoopbackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = muster_loopback_dispose;
  object_class->finalize = muster_loopback_finalize;
}

static void
muster_loopback_init (MusterLoopback *self)
{
}

MusterLoopback *
muster_loopback_new (void)
{
  return g_object_new (MUSTER_TYPE_LOOPBACK, NULL);
}

/* The address the kernel picked on @server's only listener. */
static guint
listening_port (SoupServer *server)
{
  GSList *listeners = soup_server_get_listeners (server);
  g_autoptr(GSocketAddress) local = listeners ? g_socket_get_local_address (listeners->data, NULL) : NULL;

  g_slist_free (listeners);
  return local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;
}

#define LISTEN_ATTEMPTS 16

gboolean
muster_loopback_listen (MusterLoopback  *self,
                        GError         **error)
{
  g_autoptr(GInetAddress) ipv4 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GInetAddress) ipv6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);

  g_return_val_if_fail (MUSTER_IS_LOOPBACK (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);

  /* The redirect URI says "localhost" (Entra matches it with any port but takes no [::1]
   * redirect), and a browser may resolve that to 127.0.0.1 or to ::1: both must be ours, on the
   * same port, or another local program could take the other one and receive the code. When
   * ::1's port is taken, start again with a new port; a computer without IPv6 loopback has no
   * ::1 for anyone to take. */
  for (guint attempt = 0; attempt < LISTEN_ATTEMPTS; attempt++)
    {
      g_autoptr(SoupServer) server = soup_server_new ("server-header", "Muster", NULL);
      g_autoptr(GSocketAddress) address4 = g_inet_socket_address_new (ipv4, 0);
      g_autoptr(GSocketAddress) address6 = NULL;
      g_autoptr(GError) ipv6_error = NULL;
      guint port;

      soup_server_add_handler (server, NULL, handle_request, self, NULL);
      if (!soup_server_listen (server, address4, 0, error))
        return FALSE;
      port = listening_port (server);
      if (port == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not find the port of the sign-in listener."));
          return FALSE;
        }

      address6 = g_inet_socket_address_new (ipv6, port);
      if (!soup_server_listen (server, address6, 0, &ipv6_error))
        {
          if (g_error_matches (ipv6_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
            {
              g_debug ("[::1]:%u is taken; trying another port", port);
              soup_server_disconnect (server);
              continue;
            }
          g_debug ("No IPv6 loopback (%s); listening on 127.0.0.1 only", ipv6_error->message);
        }

      self->server = g_steal_pointer (&server);
      self->port = port;
      self->redirect_uri = g_strdup_printf ("http://localhost:%u", self->port);
      return TRUE;
    }

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                       _("Could not find a free port for the sign-in listener on both 127.0.0.1 and ::1."));
  return FALSE;
}

guint
muster_loopback_get_port (MusterLoopback *self)
{
  g_return_val_if_fail (MUSTER_IS_LOOPBACK (self), 0);
  return self->port;
}

const char *
muster_loopback_get_redirect_uri (MusterLoopback *self)
{
  g_return_val_if_fail (MUSTER_IS_LOOPBACK (self), NULL);
  return self->redirect_uri;
}

void
muster_loopback_wait_for_code_async (MusterLoopback      *self,
                                     const char          *state,
                                     guint                timeout_seconds,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (MUSTER_IS_LOOPBACK (self));
  g_return_if_fail (self->server != NULL);
  g_return_if_fail (self->task == NULL && !self->completed);
  g_return_if_fail (state != NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, muster_loopback_wait_for_code_async);
  g_free (self->state);
  self->state = g_strdup (state);
  self->timeout_id = g_timeout_add_seconds (timeout_seconds ? timeout_seconds : MUSTER_LOOPBACK_DEFAULT_TIMEOUT,
                                            timeout_cb, self);
  if (cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self, NULL);
}

GHashTable *
muster_loopback_wait_for_code_finish (MusterLoopback  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
