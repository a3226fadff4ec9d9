/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Saving HmDocument with inserts and deletes pending.
 *
 * The content is handed to the structural save engine (hm-structural-save.c) as
 * a list of segments: ranges of the file it can leave or move (FILE, at their
 * baseline offsets) and bytes it must write (DATA), which it asks for through a
 * callback before the first byte of the file changes. DATA covers the inserted
 * bytes and, in preview mode, the file's bytes overwritten in copy-on-write pages
 * (pread cannot see them); direct-mode overwrites are in the page cache already,
 * so they stay FILE. After the engine: the time stamp policy, fsync, and the
 * same identity check as every in-place save. Then the document re-bases: the
 * file is the new baseline, the windows are remapped, the pieces and the undo
 * history (in old offsets) go.
 *
 * Save As needs none of this: it writes the content as read, skipping holes.
 */
#include "config.h"

#include "hm-document-private.h"
#include "hm-journal.h"
#include "hm-piece-table.h"
#include "hm-structural-save.h"
#include "hm-window-cache.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#define CHUNK_SIZE HM_DOCUMENT_CHUNK_SIZE

static void
add_segment (GArray        *segments,
             HmSegmentKind  kind,
             guint64        length,
             guint64        source)
{
  HmSegment segment = { kind, length, source };

  if (length == 0)
    return;
  if (segments->len > 0)
    {
      HmSegment *last = &g_array_index (segments, HmSegment, segments->len - 1);

      if (last->kind == kind &&
          (kind == HM_SEGMENT_DATA || last->source + last->length == source))
        {
          last->length += length;
          return;
        }
    }
  g_array_append_val (segments, segment);
}

/* The content as segments; @overwritten (file offsets, sorted) are file bytes
 * only the private windows hold. */
static GArray *
build_segments (HmDocument *self,
                GArray     *overwritten)
{
  g_autoptr(GArray) spans = _hm_document_get_spans (self, 0, G_MAXUINT64);
  GArray *segments = g_array_new (FALSE, FALSE, sizeof (HmSegment));
  guint k = 0;

  for (guint i = 0; i < spans->len; i++)
    {
      const HmPieceSpan *s = &g_array_index (spans, HmPieceSpan, i);
      guint64 pos = s->piece.start;
      guint64 end = pos + s->piece.length;

      if (s->piece.kind != HM_PIECE_FILE)
        {
          add_segment (segments, HM_SEGMENT_DATA, s->piece.length, 0);
          continue;
        }
      /* FILE pieces come in file order (nothing moves file bytes around), so
       * the overwritten ranges are walked once */
      while (pos < end)
        {
          const HmRange *r;

          while (k < overwritten->len &&
                 g_array_index (overwritten, HmRange, k).offset +
                 g_array_index (overwritten, HmRange, k).length <= pos)
            k++;
          r = k < overwritten->len ? &g_array_index (overwritten, HmRange, k) : NULL;
          if (r == NULL || r->offset >= end)
            {
              add_segment (segments, HM_SEGMENT_FILE, end - pos, pos);
              pos = end;
            }
          else if (r->offset > pos)
            {
              add_segment (segments, HM_SEGMENT_FILE, r->offset - pos, pos);
              pos = r->offset;
            }
          else
            {
              guint64 stop = MIN (end, r->offset + r->length);

              add_segment (segments, HM_SEGMENT_DATA, stop - pos, 0);
              pos = stop;
            }
        }
    }
  return segments;
}

static gboolean
read_data_cb (gpointer  user_data,
              guint64   new_offset,
              guint8   *buffer,
              gsize     length,
              GError  **error)
{
  gssize got = _hm_document_read_content (user_data, new_offset, buffer, length, error);

  if (got >= 0 && (gsize) got != length)
    g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                 _("“%s” shrank while saving"), hm_document_get_display_name (user_data));
  return got >= 0 && (gsize) got == length;
}

/**
 * _hm_document_save_structural:
 * @overwritten: the pending file bytes of preview mode (file offsets); empty in
 *   direct mode
 * @new_stat: (out): the file as written
 *
 * The worker's part of a save with inserts or deletes. The caller re-bases on
 * success with _hm_document_structural_rebase().
 */
gboolean
_hm_document_save_structural (HmDocument          *self,
                              GArray              *overwritten,
                              const HmSaveOptions *options,
                              GCancellable        *cancellable,
                              HmProgressFunc       progress,
                              gpointer             progress_data,
                              struct stat         *new_stat,
                              GError             **error)
{
  g_autoptr(GArray) segments = NULL;
  g_autoptr(HmSavePlan) plan = NULL;
  struct stat at_path;
  guint64 new_size;

  if (!_hm_document_open_writable (self, error))
    return FALSE;
  if (!_hm_document_check_unchanged (self, _hm_document_expected_stat (self), options->force, error))
    return FALSE;

  segments = build_segments (self, overwritten);
  plan = hm_save_plan_new (self->wfd, (const HmSegment *) (gpointer) segments->data, segments->len, error);
  if (plan == NULL)
    return FALSE;
  new_size = hm_save_plan_get_new_size (plan);
  if (!hm_save_plan_execute (plan, self->wfd, self->path, self->display_name, read_data_cb, self,
                             progress, progress_data, cancellable, error))
    return FALSE;

  if (!_hm_document_apply_timestamps (self, self->wfd, options, error))
    return FALSE;
  if (fsync (self->wfd) != 0)
    {
      _hm_document_set_errno_error (error, errno, _("Could not flush “%s” to disk"), self->display_name);
      return FALSE;
    }
  if (fstat (self->wfd, new_stat) != 0)
    {
      _hm_document_set_errno_error (error, errno, _("Cannot check “%s”"), self->display_name);
      return FALSE;
    }
  _hm_document_save_test_point (self, "before-verify");
  if (stat (self->path, &at_path) != 0 || !_hm_document_same_file (&at_path, new_stat) ||
      (guint64) at_path.st_size != new_size || (guint64) new_stat->st_size != new_size)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                   _("Another program replaced or truncated “%s” during the save; save a copy "
                     "elsewhere to keep your edits."), self->display_name);
      return FALSE;
    }
  return TRUE;
}

/* After a structural save: the file as written is the baseline. */
void
_hm_document_structural_rebase (HmDocument        *self,
                                const struct stat *new_stat)
{
  HmPieceTable *pieces;
  guint64 size = (guint64) new_stat->st_size;

  hm_window_cache_unpin_all (self->cache);
  hm_window_cache_drop (self->cache, TRUE);

  g_mutex_lock (&self->lock);
  pieces = g_steal_pointer (&self->pieces);
  self->structural = FALSE;
  self->size = size;
  g_mutex_unlock (&self->lock);
  hm_piece_table_free (pieces);
  _hm_document_invalidate_extents (self);

  /* The history speaks in offsets of the old layout */
  hm_journal_free (self->journal);
  self->journal = hm_journal_new ();
  _hm_document_structure_init (self);
  _hm_document_drop_save_journal (self);
  self->direct_redirty = FALSE;

  self->baseline_stat = *new_stat;
  self->expected_valid = FALSE;
  _hm_document_emit_changed (self, 0, size);
}

/**
 * _hm_document_copy_content:
 * @out: the copy, already truncated to the content's size (holes come free)
 * @advance: (scope call): told of every chunk written
 *
 * Save As with inserts or deletes: the content as read, data runs only.
 */
gboolean
_hm_document_copy_content (HmDocument   *self,
                           int           out,
                           void        (*advance) (gpointer data, guint64 bytes),
                           gpointer      advance_data,
                           GCancellable *cancellable,
                           GError      **error)
{
  g_autoptr(GArray) runs = _hm_document_content_extents (self, 0, G_MAXUINT64);
  g_autofree guint8 *buffer = g_try_malloc (CHUNK_SIZE);

  if (buffer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Not enough memory to save “%s”"),
                   self->display_name);
      return FALSE;
    }

  for (guint i = 0; i < runs->len; i++)
    {
      const HmExtent *e = &g_array_index (runs, HmExtent, i);

      if (e->is_hole)
        continue;
      for (guint64 done = 0; done < e->length;)
        {
          gsize n = (gsize) MIN (e->length - done, (guint64) CHUNK_SIZE);

          if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
              !read_data_cb (self, e->offset + done, buffer, n, error))
            return FALSE;
          if (pwrite (out, buffer, n, (off_t) (e->offset + done)) != (gssize) n)
            {
              _hm_document_set_errno_error (error, errno, _("Cannot write the copy"));
              return FALSE;
            }
          done += n;
          advance (advance_data, n);
        }
    }
  return TRUE;
}
