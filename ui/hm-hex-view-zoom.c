/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView zoom: Ctrl+plus and Ctrl+minus make the font larger or smaller a
 * step at a time, Ctrl+0 brings it back to the "font" setting's size, and so
 * does Ctrl with the wheel (or touchpad). The zoom is the view's "zoom"
 * property; the page binds it to the "zoom" setting, so it lasts and every
 * page follows. The layout keeps the cursor in view (hm-hex-view.c).
 */
#include "config.h"

#include "hm-hex-view-private.h"

/* Steps as in a web browser: about 10 % each, round numbers at 100 %. */
static const double zoom_steps[] = {
  0.5, 0.67, 0.75, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0,
};

static double
next_zoom (double zoom,
           int    direction)
{
  if (direction > 0)
    {
      for (guint i = 0; i < G_N_ELEMENTS (zoom_steps); i++)
        if (zoom_steps[i] > zoom + 1e-6)
          return zoom_steps[i];
      return HM_HEX_VIEW_ZOOM_MAX;
    }
  for (guint i = G_N_ELEMENTS (zoom_steps); i > 0; i--)
    if (zoom_steps[i - 1] < zoom - 1e-6)
      return zoom_steps[i - 1];
  return HM_HEX_VIEW_ZOOM_MIN;
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  HmHexView *self = HM_HEX_VIEW (widget);

  if (g_str_equal (action_name, "hex-view.zoom-in"))
    hm_hex_view_set_zoom (self, next_zoom (self->zoom, 1));
  else if (g_str_equal (action_name, "hex-view.zoom-out"))
    hm_hex_view_set_zoom (self, next_zoom (self->zoom, -1));
  else
    hm_hex_view_set_zoom (self, 1.0);
}

/* Ctrl+wheel: a step per notch up (larger) or down (smaller); a touchpad's
 * smooth deltas add up to a step. */
void
_hm_hex_view_zoom_scroll (HmHexView *self,
                          double     dy)
{
  self->zoom_scroll += dy;
  while (ABS (self->zoom_scroll) >= 1.0)
    {
      int direction = self->zoom_scroll < 0 ? 1 : -1;

      self->zoom_scroll += direction;
      hm_hex_view_set_zoom (self, next_zoom (self->zoom, direction));
    }
}

static gboolean
zoom_scroll_cb (HmHexView                *self,
                double                    dx,
                double                    dy,
                GtkEventControllerScroll *controller)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if ((state & GDK_CONTROL_MASK) == 0)
    return FALSE;
  _hm_hex_view_zoom_scroll (self, dy);
  return TRUE;
}

/* In the capture phase, before the scrolling of hm-hex-view-input.c: with Ctrl
 * held the wheel zooms and the view does not scroll. */
void
_hm_hex_view_init_zoom (HmHexView *self)
{
  GtkEventController *controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "scroll", G_CALLBACK (zoom_scroll_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

void
_hm_hex_view_class_init_zoom (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "hex-view.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "hex-view.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "hex-view.zoom-reset", NULL, zoom_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "hex-view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "hex-view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "hex-view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "hex-view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "hex-view.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK,
                                       "hex-view.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "hex-view.zoom-reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, GDK_CONTROL_MASK, "hex-view.zoom-reset", NULL);
}
