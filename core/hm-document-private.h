/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-document.h"
#include "hm-window-cache.h"

#include <sys/stat.h>

G_BEGIN_DECLS

typedef struct _HmWindowCache HmWindowCache;
typedef struct _HmJournal HmJournal;
typedef struct _HmSaveJournal HmSaveJournal;
typedef struct _HmPieceTable HmPieceTable;
typedef struct _HmDraft HmDraft;

/* The instance struct is shared by the files that implement HmDocument, each
 * holding one job: hm-document.c (the class, opening, windows, reading),
 * hm-document-holes.c (the hole map), hm-document-mode.c (modes),
 * hm-document-edit.c (stores, undo, discard), hm-document-save.c (Save, Save As)
 * and hm-document-disk.c (the file on disk: conflict checks, the disk monitor).
 * Nothing outside core/ sees it. */
struct _HmDocument
{
  GObject         parent_instance;

  char           *path;
  char           *display_name;
  int             fd;           /* O_RDONLY, for reading and private maps */
  int             wfd;          /* O_RDWR when needed (direct mode, commit), else -1 */
  HmFileKind      kind;
  HmFsKind        fs_kind;
  char           *fs_type;
  gboolean        can_write;
  gboolean        device_in_use;  /* a block device mounted or held open exclusively */
  int             write_errno;    /* why access (W_OK) refused, or 0 */
  gboolean        fs_read_only;   /* the filesystem is mounted read-only */
  gboolean        may_stall;    /* reads may block or fail: network, FUSE */
  HmDocumentMode  mode;
  gsize           window_size;
  HmWindowCache  *cache;

  /* The file's identity and times when opened or last committed: a commit
   * checks them to detect changes behind our back; "keep" restores the times. */
  struct stat     baseline_stat;

  GMutex          lock;         /* protects size and extents (read from workers) */
  guint64         size;
  GArray         *extents;      /* HmExtent; NULL until first needed */
  GArray         *marks;        /* HmRange: holes stored into since the windows were
                                 * last dropped; re-applied after every rescan */

  /* Editing state, owned by hm-document-edit.c and hm-document-save.c. */
  HmJournal      *journal;
  /* Inserts and deletes (hm-document-structure.c): the content as pieces of the
   * file and inserted bytes; NULL until the first such edit. Changed on the main
   * thread under the lock; `structural` says it differs from the file as is. */
  HmPieceTable   *pieces;
  gboolean        structural;
  guint           group_depth;    /* hm_document_begin_group() nesting */
  guint           group_steps;    /* steps recorded in the open group */
  /* What the file should look like now: baseline_stat plus the effects of our
   * own writes (a direct-mode store moves mtime on ext4; a failed commit may have
   * preallocated blocks). The conflict check compares against it, so our own
   * writes are not mistaken for another program's. Unset: use baseline_stat. */
  struct stat     expected_stat;
  gboolean        expected_valid;
  gboolean        busy;           /* a save runs in a worker: edits are refused */
  guint           n_hole_replacements; /* anonymous zero pages mapped over holes
                                        * (tmpfs preview); reset when windows drop */
  /* Direct mode: the save journal holding the old bytes of the ranges stored
   * into since the last save (hm_document_journal_range()); NULL when none. */
  HmSaveJournal  *save_journal;
  /* A preview commit that failed and could not be rolled back (the storage
   * failed too): the next save rolls it back first. */
  HmSaveJournal  *unfinished_journal;
  gboolean        direct_redirty; /* a direct save's flush failed: store the bytes
                                   * again before the next one, since FUSE and
                                   * network filesystems report an error only once */

  /* The file at its path as last seen, for the disk monitor (hm-document-disk.c). */
  GFileMonitor   *monitor;
  gboolean        watching;       /* hm_document_watch_disk() was called */
  gboolean        disk_known;     /* the path named a file when last looked at */
  gboolean        disk_gone;      /* ... and has since been reported deleted */
  guint64         disk_size;
  struct timespec disk_mtime;
  guint           disk_inflight;  /* what the stat running on a worker is for */
  guint           disk_next;      /* and what to look at once it is back */

  /* The pending edits kept on disk (hm-drafts.c); NULL unless
   * hm_document_keep_drafts() was called. */
  HmDraft        *draft;
};

/* Zero-copy access to mapped windows, for the scanners inside core/ (search,
 * checksums, commit). Every touch of window->data must go through the fault guard
 * (hm-fault.h); on a fault, turn the address into an error with
 * _hm_document_fault_error(). A window stays mapped while you hold it. */

HmWindow *_hm_document_acquire_window (HmDocument  *self,
                                       guint64      offset,
                                       HmAccessHint hint,
                                       GError     **error);
void      _hm_document_release_window (HmDocument  *self,
                                       HmWindow    *window);
GError   *_hm_document_fault_error    (HmDocument  *self,
                                       guint64      offset,
                                       gboolean     writing);

/* The guarded walk over the windows that every read, scan and store shares:
 * take the window holding a position, check that it reaches past it, touch it
 * under the fault guard, turn a fault into an error, give the window back.
 * How trouble is reported is the caller's choice: */
typedef enum
{
  HM_GUARD_DEFAULT      = 0,
  /* The caller stores: faults are write faults, and a window that ends at or
   * before the position means the file "changed size" (reading: "grew"). */
  HM_GUARD_WRITING      = 1 << 0,
  /* For scanners: a position past the (new) end, or a window ending at or
   * before it, is a fault there (the file shrank under us) rather than an
   * out-of-range error or %HM_DOCUMENT_ERROR_BUSY. */
  HM_GUARD_END_IS_FAULT = 1 << 1,
  /* Faults come back as *fault_offset (the byte the kernel reported) with no
   * error, for a scanner that reports or skips them itself; so does a
   * truncation found when taking the window. */
  HM_GUARD_RAW_FAULTS   = 1 << 2,
  /* _hm_document_guard_window() only: return a window that ends at or before
   * the position; the caller decides. */
  HM_GUARD_ALLOW_SHORT  = 1 << 3,
} HmGuardFlags;

HmWindow *_hm_document_guard_window   (HmDocument   *self,
                                       guint64       pos,
                                       HmAccessHint  hint,
                                       HmGuardFlags  flags,
                                       guint64      *fault_offset,
                                       GError      **error);
guint64   _hm_document_window_fault_offset (HmWindow   *window,
                                            const void *fault_addr);
gboolean  _hm_document_copy_guarded   (HmDocument   *self,
                                       guint64       offset,
                                       void         *buffer,
                                       gsize         length,
                                       HmAccessHint  hint,
                                       HmGuardFlags  flags,
                                       guint64      *fault_offset,
                                       GError      **error);

/* Bytes moved per guarded store or read: bounds the memory a fill, a commit or a
 * save needs beyond the journal itself. */
#define HM_DOCUMENT_CHUNK_SIZE (1024 * 1024)
/* A preview fill this long or longer is a pattern piece, not stored bytes. */
#define HM_FILL_PATTERN_MIN (G_GUINT64_CONSTANT (64) * 1024 * 1024)

/* hm-document.c */
gsize     _hm_document_page_size      (void);
void      _hm_document_set_errno_error (GError     **error,
                                        int          saved_errno,
                                        const char  *format,
                                        ...) G_GNUC_PRINTF (3, 4);
void      _hm_document_emit_content_changed (HmDocument *self,
                                             guint64     offset,
                                             guint64     removed,
                                             guint64     added);
void      _hm_document_emit_changed   (HmDocument  *self,
                                       guint64      offset,
                                       guint64      length);
void      _hm_document_notify         (HmDocument  *self,
                                       const char  *property);
void      _hm_document_emit_disk_changed (HmDocument  *self,
                                          HmDiskChange change,
                                          guint64      disk_size);

/* hm-document-holes.c */
void      _hm_document_mark_data      (HmDocument  *self,
                                       guint64      offset,
                                       guint64      length);
void      _hm_document_invalidate_extents (HmDocument *self);

/* hm-document-mode.c */
gboolean  _hm_document_open_writable  (HmDocument    *self,
                                       GError       **error);
gboolean  _hm_document_apply_mode     (HmDocument    *self,
                                       HmDocumentMode mode,
                                       GError       **error);

/* hm-document-disk.c */
void      _hm_document_disk_init      (HmDocument        *self,
                                       const struct stat *st);
void      _hm_document_disk_finalize  (HmDocument        *self);
void      _hm_document_disk_record    (HmDocument        *self);
void      _hm_document_check_disk     (HmDocument        *self);
gboolean  _hm_document_disk_is_settled (HmDocument       *self);
const struct stat *_hm_document_expected_stat (HmDocument *self);
void      _hm_document_adopt_current_stat (HmDocument *self);
gboolean  _hm_document_same_file      (const struct stat *a,
                                       const struct stat *b);
gboolean  _hm_document_check_unchanged (HmDocument        *self,
                                        const struct stat *expected,
                                        gboolean           force,
                                        GError           **error);

/* hm-document.c, in file coordinates (the baseline file, not the content) */
guint64   _hm_document_file_size      (HmDocument  *self);
gssize    _hm_document_read_file      (HmDocument  *self,
                                       guint64      offset,
                                       void        *buffer,
                                       gsize        length,
                                       GError     **error);

/* hm-document-holes.c, in file coordinates */
gboolean  _hm_document_file_is_hole   (HmDocument  *self,
                                       guint64      offset,
                                       guint64     *run_end);
GArray   *_hm_document_file_extents   (HmDocument  *self,
                                       guint64      offset,
                                       guint64      length);

/* hm-document-structure.c */
gboolean  _hm_document_is_structural  (HmDocument  *self);
GArray   *_hm_document_get_spans      (HmDocument  *self,
                                       guint64      offset,
                                       guint64      length);
gssize    _hm_document_read_content   (HmDocument  *self,
                                       guint64      offset,
                                       void        *buffer,
                                       gsize        length,
                                       GError     **error);
GArray   *_hm_document_content_extents (HmDocument *self,
                                        guint64     offset,
                                        guint64     length);
gboolean  _hm_document_map_to_file    (HmDocument  *self,
                                       guint64      offset,
                                       guint64      length,
                                       guint64     *file_offset);
gboolean  _hm_document_structural_overwrite (HmDocument   *self,
                                             guint64       offset,
                                             guint64       length,
                                             const guint8 *data,
                                             const guint8 *pattern,
                                             gsize         pattern_length,
                                             HmEditFlags   flags,
                                             GError      **error);
gboolean  _hm_document_structural_undo_redo (HmDocument *self,
                                             gpointer    payload,
                                             gboolean    undo);
void      _hm_document_step_recorded  (HmDocument  *self);
GArray   *_hm_document_content_pending_ranges (HmDocument *self,
                                               GArray     *file_ranges);
void      _hm_document_structure_reset (HmDocument *self);
void      _hm_document_structure_init (HmDocument  *self);
void      _hm_document_structure_finalize (HmDocument *self);

/* hm-document-edit.c */
typedef struct
{
  gboolean can_undo;
  gboolean can_redo;
  gboolean has_pending;
  gboolean structural;
} HmEditState;

gboolean  _hm_document_check_editable (HmDocument  *self,
                                       GError     **error);

HmEditState _hm_document_edit_state   (HmDocument        *self);
void      _hm_document_notify_state   (HmDocument        *self,
                                       const HmEditState *before);
void      _hm_document_emit_changed_ranges (HmDocument *self,
                                            GArray     *ranges);
gboolean  _hm_document_preallocate_pages (HmDocument *self,
                                          guint64     start,
                                          guint64     end);
gboolean  _hm_document_store_data     (HmDocument   *self,
                                       guint64       offset,
                                       const guint8 *data,
                                       gsize         length,
                                       GError      **error);
GArray   *_hm_document_read_pending_pieces (HmDocument *self,
                                            GError    **error);
gboolean  _hm_document_store_pieces   (HmDocument  *self,
                                       GArray      *pieces,
                                       gboolean     store_current,
                                       GError     **error);
gboolean  _hm_document_restore_pieces (HmDocument  *self,
                                       GArray      *pieces,
                                       GError     **error);
void      _hm_document_edit_init      (HmDocument  *self);
void      _hm_document_edit_finalize  (HmDocument  *self);

/* hm-document-save.c */
gboolean  _hm_document_check_interrupted_save (HmDocument        *self,
                                               const struct stat *st,
                                               GError           **error);
void      _hm_document_save_finalize  (HmDocument        *self);
void      _hm_document_drop_save_journal (HmDocument     *self);
gboolean  _hm_document_journal_ranges (HmDocument        *self,
                                       GArray            *ranges,
                                       GError           **error);

gboolean  _hm_document_apply_timestamps (HmDocument        *self,
                                         int                fd,
                                         const HmSaveOptions *options,
                                         GError           **error);

/* hm-document-save-structural.c */
gboolean  _hm_document_save_structural (HmDocument          *self,
                                        GArray              *overwritten,
                                        const HmSaveOptions *options,
                                        GCancellable        *cancellable,
                                        HmProgressFunc       progress,
                                        gpointer             progress_data,
                                        struct stat         *new_stat,
                                        GError             **error);
void      _hm_document_structural_rebase (HmDocument        *self,
                                          const struct stat *new_stat);
gboolean  _hm_document_copy_content   (HmDocument   *self,
                                       int           out,
                                       void        (*advance) (gpointer data, guint64 bytes),
                                       gpointer      advance_data,
                                       GCancellable *cancellable,
                                       GError      **error);

/* hm-drafts.c: the edit calls report each success, in content offsets as
 * they took them (WRITE and INSERT with their bytes, fills with the pattern) */
typedef enum
{
  HM_DRAFT_WRITE = 1,
  HM_DRAFT_FILL,
  HM_DRAFT_INSERT,
  HM_DRAFT_INSERT_FILL,
  HM_DRAFT_DELETE,
  HM_DRAFT_UNDO,
  HM_DRAFT_REDO,
  HM_DRAFT_BEGIN_GROUP,
  HM_DRAFT_END_GROUP,
} HmDraftOp;

void      _hm_document_draft_record   (HmDocument   *self,
                                       HmDraftOp     op,
                                       guint64       offset,
                                       guint64       length,
                                       const guint8 *data,
                                       gsize         data_length,
                                       HmEditFlags   flags);
void      _hm_document_draft_undo_redo (HmDocument  *self,
                                        gboolean     undo,
                                        gboolean     complete,
                                        guint64      pos_before,
                                        guint64      pos_after);
void      _hm_document_draft_rebase   (HmDocument   *self);
void      _hm_document_draft_finalize (HmDocument   *self);

/* hm-document-save.c: hooks for tests/core only (never set in the programs).
 * The hook runs on the thread doing the save at named points:
 * "journal-synced" (the undo journal is durable, nothing stored yet; direct
 * mode: after each hm_document_journal_range()),
 * "stored" (preview: a span of edits is in the file; direct: a save begins,
 * the edits being in the file since they were made),
 * "before-verify" (everything is fsynced; the identity check comes next). */
typedef void (*HmSaveTestHook) (HmDocument *self,
                                const char *point,
                                gpointer    data);
extern HmSaveTestHook _hm_save_test_hook;
extern gpointer       _hm_save_test_hook_data;
extern gboolean       _hm_save_test_no_tmpfile;  /* Save As: as if O_TMPFILE failed */
void _hm_document_save_test_point (HmDocument *self,
                                   const char *point);

G_END_DECLS
