/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Inserts, deletes and resizes in HmDocument, mixed with overwrites, fills,
 * groups, undo and redo, checked after every step against a plain byte array
 * (and a 4 GiB sparse file against a list of runs). Seeds are printed.
 */
#include "config.h"

#include "hm-bulk.h"
#include "hm-document.h"
#include "hm-test-util.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* ---- The byte-array model ---- */

typedef struct
{
  GPtrArray *states;  /* GByteArray: the content after each step */
  guint      pos;     /* states[pos] is now */
} Model;

static GByteArray *
model_now (Model *model)
{
  return model->states->pdata[model->pos];
}

static GByteArray *
model_push (Model *model)
{
  GByteArray *now = model_now (model);
  GByteArray *next = g_byte_array_sized_new (now->len);

  g_byte_array_append (next, now->data, now->len);
  g_ptr_array_set_size (model->states, model->pos + 1);
  g_ptr_array_add (model->states, next);
  model->pos++;
  return next;
}

static void
bytes_splice (GByteArray   *a,
        guint64       offset,
        guint64       remove,
        const guint8 *bytes,
        guint64       add)
{
  g_byte_array_remove_range (a, (guint) offset, (guint) remove);
  if (add == 0)
    return;  /* an empty array may have no data pointer to move */
  g_byte_array_set_size (a, a->len + (guint) add);
  memmove (a->data + offset + add, a->data + offset, a->len - add - offset);
  if (bytes != NULL)
    memcpy (a->data + offset, bytes, add);
  else
    memset (a->data + offset, 0, add);
}

static void
check_document (HmDocument *doc,
                GByteArray *want,
                GRand      *rand)
{
  g_autofree guint8 *got = g_malloc (want->len + 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) extents = NULL;
  g_autoptr(GArray) pending = NULL;
  guint64 covered = 0;

  g_assert_cmpuint (hm_document_get_size (doc), ==, want->len);
  g_assert_cmpint (hm_document_read (doc, 0, got, want->len, &error), ==, want->len);
  g_assert_no_error (error);
  g_assert_cmpmem (got, want->len, want->data, want->len);

  /* The translated hole map covers the content; holes read as zeros */
  extents = hm_document_get_extents (doc, 0, want->len);
  for (guint i = 0; i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);

      g_assert_cmpuint (e->offset, ==, covered);
      if (e->is_hole)
        for (guint64 k = 0; k < e->length; k++)
          g_assert_cmpuint (want->data[e->offset + k], ==, 0);
      covered += e->length;
    }
  g_assert_cmpuint (covered, ==, want->len);

  pending = hm_document_get_pending_ranges (doc);
  for (guint i = 0; i < pending->len; i++)
    {
      const HmRange *r = &g_array_index (pending, HmRange, i);

      g_assert_cmpuint (r->offset + r->length, <=, want->len);
    }

  if (want->len > 0 && g_rand_int_range (rand, 0, 8) == 0)
    {
      /* Bulk walks (search, compare, checksums) see the same content */
      g_autoptr(HmBulk) bulk = hm_bulk_new (doc, 0, want->len, HM_BULK_ZERO_HOLES);
      HmBulkBlock block;
      guint64 at = 0;

      while (hm_bulk_next (bulk, &block, &error))
        {
          g_assert_cmpuint (block.offset, ==, at);
          g_assert_cmpmem (block.data, block.length, want->data + at, block.length);
          at += block.length;
        }
      g_assert_no_error (error);
      g_assert_cmpuint (at, ==, want->len);
    }
}

static void
random_bytes (GRand  *rand,
              guint8 *out,
              gsize   n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = (guint8) g_rand_int (rand);
}

/* One random edit, made to the document and to @next. */
static void
random_edit (HmDocument *doc,
             GByteArray *next,
             GRand      *rand)
{
  guint64 size = next->len;
  guint kind = g_rand_int_range (rand, 0, 12);
  g_autoptr(GError) error = NULL;
  guint8 bytes[64];
  guint8 pattern[4];
  gsize plen = g_rand_int_range (rand, 1, 5);

  random_bytes (rand, bytes, sizeof bytes);
  random_bytes (rand, pattern, plen);
  if (g_rand_boolean (rand))
    memset (pattern, 0, plen);

  if (size == 0)
    kind = 4;

  if (kind < 3)
    {
      guint64 off = g_rand_int_range (rand, 0, size);
      guint64 len = g_rand_int_range (rand, 1, MIN (size - off, 64) + 1);

      g_assert_true (hm_document_write (doc, off, bytes, len, HM_EDIT_NONE, &error));
      memcpy (next->data + off, bytes, len);
    }
  else if (kind < 4)
    {
      guint64 off = g_rand_int_range (rand, 0, size);
      guint64 len = g_rand_int_range (rand, 1, MIN (size - off, 5000) + 1);

      g_assert_true (hm_document_fill (doc, off, len, pattern, plen, &error));
      for (guint64 k = 0; k < len; k++)
        next->data[off + k] = pattern[k % plen];
    }
  else if (kind < 7)
    {
      guint64 off = g_rand_int_range (rand, 0, size + 1);
      guint64 len = g_rand_int_range (rand, 1, 65);

      g_assert_true (hm_document_insert (doc, off, bytes, len, HM_EDIT_NONE, &error));
      bytes_splice (next, off, 0, bytes, len);
    }
  else if (kind < 8)
    {
      guint64 off = g_rand_int_range (rand, 0, size + 1);
      guint64 len = g_rand_int_range (rand, 1, 8000);
      g_autofree guint8 *fill = g_malloc (len);

      for (guint64 k = 0; k < len; k++)
        fill[k] = pattern[k % plen];
      g_assert_true (hm_document_insert_fill (doc, off, len, pattern, plen, &error));
      bytes_splice (next, off, 0, fill, len);
    }
  else if (kind < 11)
    {
      guint64 off = g_rand_int_range (rand, 0, size);
      guint64 len = g_rand_int_range (rand, 1, MIN (size - off, 3000) + 1);

      g_assert_true (hm_document_delete (doc, off, len, &error));
      bytes_splice (next, off, len, NULL, 0);
    }
  else
    {
      gint64 delta = g_rand_int_range (rand, -4000, 4000);
      guint64 want = (guint64) MAX ((gint64) size + delta, 0);

      if (want == size)
        want++;

      g_assert_true (hm_document_set_size (doc, want, &error));
      if (want < size)
        bytes_splice (next, want, size - want, NULL, 0);
      else
        bytes_splice (next, size, 0, NULL, want - size);
    }
  g_assert_no_error (error);
}

static void
run_random (HmDocumentMode mode)
{
  guint32 seed = g_test_rand_int ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint8 *original = NULL;
  g_autofree char *path = hm_test_write_random ("structural", 16 * 1024, seed, &original);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, mode, 4096, &error);
  Model model = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref), 0 };
  guint n_ops = g_test_slow () ? 5000 : 800;
  GByteArray *first = g_byte_array_new ();
  g_autoptr(GByteArray) saved = g_byte_array_new ();
  guint n_saves = 0;

  g_test_message ("seed %u", seed);
  g_assert_no_error (error);
  g_byte_array_append (first, original, 16 * 1024);
  g_byte_array_append (saved, original, 16 * 1024);
  g_ptr_array_add (model.states, first);

  for (guint op = 0; op < n_ops; op++)
    {
      guint what = g_rand_int_range (rand, 0, 20);

      if (what < 3 && model.pos > 0)
        {
          g_assert_true (hm_document_undo (doc, &error));
          model.pos--;
        }
      else if (what < 5 && model.pos + 1 < model.states->len)
        {
          g_assert_true (hm_document_redo (doc, &error));
          model.pos++;
        }
      else if (what == 19 && g_rand_int_range (rand, 0, 3) == 0)
        {
          /* Save; the file then holds the content, read through another descriptor */
          gboolean structural = hm_document_get_has_structural_pending (doc);
          g_autofree char *disk = NULL;
          gsize disk_len = 0;

          g_assert_true (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
          g_assert_no_error (error);
          g_assert_true (g_file_get_contents (path, &disk, &disk_len, NULL));
          g_assert_cmpmem (disk, disk_len, model_now (&model)->data, model_now (&model)->len);
          g_assert_false (hm_document_get_has_pending (doc));
          g_byte_array_set_size (saved, 0);
          g_byte_array_append (saved, model_now (&model)->data, model_now (&model)->len);
          n_saves++;
          if (structural)
            {
              /* The history spoke of the old layout: it starts again here */
              GByteArray *now = g_byte_array_ref (model_now (&model));

              g_ptr_array_set_size (model.states, 0);
              g_ptr_array_add (model.states, now);
              model.pos = 0;
              g_assert_false (hm_document_get_can_undo (doc));
              g_assert_false (hm_document_get_can_redo (doc));
            }
        }
      else if (what < 6)
        {
          /* A group is one undo step */
          GByteArray *next = model_push (&model);
          guint n = g_rand_int_range (rand, 2, 5);

          hm_document_begin_group (doc);
          for (guint i = 0; i < n; i++)
            random_edit (doc, next, rand);
          hm_document_end_group (doc);
        }
      else
        random_edit (doc, model_push (&model), rand);
      g_assert_no_error (error);
      check_document (doc, model_now (&model), rand);
    }

  /* Undo everything: the first state, with nothing structural pending */
  while (hm_document_get_can_undo (doc))
    g_assert_true (hm_document_undo (doc, &error));
  g_assert_no_error (error);
  check_document (doc, model.states->pdata[0], rand);
  g_assert_false (hm_document_get_has_structural_pending (doc));
  if (n_saves == 0)
    g_assert_false (hm_document_get_has_pending (doc));
  g_test_message ("%u saves", n_saves);

  /* Redo to the end, then discard: back to the last save, in the file too */
  while (hm_document_get_can_redo (doc))
    g_assert_true (hm_document_redo (doc, &error));
  check_document (doc, model.states->pdata[model.states->len - 1], rand);
  g_assert_true (hm_document_discard (doc, &error));
  g_assert_no_error (error);
  check_document (doc, saved, rand);
  {
    g_autofree char *disk = NULL;
    gsize disk_len = 0;

    g_assert_true (g_file_get_contents (path, &disk, &disk_len, NULL));
    g_assert_cmpmem (disk, disk_len, saved->data, saved->len);
  }
  g_ptr_array_unref (model.states);
}

static void
test_random_preview (void)
{
  run_random (HM_DOCUMENT_MODE_PREVIEW);
}

static void
test_random_direct (void)
{
  run_random (HM_DOCUMENT_MODE_DIRECT);
}

static void
changed_cb (HmDocument *doc,
            guint64     offset,
            guint64     removed,
            guint64     added,
            gpointer    user_data)
{
  guint64 *mark = user_data;

  *mark = hm_offset_through_edit (*mark, offset, removed, added, NULL);
}

/* Typing coalesces, the signal and the edit list say what happened, bookmarks
 * follow, read-only refuses. */
static void
test_basics (void)
{
  g_autofree char *path = hm_test_write_random ("basics", 0x8000, 7, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_autoptr(HmDocument) ro = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, NULL);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GArray) pending = NULL;
  guint64 mark = 0x20;

  g_assert_no_error (error);
  g_signal_connect (doc, "content-changed", G_CALLBACK (changed_cb), &mark);

  for (guint i = 0; i < 3; i++)
    g_assert_true (hm_document_insert (doc, 0x10 + i, "abc" + i, 1, HM_EDIT_COALESCE, &error));
  g_assert_cmpuint (mark, ==, 0x23);
  g_assert_true (hm_document_delete (doc, 0x4000, 0x200, &error));
  g_assert_true (hm_document_get_has_structural_pending (doc));
  g_assert_cmpuint (hm_document_get_size (doc), ==, 0x8000 + 3 - 0x200);

  lines = hm_document_describe_structural_edits (doc);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (lines->pdata[0], ==, "inserted 3 bytes at 0x10");
  g_assert_cmpstr (lines->pdata[1], ==, "deleted 0x200 bytes at 0x4000");

  pending = hm_document_get_pending_ranges (doc);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpuint (g_array_index (pending, HmRange, 0).offset, ==, 0x10);
  g_assert_cmpuint (g_array_index (pending, HmRange, 0).length, ==, 3);

  /* One undo takes the delete, the next the whole typed run */
  g_assert_true (hm_document_undo (doc, &error));
  g_assert_true (hm_document_undo (doc, &error));
  g_assert_false (hm_document_get_can_undo (doc));
  g_assert_cmpuint (mark, ==, 0x20);
  g_assert_false (hm_document_get_has_structural_pending (doc));

  g_assert_false (hm_document_insert (ro, 0, "x", 1, HM_EDIT_NONE, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (hm_document_delete (doc, 0x7fff, 2, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_OUT_OF_RANGE);
}

static void
assert_content (HmDocument   *doc,
                 guint64       offset,
                 const guint8 *expected,
                 gsize         length)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *now = g_malloc (length);

  g_assert_cmpint (hm_document_read (doc, offset, now, length, &error), ==, (gssize) length);
  g_assert_no_error (error);
  g_assert_cmpmem (now, length, expected, length);
}

/* A typed run is one step even where typing overwrites what the run inserted
 * (the second digit of a byte typed in insert mode), and redo gives the run
 * back as it was left; hm_document_break_coalescing() ends a run, so what is
 * typed next at its end is a step of its own. */
static void
test_typed_run (void)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("typed-run", 0x100, 5, &contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  static const guint8 typed[] = { 0xa1, 0xb2, 0xc3 };
  guint8 expect[0x10];

  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      guint8 high = typed[i] & 0xf0;

      g_assert_true (hm_document_insert (doc, 0x10 + i, &high, 1, HM_EDIT_COALESCE, &error));
      g_assert_true (hm_document_write (doc, 0x10 + i, &typed[i], 1, HM_EDIT_COALESCE, &error));
    }
  hm_document_break_coalescing (doc);
  g_assert_true (hm_document_insert (doc, 0x13, "z", 1, HM_EDIT_COALESCE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hm_document_get_size (doc), ==, 0x104);

  memcpy (expect, contents + 0x10, 0x10);
  assert_content (doc, 0x10, typed, 3);
  assert_content (doc, 0x13, (const guint8 *) "z", 1);
  g_assert_true (hm_document_undo (doc, &error));
  assert_content (doc, 0x10, typed, 3);
  assert_content (doc, 0x13, expect, 0x10);
  g_assert_true (hm_document_undo (doc, &error));
  g_assert_false (hm_document_get_can_undo (doc));
  assert_content (doc, 0, contents, 0x100);
  g_assert_true (hm_document_redo (doc, &error));
  assert_content (doc, 0x10, typed, 3);
  assert_content (doc, 0x13, expect, 0x10);
  g_assert_true (hm_document_redo (doc, &error));
  assert_content (doc, 0x13, (const guint8 *) "z", 1);
  g_assert_false (hm_document_get_can_redo (doc));
  g_assert_no_error (error);

  /* Overwrites break the same way: hex digits, then a break, then more */
  g_assert_true (hm_document_write (doc, 0x80, "ab", 2, HM_EDIT_COALESCE, &error));
  hm_document_break_coalescing (doc);
  g_assert_true (hm_document_write (doc, 0x82, "cd", 2, HM_EDIT_COALESCE, &error));
  g_assert_true (hm_document_undo (doc, &error));
  assert_content (doc, 0x80, (const guint8 *) "ab", 2);
  g_assert_true (hm_document_undo (doc, &error));
  g_assert_no_error (error);
  assert_content (doc, 0x80, contents + 0x80 - 4, 4);
}

/* Save As writes the edited content; a hole moved by an insert stays a hole. */
static void
test_save_as (void)
{
  g_autofree char *path = hm_test_make_sparse ("save-as-src", 8 * 1024 * 1024);
  g_autofree char *copy = hm_test_path ("save-as-copy");
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmDocument) back = NULL;
  g_autofree char *bytes = NULL;
  gsize len = 0;
  guint64 run_end = 0;

  hm_test_pwrite (path, 0, "head", 4);
  hm_test_pwrite (path, 8 * 1024 * 1024 - 4, "tail", 4);
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_insert (doc, 2, "XY", 2, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_delete (doc, 100, 10, &error));
  g_assert_true (hm_document_write (doc, 0, "H", 1, HM_EDIT_NONE, &error));
  g_assert_no_error (error);

  /* The hole after the first page is still a hole, two bytes later */
  g_assert_true (hm_document_is_hole (doc, 1024 * 1024, &run_end));
  g_assert_cmpuint (run_end, ==, 8 * 1024 * 1024 - 4096 + 2 - 10);

  g_assert_true (hm_document_save_as (doc, copy, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (copy, &bytes, &len, NULL));
  g_assert_cmpuint (len, ==, 8 * 1024 * 1024 - 8);
  g_assert_cmpmem (bytes, 6, "HeXYad", 6);
  g_assert_cmpmem (bytes + len - 4, 4, "tail", 4);
  g_assert_cmpuint (hm_test_allocated_bytes (copy), <, 1024 * 1024);

  back = hm_document_new_full (copy, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hm_document_get_size (back), ==, len);
}

/* Save with inserts and deletes: the file is the content, read through another
 * descriptor, and the document re-bases. */
static void
test_save (void)
{
  guint8 *original = NULL;
  g_autofree char *path = hm_test_write_random ("save", 256 * 1024, 3, &original);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 4096, &error);
  g_autoptr(GByteArray) want = g_byte_array_new ();
  g_autofree guint8 *got = NULL;
  gsize len = 0;

  g_assert_no_error (error);
  g_byte_array_append (want, original, 256 * 1024);
  g_free (original);
  g_assert_true (hm_document_write (doc, 5000, "ow", 2, HM_EDIT_NONE, &error));
  memcpy (want->data + 5000, "ow", 2);
  g_assert_true (hm_document_insert (doc, 1, "ins", 3, HM_EDIT_NONE, &error));
  bytes_splice (want, 1, 0, (const guint8 *) "ins", 3);
  g_assert_true (hm_document_delete (doc, 100000, 777, &error));
  bytes_splice (want, 100000, 777, NULL, 0);
  g_assert_true (hm_document_insert_fill (doc, 200000, 9000, (const guint8 *) "ab", 2, &error));
  {
    g_autofree guint8 *fill = g_malloc (9000);

    for (guint i = 0; i < 9000; i++)
      fill[i] = "ab"[i % 2];
    bytes_splice (want, 200000, 0, fill, 9000);
  }
  g_assert_no_error (error);

  if (!hm_document_save (doc, NULL, NULL, NULL, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
        {
          g_test_skip ("the structural save engine is not there yet");
          return;
        }
      g_assert_no_error (error);
    }
  g_assert_true (g_file_get_contents (path, (char **) &got, &len, NULL));
  g_assert_cmpmem (got, len, want->data, want->len);
  g_assert_false (hm_document_get_has_pending (doc));
  g_assert_false (hm_document_get_has_structural_pending (doc));
  g_assert_cmpuint (hm_document_get_size (doc), ==, want->len);
  g_clear_pointer (&got, g_free);
  got = g_malloc (want->len);
  g_assert_cmpint (hm_document_read (doc, 0, got, want->len, &error), ==, want->len);
  g_assert_cmpmem (got, want->len, want->data, want->len);
}

/* ---- 4 GiB sparse: a list of runs as the model ---- */

typedef struct
{
  gboolean file;    /* bytes of the original file from start, else zeros/pattern */
  guint64  start;
  guint64  length;
  guint8   byte;    /* not file: every byte is this */
} Run;

static void
runs_splice (GArray  *runs,
             guint64  offset,
             guint64  remove,
             const Run *add)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (Run));
  guint64 pos = 0;
  gboolean added = FALSE;

  for (guint i = 0; i < runs->len; i++)
    {
      Run r = g_array_index (runs, Run, i);
      guint64 end = pos + r.length;

      /* the part before offset */
      if (pos < offset)
        {
          Run head = r;

          head.length = MIN (end, offset) - pos;
          g_array_append_val (out, head);
        }
      if (!added && end >= offset && add != NULL && pos <= offset)
        {
          g_array_append_val (out, *add);
          added = TRUE;
        }
      /* the part after offset + remove */
      if (end > offset + remove)
        {
          Run tail = r;
          guint64 from = MAX (pos, offset + remove);

          tail.length = end - from;
          if (tail.file)
            tail.start = r.start + (from - pos);
          g_array_append_val (out, tail);
        }
      pos = end;
    }
  if (!added && add != NULL)
    g_array_append_val (out, *add);
  g_array_set_size (runs, 0);
  g_array_append_vals (runs, out->data, out->len);
}

static void
runs_read (GArray  *runs,
           int      fd,
           guint64  offset,
           guint8  *out,
           gsize    length)
{
  guint64 pos = 0;

  for (guint i = 0; i < runs->len && length > 0; i++)
    {
      const Run *r = &g_array_index (runs, Run, i);
      guint64 end = pos + r->length;

      if (end > offset)
        {
          gsize n = (gsize) MIN ((guint64) length, end - offset);

          if (r->file)
            g_assert_cmpint (pread (fd, out, n, (off_t) (r->start + offset - pos)), ==, n);
          else
            memset (out, r->byte, n);
          out += n;
          offset += n;
          length -= n;
        }
      pos = end;
    }
  g_assert_cmpuint (length, ==, 0);
}

static void
test_sparse_4g (void)
{
  guint64 size = G_GUINT64_CONSTANT (4) << 30;
  guint32 seed = g_test_rand_int ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree char *path = hm_test_make_sparse ("sparse-4g", size);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GPtrArray) states = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  guint pos = 0;
  Run whole = { TRUE, 0, size, 0 };
  GArray *first = g_array_new (FALSE, FALSE, sizeof (Run));
  int fd;
  guint8 a[4096];
  guint8 b[4096];

  g_test_message ("seed %u", seed);
  for (guint i = 0; i < 8; i++)
    {
      random_bytes (rand, a, sizeof a);
      hm_test_pwrite (path, i * (size / 8) + 12345, a, sizeof a);
    }
  fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_assert_no_error (error);
  g_array_append_val (first, whole);
  g_ptr_array_add (states, first);

  for (guint op = 0; op < 300; op++)
    {
      GArray *now = states->pdata[pos];
      guint64 cur = hm_document_get_size (doc);
      guint what = g_rand_int_range (rand, 0, 10);
      guint64 off = g_rand_int_range (rand, 0, 8) * (size / 8) + g_rand_int_range (rand, 0, 20000);
      guint64 at;

      off = MIN (off, cur);
      if (what < 2 && pos > 0)
        {
          g_assert_true (hm_document_undo (doc, &error));
          pos--;
        }
      else if (what < 3 && pos + 1 < states->len)
        {
          g_assert_true (hm_document_redo (doc, &error));
          pos++;
        }
      else
        {
          GArray *next = g_array_copy (now);
          guint8 byte = (guint8) g_rand_int (rand);

          if (what < 6)
            {
              guint64 len = g_rand_int_range (rand, 1, 1 << 20) * (guint64) g_rand_int_range (rand, 1, 300);
              Run ins = { FALSE, 0, len, byte };

              g_assert_true (hm_document_insert_fill (doc, off, len, &byte, 1, &error));
              runs_splice (next, off, 0, &ins);
            }
          else
            {
              guint64 len = MIN (cur - off, (guint64) g_rand_int_range (rand, 1, 1 << 24));

              if (len == 0)
                {
                  g_array_unref (next);
                  continue;
                }
              g_assert_true (hm_document_delete (doc, off, len, &error));
              runs_splice (next, off, len, NULL);
            }
          g_ptr_array_set_size (states, pos + 1);
          g_ptr_array_add (states, next);
          pos++;
        }
      g_assert_no_error (error);

      /* Read through another descriptor where the edit was and at random */
      now = states->pdata[pos];
      cur = hm_document_get_size (doc);
      for (guint k = 0; k < 3; k++)
        {
          gsize n;

          at = k == 0 ? MIN (off, cur) : g_rand_int_range (rand, 0, 1 << 30) * (guint64) 4 % MAX (cur, 1);
          at = at > 100 ? at - 100 : 0;
          n = (gsize) MIN ((guint64) sizeof a, cur - MIN (at, cur));
          runs_read (now, fd, at, a, n);
          g_assert_cmpint (hm_document_read (doc, at, b, n, &error), ==, n);
          g_assert_no_error (error);
          g_assert_cmpmem (a, n, b, n);
        }
    }
  close (fd);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/edit-structural/basics", test_basics);
  g_test_add_func ("/hm/edit-structural/random-preview", test_random_preview);
  g_test_add_func ("/hm/edit-structural/random-direct", test_random_direct);
  g_test_add_func ("/hm/edit-structural/typed-run", test_typed_run);
  g_test_add_func ("/hm/edit-structural/save-as", test_save_as);
  g_test_add_func ("/hm/edit-structural/save", test_save);
  g_test_add_func ("/hm/edit-structural/sparse-4g", test_sparse_4g);

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}
