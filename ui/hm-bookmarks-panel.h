/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hm-bookmarks.h"

G_BEGIN_DECLS

/*
 * Signals of HmBookmarksPanel:
 *   "fault" (GError *error): a core error the page should show in a fault dialog.
 *     (Bookmarks that cannot be loaded or saved are reported inside the panel.)
 */
#define HM_TYPE_BOOKMARKS_PANEL (hm_bookmarks_panel_get_type ())
G_DECLARE_FINAL_TYPE (HmBookmarksPanel, hm_bookmarks_panel, HM, BOOKMARKS_PANEL, GtkWidget)

GtkWidget   *hm_bookmarks_panel_new              (void);

HmBookmarks *hm_bookmarks_panel_get_bookmarks    (HmBookmarksPanel *self);
gboolean     hm_bookmarks_panel_toggle_at_cursor (HmBookmarksPanel *self);

G_END_DECLS
