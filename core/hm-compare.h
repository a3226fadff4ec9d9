/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "hm-document.h"

G_BEGIN_DECLS

/**
 * HmCompareMode:
 * @HM_COMPARE_BYTES: byte against byte at the same offset, like cmp: the result
 *   is the runs of differing bytes
 * @HM_COMPARE_INSERTIONS: find inserted, deleted and changed regions: the
 *   result is hunks that turn the first document into the second
 */
typedef enum
{
  HM_COMPARE_BYTES,
  HM_COMPARE_INSERTIONS,
} HmCompareMode;

/**
 * HmHunkFlags:
 * @HM_HUNK_NONE: an ordinary hunk: the documents agree right before and
 *   right after it
 * @HM_HUNK_UNALIGNED: the region was too different to align within the
 *   memory bound (see hm_compare_set_max_memory()): the hunk replaces all of
 *   it, though smaller edits might describe it
 */
typedef enum
{
  HM_HUNK_NONE = 0,
  HM_HUNK_UNALIGNED = 1 << 0,
} HmHunkFlags;

/**
 * HmHunk:
 * @a_offset: where the region starts in the first document
 * @a_length: its length there (0 for a pure insertion)
 * @b_offset: where it starts in the second document
 * @b_length: its length there (0 for a pure deletion)
 * @flags: #HmHunkFlags
 *
 * One difference found by %HM_COMPARE_INSERTIONS: replacing @a_length bytes
 * at @a_offset of the first document with the @b_length bytes at @b_offset of
 * the second, for every hunk in order, gives the second document.
 */
typedef struct
{
  guint64     a_offset;
  guint64     a_length;
  guint64     b_offset;
  guint64     b_length;
  HmHunkFlags flags;
} HmHunk;

/**
 * HM_COMPARE_DEFAULT_MAX_MEMORY:
 *
 * The default working memory of %HM_COMPARE_INSERTIONS: edits up to about a
 * third of it are aligned exactly.
 */
#define HM_COMPARE_DEFAULT_MAX_MEMORY (64u * 1024u * 1024u)

/**
 * HM_COMPARE_MIN_MEMORY:
 *
 * The smallest working memory hm_compare_set_max_memory() accepts.
 */
#define HM_COMPARE_MIN_MEMORY (64u * 1024u)

/**
 * HmCompareRunFunc:
 * @offset: first differing byte
 * @length: number of consecutive differing bytes
 * @user_data: the data given with the function
 *
 * Receives the runs of %HM_COMPARE_BYTES in ascending order, each run whole
 * (never split at a chunk or thread boundary), on the thread running the
 * compare.
 *
 * Returns: %TRUE to go on, %FALSE to stop the compare
 */
typedef gboolean (*HmCompareRunFunc) (guint64  offset,
                                      guint64  length,
                                      gpointer user_data);

/**
 * HmCompareHunkFunc:
 * @hunk: the next hunk
 * @user_data: the data given with the function
 *
 * Receives the hunks of %HM_COMPARE_INSERTIONS in order, on the thread running
 * the compare.
 *
 * Returns: %TRUE to go on, %FALSE to stop the compare
 */
typedef gboolean (*HmCompareHunkFunc) (const HmHunk *hunk,
                                       gpointer      user_data);

#define HM_TYPE_COMPARE (hm_compare_get_type ())
G_DECLARE_FINAL_TYPE (HmCompare, hm_compare, HM, COMPARE, GObject)

HmCompare    *hm_compare_new                (HmDocument         *a,
                                             HmDocument         *b);

void          hm_compare_set_mode           (HmCompare          *self,
                                             HmCompareMode       mode);
void          hm_compare_set_range          (HmCompare          *self,
                                             guint64             offset,
                                             guint64             length);
void          hm_compare_set_max_memory     (HmCompare          *self,
                                             gsize               max_memory);
void          hm_compare_set_run_func       (HmCompare          *self,
                                             HmCompareRunFunc    func,
                                             gpointer            user_data,
                                             GDestroyNotify      destroy);
void          hm_compare_set_hunk_func      (HmCompare          *self,
                                             HmCompareHunkFunc   func,
                                             gpointer            user_data,
                                             GDestroyNotify      destroy);
void          hm_compare_set_progress_func  (HmCompare          *self,
                                             HmProgressFunc      func,
                                             gpointer            user_data,
                                             GDestroyNotify      destroy);

/* For tests and benchmarks: the defaults are what users want. */
void          hm_compare_set_chunk_size     (HmCompare          *self,
                                             gsize               chunk_size);
void          hm_compare_set_n_threads      (HmCompare          *self,
                                             guint               n_threads);

gboolean      hm_compare_run                (HmCompare          *self,
                                             GCancellable       *cancellable,
                                             GError            **error);
void          hm_compare_run_async          (HmCompare          *self,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
gboolean      hm_compare_run_finish         (HmCompare          *self,
                                             GAsyncResult       *result,
                                             GError            **error);

guint64       hm_compare_get_n_differences  (HmCompare          *self);
guint64       hm_compare_get_n_unaligned    (HmCompare          *self);
gsize         hm_compare_get_peak_memory    (HmCompare          *self);

G_END_DECLS
