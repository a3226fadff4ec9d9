/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Self-test of hm-faultfs, the project's FUSE test filesystem (not of Hexmap):
 * every fault the other root-tier tests rely on is checked here first.
 * Root only; the binary reports SKIP otherwise.
 */

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm-faultfs-harness.h"

#define FILE_NAME "data.bin"
#define FILE_SIZE (1024 * 1024)
#define PAGE 4096

typedef struct
{
  char *backing;      /* temporary backing directory */
  char *backing_file; /* backing/data.bin */
  guint8 *bytes;      /* what data.bin holds, FILE_SIZE random bytes */
  HmFaultfs *fs;
  char *path;         /* data.bin seen through the mount */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gsize i;

  fixture->backing = g_dir_make_tmp ("hm-faultfs-backing-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->backing_file = g_build_filename (fixture->backing, FILE_NAME, NULL);

  fixture->bytes = g_malloc (FILE_SIZE);
  for (i = 0; i < FILE_SIZE; i += 4)
    {
      guint32 r = (guint32) g_test_rand_int ();

      memcpy (fixture->bytes + i, &r, 4);
    }
  g_file_set_contents (fixture->backing_file, (const char *) fixture->bytes,
                       FILE_SIZE, &error);
  g_assert_no_error (error);

  fixture->fs = hm_faultfs_start (fixture->backing, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->fs);
  fixture->path = hm_faultfs_build_path (fixture->fs, FILE_NAME);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_pointer (&fixture->fs, hm_faultfs_stop);

  dir = g_dir_open (fixture->backing, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (fixture->backing, name, NULL);

      g_unlink (file);
    }
  g_rmdir (fixture->backing);

  g_free (fixture->path);
  g_free (fixture->bytes);
  g_free (fixture->backing_file);
  g_free (fixture->backing);
}

static void
control (Fixture    *fixture,
         const char *command)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hm_faultfs_control (fixture->fs, command, &error));
  g_assert_no_error (error);
}

static int
open_through_mount (Fixture *fixture,
                    int      flags)
{
  int fd = open (fixture->path, flags | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  return fd;
}

/* Reads @len bytes at @offset and checks they are the backing bytes. */
static void
assert_pread_ok (Fixture *fixture,
                 int      fd,
                 goffset  offset,
                 gsize    len)
{
  g_autofree guint8 *buf = g_malloc (len);
  ssize_t n = pread (fd, buf, len, offset);

  g_assert_cmpint (n, ==, (ssize_t) len);
  g_assert_cmpmem (buf, len, fixture->bytes + offset, len);
}

static void
assert_pread_fails (int     fd,
                    goffset offset,
                    gsize   len,
                    int     expected_errno)
{
  g_autofree guint8 *buf = g_malloc (len);
  ssize_t n = pread (fd, buf, len, offset);
  int saved = errno;

  g_assert_cmpint (n, ==, -1);
  g_assert_cmpint (saved, ==, expected_errno);
}

/* --- SIGBUS catching, for reads through a mapping ---------------------- */

static sigjmp_buf bus_jump;
static volatile sig_atomic_t bus_armed;

static void
bus_handler (int        sig,
             siginfo_t *info,
             void      *context)
{
  if (bus_armed)
    siglongjmp (bus_jump, 1);
  signal (SIGBUS, SIG_DFL); /* not ours: fault again and die with a core */
}

/* Returns FALSE if reading *@p raised SIGBUS. */
static gboolean
try_read_byte (const volatile guint8 *p,
               guint8                *out)
{
  struct sigaction sa;
  struct sigaction old;
  gboolean ok;

  memset (&sa, 0, sizeof sa);
  sa.sa_sigaction = bus_handler;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGBUS, &sa, &old);

  if (sigsetjmp (bus_jump, 1) == 0)
    {
      bus_armed = 1;
      *out = *p;
      ok = TRUE;
    }
  else
    ok = FALSE;
  bus_armed = 0;

  sigaction (SIGBUS, &old, NULL);
  return ok;
}

/* --- tests ------------------------------------------------------------- */

static void
test_passthrough (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st_mount;
  struct stat st_backing;
  const char *name;
  gboolean seen = FALSE;
  guint8 patch[3] = { 0xde, 0xad, 0x42 };
  guint8 check[3];
  int fd;
  int bfd;

  dir = g_dir_open (hm_faultfs_get_mountpoint (fixture->fs), 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    seen |= g_str_equal (name, FILE_NAME);
  g_assert_true (seen);

  g_assert_cmpint (stat (fixture->path, &st_mount), ==, 0);
  g_assert_cmpint (stat (fixture->backing_file, &st_backing), ==, 0);
  g_assert_cmpint (st_mount.st_size, ==, FILE_SIZE);
  g_assert_cmpuint (st_mount.st_ino, ==, st_backing.st_ino);

  fd = open_through_mount (fixture, O_RDWR);
  assert_pread_ok (fixture, fd, 0, FILE_SIZE);
  assert_pread_ok (fixture, fd, 12345, 777);

  /* Writes land in the backing file. */
  g_assert_cmpint (pwrite (fd, patch, sizeof patch, 5000), ==, sizeof patch);
  g_assert_cmpint (fsync (fd), ==, 0);
  g_assert_cmpint (close (fd), ==, 0);
  bfd = open (fixture->backing_file, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (pread (bfd, check, sizeof check, 5000), ==, sizeof check);
  g_assert_cmpmem (check, sizeof check, patch, sizeof patch);
  close (bfd);
}

static void
test_holes (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *sparse_backing = g_build_filename (fixture->backing, "sparse.img", NULL);
  g_autofree char *sparse = hm_faultfs_build_path (fixture->fs, "sparse.img");
  const goffset size = 16 * 1024 * 1024;
  const goffset data_at = 8 * 1024 * 1024;
  struct stat before;
  struct stat after;
  guint8 page[PAGE];
  int bfd;
  int fd;

  memset (page, 0xab, sizeof page);
  bfd = open (sparse_backing, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  g_assert_cmpint (bfd, >=, 0);
  g_assert_cmpint (ftruncate (bfd, size), ==, 0);
  g_assert_cmpint (pwrite (bfd, page, sizeof page, data_at), ==, sizeof page);
  g_assert_cmpint (fsync (bfd), ==, 0);

  if (lseek (bfd, 0, SEEK_DATA) != data_at)
    {
      close (bfd);
      g_test_skip ("the backing filesystem does not report holes");
      return;
    }

  /* The mount shows the holes the backing file has. */
  fd = open (sparse, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (lseek (fd, 0, SEEK_DATA), ==, data_at);
  g_assert_cmpint (lseek (fd, data_at, SEEK_HOLE), ==, lseek (bfd, data_at, SEEK_HOLE));
  g_assert_cmpint (lseek (fd, 0, SEEK_HOLE), ==, 0);
  g_assert_cmpint (lseek (fd, data_at + PAGE, SEEK_DATA), ==, -1);
  g_assert_cmpint (errno, ==, ENXIO);

  /* fallocate passes through and allocates blocks (ext4 still reports
   * unwritten extents as holes, so count blocks). */
  g_assert_cmpint (fstat (fd, &before), ==, 0);
  g_assert_cmpint (fallocate (fd, 0, 0, 16 * PAGE), ==, 0);
  g_assert_cmpint (fstat (fd, &after), ==, 0);
  g_assert_cmpint (after.st_blocks, >=, before.st_blocks + 16 * PAGE / 512);

  control (fixture, "fallocate-error ENOSPC");
  g_assert_cmpint (fallocate (fd, 0, PAGE, PAGE), ==, -1);
  g_assert_cmpint (errno, ==, ENOSPC);

  close (fd);
  close (bfd);
}

static void
test_read_eio (Fixture       *fixture,
               gconstpointer  data)
{
  const goffset bad = 64 * PAGE;
  int fd;

  control (fixture, "read-eio 0x40000 4096");
  g_assert_cmpint (bad, ==, 0x40000);
  control (fixture, "read-eio 0xc0000 1"); /* a second range */

  fd = open_through_mount (fixture, O_RDONLY);
  assert_pread_fails (fd, bad, 16, EIO);
  assert_pread_fails (fd, bad + 2048, 100, EIO);
  assert_pread_fails (fd, 0xc0000, 1, EIO);
  assert_pread_ok (fixture, fd, bad - PAGE, PAGE);
  assert_pread_ok (fixture, fd, bad + PAGE, PAGE);
  assert_pread_ok (fixture, fd, 0, 4 * PAGE);
  assert_pread_ok (fixture, fd, FILE_SIZE - PAGE, PAGE);

  /* A failed read is not cached: once cleared, the same fd reads it. */
  control (fixture, "clear");
  assert_pread_ok (fixture, fd, bad, PAGE);
  assert_pread_ok (fixture, fd, 0xc0000, 16);
  close (fd);
}

static void
test_mmap_sigbus (Fixture       *fixture,
                  gconstpointer  data)
{
  const goffset bad = 64 * PAGE;
  const guint8 *map;
  guint8 byte = 0;
  int fd;

  control (fixture, "read-eio 0x40000 4096");

  fd = open_through_mount (fixture, O_RDONLY);
  map = mmap (NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);

  g_assert_true (try_read_byte (map + bad - 1, &byte));
  g_assert_cmpuint (byte, ==, fixture->bytes[bad - 1]);
  g_assert_false (try_read_byte (map + bad + 10, &byte));
  g_assert_false (try_read_byte (map + bad, &byte)); /* again: still fails */
  g_assert_true (try_read_byte (map + bad + PAGE, &byte));
  g_assert_cmpuint (byte, ==, fixture->bytes[bad + PAGE]);

  /* Retry after the fault is gone: the page is read again. */
  control (fixture, "clear");
  g_assert_true (try_read_byte (map + bad + 10, &byte));
  g_assert_cmpuint (byte, ==, fixture->bytes[bad + 10]);

  munmap ((void *) map, FILE_SIZE);
  close (fd);
}

static void
test_msync_error (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *command = data == NULL ? "flush-error EIO" : "write-error ENOSPC";
  int expected = data == NULL ? EIO : ENOSPC;
  guint8 *map;
  int fd;
  int res;
  int saved;

  fd = open_through_mount (fixture, O_RDWR);
  map = mmap (NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);

  control (fixture, command);
  map[100] ^= 0xff; /* stores never fault on FUSE */
  res = msync (map, FILE_SIZE, MS_SYNC);
  saved = errno;
  g_assert_cmpint (res, ==, -1);
  g_assert_cmpint (saved, ==, expected);

  control (fixture, "clear");
  munmap (map, FILE_SIZE);
  close (fd);
}

static void
test_write_error (Fixture       *fixture,
                  gconstpointer  data)
{
  guint8 byte = 1;
  int fd;

  fd = open_through_mount (fixture, O_RDWR);
  control (fixture, "write-error ENOSPC");
  g_assert_cmpint (pwrite (fd, &byte, 1, 0), ==, -1);
  g_assert_cmpint (errno, ==, ENOSPC);
  control (fixture, "write-error EIO");
  g_assert_cmpint (pwrite (fd, &byte, 1, 0), ==, -1);
  g_assert_cmpint (errno, ==, EIO);

  /* flush-error shows at fsync and at close. */
  control (fixture, "clear");
  control (fixture, "flush-error ENOSPC");
  g_assert_cmpint (fsync (fd), ==, -1);
  g_assert_cmpint (errno, ==, ENOSPC);
  g_assert_cmpint (close (fd), ==, -1);
  g_assert_cmpint (errno, ==, ENOSPC);
}

static void
test_latency (Fixture       *fixture,
              gconstpointer  data)
{
  guint8 buf[PAGE];
  gint64 start;
  gint64 elapsed;
  int fd;

  control (fixture, "latency 50");
  fd = open_through_mount (fixture, O_RDONLY); /* open drops cached pages */

  start = g_get_monotonic_time ();
  g_assert_cmpint (pread (fd, buf, sizeof buf, 200 * PAGE), ==, sizeof buf);
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("cold read with latency 50: %" G_GINT64_FORMAT " us", elapsed);
  /* The latency is applied (a lower bound cannot fail by chance). */
  g_assert_cmpint (elapsed, >=, 50 * 1000);
  g_assert_cmpmem (buf, sizeof buf, fixture->bytes + 200 * PAGE, sizeof buf);

  control (fixture, "clear");
  close (fd);
}

typedef struct
{
  int fd;
  gint done;
} HangRead;

static gpointer
hang_read_thread (gpointer data)
{
  HangRead *hang = data;
  guint8 byte;
  ssize_t n = pread (hang->fd, &byte, 1, 100 * PAGE);

  g_atomic_int_set (&hang->done, 1);
  return GINT_TO_POINTER (n == 1);
}

static void
test_hang (Fixture       *fixture,
           gconstpointer  data)
{
  HangRead hang = { -1, 0 };
  struct stat st;
  GThread *thread;

  hang.fd = open_through_mount (fixture, O_RDONLY);
  control (fixture, "hang");
  thread = g_thread_new ("hang-read", hang_read_thread, &hang);

  g_usleep (150 * 1000);
  g_assert_cmpint (g_atomic_int_get (&hang.done), ==, 0);
  /* Metadata still answers while reads hang. */
  g_assert_cmpint (stat (fixture->path, &st), ==, 0);

  control (fixture, "clear");
  g_assert_true (GPOINTER_TO_INT (g_thread_join (thread)));
  close (hang.fd);
}

/* Stopping must not wait for reads stuck in "hang": they fail instead. */
static void
test_stop_while_hung (Fixture       *fixture,
                      gconstpointer  data)
{
  HangRead hang = { -1, 0 };
  GThread *thread;
  gint64 start;

  hang.fd = open_through_mount (fixture, O_RDONLY);
  control (fixture, "hang");
  thread = g_thread_new ("hang-read", hang_read_thread, &hang);
  g_usleep (100 * 1000);
  g_assert_cmpint (g_atomic_int_get (&hang.done), ==, 0);

  start = g_get_monotonic_time ();
  /* The daemon ends on SIGTERM by itself, without the harness's SIGKILL
   * fallback: the hung read gives up. */
  g_assert_true (hm_faultfs_stop_clean (g_steal_pointer (&fixture->fs)));
  g_assert_false (GPOINTER_TO_INT (g_thread_join (thread)));
  g_test_message ("stop with a hung read: %" G_GINT64_FORMAT " us",
                  g_get_monotonic_time () - start);
  close (hang.fd);
}

static void
test_shrink (Fixture       *fixture,
             gconstpointer  data)
{
  const goffset new_size = 2 * PAGE + 100;
  const guint8 *map;
  struct stat st;
  guint8 byte = 0;
  guint8 buf[16];
  int fd;

  fd = open_through_mount (fixture, O_RDONLY);
  map = mmap (NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  g_assert_true (try_read_byte (map + 10 * PAGE, &byte)); /* now cached */
  g_assert_cmpuint (byte, ==, fixture->bytes[10 * PAGE]);

  control (fixture, "shrink " FILE_NAME " 8292");
  g_assert_cmpint (new_size, ==, 8292);

  g_assert_cmpint (fstat (fd, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, new_size);
  g_assert_cmpint (pread (fd, buf, sizeof buf, 10 * PAGE), ==, 0);

  /* The mapping behaves like a truncated local file: SIGBUS past the end,
   * the bytes below it still read. */
  g_assert_false (try_read_byte (map + 10 * PAGE, &byte));
  g_assert_true (try_read_byte (map + new_size - 1, &byte));
  g_assert_cmpuint (byte, ==, fixture->bytes[new_size - 1]);

  munmap ((void *) map, FILE_SIZE);
  close (fd);
}

static void
test_invalidate (Fixture       *fixture,
                 gconstpointer  data)
{
  const guint8 *map;
  guint8 byte = 0;
  guint8 changed;
  int fd;
  int bfd;

  fd = open_through_mount (fixture, O_RDONLY);
  map = mmap (NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  g_assert_true (try_read_byte (map + 5 * PAGE, &byte));
  g_assert_cmpuint (byte, ==, fixture->bytes[5 * PAGE]);

  /* Changed "on the server": the cached page is stale until invalidated. */
  changed = (guint8) ~fixture->bytes[5 * PAGE];
  bfd = open (fixture->backing_file, O_WRONLY | O_CLOEXEC);
  g_assert_cmpint (pwrite (bfd, &changed, 1, 5 * PAGE), ==, 1);
  close (bfd);

  control (fixture, "invalidate " FILE_NAME);
  g_assert_true (try_read_byte (map + 5 * PAGE, &byte));
  g_assert_cmpuint (byte, ==, changed);

  munmap ((void *) map, FILE_SIZE);
  close (fd);
}

static void
test_disconnect (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *mountpoint = g_strdup (hm_faultfs_get_mountpoint (fixture->fs));
  g_autofree char *mountinfo = NULL;
  struct stat st;
  guint8 buf[16];
  int fd;

  fd = open_through_mount (fixture, O_RDONLY);
  control (fixture, "disconnect");

  g_assert_cmpint (stat (fixture->path, &st), ==, -1);
  g_assert_cmpint (errno, ==, ENOTCONN);
  g_assert_cmpint (pread (fd, buf, sizeof buf, 0), ==, -1);
  g_assert_cmpint (errno, ==, ENOTCONN);
  close (fd);

  /* The daemon is gone: commands fail instead of hanging. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (hm_faultfs_control (fixture->fs, "clear", &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  }

  g_clear_pointer (&fixture->fs, hm_faultfs_stop);
  g_assert_false (g_file_test (mountpoint, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  g_assert_null (strstr (mountinfo, mountpoint));
}

static void
test_control_errors (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *bad[] = {
    "bogus", "latency", "latency -1", "latency 10 20", "read-eio 0",
    "read-eio 0 0", "read-eio x 10", "write-error EWHAT", "flush-error",
    "shrink ../etc 0", "shrink missing.bin 0", "shrink " FILE_NAME " 1x",
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (hm_faultfs_control (fixture->fs, bad[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }

  control (fixture, "  ping  ");
  g_assert_true (hm_faultfs_controlf (fixture->fs, NULL, "read-eio %d %d", 0, 1));
  control (fixture, "clear");
}

int
main (int   argc,
      char *argv[])
{
  hm_faultfs_skip_unless_available (argc, argv);

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/hm/faultfs/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("passthrough", test_passthrough, NULL);
  ADD ("holes", test_holes, NULL);
  ADD ("read-eio", test_read_eio, NULL);
  ADD ("mmap-sigbus", test_mmap_sigbus, NULL);
  ADD ("msync-flush-eio", test_msync_error, NULL);
  ADD ("msync-write-enospc", test_msync_error, GINT_TO_POINTER (1));
  ADD ("write-error", test_write_error, NULL);
  ADD ("latency", test_latency, NULL);
  ADD ("hang", test_hang, NULL);
  ADD ("stop-while-hung", test_stop_while_hung, NULL);
  ADD ("shrink", test_shrink, NULL);
  ADD ("invalidate", test_invalidate, NULL);
  ADD ("disconnect", test_disconnect, NULL);
  ADD ("control-errors", test_control_errors, NULL);

#undef ADD

  return g_test_run ();
}
