/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView reading: the bytes on screen, and what is known about each.
 *
 * Each frame copies the visible bytes into a buffer the view reuses, with a flag
 * per byte: hole, fault, past the end, edited, search match, not read yet. The
 * document's HmReader reads them: in the frame with one guarded read, or on a
 * worker where the storage may stall (see below). A read fault is reported once,
 * from an idle callback, as HmHexView::read-fault. The edited
 * ranges, search highlights and compare differences behind the flags live here, and so does the
 * accessible description of the byte at the cursor, which must not block either.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hm-hex-view-private.h"

/* ---- Reading the visible bytes ---- */

static void
ensure_buffers (HmHexView *self,
                gsize      length)
{
  if (length <= self->buffer_size)
    return;
  self->buffer_size = MAX (length, 4096);
  self->bytes = g_realloc (self->bytes, self->buffer_size);
  self->flags = g_realloc (self->flags, self->buffer_size);
}

static gboolean
emit_fault_idle_cb (gpointer user_data)
{
  HmHexView *self = user_data;
  g_autoptr(GError) error = g_steal_pointer (&self->fault_error);

  self->fault_idle = 0;
  if (error != NULL)
    _hm_hex_view_emit_read_fault (self, error);
  return G_SOURCE_REMOVE;
}

static void
report_fault (HmHexView *self,
              GError    *error)
{
  if (self->fault_reported || error == NULL)
    return;
  self->fault_reported = TRUE;
  g_clear_error (&self->fault_error);
  self->fault_error = g_error_copy (error);
  if (self->fault_idle == 0)
    self->fault_idle = g_idle_add (emit_fault_idle_cb, self);
}

static void
mark_ranges (guint8       *flags,
             guint64       first,
             gsize         length,
             const GArray *ranges,
             guint8        flag)
{
  guint64 end = first + length;

  if (ranges == NULL || ranges->len == 0)
    return;

  for (guint i = hm_ranges_find_end_after (ranges, first); i < ranges->len; i++)
    {
      const HmRange *r = &g_array_index (ranges, HmRange, i);
      guint64 a = MAX (r->offset, first);
      guint64 b = MIN (r->offset + r->length, end);

      if (r->offset >= end)
        break;
      for (guint64 o = a; o < b; o++)
        flags[o - first] |= flag;
    }
}

static int
compare_ranges (gconstpointer a,
                gconstpointer b)
{
  const HmRange *ra = a, *rb = b;

  return ra->offset < rb->offset ? -1 : ra->offset > rb->offset;
}

static void
ensure_ranges (HmHexView *self)
{
  if (self->ranges_valid)
    return;
  self->ranges_valid = TRUE;
  if (hm_document_get_mode (self->document) == HM_DOCUMENT_MODE_READ_ONLY)
    return;
  self->pending = hm_document_get_pending_ranges (self->document);
  self->committed = hm_document_get_committed_ranges (self->document);
  if (self->pending != NULL)
    g_array_sort (self->pending, compare_ranges);
  if (self->committed != NULL)
    g_array_sort (self->committed, compare_ranges);
}

void
_hm_hex_view_invalidate_ranges (HmHexView *self)
{
  g_clear_pointer (&self->pending, g_array_unref);
  g_clear_pointer (&self->committed, g_array_unref);
  self->ranges_valid = FALSE;
}

/**
 * hm_hex_view_set_highlights:
 * @self: a #HmHexView
 * @ranges: (nullable) (element-type HmRange): ranges to highlight, sorted by offset;
 *   %NULL or empty for none
 *
 * Highlights ranges (search matches) with their own background, under the
 * selection. The view keeps a copy, with overlapping or touching ranges merged, so
 * the caller may change or free @ranges afterwards. Drawing looks up only the rows
 * on screen, so a long list costs a binary search per frame.
 */
void
hm_hex_view_set_highlights (HmHexView *self,
                            GArray    *ranges)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));

  g_clear_pointer (&self->highlights, g_array_unref);
  if (ranges != NULL && ranges->len > 0)
    {
      self->highlights = g_array_sized_new (FALSE, FALSE, sizeof (HmRange), ranges->len);
      for (guint i = 0; i < ranges->len; i++)
        {
          const HmRange *r = &g_array_index (ranges, HmRange, i);
          HmRange *last = self->highlights->len > 0
            ? &g_array_index (self->highlights, HmRange, self->highlights->len - 1)
            : NULL;

          g_return_if_fail (last == NULL || r->offset >= last->offset);
          if (r->length == 0)
            continue;
          if (last != NULL && r->offset <= last->offset + last->length)
            last->length = MAX (last->length, r->offset + r->length - last->offset);
          else
            g_array_append_val (self->highlights, *r);
        }
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * hm_hex_view_set_differences:
 * @self: a #HmHexView
 * @ranges: (nullable) (element-type HmRange): the differing runs of a compare,
 *   sorted by offset and disjoint; %NULL for none
 *
 * Highlights the differences found by a compare. Unlike
 * hm_hex_view_set_highlights() the view keeps a reference, not a copy: the
 * compare appends to the array as its results stream in and then calls
 * gtk_widget_queue_draw(). Each frame looks up only its own rows, by binary
 * search.
 */
void
hm_hex_view_set_differences (HmHexView *self,
                             GArray    *ranges)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));

  if (ranges != NULL)
    g_array_ref (ranges);
  g_clear_pointer (&self->differences, g_array_unref);
  self->differences = ranges;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* For tests: the differences the view draws, or NULL. */
GArray *
_hm_hex_view_get_differences (HmHexView *self)
{
  return self->differences;
}

/* ---- Reading a frame ----
 *
 * HmReader (core/hm-reader.c) reads the visible bytes and says, per byte, hole,
 * unreadable, past the end or not read yet. Where the document may stall
 * (hm_document_get_may_stall(): network and FUSE mounts) its worker thread reads
 * them: a frame gets what it already has, the rest is drawn as a dim placeholder,
 * and the view draws again when the bytes arrive; pages that failed stay
 * unreadable (`??`) until hm_hex_view_retry(). Elsewhere it reads them in the
 * frame: that is faster than any hand-over.
 */

G_STATIC_ASSERT ((int) FLAG_HOLE == (int) HM_READER_HOLE);
G_STATIC_ASSERT ((int) FLAG_FAULT == (int) HM_READER_FAULT);
G_STATIC_ASSERT ((int) FLAG_MISSING == (int) HM_READER_MISSING);
G_STATIC_ASSERT ((int) FLAG_LOADING == (int) HM_READER_LOADING);

static void
reader_ready_cb (const GError *fault,
                 gpointer      user_data)
{
  HmHexView *self = user_data;

  if (fault != NULL)
    report_fault (self, (GError *) fault);
  if (self->cursor_loading)
    _hm_hex_view_announce_cursor (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* A reader for the document, with a worker where its storage may stall; made
 * again when that changes ("notify::may-stall"). */
void
_hm_hex_view_update_reader (HmHexView *self)
{
  g_clear_pointer (&self->reader, hm_reader_free);
  if (self->document != NULL)
    self->reader = hm_reader_new (self->document, hm_document_get_may_stall (self->document),
                                  reader_ready_cb, self);
}

/* Copies the visible bytes into the frame buffer and fills in a flag per byte. */
void
_hm_hex_view_read_visible (HmHexView *self,
                           guint64    first,
                           gsize      length)
{
  ensure_buffers (self, length);
  hm_reader_fill (self->reader, first, length, self->bytes, self->flags);

  ensure_ranges (self);
  mark_ranges (self->flags, first, length, self->pending, FLAG_PENDING);
  mark_ranges (self->flags, first, length, self->committed, FLAG_COMMITTED);
  mark_ranges (self->flags, first, length, self->highlights, FLAG_MATCH);
  mark_ranges (self->flags, first, length, self->differences, FLAG_DIFFERENT);
}

/* ---- The byte at the cursor, for the accessible description ---- */

/* With a worker reading the file (slow storage), only what it already read:
 * announcing must not block. */
void
_hm_hex_view_announce_cursor (HmHexView *self)
{
  g_autofree char *text = NULL;
  guint8 byte = 0;
  HmReaderPeek peek = HM_READER_PEEK_UNREADABLE;

  if (self->document != NULL && _hm_hex_view_doc_size (self) > 0)
    peek = hm_reader_peek (self->reader, self->cursor, &byte);
  self->cursor_loading = peek == HM_READER_PEEK_LOADING;

  if (self->document == NULL || _hm_hex_view_doc_size (self) == 0)
    text = g_strdup (_("Empty"));
  else if (peek == HM_READER_PEEK_LOADED)
    text = g_strdup_printf (_("Offset 0x%" PRIx64 ", value 0x%02x (%u)"),
                            self->cursor, byte, byte);
  else if (peek == HM_READER_PEEK_LOADING)
    text = g_strdup_printf (_("Offset 0x%" PRIx64 ", loading"), self->cursor);
  else
    text = g_strdup_printf (_("Offset 0x%" PRIx64 ", unreadable"), self->cursor);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                  -1);
}

/* ---- Unreadable pages ---- */

/**
 * hm_hex_view_retry:
 * @self: a #HmHexView
 *
 * Forgets which pages could not be read and reads them again, e.g. after the
 * user answered Retry in the fault dialog. If they fail again,
 * #HmHexView::read-fault is emitted again (once).
 */
void
hm_hex_view_retry (HmHexView *self)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));

  self->fault_reported = FALSE;
  g_clear_error (&self->fault_error);
  g_clear_handle_id (&self->fault_idle, g_source_remove);
  if (self->reader != NULL)
    hm_reader_retry (self->reader);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- For tests ---- */

gboolean
_hm_hex_view_get_async_reads (HmHexView *self)
{
  return self->reader != NULL && hm_reader_get_uses_worker (self->reader);
}

guint
_hm_hex_view_get_n_async_reads (HmHexView *self)
{
  return _hm_hex_view_get_async_reads (self) ? hm_reader_get_n_reads (self->reader) : 0;
}
