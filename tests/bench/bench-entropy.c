/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The picture of a file (HmEntropyMap): how long until the whole file has a
 * coarse class (the goal: under a second for 10 GiB, cold), and how fast the
 * background pass reads every byte, against `cat FILE > /dev/null` on the same
 * file in the same run.
 *
 *   1. a 10 GiB sparse file with 40 islands of 8 MiB of data (zeros, text,
 *      random bytes, tables of numbers);
 *   2. a 10 GiB file written in full with the same mix in 64 MiB runs, if the
 *      disk has room for it (HM_BENCH_ENTROPY_FULL=0 skips it).
 *
 * "Cold": the file's pages are dropped from the page cache before each
 * measurement (POSIX_FADV_DONTNEED on the file alone, not the whole cache of a
 * shared machine). The files are deleted at the end.
 *
 * Usage: bench-entropy [GIB] [FOLDER]   (default 10 GiB in /var/tmp)
 */
#include "config.h"

#include "hm-entropy.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define MiB (G_GUINT64_CONSTANT (1) << 20)
#define GiB (G_GUINT64_CONSTANT (1) << 30)
#define CHUNK (8 * MiB)

static guint64 xorshift_state = 88172645463325252ull;

static guint64
xorshift (void)
{
  xorshift_state ^= xorshift_state << 13;
  xorshift_state ^= xorshift_state >> 7;
  xorshift_state ^= xorshift_state << 17;
  return xorshift_state;
}

/* 8 MiB of one kind: 0 zeros, 1 text, 2 random, 3 a table of numbers. */
static void
fill_chunk (guint8 *buffer,
            int     kind,
            guint   seed)
{
  static const char text[] = "It was the best of times, it was the worst of times, it was the age of wisdom,\n";

  switch (kind)
    {
    case 0:
      memset (buffer, 0, CHUNK);
      break;
    case 1:
      for (gsize i = 0; i < CHUNK; i++)
        buffer[i] = (guint8) text[(i + seed) % (sizeof text - 1)];
      break;
    case 2:
      for (gsize i = 0; i < CHUNK; i += 8)
        {
          guint64 v = xorshift ();

          memcpy (buffer + i, &v, 8);
        }
      break;
    default:
      for (gsize i = 0; i < CHUNK; i++)
        buffer[i] = (guint8) (((guint32) (i / 4) * 13 + seed) >> (8 * (i % 4)));
      break;
    }
}

static void
write_at (int           fd,
          guint64       offset,
          const guint8 *buffer)
{
  for (gsize done = 0; done < CHUNK;)
    {
      ssize_t n = pwrite (fd, buffer + done, CHUNK - done, (off_t) (offset + done));

      if (n <= 0)
        g_error ("pwrite: %s", g_strerror (errno));
      done += (gsize) n;
    }
}

static void
drop_cache (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return;
  fdatasync (fd);
  posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED);
  close (fd);
}

/* `cat PATH > /dev/null`, cold; seconds. */
static double
time_cat (const char *path)
{
  gint64 started;
  pid_t pid;
  int status;

  drop_cache (path);
  started = g_get_monotonic_time ();
  pid = fork ();
  if (pid == 0)
    {
      int fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);

      dup2 (fd, STDOUT_FILENO);
      execlp ("cat", "cat", path, NULL);
      _exit (127);
    }
  waitpid (pid, &status, 0);
  return (g_get_monotonic_time () - started) / 1e6;
}

static double
wait_for (HmEntropyMap *map,
          const char   *property,
          gint64        started)
{
  gboolean done = FALSE;

  for (;;)
    {
      g_object_get (map, property, &done, NULL);
      if (done)
        return (g_get_monotonic_time () - started) / 1e6;
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
count_classes (HmEntropyMap *map,
               guint        *counts)
{
  guint n = 0;
  const HmEntropyBucket *b = hm_entropy_map_get_buckets (map, &n);

  memset (counts, 0, HM_BYTE_CLASS_N * sizeof (guint));
  for (guint i = 0; i < n; i++)
    counts[MIN (b[i].klass, HM_BYTE_CLASS_N - 1)]++;
}

static void
measure (const char *label,
         const char *path,
         guint64     data_bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmEntropyMap) map = NULL;
  guint counts[HM_BYTE_CLASS_N];
  double coarse, warm_coarse, refine, cat;
  guint64 sampled_bytes;
  gint64 started;

  /* Cold: the picture from samples. */
  drop_cache (path);
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  g_assert_no_error (error);
  started = g_get_monotonic_time ();
  map = hm_entropy_map_new (doc);
  hm_entropy_map_start (map, FALSE);
  coarse = wait_for (map, "sampled", started);
  sampled_bytes = hm_entropy_map_get_bytes_read (map);
  count_classes (map, counts);
  hm_entropy_map_stop (map);
  g_clear_object (&map);

  /* Warm: the same again. */
  started = g_get_monotonic_time ();
  map = hm_entropy_map_new (doc);
  hm_entropy_map_start (map, FALSE);
  warm_coarse = wait_for (map, "sampled", started);
  hm_entropy_map_stop (map);
  g_clear_object (&map);

  /* Cold: every byte, against cat. */
  drop_cache (path);
  started = g_get_monotonic_time ();
  map = hm_entropy_map_new (doc);
  hm_entropy_map_start (map, TRUE);
  refine = wait_for (map, "refined", started);
  hm_entropy_map_stop (map);
  cat = time_cat (path);

  printf ("\n%s (%" G_GUINT64_FORMAT " MiB of data; %" G_GUINT64_FORMAT " buckets of %" G_GUINT64_FORMAT
          " KiB)\n", label, data_bytes / MiB, (guint64) (counts[0] + counts[1] + counts[2] + counts[3] +
                                                        counts[4] + counts[5]),
          hm_entropy_map_get_bucket_size (map) / 1024);
  printf ("  sampled classes: hole %u, zeros %u, text %u, random %u, other %u, unknown %u\n",
          counts[HM_BYTE_CLASS_HOLE], counts[HM_BYTE_CLASS_ZEROS], counts[HM_BYTE_CLASS_TEXT],
          counts[HM_BYTE_CLASS_RANDOM], counts[HM_BYTE_CLASS_OTHER], counts[HM_BYTE_CLASS_UNKNOWN]);
  printf ("  %-44s %10s %12s %8s\n", "figure", "value", "baseline", "ratio");
  printf ("  %-44s %9.3fs %11.3fs %7.2fx\n", "whole coarse picture, cold (goal 1 s)", coarse, 1.0, coarse / 1.0);
  printf ("  %-44s %9.3fs %11.3fs %7.2fx\n", "whole coarse picture, warm", warm_coarse, coarse,
          warm_coarse / coarse);
  printf ("  %-44s %8.1fMiB %12s %8s\n", "  bytes sampled", sampled_bytes / (double) MiB, "", "");
  printf ("  %-44s %9.3fs %8.3fs cat %7.2fx\n", "every byte, cold (vs cat FILE >/dev/null)", refine, cat,
          refine / cat);
  printf ("  %-44s %7.2fGB/s %7.2fGB/s %7.2fx\n", "  data read rate (cat: of the whole file)",
          data_bytes / refine / 1e9, hm_document_get_size (doc) / cat / 1e9,
          (data_bytes / refine) / (hm_document_get_size (doc) / cat));
  fflush (stdout);
}

int
main (int   argc,
      char *argv[])
{
  guint64 size = (argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 10) * GiB;
  const char *folder = argc > 2 ? argv[2] : "/var/tmp";
  g_autofree char *sparse = g_build_filename (folder, "hexmap-bench-entropy-sparse.img", NULL);
  g_autofree char *full = g_build_filename (folder, "hexmap-bench-entropy-full.img", NULL);
  g_autofree guint8 *buffer = g_malloc (CHUNK);
  const char *full_env = g_getenv ("HM_BENCH_ENTROPY_FULL");
  struct statvfs vfs;
  int fd;

  printf ("bench-entropy: %" G_GUINT64_FORMAT " GiB files in %s\n", size / GiB, folder);

  /* 1. Sparse, with 40 islands of 8 MiB. */
  fd = open (sparse, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) size), ==, 0);
  for (guint i = 0; i < 40; i++)
    {
      fill_chunk (buffer, (int) (i % 4), i);
      write_at (fd, (size / 40) * i / CHUNK * CHUNK, buffer);
    }
  close (fd);
  measure ("sparse, 40 islands", sparse, 40 * CHUNK);
  g_unlink (sparse);

  /* 2. Written in full, if there is room for it and a margin. */
  if (statvfs (folder, &vfs) == 0 && (guint64) vfs.f_bavail * vfs.f_frsize > size + 20 * GiB &&
      g_strcmp0 (full_env, "0") != 0)
    {
      fd = open (full, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      g_assert_cmpint (fd, >=, 0);
      for (guint64 off = 0; off < size; off += CHUNK)
        {
          fill_chunk (buffer, (int) ((off / (64 * MiB)) % 4), (guint) (off / CHUNK));
          write_at (fd, off, buffer);
        }
      close (fd);
      measure ("written in full", full, size);
      g_unlink (full);
    }
  else
    printf ("\nwritten in full: skipped (not enough room, or HM_BENCH_ENTROPY_FULL=0)\n");
  return 0;
}
