/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmSearch: find a pattern in a whole document.
 *
 * A pass covers the match starts [a, z) and reads the bytes [a, z + length - 1).
 * It is cut into chunks of starts, in file order: a few KiB of data at first (a
 * "find next" finds a near match at once), growing to 4 MiB; holes do not count
 * towards a chunk's size, so a sparse terabyte is a handful of chunks. Worker
 * threads (one per processor) claim chunks in order and scan them, each reading
 * its chunk and the length - 1 bytes after it through its own bulk reader
 * (hm-bulk.c: pread into a cached buffer, or mapped windows, whichever is
 * faster here). A chunk's result is a list of items in file order: runs of
 * consecutive match starts, and ranges that could not be read. The calling
 * thread takes the lists in chunk order and reports them, ascending or, for a
 * backward search, descending; so results come in search order however the
 * work was shared, and it stops the workers when the limit is reached or the
 * match function says stop. At most a few chunks are in flight, which bounds
 * the work done past a "find next" match and the memory. Each worker reads a
 * local file through an open file of its own, so that the kernel reads ahead
 * for it as for one sequential reader. Where the workers must share the
 * document's open file (FUSE, network) and meet bytes that are not in the page
 * cache, the calling thread asks the kernel to read 64 MiB ahead of them
 * instead.
 *
 * Scanning one chunk (blocks, holes, the carry across block edges, faults in
 * mapped windows) is hm-search-scan.c's job. A chunk with very many separate
 * matches (more than a list holds) is finished by the calling thread in small
 * pieces, as it reports them.
 *
 * Faults: an unreadable page ends the chunk's list with a fault item (forward)
 * or becomes one in it (backward, which must report what lies above it first).
 * Reporting it fails the search with the document's %HM_FAULT_ERROR or, with
 * %HM_SEARCH_SKIP_FAULTS, reports the page and goes on; the starts whose match
 * would touch it are lost. A truncated file ends the search (skip mode: the
 * rest is reported once). Bytes read ahead of a match function may be stale if
 * the function itself shrinks the file, so after a match function returns the
 * file's size is checked again (at most once a millisecond) and matches past a
 * new end become a truncation fault there.
 */
#include "config.h"

#include "hm-search-private.h"

#include "hm-bulk.h"
#include "hm-document-private.h"
#include "hm-fault.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROGRESS_INTERVAL_USEC (50 * 1000)
#define CANCEL_CHECK_INTERVAL  65536
#define SIZE_CHECK_USEC        1000
#define FIRST_CHUNK            (64u * 1024u)
#define MAX_CHUNK              (4u * 1024u * 1024u)
#define MAX_THREADS            8
#define SUB_CHUNK              4096    /* starts per piece when a list overflowed */
#define PREFETCH_AHEAD         (G_GUINT64_CONSTANT (64) * 1024 * 1024)

struct _HmSearch
{
  GObject             parent_instance;

  HmDocument         *document;
  HmPattern          *pattern;
  HmSearchFlags       flags;
  guint64             start;
  guint64             max_matches;
  HmSearchKernelImpl  impl;

  HmSearchMatchFunc   match_func;
  gpointer            match_data;
  GDestroyNotify      match_destroy;
  HmSearchFaultFunc   fault_func;
  gpointer            fault_data;
  GDestroyNotify      fault_destroy;
  HmProgressFunc      progress_func;
  gpointer            progress_data;
  GDestroyNotify      progress_destroy;

  gsize               chunk_size;  /* tests: the largest chunk; 0: the default */
  guint               n_threads;   /* tests: worker threads; 0: one per processor */

  gboolean            running;

  /* Results of the last run. */
  guint64             n_matches;
  GArray             *matches;
  gboolean            limit_reached;
  guint64             n_unreadable;
};

G_DEFINE_FINAL_TYPE (HmSearch, hm_search, G_TYPE_OBJECT)


static void
hm_search_dispose (GObject *object)
{
  HmSearch *self = HM_SEARCH (object);

  hm_search_set_match_func (self, NULL, NULL, NULL);
  hm_search_set_fault_func (self, NULL, NULL, NULL);
  hm_search_set_progress_func (self, NULL, NULL, NULL);

  G_OBJECT_CLASS (hm_search_parent_class)->dispose (object);
}

static void
hm_search_finalize (GObject *object)
{
  HmSearch *self = HM_SEARCH (object);

  g_clear_object (&self->document);
  g_clear_pointer (&self->pattern, hm_pattern_unref);
  g_clear_pointer (&self->matches, g_array_unref);

  G_OBJECT_CLASS (hm_search_parent_class)->finalize (object);
}

static void
hm_search_class_init (HmSearchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hm_search_dispose;
  object_class->finalize = hm_search_finalize;
}

static void
hm_search_init (HmSearch *self)
{
  self->impl = HM_SEARCH_KERNEL_AUTO;
  self->matches = g_array_new (FALSE, FALSE, sizeof (guint64));
}

/**
 * hm_search_new:
 * @document: the document to search
 * @pattern: what to find
 *
 * Creates a search. Set the start offset, direction and limits, then run it
 * with hm_search_run_async() (or hm_search_run() on a thread of your own). A
 * search object runs once at a time; run it again for "find next" after moving
 * the start.
 *
 * Returns: (transfer full): a new search
 */
HmSearch *
hm_search_new (HmDocument *document,
               HmPattern  *pattern)
{
  HmSearch *self;

  g_return_val_if_fail (HM_IS_DOCUMENT (document), NULL);
  g_return_val_if_fail (pattern != NULL, NULL);

  self = g_object_new (HM_TYPE_SEARCH, NULL);
  self->document = g_object_ref (document);
  self->pattern = hm_pattern_ref (pattern);

  return self;
}

/**
 * hm_search_set_start:
 * @self: a search
 * @start: a file offset
 *
 * Forward, matches that start at or after @start are found; backward, matches
 * that start before it. "Find next" from a match at M starts at M + 1; "find
 * previous" starts at M. The default is 0 (forward: the whole file).
 */
void
hm_search_set_start (HmSearch *self,
                     guint64   start)
{
  g_return_if_fail (HM_IS_SEARCH (self));
  g_return_if_fail (!self->running);

  self->start = start;
}

/**
 * hm_search_set_flags:
 * @self: a search
 * @flags: direction, wrap-around, fault handling
 *
 * Sets how the search walks the file.
 */
void
hm_search_set_flags (HmSearch      *self,
                     HmSearchFlags  flags)
{
  g_return_if_fail (HM_IS_SEARCH (self));
  g_return_if_fail (!self->running);

  self->flags = flags;
}

/**
 * hm_search_set_max_matches:
 * @self: a search
 * @max_matches: stop after this many matches; 0 for no limit
 *
 * "Find next" is a search with a limit of 1.
 */
void
hm_search_set_max_matches (HmSearch *self,
                           guint64   max_matches)
{
  g_return_if_fail (HM_IS_SEARCH (self));
  g_return_if_fail (!self->running);

  self->max_matches = max_matches;
}

/**
 * hm_search_set_kernel:
 * @self: a search
 * @impl: the scanner to use
 *
 * For tests and benchmarks: the default picks the fastest.
 */
void
hm_search_set_kernel (HmSearch           *self,
                      HmSearchKernelImpl  impl)
{
  g_return_if_fail (HM_IS_SEARCH (self));
  g_return_if_fail (!self->running);

  self->impl = impl;
}

/**
 * hm_search_set_match_func:
 * @self: a search
 * @func: (nullable): receives each match, on the search thread
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Streams matches to @func instead of storing them. With no function, the search
 * keeps up to %HM_SEARCH_STORE_LIMIT offsets for hm_search_get_matches() and
 * counts the rest (a zero pattern over a long hole is then counted, not
 * enumerated).
 */
void
hm_search_set_match_func (HmSearch          *self,
                          HmSearchMatchFunc  func,
                          gpointer           user_data,
                          GDestroyNotify     destroy)
{
  g_return_if_fail (HM_IS_SEARCH (self));
  g_return_if_fail (!self->running);

  if (self->match_destroy != NULL)
    self->match_destroy (self->match_data);
  self->match_func = func;
  self->match_data = user_data;
  self->match_destroy = destroy;
}

/**
 * hm_search_set_fault_func:
 * @self: a search
 * @func: (nullable): receives each skipped range, on the search thread
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * With %HM_SEARCH_SKIP_FAULTS, tells the caller which ranges were unreadable.
 */
void
hm_search_set_fault_func (HmSearch          *self,
                          HmSearchFaultFunc  func,
                          gpointer           user_data,
                          GDestroyNotify     destroy)
{
  g_return_if_fail (HM_IS_SEARCH (self));
  g_return_if_fail (!self->running);

  if (self->fault_destroy != NULL)
    self->fault_destroy (self->fault_data);
  self->fault_func = func;
  self->fault_data = user_data;
  self->fault_destroy = destroy;
}

/**
 * hm_search_set_progress_func:
 * @self: a search
 * @func: (nullable): receives bytes done and total, on the search thread, about
 *   20 times a second and once at the end
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Holes count as done as soon as they are passed, so progress on a sparse file
 * jumps over them.
 */
void
hm_search_set_progress_func (HmSearch       *self,
                             HmProgressFunc  func,
                             gpointer        user_data,
                             GDestroyNotify  destroy)
{
  g_return_if_fail (HM_IS_SEARCH (self));
  g_return_if_fail (!self->running);

  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);
  self->progress_func = func;
  self->progress_data = user_data;
  self->progress_destroy = destroy;
}

/**
 * _hm_search_set_chunk_size:
 * @self: a search
 * @chunk_size: the largest chunk of data a worker scans at once; 0 for the
 *   default
 *
 * For tests: small chunks put chunk edges (and threads) into small files.
 */
void
_hm_search_set_chunk_size (HmSearch *self,
                           gsize     chunk_size)
{
  g_return_if_fail (HM_IS_SEARCH (self));
  g_return_if_fail (!self->running);

  self->chunk_size = chunk_size;
}

/**
 * _hm_search_set_n_threads:
 * @self: a search
 * @n_threads: worker threads; 1 scans on the calling thread; 0 for one per
 *   processor
 *
 * For tests and benchmarks.
 */
void
_hm_search_set_n_threads (HmSearch *self,
                          guint     n_threads)
{
  g_return_if_fail (HM_IS_SEARCH (self));
  g_return_if_fail (!self->running);

  self->n_threads = n_threads;
}

/* --- the state of a run ----------------------------------------------------- */

typedef enum
{
  SLOT_FREE,
  SLOT_BUSY,
  SLOT_DONE,
} SlotState;

typedef struct
{
  SlotState  state;
  guint64    c0, c1;     /* starts */
  guint64    b1;         /* bytes [c0, b1) */
  GArray    *items;
  gboolean   full;       /* the list overflowed: the caller finishes the chunk */
  guint64    covered;    /* ... from here on (forward) */
} Slot;

typedef struct
{
  Pass      pass;
  GMutex    lock;
  GCond     cond;
  GArray   *segments;    /* HmExtent over the pass's bytes */
  guint     seg;
  guint64   a, z, e;     /* starts [a, z), bytes [a, e) */
  gboolean  backward;
  guint64   cursor;      /* forward: the next chunk's start; backward: its end */
  guint     n_planned;
  gsize     max_chunk;
  guint64   prefetched;  /* forward: read ahead up to; backward: down to */
  Slot     *slots;
  guint     n_slots;
  guint64   next_seq;
  guint64   emit_seq;
  gboolean  exhausted;
  gboolean  stop;
} Pipe;

/* The state of one run, on the calling thread. */
typedef struct
{
  HmSearch       *self;
  HmDocument     *doc;
  HmSearchKernel *kernel;
  gsize           plen;
  gboolean        zeros;
  gsize           page_size;
  GCancellable   *cancellable;
  guint64         done;
  guint64         total;
  gint64          last_progress;
  gboolean        stop;        /* limit reached, or the match function said stop */
  gboolean        truncated;   /* skip mode: the file shrank under us; nothing more to read */
  GError         *error;
  guint64         pass_end;    /* the current pass's bytes end here */
  guint64         fault_hi;    /* forward: faults reported up to here */
  guint64         fault_lo;    /* backward: down to here */
  gboolean        check_size;  /* a regular file: check its size after match callbacks */
  guint64         known_end;   /* its size as last seen there */
  gint64          last_size_check;
  Pass           *pass;        /* the current pass, for its own scanning */
  Scanner         scanner;     /* the calling thread's, for overflowed chunks */
  GArray         *items;
} Run;

/* --- results ------------------------------------------------------------- */

static gboolean on_fault (Run     *run,
                          guint64  offset,
                          guint64  length,
                          GError  *error);

static gboolean
at_limit (Run *run)
{
  HmSearch *self = run->self;

  if (self->max_matches != 0 && self->n_matches >= self->max_matches)
    {
      self->limit_reached = TRUE;
      run->stop = TRUE;
    }
  return run->stop;
}

/* After a match callback: the callback may have shrunk the file, and the
 * bytes still to report were read before. Looks at most once a millisecond. */
static void
check_size (Run *run)
{
  struct stat st;
  gint64 now;

  if (!run->check_size)
    return;
  now = g_get_monotonic_time ();
  if (run->last_size_check != 0 && now - run->last_size_check < SIZE_CHECK_USEC)
    return;
  run->last_size_check = now;
  if (fstat (run->doc->fd, &st) == 0 && (guint64) st.st_size < run->known_end)
    run->known_end = (guint64) st.st_size;
}

/* Bytes from @offset on are gone (the file shrank since they were read). */
static gboolean
truncated_at (Run     *run,
              guint64  offset)
{
  return on_fault (run, offset, run->pass_end > offset ? run->pass_end - offset : 0,
                   _hm_document_fault_error (run->doc, offset, FALSE));
}

/* Records one match; FALSE when the search must stop. */
static gboolean
emit (Run     *run,
      guint64  offset)
{
  HmSearch *self = run->self;

  if (offset + run->plen > run->known_end)
    {
      truncated_at (run, run->known_end);
      return FALSE;
    }

  self->n_matches++;
  if (self->match_func != NULL)
    {
      if (!self->match_func (offset, self->match_data))
        run->stop = TRUE;
      check_size (run);
    }
  else if (self->matches->len < HM_SEARCH_STORE_LIMIT)
    g_array_append_val (self->matches, offset);

  return !at_limit (run);
}

static gboolean
check_cancelled (Run *run)
{
  if (g_cancellable_set_error_if_cancelled (run->cancellable, &run->error))
    return TRUE;
  return FALSE;
}

/* @count consecutive starts that all match (a hole, for a pattern that matches
 * zeros, or a run of zeros). Counted arithmetically once nobody needs the
 * offsets. */
static gboolean
emit_all (Run     *run,
          guint64  first,
          guint64  count,
          gboolean backward)
{
  HmSearch *self = run->self;

  for (guint64 i = 0; i < count; i++)
    {
      if (self->match_func == NULL && self->matches->len >= HM_SEARCH_STORE_LIMIT)
        {
          guint64 n = count - i;

          if (self->max_matches != 0)
            n = MIN (n, self->max_matches - self->n_matches);
          self->n_matches += n;
          return !at_limit (run);
        }

      if (!emit (run, backward ? first + count - 1 - i : first + i))
        return FALSE;
      if (i % CANCEL_CHECK_INTERVAL == CANCEL_CHECK_INTERVAL - 1 && check_cancelled (run))
        return FALSE;
    }

  return TRUE;
}

static void
report_progress (Run      *run,
                 gboolean  force)
{
  HmSearch *self = run->self;
  gint64 now;

  if (self->progress_func == NULL)
    return;

  now = g_get_monotonic_time ();
  if (force || now - run->last_progress >= PROGRESS_INTERVAL_USEC)
    {
      run->last_progress = now;
      self->progress_func (MIN (run->done, run->total), run->total, self->progress_data);
    }
}

/* --- faults -------------------------------------------------------------- */

static void
report_skipped (Run     *run,
                guint64  offset,
                guint64  length,
                GError  *error)
{
  run->self->n_unreadable += length;
  if (run->self->fault_func != NULL)
    run->self->fault_func (offset, length, error, run->self->fault_data);
  g_error_free (error);
}

/* [offset, offset + length) could not be read, because of @error (taken).
 * Returns TRUE if the search goes on (skip mode); FALSE with run->error set,
 * or with the truncation reported, otherwise. */
static gboolean
on_fault (Run     *run,
          guint64  offset,
          guint64  length,
          GError  *error)
{
  if (!(run->self->flags & HM_SEARCH_SKIP_FAULTS) || error->domain != HM_FAULT_ERROR)
    {
      run->error = error;
      return FALSE;
    }

  if (g_error_matches (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED))
    {
      /* Everything from here on is gone: report it once and stop reading. */
      if (run->pass_end > offset)
        report_skipped (run, offset, run->pass_end - offset, error);
      else
        g_error_free (error);
      run->truncated = TRUE;
      return FALSE;
    }

  report_skipped (run, offset, length, error);
  return TRUE;
}

/* --- reporting a chunk ---------------------------------------------------- */

static gboolean
emit_item (Run        *run,
           const Item *item,
           gboolean    backward)
{
  guint64 offset = item->offset, end = item->offset + item->count;

  if (item->error == NULL)
    return item->count == 1 ? emit (run, offset) : emit_all (run, offset, item->count, backward);

  /* Neighbouring chunks read the same bytes past their edge: report a bad page
   * once. */
  if (!backward)
    {
      offset = MAX (offset, run->fault_hi);
      run->fault_hi = MAX (run->fault_hi, end);
    }
  else
    {
      end = MIN (end, run->fault_lo);
      run->fault_lo = MIN (run->fault_lo, offset);
    }
  if (offset >= end)
    return TRUE;
  return on_fault (run, offset, end - offset, g_error_copy (item->error));
}

static gboolean
emit_items (Run     *run,
            GArray  *items,
            gboolean backward)
{
  for (guint i = 0; i < items->len; i++)
    {
      const Item *item = &g_array_index (items, Item, backward ? items->len - 1 - i : i);

      if (!emit_item (run, item, backward))
        return FALSE;
    }
  return TRUE;
}

/* Scans and reports the starts [lo, hi) on this thread, in pieces small enough
 * that no list overflows. */
static gboolean
emit_range (Run      *run,
            guint64   lo,
            guint64   hi,
            gboolean  backward)
{
  if (run->items == NULL)
    {
      run->items = _hm_search_items_new ();
      _hm_search_scanner_init (&run->scanner, run->pass);
    }
  run->scanner.pass = run->pass;

  while (lo < hi)
    {
      guint64 a = backward ? (hi - lo > SUB_CHUNK ? hi - SUB_CHUNK : lo) : lo;
      guint64 b = backward ? hi : MIN (hi, lo + SUB_CHUNK);

      _hm_search_scan_chunk (&run->scanner, a, b, MIN (b + run->plen - 1, run->pass_end), run->items);
      g_assert (!run->scanner.full);
      if (!emit_items (run, run->items, backward) || check_cancelled (run))
        return FALSE;
      if (backward)
        hi = a;
      else
        lo = b;
    }
  return TRUE;
}

static gboolean
emit_slot (Run      *run,
           Slot     *slot,
           gboolean  backward)
{
  if (!backward)
    {
      if (!emit_items (run, slot->items, FALSE))
        return FALSE;
      if (slot->full && !emit_range (run, slot->covered, slot->c1, FALSE))
        return FALSE;
      /* A match function shrank the file: the bytes past its end that were
       * scanned are gone. */
      if (run->known_end < slot->b1)
        return truncated_at (run, MAX (run->known_end, slot->c0));
      return TRUE;
    }

  if (run->known_end < slot->b1)
    return truncated_at (run, MAX (run->known_end, slot->c0));
  if (slot->full)
    return emit_range (run, slot->c0, slot->c1, TRUE);
  return emit_items (run, slot->items, TRUE);
}

/* --- the pipeline --------------------------------------------------------- */

/* With the lock held: the next chunk of starts, or FALSE when the pass is done. */
static gboolean
plan_chunk (Pipe    *pipe,
            guint64 *c0,
            guint64 *c1)
{
  guint shift = MIN (pipe->n_planned, 16u);
  guint64 budget = MIN ((guint64) pipe->max_chunk, (guint64) MIN (FIRST_CHUNK, pipe->max_chunk) << shift);
  GArray *segments = pipe->segments;
  guint64 pos = pipe->cursor;

  if (!pipe->backward)
    {
      if (pos >= pipe->z)
        return FALSE;
      while (pos < pipe->z && budget > 0)
        {
          const HmExtent *s;
          guint64 end;

          while (pipe->seg + 1 < segments->len &&
                 g_array_index (segments, HmExtent, pipe->seg).offset +
                 g_array_index (segments, HmExtent, pipe->seg).length <= pos)
            pipe->seg++;
          s = &g_array_index (segments, HmExtent, pipe->seg);
          end = MIN (s->offset + s->length, pipe->z);
          if (end <= pos)
            end = pipe->z;  /* past the last segment: the file shrank */
          if (s->is_hole)
            pos = end;
          else
            {
              guint64 take = MIN (end - pos, budget);

              pos += take;
              budget -= take;
            }
        }
      *c0 = pipe->cursor;
      *c1 = pos;
    }
  else
    {
      if (pos <= pipe->a)
        return FALSE;
      while (pos > pipe->a && budget > 0)
        {
          const HmExtent *s;
          guint64 start;

          while (pipe->seg > 0 && g_array_index (segments, HmExtent, pipe->seg).offset >= pos)
            pipe->seg--;
          s = &g_array_index (segments, HmExtent, pipe->seg);
          start = MAX (s->offset, pipe->a);
          if (start >= pos)
            start = pipe->a;
          if (s->is_hole)
            pos = start;
          else
            {
              guint64 take = MIN (pos - start, budget);

              pos -= take;
              budget -= take;
            }
        }
      *c0 = pos;
      *c1 = pipe->cursor;
    }
  pipe->cursor = pos;
  pipe->n_planned++;
  return TRUE;
}

/* With the lock held: the next slot to scan, or NULL when there is none (or the
 * pass stopped). Waits while all slots are in use. */
static Slot *
claim (Pipe *pipe)
{
  guint64 c0, c1;
  Slot *slot;

  while (!pipe->stop && pipe->next_seq - pipe->emit_seq >= pipe->n_slots)
    g_cond_wait (&pipe->cond, &pipe->lock);
  if (pipe->stop || pipe->exhausted)
    return NULL;
  if (!plan_chunk (pipe, &c0, &c1))
    {
      pipe->exhausted = TRUE;
      g_cond_broadcast (&pipe->cond);
      return NULL;
    }

  slot = &pipe->slots[pipe->next_seq % pipe->n_slots];
  g_assert (slot->state == SLOT_FREE);
  slot->state = SLOT_BUSY;
  slot->c0 = c0;
  slot->c1 = c1;
  slot->b1 = MIN (c1 + pipe->pass.plen - 1, pipe->e);
  slot->full = FALSE;
  pipe->next_seq++;
  return slot;
}

/* Once workers that share the document's open file met bytes that were not
 * in the page cache: asks the kernel to read the file ahead of the chunks
 * planned so far. Done by the calling thread, which otherwise waits, so that
 * the workers never wait for the requests to be queued. */
static void
prefetch (Pipe *pipe)
{
  guint64 cursor, from, to;

  if (!g_atomic_int_get (&pipe->pass.cold))
    return;
  g_mutex_lock (&pipe->lock);
  cursor = pipe->cursor;
  g_mutex_unlock (&pipe->lock);

  if (!pipe->backward)
    {
      if (pipe->prefetched >= cursor + PREFETCH_AHEAD / 2 || pipe->prefetched >= pipe->e)
        return;
      from = MAX (pipe->prefetched, cursor);
      to = MIN (cursor + PREFETCH_AHEAD, pipe->e);
      pipe->prefetched = to;
    }
  else
    {
      if (pipe->prefetched <= pipe->a || (pipe->prefetched != G_MAXUINT64 && pipe->prefetched + PREFETCH_AHEAD / 2 <= cursor))
        return;
      to = MIN (pipe->prefetched, cursor);
      from = cursor > pipe->a + PREFETCH_AHEAD ? cursor - PREFETCH_AHEAD : pipe->a;
      pipe->prefetched = from;
    }
  if (from < to)
    hm_bulk_prefetch (pipe->pass.doc, from, to - from);
}

static void
finish_slot (Scanner *sc,
             Slot    *slot)
{
  slot->full = sc->full;
  slot->covered = slot->c1;
  if (sc->full && slot->items->len > 0)
    {
      const Item *last = &g_array_index (slot->items, Item, slot->items->len - 1);

      slot->covered = last->offset + last->count;
    }
}

static gpointer
worker_main (gpointer user_data)
{
  Pipe *pipe = user_data;
  Scanner sc;
  Slot *slot;

  _hm_search_scanner_init (&sc, &pipe->pass);
  g_mutex_lock (&pipe->lock);
  while ((slot = claim (pipe)) != NULL)
    {
      g_mutex_unlock (&pipe->lock);
      _hm_search_scan_chunk (&sc, slot->c0, slot->c1, slot->b1, slot->items);
      finish_slot (&sc, slot);
      g_mutex_lock (&pipe->lock);
      slot->state = SLOT_DONE;
      g_cond_broadcast (&pipe->cond);
    }
  g_mutex_unlock (&pipe->lock);
  _hm_search_scanner_clear (&sc);

  return NULL;
}

static guint
n_workers_for (Run     *run,
               guint64  data_bytes,
               gsize    max_chunk)
{
  guint n = run->self->n_threads != 0 ? run->self->n_threads : (guint) g_get_num_processors ();

  n = MIN (n, MAX_THREADS);
  if (n <= 1 || data_bytes <= 4 * (guint64) MIN (FIRST_CHUNK, max_chunk))
    return 0;
  return n;
}

/* Finds matches starting in [a, z). */
static gboolean
search_pass (Run      *run,
             guint64   a,
             guint64   z,
             gboolean  backward)
{
  guint64 size = hm_document_get_size (run->doc);
  g_autofree GThread **threads = NULL;
  Pipe pipe = { 0 };
  guint64 data_bytes = 0;
  guint n_workers;

  if (size < run->plen)
    return TRUE;
  z = MIN (z, size - run->plen + 1);
  if (a >= z)
    return TRUE;

  pipe.a = a;
  pipe.z = z;
  pipe.e = z + run->plen - 1;
  pipe.backward = backward;
  pipe.cursor = backward ? z : a;
  pipe.prefetched = backward ? G_MAXUINT64 : 0;
  pipe.max_chunk = run->self->chunk_size != 0 ? run->self->chunk_size : MAX_CHUNK;
  pipe.segments = hm_bulk_get_segments (run->doc, a, pipe.e - a);
  pipe.seg = backward && pipe.segments->len > 0 ? pipe.segments->len - 1 : 0;
  if (pipe.segments->len == 0)
    {
      g_array_unref (pipe.segments);
      return TRUE;
    }
  for (guint i = 0; i < pipe.segments->len; i++)
    if (!g_array_index (pipe.segments, HmExtent, i).is_hole)
      data_bytes += g_array_index (pipe.segments, HmExtent, i).length;

  pipe.pass.doc = run->doc;
  pipe.pass.kernel = run->kernel;
  pipe.pass.plen = run->plen;
  pipe.pass.zeros = run->zeros;
  pipe.pass.stop_at_fault = !backward && !(run->self->flags & HM_SEARCH_SKIP_FAULTS);
  pipe.pass.page_size = run->page_size;
  pipe.pass.cancellable = run->cancellable;
  g_mutex_init (&pipe.lock);
  g_cond_init (&pipe.cond);

  run->pass = &pipe.pass;
  run->pass_end = pipe.e;
  run->fault_hi = 0;
  run->fault_lo = G_MAXUINT64;

  /* The first big job in a process measures the read paths. */
  hm_bulk_choose_path (run->doc, a, data_bytes);

  n_workers = n_workers_for (run, data_bytes, pipe.max_chunk);
  pipe.n_slots = n_workers > 0 ? 2 * n_workers + 2 : 1;
  pipe.slots = g_new0 (Slot, pipe.n_slots);
  for (guint i = 0; i < pipe.n_slots; i++)
    pipe.slots[i].items = _hm_search_items_new ();
  threads = g_new0 (GThread *, MAX (n_workers, 1));
  for (guint i = 0; i < n_workers; i++)
    threads[i] = g_thread_new ("hm-search", worker_main, &pipe);

  for (;;)
    {
      Slot *slot;
      gboolean ok;

      g_mutex_lock (&pipe.lock);
      if (n_workers == 0)
        {
          slot = claim (&pipe);
          g_mutex_unlock (&pipe.lock);
          if (slot == NULL)
            break;
          if (run->items == NULL)
            {
              run->items = _hm_search_items_new ();
              _hm_search_scanner_init (&run->scanner, &pipe.pass);
            }
          run->scanner.pass = &pipe.pass;
          prefetch (&pipe);
          _hm_search_scan_chunk (&run->scanner, slot->c0, slot->c1, slot->b1, slot->items);
          finish_slot (&run->scanner, slot);
        }
      else
        {
          g_mutex_unlock (&pipe.lock);
          prefetch (&pipe);
          g_mutex_lock (&pipe.lock);
          slot = &pipe.slots[pipe.emit_seq % pipe.n_slots];
          while (slot->state != SLOT_DONE && !(pipe.exhausted && pipe.emit_seq == pipe.next_seq))
            g_cond_wait (&pipe.cond, &pipe.lock);
          g_mutex_unlock (&pipe.lock);
          if (slot->state != SLOT_DONE)
            break;  /* all reported */
        }

      /* A done slot is ours until we free it. */
      ok = emit_slot (run, slot, backward);
      run->done += slot->c1 - slot->c0;
      g_array_set_size (slot->items, 0);

      g_mutex_lock (&pipe.lock);
      slot->state = SLOT_FREE;
      pipe.emit_seq++;
      g_cond_broadcast (&pipe.cond);
      g_mutex_unlock (&pipe.lock);

      report_progress (run, FALSE);
      if (!ok || run->stop || run->truncated || run->error != NULL || check_cancelled (run))
        break;
    }

  g_mutex_lock (&pipe.lock);
  pipe.stop = TRUE;
  g_atomic_int_set (&pipe.pass.stop, TRUE);
  g_cond_broadcast (&pipe.cond);
  g_mutex_unlock (&pipe.lock);
  for (guint i = 0; i < n_workers; i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < pipe.n_slots; i++)
    g_array_unref (pipe.slots[i].items);
  g_free (pipe.slots);
  g_array_unref (pipe.segments);
  g_mutex_clear (&pipe.lock);
  g_cond_clear (&pipe.cond);
  run->pass = NULL;

  return run->error == NULL;
}

/**
 * hm_search_run:
 * @self: a search
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Runs the search on the calling thread; prefer hm_search_run_async() from the
 * UI. Matches go to the match function or to hm_search_get_matches(). Reaching
 * the match limit is a success (see hm_search_get_limit_reached()). A search
 * that finds nothing succeeds with no matches.
 *
 * Returns: %TRUE unless the search failed (a paging fault without
 *   %HM_SEARCH_SKIP_FAULTS, cancellation)
 */
gboolean
hm_search_run (HmSearch      *self,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(HmSearchKernel) kernel = NULL;
  Run run = { 0 };
  guint64 size, start;
  gboolean backward, ok;

  g_return_val_if_fail (HM_IS_SEARCH (self), FALSE);
  g_return_val_if_fail (!self->running, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->running = TRUE;
  self->n_matches = 0;
  self->limit_reached = FALSE;
  self->n_unreadable = 0;
  g_array_set_size (self->matches, 0);

  kernel = hm_search_kernel_new (self->pattern, self->impl);
  run.self = self;
  run.doc = self->document;
  run.kernel = kernel;
  run.plen = hm_pattern_get_length (self->pattern);
  run.zeros = hm_pattern_matches_zeros (self->pattern);
  run.page_size = (gsize) sysconf (_SC_PAGESIZE);
  run.cancellable = cancellable;
  run.check_size = hm_document_get_kind (self->document) == HM_FILE_KIND_REGULAR;
  run.known_end = G_MAXUINT64;

  hm_fault_guard_install ();

  size = hm_document_get_size (self->document);
  start = MIN (self->start, size);
  backward = (self->flags & HM_SEARCH_BACKWARD) != 0;
  run.total = (self->flags & HM_SEARCH_WRAP) ? size : (backward ? start : size - start);
  run.last_progress = g_get_monotonic_time ();

  if (!backward)
    {
      ok = search_pass (&run, start, G_MAXUINT64, FALSE);
      if (ok && !run.stop && !run.truncated && (self->flags & HM_SEARCH_WRAP))
        ok = search_pass (&run, 0, start, FALSE);
    }
  else
    {
      ok = search_pass (&run, 0, start, TRUE);
      if (ok && !run.stop && !run.truncated && (self->flags & HM_SEARCH_WRAP))
        ok = search_pass (&run, start, G_MAXUINT64, TRUE);
    }

  if (run.items != NULL)
    {
      _hm_search_scanner_clear (&run.scanner);
      g_array_unref (run.items);
    }
  if (run.error == NULL)
    run.done = run.total;
  report_progress (&run, TRUE);
  self->running = FALSE;

  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }

  return TRUE;
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (hm_search_run (HM_SEARCH (source_object), cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * hm_search_run_async:
 * @self: a search
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the thread-default main context when the search ends
 * @user_data: data for @callback
 *
 * Runs the search in a worker thread. The match, fault and progress functions
 * are called on that worker; keep them short (append to a buffer, post to the
 * main context in batches).
 */
void
hm_search_run_async (HmSearch            *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HM_IS_SEARCH (self));
  g_return_if_fail (!self->running);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hm_search_run_async);
  g_task_set_name (task, "[hexmap] search");
  g_task_run_in_thread (task, run_in_thread);
}

/**
 * hm_search_run_finish:
 * @self: a search
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Completes hm_search_run_async().
 *
 * Returns: %TRUE if the search completed (whether or not it found anything)
 */
gboolean
hm_search_run_finish (HmSearch      *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (HM_IS_SEARCH (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * hm_search_get_n_matches:
 * @self: a search
 *
 * Returns: how many matches the last run found (the count, with no match function)
 */
guint64
hm_search_get_n_matches (HmSearch *self)
{
  g_return_val_if_fail (HM_IS_SEARCH (self), 0);

  return self->n_matches;
}

/**
 * hm_search_get_matches:
 * @self: a search
 *
 * Without a match function, the offsets the last run found in search order (at
 * most %HM_SEARCH_STORE_LIMIT of them).
 *
 * Returns: (transfer none) (element-type guint64): the matches
 */
GArray *
hm_search_get_matches (HmSearch *self)
{
  g_return_val_if_fail (HM_IS_SEARCH (self), NULL);

  return self->matches;
}

/**
 * hm_search_get_limit_reached:
 * @self: a search
 *
 * Returns: %TRUE if the last run stopped at the match limit
 */
gboolean
hm_search_get_limit_reached (HmSearch *self)
{
  g_return_val_if_fail (HM_IS_SEARCH (self), FALSE);

  return self->limit_reached;
}

/**
 * hm_search_get_n_unreadable:
 * @self: a search
 *
 * Returns: bytes the last run skipped because they could not be read
 */
guint64
hm_search_get_n_unreadable (HmSearch *self)
{
  g_return_val_if_fail (HM_IS_SEARCH (self), 0);

  return self->n_unreadable;
}
