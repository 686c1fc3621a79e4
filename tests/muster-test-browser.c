/* muster-test-browser.c: a tiny "web browser" for tests, given to Muster as MUSTER_BROWSER
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * It does what an admin does on the consent page: loads the URL, reads the page's HTML form,
 * presses a button (MUSTER_TEST_BROWSER_ACTION: "accept" by default, or "cancel"), and follows
 * the redirects back to Muster's loopback listener, like a browser would. It appends one line per
 * page it visited to MUSTER_TEST_BROWSER_LOG (status and the URL without its query, so no code
 * reaches the log), and exits 0 when it reached a page answering 200.
 *
 * Usage: muster-test-browser URL
 */

#include "config.h"

#include <libsoup/soup.h>
#include <stdio.h>

static void
log_visit (const char *method,
           const char *url,
           guint       status)
{
  const char *path = g_getenv ("MUSTER_TEST_BROWSER_LOG");
  g_autofree char *bare = g_strndup (url, strcspn (url, "?"));
  FILE *log;

  if (path == NULL)
    return;
  log = fopen (path, "a");
  if (log == NULL)
    return;
  fprintf (log, "%s %s %u\n", method, bare, status);
  fclose (log);
}

/* The value of attribute @name in the tag starting at @tag, unescaped; NULL when absent. */
static char *
get_attribute (const char *tag,
               const char *tag_end,
               const char *name)
{
  g_autofree char *needle = g_strdup_printf (" %s=\"", name);
  g_autofree char *tag_text = g_strndup (tag, tag_end - tag);
  const char *start = strstr (tag_text, needle);
  const char *end;
  g_autoptr(GString) value = g_string_new (NULL);

  if (start == NULL)
    return NULL;
  start += strlen (needle);
  end = strchr (start, '"');
  if (end == NULL)
    return NULL;
  for (const char *p = start; p < end; p++)
    {
      if (g_str_has_prefix (p, "&amp;")) { g_string_append_c (value, '&'); p += 4; }
      else if (g_str_has_prefix (p, "&quot;")) { g_string_append_c (value, '"'); p += 5; }
      else if (g_str_has_prefix (p, "&lt;")) { g_string_append_c (value, '<'); p += 3; }
      else if (g_str_has_prefix (p, "&gt;")) { g_string_append_c (value, '>'); p += 3; }
      else if (g_str_has_prefix (p, "&#39;")) { g_string_append_c (value, '\''); p += 4; }
      else g_string_append_c (value, *p);
    }
  return g_string_free (g_steal_pointer (&value), FALSE);
}

/* Fills @form with the hidden inputs and the pressed button of the first form in @html; returns
 * the form's action, or NULL when the page has no form. */
static char *
read_form (const char *html,
           const char *button,
           GHashTable *form)
{
  const char *tag = strstr (html, "<form");
  const char *tag_end, *form_end;
  char *action;

  if (tag == NULL || (tag_end = strchr (tag, '>')) == NULL)
    return NULL;
  action = get_attribute (tag, tag_end, "action");
  form_end = strstr (tag_end, "</form>");
  if (form_end == NULL)
    form_end = tag_end + strlen (tag_end);

  for (const char *p = tag_end; p < form_end; p++)
    {
      gboolean is_input = g_str_has_prefix (p, "<input");
      gboolean is_button = g_str_has_prefix (p, "<button");
      const char *end;
      g_autofree char *name = NULL, *value = NULL, *type = NULL;

      if (!is_input && !is_button)
        continue;
      end = strchr (p, '>');
      if (end == NULL)
        break;
      name = get_attribute (p, end, "name");
      value = get_attribute (p, end, "value");
      type = get_attribute (p, end, "type");
      if (name != NULL && value != NULL)
        {
          if (is_input && g_strcmp0 (type, "hidden") == 0)
            g_hash_table_insert (form, g_steal_pointer (&name), g_steal_pointer (&value));
          else if (is_button && g_str_equal (value, button))
            g_hash_table_insert (form, g_steal_pointer (&name), g_steal_pointer (&value));
        }
      p = end;
    }
  return action;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GUri) current = NULL;
  const char *button = g_getenv ("MUSTER_TEST_BROWSER_ACTION");
  const char *ca_file = g_getenv ("MUSTER_CA_FILE");
  g_autofree char *method = g_strdup ("GET");
  g_autoptr(GHashTable) post = NULL;
  gboolean submitted = FALSE;

  if (argc != 2)
    {
      g_printerr ("usage: muster-test-browser URL\n");
      return 2;
    }
  if (button == NULL)
    button = "accept";
  if (ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) db = g_tls_file_database_new (ca_file, NULL);
      if (db != NULL)
        soup_session_set_tls_database (session, db);
    }

  current = g_uri_parse (argv[1], G_URI_FLAGS_ENCODED, NULL);
  if (current == NULL)
    return 2;

  for (int hop = 0; hop < 10; hop++)
    {
      g_autofree char *url = g_uri_to_string (current);
      g_autoptr(SoupMessage) msg = soup_message_new (method, url);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *html = NULL;
      const char *location;
      guint status;

      if (msg == NULL)
        return 3;
      soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
      if (post != NULL)
        {
          char *encoded = soup_form_encode_hash (post);
          g_autoptr(GBytes) bytes = g_bytes_new_take (encoded, strlen (encoded));
          soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
          g_clear_pointer (&post, g_hash_table_unref);
        }
      body = soup_session_send_and_read (session, msg, NULL, &error);
      if (body == NULL)
        {
          g_printerr ("muster-test-browser: %s\n", error->message);
          log_visit (method, url, 0);
          return 1;
        }
      status = soup_message_get_status (msg);
      log_visit (method, url, status);

      location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
      if (SOUP_STATUS_IS_REDIRECTION (status) && location != NULL)
        {
          GUri *next = g_uri_parse_relative (current, location, G_URI_FLAGS_ENCODED, NULL);
          if (next == NULL)
            return 4;
          g_uri_unref (current);
          current = next;
          g_free (method);
          method = g_strdup ("GET");
          continue;
        }

      html = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      if (status == SOUP_STATUS_OK && !submitted)
        {
          g_autoptr(GHashTable) form = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          g_autofree char *action = read_form (html, button, form);
          if (action != NULL)
            {
              GUri *next = g_uri_parse_relative (current, action, G_URI_FLAGS_ENCODED, NULL);
              if (next == NULL)
                return 4;
              g_uri_unref (current);
              current = next;
              g_free (method);
              method = g_strdup ("POST");
              post = g_steal_pointer (&form);
              submitted = TRUE;
              continue;
            }
        }
      return status == SOUP_STATUS_OK ? 0 : 1;
    }
  return 5;
}
