/* muster-fake-odata.c: $select, $filter, $search, $expand and $top as Graph parses them
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-odata"

#include "config.h"

#include <string.h>

#include "muster-fake-odata.h"

typedef enum
{
  OP_EQ, OP_NE, OP_GT, OP_GE, OP_LT, OP_LE,
} CompareOp;

typedef enum
{
  NODE_AND, NODE_OR, NODE_NOT,
  NODE_COMPARE,      /* property op literal */
  NODE_STARTSWITH,   /* startswith(property,'x') */
  NODE_ENDSWITH,
  NODE_IN,           /* property in ('a','b') */
  NODE_COUNT,        /* collection/$count op n */
  NODE_ANY,          /* collection/any(x: x op literal | startswith(x,'p')) */
} NodeKind;

typedef struct _Node Node;
struct _Node
{
  NodeKind                  kind;
  CompareOp                 op;
  const MusterFakeProperty *property;
  MusterFakeValue           value;     /* s points into @text */
  char                     *text;
  gint64                    number;
  gboolean                  any_startswith;
  GPtrArray                *values;    /* NODE_IN: of char* */
  Node                     *left;
  Node                     *right;
};

struct _MusterFakeFilter
{
  Node *root;
  char *advanced_message;
};

typedef struct
{
  const MusterFakeSchema *schema;
  const char             *text;
  const char             *p;
  MusterFakeODataError   *error;
  char                   *advanced_message;
} Parser;

static const char *op_names[] = { "eq", "ne", "gt", "ge", "lt", "le" };
static const char *op_kinds[] = { "Equal", "NotEqual", "GreaterThan", "GreaterThanOrEqual",
                                  "LessThan", "LessThanOrEqual" };

void
_muster_fake_odata_error_clear (MusterFakeODataError *error)
{
  g_clear_pointer (&error->code, g_free);
  g_clear_pointer (&error->message, g_free);
  error->status = 0;
}

static void
set_error (MusterFakeODataError *error,
           guint                 status,
           const char           *code,
           char                 *message)
{
  if (error->code != NULL)
    {
      g_free (message);
      return;
    }
  error->status = status;
  error->code = g_strdup (code);
  error->message = message;
}

const MusterFakeProperty *
_muster_fake_schema_lookup (const MusterFakeSchema *schema,
                            const char             *name)
{
  /* Property names in OData query options are case-insensitive on Graph. */
  for (const MusterFakeProperty *prop = schema->properties; prop->name != NULL; prop++)
    if (g_ascii_strcasecmp (prop->name, name) == 0)
      return prop;
  return NULL;
}

/* ---- fast JSON string writer ------------------------------------------------------------ */

void
_muster_fake_odata_append_string (GString    *out,
                                  const char *s)
{
  static const char hex[] = "0123456789abcdef";
  const char *run;

  if (s == NULL)
    {
      g_string_append_len (out, "null", 4);
      return;
    }

  g_string_append_c (out, '"');
  run = s;
  for (const char *p = s; ; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      if (p > run)
        g_string_append_len (out, run, p - run);
      if (c == '\0')
        break;
      run = p + 1;
      switch (c)
        {
        case '"':  g_string_append_len (out, "\\\"", 2); break;
        case '\\': g_string_append_len (out, "\\\\", 2); break;
        case '\n': g_string_append_len (out, "\\n", 2); break;
        case '\r': g_string_append_len (out, "\\r", 2); break;
        case '\t': g_string_append_len (out, "\\t", 2); break;
        case '\b': g_string_append_len (out, "\\b", 2); break;
        case '\f': g_string_append_len (out, "\\f", 2); break;
        default:
          g_string_append_len (out, "\\u00", 4);
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xf]);
        }
    }
  g_string_append_c (out, '"');
}

gboolean
_muster_fake_odata_append_value (GString               *out,
                                 const MusterFakeValue *value,
                                 gsize                  mark,
                                 gboolean               omit_null)
{
  if (value->type == MUSTER_FAKE_VALUE_NULL)
    {
      if (omit_null)
        {
          g_string_truncate (out, mark);
          return FALSE;
        }
      g_string_append_len (out, "null", 4);
    }
  else if (value->type == MUSTER_FAKE_VALUE_BOOL)
    g_string_append (out, value->b ? "true" : "false");
  else
    _muster_fake_odata_append_string (out, value->s);
  return TRUE;
}

gboolean
_muster_fake_odata_has_prefix_ci (const char *s,
                                  const char *prefix)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (s == NULL || prefix == NULL)
    return FALSE;
  a = g_utf8_casefold (s, -1);
  b = g_utf8_casefold (prefix, -1);
  return g_str_has_prefix (a, b);
}

static gboolean
has_suffix_ci (const char *s,
               const char *suffix)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (s == NULL || suffix == NULL)
    return FALSE;
  a = g_utf8_casefold (s, -1);
  b = g_utf8_casefold (suffix, -1);
  return g_str_has_suffix (a, b);
}

static int
compare_ci (const char *a,
            const char *b)
{
  g_autofree char *fa = g_utf8_casefold (a, -1);
  g_autofree char *fb = g_utf8_casefold (b, -1);

  return strcmp (fa, fb);
}

/* ---- $select ------------------------------------------------------------------------------ */

gboolean
_muster_fake_select_parse (MusterFakeSelect       *select,
                           const MusterFakeSchema *schema,
                           const char             *text,
                           gboolean                collection,
                           MusterFakeODataError   *error)
{
  g_auto(GStrv) parts = NULL;

  select->properties = NULL;
  if (text == NULL)
    return TRUE;

  select->properties = g_ptr_array_new ();
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *name = g_strstrip (parts[i]);
      const MusterFakeProperty *prop;

      if (*name == '\0')
        continue;
      if (g_str_equal (name, "*"))
        {
          for (prop = schema->properties; prop->name != NULL; prop++)
            if (!prop->single_only)
              g_ptr_array_add (select->properties, (gpointer) prop);
          continue;
        }
      prop = _muster_fake_schema_lookup (schema, name);
      if (prop == NULL && error == NULL)
        continue;
      if (prop == NULL)
        {
          set_error (error, 400, "BadRequest",
                     g_strdup_printf ("Could not find a property named '%s' on type '%s'.",
                                      name, schema->type_name));
          _muster_fake_select_clear (select);
          return FALSE;
        }
      /* user.md: these are returned only when retrieving a single user */
      if (prop->single_only && collection && error != NULL)
        {
          set_error (error, 501, "NotImplemented",
                     g_strdup ("This operation target is not yet supported."));
          _muster_fake_select_clear (select);
          return FALSE;
        }
      if (!_muster_fake_select_has (select, prop->name))
        g_ptr_array_add (select->properties, (gpointer) prop);
    }
  if (select->properties->len == 0)
    g_clear_pointer (&select->properties, g_ptr_array_unref);
  return TRUE;
}

void
_muster_fake_select_clear (MusterFakeSelect *select)
{
  g_clear_pointer (&select->properties, g_ptr_array_unref);
}

gboolean
_muster_fake_select_has (MusterFakeSelect *select,
                         const char       *name)
{
  if (select == NULL || select->properties == NULL)
    return FALSE;
  for (guint i = 0; i < select->properties->len; i++)
    if (g_str_equal (((const MusterFakeProperty *) g_ptr_array_index (select->properties, i))->name, name))
      return TRUE;
  return FALSE;
}

/* ---- $top --------------------------------------------------------------------------------- */

gboolean
_muster_fake_top_parse (const char           *text,
                        guint                 fallback,
                        guint                *top,
                        MusterFakeODataError *error)
{
  guint64 value = 0;
  const char *end = NULL;

  if (text == NULL)
    {
      *top = fallback;
      return TRUE;
    }
  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &value, NULL) && value >= 1 && value <= 999)
    {
      *top = value;
      return TRUE;
    }
  (void) end;
  /* The real service's words (Request_UnsupportedQuery, as SDK users report for $top=1000). */
  set_error (error, 400, "Request_UnsupportedQuery",
             g_strdup_printf ("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.",
                              text));
  return FALSE;
}

/* ---- $expand ------------------------------------------------------------------------------ */

gboolean
_muster_fake_expand_parse (MusterFakeExpand     *expand,
                           const char           *text,
                           MusterFakeODataError *error)
{
  const char *paren;
  g_autofree char *name = NULL;

  expand->name = NULL;
  expand->select = NULL;
  if (text == NULL || *text == '\0')
    return TRUE;

  paren = strchr (text, '(');
  name = paren ? g_strndup (text, paren - text) : g_strdup (text);
  g_strstrip (name);
  if (strchr (name, ',') != NULL)
    {
      set_error (error, 400, "Request_BadRequest",
                 g_strdup ("Only one navigation property can be expanded."));
      return FALSE;
    }
  if (paren != NULL)
    {
      const char *close = strrchr (paren, ')');
      g_autofree char *options = NULL;
      g_auto(GStrv) parts = NULL;

      if (close == NULL)
        {
          set_error (error, 400, "BadRequest",
                     g_strdup_printf ("Syntax error at position %d in '%s'.", (int) strlen (text), text));
          return FALSE;
        }
      options = g_strndup (paren + 1, close - paren - 1);
      parts = g_strsplit (options, ";", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          char *opt = g_strstrip (parts[i]);

          if (g_ascii_strncasecmp (opt, "$select=", 8) == 0)
            {
              g_free (expand->select);
              expand->select = g_strdup (opt + 8);
            }
          else if (*opt != '\0' && g_ascii_strncasecmp (opt, "$levels=", 8) != 0)
            {
              set_error (error, 400, "BadRequest",
                         g_strdup_printf ("Query option '%s' is not allowed in $expand.", opt));
              g_clear_pointer (&expand->select, g_free);
              return FALSE;
            }
        }
    }
  expand->name = g_steal_pointer (&name);
  return TRUE;
}

void
_muster_fake_expand_clear (MusterFakeExpand *expand)
{
  g_clear_pointer (&expand->name, g_free);
  g_clear_pointer (&expand->select, g_free);
}

/* ---- $filter ------------------------------------------------------------------------------ */

static void
node_free (Node *node)
{
  if (node == NULL)
    return;
  node_free (node->left);
  node_free (node->right);
  g_free (node->text);
  g_clear_pointer (&node->values, g_ptr_array_unref);
  g_free (node);
}

static void
skip_space (Parser *parser)
{
  while (*parser->p == ' ' || *parser->p == '\t')
    parser->p++;
}

static gboolean
syntax_error (Parser *parser)
{
  set_error (parser->error, 400, "BadRequest",
             g_strdup_printf ("Invalid filter clause: Syntax error at position %d in '%s'.",
                              (int) (parser->p - parser->text), parser->text));
  return FALSE;
}

static gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '/' || c == '$' || c == '.' || c == '-';
}

/* The next identifier-like word (property path, keyword, GUID, number), or NULL. */
static char *
read_word (Parser *parser)
{
  const char *start;

  skip_space (parser);
  start = parser->p;
  while (is_word_char (*parser->p))
    parser->p++;
  if (parser->p == start)
    return NULL;
  return g_strndup (start, parser->p - start);
}

static gboolean
peek_keyword (Parser     *parser,
              const char *keyword)
{
  gsize len = strlen (keyword);

  skip_space (parser);
  return g_ascii_strncasecmp (parser->p, keyword, len) == 0 && !is_word_char (parser->p[len]);
}

static gboolean
expect_char (Parser *parser,
             char    c)
{
  skip_space (parser);
  if (*parser->p != c)
    return syntax_error (parser);
  parser->p++;
  return TRUE;
}

/* 'it''s' → it's */
static char *
read_string (Parser *parser)
{
  GString *s;

  skip_space (parser);
  if (*parser->p != '\'')
    return NULL;
  parser->p++;
  s = g_string_new (NULL);
  for (;;)
    {
      if (*parser->p == '\0')
        {
          g_string_free (s, TRUE);
          return NULL;
        }
      if (*parser->p == '\'')
        {
          if (parser->p[1] == '\'')
            {
              g_string_append_c (s, '\'');
              parser->p += 2;
              continue;
            }
          parser->p++;
          break;
        }
      g_string_append_c (s, *parser->p++);
    }
  return g_string_free (s, FALSE);
}

/* A literal: 'string', true, false, null, a number or an unquoted GUID. */
static gboolean
read_literal (Parser          *parser,
              Node            *node)
{
  g_autofree char *word = NULL;

  skip_space (parser);
  if (*parser->p == '\'')
    {
      node->text = read_string (parser);
      if (node->text == NULL)
        return syntax_error (parser);
      node->value.type = MUSTER_FAKE_VALUE_STRING;
      node->value.s = node->text;
      return TRUE;
    }
  word = read_word (parser);
  if (word == NULL)
    return syntax_error (parser);
  /* DateTimeOffset literals go unquoted: 2020-01-01T00:00:00Z */
  if (g_ascii_isdigit (word[0]) && strchr (word, 'T') != NULL && *parser->p == ':')
    {
      GString *stamp = g_string_new (word);

      while (*parser->p == ':' && g_ascii_isdigit (parser->p[1]))
        {
          g_string_append_c (stamp, *parser->p++);
          while (is_word_char (*parser->p) || *parser->p == '+')
            g_string_append_c (stamp, *parser->p++);
        }
      g_free (word);
      word = g_string_free (stamp, FALSE);
    }
  if (g_ascii_strcasecmp (word, "true") == 0 || g_ascii_strcasecmp (word, "false") == 0)
    {
      node->value.type = MUSTER_FAKE_VALUE_BOOL;
      node->value.b = g_ascii_strcasecmp (word, "true") == 0;
    }
  else if (g_ascii_strcasecmp (word, "null") == 0)
    node->value.type = MUSTER_FAKE_VALUE_NULL;
  else
    {
      /* numbers and GUIDs compare as text */
      node->text = g_steal_pointer (&word);
      node->value.type = MUSTER_FAKE_VALUE_STRING;
      node->value.s = node->text;
      node->number = g_ascii_strtoll (node->text, NULL, 10);
    }
  return TRUE;
}

static void
need_advanced (Parser     *parser,
               const char *what)
{
  if (parser->advanced_message != NULL)
    return;
  /* learn.microsoft.com/graph/aad-advanced-queries, the endsWith example */
  parser->advanced_message =
    g_strdup_printf ("Operator '%s' is not supported because the required parameters might be missing. "
                     "Try adding $count=true query parameter and ConsistencyLevel:eventual header. "
                     "Refer to https://aka.ms/graph-docs/advanced-queries for more information", what);
}

static const MusterFakeProperty *
filter_property (Parser     *parser,
                 const char *name,
                 gboolean    collection)
{
  const MusterFakeProperty *prop = _muster_fake_schema_lookup (parser->schema, name);

  if (prop == NULL || !prop->filterable
      || (collection != (prop->kind == MUSTER_FAKE_PROP_COLLECTION)))
    {
      set_error (parser->error, 400, "Request_UnsupportedQuery",
                 g_strdup_printf ("Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.",
                                  name, parser->schema->resource));
      return NULL;
    }
  if (prop->advanced_only && parser->advanced_message == NULL)
    parser->advanced_message =
      g_strdup_printf ("Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.",
                       prop->name, parser->schema->resource);
  return prop;
}

static gboolean
parse_op (const char *word,
          CompareOp  *op)
{
  for (guint i = 0; i < G_N_ELEMENTS (op_names); i++)
    if (g_ascii_strcasecmp (word, op_names[i]) == 0)
      {
        *op = i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
check_types (Parser   *parser,
             Node     *node)
{
  gboolean prop_bool = node->property->kind == MUSTER_FAKE_PROP_BOOL;

  if (node->value.type == MUSTER_FAKE_VALUE_NULL)
    return TRUE;
  if (prop_bool != (node->value.type == MUSTER_FAKE_VALUE_BOOL))
    {
      set_error (parser->error, 400, "BadRequest",
                 g_strdup_printf ("A binary operator with incompatible types was detected. "
                                  "Found operand types '%s' and '%s' for operator kind '%s'.",
                                  prop_bool ? "Edm.Boolean" : "Edm.String",
                                  node->value.type == MUSTER_FAKE_VALUE_BOOL ? "Edm.Boolean" : "Edm.String",
                                  op_kinds[node->op]));
      return FALSE;
    }
  return TRUE;
}

static Node *parse_or (Parser *parser);

/* startswith(prop,'x') / endswith(prop,'x') */
static Node *
parse_function (Parser   *parser,
                NodeKind  kind)
{
  Node *node = g_new0 (Node, 1);
  g_autofree char *name = NULL;

  node->kind = kind;
  if (!expect_char (parser, '(') || (name = read_word (parser)) == NULL)
    {
      syntax_error (parser);
      node_free (node);
      return NULL;
    }
  if ((node->property = filter_property (parser, name, FALSE)) == NULL
      || !expect_char (parser, ',')
      || (node->text = read_string (parser)) == NULL
      || !expect_char (parser, ')'))
    {
      syntax_error (parser);
      node_free (node);
      return NULL;
    }
  if (node->property->kind != MUSTER_FAKE_PROP_STRING)
    {
      set_error (parser->error, 400, "Request_UnsupportedQuery",
                 g_strdup_printf ("Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.",
                                  node->property->name, parser->schema->resource));
      node_free (node);
      return NULL;
    }
  if (kind == NODE_ENDSWITH)
    need_advanced (parser, "endsWith");
  return node;
}

/* collection/any(x: x eq 'v' | x/skuId eq guid | startswith(x,'p')) */
static Node *
parse_any (Parser     *parser,
           const char *collection)
{
  Node *node = g_new0 (Node, 1);
  g_autofree char *var = NULL;
  g_autofree char *lhs = NULL;
  g_autofree char *opword = NULL;

  node->kind = NODE_ANY;
  if ((node->property = filter_property (parser, collection, TRUE)) == NULL)
    goto fail;
  if (!expect_char (parser, '(') || (var = read_word (parser)) == NULL || !expect_char (parser, ':'))
    goto syntax;
  if (peek_keyword (parser, "startswith"))
    {
      g_autofree char *fn = read_word (parser);
      g_autofree char *arg = NULL;

      if (!expect_char (parser, '(') || (arg = read_word (parser)) == NULL || strcmp (arg, var) != 0
          || !expect_char (parser, ',') || (node->text = read_string (parser)) == NULL
          || !expect_char (parser, ')'))
        goto syntax;
      node->any_startswith = TRUE;
      node->value.type = MUSTER_FAKE_VALUE_STRING;
      node->value.s = node->text;
    }
  else
    {
      /* x or x/skuId (assignedLicenses) */
      if ((lhs = read_word (parser)) == NULL)
        goto syntax;
      if (!g_str_equal (lhs, var) && !g_str_has_prefix (lhs + strlen (var), "/"))
        goto syntax;
      if ((opword = read_word (parser)) == NULL || !parse_op (opword, &node->op)
          || (node->op != OP_EQ && node->op != OP_NE))
        goto syntax;
      if (!read_literal (parser, node))
        goto fail;
      if (node->op == OP_NE)
        need_advanced (parser, "ne");
    }
  if (!expect_char (parser, ')'))
    goto syntax;
  return node;

syntax:
  syntax_error (parser);
fail:
  node_free (node);
  return NULL;
}

static Node *
parse_primary (Parser *parser)
{
  g_autofree char *word = NULL;
  Node *node;

  skip_space (parser);
  if (*parser->p == '(')
    {
      parser->p++;
      node = parse_or (parser);
      if (node == NULL)
        return NULL;
      if (!expect_char (parser, ')'))
        {
          node_free (node);
          return NULL;
        }
      return node;
    }

  word = read_word (parser);
  if (word == NULL)
    {
      syntax_error (parser);
      return NULL;
    }
  if (g_ascii_strcasecmp (word, "startswith") == 0)
    return parse_function (parser, NODE_STARTSWITH);
  if (g_ascii_strcasecmp (word, "endswith") == 0)
    return parse_function (parser, NODE_ENDSWITH);
  if (g_ascii_strcasecmp (word, "not") == 0)
    {
      Node *inner = parse_primary (parser);

      if (inner == NULL)
        return NULL;
      need_advanced (parser, "not");
      node = g_new0 (Node, 1);
      node->kind = NODE_NOT;
      node->left = inner;
      return node;
    }
  if (g_str_has_suffix (word, "/any") || g_str_has_suffix (word, "/ANY"))
    {
      word[strlen (word) - 4] = '\0';
      return parse_any (parser, word);
    }

  node = g_new0 (Node, 1);
  if (g_str_has_suffix (word, "/$count"))
    {
      g_autofree char *opword = NULL;

      word[strlen (word) - 7] = '\0';
      node->kind = NODE_COUNT;
      if ((node->property = filter_property (parser, word, TRUE)) == NULL)
        goto fail;
      if ((opword = read_word (parser)) == NULL || !parse_op (opword, &node->op))
        goto syntax;
      if (!read_literal (parser, node) || node->text == NULL)
        goto syntax;
      /* aad-advanced-queries.md: "/$count eq 0" and its kin are advanced */
      need_advanced (parser, op_names[node->op]);
      return node;
    }

  if ((node->property = filter_property (parser, word, FALSE)) == NULL)
    goto fail;

  if (peek_keyword (parser, "in"))
    {
      g_free (read_word (parser));
      node->kind = NODE_IN;
      node->values = g_ptr_array_new_with_free_func (g_free);
      if (!expect_char (parser, '('))
        goto fail;
      for (;;)
        {
          char *item = read_string (parser);

          if (item == NULL)
            goto syntax;
          g_ptr_array_add (node->values, item);
          skip_space (parser);
          if (*parser->p == ',')
            {
              parser->p++;
              continue;
            }
          if (!expect_char (parser, ')'))
            goto fail;
          break;
        }
      return node;
    }
  else
    {
      g_autofree char *opword = read_word (parser);

      node->kind = NODE_COMPARE;
      if (opword == NULL || !parse_op (opword, &node->op))
        goto syntax;
      if (!read_literal (parser, node) || !check_types (parser, node))
        goto fail;
      if (node->op == OP_NE)
        need_advanced (parser, "ne");
      if (node->value.type == MUSTER_FAKE_VALUE_NULL)
        need_advanced (parser, "eq null");
      if (node->property->kind == MUSTER_FAKE_PROP_BOOL && node->op != OP_EQ && node->op != OP_NE)
        goto syntax;
      return node;
    }

syntax:
  syntax_error (parser);
fail:
  node_free (node);
  return NULL;
}

/* A left-associative chain of @operand joined by @keyword ("and" binds tighter than "or") */
static Node *
parse_chain (Parser      *parser,
             const char  *keyword,
             NodeKind     kind,
             Node      *(*operand) (Parser *parser))
{
  Node *left = operand (parser);

  while (left != NULL && peek_keyword (parser, keyword))
    {
      Node *node = g_new0 (Node, 1);

      g_free (read_word (parser));
      node->kind = kind;
      node->left = left;
      node->right = operand (parser);
      left = node;
      if (node->right == NULL)
        {
          node_free (node);
          return NULL;
        }
    }
  return left;
}

static Node *
parse_and (Parser *parser)
{
  return parse_chain (parser, "and", NODE_AND, parse_primary);
}

static Node *
parse_or (Parser *parser)
{
  return parse_chain (parser, "or", NODE_OR, parse_and);
}

MusterFakeFilter *
_muster_fake_filter_parse (const MusterFakeSchema *schema,
                           const char             *text,
                           MusterFakeODataError   *error)
{
  Parser parser = { schema, text, text, error, NULL };
  Node *root = parse_or (&parser);
  MusterFakeFilter *filter;

  if (root != NULL)
    {
      skip_space (&parser);
      if (*parser.p != '\0')
        {
          syntax_error (&parser);
          node_free (root);
          root = NULL;
        }
    }
  if (root == NULL)
    {
      if (error->code == NULL)
        syntax_error (&parser);
      g_free (parser.advanced_message);
      return NULL;
    }

  filter = g_new0 (MusterFakeFilter, 1);
  filter->root = root;
  filter->advanced_message = parser.advanced_message;
  return filter;
}

const char *
_muster_fake_filter_get_advanced (MusterFakeFilter *filter)
{
  return filter->advanced_message;
}

void
_muster_fake_filter_free (MusterFakeFilter *filter)
{
  if (filter == NULL)
    return;
  node_free (filter->root);
  g_free (filter->advanced_message);
  g_free (filter);
}

static gboolean
compare_result (CompareOp op,
                int       cmp)
{
  switch (op)
    {
    case OP_EQ: return cmp == 0;
    case OP_NE: return cmp != 0;
    case OP_GT: return cmp > 0;
    case OP_GE: return cmp >= 0;
    case OP_LT: return cmp < 0;
    case OP_LE: return cmp <= 0;
    default:    g_assert_not_reached ();
    }
}

static gboolean
eval_compare (const Node      *node,
              MusterFakeValue *actual)
{
  if (node->value.type == MUSTER_FAKE_VALUE_NULL || actual->type == MUSTER_FAKE_VALUE_NULL)
    {
      gboolean both = node->value.type == actual->type;
      return node->op == OP_NE ? !both : (node->op == OP_EQ && both);
    }
  if (actual->type == MUSTER_FAKE_VALUE_BOOL)
    return compare_result (node->op, (actual->b ? 1 : 0) - (node->value.b ? 1 : 0));
  /* directory string comparisons ignore case */
  return compare_result (node->op, compare_ci (actual->s, node->value.s));
}

static gboolean
eval_node (const Node              *node,
           gconstpointer            object,
           MusterFakeGetScalar      scalar,
           MusterFakeGetCollection  collection)
{
  MusterFakeValue actual = { MUSTER_FAKE_VALUE_NULL, NULL, FALSE };
  GPtrArray *items;

  switch (node->kind)
    {
    case NODE_AND:
      return eval_node (node->left, object, scalar, collection)
             && eval_node (node->right, object, scalar, collection);
    case NODE_OR:
      return eval_node (node->left, object, scalar, collection)
             || eval_node (node->right, object, scalar, collection);
    case NODE_NOT:
      return !eval_node (node->left, object, scalar, collection);
    case NODE_COMPARE:
      scalar (object, node->property, &actual);
      return eval_compare (node, &actual);
    case NODE_STARTSWITH:
      scalar (object, node->property, &actual);
      return actual.type == MUSTER_FAKE_VALUE_STRING && _muster_fake_odata_has_prefix_ci (actual.s, node->text);
    case NODE_ENDSWITH:
      scalar (object, node->property, &actual);
      return actual.type == MUSTER_FAKE_VALUE_STRING && has_suffix_ci (actual.s, node->text);
    case NODE_IN:
      scalar (object, node->property, &actual);
      if (actual.type != MUSTER_FAKE_VALUE_STRING)
        return FALSE;
      for (guint i = 0; i < node->values->len; i++)
        if (compare_ci (actual.s, g_ptr_array_index (node->values, i)) == 0)
          return TRUE;
      return FALSE;
    case NODE_COUNT:
      items = collection (object, node->property);
      return compare_result (node->op, (gint64) (items ? items->len : 0) < node->number ? -1
                                       : (gint64) (items ? items->len : 0) > node->number ? 1 : 0);
    case NODE_ANY:
      items = collection (object, node->property);
      for (guint i = 0; items != NULL && i < items->len; i++)
        {
          const char *item = g_ptr_array_index (items, i);

          if (node->any_startswith ? _muster_fake_odata_has_prefix_ci (item, node->text)
              : (node->value.type == MUSTER_FAKE_VALUE_STRING
                 && compare_result (node->op, compare_ci (item, node->value.s))))
            return TRUE;
        }
      return FALSE;
    default:
      g_assert_not_reached ();
    }
}

gboolean
_muster_fake_filter_eval (MusterFakeFilter        *filter,
                          gconstpointer            object,
                          MusterFakeGetScalar      scalar,
                          MusterFakeGetCollection  collection)
{
  return filter == NULL || eval_node (filter->root, object, scalar, collection);
}

static gboolean
collect_ids (const Node *node,
             GPtrArray  *ids)
{
  if (node->kind == NODE_OR)
    return collect_ids (node->left, ids) && collect_ids (node->right, ids);
  if (node->kind == NODE_COMPARE && node->op == OP_EQ && g_str_equal (node->property->name, "id")
      && node->value.type == MUSTER_FAKE_VALUE_STRING)
    {
      g_ptr_array_add (ids, g_strdup (node->value.s));
      return TRUE;
    }
  return FALSE;
}

GPtrArray *
_muster_fake_filter_id_list (MusterFakeFilter *filter)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (!collect_ids (filter->root, ids))
    return NULL;
  return g_steal_pointer (&ids);
}

/* ---- $search ------------------------------------------------------------------------------ */

typedef struct _SearchNode SearchNode;
struct _SearchNode
{
  gboolean                  is_and;
  gboolean                  is_or;
  const MusterFakeProperty *property;
  char                     *value;
  SearchNode               *left;
  SearchNode               *right;
};

struct _MusterFakeSearch
{
  SearchNode *root;
};

static void
search_node_free (SearchNode *node)
{
  if (node == NULL)
    return;
  search_node_free (node->left);
  search_node_free (node->right);
  g_free (node->value);
  g_free (node);
}

static gboolean
search_error (Parser *parser)
{
  set_error (parser->error, 400, "BadRequest",
             g_strdup_printf ("Syntax error: character '%c' is not valid at position %d in '%s'.",
                              *parser->p ? *parser->p : ' ', (int) (parser->p - parser->text), parser->text));
  return FALSE;
}

static SearchNode *search_or (Parser *parser);

static SearchNode *
search_primary (Parser *parser)
{
  SearchNode *node;
  const char *start, *colon;
  g_autofree char *prop = NULL;

  skip_space (parser);
  if (*parser->p == '(')
    {
      parser->p++;
      node = search_or (parser);
      if (node == NULL)
        return NULL;
      skip_space (parser);
      if (*parser->p != ')')
        {
          search_error (parser);
          search_node_free (node);
          return NULL;
        }
      parser->p++;
      return node;
    }
  /* search-query-parameter.md: each clause is "property:value" in double quotes */
  if (*parser->p != '"')
    {
      search_error (parser);
      return NULL;
    }
  start = ++parser->p;
  while (*parser->p != '\0' && *parser->p != '"')
    parser->p++;
  if (*parser->p != '"')
    {
      search_error (parser);
      return NULL;
    }
  colon = memchr (start, ':', parser->p - start);
  if (colon == NULL)
    {
      set_error (parser->error, 400, "Request_UnsupportedQuery",
                 g_strdup ("Unrecognized search clause: use \"property:value\"."));
      return NULL;
    }
  prop = g_strndup (start, colon - start);
  node = g_new0 (SearchNode, 1);
  node->property = _muster_fake_schema_lookup (parser->schema, g_strstrip (prop));
  node->value = g_strndup (colon + 1, parser->p - colon - 1);
  parser->p++;
  if (node->property == NULL || node->property->kind != MUSTER_FAKE_PROP_STRING)
    {
      set_error (parser->error, 400, "Request_UnsupportedQuery",
                 g_strdup_printf ("Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.",
                                  prop, parser->schema->resource));
      search_node_free (node);
      return NULL;
    }
  return node;
}

static SearchNode *
search_binary (Parser     *parser,
               const char *keyword,
               SearchNode *(*next) (Parser *))
{
  SearchNode *left = next (parser);

  for (;;)
    {
      SearchNode *node;
      gsize len = strlen (keyword);

      if (left == NULL)
        return NULL;
      skip_space (parser);
      /* AND / OR must be upper case (search-query-parameter.md) */
      if (strncmp (parser->p, keyword, len) != 0 || (parser->p[len] != ' ' && parser->p[len] != '"' && parser->p[len] != '('))
        return left;
      parser->p += len;
      node = g_new0 (SearchNode, 1);
      node->is_and = g_str_equal (keyword, "AND");
      node->is_or = !node->is_and;
      node->left = left;
      node->right = next (parser);
      left = node;
      if (node->right == NULL)
        {
          search_node_free (node);
          return NULL;
        }
    }
}

static SearchNode *
search_and (Parser *parser)
{
  return search_binary (parser, "AND", search_primary);
}

static SearchNode *
search_or (Parser *parser)
{
  return search_binary (parser, "OR", search_and);
}

MusterFakeSearch *
_muster_fake_search_parse (const MusterFakeSchema *schema,
                           const char             *text,
                           MusterFakeODataError   *error)
{
  Parser parser = { schema, text, text, error, NULL };
  SearchNode *root = search_or (&parser);
  MusterFakeSearch *search;

  if (root != NULL)
    {
      skip_space (&parser);
      if (*parser.p != '\0')
        {
          search_error (&parser);
          search_node_free (root);
          root = NULL;
        }
    }
  if (root == NULL)
    return NULL;
  search = g_new0 (MusterFakeSearch, 1);
  search->root = root;
  return search;
}

void
_muster_fake_search_free (MusterFakeSearch *search)
{
  if (search == NULL)
    return;
  search_node_free (search->root);
  g_free (search);
}

/* search-query-parameter.md: displayName and description are split into tokens at spaces,
 * symbols, digits and lower→upper case changes; every searched token must start a token. */
static GPtrArray *
tokenize (const char *text)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);
  GString *cur = g_string_new (NULL);
  gunichar prev = 0;

  for (const char *p = text; p && *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean alnum = g_unichar_isalnum (c);
      gboolean boundary = !alnum
                          || (prev != 0 && g_unichar_islower (prev) && g_unichar_isupper (c))
                          || (prev != 0 && g_unichar_isdigit (prev) != g_unichar_isdigit (c));

      if (boundary && cur->len > 0)
        {
          g_ptr_array_add (tokens, g_utf8_casefold (cur->str, -1));
          g_string_truncate (cur, 0);
        }
      if (alnum)
        g_string_append_unichar (cur, c);
      prev = alnum ? c : 0;
    }
  if (cur->len > 0)
    g_ptr_array_add (tokens, g_utf8_casefold (cur->str, -1));
  g_string_free (cur, TRUE);
  return tokens;
}

static gboolean
search_node_eval (const SearchNode        *node,
                  gconstpointer            object,
                  MusterFakeGetScalar      scalar)
{
  MusterFakeValue actual = { MUSTER_FAKE_VALUE_NULL, NULL, FALSE };

  if (node->is_and)
    return search_node_eval (node->left, object, scalar) && search_node_eval (node->right, object, scalar);
  if (node->is_or)
    return search_node_eval (node->left, object, scalar) || search_node_eval (node->right, object, scalar);

  scalar (object, node->property, &actual);
  if (actual.type != MUSTER_FAKE_VALUE_STRING)
    return FALSE;
  if (g_str_equal (node->property->name, "displayName") || g_str_equal (node->property->name, "description"))
    {
      g_autoptr(GPtrArray) have = tokenize (actual.s);
      g_autoptr(GPtrArray) want = tokenize (node->value);

      for (guint i = 0; i < want->len; i++)
        {
          gboolean found = FALSE;

          for (guint j = 0; j < have->len && !found; j++)
            found = g_str_has_prefix (g_ptr_array_index (have, j), g_ptr_array_index (want, i));
          if (!found)
            return FALSE;
        }
      return TRUE;
    }
  return _muster_fake_odata_has_prefix_ci (actual.s, node->value);
}

gboolean
_muster_fake_search_eval (MusterFakeSearch        *search,
                          gconstpointer            object,
                          MusterFakeGetScalar      scalar,
                          MusterFakeGetCollection  collection)
{
  return search == NULL || search_node_eval (search->root, object, scalar);
}
