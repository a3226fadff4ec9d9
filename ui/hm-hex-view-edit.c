/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView editing: typing hex digits or characters over the byte at the cursor,
 * and overwriting a run of bytes (what a paste does). The view only overwrites;
 * the document keeps the edits and their undo journal, and refuses them while it
 * is read-only, which the view turns into a hint.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-hex-view-private.h"

gboolean
_hm_hex_view_is_editable (HmHexView *self)
{
  return self->document != NULL && _hm_hex_view_doc_size (self) > 0
         && hm_document_get_mode (self->document) != HM_DOCUMENT_MODE_READ_ONLY;
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
      _hm_hex_view_hint (self, error != NULL ? error->message : _("The bytes could not be written"));
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

void
_hm_hex_view_type_hex_digit (HmHexView *self,
                             guint      digit)
{
  g_autoptr(GError) error = NULL;
  guint8 byte;

  collapse_to_selection_start (self);
  if (hm_document_read (self->document, self->cursor, &byte, 1, &error) != 1)
    {
      _hm_hex_view_hint (self, error != NULL ? error->message : _("The byte at the cursor cannot be read"));
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

void
_hm_hex_view_type_char (HmHexView *self,
                        guint8     byte)
{
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
