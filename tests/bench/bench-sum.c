/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hexmap-cli sum on a warm random file (default 2 GiB; HM_BENCH_SUM_GIB), as
 * separate processes with their output going to /dev/null, each figure next to
 * a baseline measured in the same run:
 *
 *   1. --sha256 against `openssl dgst -sha256` (the goal: at most 1.0x its
 *      time) and against `sha256sum`;
 *   2. --crc32 in GB/s against the goal of 4 GB/s, and against `cat FILE`
 *      to /dev/null (reading alone);
 *   3. each sum alone, and all five at once against the slowest alone (one
 *      pass, one thread per sum: the slowest should set the pace, as far as
 *      two cores allow);
 *   4. --sha1 --sha256 together against the slower of the two alone.
 *
 * Other work may share the machine, so each figure is the best of
 * HM_BENCH_RUNS (default 3) runs, ours and the baseline taking turns.
 *
 * Usage: bench-sum PATH-TO-hexmap-cli
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

#define MiB (G_GUINT64_CONSTANT (1) << 20)
#define GiB (G_GUINT64_CONSTANT (1) << 30)

/* Runs argv once with stdout on /dev/null; its wall time in seconds, or a
 * negative number if it failed. */
static double
run_once (const char * const *argv)
{
  gint64 started = g_get_monotonic_time ();
  pid_t pid;
  int status;

  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      int fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);

      if (fd < 0 || dup2 (fd, STDOUT_FILENO) < 0)
        _exit (127);
      execv (argv[0], (char **) argv);
      _exit (127);
    }
  if (waitpid (pid, &status, 0) != pid || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_printerr ("%s exited abnormally\n", argv[0]);
      return -1;
    }
  return (g_get_monotonic_time () - started) / 1e6;
}

/* The best of @runs for each of @n commands, taking turns so that a burst of
 * load elsewhere hits them alike. */
static gboolean
measure (const char * const * const *commands,
         guint                       n,
         guint                       runs,
         double                     *best)
{
  for (guint c = 0; c < n; c++)
    best[c] = G_MAXDOUBLE;
  for (guint i = 0; i < runs; i++)
    for (guint c = 0; c < n; c++)
      {
        double seconds = run_once (commands[c]);

        if (seconds < 0)
          return FALSE;
        best[c] = MIN (best[c], seconds);
      }
  return TRUE;
}

/* Pseudo-random bytes (xorshift), the same for the same seed. */
static void
fill_random (guint8  *buffer,
             gsize    length,
             guint64 *state)
{
  for (gsize i = 0; i < length; i += 8)
    {
      guint64 v;

      *state ^= *state << 13;
      *state ^= *state >> 7;
      *state ^= *state << 17;
      v = *state;
      memcpy (buffer + i, &v, MIN (8, length - i));
    }
}

static char *
write_random_file (const char *name,
                   guint64     size)
{
  g_autofree guint8 *chunk = g_malloc (MiB);
  char *path = hm_test_path (name);
  guint64 state = 0x2545f4914f6cdd1dull;
  FILE *file = fopen (path, "wb");

  g_assert_nonnull (file);
  for (guint64 done = 0; done < size; done += MiB)
    {
      gsize n = (gsize) MIN (size - done, MiB);

      fill_random (chunk, n, &state);
      g_assert_cmpuint (fwrite (chunk, 1, n, file), ==, n);
    }
  g_assert_cmpint (fclose (file), ==, 0);
  return path;
}

static void
row (const char *figure,
     double      value,
     const char *unit,
     const char *baseline_name,
     double      baseline)
{
  printf ("%-40s %9.3f %-4s  %-34s %9.3f %-4s %7.2fx\n", figure, value, unit, baseline_name,
          baseline, unit, value / baseline);
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
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *sha256sum = g_find_program_in_path ("sha256sum");
  g_autofree char *cat = g_find_program_in_path ("cat");
  guint runs = MAX (env_uint ("HM_BENCH_RUNS", 3), 1);
  guint64 gib = MAX (env_uint ("HM_BENCH_SUM_GIB", 2), 1);
  g_autofree char *path = NULL;
  double size;
  const char *cli;

  if (argc < 2)
    {
      g_printerr ("usage: %s PATH-TO-hexmap-cli\n", argv[0]);
      return 2;
    }
  cli = argv[1];
  if (openssl == NULL || sha256sum == NULL || cat == NULL)
    {
      printf ("1..0 # SKIP needs openssl, sha256sum and cat\n");
      return 77;
    }

  g_printerr ("writing a %" G_GUINT64_FORMAT " GiB file...\n", gib);
  path = write_random_file ("sum.bin", gib * GiB);
  size = (double) (gib * GiB);

  printf ("%" G_GUINT64_FORMAT " GiB warm random file, best of %u runs\n", gib, runs);
  printf ("%-40s %14s  %-34s %14s %8s\n", "figure", "", "baseline (same run)", "", "ratio");

  /* 1. SHA-256 against openssl and sha256sum. */
  {
    const char *ours[] = { cli, "sum", "--sha256", path, NULL };
    const char *dgst[] = { openssl, "dgst", "-sha256", path, NULL };
    const char *coreutils[] = { sha256sum, path, NULL };
    const char * const *commands[] = { ours, dgst, coreutils };
    double best[3];

    if (run_once (dgst) < 0 || !measure (commands, 3, runs, best))
      return 1;
    row ("sum --sha256", best[0], "s", "openssl dgst -sha256", best[1]);
    row ("sum --sha256", best[0], "s", "sha256sum", best[2]);
    row ("  throughput", size / best[0] / 1e9, "GB/s", "openssl dgst -sha256", size / best[1] / 1e9);
  }

  /* 2. CRC-32 against the goal and against reading alone. */
  {
    const char *ours[] = { cli, "sum", "--crc32", path, NULL };
    const char *reading[] = { cat, path, NULL };
    const char * const *commands[] = { ours, reading };
    double best[2];

    if (!measure (commands, 2, runs, best))
      return 1;
    row ("sum --crc32", size / best[0] / 1e9, "GB/s", "goal", 4.0);
    row ("sum --crc32", size / best[0] / 1e9, "GB/s", "cat FILE > /dev/null", size / best[1] / 1e9);
  }

  /* 3. Each alone, and all at once against the slowest alone. */
  {
    static const char *options[] = { "--crc32", "--md5", "--sha1", "--sha256", "--sha512" };
    const char *alone[G_N_ELEMENTS (options)][5];
    const char *all[] = { cli, "sum", "--crc32", "--md5", "--sha1", "--sha256", "--sha512", path, NULL };
    const char * const *commands[G_N_ELEMENTS (options) + 1];
    double best[G_N_ELEMENTS (options) + 1];
    guint slowest = 0;

    for (guint i = 0; i < G_N_ELEMENTS (options); i++)
      {
        alone[i][0] = cli;
        alone[i][1] = "sum";
        alone[i][2] = options[i];
        alone[i][3] = path;
        alone[i][4] = NULL;
        commands[i] = alone[i];
      }
    commands[G_N_ELEMENTS (options)] = all;
    if (!measure (commands, G_N_ELEMENTS (commands), runs, best))
      return 1;
    for (guint i = 0; i < G_N_ELEMENTS (options); i++)
      {
        g_autofree char *figure = g_strdup_printf ("sum %s", options[i]);

        printf ("%-40s %9.3f %-4s  %-34s\n", figure, size / best[i] / 1e9, "GB/s", "");
        if (best[i] > best[slowest])
          slowest = i;
      }
    {
      g_autofree char *baseline = g_strdup_printf ("the slowest alone (%s)", options[slowest]);

      row ("all five at once", best[G_N_ELEMENTS (options)], "s", baseline, best[slowest]);
    }
  }

  /* 4. Two fast ones together. */
  {
    const char *sha1[] = { cli, "sum", "--sha1", path, NULL };
    const char *sha256[] = { cli, "sum", "--sha256", path, NULL };
    const char *both[] = { cli, "sum", "--sha1", "--sha256", path, NULL };
    const char * const *commands[] = { both, sha1, sha256 };
    double best[3];

    if (!measure (commands, 3, runs, best))
      return 1;
    row ("--sha1 --sha256 at once", best[0], "s",
         best[1] > best[2] ? "the slower alone (--sha1)" : "the slower alone (--sha256)",
         MAX (best[1], best[2]));
  }

  g_unlink (path);
  hm_test_cleanup ();
  return 0;
}
