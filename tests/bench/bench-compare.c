/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hexmap-cli diff, as separate processes with their output going to /dev/null,
 * each figure next to a baseline measured in the same run:
 *
 *   1. two identical warm files (default 2 GiB; HM_BENCH_COMPARE_GIB) against
 *      `cmp A B`;
 *   2. two 1 TiB sparse files with the same three 1 MiB data regions, against
 *      the same three regions as dense 3 MiB files (what the data alone costs;
 *      cmp would read 1 TiB);
 *   3. --insertions on 64 MiB with 3 edits (an insertion, a deletion, a
 *      change), against `cmp` of two identical 64 MiB files (reading and
 *      comparing everything once);
 *   4. --insertions on 1 GiB with 1000 scattered edits: time and peak RSS,
 *      against `cmp` of two identical 1 GiB files.
 *
 * Wall time is the best of HM_BENCH_RUNS (default 3) warm runs; peak RSS is the
 * child's own ru_maxrss from wait4() (fork, not posix_spawn: see bench-dump.c).
 * The RSS of mapped windows counts the page-cache pages they touched.
 *
 * Usage: bench-compare PATH-TO-hexmap-cli
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
#define TiB (G_GUINT64_CONSTANT (1) << 40)

typedef struct
{
  double seconds;
  long   max_rss_kib;
} HmMeasure;

/* Runs argv with stdout on /dev/null (or into @output, first run only); best
 * wall time and largest RSS of @runs. Exit status 0 and 1 are both success
 * (same, different). */
static gboolean
measure (const char * const *argv,
         guint               runs,
         HmMeasure          *result,
         char              **output)
{
  result->seconds = G_MAXDOUBLE;
  result->max_rss_kib = 0;

  for (guint i = 0; i < runs; i++)
    {
      g_autofree char *out_path = output != NULL && i == 0 ? hm_test_path ("bench-output") : NULL;
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
          int fd = out_path != NULL ? open (out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                                    : open ("/dev/null", O_WRONLY | O_CLOEXEC);

          if (fd < 0 || dup2 (fd, STDOUT_FILENO) < 0)
            _exit (127);
          execv (argv[0], (char **) argv);
          _exit (127);
        }
      if (wait4 (pid, &status, 0, &usage) != pid || !WIFEXITED (status) || WEXITSTATUS (status) > 1)
        {
          g_printerr ("%s exited abnormally\n", argv[0]);
          return FALSE;
        }
      result->seconds = MIN (result->seconds, (g_get_monotonic_time () - started) / 1e6);
      result->max_rss_kib = MAX (result->max_rss_kib, usage.ru_maxrss);
      if (out_path != NULL)
        {
          g_assert_true (g_file_get_contents (out_path, output, NULL, NULL));
          g_unlink (out_path);
        }
    }

  return TRUE;
}

/* Pseudo-random bytes, the same for the same seed. */
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

/* In 1 MiB pieces, so that this process stays small (see measure()). */
static char *
write_random_file (const char *name,
                   guint64     size,
                   guint64     seed)
{
  g_autofree guint8 *chunk = g_malloc (MiB);
  char *path = hm_test_path (name);
  guint64 state = seed | 1;
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
copy_range (int      from,
            FILE    *to,
            guint64  offset,
            guint64  end)
{
  g_autofree guint8 *buffer = g_malloc (MiB);

  while (offset < end)
    {
      gsize n = (gsize) MIN (end - offset, MiB);

      g_assert_cmpint (pread (from, buffer, n, (off_t) offset), ==, (gssize) n);
      g_assert_cmpuint (fwrite (buffer, 1, n, to), ==, n);
      offset += n;
    }
}

static char *
copy_file (const char *source,
           const char *name)
{
  char *path = hm_test_path (name);
  int fd = open (source, O_RDONLY | O_CLOEXEC);
  FILE *out = fopen (path, "wb");
  struct stat st;

  g_assert_cmpint (fd, >=, 0);
  g_assert_nonnull (out);
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  copy_range (fd, out, 0, (guint64) st.st_size);
  g_assert_cmpint (fclose (out), ==, 0);
  close (fd);
  return path;
}

typedef struct
{
  guint64 at;        /* offset in A */
  guint   kind;      /* 0 insert, 1 delete, 2 change */
  gsize   length;
} Edit;

/* B from A by @n_edits edits spread evenly with random jitter; lengths from a
 * few bytes to a few KiB (or @big for the first of each kind when nonzero). */
static char *
write_edited (const char *source,
              const char *name,
              guint       n_edits,
              gsize       big,
              guint64     seed)
{
  char *path = hm_test_path (name);
  int fd = open (source, O_RDONLY | O_CLOEXEC);
  FILE *out = fopen (path, "wb");
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) seed);
  g_autofree guint8 *bytes = g_malloc (MAX (big, 65536));
  guint64 state = seed * 2 + 1;
  struct stat st;
  guint64 pos = 0, room;

  g_assert_cmpint (fd, >=, 0);
  g_assert_nonnull (out);
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  room = (guint64) st.st_size / n_edits;

  for (guint i = 0; i < n_edits; i++)
    {
      Edit e;

      e.kind = i % 3;
      e.length = big != 0 && i < 3 ? big : (gsize) (g_rand_int_range (rand, 0, 3) == 0
                                                    ? g_rand_int_range (rand, 1, 64)
                                                    : g_rand_int_range (rand, 64, 8192));
      e.at = i * room + room / 4 + (guint64) g_rand_int_range (rand, 0, (gint32) (room / 2));
      copy_range (fd, out, pos, e.at);
      pos = e.at;
      if (e.kind == 0 || e.kind == 2)
        {
          fill_random (bytes, e.length, &state);
          g_assert_cmpuint (fwrite (bytes, 1, e.length, out), ==, e.length);
        }
      if (e.kind != 0)
        pos += e.length;
    }
  copy_range (fd, out, pos, (guint64) st.st_size);
  g_assert_cmpint (fclose (out), ==, 0);
  close (fd);
  return path;
}

static char *
make_sparse_with_regions (const char *name,
                          guint64     size,
                          const guint64 *at,
                          guint       n)
{
  char *path = hm_test_make_sparse (name, size);
  g_autofree guint8 *chunk = g_malloc (MiB);

  for (guint i = 0; i < n; i++)
    {
      guint64 state = 0x9e3779b97f4a7c15ull + i;

      fill_random (chunk, MiB, &state);
      hm_test_pwrite (path, at[i], chunk, MiB);
    }
  return path;
}

static void
row (const char *figure,
     double      value,
     const char *unit,
     const char *baseline_name,
     double      baseline)
{
  if (baseline > 0)
    printf ("%-46s %10.3f %-4s %-34s %10.3f %-4s %7.2fx\n", figure, value, unit, baseline_name,
            baseline, unit, value / baseline);
  else
    printf ("%-46s %10.3f %-4s %-34s\n", figure, value, unit, baseline_name);
}

static void
warm (const char *a,
      const char *b)
{
  g_autofree char *qa = g_shell_quote (a);
  g_autofree char *qb = g_shell_quote (b != NULL ? b : a);
  g_autofree char *command = g_strdup_printf ("cat %s %s > /dev/null", qa, qb);
  const char *argv[] = { "/bin/sh", "-c", command, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, NULL, NULL);
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
  g_autofree char *cmp = g_find_program_in_path ("cmp");
  guint runs = MAX (env_uint ("HM_BENCH_RUNS", 3), 1);
  guint64 gib = MAX (env_uint ("HM_BENCH_COMPARE_GIB", 2), 1);
  HmMeasure ours, theirs;
  const char *cli;

  if (argc < 2)
    {
      g_printerr ("usage: %s PATH-TO-hexmap-cli\n", argv[0]);
      return 2;
    }
  cli = argv[1];
  if (cmp == NULL)
    {
      printf ("1..0 # SKIP cmp not found (install diffutils)\n");
      return 77;
    }

  printf ("%-46s %15s %-34s %15s %8s\n", "figure (best of runs)", "", "baseline (same run)", "", "ratio");

  /* 1. Identical warm files. */
  {
    g_autofree char *a = NULL, *b = NULL, *figure = NULL;
    const char *ours_argv[] = { cli, "diff", NULL, NULL, NULL };
    const char *cmp_argv[] = { cmp, NULL, NULL, NULL };

    g_printerr ("writing two %" G_GUINT64_FORMAT " GiB files...\n", gib);
    a = write_random_file ("same-a", gib * GiB, 1);
    b = write_random_file ("same-b", gib * GiB, 1);
    ours_argv[2] = cmp_argv[1] = a;
    ours_argv[3] = cmp_argv[2] = b;
    warm (a, b);
    if (!measure (ours_argv, runs, &ours, NULL) || !measure (cmp_argv, runs, &theirs, NULL))
      return 1;
    figure = g_strdup_printf ("identical warm %" G_GUINT64_FORMAT " GiB: hexmap-cli diff", gib);
    row (figure, ours.seconds, "s", "cmp A B", theirs.seconds);
    row ("  throughput (both files read)", 2.0 * gib * GiB / ours.seconds / 1e9, "GB/s",
         "cmp A B", 2.0 * gib * GiB / theirs.seconds / 1e9);
    row ("  peak RSS", ours.max_rss_kib / 1024.0, "MiB", "cmp A B", theirs.max_rss_kib / 1024.0);
    g_unlink (a);
    g_unlink (b);
  }

  /* 2. 1 TiB sparse, three data regions. */
  {
    guint64 at[3] = { GiB, TiB / 2, TiB - MiB };
    guint64 dense_at[3] = { 0, MiB, 2 * MiB };
    g_autofree char *a = make_sparse_with_regions ("sparse-a", TiB, at, 3);
    g_autofree char *b = make_sparse_with_regions ("sparse-b", TiB, at, 3);
    g_autofree char *da = make_sparse_with_regions ("dense-a", 3 * MiB, dense_at, 3);
    g_autofree char *db = make_sparse_with_regions ("dense-b", 3 * MiB, dense_at, 3);
    const char *ours_argv[] = { cli, "diff", a, b, NULL };
    const char *dense_argv[] = { cli, "diff", da, db, NULL };
    const char *ins_argv[] = { cli, "diff", "--insertions", a, b, NULL };

    if (!measure (ours_argv, runs, &ours, NULL) || !measure (dense_argv, runs, &theirs, NULL))
      return 1;
    row ("1 TiB sparse, 3 x 1 MiB data: hexmap-cli diff", ours.seconds, "s",
         "the 3 MiB of data, dense", theirs.seconds);
    if (!measure (ins_argv, runs, &ours, NULL))
      return 1;
    row ("  same with --insertions", ours.seconds, "s", "the 3 MiB of data, dense", theirs.seconds);
    g_unlink (a);
    g_unlink (b);
    g_unlink (da);
    g_unlink (db);
  }

  /* 3. --insertions, 64 MiB, 3 hunks. */
  {
    g_autofree char *a = write_random_file ("ins64-a", 64 * MiB, 3);
    g_autofree char *copy = copy_file (a, "ins64-copy");
    g_autofree char *b = write_edited (a, "ins64-b", 3, 100 * 1024, 4);
    g_autofree char *count = NULL;
    const char *ours_argv[] = { cli, "diff", "--insertions", a, b, NULL };
    const char *count_argv[] = { cli, "diff", "--insertions", "--count", a, b, NULL };
    const char *cmp_argv[] = { cmp, a, copy, NULL };

    warm (a, b);
    warm (copy, NULL);
    if (!measure (count_argv, 1, &ours, &count) ||
        !measure (ours_argv, runs, &ours, NULL) || !measure (cmp_argv, runs, &theirs, NULL))
      return 1;
    g_strstrip (count);
    printf ("%-46s %10s\n", "64 MiB, 3 edits of 100 KiB: hunks found", count);
    row ("  --insertions", ours.seconds, "s", "cmp of identical 64 MiB", theirs.seconds);
    g_unlink (a);
    g_unlink (b);
    g_unlink (copy);
  }

  /* 4. --insertions, 1 GiB, 1000 scattered edits. */
  {
    g_autofree char *a = write_random_file ("ins1g-a", GiB, 5);
    g_autofree char *copy = copy_file (a, "ins1g-copy");
    g_autofree char *b = write_edited (a, "ins1g-b", 1000, 0, 6);
    g_autofree char *count = NULL;
    const char *ours_argv[] = { cli, "diff", "--insertions", a, b, NULL };
    const char *count_argv[] = { cli, "diff", "--insertions", "--count", a, b, NULL };
    const char *cmp_argv[] = { cmp, a, copy, NULL };

    warm (a, b);
    warm (copy, NULL);
    if (!measure (count_argv, 1, &ours, &count) ||
        !measure (ours_argv, runs, &ours, NULL) || !measure (cmp_argv, runs, &theirs, NULL))
      return 1;
    g_strstrip (count);
    printf ("%-46s %10s\n", "1 GiB, 1000 edits of 1 B-8 KiB: hunks found", count);
    row ("  --insertions", ours.seconds, "s", "cmp of identical 1 GiB", theirs.seconds);
    row ("  peak RSS", ours.max_rss_kib / 1024.0, "MiB", "cmp of identical 1 GiB", theirs.max_rss_kib / 1024.0);
    row ("  peak RSS against the memory bound", ours.max_rss_kib / 1024.0, "MiB", "--max-memory (default)", 64.0);
    g_unlink (a);
    g_unlink (b);
    g_unlink (copy);
  }

  hm_test_cleanup ();
  return 0;
}
