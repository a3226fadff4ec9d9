/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Internal to core/: the LRU cache of mapped windows behind HmDocument. */

typedef struct _HmWindowCache HmWindowCache;

/* How a window will be read: a sequential scan gets read-ahead. */
typedef enum
{
  HM_ACCESS_RANDOM,
  HM_ACCESS_SEQUENTIAL,
} HmAccessHint;

typedef struct _HmWindow HmWindow;

/* A mapped window, as the cache hands it out: the bytes stay mapped while the
 * caller holds it. */
struct _HmWindow
{
  guint64  offset;  /* page-aligned file offset of data[0] */
  gsize    length;  /* bytes mapped; never past the end of the file */
  guint8  *data;
};

HmWindowCache *hm_window_cache_new           (gsize          window_size,
                                              guint          max_idle);
void           hm_window_cache_free          (HmWindowCache *cache);
void           hm_window_cache_set_mapping   (HmWindowCache *cache,
                                              int            fd,
                                              int            prot,
                                              int            flags);
HmWindow      *hm_window_cache_acquire       (HmWindowCache *cache,
                                              guint64        offset,
                                              guint64        file_size,
                                              HmAccessHint   hint,
                                              GError       **error);
void           hm_window_cache_release       (HmWindowCache *cache,
                                              HmWindow      *window);
void           hm_window_cache_pin           (HmWindowCache *cache,
                                              HmWindow      *window);
void           hm_window_cache_unpin_all     (HmWindowCache *cache);
void           hm_window_cache_drop          (HmWindowCache *cache,
                                              gboolean       include_pinned);
void           hm_window_cache_drop_beyond   (HmWindowCache *cache,
                                              guint64        file_size);
void           hm_window_cache_layout        (gsize          window_size,
                                              guint64        offset,
                                              guint64        file_size,
                                              guint64       *start,
                                              gsize         *length,
                                              gsize         *mapped_length);
GPtrArray     *hm_window_cache_ref_pinned    (HmWindowCache *cache);
guint          hm_window_cache_get_n_mapped  (HmWindowCache *cache);
guint          hm_window_cache_get_n_pinned  (HmWindowCache *cache);

G_END_DECLS
