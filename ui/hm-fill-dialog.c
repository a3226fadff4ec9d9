/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmFillDialog: fill the view's selection with a repeated byte pattern, one
 * undoable step through hm_document_fill(). The pattern is checked as it is
 * typed; Fill stays insensitive until it is valid, something is selected and
 * the document can be edited.
 */
#include "config.h"

#include "hm-fill-dialog.h"
#include "hm-fill-dialog-private.h"

#include "hm-fault.h"
#include "hm-hex-text.h"

#include <glib/gi18n.h>
#include <inttypes.h>

struct _HmFillDialog
{
  GtkWindow     parent_instance;

  HmHexView    *view;
  HmDocument   *document;
  GSignalGroup *view_signals;
  GBytes       *pattern;
  guint64       start;
  guint64       length;

  /* Template widgets */
  GtkButton    *fill_button;
  GtkLabel     *range_label;
  GtkEntry     *pattern_entry;
  GtkLabel     *error_label;
};

enum
{
  SIGNAL_FAULT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HmFillDialog, hm_fill_dialog, GTK_TYPE_WINDOW)

static gboolean
is_writable (HmFillDialog *self)
{
  return self->document != NULL && hm_document_get_mode (self->document) != HM_DOCUMENT_MODE_READ_ONLY;
}

static void
show_error (HmFillDialog *self,
            const char   *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->pattern_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->pattern_entry), "error");
}

static void
update (HmFillDialog *self)
{
  g_autofree char *text = NULL;

  self->start = self->view != NULL ? hm_hex_view_get_selection_start (self->view) : 0;
  self->length = self->view != NULL ? hm_hex_view_get_selection_length (self->view) : 0;

  if (self->document == NULL)
    text = g_strdup (_("No file is open."));
  else if (!is_writable (self))
    text = g_strdup (_("The file is open read-only: switch to an editing mode to fill."));
  else if (self->length == 0)
    text = g_strdup (_("Select the bytes to fill first."));
  else
    {
      g_autofree char *size = g_format_size_full (self->length, G_FORMAT_SIZE_LONG_FORMAT);

      text = g_strdup_printf (_("Fill %s from offset 0x%" PRIx64 " with the pattern, "
                                "repeated. You can undo it."),
                              size, self->start);
    }
  gtk_label_set_text (self->range_label, text);

  gtk_widget_set_sensitive (GTK_WIDGET (self->pattern_entry), is_writable (self) && self->length > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->fill_button),
                            is_writable (self) && self->length > 0 && self->pattern != NULL);
}

static void
pattern_changed_cb (GtkEditable  *editable,
                    HmFillDialog *self)
{
  const char *text = gtk_editable_get_text (editable);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->pattern, g_bytes_unref);
  if (text[0] != '\0')
    self->pattern = hm_hex_text_parse (text, -1, NULL, &error);

  if (self->pattern == NULL && error != NULL)
    {
      /* Translators: %s says what is wrong and where, like "unexpected 'z' at column 1 (…)" */
      g_autofree char *message = g_strdup_printf (_("Not a hex pattern: %s. Write bytes as hex digits, "
                                                    "like 00 or de ad be ef."), error->message);

      show_error (self, message);
    }
  else
    show_error (self, NULL);
  update (self);
}

static gboolean
fill (HmFillDialog *self)
{
  g_autoptr(GError) error = NULL;
  gsize n;
  const guint8 *data;

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->fill_button)))
    return FALSE;

  data = g_bytes_get_data (self->pattern, &n);
  if (!hm_document_fill (self->document, self->start, self->length, data, n, &error))
    {
      show_error (self, error->message);
      if (error->domain == HM_FAULT_ERROR)
        g_signal_emit (self, signals[SIGNAL_FAULT], 0, error);
      return FALSE;
    }

  gtk_window_close (GTK_WINDOW (self));
  return TRUE;
}

static void
fill_clicked_cb (GtkButton    *button,
                 HmFillDialog *self)
{
  fill (self);
}

static void
pattern_activate_cb (GtkEntry     *entry,
                     HmFillDialog *self)
{
  fill (self);
}

static void
cancel_clicked_cb (GtkButton    *button,
                   HmFillDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
hm_fill_dialog_dispose (GObject *object)
{
  HmFillDialog *self = HM_FILL_DIALOG (object);

  _hm_fill_dialog_attach (self, NULL, NULL);
  g_clear_object (&self->view_signals);
  g_clear_pointer (&self->pattern, g_bytes_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), HM_TYPE_FILL_DIALOG);

  G_OBJECT_CLASS (hm_fill_dialog_parent_class)->dispose (object);
}

static void
hm_fill_dialog_class_init (HmFillDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hm_fill_dialog_dispose;

  signals[SIGNAL_FAULT] =
    g_signal_new ("fault", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/hexmap/Hexmap/ui/hm-fill-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HmFillDialog, fill_button);
  gtk_widget_class_bind_template_child (widget_class, HmFillDialog, range_label);
  gtk_widget_class_bind_template_child (widget_class, HmFillDialog, pattern_entry);
  gtk_widget_class_bind_template_child (widget_class, HmFillDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, fill_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, pattern_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, pattern_activate_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hm_fill_dialog_init (HmFillDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->view_signals = g_signal_group_new (HM_TYPE_HEX_VIEW);
  g_signal_group_connect_swapped (self->view_signals, "notify::selection-start", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->view_signals, "notify::selection-length", G_CALLBACK (update), self);

  update (self);
}

/**
 * hm_fill_dialog_new:
 *
 * Returns: (transfer none): a new fill dialog; the page attaches it to its
 *   view and document with _hm_fill_dialog_attach(), gives it a parent with
 *   gtk_window_set_transient_for(), and presents it
 */
GtkWidget *
hm_fill_dialog_new (void)
{
  return g_object_new (HM_TYPE_FILL_DIALOG, NULL);
}

/**
 * _hm_fill_dialog_attach:
 * @self: a fill dialog
 * @view: (nullable): the view whose selection it fills, and follows
 * @document: (nullable): @view's document, the one it writes
 *
 * The page attaches the dialog once; (%NULL, %NULL) detaches it, as its
 * dispose does.
 */
void
_hm_fill_dialog_attach (HmFillDialog *self,
                        HmHexView    *view,
                        HmDocument   *document)
{
  g_return_if_fail (HM_IS_FILL_DIALOG (self));
  g_return_if_fail (view == NULL || HM_IS_HEX_VIEW (view));
  g_return_if_fail (document == NULL || HM_IS_DOCUMENT (document));
  g_return_if_fail ((view == NULL) == (document == NULL));

  if (self->view == view && self->document == document)
    return;
  g_set_object (&self->view, view);
  g_set_object (&self->document, document);
  g_signal_group_set_target (self->view_signals, view);
  update (self);
}

/* ---- For tests ---- */

void
_hm_fill_dialog_set_pattern (HmFillDialog *self,
                             const char   *text)
{
  gtk_editable_set_text (GTK_EDITABLE (self->pattern_entry), text);
}

gboolean
_hm_fill_dialog_can_fill (HmFillDialog *self)
{
  return gtk_widget_get_sensitive (GTK_WIDGET (self->fill_button));
}

gboolean
_hm_fill_dialog_fill (HmFillDialog *self)
{
  return fill (self);
}

const char *
_hm_fill_dialog_get_error (HmFillDialog *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label))
         ? gtk_label_get_text (self->error_label) : NULL;
}
