/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The root-only tier: a real block device (a loop device) and the project's FUSE
 * test filesystem failing reads, shrinking a file and disconnecting. Needs root,
 * losetup and /dev/fuse; reported as skipped otherwise. */
#include "config.h"

#include <unistd.h>

#include "hm-document.h"
#include "hm-fault.h"
#include "hm-faultfs-harness.h"
#include "hm-test-util.h"

#define MIB (1024 * 1024)

static char *
run (const char *command_line)
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

static void
test_block_device (void)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("loop.img", 8 * MIB, 77, &contents);
  g_autofree char *cmd = g_strdup_printf ("losetup -f --show %s", path);
  g_autofree char *device = run (cmd);
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
  g_free (run (detach));
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
