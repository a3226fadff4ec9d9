/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HmInspector: the values at the cursor, editing them, reading only while shown
 * and through a worker; attaching it to another document. */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "hm-changes-panel-private.h"
#include "hm-hex-view-private.h"
#include "hm-inspector-private.h"
#include "hm-panel-test-util.h"
#include "hm-test-util.h"

typedef HmPanelFixture Fixture;

/* The inspector reads only while it is shown: it sits in a shown window,
 * attached to the view and its document as the page attaches it. */
static HmInspector *
add_inspector (Fixture *fixture)
{
  HmInspector *inspector = HM_INSPECTOR (hm_inspector_new ());

  gtk_box_append (fixture->box, GTK_WIDGET (inspector));
  _hm_inspector_attach (inspector, fixture->view, fixture->document);
  hm_panel_fixture_show (fixture, GTK_WIDGET (inspector));
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

  hm_panel_test_wait_until (field_loaded, &ref);
}

static void
test_inspector_values (Fixture       *fixture,
                       gconstpointer  data)
{
  HmInspector *inspector;

  hm_panel_fixture_open_known (fixture, "known.bin", HM_DOCUMENT_MODE_READ_ONLY);
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
  hm_panel_test_assert_bytes (fixture->document, 37, hm_panel_test_known + 37, 1);
}

static void
test_inspector_edit (Fixture       *fixture,
                     gconstpointer  data)
{
  HmInspector *inspector;
  g_autoptr(GError) error = NULL;

  hm_panel_fixture_open_known (fixture, "edit.bin", HM_DOCUMENT_MODE_PREVIEW);
  inspector = add_inspector (fixture);
  hm_hex_view_set_cursor_offset (fixture->view, 0);
  g_assert_true (_hm_inspector_get_editable (inspector, HM_INSPECTOR_UINT32));
  g_assert_false (_hm_inspector_get_editable (inspector, HM_INSPECTOR_UTF8));

  /* A value in range is written at the cursor, in the byte order shown. */
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_UINT32, "305419896"));
  hm_panel_test_assert_bytes (fixture->document, 0, "\x78\x56\x34\x12", 4);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT32), ==, "305419896");
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_UINT32, "0xdeadbeef"));
  hm_panel_test_assert_bytes (fixture->document, 0, "\xef\xbe\xad\xde", 4);

  /* Undo gives the old bytes back, one step per edit. */
  g_assert_true (hm_document_undo (fixture->document, &error));
  g_assert_true (hm_document_undo (fixture->document, &error));
  g_assert_no_error (error);
  hm_panel_test_assert_bytes (fixture->document, 0, hm_panel_test_known, 4);
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
  hm_panel_test_assert_bytes (fixture->document, 0, hm_panel_test_known, sizeof hm_panel_test_known);
  g_assert_false (hm_document_get_has_pending (fixture->document));

  /* Other fields and the other byte order. */
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_INT8, "-128"));
  g_assert_null (_hm_inspector_get_error (inspector));
  hm_panel_test_assert_bytes (fixture->document, 0, "\x80", 1);
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_FLOAT, "2.5"));
  hm_panel_test_assert_bytes (fixture->document, 0, "\x00\x00\x20\x40", 4);
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_BINARY, "1010 0101"));
  hm_panel_test_assert_bytes (fixture->document, 0, "\xa5", 1);
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_OCTAL, "017"));
  hm_panel_test_assert_bytes (fixture->document, 0, "\x0f", 1);
  hm_inspector_set_big_endian (inspector, TRUE);
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_INT16, "-2"));
  hm_panel_test_assert_bytes (fixture->document, 0, "\xff\xfe", 2);
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_DOUBLE, "-0.1"));
  hm_panel_test_assert_bytes (fixture->document, 0, "\xbf\xb9\x99\x99\x99\x99\x99\x9a", 8);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_DOUBLE), ==, "-0.1");
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_TIME32, "1970-01-01T00:01:00Z"));
  hm_panel_test_assert_bytes (fixture->document, 0, "\x00\x00\x00\x3c", 4);

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

  hm_panel_fixture_open_known (fixture, "hidden.bin", HM_DOCUMENT_MODE_READ_ONLY);
  inspector = add_inspector (fixture);
  hm_hex_view_set_cursor_offset (fixture->view, 0);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_FLOAT), ==, "1");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UTF8), ==, "U+0000");

  gtk_widget_set_visible (GTK_WIDGET (inspector), FALSE);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (inspector)));
  hm_hex_view_set_cursor_offset (fixture->view, 8);
  hm_inspector_set_big_endian (inspector, TRUE);
  hm_inspector_set_big_endian (inspector, FALSE);
  hm_panel_test_flush ();
  /* Still the old bytes: nothing was read. */
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_FLOAT), ==, "1");

  gtk_widget_set_visible (GTK_WIDGET (inspector), TRUE);
  hm_panel_test_wait_until (hm_panel_test_is_mapped, inspector);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_DOUBLE), ==, "1.5");
}

/* Through a worker (as on a network or FUSE mount; forced here on a local
 * file): "…" until the bytes arrive, and no editing meanwhile. */
static void
test_inspector_async (Fixture       *fixture,
                      gconstpointer  data)
{
  HmInspector *inspector;

  hm_panel_fixture_open_known (fixture, "async.bin", HM_DOCUMENT_MODE_PREVIEW);
  inspector = add_inspector (fixture);
  hm_document_set_may_stall (fixture->document, TRUE);

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
  hm_panel_test_flush ();
  g_usleep (20000);
  hm_panel_test_flush ();
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT32), ==, "1700000000");

  /* The byte order needs no new read. */
  hm_inspector_set_big_endian (inspector, TRUE);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT16), ==, "241");

  /* An edit, then the new bytes (read again). */
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_UINT8, "7"));
  wait_for_field (inspector, HM_INSPECTOR_UINT8);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT8), ==, "7");
  hm_panel_test_assert_bytes (fixture->document, 16, "\x07", 1);
}

/* ---- Attaching ---- */

/* Detached, it shows no file; attached to a second document in the same view,
 * that one's bytes, and it keeps nothing of the first: no handler, no
 * reference. Its dispose detaches it. */
static void
test_inspector_attach (Fixture       *fixture,
                       gconstpointer  data)
{
  static const guint8 other[8] = { 0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
  g_autoptr(HmDocument) second = hm_panel_test_open_document ("second.bin", other, sizeof other,
                                                               HM_DOCUMENT_MODE_PREVIEW);
  g_autoptr(GError) error = NULL;
  HmInspector *inspector;
  HmDocument *first;

  hm_panel_fixture_open_known (fixture, "first.bin", HM_DOCUMENT_MODE_PREVIEW);
  inspector = add_inspector (fixture);
  first = g_steal_pointer (&fixture->document);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_FLOAT), ==, "1");
  g_assert_true (_hm_inspector_get_editable (inspector, HM_INSPECTOR_UINT8));

  _hm_inspector_attach (inspector, NULL, NULL);
  hm_panel_test_assert_detached (first, inspector);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_FLOAT), ==, "—");
  g_assert_false (_hm_inspector_get_editable (inspector, HM_INSPECTOR_UINT8));
  g_assert_false (_hm_inspector_edit (inspector, HM_INSPECTOR_UINT8, "1"));
  hm_panel_test_assert_bytes (first, 0, hm_panel_test_known, 1);

  _hm_inspector_attach (inspector, fixture->view, first);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_FLOAT), ==, "1");

  hm_hex_view_set_document (fixture->view, second);
  _hm_inspector_attach (inspector, fixture->view, second);
  hm_panel_test_assert_detached (first, inspector);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT8), ==, "42");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT64), ==, "42");

  /* It follows the second one's edits and the cursor. */
  g_assert_true (hm_document_write (second, 0, "\x08", 1, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT8), ==, "8");
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_UINT8, "9"));
  hm_panel_test_assert_bytes (second, 0, "\x09", 1);
  hm_hex_view_set_cursor_offset (fixture->view, 4);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT32), ==, "0");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT64), ==, "—");
  g_assert_finalize_object (first);

  hm_panel_fixture_dispose_panel (fixture, GTK_WIDGET (inspector), g_steal_pointer (&second));
}

/* ---- Screenshot, on request: HM_SCREENSHOT=path.png ---- */


/* Hex: integers as 0x…, typed either way; the toggle is the property. */
static void
test_inspector_hex (Fixture       *fixture,
                    gconstpointer  data)
{
  HmInspector *inspector;

  hm_panel_fixture_open_known (fixture, "hex.bin", HM_DOCUMENT_MODE_PREVIEW);
  inspector = add_inspector (fixture);
  hm_hex_view_set_cursor_offset (fixture->view, 24);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT8), ==, "255");

  hm_inspector_set_show_hex (inspector, TRUE);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT8), ==, "-0x01");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT8), ==, "0xff");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT16), ==, "-0x0101");
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT16), ==, "0xfeff");
  hm_inspector_set_big_endian (inspector, TRUE);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT16), ==, "-0x0002");
  hm_inspector_set_big_endian (inspector, FALSE);
  /* Only the integers change. */
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_BINARY), ==, "1111 1111");

  /* Either form is taken; what is shown parses back unchanged. */
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_UINT8, "0x7f"));
  hm_panel_test_assert_bytes (fixture->document, 24, "\x7f", 1);
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_UINT8, "128"));
  hm_panel_test_assert_bytes (fixture->document, 24, "\x80", 1);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT8), ==, "-0x80");
  {
    g_autofree char *shown = g_strdup (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT8));

    g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_INT8, shown));
    hm_panel_test_assert_bytes (fixture->document, 24, "\x80", 1);
  }

  /* The toggle button follows the property and back. */
  g_object_set (inspector, "show-hex", FALSE, NULL);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_INT8), ==, "-128");
}

/* A refused value says why, right under its field, in its tooltip and its
 * accessible description; a good value takes the error away. */
static void
test_inspector_error_text (Fixture       *fixture,
                           gconstpointer  data)
{
  HmInspector *inspector;
  GtkWidget *error_label;
  GtkWidget *field;
  GtkWidget *grid;
  int column, row, width, height;

  hm_panel_fixture_open_known (fixture, "errors.bin", HM_DOCUMENT_MODE_PREVIEW);
  inspector = add_inspector (fixture);
  error_label = _hm_inspector_get_error_label (inspector);
  field = _hm_inspector_get_field_widget (inspector, HM_INSPECTOR_UINT16);
  hm_hex_view_set_cursor_offset (fixture->view, 0);

  g_assert_false (_hm_inspector_edit (inspector, HM_INSPECTOR_UINT16, "70000"));
  g_assert_cmpstr (_hm_inspector_get_error (inspector), ==, "UInt16: Out of range: from 0 to 65535");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_has_css_class (field, "error"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (field), ==, "Out of range: from 0 to 65535");
  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
  grid = gtk_widget_get_parent (error_label);
  g_assert_true (GTK_IS_GRID (grid));
  g_assert_true (gtk_widget_get_parent (field) == grid);
  gtk_grid_query_child (GTK_GRID (grid), field, &column, &row, &width, &height);
  {
    int error_column, error_row;

    gtk_grid_query_child (GTK_GRID (grid), error_label, &error_column, &error_row, &width, &height);
    g_assert_cmpint (error_row, ==, row + 1);
    g_assert_cmpint (error_column, ==, column);
  }

  /* Another field's error moves it there; a good value takes it away and
   * the grid closes up. */
  g_assert_false (_hm_inspector_edit (inspector, HM_INSPECTOR_INT8, "x"));
  g_assert_nonnull (strstr (_hm_inspector_get_error (inspector), "Not a whole number"));
  g_assert_false (gtk_widget_has_css_class (field, "error"));
  g_assert_null (gtk_widget_get_tooltip_text (field));
  g_assert_true (_hm_inspector_edit (inspector, HM_INSPECTOR_INT8, "5"));
  g_assert_null (_hm_inspector_get_error (inspector));
  g_assert_null (gtk_widget_get_parent (error_label));
  gtk_grid_query_child (GTK_GRID (grid), field, &column, &row, &width, &height);
  g_assert_cmpint (row, ==, HM_INSPECTOR_UINT16);
}

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
  static const guint8 pattern[4] = { 0xde, 0xad, 0xbe, 0xef };

  if (target == NULL)
    {
      g_test_skip ("set HM_SCREENSHOT=file.png to take one");
      return;
    }

  for (guint i = 0; i < 64 * 1024; i++)
    contents[i] = (guint8) (i * 7 + (i >> 5));
  memcpy (contents, "\x7f" "ELF\x02\x01\x01\x00", 8);
  memcpy (contents + 0x40, hm_panel_test_known, sizeof hm_panel_test_known);
  hm_panel_fixture_open (fixture, "screenshot.bin", contents, 64 * 1024, HM_DOCUMENT_MODE_PREVIEW);
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
      hm_panel_test_flush ();
      g_usleep (20000);
    }

  hm_panel_test_save_screenshot (fixture->window, target);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  hm_panel_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, hm_panel_fixture_setup, func, hm_panel_fixture_teardown)
  ADD ("/hm/inspector/values", test_inspector_values);
  ADD ("/hm/inspector/edit", test_inspector_edit);
  ADD ("/hm/inspector/hex", test_inspector_hex);
  ADD ("/hm/inspector/error-text", test_inspector_error_text);
  ADD ("/hm/inspector/hidden", test_inspector_hidden);
  ADD ("/hm/inspector/async", test_inspector_async);
  ADD ("/hm/inspector/attach", test_inspector_attach);
  ADD ("/hm/inspector/screenshot", test_screenshot);
#undef ADD

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}
