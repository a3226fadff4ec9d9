/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Search throughput, each figure next to a baseline measured in the same run
 * (best of several runs each, alternating, since other work may share the
 * machine):
 *   - warm page cache, an absent 8-byte pattern over a SIZE_GIB file: HmSearch
 *     (the read path the bulk reader chose, each path forced, the portable
 *     kernel) against `LC_ALL=C grep -c -a -F`;
 *   - cold page cache (root only: drop_caches before each run): HmSearch against
 *     `cat FILE > /dev/null`;
 *   - `hexmap-cli find -c` against grep as processes, on a warm file of half the
 *     size (when the path to hexmap-cli is given);
 *   - a 1 TiB sparse file with three 1 MiB data extents: total search time.
 *
 *   bench-search [SIZE_GIB [HEXMAP_CLI]]   default 4; files go to $TMPDIR and are deleted */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hm-bulk.h"
#include "hm-search.h"

#define PATTERN_TEXT "hexmap!?"
#define WARM_RUNS    5
#define COLD_RUNS    5

static double
time_search (const char         *path,
             HmSearchKernelImpl  impl,
             guint64            *n_matches)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (path, &error);
  g_autoptr(HmPattern) pattern = hm_pattern_new_text (PATTERN_TEXT, -1, HM_TEXT_ENCODING_UTF8, 0, NULL, NULL);
  g_autoptr(HmSearch) search = NULL;
  gint64 start;

  g_assert_no_error (error);
  search = hm_search_new (doc, pattern);
  hm_search_set_kernel (search, impl);
  start = g_get_monotonic_time ();
  g_assert_true (hm_search_run (search, NULL, &error));
  g_assert_no_error (error);
  *n_matches = hm_search_get_n_matches (search);
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
time_command (const char *command)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "/bin/sh", "-c", command, NULL };
  int status = 0;
  gint64 start = g_get_monotonic_time ();

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
drop_caches (void)
{
  int fd;

  sync ();
  fd = open ("/proc/sys/vm/drop_caches", O_WRONLY);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "3\n", 2), ==, 2);
  close (fd);
}

static char *
make_file (const char *dir,
           guint64     size)
{
  char *path = g_build_filename (dir, "hexmap-bench-search.bin", NULL);
  g_autofree guint8 *chunk = g_malloc (1 << 20);
  guint64 state = 0x9e3779b97f4a7c15ull;
  FILE *f = fopen (path, "wb");

  g_assert_nonnull (f);
  for (guint64 done = 0; done < size; done += 1 << 20)
    {
      /* xorshift bytes, text-like: no pattern, lines of varying length for grep. */
      for (gsize i = 0; i < (1 << 20); i += 8)
        {
          guint64 v;

          state ^= state << 13;
          state ^= state >> 7;
          state ^= state << 17;
          v = state;
          memcpy (chunk + i, &v, 8);
        }
      g_assert_cmpuint (fwrite (chunk, 1, 1 << 20, f), ==, 1 << 20);
    }
  g_assert_cmpint (fclose (f), ==, 0);
  return path;
}

static void
row (const char *what,
     double      figure,
     const char *unit,
     const char *baseline_name,
     double      baseline)
{
  printf ("%-46s %9.2f %-5s %-30s %9.2f %-5s %6.2fx\n", what, figure, unit, baseline_name, baseline, unit,
          baseline > 0 ? figure / baseline : 0.0);
}

int
main (int   argc,
      char *argv[])
{
  guint64 gib = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 4;
  const char *cli = argc > 2 ? argv[2] : NULL;
  guint64 size = gib << 30;
  const char *dir = g_get_tmp_dir ();
  g_autofree char *path = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *grep_cmd = NULL;
  g_autofree char *cat_cmd = NULL;
  g_autofree char *sparse = NULL;
  double t_auto = G_MAXDOUBLE, t_pread = G_MAXDOUBLE, t_map = G_MAXDOUBLE;
  double t_portable = G_MAXDOUBLE, t_grep = G_MAXDOUBLE;
  double pread_rate = 0, map_rate = 0;
  HmBulkPath chosen = HM_BULK_PATH_PREAD;
  guint64 n = 0;

  g_printerr ("writing a %" G_GUINT64_FORMAT " GiB file in %s...\n", gib, dir);
  path = make_file (dir, size);
  quoted = g_shell_quote (path);
  grep_cmd = g_strdup_printf ("LC_ALL=C grep -c -a -F '" PATTERN_TEXT "' %s > /dev/null", quoted);
  cat_cmd = g_strdup_printf ("cat %s > /dev/null", quoted);
  time_command (cat_cmd);   /* warm the cache */

  printf ("# %u processors; best of %d runs (cold: %d), alternating with the baseline\n",
          g_get_num_processors (), WARM_RUNS, COLD_RUNS);
  printf ("%-46s %15s %-30s %15s %7s\n", "figure", "", "baseline", "", "ratio");
  for (guint rep = 0; rep < WARM_RUNS; rep++)
    {
      hm_bulk_set_path (HM_BULK_PATH_AUTO);
      t_auto = MIN (t_auto, time_search (path, HM_SEARCH_KERNEL_AUTO, &n));
      g_assert_cmpuint (n, ==, 0);
      t_grep = MIN (t_grep, time_command (grep_cmd));
      hm_bulk_set_path (HM_BULK_PATH_PREAD);
      t_pread = MIN (t_pread, time_search (path, HM_SEARCH_KERNEL_AUTO, &n));
      hm_bulk_set_path (HM_BULK_PATH_AUTO);
      t_portable = MIN (t_portable, time_search (path, HM_SEARCH_KERNEL_PORTABLE, &n));
    }
  /* Mapped windows once: on some machines they are many times slower. */
  hm_bulk_set_path (HM_BULK_PATH_MAP);
  t_map = time_search (path, HM_SEARCH_KERNEL_AUTO, &n);
  hm_bulk_set_path (HM_BULK_PATH_AUTO);

  if (hm_bulk_get_calibration (&pread_rate, &map_rate, &chosen))
    printf ("# read path: calibration measured pread %.2f GB/s, mapped windows %.2f GB/s: %s\n",
            pread_rate / 1e9, map_rate / 1e9, chosen == HM_BULK_PATH_MAP ? "mapped windows" : "pread");
  row ("warm: HmSearch, absent 8-byte pattern (auto)", size / t_auto / 1e9, "GB/s",
       "LC_ALL=C grep -c -a -F", size / t_grep / 1e9);
  row ("warm: HmSearch, pread forced", size / t_pread / 1e9, "GB/s",
       "LC_ALL=C grep -c -a -F", size / t_grep / 1e9);
  row ("warm: HmSearch, mapped windows forced (1 run)", size / t_map / 1e9, "GB/s",
       "LC_ALL=C grep -c -a -F", size / t_grep / 1e9);
  row ("warm: HmSearch, portable kernel", size / t_portable / 1e9, "GB/s",
       "LC_ALL=C grep -c -a -F", size / t_grep / 1e9);

  if (geteuid () == 0)
    {
      double t_cat = G_MAXDOUBLE, t_cold = G_MAXDOUBLE;

      for (guint rep = 0; rep < COLD_RUNS; rep++)
        {
          drop_caches ();
          t_cat = MIN (t_cat, time_command (cat_cmd));
          drop_caches ();
          t_cold = MIN (t_cold, time_search (path, HM_SEARCH_KERNEL_AUTO, &n));
        }
      row ("cold: HmSearch, absent 8-byte pattern", size / t_cold / 1e9, "GB/s",
           "cat FILE > /dev/null", size / t_cat / 1e9);
    }
  else
    printf ("cold: skipped (needs root to drop caches)\n");

  if (cli != NULL)
    {
      g_autofree char *quoted_cli = g_shell_quote (cli);
      g_autofree char *find_cmd = g_strdup_printf ("%s find -c -t %s '" PATTERN_TEXT "' > /dev/null",
                                                   quoted_cli, quoted);
      guint64 half = size / 2;
      double t_find = G_MAXDOUBLE, t_grep_half = G_MAXDOUBLE;
      g_autofree char *what = g_strdup_printf ("warm %" G_GUINT64_FORMAT " MiB: hexmap-cli find -c", half >> 20);

      g_assert_cmpint (truncate (path, (off_t) half), ==, 0);
      time_command (cat_cmd);
      for (guint rep = 0; rep < WARM_RUNS; rep++)
        {
          t_find = MIN (t_find, time_command (find_cmd));
          t_grep_half = MIN (t_grep_half, time_command (grep_cmd));
        }
      row (what, half / t_find / 1e9, "GB/s", "LC_ALL=C grep -c -a -F", half / t_grep_half / 1e9);
    }

  g_unlink (path);

  /* 1 TiB sparse, three 1 MiB extents of the same data. */
  {
    g_autofree guint8 *chunk = g_malloc (1 << 20);
    guint64 tib = G_GUINT64_CONSTANT (1) << 40;
    guint64 at[3] = { 1 << 30, tib / 2, tib - (1 << 20) };
    double t_sparse;
    int fd;

    sparse = g_build_filename (dir, "hexmap-bench-search-sparse.bin", NULL);
    fd = open (sparse, O_RDWR | O_CREAT | O_TRUNC, 0644);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (ftruncate (fd, (off_t) tib), ==, 0);
    memset (chunk, 0x5a, 1 << 20);
    for (guint i = 0; i < 3; i++)
      g_assert_cmpint (pwrite (fd, chunk, 1 << 20, (off_t) at[i]), ==, 1 << 20);
    close (fd);

    t_sparse = time_search (sparse, HM_SEARCH_KERNEL_AUTO, &n);
    g_assert_cmpuint (n, ==, 0);
    printf ("%-46s %9.4f %-5s %-30s\n", "1 TiB sparse, 3 x 1 MiB data: total time", t_sparse, "s",
            "(no baseline: grep reads 1 TiB)");
    g_unlink (sparse);
  }

  return 0;
}
