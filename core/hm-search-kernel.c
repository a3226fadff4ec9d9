/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Search kernels: find a pattern in one buffer of memory.
 *
 * Both scanners follow the same plan. Pick two "anchor" positions in the pattern
 * whose bytes are expected to be rare in files; a match must have the right byte
 * at both. Filter the buffer for candidate starts where both anchors agree, and
 * verify only the candidates against the whole pattern. On typical data the
 * filter rejects almost everything, so the cost is the filter's speed:
 *   - portable: memchr() for the first anchor (glibc's is vectorised), then a
 *     check of the second anchor, then the full comparison;
 *   - AVX2: compare 64 candidate starts at a time against both anchors with
 *     vector loads at start+a and start+b, AND the two results and look at the
 *     set bits only. This is the "generic SIMD" first/last-byte filter; choosing
 *     rare bytes instead of literally the first and last helps when a pattern
 *     starts or ends with a wildcard or a common byte such as 0x00.
 *
 * The find functions are leaves: no allocation, no locks, no GLib calls. The
 * search engine runs them inside the fault guard on mapped windows.
 */
#include "config.h"

#include "hm-search-kernel.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
# include <immintrin.h>
# define HM_HAVE_X86 1
#else
# define HM_HAVE_X86 0
#endif

struct _HmSearchKernel
{
  HmPattern          *pattern;
  HmSearchKernelImpl  impl;
  const guint8       *bytes;
  const guint8       *mask;
  gsize               length;
  gboolean            exact;        /* no wildcards: verify with memcmp() */
  gboolean            has_anchor;   /* some byte has a non-zero mask */
  gboolean            masked;       /* an anchor mask is not 0xff */
  gsize               a, b;         /* anchor positions; a == b if only one */
  guint8              a_value, a_mask;
  guint8              b_value, b_mask;
};

/* A rough model of how common each byte value is in files people search: zeros
 * dominate binaries, then 0xff padding, ASCII text and small integers. Only the
 * ranking matters. */
static guint
byte_weight (guint8 v)
{
  if (v == 0x00)
    return 1000;
  if (v == 0xff)
    return 150;
  if (v == ' ' || v == 'e' || v == 't' || v == 'a' || v == 'o' || v == 'i' || v == 'n' ||
      v == 's' || v == 'r' || v == '\n')
    return 60;
  if (v >= 'a' && v <= 'z')
    return 30;
  if (v < 0x10)
    return 40;
  if (v < 0x20)
    return 15;
  if (v < 0x80)
    return 20;
  return 8;
}

/* Expected frequency of a position: the weight of every value it accepts. */
static guint
position_weight (guint8 value,
                 guint8 mask)
{
  guint sum = 0;

  if (mask == 0xff)
    return byte_weight (value);

  for (guint v = 0; v < 256; v++)
    if (((guint8) v & mask) == value)
      sum += byte_weight ((guint8) v);

  return sum;
}

/**
 * hm_search_kernel_have_avx2:
 *
 * Whether this CPU (and the kernel, which must save the YMM registers) runs the
 * AVX2 scanner.
 *
 * Returns: %TRUE if %HM_SEARCH_KERNEL_AVX2 is available
 */
gboolean
hm_search_kernel_have_avx2 (void)
{
#if HM_HAVE_X86
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx2") ? TRUE : FALSE;
#else
  return FALSE;
#endif
}

static void
choose_anchors (HmSearchKernel *self)
{
  guint best = G_MAXUINT, second = G_MAXUINT;
  gsize best_pos = 0, second_pos = 0;
  gboolean want_exact_first = self->impl == HM_SEARCH_KERNEL_PORTABLE;
  gboolean have_exact = FALSE;

  self->has_anchor = FALSE;
  for (gsize i = 0; i < self->length; i++)
    {
      if (self->mask[i] != 0)
        self->has_anchor = TRUE;
      if (self->mask[i] == 0xff)
        have_exact = TRUE;
    }

  if (!self->has_anchor)
    return;

  /* The portable scanner finds the first anchor with memchr(), which needs an
   * exact byte; prefer one when the pattern has any. */
  if (want_exact_first && have_exact)
    {
      for (gsize i = 0; i < self->length; i++)
        if (self->mask[i] == 0xff)
          {
            guint w = byte_weight (self->bytes[i]);

            if (w < best)
              {
                best = w;
                best_pos = i;
              }
          }
    }
  else
    {
      for (gsize i = 0; i < self->length; i++)
        if (self->mask[i] != 0)
          {
            guint w = position_weight (self->bytes[i], self->mask[i]);

            if (w < best)
              {
                best = w;
                best_pos = i;
              }
          }
    }

  /* The second anchor: the rarest other position; among equals the one farthest
   * from the first, since neighbouring bytes are correlated. */
  second_pos = best_pos;
  for (gsize i = 0; i < self->length; i++)
    {
      guint w;
      gsize dist, best_dist;

      if (i == best_pos || self->mask[i] == 0)
        continue;

      w = position_weight (self->bytes[i], self->mask[i]);
      dist = i > best_pos ? i - best_pos : best_pos - i;
      best_dist = second_pos > best_pos ? second_pos - best_pos : best_pos - second_pos;
      if (w < second || (w == second && dist > best_dist))
        {
          second = w;
          second_pos = i;
        }
    }

  self->a = best_pos;
  self->b = second_pos;
  self->a_value = self->bytes[self->a];
  self->a_mask = self->mask[self->a];
  self->b_value = self->bytes[self->b];
  self->b_mask = self->mask[self->b];
  self->masked = self->a_mask != 0xff || self->b_mask != 0xff;
}

/**
 * hm_search_kernel_new:
 * @pattern: the pattern to find
 * @impl: which scanner to use; %HM_SEARCH_KERNEL_AVX2 falls back to the portable
 *   one on CPUs without AVX2
 *
 * Prepares a scanner for @pattern: picks the anchor bytes once, so the find
 * functions can run on many buffers.
 *
 * Returns: (transfer full): a new kernel; free with hm_search_kernel_free()
 */
HmSearchKernel *
hm_search_kernel_new (HmPattern          *pattern,
                      HmSearchKernelImpl  impl)
{
  HmSearchKernel *self;

  g_return_val_if_fail (pattern != NULL, NULL);

  if (impl == HM_SEARCH_KERNEL_AUTO)
    {
      const char *env = g_getenv ("HEXMAP_SEARCH_KERNEL");

      if (env != NULL && g_str_equal (env, "portable"))
        impl = HM_SEARCH_KERNEL_PORTABLE;
      else
        impl = HM_SEARCH_KERNEL_AVX2;
    }
  if (impl == HM_SEARCH_KERNEL_AVX2 && !hm_search_kernel_have_avx2 ())
    impl = HM_SEARCH_KERNEL_PORTABLE;

  self = g_new0 (HmSearchKernel, 1);
  self->pattern = hm_pattern_ref (pattern);
  self->impl = impl;
  self->bytes = hm_pattern_get_bytes (pattern);
  self->mask = hm_pattern_get_mask (pattern);
  self->length = hm_pattern_get_length (pattern);
  self->exact = !hm_pattern_has_wildcards (pattern);
  choose_anchors (self);

  return self;
}

/**
 * hm_search_kernel_free:
 * @self: (transfer full): a kernel
 *
 * Frees the kernel and drops its reference on the pattern.
 */
void
hm_search_kernel_free (HmSearchKernel *self)
{
  if (self == NULL)
    return;

  hm_pattern_unref (self->pattern);
  g_free (self);
}

/**
 * hm_search_kernel_get_impl:
 * @self: a kernel
 *
 * Returns: the scanner actually in use (never %HM_SEARCH_KERNEL_AUTO)
 */
HmSearchKernelImpl
hm_search_kernel_get_impl (const HmSearchKernel *self)
{
  g_return_val_if_fail (self != NULL, HM_SEARCH_KERNEL_PORTABLE);

  return self->impl;
}

/**
 * hm_search_kernel_get_pattern:
 * @self: a kernel
 *
 * Returns: (transfer none): the pattern
 */
HmPattern *
hm_search_kernel_get_pattern (const HmSearchKernel *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->pattern;
}

static inline gboolean
verify (const HmSearchKernel *self,
        const guint8         *p)
{
  if (self->exact)
    return memcmp (p, self->bytes, self->length) == 0;

  for (gsize i = 0; i < self->length; i++)
    if ((p[i] & self->mask[i]) != self->bytes[i])
      return FALSE;

  return TRUE;
}

static inline gboolean
candidate (const HmSearchKernel *self,
           const guint8         *p)
{
  return (p[self->a] & self->a_mask) == self->a_value &&
         (p[self->b] & self->b_mask) == self->b_value &&
         verify (self, p);
}

/* Scalar scan of starts [from, to], forward. */
static gssize
scan_scalar_forward (const HmSearchKernel *self,
                     const guint8         *data,
                     gsize                 from,
                     gsize                 to)
{
  for (gsize p = from; p <= to; p++)
    if (candidate (self, data + p))
      return (gssize) p;

  return -1;
}

/* Scalar scan of starts [from, to], backward. */
static gssize
scan_scalar_backward (const HmSearchKernel *self,
                      const guint8         *data,
                      gsize                 from,
                      gsize                 to)
{
  for (gsize p = to + 1; p > from; p--)
    if (candidate (self, data + p - 1))
      return (gssize) (p - 1);

  return -1;
}

static gssize
portable_find_first (const HmSearchKernel *self,
                     const guint8         *data,
                     gsize                 last)
{
  gsize p = 0;

  if (self->a_mask != 0xff)
    return scan_scalar_forward (self, data, 0, last);

  while (p <= last)
    {
      const guint8 *hit = memchr (data + p + self->a, self->a_value, last - p + 1);

      if (hit == NULL)
        return -1;

      p = (gsize) (hit - data) - self->a;
      if ((data[p + self->b] & self->b_mask) == self->b_value && verify (self, data + p))
        return (gssize) p;
      p++;
    }

  return -1;
}

static gssize
portable_find_last (const HmSearchKernel *self,
                    const guint8         *data,
                    gsize                 last)
{
  gsize n = last + 1;   /* candidate starts [0, n) */

  if (self->a_mask != 0xff)
    return scan_scalar_backward (self, data, 0, last);

  while (n > 0)
    {
      const guint8 *hit = memrchr (data + self->a, self->a_value, n);
      gsize p;

      if (hit == NULL)
        return -1;

      p = (gsize) (hit - data) - self->a;
      if ((data[p + self->b] & self->b_mask) == self->b_value && verify (self, data + p))
        return (gssize) p;
      n = p;
    }

  return -1;
}

#if HM_HAVE_X86

/* 64 candidate starts at data[0..63]: bit i set when both anchors agree at start i.
 * @masked is a constant at each call site, so the AND disappears for exact anchors. */
__attribute__ ((target ("avx2"), always_inline))
static inline guint64
avx2_block (const HmSearchKernel *self,
            const guint8         *data,
            __m256i               va,
            __m256i               ma,
            __m256i               vb,
            __m256i               mb,
            gboolean              masked)
{
  __m256i x0 = _mm256_loadu_si256 ((const __m256i *) (data + self->a));
  __m256i x1 = _mm256_loadu_si256 ((const __m256i *) (data + self->a + 32));
  __m256i y0 = _mm256_loadu_si256 ((const __m256i *) (data + self->b));
  __m256i y1 = _mm256_loadu_si256 ((const __m256i *) (data + self->b + 32));
  __m256i e0, e1;

  if (masked)
    {
      x0 = _mm256_and_si256 (x0, ma);
      x1 = _mm256_and_si256 (x1, ma);
      y0 = _mm256_and_si256 (y0, mb);
      y1 = _mm256_and_si256 (y1, mb);
    }

  e0 = _mm256_and_si256 (_mm256_cmpeq_epi8 (x0, va), _mm256_cmpeq_epi8 (y0, vb));
  e1 = _mm256_and_si256 (_mm256_cmpeq_epi8 (x1, va), _mm256_cmpeq_epi8 (y1, vb));

  if (_mm256_testz_si256 (_mm256_or_si256 (e0, e1), _mm256_or_si256 (e0, e1)))
    return 0;

  return (guint64) (guint32) _mm256_movemask_epi8 (e0) |
         ((guint64) (guint32) _mm256_movemask_epi8 (e1) << 32);
}

__attribute__ ((target ("avx2"), always_inline))
static inline gssize
avx2_find_first_impl (const HmSearchKernel *self,
                      const guint8         *data,
                      gsize                 last,
                      gboolean              masked)
{
  __m256i va = _mm256_set1_epi8 ((char) self->a_value);
  __m256i ma = _mm256_set1_epi8 ((char) self->a_mask);
  __m256i vb = _mm256_set1_epi8 ((char) self->b_value);
  __m256i mb = _mm256_set1_epi8 ((char) self->b_mask);
  gsize p = 0;

  /* Starts p..p+63 are all candidates while p + 63 <= last; the loads then stay
   * inside the buffer because a, b < pattern length. */
  for (; p + 64 <= last + 1; p += 64)
    {
      guint64 bits = avx2_block (self, data + p, va, ma, vb, mb, masked);

      while (bits != 0)
        {
          guint bit = (guint) __builtin_ctzll (bits);

          if (verify (self, data + p + bit))
            return (gssize) (p + bit);
          bits &= bits - 1;
        }
    }

  return scan_scalar_forward (self, data, p, last);
}

__attribute__ ((target ("avx2"), always_inline))
static inline gssize
avx2_find_last_impl (const HmSearchKernel *self,
                     const guint8         *data,
                     gsize                 last,
                     gboolean              masked)
{
  __m256i va = _mm256_set1_epi8 ((char) self->a_value);
  __m256i ma = _mm256_set1_epi8 ((char) self->a_mask);
  __m256i vb = _mm256_set1_epi8 ((char) self->b_value);
  __m256i mb = _mm256_set1_epi8 ((char) self->b_mask);
  gsize n = last + 1;   /* candidate starts [0, n) remain */

  for (; n >= 64; n -= 64)
    {
      gsize s = n - 64;
      guint64 bits = avx2_block (self, data + s, va, ma, vb, mb, masked);

      while (bits != 0)
        {
          guint bit = 63 - (guint) __builtin_clzll (bits);

          if (verify (self, data + s + bit))
            return (gssize) (s + bit);
          bits &= ~(G_GUINT64_CONSTANT (1) << bit);
        }
    }

  if (n == 0)
    return -1;
  return scan_scalar_backward (self, data, 0, n - 1);
}

__attribute__ ((target ("avx2")))
static gssize
avx2_find_first (const HmSearchKernel *self,
                 const guint8         *data,
                 gsize                 last)
{
  if (self->masked)
    return avx2_find_first_impl (self, data, last, TRUE);
  return avx2_find_first_impl (self, data, last, FALSE);
}

__attribute__ ((target ("avx2")))
static gssize
avx2_find_last (const HmSearchKernel *self,
                const guint8         *data,
                gsize                 last)
{
  if (self->masked)
    return avx2_find_last_impl (self, data, last, TRUE);
  return avx2_find_last_impl (self, data, last, FALSE);
}

#endif /* HM_HAVE_X86 */

/**
 * hm_search_kernel_find_first:
 * @self: a kernel
 * @data: (array length=length): the buffer
 * @length: its length
 *
 * Finds the first match lying wholly inside the buffer. A leaf function: safe to
 * run inside the fault guard.
 *
 * Returns: the offset of the match in @data, or -1
 */
gssize
hm_search_kernel_find_first (const HmSearchKernel *self,
                             const guint8         *data,
                             gsize                 length)
{
  gsize last;

  if (length < self->length)
    return -1;
  last = length - self->length;

  if (!self->has_anchor)
    return 0;

#if HM_HAVE_X86
  if (self->impl == HM_SEARCH_KERNEL_AVX2)
    return avx2_find_first (self, data, last);
#endif

  return portable_find_first (self, data, last);
}

/**
 * hm_search_kernel_find_last:
 * @self: a kernel
 * @data: (array length=length): the buffer
 * @length: its length
 *
 * Finds the last match lying wholly inside the buffer. A leaf function: safe to
 * run inside the fault guard.
 *
 * Returns: the offset of the match in @data, or -1
 */
gssize
hm_search_kernel_find_last (const HmSearchKernel *self,
                            const guint8         *data,
                            gsize                 length)
{
  gsize last;

  if (length < self->length)
    return -1;
  last = length - self->length;

  if (!self->has_anchor)
    return (gssize) last;

#if HM_HAVE_X86
  if (self->impl == HM_SEARCH_KERNEL_AVX2)
    return avx2_find_last (self, data, last);
#endif

  return portable_find_last (self, data, last);
}

/**
 * hm_search_reference_find_first:
 * @pattern: a pattern
 * @data: (array length=length): the buffer
 * @length: its length
 *
 * The obviously correct search the kernels are tested against: compare the
 * pattern at every offset.
 *
 * Returns: the offset of the first match, or -1
 */
gssize
hm_search_reference_find_first (const HmPattern *pattern,
                                const guint8    *data,
                                gsize            length)
{
  gsize plen = hm_pattern_get_length (pattern);

  for (gsize p = 0; p + plen <= length; p++)
    if (hm_pattern_matches_at (pattern, data + p))
      return (gssize) p;

  return -1;
}

/**
 * hm_search_reference_find_last:
 * @pattern: a pattern
 * @data: (array length=length): the buffer
 * @length: its length
 *
 * The reference search, backward.
 *
 * Returns: the offset of the last match, or -1
 */
gssize
hm_search_reference_find_last (const HmPattern *pattern,
                               const guint8    *data,
                               gsize            length)
{
  gsize plen = hm_pattern_get_length (pattern);

  if (length < plen)
    return -1;

  for (gsize p = length - plen + 1; p > 0; p--)
    if (hm_pattern_matches_at (pattern, data + p - 1))
      return (gssize) (p - 1);

  return -1;
}
