/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-hex-view.h"

G_BEGIN_DECLS

/* For tests and benchmarks only: geometry in pixels and the glyph cache, so a test can
 * turn the text nodes of a frame back into characters. */

double      _hm_hex_view_get_cell_width     (HmHexView  *self);
int         _hm_hex_view_get_row_height     (HmHexView  *self);
PangoFont  *_hm_hex_view_get_font           (HmHexView  *self);
gunichar    _hm_hex_view_char_for_glyph     (HmHexView  *self,
                                             PangoGlyph  glyph);
guint       _hm_hex_view_get_frames_drawn   (HmHexView  *self);
gboolean    _hm_hex_view_key_press          (HmHexView  *self,
                                             guint       keyval,
                                             GdkModifierType state);
void        _hm_hex_view_snapshot_content   (HmHexView  *self,
                                             GtkSnapshot *snapshot);
/* Smooth scrolling as touchpad and wheel do it, and the pixels of the top row scrolled out. */
void        _hm_hex_view_scroll_pixels      (HmHexView  *self,
                                             double      pixels);
int         _hm_hex_view_get_scroll_pixel   (HmHexView  *self);
/* Reads through the worker thread even for a local file (tests), and what it did. */
void        _hm_hex_view_set_async_reads    (HmHexView  *self,
                                             gboolean    async_reads);
gboolean    _hm_hex_view_get_async_reads    (HmHexView  *self);
guint       _hm_hex_view_get_n_async_reads  (HmHexView  *self);

G_END_DECLS
