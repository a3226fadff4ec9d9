/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Bounded resources and safe copies, each in a child process where a limit is
 * lowered (so the limit never reaches the test runner):
 *   - descriptors: under a low RLIMIT_NOFILE, documents open until the reserve
 *     is reached, then are refused with a clear message, and the reserve is
 *     really free;
 *   - memory: under RLIMIT_AS, fills, writes and inserts of every size either
 *     work or fail with an error, never abort; in preview a fill of any size
 *     works (a large one is a pattern);
 *   - bookmarks: 100,000 in random order load sorted and unique;
 *   - a modification time filesystems cannot store is refused;
 *   - Save As: a planted setuid target in a sticky world-writable folder (root),
 *     and a Save As killed midway leaves no temporary file (a named one, where
 *     O_TMPFILE is missing, goes at the next Save As to that name).
 */
#include "config.h"

#include "hm-bookmarks.h"
#include "hm-document-private.h"
#include "hm-document.h"
#include "hm-fault.h"
#include "hm-fd-budget.h"
#include "hm-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define MIB (G_GUINT64_CONSTANT (1) << 20)

static guint32 seed;

/* ---- Descriptors ---- */

#define FD_LIMIT 200

static void
test_fd_budget_child (void)
{
  g_autofree char *path = hm_test_write_random ("fd-src", 4096, 1, NULL);
  g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  struct rlimit rl;
  int spare[HM_FD_RESERVE - 4];
  guint opened;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &rl), ==, 0);
  rl.rlim_cur = FD_LIMIT;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &rl), ==, 0);
  g_assert_cmpuint (hm_fd_budget_get_limit (), ==, FD_LIMIT);

  for (guint i = 0; i < 2 * FD_LIMIT; i++)
    {
      HmDocument *doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);

      if (doc == NULL)
        break;
      g_ptr_array_add (docs, doc);
    }
  opened = docs->len;
  g_test_message ("%u documents opened under a limit of %u descriptors", opened, FD_LIMIT);

  /* Refused before the limit, with the reason, not with EMFILE from open(). */
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES);
  g_assert_true (g_str_has_prefix (error->message, "Too many files are open"));
  g_assert_nonnull (strstr (error->message, "fd-src"));
  g_assert_cmpuint (opened, >, FD_LIMIT / 2 - HM_FD_RESERVE);
  g_assert_cmpuint (hm_fd_budget_count_open () + HM_FD_RESERVE, <=, FD_LIMIT);

  /* The reserve is there for whoever needs it (fonts, dialogs). */
  for (guint i = 0; i < G_N_ELEMENTS (spare); i++)
    {
      spare[i] = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      g_assert_cmpint (spare[i], >=, 0);
    }
  for (guint i = 0; i < G_N_ELEMENTS (spare); i++)
    close (spare[i]);

  /* Closing documents gives their descriptors back. */
  g_ptr_array_set_size (docs, opened - 8);
  g_clear_error (&error);
  for (guint i = 0; i < 4; i++)
    {
      HmDocument *doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);

      g_assert_no_error (error);
      g_ptr_array_add (docs, doc);
    }
  g_ptr_array_set_size (docs, 0);
  g_unlink (path);
}

static void
test_fd_budget (void)
{
  if (g_test_subprocess ())
    {
      test_fd_budget_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* ---- Memory ---- */

static gsize
vm_size (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmSize:");
  g_assert_nonnull (line);
  return (gsize) g_ascii_strtoull (line + strlen ("VmSize:"), NULL, 10) * 1024;
}

/* An edit either worked or failed cleanly, leaving nothing pending. */
static void
assert_clean (HmDocument *doc,
              gboolean    ok,
              GError     *error,
              const char *what,
              guint64     length)
{
  g_test_message ("%s of %" G_GUINT64_FORMAT " MiB: %s", what, length / MIB,
                  ok ? "done" : error->message);
  if (ok)
    return;
  g_assert_true (error->domain == G_IO_ERROR || error->domain == HM_FAULT_ERROR);
  g_assert_false (hm_document_get_has_pending (doc));
}

static void
test_memory_child (void)
{
  static const guint64 sizes[] = { 16 * MIB, 64 * MIB, 128 * MIB, 200 * MIB, 400 * MIB, 900 * MIB };
  g_autofree char *path = hm_test_make_sparse ("mem-src", 1024 * MIB);
  struct rlimit rl;
  guint failed = 0;
  guint worked = 0;

  /* What the process uses now, and 320 MiB more of address space. */
  rl.rlim_cur = rl.rlim_max = vm_size () + 320 * MIB;
  g_assert_cmpint (setrlimit (RLIMIT_AS, &rl), ==, 0);

  /* Preview: every fill fits, the large ones as a pattern. Direct: the old
   * bytes are kept for undo, so the large ones are refused, cleanly. */
  for (guint direct = 0; direct < 2; direct++)
    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        HmDocumentMode mode = direct ? HM_DOCUMENT_MODE_DIRECT : HM_DOCUMENT_MODE_PREVIEW;
        g_autoptr(HmDocument) doc = hm_document_new_full (path, mode, 0, NULL);
        g_autoptr(GError) error = NULL;
        gboolean ok;

        g_assert_nonnull (doc);
        ok = hm_document_fill (doc, 4096, sizes[i], (const guint8 *) "\xab\xcd", 2, &error);
        assert_clean (doc, ok, error, direct ? "direct fill" : "preview fill", sizes[i]);
        if (ok)
          {
            guint8 probe[4];

            worked++;
            g_assert_cmpint (hm_document_read (doc, 4096 + sizes[i] - 4, probe, 4, NULL), ==, 4);
            g_assert_cmpmem (probe, 4, "\xab\xcd\xab\xcd", 4);
            g_assert_true (hm_document_undo (doc, NULL));
            if (direct)
              g_assert_true (hm_document_save (doc, NULL, NULL, NULL, NULL, NULL));
          }
        else
          {
            g_assert_true (direct);
            failed++;
          }
      }
  g_assert_cmpuint (worked, >=, G_N_ELEMENTS (sizes) + 2);
  g_assert_cmpuint (failed, >=, 2);

  /* Writes of a buffer the caller already holds. */
  for (guint64 length = 32 * MIB; length <= 128 * MIB; length *= 2)
    {
      g_autoptr(HmDocument) doc = hm_document_new (path, NULL);
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *data = g_try_malloc0 (length);
      gboolean ok;

      if (data == NULL)
        break;
      ok = hm_document_write (doc, 0, data, length, HM_EDIT_NONE, &error);
      assert_clean (doc, ok, error, "write", length);
    }

  /* Inserting a pattern costs the pattern, whatever its length. */
  {
    g_autoptr(HmDocument) doc = hm_document_new (path, NULL);
    g_autoptr(GError) error = NULL;

    g_assert_true (hm_document_insert_fill (doc, 100, 4096 * MIB, (const guint8 *) "\x11", 1, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (hm_document_get_size (doc), ==, 1024 * MIB + 4096 * MIB);
  }
  g_unlink (path);
}

static void
test_memory_limit (void)
{
#ifdef __SANITIZE_ADDRESS__
  /* ASan reserves terabytes of shadow memory and aborts when malloc fails. */
  g_test_skip ("an address-space limit cannot work under AddressSanitizer");
  return;
#endif
  if (g_test_subprocess ())
    {
      test_memory_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 240 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* ---- Bookmarks ---- */

#define N_BOOKMARKS 100000

static void
test_bookmarks_many (void)
{
  g_autofree char *path = hm_test_path ("many-marks.bin");
  g_autoptr(HmBookmarks) bookmarks = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GHashTable) first_name = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GError) error = NULL;
  g_autofree char *store = NULL;
  g_autofree char *dir = NULL;
  guint64 previous = 0;
  guint n;

  g_setenv ("XDG_DATA_HOME", hm_test_tmpdir (), TRUE);
  g_assert_true (g_file_set_contents (path, "x", 1, &error));
  bookmarks = hm_bookmarks_new (path);
  store = hm_bookmarks_get_store_path (bookmarks);
  dir = g_path_get_dirname (store);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  /* Random offsets, some repeated: the first of each in file order wins. */
  g_key_file_set_string (keyfile, "File", "Path", path);
  for (guint i = 0; i < N_BOOKMARKS; i++)
    {
      g_autofree char *group = g_strdup_printf ("Bookmark %u", i);
      g_autofree char *name = g_strdup_printf ("mark %u", i);
      gint64 offset = g_rand_int_range (rand, 0, 4 * N_BOOKMARKS);

      g_key_file_set_uint64 (keyfile, group, "Offset", (guint64) offset);
      g_key_file_set_string (keyfile, group, "Name", name);
      if (!g_hash_table_contains (first_name, &offset))
        g_hash_table_insert (first_name, g_memdup2 (&offset, sizeof offset), g_strdup (name));
    }
  g_assert_true (g_key_file_save_to_file (keyfile, store, &error));
  g_assert_no_error (error);

  g_assert_true (hm_bookmarks_load (bookmarks, &error));
  g_assert_no_error (error);
  n = g_list_model_get_n_items (G_LIST_MODEL (bookmarks));
  g_assert_cmpuint (n, ==, g_hash_table_size (first_name));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HmBookmark) b = g_list_model_get_item (G_LIST_MODEL (bookmarks), i);
      gint64 offset = (gint64) hm_bookmark_get_offset (b);

      if (i > 0)
        g_assert_cmpuint (hm_bookmark_get_offset (b), >, previous);
      previous = hm_bookmark_get_offset (b);
      g_assert_cmpstr (hm_bookmark_get_name (b), ==, g_hash_table_lookup (first_name, &offset));
    }
  g_unlink (store);
  g_rmdir (dir);
  {
    g_autofree char *parent = g_path_get_dirname (dir);

    g_rmdir (parent);
  }
  g_unlink (path);
}

/* ---- Save As ---- */

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* As root, over a setuid/setgid file another user planted in a sticky,
 * world-writable folder: the copy is root's, with the source's bits and no
 * s-bits, and the planted inode is not reused. */
static void
test_save_as_planted_root (void)
{
  g_autofree char *sticky = hm_test_path ("sticky");
  g_autofree char *planted = g_build_filename (sticky, "planted", NULL);
  g_autofree char *path = hm_test_write_random ("planted-src", 64 * 1024, 2, NULL);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  struct stat before;
  struct stat after;

  if (!hm_test_is_root ())
    {
      g_test_skip ("needs root (a file owned by another user)");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (sticky, 0700), ==, 0);
  g_assert_cmpint (chmod (sticky, 01777), ==, 0);
  g_assert_true (g_file_set_contents (planted, "planted", -1, &error));
  g_assert_cmpint (chown (planted, 65534, 65534), ==, 0);
  g_assert_cmpint (chmod (planted, 06777), ==, 0);
  g_assert_cmpint (stat (planted, &before), ==, 0);
  g_assert_cmpint (chmod (path, 0640), ==, 0);

  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, 10, (const guint8 *) "x", 1, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_save_as (doc, planted, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (stat (planted, &after), ==, 0);
  g_assert_cmpuint (after.st_uid, ==, 0);
  g_assert_cmpuint (after.st_mode & 07777, ==, 0640);
  g_assert_cmpuint (after.st_ino, !=, before.st_ino);
  g_assert_cmpuint (after.st_size, ==, 64 * 1024);
  g_assert_cmpuint (count_entries (sticky), ==, 1);
  g_unlink (planted);
  g_rmdir (sticky);
  g_unlink (path);
}

static void
kill_midway_cb (guint64  done,
                guint64  total,
                gpointer data)
{
  if (done > total / 2)
    kill (getpid (), SIGKILL);
}

static guint
count_temporaries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (strstr (name, ".hexmap-") != NULL)
      n++;
  return n;
}

/* The child saves a 64 MiB copy into HM_TEST_KILL_DIR and kills itself halfway,
 * with an unnamed temporary file (O_TMPFILE) or, with HM_TEST_KILL_NAMED, a
 * named one as on filesystems without it. */
static void
test_save_as_killed (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *copy = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;

  if (g_test_subprocess ())
    {
      dir = g_strdup (g_getenv ("HM_TEST_KILL_DIR"));
      path = g_build_filename (dir, "source", NULL);
      copy = g_build_filename (dir, "copy", NULL);
      _hm_save_test_no_tmpfile = g_getenv ("HM_TEST_KILL_NAMED") != NULL;
      doc = hm_document_new (path, NULL);
      g_assert_nonnull (doc);
      g_assert_true (hm_document_write (doc, 10, (const guint8 *) "x", 1, HM_EDIT_NONE, NULL));
      hm_document_save_as (doc, copy, NULL, kill_midway_cb, NULL, NULL);
      g_assert_not_reached ();
      return;
    }

  dir = hm_test_path ("killed");
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  path = g_build_filename (dir, "source", NULL);
  copy = g_build_filename (dir, "copy", NULL);
  {
    g_autofree char *made = hm_test_write_random ("killed-src", 64 * MIB, 3, NULL);

    g_assert_cmpint (g_rename (made, path), ==, 0);
  }
  g_setenv ("HM_TEST_KILL_DIR", dir, TRUE);

  /* Unnamed: killed, not finished, and nothing but the source is left. */
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_assert_false (g_test_trap_has_passed ());
  g_assert_cmpuint (count_entries (dir), ==, 1);

  /* Named: the half-written file stays until the next Save As to that name,
   * which finds its writer gone (its lock free) and removes it. */
  g_setenv ("HM_TEST_KILL_NAMED", "1", TRUE);
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_unsetenv ("HM_TEST_KILL_NAMED");
  g_unsetenv ("HM_TEST_KILL_DIR");
  g_assert_false (g_test_trap_has_passed ());
  g_assert_cmpuint (count_temporaries (dir), ==, 1);
  g_assert_false (g_file_test (copy, G_FILE_TEST_EXISTS));

  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_save_as (doc, copy, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_temporaries (dir), ==, 0);
  g_assert_cmpuint (count_entries (dir), ==, 2);
  g_clear_object (&doc);
  g_unlink (copy);
  g_unlink (path);
  g_rmdir (dir);
}

/* ---- Time stamps ---- */

/* A time a filesystem would clamp is refused before anything is written; the
 * ends of the range are set exactly. */
static void
test_mtime_range (void)
{
  g_autofree char *path = hm_test_write_random ("mtime-src", 4096, 4, NULL);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  HmSaveOptions options = { HM_TIMESTAMP_EXPLICIT, HM_MTIME_MAX + 1, 0, FALSE };
  guint8 byte = 0;
  struct stat st;

  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, 0, (const guint8 *) "\x5a", 1, HM_EDIT_NONE, &error));
  g_assert_false (hm_document_save (doc, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  options.mtime_sec = HM_MTIME_MIN - 1;
  g_assert_false (hm_document_save (doc, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (hm_document_get_has_pending (doc));
  {
    int fd = open (path, O_RDONLY | O_CLOEXEC);

    g_assert_cmpint (pread (fd, &byte, 1, 0), ==, 1);
    close (fd);
  }
  g_assert_cmpint (byte, !=, 0x5a);

  options.mtime_sec = HM_MTIME_MAX;
  options.mtime_nsec = 1;
  g_assert_false (hm_document_save (doc, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  options.mtime_sec = HM_MTIME_MAX - 1;
  options.mtime_nsec = 5;
  g_assert_true (hm_document_save (doc, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mtim.tv_sec, ==, HM_MTIME_MAX - 1);
  g_assert_cmpint (st.st_mtim.tv_nsec, ==, 5);

  g_assert_true (hm_document_write (doc, 0, (const guint8 *) "\x5b", 1, HM_EDIT_NONE, &error));
  options.mtime_sec = HM_MTIME_MIN;
  options.mtime_nsec = 0;
  g_assert_true (hm_document_save (doc, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mtim.tv_sec, ==, HM_MTIME_MIN);
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  seed = g_test_rand_int ();
  g_test_message ("seed %u", seed);

  g_test_add_func ("/hm/resources/descriptors", test_fd_budget);
  g_test_add_func ("/hm/resources/memory", test_memory_limit);
  g_test_add_func ("/hm/resources/bookmarks-100k", test_bookmarks_many);
  g_test_add_func ("/hm/resources/save-as/planted-root", test_save_as_planted_root);
  g_test_add_func ("/hm/resources/save-as/killed", test_save_as_killed);
  g_test_add_func ("/hm/resources/mtime-range", test_mtime_range);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}
