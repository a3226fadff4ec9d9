/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `hexmap-cli patch` against the limits of the machine:
 *   - a mounted block device (root: ext4 on a loop device) is refused with
 *     status 2 and not written; unmounted, the same patch goes through;
 *   - under `ulimit -v`, a large fill and a large insert either work or exit
 *     with status 2 and a message, never on a signal (in preview a fill is a
 *     pattern and works);
 *   - --mtime out of the range filesystems store is refused.
 * Usage: test-cli-resources [--tap] PATH-TO-hexmap-cli (or $HEXMAP_CLI).
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hm-document.h"
#include "hm-test-util.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)

static const char *cli_path;

/* Runs @argv; its wait status, stderr in @err. */
static int
run (const char * const *argv,
     char              **err)
{
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, err, &wait_status, &error);
  g_assert_no_error (error);
  return wait_status;
}

static void
read_at (const char *path,
         guint64     offset,
         guint8     *buffer,
         gsize       length)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pread (fd, buffer, length, (off_t) offset), ==, (gssize) length);
  close (fd);
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
  g_autofree char *err = NULL;
  guint8 magic[2];
  guint8 after[2];
  int fd;
  int status;

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
  if (out == NULL)
    {
      g_test_skip ("mkfs.ext4 is not available here");
      g_unlink (image);
      return;
    }
  g_free (cmd);
  cmd = g_strdup_printf ("losetup -f --show %s", image);
  device = hm_test_run (cmd);
  if (device == NULL || *device == '\0')
    {
      g_test_skip ("losetup could not attach a loop device here");
      g_unlink (image);
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (mnt, 0700), ==, 0);
  g_free (cmd);
  cmd = g_strdup_printf ("mount -t ext4 %s %s", device, mnt);
  g_free (out);
  out = hm_test_run (cmd);
  if (out == NULL)
    {
      g_free (cmd);
      cmd = g_strdup_printf ("losetup -d %s", device);
      g_free (hm_test_run (cmd));
      g_rmdir (mnt);
      g_unlink (image);
      g_test_skip ("could not mount ext4 here");
      return;
    }

  /* The superblock magic, 0xEF53 little-endian at 0x438. */
  read_at (device, 0x438, magic, 2);
  g_assert_cmpmem (magic, 2, "\x53\xef", 2);

  /* Mounted: refused with a reason, in both modes, and nothing written. */
  for (guint direct = 0; direct < 2; direct++)
    {
      const char *argv[] = { cli_path, "patch", device, "-s", "0x438", "-x", "0000",
                             "--mode", direct ? "direct" : "preview", NULL };

      g_clear_pointer (&err, g_free);
      status = run (argv, &err);
      g_test_message ("mounted, %s: %s", direct ? "direct" : "preview", err);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 2);
      g_assert_nonnull (strstr (err, "mounted"));
      read_at (device, 0x438, after, 2);
      g_assert_cmpmem (after, 2, magic, 2);
    }

  /* What the window asks: a device in use, read-only by default, not writable. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HmDocument) doc = hm_document_new_full (device, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);

    g_assert_no_error (error);
    g_assert_true (hm_document_get_device_in_use (doc));
    g_assert_false (hm_document_get_can_write (doc));
    g_assert_cmpint (hm_document_get_default_mode (doc), ==, HM_DOCUMENT_MODE_READ_ONLY);
    g_assert_false (hm_document_set_mode (doc, HM_DOCUMENT_MODE_PREVIEW, &error));
    g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_READ_ONLY);
  }

  g_free (cmd);
  cmd = g_strdup_printf ("umount %s", mnt);
  g_free (out);
  out = hm_test_run (cmd);
  g_assert_nonnull (out);

  /* Unmounted: the same patch goes through. */
  {
    const char *argv[] = { cli_path, "patch", device, "-s", "0x438", "-x", "1234", NULL };

    g_clear_pointer (&err, g_free);
    status = run (argv, &err);
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    read_at (device, 0x438, after, 2);
    g_assert_cmpmem (after, 2, "\x12\x34", 2);
  }
  {
    const char *argv[] = { cli_path, "patch", device, "-s", "0x438", "-x", "53ef", NULL };

    g_clear_pointer (&err, g_free);
    status = run (argv, &err);
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  }

  /* Opened while unmounted, mounted before the save: the writable descriptor
   * is O_EXCL, so the save is refused and the filesystem left alone. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HmDocument) doc = hm_document_new_full (device, HM_DOCUMENT_MODE_PREVIEW, 0, &error);

    g_assert_no_error (error);
    g_assert_false (hm_document_get_device_in_use (doc));
    /* The first 1024 bytes of an ext4 are not the filesystem's. */
    read_at (device, 0x10, magic, 2);
    g_assert_true (hm_document_write (doc, 0x10, "\xaa\x55", 2, HM_EDIT_NONE, &error));
    g_assert_no_error (error);
    g_free (cmd);
    cmd = g_strdup_printf ("mount -t ext4 %s %s", device, mnt);
    g_free (out);
    out = hm_test_run (cmd);
    g_assert_nonnull (out);
      {
        g_assert_false (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
        g_test_message ("mounted after open: %s", error->message);
        g_assert_nonnull (strstr (error->message, "mounted"));
        read_at (device, 0x10, after, 2);
        g_assert_cmpmem (after, 2, magic, 2);
        g_free (cmd);
        cmd = g_strdup_printf ("umount %s", mnt);
        g_free (out);
        out = hm_test_run (cmd);
        g_assert_nonnull (out);
      }
  }

  g_free (cmd);
  cmd = g_strdup_printf ("losetup -d %s", device);
  g_free (hm_test_run (cmd));
  g_rmdir (mnt);
  g_unlink (image);
}

/* ---- Memory ---- */

/* Runs patch under `ulimit -v KIB`: it must end with a status, not a signal. */
static int
patch_limited (guint        kib,
               const char  *path,
               const char  *what,
               char       **err)
{
  g_autofree char *script = g_strdup_printf ("ulimit -v %u && exec \"$0\" patch \"$1\" %s", kib, what);
  const char *argv[] = { "/bin/sh", "-c", script, cli_path, path, NULL };
  int status = run (argv, err);

  g_test_message ("ulimit -v %u; patch %s: %s", kib, what,
                  WIFSIGNALED (status) ? g_strsignal (WTERMSIG (status)) : *err);
  g_assert_false (WIFSIGNALED (status));
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_memory_limit (void)
{
  g_autofree char *path = NULL;
  static const char *fills[] = { "-s 0 -f ab -n 64M", "-s 0 -f abcd -n 256M", "-s 0 -f ab -n 1G",
                                 "-s 0 -f ab -n 2G" };
  guint refused = 0;

#ifdef __SANITIZE_ADDRESS__
  /* ASan reserves terabytes of shadow memory and aborts when malloc fails. */
  g_test_skip ("an address-space limit cannot work under AddressSanitizer");
  return;
#endif
  path = hm_test_make_sparse ("mem.bin", 2048 * MIB);

  /* Direct mode keeps the old bytes for undo: the large fills cannot fit. */
  for (guint i = 0; i < G_N_ELEMENTS (fills); i++)
    {
      g_autofree char *what = g_strdup_printf ("--mode direct %s", fills[i]);
      g_autofree char *err = NULL;
      int status = patch_limited (512 * 1024, path, what, &err);

      g_assert_cmpint (status, !=, 1);
      if (status == 2)
        {
          refused++;
          g_assert_nonnull (strstr (err, "memory"));
        }
    }
  g_assert_cmpuint (refused, >=, 2);
  g_unlink (path);

  /* Preview: a fill is a pattern; 128 MiB under 256 MiB of address space. */
  {
    g_autofree char *small = hm_test_make_sparse ("fill.bin", 256 * MIB);
    g_autofree char *err = NULL;
    guint8 bytes[4];

    g_assert_cmpint (patch_limited (256 * 1024, small, "-s 4096 -f abcd -n 128M", &err), ==, 0);
    read_at (small, 4096 + 128 * MIB - 4, bytes, 4);
    g_assert_cmpmem (bytes, 4, "\xab\xcd\xab\xcd", 4);
    read_at (small, 4096 + 128 * MIB, bytes, 4);
    g_assert_cmpmem (bytes, 4, "\0\0\0\0", 4);
    g_unlink (small);
  }

  /* An insert of a pattern is a pattern, whatever its length. */
  {
    g_autofree char *small = hm_test_write_random ("ins.bin", 4096, 1, NULL);
    g_autofree char *err = NULL;
    struct stat st;

    g_assert_cmpint (patch_limited (256 * 1024, small, "--insert -s 100 -f ab -n 64M", &err), ==, 0);
    g_assert_cmpint (stat (small, &st), ==, 0);
    g_assert_cmpuint (st.st_size, ==, 4096 + 64 * MIB);
    g_unlink (small);
  }
}

/* ---- Time stamps ---- */

static void
test_mtime_range (void)
{
  g_autofree char *path = hm_test_write_random ("mtime.bin", 4096, 2, NULL);
  static const char *bad[] = { "@-99999999999999999999", "@99999999999999999999",
                               "@-2147483649", "@15032385536" };
  struct stat before;
  struct stat after;

  g_assert_cmpint (stat (path, &before), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *argv[] = { cli_path, "patch", path, "-s", "0", "-x", "00", "--mtime", bad[i], NULL };
      g_autofree char *err = NULL;
      int status = run (argv, &err);

      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 2);
      g_assert_nonnull (strstr (err, "out of range"));
      g_assert_cmpint (stat (path, &after), ==, 0);
      g_assert_cmpint (after.st_mtim.tv_sec, ==, before.st_mtim.tv_sec);
      g_assert_cmpint (after.st_mtim.tv_nsec, ==, before.st_mtim.tv_nsec);
    }

  /* The ends of the range are kept exactly. */
  {
    const char *argv[] = { cli_path, "patch", path, "-s", "0", "-x", "00", "--mtime", "@-2147483648", NULL };
    g_autofree char *err = NULL;
    int status = run (argv, &err);

    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    g_assert_cmpint (stat (path, &after), ==, 0);
    g_assert_cmpint (after.st_mtim.tv_sec, ==, G_GINT64_CONSTANT (-2147483648));
  }
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  cli_path = argc > 1 ? argv[1] : g_getenv ("HEXMAP_CLI");
  if (cli_path == NULL)
    g_error ("usage: %s [--tap] PATH-TO-hexmap-cli (or set HEXMAP_CLI)", argv[0]);

  g_test_add_func ("/hm/cli/resources/mounted-device", test_mounted_device);
  g_test_add_func ("/hm/cli/resources/memory", test_memory_limit);
  g_test_add_func ("/hm/cli/resources/mtime-range", test_mtime_range);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}
