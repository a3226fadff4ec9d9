/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hm-search-kernel.h"

/* The scanners under test: always the portable one, AVX2 when the CPU has it. */
static HmSearchKernelImpl impls[2];
static guint n_impls;

static HmPattern *
random_pattern (GRand        *rand,
                const guint8 *buffer,
                gsize         buffer_length)
{
  static const guint8 masks[] = { 0xff, 0xff, 0xff, 0x00, 0xf0, 0x0f, 0xdf };
  guint len = g_rand_int_range (rand, 1, g_rand_boolean (rand) ? 9 : 80);
  g_autofree guint8 *bytes = g_malloc (len);
  g_autofree guint8 *mask = g_malloc (len);
  gboolean wildcards = g_rand_int_range (rand, 0, 3) == 0;
  gboolean from_buffer = buffer_length >= len && g_rand_boolean (rand);
  gsize at = from_buffer ? g_rand_int_range (rand, 0, buffer_length - len + 1) : 0;

  for (guint i = 0; i < len; i++)
    {
      bytes[i] = from_buffer ? buffer[at + i] : (guint8) g_rand_int_range (rand, 0, 4);
      mask[i] = wildcards ? masks[g_rand_int_range (rand, 0, G_N_ELEMENTS (masks))] : 0xff;
    }

  /* Now and then a pattern that starts and ends with wildcards. */
  if (wildcards && len > 2 && g_rand_int_range (rand, 0, 4) == 0)
    mask[0] = mask[len - 1] = 0;

  return hm_pattern_new (bytes, mask, len);
}

static void
fill_random (GRand  *rand,
             guint8 *buffer,
             gsize   length)
{
  /* Small alphabets make matches common; full bytes exercise the masks. */
  guint alphabet = g_rand_boolean (rand) ? 4 : 256;

  for (gsize i = 0; i < length; i++)
    buffer[i] = (guint8) g_rand_int_range (rand, 0, alphabet);
}

static void
check_all_matches (HmPattern    *pattern,
                   const guint8 *buffer,
                   gsize         length)
{
  for (guint k = 0; k < n_impls; k++)
    {
      g_autoptr(HmSearchKernel) kernel = hm_search_kernel_new (pattern, impls[k]);
      gsize pos = 0, end = length;

      g_assert_cmpint (hm_search_kernel_get_impl (kernel), ==, impls[k]);

      /* Forward: every match, in order, equals the reference. */
      for (;;)
        {
          gssize got = hm_search_kernel_find_first (kernel, buffer + pos, length - pos);
          gssize want = hm_search_reference_find_first (pattern, buffer + pos, length - pos);

          g_assert_cmpint (got, ==, want);
          if (got < 0)
            break;
          pos += got + 1;
        }

      /* Backward: every match, in reverse order. */
      for (;;)
        {
          gssize got = hm_search_kernel_find_last (kernel, buffer, end);
          gssize want = hm_search_reference_find_last (pattern, buffer, end);

          g_assert_cmpint (got, ==, want);
          if (got < 0)
            break;
          end = got + hm_pattern_get_length (pattern) - 1;
        }
    }
}

static void
test_differential (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  guint iterations = g_test_slow () ? 20000 : 2000;

  for (guint it = 0; it < iterations; it++)
    {
      gsize length = g_rand_int_range (rand, 0, g_rand_boolean (rand) ? 100 : 2000);
      /* Exactly sized, so the sanitizers catch a read past the end. */
      g_autofree guint8 *buffer = g_malloc (length + 1);
      g_autoptr(HmPattern) pattern = NULL;

      fill_random (rand, buffer, length);
      pattern = random_pattern (rand, buffer, length);
      check_all_matches (pattern, buffer, length);
    }
}

static void
test_backward_is_reversed_forward (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint it = 0; it < 300; it++)
    {
      gsize length = g_rand_int_range (rand, 0, 3000);
      g_autofree guint8 *buffer = g_malloc (length + 1);
      g_autoptr(HmPattern) pattern = NULL;
      g_autoptr(GArray) forward = g_array_new (FALSE, FALSE, sizeof (gssize));
      g_autoptr(GArray) backward = g_array_new (FALSE, FALSE, sizeof (gssize));
      g_autoptr(HmSearchKernel) kernel = NULL;
      gsize plen, pos = 0, end = length;

      fill_random (rand, buffer, length);
      pattern = random_pattern (rand, buffer, length);
      plen = hm_pattern_get_length (pattern);
      kernel = hm_search_kernel_new (pattern, HM_SEARCH_KERNEL_AUTO);

      for (gssize got; (got = hm_search_kernel_find_first (kernel, buffer + pos, length - pos)) >= 0; )
        {
          gssize at = (gssize) pos + got;

          g_array_append_val (forward, at);
          pos = at + 1;
        }
      for (gssize got; (got = hm_search_kernel_find_last (kernel, buffer, end)) >= 0; )
        {
          g_array_append_val (backward, got);
          end = got + plen - 1;
        }

      g_assert_cmpuint (forward->len, ==, backward->len);
      for (guint i = 0; i < forward->len; i++)
        g_assert_cmpint (g_array_index (forward, gssize, i), ==,
                         g_array_index (backward, gssize, backward->len - 1 - i));
    }
}

/* Buffers that end exactly at an unmapped page: any read past the end crashes,
 * even without a sanitizer. Matches at the very start and the very end. */
static void
test_buffer_edges (void)
{
  gsize page = sysconf (_SC_PAGESIZE);
  guint8 *map = mmap (NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  guint8 *start = map + page;
  static const char *patterns[] = { "41", "41 42", "41 ?? 43", "?? 42", "41 42 43 44 45 46 47 48",
                                    "4? 42 43 44 45 46 47 ?8" };

  g_assert_true (map != MAP_FAILED);
  g_assert_cmpint (mprotect (map, page, PROT_NONE), ==, 0);
  g_assert_cmpint (mprotect (map + 2 * page, page, PROT_NONE), ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      g_autoptr(HmPattern) pattern = hm_pattern_new_hex (patterns[i], -1, NULL, NULL);
      gsize plen = hm_pattern_get_length (pattern);

      for (guint k = 0; k < n_impls; k++)
        {
          g_autoptr(HmSearchKernel) kernel = hm_search_kernel_new (pattern, impls[k]);

          for (gsize len = 0; len <= 200; len++)
            {
              guint8 *buf = start + page - len;

              memset (start, 0x11, page);
              g_assert_cmpint (hm_search_kernel_find_first (kernel, buf, len), ==, -1);
              g_assert_cmpint (hm_search_kernel_find_last (kernel, buf, len), ==, -1);
              if (len < plen)
                continue;

              /* At the end. */
              memcpy (buf + len - plen, "ABCDEFGH", plen);
              g_assert_cmpint (hm_search_kernel_find_first (kernel, buf, len), ==, len - plen);
              g_assert_cmpint (hm_search_kernel_find_last (kernel, buf, len), ==, len - plen);
              g_assert_cmpint (hm_search_kernel_find_first (kernel, buf, len - 1), ==, -1);

              /* At the start, too (when the two copies do not overlap). */
              if (len < 2 * plen)
                continue;
              memcpy (buf, "ABCDEFGH", plen);
              g_assert_cmpint (hm_search_kernel_find_first (kernel, buf, len), ==, 0);
              g_assert_cmpint (hm_search_kernel_find_last (kernel, buf, len), ==, len - plen);
              g_assert_cmpint (hm_search_kernel_find_last (kernel, buf, len - 1), ==, 0);
              g_assert_cmpint (hm_search_kernel_find_first (kernel, buf + 1, len - 1), ==,
                               len - plen - 1);
            }
        }
    }

  munmap (map, 3 * page);
}

static void
test_all_wildcards (void)
{
  g_autoptr(HmPattern) pattern = hm_pattern_new_hex ("?? ??", -1, NULL, NULL);
  guint8 buffer[10] = { 0 };

  for (guint k = 0; k < n_impls; k++)
    {
      g_autoptr(HmSearchKernel) kernel = hm_search_kernel_new (pattern, impls[k]);

      g_assert_cmpint (hm_search_kernel_find_first (kernel, buffer, 10), ==, 0);
      g_assert_cmpint (hm_search_kernel_find_last (kernel, buffer, 10), ==, 8);
      g_assert_cmpint (hm_search_kernel_find_first (kernel, buffer, 1), ==, -1);
      g_assert_cmpint (hm_search_kernel_find_last (kernel, buffer, 2), ==, 0);
    }
}

static void
test_case_folding (void)
{
  g_autoptr(HmPattern) pattern = hm_pattern_new_text ("hexmap", -1, HM_TEXT_ENCODING_UTF8,
                                                      HM_PATTERN_IGNORE_CASE, NULL, NULL);
  g_autofree guint8 *buffer = g_malloc (4096);

  memset (buffer, 'x', 4096);
  memcpy (buffer + 100, "HeXmAp", 6);
  memcpy (buffer + 3000, "hexmaq", 6);
  memcpy (buffer + 4090, "HEXMAP", 6);

  for (guint k = 0; k < n_impls; k++)
    {
      g_autoptr(HmSearchKernel) kernel = hm_search_kernel_new (pattern, impls[k]);

      g_assert_cmpint (hm_search_kernel_find_first (kernel, buffer, 4096), ==, 100);
      g_assert_cmpint (hm_search_kernel_find_first (kernel, buffer + 101, 4096 - 101), ==, 4090 - 101);
      g_assert_cmpint (hm_search_kernel_find_last (kernel, buffer, 4096), ==, 4090);
      g_assert_cmpint (hm_search_kernel_find_last (kernel, buffer, 4095), ==, 100);
    }
}

static void
test_force_portable (void)
{
  g_autoptr(HmPattern) pattern = hm_pattern_new_hex ("01 02", -1, NULL, NULL);
  g_autoptr(HmSearchKernel) portable = NULL;
  g_autoptr(HmSearchKernel) automatic = NULL;

  portable = hm_search_kernel_new (pattern, HM_SEARCH_KERNEL_PORTABLE);
  g_assert_cmpint (hm_search_kernel_get_impl (portable), ==, HM_SEARCH_KERNEL_PORTABLE);
  g_assert_true (hm_search_kernel_get_pattern (portable) == pattern);

  automatic = hm_search_kernel_new (pattern, HM_SEARCH_KERNEL_AUTO);
  g_assert_cmpint (hm_search_kernel_get_impl (automatic), ==,
                   hm_search_kernel_have_avx2 () ? HM_SEARCH_KERNEL_AVX2 : HM_SEARCH_KERNEL_PORTABLE);
  g_clear_pointer (&automatic, hm_search_kernel_free);

  g_setenv ("HEXMAP_SEARCH_KERNEL", "portable", TRUE);
  automatic = hm_search_kernel_new (pattern, HM_SEARCH_KERNEL_AUTO);
  g_assert_cmpint (hm_search_kernel_get_impl (automatic), ==, HM_SEARCH_KERNEL_PORTABLE);
  g_unsetenv ("HEXMAP_SEARCH_KERNEL");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  impls[n_impls++] = HM_SEARCH_KERNEL_PORTABLE;
  if (hm_search_kernel_have_avx2 ())
    impls[n_impls++] = HM_SEARCH_KERNEL_AVX2;
  else
    g_test_message ("no AVX2 on this CPU: testing the portable scanner only");

  g_test_add_func ("/hm/search-kernel/differential", test_differential);
  g_test_add_func ("/hm/search-kernel/backward-is-reversed-forward", test_backward_is_reversed_forward);
  g_test_add_func ("/hm/search-kernel/buffer-edges", test_buffer_edges);
  g_test_add_func ("/hm/search-kernel/all-wildcards", test_all_wildcards);
  g_test_add_func ("/hm/search-kernel/case-folding", test_case_folding);
  g_test_add_func ("/hm/search-kernel/force-portable", test_force_portable);

  return g_test_run ();
}
