/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The edit journal: undo history and the set of pending (modified) bytes.
 *
 * This file is the journal's API: it records edits, undoes and redoes them,
 * commits and discards, and tells both structures of every change. The history
 * lives in hm-journal-history.c, the pending map in hm-journal-pending.c; they
 * share hm-journal-private.h.
 *
 * History. Steps live in a stack, `history`; the first `pos` of them are applied,
 * the rest can be redone. Recording a step below the top drops the redo tail.
 *
 * Baseline. The baseline is the state last committed. It is always the state
 * reached by applying history[0, fork) and then the steps of `branch`, top first.
 * Usually `branch` is empty and the baseline is simply history position `fork`.
 * The branch exists for one case: the user undoes past the baseline and then
 * records a new step, which drops the steps that led to the baseline from the
 * redo tail. They are moved to `branch` instead of freed, so that discard can
 * always restore the baseline together with its undo history:
 *
 *   discard = drop history[fork, n), push the branch back, pos = n.
 *
 * Pending bytes. Independently of the history, every change of state (record,
 * undo, redo) reports the bytes before and after the change over its range to
 * the pending map, which keeps the baseline value of every byte that now differs
 * from it (see hm-journal-pending.c).
 */
#include "config.h"

#include "hm-journal-private.h"

#include <string.h>

/**
 * hm_journal_new:
 *
 * Creates an empty journal: nothing to undo, nothing pending.
 *
 * Returns: (transfer full): a new journal
 */
HmJournal *
hm_journal_new (void)
{
  HmJournal *self = g_new0 (HmJournal, 1);

  _hm_journal_stack_init (&self->history);
  _hm_journal_stack_init (&self->branch);
  _hm_journal_pending_init (&self->pending);
  self->committed = g_array_new (FALSE, FALSE, sizeof (HmRange));
  return self;
}

/**
 * hm_journal_free:
 * @self: a journal
 *
 * Frees the journal and everything it holds.
 */
void
hm_journal_free (HmJournal *self)
{
  if (self == NULL)
    return;

  _hm_journal_seal_run (self);
  _hm_journal_stack_clear (self, &self->history);
  _hm_journal_stack_clear (self, &self->branch);
  g_ptr_array_unref (self->history.chunks);
  g_ptr_array_unref (self->branch.chunks);
  g_free (self->run_old.data);
  g_free (self->run_new.data);
  _hm_journal_pending_destroy (&self->pending);
  g_array_unref (self->committed);
  g_free (self->scan);
  g_free (self);
}

/**
 * hm_journal_record:
 * @self: a journal
 * @offset: where the edit starts
 * @old_data: (array length=length): the bytes before the edit
 * @new_data: (array length=length): the bytes the edit stored
 * @length: bytes edited
 * @flags: %HM_EDIT_COALESCE for typing
 *
 * Records an edit the document has already stored successfully. Drops the redo
 * tail. A coalescing edit that starts at the end of the previous step, or
 * overlaps it, while that step is a coalescing one still open, merges into it:
 * the step keeps the original old bytes and takes the latest new ones.
 * A zero-length edit records nothing.
 */
void
hm_journal_record (HmJournal    *self,
                   guint64       offset,
                   const guint8 *old_data,
                   const guint8 *new_data,
                   gsize         length,
                   HmEditFlags   flags)
{
  Source before = { old_data, NULL, 0 };
  Source after = { new_data, NULL, 0 };
  HmJournalStep *step;

  g_return_if_fail (self != NULL);
  g_return_if_fail (length == 0 || (old_data != NULL && new_data != NULL));
  g_return_if_fail (G_MAXUINT64 - offset >= length);

  if (length == 0)
    return;

  _hm_journal_pending_apply (self, offset, length, &before, &after);

  if ((flags & HM_EDIT_COALESCE) != 0 && self->run_open)
    {
      step = _hm_journal_stack_get (&self->history, self->history.n - 1);
      if (offset <= step->offset + step->length && offset + length > step->offset)
        {
          _hm_journal_run_merge (self, offset, old_data, new_data, length);
          return;
        }
    }

  _hm_journal_seal_run (self);
  _hm_journal_truncate_redo (self);

  step = _hm_journal_stack_push (&self->history);
  step->offset = offset;
  step->length = length;
  step->flags = flags;
  self->pos = self->history.n;

  if ((flags & HM_EDIT_COALESCE) != 0)
    {
      _hm_journal_buffer_append (&self->run_old, old_data, length);
      _hm_journal_buffer_append (&self->run_new, new_data, length);
      self->run_open = TRUE;
    }
  else
    {
      guint8 *data = _hm_journal_step_alloc_data (self, step);

      memcpy (data, old_data, length);
      memcpy (data + length, new_data, length);
    }
}

static void
record_fill (HmJournal    *self,
             guint64       offset,
             const guint8 *old_data,
             guint8       *take,
             gsize         length,
             const guint8 *pattern,
             gsize         pattern_length)
{
  Source before = { old_data, NULL, 0 };
  Source after = { NULL, pattern, 0 };
  HmJournalStep *step;
  guint8 *data;

  /* Bytes of the pattern past the end of the fill are never used */
  after.pattern_length = MIN (pattern_length, length);
  _hm_journal_pending_apply (self, offset, length, &before, &after);

  _hm_journal_seal_run (self);
  _hm_journal_truncate_redo (self);

  step = _hm_journal_stack_push (&self->history);
  step->offset = offset;
  step->length = length;
  step->pattern_length = (guint32) after.pattern_length;
  self->pos = self->history.n;

  if (take != NULL && _hm_journal_step_data_size (step) > STEP_INLINE)
    {
      /* The caller's block already holds the old bytes: no second copy. */
      step->data.heap = take;
      self->heap_bytes += _hm_journal_step_data_size (step) + MALLOC_OVERHEAD;
      memcpy (take + length, pattern, after.pattern_length);
      return;
    }

  data = _hm_journal_step_alloc_data (self, step);
  memcpy (data, old_data, length);
  memcpy (data + length, pattern, after.pattern_length);
  g_free (take);
}

/**
 * hm_journal_record_fill:
 * @self: a journal
 * @offset: where the fill starts
 * @old_data: (array length=length): the bytes before the fill
 * @length: bytes filled
 * @pattern: (array length=pattern_length): the pattern, repeated from @offset
 * @pattern_length: bytes in @pattern, at least 1
 *
 * Records a fill the document has already stored successfully, as one step that
 * keeps the old bytes and only the pattern for the new ones. Drops the redo tail
 * and ends any typing run.
 */
void
hm_journal_record_fill (HmJournal    *self,
                        guint64       offset,
                        const guint8 *old_data,
                        gsize         length,
                        const guint8 *pattern,
                        gsize         pattern_length)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (length == 0 || old_data != NULL);
  g_return_if_fail (pattern != NULL && pattern_length > 0 && pattern_length <= G_MAXUINT32);
  g_return_if_fail (G_MAXUINT64 - offset >= length);

  if (length == 0)
    return;
  record_fill (self, offset, old_data, NULL, length, pattern, pattern_length);
}

/**
 * hm_journal_record_fill_take:
 * @self: a journal
 * @offset: where the fill starts
 * @old_data: (transfer full): a g_malloc()'d block of
 *   hm_journal_fill_block_size() bytes whose first @length bytes are the bytes
 *   before the fill
 * @length: bytes filled, at least 1
 * @pattern: (array length=pattern_length): the pattern, repeated from @offset
 * @pattern_length: bytes in @pattern, at least 1
 *
 * As hm_journal_record_fill(), but the step keeps @old_data itself, so a fill of
 * N bytes costs N bytes of history instead of a transient 2 N: the caller can
 * get the block with g_try_malloc() and fail cleanly when memory is short.
 */
void
hm_journal_record_fill_take (HmJournal    *self,
                             guint64       offset,
                             guint8       *old_data,
                             gsize         length,
                             const guint8 *pattern,
                             gsize         pattern_length)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (length > 0 && old_data != NULL);
  g_return_if_fail (pattern != NULL && pattern_length > 0 && pattern_length <= G_MAXUINT32);
  g_return_if_fail (G_MAXUINT64 - offset >= length);

  record_fill (self, offset, old_data, old_data, length, pattern, pattern_length);
}

/**
 * hm_journal_fill_block_size:
 * @length: bytes filled
 * @pattern_length: bytes in the pattern
 *
 * Returns: the size of the block hm_journal_record_fill_take() takes
 */
gsize
hm_journal_fill_block_size (gsize length,
                            gsize pattern_length)
{
  return length + MIN (length, pattern_length);
}

/**
 * hm_journal_break_coalescing:
 * @self: a journal
 *
 * Ends a typing run: the next coalescing edit starts a new step. The document
 * calls this when the cursor moves, on save, and so on.
 */
void
hm_journal_break_coalescing (HmJournal *self)
{
  g_return_if_fail (self != NULL);

  _hm_journal_seal_run (self);
}

/**
 * hm_journal_set_structural_free:
 * @self: a journal
 * @free_func: frees the payload of a structural step
 */
void
hm_journal_set_structural_free (HmJournal     *self,
                                GDestroyNotify free_func)
{
  g_return_if_fail (self != NULL);

  self->structural_free = free_func;
}

/**
 * hm_journal_record_structural:
 * @self: a journal
 * @payload: (transfer full): what the document needs to undo and redo the step
 *
 * Records a structural edit the document has made. Drops the redo tail and ends
 * any typing run.
 */
void
hm_journal_record_structural (HmJournal *self,
                              gpointer   payload)
{
  HmJournalStep *step;

  g_return_if_fail (self != NULL);
  g_return_if_fail (payload != NULL);

  _hm_journal_seal_run (self);
  _hm_journal_truncate_redo (self);

  step = _hm_journal_stack_push (&self->history);
  step->flags = STEP_STRUCTURAL;
  step->data.heap = payload;
  self->pos = self->history.n;
}

/**
 * hm_journal_get_top_structural:
 * @self: a journal
 *
 * For coalescing typed inserts: the payload of the latest step when it is a
 * structural one with nothing to redo after it.
 *
 * Returns: (nullable) (transfer none): the payload, which the caller may change
 */
gpointer
hm_journal_get_top_structural (HmJournal *self)
{
  HmJournalStep *step;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->pos == 0 || self->pos != self->history.n || self->run_open || self->fork == self->pos)
    return NULL;
  step = _hm_journal_stack_get (&self->history, self->pos - 1);
  return (step->flags & STEP_STRUCTURAL) ? step->data.heap : NULL;
}

/**
 * hm_journal_mark_top_grouped:
 * @self: a journal
 *
 * Makes the latest step part of the same user action as the one before it.
 */
void
hm_journal_mark_top_grouped (HmJournal *self)
{
  g_return_if_fail (self != NULL);

  if (self->pos > 0)
    _hm_journal_stack_get (&self->history, self->pos - 1)->flags |= STEP_GROUPED;
}

gpointer
hm_journal_step_get_structural (const HmJournalStep *step)
{
  g_return_val_if_fail (step != NULL, NULL);

  return (step->flags & STEP_STRUCTURAL) ? step->data.heap : NULL;
}

gboolean
hm_journal_step_is_grouped (const HmJournalStep *step)
{
  g_return_val_if_fail (step != NULL, FALSE);

  return (step->flags & STEP_GROUPED) != 0;
}

/**
 * hm_journal_can_undo:
 * @self: a journal
 *
 * Returns: whether there is a step to undo
 */
gboolean
hm_journal_can_undo (HmJournal *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->pos > 0;
}

/**
 * hm_journal_can_redo:
 * @self: a journal
 *
 * Returns: whether there is a step to redo
 */
gboolean
hm_journal_can_redo (HmJournal *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->pos < self->history.n;
}

/**
 * hm_journal_peek_undo:
 * @self: a journal
 *
 * The step an undo would revert: the document stores its old bytes and, only if
 * that succeeded, calls hm_journal_commit_undo(). Ends any typing run.
 *
 * Returns: (nullable) (transfer none): the step, valid until the next record,
 *   discard or free; %NULL when there is nothing to undo
 */
const HmJournalStep *
hm_journal_peek_undo (HmJournal *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  _hm_journal_seal_run (self);
  if (self->pos == 0)
    return NULL;
  return _hm_journal_stack_get (&self->history, self->pos - 1);
}

/**
 * hm_journal_commit_undo:
 * @self: a journal
 *
 * Tells the journal the old bytes of hm_journal_peek_undo()'s step are stored:
 * the step moves to the redo side.
 */
void
hm_journal_commit_undo (HmJournal *self)
{
  const HmJournalStep *step;
  Source before;
  Source after;

  g_return_if_fail (self != NULL);
  g_return_if_fail (self->pos > 0);

  _hm_journal_seal_run (self);
  step = _hm_journal_stack_get (&self->history, self->pos - 1);
  if (!(step->flags & STEP_STRUCTURAL))
    {
      before = _hm_journal_step_new_source (step);
      after = _hm_journal_step_old_source (step);
      _hm_journal_pending_apply (self, step->offset, step->length, &before, &after);
    }
  self->pos--;
}

/**
 * hm_journal_peek_redo:
 * @self: a journal
 *
 * The step a redo would apply again: the document stores its new bytes and, only
 * if that succeeded, calls hm_journal_commit_redo().
 *
 * Returns: (nullable) (transfer none): the step, valid until the next record,
 *   discard or free; %NULL when there is nothing to redo
 */
const HmJournalStep *
hm_journal_peek_redo (HmJournal *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  _hm_journal_seal_run (self);
  if (self->pos == self->history.n)
    return NULL;
  return _hm_journal_stack_get (&self->history, self->pos);
}

/**
 * hm_journal_commit_redo:
 * @self: a journal
 *
 * Tells the journal the new bytes of hm_journal_peek_redo()'s step are stored.
 */
void
hm_journal_commit_redo (HmJournal *self)
{
  const HmJournalStep *step;
  Source before;
  Source after;

  g_return_if_fail (self != NULL);
  g_return_if_fail (self->pos < self->history.n);

  _hm_journal_seal_run (self);
  step = _hm_journal_stack_get (&self->history, self->pos);
  if (!(step->flags & STEP_STRUCTURAL))
    {
      before = _hm_journal_step_old_source (step);
      after = _hm_journal_step_new_source (step);
      _hm_journal_pending_apply (self, step->offset, step->length, &before, &after);
    }
  self->pos++;
}

static void
committed_add (HmJournal *self,
               GArray    *ranges)
{
  g_autoptr(GArray) merged = g_array_sized_new (FALSE, FALSE, sizeof (HmRange),
                                                self->committed->len + ranges->len);
  guint i = 0;
  guint j = 0;

  while (i < self->committed->len || j < ranges->len)
    {
      HmRange next;
      HmRange *last;

      if (j == ranges->len
          || (i < self->committed->len
              && g_array_index (self->committed, HmRange, i).offset
                 < g_array_index (ranges, HmRange, j).offset))
        next = g_array_index (self->committed, HmRange, i++);
      else
        next = g_array_index (ranges, HmRange, j++);

      last = merged->len > 0 ? &g_array_index (merged, HmRange, merged->len - 1) : NULL;
      if (last != NULL && last->offset + last->length >= next.offset)
        last->length = MAX (last->offset + last->length, next.offset + next.length) - last->offset;
      else
        g_array_append_val (merged, next);
    }

  g_array_unref (self->committed);
  self->committed = g_steal_pointer (&merged);
}

/**
 * hm_journal_mark_committed:
 * @self: a journal
 *
 * The current state becomes the baseline: the pending ranges join the committed
 * set and nothing is pending. Undo and redo stay available: undoing past this
 * point makes pending changes against the new baseline. Ends any typing run.
 */
void
hm_journal_mark_committed (HmJournal *self)
{
  g_autoptr(GArray) ranges = NULL;

  g_return_if_fail (self != NULL);

  _hm_journal_seal_run (self);
  ranges = hm_journal_get_pending_ranges (self);
  committed_add (self, ranges);
  _hm_journal_pending_clear (&self->pending);

  _hm_journal_stack_clear (self, &self->branch);
  self->fork = self->pos;
}

/**
 * hm_journal_get_committed_ranges:
 * @self: a journal
 *
 * The ranges committed since the set was last cleared.
 *
 * Returns: (transfer full) (element-type HmRange): the ranges, sorted and merged
 */
GArray *
hm_journal_get_committed_ranges (HmJournal *self)
{
  GArray *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_array_sized_new (FALSE, FALSE, sizeof (HmRange), self->committed->len);
  g_array_append_vals (copy, self->committed->data, self->committed->len);
  return copy;
}

/**
 * hm_journal_clear_committed:
 * @self: a journal
 *
 * Empties the committed set.
 */
void
hm_journal_clear_committed (HmJournal *self)
{
  g_return_if_fail (self != NULL);

  g_array_set_size (self->committed, 0);
}

/**
 * hm_journal_discard:
 * @self: a journal
 *
 * Returns to the baseline: nothing is pending, and the history becomes the
 * history of the baseline, so the discarded steps cannot be redone. The document
 * makes its bytes match (drops its private pages, or in direct mode stores the
 * bytes hm_journal_copy_baseline() gives, which it must ask for before this).
 */
void
hm_journal_discard (HmJournal *self)
{
  g_return_if_fail (self != NULL);

  _hm_journal_seal_run (self);
  while (self->history.n > self->fork)
    {
      HmJournalStep step = _hm_journal_stack_pop (&self->history);

      _hm_journal_step_free_data (self, &step);
    }
  while (self->branch.n > 0)
    *_hm_journal_stack_push (&self->history) = _hm_journal_stack_pop (&self->branch);

  self->pos = self->history.n;
  self->fork = self->history.n;
  _hm_journal_pending_clear (&self->pending);
}

/**
 * hm_journal_get_bytes_used:
 * @self: a journal
 *
 * The memory the journal holds, counting what the allocator adds to each heap
 * block; for benchmarks and tests.
 *
 * Returns: bytes
 */
gsize
hm_journal_get_bytes_used (HmJournal *self)
{
  PendingMap *map;
  gsize bytes;

  g_return_val_if_fail (self != NULL, 0);

  map = &self->pending;
  bytes = sizeof *self;
  bytes += (self->history.chunks->len + self->branch.chunks->len)
           * (STEP_CHUNK * sizeof (HmJournalStep) + MALLOC_OVERHEAD);
  bytes += self->heap_bytes;
  bytes += self->run_old.capacity + self->run_new.capacity;
  bytes += 2 * self->scan_capacity;
  bytes += map->leaves->len * (sizeof (Leaf) + MALLOC_OVERHEAD + sizeof (gpointer) + sizeof (guint64));
  bytes += map->blob_bytes;
  bytes += map->blobs->len * sizeof (gpointer) + map->free_blobs->len * sizeof (guint32);
  bytes += self->committed->len * sizeof (HmRange);
  return bytes;
}
