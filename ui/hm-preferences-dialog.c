/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmPreferencesDialog: every widget is bound straight to its GSettings key, so
 * changes apply at once (the application and the pages follow the keys).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-preferences-dialog.h"

struct _HmPreferencesDialog
{
  GtkWindow        parent_instance;

  GSettings       *settings;

  GtkFontButton   *font_button;
  GtkSpinButton   *bytes_per_row_spin;
  GtkSpinButton   *group_size_spin;
  GtkSpinButton   *column_gap_spin;
  GtkComboBoxText *offset_format_combo;
  GtkCheckButton  *column_header_check;
  GtkComboBoxText *style_combo;
  GtkComboBoxText *mode_combo;
  GtkComboBoxText *timestamp_combo;
};

G_DEFINE_FINAL_TYPE (HmPreferencesDialog, hm_preferences_dialog, GTK_TYPE_WINDOW)

static gboolean
monospace_filter (const PangoFontFamily *family,
                  const PangoFontFace   *face,
                  gpointer               user_data)
{
  /* The view draws a grid of equal cells: only monospace fonts make sense. */
  return pango_font_family_is_monospace ((PangoFontFamily *) family);
}

static void
hm_preferences_dialog_dispose (GObject *object)
{
  HmPreferencesDialog *self = HM_PREFERENCES_DIALOG (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (hm_preferences_dialog_parent_class)->dispose (object);
}

static void
hm_preferences_dialog_class_init (HmPreferencesDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hm_preferences_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/hexmap/Hexmap/ui/hm-preferences-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HmPreferencesDialog, font_button);
  gtk_widget_class_bind_template_child (widget_class, HmPreferencesDialog, bytes_per_row_spin);
  gtk_widget_class_bind_template_child (widget_class, HmPreferencesDialog, group_size_spin);
  gtk_widget_class_bind_template_child (widget_class, HmPreferencesDialog, column_gap_spin);
  gtk_widget_class_bind_template_child (widget_class, HmPreferencesDialog, offset_format_combo);
  gtk_widget_class_bind_template_child (widget_class, HmPreferencesDialog, column_header_check);
  gtk_widget_class_bind_template_child (widget_class, HmPreferencesDialog, style_combo);
  gtk_widget_class_bind_template_child (widget_class, HmPreferencesDialog, mode_combo);
  gtk_widget_class_bind_template_child (widget_class, HmPreferencesDialog, timestamp_combo);
}

static void
hm_preferences_dialog_init (HmPreferencesDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  gtk_font_chooser_set_filter_func (GTK_FONT_CHOOSER (self->font_button), monospace_filter, NULL, NULL);
  g_settings_bind (self->settings, "font", self->font_button, "font", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "bytes-per-row", self->bytes_per_row_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "group-size", self->group_size_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "column-gap", self->column_gap_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "offset-format", self->offset_format_combo, "active-id", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "column-header", self->column_header_check, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "style", self->style_combo, "active-id", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "default-mode", self->mode_combo, "active-id", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "timestamp-policy", self->timestamp_combo, "active-id",
                   G_SETTINGS_BIND_DEFAULT);
}

GtkWindow *
hm_preferences_dialog_new (GtkWindow *parent)
{
  return g_object_new (HM_TYPE_PREFERENCES_DIALOG, "transient-for", parent, NULL);
}
