/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Search throughput, each figure next to a baseline measured in the same run:
 *   - warm page cache, an absent 8-byte pattern over a SIZE_GIB file: HmSearch
 *     (AVX2 and portable kernels) against `LC_ALL=C grep -c -a -F`;
 *   - cold page cache (root only: drop_caches before each run): HmSearch against
 *     `cat FILE > /dev/null`;
 *   - a 1 TiB sparse file with three 1 MiB data extents: total search time.
 *
 *   bench-search [SIZE_GIB]      default 4; files go to $TMPDIR and are deleted */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hm-search.h"

#define PATTERN_TEXT "hexmap!?"

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
  printf ("%-44s %9.2f %-5s %-26s %9.2f %-5s %6.2fx\n", what, figure, unit, baseline_name, baseline, unit,
          baseline > 0 ? figure / baseline : 0.0);
}

int
main (int   argc,
      char *argv[])
{
  guint64 gib = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 4;
  guint64 size = gib << 30;
  const char *dir = g_get_tmp_dir ();
  g_autofree char *path = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *grep_cmd = NULL;
  g_autofree char *cat_cmd = NULL;
  g_autofree char *sparse = NULL;
  double t_avx2 = G_MAXDOUBLE, t_portable = G_MAXDOUBLE, t_grep = G_MAXDOUBLE;
  guint64 n = 0;

  g_printerr ("writing a %" G_GUINT64_FORMAT " GiB file in %s...\n", gib, dir);
  path = make_file (dir, size);
  quoted = g_shell_quote (path);
  grep_cmd = g_strdup_printf ("LC_ALL=C grep -c -a -F '" PATTERN_TEXT "' %s > /dev/null", quoted);
  cat_cmd = g_strdup_printf ("cat %s > /dev/null", quoted);
  time_command (cat_cmd);   /* warm the cache */

  printf ("%-44s %15s %-26s %15s %7s\n", "figure", "", "baseline", "", "ratio");
  for (guint rep = 0; rep < 3; rep++)
    {
      t_avx2 = MIN (t_avx2, time_search (path, HM_SEARCH_KERNEL_AUTO, &n));
      g_assert_cmpuint (n, ==, 0);
      t_portable = MIN (t_portable, time_search (path, HM_SEARCH_KERNEL_PORTABLE, &n));
      t_grep = MIN (t_grep, time_command (grep_cmd));
    }
  row ("warm: HmSearch, absent 8-byte pattern (auto)", size / t_avx2 / 1e9, "GB/s",
       "LC_ALL=C grep -c -a -F", size / t_grep / 1e9);
  row ("warm: HmSearch, portable kernel", size / t_portable / 1e9, "GB/s",
       "LC_ALL=C grep -c -a -F", size / t_grep / 1e9);

  if (geteuid () == 0)
    {
      double t_cat, t_cold;

      drop_caches ();
      t_cat = time_command (cat_cmd);
      drop_caches ();
      t_cold = time_search (path, HM_SEARCH_KERNEL_AUTO, &n);
      row ("cold: HmSearch, absent 8-byte pattern", size / t_cold / 1e9, "GB/s",
           "cat FILE > /dev/null", size / t_cat / 1e9);
    }
  else
    printf ("cold: skipped (needs root to drop caches)\n");

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
    printf ("%-44s %9.4f %-5s %-26s\n", "1 TiB sparse, 3 x 1 MiB data: total time", t_sparse, "s",
            "(no baseline: grep reads 1 TiB)");
    g_unlink (sparse);
  }

  return 0;
}
