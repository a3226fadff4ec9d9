/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the files of the edit journal share: its structures and the calls between
 * them. hm-journal.c is the journal's API over the two structures below,
 * hm-journal-history.c the undo history (steps, their stacks, the typing run),
 * hm-journal-pending.c the map of pending bytes. Nothing outside these files may
 * include this header.
 */
#pragma once

#include "hm-journal.h"

G_BEGIN_DECLS

#define STEP_CHUNK     1024
#define STEP_INLINE    8
#define LEAF_MAX       256
#define SEG_INLINE     4
#define SEG_MAX_LENGTH (64u * 1024u)  /* bounds what splitting a segment copies */
#define SCAN_SLICE     (64 * 1024)
/* What the allocator adds to each block, counted by hm_journal_get_bytes_used() */
#define MALLOC_OVERHEAD (2 * sizeof (gsize))
/* Step flags beyond HmEditFlags */
#define STEP_STRUCTURAL (1u << 16)  /* data.heap is the document's payload */
#define STEP_GROUPED    (1u << 17)  /* undone and redone with the step before */

struct _HmJournalStep
{
  guint64 offset;
  guint64 length;
  union
  {
    guint8  bytes[STEP_INLINE];
    guint8 *heap;
  } data;                  /* old bytes, then new bytes or the pattern */
  guint32 pattern_length;  /* 0: the new bytes are stored in full */
  guint32 flags;           /* HmEditFlags */
};

G_STATIC_ASSERT (sizeof (HmJournalStep) == 32);

typedef struct
{
  GPtrArray *chunks;  /* HmJournalStep[STEP_CHUNK] each */
  guint64    n;
} StepStack;

typedef struct
{
  guint64 offset;
  guint32 length;
  union
  {
    guint8  bytes[SEG_INLINE];
    guint32 blob;  /* index into PendingMap.blobs */
  } data;          /* the baseline bytes */
} Seg;

G_STATIC_ASSERT (sizeof (Seg) == 16);

typedef struct
{
  guint n;
  Seg   segs[LEAF_MAX];
} Leaf;

typedef struct
{
  GPtrArray *leaves;      /* Leaf *, never empty ones, in offset order */
  GArray    *ends;        /* guint64: where each leaf's last segment ends */
  GPtrArray *blobs;       /* guint8 *, NULL for a free slot */
  GArray    *free_blobs;  /* guint32 */
  GArray    *scratch;     /* Seg: the segments a change builds */
  guint64    n_bytes;
  gsize      blob_bytes;
  guint      leaf_max;    /* LEAF_MAX, SEG_MAX_LENGTH, or less in tests */
  guint32    seg_max;
} PendingMap;

typedef struct
{
  guint8 *data;
  gsize   length;
  gsize   capacity;
} Buffer;

/* Byte i of a range: data[i], or pattern[i % pattern_length] */
typedef struct
{
  const guint8 *data;
  const guint8 *pattern;
  gsize         pattern_length;
} Source;

struct _HmJournal
{
  StepStack  history;
  guint64    pos;
  StepStack  branch;
  guint64    fork;

  /* An open typing run: history's top step (pos == n), its bytes in run_old and
   * run_new rather than in the step until _hm_journal_seal_run() */
  gboolean   run_open;
  Buffer     run_old;
  Buffer     run_new;

  PendingMap pending;
  GArray    *committed;  /* HmRange, sorted, merged */

  gsize      heap_bytes;  /* step bytes on the heap */
  GDestroyNotify structural_free;
  guint8    *scan;        /* 2 * scan_capacity */
  gsize      scan_capacity;
};

/* Read on every record, undo and redo: inline */

static inline gsize
_hm_journal_step_data_size (const HmJournalStep *step)
{
  return (gsize) step->length
         + (step->pattern_length != 0 ? step->pattern_length : (gsize) step->length);
}

static inline const guint8 *
_hm_journal_step_data (const HmJournalStep *step)
{
  return _hm_journal_step_data_size (step) <= STEP_INLINE ? step->data.bytes : step->data.heap;
}

static inline HmJournalStep *
_hm_journal_stack_get (StepStack *stack,
                       guint64    index)
{
  HmJournalStep *chunk;

  g_assert (index < stack->n);
  chunk = stack->chunks->pdata[index / STEP_CHUNK];
  return &chunk[index % STEP_CHUNK];
}

/* hm-journal-history.c */
guint8        *_hm_journal_step_alloc_data     (HmJournal           *self,
                                                HmJournalStep       *step);
void           _hm_journal_step_free_data      (HmJournal           *self,
                                                HmJournalStep       *step);
Source         _hm_journal_step_old_source     (const HmJournalStep *step);
Source         _hm_journal_step_new_source     (const HmJournalStep *step);
void           _hm_journal_source_copy         (const Source        *source,
                                                guint64              start,
                                                guint8              *buffer,
                                                gsize                length);
void           _hm_journal_stack_init          (StepStack           *stack);
HmJournalStep *_hm_journal_stack_push          (StepStack           *stack);
HmJournalStep  _hm_journal_stack_pop           (StepStack           *stack);
void           _hm_journal_stack_clear         (HmJournal           *self,
                                                StepStack           *stack);
void           _hm_journal_buffer_append       (Buffer              *buffer,
                                                const guint8        *data,
                                                gsize                length);
void           _hm_journal_seal_run            (HmJournal           *self);
void           _hm_journal_truncate_redo       (HmJournal           *self);
void           _hm_journal_run_merge           (HmJournal           *self,
                                                guint64              offset,
                                                const guint8        *old_data,
                                                const guint8        *new_data,
                                                gsize                length);

/* hm-journal-pending.c */
void           _hm_journal_pending_init        (PendingMap          *map);
void           _hm_journal_pending_clear       (PendingMap          *map);
void           _hm_journal_pending_destroy     (PendingMap          *map);
void           _hm_journal_pending_apply       (HmJournal           *self,
                                                guint64              offset,
                                                guint64              length,
                                                const Source        *before,
                                                const Source        *after);

G_END_DECLS
