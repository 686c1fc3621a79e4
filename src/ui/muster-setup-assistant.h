/* muster-setup-assistant.h: the assistant that walks an admin through a profile's first sync —
 * a target, who is in scope, the email method, fields, groups, types and roles, the safety limit
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "muster-rules.h"
#include "muster-snapshot.h"

G_BEGIN_DECLS

#define MUSTER_TYPE_SETUP_ASSISTANT (muster_setup_assistant_get_type ())
G_DECLARE_FINAL_TYPE (MusterSetupAssistant, muster_setup_assistant, MUSTER, SETUP_ASSISTANT, AdwWindow)

/* @snapshot (nullable) gives the groups to choose from; @rules (nullable: the defaults) are the
 * profile's rules to start from — the assistant works on a copy. Finish saves the target in
 * targets.ini (its token in the keyring) and the rules in the profile's rules file, then emits
 * "finished" (the target's name) and closes. */
MusterSetupAssistant *muster_setup_assistant_new          (GtkWindow            *parent,
                                                           const char           *profile,
                                                           MusterSnapshot       *snapshot,
                                                           MusterRules          *rules);
/* The same steps without the target, for Preferences: Finish saves only the rules (and emits
 * "finished" with a NULL name). */
MusterSetupAssistant *muster_setup_assistant_new_for_rules (GtkWindow           *parent,
                                                            const char          *profile,
                                                            MusterSnapshot      *snapshot,
                                                            MusterRules         *rules);
/* Offers a SCIM service (the demo tenant's own): fills in its address and token. */
void                  muster_setup_assistant_offer_service (MusterSetupAssistant *self,
                                                            const char           *url,
                                                            const char           *token);
/* The SQLite file, as the file chooser would set it. */
void                  muster_setup_assistant_set_file     (MusterSetupAssistant *self,
                                                           const char           *path);
/* The name of the step shown: "target", "scope", "email", "fields", "groups", "limit",
 * "summary". */
const char           *muster_setup_assistant_get_step     (MusterSetupAssistant *self);
/* The rules as the assistant has them (changed by each step when it is left). */
MusterRules          *muster_setup_assistant_get_rules    (MusterSetupAssistant *self);
/* TRUE while Test Connection or Finish runs. */
gboolean              muster_setup_assistant_get_busy     (MusterSetupAssistant *self);

G_END_DECLS
