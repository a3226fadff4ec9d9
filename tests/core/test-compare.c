/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmCompare. Byte for byte: against a naive byte-by-byte comparison on random,
 * sparse and different-size files, with tiny chunks (a test hook) so runs cross
 * chunk and thread boundaries. Insertion-aware: random edit scripts whose hunks
 * must rebuild B from A exactly, one hunk per well-separated edit with its exact
 * lengths; the memory bound; a region too different to align. Faults: a file
 * truncated before or during a compare, an I/O error (FUSE, root only).
 *
 * Seeds: printed; HM_TEST_SEED=N replays a run.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hm-compare.h"
#include "hm-fault.h"
#include "hm-faultfs-harness.h"
#include "hm-test-util.h"

#define WINDOW (64 * 1024)

static guint32 base_seed;

/* --- helpers -------------------------------------------------------------- */

static char *
write_file (const char   *name,
            const guint8 *bytes,
            gsize         size)
{
  g_autoptr(GError) error = NULL;
  char *path = hm_test_path (name);

  g_file_set_contents (path, (const char *) bytes, (gssize) size, &error);
  g_assert_no_error (error);
  return path;
}

static HmDocument *
open_doc (const char *path)
{
  g_autoptr(GError) error = NULL;
  HmDocument *doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, WINDOW, &error);

  g_assert_no_error (error);
  return doc;
}

static gboolean
collect_run_cb (guint64  offset,
                guint64  length,
                gpointer user_data)
{
  HmRange run = { offset, length };

  g_array_append_val ((GArray *) user_data, run);
  return TRUE;
}

static gboolean
collect_hunk_cb (const HmHunk *hunk,
                 gpointer      user_data)
{
  g_array_append_val ((GArray *) user_data, *hunk);
  return TRUE;
}

typedef struct
{
  HmCompareMode mode;
  gsize         chunk_size;   /* 0: default */
  guint         n_threads;    /* 0: default */
  guint64       offset;
  guint64       length;
  gsize         max_memory;   /* 0: default */
} Options;

#define OPTIONS_BYTES { HM_COMPARE_BYTES, 0, 0, 0, G_MAXUINT64, 0 }
#define OPTIONS_INSERTIONS { HM_COMPARE_INSERTIONS, 0, 0, 0, G_MAXUINT64, 0 }

/* Runs a compare of two files; returns the runs (HmRange) or hunks (HmHunk). */
static GArray *
compare_files (const char    *path_a,
               const char    *path_b,
               const Options *options,
               gsize         *peak_memory,
               GError       **error)
{
  g_autoptr(HmDocument) a = open_doc (path_a);
  g_autoptr(HmDocument) b = open_doc (path_b);
  g_autoptr(HmCompare) compare = hm_compare_new (a, b);
  gboolean bytes = options->mode == HM_COMPARE_BYTES;
  GArray *out = g_array_new (FALSE, FALSE, bytes ? sizeof (HmRange) : sizeof (HmHunk));

  hm_compare_set_mode (compare, options->mode);
  if (options->chunk_size != 0)
    hm_compare_set_chunk_size (compare, options->chunk_size);
  if (options->n_threads != 0)
    hm_compare_set_n_threads (compare, options->n_threads);
  if (options->max_memory != 0)
    hm_compare_set_max_memory (compare, options->max_memory);
  hm_compare_set_range (compare, options->offset, options->length);
  if (bytes)
    hm_compare_set_run_func (compare, collect_run_cb, out, NULL);
  else
    hm_compare_set_hunk_func (compare, collect_hunk_cb, out, NULL);

  if (!hm_compare_run (compare, NULL, error))
    {
      g_array_unref (out);
      return NULL;
    }
  g_assert_cmpuint (hm_compare_get_n_differences (compare), ==, out->len);
  if (peak_memory != NULL)
    *peak_memory = hm_compare_get_peak_memory (compare);
  return out;
}

/* The reference: every differing byte, in runs; the longer tail on its own. */
static GArray *
naive_runs (const guint8 *a,
            gsize         a_size,
            const guint8 *b,
            gsize         b_size,
            guint64       offset,
            guint64       length)
{
  GArray *runs = g_array_new (FALSE, FALSE, sizeof (HmRange));
  guint64 a_end = offset < a_size ? offset + MIN (length, a_size - offset) : offset;
  guint64 b_end = offset < b_size ? offset + MIN (length, b_size - offset) : offset;
  guint64 common = MIN (a_end, b_end);
  HmRange run = { 0, 0 };

  for (guint64 i = offset; i < common; i++)
    {
      if (a[i] == b[i])
        continue;
      if (run.length > 0 && run.offset + run.length == i)
        run.length++;
      else
        {
          if (run.length > 0)
            g_array_append_val (runs, run);
          run.offset = i;
          run.length = 1;
        }
    }
  if (run.length > 0)
    g_array_append_val (runs, run);
  if (MAX (a_end, b_end) > common)
    {
      run.offset = common;
      run.length = MAX (a_end, b_end) - common;
      g_array_append_val (runs, run);
    }
  return runs;
}

static void
assert_runs_equal (GArray *got,
                   GArray *want)
{
  for (guint i = 0; i < MIN (got->len, want->len); i++)
    {
      const HmRange *g = &g_array_index (got, HmRange, i);
      const HmRange *w = &g_array_index (want, HmRange, i);

      if (g->offset != w->offset || g->length != w->length)
        g_error ("run %u: got 0x%" G_GINT64_MODIFIER "x+0x%" G_GINT64_MODIFIER "x, want 0x%"
                 G_GINT64_MODIFIER "x+0x%" G_GINT64_MODIFIER "x", i, g->offset, g->length,
                 w->offset, w->length);
    }
  g_assert_cmpuint (got->len, ==, want->len);
}

static void
check_bytes (const char    *path_a,
             const guint8  *a,
             gsize          a_size,
             const char    *path_b,
             const guint8  *b,
             gsize          b_size,
             const Options *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) want = naive_runs (a, a_size, b, b_size, options->offset, options->length);
  g_autoptr(GArray) got = compare_files (path_a, path_b, options, NULL, &error);

  g_assert_no_error (error);
  assert_runs_equal (got, want);
}

static guint32
test_seed (void)
{
  return base_seed;
}

/* --- byte for byte ------------------------------------------------------- */

static void
test_identical (void)
{
  guint8 *bytes = NULL;
  g_autofree char *path_a = hm_test_write_random ("same-a", 300000, 1, &bytes);
  g_autofree char *path_b = write_file ("same-b", bytes, 300000);
  g_autofree char *empty_a = write_file ("empty-a", (const guint8 *) "", 0);
  g_autofree char *empty_b = write_file ("empty-b", (const guint8 *) "", 0);
  const Options bytes_mode = OPTIONS_BYTES;
  const Options insertions = OPTIONS_INSERTIONS;
  g_autoptr(GError) error = NULL;
  GArray *got;

  got = compare_files (path_a, path_b, &bytes_mode, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 0);
  g_array_unref (got);

  got = compare_files (path_a, path_b, &insertions, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 0);
  g_array_unref (got);

  /* A file with itself, two empty files. */
  got = compare_files (path_a, path_a, &bytes_mode, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 0);
  g_array_unref (got);
  got = compare_files (empty_a, empty_b, &bytes_mode, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 0);
  g_array_unref (got);
  got = compare_files (empty_a, empty_b, &insertions, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 0);
  g_array_unref (got);

  /* Empty against not: the whole file is the tail. */
  check_bytes (empty_a, (const guint8 *) "", 0, path_b, bytes, 300000, &bytes_mode);
  check_bytes (path_a, bytes, 300000, empty_b, (const guint8 *) "", 0, &bytes_mode);
  got = compare_files (empty_a, path_b, &insertions, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_cmpuint (g_array_index (got, HmHunk, 0).a_length, ==, 0);
  g_assert_cmpuint (g_array_index (got, HmHunk, 0).b_length, ==, 300000);
  g_array_unref (got);

  g_free (bytes);
}

/* Flips bytes of @b: runs at random places, some straddling multiples of
 * @boundary (chunk ends), some with equal bytes inside. */
static void
mutate (GRand  *rand,
        guint8 *b,
        gsize   size,
        gsize   boundary,
        guint   n)
{
  for (guint i = 0; i < n && size > 0; i++)
    {
      gsize length = (gsize) g_rand_int_range (rand, 1, (gint32) MIN (size, 3000) + 1);
      gsize at;

      if (i % 3 == 0 && size > boundary)
        {
          gsize k = (gsize) g_rand_int_range (rand, 1, (gint32) (size / boundary) + 1);
          gsize before = (gsize) g_rand_int_range (rand, 0, (gint32) length + 1);

          at = k * boundary - MIN (k * boundary, before);
        }
      else
        at = (gsize) g_rand_int_range (rand, 0, (gint32) size);
      length = MIN (length, size - at);
      for (gsize j = 0; j < length; j++)
        {
          if (i % 4 == 1 && g_rand_int_range (rand, 0, 8) == 0)
            continue;   /* leave some bytes equal */
          b[at + j] ^= (guint8) g_rand_int_range (rand, 1, 256);
        }
    }
}

static void
test_random (void)
{
  static const gsize sizes[] = { 1, 100, 4097, 20000, 300000, 1500000 };
  static const gsize chunks[] = { 1, 7, 4096, 65536, 0 };
  guint32 seed = test_seed ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  g_test_message ("seed %u (HM_TEST_SEED=%u replays it)", seed, seed);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint grow = 0; grow < 3; grow++)
      {
        gsize a_size = sizes[s];
        gsize b_size = grow == 0 ? a_size : grow == 1 ? a_size + 1234 : a_size / 3;
        g_autofree guint8 *a = g_malloc (a_size);
        g_autofree guint8 *b = g_malloc0 (MAX (b_size, 1));
        g_autofree char *path_a = NULL;
        g_autofree char *path_b = NULL;

        for (gsize i = 0; i < a_size; i++)
          a[i] = (guint8) g_rand_int (rand);
        memcpy (b, a, MIN (a_size, b_size));
        for (gsize i = a_size; i < b_size; i++)
          b[i] = (guint8) g_rand_int (rand);
        path_a = write_file ("random-a", a, a_size);

        for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
          {
            gsize chunk = chunks[c];
            Options options = OPTIONS_BYTES;

            if (chunk != 0 && a_size / chunk > 30000)
              continue;
            memcpy (b, a, MIN (a_size, b_size));
            mutate (rand, b, MIN (a_size, b_size), chunk != 0 ? chunk : 1024 * 1024, 12);
            g_clear_pointer (&path_b, g_free);
            path_b = write_file ("random-b", b, b_size);

            options.chunk_size = chunk;
            for (guint threads = 1; threads <= 3; threads++)
              {
                options.n_threads = threads;
                check_bytes (path_a, a, a_size, path_b, b, b_size, &options);
              }

            /* A range, in both files. */
            options.n_threads = 2;
            options.offset = a_size / 5;
            options.length = a_size / 2 + 1;
            check_bytes (path_a, a, a_size, path_b, b, b_size, &options);
            options.length = G_MAXUINT64;
            check_bytes (path_a, a, a_size, path_b, b, b_size, &options);
            options.offset = a_size + 10;
            check_bytes (path_a, a, a_size, path_b, b, b_size, &options);
          }
      }
}

/* Two files of 4 KiB pages, each a hole (zeros), zeros written as data, or
 * random data; every pairing of kinds appears, also in long stretches. */
static void
test_sparse (void)
{
  const gsize page = 4096;
  const guint n_pages = 300;
  gsize size = n_pages * page;
  guint32 seed = test_seed () + 1;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint8 *a = g_malloc0 (size);
  g_autofree guint8 *b = g_malloc0 (size);
  g_autofree char *path_a = hm_test_make_sparse ("sparse-a", size);
  g_autofree char *path_b = hm_test_make_sparse ("sparse-b", size - 100);
  static const gsize chunks[] = { 1000, 4096, 0 };
  guint kind_a = 0, kind_b = 0;

  g_test_message ("seed %u (HM_TEST_SEED=%u replays it)", seed - 1, seed - 1);

  for (guint p = 0; p < n_pages; p++)
    {
      /* Change the pairing now and then, so runs of pages share a kind. */
      if (g_rand_int_range (rand, 0, 4) == 0)
        kind_a = (guint) g_rand_int_range (rand, 0, 3);
      if (g_rand_int_range (rand, 0, 4) == 0)
        kind_b = (guint) g_rand_int_range (rand, 0, 3);

      for (guint side = 0; side < 2; side++)
        {
          guint kind = side == 0 ? kind_a : kind_b;
          guint8 *bytes = (side == 0 ? a : b) + p * page;
          const char *path = side == 0 ? path_a : path_b;
          gsize n = side == 1 && p == n_pages - 1 ? page - 100 : page;

          if (kind == 0)
            continue;
          if (kind == 2)
            for (gsize i = 0; i < n; i++)
              bytes[i] = (guint8) (g_rand_int_range (rand, 0, 4) == 0 ? 0 : g_rand_int (rand));
          hm_test_pwrite (path, p * page, bytes, n);
        }
      /* Same data on both sides sometimes, with a few differences. */
      if (kind_a == 2 && kind_b == 2 && g_rand_int_range (rand, 0, 2) == 0)
        {
          memcpy (b + p * page, a + p * page, page);
          b[p * page + (gsize) g_rand_int_range (rand, 0, (gint32) page)] ^= 0x40;
          hm_test_pwrite (path_b, p * page, b + p * page, p == n_pages - 1 ? page - 100 : page);
        }
    }

  for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
    {
      Options options = OPTIONS_BYTES;

      options.chunk_size = chunks[c];
      check_bytes (path_a, a, size, path_b, b, size - 100, &options);
      check_bytes (path_b, b, size - 100, path_a, a, size, &options);
    }
}

/* 1 TiB sparse files with the same three data regions and a few differences:
 * finishing at all shows that the holes were not read. */
static void
test_huge_sparse (void)
{
  guint64 tib = G_GUINT64_CONSTANT (1) << 40;
  g_autofree char *path_a = hm_test_make_sparse ("huge-a", tib);
  g_autofree char *path_b = hm_test_make_sparse ("huge-b", tib + 3);
  guint64 at[3] = { 1 << 20, tib / 2 + 12345, tib - 4096 };
  guint8 data[4096];
  const Options bytes_mode = OPTIONS_BYTES;
  const Options insertions = OPTIONS_INSERTIONS;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) runs = NULL;
  g_autoptr(GArray) hunks = NULL;
  const HmRange *r;

  for (gsize i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 7 + 1);
  for (guint i = 0; i < 3; i++)
    {
      hm_test_pwrite (path_a, at[i], data, sizeof data);
      hm_test_pwrite (path_b, at[i], data, sizeof data);
    }
  hm_test_pwrite (path_b, at[1] + 100, "XY", 2);
  /* Data against a hole: compared against zeros. */
  hm_test_pwrite (path_b, tib / 4, "\0\0\0\0z", 5);

  runs = compare_files (path_a, path_b, &bytes_mode, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 3);
  r = &g_array_index (runs, HmRange, 0);
  g_assert_cmpuint (r->offset, ==, tib / 4 + 4);
  g_assert_cmpuint (r->length, ==, 1);
  r = &g_array_index (runs, HmRange, 1);
  g_assert_cmpuint (r->offset, ==, at[1] + 100);
  g_assert_cmpuint (r->length, ==, 2);
  r = &g_array_index (runs, HmRange, 2);
  g_assert_cmpuint (r->offset, ==, tib);
  g_assert_cmpuint (r->length, ==, 3);

  /* Insertion-aware: skips holes against holes too. */
  hunks = compare_files (path_a, path_b, &insertions, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hunks->len, ==, 3);
  g_assert_cmpuint (g_array_index (hunks, HmHunk, 0).a_offset, ==, tib / 4 + 4);
  g_assert_cmpuint (g_array_index (hunks, HmHunk, 1).a_offset, ==, at[1] + 100);
  g_assert_cmpuint (g_array_index (hunks, HmHunk, 1).a_length, ==, 2);
  g_assert_cmpuint (g_array_index (hunks, HmHunk, 1).b_length, ==, 2);
  g_assert_cmpuint (g_array_index (hunks, HmHunk, 2).a_offset, ==, tib);
  g_assert_cmpuint (g_array_index (hunks, HmHunk, 2).a_length, ==, 0);
  g_assert_cmpuint (g_array_index (hunks, HmHunk, 2).b_length, ==, 3);
}

static gboolean
stop_after_two_cb (guint64  offset,
                   guint64  length,
                   gpointer user_data)
{
  guint *n = user_data;

  return ++*n < 2;
}

/* The run function can stop the compare; that is no error. */
static void
test_stop (void)
{
  guint8 *bytes = NULL;
  g_autofree char *path_a = hm_test_write_random ("stop-a", 200000, 3, &bytes);
  g_autofree char *path_b = NULL;
  g_autoptr(HmDocument) a = NULL;
  g_autoptr(HmDocument) b = NULL;
  g_autoptr(HmCompare) compare = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  for (gsize i = 0; i < 200000; i += 1000)
    bytes[i] ^= 1;
  path_b = write_file ("stop-b", bytes, 200000);
  a = open_doc (path_a);
  b = open_doc (path_b);
  compare = hm_compare_new (a, b);
  hm_compare_set_chunk_size (compare, 4096);
  hm_compare_set_run_func (compare, stop_after_two_cb, &n, NULL);
  g_assert_true (hm_compare_run (compare, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (hm_compare_get_n_differences (compare), ==, 2);
  g_free (bytes);
}

/* --- insertion-aware ------------------------------------------------------ */

typedef enum
{
  EDIT_INSERT,
  EDIT_DELETE,
  EDIT_CHANGE,
} EditKind;

typedef struct
{
  EditKind kind;
  gsize    at;       /* offset in A */
  gsize    length;
} Edit;

static gsize
edit_length (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0: return (gsize) g_rand_int_range (rand, 1, 33);
    case 1: return (gsize) g_rand_int_range (rand, 33, 3000);
    case 2: return (gsize) g_rand_int_range (rand, 3000, 40000);
    default: return (gsize) g_rand_int_range (rand, 40000, 300000);
    }
}

/* B from A by an edit script: sorted edits at least @gap bytes apart (0: any
 * places, overlapping ones skipped). */
static guint8 *
apply_edits (GRand        *rand,
             const guint8 *a,
             gsize         a_size,
             guint         n_edits,
             gsize         gap,
             GArray       *edits,
             gsize        *b_size)
{
  GByteArray *b = g_byte_array_new ();
  gsize pos = 0;

  for (guint i = 0; i < n_edits; i++)
    {
      Edit e;
      gsize room;

      e.kind = (EditKind) g_rand_int_range (rand, 0, 3);
      e.length = edit_length (rand);
      /* Spread the edits over the file, each after the previous one. */
      room = a_size / n_edits;
      e.at = i * room + (gsize) g_rand_int_range (rand, 0, (gint32) MAX (room / 2, 1));
      e.at = MAX (e.at, pos + gap);
      if (e.kind != EDIT_INSERT)
        e.length = MIN (e.length, room / 2);
      if (e.length == 0 || e.at + (e.kind == EDIT_INSERT ? 0 : e.length) + gap > a_size)
        continue;

      g_byte_array_append (b, a + pos, (guint) (e.at - pos));
      switch (e.kind)
        {
        case EDIT_INSERT:
          for (gsize j = 0; j < e.length; j++)
            {
              guint8 c = (guint8) g_rand_int (rand);

              g_byte_array_append (b, &c, 1);
            }
          pos = e.at;
          break;
        case EDIT_DELETE:
          pos = e.at + e.length;
          break;
        case EDIT_CHANGE:
          for (gsize j = 0; j < e.length; j++)
            {
              guint8 c = a[e.at + j] ^ (guint8) g_rand_int_range (rand, 1, 256);

              g_byte_array_append (b, &c, 1);
            }
          pos = e.at + e.length;
          break;
        default:
          g_assert_not_reached ();
        }
      g_array_append_val (edits, e);
    }
  g_byte_array_append (b, a + pos, (guint) (a_size - pos));

  *b_size = b->len;
  return g_byte_array_free (b, FALSE);
}

/* Replaces each hunk's A bytes with its B bytes in A's [start, a_end); the
 * result must be B's [start, b_end). Hunks are in order and do not touch. */
static void
assert_hunks_rebuild (GArray       *hunks,
                      const guint8 *a,
                      gsize         a_end,
                      const guint8 *b,
                      gsize         b_end,
                      guint64       start)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint64 pa = MIN (start, a_end);

  for (guint i = 0; i < hunks->len; i++)
    {
      const HmHunk *h = &g_array_index (hunks, HmHunk, i);

      if (i > 0)
        g_assert_cmpuint (h->a_offset, >, pa);
      g_assert_cmpuint (h->a_offset, >=, pa);
      g_assert_cmpuint (h->a_length + h->b_length, >, 0);
      g_assert_cmpuint (h->a_offset + h->a_length, <=, a_end);
      g_byte_array_append (out, a + pa, (guint) (h->a_offset - pa));
      g_assert_cmpuint (h->b_offset, ==, start + out->len);
      g_assert_cmpuint (h->b_offset + h->b_length, <=, b_end);
      g_byte_array_append (out, b + h->b_offset, (guint) h->b_length);
      pa = h->a_offset + h->a_length;
    }
  g_byte_array_append (out, a + pa, (guint) (a_end - pa));
  g_assert_cmpmem (out->data, out->len, b + MIN (start, b_end), b_end - MIN (start, b_end));
}

static void
test_insertions_random (void)
{
  guint32 seed = test_seed () + 2;

  g_test_message ("seed %u (HM_TEST_SEED=%u replays it)", seed - 2, seed - 2);

  for (guint round = 0; round < 6; round++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed + round);
      gsize a_size = (gsize) g_rand_int_range (rand, 2, 5) * 1024 * 1024 + (gsize) g_rand_int_range (rand, 0, 5000);
      g_autofree guint8 *a = g_malloc (a_size);
      g_autofree guint8 *b = NULL;
      g_autofree char *path_a = NULL;
      g_autofree char *path_b = NULL;
      g_autoptr(GArray) edits = g_array_new (FALSE, FALSE, sizeof (Edit));
      g_autoptr(GArray) hunks = NULL;
      g_autoptr(GError) error = NULL;
      Options options = OPTIONS_INSERTIONS;
      guint n_edits = (guint) g_rand_int_range (rand, 1, 25);
      gsize b_size, peak = 0;

      for (gsize i = 0; i < a_size; i++)
        a[i] = (guint8) g_rand_int (rand);
      b = apply_edits (rand, a, a_size, n_edits, 4096, edits, &b_size);
      path_a = write_file ("ins-a", a, a_size);
      path_b = write_file ("ins-b", b, b_size);

      /* Small reads put buffer boundaries everywhere; round 0 reads 1 MiB. */
      options.chunk_size = round == 0 ? 0 : (gsize) g_rand_int_range (rand, 100, 70000);
      hunks = compare_files (path_a, path_b, &options, &peak, &error);
      g_assert_no_error (error);
      assert_hunks_rebuild (hunks, a, a_size, b, b_size, 0);
      g_assert_cmpuint (peak, <=, HM_COMPARE_DEFAULT_MAX_MEMORY);

      /* Well separated: one hunk per edit, exact lengths. Chance agreement
       * between new and old bytes may move a hunk, never resize it. */
      if (hunks->len != edits->len)
        {
          for (guint i = 0; i < edits->len; i++)
            g_test_message ("edit %d at 0x%zx length 0x%zx", g_array_index (edits, Edit, i).kind,
                            g_array_index (edits, Edit, i).at, g_array_index (edits, Edit, i).length);
          for (guint i = 0; i < hunks->len; i++)
            g_test_message ("hunk 0x%" G_GINT64_MODIFIER "x+0x%" G_GINT64_MODIFIER "x 0x%"
                            G_GINT64_MODIFIER "x+0x%" G_GINT64_MODIFIER "x %d",
                            g_array_index (hunks, HmHunk, i).a_offset, g_array_index (hunks, HmHunk, i).a_length,
                            g_array_index (hunks, HmHunk, i).b_offset, g_array_index (hunks, HmHunk, i).b_length,
                            g_array_index (hunks, HmHunk, i).flags);
        }
      g_assert_cmpuint (hunks->len, ==, edits->len);
      for (guint i = 0; i < edits->len; i++)
        {
          const Edit *e = &g_array_index (edits, Edit, i);
          const HmHunk *h = &g_array_index (hunks, HmHunk, i);

          g_assert_cmpint (h->flags, ==, HM_HUNK_NONE);
          g_assert_cmpuint (h->a_length, ==, e->kind == EDIT_INSERT ? 0 : e->length);
          g_assert_cmpuint (h->b_length, ==, e->kind == EDIT_DELETE ? 0 : e->length);
          g_assert_cmpuint (h->a_offset, >=, e->at > 64 ? e->at - 64 : 0);
          g_assert_cmpuint (h->a_offset, <=, e->at + 64);
        }
    }
}

/* Edits anywhere, close together or overlapping in effect: only the rebuild
 * is guaranteed. Also with ranges. */
static void
test_insertions_dense (void)
{
  guint32 seed = test_seed () + 10;

  g_test_message ("seed %u (HM_TEST_SEED=%u replays it)", seed - 10, seed - 10);

  for (guint round = 0; round < 6; round++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed + round);
      gsize a_size = (gsize) g_rand_int_range (rand, 1, 1200000);
      g_autofree guint8 *a = g_malloc (a_size);
      g_autofree guint8 *b = NULL;
      g_autofree char *path_a = NULL;
      g_autofree char *path_b = NULL;
      g_autoptr(GArray) edits = g_array_new (FALSE, FALSE, sizeof (Edit));
      g_autoptr(GArray) hunks = NULL;
      g_autoptr(GError) error = NULL;
      Options options = OPTIONS_INSERTIONS;
      gsize b_size;

      /* Low-entropy bytes in some rounds: repeats make anchors ambiguous. */
      for (gsize i = 0; i < a_size; i++)
        a[i] = round % 2 ? (guint8) g_rand_int_range (rand, 0, 3) : (guint8) g_rand_int (rand);
      b = apply_edits (rand, a, a_size, (guint) g_rand_int_range (rand, 1, 200), 0, edits, &b_size);
      path_a = write_file ("dense-a", a, a_size);
      path_b = write_file ("dense-b", b, b_size);

      options.chunk_size = (gsize) g_rand_int_range (rand, 100, 70000);
      hunks = compare_files (path_a, path_b, &options, NULL, &error);
      g_assert_no_error (error);
      assert_hunks_rebuild (hunks, a, a_size, b, b_size, 0);
      g_clear_pointer (&hunks, g_array_unref);

      /* A range: hunks rebuild B's range from A's. */
      options.offset = (guint64) g_rand_int_range (rand, 0, (gint32) MIN (a_size, b_size) + 1);
      options.length = (guint64) g_rand_int_range (rand, 0, 600000);
      hunks = compare_files (path_a, path_b, &options, NULL, &error);
      g_assert_no_error (error);
      assert_hunks_rebuild (hunks, a, MIN (a_size, options.offset + options.length),
                            b, MIN (b_size, options.offset + options.length), options.offset);
    }
}

/* A 2 MiB region changed in a 4 MiB file: with room, one ordinary hunk; in
 * 256 KiB of working memory, one hunk flagged unaligned. Then a 1 MiB
 * insertion: out of reach of 256 KiB, it makes the rest one unaligned hunk. */
static void
test_insertions_memory_bound (void)
{
  gsize size = 4 * 1024 * 1024, mib = 1024 * 1024;
  guint8 *a = NULL;
  g_autofree char *path_a = hm_test_write_random ("bound-a", size, 11, &a);
  g_autofree guint8 *b = g_memdup2 (a, size);
  g_autofree char *path_b = NULL;
  g_autofree char *path_c = NULL;
  g_autofree guint8 *c = g_malloc (size + mib);
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);
  g_autoptr(GError) error = NULL;
  Options options = OPTIONS_INSERTIONS;
  GArray *hunks;
  const HmHunk *h;
  gsize peak = 0;

  for (gsize i = mib; i < 3 * mib; i++)
    b[i] ^= (guint8) g_rand_int_range (rand, 1, 256);
  path_b = write_file ("bound-b", b, size);

  hunks = compare_files (path_a, path_b, &options, &peak, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hunks->len, ==, 1);
  h = &g_array_index (hunks, HmHunk, 0);
  g_assert_cmpuint (h->a_offset, ==, mib);
  g_assert_cmpuint (h->a_length, ==, 2 * mib);
  g_assert_cmpuint (h->b_offset, ==, mib);
  g_assert_cmpuint (h->b_length, ==, 2 * mib);
  g_assert_cmpint (h->flags, ==, HM_HUNK_NONE);
  g_assert_cmpuint (peak, <=, HM_COMPARE_DEFAULT_MAX_MEMORY);
  g_array_unref (hunks);

  options.max_memory = 256 * 1024;
  hunks = compare_files (path_a, path_b, &options, &peak, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hunks->len, ==, 1);
  h = &g_array_index (hunks, HmHunk, 0);
  g_assert_cmpuint (h->a_offset, ==, mib);
  g_assert_cmpuint (h->a_length, ==, 2 * mib);
  g_assert_cmpuint (h->b_offset, ==, mib);
  g_assert_cmpuint (h->b_length, ==, 2 * mib);
  g_assert_cmpint (h->flags, ==, HM_HUNK_UNALIGNED);
  g_assert_cmpuint (peak, >, 0);
  g_assert_cmpuint (peak, <=, 256 * 1024);
  g_array_unref (hunks);

  memcpy (c, a, mib);
  for (gsize i = mib; i < 2 * mib; i++)
    c[i] = (guint8) g_rand_int (rand);
  memcpy (c + 2 * mib, a + mib, size - mib);
  path_c = write_file ("bound-c", c, size + mib);
  hunks = compare_files (path_a, path_c, &options, &peak, &error);
  g_assert_no_error (error);
  assert_hunks_rebuild (hunks, a, size, c, size + mib, 0);
  g_assert_cmpuint (hunks->len, ==, 1);
  g_assert_cmpint (g_array_index (hunks, HmHunk, 0).flags, ==, HM_HUNK_UNALIGNED);
  g_assert_cmpuint (peak, <=, 256 * 1024);
  g_array_unref (hunks);

  /* With room, the same insertion is found exactly. */
  options.max_memory = 0;
  hunks = compare_files (path_a, path_c, &options, &peak, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hunks->len, ==, 1);
  h = &g_array_index (hunks, HmHunk, 0);
  g_assert_cmpuint (h->a_length, ==, 0);
  g_assert_cmpuint (h->b_length, ==, mib);
  g_assert_cmpint (h->flags, ==, HM_HUNK_NONE);
  g_array_unref (hunks);

  g_free (a);
}

/* Small cases at the ends of the files. */
static void
test_insertions_edges (void)
{
  static const struct { const char *a, *b; } cases[] = {
    { "", "x" }, { "x", "" }, { "abc", "abcd" }, { "abcd", "abc" }, { "abc", "xabc" },
    { "xabc", "abc" }, { "abcX", "abcYZ" }, { "abc", "xyz" }, { "a", "b" },
    { "0123456789abcdef0123456789abcdef0123456789", "0123456789abcdef-0123456789abcdef0123456789" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path_a = write_file ("edge-a", (const guint8 *) cases[i].a, strlen (cases[i].a));
      g_autofree char *path_b = write_file ("edge-b", (const guint8 *) cases[i].b, strlen (cases[i].b));
      const Options options = OPTIONS_INSERTIONS;
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) hunks = compare_files (path_a, path_b, &options, NULL, &error);

      g_assert_no_error (error);
      assert_hunks_rebuild (hunks, (const guint8 *) cases[i].a, strlen (cases[i].a),
                            (const guint8 *) cases[i].b, strlen (cases[i].b), 0);
      g_assert_cmpuint (hunks->len, ==, 1);
    }
}

/* --- faults --------------------------------------------------------------- */

typedef struct
{
  const char *path;
  guint64     truncate_to;
  guint       n;
} TruncateData;

static gboolean
truncate_run_cb (guint64  offset,
                 guint64  length,
                 gpointer user_data)
{
  TruncateData *data = user_data;

  if (data->n++ == 0)
    hm_test_truncate (data->path, data->truncate_to);
  return TRUE;
}

static gboolean
truncate_hunk_cb (const HmHunk *hunk,
                  gpointer      user_data)
{
  return truncate_run_cb (hunk->a_offset, hunk->a_length, user_data);
}

static void
assert_truncated_error (const GError *error,
                        const char   *path)
{
  g_autofree char *name = g_path_get_basename (path);

  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, name));
  g_assert_nonnull (strstr (error->message, "0x"));
  g_test_message ("%s", error->message);
}

static void
test_truncated (void)
{
  gsize size = 8 * 1024 * 1024;

  for (guint mode = 0; mode < 2; mode++)
    for (guint when = 0; when < 2; when++)
      for (guint side = 0; side < 2; side++)
        {
          guint8 *bytes = NULL;
          g_autofree char *path_a = hm_test_write_random ("trunc-a", size, 5 + side, &bytes);
          g_autofree char *path_b = NULL;
          g_autoptr(HmDocument) a = NULL;
          g_autoptr(HmDocument) b = NULL;
          g_autoptr(HmCompare) compare = NULL;
          g_autoptr(GError) error = NULL;
          TruncateData data = { NULL, size / 4, 0 };

          /* Differences early on, so the callback runs soon. */
          for (gsize i = 100; i < 200000; i += 5000)
            bytes[i] ^= 0x11;
          path_b = write_file ("trunc-b", bytes, size);
          g_free (bytes);
          data.path = side == 0 ? path_a : path_b;

          a = open_doc (path_a);
          b = open_doc (path_b);
          compare = hm_compare_new (a, b);
          hm_compare_set_mode (compare, mode == 0 ? HM_COMPARE_BYTES : HM_COMPARE_INSERTIONS);
          hm_compare_set_chunk_size (compare, 64 * 1024);
          if (when == 0)
            hm_test_truncate (data.path, data.truncate_to);
          else if (mode == 0)
            hm_compare_set_run_func (compare, truncate_run_cb, &data, NULL);
          else
            hm_compare_set_hunk_func (compare, truncate_hunk_cb, &data, NULL);

          g_assert_false (hm_compare_run (compare, NULL, &error));
          assert_truncated_error (error, data.path);
        }
}

/* Truncated to inside a hole: no read faults, the end check notices. */
static void
test_truncated_hole (void)
{
  g_autofree char *path_a = hm_test_make_sparse ("trunc-hole-a", 64 * 1024 * 1024);
  g_autofree char *path_b = hm_test_make_sparse ("trunc-hole-b", 64 * 1024 * 1024);

  for (guint mode = 0; mode < 2; mode++)
    {
      g_autoptr(HmDocument) a = open_doc (path_a);
      g_autoptr(HmDocument) b = open_doc (path_b);
      g_autoptr(HmCompare) compare = hm_compare_new (a, b);
      g_autoptr(GError) error = NULL;

      hm_compare_set_mode (compare, mode == 0 ? HM_COMPARE_BYTES : HM_COMPARE_INSERTIONS);
      hm_test_truncate (path_b, 1024 * 1024);
      g_assert_false (hm_compare_run (compare, NULL, &error));
      assert_truncated_error (error, path_b);
      hm_test_truncate (path_b, 64 * 1024 * 1024);
    }
}

/* An I/O error on a FUSE mount (root only). */
static void
test_io_error (void)
{
  g_autofree char *reason = NULL;
  g_autofree char *backing = NULL;
  g_autofree char *backing_file = NULL;
  g_autofree char *mounted = NULL;
  g_autofree char *local = NULL;
  g_autoptr(HmFaultfs) fs = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *bytes = NULL;
  gsize size = 1024 * 1024;

  if (!hm_faultfs_available (&reason))
    {
      g_test_skip (reason);
      return;
    }

  backing = g_dir_make_tmp ("hm-compare-faultfs-XXXXXX", &error);
  g_assert_no_error (error);
  local = hm_test_write_random ("eio-local", size, 9, &bytes);
  backing_file = g_build_filename (backing, "remote.bin", NULL);
  g_file_set_contents (backing_file, (const char *) bytes, (gssize) size, &error);
  g_assert_no_error (error);
  g_free (bytes);

  fs = hm_faultfs_start (backing, &error);
  g_assert_no_error (error);
  mounted = hm_faultfs_build_path (fs, "remote.bin");
  g_assert_true (hm_faultfs_control (fs, "read-eio 0x30000 4096", &error));
  g_assert_no_error (error);

  for (guint mode = 0; mode < 2; mode++)
    {
      g_autoptr(HmDocument) a = open_doc (local);
      g_autoptr(HmDocument) b = open_doc (mounted);
      g_autoptr(HmCompare) compare = hm_compare_new (a, b);

      hm_compare_set_mode (compare, mode == 0 ? HM_COMPARE_BYTES : HM_COMPARE_INSERTIONS);
      g_assert_false (hm_compare_run (compare, NULL, &error));
      g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "remote.bin"));
      g_assert_nonnull (strstr (error->message, "0x30000"));
      g_test_message ("%s", error->message);
      g_clear_error (&error);
    }

  g_clear_pointer (&fs, hm_faultfs_stop);
  g_unlink (backing_file);
  g_rmdir (backing);
}

/* --- async, progress, cancel ------------------------------------------------ */

typedef struct
{
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
  guint64    last_done;
  guint64    total;
} AsyncData;

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  AsyncData *data = user_data;

  g_assert_cmpuint (done, >=, data->last_done);
  g_assert_cmpuint (done, <=, total);
  data->last_done = done;
  data->total = total;
}

static void
finished_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncData *data = user_data;

  data->ok = hm_compare_run_finish (HM_COMPARE (source), result, &data->error);
  g_main_loop_quit (data->loop);
}

static void
test_async (void)
{
  gsize size = 3 * 1024 * 1024;
  guint8 *bytes = NULL;
  g_autofree char *path_a = hm_test_write_random ("async-a", size, 21, &bytes);
  g_autofree char *path_b = NULL;
  g_autoptr(HmDocument) a = NULL;
  g_autoptr(HmDocument) b = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncData data = { loop, FALSE, NULL, 0, 0 };

  bytes[size / 2] ^= 1;
  path_b = write_file ("async-b", bytes, size - 10);
  g_free (bytes);
  a = open_doc (path_a);
  b = open_doc (path_b);

  for (guint mode = 0; mode < 2; mode++)
    {
      g_autoptr(HmCompare) compare = hm_compare_new (a, b);

      hm_compare_set_mode (compare, mode == 0 ? HM_COMPARE_BYTES : HM_COMPARE_INSERTIONS);
      hm_compare_set_progress_func (compare, progress_cb, &data, NULL);
      data.last_done = 0;
      hm_compare_run_async (compare, NULL, finished_cb, &data);
      g_main_loop_run (loop);
      g_assert_no_error (data.error);
      g_assert_true (data.ok);
      g_assert_cmpuint (data.last_done, ==, data.total);
      g_assert_cmpuint (data.total, ==, mode == 0 ? size : 2 * size - 10);
      g_assert_cmpuint (hm_compare_get_n_differences (compare), ==, 2);

      /* Cancelled before it starts: the error says so. */
      g_cancellable_cancel (cancellable);
      data.last_done = 0;
      hm_compare_run_async (compare, cancellable, finished_cb, &data);
      g_main_loop_run (loop);
      g_assert_false (data.ok);
      g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&data.error);
      g_cancellable_reset (cancellable);
    }
}

typedef struct
{
  GCancellable *cancellable;
  guint         n;
} CancelData;

static gboolean
cancel_run_cb (guint64  offset,
               guint64  length,
               gpointer user_data)
{
  CancelData *data = user_data;

  if (data->n++ == 0)
    g_cancellable_cancel (data->cancellable);
  return TRUE;
}

/* Cancelled in the middle, with workers running ahead. */
static void
test_cancel_mid (void)
{
  gsize size = 16 * 1024 * 1024;
  guint8 *bytes = NULL;
  g_autofree char *path_a = hm_test_write_random ("cancel-a", size, 22, &bytes);
  g_autofree char *path_b = NULL;
  g_autoptr(HmDocument) a = NULL;
  g_autoptr(HmDocument) b = NULL;
  g_autoptr(HmCompare) compare = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  CancelData data = { cancellable, 0 };

  for (gsize i = 0; i < size; i += 100000)
    bytes[i] ^= 1;
  path_b = write_file ("cancel-b", bytes, size);
  g_free (bytes);
  a = open_doc (path_a);
  b = open_doc (path_b);
  compare = hm_compare_new (a, b);
  hm_compare_set_chunk_size (compare, 64 * 1024);
  hm_compare_set_run_func (compare, cancel_run_cb, &data, NULL);
  g_assert_false (hm_compare_run (compare, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (data.n, <, size / 100000);
}

int
main (int   argc,
      char *argv[])
{
  const char *seed_env;
  int status;

  g_test_init (&argc, &argv, NULL);

  seed_env = g_getenv ("HM_TEST_SEED");
  base_seed = seed_env != NULL ? (guint32) g_ascii_strtoull (seed_env, NULL, 0)
                               : (guint32) g_random_int ();
  g_test_message ("seed: %u (HM_TEST_SEED=%u replays this run)", base_seed, base_seed);

  g_test_add_func ("/hm/compare/identical", test_identical);
  g_test_add_func ("/hm/compare/random", test_random);
  g_test_add_func ("/hm/compare/sparse", test_sparse);
  g_test_add_func ("/hm/compare/huge-sparse", test_huge_sparse);
  g_test_add_func ("/hm/compare/stop", test_stop);
  g_test_add_func ("/hm/compare/insertions/random", test_insertions_random);
  g_test_add_func ("/hm/compare/insertions/dense", test_insertions_dense);
  g_test_add_func ("/hm/compare/insertions/memory-bound", test_insertions_memory_bound);
  g_test_add_func ("/hm/compare/insertions/edges", test_insertions_edges);
  g_test_add_func ("/hm/compare/truncated", test_truncated);
  g_test_add_func ("/hm/compare/truncated-hole", test_truncated_hole);
  g_test_add_func ("/hm/compare/io-error", test_io_error);
  g_test_add_func ("/hm/compare/async", test_async);
  g_test_add_func ("/hm/compare/cancel-mid", test_cancel_mid);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}
