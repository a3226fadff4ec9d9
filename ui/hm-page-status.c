/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmPage, the status bar: what the page tells the user without a dialog.
 *
 * From left to right: the cursor offset (a menu button whose popover is "go
 * to": an offset, +N or -N from the cursor, N% of the file or end-N, parsed
 * in core/hm-offset.c, with what is wrong with it said inline), the selection,
 * a hint that clears itself after a few seconds (what an action did, a
 * refusal the user can act on, why the file opened read-only), the save
 * progress (hm-page-save.c), the size, the holes of a sparse file, the
 * filesystem, the modification time (the document's disk-mtime) and the mode,
 * with the reason when it is read-only.
 *
 * Counting holes scans the file's extents, which takes a while on a big sparse
 * file and can stall on NFS or FUSE: it runs in a worker
 * (hm_document_count_holes_async()), and a new count cancels the one before.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hm-offset.h"
#include "hm-page-private.h"

/* ---- Hints ---- */

static gboolean
clear_hint_cb (gpointer user_data)
{
  HmPage *self = user_data;

  self->hint_source = 0;
  gtk_label_set_text (self->hint_label, "");
  return G_SOURCE_REMOVE;
}

void
_hm_page_show_hint (HmPage     *self,
                    const char *message)
{
  gtk_label_set_text (self->hint_label, message);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->hint_label), message);
  g_clear_handle_id (&self->hint_source, g_source_remove);
  self->hint_source = g_timeout_add_seconds (6, clear_hint_cb, self);
}

void
_hm_page_view_hint_cb (HmPage     *self,
                       const char *message,
                       HmHexView  *view)
{
  _hm_page_show_hint (self, message);
}

/* ---- Status bar ---- */

void
_hm_page_update_cursor_status (HmPage *self)
{
  guint64 cursor = hm_hex_view_get_cursor_offset (self->view);
  guint64 length = hm_hex_view_get_selection_length (self->view);
  g_autofree char *offset = NULL;
  g_autofree char *selection = NULL;

  /* The view's offset format first, the other in brackets. */
  if (hm_hex_view_get_offset_format (self->view) == HM_OFFSET_FORMAT_DECIMAL)
    /* Translators: the cursor offset in decimal and in hex */
    offset = g_strdup_printf (_("Offset %" PRIu64 " (0x%" PRIX64 ")"), cursor, cursor);
  else
    /* Translators: the cursor offset in hex and in decimal */
    offset = g_strdup_printf (_("Offset 0x%" PRIX64 " (%" PRIu64 ")"), cursor, cursor);
  gtk_menu_button_set_label (self->offset_button, offset);

  if (length > 0)
    selection = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Selected %" PRIu64 " byte (0x%" PRIX64 ")",
                                              "Selected %" PRIu64 " bytes (0x%" PRIX64 ")",
                                              length),
                                 length, length);
  gtk_label_set_text (self->selection_label, selection != NULL ? selection : "");
  gtk_widget_set_visible (GTK_WIDGET (self->selection_label), length > 0);
}

void
_hm_page_update_mode_reason (HmPage *self)
{
  /* The document knows which check made it read-only. */
  g_free (self->mode_reason);
  self->mode_reason = hm_document_dup_read_only_reason (self->document);
}

/* The file's modification time as the document last saw it: at open, and
 * after every change, ours or another program's (notify::disk-mtime). */
void
_hm_page_update_mtime_status (HmPage *self)
{
  gint64 mtime = hm_document_get_disk_mtime (self->document);
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;
  g_autofree char *formatted = NULL;

  if (mtime == -1)
    {
      gtk_label_set_text (self->mtime_label, "");
      return;
    }

  time = g_date_time_new_from_unix_local (mtime / G_USEC_PER_SEC);
  formatted = time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : NULL;
  /* Translators: %s is the file's modification date and time */
  text = g_strdup_printf (_("Modified %s"), formatted != NULL ? formatted : "?");
  gtk_label_set_text (self->mtime_label, text);
}

static const char *
mode_explanation (HmDocumentMode mode)
{
  switch (mode)
    {
    case HM_DOCUMENT_MODE_READ_ONLY:
      return _("Nothing can change the file.");
    case HM_DOCUMENT_MODE_PREVIEW:
      return _("Edits stay in memory until you save; the file is untouched until then.");
    case HM_DOCUMENT_MODE_DIRECT:
      return _("Edits go into the file at once; other programs see them. Saving makes them durable.");
    default:
      g_return_val_if_reached ("");
    }
}

static void
show_holes (HmPage  *self,
            guint    n_holes,
            guint64  data_bytes)
{
  if (n_holes > 0)
    {
      g_autofree char *holes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hole", "%u holes", n_holes),
                                                n_holes);
      g_autofree char *data = g_format_size_full (data_bytes, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *tooltip = g_strdup_printf (_("A sparse file: only %s are stored on disk; "
                                                    "holes read as zeros."), data);

      gtk_label_set_text (self->holes_label, holes);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->holes_label), tooltip);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->holes_label), n_holes > 0);
}

static void
holes_counted_cb (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  HmPage *self = user_data;
  guint n_holes = 0;
  guint64 data_bytes = 0;

  /* Cancelled by a newer count or by dispose: then @self must not be touched. */
  if (!hm_document_count_holes_finish (HM_DOCUMENT (source_object), result, &n_holes, &data_bytes, NULL))
    return;
  self->holes_counted = TRUE;
  show_holes (self, n_holes, data_bytes);
}

/* @self is no reference: dispose cancels, so it stays valid until the callback. */
static void
update_holes (HmPage *self)
{
  if (self->holes_cancellable != NULL)
    g_cancellable_cancel (self->holes_cancellable);
  g_clear_object (&self->holes_cancellable);
  if (hm_document_get_kind (self->document) != HM_FILE_KIND_REGULAR)
    {
      show_holes (self, 0, 0);
      return;
    }

  /* Until the first count; a recount keeps the last one on screen. */
  if (!self->holes_counted)
    {
      gtk_label_set_text (self->holes_label, "…");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->holes_label), _("Looking for holes in the file…"));
      gtk_widget_set_visible (GTK_WIDGET (self->holes_label), TRUE);
    }
  self->holes_cancellable = g_cancellable_new ();
  hm_document_count_holes_async (self->document, self->holes_cancellable, holes_counted_cb, self);
}

void
_hm_page_update_file_status (HmPage *self)
{
  HmDocument *doc = self->document;
  HmDocumentMode mode = hm_document_get_mode (doc);
  guint64 size = hm_document_get_size (doc);
  g_autofree char *size_text = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *size_label = NULL;
  g_autofree char *size_tooltip = NULL;
  g_autofree char *fs_tooltip = NULL;
  g_autofree char *mode_tooltip = NULL;

  /* Translators: %s is a size such as "4.0 GiB" */
  size_label = g_strdup_printf (_("Size %s"), size_text);
  gtk_label_set_text (self->size_label, size_label);
  size_tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " byte",
                                               "%" PRIu64 " bytes", size), size);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->size_label), size_tooltip);

  update_holes (self);

  gtk_label_set_text (self->fs_label, hm_document_get_fs_type (doc));
  /* Translators: %s is a filesystem type such as ext4 or nfs4 */
  fs_tooltip = g_strdup_printf (_("Filesystem: %s"), hm_document_get_fs_type (doc));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->fs_label), fs_tooltip);

  switch (mode)
    {
    case HM_DOCUMENT_MODE_READ_ONLY:
      gtk_label_set_text (self->mode_label, _("Read-Only"));
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
  if (mode == HM_DOCUMENT_MODE_READ_ONLY && self->mode_reason != NULL)
    mode_tooltip = g_strdup_printf ("%s %s", mode_explanation (mode), self->mode_reason);
  else
    mode_tooltip = g_strdup (mode_explanation (mode));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mode_label), mode_tooltip);
}

/* Insert or overwrite, and in direct mode what happens to inserts and deletes:
 * overwrites go straight to the file there, but bytes cannot move under other
 * programs' feet, so structural edits wait for Save — said, never a surprise. */
void
_hm_page_update_insert_status (HmPage *self)
{
  gboolean insert = hm_hex_view_get_insert_mode (self->view);
  gboolean structural = self->document != NULL && hm_document_get_has_structural_pending (self->document);
  GString *tooltip = g_string_new (NULL);

  /* Translators: short status bar labels: insert mode, overwrite mode */
  gtk_label_set_text (self->insert_label, insert ? _("INS") : _("OVR"));
  g_string_append (tooltip, insert ? _("Insert mode: typing and pasting insert bytes (Insert key toggles)")
                                   : _("Overwrite mode: typing and pasting replace bytes (Insert key toggles)"));
  if (structural && hm_document_get_mode (self->document) == HM_DOCUMENT_MODE_DIRECT)
    {
      g_string_append_c (tooltip, '\n');
      g_string_append (tooltip, _("Inserts and deletes are pending until you save, even in direct mode"));
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->insert_label), tooltip->str);
  g_string_free (tooltip, TRUE);
}

/* ---- Go to offset ---- */

static gboolean
resolve_goto (HmPage   *self,
              guint64  *offset,
              GError  **error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->goto_entry));
  HmOffsetTarget target;

  return hm_offset_target_parse (text, &target, error) &&
         hm_offset_target_resolve (&target, hm_hex_view_get_cursor_offset (self->view),
                                   hm_document_get_size (self->document), offset, error);
}

static void
set_goto_error (HmPage       *self,
                const GError *error)
{
  gtk_label_set_text (self->goto_error_label, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->goto_error_label), error != NULL);
  if (error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->goto_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->goto_entry), "error");
}

static void
goto_changed_cb (HmPage *self)
{
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->goto_entry));
  guint64 offset;

  /* Inline validation, but not while the entry is still empty. */
  if (*text == '\0' || resolve_goto (self, &offset, &error))
    set_goto_error (self, NULL);
  else
    set_goto_error (self, error);
}

static void
goto_activate_cb (HmPage *self)
{
  g_autoptr(GError) error = NULL;
  guint64 offset;

  if (!resolve_goto (self, &offset, &error))
    {
      set_goto_error (self, error);
      return;
    }
  gtk_popover_popdown (self->goto_popover);
  hm_page_go_to (self, offset);
}

static char *
goto_prefill (HmPage *self)
{
  return g_strdup_printf ("0x%" G_GINT64_MODIFIER "X", hm_hex_view_get_cursor_offset (self->view));
}

/* What the popover opens with is selected, so that typing replaces it. The
 * focus can reach the entry after "show" (when the popover's surface is mapped
 * and focused, later on X11, and differently when another widget, a side-pane
 * tab, had the focus), and reaching it may leave the text unselected: so select
 * again at every step, as long as the text is still the prefilled one, which
 * means nothing the user typed can be selected away. */
static void
select_prefill (HmPage *self)
{
  GtkEditable *entry = GTK_EDITABLE (self->goto_entry);
  g_autofree char *text = goto_prefill (self);

  if (!gtk_widget_get_mapped (GTK_WIDGET (self->goto_popover))
      || !g_str_equal (gtk_editable_get_text (entry), text))
    return;
  if (gtk_widget_get_focus_child (GTK_WIDGET (self->goto_entry)) == NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->goto_entry));
  gtk_editable_select_region (entry, 0, -1);
}

static gboolean
is_modifier_key (guint keyval)
{
  return (keyval >= GDK_KEY_Shift_L && keyval <= GDK_KEY_Hyper_R)
         || (keyval >= GDK_KEY_ISO_Lock && keyval <= GDK_KEY_ISO_Level5_Lock);
}

/* The first key after the popover opened: if it types (a character,
 * Backspace, Delete) while the text is still the prefill, the prefill is
 * selected first, so it is replaced even if its selection was lost: on X11 an
 * entry drops its selection when it loses the PRIMARY selection, and the
 * claims of the entry's old and new text race with the popover opening (that
 * was the "0x180x3"). A first key that moves the cursor (arrows, Home, End)
 * keeps the text for editing; so does a click in the entry. */
static gboolean
goto_key_pressed_cb (HmPage                *self,
                     guint                  keyval,
                     guint                  keycode,
                     GdkModifierType        state,
                     GtkEventControllerKey *controller)
{
  gunichar ch;

  if (!self->goto_pristine || is_modifier_key (keyval))
    return FALSE;
  self->goto_pristine = FALSE;
  ch = gdk_keyval_to_unicode (keyval);
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) == 0
      && ((ch >= ' ' && ch != 0x7f) || keyval == GDK_KEY_BackSpace || keyval == GDK_KEY_Delete
          || keyval == GDK_KEY_KP_Delete))
    select_prefill (self);
  return FALSE;
}

static void
goto_entry_pressed_cb (HmPage *self)
{
  self->goto_pristine = FALSE;
}

static void
goto_popover_show_cb (HmPage *self)
{
  g_autofree char *text = goto_prefill (self);

  self->goto_pristine = TRUE;

  gtk_editable_set_text (GTK_EDITABLE (self->goto_entry), text);
  set_goto_error (self, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->goto_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->goto_entry), 0, -1);
}

static void
goto_popover_map_cb (HmPage *self)
{
  select_prefill (self);
}

static void
goto_entry_focus_enter_cb (HmPage *self)
{
  select_prefill (self);
}

/* Escape, a click outside or Go: the focus goes back to the view. */
static void
goto_popover_closed_cb (HmPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

/* Built when first opened: the page's first frame does not show it, and it
 * holds the page's only GtkEntry (whose class takes a while to set up). */
void
_hm_page_ensure_goto (HmPage *self)
{
  g_autoptr(GtkBuilder) builder = NULL;
  g_autoptr(GtkBuilderScope) scope = NULL;
  g_autoptr(GError) error = NULL;

  if (self->goto_popover != NULL)
    return;

  scope = gtk_builder_cscope_new ();
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), goto_activate_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), goto_changed_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), goto_popover_show_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), goto_popover_map_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), goto_popover_closed_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), goto_entry_focus_enter_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), goto_key_pressed_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), goto_entry_pressed_cb);
  builder = gtk_builder_new ();
  gtk_builder_set_scope (builder, scope);
  gtk_builder_set_current_object (builder, G_OBJECT (self));
  if (!gtk_builder_add_from_resource (builder, "/org/hexmap/Hexmap/ui/hm-goto-popover.ui", &error))
    g_error ("The Go to Offset popover: %s", error->message);

  self->goto_popover = GTK_POPOVER (gtk_builder_get_object (builder, "goto_popover"));
  self->goto_entry = GTK_ENTRY (gtk_builder_get_object (builder, "goto_entry"));
  self->goto_error_label = GTK_LABEL (gtk_builder_get_object (builder, "goto_error_label"));
  /* The button owns it from now on. */
  gtk_menu_button_set_popover (self->offset_button, GTK_WIDGET (self->goto_popover));
}

static void
offset_button_create_popup_cb (GtkMenuButton *button,
                               gpointer       user_data)
{
  _hm_page_ensure_goto (HM_PAGE (user_data));
}

void
_hm_page_status_init (HmPage *self)
{
  gtk_menu_button_set_create_popup_func (self->offset_button, offset_button_create_popup_cb, self, NULL);
}

/* ---- For tests ---- */

void
_hm_page_goto_type (HmPage     *self,
                    const char *text)
{
  GtkEditable *entry;

  _hm_page_ensure_goto (self);
  entry = GTK_EDITABLE (self->goto_entry);

  for (const char *p = text; *p != '\0'; p++)
    {
      char c[2] = { *p, '\0' };
      int position;

      goto_key_pressed_cb (self, gdk_unicode_to_keyval ((guint32) *p), 0, 0, NULL);
      gtk_editable_delete_selection (entry);
      position = gtk_editable_get_position (entry);
      gtk_editable_insert_text (entry, c, 1, &position);
      gtk_editable_set_position (entry, position);
    }
}
