/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Launch to the first frame with bytes (run under Xvfb and a session bus of its
 * own, GSK_RENDERER=cairo):
 *
 *   bench-launch HEXMAP BARE
 *
 * Wall time from just before the process is spawned to the first frame it
 * paints (the frame clock's after-paint, written to the file named by
 * HM_BENCH_FIRST_FRAME; both programs then quit), for
 *   - bench-launch-bare: a GtkApplicationWindow with a label (the baseline),
 *   - `hexmap FILE` on a 4 KiB file (first frame whose view drew rows),
 *   - `hexmap --offset end-16 FILE` on a 64 GiB sparse file (data at its end).
 * The three take turns in each round (after one warm-up round), so a busy
 * machine slows all of them alike; median of HM_BENCH_LAUNCH_RUNS rounds (5).
 * Every child gets the same environment: the display and bus of this process,
 * and fresh XDG data/state/config folders (no recent files, no journals).
 * The CPU time each process used until it exited is printed too: on a machine
 * shared with other work, wall time is mostly waiting for a core.
 * Goal (issue 12): hexmap at most 50 ms over the bare window.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPARSE_SIZE (G_GUINT64_CONSTANT (64) << 30)

enum { BARE, SMALL, SPARSE, N_KINDS };

static const char *const kind_names[N_KINDS] = {
  "bare GtkApplicationWindow + label",
  "hexmap 4 KiB file",
  "hexmap 64 GiB sparse, at its end",
};

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double da = *(const double *) a, db = *(const double *) b;

  return da < db ? -1 : da > db;
}

static void
write_file (const char *path,
            guint64     size,
            gsize       data_length)
{
  g_autofree guint8 *data = g_malloc (data_length);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  g_assert_cmpint (fd, >=, 0);
  for (gsize i = 0; i < data_length; i++)
    data[i] = (guint8) g_random_int ();
  g_assert_cmpint (ftruncate (fd, (off_t) size), ==, 0);
  g_assert_cmpint (pwrite (fd, data, data_length, (off_t) (size - data_length)), ==, (gssize) data_length);
  close (fd);
}

/* The folder and the XDG folders the children made in it. */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* Milliseconds from spawning @argv to the first frame it reports (@wall_ms),
 * and the CPU time (user + system) the process used in all until it exited. */
static void
launch (char       **argv,
        char       **envp,
        const char  *stamp_path,
        double      *wall_ms,
        double      *cpu_ms)
{
  g_autofree char *stamp = NULL;
  g_autoptr(GError) error = NULL;
  struct rusage usage;
  gint64 start, frame;
  GPid pid;
  int status;

  g_unlink (stamp_path);
  start = g_get_monotonic_time ();
  g_spawn_async (NULL, argv, envp, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid,
                 &error);
  g_assert_no_error (error);
  while (wait4 (pid, &status, 0, &usage) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  g_spawn_close_pid (pid);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s", argv[0], error->message);
  if (!g_file_get_contents (stamp_path, &stamp, NULL, &error))
    g_error ("%s painted no frame: %s", argv[0], error->message);
  frame = g_ascii_strtoll (stamp, NULL, 10);
  g_assert_cmpint (frame, >, start);
  *wall_ms = (double) (frame - start) / 1000.0;
  *cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0
            + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *small = NULL;
  g_autofree char *sparse = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *xdg = NULL;
  g_auto(GStrv) envp = NULL;
  const char *runs_text = g_getenv ("HM_BENCH_LAUNCH_RUNS");
  guint runs = runs_text != NULL ? (guint) g_ascii_strtoull (runs_text, NULL, 10) : 5;
  double *times[N_KINDS];
  double *cpu[N_KINDS];
  double median[N_KINDS];
  double cpu_median[N_KINDS];
  g_autoptr(GError) error = NULL;

  if (argc != 3)
    {
      g_printerr ("usage: %s HEXMAP BARE\n", argv[0]);
      return 2;
    }
  if (runs == 0)
    runs = 5;

  dir = g_dir_make_tmp ("hm-bench-launch-XXXXXX", &error);
  g_assert_no_error (error);
  small = g_build_filename (dir, "small.bin", NULL);
  sparse = g_build_filename (dir, "sparse.bin", NULL);
  stamp = g_build_filename (dir, "first-frame", NULL);
  write_file (small, 4096, 4096);
  write_file (sparse, SPARSE_SIZE, 4096);

  envp = g_get_environ ();
  envp = g_environ_setenv (envp, "HM_BENCH_FIRST_FRAME", stamp, TRUE);
  xdg = g_build_filename (dir, "data", NULL);
  envp = g_environ_setenv (envp, "XDG_DATA_HOME", xdg, TRUE);
  g_free (xdg);
  xdg = g_build_filename (dir, "state", NULL);
  envp = g_environ_setenv (envp, "XDG_STATE_HOME", xdg, TRUE);
  g_free (xdg);
  xdg = g_build_filename (dir, "config", NULL);
  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", xdg, TRUE);

  for (guint k = 0; k < N_KINDS; k++)
    {
      times[k] = g_new0 (double, runs);
      cpu[k] = g_new0 (double, runs);
    }

  /* Round 0 warms the page cache (libraries, fonts, icons) and is not counted. */
  for (guint round = 0; round <= runs; round++)
    for (guint k = 0; k < N_KINDS; k++)
      {
        char *bare_argv[] = { argv[2], NULL };
        char *small_argv[] = { argv[1], small, NULL };
        char *sparse_argv[] = { argv[1], (char *) "--offset", (char *) "end-16", sparse, NULL };
        char **child_argv = k == BARE ? bare_argv : k == SMALL ? small_argv : sparse_argv;
        double ms, cpu_ms;

        launch (child_argv, envp, stamp, &ms, &cpu_ms);
        if (round > 0)
          {
            times[k][round - 1] = ms;
            cpu[k][round - 1] = cpu_ms;
          }
      }

  for (guint k = 0; k < N_KINDS; k++)
    {
      qsort (times[k], runs, sizeof (double), compare_doubles);
      qsort (cpu[k], runs, sizeof (double), compare_doubles);
      median[k] = times[k][runs / 2];
      cpu_median[k] = cpu[k][runs / 2];
    }

  printf ("launch to first frame with bytes (spawn -> after-paint, wall ms, median of %u interleaved runs;\n"
          "renderer %s)\n", runs, g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "default");
  printf ("%-36s %8s %8s %8s %10s %7s\n", "", "min", "median", "max", "vs bare", "ratio");
  for (guint k = 0; k < N_KINDS; k++)
    {
      printf ("%-36s %8.1f %8.1f %8.1f", kind_names[k], times[k][0], median[k], times[k][runs - 1]);
      if (k == BARE)
        printf (" %10s %7s\n", "baseline", "");
      else
        printf (" %+9.1f  %6.2fx\n", median[k] - median[BARE], median[k] / median[BARE]);
    }
  printf ("CPU time of the whole process (user + system, until it quit after that frame), median:\n");
  for (guint k = 0; k < N_KINDS; k++)
    {
      printf ("%-36s %8.1f", kind_names[k], cpu_median[k]);
      if (k == BARE)
        printf (" %10s\n", "baseline");
      else
        printf (" %+9.1f  %6.2fx\n", cpu_median[k] - cpu_median[BARE], cpu_median[k] / cpu_median[BARE]);
    }
  printf ("goal: at most +50 ms (wall) over the bare window\n");

  for (guint k = 0; k < N_KINDS; k++)
    {
      g_free (times[k]);
      g_free (cpu[k]);
    }
  g_unlink (small);
  g_unlink (sparse);
  g_unlink (stamp);
  remove_tree (dir);
  return 0;
}
