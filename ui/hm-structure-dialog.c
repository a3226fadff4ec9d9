/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmStructureDialog: the two edits that change the file's length by a number
 * the user types rather than by typing bytes.
 *
 *   Insert Bytes…   a count and a fill pattern (the one hex grammar of
 *                   core/hm-hex-text.c), inserted at the cursor through
 *                   hm_document_insert_fill(): a pattern, never the bytes, so
 *                   inserting a gigabyte costs what inserting a byte does.
 *   Set File Size…  a new size: the end is cut off, or zeros are added
 *                   (hm_document_set_size()).
 *
 * Both are one undoable step and stay pending until Save, in every mode (see
 * the insert status in hm-page-status.c). Counts and sizes take the numbers
 * Go to takes (4096, 0x1000, 4K, 1M). The action button stays insensitive until
 * the entries are valid, and what is wrong is said under them.
 */
#include "config.h"

#include "hm-structure-dialog.h"

#include "hm-hex-text.h"
#include "hm-offset.h"

#include <glib/gi18n.h>
#include <inttypes.h>

struct _HmStructureDialog
{
  GtkWindow        parent_instance;

  HmStructureKind  kind;
  HmHexView       *view;
  HmDocument      *document;

  GtkLabel        *intro_label;
  GtkEntry        *number_entry;
  GtkEntry        *pattern_entry;    /* Insert Bytes… only */
  GtkLabel        *error_label;
  GtkButton       *apply_button;

  guint64          number;
  GBytes          *pattern;
};

G_DEFINE_FINAL_TYPE (HmStructureDialog, hm_structure_dialog, GTK_TYPE_WINDOW)

static gboolean
is_writable (HmStructureDialog *self)
{
  return self->document != NULL && hm_document_get_mode (self->document) != HM_DOCUMENT_MODE_READ_ONLY;
}

static void
show_error (HmStructureDialog *self,
            const char        *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* Parses both entries, says what is wrong, and sets the button's sensitivity. */
static void
validate (HmStructureDialog *self)
{
  const char *number_text = gtk_editable_get_text (GTK_EDITABLE (self->number_entry));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean ok = is_writable (self);

  /* Entries filled while the dialog is being built. */
  if (self->apply_button == NULL)
    return;
  g_clear_pointer (&self->pattern, g_bytes_unref);
  gtk_widget_remove_css_class (GTK_WIDGET (self->number_entry), "error");
  if (self->pattern_entry != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->pattern_entry), "error");

  if (!is_writable (self))
    message = g_strdup (self->document == NULL ? _("No file is open.")
                                               : _("The file is open read-only: switch to an editing mode first."));
  else if (number_text[0] == '\0')
    ok = FALSE;
  else if (!hm_offset_parse (number_text, &self->number, &error))
    {
      /* Translators: %s says what is wrong with a number such as 4096, 0x1000 or 4K */
      message = g_strdup_printf (_("Not a number: %s"), error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->number_entry), "error");
      ok = FALSE;
    }
  else if (self->kind == HM_STRUCTURE_INSERT && self->number == 0)
    {
      message = g_strdup (_("Insert at least one byte."));
      ok = FALSE;
    }

  if (ok && self->kind == HM_STRUCTURE_INSERT)
    {
      const char *pattern_text = gtk_editable_get_text (GTK_EDITABLE (self->pattern_entry));

      self->pattern = hm_hex_text_parse (pattern_text[0] != '\0' ? pattern_text : "00", -1, NULL, &error);
      if (self->pattern == NULL || g_bytes_get_size (self->pattern) == 0)
        {
          /* Translators: %s says what is wrong and where, like "unexpected 'z' at column 1" */
          message = g_strdup_printf (_("Not a hex pattern: %s. Write bytes as hex digits, like 00 or de ad be ef."),
                                     error != NULL ? error->message : _("it is empty"));
          gtk_widget_add_css_class (GTK_WIDGET (self->pattern_entry), "error");
          ok = FALSE;
        }
    }

  show_error (self, message);
  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), ok);
}

static void
update_intro (HmStructureDialog *self)
{
  g_autofree char *text = NULL;

  if (self->kind == HM_STRUCTURE_INSERT)
    {
      guint64 at = self->view != NULL ? hm_hex_view_get_cursor_offset (self->view) : 0;

      text = g_strdup_printf (_("Insert bytes at offset 0x%" PRIx64 ", before the byte at the cursor. "
                                "They are the pattern, repeated. You can undo it."), at);
    }
  else
    {
      guint64 size = self->document != NULL ? hm_document_get_size (self->document) : 0;

      text = g_strdup_printf (_("The file is %" PRIu64 " bytes (0x%" PRIx64 "). A smaller size cuts off the end; "
                                "a larger one adds zeros. You can undo it."), size, size);
    }
  gtk_label_set_text (self->intro_label, text);
  validate (self);
}

static gboolean
apply (HmStructureDialog *self)
{
  g_autoptr(GError) error = NULL;
  gboolean done;

  validate (self);
  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->apply_button)))
    return FALSE;

  if (self->kind == HM_STRUCTURE_INSERT)
    {
      guint64 at = hm_hex_view_get_cursor_offset (self->view);
      gsize n;
      const guint8 *data = g_bytes_get_data (self->pattern, &n);

      done = hm_document_insert_fill (self->document, at, self->number, data, n, &error);
      if (done)
        hm_hex_view_set_selection (self->view, at, self->number);
    }
  else
    done = hm_document_set_size (self->document, self->number, &error);

  if (!done)
    {
      show_error (self, error != NULL ? error->message : _("The edit failed"));
      return FALSE;
    }
  gtk_window_close (GTK_WINDOW (self));
  return TRUE;
}

static void
apply_clicked_cb (HmStructureDialog *self)
{
  apply (self);
}

static void
cancel_clicked_cb (HmStructureDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static GtkEntry *
add_entry (HmStructureDialog *self,
           GtkGrid           *grid,
           int                row,
           const char        *label_text,
           const char        *tooltip)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (label_text);
  GtkWidget *entry = gtk_entry_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), entry);
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_widget_set_tooltip_text (entry, tooltip);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  g_signal_connect_object (entry, "changed", G_CALLBACK (validate), self, G_CONNECT_SWAPPED);
  gtk_grid_attach (grid, label, 0, row, 1, 1);
  gtk_grid_attach (grid, entry, 1, row, 1, 1);
  return GTK_ENTRY (entry);
}

static void
build (HmStructureDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  gboolean insert = self->kind == HM_STRUCTURE_INSERT;

  gtk_window_set_title (GTK_WINDOW (self), insert ? _("Insert Bytes") : _("Set File Size"));
  gtk_window_set_resizable (GTK_WINDOW (self), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (self), 420, -1);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);

  self->intro_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->intro_label, TRUE);
  gtk_label_set_xalign (self->intro_label, 0);
  gtk_label_set_max_width_chars (self->intro_label, 50);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->intro_label));

  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  if (insert)
    {
      self->number_entry = add_entry (self, GTK_GRID (grid), 0, _("_Count"),
                                      _("How many bytes: 16, 0x10, 4K, 1M"));
      self->pattern_entry = add_entry (self, GTK_GRID (grid), 1, _("_Pattern"),
                                       _("Hex bytes repeated to fill them, like 00 or de ad be ef"));
      gtk_editable_set_text (GTK_EDITABLE (self->pattern_entry), "00");
    }
  else
    self->number_entry = add_entry (self, GTK_GRID (grid), 0, _("New _size"),
                                    _("The new size in bytes: 4096, 0x1000, 4K, 1G"));
  gtk_box_append (GTK_BOX (box), grid);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));

  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  self->apply_button = GTK_BUTTON (gtk_button_new_with_mnemonic (insert ? _("_Insert") : _("_Set Size")));
  gtk_widget_add_css_class (GTK_WIDGET (self->apply_button), "suggested-action");
  g_signal_connect_object (cancel, "clicked", G_CALLBACK (cancel_clicked_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->apply_button, "clicked", G_CALLBACK (apply_clicked_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (buttons), cancel);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->apply_button));
  gtk_box_append (GTK_BOX (box), buttons);

  gtk_window_set_child (GTK_WINDOW (self), box);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->apply_button));
}

static void
hm_structure_dialog_dispose (GObject *object)
{
  HmStructureDialog *self = HM_STRUCTURE_DIALOG (object);

  if (self->view != NULL)
    g_signal_handlers_disconnect_by_func (self->view, update_intro, self);
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_func (self->document, update_intro, self);
  g_clear_object (&self->view);
  g_clear_object (&self->document);
  g_clear_pointer (&self->pattern, g_bytes_unref);

  G_OBJECT_CLASS (hm_structure_dialog_parent_class)->dispose (object);
}

static void
hm_structure_dialog_class_init (HmStructureDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hm_structure_dialog_dispose;
  gtk_widget_class_add_binding_action (GTK_WIDGET_CLASS (klass), GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hm_structure_dialog_init (HmStructureDialog *self)
{
}

/**
 * hm_structure_dialog_new:
 * @kind: which edit
 * @view: the view whose cursor an insert goes to
 * @document: @view's document
 *
 * Returns: (transfer none): a new dialog; give it a parent with
 *   gtk_window_set_transient_for() and present it
 */
GtkWidget *
hm_structure_dialog_new (HmStructureKind kind,
                         HmHexView      *view,
                         HmDocument     *document)
{
  HmStructureDialog *self;

  g_return_val_if_fail (HM_IS_HEX_VIEW (view), NULL);
  g_return_val_if_fail (HM_IS_DOCUMENT (document), NULL);

  self = g_object_new (HM_TYPE_STRUCTURE_DIALOG, NULL);
  self->kind = kind;
  self->view = g_object_ref (view);
  self->document = g_object_ref (document);
  build (self);
  g_signal_connect_object (view, "notify::cursor-offset", G_CALLBACK (update_intro), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "notify::size", G_CALLBACK (update_intro), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "notify::mode", G_CALLBACK (update_intro), self, G_CONNECT_SWAPPED);
  if (kind == HM_STRUCTURE_SET_SIZE)
    {
      g_autofree char *size = g_strdup_printf ("%" PRIu64, hm_document_get_size (document));

      gtk_editable_set_text (GTK_EDITABLE (self->number_entry), size);
    }
  update_intro (self);
  return GTK_WIDGET (self);
}

/* ---- For tests ---- */

void
_hm_structure_dialog_set_text (HmStructureDialog *self,
                               const char        *number,
                               const char        *pattern)
{
  if (number != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->number_entry), number);
  if (pattern != NULL && self->pattern_entry != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->pattern_entry), pattern);
}

gboolean
_hm_structure_dialog_apply (HmStructureDialog *self)
{
  return apply (self);
}

const char *
_hm_structure_dialog_get_error (HmStructureDialog *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label)) ? gtk_label_get_text (self->error_label) : NULL;
}
