/* muster-export-json.c: users and groups as one JSON document, written as a stream
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-export"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-export-private.h"
#include "muster-json.h"

/* The document:
 *   { "exportedAt": "…Z", "tenant": "…", "snapshot": { "id": N, "createdAt": "…Z" },
 *     "filter": "…", "count": N, "columns": [ "displayName", … ], "users": [ { … }, … ] }
 * ("groups" instead of "users" for a group export). Building a JsonNode tree for 100,000 users
 * would hold all of it in memory twice, so this writes the text directly; strings are escaped by
 * muster_json_append_string(). */

static void
append_key (GString    *out,
            const char *key)
{
  muster_json_append_string (out, key);
  g_string_append_c (out, ':');
}

static void
append_header (MusterExport *self,
               GString      *out,
               guint         count,
               gboolean      with_filter)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *exported_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *snapshot_time = _muster_export_format_time (_muster_export_get_snapshot_time (self));

  g_string_append_c (out, '{');
  append_key (out, "exportedAt");
  muster_json_append_string (out, exported_at);
  g_string_append_c (out, ',');
  append_key (out, "tenant");
  muster_json_append_string (out, _muster_export_get_tenant (self));
  g_string_append_c (out, ',');
  append_key (out, "snapshot");
  if (_muster_export_get_snapshot_id (self) > 0)
    {
      g_string_append_c (out, '{');
      append_key (out, "id");
      g_string_append_printf (out, "%" G_GINT64_FORMAT, _muster_export_get_snapshot_id (self));
      g_string_append_c (out, ',');
      append_key (out, "createdAt");
      muster_json_append_string (out, snapshot_time);
      g_string_append_c (out, '}');
    }
  else
    g_string_append (out, "null");
  g_string_append_c (out, ',');
  if (with_filter)
    {
      append_key (out, "filter");
      muster_json_append_string (out, _muster_export_get_filter_description (self));
      g_string_append_c (out, ',');
    }
  append_key (out, "count");
  g_string_append_printf (out, "%u", count);
  g_string_append_c (out, ',');
}

static const char *
state_key (MusterAccountState state)
{
  switch (state)
    {
    case MUSTER_ACCOUNT_STATE_ENABLED:
      return "enabled";
    case MUSTER_ACCOUNT_STATE_DISABLED:
      return "disabled";
    case MUSTER_ACCOUNT_STATE_GUEST:
      return "guest";
    default:
      g_assert_not_reached ();
    }
}

static void
append_user (MusterExport             *self,
             GString                  *out,
             MusterUser               *user,
             const MusterExportColumn *columns,
             guint                     n_columns,
             GString                  *scratch)
{
  g_string_append_c (out, '{');
  for (guint c = 0; c < n_columns; c++)
    {
      MusterExportColumn column = columns[c];

      if (c > 0)
        g_string_append_c (out, ',');
      append_key (out, muster_export_column_to_key (column));

      if (_muster_export_column_is_multi (column))
        {
          g_auto(GStrv) owned = NULL;
          const char * const *values = _muster_export_user_values (user, column, &owned);

          g_string_append_c (out, '[');
          for (guint v = 0; values != NULL && values[v] != NULL; v++)
            {
              if (v > 0)
                g_string_append_c (out, ',');
              muster_json_append_string (out, values[v]);
            }
          g_string_append_c (out, ']');
        }
      else if (column == MUSTER_EXPORT_COLUMN_ACCOUNT_ENABLED)
        g_string_append (out, muster_user_get_account_enabled (user) ? "true" : "false");
      else if (column == MUSTER_EXPORT_COLUMN_ON_PREMISES_SYNC)
        g_string_append (out, muster_user_get_on_premises_sync_enabled (user) ? "true" : "false");
      else if (column == MUSTER_EXPORT_COLUMN_ACCOUNT_STATE)
        muster_json_append_string (out, state_key (muster_user_get_state (user)));
      else
        muster_json_append_string (out, _muster_export_user_text (self, user, column, scratch));
    }
  g_string_append_c (out, '}');
}

gboolean
_muster_export_json_users (MusterExport   *self,
                           GPtrArray      *users,
                           GOutputStream  *stream,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_autoptr(GString) scratch = g_string_new (NULL);
  const MusterExportColumn *columns;
  MusterExportSink sink;
  guint n_columns;

  columns = _muster_export_columns (self, &n_columns);
  _muster_export_sink_init (&sink, stream, cancellable);

  append_header (self, sink.buffer, users->len, TRUE);
  append_key (sink.buffer, "columns");
  g_string_append_c (sink.buffer, '[');
  for (guint c = 0; c < n_columns; c++)
    {
      if (c > 0)
        g_string_append_c (sink.buffer, ',');
      muster_json_append_string (sink.buffer, muster_export_column_to_key (columns[c]));
    }
  g_string_append (sink.buffer, "],");
  append_key (sink.buffer, "users");
  g_string_append (sink.buffer, "[\n");

  for (guint i = 0; i < users->len; i++)
    {
      if (i > 0)
        g_string_append (sink.buffer, ",\n");
      append_user (self, sink.buffer, g_ptr_array_index (users, i), columns, n_columns, scratch);
      if (!_muster_export_sink_maybe_flush (&sink))
        break;
    }
  g_string_append (sink.buffer, "\n]}\n");

  return _muster_export_sink_finish (&sink, error);
}

gboolean
_muster_export_json_groups (MusterExport   *self,
                            GPtrArray      *groups,
                            GOutputStream  *stream,
                            GCancellable   *cancellable,
                            GError        **error)
{
  MusterExportSink sink;

  _muster_export_sink_init (&sink, stream, cancellable);

  append_header (self, sink.buffer, groups->len, FALSE);
  append_key (sink.buffer, "groups");
  g_string_append (sink.buffer, "[\n");

  for (guint i = 0; i < groups->len; i++)
    {
      MusterGroup *group = g_ptr_array_index (groups, i);

      if (i > 0)
        g_string_append (sink.buffer, ",\n");
      g_string_append_c (sink.buffer, '{');
      append_key (sink.buffer, "displayName");
      muster_json_append_string (sink.buffer, muster_group_get_display_name (group));
      g_string_append_c (sink.buffer, ',');
      append_key (sink.buffer, "kind");
      muster_json_append_string (sink.buffer, muster_group_kind_to_string (muster_group_get_kind (group)));
      g_string_append_c (sink.buffer, ',');
      append_key (sink.buffer, "mail");
      muster_json_append_string (sink.buffer, muster_group_get_mail (group));
      g_string_append_c (sink.buffer, ',');
      append_key (sink.buffer, "description");
      muster_json_append_string (sink.buffer, muster_group_get_description (group));
      g_string_append_c (sink.buffer, ',');
      append_key (sink.buffer, "dynamic");
      g_string_append (sink.buffer, muster_group_get_dynamic (group) ? "true" : "false");
      g_string_append_c (sink.buffer, ',');
      append_key (sink.buffer, "memberCount");
      g_string_append_printf (sink.buffer, "%u", muster_group_get_member_count (group));
      g_string_append_c (sink.buffer, ',');
      append_key (sink.buffer, "transitiveMemberCount");
      g_string_append_printf (sink.buffer, "%u", muster_group_get_transitive_member_count (group));
      g_string_append_c (sink.buffer, ',');
      append_key (sink.buffer, "id");
      muster_json_append_string (sink.buffer, muster_group_get_id (group));
      g_string_append_c (sink.buffer, '}');
      if (!_muster_export_sink_maybe_flush (&sink))
        break;
    }
  g_string_append (sink.buffer, "\n]}\n");

  return _muster_export_sink_finish (&sink, error);
}
