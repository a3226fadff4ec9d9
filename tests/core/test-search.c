/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "hm-bulk.h"
#include "hm-search.h"
#include "hm-fault.h"
#include "hm-faultfs-harness.h"
#include "hm-test-util.h"

#define WINDOW 8192

static HmSearchKernelImpl impls[2];
static guint n_impls;

/* How searches are cut up (see run_variant()): the largest chunk (0: the
 * default; RANDOM_CHUNK: a random size per search) and the worker threads. */
#define RANDOM_CHUNK G_MAXSIZE
static gsize test_chunk_size;
static guint test_threads;

static void
apply_hooks (HmSearch *search)
{
  gsize chunk = test_chunk_size;

  if (chunk == RANDOM_CHUNK)
    chunk = g_test_rand_int_range (256, 3 * WINDOW);
  _hm_search_set_chunk_size (search, chunk);
  _hm_search_set_n_threads (search, test_threads);
}

/* --- the reference: every match in the file's bytes, ascending ----------- */

static GArray *
reference_matches (HmPattern    *pattern,
                   const guint8 *bytes,
                   gsize         size)
{
  GArray *all = g_array_new (FALSE, FALSE, sizeof (guint64));
  gsize plen = hm_pattern_get_length (pattern);

  for (gsize p = 0; p + plen <= size; p++)
    if (hm_pattern_matches_at (pattern, bytes + p))
      {
        guint64 m = p;

        g_array_append_val (all, m);
      }
  return all;
}

/* What a search from @start with @flags must report, in order. */
static GArray *
expected_matches (GArray        *all,
                  guint64        start,
                  HmSearchFlags  flags,
                  guint64        max)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint64));
  gboolean wrap = (flags & HM_SEARCH_WRAP) != 0;

  if (!(flags & HM_SEARCH_BACKWARD))
    {
      for (guint i = 0; i < all->len; i++)
        if (g_array_index (all, guint64, i) >= start)
          g_array_append_val (out, g_array_index (all, guint64, i));
      for (guint i = 0; wrap && i < all->len; i++)
        if (g_array_index (all, guint64, i) < start)
          g_array_append_val (out, g_array_index (all, guint64, i));
    }
  else
    {
      for (guint i = all->len; i > 0; i--)
        if (g_array_index (all, guint64, i - 1) < start)
          g_array_append_val (out, g_array_index (all, guint64, i - 1));
      for (guint i = all->len; wrap && i > 0; i--)
        if (g_array_index (all, guint64, i - 1) >= start)
          g_array_append_val (out, g_array_index (all, guint64, i - 1));
    }

  if (max != 0 && out->len > max)
    g_array_set_size (out, max);
  return out;
}

static gboolean
collect_cb (guint64  offset,
            gpointer user_data)
{
  g_array_append_val ((GArray *) user_data, offset);
  return TRUE;
}

static GArray *
run_search (HmDocument         *doc,
            HmPattern          *pattern,
            guint64             start,
            HmSearchFlags       flags,
            guint64             max,
            HmSearchKernelImpl  impl)
{
  g_autoptr(HmSearch) search = hm_search_new (doc, pattern);
  g_autoptr(GError) error = NULL;
  GArray *got = g_array_new (FALSE, FALSE, sizeof (guint64));

  hm_search_set_start (search, start);
  hm_search_set_flags (search, flags);
  hm_search_set_max_matches (search, max);
  hm_search_set_kernel (search, impl);
  hm_search_set_match_func (search, collect_cb, got, NULL);
  apply_hooks (search);
  g_assert_true (hm_search_run (search, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hm_search_get_n_matches (search), ==, got->len);
  return got;
}

static void
assert_same (GArray *got,
             GArray *want)
{
  if (got->len != want->len ||
      (got->len > 0 && memcmp (got->data, want->data, got->len * sizeof (guint64)) != 0))
    {
      g_autoptr(GString) s = g_string_new (NULL);

      g_string_append_printf (s, "got %u matches:", got->len);
      for (guint i = 0; i < MIN (got->len, 10); i++)
        g_string_append_printf (s, " %" G_GUINT64_FORMAT, g_array_index (got, guint64, i));
      g_string_append_printf (s, "; want %u:", want->len);
      for (guint i = 0; i < MIN (want->len, 10); i++)
        g_string_append_printf (s, " %" G_GUINT64_FORMAT, g_array_index (want, guint64, i));
      g_error ("%s", s->str);
    }
}

/* Every direction, wrap, a few starts and limits, every kernel. */
static void
check_document (HmDocument   *doc,
                HmPattern    *pattern,
                const guint8 *bytes,
                gsize         size,
                GRand        *rand)
{
  g_autoptr(GArray) all = reference_matches (pattern, bytes, size);

  for (guint round = 0; round < 4; round++)
    {
      guint64 start = round == 0 ? 0 : round == 1 ? size : (guint64) g_rand_int_range (rand, 0, size + 1);

      for (guint f = 0; f < 4; f++)
        {
          HmSearchFlags flags = (f & 1 ? HM_SEARCH_BACKWARD : 0) | (f & 2 ? HM_SEARCH_WRAP : 0);
          guint64 max = g_rand_boolean (rand) ? 0 : g_rand_int_range (rand, 1, 5);
          g_autoptr(GArray) want = expected_matches (all, start, flags, max);

          for (guint k = 0; k < n_impls; k++)
            {
              g_autoptr(GArray) got = run_search (doc, pattern, start, flags, max, impls[k]);

              assert_same (got, want);
            }
        }
    }
}

static HmPattern *
random_pattern (GRand        *rand,
                const guint8 *bytes,
                gsize         size)
{
  static const guint8 masks[] = { 0xff, 0xff, 0x00, 0xf0, 0x0f, 0xdf };
  guint len = g_rand_int_range (rand, 1, g_rand_boolean (rand) ? 6 : 40);
  g_autofree guint8 *v = g_malloc (len);
  g_autofree guint8 *m = g_malloc (len);
  gboolean wild = g_rand_int_range (rand, 0, 3) == 0;
  guint kind = g_rand_int_range (rand, 0, 4);
  gsize at = size >= len ? g_rand_int_range (rand, 0, size - len + 1) : 0;

  for (guint i = 0; i < len; i++)
    {
      /* From the file, random small values, or zeros (for holes). */
      v[i] = kind <= 1 && size >= len ? bytes[at + i] : kind == 2 ? 0 : g_rand_int_range (rand, 0, 3);
      m[i] = wild ? masks[g_rand_int_range (rand, 0, G_N_ELEMENTS (masks))] : 0xff;
    }
  return hm_pattern_new (v, m, len);
}

static void
test_random_files (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint it = 0; it < 40; it++)
    {
      gsize size = g_rand_int_range (rand, 0, g_rand_boolean (rand) ? 100 : 5 * WINDOW);
      g_autofree guint8 *bytes = NULL;
      g_autofree char *path = hm_test_write_random ("random", size, g_rand_int (rand), &bytes);
      g_autoptr(HmDocument) doc = NULL;
      g_autoptr(GError) error = NULL;

      /* Small alphabets give many matches, across window boundaries too. */
      if (g_rand_boolean (rand))
        {
          for (gsize i = 0; i < size; i++)
            bytes[i] &= 3;
          hm_test_pwrite (path, 0, bytes, size);
        }

      doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY,
                                  g_rand_boolean (rand) ? WINDOW : 4096, &error);
      g_assert_no_error (error);

      for (guint p = 0; p < 6; p++)
        {
          g_autoptr(HmPattern) pattern = random_pattern (rand, bytes, size);

          check_document (doc, pattern, bytes, size, rand);
        }
    }
}

/* Sparse files: data extents of random bytes (some with zeros) between holes;
 * zero patterns must be found inside holes and across their edges. */
static void
test_sparse_files (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint it = 0; it < 12; it++)
    {
      gsize size = g_rand_int_range (rand, 1, 24) * 4096 + g_rand_int_range (rand, 0, 4096);
      g_autofree char *path = hm_test_make_sparse ("sparse", size);
      g_autofree guint8 *bytes = g_malloc0 (size);
      g_autoptr(HmDocument) doc = NULL;
      g_autoptr(GError) error = NULL;

      for (guint e = 0; e < 4; e++)
        {
          gsize at = g_rand_int_range (rand, 0, size);
          gsize want = g_rand_int_range (rand, 1, 6000);
          gsize len = MIN (size - at, want);

          for (gsize i = 0; i < len; i++)
            bytes[at + i] = g_rand_int_range (rand, 0, 5) == 0 ? 0 : (guint8) g_rand_int_range (rand, 1, 4);
          hm_test_pwrite (path, at, bytes + at, len);
        }

      doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, WINDOW, &error);
      g_assert_no_error (error);
      if (it == 0)
        g_test_message ("sparse file: %u holes, %" G_GUINT64_FORMAT " data bytes of %" G_GSIZE_FORMAT,
                        hm_document_get_n_holes (doc), hm_document_get_data_bytes (doc), size);

      for (guint p = 0; p < 8; p++)
        {
          g_autoptr(HmPattern) pattern = random_pattern (rand, bytes, size);

          check_document (doc, pattern, bytes, size, rand);
        }
    }
}

/* The pattern split across a window boundary at every possible point. */
static void
test_window_boundaries (void)
{
  static const char needle[] = "0123456789abcdef";
  gsize size = 4 * WINDOW;
  g_autofree char *path = hm_test_make_sparse ("boundaries", size);
  g_autoptr(HmPattern) pattern = hm_pattern_new ((const guint8 *) needle, NULL, 16);
  g_autoptr(HmPattern) wild = hm_pattern_new_hex ("?? 31 32 ?? ?? 35 36 37 38 39 61 62 63 64 65 ??",
                                                 -1, NULL, NULL);

  for (gsize split = 0; split <= 16; split++)
    {
      g_autoptr(HmDocument) doc = NULL;
      g_autoptr(GError) error = NULL;
      guint64 at = 2 * WINDOW - split;
      guint64 want = at;

      hm_test_truncate (path, 0);
      hm_test_truncate (path, size);
      hm_test_pwrite (path, at, needle, 16);
      doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, WINDOW, &error);
      g_assert_no_error (error);

      for (guint k = 0; k < n_impls; k++)
        {
          g_autoptr(GArray) fwd = run_search (doc, pattern, 0, 0, 0, impls[k]);
          g_autoptr(GArray) back = run_search (doc, wild, size, HM_SEARCH_BACKWARD, 0, impls[k]);

          g_assert_cmpuint (fwd->len, ==, 1);
          g_assert_cmpuint (g_array_index (fwd, guint64, 0), ==, want);
          g_assert_cmpuint (back->len, ==, 1);
          g_assert_cmpuint (g_array_index (back, guint64, 0), ==, want);
        }
    }
}

static void
test_file_edges (void)
{
  gsize size = 3 * WINDOW + 123;
  g_autofree char *path = hm_test_make_sparse ("edges", size);
  g_autoptr(HmPattern) pattern = hm_pattern_new_text ("EDGE", -1, HM_TEXT_ENCODING_UTF8,
                                                      HM_PATTERN_IGNORE_CASE, NULL, NULL);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;

  hm_test_pwrite (path, 0, "edge", 4);
  hm_test_pwrite (path, size - 4, "EdGe", 4);
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, WINDOW, &error);
  g_assert_no_error (error);

  for (guint k = 0; k < n_impls; k++)
    {
      g_autoptr(GArray) fwd = run_search (doc, pattern, 0, 0, 0, impls[k]);
      g_autoptr(GArray) back = run_search (doc, pattern, size, HM_SEARCH_BACKWARD, 0, impls[k]);
      g_autoptr(GArray) next = run_search (doc, pattern, 1, HM_SEARCH_WRAP, 0, impls[k]);
      g_autoptr(GArray) prev = run_search (doc, pattern, 0, HM_SEARCH_BACKWARD | HM_SEARCH_WRAP, 1, impls[k]);

      g_assert_cmpuint (fwd->len, ==, 2);
      g_assert_cmpuint (g_array_index (fwd, guint64, 0), ==, 0);
      g_assert_cmpuint (g_array_index (fwd, guint64, 1), ==, size - 4);
      g_assert_cmpuint (back->len, ==, 2);
      g_assert_cmpuint (g_array_index (back, guint64, 0), ==, size - 4);
      g_assert_cmpuint (g_array_index (back, guint64, 1), ==, 0);
      /* Find next from 1 wraps around to 0 last. */
      g_assert_cmpuint (next->len, ==, 2);
      g_assert_cmpuint (g_array_index (next, guint64, 1), ==, 0);
      /* Find previous from 0 wraps to the end. */
      g_assert_cmpuint (prev->len, ==, 1);
      g_assert_cmpuint (g_array_index (prev, guint64, 0), ==, size - 4);
    }
}

/* Zero patterns are counted inside holes, not enumerated, when nobody needs
 * the offsets; the store keeps the first ones. */
static void
test_zero_count (void)
{
  gsize size = 1024 * 1024;
  g_autofree char *path = hm_test_make_sparse ("zeros", size);
  g_autoptr(HmPattern) pattern = hm_pattern_new_hex ("00 00 00 00", -1, NULL, NULL);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmSearch) search = NULL;
  g_autoptr(GError) error = NULL;
  guint8 data[100];

  memset (data, 0xaa, sizeof data);
  hm_test_pwrite (path, 200000, data, sizeof data);
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, WINDOW, &error);
  g_assert_no_error (error);

  search = hm_search_new (doc, pattern);
  apply_hooks (search);
  g_assert_true (hm_search_run (search, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hm_search_get_n_matches (search), ==, (200000 - 3) + (size - 200100 - 3));
  g_assert_cmpuint (hm_search_get_matches (search)->len, ==, HM_SEARCH_STORE_LIMIT);
  g_assert_cmpuint (g_array_index (hm_search_get_matches (search), guint64, 65535), ==, 65535);
  g_assert_false (hm_search_get_limit_reached (search));

  hm_search_set_max_matches (search, 300000);
  g_assert_true (hm_search_run (search, NULL, &error));
  g_assert_cmpuint (hm_search_get_n_matches (search), ==, 300000);
  g_assert_true (hm_search_get_limit_reached (search));
}

/* 1 TiB with three 1 MiB data extents: only the data is read. */
static void
test_huge_sparse (void)
{
  guint64 size = G_GUINT64_CONSTANT (1) << 40;
  guint64 at[3] = { 0x1000000, size / 2 + 12345 * 4096, size - (1 << 20) };
  g_autofree char *path = hm_test_make_sparse ("huge", size);
  g_autofree guint8 *data = g_malloc (1 << 20);
  g_autoptr(HmPattern) marker = hm_pattern_new_text ("HEXMAP!!", -1, HM_TEXT_ENCODING_UTF8, 0, NULL, NULL);
  g_autoptr(HmPattern) zeros = hm_pattern_new_hex ("00 00 00 00 00 00 00 00", -1, NULL, NULL);
  g_autoptr(HmPattern) absent = hm_pattern_new_hex ("de ad be ef 01 02 03 04", -1, NULL, NULL);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmSearch) search = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) fwd = NULL;
  g_autoptr(GArray) back = NULL;
  guint64 expected_zero_starts = 0, prev_end = 0;
  gint64 t0;
  double secs;

  memset (data, 0x5a, 1 << 20);
  memcpy (data + 1000, "HEXMAP!!", 8);
  for (guint i = 0; i < 3; i++)
    hm_test_pwrite (path, at[i], data, 1 << 20);
  for (guint i = 0; i < 3; i++)
    {
      expected_zero_starts += at[i] - prev_end >= 8 ? at[i] - prev_end - 7 : 0;
      prev_end = at[i] + (1 << 20);
    }

  doc = hm_document_new (path, &error);
  g_assert_no_error (error);

  t0 = g_get_monotonic_time ();
  fwd = run_search (doc, marker, 0, 0, 0, HM_SEARCH_KERNEL_AUTO);
  back = run_search (doc, marker, size, HM_SEARCH_BACKWARD, 0, HM_SEARCH_KERNEL_AUTO);
  g_assert_cmpuint (fwd->len, ==, 3);
  g_assert_cmpuint (back->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (g_array_index (fwd, guint64, i), ==, at[i] + 1000);
      g_assert_cmpuint (g_array_index (back, guint64, 2 - i), ==, at[i] + 1000);
    }

  search = hm_search_new (doc, absent);
  g_assert_true (hm_search_run (search, NULL, &error));
  g_assert_cmpuint (hm_search_get_n_matches (search), ==, 0);
  g_clear_object (&search);

  search = hm_search_new (doc, zeros);
  g_assert_true (hm_search_run (search, NULL, &error));
  g_assert_cmpuint (hm_search_get_n_matches (search), ==, expected_zero_starts);
  secs = (g_get_monotonic_time () - t0) / 1e6;
  g_test_message ("1 TiB sparse, 3 x 1 MiB data: 4 searches in %.3f s", secs);
  /* Not a speed figure: reading the 1 TiB of holes would take minutes, the
   * searches take milliseconds, so only reading the holes can break this. */
  g_assert_cmpfloat (secs, <, 10.0);
  /* Reading holes never allocates. */
  g_assert_cmpuint (hm_test_allocated_bytes (path), <=, 4 << 20);
}

/* Pending edits in preview mode are searched, even where the file has a hole. */
static void
test_preview_edits (void)
{
  gsize size = 10 * WINDOW;
  g_autofree char *path = hm_test_make_sparse ("preview", size);
  g_autoptr(HmPattern) pattern = hm_pattern_new_text ("found me", -1, HM_TEXT_ENCODING_UTF8, 0, NULL, NULL);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;

  hm_test_pwrite (path, 3 * WINDOW, "data", 4);
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, WINDOW, &error);
  g_assert_no_error (error);

  before = run_search (doc, pattern, 0, 0, 0, HM_SEARCH_KERNEL_AUTO);
  g_assert_cmpuint (before->len, ==, 0);

  /* One inside the hole, one straddling the data extent and the hole. */
  g_assert_true (hm_document_write (doc, 7 * WINDOW - 3, "found me", 8, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_write (doc, 3 * WINDOW + 2, "found me", 8, HM_EDIT_NONE, &error));
  g_assert_no_error (error);

  after = run_search (doc, pattern, 0, 0, 0, HM_SEARCH_KERNEL_AUTO);
  g_assert_cmpuint (after->len, ==, 2);
  g_assert_cmpuint (g_array_index (after, guint64, 0), ==, 3 * WINDOW + 2);
  g_assert_cmpuint (g_array_index (after, guint64, 1), ==, 7 * WINDOW - 3);
}

/* Truncation from another fd in the middle of a search: a truncated error with
 * the offset, or with SKIP_FAULTS the rest reported as unreadable. No crash. */
typedef struct
{
  const char *path;
  guint64     truncate_to;
  guint       n;
  guint64     skipped_from;
  guint64     skipped_length;
} TruncateData;

static gboolean
truncate_on_first_match_cb (guint64  offset,
                            gpointer user_data)
{
  TruncateData *data = user_data;

  if (data->n++ == 0)
    hm_test_truncate (data->path, data->truncate_to);
  return TRUE;
}

static void
skipped_cb (guint64       offset,
            guint64       length,
            const GError *error,
            gpointer      user_data)
{
  TruncateData *data = user_data;

  g_assert_true (error->domain == HM_FAULT_ERROR);
  if (data->skipped_length == 0)
    data->skipped_from = offset;
  data->skipped_length += length;
}

static void
test_truncate_mid_search (void)
{
  gsize size = 64 * WINDOW;

  for (guint skip = 0; skip < 2; skip++)
    for (guint k = 0; k < n_impls; k++)
      {
        g_autofree char *path = hm_test_make_sparse ("truncate", size);
        g_autoptr(HmPattern) pattern = hm_pattern_new_text ("needle", -1, HM_TEXT_ENCODING_UTF8,
                                                            0, NULL, NULL);
        g_autoptr(HmDocument) doc = NULL;
        g_autoptr(HmSearch) search = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree guint8 *filler = g_malloc (size);
        TruncateData data = { path, 16 * WINDOW, 0, 0, 0 };
        gboolean ok;

        memset (filler, 'x', size);
        for (gsize at = 100; at + 6 < size; at += 3000)
          memcpy (filler + at, "needle", 6);
        hm_test_pwrite (path, 0, filler, size);

        doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 4 * WINDOW, &error);
        g_assert_no_error (error);
        search = hm_search_new (doc, pattern);
        hm_search_set_kernel (search, impls[k]);
        hm_search_set_match_func (search, truncate_on_first_match_cb, &data, NULL);
        hm_search_set_fault_func (search, skipped_cb, &data, NULL);
        hm_search_set_flags (search, skip ? HM_SEARCH_SKIP_FAULTS : 0);
        apply_hooks (search);

        ok = hm_search_run (search, NULL, &error);
        if (!skip)
          {
            g_assert_false (ok);
            g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
            g_assert_nonnull (strstr (error->message, "0x"));
            g_test_message ("%s", error->message);
          }
        else
          {
            g_assert_no_error (error);
            g_assert_true (ok);
            g_assert_cmpuint (data.skipped_length, >, 0);
            g_assert_cmpuint (data.skipped_from, >=, 16 * WINDOW);
            g_assert_cmpuint (hm_search_get_n_unreadable (search), ==, data.skipped_length);
          }
        /* Every match reported lies below the new end. */
        g_assert_cmpuint (data.n, ==, (16 * WINDOW - 100 - 6) / 3000 + 1);
        g_clear_object (&search);
        g_clear_object (&doc);
      }
}

typedef struct
{
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
  guint64    last_done;
  guint      n_progress;
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
  data->n_progress++;
}

static void
finished_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncData *data = user_data;

  data->ok = hm_search_run_finish (HM_SEARCH (source), result, &data->error);
  g_main_loop_quit (data->loop);
}

static void
test_async (void)
{
  gsize size = 32 * WINDOW;
  g_autofree char *path = hm_test_write_random ("async", size, 7, NULL);
  g_autoptr(HmPattern) pattern = hm_pattern_new_hex ("?? ?? ?? 01", -1, NULL, NULL);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmSearch) search = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  AsyncData data = { loop, FALSE, NULL, 0, 0 };

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, WINDOW, &error);
  g_assert_no_error (error);
  search = hm_search_new (doc, pattern);
  hm_search_set_progress_func (search, progress_cb, &data, NULL);
  hm_search_run_async (search, NULL, finished_cb, &data);
  g_main_loop_run (loop);
  g_assert_no_error (data.error);
  g_assert_true (data.ok);
  g_assert_cmpuint (data.last_done, ==, size);
  g_assert_cmpuint (hm_search_get_n_matches (search), >, 0);

  /* Cancelled before it starts: the error says so. */
  data.last_done = 0;
  g_cancellable_cancel (cancellable);
  hm_search_run_async (search, cancellable, finished_cb, &data);
  g_main_loop_run (loop);
  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&data.error);
}

/* A window holding edits is not mapped anew when the file grows on disk, so it
 * ends before the new bytes. A search that reaches them stops with an error at
 * the window's end, in either direction (forward used to go round in circles
 * when the pattern was one byte long). */
static void
test_grown_under_edits (void)
{
  static const char *const needles[] = { "q", "quux" };
  g_autofree char *path = hm_test_write_random ("grown.bin", 4096 + 100, 5, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 4 * 4096, &error);
  g_autofree guint8 *more = g_malloc (2 * 4096);

  g_assert_no_error (error);
  memset (more, 'x', 2 * 4096);
  g_assert_true (hm_document_write (doc, 10, "edit", 4, HM_EDIT_NONE, &error));
  hm_test_pwrite (path, 4096 + 100, more, 2 * 4096);
  g_assert_true (hm_document_refresh (doc, &error));

  for (guint n = 0; n < G_N_ELEMENTS (needles); n++)
    for (guint backward = 0; backward < 2; backward++)
      {
        g_autoptr(HmPattern) pattern = hm_pattern_new_text (needles[n], -1, HM_TEXT_ENCODING_UTF8,
                                                            0, NULL, NULL);
        g_autoptr(HmSearch) search = hm_search_new (doc, pattern);

        hm_search_set_start (search, backward ? hm_document_get_size (doc) : 0);
        hm_search_set_flags (search, backward ? HM_SEARCH_BACKWARD : 0);
        apply_hooks (search);
        g_assert_false (hm_search_run (search, NULL, &error));
        g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_IO);
        g_assert_nonnull (strstr (error->message, "0x1064"));
        g_clear_error (&error);
      }
}

/* Many separate matches in one chunk: more than a chunk's list holds, so the
 * calling thread finishes those chunks itself, in order. */
static void
test_dense (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  gsize size = 300 * 1024;
  g_autofree guint8 *bytes = g_malloc (size);
  g_autofree char *path = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  static const char *const needles[] = { "a", "ab", "?? 61" };

  /* Mostly "ab ab ab", with runs of a's: separate matches and runs. */
  for (gsize i = 0; i < size; i++)
    bytes[i] = (i % 2 == 0 || g_rand_int_range (rand, 0, 50) == 0) ? 'a' : 'b';
  path = hm_test_path ("dense");
  g_file_set_contents (path, (const char *) bytes, size, &error);
  g_assert_no_error (error);
  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, WINDOW, &error);
  g_assert_no_error (error);

  for (guint n = 0; n < G_N_ELEMENTS (needles); n++)
    {
      g_autoptr(HmPattern) pattern = n < 2 ? hm_pattern_new_text (needles[n], -1, HM_TEXT_ENCODING_UTF8, 0, NULL, NULL)
                                           : hm_pattern_new_hex (needles[n], -1, NULL, NULL);
      g_autoptr(GArray) all = reference_matches (pattern, bytes, size);
      g_autoptr(HmSearch) search = hm_search_new (doc, pattern);
      GArray *stored;

      g_assert_cmpuint (all->len, >, 2 * 16384);
      check_document (doc, pattern, bytes, size, rand);

      /* Counting, with the first offsets stored. */
      apply_hooks (search);
      g_assert_true (hm_search_run (search, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (hm_search_get_n_matches (search), ==, all->len);
      stored = hm_search_get_matches (search);
      g_assert_cmpuint (stored->len, ==, MIN (all->len, HM_SEARCH_STORE_LIMIT));
      g_assert_cmpmem (stored->data, stored->len * sizeof (guint64), all->data, stored->len * sizeof (guint64));
    }
}

/* A pattern across every chunk edge, with chunks of a fixed size and several
 * threads: each found once, in order, both ways. */
static void
test_chunk_edges (void)
{
  static const char needle[] = "0123456789abcdef";
  gsize chunk = 4096 + 1000;
  gsize size = 12 * chunk + 100;
  g_autoptr(HmPattern) pattern = hm_pattern_new ((const guint8 *) needle, NULL, 16);
  g_autofree guint8 *bytes = g_malloc (size);
  g_autofree char *path = hm_test_path ("chunk-edges");

  for (gsize split = 0; split <= 16; split += 3)
    for (guint threads = 1; threads <= 3; threads++)
      {
        g_autoptr(HmDocument) doc = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) all = NULL;

        memset (bytes, 'x', size);
        for (gsize edge = chunk; edge + 16 < size; edge += chunk)
          memcpy (bytes + edge - split, needle, 16);
        g_file_set_contents (path, (const char *) bytes, size, &error);
        g_assert_no_error (error);
        doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, WINDOW, &error);
        g_assert_no_error (error);
        all = reference_matches (pattern, bytes, size);
        g_assert_cmpuint (all->len, ==, 12);

        for (guint backward = 0; backward < 2; backward++)
          for (guint k = 0; k < n_impls; k++)
            {
              g_autoptr(HmSearch) search = hm_search_new (doc, pattern);
              g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (guint64));
              g_autoptr(GArray) want = expected_matches (all, backward ? size : 0,
                                                         backward ? HM_SEARCH_BACKWARD : 0, 0);

              hm_search_set_start (search, backward ? size : 0);
              hm_search_set_flags (search, backward ? HM_SEARCH_BACKWARD : 0);
              hm_search_set_kernel (search, impls[k]);
              hm_search_set_match_func (search, collect_cb, got, NULL);
              _hm_search_set_chunk_size (search, chunk);
              _hm_search_set_n_threads (search, threads);
              g_assert_true (hm_search_run (search, NULL, &error));
              g_assert_no_error (error);
              assert_same (got, want);
            }
      }
}

/* --- root tier: an unreadable page on the FUSE test filesystem ----------- */

#define EIO_AT 0x30000

typedef struct
{
  GArray  *matches;
  guint64  skipped;
  guint64  skipped_lo;
  guint64  skipped_hi;
} SkipData;

static gboolean
skip_match_cb (guint64  offset,
               gpointer user_data)
{
  SkipData *data = user_data;

  g_array_append_val (data->matches, offset);
  return TRUE;
}

static void
skip_fault_cb (guint64       offset,
               guint64       length,
               const GError *error,
               gpointer      user_data)
{
  SkipData *data = user_data;

  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_IO);
  data->skipped += length;
  data->skipped_lo = MIN (data->skipped_lo, offset);
  data->skipped_hi = MAX (data->skipped_hi, offset + length);
}

/* Matches that touch an unreadable page are lost with it; the others are
 * found, and the page is reported once, whichever path and however the work
 * is cut. Without skipping, the search stops at the page, having reported
 * what lies before it (backward: after it). */
static void
test_eio (void)
{
  static const guint64 needles[] = { 0x1000, EIO_AT - 3, EIO_AT + 0x800, EIO_AT + 4096 - 2,
                                     EIO_AT + 4096, 0x80000 };
  static const guint64 found[] = { 0x1000, EIO_AT + 4096, 0x80000 };
  static const HmBulkPath paths[] = { HM_BULK_PATH_PREAD, HM_BULK_PATH_MAP };
  g_autofree char *reason = NULL;
  g_autofree char *backing = NULL;
  g_autofree char *backing_file = NULL;
  g_autofree char *mounted = NULL;
  g_autofree guint8 *bytes = NULL;
  g_autoptr(HmFaultfs) fs = NULL;
  g_autoptr(HmPattern) pattern = hm_pattern_new_text ("NEEDLE", -1, HM_TEXT_ENCODING_UTF8, 0, NULL, NULL);
  g_autoptr(GError) error = NULL;
  gsize size = 1024 * 1024;

  if (!hm_faultfs_available (&reason))
    {
      g_test_skip (reason);
      return;
    }

  backing = g_dir_make_tmp ("hm-search-faultfs-XXXXXX", &error);
  g_assert_no_error (error);
  backing_file = g_build_filename (backing, "remote.bin", NULL);
  bytes = g_malloc (size);
  memset (bytes, 'x', size);
  for (guint i = 0; i < G_N_ELEMENTS (needles); i++)
    memcpy (bytes + needles[i], "NEEDLE", 6);
  g_file_set_contents (backing_file, (const char *) bytes, (gssize) size, &error);
  g_assert_no_error (error);

  fs = hm_faultfs_start (backing, &error);
  g_assert_no_error (error);
  mounted = hm_faultfs_build_path (fs, "remote.bin");
  g_assert_true (hm_faultfs_controlf (fs, &error, "read-eio %d 4096", EIO_AT));
  g_assert_no_error (error);

  for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
    for (guint cut = 0; cut < 3; cut++)
      for (guint backward = 0; backward < 2; backward++)
        for (guint skip = 0; skip < 2; skip++)
          {
            g_autoptr(HmDocument) doc = hm_document_new_full (mounted, HM_DOCUMENT_MODE_READ_ONLY, 65536, &error);
            g_autoptr(HmSearch) search = NULL;
            g_autoptr(GArray) matches = g_array_new (FALSE, FALSE, sizeof (guint64));
            SkipData data = { matches, 0, G_MAXUINT64, 0 };
            gboolean ok;

            g_assert_no_error (error);
            hm_bulk_set_path (paths[p]);
            search = hm_search_new (doc, pattern);
            hm_search_set_start (search, backward ? size : 0);
            hm_search_set_flags (search, (backward ? HM_SEARCH_BACKWARD : 0) | (skip ? HM_SEARCH_SKIP_FAULTS : 0));
            hm_search_set_match_func (search, skip_match_cb, &data, NULL);
            hm_search_set_fault_func (search, skip_fault_cb, &data, NULL);
            /* One thread and default chunks; chunk edges in the bad page; many. */
            _hm_search_set_n_threads (search, cut == 0 ? 1 : 3);
            _hm_search_set_chunk_size (search, cut == 0 ? 0 : cut == 1 ? EIO_AT + 1000 : 1500);
            ok = hm_search_run (search, NULL, &error);

            if (skip)
              {
                g_assert_no_error (error);
                g_assert_true (ok);
                g_assert_cmpuint (matches->len, ==, G_N_ELEMENTS (found));
                for (guint i = 0; i < matches->len; i++)
                  g_assert_cmphex (g_array_index (matches, guint64, backward ? matches->len - 1 - i : i), ==,
                                   found[i]);
                g_assert_cmpuint (data.skipped, ==, 4096);
                g_assert_cmphex (data.skipped_lo, ==, EIO_AT);
                g_assert_cmphex (data.skipped_hi, ==, EIO_AT + 4096);
                g_assert_cmpuint (hm_search_get_n_unreadable (search), ==, 4096);
              }
            else
              {
                g_assert_false (ok);
                g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_IO);
                g_assert_nonnull (strstr (error->message, "remote.bin"));
                g_assert_nonnull (strstr (error->message, "0x30000"));
                g_clear_error (&error);
                if (!backward)
                  {
                    g_assert_cmpuint (matches->len, ==, 1);
                    g_assert_cmphex (g_array_index (matches, guint64, 0), ==, 0x1000);
                  }
                else
                  {
                    g_assert_cmpuint (matches->len, ==, 2);
                    g_assert_cmphex (g_array_index (matches, guint64, 0), ==, 0x80000);
                    g_assert_cmphex (g_array_index (matches, guint64, 1), ==, EIO_AT + 4096);
                  }
              }
          }
  hm_bulk_set_path (HM_BULK_PATH_AUTO);

  g_clear_pointer (&fs, hm_faultfs_stop);
  g_unlink (backing_file);
  g_rmdir (backing);
}

/* The tests above again with the other read path (small files take pread:
 * they are too small to measure), or cut into small chunks scanned by several
 * threads (and small bulk buffers). */
typedef struct
{
  HmBulkPath path;
  gsize      chunk_size;
  guint      threads;
  gsize      buffer_size;
  GTestFunc  func;
} Variant;

static void
run_variant (gconstpointer user_data)
{
  const Variant *variant = user_data;

  hm_bulk_set_path (variant->path);
  _hm_bulk_set_buffer_size (variant->buffer_size);
  test_chunk_size = variant->chunk_size;
  test_threads = variant->threads;
  variant->func ();
  test_chunk_size = 0;
  test_threads = 0;
  _hm_bulk_set_buffer_size (0);
  hm_bulk_set_path (HM_BULK_PATH_AUTO);
}

static void
add_variants (const char *name,
              GTestFunc   func)
{
  static const struct
  {
    const char *name;
    HmBulkPath  path;
    gsize       chunk_size;
    guint       threads;
    gsize       buffer_size;
  } variants[] = {
    { "map", HM_BULK_PATH_MAP, 0, 0, 0 },
    { "chunks", HM_BULK_PATH_PREAD, RANDOM_CHUNK, 3, 5000 },
    { "chunks-map", HM_BULK_PATH_MAP, RANDOM_CHUNK, 2, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      Variant *variant = g_new0 (Variant, 1);
      g_autofree char *test_path = g_strdup_printf ("/hm/search/%s/%s", variants[i].name, name);

      variant->path = variants[i].path;
      variant->chunk_size = variants[i].chunk_size;
      variant->threads = variants[i].threads;
      variant->buffer_size = variants[i].buffer_size;
      variant->func = func;
      g_test_add_data_func_full (test_path, variant, run_variant, g_free);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  impls[n_impls++] = HM_SEARCH_KERNEL_PORTABLE;
  if (hm_search_kernel_have_avx2 ())
    impls[n_impls++] = HM_SEARCH_KERNEL_AVX2;

  g_test_add_func ("/hm/search/random-files", test_random_files);
  g_test_add_func ("/hm/search/sparse-files", test_sparse_files);
  g_test_add_func ("/hm/search/window-boundaries", test_window_boundaries);
  g_test_add_func ("/hm/search/file-edges", test_file_edges);
  g_test_add_func ("/hm/search/zero-count", test_zero_count);
  g_test_add_func ("/hm/search/huge-sparse", test_huge_sparse);
  g_test_add_func ("/hm/search/preview-edits", test_preview_edits);
  g_test_add_func ("/hm/search/truncate-mid-search", test_truncate_mid_search);
  g_test_add_func ("/hm/search/async", test_async);
  g_test_add_func ("/hm/search/grown-under-edits", test_grown_under_edits);
  g_test_add_func ("/hm/search/dense", test_dense);
  g_test_add_func ("/hm/search/chunk-edges", test_chunk_edges);
  g_test_add_func ("/hm/search/eio", test_eio);

  add_variants ("random-files", test_random_files);
  add_variants ("sparse-files", test_sparse_files);
  add_variants ("window-boundaries", test_window_boundaries);
  add_variants ("file-edges", test_file_edges);
  add_variants ("zero-count", test_zero_count);
  add_variants ("preview-edits", test_preview_edits);
  add_variants ("truncate-mid-search", test_truncate_mid_search);
  add_variants ("grown-under-edits", test_grown_under_edits);
  add_variants ("dense", test_dense);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}
