/* muster-window-directory.c: the window's directory — the latest snapshot opened from cache.db at
 * once and without the network (offline first), Refresh with progress and Cancel, the Users and
 * Groups pages, user details and exports
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "muster-application.h"
#include "muster-demo.h"
#include "muster-export.h"
#include "muster-user-details.h"
#include "muster-window-private.h"

/* Helpers ------------------------------------------------------------------------------- */

static gboolean
showing_directory (MusterWindow *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "tenant") == 0;
}

/* The demo keeps its snapshots in its own temporary folder, never in the admin's cache.db. */
static char *
wanted_store_path (MusterWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  const char *folder;

  if (!self->in_demo || !MUSTER_IS_APPLICATION (application))
    return NULL;
  folder = muster_demo_get_folder (muster_application_get_demo_tenant (MUSTER_APPLICATION (application)));
  return folder ? g_build_filename (folder, "cache.db", NULL) : NULL;
}

/* Stops loading the rules and forgets them (and the page with them). */
static void
forget_rules (MusterWindow *self)
{
  if (self->rules_cancellable != NULL)
    g_cancellable_cancel (self->rules_cancellable);
  g_clear_object (&self->rules_cancellable);
  g_clear_object (&self->rules);
  g_clear_pointer (&self->rules_profile, g_free);
  if (self->users_page != NULL)
    muster_users_page_set_rules (self->users_page, NULL, NULL);
}

static void
rules_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MusterRules) rules = muster_rules_load_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->closed)
    return;
  g_clear_object (&self->rules_cancellable);
  if (rules == NULL)
    {
      /* the pickers stay off: editing defaults would overwrite the admin's file; the next
       * snapshot shown tries again */
      g_clear_pointer (&self->rules_profile, g_free);
      _muster_window_report_error (self, _("Could Not Read the Sync Rules"), error);
      return;
    }
  g_set_object (&self->rules, rules);
  muster_users_page_set_rules (self->users_page, rules, self->rules_profile);
  _muster_window_watch_rules (self);
}

/* The rules are the profile's: read once per profile, kept while its snapshots come and go. */
static void
load_rules (MusterWindow *self)
{
  const char *profile = self->profile != NULL ? muster_profile_get_name (self->profile) : NULL;

  if (profile != NULL && g_strcmp0 (profile, self->rules_profile) == 0)
    return;
  forget_rules (self);
  if (profile == NULL)
    return;
  self->rules_profile = g_strdup (profile);
  self->rules_cancellable = g_cancellable_new ();
  muster_rules_load_async (profile, self->rules_cancellable, rules_loaded_cb, g_object_ref (self));
}

static void
show_snapshot (MusterWindow   *self,
               MusterSnapshot *snapshot)
{
  if (self->connection != NULL)
    muster_connection_set_snapshot (self->connection, snapshot);
  muster_users_page_set_snapshot (self->users_page, snapshot);
  if (snapshot != NULL)
    load_rules (self);
  muster_tenant_page_set_snapshot_time (self->tenant_page, snapshot ? muster_snapshot_get_info (snapshot)->created_at : 0);
  if (snapshot != NULL && self->snapshot_store != NULL && self->profile != NULL)
    {
      /* photos from cache.db, and from Graph while signed in (offline, the cached ones only) */
      g_autoptr(MusterPhotoLoader) photos = NULL;

      if (self->connection != NULL)
        muster_connection_ensure_graph_client (self->connection);
      photos = muster_photo_loader_new (self->snapshot_store, muster_profile_get_name (self->profile),
                                        _muster_window_get_session (self) != NULL ? _muster_window_get_graph (self) : NULL);
      muster_users_page_set_photo_loader (self->users_page, photos);
    }
  else
    muster_users_page_set_photo_loader (self->users_page, NULL);
  muster_groups_page_set_snapshot (self->groups_page, snapshot);
  muster_fetch_indicator_set_snapshot_time (self->fetch_indicator,
                                            snapshot ? muster_snapshot_get_info (snapshot)->created_at : 0);
  _muster_window_update_header (self);
  _muster_window_actions_update (self);
}

/* Loading the latest snapshot ----------------------------------------------------------- */

typedef struct
{
  char                *store_path;
  MusterSnapshotStore *store;     /* reused when it is the wanted one */
  char                *profile;
  gint64               snapshot_id; /* 0: the latest */
} LoadData;

typedef struct
{
  MusterSnapshotStore *store;
  MusterSnapshot      *snapshot;  /* NULL: the profile has none yet */
} LoadResult;

static void
load_data_free (LoadData *data)
{
  g_free (data->store_path);
  g_clear_object (&data->store);
  g_free (data->profile);
  g_free (data);
}

static void
load_result_free (LoadResult *result)
{
  g_clear_object (&result->store);
  g_clear_object (&result->snapshot);
  g_free (result);
}

/* SQLite work: off the main loop, in a GTask thread (docs.gtk.org/gio/class.Task.html). */
static void
load_snapshot_thread (GTask        *task,
                      gpointer      source,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(MusterSnapshotStore) store = data->store ? g_object_ref (data->store) : NULL;
  g_autoptr(MusterSnapshotInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  LoadResult *result;
  gint64 id = data->snapshot_id;

  if (store == NULL)
    store = muster_snapshot_store_open (data->store_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = g_new0 (LoadResult, 1);
  result->store = g_object_ref (store);
  if (id == 0)
    {
      info = muster_snapshot_store_get_latest (store, data->profile, &error);
      if (info == NULL && error != NULL)
        {
          load_result_free (result);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      id = info ? info->id : 0;
    }
  if (id != 0 && !g_cancellable_is_cancelled (cancellable))
    {
      result->snapshot = muster_snapshot_store_load (store, id, &error);
      if (result->snapshot == NULL)
        {
          load_result_free (result);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
}

static void
snapshot_loaded_cb (GObject      *source,
                    GAsyncResult *res,
                    gpointer      user_data)
{
  MusterWindow *self = MUSTER_WINDOW (source);
  gboolean after_fetch = GPOINTER_TO_INT (user_data);
  g_autoptr(GError) error = NULL;
  LoadResult *result = g_task_propagate_pointer (G_TASK (res), &error);
  const char *page;

  if (self->closed || g_task_get_cancellable (G_TASK (res)) != self->snapshot_cancellable)
    {
      g_clear_pointer (&result, load_result_free);
      return;
    }
  self->loading_snapshot = FALSE;

  if (result == NULL)
    {
      _muster_window_actions_update (self);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _muster_window_report_error (self, _("Could Not Open the Saved Directory"), error);
      return;
    }

  g_set_object (&self->snapshot_store, result->store);
  show_snapshot (self, result->snapshot);

  /* Offline first: a saved snapshot is shown at once, whatever the network does meanwhile. */
  page = gtk_stack_get_visible_child_name (self->main_stack);
  if (result->snapshot != NULL && !after_fetch
      && (g_strcmp0 (page, "loading") == 0 || g_strcmp0 (page, "error") == 0
          || (g_strcmp0 (page, "welcome") == 0 && self->profile != NULL)))
    {
      adw_view_stack_set_visible_child_name (self->view_stack, "users");
      _muster_window_show_page (self, "tenant");
    }
  if (after_fetch && result->snapshot != NULL)
    {
      const MusterSnapshotInfo *info = muster_snapshot_get_info (result->snapshot);
      g_autofree char *users = g_strdup_printf ("%'u", info->n_users);
      g_autofree char *groups = g_strdup_printf ("%'u", info->n_groups);
      /* Translators: after a refresh; the numbers of users and groups read */
      g_autofree char *text = g_strdup_printf (_("Directory read: %s users and %s groups"), users, groups);

      _muster_window_toast (self, text);
    }
  load_result_free (result);
}

static void
load_snapshot (MusterWindow *self,
               gint64        snapshot_id)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = wanted_store_path (self);
  LoadData *data;

  g_return_if_fail (self->profile != NULL);

  if (self->snapshot_cancellable != NULL)
    g_cancellable_cancel (self->snapshot_cancellable);
  g_clear_object (&self->snapshot_cancellable);
  self->snapshot_cancellable = g_cancellable_new ();

  /* a store of the other kind (demo / own) is not reused */
  if (g_strcmp0 (path, self->snapshot_store_path) != 0)
    {
      g_clear_object (&self->snapshot_store);
      g_free (self->snapshot_store_path);
      self->snapshot_store_path = g_strdup (path);
    }

  data = g_new0 (LoadData, 1);
  data->store_path = g_strdup (path);
  data->store = self->snapshot_store ? g_object_ref (self->snapshot_store) : NULL;
  data->profile = g_strdup (muster_profile_get_name (self->profile));
  data->snapshot_id = snapshot_id;

  self->loading_snapshot = TRUE;
  task = g_task_new (self, self->snapshot_cancellable, snapshot_loaded_cb, GINT_TO_POINTER (snapshot_id != 0));
  g_task_set_source_tag (task, load_snapshot);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_snapshot_thread);
  _muster_window_actions_update (self);
}

/* Refresh ------------------------------------------------------------------------------- */

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  MusterDirectoryFetch *fetch = MUSTER_DIRECTORY_FETCH (source);
  g_autoptr(GError) error = NULL;
  MusterFetchSummary summary = { 0 };
  gint64 id;

  id = muster_directory_fetch_run_finish (fetch, result, &summary, &error);
  if (self->closed || fetch != _muster_window_get_fetch (self))
    return;

  if (self->connection != NULL)
    muster_connection_set_fetch (self->connection, NULL);
  g_clear_object (&self->fetch_cancellable);
  muster_fetch_indicator_set_fetch (self->fetch_indicator, NULL);
  _muster_window_actions_update (self);

  if (id == 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _muster_window_toast (self, _("Refresh stopped: the previous snapshot is still shown"));
      else
        _muster_window_report_error (self, _("Could Not Read the Directory"), error);
      return;
    }
  g_debug ("Snapshot %" G_GINT64_FORMAT ": %u users, %u groups, %u requests in %.1f s%s",
           id, summary.users, summary.groups, summary.requests, summary.elapsed_seconds,
           summary.incremental ? " (delta)" : "");
  load_snapshot (self, id);
}

/* Signal callbacks ---------------------------------------------------------------------- */

static void
user_activated_cb (MusterWindow    *self,
                   MusterUser      *user,
                   MusterUsersPage *page)
{
  MusterUserDetails *details;

  if (_muster_window_get_snapshot (self) == NULL)
    return;
  details = muster_user_details_new (GTK_WINDOW (self), _muster_window_get_snapshot (self), muster_users_page_get_filter (page), user);
  gtk_window_present (GTK_WINDOW (details));
}

static void
group_activated_cb (MusterWindow     *self,
                    MusterGroup      *group,
                    MusterGroupsPage *page)
{
  muster_users_page_set_group (self->users_page, muster_group_get_id (group));
  adw_view_stack_set_visible_child_name (self->view_stack, "users");
}

static void
page_state_changed_cb (MusterWindow *self)
{
  _muster_window_actions_update (self);
}

static void
visible_view_cb (MusterWindow *self)
{
  _muster_window_update_header (self);
  _muster_window_actions_update (self);
}

/* Exports ------------------------------------------------------------------------------- */

typedef struct
{
  MusterWindow *window;
  GListModel   *users;
  gboolean      selection;
} ExportData;

static const struct
{
  const char        *id;
  const char        *label;
  MusterExportFormat format;
  gboolean           bom;
  const char        *extension;
} export_choices[] = {
  { "csv", N_("CSV"), MUSTER_EXPORT_FORMAT_CSV, FALSE, ".csv" },
  { "csv-excel", N_("CSV for Excel"), MUSTER_EXPORT_FORMAT_CSV, TRUE, ".csv" },
  { "json", N_("JSON"), MUSTER_EXPORT_FORMAT_JSON, FALSE, ".json" },
  { "xlsx", N_("Excel Workbook (XLSX)"), MUSTER_EXPORT_FORMAT_XLSX, FALSE, ".xlsx" },
};

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->window);
  g_clear_object (&data->users);
  g_free (data);
}

/* A typed extension decides the format ("people.json" is JSON whatever the choice); a name
 * without one follows the choice and gains its extension. */
static guint
format_for_file (GFile  *file,
                 guint   chosen)
{
  g_autofree char *name = g_file_get_basename (file);
  const char *dot = name ? strrchr (name, '.') : NULL;

  if (dot == NULL)
    return chosen;
  if (g_ascii_strcasecmp (dot, ".csv") == 0)
    return export_choices[chosen].format == MUSTER_EXPORT_FORMAT_CSV ? chosen : 0;
  for (guint i = 0; i < G_N_ELEMENTS (export_choices); i++)
    if (g_ascii_strcasecmp (dot, export_choices[i].extension) == 0
        && muster_export_format_is_available (export_choices[i].format))
      return i;
  return chosen;
}

static GFile *
file_with_extension (GFile      *file,
                     const char *extension)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *fixed = NULL;

  if (parent == NULL || strrchr (name, '.') != NULL)
    return g_object_ref (file);
  fixed = g_strconcat (name, extension, NULL);
  return g_file_get_child (parent, fixed);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  MusterExport *export = MUSTER_EXPORT (source);
  GFile *file = g_object_get_data (G_OBJECT (export), "muster-file");
  guint n = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (export), "muster-count"));
  g_autoptr(GError) error = NULL;

  if (!muster_export_write_finish (export, result, &error))
    {
      g_debug ("Export failed: %s", error->message);
      if (!self->closed)
        {
          self->exporting = FALSE;
          _muster_window_actions_update (self);
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            _muster_window_report_error (self, _("Could Not Export the Users"), error);
        }
      return;
    }
  if (self->closed)
    return;

  self->exporting = FALSE;
  _muster_window_actions_update (self);
  {
    g_autofree char *name = g_file_get_basename (file);
    g_autofree char *uri = g_file_get_uri (file);
    g_autofree char *count = g_strdup_printf ("%'u", n);
    g_autofree char *text = NULL;
    g_autofree char *escaped = NULL;
    AdwToast *toast;

    /* Translators: "Exported 120 users to users.csv" */
    text = g_strdup_printf (ngettext ("Exported %s user to %s", "Exported %s users to %s", n), count, name);
    escaped = g_markup_escape_text (text, -1);
    toast = adw_toast_new (escaped);
    adw_toast_set_timeout (toast, 8);
    adw_toast_set_button_label (toast, _("_Open"));
    adw_toast_set_action_name (toast, "win.open-export");
    adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
    adw_toast_overlay_add_toast (self->toast_overlay, toast);
  }
}

static void
export_chosen_cb (GtkNativeDialog *dialog,
                  int              response,
                  ExportData      *data)
{
  MusterWindow *self = data->window;

  g_debug ("Export dialog response %d", response);
  if (response == GTK_RESPONSE_ACCEPT && !self->closed && _muster_window_get_snapshot (self) != NULL)
    {
      g_autoptr(GFile) chosen = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      const char *choice = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "format");
      g_autoptr(MusterExport) export = NULL;
      g_autoptr(GFile) file = NULL;
      guint format = 0;

      if (_muster_window_report_export_users (self, choice, chosen, data->users, data->selection))
        goto done;
      for (guint i = 0; i < G_N_ELEMENTS (export_choices); i++)
        if (g_strcmp0 (choice, export_choices[i].id) == 0)
          format = i;
      format = format_for_file (chosen, format);
      file = file_with_extension (chosen, export_choices[format].extension);
      g_debug ("Exporting as %s", export_choices[format].id);

      export = muster_export_new (export_choices[format].format);
      muster_export_set_context (export, _muster_window_get_snapshot (self), muster_users_page_get_filter (self->users_page));
      if (data->selection)
        muster_export_set_filter_description (export, _("Users selected by hand in Muster"));
      if (self->profile != NULL)
        muster_export_set_tenant (export, muster_profile_get_display_name (self->profile));
      muster_export_set_csv_bom (export, export_choices[format].bom);
      g_object_set_data_full (G_OBJECT (export), "muster-file", g_object_ref (file), g_object_unref);
      g_object_set_data (G_OBJECT (export), "muster-count",
                         GUINT_TO_POINTER (g_list_model_get_n_items (data->users)));
      self->exporting = TRUE;
      _muster_window_actions_update (self);
      muster_export_write_users_async (export, data->users, file, self->cancellable,
                                       export_done_cb, g_object_ref (self));
    }
done:
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  export_data_free (data);
}

/* The setup assistant saved the profile's rules from its own copy: read them again, so that the
 * next edit in the Users page does not save over them. */
static void
target_added_cb (MusterWindow *self)
{
  forget_rules (self);
  if (_muster_window_get_snapshot (self) != NULL)
    load_rules (self);
}

/* Overrides ----------------------------------------------------------------------------- */

void
_muster_window_directory_init (MusterWindow *self)
{
  g_signal_connect (self, "target-added", G_CALLBACK (target_added_cb), NULL);
  g_signal_connect_object (self->users_page, "user-activated", G_CALLBACK (user_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->users_page, "notify::n-selected", G_CALLBACK (page_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->users_page, "notify::filtering", G_CALLBACK (page_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->groups_page, "group-activated", G_CALLBACK (group_activated_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_stack, "notify::visible-child", G_CALLBACK (visible_view_cb), self,
                           G_CONNECT_SWAPPED);
}

void
_muster_window_directory_dispose (MusterWindow *self)
{
  if (self->snapshot_cancellable != NULL)
    g_cancellable_cancel (self->snapshot_cancellable);
  if (self->fetch_cancellable != NULL)
    g_cancellable_cancel (self->fetch_cancellable);
  g_clear_object (&self->snapshot_cancellable);
  g_clear_object (&self->fetch_cancellable);
  if (self->connection != NULL)
    {
      muster_connection_set_fetch (self->connection, NULL);
      muster_connection_set_snapshot (self->connection, NULL);
    }
  g_clear_object (&self->snapshot_store);
  g_clear_pointer (&self->snapshot_store_path, g_free);
  forget_rules (self);
}

/* Private API --------------------------------------------------------------------------- */

void
_muster_window_directory_reset (MusterWindow *self)
{
  if (self->snapshot_cancellable != NULL)
    g_cancellable_cancel (self->snapshot_cancellable);
  if (self->fetch_cancellable != NULL)
    g_cancellable_cancel (self->fetch_cancellable);
  g_clear_object (&self->snapshot_cancellable);
  g_clear_object (&self->fetch_cancellable);
  if (self->connection != NULL)
    muster_connection_set_fetch (self->connection, NULL);
  self->loading_snapshot = FALSE;
  muster_fetch_indicator_set_fetch (self->fetch_indicator, NULL);
  adw_view_stack_set_visible_child_name (self->view_stack, "tenant");
  show_snapshot (self, NULL);
  /* another profile: its own rules */
  forget_rules (self);
}

void
_muster_window_load_snapshot (MusterWindow *self)
{
  load_snapshot (self, 0);
}

void
_muster_window_refresh_directory (MusterWindow *self)
{
  g_autoptr(MusterDirectoryFetch) fetch = NULL;

  g_return_if_fail (_muster_window_get_session (self) != NULL && self->snapshot_store != NULL);

  if (_muster_window_get_fetch (self) != NULL)
    return;
  muster_connection_ensure_graph_client (self->connection);

  fetch = muster_directory_fetch_new ();
  muster_connection_set_fetch (self->connection, fetch);
  self->fetch_cancellable = g_cancellable_new ();
  muster_fetch_indicator_set_fetch (self->fetch_indicator, fetch);
  _muster_window_actions_update (self);
  muster_directory_fetch_run_async (fetch, _muster_window_get_graph (self), self->snapshot_store,
                                    muster_profile_get_name (self->profile), FALSE,
                                    self->fetch_cancellable, fetch_done_cb, g_object_ref (self));
}

void
_muster_window_cancel_refresh (MusterWindow *self)
{
  if (self->fetch_cancellable != NULL)
    g_cancellable_cancel (self->fetch_cancellable);
}

void
_muster_window_export_users (MusterWindow *self,
                             gboolean      selection)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  ExportData *data;

  g_return_if_fail (_muster_window_get_snapshot (self) != NULL);

  data = g_new0 (ExportData, 1);
  data->window = g_object_ref (self);
  data->selection = selection;
  /* taken now: what the admin saw when choosing Export… */
  data->users = selection ? muster_users_page_dup_selected (self->users_page)
                          : g_object_ref (muster_users_page_get_shown (self->users_page));

  chooser = gtk_file_chooser_native_new (selection ? _("Export Selected Users") : _("Export Users"),
                                         GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  for (guint i = 0; i < G_N_ELEMENTS (export_choices); i++)
    if (muster_export_format_is_available (export_choices[i].format))
      {
        g_ptr_array_add (ids, (gpointer) export_choices[i].id);
        g_ptr_array_add (labels, (gpointer) _(export_choices[i].label));
      }
  _muster_window_report_add_choices (ids, labels);
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (labels, NULL);
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (chooser), "format", _("Format"),
                               (const char **) ids->pdata, (const char **) labels->pdata);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (chooser), "format", "csv");
  /* Translators: the suggested file name of an export; keep the extension */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("users.csv"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (export_chosen_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_opened_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(MusterWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error) && !self->closed)
    _muster_window_toast (self, error->message);
}

void
_muster_window_open_export (MusterWindow *self,
                            const char   *uri)
{
  g_app_info_launch_default_for_uri_async (uri, NULL, self->cancellable, export_opened_cb, g_object_ref (self));
}

void
_muster_window_find (MusterWindow *self)
{
  const char *view = adw_view_stack_get_visible_child_name (self->view_stack);

  if (g_strcmp0 (view, "groups") == 0)
    muster_groups_page_focus_search (self->groups_page);
  else
    {
      adw_view_stack_set_visible_child_name (self->view_stack, "users");
      muster_users_page_focus_search (self->users_page);
    }
}

void
_muster_window_update_header (MusterWindow *self)
{
  gboolean directory = showing_directory (self);
  const char *view = adw_view_stack_get_visible_child_name (self->view_stack);

  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, directory);
  gtk_widget_set_visible (GTK_WIDGET (self->refresh_button), directory && g_strcmp0 (view, "tenant") == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->fetch_indicator), directory && self->profile != NULL);
}
