/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hm-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir;

/* Every test program gets a state directory of its own (save journals and
 * drafts live there, keyed by device and inode): test programs run side by
 * side, kill tests leave journals of files that are then deleted, and a new
 * file can get a deleted file's inode number, so a shared directory made one
 * program see another's interrupted save. Set before main(), so the first
 * g_get_user_state_dir() sees it; child processes (hexmap-cli) inherit it. */
__attribute__((constructor)) static void
private_state_dir (void)
{
  const char *base = g_getenv ("XDG_STATE_HOME");
  g_autofree char *dir = NULL;

  if (base == NULL || g_getenv ("HM_TEST_STATE_SHARED") != NULL)
    return;
  dir = g_strdup_printf ("%s/test-%d", base, (int) getpid ());
  g_setenv ("XDG_STATE_HOME", dir, TRUE);
  /* Children share their parent's directory. */
  g_setenv ("HM_TEST_STATE_SHARED", "1", TRUE);
}

const char *
hm_test_tmpdir (void)
{
  if (tmpdir == NULL)
    {
      g_autoptr(GError) error = NULL;

      /* /var/tmp is on disk (ext4 here): holes behave as they do for users. */
      tmpdir = g_dir_make_tmp ("hexmap-test-XXXXXX", &error);
      g_assert_no_error (error);
    }
  return tmpdir;
}

char *
hm_test_path (const char *name)
{
  return g_build_filename (hm_test_tmpdir (), name, NULL);
}

char *
hm_test_write_random (const char *name,
                      gsize       size,
                      guint32     seed,
                      guint8    **contents)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint8 *bytes = g_malloc (MAX (size, 1));
  g_autoptr(GError) error = NULL;
  char *path = hm_test_path (name);

  for (gsize i = 0; i < size; i++)
    bytes[i] = (guint8) g_rand_int (rand);
  g_file_set_contents (path, (const char *) bytes, (gssize) size, &error);
  g_assert_no_error (error);
  if (contents != NULL)
    *contents = g_steal_pointer (&bytes);
  return path;
}

char *
hm_test_make_sparse (const char *name,
                     guint64     size)
{
  char *path = hm_test_path (name);
  int fd = open (path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) size), ==, 0);
  close (fd);
  return path;
}

void
hm_test_pwrite (const char *path,
                guint64     offset,
                const void *data,
                gsize       length)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, data, length, (off_t) offset), ==, (gssize) length);
  close (fd);
}

void
hm_test_truncate (const char *path,
                  guint64     size)
{
  g_assert_cmpint (truncate (path, (off_t) size), ==, 0);
}

guint64
hm_test_allocated_bytes (const char *path)
{
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return (guint64) st.st_blocks * 512;
}

guint
hm_test_count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

guint
hm_test_count_mappings (void)
{
  g_autofree char *maps = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  for (const char *p = maps; *p; p++)
    n += *p == '\n';
  return n;
}

gsize
hm_test_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return (gsize) g_ascii_strtoull (line + 6, NULL, 10);
}

gboolean
hm_test_is_root (void)
{
  return geteuid () == 0;
}

/* Runs a shell-free command line (losetup, mkfs, mount…) and returns its
 * standard output, stripped; NULL, with a test message saying why, when it
 * could not run or exited with a failure. */
char *
hm_test_run (const char *command_line)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_command_line_sync (command_line, &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("%s failed: %s %s", command_line, error ? error->message : "", err ? err : "");
      return NULL;
    }
  return g_strstrip (g_steal_pointer (&out));
}

/* Ends the whole test binary as skipped. Call it before g_test_init() (which
 * consumes --tap): meson 1.0 reports a TAP test that exits 77 as an ERROR, and
 * an empty plan "1..0 # SKIP" with status 0 as a SKIP. */
void
hm_test_skip_all (int         argc,
                  char      **argv,
                  const char *reason)
{
  gboolean tap = FALSE;

  for (int i = 1; i < argc; i++)
    tap |= g_strcmp0 (argv[i], "--tap") == 0;

  if (tap)
    g_print ("1..0 # SKIP %s\n", reason);
  else
    g_printerr ("SKIP: %s\n", reason);
  exit (tap ? 0 : 77);
}

void
hm_test_cleanup (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (tmpdir == NULL)
    return;
  dir = g_dir_open (tmpdir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}
