/* muster-fake-graph-list.c: GET /users and /groups with $select, $top, $filter, $search,
 * $orderby, $count, $expand and $skiptoken paging
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-graph"

#include "config.h"

#include <string.h>

#include "muster-fake-graph-private.h"
#include "muster-fake-http.h"

typedef struct
{
  gconstpointer object;
  char         *key;     /* casefolded sort key, NULL sorts first */
  guint         index;
} SortItem;

static int
compare_sort_items (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  const SortItem *x = a, *y = b;
  gboolean descending = GPOINTER_TO_INT (user_data);
  int cmp;

  if (x->key == NULL || y->key == NULL)
    cmp = (x->key != NULL) - (y->key != NULL);
  else
    cmp = strcmp (x->key, y->key);
  if (descending)
    cmp = -cmp;
  return cmp != 0 ? cmp : (x->index > y->index) - (x->index < y->index);
}

char *
_muster_fake_graph_call_query_hash (MusterFakeGraphCall *call)
{
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (call->query), (GCompareFunc) strcmp);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);

  g_checksum_update (checksum, (const guchar *) call->path, -1);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *value = g_hash_table_lookup (call->query, l->data);

      if (g_ascii_strcasecmp (l->data, "$skiptoken") == 0 || g_ascii_strcasecmp (l->data, "$deltatoken") == 0)
        continue;
      g_checksum_update (checksum, (const guchar *) "&", 1);
      g_checksum_update (checksum, l->data, -1);
      g_checksum_update (checksum, (const guchar *) "=", 1);
      g_checksum_update (checksum, (const guchar *) value, -1);
    }
  return g_strndup (g_checksum_get_string (checksum), 16);
}

gboolean
_muster_fake_graph_read_skiptoken (MusterFakeGraphCall *call,
                                   guint64             *position)
{
  const char *token = g_hash_table_lookup (call->query, "$skiptoken");
  g_autofree char *payload = NULL;
  g_autofree char *hash = NULL;
  g_auto(GStrv) parts = NULL;

  *position = 0;
  if (token == NULL)
    return TRUE;

  payload = _muster_fake_graph_open_token (call->graph, token);
  hash = _muster_fake_graph_call_query_hash (call);
  if (payload != NULL)
    parts = g_strsplit (payload, "|", 3);
  if (parts == NULL || g_strv_length (parts) != 3 || !g_str_equal (parts[0], "L")
      || !g_str_equal (parts[1], hash)
      || !g_ascii_string_to_unsigned (parts[2], 10, 0, G_MAXUINT32, position, NULL))
    {
      /* The directory's answer for a page token it can't use */
      _muster_fake_graph_call_error (call, 400, "Directory_ExpiredPageToken",
                                     "The specified page token value has expired and can no longer be "
                                     "included in your request.");
      return FALSE;
    }
  return TRUE;
}

void
_muster_fake_graph_append_next_link (MusterFakeGraphCall *call,
                                     GString             *out,
                                     guint64              position)
{
  g_autofree char *hash = _muster_fake_graph_call_query_hash (call);
  g_autofree char *payload = g_strdup_printf ("L|%s|%" G_GUINT64_FORMAT, hash, position);
  g_autofree char *token = _muster_fake_graph_seal_token (call->graph, payload);
  g_autofree char *link = _muster_fake_graph_call_link (call, "$skiptoken", token);

  g_string_append (out, ",\"@odata.nextLink\":");
  _muster_fake_json_append_string (out, link);
}

static void
error_from (MusterFakeGraphCall  *call,
            MusterFakeODataError *error)
{
  _muster_fake_graph_call_error (call, error->status, error->code, error->message);
  _muster_fake_odata_error_clear (error);
}

static void
append_context (MusterFakeGraphCall      *call,
                GString                  *out,
                const MusterFakeResource *resource,
                MusterFakeSelect         *select)
{
  g_autoptr(GString) what = g_string_new (resource->entity_set);

  if (select->properties != NULL)
    {
      g_string_append_c (what, '(');
      for (guint i = 0; i < select->properties->len; i++)
        {
          const MusterFakeProperty *prop = g_ptr_array_index (select->properties, i);

          if (i > 0)
            g_string_append_c (what, ',');
          g_string_append (what, prop->name);
        }
      g_string_append_c (what, ')');
    }
  _muster_fake_graph_append_context (call, out, what->str);
}

void
_muster_fake_graph_list (MusterFakeGraphCall      *call,
                         const MusterFakeResource *resource,
                         gboolean                  count_only)
{
  MusterFakeDirectory *dir = call->ctx->directory;
  GPtrArray *objects = resource->objects (dir);
  MusterFakeODataError error = { 0, NULL, NULL };
  MusterFakeSelect select = { NULL };
  MusterFakeSelect expand_select = { NULL };
  g_auto(MusterFakeExpand) expand = { NULL, NULL };
  g_autoptr(MusterFakeFilter) filter = NULL;
  g_autoptr(MusterFakeSearch) search = NULL;
  const char *filter_text = g_hash_table_lookup (call->query, "$filter");
  const char *search_text = g_hash_table_lookup (call->query, "$search");
  const char *orderby_text = g_hash_table_lookup (call->query, "$orderby");
  const char *count_text = g_hash_table_lookup (call->query, "$count");
  gboolean eventual = _muster_fake_graph_call_is_eventual (call);
  gboolean count_true = count_text != NULL && g_ascii_strcasecmp (count_text, "true") == 0;
  gboolean advanced = eventual && (count_true || count_only);
  const MusterFakeProperty *order_prop = NULL;
  gboolean descending = FALSE;
  guint top = 100;
  guint64 position = 0;
  GString *out;
  guint emitted = 0;
  gint64 next = -1;
  gint64 total = -1;

  /* aad-advanced-queries.md: /$count needs the header; $count=true without it is ignored */
  if (count_only && !eventual)
    {
      _muster_fake_graph_call_error (call, 400, "Request_BadRequest", "$count is not currently supported.");
      return;
    }
  if (g_hash_table_contains (call->query, "$skip"))
    {
      /* user-list.md / group-list.md: $skip isn't supported */
      _muster_fake_graph_call_error (call, 400, "Request_BadRequest",
                                     "'$skip' is not supported by the service.");
      return;
    }
  if (!_muster_fake_top_parse (g_hash_table_lookup (call->query, "$top"), 100, &top, &error)
      || !_muster_fake_select_parse (&select, resource->schema, g_hash_table_lookup (call->query, "$select"),
                                     TRUE, &error)
      || !_muster_fake_expand_parse (&expand, g_hash_table_lookup (call->query, "$expand"), &error))
    {
      error_from (call, &error);
      _muster_fake_select_clear (&select);
      return;
    }

  if (expand.name != NULL)
    {
      if (g_ascii_strcasecmp (expand.name, "photo") == 0)
        {
          _muster_fake_graph_call_error (call, 400, "ExpandNotSupported",
                                         "Expanding 'photo' is not supported.");
          goto out;
        }
      if (resource->expandable == NULL || g_ascii_strcasecmp (expand.name, resource->expandable) != 0)
        {
          g_autofree char *message = g_strdup_printf ("Could not find a property named '%s' on type '%s'.",
                                                      expand.name, resource->schema->type_name);
          _muster_fake_graph_call_error (call, 400, "BadRequest", message);
          goto out;
        }
      /* query-parameters.md: $expand doesn't combine with advanced queries */
      if (advanced || search_text != NULL)
        {
          _muster_fake_graph_call_error (call, 400, "Request_UnsupportedQuery",
                                         "Expand is not supported together with advanced query parameters.");
          goto out;
        }
      if (!_muster_fake_select_parse (&expand_select, resource->schema, expand.select, TRUE, &error))
        {
          error_from (call, &error);
          goto out;
        }
      if (expand_select.properties == NULL)
        {
          /* an expanded manager carries the default properties */
          expand_select.properties = g_ptr_array_new ();
          for (const MusterFakeProperty *p = resource->schema->properties; p->name; p++)
            if (p->is_default)
              g_ptr_array_add (expand_select.properties, (gpointer) p);
        }
    }

  if (search_text != NULL)
    {
      if (!eventual)
        {
          _muster_fake_graph_call_error (call, 400, "Request_UnsupportedQuery",
                                         "Request with $search query parameter only works through MSGraph with "
                                         "a special request header: 'ConsistencyLevel: eventual'");
          goto out;
        }
      search = _muster_fake_search_parse (resource->schema, search_text, &error);
      if (search == NULL)
        {
          error_from (call, &error);
          goto out;
        }
      advanced = TRUE;
    }
  if (filter_text != NULL)
    {
      filter = _muster_fake_filter_parse (resource->schema, filter_text, &error);
      if (filter == NULL)
        {
          error_from (call, &error);
          goto out;
        }
      if (_muster_fake_filter_get_advanced (filter) != NULL && !(eventual && (count_true || count_only)))
        {
          _muster_fake_graph_call_error (call, 400, "Request_UnsupportedQuery",
                                         _muster_fake_filter_get_advanced (filter));
          goto out;
        }
    }
  if (orderby_text != NULL)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (orderby_text));
      g_auto(GStrv) words = g_strsplit_set (trimmed, " ", -1);
      guint n_words = g_strv_length (words);
      gboolean sortable = FALSE;

      if (n_words >= 1 && n_words <= 2 && strchr (orderby_text, ',') == NULL)
        {
          order_prop = _muster_fake_schema_lookup (resource->schema, words[0]);
          descending = n_words == 2 && g_ascii_strcasecmp (words[1], "desc") == 0;
          sortable = order_prop != NULL && order_prop->kind == MUSTER_FAKE_PROP_STRING
                     && (n_words == 1 || descending || g_ascii_strcasecmp (words[1], "asc") == 0);
          if (sortable && !advanced)
            sortable = filter == NULL && g_strv_contains (resource->sortable, order_prop->name);
        }
      if (!sortable)
        {
          /* aad-advanced-queries.md: other properties, or $filter with $orderby, need an advanced query */
          _muster_fake_graph_call_error (call, 400, "Request_UnsupportedQuery",
                                         "Sorting not supported for current query.");
          goto out;
        }
    }
  if (!_muster_fake_graph_read_skiptoken (call, &position))
    goto out;

#define MATCHES(obj) (resource->is_live (obj) \
                      && _muster_fake_filter_eval (filter, (obj), resource->scalar, resource->collection) \
                      && _muster_fake_search_eval (search, (obj), resource->scalar, resource->collection))

  if (count_only)
    {
      guint64 count = 0;

      for (guint i = 0; i < objects->len; i++)
        if (MATCHES (g_ptr_array_index (objects, i)))
          count++;
      g_free (call->content_type);
      call->content_type = g_strdup ("text/plain");
      call->status = 200;
      call->body = g_string_new (NULL);
      /* aad-advanced-queries.md: "GET /users/$count" answers a bare number */
      g_string_append_printf (call->body, "%" G_GUINT64_FORMAT, count);
      goto out;
    }

  out = g_string_sized_new (top * 512 + 512);
  g_string_append_c (out, '{');
  append_context (call, out, resource, &select);

  if (order_prop == NULL)
    {
      /* Unordered: the position is the index in the directory's array where the page starts, so
       * paging costs nothing however deep it goes. */
      GString *values = g_string_sized_new (top * 512);

      for (guint i = position; i < objects->len; i++)
        {
          gconstpointer object = g_ptr_array_index (objects, i);

          if (!MATCHES (object))
            continue;
          if (emitted == top)
            {
              next = i;
              break;
            }
          if (emitted > 0)
            g_string_append_c (values, ',');
          resource->append (call, values, object, &select,
                            expand.name ? &expand_select : NULL, FALSE, FALSE);
          emitted++;
        }
      if (advanced && count_true && position == 0)
        {
          total = 0;
          for (guint i = 0; i < objects->len; i++)
            if (MATCHES (g_ptr_array_index (objects, i)))
              total++;
        }
      if (total >= 0)
        g_string_append_printf (out, ",\"@odata.count\":%" G_GINT64_FORMAT, total);
      /* paging.md and the samples of user-list.md: the nextLink stands before value */
      if (next >= 0)
        _muster_fake_graph_append_next_link (call, out, next);
      g_string_append (out, ",\"value\":[");
      g_string_append_len (out, values->str, values->len);
      g_string_free (values, TRUE);
    }
  else
    {
      g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (SortItem));
      guint end;

      for (guint i = 0; i < objects->len; i++)
        {
          gconstpointer object = g_ptr_array_index (objects, i);
          MusterFakeValue value = { MUSTER_FAKE_VALUE_NULL, NULL, FALSE };
          SortItem item;

          if (!MATCHES (object))
            continue;
          resource->scalar (object, order_prop, &value);
          item.object = object;
          item.key = value.type == MUSTER_FAKE_VALUE_STRING ? g_utf8_casefold (value.s, -1) : NULL;
          item.index = i;
          g_array_append_val (items, item);
        }
      g_array_sort_with_data (items, compare_sort_items, GINT_TO_POINTER (descending));
      if (advanced && count_true && position == 0)
        g_string_append_printf (out, ",\"@odata.count\":%u", items->len);
      end = MIN ((guint64) items->len, position + top);
      if (end < items->len)
        _muster_fake_graph_append_next_link (call, out, end);
      g_string_append (out, ",\"value\":[");
      for (guint i = position; i < end; i++)
        {
          if (i > position)
            g_string_append_c (out, ',');
          resource->append (call, out, g_array_index (items, SortItem, i).object, &select,
                            expand.name ? &expand_select : NULL, FALSE, FALSE);
        }
      for (guint i = 0; i < items->len; i++)
        g_free (g_array_index (items, SortItem, i).key);
    }
#undef MATCHES

  g_string_append (out, "]}");
  _muster_fake_graph_call_take_json (call, 200, out);

out:
  _muster_fake_select_clear (&select);
  _muster_fake_select_clear (&expand_select);
}
