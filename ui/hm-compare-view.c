/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmCompareView: a page's file and a second file side by side, with their
 * differences.
 *
 * The page keeps its own view (side A, left); this widget adds the
 * difference map beside A's scrollbar, the second file's view (side B) with
 * its own document, mode and fault dialog, and B's difference map. Its bar
 * goes above both views. The compare itself runs in the background
 * (hm-compare-view-run.c) and its results stream in.
 *
 * Both views scroll together and their cursors follow each other: at the same
 * offset when aligned byte for byte, through the hunks with insertions (an
 * offset in the equal stretch after a hunk keeps its distance from the hunk's
 * end on the other side). The differences are highlighted in both views
 * (hm_hex_view_set_differences(): the view looks up its visible rows by
 * binary search) and marked in both maps.
 *
 * Copying a difference to the other side is an ordinary pending edit there
 * (hm_document_write()); after it, or any other edit on either side, the
 * affected region is compared again.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "hm-compare-view-private.h"
#include "hm-fault-dialog.h"

/* A difference longer than this is not copied in one edit. */
#define MAX_COPY_LENGTH (64u * 1024u * 1024u)

enum
{
  PROP_0,
  PROP_STATUS,
  N_PROPS
};

enum
{
  SIGNAL_CLOSE_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HmCompareView, hm_compare_view, GTK_TYPE_WIDGET)

static const HmDocumentMode modes[] = {
  HM_DOCUMENT_MODE_READ_ONLY,
  HM_DOCUMENT_MODE_PREVIEW,
  HM_DOCUMENT_MODE_DIRECT,
};

/* ---- Hunks by side ---- */

static inline guint64
hunk_offset (const HmHunk  *hunk,
             HmCompareSide  side)
{
  return side == HM_COMPARE_SIDE_A ? hunk->a_offset : hunk->b_offset;
}

static inline guint64
hunk_length (const HmHunk  *hunk,
             HmCompareSide  side)
{
  return side == HM_COMPARE_SIDE_A ? hunk->a_length : hunk->b_length;
}

static inline HmHunk *
hunk_at (HmCompareView *self,
         guint          index)
{
  return &g_array_index (self->hunks, HmHunk, index);
}

/* The number of hunks that start at or before @offset on @side. */
static guint
hunks_up_to (HmCompareView *self,
             HmCompareSide  side,
             guint64        offset)
{
  guint lo = 0, hi = self->hunks->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (hunk_offset (hunk_at (self, mid), side) <= offset)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The hunk whose bytes on @side hold @offset, or -1. */
static gint64
hunk_containing (HmCompareView *self,
                 HmCompareSide  side,
                 guint64        offset)
{
  guint n = hunks_up_to (self, side, offset);

  /* Pure insertions at the same offset come first: look back past them. */
  for (guint i = n; i > 0; i--)
    {
      const HmHunk *h = hunk_at (self, i - 1);

      if (offset < hunk_offset (h, side) + hunk_length (h, side))
        return i - 1;
      if (hunk_length (h, side) > 0)
        break;
    }
  return -1;
}

/**
 * hm_compare_view_map_offset:
 * @self: a #HmCompareView
 * @from: the side @offset is on
 * @offset: an offset on @from
 *
 * Returns: the offset on the other side that corresponds to @offset: the same
 *   one byte for byte; with insertions, the same distance into the hunk or
 *   from the end of the last hunk before it (unclipped)
 */
guint64
hm_compare_view_map_offset (HmCompareView *self,
                            HmCompareSide  from,
                            guint64        offset)
{
  HmCompareSide to = from == HM_COMPARE_SIDE_A ? HM_COMPARE_SIDE_B : HM_COMPARE_SIDE_A;
  const HmHunk *h;
  guint n;
  guint64 start, length;

  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), offset);

  if (self->mode == HM_COMPARE_BYTES)
    return offset;
  n = hunks_up_to (self, from, offset);
  if (n == 0)
    return offset;
  h = hunk_at (self, n - 1);
  start = hunk_offset (h, from);
  length = hunk_length (h, from);
  if (offset < start + length)
    return hunk_offset (h, to) + MIN (offset - start, hunk_length (h, to) > 0 ? hunk_length (h, to) - 1 : 0);
  return hunk_offset (h, to) + hunk_length (h, to) + (offset - start - length);
}

/* ---- Status ---- */

static void
set_status (HmCompareView *self,
            char          *status)
{
  if (g_strcmp0 (status, self->status) == 0)
    {
      g_free (status);
      return;
    }
  g_free (self->status);
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

void
_hm_compare_view_update_status (HmCompareView *self)
{
  guint64 n = self->hunks->len;

  if (self->running)
    set_status (self, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "Comparing… %" G_GUINT64_FORMAT " difference so far",
                                                    "Comparing… %" G_GUINT64_FORMAT " differences so far", n),
                                       n));
  else if (n == 0)
    set_status (self, g_strdup (_("No differences")));
  else if (self->current >= 0)
    set_status (self, g_strdup_printf (_("Difference %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT),
                                       (guint64) self->current + 1, n));
  else
    set_status (self, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "%" G_GUINT64_FORMAT " difference",
                                                    "%" G_GUINT64_FORMAT " differences", n),
                                       n));
}

void
_hm_compare_view_set_message (HmCompareView *self,
                              const char    *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
  if (self->message_label == NULL)
    return;
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

/* The results changed: more arrived, or a region was compared again. */
void
_hm_compare_view_results_changed (HmCompareView *self)
{
  /* The difference under the cursor, after a region was compared again. */
  if (self->current < 0 || self->current >= (gint64) self->hunks->len)
    self->current = hunk_containing (self, HM_COMPARE_SIDE_A, hm_hex_view_get_cursor_offset (self->view_a));
  gtk_widget_queue_draw (GTK_WIDGET (self->view_a));
  gtk_widget_queue_draw (GTK_WIDGET (self->view_b));
  hm_compare_map_invalidate (self->map_a);
  hm_compare_map_invalidate (self->map_b);
  _hm_compare_view_update_status (self);
}

/* ---- Faults of side B and of the compare ---- */

static void
fault_response_cb (HmFaultResponse response,
                   gpointer        user_data)
{
  g_autoptr(HmCompareView) self = user_data;

  self->fault_dialog = NULL;
  switch (response)
    {
    case HM_FAULT_RESPONSE_RETRY:
      hm_hex_view_retry (self->view_b);
      _hm_compare_view_start (self);
      break;
    case HM_FAULT_RESPONSE_CLOSE:
      g_signal_emit (self, signals[SIGNAL_CLOSE_REQUESTED], 0);
      break;
    case HM_FAULT_RESPONSE_RELOAD:
      {
        g_autoptr(GError) error = NULL;

        if ((hm_document_get_has_pending (self->doc_b) && !hm_document_discard (self->doc_b, &error))
            || !hm_document_refresh (self->doc_b, &error))
          _hm_compare_view_set_message (self, error->message);
        hm_hex_view_retry (self->view_b);
        _hm_compare_view_start (self);
      }
      break;
    case HM_FAULT_RESPONSE_SAVE_AS:
    case HM_FAULT_RESPONSE_KEEP_PENDING:
    case HM_FAULT_RESPONSE_OVERWRITE:
    case HM_FAULT_RESPONSE_CANCEL:
    default:
      break;
    }
}

/* A fault of the compare or of side B, in a dialog for the document it names
 * (one at a time; the page shows side A's own faults). */
void
_hm_compare_view_show_fault (HmCompareView *self,
                             const GError  *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  HmDocument *document = self->doc_b;

  if (self->fault_dialog != NULL || !GTK_IS_WINDOW (root))
    {
      _hm_compare_view_set_message (self, error->message);
      return;
    }
  if (strstr (error->message, hm_document_get_display_name (self->doc_a)) != NULL
      && strstr (error->message, hm_document_get_display_name (self->doc_b)) == NULL)
    document = self->doc_a;
  self->fault_dialog = hm_fault_dialog_show (GTK_WINDOW (root), document, error, fault_response_cb,
                                             g_object_ref (self));
}

static void
view_b_read_fault_cb (HmCompareView *self,
                      const GError  *error)
{
  _hm_compare_view_show_fault (self, error);
}

/* ---- Scrolling and cursors together ---- */

static HmHexView *
side_view (HmCompareView *self,
           HmCompareSide  side)
{
  return side == HM_COMPARE_SIDE_A ? self->view_a : self->view_b;
}

static HmDocument *
side_document (HmCompareView *self,
               HmCompareSide  side)
{
  return side == HM_COMPARE_SIDE_A ? self->doc_a : self->doc_b;
}

static guint64
clip_offset (HmCompareView *self,
             HmCompareSide  side,
             guint64        offset)
{
  guint64 size = hm_document_get_size (side_document (self, side));

  return size > 0 ? MIN (offset, size - 1) : 0;
}

/* The other side's top row follows @from's. */
static void
follow_scroll (HmCompareView *self,
               HmCompareSide  from)
{
  HmCompareSide to = from == HM_COMPARE_SIDE_A ? HM_COMPARE_SIDE_B : HM_COMPARE_SIDE_A;
  HmHexView *source = side_view (self, from);
  HmHexView *target = side_view (self, to);
  guint64 top = hm_hex_view_get_top_row (source) * MAX (hm_hex_view_get_bytes_per_row (source), 1);
  guint64 mapped = hm_compare_view_map_offset (self, from, top);

  self->syncing = TRUE;
  hm_hex_view_set_top_row (target, mapped / MAX (hm_hex_view_get_bytes_per_row (target), 1));
  self->syncing = FALSE;
}

static void
adjustment_a_changed_cb (HmCompareView *self)
{
  if (!self->syncing)
    follow_scroll (self, HM_COMPARE_SIDE_A);
}

static void
adjustment_b_changed_cb (HmCompareView *self)
{
  if (!self->syncing)
    follow_scroll (self, HM_COMPARE_SIDE_B);
}

static void
follow_cursor (HmCompareView *self,
               HmCompareSide  from)
{
  HmCompareSide to = from == HM_COMPARE_SIDE_A ? HM_COMPARE_SIDE_B : HM_COMPARE_SIDE_A;
  guint64 cursor = hm_hex_view_get_cursor_offset (side_view (self, from));
  gint64 index = hunk_containing (self, from, cursor);

  self->syncing = TRUE;
  hm_hex_view_set_cursor_offset (side_view (self, to),
                                 clip_offset (self, to, hm_compare_view_map_offset (self, from, cursor)));
  self->syncing = FALSE;
  follow_scroll (self, from);
  if (index >= 0)
    self->current = index;
  else if (self->current >= 0 && hunk_containing (self, from, cursor) != self->current)
    self->current = -1;
  _hm_compare_view_update_status (self);
}

static void
cursor_a_changed_cb (HmCompareView *self)
{
  if (!self->syncing)
    follow_cursor (self, HM_COMPARE_SIDE_A);
}

static void
cursor_b_changed_cb (HmCompareView *self)
{
  if (!self->syncing)
    follow_cursor (self, HM_COMPARE_SIDE_B);
}

/* ---- Going from difference to difference ---- */

/**
 * hm_compare_view_get_focus_side:
 * @self: a #HmCompareView
 *
 * Returns: %HM_COMPARE_SIDE_B while the focus is in the second view, else
 *   %HM_COMPARE_SIDE_A
 */
HmCompareSide
hm_compare_view_get_focus_side (HmCompareView *self)
{
  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), HM_COMPARE_SIDE_A);
  return gtk_widget_has_focus (GTK_WIDGET (self->view_b)) ? HM_COMPARE_SIDE_B : HM_COMPARE_SIDE_A;
}

/* Shows @offset a third of the way down, unless it is on screen already. */
static void
scroll_into_view (HmHexView *view,
                  guint64    offset)
{
  guint64 first, last, row;
  guint rows = hm_hex_view_get_n_visible_rows (view);

  if (hm_hex_view_get_visible_range (view, &first, &last) && offset >= first && offset <= last
      && offset / MAX (hm_hex_view_get_bytes_per_row (view), 1) + 1 < hm_hex_view_get_top_row (view) + rows)
    return;
  row = offset / MAX (hm_hex_view_get_bytes_per_row (view), 1);
  hm_hex_view_set_top_row (view, row > rows / 3 ? row - rows / 3 : 0);
}

/**
 * hm_compare_view_go_to:
 * @self: a #HmCompareView
 * @index: a difference, from 0
 *
 * Puts both cursors on the start of difference @index and scrolls both views
 * to it.
 *
 * Returns: %FALSE if there is no such difference
 */
gboolean
hm_compare_view_go_to (HmCompareView *self,
                       guint          index)
{
  const HmHunk *h;
  HmCompareSide side;

  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), FALSE);

  if (index >= self->hunks->len)
    return FALSE;
  h = hunk_at (self, index);
  side = hm_compare_view_get_focus_side (self);
  self->syncing = TRUE;
  hm_hex_view_set_cursor_offset (self->view_a, clip_offset (self, HM_COMPARE_SIDE_A, h->a_offset));
  hm_hex_view_set_cursor_offset (self->view_b, clip_offset (self, HM_COMPARE_SIDE_B, h->b_offset));
  scroll_into_view (side_view (self, side), clip_offset (self, side, hunk_offset (h, side)));
  self->syncing = FALSE;
  follow_scroll (self, side);
  self->current = index;
  _hm_compare_view_update_status (self);
  return TRUE;
}

/**
 * hm_compare_view_go_next:
 * @self: a #HmCompareView
 * @forward: %TRUE for the next difference, %FALSE for the previous one
 *
 * Goes to the difference after (or before) the cursor of the view with the
 * focus (F6, Shift+F6).
 *
 * Returns: %FALSE when there is none that way (a message says so)
 */
gboolean
hm_compare_view_go_next (HmCompareView *self,
                         gboolean       forward)
{
  HmCompareSide side;
  guint64 cursor;
  gint64 target;

  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), FALSE);

  side = hm_compare_view_get_focus_side (self);
  cursor = hm_hex_view_get_cursor_offset (side_view (self, side));
  if (self->current >= 0 && clip_offset (self, side, hunk_offset (hunk_at (self, (guint) self->current), side)) == cursor)
    target = forward ? self->current + 1 : self->current - 1;
  else if (forward)
    target = hunks_up_to (self, side, cursor);
  else
    {
      /* The last difference that starts before the cursor. */
      guint n = hunks_up_to (self, side, cursor);

      while (n > 0 && hunk_offset (hunk_at (self, n - 1), side) >= cursor)
        n--;
      target = (gint64) n - 1;
    }

  if (target < 0 || target >= (gint64) self->hunks->len)
    {
      _hm_compare_view_set_message (self, self->hunks->len == 0 ? _("No differences")
                                    : forward ? _("No more differences after the cursor")
                                    : _("No more differences before the cursor"));
      return FALSE;
    }
  _hm_compare_view_set_message (self, NULL);
  return hm_compare_view_go_to (self, (guint) target);
}

static void
map_jump_cb (HmCompareView *self,
             guint64        offset,
             HmCompareMap  *map)
{
  HmCompareSide side = map == self->map_a ? HM_COMPARE_SIDE_A : HM_COMPARE_SIDE_B;
  gint64 index = hunk_containing (self, side, offset);

  if (index >= 0)
    {
      gtk_widget_grab_focus (GTK_WIDGET (side_view (self, side)));
      hm_compare_view_go_to (self, (guint) index);
      return;
    }
  hm_hex_view_set_cursor_offset (side_view (self, side), clip_offset (self, side, offset));
  hm_hex_view_scroll_to_offset (side_view (self, side), clip_offset (self, side, offset));
}

/* ---- Copying a difference to the other side ---- */

/**
 * hm_compare_view_copy_run:
 * @self: a #HmCompareView
 * @from: the side whose bytes are copied
 * @error: return location for an error
 *
 * Writes the bytes of the difference under @from's cursor (or the one last
 * gone to) into the other document, as an ordinary pending edit there. The
 * comparison of that region is refreshed afterwards.
 *
 * Returns: %FALSE with @error set (and shown in the bar) when there is no
 *   difference there, the other side is read-only, the difference has a
 *   different length on each side, or the write fails
 */
gboolean
hm_compare_view_copy_run (HmCompareView  *self,
                          HmCompareSide   from,
                          GError        **error)
{
  HmCompareSide to = from == HM_COMPARE_SIDE_A ? HM_COMPARE_SIDE_B : HM_COMPARE_SIDE_A;
  HmDocument *source = side_document (self, from);
  HmDocument *target = side_document (self, to);
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *data = NULL;
  const HmHunk *h;
  gint64 index;
  guint64 length;
  gsize done = 0;

  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), FALSE);

  index = hunk_containing (self, from, hm_hex_view_get_cursor_offset (side_view (self, from)));
  if (index < 0)
    index = self->current;
  if (index < 0)
    {
      g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("Put the cursor in a difference first (F6 goes to the next one)."));
      goto out;
    }
  h = hunk_at (self, (guint) index);
  length = hunk_length (h, from);
  if (hm_document_get_mode (target) == HM_DOCUMENT_MODE_READ_ONLY)
    {
      g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_READ_ONLY,
                   _("“%s” is read-only: choose Preview or Direct for it to copy into it."),
                   hm_document_get_display_name (target));
      goto out;
    }
  if (length != hunk_length (h, to) || length == 0)
    {
      g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("This difference is %" G_GUINT64_FORMAT " bytes long in “%s” and %" G_GUINT64_FORMAT
                     " in “%s”: copying it would insert or delete bytes, which Hexmap cannot do."),
                   length, hm_document_get_display_name (source), hunk_length (h, to),
                   hm_document_get_display_name (target));
      goto out;
    }
  if (length > MAX_COPY_LENGTH)
    {
      g_autofree char *limit = g_format_size_full (MAX_COPY_LENGTH, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("This difference is longer than %s: copy a part of it with the clipboard."), limit);
      goto out;
    }

  data = g_malloc ((gsize) length);
  while (done < length)
    {
      gssize n = hm_document_read (source, hunk_offset (h, from) + done, data + done, (gsize) length - done,
                                   &local_error);

      if (n <= 0)
        {
          if (local_error == NULL)
            g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_FAILED, _("“%s” ended while reading it."),
                         hm_document_get_display_name (source));
          goto out;
        }
      done += (gsize) n;
    }
  hm_document_write (target, hunk_offset (h, to), data, (gsize) length, HM_EDIT_NONE, &local_error);

out:
  if (local_error != NULL)
    {
      _hm_compare_view_set_message (self, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  _hm_compare_view_set_message (self, NULL);
  return TRUE;
}

static void
copy_right_clicked_cb (HmCompareView *self)
{
  hm_compare_view_copy_run (self, HM_COMPARE_SIDE_A, NULL);
}

static void
copy_left_clicked_cb (HmCompareView *self)
{
  hm_compare_view_copy_run (self, HM_COMPARE_SIDE_B, NULL);
}

/* ---- Side B's mode and saving ---- */

static void
update_b_state (HmCompareView *self)
{
  HmDocumentMode mode = hm_document_get_mode (self->doc_b);

  self->updating_mode = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    if (modes[i] == mode)
      gtk_drop_down_set_selected (self->mode_b_drop, i);
  self->updating_mode = FALSE;
  gtk_widget_set_sensitive (self->save_b_button,
                            hm_document_get_has_pending (self->doc_b) && self->save_cancellable == NULL);
}

static void
mode_b_selected_cb (HmCompareView *self)
{
  guint selected = gtk_drop_down_get_selected (self->mode_b_drop);
  g_autoptr(GError) error = NULL;

  if (self->updating_mode || selected >= G_N_ELEMENTS (modes))
    return;
  if (!hm_document_set_mode (self->doc_b, modes[selected], &error))
    _hm_compare_view_set_message (self, error->message);
  update_b_state (self);
}

static void
save_b_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(HmCompareView) self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->save_cancellable);
  if (!hm_document_save_finish (HM_DOCUMENT (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _hm_compare_view_show_fault (self, error);
  if (self->doc_b != NULL)
    update_b_state (self);
}

static void
save_b_clicked_cb (HmCompareView *self)
{
  if (self->save_cancellable != NULL)
    return;
  self->save_cancellable = g_cancellable_new ();
  hm_document_save_async (self->doc_b, NULL, self->save_cancellable, NULL, NULL, save_b_done_cb,
                          g_object_ref (self));
  update_b_state (self);
}

/* ---- Aligned or with insertions ---- */

/**
 * hm_compare_view_set_mode:
 * @self: a #HmCompareView
 * @mode: byte for byte (aligned) or with insertions
 *
 * Compares again in @mode.
 */
void
hm_compare_view_set_mode (HmCompareView *self,
                          HmCompareMode  mode)
{
  g_return_if_fail (HM_IS_COMPARE_VIEW (self));

  if (gtk_drop_down_get_selected (self->kind_drop) != (guint) mode)
    gtk_drop_down_set_selected (self->kind_drop, (guint) mode);
  if (self->mode == mode)
    return;
  self->mode = mode;
  _hm_compare_view_start (self);
}

static void
kind_selected_cb (HmCompareView *self)
{
  hm_compare_view_set_mode (self, gtk_drop_down_get_selected (self->kind_drop) == HM_COMPARE_INSERTIONS
                                  ? HM_COMPARE_INSERTIONS : HM_COMPARE_BYTES);
}

/* ---- The bar ---- */

static GtkWidget *
icon_button (const char *icon,
             const char *tooltip,
             const char *action)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_button_set_has_frame (GTK_BUTTON (button), FALSE);
  if (action != NULL)
    gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  return button;
}

static void
close_clicked_cb (HmCompareView *self)
{
  g_signal_emit (self, signals[SIGNAL_CLOSE_REQUESTED], 0);
}

static gboolean
escape_cb (GtkWidget *widget,
           GVariant  *args,
           gpointer   user_data)
{
  g_signal_emit (HM_COMPARE_VIEW (user_data), signals[SIGNAL_CLOSE_REQUESTED], 0);
  return TRUE;
}

static void
add_escape (HmCompareView *self,
            GtkWidget     *widget)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_callback_action_new (escape_cb, self, NULL)));
  gtk_widget_add_controller (widget, controller);
}

static void
build_bar (HmCompareView *self)
{
  GtkBox *bar = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6));
  const char *mode_names[] = { _("Read-Only"), _("Preview"), _("Direct"), NULL };
  const char *kind_names[] = { _("Aligned"), _("With Insertions"), NULL };
  g_autofree char *name = g_filename_display_basename (hm_document_get_path (self->doc_b));
  g_autofree char *tooltip = g_strdup_printf (_("Compared with %s"), hm_document_get_display_name (self->doc_b));
  GtkWidget *button;

  self->bar = g_object_ref_sink (GTK_WIDGET (bar));
  gtk_widget_add_css_class (self->bar, "toolbar");
  gtk_widget_add_css_class (self->bar, "compare-bar");
  add_escape (self, self->bar);

  self->name_label = GTK_LABEL (gtk_label_new (name));
  gtk_label_set_ellipsize (self->name_label, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (GTK_WIDGET (self->name_label), "heading");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), tooltip);
  gtk_widget_set_margin_start (GTK_WIDGET (self->name_label), 6);
  gtk_box_append (bar, GTK_WIDGET (self->name_label));

  self->mode_b_drop = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (mode_names));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mode_b_drop), _("How the second file may be edited"));
  g_signal_connect_object (self->mode_b_drop, "notify::selected", G_CALLBACK (mode_b_selected_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (bar, GTK_WIDGET (self->mode_b_drop));

  self->save_b_button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_set_tooltip_text (self->save_b_button, _("Save the edits of the second file"));
  g_signal_connect_object (self->save_b_button, "clicked", G_CALLBACK (save_b_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (bar, self->save_b_button);

  gtk_box_append (bar, gtk_separator_new (GTK_ORIENTATION_VERTICAL));
  self->kind_drop = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (kind_names));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->kind_drop),
                               _("Aligned: byte against byte at the same offset. With insertions: "
                                 "find inserted and deleted bytes too."));
  g_signal_connect_object (self->kind_drop, "notify::selected", G_CALLBACK (kind_selected_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (bar, GTK_WIDGET (self->kind_drop));

  gtk_box_append (bar, icon_button ("go-up-symbolic", _("Previous Difference (Shift+F6)"),
                                    "page.compare-previous"));
  gtk_box_append (bar, icon_button ("go-down-symbolic", _("Next Difference (F6)"), "page.compare-next"));

  button = gtk_button_new_with_label (_("Copy →"));
  gtk_widget_set_tooltip_text (button, _("Copy this difference from the left file into the right one"));
  g_signal_connect_object (button, "clicked", G_CALLBACK (copy_right_clicked_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (bar, button);
  button = gtk_button_new_with_label (_("← Copy"));
  gtk_widget_set_tooltip_text (button, _("Copy this difference from the right file into the left one"));
  g_signal_connect_object (button, "clicked", G_CALLBACK (copy_left_clicked_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (bar, button);

  self->message_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->message_label, 0);
  gtk_label_set_ellipsize (self->message_label, PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (GTK_WIDGET (self->message_label), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");
  gtk_box_append (bar, GTK_WIDGET (self->message_label));

  self->progress_bar = gtk_progress_bar_new ();
  gtk_widget_set_valign (self->progress_bar, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (self->progress_bar, 100, -1);
  gtk_widget_set_visible (self->progress_bar, FALSE);
  gtk_box_append (bar, self->progress_bar);

  button = icon_button ("window-close-symbolic", _("Close the Compare (Escape)"), NULL);
  g_signal_connect_object (button, "clicked", G_CALLBACK (close_clicked_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (bar, button);
}

/* ---- GObject ---- */

static void
hm_compare_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  HmCompareView *self = HM_COMPARE_VIEW (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/**
 * hm_compare_view_stop:
 * @self: a #HmCompareView
 *
 * Cancels the compare and lets go of both views: the page calls it when the
 * compare closes. The first view no longer highlights differences.
 */
void
hm_compare_view_stop (HmCompareView *self)
{
  g_return_if_fail (HM_IS_COMPARE_VIEW (self));

  _hm_compare_view_cancel (self);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->save_cancellable != NULL)
    g_cancellable_cancel (self->save_cancellable);
  if (self->fault_dialog != NULL)
    gtk_window_destroy (g_steal_pointer (&self->fault_dialog));
  if (self->view_a != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->view_a, self);
      g_signal_handlers_disconnect_by_data (hm_hex_view_get_vadjustment (self->view_a), self);
      hm_hex_view_set_differences (self->view_a, NULL);
    }
  if (self->view_b != NULL)
    hm_hex_view_set_document (self->view_b, NULL);
  if (self->doc_a != NULL)
    g_signal_handlers_disconnect_by_data (self->doc_a, self);
  if (self->doc_b != NULL)
    g_signal_handlers_disconnect_by_data (self->doc_b, self);
  if (self->map_a != NULL)
    hm_compare_map_attach (self->map_a, NULL, NULL, NULL);
  if (self->map_b != NULL)
    hm_compare_map_attach (self->map_b, NULL, NULL, NULL);
}

static void
hm_compare_view_dispose (GObject *object)
{
  HmCompareView *self = HM_COMPARE_VIEW (object);
  GtkWidget *child;

  hm_compare_view_stop (self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  if (self->bar != NULL && gtk_widget_get_parent (self->bar) != NULL)
    gtk_widget_unparent (self->bar);
  g_clear_object (&self->bar);
  self->view_b = NULL;
  self->map_a = NULL;
  self->map_b = NULL;
  g_clear_object (&self->view_a);
  g_clear_object (&self->doc_a);
  g_clear_object (&self->doc_b);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (hm_compare_view_parent_class)->dispose (object);
}

static void
hm_compare_view_finalize (GObject *object)
{
  HmCompareView *self = HM_COMPARE_VIEW (object);

  g_array_unref (self->hunks);
  g_array_unref (self->ranges_a);
  g_array_unref (self->ranges_b);
  g_free (self->status);
  g_free (self->message);
  G_OBJECT_CLASS (hm_compare_view_parent_class)->finalize (object);
}

static void
hm_compare_view_class_init (HmCompareViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = hm_compare_view_get_property;
  object_class->dispose = hm_compare_view_dispose;
  object_class->finalize = hm_compare_view_finalize;

  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CLOSE_REQUESTED] =
    g_signal_new ("close-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "compareview");
}

static void
hm_compare_view_init (HmCompareView *self)
{
  self->hunks = g_array_new (FALSE, FALSE, sizeof (HmHunk));
  self->ranges_a = g_array_new (FALSE, FALSE, sizeof (HmRange));
  self->ranges_b = g_array_new (FALSE, FALSE, sizeof (HmRange));
  self->current = -1;
  self->mode = HM_COMPARE_BYTES;
}

/**
 * hm_compare_view_new:
 * @view_a: the page's view, whose document is the first file
 * @document_b: the second file
 *
 * Returns: (transfer floating): the compare, already running
 */
HmCompareView *
hm_compare_view_new (HmHexView  *view_a,
                     HmDocument *document_b)
{
  HmCompareView *self;
  GtkWidget *view_b;

  g_return_val_if_fail (HM_IS_HEX_VIEW (view_a), NULL);
  g_return_val_if_fail (HM_IS_DOCUMENT (hm_hex_view_get_document (view_a)), NULL);
  g_return_val_if_fail (HM_IS_DOCUMENT (document_b), NULL);

  self = g_object_new (HM_TYPE_COMPARE_VIEW, NULL);
  self->view_a = g_object_ref (view_a);
  self->doc_a = g_object_ref (hm_hex_view_get_document (view_a));
  self->doc_b = g_object_ref (document_b);
  self->size_b = hm_document_get_size (document_b);
  self->settings = g_settings_new (APP_ID);

  self->map_a = HM_COMPARE_MAP (hm_compare_map_new ());
  self->map_b = HM_COMPARE_MAP (hm_compare_map_new ());
  view_b = hm_hex_view_new ();
  self->view_b = HM_HEX_VIEW (view_b);
  gtk_widget_set_hexpand (view_b, TRUE);
  gtk_widget_set_vexpand (view_b, TRUE);
  gtk_widget_set_parent (GTK_WIDGET (self->map_a), GTK_WIDGET (self));
  gtk_widget_set_parent (gtk_separator_new (GTK_ORIENTATION_VERTICAL), GTK_WIDGET (self));
  gtk_widget_set_parent (view_b, GTK_WIDGET (self));
  gtk_widget_set_parent (GTK_WIDGET (self->map_b), GTK_WIDGET (self));
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  add_escape (self, GTK_WIDGET (self));

  hm_hex_view_set_document (self->view_b, document_b);
  g_settings_bind (self->settings, "bytes-per-row", self->view_b, "bytes-per-row", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "group-size", self->view_b, "group-size", G_SETTINGS_BIND_GET);
  /* The same layout as the page's view, so their rows line up. */
  g_settings_bind (self->settings, "column-gap", self->view_b, "column-gap", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "column-header", self->view_b, "show-header", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "offset-format", self->view_b, "offset-format", G_SETTINGS_BIND_GET);
  /* Both ways, as the page's view: zooming either view zooms both. */
  g_settings_bind (self->settings, "zoom", self->view_b, "zoom", G_SETTINGS_BIND_DEFAULT);
  hm_hex_view_set_differences (self->view_a, self->ranges_a);
  hm_hex_view_set_differences (self->view_b, self->ranges_b);
  hm_compare_map_attach (self->map_a, self->view_a, self->doc_a, self->ranges_a);
  hm_compare_map_attach (self->map_b, self->view_b, self->doc_b, self->ranges_b);
  g_signal_connect_object (self->map_a, "jump", G_CALLBACK (map_jump_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->map_b, "jump", G_CALLBACK (map_jump_cb), self, G_CONNECT_SWAPPED);

  build_bar (self);
  update_b_state (self);

  g_signal_connect_object (hm_hex_view_get_vadjustment (self->view_a), "value-changed",
                           G_CALLBACK (adjustment_a_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (hm_hex_view_get_vadjustment (self->view_b), "value-changed",
                           G_CALLBACK (adjustment_b_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_a, "notify::cursor-offset", G_CALLBACK (cursor_a_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_b, "notify::cursor-offset", G_CALLBACK (cursor_b_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_b, "read-fault", G_CALLBACK (view_b_read_fault_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->doc_a, "changed", G_CALLBACK (_hm_compare_view_doc_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->doc_b, "changed", G_CALLBACK (_hm_compare_view_doc_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->doc_a, "notify::size", G_CALLBACK (_hm_compare_view_size_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->doc_b, "content-changed", G_CALLBACK (_hm_compare_view_b_content_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->doc_b, "notify::size", G_CALLBACK (_hm_compare_view_b_size_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->doc_b, "notify::mode", G_CALLBACK (update_b_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->doc_b, "notify::has-pending", G_CALLBACK (update_b_state), self,
                           G_CONNECT_SWAPPED);

  _hm_compare_view_start (self);
  return self;
}

/* ---- Getters ---- */

GtkWidget *
hm_compare_view_get_bar (HmCompareView *self)
{
  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), NULL);
  return self->bar;
}

HmHexView *
hm_compare_view_get_view (HmCompareView *self,
                          HmCompareSide  side)
{
  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), NULL);
  return side_view (self, side);
}

HmDocument *
hm_compare_view_get_document (HmCompareView *self,
                              HmCompareSide  side)
{
  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), NULL);
  return side_document (self, side);
}

HmCompareMap *
hm_compare_view_get_map (HmCompareView *self,
                         HmCompareSide  side)
{
  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), NULL);
  return side == HM_COMPARE_SIDE_A ? self->map_a : self->map_b;
}

HmCompareMode
hm_compare_view_get_mode (HmCompareView *self)
{
  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), HM_COMPARE_BYTES);
  return self->mode;
}

const char *
hm_compare_view_get_status (HmCompareView *self)
{
  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), NULL);
  return self->status;
}

/* The note in the bar (a refusal, a region too different to align), or NULL. */
const char *
hm_compare_view_get_message (HmCompareView *self)
{
  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), NULL);
  return self->message;
}

gboolean
hm_compare_view_get_running (HmCompareView *self)
{
  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), FALSE);
  return self->running || self->refresh_source != 0;
}

guint64
hm_compare_view_get_n_differences (HmCompareView *self)
{
  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), 0);
  return self->hunks->len;
}

/* Every difference found so far, in order (HmHunk; byte for byte, a run has
 * the same offset on both sides). */
const GArray *
hm_compare_view_get_hunks (HmCompareView *self)
{
  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), NULL);
  return self->hunks;
}

gint64
hm_compare_view_get_current (HmCompareView *self)
{
  g_return_val_if_fail (HM_IS_COMPARE_VIEW (self), -1);
  return self->current;
}
