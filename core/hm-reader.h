/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-document.h"

G_BEGIN_DECLS

/*
 * HmReader: the one way to read a document for display without blocking. Direct
 * reads answer at once (local storage); worker reads never wait for storage that
 * may stall (network and FUSE mounts). hm_reader_read_ranges_async() reads a few
 * scattered ranges on a worker (panel values, previews, checks of matches).
 */
typedef struct _HmReader HmReader;

/**
 * HmReaderFlags:
 * @HM_READER_HOLE: the byte lies in a hole
 * @HM_READER_FAULT: the byte's page could not be read; with a worker it is
 *   remembered as unreadable until hm_reader_retry()
 * @HM_READER_MISSING: the byte lies past the end of the file
 * @HM_READER_LOADING: the byte has not been read yet: draw a placeholder
 *
 * What hm_reader_fill() says about each byte. The values leave room for a view's
 * own per-byte flags (bits 2, 3 and 5), so it can use them as they are.
 */
typedef enum
{
  HM_READER_HOLE    = 1 << 0,
  HM_READER_FAULT   = 1 << 1,
  HM_READER_MISSING = 1 << 4,
  HM_READER_LOADING = 1 << 6,
} HmReaderFlags;

/**
 * HmReaderPeek:
 * @HM_READER_PEEK_LOADED: the byte is known
 * @HM_READER_PEEK_LOADING: the byte has not been read yet
 * @HM_READER_PEEK_UNREADABLE: the byte's page could not be read, or it lies past
 *   the end of the file
 */
typedef enum
{
  HM_READER_PEEK_LOADED,
  HM_READER_PEEK_LOADING,
  HM_READER_PEEK_UNREADABLE,
} HmReaderPeek;

/**
 * HmReaderReadyFunc:
 * @fault: (nullable): the first read error since the last call, if any
 * @user_data: the data given to hm_reader_new()
 *
 * Bytes arrived, or a read failed: draw again. Called on the main context of the
 * thread that created the reader, never after hm_reader_free().
 */
typedef void (*HmReaderReadyFunc) (const GError *fault,
                                   gpointer      user_data);


HmReader     *hm_reader_new             (HmDocument        *document,
                                         gboolean           use_worker,
                                         HmReaderReadyFunc  ready,
                                         gpointer           user_data);
void          hm_reader_free            (HmReader          *self);
gboolean      hm_reader_get_uses_worker (HmReader          *self);
gboolean      hm_reader_fill            (HmReader          *self,
                                         guint64            first,
                                         gsize              length,
                                         guint8            *bytes,
                                         guint8            *flags);
HmReaderPeek  hm_reader_peek            (HmReader          *self,
                                         guint64            offset,
                                         guint8            *byte);
void          hm_reader_invalidate      (HmReader          *self,
                                         guint64            offset,
                                         guint64            length);
void          hm_reader_retry           (HmReader          *self);
guint         hm_reader_get_n_reads     (HmReader          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HmReader, hm_reader_free)

/**
 * HmReadItem:
 * @offset: where the read started
 * @bytes: (nullable): the bytes (short at the end of the file), or %NULL if
 *   they could not be read
 * @error: (nullable): why @bytes is %NULL
 *
 * One range read by hm_reader_read_ranges_async().
 */
typedef struct
{
  guint64  offset;
  GBytes  *bytes;
  GError  *error;
} HmReadItem;

void          hm_reader_read_ranges_async  (HmDocument          *document,
                                            const HmRange       *ranges,
                                            guint                n_ranges,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray    *hm_reader_read_ranges_finish (GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
