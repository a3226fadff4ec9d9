/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-document.h"
#include "hm-fault.h"

G_BEGIN_DECLS

/*
 * HmBulk: reading a range of a document from start to end as fast as the
 * machine allows, for the scanners inside core/ (search, compare, checksums).
 * See hm-bulk.c for how a read path is chosen.
 *
 * A typical consumer (a checksum):
 *
 *   g_autoptr(HmBulk) bulk = hm_bulk_new (doc, 0, size, HM_BULK_ZERO_HOLES);
 *   HmBulkBlock block;
 *
 *   while (hm_bulk_next (bulk, &block, &local))
 *     if (!hm_bulk_run (bulk, &block, update_digest, &ctx, NULL, error))
 *       return FALSE;
 *   if (local != NULL)
 *     ...propagate
 */

/**
 * HmBulkPath:
 * @HM_BULK_PATH_AUTO: calibrate once per process (the default), or follow the
 *   environment variable `HEXMAP_BULK_PATH=pread|map`
 * @HM_BULK_PATH_PREAD: pread() into a reused, cache-sized buffer
 * @HM_BULK_PATH_MAP: the document's mapped windows, scanned in place
 *
 * How bulk reads reach the bytes. Both give the same bytes and the same errors.
 */
typedef enum
{
  HM_BULK_PATH_AUTO,
  HM_BULK_PATH_PREAD,
  HM_BULK_PATH_MAP,
} HmBulkPath;

/**
 * HmBulkFlags:
 * @HM_BULK_DEFAULT: holes come as %HM_BULK_HOLE blocks without bytes; a page
 *   that cannot be read ends the walk with an error
 * @HM_BULK_SKIP_FAULTS: an unreadable page comes as a %HM_BULK_FAULT block and
 *   the walk goes on after it (a truncated file: one block to the end, and the
 *   walk ends)
 * @HM_BULK_ZERO_HOLES: hole blocks carry zero bytes in @data too (at most one
 *   buffer at a time), for consumers that want every byte
 * @HM_BULK_OWN_STREAM: read a local file through an open file of its own, so
 *   that the kernel reads ahead for this reader as one stream; for readers that
 *   work side by side on one document (search workers)
 */
typedef enum
{
  HM_BULK_DEFAULT     = 0,
  HM_BULK_SKIP_FAULTS = 1 << 0,
  HM_BULK_ZERO_HOLES  = 1 << 1,
  HM_BULK_OWN_STREAM  = 1 << 2,
} HmBulkFlags;

/**
 * HmBulkKind:
 * @HM_BULK_DATA: bytes of the file (in preview mode: with the pending edits)
 * @HM_BULK_HOLE: a hole of the file: zeros that were not read
 * @HM_BULK_FAULT: bytes that could not be read (%HM_BULK_SKIP_FAULTS only)
 */
typedef enum
{
  HM_BULK_DATA,
  HM_BULK_HOLE,
  HM_BULK_FAULT,
} HmBulkKind;

/**
 * HmBulkBlock:
 * @kind: what the block holds
 * @offset: its first byte in the file
 * @length: its length; blocks follow each other without gaps
 * @data: the bytes (data blocks; hole blocks with %HM_BULK_ZERO_HOLES), valid
 *   until the next hm_bulk_next()
 * @mapped: @data lies in a mapped window: touch it only inside hm_bulk_run()
 * @error: why a fault block could not be read (a %HM_FAULT_ERROR naming the
 *   file and the offset), valid until the next hm_bulk_next()
 */
typedef struct
{
  HmBulkKind    kind;
  guint64       offset;
  guint64       length;
  const guint8 *data;
  gboolean      mapped;
  const GError *error;
} HmBulkBlock;

typedef struct _HmBulk HmBulk;

HmBulk     *hm_bulk_new             (HmDocument        *document,
                                     guint64            offset,
                                     guint64            length,
                                     HmBulkFlags        flags);
void        hm_bulk_free            (HmBulk            *self);
void        hm_bulk_set_range       (HmBulk            *self,
                                     guint64            offset,
                                     guint64            length);
gboolean    hm_bulk_next            (HmBulk            *self,
                                     HmBulkBlock       *block,
                                     GError           **error);
gboolean    hm_bulk_run             (HmBulk            *self,
                                     const HmBulkBlock *block,
                                     HmGuardedFunc      func,
                                     gpointer           user_data,
                                     guint64           *fault_offset,
                                     GError           **error);
HmBulkPath  hm_bulk_get_path_used   (HmBulk            *self);
gboolean    hm_bulk_has_own_stream  (HmBulk            *self);
gboolean    hm_bulk_saw_cold        (HmBulk            *self);

gboolean    hm_bulk_read            (HmDocument        *document,
                                     guint64            offset,
                                     void              *buffer,
                                     gsize              length,
                                     GError           **error);
void        hm_bulk_prefetch        (HmDocument        *document,
                                     guint64            offset,
                                     guint64            length);
GArray     *hm_bulk_get_segments    (HmDocument        *document,
                                     guint64            offset,
                                     guint64            length);

HmBulkPath  hm_bulk_choose_path     (HmDocument        *document,
                                     guint64            offset,
                                     guint64            length);
void        hm_bulk_set_path        (HmBulkPath         path);
gboolean    hm_bulk_get_calibration (double            *pread_rate,
                                     double            *map_rate,
                                     HmBulkPath        *chosen);

/* For tests: the buffer of bulks made from now on (0: the default). */
void        _hm_bulk_set_buffer_size (gsize             size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HmBulk, hm_bulk_free)

G_END_DECLS
