/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView context menu: a right click, Shift+F10 or the Menu key opens a
 * GtkPopoverMenu built from a GMenu: copy as hex, as text or as a C array,
 * paste, select all, then what the page offers for the cursor or the selection
 * (bookmark, fill, insert bytes, delete the selection). The first items are the
 * view's own actions (hm-hex-view-actions.c); the others are page.* actions,
 * found up the widget tree from the view, enabled and disabled by the page. A
 * view without a page (in a test) shows them greyed out.
 *
 * A right click outside the selection moves the cursor there first, as in a
 * text editor; inside it the selection stays, so the menu acts on it. From the
 * keyboard the menu opens at the cursor. Closing the menu gives the focus back
 * to the view.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-hex-view-private.h"

static void
append_item (GMenu      *menu,
             const char *label,
             const char *detailed_action)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, detailed_action);

  g_menu_append_item (menu, item);
}

/* The menu's model: a new one each call (the view builds it once). */
GMenuModel *
_hm_hex_view_build_menu_model (void)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) clipboard = g_menu_new ();
  g_autoptr(GMenu) select = g_menu_new ();
  g_autoptr(GMenu) edit = g_menu_new ();

  append_item (clipboard, _("Copy as _Hex"), "hex-view.copy::hex");
  append_item (clipboard, _("Copy as _Text"), "hex-view.copy::raw");
  append_item (clipboard, _("Copy as _C Array"), "hex-view.copy::c");
  append_item (clipboard, _("_Paste"), "hex-view.paste");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (clipboard));

  append_item (select, _("Select _All"), "hex-view.select-all");
  append_item (select, _("Toggle _Bookmark"), "page.toggle-bookmark");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (select));

  append_item (edit, _("_Fill Selection…"), "page.fill");
  append_item (edit, _("_Insert Bytes…"), "page.insert-bytes");
  append_item (edit, _("_Delete Selection"), "page.delete-selection");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (edit));

  return G_MENU_MODEL (menu);
}

static void
menu_closed_cb (HmHexView *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
ensure_menu (HmHexView *self)
{
  g_autoptr(GMenuModel) model = NULL;

  if (self->context_menu != NULL)
    return;
  model = _hm_hex_view_build_menu_model ();
  self->context_menu = gtk_popover_menu_new_from_model (model);
  gtk_widget_set_parent (self->context_menu, GTK_WIDGET (self));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu), FALSE);
  gtk_widget_set_halign (self->context_menu, GTK_ALIGN_START);
  g_signal_connect_object (self->context_menu, "closed", G_CALLBACK (menu_closed_cb), self, G_CONNECT_SWAPPED);
}

/* Opens the menu pointing at (@x, @y) in the view's coordinates. */
void
_hm_hex_view_popup_menu (HmHexView *self,
                         double     x,
                         double     y)
{
  ensure_menu (self);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu),
                               &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}

/* Where the cursor is drawn, or the middle of the view when it is off screen. */
static void
cursor_point (HmHexView *self,
              double    *x,
              double    *y)
{
  guint64 row = self->cursor / self->bytes_per_row;
  guint index = (guint) (self->cursor % self->bytes_per_row);
  int col;

  if (row < self->top_row || row - self->top_row >= MAX (self->n_full_rows, 1))
    {
      *x = self->content_width / 2.0;
      *y = self->header_height + self->content_height / 2.0;
      return;
    }
  col = self->pane == HM_HEX_PANE_HEX ? _hm_hex_view_hex_byte_col (self, index)
                                      : _hm_hex_view_text_col (self) + (int) index;
  *x = (col + 1) * self->cell_width;
  *y = self->header_height + (double) ((row - self->top_row + 1) * (guint64) self->row_height) - self->scroll_pixel;
}

static void
popup_menu_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  HmHexView *self = HM_HEX_VIEW (widget);
  double x, y;

  cursor_point (self, &x, &y);
  _hm_hex_view_popup_menu (self, x, y);
}

/* A right click at (@x, @y). */
void
_hm_hex_view_context_click (HmHexView *self,
                            double     x,
                            double     y)
{
  HmHexPane pane = self->pane;
  guint64 offset;
  guint64 start = hm_hex_view_get_selection_start (self);
  guint64 length = hm_hex_view_get_selection_length (self);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (x >= self->content_width)
    return;
  if (self->document != NULL)
    {
      offset = _hm_hex_view_hit_test (self, x, y, &pane);
      hm_hex_view_set_pane (self, pane);
      if (length == 0 || offset < start || offset - start >= length)
        _hm_hex_view_move_cursor (self, offset, FALSE);
    }
  _hm_hex_view_popup_menu (self, x, y);
}

static void
secondary_pressed_cb (HmHexView       *self,
                      int              n_press,
                      double           x,
                      double           y,
                      GtkGestureClick *gesture)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  _hm_hex_view_context_click (self, x, y);
}

void
_hm_hex_view_class_init_menu (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "hex-view.popup-menu", NULL, popup_menu_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "hex-view.popup-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "hex-view.popup-menu", NULL);
}

void
_hm_hex_view_init_menu (HmHexView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect_object (click, "pressed", G_CALLBACK (secondary_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

void
_hm_hex_view_dispose_menu (HmHexView *self)
{
  g_clear_pointer (&self->context_menu, gtk_widget_unparent);
}

GtkWidget *
_hm_hex_view_get_context_menu (HmHexView *self)
{
  return self->context_menu;
}
