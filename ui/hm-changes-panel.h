/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * Signals of HmChangesPanel:
 *   "fault" (GError *error): a core error the page should show in a fault dialog.
 */
#define HM_TYPE_CHANGES_PANEL (hm_changes_panel_get_type ())
G_DECLARE_FINAL_TYPE (HmChangesPanel, hm_changes_panel, HM, CHANGES_PANEL, GtkWidget)

GtkWidget *hm_changes_panel_new      (void);

G_END_DECLS
