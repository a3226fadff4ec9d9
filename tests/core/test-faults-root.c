/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The root-only tier: a real block device (a loop device), an 8 EiB file on XFS,
 * and the project's FUSE test filesystem failing reads, shrinking a file and
 * disconnecting. Needs root, losetup, mkfs.xfs and /dev/fuse; reported as skipped
 * otherwise. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hm-document.h"
#include "hm-fault.h"
#include "hm-faultfs-harness.h"
#include "hm-pattern.h"
#include "hm-search.h"
#include "hm-test-util.h"

#define MIB (1024 * 1024)

static void
test_block_device (void)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("loop.img", 8 * MIB, 77, &contents);
  g_autofree char *cmd = g_strdup_printf ("losetup -f --show %s", path);
  g_autofree char *device = hm_test_run (cmd);
  g_autofree char *detach = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  guint8 buf[5000];

  if (device == NULL || *device == '\0')
    {
      g_test_skip ("losetup could not attach a loop device here");
      return;
    }
  detach = g_strdup_printf ("losetup -d %s", device);

  doc = hm_document_new (device, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hm_document_get_kind (doc), ==, HM_FILE_KIND_BLOCK_DEVICE);
  g_assert_cmpuint (hm_document_get_size (doc), ==, 8 * MIB);
  /* Block devices open read-only unless the user asks otherwise. */
  g_assert_cmpint (hm_document_get_mode (doc), ==, HM_DOCUMENT_MODE_READ_ONLY);

  for (int i = 0; i < 200; i++)
    {
      guint64 offset = g_rand_int_range (rand, 0, 8 * MIB);
      gsize expected = MIN (sizeof buf, 8 * MIB - offset);

      g_assert_cmpint (hm_document_read (doc, offset, buf, sizeof buf, &error), ==, (gssize) expected);
      g_assert_no_error (error);
      g_assert_cmpmem (buf, expected, contents + offset, expected);
    }

  g_clear_object (&doc);
  g_free (hm_test_run (detach));
}

/* The largest file Linux allows: 2^63 - 1 bytes, sparse, on XFS. mmap cannot reach
 * its last page, so the window cache copies it; every byte must still read. */

#define LARGEST_SIZE ((guint64) G_MAXINT64)
#define LARGEST_ENV  "HM_TEST_LARGEST_FILE"

static const char largest_head[] = "head of 8 EiB";
static const char largest_tail[] = "8 EiB ends here!";  /* the last 16 bytes */
static const char largest_across[] = "across the last page";

static guint64
largest_limit (void)
{
  return LARGEST_SIZE & ~((guint64) sysconf (_SC_PAGESIZE) - 1);
}

static gboolean
collect_match_cb (guint64  offset,
                  gpointer user_data)
{
  g_array_append_val ((GArray *) user_data, offset);
  return TRUE;
}

static void
assert_found_once (HmDocument *doc,
                   const char *text,
                   guint64     expected)
{
  g_autoptr(HmPattern) pattern = hm_pattern_new ((const guint8 *) text, NULL, strlen (text));
  g_autoptr(HmSearch) search = hm_search_new (doc, pattern);
  g_autoptr(GArray) matches = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GError) error = NULL;

  hm_search_set_match_func (search, collect_match_cb, matches, NULL);
  g_assert_true (hm_search_run (search, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (matches->len, ==, 1);
  g_assert_cmphex (g_array_index (matches, guint64, 0), ==, expected);
  g_assert_cmpuint (hm_search_get_n_unreadable (search), ==, 0);
}

static void
assert_largest_reads (HmDocument *doc,
                      guint64     offset,
                      const char *expected,
                      gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (length + 64);

  /* Asking for more than is left stops at the end of the file */
  g_assert_cmpint (hm_document_read (doc, offset, buf, length + 64, &error), ==,
                   (gssize) MIN ((guint64) length + 64, LARGEST_SIZE - offset));
  g_assert_no_error (error);
  g_assert_cmpmem (buf, length, expected, length);
}

/* Runs in a child, so that a failure still lets the parent unmount */
static void
check_largest_file (const char *path)
{
  const guint64 limit = largest_limit ();
  const guint64 tail_at = LARGEST_SIZE - strlen (largest_tail);
  const guint64 across_at = limit - 8;

  for (HmDocumentMode mode = HM_DOCUMENT_MODE_READ_ONLY; mode <= HM_DOCUMENT_MODE_PREVIEW; mode++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HmDocument) doc = hm_document_new_full (path, mode, 0, &error);
      guint8 byte;

      g_assert_no_error (error);
      g_assert_cmpuint (hm_document_get_size (doc), ==, LARGEST_SIZE);

      assert_largest_reads (doc, 0, largest_head, sizeof largest_head);
      assert_largest_reads (doc, across_at, largest_across, strlen (largest_across));
      assert_largest_reads (doc, tail_at, largest_tail, strlen (largest_tail));
      g_assert_cmpint (hm_document_read (doc, LARGEST_SIZE - 1, &byte, 1, &error), ==, 1);
      g_assert_no_error (error);
      g_assert_cmpuint (byte, ==, '!');

      assert_found_once (doc, largest_tail, tail_at);
      assert_found_once (doc, largest_across, across_at);
      assert_found_once (doc, largest_head, 0);
    }
}

static char *
find_sbin_program (const char *name)
{
  char *path = g_find_program_in_path (name);

  if (path == NULL)
    {
      g_autofree char *sbin = g_build_filename ("/usr/sbin", name, NULL);

      if (g_file_test (sbin, G_FILE_TEST_IS_EXECUTABLE))
        path = g_steal_pointer (&sbin);
    }
  return path;
}

static gboolean
make_largest_file (const char *path)
{
  const guint64 limit = largest_limit ();
  const char *texts[] = { largest_head, largest_across, largest_tail };
  const guint64 offsets[] = { 0, limit - 8, LARGEST_SIZE - strlen (largest_tail) };
  int fd = open (path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  gboolean ok = fd >= 0 && ftruncate (fd, (off_t) LARGEST_SIZE) == 0;

  for (guint i = 0; ok && i < G_N_ELEMENTS (texts); i++)
    ok = pwrite (fd, texts[i], strlen (texts[i]), (off_t) offsets[i]) == (gssize) strlen (texts[i]);
  if (fd >= 0)
    close (fd);
  return ok;
}

static void
test_xfs_largest_file (void)
{
  g_autofree char *mkfs = NULL;
  g_autofree char *image = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *out = NULL;
  g_autofree char *device = NULL;
  g_autofree char *mnt = NULL;
  g_autofree char *path = NULL;
  g_autofree char *skip = NULL;
  gboolean mounted = FALSE;

  if (g_test_subprocess ())
    {
      check_largest_file (g_getenv (LARGEST_ENV));
      return;
    }

  mkfs = find_sbin_program ("mkfs.xfs");
  if (mkfs == NULL)
    {
      g_test_skip ("mkfs.xfs is not installed (xfsprogs)");
      return;
    }

  /* XFS wants at least 300 MiB; the image is sparse */
  image = hm_test_make_sparse ("xfs.img", 512 * MIB);
  cmd = g_strdup_printf ("%s -q -f %s", mkfs, image);
  out = hm_test_run (cmd);
  if (out == NULL)
    skip = g_strdup ("mkfs.xfs failed");
  else
    {
      g_free (cmd);
      cmd = g_strdup_printf ("losetup -f --show %s", image);
      device = hm_test_run (cmd);
      if (device == NULL || *device == '\0')
        skip = g_strdup ("losetup could not attach a loop device here");
    }

  if (skip == NULL)
    {
      g_autoptr(GError) error = NULL;

      mnt = g_dir_make_tmp ("hexmap-xfs-XXXXXX", &error);
      g_assert_no_error (error);
      g_free (cmd);
      cmd = g_strdup_printf ("mount -t xfs %s %s", device, mnt);
      g_free (out);
      out = hm_test_run (cmd);
      mounted = out != NULL;
      if (!mounted)
        skip = g_strdup ("could not mount an XFS filesystem here");
    }

  if (skip == NULL)
    {
      path = g_build_filename (mnt, "largest.bin", NULL);
      if (!make_largest_file (path))
        skip = g_strdup ("XFS here refused a file of 2^63 - 1 bytes");
    }

  if (skip == NULL)
    {
      g_setenv (LARGEST_ENV, path, TRUE);
      g_test_trap_subprocess (NULL, 240 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_unsetenv (LARGEST_ENV);
    }

  /* Whatever happened above */
  if (path != NULL)
    unlink (path);
  if (mounted)
    {
      g_free (cmd);
      cmd = g_strdup_printf ("umount %s", mnt);
      g_free (hm_test_run (cmd));
    }
  if (mnt != NULL)
    rmdir (mnt);
  if (device != NULL && *device != '\0')
    {
      g_free (cmd);
      cmd = g_strdup_printf ("losetup -d %s", device);
      g_free (hm_test_run (cmd));
    }
  unlink (image);

  if (skip != NULL)
    {
      g_test_skip (skip);
      return;
    }
  g_test_trap_assert_passed ();
}

typedef struct
{
  HmFaultfs  *fs;
  char       *backing;
  char       *path;      /* the file, seen through the mount */
  guint8     *contents;
  gsize       size;
} Fixture;

static void
fixture_setup (Fixture      *fx,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *backing_file = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (21);

  fx->size = 4 * MIB;
  fx->backing = g_dir_make_tmp ("hexmap-faultfs-backing-XXXXXX", &error);
  g_assert_no_error (error);
  fx->contents = g_malloc (fx->size);
  for (gsize i = 0; i < fx->size; i++)
    fx->contents[i] = (guint8) g_rand_int (rand);
  backing_file = g_build_filename (fx->backing, "remote.bin", NULL);
  g_assert_true (g_file_set_contents (backing_file, (char *) fx->contents, (gssize) fx->size, NULL));

  fx->fs = hm_faultfs_start (fx->backing, &error);
  g_assert_no_error (error);
  fx->path = hm_faultfs_build_path (fx->fs, "remote.bin");
}

static void
fixture_teardown (Fixture      *fx,
                  gconstpointer data)
{
  g_autofree char *backing_file = g_build_filename (fx->backing, "remote.bin", NULL);

  hm_faultfs_stop (fx->fs);
  unlink (backing_file);
  rmdir (fx->backing);
  g_free (fx->backing);
  g_free (fx->path);
  g_free (fx->contents);
}

static void
assert_reads_ok (Fixture    *fx,
                 HmDocument *doc,
                 guint64     offset,
                 gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (length);

  g_assert_cmpint (hm_document_read (doc, offset, buf, length, &error), ==, (gssize) length);
  g_assert_no_error (error);
  g_assert_cmpmem (buf, length, fx->contents + offset, length);
}

static void
test_fuse_eio (Fixture      *fx,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (fx->path, &error);
  guint8 buf[8192];

  g_assert_no_error (error);
  g_assert_cmpint (hm_document_get_fs_kind (doc), ==, HM_FS_KIND_FUSE);
  /* FUSE and network mounts open read-only by default. */
  g_assert_cmpint (hm_document_get_mode (doc), ==, HM_DOCUMENT_MODE_READ_ONLY);

  g_assert_true (hm_faultfs_control (fx->fs, "read-eio 0x200000 4096", &error));
  g_assert_no_error (error);

  /* A read across the failing page: an I/O error at that page. */
  g_assert_cmpint (hm_document_read (doc, 0x1ff000, buf, sizeof buf, &error), ==, -1);
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "0x200000"));
  g_assert_nonnull (strstr (error->message, "remote.bin"));
  g_clear_error (&error);

  /* Elsewhere the file still reads, and the size did not change. */
  assert_reads_ok (fx, doc, 0x300000, 4096);
  assert_reads_ok (fx, doc, 0x1fe000, 4096);
  g_assert_cmpuint (hm_document_get_size (doc), ==, fx->size);

  /* The share is back: the same read now works (a failed page is not cached). */
  g_assert_true (hm_faultfs_control (fx->fs, "clear", &error));
  assert_reads_ok (fx, doc, 0x1ff000, sizeof buf);
}

static void
test_fuse_shrink (Fixture      *fx,
                  gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (fx->path, &error);
  guint8 buf[64];

  g_assert_no_error (error);
  assert_reads_ok (fx, doc, 0, 4096);
  g_assert_true (hm_faultfs_control (fx->fs, "shrink remote.bin 65536", &error));
  g_assert_no_error (error);

  g_assert_cmpint (hm_document_read (doc, 0x300000, buf, sizeof buf, &error), ==, -1);
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
  g_clear_error (&error);
  g_assert_cmpuint (hm_document_get_size (doc), ==, 65536);
  assert_reads_ok (fx, doc, 0, 4096);
}

static void
test_fuse_disconnect (Fixture      *fx,
                      gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (fx->path, &error);
  guint8 buf[64];

  g_assert_no_error (error);
  assert_reads_ok (fx, doc, 0, 4096);
  g_assert_true (hm_faultfs_control (fx->fs, "disconnect", &error));
  g_assert_no_error (error);

  /* Pages never read are gone with the server: an error, not a crash. */
  g_assert_cmpint (hm_document_read (doc, 0x380000, buf, sizeof buf, &error), ==, -1);
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_IO);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (geteuid () != 0)
    hm_test_skip_all (argc, argv, "the root tier needs root (loop devices, FUSE mounts)");

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/faults-root/block-device", test_block_device);
  g_test_add_func ("/hm/faults-root/xfs-largest-file", test_xfs_largest_file);
  if (hm_faultfs_available (NULL))
    {
      g_test_add ("/hm/faults-root/fuse-eio", Fixture, NULL, fixture_setup, test_fuse_eio, fixture_teardown);
      g_test_add ("/hm/faults-root/fuse-shrink", Fixture, NULL, fixture_setup, test_fuse_shrink, fixture_teardown);
      g_test_add ("/hm/faults-root/fuse-disconnect", Fixture, NULL, fixture_setup, test_fuse_disconnect,
                  fixture_teardown);
    }

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}
