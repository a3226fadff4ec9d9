/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The document watches its file on disk: another program's change or removal
 * is reported once, the document's own writes never, and on network and FUSE
 * mounts the stat runs on a worker. Each case runs with the stat on the main
 * thread and (with may-stall forced on) on a worker.
 *
 * Waiting for an expected signal iterates the main context for up to a few
 * seconds; "nothing was reported" is checked deterministically by asking the
 * document to look (_hm_document_check_disk()) and waiting until its stat is
 * back, then letting the monitor's own events through as well.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm-document-private.h"
#include "hm-faultfs-harness.h"
#include "hm-test-util.h"

#define SIZE    (4 * 4096)
#define WAIT_MS 5000

typedef struct
{
  guint        n;          /* disk-changed signals */
  HmDiskChange change;     /* the last one's */
  guint64      disk_size;
  guint        n_mtime;    /* notify::disk-mtime */
} Seen;

static void
disk_changed_cb (HmDocument  *doc,
                 HmDiskChange change,
                 guint64      disk_size,
                 Seen        *seen)
{
  seen->n++;
  seen->change = change;
  seen->disk_size = disk_size;
}

static void
disk_mtime_cb (HmDocument *doc,
               GParamSpec *pspec,
               Seen       *seen)
{
  seen->n_mtime++;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until @seen has @n signals, or @ms pass. */
static gboolean
wait_for_signals (Seen  *seen,
                  guint  n,
                  guint  ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint tick = g_timeout_add (10, tick_cb, NULL);

  while (seen->n < n && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return seen->n >= n;
}

/* Iterates the main context until the document's stat is back. */
static void
wait_settled (HmDocument *doc)
{
  gint64 end = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;
  guint tick = g_timeout_add (10, tick_cb, NULL);

  while (!_hm_document_disk_is_settled (doc) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  g_assert_true (_hm_document_disk_is_settled (doc));
}

/* Lets the monitor's events for what just happened through (a short spin: if
 * they come later, they meet the same state anyway). */
static void
spin (guint ms)
{
  Seen never = { 0 };

  wait_for_signals (&never, 1, ms);
}

/* Asks the document to look now and waits for the answer. */
static void
check_now (HmDocument *doc)
{
  _hm_document_check_disk (doc);
  wait_settled (doc);
}

static gint64
file_mtime_usec (const char *path)
{
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
}

static HmDocument *
open_watched (const char     *path,
              HmDocumentMode  mode,
              gboolean        worker,
              Seen           *seen)
{
  g_autoptr(GError) error = NULL;
  HmDocument *doc = hm_document_new_full (path, mode, 0, &error);

  g_assert_no_error (error);
  hm_document_set_may_stall (doc, worker);
  g_signal_connect (doc, "disk-changed", G_CALLBACK (disk_changed_cb), seen);
  g_signal_connect (doc, "notify::disk-mtime", G_CALLBACK (disk_mtime_cb), seen);
  hm_document_watch_disk (doc);
  wait_settled (doc);
  return doc;
}

static void
test_disk_mtime (void)
{
  g_autofree char *path = hm_test_write_random ("mtime.bin", SIZE, 1, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (path, &error);
  g_autoptr(HmDocument) zero = hm_document_new ("/dev/zero", &error);
  gint64 value = 0;

  g_assert_no_error (error);
  g_assert_cmpint (hm_document_get_disk_mtime (doc), ==, file_mtime_usec (path));
  g_object_get (doc, "disk-mtime", &value, NULL);
  g_assert_cmpint (value, ==, file_mtime_usec (path));

  /* Not a regular file: nothing to watch, no time. */
  g_assert_cmpint (hm_document_get_disk_mtime (zero), ==, -1);
  hm_document_watch_disk (zero);
  g_assert_true (_hm_document_disk_is_settled (zero));
  g_assert_cmpint (hm_document_get_disk_mtime (zero), ==, -1);

  g_assert_true (G_TYPE_IS_ENUM (HM_TYPE_DISK_CHANGE));
}

/* Another program appends: one MODIFIED with the new size, and the new mtime. */
static void
test_modified (gconstpointer data)
{
  gboolean worker = GPOINTER_TO_INT (data);
  g_autofree char *path = hm_test_write_random ("modified.bin", SIZE, 2, NULL);
  Seen seen = { 0 };
  g_autoptr(HmDocument) doc = open_watched (path, HM_DOCUMENT_MODE_READ_ONLY, worker, &seen);
  guint8 more[100];

  memset (more, 'm', sizeof more);
  hm_test_pwrite (path, SIZE, more, sizeof more);

  g_assert_true (wait_for_signals (&seen, 1, WAIT_MS));
  g_assert_cmpint (seen.change, ==, HM_DISK_CHANGE_MODIFIED);
  g_assert_cmpuint (seen.disk_size, ==, SIZE + sizeof more);
  g_assert_cmpint (hm_document_get_disk_mtime (doc), ==, file_mtime_usec (path));
  g_assert_cmpuint (seen.n_mtime, >=, 1);
  /* The document itself does not move: that is the user's call (refresh). */
  g_assert_cmpuint (hm_document_get_size (doc), ==, SIZE);

  /* One notice per change: the same state again is not news. */
  wait_settled (doc);
  check_now (doc);
  spin (300);
  g_assert_cmpuint (seen.n, ==, 1);

  /* A second change is. */
  hm_test_pwrite (path, 0, more, 10);
  hm_test_truncate (path, SIZE / 2);
  g_assert_true (wait_for_signals (&seen, 2, WAIT_MS));
  g_assert_cmpint (seen.change, ==, HM_DISK_CHANGE_MODIFIED);
  g_assert_cmpuint (seen.disk_size, ==, SIZE / 2);
}

/* Removed: one DELETED; the document keeps its last view of the file. */
static void
test_deleted (gconstpointer data)
{
  gboolean worker = GPOINTER_TO_INT (data);
  g_autofree char *path = hm_test_write_random ("deleted.bin", SIZE, 3, NULL);
  Seen seen = { 0 };
  g_autoptr(HmDocument) doc = open_watched (path, HM_DOCUMENT_MODE_READ_ONLY, worker, &seen);
  gint64 mtime = hm_document_get_disk_mtime (doc);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_true (wait_for_signals (&seen, 1, WAIT_MS));
  g_assert_cmpint (seen.change, ==, HM_DISK_CHANGE_DELETED);
  g_assert_cmpuint (seen.disk_size, ==, 0);
  g_assert_cmpint (hm_document_get_disk_mtime (doc), ==, mtime);

  wait_settled (doc);
  check_now (doc);
  spin (300);
  g_assert_cmpuint (seen.n, ==, 1);

  /* A file at the path again is a change. */
  g_assert_true (g_file_set_contents (path, "back", 4, NULL));
  check_now (doc);
  g_assert_cmpuint (seen.n, ==, 2);
  g_assert_cmpint (seen.change, ==, HM_DISK_CHANGE_MODIFIED);
  g_assert_cmpuint (seen.disk_size, ==, 4);
}

static void
set_mtime (const char *path,
           time_t      sec)
{
  struct timespec times[2] = { { 0, UTIME_OMIT }, { sec, 0 } };

  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);
}

/* Makes sure the next store of ours moves the file's mtime: the kernel sets it
 * at the first store into a clean page (or folio, which may be the whole of a
 * small file), so the dirty pages are written back first; and the mtime is put
 * in the past, whatever the granularity of the filesystem's clock. Then the
 * document sees the file so (a refresh is the user's "I have seen it"). */
static void
age_file (HmDocument *doc,
          const char *path)
{
  g_autoptr(GError) error = NULL;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fsync (fd), ==, 0);
  close (fd);
  set_mtime (path, 1000000000);
  g_assert_true (hm_document_refresh (doc, &error));
  g_assert_no_error (error);
  check_now (doc);
}

/* Our write moved the mtime (stores through a mapping never do on tmpfs), and
 * the document knows. */
static void
assert_moved (HmDocument *doc,
              const char *path)
{
  if (hm_document_get_fs_kind (doc) != HM_FS_KIND_MEMORY)
    g_assert_cmpint (file_mtime_usec (path), >, (gint64) 1000000000 * G_USEC_PER_SEC);
  g_assert_cmpint (hm_document_get_disk_mtime (doc), ==, file_mtime_usec (path));
}

/* The document's own writes: direct stores, undo, discard, saves, a mode switch
 * that carries edits into the file, and a refresh. None is reported. */
static void
test_own_writes (gconstpointer data)
{
  gboolean worker = GPOINTER_TO_INT (data);
  g_autofree char *path = hm_test_write_random ("own.bin", SIZE, 4, NULL);
  Seen seen = { 0 };
  g_autoptr(HmDocument) doc = open_watched (path, HM_DOCUMENT_MODE_PREVIEW, worker, &seen);
  g_autoptr(GError) error = NULL;
  HmSaveOptions later = { HM_TIMESTAMP_EXPLICIT, 2000000000, 5, FALSE };
  guint8 more[100];

  /* Preview, then commit with an explicit mtime. */
  g_assert_true (hm_document_write (doc, 10, "abcd", 4, HM_EDIT_NONE, &error));
  check_now (doc);
  g_assert_true (hm_document_save (doc, &later, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  check_now (doc);
  g_assert_cmpint (hm_document_get_disk_mtime (doc), ==, (gint64) 2000000000 * G_USEC_PER_SEC);

  /* Preview edits carried into the file by the switch to direct mode (the
   * mtime goes from the one above to now). */
  g_assert_true (hm_document_write (doc, 20, "efgh", 4, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_set_mode (doc, HM_DOCUMENT_MODE_DIRECT, &error));
  g_assert_no_error (error);
  check_now (doc);
  g_assert_cmpint (hm_document_get_disk_mtime (doc), <, (gint64) 2000000000 * G_USEC_PER_SEC);

  /* Direct stores move the file's mtime on a disk filesystem. */
  age_file (doc, path);
  g_assert_true (hm_document_write (doc, 4096 + 1, "ijkl", 4, HM_EDIT_NONE, &error));
  check_now (doc);
  assert_moved (doc, path);
  age_file (doc, path);
  g_assert_true (hm_document_fill (doc, 2 * 4096, 100, (const guint8 *) "z", 1, &error));
  check_now (doc);
  assert_moved (doc, path);
  age_file (doc, path);
  g_assert_true (hm_document_undo (doc, &error));
  check_now (doc);
  assert_moved (doc, path);
  age_file (doc, path);
  g_assert_true (hm_document_discard (doc, &error));
  check_now (doc);
  assert_moved (doc, path);
  g_assert_true (hm_document_write (doc, 30, "mnop", 4, HM_EDIT_NONE, &error));
  age_file (doc, path);
  g_assert_true (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  check_now (doc);
  assert_moved (doc, path);

  /* Another program's change, then a refresh before the monitor said a word:
   * the user has seen the file as it is now. */
  memset (more, 'o', sizeof more);
  hm_test_pwrite (path, SIZE, more, sizeof more);
  g_assert_true (hm_document_refresh (doc, &error));
  g_assert_no_error (error);
  check_now (doc);

  spin (1000);
  wait_settled (doc);
  g_assert_cmpuint (seen.n, ==, 0);
  g_assert_cmpint (hm_document_get_disk_mtime (doc), ==, file_mtime_usec (path));
}

static void
save_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (hm_document_save_finish (HM_DOCUMENT (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

/* While a save runs the file is ours: what the monitor sees is not reported,
 * and the end of the save takes the file as it is. */
static void
test_busy (gconstpointer data)
{
  gboolean worker = GPOINTER_TO_INT (data);
  g_autofree char *path = hm_test_write_random ("busy.bin", SIZE, 5, NULL);
  Seen seen = { 0 };
  g_autoptr(HmDocument) doc = open_watched (path, HM_DOCUMENT_MODE_DIRECT, worker, &seen);
  gint64 end = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;
  gboolean done = FALSE;
  guint8 more[100];

  hm_document_save_async (doc, NULL, NULL, NULL, NULL, save_done_cb, &done);
  memset (more, 'b', sizeof more);
  hm_test_pwrite (path, SIZE, more, sizeof more);
  _hm_document_check_disk (doc);
  g_assert_true (_hm_document_disk_is_settled (doc));  /* not even looked at */

  while (!done && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (done);
  wait_settled (doc);
  check_now (doc);
  spin (300);
  wait_settled (doc);
  g_assert_cmpuint (seen.n, ==, 0);
  g_assert_cmpint (hm_document_get_disk_mtime (doc), ==, file_mtime_usec (path));
}

/* On FUSE (like a network mount) the stat runs on a worker, and in direct mode a
 * new mtime alone is not reported: the server moves it when it writes our pages
 * back. A new size is. In preview mode a new mtime is a change. */
static void
test_fuse (void)
{
  g_autofree char *reason = NULL;
  g_autofree char *backing = hm_test_path ("disk-faultfs-backing");
  g_autofree char *backing_file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(HmFaultfs) fs = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  Seen seen = { 0 };
  guint8 more[100];
  guint n;

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

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_DIRECT, 0, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_get_may_stall (doc));
  g_signal_connect (doc, "disk-changed", G_CALLBACK (disk_changed_cb), &seen);
  hm_document_watch_disk (doc);
  g_assert_false (_hm_document_disk_is_settled (doc));  /* the stat runs on a worker */
  wait_settled (doc);

  set_mtime (path, 1000000000);
  check_now (doc);
  g_assert_cmpuint (seen.n, ==, 0);

  /* (The monitor's event for the change above may come now and report it:
   * the change was never taken as seen.) */
  g_assert_true (hm_document_set_mode (doc, HM_DOCUMENT_MODE_PREVIEW, &error));
  set_mtime (path, 1100000000);
  check_now (doc);
  g_assert_cmpuint (seen.n, >=, 1);
  g_assert_cmpint (seen.change, ==, HM_DISK_CHANGE_MODIFIED);
  g_assert_cmpint (hm_document_get_disk_mtime (doc), ==, (gint64) 1100000000 * G_USEC_PER_SEC);

  g_assert_true (hm_document_set_mode (doc, HM_DOCUMENT_MODE_DIRECT, &error));
  n = seen.n;
  memset (more, 'f', sizeof more);
  hm_test_pwrite (backing_file, 32, more, sizeof more);
  check_now (doc);
  g_assert_cmpuint (seen.n, ==, n + 1);
  g_assert_cmpuint (seen.disk_size, ==, 32 + sizeof more);

  g_clear_object (&doc);
  g_clear_pointer (&fs, hm_faultfs_stop);
  g_unlink (backing_file);
  g_rmdir (backing);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/disk/disk-mtime", test_disk_mtime);
  for (int worker = 0; worker < 2; worker++)
    {
      const char *how = worker ? "worker" : "main";
      g_autofree char *modified = g_strdup_printf ("/hm/disk/modified/%s", how);
      g_autofree char *deleted = g_strdup_printf ("/hm/disk/deleted/%s", how);
      g_autofree char *own = g_strdup_printf ("/hm/disk/own-writes/%s", how);
      g_autofree char *busy = g_strdup_printf ("/hm/disk/busy/%s", how);

      g_test_add_data_func (modified, GINT_TO_POINTER (worker), test_modified);
      g_test_add_data_func (deleted, GINT_TO_POINTER (worker), test_deleted);
      g_test_add_data_func (own, GINT_TO_POINTER (worker), test_own_writes);
      g_test_add_data_func (busy, GINT_TO_POINTER (worker), test_busy);
    }
  g_test_add_func ("/hm/disk/fuse", test_fuse);

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}
