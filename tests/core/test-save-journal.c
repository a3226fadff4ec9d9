/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The save journal: a save that dies at any point (a child process that
 * _exit()s from the save's test hook, the way a kill or a crash would leave it)
 * is recovered to exactly the old file: bytes, holes, size and mtime. A journal
 * marked committed completes instead; a torn tail and a damaged header are
 * handled; every open refuses the file until it is recovered.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hm-checksum.h"
#include "hm-document.h"
#include "hm-document-private.h"
#include "hm-save-journal.h"
#include "hm-test-util.h"

#define KIB 1024
#define MIB (1024 * 1024)
#define FILE_SIZE (4 * MIB)

typedef struct
{
  const char *point;
  guint       skip;     /* how many times the point passes before the crash */
  guint       seen;
} CrashAt;

static void
crash_cb (HmDocument *doc,
          const char *point,
          gpointer    data)
{
  CrashAt *at = data;

  if (g_strcmp0 (point, at->point) == 0 && at->seen++ == at->skip)
    _exit (0);   /* what a kill leaves: no cleanup at all */
}

/* Data at the start and the end, a hole in the middle: the edits cross both. */
static char *
make_file (const char *name,
           guint8    **contents)
{
  char *path = hm_test_path (name);
  guint8 *bytes = g_malloc0 (FILE_SIZE);
  int fd;

  for (gsize i = 0; i < MIB; i++)
    bytes[i] = (guint8) (i * 7 + 3);
  for (gsize i = 3 * MIB; i < FILE_SIZE; i++)
    bytes[i] = (guint8) (i * 13 + 1);
  fd = open (path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, FILE_SIZE), ==, 0);
  g_assert_cmpint (pwrite (fd, bytes, MIB, 0), ==, MIB);
  g_assert_cmpint (pwrite (fd, bytes + 3 * MIB, MIB, 3 * MIB), ==, MIB);
  g_assert_cmpint (fsync (fd), ==, 0);
  close (fd);
  *contents = bytes;
  return path;
}

static void
assert_file_is (const char   *path,
                const guint8 *expected)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, ==, FILE_SIZE);
  g_assert_true (memcmp (contents, expected, FILE_SIZE) == 0);
}

/* The edits: a fill over the end of the first data extent into the hole, and a
 * few bytes at the end of the file; 64 KiB windows, so several spans. */
static void
edit_and_save (const char    *path,
               HmDocumentMode mode,
               CrashAt       *crash)
{
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 fill[2] = { 0xab, 0xcd };
  /* "Carry": edit in preview, then switch to direct mode (the edits go into
   * the file then), then save. */
  gboolean carry = mode == HM_DOCUMENT_MODE_READ_ONLY;

  if (carry)
    mode = HM_DOCUMENT_MODE_PREVIEW;
  doc = hm_document_new_full (path, mode, 64 * KIB, &error);
  g_assert_no_error (error);
  _hm_save_test_hook = crash_cb;
  _hm_save_test_hook_data = crash;
  g_assert_true (hm_document_journal_range (doc, MIB - 100 * KIB, 400 * KIB, &error));
  g_assert_true (hm_document_fill (doc, MIB - 100 * KIB, 400 * KIB, fill, 2, &error));
  g_assert_true (hm_document_journal_range (doc, FILE_SIZE - 3, 3, &error));
  g_assert_true (hm_document_write (doc, FILE_SIZE - 3, (const guint8 *) "end", 3, HM_EDIT_NONE, &error));
  if (carry)
    g_assert_true (hm_document_set_mode (doc, HM_DOCUMENT_MODE_DIRECT, &error));
  g_assert_no_error (error);
  g_assert_true (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  _hm_save_test_hook = NULL;
}

static void
expected_new (guint8 *bytes)
{
  for (gsize i = MIB - 100 * KIB; i < MIB + 300 * KIB; i++)
    bytes[i] = (i - (MIB - 100 * KIB)) % 2 == 0 ? 0xab : 0xcd;
  memcpy (bytes + FILE_SIZE - 3, "end", 3);
}

/* Saves in a child that dies at @point (its @skip+1-th pass). */
static gboolean
save_and_die (const char    *path,
              HmDocumentMode mode,
              const char    *point,
              guint          skip)
{
  CrashAt crash = { point, skip, 0 };
  int status;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      edit_and_save (path, mode, &crash);
      _exit (3);   /* the save completed: the point was never reached */
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status) == 0;
}

static void
test_crash_points (void)
{
  static const char *points[] = { "journal-synced", "stored", "before-verify" };

  /* 0: preview, 1: direct, 2: preview edits carried into direct mode. */
  for (guint direct = 0; direct < 3; direct++)
    for (guint p = 0; p < G_N_ELEMENTS (points); p++)
      /* Preview: four spans stored; direct: the second journal_range() comes
       * after the fill is in the file. */
      for (guint skip = 0; skip < (p == 1 && direct == 0 ? 4 : p == 0 && direct == 1 ? 2 : 1); skip++)
        {
          g_autofree guint8 *old = NULL;
          g_autofree char *path = make_file ("crash", &old);
          g_autofree char *journal = NULL;
          g_autoptr(HmDocument) doc = NULL;
          g_autoptr(GError) error = NULL;
          HmRecoverOutcome outcome;
          guint64 allocated = hm_test_allocated_bytes (path);
          struct stat before;
          struct stat after;

          static const char *names[] = { "preview", "direct", "preview carried to direct" };
          static const HmDocumentMode modes[] = { HM_DOCUMENT_MODE_PREVIEW, HM_DOCUMENT_MODE_DIRECT,
                                                  HM_DOCUMENT_MODE_READ_ONLY /* carry */ };

          g_test_message ("%s mode, dies at %s #%u", names[direct], points[p], skip);
          g_assert_cmpint (stat (path, &before), ==, 0);
          g_assert_true (save_and_die (path, modes[direct], points[p], skip));

          /* The journal is private: 0700 folder, 0600 file. */
          journal = hm_save_journal_path_for (before.st_dev, before.st_ino);
          g_assert_cmpint (stat (journal, &after), ==, 0);
          g_assert_cmpint (after.st_mode & 0777, ==, 0600);
          g_assert_true (hm_document_has_interrupted_save (path));

          /* Every open refuses the file until it is recovered. */
          doc = hm_document_new (path, &error);
          g_assert_null (doc);
          g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_INTERRUPTED_SAVE);
          g_assert_nonnull (strstr (error->message, "hexmap-cli recover"));
          g_clear_error (&error);

          g_assert_true (hm_document_recover (path, &outcome, &error));
          g_assert_no_error (error);
          g_assert_cmpint (outcome, ==, HM_RECOVER_ROLLED_BACK);
          assert_file_is (path, old);
          /* Holes punched back, size and mtime restored. */
          g_assert_cmpuint (hm_test_allocated_bytes (path), ==, allocated);
          g_assert_cmpint (stat (path, &after), ==, 0);
          g_assert_cmpint (after.st_size, ==, before.st_size);
          g_assert_cmpint (after.st_mtim.tv_sec, ==, before.st_mtim.tv_sec);
          g_assert_cmpint (after.st_mtim.tv_nsec, ==, before.st_mtim.tv_nsec);
          g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));

          /* Once is enough. */
          g_assert_true (hm_document_recover (path, &outcome, &error));
          g_assert_cmpint (outcome, ==, HM_RECOVER_NOTHING);
          doc = hm_document_new (path, &error);
          g_assert_no_error (error);
          g_clear_object (&doc);
          g_unlink (path);
        }
}

static void
copy_journal_cb (HmDocument *doc,
                 const char *point,
                 gpointer    data)
{
  const char *aside = data;
  struct stat st;
  g_autofree char *journal = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_str_equal (point, "before-verify"))
    return;
  g_assert_cmpint (stat (hm_document_get_path (doc), &st), ==, 0);
  journal = hm_save_journal_path_for (st.st_dev, st.st_ino);
  g_assert_true (g_file_get_contents (journal, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (aside, contents, (gssize) length, NULL));
}

/* A journal marked committed (the crash came between the marker and the
 * unlink) completes: the file keeps the new bytes. */
static void
test_committed (void)
{
  g_autofree guint8 *bytes = NULL;
  g_autofree char *path = make_file ("committed", &bytes);
  g_autofree guint8 *old = g_memdup2 (bytes, FILE_SIZE);
  g_autofree char *aside = hm_test_path ("committed-journal");
  g_autofree char *journal = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  struct { guint32 type, crc; guint64 offset, length; } marker = { 'C', 0, 0, 0 };
  g_autofree char *contents = NULL;
  g_autoptr(GByteArray) with_marker = g_byte_array_new ();
  HmRecoverOutcome outcome;
  struct stat st;
  gsize length;

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 64 * KIB, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_fill (doc, MIB - 100 * KIB, 400 * KIB, (const guint8 *) "\xab\xcd", 2, &error));
  g_assert_true (hm_document_write (doc, FILE_SIZE - 3, (const guint8 *) "end", 3, HM_EDIT_NONE, &error));
  _hm_save_test_hook = copy_journal_cb;
  _hm_save_test_hook_data = aside;
  g_assert_true (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  _hm_save_test_hook = NULL;
  g_clear_object (&doc);
  expected_new (bytes);
  assert_file_is (path, bytes);

  /* Put the journal back, with the committed marker it got before removal. */
  g_assert_cmpint (stat (path, &st), ==, 0);
  journal = hm_save_journal_path_for (st.st_dev, st.st_ino);
  g_assert_true (g_file_get_contents (aside, &contents, &length, NULL));
  marker.crc = hm_crc32_update (0, &marker, sizeof marker);
  g_byte_array_append (with_marker, (const guint8 *) contents, (guint) length);
  g_byte_array_append (with_marker, (const guint8 *) &marker, sizeof marker);
  g_assert_true (g_file_set_contents (journal, (const char *) with_marker->data, with_marker->len, NULL));

  g_assert_true (hm_document_recover (path, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, HM_RECOVER_COMPLETED);
  assert_file_is (path, bytes);
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));

  /* Without the marker it rolls back; with a torn tail, the valid records are
   * still applied (a torn tail means nothing was stored after them). */
  g_assert_true (g_file_set_contents (journal, contents, (gssize) length - 5, NULL));
  g_assert_true (hm_document_recover (path, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, HM_RECOVER_ROLLED_BACK);
  memcpy (bytes + FILE_SIZE - 3, "end", 3);  /* its record was the torn one */
  memcpy (bytes + MIB - 100 * KIB, old + MIB - 100 * KIB, 400 * KIB);
  assert_file_is (path, bytes);

  /* A damaged header: an error, and the journal is left for a human. */
  contents[20] ^= 0x55;
  g_assert_true (g_file_set_contents (journal, contents, (gssize) length, NULL));
  g_assert_false (hm_document_recover (path, &outcome, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_INTERRUPTED_SAVE);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_true (g_file_test (journal, G_FILE_TEST_EXISTS));
  g_unlink (journal);
  g_unlink (aside);
  g_unlink (path);
}

static void
cancel_cb (HmDocument *doc,
           const char *point,
           gpointer    data)
{
  if (g_str_equal (point, "stored"))
    g_cancellable_cancel (data);
}

/* A save that fails half-way (here: cancelled after the first span) puts the
 * old bytes back at once: the file is as before and no journal is left. */
static void
test_failed_save_rolls_back (void)
{
  g_autofree guint8 *old = NULL;
  g_autofree char *path = make_file ("rollback", &old);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 64 * KIB, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_fill (doc, MIB - 100 * KIB, 400 * KIB, (const guint8 *) "\xab\xcd", 2, &error));
  _hm_save_test_hook = cancel_cb;
  _hm_save_test_hook_data = cancellable;
  g_assert_false (hm_document_save (doc, NULL, cancellable, NULL, NULL, &error));
  _hm_save_test_hook = NULL;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "Nothing was written"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  assert_file_is (path, old);
  g_assert_false (hm_document_has_interrupted_save (path));
  g_assert_true (hm_document_get_has_pending (doc));

  /* And the next save goes through. */
  g_assert_true (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (hm_document_has_interrupted_save (path));
  g_clear_object (&doc);
  g_unlink (path);
}

/* Inode numbers are reused: a journal left for a deleted file must not touch
 * the new file that got the same inode number. Simulated by giving another
 * file's journal this file's name. */
static void
test_stale_journal (void)
{
  g_autofree guint8 *old = NULL;
  g_autofree guint8 *other_bytes = NULL;
  g_autofree char *path = make_file ("stale", &old);
  g_autofree char *other = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *other_journal = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  /* Birth times come from the kernel's coarse clock (a few ms): two files made
   * within one tick share it, and then only the path tells them apart. A real
   * reused inode number comes much later than its first file; wait a tick. */
  g_usleep (50 * 1000);
  other = make_file ("stale-other", &other_bytes);

  /* Bytes where the stale journal has other ones. */
  hm_test_pwrite (other, MIB - 100 * KIB, "OTHER", 5);
  memcpy (other_bytes + MIB - 100 * KIB, "OTHER", 5);

  g_assert_true (save_and_die (path, HM_DOCUMENT_MODE_PREVIEW, "stored", 1));
  g_assert_cmpint (stat (path, &st), ==, 0);
  journal = hm_save_journal_path_for (st.st_dev, st.st_ino);
  g_assert_cmpint (stat (other, &st), ==, 0);
  other_journal = hm_save_journal_path_for (st.st_dev, st.st_ino);
  g_assert_cmpint (g_rename (journal, other_journal), ==, 0);

  g_assert_false (hm_document_has_interrupted_save (other));
  g_assert_false (g_file_test (other_journal, G_FILE_TEST_EXISTS));
  doc = hm_document_new (other, &error);
  g_assert_no_error (error);
  assert_file_is (other, other_bytes);
  g_clear_object (&doc);
  g_unlink (other);
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/save-journal/crash-points", test_crash_points);
  g_test_add_func ("/hm/save-journal/committed", test_committed);
  g_test_add_func ("/hm/save-journal/failed-save-rolls-back", test_failed_save_rolls_back);
  g_test_add_func ("/hm/save-journal/stale", test_stale_journal);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}
