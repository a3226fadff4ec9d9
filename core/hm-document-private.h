/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-document.h"
#include "hm-window-cache.h"

#include <sys/stat.h>

G_BEGIN_DECLS

typedef struct _HmWindowCache HmWindowCache;
typedef struct _HmJournal HmJournal;

/* The instance struct is shared by the files that implement HmDocument:
 * hm-document.c (opening, reading, holes) and hm-document-edit.c (editing,
 * commit, save). Nothing outside core/ sees it. */
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

  /* Editing state, owned by hm-document-edit.c. */
  HmJournal      *journal;
  /* What the file should look like now: baseline_stat plus the effects of our
   * own writes (a direct-mode store moves mtime on ext4; a failed commit may have
   * preallocated blocks). The conflict check compares against it, so our own
   * writes are not mistaken for another program's. Unset: use baseline_stat. */
  struct stat     expected_stat;
  gboolean        expected_valid;
  gboolean        busy;           /* a save runs in a worker: edits are refused */
  guint           n_hole_replacements; /* anonymous zero pages mapped over holes
                                        * (tmpfs preview); reset when windows drop */
  gboolean        direct_redirty; /* a direct save's flush failed: store the bytes
                                   * again before the next one, since FUSE and
                                   * network filesystems report an error only once */
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

/* For hm-document-edit.c */
gboolean  _hm_document_apply_mode     (HmDocument    *self,
                                       HmDocumentMode mode,
                                       GError       **error);
void      _hm_document_mark_data      (HmDocument  *self,
                                       guint64      offset,
                                       guint64      length);
void      _hm_document_invalidate_extents (HmDocument *self);
void      _hm_document_emit_changed   (HmDocument  *self,
                                       guint64      offset,
                                       guint64      length);
void      _hm_document_notify         (HmDocument  *self,
                                       const char  *property);
void      _hm_document_edit_init      (HmDocument  *self);
void      _hm_document_edit_finalize  (HmDocument  *self);

G_END_DECLS
