/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmWindow: the minimal window around the hex view: the view, and a status line
 * with the cursor offset, the selection length, the file size and the mode. The
 * full application window (header bar, find, inspector, …) builds on this later.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-window.h"

struct _HmWindow
{
  GtkApplicationWindow parent_instance;

  HmDocument *document;
  GtkStack   *stack;
  HmHexView  *view;
  GtkLabel   *empty_label;
  GtkLabel   *offset_label;
  GtkLabel   *selection_label;
  GtkLabel   *size_label;
  GtkLabel   *mode_label;
  GtkLabel   *hint_label;
  guint       hint_timeout;
};

G_DEFINE_FINAL_TYPE (HmWindow, hm_window, GTK_TYPE_APPLICATION_WINDOW)

static void
update_status (HmWindow *self)
{
  g_autofree char *offset = NULL;
  g_autofree char *selection = NULL;
  g_autofree char *size = NULL;
  g_autofree char *size_text = NULL;
  guint64 cursor = hm_hex_view_get_cursor_offset (self->view);
  guint64 length = hm_hex_view_get_selection_length (self->view);

  if (self->document == NULL)
    return;

  offset = g_strdup_printf (_("Offset 0x%" G_GINT64_MODIFIER "x (%" G_GUINT64_FORMAT ")"), cursor, cursor);
  gtk_label_set_text (self->offset_label, offset);

  if (length > 0)
    selection = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Selected %" G_GUINT64_FORMAT " byte",
                                              "Selected %" G_GUINT64_FORMAT " bytes", length), length);
  gtk_label_set_text (self->selection_label, selection != NULL ? selection : "");

  size = g_format_size_full (hm_document_get_size (self->document), G_FORMAT_SIZE_IEC_UNITS);
  size_text = g_strdup_printf (_("Size %s"), size);
  gtk_label_set_text (self->size_label, size_text);

  switch (hm_document_get_mode (self->document))
    {
    case HM_DOCUMENT_MODE_READ_ONLY:
      gtk_label_set_text (self->mode_label, _("Read-only"));
      break;
    case HM_DOCUMENT_MODE_PREVIEW:
      gtk_label_set_text (self->mode_label, _("Preview"));
      break;
    case HM_DOCUMENT_MODE_DIRECT:
      gtk_label_set_text (self->mode_label, _("Direct"));
      break;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
clear_hint_cb (gpointer user_data)
{
  HmWindow *self = user_data;

  self->hint_timeout = 0;
  gtk_label_set_text (self->hint_label, "");
  return G_SOURCE_REMOVE;
}

static void
hint_cb (HmWindow   *self,
         const char *message,
         HmHexView  *view)
{
  gtk_label_set_text (self->hint_label, message);
  g_clear_handle_id (&self->hint_timeout, g_source_remove);
  self->hint_timeout = g_timeout_add_seconds (4, clear_hint_cb, self);
}

static void
dialog_response_cb (GtkDialog *dialog,
                    int        response)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/**
 * hm_window_show_error:
 * @self: a #HmWindow
 * @primary: what happened, in a few words
 * @secondary: (nullable): details and what the user can do
 *
 * Shows a modal error dialog on top of the window.
 */
void
hm_window_show_error (HmWindow   *self,
                      const char *primary,
                      const char *secondary)
{
  GtkWidget *dialog;

  g_return_if_fail (HM_IS_WINDOW (self));

  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE,
                                   "%s", primary);
  if (secondary != NULL)
    gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", secondary);
  g_signal_connect (dialog, "response", G_CALLBACK (dialog_response_cb), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
read_fault_cb (HmWindow     *self,
               const GError *error,
               HmHexView    *view)
{
  hm_window_show_error (self, _("Some bytes could not be read"), error->message);
}

static void
hm_window_dispose (GObject *object)
{
  HmWindow *self = HM_WINDOW (object);

  g_clear_handle_id (&self->hint_timeout, g_source_remove);
  g_clear_object (&self->document);
  G_OBJECT_CLASS (hm_window_parent_class)->dispose (object);
}

static void
hm_window_class_init (HmWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hm_window_dispose;
}

static GtkLabel *
add_status_label (GtkBox  *box,
                  gboolean expand)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, expand);
  gtk_box_append (box, label);
  return GTK_LABEL (label);
}

static void
hm_window_init (HmWindow *self)
{
  GtkWidget *main_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *status = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);

  self->empty_label = GTK_LABEL (gtk_label_new (_("No file is open. Start Hexmap with a file name: hexmap FILE")));
  gtk_widget_add_css_class (GTK_WIDGET (self->empty_label), "dim-label");
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->empty_label), "empty");

  self->view = HM_HEX_VIEW (hm_hex_view_new ());
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->view), "view");
  g_signal_connect_object (self->view, "hint", G_CALLBACK (hint_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "read-fault", G_CALLBACK (read_fault_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "notify::cursor-offset", G_CALLBACK (update_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "notify::selection-length", G_CALLBACK (update_status), self,
                           G_CONNECT_SWAPPED);

  gtk_widget_add_css_class (status, "statusbar");
  self->offset_label = add_status_label (GTK_BOX (status), FALSE);
  self->selection_label = add_status_label (GTK_BOX (status), FALSE);
  self->hint_label = add_status_label (GTK_BOX (status), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->hint_label), "dim-label");
  self->size_label = add_status_label (GTK_BOX (status), FALSE);
  self->mode_label = add_status_label (GTK_BOX (status), FALSE);

  gtk_box_append (GTK_BOX (main_box), GTK_WIDGET (self->stack));
  gtk_box_append (GTK_BOX (main_box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (main_box), status);
  gtk_window_set_child (GTK_WINDOW (self), main_box);

  gtk_window_set_default_size (GTK_WINDOW (self), 900, 600);
  gtk_window_set_title (GTK_WINDOW (self), _("Hexmap"));
}

HmWindow *
hm_window_new (GtkApplication *application)
{
  return g_object_new (HM_TYPE_WINDOW, "application", application, NULL);
}

HmDocument *
hm_window_get_document (HmWindow *self)
{
  g_return_val_if_fail (HM_IS_WINDOW (self), NULL);
  return self->document;
}

HmHexView *
hm_window_get_view (HmWindow *self)
{
  g_return_val_if_fail (HM_IS_WINDOW (self), NULL);
  return self->view;
}

void
hm_window_set_document (HmWindow   *self,
                        HmDocument *document)
{
  g_autofree char *title = NULL;

  g_return_if_fail (HM_IS_WINDOW (self));
  g_return_if_fail (document == NULL || HM_IS_DOCUMENT (document));

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_set_object (&self->document, document);
  hm_hex_view_set_document (self->view, document);

  if (document == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      gtk_window_set_title (GTK_WINDOW (self), _("Hexmap"));
      return;
    }

  g_signal_connect_object (document, "notify::size", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "notify::mode", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  gtk_stack_set_visible_child_name (self->stack, "view");
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
  /* Translators: the window title: file name — application */
  title = g_strdup_printf (_("%s — Hexmap"), hm_document_get_display_name (document));
  gtk_window_set_title (GTK_WINDOW (self), title);
  update_status (self);
}
