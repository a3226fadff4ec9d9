/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "hm-core-enums.h"

G_BEGIN_DECLS

#define HM_DOCUMENT_ERROR (hm_document_error_quark ())

/**
 * HmDocumentError:
 * @HM_DOCUMENT_ERROR_NOT_MAPPABLE: the file cannot be mapped (pipe, FIFO, /proc, sysfs,
 *   character device, directory)
 * @HM_DOCUMENT_ERROR_READ_ONLY: an edit was attempted on a read-only document
 * @HM_DOCUMENT_ERROR_CONFLICT: the file changed on disk since it was opened or committed
 * @HM_DOCUMENT_ERROR_OUT_OF_RANGE: an offset or length lies outside the file
 * @HM_DOCUMENT_ERROR_BUSY: the operation is not possible in the current state
 * @HM_DOCUMENT_ERROR_INTERRUPTED_SAVE: a save of the file was interrupted (a crash, a
 *   kill); the file may be part old, part new until hm_document_recover() runs
 *
 * Errors opening and editing documents. Errors from the system keep their
 * %G_IO_ERROR code; paging faults use %HM_FAULT_ERROR.
 */
typedef enum
{
  HM_DOCUMENT_ERROR_NOT_MAPPABLE,
  HM_DOCUMENT_ERROR_READ_ONLY,
  HM_DOCUMENT_ERROR_CONFLICT,
  HM_DOCUMENT_ERROR_OUT_OF_RANGE,
  HM_DOCUMENT_ERROR_BUSY,
  HM_DOCUMENT_ERROR_INTERRUPTED_SAVE,
} HmDocumentError;

/**
 * HmRecoverOutcome:
 * @HM_RECOVER_NOTHING: there was no interrupted save
 * @HM_RECOVER_ROLLED_BACK: the file is as it was before the interrupted save
 * @HM_RECOVER_COMPLETED: the save had completed; the file holds the new bytes
 *
 * What hm_document_recover() did.
 */
typedef enum
{
  HM_RECOVER_NOTHING,
  HM_RECOVER_ROLLED_BACK,
  HM_RECOVER_COMPLETED,
} HmRecoverOutcome;

GQuark hm_document_error_quark (void);

/**
 * HmFileKind:
 * @HM_FILE_KIND_REGULAR: a regular file
 * @HM_FILE_KIND_BLOCK_DEVICE: a block device; its size comes from BLKGETSIZE64
 * @HM_FILE_KIND_ZERO_DEVICE: /dev/zero, shown as an endless (2^62 byte) run of zeros
 */
typedef enum
{
  HM_FILE_KIND_REGULAR,
  HM_FILE_KIND_BLOCK_DEVICE,
  HM_FILE_KIND_ZERO_DEVICE,
} HmFileKind;

/**
 * HmFsKind:
 * @HM_FS_KIND_LOCAL: a local disk filesystem (ext4, xfs, btrfs, …)
 * @HM_FS_KIND_MEMORY: tmpfs, ramfs and other memory-backed filesystems
 * @HM_FS_KIND_NETWORK: NFS, CIFS/SMB, AFS, Ceph, …: reads may stall or fail
 * @HM_FS_KIND_FUSE: a FUSE filesystem (sshfs, GVfs, …): reads may stall or fail
 * @HM_FS_KIND_OTHER: anything else (devtmpfs for block devices, …)
 */
typedef enum
{
  HM_FS_KIND_LOCAL,
  HM_FS_KIND_MEMORY,
  HM_FS_KIND_NETWORK,
  HM_FS_KIND_FUSE,
  HM_FS_KIND_OTHER,
} HmFsKind;

/**
 * HmDocumentMode:
 * @HM_DOCUMENT_MODE_READ_ONLY: nothing can change the file; edits fail
 * @HM_DOCUMENT_MODE_PREVIEW: edits land in private copy-on-write views; the file is
 *   untouched until hm_document_save()
 * @HM_DOCUMENT_MODE_DIRECT: edits land in the file's page cache at once (other programs
 *   see them); saving only makes them durable
 */
typedef enum
{
  HM_DOCUMENT_MODE_READ_ONLY,
  HM_DOCUMENT_MODE_PREVIEW,
  HM_DOCUMENT_MODE_DIRECT,
} HmDocumentMode;

/**
 * HmExtent:
 * @offset: first byte
 * @length: number of bytes
 * @is_hole: %TRUE for a hole (reads as zeros, no disk blocks), %FALSE for data
 *
 * One run of the hole map.
 */
typedef struct
{
  guint64  offset;
  guint64  length;
  gboolean is_hole;
} HmExtent;

/**
 * HmDiskChange:
 * @HM_DISK_CHANGE_MODIFIED: another program changed the file (its size, or its
 *   modification time where that can be told apart from our own writes)
 * @HM_DISK_CHANGE_DELETED: the path no longer names a file: deleted or moved away
 *
 * What #HmDocument::disk-changed saw.
 */
typedef enum
{
  HM_DISK_CHANGE_MODIFIED,
  HM_DISK_CHANGE_DELETED,
} HmDiskChange;

#define HM_DOCUMENT_DEFAULT_WINDOW_SIZE (16u * 1024u * 1024u)
#define HM_ZERO_DEVICE_SIZE             (G_GUINT64_CONSTANT (1) << 62)

/*
 * Signals of HmDocument:
 *   "changed" (guint64 offset, guint64 length): bytes in that range changed (an edit,
 *     undo, redo, discard, commit, or a refresh after the file changed on disk). Emitted
 *     on the thread that made the change (the main thread for edits).
 *   "disk-changed" (HmDiskChange change, guint64 disk_size): another program changed or
 *     removed the file; see hm_document_watch_disk(). On the thread that started watching.
 *   "content-changed" (guint64 offset, guint64 removed, guint64 added): an insert, delete
 *     or resize (or its undo/redo) replaced @removed bytes at @offset by @added bytes;
 *     later bytes moved by added - removed. Bookmarks and views follow with
 *     hm_offset_through_edit(). Emitted before "changed" for the moved range.
 *   "notify::size", "notify::mode", "notify::can-undo", "notify::can-redo",
 *   "notify::has-pending", "notify::has-structural-pending", "notify::may-stall",
 *   "notify::disk-mtime": property changes.
 */
#define HM_TYPE_DOCUMENT (hm_document_get_type ())
G_DECLARE_FINAL_TYPE (HmDocument, hm_document, HM, DOCUMENT, GObject)

HmDocument     *hm_document_new                  (const char    *path,
                                                  GError       **error);
HmDocument     *hm_document_new_full             (const char    *path,
                                                  HmDocumentMode mode,
                                                  gsize          window_size,
                                                  GError       **error);

const char     *hm_document_get_path             (HmDocument    *self);
const char     *hm_document_get_display_name     (HmDocument    *self);
guint64         hm_document_get_size             (HmDocument    *self);
HmFileKind      hm_document_get_kind             (HmDocument    *self);
HmFsKind        hm_document_get_fs_kind          (HmDocument    *self);
const char     *hm_document_get_fs_type          (HmDocument    *self);
gboolean        hm_document_get_can_write        (HmDocument    *self);
gboolean        hm_document_get_device_in_use    (HmDocument    *self);
char           *hm_document_dup_read_only_reason (HmDocument    *self);
HmDocumentMode  hm_document_get_default_mode     (HmDocument    *self);
HmDocumentMode  hm_document_get_mode             (HmDocument    *self);
gsize           hm_document_get_window_size      (HmDocument    *self);
gboolean        hm_document_get_may_stall        (HmDocument    *self);
void            hm_document_set_may_stall        (HmDocument    *self,
                                                  gboolean       may_stall);

void            hm_document_watch_disk           (HmDocument    *self);
gint64          hm_document_get_disk_mtime       (HmDocument    *self);

gssize          hm_document_read                 (HmDocument    *self,
                                                  guint64        offset,
                                                  void          *buffer,
                                                  gsize          length,
                                                  GError       **error);
gboolean        hm_document_refresh              (HmDocument    *self,
                                                  GError       **error);

GArray         *hm_document_get_extents          (HmDocument    *self,
                                                  guint64        offset,
                                                  guint64        length);
gboolean        hm_document_is_hole              (HmDocument    *self,
                                                  guint64        offset,
                                                  guint64       *run_end);
gboolean        hm_document_next_data            (HmDocument    *self,
                                                  guint64        offset,
                                                  guint64       *result);
gboolean        hm_document_previous_data        (HmDocument    *self,
                                                  guint64        offset,
                                                  guint64       *result);
gboolean        hm_document_next_hole            (HmDocument    *self,
                                                  guint64        offset,
                                                  guint64       *result);
guint           hm_document_get_n_holes          (HmDocument    *self);
guint64         hm_document_get_data_bytes       (HmDocument    *self);
void            hm_document_count_holes_async    (HmDocument          *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean        hm_document_count_holes_finish   (HmDocument          *self,
                                                  GAsyncResult        *result,
                                                  guint               *n_holes,
                                                  guint64             *data_bytes,
                                                  GError             **error);
void            hm_document_get_extents_async    (HmDocument          *self,
                                                  guint64              offset,
                                                  guint64              length,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GArray         *hm_document_get_extents_finish   (HmDocument          *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

guint           hm_document_get_n_mapped_windows (HmDocument    *self);

/**
 * HmTimestampPolicy:
 * @HM_TIMESTAMP_NOW: set atime and mtime to the time of the save (the default: the
 *   kernel does not reliably update mtime for writes through a mapping)
 * @HM_TIMESTAMP_KEEP: restore the times the file had when it was opened
 * @HM_TIMESTAMP_EXPLICIT: set mtime to a given time, to the nanosecond
 */
typedef enum
{
  HM_TIMESTAMP_NOW,
  HM_TIMESTAMP_KEEP,
  HM_TIMESTAMP_EXPLICIT,
} HmTimestampPolicy;

/**
 * HmEditFlags:
 * @HM_EDIT_NONE: an ordinary edit: one undo step
 * @HM_EDIT_COALESCE: typing: merges with the previous step when that was a
 *   coalescing edit that ends where this one starts or overlaps it
 */
typedef enum
{
  HM_EDIT_NONE = 0,
  HM_EDIT_COALESCE = 1 << 0,
} HmEditFlags;

/**
 * HmRange:
 * @offset: first byte
 * @length: number of bytes
 */
typedef struct
{
  guint64 offset;
  guint64 length;
} HmRange;

guint           hm_ranges_find_end_after         (const GArray  *ranges,
                                                  guint64        offset);

/**
 * HM_MTIME_MIN:
 *
 * The earliest modification time (seconds since the epoch, 1901-12-13) a save
 * sets: what ext4 (large inodes), XFS (bigtime) and btrfs all store exactly.
 */
#define HM_MTIME_MIN G_GINT64_CONSTANT (-2147483648)
/**
 * HM_MTIME_MAX:
 *
 * The latest modification time a save sets (2446-05-10 22:38:55 UTC, with no
 * fraction of a second: ext4 clamps the nanoseconds there too).
 */
#define HM_MTIME_MAX G_GINT64_CONSTANT (15032385535)

/**
 * HmSaveOptions:
 * @timestamp: what to set the file's times to
 * @mtime_sec: with %HM_TIMESTAMP_EXPLICIT: seconds since the epoch
 * @mtime_nsec: with %HM_TIMESTAMP_EXPLICIT: nanoseconds
 * @force: write even if the file changed on disk since it was opened
 */
typedef struct
{
  HmTimestampPolicy timestamp;
  gint64            mtime_sec;
  glong             mtime_nsec;
  gboolean          force;
} HmSaveOptions;

/**
 * HmProgressFunc:
 * @done: bytes done
 * @total: bytes in all
 * @user_data: the data given with the function
 *
 * Progress of a long operation. Called from the thread doing the work.
 */
typedef void (*HmProgressFunc) (guint64  done,
                                guint64  total,
                                gpointer user_data);

gboolean        hm_save_options_validate         (const HmSaveOptions *options,
                                                  GError            **error);
gboolean        hm_document_set_mode             (HmDocument         *self,
                                                  HmDocumentMode      mode,
                                                  GError            **error);
gboolean        hm_document_write                (HmDocument         *self,
                                                  guint64             offset,
                                                  const void         *data,
                                                  gsize               length,
                                                  HmEditFlags         flags,
                                                  GError            **error);
gboolean        hm_document_fill                 (HmDocument         *self,
                                                  guint64             offset,
                                                  guint64             length,
                                                  const guint8       *pattern,
                                                  gsize               pattern_length,
                                                  GError            **error);
gboolean        hm_document_undo                 (HmDocument         *self,
                                                  GError            **error);
gboolean        hm_document_redo                 (HmDocument         *self,
                                                  GError            **error);
gboolean        hm_document_get_can_undo         (HmDocument         *self);
gboolean        hm_document_get_can_redo         (HmDocument         *self);
gboolean        hm_document_get_has_pending      (HmDocument         *self);
GArray         *hm_document_get_pending_ranges   (HmDocument         *self);
GArray         *hm_document_get_committed_ranges (HmDocument         *self);
gssize          hm_document_read_baseline        (HmDocument         *self,
                                                  guint64             offset,
                                                  void               *buffer,
                                                  gsize               length,
                                                  GError            **error);
gboolean        hm_document_discard              (HmDocument         *self,
                                                  GError            **error);
gboolean        hm_document_save                 (HmDocument         *self,
                                                  const HmSaveOptions *options,
                                                  GCancellable       *cancellable,
                                                  HmProgressFunc      progress,
                                                  gpointer            progress_data,
                                                  GError            **error);
void            hm_document_save_async           (HmDocument         *self,
                                                  const HmSaveOptions *options,
                                                  GCancellable       *cancellable,
                                                  HmProgressFunc      progress,
                                                  gpointer            progress_data,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
gboolean        hm_document_save_finish          (HmDocument         *self,
                                                  GAsyncResult       *result,
                                                  GError            **error);
gboolean        hm_document_save_as              (HmDocument         *self,
                                                  const char         *path,
                                                  GCancellable       *cancellable,
                                                  HmProgressFunc      progress,
                                                  gpointer            progress_data,
                                                  GError            **error);
void            hm_document_save_as_async        (HmDocument         *self,
                                                  const char         *path,
                                                  GCancellable       *cancellable,
                                                  HmProgressFunc      progress,
                                                  gpointer            progress_data,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
gboolean        hm_document_save_as_finish       (HmDocument         *self,
                                                  GAsyncResult       *result,
                                                  GError            **error);

gboolean        hm_document_insert               (HmDocument         *self,
                                                  guint64             offset,
                                                  const void         *data,
                                                  gsize               length,
                                                  HmEditFlags         flags,
                                                  GError            **error);
gboolean        hm_document_insert_fill          (HmDocument         *self,
                                                  guint64             offset,
                                                  guint64             length,
                                                  const guint8       *pattern,
                                                  gsize               pattern_length,
                                                  GError            **error);
gboolean        hm_document_delete               (HmDocument         *self,
                                                  guint64             offset,
                                                  guint64             length,
                                                  GError            **error);
gboolean        hm_document_set_size             (HmDocument         *self,
                                                  guint64             size,
                                                  GError            **error);
void            hm_document_break_coalescing     (HmDocument         *self);
void            hm_document_begin_group          (HmDocument         *self);
void            hm_document_end_group            (HmDocument         *self);
gboolean        hm_document_get_has_structural_pending (HmDocument   *self);
GPtrArray      *hm_document_describe_structural_edits  (HmDocument   *self);
guint64         hm_offset_through_edit           (guint64             offset,
                                                  guint64             edit_offset,
                                                  guint64             removed,
                                                  guint64             added,
                                                  gboolean           *deleted);

gboolean        hm_document_journal_range        (HmDocument         *self,
                                                  guint64             offset,
                                                  guint64             length,
                                                  GError            **error);
gboolean        hm_document_has_interrupted_save (const char         *path);
gboolean        hm_document_recover              (const char         *path,
                                                  HmRecoverOutcome   *outcome,
                                                  GError            **error);

const char     *hm_fs_kind_to_string             (HmFsKind       kind);
const char     *hm_file_kind_to_string           (HmFileKind     kind);
const char     *hm_document_mode_to_string       (HmDocumentMode mode);

G_END_DECLS
