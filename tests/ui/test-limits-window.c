/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The application at the machine's limits:
 *   - started with 150 files under a low RLIMIT_NOFILE (this test process is the
 *     child whose limit is lowered): it opens what the descriptor budget allows,
 *     shows one "Too many files are open" message, and once pages are closed
 *     opens files again;
 *   - as root, a mounted ext4 on a loop device opens read-only, and the mode
 *     button's reason says it is mounted.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hm-application.h"
#include "hm-fd-budget.h"
#include "hm-page.h"
#include "hm-test-util.h"
#include "hm-ui-test-util.h"
#include "hm-window-private.h"

#define N_FILES 150
#define MIB (G_GUINT64_CONSTANT (1) << 20)

static HmApplication *app;
static int test_status = 1;
static char *paths[N_FILES];
static rlim_t saved_limit;

static HmWindow *
get_window (void)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (HM_IS_WINDOW (window));
  return HM_WINDOW (window);
}

static void
set_fd_limit (rlim_t limit)
{
  struct rlimit rl;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &rl), ==, 0);
  rl.rlim_cur = limit;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &rl), ==, 0);
}

/* ---- Descriptors ---- */

static void
test_too_many_files (void)
{
  HmWindow *window = get_window ();
  GList *dialogs = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GFile) again = NULL;
  g_autoptr(GError) error = NULL;
  guint opened = hm_window_get_n_pages (window);

  g_test_message ("%u of %u files opened", opened, N_FILES);
  g_assert_cmpuint (opened, >, 0);
  g_assert_cmpuint (opened, <, N_FILES);

  /* One message for the whole command line, saying why. */
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 1);
  dialogs = hm_ui_test_list_message_dialogs ();
  text = hm_ui_test_dialog_text (dialogs->data);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Too many files are open"));
  gtk_window_destroy (dialogs->data);
  g_list_free (dialogs);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));

  /* The reserve is really free while the window draws. */
  g_assert_cmpuint (hm_fd_budget_count_open () + HM_FD_RESERVE, <=, hm_fd_budget_get_limit ());
  hm_ui_test_spin (100);

  /* The next file is refused too; after closing pages, it opens. */
  again = g_file_new_for_path (paths[N_FILES - 1]);
  g_assert_null (hm_window_open_file (window, again, HM_WINDOW_MODE_DEFAULT, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES);
  g_clear_error (&error);
  for (guint i = 0; i < 4; i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "page.close", NULL));
  g_assert_cmpuint (hm_window_get_n_pages (window), ==, opened - 4);
  g_assert_nonnull (hm_window_open_file (window, again, HM_WINDOW_MODE_DEFAULT, &error));
  g_assert_no_error (error);

  /* Leave room for the tests after this one. */
  while (hm_window_get_n_pages (window) > 1)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "page.close", NULL));
  set_fd_limit (saved_limit);
}

/* ---- A mounted block device ---- */

static void
test_mounted_device (void)
{
  g_autofree char *image = hm_test_path ("ext4.img");
  g_autofree char *mnt = hm_test_path ("mnt");
  g_autofree char *cmd = NULL;
  g_autofree char *device = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  HmWindow *window = get_window ();
  HmPage *page;
  int fd;

  if (!hm_test_is_root ())
    {
      g_test_skip ("needs root (loop devices, mounts)");
      return;
    }
  fd = open (image, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_no_errno (ftruncate (fd, (off_t) (32 * MIB)));
  close (fd);
  cmd = g_strdup_printf ("sh -c 'PATH=$PATH:/sbin:/usr/sbin mkfs.ext4 -q -F %s'", image);
  out = hm_test_run (cmd);
  g_free (cmd);
  cmd = g_strdup_printf ("losetup -f --show %s", image);
  device = out != NULL ? hm_test_run (cmd) : NULL;
  if (device == NULL || *device == '\0')
    {
      g_unlink (image);
      g_test_skip ("could not make ext4 on a loop device here");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (mnt, 0700), ==, 0);
  g_free (cmd);
  cmd = g_strdup_printf ("mount -t ext4 %s %s", device, mnt);
  g_free (out);
  out = hm_test_run (cmd);
  g_assert_nonnull (out);

  file = g_file_new_for_path (device);
  page = hm_window_open_file (window, file, HM_WINDOW_MODE_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_nonnull (page);
  g_assert_cmpint (hm_document_get_mode (hm_page_get_document (page)), ==, HM_DOCUMENT_MODE_READ_ONLY);
  g_test_message ("%s", _hm_window_get_mode_reason (window));
  g_assert_nonnull (strstr (_hm_window_get_mode_reason (window), "mounted"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "page.close", NULL));

  g_free (cmd);
  cmd = g_strdup_printf ("umount %s", mnt);
  g_free (out);
  out = hm_test_run (cmd);
  g_free (cmd);
  cmd = g_strdup_printf ("losetup -d %s", device);
  g_free (out);
  out = hm_test_run (cmd);
  g_rmdir (mnt);
  g_unlink (image);
}

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
  char *app_argv[N_FILES + 2];
  struct rlimit rl;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    hm_test_skip_all (argc, argv, "no display (run under xvfb-run)");
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    hm_test_skip_all (argc, argv, "no session bus (run under dbus-run-session)");

  g_setenv ("XDG_DATA_HOME", hm_test_tmpdir (), TRUE);
  gtk_test_init (&argc, &argv, NULL);
  g_set_application_name ("Hexmap");

  for (guint i = 0; i < N_FILES; i++)
    {
      g_autofree char *name = g_strdup_printf ("file-%03u.bin", i);

      paths[i] = hm_test_write_random (name, 4096, i, NULL);
    }

  g_test_add_func ("/hm/limits-window/too-many-files", test_too_many_files);
  g_test_add_func ("/hm/limits-window/mounted-device", test_mounted_device);

  /* Room for what GTK opens as the window comes up, the reserve, and about
   * 40 documents: far fewer than the files on the command line. */
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &rl), ==, 0);
  saved_limit = rl.rlim_cur;
  set_fd_limit (hm_fd_budget_count_open () + 32 + HM_FD_RESERVE + 40);

  app = hm_application_new ();
  /* Not the real id: a running Hexmap must not receive the test's command line. */
  g_application_set_application_id (G_APPLICATION (app), "org.hexmap.Hexmap.LimitsTest");
  g_signal_connect (app, "startup", G_CALLBACK (startup_cb), NULL);

  app_argv[0] = (char *) "hexmap";
  for (guint i = 0; i < N_FILES; i++)
    app_argv[i + 1] = paths[i];
  app_argv[N_FILES + 1] = NULL;
  g_application_run (G_APPLICATION (app), N_FILES + 1, app_argv);

  g_clear_object (&app);
  for (guint i = 0; i < N_FILES; i++)
    g_free (paths[i]);
  hm_test_cleanup ();
  return test_status;
}
