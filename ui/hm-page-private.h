/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-bookmarks-panel.h"
#include "hm-extent-map.h"
#include "hm-find-bar.h"
#include "hm-page.h"

G_BEGIN_DECLS

/* For tests: the go-to entry and its inline error, the "changed on disk" bar,
 * the find bar, the side pane and its bookmarks panel, the selection dialogs
 * and the fault dialog while they are open, the hole/data map and the hint in
 * the status bar. */

GtkEditable      *_hm_page_get_goto_entry       (HmPage *self);
const char       *_hm_page_get_goto_error       (HmPage *self);
gboolean          _hm_page_get_changed_revealed (HmPage *self);
gboolean          _hm_page_get_busy             (HmPage *self);
HmFindBar        *_hm_page_get_find_bar         (HmPage *self);
HmBookmarksPanel *_hm_page_get_bookmarks_panel  (HmPage *self);
GtkWidget        *_hm_page_get_side_pane        (HmPage *self);
GtkWindow        *_hm_page_get_checksum_dialog  (HmPage *self);
GtkWindow        *_hm_page_get_fill_dialog      (HmPage *self);
GtkWindow        *_hm_page_get_fault_dialog     (HmPage *self);
HmExtentMap      *_hm_page_get_extent_map       (HmPage *self);
const char       *_hm_page_get_hint             (HmPage *self);
/* The hole count in the status bar ("…" while counting), or NULL when hidden. */
const char       *_hm_page_get_holes_text       (HmPage *self);

G_END_DECLS
