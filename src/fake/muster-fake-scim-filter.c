/* muster-fake-scim-filter.c: SCIM filters and PATCH paths
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The whole filter language of RFC 7644 §3.4.2.2:
 *
 *   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
 *   valuePath = attrPath "[" valFilter "]"      (plus Entra's attrPath "[" valFilter "]" "." subAttr
 *                                               compareOp compValue, read as one more "and")
 *   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 *   compareOp = "eq" / "ne" / "co" / "sw" / "ew" / "gt" / "lt" / "ge" / "le"
 *   compValue = false / null / true / number / string   (JSON literals, RFC 7159)
 *
 * with "not" binding tighter than "and", and "and" tighter than "or"; parentheses group.
 * Attribute names, operators and the logical words compare case-insensitively (§3.4.2.2, and ABNF
 * strings are case-insensitive, RFC 5234 §2.3); the JSON literals do not. String comparisons
 * follow the attribute's caseExact (RFC 7643 §2.1, §7): userName and emails.value match whatever
 * their case, id and externalId only exactly. Values compare by the attribute's type: dateTime
 * chronologically (meta.created, meta.lastModified), numbers numerically, booleans only with
 * eq/ne; gt/ge/lt/le on a boolean or binary attribute, co/sw/ew on a non-string one and a value of
 * the wrong JSON type are 400 invalidFilter, as is anything the grammar does not produce.
 *
 * Semantics where RFC 7644 leaves a choice: "ne" is the negation of "eq" (an absent attribute is
 * "ne" to every non-null value); on a multi-valued attribute a comparison matches when any value
 * does; "pr" wants a value that is not null, "" or an empty array/object.
 */

#define G_LOG_DOMAIN "muster-fake-scim"

#include "config.h"

#include "muster-fake-scim-private.h"

typedef enum
{
  FILTER_AND,
  FILTER_OR,
  FILTER_NOT,
  FILTER_COMPARE,
  FILTER_PRESENT,
  FILTER_VALUE_PATH,
} FilterKind;

typedef enum
{
  CMP_EQ,
  CMP_NE,
  CMP_CO,
  CMP_SW,
  CMP_EW,
  CMP_GT,
  CMP_GE,
  CMP_LT,
  CMP_LE,
} CompareOp;

static const char * const compare_op_names[] = { "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le" };

struct _ScimFilter
{
  FilterKind        kind;
  CompareOp         op;      /* COMPARE */
  ScimFilter       *left;    /* AND, OR, NOT */
  ScimFilter       *right;   /* AND, OR */
  const ScimSchema *schema;  /* COMPARE, PRESENT, VALUE_PATH: NULL inside a value filter */
  gboolean          meta;    /* attr is the resource's "meta" */
  const ScimAttr   *attr;
  const ScimAttr   *sub;     /* attr.sub, or NULL */
  ScimFilter       *inner;   /* VALUE_PATH: the value filter over elements */
  ScimFilter       *tail;    /* VALUE_PATH: Entra's trailing ".sub op value", over the same elements */
  JsonNode         *value;   /* COMPARE */
};

typedef struct
{
  const ScimResourceType *type;
  const ScimAttr         *parent;
  const char             *p;
  ScimErrorType           error_type;
} Parser;

/* "meta" (RFC 7643 §3.1) is not in the schema tables (clients never write it) but filters may
 * name its sub-attributes, as in RFC 7644 §3.4.2.2's meta.lastModified gt "2011-05-13T04:42:34Z". */
static const ScimAttr meta_subs[] = {
  { "resourceType", SCIM_TYPE_STRING, SCIM_ATTR_CASE_EXACT, SCIM_MUTABILITY_READ_ONLY, SCIM_RETURNED_DEFAULT,
    SCIM_UNIQUENESS_NONE, "The name of the resource type of the resource.", NULL, NULL, NULL },
  { "created", SCIM_TYPE_DATE_TIME, 0, SCIM_MUTABILITY_READ_ONLY, SCIM_RETURNED_DEFAULT,
    SCIM_UNIQUENESS_NONE, "When the resource was added to the service provider.", NULL, NULL, NULL },
  { "lastModified", SCIM_TYPE_DATE_TIME, 0, SCIM_MUTABILITY_READ_ONLY, SCIM_RETURNED_DEFAULT,
    SCIM_UNIQUENESS_NONE, "When the resource was last updated.", NULL, NULL, NULL },
  { "location", SCIM_TYPE_REFERENCE, SCIM_ATTR_CASE_EXACT, SCIM_MUTABILITY_READ_ONLY, SCIM_RETURNED_DEFAULT,
    SCIM_UNIQUENESS_NONE, "The URI of the resource.", NULL, NULL, NULL },
  { "version", SCIM_TYPE_STRING, SCIM_ATTR_CASE_EXACT, SCIM_MUTABILITY_READ_ONLY, SCIM_RETURNED_DEFAULT,
    SCIM_UNIQUENESS_NONE, "The version (ETag) of the resource.", NULL, NULL, NULL },
  { NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL }
};

static const ScimAttr meta_attr = {
  "meta", SCIM_TYPE_COMPLEX, 0, SCIM_MUTABILITY_READ_ONLY, SCIM_RETURNED_DEFAULT, SCIM_UNIQUENESS_NONE,
  "Resource metadata.", NULL, NULL, meta_subs
};

static ScimFilter *parse_or (Parser *parser, GError **error);

void
_muster_fake_scim_filter_free (ScimFilter *filter)
{
  if (filter == NULL)
    return;
  _muster_fake_scim_filter_free (filter->left);
  _muster_fake_scim_filter_free (filter->right);
  _muster_fake_scim_filter_free (filter->inner);
  _muster_fake_scim_filter_free (filter->tail);
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

static ScimFilter *
filter_new (FilterKind kind)
{
  ScimFilter *filter = g_new0 (ScimFilter, 1);

  filter->kind = kind;
  return filter;
}

/* Resolves "name", "name.sub", "urn:…:name[.sub]" or "meta.sub" (only "name" inside a value
 * filter, where it names a sub-attribute of the filtered attribute). */
static gboolean
resolve_attr (Parser     *parser,
              const char *text,
              gsize       len,
              ScimFilter *filter,
              GError    **error)
{
  g_autofree char *word = g_strndup (text, len);
  const char *rest = word;
  const char *dot;
  gsize name_len;

  if (parser->parent != NULL)
    {
      filter->attr = _muster_fake_scim_attr_find_sub (parser->parent, word, len);
      if (filter->attr == NULL)
        {
          g_set_error (error, SCIM_ERROR, parser->error_type,
                       "'%s' has no sub-attribute '%s'", parser->parent->name, word);
          return FALSE;
        }
      return TRUE;
    }

  filter->schema = _muster_fake_scim_split_urn (parser->type, word, &rest);
  if (filter->schema == NULL || *rest == '\0')
    {
      g_set_error (error, SCIM_ERROR, parser->error_type, "Unknown attribute '%s'", word);
      return FALSE;
    }
  dot = strchr (rest, '.');
  name_len = dot ? (gsize) (dot - rest) : strlen (rest);
  if (filter->schema == parser->type->schema && name_len == 4 && g_ascii_strncasecmp (rest, "meta", 4) == 0)
    {
      filter->meta = TRUE;
      filter->attr = &meta_attr;
    }
  else
    filter->attr = _muster_fake_scim_schema_find_attr (filter->schema, rest, name_len);
  if (filter->attr == NULL)
    {
      g_set_error (error, SCIM_ERROR, parser->error_type, "Unknown attribute '%s'", word);
      return FALSE;
    }
  if (dot != NULL)
    {
      filter->sub = _muster_fake_scim_attr_find_sub (filter->attr, dot + 1, strlen (dot + 1));
      if (filter->sub == NULL)
        {
          g_set_error (error, SCIM_ERROR, parser->error_type, "Unknown attribute '%s'", word);
          return FALSE;
        }
    }
  return TRUE;
}

/* A JSON literal: "string" (JSON escapes), true, false, null or a number (RFC 7644 §3.4.2.2). */
static JsonNode *
parse_value (Parser  *parser,
             GError **error)
{
  const char *start;
  g_autofree char *literal = NULL;
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
          g_set_error_literal (error, SCIM_ERROR, parser->error_type, "Unterminated string in filter");
          return NULL;
        }
      parser->p++;
    }
  else
    parser->p += peek_word (parser);

  literal = g_strndup (start, parser->p - start);
  if (*literal == '\0')
    {
      g_set_error_literal (error, SCIM_ERROR, parser->error_type, "A comparison value is missing");
      return NULL;
    }
  node = json_from_string (literal, NULL);
  if (node == NULL || JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node))
    {
      g_clear_pointer (&node, json_node_unref);
      g_set_error (error, SCIM_ERROR, parser->error_type,
                   "Invalid comparison value %s (a JSON string, number, true, false or null)", literal);
      return NULL;
    }
  return node;
}

/* The attribute a comparison really looks at: a multi-valued complex attribute without a
 * sub-attribute compares its "value" (RFC 7644 §3.4.2.2); NULL when there is none. */
static const ScimAttr *
leaf_attr (const ScimFilter *filter)
{
  if (filter->sub != NULL)
    return filter->sub;
  if (filter->attr->type == SCIM_TYPE_COMPLEX)
    return SCIM_ATTR_IS_MULTI (filter->attr) ? _muster_fake_scim_attr_find_sub (filter->attr, "value", 5) : NULL;
  return filter->attr;
}

static gboolean
is_ordering (CompareOp op)
{
  return op == CMP_GT || op == CMP_GE || op == CMP_LT || op == CMP_LE;
}

/* RFC 7644 §3.4.2.2: which operator goes with which attribute type and value. */
static gboolean
check_comparison (Parser         *parser,
                  const ScimAttr *leaf,
                  CompareOp       op,
                  JsonNode       *value,
                  GError        **error)
{
  GType vt = JSON_NODE_HOLDS_NULL (value) ? G_TYPE_INVALID : json_node_get_value_type (value);
  const char *op_name = compare_op_names[op];
  gboolean type_ok;

  if (vt == G_TYPE_INVALID)
    {
      if (op == CMP_EQ || op == CMP_NE)
        return TRUE;
      g_set_error (error, SCIM_ERROR, parser->error_type, "'%s' cannot compare with null", op_name);
      return FALSE;
    }

  switch (leaf->type)
    {
    case SCIM_TYPE_BOOLEAN:
      type_ok = vt == G_TYPE_BOOLEAN;
      if (type_ok && op != CMP_EQ && op != CMP_NE)
        {
          g_set_error (error, SCIM_ERROR, parser->error_type,
                       "'%s' is a boolean: only 'eq', 'ne' and 'pr' apply to it, not '%s'", leaf->name, op_name);
          return FALSE;
        }
      break;
    case SCIM_TYPE_INTEGER:
    case SCIM_TYPE_DECIMAL:
      type_ok = vt == G_TYPE_INT64 || vt == G_TYPE_DOUBLE;
      if (type_ok && (op == CMP_CO || op == CMP_SW || op == CMP_EW))
        {
          g_set_error (error, SCIM_ERROR, parser->error_type, "'%s' is a number: '%s' does not apply to it",
                       leaf->name, op_name);
          return FALSE;
        }
      break;
    case SCIM_TYPE_BINARY:
      type_ok = vt == G_TYPE_STRING;
      if (type_ok && is_ordering (op))
        {
          g_set_error (error, SCIM_ERROR, parser->error_type, "'%s' is binary: '%s' does not apply to it",
                       leaf->name, op_name);
          return FALSE;
        }
      break;
    case SCIM_TYPE_DATE_TIME:
      type_ok = vt == G_TYPE_STRING;
      if (type_ok && (op == CMP_EQ || op == CMP_NE || is_ordering (op)))
        {
          g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (json_node_get_string (value), NULL);

          if (when == NULL)
            {
              g_set_error (error, SCIM_ERROR, parser->error_type, "'%s' is a dateTime: \"%s\" is not one",
                           leaf->name, json_node_get_string (value));
              return FALSE;
            }
        }
      break;
    case SCIM_TYPE_STRING:
    case SCIM_TYPE_REFERENCE:
    case SCIM_TYPE_COMPLEX:
    default:
      type_ok = vt == G_TYPE_STRING;
      break;
    }
  if (!type_ok)
    {
      g_set_error (error, SCIM_ERROR, parser->error_type,
                   "The value compared with '%s' has the wrong type", leaf->name);
      return FALSE;
    }
  return TRUE;
}

/* attrPath SP ("pr" / compareOp SP compValue), after the attribute has been resolved. */
static gboolean
parse_comparison (Parser     *parser,
                  ScimFilter *filter,
                  GError    **error)
{
  const ScimAttr *leaf;
  gsize len;

  skip_spaces (parser);
  len = peek_word (parser);
  if (word_is (parser, len, "pr"))
    {
      parser->p += len;
      filter->kind = FILTER_PRESENT;
      return TRUE;
    }

  filter->kind = FILTER_COMPARE;
  for (filter->op = CMP_EQ; filter->op < G_N_ELEMENTS (compare_op_names); filter->op++)
    if (word_is (parser, len, compare_op_names[filter->op]))
      break;
  if (filter->op == G_N_ELEMENTS (compare_op_names))
    {
      g_set_error (error, SCIM_ERROR, parser->error_type, "Expected an operator in the filter at '%s'",
                   parser->p);
      return FALSE;
    }
  parser->p += len;

  leaf = leaf_attr (filter);
  if (leaf == NULL)
    {
      g_set_error (error, SCIM_ERROR, parser->error_type,
                   "'%s' is complex: compare one of its sub-attributes", filter->attr->name);
      return FALSE;
    }
  filter->value = parse_value (parser, error);
  return filter->value != NULL && check_comparison (parser, leaf, filter->op, filter->value, error);
}

/* attrExp or valuePath */
static ScimFilter *
parse_attr_expression (Parser  *parser,
                       GError **error)
{
  g_autoptr(ScimFilter) filter = filter_new (FILTER_COMPARE);
  const char *word = parser->p;
  gsize len = peek_word (parser);

  if (len == 0)
    {
      g_set_error (error, SCIM_ERROR, parser->error_type, "Expected an attribute in the filter at '%s'",
                   parser->p);
      return NULL;
    }
  parser->p += len;
  if (!resolve_attr (parser, word, len, filter, error))
    return NULL;

  if (*parser->p == '[')
    {
      Parser inner = { parser->type, filter->attr, parser->p + 1, parser->error_type };

      if (parser->parent != NULL || filter->sub != NULL || filter->meta ||
          filter->attr->type != SCIM_TYPE_COMPLEX || !SCIM_ATTR_IS_MULTI (filter->attr))
        {
          g_set_error (error, SCIM_ERROR, parser->error_type,
                       "'%s' is not a multi-valued complex attribute", filter->attr->name);
          return NULL;
        }
      filter->kind = FILTER_VALUE_PATH;
      filter->inner = parse_or (&inner, error);
      if (filter->inner == NULL)
        return NULL;
      skip_spaces (&inner);
      if (*inner.p != ']')
        {
          g_set_error_literal (error, SCIM_ERROR, parser->error_type, "Missing ']' in filter");
          return NULL;
        }
      parser->p = inner.p + 1;

      /* Entra's emails[type eq "work"].value eq "x": one more condition on the same element */
      if (*parser->p == '.')
        {
          Parser tail = { parser->type, filter->attr, parser->p + 1, parser->error_type };

          filter->tail = parse_attr_expression (&tail, error);
          if (filter->tail == NULL)
            return NULL;
          parser->p = tail.p;
        }
      return g_steal_pointer (&filter);
    }

  if (!parse_comparison (parser, filter, error))
    return NULL;
  return g_steal_pointer (&filter);
}

/* "(" FILTER ")" */
static ScimFilter *
parse_group (Parser  *parser,
             GError **error)
{
  g_autoptr(ScimFilter) inner = NULL;

  skip_spaces (parser);
  if (*parser->p != '(')
    {
      g_set_error_literal (error, SCIM_ERROR, parser->error_type, "'not' must be followed by '('");
      return NULL;
    }
  parser->p++;
  inner = parse_or (parser, error);
  if (inner == NULL)
    return NULL;
  skip_spaces (parser);
  if (*parser->p != ')')
    {
      g_set_error_literal (error, SCIM_ERROR, parser->error_type, "Missing ')' in filter");
      return NULL;
    }
  parser->p++;
  return g_steal_pointer (&inner);
}

static ScimFilter *
parse_unary (Parser  *parser,
             GError **error)
{
  gsize len;

  skip_spaces (parser);
  if (*parser->p == '(')
    return parse_group (parser, error);

  len = peek_word (parser);
  if (word_is (parser, len, "not"))
    {
      ScimFilter *not;
      ScimFilter *inner;

      parser->p += len;
      inner = parse_group (parser, error);
      if (inner == NULL)
        return NULL;
      not = filter_new (FILTER_NOT);
      not->left = inner;
      return not;
    }
  return parse_attr_expression (parser, error);
}

/* left ("and"|"or" right)*, left-associative */
static ScimFilter *
parse_logical (Parser      *parser,
               FilterKind   kind,
               const char  *word,
               ScimFilter *(*operand) (Parser *, GError **),
               GError     **error)
{
  g_autoptr(ScimFilter) left = operand (parser, error);

  if (left == NULL)
    return NULL;

  for (;;)
    {
      ScimFilter *combined;
      ScimFilter *right;
      const char *before = parser->p;
      gsize len;

      skip_spaces (parser);
      len = peek_word (parser);
      if (!word_is (parser, len, word))
        {
          parser->p = before;
          return g_steal_pointer (&left);
        }
      parser->p += len;
      right = operand (parser, error);
      if (right == NULL)
        return NULL;
      combined = filter_new (kind);
      combined->left = g_steal_pointer (&left);
      combined->right = right;
      left = combined;
    }
}

static ScimFilter *
parse_and (Parser  *parser,
           GError **error)
{
  return parse_logical (parser, FILTER_AND, "and", parse_unary, error);
}

static ScimFilter *
parse_or (Parser  *parser,
          GError **error)
{
  return parse_logical (parser, FILTER_OR, "or", parse_and, error);
}

ScimFilter *
_muster_fake_scim_filter_parse (const ScimResourceType *type,
                                const ScimAttr         *parent,
                                const char             *text,
                                GError                **error)
{
  Parser parser = { type, parent, text, SCIM_ERROR_INVALID_FILTER };
  g_autoptr(ScimFilter) filter = parse_or (&parser, error);

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

/* --- matching --------------------------------------------------------------------------------- */

static char *
fold_unless_exact (const ScimAttr *leaf,
                   const char     *text)
{
  return SCIM_ATTR_IS_CASE_EXACT (leaf) ? g_strdup (text) : g_utf8_casefold (text, -1);
}

static gboolean
ordered (CompareOp op,
         int       cmp)
{
  switch (op)
    {
    case CMP_EQ:
      return cmp == 0;
    case CMP_GT:
      return cmp > 0;
    case CMP_GE:
      return cmp >= 0;
    case CMP_LT:
      return cmp < 0;
    case CMP_LE:
      return cmp <= 0;
    case CMP_NE:
    case CMP_CO:
    case CMP_SW:
    case CMP_EW:
    default:
      g_assert_not_reached ();
    }
}

/* One stored value against the filter's value; never called with CMP_NE (the negation of EQ). */
static gboolean
value_matches (const ScimAttr *leaf,
               JsonNode       *have,
               CompareOp       op,
               JsonNode       *want)
{
  GType ht, wt;

  if (have == NULL || JSON_NODE_HOLDS_NULL (have))
    return op == CMP_EQ && JSON_NODE_HOLDS_NULL (want);
  if (!JSON_NODE_HOLDS_VALUE (have) || JSON_NODE_HOLDS_NULL (want))
    return FALSE;

  ht = json_node_get_value_type (have);
  wt = json_node_get_value_type (want);
  if (ht == G_TYPE_STRING && wt == G_TYPE_STRING)
    {
      const char *a = json_node_get_string (have);
      const char *b = json_node_get_string (want);
      g_autofree char *fa = NULL;
      g_autofree char *fb = NULL;

      if (leaf->type == SCIM_TYPE_DATE_TIME && (op == CMP_EQ || is_ordering (op)))
        {
          g_autoptr(GDateTime) da = g_date_time_new_from_iso8601 (a, NULL);
          g_autoptr(GDateTime) db = g_date_time_new_from_iso8601 (b, NULL);

          return da != NULL && db != NULL && ordered (op, g_date_time_compare (da, db));
        }
      fa = fold_unless_exact (leaf, a);
      fb = fold_unless_exact (leaf, b);
      switch (op)
        {
        case CMP_CO:
          return strstr (fa, fb) != NULL;
        case CMP_SW:
          return g_str_has_prefix (fa, fb);
        case CMP_EW:
          return g_str_has_suffix (fa, fb);
        case CMP_EQ:
        case CMP_GT:
        case CMP_GE:
        case CMP_LT:
        case CMP_LE:
          /* "lexicographical" (§3.4.2.2): by code point */
          return ordered (op, strcmp (fa, fb));
        case CMP_NE:
        default:
          g_assert_not_reached ();
        }
    }
  if (ht == G_TYPE_BOOLEAN && wt == G_TYPE_BOOLEAN)
    return op == CMP_EQ && json_node_get_boolean (have) == json_node_get_boolean (want);
  if ((ht == G_TYPE_INT64 || ht == G_TYPE_DOUBLE) && (wt == G_TYPE_INT64 || wt == G_TYPE_DOUBLE) &&
      (op == CMP_EQ || is_ordering (op)))
    {
      double a = json_node_get_double (have);
      double b = json_node_get_double (want);

      return ordered (op, a < b ? -1 : a > b ? 1 : 0);
    }
  return FALSE;
}

static gboolean
node_present (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_array_get_length (json_node_get_array (node)) > 0;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_object_get_size (json_node_get_object (node)) > 0;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return *json_node_get_string (node) != '\0';
  return TRUE;
}

/* The object that holds the filter's attribute, or NULL when there is none. */
static JsonObject *
filter_container (const ScimFilter *filter,
                  const ScimSchema *core,
                  JsonObject       *object,
                  JsonObject       *meta)
{
  if (filter->meta)
    return meta;
  if (filter->schema == NULL)
    return object;
  return _muster_fake_scim_data_container (object, filter->schema, core, FALSE);
}

/* PRESENT and COMPARE (but NE): does any value of attr[.sub] satisfy the filter? */
static gboolean
attribute_matches (const ScimFilter *filter,
                   CompareOp         op,
                   const ScimSchema *core,
                   JsonObject       *object,
                   JsonObject       *meta)
{
  JsonObject *container = filter_container (filter, core, object, meta);
  JsonNode *node = container ? json_object_get_member (container, filter->attr->name) : NULL;
  const ScimAttr *leaf = leaf_attr (filter);
  gboolean present = filter->kind == FILTER_PRESENT;
  JsonArray *array;

  if (present && filter->sub == NULL)
    return node_present (node);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return !present && value_matches (leaf, NULL, op, filter->value);

  if (SCIM_ATTR_IS_MULTI (filter->attr) && JSON_NODE_HOLDS_ARRAY (node))
    {
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          JsonNode *value = element;

          if (filter->attr->type == SCIM_TYPE_COMPLEX)
            value = JSON_NODE_HOLDS_OBJECT (element)
              ? json_object_get_member (json_node_get_object (element), leaf->name) : NULL;
          if (present ? node_present (value) : value_matches (leaf, value, op, filter->value))
            return TRUE;
        }
      return !present && json_array_get_length (array) == 0 && value_matches (leaf, NULL, op, filter->value);
    }

  if (filter->attr->type == SCIM_TYPE_COMPLEX)
    node = JSON_NODE_HOLDS_OBJECT (node) ? json_object_get_member (json_node_get_object (node), leaf->name) : NULL;
  return present ? node_present (node) : value_matches (leaf, node, op, filter->value);
}

static gboolean
filter_match (const ScimFilter *filter,
              const ScimSchema *core,
              JsonObject       *object,
              JsonObject       *meta);

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

      if (JSON_NODE_HOLDS_OBJECT (element) &&
          filter_match (filter->inner, core, json_node_get_object (element), NULL) &&
          (filter->tail == NULL || filter_match (filter->tail, core, json_node_get_object (element), NULL)))
        return TRUE;
    }
  return FALSE;
}

static gboolean
filter_match (const ScimFilter *filter,
              const ScimSchema *core,
              JsonObject       *object,
              JsonObject       *meta)
{
  switch (filter->kind)
    {
    case FILTER_AND:
      return filter_match (filter->left, core, object, meta) && filter_match (filter->right, core, object, meta);
    case FILTER_OR:
      return filter_match (filter->left, core, object, meta) || filter_match (filter->right, core, object, meta);
    case FILTER_NOT:
      return !filter_match (filter->left, core, object, meta);
    case FILTER_PRESENT:
      return attribute_matches (filter, CMP_EQ, core, object, meta);
    case FILTER_COMPARE:
      if (filter->op == CMP_NE)
        return !attribute_matches (filter, CMP_EQ, core, object, meta);
      return attribute_matches (filter, filter->op, core, object, meta);
    case FILTER_VALUE_PATH:
      return value_path_match (filter, core, object);
    default:
      g_assert_not_reached ();
    }
}

gboolean
_muster_fake_scim_filter_match (const ScimFilter *filter,
                                const ScimSchema *core,
                                JsonObject       *object,
                                JsonObject       *meta)
{
  return filter_match (filter, core, object, meta);
}

gboolean
_muster_fake_scim_filter_uses_meta (const ScimFilter *filter)
{
  if (filter == NULL)
    return FALSE;
  return filter->meta || _muster_fake_scim_filter_uses_meta (filter->left) ||
         _muster_fake_scim_filter_uses_meta (filter->right);
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
    case FILTER_COMPARE:
      if (filter->op != CMP_EQ || filter->schema != NULL || filter->sub != NULL || SCIM_ATTR_IS_MULTI (filter->attr))
        return FALSE;
      if (!JSON_NODE_HOLDS_NULL (filter->value))
        json_object_set_member (element, filter->attr->name, json_node_copy (filter->value));
      return TRUE;
    case FILTER_OR:
    case FILTER_NOT:
    case FILTER_PRESENT:
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
      path->filter = parse_or (&parser, error);
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
    case FILTER_COMPARE:
      if (filter->op == CMP_EQ && filter->attr == attr && filter->sub == NULL && filter->schema != NULL &&
          !filter->meta && JSON_NODE_HOLDS_VALUE (filter->value) &&
          json_node_get_value_type (filter->value) == G_TYPE_STRING)
        return json_node_get_string (filter->value);
      return NULL;
    case FILTER_OR:
    case FILTER_NOT:
    case FILTER_PRESENT:
    case FILTER_VALUE_PATH:
    default:
      return NULL;
    }
}
