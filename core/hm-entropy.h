/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "hm-document.h"

G_BEGIN_DECLS

/*
 * What the bytes of a document are, block by block: holes, zeros, text,
 * compressed or encrypted data, or something else, with the Shannon entropy
 * of each block. The picture is sampled coarsely over the whole file first,
 * then refined in the background by reading every byte. See hm-entropy.c.
 */

/**
 * HmByteClass:
 * @HM_BYTE_CLASS_UNKNOWN: not looked at yet, or unreadable
 * @HM_BYTE_CLASS_HOLE: a hole of the file: nothing stored, nothing read
 * @HM_BYTE_CLASS_ZEROS: (almost) all zero bytes
 * @HM_BYTE_CLASS_TEXT: printable ASCII or UTF-8 and white space
 * @HM_BYTE_CLASS_RANDOM: high entropy: compressed or encrypted data
 * @HM_BYTE_CLASS_OTHER: anything else (code, tables, structured binary data)
 *
 * The kind of bytes a block of a document holds.
 */
typedef enum
{
  HM_BYTE_CLASS_UNKNOWN,
  HM_BYTE_CLASS_HOLE,
  HM_BYTE_CLASS_ZEROS,
  HM_BYTE_CLASS_TEXT,
  HM_BYTE_CLASS_RANDOM,
  HM_BYTE_CLASS_OTHER,
} HmByteClass;

#define HM_BYTE_CLASS_N 6

/* A block at or above this many bits of entropy per byte is "random". */
#define HM_ENTROPY_RANDOM_BITS 7.2

/**
 * HmByteHistogram:
 * @counts: how many times each byte value occurs in the data
 * @hole_bytes: bytes of the range that lie in holes (not in @counts)
 *
 * The bytes of a range, counted.
 */
typedef struct
{
  guint64 counts[256];
  guint64 hole_bytes;
} HmByteHistogram;

/**
 * HmEntropyFlags:
 * @HM_ENTROPY_SAMPLED: the bucket's class comes from a sample of it
 * @HM_ENTROPY_REFINED: the bucket's class comes from all of its bytes
 */
typedef enum
{
  HM_ENTROPY_SAMPLED = 1 << 0,
  HM_ENTROPY_REFINED = 1 << 1,
} HmEntropyFlags;

/**
 * HmEntropyBucket:
 * @klass: an #HmByteClass
 * @flags: #HmEntropyFlags: how it was found
 * @entropy: Shannon entropy of the data bytes, in bits per byte (0-8)
 * @data_share: the share of the bucket's bytes that are data, not holes (0-1)
 *
 * One block of the picture.
 */
typedef struct
{
  guint8 klass;
  guint8 flags;
  float  entropy;
  float  data_share;
} HmEntropyBucket;

void         hm_byte_histogram_add        (HmByteHistogram       *histogram,
                                           const guint8          *data,
                                           gsize                  length);
HmByteClass  hm_byte_histogram_classify   (const HmByteHistogram *histogram,
                                           float                 *entropy);
const char  *hm_byte_class_get_label      (HmByteClass            klass);

gboolean     hm_entropy_classify_range    (HmDocument            *document,
                                           guint64                offset,
                                           guint64                length,
                                           HmEntropyBucket       *bucket,
                                           GCancellable          *cancellable,
                                           GError               **error);

/*
 * HmEntropyMap: the picture of a whole document, kept up to date in the
 * background. Signals (on the thread that created the map):
 *   "updated" (guint first, guint n): buckets [first, first + n) changed, or
 *     the number of buckets did (then first is 0 and n the new number)
 * Properties: "sampled" (every bucket has at least a sampled class),
 * "refined" (every bucket was read in full), "progress" (0-1).
 */
#define HM_TYPE_ENTROPY_MAP (hm_entropy_map_get_type ())
G_DECLARE_FINAL_TYPE (HmEntropyMap, hm_entropy_map, HM, ENTROPY_MAP, GObject)

HmEntropyMap          *hm_entropy_map_new             (HmDocument   *document);
void                   hm_entropy_map_start           (HmEntropyMap *self,
                                                       gboolean      refine);
void                   hm_entropy_map_stop            (HmEntropyMap *self);
HmDocument            *hm_entropy_map_get_document    (HmEntropyMap *self);
guint64                hm_entropy_map_get_bucket_size (HmEntropyMap *self);
const HmEntropyBucket *hm_entropy_map_get_buckets     (HmEntropyMap *self,
                                                       guint        *n_buckets);
gboolean               hm_entropy_map_get_sampled     (HmEntropyMap *self);
gboolean               hm_entropy_map_get_refined     (HmEntropyMap *self);
double                 hm_entropy_map_get_progress    (HmEntropyMap *self);
guint64                hm_entropy_map_get_bytes_read  (HmEntropyMap *self);

/* For tests and benchmarks: at most this many buckets in maps made from now
 * on (0: the default), and samples of this many bytes (0: the default). */
void                   _hm_entropy_set_max_buckets    (guint         max_buckets);
void                   _hm_entropy_set_sample_size    (gsize         sample_size);

G_END_DECLS
