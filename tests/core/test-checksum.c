/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <zlib.h>

#include "hm-checksum.h"
#include "hm-fault.h"
#include "hm-test-util.h"

#define WINDOW (64 * 1024)

static HmDocument *
open_document (const char     *path,
               HmDocumentMode  mode)
{
  g_autoptr(GError) error = NULL;
  HmDocument *doc = hm_document_new_full (path, mode, WINDOW, &error);

  g_assert_no_error (error);
  return doc;
}

/* An independent CRC-32: bit by bit, no table. */
static guint32
reference_crc32 (const guint8 *data,
                 gsize         length)
{
  guint32 c = 0xffffffffu;

  for (gsize i = 0; i < length; i++)
    {
      c ^= data[i];
      for (int k = 0; k < 8; k++)
        c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
  return c ^ 0xffffffffu;
}

/* Zeros by the old way, independent of zlib: the CRC register is a vector over
 * GF(2); one zero bit is a linear map, a 32x32 bit matrix, and 2^k zero bytes
 * its 8 * 2^k-th power by repeated squaring. */
static guint32
gf2_apply (const guint32 *matrix,
           guint32        vector)
{
  guint32 sum = 0;

  for (guint i = 0; vector != 0; i++, vector >>= 1)
    if (vector & 1)
      sum ^= matrix[i];
  return sum;
}

static void
gf2_square (guint32       *result,
            const guint32 *matrix)
{
  for (guint i = 0; i < 32; i++)
    result[i] = gf2_apply (matrix, matrix[i]);
}

static guint32
reference_crc32_zeros (guint32 crc,
                       guint64 length)
{
  guint32 a[32], b[32];
  guint32 *power = a, *next = b;
  guint32 c = crc ^ 0xffffffffu;

  next[0] = 0xedb88320u;
  for (guint i = 1; i < 32; i++)
    next[i] = 1u << (i - 1);
  gf2_square (power, next);
  gf2_square (next, power);
  gf2_square (power, next);   /* one zero byte */

  while (length > 0)
    {
      guint32 *tmp;

      if (length & 1)
        c = gf2_apply (power, c);
      length >>= 1;
      gf2_square (next, power);
      tmp = power;
      power = next;
      next = tmp;
    }
  return c ^ 0xffffffffu;
}

/* The first word `tool FILE` prints (sha256sum, md5sum, sha1sum, sha512sum). */
static char *
tool_sum (const char *tool,
          const char *path)
{
  const char *argv[] = { tool, path, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  char *space;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  space = strchr (out, ' ');
  g_assert_nonnull (space);
  return g_strndup (out, (gsize) (space - out));
}

static HmChecksumResult *
compute_kinds (HmDocument     *doc,
               guint64         offset,
               guint64         length,
               HmChecksumKind  kinds)
{
  g_autoptr(GError) error = NULL;
  HmChecksumResult *result = hm_checksum_compute (doc, offset, length, kinds,
                                                  NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static HmChecksumResult *
compute (HmDocument *doc,
         guint64     offset,
         guint64     length)
{
  return compute_kinds (doc, offset, length, HM_CHECKSUM_ALL);
}

/* What GChecksum and zlib (one call, no zeros arithmetic) say; NULL for a kind
 * not in @kinds. */
static char *
expected_sum (HmChecksumKind  kind,
              HmChecksumKind  kinds,
              const guint8   *bytes,
              gsize           length)
{
  if (!(kinds & kind))
    return NULL;
  switch (kind)
    {
    case HM_CHECKSUM_CRC32:
      return g_strdup_printf ("%08lx", crc32_z (0, length > 0 ? bytes : Z_NULL, length));
    case HM_CHECKSUM_MD5:
      return g_compute_checksum_for_data (G_CHECKSUM_MD5, bytes, length);
    case HM_CHECKSUM_SHA1:
      return g_compute_checksum_for_data (G_CHECKSUM_SHA1, bytes, length);
    case HM_CHECKSUM_SHA256:
      return g_compute_checksum_for_data (G_CHECKSUM_SHA256, bytes, length);
    case HM_CHECKSUM_SHA512:
      return g_compute_checksum_for_data (G_CHECKSUM_SHA512, bytes, length);
    case HM_CHECKSUM_ALL:
    default:
      g_assert_not_reached ();
    }
}

/* Every sum in @kinds as GChecksum and zlib compute it, and no other. */
static void
assert_kinds_match (const HmChecksumResult *result,
                    HmChecksumKind          kinds,
                    const guint8           *bytes,
                    gsize                   length)
{
  for (guint k = 0; k < 5; k++)
    {
      HmChecksumKind kind = 1u << k;
      g_autofree char *expected = expected_sum (kind, kinds, bytes, length);

      g_assert_cmpstr (hm_checksum_result_get (result, kind), ==, expected);
    }
}

static void
assert_matches_bytes (const HmChecksumResult *result,
                      const guint8           *bytes,
                      gsize                   length)
{
  g_autofree char *crc = g_strdup_printf ("%08x", reference_crc32 (bytes, length));
  g_autofree char *md5 = g_compute_checksum_for_data (G_CHECKSUM_MD5, bytes, length);
  g_autofree char *sha1 = g_compute_checksum_for_data (G_CHECKSUM_SHA1, bytes, length);
  g_autofree char *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, bytes, length);
  g_autofree char *sha512 = g_compute_checksum_for_data (G_CHECKSUM_SHA512, bytes, length);

  g_assert_cmpstr (hm_checksum_result_get (result, HM_CHECKSUM_CRC32), ==, crc);
  g_assert_cmpstr (hm_checksum_result_get (result, HM_CHECKSUM_MD5), ==, md5);
  g_assert_cmpstr (hm_checksum_result_get (result, HM_CHECKSUM_SHA1), ==, sha1);
  g_assert_cmpstr (hm_checksum_result_get (result, HM_CHECKSUM_SHA256), ==, sha256);
  g_assert_cmpstr (hm_checksum_result_get (result, HM_CHECKSUM_SHA512), ==, sha512);
}

static void
test_crc32_vectors (void)
{
  static const guint8 zeros[5000];
  g_autofree guint8 *buf = g_malloc (4096);

  g_assert_cmphex (hm_crc32_update (0, "123456789", 9), ==, 0xcbf43926);
  g_assert_cmphex (hm_crc32_update (0, "", 0), ==, 0);
  g_assert_cmphex (hm_crc32_update (0, "The quick brown fox jumps over the lazy dog", 43), ==, 0x414fa339);
  /* In pieces: the same as in one go. */
  g_assert_cmphex (hm_crc32_update (hm_crc32_update (0, "1234", 4), "56789", 5), ==, 0xcbf43926);

  /* Skipping zeros arithmetically agrees with feeding them, short and long. */
  for (guint64 n = 0; n <= sizeof zeros; n += (n < 300 ? 1 : 997))
    {
      guint32 start = hm_crc32_update (0, "abc", 3);

      g_assert_cmphex (hm_crc32_update_zeros (start, n), ==, hm_crc32_update (start, zeros, n));
      g_assert_cmphex (hm_crc32_update_zeros (0, n), ==, reference_crc32 (zeros, n));
    }

  /* A 64 MiB run of zeros, against 16384 pages fed one by one. */
  {
    guint32 fed = 0x12345678;

    memset (buf, 0, 4096);
    for (guint i = 0; i < 16384; i++)
      fed = hm_crc32_update (fed, buf, 4096);
    g_assert_cmphex (hm_crc32_update_zeros (0x12345678, G_GUINT64_CONSTANT (1) << 26), ==, fed);
  }
}

static void
test_random_file (void)
{
  g_autofree guint8 *bytes = NULL;
  gsize size = 3 * 1024 * 1024 + 123;
  g_autofree char *path = hm_test_write_random ("random.bin", size, 7, &bytes);
  g_autoptr(HmDocument) doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(HmChecksumResult) all = compute (doc, 0, size);
  g_autoptr(HmChecksumResult) part = compute (doc, 4095, 200001);
  g_autoptr(HmChecksumResult) empty = compute (doc, size, 0);
  g_autofree char *sha256 = tool_sum ("sha256sum", path);
  g_autofree char *md5 = tool_sum ("md5sum", path);
  g_autofree char *sha1 = tool_sum ("sha1sum", path);
  g_autofree char *sha512 = tool_sum ("sha512sum", path);

  g_assert_cmpstr (hm_checksum_result_get (all, HM_CHECKSUM_SHA512), ==, sha512);
  g_assert_cmpstr (hm_checksum_result_get (all, HM_CHECKSUM_SHA256), ==, sha256);
  g_assert_cmpstr (hm_checksum_result_get (all, HM_CHECKSUM_MD5), ==, md5);
  g_assert_cmpstr (hm_checksum_result_get (all, HM_CHECKSUM_SHA1), ==, sha1);
  assert_matches_bytes (all, bytes, size);
  assert_matches_bytes (part, bytes + 4095, 200001);
  assert_matches_bytes (empty, bytes, 0);
  g_assert_cmpuint (hm_checksum_result_get_offset (part), ==, 4095);
  g_assert_cmpuint (hm_checksum_result_get_length (part), ==, 200001);
}

static void
test_sparse_file (void)
{
  guint64 size = 24 * 1024 * 1024 + 77;
  g_autofree char *path = hm_test_make_sparse ("sparse.bin", size);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmChecksumResult) all = NULL;
  g_autoptr(HmChecksumResult) part = NULL;
  g_autoptr(HmChecksumResult) crc_only = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *contents = g_malloc0 (size);
  g_autofree char *sha256 = NULL;
  g_autofree char *md5 = NULL;

  /* Data islands between holes, one straddling a window boundary. */
  hm_test_pwrite (path, 5 * 1024 * 1024 + 3, "island one", 10);
  hm_test_pwrite (path, 2 * WINDOW - 4, "straddles", 9);
  hm_test_pwrite (path, size - 5, "tail!", 5);
  memcpy (contents + 5 * 1024 * 1024 + 3, "island one", 10);
  memcpy (contents + 2 * WINDOW - 4, "straddles", 9);
  memcpy (contents + size - 5, "tail!", 5);

  doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_assert_cmpuint (hm_document_get_n_holes (doc), >, 0);
  all = compute (doc, 0, size);
  part = compute (doc, 1000, 6 * 1024 * 1024);
  sha256 = tool_sum ("sha256sum", path);
  md5 = tool_sum ("md5sum", path);

  g_assert_cmpstr (hm_checksum_result_get (all, HM_CHECKSUM_SHA256), ==, sha256);
  g_assert_cmpstr (hm_checksum_result_get (all, HM_CHECKSUM_MD5), ==, md5);
  assert_matches_bytes (all, contents, size);
  assert_matches_bytes (part, contents + 1000, 6 * 1024 * 1024);

  /* CRC-32 alone only asks for the one sum. */
  crc_only = hm_checksum_compute (doc, 0, size, HM_CHECKSUM_CRC32, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hm_checksum_result_get (crc_only, HM_CHECKSUM_CRC32), ==,
                   hm_checksum_result_get (all, HM_CHECKSUM_CRC32));
  g_assert_null (hm_checksum_result_get (crc_only, HM_CHECKSUM_SHA256));
}

static void
test_huge_sparse_crc (void)
{
  /* 1 TiB of holes: CRC-32 alone is instant, whatever the size. */
  guint64 size = G_GUINT64_CONSTANT (1) << 40;
  g_autofree char *path = hm_test_make_sparse ("huge.bin", size);
  g_autoptr(HmDocument) doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmChecksumResult) result = NULL;
  g_autofree char *expected = NULL;
  gint64 start = g_get_monotonic_time ();

  hm_test_pwrite (path, size / 2, "x", 1);
  g_assert_no_error (error);
  g_clear_object (&doc);
  doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);

  result = hm_checksum_compute (doc, 0, size, HM_CHECKSUM_CRC32, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  expected = g_strdup_printf ("%08x", hm_crc32_update_zeros (hm_crc32_update (hm_crc32_update_zeros (0, size / 2), "x", 1),
                                                            size / 2 - 1));
  g_assert_cmpstr (hm_checksum_result_get (result, HM_CHECKSUM_CRC32), ==, expected);
  /* Not a speed figure: reading the 1 TiB would take minutes, the arithmetic
   * takes milliseconds, so only reading the holes can break this bound. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}


/* zlib's combine arithmetic against the matrix method, for lengths up to 2^62:
 * the 1 TiB sparse test trusts it for what no test can feed. */
static void
test_crc32_zeros_reference (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  static const guint64 lengths[] = {
    0, 1, 255, 256, 257, 4096, 1 << 20, (G_GUINT64_CONSTANT (1) << 32) - 1,
    G_GUINT64_CONSTANT (1) << 32, (G_GUINT64_CONSTANT (1) << 40) + 12345,
    G_GUINT64_CONSTANT (1) << 62, G_MAXUINT64,
  };

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    for (guint r = 0; r < 4; r++)
      {
        guint32 crc = r == 0 ? 0 : g_rand_int (rand);

        g_assert_cmphex (hm_crc32_update_zeros (crc, lengths[i]), ==,
                         reference_crc32_zeros (crc, lengths[i]));
      }

  for (guint i = 0; i < 200; i++)
    {
      guint32 crc = g_rand_int (rand);
      guint64 a = ((guint64) g_rand_int (rand) << 20) ^ g_rand_int (rand);
      guint64 b = ((guint64) g_rand_int (rand) << 12) ^ g_rand_int (rand);

      g_assert_cmphex (hm_crc32_update_zeros (crc, a), ==, reference_crc32_zeros (crc, a));
      /* Two holes in a row are one hole. */
      g_assert_cmphex (hm_crc32_update_zeros (hm_crc32_update_zeros (crc, a), b), ==,
                       hm_crc32_update_zeros (crc, a + b));
    }
}

/* Every combination of sums, every length around the 1 MiB slots, read with
 * pread() (read-only) and through windows (preview): the same as GChecksum and
 * zlib say for the same bytes. */
static void
test_differential_random (void)
{
  static const HmDocumentMode modes[] = { HM_DOCUMENT_MODE_READ_ONLY, HM_DOCUMENT_MODE_PREVIEW };
  static const gsize lengths[] = {
    0, 1, 63, 64, 65, 4095, 4097, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 9 * (1 << 20) + 77,
  };
  gsize size = 10 * 1024 * 1024 + 333;
  g_autofree guint8 *bytes = NULL;
  g_autofree char *path = hm_test_write_random ("differential.bin", size, 21, &bytes);

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autoptr(HmDocument) doc = open_document (path, modes[m]);

      for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
        {
          gsize offset = (i * 7919) % (size - lengths[i] + 1);
          g_autoptr(HmChecksumResult) result = compute (doc, offset, lengths[i]);

          assert_kinds_match (result, HM_CHECKSUM_ALL, bytes + offset, lengths[i]);
        }

      /* Each sum alone and in every company: 2.5 MiB crosses slots. */
      for (guint kinds = 1; kinds <= HM_CHECKSUM_ALL; kinds += (m == 0 ? 1 : 5))
        {
          gsize offset = 12345, length = 5 * (1 << 19) + 3;
          g_autoptr(HmChecksumResult) result = compute_kinds (doc, offset, length, kinds);

          g_assert_cmpuint (hm_checksum_result_get_offset (result), ==, offset);
          g_assert_cmpuint (hm_checksum_result_get_length (result), ==, length);
          assert_kinds_match (result, kinds, bytes + offset, length);
        }
    }
}

/* Data islands of random bytes at random places in a sparse file, and random
 * ranges starting and ending in holes and in data, against the same bytes in
 * memory; CRC-32 alone (whole holes in one step) too. */
static void
test_differential_sparse (void)
{
  static const HmDocumentMode modes[] = { HM_DOCUMENT_MODE_READ_ONLY, HM_DOCUMENT_MODE_PREVIEW };
  static const guint crc_parts[] = { 2, 3, 7 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (23);
  guint64 size = 12 * 1024 * 1024 + 4321;
  g_autofree char *path = hm_test_make_sparse ("differential-sparse.bin", size);
  g_autofree guint8 *contents = g_malloc0 (size);
  guint64 ranges[10][2];
  HmChecksumKind kinds[10];

  for (guint i = 0; i < 7; i++)
    {
      gsize length = (gsize) g_rand_int_range (rand, 1, 1536 * 1024);
      guint64 offset = (guint64) g_rand_int_range (rand, 0, (gint32) (size - length));

      for (gsize j = 0; j < length; j++)
        contents[offset + j] = (guint8) g_rand_int (rand);
      hm_test_pwrite (path, offset, contents + offset, length);
    }

  ranges[0][0] = 0;
  ranges[0][1] = size;
  kinds[0] = HM_CHECKSUM_ALL;
  for (guint r = 1; r < G_N_ELEMENTS (ranges); r++)
    {
      ranges[r][0] = (guint64) g_rand_int_range (rand, 0, (gint32) size);
      ranges[r][1] = (guint64) g_rand_int_range (rand, 0, (gint32) (size - ranges[r][0] + 1));
      kinds[r] = (HmChecksumKind) g_rand_int_range (rand, 1, HM_CHECKSUM_ALL + 1);
    }

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autoptr(HmDocument) doc = open_document (path, modes[m]);

      g_assert_cmpuint (hm_document_get_n_holes (doc), >, 0);
      for (guint r = 0; r < G_N_ELEMENTS (ranges); r++)
        {
          g_autoptr(HmChecksumResult) result = compute_kinds (doc, ranges[r][0], ranges[r][1], kinds[r]);
          g_autoptr(HmChecksumResult) crc = compute_kinds (doc, ranges[r][0], ranges[r][1], HM_CHECKSUM_CRC32);

          assert_kinds_match (result, kinds[r], contents + ranges[r][0], ranges[r][1]);
          assert_kinds_match (crc, HM_CHECKSUM_CRC32, contents + ranges[r][0], ranges[r][1]);

          /* CRC-32 alone of a read-only file, cut into parts on threads and
           * joined: across holes, data and the range's ends alike. */
          for (guint p = 0; p < G_N_ELEMENTS (crc_parts); p++)
            {
              g_autoptr(HmChecksumResult) split = NULL;

              _hm_checksum_set_crc32_parts (crc_parts[p]);
              split = compute_kinds (doc, ranges[r][0], ranges[r][1], HM_CHECKSUM_CRC32);
              _hm_checksum_set_crc32_parts (0);
              assert_kinds_match (split, HM_CHECKSUM_CRC32, contents + ranges[r][0], ranges[r][1]);
            }
        }
    }
}

/* Progress climbs to the total and ends there, once. */
static void
record_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  GArray *calls = user_data;

  g_assert_cmpuint (done, <=, total);
  if (calls->len > 0)
    g_assert_cmpuint (done, >=, g_array_index (calls, guint64, calls->len - 1));
  g_array_append_val (calls, done);
}

static void
test_progress (void)
{
  gsize size = 6 * 1024 * 1024 + 5;
  g_autofree char *path = hm_test_write_random ("progress.bin", size, 29, NULL);
  g_autoptr(HmDocument) doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GArray) calls = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GError) error = NULL;
  g_autoptr(HmChecksumResult) result = NULL;

  result = hm_checksum_compute (doc, 0, size, HM_CHECKSUM_SHA512 | HM_CHECKSUM_MD5, NULL,
                                record_progress_cb, calls, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpuint (calls->len, >=, 2);
  g_assert_cmpuint (g_array_index (calls, guint64, 0), ==, 0);
  g_assert_cmpuint (g_array_index (calls, guint64, calls->len - 1), ==, size);
}

/* Out of address space: an error, not an abort. @data is how much room is left
 * above what the process has: 1 MiB holds no 1 MiB buffers; 12 MiB holds the
 * buffers but not the threads' stacks. In a child, since the limit cannot be
 * lifted again for the rest of the run. */
static void
test_out_of_memory (gconstpointer data)
{
#if defined(__SANITIZE_ADDRESS__)
  g_test_skip ("AddressSanitizer reserves the address space this test limits");
#else
  guint64 room_kib = GPOINTER_TO_UINT (data);
  gsize size = 16 * 1024 * 1024;
  g_autofree char *path = hm_test_write_random ("oom.bin", size, 31, NULL);

  if (g_test_subprocess ())
    {
      g_autoptr(HmDocument) doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
      g_autoptr(GError) error = NULL;
      g_autofree char *status = NULL;
      HmChecksumResult *result;
      struct rlimit limit;
      const char *line;
      guint64 vm_kib;

      g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
      line = strstr (status, "VmSize:");
      g_assert_nonnull (line);
      vm_kib = g_ascii_strtoull (line + strlen ("VmSize:"), NULL, 10);
      limit.rlim_cur = limit.rlim_max = (vm_kib + room_kib) * 1024;
      g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);

      result = hm_checksum_compute (doc, 0, size, HM_CHECKSUM_ALL, NULL, NULL, NULL, &error);
      g_assert_null (result);
      g_assert_nonnull (error);
      g_printerr ("%s\n", error->message);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*oom.bin*");
#endif
}

/* Sums still starting and ending on other threads when the program exits (the
 * dialog closed mid-run, then the application quit) must not crash in a library
 * that tore itself down at exit. In children, which exit while a thread sums
 * small ranges over and over, so that it is inside the digests' setup or
 * teardown most of the time. */
static int exit_loops;

static gpointer
sum_forever (gpointer data)
{
  HmDocument *doc = data;

  for (;;)
    {
      hm_checksum_result_free (hm_checksum_compute (doc, 0, 4096, HM_CHECKSUM_ALL,
                                                    NULL, NULL, NULL, NULL));
      g_atomic_int_inc (&exit_loops);
    }
  return NULL;
}

static void
test_exit_while_running (void)
{
  g_autofree char *path = hm_test_write_random ("exit.bin", 4096, 37, NULL);

  if (g_test_subprocess ())
    {
      HmDocument *doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);

      g_thread_unref (g_thread_new ("sum-forever", sum_forever, doc));
      while (g_atomic_int_get (&exit_loops) < 20)
        g_usleep (1000);
      exit (0);
    }

  for (guint i = 0; i < 10; i++)
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
    }
}

static void
test_pending_edits (void)
{
  g_autofree guint8 *bytes = NULL;
  gsize size = 300000;
  g_autofree char *path = hm_test_write_random ("pending.bin", size, 11, &bytes);
  g_autoptr(HmDocument) doc = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  g_autoptr(HmChecksumResult) result = NULL;
  g_autoptr(GError) error = NULL;

  hm_document_write (doc, 1234, "edited", 6, HM_EDIT_NONE, &error);
  g_assert_no_error (error);
  memcpy (bytes + 1234, "edited", 6);

  /* What the document shows, not what the file holds yet. */
  result = compute (doc, 0, size);
  assert_matches_bytes (result, bytes, size);
}

static void
test_out_of_range (void)
{
  g_autofree char *path = hm_test_write_random ("range.bin", 1000, 3, NULL);
  g_autoptr(HmDocument) doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GError) error = NULL;
  HmChecksumResult *result;

  result = hm_checksum_compute (doc, 900, 101, HM_CHECKSUM_ALL, NULL, NULL, NULL, &error);
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_OUT_OF_RANGE);
  g_assert_null (result);
}

typedef struct
{
  GCancellable *cancellable;
  const char   *path;
  guint64       cut_at;
  guint         calls;
  guint64       last_done;
  guint64       total;
} ProgressState;

static void
cancel_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  ProgressState *state = user_data;

  state->calls++;
  g_assert_cmpuint (done, >=, state->last_done);
  state->last_done = done;
  state->total = total;
  g_cancellable_cancel (state->cancellable);
}

static void
test_cancel (void)
{
  gsize size = 8 * 1024 * 1024;
  g_autofree char *path = hm_test_write_random ("cancel.bin", size, 5, NULL);
  g_autoptr(HmDocument) doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  ProgressState state = { cancellable, path, 0, 0, 0, 0 };
  HmChecksumResult *result;

  /* Cancelled from the first progress report: stops at the next chunk. */
  result = hm_checksum_compute (doc, 0, size, HM_CHECKSUM_ALL, cancellable,
                                cancel_progress_cb, &state, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result);
  g_assert_cmpuint (state.calls, >=, 1);
  g_assert_cmpuint (state.total, ==, size);
  g_assert_cmpuint (state.last_done, <, size);
}

static void
truncate_progress_cb (guint64  done,
                      guint64  total,
                      gpointer user_data)
{
  ProgressState *state = user_data;

  if (state->calls++ == 0)
    hm_test_truncate (state->path, state->cut_at);
}

static void
test_truncate_midway (void)
{
  gsize size = 4 * 1024 * 1024;
  g_autofree char *path = hm_test_write_random ("truncate.bin", size, 9, NULL);
  g_autoptr(HmDocument) doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GError) error = NULL;
  ProgressState state = { NULL, path, size / 2 + 100, 0, 0, 0 };
  HmChecksumResult *result;

  hm_fault_guard_install ();
  result = hm_checksum_compute (doc, 0, size, HM_CHECKSUM_ALL, NULL,
                                truncate_progress_cb, &state, &error);
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
  g_assert_null (result);
  /* The message names the file and an offset past the new end. */
  g_assert_nonnull (strstr (error->message, "truncate.bin"));
  g_assert_nonnull (strstr (error->message, "0x200064"));
}

/* CRC-32 alone in parts on threads: a cut is reported at the first byte lost,
 * whichever part meets it first. */
static void
test_truncate_crc_parts (void)
{
  gsize size = 4 * 1024 * 1024;
  g_autofree char *path = hm_test_write_random ("truncate-parts.bin", size, 11, NULL);
  g_autoptr(HmDocument) doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GError) error = NULL;
  ProgressState state = { NULL, path, size / 4 + 100, 0, 0, 0 };
  HmChecksumResult *result;

  _hm_checksum_set_crc32_parts (3);
  result = hm_checksum_compute (doc, 0, size, HM_CHECKSUM_CRC32, NULL, truncate_progress_cb, &state, &error);
  _hm_checksum_set_crc32_parts (0);
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
  g_assert_null (result);
  g_assert_nonnull (strstr (error->message, "truncate-parts.bin"));
  g_assert_nonnull (strstr (error->message, "0x100064"));
}

static void
test_truncate_in_hole (void)
{
  guint64 size = 8 * 1024 * 1024;
  g_autofree char *path = hm_test_make_sparse ("hole-cut.bin", size);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  ProgressState state = { NULL, path, 4096, 0, 0, 0 };
  HmChecksumResult *result;

  hm_test_pwrite (path, 0, "head", 4);
  doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  /* Holes are never read, yet a cut through one must not go unnoticed. */
  result = hm_checksum_compute (doc, 0, size, HM_CHECKSUM_CRC32, NULL,
                                truncate_progress_cb, &state, &error);
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
  g_assert_null (result);
}

typedef struct
{
  GMainLoop        *loop;
  HmChecksumResult *result;
  GError           *error;
  guint             progress_calls;
  gboolean          destroyed;
} AsyncState;

static void
async_progress_cb (guint64  done,
                   guint64  total,
                   gpointer user_data)
{
  AsyncState *state = user_data;

  g_atomic_int_inc (&state->progress_calls);
}

static void
async_destroy_cb (gpointer user_data)
{
  AsyncState *state = user_data;

  state->destroyed = TRUE;
}

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncState *state = user_data;

  state->result = hm_checksum_compute_finish (HM_DOCUMENT (source), result, &state->error);
  g_main_loop_quit (state->loop);
}

static void
test_async (void)
{
  g_autofree guint8 *bytes = NULL;
  gsize size = 2 * 1024 * 1024 + 1;
  g_autofree char *path = hm_test_write_random ("async.bin", size, 13, &bytes);
  g_autoptr(HmDocument) doc = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncState state = { loop, NULL, NULL, 0, FALSE };
  g_autoptr(HmChecksumResult) result = NULL;

  hm_checksum_compute_async (doc, 0, size, HM_CHECKSUM_ALL, NULL,
                             async_progress_cb, &state, async_destroy_cb,
                             async_done_cb, &state);
  g_main_loop_run (loop);
  g_assert_no_error (state.error);
  result = g_steal_pointer (&state.result);
  assert_matches_bytes (result, bytes, size);
  g_assert_cmpuint (g_atomic_int_get (&state.progress_calls), >=, 2);
  g_assert_true (state.destroyed);
}

/* A window holding edits is not mapped anew when the file grows on disk: the
 * bytes past it cannot be read until the edits are saved or discarded. The sum
 * fails there, at the first byte it could not read. */
static void
test_grown_under_edits (void)
{
  g_autofree char *path = hm_test_write_random ("grown.bin", 4096 + 100, 9, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 4 * 4096, &error);
  g_autofree guint8 *more = g_malloc (2 * 4096);
  HmChecksumResult *result;

  g_assert_no_error (error);
  memset (more, 'x', 2 * 4096);
  g_assert_true (hm_document_write (doc, 10, "edit", 4, HM_EDIT_NONE, &error));
  hm_test_pwrite (path, 4096 + 100, more, 2 * 4096);
  g_assert_true (hm_document_refresh (doc, &error));

  result = hm_checksum_compute (doc, 0, hm_document_get_size (doc), HM_CHECKSUM_CRC32,
                                NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "0x1064"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/checksum/crc32-vectors", test_crc32_vectors);
  g_test_add_func ("/hm/checksum/crc32-zeros-reference", test_crc32_zeros_reference);
  g_test_add_func ("/hm/checksum/differential-random", test_differential_random);
  g_test_add_func ("/hm/checksum/differential-sparse", test_differential_sparse);
  g_test_add_func ("/hm/checksum/progress", test_progress);
  g_test_add_func ("/hm/checksum/exit-while-running", test_exit_while_running);
  g_test_add_data_func ("/hm/checksum/out-of-memory/buffers", GUINT_TO_POINTER (1024), test_out_of_memory);
  g_test_add_data_func ("/hm/checksum/out-of-memory/threads", GUINT_TO_POINTER (12 * 1024), test_out_of_memory);
  g_test_add_func ("/hm/checksum/random-file", test_random_file);
  g_test_add_func ("/hm/checksum/sparse-file", test_sparse_file);
  g_test_add_func ("/hm/checksum/huge-sparse-crc", test_huge_sparse_crc);
  g_test_add_func ("/hm/checksum/pending-edits", test_pending_edits);
  g_test_add_func ("/hm/checksum/out-of-range", test_out_of_range);
  g_test_add_func ("/hm/checksum/cancel", test_cancel);
  g_test_add_func ("/hm/checksum/truncate-midway", test_truncate_midway);
  g_test_add_func ("/hm/checksum/truncate-crc-parts", test_truncate_crc_parts);
  g_test_add_func ("/hm/checksum/truncate-in-hole", test_truncate_in_hole);
  g_test_add_func ("/hm/checksum/async", test_async);
  g_test_add_func ("/hm/checksum/grown-under-edits", test_grown_under_edits);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}
