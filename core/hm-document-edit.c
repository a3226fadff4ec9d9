/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Editing HmDocument: stores, write and fill, undo and redo, discard.
 *
 * The bytes a user sees always come out of the window cache, so editing is
 * storing into the windows (mapped as the mode says: hm-document-mode.c) and
 * remembering in the journal what was there before.
 *
 * Every store goes through the fault guard (hm_fault_store): a store into a hole
 * on a full filesystem, or into a page the storage cannot deliver, raises SIGBUS,
 * which becomes an error for that edit only. An edit that faults halfway is
 * reverted with its old bytes before it returns, and the journal only hears of
 * edits that landed completely; so the journal always describes exactly what
 * the windows hold.
 *
 * Saving the edits is in hm-document-save.c; this file also provides what it
 * and the mode switch share with the edits: the state notifications, storing a
 * buffer, and the "pieces" that move pending bytes between the private windows
 * and the file.
 */
#include "config.h"

#include "hm-document-private.h"
#include "hm-fault.h"
#include "hm-journal.h"
#include "hm-piece-table.h"
#include "hm-window-cache.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#define CHUNK_SIZE          HM_DOCUMENT_CHUNK_SIZE
/* More changed ranges than this are announced as one "changed" span. */
#define MAX_CHANGED_SIGNALS 64

/* ---- State notifications ---- */

HmEditState
_hm_document_edit_state (HmDocument *self)
{
  HmEditState state = {
    hm_journal_can_undo (self->journal),
    hm_journal_can_redo (self->journal),
    hm_journal_has_pending (self->journal) || _hm_document_is_structural (self),
    _hm_document_is_structural (self),
  };

  return state;
}

/* Notifies the properties that changed since @before (explicit-notify style). */
void
_hm_document_notify_state (HmDocument        *self,
                           const HmEditState *before)
{
  HmEditState now = _hm_document_edit_state (self);

  if (now.can_undo != before->can_undo)
    _hm_document_notify (self, "can-undo");
  if (now.can_redo != before->can_redo)
    _hm_document_notify (self, "can-redo");
  if (now.has_pending != before->has_pending)
    _hm_document_notify (self, "has-pending");
  if (now.structural != before->structural)
    _hm_document_notify (self, "has-structural-pending");
}

/* Announces changed ranges; a flood of them becomes one span, since a view only
 * needs to know what to redraw. */
void
_hm_document_emit_changed_ranges (HmDocument *self,
                                  GArray     *ranges)
{
  const HmRange *first;
  const HmRange *last;

  if (ranges == NULL || ranges->len == 0)
    return;

  if (ranges->len <= MAX_CHANGED_SIGNALS)
    {
      for (guint i = 0; i < ranges->len; i++)
        {
          const HmRange *r = &g_array_index (ranges, HmRange, i);

          _hm_document_emit_changed (self, r->offset, r->length);
        }
      return;
    }

  first = &g_array_index (ranges, HmRange, 0);
  last = &g_array_index (ranges, HmRange, ranges->len - 1);
  _hm_document_emit_changed (self, first->offset, last->offset + last->length - first->offset);
}

/* ---- Checks ---- */

gboolean
_hm_document_check_editable (HmDocument *self,
                             GError    **error)
{
  if (self->busy)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("“%s” is being saved; try again when the save is done"),
                   self->display_name);
      return FALSE;
    }
  if (self->mode == HM_DOCUMENT_MODE_READ_ONLY)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_READ_ONLY,
                   _("“%s” is open read-only; switch to preview or direct mode to edit it"),
                   self->display_name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_range_in (HmDocument *self,
                guint64     size,
                guint64     offset,
                guint64     length,
                GError    **error)
{
  if (offset > size || length > size - offset)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_OUT_OF_RANGE,
                   _("Cannot edit 0x%" PRIx64 " bytes at offset 0x%" PRIx64
                     ": “%s” ends at 0x%" PRIx64 " (edits never change the size)"),
                   length, offset, self->display_name, size);
      return FALSE;
    }
  return TRUE;
}

/* In the content, for the public edits */
static gboolean
check_range (HmDocument *self,
             guint64     offset,
             guint64     length,
             GError    **error)
{
  return check_range_in (self, hm_document_get_size (self), offset, length, error);
}

/* A read came up short: the file shrank behind our back. Returns FALSE. */
static gboolean
set_shrank_error (HmDocument *self,
                  GError    **error)
{
  g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
               _("“%s” was truncated by another program; reload it"), self->display_name);
  return FALSE;
}

/* ---- Stores ---- */

typedef enum
{
  SOURCE_DATA,      /* data[i] */
  SOURCE_PATTERN,   /* pattern[i % pattern_length], i counted from origin */
  SOURCE_STEP_NEW,  /* the new bytes of a journal step (a fill is generated) */
} SourceKind;

/* Where the bytes of a store come from; byte i is for file offset origin + i. */
typedef struct
{
  SourceKind           kind;
  guint64              origin;
  const guint8        *data;
  const guint8        *pattern;
  gsize                pattern_length;
  const HmJournalStep *step;
} ByteSource;

static void
source_copy (const ByteSource *source,
             guint64           offset,
             guint8           *buffer,
             gsize             length)
{
  guint64 rel = offset - source->origin;

  switch (source->kind)
    {
    case SOURCE_DATA:
      memcpy (buffer, source->data + rel, length);
      break;
    case SOURCE_PATTERN:
      {
        gsize p = (gsize) (rel % source->pattern_length);

        for (gsize i = 0; i < length; i++)
          {
            buffer[i] = source->pattern[p];
            if (++p == source->pattern_length)
              p = 0;
          }
      }
      break;
    case SOURCE_STEP_NEW:
      hm_journal_step_copy_new (source->step, rel, buffer, length);
      break;
    default:
      g_assert_not_reached ();
    }
}

/*
 * Preview on tmpfs: a copy-on-write fault on a hole makes tmpfs allocate a page
 * in the *file* first (it counts against the filesystem, and on a full tmpfs the
 * fault is a SIGBUS: preview edits would fail where nothing is being written).
 * A hole reads as zeros, so a page that lies entirely in a hole is replaced by an
 * anonymous zero page before the store; the file is then truly untouched. Only
 * pages the hole map still shows as holes qualify: a page we stored into before
 * was marked as data then. If the mapping cannot be replaced (mapping limit) the
 * ordinary copy-on-write store follows, which is merely less thrifty.
 * Disk filesystems do not allocate on such a fault, so they are left alone.
 */
#define HM_MAX_HOLE_REPLACEMENTS 4096

static void
replace_hole_pages (HmDocument *self,
                    HmWindow   *window,
                    guint64     offset,
                    gsize       length)
{
  guint64 page = _hm_document_page_size ();
  guint64 window_end = window->offset + window->length;
  guint64 pos = offset / page * page;
  guint64 end = MIN (window_end, offset + length);

  while (pos < end)
    {
      guint64 run_end;
      guint64 first;
      guint64 last;

      if (!_hm_document_file_is_hole (self, pos, &run_end))
        {
          pos = MIN (run_end, end);
          pos = (pos + page - 1) / page * page;
          continue;
        }

      /* Whole pages inside the hole (the file's last page may be partial). */
      first = (pos + page - 1) / page * page;
      last = run_end >= window_end ? (window_end + page - 1) / page * page
                                   : run_end / page * page;
      last = MIN (last, (end + page - 1) / page * page);
      /* Each replacement may split the window's mapping in up to three, and
       * vm.max_map_count (65530) is per process: past a budget, fall back to the
       * ordinary store rather than starve every later mmap (GLib's included). */
      if (last > first && self->n_hole_replacements < HM_MAX_HOLE_REPLACEMENTS)
        {
          void *addr = window->data + (first - window->offset);

          if (mmap (addr, (gsize) (last - first), PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED)
            self->n_hole_replacements++;
        }
      pos = MAX (run_end, pos + 1);
      pos = (pos + page - 1) / page * page;
    }
}

/* Allocates [start, end) rounded out to whole pages (a store dirties a whole
 * page, which may need neighbouring blocks when blocks are smaller than pages),
 * clamped to the size. KEEP_SIZE: a truncation racing with us must not be undone
 * by growing the file back. Sets errno and returns FALSE on failure. */
gboolean
_hm_document_preallocate_pages (HmDocument *self,
                                guint64     start,
                                guint64     end)
{
  guint64 page = _hm_document_page_size ();
  guint64 size = _hm_document_file_size (self);

  start = start / page * page;
  end = MIN ((end + page - 1) / page * page, size);
  if (end <= start)
    return TRUE;
  return fallocate (self->wfd, FALLOC_FL_KEEP_SIZE, (off_t) start, (off_t) (end - start)) == 0;
}

/*
 * Direct mode: allocate the holes the store will fall into, so a full disk is a
 * clean ENOSPC before anything is stored rather than a SIGBUS halfway through.
 * Filesystems without fallocate (FUSE, some network ones) are left to the guard.
 */
static gboolean
preallocate_direct (HmDocument *self,
                    guint64     offset,
                    guint64     length,
                    GError    **error)
{
  g_autoptr(GArray) extents = NULL;

  if (self->mode != HM_DOCUMENT_MODE_DIRECT || self->kind != HM_FILE_KIND_REGULAR)
    return TRUE;

  extents = _hm_document_file_extents (self, offset, length);
  for (guint i = 0; i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);

      if (!e->is_hole)
        continue;
      if (!_hm_document_preallocate_pages (self, e->offset, e->offset + e->length))
        {
          int saved_errno = errno;

          if (saved_errno == EOPNOTSUPP || saved_errno == ENOSYS || saved_errno == EINVAL)
            return TRUE;
          _hm_document_set_errno_error (error, saved_errno,
                           _("Cannot allocate space in “%s” for the edit at offset 0x%"
                             PRIx64 "; nothing was changed"), self->display_name, e->offset);
          return FALSE;
        }
    }
  return TRUE;
}

/*
 * Stores @length bytes from @source at @offset through the windows, pinning each
 * window it touches. On a fault, *touched_end says how far bytes may have landed
 * (memcpy may store a chunk's tail first, so the whole faulting chunk counts).
 * Any thread; no signals.
 */
static gboolean
store_range (HmDocument       *self,
             guint64           offset,
             guint64           length,
             const ByteSource *source,
             guint64          *touched_end,
             GError          **error)
{
  g_autofree guint8 *bounce = NULL;
  guint64 done = 0;

  *touched_end = offset;

  if (source->kind != SOURCE_DATA &&
      !(source->kind == SOURCE_PATTERN && source->pattern_length == 1))
    {
      bounce = g_try_malloc (MIN (length, (guint64) CHUNK_SIZE));
      if (bounce == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                       _("Not enough memory for this change to “%s”; nothing was changed"),
                       self->display_name);
          return FALSE;
        }
    }

  while (done < length)
    {
      guint64 pos = offset + done;
      HmWindow *window;
      guint64 window_end;
      guint64 n;

      window = _hm_document_guard_window (self, pos, HM_ACCESS_RANDOM, HM_GUARD_WRITING, NULL, error);
      if (window == NULL)
        return FALSE;
      window_end = window->offset + window->length;

      /* Pin before storing: a window holding even part of an edit must stay. */
      hm_window_cache_pin (self->cache, window);

      n = MIN (window_end - pos, length - done);
      if (self->mode == HM_DOCUMENT_MODE_PREVIEW && self->fs_kind == HM_FS_KIND_MEMORY)
        replace_hole_pages (self, window, pos, (gsize) n);

      for (guint64 k = 0; k < n;)
        {
          guint8 *dest = window->data + (pos + k - window->offset);
          const void *fault_addr = NULL;
          gsize c;
          gboolean ok;

          if (source->kind == SOURCE_DATA)
            {
              c = (gsize) (n - k);
              ok = hm_fault_store (dest, source->data + (pos + k - source->origin), c, &fault_addr);
            }
          else if (bounce == NULL)
            {
              c = (gsize) (n - k);
              ok = hm_fault_fill (dest, source->pattern[0], c, &fault_addr);
            }
          else
            {
              c = (gsize) MIN (n - k, (guint64) CHUNK_SIZE);
              source_copy (source, pos + k, bounce, c);
              ok = hm_fault_store (dest, bounce, c, &fault_addr);
            }

          if (!ok)
            {
              guint64 fault_offset = _hm_document_window_fault_offset (window, fault_addr);

              *touched_end = pos + k + c;
              _hm_document_release_window (self, window);
              g_propagate_error (error, _hm_document_fault_error (self, fault_offset, TRUE));
              return FALSE;
            }
          k += c;
        }

      _hm_document_release_window (self, window);
      done += n;
      *touched_end = offset + done;
    }

  return TRUE;
}

/* Puts @old back over [offset, end) after a failed store, a page at a time: a page
 * whose store faulted received nothing, so skipping it loses nothing. */
static gboolean
revert_range (HmDocument       *self,
              guint64           offset,
              guint64           end,
              const ByteSource *old)
{
  guint64 page = _hm_document_page_size ();
  gboolean all = TRUE;

  for (guint64 pos = offset; pos < end;)
    {
      guint64 next = MIN (end, (pos / page + 1) * page);
      guint64 touched;
      g_autoptr(GError) local = NULL;

      if (!store_range (self, pos, next - pos, old, &touched, &local))
        {
          g_debug ("Could not restore 0x%" G_GINT64_MODIFIER "x: %s", pos, local->message);
          all = FALSE;
        }
      pos = next;
    }
  return all;
}

/* Reads show zeros for holes without looking at the windows: tell them where
 * edits now hold bytes. Whole pages are marked (a page we stored into is ours, so
 * reading the rest of it through the window costs nothing and allocates nothing),
 * which keeps the hole map small: a million one-byte edits in a sparse file add
 * at most one extent per page, and later edits in the page find no hole and skip
 * the rebuild. */
static void
mark_stored (HmDocument *self,
             guint64     offset,
             guint64     length)
{
  guint64 page = _hm_document_page_size ();
  guint64 start = offset / page * page;
  guint64 end = MIN ((offset + length + page - 1) / page * page, _hm_document_file_size (self));
  g_autoptr(GArray) extents = _hm_document_file_extents (self, start, end - start);

  for (guint i = 0; i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);

      if (e->is_hole)
        _hm_document_mark_data (self, e->offset, e->length);
    }
}

/*
 * Stores @new_bytes over [offset, offset + length); if that fails partway, puts
 * @old_bytes back, so the document and the journal stay in step. Any thread.
 */
static gboolean
store_with_revert (HmDocument       *self,
                   guint64           offset,
                   guint64           length,
                   const ByteSource *new_bytes,
                   const ByteSource *old_bytes,
                   GError          **error)
{
  guint64 touched = offset;
  gboolean ok;

  if (length == 0)
    return TRUE;

  if (!preallocate_direct (self, offset, length, error))
    return FALSE;

  ok = store_range (self, offset, length, new_bytes, &touched, error);
  if (!ok && touched > offset && !revert_range (self, offset, touched, old_bytes))
    g_prefix_error (error, _("Some bytes between 0x%" PRIx64 " and 0x%"
                      PRIx64 " could not be restored either. "), offset, touched);

  /* Only a complete store makes the range data: after a failed one the hole's
   * zeros are back, and reading a faulting page again would only fault again. */
  if (ok)
    mark_stored (self, offset, length);
  return ok;
}

/* A direct-mode store wrote the file (or tried to): neither the conflict check
 * nor the disk monitor may take that for another program's change. */
static void
after_direct_store (HmDocument *self)
{
  if (self->mode == HM_DOCUMENT_MODE_DIRECT)
    {
      _hm_document_adopt_current_stat (self);
      _hm_document_disk_record (self);
    }
}

/* Stores @data over [offset, offset + length) through the windows, pinning them,
 * with no revert and no journal: a direct save makes pending pages dirty again.
 * Any thread; no signals. */
gboolean
_hm_document_store_data (HmDocument   *self,
                         guint64       offset,
                         const guint8 *data,
                         gsize         length,
                         GError      **error)
{
  ByteSource source = { SOURCE_DATA, offset, data, NULL, 0, NULL };
  guint64 touched;

  return store_range (self, offset, length, &source, &touched, error);
}

/* ---- Edits ---- */

/*
 * Whether @bytes more of memory can be had now: the pending map copies the
 * baseline bytes of an edit in blocks of at most 64 KiB and the journal its
 * steps (g_malloc(), which aborts when memory runs out), and preview windows
 * are mapped as the edit goes; so an edit of a size the user chose asks first,
 * for all of it at once, and fails with an error instead. A probe, not a
 * reservation; under an address-space limit (RLIMIT_AS) it is exact enough.
 */
static gboolean
check_memory (HmDocument *self,
              guint64     bytes,
              GError    **error)
{
  gpointer probe;

  if (bytes < 1024 * 1024)
    return TRUE;
  probe = bytes <= (guint64) G_MAXSSIZE / 4 ? g_try_malloc ((gsize) bytes) : NULL;
  if (probe == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough memory for this change to “%s”; nothing was changed"),
                   self->display_name);
      return FALSE;
    }
  g_free (probe);
  return TRUE;
}

/**
 * hm_document_write:
 * @self: a #HmDocument
 * @offset: where the bytes go
 * @data: (array length=length): the new bytes
 * @length: how many; the range must lie inside the file (edits never change its size)
 * @flags: %HM_EDIT_COALESCE for typing, so a run of typed nibbles is one undo step
 * @error: a #GError
 *
 * Overwrites bytes, across as many windows as needed, as one undo step.
 *
 * In preview mode the file is untouched until hm_document_save(). In direct mode
 * the bytes land in the file's page cache at once: **other programs reading the
 * file see them immediately**, and the kernel may write them to disk at any time;
 * hm_document_save() only makes them durable.
 *
 * A store that faults (no space left for a hole, an I/O error) fails with a
 * %HM_FAULT_ERROR; the bytes it already stored are put back, so the edit is
 * either complete or absent and the other edits are untouched.
 *
 * Returns: %TRUE if the edit was made
 */
gboolean
hm_document_write (HmDocument  *self,
                   guint64      offset,
                   const void  *data,
                   gsize        length,
                   HmEditFlags  flags,
                   GError     **error)
{
  g_autofree guint8 *old = NULL;
  ByteSource new_bytes = { SOURCE_DATA, 0, data, NULL, 0, NULL };
  ByteSource old_bytes = { SOURCE_DATA, 0, NULL, NULL, 0, NULL };
  guint64 doc_offset = offset;
  HmEditState before;
  gssize n;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (!_hm_document_check_editable (self, error) || !check_range (self, offset, length, error))
    return FALSE;
  if (length == 0)
    return TRUE;
  /* With inserts and deletes pending: inside one range of the file, the bytes
   * go to the file's offsets as ever; over inserted bytes, the pieces change. */
  if (!_hm_document_map_to_file (self, doc_offset, length, &offset))
    {
      if (!_hm_document_structural_overwrite (self, doc_offset, length, data, NULL, 0, flags, error))
        return FALSE;
      _hm_document_draft_record (self, HM_DRAFT_WRITE, doc_offset, length, data, length, flags);
      return TRUE;
    }
  new_bytes.origin = old_bytes.origin = offset;

  old = g_try_malloc (length);
  if (old == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough memory to keep the %zu old bytes for undo"), length);
      return FALSE;
    }
  /* Still to come: the windows the bytes go into (N), the step's old and new
   * bytes (2 N) and the pending map's old bytes (N). */
  if (!check_memory (self, 4 * (guint64) length, error))
    return FALSE;
  n = _hm_document_read_file (self, offset, old, length, error);
  if (n < 0)
    return FALSE;
  if ((gsize) n != length)
    return set_shrank_error (self, error);
  old_bytes.data = old;

  if (!store_with_revert (self, offset, length, &new_bytes, &old_bytes, error))
    {
      after_direct_store (self);
      return FALSE;
    }
  after_direct_store (self);

  before = _hm_document_edit_state (self);
  hm_journal_record (self->journal, offset, old, data, length, flags);
  _hm_document_step_recorded (self);
  _hm_document_draft_record (self, HM_DRAFT_WRITE, doc_offset, length, data, length, flags);
  _hm_document_emit_changed (self, doc_offset, length);
  _hm_document_notify_state (self, &before);
  return TRUE;
}

/**
 * hm_document_fill:
 * @self: a #HmDocument
 * @offset: first byte to fill
 * @length: bytes to fill, inside the file
 * @pattern: (array length=pattern_length): the bytes to repeat, starting at @offset
 * @pattern_length: at least 1
 * @error: a #GError
 *
 * Fills a range with a repeated pattern, as one undo step. The journal keeps the
 * old bytes (undo needs them) but only the pattern for the new ones. Direct mode
 * changes the file at once, as with hm_document_write(). In preview mode a fill
 * of 64 MiB or more is kept as the pattern alone (a piece of the content, as an
 * insert's bytes are), so it costs no memory for its length; Save writes it.
 * Short of memory for the old bytes, it fails with %G_IO_ERROR_NO_SPACE.
 *
 * Returns: %TRUE if the range was filled
 */
gboolean
hm_document_fill (HmDocument   *self,
                  guint64       offset,
                  guint64       length,
                  const guint8 *pattern,
                  gsize         pattern_length,
                  GError      **error)
{
  g_autofree guint8 *old = NULL;
  ByteSource new_bytes = { SOURCE_PATTERN, 0, NULL, pattern, pattern_length, NULL };
  ByteSource old_bytes = { SOURCE_DATA, 0, NULL, NULL, 0, NULL };
  guint64 doc_offset = offset;
  HmEditState before;
  gssize n;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (pattern != NULL && pattern_length > 0, FALSE);

  if (!_hm_document_check_editable (self, error) || !check_range (self, offset, length, error))
    return FALSE;
  if (length == 0)
    return TRUE;
  /* Over inserted bytes or several pieces: a pattern piece, O(pattern) memory.
   * A large fill in preview is one too: stored into the windows it would cost
   * its length three times over (the old bytes for undo, the pending map's copy,
   * the copy-on-write pages); as a piece it costs the pattern, and Save writes
   * it as it writes inserted bytes. (Direct mode must store it at once.) */
  if (!_hm_document_map_to_file (self, doc_offset, length, &offset) ||
      (length >= HM_FILL_PATTERN_MIN && self->mode == HM_DOCUMENT_MODE_PREVIEW &&
       self->kind == HM_FILE_KIND_REGULAR))
    {
      if (!_hm_document_structural_overwrite (self, doc_offset, length, NULL,
                                              pattern, pattern_length, HM_EDIT_NONE, error))
        return FALSE;
      _hm_document_draft_record (self, HM_DRAFT_FILL, doc_offset, length, pattern, pattern_length,
                                 HM_EDIT_NONE);
      return TRUE;
    }
  new_bytes.origin = old_bytes.origin = offset;

  /* Memory: the old bytes once for the undo step (this block, which the
   * journal keeps) and once for the pending map; the new bytes only as the
   * pattern. Both are asked for before anything is stored, and a shortage is an
   * error, never an abort. */
  old = length <= (guint64) G_MAXSSIZE / 2
          ? g_try_malloc (hm_journal_fill_block_size ((gsize) length, pattern_length))
          : NULL;
  if (old == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough memory to keep the %" PRIu64 " old bytes for undo"), length);
      return FALSE;
    }
  /* Still to come: the windows the pattern goes into and the pending map's copy. */
  if (!check_memory (self, 2 * length, error))
    return FALSE;
  n = _hm_document_read_file (self, offset, old, (gsize) length, error);
  if (n < 0)
    return FALSE;
  if ((guint64) n != length)
    return set_shrank_error (self, error);
  old_bytes.data = old;

  if (!store_with_revert (self, offset, length, &new_bytes, &old_bytes, error))
    {
      after_direct_store (self);
      return FALSE;
    }
  after_direct_store (self);

  before = _hm_document_edit_state (self);
  hm_journal_record_fill_take (self->journal, offset, g_steal_pointer (&old), (gsize) length,
                               pattern, pattern_length);
  _hm_document_step_recorded (self);
  _hm_document_draft_record (self, HM_DRAFT_FILL, doc_offset, length, pattern, pattern_length,
                             HM_EDIT_NONE);
  _hm_document_emit_changed (self, doc_offset, length);
  _hm_document_notify_state (self, &before);
  return TRUE;
}

static gboolean
undo_redo_one (HmDocument *self,
               gboolean    undo,
               GError    **error)
{
  const HmJournalStep *step;
  ByteSource old_bytes = { SOURCE_DATA, 0, NULL, NULL, 0, NULL };
  ByteSource new_bytes = { SOURCE_STEP_NEW, 0, NULL, NULL, 0, NULL };
  guint64 offset;
  guint64 length;
  HmEditState before;
  gboolean ok;

  if (!_hm_document_check_editable (self, error))
    return FALSE;

  step = undo ? hm_journal_peek_undo (self->journal) : hm_journal_peek_redo (self->journal);
  if (step == NULL)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   undo ? _("Nothing to undo") : _("Nothing to redo"));
      return FALSE;
    }

  if (hm_journal_step_get_structural (step) != NULL)
    {
      before = _hm_document_edit_state (self);
      if (!_hm_document_structural_undo_redo (self, hm_journal_step_get_structural (step), undo))
        {
          g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                       _("“%s”: the edit cannot be undone"), self->display_name);
          return FALSE;
        }
      if (undo)
        hm_journal_commit_undo (self->journal);
      else
        hm_journal_commit_redo (self->journal);
      _hm_document_notify_state (self, &before);
      return TRUE;
    }

  offset = hm_journal_step_get_offset (step);
  length = hm_journal_step_get_length (step);
  if (!check_range_in (self, _hm_document_file_size (self), offset, length, error))
    return FALSE;

  old_bytes.origin = offset;
  old_bytes.data = hm_journal_step_get_old_data (step);
  new_bytes.origin = offset;
  new_bytes.step = step;

  /* Undo stores the old bytes and would revert with the new ones; redo the reverse. */
  if (undo)
    ok = store_with_revert (self, offset, length, &old_bytes, &new_bytes, error);
  else
    ok = store_with_revert (self, offset, length, &new_bytes, &old_bytes, error);
  after_direct_store (self);
  if (!ok)
    return FALSE;

  before = _hm_document_edit_state (self);
  if (undo)
    hm_journal_commit_undo (self->journal);
  else
    hm_journal_commit_redo (self->journal);
  /* File offsets: with inserts and deletes pending, they may lie anywhere now */
  if (_hm_document_is_structural (self))
    _hm_document_emit_changed (self, 0, hm_document_get_size (self));
  else
    _hm_document_emit_changed (self, offset, length);
  _hm_document_notify_state (self, &before);
  return TRUE;
}

/* One user action: a step and the grouped steps recorded with it. */
static gboolean
undo_redo (HmDocument *self,
           gboolean    undo,
           GError    **error)
{
  gboolean grouped;

  hm_journal_break_coalescing (self->journal);
  if (undo)
    {
      do
        {
          const HmJournalStep *step = hm_journal_peek_undo (self->journal);

          grouped = step != NULL && hm_journal_step_is_grouped (step);
          if (!undo_redo_one (self, TRUE, error))
            return FALSE;
        }
      while (grouped && hm_journal_can_undo (self->journal));
      return TRUE;
    }

  if (!undo_redo_one (self, FALSE, error))
    return FALSE;
  for (;;)
    {
      const HmJournalStep *step = hm_journal_peek_redo (self->journal);

      if (step == NULL || !hm_journal_step_is_grouped (step))
        return TRUE;
      if (!undo_redo_one (self, FALSE, error))
        return FALSE;
    }
}

/**
 * hm_document_undo:
 * @self: a #HmDocument
 * @error: a #GError
 *
 * Reverts the latest step. Undo reaches back past commits: undoing a committed
 * step makes the bytes differ from the file again, so they become pending. If the
 * store faults, nothing changes and the step stays undoable.
 *
 * Returns: %TRUE if a step was undone
 */
gboolean
hm_document_undo (HmDocument *self,
                  GError    **error)
{
  guint64 before;
  gboolean ok;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);

  before = hm_journal_get_position (self->journal);
  ok = undo_redo (self, TRUE, error);
  _hm_document_draft_undo_redo (self, TRUE, ok, before, hm_journal_get_position (self->journal));
  return ok;
}

/**
 * hm_document_redo:
 * @self: a #HmDocument
 * @error: a #GError
 *
 * Applies the latest undone step again.
 *
 * Returns: %TRUE if a step was redone
 */
gboolean
hm_document_redo (HmDocument *self,
                  GError    **error)
{
  guint64 before;
  gboolean ok;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);

  before = hm_journal_get_position (self->journal);
  ok = undo_redo (self, FALSE, error);
  _hm_document_draft_undo_redo (self, FALSE, ok, before, hm_journal_get_position (self->journal));
  return ok;
}

gboolean
hm_document_get_can_undo (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  return hm_journal_can_undo (self->journal);
}

gboolean
hm_document_get_can_redo (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  return hm_journal_can_redo (self->journal);
}

/**
 * hm_document_get_has_pending:
 * @self: a #HmDocument
 *
 * Returns: %TRUE if some bytes differ from the file as last saved (in preview
 *   mode: the file does not have them yet; in direct mode: they are not durable)
 */
gboolean
hm_document_get_has_pending (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  return hm_journal_has_pending (self->journal) || _hm_document_is_structural (self);
}

/**
 * hm_document_get_pending_ranges:
 * @self: a #HmDocument
 *
 * The bytes that differ from the file as last saved, byte-exact: a byte typed
 * back to its old value is not pending. For highlighting and a changes list.
 * In content offsets: with inserts pending, every inserted byte is pending (see
 * hm_document_describe_structural_edits() for what was inserted and deleted).
 *
 * Returns: (transfer full) (element-type HmRange): sorted, merged ranges
 */
GArray *
hm_document_get_pending_ranges (HmDocument *self)
{
  GArray *ranges;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), NULL);

  ranges = hm_journal_get_pending_ranges (self->journal);
  if (_hm_document_is_structural (self))
    {
      GArray *content = _hm_document_content_pending_ranges (self, ranges);

      g_array_unref (ranges);
      return content;
    }
  return ranges;
}

/**
 * hm_document_get_committed_ranges:
 * @self: a #HmDocument
 *
 * Returns: (transfer full) (element-type HmRange): the ranges saved to the file
 *   since the document was opened, sorted and merged
 */
GArray *
hm_document_get_committed_ranges (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), NULL);
  return hm_journal_get_committed_ranges (self->journal);
}

/**
 * hm_document_read_baseline:
 * @self: a #HmDocument
 * @offset: first byte to read
 * @buffer: (out caller-allocates) (array length=length): where to put the bytes
 * @length: bytes to read
 * @error: return location for an error
 *
 * Like hm_document_read(), but pending bytes read as the file had them when last
 * saved: the "old" side of a changes list.
 *
 * Returns: bytes read (short at the end of the file), or -1 with @error set
 */
gssize
hm_document_read_baseline (HmDocument  *self,
                           guint64      offset,
                           void        *buffer,
                           gsize        length,
                           GError     **error)
{
  gssize n;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), -1);

  n = hm_document_read (self, offset, buffer, length, error);
  if (n > 0 && !_hm_document_is_structural (self))
    hm_journal_copy_baseline (self->journal, offset, buffer, (gsize) n);
  else if (n > 0)
    {
      /* Bytes of the file get their saved values; inserted bytes have none */
      g_autoptr(GArray) spans = _hm_document_get_spans (self, offset, (guint64) n);

      for (guint i = 0; i < spans->len; i++)
        {
          const HmPieceSpan *s = &g_array_index (spans, HmPieceSpan, i);

          if (s->piece.kind == HM_PIECE_FILE)
            hm_journal_copy_baseline (self->journal, s->piece.start,
                                      (guint8 *) buffer + (s->offset - offset), (gsize) s->piece.length);
        }
    }
  return n;
}

/* ---- Moving pending bytes around (mode switch, direct discard) ---- */

typedef struct
{
  guint64  offset;
  gsize    length;
  guint8  *current;   /* the bytes the document shows */
  guint8  *baseline;  /* the bytes the file had when last saved */
} Piece;

static void
piece_clear (gpointer data)
{
  Piece *piece = data;

  g_free (piece->current);
  g_free (piece->baseline);
}

/* Reads the pending bytes, with their baseline values, in pieces of CHUNK_SIZE. */
GArray *
_hm_document_read_pending_pieces (HmDocument *self,
                                  GError    **error)
{
  g_autoptr(GArray) ranges = hm_journal_get_pending_ranges (self->journal);
  g_autoptr(GArray) pieces = g_array_new (FALSE, TRUE, sizeof (Piece));
  guint64 total = 0;

  g_array_set_clear_func (pieces, piece_clear);
  /* Each pending byte is held twice (current and baseline): ask first. */
  for (guint i = 0; i < ranges->len; i++)
    total += g_array_index (ranges, HmRange, i).length;
  if (!check_memory (self, 2 * total, error))
    return NULL;
  for (guint i = 0; i < ranges->len; i++)
    {
      const HmRange *r = &g_array_index (ranges, HmRange, i);

      for (guint64 done = 0; done < r->length;)
        {
          Piece piece;

          piece.offset = r->offset + done;
          piece.length = (gsize) MIN (r->length - done, (guint64) CHUNK_SIZE);
          piece.current = g_malloc (piece.length);
          piece.baseline = NULL;
          g_array_append_val (pieces, piece);
          if (_hm_document_read_file (self, piece.offset, piece.current, piece.length, error)
              != (gssize) piece.length)
            {
              if (error != NULL && *error == NULL)
                g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                             _("“%s” shrank while edits are pending"), self->display_name);
              return NULL;
            }
          piece.baseline = g_memdup2 (piece.current, piece.length);
          hm_journal_copy_baseline (self->journal, piece.offset, piece.baseline, piece.length);
          g_array_index (pieces, Piece, pieces->len - 1).baseline = piece.baseline;
          done += piece.length;
        }
    }
  return g_steal_pointer (&pieces);
}

/* Stores one side of every piece (current or baseline), reverting all on failure. */
gboolean
_hm_document_store_pieces (HmDocument *self,
                           GArray     *pieces,
                           gboolean    store_current,
                           GError    **error)
{
  for (guint i = 0; i < pieces->len; i++)
    {
      const Piece *p = &g_array_index (pieces, Piece, i);
      ByteSource want = { SOURCE_DATA, p->offset, store_current ? p->current : p->baseline, NULL, 0, NULL };
      ByteSource other = { SOURCE_DATA, p->offset, store_current ? p->baseline : p->current, NULL, 0, NULL };

      if (!store_with_revert (self, p->offset, p->length, &want, &other, error))
        {
          for (guint j = 0; j < i; j++)
            {
              const Piece *q = &g_array_index (pieces, Piece, j);
              ByteSource back = { SOURCE_DATA, q->offset, store_current ? q->baseline : q->current,
                                  NULL, 0, NULL };

              revert_range (self, q->offset, q->offset + q->length, &back);
            }
          return FALSE;
        }
    }
  return TRUE;
}

/* Stores the current side of every piece again, without reverting: puts the
 * preview edits back after a failed move into the file. Goes on past a failure;
 * returns FALSE with the first error. */
gboolean
_hm_document_restore_pieces (HmDocument *self,
                             GArray     *pieces,
                             GError    **error)
{
  g_autoptr(GError) first = NULL;

  for (guint i = 0; i < pieces->len; i++)
    {
      const Piece *p = &g_array_index (pieces, Piece, i);
      ByteSource want = { SOURCE_DATA, p->offset, p->current, NULL, 0, NULL };
      guint64 touched;

      if (!store_range (self, p->offset, p->length, &want, &touched, first ? NULL : &first))
        continue;
      mark_stored (self, p->offset, p->length);
    }
  if (first != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first));
      return FALSE;
    }
  return TRUE;
}

/* ---- Discard ---- */

/**
 * hm_document_discard:
 * @self: a #HmDocument
 * @error: a #GError
 *
 * Drops every pending edit: the document shows the file as last saved again, and
 * the discarded steps cannot be redone.
 *
 * In preview mode the private pages are simply thrown away. In direct mode the
 * file already holds the new bytes, so the saved bytes are stored back (other
 * programs see the file return to its saved state at once); like any store they
 * reach the disk when the kernel writes them or at the next save. If storing them
 * back fails, nothing is discarded.
 *
 * Returns: %TRUE on success
 */
gboolean
hm_document_discard (HmDocument *self,
                     GError    **error)
{
  g_autoptr(GArray) ranges = NULL;
  HmEditState before;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);

  if (self->busy)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("“%s” is being saved; nothing was discarded"), self->display_name);
      return FALSE;
    }

  before = _hm_document_edit_state (self);
  ranges = hm_journal_get_pending_ranges (self->journal);

  switch (self->mode)
    {
    case HM_DOCUMENT_MODE_READ_ONLY:
      /* Nothing can be pending here; keep the redo history. */
      return TRUE;

    case HM_DOCUMENT_MODE_PREVIEW:
      hm_window_cache_drop (self->cache, TRUE);
      _hm_document_invalidate_extents (self);
      break;

    case HM_DOCUMENT_MODE_DIRECT:
      {
        g_autoptr(GArray) pieces = _hm_document_read_pending_pieces (self, error);
        gboolean ok;

        if (pieces == NULL)
          return FALSE;
        ok = _hm_document_store_pieces (self, pieces, FALSE, error);
        after_direct_store (self);
        if (!ok)
          {
            g_prefix_error (error, _("Nothing was discarded. "));
            return FALSE;
          }
      }
      break;

    default:
      g_assert_not_reached ();
    }

  hm_journal_discard (self->journal);
  if (_hm_document_is_structural (self))
    _hm_document_structure_reset (self);
  else
    _hm_document_emit_changed_ranges (self, ranges);
  _hm_document_draft_rebase (self);
  _hm_document_notify_state (self, &before);
  return TRUE;
}

/* ---- Life cycle ---- */

void
_hm_document_edit_init (HmDocument *self)
{
  self->journal = hm_journal_new ();
}

/* Unsaved direct-mode edits stay in the page cache and reach the disk when the
 * kernel writes them; unsaved preview edits are gone with the private windows. */
void
_hm_document_edit_finalize (HmDocument *self)
{
  g_clear_pointer (&self->journal, hm_journal_free);
}
