/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `hexmap-cli diff`: the exact output formats and cmp-like exit status (0 same,
 * 1 different, 2 error or bad usage). Usage: test-cli-diff [--tap]
 * PATH-TO-hexmap-cli (or $HEXMAP_CLI).
 */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include "hm-test-util.h"

static const char *cli_path;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static void
run_cli (Result     *r,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) cli_path);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &r->out, &r->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
}

static char *
write_file (const char *name,
            const void *bytes,
            gsize       size)
{
  g_autoptr(GError) error = NULL;
  char *path = hm_test_path (name);

  g_file_set_contents (path, bytes, (gssize) size, &error);
  g_assert_no_error (error);
  return path;
}

/* 64 KiB files: B differs from A at 0x10-0x13, 0x1000 and 0xffff, and at
 * 0x7ffe-0x8001 (across what a 32 KiB chunk would split); C is A plus a 3-byte
 * tail. */
static char *path_a, *path_b, *path_c;

static void
make_samples (void)
{
  gsize size = 64 * 1024;
  g_autofree guint8 *a = g_malloc (size + 3);
  g_autofree guint8 *b = NULL;

  for (gsize i = 0; i < size + 3; i++)
    a[i] = (guint8) (i * 31 + (i >> 8));
  b = g_memdup2 (a, size);
  for (gsize i = 0x10; i < 0x14; i++)
    b[i] ^= 0xff;
  b[0x1000] ^= 1;
  for (gsize i = 0x7ffe; i < 0x8002; i++)
    b[i] ^= 0x80;
  b[0xffff] ^= 2;

  path_a = write_file ("a.bin", a, size);
  path_b = write_file ("b.bin", b, size);
  path_c = write_file ("c.bin", a, size + 3);
}

static void
test_same (void)
{
  g_auto(Result) r = { 0 };
  g_autofree char *copy = NULL;
  g_autofree char *empty = write_file ("empty", "", 0);
  g_autofree char *empty2 = write_file ("empty2", "", 0);
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path_a, &contents, &length, NULL));
  copy = write_file ("a-copy.bin", contents, length);

  run_cli (&r, "diff", path_a, copy, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_cmpstr (r.err, ==, "");
  result_clear (&r);

  run_cli (&r, "diff", "--count", path_a, copy, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0\n");
  result_clear (&r);

  run_cli (&r, "diff", "--insertions", path_a, copy, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);

  run_cli (&r, "diff", "-i", "-c", path_a, copy, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0\n");
  result_clear (&r);

  run_cli (&r, "diff", empty, empty2, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);

  /* A range where they agree. */
  run_cli (&r, "diff", "-s", "0x1001", "-n", "0x100", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
}

static void
test_runs (void)
{
  g_auto(Result) r = { 0 };

  run_cli (&r, "diff", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0x10 0x4\n0x1000 0x1\n0x7ffe 0x4\n0xffff 0x1\n");
  g_assert_cmpstr (r.err, ==, "");
  result_clear (&r);

  run_cli (&r, "diff", "--count", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "4\n");
  result_clear (&r);

  /* The longer file's tail is one more run. */
  run_cli (&r, "diff", path_a, path_c, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0x10000 0x3\n");
  result_clear (&r);

  run_cli (&r, "diff", path_c, path_b, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0x10 0x4\n0x1000 0x1\n0x7ffe 0x4\n0xffff 0x1\n0x10000 0x3\n");
  result_clear (&r);

  /* -s and -n, in both files, with the usual offset syntax. */
  run_cli (&r, "diff", "-s", "0x12", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0x12 0x2\n0x1000 0x1\n0x7ffe 0x4\n0xffff 0x1\n");
  result_clear (&r);

  run_cli (&r, "diff", "-s", "4K", "-n", "0x7000", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0x1000 0x1\n0x7ffe 0x2\n");
  result_clear (&r);

  run_cli (&r, "diff", "--skip=0xfff0", "--length=100", path_a, path_c, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0x10000 0x3\n");
  result_clear (&r);

  /* end-N and N% as in dump and find, from the larger file's size. */
  run_cli (&r, "diff", "-s", "end-1", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0xffff 0x1\n");
  result_clear (&r);

  run_cli (&r, "diff", "-s", "50%", "-n", "25%", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0x8000 0x2\n");
  result_clear (&r);

  run_cli (&r, "diff", "-s", "+16", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "cursor"));
  result_clear (&r);

  run_cli (&r, "diff", "-s", "0x10", "-n", "0", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
}

static void
test_insertions (void)
{
  g_auto(Result) r = { 0 };
  g_autofree char *contents = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *path_e = NULL;
  GString *e;
  gsize length = 0;

  /* From A: 5 bytes inserted at 0x100, 0x20 deleted at 0x4000, 2 changed at 0x9000. */
  g_assert_true (g_file_get_contents (path_a, &contents, &length, NULL));
  e = g_string_new_len (contents, 0x100);
  g_string_append_len (e, "HELLO", 5);
  g_string_append_len (e, contents + 0x100, 0x4000 - 0x100);
  g_string_append_len (e, contents + 0x4020, 0x9000 - 0x4020);
  g_string_append_c (e, (char) (contents[0x9000] ^ 0x55));
  g_string_append_c (e, (char) (contents[0x9001] ^ 0x55));
  g_string_append_len (e, contents + 0x9002, (gssize) length - 0x9002);
  path_e = write_file ("e.bin", e->str, e->len);
  g_string_free (e, TRUE);

  run_cli (&r, "diff", "--insertions", path_a, path_e, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==,
                   "0x100 0x0 0x100 0x5\n"
                   "0x4000 0x20 0x4005 0x0\n"
                   "0x9000 0x2 0x8fe5 0x2\n");
  g_assert_cmpstr (r.err, ==, "");
  result_clear (&r);

  run_cli (&r, "diff", "-i", "--count", path_a, path_e, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "3\n");
  result_clear (&r);

  /* The same range of both files; offsets stay file offsets. B's range starts
   * 5 bytes early (the insertion before it) and ends 0x1b bytes late. */
  run_cli (&r, "diff", "-i", "-s", "0x1000", "-n", "0x8000", path_a, path_e, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0x1000 0x0 0x1000 0x5\n0x4000 0x20 0x4005 0x0\n0x9000 0x0 0x8fe5 0x1b\n");
  result_clear (&r);

  /* The longer file's tail. */
  run_cli (&r, "diff", "-i", path_c, path_a, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0x10000 0x3 0x10000 0x0\n");
}

/* A region too different to align in the memory given: one hunk, and a
 * message saying so. */
static void
test_unaligned (void)
{
  g_auto(Result) r = { 0 };
  gsize size = 1024 * 1024;
  guint8 *a = NULL;
  g_autofree char *pa = hm_test_write_random ("ua.bin", size, 1, &a);
  g_autofree guint8 *b = g_memdup2 (a, size);
  g_autofree char *pb = NULL;

  for (gsize i = 0x10000; i < 0x90000; i++)
    b[i] = (guint8) (a[i] ^ (1 + i % 255));
  pb = write_file ("ub.bin", b, size);

  run_cli (&r, "diff", "-i", "--max-memory", "64K", pa, pb, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0x10000 0x80000 0x10000 0x80000\n");
  g_assert_nonnull (strstr (r.err, "region 0x10000–0x90000 too different to align"));
  result_clear (&r);

  run_cli (&r, "diff", "-i", pa, pb, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0x10000 0x80000 0x10000 0x80000\n");
  g_assert_cmpstr (r.err, ==, "");
  g_free (a);
}

/* 1 TiB sparse files: the holes are not read. */
static void
test_huge_sparse (void)
{
  guint64 tib = G_GUINT64_CONSTANT (1) << 40;
  g_autofree char *pa = hm_test_make_sparse ("huge-a", tib);
  g_autofree char *pb = hm_test_make_sparse ("huge-b", tib);
  g_auto(Result) r = { 0 };

  hm_test_pwrite (pa, tib / 2, "same", 4);
  hm_test_pwrite (pb, tib / 2, "sane", 4);
  run_cli (&r, "diff", pa, pb, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0x8000000002 0x1\n");
  result_clear (&r);

  run_cli (&r, "diff", "-i", pa, pb, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0x8000000002 0x1 0x8000000002 0x1\n");
}

static void
test_errors (void)
{
  g_auto(Result) r = { 0 };
  g_autofree char *missing = hm_test_path ("missing.bin");

  run_cli (&r, "diff", path_a, missing, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "missing.bin"));
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);

  run_cli (&r, "diff", missing, path_a, "--count", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "missing.bin"));
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);

  /* A directory cannot be compared. */
  run_cli (&r, "diff", path_a, hm_test_tmpdir (), NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);

  run_cli (&r, "diff", path_a, NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);

  run_cli (&r, "diff", NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);

  run_cli (&r, "diff", path_a, path_b, path_c, NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);

  run_cli (&r, "diff", "--bogus", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);

  run_cli (&r, "diff", "-s", "12Q", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "-s"));
  result_clear (&r);

  run_cli (&r, "diff", "-n", "-1", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);

  run_cli (&r, "diff", "-i", "--max-memory", "1K", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);

  run_cli (&r, "diff", "--max-memory", "1M", path_a, path_b, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "");
}

static void
test_help (void)
{
  g_auto(Result) r = { 0 };

  run_cli (&r, "diff", "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Exit status: 0 if the files (ranges) are the same, 1 if they differ, 2 on an"));
  g_assert_nonnull (strstr (r.out, "0xA_OFFSET 0xA_LENGTH 0xB_OFFSET 0xB_LENGTH"));
  result_clear (&r);

  run_cli (&r, "help", "diff", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "--insertions"));
  result_clear (&r);

  run_cli (&r, "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "diff"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  cli_path = argc > 1 ? argv[1] : g_getenv ("HEXMAP_CLI");
  if (cli_path == NULL)
    g_error ("usage: %s [--tap] PATH-TO-hexmap-cli (or set HEXMAP_CLI)", argv[0]);

  make_samples ();

  g_test_add_func ("/hm/cli/diff/same", test_same);
  g_test_add_func ("/hm/cli/diff/runs", test_runs);
  g_test_add_func ("/hm/cli/diff/insertions", test_insertions);
  g_test_add_func ("/hm/cli/diff/unaligned", test_unaligned);
  g_test_add_func ("/hm/cli/diff/huge-sparse", test_huge_sparse);
  g_test_add_func ("/hm/cli/diff/errors", test_errors);
  g_test_add_func ("/hm/cli/diff/help", test_help);

  status = g_test_run ();
  g_free (path_a);
  g_free (path_b);
  g_free (path_c);
  hm_test_cleanup ();
  return status;
}
