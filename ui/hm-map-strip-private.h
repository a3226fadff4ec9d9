/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hm-hex-view.h"

G_BEGIN_DECLS

/* What the strips beside a hex view's scrollbar share (the hole map,
 * hm-extent-map.c, and the difference map, hm-compare-map.c): colours looked
 * up by name in data/style.css, their width, and the region on screen. */

#define HM_MAP_STRIP_WIDTH 12

typedef struct
{
  const char *name;
  const char *fallback;
} HmPaletteEntry;

void _hm_map_strip_lookup_colors (GtkWidget            *widget,
                                  const HmPaletteEntry *palette,
                                  GdkRGBA              *colors,
                                  guint                 n_colors);
void _hm_map_strip_append_rect   (GtkSnapshot          *snapshot,
                                  const GdkRGBA        *color,
                                  double                x,
                                  double                y,
                                  double                width,
                                  double                height);
void _hm_map_strip_draw_visible  (GtkSnapshot          *snapshot,
                                  HmHexView            *view,
                                  guint64               size,
                                  int                   width,
                                  int                   height,
                                  const GdkRGBA        *color);
void _hm_map_strip_measure       (GtkWidget            *widget,
                                  GtkOrientation        orientation,
                                  int                   for_size,
                                  int                  *minimum,
                                  int                  *natural,
                                  int                  *minimum_baseline,
                                  int                  *natural_baseline);

G_END_DECLS
