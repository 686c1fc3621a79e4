/* muster-fake-scim-filter.c: SCIM filters and PATCH paths
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RFC 7644 §3.4.2.2 defines a rich filter language; Microsoft's provisioning service uses only
 * "eq" and "and" (entra-docs use-scim-to-provision-users-and-groups.md), and so does this fake:
 * every other operator, "or" and "not" answer 400 invalidFilter, so a client that needs more
 * learns it here rather than against a real server. Attribute names are case-insensitive and
 * string comparisons follow the attribute's caseExact (RFC 7643 §2.1, §7): userName matches
 * whatever its case, id and externalId only exactly.
 */

#define G_LOG_DOMAIN "muster-fake-scim"

#include "config.h"

#include "muster-fake-scim-private.h"

typedef enum
{
  FILTER_AND,
  FILTER_EQ,
  FILTER_VALUE_PATH,
} FilterKind;

struct _ScimFilter
{
  FilterKind        kind;
  ScimFilter       *left;    /* AND */
  ScimFilter       *right;   /* AND */
  const ScimSchema *schema;  /* EQ, VALUE_PATH: NULL inside a value filter */
  const ScimAttr   *attr;
  const ScimAttr   *sub;     /* EQ: attr.sub; VALUE_PATH: the sub-attribute after ']' */
  ScimFilter       *inner;   /* VALUE_PATH */
  JsonNode         *value;   /* EQ; VALUE_PATH with a trailing comparison */
};

typedef struct
{
  const ScimResourceType *type;
  const ScimAttr         *parent;
  const char             *p;
  ScimErrorType           error_type;
} Parser;

static ScimFilter *parse_filter (Parser *parser, GError **error);

void
_muster_fake_scim_filter_free (ScimFilter *filter)
{
  if (filter == NULL)
    return;
  _muster_fake_scim_filter_free (filter->left);
  _muster_fake_scim_filter_free (filter->right);
  _muster_fake_scim_filter_free (filter->inner);
  g_clear_pointer (&filter->value, json_node_unref);
  g_free (filter);
}

static void
skip_spaces (Parser *parser)
{
  while (*parser->p == ' ' || *parser->p == '\t')
    parser->p++;
}

static gboolean
is_word_char (char c)
{
  return c != '\0' && c != ' ' && c != '\t' && c != '[' && c != ']' && c != '(' && c != ')' && c != '"';
}

/* The next bare word, without consuming it. */
static gsize
peek_word (Parser *parser)
{
  gsize n = 0;

  while (is_word_char (parser->p[n]))
    n++;
  return n;
}

static gboolean
word_is (Parser     *parser,
         gsize       len,
         const char *word)
{
  return len == strlen (word) && g_ascii_strncasecmp (parser->p, word, len) == 0;
}

/* Resolves "name", "name.sub" or "urn:…:name[.sub]" (only "name" inside a value filter). */
static gboolean
resolve_attr (Parser            *parser,
              const char        *text,
              gsize              len,
              const ScimSchema **schema_out,
              const ScimAttr   **attr_out,
              const ScimAttr   **sub_out,
              GError           **error)
{
  g_autofree char *word = g_strndup (text, len);
  const ScimSchema *schema = NULL;
  const ScimAttr *attr;
  const ScimAttr *sub = NULL;
  const char *rest = word;
  const char *dot;

  if (parser->parent != NULL)
    {
      attr = _muster_fake_scim_attr_find_sub (parser->parent, word, len);
      if (attr == NULL)
        {
          g_set_error (error, SCIM_ERROR, parser->error_type,
                       "'%s' has no sub-attribute '%s'", parser->parent->name, word);
          return FALSE;
        }
    }
  else
    {
      schema = _muster_fake_scim_split_urn (parser->type, word, &rest);
      if (schema == NULL || *rest == '\0')
        {
          g_set_error (error, SCIM_ERROR, parser->error_type, "Unknown attribute '%s'", word);
          return FALSE;
        }
      dot = strchr (rest, '.');
      attr = _muster_fake_scim_schema_find_attr (schema, rest, dot ? (gsize) (dot - rest) : strlen (rest));
      if (attr == NULL)
        {
          g_set_error (error, SCIM_ERROR, parser->error_type, "Unknown attribute '%s'", word);
          return FALSE;
        }
      if (dot != NULL)
        {
          sub = _muster_fake_scim_attr_find_sub (attr, dot + 1, strlen (dot + 1));
          if (sub == NULL)
            {
              g_set_error (error, SCIM_ERROR, parser->error_type, "Unknown attribute '%s'", word);
              return FALSE;
            }
        }
    }

  *schema_out = schema;
  *attr_out = attr;
  *sub_out = sub;
  return TRUE;
}

/* A JSON literal: "string" (JSON escapes), true, false, null or a number (RFC 7644 §3.4.2.2). */
static JsonNode *
parse_value (Parser  *parser,
             GError **error)
{
  const char *start = parser->p;
  g_autofree char *literal = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *node;

  skip_spaces (parser);
  start = parser->p;
  if (*parser->p == '"')
    {
      parser->p++;
      while (*parser->p != '\0' && *parser->p != '"')
        {
          if (*parser->p == '\\' && parser->p[1] != '\0')
            parser->p++;
          parser->p++;
        }
      if (*parser->p != '"')
        {
          g_set_error_literal (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER, "Unterminated string in filter");
          return NULL;
        }
      parser->p++;
    }
  else
    parser->p += peek_word (parser);

  literal = g_strndup (start, parser->p - start);
  if (*literal == '\0')
    {
      g_set_error_literal (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER, "A comparison value is missing");
      return NULL;
    }
  node = json_from_string (literal, &local_error);
  if (node == NULL || JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node))
    {
      g_clear_pointer (&node, json_node_unref);
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER, "Invalid comparison value %s", literal);
      return NULL;
    }
  return node;
}

/* The attribute a comparison really looks at: a multi-valued complex attribute without a
 * sub-attribute compares its "value" (RFC 7644 §3.4.2.2). */
static const ScimAttr *
leaf_attr (const ScimAttr *attr,
           const ScimAttr *sub)
{
  if (sub != NULL)
    return sub;
  if (attr->type == SCIM_TYPE_COMPLEX)
    return _muster_fake_scim_attr_find_sub (attr, "value", 5);
  return attr;
}

static gboolean
check_value_type (const ScimAttr *leaf,
                  JsonNode       *value,
                  GError        **error)
{
  GType vt;

  if (JSON_NODE_HOLDS_NULL (value))
    return TRUE;
  vt = json_node_get_value_type (value);
  switch (leaf->type)
    {
    case SCIM_TYPE_BOOLEAN:
      if (vt == G_TYPE_BOOLEAN)
        return TRUE;
      break;
    case SCIM_TYPE_INTEGER:
    case SCIM_TYPE_DECIMAL:
      if (vt == G_TYPE_INT64 || vt == G_TYPE_DOUBLE)
        return TRUE;
      break;
    case SCIM_TYPE_COMPLEX:
      break;
    case SCIM_TYPE_STRING:
    case SCIM_TYPE_DATE_TIME:
    case SCIM_TYPE_BINARY:
    case SCIM_TYPE_REFERENCE:
    default:
      if (vt == G_TYPE_STRING)
        return TRUE;
      break;
    }
  g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER,
               "The value compared with '%s' has the wrong type", leaf->name);
  return FALSE;
}

static gboolean
parse_operator (Parser  *parser,
                GError **error)
{
  static const char * const unsupported[] = { "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr", NULL };
  gsize len;

  skip_spaces (parser);
  len = peek_word (parser);
  if (word_is (parser, len, "eq"))
    {
      parser->p += len;
      return TRUE;
    }
  for (guint i = 0; unsupported[i] != NULL; i++)
    if (word_is (parser, len, unsupported[i]))
      {
        g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER,
                     "The '%s' operator is not supported; only 'eq' and 'and' are", unsupported[i]);
        return FALSE;
      }
  g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER, "Expected an operator in the filter at '%s'",
               parser->p);
  return FALSE;
}

static ScimFilter *
parse_term (Parser  *parser,
            GError **error)
{
  g_autoptr(ScimFilter) filter = g_new0 (ScimFilter, 1);
  const char *word;
  gsize len;

  skip_spaces (parser);

  if (*parser->p == '(')
    {
      ScimFilter *inner;

      parser->p++;
      inner = parse_filter (parser, error);
      if (inner == NULL)
        return NULL;
      skip_spaces (parser);
      if (*parser->p != ')')
        {
          _muster_fake_scim_filter_free (inner);
          g_set_error_literal (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER, "Missing ')' in filter");
          return NULL;
        }
      parser->p++;
      return inner;
    }

  len = peek_word (parser);
  if (len == 0)
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER, "Expected an attribute in the filter at '%s'",
                   parser->p);
      return NULL;
    }
  if (word_is (parser, len, "not"))
    {
      g_set_error_literal (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER, "The 'not' operator is not supported");
      return NULL;
    }

  word = parser->p;
  parser->p += len;
  if (!resolve_attr (parser, word, len, &filter->schema, &filter->attr, &filter->sub, error))
    return NULL;

  if (*parser->p == '[')
    {
      Parser inner = { parser->type, filter->attr, parser->p + 1, SCIM_ERROR_INVALID_FILTER };

      if (parser->parent != NULL || filter->sub != NULL || filter->attr->type != SCIM_TYPE_COMPLEX ||
          !SCIM_ATTR_IS_MULTI (filter->attr))
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER,
                       "'%s' is not a multi-valued complex attribute", filter->attr->name);
          return NULL;
        }
      filter->kind = FILTER_VALUE_PATH;
      filter->inner = parse_filter (&inner, error);
      if (filter->inner == NULL)
        return NULL;
      skip_spaces (&inner);
      if (*inner.p != ']')
        {
          g_set_error_literal (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER, "Missing ']' in filter");
          return NULL;
        }
      parser->p = inner.p + 1;

      /* Entra's emails[type eq "work"].value eq "x" */
      if (*parser->p == '.')
        {
          gsize sub_len;

          parser->p++;
          sub_len = peek_word (parser);
          filter->sub = _muster_fake_scim_attr_find_sub (filter->attr, parser->p, sub_len);
          if (filter->sub == NULL)
            {
              g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER, "Unknown sub-attribute of '%s'",
                           filter->attr->name);
              return NULL;
            }
          parser->p += sub_len;
          if (!parse_operator (parser, error))
            return NULL;
          filter->value = parse_value (parser, error);
          if (filter->value == NULL || !check_value_type (filter->sub, filter->value, error))
            return NULL;
        }
      return g_steal_pointer (&filter);
    }

  filter->kind = FILTER_EQ;
  if (filter->attr->type == SCIM_TYPE_COMPLEX && filter->sub == NULL && !SCIM_ATTR_IS_MULTI (filter->attr))
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER,
                   "'%s' is complex: compare one of its sub-attributes", filter->attr->name);
      return NULL;
    }
  if (leaf_attr (filter->attr, filter->sub) == NULL)
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER, "'%s' cannot be compared", filter->attr->name);
      return NULL;
    }
  if (!parse_operator (parser, error))
    return NULL;
  filter->value = parse_value (parser, error);
  if (filter->value == NULL || !check_value_type (leaf_attr (filter->attr, filter->sub), filter->value, error))
    return NULL;
  return g_steal_pointer (&filter);
}

static ScimFilter *
parse_filter (Parser  *parser,
              GError **error)
{
  g_autoptr(ScimFilter) left = parse_term (parser, error);

  if (left == NULL)
    return NULL;

  for (;;)
    {
      ScimFilter *and;
      ScimFilter *right;
      gsize len;

      skip_spaces (parser);
      len = peek_word (parser);
      if (word_is (parser, len, "or"))
        {
          g_set_error_literal (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER,
                               "The 'or' operator is not supported; only 'eq' and 'and' are");
          return NULL;
        }
      if (!word_is (parser, len, "and"))
        return g_steal_pointer (&left);
      parser->p += len;
      right = parse_term (parser, error);
      if (right == NULL)
        return NULL;
      and = g_new0 (ScimFilter, 1);
      and->kind = FILTER_AND;
      and->left = g_steal_pointer (&left);
      and->right = right;
      left = and;
    }
}

ScimFilter *
_muster_fake_scim_filter_parse (const ScimResourceType *type,
                                const ScimAttr         *parent,
                                const char             *text,
                                GError                **error)
{
  Parser parser = { type, parent, text, SCIM_ERROR_INVALID_FILTER };
  g_autoptr(ScimFilter) filter = parse_filter (&parser, error);

  if (filter == NULL)
    return NULL;
  skip_spaces (&parser);
  if (*parser.p != '\0')
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_FILTER, "Unexpected '%s' in filter", parser.p);
      return NULL;
    }
  return g_steal_pointer (&filter);
}

static gboolean
values_equal (const ScimAttr *leaf,
              JsonNode       *have,
              JsonNode       *want)
{
  GType ht, wt;

  if (have == NULL || JSON_NODE_HOLDS_NULL (have))
    return JSON_NODE_HOLDS_NULL (want);
  if (!JSON_NODE_HOLDS_VALUE (have) || JSON_NODE_HOLDS_NULL (want))
    return FALSE;

  ht = json_node_get_value_type (have);
  wt = json_node_get_value_type (want);
  if (ht == G_TYPE_STRING && wt == G_TYPE_STRING)
    {
      const char *a = json_node_get_string (have);
      const char *b = json_node_get_string (want);

      if (leaf->type == SCIM_TYPE_DATE_TIME)
        {
          g_autoptr(GDateTime) da = g_date_time_new_from_iso8601 (a, NULL);
          g_autoptr(GDateTime) db = g_date_time_new_from_iso8601 (b, NULL);

          return da != NULL && db != NULL && g_date_time_equal (da, db);
        }
      if (SCIM_ATTR_IS_CASE_EXACT (leaf))
        return g_str_equal (a, b);
      else
        {
          g_autofree char *fa = g_utf8_casefold (a, -1);
          g_autofree char *fb = g_utf8_casefold (b, -1);

          return g_str_equal (fa, fb);
        }
    }
  if (ht == G_TYPE_BOOLEAN && wt == G_TYPE_BOOLEAN)
    return json_node_get_boolean (have) == json_node_get_boolean (want);
  if ((ht == G_TYPE_INT64 || ht == G_TYPE_DOUBLE) && (wt == G_TYPE_INT64 || wt == G_TYPE_DOUBLE))
    return json_node_get_double (have) == json_node_get_double (want);
  return FALSE;
}

static gboolean
eq_match (const ScimFilter *filter,
          const ScimSchema *core,
          JsonObject       *object)
{
  const ScimAttr *leaf = leaf_attr (filter->attr, filter->sub);
  JsonObject *container = object;
  JsonNode *node;

  if (filter->schema != NULL)
    container = _muster_fake_scim_data_container (object, filter->schema, core, FALSE);
  node = container ? json_object_get_member (container, filter->attr->name) : NULL;
  if (node == NULL)
    return JSON_NODE_HOLDS_NULL (filter->value);

  if (SCIM_ATTR_IS_MULTI (filter->attr) && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          JsonNode *value = element;

          if (filter->attr->type == SCIM_TYPE_COMPLEX)
            value = JSON_NODE_HOLDS_OBJECT (element)
              ? json_object_get_member (json_node_get_object (element), leaf->name) : NULL;
          if (values_equal (leaf, value, filter->value))
            return TRUE;
        }
      return FALSE;
    }

  if (filter->attr->type == SCIM_TYPE_COMPLEX)
    node = JSON_NODE_HOLDS_OBJECT (node) ? json_object_get_member (json_node_get_object (node), leaf->name) : NULL;
  return values_equal (leaf, node, filter->value);
}

static gboolean
value_path_match (const ScimFilter *filter,
                  const ScimSchema *core,
                  JsonObject       *object)
{
  JsonObject *container = _muster_fake_scim_data_container (object, filter->schema, core, FALSE);
  JsonNode *node = container ? json_object_get_member (container, filter->attr->name) : NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          !_muster_fake_scim_filter_match (filter->inner, core, json_node_get_object (element)))
        continue;
      if (filter->sub == NULL ||
          values_equal (filter->sub, json_object_get_member (json_node_get_object (element), filter->sub->name),
                        filter->value))
        return TRUE;
    }
  return FALSE;
}

gboolean
_muster_fake_scim_filter_match (const ScimFilter *filter,
                                const ScimSchema *core,
                                JsonObject       *object)
{
  switch (filter->kind)
    {
    case FILTER_AND:
      return _muster_fake_scim_filter_match (filter->left, core, object) &&
             _muster_fake_scim_filter_match (filter->right, core, object);
    case FILTER_EQ:
      return eq_match (filter, core, object);
    case FILTER_VALUE_PATH:
      return value_path_match (filter, core, object);
    default:
      g_assert_not_reached ();
    }
}

gboolean
_muster_fake_scim_filter_fill (const ScimFilter *filter,
                               JsonObject       *element)
{
  switch (filter->kind)
    {
    case FILTER_AND:
      return _muster_fake_scim_filter_fill (filter->left, element) &&
             _muster_fake_scim_filter_fill (filter->right, element);
    case FILTER_EQ:
      if (filter->schema != NULL || filter->sub != NULL || SCIM_ATTR_IS_MULTI (filter->attr))
        return FALSE;
      if (!JSON_NODE_HOLDS_NULL (filter->value))
        json_object_set_member (element, filter->attr->name, json_node_copy (filter->value));
      return TRUE;
    case FILTER_VALUE_PATH:
    default:
      return FALSE;
    }
}

void
_muster_fake_scim_path_clear (ScimPath *path)
{
  g_clear_pointer (&path->filter, _muster_fake_scim_filter_free);
  memset (path, 0, sizeof *path);
}

gboolean
_muster_fake_scim_path_parse (const ScimResourceType *type,
                              const char             *text,
                              ScimPath               *path,
                              GError                **error)
{
  const char *rest;
  const char *p;
  gsize len;

  memset (path, 0, sizeof *path);

  path->schema = _muster_fake_scim_split_urn (type, text, &rest);
  if (path->schema == NULL)
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_PATH, "Path '%s' names an unknown schema", text);
      return FALSE;
    }
  if (*rest == '\0')
    {
      if (path->schema == type->schema)
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_PATH, "Path '%s' names no attribute", text);
          return FALSE;
        }
      return TRUE;
    }

  for (len = 0; rest[len] != '\0' && rest[len] != '.' && rest[len] != '['; len++)
    ;
  path->attr = _muster_fake_scim_schema_find_attr (path->schema, rest, len);
  if (path->attr == NULL)
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_PATH, "Path '%s' names an unknown attribute", text);
      return FALSE;
    }
  p = rest + len;

  if (*p == '[')
    {
      Parser parser = { type, path->attr, p + 1, SCIM_ERROR_INVALID_PATH };

      if (path->attr->type != SCIM_TYPE_COMPLEX || !SCIM_ATTR_IS_MULTI (path->attr))
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_PATH,
                       "Path '%s' filters '%s', which is not multi-valued complex", text, path->attr->name);
          return FALSE;
        }
      path->filter = parse_filter (&parser, error);
      if (path->filter == NULL)
        return FALSE;
      skip_spaces (&parser);
      if (*parser.p != ']')
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_PATH, "Path '%s' has no closing ']'", text);
          _muster_fake_scim_path_clear (path);
          return FALSE;
        }
      p = parser.p + 1;
    }

  if (*p == '.')
    {
      p++;
      if (path->attr->type == SCIM_TYPE_COMPLEX)
        path->sub = _muster_fake_scim_attr_find_sub (path->attr, p, strlen (p));
      if (path->sub == NULL)
        {
          g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_PATH, "Path '%s' names an unknown sub-attribute", text);
          _muster_fake_scim_path_clear (path);
          return FALSE;
        }
      p += strlen (p);
    }

  if (*p != '\0')
    {
      g_set_error (error, SCIM_ERROR, SCIM_ERROR_INVALID_PATH, "Path '%s' is malformed", text);
      _muster_fake_scim_path_clear (path);
      return FALSE;
    }
  return TRUE;
}

const char *
_muster_fake_scim_filter_get_eq_string (const ScimFilter *filter,
                                        const ScimAttr   *attr)
{
  const char *found;

  switch (filter->kind)
    {
    case FILTER_AND:
      found = _muster_fake_scim_filter_get_eq_string (filter->left, attr);
      return found ? found : _muster_fake_scim_filter_get_eq_string (filter->right, attr);
    case FILTER_EQ:
      if (filter->attr == attr && filter->sub == NULL && filter->schema != NULL &&
          JSON_NODE_HOLDS_VALUE (filter->value) && json_node_get_value_type (filter->value) == G_TYPE_STRING)
        return json_node_get_string (filter->value);
      return NULL;
    case FILTER_VALUE_PATH:
    default:
      return NULL;
    }
}
