/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hm-window.h"

struct _HmWindow
{
  GtkApplicationWindow parent_instance;

  HmDocument *document;
  GtkLabel   *label;
};

G_DEFINE_FINAL_TYPE (HmWindow, hm_window, GTK_TYPE_APPLICATION_WINDOW)

static void
hm_window_dispose (GObject *object)
{
  HmWindow *self = HM_WINDOW (object);

  g_clear_object (&self->document);
  G_OBJECT_CLASS (hm_window_parent_class)->dispose (object);
}

static void
hm_window_class_init (HmWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hm_window_dispose;
}

static void
hm_window_init (HmWindow *self)
{
  self->label = GTK_LABEL (gtk_label_new ("Hexmap"));
  gtk_window_set_child (GTK_WINDOW (self), GTK_WIDGET (self->label));
  gtk_window_set_default_size (GTK_WINDOW (self), 900, 600);
  gtk_window_set_title (GTK_WINDOW (self), "Hexmap");
}

HmWindow *
hm_window_new (GtkApplication *application)
{
  return g_object_new (HM_TYPE_WINDOW, "application", application, NULL);
}

void
hm_window_set_document (HmWindow   *self,
                        HmDocument *document)
{
  g_autofree char *text = NULL;

  g_return_if_fail (HM_IS_WINDOW (self));

  g_set_object (&self->document, document);
  text = g_strdup_printf ("%s — %" G_GUINT64_FORMAT " bytes", hm_document_get_display_name (document),
                          hm_document_get_size (document));
  gtk_label_set_text (self->label, text);
  gtk_window_set_title (GTK_WINDOW (self), hm_document_get_display_name (document));
}
