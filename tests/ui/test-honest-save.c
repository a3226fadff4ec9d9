/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Honest saves in the window, reproduced as issue 14 describes them: a file
 * in direct mode edited at 0x80000 and truncated to 4096 bytes by another
 * program, then saved with Overwrite, must not say "Saved."; a file replaced
 * (mv) while it is being saved must not either. Both keep the edits pending.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "hm-application.h"
#include "hm-document-private.h"
#include "hm-fault-dialog.h"
#include "hm-page-private.h"
#include "hm-test-util.h"
#include "hm-ui-test-util.h"
#include "hm-window.h"

static HmApplication *app;
static int test_status = 1;

static HmWindow *
new_window (void)
{
  HmWindow *window = hm_window_new (GTK_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static gboolean
page_idle (gpointer data)
{
  return !_hm_page_get_busy (data);
}

static void
close_window (HmWindow *window)
{
  for (guint i = 0; i < hm_window_get_n_pages (window); i++)
    g_assert_true (hm_document_discard (hm_page_get_document (hm_window_get_page (window, i)), NULL));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* hexmap --direct F, type at 0x80000, truncate -s 4096 F, Ctrl+S, Overwrite */
static void
test_direct_truncated (void)
{
  g_autofree char *path = hm_test_write_random ("direct.bin", 1024 * 1024, 3, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  HmWindow *window = new_window ();
  HmPage *page = hm_window_open_file (window, file, HM_DOCUMENT_MODE_DIRECT, &error);
  HmDocument *doc = hm_page_get_document (page);
  GtkMessageDialog *dialog;
  g_autofree char *text = NULL;
  struct stat st;

  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, 0x80000, "\x42", 1, HM_EDIT_COALESCE, &error));
  hm_test_truncate (path, 4096);

  /* The file monitor reports the truncation sooner or later, maybe before the
   * save, maybe during it; look now, so the order is always the same: the
   * truncation first (the edit at 0x80000 lies past the new end), kept. */
  _hm_document_check_disk (doc);
  dialog = hm_ui_test_wait_for_message_dialog ();
  text = hm_ui_test_dialog_text (dialog);
  g_test_message ("first: %s", text);
  g_assert_nonnull (strstr (text, "Shortened"));
  gtk_dialog_response (GTK_DIALOG (dialog), HM_FAULT_RESPONSE_KEEP_PENDING);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));

  /* Save; if it asks whether to overwrite the other program's change, yes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.save", NULL));
  dialog = hm_ui_test_wait_for_message_dialog ();
  g_clear_pointer (&text, g_free);
  text = hm_ui_test_dialog_text (dialog);
  if (strstr (text, "0x80000") == NULL)
    {
      g_test_message ("asked: %s", text);
      gtk_dialog_response (GTK_DIALOG (dialog), HM_FAULT_RESPONSE_OVERWRITE);
      g_assert_true (hm_ui_test_wait_for (page_idle, page, HM_UI_TEST_WAIT_MS));
    }
  g_assert_true (hm_ui_test_wait_for (page_idle, page, HM_UI_TEST_WAIT_MS));

  /* The edit cannot be written: said so, never "Saved." */
  dialog = hm_ui_test_wait_for_message_dialog ();
  g_clear_pointer (&text, g_free);
  text = hm_ui_test_dialog_text (dialog);
  g_test_message ("then: %s", text);
  g_assert_nonnull (strstr (text, "0x80000"));
  g_assert_nonnull (strstr (text, "4096 bytes"));
  g_assert_cmpstr (_hm_page_get_hint (page), !=, "Saved.");
  g_assert_true (hm_document_get_has_pending (doc));
  gtk_dialog_response (GTK_DIALOG (dialog), HM_FAULT_RESPONSE_KEEP_PENDING);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  g_assert_true (hm_document_get_has_pending (doc));
  g_assert_cmpstr (_hm_page_get_hint (page), !=, "Saved.");
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 4096);

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
}

static void
replace_cb (HmDocument *doc,
            const char *point,
            gpointer    data)
{
  if (g_strcmp0 (point, "before-verify") == 0)
    g_assert_cmpint (g_rename (data, hm_document_get_path (doc)), ==, 0);
}

/* mv other F while F is being saved */
static void
test_replaced (void)
{
  g_autofree char *path = hm_test_write_random ("replaced.bin", 256 * 1024, 4, NULL);
  g_autofree char *other = hm_test_write_random ("other.bin", 256 * 1024, 5, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  HmWindow *window = new_window ();
  HmPage *page = hm_window_open_file (window, file, HM_DOCUMENT_MODE_PREVIEW, &error);
  HmDocument *doc = hm_page_get_document (page);
  GtkMessageDialog *dialog;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, 100, "edit", 4, HM_EDIT_NONE, &error));
  _hm_save_test_hook = replace_cb;
  _hm_save_test_hook_data = other;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.save", NULL));
  dialog = hm_ui_test_wait_for_message_dialog ();
  _hm_save_test_hook = NULL;
  text = hm_ui_test_dialog_text (dialog);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "during the save"));
  g_assert_nonnull (strstr (text, "still pending"));
  g_assert_cmpstr (_hm_page_get_hint (page), !=, "Saved.");
  g_assert_true (hm_document_get_has_pending (doc));
  gtk_dialog_response (GTK_DIALOG (dialog), HM_FAULT_RESPONSE_KEEP_PENDING);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  g_assert_true (hm_document_get_has_pending (doc));
  close_window (window);
  g_unlink (path);
}

static gboolean
run_tests_cb (gpointer data)
{
  test_status = g_test_run ();
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
startup_cb (GApplication *application)
{
  g_application_hold (application);
  g_idle_add (run_tests_cb, NULL);
}

int
main (int   argc,
      char *argv[])
{
  char *app_argv[2] = { (char *) "hexmap", NULL };

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    hm_test_skip_all (argc, argv, "no display (run under xvfb-run)");
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    hm_test_skip_all (argc, argv, "no session bus (run under dbus-run-session)");

  g_setenv ("XDG_DATA_HOME", hm_test_tmpdir (), TRUE);
  gtk_test_init (&argc, &argv, NULL);
  g_set_application_name ("Hexmap");

  g_test_add_func ("/hm/honest-save/direct-truncated", test_direct_truncated);
  g_test_add_func ("/hm/honest-save/replaced", test_replaced);

  app = hm_application_new ();
  g_application_set_application_id (G_APPLICATION (app), "org.hexmap.Hexmap.HonestSaveTest");
  g_signal_connect (app, "startup", G_CALLBACK (startup_cb), NULL);
  g_application_run (G_APPLICATION (app), 1, app_argv);

  g_clear_object (&app);
  hm_test_cleanup ();
  return test_status;
}
