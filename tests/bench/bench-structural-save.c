/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a structural save costs, against a baseline in the same run:
 *  - a 1-byte insert at 0 of a 4 GiB file (HM_BENCH_SHIFT_GIB) against
 *    `cp FILE COPY && sync` (goal: at most 1.2x);
 *  - a 1 MiB insert, then its delete, at a block boundary of that file when it
 *    lies on ext4 or XFS (goal: each under 500 ms);
 *  - a 1-byte insert at 0 of a 1 TiB sparse file with three 1 MiB data regions
 *    (goal: under 2 s, allocation growing by at most 64 KiB);
 *  and, to show what the filesystem's insert saves, the same 1-byte inserts
 *  with it turned off (a copy whose chunks overlap: each goes to the journal).
 *
 *   bench-structural-save [DIR]     (default: $TMPDIR or /tmp; needs ~9 GiB free)
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm-structural-save-private.h"

#define KIB (G_GUINT64_CONSTANT (1) << 10)
#define MIB (G_GUINT64_CONSTANT (1) << 20)
#define GIB (G_GUINT64_CONSTANT (1) << 30)

static gboolean
byte_cb (gpointer  user_data,
         guint64   new_offset,
         guint8   *buffer,
         gsize     length,
         GError  **error)
{
  memset (buffer, 0x42, length);
  return TRUE;
}

static guint64
allocated (const char *path)
{
  struct stat st;

  g_assert_no_errno (stat (path, &st));
  return (guint64) st.st_blocks * 512;
}

/* Saves @segments into @path; seconds, or a negative number on failure. */
static double
timed_save (const char      *path,
            const HmSegment *segments,
            guint            n_segments,
            guint           *range_changes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmSavePlan) plan = NULL;
  gint64 start = g_get_monotonic_time ();
  int fd = open (path, O_RDWR | O_CLOEXEC);

  plan = hm_save_plan_new (fd, segments, n_segments, &error);
  if (plan == NULL || !hm_save_plan_execute (plan, fd, path, path, byte_cb, NULL, NULL, NULL, NULL, &error))
    {
      g_printerr ("save failed: %s\n", error->message);
      close (fd);
      return -1;
    }
  if (range_changes != NULL)
    *range_changes = hm_save_plan_get_range_changes (plan);
  close (fd);
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

static double
timed_command (const char *command)
{
  gint64 start = g_get_monotonic_time ();
  int status;

  if (!g_spawn_command_line_sync (command, NULL, NULL, &status, NULL) || !g_spawn_check_wait_status (status, NULL))
    return -1;
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

static void
write_file (const char *path,
            guint64     size)
{
  g_autofree guint8 *block = g_malloc (8 * MIB);
  int fd = open (path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  for (guint64 i = 0; i < 8 * MIB; i++)
    block[i] = (guint8) (i * 2654435761u >> 13);
  for (guint64 pos = 0; pos < size; pos += 8 * MIB)
    g_assert_cmpint (pwrite (fd, block, 8 * MIB, (off_t) pos), ==, (gssize) (8 * MIB));
  g_assert_no_errno (fsync (fd));
  close (fd);
}

static void
row (const char *what,
     double      value,
     const char *baseline_name,
     double      baseline,
     const char *goal)
{
  if (baseline > 0)
    printf ("%-46s %9.3f s  %-18s %9.3f s  %6.2fx  %s\n", what, value, baseline_name, baseline, value / baseline, goal);
  else
    printf ("%-46s %9.3f s  %-18s %9s    %6s   %s\n", what, value, baseline_name, "", "", goal);
}

int
main (int    argc,
      char **argv)
{
  const char *dir = argc > 1 ? argv[1] : g_get_tmp_dir ();
  const char *gib_env = g_getenv ("HM_BENCH_SHIFT_GIB");
  guint64 size = (gib_env != NULL ? g_ascii_strtoull (gib_env, NULL, 10) : 4) * GIB;
  g_autofree char *work = g_build_filename (dir, "hm-bench-shift-XXXXXX", NULL);
  g_autofree char *big = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *sparse = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *label = NULL;
  HmSegment insert_byte[] = { { HM_SEGMENT_DATA, 1, 0 }, { HM_SEGMENT_FILE, size, 0 } };
  guint changes = 0;
  double cp_time;
  double t;

  g_assert_nonnull (g_mkdtemp (work));
  big = g_build_filename (work, "big", NULL);
  copy = g_build_filename (work, "copy", NULL);
  sparse = g_build_filename (work, "sparse", NULL);
  g_setenv ("XDG_STATE_HOME", work, TRUE);

  printf ("Structural save in %s (a shared machine: figures vary from run to run)\n", dir);
  printf ("%-46s %11s  %-18s %11s  %7s  %s\n", "case", "time", "baseline", "time", "ratio", "goal");
  write_file (big, size);

  /* The baseline reads the file warm too: cp first, then the save. */
  cmd = g_strdup_printf ("sh -c 'cp %s %s && sync %s'", big, copy, copy);
  cp_time = timed_command (cmd);
  g_unlink (copy);
  t = timed_save (big, insert_byte, 2, &changes);
  label = g_strdup_printf ("1-byte insert at 0, %" G_GUINT64_FORMAT " GiB (%s)", size / GIB,
                           changes > 0 ? "fs insert + copy" : "copy");
  row (label, t, "cp + sync FILE", cp_time, "<= 1.2x");

  /* A 1 MiB insert and delete at a block boundary. */
  {
    guint64 at = size / 4;
    HmSegment insert_mib[] = { { HM_SEGMENT_FILE, at, 0 }, { HM_SEGMENT_DATA, MIB, 0 },
                               { HM_SEGMENT_FILE, size + 1 - at, at } };
    HmSegment delete_mib[] = { { HM_SEGMENT_FILE, at, 0 }, { HM_SEGMENT_FILE, size + 1 - at, at + MIB } };

    t = timed_save (big, insert_mib, 3, &changes);
    if (changes > 0)
      {
        row ("1 MiB insert at size/4 (fs insert)", t, "", 0, "< 0.5 s");
        t = timed_save (big, delete_mib, 2, &changes);
        row ("1 MiB delete at size/4 (fs collapse)", t, "", 0, "< 0.5 s");
      }
    else
      printf ("1 MiB insert/delete at a block boundary: skipped (not on ext4/XFS; took %.3f s copying)\n", t);
  }
  g_unlink (big);

  /* 1 TiB sparse, three 1 MiB regions. */
  {
    g_autofree guint8 *mib = g_malloc (MIB);
    guint64 tib = 1024 * GIB;
    guint64 offsets[] = { 0, tib / 2, tib - MIB };
    HmSegment insert_sparse[] = { { HM_SEGMENT_DATA, 1, 0 }, { HM_SEGMENT_FILE, tib, 0 } };
    guint64 before;
    int fd = open (sparse, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    memset (mib, 0x5a, MIB);
    for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
      g_assert_cmpint (pwrite (fd, mib, MIB, (off_t) offsets[i]), ==, (gssize) MIB);
    g_assert_no_errno (fsync (fd));
    close (fd);
    before = allocated (sparse);
    t = timed_save (sparse, insert_sparse, 2, &changes);
    row (changes > 0 ? "1-byte insert at 0, 1 TiB sparse (fs insert)" : "1-byte insert at 0, 1 TiB sparse (copy)",
         t, "", 0, "< 2 s");
    printf ("%-46s %+9" G_GINT64_FORMAT " KiB  (goal: <= +64 KiB)\n", "  allocation change",
            ((gint64) allocated (sparse) - (gint64) before) / 1024);

    /* The same without the filesystem's insert. */
    insert_sparse[1].length = tib + 1;
    _hm_structural_save_set_range_changes_for_tests (FALSE);
    before = allocated (sparse);
    t = timed_save (sparse, insert_sparse, 2, &changes);
    row ("1-byte insert at 0, 1 TiB sparse (copy only)", t, "", 0, "< 2 s");
    printf ("%-46s %+9" G_GINT64_FORMAT " KiB  (goal: <= +64 KiB)\n", "  allocation change",
            ((gint64) allocated (sparse) - (gint64) before) / 1024);
    g_unlink (sparse);
  }

  /* The copy path on the big file: every chunk overlaps and is journaled. */
  if (g_getenv ("HM_BENCH_SHIFT_COPY") != NULL)
    {
      write_file (big, size);
      g_free (cmd);
      cmd = g_strdup_printf ("sh -c 'cp %s %s && sync %s'", big, copy, copy);
      cp_time = timed_command (cmd);
      g_unlink (copy);
      t = timed_save (big, insert_byte, 2, &changes);
      row ("1-byte insert at 0 (copy only)", t, "cp + sync FILE", cp_time, "(informative)");
      g_unlink (big);
    }
  _hm_structural_save_set_range_changes_for_tests (TRUE);

  g_free (cmd);
  cmd = g_strdup_printf ("rm -rf %s", work);
  timed_command (cmd);
  return 0;
}
