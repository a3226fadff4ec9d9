/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "hm-bookmarks-panel-private.h"
#include "hm-changes-panel-private.h"
#include "hm-checksum-dialog-private.h"
#include "hm-fill-dialog-private.h"
#include "hm-hex-view-private.h"
#include "hm-inspector-private.h"
#include "hm-test-util.h"

/* Known bytes for the inspector (40 bytes):
 *   0: 00 00 80 3f            float 1.0 (LE)
 *   8: 00 .. f8 3f            double 1.5 (LE)
 *  16: 00 f1 53 65 00 00 00 00  1700000000 (LE), as time32 and time64
 *  24: ff fe                  -1 / 255, int16 -257 (LE) / -2 (BE)
 *  32: c3 a9                  "é"
 */
static const guint8 known[40] = {
  0x00, 0x00, 0x80, 0x3f, 0x01, 0x02, 0x03, 0x04,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x3f,
  0x00, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00,
  0xff, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0xc3, 0xa9, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46,
};

typedef struct
{
  GtkWindow  *window;
  GtkBox     *box;
  HmHexView  *view;
  HmDocument *document;
  char       *path;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0));
  fixture->view = HM_HEX_VIEW (hm_hex_view_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (fixture->view), TRUE);
  gtk_box_append (fixture->box, GTK_WIDGET (fixture->view));
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->box));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  g_clear_object (&fixture->document);
  g_clear_pointer (&fixture->path, g_free);
}

static void
open_file (Fixture        *fixture,
           const char     *name,
           const guint8   *contents,
           gsize           size,
           HmDocumentMode  mode)
{
  g_autoptr(GError) error = NULL;

  fixture->path = hm_test_path (name);
  g_file_set_contents (fixture->path, (const char *) contents, (gssize) size, &error);
  g_assert_no_error (error);
  fixture->document = hm_document_new_full (fixture->path, mode, 0, &error);
  g_assert_no_error (error);
  hm_hex_view_set_document (fixture->view, fixture->document);
}

static void
assert_bytes (HmDocument   *document,
              guint64       offset,
              const void   *expected,
              gsize         length)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *now = g_malloc (length);

  g_assert_cmpint (hm_document_read (document, offset, now, length, &error), ==, (gssize) length);
  g_assert_no_error (error);
  g_assert_cmpmem (now, length, expected, length);
}

static void
flush_main_loop (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Runs the main loop until @done (or 10 s: fails). */
static void
wait_until (gboolean (*done) (gpointer data),
            gpointer   data)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

/* Shows the window; @widget is mapped when it returns. */
static void
show_window (Fixture   *fixture,
             GtkWidget *widget)
{
  gtk_window_set_default_size (fixture->window, 1200, 600);
  gtk_window_present (fixture->window);
  wait_until (is_mapped, widget);
}

/* ---- Inspector ---- */

/* The inspector reads only while it is shown: it sits in a shown window,
 * attached to the view and its document as the page attaches it. */
static HmInspector *
add_inspector (Fixture *fixture)
{
  HmInspector *inspector = HM_INSPECTOR (hm_inspector_new ());

  gtk_box_append (fixture->box, GTK_WIDGET (inspector));
  _hm_inspector_attach (inspector, fixture->view, fixture->document);
  show_window (fixture, GTK_WIDGET (inspector));
  return inspector;
}

typedef struct
{
  HmInspector      *inspector;
  HmInspectorField  field;
} FieldRef;

static gboolean
field_loaded (gpointer data)
{
  FieldRef *ref = data;

  return g_strcmp0 (_hm_inspector_get_text (ref->inspector, ref->field), "…") != 0;
}

static void
wait_for_field (HmInspector      *inspector,
                HmInspectorField  field)
{
  FieldRef ref = { inspector, field };

  wait_until (field_loaded, &ref);
}

static void
test_inspector_values (Fixture       *fixture,
                       gconstpointer  data)
{
  HmInspector *inspector;

  open_file (fixture, "known.bin", known, sizeof known, HM_DOCUMENT_MODE_READ_ONLY);
  inspector = add_inspector (fixture);

  hm_hex_view_set_cursor_offset (fixture->view, 0);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_FLOAT), ==, "1");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UTF8), ==, "U+0000");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT32), ==, "1065353216");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT8), ==, "0");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT64), ==, "289077005465419776");
  hm_inspector_set_big_endian (inspector, TRUE);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT32), ==, "32831");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT16), ==, "0");
  hm_inspector_set_big_endian (inspector, FALSE);

  hm_hex_view_set_cursor_offset (fixture->view, 8);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_DOUBLE), ==, "1.5");

  hm_hex_view_set_cursor_offset (fixture->view, 16);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_TIME32), ==, "2023-11-14T22:13:20Z");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_TIME64), ==, "2023-11-14T22:13:20Z");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT32), ==, "1700000000");

  hm_hex_view_set_cursor_offset (fixture->view, 24);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT8), ==, "-1");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT8), ==, "255");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT16), ==, "-257");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_BINARY), ==, "1111 1111");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_OCTAL), ==, "377");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UTF8), ==, "Not valid UTF-8");
  hm_inspector_set_big_endian (inspector, TRUE);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT16), ==, "-2");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT16), ==, "65534");
  hm_inspector_set_big_endian (inspector, FALSE);

  hm_hex_view_set_cursor_offset (fixture->view, 32);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UTF8), ==, "é  U+00E9");

  /* Near the end: fields wider than what is left show a dash. */
  hm_hex_view_set_cursor_offset (fixture->view, 37);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT16), ==, "17732");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT32), ==, "—");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_DOUBLE), ==, "—");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_TIME64), ==, "—");

  /* Read-only: nothing is editable, and an edit is refused. */
  g_assert_false (_hm_inspector_get_editable (inspector, HM_INSPECTOR_INT8));
  g_assert_false (_hm_inspector_edit (inspector, HM_INSPECTOR_UINT8, "1"));
  assert_bytes (fixture->document, 37, known + 37, 1);
}

static void
test_inspector_edit (Fixture       *fixture,
                     gconstpointer  data)
{
  HmInspector *inspector;
  g_autoptr(GError) error = NULL;

  open_file (fixture, "edit.bin", known, sizeof known, HM_DOCUMENT_MODE_PREVIEW);
  inspector = add_inspector (fixture);
  hm_hex_view_set_cursor_offset (fixture->view, 0);
  g_assert_true (_hm_inspector_get_editable (inspector, HM_INSPECTOR_UINT32));
  g_assert_false (_hm_inspector_get_editable (inspector, HM_INSPECTOR_UTF8));

  /* A value in range is written at the cursor, in the byte order shown. */
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_UINT32, "305419896"));
  assert_bytes (fixture->document, 0, "\x78\x56\x34\x12", 4);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT32), ==, "305419896");
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_UINT32, "0xdeadbeef"));
  assert_bytes (fixture->document, 0, "\xef\xbe\xad\xde", 4);

  /* Undo gives the old bytes back, one step per edit. */
  g_assert_true (hm_document_undo (fixture->document, &error));
  g_assert_true (hm_document_undo (fixture->document, &error));
  g_assert_no_error (error);
  assert_bytes (fixture->document, 0, known, 4);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_FLOAT), ==, "1");

  /* Bad input and values out of range: an inline error, no write. */
  g_assert_false (_hm_inspector_edit (inspector, HM_INSPECTOR_INT8, "twelve"));
  g_assert_nonnull (strstr (_hm_inspector_get_error (inspector), "Int8"));
  g_assert_false (_hm_inspector_edit (inspector, HM_INSPECTOR_INT8, "128"));
  g_assert_nonnull (strstr (_hm_inspector_get_error (inspector), "-128 to 127"));
  g_assert_false (_hm_inspector_edit (inspector, HM_INSPECTOR_UINT16, "-1"));
  g_assert_false (_hm_inspector_edit (inspector, HM_INSPECTOR_FLOAT, "1e39"));
  g_assert_false (_hm_inspector_edit (inspector, HM_INSPECTOR_BINARY, "102"));
  g_assert_false (_hm_inspector_edit (inspector, HM_INSPECTOR_OCTAL, "400"));
  g_assert_false (_hm_inspector_edit (inspector, HM_INSPECTOR_TIME32, "2100-01-01T00:00:00Z"));
  assert_bytes (fixture->document, 0, known, sizeof known);
  g_assert_false (hm_document_get_has_pending (fixture->document));

  /* Other fields and the other byte order. */
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_INT8, "-128"));
  g_assert_null (_hm_inspector_get_error (inspector));
  assert_bytes (fixture->document, 0, "\x80", 1);
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_FLOAT, "2.5"));
  assert_bytes (fixture->document, 0, "\x00\x00\x20\x40", 4);
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_BINARY, "1010 0101"));
  assert_bytes (fixture->document, 0, "\xa5", 1);
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_OCTAL, "017"));
  assert_bytes (fixture->document, 0, "\x0f", 1);
  hm_inspector_set_big_endian (inspector, TRUE);
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_INT16, "-2"));
  assert_bytes (fixture->document, 0, "\xff\xfe", 2);
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_DOUBLE, "-0.1"));
  assert_bytes (fixture->document, 0, "\xbf\xb9\x99\x99\x99\x99\x99\x9a", 8);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_DOUBLE), ==, "-0.1");
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_TIME32, "1970-01-01T00:01:00Z"));
  assert_bytes (fixture->document, 0, "\x00\x00\x00\x3c", 4);

  /* Near the end a wide field cannot be edited. */
  hm_hex_view_set_cursor_offset (fixture->view, 38);
  g_assert_false (_hm_inspector_get_editable (inspector, HM_INSPECTOR_UINT32));
  g_assert_true (_hm_inspector_get_editable (inspector, HM_INSPECTOR_UINT16));
}

/* Hidden (another side panel, or the side pane closed) it reads nothing, and
 * catches up when shown. */
static void
test_inspector_hidden (Fixture       *fixture,
                       gconstpointer  data)
{
  HmInspector *inspector;

  open_file (fixture, "hidden.bin", known, sizeof known, HM_DOCUMENT_MODE_READ_ONLY);
  inspector = add_inspector (fixture);
  hm_hex_view_set_cursor_offset (fixture->view, 0);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_FLOAT), ==, "1");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UTF8), ==, "U+0000");

  gtk_widget_set_visible (GTK_WIDGET (inspector), FALSE);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (inspector)));
  hm_hex_view_set_cursor_offset (fixture->view, 8);
  hm_inspector_set_big_endian (inspector, TRUE);
  hm_inspector_set_big_endian (inspector, FALSE);
  flush_main_loop ();
  /* Still the old bytes: nothing was read. */
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_FLOAT), ==, "1");

  gtk_widget_set_visible (GTK_WIDGET (inspector), TRUE);
  wait_until (is_mapped, inspector);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_DOUBLE), ==, "1.5");
}

/* Through a worker (as on a network or FUSE mount; forced here on a local
 * file): "…" until the bytes arrive, and no editing meanwhile. */
static void
test_inspector_async (Fixture       *fixture,
                      gconstpointer  data)
{
  HmInspector *inspector;

  open_file (fixture, "async.bin", known, sizeof known, HM_DOCUMENT_MODE_PREVIEW);
  inspector = add_inspector (fixture);
  _hm_hex_view_set_async_reads (fixture->view, TRUE);

  hm_hex_view_set_cursor_offset (fixture->view, 8);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_DOUBLE), ==, "…");
  g_assert_false (_hm_inspector_get_editable (inspector, HM_INSPECTOR_DOUBLE));
  g_assert_false (_hm_inspector_edit (inspector, HM_INSPECTOR_INT8, "1"));
  wait_for_field (inspector, HM_INSPECTOR_DOUBLE);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_DOUBLE), ==, "1.5");
  g_assert_true (_hm_inspector_get_editable (inspector, HM_INSPECTOR_DOUBLE));

  /* Moving on before the bytes arrive: only the last position is shown. */
  hm_hex_view_set_cursor_offset (fixture->view, 0);
  hm_hex_view_set_cursor_offset (fixture->view, 24);
  hm_hex_view_set_cursor_offset (fixture->view, 16);
  wait_for_field (inspector, HM_INSPECTOR_TIME32);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_TIME32), ==, "2023-11-14T22:13:20Z");
  flush_main_loop ();
  g_usleep (20000);
  flush_main_loop ();
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT32), ==, "1700000000");

  /* The byte order needs no new read. */
  hm_inspector_set_big_endian (inspector, TRUE);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT16), ==, "241");

  /* An edit, then the new bytes (read again). */
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_UINT8, "7"));
  wait_for_field (inspector, HM_INSPECTOR_UINT8);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT8), ==, "7");
  assert_bytes (fixture->document, 16, "\x07", 1);
}

/* ---- Changes panel ---- */

static void
test_changes_panel (Fixture       *fixture,
                    gconstpointer  data)
{
  HmChangesPanel *panel = HM_CHANGES_PANEL (hm_changes_panel_new ());
  g_autoptr(GError) error = NULL;
  g_autofree char *row = NULL;
  static const guint8 pattern[1] = { 0x11 };

  gtk_box_append (fixture->box, GTK_WIDGET (panel));
  open_file (fixture, "changes.bin", known, sizeof known, HM_DOCUMENT_MODE_PREVIEW);
  _hm_changes_panel_attach (panel, fixture->view, fixture->document);
  g_assert_cmpuint (_hm_changes_panel_get_n_rows (panel), ==, 0);
  g_assert_cmpstr (_hm_changes_panel_get_summary (panel), ==, "No pending changes");

  g_assert_true (hm_document_write (fixture->document, 2, "\xaa\xbb", 2, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  /* Rebuilt once per main loop iteration, not at every edit. */
  flush_main_loop ();
  g_assert_cmpuint (_hm_changes_panel_get_n_rows (panel), ==, 1);
  row = _hm_changes_panel_describe (panel, 0);
  g_assert_cmpstr (row, ==, "0x00000002 2 bytes: 803f -> aabb");
  g_assert_cmpstr (_hm_changes_panel_get_summary (panel), ==, "1 changed range, 2 bytes");

  /* A longer range shows its first 16 bytes. */
  g_assert_true (hm_document_fill (fixture->document, 8, 20, pattern, 1, &error));
  _hm_changes_panel_flush (panel);
  g_assert_cmpuint (_hm_changes_panel_get_n_rows (panel), ==, 2);
  g_clear_pointer (&row, g_free);
  row = _hm_changes_panel_describe (panel, 1);
  g_assert_cmpstr (row, ==, "0x00000008 20 bytes: 00000000 0000f83f 00f15365 00000000 … -> "
                            "11111111 11111111 11111111 11111111 …");

  /* A click moves the cursor there. */
  hm_hex_view_set_cursor_offset (fixture->view, 39);
  _hm_changes_panel_activate (panel, 1);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fixture->view), ==, 8);

  /* Undo takes rows away; saving empties the list and counts what was saved. */
  g_assert_true (hm_document_undo (fixture->document, &error));
  _hm_changes_panel_flush (panel);
  g_assert_cmpuint (_hm_changes_panel_get_n_rows (panel), ==, 1);
  g_assert_true (hm_document_save (fixture->document, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  _hm_changes_panel_flush (panel);
  g_assert_cmpuint (_hm_changes_panel_get_n_rows (panel), ==, 0);
  g_assert_cmpstr (_hm_changes_panel_get_summary (panel), ==, "No pending changes");
}

typedef struct
{
  HmChangesPanel *panel;
  guint           position;
} RowRef;

static gboolean
row_loaded (gpointer data)
{
  RowRef *ref = data;
  g_autofree char *shown = _hm_changes_panel_get_shown (ref->panel, ref->position);

  /* A long range ends in "…" too; a row being read is "… -> …". */
  return shown != NULL && !g_str_has_prefix (shown, "… ->");
}

/* Through a worker (forced on a local file): the rows fill in. */
static void
test_changes_panel_async (Fixture       *fixture,
                          gconstpointer  data)
{
  HmChangesPanel *panel = HM_CHANGES_PANEL (hm_changes_panel_new ());
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  static const guint8 pattern[1] = { 0x11 };
  RowRef ref = { panel, 1 };

  gtk_widget_set_size_request (GTK_WIDGET (panel), 360, 400);
  gtk_box_append (fixture->box, GTK_WIDGET (panel));
  open_file (fixture, "changes-async.bin", known, sizeof known, HM_DOCUMENT_MODE_PREVIEW);
  _hm_hex_view_set_async_reads (fixture->view, TRUE);
  _hm_changes_panel_attach (panel, fixture->view, fixture->document);
  show_window (fixture, GTK_WIDGET (panel));

  g_assert_true (hm_document_write (fixture->document, 2, "\xaa\xbb", 2, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_fill (fixture->document, 8, 20, pattern, 1, &error));
  g_assert_no_error (error);
  wait_until (row_loaded, &ref);
  ref.position = 0;
  wait_until (row_loaded, &ref);
  shown = _hm_changes_panel_get_shown (panel, 0);
  g_assert_cmpstr (shown, ==, "803f -> aabb");
  g_clear_pointer (&shown, g_free);
  shown = _hm_changes_panel_get_shown (panel, 1);
  g_assert_cmpstr (shown, ==, "00000000 0000f83f 00f15365 00000000 … -> 11111111 11111111 11111111 11111111 …");

  /* Another edit: new rows, read again. */
  g_assert_true (hm_document_write (fixture->document, 3, "\xcc", 1, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  _hm_changes_panel_flush (panel);
  wait_until (row_loaded, &ref);
  g_clear_pointer (&shown, g_free);
  shown = _hm_changes_panel_get_shown (panel, 0);
  g_assert_cmpstr (shown, ==, "803f -> aacc");
}

/* ---- Bookmarks panel ---- */

static void
test_bookmarks_panel (Fixture       *fixture,
                      gconstpointer  data)
{
  HmBookmarksPanel *panel = HM_BOOKMARKS_PANEL (hm_bookmarks_panel_new ());
  HmBookmarksPanel *second = NULL;
  HmBookmarks *bookmarks;
  g_autoptr(HmBookmarks) reloaded = NULL;
  g_autofree char *store = NULL;
  g_autoptr(GError) error = NULL;

  gtk_box_append (fixture->box, GTK_WIDGET (panel));
  open_file (fixture, "marked.bin", known, sizeof known, HM_DOCUMENT_MODE_READ_ONLY);
  _hm_bookmarks_panel_attach (panel, fixture->view, fixture->document);
  bookmarks = hm_bookmarks_panel_get_bookmarks (panel);
  g_assert_nonnull (bookmarks);
  store = hm_bookmarks_get_store_path (bookmarks);
  g_assert_true (g_str_has_prefix (store, hm_test_tmpdir ()));

  /* Toggle at the cursor: added and saved at once (read-only files too). */
  hm_hex_view_set_cursor_offset (fixture->view, 30);
  g_assert_true (hm_bookmarks_panel_toggle_at_cursor (panel));
  hm_hex_view_set_cursor_offset (fixture->view, 5);
  g_assert_true (hm_bookmarks_panel_toggle_at_cursor (panel));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bookmarks)), ==, 2);
  g_assert_true (g_file_test (store, G_FILE_TEST_IS_REGULAR));
  g_assert_null (_hm_bookmarks_panel_get_error (panel));

  /* Activating a row jumps there. */
  _hm_bookmarks_panel_activate (panel, 1);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fixture->view), ==, 30);

  /* Rename inline: kept on disk. */
  _hm_bookmarks_panel_rename (panel, 0, "header");
  flush_main_loop ();
  g_assert_cmpstr (hm_bookmark_get_name (hm_bookmarks_lookup (bookmarks, 5)), ==, "header");
  reloaded = hm_bookmarks_new (fixture->path);
  g_assert_true (hm_bookmarks_load (reloaded, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 2);
  g_assert_cmpstr (hm_bookmark_get_name (hm_bookmarks_lookup (reloaded, 5)), ==, "header");
  g_assert_cmpstr (hm_bookmark_get_name (hm_bookmarks_lookup (reloaded, 30)), ==, "Bookmark 1");

  /* Another panel on the same file finds them. */
  second = HM_BOOKMARKS_PANEL (hm_bookmarks_panel_new ());
  gtk_box_append (fixture->box, GTK_WIDGET (second));
  _hm_bookmarks_panel_attach (second, fixture->view, fixture->document);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (hm_bookmarks_panel_get_bookmarks (second))), ==, 2);

  /* Toggle again removes; delete removes; with none left the store goes. */
  hm_hex_view_set_cursor_offset (fixture->view, 30);
  g_assert_false (hm_bookmarks_panel_toggle_at_cursor (panel));
  _hm_bookmarks_panel_delete (panel, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bookmarks)), ==, 0);
  g_assert_false (g_file_test (store, G_FILE_TEST_EXISTS));
}

/* ---- Fill dialog ---- */

static void
test_fill_dialog (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(HmFillDialog) dialog = g_object_ref_sink (HM_FILL_DIALOG (hm_fill_dialog_new ()));
  g_autoptr(GError) error = NULL;
  guint8 expected[10];

  open_file (fixture, "fill.bin", known, sizeof known, HM_DOCUMENT_MODE_PREVIEW);
  hm_hex_view_set_selection (fixture->view, 4, 10);
  _hm_fill_dialog_attach (dialog, fixture->view, fixture->document);

  g_assert_false (_hm_fill_dialog_can_fill (dialog));
  _hm_fill_dialog_set_pattern (dialog, "zz");
  g_assert_nonnull (_hm_fill_dialog_get_error (dialog));
  g_assert_false (_hm_fill_dialog_can_fill (dialog));
  g_assert_false (_hm_fill_dialog_fill (dialog));
  _hm_fill_dialog_set_pattern (dialog, "de ad be");
  g_assert_null (_hm_fill_dialog_get_error (dialog));
  g_assert_true (_hm_fill_dialog_can_fill (dialog));

  g_assert_true (_hm_fill_dialog_fill (dialog));
  for (guint i = 0; i < sizeof expected; i++)
    expected[i] = (const guint8[]) { 0xde, 0xad, 0xbe }[i % 3];
  assert_bytes (fixture->document, 4, expected, sizeof expected);
  assert_bytes (fixture->document, 0, known, 4);
  assert_bytes (fixture->document, 14, known + 14, sizeof known - 14);

  g_assert_true (hm_document_undo (fixture->document, &error));
  g_assert_no_error (error);
  assert_bytes (fixture->document, 0, known, sizeof known);
}

static void
test_fill_dialog_refuses (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(HmFillDialog) dialog = g_object_ref_sink (HM_FILL_DIALOG (hm_fill_dialog_new ()));

  open_file (fixture, "fill-ro.bin", known, sizeof known, HM_DOCUMENT_MODE_READ_ONLY);
  hm_hex_view_set_selection (fixture->view, 4, 10);
  _hm_fill_dialog_attach (dialog, fixture->view, fixture->document);
  _hm_fill_dialog_set_pattern (dialog, "00");
  g_assert_false (_hm_fill_dialog_can_fill (dialog));
  g_assert_false (_hm_fill_dialog_fill (dialog));
  assert_bytes (fixture->document, 0, known, sizeof known);
}

/* ---- Checksum dialog ---- */

static void
wait_for_checksums (HmChecksumDialog *dialog)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (_hm_checksum_dialog_is_running (dialog))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_checksum_dialog (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(HmChecksumDialog) dialog = g_object_ref_sink (HM_CHECKSUM_DIALOG (hm_checksum_dialog_new ()));
  g_autofree guint8 *contents = NULL;
  gsize size = 3 * 1024 * 1024 + 5;
  g_autofree char *path = hm_test_write_random ("sums.bin", size, 21, &contents);
  g_autofree char *selection_sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, contents + 1000, 2000000);
  g_autofree char *file_md5 = g_compute_checksum_for_data (G_CHECKSUM_MD5, contents, size);
  g_autoptr(GError) error = NULL;

  fixture->document = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  g_assert_no_error (error);
  hm_hex_view_set_document (fixture->view, fixture->document);
  hm_hex_view_set_selection (fixture->view, 1000, 2000000);

  _hm_checksum_dialog_attach (dialog, fixture->view, fixture->document);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (_hm_checksum_dialog_is_running (dialog));
  wait_for_checksums (dialog);
  g_assert_null (_hm_checksum_dialog_get_status (dialog));
  g_assert_cmpstr (_hm_checksum_dialog_get_value (dialog, HM_CHECKSUM_SHA256), ==, selection_sha256);
  g_assert_cmpuint (strlen (_hm_checksum_dialog_get_value (dialog, HM_CHECKSUM_CRC32)), ==, 8);

  hm_checksum_dialog_set_whole_file (dialog, TRUE);
  wait_for_checksums (dialog);
  g_assert_cmpstr (_hm_checksum_dialog_get_value (dialog, HM_CHECKSUM_MD5), ==, file_md5);

  /* Closing mid-run cancels it. */
  hm_checksum_dialog_set_whole_file (dialog, FALSE);
  g_assert_true (_hm_checksum_dialog_is_running (dialog));
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_false (_hm_checksum_dialog_is_running (dialog));
  flush_main_loop ();
}

/* ---- Screenshot, on request: HM_SCREENSHOT=path.png ---- */

static void
test_screenshot (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *target = g_getenv ("HM_SCREENSHOT");
  GtkWidget *side = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  HmInspector *inspector = HM_INSPECTOR (hm_inspector_new ());
  HmChangesPanel *changes = HM_CHANGES_PANEL (hm_changes_panel_new ());
  g_autofree guint8 *contents = g_malloc (64 * 1024);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  static const guint8 pattern[4] = { 0xde, 0xad, 0xbe, 0xef };
  int width, height;

  if (target == NULL)
    {
      g_test_skip ("set HM_SCREENSHOT=file.png to take one");
      return;
    }

  for (guint i = 0; i < 64 * 1024; i++)
    contents[i] = (guint8) (i * 7 + (i >> 5));
  memcpy (contents, "\x7f" "ELF\x02\x01\x01\x00", 8);
  memcpy (contents + 0x40, known, sizeof known);
  open_file (fixture, "screenshot.bin", contents, 64 * 1024, HM_DOCUMENT_MODE_PREVIEW);
  hm_document_write (fixture->document, 0x10, "\x02\x00\x3e\x00", 4, HM_EDIT_NONE, &error);
  hm_document_fill (fixture->document, 0x90, 12, pattern, 4, &error);
  hm_document_write (fixture->document, 0x123, "Hexmap", 6, HM_EDIT_NONE, &error);
  g_assert_no_error (error);

  /* In the window the side pane shows one panel at a time; here both sit
   * side by side so one picture shows them. */
  gtk_orientable_set_orientation (GTK_ORIENTABLE (side), GTK_ORIENTATION_HORIZONTAL);
  gtk_widget_set_size_request (GTK_WIDGET (inspector), 360, -1);
  gtk_widget_set_size_request (GTK_WIDGET (changes), 360, -1);
  gtk_box_append (fixture->box, gtk_separator_new (GTK_ORIENTATION_VERTICAL));
  gtk_box_append (fixture->box, side);
  gtk_box_append (GTK_BOX (side), GTK_WIDGET (inspector));
  gtk_box_append (GTK_BOX (side), gtk_separator_new (GTK_ORIENTATION_VERTICAL));
  gtk_box_append (GTK_BOX (side), GTK_WIDGET (changes));
  _hm_inspector_attach (inspector, fixture->view, fixture->document);
  _hm_changes_panel_attach (changes, fixture->view, fixture->document);
  hm_hex_view_set_fixed_bytes_per_row (fixture->view, 16);

  gtk_window_set_default_size (fixture->window, 1540, 720);
  gtk_window_present (fixture->window);
  for (int i = 0; i < 50; i++)
    {
      if (i == 20)
        {
          hm_hex_view_set_cursor_offset (fixture->view, 0x50);
          hm_hex_view_set_top_row (fixture->view, 0);
        }
      flush_main_loop ();
      g_usleep (20000);
    }

  width = gtk_widget_get_width (GTK_WIDGET (fixture->window));
  height = gtk_widget_get_height (GTK_WIDGET (fixture->window));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (fixture->window));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (fixture->window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, target));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    hm_test_skip_all (argc, argv, "no display (run under xvfb-run)");
  /* Bookmarks go to a temporary data directory, set before GLib caches it. */
  g_setenv ("XDG_DATA_HOME", hm_test_tmpdir (), TRUE);
  gtk_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/hm/panels/inspector/values", test_inspector_values);
  ADD ("/hm/panels/inspector/edit", test_inspector_edit);
  ADD ("/hm/panels/inspector/hidden", test_inspector_hidden);
  ADD ("/hm/panels/inspector/async", test_inspector_async);
  ADD ("/hm/panels/changes/list", test_changes_panel);
  ADD ("/hm/panels/changes/async", test_changes_panel_async);
  ADD ("/hm/panels/bookmarks/toggle-jump", test_bookmarks_panel);
  ADD ("/hm/panels/fill/fill", test_fill_dialog);
  ADD ("/hm/panels/fill/read-only", test_fill_dialog_refuses);
  ADD ("/hm/panels/checksum/selection", test_checksum_dialog);
  ADD ("/hm/panels/screenshot", test_screenshot);
#undef ADD

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}
