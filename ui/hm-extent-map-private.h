/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

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

G_END_DECLS
