/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The parts the strips beside the hex view's scrollbar share: the hole/data
 * map (hm-extent-map.c) and the difference map of a compare
 * (hm-compare-map.c). Each is the whole file top to bottom, a fixed width,
 * with the region on screen outlined over it.
 */
#include "config.h"

#include "hm-map-strip-private.h"

/* The region on screen is at least this tall, so it can be found. */
#define MIN_VISIBLE_PX 6.0

void
_hm_map_strip_lookup_colors (GtkWidget            *widget,
                             const HmPaletteEntry *palette,
                             GdkRGBA              *colors,
                             guint                 n_colors)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  for (guint i = 0; i < n_colors; i++)
    if (!gtk_style_context_lookup_color (context, palette[i].name, &colors[i]))
      gdk_rgba_parse (&colors[i], palette[i].fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

void
_hm_map_strip_append_rect (GtkSnapshot   *snapshot,
                           const GdkRGBA *color,
                           double         x,
                           double         y,
                           double         width,
                           double         height)
{
  gtk_snapshot_append_color (snapshot, color,
                             &GRAPHENE_RECT_INIT ((float) x, (float) y, (float) width, (float) height));
}

/* Outlines the bytes @view shows, in a strip of @width × @height that stands
 * for @size bytes. */
void
_hm_map_strip_draw_visible (GtkSnapshot   *snapshot,
                            HmHexView     *view,
                            guint64        size,
                            int            width,
                            int            height,
                            const GdkRGBA *color)
{
  guint64 first, last;
  double y0, y1;
  GdkRGBA border[4] = { *color, *color, *color, *color };
  float widths[4] = { 1, 1, 1, 1 };
  GdkRGBA fill = *color;
  GskRoundedRect outline;

  if (view == NULL || size == 0 || !hm_hex_view_get_visible_range (view, &first, &last))
    return;
  y0 = (double) first / (double) size * height;
  y1 = (double) (last + 1) / (double) size * height;
  if (y1 - y0 < MIN_VISIBLE_PX)
    {
      y0 = CLAMP ((y0 + y1) / 2 - MIN_VISIBLE_PX / 2, 0, height - MIN_VISIBLE_PX);
      y1 = y0 + MIN_VISIBLE_PX;
    }
  fill.alpha *= 0.18f;
  _hm_map_strip_append_rect (snapshot, &fill, 0, y0, width, y1 - y0);
  gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (0, (float) y0, (float) width,
                                                                  (float) (y1 - y0)), 0);
  gtk_snapshot_append_border (snapshot, &outline, widths, border);
}

void
_hm_map_strip_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = HM_MAP_STRIP_WIDTH;
  else
    {
      *minimum = 16;
      *natural = 64;
    }
}
