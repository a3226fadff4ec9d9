/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "hm-entropy.h"
#include "hm-test-util.h"

#define WINDOW     (64 * 1024)
#define WAIT_SECS  120

static const char lorem[] =
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\n"
  "incididunt ut labore et dolore magna aliqua.\tUt enim ad minim veniam, quis\r\n";
static const char utf8_text[] =
  "Größe, café, naïve, Ελληνικά, русский текст, 日本語のテキスト, emoji 🙂 and so on.\n";

static HmDocument *
open_document (const char     *path,
               HmDocumentMode  mode)
{
  g_autoptr(GError) error = NULL;
  HmDocument *doc = hm_document_new_full (path, mode, WINDOW, &error);

  g_assert_no_error (error);
  return doc;
}

static void
fill_text (guint8     *buffer,
           gsize       length,
           const char *text)
{
  gsize n = strlen (text);

  for (gsize i = 0; i < length; i++)
    buffer[i] = (guint8) text[i % n];
}

static void
fill_random (guint8 *buffer,
             gsize   length,
             GRand  *rand)
{
  for (gsize i = 0; i < length; i++)
    buffer[i] = (guint8) g_rand_int_range (rand, 0, 256);
}

/* Structured binary data: a table of little-endian 32-bit counters. */
static void
fill_table (guint8 *buffer,
            gsize   length,
            guint   seed)
{
  for (gsize i = 0; i < length; i++)
    {
      guint32 v = (guint32) (i / 4) * 7 + seed;

      buffer[i] = (guint8) (v >> (8 * (i % 4)));
    }
}

static HmByteClass
classify (const guint8 *data,
          gsize         length,
          float        *entropy)
{
  HmByteHistogram h = { { 0 }, 0 };

  hm_byte_histogram_add (&h, data, length);
  return hm_byte_histogram_classify (&h, entropy);
}

/* Shannon entropy computed here, independently. */
static double
reference_entropy (const guint8 *data,
                   gsize         length)
{
  guint64 counts[256] = { 0 };
  double h = 0.0;

  for (gsize i = 0; i < length; i++)
    counts[data[i]]++;
  for (guint v = 0; v < 256; v++)
    if (counts[v] > 0)
      {
        double p = (double) counts[v] / (double) length;

        h -= p * log2 (p);
      }
  return h;
}

static void
test_classify_synthetic (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261203);
  guint8 block[4096];
  HmByteHistogram h = { { 0 }, 0 };
  float e;

  memset (block, 0, sizeof block);
  g_assert_cmpint (classify (block, sizeof block, &e), ==, HM_BYTE_CLASS_ZEROS);
  g_assert_cmpfloat (e, ==, 0.0f);

  fill_text (block, sizeof block, lorem);
  g_assert_cmpint (classify (block, sizeof block, &e), ==, HM_BYTE_CLASS_TEXT);
  g_assert_cmpfloat_with_epsilon (e, reference_entropy (block, sizeof block), 1e-4);
  g_assert_cmpfloat (e, >, 3.0f);
  g_assert_cmpfloat (e, <, 5.5f);

  /* A sample cut anywhere in UTF-8 text is still text. */
  fill_text (block, sizeof block, utf8_text);
  g_assert_cmpint (classify (block + 1, sizeof block - 1, NULL), ==, HM_BYTE_CLASS_TEXT);

  fill_random (block, sizeof block, rand);
  g_assert_cmpint (classify (block, sizeof block, &e), ==, HM_BYTE_CLASS_RANDOM);
  g_assert_cmpfloat (e, >, 7.8f);
  g_assert_cmpfloat_with_epsilon (e, reference_entropy (block, sizeof block), 1e-4);

  fill_table (block, sizeof block, 3);
  g_assert_cmpint (classify (block, sizeof block, &e), ==, HM_BYTE_CLASS_OTHER);
  g_assert_cmpfloat (e, <, HM_ENTROPY_RANDOM_BITS);

  /* Bytes above 0x7f that cannot be UTF-8 are not text. */
  fill_text (block, sizeof block, lorem);
  for (gsize i = 0; i < sizeof block; i += 16)
    block[i] = 0xc0;
  g_assert_cmpint (classify (block, sizeof block, NULL), !=, HM_BYTE_CLASS_TEXT);

  /* Mostly zeros with a little else is still zeros; half is not. */
  memset (block, 0, sizeof block);
  block[17] = 1;
  g_assert_cmpint (classify (block, sizeof block, NULL), ==, HM_BYTE_CLASS_ZEROS);
  fill_random (block, sizeof block / 2, rand);
  g_assert_cmpint (classify (block, sizeof block, NULL), ==, HM_BYTE_CLASS_OTHER);

  g_assert_cmpint (hm_byte_histogram_classify (&h, &e), ==, HM_BYTE_CLASS_UNKNOWN);
  h.hole_bytes = 4096;
  g_assert_cmpint (hm_byte_histogram_classify (&h, &e), ==, HM_BYTE_CLASS_HOLE);
  g_assert_cmpfloat (e, ==, 0.0f);

  for (int k = HM_BYTE_CLASS_UNKNOWN; k <= HM_BYTE_CLASS_OTHER; k++)
    g_assert_nonnull (hm_byte_class_get_label (k));
}

/* ---- Maps ---- */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_for (HmEntropyMap *map,
          const char   *property)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECS * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);
  gboolean done = FALSE;

  for (;;)
    {
      g_object_get (map, property, &done, NULL);
      if (done)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static HmEntropyMap *
start_map (HmDocument *doc,
           gboolean    refine)
{
  HmEntropyMap *map = hm_entropy_map_new (doc);

  hm_entropy_map_start (map, refine);
  wait_for (map, refine ? "refined" : "sampled");
  return map;
}

static void
drain_and_finalize (HmEntropyMap *map)
{
  hm_entropy_map_stop (map);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (map);
}

/* Every bucket of @map equals a direct, full computation of its range. */
static void
assert_equals_direct (HmEntropyMap *map,
                      HmDocument   *doc)
{
  guint n = 0;
  const HmEntropyBucket *buckets = hm_entropy_map_get_buckets (map, &n);
  guint64 bs = hm_entropy_map_get_bucket_size (map);
  guint64 size = hm_document_get_size (doc);

  g_assert_cmpuint (n, ==, size / bs + (size % bs != 0));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      HmEntropyBucket direct;

      g_assert_true (hm_entropy_classify_range (doc, (guint64) i * bs, bs, &direct, NULL, &error));
      g_assert_no_error (error);
      if (buckets[i].klass != direct.klass)
        g_error ("bucket %u: class %d, directly %d", i, buckets[i].klass, direct.klass);
      g_assert_true (buckets[i].flags & HM_ENTROPY_REFINED);
      g_assert_cmpfloat_with_epsilon (buckets[i].entropy, direct.entropy, 1e-5);
      g_assert_cmpfloat_with_epsilon (buckets[i].data_share, direct.data_share, 1e-5);
    }
}

/* 16 buckets of 64 KiB: zeros, text, random, other (written), then holes. */
static char *
make_regions_file (GRand *rand)
{
  g_autofree guint8 *data = g_malloc (768 * 1024);
  char *path = hm_test_make_sparse ("regions", 1024 * 1024);

  memset (data, 0, 256 * 1024);
  fill_text (data + 256 * 1024, 128 * 1024, lorem);
  fill_random (data + 384 * 1024, 192 * 1024, rand);
  fill_table (data + 576 * 1024, 192 * 1024, 5);
  hm_test_pwrite (path, 0, data, 768 * 1024);
  return path;
}

static const HmByteClass regions_classes[16] = {
  HM_BYTE_CLASS_ZEROS, HM_BYTE_CLASS_ZEROS, HM_BYTE_CLASS_ZEROS, HM_BYTE_CLASS_ZEROS,
  HM_BYTE_CLASS_TEXT, HM_BYTE_CLASS_TEXT, HM_BYTE_CLASS_RANDOM, HM_BYTE_CLASS_RANDOM,
  HM_BYTE_CLASS_RANDOM, HM_BYTE_CLASS_OTHER, HM_BYTE_CLASS_OTHER, HM_BYTE_CLASS_OTHER,
  HM_BYTE_CLASS_HOLE, HM_BYTE_CLASS_HOLE, HM_BYTE_CLASS_HOLE, HM_BYTE_CLASS_HOLE,
};

static void
assert_regions (HmEntropyMap *map,
                guint8        flag)
{
  guint n = 0;
  const HmEntropyBucket *b = hm_entropy_map_get_buckets (map, &n);

  g_assert_cmpuint (n, ==, 16);
  for (guint i = 0; i < n; i++)
    {
      if (b[i].klass != regions_classes[i])
        g_error ("bucket %u: class %d, expected %d", i, b[i].klass, regions_classes[i]);
      g_assert_true (b[i].flags & flag);
      g_assert_cmpfloat (b[i].data_share, ==, i < 12 ? 1.0f : 0.0f);
    }
}

static void
test_regions (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *path = make_regions_file (rand);
  g_autoptr(HmDocument) doc = NULL;
  HmEntropyMap *map;
  guint64 allocated = hm_test_allocated_bytes (path);
  guint64 after_samples;

  _hm_entropy_set_max_buckets (16);
  doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  map = start_map (doc, FALSE);
  g_assert_cmpuint (hm_entropy_map_get_bucket_size (map), ==, 64 * 1024);
  /* The samples alone tell every region apart. */
  assert_regions (map, HM_ENTROPY_SAMPLED);
  after_samples = hm_entropy_map_get_bytes_read (map);
  g_assert_cmpuint (after_samples, <=, 12 * 16 * 1024);
  g_assert_false (hm_entropy_map_get_refined (map));

  hm_entropy_map_start (map, TRUE);
  wait_for (map, "refined");
  assert_regions (map, HM_ENTROPY_REFINED);
  g_assert_cmpfloat (hm_entropy_map_get_progress (map), ==, 1.0);
  /* The data once in full, and never a byte of the holes. */
  g_assert_cmpuint (hm_entropy_map_get_bytes_read (map), ==, after_samples + 768 * 1024);
  g_assert_cmpuint (hm_test_allocated_bytes (path), ==, allocated);
  assert_equals_direct (map, doc);

  drain_and_finalize (map);
  _hm_entropy_set_max_buckets (0);
}

/* A 1 TiB sparse image with three islands: all hole but the islands, read in
 * bounded work (what the islands cost, not the file). */
static void
test_huge_sparse (void)
{
  const guint64 size = G_GUINT64_CONSTANT (1) << 40;
  const guint64 islands[3] = { G_GUINT64_CONSTANT (100) << 30, G_GUINT64_CONSTANT (500) << 30, size - 65536 };
  const HmByteClass kinds[3] = { HM_BYTE_CLASS_TEXT, HM_BYTE_CLASS_RANDOM, HM_BYTE_CLASS_OTHER };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree char *path = hm_test_make_sparse ("huge", size);
  g_autofree guint8 *data = g_malloc (65536);
  g_autoptr(HmDocument) doc = NULL;
  HmEntropyMap *map;
  const HmEntropyBucket *b;
  guint64 bs, allocated;
  guint n = 0;

  fill_text (data, 65536, lorem);
  hm_test_pwrite (path, islands[0], data, 65536);
  fill_random (data, 65536, rand);
  hm_test_pwrite (path, islands[1], data, 65536);
  fill_table (data, 65536, 11);
  hm_test_pwrite (path, islands[2], data, 65536);
  allocated = hm_test_allocated_bytes (path);

  doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  map = start_map (doc, TRUE);
  b = hm_entropy_map_get_buckets (map, &n);
  bs = hm_entropy_map_get_bucket_size (map);
  g_assert_cmpuint (n, ==, 4096);
  for (guint i = 0; i < n; i++)
    {
      HmByteClass expected = HM_BYTE_CLASS_HOLE;

      for (guint k = 0; k < 3; k++)
        if (islands[k] / bs == i)
          expected = kinds[k];
      if (b[i].klass != expected)
        g_error ("bucket %u: class %d, expected %d", i, b[i].klass, expected);
      g_assert_true (b[i].flags & HM_ENTROPY_REFINED);
    }
  /* Each island sampled once and read once; nothing else. */
  g_assert_cmpuint (hm_entropy_map_get_bytes_read (map), <=, 3 * 2 * 65536);
  g_assert_cmpuint (hm_entropy_map_get_bytes_read (map), >=, 3 * 65536);
  g_assert_cmpuint (hm_test_allocated_bytes (path), ==, allocated);
  drain_and_finalize (map);
}

/* Refinement equals the direct computation over a mixed file whose size is
 * not a whole number of buckets. */
static void
test_refine_equals_direct (void)
{
  guint32 seed = g_test_rand_int ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  const gsize size = 3 * 1024 * 1024 + 123;
  g_autofree guint8 *data = g_malloc (size);
  g_autofree char *path = hm_test_path ("mixed");
  g_autoptr(HmDocument) doc = NULL;
  HmEntropyMap *map;

  g_test_message ("seed %u", seed);
  for (gsize pos = 0; pos < size;)
    {
      gsize want = (gsize) g_rand_int_range (rand, 1, 200 * 1024);
      gsize len = MIN (size - pos, want);

      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          memset (data + pos, 0, len);
          break;
        case 1:
          fill_text (data + pos, len, g_rand_boolean (rand) ? lorem : utf8_text);
          break;
        case 2:
          fill_random (data + pos, len, rand);
          break;
        default:
          fill_table (data + pos, len, g_rand_int (rand));
          break;
        }
      pos += len;
    }
  g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) size, NULL));

  _hm_entropy_set_max_buckets (50);
  doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  map = start_map (doc, TRUE);
  assert_equals_direct (map, doc);
  /* And the direct computation agrees with an independent one. */
  {
    guint n = 0;
    const HmEntropyBucket *b = hm_entropy_map_get_buckets (map, &n);
    guint64 bs = hm_entropy_map_get_bucket_size (map);

    for (guint i = 0; i < n; i++)
      {
        gsize len = (gsize) MIN (bs, size - i * bs);

        g_assert_cmpfloat_with_epsilon (b[i].entropy, reference_entropy (data + i * bs, len), 1e-4);
      }
  }
  drain_and_finalize (map);
  _hm_entropy_set_max_buckets (0);
}

/* Edits re-classify what they touched, and only that, cheaply. */
static void
test_edits (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  g_autofree char *path = hm_test_path ("edits");
  g_autofree guint8 *zeros = g_malloc0 (256 * 1024);
  guint8 bytes[8192];
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  const HmEntropyBucket *b;
  HmEntropyMap *map;
  guint64 before;
  guint n = 0;

  g_assert_true (g_file_set_contents (path, (const char *) zeros, 256 * 1024, NULL));
  _hm_entropy_set_max_buckets (64);
  doc = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  map = start_map (doc, TRUE);
  g_assert_cmpuint (hm_entropy_map_get_bucket_size (map), ==, 4096);

  /* An overwrite: two buckets become random, the rest is not read again. */
  fill_random (bytes, sizeof bytes, rand);
  before = hm_entropy_map_get_bytes_read (map);
  g_assert_true (hm_document_write (doc, 16 * 4096, bytes, sizeof bytes, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  g_assert_false (hm_entropy_map_get_refined (map));
  wait_for (map, "refined");
  b = hm_entropy_map_get_buckets (map, &n);
  g_assert_cmpuint (n, ==, 64);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (b[i].klass, ==, i == 16 || i == 17 ? HM_BYTE_CLASS_RANDOM : HM_BYTE_CLASS_ZEROS);
  g_assert_cmpuint (hm_entropy_map_get_bytes_read (map) - before, <=, 4 * 8192);

  /* A whole bucket of text inserted at the start: the rest moves along, and
   * only the new bucket and the last one are read. */
  fill_text (bytes, 4096, lorem);
  before = hm_entropy_map_get_bytes_read (map);
  g_assert_true (hm_document_insert (doc, 0, bytes, 4096, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  wait_for (map, "refined");
  b = hm_entropy_map_get_buckets (map, &n);
  g_assert_cmpuint (n, ==, 65);
  g_assert_cmpint (b[0].klass, ==, HM_BYTE_CLASS_TEXT);
  g_assert_cmpint (b[17].klass, ==, HM_BYTE_CLASS_RANDOM);
  g_assert_cmpint (b[18].klass, ==, HM_BYTE_CLASS_RANDOM);
  g_assert_cmpint (b[16].klass, ==, HM_BYTE_CLASS_ZEROS);
  g_assert_cmpuint (hm_entropy_map_get_bytes_read (map) - before, <=, 4 * 4096);
  assert_equals_direct (map, doc);

  /* Not a whole bucket: the moved ones are refined again, and right. */
  g_assert_true (hm_document_insert (doc, 5000, bytes, 100, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  wait_for (map, "refined");
  assert_equals_direct (map, doc);

  g_assert_true (hm_document_delete (doc, 1000, 9000, &error));
  g_assert_no_error (error);
  wait_for (map, "refined");
  assert_equals_direct (map, doc);

  g_assert_true (hm_document_undo (doc, &error));
  g_assert_no_error (error);
  wait_for (map, "refined");
  assert_equals_direct (map, doc);

  g_assert_true (hm_document_discard (doc, &error));
  g_assert_no_error (error);
  wait_for (map, "refined");
  assert_equals_direct (map, doc);
  b = hm_entropy_map_get_buckets (map, &n);
  g_assert_cmpuint (n, ==, 64);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (b[i].klass, ==, HM_BYTE_CLASS_ZEROS);

  drain_and_finalize (map);
  _hm_entropy_set_max_buckets (0);
}

/* A model-based run: random overwrites, inserts, deletes and undos; after each,
 * once the map settles, every bucket equals the direct computation. The edits
 * come while the map is still working, too. */
static void
test_edits_random (void)
{
  guint32 seed = g_test_rand_int ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree char *path = hm_test_path ("edits-random");
  g_autofree guint8 *data = g_malloc (512 * 1024);
  g_autoptr(HmDocument) doc = NULL;
  HmEntropyMap *map;

  g_test_message ("seed %u", seed);
  fill_text (data, 512 * 1024, lorem);
  fill_random (data + 128 * 1024, 128 * 1024, rand);
  memset (data + 300 * 1024, 0, 100 * 1024);
  g_assert_true (g_file_set_contents (path, (const char *) data, 512 * 1024, NULL));
  _hm_entropy_set_max_buckets (40);
  doc = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  map = hm_entropy_map_new (doc);
  hm_entropy_map_start (map, TRUE);

  for (guint step = 0; step < 40; step++)
    {
      g_autoptr(GError) error = NULL;
      guint64 size = hm_document_get_size (doc);
      guint64 off = g_rand_int_range (rand, 0, (gint32) MAX (size, 1));
      gsize len = (gsize) g_rand_int_range (rand, 1, 40000);
      g_autofree guint8 *bytes = g_malloc (len);
      int what = g_rand_int_range (rand, 0, 5);

      switch (g_rand_int_range (rand, 0, 3))
        {
        case 0:
          fill_random (bytes, len, rand);
          break;
        case 1:
          fill_text (bytes, len, utf8_text);
          break;
        default:
          memset (bytes, 0, len);
          break;
        }
      if (what == 0 && off + len <= size)
        g_assert_true (hm_document_write (doc, off, bytes, len, HM_EDIT_NONE, &error));
      else if (what == 1 || (what == 0 && off + len > size))
        g_assert_true (hm_document_insert (doc, off, bytes, len, HM_EDIT_NONE, &error));
      else if (what == 2 && size > 1)
        g_assert_true (hm_document_delete (doc, off, MIN ((guint64) len, size - off), &error));
      else if (what == 3 && hm_document_get_can_undo (doc))
        g_assert_true (hm_document_undo (doc, &error));
      g_assert_no_error (error);

      /* Half the time, the next edit lands while the map is busy. */
      if (g_rand_boolean (rand))
        {
          wait_for (map, "refined");
          assert_equals_direct (map, doc);
        }
    }
  wait_for (map, "refined");
  assert_equals_direct (map, doc);
  drain_and_finalize (map);
  _hm_entropy_set_max_buckets (0);
}

/* A map made before an insert, started after it, has buckets for the new size. */
static void
test_edit_before_start (void)
{
  g_autofree char *path = hm_test_path ("before-start");
  g_autofree guint8 *data = g_malloc (64 * 1024);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  HmEntropyMap *map;
  guint n = 0;

  fill_text (data, 64 * 1024, lorem);
  g_assert_true (g_file_set_contents (path, (const char *) data, 64 * 1024, NULL));
  doc = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  map = hm_entropy_map_new (doc);
  hm_entropy_map_get_buckets (map, &n);
  g_assert_cmpuint (n, ==, 16);
  memset (data, 0, 32 * 1024);
  g_assert_true (hm_document_insert (doc, 4096, data, 32 * 1024, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  hm_entropy_map_get_buckets (map, &n);
  g_assert_cmpuint (n, ==, 24);
  hm_entropy_map_start (map, TRUE);
  wait_for (map, "refined");
  assert_equals_direct (map, doc);
  g_assert_cmpint (hm_entropy_map_get_buckets (map, &n)[3].klass, ==, HM_BYTE_CLASS_ZEROS);
  drain_and_finalize (map);
}

/* Dropping a map while it works stops the worker; the document lives on and
 * goes away on this thread. */
static void
test_stop_while_running (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autofree char *path = make_regions_file (rand);
  HmDocument *doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  HmEntropyMap *map = hm_entropy_map_new (doc);
  GWeakRef weak;

  g_weak_ref_init (&weak, doc);
  hm_entropy_map_start (map, TRUE);
  g_object_unref (map);
  g_object_unref (doc);
  /* The worker's reference comes back here. */
  for (gint64 deadline = g_get_monotonic_time () + WAIT_SECS * G_USEC_PER_SEC;;)
    {
      g_autoptr(GObject) alive = g_weak_ref_get (&weak);

      if (alive == NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_weak_ref_clear (&weak);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/entropy/classify-synthetic", test_classify_synthetic);
  g_test_add_func ("/hm/entropy/regions", test_regions);
  g_test_add_func ("/hm/entropy/huge-sparse", test_huge_sparse);
  g_test_add_func ("/hm/entropy/refine-equals-direct", test_refine_equals_direct);
  g_test_add_func ("/hm/entropy/edits", test_edits);
  g_test_add_func ("/hm/entropy/edits-random", test_edits_random);
  g_test_add_func ("/hm/entropy/edit-before-start", test_edit_before_start);
  g_test_add_func ("/hm/entropy/stop-while-running", test_stop_while_running);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}
