/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView scrolling: the exact position, and the scrollbar's coarse mirror of it.
 *
 * The position is (top_row, scroll_pixel): a guint64 row and the pixels of it
 * scrolled out of view; the adjustment only approximates it (see the comment at
 * the top of hm-hex-view.c). Whatever moves the view comes through here: whole
 * rows for the keyboard and jumps, pixels for the wheel, the touchpad and kinetic
 * scrolling (their events arrive in hm-hex-view-input.c), and a drag of the
 * scrollbar, whose value is mapped back to a row.
 */
#include "config.h"

#include "hm-hex-view-private.h"

/* The adjustment's value is the top row plus the fraction of it scrolled out. */
void
_hm_hex_view_sync_adjustment (HmHexView *self)
{
  guint64 rows = _hm_hex_view_n_rows (self);
  double page = MAX (self->n_full_rows, 1);
  guint64 max_top = _hm_hex_view_max_top_row (self);

  if (self->top_row >= max_top)
    {
      self->top_row = max_top;
      self->scroll_pixel = 0;
    }
  self->updating_adjustment = TRUE;
  gtk_adjustment_configure (self->vadjustment,
                            (double) self->top_row + (double) self->scroll_pixel / MAX (self->row_height, 1),
                            0.0,
                            MAX ((double) rows, page),
                            1.0,
                            MAX (page - 1.0, 1.0),
                            page);
  self->updating_adjustment = FALSE;
}

static void
set_position (HmHexView *self,
              guint64    row,
              int        pixel)
{
  guint64 max_top = _hm_hex_view_max_top_row (self);

  if (row >= max_top)
    {
      row = max_top;
      pixel = 0;
    }
  if (row == self->top_row && pixel == self->scroll_pixel)
    return;
  self->top_row = row;
  self->scroll_pixel = pixel;
  self->updating_adjustment = TRUE;
  gtk_adjustment_set_value (self->vadjustment,
                            (double) row + (double) pixel / MAX (self->row_height, 1));
  self->updating_adjustment = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Keyboard, paging and jumps: whole rows, the top row fully shown. */
void
hm_hex_view_set_top_row (HmHexView *self,
                         guint64    row)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));

  self->scroll_remainder = 0;
  set_position (self, row, 0);
}

void
_hm_hex_view_scroll_by_rows (HmHexView *self,
                             gint64     delta)
{
  guint64 row = self->top_row;

  if (delta < 0)
    row = (guint64) -delta > row ? 0 : row - (guint64) -delta;
  else
    row = G_MAXUINT64 - row < (guint64) delta ? G_MAXUINT64 : row + (guint64) delta;
  hm_hex_view_set_top_row (self, row);
}

static void
adjustment_value_changed_cb (HmHexView     *self,
                             GtkAdjustment *adjustment)
{
  double value = gtk_adjustment_get_value (adjustment);
  double end = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);
  guint64 max_top = _hm_hex_view_max_top_row (self);
  guint64 row;
  int pixel = 0;

  if (self->updating_adjustment)
    return;

  /* The double cannot name every row of a huge file: the end of its range stands
   * for exactly the last page, anything else for the nearest representable row
   * (and, while a double still holds fractions, the pixel within it). */
  if (value >= end)
    row = max_top;
  else if (value <= 0)
    row = 0;
  else
    {
      row = MIN ((guint64) value, max_top);
      pixel = (int) ((value - (double) row) * self->row_height);
      pixel = CLAMP (pixel, 0, MAX (self->row_height - 1, 0));
    }
  self->scroll_remainder = 0;
  if (row >= max_top)
    pixel = 0;
  if (row != self->top_row || pixel != self->scroll_pixel)
    {
      self->top_row = row;
      self->scroll_pixel = pixel;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

/* Touchpad, wheel and kinetic scrolling: by pixels, down for positive @pixels.
 * The position is (top_row, scroll_pixel); whole rows of @pixels move top_row,
 * so the exact 64-bit row is never rounded through a double. */
void
_hm_hex_view_scroll_pixels (HmHexView *self,
                            double     pixels)
{
  int rh = MAX (self->row_height, 1);
  guint64 row = self->top_row;
  /* Clamped before converting: the double may be beyond any file's rows. */
  double total = CLAMP (self->scroll_remainder + self->scroll_pixel + pixels, -9e18, 9e18);
  gint64 whole = (gint64) total;
  gint64 rows;
  int pixel;

  if ((double) whole > total)
    whole--;
  self->scroll_remainder = total - (double) whole;
  /* Rounded down, also below zero: the pixel stays within the row. */
  rows = whole / rh;
  pixel = (int) (whole % rh);
  if (pixel < 0)
    {
      pixel += rh;
      rows--;
    }

  if (rows < 0)
    {
      if ((guint64) -rows > row)
        {
          row = 0;
          pixel = 0;
          self->scroll_remainder = 0;
        }
      else
        row -= (guint64) -rows;
    }
  else
    row = G_MAXUINT64 - row < (guint64) rows ? G_MAXUINT64 : row + (guint64) rows;
  if (row >= _hm_hex_view_max_top_row (self))
    self->scroll_remainder = 0;
  set_position (self, row, pixel);
}

int
_hm_hex_view_get_scroll_pixel (HmHexView *self)
{
  return self->scroll_pixel;
}

void
hm_hex_view_scroll_to_offset (HmHexView *self,
                              guint64    offset)
{
  guint64 row;
  guint rows;

  g_return_if_fail (HM_IS_HEX_VIEW (self));

  /* Before the first allocation the page size is unknown: center then. */
  if (self->content_height <= 0)
    {
      self->center_pending = TRUE;
      self->center_offset = offset;
      return;
    }
  row = offset / self->bytes_per_row;
  rows = MAX (self->n_full_rows, 1);
  if (row >= self->top_row && row < self->top_row + rows && !(row == self->top_row && self->scroll_pixel > 0))
    return;
  hm_hex_view_set_top_row (self, row > rows / 2 ? row - rows / 2 : 0);
}

guint64
hm_hex_view_get_top_row (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 0);
  return self->top_row;
}

/**
 * hm_hex_view_get_vadjustment:
 * @self: a #HmHexView
 *
 * The adjustment of the view's scrollbar, in rows. For a huge file it is only
 * a coarse mirror of the position: follow its #GtkAdjustment::value-changed and
 * #GtkAdjustment::changed signals to learn that the view scrolled or resized,
 * then ask hm_hex_view_get_visible_range() where exactly it is.
 *
 * Returns: (transfer none): the adjustment
 */
GtkAdjustment *
hm_hex_view_get_vadjustment (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), NULL);
  return self->vadjustment;
}

/* The scrollbar beside the rows, and its adjustment, counted in rows. */
void
_hm_hex_view_init_scrollbar (HmHexView *self)
{
  self->vadjustment = g_object_ref_sink (gtk_adjustment_new (0, 0, 1, 1, 1, 1));
  g_signal_connect_object (self->vadjustment, "value-changed",
                           G_CALLBACK (adjustment_value_changed_cb), self, G_CONNECT_SWAPPED);
  self->scrollbar = gtk_scrollbar_new (GTK_ORIENTATION_VERTICAL, self->vadjustment);
  gtk_widget_set_parent (self->scrollbar, GTK_WIDGET (self));
}

/* Rows kept above a target that hm_hex_view_reveal_offset() scrolls to. */
#define REVEAL_CONTEXT_ROWS 3

/**
 * hm_hex_view_reveal_offset:
 * @self: a #HmHexView
 * @offset: a byte offset
 *
 * Scrolls so that @offset can be read with what follows it: unless its row is
 * already comfortably visible (a few rows from either edge, or at the start or
 * end of the file), its row becomes the fourth from the top (nearer the top on
 * a short view). For go to, bookmarks and find, whose target would otherwise
 * land on the last visible row after the cursor moved there.
 */
void
hm_hex_view_reveal_offset (HmHexView *self,
                           guint64    offset)
{
  guint64 row;
  guint rows, context;
  gboolean above_ok, below_ok;

  g_return_if_fail (HM_IS_HEX_VIEW (self));

  /* Before the first allocation the page size is unknown: center then. */
  if (self->content_height <= 0)
    {
      self->center_pending = TRUE;
      self->center_offset = offset;
      return;
    }
  row = offset / self->bytes_per_row;
  rows = MAX (self->n_full_rows, 1);
  context = MIN (REVEAL_CONTEXT_ROWS, (rows - 1) / 4);
  above_ok = row >= self->top_row + context + (self->scroll_pixel > 0 ? 1 : 0)
             || (self->top_row == 0 && self->scroll_pixel == 0 && row >= self->top_row);
  below_ok = row + context < self->top_row + rows
             || (row < self->top_row + rows && self->top_row >= _hm_hex_view_max_top_row (self));
  if (above_ok && below_ok)
    return;
  hm_hex_view_set_top_row (self, row > context ? row - context : 0);
}
