/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HmChangesPanel: the pending changes listed, a click to go there, rows read
 * through a worker; attaching it to another document. */
#include "config.h"

#include <gtk/gtk.h>

#include "hm-changes-panel-private.h"
#include "hm-hex-view-private.h"
#include "hm-panel-test-util.h"
#include "hm-test-util.h"

typedef HmPanelFixture Fixture;

static void
test_changes_panel (Fixture       *fixture,
                    gconstpointer  data)
{
  HmChangesPanel *panel = HM_CHANGES_PANEL (hm_changes_panel_new ());
  g_autoptr(GError) error = NULL;
  g_autofree char *row = NULL;
  static const guint8 pattern[1] = { 0x11 };

  gtk_box_append (fixture->box, GTK_WIDGET (panel));
  hm_panel_fixture_open_known (fixture, "changes.bin", HM_DOCUMENT_MODE_PREVIEW);
  _hm_changes_panel_attach (panel, fixture->view, fixture->document);
  g_assert_cmpuint (_hm_changes_panel_get_n_rows (panel), ==, 0);
  g_assert_cmpstr (_hm_changes_panel_get_summary (panel), ==, "No pending changes");

  g_assert_true (hm_document_write (fixture->document, 2, "\xaa\xbb", 2, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  /* Rebuilt once per main loop iteration, not at every edit. */
  hm_panel_test_flush ();
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
  hm_panel_fixture_open_known (fixture, "changes-async.bin", HM_DOCUMENT_MODE_PREVIEW);
  hm_document_set_may_stall (fixture->document, TRUE);
  _hm_changes_panel_attach (panel, fixture->view, fixture->document);
  hm_panel_fixture_show (fixture, GTK_WIDGET (panel));

  g_assert_true (hm_document_write (fixture->document, 2, "\xaa\xbb", 2, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_fill (fixture->document, 8, 20, pattern, 1, &error));
  g_assert_no_error (error);
  hm_panel_test_wait_until (row_loaded, &ref);
  ref.position = 0;
  hm_panel_test_wait_until (row_loaded, &ref);
  shown = _hm_changes_panel_get_shown (panel, 0);
  g_assert_cmpstr (shown, ==, "803f -> aabb");
  g_clear_pointer (&shown, g_free);
  shown = _hm_changes_panel_get_shown (panel, 1);
  g_assert_cmpstr (shown, ==, "00000000 0000f83f 00f15365 00000000 … -> 11111111 11111111 11111111 11111111 …");

  /* Another edit: new rows, read again. */
  g_assert_true (hm_document_write (fixture->document, 3, "\xcc", 1, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  _hm_changes_panel_flush (panel);
  hm_panel_test_wait_until (row_loaded, &ref);
  g_clear_pointer (&shown, g_free);
  shown = _hm_changes_panel_get_shown (panel, 0);
  g_assert_cmpstr (shown, ==, "803f -> aacc");
}

/* ---- Attaching ---- */

/* Detached, it lists nothing; attached to a second document in the same view,
 * that one's changes, and it keeps nothing of the first: no handler, no
 * reference. Its dispose detaches it. */
static void
test_changes_panel_attach (Fixture       *fixture,
                           gconstpointer  data)
{
  HmChangesPanel *panel = HM_CHANGES_PANEL (hm_changes_panel_new ());
  g_autoptr(HmDocument) second = hm_panel_test_open_document ("changes-second.bin", hm_panel_test_known,
                                                               sizeof hm_panel_test_known, HM_DOCUMENT_MODE_PREVIEW);
  g_autoptr(GError) error = NULL;
  g_autofree char *row = NULL;
  HmDocument *first;

  gtk_box_append (fixture->box, GTK_WIDGET (panel));
  hm_panel_fixture_open_known (fixture, "changes-first.bin", HM_DOCUMENT_MODE_PREVIEW);
  first = g_steal_pointer (&fixture->document);
  _hm_changes_panel_attach (panel, fixture->view, first);
  g_assert_true (hm_document_write (first, 2, "\xaa\xbb", 2, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  _hm_changes_panel_flush (panel);
  g_assert_cmpuint (_hm_changes_panel_get_n_rows (panel), ==, 1);

  /* Detached: an empty list that no edit fills. */
  _hm_changes_panel_attach (panel, NULL, NULL);
  hm_panel_test_assert_detached (first, panel);
  g_assert_cmpuint (_hm_changes_panel_get_n_rows (panel), ==, 0);
  g_assert_cmpstr (_hm_changes_panel_get_summary (panel), ==, "No file");
  g_assert_true (hm_document_write (first, 8, "\xcc", 1, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  hm_panel_test_flush ();
  g_assert_cmpuint (_hm_changes_panel_get_n_rows (panel), ==, 0);

  /* Attached again: both edits. */
  _hm_changes_panel_attach (panel, fixture->view, first);
  g_assert_cmpuint (_hm_changes_panel_get_n_rows (panel), ==, 2);

  /* To a second document: its edits, not the first one's. */
  hm_hex_view_set_document (fixture->view, second);
  _hm_changes_panel_attach (panel, fixture->view, second);
  hm_panel_test_assert_detached (first, panel);
  g_assert_cmpuint (_hm_changes_panel_get_n_rows (panel), ==, 0);
  g_assert_cmpstr (_hm_changes_panel_get_summary (panel), ==, "No pending changes");
  g_assert_true (hm_document_write (second, 30, "\xdd", 1, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_write (first, 16, "\xee", 1, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  hm_panel_test_flush ();
  g_assert_cmpuint (_hm_changes_panel_get_n_rows (panel), ==, 1);
  row = _hm_changes_panel_describe (panel, 0);
  g_assert_cmpstr (row, ==, "0x0000001e 1 byte: 00 -> dd");
  _hm_changes_panel_activate (panel, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fixture->view), ==, 30);
  g_assert_finalize_object (first);

  hm_panel_fixture_dispose_panel (fixture, GTK_WIDGET (panel), g_steal_pointer (&second));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  hm_panel_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, hm_panel_fixture_setup, func, hm_panel_fixture_teardown)
  ADD ("/hm/changes-panel/list", test_changes_panel);
  ADD ("/hm/changes-panel/async", test_changes_panel_async);
  ADD ("/hm/changes-panel/attach", test_changes_panel_attach);
#undef ADD

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}
