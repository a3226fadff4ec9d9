/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView hole navigation: the cursor jumps to the next or previous data run
 * or hole of a sparse file, as the document's extents tell, and the view scrolls
 * it to the middle if it was off screen. The actions and their Alt+arrow
 * shortcuts are in hm-hex-view-actions.c.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-hex-view-private.h"

static gboolean
go_to_run (HmHexView  *self,
           gboolean    found,
           guint64     offset,
           const char *not_found)
{
  if (!found)
    {
      _hm_hex_view_hint (self, not_found);
      return FALSE;
    }
  hm_hex_view_scroll_to_offset (self, offset);
  _hm_hex_view_move_cursor (self, offset, FALSE);
  return TRUE;
}

/**
 * hm_hex_view_goto_next_data:
 * @self: a #HmHexView
 *
 * Moves the cursor to the start of the next data run after it (sparse files),
 * scrolling it to the middle of the view if it was off screen. Bound to
 * Alt+Down (action `hex-view.next-data`).
 *
 * Returns: %FALSE (and emits #HmHexView::hint) if there is none
 */
gboolean
hm_hex_view_goto_next_data (HmHexView *self)
{
  guint64 offset = 0;
  gboolean found;

  g_return_val_if_fail (HM_IS_HEX_VIEW (self), FALSE);

  if (self->document == NULL)
    return FALSE;
  found = hm_document_next_data (self->document, self->cursor, &offset);
  return go_to_run (self, found, offset, _("No data after the cursor: the rest of the file is a hole"));
}

/**
 * hm_hex_view_goto_previous_data:
 * @self: a #HmHexView
 *
 * Moves the cursor to the start of the data run it is in, or of the previous
 * one. Bound to Alt+Up (action `hex-view.previous-data`).
 *
 * Returns: %FALSE (and emits #HmHexView::hint) if there is none
 */
gboolean
hm_hex_view_goto_previous_data (HmHexView *self)
{
  guint64 offset = 0;
  gboolean found;

  g_return_val_if_fail (HM_IS_HEX_VIEW (self), FALSE);

  if (self->document == NULL)
    return FALSE;
  found = hm_document_previous_data (self->document, self->cursor, &offset);
  return go_to_run (self, found, offset, _("No data before the cursor"));
}

/**
 * hm_hex_view_goto_next_hole:
 * @self: a #HmHexView
 *
 * Moves the cursor to the start of the next hole after it. Bound to
 * Alt+Shift+Down (action `hex-view.next-hole`).
 *
 * Returns: %FALSE (and emits #HmHexView::hint) if there is none
 */
gboolean
hm_hex_view_goto_next_hole (HmHexView *self)
{
  guint64 offset = 0;
  gboolean found;

  g_return_val_if_fail (HM_IS_HEX_VIEW (self), FALSE);

  if (self->document == NULL)
    return FALSE;
  found = hm_document_next_hole (self->document, self->cursor, &offset);
  return go_to_run (self, found, offset, _("No hole after the cursor"));
}

/**
 * hm_hex_view_goto_previous_hole:
 * @self: a #HmHexView
 *
 * Moves the cursor to the start of the hole it is in, or of the previous one.
 * Bound to Alt+Shift+Up (action `hex-view.previous-hole`).
 *
 * Returns: %FALSE (and emits #HmHexView::hint) if there is none
 */
gboolean
hm_hex_view_goto_previous_hole (HmHexView *self)
{
  g_autoptr(GArray) extents = NULL;
  guint64 offset = 0;
  gboolean found = FALSE;

  g_return_val_if_fail (HM_IS_HEX_VIEW (self), FALSE);

  if (self->document == NULL)
    return FALSE;
  /* Extents clipped to [0, cursor): the last hole among them starts before the cursor. */
  extents = hm_document_get_extents (self->document, 0, self->cursor);
  for (guint i = extents->len; i-- > 0 && !found;)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);

      if (e->is_hole)
        {
          offset = e->offset;
          found = TRUE;
        }
    }
  return go_to_run (self, found, offset, _("No hole before the cursor"));
}
