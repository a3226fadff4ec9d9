/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-document.h"

G_BEGIN_DECLS

/**
 * HmDraftInfo:
 * @path: the file the pending edits are for, as an absolute path
 * @draft_path: the draft file under hm_drafts_get_dir()
 * @dev: the device of the file when the edits began
 * @ino: its inode
 * @size: its size
 * @mtime_sec: its modification time, seconds
 * @mtime_nsec: and nanoseconds
 * @updated: when the draft was last written (microseconds since the epoch)
 * @n_edits: the edit records in the draft (undo and redo count as edits)
 *
 * A draft found on disk: the pending edits of a document that did not close
 * cleanly (a crash, a kill, a power cut). See hm-drafts.c.
 */
typedef struct
{
  char   *path;
  char   *draft_path;
  guint64 dev;
  guint64 ino;
  guint64 size;
  gint64  mtime_sec;
  gint64  mtime_nsec;
  gint64  updated;
  guint   n_edits;
} HmDraftInfo;

void         hm_draft_info_free          (HmDraftInfo        *info);
HmDraftInfo *hm_draft_info_copy          (const HmDraftInfo  *info);
gboolean     hm_draft_info_file_changed  (const HmDraftInfo  *info);

char        *hm_drafts_get_dir           (void);
HmDraftInfo *hm_drafts_lookup            (const char         *path);
GPtrArray   *hm_drafts_list              (void);
gboolean     hm_drafts_restore           (HmDocument         *document,
                                          const HmDraftInfo  *info,
                                          guint              *n_restored,
                                          GError            **error);
gboolean     hm_drafts_remove            (const HmDraftInfo  *info,
                                          GError            **error);

gboolean     hm_document_keep_drafts     (HmDocument         *self,
                                          GError            **error);
gboolean     hm_document_flush_drafts    (HmDocument         *self,
                                          GError            **error);
const char  *hm_document_get_draft_path  (HmDocument         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HmDraftInfo, hm_draft_info_free)

G_END_DECLS
