/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hexmap-cli dump against util-linux hexdump -C, as separate processes with their
 * output going to /dev/null:
 *
 *   1. open + dump the last 256 bytes of a 1 TiB sparse file (-s 1T-256);
 *   2. dump a whole random file (default 256 MiB; HM_BENCH_DUMP_MIB to change,
 *      0 to skip);
 *   3. dump the whole 1 TiB sparse file (hexdump would read 1 TiB of zeros: no
 *      baseline).
 *
 * Wall time is the best of N runs (HM_BENCH_RUNS, default 5; 1 for the random
 * file, after one warm-up run of hexmap-cli); peak RSS is the child's own ru_maxrss
 * from wait4(), so one run cannot inflate the next one's figure the way getrusage
 * (RUSAGE_CHILDREN) would. The RSS of a mapped window counts the file's page-cache
 * pages it touched: clean, reclaimable, but resident.
 *
 * Usage: bench-dump PATH-TO-hexmap-cli
 */
#include "config.h"

#include "hm-test-util.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define TiB (G_GUINT64_CONSTANT (1) << 40)

typedef struct
{
  double seconds;
  long   max_rss_kib;
} HmMeasure;

/* Runs argv with stdout on /dev/null; best wall time and largest RSS of @runs.
 * fork(), not posix_spawn(): a vfork()ed child reports the parent's RSS high-water
 * mark as its own (the kernel folds the old mm's peak into ru_maxrss at exec). With
 * fork() the floor is this process's current RSS; main() prints it (/bin/true). */
static gboolean
measure (const char * const *argv,
         guint               runs,
         HmMeasure          *result)
{
  result->seconds = G_MAXDOUBLE;
  result->max_rss_kib = 0;

  for (guint i = 0; i < runs; i++)
    {
      struct rusage usage;
      gint64 started = g_get_monotonic_time ();
      pid_t pid;
      int status;

      fflush (stdout);
      pid = fork ();
      if (pid < 0)
        return FALSE;
      if (pid == 0)
        {
          int null_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);

          if (null_fd < 0 || dup2 (null_fd, STDOUT_FILENO) < 0)
            _exit (127);
          execv (argv[0], (char **) argv);
          _exit (127);
        }
      if (wait4 (pid, &status, 0, &usage) != pid || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
        {
          g_printerr ("%s exited abnormally\n", argv[0]);
          return FALSE;
        }
      result->seconds = MIN (result->seconds, (g_get_monotonic_time () - started) / 1e6);
      result->max_rss_kib = MAX (result->max_rss_kib, usage.ru_maxrss);
    }

  return TRUE;
}

/* In 1 MiB pieces, so that this process stays small (see measure()). */
static char *
write_random_file (const char *name,
                   guint64     size)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  g_autofree guint32 *chunk = g_malloc (1 << 20);
  char *path = hm_test_path (name);
  FILE *file = fopen (path, "wb");

  g_assert_nonnull (file);
  for (guint64 done = 0; done < size; done += 1 << 20)
    {
      gsize n = (gsize) MIN (size - done, (guint64) 1 << 20);

      for (gsize i = 0; i < (1 << 20) / 4; i++)
        chunk[i] = g_rand_int (rand);
      g_assert_cmpuint (fwrite (chunk, 1, n, file), ==, n);
    }
  g_assert_cmpint (fclose (file), ==, 0);
  return path;
}

static void
print_row (const char      *figure,
           const HmMeasure *ours,
           const HmMeasure *baseline)
{
  if (baseline != NULL)
    {
      printf ("%-38s %10.4f s %10.4f s %7.2fx\n", figure, ours->seconds, baseline->seconds,
              ours->seconds / baseline->seconds);
      printf ("%-38s %8ld KiB %8ld KiB %7.2fx\n", "  peak RSS", ours->max_rss_kib,
              baseline->max_rss_kib, (double) ours->max_rss_kib / (double) baseline->max_rss_kib);
    }
  else
    {
      printf ("%-38s %10.4f s %12s %8s\n", figure, ours->seconds, "-", "-");
      printf ("%-38s %8ld KiB %12s %8s\n", "  peak RSS", ours->max_rss_kib, "-", "-");
    }
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);

  return value != NULL ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *hexdump = g_find_program_in_path ("hexdump");
  g_autofree char *sparse = NULL;
  g_autofree char *random_path = NULL;
  g_autofree char *tail = g_strdup_printf ("%" G_GUINT64_FORMAT, TiB - 256);
  guint runs = MAX (env_uint ("HM_BENCH_RUNS", 5), 1);
  guint random_mib = env_uint ("HM_BENCH_DUMP_MIB", 256);
  HmMeasure ours, theirs;
  const char *cli;

  if (argc < 2)
    {
      g_printerr ("usage: %s PATH-TO-hexmap-cli\n", argv[0]);
      return 2;
    }
  cli = argv[1];
  if (hexdump == NULL)
    {
      printf ("1..0 # SKIP hexdump not found (install bsdextrautils)\n");
      return 77;
    }

  sparse = hm_test_make_sparse ("bench-terabyte", TiB);
  hm_test_pwrite (sparse, TiB - 100, "hello", 5);
  hm_test_pwrite (sparse, TiB / 2 + 3, "world", 5);

  printf ("%-38s %12s %12s %8s\n", "figure (best of runs)", "hexmap-cli", "hexdump -C", "ratio");

  {
    const char *a[] = { "/bin/true", NULL };

    if (!measure (a, runs, &ours))
      return 1;
    printf ("%-38s %8ld KiB  (the RSS floor of this method)\n", "peak RSS of /bin/true", ours.max_rss_kib);
  }

  {
    const char *a[] = { cli, "dump", "-s", tail, sparse, NULL };
    const char *b[] = { hexdump, "-C", "-s", tail, sparse, NULL };

    if (!measure (a, runs, &ours) || !measure (b, runs, &theirs))
      return 1;
    print_row ("last 256 B of a 1 TiB sparse file", &ours, &theirs);
  }

  {
    const char *a[] = { cli, "dump", sparse, NULL };

    if (!measure (a, runs, &ours))
      return 1;
    print_row ("whole 1 TiB sparse file (2 blocks)", &ours, NULL);
  }

  if (random_mib > 0)
    {
      g_autofree char *figure = g_strdup_printf ("whole %u MiB random file", random_mib);
      const char *a[3 + 1] = { cli, "dump", NULL, NULL };
      const char *b[3 + 1] = { hexdump, "-C", NULL, NULL };

      random_path = write_random_file ("bench-random", (guint64) random_mib << 20);
      a[2] = random_path;
      b[2] = random_path;
      /* Warm the page cache for both. */
      if (!measure (a, 1, &ours) || !measure (a, 1, &ours) || !measure (b, 1, &theirs))
        return 1;
      print_row (figure, &ours, &theirs);
      printf ("%-38s %8.1f MB/s %8.1f MB/s\n", "  throughput",
              random_mib * 1.048576 / ours.seconds, random_mib * 1.048576 / theirs.seconds);
      g_unlink (random_path);
    }

  g_unlink (sparse);
  hm_test_cleanup ();
  return 0;
}
