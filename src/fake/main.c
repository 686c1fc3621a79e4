/* main.c: muster-fake-tenant, the fake Microsoft 365 as a program
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-tenant"

#include "config.h"

#include <glib-unix.h>
#include <stdio.h>

#include "muster-fake-tenant.h"

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  MusterFakeOptions options;
  int port = 0, users = 1000, groups = 50, group_size = 0, latency_ms = 0;
  gint64 seed = 42;
  g_autofree char *dataset = NULL;
  g_autofree char *faults = NULL;
  g_autofree char *scim_mode = NULL;
  gboolean throttle = FALSE, tls = FALSE;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (default: any free port)", "N" },
    { "users", 0, 0, G_OPTION_ARG_INT, &users, "Users in the generated dataset", "N" },
    { "groups", 0, 0, G_OPTION_ARG_INT, &groups, "Groups in the generated dataset", "N" },
    { "group-size", 0, 0, G_OPTION_ARG_INT, &group_size,
      "Members of each generated group beyond the named ones, on average (default: a share of the users)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed for the generator", "S" },
    { "dataset", 0, 0, G_OPTION_ARG_STRING, &dataset, "demo (default) or generated", "NAME" },
    { "latency-ms", 0, 0, G_OPTION_ARG_INT, &latency_ms, "Delay every request", "L" },
    { "throttle", 0, 0, G_OPTION_ARG_NONE, &throttle, "Throttle Graph like the real service", NULL },
    { "faults", 0, 0, G_OPTION_ARG_STRING, &faults,
      "Inject faults: KIND[@PATH_PREFIX][/once|/times=N|/every=N|/after=N|/method=M|/retry-after=S|/exact"
      "|/batch|/size=BYTES|/chunked],... "
      "with KIND 429, 500, 502, 503, 504, reset, truncate, invalid, types, stall or oversize "
      "(e.g. 503@/v1.0/users/every=3,reset@/scim/v2/Users/once)", "SPEC" },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &tls, "Serve HTTPS with a generated certificate", NULL },
    { "scim-mode", 0, 0, G_OPTION_ARG_STRING, &scim_mode,
      "strict (default: RFC 7644 to the letter) or field (no Location, no ETags, PATCH 204, "
      "pages of 20 that repeat past the end, \"Replace\" ops, \"False\" strings)", "MODE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— a fake Microsoft 365 tenant on 127.0.0.1");
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterFakeTenant) tenant = NULL;
  g_autoptr(GMainLoop) loop = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("muster-fake-tenant: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535 || users < 0 || groups < 0 || group_size < 0 || latency_ms < 0)
    {
      g_printerr ("muster-fake-tenant: numbers must be positive (and a port at most 65535)\n");
      return 2;
    }

  muster_fake_options_init (&options);
  if (scim_mode == NULL || g_str_equal (scim_mode, "strict"))
    options.scim_mode = MUSTER_FAKE_SCIM_MODE_STRICT;
  else if (g_str_equal (scim_mode, "field"))
    options.scim_mode = MUSTER_FAKE_SCIM_MODE_FIELD;
  else
    {
      g_printerr ("muster-fake-tenant: --scim-mode must be strict or field, not “%s”\n", scim_mode);
      return 2;
    }
  options.port = port;
  options.users = users;
  options.groups = groups;
  options.group_size = group_size;
  options.seed = seed;
  options.latency_ms = latency_ms;
  options.throttle = throttle;
  options.tls = tls;
  options.faults = faults;
  if (dataset != NULL)
    options.dataset = dataset;

  tenant = muster_fake_tenant_new (&options);
  if (!muster_fake_tenant_start (tenant, &error))
    {
      g_printerr ("muster-fake-tenant: %s\n", error->message);
      return 1;
    }

  /* The first line is a contract: scripts and tests read the URL from it. */
  printf ("listening on %s\n", muster_fake_tenant_get_base_url (tenant));
  if (muster_fake_tenant_get_ca_file (tenant) != NULL)
    printf ("certificate %s\n", muster_fake_tenant_get_ca_file (tenant));
  printf ("tenant %s (%s)\n", muster_fake_tenant_get_tenant_id (tenant),
          muster_fake_tenant_get_domain (tenant));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  muster_fake_tenant_stop (tenant);
  return 0;
}
