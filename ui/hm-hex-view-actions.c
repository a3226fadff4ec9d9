/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView actions and their shortcuts: copy (Ctrl+C in the format of the pane,
 * Ctrl+Shift+C as a C array), paste, select all, undo and redo, and the hole
 * navigation on Alt+arrows. Each action calls the view's public API.
 */
#include "config.h"

#include "hm-hex-view-private.h"

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

/* ---- Installing them ---- */

void
_hm_hex_view_class_init_actions (GtkWidgetClass *widget_class)
{
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
  _hm_hex_view_class_init_menu (widget_class);
}
