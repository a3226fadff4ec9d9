/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The edit journal: undo history and the set of pending (modified) bytes.
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
 * Pending bytes. Independently of the history, the journal keeps an ordered map
 * holding, for every byte whose current value differs from the baseline, that
 * baseline value. Every change of state (record, undo, redo) reports the bytes
 * before and after the change over its range; a byte whose new value equals its
 * baseline value drops out of the map, any other byte enters it, keeping the
 * baseline value it already had there. So the pending set is exact, byte by byte,
 * and costs nothing for bytes that went back to their baseline value.
 *
 * Memory. Steps are 32-byte records in chunks of STEP_CHUNK; their bytes (old
 * bytes, then new bytes or the fill pattern) live inline when they fit in 8 bytes,
 * else in one heap block. Pending segments are 16-byte records in a two-level
 * sorted array (leaves of LEAF_MAX, with a flat array of where each leaf ends for
 * the O(log n) search), their bytes inline up to 4, else in a blob; a segment
 * holds at most SEG_MAX_LENGTH bytes, which bounds what splitting one copies.
 * A pending byte's baseline value is kept even though a step holds it too: a
 * fill therefore costs twice its length (old bytes + baseline), never its new bytes.
 * A run of typing is kept in two growable buffers until it ends, and appends to
 * the pending segment it started in place, so typing costs linear time.
 */
#include "config.h"

#include "hm-journal.h"

#include <string.h>

#define STEP_CHUNK     1024
#define STEP_INLINE    8
#define LEAF_MAX       256
#define SEG_INLINE     4
#define SEG_MAX_LENGTH (64u * 1024u)  /* bounds what splitting a segment copies */
#define SCAN_SLICE     (64 * 1024)
/* What the allocator adds to each block, counted by hm_journal_get_bytes_used() */
#define MALLOC_OVERHEAD (2 * sizeof (gsize))

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
  guint li;  /* leaf index; == leaves->len at the end */
  guint si;  /* segment index in the leaf */
} Cursor;

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
   * run_new rather than in the step until seal_run() */
  gboolean   run_open;
  Buffer     run_old;
  Buffer     run_new;

  PendingMap pending;
  GArray    *committed;  /* HmRange, sorted, merged */

  gsize      heap_bytes;  /* step bytes on the heap */
  guint8    *scan;        /* 2 * scan_capacity */
  gsize      scan_capacity;
};

/* Steps */

static inline gsize
step_data_size (const HmJournalStep *step)
{
  return (gsize) step->length
         + (step->pattern_length != 0 ? step->pattern_length : (gsize) step->length);
}

static inline const guint8 *
step_data (const HmJournalStep *step)
{
  return step_data_size (step) <= STEP_INLINE ? step->data.bytes : step->data.heap;
}

static guint8 *
step_alloc_data (HmJournal     *self,
                 HmJournalStep *step)
{
  gsize size = step_data_size (step);

  if (size <= STEP_INLINE)
    return step->data.bytes;

  step->data.heap = g_malloc (size);
  self->heap_bytes += size + MALLOC_OVERHEAD;
  return step->data.heap;
}

static void
step_free_data (HmJournal     *self,
                HmJournalStep *step)
{
  gsize size = step_data_size (step);

  if (size <= STEP_INLINE)
    return;

  g_clear_pointer (&step->data.heap, g_free);
  self->heap_bytes -= size + MALLOC_OVERHEAD;
}

static void
source_copy (const Source *source,
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

static Source
step_old_source (const HmJournalStep *step)
{
  Source source = { step_data (step), NULL, 0 };

  return source;
}

static Source
step_new_source (const HmJournalStep *step)
{
  const guint8 *data = step_data (step) + step->length;
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

static void
stack_init (StepStack *stack)
{
  stack->chunks = g_ptr_array_new_with_free_func (g_free);
  stack->n = 0;
}

static inline HmJournalStep *
stack_get (StepStack *stack,
           guint64    index)
{
  HmJournalStep *chunk;

  g_assert (index < stack->n);
  chunk = stack->chunks->pdata[index / STEP_CHUNK];
  return &chunk[index % STEP_CHUNK];
}

static HmJournalStep *
stack_push (StepStack *stack)
{
  HmJournalStep *step;

  if (stack->n / STEP_CHUNK >= stack->chunks->len)
    g_ptr_array_add (stack->chunks, g_new (HmJournalStep, STEP_CHUNK));

  stack->n++;
  step = stack_get (stack, stack->n - 1);
  memset (step, 0, sizeof *step);
  return step;
}

static HmJournalStep
stack_pop (StepStack *stack)
{
  HmJournalStep step = *stack_get (stack, stack->n - 1);
  guint needed;

  stack->n--;
  /* Keep one spare chunk, so pushing and popping at a boundary does not thrash */
  needed = (guint) ((stack->n + STEP_CHUNK - 1) / STEP_CHUNK);
  if (stack->chunks->len > needed + 1)
    g_ptr_array_set_size (stack->chunks, needed + 1);

  return step;
}

static void
stack_clear (HmJournal *self,
             StepStack *stack)
{
  while (stack->n > 0)
    {
      HmJournalStep step = stack_pop (stack);

      step_free_data (self, &step);
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

static void
buffer_append (Buffer       *buffer,
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

/* The pending map */

static inline guint64
seg_end (const Seg *seg)
{
  return seg->offset + seg->length;
}

static inline guint8 *
seg_bytes (PendingMap *map,
           Seg        *seg)
{
  return seg->length <= SEG_INLINE ? seg->data.bytes : map->blobs->pdata[seg->data.blob];
}

static gsize
blob_capacity (gsize length)
{
  gsize capacity = 8;

  while (capacity < length)
    capacity *= 2;
  return capacity;
}

static guint32
blob_new (PendingMap *map,
          gsize       length)
{
  gsize capacity = blob_capacity (length);
  guint8 *data = g_malloc (capacity);
  guint32 index;

  map->blob_bytes += capacity + MALLOC_OVERHEAD;
  if (map->free_blobs->len > 0)
    {
      index = g_array_index (map->free_blobs, guint32, map->free_blobs->len - 1);
      g_array_set_size (map->free_blobs, map->free_blobs->len - 1);
      map->blobs->pdata[index] = data;
    }
  else
    {
      g_assert (map->blobs->len < G_MAXUINT32);
      index = map->blobs->len;
      g_ptr_array_add (map->blobs, data);
    }

  return index;
}

static void
seg_free (PendingMap *map,
          Seg        *seg)
{
  if (seg->length <= SEG_INLINE)
    return;

  g_clear_pointer (&map->blobs->pdata[seg->data.blob], g_free);
  g_array_append_val (map->free_blobs, seg->data.blob);
  map->blob_bytes -= blob_capacity (seg->length) + MALLOC_OVERHEAD;
}

/* Makes @seg @add bytes longer; the new bytes are left for the caller to fill */
static void
seg_grow (PendingMap *map,
          Seg        *seg,
          gsize       add)
{
  gsize length = seg->length + add;

  g_assert (length <= map->seg_max);

  if (length <= SEG_INLINE)
    ;
  else if (seg->length <= SEG_INLINE)
    {
      guint32 index = blob_new (map, length);

      memcpy (map->blobs->pdata[index], seg->data.bytes, seg->length);
      seg->data.blob = index;
    }
  else if (blob_capacity (length) != blob_capacity (seg->length))
    {
      map->blob_bytes += blob_capacity (length) - blob_capacity (seg->length);
      map->blobs->pdata[seg->data.blob] = g_realloc (map->blobs->pdata[seg->data.blob],
                                                     blob_capacity (length));
    }

  seg->length = (guint32) length;
}

/* Appends baseline bytes to the segments being built, merging adjacent ones */
static void
build_append (PendingMap   *map,
              guint64       offset,
              const guint8 *bytes,
              gsize         length)
{
  GArray *out = map->scratch;

  while (length > 0)
    {
      Seg *last = out->len > 0 ? &g_array_index (out, Seg, out->len - 1) : NULL;
      gsize n;

      if (last == NULL || seg_end (last) != offset || last->length >= map->seg_max)
        {
          Seg seg = { offset, 0, { { 0 } } };

          g_array_append_val (out, seg);
          last = &g_array_index (out, Seg, out->len - 1);
        }

      n = MIN (length, map->seg_max - last->length);
      seg_grow (map, last, n);
      memcpy (seg_bytes (map, last) + last->length - n, bytes, n);
      offset += n;
      bytes += n;
      length -= n;
    }
}

static void
map_init (PendingMap *map)
{
  map->leaves = g_ptr_array_new_with_free_func (g_free);
  map->ends = g_array_new (FALSE, FALSE, sizeof (guint64));
  map->blobs = g_ptr_array_new ();
  map->free_blobs = g_array_new (FALSE, FALSE, sizeof (guint32));
  map->scratch = g_array_new (FALSE, FALSE, sizeof (Seg));
  map->n_bytes = 0;
  map->blob_bytes = 0;
  map->leaf_max = LEAF_MAX;
  map->seg_max = SEG_MAX_LENGTH;
}

static void
map_clear (PendingMap *map)
{
  for (guint i = 0; i < map->blobs->len; i++)
    g_free (map->blobs->pdata[i]);
  g_ptr_array_set_size (map->blobs, 0);
  g_array_set_size (map->free_blobs, 0);
  g_ptr_array_set_size (map->leaves, 0);
  g_array_set_size (map->ends, 0);
  map->n_bytes = 0;
  map->blob_bytes = 0;
}

static void
map_destroy (PendingMap *map)
{
  map_clear (map);
  g_clear_pointer (&map->leaves, g_ptr_array_unref);
  g_clear_pointer (&map->ends, g_array_unref);
  g_clear_pointer (&map->blobs, g_ptr_array_unref);
  g_clear_pointer (&map->free_blobs, g_array_unref);
  g_clear_pointer (&map->scratch, g_array_unref);
}

static inline Leaf *
map_leaf (PendingMap *map,
          guint       li)
{
  return map->leaves->pdata[li];
}

/* Call after changing leaf @li: the top-level search reads only `ends` */
static void
map_leaf_changed (PendingMap *map,
                  guint       li)
{
  Leaf *leaf = map_leaf (map, li);

  g_assert (leaf->n > 0);
  g_array_index (map->ends, guint64, li) = seg_end (&leaf->segs[leaf->n - 1]);
}

static void
map_leaf_insert (PendingMap *map,
                 guint       li,
                 Leaf       *leaf)
{
  guint64 end = 0;

  g_ptr_array_insert (map->leaves, li, leaf);
  g_array_insert_val (map->ends, li, end);
}

static void
map_leaf_remove (PendingMap *map,
                 guint       li)
{
  g_ptr_array_remove_index (map->leaves, li);
  g_array_remove_index (map->ends, li);
}

static inline Seg *
map_at (PendingMap *map,
        Cursor      cursor)
{
  if (cursor.li >= map->leaves->len)
    return NULL;
  return &map_leaf (map, cursor.li)->segs[cursor.si];
}

static inline void
cursor_next (PendingMap *map,
             Cursor     *cursor)
{
  if (++cursor->si == map_leaf (map, cursor->li)->n)
    {
      cursor->li++;
      cursor->si = 0;
    }
}

/* The first segment that ends after @offset: O(log n) */
static Cursor
map_find (PendingMap *map,
          guint64     offset)
{
  Cursor cursor = { 0, 0 };
  guint lo = 0;
  guint hi = map->leaves->len;
  Leaf *leaf;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (map->ends, guint64, mid) > offset)
        hi = mid;
      else
        lo = mid + 1;
    }

  cursor.li = lo;
  if (lo == map->leaves->len)
    return cursor;

  leaf = map_leaf (map, lo);
  hi = leaf->n - 1;
  lo = 0;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (seg_end (&leaf->segs[mid]) > offset)
        hi = mid;
      else
        lo = mid + 1;
    }
  cursor.si = lo;
  return cursor;
}

/* Merges a small leaf into a neighbour, so that deleting cannot leave memory
 * behind in nearly empty leaves */
static void
map_maybe_merge (PendingMap *map,
                 guint       li)
{
  Leaf *leaf;
  Leaf *other;

  if (li >= map->leaves->len)
    return;

  leaf = map_leaf (map, li);
  if (leaf->n >= map->leaf_max / 4)
    return;

  if (li > 0 && map_leaf (map, li - 1)->n + leaf->n <= map->leaf_max)
    {
      other = map_leaf (map, li - 1);
      memcpy (&other->segs[other->n], leaf->segs, leaf->n * sizeof (Seg));
      other->n += leaf->n;
      map_leaf_remove (map, li);
      map_leaf_changed (map, li - 1);
    }
  else if (li + 1 < map->leaves->len && map_leaf (map, li + 1)->n + leaf->n <= map->leaf_max)
    {
      other = map_leaf (map, li + 1);
      memmove (&other->segs[leaf->n], other->segs, other->n * sizeof (Seg));
      memcpy (other->segs, leaf->segs, leaf->n * sizeof (Seg));
      other->n += leaf->n;
      map_leaf_remove (map, li);
    }
}

static void
map_insert (PendingMap *map,
            Cursor      at,
            const Seg  *segs,
            guint       n_segs)
{
  g_autofree Seg *all = NULL;
  Leaf *leaf;
  guint total;
  guint n_leaves;
  guint done = 0;
  gboolean appending;

  if (n_segs == 0)
    return;

  if (at.li == map->leaves->len)
    {
      if (map->leaves->len == 0)
        map_leaf_insert (map, 0, g_new0 (Leaf, 1));
      at.li = map->leaves->len - 1;
      at.si = map_leaf (map, at.li)->n;
    }

  leaf = map_leaf (map, at.li);
  if (leaf->n + n_segs <= map->leaf_max)
    {
      memmove (&leaf->segs[at.si + n_segs], &leaf->segs[at.si], (leaf->n - at.si) * sizeof (Seg));
      memcpy (&leaf->segs[at.si], segs, n_segs * sizeof (Seg));
      leaf->n += n_segs;
      map_leaf_changed (map, at.li);
      return;
    }

  /* Split: lay the leaf's segments and the new ones out over enough leaves */
  total = leaf->n + n_segs;
  all = g_new (Seg, total);
  memcpy (all, leaf->segs, at.si * sizeof (Seg));
  memcpy (all + at.si, segs, n_segs * sizeof (Seg));
  memcpy (all + at.si + n_segs, &leaf->segs[at.si], (leaf->n - at.si) * sizeof (Seg));

  /* Appending at the end (ascending edits) packs leaves full; anything else
   * spreads evenly, leaving room on both sides */
  appending = at.si == leaf->n;
  n_leaves = (total + map->leaf_max - 1) / map->leaf_max;
  for (guint i = 0; i < n_leaves; i++)
    {
      guint n;

      if (appending)
        n = MIN (map->leaf_max, total - done);
      else
        n = total / n_leaves + (i < total % n_leaves ? 1 : 0);

      if (i > 0)
        map_leaf_insert (map, at.li + i, g_new (Leaf, 1));
      map_leaf (map, at.li + i)->n = n;
      memcpy (map_leaf (map, at.li + i)->segs, all + done, n * sizeof (Seg));
      map_leaf_changed (map, at.li + i);
      done += n;
    }
  g_assert (done == total);
}

/* Replaces @n_remove segments from @at with the scratch segments. With @stolen,
 * the scratch took over the first of them, bytes and all: do not free it. */
static void
map_splice (PendingMap *map,
            Cursor      at,
            guint64     n_remove,
            gboolean    stolen)
{
  guint li = at.li;
  guint si = at.si;

  while (n_remove > 0)
    {
      Leaf *leaf = map_leaf (map, li);
      guint n = (guint) MIN (n_remove, (guint64) (leaf->n - si));

      for (guint i = 0; i < n; i++)
        {
          map->n_bytes -= leaf->segs[si + i].length;
          if (!stolen)
            seg_free (map, &leaf->segs[si + i]);
          stolen = FALSE;
        }
      memmove (&leaf->segs[si], &leaf->segs[si + n], (leaf->n - si - n) * sizeof (Seg));
      leaf->n -= n;
      n_remove -= n;

      if (leaf->n == 0)
        map_leaf_remove (map, li);
      else
        map_leaf_changed (map, li++);
      si = 0;
    }

  for (guint i = 0; i < map->scratch->len; i++)
    map->n_bytes += g_array_index (map->scratch, Seg, i).length;
  map_insert (map, at, (const Seg *) (gpointer) map->scratch->data, map->scratch->len);
  g_array_set_size (map->scratch, 0);

  map_maybe_merge (map, at.li + 1);
  map_maybe_merge (map, at.li);
  if (at.li > 0)
    map_maybe_merge (map, at.li - 1);
}

static void
scan_reserve (HmJournal *self,
              gsize      length)
{
  if (length <= self->scan_capacity)
    return;

  self->scan_capacity = MIN (MAX (length, self->scan_capacity * 2), SCAN_SLICE);
  g_free (self->scan);
  self->scan = g_malloc (2 * self->scan_capacity);
}

/*
 * The state changes over [offset, offset + length) from @before to @after:
 * update the baseline bytes kept for the bytes that now differ from the baseline.
 * The segments touching the range (overlapping or adjacent) are rebuilt in one
 * splice: what they hold outside the range, then the differing runs inside.
 */
static void
pending_apply (HmJournal    *self,
               guint64       offset,
               guint64       length,
               const Source *before,
               const Source *after)
{
  PendingMap *map = &self->pending;
  guint64 end = offset + length;
  Cursor first = map_find (map, offset > 0 ? offset - 1 : 0);
  Cursor walk = first;
  Cursor cursor;
  Seg *seg;
  Seg *last = NULL;
  guint64 n_touching = 0;
  guint64 pos;
  gboolean stolen = FALSE;

  g_assert (map->scratch->len == 0);

  /* A segment that ends where the change starts is taken over whole: typing
   * then appends to it in place instead of copying it each time */
  seg = map_at (map, first);
  if (seg != NULL && seg_end (seg) == offset)
    {
      g_array_append_val (map->scratch, *seg);
      stolen = TRUE;
    }
  else if (seg != NULL && seg->offset < offset)
    build_append (map, seg->offset, seg_bytes (map, seg), offset - seg->offset);

  scan_reserve (self, MIN (length, SCAN_SLICE));
  for (pos = offset; pos < end;)
    {
      gsize n = MIN (end - pos, self->scan_capacity);
      guint8 *base = self->scan;
      guint8 *now = self->scan + self->scan_capacity;
      gsize i = 0;

      /* The baseline: what the map holds, else the bytes before the change */
      source_copy (before, pos - offset, base, n);
      source_copy (after, pos - offset, now, n);
      while ((seg = map_at (map, walk)) != NULL && seg->offset < pos + n)
        {
          guint64 from = MAX (seg->offset, pos);
          guint64 to = MIN (seg_end (seg), pos + n);

          if (from < to)
            memcpy (base + (from - pos), seg_bytes (map, seg) + (from - seg->offset), to - from);
          if (seg_end (seg) > pos + n)
            break;
          cursor_next (map, &walk);
        }

      while (i < n)
        {
          gsize j;

          while (i < n && base[i] == now[i])
            i++;
          for (j = i; j < n && base[j] != now[j]; j++)
            ;
          if (j > i)
            build_append (map, pos + i, base + i, j - i);
          i = j;
        }
      pos += n;
    }

  for (cursor = first; (seg = map_at (map, cursor)) != NULL && seg->offset <= end;
       cursor_next (map, &cursor))
    {
      n_touching++;
      last = seg;
    }
  if (last != NULL && seg_end (last) > end)
    {
      guint64 from = MAX (last->offset, end);

      build_append (map, from, seg_bytes (map, last) + (from - last->offset), seg_end (last) - from);
    }

  map_splice (map, first, n_touching, stolen);
}

/* Journal */

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

  stack_init (&self->history);
  stack_init (&self->branch);
  map_init (&self->pending);
  self->committed = g_array_new (FALSE, FALSE, sizeof (HmRange));
  return self;
}

static void
seal_run (HmJournal *self)
{
  HmJournalStep *step;
  guint8 *data;

  if (!self->run_open)
    return;

  step = stack_get (&self->history, self->history.n - 1);
  g_assert (step->length == self->run_old.length && step->length == self->run_new.length);
  data = step_alloc_data (self, step);
  memcpy (data, self->run_old.data, self->run_old.length);
  memcpy (data + step->length, self->run_new.data, self->run_new.length);
  buffer_reset (&self->run_old);
  buffer_reset (&self->run_new);
  self->run_open = FALSE;
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

  seal_run (self);
  stack_clear (self, &self->history);
  stack_clear (self, &self->branch);
  g_ptr_array_unref (self->history.chunks);
  g_ptr_array_unref (self->branch.chunks);
  g_free (self->run_old.data);
  g_free (self->run_new.data);
  map_destroy (&self->pending);
  g_array_unref (self->committed);
  g_free (self->scan);
  g_free (self);
}

/* Before a new step: the redo tail goes, but steps that lead to the baseline move
 * to the branch, so discard can still get back to it */
static void
truncate_redo (HmJournal *self)
{
  guint64 keep = MAX (self->fork, self->pos);

  while (self->history.n > keep)
    {
      HmJournalStep step = stack_pop (&self->history);

      step_free_data (self, &step);
    }

  if (self->pos < self->fork)
    {
      while (self->history.n > self->pos)
        *stack_push (&self->branch) = stack_pop (&self->history);
      self->fork = self->pos;
    }
}

static void
run_merge (HmJournal    *self,
           guint64       offset,
           const guint8 *old_data,
           const guint8 *new_data,
           gsize         length)
{
  HmJournalStep *step = stack_get (&self->history, self->history.n - 1);
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

      buffer_append (&self->run_old, old_data + (length - n), n);
      buffer_append (&self->run_new, new_data + (length - n), n);
      step->length += n;
    }
  memcpy (self->run_new.data + (offset - step->offset), new_data, length);
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

  pending_apply (self, offset, length, &before, &after);

  if ((flags & HM_EDIT_COALESCE) != 0 && self->run_open)
    {
      step = stack_get (&self->history, self->history.n - 1);
      if (offset <= step->offset + step->length && offset + length > step->offset)
        {
          run_merge (self, offset, old_data, new_data, length);
          return;
        }
    }

  seal_run (self);
  truncate_redo (self);

  step = stack_push (&self->history);
  step->offset = offset;
  step->length = length;
  step->flags = flags;
  self->pos = self->history.n;

  if ((flags & HM_EDIT_COALESCE) != 0)
    {
      buffer_append (&self->run_old, old_data, length);
      buffer_append (&self->run_new, new_data, length);
      self->run_open = TRUE;
    }
  else
    {
      guint8 *data = step_alloc_data (self, step);

      memcpy (data, old_data, length);
      memcpy (data + length, new_data, length);
    }
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
  Source before = { old_data, NULL, 0 };
  Source after = { NULL, pattern, 0 };
  HmJournalStep *step;
  guint8 *data;

  g_return_if_fail (self != NULL);
  g_return_if_fail (length == 0 || old_data != NULL);
  g_return_if_fail (pattern != NULL && pattern_length > 0 && pattern_length <= G_MAXUINT32);
  g_return_if_fail (G_MAXUINT64 - offset >= length);

  if (length == 0)
    return;

  /* Bytes of the pattern past the end of the fill are never used */
  after.pattern_length = MIN (pattern_length, length);
  pending_apply (self, offset, length, &before, &after);

  seal_run (self);
  truncate_redo (self);

  step = stack_push (&self->history);
  step->offset = offset;
  step->length = length;
  step->pattern_length = (guint32) after.pattern_length;
  self->pos = self->history.n;

  data = step_alloc_data (self, step);
  memcpy (data, old_data, length);
  memcpy (data + length, pattern, after.pattern_length);
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

  seal_run (self);
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

  seal_run (self);
  if (self->pos == 0)
    return NULL;
  return stack_get (&self->history, self->pos - 1);
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

  seal_run (self);
  step = stack_get (&self->history, self->pos - 1);
  before = step_new_source (step);
  after = step_old_source (step);
  pending_apply (self, step->offset, step->length, &before, &after);
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

  seal_run (self);
  if (self->pos == self->history.n)
    return NULL;
  return stack_get (&self->history, self->pos);
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

  seal_run (self);
  step = stack_get (&self->history, self->pos);
  before = step_old_source (step);
  after = step_new_source (step);
  pending_apply (self, step->offset, step->length, &before, &after);
  self->pos++;
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

  return step_data (step);
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
  return step_data (step) + step->length;
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

  source = step_old_source (step);
  source_copy (&source, start, buffer, length);
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

  source = step_new_source (step);
  source_copy (&source, start, buffer, length);
}

/**
 * hm_journal_has_pending:
 * @self: a journal
 *
 * Returns: whether any byte differs from the baseline
 */
gboolean
hm_journal_has_pending (HmJournal *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->pending.n_bytes > 0;
}

/**
 * hm_journal_get_pending_bytes:
 * @self: a journal
 *
 * Returns: how many bytes differ from the baseline
 */
guint64
hm_journal_get_pending_bytes (HmJournal *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->pending.n_bytes;
}

/**
 * hm_journal_get_pending_ranges:
 * @self: a journal
 *
 * The bytes that differ from the baseline, as a commit must write them.
 *
 * Returns: (transfer full) (element-type HmRange): the ranges, sorted and merged
 */
GArray *
hm_journal_get_pending_ranges (HmJournal *self)
{
  PendingMap *map;
  GArray *ranges;
  Cursor cursor = { 0, 0 };
  Seg *seg;

  g_return_val_if_fail (self != NULL, NULL);

  map = &self->pending;
  ranges = g_array_new (FALSE, FALSE, sizeof (HmRange));
  for (; (seg = map_at (map, cursor)) != NULL; cursor_next (map, &cursor))
    {
      HmRange *last = ranges->len > 0 ? &g_array_index (ranges, HmRange, ranges->len - 1) : NULL;

      if (last != NULL && last->offset + last->length == seg->offset)
        last->length += seg->length;
      else
        {
          HmRange range = { seg->offset, seg->length };

          g_array_append_val (ranges, range);
        }
    }
  return ranges;
}

/**
 * hm_journal_range_is_modified:
 * @self: a journal
 * @offset: first byte
 * @length: bytes
 *
 * A fast (O(log n)) test for highlighting.
 *
 * Returns: whether any byte of the range differs from the baseline
 */
gboolean
hm_journal_range_is_modified (HmJournal *self,
                              guint64    offset,
                              guint64    length)
{
  Seg *seg;

  g_return_val_if_fail (self != NULL, FALSE);

  if (length == 0)
    return FALSE;

  /* The first pending segment that ends after offset: does it start in time? */
  seg = map_at (&self->pending, map_find (&self->pending, offset));
  if (seg == NULL)
    return FALSE;
  return seg->offset <= offset || seg->offset - offset < length;
}

/**
 * hm_journal_next_modified:
 * @self: a journal
 * @offset: where to start looking
 * @range: (out) (optional): return location for the range found
 *
 * Finds the first run of pending bytes that ends after @offset, in O(log n).
 * The range returned starts no earlier than @offset and runs to the end of the
 * pending run.
 *
 * Returns: %TRUE if there is one
 */
gboolean
hm_journal_next_modified (HmJournal *self,
                          guint64    offset,
                          HmRange   *range)
{
  PendingMap *map;
  Cursor cursor;
  Seg *seg;
  guint64 start;
  guint64 end;

  g_return_val_if_fail (self != NULL, FALSE);

  map = &self->pending;
  cursor = map_find (map, offset);
  seg = map_at (map, cursor);
  if (seg == NULL)
    return FALSE;

  start = MAX (seg->offset, offset);
  end = seg_end (seg);
  for (cursor_next (map, &cursor); (seg = map_at (map, cursor)) != NULL && seg->offset == end;
       cursor_next (map, &cursor))
    end = seg_end (seg);

  if (range != NULL)
    {
      range->offset = start;
      range->length = end - start;
    }
  return TRUE;
}

/**
 * hm_journal_copy_baseline:
 * @self: a journal
 * @offset: the file offset of @buffer[0]
 * @buffer: (inout) (array length=length): current bytes of the range
 * @length: bytes in @buffer
 *
 * Turns current bytes into baseline bytes: every pending byte in the range is
 * replaced with its baseline value; the others already are. For a direct-mode
 * discard, or to show what the file held.
 */
void
hm_journal_copy_baseline (HmJournal *self,
                          guint64    offset,
                          guint8    *buffer,
                          gsize      length)
{
  PendingMap *map;
  Cursor cursor;
  Seg *seg;

  g_return_if_fail (self != NULL);
  g_return_if_fail (buffer != NULL || length == 0);
  g_return_if_fail (G_MAXUINT64 - offset >= length);

  map = &self->pending;
  for (cursor = map_find (map, offset);
       (seg = map_at (map, cursor)) != NULL && seg->offset < offset + length;
       cursor_next (map, &cursor))
    {
      guint64 from = MAX (seg->offset, offset);
      guint64 to = MIN (seg_end (seg), offset + length);

      memcpy (buffer + (from - offset), seg_bytes (map, seg) + (from - seg->offset), to - from);
    }
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

  seal_run (self);
  ranges = hm_journal_get_pending_ranges (self);
  committed_add (self, ranges);
  map_clear (&self->pending);

  stack_clear (self, &self->branch);
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

  seal_run (self);
  while (self->history.n > self->fork)
    {
      HmJournalStep step = stack_pop (&self->history);

      step_free_data (self, &step);
    }
  while (self->branch.n > 0)
    *stack_push (&self->history) = stack_pop (&self->branch);

  self->pos = self->history.n;
  self->fork = self->history.n;
  map_clear (&self->pending);
}

/* For tests: small leaves and segments, so that a small model exercises
 * splitting and merging them */
void
_hm_journal_set_limits (HmJournal *self,
                        guint      leaf_max,
                        guint      segment_max)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (leaf_max >= 2 && leaf_max <= LEAF_MAX);
  g_return_if_fail (segment_max >= 1 && segment_max <= SEG_MAX_LENGTH);
  g_return_if_fail (!hm_journal_has_pending (self));

  self->pending.leaf_max = leaf_max;
  self->pending.seg_max = segment_max;
}

/* For tests: asserts the invariants of the structures */
void
_hm_journal_validate (HmJournal *self)
{
  PendingMap *map = &self->pending;
  guint64 n_bytes = 0;
  guint64 prev_end = 0;
  gsize blob_bytes = 0;
  guint n_blobs = 0;

  g_assert_cmpuint (self->pos, <=, self->history.n);
  g_assert_cmpuint (self->fork, <=, self->history.n);
  g_assert (!self->run_open || self->pos == self->history.n);
  g_assert_cmpuint (map->leaves->len, ==, map->ends->len);

  for (guint li = 0; li < map->leaves->len; li++)
    {
      Leaf *leaf = map_leaf (map, li);

      g_assert_cmpuint (leaf->n, >, 0);
      g_assert_cmpuint (leaf->n, <=, map->leaf_max);
      g_assert_cmpuint (g_array_index (map->ends, guint64, li), ==,
                        seg_end (&leaf->segs[leaf->n - 1]));
      for (guint si = 0; si < leaf->n; si++)
        {
          Seg *seg = &leaf->segs[si];

          g_assert_cmpuint (seg->length, >, 0);
          g_assert_cmpuint (seg->length, <=, map->seg_max);
          g_assert_cmpuint (seg->offset, >=, prev_end);
          if (seg->length > SEG_INLINE)
            {
              g_assert_nonnull (map->blobs->pdata[seg->data.blob]);
              blob_bytes += blob_capacity (seg->length) + MALLOC_OVERHEAD;
              n_blobs++;
            }
          prev_end = seg_end (seg);
          n_bytes += seg->length;
        }
    }
  g_assert_cmpuint (n_bytes, ==, map->n_bytes);
  g_assert_cmpuint (blob_bytes, ==, map->blob_bytes);
  g_assert_cmpuint (map->blobs->len - map->free_blobs->len, ==, n_blobs);
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
