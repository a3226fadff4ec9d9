/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmCompareView, running the compare: HmCompare (core/hm-compare.c) on its
 * own thread, its results taken in batches on the main thread, and the
 * compare again after an edit on either side.
 *
 * The compare's thread appends each run or hunk to a HmCompareStream under a
 * lock; a timeout on the main thread takes what arrived every 100 ms and
 * appends it to the view's lists, so the views, the maps and the count show
 * results while the compare goes on. Closing the compare (or starting another)
 * cancels it; a compare that was replaced drops its results when it ends (a
 * generation number tells).
 *
 * Byte for byte, an edit is compared again only where it was: the runs that
 * touch the edited range are replaced by those a compare of that range finds,
 * which is quick enough to do in place. With insertions, an edit can move
 * every hunk after it, so the whole compare runs again.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-compare-view-private.h"
#include "hm-fault-dialog.h"

#define DRAIN_INTERVAL_MS  100
/* A byte-for-byte refresh of more than this runs the whole compare in the
 * background instead of the edited range in place. */
#define MAX_INLINE_REFRESH (4u * 1024u * 1024u)

/* ---- The stream between the threads ---- */

static HmCompareStream *
stream_new (HmCompareView *self)
{
  HmCompareStream *stream = g_new0 (HmCompareStream, 1);

  g_atomic_ref_count_init (&stream->ref);
  g_mutex_init (&stream->lock);
  stream->incoming = g_array_new (FALSE, FALSE, sizeof (HmHunk));
  stream->mode = self->mode;
  stream->size_a = hm_document_get_size (self->doc_a);
  stream->size_b = hm_document_get_size (self->doc_b);
  return stream;
}

static HmCompareStream *
stream_ref (HmCompareStream *stream)
{
  g_atomic_ref_count_inc (&stream->ref);
  return stream;
}

static void
stream_unref (gpointer data)
{
  HmCompareStream *stream = data;

  if (!g_atomic_ref_count_dec (&stream->ref))
    return;
  g_array_unref (stream->incoming);
  g_mutex_clear (&stream->lock);
  g_free (stream);
}

/* A byte-for-byte run as a hunk: the same offset on both sides, each side's
 * length clipped to its size (the longer file's tail is in one side only). */
static HmHunk
run_to_hunk (const HmCompareStream *stream,
             guint64                offset,
             guint64                length)
{
  HmHunk hunk = { offset, 0, offset, 0, HM_HUNK_NONE };

  if (offset < stream->size_a)
    hunk.a_length = MIN (length, stream->size_a - offset);
  if (offset < stream->size_b)
    hunk.b_length = MIN (length, stream->size_b - offset);
  return hunk;
}

static gboolean
stream_run_cb (guint64  offset,
               guint64  length,
               gpointer user_data)
{
  HmCompareStream *stream = user_data;
  HmHunk hunk = run_to_hunk (stream, offset, length);

  g_mutex_lock (&stream->lock);
  g_array_append_val (stream->incoming, hunk);
  g_mutex_unlock (&stream->lock);
  return TRUE;
}

static gboolean
stream_hunk_cb (const HmHunk *hunk,
                gpointer      user_data)
{
  HmCompareStream *stream = user_data;

  g_mutex_lock (&stream->lock);
  g_array_append_val (stream->incoming, *hunk);
  g_mutex_unlock (&stream->lock);
  return TRUE;
}

static void
stream_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  HmCompareStream *stream = user_data;

  g_mutex_lock (&stream->lock);
  stream->done = done;
  stream->total = total;
  g_mutex_unlock (&stream->lock);
}

static HmCompare *
new_compare (HmCompareView   *self,
             HmCompareStream *stream)
{
  HmCompare *compare = hm_compare_new (self->doc_a, self->doc_b);

  hm_compare_set_mode (compare, self->mode);
  if (self->max_memory > 0)
    hm_compare_set_max_memory (compare, self->max_memory);
  if (self->mode == HM_COMPARE_BYTES)
    hm_compare_set_run_func (compare, stream_run_cb, stream_ref (stream), stream_unref);
  else
    hm_compare_set_hunk_func (compare, stream_hunk_cb, stream_ref (stream), stream_unref);
  hm_compare_set_progress_func (compare, stream_progress_cb, stream_ref (stream), stream_unref);
  return compare;
}

/* ---- The results on the main thread ---- */

static void
append_range (GArray  *ranges,
              guint64  offset,
              guint64  length)
{
  HmRange range = { offset, length };

  if (length > 0)
    g_array_append_val (ranges, range);
}

static void
append_hunks (HmCompareView *self,
              const HmHunk  *hunks,
              guint          n)
{
  for (guint i = 0; i < n; i++)
    {
      append_range (self->ranges_a, hunks[i].a_offset, hunks[i].a_length);
      append_range (self->ranges_b, hunks[i].b_offset, hunks[i].b_length);
    }
  g_array_append_vals (self->hunks, hunks, n);
}

/* The ranges of each side again from the hunks, in place: the views and the
 * maps hold the arrays. */
void
_hm_compare_view_rebuild (HmCompareView *self)
{
  g_autoptr(GArray) hunks = g_array_copy (self->hunks);

  g_array_set_size (self->hunks, 0);
  g_array_set_size (self->ranges_a, 0);
  g_array_set_size (self->ranges_b, 0);
  append_hunks (self, (const HmHunk *) (gpointer) hunks->data, hunks->len);
}

/* Takes what the compare's thread found since the last time. */
static void
drain (HmCompareView *self)
{
  g_autoptr(GArray) batch = NULL;
  HmCompareStream *stream = self->stream;
  double fraction = 0;

  if (stream == NULL)
    return;
  g_mutex_lock (&stream->lock);
  if (stream->incoming->len > 0)
    {
      batch = stream->incoming;
      stream->incoming = g_array_new (FALSE, FALSE, sizeof (HmHunk));
    }
  if (stream->total > 0)
    fraction = (double) stream->done / (double) stream->total;
  g_mutex_unlock (&stream->lock);

  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), CLAMP (fraction, 0.0, 1.0));
  if (batch != NULL)
    {
      append_hunks (self, (const HmHunk *) (gpointer) batch->data, batch->len);
      _hm_compare_view_results_changed (self);
    }
}

static gboolean
drain_cb (gpointer user_data)
{
  drain (HM_COMPARE_VIEW (user_data));
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  HmCompareView *view;
  guint          generation;
} RunOp;

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunOp *op = user_data;
  g_autoptr(HmCompareView) self = op->view;
  g_autoptr(GError) error = NULL;
  gboolean ok = hm_compare_run_finish (HM_COMPARE (source), result, &error);
  guint generation = op->generation;

  g_free (op);
  /* Replaced by another compare, or closed. */
  if (generation != self->generation || !self->running)
    return;

  drain (self);
  self->running = FALSE;
  g_clear_handle_id (&self->drain_source, g_source_remove);
  g_clear_pointer (&self->stream, stream_unref);
  g_clear_object (&self->cancellable);
  gtk_widget_set_visible (self->progress_bar, FALSE);

  self->n_unaligned = ok ? hm_compare_get_n_unaligned (HM_COMPARE (source)) : 0;
  if (self->n_unaligned > 0)
    {
      g_autofree char *bound = g_format_size_full (self->max_memory > 0 ? self->max_memory
                                                   : HM_COMPARE_DEFAULT_MAX_MEMORY, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%" G_GUINT64_FORMAT " region was too different to align within %s: "
                                      "it is shown as one changed run.",
                                      "%" G_GUINT64_FORMAT " regions were too different to align within %s: "
                                      "each is shown as one changed run.",
                                      self->n_unaligned),
                         self->n_unaligned, bound);

      _hm_compare_view_set_message (self, text);
    }
  _hm_compare_view_results_changed (self);
  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _hm_compare_view_show_fault (self, error);
}

void
_hm_compare_view_cancel (HmCompareView *self)
{
  self->generation++;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->drain_source, g_source_remove);
  g_clear_pointer (&self->stream, stream_unref);
  self->running = FALSE;
  if (self->progress_bar != NULL)
    gtk_widget_set_visible (self->progress_bar, FALSE);
}

/**
 * _hm_compare_view_start:
 * @self: a #HmCompareView
 *
 * Compares the two documents from the start, in the background; what was
 * found before is dropped.
 */
void
_hm_compare_view_start (HmCompareView *self)
{
  g_autoptr(HmCompare) compare = NULL;
  RunOp *op;

  _hm_compare_view_cancel (self);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  self->refresh_all = FALSE;
  g_array_set_size (self->hunks, 0);
  g_array_set_size (self->ranges_a, 0);
  g_array_set_size (self->ranges_b, 0);
  self->current = -1;
  self->n_unaligned = 0;
  _hm_compare_view_set_message (self, NULL);

  self->stream = stream_new (self);
  self->cancellable = g_cancellable_new ();
  self->running = TRUE;
  compare = new_compare (self, self->stream);

  op = g_new0 (RunOp, 1);
  op->view = g_object_ref (self);
  op->generation = self->generation;
  hm_compare_run_async (compare, self->cancellable, run_done_cb, op);
  self->drain_source = g_timeout_add (DRAIN_INTERVAL_MS, drain_cb, self);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), 0);
  gtk_widget_set_visible (self->progress_bar, TRUE);
  _hm_compare_view_results_changed (self);
}

/* ---- After an edit ---- */

/* Byte for byte, [start, end) of both sides again, in place: the hunks that
 * touch it are replaced by what a compare of it finds. FALSE when that is not
 * possible (then the caller compares everything again). */
static gboolean
refresh_range (HmCompareView *self,
               guint64        start,
               guint64        end)
{
  g_autoptr(HmCompare) compare = NULL;
  g_autoptr(GError) error = NULL;
  HmCompareStream *stream;
  guint64 size_a = hm_document_get_size (self->doc_a);
  guint64 size_b = hm_document_get_size (self->doc_b);
  guint first = 0, last;
  g_autoptr(GArray) merged = NULL;

  if (self->mode != HM_COMPARE_BYTES || self->running)
    return FALSE;
  /* Widen by a byte each way, and to the runs it touches, so that a run that
   * grows or splits comes out whole. */
  start = start > 0 ? start - 1 : 0;
  end = end + 1;
  while (first < self->hunks->len)
    {
      const HmHunk *h = &g_array_index (self->hunks, HmHunk, first);

      if (h->a_offset + MAX (h->a_length, h->b_length) >= start)
        break;
      first++;
    }
  last = first;
  while (last < self->hunks->len)
    {
      const HmHunk *h = &g_array_index (self->hunks, HmHunk, last);

      if (h->a_offset > end)
        break;
      start = MIN (start, h->a_offset);
      end = MAX (end, h->a_offset + MAX (h->a_length, h->b_length));
      last++;
    }
  /* The tail of the longer file is a run of its own: compare it all again. */
  if (end >= MIN (size_a, size_b) || end - start > MAX_INLINE_REFRESH)
    return FALSE;

  stream = stream_new (self);
  compare = new_compare (self, stream);
  hm_compare_set_range (compare, start, end - start);
  if (!hm_compare_run (compare, NULL, &error))
    {
      stream_unref (stream);
      _hm_compare_view_show_fault (self, error);
      return TRUE;
    }

  /* Before, the runs found, after: the range takes in every run that touches
   * it, so none of them touches a run outside. */
  merged = g_array_sized_new (FALSE, FALSE, sizeof (HmHunk), self->hunks->len);
  g_array_append_vals (merged, self->hunks->data, first);
  g_array_append_vals (merged, stream->incoming->data, stream->incoming->len);
  g_array_append_vals (merged, &g_array_index (self->hunks, HmHunk, last), self->hunks->len - last);
  stream_unref (stream);

  g_array_set_size (self->hunks, 0);
  g_array_append_vals (self->hunks, merged->data, merged->len);
  _hm_compare_view_rebuild (self);
  self->current = -1;
  _hm_compare_view_results_changed (self);
  return TRUE;
}

static gboolean
refresh_cb (gpointer user_data)
{
  HmCompareView *self = user_data;
  gboolean all = self->refresh_all;

  self->refresh_source = 0;
  self->refresh_all = FALSE;
  if (all || !refresh_range (self, self->dirty_start, self->dirty_end))
    _hm_compare_view_start (self);
  return G_SOURCE_REMOVE;
}

static void
queue_refresh (HmCompareView *self,
               gboolean       all,
               guint64        start,
               guint64        end)
{
  if (self->refresh_source == 0)
    {
      self->refresh_all = all;
      self->dirty_start = start;
      self->dirty_end = end;
      self->refresh_source = g_idle_add (refresh_cb, self);
      return;
    }
  self->refresh_all |= all;
  self->dirty_start = MIN (self->dirty_start, start);
  self->dirty_end = MAX (self->dirty_end, end);
}

/* Either document changed [offset, offset + length): compare that again
 * (with insertions, or while a compare runs: everything). */
void
_hm_compare_view_doc_changed (HmCompareView *self,
                              guint64        offset,
                              guint64        length,
                              HmDocument    *document)
{
  guint64 end = G_MAXUINT64 - offset < length ? G_MAXUINT64 : offset + length;

  queue_refresh (self, self->mode != HM_COMPARE_BYTES || self->running, offset, end);
}

void
_hm_compare_view_size_changed (HmCompareView *self)
{
  queue_refresh (self, TRUE, 0, 0);
}

/* Side B's inserts and deletes change its size by design ("content-changed"
 * comes before "notify::size"); count them, so only a size nobody edited to
 * reads as a truncation. */
void
_hm_compare_view_b_content_changed (HmCompareView *self,
                                    guint64        offset,
                                    guint64        removed,
                                    guint64        added)
{
  self->size_b = self->size_b - MIN (removed, self->size_b) + added;
}

/* The core shrinks B when a read (the compare's, or B's view's) finds its file
 * shorter. Whichever read found it, the user hears of it in B's fault dialog,
 * as the page does for A: the refresh that follows compares the shorter file
 * and would otherwise end without a word. */
void
_hm_compare_view_b_size_changed (HmCompareView *self)
{
  guint64 size = hm_document_get_size (self->doc_b);

  if (size < self->size_b)
    {
      g_autoptr(GError) error = hm_fault_error_new_truncated (self->doc_b, size, size);

      _hm_compare_view_show_fault (self, error);
    }
  self->size_b = size;
  queue_refresh (self, TRUE, 0, 0);
}

void
_hm_compare_view_set_max_memory (HmCompareView *self,
                                 gsize          max_memory)
{
  self->max_memory = max_memory;
}
