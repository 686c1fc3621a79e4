/* muster-preview-page.c: what a push would change in a target — totals, the safety limit, the
 * per-user list with reasons, field changes and explanations, and the push's progress and result
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-preview-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "muster-preview-page.h"

/* One plan item as a list row. */
#define MUSTER_TYPE_PREVIEW_ROW (muster_preview_row_get_type ())
G_DECLARE_FINAL_TYPE (MusterPreviewRow, muster_preview_row, MUSTER, PREVIEW_ROW, GObject)

struct _MusterPreviewRow
{
  GObject         parent_instance;
  MusterPlan     *plan;  /* keeps the item alive */
  MusterPlanItem *item;
};

G_DEFINE_FINAL_TYPE (MusterPreviewRow, muster_preview_row, G_TYPE_OBJECT)

static void
muster_preview_row_finalize (GObject *object)
{
  g_clear_object (&MUSTER_PREVIEW_ROW (object)->plan);
  G_OBJECT_CLASS (muster_preview_row_parent_class)->finalize (object);
}

static void
muster_preview_row_class_init (MusterPreviewRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = muster_preview_row_finalize;
}

static void
muster_preview_row_init (MusterPreviewRow *self)
{
}

struct _MusterPreviewPage
{
  AdwBin              parent_instance;

  MusterPlan         *plan;
  GListStore         *rows;
  GtkCustomFilter    *filter;
  char               *summary_text;
  char               *refusal_text;
  char               *push_text;
  gboolean            setting_targets;
  GHashTable         *chosen;  /* the ids a preview of chosen users covers, or NULL */

  /* template children */
  GtkDropDown        *target_dropdown;
  GtkStringList      *target_list;
  GtkStack           *stack;
  AdwStatusPage      *empty_page;
  GtkButton          *setup_button;
  AdwStatusPage      *progress_page;
  GtkProgressBar     *read_progress;
  GtkLabel           *summary_label;
  GtkLabel           *limit_label;
  GtkBox             *refusal_box;
  GtkBox             *scope_box;
  GtkLabel           *scope_label;
  GtkLabel           *refusal_label;
  GtkSearchEntry     *search_entry;
  GtkDropDown        *action_dropdown;
  GtkCheckButton     *only_new_check;
  GtkFilterListModel *filter_model;
  GtkRevealer        *failures_revealer;
  GtkLabel           *failures_label;
  GtkListBox         *failures_list;
  GtkLabel           *push_label;
  GtkProgressBar     *push_progress;
  GtkButton          *add_button;
  GtkButton          *update_button;
  GtkButton          *sync_button;
  GtkButton          *retry_button;
  GtkButton          *cancel_button;
  GtkWidget          *target_bar;
  GtkWidget          *push_bar;
  GtkWidget          *save_button;
  gboolean            read_only;
};

G_DEFINE_FINAL_TYPE (MusterPreviewPage, muster_preview_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SELECTED_TARGET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The action dropdown's entries after "Every Action", in order. */
static const MusterPlanAction filter_actions[] = {
  MUSTER_PLAN_ACTION_CREATE, MUSTER_PLAN_ACTION_UPDATE, MUSTER_PLAN_ACTION_DISABLE,
  MUSTER_PLAN_ACTION_DELETE, MUSTER_PLAN_ACTION_UNCHANGED, MUSTER_PLAN_ACTION_SKIPPED,
};

/* Helpers ------------------------------------------------------------------------------- */

static const char *
action_css_class (MusterPlanAction action)
{
  switch (action)
    {
    case MUSTER_PLAN_ACTION_CREATE:
      return "success";
    case MUSTER_PLAN_ACTION_UPDATE:
      return "accent";
    case MUSTER_PLAN_ACTION_DISABLE:
    case MUSTER_PLAN_ACTION_DELETE:
      return "error";
    case MUSTER_PLAN_ACTION_UNCHANGED:
    case MUSTER_PLAN_ACTION_SKIPPED:
    default:
      return "dim-label";
    }
}

static gboolean
contains_casefold (const char *haystack,
                   const char *needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
row_matches (gpointer item,
             gpointer user_data)
{
  MusterPreviewPage *self = user_data;
  MusterPlanItem *plan_item = MUSTER_PREVIEW_ROW (item)->item;
  guint selected = gtk_drop_down_get_selected (self->action_dropdown);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  /* a preview of chosen users lists them, not the everyone else it leaves alone */
  if (self->chosen != NULL && !g_hash_table_contains (self->chosen, plan_item->id))
    return FALSE;
  if (selected > 0 && selected <= G_N_ELEMENTS (filter_actions) && plan_item->action != filter_actions[selected - 1])
    return FALSE;
  if (gtk_check_button_get_active (self->only_new_check) && plan_item->current != NULL)
    return FALSE;
  if (text != NULL && *text != '\0')
    {
      g_autofree char *needle = g_utf8_casefold (text, -1);

      if (!contains_casefold (plan_item->display_name, needle) &&
          !contains_casefold (plan_item->user_principal_name, needle) &&
          !contains_casefold (plan_item->reason, needle))
        return FALSE;
    }
  return TRUE;
}

/* A manager is an Entra id: show the person instead, when the snapshot has them. */
static const char *
readable_value (MusterPlan *plan,
                const char *field,
                const char *value)
{
  MusterUser *user;

  if (value == NULL || g_strcmp0 (field, MUSTER_ATTR_MANAGER) != 0)
    return value;
  user = muster_snapshot_lookup_user (muster_plan_get_snapshot (plan), value);
  if (user == NULL)
    {
      /* a saved preview knows its users by their items only */
      MusterPlanItem *manager = muster_plan_lookup_item (plan, value);

      return manager != NULL && manager->display_name != NULL ? manager->display_name : value;
    }
  return muster_user_get_display_name (user) != NULL ? muster_user_get_display_name (user) : value;
}

static char *
format_changes (MusterPlan           *plan,
                const MusterPlanItem *item)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < item->changes->len; i++)
    {
      const MusterFieldChange *change = item->changes->pdata[i];
      const char *old_value = readable_value (plan, change->field, change->before);
      const char *new_value = readable_value (plan, change->field, change->after);
      g_autofree char *before = g_markup_escape_text (old_value ? old_value : "—", -1);
      g_autofree char *after = g_markup_escape_text (new_value ? new_value : "—", -1);

      if (i > 0)
        g_string_append_c (text, '\n');
      /* Translators: a field change in the preview: field, old value → new value */
      g_string_append_printf (text, _("%s: <s>%s</s> → %s"), change->field, before, after);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
set_summary (MusterPreviewPage      *self,
             const MusterPlanTotals *totals)
{
  g_autoptr(GString) markup = g_string_new (NULL);
  g_autoptr(GString) plain = g_string_new (NULL);
  struct { guint n; char *text; } parts[] = {
    /* Translators: the preview's totals */
    { totals->create, g_strdup_printf (_("%u to create"), totals->create) },
    { totals->update, g_strdup_printf (_("%u to update"), totals->update) },
    { totals->disable, g_strdup_printf (_("%u to disable"), totals->disable) },
    { totals->delete, g_strdup_printf (_("%u to delete"), totals->delete) },
    { totals->unchanged, g_strdup_printf (_("%u unchanged"), totals->unchanged) },
    { totals->skipped, g_strdup_printf (_("%u skipped"), totals->skipped) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *part = parts[i].text;

      if (i > 0)
        {
          g_string_append (plain, ", ");
          g_string_append (markup, "   ");
        }
      g_string_append (plain, part);
      if (parts[i].n > 0 && i < 4)
        g_string_append_printf (markup, "<b>%s</b>", part);
      else
        g_string_append (markup, part);
    }
  if (totals->groups_create + totals->members_add + totals->members_remove > 0)
    {
      /* Translators: groups created, members added, members removed */
      g_autofree char *groups = g_strdup_printf (_("groups: %u to create, %u members to add, %u to remove"),
                                                 totals->groups_create, totals->members_add, totals->members_remove);

      g_string_append_printf (plain, "; %s", groups);
      g_string_append_printf (markup, "\n<small>%s</small>", groups);
    }
  g_free (self->summary_text);
  self->summary_text = g_strdup (plain->str);
  gtk_label_set_markup (self->summary_label, markup->str);
}

/* Signal callbacks ---------------------------------------------------------------------- */

static void
target_selected_cb (MusterPreviewPage *self)
{
  if (!self->setting_targets)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_TARGET]);
}

static void
filters_changed_cb (MusterPreviewPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
row_setup_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *action = gtk_label_new (NULL);
  GtkWidget *names = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *upn = gtk_label_new (NULL);
  GtkWidget *details = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *reason = gtk_label_new (NULL);
  GtkWidget *changes = gtk_label_new (NULL);
  GtkWidget *why = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *steps = gtk_label_new (NULL);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);

  gtk_label_set_width_chars (GTK_LABEL (action), 10);
  gtk_label_set_xalign (GTK_LABEL (action), 0);
  gtk_widget_set_valign (action, GTK_ALIGN_START);
  gtk_widget_add_css_class (action, "heading");
  gtk_box_append (GTK_BOX (box), action);

  /* a fixed width: the reasons line up from row to row */
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (name), 30);
  gtk_label_set_max_width_chars (GTK_LABEL (name), 30);
  gtk_label_set_xalign (GTK_LABEL (upn), 0);
  gtk_label_set_width_chars (GTK_LABEL (upn), 34);
  gtk_label_set_max_width_chars (GTK_LABEL (upn), 34);
  gtk_label_set_ellipsize (GTK_LABEL (upn), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (upn, "dim-label");
  gtk_widget_add_css_class (upn, "caption");
  gtk_box_append (GTK_BOX (names), name);
  gtk_box_append (GTK_BOX (names), upn);
  gtk_box_append (GTK_BOX (box), names);

  gtk_widget_set_hexpand (details, TRUE);
  gtk_label_set_xalign (GTK_LABEL (reason), 0);
  gtk_label_set_wrap (GTK_LABEL (reason), TRUE);
  gtk_label_set_xalign (GTK_LABEL (changes), 0);
  gtk_label_set_wrap (GTK_LABEL (changes), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (changes), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (changes, "caption");
  gtk_box_append (GTK_BOX (details), reason);
  gtk_box_append (GTK_BOX (details), changes);
  gtk_box_append (GTK_BOX (box), details);

  gtk_label_set_wrap (GTK_LABEL (steps), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (steps), 50);
  gtk_label_set_xalign (GTK_LABEL (steps), 0);
  gtk_popover_set_child (GTK_POPOVER (popover), steps);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (why), popover);
  gtk_menu_button_set_label (GTK_MENU_BUTTON (why), _("Why?"));
  gtk_widget_set_valign (why, GTK_ALIGN_START);
  gtk_widget_add_css_class (why, "flat");
  gtk_box_append (GTK_BOX (box), why);

  gtk_list_item_set_child (list_item, box);
  gtk_list_item_set_activatable (list_item, FALSE);
}

static void
row_bind_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  MusterPreviewRow *row = gtk_list_item_get_item (list_item);
  const MusterPlanItem *item = row->item;
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *action = gtk_widget_get_first_child (box);
  GtkWidget *names = gtk_widget_get_next_sibling (action);
  GtkWidget *details = gtk_widget_get_next_sibling (names);
  GtkWidget *why = gtk_widget_get_next_sibling (details);
  GtkWidget *reason = gtk_widget_get_first_child (details);
  GtkWidget *changes = gtk_widget_get_next_sibling (reason);
  GtkWidget *steps = gtk_popover_get_child (gtk_menu_button_get_popover (GTK_MENU_BUTTON (why)));
  g_autofree char *changes_markup = format_changes (row->plan, item);
  g_autoptr(GString) explanation = g_string_new (NULL);
  g_autofree char *why_name = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (filter_actions); i++)
    gtk_widget_remove_css_class (action, action_css_class (filter_actions[i]));
  gtk_label_set_text (GTK_LABEL (action), muster_plan_action_get_title (item->action));
  gtk_widget_add_css_class (action, action_css_class (item->action));

  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (names)), item->display_name ? item->display_name : "");
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (names)),
                      item->user_principal_name ? item->user_principal_name : "");
  gtk_label_set_text (GTK_LABEL (reason), item->reason ? item->reason : "");
  gtk_widget_set_visible (reason, item->reason != NULL);
  gtk_label_set_markup (GTK_LABEL (changes), changes_markup);
  gtk_widget_set_visible (changes, item->changes->len > 0);

  for (guint i = 0; i < item->explanation->len; i++)
    g_string_append_printf (explanation, "%s%u. %s", i > 0 ? "\n" : "", i + 1, (const char *) item->explanation->pdata[i]);
  gtk_label_set_text (GTK_LABEL (steps), explanation->str);
  /* Translators: the accessible name of the Why? button of one user */
  why_name = g_strdup_printf (_("Why: %s"), item->display_name ? item->display_name : item->id);
  gtk_accessible_update_property (GTK_ACCESSIBLE (why), GTK_ACCESSIBLE_PROPERTY_LABEL, why_name, -1);
}

/* Overrides ----------------------------------------------------------------------------- */

static void
muster_preview_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  MusterPreviewPage *self = MUSTER_PREVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_SELECTED_TARGET:
      g_value_set_uint (value, muster_preview_page_get_selected_target (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
muster_preview_page_dispose (GObject *object)
{
  MusterPreviewPage *self = MUSTER_PREVIEW_PAGE (object);

  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), MUSTER_TYPE_PREVIEW_PAGE);
  g_clear_object (&self->plan);
  g_clear_object (&self->rows);
  g_clear_object (&self->filter);
  g_clear_pointer (&self->chosen, g_hash_table_unref);

  G_OBJECT_CLASS (muster_preview_page_parent_class)->dispose (object);
}

static void
muster_preview_page_finalize (GObject *object)
{
  MusterPreviewPage *self = MUSTER_PREVIEW_PAGE (object);

  g_free (self->summary_text);
  g_free (self->refusal_text);
  g_free (self->push_text);

  G_OBJECT_CLASS (muster_preview_page_parent_class)->finalize (object);
}

static void
muster_preview_page_class_init (MusterPreviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = muster_preview_page_dispose;
  object_class->finalize = muster_preview_page_finalize;
  object_class->get_property = muster_preview_page_get_property;

  properties[PROP_SELECTED_TARGET] =
    g_param_spec_uint ("selected-target", NULL, NULL, 0, G_MAXUINT, GTK_INVALID_LIST_POSITION,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/muster-preview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, target_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, target_list);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, stack);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, setup_button);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, progress_page);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, read_progress);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, limit_label);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, refusal_box);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, scope_box);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, scope_label);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, refusal_label);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, action_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, only_new_check);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, filter_model);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, failures_revealer);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, failures_label);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, failures_list);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, push_label);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, push_progress);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, add_button);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, update_button);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, sync_button);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, target_bar);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, push_bar);
  gtk_widget_class_bind_template_child (widget_class, MusterPreviewPage, save_button);
  gtk_widget_class_bind_template_callback (widget_class, target_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, filters_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_bind_cb);
}

static void
muster_preview_page_init (MusterPreviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_list_store_new (MUSTER_TYPE_PREVIEW_ROW);
  self->filter = gtk_custom_filter_new (row_matches, self, NULL);
  gtk_filter_list_model_set_model (self->filter_model, G_LIST_MODEL (self->rows));
  gtk_filter_list_model_set_filter (self->filter_model, GTK_FILTER (self->filter));
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

/* Public API ---------------------------------------------------------------------------- */

void
muster_preview_page_set_targets (MusterPreviewPage  *self,
                                 const char * const *labels,
                                 guint               selected)
{
  guint n;

  g_return_if_fail (MUSTER_IS_PREVIEW_PAGE (self));

  self->setting_targets = TRUE;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->target_list));
  gtk_string_list_splice (self->target_list, 0, n, labels);
  gtk_drop_down_set_selected (self->target_dropdown, selected);
  self->setting_targets = FALSE;
}

guint
muster_preview_page_get_selected_target (MusterPreviewPage *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_PAGE (self), GTK_INVALID_LIST_POSITION);
  return gtk_drop_down_get_selected (self->target_dropdown);
}

void
muster_preview_page_set_target_sensitive (MusterPreviewPage *self,
                                          gboolean           sensitive)
{
  g_return_if_fail (MUSTER_IS_PREVIEW_PAGE (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->target_dropdown), sensitive);
}

void
muster_preview_page_show_empty (MusterPreviewPage *self,
                                const char        *title,
                                const char        *description)
{
  g_autofree char *escaped = description ? g_markup_escape_text (description, -1) : NULL;

  g_return_if_fail (MUSTER_IS_PREVIEW_PAGE (self));

  adw_status_page_set_title (self->empty_page, title);
  adw_status_page_set_description (self->empty_page, escaped);
  gtk_widget_set_visible (GTK_WIDGET (self->setup_button), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

void
muster_preview_page_show_no_targets (MusterPreviewPage *self)
{
  g_return_if_fail (MUSTER_IS_PREVIEW_PAGE (self));

  muster_preview_page_show_empty (self, _("No Targets"),
                                  _("Choose where the people in scope should go — a SQLite file or a "
                                    "SCIM service — then preview what a push would change there."));
  gtk_widget_set_visible (GTK_WIDGET (self->setup_button), TRUE);
}

void
muster_preview_page_show_progress (MusterPreviewPage *self,
                                   const char        *title,
                                   const char        *description,
                                   double             fraction)
{
  g_autofree char *escaped = description ? g_markup_escape_text (description, -1) : NULL;

  g_return_if_fail (MUSTER_IS_PREVIEW_PAGE (self));

  adw_status_page_set_title (self->progress_page, title);
  adw_status_page_set_description (self->progress_page, escaped);
  if (fraction < 0)
    gtk_progress_bar_pulse (self->read_progress);
  else
    gtk_progress_bar_set_fraction (self->read_progress, CLAMP (fraction, 0, 1));
  gtk_stack_set_visible_child_name (self->stack, "progress");
}

void
muster_preview_page_set_plan (MusterPreviewPage *self,
                              MusterPlan        *plan,
                              guint              limit_count,
                              guint              limit_percent,
                              const char * const *only_ids,
                              const GError      *refusal)
{
  GPtrArray *items;
  g_autoptr(GPtrArray) rows = NULL;
  const MusterPlanTotals *totals;
  g_autofree char *limit = NULL;
  g_autofree char *add_label = NULL;

  g_return_if_fail (MUSTER_IS_PREVIEW_PAGE (self));
  g_return_if_fail (MUSTER_IS_PLAN (plan));

  g_set_object (&self->plan, plan);
  g_clear_pointer (&self->chosen, g_hash_table_unref);
  if (only_ids != NULL)
    {
      guint n = g_strv_length ((char **) only_ids);
      g_autofree char *scope = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "A preview of %u chosen user: everyone else is left as they are.",
                                                             "A preview of %u chosen users: everyone else is left as they are.",
                                                             n), n);

      self->chosen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; only_ids[i] != NULL; i++)
        g_hash_table_add (self->chosen, g_strdup (only_ids[i]));
      gtk_label_set_text (self->scope_label, scope);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->scope_box), only_ids != NULL);
  items = muster_plan_get_items (plan);
  rows = g_ptr_array_new_full (items->len, g_object_unref);
  for (guint i = 0; i < items->len; i++)
    {
      MusterPreviewRow *row = g_object_new (MUSTER_TYPE_PREVIEW_ROW, NULL);

      row->plan = g_object_ref (plan);
      row->item = items->pdata[i];
      g_ptr_array_add (rows, row);
    }
  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)), rows->pdata, rows->len);
  filters_changed_cb (self);

  totals = muster_plan_get_totals (plan);
  set_summary (self, totals);

  if (limit_count > 0 && limit_percent > 0)
    /* Translators: the safety limit; the numbers of users and the percentage */
    limit = g_strdup_printf (_("Safety limit: one push disables or deletes at most %u users, or %u %% of the users Muster manages in the target (%u now)"),
                             limit_count, limit_percent, muster_plan_get_target_user_count (plan));
  else if (limit_count > 0)
    limit = g_strdup_printf (_("Safety limit: one push disables or deletes at most %u users"), limit_count);
  else if (limit_percent > 0)
    limit = g_strdup_printf (_("Safety limit: one push disables or deletes at most %u %% of the users Muster manages in the target (%u now)"),
                             limit_percent, muster_plan_get_target_user_count (plan));
  else
    limit = g_strdup (_("No safety limit: a push may disable any number of users"));
  gtk_label_set_text (self->limit_label, limit);

  g_clear_pointer (&self->refusal_text, g_free);
  if (refusal != NULL)
    {
      /* Translators: %s is the engine's explanation of why the plan is over the safety limit */
      self->refusal_text = g_strdup_printf (_("This plan is refused. %s Change the rules, or push it anyway if you mean it."),
                                            refusal->message);
      gtk_label_set_text (self->refusal_label, self->refusal_text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->refusal_box), refusal != NULL);

  /* Translators: the add-only push; %u is how many users it creates */
  if (totals->create > 0)
    add_label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "_Add %u User", "_Add %u Users", totals->create),
                                 totals->create);
  else
    add_label = g_strdup (_("_Add Users"));
  gtk_button_set_label (self->add_button, add_label);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_button), totals->disable + totals->delete > 0);
  gtk_stack_set_visible_child_name (self->stack, "plan");
}

MusterPlan *
muster_preview_page_get_plan (MusterPreviewPage *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_PAGE (self), NULL);
  return self->plan;
}

const char *
muster_preview_page_get_summary_text (MusterPreviewPage *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_PAGE (self), NULL);
  return self->summary_text;
}

const char *
muster_preview_page_get_refusal_text (MusterPreviewPage *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_PAGE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->refusal_box)) ? self->refusal_text : NULL;
}

GListModel *
muster_preview_page_get_shown (MusterPreviewPage *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_PAGE (self), NULL);
  return G_LIST_MODEL (self->filter_model);
}

void
muster_preview_page_set_search (MusterPreviewPage *self,
                                const char        *text)
{
  g_return_if_fail (MUSTER_IS_PREVIEW_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  filters_changed_cb (self);
}

void
muster_preview_page_set_only_new (MusterPreviewPage *self,
                                  gboolean           only_new)
{
  g_return_if_fail (MUSTER_IS_PREVIEW_PAGE (self));
  gtk_check_button_set_active (self->only_new_check, only_new);
}

void
muster_preview_page_set_action_filter (MusterPreviewPage *self,
                                       int                action)
{
  g_return_if_fail (MUSTER_IS_PREVIEW_PAGE (self));

  for (guint i = 0; i < G_N_ELEMENTS (filter_actions); i++)
    if ((int) filter_actions[i] == action)
      {
        gtk_drop_down_set_selected (self->action_dropdown, i + 1);
        return;
      }
  gtk_drop_down_set_selected (self->action_dropdown, 0);
}

void
muster_preview_page_set_push_progress (MusterPreviewPage *self,
                                       guint              done,
                                       guint              failed,
                                       guint              total)
{
  g_return_if_fail (MUSTER_IS_PREVIEW_PAGE (self));

  g_free (self->push_text);
  if (failed > 0)
    /* Translators: push progress: operations done of all, and how many failed so far */
    self->push_text = g_strdup_printf (_("Pushing: %u of %u done, %u failed"), done, total, failed);
  else
    self->push_text = g_strdup_printf (_("Pushing: %u of %u done"), done, total);
  gtk_label_set_text (self->push_label, self->push_text);
  gtk_progress_bar_set_fraction (self->push_progress, total > 0 ? (double) (done + failed) / total : 0);
  gtk_widget_set_visible (GTK_WIDGET (self->push_progress), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);
  gtk_revealer_set_reveal_child (self->failures_revealer, FALSE);
}

void
muster_preview_page_set_push_result (MusterPreviewPage *self,
                                     const char        *title,
                                     const char        *description,
                                     GPtrArray         *failures)
{
  GtkWidget *child;
  guint n_failures = failures ? failures->len : 0;

  g_return_if_fail (MUSTER_IS_PREVIEW_PAGE (self));

  g_free (self->push_text);
  self->push_text = description ? g_strdup_printf ("%s — %s", title, description) : g_strdup (title);
  gtk_label_set_text (self->push_label, self->push_text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->push_label), self->push_text);
  gtk_widget_set_visible (GTK_WIDGET (self->push_progress), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), n_failures > 0);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->failures_list))) != NULL)
    gtk_list_box_remove (self->failures_list, child);
  for (guint i = 0; i < n_failures; i++)
    {
      const MusterOperationResult *result = failures->pdata[i];
      const MusterOperation *operation = result->operation;
      GtkWidget *row = adw_action_row_new ();
      const char *name = NULL;
      g_autofree char *title_text = NULL;

      if (operation->user != NULL)
        name = muster_target_user_get_attribute (operation->user, MUSTER_ATTR_DISPLAY_NAME);
      if (name == NULL && operation->user != NULL)
        name = operation->user->user_name;
      if (name == NULL && operation->group != NULL)
        name = operation->group->display_name;
      /* Translators: a failed operation: the user's name and the kind of change */
      title_text = g_strdup_printf (_("%s (%s)"), name ? name : operation->key,
                                    muster_operation_kind_to_string (operation->kind));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title_text);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), result->error ? result->error->message : _("Failed"));
      gtk_list_box_append (self->failures_list, row);
    }
  if (n_failures > 0)
    {
      g_autofree char *heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "%u change could not be made",
                                                               "%u changes could not be made", n_failures),
                                                  n_failures);

      gtk_label_set_text (self->failures_label, heading);
    }
  gtk_revealer_set_reveal_child (self->failures_revealer, n_failures > 0);
}

const char *
muster_preview_page_get_push_text (MusterPreviewPage *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_PAGE (self), NULL);
  return self->push_text;
}

void
muster_preview_page_set_read_only (MusterPreviewPage *self,
                                   gboolean           read_only)
{
  g_return_if_fail (MUSTER_IS_PREVIEW_PAGE (self));

  self->read_only = read_only;
  gtk_widget_set_visible (self->target_bar, !read_only);
  gtk_widget_set_visible (self->push_bar, !read_only);
}

gboolean
muster_preview_page_get_read_only (MusterPreviewPage *self)
{
  g_return_val_if_fail (MUSTER_IS_PREVIEW_PAGE (self), FALSE);
  return self->read_only;
}
