/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView editing: typing hex digits or characters at the cursor, pasting a run
 * of bytes, and deleting. In overwrite mode typing replaces the byte under the
 * cursor; in insert mode (the Insert key) the first hex digit inserts a new byte
 * and the second completes it, a character inserts a byte, and Backspace/Delete
 * remove bytes. Delete removes the selection in either mode. The document keeps
 * the edits and their undo journal, and refuses them while it is read-only,
 * which the view turns into a hint.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-hex-view-private.h"

/* A typing run longer than this pause apart is two undo steps. */
#define TYPING_PAUSE_USEC (2 * G_USEC_PER_SEC)

/* One undo step is what the user sees as one action: the document merges typed
 * bytes that touch, and the view ends the run where the user would: when the
 * cursor jumped since the last typed byte (_hm_hex_view_move_cursor() clears
 * typing_run unless an edit moves it), the column changed, or typing paused;
 * never between the two digits of one byte. */
static void
begin_typing (HmHexView *self)
{
  gint64 now = g_get_monotonic_time ();

  if (!self->low_nibble
      && (!self->typing_run || self->typing_pane != self->pane || now - self->typing_time > TYPING_PAUSE_USEC))
    hm_document_break_coalescing (self->document);
  self->typing = TRUE;
}

static void
end_typing (HmHexView *self)
{
  self->typing = FALSE;
  self->typing_run = TRUE;
  self->typing_pane = self->pane;
  self->typing_time = g_get_monotonic_time ();
}

gboolean
_hm_hex_view_is_editable (HmHexView *self)
{
  return self->document != NULL && (_hm_hex_view_doc_size (self) > 0 || self->insert_mode)
         && hm_document_get_mode (self->document) != HM_DOCUMENT_MODE_READ_ONLY;
}

static void
hint_error (HmHexView    *self,
            const GError *error,
            const char   *fallback)
{
  _hm_hex_view_hint (self, error != NULL ? error->message : fallback);
}

static gboolean
insert_bytes (HmHexView    *self,
              guint64       offset,
              const guint8 *data,
              gsize         length,
              HmEditFlags   flags)
{
  g_autoptr(GError) error = NULL;

  if (!hm_document_insert (self->document, offset, data, length, flags, &error))
    {
      hint_error (self, error, _("The bytes could not be inserted"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
delete_bytes (HmHexView *self,
              guint64    offset,
              guint64    length)
{
  g_autoptr(GError) error = NULL;

  if (!hm_document_delete (self->document, offset, length, &error))
    {
      hint_error (self, error, _("The bytes could not be deleted"));
      return FALSE;
    }
  return TRUE;
}

void
_hm_hex_view_refuse_edit (HmHexView *self)
{
  if (self->document == NULL)
    return;
  _hm_hex_view_hint (self, _("The file is open read-only: switch to an editing mode to change it"));
}

static gboolean
write_bytes (HmHexView    *self,
             guint64       offset,
             const guint8 *data,
             gsize         length,
             HmEditFlags   flags)
{
  g_autoptr(GError) error = NULL;

  if (!hm_document_write (self->document, offset, data, length, flags, &error))
    {
      hint_error (self, error, _("The bytes could not be written"));
      return FALSE;
    }
  return TRUE;
}

/* Typing over a selection starts at its first byte, whichever end the cursor is on. */
static void
collapse_to_selection_start (HmHexView *self)
{
  if (self->has_selection)
    _hm_hex_view_move_cursor (self, hm_hex_view_get_selection_start (self), FALSE);
}

/* Insert mode: typing over a selection replaces it, as in a text editor. The
 * deletion and what is typed next are separate undo steps. */
static gboolean
delete_selection_for_typing (HmHexView *self)
{
  guint64 start = hm_hex_view_get_selection_start (self);
  guint64 length = hm_hex_view_get_selection_length (self);

  if (!self->has_selection)
    return TRUE;
  if (!delete_bytes (self, start, length))
    return FALSE;
  _hm_hex_view_move_cursor (self, start, FALSE);
  return TRUE;
}

static void
insert_hex_digit (HmHexView *self,
                  guint      digit)
{
  if (!self->low_nibble)
    {
      guint8 byte = (guint8) (digit << 4);

      if (!delete_selection_for_typing (self)
          || !insert_bytes (self, self->cursor, &byte, 1, HM_EDIT_COALESCE))
        return;
      self->low_nibble = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  {
    g_autoptr(GError) error = NULL;
    guint8 byte;

    if (hm_document_read (self->document, self->cursor, &byte, 1, &error) != 1)
      {
        hint_error (self, error, _("The byte at the cursor cannot be read"));
        return;
      }
    byte = (guint8) ((byte & 0xf0) | digit);
    if (!write_bytes (self, self->cursor, &byte, 1, HM_EDIT_COALESCE))
      return;
    _hm_hex_view_move_cursor (self, self->cursor + 1, FALSE);
  }
}

static void
type_hex_digit (HmHexView *self,
                guint      digit)
{
  g_autoptr(GError) error = NULL;
  guint8 byte;

  if (self->insert_mode)
    {
      insert_hex_digit (self, digit);
      return;
    }
  collapse_to_selection_start (self);
  if (hm_document_read (self->document, self->cursor, &byte, 1, &error) != 1)
    {
      hint_error (self, error, _("The byte at the cursor cannot be read"));
      return;
    }
  if (self->low_nibble)
    byte = (guint8) ((byte & 0xf0) | digit);
  else
    byte = (guint8) ((byte & 0x0f) | (digit << 4));

  if (!write_bytes (self, self->cursor, &byte, 1, HM_EDIT_COALESCE))
    return;

  if (!self->low_nibble)
    {
      self->low_nibble = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  else if (self->cursor + 1 < _hm_hex_view_doc_size (self))
    _hm_hex_view_move_cursor (self, self->cursor + 1, FALSE);
  else
    {
      self->low_nibble = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
type_char (HmHexView *self,
           guint8     byte)
{
  if (self->insert_mode)
    {
      if (delete_selection_for_typing (self)
          && insert_bytes (self, self->cursor, &byte, 1, HM_EDIT_COALESCE))
        _hm_hex_view_move_cursor (self, self->cursor + 1, FALSE);
      return;
    }
  collapse_to_selection_start (self);
  if (!write_bytes (self, self->cursor, &byte, 1, HM_EDIT_COALESCE))
    return;
  if (self->cursor + 1 < _hm_hex_view_doc_size (self))
    _hm_hex_view_move_cursor (self, self->cursor + 1, FALSE);
}

/**
 * hm_hex_view_overwrite:
 * @self: a #HmHexView
 * @data: (array length=length): bytes
 * @length: how many
 *
 * Overwrites bytes from the start of the selection (or the cursor), clipped to the
 * end of the file, as one undo step, and selects what was written.
 *
 * Returns: %TRUE if the bytes were written
 */
gboolean
hm_hex_view_overwrite (HmHexView    *self,
                       const guint8 *data,
                       gsize         length)
{
  guint64 start;
  guint64 size;

  g_return_val_if_fail (HM_IS_HEX_VIEW (self), FALSE);

  if (!_hm_hex_view_is_editable (self))
    {
      _hm_hex_view_refuse_edit (self);
      return FALSE;
    }
  size = _hm_hex_view_doc_size (self);
  start = hm_hex_view_get_selection_start (self);
  length = (gsize) MIN ((guint64) length, size - start);
  if (length == 0)
    return FALSE;
  if (!write_bytes (self, start, data, length, HM_EDIT_NONE))
    return FALSE;
  hm_hex_view_set_selection (self, start, length);
  return TRUE;
}

/**
 * hm_hex_view_insert:
 * @self: a #HmHexView
 * @data: (array length=length): bytes
 * @length: how many
 *
 * Inserts bytes at the cursor, replacing the selection if there is one, as one
 * undo step, and selects what was inserted (what a paste does in insert mode).
 *
 * Returns: %TRUE if the bytes were inserted
 */
gboolean
hm_hex_view_insert (HmHexView    *self,
                    const guint8 *data,
                    gsize         length)
{
  guint64 start;
  guint64 removed;
  gboolean done;

  g_return_val_if_fail (HM_IS_HEX_VIEW (self), FALSE);

  if (self->document == NULL || hm_document_get_mode (self->document) == HM_DOCUMENT_MODE_READ_ONLY)
    {
      _hm_hex_view_refuse_edit (self);
      return FALSE;
    }
  if (length == 0)
    return FALSE;
  start = self->has_selection ? hm_hex_view_get_selection_start (self) : self->cursor;
  removed = hm_hex_view_get_selection_length (self);

  hm_document_begin_group (self->document);
  done = (removed == 0 || delete_bytes (self, start, removed))
         && insert_bytes (self, start, data, length, HM_EDIT_NONE);
  hm_document_end_group (self->document);
  if (!done)
    return FALSE;
  hm_hex_view_set_selection (self, start, length);
  return TRUE;
}

/**
 * hm_hex_view_delete_selection:
 * @self: a #HmHexView
 *
 * Deletes the selected bytes (in either mode) as one undo step; the cursor
 * lands where they were.
 *
 * Returns: %TRUE if something was deleted
 */
gboolean
hm_hex_view_delete_selection (HmHexView *self)
{
  guint64 start;

  g_return_val_if_fail (HM_IS_HEX_VIEW (self), FALSE);

  if (!self->has_selection)
    return FALSE;
  if (!_hm_hex_view_is_editable (self))
    {
      _hm_hex_view_refuse_edit (self);
      return FALSE;
    }
  start = hm_hex_view_get_selection_start (self);
  if (!delete_bytes (self, start, hm_hex_view_get_selection_length (self)))
    return FALSE;
  _hm_hex_view_move_cursor (self, start, FALSE);
  return TRUE;
}

/* Backspace: a half-typed byte goes back to its first digit; in insert mode the
 * byte before the cursor is deleted, in overwrite mode the cursor moves back.
 * A selection is deleted in either mode. */
void
_hm_hex_view_backspace (HmHexView *self)
{
  guint64 cursor = self->cursor;

  if (self->pane == HM_HEX_PANE_HEX && self->low_nibble && !self->insert_mode)
    {
      self->low_nibble = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  if (self->has_selection)
    {
      hm_hex_view_delete_selection (self);
      return;
    }
  if (!self->insert_mode)
    {
      _hm_hex_view_move_cursor (self, cursor > 0 ? cursor - 1 : 0, FALSE);
      return;
    }
  if (!_hm_hex_view_is_editable (self))
    {
      _hm_hex_view_refuse_edit (self);
      return;
    }
  /* A byte whose first digit was just typed is removed whole. */
  if (self->low_nibble)
    {
      if (delete_bytes (self, cursor, 1))
        _hm_hex_view_move_cursor (self, cursor, FALSE);
      return;
    }
  if (cursor > 0 && delete_bytes (self, cursor - 1, 1))
    _hm_hex_view_move_cursor (self, cursor - 1, FALSE);
}

/* Delete: the selection, or the byte under the cursor (in either mode). */
void
_hm_hex_view_delete_forward (HmHexView *self)
{
  guint64 cursor = self->cursor;

  if (self->has_selection)
    {
      hm_hex_view_delete_selection (self);
      return;
    }
  if (!_hm_hex_view_is_editable (self))
    {
      _hm_hex_view_refuse_edit (self);
      return;
    }
  if (cursor >= _hm_hex_view_doc_size (self))
    return;
  if (delete_bytes (self, cursor, 1))
    _hm_hex_view_move_cursor (self, cursor, FALSE);
}

void
_hm_hex_view_type_hex_digit (HmHexView *self,
                             guint      digit)
{
  begin_typing (self);
  type_hex_digit (self, digit);
  end_typing (self);
}

void
_hm_hex_view_type_char (HmHexView *self,
                        guint8     byte)
{
  begin_typing (self);
  type_char (self, byte);
  end_typing (self);
}
