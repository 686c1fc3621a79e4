/* muster-fake-pages.c: the fake sign-in pages
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain HTML forms with no script, so that a person, a headless browser or a test that reads
 * the form can all drive them. Every value is escaped.
 */

#define G_LOG_DOMAIN "muster-fake-pages"

#include "config.h"

#include "muster-fake-pages.h"

static const char page_head_start[] =
  "<!DOCTYPE html>\n"
  "<html lang=\"en\">\n"
  "<head>\n"
  "<meta charset=\"utf-8\">\n"
  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
  "<title>";

static const char page_head_end[] =
  "</title>\n"
  "<style>\n"
  "body{font-family:sans-serif;background:#f2f2f2;margin:0}\n"
  "main{background:#fff;max-width:440px;margin:3em auto;padding:2em 2.5em;box-shadow:0 2px 6px rgba(0,0,0,.2)}\n"
  "h1{font-size:1.5em;font-weight:600}\n"
  ".account{color:#444}\n"
  ".admin{color:#a4262c;font-size:.85em}\n"
  ".error{color:#a4262c}\n"
  ".diag{color:#666;font-size:.8em;word-break:break-all}\n"
  "button{min-width:108px;padding:.5em 1em;margin:.5em .5em 0 0}\n"
  "button.primary{background:#0067b8;color:#fff;border:0}\n"
  "</style>\n"
  "</head>\n"
  "<body>\n"
  "<main>\n";

static const char page_tail[] =
  "</main>\n"
  "</body>\n"
  "</html>\n";

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text ? text : "", -1);

  g_string_append (out, escaped);
}

static GString *
page_begin (const char *title)
{
  GString *out = g_string_new (page_head_start);

  append_escaped (out, title);
  g_string_append (out, page_head_end);
  return out;
}

static char *
page_end (GString *out)
{
  g_string_append (out, page_tail);
  return g_string_free (out, FALSE);
}

char *
_muster_fake_page_consent (const MusterFakeConsentPage *page)
{
  GString *out = page_begin (page->heading);

  g_string_append (out, "<p class=\"account\" id=\"account\">");
  append_escaped (out, page->user_upn);
  g_string_append (out, "</p>\n<h1>");
  append_escaped (out, page->heading);
  g_string_append (out, "</h1>\n<p><strong id=\"app-name\">");
  append_escaped (out, page->app_name);
  g_string_append (out, "</strong><br><span class=\"diag\">App ID: <span id=\"app-id\">");
  append_escaped (out, page->app_id);
  g_string_append (out, "</span></span></p>\n<p>Signed in as <span id=\"user-name\">");
  append_escaped (out, page->user_name);
  g_string_append (out, "</span> (<span id=\"user-upn\">");
  append_escaped (out, page->user_upn);
  g_string_append (out, "</span>) of ");
  append_escaped (out, page->org_name);
  g_string_append (out, ".</p>\n");

  if (page->mfa_prompt)
    g_string_append (out,
                     "<p id=\"mfa\">Your organization requires additional verification. "
                     "The fake tenant treats this sign-in as verified.</p>\n");

  if (page->needs_admin)
    {
      g_string_append (out, "<h2>Need admin approval</h2>\n<p class=\"error\" id=\"error\">");
      append_escaped (out, page->needs_admin_text);
      g_string_append (out, "</p>\n");
    }

  g_string_append (out, "<p>This app would like to:</p>\n<ul id=\"permissions\">\n");
  for (guint i = 0; page->permissions != NULL && i < page->permissions->len; i++)
    {
      const MusterFakePagePermission *permission = g_ptr_array_index (page->permissions, i);

      g_string_append (out, "<li data-scope=\"");
      append_escaped (out, permission->name);
      g_string_append (out, "\">");
      append_escaped (out, permission->description);
      g_string_append (out, " <code>");
      append_escaped (out, permission->name);
      g_string_append (out, "</code>");
      if (permission->admin_only)
        g_string_append (out, " <span class=\"admin\">Admin consent required</span>");
      if (permission->consented)
        g_string_append (out, " <span class=\"admin\">(already granted)</span>");
      g_string_append (out, "</li>\n");
    }
  g_string_append (out, "</ul>\n");

  if (page->on_behalf_of_org && !page->needs_admin)
    {
      g_string_append (out, "<p id=\"on-behalf\">Accepting grants these permissions for everyone in ");
      append_escaped (out, page->org_name);
      g_string_append (out, ".</p>\n");
    }

  g_string_append (out, "<form method=\"post\" action=\"");
  append_escaped (out, page->form_action);
  g_string_append (out, "\">\n<input type=\"hidden\" name=\"txn\" value=\"");
  append_escaped (out, page->transaction);
  g_string_append (out, "\">\n");
  if (!page->needs_admin)
    {
      g_string_append (out, "<button type=\"submit\" class=\"primary\" id=\"accept\" name=\"action\" value=\"accept\">");
      append_escaped (out, page->accept_label);
      g_string_append (out, "</button>\n");
    }
  g_string_append (out, "<button type=\"submit\" id=\"cancel\" name=\"action\" value=\"cancel\">");
  append_escaped (out, page->cancel_label);
  g_string_append (out, "</button>\n</form>\n");

  return page_end (out);
}

char *
_muster_fake_page_error (const char *aadsts_message,
                         const char *trace_id,
                         const char *correlation_id,
                         const char *timestamp)
{
  GString *out = page_begin ("Sign in to your account");

  g_string_append (out, "<h1>Sign in</h1>\n<p>Sorry, but we’re having trouble signing you in.</p>\n"
                        "<p class=\"error\" id=\"error\">");
  append_escaped (out, aadsts_message);
  g_string_append (out, "</p>\n<p class=\"diag\">Request Id: ");
  append_escaped (out, trace_id);
  g_string_append (out, "<br>Correlation Id: ");
  append_escaped (out, correlation_id);
  g_string_append (out, "<br>Timestamp: ");
  append_escaped (out, timestamp);
  g_string_append (out, "</p>\n");
  return page_end (out);
}

char *
_muster_fake_page_device_code (const char *form_action,
                               const char *error_text)
{
  GString *out = page_begin ("Enter code");

  g_string_append (out, "<h1>Enter code</h1>\n<p>Enter the code displayed on your app or device.</p>\n");
  if (error_text != NULL)
    {
      g_string_append (out, "<p class=\"error\" id=\"error\">");
      append_escaped (out, error_text);
      g_string_append (out, "</p>\n");
    }
  g_string_append (out, "<form method=\"post\" action=\"");
  append_escaped (out, form_action);
  g_string_append (out, "\">\n"
                        "<input type=\"text\" name=\"otc\" id=\"otc\" autocomplete=\"off\" "
                        "placeholder=\"Code\" aria-label=\"Code\" maxlength=\"32\">\n"
                        "<button type=\"submit\" class=\"primary\" id=\"next\">Next</button>\n"
                        "</form>\n");
  return page_end (out);
}

char *
_muster_fake_page_message (const char *title,
                           const char *text)
{
  GString *out = page_begin (title);

  g_string_append (out, "<h1>");
  append_escaped (out, title);
  g_string_append (out, "</h1>\n<p id=\"message\">");
  append_escaped (out, text);
  g_string_append (out, "</p>\n");
  return page_end (out);
}

char *
_muster_fake_page_form_post (const char         *action,
                             const char * const *fields)
{
  GString *out = g_string_new ("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
                               "<title>Working...</title></head>\n"
                               "<body onload=\"document.forms[0].submit()\">\n<form method=\"post\" action=\"");

  append_escaped (out, action);
  g_string_append (out, "\">\n");
  for (guint i = 0; fields[i] != NULL && fields[i + 1] != NULL; i += 2)
    {
      g_string_append (out, "<input type=\"hidden\" name=\"");
      append_escaped (out, fields[i]);
      g_string_append (out, "\" value=\"");
      append_escaped (out, fields[i + 1]);
      g_string_append (out, "\">\n");
    }
  g_string_append (out, "<noscript><button type=\"submit\">Continue</button></noscript>\n</form>\n</body>\n</html>\n");
  return g_string_free (out, FALSE);
}
