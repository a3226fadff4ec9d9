/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The journal's pending map: the baseline value of every byte that differs from it.
 *
 * An ordered map holding, for every byte whose current value differs from the
 * baseline, that baseline value. Every change of state (record, undo, redo)
 * reports the bytes before and after the change over its range
 * (_hm_journal_pending_apply()); a byte whose new value equals its baseline value
 * drops out of the map, any other byte enters it, keeping the baseline value it
 * already had there. So the pending set is exact, byte by byte, and costs nothing
 * for bytes that went back to their baseline value.
 *
 * Memory. Pending segments are 16-byte records in a two-level sorted array
 * (leaves of LEAF_MAX, with a flat array of where each leaf ends for the O(log n)
 * search), their bytes inline up to 4, else in a blob; a segment holds at most
 * SEG_MAX_LENGTH bytes, which bounds what splitting one copies. A pending byte's
 * baseline value is kept even though a step holds it too: a fill therefore costs
 * twice its length (old bytes + baseline), never its new bytes. A typing run
 * appends to the pending segment it started in place.
 *
 * The queries the document asks (pending ranges, highlighting, the baseline bytes
 * of a range) and the test hooks on the map's invariants are here too.
 */
#include "config.h"

#include "hm-journal-private.h"

#include <string.h>

typedef struct
{
  guint li;  /* leaf index; == leaves->len at the end */
  guint si;  /* segment index in the leaf */
} Cursor;

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

void
_hm_journal_pending_init (PendingMap *map)
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

void
_hm_journal_pending_clear (PendingMap *map)
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

void
_hm_journal_pending_destroy (PendingMap *map)
{
  _hm_journal_pending_clear (map);
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
void
_hm_journal_pending_apply (HmJournal    *self,
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
      _hm_journal_source_copy (before, pos - offset, base, n);
      _hm_journal_source_copy (after, pos - offset, now, n);
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
