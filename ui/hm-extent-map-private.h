/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-extent-map.h"

G_BEGIN_DECLS

/* For tests: the share of data in each bucket (one bucket per pixel row, top
 * first), as last computed; NULL while none is ready. */
const float *_hm_extent_map_get_buckets (HmExtentMap *self,
                                         guint       *n_buckets);

G_END_DECLS
