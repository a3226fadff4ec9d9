/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmPage, the actions: the page.* GSimpleActionGroup (save, save-as, discard,
 * undo, redo, goto, find, find-next, find-previous, checksum, fill,
 * toggle-bookmark, close, mode, and the hole navigation of sparse files), and
 * _hm_page_update_actions(), which enables each for the document's state.
 *
 * Most callbacks are short and hand over to the job's own file or widget: the
 * save ones to hm-page-save.c, close to hm-page-close.c, find to the find bar
 * (prefilled from a short selection), goto to the popover of the offset in
 * the status bar.
 * Discard and switching to direct mode with pending edits ask first, since
 * neither can be undone. The selection dialogs (checksum, fill) are transient
 * for the window and go with the page; their faults come to the page.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hm-checksum-dialog-private.h"
#include "hm-fill-dialog-private.h"
#include "hm-structure-dialog.h"
#include "hm-page-private.h"
#include "hm-pattern.h"

/* Ctrl+F starts from the selection when it is at most this long. */
#define MAX_FIND_PREFILL 64

/* ---- Enabled state and mode ---- */

static void
set_action_enabled (HmPage     *self,
                    const char *name,
                    gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

const char *
_hm_page_mode_to_id (HmDocumentMode mode)
{
  switch (mode)
    {
    case HM_DOCUMENT_MODE_READ_ONLY:
      return "read-only";
    case HM_DOCUMENT_MODE_PREVIEW:
      return "preview";
    case HM_DOCUMENT_MODE_DIRECT:
      return "direct";
    default:
      g_return_val_if_reached ("read-only");
    }
}

static gboolean
mode_from_id (const char     *id,
              HmDocumentMode *mode)
{
  if (g_strcmp0 (id, "read-only") == 0)
    *mode = HM_DOCUMENT_MODE_READ_ONLY;
  else if (g_strcmp0 (id, "preview") == 0)
    *mode = HM_DOCUMENT_MODE_PREVIEW;
  else if (g_strcmp0 (id, "direct") == 0)
    *mode = HM_DOCUMENT_MODE_DIRECT;
  else
    return FALSE;
  return TRUE;
}

void
_hm_page_update_actions (HmPage *self)
{
  HmDocument *doc = self->document;
  gboolean pending = hm_document_get_has_pending (doc);

  set_action_enabled (self, "save", !self->busy && pending);
  set_action_enabled (self, "discard", !self->busy && pending);
  set_action_enabled (self, "undo", !self->busy && hm_document_get_can_undo (doc));
  set_action_enabled (self, "redo", !self->busy && hm_document_get_can_redo (doc));
  set_action_enabled (self, "save-as", !self->busy);
  set_action_enabled (self, "mode", !self->busy);
  set_action_enabled (self, "fill", !self->busy &&
                                    hm_document_get_mode (doc) != HM_DOCUMENT_MODE_READ_ONLY &&
                                    hm_hex_view_get_selection_length (self->view) > 0);
  set_action_enabled (self, "insert-bytes", !self->busy && hm_document_get_mode (doc) != HM_DOCUMENT_MODE_READ_ONLY);
  set_action_enabled (self, "set-size", !self->busy && hm_document_get_mode (doc) != HM_DOCUMENT_MODE_READ_ONLY);
  set_action_enabled (self, "delete-selection", !self->busy &&
                                                hm_document_get_mode (doc) != HM_DOCUMENT_MODE_READ_ONLY &&
                                                hm_hex_view_get_selection_length (self->view) > 0);
}

void
_hm_page_document_mode_changed_cb (HmPage *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "mode");

  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_string (_hm_page_mode_to_id (hm_document_get_mode (self->document))));
  _hm_page_update_file_status (self);
  _hm_page_update_actions (self);
}

/* ---- Actions ---- */

static void
save_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  hm_page_save (HM_PAGE (user_data), FALSE, NULL, NULL);
}

static void
discard_now (HmPage *self)
{
  g_autoptr(GError) error = NULL;

  if (!hm_document_discard (self->document, &error))
    _hm_page_show_error (self, error);
  else
    _hm_page_show_hint (self, _("Edits discarded."));
}

static void
discard_response_cb (GtkDialog *dialog,
                     int        response,
                     HmPage    *self)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == GTK_RESPONSE_ACCEPT)
    discard_now (self);
}

/* What Discard throws away: "N changed bytes in M ranges", and in direct mode
 * that the file gets its saved bytes back. */
static char *
describe_discard (HmPage *self)
{
  g_autoptr(GArray) pending = hm_document_get_pending_ranges (self->document);
  guint n_ranges = pending != NULL ? pending->len : 0;
  guint64 n_bytes = 0;
  g_autofree char *bytes = NULL;
  g_autofree char *ranges = NULL;

  for (guint i = 0; i < n_ranges; i++)
    n_bytes += g_array_index (pending, HmRange, i).length;
  bytes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " changed byte", "%" PRIu64 " changed bytes",
                                        (gulong) MIN (n_bytes, G_MAXULONG)),
                           n_bytes);
  ranges = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u range", "%u ranges", n_ranges), n_ranges);

  if (hm_document_get_mode (self->document) == HM_DOCUMENT_MODE_DIRECT)
    /* Translators: the first %s is "N changed bytes", the second "M ranges" */
    return g_strdup_printf (_("%s in %s will be thrown away. The file already holds them: its saved "
                              "bytes are written back into it. This cannot be undone."), bytes, ranges);
  /* Translators: the first %s is "N changed bytes", the second "M ranges" */
  return g_strdup_printf (_("%s in %s will be thrown away. This cannot be undone."), bytes, ranges);
}

static void
discard_action_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  HmPage *self = user_data;
  g_autofree char *secondary = describe_discard (self);
  GtkWidget *dialog;
  GtkWidget *button;

  dialog = gtk_message_dialog_new (_hm_page_get_parent_window (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE,
                                   _("Discard Your Edits to “%s”?"), self->name);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", secondary);
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Discard"), GTK_RESPONSE_ACCEPT);
  gtk_widget_add_css_class (button, "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  /* Destroyed unanswered (the window went away): nothing is discarded. */
  g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
undo_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HmPage *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hm_document_undo (self->document, &error))
    _hm_page_show_error (self, error);
}

static void
redo_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HmPage *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hm_document_redo (self->document, &error))
    _hm_page_show_error (self, error);
}

static void
goto_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HmPage *self = user_data;

  gtk_menu_button_popup (self->offset_button);
}

static gboolean
is_printable_utf8 (const guint8 *data,
                   gsize         length)
{
  const char *text = (const char *) data;

  if (!g_utf8_validate_len (text, length, NULL))
    return FALSE;
  for (const char *p = text; p < text + length; p = g_utf8_next_char (p))
    if (!g_unichar_isprint (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/* Ctrl+F looks for what is selected, when that is short: as text when the find
 * bar is in text mode or the cursor is in the text column and the bytes are
 * printable UTF-8, otherwise as hex bytes. */
static void
prefill_find_bar (HmPage *self)
{
  guint64 length = hm_hex_view_get_selection_length (self->view);
  guint8 data[MAX_FIND_PREFILL];
  g_autofree char *pattern = NULL;
  gboolean text_mode = FALSE;

  _hm_page_ensure_panels (self);
  if (length == 0 || length > MAX_FIND_PREFILL)
    return;
  /* A read that fails here also fails on screen, where the view reports it. */
  if (hm_document_read (self->document, hm_hex_view_get_selection_start (self->view), data, (gsize) length,
                        NULL) != (gssize) length)
    return;

  g_object_get (self->find_bar, "text-mode", &text_mode, NULL);
  text_mode = (text_mode || hm_hex_view_get_pane (self->view) == HM_HEX_PANE_TEXT) &&
              is_printable_utf8 (data, (gsize) length);
  if (text_mode)
    pattern = g_strndup ((const char *) data, (gsize) length);
  else
    pattern = hm_hex_view_format_bytes (data, (gsize) length, HM_COPY_FORMAT_HEX);

  /* The selection's own bytes are UTF-8: search for exactly those. */
  if (text_mode)
    g_object_set (self->find_bar, "encoding", (guint) HM_TEXT_ENCODING_UTF8, NULL);
  g_object_set (self->find_bar, "text-mode", text_mode, "pattern", pattern, NULL);
}

static void
find_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HmPage *self = user_data;

  prefill_find_bar (self);
  hm_find_bar_set_revealed (self->find_bar, TRUE);
  hm_find_bar_focus (self->find_bar);
}

/* Ctrl+H: the find bar with its replace row. */
static void
replace_action_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  HmPage *self = user_data;

  prefill_find_bar (self);
  hm_find_bar_focus_replace (self->find_bar);
}

/* Copy, paste and select all are the view's own actions (its keys work while it
 * has the focus); the menu reaches them through these. */
static void
view_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HmPage *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));

  if (g_str_equal (name, "copy"))
    gtk_widget_activate_action (GTK_WIDGET (self->view), "hex-view.copy", "s", "pane");
  else if (g_str_equal (name, "paste"))
    gtk_widget_activate_action (GTK_WIDGET (self->view), "hex-view.paste", NULL);
  else
    gtk_widget_activate_action (GTK_WIDGET (self->view), "hex-view.select-all", NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

static void
find_next_action_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  HmPage *self = user_data;

  _hm_page_ensure_panels (self);
  hm_find_bar_set_revealed (self->find_bar, TRUE);
  hm_find_bar_find_next (self->find_bar);
}

static void
find_previous_action_cb (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  HmPage *self = user_data;

  _hm_page_ensure_panels (self);
  hm_find_bar_set_revealed (self->find_bar, TRUE);
  hm_find_bar_find_previous (self->find_bar);
}

/* The selection dialogs: transient for the window, gone with the page. */
static void
track_dialog (HmPage     *self,
              GtkWindow  *dialog,
              GtkWindow **slot)
{
  g_assert (*slot == NULL);

  *slot = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) slot);
  gtk_window_set_transient_for (dialog, _hm_page_get_parent_window (self));
  gtk_window_set_destroy_with_parent (dialog, TRUE);
  g_signal_connect_object (dialog, "fault", G_CALLBACK (_hm_page_panel_fault_cb), self, G_CONNECT_SWAPPED);
}

void
_hm_page_untrack_dialog (GtkWindow **slot)
{
  GtkWindow *dialog = *slot;

  if (dialog == NULL)
    return;
  g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) slot);
  *slot = NULL;
  gtk_window_destroy (dialog);
}

static void
checksum_action_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  HmPage *self = user_data;
  GtkWidget *dialog;

  /* The dialog takes its range when it is attached: a new request is a new dialog. */
  _hm_page_untrack_dialog (&self->checksum_dialog);
  dialog = hm_checksum_dialog_new ();
  track_dialog (self, GTK_WINDOW (dialog), &self->checksum_dialog);
  _hm_checksum_dialog_attach (HM_CHECKSUM_DIALOG (dialog), self->view, self->document);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
fill_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HmPage *self = user_data;

  /* It follows the selection, so an open one only needs raising. */
  if (self->fill_dialog == NULL)
    {
      GtkWidget *dialog = hm_fill_dialog_new ();

      track_dialog (self, GTK_WINDOW (dialog), &self->fill_dialog);
      gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
      _hm_fill_dialog_attach (HM_FILL_DIALOG (dialog), self->view, self->document);
    }
  gtk_window_present (self->fill_dialog);
}

/* Insert Bytes… and Set File Size…: modal, one at a time, made anew each time
 * (they read the cursor and the size when they open). */
static void
structure_dialog (HmPage          *self,
                  HmStructureKind  kind)
{
  GtkWidget *dialog = hm_structure_dialog_new (kind, self->view, self->document);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), _hm_page_get_parent_window (self));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
insert_bytes_action_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  structure_dialog (user_data, HM_STRUCTURE_INSERT);
}

static void
set_size_action_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  structure_dialog (user_data, HM_STRUCTURE_SET_SIZE);
}

static void
delete_selection_action_cb (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  HmPage *self = user_data;

  hm_hex_view_delete_selection (self->view);
}

static void
toggle_insert_action_cb (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  HmPage *self = user_data;

  hm_hex_view_set_insert_mode (self->view, !hm_hex_view_get_insert_mode (self->view));
}

static void
toggle_bookmark_action_cb (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  HmPage *self = user_data;
  guint64 offset = hm_hex_view_get_cursor_offset (self->view);
  g_autofree char *message = NULL;

  _hm_page_ensure_panels (self);
  if (hm_bookmarks_panel_toggle_at_cursor (self->bookmarks_panel))
    /* Translators: the cursor offset in hex */
    message = g_strdup_printf (_("Bookmark added at 0x%" PRIX64 "."), offset);
  else
    message = g_strdup_printf (_("Bookmark at 0x%" PRIX64 " removed."), offset);
  _hm_page_show_hint (self, message);
}

static void
close_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  hm_page_confirm_close (HM_PAGE (user_data), _hm_page_close_confirmed_cb, NULL);
}

/* Refusals the user can act on (save or discard first, wait for the save) are a
 * hint in the status bar, not a fault dialog. */
static void
show_mode_error (HmPage       *self,
                 const GError *error)
{
  if (g_error_matches (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY))
    _hm_page_show_hint (self, error->message);
  else
    _hm_page_show_error (self, error);
}

static void
set_mode (HmPage         *self,
          HmDocumentMode  mode)
{
  g_autoptr(GError) error = NULL;

  if (!hm_document_set_mode (self->document, mode, &error))
    {
      show_mode_error (self, error);
      /* The check buttons follow the action's state: put it back. */
      _hm_page_document_mode_changed_cb (self);
    }
}

static void
direct_confirm_response_cb (GtkDialog *dialog,
                            int        response,
                            HmPage    *self)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == GTK_RESPONSE_ACCEPT)
    set_mode (self, HM_DOCUMENT_MODE_DIRECT);
  else
    _hm_page_document_mode_changed_cb (self);
}

static void
mode_change_state_cb (GSimpleAction *action,
                      GVariant      *value,
                      gpointer       user_data)
{
  HmPage *self = user_data;
  HmDocumentMode mode;
  GtkWidget *dialog;
  GtkWidget *button;

  if (!mode_from_id (g_variant_get_string (value, NULL), &mode) ||
      mode == hm_document_get_mode (self->document))
    return;

  /* The popover greys these out; nothing else should ask, but it is no error. */
  if (mode != HM_DOCUMENT_MODE_READ_ONLY && !hm_document_get_can_write (self->document))
    {
      _hm_page_show_hint (self, self->mode_reason != NULL ? self->mode_reason : _("This file cannot be written."));
      _hm_page_document_mode_changed_cb (self);
      return;
    }

  if (mode != HM_DOCUMENT_MODE_DIRECT || !hm_document_get_has_pending (self->document))
    {
      set_mode (self, mode);
      return;
    }

  dialog = gtk_message_dialog_new (_hm_page_get_parent_window (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE,
                                   _("Write Your Edits into the File Now?"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
                                            _("In direct mode, edits go into the file at once and other "
                                              "programs see them. Your pending edits will be written into "
                                              "the file now; saving then makes them durable."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("Switch to _Direct"), GTK_RESPONSE_ACCEPT);
  gtk_widget_add_css_class (button, "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_signal_connect_object (dialog, "response", G_CALLBACK (direct_confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Sparse files: the view moves the cursor, or says in a hint (shown in the
 * status bar) that there is nothing further that way. */
static void
hole_navigation_action_cb (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  HmPage *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));

  if (g_str_equal (name, "next-data"))
    hm_hex_view_goto_next_data (self->view);
  else if (g_str_equal (name, "previous-data"))
    hm_hex_view_goto_previous_data (self->view);
  else if (g_str_equal (name, "next-hole"))
    hm_hex_view_goto_next_hole (self->view);
  else
    hm_hex_view_goto_previous_hole (self->view);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

static const GActionEntry page_actions[] = {
  { "save", save_action_cb },
  { "save-as", _hm_page_save_as_action_cb },
  { "edit-copy", _hm_page_edit_copy_action_cb },
  { "discard", discard_action_cb },
  { "undo", undo_action_cb },
  { "redo", redo_action_cb },
  { "goto", goto_action_cb },
  { "find", find_action_cb },
  { "replace", replace_action_cb },
  { "copy", view_action_cb },
  { "paste", view_action_cb },
  { "select-all", view_action_cb },
  { "find-next", find_next_action_cb },
  { "find-previous", find_previous_action_cb },
  { "checksum", checksum_action_cb },
  { "fill", fill_action_cb },
  { "insert-bytes", insert_bytes_action_cb },
  { "set-size", set_size_action_cb },
  { "delete-selection", delete_selection_action_cb },
  { "toggle-insert-mode", toggle_insert_action_cb },
  { "toggle-bookmark", toggle_bookmark_action_cb },
  { "close", close_action_cb },
  { "mode", NULL, "s", "'read-only'", mode_change_state_cb },
  { "next-data", hole_navigation_action_cb },
  { "previous-data", hole_navigation_action_cb },
  { "next-hole", hole_navigation_action_cb },
  { "previous-hole", hole_navigation_action_cb },
};

void
_hm_page_actions_init (HmPage *self)
{
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), page_actions, G_N_ELEMENTS (page_actions), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "page", G_ACTION_GROUP (self->actions));
}
