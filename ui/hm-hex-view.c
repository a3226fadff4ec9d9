/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView: a virtual hex view for files of any size.
 *
 * Scrolling. The vertical adjustment counts rows, not pixels, and the widget owns
 * the scrollbar beside it. A file of 2^62 bytes has 2^58 rows of 16 bytes: more
 * than a double holds exactly (53 bits). So the exact top row is a guint64 kept
 * here, and the adjustment is only a coarse mirror of it: keyboard, wheel and
 * cursor moves change the guint64 and push an approximate value to the adjustment
 * (ignoring the echo); a drag of the scrollbar maps its value back to a row, and a
 * value at the end of the range means exactly the last page. Every row stays
 * reachable by keyboard, and every place in the file by dragging.
 *
 * Drawing. Only visible rows are drawn. Each frame copies the visible bytes once,
 * with one guarded hm_document_read(), into a buffer the widget reuses; no pointer
 * into mapped memory outlives the call. If the read faults, the range is read
 * again page by page and the pages that fail are drawn as `??`. Backgrounds come
 * first (edits, search matches, selection, cursor), then the text: every glyph
 * of the monospace font is shaped once into a cache, and each row becomes one text
 * node per colour, filled straight from the cache, with no Pango layout per row.
 *
 * Colours. data/style.css defines named colours (`@define-color hm_zero_color …`)
 * derived from the theme's own colours, so they follow the light or dark style; the
 * widget looks them up by name for each frame and falls back to a built-in palette
 * when the style sheet is missing.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-hex-view-private.h"
#include "hm-view-reader.h"

#define WHEEL_ROWS        3.0

G_DEFINE_FINAL_TYPE (HmHexView, hm_hex_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_DOCUMENT,
  PROP_CURSOR_OFFSET,
  PROP_SELECTION_START,
  PROP_SELECTION_LENGTH,
  PROP_PANE,
  PROP_BYTES_PER_ROW,
  PROP_GROUP_SIZE,
  N_PROPS
};

enum
{
  SIGNAL_READ_FAULT,
  SIGNAL_HINT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- Signals: the other files emit them through these ---- */

void
_hm_hex_view_hint (HmHexView  *self,
                   const char *message)
{
  g_signal_emit (self, signals[SIGNAL_HINT], 0, message);
}

void
_hm_hex_view_emit_read_fault (HmHexView    *self,
                              const GError *error)
{
  g_signal_emit (self, signals[SIGNAL_READ_FAULT], 0, error);
}

/* ---- Scrolling ---- */

void
_hm_hex_view_stop_kinetic (HmHexView *self)
{
  if (self->kinetic_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->kinetic_tick);
  self->kinetic_tick = 0;
  self->kinetic_velocity = 0;
}

static double
scroll_pixels_per_unit (HmHexView                *self,
                        GtkEventControllerScroll *controller)
{
  if (gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL)
    return WHEEL_ROWS * MAX (self->row_height, 1);
  return 1.0;
}

static gboolean
scroll_cb (HmHexView                *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *controller)
{
  _hm_hex_view_scroll_pixels (self, dy * scroll_pixels_per_unit (self, controller));
  return TRUE;
}

static void
scroll_begin_cb (HmHexView *self)
{
  _hm_hex_view_stop_kinetic (self);
}

static gboolean
at_scroll_end (HmHexView *self)
{
  return (self->top_row == 0 && self->scroll_pixel == 0) || self->top_row >= _hm_hex_view_max_top_row (self);
}

static gboolean
kinetic_tick_cb (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       user_data)
{
  HmHexView *self = HM_HEX_VIEW (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  double dt = (now - self->kinetic_last_time) / (double) G_USEC_PER_SEC;

  self->kinetic_last_time = now;
  _hm_hex_view_scroll_pixels (self, self->kinetic_velocity * dt);
  /* Friction: a flick coasts for about a second. */
  self->kinetic_velocity /= 1.0 + 4.0 * dt;
  if (ABS (self->kinetic_velocity) < 10.0 || at_scroll_end (self))
    {
      self->kinetic_tick = 0;
      self->kinetic_velocity = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
decelerate_cb (HmHexView                *self,
               double                    vx,
               double                    vy,
               GtkEventControllerScroll *controller)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  _hm_hex_view_stop_kinetic (self);
  if (clock == NULL)
    return;
  self->kinetic_velocity = vy * scroll_pixels_per_unit (self, controller);
  self->kinetic_last_time = gdk_frame_clock_get_frame_time (clock);
  self->kinetic_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), kinetic_tick_cb, NULL, NULL);
}

/* ---- Cursor and selection ---- */

guint64
hm_hex_view_get_selection_start (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 0);
  return self->has_selection ? MIN (self->anchor, self->cursor) : self->cursor;
}

guint64
hm_hex_view_get_selection_length (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 0);
  if (!self->has_selection)
    return 0;
  return MAX (self->anchor, self->cursor) - MIN (self->anchor, self->cursor) + 1;
}

static void
ensure_cursor_visible (HmHexView *self)
{
  guint64 row = self->cursor / self->bytes_per_row;
  guint rows = MAX (self->n_full_rows, 1);

  if (row < self->top_row || (row == self->top_row && self->scroll_pixel > 0))
    hm_hex_view_set_top_row (self, row);
  else if (row >= self->top_row + rows)
    hm_hex_view_set_top_row (self, row - rows + 1);
}

/* Moves the cursor; with @extend the selection grows from its anchor, without it
 * the selection goes away. Notifies only what changed. */
void
_hm_hex_view_move_cursor (HmHexView *self,
                          guint64    offset,
                          gboolean   extend)
{
  guint64 old_start = hm_hex_view_get_selection_start (self);
  guint64 old_length = hm_hex_view_get_selection_length (self);
  guint64 old_cursor = self->cursor;
  guint64 size = _hm_hex_view_doc_size (self);

  offset = size > 0 ? MIN (offset, size - 1) : 0;

  if (extend && !self->has_selection)
    {
      self->anchor = self->cursor;
      self->has_selection = TRUE;
    }
  else if (!extend)
    {
      self->has_selection = FALSE;
      self->anchor = offset;
    }
  self->cursor = offset;
  self->low_nibble = FALSE;

  ensure_cursor_visible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (old_cursor != self->cursor)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR_OFFSET]);
      _hm_hex_view_announce_cursor (self);
    }
  if (old_start != hm_hex_view_get_selection_start (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION_START]);
  if (old_length != hm_hex_view_get_selection_length (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION_LENGTH]);
  g_object_thaw_notify (G_OBJECT (self));
}

guint64
hm_hex_view_get_cursor_offset (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 0);
  return self->cursor;
}

void
hm_hex_view_set_cursor_offset (HmHexView *self,
                               guint64    offset)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  _hm_hex_view_move_cursor (self, offset, FALSE);
}

void
hm_hex_view_set_selection (HmHexView *self,
                           guint64    start,
                           guint64    length)
{
  guint64 size;

  g_return_if_fail (HM_IS_HEX_VIEW (self));

  size = _hm_hex_view_doc_size (self);
  if (length == 0 || size == 0)
    {
      _hm_hex_view_move_cursor (self, start, FALSE);
      return;
    }
  start = MIN (start, size - 1);
  length = MIN (length, size - start);
  _hm_hex_view_move_cursor (self, start, FALSE);
  _hm_hex_view_move_cursor (self, start + length - 1, TRUE);
}

void
hm_hex_view_select_all (HmHexView *self)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  hm_hex_view_set_selection (self, 0, _hm_hex_view_doc_size (self));
}

HmHexPane
hm_hex_view_get_pane (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), HM_HEX_PANE_HEX);
  return self->pane;
}

void
hm_hex_view_set_pane (HmHexView *self,
                      HmHexPane  pane)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  g_return_if_fail (pane == HM_HEX_PANE_HEX || pane == HM_HEX_PANE_TEXT);

  if (self->pane == pane)
    return;
  self->pane = pane;
  self->low_nibble = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PANE]);
}

/* ---- Actions ---- */

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  HmHexView *self = HM_HEX_VIEW (widget);
  const char *format = g_variant_get_string (parameter, NULL);

  if (g_str_equal (format, "hex"))
    hm_hex_view_copy (self, HM_COPY_FORMAT_HEX);
  else if (g_str_equal (format, "raw"))
    hm_hex_view_copy (self, HM_COPY_FORMAT_RAW);
  else if (g_str_equal (format, "c"))
    hm_hex_view_copy (self, HM_COPY_FORMAT_C_ARRAY);
  else
    hm_hex_view_copy (self, self->pane == HM_HEX_PANE_HEX ? HM_COPY_FORMAT_HEX : HM_COPY_FORMAT_RAW);
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  hm_hex_view_paste (HM_HEX_VIEW (widget));
}

static void
select_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  hm_hex_view_select_all (HM_HEX_VIEW (widget));
}

static void
undo_redo_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  HmHexView *self = HM_HEX_VIEW (widget);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (self->document == NULL)
    return;
  if (g_str_equal (action_name, "hex-view.undo"))
    ok = hm_document_undo (self->document, &error);
  else
    ok = hm_document_redo (self->document, &error);
  if (!ok && error != NULL)
    _hm_hex_view_hint (self, error->message);
}

/* ---- Keyboard ---- */

static gboolean
key_pressed_cb (HmHexView             *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  gboolean extend = (state & GDK_SHIFT_MASK) != 0;
  gboolean ctrl = (state & GDK_CONTROL_MASK) != 0;
  guint64 size = _hm_hex_view_doc_size (self);
  guint64 bpr = self->bytes_per_row;
  guint64 cursor = self->cursor;
  guint64 page = (guint64) MAX (self->n_full_rows, 1) * bpr;
  guint32 ch;

  if (self->document == NULL || size == 0)
    return FALSE;
  /* Alt+arrows belong to the hole navigation bindings. */
  if (state & GDK_ALT_MASK)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      _hm_hex_view_move_cursor (self, cursor > 0 ? cursor - 1 : 0, extend);
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      _hm_hex_view_move_cursor (self, cursor + 1 < size ? cursor + 1 : cursor, extend);
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      _hm_hex_view_move_cursor (self, cursor >= bpr ? cursor - bpr : cursor, extend);
      return TRUE;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      _hm_hex_view_move_cursor (self, size - cursor > bpr ? cursor + bpr : cursor, extend);
      return TRUE;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      _hm_hex_view_move_cursor (self, ctrl ? 0 : cursor - cursor % bpr, extend);
      return TRUE;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      _hm_hex_view_move_cursor (self, ctrl ? size - 1 : MIN (cursor - cursor % bpr + bpr - 1, size - 1), extend);
      return TRUE;
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
      _hm_hex_view_scroll_by_rows (self, -(gint64) MAX (self->n_full_rows, 1));
      _hm_hex_view_move_cursor (self, cursor >= page ? cursor - page : cursor % bpr, extend);
      return TRUE;
    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      _hm_hex_view_scroll_by_rows (self, (gint64) MAX (self->n_full_rows, 1));
      _hm_hex_view_move_cursor (self, size - cursor > page ? cursor + page : size - 1, extend);
      return TRUE;
    case GDK_KEY_Tab:
    case GDK_KEY_ISO_Left_Tab:
    case GDK_KEY_KP_Tab:
      if (ctrl)
        return FALSE;
      hm_hex_view_set_pane (self, self->pane == HM_HEX_PANE_HEX ? HM_HEX_PANE_TEXT : HM_HEX_PANE_HEX);
      return TRUE;
    case GDK_KEY_BackSpace:
      if (self->pane == HM_HEX_PANE_HEX && self->low_nibble)
        {
          self->low_nibble = FALSE;
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
      else
        _hm_hex_view_move_cursor (self, cursor > 0 ? cursor - 1 : 0, FALSE);
      return TRUE;
    default:
      break;
    }

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return FALSE;

  ch = gdk_keyval_to_unicode (keyval);
  if (ch == 0 || ch < ' ' || ch == 0x7f)
    return FALSE;

  if (self->pane == HM_HEX_PANE_HEX)
    {
      if (!g_ascii_isxdigit ((char) ch) || ch > 0x7f)
        return FALSE;
      if (!_hm_hex_view_is_editable (self))
        {
          _hm_hex_view_refuse_edit (self);
          return TRUE;
        }
      _hm_hex_view_type_hex_digit (self, (guint) g_ascii_xdigit_value ((char) ch));
      return TRUE;
    }

  if (ch > 0xff)
    return FALSE;
  if (!_hm_hex_view_is_editable (self))
    {
      _hm_hex_view_refuse_edit (self);
      return TRUE;
    }
  _hm_hex_view_type_char (self, (guint8) ch);
  return TRUE;
}

/* ---- Mouse ---- */

static void
drag_begin_cb (HmHexView      *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  HmHexPane pane = self->pane;
  guint64 offset;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (x >= self->content_width || self->document == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  offset = _hm_hex_view_hit_test (self, x, y, &pane);
  hm_hex_view_set_pane (self, pane);
  _hm_hex_view_move_cursor (self, offset, (state & GDK_SHIFT_MASK) != 0);
  self->drag_anchor = self->has_selection ? self->anchor : offset;
}

static void
drag_update_cb (HmHexView      *self,
                double          dx,
                double          dy,
                GtkGestureDrag *gesture)
{
  double sx, sy;
  HmHexPane pane;
  guint64 offset;

  if (!gtk_gesture_drag_get_start_point (gesture, &sx, &sy) || self->document == NULL)
    return;

  /* Dragging past the top or bottom edge scrolls a row per motion event. */
  if (sy + dy < 0)
    _hm_hex_view_scroll_by_rows (self, -1);
  else if (sy + dy >= self->content_height)
    _hm_hex_view_scroll_by_rows (self, 1);

  offset = _hm_hex_view_hit_test (self, sx + dx, sy + dy, &pane);
  if (offset == self->drag_anchor && !self->has_selection)
    return;
  if (!self->has_selection)
    {
      self->cursor = self->drag_anchor;
      _hm_hex_view_move_cursor (self, offset, TRUE);
    }
  else
    _hm_hex_view_move_cursor (self, offset, TRUE);
}

/* ---- Document ---- */

static void
document_changed_cb (HmHexView  *self,
                     guint64     offset,
                     guint64     length,
                     HmDocument *document)
{
  _hm_hex_view_invalidate_ranges (self);
  self->fault_reported = FALSE;
  if (self->reader != NULL)
    hm_view_reader_invalidate (self->reader, offset, length);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
document_size_cb (HmHexView  *self,
                  GParamSpec *pspec,
                  HmDocument *document)
{
  guint64 size = _hm_hex_view_doc_size (self);

  if (self->reader != NULL)
    hm_view_reader_invalidate (self->reader, 0, G_MAXUINT64);
  if (size > 0 && self->cursor >= size)
    _hm_hex_view_move_cursor (self, size - 1, FALSE);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
document_mode_cb (HmHexView  *self,
                  GParamSpec *pspec,
                  HmDocument *document)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_READ_ONLY, !_hm_hex_view_is_editable (self),
                                  -1);
  _hm_hex_view_invalidate_ranges (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
disconnect_document (HmHexView *self)
{
  if (self->document == NULL)
    return;
  g_clear_pointer (&self->reader, hm_view_reader_free);
  g_clear_signal_handler (&self->changed_id, self->document);
  g_clear_signal_handler (&self->size_id, self->document);
  g_clear_signal_handler (&self->mode_id, self->document);
  g_clear_object (&self->document);
}

HmDocument *
hm_hex_view_get_document (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), NULL);
  return self->document;
}

void
hm_hex_view_set_document (HmHexView  *self,
                          HmDocument *document)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  g_return_if_fail (document == NULL || HM_IS_DOCUMENT (document));

  if (self->document == document)
    return;

  disconnect_document (self);
  _hm_hex_view_invalidate_ranges (self);
  self->fault_reported = FALSE;
  if (document != NULL)
    {
      self->document = g_object_ref (document);
      self->changed_id = g_signal_connect_object (document, "changed", G_CALLBACK (document_changed_cb),
                                                  self, G_CONNECT_SWAPPED);
      self->size_id = g_signal_connect_object (document, "notify::size", G_CALLBACK (document_size_cb),
                                               self, G_CONNECT_SWAPPED);
      self->mode_id = g_signal_connect_object (document, "notify::mode", G_CALLBACK (document_mode_cb),
                                               self, G_CONNECT_SWAPPED);
    }
  _hm_hex_view_update_reader (self);
  self->offset_digits = _hm_hex_view_digits_for_size (_hm_hex_view_doc_size (self));
  self->top_row = 0;
  self->scroll_pixel = 0;
  self->scroll_remainder = 0;
  _hm_hex_view_move_cursor (self, 0, FALSE);
  document_mode_cb (self, NULL, document);
  _hm_hex_view_announce_cursor (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
}

/* ---- Hole navigation actions ---- */

static void
hole_navigation_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  HmHexView *self = HM_HEX_VIEW (widget);

  if (g_str_equal (action_name, "hex-view.next-data"))
    hm_hex_view_goto_next_data (self);
  else if (g_str_equal (action_name, "hex-view.previous-data"))
    hm_hex_view_goto_previous_data (self);
  else if (g_str_equal (action_name, "hex-view.next-hole"))
    hm_hex_view_goto_next_hole (self);
  else
    hm_hex_view_goto_previous_hole (self);
}

/* Alt+Down / Alt+Up: next / previous data run; Alt+Shift+Down / Alt+Shift+Up:
 * next / previous hole. The key handler leaves Alt+arrows alone. */
static void
install_hole_navigation (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "hex-view.next-data", NULL, hole_navigation_action);
  gtk_widget_class_install_action (widget_class, "hex-view.previous-data", NULL, hole_navigation_action);
  gtk_widget_class_install_action (widget_class, "hex-view.next-hole", NULL, hole_navigation_action);
  gtk_widget_class_install_action (widget_class, "hex-view.previous-hole", NULL, hole_navigation_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK, "hex-view.next-data", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "hex-view.previous-data", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK | GDK_SHIFT_MASK,
                                       "hex-view.next-hole", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK | GDK_SHIFT_MASK,
                                       "hex-view.previous-hole", NULL);
}

/* ---- GtkWidget ---- */

static void
hm_hex_view_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  HmHexView *self = HM_HEX_VIEW (widget);

  _hm_hex_view_snapshot_content (self, snapshot);
  gtk_widget_snapshot_child (widget, self->scrollbar, snapshot);
}

static void
hm_hex_view_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  HmHexView *self = HM_HEX_VIEW (widget);
  int sb_min, sb_nat;

  _hm_hex_view_ensure_font (self);
  gtk_widget_measure (self->scrollbar, orientation, -1, &sb_min, &sb_nat, NULL, NULL);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      guint min_bpr = self->fixed_bytes_per_row > 0 ? self->fixed_bytes_per_row : _hm_hex_view_row_step (self);
      guint nat_bpr = self->fixed_bytes_per_row > 0 ? self->fixed_bytes_per_row : 16;

      nat_bpr = MAX (nat_bpr, min_bpr);
      *minimum = (int) (_hm_hex_view_total_cols (self, min_bpr) * self->cell_width + 0.999) + sb_nat;
      *natural = (int) (_hm_hex_view_total_cols (self, nat_bpr) * self->cell_width + 0.999) + sb_nat;
    }
  else
    {
      *minimum = MAX (self->row_height * 2, sb_min);
      *natural = MAX (self->row_height * 24, sb_nat);
    }
}

static void
hm_hex_view_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  HmHexView *self = HM_HEX_VIEW (widget);
  int sb_min, sb_nat;
  guint old_bpr = self->bytes_per_row;
  guint64 top_offset = self->top_row * old_bpr;

  _hm_hex_view_ensure_font (self);
  gtk_widget_measure (self->scrollbar, GTK_ORIENTATION_HORIZONTAL, -1, &sb_min, &sb_nat, NULL, NULL);

  self->offset_digits = _hm_hex_view_digits_for_size (_hm_hex_view_doc_size (self));
  self->content_width = MAX (width - sb_nat, 0);
  self->content_height = height;
  self->bytes_per_row = _hm_hex_view_fit_bytes_per_row (self, self->content_width);
  self->n_full_rows = (guint) MAX (height / MAX (self->row_height, 1), 1);
  /* The font may have changed the row height. */
  self->scroll_pixel = CLAMP (self->scroll_pixel, 0, MAX (self->row_height - 1, 0));

  if (old_bpr != self->bytes_per_row)
    {
      self->top_row = top_offset / self->bytes_per_row;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_PER_ROW]);
    }
  if (self->center_pending && self->content_height > 0)
    {
      guint64 row = self->center_offset / self->bytes_per_row;

      self->center_pending = FALSE;
      self->top_row = row > self->n_full_rows / 2 ? row - self->n_full_rows / 2 : 0;
      self->scroll_pixel = 0;
    }
  /* Configure the adjustment first: the scrollbar lays out its slider from it. */
  _hm_hex_view_sync_adjustment (self);
  gtk_widget_size_allocate (self->scrollbar,
                            &(GtkAllocation) { self->content_width, 0, sb_nat, height }, -1);
}

static void
hm_hex_view_css_changed (GtkWidget         *widget,
                         GtkCssStyleChange *change)
{
  HmHexView *self = HM_HEX_VIEW (widget);

  GTK_WIDGET_CLASS (hm_hex_view_parent_class)->css_changed (widget, change);
  _hm_hex_view_clear_font (self);
  gtk_widget_queue_resize (widget);
}

static void
hm_hex_view_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HmHexView *self = HM_HEX_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    case PROP_CURSOR_OFFSET:
      g_value_set_uint64 (value, self->cursor);
      break;
    case PROP_SELECTION_START:
      g_value_set_uint64 (value, hm_hex_view_get_selection_start (self));
      break;
    case PROP_SELECTION_LENGTH:
      g_value_set_uint64 (value, hm_hex_view_get_selection_length (self));
      break;
    case PROP_PANE:
      g_value_set_uint (value, self->pane);
      break;
    case PROP_BYTES_PER_ROW:
      g_value_set_uint (value, self->fixed_bytes_per_row);
      break;
    case PROP_GROUP_SIZE:
      g_value_set_uint (value, self->group_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_hex_view_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HmHexView *self = HM_HEX_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      hm_hex_view_set_document (self, g_value_get_object (value));
      break;
    case PROP_CURSOR_OFFSET:
      hm_hex_view_set_cursor_offset (self, g_value_get_uint64 (value));
      break;
    case PROP_PANE:
      hm_hex_view_set_pane (self, (HmHexPane) g_value_get_uint (value));
      break;
    case PROP_BYTES_PER_ROW:
      hm_hex_view_set_fixed_bytes_per_row (self, g_value_get_uint (value));
      break;
    case PROP_GROUP_SIZE:
      hm_hex_view_set_group_size (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_hex_view_dispose (GObject *object)
{
  HmHexView *self = HM_HEX_VIEW (object);

  _hm_hex_view_stop_kinetic (self);
  g_clear_handle_id (&self->fault_idle, g_source_remove);
  disconnect_document (self);
  g_clear_pointer (&self->scrollbar, gtk_widget_unparent);
  G_OBJECT_CLASS (hm_hex_view_parent_class)->dispose (object);
}

static void
hm_hex_view_finalize (GObject *object)
{
  HmHexView *self = HM_HEX_VIEW (object);

  _hm_hex_view_clear_font (self);
  _hm_hex_view_invalidate_ranges (self);
  g_clear_pointer (&self->highlights, g_array_unref);
  for (guint i = 0; i < N_INKS; i++)
    g_clear_pointer (&self->runs[i].glyphs, pango_glyph_string_free);
  g_clear_pointer (&self->bytes, g_free);
  g_clear_pointer (&self->flags, g_free);
  g_clear_error (&self->fault_error);
  g_clear_object (&self->vadjustment);
  G_OBJECT_CLASS (hm_hex_view_parent_class)->finalize (object);
}

static void
hm_hex_view_class_init (HmHexViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  _hm_hex_view_classify_bytes ();

  object_class->get_property = hm_hex_view_get_property;
  object_class->set_property = hm_hex_view_set_property;
  object_class->dispose = hm_hex_view_dispose;
  object_class->finalize = hm_hex_view_finalize;

  widget_class->snapshot = hm_hex_view_snapshot;
  widget_class->measure = hm_hex_view_measure;
  widget_class->size_allocate = hm_hex_view_size_allocate;
  widget_class->css_changed = hm_hex_view_css_changed;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL, HM_TYPE_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CURSOR_OFFSET] =
    g_param_spec_uint64 ("cursor-offset", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SELECTION_START] =
    g_param_spec_uint64 ("selection-start", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SELECTION_LENGTH] =
    g_param_spec_uint64 ("selection-length", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PANE] =
    g_param_spec_uint ("pane", NULL, NULL, HM_HEX_PANE_HEX, HM_HEX_PANE_TEXT, HM_HEX_PANE_HEX,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BYTES_PER_ROW] =
    g_param_spec_uint ("bytes-per-row", NULL, NULL, 0, MAX_BYTES_PER_ROW, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_GROUP_SIZE] =
    g_param_spec_uint ("group-size", NULL, NULL, 1, 8, 1,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_READ_FAULT] =
    g_signal_new ("read-fault", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_HINT] =
    g_signal_new ("hint", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "hex-view.copy", "s", copy_action);
  gtk_widget_class_install_action (widget_class, "hex-view.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "hex-view.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "hex-view.undo", NULL, undo_redo_action);
  gtk_widget_class_install_action (widget_class, "hex-view.redo", NULL, undo_redo_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "hex-view.copy", "s", "pane");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "hex-view.copy", "s", "c");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, "hex-view.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK, "hex-view.select-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "hex-view.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "hex-view.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_y, GDK_CONTROL_MASK, "hex-view.redo", NULL);
  install_hole_navigation (widget_class);

  gtk_widget_class_set_css_name (widget_class, "hexview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_TEXT_BOX);
}

static void
hm_hex_view_init (HmHexView *self)
{
  GtkEventController *controller;
  GtkGesture *drag;

  self->group_size = 1;
  self->bytes_per_row = 16;
  self->offset_digits = 4;
  self->n_full_rows = 1;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  _hm_hex_view_init_scrollbar (self);

  controller = gtk_event_controller_key_new ();
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL
                                                | GTK_EVENT_CONTROLLER_SCROLL_KINETIC);
  g_signal_connect_object (controller, "scroll", G_CALLBACK (scroll_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "scroll-begin", G_CALLBACK (scroll_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "decelerate", G_CALLBACK (decelerate_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect_object (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drag, "drag-update", G_CALLBACK (drag_update_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Hex view"),
                                  GTK_ACCESSIBLE_PROPERTY_MULTI_LINE, TRUE,
                                  -1);
}

GtkWidget *
hm_hex_view_new (void)
{
  return g_object_new (HM_TYPE_HEX_VIEW, NULL);
}

guint
hm_hex_view_get_bytes_per_row (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 16);
  return self->bytes_per_row;
}

guint
hm_hex_view_get_fixed_bytes_per_row (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 0);
  return self->fixed_bytes_per_row;
}

/**
 * hm_hex_view_set_fixed_bytes_per_row:
 * @self: a #HmHexView
 * @bytes_per_row: bytes in a row, or 0 to fit the row to the width
 */
void
hm_hex_view_set_fixed_bytes_per_row (HmHexView *self,
                                     guint      bytes_per_row)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  g_return_if_fail (bytes_per_row <= MAX_BYTES_PER_ROW);

  if (self->fixed_bytes_per_row == bytes_per_row)
    return;
  self->fixed_bytes_per_row = bytes_per_row;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_PER_ROW]);
}

guint
hm_hex_view_get_group_size (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 1);
  return self->group_size;
}

/**
 * hm_hex_view_set_group_size:
 * @self: a #HmHexView
 * @group_size: 1, 2, 4 or 8 bytes shown together in the hex pane
 */
void
hm_hex_view_set_group_size (HmHexView *self,
                            guint      group_size)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  g_return_if_fail (group_size == 1 || group_size == 2 || group_size == 4 || group_size == 8);

  if (self->group_size == group_size)
    return;
  self->group_size = group_size;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP_SIZE]);
}

gboolean
_hm_hex_view_key_press (HmHexView       *self,
                        guint            keyval,
                        GdkModifierType  state)
{
  return key_pressed_cb (self, keyval, 0, state, NULL);
}

/* ---- Unreadable pages and hole navigation ---- */

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
