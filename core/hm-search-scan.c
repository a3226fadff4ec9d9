/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Scanning one chunk of a search pass (see hm-search.c for the passes).
 *
 * A worker's bulk reader hands out the chunk's bytes as blocks: data (a
 * buffer, or part of a mapped window), holes (never read) and unreadable pages.
 * The kernel scans the starts whose match lies inside a data block in place; in
 * a hole every start matches if the pattern matches zeros and none does
 * otherwise, so holes are counted, never read; the starts whose match crosses a
 * block's end keep the last length - 1 bytes (a "carry") and are scanned with
 * the next block's first bytes.
 *
 * What the chunk holds goes into a list, in file order: runs of consecutive
 * match starts, and ranges that could not be read (the starts whose match would
 * touch them are lost with them). A page of a mapped window that faults while
 * being scanned is split off: the bytes before it are taken again without
 * touching it, and the scan goes on after it. The list has room for MAX_ITEMS;
 * a fuller chunk stops early and the caller finishes it.
 *
 * Worker threads run this; nothing here touches the HmSearch object.
 */
#include "config.h"

#include "hm-search-private.h"

#include "hm-document-private.h"

#include <string.h>

typedef struct
{
  const HmSearchKernel *kernel;
  const guint8         *data;
  gsize                 length;
  gssize                result;
} FindCall;

static void
find_call (gpointer user_data)
{
  FindCall *call = user_data;

  call->result = hm_search_kernel_find_first (call->kernel, call->data, call->length);
}

typedef struct
{
  guint8       *dest;
  const guint8 *src;
  gsize         length;
} CopyCall;

static void
copy_call (gpointer user_data)
{
  CopyCall *call = user_data;

  memcpy (call->dest, call->src, call->length);
}

void
_hm_search_scanner_init (Scanner *sc,
                         Pass    *pass)
{
  memset (sc, 0, sizeof *sc);
  sc->pass = pass;
  sc->carry = g_malloc (2 * pass->plen);
  sc->saved = g_malloc (2 * pass->plen);
}

void
_hm_search_scanner_clear (Scanner *sc)
{
  g_clear_pointer (&sc->bulk, hm_bulk_free);
  g_clear_pointer (&sc->carry, g_free);
  g_clear_pointer (&sc->saved, g_free);
}

static void
item_clear (gpointer data)
{
  Item *item = data;

  g_clear_error (&item->error);
}

GArray *
_hm_search_items_new (void)
{
  GArray *items = g_array_new (FALSE, FALSE, sizeof (Item));

  g_array_set_clear_func (items, item_clear);
  return items;
}

/* @count consecutive starts from @first match. */
static void
add_run (Scanner *sc,
         guint64  first,
         guint64  count)
{
  Item item = { first, count, NULL };

  if (sc->items->len > 0)
    {
      Item *last = &g_array_index (sc->items, Item, sc->items->len - 1);

      if (last->error == NULL && last->offset + last->count == first)
        {
          last->count += count;
          return;
        }
    }
  g_array_append_val (sc->items, item);
  if (sc->items->len >= MAX_ITEMS)
    sc->full = TRUE;
}

/* [offset, offset + length) cannot be read; the starts whose match would touch
 * it are lost with it. Takes @error. */
static void
add_fault (Scanner *sc,
           guint64  offset,
           guint64  length,
           GError  *error)
{
  Item item = { offset, length, error };

  sc->carry_len = 0;
  g_array_append_val (sc->items, item);
  if (sc->pass->stop_at_fault || g_error_matches (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED))
    sc->ended = TRUE;
  if (sc->items->len >= MAX_ITEMS)
    sc->full = TRUE;
}

/* Finds the matches starting in [lo, hi) of @data, which holds the bytes from
 * @base on (hi - 1 + plen of them at least). Runs @data's reads through the
 * bulk reader (under the fault guard if mapped); FALSE with *fault set. */
static gboolean
find_in (Scanner           *sc,
         const HmBulkBlock *block,
         const guint8      *data,
         guint64            base,
         guint64            lo,
         guint64            hi,
         guint64           *fault)
{
  while (lo < hi && !sc->full)
    {
      FindCall call = { sc->pass->kernel, data + (lo - base), (gsize) (hi - lo - 1 + sc->pass->plen), -1 };

      if (block != NULL)
        {
          if (!hm_bulk_run (sc->bulk, block, find_call, &call, fault, NULL))
            return FALSE;
        }
      else
        find_call (&call);
      if (call.result < 0)
        break;
      add_run (sc, lo + (guint64) call.result, 1);
      lo += (guint64) call.result + 1;
    }
  return TRUE;
}

/* Copies @length bytes of a block (zeros for a hole) to @dest. */
static gboolean
take_bytes (Scanner           *sc,
            const HmBulkBlock *block,
            guint64            offset,
            guint8            *dest,
            gsize              length,
            guint64           *fault)
{
  CopyCall call;

  if (length == 0)
    return TRUE;
  if (block->kind == HM_BULK_HOLE)
    {
      memset (dest, 0, length);
      return TRUE;
    }
  call = (CopyCall) { dest, block->data + (offset - block->offset), length };
  return hm_bulk_run (sc->bulk, block, copy_call, &call, fault, NULL);
}

/* Takes bytes [p, q) of a data or hole block into the scan: the starts whose
 * match ends inside them. FALSE with *fault set if a mapped page faulted; the
 * scanner's state is then half changed (see scan_block()). */
static gboolean
try_bytes (Scanner           *sc,
           const HmBulkBlock *block,
           guint64            p,
           guint64            q,
           guint64           *fault)
{
  gsize k = sc->pass->plen - 1;
  gsize h = (gsize) MIN (q - p, (guint64) k);
  guint64 cs = p - sc->carry_len;
  guint64 seam_hi, lo, hi;

  /* The starts before p whose match ends in the first bytes here. */
  if (!take_bytes (sc, block, p, sc->carry + sc->carry_len, h, fault))
    return FALSE;
  seam_hi = p + h >= k ? MIN (p, p + h - k) : cs;
  seam_hi = MIN (seam_hi, sc->c1);
  if (cs < seam_hi && !find_in (sc, NULL, sc->carry, cs, cs, seam_hi, fault))
    return FALSE;

  /* The starts whose match lies inside. */
  lo = p;
  hi = q - p > k ? MIN (q - k, sc->c1) : p;
  if (lo < hi)
    {
      if (block->kind == HM_BULK_HOLE)
        {
          if (sc->pass->zeros)
            add_run (sc, lo, hi - lo);
        }
      else if (!find_in (sc, block->mapped ? block : NULL, block->data, block->offset, lo, hi, fault))
        return FALSE;
    }

  /* Keep the last length - 1 bytes for the next block. */
  if (q - p >= k)
    {
      if (!take_bytes (sc, block, q - k, sc->carry, k, fault))
        return FALSE;
      sc->carry_len = k;
    }
  else
    {
      gsize total = sc->carry_len + h;
      gsize keep = MIN (total, k);

      memmove (sc->carry, sc->carry + total - keep, keep);
      sc->carry_len = keep;
    }
  return TRUE;
}

/* Takes bytes [p, q) of a block. A page of a mapped window that faults is
 * split off: the bytes before it are taken again without touching it, the
 * page becomes a fault item, and the scan goes on after it. */
static void
scan_block (Scanner           *sc,
            const HmBulkBlock *block,
            guint64            p,
            guint64            q)
{
  while (p < q && !sc->full && !sc->ended)
    {
      guint items_len = sc->items->len;
      guint64 last_count = items_len > 0 ? g_array_index (sc->items, Item, items_len - 1).count : 0;
      gsize carry_len = sc->carry_len;
      guint64 fault = 0, lo, hi;

      memcpy (sc->saved, sc->carry, carry_len);
      if (try_bytes (sc, block, p, q, &fault))
        return;

      /* Start again from the state before this block. */
      g_array_set_size (sc->items, items_len);
      if (items_len > 0)
        g_array_index (sc->items, Item, items_len - 1).count = last_count;
      sc->full = FALSE;
      memcpy (sc->carry, sc->saved, carry_len);
      sc->carry_len = carry_len;

      lo = MAX (p, fault - fault % sc->pass->page_size);
      hi = MIN (q, fault - fault % sc->pass->page_size + sc->pass->page_size);
      if (lo > p)
        scan_block (sc, block, p, lo);
      if (sc->full || sc->ended)
        return;
      add_fault (sc, lo, hi - lo,
                 _hm_document_fault_error (sc->pass->doc, fault - fault % sc->pass->page_size, FALSE));
      p = hi;
    }
}

/* Scans the starts [c0, c1), reading bytes [c0, b1), into @items. Stops early
 * when the list is full (sc->full), at a truncation, or when the pass stops.
 * Reading starts at the page holding c0, so that an unreadable page is named
 * by its first byte whichever chunk meets it first. */
void
_hm_search_scan_chunk (Scanner *sc,
                       guint64  c0,
                       guint64  c1,
                       guint64  b1,
                       GArray  *items)
{
  Pass *pass = sc->pass;
  guint64 b0 = c0 - c0 % pass->page_size;
  HmBulkBlock block;
  GError *local = NULL;

  g_array_set_size (items, 0);
  sc->items = items;
  sc->carry_len = 0;
  sc->c1 = c1;
  sc->full = FALSE;
  sc->ended = FALSE;

  if (sc->bulk == NULL)
    sc->bulk = hm_bulk_new (pass->doc, b0, b1 - b0, HM_BULK_SKIP_FAULTS | HM_BULK_OWN_STREAM);
  else
    hm_bulk_set_range (sc->bulk, b0, b1 - b0);

  while (!sc->full && !sc->ended && hm_bulk_next (sc->bulk, &block, &local))
    {
      if (g_atomic_int_get (&pass->stop) || g_cancellable_is_cancelled (pass->cancellable))
        break;
      if (block.kind == HM_BULK_FAULT)
        add_fault (sc, block.offset, block.length, g_error_copy (block.error));
      else if (block.offset + block.length > c0)
        scan_block (sc, &block, MAX (block.offset, c0), block.offset + block.length);
    }
  if (local != NULL)
    {
      /* Not a fault: the windows could not be mapped, or the like. */
      Item item = { b0, b1 - b0, local };

      g_array_append_val (items, item);
      sc->ended = TRUE;
    }
  if (hm_bulk_saw_cold (sc->bulk) && !hm_bulk_has_own_stream (sc->bulk))
    g_atomic_int_set (&pass->cold, TRUE);
}
