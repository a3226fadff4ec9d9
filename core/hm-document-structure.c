/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Inserts and deletes in HmDocument: the content as a piece table.
 *
 * Until the first insert or delete a document has no table and everything works
 * in file offsets, as it always did. After one, the content is a sequence of
 * pieces (hm-piece-table.c): ranges of the file at their baseline offsets, read
 * through the windows as before (so preview overwrites in copy-on-write pages
 * show), and inserted bytes. Public offsets are then content offsets:
 *   - reads walk the pieces (_hm_document_read_content());
 *   - an overwrite inside one range of the file goes to its file offset, into
 *     the windows and the journal as ever; over inserted bytes (or several
 *     pieces) it replaces pieces;
 *   - the hole map is translated: a file hole moved by an insert is still a
 *     hole, and a pattern of zeros (a file extended by hm_document_set_size())
 *     is one too;
 *   - pending ranges are the pending file bytes where they now are, plus every
 *     inserted byte.
 * Every structural edit is one replace (remove a range, put pieces there); its
 * journal step keeps the pieces on both sides, so undo and redo are replaces
 * too and cost the pieces moved, never the bytes. Undoing everything joins the
 * pieces back into the file's one piece, and the document is as if never edited.
 *
 * Direct mode: overwrites reach the file at once, but inserts and deletes wait
 * for Save (hm_document_get_has_structural_pending()): shifting the file's tail
 * under other programs' feet at every keystroke would be neither fast nor safe.
 *
 * The table is changed on the main thread under the document's lock; readers on
 * any thread copy out the spans they need under the lock and read them after.
 */
#include "config.h"

#include "hm-document-private.h"
#include "hm-journal.h"
#include "hm-piece-table.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

/* A journal step of a structural edit: @removed was replaced by @added. */
typedef struct
{
  guint64  offset;
  guint64  removed_length;
  guint64  added_length;
  GArray  *removed;   /* HmPiece */
  GArray  *added;     /* HmPiece */
  gboolean coalesce;  /* typed: the next typed insert at its end joins it */
} StructStep;

static void
struct_step_free (gpointer data)
{
  StructStep *step = data;

  g_array_unref (step->removed);
  g_array_unref (step->added);
  g_free (step);
}

gboolean
_hm_document_is_structural (HmDocument *self)
{
  gboolean structural;

  g_mutex_lock (&self->lock);
  structural = self->structural;
  g_mutex_unlock (&self->lock);
  return structural;
}

/**
 * _hm_document_get_spans:
 * @offset: first byte of the content
 * @length: bytes, clamped to the content
 *
 * The pieces over a range of the content; without inserts or deletes, one FILE
 * piece at the same offsets.
 *
 * Returns: (transfer full) (element-type HmPieceSpan): the spans
 */
GArray *
_hm_document_get_spans (HmDocument *self,
                        guint64     offset,
                        guint64     length)
{
  GArray *spans;

  g_mutex_lock (&self->lock);
  if (self->structural)
    spans = hm_piece_table_get_range (self->pieces, offset, length);
  else
    {
      spans = g_array_new (FALSE, FALSE, sizeof (HmPieceSpan));
      if (offset < self->size && length > 0)
        {
          HmPieceSpan span = { offset, { HM_PIECE_FILE, offset, MIN (length, self->size - offset), NULL } };

          g_array_append_val (spans, span);
        }
    }
  g_mutex_unlock (&self->lock);
  return spans;
}

gssize
_hm_document_read_content (HmDocument *self,
                           guint64     offset,
                           void       *buffer,
                           gsize       length,
                           GError     **error)
{
  g_autoptr(GArray) spans = _hm_document_get_spans (self, offset, length);
  guint8 *out = buffer;
  gsize done = 0;

  for (guint i = 0; i < spans->len; i++)
    {
      const HmPieceSpan *s = &g_array_index (spans, HmPieceSpan, i);
      gsize n = (gsize) s->piece.length;

      if (s->piece.kind == HM_PIECE_FILE)
        {
          gssize got = _hm_document_read_file (self, s->piece.start, out + done, n, error);

          if (got < 0)
            return -1;
          if ((gsize) got != n)
            {
              g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                           _("“%s” was truncated by another program: it ends before offset 0x%"
                             PRIx64 "; reload it"), self->display_name, s->piece.start + (guint64) got);
              return -1;
            }
        }
      else if (!hm_piece_copy (&s->piece, 0, out + done, n, error))
        return -1;
      done += n;
    }
  return (gssize) done;
}

static void
append_run (GArray  *runs,
            guint64  offset,
            guint64  length,
            gboolean is_hole)
{
  HmExtent run = { offset, length, is_hole };

  if (length == 0)
    return;
  if (runs->len > 0)
    {
      HmExtent *last = &g_array_index (runs, HmExtent, runs->len - 1);

      if (last->is_hole == is_hole && last->offset + last->length == offset)
        {
          last->length += length;
          return;
        }
    }
  g_array_append_val (runs, run);
}

/* The hole map of the content: file holes where their pieces now are, zero
 * patterns as holes, every other inserted byte as data. */
GArray *
_hm_document_content_extents (HmDocument *self,
                              guint64     offset,
                              guint64     length)
{
  g_autoptr(GArray) spans = _hm_document_get_spans (self, offset, length);
  GArray *runs = g_array_new (FALSE, FALSE, sizeof (HmExtent));

  for (guint i = 0; i < spans->len; i++)
    {
      const HmPieceSpan *s = &g_array_index (spans, HmPieceSpan, i);

      if (s->piece.kind == HM_PIECE_FILE)
        {
          g_autoptr(GArray) file = _hm_document_file_extents (self, s->piece.start, s->piece.length);
          guint64 covered = 0;

          for (guint k = 0; k < file->len; k++)
            {
              const HmExtent *e = &g_array_index (file, HmExtent, k);

              append_run (runs, s->offset + (e->offset - s->piece.start), e->length, e->is_hole);
              covered = e->offset + e->length - s->piece.start;
            }
          /* Past a file that shrank: data, so a read reports the truncation */
          append_run (runs, s->offset + covered, s->piece.length - covered, FALSE);
        }
      else
        append_run (runs, s->offset, s->piece.length, hm_piece_is_zeros (&s->piece));
    }
  return runs;
}

/* Whether [offset, offset + length) lies in one range of the file, and where. */
gboolean
_hm_document_map_to_file (HmDocument *self,
                          guint64     offset,
                          guint64     length,
                          guint64    *file_offset)
{
  g_autoptr(GArray) spans = NULL;
  const HmPieceSpan *s;

  if (!_hm_document_is_structural (self))
    {
      *file_offset = offset;
      return TRUE;
    }
  spans = _hm_document_get_spans (self, offset, length);
  if (spans->len != 1)
    return FALSE;
  s = &g_array_index (spans, HmPieceSpan, 0);
  if (s->piece.kind != HM_PIECE_FILE || s->piece.length != length)
    return FALSE;
  *file_offset = s->piece.start;
  return TRUE;
}

/* Replaces under the lock, creating the table on first use. */
static void
apply_replace (HmDocument    *self,
               guint64        offset,
               guint64        remove_length,
               const HmPiece *add,
               guint          n_add,
               GArray        *removed)
{
  g_mutex_lock (&self->lock);
  if (self->pieces == NULL)
    self->pieces = hm_piece_table_new (self->size);
  hm_piece_table_replace (self->pieces, offset, remove_length, add, n_add, removed);
  self->structural = !hm_piece_table_is_identity (self->pieces, self->size);
  g_mutex_unlock (&self->lock);
}

static void
announce (HmDocument        *self,
          guint64            offset,
          guint64            removed,
          guint64            added,
          guint64            old_size,
          const HmEditState *before)
{
  guint64 size = hm_document_get_size (self);

  _hm_document_emit_content_changed (self, offset, removed, added);
  if (removed == added)
    _hm_document_emit_changed (self, offset, added);
  else
    _hm_document_emit_changed (self, offset, MAX (size, old_size) - offset);
  if (size != old_size)
    _hm_document_notify (self, "size");
  if (before != NULL)
    _hm_document_notify_state (self, before);
}

static guint64
pieces_length (const HmPiece *pieces,
               guint          n)
{
  guint64 total = 0;

  for (guint i = 0; i < n; i++)
    total += pieces[i].length;
  return total;
}

/* Appends a reference to @piece, joined to the last one where it continues it. */
static void
append_piece (GArray        *array,
              const HmPiece *piece)
{
  HmPiece copy = hm_piece_slice (piece, 0, piece->length);

  if (array->len > 0)
    {
      HmPiece *last = &g_array_index (array, HmPiece, array->len - 1);

      if (last->kind == HM_PIECE_MEMORY && copy.kind == HM_PIECE_MEMORY &&
          last->source == copy.source && last->start + last->length == copy.start)
        {
          last->length += copy.length;
          hm_piece_clear (&copy);
          return;
        }
    }
  g_array_append_val (array, copy);
}

/* Steps recorded inside a group after its first undo with it. */
void
_hm_document_step_recorded (HmDocument *self)
{
  if (self->group_depth == 0)
    return;
  if (self->group_steps > 0)
    hm_journal_mark_top_grouped (self->journal);
  self->group_steps++;
}

/* The one structural edit: replace, record, announce. */
static gboolean
structural_edit (HmDocument    *self,
                 guint64        offset,
                 guint64        remove_length,
                 const HmPiece *add,
                 guint          n_add,
                 gboolean       coalesce)
{
  HmEditState before = _hm_document_edit_state (self);
  guint64 old_size = hm_document_get_size (self);
  guint64 added_length = pieces_length (add, n_add);
  StructStep *top = hm_journal_get_top_structural (self->journal);
  StructStep *step = g_new0 (StructStep, 1);

  step->offset = offset;
  step->removed_length = remove_length;
  step->added_length = added_length;
  step->removed = hm_piece_array_new ();
  step->added = hm_piece_array_new ();
  step->coalesce = coalesce;
  for (guint i = 0; i < n_add; i++)
    append_piece (step->added, &add[i]);

  apply_replace (self, offset, remove_length, add, n_add, step->removed);

  if (coalesce && top != NULL && top->coalesce && top->removed_length == 0 && remove_length == 0 &&
      top->offset + top->added_length == offset && self->group_depth == 0)
    {
      /* Typing: one step for the run */
      for (guint i = 0; i < n_add; i++)
        append_piece (top->added, &add[i]);
      top->added_length += added_length;
      struct_step_free (step);
    }
  else if (coalesce && top != NULL && top->coalesce && top->removed_length == 0 && self->group_depth == 0 &&
           offset >= top->offset && offset + remove_length <= top->offset + top->added_length)
    {
      /* Typing over bytes the run typed (the second digit of an inserted
       * byte): still one step, which now adds what the run left there */
      guint64 run_length = top->added_length - remove_length + added_length;
      GArray *spans;

      g_mutex_lock (&self->lock);
      spans = hm_piece_table_get_range (self->pieces, top->offset, run_length);
      g_mutex_unlock (&self->lock);
      g_array_set_size (top->added, 0);
      for (guint i = 0; i < spans->len; i++)
        append_piece (top->added, &g_array_index (spans, HmPieceSpan, i).piece);
      g_array_unref (spans);
      top->added_length = run_length;
      struct_step_free (step);
    }
  else
    {
      hm_journal_record_structural (self->journal, step);
      _hm_document_step_recorded (self);
    }

  announce (self, offset, remove_length, added_length, old_size, &before);
  return TRUE;
}

/* Undo or redo of a structural step; the caller commits it in the journal. */
gboolean
_hm_document_structural_undo_redo (HmDocument *self,
                                   gpointer    payload,
                                   gboolean    undo)
{
  StructStep *step = payload;
  guint64 old_size = hm_document_get_size (self);
  GArray *put = undo ? step->removed : step->added;
  guint64 take = undo ? step->added_length : step->removed_length;
  guint64 give = undo ? step->removed_length : step->added_length;

  if (step->offset + take > old_size)
    return FALSE;
  apply_replace (self, step->offset, take, (const HmPiece *) (gpointer) put->data, put->len, NULL);
  /* A typed run must not grow again after it was undone and redone */
  step->coalesce = FALSE;
  /* The caller notifies the state once the journal knows */
  announce (self, step->offset, take, give, old_size, NULL);
  return TRUE;
}

static gboolean
check_structural (HmDocument *self,
                  guint64     offset,
                  guint64     length,
                  GError    **error)
{
  guint64 size;

  if (!_hm_document_check_editable (self, error))
    return FALSE;
  if (self->kind != HM_FILE_KIND_REGULAR)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("Cannot insert or delete bytes in “%s”: it is a device, whose size is fixed"),
                   self->display_name);
      return FALSE;
    }
  size = hm_document_get_size (self);
  if (offset > size || length > size - offset)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_OUT_OF_RANGE,
                   _("Cannot change 0x%" PRIx64 " bytes at offset 0x%" PRIx64
                     ": “%s” ends at 0x%" PRIx64), length, offset, self->display_name, size);
      return FALSE;
    }
  return TRUE;
}

/* Bytes for the table: small ones in memory, large ones in a temporary file. */
static gboolean
make_bytes (HmDocument   *self,
            const guint8 *data,
            gsize         length,
            HmPiece      *piece,
            GError      **error)
{
  gboolean ok;

  g_mutex_lock (&self->lock);
  if (self->pieces == NULL)
    self->pieces = hm_piece_table_new (self->size);
  ok = hm_piece_table_make_bytes (self->pieces, data, length, piece, error);
  g_mutex_unlock (&self->lock);
  if (!ok)
    g_prefix_error (error, _("Nothing was changed in “%s”. "), self->display_name);
  return ok;
}

/* hm_document_write() or hm_document_fill() over inserted bytes or across pieces:
 * the range becomes one new piece (bytes, or the pattern from @offset). */
gboolean
_hm_document_structural_overwrite (HmDocument   *self,
                                   guint64       offset,
                                   guint64       length,
                                   const guint8 *data,
                                   const guint8 *pattern,
                                   gsize         pattern_length,
                                   HmEditFlags   flags,
                                   GError      **error)
{
  HmPiece piece;

  if (data != NULL)
    {
      if (!make_bytes (self, data, (gsize) length, &piece, error))
        return FALSE;
    }
  else
    piece = hm_piece_table_make_pattern (pattern, pattern_length, length);
  structural_edit (self, offset, length, &piece, 1, (flags & HM_EDIT_COALESCE) != 0);
  hm_piece_clear (&piece);
  return TRUE;
}

/**
 * hm_document_insert:
 * @self: a #HmDocument
 * @offset: where the bytes go: the byte there and all after it move up
 * @data: (array length=length): the bytes
 * @length: how many
 * @flags: %HM_EDIT_COALESCE for typing: a run of typed bytes is one undo step
 * @error: a #GError
 *
 * Inserts bytes, as one undo step. The edit is pending in every mode until
 * hm_document_save(); inserts of 1 MiB or more are kept in an unlinked temporary
 * file rather than in memory. Refused in read-only mode and on devices.
 *
 * Returns: %TRUE if the bytes were inserted
 */
gboolean
hm_document_insert (HmDocument  *self,
                    guint64      offset,
                    const void  *data,
                    gsize        length,
                    HmEditFlags  flags,
                    GError     **error)
{
  HmPiece piece;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (!check_structural (self, offset, 0, error))
    return FALSE;
  if (length == 0)
    return TRUE;
  if (!make_bytes (self, data, length, &piece, error))
    return FALSE;
  structural_edit (self, offset, 0, &piece, 1, (flags & HM_EDIT_COALESCE) != 0);
  hm_piece_clear (&piece);
  _hm_document_draft_record (self, HM_DRAFT_INSERT, offset, length, data, length, flags);
  return TRUE;
}

/**
 * hm_document_insert_fill:
 * @self: a #HmDocument
 * @offset: where the bytes go
 * @length: how many to insert
 * @pattern: (array length=pattern_length): the bytes to repeat, from @offset
 * @pattern_length: at least 1
 * @error: a #GError
 *
 * Inserts @length bytes repeating @pattern, as one undo step. Costs the pattern
 * in memory, whatever @length.
 *
 * Returns: %TRUE if the bytes were inserted
 */
gboolean
hm_document_insert_fill (HmDocument   *self,
                         guint64       offset,
                         guint64       length,
                         const guint8 *pattern,
                         gsize         pattern_length,
                         GError      **error)
{
  HmPiece piece;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (pattern != NULL && pattern_length > 0, FALSE);

  if (!check_structural (self, offset, 0, error))
    return FALSE;
  if (length == 0)
    return TRUE;
  piece = hm_piece_table_make_pattern (pattern, pattern_length, length);
  structural_edit (self, offset, 0, &piece, 1, FALSE);
  hm_piece_clear (&piece);
  _hm_document_draft_record (self, HM_DRAFT_INSERT_FILL, offset, length, pattern, pattern_length,
                             HM_EDIT_NONE);
  return TRUE;
}

/**
 * hm_document_delete:
 * @self: a #HmDocument
 * @offset: first byte to delete
 * @length: how many; the bytes after them move down
 * @error: a #GError
 *
 * Deletes bytes, as one undo step; pending until hm_document_save().
 *
 * Returns: %TRUE if the bytes were deleted
 */
gboolean
hm_document_delete (HmDocument *self,
                    guint64     offset,
                    guint64     length,
                    GError    **error)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);

  if (!check_structural (self, offset, length, error))
    return FALSE;
  if (length == 0)
    return TRUE;
  structural_edit (self, offset, length, NULL, 0, FALSE);
  _hm_document_draft_record (self, HM_DRAFT_DELETE, offset, length, NULL, 0, HM_EDIT_NONE);
  return TRUE;
}

/**
 * hm_document_set_size:
 * @self: a #HmDocument
 * @size: the new size of the content
 * @error: a #GError
 *
 * Truncates the content, or extends it with zeros, as one undo step. The zeros
 * cost nothing in memory, show as a hole, and are saved as a hole where the
 * file system allows.
 *
 * Returns: %TRUE on success
 */
gboolean
hm_document_set_size (HmDocument *self,
                      guint64     size,
                      GError    **error)
{
  static const guint8 zero = 0;
  guint64 now;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);

  now = hm_document_get_size (self);
  if (size < now)
    return hm_document_delete (self, size, now - size, error);
  return hm_document_insert_fill (self, now, size - now, &zero, 1, error);
}

/**
 * hm_document_break_coalescing:
 * @self: a #HmDocument
 *
 * Ends a typing run: the next %HM_EDIT_COALESCE edit, overwrite or insert,
 * starts a new undo step even where it continues the previous one. A view
 * calls this when what the user sees as one action ends (the cursor jumps, the
 * column changes, a pause in typing), since only it knows.
 */
void
hm_document_break_coalescing (HmDocument *self)
{
  StructStep *top;

  g_return_if_fail (HM_IS_DOCUMENT (self));

  top = hm_journal_get_top_structural (self->journal);
  if (top != NULL)
    top->coalesce = FALSE;
  hm_journal_break_coalescing (self->journal);
}

/**
 * hm_document_begin_group:
 * @self: a #HmDocument
 *
 * Starts one user action made of several edits (Replace All): until the
 * matching hm_document_end_group(), every edit joins one undo step. Groups nest;
 * the outermost one counts.
 */
void
hm_document_begin_group (HmDocument *self)
{
  g_return_if_fail (HM_IS_DOCUMENT (self));

  if (self->group_depth++ == 0)
    {
      self->group_steps = 0;
      hm_journal_break_coalescing (self->journal);
    }
  _hm_document_draft_record (self, HM_DRAFT_BEGIN_GROUP, 0, 0, NULL, 0, HM_EDIT_NONE);
}

/**
 * hm_document_end_group:
 * @self: a #HmDocument
 *
 * Ends what hm_document_begin_group() started.
 */
void
hm_document_end_group (HmDocument *self)
{
  g_return_if_fail (HM_IS_DOCUMENT (self));
  g_return_if_fail (self->group_depth > 0);

  if (--self->group_depth == 0)
    hm_journal_break_coalescing (self->journal);
  _hm_document_draft_record (self, HM_DRAFT_END_GROUP, 0, 0, NULL, 0, HM_EDIT_NONE);
}

/**
 * hm_document_get_has_structural_pending:
 * @self: a #HmDocument
 *
 * Returns: %TRUE if inserts or deletes wait for hm_document_save() (in every
 *   mode, direct mode included: see #HmDocument:has-structural-pending)
 */
gboolean
hm_document_get_has_structural_pending (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  return _hm_document_is_structural (self);
}

static char *
describe (gboolean inserted,
          guint64  count,
          guint64  offset)
{
  g_autofree char *n = count < 10 ? g_strdup_printf ("%" PRIu64, count)
                                  : g_strdup_printf ("0x%" PRIx64, count);

  if (inserted)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "inserted %s byte at 0x%" PRIx64,
                                         "inserted %s bytes at 0x%" PRIx64, count), n, offset);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "deleted %s byte at 0x%" PRIx64,
                                       "deleted %s bytes at 0x%" PRIx64, count), n, offset);
}

/**
 * hm_document_describe_structural_edits:
 * @self: a #HmDocument
 *
 * The pending inserts and deletes, for a changes list, in content order: what
 * was deleted (a range of the file that is gone) and inserted, with content
 * offsets: "inserted 3 bytes at 0x10", "deleted 0x200 bytes at 0x4000".
 *
 * Returns: (transfer full) (element-type utf8): the lines; empty without such edits
 */
GPtrArray *
hm_document_describe_structural_edits (HmDocument *self)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) spans = NULL;
  guint64 file_pos = 0;
  guint64 inserted_at = 0;
  guint64 inserted = 0;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), lines);

  if (!_hm_document_is_structural (self))
    return lines;

  spans = _hm_document_get_spans (self, 0, G_MAXUINT64);
  for (guint i = 0; i <= spans->len; i++)
    {
      const HmPieceSpan *s = i < spans->len ? &g_array_index (spans, HmPieceSpan, i) : NULL;
      guint64 at = s != NULL ? s->offset : hm_document_get_size (self);

      if (s != NULL && s->piece.kind != HM_PIECE_FILE)
        {
          if (inserted == 0)
            inserted_at = s->offset;
          inserted += s->piece.length;
          continue;
        }
      if (inserted > 0)
        g_ptr_array_add (lines, describe (TRUE, inserted, inserted_at));
      inserted = 0;
      {
        guint64 next = s != NULL ? s->piece.start : _hm_document_file_size (self);

        if (next > file_pos)
          g_ptr_array_add (lines, describe (FALSE, next - file_pos, at));
        if (s != NULL)
          file_pos = s->piece.start + s->piece.length;
      }
    }
  return lines;
}

/**
 * hm_ranges_find_end_after:
 * @ranges: (element-type HmRange): sorted, disjoint ranges
 * @offset: an offset
 *
 * Binary search for the first range that ends after @offset: the one holding
 * it, or else the first one after it.
 *
 * Returns: its index, or @ranges->len when every range ends at or before @offset
 */
guint
hm_ranges_find_end_after (const GArray *ranges,
                          guint64       offset)
{
  guint lo = 0;
  guint hi = ranges->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const HmRange *r = &g_array_index (ranges, HmRange, mid);

      if (r->offset + r->length <= offset)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/**
 * hm_offset_through_edit:
 * @offset: an offset before the edit (a bookmark, a selection end)
 * @edit_offset: where the edit replaced bytes
 * @removed: bytes it removed there
 * @added: bytes it put there
 * @deleted: (out) (optional): set to %TRUE if the byte at @offset was removed
 *
 * Where a byte is after an edit (#HmDocument::content-changed): before the edit
 * it stays, after it it moves; a removed byte goes to @edit_offset.
 *
 * Returns: the offset after the edit
 */
guint64
hm_offset_through_edit (guint64   offset,
                        guint64   edit_offset,
                        guint64   removed,
                        guint64   added,
                        gboolean *deleted)
{
  if (deleted != NULL)
    *deleted = FALSE;
  if (offset < edit_offset)
    return offset;
  if (offset - edit_offset >= removed)
    return offset - removed + added;
  if (deleted != NULL)
    *deleted = TRUE;
  return edit_offset;
}

/* The pending bytes in content offsets: @file_ranges (the journal's, in file
 * offsets) where their pieces now are, and every inserted byte. */
GArray *
_hm_document_content_pending_ranges (HmDocument *self,
                                     GArray     *file_ranges)
{
  g_autoptr(GArray) spans = _hm_document_get_spans (self, 0, G_MAXUINT64);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (HmRange));
  HmRange *last = NULL;

  for (guint i = 0; i < spans->len; i++)
    {
      const HmPieceSpan *s = &g_array_index (spans, HmPieceSpan, i);
      guint64 f0 = s->piece.start;
      guint64 f1 = f0 + s->piece.length;

      if (s->piece.kind != HM_PIECE_FILE)
        {
          HmRange r = { s->offset, s->piece.length };

          if (last != NULL && last->offset + last->length == r.offset)
            last->length += r.length;
          else
            {
              g_array_append_val (out, r);
              last = &g_array_index (out, HmRange, out->len - 1);
            }
          continue;
        }

      for (guint k = hm_ranges_find_end_after (file_ranges, f0); k < file_ranges->len; k++)
        {
          const HmRange *m = &g_array_index (file_ranges, HmRange, k);
          guint64 a = MAX (m->offset, f0);
          guint64 b = MIN (m->offset + m->length, f1);
          HmRange r;

          if (m->offset >= f1)
            break;
          r.offset = s->offset + (a - f0);
          r.length = b - a;
          if (last != NULL && last->offset + last->length == r.offset)
            last->length += r.length;
          else
            {
              g_array_append_val (out, r);
              last = &g_array_index (out, HmRange, out->len - 1);
            }
        }
    }
  return out;
}

/* Back to the file as it is: after discard, or a save that made the content the
 * file. Announces the change when there was one. */
void
_hm_document_structure_reset (HmDocument *self)
{
  HmPieceTable *pieces;
  gboolean was_structural;
  guint64 old_size = hm_document_get_size (self);
  guint64 size;

  g_mutex_lock (&self->lock);
  pieces = g_steal_pointer (&self->pieces);
  was_structural = self->structural;
  self->structural = FALSE;
  size = self->size;
  g_mutex_unlock (&self->lock);
  hm_piece_table_free (pieces);

  if (was_structural)
    {
      _hm_document_emit_content_changed (self, 0, old_size, size);
      _hm_document_emit_changed (self, 0, MAX (size, old_size));
      if (size != old_size)
        _hm_document_notify (self, "size");
    }
}

void
_hm_document_structure_init (HmDocument *self)
{
  hm_journal_set_structural_free (self->journal, struct_step_free);
}

void
_hm_document_structure_finalize (HmDocument *self)
{
  g_clear_pointer (&self->pieces, hm_piece_table_free);
}
