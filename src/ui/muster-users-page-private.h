/* muster-users-page-private.h: the Users page's state, shared by muster-users-page.c (the table,
 * filters and selection) and muster-users-page-sync.c (the User Type, Roles and Plan columns)
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "muster-rules-private.h"
#include "muster-users-page.h"

G_BEGIN_DECLS

struct _MusterUsersPage
{
  AdwBin              parent_instance;

  MusterSnapshot     *snapshot;
  MusterUserFilter   *filter;
  MusterGroup        *any_group;        /* "All Groups", the first choice of the group dropdown */
  GHashTable         *email_labels;     /* bound email cells, relabelled when the method changes */
  MusterPhotoLoader  *photo_loader;     /* NULL: initials only */
  GHashTable         *photos;           /* user id → GdkTexture, or no value while loading / when none */
  GHashTable         *avatars;          /* bound avatar → its row's user, given a photo when it arrives */
  GCancellable       *photo_cancellable;
  GtkFilterChange     next_change;      /* how the coming "changed" narrows or widens the view */
  char               *search;
  char               *count_text;
  gboolean            choosing_group;   /* the dropdown is being refilled */

  /* the sync columns: what the profile's rules give each user, and the plan */
  MusterRules        *rules;            /* NULL: not loaded (the pickers are insensitive) */
  char               *profile;          /* whose rules file edits are saved to */
  MusterRulesResolver *resolver;        /* the rules prepared against the snapshot, made on demand */
  GHashTable         *resolved;         /* MusterUser → ResolvedUser, for the users bound so far */
  GStringChunk       *resolved_strings; /* the labels and tooltips in @resolved */
  GPtrArray          *rule_words;       /* "From group rule “Finance Admins”", per group rule */
  GHashTable         *type_cells;       /* bound user type dropdown → its row's user */
  GHashTable         *roles_cells;      /* bound roles button → its row's user */
  GHashTable         *plan_cells;       /* bound plan label → its row's user */
  guint               refresh_id;       /* idle refilling the bound cells after a rules change */
  MusterPlan         *plan;             /* NULL: no Plan column */
  char              **target_roles;     /* the roles the chosen target offers */
  GtkStringList      *type_choices;     /* the three types, shared by every row */
  GtkStringList      *type_reset_choices; /* …and "Reset to Rules", for rows with an override */
  gboolean            filling_type;     /* a dropdown is being set from the rules */
  gboolean            in_batch;         /* a bulk edit: one refresh at its end */
  gboolean            saving;
  gboolean            save_again;       /* edited while saving: save once more afterwards */

  /* template children */
  GtkSearchEntry     *search_entry;
  GtkDropDown        *group_dropdown;
  GListStore         *group_choices;
  GtkToggleButton    *direct_button;
  GtkToggleButton    *nested_button;
  GtkDropDown        *kind_dropdown;
  GtkToggleButton    *unlicensed_toggle;
  GtkToggleButton    *disabled_toggle;
  GtkToggleButton    *guests_toggle;
  GtkMenuButton      *deny_button;
  GtkPopover         *deny_popover;
  GtkTextView        *deny_view;
  GtkDropDown        *email_dropdown;
  GtkLabel           *count_label;
  GtkStack           *content_stack;
  GtkColumnView      *column_view;
  GtkMultiSelection  *selection;
  GtkFilterListModel *filter_model;
  GtkCustomFilter    *user_filter;
  GtkSortListModel   *sort_model;
  GtkColumnViewColumn *email_column;
  GtkColumnViewColumn *plan_column;
  GtkActionBar       *action_bar;
  GtkLabel           *selected_label;
};

/* muster-users-page.c */
char *_muster_users_page_format_count      (guint            n);
void  _muster_users_page_update_selection  (MusterUsersPage *self);
/* Emits "rules-changed": an edit was saved. */
void  _muster_users_page_rules_changed     (MusterUsersPage *self);

/* muster-users-page-sync.c */
void  _muster_users_page_class_init_sync   (GtkWidgetClass  *widget_class);
void  _muster_users_page_init_sync         (MusterUsersPage *self);
void  _muster_users_page_dispose_sync      (MusterUsersPage *self);
void  _muster_users_page_finalize_sync     (MusterUsersPage *self);
/* Forgets what the rules gave each user (the rules or the snapshot changed). */
void  _muster_users_page_forget_resolved   (MusterUsersPage *self);
/* Refills the bound sync cells once the main loop is idle. */
void  _muster_users_page_queue_refresh     (MusterUsersPage *self);

G_END_DECLS
