/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-changes-panel.h"
#include "hm-hex-view.h"

G_BEGIN_DECLS

/* The page wires the panel to its view and document; (NULL, NULL) detaches. */
void        _hm_changes_panel_attach   (HmChangesPanel *self,
                                        HmHexView      *view,
                                        HmDocument     *document);

/* For tests only */
void        _hm_changes_panel_flush    (HmChangesPanel *self);
guint       _hm_changes_panel_get_n_rows (HmChangesPanel *self);
char       *_hm_changes_panel_describe (HmChangesPanel *self,
                                        guint           position);
char       *_hm_changes_panel_get_shown (HmChangesPanel *self,
                                        guint           position);
void        _hm_changes_panel_activate (HmChangesPanel *self,
                                        guint           position);
const char *_hm_changes_panel_get_summary (HmChangesPanel *self);

G_END_DECLS
