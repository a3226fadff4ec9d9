/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The close sequence a user reported warnings for, driven through the real
 * application: type a byte, close the file (Ctrl+W), cancel the question with
 * Escape, quit (Ctrl+Q) and answer Discard. Every GLib WARNING or CRITICAL
 * printed on the way fails the test: a log writer counts them (instead of
 * aborting at the first, so the test says how many and which).
 */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "hm-application.h"
#include "hm-hex-view-private.h"
#include "hm-page-private.h"
#include "hm-test-util.h"
#include "hm-ui-test-util.h"
#include "hm-window-private.h"

#define FILE_SIZE 0x4000

static HmApplication *app;
static char *data_path;
static guint n_bad_messages;
static GString *bad_messages;

static GLogWriterOutput
count_writer (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    {
      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "MESSAGE"))
          {
            g_string_append_printf (bad_messages, "  %s\n", (const char *) fields[i].value);
            break;
          }
      n_bad_messages++;
    }
  /* Warnings and criticals go to stderr: stdout stays TAP. */
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static HmWindow *
get_window (void)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (HM_IS_WINDOW (window));
  return HM_WINDOW (window);
}

static gboolean
has_page (gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  return window != NULL && hm_window_get_current_page (HM_WINDOW (window)) != NULL;
}

static gboolean
no_windows (gpointer data)
{
  return gtk_application_get_windows (GTK_APPLICATION (app)) == NULL;
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Runs inside the application's main loop, as the user would act. */
static gboolean
drive_cb (gpointer data)
{
  HmPage *page;
  HmHexView *view;
  GtkMessageDialog *dialog;
  HmDocument *document;

  g_assert_true (hm_ui_test_wait_for (has_page, NULL, HM_UI_TEST_WAIT_MS));
  page = hm_window_get_current_page (get_window ());
  view = hm_page_get_view (page);
  document = hm_page_get_document (page);
  g_object_add_weak_pointer (G_OBJECT (document), (gpointer *) &document);
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);

  /* Preview, then type 00 in the hex column. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "page.mode", "s", "preview"));
  hm_ui_test_spin (20);
  g_assert_cmpint (hm_document_get_mode (document), ==, HM_DOCUMENT_MODE_PREVIEW);
  gtk_widget_grab_focus (GTK_WIDGET (view));
  hm_hex_view_set_cursor_offset (view, 0);
  hm_hex_view_set_pane (view, HM_HEX_PANE_HEX);
  g_assert_true (_hm_hex_view_key_press (view, GDK_KEY_0, 0));
  g_assert_true (_hm_hex_view_key_press (view, GDK_KEY_0, 0));
  g_assert_true (hm_document_get_has_pending (document));
  hm_ui_test_spin (20);

  /* Ctrl+W, then Escape: the dialog's "close" keybinding. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "page.close", NULL));
  dialog = hm_ui_test_wait_for_message_dialog ();
  g_signal_emit_by_name (dialog, "close");
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  hm_ui_test_spin (20);
  g_assert_nonnull (page);

  /* Ctrl+Q, then Discard. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  dialog = hm_ui_test_wait_for_message_dialog ();
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_REJECT);
  g_assert_true (hm_ui_test_wait_for (no_windows, NULL, HM_UI_TEST_WAIT_MS));
  hm_ui_test_spin (50);
  g_assert_true (hm_ui_test_wait_for (pointer_cleared, &page, HM_UI_TEST_WAIT_MS));
  g_assert_true (hm_ui_test_wait_for (pointer_cleared, &document, HM_UI_TEST_WAIT_MS));
  return G_SOURCE_REMOVE;
}

static void
startup_cb (GApplication *application)
{
  g_idle_add (drive_cb, NULL);
}

static void
test_ctrl_w_escape_quit_discard (void)
{
  char *app_argv[3];

  n_bad_messages = 0;
  g_string_truncate (bad_messages, 0);

  app = hm_application_new ();
  g_application_set_application_id (G_APPLICATION (app), "org.hexmap.Hexmap.TestClose");
  g_signal_connect (app, "startup", G_CALLBACK (startup_cb), NULL);
  app_argv[0] = (char *) "hexmap";
  app_argv[1] = data_path;
  app_argv[2] = NULL;
  g_application_run (G_APPLICATION (app), 2, app_argv);
  g_assert_finalize_object (app);
  app = NULL;
  hm_ui_test_spin (20);

  if (n_bad_messages > 0)
    g_test_message ("warnings and criticals:\n%s", bad_messages->str);
  g_assert_cmpuint (n_bad_messages, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    hm_test_skip_all (argc, argv, "no display (run under xvfb-run)");
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    hm_test_skip_all (argc, argv, "no session bus (run under dbus-run-session)");

  g_setenv ("XDG_DATA_HOME", hm_test_tmpdir (), TRUE);
  gtk_test_init (&argc, &argv, NULL);
  g_set_application_name ("Hexmap");
  /* Count warnings and criticals instead of aborting at the first. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_writer_func (count_writer, NULL, NULL);
  bad_messages = g_string_new (NULL);

  data_path = hm_test_write_random ("data.bin", FILE_SIZE, 15, NULL);
  g_test_add_func ("/hm/close-sequence/ctrl-w-escape-quit-discard", test_ctrl_w_escape_quit_discard);
  status = g_test_run ();

  g_string_free (bad_messages, TRUE);
  g_free (data_path);
  hm_test_cleanup ();
  return status;
}
