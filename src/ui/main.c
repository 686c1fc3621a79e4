/* main.c: the muster GUI
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "muster-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(MusterApplication) app = NULL;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = muster_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
