/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-compare.h"

G_BEGIN_DECLS

/* The instance struct is shared by the files that implement HmCompare:
 * hm-compare.c (the object, reading, byte-for-byte compare on worker threads)
 * and hm-compare-align.c (the insertion-aware compare). */
struct _HmCompare
{
  GObject            parent_instance;

  HmDocument        *a;
  HmDocument        *b;
  HmCompareMode      mode;
  guint64            offset;
  guint64            length;
  gsize              max_memory;
  gsize              chunk_size;
  guint              n_threads;

  HmCompareRunFunc   run_func;
  gpointer           run_data;
  GDestroyNotify     run_destroy;
  HmCompareHunkFunc  hunk_func;
  gpointer           hunk_data;
  GDestroyNotify     hunk_destroy;
  HmProgressFunc     progress_func;
  gpointer           progress_data;
  GDestroyNotify     progress_destroy;

  gboolean           running;
  gint64             last_progress;

  /* Results of the last run. */
  guint64            n_differences;
  guint64            n_unaligned;
  gsize              peak_memory;
};

/* The part of @doc a compare looks at: [*start, *end). */
void     _hm_compare_get_range     (HmCompare    *self,
                                    HmDocument   *doc,
                                    guint64      *start,
                                    guint64      *end);
gboolean _hm_compare_read          (HmDocument   *doc,
                                    guint64       offset,
                                    guint8       *buffer,
                                    gsize         length,
                                    GError      **error);
gboolean _hm_compare_check_end     (HmDocument   *doc,
                                    guint64       start,
                                    guint64       end,
                                    GError      **error);
void     _hm_compare_progress      (HmCompare    *self,
                                    guint64       done,
                                    guint64       total,
                                    gboolean      force);

/* Byte kernels: the length of the common prefix of @a and @b, and the length
 * of the prefix where they differ at every byte. */
gsize    _hm_compare_equal_span    (const guint8 *a,
                                    const guint8 *b,
                                    gsize         length);
gsize    _hm_compare_differ_span   (const guint8 *a,
                                    const guint8 *b,
                                    gsize         length);

/* hm-compare-align.c */
gboolean _hm_compare_run_insertions (HmCompare    *self,
                                     GCancellable *cancellable,
                                     GError      **error);

G_END_DECLS
