/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "hm-document.h"

G_BEGIN_DECLS

/*
 * HmJournal: the edit journal of a document, internal to core/.
 *
 * A pure in-memory structure: it knows nothing of files or mappings. The document
 * stores bytes into its mapped memory itself and tells the journal only once the
 * store succeeded, so an edit that faults never enters the journal:
 *
 *   edit:  read old bytes, store new bytes (guarded), then hm_journal_record()
 *   undo:  step = hm_journal_peek_undo(); store its old bytes (guarded);
 *          only on success hm_journal_commit_undo()
 *   redo:  the same with hm_journal_peek_redo() / hm_journal_commit_redo()
 *
 * Besides the undo history the journal keeps, for every byte that differs from
 * the baseline (the file as last committed), that byte's baseline value. The
 * pending ranges are exactly those bytes, compared byte by byte: a byte written
 * back to its baseline value, by undo or by typing, is no longer pending.
 *
 * Memory is proportional to the bytes edited, never to the file: a step stores
 * its old bytes in full (they are arbitrary) and its new bytes in full, or for a
 * fill only the pattern.
 */

typedef struct _HmJournal     HmJournal;
typedef struct _HmJournalStep HmJournalStep;

HmJournal           *hm_journal_new                  (void);
void                 hm_journal_free                 (HmJournal          *self);

void                 hm_journal_record               (HmJournal          *self,
                                                      guint64             offset,
                                                      const guint8       *old_data,
                                                      const guint8       *new_data,
                                                      gsize               length,
                                                      HmEditFlags         flags);
void                 hm_journal_record_fill          (HmJournal          *self,
                                                      guint64             offset,
                                                      const guint8       *old_data,
                                                      gsize               length,
                                                      const guint8       *pattern,
                                                      gsize               pattern_length);
void                 hm_journal_record_fill_take     (HmJournal          *self,
                                                      guint64             offset,
                                                      guint8             *old_data,
                                                      gsize               length,
                                                      const guint8       *pattern,
                                                      gsize               pattern_length);
gsize                hm_journal_fill_block_size      (gsize               length,
                                                      gsize               pattern_length);
void                 hm_journal_break_coalescing     (HmJournal          *self);

/* Structural steps (inserts, deletes) are kept by the document: the journal holds
 * an opaque payload per step, in the same history as the overwrites, and frees it
 * with the function given here when the step is dropped. Such a step changes no
 * byte of the pending map (it works in document coordinates, the map in file
 * offsets). A grouped step is undone and redone together with the one before it. */
void                 hm_journal_set_structural_free  (HmJournal          *self,
                                                      GDestroyNotify      free_func);
void                 hm_journal_record_structural    (HmJournal          *self,
                                                      gpointer            payload);
gpointer             hm_journal_get_top_structural   (HmJournal          *self);
void                 hm_journal_mark_top_grouped     (HmJournal          *self);
gpointer             hm_journal_step_get_structural  (const HmJournalStep *step);
gboolean             hm_journal_step_is_grouped      (const HmJournalStep *step);

gboolean             hm_journal_can_undo             (HmJournal          *self);
gboolean             hm_journal_can_redo             (HmJournal          *self);
const HmJournalStep *hm_journal_peek_undo            (HmJournal          *self);
void                 hm_journal_commit_undo          (HmJournal          *self);
const HmJournalStep *hm_journal_peek_redo            (HmJournal          *self);
void                 hm_journal_commit_redo          (HmJournal          *self);

guint64              hm_journal_step_get_offset      (const HmJournalStep *step);
guint64              hm_journal_step_get_length      (const HmJournalStep *step);
const guint8        *hm_journal_step_get_old_data    (const HmJournalStep *step);
const guint8        *hm_journal_step_get_pattern     (const HmJournalStep *step,
                                                      gsize               *pattern_length);
void                 hm_journal_step_copy_old        (const HmJournalStep *step,
                                                      guint64              start,
                                                      guint8              *buffer,
                                                      gsize                length);
void                 hm_journal_step_copy_new        (const HmJournalStep *step,
                                                      guint64              start,
                                                      guint8              *buffer,
                                                      gsize                length);

gboolean             hm_journal_has_pending          (HmJournal          *self);
guint64              hm_journal_get_pending_bytes    (HmJournal          *self);
GArray              *hm_journal_get_pending_ranges   (HmJournal          *self);
gboolean             hm_journal_range_is_modified    (HmJournal          *self,
                                                      guint64             offset,
                                                      guint64             length);
gboolean             hm_journal_next_modified        (HmJournal          *self,
                                                      guint64             offset,
                                                      HmRange            *range);
void                 hm_journal_copy_baseline        (HmJournal          *self,
                                                      guint64             offset,
                                                      guint8             *buffer,
                                                      gsize               length);

void                 hm_journal_mark_committed       (HmJournal          *self);
GArray              *hm_journal_get_committed_ranges (HmJournal          *self);
void                 hm_journal_clear_committed      (HmJournal          *self);
void                 hm_journal_discard              (HmJournal          *self);

gsize                hm_journal_get_bytes_used       (HmJournal          *self);

/* For tests only */
void                 _hm_journal_set_limits          (HmJournal          *self,
                                                      guint               leaf_max,
                                                      guint               segment_max);
void                 _hm_journal_validate            (HmJournal          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HmJournal, hm_journal_free)

G_END_DECLS
