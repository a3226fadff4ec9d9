/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hexmap-cli recover, and saves killed at random moments.
 *
 * The kill test runs `hexmap-cli patch F -s 0 -f ab -n SIZE` (preview and direct
 * mode) and SIGKILLs it after a random delay, many times; after `hexmap-cli
 * recover F` the file must be the old one or the new one, byte for byte, every
 * time. The seed is printed; HM_TEST_SEED=N replays a run, HM_TEST_KILLS=N sets
 * how many kills per mode.
 *
 * Usage: test-cli-recover [--tap] PATH-TO-hexmap-cli (or $HEXMAP_CLI).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hm-save-journal.h"
#include "hm-test-util.h"

#define KILL_SIZE (1024 * 1024)

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
         const char *command,
         const char *path)
{
  const char *argv[] = { cli_path, command, path, NULL };
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  result_clear (r);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &r->out, &r->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
}

static GPid
spawn_patch (const char *path,
             const char *mode)
{
  g_autofree char *size = g_strdup_printf ("%d", KILL_SIZE);
  const char *argv[] = { cli_path, "patch", path, "-s", "0", "-f", "ab", "-n", size,
                         "--mode", mode, NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_spawn_async (NULL, (char **) argv, NULL,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  return pid;
}

static int
reap (GPid pid)
{
  int status;

  while (waitpid (pid, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  return status;
}

static char *
journal_of (const char *path)
{
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return hm_save_journal_path_for (st.st_dev, st.st_ino);
}

static void
write_old (const char   *path,
           const guint8 *old)
{
  g_autoptr(GError) error = NULL;

  /* In place, so the file keeps its inode (and its journal name). */
  int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, old, KILL_SIZE, 0), ==, KILL_SIZE);
  g_assert_cmpint (ftruncate (fd, KILL_SIZE), ==, 0);
  close (fd);
}

static guint8 *
make_old (GRand *rand)
{
  guint8 *old = g_malloc (KILL_SIZE);

  for (gsize i = 0; i < KILL_SIZE; i += 4)
    {
      guint32 v = g_rand_int (rand);

      memcpy (old + i, &v, 4);
    }
  return old;
}

/* A journal planted by killing a patch as soon as its journal appears. */
static void
test_messages (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  g_autofree guint8 *old = make_old (rand);
  g_autofree char *path = hm_test_path ("recover-messages");
  g_autofree char *journal = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *rolled_back = NULL;
  g_auto(Result) r = { 0 };
  gsize length;
  GPid pid;

  write_old (path, old);
  journal = journal_of (path);

  run_cli (&r, "recover", path);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "nothing to recover: "));

  pid = spawn_patch (path, "preview");
  for (guint i = 0; i < 100000 && !g_file_test (journal, G_FILE_TEST_EXISTS); i++)
    g_usleep (100);
  kill (pid, SIGKILL);
  reap (pid);
  if (!g_file_test (journal, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the save finished before it could be killed");
      return;
    }

  /* Every command refuses the file and says what to do. */
  run_cli (&r, "info", path);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "interrupted save"));
  g_assert_nonnull (strstr (r.err, "hexmap-cli recover"));
  g_test_message ("%s", r.err);
  run_cli (&r, "dump", path);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "interrupted save"));

  run_cli (&r, "recover", path);
  g_assert_cmpint (r.status, ==, 0);
  rolled_back = g_strdup_printf ("rolled back: %s is as it was before the interrupted save\n", path);
  g_assert_cmpstr (r.out, ==, rolled_back);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, ==, KILL_SIZE);
  g_assert_true (memcmp (contents, old, KILL_SIZE) == 0);

  run_cli (&r, "recover", path);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "nothing to recover: "));
  run_cli (&r, "info", path);
  g_assert_cmpint (r.status, ==, 0);

  /* No such file: an error. */
  g_unlink (path);
  run_cli (&r, "recover", path);
  g_assert_cmpint (r.status, ==, 2);
}

static guint32
test_seed (void)
{
  const char *env = g_getenv ("HM_TEST_SEED");

  return env != NULL ? (guint32) g_ascii_strtoull (env, NULL, 10) : g_random_int ();
}

static void
kill_test (const char *mode)
{
  guint32 seed = test_seed ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint8 *old = make_old (rand);
  g_autofree guint8 *new = g_malloc (KILL_SIZE);
  g_autofree char *path = hm_test_path (mode);
  g_autofree char *journal = NULL;
  const char *kills_env = g_getenv ("HM_TEST_KILLS");
  guint kills = kills_env != NULL ? (guint) g_ascii_strtoull (kills_env, NULL, 10) : 40;
  guint n_old = 0, n_new = 0, n_rolled_back = 0, n_completed = 0;
  gint64 start;
  gint64 full;

  g_test_message ("seed %u (HM_TEST_SEED=%u replays it), %s mode, %u kills", seed, seed, mode, kills);
  memset (new, 0xab, KILL_SIZE);

  /* How long one uninterrupted save takes here: the kills fall inside it. */
  write_old (path, old);
  journal = journal_of (path);
  full = G_MAXINT64;
  for (guint i = 0; i < 2; i++)  /* the first one may start cold */
    {
      write_old (path, old);
      start = g_get_monotonic_time ();
      g_assert_true (WIFEXITED (reap (spawn_patch (path, mode))));
      full = MIN (full, MAX (g_get_monotonic_time () - start, 1000));
    }
  g_test_message ("an uninterrupted save takes %" G_GINT64_FORMAT " ms", full / 1000);

  for (guint i = 0; i < kills; i++)
    {
      g_auto(Result) r = { 0 };
      g_autofree char *contents = NULL;
      gint64 delay = g_rand_int_range (rand, 0, (gint32) MIN (full, G_MAXINT32));
      gboolean had_journal;
      gsize length;
      GPid pid;

      write_old (path, old);
      pid = spawn_patch (path, mode);
      g_usleep ((gulong) delay);
      kill (pid, SIGKILL);
      reap (pid);

      had_journal = g_file_test (journal, G_FILE_TEST_EXISTS);
      run_cli (&r, "recover", path);
      g_assert_cmpint (r.status, ==, 0);
      if (had_journal)
        {
          if (g_str_has_prefix (r.out, "rolled back"))
            n_rolled_back++;
          else
            {
              g_assert_true (g_str_has_prefix (r.out, "completed"));
              n_completed++;
            }
        }
      else
        g_assert_true (g_str_has_prefix (r.out, "nothing to recover"));

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_assert_cmpuint (length, ==, KILL_SIZE);
      if (memcmp (contents, old, KILL_SIZE) == 0)
        n_old++;
      else if (memcmp (contents, new, KILL_SIZE) == 0)
        n_new++;
      else
        {
          gsize first = 0;

          while (first < KILL_SIZE && ((guint8 *) contents)[first] == old[first])
            first++;
          g_error ("kill %u (after %" G_GINT64_FORMAT " us, seed %u): the file is neither old nor "
                   "new (first difference from old at 0x%zx); recover said: %s",
                   i, delay, seed, first, r.out);
        }
    }
  g_test_message ("%s: %u kills: %u old (%u rolled back), %u new (%u completed by recover)",
                  mode, kills, n_old, n_rolled_back, n_new, n_completed);
  g_unlink (path);
}

static void
test_kill_preview (void)
{
  kill_test ("preview");
}

static void
test_kill_direct (void)
{
  kill_test ("direct");
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

  g_test_add_func ("/hm/cli/recover/messages", test_messages);
  g_test_add_func ("/hm/cli/recover/kill/preview", test_kill_preview);
  g_test_add_func ("/hm/cli/recover/kill/direct", test_kill_direct);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}
