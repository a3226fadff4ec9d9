/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The journal's undo history: steps, the stacks that hold them, and the typing run.
 *
 * Memory. Steps are 32-byte records in chunks of STEP_CHUNK; their bytes (old
 * bytes, then new bytes or the fill pattern) live inline when they fit in 8 bytes,
 * else in one heap block. A run of typing is kept in two growable buffers until it
 * ends (_hm_journal_seal_run() copies them into the step), so typing costs linear
 * time. The public step getters are here too: a step is a read-only view for the
 * document, valid until the next record, discard or free.
 *
 * Pure bookkeeping: nothing here touches the pending map; hm-journal.c tells it of
 * every change.
 */
#include "config.h"

#include "hm-journal-private.h"

#include <string.h>

/* Steps */

guint8 *
_hm_journal_step_alloc_data (HmJournal     *self,
                             HmJournalStep *step)
{
  gsize size = _hm_journal_step_data_size (step);

  if (size <= STEP_INLINE)
    return step->data.bytes;

  step->data.heap = g_malloc (size);
  self->heap_bytes += size + MALLOC_OVERHEAD;
  return step->data.heap;
}

void
_hm_journal_step_free_data (HmJournal     *self,
                            HmJournalStep *step)
{
  gsize size = _hm_journal_step_data_size (step);

  if (step->flags & STEP_STRUCTURAL)
    {
      if (self->structural_free != NULL)
        self->structural_free (step->data.heap);
      step->data.heap = NULL;
      return;
    }
  if (size <= STEP_INLINE)
    return;

  g_clear_pointer (&step->data.heap, g_free);
  self->heap_bytes -= size + MALLOC_OVERHEAD;
}

void
_hm_journal_source_copy (const Source *source,
                         guint64       start,
                         guint8       *buffer,
                         gsize         length)
{
  gsize phase;
  gsize done = 0;

  if (source->data != NULL)
    {
      memcpy (buffer, source->data + start, length);
      return;
    }

  phase = start % source->pattern_length;
  while (done < length)
    {
      gsize n = MIN (source->pattern_length - phase, length - done);

      memcpy (buffer + done, source->pattern + phase, n);
      done += n;
      phase = 0;
    }
}

Source
_hm_journal_step_old_source (const HmJournalStep *step)
{
  Source source = { _hm_journal_step_data (step), NULL, 0 };

  return source;
}

Source
_hm_journal_step_new_source (const HmJournalStep *step)
{
  const guint8 *data = _hm_journal_step_data (step) + step->length;
  Source source = { NULL, NULL, 0 };

  if (step->pattern_length != 0)
    {
      source.pattern = data;
      source.pattern_length = step->pattern_length;
    }
  else
    source.data = data;

  return source;
}

/* Step stacks */

void
_hm_journal_stack_init (StepStack *stack)
{
  stack->chunks = g_ptr_array_new_with_free_func (g_free);
  stack->n = 0;
}

HmJournalStep *
_hm_journal_stack_push (StepStack *stack)
{
  HmJournalStep *step;

  if (stack->n / STEP_CHUNK >= stack->chunks->len)
    g_ptr_array_add (stack->chunks, g_new (HmJournalStep, STEP_CHUNK));

  stack->n++;
  step = _hm_journal_stack_get (stack, stack->n - 1);
  memset (step, 0, sizeof *step);
  return step;
}

HmJournalStep
_hm_journal_stack_pop (StepStack *stack)
{
  HmJournalStep step = *_hm_journal_stack_get (stack, stack->n - 1);
  guint needed;

  stack->n--;
  /* Keep one spare chunk, so pushing and popping at a boundary does not thrash */
  needed = (guint) ((stack->n + STEP_CHUNK - 1) / STEP_CHUNK);
  if (stack->chunks->len > needed + 1)
    g_ptr_array_set_size (stack->chunks, needed + 1);

  return step;
}

void
_hm_journal_stack_clear (HmJournal *self,
                         StepStack *stack)
{
  while (stack->n > 0)
    {
      HmJournalStep step = _hm_journal_stack_pop (stack);

      _hm_journal_step_free_data (self, &step);
    }
  g_ptr_array_set_size (stack->chunks, 0);
}
/* Growable buffers for a typing run */

static void
buffer_reserve (Buffer *buffer,
                gsize   length)
{
  if (length <= buffer->capacity)
    return;

  buffer->capacity = MAX (MAX (buffer->capacity * 2, length), 64);
  buffer->data = g_realloc (buffer->data, buffer->capacity);
}

static void
buffer_prepend (Buffer       *buffer,
                const guint8 *data,
                gsize         length)
{
  buffer_reserve (buffer, buffer->length + length);
  memmove (buffer->data + length, buffer->data, buffer->length);
  memcpy (buffer->data, data, length);
  buffer->length += length;
}

void
_hm_journal_buffer_append (Buffer       *buffer,
                           const guint8 *data,
                           gsize         length)
{
  buffer_reserve (buffer, buffer->length + length);
  memcpy (buffer->data + buffer->length, data, length);
  buffer->length += length;
}

static void
buffer_reset (Buffer *buffer)
{
  buffer->length = 0;
  /* A long run leaves a big buffer behind: give it back */
  if (buffer->capacity > 4096)
    {
      g_clear_pointer (&buffer->data, g_free);
      buffer->capacity = 0;
    }
}

void
_hm_journal_seal_run (HmJournal *self)
{
  HmJournalStep *step;
  guint8 *data;

  if (!self->run_open)
    return;

  step = _hm_journal_stack_get (&self->history, self->history.n - 1);
  g_assert (step->length == self->run_old.length && step->length == self->run_new.length);
  data = _hm_journal_step_alloc_data (self, step);
  memcpy (data, self->run_old.data, self->run_old.length);
  memcpy (data + step->length, self->run_new.data, self->run_new.length);
  buffer_reset (&self->run_old);
  buffer_reset (&self->run_new);
  self->run_open = FALSE;
}

/* Before a new step: the redo tail goes, but steps that lead to the baseline move
 * to the branch, so discard can still get back to it */
void
_hm_journal_truncate_redo (HmJournal *self)
{
  guint64 keep = MAX (self->fork, self->pos);

  while (self->history.n > keep)
    {
      HmJournalStep step = _hm_journal_stack_pop (&self->history);

      _hm_journal_step_free_data (self, &step);
    }

  if (self->pos < self->fork)
    {
      while (self->history.n > self->pos)
        *_hm_journal_stack_push (&self->branch) = _hm_journal_stack_pop (&self->history);
      self->fork = self->pos;
    }
}

void
_hm_journal_run_merge (HmJournal    *self,
                       guint64       offset,
                       const guint8 *old_data,
                       const guint8 *new_data,
                       gsize         length)
{
  HmJournalStep *step = _hm_journal_stack_get (&self->history, self->history.n - 1);
  guint64 end = offset + length;

  /* Bytes the run already holds keep their original old bytes */
  if (offset < step->offset)
    {
      gsize n = step->offset - offset;

      buffer_prepend (&self->run_old, old_data, n);
      buffer_prepend (&self->run_new, new_data, n);
      step->offset = offset;
      step->length += n;
    }
  if (end > step->offset + step->length)
    {
      gsize n = end - (step->offset + step->length);

      _hm_journal_buffer_append (&self->run_old, old_data + (length - n), n);
      _hm_journal_buffer_append (&self->run_new, new_data + (length - n), n);
      step->length += n;
    }
  memcpy (self->run_new.data + (offset - step->offset), new_data, length);
}

/**
 * hm_journal_step_get_offset:
 * @step: a step
 *
 * Returns: the offset of the first byte the step changes
 */
guint64
hm_journal_step_get_offset (const HmJournalStep *step)
{
  g_return_val_if_fail (step != NULL, 0);

  return step->offset;
}

/**
 * hm_journal_step_get_length:
 * @step: a step
 *
 * Returns: the number of bytes the step changes
 */
guint64
hm_journal_step_get_length (const HmJournalStep *step)
{
  g_return_val_if_fail (step != NULL, 0);

  return step->length;
}

/**
 * hm_journal_step_get_old_data:
 * @step: a step
 *
 * Old bytes are always stored in full, so they can be stored back without a copy.
 *
 * Returns: (transfer none): the step's bytes before it was applied, as many as its length
 */
const guint8 *
hm_journal_step_get_old_data (const HmJournalStep *step)
{
  g_return_val_if_fail (step != NULL, NULL);

  return _hm_journal_step_data (step);
}

/**
 * hm_journal_step_get_pattern:
 * @step: a step
 * @pattern_length: (out): return location for the pattern's length
 *
 * For a fill, the pattern; new byte i of the step is pattern[i % pattern_length].
 *
 * Returns: (nullable) (transfer none): the pattern, or %NULL for a step that
 *   stores its new bytes in full
 */
const guint8 *
hm_journal_step_get_pattern (const HmJournalStep *step,
                             gsize               *pattern_length)
{
  g_return_val_if_fail (step != NULL, NULL);
  g_return_val_if_fail (pattern_length != NULL, NULL);

  *pattern_length = step->pattern_length;
  if (step->pattern_length == 0)
    return NULL;
  return _hm_journal_step_data (step) + step->length;
}

/**
 * hm_journal_step_copy_old:
 * @step: a step
 * @start: the first byte wanted, relative to the step's offset
 * @buffer: (out caller-allocates) (array length=length): where to copy
 * @length: bytes wanted
 *
 * Copies old bytes of the step (what undo stores), for any part of it.
 */
void
hm_journal_step_copy_old (const HmJournalStep *step,
                          guint64              start,
                          guint8              *buffer,
                          gsize                length)
{
  Source source;

  g_return_if_fail (step != NULL);
  g_return_if_fail (start <= step->length && length <= step->length - start);
  g_return_if_fail (buffer != NULL || length == 0);

  source = _hm_journal_step_old_source (step);
  _hm_journal_source_copy (&source, start, buffer, length);
}

/**
 * hm_journal_step_copy_new:
 * @step: a step
 * @start: the first byte wanted, relative to the step's offset
 * @buffer: (out caller-allocates) (array length=length): where to copy
 * @length: bytes wanted
 *
 * Copies new bytes of the step (what redo stores), for any part of it; for a
 * fill they are generated from the pattern.
 */
void
hm_journal_step_copy_new (const HmJournalStep *step,
                          guint64              start,
                          guint8              *buffer,
                          gsize                length)
{
  Source source;

  g_return_if_fail (step != NULL);
  g_return_if_fail (start <= step->length && length <= step->length - start);
  g_return_if_fail (buffer != NULL || length == 0);

  source = _hm_journal_step_new_source (step);
  _hm_journal_source_copy (&source, start, buffer, length);
}
