/* muster-fake-tls.c: --tls, a self-signed certificate for 127.0.0.1 made at start
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fake serves HTTPS with a fresh ECDSA P-256 key and a self-signed X.509 certificate for
 * CN=127.0.0.1 with subjectAltName IP:127.0.0.1 and DNS:localhost (RFC 6125: clients match the
 * SAN, not the CN), valid for two days. Only the certificate is written to disk, to a new 0600
 * file in the temporary directory, so a client can trust it (MUSTER_CA_FILE); the private key
 * stays in memory. The tenant deletes the file when it is finalised.
 */

#define G_LOG_DOMAIN "muster-fake-tls"

#include "config.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/crypto.h>
#include <errno.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "muster-fake-modules.h"

#define VALIDITY_SECONDS (2 * 24 * 60 * 60)

static gboolean
check (int         ret,
       const char *what,
       GError    **error)
{
  if (ret >= 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "--tls: %s failed: %s", what, gnutls_strerror (ret));
  return FALSE;
}

static gboolean
make_certificate (char  **cert_pem,
                  char  **key_pem,
                  GError **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t cert_out = { NULL, 0 };
  gnutls_datum_t key_out = { NULL, 0 };
  static const guchar loopback[4] = { 127, 0, 0, 1 };
  guchar serial[16];
  guchar key_id[64];
  size_t key_id_size = sizeof key_id;
  time_t now = time (NULL);
  gboolean ok;

  ok = check (gnutls_x509_privkey_init (&key), "key init", error) &&
       check (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                            GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0),
              "key generation", error) &&
       check (gnutls_x509_crt_init (&crt), "certificate init", error) &&
       check (gnutls_x509_crt_set_version (crt, 3), "version", error) &&
       check (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial), "serial", error);
  if (ok)
    {
      serial[0] &= 0x7f; /* a positive INTEGER (RFC 5280 §4.1.2.2) */
      ok = check (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), "serial", error) &&
           /* an hour back for clock skew between the processes' views of "now" */
           check (gnutls_x509_crt_set_activation_time (crt, now - 3600), "activation time", error) &&
           check (gnutls_x509_crt_set_expiration_time (crt, now + VALIDITY_SECONDS), "expiration time", error) &&
           check (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, "127.0.0.1", 9),
                  "subject", error) &&
           check (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, loopback, sizeof loopback,
                                                        GNUTLS_FSAN_APPEND),
                  "subjectAltName IP", error) &&
           check (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                                        GNUTLS_FSAN_APPEND),
                  "subjectAltName DNS", error) &&
           /* its own trust anchor: a CA that may only sign itself */
           check (gnutls_x509_crt_set_basic_constraints (crt, 1, 0), "basic constraints", error) &&
           check (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN),
                  "key usage", error) &&
           check (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0), "key purpose", error) &&
           check (gnutls_x509_crt_set_key (crt, key), "public key", error) &&
           check (gnutls_x509_crt_get_key_id (crt, 0, key_id, &key_id_size), "key id", error) &&
           check (gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size), "subject key id", error) &&
           check (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), "signature", error) &&
           check (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &cert_out), "certificate export", error) &&
           check (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &key_out),
                  "key export", error);
    }

  if (ok)
    {
      *cert_pem = g_strndup ((const char *) cert_out.data, cert_out.size);
      *key_pem = g_strndup ((const char *) key_out.data, key_out.size);
    }

  if (key_out.data != NULL)
    {
      /* the key leaves this function only in *key_pem */
      memset (key_out.data, 0, key_out.size);
      gnutls_free (key_out.data);
    }
  gnutls_free (cert_out.data);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  return ok;
}

static gboolean
write_all (int         fd,
           const char *text,
           GError    **error)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      gssize n = write (fd, text, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "--tls: cannot write the certificate: %s", g_strerror (saved_errno));
          return FALSE;
        }
      text += n;
      len -= n;
    }
  return TRUE;
}

GTlsCertificate *
_muster_fake_tls_generate_certificate (char   **pem_path,
                                       GError **error)
{
  g_autofree char *cert_pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *both = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  int fd;

  g_return_val_if_fail (pem_path != NULL, NULL);

  if (!make_certificate (&cert_pem, &key_pem, error))
    return NULL;

  both = g_strconcat (cert_pem, key_pem, NULL);
  memset (key_pem, 0, strlen (key_pem));
  certificate = g_tls_certificate_new_from_pem (both, -1, error);
  memset (both, 0, strlen (both));
  if (certificate == NULL)
    return NULL;

  /* g_file_open_tmp() is mkstemp(): a new file, mode 0600 */
  fd = g_file_open_tmp ("muster-fake-ca-XXXXXX.pem", &path, error);
  if (fd < 0)
    return NULL;
  if (!write_all (fd, cert_pem, error))
    {
      close (fd);
      g_unlink (path);
      return NULL;
    }
  close (fd);

  *pem_path = g_steal_pointer (&path);
  return g_steal_pointer (&certificate);
}
