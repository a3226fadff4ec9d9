/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView geometry: rows and columns.
 *
 * A row is the offset, the hex pane and the text pane, all in cells of the
 * monospace font (x = column * cell_width; the cell width comes from the glyph
 * cache in hm-hex-view-draw.c). These helpers turn offsets into rows and
 * columns, a point back into a byte, and a width into the bytes a row holds.
 * Nothing here draws or reads the file.
 *
 * The layout of a width (_hm_hex_view_compute_layout) puts the whole largest
 * offset first, in hex or decimal: a cut offset reads as another, valid one.
 * What is left holds the user's bytes per row if they fit, else the largest
 * power of two that does (up to 64, down to 1), so rows start at round
 * offsets. An optional header row above the rows names the columns.
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

/* The largest offset a row can start at, or the status show for the cursor:
 * the last byte, or in insert mode the place just past it. It follows the
 * document's size, so structural edits (pending inserts) widen the column. */
guint64
_hm_hex_view_max_offset (HmHexView *self)
{
  return _hm_hex_view_last_cursor (self, _hm_hex_view_doc_size (self));
}

/* Digits of the offset column: every digit of the largest offset, never fewer
 * (a cut offset reads as another, valid offset). Hex keeps an even count, at
 * least 4; decimal at least 4. */
guint
_hm_hex_view_offset_digits (HmHexView *self)
{
  guint64 last = _hm_hex_view_max_offset (self);
  guint digits = 1;

  if (self->offset_format == HM_OFFSET_FORMAT_DECIMAL)
    {
      while (last >= 10)
        {
          last /= 10;
          digits++;
        }
      return MAX (digits, 4);
    }
  return _hm_hex_view_digits_for_size (last + 1 > last ? last + 1 : last);
}

/* Writes the offset as the view draws it, in self->offset_digits digits or more
 * (an offset never loses a digit), into @buffer of at least 24 bytes; returns
 * its length. */
int
_hm_hex_view_format_offset (HmHexView *self,
                            guint64    offset,
                            char      *buffer)
{
  int digits = (int) MAX (self->offset_digits, 1);

  if (self->offset_format == HM_OFFSET_FORMAT_DECIMAL)
    return g_snprintf (buffer, 24, "%0*" G_GUINT64_FORMAT, digits, offset);
  return g_snprintf (buffer, 24, "%0*" G_GINT64_MODIFIER "x", digits, offset);
}

/**
 * hm_hex_view_format_offset:
 * @self: a #HmHexView
 * @offset: an offset
 *
 * Returns: (transfer full): @offset as the view's offset column shows it
 */
char *
hm_hex_view_format_offset (HmHexView *self,
                           guint64    offset)
{
  char buffer[24];

  g_return_val_if_fail (HM_IS_HEX_VIEW (self), NULL);
  _hm_hex_view_format_offset (self, offset, buffer);
  return g_strdup (buffer);
}

int
_hm_hex_view_hex_col (HmHexView *self)
{
  return 1 + (int) self->offset_digits + 2;
}

/* An extra space every column_gap bytes, where it is more than a group. */
static guint
gap_of (HmHexView *self)
{
  return self->column_gap > self->group_size ? self->column_gap : 0;
}

static int
hex_chars (guint bytes_per_row,
           guint group_size,
           guint gap)
{
  int n = 2 * (int) bytes_per_row + ((int) bytes_per_row - 1) / (int) group_size;

  if (gap > 0)
    n += ((int) bytes_per_row - 1) / (int) gap;
  return n;
}

int
_hm_hex_view_text_col (HmHexView *self)
{
  return _hm_hex_view_hex_col (self) + hex_chars (self->bytes_per_row, self->group_size, gap_of (self)) + 2;
}

static int
total_cols (HmHexView *self,
            guint      offset_digits,
            guint      bytes_per_row)
{
  return 1 + (int) offset_digits + 2 + hex_chars (bytes_per_row, self->group_size, gap_of (self)) + 2
         + (int) bytes_per_row + 1;
}

int
_hm_hex_view_total_cols (HmHexView *self,
                         guint      bytes_per_row)
{
  return total_cols (self, self->offset_digits, bytes_per_row);
}

int
_hm_hex_view_hex_byte_col (HmHexView *self,
                           guint      index)
{
  guint gap = gap_of (self);
  int col = _hm_hex_view_hex_col (self) + 2 * (int) index + (int) (index / self->group_size);

  if (gap > 0)
    col += (int) (index / gap);
  return col;
}

/* The automatic choice is the largest power of two up to this that fits: rows
 * then start at round offsets (…00, …40), and wider rows are hard to read. */
#define AUTO_MAX_BYTES_PER_ROW 64u

static guint
fit_bytes_per_row (HmHexView *self,
                   guint      digits,
                   int        width)
{
  guint n;

  if (self->cell_width <= 0)
    return self->fixed_bytes_per_row > 0 ? self->fixed_bytes_per_row : 16;
  /* The user's choice, when it fits. */
  if (self->fixed_bytes_per_row > 0
      && total_cols (self, digits, self->fixed_bytes_per_row) * self->cell_width <= width)
    return self->fixed_bytes_per_row;
  /* Otherwise the largest power of two that fits, down to one byte: the offsets
   * keep every digit and the row gives up bytes instead. */
  n = AUTO_MAX_BYTES_PER_ROW;
  if (self->fixed_bytes_per_row > 0)
    while (n >= self->fixed_bytes_per_row && n > 1)
      n /= 2;
  while (n > 1 && total_cols (self, digits, n) * self->cell_width > width)
    n /= 2;
  return n;
}

/**
 * _hm_hex_view_compute_layout:
 * @self: a #HmHexView
 * @width: the pixels the columns may take (the scrollbar's already taken off)
 * @layout: (out): what fits
 *
 * The layout a width gives for the current document, font, grouping and offset
 * format, without changing the view: size_allocate uses it, and tests call it
 * for any width.
 */
void
_hm_hex_view_compute_layout (HmHexView   *self,
                             int          width,
                             HmHexLayout *layout)
{
  _hm_hex_view_ensure_font (self);
  layout->offset_digits = _hm_hex_view_offset_digits (self);
  layout->bytes_per_row = fit_bytes_per_row (self, layout->offset_digits, width);
  layout->total_cols = total_cols (self, layout->offset_digits, layout->bytes_per_row);
  layout->width = layout->total_cols * self->cell_width;
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

  y = CLAMP (y - self->header_height, 0, MAX (self->content_height - 1, 0));
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
      guint lo = 0, hi = self->bytes_per_row - 1;

      /* The last byte that starts at or before the column: a click on the space
       * after a byte (or a group, or a gap) picks that byte. */
      *pane = HM_HEX_PANE_HEX;
      while (lo < hi)
        {
          guint mid = lo + (hi - lo + 1) / 2;

          if (_hm_hex_view_hex_byte_col (self, mid) <= col)
            lo = mid;
          else
            hi = mid - 1;
        }
      index = lo;
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
