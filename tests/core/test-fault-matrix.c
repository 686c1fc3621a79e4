/* test-fault-matrix.c: every network path through every fault the fake tenant can inject
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rows are what Muster does over the network: sign in (the code for tokens), refresh a token,
 * read the directory (full), read its changes (delta), load a photo, push users into a SCIM
 * service. Columns are the faults: an HTTP status (429 and 503 with Retry-After, 500), a
 * connection reset in the middle of a body, a body cut short, a body that is no JSON at all,
 * JSON with the wrong types, a server that never answers, an access token expiring while the
 * work runs, a revoked refresh token, a delta token the service has forgotten (410), and the
 * SCIM answers 409 (uniqueness) and 412 (precondition failed). The fake runs in-process and
 * injects the fault once, through POST /_fake/faults (or its identity and SCIM controls).
 *
 * Each cell must end in one of two ways, and the table below says which:
 *   - retry: Muster retries on its own and the work succeeds as if nothing happened;
 *   - error: a clear error in Muster's own words, with every store as it was (profile,
 *     keyring, snapshots, photo cache) or resumable (a SCIM push is partial, the history says
 *     so, and the next push does exactly the rest: nothing lost, nothing twice).
 * Then the same work runs again without the fault and must succeed. The test prints the
 * matrix it measured as a table (in the TAP log) and fails on any cell that differs.
 *
 * A stalled server is given MUSTER_HTTP_TIMEOUT seconds, so that cell costs seconds, not the
 * two minutes a real stall waits.
 */

#include "config.h"

#include <string.h>

#include "core-test-util.h"
#include "fake-test-util.h"
#include "muster-auth-error.h"
#include "muster-directory-fetch.h"
#include "muster-keyring.h"
#include "muster-photo-loader.h"
#include "muster-scim-target.h"
#include "muster-session.h"
#include "muster-snapshot-store.h"
#include "push-test-util.h"

#define HTTP_TIMEOUT_SECONDS "3"
#define PROFILE "fault-matrix"
#define SCIM_BASE_USERS 8
#define SCIM_USERS 12

typedef enum
{
  ROW_SIGN_IN,
  ROW_REFRESH,
  ROW_FETCH,
  ROW_DELTA,
  ROW_PHOTOS,
  ROW_SCIM_PUSH,
  N_ROWS
} Row;

typedef enum
{
  FAULT_429,
  FAULT_500,
  FAULT_503,
  FAULT_RESET,
  FAULT_TRUNCATE,
  FAULT_INVALID,
  FAULT_TYPES,
  FAULT_STALL,
  FAULT_EXPIRY,
  FAULT_REVOKED,
  FAULT_410,
  FAULT_409,
  FAULT_412,
  N_FAULTS
} Fault;

typedef enum
{
  NA,     /* the fault cannot happen on this path */
  RETRY,  /* retried transparently */
  ERROR,  /* a clear error; stores unchanged or resumable */
} Outcome;

static const char *row_names[N_ROWS] = { "sign-in", "refresh", "fetch", "delta", "photos", "SCIM push" };
static const char *fault_names[N_FAULTS] = { "429", "500", "503", "reset", "trunc", "invalid", "types", "stall",
                                             "expiry", "revoked", "410", "409", "412" };
/* the fake's --faults kind for the faults it injects that way */
static const char *fault_kinds[N_FAULTS] = { "429", "500", "503", "reset", "truncate", "invalid", "types", "stall" };

/* What each cell must end in. Graph, token endpoint and SCIM throttling and unavailability are
 * retried after Retry-After (Microsoft Learn, "Microsoft Graph throttling guidance"; RFC 7644
 * §3.12). Graph reads (GET, and the $batch of GETs) also retry what passes: a 500, a reset, a
 * body cut short or not JSON (not an image, for a photo), a time-out (Microsoft Learn, "Best
 * practices for working with Microsoft Graph", handling expected errors), a few times with
 * back-off; JSON of the wrong types is no passing failure, except where an image belongs (any
 * JSON there is as much a stranger's answer as a proxy's page). A SCIM service's 500 is retried
 * (RFC 7644 §3.12); an expired access token is refreshed once silently; a 410 on delta starts a
 * full read (Microsoft Learn, "Use delta query to track changes in Microsoft Graph data"); a 412
 * re-reads the user and tries once more (RFC 7644 §3.14). Everything else is an error. */
static const Outcome expected[N_ROWS][N_FAULTS] = {
  /*                429    500    503    reset  trunc  inval  types  stall  expiry revoked 410  409  412 */
  [ROW_SIGN_IN] = { RETRY, ERROR, RETRY, ERROR, ERROR, ERROR, ERROR, ERROR, NA,    NA,    NA,   NA,  NA },
  [ROW_REFRESH] = { RETRY, ERROR, RETRY, ERROR, ERROR, ERROR, ERROR, ERROR, NA,    ERROR, NA,   NA,  NA },
  [ROW_FETCH]   = { RETRY, RETRY, RETRY, RETRY, RETRY, RETRY, ERROR, RETRY, RETRY, ERROR, NA,   NA,  NA },
  [ROW_DELTA]   = { RETRY, RETRY, RETRY, RETRY, RETRY, RETRY, ERROR, RETRY, RETRY, ERROR, RETRY, NA, NA },
  [ROW_PHOTOS]  = { RETRY, RETRY, RETRY, RETRY, RETRY, RETRY, RETRY, RETRY, RETRY, ERROR, NA,   NA,  NA },
  [ROW_SCIM_PUSH] = { RETRY, RETRY, RETRY, ERROR, ERROR, ERROR, ERROR, ERROR, NA, NA,    NA,   ERROR, RETRY },
};

typedef struct
{
  MusterFakeTenant    *tenant;
  char                *dir;
  MusterProfileStore  *profiles;
  MusterProfile       *profile;
  MusterSession       *session;
  MusterGraphClient   *graph;
  MusterSnapshotStore *store;
  char                *token;        /* the test's own, for independent requests */
  GPtrArray           *photo_users;  /* ids of users with a photo, one per photo cell */
  guint                next_photo;
  guint                sign_ins;
  Outcome              measured[N_ROWS][N_FAULTS];
  char                *messages[N_ROWS][N_FAULTS];
} Fixture;

/* Fake control ---------------------------------------------------------------------------------- */

static void
control (Fixture    *f,
         const char *method,
         const char *path,
         const char *body)
{
  g_autoptr(FakeResponse) r = fake_test_request (f->tenant, method, path, NULL,
                                                 body != NULL ? "application/json" : NULL, body);

  if (r->status / 100 != 2)
    g_error ("%s %s answered %u", method, path, r->status);
}

static void
set_faults (Fixture    *f,
            const char *spec)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "spec");
  json_builder_add_string_value (builder, spec);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  control (f, "POST", "/_fake/faults", body);
}

/* How often the rules in force have fired, in all. */
static guint
faults_fired (Fixture *f)
{
  g_autoptr(FakeResponse) r = fake_test_request (f->tenant, "GET", "/_fake/faults", NULL, NULL, NULL);
  JsonArray *rules;
  guint fired = 0;

  g_assert_cmpuint (r->status, ==, 200);
  rules = json_object_get_array_member (json_node_get_object (r->json), "rules");
  for (guint i = 0; i < json_array_get_length (rules); i++)
    fired += json_object_get_int_member (json_array_get_object_element (rules, i), "fired");
  return fired;
}

/* A spec that injects @fault once on requests to each of @prefixes (NULL-terminated), the path
 * alone (a query may follow; the paths under it are left alone). */
static char *
fault_spec (Fault               fault,
            const char * const *prefixes,
            const char         *method)
{
  GString *spec = g_string_new (NULL);

  for (guint i = 0; prefixes[i] != NULL; i++)
    {
      g_string_append_printf (spec, "%s%s@%s/once/exact", i > 0 ? "," : "", fault_kinds[fault], prefixes[i]);
      if (method != NULL)
        g_string_append_printf (spec, "/method=%s", method);
      if (fault == FAULT_429 || fault == FAULT_503)
        g_string_append (spec, "/retry-after=1");
    }
  return g_string_free (spec, FALSE);
}

/* Engine helpers -------------------------------------------------------------------------------- */

static gboolean
sign_in (MusterSession *session,
         GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_session_sign_in_async (session, FALSE, NULL, core_test_store_result_cb, &result);
  return muster_session_sign_in_finish (session, core_test_wait (&result), error);
}

static MusterToken *
get_token (MusterSession *session,
           gboolean       force,
           GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_session_get_token_async (session, force, NULL, core_test_store_result_cb, &result);
  return muster_session_get_token_finish (session, core_test_wait (&result), error);
}

static char *
keyring_lookup (const char       *profile,
                MusterSecretKind  kind)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  muster_keyring_lookup_async (profile, kind, NULL, core_test_store_result_cb, &result);
  secret = muster_keyring_lookup_finish (core_test_wait (&result), &error);
  g_assert_no_error (error);
  return secret;
}

static void
keyring_clear (const char *profile)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_keyring_clear_async (profile, -1, NULL, core_test_store_result_cb, &result);
  muster_keyring_clear_finish (core_test_wait (&result), NULL);
}

typedef struct
{
  Fixture  *f;
  Fault     fault;
  gboolean  done;
} MidRun;

/* Token expiry and revocation happen while the work runs: at its first progress report. */
static void
mid_run (MidRun *mid)
{
  if (mid->done)
    return;
  mid->done = TRUE;
  if (mid->fault == FAULT_REVOKED)
    control (mid->f, "POST", "/_fake/identity/revoke", "{}");
  if (mid->fault == FAULT_REVOKED || mid->fault == FAULT_EXPIRY)
    control (mid->f, "POST", "/_fake/identity/expire-tokens", "{}");
}

static void
fetch_progress_cb (MusterDirectoryFetch *fetcher,
                   int                   phase,
                   guint                 objects,
                   guint                 pages,
                   double                fraction,
                   gpointer              user_data)
{
  if (pages >= 1)
    mid_run (user_data);
}

static gint64
fetch (Fixture            *f,
       gboolean            full,
       MidRun             *mid,
       MusterFetchSummary *summary,
       GError            **error)
{
  g_autoptr(MusterDirectoryFetch) fetcher = muster_directory_fetch_new ();
  g_autoptr(GAsyncResult) result = NULL;

  if (mid != NULL)
    g_signal_connect (fetcher, "progress", G_CALLBACK (fetch_progress_cb), mid);
  muster_directory_fetch_run_async (fetcher, f->graph, f->store, PROFILE, full, NULL, core_test_store_result_cb, &result);
  return muster_directory_fetch_run_finish (fetcher, core_test_wait (&result), summary, error);
}

static gint64
latest_snapshot (Fixture *f,
                 guint   *n_snapshots)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotInfo) latest = muster_snapshot_store_get_latest (f->store, PROFILE, &error);
  g_autoptr(GPtrArray) all = muster_snapshot_store_list (f->store, PROFILE, &error);

  g_assert_no_error (error);
  *n_snapshots = all->len;
  return latest != NULL ? latest->id : 0;
}

static guint
fake_user_count (Fixture *f)
{
  g_autoptr(FakeResponse) state = fake_test_request (f->tenant, "GET", "/_fake/state", NULL, NULL, NULL);

  return json_object_get_int_member (json_node_get_object (state->json), "users");
}

/* An error in Muster's own words: one of the engine's domains, a sentence, no "(null)". */
static void
assert_clear_error (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == MUSTER_AUTH_ERROR || error->domain == MUSTER_GRAPH_ERROR ||
                 error->domain == MUSTER_PUSH_ERROR || error->domain == MUSTER_TARGET_ERROR);
  g_assert_cmpuint (strlen (error->message), >=, 20);
  g_assert_null (strstr (error->message, "(null)"));
}

/* Rows ------------------------------------------------------------------------------------------ */

static const char *
token_prefixes_spec (Fixture *f,
                     Fault    fault,
                     char   **spec)
{
  g_autofree char *by_id = g_strdup_printf ("/%s/oauth2/v2.0/token", muster_fake_tenant_get_tenant_id (f->tenant));
  const char *prefixes[] = { "/organizations/oauth2/v2.0/token", by_id, NULL };

  *spec = fault_spec (fault, prefixes, "POST");
  return *spec;
}

static Outcome
cell_sign_in (Fixture  *f,
              Fault     fault,
              GError  **error)
{
  g_autofree char *name = g_strdup_printf (PROFILE "-sign-in-%u", f->sign_ins++);
  g_autoptr(MusterProfile) profile = muster_profile_new (name);
  g_autoptr(MusterSession) session = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *refresh = NULL;
  g_autoptr(GError) again = NULL;
  gboolean ok;

  g_assert_true (muster_profile_store_add (f->profiles, profile, NULL));
  session = muster_session_new (f->profiles, profile);
  set_faults (f, token_prefixes_spec (f, fault, &spec));
  ok = sign_in (session, error);
  g_assert_cmpuint (faults_fired (f), ==, 1);
  set_faults (f, "");

  if (!ok)
    {
      /* nobody is signed in, and no token was kept */
      g_assert_null (muster_profile_get_username (profile));
      refresh = keyring_lookup (name, MUSTER_SECRET_REFRESH_TOKEN);
      g_assert_null (refresh);
      /* and signing in again works */
      g_assert_true (sign_in (session, &again));
      g_assert_no_error (again);
    }
  g_assert_nonnull (muster_profile_get_username (profile));
  keyring_clear (name);
  return ok ? RETRY : ERROR;
}

static Outcome
cell_refresh (Fixture  *f,
              Fault     fault,
              GError  **error)
{
  g_autofree char *before = keyring_lookup (PROFILE, MUSTER_SECRET_REFRESH_TOKEN);
  g_autofree char *spec = NULL;
  g_autoptr(MusterToken) token = NULL;
  g_autoptr(MusterToken) later = NULL;
  g_autoptr(GError) again = NULL;

  g_assert_nonnull (before);
  if (fault == FAULT_REVOKED)
    control (f, "POST", "/_fake/identity/revoke", "{}");
  else
    set_faults (f, token_prefixes_spec (f, fault, &spec));
  token = get_token (f->session, TRUE, error);
  if (fault != FAULT_REVOKED)
    g_assert_cmpuint (faults_fired (f), ==, 1);
  set_faults (f, "");

  if (token == NULL && fault == FAULT_REVOKED)
    {
      /* the one answer that really means "sign in again" */
      g_assert_error (*error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED);
      g_assert_true (sign_in (f->session, &again));
      g_assert_no_error (again);
    }
  else if (token == NULL)
    {
      /* a passing problem: the refresh token is kept for the next try, which works */
      g_autofree char *after = keyring_lookup (PROFILE, MUSTER_SECRET_REFRESH_TOKEN);

      g_assert_cmpstr (after, ==, before);
      g_assert_nonnull (muster_profile_get_username (f->profile));
    }
  later = get_token (f->session, TRUE, &again);
  g_assert_no_error (again);
  g_assert_nonnull (later);
  return token != NULL ? RETRY : ERROR;
}

static Outcome
cell_fetch (Fixture  *f,
            Fault     fault,
            gboolean  full,
            GError  **error)
{
  MusterFetchSummary summary = { 0 }, second = { 0 };
  MidRun mid = { f, fault, FALSE };
  g_autofree char *spec = NULL;
  g_autofree char *patch = NULL;
  g_autoptr(GError) again = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  g_autoptr(MusterSnapshot) first = NULL;
  MusterUser *changed;
  guint n_before, n_after;
  gint64 before, id, first_id;
  const char *prefix = full ? "/v1.0/users" : "/v1.0/users/delta";
  const char *prefixes[] = { prefix, NULL };

  /* a snapshot to start from (and, for delta, its links), and a change for delta to find */
  if (fault != FAULT_EXPIRY && fault != FAULT_REVOKED)
    {
      id = fetch (f, FALSE, NULL, NULL, &again);
      g_assert_no_error (again);
    }
  before = latest_snapshot (f, &n_before);
  g_assert_cmpint (before, >, 0);
  first = muster_snapshot_store_load (f->store, before, &again);
  g_assert_no_error (again);
  changed = g_list_model_get_item (muster_snapshot_get_users (first), 3);
  patch = g_strdup_printf ("/_fake/users/%s", muster_user_get_id (changed));
  {
    g_autofree char *body = g_strdup_printf ("{\"jobTitle\":\"Fault %s\"}", fault_names[fault]);
    control (f, "PATCH", patch, body);
  }

  if (fault == FAULT_410)
    control (f, "POST", "/_fake/delta/resync", "{}");
  else if (fault < FAULT_EXPIRY)
    set_faults (f, (spec = fault_spec (fault, prefixes, "GET")));
  else if (!full)
    mid_run (&mid);  /* a delta of few changes is a request or two: the token goes before them */
  id = first_id = fetch (f, full, &mid, &summary, error);
  if (fault < FAULT_EXPIRY)
    g_assert_cmpuint (faults_fired (f), ==, 1);
  if (fault == FAULT_EXPIRY || fault == FAULT_REVOKED)
    g_assert_true (mid.done);
  set_faults (f, "");

  if (id == 0)
    {
      /* the previous snapshot is the latest still, and no half-written one is left */
      g_assert_nonnull (strstr ((*error)->message, "previous snapshot is unchanged"));
      g_assert_cmpint (latest_snapshot (f, &n_after), ==, before);
      g_assert_cmpuint (n_after, ==, n_before);
      if (fault == FAULT_REVOKED)
        {
          g_assert_error (*error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED);
          g_assert_true (sign_in (f->session, &again));
          g_assert_no_error (again);
        }
      id = fetch (f, full, NULL, &second, &again);
      g_assert_no_error (again);
    }
  else
    second = summary;

  /* what was read is the directory as it is now, change included */
  g_assert_cmpint (id, >, before);
  g_assert_cmpuint (second.users, ==, fake_user_count (f));
  if (!full)
    g_assert_true (second.incremental == (fault != FAULT_410));
  snapshot = muster_snapshot_store_load (f->store, id, &again);
  g_assert_no_error (again);
  {
    g_autofree char *title = g_strdup_printf ("Fault %s", fault_names[fault]);
    g_assert_cmpstr (muster_user_get_job_title (muster_snapshot_lookup_user (snapshot, muster_user_get_id (changed))), ==,
                     title);
  }
  g_object_unref (changed);
  return first_id != 0 ? RETRY : ERROR;
}

static GBytes *
load_photo (MusterPhotoLoader *loader,
            const char        *user_id,
            GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_photo_loader_load_async (loader, user_id, NULL, core_test_store_result_cb, &result);
  return muster_photo_loader_load_finish (loader, core_test_wait (&result), error);
}

static GBytes *
fake_photo (Fixture    *f,
            const char *user_id)
{
  g_autofree char *authorization = g_strconcat ("Bearer ", f->token, NULL);
  const char *headers[] = { "Authorization", authorization, NULL };
  g_autofree char *path = g_strdup_printf ("/v1.0/users/%s/photos/48x48/$value", user_id);
  g_autoptr(FakeResponse) r = fake_test_request (f->tenant, "GET", path, headers, NULL, NULL);

  if (r->status == 401)
    {
      /* the test's own token expired with the others in an earlier cell */
      g_free (f->token);
      f->token = fake_test_sign_in (f->tenant, "User.Read.All GroupMember.Read.All");
      return fake_photo (f, user_id);
    }
  return r->status == 200 ? g_bytes_ref (r->body) : NULL;
}

static Outcome
cell_photos (Fixture  *f,
             Fault     fault,
             GError  **error)
{
  const char *user_id;
  g_autofree char *prefix = NULL;
  g_autofree char *spec = NULL;
  g_autoptr(MusterPhotoLoader) loader = NULL;
  g_autoptr(MusterPhotoLoader) offline = NULL;
  g_autoptr(GBytes) photo = NULL;
  g_autoptr(GBytes) cached = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) expected_photo = NULL;
  g_autoptr(GError) local = NULL;
  MidRun mid = { f, fault, FALSE };

  g_assert_cmpuint (f->next_photo, <, f->photo_users->len);
  user_id = g_ptr_array_index (f->photo_users, f->next_photo++);
  expected_photo = fake_photo (f, user_id);
  g_assert_nonnull (expected_photo);

  loader = muster_photo_loader_new (f->store, PROFILE, f->graph);
  prefix = g_strdup_printf ("/v1.0/users/%s/photos/48x48/$value", user_id);
  if (fault < FAULT_EXPIRY)
    {
      const char *prefixes[] = { prefix, NULL };
      set_faults (f, (spec = fault_spec (fault, prefixes, "GET")));
    }
  else
    mid_run (&mid);  /* a photo is one request: the token goes before it */
  photo = load_photo (loader, user_id, error);
  if (fault < FAULT_EXPIRY)
    g_assert_cmpuint (faults_fired (f), ==, 1);
  set_faults (f, "");

  offline = muster_photo_loader_new (f->store, PROFILE, NULL);
  cached = load_photo (offline, user_id, &local);
  g_assert_no_error (local);
  if (photo == NULL)
    {
      /* nothing remembered: neither a wrong photo nor "has no photo" */
      g_assert_null (cached);
      if (fault == FAULT_REVOKED)
        {
          g_assert_error (*error, MUSTER_AUTH_ERROR, MUSTER_AUTH_ERROR_SIGN_IN_REQUIRED);
          g_assert_true (sign_in (f->session, &local));
          g_assert_no_error (local);
        }
      again = load_photo (loader, user_id, &local);
      g_assert_no_error (local);
      g_assert_nonnull (again);
      g_assert_true (g_bytes_equal (again, expected_photo));
    }
  else
    {
      g_assert_true (g_bytes_equal (photo, expected_photo));
      g_assert_nonnull (cached);
      g_assert_true (g_bytes_equal (cached, expected_photo));
    }
  return photo != NULL ? RETRY : ERROR;
}

/* SCIM: the service holds users 0 … SCIM_BASE_USERS-1; the push renames them and adds the rest,
 * so it sends both PATCHes and POSTs. */

static void
scim_reset (Fixture *f)
{
  control (f, "POST", "/_fake/scim/reset", NULL);
}

static MusterPush *
scim_plan (MusterScimTarget *target,
           MusterHistory    *history,
           guint             n,
           const char       *suffix)
{
  g_autoptr(GPtrArray) desired = push_test_desired_users (n, suffix);
  g_autoptr(MusterTargetState) state = NULL;
  g_autoptr(GPtrArray) operations = NULL;
  g_autoptr(GError) error = NULL;

  state = push_test_read_state (MUSTER_TARGET (target), &error);
  g_assert_no_error (error);
  operations = push_test_plan (desired, state);
  return muster_push_new_for_operations (MUSTER_TARGET (target), operations, push_test_managed_count (state), history,
                                         PROFILE, NULL);
}

static void
scim_assert_holds (MusterScimTarget *target,
                   guint             n,
                   const char       *suffix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterTargetState) state = push_test_read_state (MUSTER_TARGET (target), &error);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *users;

  g_assert_no_error (error);
  users = muster_target_state_get_users (state);
  g_assert_cmpuint (users->len, ==, n);
  for (guint i = 0; i < users->len; i++)
    {
      MusterTargetUser *user = g_ptr_array_index (users, i);

      g_assert_nonnull (user->external_id);
      g_assert_true (g_hash_table_add (seen, user->external_id));  /* nobody twice */
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = push_test_user_id (i);
      g_autofree char *name = g_strdup_printf ("User %u%s", i, suffix);
      MusterTargetUser *user = muster_target_state_lookup_user_by_external_id (state, id);

      g_assert_nonnull (user);  /* nobody lost */
      g_assert_true (user->active);
      g_assert_cmpstr (muster_target_user_get_attribute (user, MUSTER_ATTR_DISPLAY_NAME), ==, name);
    }
}

static Outcome
cell_scim (Fixture  *f,
           Fault     fault,
           GError  **error)
{
  g_autofree char *base_url = g_strconcat (muster_fake_tenant_get_base_url (f->tenant), "/scim/v2", NULL);
  g_autofree char *history_path = g_build_filename (f->dir, "history.db", NULL);
  g_autofree char *spec = NULL;
  g_autofree char *suffix = g_strdup_printf (" (%s)", fault_names[fault]);
  g_autoptr(MusterScimTarget) target = NULL;
  g_autoptr(MusterHistory) history = NULL;
  g_autoptr(MusterPush) base = NULL;
  g_autoptr(MusterPush) push = NULL;
  g_autoptr(MusterPush) rest = NULL;
  g_autoptr(MusterPushSummary) summary = NULL;
  g_autoptr(MusterPushSummary) rest_summary = NULL;
  g_autoptr(MusterHistoryRun) run = NULL;
  g_autoptr(GError) local = NULL;
  Outcome outcome;

  scim_reset (f);
  target = muster_scim_target_new (base_url, muster_fake_tenant_get_scim_token (f->tenant), &local);
  g_assert_no_error (local);
  history = muster_history_open (history_path, &local);
  g_assert_no_error (local);

  base = scim_plan (target, history, SCIM_BASE_USERS, "");
  summary = push_test_run (base, NULL, &local);
  g_assert_no_error (local);
  g_assert_cmpint (summary->state, ==, MUSTER_RUN_STATE_COMPLETED);
  g_clear_pointer (&summary, muster_push_summary_free);

  push = scim_plan (target, history, SCIM_USERS, suffix);
  g_assert_cmpuint (muster_push_get_operations (push)->len, ==, SCIM_USERS);
  if (fault == FAULT_409)
    control (f, "POST", "/_fake/scim/fail", "{\"path\":\"/scim/v2/Users\",\"method\":\"POST\",\"status\":409,\"count\":1}");
  else if (fault == FAULT_412)
    control (f, "POST", "/_fake/scim/fail", "{\"path\":\"/scim/v2/Users/\",\"method\":\"PATCH\",\"status\":412,\"count\":1}");
  else
    {
      const char *prefixes[] = { "/scim/v2/Users", NULL };
      set_faults (f, (spec = fault_spec (fault, prefixes, "POST")));
    }
  summary = push_test_run (push, NULL, error);
  if (fault < FAULT_EXPIRY)
    g_assert_cmpuint (faults_fired (f), ==, 1);
  set_faults (f, "");

  if (summary != NULL && summary->state == MUSTER_RUN_STATE_COMPLETED)
    {
      g_assert_cmpuint (summary->done, ==, SCIM_USERS);
      outcome = RETRY;
    }
  else
    {
      MusterHistoryResult *failed = NULL;

      /* the run went on; the one user it could not do is in the history, in clear words */
      g_assert_nonnull (summary);
      g_assert_cmpint (summary->state, ==, MUSTER_RUN_STATE_PARTIAL);
      g_assert_cmpuint (summary->failed, ==, 1);
      g_assert_cmpuint (summary->done, ==, SCIM_USERS - 1);
      run = muster_history_get_run (history, summary->run_id, &local);
      g_assert_no_error (local);
      g_assert_cmpint (run->state, ==, MUSTER_RUN_STATE_PARTIAL);
      for (guint i = 0; i < run->results->len; i++)
        if (((MusterHistoryResult *) g_ptr_array_index (run->results, i))->status == MUSTER_RESULT_STATUS_FAILED)
          failed = g_ptr_array_index (run->results, i);
      g_assert_nonnull (failed);
      g_assert_nonnull (failed->error);
      g_assert_null (strstr (failed->error, "(null)"));
      g_set_error (error, MUSTER_TARGET_ERROR, MUSTER_TARGET_ERROR_FAILED, "%s", failed->error);
      outcome = ERROR;

      /* the next push does exactly the rest */
      rest = scim_plan (target, history, SCIM_USERS, suffix);
      g_assert_cmpuint (muster_push_get_operations (rest)->len, ==, 1);
      rest_summary = push_test_run (rest, NULL, &local);
      g_assert_no_error (local);
      g_assert_cmpint (rest_summary->state, ==, MUSTER_RUN_STATE_COMPLETED);
      g_assert_cmpuint (rest_summary->done, ==, 1);
    }
  scim_assert_holds (target, SCIM_USERS, suffix);
  return outcome;
}

/* The matrix ------------------------------------------------------------------------------------ */

static void
print_matrix (Fixture *f)
{
  GString *line = g_string_new (NULL);

  g_string_printf (line, "%-10s", "");
  for (guint c = 0; c < N_FAULTS; c++)
    g_string_append_printf (line, " %-7s", fault_names[c]);
  g_test_message ("%s", line->str);
  for (guint r = 0; r < N_ROWS; r++)
    {
      g_string_printf (line, "%-10s", row_names[r]);
      for (guint c = 0; c < N_FAULTS; c++)
        {
          const char *text = f->measured[r][c] == RETRY ? "retry" : f->measured[r][c] == ERROR ? "error" : "-";

          g_string_append_printf (line, " %-7s", text);
        }
      g_test_message ("%s", line->str);
    }
  g_test_message ("retry: retried, then succeeded; error: a clear error, every store unchanged or resumable; -: n/a");
  for (guint r = 0; r < N_ROWS; r++)
    for (guint c = 0; c < N_FAULTS; c++)
      if (f->messages[r][c] != NULL)
        g_test_message ("%s / %s: %s", row_names[r], fault_names[c], f->messages[r][c]);
  g_string_free (line, TRUE);
}

static void
run_row (Fixture *f,
         Row      row)
{
  for (guint c = 0; c < N_FAULTS; c++)
    {
      g_autoptr(GError) error = NULL;
      Outcome outcome;

      if (expected[row][c] == NA)
        continue;
      switch (row)
        {
        case ROW_SIGN_IN: outcome = cell_sign_in (f, c, &error); break;
        case ROW_REFRESH: outcome = cell_refresh (f, c, &error); break;
        case ROW_FETCH: outcome = cell_fetch (f, c, TRUE, &error); break;
        case ROW_DELTA: outcome = cell_fetch (f, c, FALSE, &error); break;
        case ROW_PHOTOS: outcome = cell_photos (f, c, &error); break;
        case ROW_SCIM_PUSH: outcome = cell_scim (f, c, &error); break;
        default: g_assert_not_reached ();
        }
      f->measured[row][c] = outcome;
      if (outcome == ERROR)
        {
          assert_clear_error (error);
          f->messages[row][c] = g_strdup (error->message);
        }
      else
        g_assert_no_error (error);
      g_test_message ("%s / %s: %s", row_names[row], fault_names[c], outcome == RETRY ? "retry" : "error");
    }
}

static void
test_matrix (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  MusterFakeOptions options;
  g_autofree char *path = NULL;
  g_autofree char *cache = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshot) snapshot = NULL;
  gboolean differs = FALSE;
  gint64 id;

  if (!core_test_keyring_usable ())
    return;

  g_setenv ("MUSTER_HTTP_TIMEOUT", HTTP_TIMEOUT_SECONDS, TRUE);
  g_setenv ("MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);
  g_unsetenv ("MUSTER_TEST_BROWSER_ACTION");

  muster_fake_options_init (&options);
  options.dataset = "generated";
  options.users = 150;
  options.groups = 12;
  f->tenant = fake_test_start_tenant (&options);
  muster_cloud_set_override (muster_fake_tenant_get_base_url (f->tenant), muster_fake_tenant_get_base_url (f->tenant));
  f->dir = g_dir_make_tmp ("muster-faults-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "profiles.ini", NULL);
  f->profiles = muster_profile_store_load (path, &error);
  g_assert_no_error (error);
  f->profile = muster_profile_new (PROFILE);
  g_assert_true (muster_profile_store_add (f->profiles, f->profile, NULL));
  f->session = muster_session_new (f->profiles, f->profile);
  f->graph = muster_graph_client_new (f->session);
  cache = g_build_filename (f->dir, "cache.db", NULL);
  f->store = muster_snapshot_store_open (cache, &error);
  g_assert_no_error (error);

  g_assert_true (sign_in (f->session, &error));
  g_assert_no_error (error);
  f->token = fake_test_sign_in (f->tenant, "User.Read.All GroupMember.Read.All");

  /* a first snapshot, and the users with a photo */
  id = fetch (f, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  snapshot = muster_snapshot_store_load (f->store, id, &error);
  g_assert_no_error (error);
  f->photo_users = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < g_list_model_get_n_items (muster_snapshot_get_users (snapshot)) && f->photo_users->len < N_FAULTS; i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (muster_snapshot_get_users (snapshot), i);
      g_autoptr(GBytes) photo = fake_photo (f, muster_user_get_id (user));

      if (photo != NULL)
        g_ptr_array_add (f->photo_users, g_strdup (muster_user_get_id (user)));
    }

  for (Row r = 0; r < N_ROWS; r++)
    run_row (f, r);

  print_matrix (f);
  for (guint r = 0; r < N_ROWS; r++)
    for (guint c = 0; c < N_FAULTS; c++)
      if (f->measured[r][c] != expected[r][c])
        {
          g_test_message ("%s / %s: expected %s", row_names[r], fault_names[c], expected[r][c] == RETRY ? "retry" : "error");
          differs = TRUE;
        }
  g_assert_false (differs);

  keyring_clear (PROFILE);
  for (guint r = 0; r < N_ROWS; r++)
    for (guint c = 0; c < N_FAULTS; c++)
      g_free (f->messages[r][c]);
  g_ptr_array_unref (f->photo_users);
  g_clear_object (&f->store);
  g_clear_object (&f->graph);
  g_clear_object (&f->session);
  g_clear_object (&f->profile);
  g_clear_object (&f->profiles);
  g_clear_object (&f->tenant);
  muster_cloud_set_override (NULL, NULL);
  core_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->token);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fault/matrix", test_matrix);
  return g_test_run ();
}
