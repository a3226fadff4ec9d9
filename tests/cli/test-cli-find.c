/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `hexmap-cli find`: output and grep-like exit status (0 found, 1 not found,
 * 2 error). Usage: test-cli-find [--tap] PATH-TO-hexmap-cli (or $HEXMAP_CLI).
 */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include "hm-test-util.h"

static const char *cli_path;
static char *sample;

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
run_find (Result     *r,
          const char *first,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) cli_path);
  g_ptr_array_add (argv, (char *) "find");
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

static gboolean
find_is_available (void)
{
  g_auto(Result) r = { 0 };

  run_find (&r, "--help", NULL);
  if (r.status != 0 || strstr (r.err, "unknown command") != NULL)
    {
      g_test_skip ("hexmap-cli has no find subcommand yet");
      return FALSE;
    }
  return TRUE;
}

static void
test_found (void)
{
  g_auto(Result) r = { 0 };

  if (!find_is_available ())
    return;

  run_find (&r, sample, "68 65 6c 6c 6f", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0x10\n0x2000\n0x1ffffb\n");
  result_clear (&r);

  run_find (&r, sample, "HeLLo", "--text", "-i", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0x10\n0x2000\n0x1ffffb\n");
  result_clear (&r);

  run_find (&r, sample, "68656c6c6f", "--count", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "3\n");
  result_clear (&r);

  run_find (&r, sample, "68 ?? 6c 6c 6?", "--max", "1", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0x10\n");
  result_clear (&r);

  run_find (&r, sample, "68656c6c6f", "--backward", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0x1ffffb\n0x2000\n0x10\n");
  result_clear (&r);

  run_find (&r, sample, "68656c6c6f", "--backward", "-s", "0x2000", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0x10\n");
  result_clear (&r);

  run_find (&r, sample, "68656c6c6f", "-s", "8K", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0x2000\n0x1ffffb\n");
  result_clear (&r);

  run_find (&r, sample, "hi", "--utf16le", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0x100000\n0x100006\n");
  result_clear (&r);

  run_find (&r, sample, "hi", "--utf16be", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0xfffff\n0x100005\n");
}

static void
test_not_found (void)
{
  g_auto(Result) r = { 0 };

  if (!find_is_available ())
    return;

  run_find (&r, sample, "de ad be ef", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);

  run_find (&r, sample, "de ad be ef", "--count", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "0\n");
  result_clear (&r);

  /* Nothing before the first match. */
  run_find (&r, sample, "68656c6c6f", "--backward", "-s", "0x10", NULL);
  g_assert_cmpint (r.status, ==, 1);
}

static void
test_errors (void)
{
  g_auto(Result) r = { 0 };
  g_autofree char *missing = hm_test_path ("missing");

  if (!find_is_available ())
    return;

  run_find (&r, sample, "4d 5g", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "unexpected 'g' at column 5"));
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);

  run_find (&r, sample, "abc", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "column 3"));
  result_clear (&r);

  run_find (&r, missing, "00", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "missing"));
  result_clear (&r);

  run_find (&r, sample, NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);

  run_find (&r, sample, "00", "--bogus", NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);

  run_find (&r, sample, "00", "--max", "0", NULL);
  g_assert_cmpint (r.status, ==, 2);
}

/* -s takes the offset grammar of Go to, except +N and -N (no cursor). */
static void
test_offset_forms (void)
{
  g_auto(Result) r = { 0 };

  if (!find_is_available ())
    return;

  run_find (&r, sample, "68656c6c6f", "-s", "end-5", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0x1ffffb\n");
  result_clear (&r);

  run_find (&r, sample, "68656c6c6f", "-s", "end-4", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);

  /* 50% of 2 MiB is 0x100000. */
  run_find (&r, sample, "68656c6c6f", "-s", "50%", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0x1ffffb\n");
  result_clear (&r);

  run_find (&r, sample, "68656c6c6f", "--backward", "-s", "50%", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0x2000\n0x10\n");
  result_clear (&r);

  run_find (&r, sample, "68656c6c6f", "--count", "-s", "end-0x1fffef", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "2\n");
}

static void
test_offset_errors (void)
{
  g_auto(Result) r = { 0 };

  if (!find_is_available ())
    return;

  run_find (&r, sample, "00", "-s", "+1", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_nonnull (strstr (r.err, "-s: “+1”"));
  g_assert_nonnull (strstr (r.err, "column 1"));
  result_clear (&r);

  run_find (&r, sample, "00", "-s", "12q", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "column 3"));
  result_clear (&r);

  run_find (&r, sample, "00", "-s", "end-3M", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "-s end-3M"));
  g_assert_nonnull (strstr (r.err, "before its start"));
  result_clear (&r);

  run_find (&r, sample, "00", "-s", "100.5%", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "between 0 and 100"));
}

/* Hex patterns take the one hex grammar (hm-hex-text.h). */
static void
test_hex_forms (void)
{
  const char *forms[] = { "0x68, 0x65, 0x6c, 0x6c, 0x6f", "68:65:6c:6c:6f", "0x68656C6C6F", "{ 0x68, 0x65, 6c6c, 0x6f }" };
  g_auto(Result) r = { 0 };

  if (!find_is_available ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      run_find (&r, sample, forms[i], NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.out, ==, "0x10\n0x2000\n0x1ffffb\n");
      result_clear (&r);
    }

  /* 0x starts a run only after a separator. */
  run_find (&r, sample, "0x680x65", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "unexpected 'x' at column 6"));
}

/* A 1 TiB sparse file: the holes are skipped, the match at the end is found. */
static void
test_huge_sparse (void)
{
  g_autofree char *path = hm_test_make_sparse ("huge", G_GUINT64_CONSTANT (1) << 40);
  g_auto(Result) r = { 0 };

  if (!find_is_available ())
    return;

  hm_test_pwrite (path, (G_GUINT64_CONSTANT (1) << 40) - 6, "needle", 6);
  run_find (&r, path, "needle", "--text", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "0xfffffffffa\n");
  result_clear (&r);

  run_find (&r, path, "00 00 00 00", "--count", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "1099511627767\n");
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

  /* 2 MiB, mostly a hole: "hello" at 0x10, 0x2000 and right at the end, "hi" in
   * UTF-16LE at 1 MiB and in UTF-16BE just after. */
  sample = hm_test_make_sparse ("sample", 2 * 1024 * 1024);
  hm_test_pwrite (sample, 0x10, "hello", 5);
  hm_test_pwrite (sample, 0x2000, "hello", 5);
  hm_test_pwrite (sample, 2 * 1024 * 1024 - 5, "hello", 5);
  hm_test_pwrite (sample, 0x100000, "h\0i\0\xff\0h\0i", 10);

  g_test_add_func ("/hm/cli/find/found", test_found);
  g_test_add_func ("/hm/cli/find/not-found", test_not_found);
  g_test_add_func ("/hm/cli/find/errors", test_errors);
  g_test_add_func ("/hm/cli/find/huge-sparse", test_huge_sparse);
  g_test_add_func ("/hm/cli/find/offset-forms", test_offset_forms);
  g_test_add_func ("/hm/cli/find/offset-errors", test_offset_errors);
  g_test_add_func ("/hm/cli/find/hex-forms", test_hex_forms);

  status = g_test_run ();
  g_free (sample);
  hm_test_cleanup ();
  return status;
}
