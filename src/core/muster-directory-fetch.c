/* muster-directory-fetch.c: the directory from Microsoft Graph into a snapshot, fast
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How a full fetch runs (learn.microsoft.com/graph/api/user-list, learn.microsoft.com/graph/paging,
 * learn.microsoft.com/graph/json-batching, learn.microsoft.com/graph/throttling):
 *  - users: /users?$select=…&$top=999&$expand=manager($select=id), following @odata.nextLink one
 *    page at a time (the link is opaque). Pages are parsed in worker threads; the next request
 *    leaves as soon as the link is found at the top of the page (Graph writes it before "value",
 *    but that is only used when it is so: otherwise the page is parsed first);
 *  - groups the same way, and for every group its direct members through $batch, 20 calls per
 *    batch and a few batches in flight, fewer when Graph throttles or says its budget is nearly
 *    spent; per-call 429s inside a batch are retried after their Retry-After;
 *  - licences from /subscribedSkus, and delta links taken with $deltatoken=latest at the start,
 *    so the next refresh is incremental and replays (harmlessly) what changed during this one.
 * One writer thread owns the snapshot transaction and applies what the parsers produce; it
 * commits only when everything was read. An incremental refresh reads users/delta and
 * groups/delta from the links of the latest snapshot into a copy of it; a 410 starts over with
 * a full fetch.
 */

#define G_LOG_DOMAIN "muster-directory-fetch"

#include "config.h"

#include <cjson/cJSON.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "muster-directory-fetch-private.h"
#include "muster-http.h"
#include "muster-json.h"
#include "muster-profile.h"
#include "muster-tenant-status.h"
#include "muster-user-private.h"

/* Exactly the members muster_user_new_from_json() and muster_group_new_from_json() read. */
#define USER_SELECT "id,displayName,givenName,surname,userPrincipalName,mail,jobTitle,department," \
                    "companyName,employeeId,officeLocation,mobilePhone,businessPhones,otherMails," \
                    "proxyAddresses,userType,accountEnabled,onPremisesSyncEnabled,createdDateTime," \
                    "assignedLicenses"
#define GROUP_SELECT "id,displayName,description,mail,groupTypes,mailEnabled,securityEnabled,membershipRule"

#define BATCH_SIZE      20  /* json-batching.md: at most 20 requests per batch */
#define MAX_BATCHES     4   /* batches in flight at most */
#define MAX_ITEM_TRIES  6   /* per call inside a batch, before giving up on throttling */

struct _MusterDirectoryFetch
{
  GObject          parent_instance;

  MusterFetchPhase phase;
  guint            objects;
  guint            pages;
  double           fraction;
  gboolean         running;
  gboolean         users_only;
};

G_DEFINE_FINAL_TYPE (MusterDirectoryFetch, muster_directory_fetch, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PHASE,
  PROP_OBJECTS,
  PROP_PAGES,
  PROP_FRACTION,
  N_PROPS
};

enum {
  PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- what parsers produce and the writer applies -------------------------------------------- */

typedef enum
{
  CHAIN_USERS,
  CHAIN_GROUPS,
  CHAIN_USERS_DELTA,
  CHAIN_GROUPS_DELTA,
  N_CHAINS
} ChainKind;

typedef struct
{
  char  *group_id;
  char  *path;     /* relative to the Graph base */
  guint  tries;
} MemberRequest;

static void
member_request_free (MemberRequest *request)
{
  /* stolen slots are NULL */
  if (request == NULL)
    return;
  g_free (request->group_id);
  g_free (request->path);
  g_free (request);
}

static MemberRequest *
member_request_new (const char *group_id,
                    char       *path)
{
  MemberRequest *request = g_new0 (MemberRequest, 1);

  request->group_id = g_strdup (group_id);
  request->path = path;
  return request;
}

typedef enum
{
  ITEM_CHANGES,
  ITEM_COMMIT,
  ITEM_ABORT,
} ItemKind;

typedef struct
{
  ItemKind   kind;
  /* for the writer */
  GPtrArray *removed;         /* ids of users or groups */
  GPtrArray *users;           /* MusterUser */
  GPtrArray *groups;          /* MusterGroup */
  GPtrArray *managers;        /* user id, manager id or NULL: pairs */
  GPtrArray *member_removes;  /* group id, member id: pairs */
  GPtrArray *member_adds;     /* group id, member id: pairs */
  GPtrArray *skus;            /* MusterSku */
  char      *users_delta_link;
  char      *groups_delta_link;
  /* for the main thread */
  char      *next_link;
  char      *delta_link;
  GPtrArray *group_ids;       /* groups listed on this page */
  GPtrArray *follow_ups;      /* MemberRequest: next pages of members */
  GPtrArray *retries;         /* MemberRequest: calls to send again */
  guint      retry_after_ms;
  guint      groups_completed; /* groups whose member list ended on this batch */
  guint      n_managers;
} Changes;

static void
sku_free (MusterSku *sku)
{
  g_free (sku->sku_id);
  g_free (sku->part_number);
  g_free (sku->title);
  g_free (sku);
}

static Changes *
changes_new (ItemKind kind)
{
  Changes *changes = g_new0 (Changes, 1);

  changes->kind = kind;
  changes->removed = g_ptr_array_new_with_free_func (g_free);
  changes->users = g_ptr_array_new_with_free_func (g_object_unref);
  changes->groups = g_ptr_array_new_with_free_func (g_object_unref);
  changes->managers = g_ptr_array_new_with_free_func (g_free);
  changes->member_removes = g_ptr_array_new_with_free_func (g_free);
  changes->member_adds = g_ptr_array_new_with_free_func (g_free);
  changes->skus = g_ptr_array_new_with_free_func ((GDestroyNotify) sku_free);
  changes->group_ids = g_ptr_array_new_with_free_func (g_free);
  changes->follow_ups = g_ptr_array_new_with_free_func ((GDestroyNotify) member_request_free);
  changes->retries = g_ptr_array_new_with_free_func ((GDestroyNotify) member_request_free);
  return changes;
}

static void
changes_free (Changes *changes)
{
  if (changes == NULL)
    return;
  g_ptr_array_unref (changes->removed);
  g_ptr_array_unref (changes->users);
  g_ptr_array_unref (changes->groups);
  g_ptr_array_unref (changes->managers);
  g_ptr_array_unref (changes->member_removes);
  g_ptr_array_unref (changes->member_adds);
  g_ptr_array_unref (changes->skus);
  g_ptr_array_unref (changes->group_ids);
  g_ptr_array_unref (changes->follow_ups);
  g_ptr_array_unref (changes->retries);
  g_free (changes->users_delta_link);
  g_free (changes->groups_delta_link);
  g_free (changes->next_link);
  g_free (changes->delta_link);
  g_free (changes);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Changes, changes_free)

static void
add_pair (GPtrArray  *pairs,
          const char *a,
          const char *b)
{
  g_ptr_array_add (pairs, g_strdup (a));
  g_ptr_array_add (pairs, g_strdup (b));
}

/* ---- reading pages (worker threads) ------------------------------------------------------- */

static const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

/* After the opening quote: the position after the closing quote, or NULL. */
static const char *
skip_string (const char *p,
             const char *end)
{
  while (p < end)
    {
      if (*p == '\\')
        p += 2;
      else if (*p == '"')
        return p + 1;
      else
        p++;
    }
  return NULL;
}

static const char *
skip_value (const char *p,
            const char *end)
{
  int depth = 0;

  do
    {
      p = skip_space (p, end);
      if (p >= end)
        return NULL;
      if (*p == '"')
        {
          p = skip_string (p + 1, end);
          if (p == NULL)
            return NULL;
        }
      else if (*p == '{' || *p == '[')
        depth++, p++;
      else if (*p == '}' || *p == ']')
        depth--, p++;
      else if (depth == 0)
        {
          /* number, true, false, null */
          while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\r'
                 && *p != '\t')
            p++;
        }
      else
        p++;
    }
  while (depth > 0);
  return p;
}

static gsize
count_non_ascii (const char *start,
                 const char *end)
{
  gsize count = 0;

  for (const char *p = start; p < end; p++)
    count += (guchar) *p >= 0x80;
  return count;
}

/* A link is ASCII: a \u escape of anything past that (or of NUL) is left to the full parse.
 * Such an escape decodes to more non-ASCII bytes than the raw text holds, as raw bytes are
 * copied one for one and every other escape decodes to ASCII. */
static char *
unescape_link (const char *start,
               const char *end)
{
  g_autoptr(GString) out = g_string_sized_new (end - start);

  if (muster_json_unescape_string (start, end, out) == NULL
      || count_non_ascii (out->str, out->str + out->len) != count_non_ascii (start, end))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The top-level "@odata.nextLink" of a Graph page when it stands before "value" (where Graph
 * writes it), found without parsing the page; NULL when it is elsewhere, absent or anything
 * looks unusual — then the caller waits for the full parse. */
static char *
scan_next_link (GBytes *bytes)
{
  gsize length;
  const char *p = g_bytes_get_data (bytes, &length);
  const char *end = p + length;

  if (p == NULL)
    return NULL;
  p = skip_space (p, end);
  if (p >= end || *p != '{')
    return NULL;
  p++;
  for (;;)
    {
      const char *key, *key_end;

      p = skip_space (p, end);
      if (p >= end || *p != '"')
        return NULL;
      key = p + 1;
      p = skip_string (key, end);
      if (p == NULL)
        return NULL;
      key_end = p - 1;
      p = skip_space (p, end);
      if (p >= end || *p != ':')
        return NULL;
      p = skip_space (p + 1, end);
      if (key_end - key == 5 && memcmp (key, "value", 5) == 0)
        return NULL;
      if (key_end - key == 15 && memcmp (key, "@odata.nextLink", 15) == 0)
        {
          const char *value;

          if (p >= end || *p != '"')
            return NULL;
          value = p + 1;
          p = skip_string (value, end);
          if (p == NULL)
            return NULL;
          return unescape_link (value, p);
        }
      p = skip_value (p, end);
      if (p == NULL)
        return NULL;
      p = skip_space (p, end);
      if (p >= end || *p != ',')
        return NULL;
      p++;
    }
}

static gboolean
invalid_page (GError     **error,
              const char  *what)
{
  g_set_error (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE,
               _("Microsoft Graph sent %s that Muster cannot read."), what);
  return FALSE;
}

static JsonObject *
parse_page_root (GBytes      *bytes,
                 JsonNode   **root,
                 GError     **error)
{
  g_autoptr(GError) parse_error = NULL;

  *root = muster_http_parse_json (bytes, "Microsoft Graph", &parse_error);
  if (*root == NULL)
    {
      g_set_error (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE,
                   _("Microsoft Graph sent a page Muster cannot read: %s"), parse_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (*root))
    {
      invalid_page (error, _("a page"));
      return NULL;
    }
  return json_node_get_object (*root);
}

static gboolean
is_member_type (JsonObject *object)
{
  const char *type = muster_json_get_string (object, "@odata.type");

  /* a snapshot knows users and groups; devices, contacts and service principals are left out */
  return type == NULL || g_str_equal (type, "#microsoft.graph.user") || g_str_equal (type, "#microsoft.graph.group");
}

static const char *
get_id (JsonObject *object)
{
  const char *id = muster_json_get_string (object, "id");

  return id != NULL && *id != '\0' ? id : NULL;
}

static gboolean
is_removed (JsonObject *object)
{
  return json_object_has_member (object, "@removed");
}

/* Text json-glib would take: UTF-8 without NUL bytes (json-glib refuses anything else, cJSON
 * does not). ASCII, nearly all of a Graph page, is checked eight bytes at a time. */
static gboolean
is_json_text (const char *data,
              gsize       length)
{
  const char *p = data, *end = data + length;

  while (p < end)
    {
      if (end - p >= 8)
        {
          guint64 word;

          memcpy (&word, p, sizeof word);
          /* no byte with the high bit set and no zero byte */
          if (((word | ((word - G_GUINT64_CONSTANT (0x0101010101010101)) & ~word))
               & G_GUINT64_CONSTANT (0x8080808080808080)) == 0)
            {
              p += 8;
              continue;
            }
        }
      if (*p == '\0')
        return FALSE;
      if ((guchar) *p < 0x80)
        p++;
      else
        {
          gunichar c = g_utf8_get_char_validated (p, end - p);

          if (c == (gunichar) -1 || c == (gunichar) -2)
            return FALSE;
          p = g_utf8_next_char (p);
        }
    }
  return TRUE;
}

/* The last member called @name, as json-glib keeps it; NULL for a non-object. */
static const cJSON *
cjson_get_member (const cJSON *object,
                  const char  *name)
{
  const cJSON *found = NULL;

  if (!cJSON_IsObject (object))
    return NULL;
  for (const cJSON *child = object->child; child != NULL; child = child->next)
    if (child->string != NULL && strcmp (child->string, name) == 0)
      found = child;
  return found;
}

static const char *
cjson_get_string (const cJSON *object,
                  const char  *name)
{
  const cJSON *member = cjson_get_member (object, name);

  return cJSON_IsString (member) ? member->valuestring : NULL;
}

/* The bulk path: a page of /users read by cJSON, about 5× faster than json-glib (DESIGN.md
 * "Measured facts"). NULL when cJSON cannot read the page or it holds anything json-glib would
 * refuse or read differently (bytes that are not UTF-8, text after the root, a root that is not
 * a page): json-glib then reads it again, and its answer or its error counts. Users are built
 * through the same member table as muster_user_new_from_json(). */
static Changes *
parse_users_page_fast (GBytes *bytes)
{
  g_autoptr(Changes) changes = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  const char *parse_end = NULL;
  const cJSON *values;
  cJSON *root;

  if (data == NULL || length == 0 || !is_json_text (data, length)
      || !muster_json_check_depth (data, length, MUSTER_JSON_MAX_DEPTH, NULL))
    return NULL;
  root = cJSON_ParseWithLengthOpts (data, length, &parse_end, FALSE);
  if (root == NULL)
    return NULL;
  values = cjson_get_member (root, "value");
  if (parse_end == NULL || skip_space (parse_end, data + length) != data + length || !cJSON_IsArray (values))
    {
      cJSON_Delete (root);
      return NULL;
    }

  changes = changes_new (ITEM_CHANGES);
  changes->next_link = g_strdup (cjson_get_string (root, "@odata.nextLink"));
  changes->delta_link = g_strdup (cjson_get_string (root, "@odata.deltaLink"));
  for (const cJSON *object = values->child; object != NULL; object = object->next)
    {
      const char *id = cjson_get_string (object, "id");
      MusterUser *user;

      if (id == NULL || *id == '\0')
        continue;
      user = _muster_user_new_from_cjson (object);
      if (muster_user_get_manager_id (user) != NULL)
        changes->n_managers++;
      g_ptr_array_add (changes->users, user);
    }
  cJSON_Delete (root);
  return g_steal_pointer (&changes);
}

/* One page of /users, /groups or their delta. */
static Changes *
parse_collection_page (GBytes     *bytes,
                       ChainKind   kind,
                       GError    **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(Changes) changes = NULL;
  JsonObject *page;
  JsonArray *values;
  gboolean users = kind == CHAIN_USERS || kind == CHAIN_USERS_DELTA;
  gboolean delta = kind == CHAIN_USERS_DELTA || kind == CHAIN_GROUPS_DELTA;

  if (kind == CHAIN_USERS)
    {
      changes = parse_users_page_fast (bytes);
      if (changes != NULL)
        return g_steal_pointer (&changes);
    }
  changes = changes_new (ITEM_CHANGES);
  page = parse_page_root (bytes, &root, error);
  if (page == NULL)
    return NULL;
  values = muster_json_get_array (page, "value");
  if (values == NULL)
    {
      invalid_page (error, _("a page without a list"));
      return NULL;
    }
  changes->next_link = g_strdup (muster_json_get_string (page, "@odata.nextLink"));
  changes->delta_link = g_strdup (muster_json_get_string (page, "@odata.deltaLink"));

  for (guint i = 0; i < json_array_get_length (values); i++)
    {
      JsonNode *node = json_array_get_element (values, i);
      JsonObject *object;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);
      id = get_id (object);
      if (id == NULL)
        continue;

      if (delta && is_removed (object))
        {
          g_ptr_array_add (changes->removed, g_strdup (id));
          continue;
        }

      if (users)
        {
          JsonArray *manager_delta = delta ? muster_json_get_array (object, "manager@delta") : NULL;
          MusterUser *user;

          if (manager_delta != NULL)
            {
              const char *manager_id = NULL;

              /* users delta reports the manager as a one-item relationship list (user-delta.md) */
              for (guint m = 0; m < json_array_get_length (manager_delta); m++)
                {
                  JsonNode *item = json_array_get_element (manager_delta, m);

                  if (JSON_NODE_HOLDS_OBJECT (item) && !is_removed (json_node_get_object (item)))
                    manager_id = get_id (json_node_get_object (item));
                }
              if (manager_id != NULL)
                {
                  JsonObject *manager = json_object_new ();

                  json_object_set_string_member (manager, "id", manager_id);
                  json_object_set_object_member (object, "manager", manager);
                }
              else
                json_object_remove_member (object, "manager");
              add_pair (changes->managers, id, manager_id);
            }

          user = muster_user_new_from_json (object);
          if (!delta && muster_user_get_manager_id (user) != NULL)
            changes->n_managers++;
          g_ptr_array_add (changes->users, user);
        }
      else
        {
          JsonArray *members = delta ? muster_json_get_array (object, "members@delta") : NULL;

          /* a big group comes back in several pieces, later ones may carry only the members */
          if (!delta || json_object_has_member (object, "displayName"))
            g_ptr_array_add (changes->groups, muster_group_new_from_json (object));
          if (!delta)
            g_ptr_array_add (changes->group_ids, g_strdup (id));
          for (guint m = 0; members != NULL && m < json_array_get_length (members); m++)
            {
              JsonNode *item = json_array_get_element (members, m);
              JsonObject *member;
              const char *member_id;

              if (!JSON_NODE_HOLDS_OBJECT (item))
                continue;
              member = json_node_get_object (item);
              member_id = get_id (member);
              if (member_id == NULL || !is_member_type (member))
                continue;
              add_pair (is_removed (member) ? changes->member_removes : changes->member_adds, id, member_id);
            }
        }
    }
  return g_steal_pointer (&changes);
}

static GError *
item_error (guint       status,
            JsonObject *body)
{
  JsonObject *error = muster_json_get_object (body, "error");
  const char *code = muster_json_get_string (error, "code");

  g_debug ("Graph call in a batch answered %u %s", status, code ? code : "-");
  if (status == 401)
    return g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_UNAUTHORIZED, "%s (%s)",
                        _("Microsoft Graph did not accept the sign-in. Sign in again."), code ? code : "HTTP 401");
  if (status == 403)
    return g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_FORBIDDEN, "%s (%s)",
                        _("Muster may not read group members. Grant admin consent for GroupMember.Read.All, "
                          "then sign in again."), code ? code : "HTTP 403");
  if (status == 429)
    return g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_THROTTLED, "%s",
                        _("Microsoft Graph is throttling Muster. Try again in a few minutes."));
  if (status >= 500)
    return g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_SERVER, "%s (%s, HTTP %u)",
                        _("Microsoft Graph had a problem. Try again later."), code ? code : "-", status);
  return g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_BAD_REQUEST, "%s (%s, HTTP %u)",
                      _("Microsoft Graph refused the request."), code ? code : "-", status);
}

static const char *
header_value (JsonObject *headers,
              const char *name)
{
  g_autoptr(GList) members = headers ? json_object_get_members (headers) : NULL;

  /* header names are case-insensitive (RFC 9110 §5.1) */
  for (GList *l = members; l != NULL; l = l->next)
    if (g_ascii_strcasecmp (l->data, name) == 0)
      return muster_json_get_string (headers, l->data);
  return NULL;
}

typedef struct
{
  GBytes    *bytes;
  ChainKind  kind;
  GPtrArray *requests;  /* MemberRequest, for a batch: item id = index + 1 */
  char      *base;
} ParseJob;

static void
parse_job_free (ParseJob *job)
{
  g_bytes_unref (job->bytes);
  g_clear_pointer (&job->requests, g_ptr_array_unref);
  g_free (job->base);
  g_free (job);
}

/* One $batch answer of /groups/{id}/members calls (graph-facts §10): members, next pages,
 * throttled calls to send again. */
static Changes *
parse_members_batch (ParseJob  *job,
                     GError   **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(Changes) changes = changes_new (ITEM_CHANGES);
  g_autofree gboolean *answered = g_new0 (gboolean, job->requests->len);
  JsonObject *page = parse_page_root (job->bytes, &root, error);
  JsonArray *responses;

  if (page == NULL)
    return NULL;
  responses = muster_json_get_array (page, "responses");
  if (responses == NULL)
    {
      invalid_page (error, _("a batch answer"));
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (responses); i++)
    {
      JsonNode *node = json_array_get_element (responses, i);
      JsonObject *response, *body;
      MemberRequest *request;
      guint64 index;
      gint64 status;
      JsonArray *values;
      const char *next;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      response = json_node_get_object (node);
      /* answers come in any order: match them by id */
      if (muster_json_get_string (response, "id") == NULL
          || !g_ascii_string_to_unsigned (muster_json_get_string (response, "id"), 10, 1, job->requests->len,
                                          &index, NULL)
          || answered[index - 1])
        continue;
      answered[index - 1] = TRUE;
      request = g_ptr_array_index (job->requests, index - 1);
      status = muster_json_get_int (response, "status", 0);
      body = muster_json_get_object (response, "body");

      if (status == 429 || status == 503 || status == 504)
        {
          const char *retry_after = header_value (muster_json_get_object (response, "headers"), "Retry-After");
          guint delay = muster_graph_parse_retry_after (retry_after, g_get_real_time () / G_USEC_PER_SEC,
                                                        1000u << MIN (request->tries, 4));

          if (request->tries + 1 >= MAX_ITEM_TRIES)
            {
              g_propagate_error (error, item_error ((guint) status, body));
              return NULL;
            }
          changes->retry_after_ms = MAX (changes->retry_after_ms, delay);
          g_ptr_array_add (changes->retries, member_request_new (request->group_id, g_strdup (request->path)));
          ((MemberRequest *) g_ptr_array_index (changes->retries, changes->retries->len - 1))->tries =
            request->tries + 1;
          continue;
        }
      if (status == 404)
        {
          /* deleted between the group list and now: it has no members to read */
          g_debug ("group %s vanished while its members were read", request->group_id);
          changes->groups_completed++;
          continue;
        }
      if (status < 200 || status >= 300)
        {
          g_propagate_error (error, item_error ((guint) status, body));
          return NULL;
        }
      values = muster_json_get_array (body, "value");
      if (values == NULL)
        {
          invalid_page (error, _("a member list"));
          return NULL;
        }
      for (guint m = 0; m < json_array_get_length (values); m++)
        {
          JsonNode *item = json_array_get_element (values, m);
          const char *member_id;

          if (!JSON_NODE_HOLDS_OBJECT (item) || !is_member_type (json_node_get_object (item)))
            continue;
          member_id = get_id (json_node_get_object (item));
          if (member_id != NULL)
            add_pair (changes->member_adds, request->group_id, member_id);
        }
      next = muster_json_get_string (body, "@odata.nextLink");
      if (next != NULL)
        {
          /* a batch takes URLs relative to the version (json-batching.md) */
          if (!g_str_has_prefix (next, job->base) || next[strlen (job->base)] != '/')
            {
              g_set_error (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE,
                           _("Microsoft Graph pointed to another server (%s); Muster did not follow."), next);
              return NULL;
            }
          g_ptr_array_add (changes->follow_ups, member_request_new (request->group_id,
                                                                    g_strdup (next + strlen (job->base))));
        }
      else
        changes->groups_completed++;
    }

  /* a call the batch did not answer is sent again */
  for (guint i = 0; i < job->requests->len; i++)
    if (!answered[i])
      {
        MemberRequest *request = g_ptr_array_index (job->requests, i);
        MemberRequest *retry = member_request_new (request->group_id, g_strdup (request->path));

        retry->tries = request->tries + 1;
        if (retry->tries >= MAX_ITEM_TRIES)
          {
            member_request_free (retry);
            return invalid_page (error, _("a batch answer")), NULL;
          }
        g_ptr_array_add (changes->retries, retry);
        changes->retry_after_ms = MAX (changes->retry_after_ms, 1000);
      }
  return g_steal_pointer (&changes);
}

static void
parse_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ParseJob *job = task_data;
  GError *error = NULL;
  Changes *changes;

  if (job->requests != NULL)
    changes = parse_members_batch (job, &error);
  else
    changes = parse_collection_page (job->bytes, job->kind, &error);
  if (changes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, changes, (GDestroyNotify) changes_free);
}

/* ---- the writer thread -------------------------------------------------------------------- */

typedef struct _FetchRun FetchRun;

typedef struct
{
  MusterSnapshotStore *store;
  char                *profile;
  char                *tenant_id;
  gint64               base_id;   /* 0: a new, empty snapshot */
  GAsyncQueue         *queue;     /* of Changes */
  GMainContext        *context;
  FetchRun            *run;       /* touched only on @context */
} WriterJob;

static FetchRun *fetch_run_ref (FetchRun *run);
static void      fetch_run_unref (FetchRun *run);
static void      run_fail (FetchRun *run, GError *error);

static void
writer_job_free (WriterJob *job)
{
  g_object_unref (job->store);
  g_free (job->profile);
  g_free (job->tenant_id);
  g_async_queue_unref (job->queue);
  g_main_context_unref (job->context);
  fetch_run_unref (job->run);
  g_free (job);
}

static gboolean
apply_changes (MusterSnapshotWriter  *writer,
               Changes               *changes,
               GError               **error)
{
  for (guint i = 0; i < changes->removed->len; i++)
    if (!muster_snapshot_writer_remove_object (writer, changes->removed->pdata[i], error))
      return FALSE;
  for (guint i = 0; i < changes->users->len; i++)
    if (!muster_snapshot_writer_put_user (writer, changes->users->pdata[i], error))
      return FALSE;
  for (guint i = 0; i < changes->groups->len; i++)
    if (!muster_snapshot_writer_put_group (writer, changes->groups->pdata[i], error))
      return FALSE;
  for (guint i = 0; i + 1 < changes->managers->len; i += 2)
    if (!muster_snapshot_writer_set_manager (writer, changes->managers->pdata[i], changes->managers->pdata[i + 1],
                                             error))
      return FALSE;
  for (guint i = 0; i + 1 < changes->member_removes->len; i += 2)
    if (!muster_snapshot_writer_remove_member (writer, changes->member_removes->pdata[i],
                                               changes->member_removes->pdata[i + 1], error))
      return FALSE;
  for (guint i = 0; i + 1 < changes->member_adds->len; i += 2)
    if (!muster_snapshot_writer_add_member (writer, changes->member_adds->pdata[i],
                                            changes->member_adds->pdata[i + 1], error))
      return FALSE;
  for (guint i = 0; i < changes->skus->len; i++)
    if (!muster_snapshot_writer_put_sku (writer, changes->skus->pdata[i], error))
      return FALSE;
  if (changes->users_delta_link != NULL
      && !muster_snapshot_writer_set_delta_link (writer, "users", changes->users_delta_link, error))
    return FALSE;
  if (changes->groups_delta_link != NULL
      && !muster_snapshot_writer_set_delta_link (writer, "groups", changes->groups_delta_link, error))
    return FALSE;
  return TRUE;
}

typedef struct
{
  FetchRun *run;
  GError   *error;
} WriterFailure;

static gboolean
writer_failed_cb (gpointer user_data)
{
  WriterFailure *failure = user_data;

  run_fail (failure->run, g_steal_pointer (&failure->error));
  return G_SOURCE_REMOVE;
}

static void
writer_failure_free (gpointer user_data)
{
  WriterFailure *failure = user_data;

  fetch_run_unref (failure->run);
  g_clear_error (&failure->error);
  g_free (failure);
}

static void
notify_writer_failure (WriterJob    *job,
                       const GError *error)
{
  WriterFailure *failure = g_new0 (WriterFailure, 1);

  /* tell the main side at once, so it stops reading a directory it cannot keep */
  failure->run = fetch_run_ref (job->run);
  failure->error = g_error_copy (error);
  g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, writer_failed_cb, failure, writer_failure_free);
}

static void
writer_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  WriterJob *job = task_data;
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_autoptr(GError) error = NULL;

  if (job->base_id > 0)
    writer = muster_snapshot_store_begin_from (job->store, job->base_id, &error);
  else
    writer = muster_snapshot_store_begin (job->store, job->profile, job->tenant_id, &error);
  if (writer == NULL)
    notify_writer_failure (job, error);

  for (;;)
    {
      g_autoptr(Changes) changes = g_async_queue_pop (job->queue);
      MusterSnapshotInfo *info;
      gint64 id;

      if (changes->kind == ITEM_ABORT)
        {
          /* dropping the writer rolls the transaction back */
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("The refresh was stopped."));
          return;
        }
      if (error == NULL && !apply_changes (writer, changes, &error))
        notify_writer_failure (job, error);
      if (changes->kind != ITEM_COMMIT)
        continue;

      if (error != NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      id = muster_snapshot_writer_commit (writer, &error);
      if (id <= 0)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      info = muster_snapshot_store_get_latest (job->store, job->profile, NULL);
      if (info == NULL || info->id != id)
        {
          g_clear_pointer (&info, muster_snapshot_info_free);
          info = g_new0 (MusterSnapshotInfo, 1);
          info->id = id;
          info->profile = g_strdup (job->profile);
        }
      g_task_return_pointer (task, info, (GDestroyNotify) muster_snapshot_info_free);
      return;
    }
}

/* ---- one run ------------------------------------------------------------------------------ */

typedef struct
{
  gboolean ended;    /* the last page was parsed */
  guint    parsing;  /* pages handed to parsers, not back yet */
  guint    objects;
  char    *delta_link;
} Chain;

struct _FetchRun
{
  gatomicrefcount       ref;
  GTask                *task;         /* the caller's, until the run ends */
  MusterDirectoryFetch *self;
  MusterGraphClient    *graph;
  MusterSnapshotStore  *store;
  char                 *profile;
  char                 *tenant_id;
  GMainContext         *context;
  GCancellable         *cancellable;  /* ours: cancelled on the first error */
  gboolean              incremental;
  gboolean              users_only;
  gint64                base_id;
  char                 *base_links[2]; /* users, groups delta links of the base */

  GError               *error;
  gboolean              resync;       /* Graph said 410: start over with a full fetch */
  guint                 pending;      /* requests, parses and timers under way */
  gboolean              finishing;
  GAsyncQueue          *queue;        /* to the writer */

  Chain                 chains[N_CHAINS];
  GPtrArray            *held;         /* groups delta changes, applied after the users delta */
  gboolean              skus_done;
  char                 *latest_links[2];

  GQueue                members;      /* MemberRequest to send */
  guint                 batches;      /* in flight */
  guint                 max_batches;
  gboolean              paused;

  guint                 users_total;
  guint                 groups_total;
  guint                 groups_completed;
  guint                 memberships;
  guint                 managers;
  guint                 pages;
  guint                 requests;
  guint                 graph_calls;
  gint64                started;
  gulong                outer_handler;
};

static void start_run (FetchRun *run);

static FetchRun *
fetch_run_ref (FetchRun *run)
{
  g_atomic_ref_count_inc (&run->ref);
  return run;
}

static void
fetch_run_unref (FetchRun *run)
{
  if (!g_atomic_ref_count_dec (&run->ref))
    return;
  g_clear_object (&run->task);
  g_clear_object (&run->self);
  g_clear_object (&run->graph);
  g_clear_object (&run->store);
  g_free (run->profile);
  g_free (run->tenant_id);
  g_main_context_unref (run->context);
  g_clear_object (&run->cancellable);
  g_free (run->base_links[0]);
  g_free (run->base_links[1]);
  g_clear_error (&run->error);
  g_clear_pointer (&run->queue, g_async_queue_unref);
  for (guint i = 0; i < N_CHAINS; i++)
    g_free (run->chains[i].delta_link);
  g_clear_pointer (&run->held, g_ptr_array_unref);
  g_free (run->latest_links[0]);
  g_free (run->latest_links[1]);
  g_queue_clear_full (&run->members, (GDestroyNotify) member_request_free);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FetchRun, fetch_run_unref)

static FetchRun *
fetch_run_new (GTask                *task,
               MusterDirectoryFetch *self,
               MusterGraphClient    *graph,
               MusterSnapshotStore  *store,
               const char           *profile,
               const char           *tenant_id)
{
  FetchRun *run = g_new0 (FetchRun, 1);

  g_atomic_ref_count_init (&run->ref);
  run->task = g_object_ref (task);
  run->self = g_object_ref (self);
  run->graph = g_object_ref (graph);
  run->store = g_object_ref (store);
  run->profile = g_strdup (profile);
  run->tenant_id = g_strdup (tenant_id);
  run->context = g_main_context_ref_thread_default ();
  run->cancellable = g_cancellable_new ();
  run->max_batches = MAX_BATCHES;
  run->held = g_ptr_array_new_with_free_func ((GDestroyNotify) changes_free);
  g_queue_init (&run->members);
  run->started = g_get_monotonic_time ();
  return run;
}

static gboolean
run_stopped (FetchRun *run)
{
  return run->error != NULL || run->resync || g_cancellable_is_cancelled (run->cancellable);
}

/* Keeps the first error and stops everything else. */
static void
run_fail (FetchRun *run,
          GError   *error)
{
  if (run->error == NULL && !run->resync)
    run->error = error;
  else
    g_error_free (error);
  g_cancellable_cancel (run->cancellable);
}

static void
run_hold (FetchRun *run)
{
  run->pending++;
}

/* One HTTP request carrying @graph_calls Graph calls: counted, and the run held until it ends. */
static void
run_hold_request (FetchRun *run,
                  guint     graph_calls)
{
  run_hold (run);
  run->requests++;
  run->graph_calls += graph_calls;
}

static void run_release (FetchRun *run);

static void
emit_progress (FetchRun *run)
{
  MusterDirectoryFetch *self = run->self;
  MusterFetchPhase phase;
  guint objects;
  double fraction;

  if (run->incremental)
    {
      gboolean users_done = run->chains[CHAIN_USERS_DELTA].ended;
      gboolean groups_done = run->chains[CHAIN_GROUPS_DELTA].ended;

      phase = !users_done ? MUSTER_FETCH_PHASE_USERS
            : !groups_done ? MUSTER_FETCH_PHASE_GROUPS : MUSTER_FETCH_PHASE_SAVING;
      objects = phase == MUSTER_FETCH_PHASE_USERS ? run->chains[CHAIN_USERS_DELTA].objects
              : phase == MUSTER_FETCH_PHASE_GROUPS ? run->chains[CHAIN_GROUPS_DELTA].objects : 0;
      fraction = 0.45 * users_done + 0.45 * groups_done;
    }
  else
    {
      gboolean users_done = run->chains[CHAIN_USERS].ended;
      gboolean groups_done = run->chains[CHAIN_GROUPS].ended;
      gboolean members_done = groups_done && run->batches == 0 && g_queue_is_empty (&run->members);
      double users_part = users_done ? 1.0
                        : run->users_total > 0 ? MIN (1.0, run->chains[CHAIN_USERS].objects / (double) run->users_total)
                        : 0.0;
      double members_part = members_done ? 1.0
                          : run->groups_total > 0 ? MIN (1.0, run->groups_completed / (double) run->groups_total)
                          : 0.0;

      if (!users_done)
        phase = MUSTER_FETCH_PHASE_USERS, objects = run->chains[CHAIN_USERS].objects;
      else if (!groups_done)
        phase = MUSTER_FETCH_PHASE_GROUPS, objects = run->chains[CHAIN_GROUPS].objects;
      else if (!members_done)
        phase = MUSTER_FETCH_PHASE_MEMBERSHIPS, objects = run->memberships;
      else if (!run->skus_done)
        phase = MUSTER_FETCH_PHASE_LICENCES, objects = 0;
      else
        phase = MUSTER_FETCH_PHASE_SAVING, objects = run->chains[CHAIN_USERS].objects;
      fraction = 0.5 * users_part + 0.05 * groups_done + 0.35 * members_part + 0.05 * run->skus_done;
    }

  /* estimates improve as counts arrive; the bar must still never go back */
  fraction = CLAMP (fraction, self->fraction, 1.0);
  g_object_freeze_notify (G_OBJECT (self));
  if (self->phase != phase)
    {
      self->phase = phase;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
    }
  if (self->objects != objects)
    {
      self->objects = objects;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OBJECTS]);
    }
  if (self->pages != run->pages)
    {
      self->pages = run->pages;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGES]);
    }
  if (self->fraction != fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[PROGRESS], 0, (int) phase, objects, run->pages, fraction);
}

static void
queue_changes (FetchRun *run,
               Changes  *changes)
{
  g_async_queue_push (run->queue, changes);
}

/* ---- collections: users, groups and their delta ------------------------------------------- */

static void fetch_page (FetchRun *run, ChainKind kind, const char *path);

typedef struct
{
  FetchRun  *run;
  ChainKind  kind;
  char      *early_link;  /* the nextLink already followed, or NULL */
} PageData;

static void
page_data_free (PageData *data)
{
  fetch_run_unref (data->run);
  g_free (data->early_link);
  g_free (data);
}

static void
flush_held (FetchRun *run)
{
  for (guint i = 0; i < run->held->len; i++)
    queue_changes (run, g_steal_pointer (&run->held->pdata[i]));
  g_ptr_array_set_size (run->held, 0);
}

static void
chain_check_end (FetchRun  *run,
                 ChainKind  kind)
{
  if (kind == CHAIN_USERS_DELTA && run->chains[kind].ended && run->chains[kind].parsing == 0)
    flush_held (run);
}

static void
pump_members (FetchRun *run);

static void
page_parsed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  PageData *data = user_data;
  FetchRun *run = data->run;
  Chain *chain = &run->chains[data->kind];
  GError *error = NULL;
  Changes *changes;

  chain->parsing--;
  changes = g_task_propagate_pointer (G_TASK (result), &error);
  if (changes == NULL)
    {
      run_fail (run, error);
      goto out;
    }
  if (run_stopped (run))
    {
      changes_free (changes);
      goto out;
    }

  if (data->early_link != NULL && g_strcmp0 (data->early_link, changes->next_link) != 0)
    {
      changes_free (changes);
      run_fail (run, g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE, "%s",
                                  _("Microsoft Graph sent a page with two different links to the next one.")));
      goto out;
    }
  if (data->early_link == NULL && changes->next_link != NULL)
    fetch_page (run, data->kind, changes->next_link);
  if (changes->next_link == NULL)
    {
      chain->ended = TRUE;
      chain->delta_link = g_strdup (changes->delta_link);
      if ((data->kind == CHAIN_USERS_DELTA || data->kind == CHAIN_GROUPS_DELTA) && chain->delta_link == NULL)
        {
          changes_free (changes);
          run_fail (run, g_error_new (MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_INVALID_RESPONSE, "%s",
                                      _("Microsoft Graph ended a list of changes without a link for the next refresh.")));
          goto out;
        }
    }

  chain->objects += changes->users->len + changes->groups->len + changes->removed->len;
  run->managers += changes->n_managers;
  run->memberships += changes->member_adds->len / 2 + changes->member_removes->len / 2;
  if (data->kind == CHAIN_GROUPS)
    {
      for (guint i = 0; i < changes->group_ids->len; i++)
        {
          const char *id = changes->group_ids->pdata[i];
          g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);

          g_queue_push_tail (&run->members,
                             member_request_new (id, g_strdup_printf ("/groups/%s/members?$select=id&$top=999",
                                                                      escaped)));
        }
    }

  if (data->kind == CHAIN_GROUPS_DELTA && !(run->chains[CHAIN_USERS_DELTA].ended
                                            && run->chains[CHAIN_USERS_DELTA].parsing == 0))
    g_ptr_array_add (run->held, changes);
  else
    queue_changes (run, changes);
  chain_check_end (run, data->kind);
  if (data->kind == CHAIN_GROUPS)
    pump_members (run);
  emit_progress (run);

out:
  run_release (run);
}

static void
page_fetched_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PageData *data = user_data;
  FetchRun *run = data->run;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  GTask *parse;
  ParseJob *job;

  bytes = muster_graph_client_request_bytes_finish (MUSTER_GRAPH_CLIENT (source), result, &error);
  if (bytes == NULL)
    {
      if (run->incremental && g_error_matches (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_RESYNC_REQUIRED))
        {
          /* delta-query-overview.md: 410 means start again from a full read */
          g_debug ("delta link refused (%s); falling back to a full fetch", error->message);
          g_error_free (error);
          run->resync = TRUE;
          g_cancellable_cancel (run->cancellable);
        }
      else
        run_fail (run, error);
      page_data_free (data);
      run_release (run);
      return;
    }
  if (run_stopped (run))
    {
      page_data_free (data);
      run_release (run);
      return;
    }

  run->pages++;
  /* let the next request leave while this page is parsed */
  data->early_link = scan_next_link (bytes);
  if (data->early_link != NULL)
    fetch_page (run, data->kind, data->early_link);

  job = g_new0 (ParseJob, 1);
  job->bytes = g_steal_pointer (&bytes);
  job->kind = data->kind;
  run->chains[data->kind].parsing++;
  run_hold (run);
  /* no cancellable: the callback always gets the result and decides */
  parse = g_task_new (NULL, NULL, page_parsed_cb, data);
  g_task_set_source_tag (parse, page_fetched_cb);
  g_task_set_task_data (parse, job, (GDestroyNotify) parse_job_free);
  g_object_set_data_full (G_OBJECT (parse), "page-data", data, (GDestroyNotify) page_data_free);
  g_task_run_in_thread (parse, parse_thread);
  g_object_unref (parse);
  run_release (run);
}

static void
fetch_page (FetchRun   *run,
            ChainKind   kind,
            const char *path)
{
  PageData *data = g_new0 (PageData, 1);

  data->run = fetch_run_ref (run);
  data->kind = kind;
  run_hold_request (run, 1);
  muster_graph_client_request_bytes_async (run->graph, "GET", path, NULL, run->cancellable, page_fetched_cb, data);
}

/* ---- memberships through $batch ----------------------------------------------------------- */

typedef struct
{
  FetchRun  *run;
  GPtrArray *requests;
} BatchData;

static void
batch_data_free (BatchData *data)
{
  fetch_run_unref (data->run);
  g_clear_pointer (&data->requests, g_ptr_array_unref);
  g_free (data);
}

typedef struct
{
  FetchRun  *run;
  GPtrArray *requests;
} RetryData;

static gboolean
retry_cb (gpointer user_data)
{
  RetryData *data = user_data;
  FetchRun *run = data->run;

  run->paused = FALSE;
  for (guint i = 0; data->requests != NULL && i < data->requests->len; i++)
    g_queue_push_head (&run->members, g_steal_pointer (&data->requests->pdata[i]));
  pump_members (run);
  emit_progress (run);
  run_release (run);
  return G_SOURCE_REMOVE;
}

static void
retry_data_free (gpointer user_data)
{
  RetryData *data = user_data;

  fetch_run_unref (data->run);
  g_clear_pointer (&data->requests, g_ptr_array_unref);
  g_free (data);
}

/* Waits @delay_ms, then puts @requests (may be NULL) back in front and sends again. */
static void
pause_members (FetchRun  *run,
               guint      delay_ms,
               GPtrArray *requests)
{
  RetryData *data = g_new0 (RetryData, 1);
  GSource *source = g_timeout_source_new (delay_ms);

  data->run = fetch_run_ref (run);
  data->requests = requests;
  run->paused = TRUE;
  run_hold (run);
  g_source_set_callback (source, retry_cb, data, retry_data_free);
  g_source_attach (source, run->context);
  g_source_unref (source);
}

static void
batch_parsed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BatchData *data = user_data;
  FetchRun *run = data->run;
  GError *error = NULL;
  Changes *changes;
  double usage = muster_graph_client_get_throttle_usage (run->graph);

  changes = g_task_propagate_pointer (G_TASK (result), &error);
  if (changes == NULL)
    {
      run_fail (run, error);
      goto out;
    }
  if (run_stopped (run))
    {
      changes_free (changes);
      goto out;
    }

  run->memberships += changes->member_adds->len / 2;
  run->groups_completed += changes->groups_completed;
  for (guint i = 0; i < changes->follow_ups->len; i++)
    g_queue_push_tail (&run->members, g_steal_pointer (&changes->follow_ups->pdata[i]));
  g_ptr_array_set_size (changes->follow_ups, 0);

  if (changes->retries->len > 0)
    {
      /* throttled: fewer batches at once, and wait as long as Graph asked
       * (learn.microsoft.com/graph/throttling) */
      run->max_batches = MAX (1, run->max_batches / 2);
      g_debug ("%u calls throttled; %u batches at once from now", changes->retries->len, run->max_batches);
      pause_members (run, changes->retry_after_ms, g_steal_pointer (&changes->retries));
      changes->retries = g_ptr_array_new ();
    }
  else if (usage >= 0.8)
    {
      /* Graph says most of the budget is spent: slow down before it throttles */
      run->max_batches = 1;
      if (!run->paused)
        pause_members (run, (guint) (1000 * MIN (usage, 1.0)), NULL);
    }
  else if (run->max_batches < MAX_BATCHES)
    run->max_batches++;

  queue_changes (run, changes);
  pump_members (run);
  emit_progress (run);

out:
  run_release (run);
}

static void
batch_sent_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  BatchData *data = user_data;
  FetchRun *run = data->run;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  GTask *parse;
  ParseJob *job;

  run->batches--;
  bytes = muster_graph_client_request_bytes_finish (MUSTER_GRAPH_CLIENT (source), result, &error);
  if (bytes == NULL)
    {
      run_fail (run, error);
      batch_data_free (data);
      run_release (run);
      return;
    }
  if (run_stopped (run))
    {
      batch_data_free (data);
      run_release (run);
      return;
    }

  run->pages++;
  job = g_new0 (ParseJob, 1);
  job->bytes = g_steal_pointer (&bytes);
  job->requests = g_steal_pointer (&data->requests);
  job->base = g_strdup (muster_graph_client_get_base (run->graph));
  run_hold (run);
  parse = g_task_new (NULL, NULL, batch_parsed_cb, data);
  g_task_set_task_data (parse, job, (GDestroyNotify) parse_job_free);
  g_object_set_data_full (G_OBJECT (parse), "batch-data", data, (GDestroyNotify) batch_data_free);
  g_task_run_in_thread (parse, parse_thread);
  g_object_unref (parse);
  /* room for another batch while this one is parsed */
  pump_members (run);
  run_release (run);
}

static void
pump_members (FetchRun *run)
{
  while (!run_stopped (run) && !run->paused && run->batches < run->max_batches
         && !g_queue_is_empty (&run->members))
    {
      BatchData *data = g_new0 (BatchData, 1);
      g_autoptr(GString) body = g_string_new ("{\"requests\":[");
      g_autoptr(GBytes) bytes = NULL;

      data->run = fetch_run_ref (run);
      data->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) member_request_free);
      while (data->requests->len < BATCH_SIZE && !g_queue_is_empty (&run->members))
        {
          MemberRequest *request = g_queue_pop_head (&run->members);

          g_ptr_array_add (data->requests, request);
          if (data->requests->len > 1)
            g_string_append_c (body, ',');
          g_string_append_printf (body, "{\"id\":\"%u\",\"method\":\"GET\",\"url\":", data->requests->len);
          muster_json_append_string (body, request->path);
          g_string_append_c (body, '}');
        }
      g_string_append (body, "]}");
      bytes = g_string_free_to_bytes (g_steal_pointer (&body));

      run->batches++;
      run_hold_request (run, data->requests->len);
      muster_graph_client_request_bytes_async (run->graph, "POST", "/$batch", bytes, run->cancellable,
                                               batch_sent_cb, data);
    }
}

/* ---- licences, counts and delta links ----------------------------------------------------- */

static void
skus_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(FetchRun) run = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Changes) changes = changes_new (ITEM_CHANGES);
  JsonArray *values;

  node = muster_graph_client_get_finish (MUSTER_GRAPH_CLIENT (source), result, &error);
  run->pages++;
  if (node == NULL)
    {
      /* without Organization.Read.All the snapshot simply has no licence names */
      if (g_error_matches (error, MUSTER_GRAPH_ERROR, MUSTER_GRAPH_ERROR_FORBIDDEN))
        g_debug ("licences not readable: %s", error->message);
      else
        run_fail (run, g_steal_pointer (&error));
      run->skus_done = TRUE;
      run_release (run);
      return;
    }
  values = JSON_NODE_HOLDS_OBJECT (node) ? muster_json_get_array (json_node_get_object (node), "value") : NULL;
  for (guint i = 0; values != NULL && i < json_array_get_length (values); i++)
    {
      JsonNode *item = json_array_get_element (values, i);
      JsonObject *object, *prepaid;
      MusterSku *sku;
      const char *sku_id, *part, *friendly;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      object = json_node_get_object (item);
      sku_id = muster_json_get_string (object, "skuId");
      if (sku_id == NULL)
        continue;
      part = muster_json_get_string (object, "skuPartNumber");
      friendly = muster_licence_get_friendly_name (part);
      prepaid = muster_json_get_object (object, "prepaidUnits");
      sku = g_new0 (MusterSku, 1);
      sku->sku_id = g_strdup (sku_id);
      sku->part_number = g_strdup (part ? part : sku_id);
      sku->title = g_strdup (friendly ? friendly : sku->part_number);
      sku->consumed = muster_json_get_int (object, "consumedUnits", 0);
      sku->enabled = muster_json_get_int (prepaid, "enabled", 0);
      g_ptr_array_add (changes->skus, sku);
    }
  run->skus_done = TRUE;
  if (!run_stopped (run))
    queue_changes (run, g_steal_pointer (&changes));
  emit_progress (run);
  run_release (run);
}

typedef struct
{
  FetchRun *run;
  guint     which;  /* 0 users, 1 groups */
} LinkData;

static void
latest_link_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LinkData *data = user_data;
  FetchRun *run = data->run;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = muster_graph_client_get_finish (MUSTER_GRAPH_CLIENT (source), result, &error);
  run->pages++;
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    run->latest_links[data->which] =
      g_strdup (muster_json_get_string (json_node_get_object (node), "@odata.deltaLink"));
  else if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;
  else
    /* not fatal: the next refresh is then a full one */
    g_debug ("no delta link for %s: %s", data->which ? "groups" : "users", error ? error->message : "no object");
  run_release (run);
  fetch_run_unref (run);
  g_free (data);
}

static void
start_latest_link (FetchRun   *run,
                   guint       which,
                   const char *path)
{
  LinkData *data = g_new0 (LinkData, 1);

  data->run = fetch_run_ref (run);
  data->which = which;
  run_hold_request (run, 1);
  muster_graph_client_get_async (run->graph, path, run->cancellable, latest_link_cb, data);
}

typedef struct
{
  FetchRun *run;
  gboolean  groups;
} CountData;

static void
count_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  CountData *data = user_data;
  FetchRun *run = data->run;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = muster_graph_client_request_bytes_finish (MUSTER_GRAPH_CLIENT (source), result, &error);
  if (bytes != NULL)
    {
      /* aad-advanced-queries.md: /$count answers text/plain "893" */
      g_autofree char *text = g_strstrip (g_strndup (g_bytes_get_data (bytes, NULL), MIN (g_bytes_get_size (bytes), 32)));
      guint64 value;

      if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL))
        {
          if (data->groups)
            run->groups_total = value;
          else
            run->users_total = value;
        }
    }
  else
    g_debug ("no count: %s", error->message);
  run_release (run);
  fetch_run_unref (run);
  g_free (data);
}

static void
start_count (FetchRun *run,
             gboolean  groups)
{
  CountData *data = g_new0 (CountData, 1);

  data->run = fetch_run_ref (run);
  data->groups = groups;
  run_hold_request (run, 1);
  muster_graph_client_request_bytes_async (run->graph, "GET", groups ? "/groups/$count" : "/users/$count", NULL,
                                           run->cancellable, count_cb, data);
}

/* ---- starting and ending ------------------------------------------------------------------ */

static void
writer_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(FetchRun) run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotInfo) info = NULL;
  GTask *task = run->task;
  GCancellable *outer = g_task_get_cancellable (task);

  info = g_task_propagate_pointer (G_TASK (result), &error);
  if (run->outer_handler != 0)
    g_cancellable_disconnect (outer, run->outer_handler);
  run->outer_handler = 0;

  if (run->resync && !g_cancellable_is_cancelled (outer))
    {
      FetchRun *fresh = fetch_run_new (task, run->self, run->graph, run->store, run->profile, run->tenant_id);

      fresh->incremental = FALSE;
      fresh->started = run->started;
      start_run (fresh);
      fetch_run_unref (fresh);
      return;
    }

  run->self->running = FALSE;
  if (g_cancellable_is_cancelled (outer))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             _("The refresh was cancelled; the previous snapshot is unchanged."));
  else if (run->error != NULL)
    {
      GError *failure = g_steal_pointer (&run->error);

      g_prefix_error (&failure, "%s ", _("The refresh failed; the previous snapshot is unchanged."));
      g_task_return_error (task, failure);
    }
  else if (error != NULL)
    {
      g_prefix_error (&error, "%s ", _("The new snapshot could not be saved; the previous one is unchanged."));
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    {
      MusterFetchSummary *summary = g_new0 (MusterFetchSummary, 1);

      summary->snapshot_id = info->id;
      summary->users = info->n_users;
      summary->groups = info->n_groups;
      summary->memberships = run->memberships;
      summary->managers = run->managers;
      summary->requests = run->requests;
      summary->graph_calls = run->graph_calls;
      summary->incremental = run->incremental;
      summary->elapsed_seconds = (g_get_monotonic_time () - run->started) / (double) G_USEC_PER_SEC;
      g_task_return_pointer (task, summary, g_free);
    }
}

static void
run_release (FetchRun *run)
{
  g_assert (run->pending > 0);
  if (--run->pending > 0 || run->finishing)
    return;

  /* nothing is under way any more: commit what was read, or throw it away */
  run->finishing = TRUE;
  if (run_stopped (run) || g_cancellable_is_cancelled (g_task_get_cancellable (run->task)))
    queue_changes (run, changes_new (ITEM_ABORT));
  else
    {
      Changes *commit = changes_new (ITEM_COMMIT);

      flush_held (run);
      if (run->incremental)
        {
          commit->users_delta_link = g_strdup (run->chains[CHAIN_USERS_DELTA].delta_link);
          commit->groups_delta_link = g_strdup (run->chains[CHAIN_GROUPS_DELTA].delta_link);
        }
      else
        {
          commit->users_delta_link = g_strdup (run->latest_links[0]);
          commit->groups_delta_link = g_strdup (run->latest_links[1]);
        }
      queue_changes (run, commit);
      emit_progress (run);
    }
}

static void
outer_cancelled_cb (GCancellable *outer,
                    gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

static void
start_run (FetchRun *run)
{
  WriterJob *job = g_new0 (WriterJob, 1);
  GTask *writer;

  run->queue = g_async_queue_new_full ((GDestroyNotify) changes_free);
  job->store = g_object_ref (run->store);
  job->profile = g_strdup (run->profile);
  job->tenant_id = g_strdup (run->tenant_id);
  job->base_id = run->incremental ? run->base_id : 0;
  job->queue = g_async_queue_ref (run->queue);
  job->context = g_main_context_ref (run->context);
  job->run = fetch_run_ref (run);
  writer = g_task_new (NULL, NULL, writer_done_cb, fetch_run_ref (run));
  g_task_set_source_tag (writer, start_run);
  g_task_set_task_data (writer, job, (GDestroyNotify) writer_job_free);
  g_task_run_in_thread (writer, writer_thread);
  g_object_unref (writer);

  {
    GCancellable *outer = g_task_get_cancellable (run->task);

    /* the caller's cancel stops this run (checked again when it ends) */
    if (outer != NULL)
      run->outer_handler = g_cancellable_connect (outer, G_CALLBACK (outer_cancelled_cb),
                                                  g_object_ref (run->cancellable), g_object_unref);
  }

  /* hold while starting, so an early error cannot end the run half-started */
  run_hold (run);
  if (run->incremental)
    {
      fetch_page (run, CHAIN_USERS_DELTA, run->base_links[0]);
      fetch_page (run, CHAIN_GROUPS_DELTA, run->base_links[1]);
    }
  else if (run->users_only)
    {
      start_count (run, FALSE);
      run->chains[CHAIN_GROUPS].ended = TRUE;
      run->skus_done = TRUE;
      fetch_page (run, CHAIN_USERS, "/users?$select=" USER_SELECT "&$top=999&$expand=manager($select=id)");
    }
  else
    {
      start_count (run, FALSE);
      start_count (run, TRUE);
      start_latest_link (run, 0, "/users/delta?$select=" USER_SELECT ",manager&$deltatoken=latest");
      start_latest_link (run, 1, "/groups/delta?$select=" GROUP_SELECT ",members&$deltatoken=latest");
      fetch_page (run, CHAIN_USERS, "/users?$select=" USER_SELECT "&$top=999&$expand=manager($select=id)");
      fetch_page (run, CHAIN_GROUPS, "/groups?$select=" GROUP_SELECT "&$top=999");
      run_hold_request (run, 1);
      muster_graph_client_get_async (run->graph, "/subscribedSkus?$select=skuId,skuPartNumber,consumedUnits,prepaidUnits",
                                     run->cancellable, skus_cb, fetch_run_ref (run));
    }
  emit_progress (run);
  run_release (run);
}

typedef struct
{
  gint64  base_id;
  char   *links[2];
} BaseInfo;

static void
base_info_free (BaseInfo *info)
{
  g_free (info->links[0]);
  g_free (info->links[1]);
  g_free (info);
}

/* Which snapshot an incremental refresh starts from, and its delta links (worker thread). */
static void
find_base_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  FetchRun *run = task_data;
  g_autoptr(MusterSnapshotInfo) latest = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *users = NULL;
  g_autofree char *groups = NULL;
  BaseInfo *info = g_new0 (BaseInfo, 1);

  /* Only the two links: loading the whole base snapshot for them took half a second on
   * 100,000 users. */
  latest = muster_snapshot_store_get_latest (run->store, run->profile, &error);
  if (latest != NULL)
    users = muster_snapshot_store_get_delta_link (run->store, latest->id, "users", &error);
  if (users != NULL)
    groups = muster_snapshot_store_get_delta_link (run->store, latest->id, "groups", &error);
  if (users != NULL && groups != NULL)
    {
      info->base_id = latest->id;
      info->links[0] = g_steal_pointer (&users);
      info->links[1] = g_steal_pointer (&groups);
    }
  if (error != NULL)
    g_debug ("no base for an incremental refresh: %s", error->message);
  g_task_return_pointer (task, info, (GDestroyNotify) base_info_free);
}

static void
find_base_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(FetchRun) run = user_data;
  BaseInfo *info = g_task_propagate_pointer (G_TASK (result), NULL);

  if (info != NULL && info->base_id > 0)
    {
      run->incremental = TRUE;
      run->base_id = info->base_id;
      run->base_links[0] = g_steal_pointer (&info->links[0]);
      run->base_links[1] = g_steal_pointer (&info->links[1]);
    }
  g_clear_pointer (&info, base_info_free);
  start_run (run);
}

/* ---- the object --------------------------------------------------------------------------- */

static void
muster_directory_fetch_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  MusterDirectoryFetch *self = MUSTER_DIRECTORY_FETCH (object);

  switch (prop_id)
    {
    case PROP_PHASE:
      g_value_set_int (value, self->phase);
      break;
    case PROP_OBJECTS:
      g_value_set_uint (value, self->objects);
      break;
    case PROP_PAGES:
      g_value_set_uint (value, self->pages);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_directory_fetch_class_init (MusterDirectoryFetchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = muster_directory_fetch_get_property;

  properties[PROP_PHASE] = g_param_spec_int ("phase", NULL, NULL, MUSTER_FETCH_PHASE_STARTING,
                                             MUSTER_FETCH_PHASE_SAVING, MUSTER_FETCH_PHASE_STARTING,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_OBJECTS] = g_param_spec_uint ("objects", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGES] = g_param_spec_uint ("pages", NULL, NULL, 0, G_MAXUINT, 0,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                    NULL, G_TYPE_NONE, 4, G_TYPE_INT, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_DOUBLE);
}

static void
muster_directory_fetch_init (MusterDirectoryFetch *self)
{
}

MusterDirectoryFetch *
muster_directory_fetch_new (void)
{
  return g_object_new (MUSTER_TYPE_DIRECTORY_FETCH, NULL);
}

MusterFetchPhase
muster_directory_fetch_get_phase (MusterDirectoryFetch *self)
{
  g_return_val_if_fail (MUSTER_IS_DIRECTORY_FETCH (self), MUSTER_FETCH_PHASE_STARTING);
  return self->phase;
}

guint
muster_directory_fetch_get_objects (MusterDirectoryFetch *self)
{
  g_return_val_if_fail (MUSTER_IS_DIRECTORY_FETCH (self), 0);
  return self->objects;
}

guint
muster_directory_fetch_get_pages (MusterDirectoryFetch *self)
{
  g_return_val_if_fail (MUSTER_IS_DIRECTORY_FETCH (self), 0);
  return self->pages;
}

double
muster_directory_fetch_get_fraction (MusterDirectoryFetch *self)
{
  g_return_val_if_fail (MUSTER_IS_DIRECTORY_FETCH (self), 0.0);
  return self->fraction;
}

const char *
muster_fetch_phase_get_title (MusterFetchPhase phase)
{
  switch (phase)
    {
    case MUSTER_FETCH_PHASE_STARTING:
      return _("Starting");
    case MUSTER_FETCH_PHASE_USERS:
      return _("Users");
    case MUSTER_FETCH_PHASE_GROUPS:
      return _("Groups");
    case MUSTER_FETCH_PHASE_MEMBERSHIPS:
      return _("Memberships");
    case MUSTER_FETCH_PHASE_LICENCES:
      return _("Licences");
    case MUSTER_FETCH_PHASE_SAVING:
      return _("Saving");
    default:
      return "";
    }
}

void
muster_directory_fetch_run_async (MusterDirectoryFetch *self,
                                  MusterGraphClient    *graph,
                                  MusterSnapshotStore  *store,
                                  const char           *profile_name,
                                  gboolean              full,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  MusterProfile *profile;
  FetchRun *run;

  g_return_if_fail (MUSTER_IS_DIRECTORY_FETCH (self));
  g_return_if_fail (MUSTER_IS_GRAPH_CLIENT (graph));
  g_return_if_fail (MUSTER_IS_SNAPSHOT_STORE (store));
  g_return_if_fail (profile_name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, muster_directory_fetch_run_async);
  /* our own words for a cancel, which say the previous snapshot is kept */
  g_task_set_check_cancellable (task, FALSE);
  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "%s", _("A refresh is already running."));
      return;
    }
  self->running = TRUE;
  self->phase = MUSTER_FETCH_PHASE_STARTING;
  self->objects = self->pages = 0;
  self->fraction = 0.0;

  profile = muster_session_get_profile (muster_graph_client_get_session (graph));
  run = fetch_run_new (task, self, graph, store, profile_name, muster_profile_get_tenant_id (profile));
  run->users_only = self->users_only;
  if (full || run->users_only)
    start_run (run);
  else
    {
      GTask *find = g_task_new (NULL, cancellable, find_base_cb, fetch_run_ref (run));

      g_task_set_source_tag (find, muster_directory_fetch_run_async);
      g_task_set_task_data (find, fetch_run_ref (run), (GDestroyNotify) fetch_run_unref);
      g_task_run_in_thread (find, find_base_thread);
      g_object_unref (find);
    }
  fetch_run_unref (run);
}

void
_muster_directory_fetch_set_users_only (MusterDirectoryFetch *self,
                                        gboolean              users_only)
{
  g_return_if_fail (MUSTER_IS_DIRECTORY_FETCH (self));
  self->users_only = users_only;
}

gint64
muster_directory_fetch_run_finish (MusterDirectoryFetch  *self,
                                   GAsyncResult          *result,
                                   MusterFetchSummary    *summary,
                                   GError               **error)
{
  g_autofree MusterFetchSummary *done = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  done = g_task_propagate_pointer (G_TASK (result), error);
  if (done == NULL)
    return 0;
  if (summary != NULL)
    *summary = *done;
  return done->snapshot_id;
}
