/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-pattern.h"

G_BEGIN_DECLS

/**
 * HmSearchKernelImpl:
 * @HM_SEARCH_KERNEL_AUTO: the fastest the CPU supports (AVX2 where available);
 *   the environment variable `HEXMAP_SEARCH_KERNEL=portable` forces the portable path
 * @HM_SEARCH_KERNEL_PORTABLE: memchr() on an anchor byte, then verification
 * @HM_SEARCH_KERNEL_AVX2: a 32-byte AVX2 filter on two anchor bytes, then verification
 *
 * Which scanner a #HmSearchKernel uses. All give identical results; tests and
 * benchmarks pick one explicitly.
 */
typedef enum
{
  HM_SEARCH_KERNEL_AUTO,
  HM_SEARCH_KERNEL_PORTABLE,
  HM_SEARCH_KERNEL_AVX2,
} HmSearchKernelImpl;

typedef struct _HmSearchKernel HmSearchKernel;

gboolean            hm_search_kernel_have_avx2        (void);
HmSearchKernel     *hm_search_kernel_new              (HmPattern            *pattern,
                                                       HmSearchKernelImpl    impl);
void                hm_search_kernel_free             (HmSearchKernel       *self);
HmSearchKernelImpl  hm_search_kernel_get_impl         (const HmSearchKernel *self);
HmPattern          *hm_search_kernel_get_pattern      (const HmSearchKernel *self);

gssize              hm_search_kernel_find_first       (const HmSearchKernel *self,
                                                       const guint8         *data,
                                                       gsize                 length);
gssize              hm_search_kernel_find_last        (const HmSearchKernel *self,
                                                       const guint8         *data,
                                                       gsize                 length);

gssize              hm_search_reference_find_first    (const HmPattern      *pattern,
                                                       const guint8         *data,
                                                       gsize                 length);
gssize              hm_search_reference_find_last     (const HmPattern      *pattern,
                                                       const guint8         *data,
                                                       gsize                 length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HmSearchKernel, hm_search_kernel_free)

G_END_DECLS
