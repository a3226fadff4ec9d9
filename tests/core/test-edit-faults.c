/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The editing engine when the storage says no (root-only tier): a commit into
 * holes on a full tmpfs, and write errors that a FUSE filesystem reports only at
 * msync(). Needs root (mount) and, for the FUSE part, /dev/fuse and hm-faultfs;
 * skips (exit 77, or an empty TAP plan under --tap) otherwise.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm-document.h"
#include "hm-fault.h"
#include "hm-faultfs-harness.h"
#include "hm-test-util.h"

#define KIB 1024

static void
read_file (const char *path,
           guint64     offset,
           guint8     *buffer,
           gsize       length)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pread (fd, buffer, length, (off_t) offset), ==, (gssize) length);
  close (fd);
}

/* Fills the filesystem of @dir until it is full; returns the filler's path. */
static char *
fill_up (const char *dir)
{
  char *filler = g_build_filename (dir, "filler", NULL);
  int fd = open (filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  guint8 block[4 * KIB];

  g_assert_cmpint (fd, >=, 0);
  memset (block, 0xee, sizeof block);
  while (write (fd, block, sizeof block) > 0)
    ;
  g_assert_cmpint (errno, ==, ENOSPC);
  close (fd);
  return filler;
}

static void
test_full_tmpfs (void)
{
  g_autofree char *mnt = hm_test_path ("tmpfs");
  g_autofree char *path = NULL;
  g_autofree char *filler = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 edit[3] = { 0xde, 0xad, 0x42 };
  guint8 seen[3];
  int fd;

  g_assert_cmpint (g_mkdir (mnt, 0700), ==, 0);
  if (mount ("tmpfs", mnt, "tmpfs", 0, "size=1M") != 0)
    {
      g_test_skip_printf ("cannot mount a tmpfs: %s", g_strerror (errno));
      g_rmdir (mnt);
      return;
    }

  /* 512 KiB, all hole but a little data at the start. */
  path = g_build_filename (mnt, "sparse", NULL);
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 512 * KIB), ==, 0);
  g_assert_cmpint (pwrite (fd, "data", 4, 0), ==, 4);
  close (fd);

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 64 * KIB, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, 200 * KIB, edit, 3, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_write (doc, 400 * KIB + 4094, edit, 3, HM_EDIT_NONE, &error));
  g_assert_no_error (error);

  filler = fill_up (mnt);

  /* Preview edits into holes keep working on a full tmpfs: the file is untouched. */
  g_assert_true (hm_document_write (doc, 300 * KIB, edit, 3, HM_EDIT_NONE, &error));
  g_assert_no_error (error);

  /* The commit fails before a byte lands. */
  g_assert_false (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_NO_SPACE);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_true (hm_document_get_has_pending (doc));
  read_file (path, 200 * KIB, seen, 3);
  g_assert_cmpmem (seen, 3, "\0\0\0", 3);
  read_file (path, 400 * KIB + 4094, seen, 3);
  g_assert_cmpmem (seen, 3, "\0\0\0", 3);
  g_assert_cmpint (hm_document_read (doc, 400 * KIB + 4094, seen, 3, &error), ==, 3);
  g_assert_cmpmem (seen, 3, edit, 3);

  /* Moving them into the file (direct mode) fails the same way and stays in preview. */
  g_assert_false (hm_document_set_mode (doc, HM_DOCUMENT_MODE_DIRECT, &error));
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_NO_SPACE);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_cmpint (hm_document_get_mode (doc), ==, HM_DOCUMENT_MODE_PREVIEW);
  read_file (path, 200 * KIB, seen, 3);
  g_assert_cmpmem (seen, 3, "\0\0\0", 3);
  g_assert_cmpint (hm_document_read (doc, 200 * KIB, seen, 3, &error), ==, 3);
  g_assert_cmpmem (seen, 3, edit, 3);

  /* With space again, the same commit goes through. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  g_assert_true (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  read_file (path, 200 * KIB, seen, 3);
  g_assert_cmpmem (seen, 3, edit, 3);
  read_file (path, 300 * KIB, seen, 3);
  g_assert_cmpmem (seen, 3, edit, 3);
  read_file (path, 400 * KIB + 4094, seen, 3);
  g_assert_cmpmem (seen, 3, edit, 3);

  /* Direct mode on a full tmpfs: the edit into a hole fails cleanly. */
  g_assert_true (hm_document_set_mode (doc, HM_DOCUMENT_MODE_DIRECT, &error));
  g_free (filler);
  filler = fill_up (mnt);
  g_assert_false (hm_document_write (doc, 100 * KIB, edit, 3, HM_EDIT_NONE, &error));
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_false (hm_document_get_has_pending (doc));
  g_assert_cmpint (hm_document_read (doc, 100 * KIB, seen, 3, &error), ==, 3);
  g_assert_cmpmem (seen, 3, "\0\0\0", 3);

  g_clear_object (&doc);
  g_unlink (filler);
  g_unlink (path);
  g_assert_cmpint (umount2 (mnt, MNT_DETACH), ==, 0);
  g_rmdir (mnt);
}

static void
check_fuse_error (const char *command)
{
  g_autofree char *reason = NULL;
  g_autofree char *backing = hm_test_path ("faultfs-backing");
  g_autofree char *backing_file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(HmFaultfs) fs = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 edit[4] = { 1, 2, 3, 4 };
  guint8 seen[4];

  if (!hm_faultfs_available (&reason))
    {
      g_test_skip_printf ("no FUSE test filesystem: %s", reason);
      return;
    }

  g_mkdir (backing, 0700);
  backing_file = g_build_filename (backing, "file", NULL);
  g_assert_true (g_file_set_contents (backing_file, "0123456789abcdef0123456789abcdef", 32, &error));
  fs = hm_faultfs_start (backing, &error);
  g_assert_no_error (error);
  path = hm_faultfs_build_path (fs, "file");

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_no_error (error);
  /* A FUSE server may be slow or gone: reads belong on a worker. */
  g_assert_true (hm_document_get_may_stall (doc));
  g_assert_true (hm_document_write (doc, 8, edit, 4, HM_EDIT_NONE, &error));

  g_assert_true (hm_faultfs_control (fs, command, &error));
  g_assert_false (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s: %s", command, error->message);
  g_clear_error (&error);
  g_assert_true (hm_document_get_has_pending (doc));

  /* Retry once the storage is back: the bytes are written again, not assumed. */
  g_assert_true (hm_faultfs_control (fs, "clear", &error));
  g_assert_true (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (hm_document_get_has_pending (doc));
  read_file (backing_file, 8, seen, 4);
  g_assert_cmpmem (seen, 4, edit, 4);

  /* Direct mode: the same, through the pinned windows. */
  g_assert_true (hm_document_set_mode (doc, HM_DOCUMENT_MODE_DIRECT, &error));
  g_assert_true (hm_document_write (doc, 20, edit, 4, HM_EDIT_NONE, &error));
  g_assert_true (hm_faultfs_control (fs, command, &error));
  g_assert_false (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("direct, %s: %s", command, error->message);
  g_clear_error (&error);
  g_assert_true (hm_document_get_has_pending (doc));
  g_assert_true (hm_faultfs_control (fs, "clear", &error));
  g_assert_true (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  read_file (backing_file, 20, seen, 4);
  g_assert_cmpmem (seen, 4, edit, 4);

  g_clear_object (&doc);
  g_clear_pointer (&fs, hm_faultfs_stop);
  g_unlink (backing_file);
  g_rmdir (backing);
}

static void
test_fuse_flush_error (void)
{
  check_fuse_error ("flush-error EIO");
}

static void
test_fuse_write_error (void)
{
  check_fuse_error ("write-error EIO");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!hm_test_is_root ())
    {
      for (int i = 1; i < argc; i++)
        {
          if (strcmp (argv[i], "--tap") == 0)
            {
              printf ("1..0 # SKIP needs root\n");
              return 0;
            }
        }
      return 77;
    }

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/edit-faults/full-tmpfs", test_full_tmpfs);
  g_test_add_func ("/hm/edit-faults/fuse-flush-error", test_fuse_flush_error);
  g_test_add_func ("/hm/edit-faults/fuse-write-error", test_fuse_write_error);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}
