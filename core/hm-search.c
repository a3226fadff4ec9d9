/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmSearch: find a pattern in a whole document.
 *
 * The file is walked as a row of "pieces": a hole, or the part of a data run
 * that lies in one mapped window. Every possible match start belongs to exactly
 * one piece, and falls in one of two groups:
 *   - the match lies wholly inside its piece: in a data piece the kernel scans
 *     the window in place (zero copy, under the fault guard); in a hole every
 *     start matches if the pattern matches zeros and none does otherwise, so
 *     holes are counted, never read;
 *   - the match runs past the end of its piece (at most pattern length - 1
 *     starts, a "seam"): the bytes around the boundary are gathered into a small
 *     buffer (zeros for holes, guarded copies for data) and scanned there.
 * So matches straddling window or hole boundaries are found, windows need not
 * overlap, and a 1 TiB sparse file costs as much as its data.
 *
 * Pending edits in preview mode live in the windows themselves; ranges with
 * pending edits count as data even where the file has a hole.
 *
 * A paging fault inside a scan stops the search with a %HM_FAULT_ERROR, or with
 * %HM_SEARCH_SKIP_FAULTS, reports the page and goes on after it: the starts
 * before the page are scanned again without touching it, the starts whose match
 * would touch it are skipped.
 */
#include "config.h"

#include "hm-search.h"

#include "hm-document-private.h"
#include "hm-fault.h"

#include <string.h>
#include <unistd.h>

#define PROGRESS_INTERVAL_USEC (50 * 1000)
#define CANCEL_CHECK_INTERVAL  65536

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

  gboolean            running;

  /* Results of the last run. */
  guint64             n_matches;
  GArray             *matches;
  gboolean            limit_reached;
  guint64             n_unreadable;
};

G_DEFINE_FINAL_TYPE (HmSearch, hm_search, G_TYPE_OBJECT)

/* The state of one run; lives on the worker's stack. */
typedef struct
{
  HmSearch       *self;
  HmDocument     *doc;
  HmSearchKernel *kernel;
  gsize           plen;
  gboolean        zeros;
  gsize           page_size;
  GCancellable   *cancellable;
  GArray         *segments;   /* HmExtent of the current pass, holes with edits made data */
  guint8         *seam;       /* 2 * plen bytes */
  guint64         done;
  guint64         total;
  gint64          last_progress;
  gboolean        stop;       /* limit reached, or the match function said stop */
  gboolean        truncated;  /* skip mode: the file shrank under us; nothing more to read */
  GError         *error;
} Run;

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

/* --- results ------------------------------------------------------------- */

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

/* Records one match; FALSE when the search must stop. */
static gboolean
emit (Run     *run,
      guint64  offset)
{
  HmSearch *self = run->self;

  self->n_matches++;
  if (self->match_func != NULL)
    {
      if (!self->match_func (offset, self->match_data))
        run->stop = TRUE;
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

/* @count consecutive starts that all match (the inside of a hole, for a pattern
 * that matches zeros). Counted arithmetically once nobody needs the offsets. */
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

/* A fault at file offset @offset. Returns TRUE if the search goes on (skip mode),
 * with *error_out holding the error to report with the skipped range; FALSE with
 * run->error set otherwise. */
static gboolean
handle_fault (Run      *run,
              guint64   offset,
              GError  **error_out)
{
  GError *error = _hm_document_fault_error (run->doc, offset, FALSE);

  if (!(run->self->flags & HM_SEARCH_SKIP_FAULTS))
    {
      run->error = error;
      return FALSE;
    }

  if (g_error_matches (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED))
    {
      /* Everything from here on is gone: report it once and stop reading. */
      guint64 from = offset - offset % run->page_size;
      guint64 end = run->segments->len > 0
        ? g_array_index (run->segments, HmExtent, run->segments->len - 1).offset +
          g_array_index (run->segments, HmExtent, run->segments->len - 1).length
        : from;

      if (end > from)
        {
          run->self->n_unreadable += end - from;
          if (run->self->fault_func != NULL)
            run->self->fault_func (from, end - from, error, run->self->fault_data);
        }
      run->truncated = TRUE;
      g_error_free (error);
      return FALSE;
    }

  *error_out = error;
  return TRUE;
}

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

/* --- reading -------------------------------------------------------------- */

/* Taking a window past the (new) end is a fault at that offset; faults come back
 * as offsets, for handle_fault() to report or skip. */
#define SCAN_GUARD (HM_GUARD_END_IS_FAULT | HM_GUARD_RAW_FAULTS)

/* The window holding @pos, for a scan in place; NULL when the search stops
 * (run->error set, or the truncation reported). */
static HmWindow *
take_window (Run     *run,
             guint64  pos)
{
  GError *local = NULL;
  guint64 fault = 0;
  HmWindow *w = _hm_document_guard_window (run->doc, pos, HM_ACCESS_SEQUENTIAL,
                                           SCAN_GUARD | HM_GUARD_ALLOW_SHORT, &fault, &local);

  if (w == NULL)
    {
      GError *skip = NULL;

      if (local != NULL)
        run->error = local;
      else if (handle_fault (run, fault, &skip))
        g_clear_error (&skip);
      return NULL;
    }

  /* The window may end at or before @pos if the file grew since it was
   * mapped (it holds edits, so it is not mapped anew). */
  if (w->offset + w->length <= pos)
    {
      guint64 f = w->offset + w->length;

      _hm_document_release_window (run->doc, w);
      run->error = _hm_document_fault_error (run->doc, f, FALSE);
      return NULL;
    }
  return w;
}

static guint
find_segment (GArray  *segments,
              guint64  offset)
{
  guint lo = 0, hi = segments->len;

  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (segments, HmExtent, mid).offset <= offset)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

/* Gathers bytes [offset, offset + length) into @buffer: zeros for holes, guarded
 * copies for data. FALSE on a fault (*fault_offset set) or another error
 * (*error set). */
static gboolean
gather (Run     *run,
        guint64  offset,
        gsize    length,
        guint8  *buffer,
        guint64 *fault_offset,
        GError **error)
{
  guint64 end = offset + length;
  guint i = find_segment (run->segments, offset);

  while (offset < end)
    {
      const HmExtent *e;
      guint64 e_end;

      g_assert (i < run->segments->len);
      e = &g_array_index (run->segments, HmExtent, i);
      e_end = MIN (end, e->offset + e->length);
      g_assert (e->offset <= offset);

      if (e->is_hole)
        memset (buffer, 0, e_end - offset);
      else if (!_hm_document_copy_guarded (run->doc, offset, buffer, (gsize) (e_end - offset),
                                           HM_ACCESS_SEQUENTIAL, SCAN_GUARD, fault_offset, error))
        return FALSE;

      buffer += e_end - offset;
      offset = e_end;
      i++;
    }

  return TRUE;
}

/* --- scanning ------------------------------------------------------------ */

typedef struct
{
  const HmSearchKernel *kernel;
  const guint8         *data;
  gsize                 length;
  gboolean              backward;
  gssize                result;
} KernelCall;

static void
kernel_call (gpointer user_data)
{
  KernelCall *call = user_data;

  if (call->backward)
    call->result = hm_search_kernel_find_last (call->kernel, call->data, call->length);
  else
    call->result = hm_search_kernel_find_first (call->kernel, call->data, call->length);
}

/* Scans starts [lo, hi) whose matches lie inside window @w, in place. */
static gboolean
scan_window (Run      *run,
             HmWindow *w,
             guint64   lo,
             guint64   hi,
             gboolean  backward)
{
  /* Forward: starts [cur, hi) remain; clamp limits this pass below a bad page.
   * Backward: starts [lo, cur) remain; clamp limits it above a bad page. */
  guint64 cur = backward ? hi : lo;
  guint64 clamp = backward ? lo : hi;
  guint64 bad_lo = 0, bad_hi = 0;
  GError *bad_error = NULL;
  guint n_calls = 0;

  for (;;)
    {
      guint64 a = backward ? MAX (lo, clamp) : cur;
      guint64 b = backward ? cur : MIN (hi, clamp);
      KernelCall call;
      const void *fault_addr = NULL;

      if (a >= b)
        {
          /* This stretch is done. Jump over the bad page, if one stopped us. */
          if (bad_error == NULL)
            return TRUE;
          report_skipped (run, bad_lo, bad_hi - bad_lo, g_steal_pointer (&bad_error));
          if (backward)
            {
              cur = bad_lo >= run->plen - 1 ? MIN (cur, bad_lo - (run->plen - 1)) : 0;
              clamp = lo;
            }
          else
            {
              cur = MAX (cur, bad_hi);
              clamp = hi;
            }
          continue;
        }

      if (++n_calls % 1024 == 0 && check_cancelled (run))
        goto fail;

      call.kernel = run->kernel;
      call.data = w->data + (a - w->offset);
      call.length = (gsize) (b - a - 1 + run->plen);
      call.backward = backward;
      call.result = -1;

      if (hm_fault_guard_run (w->data, w->length, kernel_call, &call, &fault_addr))
        {
          guint64 m;

          if (call.result < 0)
            {
              /* Nothing in [a, b): continue from the clamp (or finish). */
              if (backward)
                cur = a;
              else
                cur = b;
              continue;
            }

          m = a + (guint64) call.result;
          if (!emit (run, m))
            goto fail;
          if (backward)
            cur = m;
          else
            cur = m + 1;
        }
      else
        {
          guint64 f = _hm_document_window_fault_offset (w, fault_addr);
          GError *error = NULL;

          if (!handle_fault (run, f, &error))
            goto fail;

          g_clear_error (&bad_error);
          bad_error = error;
          bad_lo = f - f % run->page_size;
          bad_hi = bad_lo + run->page_size;
          /* Scan again up to (down to) the bad page without touching it. */
          if (backward)
            clamp = bad_hi;
          else
            clamp = bad_lo >= run->plen - 1 ? bad_lo - (run->plen - 1) : 0;
        }
    }

fail:
  g_clear_error (&bad_error);
  return FALSE;
}

/* Scans starts [lo, hi) whose matches cross the end of their piece, through a
 * gathered copy of the bytes around the boundary. @bytes_end bounds the bytes. */
static gboolean
scan_seam (Run      *run,
           guint64   lo,
           guint64   hi,
           guint64   bytes_end,
           gboolean  backward)
{
  guint64 end = MIN (bytes_end, hi - 1 + run->plen);
  gsize length = (gsize) (end - lo);
  guint64 fault_offset = 0;
  GError *error = NULL;

  g_assert (length <= 2 * run->plen);

  if (!gather (run, lo, length, run->seam, &fault_offset, &error))
    {
      GError *skip_error = NULL;

      if (error != NULL)
        {
          run->error = error;
          return FALSE;
        }
      if (!handle_fault (run, fault_offset, &skip_error))
        return FALSE;
      /* The few starts of this seam are lost with the page. */
      report_skipped (run, fault_offset - fault_offset % run->page_size, run->page_size,
                      skip_error);
      return TRUE;
    }

  if (!backward)
    {
      gsize pos = 0;

      for (;;)
        {
          gssize r = hm_search_kernel_find_first (run->kernel, run->seam + pos, length - pos);

          if (r < 0 || lo + pos + (gsize) r >= hi)
            return TRUE;
          if (!emit (run, lo + pos + (gsize) r))
            return FALSE;
          pos += (gsize) r + 1;
        }
    }
  else
    {
      gsize len = length;

      for (;;)
        {
          gssize r = hm_search_kernel_find_last (run->kernel, run->seam, len);

          if (r < 0)
            return TRUE;
          g_assert (lo + (gsize) r < hi);
          if (!emit (run, lo + (gsize) r))
            return FALSE;
          if (r == 0)
            return TRUE;
          len = (gsize) r - 1 + run->plen;
        }
    }
}

/* One piece [p0, p1): a hole (@w == NULL) or data inside window @w. Starts are
 * limited to [a, z); bytes to [.., e). */
static gboolean
scan_piece (Run      *run,
            HmWindow *w,
            guint64   p0,
            guint64   p1,
            guint64   a,
            guint64   z,
            guint64   e,
            gboolean  backward)
{
  guint64 plen = run->plen;
  /* Starts whose match fits in the piece, and the seam starts after them. */
  guint64 d_lo = MAX (p0, a);
  guint64 d_hi = MIN (p1 >= plen - 1 ? p1 - (plen - 1) : 0, z);
  guint64 s_lo = MAX (d_lo, p1 >= plen - 1 ? p1 - (plen - 1) : 0);
  guint64 s_hi = MIN (p1, z);
  gboolean ok = TRUE;

  if (!backward)
    {
      if (d_lo < d_hi)
        {
          if (w != NULL)
            ok = scan_window (run, w, d_lo, d_hi, FALSE);
          else if (run->zeros)
            ok = emit_all (run, d_lo, d_hi - d_lo, FALSE);
        }
      if (ok && s_lo < s_hi && !run->truncated)
        ok = scan_seam (run, s_lo, s_hi, e, FALSE);
    }
  else
    {
      if (s_lo < s_hi)
        ok = scan_seam (run, s_lo, s_hi, e, TRUE);
      if (ok && d_lo < d_hi && !run->truncated)
        {
          if (w != NULL)
            ok = scan_window (run, w, d_lo, d_hi, TRUE);
          else if (run->zeros)
            ok = emit_all (run, d_lo, d_hi - d_lo, TRUE);
        }
    }

  run->done += p1 - p0;
  report_progress (run, FALSE);

  return ok && !run->truncated && !check_cancelled (run);
}

/* The extents of [offset, offset + length), with ranges holding pending edits
 * turned into data (in preview mode their bytes live in private pages, not in
 * the file's hole) and neighbours of the same kind merged. */
static GArray *
build_segments (HmDocument *doc,
                guint64     offset,
                guint64     length)
{
  g_autoptr(GArray) extents = hm_document_get_extents (doc, offset, length);
  g_autoptr(GArray) pending = hm_document_get_pending_ranges (doc);
  GArray *segments = g_array_new (FALSE, FALSE, sizeof (HmExtent));
  guint pi = 0;

  for (guint i = 0; i < extents->len; i++)
    {
      HmExtent e = g_array_index (extents, HmExtent, i);
      guint64 pos = e.offset, end = e.offset + e.length;

      while (pos < end)
        {
          HmExtent piece = { pos, end - pos, e.is_hole };

          if (e.is_hole && pending != NULL)
            {
              while (pi < pending->len &&
                     g_array_index (pending, HmRange, pi).offset +
                     g_array_index (pending, HmRange, pi).length <= pos)
                pi++;
              if (pi < pending->len)
                {
                  const HmRange *r = &g_array_index (pending, HmRange, pi);

                  if (r->offset <= pos)
                    {
                      piece.is_hole = FALSE;
                      piece.length = MIN (end, r->offset + r->length) - pos;
                    }
                  else if (r->offset < end)
                    piece.length = r->offset - pos;
                }
            }

          if (segments->len > 0 &&
              g_array_index (segments, HmExtent, segments->len - 1).is_hole == piece.is_hole)
            g_array_index (segments, HmExtent, segments->len - 1).length += piece.length;
          else
            g_array_append_val (segments, piece);
          pos += piece.length;
        }
    }

  return segments;
}

/* Finds matches starting in [a, z). */
static gboolean
search_pass (Run      *run,
             guint64   a,
             guint64   z,
             gboolean  backward)
{
  guint64 size = hm_document_get_size (run->doc);
  guint64 e;
  gboolean ok = TRUE;

  if (size < run->plen)
    return TRUE;
  z = MIN (z, size - run->plen + 1);
  if (a >= z)
    return TRUE;
  e = z + run->plen - 1;

  g_clear_pointer (&run->segments, g_array_unref);
  run->segments = build_segments (run->doc, a, e - a);

  for (guint k = 0; ok && k < run->segments->len; k++)
    {
      guint i = backward ? run->segments->len - 1 - k : k;
      HmExtent seg = g_array_index (run->segments, HmExtent, i);
      guint64 seg_end = seg.offset + seg.length;

      if (seg.is_hole)
        {
          ok = scan_piece (run, NULL, seg.offset, seg_end, a, z, e, backward);
          continue;
        }

      if (!backward)
        {
          guint64 cur = seg.offset;

          while (ok && cur < seg_end)
            {
              HmWindow *w = take_window (run, cur);
              guint64 p1;

              if (w == NULL)
                return FALSE;
              p1 = MIN (seg_end, w->offset + w->length);
              ok = scan_piece (run, w, cur, p1, a, z, e, FALSE);
              _hm_document_release_window (run->doc, w);
              cur = p1;
            }
        }
      else
        {
          guint64 cur = seg_end;

          while (ok && cur > seg.offset)
            {
              HmWindow *w = take_window (run, cur - 1);
              guint64 p0;

              if (w == NULL)
                return FALSE;
              p0 = MAX (seg.offset, w->offset);
              ok = scan_piece (run, w, p0, cur, a, z, e, TRUE);
              _hm_document_release_window (run->doc, w);
              cur = p0;
            }
        }
    }

  return ok;
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
  g_autofree guint8 *seam = NULL;
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
  seam = g_malloc (2 * run.plen);
  run.seam = seam;

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

  g_clear_pointer (&run.segments, g_array_unref);
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
