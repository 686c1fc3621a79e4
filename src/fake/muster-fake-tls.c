/* muster-fake-tls.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "muster-fake-modules.h"

GTlsCertificate *
_muster_fake_tls_generate_certificate (char **pem_path, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "--tls is not available yet");
  return NULL;
}
