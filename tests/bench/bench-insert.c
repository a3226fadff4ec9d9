/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Inserts and deletes in a 4 GiB file, through the piece table:
 *
 *   first screen: a 1-byte insert at offset 0, then reading the first 64 KiB
 *                 back (what the view needs to redraw); median of runs, against
 *                 a 1-byte overwrite at 0 and the same read in the same run.
 *                 Goal: under 16 ms (one frame).
 *   memory:       RSS growth per edit for 100,000 scattered inserts and deletes
 *                 in a 4 GiB sparse file, against 10,000 scattered 1-byte
 *                 overwrites in the same run (per edit; each maps a window).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "hm-document.h"
#include "hm-test-util.h"

#define RUNS     51
#define SCREEN   (64 * 1024)
#define N_EDITS  100000
/* The baseline is slow (each overwrite maps and pins a window, splits the hole map) */
#define N_BASE   10000

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double da = *(const double *) a, db = *(const double *) b;

  return da < db ? -1 : da > db;
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof *v, (int (*) (const void *, const void *)) compare_doubles);
  return v[n / 2];
}

/* Milliseconds for: one edit at 0 (insert or overwrite), read the first screen. */
static double
edit_and_read (HmDocument *doc,
               gboolean    insert)
{
  static guint8 screen[SCREEN];
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = insert ? hm_document_insert (doc, 0, "x", 1, HM_EDIT_NONE, &error)
                       : hm_document_write (doc, 0, "x", 1, HM_EDIT_NONE, &error);
  double ms;

  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (hm_document_read (doc, 0, screen, SCREEN, &error), ==, SCREEN);
  ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_assert_cmpuint (screen[0], ==, 'x');
  g_assert_true (hm_document_undo (doc, &error));
  return ms;
}

static void
bench_first_screen (void)
{
  guint64 size = G_GUINT64_CONSTANT (4) << 30;
  g_autofree char *path = hm_test_path ("insert-4g.bin");
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  double ins[RUNS];
  double ovw[RUNS];
  int fd;

  /* Allocated (not sparse) so the bytes are data; unwritten extents read as zeros */
  fd = open (path, O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  if (posix_fallocate (fd, 0, (off_t) size) != 0)
    g_assert_cmpint (ftruncate (fd, (off_t) size), ==, 0);
  /* The first screen is real data, read through the mapping */
  {
    g_autofree guint8 *head = g_malloc (SCREEN);

    for (guint i = 0; i < SCREEN; i++)
      head[i] = (guint8) (i * 7 + 1);
    g_assert_cmpint (pwrite (fd, head, SCREEN, 0), ==, SCREEN);
  }
  close (fd);

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_no_error (error);
  edit_and_read (doc, FALSE);   /* warm the first window */
  for (guint i = 0; i < RUNS; i++)
    {
      ovw[i] = edit_and_read (doc, FALSE);
      ins[i] = edit_and_read (doc, TRUE);
    }
  printf ("%-44s %12s %12s %8s\n", "figure", "value", "baseline", "ratio");
  printf ("%-44s %9.3f ms %9.3f ms %8.2f\n", "1-byte insert at 0 of 4 GiB, first 64 KiB",
          median (ins, RUNS), median (ovw, RUNS), median (ins, RUNS) / median (ovw, RUNS));
  printf ("%-44s %12s %12s\n", "  (baseline: 1-byte overwrite at 0, same read)", "goal < 16 ms", "");
  unlink (path);
}

static void
bench_memory (void)
{
  guint64 size = G_GUINT64_CONSTANT (4) << 30;
  g_autofree char *path = hm_test_make_sparse ("scatter-4g.bin", size);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) ovw = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  gsize rss0;
  gsize rss1;
  gsize rss2;
  gint64 t0;
  gint64 t1;
  gint64 t2;
  guint8 byte = 1;

  g_assert_no_error (error);
  t0 = g_get_monotonic_time ();
  rss0 = hm_test_rss_kib ();
  for (guint i = 0; i < N_BASE; i++)
    {
      guint64 at = ((guint64) g_rand_int (rand) << 20 | g_rand_int_range (rand, 0, 1 << 20)) % size;

      g_assert_true (hm_document_write (ovw, at, &byte, 1, HM_EDIT_NONE, &error));
    }
  rss1 = hm_test_rss_kib ();
  t1 = g_get_monotonic_time ();
  for (guint i = 0; i < N_EDITS; i++)
    {
      guint64 cur = hm_document_get_size (doc);
      guint64 at = ((guint64) g_rand_int (rand) << 20 | g_rand_int_range (rand, 0, 1 << 20)) % cur;

      if (i % 2 == 0)
        g_assert_true (hm_document_insert (doc, at, &byte, 1, HM_EDIT_NONE, &error));
      else
        g_assert_true (hm_document_delete (doc, at, MIN (cur - at, 1 + (guint64) g_rand_int_range (rand, 0, 64)),
                                           &error));
    }
  rss2 = hm_test_rss_kib ();
  t2 = g_get_monotonic_time ();
  g_assert_no_error (error);
  printf ("%-44s %9.0f B  %9.0f B  %8.2f\n", "RSS per scattered insert/delete, 4 GiB sparse",
          (rss2 - rss1) * 1024.0 / N_EDITS, (rss1 - rss0) * 1024.0 / N_BASE,
          ((rss2 - rss1) * 1024.0 / N_EDITS) / MAX ((rss1 - rss0) * 1024.0 / N_BASE, 1.0));
  printf ("%-44s\n", "  (baseline: 1-byte scattered overwrites)");
  printf ("%-44s %9.2f us %9.2f us %8.2f\n", "time per scattered insert/delete",
          (t2 - t1) / (double) N_EDITS, (t1 - t0) / (double) N_BASE,
          ((t2 - t1) / (double) N_EDITS) / MAX ((t1 - t0) / (double) N_BASE, 0.001));
}

int
main (int   argc,
      char *argv[])
{
  bench_first_screen ();
  bench_memory ();
  hm_test_cleanup ();
  return 0;
}
