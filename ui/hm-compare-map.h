/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hm-hex-view.h"

G_BEGIN_DECLS

/*
 * HmCompareMap: a thin strip beside a hex view's scrollbar in a compare: where
 * in the whole file the differences are, and the region on screen. A click
 * emits "jump" (guint64 offset) with the first byte of the difference nearest
 * to the place clicked; the compare goes there in both views.
 */
#define HM_TYPE_COMPARE_MAP (hm_compare_map_get_type ())
G_DECLARE_FINAL_TYPE (HmCompareMap, hm_compare_map, HM, COMPARE_MAP, GtkWidget)

GtkWidget    *hm_compare_map_new          (void);
void          hm_compare_map_attach       (HmCompareMap *self,
                                           HmHexView    *view,
                                           HmDocument   *document,
                                           GArray       *ranges);
void          hm_compare_map_invalidate   (HmCompareMap *self);
const guint8 *hm_compare_map_get_marks    (HmCompareMap *self,
                                           guint        *n_rows);
guint64       hm_compare_map_offset_at    (HmCompareMap *self,
                                           double        y);

G_END_DECLS
