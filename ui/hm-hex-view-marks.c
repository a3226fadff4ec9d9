/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView marks: places the user marked (bookmarks), drawn as a line under
 * the marked bytes in both columns, so a bookmark is seen where it is and not
 * only in the side pane. The bookmarks panel sets them when its list changes.
 * Like the search highlights, the view keeps a sorted copy and each frame looks
 * up only its own rows.
 */
#include "config.h"

#include "hm-hex-view-private.h"

/* Thickness of the line under a marked byte, in pixels. */
#define MARK_HEIGHT 2.0f

/**
 * hm_hex_view_set_marks:
 * @self: a #HmHexView
 * @ranges: (nullable) (element-type HmRange): the marked ranges, sorted by
 *   offset; %NULL or empty for none
 *
 * Marks ranges (bookmarks: one byte each) with a line under their bytes. The
 * view keeps a copy, overlapping or touching ranges merged.
 */
void
hm_hex_view_set_marks (HmHexView *self,
                       GArray    *ranges)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));

  g_clear_pointer (&self->marks, g_array_unref);
  if (ranges != NULL && ranges->len > 0)
    {
      self->marks = g_array_sized_new (FALSE, FALSE, sizeof (HmRange), ranges->len);
      for (guint i = 0; i < ranges->len; i++)
        {
          const HmRange *r = &g_array_index (ranges, HmRange, i);
          HmRange *last = self->marks->len > 0 ? &g_array_index (self->marks, HmRange, self->marks->len - 1) : NULL;

          g_return_if_fail (last == NULL || r->offset >= last->offset);
          if (r->length == 0)
            continue;
          if (last != NULL && r->offset <= last->offset + last->length)
            last->length = MAX (last->length, r->offset + r->length - last->offset);
          else
            g_array_append_val (self->marks, *r);
        }
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * hm_hex_view_get_marks:
 * @self: a #HmHexView
 *
 * Returns: (transfer none) (nullable) (element-type HmRange): the marks, merged
 *   and sorted, or %NULL for none
 */
GArray *
hm_hex_view_get_marks (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), NULL);
  return self->marks;
}

/* The first mark that ends after @offset. */
static guint
first_mark_after (GArray  *marks,
                  guint64  offset)
{
  guint lo = 0, hi = marks->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const HmRange *r = &g_array_index (marks, HmRange, mid);

      if (r->offset + r->length <= offset)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Lines under the marked bytes of one row: bytes [0, n_bytes) from @row_offset,
 * drawn at the bottom of the row whose top is @y. */
void
_hm_hex_view_snapshot_marks (HmHexView   *self,
                             GtkSnapshot *snapshot,
                             guint64      row_offset,
                             guint        n_bytes,
                             float        y)
{
  const GdkRGBA *color = &self->colors[COLOR_MARK];
  double cw = self->cell_width;
  float line_y = y + (float) self->row_height - MARK_HEIGHT;

  if (self->marks == NULL || n_bytes == 0)
    return;
  for (guint i = first_mark_after (self->marks, row_offset); i < self->marks->len; i++)
    {
      const HmRange *r = &g_array_index (self->marks, HmRange, i);
      guint a, b;
      double hx, hw;

      if (r->offset >= row_offset + n_bytes)
        break;
      a = (guint) (MAX (r->offset, row_offset) - row_offset);
      b = (guint) (MIN (r->offset + r->length, row_offset + n_bytes) - row_offset - 1);
      hx = _hm_hex_view_hex_byte_col (self, a) * cw;
      hw = (_hm_hex_view_hex_byte_col (self, b) + 2) * cw - hx;
      gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT ((float) hx, line_y, (float) hw, MARK_HEIGHT));
      gtk_snapshot_append_color (snapshot, color,
                                 &GRAPHENE_RECT_INIT ((float) ((_hm_hex_view_text_col (self) + (int) a) * cw), line_y,
                                                      (float) ((b - a + 1) * cw), MARK_HEIGHT));
    }
}
