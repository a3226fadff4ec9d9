/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HmChecksumDialog: the sums of the selection and of the whole file, in a
 * worker, cancelled on close; attaching it to another document. */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "hm-checksum-dialog-private.h"
#include "hm-panel-test-util.h"
#include "hm-test-util.h"

typedef HmPanelFixture Fixture;

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
  hm_panel_test_flush ();
}

/* ---- Attaching ---- */

/* Detached, it has no sums and runs nothing; attached to a second document,
 * it sums that one and keeps nothing of the first. */
static void
test_checksum_dialog_attach (Fixture       *fixture,
                             gconstpointer  data)
{
  HmChecksumDialog *dialog = g_object_ref_sink (HM_CHECKSUM_DIALOG (hm_checksum_dialog_new ()));
  g_autoptr(HmDocument) second = hm_panel_test_open_document ("sums-second.bin", hm_panel_test_known,
                                                               sizeof hm_panel_test_known, HM_DOCUMENT_MODE_READ_ONLY);
  g_autofree char *first_sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, hm_panel_test_known + 8, 16);
  g_autofree char *second_sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, hm_panel_test_known,
                                                                sizeof hm_panel_test_known);
  HmDocument *first;

  hm_panel_fixture_open_known (fixture, "sums-first.bin", HM_DOCUMENT_MODE_READ_ONLY);
  first = g_steal_pointer (&fixture->document);
  hm_hex_view_set_selection (fixture->view, 8, 16);
  _hm_checksum_dialog_attach (dialog, fixture->view, first);
  g_assert_true (_hm_checksum_dialog_is_running (dialog));
  wait_for_checksums (dialog);
  g_assert_cmpstr (_hm_checksum_dialog_get_value (dialog, HM_CHECKSUM_SHA256), ==, first_sha256);

  /* Detached: no sums, nothing running. */
  _hm_checksum_dialog_attach (dialog, NULL, NULL);
  hm_panel_test_assert_detached (first, dialog);
  g_assert_false (_hm_checksum_dialog_is_running (dialog));
  g_assert_cmpstr (_hm_checksum_dialog_get_value (dialog, HM_CHECKSUM_SHA256), ==, "");

  /* Attached to a second document, with nothing selected: the whole of it. */
  hm_hex_view_set_document (fixture->view, second);
  _hm_checksum_dialog_attach (dialog, fixture->view, second);
  g_assert_true (_hm_checksum_dialog_is_running (dialog));
  wait_for_checksums (dialog);
  g_assert_cmpstr (_hm_checksum_dialog_get_value (dialog, HM_CHECKSUM_SHA256), ==, second_sha256);
  hm_panel_test_assert_released (first);

  /* Destroyed, as the page destroys its dialogs, it is gone. */
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
  hm_panel_test_assert_detached (second, dialog);
  hm_hex_view_set_document (fixture->view, NULL);
  hm_panel_test_assert_released (g_steal_pointer (&second));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  hm_panel_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, hm_panel_fixture_setup, func, hm_panel_fixture_teardown)
  ADD ("/hm/checksum-dialog/selection", test_checksum_dialog);
  ADD ("/hm/checksum-dialog/attach", test_checksum_dialog_attach);
#undef ADD

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}
