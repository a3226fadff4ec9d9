/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Model-based tests of HmPieceTable against a plain byte array. */
#include "config.h"

#include "hm-piece-table.h"

#include <string.h>

/* The "file": FILE pieces read from here. */
static guint8 *file_bytes;

static void
read_range (HmPieceTable *table,
            guint64       offset,
            guint64       length,
            guint8       *out)
{
  g_autoptr(GArray) spans = hm_piece_table_get_range (table, offset, length);
  guint64 pos = offset;

  for (guint i = 0; i < spans->len; i++)
    {
      const HmPieceSpan *s = &g_array_index (spans, HmPieceSpan, i);
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (s->offset, ==, pos);
      if (s->piece.kind == HM_PIECE_FILE)
        memcpy (out + (pos - offset), file_bytes + s->piece.start, s->piece.length);
      else
        {
          g_assert_true (hm_piece_copy (&s->piece, 0, out + (pos - offset), s->piece.length, &error));
          g_assert_no_error (error);
        }
      pos += s->piece.length;
    }
  g_assert_cmpuint (pos, ==, offset + length);
}

static void
check_equal (HmPieceTable *table,
             GByteArray   *model,
             GRand        *rand)
{
  g_autofree guint8 *all = g_malloc (model->len + 1);
  guint64 a;
  guint64 b;

  _hm_piece_table_validate (table);
  g_assert_cmpuint (hm_piece_table_get_size (table), ==, model->len);
  read_range (table, 0, model->len, all);
  g_assert_cmpmem (all, model->len, model->data, model->len);

  if (model->len == 0)
    return;
  a = g_rand_int_range (rand, 0, model->len);
  b = a + g_rand_int_range (rand, 0, model->len - a + 1);
  read_range (table, a, b - a, all);
  g_assert_cmpmem (all, b - a, model->data + a, b - a);
}

typedef struct
{
  guint64 offset;
  GArray *removed;  /* HmPiece */
  GArray *added;    /* HmPiece */
} Step;

static void
step_free (gpointer data)
{
  Step *step = data;

  g_array_unref (step->removed);
  g_array_unref (step->added);
  g_free (step);
}

static guint64
pieces_length (GArray *pieces)
{
  guint64 n = 0;

  for (guint i = 0; i < pieces->len; i++)
    n += g_array_index (pieces, HmPiece, i).length;
  return n;
}

static void
model_splice (GByteArray   *model,
              guint64       offset,
              guint64       remove,
              const guint8 *bytes,
              guint64       add)
{
  g_byte_array_remove_range (model, (guint) offset, (guint) remove);
  /* g_byte_array has no insert: grow, move the tail, copy in */
  if (add == 0)
    return;
  g_byte_array_set_size (model, model->len + (guint) add);
  memmove (model->data + offset + add, model->data + offset, model->len - add - offset);
  memcpy (model->data + offset, bytes, add);
}

static void
test_random (void)
{
  guint32 seed = g_test_rand_int ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint file_size = 5000;
  g_autoptr(HmPieceTable) table = hm_piece_table_new (file_size);
  g_autoptr(GByteArray) model = g_byte_array_new ();
  g_autoptr(GPtrArray) undo = g_ptr_array_new_with_free_func (step_free);
  guint n_ops = g_test_slow () ? 20000 : 4000;

  g_test_message ("seed %u", seed);
  file_bytes = g_malloc (file_size);
  for (guint i = 0; i < file_size; i++)
    file_bytes[i] = (guint8) g_rand_int (rand);
  g_byte_array_append (model, file_bytes, file_size);
  _hm_piece_table_set_spill_threshold (table, 200);
  check_equal (table, model, rand);
  g_assert_true (hm_piece_table_is_identity (table, file_size));

  for (guint op = 0; op < n_ops; op++)
    {
      guint kind = g_rand_int_range (rand, 0, 10);
      guint64 size = model->len;

      if (kind < 3 || size == 0)
        {
          /* insert bytes (some spill) */
          guint64 offset = g_rand_int_range (rand, 0, size + 1);
          guint len = g_rand_boolean (rand) ? g_rand_int_range (rand, 1, 8) : g_rand_int_range (rand, 1, 400);
          g_autofree guint8 *bytes = g_malloc (len);
          HmPiece piece;
          Step *step = g_new0 (Step, 1);
          g_autoptr(GError) error = NULL;

          for (guint i = 0; i < len; i++)
            bytes[i] = (guint8) g_rand_int (rand);
          g_assert_true (hm_piece_table_make_bytes (table, bytes, len, &piece, &error));
          g_assert_no_error (error);
          step->offset = offset;
          step->removed = hm_piece_array_new ();
          step->added = hm_piece_array_new ();
          hm_piece_table_replace (table, offset, 0, &piece, 1, step->removed);
          g_array_append_val (step->added, piece);
          g_ptr_array_add (undo, step);
          model_splice (model, offset, 0, bytes, len);
        }
      else if (kind < 5)
        {
          /* replace a range with a pattern */
          guint64 offset = g_rand_int_range (rand, 0, size + 1);
          guint64 remove = g_rand_int_range (rand, 0, MIN (size - offset, 300) + 1);
          guint8 pattern[5];
          guint plen = g_rand_int_range (rand, 1, 6);
          guint len = g_rand_int_range (rand, 1, 3000);
          g_autofree guint8 *bytes = g_malloc (len);
          HmPiece piece;
          Step *step = g_new0 (Step, 1);

          for (guint i = 0; i < plen; i++)
            pattern[i] = g_rand_boolean (rand) ? 0 : (guint8) g_rand_int (rand);
          for (guint i = 0; i < len; i++)
            bytes[i] = pattern[i % plen];
          piece = hm_piece_table_make_pattern (pattern, plen, len);
          step->offset = offset;
          step->removed = hm_piece_array_new ();
          step->added = hm_piece_array_new ();
          hm_piece_table_replace (table, offset, remove, &piece, 1, step->removed);
          g_assert_cmpuint (pieces_length (step->removed), ==, remove);
          g_array_append_val (step->added, piece);
          g_ptr_array_add (undo, step);
          model_splice (model, offset, remove, bytes, len);
        }
      else if (kind < 8)
        {
          /* delete */
          guint64 offset = g_rand_int_range (rand, 0, size);
          guint64 remove = g_rand_int_range (rand, 1, MIN (size - offset, 500) + 1);
          Step *step = g_new0 (Step, 1);

          step->offset = offset;
          step->removed = hm_piece_array_new ();
          step->added = hm_piece_array_new ();
          hm_piece_table_replace (table, offset, remove, NULL, 0, step->removed);
          g_assert_cmpuint (pieces_length (step->removed), ==, remove);
          g_ptr_array_add (undo, step);
          model_splice (model, offset, remove, NULL, 0);
        }
      else if (undo->len > 0)
        {
          /* undo the latest step: put the removed pieces back */
          Step *step = undo->pdata[undo->len - 1];
          guint64 added = pieces_length (step->added);
          guint64 removed = pieces_length (step->removed);
          g_autofree guint8 *bytes = g_malloc (removed + 1);
          guint64 pos = 0;

          for (guint i = 0; i < step->removed->len; i++)
            {
              const HmPiece *p = &g_array_index (step->removed, HmPiece, i);

              if (p->kind == HM_PIECE_FILE)
                memcpy (bytes + pos, file_bytes + p->start, p->length);
              else
                g_assert_true (hm_piece_copy (p, 0, bytes + pos, p->length, NULL));
              pos += p->length;
            }
          hm_piece_table_replace (table, step->offset, added,
                                  (const HmPiece *) (gpointer) step->removed->data,
                                  step->removed->len, NULL);
          model_splice (model, step->offset, added, bytes, removed);
          g_ptr_array_remove_index (undo, undo->len - 1);
        }
      check_equal (table, model, rand);
    }

  /* Undo everything: back to the file, as one piece */
  while (undo->len > 0)
    {
      Step *step = undo->pdata[undo->len - 1];

      hm_piece_table_replace (table, step->offset, pieces_length (step->added),
                              (const HmPiece *) (gpointer) step->removed->data,
                              step->removed->len, NULL);
      g_ptr_array_remove_index (undo, undo->len - 1);
      _hm_piece_table_validate (table);
    }
  g_assert_true (hm_piece_table_is_identity (table, file_size));
  g_assert_cmpuint (hm_piece_table_get_n_pieces (table), ==, 1);
  g_clear_pointer (&file_bytes, g_free);
}

/* Typing at one place appends to one buffer: the table keeps one extra piece. */
static void
test_typing_one_piece (void)
{
  g_autoptr(HmPieceTable) table = hm_piece_table_new (1000);

  for (guint i = 0; i < 500; i++)
    {
      guint8 c = (guint8) i;
      HmPiece piece;

      g_assert_true (hm_piece_table_make_bytes (table, &c, 1, &piece, NULL));
      hm_piece_table_replace (table, 100 + i, 0, &piece, 1, NULL);
      hm_piece_clear (&piece);
    }
  _hm_piece_table_validate (table);
  g_assert_cmpuint (hm_piece_table_get_n_pieces (table), ==, 3);
  g_assert_cmpuint (hm_piece_table_get_size (table), ==, 1500);
}

/* A huge fill costs the pattern, and lookups stay logarithmic in pieces. */
static void
test_huge_pattern (void)
{
  guint64 big = G_GUINT64_CONSTANT (1) << 40;
  g_autoptr(HmPieceTable) table = hm_piece_table_new (big);
  guint8 pattern[3] = { 1, 2, 3 };
  HmPiece piece = hm_piece_table_make_pattern (pattern, 3, big);
  g_autoptr(GArray) spans = NULL;
  guint8 out[7];

  hm_piece_table_replace (table, big / 2, 0, &piece, 1, NULL);
  hm_piece_clear (&piece);
  g_assert_cmpuint (hm_piece_table_get_size (table), ==, 2 * big);
  g_assert_cmpuint (hm_piece_table_get_n_pieces (table), ==, 3);
  g_assert_cmpuint (hm_piece_table_get_bytes_used (table), <, 4096);

  spans = hm_piece_table_get_range (table, big / 2 + 4, 7);
  g_assert_cmpuint (spans->len, ==, 1);
  g_assert_true (hm_piece_copy (&g_array_index (spans, HmPieceSpan, 0).piece, 0, out, 7, NULL));
  g_assert_cmpmem (out, 7, ((guint8[]) { 2, 3, 1, 2, 3, 1, 2 }), 7);
  _hm_piece_table_validate (table);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/piece-table/random", test_random);
  g_test_add_func ("/hm/piece-table/typing-one-piece", test_typing_one_piece);
  g_test_add_func ("/hm/piece-table/huge-pattern", test_huge_pattern);

  return g_test_run ();
}
