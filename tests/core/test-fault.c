/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fault guard: a file truncated behind our back becomes an error, never a crash,
 * any number of times, from any number of threads; faults that are not ours still
 * reach whoever handled SIGBUS before us. */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hm-document.h"
#include "hm-fault.h"
#include "hm-test-util.h"

#define PAGE 4096

#if defined(__SANITIZE_ADDRESS__)
#define HM_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HM_UNDER_ASAN 1
#endif
#endif

static GThread *main_thread;

static char *
make_file (const char *name,
           gsize       size)
{
  return hm_test_write_random (name, size, 7, NULL);
}

/* One cycle: map, truncate from another fd, read past the new end. */
static void
truncate_cycle (const char *path,
                gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = NULL;
  guint8 buf[256];
  gssize n;

  static guint8 data[16 * PAGE];

  /* Make the file whole data again (extending it would leave a hole). */
  g_assert_cmpuint (size, <=, sizeof data);
  memset (data, 0x5a, size);
  hm_test_pwrite (path, 0, data, size);
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 8192, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hm_document_get_size (doc), ==, size);

  /* Map the window holding the tail, then cut the file to one page. */
  n = hm_document_read (doc, size - 100, buf, 50, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 50);
  hm_test_truncate (path, PAGE);

  n = hm_document_read (doc, size - 100, buf, 50, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
  g_clear_error (&error);

  /* The document adopted the new size, and reads below it still work. */
  g_assert_cmpuint (hm_document_get_size (doc), ==, PAGE);
  n = hm_document_read (doc, 0, buf, sizeof buf, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, sizeof buf);

  /* Deliver the size notification the fault queued for the main thread. */
  if (g_thread_self () == main_thread)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

static void
test_truncated (void)
{
  g_autofree char *path = make_file ("truncated.bin", 16 * PAGE);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = NULL;
  guint8 buf[64];
  g_autofree char *expected_offset = NULL;

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 16 * PAGE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hm_document_read (doc, 10 * PAGE + 5, buf, sizeof buf, &error), ==, sizeof buf);
  hm_test_truncate (path, 2 * PAGE);

  g_assert_cmpint (hm_document_read (doc, 10 * PAGE + 5, buf, sizeof buf, &error), ==, -1);
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
  /* The message names the file and the offset in hex. */
  g_assert_nonnull (strstr (error->message, path));
  expected_offset = g_strdup_printf ("offset 0x%x", 10 * PAGE + 5);
  g_assert_nonnull (strstr (error->message, expected_offset));
  g_clear_error (&error);

  g_assert_cmpuint (hm_document_get_size (doc), ==, 2 * PAGE);
  /* Reading past the new end is now just the end of the file. */
  g_assert_cmpint (hm_document_read (doc, 10 * PAGE, buf, sizeof buf, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (hm_document_read (doc, 2 * PAGE - 10, buf, sizeof buf, &error), ==, 10);
  g_assert_no_error (error);
}

/* A region served from the hole map touches no page, yet truncation is still seen. */
static void
test_truncated_hole (void)
{
  g_autofree char *path = hm_test_make_sparse ("hole-truncated.bin", 64 * PAGE);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = NULL;
  guint8 buf[64];

  hm_test_pwrite (path, 0, "data", 4);
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_is_hole (doc, 40 * PAGE, NULL));
  g_assert_cmpint (hm_document_read (doc, 40 * PAGE, buf, sizeof buf, &error), ==, sizeof buf);
  hm_test_truncate (path, PAGE);

  g_assert_cmpint (hm_document_read (doc, 40 * PAGE, buf, sizeof buf, &error), ==, -1);
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
  g_assert_cmpuint (hm_document_get_size (doc), ==, PAGE);
}

static void
test_repeat_no_growth (void)
{
  g_autofree char *path = make_file ("repeat.bin", 16 * PAGE);
  guint fds, maps;
  gsize rss;
  guint64 recoveries = hm_fault_guard_get_recoveries ();

  /* Warm up allocators and the type system, then measure. */
  for (int i = 0; i < 20; i++)
    truncate_cycle (path, 16 * PAGE);

  fds = hm_test_count_fds ();
  maps = hm_test_count_mappings ();
  rss = hm_test_rss_kib ();

  for (int i = 0; i < 1000; i++)
    truncate_cycle (path, 16 * PAGE);

  g_assert_cmpuint (hm_fault_guard_get_recoveries () - recoveries, ==, 1020);
  g_assert_cmpuint (hm_test_count_fds (), ==, fds);
  /* A leaked window per cycle would be +1000; allow the allocator (ASan's in
   * particular) a few mappings of its own. */
  g_assert_cmpuint (hm_test_count_mappings (), <=, maps + 16);
#ifndef HM_UNDER_ASAN
  /* Generous: 1000 leaked windows or documents would be far more. */
  g_assert_cmpuint (hm_test_rss_kib (), <, rss + 2048);
#else
  /* ASan keeps freed memory in quarantine, so RSS says nothing here; the fd
   * and mapping counts above still catch a leaked document or window. */
#endif
  g_test_message ("1000 faults: fds %u, mappings %u, RSS %zu -> %zu KiB",
                  fds, maps, rss, hm_test_rss_kib ());
}

static gpointer
thread_cycles (gpointer data)
{
  g_autofree char *name = g_strdup_printf ("thread-%u.bin", GPOINTER_TO_UINT (data));
  g_autofree char *path = make_file (name, 16 * PAGE);

  for (int i = 0; i < 250; i++)
    truncate_cycle (path, 16 * PAGE);
  return NULL;
}

static void
test_threads (void)
{
  GThread *threads[4];
  guint64 recoveries = hm_fault_guard_get_recoveries ();

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("faulter", thread_cycles, GUINT_TO_POINTER (i));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (hm_fault_guard_get_recoveries () - recoveries, ==, 1000);
}

/* A raw guarded copy reports where it faulted. */
static void
test_copy_fault_address (void)
{
  g_autofree char *path = make_file ("raw.bin", 8 * PAGE);
  int fd = open (path, O_RDONLY);
  guint8 *map;
  const void *fault_addr = NULL;
  g_autofree guint8 *buf = g_malloc (8 * PAGE);

  g_assert_cmpint (fd, >=, 0);
  map = mmap (NULL, 8 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  hm_test_truncate (path, 3 * PAGE);

  g_assert_true (hm_fault_copy (buf, map, 3 * PAGE, &fault_addr));
  g_assert_false (hm_fault_copy (buf, map, 8 * PAGE, &fault_addr));
  g_assert_true ((const guint8 *) fault_addr >= map + 3 * PAGE);
  g_assert_true ((const guint8 *) fault_addr < map + 8 * PAGE);
  /* A fault outside the guarded range is not ours: checked in the subprocess test. */
  munmap (map, 8 * PAGE);
  close (fd);
}

static sigjmp_buf previous_jump;
static volatile sig_atomic_t previous_called;

static void
previous_handler (int        signum,
                  siginfo_t *info,
                  void      *ucontext)
{
  previous_called = 1;
  siglongjmp (previous_jump, 1);
}

/* A fault in memory nobody guards goes to the handler installed before ours. */
static void
test_not_ours_chains (void)
{
  if (g_test_subprocess ())
    {
      struct sigaction action = { 0 };
      g_autofree char *path = make_file ("chain.bin", 4 * PAGE);
      int fd = open (path, O_RDONLY);
      volatile guint8 *map;
      guint8 buf[16];

      action.sa_sigaction = previous_handler;
      action.sa_flags = SA_SIGINFO | SA_NODEFER;
      sigaction (SIGBUS, &action, NULL);
      hm_fault_guard_install ();

      map = mmap (NULL, 4 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
      hm_test_truncate (path, 0);

      /* Our guard still works for guarded copies... */
      g_assert_false (hm_fault_copy (buf, (const void *) map, sizeof buf, NULL));
      g_assert_false (previous_called);

      /* ...and an unguarded touch reaches the previous handler. */
      if (sigsetjmp (previous_jump, 0) == 0)
        (void) map[PAGE];
      g_assert_true (previous_called);
      hm_test_cleanup ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* With no previous handler, a fault that is not ours kills the process with SIGBUS. */
static void
test_not_ours_default_dies (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *path = make_file ("die.bin", 4 * PAGE);
      int fd = open (path, O_RDONLY);
      volatile guint8 *map;
      struct rlimit no_core = { 0, 0 };

      setrlimit (RLIMIT_CORE, &no_core);
      hm_fault_guard_install ();
      map = mmap (NULL, 4 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
      hm_test_truncate (path, 0);
      (void) map[PAGE];
      g_print ("survived\n");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*survived*");
}

/* An ignored SIGBUS from a real fault that is not ours still kills (as the kernel
 * would), instead of spinning on the faulting instruction forever. */
static void
test_not_ours_ignored_dies (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *path = make_file ("ignored.bin", 4 * PAGE);
      int fd = open (path, O_RDONLY);
      volatile guint8 *map;
      struct rlimit no_core = { 0, 0 };

      setrlimit (RLIMIT_CORE, &no_core);
      signal (SIGBUS, SIG_IGN);
      hm_fault_guard_install ();
      map = mmap (NULL, 4 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
      hm_test_truncate (path, 0);
      (void) map[PAGE];
      g_print ("survived\n");
      return;
    }

  g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*survived*");
  /* Died of the fault, not of the 10 s timeout. */
  g_assert_false (g_test_trap_reached_timeout ());
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  g_test_add_func ("/hm/fault/truncated", test_truncated);
  g_test_add_func ("/hm/fault/truncated-hole", test_truncated_hole);
  g_test_add_func ("/hm/fault/copy-fault-address", test_copy_fault_address);
  g_test_add_func ("/hm/fault/repeat-no-growth", test_repeat_no_growth);
  g_test_add_func ("/hm/fault/threads", test_threads);
  g_test_add_func ("/hm/fault/not-ours-chains", test_not_ours_chains);
  g_test_add_func ("/hm/fault/not-ours-default-dies", test_not_ours_default_dies);
  g_test_add_func ("/hm/fault/not-ours-ignored-dies", test_not_ours_ignored_dies);

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}
