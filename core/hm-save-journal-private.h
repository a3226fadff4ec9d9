/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-save-journal.h"

G_BEGIN_DECLS

/* The save journal's records, shared with the structural save
 * (hm-structural-save-apply.c), which adds its own record types to the same
 * journal: one mechanism for every in-place save. */
typedef struct
{
  guint32 type;
  guint32 crc;
  guint64 offset;
  guint64 length;
} HmJournalRecord;

enum
{
  HM_JOURNAL_RECORD_DATA = 'D',        /* old bytes at offset (undo) */
  HM_JOURNAL_RECORD_HOLE = 'H',        /* a hole at offset (undo) */
  HM_JOURNAL_RECORD_COMMITTED = 'C',
  HM_JOURNAL_RECORD_PLAN = 'P',        /* structural: steps (offset = first step index) */
  HM_JOURNAL_RECORD_WRITE = 'W',       /* structural: new bytes at offset (redo) */
  HM_JOURNAL_RECORD_NO_RETURN = 'N',   /* structural: the point of no return; slots follow */
  HM_JOURNAL_RECORD_SLOT = 'S',        /* structural: the step in flight (offset = its index) */
};

#define HM_JOURNAL_RECORD_MAX (1024 * 1024)

gboolean _hm_journal_record_has_data (guint32                type);
guint32  _hm_journal_record_crc      (const HmJournalRecord *record,
                                      const guint8          *data);
gboolean _hm_journal_pwrite_all      (int                    fd,
                                      const void            *data,
                                      gsize                  length,
                                      guint64                offset);
gboolean _hm_save_journal_append     (HmSaveJournal         *journal,
                                      guint32                type,
                                      guint64                offset,
                                      const void            *data,
                                      guint64                length,
                                      GError               **error);
int         _hm_save_journal_get_fd   (HmSaveJournal        *journal);
const char *_hm_save_journal_get_path (HmSaveJournal        *journal);
void        _hm_save_journal_forget   (HmSaveJournal        *journal);

/* In hm-structural-save-apply.c: rolls the structural save in @jfd forward
 * from its last recorded step; @records_start is where the records begin. */
gboolean _hm_structural_save_resume (int              jfd,
                                     int              fd,
                                     guint64          records_start,
                                     const char      *display_name,
                                     const char      *journal_path,
                                     HmProgressFunc   progress,
                                     gpointer         progress_data,
                                     GError         **error);

G_END_DECLS
