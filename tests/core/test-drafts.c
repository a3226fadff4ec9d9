/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Drafts: pending edits kept on disk (core/hm-drafts.c). Round trips through a
 * copy of the draft (replayed on a second document of the same file), the
 * life cycle of the draft file, and kill tests: a child process edits through
 * the core API and is SIGKILLed at random points; the edits restored afterwards
 * must be at least those it had acknowledged (after hm_document_flush_drafts()).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hm-document.h"
#include "hm-drafts.h"
#include "hm-test-util.h"

static const char *self_exe;

static GBytes *
read_content (HmDocument *doc)
{
  guint64 size = hm_document_get_size (doc);
  guint8 *data = g_malloc (size + 1);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (hm_document_read (doc, 0, data, (gsize) size, &error), ==, (gssize) size);
  g_assert_no_error (error);
  return g_bytes_new_take (data, (gsize) size);
}

static void
assert_same_content (HmDocument *a,
                     HmDocument *b)
{
  g_autoptr(GBytes) x = read_content (a);
  g_autoptr(GBytes) y = read_content (b);

  if (!g_bytes_equal (x, y))
    {
      gsize n = MIN (g_bytes_get_size (x), g_bytes_get_size (y));
      const guint8 *p = g_bytes_get_data (x, NULL);
      const guint8 *q = g_bytes_get_data (y, NULL);
      gsize i = 0;

      while (i < n && p[i] == q[i])
        i++;
      g_error ("contents differ: sizes %zu and %zu, first difference at %zu",
               g_bytes_get_size (x), g_bytes_get_size (y), i);
    }
}

/* The draft of @doc copied, so that a second document can replay it while
 * @doc still holds (and locks) the original. */
static HmDraftInfo *
copy_draft (HmDocument *doc)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *copy = hm_test_path ("draft-copy.draft");
  HmDraftInfo *info;
  gsize length;
  struct stat st;

  g_assert_true (hm_document_flush_drafts (doc, &error));
  g_assert_no_error (error);
  g_assert_nonnull (hm_document_get_draft_path (doc));
  g_assert_cmpint (g_stat (hm_document_get_draft_path (doc), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_true (g_file_get_contents (hm_document_get_draft_path (doc), &data, &length, NULL));
  g_assert_true (g_file_set_contents (copy, data, (gssize) length, NULL));

  info = g_new0 (HmDraftInfo, 1);
  info->path = g_strdup (hm_document_get_path (doc));
  info->draft_path = g_steal_pointer (&copy);
  return info;
}

static HmDocument *
restore_copy (HmDocument *doc)
{
  g_autoptr(HmDraftInfo) info = copy_draft (doc);
  g_autoptr(GError) error = NULL;
  HmDocument *restored;
  guint n = 0;

  restored = hm_document_new_full (hm_document_get_path (doc), HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_no_error (error);
  g_assert_true (hm_drafts_restore (restored, info, &n, &error));
  g_assert_no_error (error);
  g_unlink (info->draft_path);
  return restored;
}

/* ---- The random edits shared by the model tests and the child ---- */

typedef enum
{
  OP_WRITE,
  OP_TYPE,       /* a coalescing write right after the previous one */
  OP_FILL,
  OP_INSERT,
  OP_INSERT_FILL,
  OP_DELETE,
  OP_SET_SIZE,
  OP_UNDO,
  OP_REDO,
  N_OPS,
} OpKind;

typedef struct
{
  OpKind  kind;
  guint64 offset;
  guint64 length;
  guint8  bytes[64];
  gsize   n_bytes;
} Op;

static void
next_op (GRand   *rand,
         guint64  size,
         gboolean with_undo,
         guint64 *typing_at,
         Op      *op)
{
  memset (op, 0, sizeof *op);
  do
    op->kind = (OpKind) g_rand_int_range (rand, 0, N_OPS);
  while (!with_undo && (op->kind == OP_UNDO || op->kind == OP_REDO));
  if (size < 256 && op->kind == OP_DELETE)
    op->kind = OP_INSERT_FILL;
  if (op->kind == OP_TYPE && *typing_at + 1 >= size)
    op->kind = OP_WRITE;

  switch (op->kind)
    {
    case OP_WRITE:
    case OP_TYPE:
      op->n_bytes = (gsize) g_rand_int_range (rand, 1, op->kind == OP_TYPE ? 2 : 65);
      op->offset = op->kind == OP_TYPE ? *typing_at + 1
                                       : (guint64) g_rand_int_range (rand, 0, (gint32) (size - op->n_bytes));
      op->length = op->n_bytes;
      *typing_at = op->offset;
      break;
    case OP_FILL:
      op->n_bytes = (gsize) g_rand_int_range (rand, 1, 5);
      op->length = (guint64) g_rand_int_range (rand, 1, (gint32) MIN (size, 4096));
      op->offset = (guint64) g_rand_int_range (rand, 0, (gint32) (size - op->length + 1));
      break;
    case OP_INSERT:
      op->n_bytes = (gsize) g_rand_int_range (rand, 1, 65);
      op->offset = (guint64) g_rand_int_range (rand, 0, (gint32) size + 1);
      op->length = op->n_bytes;
      break;
    case OP_INSERT_FILL:
      op->n_bytes = (gsize) g_rand_int_range (rand, 1, 5);
      op->length = (guint64) g_rand_int_range (rand, 1, 2048);
      op->offset = (guint64) g_rand_int_range (rand, 0, (gint32) size + 1);
      break;
    case OP_DELETE:
      op->length = (guint64) g_rand_int_range (rand, 1, 256);
      op->offset = (guint64) g_rand_int_range (rand, 0, (gint32) (size - op->length + 1));
      break;
    case OP_SET_SIZE:
      op->length = (guint64) g_rand_int_range (rand, (gint32) MAX (size, 1024) - 1000,
                                              (gint32) size + 1000);
      break;
    case OP_UNDO:
    case OP_REDO:
      break;
    case N_OPS:
    default:
      g_assert_not_reached ();
    }
  for (gsize i = 0; i < op->n_bytes; i++)
    op->bytes[i] = (guint8) g_rand_int (rand);
}

static void
apply_op (HmDocument *doc,
          const Op   *op)
{
  g_autoptr(GError) error = NULL;

  switch (op->kind)
    {
    case OP_WRITE:
      g_assert_true (hm_document_write (doc, op->offset, op->bytes, op->n_bytes, HM_EDIT_NONE, &error));
      break;
    case OP_TYPE:
      g_assert_true (hm_document_write (doc, op->offset, op->bytes, op->n_bytes, HM_EDIT_COALESCE, &error));
      break;
    case OP_FILL:
      g_assert_true (hm_document_fill (doc, op->offset, op->length, op->bytes, op->n_bytes, &error));
      break;
    case OP_INSERT:
      g_assert_true (hm_document_insert (doc, op->offset, op->bytes, op->n_bytes,
                                         op->n_bytes == 1 ? HM_EDIT_COALESCE : HM_EDIT_NONE, &error));
      break;
    case OP_INSERT_FILL:
      g_assert_true (hm_document_insert_fill (doc, op->offset, op->length, op->bytes, op->n_bytes, &error));
      break;
    case OP_DELETE:
      g_assert_true (hm_document_delete (doc, op->offset, op->length, &error));
      break;
    case OP_SET_SIZE:
      g_assert_true (hm_document_set_size (doc, op->length, &error));
      break;
    case OP_UNDO:
      if (hm_document_get_can_undo (doc))
        g_assert_true (hm_document_undo (doc, &error));
      break;
    case OP_REDO:
      if (hm_document_get_can_redo (doc))
        g_assert_true (hm_document_redo (doc, &error));
      break;
    case N_OPS:
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
}

/* The model: the content as a byte array (no undo: the kill test does none) */
static void
model_apply (GByteArray *model,
             const Op   *op)
{
  switch (op->kind)
    {
    case OP_WRITE:
    case OP_TYPE:
      memcpy (model->data + op->offset, op->bytes, op->n_bytes);
      break;
    case OP_FILL:
      for (guint64 i = 0; i < op->length; i++)
        model->data[op->offset + i] = op->bytes[i % op->n_bytes];
      break;
    case OP_INSERT:
      g_array_insert_vals ((GArray *) model, (guint) op->offset, op->bytes, (guint) op->n_bytes);
      break;
    case OP_INSERT_FILL:
      {
        g_autofree guint8 *run = g_malloc ((gsize) op->length);

        for (guint64 i = 0; i < op->length; i++)
          run[i] = op->bytes[i % op->n_bytes];
        g_array_insert_vals ((GArray *) model, (guint) op->offset, run, (guint) op->length);
      }
      break;
    case OP_DELETE:
      g_byte_array_remove_range (model, (guint) op->offset, (guint) op->length);
      break;
    case OP_SET_SIZE:
      {
        guint old = model->len;

        g_byte_array_set_size (model, (guint) op->length);
        if (model->len > old)
          memset (model->data + old, 0, model->len - old);
      }
      break;
    case OP_UNDO:
    case OP_REDO:
    case N_OPS:
    default:
      g_assert_not_reached ();
    }
}

/* ---- Round trips ---- */

static void
test_round_trip_random (void)
{
  guint32 seed = g_test_rand_int ();

  g_test_message ("seed %u", seed);
  for (guint round = 0; round < 12; round++)
    {
      g_autofree char *path = hm_test_write_random ("round", 48 * 1024, seed + round, NULL);
      g_autoptr(HmDocument) doc = NULL;
      g_autoptr(HmDocument) restored = NULL;
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed + round);
      g_autoptr(GError) error = NULL;
      guint64 typing_at = 0;
      guint n_ops = (guint) g_rand_int_range (rand, 1, round == 0 ? 1200 : 120);
      guint undos = 0;

      doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
      g_assert_no_error (error);
      g_assert_true (hm_document_keep_drafts (doc, &error));
      g_assert_no_error (error);

      for (guint i = 0; i < n_ops; i++)
        {
          Op op;

          next_op (rand, hm_document_get_size (doc), TRUE, &typing_at, &op);
          if (g_rand_int_range (rand, 0, 10) == 0)
            {
              /* Replace All: a group */
              hm_document_begin_group (doc);
              apply_op (doc, &op);
              next_op (rand, hm_document_get_size (doc), FALSE, &typing_at, &op);
              apply_op (doc, &op);
              hm_document_end_group (doc);
            }
          else
            apply_op (doc, &op);
          /* Flushes between typed bytes: the runs merge only at compaction */
          if (g_rand_int_range (rand, 0, 3) == 0)
            g_assert_true (hm_document_flush_drafts (doc, &error));
        }
      if (!hm_document_get_has_pending (doc) && !hm_document_get_has_structural_pending (doc))
        continue;

      restored = restore_copy (doc);
      assert_same_content (doc, restored);
      g_assert_cmpint (hm_document_get_has_structural_pending (doc), ==,
                       hm_document_get_has_structural_pending (restored));

      /* The same history: undo everything, then redo it all, on both */
      while (hm_document_get_can_undo (doc))
        {
          g_assert_true (hm_document_get_can_undo (restored));
          g_assert_true (hm_document_undo (doc, &error));
          g_assert_true (hm_document_undo (restored, &error));
          g_assert_no_error (error);
          assert_same_content (doc, restored);
          undos++;
        }
      g_assert_false (hm_document_get_can_undo (restored));
      while (hm_document_get_can_redo (doc))
        {
          g_assert_true (hm_document_redo (doc, &error));
          g_assert_true (hm_document_redo (restored, &error));
          g_assert_no_error (error);
          assert_same_content (doc, restored);
        }
      g_assert_false (hm_document_get_can_redo (restored));
      g_test_message ("round %u: %u edits, %u undo steps", round, n_ops, undos);
      g_clear_object (&restored);
      g_assert_true (hm_document_discard (doc, &error));
      g_assert_no_error (error);
      g_clear_object (&doc);
      g_unlink (path);
    }
}

/* Typing flushed byte by byte: the file is compacted now and then. */
static void
test_compaction (void)
{
  g_autofree char *path = hm_test_write_random ("compact", 64 * 1024, 6, NULL);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmDocument) restored = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_true (hm_document_keep_drafts (doc, &error));
  for (guint i = 0; i < 1000; i++)
    {
      guint8 byte = (guint8) i;

      if (i == 900)
        g_assert_true (hm_document_insert (doc, 5000, "in", 2, HM_EDIT_NONE, &error));
      g_assert_true (hm_document_write (doc, 1000 + i, &byte, 1, HM_EDIT_COALESCE, &error));
      g_assert_true (hm_document_flush_drafts (doc, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (g_stat (hm_document_get_draft_path (doc), &st), ==, 0);
  g_test_message ("1000 typed bytes flushed one by one: a draft of %" G_GINT64_FORMAT " bytes",
                  (gint64) st.st_size);
  /* Uncompacted: 1000 records of 49 bytes */
  g_assert_cmpint (st.st_size, <, 1000 * 49 / 2);

  restored = restore_copy (doc);
  assert_same_content (doc, restored);
  g_assert_true (hm_document_undo (doc, &error));
  g_assert_true (hm_document_undo (restored, &error));
  assert_same_content (doc, restored);
  g_assert_true (hm_document_undo (doc, &error));
  g_assert_true (hm_document_undo (restored, &error));
  assert_same_content (doc, restored);
  g_assert_true (hm_document_discard (doc, &error));
  g_unlink (path);
}

/* A 256 MiB fill is its pattern in the draft, not 256 MiB. */
static void
test_fill_is_pattern (void)
{
  g_autofree char *path = hm_test_make_sparse ("big-fill", 512u * 1024 * 1024);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmDocument) restored = NULL;
  g_autoptr(GError) error = NULL;
  static const guint8 pattern[] = { 0xde, 0xad, 0xbe };
  guint8 buffer[6];
  struct stat st;

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_keep_drafts (doc, &error));
  hm_document_begin_group (doc);
  g_assert_true (hm_document_insert_fill (doc, 1000, 256u * 1024 * 1024, pattern, 3, &error));
  g_assert_true (hm_document_delete (doc, 10, 20, &error));
  hm_document_end_group (doc);
  g_assert_true (hm_document_fill (doc, 300u * 1024 * 1024, 64u * 1024 * 1024, pattern, 2, &error));
  g_assert_no_error (error);
  g_assert_true (hm_document_flush_drafts (doc, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (hm_document_get_draft_path (doc), &st), ==, 0);
  g_test_message ("draft of a 256 MiB insert and a 64 MiB fill: %" G_GINT64_FORMAT " bytes",
                  (gint64) st.st_size);
  g_assert_cmpint (st.st_size, <, 4096);

  restored = restore_copy (doc);
  g_assert_cmpuint (hm_document_get_size (restored), ==, hm_document_get_size (doc));
  for (guint64 at = 0; at < hm_document_get_size (doc); at += 7u * 1024 * 1024 + 13)
    {
      guint8 other[6];

      g_assert_cmpint (hm_document_read (doc, at, buffer, 6, &error), ==, 6);
      g_assert_cmpint (hm_document_read (restored, at, other, 6, &error), ==, 6);
      g_assert_cmpmem (buffer, 6, other, 6);
    }
  g_assert_true (hm_document_discard (doc, &error));
  g_unlink (path);
}

/* Undo past a save: the draft keeps the effect */
static void
test_undo_past_save (void)
{
  g_autofree char *path = hm_test_write_random ("past-save", 64 * 1024, 3, NULL);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmDocument) restored = NULL;
  g_autoptr(GError) error = NULL;
  static const guint8 pattern[] = { 0x55 };

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_keep_drafts (doc, &error));
  g_assert_true (hm_document_fill (doc, 100, 5000, pattern, 1, &error));
  g_assert_true (hm_document_write (doc, 20000, "abc", 3, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Saved: no draft */
  g_assert_null (hm_document_get_draft_path (doc));
  g_assert_true (hm_document_undo (doc, &error));
  g_assert_true (hm_document_undo (doc, &error));
  g_assert_true (hm_document_redo (doc, &error));
  g_assert_true (hm_document_write (doc, 30000, "xyz", 3, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_undo (doc, &error));
  g_assert_no_error (error);
  g_assert_true (hm_document_get_has_pending (doc));

  restored = restore_copy (doc);
  assert_same_content (doc, restored);
  g_assert_true (hm_document_discard (doc, &error));
  g_unlink (path);
}

/* When the draft exists, who may see it, and when it goes. */
static void
test_life_cycle (void)
{
  g_autofree char *path = hm_test_write_random ("life", 64 * 1024, 4, NULL);
  g_autofree char *dir = hm_drafts_get_dir ();
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmDocument) second = NULL;
  g_autoptr(HmDraftInfo) info = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *draft = NULL;
  struct stat st;
  guint n = 0;

  /* No edits: no file */
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_true (hm_document_keep_drafts (doc, &error));
  g_assert_true (hm_document_flush_drafts (doc, &error));
  g_assert_null (hm_document_get_draft_path (doc));

  /* One writer per file in a process */
  second = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_false (hm_document_keep_drafts (second, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY);
  g_clear_error (&error);
  g_clear_object (&second);

  /* An edit, a flush: a 0600 file in a 0700 folder, invisible while we hold it */
  g_assert_true (hm_document_write (doc, 10, "x", 1, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_flush_drafts (doc, &error));
  draft = g_strdup (hm_document_get_draft_path (doc));
  g_assert_nonnull (draft);
  g_assert_true (g_str_has_prefix (draft, dir));
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (g_stat (draft, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_null (hm_drafts_lookup (path));

  /* Undo to nothing pending: the draft goes at the next flush */
  g_assert_true (hm_document_undo (doc, &error));
  g_assert_true (hm_document_flush_drafts (doc, &error));
  g_assert_false (g_file_test (draft, G_FILE_TEST_EXISTS));

  /* Discard removes it */
  g_assert_true (hm_document_write (doc, 10, "y", 1, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_flush_drafts (doc, &error));
  g_assert_true (g_file_test (draft, G_FILE_TEST_EXISTS));
  g_assert_true (hm_document_discard (doc, &error));
  g_assert_false (g_file_test (draft, G_FILE_TEST_EXISTS));

  /* Closing with nothing pending removes it */
  g_assert_true (hm_document_write (doc, 10, "z", 1, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_flush_drafts (doc, &error));
  g_assert_true (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (draft, G_FILE_TEST_EXISTS));
  g_assert_true (hm_document_write (doc, 11, "w", 1, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_undo (doc, &error));
  g_clear_object (&doc);
  g_assert_false (g_file_test (draft, G_FILE_TEST_EXISTS));

  /* Closing with edits pending (as a crash would) keeps it: found, listed, restored */
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_true (hm_document_keep_drafts (doc, &error));
  g_assert_true (hm_document_insert (doc, 0, "head", 4, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  g_clear_object (&doc);
  info = hm_drafts_lookup (path);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->draft_path, ==, draft);
  g_assert_cmpuint (info->n_edits, ==, 1);
  g_assert_false (hm_draft_info_file_changed (info));
  list = hm_drafts_list ();
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((HmDraftInfo *) list->pdata[0])->path, ==, info->path);

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_DIRECT, 0, &error);
  g_assert_true (hm_document_keep_drafts (doc, &error));
  g_assert_true (hm_drafts_restore (doc, info, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  /* Restored as a preview, and the draft is the document's own now */
  g_assert_cmpint (hm_document_get_mode (doc), ==, HM_DOCUMENT_MODE_PREVIEW);
  g_assert_cmpuint (hm_document_get_size (doc), ==, 64 * 1024 + 4);
  g_assert_cmpstr (hm_document_get_draft_path (doc), ==, draft);
  g_assert_null (hm_drafts_lookup (path));
  g_assert_true (hm_document_discard (doc, &error));
  g_clear_object (&doc);
  g_clear_pointer (&info, hm_draft_info_free);

  /* The file changed since: said so; a stale draft can be removed */
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_true (hm_document_keep_drafts (doc, &error));
  g_assert_true (hm_document_write (doc, 60000, "late", 4, HM_EDIT_NONE, &error));
  g_clear_object (&doc);
  hm_test_truncate (path, 1000);
  info = hm_drafts_lookup (path);
  g_assert_nonnull (info);
  g_assert_true (hm_draft_info_file_changed (info));
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_false (hm_drafts_restore (doc, info, &n, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_OUT_OF_RANGE);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (n, ==, 0);
  g_clear_error (&error);
  g_assert_true (hm_drafts_remove (info, &error));
  g_assert_null (hm_drafts_lookup (path));
  g_clear_object (&doc);
  g_unlink (path);
}

/* A torn last record (a kill during the write) is ignored, the rest kept. */
static void
test_torn_tail (void)
{
  g_autofree char *path = hm_test_write_random ("torn", 64 * 1024, 5, NULL);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmDraftInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *draft = NULL;
  g_autoptr(GArray) ranges = NULL;
  gsize length;
  guint n = 0;
  guint8 byte;

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_true (hm_document_keep_drafts (doc, &error));
  g_assert_true (hm_document_write (doc, 1, "a", 1, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_flush_drafts (doc, &error));
  g_assert_true (hm_document_write (doc, 2, "bbbbbbbb", 8, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_flush_drafts (doc, &error));
  draft = g_strdup (hm_document_get_draft_path (doc));
  g_clear_object (&doc);

  g_assert_true (g_file_get_contents (draft, &data, &length, NULL));
  g_assert_true (g_file_set_contents (draft, data, (gssize) length - 3, NULL));
  info = hm_drafts_lookup (path);
  g_assert_nonnull (info);
  g_assert_cmpuint (info->n_edits, ==, 1);
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_true (hm_drafts_restore (doc, info, &n, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (hm_document_read (doc, 1, &byte, 1, &error), ==, 1);
  g_assert_cmpint (byte, ==, 'a');
  ranges = hm_document_get_pending_ranges (doc);
  g_assert_cmpuint (ranges->len, ==, 1);
  hm_drafts_remove (info, NULL);
  g_clear_object (&doc);
  g_unlink (path);
}

/* ---- Kill tests ---- */

#define KILL_FILE_SIZE (32 * 1024)
#define KILL_OPS       300

/* The child: edits, acknowledging on stdout "N" once N edits are durable. */
static int
child_main (const char *path,
            guint32     seed)
{
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GRand) flushes = g_rand_new_with_seed (~seed);
  g_autoptr(GError) error = NULL;
  guint64 typing_at = 0;

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_keep_drafts (doc, &error));
  for (guint i = 0; i < KILL_OPS; i++)
    {
      Op op;

      next_op (rand, hm_document_get_size (doc), FALSE, &typing_at, &op);
      apply_op (doc, &op);
      if (g_rand_int_range (flushes, 0, 4) == 0)
        {
          g_assert_true (hm_document_flush_drafts (doc, &error));
          printf ("%u\n", i + 1);
          fflush (stdout);
        }
    }
  /* Wait to be killed, with edits pending; EOF tells the parent */
  fclose (stdout);
  for (;;)
    pause ();
  return 0;
}

static void
test_kill (void)
{
  guint32 seed = g_test_rand_int ();
  guint runs = g_test_slow () ? 200 : 40;
  guint8 *original = NULL;
  g_autofree char *path = hm_test_write_random ("kill", KILL_FILE_SIZE, seed, &original);

  g_test_message ("seed %u, %u runs", seed, runs);
  for (guint run = 0; run < runs; run++)
    {
      guint32 child_seed = seed + run;
      g_autofree char *seed_text = g_strdup_printf ("%u", child_seed);
      const char *argv[] = { self_exe, "--child", path, seed_text, NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(GRand) rand = g_rand_new_with_seed (child_seed);
      g_autoptr(GRand) when = g_rand_new_with_seed (child_seed ^ 0x5a5a5a5a);
      g_autoptr(GByteArray) model = g_byte_array_new ();
      g_autoptr(HmDocument) doc = NULL;
      g_autoptr(HmDraftInfo) info = NULL;
      g_autoptr(GBytes) restored = NULL;
      guint kill_after = (guint) g_rand_int_range (when, 0, 80);
      guint acks = 0;
      guint acked = 0;
      guint64 typing_at = 0;
      gboolean matched = FALSE;
      guint matched_at = 0;
      GPid pid;
      int out_fd;
      FILE *out;
      char line[64];
      int status;

      g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                               NULL, NULL, &pid, NULL, &out_fd, NULL, &error));
      g_assert_no_error (error);
      out = fdopen (out_fd, "r");
      while (acks < kill_after && fgets (line, sizeof line, out) != NULL)
        {
          acked = MAX (acked, (guint) g_ascii_strtoull (line, NULL, 10));
          acks++;
        }
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
      /* Acknowledgements written before it died count too */
      while (fgets (line, sizeof line, out) != NULL)
        acked = MAX (acked, (guint) g_ascii_strtoull (line, NULL, 10));
      fclose (out);
      g_spawn_close_pid (pid);

      doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
      g_assert_no_error (error);
      info = hm_drafts_lookup (path);
      if (info != NULL)
        {
          g_assert_false (hm_draft_info_file_changed (info));
          g_assert_true (hm_drafts_restore (doc, info, NULL, &error));
          g_assert_no_error (error);
          g_assert_true (hm_drafts_remove (info, &error));
        }
      restored = read_content (doc);

      /* The restored content is the model after k edits, acked <= k <= KILL_OPS */
      g_byte_array_append (model, original, KILL_FILE_SIZE);
      for (guint k = 0; k <= KILL_OPS && !matched; k++)
        {
          if (k >= acked && g_bytes_get_size (restored) == model->len &&
              memcmp (g_bytes_get_data (restored, NULL), model->data, model->len) == 0)
            {
              matched = TRUE;
              matched_at = k;
            }
          else if (k < KILL_OPS)
            {
              Op op;

              next_op (rand, model->len, FALSE, &typing_at, &op);
              model_apply (model, &op);
            }
        }
      if (!matched)
        g_error ("run %u (seed %u): the restored edits are not those of %u or more edits", run,
                 child_seed, acked);
      if (run % 10 == 0)
        g_test_message ("run %u: %u edits acknowledged, %u restored", run, acked, matched_at);
      g_assert_null (hm_drafts_lookup (path));
    }
  g_free (original);
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (argc == 4 && g_str_equal (argv[1], "--child"))
    return child_main (argv[2], (guint32) g_ascii_strtoull (argv[3], NULL, 10));

  self_exe = argv[0];
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/drafts/round-trip", test_round_trip_random);
  g_test_add_func ("/hm/drafts/compaction", test_compaction);
  g_test_add_func ("/hm/drafts/fill-is-pattern", test_fill_is_pattern);
  g_test_add_func ("/hm/drafts/undo-past-save", test_undo_past_save);
  g_test_add_func ("/hm/drafts/life-cycle", test_life_cycle);
  g_test_add_func ("/hm/drafts/torn-tail", test_torn_tail);
  g_test_add_func ("/hm/drafts/kill", test_kill);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}
