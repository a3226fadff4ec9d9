/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hm_bookmarks_load() of a store of 10,000 and of 100,000 bookmarks in random
 * order, against reading the same key file with GKeyFile alone (the floor: the
 * load parses it). The ratio of the two sizes tells the growth: n log n gives
 * about 12.5x, a quadratic load 100x. Best of HM_BENCH_RUNS (default 3).
 *
 * Usage: bench-bookmarks
 */
#include "config.h"

#include "hm-bookmarks.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>

static char *
write_store (const char *file,
             guint       n,
             GRand      *rand)
{
  g_autoptr(HmBookmarks) bookmarks = hm_bookmarks_new (file);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  char *store = hm_bookmarks_get_store_path (bookmarks);
  g_autofree char *dir = g_path_get_dirname (store);

  g_mkdir_with_parents (dir, 0700);
  g_key_file_set_string (keyfile, "File", "Path", file);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *group = g_strdup_printf ("Bookmark %u", i);

      g_key_file_set_uint64 (keyfile, group, "Offset", g_rand_int (rand) * (guint64) 4096);
      g_key_file_set_string (keyfile, group, "Name", group);
    }
  if (!g_key_file_save_to_file (keyfile, store, &error))
    g_error ("%s", error->message);
  return store;
}

static double
time_load (const char *file,
           guint       runs)
{
  double best = INFINITY;

  for (guint r = 0; r < runs; r++)
    {
      g_autoptr(HmBookmarks) bookmarks = hm_bookmarks_new (file);
      gint64 start = g_get_monotonic_time ();

      if (!hm_bookmarks_load (bookmarks, NULL))
        g_error ("load failed");
      best = MIN (best, (g_get_monotonic_time () - start) / 1e6);
    }
  return best;
}

static double
time_parse (const char *store,
            guint       runs)
{
  double best = INFINITY;

  for (guint r = 0; r < runs; r++)
    {
      g_autoptr(GKeyFile) keyfile = g_key_file_new ();
      gint64 start = g_get_monotonic_time ();

      if (!g_key_file_load_from_file (keyfile, store, G_KEY_FILE_NONE, NULL))
        g_error ("parse failed");
      best = MIN (best, (g_get_monotonic_time () - start) / 1e6);
    }
  return best;
}

int
main (int   argc,
      char *argv[])
{
  static const guint sizes[] = { 10000, 100000 };
  g_autofree char *tmp = g_dir_make_tmp ("hexmap-bench-XXXXXX", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  const char *runs_env = g_getenv ("HM_BENCH_RUNS");
  guint runs = runs_env != NULL ? (guint) atoi (runs_env) : 3;
  double load[2];

  g_setenv ("XDG_DATA_HOME", tmp, TRUE);
  printf ("%-22s %12s %14s %8s\n", "bookmarks", "load (s)", "GKeyFile (s)", "ratio");
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *file = g_strdup_printf ("%s/file-%u", tmp, sizes[i]);
      g_autofree char *store = write_store (file, sizes[i], rand);
      double parse = time_parse (store, runs);

      load[i] = time_load (file, runs);
      printf ("%-22u %12.4f %14.4f %7.2fx\n", sizes[i], load[i], parse, load[i] / parse);
      g_unlink (store);
    }
  printf ("100,000 vs 10,000: %.1fx (n log n: %.1fx, n^2: 100x)\n", load[1] / load[0],
          10.0 * log (100000.0) / log (10000.0));
  {
    g_autofree char *marks = g_build_filename (tmp, "hexmap", "bookmarks", NULL);
    g_autofree char *hexmap = g_build_filename (tmp, "hexmap", NULL);

    g_rmdir (marks);
    g_rmdir (hexmap);
    g_rmdir (tmp);
  }
  return 0;
}
