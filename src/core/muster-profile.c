/* muster-profile.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-profile"

#include "config.h"

#include "muster-profile.h"

struct _MusterProfile
{
  GObject         parent_instance;

  char           *name;
  char           *tenant;
  char           *client_id;
  MusterCloud     cloud;
  MusterAuthMode  auth_mode;
  char           *certificate_file;
  char           *key_file;

  char           *tenant_id;
  char           *username;
  char           *organization;
  gint64          signed_in_at;
  gint64          refreshed_at;
  GStrv           scopes;
  gint64          token_expires_at;
};

G_DEFINE_FINAL_TYPE (MusterProfile, muster_profile, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_TENANT,
  PROP_CLIENT_ID,
  PROP_TENANT_ID,
  PROP_USERNAME,
  PROP_ORGANIZATION,
  PROP_SIGNED_IN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *auth_mode_names[] = {
  [MUSTER_AUTH_MODE_BROWSER] = "browser",
  [MUSTER_AUTH_MODE_DEVICE_CODE] = "device-code",
  [MUSTER_AUTH_MODE_SECRET] = "secret",
  [MUSTER_AUTH_MODE_CERTIFICATE] = "certificate",
};

const char *
muster_auth_mode_to_string (MusterAuthMode mode)
{
  g_return_val_if_fail (mode < G_N_ELEMENTS (auth_mode_names), NULL);
  return auth_mode_names[mode];
}

gboolean
muster_auth_mode_from_string (const char     *name,
                              MusterAuthMode *mode)
{
  for (guint i = 0; i < G_N_ELEMENTS (auth_mode_names); i++)
    if (g_strcmp0 (auth_mode_names[i], name) == 0)
      {
        *mode = i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
muster_profile_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MusterProfile *self = MUSTER_PROFILE (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_TENANT: g_value_set_string (value, self->tenant); break;
    case PROP_CLIENT_ID: g_value_set_string (value, self->client_id); break;
    case PROP_TENANT_ID: g_value_set_string (value, self->tenant_id); break;
    case PROP_USERNAME: g_value_set_string (value, self->username); break;
    case PROP_ORGANIZATION: g_value_set_string (value, self->organization); break;
    case PROP_SIGNED_IN: g_value_set_boolean (value, self->signed_in_at != 0); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_profile_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MusterProfile *self = MUSTER_PROFILE (object);

  switch (prop_id)
    {
    case PROP_NAME: self->name = g_value_dup_string (value); break;
    case PROP_TENANT: muster_profile_set_tenant (self, g_value_get_string (value)); break;
    case PROP_CLIENT_ID: muster_profile_set_client_id (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_profile_finalize (GObject *object)
{
  MusterProfile *self = MUSTER_PROFILE (object);

  g_free (self->name);
  g_free (self->tenant);
  g_free (self->client_id);
  g_free (self->certificate_file);
  g_free (self->key_file);
  g_free (self->tenant_id);
  g_free (self->username);
  g_free (self->organization);
  g_strfreev (self->scopes);

  G_OBJECT_CLASS (muster_profile_parent_class)->finalize (object);
}

static void
muster_profile_class_init (MusterProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = muster_profile_finalize;
  object_class->get_property = muster_profile_get_property;
  object_class->set_property = muster_profile_set_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                               G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TENANT] = g_param_spec_string ("tenant", NULL, NULL, "organizations",
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLIENT_ID] = g_param_spec_string ("client-id", NULL, NULL, MUSTER_DEFAULT_CLIENT_ID,
                                                    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TENANT_ID] = g_param_spec_string ("tenant-id", NULL, NULL, NULL,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ORGANIZATION] = g_param_spec_string ("organization", NULL, NULL, NULL,
                                                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNED_IN] = g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
muster_profile_init (MusterProfile *self)
{
  self->tenant = g_strdup ("organizations");
  self->client_id = g_strdup (MUSTER_DEFAULT_CLIENT_ID);
}

MusterProfile *
muster_profile_new (const char *name)
{
  g_return_val_if_fail (name != NULL && *name != '\0', NULL);
  return g_object_new (MUSTER_TYPE_PROFILE, "name", name, NULL);
}

const char *
muster_profile_get_name (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), NULL);
  return self->name;
}

const char *
muster_profile_get_tenant (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), NULL);
  return self->tenant;
}

void
muster_profile_set_tenant (MusterProfile *self,
                           const char    *tenant)
{
  g_return_if_fail (MUSTER_IS_PROFILE (self));
  if (tenant == NULL || *tenant == '\0')
    tenant = "organizations";
  if (set_string (&self->tenant, tenant))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TENANT]);
}

const char *
muster_profile_get_client_id (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), NULL);
  return self->client_id;
}

void
muster_profile_set_client_id (MusterProfile *self,
                              const char    *client_id)
{
  g_return_if_fail (MUSTER_IS_PROFILE (self));
  if (client_id == NULL || *client_id == '\0')
    client_id = MUSTER_DEFAULT_CLIENT_ID;
  if (set_string (&self->client_id, client_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT_ID]);
}

MusterCloud
muster_profile_get_cloud (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), MUSTER_CLOUD_GLOBAL);
  return self->cloud;
}

void
muster_profile_set_cloud (MusterProfile *self,
                          MusterCloud    cloud)
{
  g_return_if_fail (MUSTER_IS_PROFILE (self));
  self->cloud = cloud;
}

MusterAuthMode
muster_profile_get_auth_mode (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), MUSTER_AUTH_MODE_BROWSER);
  return self->auth_mode;
}

void
muster_profile_set_auth_mode (MusterProfile  *self,
                              MusterAuthMode  mode)
{
  g_return_if_fail (MUSTER_IS_PROFILE (self));
  self->auth_mode = mode;
}

const char *
muster_profile_get_certificate_file (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), NULL);
  return self->certificate_file;
}

const char *
muster_profile_get_key_file (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), NULL);
  return self->key_file;
}

void
muster_profile_set_certificate (MusterProfile *self,
                                const char    *certificate_file,
                                const char    *key_file)
{
  g_return_if_fail (MUSTER_IS_PROFILE (self));
  set_string (&self->certificate_file, certificate_file);
  set_string (&self->key_file, key_file);
}

const char *
muster_profile_get_tenant_id (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), NULL);
  return self->tenant_id;
}

const char *
muster_profile_get_username (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), NULL);
  return self->username;
}

const char *
muster_profile_get_organization (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), NULL);
  return self->organization;
}

gint64
muster_profile_get_signed_in_at (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), 0);
  return self->signed_in_at;
}

gint64
muster_profile_get_refreshed_at (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), 0);
  return self->refreshed_at;
}

void
muster_profile_set_signed_in (MusterProfile *self,
                              const char    *tenant_id,
                              const char    *username,
                              const char    *organization,
                              gint64         signed_in_at)
{
  gboolean was_signed_in;

  g_return_if_fail (MUSTER_IS_PROFILE (self));

  was_signed_in = self->signed_in_at != 0;
  g_object_freeze_notify (G_OBJECT (self));
  if (set_string (&self->tenant_id, tenant_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TENANT_ID]);
  if (set_string (&self->username, username))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USERNAME]);
  if (set_string (&self->organization, organization))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORGANIZATION]);
  self->signed_in_at = signed_in_at;
  if (self->refreshed_at < signed_in_at)
    self->refreshed_at = signed_in_at;
  if (was_signed_in != (signed_in_at != 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
muster_profile_set_refreshed_at (MusterProfile *self,
                                 gint64         refreshed_at)
{
  g_return_if_fail (MUSTER_IS_PROFILE (self));
  self->refreshed_at = refreshed_at;
}

void
muster_profile_clear_signed_in (MusterProfile *self)
{
  g_return_if_fail (MUSTER_IS_PROFILE (self));
  /* the tenant ID stays: it is where the profile points, not who signed in */
  muster_profile_set_signed_in (self, self->tenant_id, NULL, self->organization, 0);
  self->refreshed_at = 0;
  muster_profile_set_token_info (self, NULL, 0);
}

gboolean
muster_profile_is_app_only (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), FALSE);
  return self->auth_mode == MUSTER_AUTH_MODE_SECRET || self->auth_mode == MUSTER_AUTH_MODE_CERTIFICATE;
}

const char * const *
muster_profile_get_scopes (MusterProfile *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (MUSTER_IS_PROFILE (self), NULL);
  return self->scopes ? (const char * const *) self->scopes : none;
}

gint64
muster_profile_get_token_expires_at (MusterProfile *self)
{
  g_return_val_if_fail (MUSTER_IS_PROFILE (self), 0);
  return self->token_expires_at;
}

void
muster_profile_set_token_info (MusterProfile      *self,
                               const char * const *scopes,
                               gint64              expires_at)
{
  g_return_if_fail (MUSTER_IS_PROFILE (self));
  g_strfreev (self->scopes);
  self->scopes = g_strdupv ((char **) scopes);
  self->token_expires_at = expires_at;
}
