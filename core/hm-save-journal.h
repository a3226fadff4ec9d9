/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sys/stat.h>

#include "hm-document.h"

G_BEGIN_DECLS

/* The write-ahead undo journal of an in-place save: see hm-save-journal.c. */
typedef struct _HmSaveJournal HmSaveJournal;

char          *hm_save_journal_path_for  (dev_t              dev,
                                          ino_t              ino);
gboolean       hm_save_journal_exists    (int                fd,
                                          const char        *path,
                                          const struct stat *st);
HmSaveJournal *hm_save_journal_begin     (int                fd,
                                          const struct stat *st,
                                          const char        *path,
                                          const char        *display_name,
                                          guint64            size_before,
                                          guint64            size_after,
                                          GError           **error);
gboolean       hm_save_journal_record    (HmSaveJournal     *journal,
                                          int                fd,
                                          guint64            offset,
                                          guint64            length,
                                          GError           **error);
gboolean       hm_save_journal_sync      (HmSaveJournal     *journal,
                                          GError           **error);
gboolean       hm_save_journal_commit    (HmSaveJournal     *journal,
                                          GError           **error);
gboolean       hm_save_journal_roll_back (HmSaveJournal     *journal,
                                          int                fd,
                                          GError           **error);
void           hm_save_journal_close     (HmSaveJournal     *journal);
gboolean       hm_save_journal_recover   (int                fd,
                                          const char        *display_name,
                                          HmRecoverOutcome  *outcome,
                                          GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HmSaveJournal, hm_save_journal_close)

G_END_DECLS
