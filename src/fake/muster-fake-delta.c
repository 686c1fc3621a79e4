/* muster-fake-delta.c: GET /users/delta and /groups/delta (learn.microsoft.com/graph/delta-query-overview)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-delta"

#include "config.h"

#include <string.h>

#include "muster-fake-graph-private.h"
#include "muster-fake-http.h"

/* A round of delta pages: what it returns (changes after @since, all live objects when 0), the
 * directory seq when it began (the next deltaLink's watermark), where the next page starts, and
 * the query options of the first call, which later calls don't repeat (delta-query-overview.md). */
typedef struct
{
  gboolean  groups;
  guint64   since;
  guint64   round_seq;
  guint64   position;
  char     *select;     /* the first call's $select, or NULL */
  char     *ids;        /* comma-separated ids of an "id eq … or …" filter, or NULL */
  gboolean  track_members;
  gboolean  track_manager;
} DeltaState;

static void
delta_state_clear (DeltaState *state)
{
  g_clear_pointer (&state->select, g_free);
  g_clear_pointer (&state->ids, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DeltaState, delta_state_clear)

#define DEFAULT_PAGE_SIZE 200
#define MAX_FILTER_IDS 50

static char *
state_to_token (MusterFakeGraph  *graph,
                const DeltaState *state,
                gboolean          skip)
{
  g_autofree char *select = g_uri_escape_string (state->select ? state->select : "", NULL, FALSE);
  g_autofree char *ids = g_uri_escape_string (state->ids ? state->ids : "", NULL, FALSE);
  g_autofree char *payload =
    g_strdup_printf ("%s|%c|%" G_GUINT64_FORMAT "|%" G_GUINT64_FORMAT "|%" G_GUINT64_FORMAT "|%s|%s|%d%d|%c",
                     skip ? "S" : "D", state->groups ? 'g' : 'u',
                     state->since, state->round_seq, state->position, select, ids,
                     state->track_members, state->track_manager, state->select ? 's' : '-');

  return _muster_fake_graph_seal_token (graph, payload);
}

static gboolean
state_from_token (MusterFakeGraph *graph,
                  const char      *token,
                  gboolean         skip,
                  gboolean         groups,
                  DeltaState      *state)
{
  g_autofree char *payload = _muster_fake_graph_open_token (graph, token);
  g_auto(GStrv) f = NULL;

  if (payload == NULL)
    return FALSE;
  f = g_strsplit (payload, "|", -1);
  if (g_strv_length (f) != 9 || !g_str_equal (f[0], skip ? "S" : "D")
      || !g_str_equal (f[1], groups ? "g" : "u") || strlen (f[7]) != 2)
    return FALSE;
  state->groups = groups;
  state->since = g_ascii_strtoull (f[2], NULL, 10);
  state->round_seq = g_ascii_strtoull (f[3], NULL, 10);
  state->position = g_ascii_strtoull (f[4], NULL, 10);
  state->select = g_str_equal (f[8], "s") ? g_uri_unescape_string (f[5], NULL) : NULL;
  state->ids = *f[6] ? g_uri_unescape_string (f[6], NULL) : NULL;
  state->track_members = f[7][0] == '1';
  state->track_manager = f[7][1] == '1';
  return TRUE;
}

/* delta-query-overview.md: "410 Gone with a Location header containing a URL with an empty
 * $deltaToken" (the initial query); errors.md names the codes. */
static void
answer_resync (MusterFakeGraphCall *call,
               const char          *code,
               const char          *message,
               const char          *select)
{
  g_autoptr(GString) location = g_string_new (call->ctx->base_url);

  g_string_append (location, "/v1.0");
  g_string_append (location, call->path);
  g_string_append_c (location, '?');
  if (select != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (select, ",", FALSE);

      g_string_append (location, "$select=");
      g_string_append (location, escaped);
      g_string_append_c (location, '&');
    }
  g_string_append (location, "$deltatoken=");
  _muster_fake_graph_call_error (call, 410, code, message);
  _muster_fake_graph_call_add_header (call, "Location", location->str);
}

/* Splits "displayName,members" into the property select and the relationship flag. */
static char *
split_relationship (const char *select,
                    const char *relationship,
                    gboolean   *tracked)
{
  g_auto(GStrv) parts = g_strsplit (select, ",", -1);
  g_autoptr(GString) rest = g_string_new (NULL);

  *tracked = FALSE;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *name = g_strstrip (parts[i]);

      if (g_ascii_strcasecmp (name, relationship) == 0)
        {
          *tracked = TRUE;
          continue;
        }
      if (*name == '\0')
        continue;
      if (rest->len > 0)
        g_string_append_c (rest, ',');
      g_string_append (rest, name);
    }
  return g_string_free (g_steal_pointer (&rest), FALSE);
}

static gboolean
initial_state (MusterFakeGraphCall *call,
               gboolean             groups,
               DeltaState          *state)
{
  const char *select = g_hash_table_lookup (call->query, "$select");
  const char *filter_text = g_hash_table_lookup (call->query, "$filter");
  const char *expand = g_hash_table_lookup (call->query, "$expand");
  static const char * const unsupported[] = { "$top", "$orderby", "$search", "$skip", "$count", NULL };

  for (guint i = 0; unsupported[i] != NULL; i++)
    if (g_hash_table_contains (call->query, unsupported[i]))
      {
        g_autofree char *message = g_strdup_printf ("The query option '%s' is not supported with delta queries.",
                                                    unsupported[i]);
        _muster_fake_graph_call_error (call, 400, "Request_UnsupportedQuery", message);
        return FALSE;
      }

  state->groups = groups;
  state->since = 0;
  state->round_seq = call->ctx->directory->seq;
  state->position = 0;
  /* group-delta.md: members are tracked by default, or when $select/$expand names them */
  state->track_members = groups && select == NULL;
  state->track_manager = FALSE;

  if (expand != NULL)
    {
      if (!groups || g_ascii_strcasecmp (expand, "members") != 0)
        {
          _muster_fake_graph_call_error (call, 400, "Request_UnsupportedQuery",
                                         "The query option '$expand' is not supported with delta queries.");
          return FALSE;
        }
      state->track_members = TRUE;
    }
  if (select != NULL)
    {
      gboolean tracked;
      g_autofree char *rest = split_relationship (select, groups ? "members" : "manager", &tracked);
      const MusterFakeSchema *schema = groups ? _muster_fake_group_resource.schema
                                              : _muster_fake_user_resource.schema;
      MusterFakeSelect parsed = { NULL };
      MusterFakeODataError error = { 0, NULL, NULL };

      if (!_muster_fake_select_parse (&parsed, schema, rest, TRUE, &error))
        {
          _muster_fake_graph_call_error (call, error.status, error.code, error.message);
          _muster_fake_odata_error_clear (&error);
          return FALSE;
        }
      _muster_fake_select_clear (&parsed);
      if (groups)
        state->track_members = state->track_members || tracked;
      else
        state->track_manager = tracked;
      state->select = g_steal_pointer (&rest);
    }
  if (filter_text != NULL)
    {
      MusterFakeODataError error = { 0, NULL, NULL };
      g_autoptr(MusterFakeFilter) filter =
        _muster_fake_filter_parse (groups ? _muster_fake_group_resource.schema : _muster_fake_user_resource.schema,
                                   filter_text, &error);
      g_autoptr(GPtrArray) ids = filter ? _muster_fake_filter_id_list (filter) : NULL;

      _muster_fake_odata_error_clear (&error);
      /* user-delta.md: only "id eq '…' or id eq '…'", at most 50 of them */
      if (ids == NULL || ids->len > MAX_FILTER_IDS)
        {
          _muster_fake_graph_call_error (call, 400, "Request_UnsupportedQuery",
                                         "Unsupported query: delta supports only $filter=id eq '{id}' joined by "
                                         "'or', for at most 50 ids.");
          return FALSE;
        }
      g_ptr_array_add (ids, NULL);
      state->ids = g_strjoinv (",", (char **) ids->pdata);
    }
  return TRUE;
}

static gboolean
id_wanted (const DeltaState *state,
           GHashTable       *ids,
           const char       *id)
{
  return state->ids == NULL || g_hash_table_contains (ids, id);
}

/* The membership changes after @since, group id → (member id → removed), last change wins. */
static GHashTable *
member_changes_since (MusterFakeDirectory *dir,
                      guint64              since)
{
  GHashTable *by_group = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                (GDestroyNotify) g_hash_table_unref);
  guint lo = 0, hi = dir->member_changes->len;

  /* ascending seq: find the first change after @since */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      MusterFakeMemberChange *change = g_ptr_array_index (dir->member_changes, mid);

      if (change->seq <= since)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (guint i = lo; i < dir->member_changes->len; i++)
    {
      MusterFakeMemberChange *change = g_ptr_array_index (dir->member_changes, i);
      GHashTable *members = g_hash_table_lookup (by_group, change->group_id);

      if (members == NULL)
        {
          members = g_hash_table_new (g_str_hash, g_str_equal);
          g_hash_table_insert (by_group, change->group_id, members);
        }
      g_hash_table_insert (members, change->member_id, GINT_TO_POINTER (change->removed ? 2 : 1));
    }
  return by_group;
}

static const char *
member_type (MusterFakeDirectory *dir,
             const char          *id)
{
  return muster_fake_directory_is_group_id (dir, id) ? "#microsoft.graph.group" : "#microsoft.graph.user";
}

static void
append_member (GString    *out,
               const char *type,
               const char *id,
               gboolean    removed,
               gboolean    comma)
{
  if (comma)
    g_string_append_c (out, ',');
  g_string_append (out, "{\"@odata.type\":\"");
  g_string_append (out, type);
  g_string_append (out, "\",\"id\":");
  _muster_fake_json_append_string (out, id);
  if (removed)
    g_string_append (out, ",\"@removed\":{\"reason\":\"deleted\"}");
  g_string_append_c (out, '}');
}

/* Appends @object's JSON minus its closing brace, so relationships can follow. */
static void
append_object_open (MusterFakeGraphCall *call,
                    GString             *out,
                    const DeltaState    *state,
                    gconstpointer        object,
                    MusterFakeSelect    *select)
{
  const char *id = state->groups ? ((const MusterFakeGroup *) object)->id : ((const MusterFakeUser *) object)->id;

  /* never-set properties are omitted in delta answers (delta-query-overview.md) */
  if (state->groups)
    _muster_fake_graph_append_group (call, out, (MusterFakeGroup *) object, select, FALSE, TRUE);
  else
    _muster_fake_graph_append_user (call, out, (MusterFakeUser *) object, select, FALSE, TRUE);
  g_string_truncate (out, out->len - 1);
  /* "id" is always returned, whatever $select says */
  if (select->properties != NULL && !_muster_fake_select_has (select, "id"))
    {
      g_string_append (out, out->str[out->len - 1] == '{' ? "\"id\":" : ",\"id\":");
      _muster_fake_json_append_string (out, id);
    }
}

void
_muster_fake_graph_delta (MusterFakeGraphCall *call,
                          gboolean             groups)
{
  MusterFakeDirectory *dir = call->ctx->directory;
  const char *skiptoken = g_hash_table_lookup (call->query, "$skiptoken");
  const char *deltatoken = g_hash_table_lookup (call->query, "$deltatoken");
  g_auto(DeltaState) state = { 0 };
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) changes = NULL;
  g_auto(GStrv) id_list = NULL;
  MusterFakeSelect select = { NULL };
  GPtrArray *objects = groups ? dir->groups : dir->users;
  const char *prefer = soup_message_headers_get_one (call->request_headers, "Prefer");
  guint page_size = DEFAULT_PAGE_SIZE;
  guint emitted = 0;
  gint64 next = -1;
  GString *out, *values;

  if (skiptoken != NULL || (deltatoken != NULL && *deltatoken != '\0' && !g_str_equal (deltatoken, "latest")))
    {
      if (!state_from_token (call->graph, skiptoken ? skiptoken : deltatoken, skiptoken != NULL, groups, &state))
        {
          answer_resync (call, "syncStateNotFound",
                         "The sync state generation is not found. The delta token is expired and data "
                         "must be synchronized again.", NULL);
          return;
        }
      if (state.round_seq < dir->resync_before)
        {
          answer_resync (call, "resyncRequired",
                         "The delta token is no longer valid, and the app must reset the sync state.",
                         state.select);
          return;
        }
      if (deltatoken != NULL && skiptoken == NULL)
        {
          /* a new round: the changes after the previous round began */
          state.since = state.round_seq;
          state.round_seq = dir->seq;
          state.position = 0;
        }
    }
  else if (!initial_state (call, groups, &state))
    return;

  if (deltatoken != NULL && g_str_equal (deltatoken, "latest") && skiptoken == NULL)
    {
      g_autofree char *token = NULL;
      g_autofree char *link = NULL;

      /* delta-query-overview.md: $deltatoken=latest answers only a deltaLink, from now */
      state.round_seq = dir->seq;
      token = state_to_token (call->graph, &state, FALSE);
      link = g_strconcat (call->ctx->base_url, "/v1.0", call->path, "?$deltatoken=", token, NULL);
      out = g_string_new ("{");
      _muster_fake_graph_append_context (call, out, groups ? "groups" : "users");
      g_string_append (out, ",\"@odata.deltaLink\":");
      _muster_fake_json_append_string (out, link);
      g_string_append (out, ",\"value\":[]}");
      _muster_fake_graph_call_take_json (call, 200, out);
      return;
    }

  {
    MusterFakeODataError error = { 0, NULL, NULL };

    _muster_fake_select_parse (&select, groups ? _muster_fake_group_resource.schema
                                               : _muster_fake_user_resource.schema,
                               state.select && *state.select ? state.select : NULL, TRUE, &error);
    _muster_fake_odata_error_clear (&error);
    /* $select=members alone: the group's id and its members */
    if (state.select != NULL && select.properties == NULL)
      _muster_fake_select_parse (&select, groups ? _muster_fake_group_resource.schema
                                                 : _muster_fake_user_resource.schema, "id", TRUE, NULL);
  }
  if (state.ids != NULL)
    {
      id_list = g_strsplit (state.ids, ",", -1);
      for (guint i = 0; id_list[i] != NULL; i++)
        g_hash_table_add (ids, id_list[i]);
    }
  if (prefer != NULL)
    {
      const char *max = strstr (prefer, "odata.maxpagesize=");

      if (max != NULL)
        page_size = CLAMP (g_ascii_strtoull (max + strlen ("odata.maxpagesize="), NULL, 10), 1, 999);
    }
  if (groups && state.since > 0)
    changes = member_changes_since (dir, state.since);

  values = g_string_sized_new (page_size * 400);
  for (guint64 i = state.position; i < objects->len; i++)
    {
      gconstpointer object = g_ptr_array_index (objects, i);
      const char *id;
      gboolean deleted;
      guint64 changed_seq;
      GHashTable *member_changes = NULL;

      if (groups)
        {
          const MusterFakeGroup *group = object;
          id = group->id;
          deleted = group->deleted;
          changed_seq = group->changed_seq;
          if (changes != NULL && state.track_members)
            member_changes = g_hash_table_lookup (changes, group->id);
        }
      else
        {
          const MusterFakeUser *user = object;
          id = user->id;
          deleted = user->deleted;
          changed_seq = user->changed_seq;
        }

      if (!id_wanted (&state, ids, id))
        continue;
      if (state.since == 0 ? deleted : (changed_seq <= state.since && member_changes == NULL))
        continue;
      if (emitted == page_size)
        {
          next = i;
          break;
        }
      if (emitted > 0)
        g_string_append_c (values, ',');
      emitted++;

      if (deleted)
        {
          /* delta-query-overview.md: "changed" = soft-deleted, restorable */
          g_string_append (values, "{\"id\":");
          _muster_fake_json_append_string (values, id);
          g_string_append (values, ",\"@removed\":{\"reason\":\"changed\"}}");
          continue;
        }

      append_object_open (call, values, &state, object, &select);
      if (groups && state.track_members)
        {
          const MusterFakeGroup *group = object;
          gboolean comma = FALSE;

          if (state.since == 0)
            {
              g_string_append (values, ",\"members@delta\":[");
              for (guint m = 0; group->member_ids && m < group->member_ids->len; m++)
                {
                  const char *member = g_ptr_array_index (group->member_ids, m);

                  append_member (values, member_type (dir, member), member, FALSE, comma);
                  comma = TRUE;
                }
              g_string_append_c (values, ']');
            }
          else if (member_changes != NULL)
            {
              GHashTableIter iter;
              gpointer member, how;

              g_string_append (values, ",\"members@delta\":[");
              g_hash_table_iter_init (&iter, member_changes);
              while (g_hash_table_iter_next (&iter, &member, &how))
                {
                  append_member (values, member_type (dir, member), member, GPOINTER_TO_INT (how) == 2, comma);
                  comma = TRUE;
                }
              g_string_append_c (values, ']');
            }
        }
      if (!groups && state.track_manager)
        {
          const MusterFakeUser *user = object;
          MusterFakeUser *manager = user->manager_id ? muster_fake_directory_lookup_user (dir, user->manager_id) : NULL;

          g_string_append (values, ",\"manager@delta\":[");
          if (manager != NULL)
            append_member (values, "#microsoft.graph.user", manager->id, FALSE, FALSE);
          g_string_append_c (values, ']');
        }
      g_string_append_c (values, '}');
    }

  out = g_string_sized_new (values->len + 1024);
  g_string_append_c (out, '{');
  {
    g_autoptr(GString) what = g_string_new (groups ? "groups" : "users");

    if (select.properties != NULL)
      {
        g_string_append_c (what, '(');
        for (guint i = 0; i < select.properties->len; i++)
          {
            if (i > 0)
              g_string_append_c (what, ',');
            g_string_append (what, ((const MusterFakeProperty *) g_ptr_array_index (select.properties, i))->name);
          }
        g_string_append_c (what, ')');
      }
    _muster_fake_graph_append_context (call, out, what->str);
  }
  {
    g_autofree char *token = NULL;
    g_autofree char *link = NULL;

    if (next >= 0)
      {
        state.position = next;
        token = state_to_token (call->graph, &state, TRUE);
        link = g_strconcat (call->ctx->base_url, "/v1.0", call->path, "?$skiptoken=", token, NULL);
        g_string_append (out, ",\"@odata.nextLink\":");
      }
    else
      {
        /* the next round reports what changed after this one began */
        state.position = 0;
        token = state_to_token (call->graph, &state, FALSE);
        link = g_strconcat (call->ctx->base_url, "/v1.0", call->path, "?$deltatoken=", token, NULL);
        g_string_append (out, ",\"@odata.deltaLink\":");
      }
    _muster_fake_json_append_string (out, link);
  }
  g_string_append (out, ",\"value\":[");
  g_string_append_len (out, values->str, values->len);
  g_string_append (out, "]}");
  g_string_free (values, TRUE);
  _muster_fake_select_clear (&select);
  _muster_fake_graph_call_take_json (call, 200, out);
}
