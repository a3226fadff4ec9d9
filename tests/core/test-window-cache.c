/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Window math, LRU eviction and pinning, and reads from two threads at once. */
#include "config.h"

#include <fcntl.h>
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
  g_test_add_func ("/hm/window-cache/lru-and-pinning", test_lru_and_pinning);
  g_test_add_func ("/hm/window-cache/growth", test_growth);
  g_test_add_func ("/hm/window-cache/threads", test_threads);

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}
