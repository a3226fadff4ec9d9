/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a save costs: a one-byte commit in a 4 GiB file (blocks allocated with
 * fallocate) and in a 1 TiB sparse file, against `dd conv=notrunc` writing the
 * same byte plus `sync FILE`, in the same run on the same file. Wall time includes
 * the fsync; "written" is what the block device under the file received (sectors
 * written in /sys/dev/block/M:N/stat: data, metadata and journal, system-wide, so
 * run it on a quiet machine) and the change in allocated blocks.
 * Then the journal's memory for a million one-byte edits, and undo/redo of them.
 *
 *   bench-commit [DIR]     (default: $TMPDIR or /tmp; needs ~4 GiB free)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hm-document.h"
#include "hm-document-private.h"
#include "hm-journal.h"

#define GIB (G_GUINT64_CONSTANT (1) << 30)

typedef struct
{
  double  seconds;
  guint64 device_bytes;
  gint64  allocated_delta;
} Cost;

static guint64
device_sectors_written (dev_t dev)
{
  g_autofree char *path = g_strdup_printf ("/sys/dev/block/%u:%u/stat", major (dev), minor (dev));
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    {
      /* A partition's stat is under its own node; a whole disk's too. Unknown: 0. */
      return 0;
    }
  fields = g_strsplit_set (g_strstrip (text), " ", -1);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      if (fields[i][0] == '\0')
        continue;
      if (n++ == 6)
        return g_ascii_strtoull (fields[i], NULL, 10);
    }
  return 0;
}

static void
measure_begin (const char  *path,
               struct stat *st,
               guint64     *sectors,
               gint64      *t0)
{
  sync ();
  g_assert (stat (path, st) == 0);
  *sectors = device_sectors_written (st->st_dev);
  *t0 = g_get_monotonic_time ();
}

static Cost
measure_end (const char        *path,
             const struct stat *before,
             guint64            sectors,
             gint64             t0)
{
  Cost cost;
  struct stat after;

  cost.seconds = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  g_assert (stat (path, &after) == 0);
  cost.device_bytes = (device_sectors_written (before->st_dev) - sectors) * 512;
  cost.allocated_delta = ((gint64) after.st_blocks - (gint64) before->st_blocks) * 512;
  return cost;
}

static Cost
commit_hexmap (const char *path,
               guint64     offset,
               guint8      byte)
{
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;
  guint64 sectors;
  gint64 t0;
  Cost cost;

  measure_begin (path, &st, &sectors, &t0);
  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  if (!hm_document_write (doc, offset, &byte, 1, HM_EDIT_NONE, &error) ||
      !hm_document_save (doc, NULL, NULL, NULL, NULL, &error))
    g_error ("%s", error->message);
  g_clear_object (&doc);
  cost = measure_end (path, &st, sectors, t0);
  return cost;
}

static Cost
commit_dd (const char *path,
           guint64     offset,
           guint8      byte)
{
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *command = g_strdup_printf (
    "sh -c 'printf \"\\%03o\" | dd of=%s bs=1 seek=%" G_GUINT64_FORMAT " count=1 conv=notrunc "
    "status=none && sync %s'", byte, quoted, offset, quoted);
  g_autoptr(GError) error = NULL;
  struct stat st;
  guint64 sectors;
  gint64 t0;
  int status = 0;

  measure_begin (path, &st, &sectors, &t0);
  if (!g_spawn_command_line_sync (command, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s", command, error->message);
  return measure_end (path, &st, sectors, t0);
}

static void
check_byte (const char *path,
            guint64     offset,
            guint8      byte)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  guint8 seen = 0;

  g_assert (fd >= 0);
  g_assert (pread (fd, &seen, 1, (off_t) offset) == 1);
  close (fd);
  if (seen != byte)
    g_error ("byte at %" G_GUINT64_FORMAT " is %02x, not %02x", offset, seen, byte);
}

static void
print_row (const char *figure,
           double      value,
           double      baseline,
           const char *unit)
{
  printf ("%-44s %14.3f %14.3f %8.2f  %s\n", figure, value, baseline,
          baseline != 0 ? value / baseline : 0.0, unit);
}

static void
bench_one_byte (const char *label,
                const char *path,
                guint64     offset)
{
  Cost hm, dd;
  g_autofree char *t = g_strdup_printf ("%s: commit wall time", label);
  g_autofree char *d = g_strdup_printf ("%s: device bytes written", label);
  g_autofree char *a = g_strdup_printf ("%s: allocated bytes added", label);

  /* Warm the metadata once so neither side pays for the first lookup. */
  check_byte (path, offset, 0);
  hm = commit_hexmap (path, offset, 0x5a);
  check_byte (path, offset, 0x5a);
  dd = commit_dd (path, offset + 8192, 0x5a);
  check_byte (path, offset + 8192, 0x5a);

  print_row (t, hm.seconds * 1000, dd.seconds * 1000, "ms (hexmap vs dd+sync)");
  print_row (d, (double) hm.device_bytes, (double) dd.device_bytes, "bytes");
  print_row (a, (double) hm.allocated_delta, (double) dd.allocated_delta, "bytes");
}

static void
bench_journal (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "hexmap-bench-journal", NULL);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  const guint n = 1000000;
  const guint64 size = 64 * 1024 * 1024;
  gint64 t0;
  double t_edit, t_undo, t_redo;
  gsize used;
  int fd;

  fd = open (path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert (fd >= 0 && ftruncate (fd, (off_t) size) == 0);
  close (fd);

  doc = hm_document_new (path, &error);
  g_assert_no_error (error);

  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      guint8 byte = (guint8) (g_rand_int (rand) | 1);
      guint64 offset = g_rand_int_range (rand, 0, (gint32) size);

      if (!hm_document_write (doc, offset, &byte, 1, HM_EDIT_NONE, &error))
        g_error ("%s", error->message);
    }
  t_edit = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  used = hm_journal_get_bytes_used (doc->journal);

  t0 = g_get_monotonic_time ();
  while (hm_document_get_can_undo (doc))
    if (!hm_document_undo (doc, &error))
      g_error ("%s", error->message);
  t_undo = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  g_assert (!hm_document_get_has_pending (doc));

  t0 = g_get_monotonic_time ();
  while (hm_document_get_can_redo (doc))
    if (!hm_document_redo (doc, &error))
      g_error ("%s", error->message);
  t_redo = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;

  /* Baseline: the information itself, 8-byte offset + old byte + new byte. */
  print_row ("1M one-byte edits: journal memory", (double) used / (1024 * 1024),
             (double) n * 10 / (1024 * 1024), "MiB (vs offset+old+new)");
  print_row ("1M one-byte edits: per edit", (double) used / n, 10.0, "bytes");
  print_row ("1M edits: edit / undo all / redo all", t_edit, t_undo, "s (edit vs undo)");
  print_row ("1M edits: redo all vs undo all", t_redo, t_undo, "s");

  g_clear_object (&doc);
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  const char *dir = argc > 1 ? argv[1] : g_get_tmp_dir ();
  g_autofree char *big = g_build_filename (dir, "hexmap-bench-4g", NULL);
  g_autofree char *sparse = g_build_filename (dir, "hexmap-bench-1t", NULL);
  int fd;

  setvbuf (stdout, NULL, _IOLBF, 0);
  printf ("%-44s %14s %14s %8s\n", "figure", "hexmap", "baseline", "ratio");

  fd = open (big, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert (fd >= 0);
  if (fallocate (fd, 0, 0, (off_t) (4 * GIB)) != 0)
    {
      fprintf (stderr, "# cannot allocate 4 GiB in %s: %s; skipping that row\n", dir, g_strerror (errno));
      close (fd);
    }
  else
    {
      close (fd);
      bench_one_byte ("4 GiB allocated", big, 3 * GIB + 777);
    }
  g_unlink (big);

  fd = open (sparse, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert (fd >= 0 && ftruncate (fd, (off_t) (1024 * GIB)) == 0);
  close (fd);
  bench_one_byte ("1 TiB sparse", sparse, 700 * GIB + 12345);
  g_unlink (sparse);

  bench_journal (dir);
  return 0;
}
