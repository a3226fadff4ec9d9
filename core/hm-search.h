/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "hm-document.h"
#include "hm-pattern.h"
#include "hm-search-kernel.h"

G_BEGIN_DECLS

/**
 * HmSearchFlags:
 * @HM_SEARCH_NONE: forward from the start offset to the end of the file
 * @HM_SEARCH_BACKWARD: find matches that start before the start offset, nearest
 *   first
 * @HM_SEARCH_WRAP: after reaching the end (or, backward, the beginning) of the
 *   file, continue from the other end up to the start offset
 * @HM_SEARCH_SKIP_FAULTS: when a page cannot be read (I/O error), report it
 *   through the fault function and carry on after it instead of failing
 */
typedef enum
{
  HM_SEARCH_NONE = 0,
  HM_SEARCH_BACKWARD = 1 << 0,
  HM_SEARCH_WRAP = 1 << 1,
  HM_SEARCH_SKIP_FAULTS = 1 << 2,
} HmSearchFlags;

/**
 * HM_SEARCH_STORE_LIMIT:
 *
 * Without a match function a search keeps at most this many offsets for
 * hm_search_get_matches(); it keeps counting past it.
 */
#define HM_SEARCH_STORE_LIMIT 65536

/**
 * HmSearchMatchFunc:
 * @offset: file offset of a match
 * @user_data: the data given with the function
 *
 * Receives matches as they are found, in search order, on the thread running the
 * search.
 *
 * Returns: %TRUE to go on, %FALSE to stop the search
 */
typedef gboolean (*HmSearchMatchFunc) (guint64  offset,
                                       gpointer user_data);

/**
 * HmSearchFaultFunc:
 * @offset: first unreadable byte
 * @length: number of unreadable bytes
 * @error: why (a %HM_FAULT_ERROR)
 * @user_data: the data given with the function
 *
 * With %HM_SEARCH_SKIP_FAULTS: a range the search could not read and skipped.
 * Called on the thread running the search.
 */
typedef void (*HmSearchFaultFunc) (guint64       offset,
                                   guint64       length,
                                   const GError *error,
                                   gpointer      user_data);

#define HM_TYPE_SEARCH (hm_search_get_type ())
G_DECLARE_FINAL_TYPE (HmSearch, hm_search, HM, SEARCH, GObject)

HmSearch     *hm_search_new                (HmDocument         *document,
                                            HmPattern          *pattern);

void          hm_search_set_start          (HmSearch           *self,
                                            guint64             start);
void          hm_search_set_flags          (HmSearch           *self,
                                            HmSearchFlags       flags);
void          hm_search_set_max_matches    (HmSearch           *self,
                                            guint64             max_matches);
void          hm_search_set_kernel         (HmSearch           *self,
                                            HmSearchKernelImpl  impl);
void          hm_search_set_match_func     (HmSearch           *self,
                                            HmSearchMatchFunc   func,
                                            gpointer            user_data,
                                            GDestroyNotify      destroy);
void          hm_search_set_fault_func     (HmSearch           *self,
                                            HmSearchFaultFunc   func,
                                            gpointer            user_data,
                                            GDestroyNotify      destroy);
void          hm_search_set_progress_func  (HmSearch           *self,
                                            HmProgressFunc      func,
                                            gpointer            user_data,
                                            GDestroyNotify      destroy);

gboolean      hm_search_run                (HmSearch           *self,
                                            GCancellable       *cancellable,
                                            GError            **error);
void          hm_search_run_async          (HmSearch           *self,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean      hm_search_run_finish         (HmSearch           *self,
                                            GAsyncResult       *result,
                                            GError            **error);

guint64       hm_search_get_n_matches      (HmSearch           *self);
GArray       *hm_search_get_matches        (HmSearch           *self);
gboolean      hm_search_get_limit_reached  (HmSearch           *self);
guint64       hm_search_get_n_unreadable   (HmSearch           *self);

/* For tests and benchmarks only */
void          _hm_search_set_chunk_size    (HmSearch           *self,
                                            gsize               chunk_size);
void          _hm_search_set_n_threads     (HmSearch           *self,
                                            guint               n_threads);

G_END_DECLS
