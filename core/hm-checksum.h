/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "hm-document.h"

G_BEGIN_DECLS

/**
 * HmChecksumKind:
 * @HM_CHECKSUM_CRC32: CRC-32 (IEEE 802.3, as zlib, PNG and `crc32` compute it)
 * @HM_CHECKSUM_MD5: MD5
 * @HM_CHECKSUM_SHA1: SHA-1
 * @HM_CHECKSUM_SHA256: SHA-256
 * @HM_CHECKSUM_SHA512: SHA-512
 * @HM_CHECKSUM_ALL: all of the above
 *
 * The sums hm_checksum_compute() can work out in one pass. Used as flags;
 * several are computed side by side, each on a thread of its own.
 */
typedef enum
{
  HM_CHECKSUM_CRC32 = 1 << 0,
  HM_CHECKSUM_MD5 = 1 << 1,
  HM_CHECKSUM_SHA1 = 1 << 2,
  HM_CHECKSUM_SHA256 = 1 << 3,
  HM_CHECKSUM_SHA512 = 1 << 4,
  HM_CHECKSUM_ALL = 0x1f,
} HmChecksumKind;

/**
 * HmChecksumResult:
 *
 * The sums of one range, as lowercase hex strings. Free with
 * hm_checksum_result_free().
 */
typedef struct _HmChecksumResult HmChecksumResult;

guint32           hm_crc32_update               (guint32              crc,
                                                 const void          *data,
                                                 gsize                length);
guint32           hm_crc32_update_zeros         (guint32              crc,
                                                 guint64              length);

HmChecksumResult *hm_checksum_compute           (HmDocument          *document,
                                                 guint64              offset,
                                                 guint64              length,
                                                 HmChecksumKind       kinds,
                                                 GCancellable        *cancellable,
                                                 HmProgressFunc       progress,
                                                 gpointer             progress_data,
                                                 GError             **error);
void              hm_checksum_compute_async     (HmDocument          *document,
                                                 guint64              offset,
                                                 guint64              length,
                                                 HmChecksumKind       kinds,
                                                 GCancellable        *cancellable,
                                                 HmProgressFunc       progress,
                                                 gpointer             progress_data,
                                                 GDestroyNotify       progress_destroy,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
HmChecksumResult *hm_checksum_compute_finish    (HmDocument          *document,
                                                 GAsyncResult        *result,
                                                 GError             **error);

const char       *hm_checksum_result_get        (const HmChecksumResult *result,
                                                 HmChecksumKind          kind);
guint64           hm_checksum_result_get_offset (const HmChecksumResult *result);
guint64           hm_checksum_result_get_length (const HmChecksumResult *result);
void              hm_checksum_result_free       (HmChecksumResult       *result);

const char       *hm_checksum_kind_to_string    (HmChecksumKind          kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HmChecksumResult, hm_checksum_result_free)

/* For tests */
void              _hm_checksum_set_crc32_parts  (guint                n_parts);

G_END_DECLS
