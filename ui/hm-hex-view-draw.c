/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView drawing: the glyph cache and the snapshot of the visible rows.
 *
 * Every glyph of the monospace font is shaped once per font into a cache. A frame
 * reads the visible bytes (hm-hex-view-read.c), draws the backgrounds (edits,
 * matches, selection, cursor), then the text: one text node per colour per row,
 * its glyphs filled straight from the cache, from left to right. The colours are
 * looked up by name in data/style.css for each frame, with a built-in palette as
 * fallback.
 */
#include "config.h"

#include <string.h>

#include "hm-hex-view-private.h"

static const struct
{
  const char *name;
  const char *fallback;
} palette_names[N_COLORS] = {
  [INK_OFFSET]      = { "hm_offset_color",    "#77767b" },
  [INK_ZERO]        = { "hm_zero_color",      "#9a9996" },
  [INK_PRINTABLE]   = { "hm_printable_color", "#241f31" },
  [INK_SPACE]       = { "hm_whitespace_color", "#1a5fb4" },
  [INK_CONTROL]     = { "hm_control_color",   "#26a269" },
  [INK_HIGH]        = { "hm_high_color",      "#c64600" },
  [INK_HOLE]        = { "hm_hole_color",      "rgba(154,153,150,0.45)" },
  [INK_FAULT]       = { "hm_fault_color",     "#e01b24" },
  [INK_LOADING]     = { "hm_loading_color",   "rgba(154,153,150,0.6)" },
  [COLOR_SELECTION] = { "hm_selection_color", "rgba(53,132,228,0.3)" },
  [COLOR_CURSOR]    = { "hm_cursor_color",    "rgba(53,132,228,0.6)" },
  [COLOR_PENDING]   = { "hm_pending_color",   "rgba(245,194,17,0.4)" },
  [COLOR_COMMITTED] = { "hm_committed_color", "rgba(46,194,126,0.3)" },
  [COLOR_MATCH]     = { "hm_match_color",     "rgba(192,97,203,0.35)" },
  [COLOR_DIFFERENCE] = { "hm_difference_color", "rgba(237,51,59,0.3)" },
  [COLOR_SEPARATOR] = { "hm_separator_color", "rgba(0,0,0,0.1)" },
  [COLOR_MARK]      = { "hm_mark_color",      "#e66100" },
};

static guint8 ink_of_byte[256];

void
_hm_hex_view_classify_bytes (void)
{
  for (guint b = 0; b < 256; b++)
    {
      if (b == 0)
        ink_of_byte[b] = INK_ZERO;
      else if (b == ' ' || (b >= '\t' && b <= '\r'))
        ink_of_byte[b] = INK_SPACE;
      else if (b > ' ' && b < 0x7f)
        ink_of_byte[b] = INK_PRINTABLE;
      else if (b < 0x80)
        ink_of_byte[b] = INK_CONTROL;
      else
        ink_of_byte[b] = INK_HIGH;
    }
}

/* ---- Font and glyph cache ---- */

void
_hm_hex_view_clear_font (HmHexView *self)
{
  g_clear_pointer (&self->font_desc, pango_font_description_free);
  g_clear_object (&self->font);
}

/* The font of the view: the widget's (the "font" setting through CSS), its
 * size scaled by the zoom. */
static PangoFontDescription *
zoomed_font_description (HmHexView    *self,
                         PangoContext *context)
{
  PangoFontDescription *desc = pango_font_description_copy (pango_context_get_font_description (context));
  int size = pango_font_description_get_size (desc);

  if (size > 0 && !G_APPROX_VALUE (self->zoom, 1.0, 1e-6))
    {
      int scaled = MAX ((int) (size * self->zoom + 0.5), PANGO_SCALE);

      if (pango_font_description_get_size_is_absolute (desc))
        pango_font_description_set_absolute_size (desc, scaled);
      else
        pango_font_description_set_size (desc, scaled);
    }
  return desc;
}

void
_hm_hex_view_ensure_font (HmHexView *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  g_autoptr(PangoFontDescription) desc = NULL;
  PangoGlyphString *shaped;
  PangoRectangle logical;
  PangoAttrList *attrs;
  int height;

  /* The cache is keyed on the widget's font; a new zoom clears it. */
  if (self->font != NULL && self->font_desc != NULL
      && pango_font_description_equal (pango_context_get_font_description (context), self->font_desc))
    return;

  _hm_hex_view_clear_font (self);
  self->font_desc = pango_font_description_copy (pango_context_get_font_description (context));
  desc = zoomed_font_description (self, context);
  memset (self->glyph_of, 0, sizeof self->glyph_of);
  shaped = pango_glyph_string_new ();
  attrs = pango_attr_list_new ();
  pango_attr_list_insert (attrs, pango_attr_font_desc_new (desc));

  /* Shape each printable ASCII character once; cells of other fonts (fallback) are
   * drawn with the primary font's glyph for '.', so one font serves the whole grid. */
  for (guint c = ' '; c < 0x7f; c++)
    {
      char text[2] = { (char) c, 0 };
      GList *items = pango_itemize (context, text, 0, 1, attrs, NULL);
      PangoItem *item = items != NULL ? items->data : NULL;

      if (item != NULL)
        {
          pango_shape (text, 1, &item->analysis, shaped);
          if (self->font == NULL)
            self->font = g_object_ref (item->analysis.font);
          if (item->analysis.font == self->font && shaped->num_glyphs == 1)
            {
              self->glyph_of[c] = shaped->glyphs[0].glyph;
              if (c == '0')
                self->glyph_width = shaped->glyphs[0].geometry.width;
            }
        }
      g_list_free_full (items, (GDestroyNotify) pango_item_free);
    }
  pango_glyph_string_free (shaped);
  pango_attr_list_unref (attrs);
  for (guint c = ' '; c < 0x7f; c++)
    if (self->glyph_of[c] == 0)
      self->glyph_of[c] = self->glyph_of['.'];

  if (self->font == NULL)
    {
      self->font = pango_context_load_font (context, desc);
      self->glyph_width = PANGO_SCALE * 8;
    }
  if (self->glyph_width <= 0)
    self->glyph_width = PANGO_SCALE * 8;

  /* Where each glyph's ink lies around its origin: see run_add(). */
  for (guint c = 0; c < 128; c++)
    {
      PangoRectangle ink;

      self->ink_left[c] = self->ink_right[c] = 0;
      if (self->glyph_of[c] == 0)
        continue;
      pango_font_get_glyph_extents (self->font, self->glyph_of[c], &ink, NULL);
      if (ink.width > 0 && ink.height > 0)
        {
          self->ink_left[c] = (float) ink.x / PANGO_SCALE;
          self->ink_right[c] = (float) (ink.x + ink.width) / PANGO_SCALE;
        }
    }

  /* The logical extents of a glyph carry the font's ascent and descent, the same
   * numbers as pango_font_get_metrics(), which costs more on the first frame: it
   * lays out a sample text to learn average widths we do not need. */
  pango_font_get_glyph_extents (self->font, self->glyph_of['0'], NULL, &logical);
  if (logical.height > 0)
    {
      self->ascent = PANGO_PIXELS_CEIL (-logical.y);
      height = self->ascent + PANGO_PIXELS_CEIL (logical.height + logical.y);
    }
  else
    {
      PangoFontMetrics *metrics = pango_font_get_metrics (self->font, NULL);

      self->ascent = PANGO_PIXELS_CEIL (pango_font_metrics_get_ascent (metrics));
      height = self->ascent + PANGO_PIXELS_CEIL (pango_font_metrics_get_descent (metrics));
      pango_font_metrics_unref (metrics);
    }

  /* A little leading keeps rows apart; rows are whole pixels so they stay crisp. */
  self->row_height = MAX (height + 2, 4);
  self->ascent += 1;
  self->cell_width = (double) self->glyph_width / PANGO_SCALE;
}

/* ---- Drawing ---- */

static void
update_palette (HmHexView *self)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  for (guint i = 0; i < N_COLORS; i++)
    if (!gtk_style_context_lookup_color (context, palette_names[i].name, &self->colors[i]))
      gdk_rgba_parse (&self->colors[i], palette_names[i].fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
flush_run (HmHexView *self,
           guint      ink)
{
  GlyphRun *run = &self->runs[ink];
  GskRenderNode *node;

  if (run->n == 0)
    return;
  run->glyphs->num_glyphs = run->n;
  node = gsk_text_node_new (self->font, run->glyphs, &self->colors[ink],
                            &GRAPHENE_POINT_INIT ((float) (run->start_col * self->cell_width),
                                                  self->text_baseline));
  if (node != NULL)
    {
      gtk_snapshot_append_node (self->text_snapshot, node);
      gsk_render_node_unref (node);
    }
  run->n = 0;
}

static void
flush_runs (HmHexView *self)
{
  for (guint i = 0; i < N_INKS; i++)
    flush_run (self, i);
}

/* Adds a glyph to the run of one colour. Runs go from left to right, and a run
 * whose next glyph would touch the ink of the glyphs before it (wide glyphs of a
 * proportional font, `_`, `W`) is drawn first and a new one started: cairo
 * composites a string of glyphs that do not overlap straight onto the surface,
 * but any overlap makes it draw the whole run into a mask first, as wide as the
 * run, which used to be most of the cost of a frame. Cairo may round glyph
 * positions to whole pixels, hence the pixel of margin. */
static inline void
run_add (HmHexView *self,
         guint      ink,
         int        col,
         guchar     c)
{
  GlyphRun *run = &self->runs[ink];
  PangoGlyphInfo *info;
  double x = col * self->cell_width;

  c &= 0x7f;
  if (run->n > 0 && (col < run->end_col || x + self->ink_left[c] < run->ink_right + 1.0))
    flush_run (self, ink);
  if (run->n > 0)
    run->glyphs->glyphs[run->n - 1].geometry.width += (col - run->end_col) * self->glyph_width;
  else
    {
      run->start_col = col;
      run->ink_right = -G_MAXDOUBLE;
    }
  info = &run->glyphs->glyphs[run->n++];
  info->glyph = self->glyph_of[c];
  info->geometry.width = self->glyph_width;
  info->geometry.x_offset = 0;
  info->geometry.y_offset = 0;
  info->attr.is_cluster_start = 1;
  info->attr.is_color = 0;
  run->end_col = col + 1;
  if (self->ink_right[c] > self->ink_left[c])
    run->ink_right = MAX (run->ink_right, x + self->ink_right[c]);
}

static void
ensure_run_capacity (HmHexView *self)
{
  /* Room for a whole row, and for an offset of 20 digits (G_MAXUINT64 in decimal). */
  int needed = _hm_hex_view_total_cols (self, self->bytes_per_row) + 24;

  for (guint i = 0; i < N_INKS; i++)
    {
      if (self->runs[i].glyphs == NULL)
        self->runs[i].glyphs = pango_glyph_string_new ();
      if (self->runs[i].glyphs->num_glyphs < needed)
        pango_glyph_string_set_size (self->runs[i].glyphs, needed);
      self->runs[i].n = 0;
    }
}

static void
append_rect (GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             double         x,
             double         y,
             double         width,
             double         height)
{
  graphene_rect_t rect = GRAPHENE_RECT_INIT ((float) x, (float) y, (float) width, (float) height);

  gtk_snapshot_append_color (snapshot, color, &rect);
}

/* Backgrounds for runs of bytes [a, b] within one row, in both panes. */
static void
append_span (HmHexView     *self,
             GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             int            y,
             guint          a,
             guint          b)
{
  double cw = self->cell_width;
  double hx = _hm_hex_view_hex_byte_col (self, a) * cw;
  double hw = (_hm_hex_view_hex_byte_col (self, b) + 2) * cw - hx;

  append_rect (snapshot, color, hx - cw / 4, y, hw + cw / 2, self->row_height);
  append_rect (snapshot, color, (_hm_hex_view_text_col (self) + (int) a) * cw, y, (b - a + 1) * cw,
               self->row_height);
}

static void
draw_flag_backgrounds (HmHexView   *self,
                       GtkSnapshot *snapshot,
                       const guint8 *flags,
                       guint        count,
                       int          y,
                       guint8       flag,
                       const GdkRGBA *color)
{
  guint i = 0;

  while (i < count)
    {
      guint j;

      if (!(flags[i] & flag))
        {
          i++;
          continue;
        }
      for (j = i; j + 1 < count && (flags[j + 1] & flag); j++)
        ;
      append_span (self, snapshot, color, y, i, j);
      i = j + 1;
    }
}

static void
draw_offset (HmHexView *self,
             guint64    offset)
{
  char text[24];
  int n = _hm_hex_view_format_offset (self, offset, text);

  for (int d = 0; d < n; d++)
    run_add (self, INK_OFFSET, 1 + d, (guchar) text[d]);
}

/* The header row: each byte's place in the row over the hex column (the first
 * byte of each group when bytes are grouped) and over the text column, in the
 * offset format: `00 01 … 0f` and `0123…f`, or `00 01 … 15` and `0123…5`. */
static void
draw_header (HmHexView   *self,
             GtkSnapshot *snapshot)
{
  gboolean decimal = self->offset_format == HM_OFFSET_FORMAT_DECIMAL;
  int tcol = _hm_hex_view_text_col (self);
  /* The cursor's column stands out, in the ink of text. */
  guint cursor_index = (guint) (self->cursor % self->bytes_per_row);
  guint cursor_group = cursor_index - cursor_index % self->group_size;

  append_rect (snapshot, &self->colors[COLOR_SEPARATOR], 0, self->header_height - 1, self->content_width, 1);
  self->text_baseline = (float) self->ascent;

  for (guint i = 0; i < self->bytes_per_row; i += self->group_size)
    {
      int col = _hm_hex_view_hex_byte_col (self, i);
      guint hi = decimal ? (i / 10) % 10 : (i >> 4) & 15;
      guint lo = decimal ? i % 10 : i & 15;
      guint ink = i == cursor_group ? INK_PRINTABLE : INK_OFFSET;

      run_add (self, ink, col, (guchar) hex_digits[hi]);
      run_add (self, ink, col + 1, (guchar) hex_digits[lo]);
    }
  for (guint i = 0; i < self->bytes_per_row; i++)
    run_add (self, i == cursor_index ? INK_PRINTABLE : INK_OFFSET, tcol + (int) i,
             (guchar) hex_digits[decimal ? i % 10 : i & 15]);
  flush_runs (self);
}

static void
draw_cursor (HmHexView   *self,
             GtkSnapshot *snapshot,
             guint        index,
             int          y)
{
  double cw = self->cell_width;
  double hx = _hm_hex_view_hex_byte_col (self, index) * cw;
  double tx = (_hm_hex_view_text_col (self) + (int) index) * cw;
  const GdkRGBA *color = &self->colors[COLOR_CURSOR];
  GdkRGBA outline[4] = { *color, *color, *color, *color };
  float widths[4] = { 1, 1, 1, 1 };
  gboolean focused = gtk_widget_has_focus (GTK_WIDGET (self));
  GskRoundedRect border;

  if (self->insert_mode)
    {
      /* Insert mode: a bar before the byte in the active pane, the byte's box in the other. */
      double bx = self->pane == HM_HEX_PANE_HEX ? hx - cw / 4 : tx;

      append_rect (snapshot, color, bx - 1, y, 2, self->row_height);
      if (self->pane == HM_HEX_PANE_HEX && self->low_nibble && focused)
        append_rect (snapshot, color, hx + cw, y + self->row_height - 2, cw, 2);
      if (self->pane == HM_HEX_PANE_HEX)
        gsk_rounded_rect_init_from_rect (&border, &GRAPHENE_RECT_INIT ((float) tx, (float) y, (float) cw,
                                                                       (float) self->row_height), 0);
      else
        gsk_rounded_rect_init_from_rect (&border, &GRAPHENE_RECT_INIT ((float) (hx - cw / 4), (float) y,
                                                                       (float) (2.5 * cw),
                                                                       (float) self->row_height), 0);
    }
  else if (self->pane == HM_HEX_PANE_HEX)
    {
      double nx = hx + (self->low_nibble ? cw : 0);

      append_rect (snapshot, color, hx - cw / 4, y, 2.5 * cw, self->row_height);
      if (focused)
        append_rect (snapshot, color, nx, y + self->row_height - 2, cw, 2);
      gsk_rounded_rect_init_from_rect (&border, &GRAPHENE_RECT_INIT ((float) tx, (float) y, (float) cw,
                                                                     (float) self->row_height), 0);
    }
  else
    {
      append_rect (snapshot, color, tx, y, cw, self->row_height);
      gsk_rounded_rect_init_from_rect (&border, &GRAPHENE_RECT_INIT ((float) (hx - cw / 4), (float) y,
                                                                     (float) (2.5 * cw),
                                                                     (float) self->row_height), 0);
    }
  gtk_snapshot_append_border (snapshot, &border, widths, outline);
}

static int
ink_of (guint8 b,
        guint8 f)
{
  if (f & FLAG_MISSING)
    return -1;
  if (f & FLAG_LOADING)
    return INK_LOADING;
  if (f & FLAG_FAULT)
    return INK_FAULT;
  if (f & FLAG_HOLE)
    return INK_HOLE;
  return ink_of_byte[b];
}

/* The glyphs of one row, each colour's run strictly from left to right: the hex
 * pane, then the text pane. Cairo composites a glyph string whose glyphs do not
 * overlap the ones before straight onto the surface; if any glyph falls inside
 * the box of the earlier ones (as a run that goes hex, text, hex, text does), it
 * first draws the whole run into a mask as wide as the row, which made up most of
 * the cost of a frame. */
static void
draw_row_text (HmHexView    *self,
               const guint8 *bytes,
               const guint8 *flags,
               guint         count)
{
  int tcol = _hm_hex_view_text_col (self);

  for (guint i = 0; i < count; i++)
    {
      guint8 b = bytes[i];
      int ink = ink_of (b, flags[i]);
      int col = _hm_hex_view_hex_byte_col (self, i);

      if (ink < 0)
        continue;
      if (ink == INK_LOADING)
        {
          /* Not read yet (slow storage): a dim placeholder. */
          run_add (self, (guint) ink, col, '.');
          run_add (self, (guint) ink, col + 1, '.');
        }
      else if (ink == INK_FAULT)
        {
          run_add (self, (guint) ink, col, '?');
          run_add (self, (guint) ink, col + 1, '?');
        }
      else
        {
          run_add (self, (guint) ink, col, (guchar) hex_digits[b >> 4]);
          run_add (self, (guint) ink, col + 1, (guchar) hex_digits[b & 15]);
        }
    }

  for (guint i = 0; i < count; i++)
    {
      guint8 b = bytes[i];
      int ink = ink_of (b, flags[i]);

      if (ink < 0)
        continue;
      if (ink == INK_LOADING)
        run_add (self, (guint) ink, tcol + (int) i, '.');
      else if (ink == INK_FAULT)
        run_add (self, (guint) ink, tcol + (int) i, '?');
      else if (b > ' ' && b < 0x7f)
        run_add (self, (guint) ink, tcol + (int) i, b);
      else if (b != ' ')
        run_add (self, (guint) ink, tcol + (int) i, '.');
    }
}

void
_hm_hex_view_snapshot_content (HmHexView   *self,
                               GtkSnapshot *snapshot)
{
  guint64 size = _hm_hex_view_doc_size (self);
  guint64 rows = _hm_hex_view_n_rows (self);
  guint bpr = self->bytes_per_row;
  guint n_draw;
  guint64 first;
  gsize length;
  double cw;

  if (self->document == NULL || size == 0 || self->content_width <= 0 || self->content_height <= 0)
    return;

  _hm_hex_view_ensure_font (self);
  update_palette (self);
  ensure_run_capacity (self);
  cw = self->cell_width;

  /* With the top row partly scrolled out, one more row shows at the bottom. */
  n_draw = (guint) ((self->content_height + self->scroll_pixel + self->row_height - 1) / self->row_height);
  n_draw = (guint) MIN ((guint64) n_draw, rows - MIN (self->top_row, rows));
  if (n_draw == 0)
    return;
  first = self->top_row * bpr;
  length = (gsize) MIN ((guint64) n_draw * bpr, size - first);

  _hm_hex_view_read_visible (self, first, length);

  /* A hairline between the panes, the header's height included. */
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, (float) self->content_width,
                                                         (float) (self->header_height + self->content_height)));
  append_rect (snapshot, &self->colors[COLOR_SEPARATOR], (_hm_hex_view_hex_col (self) - 1) * cw, 0, 1,
               self->header_height + self->content_height);
  append_rect (snapshot, &self->colors[COLOR_SEPARATOR], (_hm_hex_view_text_col (self) - 1) * cw, 0, 1,
               self->header_height + self->content_height);
  if (self->header_height > 0)
    {
      self->text_snapshot = snapshot;
      draw_header (self, snapshot);
      self->text_snapshot = NULL;
    }
  gtk_snapshot_pop (snapshot);

  /* The rows, below the header. */
  gtk_snapshot_save (snapshot);
  if (self->header_height > 0)
    gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, (float) self->header_height));
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, (float) self->content_width,
                                                         (float) self->content_height));

  /* Backgrounds. */
  {
    guint64 sel_start = hm_hex_view_get_selection_start (self);
    guint64 sel_end = sel_start + hm_hex_view_get_selection_length (self);

    for (guint r = 0; r < n_draw; r++)
      {
        guint64 row_first = first + (guint64) r * bpr;
        guint count = (guint) MIN ((guint64) bpr, first + length - row_first);
        const guint8 *flags = self->flags + (row_first - first);
        int y = (int) r * self->row_height - self->scroll_pixel;

        draw_flag_backgrounds (self, snapshot, flags, count, y, FLAG_COMMITTED, &self->colors[COLOR_COMMITTED]);
        draw_flag_backgrounds (self, snapshot, flags, count, y, FLAG_PENDING, &self->colors[COLOR_PENDING]);
        draw_flag_backgrounds (self, snapshot, flags, count, y, FLAG_DIFFERENT, &self->colors[COLOR_DIFFERENCE]);
        draw_flag_backgrounds (self, snapshot, flags, count, y, FLAG_MATCH, &self->colors[COLOR_MATCH]);
        if (sel_end > row_first && sel_start < row_first + count)
          {
            guint a = (guint) (MAX (sel_start, row_first) - row_first);
            guint b = (guint) (MIN (sel_end, row_first + count) - row_first - 1);

            append_span (self, snapshot, &self->colors[COLOR_SELECTION], y, a, b);
          }
        _hm_hex_view_snapshot_marks (self, snapshot, row_first, count, (float) y);
        /* In insert mode the cursor may stand just past the last byte. */
        if (self->cursor >= row_first
            && (self->cursor < row_first + count || (self->cursor == size && count < bpr)))
          draw_cursor (self, snapshot, (guint) (self->cursor - row_first), y);
      }
  }

  /* Text: one node per colour per row, its glyphs from left to right. */
  self->text_snapshot = snapshot;
  for (guint r = 0; r < n_draw; r++)
    {
      guint64 row_first = first + (guint64) r * bpr;
      guint count = (guint) MIN ((guint64) bpr, first + length - row_first);

      self->text_baseline = (float) ((int) r * self->row_height - self->scroll_pixel + self->ascent);
      draw_offset (self, row_first);
      draw_row_text (self, self->bytes + (row_first - first), self->flags + (row_first - first), count);
      flush_runs (self);
    }
  self->text_snapshot = NULL;

  gtk_snapshot_pop (snapshot);
  gtk_snapshot_restore (snapshot);
  self->frames_drawn++;
}

/* ---- For tests ---- */

double
_hm_hex_view_get_cell_width (HmHexView *self)
{
  _hm_hex_view_ensure_font (self);
  return self->cell_width;
}

int
_hm_hex_view_get_row_height (HmHexView *self)
{
  _hm_hex_view_ensure_font (self);
  return self->row_height;
}

PangoFont *
_hm_hex_view_get_font (HmHexView *self)
{
  _hm_hex_view_ensure_font (self);
  return self->font;
}

gunichar
_hm_hex_view_char_for_glyph (HmHexView  *self,
                             PangoGlyph  glyph)
{
  for (guint c = '!'; c < 0x7f; c++)
    if (self->glyph_of[c] == glyph && (c == '.' || self->glyph_of[c] != self->glyph_of['.']))
      return c;
  return 0;
}

guint
_hm_hex_view_get_frames_drawn (HmHexView *self)
{
  return self->frames_drawn;
}
