/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HmFillDialog: filling the selection with a pattern, refusing on read-only
 * files; attaching it to another document. */
#include "config.h"

#include <gtk/gtk.h>

#include "hm-fill-dialog-private.h"
#include "hm-panel-test-util.h"
#include "hm-test-util.h"

typedef HmPanelFixture Fixture;

static void
test_fill_dialog (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(HmFillDialog) dialog = g_object_ref_sink (HM_FILL_DIALOG (hm_fill_dialog_new ()));
  g_autoptr(GError) error = NULL;
  guint8 expected[10];

  hm_panel_fixture_open_known (fixture, "fill.bin", HM_DOCUMENT_MODE_PREVIEW);
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
  hm_panel_test_assert_bytes (fixture->document, 4, expected, sizeof expected);
  hm_panel_test_assert_bytes (fixture->document, 0, hm_panel_test_known, 4);
  hm_panel_test_assert_bytes (fixture->document, 14, hm_panel_test_known + 14, sizeof hm_panel_test_known - 14);

  g_assert_true (hm_document_undo (fixture->document, &error));
  g_assert_no_error (error);
  hm_panel_test_assert_bytes (fixture->document, 0, hm_panel_test_known, sizeof hm_panel_test_known);
}

static void
test_fill_dialog_refuses (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(HmFillDialog) dialog = g_object_ref_sink (HM_FILL_DIALOG (hm_fill_dialog_new ()));

  hm_panel_fixture_open_known (fixture, "fill-ro.bin", HM_DOCUMENT_MODE_READ_ONLY);
  hm_hex_view_set_selection (fixture->view, 4, 10);
  _hm_fill_dialog_attach (dialog, fixture->view, fixture->document);
  _hm_fill_dialog_set_pattern (dialog, "00");
  g_assert_false (_hm_fill_dialog_can_fill (dialog));
  g_assert_false (_hm_fill_dialog_fill (dialog));
  hm_panel_test_assert_bytes (fixture->document, 0, hm_panel_test_known, sizeof hm_panel_test_known);
}

/* ---- Attaching ---- */

/* It follows the view's selection; detached, it fills nothing; attached to a
 * second document, it fills that one and keeps nothing of the first.
 * Destroyed, it lets go of the view and the document. */
static void
test_fill_dialog_attach (Fixture       *fixture,
                         gconstpointer  data)
{
  HmFillDialog *dialog = g_object_ref_sink (HM_FILL_DIALOG (hm_fill_dialog_new ()));
  g_autoptr(HmDocument) second = hm_panel_test_open_document ("fill-second.bin", hm_panel_test_known,
                                                               sizeof hm_panel_test_known, HM_DOCUMENT_MODE_PREVIEW);
  HmDocument *first;

  hm_panel_fixture_open_known (fixture, "fill-first.bin", HM_DOCUMENT_MODE_PREVIEW);
  first = g_steal_pointer (&fixture->document);
  hm_hex_view_set_selection (fixture->view, 4, 10);
  _hm_fill_dialog_attach (dialog, fixture->view, first);
  _hm_fill_dialog_set_pattern (dialog, "77");
  g_assert_true (_hm_fill_dialog_can_fill (dialog));
  hm_hex_view_set_selection (fixture->view, 4, 0);
  g_assert_false (_hm_fill_dialog_can_fill (dialog));
  hm_hex_view_set_selection (fixture->view, 4, 10);
  g_assert_true (_hm_fill_dialog_can_fill (dialog));

  /* Detached: nothing to fill, and the selection is not its business. */
  _hm_fill_dialog_attach (dialog, NULL, NULL);
  hm_panel_test_assert_detached (first, dialog);
  hm_panel_test_assert_detached (fixture->view, dialog);
  g_assert_false (_hm_fill_dialog_can_fill (dialog));
  g_assert_false (_hm_fill_dialog_fill (dialog));

  /* Attached to a second document: the fill goes there. */
  hm_hex_view_set_document (fixture->view, second);
  hm_hex_view_set_selection (fixture->view, 0, 2);
  _hm_fill_dialog_attach (dialog, fixture->view, second);
  hm_panel_test_assert_detached (first, dialog);
  g_assert_true (_hm_fill_dialog_can_fill (dialog));
  g_assert_true (_hm_fill_dialog_fill (dialog));
  hm_panel_test_assert_bytes (second, 0, "\x77\x77", 2);
  hm_panel_test_assert_bytes (first, 0, hm_panel_test_known, sizeof hm_panel_test_known);
  g_assert_finalize_object (first);

  /* Destroyed, as the page destroys its dialogs, it is gone, and no handler
   * of it is left behind. */
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
  hm_panel_test_assert_detached (second, dialog);
  hm_hex_view_set_document (fixture->view, NULL);
  g_assert_finalize_object (g_steal_pointer (&second));
  hm_panel_test_assert_detached (fixture->view, dialog);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  hm_panel_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, hm_panel_fixture_setup, func, hm_panel_fixture_teardown)
  ADD ("/hm/fill-dialog/fill", test_fill_dialog);
  ADD ("/hm/fill-dialog/read-only", test_fill_dialog_refuses);
  ADD ("/hm/fill-dialog/attach", test_fill_dialog_attach);
#undef ADD

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}
