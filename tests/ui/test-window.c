/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Drives the real application: HmApplication gets a command line with a file and
 * an offset, then the tests run inside its main loop, one after the other on the
 * same window, like a user would: go to, edit, save, discard, undo, checksums,
 * fill, bookmarks, the side pane, find from the selection, changes, a deletion
 * and a truncation by another program, and closing with unsaved edits.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm-application.h"
#include "hm-bookmarks-panel-private.h"
#include "hm-checksum-dialog-private.h"
#include "hm-fill-dialog-private.h"
#include "hm-find-bar-private.h"
#include "hm-hex-view-private.h"
#include "hm-inspector.h"
#include "hm-page-private.h"
#include "hm-test-util.h"
#include "hm-ui-test-util.h"
#include "hm-window-private.h"

#define FILE_SIZE 0x10000

static HmApplication *app;
static char *data_path;
static guint8 *original;
static int test_status = 1;

/* ---- Helpers ---- */

static HmWindow *
get_window (void)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (HM_IS_WINDOW (window));
  return HM_WINDOW (window);
}

static HmPage *
get_page (void)
{
  HmPage *page = hm_window_get_current_page (get_window ());

  g_assert_nonnull (page);
  return page;
}

static void
activate (const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), action, NULL));
}

static gboolean
action_enabled (const char *name)
{
  GActionGroup *group = hm_page_get_action_group (get_page ());

  return g_action_group_get_action_enabled (group, name);
}

static guint8
document_byte (guint64 offset)
{
  g_autoptr(GError) error = NULL;
  guint8 byte = 0;

  g_assert_cmpint (hm_document_read (hm_page_get_document (get_page ()), offset, &byte, 1, &error), ==, 1);
  g_assert_no_error (error);
  return byte;
}

static guint8
disk_byte (guint64 offset)
{
  int fd = open (data_path, O_RDONLY | O_CLOEXEC);
  guint8 byte = 0;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pread (fd, &byte, 1, (off_t) offset), ==, 1);
  close (fd);
  return byte;
}

static void
type_byte (guint64 offset,
           guint   high,
           guint   low)
{
  HmHexView *view = hm_page_get_view (get_page ());

  hm_hex_view_set_cursor_offset (view, offset);
  hm_hex_view_set_pane (view, HM_HEX_PANE_HEX);
  g_assert_true (_hm_hex_view_key_press (view, high, 0));
  g_assert_true (_hm_hex_view_key_press (view, low, 0));
}

static gboolean
page_idle (gpointer data)
{
  return !_hm_page_get_busy (get_page ());
}

static gboolean
page_busy (gpointer data)
{
  return _hm_page_get_busy (data);
}

/* Discard asks first, saying how much and that it cannot be undone. */
static void
discard_answering (int         response,
                   const char *expected)
{
  GtkMessageDialog *dialog;
  g_autofree char *text = NULL;

  activate ("page.discard");
  dialog = hm_ui_test_wait_for_message_dialog ();
  text = hm_ui_test_dialog_text (dialog);
  g_assert_nonnull (strstr (text, "Discard"));
  g_assert_nonnull (strstr (text, "cannot be undone"));
  if (expected != NULL)
    g_assert_nonnull (strstr (text, expected));
  gtk_dialog_response (GTK_DIALOG (dialog), response);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  hm_ui_test_spin (20);
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
}

static GtkFileChooser *
find_file_chooser (void)
{
  GList *toplevels = gtk_window_list_toplevels ();
  GtkFileChooser *chooser = NULL;

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (GTK_IS_FILE_CHOOSER (l->data) && gtk_widget_get_visible (l->data))
      chooser = l->data;
  g_list_free (toplevels);
  return chooser;
}

static gboolean
has_file_chooser (gpointer data)
{
  return find_file_chooser () != NULL;
}

static gboolean
checksum_done (gpointer data)
{
  return !_hm_checksum_dialog_is_running (data);
}

static char *
sha256_of (const guint8 *data,
           gsize         length)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, length);
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* The page @data is no longer in the window (only its address is compared: it
 * may be gone). */
static gboolean
page_closed (gpointer data)
{
  HmWindow *window = get_window ();

  for (guint i = 0; i < hm_window_get_n_pages (window); i++)
    if ((gpointer) hm_window_get_page (window, i) == data)
      return FALSE;
  return TRUE;
}

static gboolean
checksum_dialog_gone (gpointer page)
{
  return _hm_page_get_checksum_dialog (page) == NULL;
}

static gboolean
fill_dialog_gone (gpointer page)
{
  return _hm_page_get_fill_dialog (page) == NULL;
}

static gboolean
widget_visible (gpointer widget)
{
  return gtk_widget_get_visible (widget);
}

static gboolean
widget_hidden (gpointer widget)
{
  return !gtk_widget_get_visible (widget);
}

static gboolean
has_accel (const char *action,
           const char *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

  return g_strv_contains ((const char * const *) accels, accel);
}

/* ---- Tests ---- */

static void
test_command_line (void)
{
  HmWindow *window = get_window ();
  HmPage *page = get_page ();
  HmDocument *document = hm_page_get_document (page);

  g_assert_cmpuint (hm_window_get_n_pages (window), ==, 1);
  g_assert_cmpstr (hm_document_get_path (document), ==, data_path);
  /* --offset end-0x100 */
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (hm_page_get_view (page)), ==, FILE_SIZE - 0x100);
  g_assert_cmpint (hm_document_get_mode (document), ==, HM_DOCUMENT_MODE_PREVIEW);
  g_assert_false (action_enabled ("save"));
  g_assert_false (action_enabled ("undo"));
  g_assert_true (action_enabled ("goto"));
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (window)), "data.bin"));
}

static gboolean
panels_built (gpointer page)
{
  return HM_PAGE (page)->panels_built;
}

/* Not gtk_recent_manager_has_item(): it is critical while the list is empty. */
static gboolean
recent_has (gpointer uri)
{
  GList *items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  gboolean found = FALSE;

  for (GList *l = items; l != NULL; l = l->next)
    found = found || g_str_equal (gtk_recent_info_get_uri (l->data), uri);
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
  return found;
}

/* What the first frame does not show is built after it, without being asked:
 * the find bar and the side panels, the recent file; a page never shown builds
 * them when something needs them; the shortcuts window is built when first
 * shown, not with every window. */
static void
test_after_first_frame (void)
{
  HmWindow *window = get_window ();
  HmPage *page = get_page ();
  g_autofree char *uri = g_filename_to_uri (data_path, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) document = NULL;
  g_autoptr(GtkBuilder) builder = NULL;
  GObject *overlay;
  HmPage *unshown;
  guint n_panels = 0;

  g_assert_true (hm_ui_test_wait_for (panels_built, page, HM_UI_TEST_WAIT_MS));
  g_assert_cmpuint (_hm_hex_view_get_frames_drawn (hm_page_get_view (page)), >, 0);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (page->side_stack)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n_panels++;
  g_assert_cmpuint (n_panels, ==, 3);
  g_assert_true (gtk_widget_get_parent (GTK_WIDGET (page->find_bar)) == GTK_WIDGET (page->find_slot));
  g_assert_true (hm_ui_test_wait_for (recent_has, uri, HM_UI_TEST_WAIT_MS));

  document = hm_document_new_full (data_path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  g_assert_no_error (error);
  unshown = g_object_ref_sink (hm_page_new (document));
  hm_ui_test_spin (50);
  g_assert_false (unshown->panels_built);
  g_assert_null (unshown->find_bar);
  g_assert_nonnull (_hm_page_get_bookmarks_panel (unshown));
  g_assert_true (unshown->panels_built);
  g_assert_nonnull (_hm_page_get_find_bar (unshown));
  g_object_unref (unshown);

  /* Not shown here: GTK 4.8's shortcuts window warns about a label's negative
   * width under Xvfb. The window has the action, and the resource it builds
   * from is there. */
  g_assert_true (has_accel ("win.show-help-overlay", "<Control>question"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));
  g_assert_null (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  builder = gtk_builder_new_from_resource ("/org/hexmap/Hexmap/ui/help-overlay.ui");
  overlay = gtk_builder_get_object (builder, "help_overlay");
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

static void
test_goto (void)
{
  HmPage *page = get_page ();
  GtkEditable *entry;
  HmHexView *view = hm_page_get_view (page);

  /* The popover is built when first opened: Ctrl+L's action builds and shows it. */
  activate ("page.goto");
  g_assert_nonnull (page->goto_popover);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_mapped, page->goto_popover, HM_UI_TEST_WAIT_MS));
  entry = _hm_page_get_goto_entry (page);
  g_assert_true (gtk_widget_is_ancestor (GTK_WIDGET (entry), GTK_WIDGET (page->goto_popover)));

  /* The entry checks what is typed, and "activate" moves the cursor, at once:
   * none of the checks below waits. */
  gtk_editable_set_text (entry, "0x12zz");
  g_assert_nonnull (_hm_page_get_goto_error (page));
  g_assert_nonnull (strstr (_hm_page_get_goto_error (page), "column 5"));

  gtk_editable_set_text (entry, "0x20000");
  g_assert_nonnull (strstr (_hm_page_get_goto_error (page), "beyond the end"));
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, FILE_SIZE - 0x100);

  gtk_editable_set_text (entry, "0x1000");
  g_assert_null (_hm_page_get_goto_error (page));
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 0x1000);

  activate ("page.goto");
  hm_ui_test_spin (50);
  gtk_editable_set_text (entry, "+0x10");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 0x1010);

  activate ("page.goto");
  hm_ui_test_spin (50);
  gtk_editable_set_text (entry, "50%");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, FILE_SIZE / 2);
  hm_ui_test_spin (50);
}

static void
test_edit_save (void)
{
  HmPage *page = get_page ();
  HmDocument *document = hm_page_get_document (page);

  type_byte (0x10, GDK_KEY_a, GDK_KEY_b);
  g_assert_cmpuint (document_byte (0x10), ==, 0xab);
  g_assert_true (hm_document_get_has_pending (document));
  g_assert_true (g_str_has_prefix (hm_page_get_title (page), "•"));
  g_assert_true (action_enabled ("save"));
  g_assert_true (action_enabled ("undo"));
  /* Preview: the file is untouched until saved. */
  g_assert_cmpuint (disk_byte (0x10), ==, original[0x10]);

  activate ("page.save");
  g_assert_true (hm_ui_test_wait_for (page_idle, NULL, HM_UI_TEST_WAIT_MS));
  g_assert_false (hm_document_get_has_pending (document));
  g_assert_false (g_str_has_prefix (hm_page_get_title (page), "•"));
  g_assert_cmpuint (disk_byte (0x10), ==, 0xab);
  g_assert_cmpuint (disk_byte (0x11), ==, original[0x11]);
  original[0x10] = 0xab;

  /* Our own save is no outside change. */
  hm_ui_test_spin (300);
  g_assert_false (_hm_page_get_changed_revealed (page));
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
}

static void
test_discard_undo (void)
{
  HmDocument *document = hm_page_get_document (get_page ());

  type_byte (0x20, GDK_KEY_c, GDK_KEY_d);
  g_assert_cmpuint (document_byte (0x20), ==, 0xcd);
  /* Cancel keeps the edit; Discard drops it. */
  discard_answering (GTK_RESPONSE_CANCEL, "1 changed byte in 1 range");
  g_assert_cmpuint (document_byte (0x20), ==, 0xcd);
  g_assert_true (hm_document_get_has_pending (document));
  discard_answering (GTK_RESPONSE_ACCEPT, NULL);
  g_assert_cmpuint (document_byte (0x20), ==, original[0x20]);
  g_assert_false (hm_document_get_has_pending (document));
  g_assert_cmpuint (disk_byte (0x20), ==, original[0x20]);

  type_byte (0x21, GDK_KEY_e, GDK_KEY_f);
  g_assert_cmpuint (document_byte (0x21), ==, 0xef);
  activate ("page.undo");
  g_assert_cmpuint (document_byte (0x21), ==, original[0x21]);
  g_assert_true (action_enabled ("redo"));
  activate ("page.redo");
  g_assert_cmpuint (document_byte (0x21), ==, 0xef);
  discard_answering (GTK_RESPONSE_ACCEPT, NULL);
  g_assert_cmpuint (disk_byte (0x21), ==, original[0x21]);
}

static void
test_checksum (void)
{
  HmWindow *window = get_window ();
  HmPage *page = get_page ();
  HmHexView *view = hm_page_get_view (page);
  HmChecksumDialog *dialog;
  g_autofree char *expected = NULL;
  g_autofree char *whole = NULL;

  g_assert_false (hm_document_get_has_pending (hm_page_get_document (page)));

  /* The selection. */
  hm_hex_view_set_selection (view, 0x100, 0x300);
  expected = sha256_of (original + 0x100, 0x300);
  activate ("page.checksum");
  dialog = HM_CHECKSUM_DIALOG (_hm_page_get_checksum_dialog (page));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_true (hm_ui_test_wait_for (checksum_done, dialog, HM_UI_TEST_WAIT_MS));
  g_assert_null (_hm_checksum_dialog_get_status (dialog));
  g_assert_cmpstr (_hm_checksum_dialog_get_value (dialog, HM_CHECKSUM_SHA256), ==, expected);

  /* Nothing selected: the whole file, in a new dialog. */
  hm_hex_view_set_selection (view, 0x100, 0);
  whole = sha256_of (original, FILE_SIZE);
  activate ("page.checksum");
  dialog = HM_CHECKSUM_DIALOG (_hm_page_get_checksum_dialog (page));
  g_assert_true (hm_ui_test_wait_for (checksum_done, dialog, HM_UI_TEST_WAIT_MS));
  g_assert_cmpstr (_hm_checksum_dialog_get_value (dialog, HM_CHECKSUM_SHA256), ==, whole);

  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (hm_ui_test_wait_for (checksum_dialog_gone, page, HM_UI_TEST_WAIT_MS));
  g_assert_null (_hm_page_get_checksum_dialog (page));
}

static void
test_fill (void)
{
  HmPage *page = get_page ();
  HmDocument *document = hm_page_get_document (page);
  HmHexView *view = hm_page_get_view (page);
  HmFillDialog *dialog;
  g_autoptr(GError) error = NULL;
  static const guint8 filled[] = { 0xaa, 0x55, 0xaa, 0x55, 0xaa };

  /* Greyed out without a selection, and in read-only mode. */
  hm_hex_view_set_selection (view, 0x200, 0);
  g_assert_false (action_enabled ("fill"));
  hm_hex_view_set_selection (view, 0x200, sizeof filled);
  g_assert_true (action_enabled ("fill"));
  g_assert_true (hm_document_set_mode (document, HM_DOCUMENT_MODE_READ_ONLY, &error));
  g_assert_no_error (error);
  g_assert_false (action_enabled ("fill"));
  g_assert_true (hm_document_set_mode (document, HM_DOCUMENT_MODE_PREVIEW, &error));
  g_assert_no_error (error);
  g_assert_true (action_enabled ("fill"));

  activate ("page.fill");
  dialog = HM_FILL_DIALOG (_hm_page_get_fill_dialog (page));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (get_window ()));
  _hm_fill_dialog_set_pattern (dialog, "aa 55");
  g_assert_null (_hm_fill_dialog_get_error (dialog));
  g_assert_true (_hm_fill_dialog_can_fill (dialog));
  g_assert_true (_hm_fill_dialog_fill (dialog));
  g_assert_true (hm_ui_test_wait_for (fill_dialog_gone, page, HM_UI_TEST_WAIT_MS));
  g_assert_null (_hm_page_get_fill_dialog (page));

  for (guint i = 0; i < sizeof filled; i++)
    g_assert_cmpuint (document_byte (0x200 + i), ==, filled[i]);
  g_assert_cmpuint (document_byte (0x200 + sizeof filled), ==, original[0x200 + sizeof filled]);
  g_assert_true (hm_document_get_has_pending (document));
  /* Preview: nothing on disk yet. */
  g_assert_cmpuint (disk_byte (0x200), ==, original[0x200]);

  activate ("page.undo");
  for (guint i = 0; i < sizeof filled; i++)
    g_assert_cmpuint (document_byte (0x200 + i), ==, original[0x200 + i]);
  activate ("page.discard");
  g_assert_false (hm_document_get_has_pending (document));
}

static void
test_bookmark (void)
{
  HmPage *page = get_page ();
  HmHexView *view = hm_page_get_view (page);
  HmBookmarksPanel *panel = _hm_page_get_bookmarks_panel (page);
  HmBookmarks *bookmarks = hm_bookmarks_panel_get_bookmarks (panel);
  g_autofree char *store = NULL;

  g_assert_true (has_accel ("page.toggle-bookmark", "<Control>d"));
  g_assert_nonnull (bookmarks);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bookmarks)), ==, 0);

  hm_hex_view_set_cursor_offset (view, 0x1234);
  activate ("page.toggle-bookmark");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bookmarks)), ==, 1);
  g_assert_nonnull (hm_bookmarks_lookup (bookmarks, 0x1234));
  /* The view marks it under its byte. */
  g_assert_nonnull (hm_hex_view_get_marks (view));
  g_assert_cmpuint (hm_hex_view_get_marks (view)->len, ==, 1);
  g_assert_cmpuint (g_array_index (hm_hex_view_get_marks (view), HmRange, 0).offset, ==, 0x1234);
  g_assert_cmpuint (g_array_index (hm_hex_view_get_marks (view), HmRange, 0).length, ==, 1);

  /* The panel lists it: its row jumps there. */
  hm_hex_view_set_cursor_offset (view, 0);
  _hm_bookmarks_panel_activate (panel, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 0x1234);

  /* Kept in the user's data directory (the test's folder here). */
  store = hm_bookmarks_get_store_path (bookmarks);
  g_assert_true (g_str_has_prefix (store, hm_test_tmpdir ()));
  g_assert_true (g_file_test (store, G_FILE_TEST_IS_REGULAR));

  /* Again: gone. */
  activate ("page.toggle-bookmark");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bookmarks)), ==, 0);
  g_assert_null (hm_hex_view_get_marks (view));
}

static void
test_side_pane (void)
{
  HmPage *page = get_page ();
  GtkWidget *pane = _hm_page_get_side_pane (page);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GVariant) state = NULL;

  g_assert_true (has_accel ("win.toggle-side-pane", "F9"));
  g_assert_true (gtk_widget_get_visible (pane));

  /* Each panel scrolls by itself: nothing scrolls the stack of panels as a
   * whole, and the inspector has a scrolled window of its own. */
  {
    GtkWidget *stack = gtk_widget_get_last_child (pane);
    GtkWidget *inspector_page;

    g_assert_true (GTK_IS_STACK (stack));
    g_assert_null (gtk_widget_get_ancestor (stack, GTK_TYPE_SCROLLED_WINDOW));
    inspector_page = gtk_stack_get_child_by_name (GTK_STACK (stack), "inspector");
    g_assert_true (GTK_IS_SCROLLED_WINDOW (inspector_page));
    g_assert_true (HM_IS_INSPECTOR (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (inspector_page))
                   ) || GTK_IS_VIEWPORT (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (inspector_page))));
    g_assert_true (HM_IS_BOOKMARKS_PANEL (gtk_stack_get_child_by_name (GTK_STACK (stack), "bookmarks")));
  }

  activate ("win.toggle-side-pane");
  g_assert_true (hm_ui_test_wait_for (widget_hidden, pane, HM_UI_TEST_WAIT_MS));
  g_assert_false (g_settings_get_boolean (settings, "show-side-pane"));
  g_assert_false (gtk_widget_get_visible (pane));
  state = g_action_group_get_action_state (G_ACTION_GROUP (get_window ()), "toggle-side-pane");
  g_assert_false (g_variant_get_boolean (state));

  /* The setting is the state: changing it elsewhere (preferences, another window) shows it. */
  g_settings_set_boolean (settings, "show-side-pane", TRUE);
  g_assert_true (hm_ui_test_wait_for (widget_visible, pane, HM_UI_TEST_WAIT_MS));
  g_assert_true (gtk_widget_get_visible (pane));
  g_clear_pointer (&state, g_variant_unref);
  state = g_action_group_get_action_state (G_ACTION_GROUP (get_window ()), "toggle-side-pane");
  g_assert_true (g_variant_get_boolean (state));
}


static GtkWidget *
window_focus (void)
{
  return gtk_root_get_focus (GTK_ROOT (get_window ()));
}

static gboolean
focus_in_view (gpointer view)
{
  return window_focus () == view;
}

/* Typing into Go to replaces what it opened with, also after a side-pane tab
 * had the focus (it used to append, "0x180x3", about 3 times in 8, when the
 * entry lost its selection with the PRIMARY selection); a first key that moves
 * the cursor keeps the text for editing. Closing the popover, with Go or
 * Escape, focuses the view. */
static void
test_goto_typing (void)
{
  HmPage *page = get_page ();
  HmHexView *view = hm_page_get_view (page);
  GtkEditable *entry = _hm_page_get_goto_entry (page);
  GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (entry), GTK_TYPE_POPOVER);
  GtkWidget *switcher = gtk_widget_get_first_child (_hm_page_get_side_pane (page));

  g_assert_nonnull (popover);
  g_assert_true (GTK_IS_STACK_SWITCHER (switcher));
  for (guint i = 0; i < 8; i++)
    {
      GtkWidget *tab = gtk_widget_get_first_child (switcher);
      g_autofree char *expected = g_strdup_printf ("0x%X", 0x180 + i);
      g_autofree char *typed = g_strdup_printf ("0x%x", 3 + i);

      /* Every other time, the Inspector tab is clicked first. */
      if (i % 2 == 0)
        {
          gtk_widget_grab_focus (tab);
          gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (tab), TRUE);
          g_assert_true (window_focus () == tab);
        }
      hm_hex_view_set_cursor_offset (view, 0x180 + i);
      activate ("page.goto");
      g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_mapped, popover, HM_UI_TEST_WAIT_MS));
      hm_ui_test_spin (20);
      g_assert_cmpstr (gtk_editable_get_text (entry), ==, expected);
      g_assert_true (gtk_widget_is_ancestor (window_focus (), GTK_WIDGET (entry)));

      _hm_page_goto_type (page, typed);
      g_assert_cmpstr (gtk_editable_get_text (entry), ==, typed);
      g_signal_emit_by_name (entry, "activate");
      g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 3 + i);
      g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_unmapped, popover, HM_UI_TEST_WAIT_MS));
      g_assert_true (hm_ui_test_wait_for (focus_in_view, view, HM_UI_TEST_WAIT_MS));
    }

  /* Editing: End first, then typing appends; Escape closes and focuses the view. */
  hm_hex_view_set_cursor_offset (view, 0x10);
  activate ("page.goto");
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_mapped, popover, HM_UI_TEST_WAIT_MS));
  gtk_editable_set_position (entry, -1);
  {
    GtkEventController *key = NULL;
    GListModel *controllers = gtk_widget_observe_controllers (GTK_WIDGET (entry));

    for (guint k = 0; k < g_list_model_get_n_items (controllers) && key == NULL; k++)
      {
        g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, k);

        if (GTK_IS_EVENT_CONTROLLER_KEY (c))
          key = c;
      }
    g_object_unref (controllers);
    g_assert_nonnull (key);
    g_signal_emit_by_name (key, "key-pressed", GDK_KEY_End, 0, 0, &(gboolean) { FALSE });
  }
  _hm_page_goto_type (page, "0");
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "0x100");
  gtk_popover_popdown (GTK_POPOVER (popover));
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_unmapped, popover, HM_UI_TEST_WAIT_MS));
  g_assert_true (hm_ui_test_wait_for (focus_in_view, view, HM_UI_TEST_WAIT_MS));
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 0x10);
}

/* The last menu button of the header bar (the main menu). */
static GtkMenuButton *
find_menu_button (GtkWidget *widget)
{
  GtkMenuButton *found = NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkMenuButton *inner;

      if (GTK_IS_MENU_BUTTON (child) && gtk_widget_get_visible (child)
          && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (child)) != NULL)
        found = GTK_MENU_BUTTON (child);
      else if ((inner = find_menu_button (child)) != NULL)
        found = inner;
    }
  return found;
}

/* Tab and Shift+Tab move the focus out of the view and back like anywhere else,
 * and every part of the window is on the way (the side pane too, not only with
 * F6); Alt+Right and Alt+Left switch the columns. */
static void
test_focus_order (void)
{
  HmPage *page = get_page ();
  HmHexView *view = hm_page_get_view (page);
  GtkWidget *window = GTK_WIDGET (get_window ());
  GtkWidget *side_pane = _hm_page_get_side_pane (page);
  gboolean reached_side_pane = FALSE;
  guint steps;

  gtk_widget_grab_focus (GTK_WIDGET (view));
  g_assert_true (window_focus () == GTK_WIDGET (view));

  /* The view does not take Tab, so the window's Tab binding moves on. */
  g_assert_false (_hm_hex_view_key_press (view, GDK_KEY_Tab, 0));
  g_assert_false (_hm_hex_view_key_press (view, GDK_KEY_ISO_Left_Tab, GDK_SHIFT_MASK));
  g_signal_emit_by_name (window, "move-focus", GTK_DIR_TAB_FORWARD);
  g_assert_nonnull (window_focus ());
  g_assert_true (window_focus () != GTK_WIDGET (view));
  g_signal_emit_by_name (window, "move-focus", GTK_DIR_TAB_BACKWARD);
  g_assert_true (window_focus () == GTK_WIDGET (view));

  /* Round the whole window and back to the view. */
  for (steps = 0; steps < 200; steps++)
    {
      GtkWidget *focus;

      g_signal_emit_by_name (window, "move-focus", GTK_DIR_TAB_FORWARD);
      focus = window_focus ();
      if (focus == GTK_WIDGET (view))
        break;
      if (focus != NULL && gtk_widget_is_ancestor (focus, side_pane))
        reached_side_pane = TRUE;
    }
  g_assert_cmpuint (steps, <, 200);
  g_assert_true (reached_side_pane);

  /* A header-bar menu closed with Escape gives the focus back to the view. */
  {
    GtkWidget *titlebar = gtk_window_get_titlebar (GTK_WINDOW (window));
    GtkMenuButton *menu_button = find_menu_button (titlebar);
    GtkPopover *popover;

    g_assert_nonnull (menu_button);
    popover = gtk_menu_button_get_popover (menu_button);
    gtk_menu_button_popup (menu_button);
    g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_mapped, popover, HM_UI_TEST_WAIT_MS));
    g_assert_false (window_focus () == GTK_WIDGET (view));
    gtk_menu_button_popdown (menu_button);
    g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_unmapped, popover, HM_UI_TEST_WAIT_MS));
    g_assert_true (hm_ui_test_wait_for (focus_in_view, view, HM_UI_TEST_WAIT_MS));
  }

  hm_hex_view_set_pane (view, HM_HEX_PANE_HEX);
  g_assert_true (_hm_hex_view_key_press (view, GDK_KEY_Right, GDK_ALT_MASK));
  g_assert_cmpint (hm_hex_view_get_pane (view), ==, HM_HEX_PANE_TEXT);
  g_assert_true (_hm_hex_view_key_press (view, GDK_KEY_Left, GDK_ALT_MASK));
  g_assert_cmpint (hm_hex_view_get_pane (view), ==, HM_HEX_PANE_HEX);
  g_assert_true (window_focus () == GTK_WIDGET (view));
}

/* The context menu opens from the keyboard (Shift+F10, Menu) at the cursor, its
 * page actions are the page's, and closing it focuses the view again. */
static void
test_context_menu (void)
{
  HmPage *page = get_page ();
  HmHexView *view = hm_page_get_view (page);
  GtkWidget *menu;

  hm_hex_view_set_selection (view, 0x20, 4);
  hm_hex_view_set_top_row (view, 0);
  gtk_widget_grab_focus (GTK_WIDGET (view));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "hex-view.popup-menu", NULL));
  menu = _hm_hex_view_get_context_menu (view);
  g_assert_true (GTK_IS_POPOVER_MENU (menu));
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_mapped, menu, HM_UI_TEST_WAIT_MS));
  gtk_popover_popdown (GTK_POPOVER (menu));
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_unmapped, menu, HM_UI_TEST_WAIT_MS));
  g_assert_true (hm_ui_test_wait_for (focus_in_view, view, HM_UI_TEST_WAIT_MS));

  /* A right click inside the selection keeps it for the menu to act on; one
   * outside moves the cursor there first. */
  {
    double cw = _hm_hex_view_get_cell_width (view);
    int rh = _hm_hex_view_get_row_height (view);
    guint bpr = hm_hex_view_get_bytes_per_row (view);
    guint64 top = hm_hex_view_get_top_row (view);
    double y = view->header_height + ((0x21 / bpr) - top + 0.5) * rh - _hm_hex_view_get_scroll_pixel (view);
    double x = (_hm_hex_view_hex_byte_col (view, 0x21 % bpr) + 0.5) * cw;

    g_assert_cmpuint (0x21 / bpr, >=, top);
    _hm_hex_view_context_click (view, x, y);
    g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_mapped, menu, HM_UI_TEST_WAIT_MS));
    g_assert_cmpuint (hm_hex_view_get_selection_start (view), ==, 0x20);
    g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 4);
    gtk_popover_popdown (GTK_POPOVER (menu));
    g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_unmapped, menu, HM_UI_TEST_WAIT_MS));

    x = (_hm_hex_view_text_col (view) + 0x26 % bpr + 0.5) * cw;
    y = view->header_height + ((0x26 / bpr) - top + 0.5) * rh - _hm_hex_view_get_scroll_pixel (view);
    _hm_hex_view_context_click (view, x, y);
    g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_mapped, menu, HM_UI_TEST_WAIT_MS));
    g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 0);
    g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 0x26);
    g_assert_cmpint (hm_hex_view_get_pane (view), ==, HM_HEX_PANE_TEXT);
    gtk_popover_popdown (GTK_POPOVER (menu));
    g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_unmapped, menu, HM_UI_TEST_WAIT_MS));
    hm_hex_view_set_pane (view, HM_HEX_PANE_HEX);
  }

  /* Its bookmark item reaches the page from the view. */
  hm_hex_view_set_cursor_offset (view, 0x2222);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "page.toggle-bookmark", NULL));
  g_assert_nonnull (hm_bookmarks_lookup (hm_bookmarks_panel_get_bookmarks (_hm_page_get_bookmarks_panel (page)),
                                         0x2222));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "page.toggle-bookmark", NULL));
  g_assert_null (hm_hex_view_get_marks (view));
}

static void
test_find_prefill (void)
{
  HmPage *page = get_page ();
  HmHexView *view = hm_page_get_view (page);
  HmFindBar *find_bar = _hm_page_get_find_bar (page);
  g_autofree char *expected = hm_hex_view_format_bytes (original + 0x40, 4, HM_COPY_FORMAT_HEX);
  g_autofree char *pattern = NULL;
  g_autofree char *unchanged = NULL;
  gboolean text_mode = TRUE;

  hm_hex_view_set_pane (view, HM_HEX_PANE_HEX);
  hm_hex_view_set_selection (view, 0x40, 4);
  activate ("page.find");
  g_object_get (find_bar, "pattern", &pattern, "text-mode", &text_mode, NULL);
  g_assert_cmpstr (pattern, ==, expected);
  g_assert_false (text_mode);
  g_assert_true (hm_find_bar_get_revealed (find_bar));

  /* Longer than 64 bytes: the pattern stays as it was. */
  hm_hex_view_set_selection (view, 0x40, 65);
  activate ("page.find");
  g_object_get (find_bar, "pattern", &unchanged, NULL);
  g_assert_cmpstr (unchanged, ==, expected);

  hm_find_bar_set_revealed (find_bar, FALSE);
  hm_hex_view_set_selection (view, 0x40, 0);
}

static GType
property_type (gpointer    object,
               const char *name)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);

  g_assert_nonnull (pspec);
  return pspec->value_type;
}

/* The enums that properties carry are registered types, and what binds to
 * those properties still works both ways: the find bar's encoding drop-down. */
static void
test_enum_properties (void)
{
  HmPage *page = get_page ();
  HmHexView *view = hm_page_get_view (page);
  HmDocument *document = hm_page_get_document (page);
  HmFindBar *find_bar = _hm_page_get_find_bar (page);
  HmTextEncoding encoding = HM_TEXT_ENCODING_UTF8;
  HmDocumentMode mode = HM_DOCUMENT_MODE_DIRECT;

  g_assert_true (property_type (document, "mode") == HM_TYPE_DOCUMENT_MODE);
  g_assert_true (property_type (view, "pane") == HM_TYPE_HEX_PANE);
  g_assert_true (property_type (find_bar, "encoding") == HM_TYPE_TEXT_ENCODING);

  g_object_get (document, "mode", &mode, NULL);
  g_assert_cmpint (mode, ==, hm_document_get_mode (document));

  g_object_set (view, "pane", HM_HEX_PANE_TEXT, NULL);
  g_assert_cmpint (hm_hex_view_get_pane (view), ==, HM_HEX_PANE_TEXT);
  hm_hex_view_set_pane (view, HM_HEX_PANE_HEX);

  g_object_set (find_bar, "encoding", HM_TEXT_ENCODING_UTF16BE, NULL);
  g_assert_cmpuint (gtk_drop_down_get_selected (find_bar->encoding_dropdown), ==, HM_TEXT_ENCODING_UTF16BE);
  gtk_drop_down_set_selected (find_bar->encoding_dropdown, HM_TEXT_ENCODING_UTF16LE);
  g_object_get (find_bar, "encoding", &encoding, NULL);
  g_assert_cmpint (encoding, ==, HM_TEXT_ENCODING_UTF16LE);
  g_object_set (find_bar, "encoding", HM_TEXT_ENCODING_UTF8, NULL);
  g_assert_cmpuint (gtk_drop_down_get_selected (find_bar->encoding_dropdown), ==, HM_TEXT_ENCODING_UTF8);
}

static void
test_mode_options (void)
{
  HmWindow *window = get_window ();
  HmPage *page = get_page ();
  g_autoptr(GFile) zero = g_file_new_for_path ("/dev/zero");
  g_autoptr(GError) error = NULL;
  HmPage *zero_page;

  /* /dev/zero cannot be written: preview and direct are greyed out, with the reason. */
  zero_page = hm_window_open_file (window, zero, HM_WINDOW_MODE_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (hm_window_get_current_page (window) == zero_page);
  g_assert_false (_hm_window_get_writable_modes_sensitive (window));
  g_assert_nonnull (_hm_window_get_mode_reason (window));
  g_assert_false (action_enabled ("fill"));

  /* Asking anyway is a hint, not an error dialog. */
  g_action_group_change_action_state (hm_page_get_action_group (zero_page), "mode",
                                      g_variant_new_string ("preview"));
  hm_ui_test_spin (50);
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
  g_assert_cmpint (hm_document_get_mode (hm_page_get_document (zero_page)), ==, HM_DOCUMENT_MODE_READ_ONLY);

  activate ("page.close");
  g_assert_true (hm_ui_test_wait_for (page_closed, zero_page, HM_UI_TEST_WAIT_MS));
  g_assert_true (hm_window_get_current_page (window) == page);
  g_assert_true (_hm_window_get_writable_modes_sensitive (window));
  /* The first page was a background tab for a while: close-pending checks it still closes. */
}

/* Expected refusals are a hint, not a "Something went wrong" dialog; logout is
 * inhibited while edits are pending. */
static void
test_mode_busy_hint (void)
{
  HmWindow *window = get_window ();
  HmPage *page = get_page ();
  HmDocument *document = hm_page_get_document (page);

  g_assert_cmpint (hm_document_get_mode (document), ==, HM_DOCUMENT_MODE_PREVIEW);
  g_assert_false (_hm_window_get_logout_inhibited (window));
  type_byte (0x50, GDK_KEY_7, GDK_KEY_7);
  g_assert_true (_hm_window_get_logout_inhibited (window));

  g_action_group_change_action_state (hm_page_get_action_group (page), "mode", g_variant_new_string ("read-only"));
  hm_ui_test_spin (50);
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
  g_test_message ("hint: %s", _hm_page_get_hint (page));
  g_assert_nonnull (strstr (_hm_page_get_hint (page), "save or discard"));
  g_assert_cmpint (hm_document_get_mode (document), ==, HM_DOCUMENT_MODE_PREVIEW);

  discard_answering (GTK_RESPONSE_ACCEPT, NULL);
  g_assert_false (_hm_window_get_logout_inhibited (window));
}

static gboolean
holes_counted (gpointer data)
{
  const char *text = _hm_page_get_holes_text (data);

  return text != NULL && g_str_has_suffix (text, "holes");
}

/* The hole count is worked out in a thread: "…" first, the count when done. */
static void
test_holes_async (void)
{
  HmWindow *window = get_window ();
  HmPage *main_page = get_page ();
  g_autofree char *path = hm_test_make_sparse ("holes.bin", 8 << 20);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  HmPage *page;

  hm_test_pwrite (path, 4 << 20, "data", 4);
  file = g_file_new_for_path (path);
  page = hm_window_open_file (window, file, HM_WINDOW_MODE_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (_hm_page_get_holes_text (page), ==, "…");
  g_assert_true (hm_ui_test_wait_for (holes_counted, page, HM_UI_TEST_WAIT_MS));
  g_assert_cmpstr (_hm_page_get_holes_text (page), ==, "2 holes");

  activate ("page.close");
  g_assert_true (hm_ui_test_wait_for (page_closed, page, HM_UI_TEST_WAIT_MS));
  g_assert_true (hm_window_get_current_page (window) == main_page);
}

static gboolean
changed_revealed (gpointer data)
{
  return _hm_page_get_changed_revealed (data);
}

/* Direct mode: our own stores are no outside change, another program's
 * same-size write is. */
static void
test_direct_outside_change (void)
{
  HmWindow *window = get_window ();
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("direct.bin", 0x4000, 13, &contents);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  struct timespec times[2] = { { 0, UTIME_OMIT }, { 1000000000, 0 } };
  GtkMessageDialog *dialog;
  HmPage *page;
  int fd;

  page = hm_window_open_file (window, file, HM_DOCUMENT_MODE_DIRECT, &error);
  g_assert_no_error (error);
  type_byte (0x10, GDK_KEY_4, GDK_KEY_2);
  g_assert_true (hm_document_get_has_pending (hm_page_get_document (page)));
  hm_ui_test_spin (300);
  g_assert_false (_hm_page_get_changed_revealed (page));

  fd = open (path, O_WRONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, "X", 1, 0x2000), ==, 1);
  g_assert_cmpint (futimens (fd, times), ==, 0);
  close (fd);
  g_assert_true (hm_ui_test_wait_for (changed_revealed, page, HM_UI_TEST_WAIT_MS));

  activate ("page.close");
  dialog = hm_ui_test_wait_for_message_dialog ();
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_REJECT);
  g_assert_true (hm_ui_test_wait_for (page_closed, page, HM_UI_TEST_WAIT_MS));
  g_assert_true (hm_window_get_current_page (window) != page);
}

static void
changed_bar_revealed_cb (GtkInfoBar *bar,
                         GParamSpec *pspec,
                         guint      *n_shown)
{
  if (gtk_info_bar_get_revealed (bar))
    (*n_shown)++;
}

/* Dismisses the "changed on disk" bar, then gives any further notice of the
 * same change time to come (a write brings several monitor events). */
static void
dismiss_changed_bar (HmPage *page)
{
  gtk_info_bar_response (page->changed_bar, GTK_RESPONSE_CLOSE);
  g_assert_false (_hm_page_get_changed_revealed (page));
  hm_ui_test_spin (1500);
}

/* Preview mode: the page shows what the document's disk monitor says. Our own
 * save is no outside change; another program's write is, once, and the mtime
 * in the status bar follows it; a deleted file gets its own bar. */
static void
test_outside_change (void)
{
  HmWindow *window = get_window ();
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("outside.bin", 0x4000, 21, &contents);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  /* Noon UTC: the same day in every time zone. */
  struct timespec times[2] = { { 0, UTIME_OMIT }, { 1000000000 + 36000, 0 } };
  guint n_shown = 0;
  HmPage *page;
  int fd;

  page = hm_window_open_file (window, file, HM_DOCUMENT_MODE_PREVIEW, &error);
  g_assert_no_error (error);
  g_signal_connect (page->changed_bar, "notify::revealed", G_CALLBACK (changed_bar_revealed_cb), &n_shown);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (page->mtime_label), "Modified "));

  /* Our own save. */
  type_byte (0x10, GDK_KEY_5, GDK_KEY_a);
  activate ("page.save");
  g_assert_true (hm_ui_test_wait_for (page_idle, NULL, HM_UI_TEST_WAIT_MS));
  g_assert_false (hm_document_get_has_pending (hm_page_get_document (page)));
  hm_ui_test_spin (1500);
  g_assert_cmpuint (n_shown, ==, 0);
  g_assert_false (_hm_page_get_changed_revealed (page));

  /* Another program writes the same number of bytes: one notice. */
  fd = open (path, O_WRONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, "X", 1, 0x2000), ==, 1);
  g_assert_cmpint (futimens (fd, times), ==, 0);
  close (fd);
  g_assert_true (hm_ui_test_wait_for (changed_revealed, page, HM_UI_TEST_WAIT_MS));
  g_assert_nonnull (strstr (gtk_label_get_text (page->changed_label), "changed by another program"));
  g_assert_true (gtk_widget_get_visible (page->changed_reload_button));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (page->mtime_label), "Modified 2001-09-09 "));
  dismiss_changed_bar (page);
  g_assert_cmpuint (n_shown, ==, 1);
  g_assert_false (_hm_page_get_changed_revealed (page));
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);

  /* Deleted: the page keeps the file open and offers Save As. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_true (hm_ui_test_wait_for (changed_revealed, page, HM_UI_TEST_WAIT_MS));
  g_assert_cmpuint (n_shown, ==, 2);
  g_assert_nonnull (strstr (gtk_label_get_text (page->changed_label), "deleted or moved"));
  g_assert_true (gtk_widget_get_visible (page->changed_save_as_button));
  g_assert_false (gtk_widget_get_visible (page->changed_reload_button));
  dismiss_changed_bar (page);
  g_assert_cmpuint (n_shown, ==, 2);
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);

  activate ("page.close");
  g_assert_true (hm_ui_test_wait_for (page_closed, page, HM_UI_TEST_WAIT_MS));
  g_assert_true (hm_window_get_current_page (window) != page);
}

/* Closing the window while a Save As writes: refused with a hint, the copy completes. */
static void
test_close_during_save_as (void)
{
  HmWindow *window = get_window ();
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("big.bin", 48 << 20, 17, &contents);
  g_autofree char *copy = hm_test_path ("big-copy.bin");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GtkFileChooser *chooser;
  guint n_pages;
  HmPage *page;

  page = hm_window_open_file (window, file, HM_WINDOW_MODE_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_false (hm_document_get_has_pending (hm_page_get_document (page)));
  n_pages = hm_window_get_n_pages (window);

  activate ("page.save-as");
  g_assert_true (hm_ui_test_wait_for (has_file_chooser, NULL, HM_UI_TEST_WAIT_MS));
  chooser = find_file_chooser ();
  gtk_file_chooser_set_current_name (chooser, "big-copy.bin");
  hm_ui_test_spin (100);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  g_assert_true (hm_ui_test_wait_for (page_busy, page, HM_UI_TEST_WAIT_MS));

  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_cmpuint (hm_window_get_n_pages (window), ==, n_pages);
  g_assert_nonnull (strstr (_hm_page_get_hint (page), "Wait for the save"));
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);

  g_assert_true (hm_ui_test_wait_for (page_idle, NULL, HM_UI_TEST_WAIT_MS));
  g_assert_true (g_file_test (copy, G_FILE_TEST_IS_REGULAR));
  activate ("page.close");
  g_assert_true (hm_ui_test_wait_for (page_closed, page, HM_UI_TEST_WAIT_MS));
  g_assert_cmpuint (hm_window_get_n_pages (window), ==, n_pages - 1);
}

static void
test_truncate_fault (void)
{
  HmWindow *window = get_window ();
  HmPage *page = get_page ();
  HmDocument *document = hm_page_get_document (page);
  GtkMessageDialog *dialog;
  g_autofree char *text = NULL;

  /* A pending edit before the cut, then another program cuts the file short. */
  type_byte (0x30, GDK_KEY_1, GDK_KEY_2);
  hm_test_truncate (data_path, 0x2000);

  /* Scroll to the lost region: a read faults there (or the monitor notices first). */
  hm_page_go_to (page, 0x8000);
  dialog = hm_ui_test_wait_for_message_dialog ();
  text = hm_ui_test_dialog_text (dialog);
  g_test_message ("fault dialog: %s", text);
  g_assert_nonnull (strstr (text, "data.bin"));
  g_assert_nonnull (strstr (text, "0x2000"));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));

  /* A save that fails while this dialog is up is not lost: the status bar says it. */
  activate ("page.save");
  g_assert_true (hm_ui_test_wait_for (page_idle, NULL, HM_UI_TEST_WAIT_MS));
  g_test_message ("hint: %s", _hm_page_get_hint (page));
  g_assert_cmpstr (_hm_page_get_hint (page), !=, "");
  g_assert_true (hm_document_get_has_pending (document));
  g_assert_true (_hm_page_get_fault_dialog (page) == GTK_WINDOW (dialog));

  /* Close closes the file, but asks about the pending edit first; Cancel keeps
   * everything: the app, the page and the pending edit. */
  gtk_dialog_response (GTK_DIALOG (dialog), 0 /* HM_FAULT_RESPONSE_CLOSE */);
  dialog = hm_ui_test_wait_for_message_dialog ();
  g_free (text);
  text = hm_ui_test_dialog_text (dialog);
  g_assert_nonnull (strstr (text, "Save Changes"));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  hm_ui_test_spin (500);
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
  g_assert_true (hm_window_get_current_page (window) == page);
  g_assert_true (hm_document_get_has_pending (document));
  g_assert_cmpuint (document_byte (0x30), ==, 0x12);
  g_assert_cmpuint (hm_document_get_size (document), <=, FILE_SIZE);
}

static void
test_close_pending (void)
{
  HmWindow *window = get_window ();
  HmPage *page = get_page ();
  GtkMessageDialog *dialog;
  g_autofree char *text = NULL;
  HmDocument *document = hm_page_get_document (page);

  g_assert_true (hm_document_get_has_pending (hm_page_get_document (page)));
  g_object_add_weak_pointer (G_OBJECT (document), (gpointer *) &document);

  /* Closing the file asks; Cancel keeps it open. */
  activate ("page.close");
  dialog = hm_ui_test_wait_for_message_dialog ();
  text = hm_ui_test_dialog_text (dialog);
  g_assert_nonnull (strstr (text, "Save Changes"));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  hm_ui_test_spin (50);
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
  g_assert_cmpuint (hm_window_get_n_pages (window), ==, 1);

  /* So does closing the window: once, however often it is asked. */
  gtk_window_close (GTK_WINDOW (window));
  gtk_window_close (GTK_WINDOW (window));
  activate ("page.close");
  hm_ui_test_spin (100);
  dialog = hm_ui_test_wait_for_message_dialog ();
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  hm_ui_test_spin (50);
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_cmpuint (hm_window_get_n_pages (window), ==, 1);

  /* A dialog destroyed unanswered counts as Cancel: the next close asks again. */
  gtk_window_close (GTK_WINDOW (window));
  dialog = hm_ui_test_wait_for_message_dialog ();
  gtk_window_destroy (GTK_WINDOW (dialog));
  hm_ui_test_spin (50);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (_hm_window_get_logout_inhibited (window));
  gtk_window_close (GTK_WINDOW (window));
  dialog = hm_ui_test_wait_for_message_dialog ();
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  hm_ui_test_spin (50);
  g_assert_cmpuint (hm_window_get_n_pages (window), ==, 1);

  /* Discard closes the page without touching the file. */
  activate ("page.close");
  dialog = hm_ui_test_wait_for_message_dialog ();
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_REJECT);
  g_assert_true (hm_ui_test_wait_for (page_closed, page, HM_UI_TEST_WAIT_MS));
  g_assert_cmpuint (hm_window_get_n_pages (window), ==, 0);
  g_assert_null (hm_window_get_current_page (window));
  g_assert_cmpuint (disk_byte (0x30), ==, original[0x30]);
  g_assert_false (_hm_window_get_logout_inhibited (window));
  /* The page and the panels it attached let go of the document. */
  g_assert_true (hm_ui_test_wait_for (pointer_cleared, &document, HM_UI_TEST_WAIT_MS));
}

/* ---- Running inside the application ---- */

static gboolean
run_tests_cb (gpointer data)
{
  GList *windows;

  test_status = g_test_run ();

  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (windows);
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
startup_cb (GApplication *application)
{
  g_idle_add (run_tests_cb, NULL);
}

int
main (int   argc,
      char *argv[])
{
  char *app_argv[6];

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    hm_test_skip_all (argc, argv, "no display (run under xvfb-run)");
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    hm_test_skip_all (argc, argv, "no session bus (run under dbus-run-session)");

  /* Recent files go to the test's folder, not the user's. */
  g_setenv ("XDG_DATA_HOME", hm_test_tmpdir (), TRUE);
  gtk_test_init (&argc, &argv, NULL);
  g_set_application_name ("Hexmap");

  data_path = hm_test_write_random ("data.bin", FILE_SIZE, 6, &original);

  g_test_add_func ("/hm/window/command-line", test_command_line);
  g_test_add_func ("/hm/window/after-first-frame", test_after_first_frame);
  g_test_add_func ("/hm/window/goto", test_goto);
  g_test_add_func ("/hm/window/edit-save", test_edit_save);
  g_test_add_func ("/hm/window/discard-undo", test_discard_undo);
  g_test_add_func ("/hm/window/checksum", test_checksum);
  g_test_add_func ("/hm/window/fill", test_fill);
  g_test_add_func ("/hm/window/bookmark", test_bookmark);
  g_test_add_func ("/hm/window/side-pane", test_side_pane);
  g_test_add_func ("/hm/window/goto-typing", test_goto_typing);
  g_test_add_func ("/hm/window/focus-order", test_focus_order);
  g_test_add_func ("/hm/window/context-menu", test_context_menu);
  g_test_add_func ("/hm/window/find-prefill", test_find_prefill);
  g_test_add_func ("/hm/window/enum-properties", test_enum_properties);
  g_test_add_func ("/hm/window/mode-options", test_mode_options);
  g_test_add_func ("/hm/window/mode-busy-hint", test_mode_busy_hint);
  g_test_add_func ("/hm/window/holes-async", test_holes_async);
  g_test_add_func ("/hm/window/direct-outside-change", test_direct_outside_change);
  g_test_add_func ("/hm/window/outside-change", test_outside_change);
  g_test_add_func ("/hm/window/close-during-save-as", test_close_during_save_as);
  g_test_add_func ("/hm/window/truncate-fault", test_truncate_fault);
  g_test_add_func ("/hm/window/close-pending", test_close_pending);

  app = hm_application_new ();
  /* Not the real id: a running Hexmap must not receive the test's command line. */
  g_application_set_application_id (G_APPLICATION (app), "org.hexmap.Hexmap.Test");
  g_signal_connect (app, "startup", G_CALLBACK (startup_cb), NULL);

  app_argv[0] = (char *) "hexmap";
  app_argv[1] = (char *) "--offset";
  app_argv[2] = (char *) "end-0x100";
  app_argv[3] = data_path;
  app_argv[4] = NULL;
  g_application_run (G_APPLICATION (app), 4, app_argv);

  g_clear_object (&app);
  g_free (data_path);
  g_free (original);
  hm_test_cleanup ();
  return test_status;
}
