/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView input: the event controllers. Keys move the cursor and type (through
 * hm-hex-view-edit.c); a drag with the primary button places the cursor and
 * selects; the wheel and the touchpad scroll by pixels, and a flick coasts on,
 * one frame at a time, until friction stops it (the position itself is kept in
 * hm-hex-view-scroll.c). Copy, paste, undo and the hole navigation are actions
 * with shortcuts, in hm-hex-view-actions.c.
 */
#include "config.h"

#include "hm-hex-view-private.h"

#define WHEEL_ROWS        3.0

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
  guint64 last = _hm_hex_view_last_cursor (self, size);
  guint32 ch;

  if (self->document == NULL || (size == 0 && !self->insert_mode && keyval != GDK_KEY_Insert
                                   && keyval != GDK_KEY_KP_Insert))
    return FALSE;
  /* Alt+Left and Alt+Right switch columns (as GHex does); Alt+Up and Alt+Down
   * belong to the hole navigation bindings. */
  if (state & GDK_ALT_MASK)
    {
      if ((state & (GDK_CONTROL_MASK | GDK_SHIFT_MASK)) != 0)
        return FALSE;
      if (keyval == GDK_KEY_Left || keyval == GDK_KEY_KP_Left)
        hm_hex_view_set_pane (self, HM_HEX_PANE_HEX);
      else if (keyval == GDK_KEY_Right || keyval == GDK_KEY_KP_Right)
        hm_hex_view_set_pane (self, HM_HEX_PANE_TEXT);
      else
        return FALSE;
      return TRUE;
    }

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      _hm_hex_view_move_cursor (self, cursor > 0 ? cursor - 1 : 0, extend);
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      _hm_hex_view_move_cursor (self, cursor + 1, extend);
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      _hm_hex_view_move_cursor (self, cursor >= bpr ? cursor - bpr : cursor, extend);
      return TRUE;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      _hm_hex_view_move_cursor (self, last - cursor >= bpr ? cursor + bpr : cursor, extend);
      return TRUE;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      _hm_hex_view_move_cursor (self, ctrl ? 0 : cursor - cursor % bpr, extend);
      return TRUE;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      _hm_hex_view_move_cursor (self, ctrl ? last : MIN (cursor - cursor % bpr + bpr - 1, last), extend);
      return TRUE;
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
      _hm_hex_view_scroll_by_rows (self, -(gint64) MAX (self->n_full_rows, 1));
      _hm_hex_view_move_cursor (self, cursor >= page ? cursor - page : cursor % bpr, extend);
      return TRUE;
    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      _hm_hex_view_scroll_by_rows (self, (gint64) MAX (self->n_full_rows, 1));
      _hm_hex_view_move_cursor (self, last - cursor >= page ? cursor + page : last, extend);
      return TRUE;
    case GDK_KEY_Tab:
    case GDK_KEY_ISO_Left_Tab:
    case GDK_KEY_KP_Tab:
      /* Tab and Shift+Tab move the focus on, as everywhere else (Alt+Left and
       * Alt+Right switch columns). */
      return FALSE;
    case GDK_KEY_BackSpace:
      _hm_hex_view_backspace (self);
      return TRUE;
    case GDK_KEY_Delete:
    case GDK_KEY_KP_Delete:
      if (ctrl || extend)
        return FALSE;
      _hm_hex_view_delete_forward (self);
      return TRUE;
    case GDK_KEY_Insert:
    case GDK_KEY_KP_Insert:
      if (ctrl || extend)
        return FALSE;
      hm_hex_view_set_insert_mode (self, !self->insert_mode);
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

gboolean
_hm_hex_view_key_press (HmHexView       *self,
                        guint            keyval,
                        GdkModifierType  state)
{
  return key_pressed_cb (self, keyval, 0, state, NULL);
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

  /* Dragging past the top (into the column header) or the bottom edge of the
   * rows scrolls a row per motion event. */
  if (sy + dy < self->header_height)
    _hm_hex_view_scroll_by_rows (self, -1);
  else if (sy + dy >= self->header_height + self->content_height)
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

/* ---- Wheel, touchpad and kinetic scrolling ---- */

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

/* ---- Controllers ---- */

void
_hm_hex_view_init_input (HmHexView *self)
{
  GtkEventController *controller;
  GtkGesture *drag;

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
}
