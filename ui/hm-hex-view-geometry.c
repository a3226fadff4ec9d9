/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView geometry: rows and columns.
 *
 * A row is the offset, the hex pane and the text pane, all in cells of the
 * monospace font (x = column * cell_width; the cell width comes from the glyph
 * cache in hm-hex-view-draw.c). These helpers turn offsets into rows and
 * columns, a point back into a byte, and a width into the bytes a row holds.
 * Nothing here draws or reads the file.
 */
#include "config.h"

#include "hm-hex-view-private.h"

/* ---- Rows and columns ---- */

guint64
_hm_hex_view_n_rows (HmHexView *self)
{
  guint64 size = self->document != NULL ? hm_document_get_size (self->document) : 0;

  /* In insert mode the cursor may stand just past the last byte: its row counts. */
  if (self->document != NULL && self->insert_mode)
    size++;
  if (size == 0)
    return 0;
  return size / self->bytes_per_row + (size % self->bytes_per_row != 0);
}

guint64
_hm_hex_view_max_top_row (HmHexView *self)
{
  guint64 rows = _hm_hex_view_n_rows (self);

  return rows > self->n_full_rows ? rows - self->n_full_rows : 0;
}

guint64
_hm_hex_view_doc_size (HmHexView *self)
{
  return self->document != NULL ? hm_document_get_size (self->document) : 0;
}

/* The furthest the cursor may go: the last byte, or in insert mode the place
 * just past it, where typing appends. */
guint64
_hm_hex_view_last_cursor (HmHexView *self,
                          guint64    size)
{
  if (self->insert_mode)
    return size;
  return size > 0 ? size - 1 : 0;
}

guint
_hm_hex_view_digits_for_size (guint64 size)
{
  guint digits = 1;
  guint64 last = size > 0 ? size - 1 : 0;

  while (last >>= 4)
    digits++;
  digits = MAX (digits, 4);
  return digits + (digits & 1);
}

int
_hm_hex_view_hex_col (HmHexView *self)
{
  return 1 + (int) self->offset_digits + 2;
}

static int
hex_chars (guint bytes_per_row,
           guint group_size)
{
  return 2 * (int) bytes_per_row + ((int) bytes_per_row - 1) / (int) group_size;
}

int
_hm_hex_view_text_col (HmHexView *self)
{
  return _hm_hex_view_hex_col (self) + hex_chars (self->bytes_per_row, self->group_size) + 2;
}

int
_hm_hex_view_total_cols (HmHexView *self,
                         guint      bytes_per_row)
{
  return 1 + (int) self->offset_digits + 2 + hex_chars (bytes_per_row, self->group_size) + 2
         + (int) bytes_per_row + 1;
}

int
_hm_hex_view_hex_byte_col (HmHexView *self,
                           guint      index)
{
  return _hm_hex_view_hex_col (self) + 2 * (int) index + (int) (index / self->group_size);
}

guint
_hm_hex_view_row_step (HmHexView *self)
{
  return MAX (self->group_size, 8);
}

guint
_hm_hex_view_fit_bytes_per_row (HmHexView *self,
                                int        width)
{
  guint step = _hm_hex_view_row_step (self);
  guint n = step;

  if (self->fixed_bytes_per_row > 0)
    return self->fixed_bytes_per_row;
  if (self->cell_width <= 0)
    return 16;
  while (n + step <= MAX_BYTES_PER_ROW && _hm_hex_view_total_cols (self, n + step) * self->cell_width <= width)
    n += step;
  return n;
}

/* ---- From a point to a byte ---- */

guint64
_hm_hex_view_hit_test (HmHexView *self,
                       double     x,
                       double     y,
                       HmHexPane *pane)
{
  guint64 size = _hm_hex_view_doc_size (self);
  guint64 rows = _hm_hex_view_n_rows (self);
  guint64 row;
  int col;
  guint index;

  if (rows == 0 || self->cell_width <= 0)
    return 0;

  y = CLAMP (y, 0, MAX (self->content_height - 1, 0));
  row = self->top_row + (guint64) ((y + self->scroll_pixel) / self->row_height);
  row = MIN (row, rows - 1);
  col = x < 0 ? -1 : (int) (x / self->cell_width);

  if (col >= _hm_hex_view_text_col (self) - 1)
    {
      *pane = HM_HEX_PANE_TEXT;
      index = (guint) CLAMP (col - _hm_hex_view_text_col (self), 0, (int) self->bytes_per_row - 1);
    }
  else
    {
      int rel = MAX (col - _hm_hex_view_hex_col (self), 0);
      int group_cols = 2 * (int) self->group_size + 1;
      int within = rel % group_cols;

      *pane = HM_HEX_PANE_HEX;
      index = (guint) (rel / group_cols) * self->group_size + (guint) MIN (within / 2, (int) self->group_size - 1);
      index = MIN (index, self->bytes_per_row - 1);
    }
  return MIN (row * self->bytes_per_row + index, _hm_hex_view_last_cursor (self, size));
}

/* ---- Public API ---- */

guint64
hm_hex_view_get_n_rows (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 0);
  return _hm_hex_view_n_rows (self);
}

guint
hm_hex_view_get_n_visible_rows (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 0);
  return self->n_full_rows;
}

/**
 * hm_hex_view_get_visible_range:
 * @self: a #HmHexView
 * @first: (out): the first byte on screen
 * @last: (out): the last byte in a fully visible row
 *
 * Returns: %FALSE if nothing is shown
 */
gboolean
hm_hex_view_get_visible_range (HmHexView *self,
                               guint64   *first,
                               guint64   *last)
{
  guint64 size;
  guint64 end;
  guint full_rows;

  g_return_val_if_fail (HM_IS_HEX_VIEW (self), FALSE);

  size = _hm_hex_view_doc_size (self);
  if (size == 0)
    return FALSE;
  *first = self->top_row * self->bytes_per_row;
  /* A partly scrolled-out top row leaves room below for the rows after it. */
  full_rows = (guint) MAX ((self->content_height + self->scroll_pixel) / MAX (self->row_height, 1), 1);
  end = (self->top_row + full_rows) * self->bytes_per_row;
  *last = MIN (end, size) - 1;
  return TRUE;
}
