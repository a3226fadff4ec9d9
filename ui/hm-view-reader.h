/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-document.h"

G_BEGIN_DECLS

/*
 * HmViewReader: the hex view's reads, done on a worker thread, for files on
 * storage that may stall or fail (network and FUSE mounts). Private to ui/.
 */
typedef struct _HmViewReader HmViewReader;

/**
 * HmViewReaderFlags:
 * @HM_VIEW_READER_HOLE: the byte lies in a hole
 * @HM_VIEW_READER_FAULT: the byte's page could not be read; it is remembered as
 *   unreadable until hm_view_reader_retry()
 * @HM_VIEW_READER_MISSING: the byte lies past the end of the file
 * @HM_VIEW_READER_LOADING: the byte has not been read yet: draw a placeholder
 *
 * What hm_view_reader_fill() says about each byte. The values are the hex view's
 * own per-byte flags, so it can use them as they are.
 */
typedef enum
{
  HM_VIEW_READER_HOLE    = 1 << 0,
  HM_VIEW_READER_FAULT   = 1 << 1,
  HM_VIEW_READER_MISSING = 1 << 4,
  HM_VIEW_READER_LOADING = 1 << 6,
} HmViewReaderFlags;

/**
 * HmViewReaderPeek:
 * @HM_VIEW_READER_PEEK_LOADED: the byte is known
 * @HM_VIEW_READER_PEEK_LOADING: the byte has not been read yet
 * @HM_VIEW_READER_PEEK_UNREADABLE: the byte's page could not be read, or it lies
 *   past the end of the file
 */
typedef enum
{
  HM_VIEW_READER_PEEK_LOADED,
  HM_VIEW_READER_PEEK_LOADING,
  HM_VIEW_READER_PEEK_UNREADABLE,
} HmViewReaderPeek;

/**
 * HmViewReaderReadyFunc:
 * @fault: (nullable): the first read error since the last call, if any
 * @user_data: the data given to hm_view_reader_new()
 *
 * Bytes arrived (or failed): draw again. Called on the main context of the
 * thread that created the reader, never after hm_view_reader_free().
 */
typedef void (*HmViewReaderReadyFunc) (const GError *fault,
                                       gpointer      user_data);

HmViewReader    *hm_view_reader_new        (HmDocument           *document,
                                            HmViewReaderReadyFunc ready,
                                            gpointer              user_data);
void             hm_view_reader_free       (HmViewReader         *self);
gboolean         hm_view_reader_fill       (HmViewReader         *self,
                                            guint64               first,
                                            gsize                 length,
                                            guint8               *bytes,
                                            guint8               *flags);
HmViewReaderPeek hm_view_reader_peek       (HmViewReader         *self,
                                            guint64               offset,
                                            guint8               *byte);
void             hm_view_reader_invalidate (HmViewReader         *self,
                                            guint64               offset,
                                            guint64               length);
void             hm_view_reader_retry      (HmViewReader         *self);
guint            hm_view_reader_get_n_reads (HmViewReader        *self);

G_END_DECLS
