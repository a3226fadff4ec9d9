/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Drafts in the window (ui/hm-draft-prompt.c): a file opened with unsaved edits
 * left by a crash gets the prompt (Restore by default, or Discard; a changed
 * file is said to be changed), and the empty state lists the drafts of files
 * not reopened, each row opening its file with the edits restored. The drafts
 * are made as a crash leaves them: a document keeping drafts, finalized with
 * edits pending.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "hm-application.h"
#include "hm-draft-prompt-private.h"
#include "hm-drafts.h"
#include "hm-test-util.h"
#include "hm-ui-test-util.h"
#include "hm-window-private.h"

#define FILE_SIZE 0x8000

static HmApplication *app;
static int test_status = 1;

/* A file and a draft of it: "EDIT" written at 0x100, "INS" inserted at 0 */
static char *
make_file_with_draft (const char *name)
{
  char *path = hm_test_write_random (name, FILE_SIZE, 9, NULL);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_keep_drafts (doc, &error));
  g_assert_true (hm_document_write (doc, 0x100, "EDIT", 4, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_insert (doc, 0, "INS", 3, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  g_clear_object (&doc);
  g_assert_nonnull (hm_drafts_lookup (path));
  return path;
}

static void
assert_restored (HmDocument *doc)
{
  g_autoptr(GError) error = NULL;
  char buffer[4];

  g_assert_true (hm_document_get_has_structural_pending (doc));
  g_assert_cmpuint (hm_document_get_size (doc), ==, FILE_SIZE + 3);
  g_assert_cmpint (hm_document_read (doc, 0, buffer, 3, &error), ==, 3);
  g_assert_cmpmem (buffer, 3, "INS", 3);
  g_assert_cmpint (hm_document_read (doc, 0x103, buffer, 4, &error), ==, 4);
  g_assert_cmpmem (buffer, 4, "EDIT", 4);
  g_assert_cmpint (hm_document_get_mode (doc), ==, HM_DOCUMENT_MODE_PREVIEW);
}

static HmWindow *
new_window (void)
{
  HmWindow *window = hm_window_new (GTK_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
close_window (HmWindow *window)
{
  for (guint i = 0; i < hm_window_get_n_pages (window); i++)
    {
      HmDocument *doc = hm_page_get_document (hm_window_get_page (window, i));

      g_assert_true (hm_document_discard (doc, NULL));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
}

static HmDocument *
open_path (HmWindow   *window,
           const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  HmPage *page = hm_window_open_file (window, file, HM_WINDOW_MODE_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (page);
  return hm_page_get_document (page);
}

static GtkMessageDialog *
wait_for_prompt (const char *name)
{
  GtkMessageDialog *dialog = hm_ui_test_wait_for_message_dialog ();
  g_autofree char *text = hm_ui_test_dialog_text (dialog);
  GtkWidget *default_widget = gtk_window_get_default_widget (GTK_WINDOW (dialog));

  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Restore Unsaved Edits?"));
  g_assert_nonnull (strstr (text, name));
  g_assert_nonnull (strstr (text, "2 edits"));
  /* Enter restores */
  g_assert_true (GTK_IS_BUTTON (default_widget));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (default_widget)), ==, "_Restore");
  return dialog;
}

static void
test_restore (void)
{
  g_autofree char *path = make_file_with_draft ("restore.bin");
  HmWindow *window = new_window ();
  HmDocument *doc = open_path (window, path);
  GtkMessageDialog *dialog = wait_for_prompt ("restore.bin");
  g_autofree char *text = hm_ui_test_dialog_text (dialog);

  g_assert_null (strstr (text, "changed"));
  g_assert_false (hm_document_get_has_structural_pending (doc));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  assert_restored (doc);
  /* The restored edits are the open document's draft now: not offered again */
  g_assert_nonnull (hm_document_get_draft_path (doc));
  g_assert_null (hm_drafts_lookup (path));
  close_window (window);
  g_assert_null (hm_drafts_lookup (path));
  g_unlink (path);
}

static void
test_discard (void)
{
  g_autofree char *path = make_file_with_draft ("discard.bin");
  HmWindow *window = new_window ();
  HmDocument *doc = open_path (window, path);
  GtkMessageDialog *dialog = wait_for_prompt ("discard.bin");
  g_autoptr(GPtrArray) list = NULL;

  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_REJECT);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  g_assert_false (hm_document_get_has_pending (doc));
  g_assert_false (hm_document_get_has_structural_pending (doc));
  g_assert_null (hm_drafts_lookup (path));
  list = hm_drafts_list ();
  g_assert_cmpuint (list->len, ==, 0);
  close_window (window);
  g_unlink (path);
}

static void
test_changed (void)
{
  g_autofree char *path = make_file_with_draft ("changed.bin");
  HmWindow *window = NULL;
  HmDocument *doc;
  GtkMessageDialog *dialog;
  g_autofree char *text = NULL;

  /* Another program changes the file (same size, new time) */
  hm_test_pwrite (path, 0x4000, "other", 5);
  window = new_window ();
  doc = open_path (window, path);
  dialog = wait_for_prompt ("changed.bin");
  text = hm_ui_test_dialog_text (dialog);
  g_assert_nonnull (strstr (text, "changed on disk"));
  g_assert_nonnull (strstr (text, "preview"));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  assert_restored (doc);
  close_window (window);
  g_unlink (path);
}

static gboolean
list_shown (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static void
test_empty_state (void)
{
  g_autofree char *first = make_file_with_draft ("first.bin");
  g_autofree char *second = make_file_with_draft ("second.bin");
  HmWindow *window = new_window ();
  GtkWidget *list = _hm_window_get_drafts_list (window);
  GtkListBox *rows = _hm_draft_list_get_rows (list);
  GtkListBoxRow *row = NULL;
  g_autoptr(HmDraftInfo) info = NULL;
  HmDocument *doc;

  /* Both listed, on the empty state (once the first frame is shown) */
  g_assert_cmpuint (hm_window_get_n_pages (window), ==, 0);
  g_assert_true (hm_ui_test_wait_for (list_shown, list, HM_UI_TEST_WAIT_MS));
  g_assert_nonnull (gtk_list_box_get_row_at_index (rows, 1));
  g_assert_null (gtk_list_box_get_row_at_index (rows, 2));
  for (int i = 0; i < 2; i++)
    {
      GtkListBoxRow *candidate = gtk_list_box_get_row_at_index (rows, i);
      const char *row_path = g_object_get_data (G_OBJECT (candidate), "hm-draft-path");

      g_assert_true (g_str_has_suffix (row_path, "first.bin") || g_str_has_suffix (row_path, "second.bin"));
      if (g_str_has_suffix (row_path, "second.bin"))
        row = candidate;
    }

  /* A row opens its file with the edits restored, without asking */
  g_signal_emit_by_name (rows, "row-activated", row);
  g_assert_cmpuint (hm_window_get_n_pages (window), ==, 1);
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
  doc = hm_page_get_document (hm_window_get_current_page (window));
  g_assert_true (g_str_has_suffix (hm_document_get_path (doc), "second.bin"));
  assert_restored (doc);
  close_window (window);

  /* The other one can be thrown away from the list */
  window = new_window ();
  list = _hm_window_get_drafts_list (window);
  rows = _hm_draft_list_get_rows (list);
  g_assert_true (hm_ui_test_wait_for (list_shown, list, HM_UI_TEST_WAIT_MS));
  g_assert_nonnull (gtk_list_box_get_row_at_index (rows, 0));
  g_assert_null (gtk_list_box_get_row_at_index (rows, 1));
  info = hm_drafts_lookup (first);
  g_assert_true (hm_drafts_remove (info, NULL));
  _hm_draft_list_update (list);
  g_assert_false (gtk_widget_get_visible (list));
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (first);
  g_unlink (second);
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

  g_test_add_func ("/hm/draft-prompt/restore", test_restore);
  g_test_add_func ("/hm/draft-prompt/discard", test_discard);
  g_test_add_func ("/hm/draft-prompt/changed", test_changed);
  g_test_add_func ("/hm/draft-prompt/empty-state", test_empty_state);

  app = hm_application_new ();
  g_application_set_application_id (G_APPLICATION (app), "org.hexmap.Hexmap.DraftTest");
  g_signal_connect (app, "startup", G_CALLBACK (startup_cb), NULL);
  g_application_run (G_APPLICATION (app), 1, app_argv);

  g_clear_object (&app);
  hm_test_cleanup ();
  return test_status;
}
