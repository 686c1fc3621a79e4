/* muster-fake-identity-private.h: what the fake identity platform's files share
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "muster-fake-modules.h"

G_BEGIN_DECLS

#define GRAPH_RESOURCE          "https://graph.microsoft.com"

typedef enum
{
  TENANT_UNKNOWN,
  TENANT_COMMON,
  TENANT_ORGANIZATIONS,
  TENANT_CONSUMERS,
  TENANT_SPECIFIC,
} TenantKind;

typedef struct
{
  const char *name;
  const char *description;
  gboolean    admin_only;
} KnownPermission;

typedef struct
{
  char            *client_id;
  char            *display_name;
  gboolean         public_client;
  gboolean         multi_tenant;
  GPtrArray       *redirect_uris;   /* char* */
  char            *secret;
  gnutls_pubkey_t  cert_key;
  char            *cert_x5t;        /* base64url SHA-1 of the DER */
  char            *cert_x5t_s256;
  char            *cert_sha1_hex;   /* for error messages, like the real ones */
  gint64           cert_not_before;
  gint64           cert_not_after;
  GPtrArray       *roles;           /* admin-consented application permissions */
  GPtrArray       *required_scopes; /* delegated permissions in the registration (/.default) */
  GHashTable      *consented;       /* canonical scope → itself: consented tenant-wide */
} App;

typedef struct
{
  MusterFakeGrant grant;       /* first: handed out as const MusterFakeGrant* */
  gint64          issued_at;
} AccessToken;

typedef struct
{
  char    *client_id;
  char    *user_id;
  GStrv    scopes;
  gint64   issued_at;
  gint64   last_used;
  gboolean mfa;
  gboolean revoked;
} RefreshToken;

typedef struct
{
  char      *client_id;
  char      *user_id;
  char      *redirect_uri;  /* as sent on /authorize: the token request must repeat it */
  char      *challenge;
  char      *method;
  char      *nonce;
  GStrv      scopes;
  TenantKind tenant_kind;
  gint64     expires_at;
  gboolean   redeemed;
  gboolean   mfa;
} AuthCode;

typedef enum
{
  DEVICE_PENDING,
  DEVICE_APPROVED,
  DEVICE_DECLINED,
  DEVICE_REDEEMED,
} DeviceState;

typedef struct
{
  char       *device_code;
  char       *user_code;
  char       *client_id;
  char       *user_id;
  GStrv       scopes;
  gint64      expires_at;
  gint64      last_poll;     /* 0: never polled */
  guint       interval;
  DeviceState state;
  gboolean    mfa;
} DeviceCode;

typedef enum
{
  TXN_AUTHORIZE,
  TXN_ADMIN_CONSENT,
  TXN_DEVICE,
} TxnKind;

/* A consent page waiting for its Accept or Cancel; only its id travels in the form. */
typedef struct
{
  TxnKind    kind;
  char      *client_id;
  char      *user_id;
  char      *redirect_base;  /* where to send the answer, path fixed up as
                              * learn.microsoft.com/entra/identity-platform/reply-url says */
  char      *redirect_uri;   /* as sent */
  char      *response_mode;
  char      *state;
  char      *challenge;
  char      *method;
  char      *nonce;
  char      *device_code;
  GPtrArray *scopes;         /* canonical, requested (after /.default expansion) */
  TenantKind tenant_kind;
  gboolean   needs_admin;
  gint64     expires_at;
} Transaction;

typedef struct
{
  guint64 codes_issued;
  guint64 codes_redeemed;
  guint64 access_tokens_issued;
  guint64 refresh_tokens_issued;
  guint64 id_tokens_issued;
  guint64 device_codes_issued;
  guint64 token_requests;
  guint64 token_errors;
  guint64 consents_accepted;
  guint64 consents_declined;
  guint64 bearer_rejected;
} Stats;

/* An STS error on its way to a JSON body, an error page or an error redirect. */
typedef struct
{
  guint       status;
  const char *error;
  guint       code;
  const char *suberror;
  char       *text;
} StsError;

typedef enum
{
  AUTO_CONSENT_OFF,
  AUTO_CONSENT_ACCEPT,
  AUTO_CONSENT_CANCEL,
} AutoConsent;

struct _MusterFakeIdentity
{
  MusterFakeContext *ctx;
  GHashTable        *apps;            /* lower-case client id → App* */
  GHashTable        *access_tokens;   /* token → AccessToken* */
  GHashTable        *refresh_tokens;  /* token → RefreshToken* */
  GHashTable        *codes;           /* code → AuthCode* */
  GHashTable        *transactions;    /* id → Transaction* */
  GHashTable        *devices;         /* device_code → DeviceCode* */
  GHashTable        *user_codes;      /* user_code → DeviceCode* (borrowed) */
  GHashTable        *sessions;        /* cookie value → user id */
  GHashTable        *assertion_jtis;  /* jti of every client assertion accepted */
  gint64             clock_offset;
  guint              token_lifetime;
  guint              device_interval;
  guint              device_slow_down;  /* polls still to answer slow_down (control API) */
  gboolean           mfa_required;
  AutoConsent        auto_consent;
  gnutls_privkey_t   signing_key;     /* made on first use: generating RSA takes a while */
  char              *signing_kid;
  Stats              stats;
  GPtrArray         *secrets_seen;    /* every code, verifier, refresh token, client secret and
                                       * assertion sent to /token (GET /_fake/identity/secrets) */
};

/* muster-fake-identity.c: small helpers */
gint64                 _muster_fake_identity_now                  (MusterFakeIdentity *self);
void                   _muster_fake_identity_error_set            (StsError   *err,
                                                                   guint       status,
                                                                   const char *error,
                                                                   guint       code,
                                                                   const char *format,
                                                                   ...) G_GNUC_PRINTF (5, 6);
void                   _muster_fake_identity_error_clear          (StsError *err);
gboolean               _muster_fake_identity_strings_contain      (GPtrArray  *array,
                                                                   const char *s);
void                   _muster_fake_identity_strings_add_unique   (GPtrArray  *array,
                                                                   const char *s);
const KnownPermission *_muster_fake_identity_lookup_permission    (const char *name);
gboolean               _muster_fake_identity_is_oidc_scope        (const char *canonical);
void                   _muster_fake_identity_add_no_cache_headers (SoupServerMessage *msg);
void                   _muster_fake_identity_reply_html           (SoupServerMessage *msg,
                                                                   guint              status,
                                                                   char              *html);
void                   _muster_fake_identity_reply_json           (SoupServerMessage *msg,
                                                                   guint              status,
                                                                   GString           *body);
void                   _muster_fake_identity_reply_error          (MusterFakeIdentity *self,
                                                                   SoupServerMessage  *msg,
                                                                   const StsError     *err,
                                                                   const char         *claims);
void                   _muster_fake_identity_reply_error_page     (MusterFakeIdentity *self,
                                                                   SoupServerMessage  *msg,
                                                                   const StsError     *err);
const char            *_muster_fake_identity_param                (GHashTable *params,
                                                                   const char *name);

/* muster-fake-identity.c: apps */
void     _muster_fake_identity_app_free            (App *app);
App     *_muster_fake_identity_app_new             (const char *client_id,
                                                    const char *display_name);
App     *_muster_fake_identity_lookup_app          (MusterFakeIdentity *self,
                                                    const char         *client_id);
void     _muster_fake_identity_app_consent         (App       *app,
                                                    GPtrArray *scopes);
gboolean _muster_fake_identity_app_has_consent     (App       *app,
                                                    GPtrArray *scopes);
gboolean _muster_fake_identity_app_set_certificate (App        *app,
                                                    const char *pem,
                                                    GError    **error);

/* muster-fake-identity.c: tokens and grants */
void _muster_fake_identity_transaction_free (Transaction *txn);

/* muster-fake-identity.c: tenants */
gboolean _muster_fake_identity_is_verified_domain       (MusterFakeDirectory *directory,
                                                         const char          *name);
void     _muster_fake_identity_set_unknown_tenant_error (StsError   *err,
                                                         const char *segment);
gboolean _muster_fake_identity_check_app_for_tenant     (MusterFakeIdentity *self,
                                                         App                *app,
                                                         TenantKind          kind,
                                                         StsError           *err);
void     _muster_fake_identity_set_unknown_app_error    (MusterFakeIdentity *self,
                                                         StsError           *err,
                                                         const char         *client_id);

/* muster-fake-identity.c: scopes */
const char *_muster_fake_identity_graph_permission_part (MusterFakeIdentity *self,
                                                         const char         *scope);
GPtrArray  *_muster_fake_identity_parse_scopes          (MusterFakeIdentity *self,
                                                         const char         *param,
                                                         GPtrArray          *default_scopes,
                                                         gboolean           *out_is_default,
                                                         StsError           *err);
GPtrArray  *_muster_fake_identity_app_default_scopes    (App *app);

/* muster-fake-identity.c: redirect URIs (learn.microsoft.com/entra/identity-platform/reply-url) */
char *_muster_fake_identity_check_redirect_uri   (App        *app,
                                                  const char *requested,
                                                  StsError   *err);
void  _muster_fake_identity_reply_redirect       (SoupServerMessage  *msg,
                                                  const char         *base,
                                                  const char         *response_mode,
                                                  const char * const *params);
void  _muster_fake_identity_reply_redirect_error (MusterFakeIdentity *self,
                                                  SoupServerMessage  *msg,
                                                  const char         *base,
                                                  const char         *response_mode,
                                                  const char         *state,
                                                  gboolean            admin_consent,
                                                  const char         *subcode,
                                                  const StsError     *err);

/* muster-fake-identity.c: users and sessions */
MusterFakeUser *_muster_fake_identity_lookup_live_user (MusterFakeIdentity *self,
                                                        const char         *id);
gboolean        _muster_fake_identity_user_is_admin    (MusterFakeIdentity *self,
                                                        MusterFakeUser     *user);
const char     *_muster_fake_identity_session_user_id  (MusterFakeIdentity *self,
                                                        SoupServerMessage  *msg);
void            _muster_fake_identity_start_session    (MusterFakeIdentity *self,
                                                        SoupServerMessage  *msg,
                                                        const char         *user_id);

/* muster-fake-identity.c: issuing tokens */
char *_muster_fake_identity_issue_access_token (MusterFakeIdentity *self,
                                                const char         *client_id,
                                                const char         *user_id,
                                                GStrv               scopes,
                                                gboolean            app_only);
void  _muster_fake_identity_reply_user_tokens  (MusterFakeIdentity *self,
                                                SoupServerMessage  *msg,
                                                App                *app,
                                                MusterFakeUser     *user,
                                                const char * const *scopes,
                                                const char         *nonce,
                                                gboolean            mfa);
void  _muster_fake_identity_reply_mfa_required (MusterFakeIdentity *self,
                                                SoupServerMessage  *msg);

/* muster-fake-identity-authorize.c: /authorize */
gboolean     _muster_fake_identity_is_pkce_text         (const char *s,
                                                         gsize       min,
                                                         gsize       max);
char        *_muster_fake_identity_new_transaction      (MusterFakeIdentity *self,
                                                         Transaction        *txn);
gboolean     _muster_fake_identity_needs_admin_approval (MusterFakeIdentity *self,
                                                         App                *app,
                                                         MusterFakeUser     *user,
                                                         GPtrArray          *scopes);
void         _muster_fake_identity_render_consent_page  (MusterFakeIdentity *self,
                                                         SoupServerMessage  *msg,
                                                         Transaction        *txn,
                                                         const char         *txn_id,
                                                         const char         *form_action,
                                                         const char         *heading,
                                                         const char         *accept_label,
                                                         const char         *cancel_label);
Transaction *_muster_fake_identity_take_transaction     (MusterFakeIdentity *self,
                                                         SoupServerMessage  *msg,
                                                         GHashTable         *form,
                                                         TxnKind             kind);
void         _muster_fake_identity_handle_authorize     (MusterFakeIdentity *self,
                                                         SoupServerMessage  *msg,
                                                         const char         *segment,
                                                         TenantKind          kind,
                                                         GHashTable         *query);

/* muster-fake-identity-authorize.c: /v2.0/adminconsent
 * (learn.microsoft.com/entra/identity-platform/v2-admin-consent) */
void _muster_fake_identity_handle_admin_consent (MusterFakeIdentity *self,
                                                 SoupServerMessage  *msg,
                                                 const char         *segment,
                                                 TenantKind          kind,
                                                 GHashTable         *query);

/* muster-fake-identity-token.c: /token grants */
void _muster_fake_identity_handle_token (MusterFakeIdentity *self,
                                         SoupServerMessage  *msg,
                                         const char         *segment,
                                         TenantKind          kind);

/* muster-fake-identity-device.c: device code
 * (learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code) */
void        _muster_fake_identity_handle_devicecode  (MusterFakeIdentity *self,
                                                      SoupServerMessage  *msg,
                                                      const char         *segment,
                                                      TenantKind          kind);
DeviceCode *_muster_fake_identity_lookup_user_code   (MusterFakeIdentity *self,
                                                      const char         *typed);
void        _muster_fake_identity_device_decide      (MusterFakeIdentity *self,
                                                      DeviceCode         *device,
                                                      const char         *user_id,
                                                      gboolean            approve);
void        _muster_fake_identity_handle_devicelogin (MusterFakeIdentity *self,
                                                      SoupServerMessage  *msg);

/* muster-fake-identity-control.c: control API */
void _muster_fake_identity_control_handler (MusterFakeContext *ctx,
                                            SoupServerMessage *msg,
                                            const char        *path,
                                            GHashTable        *query,
                                            gpointer           user_data);

G_END_DECLS
