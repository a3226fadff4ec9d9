/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sequential scan throughput on one thread, next to `cat FILE > /dev/null` on
 * the same file in the same run (warm page cache for both: the file is read
 * once before timing): through the window cache, one guarded call per window,
 * and through the bulk reader (hm-bulk.c) on each read path and on the one it
 * chooses. Each scan sums every byte.
 *
 *   bench-scan [SIZE_GIB]      default 4 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "hm-bulk.h"
#include "hm-document-private.h"
#include "hm-fault.h"

typedef struct
{
  const guint8 *data;
  gsize         length;
  guint64       sum;
} SumArgs;

static void
sum_bytes (gpointer user_data)
{
  SumArgs *args = user_data;
  const guint64 *words = (const guint64 *) args->data;
  gsize n = args->length / 8;
  guint64 sum = 0;

  /* Sum 8 bytes at a time with a lane-wise add; cheap enough to measure memory speed. */
  for (gsize i = 0; i < n; i++)
    sum += (words[i] & 0x00ff00ff00ff00ffull) + ((words[i] >> 8) & 0x00ff00ff00ff00ffull);
  for (gsize i = n * 8; i < args->length; i++)
    sum += args->data[i];
  args->sum = sum;
}

static double
scan_document (const char *path,
               guint64    *checksum)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  guint64 size, offset = 0, total = 0;
  gint64 start;

  g_assert_no_error (error);
  size = hm_document_get_size (doc);
  start = g_get_monotonic_time ();
  while (offset < size)
    {
      HmWindow *w = _hm_document_acquire_window (doc, offset, HM_ACCESS_SEQUENTIAL, &error);
      SumArgs args;

      g_assert_no_error (error);
      args = (SumArgs) { w->data, w->length, 0 };
      g_assert_true (hm_fault_guard_run (w->data, w->length, sum_bytes, &args, NULL));
      total += args.sum;
      offset = w->offset + w->length;
      _hm_document_release_window (doc, w);
    }
  *checksum = total;
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
scan_bulk (const char *path,
           HmBulkPath  bulk_path,
           guint64    *checksum)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  g_autoptr(HmBulk) bulk = NULL;
  HmBulkBlock block;
  guint64 total = 0;
  gint64 start;

  g_assert_no_error (error);
  hm_bulk_set_path (bulk_path);
  start = g_get_monotonic_time ();
  bulk = hm_bulk_new (doc, 0, hm_document_get_size (doc), HM_BULK_ZERO_HOLES);
  while (hm_bulk_next (bulk, &block, &error))
    {
      SumArgs args = { block.data, (gsize) block.length, 0 };

      g_assert_true (hm_bulk_run (bulk, &block, sum_bytes, &args, NULL, &error));
      total += args.sum;
    }
  g_assert_no_error (error);
  *checksum = total;
  hm_bulk_set_path (HM_BULK_PATH_AUTO);
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
time_command (const char *command)
{
  gint64 start = g_get_monotonic_time ();
  int status;

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
row (const char *what,
     double      figure,
     double      baseline)
{
  g_print ("%-40s %9.2f %-30s %9.2f %6.2fx\n", what, figure, "cat FILE > /dev/null", baseline,
           baseline > 0 ? figure / baseline : 0.0);
}

int
main (int   argc,
      char *argv[])
{
  guint64 gib = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 4;
  guint64 size = gib << 30;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "hexmap-bench-scan.bin", NULL);
  g_autofree char *cat = g_strdup_printf ("sh -c 'cat \"%s\" > /dev/null'", path);
  g_autofree guint8 *block = g_malloc (1 << 20);
  double best_scan = G_MAXDOUBLE, best_cat = G_MAXDOUBLE;
  double best_auto = G_MAXDOUBLE, best_pread = G_MAXDOUBLE, best_map = G_MAXDOUBLE;
  guint64 checksum = 0, sum_auto = 0, sum_pread = 0, sum_map = 0;
  HmBulkPath chosen = HM_BULK_PATH_PREAD;
  int fd;

  /* Real data (no holes, or the scan would skip them). */
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  for (gsize i = 0; i < (1 << 20); i++)
    block[i] = (guint8) (i * 2654435761u >> 13);
  for (guint64 off = 0; off < size; off += 1 << 20)
    g_assert_cmpint (write (fd, block, 1 << 20), ==, 1 << 20);
  close (fd);

  time_command (cat);  /* warm the page cache */
  for (int round = 0; round < 3; round++)
    {
      best_scan = MIN (best_scan, scan_document (path, &checksum));
      best_cat = MIN (best_cat, time_command (cat));
      best_auto = MIN (best_auto, scan_bulk (path, HM_BULK_PATH_AUTO, &sum_auto));
      best_pread = MIN (best_pread, scan_bulk (path, HM_BULK_PATH_PREAD, &sum_pread));
      best_map = MIN (best_map, scan_bulk (path, HM_BULK_PATH_MAP, &sum_map));
    }
  g_assert_cmpuint (sum_auto, ==, checksum);
  g_assert_cmpuint (sum_pread, ==, checksum);
  g_assert_cmpuint (sum_map, ==, checksum);
  hm_bulk_get_calibration (NULL, NULL, &chosen);

  g_print ("# sequential scan of a %" G_GUINT64_FORMAT " GiB file on one thread, warm cache, best of 3\n", gib);
  g_print ("%-40s %9s %-30s %9s %7s\n", "figure (GB/s)", "", "baseline (GB/s)", "", "ratio");
  row ("window cache, one guarded call a window", size / best_scan / 1e9, size / best_cat / 1e9);
  row (chosen == HM_BULK_PATH_MAP ? "bulk reader as chosen (mapped windows)" : "bulk reader as chosen (pread)",
       size / best_auto / 1e9, size / best_cat / 1e9);
  row ("bulk reader, pread forced", size / best_pread / 1e9, size / best_cat / 1e9);
  row ("bulk reader, mapped windows forced", size / best_map / 1e9, size / best_cat / 1e9);
  g_print ("# checksum %" G_GUINT64_FORMAT "\n", checksum);

  unlink (path);
  return 0;
}
