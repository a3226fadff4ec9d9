/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Insert mode in the hex view and the edits that change the length: the Insert
 * key, typing and pasting that insert, Backspace and Delete, the cursor past the
 * last byte, Insert Bytes… and Set File Size…, and what follows the bytes when
 * they move (bookmarks, find results). Each check compares the document with a
 * reference built by hand.
 */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "hm-bookmarks.h"
#include "hm-hex-view-private.h"
#include "hm-structure-dialog.h"
#include "hm-test-util.h"

typedef struct
{
  GtkWindow  *window;
  HmHexView  *view;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->view = HM_HEX_VIEW (hm_hex_view_new ());
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
}

static void
allocate (Fixture *fixture)
{
  int min, nat;

  gtk_widget_measure (GTK_WIDGET (fixture->view), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (fixture->view), GTK_ORIENTATION_VERTICAL, 900, &min, &nat, NULL, NULL);
  gtk_widget_size_allocate (GTK_WIDGET (fixture->view), &(GtkAllocation) { 0, 0, 900, 400 }, -1);
}

static char *
write_file (const char *name,
            const char *contents)
{
  g_autofree char *path = hm_test_path (name);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static HmDocument *
open_document (const char     *path,
               HmDocumentMode  mode)
{
  g_autoptr(GError) error = NULL;
  HmDocument *document = hm_document_new_full (path, mode, 0, &error);

  g_assert_no_error (error);
  return document;
}

/* The whole content, as a string (the tests use printable bytes). */
static char *
content (HmDocument *document)
{
  guint64 size = hm_document_get_size (document);
  g_autoptr(GError) error = NULL;
  char *buffer = g_malloc0 (size + 1);

  g_assert_cmpint (hm_document_read (document, 0, buffer, size, &error), ==, (gssize) size);
  g_assert_no_error (error);
  return buffer;
}

#define assert_content(document, expected) \
  G_STMT_START { \
    g_autofree char *now_ = content (document); \
    g_assert_cmpstr (now_, ==, (expected)); \
  } G_STMT_END

static void
press (Fixture *fixture,
       guint    keyval)
{
  _hm_hex_view_key_press (fixture->view, keyval, 0);
}

static void
undo_all (HmDocument *document)
{
  g_autoptr(GError) error = NULL;

  while (hm_document_get_can_undo (document))
    {
      g_assert_true (hm_document_undo (document, &error));
      g_assert_no_error (error);
    }
}

static void
test_toggle (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *path = write_file ("toggle.bin", "ABCDEFGH");
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  HmHexView *view = fixture->view;

  hm_hex_view_set_document (view, document);
  allocate (fixture);
  g_assert_false (hm_hex_view_get_insert_mode (view));

  press (fixture, GDK_KEY_Insert);
  g_assert_true (hm_hex_view_get_insert_mode (view));

  /* In insert mode the cursor may stand past the last byte, to append... */
  _hm_hex_view_key_press (view, GDK_KEY_End, GDK_CONTROL_MASK);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 8);
  press (fixture, GDK_KEY_Right);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 8);
  press (fixture, GDK_KEY_4);
  press (fixture, GDK_KEY_9);
  assert_content (document, "ABCDEFGHI");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 9);

  /* ...and leaving it brings the cursor back onto the last byte. */
  press (fixture, GDK_KEY_KP_Insert);
  g_assert_false (hm_hex_view_get_insert_mode (view));
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 8);
  press (fixture, GDK_KEY_Right);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 8);
}

static void
test_typing (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *path = write_file ("typing.bin", "ABCDEFGH");
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  HmHexView *view = fixture->view;

  hm_hex_view_set_document (view, document);
  allocate (fixture);
  hm_hex_view_set_insert_mode (view, TRUE);

  /* Hex: the first digit inserts a byte, the second completes it. */
  hm_hex_view_set_cursor_offset (view, 1);
  press (fixture, GDK_KEY_3);
  g_assert_cmpuint (hm_document_get_size (document), ==, 9);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 1);
  press (fixture, GDK_KEY_1);
  press (fixture, GDK_KEY_3);
  press (fixture, GDK_KEY_2);
  assert_content (document, "A12BCDEFGH");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 3);
  g_assert_true (hm_document_get_has_structural_pending (document));

  /* Text: a byte per character. */
  hm_hex_view_set_pane (view, HM_HEX_PANE_TEXT);
  hm_hex_view_set_cursor_offset (view, 10);
  press (fixture, GDK_KEY_x);
  press (fixture, GDK_KEY_y);
  assert_content (document, "A12BCDEFGHxy");

  /* Backspace deletes before the cursor, Delete at it. */
  press (fixture, GDK_KEY_BackSpace);
  assert_content (document, "A12BCDEFGHx");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 11);
  hm_hex_view_set_cursor_offset (view, 0);
  press (fixture, GDK_KEY_Delete);
  assert_content (document, "12BCDEFGHx");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 0);

  /* Typing over a selection replaces it. */
  hm_hex_view_set_selection (view, 2, 3);
  press (fixture, GDK_KEY_Z);
  assert_content (document, "12ZEFGHx");

  undo_all (document);
  assert_content (document, "ABCDEFGH");
  g_assert_false (hm_document_get_has_structural_pending (document));
}

static void
test_delete_selection (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = write_file ("delete.bin", "0123456789");
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  g_autoptr(GError) error = NULL;
  HmHexView *view = fixture->view;

  hm_hex_view_set_document (view, document);
  allocate (fixture);

  /* Overwrite mode: Delete removes the selection, Backspace without one only moves. */
  hm_hex_view_set_selection (view, 3, 4);
  press (fixture, GDK_KEY_Delete);
  assert_content (document, "012789");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 3);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 0);
  press (fixture, GDK_KEY_BackSpace);
  assert_content (document, "012789");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 2);

  /* The whole file can go, and come back with one undo. */
  hm_hex_view_select_all (view);
  g_assert_true (hm_hex_view_delete_selection (view));
  g_assert_cmpuint (hm_document_get_size (document), ==, 0);
  g_assert_true (hm_document_undo (document, &error));
  g_assert_no_error (error);
  assert_content (document, "012789");
}

static void
test_paste_inserts (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = write_file ("paste.bin", "abcdef");
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  g_autoptr(GError) error = NULL;
  HmHexView *view = fixture->view;

  hm_hex_view_set_document (view, document);
  allocate (fixture);

  hm_hex_view_set_cursor_offset (view, 2);
  g_assert_true (hm_hex_view_insert (view, (const guint8 *) "XYZ", 3));
  assert_content (document, "abXYZcdef");
  g_assert_cmpuint (hm_hex_view_get_selection_start (view), ==, 2);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 3);

  /* Over a selection: it is replaced, and one undo brings it back. */
  hm_hex_view_set_selection (view, 0, 5);
  g_assert_true (hm_hex_view_insert (view, (const guint8 *) "-", 1));
  assert_content (document, "-cdef");
  g_assert_true (hm_document_undo (document, &error));
  g_assert_no_error (error);
  assert_content (document, "abXYZcdef");
}

static void
hint_cb (HmHexView  *view,
         const char *message,
         guint      *count)
{
  (*count)++;
}

static void
test_read_only (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = write_file ("ro.bin", "abcdef");
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  HmHexView *view = fixture->view;
  guint hints = 0;

  hm_hex_view_set_document (view, document);
  allocate (fixture);
  g_signal_connect (view, "hint", G_CALLBACK (hint_cb), &hints);

  hm_hex_view_set_insert_mode (view, TRUE);
  press (fixture, GDK_KEY_a);
  press (fixture, GDK_KEY_Delete);
  hm_hex_view_set_selection (view, 1, 2);
  g_assert_false (hm_hex_view_delete_selection (view));
  g_assert_false (hm_hex_view_insert (view, (const guint8 *) "x", 1));
  assert_content (document, "abcdef");
  g_assert_cmpuint (hints, ==, 4);
}

/* Set File Size…, typed and applied. */
static void
set_size_with_dialog (HmHexView  *view,
                      HmDocument *document,
                      const char *size)
{
  HmStructureDialog *dialog = HM_STRUCTURE_DIALOG (hm_structure_dialog_new (HM_STRUCTURE_SET_SIZE, view, document));

  g_object_ref_sink (dialog);
  _hm_structure_dialog_set_text (dialog, size, NULL);
  g_assert_true (_hm_structure_dialog_apply (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

static void
test_dialogs (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *path = write_file ("dialogs.bin", "abcdef");
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  g_autoptr(GError) error = NULL;
  HmHexView *view = fixture->view;
  HmStructureDialog *dialog;

  hm_hex_view_set_document (view, document);
  allocate (fixture);
  hm_hex_view_set_cursor_offset (view, 3);

  /* Insert Bytes…: a count in Go to's numbers, the pattern repeated. */
  dialog = HM_STRUCTURE_DIALOG (hm_structure_dialog_new (HM_STRUCTURE_INSERT, view, document));
  g_object_ref_sink (dialog);
  _hm_structure_dialog_set_text (dialog, "zz", "41");
  g_assert_nonnull (_hm_structure_dialog_get_error (dialog));
  g_assert_false (_hm_structure_dialog_apply (dialog));
  _hm_structure_dialog_set_text (dialog, "5", "4g");
  g_assert_nonnull (strstr (_hm_structure_dialog_get_error (dialog), "hex pattern"));
  _hm_structure_dialog_set_text (dialog, "0x5", "31 32");
  g_assert_null (_hm_structure_dialog_get_error (dialog));
  g_assert_true (_hm_structure_dialog_apply (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
  assert_content (document, "abc12121def");
  g_assert_cmpuint (hm_hex_view_get_selection_start (view), ==, 3);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 5);

  /* Set File Size…: smaller cuts the end off, larger adds zeros. */
  set_size_with_dialog (view, document, "4");
  assert_content (document, "abc1");

  set_size_with_dialog (view, document, "1K");
  {
    g_autofree guint8 *all = g_malloc (1024);
    guint8 zeros[1020] = { 0 };

    g_assert_cmpuint (hm_document_get_size (document), ==, 1024);
    g_assert_cmpint (hm_document_read (document, 0, all, 1024, &error), ==, 1024);
    g_assert_cmpmem (all, 4, "abc1", 4);
    g_assert_cmpmem (all + 4, 1020, zeros, 1020);
  }
  undo_all (document);
  assert_content (document, "abcdef");
}

/* Bookmarks move with the bytes they mark, and back on undo. */
static void
test_bookmarks_follow (void)
{
  g_autofree char *path = write_file ("marks.bin", "0123456789abcdef");
  g_autoptr(HmBookmarks) marks = hm_bookmarks_new (path);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  g_autoptr(GError) error = NULL;
  guint64 expected_after_delete[] = { 1, 4, 9 };

  g_signal_connect_swapped (document, "content-changed", G_CALLBACK (hm_bookmarks_apply_edit), marks);
  g_assert_true (hm_bookmarks_add (marks, 1, NULL));
  g_assert_true (hm_bookmarks_add (marks, 5, NULL));
  g_assert_true (hm_bookmarks_add (marks, 6, NULL));
  g_assert_true (hm_bookmarks_add (marks, 12, NULL));

  /* Three bytes inserted at 3: the marks after it move by 3. */
  g_assert_true (hm_document_insert (document, 3, "xyz", 3, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (marks)), ==, 4);
  g_assert_nonnull (hm_bookmarks_lookup (marks, 8));
  g_assert_nonnull (hm_bookmarks_lookup (marks, 9));
  g_assert_nonnull (hm_bookmarks_lookup (marks, 15));

  /* Deleting 4..11 takes the bytes of two marks: they meet at 4, one stays. */
  g_assert_true (hm_document_delete (document, 4, 6, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (marks)), ==, G_N_ELEMENTS (expected_after_delete));
  for (guint i = 0; i < G_N_ELEMENTS (expected_after_delete); i++)
    {
      g_autoptr(HmBookmark) b = g_list_model_get_item (G_LIST_MODEL (marks), i);

      g_assert_cmpuint (hm_bookmark_get_offset (b), ==, expected_after_delete[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);

  g_test_add ("/hm/insert-mode/toggle", Fixture, NULL, fixture_setup, test_toggle, fixture_teardown);
  g_test_add ("/hm/insert-mode/typing", Fixture, NULL, fixture_setup, test_typing, fixture_teardown);
  g_test_add ("/hm/insert-mode/delete-selection", Fixture, NULL, fixture_setup, test_delete_selection,
              fixture_teardown);
  g_test_add ("/hm/insert-mode/paste-inserts", Fixture, NULL, fixture_setup, test_paste_inserts, fixture_teardown);
  g_test_add ("/hm/insert-mode/read-only", Fixture, NULL, fixture_setup, test_read_only, fixture_teardown);
  g_test_add ("/hm/insert-mode/dialogs", Fixture, NULL, fixture_setup, test_dialogs, fixture_teardown);
  g_test_add_func ("/hm/insert-mode/bookmarks-follow", test_bookmarks_follow);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}
