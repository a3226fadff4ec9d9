/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-bookmarks-panel.h"
#include "hm-hex-view.h"

G_BEGIN_DECLS

/* The page wires the panel to its view and document; (NULL, NULL) detaches. */
void        _hm_bookmarks_panel_attach   (HmBookmarksPanel *self,
                                          HmHexView        *view,
                                          HmDocument       *document);

/* For tests only */
void        _hm_bookmarks_panel_activate (HmBookmarksPanel *self,
                                          guint             position);
void        _hm_bookmarks_panel_rename   (HmBookmarksPanel *self,
                                          guint             position,
                                          const char       *name);
void        _hm_bookmarks_panel_delete   (HmBookmarksPanel *self,
                                          guint             position);
const char *_hm_bookmarks_panel_get_error (HmBookmarksPanel *self);
/* Row widgets that exist now (recycled: about a screenful, whatever the count) */
guint       _hm_bookmarks_panel_count_rows (HmBookmarksPanel *self);

G_END_DECLS
