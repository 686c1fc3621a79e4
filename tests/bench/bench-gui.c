/* bench-gui.c: the Users page on a cached 100,000-user snapshot — time to an interactive,
 * populated table, one search keystroke, resident memory
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parent writes a generated tenant (100,000 users, 2,000 groups, about 1.4 million direct
 * memberships, a manager each) into a fresh cache.db, then starts itself again as a child, so
 * the child's memory is only what the app would hold. The child, under Xvfb:
 *
 *   launch     from the parent's spawn to the first frame painted with the Users page populated
 *              (gtk/adw init, muster_snapshot_store_load_async() in a thread, the page's models,
 *              the column view's first rows), as the window does it on an offline start
 *   keystroke  one search letter typed into the page's search entry: from "search-changed" to
 *              the incremental filter finishing (the "filtering" property turning FALSE), and to
 *              the next frame painted; then a second letter narrowing the first
 *   memory     VmRSS of the child once the table is shown (and VmHWM, the peak)
 *
 * Goals (issue 5): interactive ≤ 1.5 s after launch, a keystroke ≤ 50 ms, RSS ≤ 300 MB. This
 * drives the Users page widget in a plain window (not the whole MusterWindow with its profile,
 * keyring and header bar), which is what the three goals are about.
 *
 * Run: build-aux/run-headless meson test -C BUILD --benchmark bench-gui
 *      build-aux/run-headless BUILD/tests/bench/bench-gui --cache CACHE.DB SNAPSHOT_ID
 *      (an existing snapshot instead, such as a million-user tenant's fetched by muster-cli)
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "bench-util.h"
#include "muster-snapshot-store.h"
#include "muster-user-private.h"
#include "muster-users-page.h"

#define N_USERS 100000
#define N_GROUPS 2000
#define PER_GROUP 700


static gint64
write_tenant (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotStore) store = muster_snapshot_store_open (path, &error);
  g_autoptr(MusterSnapshotWriter) writer = NULL;
  g_auto(GStrv) user_ids = g_new0 (char *, N_USERS + 1);
  MusterSku e3 = { (char *) "sku-e3", (char *) "SPE_E3", NULL, N_USERS, N_USERS };
  GRand *rand = g_rand_new_with_seed (42);
  gint64 id;

  bench_check (store != NULL, error);
  writer = muster_snapshot_store_begin (store, "bench", "tenant", &error);
  bench_check (writer != NULL, error);
  bench_check (muster_snapshot_writer_put_sku (writer, &e3, &error), error);
  for (guint i = 0; i < N_USERS; i++)
    user_ids[i] = bench_random_guid (rand);

  for (guint i = 0; i < N_USERS; i++)
    {
      const char *first = bench_first_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_first_names))];
      const char *last = bench_surnames[g_rand_int_range (rand, 0, G_N_ELEMENTS (bench_surnames))];
      g_autofree char *name = g_strdup_printf ("%s %s %u", first, last, i);
      g_autofree char *upn = g_strdup_printf ("%s.%s%u@contoso.example", first, last, i);
      g_autofree char *phone = g_strdup_printf ("+1 555 %04u", i % 10000);
      g_autofree char *proxy = g_strdup_printf ("SMTP:%s", upn);
      const char *phones[] = { phone, NULL };
      const char *proxies[] = { proxy, NULL };
      const char *licences[] = { "sku-e3", NULL };
      const char *no_licences[] = { NULL };
      MusterUserFields fields = { 0 };
      g_autoptr(MusterUser) user = NULL;

      fields.id = user_ids[i];
      fields.display_name = name;
      fields.given_name = first;
      fields.surname = last;
      fields.user_principal_name = upn;
      fields.mail = upn;
      fields.job_title = bench_titles[i % G_N_ELEMENTS (bench_titles)];
      fields.department = bench_departments[i % G_N_ELEMENTS (bench_departments)];
      fields.company_name = "Contoso";
      fields.office_location = "Building 1";
      fields.business_phones = phones;
      fields.proxy_addresses = proxies;
      fields.assigned_licenses = i % 9 == 0 ? no_licences : licences;
      fields.account_enabled = i % 13 != 0;
      fields.user_type = i % 17 == 0 ? "Guest" : "Member";
      fields.created = "2024-01-02T03:04:05Z";
      fields.manager_id = i > 0 ? user_ids[i / 10] : NULL;
      user = _muster_user_new (&fields);
      bench_check (muster_snapshot_writer_put_user (writer, user, &error), error);
    }

  for (guint g = 0; g < N_GROUPS; g++)
    {
      g_autofree char *group_id = bench_random_guid (rand);
      g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"displayName\":\"%s %u\",\"groupTypes\":%s,"
                                               "\"mailEnabled\":%s,\"securityEnabled\":%s}",
                                               group_id, bench_departments[g % G_N_ELEMENTS (bench_departments)], g,
                                               g % 3 == 0 ? "[\"Unified\"]" : "[]",
                                               g % 3 == 1 ? "false" : "true", g % 3 == 2 ? "false" : "true");
      g_autoptr(JsonNode) node = json_from_string (json, NULL);
      g_autoptr(MusterGroup) group = muster_group_new_from_json (json_node_get_object (node));
      guint step = 2 * N_USERS / PER_GROUP;

      bench_check (muster_snapshot_writer_put_group (writer, group, &error), error);
      for (guint k = g_rand_int_range (rand, 0, step); k < N_USERS; k += 1 + g_rand_int_range (rand, 0, step))
        bench_check (muster_snapshot_writer_add_member (writer, group_id, user_ids[k], &error), error);
    }

  id = muster_snapshot_writer_commit (writer, &error);
  bench_check (id > 0, error);
  g_rand_free (rand);
  return id;
}

/* The child ------------------------------------------------------------------------------------ */

typedef struct
{
  double           spawned;
  MusterUsersPage *page;
  GtkWidget       *window;
  MusterSnapshot  *snapshot;
  double           t_loaded;
  double           t_painted;
  guint            paints;
} Child;

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Child *child = user_data;
  g_autoptr(GError) error = NULL;

  child->snapshot = muster_snapshot_store_load_finish (MUSTER_SNAPSHOT_STORE (source), result, &error);
  bench_check (child->snapshot != NULL, error);
  child->t_loaded = bench_now ();
  muster_users_page_set_snapshot (child->page, child->snapshot);
  {
    /* the User Type and Roles columns resolve every row on screen through rules like these */
    static const char * const roles[] = { "Finance", "Reports", NULL };
    const MusterUserType admin = MUSTER_USER_TYPE_ADMINISTRATOR;
    g_autoptr(MusterRules) rules = muster_rules_new ();

    for (guint g = 0; g < 5; g++)
      {
        g_autofree char *name = g_strdup_printf ("%s %u", bench_departments[g % G_N_ELEMENTS (bench_departments)], g);

        muster_rules_set_group_rule (rules, name, TRUE, g % 2 == 0 ? &admin : NULL, roles + (g % 2));
      }
    muster_users_page_set_rules (child->page, rules, "bench");
  }
}

static void
after_paint_cb (GdkFrameClock *clock,
                Child         *child)
{
  child->paints++;
  if (child->t_painted == 0 && child->snapshot != NULL && !muster_users_page_get_filtering (child->page))
    child->t_painted = bench_now ();
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
read_memory (guint *rss_mb,
             guint *hwm_mb)
{
  g_autofree char *status = NULL;
  char *line;

  *rss_mb = *hwm_mb = 0;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;
  if ((line = strstr (status, "VmRSS:")) != NULL)
    *rss_mb = (guint) (g_ascii_strtoull (line + 6, NULL, 10) / 1024);
  if ((line = strstr (status, "VmHWM:")) != NULL)
    *hwm_mb = (guint) (g_ascii_strtoull (line + 6, NULL, 10) / 1024);
}

/* Types @text into the search entry as one keystroke; seconds to filtered and to painted. */
static void
keystroke (Child      *child,
           GtkWidget  *entry,
           const char *text,
           double     *t_filtered,
           double     *t_painted)
{
  double start;
  guint paints;

  start = bench_now ();
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  /* GtkSearchEntry waits 150 ms (its search delay) before "search-changed"; that pause is the
   * entry's, not the filter's: the benchmark asks for the signal at once. */
  g_signal_emit_by_name (entry, "search-changed");
  while (muster_users_page_get_filtering (child->page))
    g_main_context_iteration (NULL, TRUE);
  *t_filtered = bench_now () - start;
  paints = child->paints;
  gtk_widget_queue_draw (child->window);
  while (child->paints == paints)
    g_main_context_iteration (NULL, TRUE);
  *t_painted = bench_now () - start;
}

static int
run_child (const char *path,
           gint64      snapshot_id,
           double      spawned)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterSnapshotStore) store = NULL;
  Child child = { 0 };
  GtkWidget *entry;
  double t_init, f1, p1, f2, p2, f3, p3, settle;
  guint rss, hwm;

  child.spawned = spawned;
  adw_init ();
  t_init = bench_now ();
  store = muster_snapshot_store_open (path, &error);
  bench_check (store != NULL, error);

  child.window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (child.window), 1280, 800);
  child.page = g_object_new (MUSTER_TYPE_USERS_PAGE, NULL);
  gtk_window_set_child (GTK_WINDOW (child.window), GTK_WIDGET (child.page));
  muster_snapshot_store_load_async (store, snapshot_id, NULL, loaded_cb, &child);
  gtk_window_present (GTK_WINDOW (child.window));
  gtk_widget_realize (child.window);
  g_signal_connect (gtk_widget_get_frame_clock (child.window), "after-paint", G_CALLBACK (after_paint_cb), &child);

  while (child.t_painted == 0)
    g_main_context_iteration (NULL, TRUE);

  g_print ("launch: %.2f s to the first frame with %s (process + GTK init %.2f s, snapshot loaded at %.2f s)"
           "  (goal <= 1.5 s)\n",
           child.t_painted - spawned, muster_users_page_get_count_text (child.page), t_init - spawned,
           child.t_loaded - spawned);

  /* Let the first rows' idle work finish, then measure the memory the table holds. */
  settle = bench_now ();
  while (bench_now () - settle < 0.5)
    g_main_context_iteration (NULL, FALSE);
  read_memory (&rss, &hwm);

  entry = find_widget (GTK_WIDGET (child.page), GTK_TYPE_SEARCH_ENTRY);
  g_assert (entry != NULL);
  keystroke (&child, entry, "m", &f1, &p1);
  g_print ("keystroke 'm': filtered in %.1f ms, painted at %.1f ms (%s)  (goal <= 50 ms)\n", f1 * 1000, p1 * 1000,
           muster_users_page_get_count_text (child.page));
  keystroke (&child, entry, "mü", &f2, &p2);
  g_print ("keystroke 'mü': filtered in %.1f ms, painted at %.1f ms (%s)\n", f2 * 1000, p2 * 1000,
           muster_users_page_get_count_text (child.page));
  keystroke (&child, entry, "", &f3, &p3);
  g_print ("clearing the search: filtered in %.1f ms, painted at %.1f ms (%s)\n", f3 * 1000, p3 * 1000,
           muster_users_page_get_count_text (child.page));
  g_print ("memory: RSS %u MB with the table shown, peak %u MB  (goal <= 300 MB)\n", rss, hwm);
  /* GSK's GL renderer on a machine without a GPU (Xvfb: Mesa's software rasteriser) holds
   * about 150 MB and costs about 0.4 s at launch that the cairo renderer does not; meson's
   * benchmark environment asks for cairo (tests/meson.build), a bare run gets GL. */
  g_print ("renderer: %s\n", G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (child.window))));

  gtk_window_destroy (GTK_WINDOW (child.window));
  g_clear_object (&child.snapshot);
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *path = NULL, *id_text = NULL;
  char spawned_text[G_ASCII_DTOSTR_BUF_SIZE];
  g_autoptr(GSubprocess) process = NULL;
  gint64 id;

  if (argc == 5 && g_str_equal (argv[1], "--child"))
    {
      if (!gtk_init_check ())
        {
          g_print ("no display: run under build-aux/run-headless\n");
          return 77;
        }
      return run_child (argv[2], g_ascii_strtoll (argv[3], NULL, 10), g_ascii_strtod (argv[4], NULL));
    }

  if (argc == 4 && g_str_equal (argv[1], "--cache"))
    {
      path = g_strdup (argv[2]);
      id_text = g_strdup (argv[3]);
      g_print ("Users page on snapshot %s of %s\n", id_text, path);
    }
  else
    {
      dir = g_dir_make_tmp (NULL, &error);
      bench_check (dir != NULL, error);
      path = g_build_filename (dir, "cache.db", NULL);
      id = write_tenant (path);
      id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
      g_print ("Users page on a cached snapshot of %u users, %u groups\n", N_USERS, N_GROUPS);
    }

  g_ascii_dtostr (spawned_text, sizeof spawned_text, bench_now ());
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, argv[0], "--child", path, id_text, spawned_text,
                              NULL);
  bench_check (process != NULL, error);
  bench_check (g_subprocess_wait_check (process, NULL, &error), error);

  if (dir != NULL)
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
      if (system (command) != 0)
        g_warning ("could not remove %s", dir);
    }
  return 0;
}
