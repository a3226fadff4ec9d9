/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-entropy.h"
#include "hm-extent-map.h"
#include "hm-hex-view.h"

G_BEGIN_DECLS

/* The page wires the map to its view and document; (NULL, NULL) detaches. */
void         _hm_extent_map_attach      (HmExtentMap *self,
                                         HmHexView   *view,
                                         HmDocument  *document);

/* For tests: the view it is attached to. */
HmHexView   *_hm_extent_map_get_view    (HmExtentMap *self);

/* For tests: the share of data in each bucket (one bucket per pixel row, top
 * first), as last computed; NULL while none is ready. */
const float *_hm_extent_map_get_buckets (HmExtentMap *self,
                                         guint       *n_buckets);

/* For tests: what the bytes are (NULL where the map does not read them), each
 * pixel row's #HmByteClass as last drawn (NULL until drawn), and the tooltip
 * at @y pixels down. */
HmEntropyMap *_hm_extent_map_get_entropy     (HmExtentMap *self);
const guint8 *_hm_extent_map_get_row_classes (HmExtentMap *self,
                                              guint       *n_rows);
char         *_hm_extent_map_describe        (HmExtentMap *self,
                                              double       y);

G_END_DECLS
