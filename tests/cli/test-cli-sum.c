/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `hexmap-cli sum`: byte for byte what md5sum, sha1sum, sha256sum and sha512sum
 * print (plain and --tag), on small, empty, sparse and range inputs; CRC-32
 * against the CRC in gzip's trailer; status 0 or 2. Usage: test-cli-sum [--tap]
 * PATH-TO-hexmap-cli (or $HEXMAP_CLI).
 */
#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hm-checksum.h"
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
run_argv (Result      *r,
          const char **argv)
{
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &r->out, &r->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
}

/* hexmap-cli ARGS... NULL */
static void
run_cli (Result     *r,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (argv, (char *) cli_path);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  run_argv (r, (const char **) argv->pdata);
}

/* What a coreutils tool prints for FILE (with --tag if @tag); it must succeed. */
static char *
tool_output (const char *tool,
             gboolean    tag,
             const char *path)
{
  const char *argv[] = { tool, tag ? "--tag" : path, tag ? path : NULL, NULL };
  g_auto(Result) r = { 0 };

  run_argv (&r, argv);
  g_assert_cmpint (r.status, ==, 0);
  return g_steal_pointer (&r.out);
}

/* CRC-32 from gzip's trailer (the CRC of the data, little-endian, then the size):
 * a program other than ours and zlib's crc32() computing the same CRC. */
static char *
gzip_crc32 (const char *path)
{
  const char *argv[] = { "gzip", "-1", "-c", "-n", path, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gsize length;
  int wait_status = 0;
  const guint8 *trailer;

  /* Binary output: g_spawn_sync's strings are NUL-terminated but may hold NULs,
   * so take the length from a pipe of our own. */
  {
    GPid pid;
    int out_fd;
    g_autoptr(GByteArray) bytes = g_byte_array_new ();
    guint8 buffer[65536];
    gssize n;

    g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                              NULL, NULL, &pid, NULL, &out_fd, NULL, &error);
    g_assert_no_error (error);
    while ((n = read (out_fd, buffer, sizeof buffer)) > 0)
      g_byte_array_append (bytes, buffer, (guint) n);
    close (out_fd);
    g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
    g_spawn_close_pid (pid);
    g_assert_true (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0);
    length = bytes->len;
    g_assert_cmpuint (length, >=, 18);
    out = (char *) g_byte_array_free (g_steal_pointer (&bytes), FALSE);
  }

  trailer = (const guint8 *) out + length - 8;
  return g_strdup_printf ("%08x", (guint32) trailer[0] | (guint32) trailer[1] << 8 |
                                  (guint32) trailer[2] << 16 | (guint32) trailer[3] << 24);
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

static char *small_path, *empty_path, *sparse_path;

/* 100 KiB + 7 bytes of noise; an empty file; 20 MiB with three islands in holes. */
static void
make_samples (void)
{
  guint64 sparse_size = 20 * 1024 * 1024 + 3;

  g_free (hm_test_write_random ("small.bin", 100 * 1024 + 7, 3, NULL));
  small_path = hm_test_path ("small.bin");
  empty_path = write_file ("empty.bin", "", 0);
  sparse_path = hm_test_make_sparse ("sparse.bin", sparse_size);
  hm_test_pwrite (sparse_path, 4096 * 3 + 5, "first island", 12);
  hm_test_pwrite (sparse_path, 9 * 1024 * 1024 - 2, "across a MiB", 12);
  hm_test_pwrite (sparse_path, sparse_size - 4, "tail", 4);
}

static const struct
{
  const char *option;
  const char *tool;
  const char *tag;
} sums[] = {
  { "--md5", "md5sum", "MD5" },
  { "--sha1", "sha1sum", "SHA1" },
  { "--sha256", "sha256sum", "SHA256" },
  { "--sha512", "sha512sum", "SHA512" },
};

/* Each sum alone prints what its coreutils tool prints, plain and with --tag. */
static void
assert_like_coreutils (const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (sums); i++)
    {
      g_auto(Result) r = { 0 };
      g_autofree char *expected = tool_output (sums[i].tool, FALSE, path);
      g_autofree char *expected_tag = tool_output (sums[i].tool, TRUE, path);

      run_cli (&r, "sum", sums[i].option, path, NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.err, ==, "");
      g_assert_cmpstr (r.out, ==, expected);
      result_clear (&r);

      run_cli (&r, "sum", "--tag", sums[i].option, path, NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.out, ==, expected_tag);
    }
}

static void
test_like_coreutils (void)
{
  const char *paths[] = { small_path, empty_path, sparse_path };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_auto(Result) r = { 0 };
      g_autofree char *crc = gzip_crc32 (paths[i]);
      g_autofree char *expected = g_strdup_printf ("%s  %s\n", crc, paths[i]);
      g_autofree char *sha256 = tool_output ("sha256sum", FALSE, paths[i]);

      assert_like_coreutils (paths[i]);

      run_cli (&r, "sum", "--crc32", paths[i], NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.out, ==, expected);
      result_clear (&r);

      /* No sum named: SHA-256. */
      run_cli (&r, "sum", paths[i], NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.out, ==, sha256);
    }
}

/* Several sums: one tagged line each, CRC32 MD5 SHA1 SHA256 SHA512 whatever the
 * order of the options, as the --tag lines of the tools. */
static void
test_several (void)
{
  const char *paths[] = { small_path, empty_path, sparse_path };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_auto(Result) r = { 0 };
      g_autofree char *crc = gzip_crc32 (paths[i]);
      g_autoptr(GString) expected = g_string_new (NULL);
      g_autofree char *md5 = tool_output ("md5sum", TRUE, paths[i]);
      g_autofree char *sha256 = tool_output ("sha256sum", TRUE, paths[i]);
      g_autofree char *sha512 = tool_output ("sha512sum", TRUE, paths[i]);

      g_string_append_printf (expected, "CRC32 (%s) = %s\n", paths[i], crc);
      for (guint k = 0; k < G_N_ELEMENTS (sums); k++)
        {
          g_autofree char *line = tool_output (sums[k].tool, TRUE, paths[i]);

          g_string_append (expected, line);
        }
      run_cli (&r, "sum", "--sha512", "--crc32", "--sha1", "--md5", "--sha256", paths[i], NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.err, ==, "");
      g_assert_cmpstr (r.out, ==, expected->str);
      result_clear (&r);

      g_string_truncate (expected, 0);
      g_string_append_printf (expected, "%s%s%s", md5, sha256, sha512);
      run_cli (&r, "sum", "--sha256", "--sha512", "--md5", paths[i], NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.out, ==, expected->str);
    }
}

/* -s and -n: the tool's sum of the same bytes copied out, under FILE's name. */
static void
assert_range (const char *path,
              const char *skip,
              const char *length,
              gsize       start,
              gsize       count)
{
  g_autofree char *contents = NULL;
  g_autofree char *piece_path = NULL;
  gsize size = 0;

  g_test_message ("-s %s -n %s", skip != NULL ? skip : "(none)", length != NULL ? length : "(none)");
  g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
  g_assert_cmpuint (start + count, <=, size);
  piece_path = write_file ("piece.bin", contents + start, count);

  for (guint i = 0; i < G_N_ELEMENTS (sums); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_auto(Result) r = { 0 };
      g_autofree char *piece = tool_output (sums[i].tool, FALSE, piece_path);
      g_autofree char *expected = NULL;

      *strchr (piece, ' ') = '\0';
      expected = g_strdup_printf ("%s  %s\n", piece, path);

      g_ptr_array_add (argv, (char *) cli_path);
      g_ptr_array_add (argv, (char *) "sum");
      g_ptr_array_add (argv, (char *) sums[i].option);
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
      g_ptr_array_add (argv, (char *) path);
      g_ptr_array_add (argv, NULL);
      run_argv (&r, (const char **) argv->pdata);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.err, ==, "");
      g_assert_cmpstr (r.out, ==, expected);
    }

  /* And CRC-32 of the piece, as gzip computes it. */
  {
    g_auto(Result) r = { 0 };
    g_autofree char *crc = gzip_crc32 (piece_path);
    g_autofree char *expected = g_strdup_printf ("%s  %s\n", crc, path);
    g_autofree char *skip_arg = g_strdup (skip != NULL ? skip : "0");
    g_autofree char *length_arg = g_strdup (length != NULL ? length : "100%");

    run_cli (&r, "sum", "--crc32", "-s", skip_arg, "-n", length_arg, path, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, expected);
  }
}

static void
test_ranges (void)
{
  gsize small = 100 * 1024 + 7;
  gsize sparse = 20 * 1024 * 1024 + 3;

  assert_range (small_path, "4096", "1000", 4096, 1000);
  assert_range (small_path, "0x10", NULL, 16, small - 16);
  assert_range (small_path, NULL, "0x100", 0, 256);
  assert_range (small_path, "end-99", NULL, small - 99, 99);   /* 99 bytes before the end */
  assert_range (small_path, "50%", "10%", small / 2, small / 10);
  assert_range (small_path, "1K", "0", 1024, 0);
  /* Clipped to the file. */
  assert_range (small_path, "100K", "1M", 100 * 1024, 7);
  assert_range (small_path, "1M", NULL, small, 0);
  assert_range (empty_path, NULL, "10", 0, 0);
  /* Starting and ending in holes, and across the islands. */
  assert_range (sparse_path, "100", "1M", 100, 1024 * 1024);
  assert_range (sparse_path, "9M", NULL, 9 * 1024 * 1024, sparse - 9 * 1024 * 1024);
  assert_range (sparse_path, "8M", "2M", 8 * 1024 * 1024, 2 * 1024 * 1024);
}

/* 1 TiB of holes around one byte: CRC-32 skips the holes. Were they read, the
 * test would run into its timeout. */
static void
test_huge_sparse (void)
{
  guint64 size = G_GUINT64_CONSTANT (1) << 40;
  g_autofree char *path = hm_test_make_sparse ("huge.bin", size);
  g_auto(Result) r = { 0 };
  g_autofree char *expected = NULL;
  guint32 crc;

  hm_test_pwrite (path, size / 2, "x", 1);
  crc = hm_crc32_update_zeros (hm_crc32_update (hm_crc32_update_zeros (0, size / 2), "x", 1),
                               size / 2 - 1);
  expected = g_strdup_printf ("%08x  %s\n", crc, path);

  run_cli (&r, "sum", "--crc32", path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, expected);
  result_clear (&r);

  /* A range in the middle: also instant. */
  crc = hm_crc32_update (hm_crc32_update_zeros (0, 1000), "x", 1);
  g_free (expected);
  expected = g_strdup_printf ("%08x  %s\n", crc, path);
  run_cli (&r, "sum", "--crc32", "-s", "0x7ffffffc18", "-n", "1001", path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, expected);
}

/* Names with a backslash, a newline or a carriage return, escaped as the tools
 * escape them; several files in one run, in order. */
static void
test_names (void)
{
  const char *names[] = { "back\\slash", "new\nline", "carriage\rreturn", "plain name" };
  g_autoptr(GString) all = g_string_new (NULL);
  g_autoptr(GString) all_tagged = g_string_new (NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(Result) r = { 0 };

  g_ptr_array_add (argv, g_strdup (cli_path));
  g_ptr_array_add (argv, g_strdup ("sum"));
  g_ptr_array_add (argv, g_strdup ("--sha1"));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = write_file (names[i], names[i], strlen (names[i]));
      g_autofree char *expected = tool_output ("sha1sum", FALSE, path);
      g_autofree char *expected_tag = tool_output ("sha1sum", TRUE, path);

      run_cli (&r, "sum", "--sha1", path, NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.out, ==, expected);
      result_clear (&r);

      run_cli (&r, "sum", "--sha1", "--tag", path, NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.out, ==, expected_tag);
      result_clear (&r);

      g_string_append (all, expected);
      g_string_append (all_tagged, expected_tag);
      g_ptr_array_add (argv, g_steal_pointer (&path));
    }
  g_ptr_array_add (argv, NULL);

  run_argv (&r, (const char **) argv->pdata);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, all->str);
}

static void
test_errors (void)
{
  g_autofree char *missing = hm_test_path ("no-such-file");
  g_autofree char *expected = tool_output ("sha256sum", FALSE, small_path);
  g_auto(Result) r = { 0 };

  run_cli (&r, "sum", missing, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_nonnull (strstr (r.err, "no-such-file"));
  result_clear (&r);

  /* The other files are still summed. */
  run_cli (&r, "sum", missing, small_path, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, expected);
  g_assert_nonnull (strstr (r.err, "no-such-file"));
  result_clear (&r);

  run_cli (&r, "sum", (char *) hm_test_tmpdir (), NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_cmpstr (r.err, !=, "");
  result_clear (&r);

  /* Bad usage. */
  run_cli (&r, "sum", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "no FILE"));
  result_clear (&r);

  run_cli (&r, "sum", "--sha3", small_path, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);

  run_cli (&r, "sum", "-s", "12q", small_path, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_nonnull (strstr (r.err, "-s"));
  result_clear (&r);

  run_cli (&r, "sum", "-n", "end-4", small_path, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);

  run_cli (&r, "sum", "-s", "+4", small_path, NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);

  run_cli (&r, "sum", "-s", "end-200000", small_path, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);

  /* A full disk behind stdout. */
  {
    const char *argv[] = { "sh", "-c", "exec \"$0\" sum \"$1\" > /dev/full", cli_path, small_path, NULL };

    run_argv (&r, argv);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "standard output"));
  }
}

static void
test_help (void)
{
  g_auto(Result) r = { 0 };

  run_cli (&r, "sum", "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_nonnull (strstr (r.out, "hexmap-cli sum"));
  g_assert_nonnull (strstr (r.out, "--sha512"));
  g_assert_nonnull (strstr (r.out, "HEX  FILE"));
  g_assert_nonnull (strstr (r.out, "NAME (FILE) = HEX"));
  g_assert_nonnull (strstr (r.out, "--sha256"));
  g_assert_nonnull (strstr (r.out, "Exit status"));
  g_assert_nonnull (strstr (r.out, "end-N"));
  result_clear (&r);

  run_cli (&r, "help", "sum", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "--crc32"));
  result_clear (&r);

  run_cli (&r, "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "  sum "));
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

  g_test_add_func ("/hm/cli/sum/like-coreutils", test_like_coreutils);
  g_test_add_func ("/hm/cli/sum/several", test_several);
  g_test_add_func ("/hm/cli/sum/ranges", test_ranges);
  g_test_add_func ("/hm/cli/sum/huge-sparse", test_huge_sparse);
  g_test_add_func ("/hm/cli/sum/names", test_names);
  g_test_add_func ("/hm/cli/sum/errors", test_errors);
  g_test_add_func ("/hm/cli/sum/help", test_help);

  status = g_test_run ();
  g_free (small_path);
  g_free (empty_path);
  g_free (sparse_path);
  hm_test_cleanup ();
  return status;
}
