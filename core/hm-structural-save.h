/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "hm-document.h"

G_BEGIN_DECLS

/**
 * HmSegmentKind:
 * @HM_SEGMENT_FILE: a run of the file as it is on disk now
 * @HM_SEGMENT_DATA: new bytes, supplied by the caller's #HmSegmentReadFunc
 */
typedef enum
{
  HM_SEGMENT_FILE,
  HM_SEGMENT_DATA,
} HmSegmentKind;

/**
 * HmSegment:
 * @kind: what the bytes are
 * @length: how many bytes
 * @source: FILE: where these bytes are in the file as it is on disk now; DATA: unused
 *
 * One piece of the new content; the new content is the segments in order.
 */
typedef struct
{
  HmSegmentKind kind;
  guint64       length;
  guint64       source;
} HmSegment;

/**
 * HmSegmentReadFunc:
 * @user_data: the data given to hm_save_plan_execute()
 * @new_offset: an offset in the NEW content, inside a DATA segment
 * @buffer: where to put the bytes
 * @length: how many bytes, at most 4 MiB, never past the end of the segment
 * @error: return location for an error
 *
 * Fills @buffer with the DATA bytes that belong at @new_offset. Called from
 * the saving thread, always before the first byte of the file changes.
 */
typedef gboolean (*HmSegmentReadFunc) (gpointer  user_data,
                                       guint64   new_offset,
                                       guint8   *buffer,
                                       gsize     length,
                                       GError  **error);

/* A planned structural save: see hm-structural-save.c. */
typedef struct _HmSavePlan HmSavePlan;

HmSavePlan *hm_save_plan_new                (int                 fd,
                                             const HmSegment    *segments,
                                             guint               n_segments,
                                             GError            **error);
guint64     hm_save_plan_get_new_size       (HmSavePlan         *plan);
guint64     hm_save_plan_get_bytes_to_move  (HmSavePlan         *plan);
guint64     hm_save_plan_get_bytes_to_write (HmSavePlan         *plan);
guint       hm_save_plan_get_range_changes  (HmSavePlan         *plan);
char       *hm_save_plan_describe           (HmSavePlan         *plan);
gboolean    hm_save_plan_execute            (HmSavePlan         *plan,
                                             int                 fd,
                                             const char         *path,
                                             const char         *display_name,
                                             HmSegmentReadFunc   read_data,
                                             gpointer            user_data,
                                             HmProgressFunc      progress,
                                             gpointer            progress_data,
                                             GCancellable       *cancellable,
                                             GError            **error);
void        hm_save_plan_free               (HmSavePlan         *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HmSavePlan, hm_save_plan_free)

G_END_DECLS
