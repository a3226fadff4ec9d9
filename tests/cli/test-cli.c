/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hexmap-cli against util-linux hexdump -C: both programs are run on the same files
 * with the same -s/-n/-v and their standard output must be byte-for-byte equal.
 *
 * Usage: test-cli [--tap] PATH-TO-hexmap-cli (or $HEXMAP_CLI). The random
 * comparisons use a fixed seed, printed at the start; set HM_TEST_SEED to change it.
 * Without hexdump (package bsdextrautils) the comparisons are skipped.
 */
#include "config.h"

#include "hm-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_SEED   20240229u
#define N_RANDOM       240
#define MiB            (G_GUINT64_CONSTANT (1) << 20)
#define GiB            (G_GUINT64_CONSTANT (1) << 30)
#define TiB            (G_GUINT64_CONSTANT (1) << 40)
#define VERBOSE_LIMIT  (2 * MiB)

static const char *cli_path;
static char *cli_absolute;
static char *hexdump_path;
static char **child_env;
static guint32 seed = DEFAULT_SEED;
static guint n_comparisons;

typedef struct
{
  char *out;
  char *err;
  int   status;   /* exit status, or -1 if killed by a signal */
} HmRun;

static void
hm_run_clear (HmRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

static void
run_argv (GPtrArray *argv,
          HmRun     *run)
{
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  if (argv->len == 0 || g_ptr_array_index (argv, argv->len - 1) != NULL)
    g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, child_env, G_SPAWN_DEFAULT, NULL, NULL,
                &run->out, &run->err, &wait_status, &error);
  g_assert_no_error (error);
  run->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
}

static void
run_cli (HmRun      *run,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (argv, (char *) cli_path);
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  run_argv (argv, run);
}

static gboolean
need_hexdump (void)
{
  if (hexdump_path != NULL)
    return TRUE;
  g_test_skip ("hexdump not found (install bsdextrautils)");
  return FALSE;
}

static char *
describe (GPtrArray *argv)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < argv->len && g_ptr_array_index (argv, i) != NULL; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", (char *) g_ptr_array_index (argv, i));
  return g_string_free (s, FALSE);
}

/* Reports the first line that differs. */
static void
report_difference (GPtrArray  *argv,
                   const char *expected,
                   const char *actual)
{
  g_autofree char *command = describe (argv);
  guint line = 1;
  const char *e = expected, *a = actual;

  while (*e != '\0' && *e == *a)
    {
      if (*e == '\n')
        line++;
      e++;
      a++;
    }
  while (e > expected && e[-1] != '\n')
    e--, a--;
  g_test_fail_printf ("`%s` differs from hexdump -C at output line %u (seed %u):\n"
                      "  hexdump:    %.*s\n  hexmap-cli: %.*s",
                      command, line, seed,
                      (int) strcspn (e, "\n"), e, (int) strcspn (a, "\n"), a);
}

/* Runs hexdump -C and hexmap-cli dump with the same options; TRUE if equal. */
static gboolean
compare_dump (const char *path,
              const char *skip,
              const char *length,
              gboolean    verbose)
{
  g_autoptr(GPtrArray) ours = g_ptr_array_new ();
  g_autoptr(GPtrArray) theirs = g_ptr_array_new ();
  HmRun a = { 0 }, b = { 0 };
  gboolean same;

  g_ptr_array_add (theirs, hexdump_path);
  g_ptr_array_add (theirs, (char *) "-C");
  g_ptr_array_add (ours, (char *) cli_path);
  g_ptr_array_add (ours, (char *) "dump");
  g_ptr_array_add (ours, (char *) path);
  if (skip != NULL)
    {
      g_ptr_array_add (theirs, (char *) "-s");
      g_ptr_array_add (theirs, (char *) skip);
      g_ptr_array_add (ours, (char *) "-s");
      g_ptr_array_add (ours, (char *) skip);
    }
  if (length != NULL)
    {
      g_ptr_array_add (theirs, (char *) "-n");
      g_ptr_array_add (theirs, (char *) length);
      g_ptr_array_add (ours, (char *) "-n");
      g_ptr_array_add (ours, (char *) length);
    }
  if (verbose)
    {
      g_ptr_array_add (theirs, (char *) "-v");
      g_ptr_array_add (ours, (char *) "-v");
    }
  g_ptr_array_add (theirs, (char *) path);

  run_argv (theirs, &a);
  run_argv (ours, &b);
  n_comparisons++;

  if (a.status != 0)
    {
      g_autofree char *command = describe (theirs);

      g_error ("`%s` failed (%d): %s", command, a.status, a.err);
    }
  same = strcmp (a.out, b.out) == 0 && b.status == 0 && b.err[0] == '\0';
  if (!same)
    {
      if (b.status != 0 || b.err[0] != '\0')
        {
          g_autofree char *command = describe (ours);

          g_test_fail_printf ("`%s` exited with %d: %s", command, b.status, b.err);
        }
      else
        report_difference (ours, a.out, b.out);
    }
  hm_run_clear (&a);
  hm_run_clear (&b);
  return same;
}

/* ---- Files ---- */

static char *
write_file (const char   *name,
            const guint8 *bytes,
            gsize         size)
{
  g_autoptr(GError) error = NULL;
  char *path = hm_test_path (name);

  g_file_set_contents (path, (const char *) bytes, (gssize) size, &error);
  g_assert_no_error (error);
  return path;
}

/* Lines drawn from a tiny alphabet with long runs, so that squeezing starts and
 * stops often; the partial last line sometimes repeats the start of the line before. */
static char *
make_squeeze_file (const char *name,
                   GRand      *rand,
                   guint       n_lines)
{
  guint8 patterns[4][16] = { { 0 } };
  g_autofree guint8 *bytes = g_malloc0 ((gsize) n_lines * 16 + 16);
  guint current = 0;
  gsize tail;

  memset (patterns[1], 'A', 16);
  for (guint i = 0; i < 16; i++)
    patterns[2][i] = (guint8) g_rand_int (rand);
  memcpy (patterns[3], patterns[2], 16);
  patterns[3][15] ^= 1;   /* differs in the last byte only */

  for (guint line = 0; line < n_lines; line++)
    {
      if (g_rand_int_range (rand, 0, 100) < 30)
        current = (guint) g_rand_int_range (rand, 0, 5);
      if (current == 4)
        for (guint i = 0; i < 16; i++)
          bytes[line * 16 + i] = (guint8) g_rand_int (rand);
      else
        memcpy (bytes + line * 16, patterns[current], 16);
    }

  tail = (gsize) g_rand_int_range (rand, 0, 16);
  if (n_lines > 0 && g_rand_boolean (rand))
    memcpy (bytes + n_lines * 16, bytes + (n_lines - 1) * 16, tail);
  else
    for (gsize i = 0; i < tail; i++)
      bytes[n_lines * 16 + i] = (guint8) g_rand_int (rand);

  return write_file (name, bytes, (gsize) n_lines * 16 + tail);
}

typedef struct
{
  char    *path;
  guint64  size;
  gboolean sparse;
  guint64  boundaries[16];  /* interesting offsets: where data starts and ends */
  guint    n_boundaries;
} HmPoolFile;

static void
put_random (const char *path,
            HmPoolFile *file,
            GRand      *rand,
            guint64     offset,
            gsize       length,
            int         fill)
{
  g_autofree guint8 *bytes = g_malloc (length);

  for (gsize i = 0; i < length; i++)
    bytes[i] = fill >= 0 ? (guint8) fill : (guint8) g_rand_int (rand);
  hm_test_pwrite (path, offset, bytes, length);
  if (file != NULL && file->n_boundaries + 2 <= G_N_ELEMENTS (file->boundaries))
    {
      file->boundaries[file->n_boundaries++] = offset;
      file->boundaries[file->n_boundaries++] = offset + length;
    }
}

/* The sparse layouts: data at unaligned places, a data block of zeros next to a
 * hole, a hole at the start, a file ending in a hole with a partial last line. */
static void
make_sparse_files (GRand      *rand,
                   HmPoolFile *files)
{
  HmPoolFile *f;

  f = &files[0];
  f->size = 64 * MiB;
  f->sparse = TRUE;
  f->path = hm_test_make_sparse ("sparse-scattered", f->size);
  put_random (f->path, f, rand, 5, 100, -1);
  put_random (f->path, f, rand, 70003, 3000, -1);
  put_random (f->path, f, rand, 1 * MiB + 4000, 8192, -1);
  put_random (f->path, f, rand, 33 * MiB + 7, 1, -1);
  put_random (f->path, f, rand, 40 * MiB, 8192, 0);
  put_random (f->path, f, rand, 50 * MiB + 8, 4096, 'A');
  put_random (f->path, f, rand, 64 * MiB - 20, 20, -1);

  f = &files[1];
  f->size = 64 * MiB + 5;
  f->sparse = TRUE;
  f->path = hm_test_make_sparse ("sparse-hole-first", f->size);
  put_random (f->path, f, rand, 48 * MiB + 3, 5000, -1);

  f = &files[2];
  f->size = 64 * MiB - 9;
  f->sparse = TRUE;
  f->path = hm_test_make_sparse ("sparse-hole-last", f->size);
  put_random (f->path, f, rand, 0, 5000, -1);
  put_random (f->path, f, rand, 10 * MiB + 1, 300, -1);
}

static void
free_pool_file (HmPoolFile *file)
{
  g_unlink (file->path);
  g_free (file->path);
}

/* ---- Offsets as text, in forms both programs read the same way ---- */

static char *
offset_text (GRand   *rand,
             guint64  value)
{
  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0:
      return g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", value);
    case 1:
      if (value % 1024 == 0 && value != 0)
        return g_strdup_printf ("%" G_GUINT64_FORMAT "K", value / 1024);
      break;
    case 2:
      if (value % 1000 == 0 && value != 0)
        return g_strdup_printf ("%" G_GUINT64_FORMAT "KB", value / 1000);
      break;
    case 3:
      if (value % MiB == 0 && value != 0)
        return g_strdup_printf ("%" G_GUINT64_FORMAT "MiB", value / MiB);
      break;
    default:
      break;
    }
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

static guint64
random_below (GRand   *rand,
              guint64  limit)
{
  guint64 r = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);

  return limit == 0 ? 0 : r % limit;
}

static guint64
random_skip (GRand            *rand,
             const HmPoolFile *file)
{
  guint64 size = file->size;
  int pick = g_rand_int_range (rand, 0, 100);

  if (pick < 10)
    return 0;
  if (pick < 45)
    return random_below (rand, size + 1);
  if (pick < 60)
    {
      guint64 back = random_below (rand, 48);

      return size - MIN (size, back);
    }
  if (pick < 70)
    return size + random_below (rand, 3) * random_below (rand, 100000);
  if (pick < 80)
    return random_below (rand, size / 16 + 1) * 16;
  if (pick < 85)
    return random_below (rand, size / 1024 + 1) * 1024;
  if (file->n_boundaries > 0)
    {
      guint64 b = file->boundaries[g_rand_int_range (rand, 0, (int) file->n_boundaries)];
      gint64 delta = g_rand_int_range (rand, -40, 41);

      return (gint64) b + delta < 0 ? 0 : (guint64) ((gint64) b + delta);
    }
  return random_below (rand, size + 1);
}

/* G_MAXUINT64 for no -n. */
static guint64
random_length (GRand   *rand,
               guint64  size)
{
  int pick = g_rand_int_range (rand, 0, 100);

  if (pick < 30)
    return G_MAXUINT64;
  if (pick < 35)
    return 0;
  if (pick < 60)
    return 1 + random_below (rand, 100);
  if (pick < 85)
    return 1 + random_below (rand, 70000);
  return size + random_below (rand, 1000);
}

/* ---- Tests ---- */

static void
test_dump_sizes (void)
{
  static const gsize sizes[] = { 0, 1, 15, 16, 17, 4095, 4096, 4097, 100000 };

  if (!need_hexdump ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *name = g_strdup_printf ("random-%" G_GSIZE_FORMAT, sizes[i]);
      g_autofree char *path = hm_test_write_random (name, sizes[i], seed + i, NULL);

      if (!compare_dump (path, NULL, NULL, FALSE) || !compare_dump (path, NULL, NULL, TRUE))
        return;
      g_unlink (path);
    }
}

static void
test_dump_squeeze (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint8 *zeros = g_malloc0 (4096 + 5);
  g_autofree guint8 *same = g_malloc (1000);
  g_autofree char *zeros_path = write_file ("zeros", zeros, 4096 + 5);
  g_autofree char *same_path = NULL;
  static const char *skips[] = { NULL, "1", "8", "16", "17", "100", "4090" };

  if (!need_hexdump ())
    return;

  memset (same, 'x', 1000);
  same_path = write_file ("same", same, 1000);

  for (guint i = 0; i < G_N_ELEMENTS (skips); i++)
    {
      if (!compare_dump (zeros_path, skips[i], NULL, FALSE) ||
          !compare_dump (same_path, skips[i], NULL, FALSE) ||
          !compare_dump (same_path, skips[i], "33", FALSE))
        return;
    }

  for (guint n = 0; n < 12; n++)
    {
      g_autofree char *name = g_strdup_printf ("squeeze-%u", n);
      g_autofree char *path = make_squeeze_file (name, rand, (guint) g_rand_int_range (rand, 0, 400));

      for (guint i = 0; i < 4; i++)
        {
          g_autofree char *skip = g_strdup_printf ("%d", g_rand_int_range (rand, 0, 64));

          if (!compare_dump (path, i == 0 ? NULL : skip, NULL, FALSE) ||
              !compare_dump (path, i == 0 ? NULL : skip, NULL, TRUE))
            return;
        }
      g_unlink (path);
    }
}

static void
test_dump_sparse (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  HmPoolFile files[3] = { { 0 } };

  if (!need_hexdump ())
    return;

  make_sparse_files (rand, files);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      HmPoolFile *f = &files[i];
      gboolean ok = compare_dump (f->path, NULL, NULL, FALSE);

      /* Around every data boundary, unaligned, squeezed and not. */
      for (guint b = 0; ok && b < f->n_boundaries; b++)
        {
          g_autofree char *skip = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                                   f->boundaries[b] - MIN (f->boundaries[b], 37));
          g_autofree char *skip_far = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                                       f->boundaries[b] - MIN (f->boundaries[b], 100003));

          ok = compare_dump (f->path, skip, NULL, FALSE) &&
               compare_dump (f->path, skip, "200", TRUE) &&
               compare_dump (f->path, skip_far, "300000", FALSE);
        }
      free_pool_file (f);
      if (!ok)
        return;
    }
}

static void
test_dump_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GArray) pool = g_array_new (FALSE, TRUE, sizeof (HmPoolFile));
  static const gsize sizes[] = { 0, 1, 15, 16, 17, 4095, 4096, 4097, 100000 };
  HmPoolFile sparse[3] = { { 0 } };
  guint start = n_comparisons;

  if (!need_hexdump ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *name = g_strdup_printf ("pool-random-%u", i);
      HmPoolFile f = { 0 };

      f.path = hm_test_write_random (name, sizes[i], seed ^ (i * 7919), NULL);
      f.size = sizes[i];
      g_array_append_val (pool, f);
    }
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("pool-squeeze-%u", i);
      HmPoolFile f = { 0 };
      struct stat st;

      f.path = make_squeeze_file (name, rand, (guint) g_rand_int_range (rand, 1, 3000));
      g_assert_cmpint (g_stat (f.path, &st), ==, 0);
      f.size = (guint64) st.st_size;
      g_array_append_val (pool, f);
    }
  make_sparse_files (rand, sparse);
  for (guint i = 0; i < G_N_ELEMENTS (sparse); i++)
    g_array_append_val (pool, sparse[i]);

  for (guint i = 0; i < N_RANDOM; i++)
    {
      const HmPoolFile *f = &g_array_index (pool, HmPoolFile, g_rand_int_range (rand, 0, (int) pool->len));
      guint64 skip = random_skip (rand, f);
      guint64 length = random_length (rand, f->size);
      gboolean verbose = g_rand_int_range (rand, 0, 100) < 30;
      gboolean with_skip = skip != 0 || g_rand_boolean (rand);
      g_autofree char *skip_text = with_skip ? offset_text (rand, skip) : NULL;
      g_autofree char *length_text = length != G_MAXUINT64 ? offset_text (rand, length) : NULL;
      guint64 span = skip < f->size ? MIN (length, f->size - skip) : 0;

      /* -v on a sparse file prints every zero line: keep that output small. */
      if (verbose && span > VERBOSE_LIMIT)
        {
          g_free (length_text);
          length_text = g_strdup_printf ("%d", g_rand_int_range (rand, 1, 100000));
        }

      if (!compare_dump (f->path, skip_text, length_text, verbose))
        break;
    }

  g_test_message ("%u random comparisons with seed %u", n_comparisons - start, seed);
  for (guint i = 0; i < pool->len; i++)
    free_pool_file (&g_array_index (pool, HmPoolFile, i));
}

/* Data at 1 GiB + 3, 512 GiB and 100 bytes before the end of a 1 TiB file. */
static char *
make_terabyte_file (const char *name,
                    gboolean    only_tail)
{
  char *path = hm_test_make_sparse (name, TiB);

  if (!only_tail)
    {
      put_random (path, NULL, NULL, GiB + 3, 100, 0x5a);
      put_random (path, NULL, NULL, 512 * GiB, 4096, 0x11);
    }
  hm_test_pwrite (path, TiB - 100, "hello", 5);
  return path;
}

static void
test_info_terabyte (void)
{
  g_autofree char *path = make_terabyte_file ("terabyte-info", FALSE);
  HmRun run = { 0 };

  run_cli (&run, "info", path, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_nonnull (strstr (run.out, "\nsize: 1099511627776\n"));
  g_assert_nonnull (strstr (run.out, "\nsize-human: 1.0 TiB\n"));
  g_assert_nonnull (strstr (run.out, "\nkind: regular file\n"));
  g_assert_nonnull (strstr (run.out, "\nholes: 3\n"));
  g_assert_nonnull (strstr (run.out, "\ndata-bytes: 12288\n"));
  g_assert_nonnull (strstr (run.out, "\ndata-extents: 3\n"
                                     "data-extent: 0x40000000 0x1000\n"
                                     "data-extent: 0x8000000000 0x1000\n"
                                     "data-extent: 0xfffffff000 0x1000\n"));
  g_assert_null (strstr (run.out, "omitted"));
  hm_run_clear (&run);
  g_unlink (path);
}

static void
test_info_basic (void)
{
  g_autofree char *path = hm_test_write_random ("info-small", 1000, seed, NULL);
  g_autofree char *empty = write_file ("info-empty", (const guint8 *) "", 0);
  g_autofree char *many = hm_test_make_sparse ("info-many", 64 * MiB);
  HmRun run = { 0 };
  guint lines = 0;

  run_cli (&run, "info", path, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "file: "));
  g_assert_nonnull (strstr (run.out, "\nsize: 1000\n"));
  g_assert_nonnull (strstr (run.out, "\nholes: 0\ndata-bytes: 1000\ndata-extents: 1\n"
                                     "data-extent: 0x0 0x3e8\n"));
  g_assert_nonnull (strstr (run.out, "\nfilesystem-kind: "));
  g_assert_nonnull (strstr (run.out, "\ndefault-mode: preview\nwritable: yes\n"));
  hm_run_clear (&run);

  run_cli (&run, "info", empty, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\nsize: 0\n"));
  g_assert_nonnull (strstr (run.out, "\nholes: 0\ndata-bytes: 0\ndata-extents: 0\n"));
  hm_run_clear (&run);

  run_cli (&run, "info", "/dev/zero", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\nkind: zero device\n"));
  g_assert_nonnull (strstr (run.out, "\ndefault-mode: read-only\nwritable: no\n"));
  hm_run_clear (&run);

  /* 1100 data extents: the listing stops at 1000 unless --all-extents. */
  for (guint i = 0; i < 1100; i++)
    put_random (many, NULL, NULL, (guint64) i * 32768 + 7, 1, 'x');
  run_cli (&run, "info", many, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\ndata-extents: 1100\n"));
  g_assert_true (g_str_has_suffix (run.out, "\ndata-extents-omitted: 100\n"));
  for (const char *p = run.out; (p = strstr (p, "\ndata-extent: ")) != NULL; p++)
    lines++;
  g_assert_cmpuint (lines, ==, 1000);
  hm_run_clear (&run);

  run_cli (&run, "info", "--all-extents", many, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, "omitted"));
  g_assert_true (g_str_has_suffix (run.out, "\ndata-extent: 0x2258000 0x1000\n"));
  hm_run_clear (&run);

  g_unlink (many);
}

static void
test_dump_terabyte (void)
{
  g_autofree char *path = make_terabyte_file ("terabyte-dump", TRUE);
  g_autofree char *tail = g_strdup_printf ("%" G_GUINT64_FORMAT, TiB - 256);
  g_autofree char *block = g_strdup_printf ("%" G_GUINT64_FORMAT, TiB - 4096);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  HmRun ours = { 0 }, theirs = { 0 };
  g_autofree char *expected = NULL;
  const char *rest;
  gint64 started;

  if (!need_hexdump ())
    return;

  g_assert_true (compare_dump (path, tail, NULL, FALSE));
  g_assert_true (compare_dump (path, tail, NULL, TRUE));
  g_assert_true (compare_dump (path, "0xffffffff00", "300", FALSE));
  g_assert_true (compare_dump (path, "1T", "5", FALSE));
  g_assert_true (compare_dump (path, "1023G", "64", FALSE));

  /* The whole terabyte: only the last block holds data, so the output is the first
   * zero line, `*`, then what hexdump prints from that block on once its own first
   * zero line and `*` are dropped. hexdump itself would read for hours. */
  g_ptr_array_add (argv, hexdump_path);
  g_ptr_array_add (argv, (char *) "-C");
  g_ptr_array_add (argv, (char *) "-s");
  g_ptr_array_add (argv, block);
  g_ptr_array_add (argv, path);
  run_argv (argv, &theirs);
  g_assert_cmpint (theirs.status, ==, 0);
  g_assert_true (g_str_has_prefix (theirs.out, "fffffff000  00 00 00 00 00 00 00 00  "
                                               "00 00 00 00 00 00 00 00  |................|\n*\n"));
  rest = strchr (strchr (theirs.out, '\n') + 1, '\n') + 1;
  expected = g_strconcat ("00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  "
                          "|................|\n*\n", rest, NULL);

  started = g_get_monotonic_time ();
  run_cli (&ours, "dump", path, NULL);
  g_test_message ("dump of a 1 TiB sparse file: %.3f s",
                  (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpint (ours.status, ==, 0);
  g_assert_cmpstr (ours.out, ==, expected);
  g_assert_true (g_str_has_suffix (ours.out, "\n10000000000\n"));
  /* Reading the hole (1 TiB of zeros) would take minutes, not seconds. */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 20 * G_USEC_PER_SEC);

  hm_run_clear (&ours);
  hm_run_clear (&theirs);
  g_unlink (path);
}

/* Every error exits with 2; a runtime error (not bad usage) is one line. */
static void
assert_error_full (HmRun      *run,
                   gboolean    runtime,
                   const char *mentions)
{
  g_assert_cmpint (run->status, ==, 2);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_true (g_str_has_prefix (run->err, "hexmap-cli"));
  if (runtime)
    g_assert_cmpuint (strlen (run->err), ==, (gsize) (strchr (run->err, '\n') - run->err) + 1);
  if (mentions != NULL && strstr (run->err, mentions) == NULL)
    g_test_fail_printf ("“%s” does not mention “%s”", run->err, mentions);
  hm_run_clear (run);
}

static void
assert_usage_error (HmRun      *run,
                    const char *mentions)
{
  assert_error_full (run, FALSE, mentions);
}

static void
assert_runtime_error (HmRun      *run,
                      const char *mentions)
{
  assert_error_full (run, TRUE, mentions);
}

static void
test_errors (void)
{
  g_autofree char *missing = hm_test_path ("no-such-file");
  g_autofree char *fifo = hm_test_path ("fifo");
  g_autofree char *file = hm_test_write_random ("errors", 100, seed, NULL);
  HmRun run = { 0 };

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  run_cli (&run, "dump", missing, NULL);
  assert_runtime_error (&run, "no-such-file");
  run_cli (&run, "dump", missing, "-n", "0", NULL);
  assert_runtime_error (&run, "no-such-file");
  run_cli (&run, "info", missing, NULL);
  assert_runtime_error (&run, "no-such-file");
  run_cli (&run, "dump", hm_test_tmpdir (), NULL);
  assert_runtime_error (&run, hm_test_tmpdir ());
  run_cli (&run, "info", hm_test_tmpdir (), NULL);
  assert_runtime_error (&run, "folder");
  /* Opening a FIFO for reading would block until a writer comes: must not hang. */
  run_cli (&run, "dump", fifo, NULL);
  assert_runtime_error (&run, "fifo");
  run_cli (&run, "info", fifo, NULL);
  assert_runtime_error (&run, "FIFO");
  run_cli (&run, "dump", "/proc/self/status", NULL);
  assert_runtime_error (&run, "/proc/self/status");

  run_cli (&run, "dump", file, "-s", "12q", NULL);
  assert_usage_error (&run, "12q");
  run_cli (&run, "dump", file, "-n", "-5", NULL);
  assert_usage_error (&run, "-5");
  run_cli (&run, "dump", file, "-s", NULL);
  assert_usage_error (&run, NULL);
  run_cli (&run, "dump", file, "--frobnicate", NULL);
  assert_usage_error (&run, "frobnicate");
  run_cli (&run, "dump", NULL);
  assert_usage_error (&run, "FILE");
  run_cli (&run, "dump", file, file, NULL);
  assert_usage_error (&run, NULL);
  run_cli (&run, "info", NULL);
  assert_usage_error (&run, "FILE");
  run_cli (&run, "frobnicate", file, NULL);
  assert_usage_error (&run, "frobnicate");
  run_cli (&run, NULL);
  g_assert_cmpint (run.status, ==, 2);
  hm_run_clear (&run);

  run_cli (&run, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "dump"));
  g_assert_nonnull (strstr (run.out, "info"));
  hm_run_clear (&run);
  run_cli (&run, "dump", "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "--skip"));
  hm_run_clear (&run);
  run_cli (&run, "--version", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "hexmap-cli " PACKAGE_VERSION "\n");
  hm_run_clear (&run);

  g_unlink (fifo);
  g_unlink (file);
}

/* ---- The offset grammar of Go to (hm-offset.h) on the command line ---- */

/* `dump -s SKIP -n LENGTH` as ours prints it; NULL leaves an option out. */
static char *
dump_output (const char *path,
             const char *skip,
             const char *length)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  HmRun run = { 0 };
  char *out;

  g_ptr_array_add (argv, (char *) cli_path);
  g_ptr_array_add (argv, (char *) "dump");
  g_ptr_array_add (argv, (char *) path);
  if (skip != NULL)
    {
      g_ptr_array_add (argv, (char *) "-s");
      g_ptr_array_add (argv, (char *) skip);
    }
  if (length != NULL)
    {
      g_ptr_array_add (argv, (char *) "-n");
      g_ptr_array_add (argv, (char *) length);
    }
  run_argv (argv, &run);
  if (run.status != 0 || run.err[0] != '\0')
    {
      g_autofree char *command = describe (argv);

      g_error ("`%s` exited with %d: %s", command, run.status, run.err);
    }
  out = g_steal_pointer (&run.out);
  hm_run_clear (&run);
  return out;
}

/* end-N, N% and end resolve against the file size: each form dumps what the
 * plain offset does (and that one is compared with hexdump). */
static void
test_dump_offset_forms (void)
{
  static const struct
  {
    const char *skip, *length;
    const char *plain_skip, *plain_length;
  } cases[] = {
    { "end-16", NULL, "984", NULL },
    { "END-0x100", "16", "744", "16" },
    { "end - 16", NULL, "984", NULL },
    { "end", NULL, "999", NULL },
    { "end-0", "4", "999", "4" },
    { "end-1000", "32", "0", "32" },
    { "end-1KB", NULL, "0", NULL },
    { "50%", NULL, "500", NULL },
    { "12.5%", "10%", "125", "100" },
    { "0%", "0.5%", "0", "5" },
    { "100%", NULL, "999", NULL },
    { NULL, "100%", NULL, "1000" },
    { "end-40", "100%", "960", "1000" },
    { "0x10", "0%", "16", "0" },
  };
  g_autofree char *path = hm_test_write_random ("offset-forms", 1000, seed, NULL);
  g_autofree char *terabyte = make_terabyte_file ("offset-forms-terabyte", TRUE);
  g_autofree char *tail = g_strdup_printf ("%" G_GUINT64_FORMAT, TiB - 100);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *form = dump_output (path, cases[i].skip, cases[i].length);
      g_autofree char *plain = dump_output (path, cases[i].plain_skip, cases[i].plain_length);

      if (strcmp (form, plain) != 0)
        g_test_fail_printf ("dump -s %s -n %s differs from -s %s -n %s:\n%s\n%s",
                            cases[i].skip, cases[i].length, cases[i].plain_skip, cases[i].plain_length,
                            form, plain);
      if (hexdump_path != NULL)
        g_assert_true (compare_dump (path, cases[i].plain_skip, cases[i].plain_length, FALSE));
    }

  /* On a 1 TiB sparse file: the tail, without reading the hole. */
  {
    g_autofree char *form = dump_output (terabyte, "end-100", "5");
    g_autofree char *plain = dump_output (terabyte, tail, "5");

    g_assert_cmpstr (form, ==, plain);
    g_assert_cmpstr (form, ==, "ffffffff9c  68 65 6c 6c 6f                                    |hello|\n"
                               "ffffffffa1\n");
  }

  g_unlink (path);
  g_unlink (terabyte);
}

static void
test_offset_errors (void)
{
  g_autofree char *file = hm_test_write_random ("offset-errors", 1000, seed, NULL);
  HmRun run = { 0 };

  /* No cursor on the command line: +N and -N are refused, with the option and column. */
  run_cli (&run, "dump", file, "-s", "+16", NULL);
  g_assert_nonnull (strstr (run.err, "-s: “+16”"));
  assert_usage_error (&run, "column 1");
  run_cli (&run, "dump", file, "-s", "  -16", NULL);
  g_assert_nonnull (strstr (run.err, "cursor"));
  assert_usage_error (&run, "column 3");
  /* A length has no end; end-N is an offset. */
  run_cli (&run, "dump", file, "-n", "end-5", NULL);
  g_assert_nonnull (strstr (run.err, "-n: “end-5”"));
  assert_usage_error (&run, "column 1");
  run_cli (&run, "dump", file, "-s", "end-12q", NULL);
  g_assert_nonnull (strstr (run.err, "-s: "));
  assert_usage_error (&run, "unknown unit “q” at column 7");
  run_cli (&run, "dump", file, "-s", "4x", NULL);
  assert_usage_error (&run, "column 2");
  run_cli (&run, "dump", file, "-s", "101%", NULL);
  assert_usage_error (&run, "between 0 and 100 (at column 1)");
  run_cli (&run, "dump", file, "-n", "5%x", NULL);
  assert_usage_error (&run, "unexpected “x” at column 3");
  run_cli (&run, "dump", file, "-s", "end-", NULL);
  assert_usage_error (&run, "a number is expected at column 5");
  run_cli (&run, "dump", file, "-s", "99999999999999999999", NULL);
  assert_usage_error (&run, "too large");
  /* Known only once the file is open: still bad usage. */
  run_cli (&run, "dump", file, "-s", "end-1001", NULL);
  g_assert_nonnull (strstr (run.err, "-s end-1001: "));
  assert_usage_error (&run, "before its start");
  /* A bad offset is reported before a missing file. */
  run_cli (&run, "dump", "/no/such/file", "-s", "+1", NULL);
  assert_usage_error (&run, "column 1");

  /* Every command's help says what OFFSET takes. */
  for (guint i = 0; i < 3; i++)
    {
      const char *command = (const char *[]) { "dump", "find", "patch" }[i];

      run_cli (&run, command, "--help", NULL);
      g_assert_cmpint (run.status, ==, 0);
      if (strstr (run.out, "end-N") == NULL || strstr (run.out, "N% of the file size") == NULL ||
          strstr (run.out, "+N and -N") == NULL)
        g_test_fail_printf ("`hexmap-cli %s --help` does not describe the offset forms:\n%s",
                            command, run.out);
      hm_run_clear (&run);
    }

  g_unlink (file);
}

/* Spawns `hexmap-cli dump PATH` with pipes; the caller reads and reaps. */
static GPid
spawn_dump (const char *path,
            int        *out_fd,
            int        *err_fd)
{
  const char *argv[] = { cli_path, "dump", path, NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_spawn_async_with_pipes (NULL, (char **) argv, child_env, G_SPAWN_DO_NOT_REAP_CHILD,
                            NULL, NULL, &pid, NULL, out_fd, err_fd, &error);
  g_assert_no_error (error);
  return pid;
}

static gsize
read_some (int    fd,
           char  *buffer,
           gsize  length)
{
  gsize done = 0;

  while (done < length)
    {
      gssize n = read (fd, buffer + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >=, 0);
      if (n == 0)
        break;
      done += (gsize) n;
    }
  return done;
}

static char *
read_all (int fd)
{
  GString *s = g_string_new (NULL);
  char buffer[65536];
  gsize n;

  while ((n = read_some (fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (s, buffer, (gssize) n);
  return g_string_free (s, FALSE);
}

static int
reap (GPid pid)
{
  int wait_status;

  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_spawn_close_pid (pid);
  if (!WIFEXITED (wait_status))
    {
      g_test_fail_printf ("hexmap-cli was killed by signal %d", WTERMSIG (wait_status));
      return -1;
    }
  return WEXITSTATUS (wait_status);
}

/* A full disk under stdout is an error (status 1), unlike a closed pipe. */
static void
test_dump_disk_full (void)
{
  g_autofree char *path = hm_test_write_random ("full", 100000, seed, NULL);
  g_autofree char *command = g_strdup_printf ("exec '%s' dump '%s' >/dev/full", cli_path, path);
  const char *argv[] = { "/bin/sh", "-c", command, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int wait_status;

  if (!g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/full");
      return;
    }
  g_spawn_sync (NULL, (char **) argv, child_env, G_SPAWN_DEFAULT,
                NULL, NULL, NULL, &err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 2);
  g_assert_true (g_str_has_prefix (err, "hexmap-cli: cannot write to standard output: "));
  g_unlink (path);
}

/* `hexmap-cli dump | head`: the reader goes away; we end quietly with status 0. */
static void
test_dump_pipe_closed (void)
{
  g_autofree char *path = hm_test_write_random ("pipe", 4 * MiB, seed, NULL);
  g_autofree char *err = NULL;
  char buffer[100];
  int out_fd, err_fd;
  GPid pid = spawn_dump (path, &out_fd, &err_fd);

  g_assert_cmpuint (read_some (out_fd, buffer, sizeof buffer), ==, sizeof buffer);
  close (out_fd);
  err = read_all (err_fd);
  close (err_fd);
  g_assert_cmpint (reap (pid), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_unlink (path);
}

/* The file shrinks under a running dump: the paging fault becomes a one-line
 * message naming the file and the offset, exit status 1, no SIGBUS. */
static void
test_dump_truncated (void)
{
  g_autofree char *path = hm_test_write_random ("truncated", 16 * MiB, seed, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  char buffer[65536];
  int out_fd, err_fd;
  GPid pid = spawn_dump (path, &out_fd, &err_fd);

  /* The dump is now blocked writing its first MiB (5 MiB of text) to the pipe. */
  g_assert_cmpuint (read_some (out_fd, buffer, sizeof buffer), ==, sizeof buffer);
  hm_test_truncate (path, 64 * 1024);
  out = read_all (out_fd);
  err = read_all (err_fd);
  close (out_fd);
  close (err_fd);

  g_assert_cmpint (reap (pid), ==, 2);
  g_assert_true (g_str_has_prefix (err, "hexmap-cli: "));
  g_assert_nonnull (strstr (err, "truncated"));
  g_assert_nonnull (strstr (err, "offset 0x"));
  g_assert_cmpuint (strlen (err), ==, (gsize) (strchr (err, '\n') - err) + 1);
  /* Everything before the fault was printed. */
  g_assert_true (g_str_has_suffix (out, "|\n"));
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  const char *seed_env;
  int status;

  g_test_init (&argc, &argv, NULL);

  cli_path = argc > 1 ? argv[1] : g_getenv ("HEXMAP_CLI");
  if (cli_path == NULL)
    g_error ("usage: %s [--tap] PATH-TO-hexmap-cli (or set HEXMAP_CLI)", argv[0]);
  cli_path = cli_absolute = g_canonicalize_filename (cli_path, NULL);
  hexdump_path = g_find_program_in_path ("hexdump");

  seed_env = g_getenv ("HM_TEST_SEED");
  if (seed_env != NULL)
    seed = (guint32) g_ascii_strtoull (seed_env, NULL, 0);
  g_test_message ("seed: %u (set HM_TEST_SEED to change it)", seed);

  /* Both programs see the same, byte-oriented locale. */
  child_env = g_get_environ ();
  child_env = g_environ_setenv (child_env, "LC_ALL", "C", TRUE);

  g_test_add_func ("/hm/cli/dump/sizes", test_dump_sizes);
  g_test_add_func ("/hm/cli/dump/squeeze", test_dump_squeeze);
  g_test_add_func ("/hm/cli/dump/sparse", test_dump_sparse);
  g_test_add_func ("/hm/cli/dump/random", test_dump_random);
  g_test_add_func ("/hm/cli/dump/terabyte", test_dump_terabyte);
  g_test_add_func ("/hm/cli/dump/pipe-closed", test_dump_pipe_closed);
  g_test_add_func ("/hm/cli/dump/truncated", test_dump_truncated);
  g_test_add_func ("/hm/cli/dump/disk-full", test_dump_disk_full);
  g_test_add_func ("/hm/cli/info/basic", test_info_basic);
  g_test_add_func ("/hm/cli/info/terabyte", test_info_terabyte);
  g_test_add_func ("/hm/cli/errors", test_errors);
  g_test_add_func ("/hm/cli/offset/forms", test_dump_offset_forms);
  g_test_add_func ("/hm/cli/offset/errors", test_offset_errors);

  status = g_test_run ();
  g_test_message ("%u comparisons with hexdump -C", n_comparisons);
  hm_test_cleanup ();
  g_strfreev (child_env);
  g_free (hexdump_path);
  g_free (cli_absolute);
  return status;
}
