/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * HmExtentMap: a thin vertical strip beside the hex view's scrollbar that shows
 * the whole file at once: data runs against holes, bucketed to its height, what
 * the data is (zeros, text, compressed or encrypted, other; see
 * core/hm-entropy.h), and the region on screen. A click or drag scrolls the
 * view there; the tooltip is the legend.
 */
#define HM_TYPE_EXTENT_MAP (hm_extent_map_get_type ())
G_DECLARE_FINAL_TYPE (HmExtentMap, hm_extent_map, HM, EXTENT_MAP, GtkWidget)

GtkWidget  *hm_extent_map_new      (void);

G_END_DECLS
