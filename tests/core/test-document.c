/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Opening: what can be mapped, what cannot (with a clear error, never a hang), sizes,
 * filesystem kinds and the hole map. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm-document.h"
#include "hm-fault.h"
#include "hm-test-util.h"

#define PAGE 4096

static void
assert_refused (const char *path,
                GQuark      domain,
                int         code,
                const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (path, &error);
  g_autofree char *display = g_filename_display_name (path);

  g_assert_null (doc);
  g_assert_error (error, domain, code);
  g_assert_nonnull (strstr (error->message, display));
  if (reason != NULL)
    g_assert_nonnull (strstr (error->message, reason));
}

static void
test_refused_kinds (void)
{
  g_autofree char *fifo = hm_test_path ("fifo");
  g_autofree char *missing = hm_test_path ("does-not-exist");

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  /* A FIFO with no writer: refused at once (opening it would block forever). */
  assert_refused (fifo, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_NOT_MAPPABLE, "pipe");
  assert_refused (hm_test_tmpdir (), G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, "folder");
  assert_refused ("/proc/self/status", HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_NOT_MAPPABLE, "/proc");
  assert_refused ("/sys/kernel/mm/transparent_hugepage/enabled", HM_DOCUMENT_ERROR,
                  HM_DOCUMENT_ERROR_NOT_MAPPABLE, "sysfs");
  assert_refused ("/dev/null", HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_NOT_MAPPABLE, "character device");
  assert_refused ("/dev/urandom", HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_NOT_MAPPABLE, "character device");
  assert_refused (missing, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, NULL);
  unlink (fifo);
}

static void
test_pipe_fd (void)
{
  int fds[2];
  g_autofree char *path = NULL;

  g_assert_cmpint (pipe (fds), ==, 0);
  path = g_strdup_printf ("/proc/self/fd/%d", fds[0]);
  assert_refused (path, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_NOT_MAPPABLE, "pipe");
  close (fds[0]);
  close (fds[1]);
}

static void
test_unreadable (void)
{
  g_autofree char *path = hm_test_write_random ("secret.bin", 10, 1, NULL);

  chmod (path, 0);
  if (!hm_test_is_root ())
    {
      assert_refused (path, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, NULL);
      return;
    }

  /* Root reads anything: check as "nobody" in a subprocess. */
  if (g_test_subprocess ())
    {
      const char *target = g_getenv ("HM_UNREADABLE");

      g_assert_cmpint (setgid (65534), ==, 0);
      g_assert_cmpint (setuid (65534), ==, 0);
      assert_refused (target, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, NULL);
      return;
    }
  g_setenv ("HM_UNREADABLE", path, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_empty (void)
{
  g_autofree char *path = hm_test_make_sparse ("empty.bin", 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (path, &error);
  guint8 buf[4];
  g_autoptr(GArray) extents = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (hm_document_get_size (doc), ==, 0);
  g_assert_cmpint (hm_document_read (doc, 0, buf, sizeof buf, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (hm_document_get_n_mapped_windows (doc), ==, 0);
  g_assert_cmpuint (hm_document_get_n_holes (doc), ==, 0);
  extents = hm_document_get_extents (doc, 0, 100);
  g_assert_cmpuint (extents->len, ==, 0);
}

static void
test_zero_device (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new ("/dev/zero", &error);
  guint8 buf[64];
  guint64 end;

  g_assert_no_error (error);
  g_assert_cmpint (hm_document_get_kind (doc), ==, HM_FILE_KIND_ZERO_DEVICE);
  g_assert_cmpuint (hm_document_get_size (doc), ==, G_GUINT64_CONSTANT (1) << 62);
  g_assert_false (hm_document_get_can_write (doc));
  g_assert_cmpint (hm_document_get_mode (doc), ==, HM_DOCUMENT_MODE_READ_ONLY);
  memset (buf, 0xff, sizeof buf);
  g_assert_cmpint (hm_document_read (doc, (G_GUINT64_CONSTANT (1) << 62) - 32, buf, sizeof buf, &error), ==, 32);
  for (guint i = 0; i < 32; i++)
    g_assert_cmpuint (buf[i], ==, 0);
  g_assert_true (hm_document_is_hole (doc, 12345, &end));
  g_assert_cmpuint (end, ==, G_GUINT64_CONSTANT (1) << 62);
}

static void
test_regular_local (void)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("local.bin", 3 * PAGE, 11, &contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (hm_document_get_kind (doc), ==, HM_FILE_KIND_REGULAR);
  g_assert_true (hm_document_get_can_write (doc));
  /* /tmp here is ext4 or tmpfs: a local, writable file opens in preview. */
  g_assert_true (hm_document_get_fs_kind (doc) == HM_FS_KIND_LOCAL ||
                 hm_document_get_fs_kind (doc) == HM_FS_KIND_MEMORY);
  g_assert_cmpint (hm_document_get_default_mode (doc), ==, HM_DOCUMENT_MODE_PREVIEW);
  g_assert_nonnull (hm_document_get_fs_type (doc));
  g_assert_cmpstr (hm_document_get_path (doc), ==, path);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

/* "May this storage stall?" is answered by the document: no on a local disk or
 * tmpfs (network and FUSE: test-edit-faults), and settable with one notify per
 * change. */
static void
test_may_stall (void)
{
  g_autofree char *path = hm_test_write_random ("stall.bin", PAGE, 12, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (path, &error);
  guint notified = 0;
  gboolean value = TRUE;

  g_assert_no_error (error);
  g_assert_false (hm_document_get_may_stall (doc));
  g_object_get (doc, "may-stall", &value, NULL);
  g_assert_false (value);

  g_signal_connect (doc, "notify::may-stall", G_CALLBACK (count_notify_cb), &notified);
  hm_document_set_may_stall (doc, FALSE);
  g_assert_cmpuint (notified, ==, 0);
  hm_document_set_may_stall (doc, TRUE);
  g_assert_true (hm_document_get_may_stall (doc));
  g_assert_cmpuint (notified, ==, 1);
  hm_document_set_may_stall (doc, TRUE);
  g_assert_cmpuint (notified, ==, 1);
  g_object_set (doc, "may-stall", FALSE, NULL);
  g_assert_false (hm_document_get_may_stall (doc));
  g_assert_cmpuint (notified, ==, 2);
}

static void
test_memory_fs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = NULL;
  const char *path = "/dev/shm/hexmap-test-memfs.bin";

  if (!g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no /dev/shm");
      return;
    }
  g_assert_true (g_file_set_contents (path, "abc", 3, NULL));
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hm_document_get_fs_kind (doc), ==, HM_FS_KIND_MEMORY);
  g_assert_cmpstr (hm_document_get_fs_type (doc), ==, "tmpfs");
  g_assert_false (hm_document_get_may_stall (doc));
  unlink (path);
}

/* Holes are found, merged, clipped, counted, and reading them allocates nothing. */
static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Runs the main context until the callback stored a result. */
static GAsyncResult *
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

/* The hole map from a worker: the same answers as on the calling thread. */
static void
check_holes_async (HmDocument *doc)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GArray) extents = NULL;
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GError) error = NULL;
  guint n_holes = 0;
  guint64 data_bytes = 0;

  /* On a fresh document, so the worker does the scan. */
  hm_document_count_holes_async (doc, NULL, store_result_cb, &result);
  g_assert_true (hm_document_count_holes_finish (doc, wait_result (&result), &n_holes,
                                                 &data_bytes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_holes, ==, hm_document_get_n_holes (doc));
  g_assert_cmpuint (data_bytes, ==, hm_document_get_data_bytes (doc));
  g_clear_object (&result);

  expected = hm_document_get_extents (doc, 1000, 32 * 1024 * 1024);
  hm_document_get_extents_async (doc, 1000, 32 * 1024 * 1024, NULL, store_result_cb, &result);
  extents = hm_document_get_extents_finish (doc, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (extents);
  g_assert_cmpuint (extents->len, ==, expected->len);
  g_assert_cmpmem (extents->data, extents->len * sizeof (HmExtent),
                   expected->data, expected->len * sizeof (HmExtent));
}

static void
test_holes_async_cancelled (void)
{
  g_autofree char *path = hm_test_make_sparse ("cancelled.bin", 4 * PAGE);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (path, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GArray) extents = NULL;
  guint n_holes = 7;

  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  hm_document_count_holes_async (doc, cancellable, store_result_cb, &result);
  g_assert_false (hm_document_count_holes_finish (doc, wait_result (&result), &n_holes, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (n_holes, ==, 7);
  g_clear_error (&error);
  g_clear_object (&result);

  hm_document_get_extents_async (doc, 0, G_MAXUINT64, cancellable, store_result_cb, &result);
  extents = hm_document_get_extents_finish (doc, wait_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (extents);
}

static void
test_holes (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "hexmap-holes-test.bin", NULL);
  const guint64 size = 64 * 1024 * 1024;
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GArray) extents = NULL;
  g_autofree guint8 *buf = g_malloc (1024 * 1024);
  guint64 allocated, end;
  guint8 data[PAGE];
  int fd = open (path, O_RDWR | O_CREAT | O_TRUNC, 0644);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) size), ==, 0);
  memset (data, 0x11, sizeof data);
  g_assert_cmpint (pwrite (fd, data, PAGE, 16 * 1024 * 1024), ==, PAGE);
  g_assert_cmpint (pwrite (fd, data, PAGE, 40 * 1024 * 1024), ==, PAGE);
  close (fd);

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  g_assert_no_error (error);
  check_holes_async (doc);
  g_assert_cmpuint (hm_document_get_n_holes (doc), ==, 3);
  g_assert_cmpuint (hm_document_get_data_bytes (doc), ==, 2 * PAGE);
  g_assert_true (hm_document_is_hole (doc, 0, &end));
  g_assert_cmpuint (end, ==, 16 * 1024 * 1024);
  g_assert_false (hm_document_is_hole (doc, 16 * 1024 * 1024 + 5, &end));
  g_assert_cmpuint (end, ==, 16 * 1024 * 1024 + PAGE);

  extents = hm_document_get_extents (doc, 16 * 1024 * 1024 - 10, 20 + PAGE);
  g_assert_cmpuint (extents->len, ==, 3);
  g_assert_true (g_array_index (extents, HmExtent, 0).is_hole);
  g_assert_cmpuint (g_array_index (extents, HmExtent, 0).length, ==, 10);
  g_assert_false (g_array_index (extents, HmExtent, 1).is_hole);
  g_assert_cmpuint (g_array_index (extents, HmExtent, 1).length, ==, PAGE);
  g_assert_cmpuint (g_array_index (extents, HmExtent, 2).length, ==, 10);

  /* Read the whole file: the blocks on disk do not change (tmpfs would allocate
   * every page if we touched the holes through the mapping). */
  allocated = hm_test_allocated_bytes (path);
  for (guint64 off = 0; off < size; off += 1024 * 1024)
    {
      g_assert_cmpint (hm_document_read (doc, off, buf, 1024 * 1024, &error), ==, 1024 * 1024);
      if (off == 16 * 1024 * 1024)
        g_assert_cmpuint (buf[0], ==, 0x11);
      else if (off == 8 * 1024 * 1024)
        g_assert_cmpuint (buf[100], ==, 0);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (hm_test_allocated_bytes (path), ==, allocated);
  unlink (path);
}

static void
test_holes_disk (void)
{
  test_holes (hm_test_tmpdir ());
}

static void
test_holes_tmpfs (void)
{
  if (!g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no /dev/shm");
      return;
    }
  test_holes ("/dev/shm");
}

static void
test_tib_sparse_open (void)
{
  const guint64 size = G_GUINT64_CONSTANT (3) << 40;
  g_autofree char *path = hm_test_make_sparse ("3tib.bin", size);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = NULL;

  hm_test_pwrite (path, size / 2, "middle", 6);
  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hm_document_get_size (doc), ==, size);
  g_assert_cmpuint (hm_document_get_n_holes (doc), ==, 2);
  g_assert_cmpuint (hm_document_get_n_mapped_windows (doc), ==, 0);
}

static void
test_refresh (void)
{
  g_autofree char *path = hm_test_write_random ("refresh.bin", 10 * PAGE, 2, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 2 * PAGE, &error);
  guint8 buf[16];
  guint notified = 0;

  g_signal_connect_swapped (doc, "notify::size", G_CALLBACK (g_atomic_int_inc), &notified);
  g_assert_cmpint (hm_document_read (doc, 9 * PAGE, buf, sizeof buf, &error), ==, sizeof buf);
  hm_test_truncate (path, 3 * PAGE);
  g_assert_true (hm_document_refresh (doc, &error));
  g_assert_cmpuint (hm_document_get_size (doc), ==, 3 * PAGE);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (hm_document_read (doc, 9 * PAGE, buf, sizeof buf, &error), ==, 0);
  g_assert_no_error (error);
}

/* A preview edit in a hole is read through its window, also after the hole map
 * was rebuilt from the file (refresh) — or it would read, and commit, as zero. */
static void
test_edit_in_hole_survives_refresh (void)
{
  g_autofree char *path = hm_test_make_sparse ("edit-hole.bin", 64 * PAGE);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  const guint8 value = 0x5a;
  guint8 byte = 0;
  HmSaveOptions options = { HM_TIMESTAMP_NOW, 0, 0, FALSE };
  int fd;

  g_assert_no_error (error);
  g_assert_true (hm_document_is_hole (doc, 5000, NULL));
  g_assert_true (hm_document_write (doc, 5000, &value, 1, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_refresh (doc, &error));
  g_assert_cmpint (hm_document_read (doc, 5000, &byte, 1, &error), ==, 1);
  g_assert_cmpuint (byte, ==, value);

  g_assert_true (hm_document_save (doc, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  fd = open (path, O_RDONLY);
  g_assert_cmpint (pread (fd, &byte, 1, 5000), ==, 1);
  close (fd);
  g_assert_cmpuint (byte, ==, value);
}

/* A truncation found by a fault drops the windows past the new end, but never
 * one that holds a pending edit below it. */
static void
test_edit_survives_truncation (void)
{
  g_autofree char *path = hm_test_write_random ("edit-trunc.bin", 16 * PAGE, 4, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  const guint8 value = 0xa5;
  guint8 buf[16];
  guint8 byte = 0;

  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, 100, &value, 1, HM_EDIT_NONE, &error));
  hm_test_truncate (path, 8 * PAGE);
  g_assert_cmpint (hm_document_read (doc, 12 * PAGE, buf, sizeof buf, &error), ==, -1);
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
  g_clear_error (&error);

  g_assert_cmpint (hm_document_read (doc, 100, &byte, 1, &error), ==, 1);
  g_assert_cmpuint (byte, ==, value);
  g_assert_true (hm_document_get_has_pending (doc));
}

/* Truncated before the hole map was first built: the lost tail must not pass for
 * a hole (zeros, no fault); reading or searching it finds the truncation. */
static void
test_truncated_before_hole_map (void)
{
  g_autofree char *path = hm_test_write_random ("trunc-early.bin", 64 * PAGE, 8, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  guint8 buf[16];

  g_assert_no_error (error);
  hm_test_truncate (path, 4 * PAGE);
  g_assert_false (hm_document_is_hole (doc, 40 * PAGE, NULL));
  g_assert_cmpint (hm_document_read (doc, 40 * PAGE, buf, sizeof buf, &error), ==, -1);
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
}

/* A window that holds edits is never mapped anew; if the file grew on disk
 * since, it ends before the new bytes. Reads and edits there are refused:
 * save or discard first. */
static void
test_grown_under_edits (void)
{
  g_autofree char *path = hm_test_write_random ("grown.bin", PAGE + 100, 14, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 4 * PAGE, &error);
  g_autofree guint8 *more = g_malloc0 (2 * PAGE);
  guint8 buf[16] = { 0 };

  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, 10, "edit", 4, HM_EDIT_NONE, &error));
  hm_test_pwrite (path, PAGE + 100, more, 2 * PAGE);
  g_assert_true (hm_document_refresh (doc, &error));
  g_assert_cmpuint (hm_document_get_size (doc), ==, 3 * PAGE + 100);

  g_assert_cmpint (hm_document_read (doc, 2 * PAGE, buf, sizeof buf, &error), ==, -1);
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "grew on disk"));
  g_clear_error (&error);

  g_assert_false (hm_document_write (doc, 2 * PAGE, "x", 1, HM_EDIT_NONE, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY);
  g_clear_error (&error);

  /* The edit itself is still there. */
  g_assert_cmpint (hm_document_read (doc, 10, buf, 4, &error), ==, 4);
  g_assert_cmpmem (buf, 4, "edit", 4);
}

static void
test_navigation (void)
{
  const guint64 mib = 1024 * 1024;
  g_autofree char *path = hm_test_make_sparse ("nav.bin", 64 * mib);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = NULL;
  guint8 data[PAGE];
  guint64 at = 0;

  memset (data, 1, sizeof data);
  hm_test_pwrite (path, 8 * mib, data, PAGE);
  hm_test_pwrite (path, 32 * mib, data, PAGE);
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  g_assert_no_error (error);

  g_assert_true (hm_document_next_data (doc, 0, &at));
  g_assert_cmpuint (at, ==, 8 * mib);
  g_assert_true (hm_document_next_data (doc, 8 * mib, &at));
  g_assert_cmpuint (at, ==, 32 * mib);
  g_assert_false (hm_document_next_data (doc, 32 * mib, &at));

  g_assert_true (hm_document_next_hole (doc, 0, &at));
  g_assert_cmpuint (at, ==, 8 * mib + PAGE);
  g_assert_true (hm_document_next_hole (doc, 8 * mib + PAGE, &at));
  g_assert_cmpuint (at, ==, 32 * mib + PAGE);
  g_assert_false (hm_document_next_hole (doc, 32 * mib + PAGE, &at));

  g_assert_true (hm_document_previous_data (doc, 40 * mib, &at));
  g_assert_cmpuint (at, ==, 32 * mib);
  g_assert_true (hm_document_previous_data (doc, 32 * mib + 5, &at));
  g_assert_cmpuint (at, ==, 32 * mib);
  g_assert_true (hm_document_previous_data (doc, 32 * mib, &at));
  g_assert_cmpuint (at, ==, 8 * mib);
  g_assert_false (hm_document_previous_data (doc, 8 * mib, &at));
  /* Past the end of the file: still the last data run. */
  g_assert_true (hm_document_previous_data (doc, G_MAXUINT64, &at));
  g_assert_cmpuint (at, ==, 32 * mib);
}


/* Why a file opens read-only, as the document says it: a read-only mount, no
 * permission, /dev/zero; a writable file has no reason. */
static void
assert_reason_contains (const char *path,
                        const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (path, &error);
  g_autofree char *reason = NULL;

  g_assert_no_error (error);
  reason = hm_document_dup_read_only_reason (doc);
  g_test_message ("%s: %s", path, reason != NULL ? reason : "(none)");
  if (expected == NULL)
    {
      g_assert_null (reason);
      g_assert_true (hm_document_get_can_write (doc));
      return;
    }
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, expected));
  g_assert_false (hm_document_get_can_write (doc));
}

static void
test_read_only_reason (void)
{
  g_autofree char *dir = g_build_filename (hm_test_tmpdir (), "reasons", NULL);
  g_autofree char *ro_dir = g_build_filename (hm_test_tmpdir (), "reasons-ro", NULL);
  g_autofree char *path = g_build_filename (dir, "file.bin", NULL);
  g_autofree char *ro_path = g_build_filename (ro_dir, "file.bin", NULL);
  g_autofree char *locked = g_build_filename (dir, "locked.bin", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (ro_dir, 0755), ==, 0);
  g_assert_cmpint (chmod (hm_test_tmpdir (), 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, "0123456789", 10, NULL));
  g_assert_true (g_file_set_contents (locked, "0123456789", 10, NULL));
  g_assert_cmpint (chmod (locked, 0444), ==, 0);

  if (g_test_subprocess ())
    {
      /* Not root: 0444 means no permission. Its save journals go where it
       * may look (one it cannot look for counts as an interrupted save). */
      g_autofree char *state = g_build_filename (hm_test_tmpdir (), "state-nobody", NULL);

      g_assert_cmpint (g_mkdir_with_parents (state, 0777), ==, 0);
      g_assert_cmpint (chmod (state, 0777), ==, 0);
      g_setenv ("XDG_STATE_HOME", state, TRUE);
      g_assert_cmpint (setgid (65534), ==, 0);
      g_assert_cmpint (setuid (65534), ==, 0);
      assert_reason_contains (locked, "permission");
      return;
    }

  assert_reason_contains (path, NULL);
  assert_reason_contains ("/dev/zero", "/dev/zero");

  if (!hm_test_is_root ())
    {
      assert_reason_contains (locked, "permission");
      g_test_skip ("the read-only mount needs root");
      return;
    }

  /* Root may write a 0444 file; as "nobody" it may not. */
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();

  /* The same file through a read-only bind mount: even root cannot write. */
  if (mount (dir, ro_dir, NULL, MS_BIND, NULL) != 0)
    {
      g_test_skip_printf ("cannot bind-mount: %s", g_strerror (errno));
      return;
    }
  if (mount (NULL, ro_dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) != 0)
    {
      int saved = errno;

      umount2 (ro_dir, MNT_DETACH);
      g_test_skip_printf ("cannot remount read-only: %s", g_strerror (saved));
      return;
    }
  assert_reason_contains (ro_path, "mounted read-only");
  g_assert_cmpint (umount2 (ro_dir, MNT_DETACH), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/document/refused-kinds", test_refused_kinds);
  g_test_add_func ("/hm/document/pipe-fd", test_pipe_fd);
  g_test_add_func ("/hm/document/unreadable", test_unreadable);
  g_test_add_func ("/hm/document/empty", test_empty);
  g_test_add_func ("/hm/document/zero-device", test_zero_device);
  g_test_add_func ("/hm/document/read-only-reason", test_read_only_reason);
  g_test_add_func ("/hm/document/regular-local", test_regular_local);
  g_test_add_func ("/hm/document/may-stall", test_may_stall);
  g_test_add_func ("/hm/document/memory-fs", test_memory_fs);
  g_test_add_func ("/hm/document/holes-disk", test_holes_disk);
  g_test_add_func ("/hm/document/holes-tmpfs", test_holes_tmpfs);
  g_test_add_func ("/hm/document/holes-async-cancelled", test_holes_async_cancelled);
  g_test_add_func ("/hm/document/tib-sparse-open", test_tib_sparse_open);
  g_test_add_func ("/hm/document/refresh", test_refresh);
  g_test_add_func ("/hm/document/navigation", test_navigation);
  g_test_add_func ("/hm/document/grown-under-edits", test_grown_under_edits);
  g_test_add_func ("/hm/document/truncated-before-hole-map", test_truncated_before_hole_map);
  g_test_add_func ("/hm/document/edit-in-hole-survives-refresh", test_edit_in_hole_survives_refresh);
  g_test_add_func ("/hm/document/edit-survives-truncation", test_edit_survives_truncation);

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}
