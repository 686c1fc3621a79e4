/* test-users-page.c: the demo tenant's directory in the window — Refresh reads it over the fake
 * Graph, the Users page lists and filters it ("N of M users"), a user's details show the manager
 * chain and groups, the Groups page filters the Users page, exports write what is shown, Cancel
 * keeps the previous snapshot, and a later start opens the snapshot with no network at all
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "muster-application.h"
#include "muster-cloud.h"
#include "muster-demo.h"
#include "muster-user-details.h"
#include "muster-window-private.h"
#include "ui-test-util.h"

static MusterApplication *app;
static char *temp_dir;
static MusterWindow *window;

static gboolean
fetch_ended (MusterWindow *w)
{
  return _muster_window_get_fetch (w) == NULL;
}

static gboolean
filtered (MusterWindow *w)
{
  return !muster_users_page_get_filtering (w->users_page);
}

static gboolean
not_exporting (MusterWindow *w)
{
  return !w->exporting;
}

/* What the admin reads under the filter bar, settled. */
static void
assert_count (guint       shown,
              guint       total)
{
  g_autofree char *expected = g_strdup_printf ("%'u of %'u users", shown, total);

  ui_test_wait (350);  /* the search entry's delay */
  ui_test_wait_for (window, filtered, 30, "the filter");
  g_assert_cmpuint (g_list_model_get_n_items (muster_users_page_get_shown (window->users_page)), ==, shown);
  g_assert_cmpstr (muster_users_page_get_count_text (window->users_page), ==, expected);
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->users_page), GTK_TYPE_LABEL, expected));
}

static gboolean
contains_casefold (const char *haystack,
                   const char *needle)
{
  g_autofree char *h = haystack ? g_utf8_casefold (haystack, -1) : NULL;
  g_autofree char *n = g_utf8_casefold (needle, -1);

  return h != NULL && strstr (h, n) != NULL;
}

static MusterDemo *
demo (void)
{
  return muster_application_get_demo_tenant (app);
}

static GtkWidget *
users_widget (GType       type,
              const char *label)
{
  GtkWidget *widget = ui_test_find (GTK_WIDGET (window->users_page), type, label);

  g_assert_nonnull (widget);
  return widget;
}

static void
set_search (const char *text)
{
  GtkWidget *entry = users_widget (GTK_TYPE_SEARCH_ENTRY, NULL);

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

static MusterUserDetails *
find_details (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (MUSTER_IS_USER_DETAILS (toplevel))
        return MUSTER_USER_DETAILS (toplevel);
    }
  return NULL;
}

/* How many avatars in the table show a photo instead of initials. */
static guint
count_photo_avatars (GtkWidget *root)
{
  guint n = 0;

  if (ADW_IS_AVATAR (root) && adw_avatar_get_custom_image (ADW_AVATAR (root)) != NULL)
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    n += count_photo_avatars (child);
  return n;
}

static gboolean
photos_shown (MusterWindow *w)
{
  return count_photo_avatars (GTK_WIDGET (w->users_page)) >= 3;
}

/* The header bar says how old the snapshot shown is: "Updated just now" right after a fetch,
 * or "Updated 1 minute ago" when this (loaded) machine took that long since. */
static void
assert_age_shown (MusterWindow *w)
{
  gint64 created_at = muster_snapshot_get_info (_muster_window_get_snapshot (w))->created_at;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *shown = muster_fetch_indicator_get_age_text (w->fetch_indicator);
  g_autofree char *relative = muster_format_relative_time (MIN (created_at, now), now);
  g_autofree char *expected = g_strdup_printf ("Updated %s", relative);
  /* the indicator relabels itself once a minute: it may still say what it said a minute ago */
  g_autofree char *before = muster_format_relative_time (MIN (created_at, now - 60), now - 60);
  g_autofree char *expected_before = g_strdup_printf ("Updated %s", before);

  g_assert_cmpint (now - created_at, <, 300);
  if (g_strcmp0 (shown, expected_before) != 0)
    g_assert_cmpstr (shown, ==, expected);
}

/* How many State cells on screen read @text, dimmed or not as @dimmed says. */
static guint
count_state_cells (GtkWidget  *root,
                   const char *text,
                   gboolean    dimmed)
{
  guint n = 0;

  if (GTK_IS_INSCRIPTION (root)
      && g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (root)), text) == 0
      && gtk_widget_has_css_class (root, "dim-label") == dimmed)
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    n += count_state_cells (child, text, dimmed);
  return n;
}

/* The tests after the first share its window. Without one (no display) they cannot run: say
 * so instead of passing without having checked anything. */
static gboolean
window_made (void)
{
  if (window != NULL)
    return TRUE;
  g_test_skip ("no window: the sign-in test could not make one");
  return FALSE;
}

static void
test_sign_in_and_fetch (void)
{
  g_autofree char *shot = NULL;
  const char *browser = g_getenv ("MUSTER_TEST_BROWSER");
  GListModel *users;

  if (!ui_test_init ())
    return;
  g_assert_nonnull (browser);
  g_setenv ("MUSTER_BROWSER", browser, TRUE);

  window = muster_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (200);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.explore-demo", NULL));
  ui_test_wait_for (window, ui_test_showing_tenant, 60, "the tenant page");
  ui_test_wait_for (window, ui_test_store_ready, 30, "the snapshot cache");

  /* nothing read yet: the Users page says so and offers to read the directory */
  g_assert_null (_muster_window_get_snapshot (window));
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (window->fetch_indicator)));
  g_assert_cmpstr (muster_fetch_indicator_get_age_text (window->fetch_indicator), ==, "No snapshot yet");
  adw_view_stack_set_visible_child_name (window->view_stack, "users");
  ui_test_wait (200);
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->users_page), GTK_TYPE_LABEL, "No Snapshot Yet"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh-directory", NULL));
  g_assert_nonnull (_muster_window_get_fetch (window));
  /* progress and Cancel replace the age while reading */
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->fetch_indicator), GTK_TYPE_PROGRESS_BAR, NULL));
  ui_test_wait_for (window, ui_test_fetched, 120, "the directory");

  users = muster_snapshot_get_users (_muster_window_get_snapshot (window));
  g_assert_cmpuint (g_list_model_get_n_items (users), >, 10);
  g_assert_cmpstr (muster_fetch_indicator_get_age_text (window->fetch_indicator), ==, "Updated just now");
  /* the tenant page says when the directory was last read */
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->tenant_page), GTK_TYPE_LABEL, "just now"));
  g_assert_null (ui_test_find (GTK_WIDGET (window->tenant_page), GTK_TYPE_LABEL, "No snapshot yet"));
  assert_count (g_list_model_get_n_items (users), g_list_model_get_n_items (users));

  /* the table shows the demo's people: the first by name is on screen, with their job title
   * and department in the text cells */
  {
    GListModel *shown = muster_users_page_get_shown (window->users_page);
    g_autoptr(MusterUser) first = g_list_model_get_item (shown, 0);

    g_assert_nonnull (ui_test_find (GTK_WIDGET (window->users_page), GTK_TYPE_LABEL,
                                    muster_user_get_display_name (first)));
    for (guint i = 0; i < 5; i++)
      {
        g_autoptr(MusterUser) user = g_list_model_get_item (shown, i);
        const char *title = muster_user_get_job_title (user);
        const char *department = muster_user_get_department (user);

        if (title != NULL && *title != '\0')
          g_assert_nonnull (ui_test_find (GTK_WIDGET (window->users_page), GTK_TYPE_INSCRIPTION, title));
        if (department != NULL && *department != '\0')
          g_assert_nonnull (ui_test_find (GTK_WIDGET (window->users_page), GTK_TYPE_INSCRIPTION, department));
      }
    /* the State cells: an enabled account's is not dimmed; any disabled one on screen is */
    g_assert_cmpuint (count_state_cells (GTK_WIDGET (window->users_page), "Enabled", FALSE), >, 0);
    g_assert_cmpuint (count_state_cells (GTK_WIDGET (window->users_page), "Enabled", TRUE), ==, 0);
    g_assert_cmpuint (count_state_cells (GTK_WIDGET (window->users_page), "Disabled", FALSE), ==, 0);
  }
  /* most demo people have a photo: fetched lazily for the rows on screen, then shown */
  ui_test_wait_for (window, photos_shown, 30, "the photos");
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "users-page");
}

static void
test_filters (void)
{
  GListModel *users;
  guint total, not_guests = 0, matching = 0, members_shown = 0;
  g_autoptr(MusterUser) sample = NULL;
  g_autofree char *needle = NULL;
  GtkWidget *guests;
  GtkDropDown *groups;
  MusterGroup *group = NULL;
  guint group_position = 0;
  g_autofree char *shot = NULL;

  if (!window_made ())
    return;

  users = muster_snapshot_get_users (_muster_window_get_snapshot (window));
  total = g_list_model_get_n_items (users);
  for (guint i = 0; i < total; i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (users, i);
      not_guests += !muster_user_is_guest (user);
    }
  g_assert_cmpuint (not_guests, <, total); /* the demo has guests */

  /* "exclude guests" — the toggle the admin presses */
  guests = users_widget (GTK_TYPE_TOGGLE_BUTTON, "Guests");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (guests), TRUE);
  assert_count (not_guests, total);

  /* search: a department's name, as typed */
  sample = g_list_model_get_item (users, total / 2);
  needle = g_utf8_substring (muster_user_get_department (sample), 0, 4);
  g_assert_cmpuint (strlen (needle), >, 0);
  for (guint i = 0; i < total; i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (users, i);

      if (!muster_user_is_guest (user)
          && (contains_casefold (muster_user_get_display_name (user), needle)
              || contains_casefold (muster_user_get_user_principal_name (user), needle)
              || contains_casefold (muster_user_get_mail (user), needle)
              || contains_casefold (muster_user_get_job_title (user), needle)
              || contains_casefold (muster_user_get_department (user), needle)))
        matching++;
    }
  set_search (needle);
  assert_count (matching, total);
  g_assert_cmpuint (matching, <, not_guests);
  set_search ("");
  assert_count (not_guests, total);

  /* a group from the dropdown: its direct members who are not guests */
  groups = GTK_DROP_DOWN (users_widget (GTK_TYPE_DROP_DOWN, NULL));
  for (guint i = 1; i < g_list_model_get_n_items (gtk_drop_down_get_model (groups)) && group == NULL; i++)
    {
      g_autoptr(MusterGroup) candidate = g_list_model_get_item (gtk_drop_down_get_model (groups), i);

      if (muster_group_get_member_count (candidate) > 1 && muster_group_get_member_count (candidate) < total / 2)
        {
          group = candidate;
          group_position = i;
        }
    }
  g_assert_nonnull (group);
  {
    g_autoptr(GPtrArray) members = muster_snapshot_get_group_members (_muster_window_get_snapshot (window), muster_group_get_id (group), FALSE);

    for (guint i = 0; i < members->len; i++)
      members_shown += !muster_user_is_guest (g_ptr_array_index (members, i));
  }
  gtk_drop_down_set_selected (groups, group_position);
  assert_count (members_shown, total);
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "users-page-group");

  /* Ctrl+A's action selects everyone shown; the action bar offers Export… for them */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->users_page), "users.select-all", NULL));
  g_assert_cmpuint (muster_users_page_get_n_selected (window->users_page), ==, members_shown);
  g_assert_true (gtk_action_bar_get_revealed (GTK_ACTION_BAR (users_widget (GTK_TYPE_ACTION_BAR, NULL))));
  g_assert_nonnull (users_widget (GTK_TYPE_BUTTON, "Export…"));
  g_assert_true (gtk_widget_is_sensitive (users_widget (GTK_TYPE_BUTTON, "Export…")));
  ui_test_wait (400);
  g_clear_pointer (&shot, g_free);
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "users-page-selection");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->users_page), "users.select-none", NULL));
  g_assert_cmpuint (muster_users_page_get_n_selected (window->users_page), ==, 0);

  /* back to everyone, guests too */
  gtk_drop_down_set_selected (groups, 0);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (guests), FALSE);
  assert_count (total, total);

  /* a click on the State header sorts by state: enabled, disabled, then guests */
  {
    GtkColumnView *column_view = GTK_COLUMN_VIEW (users_widget (GTK_TYPE_COLUMN_VIEW, NULL));
    GListModel *columns = gtk_column_view_get_columns (column_view);
    GListModel *shown = muster_users_page_get_shown (window->users_page);
    g_autoptr(GtkColumnViewColumn) state_column = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (columns) && state_column == NULL; i++)
      {
        g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

        if (g_strcmp0 (gtk_column_view_column_get_title (column), "State") == 0)
          state_column = g_steal_pointer (&column);
      }
    g_assert_nonnull (state_column);
    gtk_column_view_sort_by_column (column_view, state_column, GTK_SORT_ASCENDING);
    ui_test_wait (100);
    g_assert_cmpuint (g_list_model_get_n_items (shown), ==, total);
    for (guint i = 1; i < total; i++)
      {
        g_autoptr(MusterUser) before = g_list_model_get_item (shown, i - 1);
        g_autoptr(MusterUser) after = g_list_model_get_item (shown, i);

        g_assert_cmpint (muster_user_get_state (before), <=, muster_user_get_state (after));
      }
    gtk_column_view_sort_by_column (column_view, NULL, GTK_SORT_ASCENDING);
  }
}

static void
test_details (void)
{
  GListModel *users;
  MusterUser *chosen = NULL;
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  MusterUserDetails *details;
  g_autofree char *shot = NULL;
  GtkWidget *column_view;

  if (!window_made ())
    return;

  /* someone with a manager who has a manager, and in a group */
  users = muster_snapshot_get_users (_muster_window_get_snapshot (window));
  for (guint i = 0; i < g_list_model_get_n_items (users) && chosen == NULL; i++)
    {
      g_autoptr(MusterUser) user = g_list_model_get_item (users, i);
      g_autoptr(GPtrArray) managers = muster_snapshot_get_manager_chain (_muster_window_get_snapshot (window), muster_user_get_id (user));
      g_autoptr(GPtrArray) in = muster_snapshot_get_user_groups (_muster_window_get_snapshot (window), muster_user_get_id (user), TRUE);

      if (managers->len >= 2 && in->len > 0)
        chosen = user;
    }
  g_assert_nonnull (chosen);
  chain = muster_snapshot_get_manager_chain (_muster_window_get_snapshot (window), muster_user_get_id (chosen));
  groups = muster_snapshot_get_user_groups (_muster_window_get_snapshot (window), muster_user_get_id (chosen), TRUE);

  /* find them and press Enter on the row: the column view's "activate" */
  set_search (muster_user_get_user_principal_name (chosen));
  assert_count (1, g_list_model_get_n_items (users));
  column_view = users_widget (GTK_TYPE_COLUMN_VIEW, NULL);
  g_signal_emit_by_name (column_view, "activate", 0);
  ui_test_wait (300);

  details = find_details ();
  g_assert_nonnull (details);
  g_assert_true (muster_user_details_get_user (details) == chosen);
  /* every manager up to the top, and the groups, by name */
  for (guint i = 0; i < chain->len; i++)
    g_assert_nonnull (ui_test_find (GTK_WIDGET (details), GTK_TYPE_LABEL,
                                    muster_user_get_display_name (g_ptr_array_index (chain, i))));
  for (guint i = 0; i < groups->len; i++)
    g_assert_nonnull (ui_test_find (GTK_WIDGET (details), GTK_TYPE_LABEL,
                                    muster_group_get_display_name (g_ptr_array_index (groups, i))));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (details), GTK_TYPE_LABEL, "This user passes every filter of the Users page."));
  gtk_window_set_default_size (GTK_WINDOW (details), 520, 900);
  ui_test_wait (400);
  shot = ui_test_save_screenshot (GTK_WIDGET (details), "user-details");
  gtk_window_destroy (GTK_WINDOW (details));

  set_search ("");
  assert_count (g_list_model_get_n_items (users), g_list_model_get_n_items (users));
}

static void
test_groups (void)
{
  g_autofree char *shot = NULL;
  GListModel *shown;
  g_autoptr(MusterGroup) group = NULL;
  g_autoptr(GPtrArray) members = NULL;

  if (!window_made ())
    return;

  adw_view_stack_set_visible_child_name (window->view_stack, "groups");
  ui_test_wait (300);
  shown = muster_groups_page_get_shown (window->groups_page);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==,
                    g_list_model_get_n_items (muster_snapshot_get_groups (_muster_window_get_snapshot (window))));
  shot = ui_test_save_screenshot (GTK_WIDGET (window), "groups-page");

  /* the rows come sorted by kind: the enum's order, Microsoft 365 groups first */
  for (guint i = 1; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(MusterGroup) before = g_list_model_get_item (shown, i - 1);
      g_autoptr(MusterGroup) after = g_list_model_get_item (shown, i);

      g_assert_cmpint (muster_group_get_kind (before), <=, muster_group_get_kind (after));
    }

  /* the first row (sorted by kind) filters the Users page to its members */
  group = g_list_model_get_item (shown, 0);
  g_assert_nonnull (ui_test_find (GTK_WIDGET (window->groups_page), GTK_TYPE_LABEL, muster_group_get_display_name (group)));
  members = muster_snapshot_get_group_members (_muster_window_get_snapshot (window), muster_group_get_id (group), FALSE);
  muster_groups_page_activate (window->groups_page, 0);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->view_stack), ==, "users");
  assert_count (members->len, g_list_model_get_n_items (muster_snapshot_get_users (_muster_window_get_snapshot (window))));
  g_assert_cmpstr (muster_user_filter_get_groups (muster_users_page_get_filter (window->users_page))[0], ==,
                   muster_group_get_id (group));
  muster_users_page_set_group (window->users_page, NULL);
  assert_count (g_list_model_get_n_items (muster_snapshot_get_users (_muster_window_get_snapshot (window))),
                g_list_model_get_n_items (muster_snapshot_get_users (_muster_window_get_snapshot (window))));
}

static GtkFileChooser *
find_file_chooser (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return GTK_FILE_CHOOSER (toplevel);
    }
  return NULL;
}

static gboolean
chooser_closed (MusterWindow *w)
{
  return find_file_chooser () == NULL;
}

static void
test_export (void)
{
  GtkFileChooser *chooser;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  GtkWidget *disabled;
  g_autoptr(GError) error = NULL;

  if (!window_made ())
    return;

  /* exclude disabled accounts, then export what is shown, as JSON chosen in the dialog */
  disabled = users_widget (GTK_TYPE_TOGGLE_BUTTON, "Disabled");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (disabled), TRUE);
  ui_test_wait (100);
  ui_test_wait_for (window, filtered, 30, "the filter");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export-users", NULL));
  ui_test_wait (500);
  chooser = find_file_chooser ();
  g_assert_nonnull (chooser);
  folder = g_file_new_for_path (temp_dir);
  g_assert_true (gtk_file_chooser_set_current_folder (chooser, folder, &error));
  g_assert_no_error (error);
  /* the typed extension picks the format */
  gtk_file_chooser_set_current_name (chooser, "people.json");
  /* the dialog checks the folder and name before it answers */
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  ui_test_wait_for (window, chooser_closed, 30, "the file chooser to close");
  ui_test_wait_for (window, not_exporting, 30, "the export");

  path = g_build_filename (temp_dir, "people.json", NULL);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  /* every user shown, none of them disabled, and the filter stated in the file */
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *root;
    JsonArray *exported;
    GListModel *shown = muster_users_page_get_shown (window->users_page);

    g_assert_true (json_parser_load_from_data (parser, contents, -1, &error));
    g_assert_no_error (error);
    root = json_node_get_object (json_parser_get_root (parser));
    exported = json_object_get_array_member (root, "users");
    g_assert_cmpuint (json_array_get_length (exported), ==, g_list_model_get_n_items (shown));
    g_assert_cmpuint (json_array_get_length (exported), <,
                      g_list_model_get_n_items (muster_snapshot_get_users (_muster_window_get_snapshot (window))));
    for (guint i = 0; i < json_array_get_length (exported); i++)
      {
        g_autoptr(MusterUser) user = g_list_model_get_item (shown, i);
        JsonObject *row = json_array_get_object_element (exported, i);

        g_assert_cmpstr (json_object_get_string_member (row, "displayName"), ==, muster_user_get_display_name (user));
        g_assert_true (muster_user_get_account_enabled (user));
      }
    g_assert_nonnull (strstr (json_object_get_string_member (root, "filter"), "isabled"));
  }
  g_unlink (path);

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (disabled), FALSE);
  ui_test_wait_for (window, filtered, 30, "the filter");
}

static void
test_cancel_keeps_snapshot (void)
{
  gint64 before;

  if (!window_made ())
    return;

  before = muster_snapshot_get_info (_muster_window_get_snapshot (window))->id;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh-directory", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-refresh", NULL));
  ui_test_wait_for (window, fetch_ended, 30, "the cancelled fetch");
  ui_test_wait (200);
  g_assert_nonnull (_muster_window_get_snapshot (window));
  g_assert_cmpint (muster_snapshot_get_info (_muster_window_get_snapshot (window))->id, ==, before);
  assert_age_shown (window);
  assert_count (g_list_model_get_n_items (muster_snapshot_get_users (_muster_window_get_snapshot (window))),
                g_list_model_get_n_items (muster_snapshot_get_users (_muster_window_get_snapshot (window))));
}

static void
test_offline_start (void)
{
  MusterWindow *offline;
  guint n_users;
  g_autofree char *shot = NULL;

  if (!window_made ())
    return;

  n_users = g_list_model_get_n_items (muster_snapshot_get_users (_muster_window_get_snapshot (window)));
  gtk_window_destroy (GTK_WINDOW (window));
  window = NULL;

  /* the network is gone: Graph and sign-in point at a closed port */
  muster_cloud_set_override ("http://127.0.0.1:9", "http://127.0.0.1:9");
  offline = muster_window_new (app);
  window = offline;
  gtk_window_set_default_size (GTK_WINDOW (offline), 800, 600);
  gtk_window_present (GTK_WINDOW (offline));
  _muster_window_use_store (offline, muster_demo_get_store (demo ()), TRUE);
  _muster_window_open_profile (offline, muster_demo_get_profile (demo ()), FALSE);
  ui_test_wait_for (window, ui_test_fetched, 30, "the saved snapshot");
  ui_test_wait_for (window, ui_test_showing_tenant, 60, "the directory");

  g_assert_cmpstr (adw_view_stack_get_visible_child_name (offline->view_stack), ==, "users");
  assert_count (n_users, n_users);
  /* the saved snapshot, with its age */
  assert_age_shown (offline);
  ui_test_wait (300);
  shot = ui_test_save_screenshot (GTK_WIDGET (offline), "users-page-offline");
  gtk_window_destroy (GTK_WINDOW (offline));
  window = NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  temp_dir = g_dir_make_tmp ("muster-test-users-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (temp_dir, "data", NULL);
  g_mkdir (data_dir, 0700);
  g_setenv ("MUSTER_DATA_DIR", data_dir, TRUE);

  app = ui_test_new_application ();
  /* in this order: each step works on the window the first one signed in */
  g_test_add_func ("/ui/users/sign-in-and-fetch", test_sign_in_and_fetch);
  g_test_add_func ("/ui/users/filters", test_filters);
  g_test_add_func ("/ui/users/details", test_details);
  g_test_add_func ("/ui/users/groups", test_groups);
  g_test_add_func ("/ui/users/export", test_export);
  g_test_add_func ("/ui/users/cancel-keeps-snapshot", test_cancel_keeps_snapshot);
  g_test_add_func ("/ui/users/offline-start", test_offline_start);
  status = g_test_run ();

  if (app != NULL)
    {
      muster_demo_shutdown (demo ());
      g_object_unref (app);
    }
  /* the demo's snapshots stayed in its own folder */
  g_assert_false (g_file_test (g_build_filename (data_dir, "cache.db", NULL), G_FILE_TEST_EXISTS));
  g_rmdir (data_dir);
  g_rmdir (temp_dir);
  return status;
}
