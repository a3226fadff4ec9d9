/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmCompare: compare two documents.
 *
 * This file holds the object and the byte-for-byte compare (%HM_COMPARE_BYTES);
 * the insertion-aware compare lives in hm-compare-align.c.
 *
 * Byte for byte, the range is cut into "items": the hole maps of both files are
 * merged first, so an item is either a stretch where both files have holes
 * (skipped: nothing is read, nothing differs) or at most one chunk (1 MiB,
 * aligned to absolute multiples of the chunk size) where at least one side has
 * data. A hole side is never read: it is compared as a buffer of zeros. Worker
 * threads (two) claim items in order and compare them into a list of runs per
 * item; the calling thread hands the lists to the run function in item order
 * and joins a run that ends at an item's end with one that starts the next, so
 * a run crossing a chunk or thread boundary comes out as one. At most a few
 * items are in flight, which bounds memory however far the workers could run
 * ahead of a slow consumer.
 *
 * All bytes are read by _hm_compare_read(), through the bulk reader
 * (hm-bulk.c). The compare loop finds equal stretches with memcmp() over
 * blocks (vectorised by the C library) and then the exact first difference and
 * the end of each differing run a machine word at a time.
 *
 * When one file is longer, its tail past the end of the other is one more run,
 * reported last and never joined with the run before it.
 *
 * A paging fault (I/O error, a file truncated behind our back) stops the
 * compare with the document's %HM_FAULT_ERROR, which names the file and the
 * offset. Holes give no fault when a file shrinks, so the last byte of each
 * range is read at the end to notice that.
 */
#include "config.h"

#include "hm-compare-private.h"

#include "hm-bulk.h"

#include <string.h>

#define DEFAULT_CHUNK_SIZE     (1024 * 1024)
#define DEFAULT_N_THREADS      2
#define MAX_THREADS            8
#define PROGRESS_INTERVAL_USEC (50 * 1000)
#define MEMCMP_BLOCK           1024

G_DEFINE_FINAL_TYPE (HmCompare, hm_compare, G_TYPE_OBJECT)

static void
hm_compare_dispose (GObject *object)
{
  HmCompare *self = HM_COMPARE (object);

  hm_compare_set_run_func (self, NULL, NULL, NULL);
  hm_compare_set_hunk_func (self, NULL, NULL, NULL);
  hm_compare_set_progress_func (self, NULL, NULL, NULL);

  G_OBJECT_CLASS (hm_compare_parent_class)->dispose (object);
}

static void
hm_compare_finalize (GObject *object)
{
  HmCompare *self = HM_COMPARE (object);

  g_clear_object (&self->a);
  g_clear_object (&self->b);

  G_OBJECT_CLASS (hm_compare_parent_class)->finalize (object);
}

static void
hm_compare_class_init (HmCompareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hm_compare_dispose;
  object_class->finalize = hm_compare_finalize;
}

static void
hm_compare_init (HmCompare *self)
{
  self->mode = HM_COMPARE_BYTES;
  self->length = G_MAXUINT64;
  self->max_memory = HM_COMPARE_DEFAULT_MAX_MEMORY;
  self->chunk_size = DEFAULT_CHUNK_SIZE;
  self->n_threads = DEFAULT_N_THREADS;
}

/**
 * hm_compare_new:
 * @a: the first document
 * @b: the second document
 *
 * Creates a compare of @a with @b. Set the mode, the range and a run or hunk
 * function, then run it with hm_compare_run_async() (or hm_compare_run() on a
 * thread of your own).
 *
 * Returns: (transfer full): a new compare
 */
HmCompare *
hm_compare_new (HmDocument *a,
                HmDocument *b)
{
  HmCompare *self;

  g_return_val_if_fail (HM_IS_DOCUMENT (a), NULL);
  g_return_val_if_fail (HM_IS_DOCUMENT (b), NULL);

  self = g_object_new (HM_TYPE_COMPARE, NULL);
  self->a = g_object_ref (a);
  self->b = g_object_ref (b);

  return self;
}

/**
 * hm_compare_set_mode:
 * @self: a compare
 * @mode: byte for byte (the default) or insertion-aware
 *
 * Byte for byte reports runs to the run function; insertion-aware reports
 * hunks to the hunk function.
 */
void
hm_compare_set_mode (HmCompare     *self,
                     HmCompareMode  mode)
{
  g_return_if_fail (HM_IS_COMPARE (self));
  g_return_if_fail (!self->running);
  g_return_if_fail (mode == HM_COMPARE_BYTES || mode == HM_COMPARE_INSERTIONS);

  self->mode = mode;
}

/**
 * hm_compare_set_range:
 * @self: a compare
 * @offset: first byte to compare, in both documents
 * @length: bytes to compare; %G_MAXUINT64 for "to the end"
 *
 * Limits the compare to [@offset, @offset + @length) of each document,
 * clipped to each document's size. Offsets reported stay file offsets.
 */
void
hm_compare_set_range (HmCompare *self,
                      guint64    offset,
                      guint64    length)
{
  g_return_if_fail (HM_IS_COMPARE (self));
  g_return_if_fail (!self->running);

  self->offset = offset;
  self->length = length;
}

/**
 * hm_compare_set_max_memory:
 * @self: a compare
 * @max_memory: bytes of working memory, at least %HM_COMPARE_MIN_MEMORY
 *
 * Bounds the buffers and indexes of %HM_COMPARE_INSERTIONS (the default is
 * %HM_COMPARE_DEFAULT_MAX_MEMORY). An edit longer than about a third of it
 * cannot be aligned: it comes back as a hunk flagged %HM_HUNK_UNALIGNED.
 */
void
hm_compare_set_max_memory (HmCompare *self,
                           gsize      max_memory)
{
  g_return_if_fail (HM_IS_COMPARE (self));
  g_return_if_fail (!self->running);
  g_return_if_fail (max_memory >= HM_COMPARE_MIN_MEMORY);

  self->max_memory = max_memory;
}

/**
 * hm_compare_set_run_func:
 * @self: a compare
 * @func: (nullable): receives each run of differing bytes, on the thread
 *   running the compare
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * For %HM_COMPARE_BYTES. Without a function the runs are only counted.
 */
void
hm_compare_set_run_func (HmCompare        *self,
                         HmCompareRunFunc  func,
                         gpointer          user_data,
                         GDestroyNotify    destroy)
{
  g_return_if_fail (HM_IS_COMPARE (self));
  g_return_if_fail (!self->running);

  if (self->run_destroy != NULL)
    self->run_destroy (self->run_data);
  self->run_func = func;
  self->run_data = user_data;
  self->run_destroy = destroy;
}

/**
 * hm_compare_set_hunk_func:
 * @self: a compare
 * @func: (nullable): receives each hunk, on the thread running the compare
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * For %HM_COMPARE_INSERTIONS. Without a function the hunks are only counted.
 */
void
hm_compare_set_hunk_func (HmCompare         *self,
                          HmCompareHunkFunc  func,
                          gpointer           user_data,
                          GDestroyNotify     destroy)
{
  g_return_if_fail (HM_IS_COMPARE (self));
  g_return_if_fail (!self->running);

  if (self->hunk_destroy != NULL)
    self->hunk_destroy (self->hunk_data);
  self->hunk_func = func;
  self->hunk_data = user_data;
  self->hunk_destroy = destroy;
}

/**
 * hm_compare_set_progress_func:
 * @self: a compare
 * @func: (nullable): receives bytes done and total, on the thread running the
 *   compare, about 20 times a second and once at the end
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Byte for byte, the total is the longer range; insertion-aware, the sum of
 * both. Holes count as done as soon as they are passed.
 */
void
hm_compare_set_progress_func (HmCompare      *self,
                              HmProgressFunc  func,
                              gpointer        user_data,
                              GDestroyNotify  destroy)
{
  g_return_if_fail (HM_IS_COMPARE (self));
  g_return_if_fail (!self->running);

  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);
  self->progress_func = func;
  self->progress_data = user_data;
  self->progress_destroy = destroy;
}

/**
 * hm_compare_set_chunk_size:
 * @self: a compare
 * @chunk_size: bytes per read, at least 1
 *
 * For tests: small chunks put many chunk and thread boundaries inside a small
 * file. The default is 1 MiB.
 */
void
hm_compare_set_chunk_size (HmCompare *self,
                           gsize      chunk_size)
{
  g_return_if_fail (HM_IS_COMPARE (self));
  g_return_if_fail (!self->running);
  g_return_if_fail (chunk_size > 0);

  self->chunk_size = chunk_size;
}

/**
 * hm_compare_set_n_threads:
 * @self: a compare
 * @n_threads: worker threads for %HM_COMPARE_BYTES, 1 to 8
 *
 * For tests and benchmarks. The default is 2.
 */
void
hm_compare_set_n_threads (HmCompare *self,
                          guint      n_threads)
{
  g_return_if_fail (HM_IS_COMPARE (self));
  g_return_if_fail (!self->running);
  g_return_if_fail (n_threads >= 1 && n_threads <= MAX_THREADS);

  self->n_threads = n_threads;
}

/* --- shared with hm-compare-align.c -------------------------------------- */

void
_hm_compare_get_range (HmCompare  *self,
                       HmDocument *doc,
                       guint64    *start,
                       guint64    *end)
{
  guint64 size = hm_document_get_size (doc);

  *start = self->offset;
  if (self->offset >= size)
    *end = self->offset;
  else
    *end = self->offset + MIN (self->length, size - self->offset);
}

/* The one function that reads file bytes for a compare, through the bulk
 * reader (pread into the caller's buffer where that is faster than the mapped
 * windows, with pending preview edits laid over it). All of [offset, offset +
 * length) must come back; a short read means the file shrank. */
gboolean
_hm_compare_read (HmDocument *doc,
                  guint64     offset,
                  guint8     *buffer,
                  gsize       length,
                  GError    **error)
{
  return hm_bulk_read (doc, offset, buffer, length, error);
}

/* Holes and the hole side of a compare are never read, so a file that shrank
 * under them gives no fault: read the range's last byte to find out. */
gboolean
_hm_compare_check_end (HmDocument *doc,
                       guint64     start,
                       guint64     end,
                       GError    **error)
{
  guint8 byte;

  if (end <= start)
    return TRUE;
  return _hm_compare_read (doc, end - 1, &byte, 1, error);
}

void
_hm_compare_progress (HmCompare *self,
                      guint64    done,
                      guint64    total,
                      gboolean   force)
{
  gint64 now;

  if (self->progress_func == NULL)
    return;
  now = g_get_monotonic_time ();
  if (!force && now - self->last_progress < PROGRESS_INTERVAL_USEC)
    return;
  self->last_progress = now;
  self->progress_func (MIN (done, total), total, self->progress_data);
}

static inline guint64
load64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return v;
}

/* Index of the first nonzero byte of a word loaded from memory: on a little-
 * endian machine the lowest address is the lowest byte. */
static inline guint
first_marked_byte (guint64 word)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  return (guint) __builtin_ctzll (word) / 8;
#else
  return (guint) __builtin_clzll (word) / 8;
#endif
}

gsize
_hm_compare_equal_span (const guint8 *a,
                        const guint8 *b,
                        gsize         length)
{
  gsize i = 0;

  /* Equal blocks at the C library's vector speed; then the exact byte. */
  while (length - i >= MEMCMP_BLOCK && memcmp (a + i, b + i, MEMCMP_BLOCK) == 0)
    i += MEMCMP_BLOCK;
  while (length - i >= 8)
    {
      guint64 x = load64 (a + i) ^ load64 (b + i);

      if (x != 0)
        return i + first_marked_byte (x);
      i += 8;
    }
  while (i < length && a[i] == b[i])
    i++;
  return i;
}

gsize
_hm_compare_differ_span (const guint8 *a,
                         const guint8 *b,
                         gsize         length)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
  gsize i = 0;

#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  /* A zero byte of a ^ b is an equal byte. (x - ones) & ~x & highs marks the
   * lowest zero byte exactly (only bytes above it may be false marks). */
  while (length - i >= 8)
    {
      guint64 x = load64 (a + i) ^ load64 (b + i);
      guint64 zero = (x - ones) & ~x & highs;

      if (zero != 0)
        return i + first_marked_byte (zero);
      i += 8;
    }
#else
  (void) ones;
  (void) highs;
#endif
  while (i < length && a[i] != b[i])
    i++;
  return i;
}

/* --- byte for byte ------------------------------------------------------- */

typedef struct
{
  guint64  offset;
  guint64  length;
  gboolean a_hole;
  gboolean b_hole;
} Segment;

typedef enum
{
  SLOT_FREE,
  SLOT_BUSY,
  SLOT_DONE,
} SlotState;

typedef struct
{
  SlotState  state;
  Segment    item;
  GArray    *runs;    /* HmRange */
  GError    *error;
} Slot;

typedef struct
{
  HmCompare    *self;
  GCancellable *cancellable;
  const guint8 *zeros;      /* chunk_size zero bytes: the hole side */

  GMutex        lock;
  GCond         cond;
  GArray       *segments;   /* Segment */
  guint         seg_index;
  guint64       seg_pos;
  gboolean      exhausted;
  gboolean      stop;
  guint64       next_seq;   /* the next item to claim */
  guint64       emit_seq;   /* the next item to report */
  Slot         *slots;
  guint         n_slots;
} Bytes;

/* The extents of both documents over [start, end), merged: each segment has
 * one kind on each side. */
static GArray *
merge_extents (HmDocument *a,
               HmDocument *b,
               guint64     start,
               guint64     end)
{
  g_autoptr(GArray) ea = hm_document_get_extents (a, start, end - start);
  g_autoptr(GArray) eb = hm_document_get_extents (b, start, end - start);
  GArray *segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  guint ia = 0, ib = 0;
  guint64 pos = start;

  while (pos < end)
    {
      Segment s = { pos, end - pos, FALSE, FALSE };

      /* Past the last extent (the file shrank since we asked for the size):
       * call it data, so that reading finds out. */
      while (ia < ea->len && g_array_index (ea, HmExtent, ia).offset +
             g_array_index (ea, HmExtent, ia).length <= pos)
        ia++;
      while (ib < eb->len && g_array_index (eb, HmExtent, ib).offset +
             g_array_index (eb, HmExtent, ib).length <= pos)
        ib++;
      if (ia < ea->len)
        {
          const HmExtent *e = &g_array_index (ea, HmExtent, ia);

          if (e->offset <= pos)
            {
              s.a_hole = e->is_hole;
              s.length = MIN (s.length, e->offset + e->length - pos);
            }
          else
            s.length = MIN (s.length, e->offset - pos);
        }
      if (ib < eb->len)
        {
          const HmExtent *e = &g_array_index (eb, HmExtent, ib);

          if (e->offset <= pos)
            {
              s.b_hole = e->is_hole;
              s.length = MIN (s.length, e->offset + e->length - pos);
            }
          else
            s.length = MIN (s.length, e->offset - pos);
        }

      if (segments->len > 0)
        {
          Segment *last = &g_array_index (segments, Segment, segments->len - 1);

          if (last->a_hole == s.a_hole && last->b_hole == s.b_hole)
            {
              last->length += s.length;
              pos += s.length;
              continue;
            }
        }
      g_array_append_val (segments, s);
      pos += s.length;
    }

  return segments;
}

/* With the lock held: the next item, or NULL when there is none (or the
 * compare stopped). Waits while all slots are in use. */
static Slot *
claim (Bytes *bytes)
{
  gsize chunk = bytes->self->chunk_size;
  const Segment *seg;
  guint64 seg_end, n;
  Slot *slot;

  while (!bytes->stop && bytes->next_seq - bytes->emit_seq >= bytes->n_slots)
    g_cond_wait (&bytes->cond, &bytes->lock);
  if (bytes->stop || bytes->exhausted)
    return NULL;

  for (;;)
    {
      if (bytes->seg_index >= bytes->segments->len)
        {
          bytes->exhausted = TRUE;
          g_cond_broadcast (&bytes->cond);
          return NULL;
        }
      seg = &g_array_index (bytes->segments, Segment, bytes->seg_index);
      seg_end = seg->offset + seg->length;
      if (bytes->seg_pos < seg_end)
        break;
      bytes->seg_index++;
      if (bytes->seg_index < bytes->segments->len)
        bytes->seg_pos = g_array_index (bytes->segments, Segment, bytes->seg_index).offset;
    }

  if (seg->a_hole && seg->b_hole)
    n = seg_end - bytes->seg_pos;
  else
    {
      /* Chunks end at multiples of the chunk size, so that reads line up
       * with the document's windows. */
      guint64 to_boundary = chunk - bytes->seg_pos % chunk;

      n = MIN (seg_end - bytes->seg_pos, to_boundary);
    }

  slot = &bytes->slots[bytes->next_seq % bytes->n_slots];
  g_assert (slot->state == SLOT_FREE);
  slot->state = SLOT_BUSY;
  slot->item.offset = bytes->seg_pos;
  slot->item.length = n;
  slot->item.a_hole = seg->a_hole;
  slot->item.b_hole = seg->b_hole;
  g_array_set_size (slot->runs, 0);
  bytes->next_seq++;
  bytes->seg_pos += n;

  return slot;
}

static void
compare_item (Bytes  *bytes,
              Slot   *slot,
              guint8 *a_buffer,
              guint8 *b_buffer)
{
  HmCompare *self = bytes->self;
  const Segment *item = &slot->item;
  gsize n = (gsize) item->length;
  const guint8 *a = bytes->zeros;
  const guint8 *b = bytes->zeros;
  gsize pos = 0;

  if (item->a_hole && item->b_hole)
    return;
  if (!item->a_hole)
    {
      if (!_hm_compare_read (self->a, item->offset, a_buffer, n, &slot->error))
        return;
      a = a_buffer;
    }
  if (!item->b_hole)
    {
      if (!_hm_compare_read (self->b, item->offset, b_buffer, n, &slot->error))
        return;
      b = b_buffer;
    }

  for (;;)
    {
      HmRange run;

      pos += _hm_compare_equal_span (a + pos, b + pos, n - pos);
      if (pos >= n)
        break;
      run.offset = item->offset + pos;
      run.length = _hm_compare_differ_span (a + pos, b + pos, n - pos);
      g_array_append_val (slot->runs, run);
      pos += (gsize) run.length;
    }
}

static gpointer
bytes_worker (gpointer user_data)
{
  Bytes *bytes = user_data;
  gsize chunk = bytes->self->chunk_size;
  g_autofree guint8 *a_buffer = g_malloc (chunk);
  g_autofree guint8 *b_buffer = g_malloc (chunk);
  Slot *slot;

  g_mutex_lock (&bytes->lock);
  while ((slot = claim (bytes)) != NULL)
    {
      g_mutex_unlock (&bytes->lock);
      if (!g_cancellable_set_error_if_cancelled (bytes->cancellable, &slot->error))
        compare_item (bytes, slot, a_buffer, b_buffer);
      g_mutex_lock (&bytes->lock);
      slot->state = SLOT_DONE;
      g_cond_broadcast (&bytes->cond);
    }
  g_mutex_unlock (&bytes->lock);

  return NULL;
}

/* Reports one run, joined with the one before when they touch. FALSE when
 * the run function said stop. */
static gboolean
report_run (HmCompare *self,
            HmRange   *pending,
            guint64    offset,
            guint64    length)
{
  gboolean go_on = TRUE;

  if (pending->length > 0 && pending->offset + pending->length == offset)
    {
      pending->length += length;
      return TRUE;
    }
  if (pending->length > 0)
    {
      self->n_differences++;
      if (self->run_func != NULL)
        go_on = self->run_func (pending->offset, pending->length, self->run_data);
    }
  pending->offset = offset;
  pending->length = length;
  return go_on;
}

static gboolean
run_bytes (HmCompare     *self,
           GCancellable  *cancellable,
           GError       **error)
{
  guint64 a_start, a_end, b_start, b_end, start, common_end, total_end;
  g_autofree guint8 *zeros = NULL;
  g_autofree GThread **threads = NULL;
  Bytes bytes = { 0 };
  HmRange pending = { 0, 0 };
  GError *local = NULL;
  gboolean go_on = TRUE;
  guint64 done = 0;

  _hm_compare_get_range (self, self->a, &a_start, &a_end);
  _hm_compare_get_range (self, self->b, &b_start, &b_end);
  start = a_start;
  common_end = MIN (a_end, b_end);
  total_end = MAX (a_end, b_end);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (start < common_end)
    {
      zeros = g_malloc0 (self->chunk_size);
      bytes.self = self;
      bytes.cancellable = cancellable;
      bytes.zeros = zeros;
      g_mutex_init (&bytes.lock);
      g_cond_init (&bytes.cond);
      bytes.segments = merge_extents (self->a, self->b, start, common_end);
      bytes.seg_pos = start;
      bytes.n_slots = 2 * self->n_threads + 2;
      bytes.slots = g_new0 (Slot, bytes.n_slots);
      for (guint i = 0; i < bytes.n_slots; i++)
        bytes.slots[i].runs = g_array_new (FALSE, FALSE, sizeof (HmRange));

      threads = g_new0 (GThread *, self->n_threads);
      for (guint i = 0; i < self->n_threads; i++)
        threads[i] = g_thread_new ("hm-compare", bytes_worker, &bytes);

      g_mutex_lock (&bytes.lock);
      for (;;)
        {
          Slot *slot = &bytes.slots[bytes.emit_seq % bytes.n_slots];

          while (slot->state != SLOT_DONE &&
                 !(bytes.exhausted && bytes.emit_seq == bytes.next_seq))
            g_cond_wait (&bytes.cond, &bytes.lock);
          if (slot->state != SLOT_DONE)
            break;  /* all reported */
          if (slot->error != NULL)
            {
              local = g_steal_pointer (&slot->error);
              break;
            }

          /* A done slot is ours until we free it. */
          g_mutex_unlock (&bytes.lock);
          for (guint i = 0; go_on && i < slot->runs->len; i++)
            {
              const HmRange *run = &g_array_index (slot->runs, HmRange, i);

              go_on = report_run (self, &pending, run->offset, run->length);
            }
          done += slot->item.length;
          _hm_compare_progress (self, done, total_end - start, FALSE);
          g_mutex_lock (&bytes.lock);

          slot->state = SLOT_FREE;
          bytes.emit_seq++;
          g_cond_broadcast (&bytes.cond);
          if (!go_on)
            break;
        }
      bytes.stop = TRUE;
      g_cond_broadcast (&bytes.cond);
      g_mutex_unlock (&bytes.lock);

      for (guint i = 0; i < self->n_threads; i++)
        g_thread_join (threads[i]);

      for (guint i = 0; i < bytes.n_slots; i++)
        {
          g_clear_error (&bytes.slots[i].error);
          g_array_unref (bytes.slots[i].runs);
        }
      g_free (bytes.slots);
      g_array_unref (bytes.segments);
      g_mutex_clear (&bytes.lock);
      g_cond_clear (&bytes.cond);
    }

  if (local == NULL && go_on &&
      _hm_compare_check_end (self->a, a_start, a_end, &local))
    _hm_compare_check_end (self->b, b_start, b_end, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }

  /* The longer file's tail: one more run, on its own. */
  if (go_on)
    {
      go_on = report_run (self, &pending, 0, 0);
      if (go_on && common_end < total_end)
        {
          pending.offset = common_end;
          pending.length = total_end - common_end;
          report_run (self, &pending, 0, 0);
        }
    }

  _hm_compare_progress (self, total_end - start, total_end - start, TRUE);
  return TRUE;
}

/* --- running ------------------------------------------------------------- */

/**
 * hm_compare_run:
 * @self: a compare
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Runs the compare on the calling thread; prefer hm_compare_run_async() from
 * the UI. Runs or hunks go to the run or hunk function as they are found, in
 * order. Identical ranges succeed with no differences; so does a compare that
 * the run or hunk function stopped.
 *
 * Returns: %TRUE unless the compare failed: a paging fault or I/O error (the
 *   message names the file and the offset), or cancellation
 */
gboolean
hm_compare_run (HmCompare     *self,
                GCancellable  *cancellable,
                GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (HM_IS_COMPARE (self), FALSE);
  g_return_val_if_fail (!self->running, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->running = TRUE;
  self->n_differences = 0;
  self->n_unaligned = 0;
  self->peak_memory = 0;
  self->last_progress = g_get_monotonic_time ();

  if (self->mode == HM_COMPARE_INSERTIONS)
    ok = _hm_compare_run_insertions (self, cancellable, error);
  else
    ok = run_bytes (self, cancellable, error);

  self->running = FALSE;
  return ok;
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (hm_compare_run (HM_COMPARE (source_object), cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * hm_compare_run_async:
 * @self: a compare
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the thread-default main context when the compare ends
 * @user_data: data for @callback
 *
 * Runs the compare in a worker thread. The run, hunk and progress functions
 * are called on that worker; keep them short.
 */
void
hm_compare_run_async (HmCompare           *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HM_IS_COMPARE (self));
  g_return_if_fail (!self->running);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hm_compare_run_async);
  g_task_set_name (task, "[hexmap] compare");
  g_task_run_in_thread (task, run_in_thread);
}

/**
 * hm_compare_run_finish:
 * @self: a compare
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Completes hm_compare_run_async().
 *
 * Returns: %TRUE if the compare completed (whatever it found)
 */
gboolean
hm_compare_run_finish (HmCompare     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (HM_IS_COMPARE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * hm_compare_get_n_differences:
 * @self: a compare
 *
 * Returns: the runs (byte for byte) or hunks (insertion-aware) the last run
 *   reported
 */
guint64
hm_compare_get_n_differences (HmCompare *self)
{
  g_return_val_if_fail (HM_IS_COMPARE (self), 0);

  return self->n_differences;
}

/**
 * hm_compare_get_n_unaligned:
 * @self: a compare
 *
 * Returns: how many hunks of the last run were flagged %HM_HUNK_UNALIGNED
 */
guint64
hm_compare_get_n_unaligned (HmCompare *self)
{
  g_return_val_if_fail (HM_IS_COMPARE (self), 0);

  return self->n_unaligned;
}

/**
 * hm_compare_get_peak_memory:
 * @self: a compare
 *
 * Returns: the most working memory the last insertion-aware run held (it
 *   stays within hm_compare_set_max_memory())
 */
gsize
hm_compare_get_peak_memory (HmCompare *self)
{
  g_return_val_if_fail (HM_IS_COMPARE (self), 0);

  return self->peak_memory;
}
