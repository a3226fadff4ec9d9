/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The structural save against a plain reference: random files (some sparse),
 * random inserts, deletes and overwrites as segment lists, saved in place and
 * compared byte for byte and hole for hole; children SIGKILLed at random
 * moments while saving and while recovering, after which the file is exactly
 * the old or exactly the new content. The seed is printed; HM_TEST_SEED
 * replays one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hm-fault.h"
#include "hm-faultfs-harness.h"
#include "hm-save-journal.h"
#include "hm-structural-save-private.h"
#include "hm-test-util.h"

#define KIB 1024
#define MIB (1024 * 1024)
#define BLOCK 4096

static guint32 seed;

/* A case: the old file, the new content's segments and bytes. */
typedef struct
{
  char    *path;
  guint8  *old;
  gsize    old_size;
  GArray  *old_holes;  /* guint64 pairs: block-aligned holes of the old file */
  GArray  *segments;   /* HmSegment; DATA: source = offset in pool */
  GByteArray *pool;
  guint8  *expected;
  gsize    new_size;
} Case;

static void
case_free (Case *c)
{
  g_free (c->path);
  g_free (c->old);
  g_array_unref (c->old_holes);
  g_array_unref (c->segments);
  g_byte_array_unref (c->pool);
  g_free (c->expected);
  g_free (c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Case, case_free)

static GArray *
holes_of (const char *path,
          guint64     size)
{
  GArray *holes = g_array_new (FALSE, FALSE, sizeof (guint64));
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  guint64 pos = 0;

  g_assert_cmpint (fd, >=, 0);
  while (pos < size)
    {
      off_t hole = lseek (fd, (off_t) pos, SEEK_HOLE);
      off_t data;
      guint64 end;

      if (hole < 0 || (guint64) hole >= size)
        break;
      data = lseek (fd, hole, SEEK_DATA);
      end = data < 0 ? size : (guint64) data;
      g_array_append_val (holes, hole);
      g_array_append_val (holes, end);
      pos = end;
    }
  close (fd);
  return holes;
}

/* Random bytes with runs of zeros and, if @sparse, holes punched. */
static Case *
make_case (GRand      *rand,
           const char *name,
           gsize       size,
           gboolean    sparse)
{
  Case *c = g_new0 (Case, 1);
  int fd;

  c->path = hm_test_path (name);
  c->old_size = size;
  c->old = g_malloc (MAX (size, 1));
  for (gsize i = 0; i < size; i++)
    c->old[i] = (guint8) g_rand_int (rand);
  fd = open (c->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, c->old, size, 0), ==, (gssize) size);
  if (sparse && size > 4 * BLOCK)
    for (int i = g_rand_int_range (rand, 1, 5); i > 0; i--)
      {
        gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) (size / BLOCK)) * BLOCK;
        gsize length = (gsize) g_rand_int_range (rand, 1, 64) * BLOCK;

        length = MIN (length, size - at);

        g_assert_cmpint (fallocate (fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t) at,
                                    (off_t) length), ==, 0);
        memset (c->old + at, 0, length);
      }
  g_assert_no_errno (fsync (fd));
  close (fd);
  c->old_holes = holes_of (c->path, size);
  c->segments = g_array_new (FALSE, FALSE, sizeof (HmSegment));
  c->pool = g_byte_array_new ();
  if (size > 0)
    {
      HmSegment whole = { HM_SEGMENT_FILE, size, 0 };

      g_array_append_val (c->segments, whole);
    }
  return c;
}

static gsize
content_size (Case *c)
{
  gsize size = 0;

  for (guint i = 0; i < c->segments->len; i++)
    size += g_array_index (c->segments, HmSegment, i).length;
  return size;
}

/* Index of the segment that starts at @pos, splitting one if needed. */
static guint
split_at (Case  *c,
          gsize  pos)
{
  gsize at = 0;
  guint i;

  for (i = 0; i < c->segments->len; i++)
    {
      HmSegment *s = &g_array_index (c->segments, HmSegment, i);

      if (at == pos)
        return i;
      if (pos < at + s->length)
        {
          HmSegment tail = *s;
          gsize head = pos - at;

          s->length = head;
          tail.length -= head;
          tail.source += head;
          g_array_insert_val (c->segments, i + 1, tail);
          return i + 1;
        }
      at += s->length;
    }
  return i;
}

static void
edit_insert (Case  *c,
             GRand *rand,
             gsize  pos,
             gsize  length)
{
  guint i = split_at (c, pos);
  HmSegment data = { HM_SEGMENT_DATA, length, c->pool->len };

  for (gsize k = 0; k < length; k++)
    {
      guint8 byte = (guint8) g_rand_int (rand);

      g_byte_array_append (c->pool, &byte, 1);
    }
  g_array_insert_val (c->segments, i, data);
}

static void
edit_delete (Case  *c,
             gsize  pos,
             gsize  length)
{
  guint first = split_at (c, pos);
  guint last = split_at (c, pos + length);

  g_array_remove_range (c->segments, first, last - first);
}

static void
random_edits (Case  *c,
              GRand *rand,
              int    n)
{
  for (int e = 0; e < n; e++)
    {
      gsize size = content_size (c);
      int kind = g_rand_int_range (rand, 0, 4);
      gsize pos = size == 0 ? 0 : (gsize) g_rand_int_range (rand, 0, (gint32) size + 1);
      gsize length = g_rand_boolean (rand) ? (gsize) g_rand_int_range (rand, 1, 64)
                                           : (gsize) g_rand_int_range (rand, 1, 256 * KIB);

      if (g_rand_int_range (rand, 0, 3) == 0)
        {
          /* Whole blocks at a block boundary: the filesystem can do these. */
          pos = pos / BLOCK * BLOCK;
          length = (gsize) g_rand_int_range (rand, 1, 8) * BLOCK;
        }
      switch (kind)
        {
        case 0:
        case 1:
          edit_insert (c, rand, pos, length);
          break;
        case 2:
          length = MIN (length, size - pos);
          edit_delete (c, pos, length);
          break;
        default:
          length = MIN (length, size - pos);
          edit_delete (c, pos, length);
          edit_insert (c, rand, pos, length);
          break;
        }
    }

  c->new_size = content_size (c);
  c->expected = g_malloc (MAX (c->new_size, 1));
  for (guint i = 0, at = 0; i < c->segments->len; i++)
    {
      HmSegment *s = &g_array_index (c->segments, HmSegment, i);

      if (s->length == 0)
        continue;  /* an empty old file or pool has no data pointer */
      memcpy (c->expected + at, (s->kind == HM_SEGMENT_FILE ? c->old : c->pool->data) + s->source, s->length);
      at += s->length;
    }
}

static gboolean
read_data_cb (gpointer  user_data,
              guint64   new_offset,
              guint8   *buffer,
              gsize     length,
              GError  **error)
{
  Case *c = user_data;

  g_assert_cmpuint (new_offset + length, <=, c->new_size);
  memcpy (buffer, c->expected + new_offset, length);
  return TRUE;
}

/* Progress only goes forwards and ends at its total. */
typedef struct
{
  guint64 done;
  guint64 total;
} Progress;

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  Progress *p = user_data;

  g_assert_cmpuint (done, >=, p->done);
  g_assert_cmpuint (done, <=, total);
  g_assert_true (p->total == 0 || p->total == total);
  p->done = done;
  p->total = total;
}

static gboolean
save (Case     *c,
      guint    *range_changes,
      GError  **error)
{
  g_autoptr(HmSavePlan) plan = NULL;
  int fd = open (c->path, O_RDWR | O_CLOEXEC);
  Progress progress = { 0, 0 };
  gboolean ok;

  g_assert_cmpint (fd, >=, 0);
  plan = hm_save_plan_new (fd, (HmSegment *) c->segments->data, c->segments->len, error);
  if (plan == NULL)
    {
      close (fd);
      return FALSE;
    }
  g_assert_cmpuint (hm_save_plan_get_new_size (plan), ==, c->new_size);
  if (range_changes != NULL)
    *range_changes = hm_save_plan_get_range_changes (plan);
  ok = hm_save_plan_execute (plan, fd, c->path, "test file", read_data_cb, c, progress_cb, &progress, NULL, error);
  close (fd);
  g_assert_true (!ok || progress.done == progress.total);
  return ok;
}

static gboolean
file_equals (const char   *path,
             const guint8 *bytes,
             gsize         size)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return length == size && memcmp (contents, bytes, size) == 0;
}

/* Every whole block of a hole the old file had, where a FILE segment put it, is
 * still a hole. */
static void
check_holes (Case *c)
{
  int fd = open (c->path, O_RDONLY | O_CLOEXEC);
  guint64 at = 0;

  for (guint i = 0; i < c->segments->len; i++)
    {
      HmSegment *s = &g_array_index (c->segments, HmSegment, i);

      for (guint h = 0; s->kind == HM_SEGMENT_FILE && h < c->old_holes->len; h += 2)
        {
          guint64 h0 = MAX (g_array_index (c->old_holes, guint64, h), s->source);
          guint64 h1 = MIN (g_array_index (c->old_holes, guint64, h + 1), s->source + s->length);
          guint64 start = (at + h0 - s->source + BLOCK - 1) / BLOCK * BLOCK;
          guint64 end = (at + h1 - s->source) / BLOCK * BLOCK;
          off_t data;

          if (h0 >= h1 || start >= end)
            continue;
          data = lseek (fd, (off_t) start, SEEK_DATA);
          if (data >= 0 && (guint64) data < end)
            g_error ("seed %u: the hole [0x%" G_GINT64_MODIFIER "x, 0x%" G_GINT64_MODIFIER "x) of the new "
                     "file has data at 0x%" G_GINT64_MODIFIER "x", seed, start, end, (guint64) data);
        }
      at += s->length;
    }
  close (fd);
}

static void
assert_no_journal (const char *path)
{
  struct stat st;
  g_autofree char *journal = NULL;

  g_assert_no_errno (stat (path, &st));
  journal = hm_save_journal_path_for (st.st_dev, st.st_ino);
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
}

static void
test_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint used_ranges = 0;

  for (int round = 0; round < 60; round++)
    {
      gsize size = round % 10 == 0 ? (gsize) g_rand_int_range (rand, 0, 100)
                                   : (gsize) g_rand_int_range (rand, 1, 3 * MIB);
      g_autoptr(Case) c = make_case (rand, "random", size, g_rand_boolean (rand));
      g_autoptr(GError) error = NULL;
      guint ranges = 0;

      _hm_structural_save_set_chunk_for_tests (g_rand_boolean (rand) ? 64 * KIB : 0);
      _hm_structural_save_set_range_changes_for_tests (round % 2 == 0);
      random_edits (c, rand, g_rand_int_range (rand, 1, 6));
      g_assert_true (save (c, &ranges, &error));
      g_assert_no_error (error);
      if (!file_equals (c->path, c->expected, c->new_size))
        g_error ("seed %u round %d: the saved file differs from the reference", seed, round);
      check_holes (c);
      assert_no_journal (c->path);
      used_ranges += ranges;
    }
  _hm_structural_save_set_chunk_for_tests (0);
  _hm_structural_save_set_range_changes_for_tests (TRUE);
  g_test_message ("seed %u: %u ranges inserted or collapsed by the filesystem", seed, used_ranges);
}

static gboolean
byte_cb (gpointer  user_data,
         guint64   new_offset,
         guint8   *buffer,
         gsize     length,
         GError  **error)
{
  memset (buffer, *(guint8 *) user_data, length);
  return TRUE;
}

/* A 1-byte insert at 0 of a sparse file moves its data only. */
static void
test_sparse_moves_data_only (void)
{
  g_autofree char *path = hm_test_make_sparse ("sparse", 64 * (guint64) 1024 * MIB);
  guint8 region[64 * KIB];
  HmSegment segments[] = { { HM_SEGMENT_DATA, 1, 0 }, { HM_SEGMENT_FILE, 64 * (guint64) 1024 * MIB, 0 } };
  g_autoptr(HmSavePlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  guint8 byte = 0xab;
  guint64 allocated;
  guint8 back[sizeof region];
  int fd;

  memset (region, 0x5a, sizeof region);
  hm_test_pwrite (path, 0, region, sizeof region);
  hm_test_pwrite (path, 7 * (guint64) 1024 * MIB, region, sizeof region);
  allocated = hm_test_allocated_bytes (path);
  fd = open (path, O_RDWR | O_CLOEXEC);
  plan = hm_save_plan_new (fd, segments, G_N_ELEMENTS (segments), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hm_save_plan_get_bytes_to_move (plan), ==, 2 * sizeof region);
  g_assert_cmpuint (hm_save_plan_get_bytes_to_write (plan), ==, 1);
  g_assert_true (hm_save_plan_execute (plan, fd, path, "sparse", byte_cb, &byte,
                                       NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  close (fd);
  g_assert_cmpuint (hm_test_allocated_bytes (path), <=, allocated + 64 * KIB);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (pread (fd, back, 1, 0), ==, 1);
  g_assert_cmpuint (back[0], ==, 0xab);
  g_assert_cmpint (pread (fd, back, sizeof back, 7 * (guint64) 1024 * MIB + 1), ==, sizeof back);
  g_assert_cmpmem (back, sizeof back, region, sizeof region);
  close (fd);
}

/* Default chunks on a file larger than one: copies in several pieces, and
 * (without the filesystem's insert) full-size overlapping chunks. */
static void
test_large (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (int pass = 0; pass < 2; pass++)
    {
      g_autoptr(Case) c = make_case (rand, "large", 80 * MIB + 123, FALSE);
      g_autoptr(GError) error = NULL;

      _hm_structural_save_set_range_changes_for_tests (pass == 0);
      edit_insert (c, rand, 0, 1);
      edit_delete (c, 50 * MIB, 3);
      random_edits (c, rand, 0);
      g_assert_true (save (c, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (file_equals (c->path, c->expected, c->new_size));
      g_unlink (c->path);
    }
  _hm_structural_save_set_range_changes_for_tests (TRUE);
}

/* Whole blocks at a block boundary: on ext4 and XFS the filesystem inserts and
 * collapses them; elsewhere the tail is copied. Either way, the content. */
static void
check_block_edits (const char *dir,
                   gboolean    expect_range_changes)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(Case) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_tmp = NULL;
  guint ranges = 99;
  guint64 allocated;

  c = make_case (rand, "blocks", 8 * MIB, FALSE);
  if (dir != NULL)
    {
      g_autofree char *path = g_build_filename (dir, "blocks", NULL);

      g_assert_true (g_file_set_contents (path, (char *) c->old, (gssize) c->old_size, NULL));
      g_free (c->path);
      c->path = g_steal_pointer (&path);
    }
  allocated = hm_test_allocated_bytes (c->path);
  edit_insert (c, rand, 3 * MIB, 64 * KIB);
  edit_delete (c, 6 * MIB, 128 * KIB);
  random_edits (c, rand, 0);
  g_assert_true (save (c, &ranges, &error));
  g_assert_no_error (error);
  g_assert_true (file_equals (c->path, c->expected, c->new_size));
  assert_no_journal (c->path);
  if (expect_range_changes)
    {
      /* Nothing moved: the file holds what it held, plus the new block. */
      g_assert_cmpuint (ranges, ==, 2);
      g_assert_cmpuint (hm_test_allocated_bytes (c->path), <=, allocated + 64 * KIB - 128 * KIB + 64 * KIB);
    }
  else
    g_assert_cmpuint (ranges, ==, 0);
}

static gboolean
is_ext4_or_xfs (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *out = NULL;
  g_autofree char *cmd = g_strdup_printf ("stat -f -c %%T %s", dir);

  g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL);
  return out != NULL && (g_str_has_prefix (out, "ext2/ext3") || g_str_has_prefix (out, "xfs"));
}

static void
test_block_edits_here (void)
{
  g_autofree char *probe = hm_test_path ("probe");

  if (!is_ext4_or_xfs (probe))
    {
      g_test_skip ("the test folder is neither on ext4 nor on XFS");
      return;
    }
  check_block_edits (NULL, TRUE);
}

static gboolean
cancel_cb (gpointer  user_data,
           guint64   new_offset,
           guint8   *buffer,
           gsize     length,
           GError  **error)
{
  g_cancellable_cancel (user_data);
  memset (buffer, 1, length);
  return TRUE;
}

/* Cancelled while gathering the new bytes: the file is as it was. */
static void
test_cancel (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(Case) c = make_case (rand, "cancel", 2 * MIB, TRUE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(HmSavePlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  struct stat before;
  struct stat after;
  int fd;

  edit_insert (c, rand, 10, 3 * MIB);
  random_edits (c, rand, 0);
  g_assert_no_errno (stat (c->path, &before));
  fd = open (c->path, O_RDWR | O_CLOEXEC);
  plan = hm_save_plan_new (fd, (HmSegment *) c->segments->data, c->segments->len, &error);
  g_assert_no_error (error);
  g_assert_false (hm_save_plan_execute (plan, fd, c->path, "cancel", cancel_cb, cancellable, NULL, NULL,
                                        cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  close (fd);
  g_assert_true (file_equals (c->path, c->old, c->old_size));
  g_assert_no_errno (stat (c->path, &after));
  g_assert_cmpint (after.st_mtim.tv_sec, ==, before.st_mtim.tv_sec);
  g_assert_cmpint (after.st_mtim.tv_nsec, ==, before.st_mtim.tv_nsec);
  g_assert_cmpuint (after.st_blocks, ==, before.st_blocks);
  assert_no_journal (c->path);
}

static void
test_bad_segments (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(Case) c = make_case (rand, "bad", 1000, FALSE);
  HmSegment past_end[] = { { HM_SEGMENT_FILE, 10, 995 } };
  g_autoptr(GError) error = NULL;
  int fd = open (c->path, O_RDWR | O_CLOEXEC);

  g_assert_null (hm_save_plan_new (fd, past_end, 1, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_OUT_OF_RANGE);
  g_assert_nonnull (strstr (error->message, "0x3e3"));
  close (fd);
}

/* Kill tests: a child saves, SIGKILLed at a random moment; recovery (itself
 * killed at random moments now and then) leaves the old or the new file. */
static gboolean
run_killed (guint64  delay_us,
            gboolean recover_only,
            Case    *c)
{
  pid_t pid = fork ();
  int status;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      gboolean ok;

      if (recover_only)
        {
          HmRecoverOutcome outcome;
          int fd = open (c->path, O_RDWR | O_CLOEXEC);

          ok = hm_save_journal_recover (fd, "test file", &outcome, NULL);
        }
      else
        ok = save (c, NULL, NULL);
      _exit (ok ? 0 : 1);
    }
  if (delay_us != G_MAXUINT64)
    {
      g_usleep (delay_us);
      kill (pid, SIGKILL);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return WIFSIGNALED (status);
}

static guint64
elapsed_us (gint64 start)
{
  return (guint64) (g_get_monotonic_time () - start);
}

static void
kill_rounds (const char *what,
             int         rounds,
             gboolean    blocks)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed ^ (guint32) blocks);
  guint64 full_us = 0;
  guint n_old = 0;
  guint n_new = 0;
  guint n_killed = 0;

  _hm_structural_save_set_chunk_for_tests (32 * KIB);
  _hm_structural_save_set_step_sync_for_tests (FALSE);
  for (int round = -1; round < rounds; round++)
    {
      g_autoptr(Case) c = make_case (rand, "kill", (gsize) g_rand_int_range (rand, MIB, 2 * MIB),
                                     g_rand_boolean (rand));
      g_autoptr(GError) error = NULL;
      HmRecoverOutcome outcome;
      gint64 start;
      int fd;

      /* Half the rounds copy even where the filesystem could insert. */
      _hm_structural_save_set_range_changes_for_tests (blocks || round % 2 == 0);
      if (blocks)
        {
          edit_insert (c, rand, (gsize) g_rand_int_range (rand, 0, 32) * BLOCK, 2 * BLOCK);
          edit_delete (c, (gsize) g_rand_int_range (rand, 40, 60) * BLOCK, 3 * BLOCK);
          /* and a small one, so that something moves too */
          edit_insert (c, rand, (gsize) g_rand_int_range (rand, 0, 200 * KIB), 5);
          random_edits (c, rand, 0);
        }
      else
        random_edits (c, rand, g_rand_int_range (rand, 1, 4));

      if (round < 0)
        {
          /* How long an uninterrupted save takes: the kills spread over it. */
          start = g_get_monotonic_time ();
          g_assert_false (run_killed (G_MAXUINT64, FALSE, c));
          full_us = MAX (elapsed_us (start), 1000);
          g_assert_true (file_equals (c->path, c->expected, c->new_size));
          continue;
        }

      n_killed += run_killed (g_rand_int_range (rand, 0, (gint32) (full_us * 3 / 4)), FALSE, c);
      if (g_rand_int_range (rand, 0, 3) == 0)
        run_killed (g_rand_int_range (rand, 0, (gint32) full_us), TRUE, c);
      fd = open (c->path, O_RDWR | O_CLOEXEC);
      g_assert_true (hm_save_journal_recover (fd, "test file", &outcome, &error));
      g_assert_no_error (error);
      close (fd);
      assert_no_journal (c->path);
      if (file_equals (c->path, c->expected, c->new_size))
        n_new++;
      else if (file_equals (c->path, c->old, c->old_size))
        n_old++;
      else
        g_error ("seed %u, %s round %d: after recovery the file is neither the old nor the new content",
                 seed, what, round);
    }
  _hm_structural_save_set_chunk_for_tests (0);
  _hm_structural_save_set_step_sync_for_tests (TRUE);
  _hm_structural_save_set_range_changes_for_tests (TRUE);
  g_test_message ("%s: %u kills, %u old, %u new (a save takes %" G_GUINT64_FORMAT " µs)",
                  what, n_killed, n_old, n_new, full_us);
  g_assert_cmpuint (n_killed, >, 0);
}

static void
test_kill_shift (void)
{
  kill_rounds ("shift", 90, FALSE);
}

static void
test_kill_blocks (void)
{
  kill_rounds ("block edits", 70, TRUE);
}

#include "test-structural-save-root.c"

int
main (int    argc,
      char **argv)
{
  const char *env = g_getenv ("HM_TEST_SEED");
  int ret;

  g_test_init (&argc, &argv, NULL);
  seed = env != NULL ? (guint32) g_ascii_strtoull (env, NULL, 10) : (guint32) time (NULL);
  g_test_message ("seed %u (HM_TEST_SEED=%u replays it)", seed, seed);
  g_test_add_func ("/hm/structural-save/random", test_random);
  g_test_add_func ("/hm/structural-save/sparse-moves-data-only", test_sparse_moves_data_only);
  g_test_add_func ("/hm/structural-save/block-edits", test_block_edits_here);
  g_test_add_func ("/hm/structural-save/large", test_large);
  g_test_add_func ("/hm/structural-save/cancel", test_cancel);
  g_test_add_func ("/hm/structural-save/bad-segments", test_bad_segments);
  g_test_add_func ("/hm/structural-save/kill-shift", test_kill_shift);
  g_test_add_func ("/hm/structural-save/kill-blocks", test_kill_blocks);
  add_root_tests ();
  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}
