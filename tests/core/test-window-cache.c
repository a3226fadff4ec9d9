/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Window math, LRU eviction and pinning, and reads from two threads at once. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hm-document.h"
#include "hm-test-util.h"
#include "hm-window-cache.h"

#define PAGE 4096
#define WIN  (2 * PAGE)

static void
check_read (HmDocument   *doc,
            const guint8 *contents,
            gsize         size,
            guint64       offset,
            gsize         length)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (length + 1);
  gsize expected = offset >= size ? 0 : MIN (length, size - offset);
  gssize n = hm_document_read (doc, offset, buf, length, &error);

  g_assert_no_error (error);
  g_assert_cmpint (n, ==, (gssize) expected);
  if (expected > 0)
    g_assert_cmpmem (buf, expected, contents + offset, expected);
}

/* Every offset near a window boundary, every length that crosses one or two. */
static void
test_boundaries (void)
{
  gsize size = 5 * WIN + 123;  /* ends in a partial page */
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("bounds.bin", size, 42, &contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, WIN, &error);
  const gsize lengths[] = { 0, 1, 2, 7, PAGE - 1, PAGE, PAGE + 1, WIN, WIN + 1, 2 * WIN + 3, size };

  g_assert_no_error (error);
  g_assert_cmpuint (hm_document_get_window_size (doc), ==, WIN);

  for (guint64 boundary = 0; boundary <= size + WIN; boundary += WIN)
    for (gint64 delta = -3; delta <= 3; delta++)
      for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
        {
          if ((gint64) boundary + delta < 0)
            continue;
          check_read (doc, contents, size, (guint64) ((gint64) boundary + delta), lengths[i]);
        }

  /* The last partial page, and the very last byte. */
  check_read (doc, contents, size, size - 123, 200);
  check_read (doc, contents, size, size - 1, 1);
  check_read (doc, contents, size, size, 1);
  check_read (doc, contents, size, G_MAXUINT64 - 5, 4);
}

static void
test_window_size_default (void)
{
  g_autofree char *path = hm_test_write_random ("default.bin", 100, 1, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (hm_document_get_window_size (doc), ==, 16 * 1024 * 1024);
  g_clear_object (&doc);

  /* Not a power of two: the default, not a broken cache. */
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 3 * PAGE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hm_document_get_window_size (doc), ==, 16 * 1024 * 1024);
}

/* Offsets past 4 GiB and near the end of a 1 TiB sparse file. */
static void
test_large_offsets (void)
{
  const guint64 tib = G_GUINT64_CONSTANT (1) << 40;
  const guint64 above4g = (G_GUINT64_CONSTANT (4) << 30) + 12345;
  g_autofree char *path = hm_test_make_sparse ("tib.bin", tib);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = NULL;
  guint8 marker[300];
  guint8 buf[600];

  for (guint i = 0; i < sizeof marker; i++)
    marker[i] = (guint8) (i * 7 + 1);
  hm_test_pwrite (path, above4g, marker, sizeof marker);
  hm_test_pwrite (path, tib - sizeof marker, marker, sizeof marker);

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hm_document_get_size (doc), ==, tib);

  /* Straddling a 16 MiB window boundary above 4 GiB. */
  g_assert_cmpint (hm_document_read (doc, above4g - 150, buf, sizeof buf, &error), ==, sizeof buf);
  g_assert_no_error (error);
  for (guint i = 0; i < 150; i++)
    g_assert_cmpuint (buf[i], ==, 0);
  g_assert_cmpmem (buf + 150, sizeof marker, marker, sizeof marker);

  /* The last 256 bytes of the file, and a read running past the end. */
  g_assert_cmpint (hm_document_read (doc, tib - 256, buf, 256, &error), ==, 256);
  g_assert_cmpmem (buf, 256, marker + sizeof marker - 256, 256);
  g_assert_cmpint (hm_document_read (doc, tib - 10, buf, 100, &error), ==, 10);
  g_assert_no_error (error);

  /* Bounded: however far we jumped, only a few windows are mapped. */
  g_assert_cmpuint (hm_document_get_n_mapped_windows (doc), <=, 4);
}

/* The largest file: mmap refuses a mapping whose page-rounded end passes 2^63 - 1,
 * so the window holding the last page maps up to it and copies the rest. */
static void
test_layout_largest (void)
{
  const guint64 size = (guint64) G_MAXINT64;
  const guint64 page = (guint64) sysconf (_SC_PAGESIZE);
  const guint64 limit = size & ~(page - 1);  /* 0x7ffffffffffff000 with 4 KiB pages */
  const gsize mib16 = 16 * 1024 * 1024;
  guint64 start;
  gsize length, mapped;

  g_assert_cmphex (limit, ==, size - (page - 1));

  /* 16 MiB windows: the last one ends a page short of the file */
  hm_window_cache_layout (mib16, size - 1, size, &start, &length, &mapped);
  g_assert_cmphex (start, ==, G_GUINT64_CONSTANT (0x7fffffffff000000));
  g_assert_cmpuint (length, ==, mib16 - 1);
  g_assert_cmpuint (mapped, ==, mib16 - page);
  g_assert_cmphex (start + mapped, ==, limit);
  hm_window_cache_layout (mib16, limit - 1, size, &start, &length, &mapped);
  g_assert_cmpuint (mapped, ==, mib16 - page);
  hm_window_cache_layout (mib16, start - 1, size, &start, &length, &mapped);
  g_assert_cmpuint (length, ==, mib16);
  g_assert_cmpuint (mapped, ==, mib16);
  hm_window_cache_layout (mib16, 0, size, &start, &length, &mapped);
  g_assert_cmpuint (start, ==, 0);
  g_assert_cmpuint (mapped, ==, mib16);

  /* One-page windows: the last one is all copy */
  hm_window_cache_layout (page, size - 1, size, &start, &length, &mapped);
  g_assert_cmphex (start, ==, limit);
  g_assert_cmpuint (length, ==, page - 1);
  g_assert_cmpuint (mapped, ==, 0);
  hm_window_cache_layout (page, limit - 1, size, &start, &length, &mapped);
  g_assert_cmphex (start, ==, limit - page);
  g_assert_cmpuint (length, ==, page);
  g_assert_cmpuint (mapped, ==, page);
  hm_window_cache_layout (WIN, size - 1, size, &start, &length, &mapped);
  g_assert_cmphex (start, ==, limit - page);
  g_assert_cmpuint (length, ==, WIN - 1);
  g_assert_cmpuint (mapped, ==, page);

  /* A file that ends at the limit, or anywhere below it, is mapped whole */
  hm_window_cache_layout (mib16, limit - 1, limit, &start, &length, &mapped);
  g_assert_cmpuint (mapped, ==, length);
  g_assert_cmpuint (length, ==, mib16 - page);
  hm_window_cache_layout (WIN, 5 * WIN + 7, 5 * WIN + 123, &start, &length, &mapped);
  g_assert_cmpuint (start, ==, 5 * WIN);
  g_assert_cmpuint (length, ==, 123);
  g_assert_cmpuint (mapped, ==, 123);
}

/* A sparse file of 2^63 - 1 bytes where the filesystem allows one: the test's
 * folder, else tmpfs (ext4 stops at 16 TiB; XFS is tried in test-faults-root). */
static char *
make_largest_file (void)
{
  const char *dirs[] = { hm_test_tmpdir (), "/dev/shm" };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (dirs[i], "largest-XXXXXX", NULL);
      int fd = g_mkstemp (path);

      if (fd < 0)
        continue;
      if (ftruncate (fd, (off_t) G_MAXINT64) == 0)
        {
          close (fd);
          return g_steal_pointer (&path);
        }
      close (fd);
      unlink (path);
    }
  return NULL;
}

static void
check_largest_read (HmDocument   *doc,
                    guint64       offset,
                    const guint8 *expected,
                    gsize         length)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (length);

  g_assert_cmpint (hm_document_read (doc, offset, buf, length, &error), ==, (gssize) length);
  g_assert_no_error (error);
  g_assert_cmpmem (buf, length, expected, length);
}

typedef struct
{
  HmDocument   *doc;
  const guint8 *tail;
  gsize         tail_length;
} LargestData;

static gpointer
largest_thread (gpointer user_data)
{
  LargestData *data = user_data;
  const guint64 size = (guint64) G_MAXINT64;

  for (guint i = 0; i < 300; i++)
    {
      guint8 buf[64];

      check_largest_read (data->doc, size - data->tail_length, data->tail, data->tail_length);
      /* Other windows, so the last one gets evicted now and then */
      for (guint k = 0; k < 2; k++)
        g_assert_cmpint (hm_document_read (data->doc, (guint64) g_random_int_range (0, 16) * PAGE,
                                           buf, sizeof buf, NULL), ==, sizeof buf);
    }
  return NULL;
}

static void
test_largest_file (void)
{
  const guint64 size = (guint64) G_MAXINT64;
  const guint64 limit = size & ~((guint64) sysconf (_SC_PAGESIZE) - 1);
  const guint8 head[] = "The first bytes";
  const guint8 tail[] = "...the last ones";  /* 16 bytes and the NUL: the file's end */
  const guint8 across[] = "across the limit";
  const gsize window_sizes[] = { 0, WIN, PAGE };
  g_autofree char *path = make_largest_file ();
  guint8 byte;
  guint8 buf[64];

  if (path == NULL)
    {
      g_test_skip ("no filesystem here takes a file of 2^63 - 1 bytes");
      return;
    }

  hm_test_pwrite (path, 0, head, sizeof head);
  hm_test_pwrite (path, limit - 8, across, 16);
  hm_test_pwrite (path, size - sizeof tail, tail, sizeof tail);
  for (guint64 k = 1; k < 16; k++)
    hm_test_pwrite (path, k * PAGE, head, 1);  /* data, not holes: they need windows */

  for (guint i = 0; i < G_N_ELEMENTS (window_sizes); i++)
    for (HmDocumentMode mode = HM_DOCUMENT_MODE_READ_ONLY; mode <= HM_DOCUMENT_MODE_DIRECT; mode++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(HmDocument) doc = hm_document_new_full (path, mode, window_sizes[i], &error);

        g_test_message ("window size %zu, mode %d", window_sizes[i], mode);
        g_assert_no_error (error);
        g_assert_cmpuint (hm_document_get_size (doc), ==, size);

        check_largest_read (doc, 0, head, sizeof head);
        check_largest_read (doc, limit - 24, (const guint8 *) "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
        check_largest_read (doc, limit - 8, across, 8);

        if (mode == HM_DOCUMENT_MODE_DIRECT)
          {
            /* A copy of the last page could never carry a store back to the file */
            g_assert_cmpint (hm_document_read (doc, limit, &byte, 1, &error), ==, -1);
            g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
            continue;
          }

        check_largest_read (doc, limit - 8, across, 16);
        check_largest_read (doc, size - sizeof tail, tail, sizeof tail);
        /* Asking for more stops at the end */
        g_assert_cmpint (hm_document_read (doc, size - 2, buf, sizeof buf, &error), ==, 2);
        g_assert_no_error (error);
        g_assert_cmpmem (buf, 2, tail + sizeof tail - 2, 2);
        g_assert_cmpint (hm_document_read (doc, size - 1, &byte, 1, &error), ==, 1);
        g_assert_no_error (error);
        g_assert_cmpuint (byte, ==, 0);
        g_assert_cmpint (hm_document_read (doc, size - 2, &byte, 1, &error), ==, 1);
        g_assert_cmpuint (byte, ==, 's');
      }

  /* Threads racing to map the copied page, while other windows evict it */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, PAGE, &error);
    LargestData data = { doc, tail, sizeof tail };
    GThread *threads[3];

    g_assert_no_error (error);
    for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
      threads[i] = g_thread_new ("largest", largest_thread, &data);
    for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
      g_thread_join (threads[i]);
  }

  unlink (path);
}

/* Idle windows are evicted oldest first; pinned and in-use ones never are. */
static void
test_lru_and_pinning (void)
{
  gsize size = 32 * WIN;
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("lru.bin", size, 3, &contents);
  int fd = open (path, O_RDONLY);
  HmWindowCache *cache = hm_window_cache_new (WIN, 4);
  HmWindow *pinned, *held, *again;
  guint8 *pinned_data;
  g_autoptr(GError) error = NULL;

  hm_window_cache_set_mapping (cache, fd, PROT_READ, MAP_SHARED);

  pinned = hm_window_cache_acquire (cache, 3 * WIN + 5, size, HM_ACCESS_RANDOM, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pinned->offset, ==, 3 * WIN);
  g_assert_cmpuint (pinned->length, ==, WIN);
  hm_window_cache_pin (cache, pinned);
  pinned_data = pinned->data;
  hm_window_cache_release (cache, pinned);

  held = hm_window_cache_acquire (cache, 7 * WIN, size, HM_ACCESS_RANDOM, &error);
  g_assert_no_error (error);

  /* Pressure: map every other window twice over. */
  for (int round = 0; round < 2; round++)
    for (guint64 off = 0; off < size; off += WIN)
      {
        HmWindow *w = hm_window_cache_acquire (cache, off, size, HM_ACCESS_SEQUENTIAL, &error);

        g_assert_no_error (error);
        g_assert_cmpuint (w->offset, ==, off);
        hm_window_cache_release (cache, w);
        /* 4 idle + the pinned one + the held one, at most. */
        g_assert_cmpuint (hm_window_cache_get_n_mapped (cache), <=, 6);
      }

  /* The held window is still mapped and correct. */
  g_assert_cmpmem (held->data, WIN, contents + 7 * WIN, WIN);
  hm_window_cache_release (cache, held);

  /* The pinned window survived: the same mapping comes back. */
  again = hm_window_cache_acquire (cache, 3 * WIN, size, HM_ACCESS_RANDOM, &error);
  g_assert_true (again->data == pinned_data);
  g_assert_cmpuint (hm_window_cache_get_n_pinned (cache), ==, 1);
  hm_window_cache_release (cache, again);

  /* Unpinned, it becomes ordinary and is evicted under pressure. */
  hm_window_cache_unpin_all (cache);
  g_assert_cmpuint (hm_window_cache_get_n_pinned (cache), ==, 0);
  for (guint64 off = 10 * WIN; off < 20 * WIN; off += WIN)
    hm_window_cache_release (cache, hm_window_cache_acquire (cache, off, size, HM_ACCESS_RANDOM, &error));
  g_assert_cmpuint (hm_window_cache_get_n_mapped (cache), ==, 4);

  /* Dropping a window in use unmaps it only when released. */
  held = hm_window_cache_acquire (cache, 0, size, HM_ACCESS_RANDOM, &error);
  hm_window_cache_drop (cache, TRUE);
  g_assert_cmpuint (hm_window_cache_get_n_mapped (cache), ==, 1);
  g_assert_cmpmem (held->data, WIN, contents, WIN);
  hm_window_cache_release (cache, held);
  g_assert_cmpuint (hm_window_cache_get_n_mapped (cache), ==, 0);

  hm_window_cache_free (cache);
  close (fd);
}

/* The last window grows with the file. */
static void
test_growth (void)
{
  g_autofree char *path = hm_test_write_random ("grow.bin", PAGE + 10, 5, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, WIN, &error);
  guint8 buf[32];
  guint8 tail[20];

  memset (tail, 0xab, sizeof tail);
  g_assert_cmpint (hm_document_read (doc, PAGE, buf, sizeof buf, &error), ==, 10);
  hm_test_pwrite (path, PAGE + 10, tail, sizeof tail);
  g_assert_true (hm_document_refresh (doc, &error));
  g_assert_cmpuint (hm_document_get_size (doc), ==, PAGE + 30);
  g_assert_cmpint (hm_document_read (doc, PAGE + 10, buf, sizeof buf, &error), ==, 20);
  g_assert_cmpmem (buf, 20, tail, 20);
}

typedef struct
{
  HmDocument   *doc;
  const guint8 *contents;
  gsize         size;
  guint32       seed;
} ReaderData;

static gpointer
reader_thread (gpointer user_data)
{
  ReaderData *data = user_data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (data->seed);

  for (int i = 0; i < 3000; i++)
    {
      guint64 offset = g_rand_int_range (rand, 0, (gint32) data->size);
      gsize length = g_rand_int_range (rand, 0, 3 * WIN);

      check_read (data->doc, data->contents, data->size, offset, length);
    }
  return NULL;
}

static void
test_threads (void)
{
  gsize size = 64 * WIN + 77;
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("threads.bin", size, 9, &contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, WIN, &error);
  ReaderData data[3];
  GThread *threads[3];

  for (guint i = 0; i < 3; i++)
    {
      data[i] = (ReaderData) { doc, contents, size, i + 100 };
      threads[i] = g_thread_new ("reader", reader_thread, &data[i]);
    }
  for (guint i = 0; i < 3; i++)
    g_thread_join (threads[i]);
  g_assert_cmpuint (hm_document_get_n_mapped_windows (doc), <=, 4);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/window-cache/boundaries", test_boundaries);
  g_test_add_func ("/hm/window-cache/window-size-default", test_window_size_default);
  g_test_add_func ("/hm/window-cache/large-offsets", test_large_offsets);
  g_test_add_func ("/hm/window-cache/layout-largest", test_layout_largest);
  g_test_add_func ("/hm/window-cache/largest-file", test_largest_file);
  g_test_add_func ("/hm/window-cache/lru-and-pinning", test_lru_and_pinning);
  g_test_add_func ("/hm/window-cache/growth", test_growth);
  g_test_add_func ("/hm/window-cache/threads", test_threads);

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}
